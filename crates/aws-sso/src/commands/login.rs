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
    let target = sign_in(&configured, args, resolved, context)?;
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

/// The sign-in itself (`do_sso_login`), shared with `configure sso`: returns the target as
/// signed in to, whose region a vanity start URL may have changed.
pub(crate) fn sign_in(
    configured: &SsoTarget,
    args: &LoginArgs,
    resolved: &Resolved,
    context: &Context,
) -> Result<SsoTarget, CliError> {
    let start = start_url::resolve(configured.start_url(), resolved.transport(context).as_ref())?;
    // A vanity URL that resolves to a regional host overrides the configured region.
    let target = match &start.region {
        Some(region) if region != configured.region() => with_region(configured, region),
        _ => configured.clone(),
    };
    let options = SessionOptions::of(configured, resolved)?;
    // sso-session configurations use PKCE unless told otherwise; legacy profiles can only
    // use the device flow (their registrations have no redirect URI).
    let pkce = !(target.is_legacy() || args.use_device_code || options.use_device_code);
    let port = args.redirect_port.or(options.redirect_port);
    // The PKCE listener exists before any OIDC call, as in the AWS CLI, so a bind failure is
    // reported before the service is asked for anything.
    let receiver = pkce
        .then(|| LoopbackReceiver::bind_port(Arc::clone(&context.sleeper), port.unwrap_or(0)))
        .transpose()
        .map_err(|error| bind_failure(error, port))?
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
    if args.fresh {
        end_current_session(&target, resolved, context)?;
    }
    if let Some(receiver) = &receiver
        && let Some(line) = ssh_forward_hint(receiver.port(), &context.env)
    {
        context.terminal.stderr(&line);
    }
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
    Ok(target)
}

/// Login settings of ours in the `[sso-session]` section (names as in aws/aws-cli PRs #10635
/// and #10636).
struct SessionOptions {
    /// `sso_use_device_code = true`: the device flow, as `--use-device-code`.
    use_device_code: bool,
    /// `sso_redirect_port = N`: the PKCE listener's port.
    redirect_port: Option<u16>,
}

impl SessionOptions {
    fn of(target: &SsoTarget, resolved: &Resolved) -> Result<Self, CliError> {
        let Some(name) = target.session_name() else {
            return Ok(Self {
                use_device_code: false,
                redirect_port: None,
            });
        };
        let section = resolved.config.sso_session(name);
        let get = |key: &str| {
            section
                .and_then(|section| section.get(key))
                .map(str::trim)
                .filter(|value| !value.is_empty())
        };
        let redirect_port = get("sso_redirect_port")
            .map(|raw| {
                raw.parse::<u16>().ok().filter(|port| *port > 0).ok_or_else(|| {
                    CliError::configuration(format!(
                        "sso_redirect_port = {raw} in [sso-session {name}] of {} is not a port: use a number from 1 to 65535",
                        resolved.config.config_path().display()
                    ))
                })
            })
            .transpose()?;
        Ok(Self {
            use_device_code: get("sso_use_device_code")
                .is_some_and(|value| value.eq_ignore_ascii_case("true")),
            redirect_port,
        })
    }
}

/// The AWS CLI's message for a listener that cannot start, plus, for a fixed port, which port
/// and what to do.
fn bind_failure(error: std::io::Error, port: Option<u16>) -> CliError {
    let in_use = error.kind() == std::io::ErrorKind::AddrInUse;
    let failure = CliError::from(sso_auth::AuthError::CallbackBind(error));
    match port {
        Some(port) if in_use => failure.with_hint(&format!(
            "Port {port} of 127.0.0.1 (from --redirect-port or sso_redirect_port) is in use by another program: stop it, or choose another port."
        )),
        _ => failure,
    }
}

/// Over SSH the browser is on another machine, and the redirect to 127.0.0.1 has to be carried
/// back: the exact tunnel to open there. `None` outside SSH.
fn ssh_forward_hint(port: u16, env: &sso_core::Env) -> Option<String> {
    let connection = env.non_empty(sso_core::env::vars::SSH_CONNECTION)?;
    let fields: Vec<&str> = connection.split_whitespace().collect();
    let server = fields.get(2).copied().unwrap_or("THIS-HOST");
    let ssh_port = fields
        .get(3)
        .filter(|port| **port != "22")
        .map(|port| format!(" -p {port}"))
        .unwrap_or_default();
    let user = env
        .non_empty(sso_core::env::vars::USER)
        .map(|user| format!("{user}@"))
        .unwrap_or_default();
    Some(format!(
        "You are signed in to this machine over SSH. For a browser on your own machine to finish the sign-in, run this there first (or paste the address the browser ends on below):\n  ssh -N -L {port}:127.0.0.1:{port}{ssh_port} {user}{server}\n"
    ))
}

/// `--fresh`: signs the cached token out on the service and forgets it, so the sign-in that
/// follows begins a portal session of its own instead of joining the current one (whose end it
/// would inherit, aws/aws-cli#7361).
fn end_current_session(
    target: &SsoTarget,
    resolved: &Resolved,
    context: &Context,
) -> Result<(), CliError> {
    let cache = context.cache()?;
    let key = sso_auth::token_key(target);
    let Some(token) = cache.load_token(&key)?.into_found() else {
        return Ok(());
    };
    let portal = resolved.portal_client(context, target.region(), false)?;
    match portal.logout(&token.access_token) {
        // Already over on the service's side: nothing to end.
        Ok(()) | Err(sso_client::ClientError::Service(_)) => {}
        Err(error) => return Err(CliError::from(error)),
    }
    cache.with_token_lock(&key, |lock| lock.delete())?;
    cache.delete_file(&cache.session_record_path(&key))?;
    context
        .terminal
        .stderr("Ended the current portal session; signing in to a new one.\n");
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
