//! `aws-sso login`: sign in and cache a token (spec cli-behavior §3).

use std::sync::Arc;

use sso_auth::{Flow, Login, LoopbackReceiver, start_url};
use sso_config::SsoTarget;

use crate::Context;
use crate::cli::LoginArgs;
use crate::error::CliError;
use crate::settings::Resolved;

/// Signs in with the flow the AWS CLI would choose and prints the success line.
pub(crate) fn run(
    args: &LoginArgs,
    resolved: &Resolved,
    context: &Context,
) -> Result<(), CliError> {
    let configured = resolved.sso_target(args.sso_session.as_deref())?;
    let start = start_url::resolve(configured.start_url(), resolved.transport(context).as_ref())?;
    // A vanity URL that resolves to a regional host overrides the configured region.
    let target = match &start.region {
        Some(region) if region != configured.region() => with_region(&configured, region),
        _ => configured.clone(),
    };
    // sso-session configurations use PKCE unless told otherwise; legacy profiles can only
    // use the device flow (their registrations have no redirect URI).
    let pkce = !(target.is_legacy() || args.use_device_code);
    // The PKCE listener exists before any OIDC call, as in the AWS CLI, so a bind failure is
    // reported before the service is asked for anything.
    let receiver = pkce
        .then(|| LoopbackReceiver::bind(Arc::clone(&context.sleeper)))
        .transpose()
        .map_err(sso_auth::AuthError::CallbackBind)?
        // With a person at a terminal, the redirect's address can also be pasted back, for a
        // browser on another machine (SSH, containers, VMs).
        .map(|receiver| {
            if context.terminal.stdin_is_terminal() {
                receiver.with_paste_back(Arc::clone(&context.terminal))
            } else {
                receiver
            }
        });
    let flow = match &receiver {
        Some(receiver) => Flow::AuthorizationCode(receiver),
        None => Flow::DeviceCode,
    };
    let oidc = resolved.oidc_client(context, target.region(), pkce)?;
    let login = Login {
        oidc: &oidc,
        cache: context.cache()?,
        clock: context.clock.as_ref(),
        sleeper: context.sleeper.as_ref(),
        terminal: context.terminal.as_ref(),
        browser: (!args.no_browser).then_some(context.browser.as_ref()),
        service_start_url: &start.url,
    };
    login.run(&target, flow)?;
    // When this sign-in began, for `aws-sso status` (no token file says: refreshes move the
    // expiry). Losing it only makes status less precise, so a failure is a warning.
    let record = sso_cache::SessionRecord {
        start_url: target.start_url().to_owned(),
        region: target.region().to_owned(),
        started_at: context.clock.now(),
    };
    if let Err(error) = context
        .cache()?
        .store_session_record(&sso_auth::token_key(&target), &record)
    {
        context.terminal.warn(&error);
    }
    if target.region() != configured.region() {
        update_region(&configured, target.region(), resolved)?;
        context
            .terminal
            .stdout(&format!("SSO region updated to {}\n", target.region()));
    }
    context.terminal.stdout(&format!(
        "Successfully logged into Start URL: {}\n",
        target.start_url()
    ));
    Ok(())
}

/// The target with another SSO region.
fn with_region(target: &SsoTarget, region: &str) -> SsoTarget {
    let mut target = target.clone();
    match &mut target {
        SsoTarget::Session { region: r, .. } | SsoTarget::Legacy { region: r, .. } => {
            *r = region.to_owned();
        }
    }
    target
}

/// Writes the resolved region back to the config, as the AWS CLI does: into the
/// `[sso-session NAME]` section, or the legacy profile's section — which for the default
/// profile the AWS CLI names `[profile default]`, creating it beside `[default]`.
fn update_region(target: &SsoTarget, region: &str, resolved: &Resolved) -> Result<(), CliError> {
    let section = match target {
        SsoTarget::Session { session_name, .. } => format!("sso-session {session_name}"),
        SsoTarget::Legacy { profile_name, .. } => format!("profile {profile_name}"),
    };
    sso_config::writer::write_key(
        resolved.config.config_path(),
        &section,
        "sso_region",
        region,
    )
    .map_err(|error| CliError::general(error.to_string()))
}
