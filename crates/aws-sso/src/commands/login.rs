//! `aws-sso login`: sign in and cache a token (spec cli-behavior §3).

use sso_cache::{Cache, LoginFlow};
use sso_client::SystemSleeper;

use crate::Context;
use crate::auth::browser::{Browser, SystemBrowser};
use crate::auth::{self, LoginSeams};
use crate::cli::LoginArgs;
use crate::error::CliError;
use crate::settings::Resolved;

/// Signs in with the flow the AWS CLI would choose and prints the success line.
pub(crate) fn login(
    args: &LoginArgs,
    resolved: &Resolved,
    context: &Context,
) -> Result<(), CliError> {
    let target = resolved.sso_target(args.sso_session.as_deref())?;
    // sso-session configurations use PKCE unless told otherwise; legacy profiles can only
    // use the device flow (their registrations have no redirect URI).
    let flow = if target.is_legacy() || args.use_device_code {
        LoginFlow::DeviceCode
    } else {
        LoginFlow::AuthorizationCode
    };
    let oidc = resolved.oidc_client(
        context,
        target.region(),
        flow == LoginFlow::AuthorizationCode,
    )?;
    let cache = Cache::from_env(&context.env)?;
    let browser = SystemBrowser::from_env(&context.env);
    let sleeper = SystemSleeper::new();
    let seams = LoginSeams {
        oidc: &oidc,
        cache: &cache,
        clock: context.clock.as_ref(),
        printer: &context.printer,
        browser: (!args.no_browser).then_some(&browser as &dyn Browser),
        sleeper: &sleeper,
    };
    auth::login(&target, flow, &seams)?;
    let _ = context.printer.stdout(&format!(
        "Successfully logged into Start URL: {}\n",
        target.start_url()
    ));
    Ok(())
}
