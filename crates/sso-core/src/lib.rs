//! Shared vocabulary and the seams every side effect goes through.
//!
//! This crate owns three things that all other aws-sso crates use: [`Secret`] (a value that
//! must never be printed), [`Clock`] (the only way to ask for "now"), and [`Env`] (one snapshot
//! of the process environment, taken in `main`). It deliberately owns no I/O of its own, so
//! every library above it can be tested with a fixed clock and a hand-built environment.
#![warn(missing_docs)]

pub mod clock;
pub mod env;
pub mod exit;
pub mod secret;

pub use clock::{Clock, FixedClock, SystemClock};
pub use env::Env;
pub use exit::ExitClass;
pub use secret::Secret;
