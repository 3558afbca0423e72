//! CLI tests: the real `aws-sso` binary in a sandboxed home (see `sso-testkit`).
//!
//! One test binary for the crate, one module per area, so the binary is linked once.
#![expect(
    clippy::disallowed_methods,
    reason = "a test harness that drives real processes and servers in real time"
)]

mod api;
mod completion;
mod configure;
mod credentials;
mod doctor;
mod errors;
mod help;
mod login;
mod logout;
mod roles;
mod settings;
mod status;
mod support;
mod vanity;

use sso_testkit::{Outcome, TestContext};

/// Runs aws-sso in `context`.
pub(crate) fn aws_sso(context: &TestContext, args: &[&str]) -> Outcome {
    context.run(env!("CARGO_BIN_EXE_aws-sso"), args)
}
