//! `console`: a console sign-in URL from the profile's role credentials, through the console
//! federation endpoint (getSigninToken, then the login URL), opened in the browser or printed.

use crate::Context;
use crate::cli::ConsoleArgs;
use crate::commands::credentials;
use crate::error::CliError;
use crate::settings::Resolved;

/// `console`.
pub(crate) fn run(
    args: &ConsoleArgs,
    resolved: &Resolved,
    context: &Context,
) -> Result<(), CliError> {
    let role = credentials::role_profile(resolved)?;
    let credentials = credentials::fetch(&role, resolved, context)?;
    // The console opens in the profile's region, or the SSO region without one.
    let region = resolved
        .settings
        .region
        .clone()
        .unwrap_or_else(|| role.target.region().to_owned());
    let destination = match &args.destination {
        Some(destination) => destination.clone(),
        None => sso_config::console_home_url(&region)?,
    };
    let signin = resolved.signin_client(context, &region)?;
    let token = signin.signin_token(
        &credentials.access_key_id,
        &credentials.secret_access_key,
        &credentials.session_token,
        None,
    )?;
    // The portal is the issuer: the console's "session expired" link leads back to it.
    let url = signin.login_url(&token, role.target.start_url(), &destination);
    let what = format!("{} in account {}", role.role_name, role.account_id);
    if args.print {
        context.terminal.stdout(&format!("{}\n", url.expose()));
        return Ok(());
    }
    if context.browser.open(url.expose()) {
        context.terminal.stderr(&format!(
            "Opened the AWS console as {what} in your browser.\n"
        ));
        Ok(())
    } else {
        Err(CliError::general(format!(
            "Could not open a browser for the AWS console as {what}. Run `aws-sso console --print` and open the URL it prints (it signs in whoever has it, for 15 minutes)."
        )))
    }
}
