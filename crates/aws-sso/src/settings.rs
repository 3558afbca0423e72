//! From global options to resolved settings: the bridge between the command line and
//! `sso-config`'s precedence rules.
//!
//! Precedence itself (flag → environment → profile) lives in `sso_config::Settings`, where it is
//! unit-tested as a pure function. This module only gathers the command line's side of it, and
//! owns the hidden `--show-settings` view that lets CLI tests assert what was resolved instead of
//! guessing from behaviour.

use std::sync::{Arc, OnceLock};

use serde_json::{Map, Value, json};
use sso_client::{
    ClientConfig, OidcClient, PortalClient, Proxies, RetryPolicy, SigninClient, Transport,
    TransportOptions,
};
use sso_config::{ConfigError, Overrides, Service, Settings, SharedConfig};
use sso_core::Env;
use sso_core::env::vars;

use crate::Context;
use crate::cli::{Cli, Command, GlobalArgs};
use crate::commands::portal::PortalCall;
use crate::error::{CliError, ErrorFormat};

/// The shared config and the settings resolved from it for this run.
pub(crate) struct Resolved {
    pub(crate) config: SharedConfig,
    pub(crate) settings: Settings,
    transport: OnceLock<Arc<dyn Transport>>,
}

impl Resolved {
    /// Loads the config files named by the environment and resolves the global settings.
    pub(crate) fn load(global: &GlobalArgs, context: &Context) -> Result<Self, CliError> {
        Self::load_with(global, context, false)
    }

    /// As [`Resolved::load`], for the `configure` commands, whose `--profile` may name the
    /// profile they are about to create.
    pub(crate) fn load_for_configure(
        global: &GlobalArgs,
        context: &Context,
    ) -> Result<Self, CliError> {
        Self::load_with(global, context, true)
    }

    fn load_with(
        global: &GlobalArgs,
        context: &Context,
        profile_may_be_missing: bool,
    ) -> Result<Self, CliError> {
        let config = SharedConfig::load(&context.env)?;
        let overrides = Overrides {
            profile_may_be_missing,
            ..overrides(global)
        };
        let settings = Settings::resolve(&config, &context.env, &overrides).map_err(|error| {
            let hint = match &error {
                ConfigError::ProfileNotFound { profile } => Some(profile_hint(&config, profile)),
                _ => None,
            };
            let error = CliError::from(error);
            match hint {
                Some(hint) => error.with_hint(&hint),
                None => error,
            }
        })?;
        context.set_error_format(settings.cli_error_format);
        Ok(Self {
            config,
            settings,
            transport: OnceLock::new(),
        })
    }

    /// The SSO sign-in target for `--sso-session` or the selected profile.
    pub(crate) fn sso_target(
        &self,
        sso_session: Option<&str>,
    ) -> Result<sso_config::SsoTarget, CliError> {
        Ok(sso_config::resolve_sso_target(
            &self.config,
            Some(&self.settings.profile_name),
            sso_session,
        )?)
    }

    /// The transport all clients of this run share, so connections are kept alive between
    /// calls. Built on first use, through the context's seam; building it does no I/O.
    pub(crate) fn transport(&self, context: &Context) -> Arc<dyn Transport> {
        Arc::clone(self.transport.get_or_init(|| {
            let settings = &self.settings;
            (context.connect)(&TransportOptions {
                connect_timeout: settings.connect_timeout,
                read_timeout: settings.read_timeout,
                ca_bundle: settings.ca_bundle.clone(),
                verify_ssl: settings.verify_ssl,
                proxies: Proxies::from_env(&context.env),
            })
        }))
    }

    /// Client settings: the shared transport and sleeper, the configured retry policy,
    /// `--debug` lines through the terminal.
    fn client_config(&self, context: &Context) -> ClientConfig {
        let mut config = ClientConfig::new(self.transport(context), Arc::clone(&context.sleeper))
            .with_retry(RetryPolicy {
                mode: self.settings.retry_mode,
                max_attempts: self.settings.max_attempts,
            });
        // A clock pinned by AWS_SSO_TEST_NOW is wrong on purpose; compare only a real one.
        if context.env.non_empty(vars::AWS_SSO_TEST_NOW).is_none() {
            config = config.with_server_time(skew_check(context));
        }
        if context.terminal.debug_enabled() {
            let terminal = Arc::clone(&context.terminal);
            config.with_debug(Arc::new(move |line: &str| terminal.debug_line(line)))
        } else {
            config
        }
    }

    /// An SSO OIDC client for `region`. `login` and refreshes ignore `--endpoint-url`, as the
    /// AWS CLI does; configured endpoints (`AWS_ENDPOINT_URL_SSO_OIDC`, `[services]`) apply.
    pub(crate) fn oidc_client(
        &self,
        context: &Context,
        region: &str,
        pkce: bool,
    ) -> Result<OidcClient, ConfigError> {
        sso_config::validate_region(region)?;
        let endpoint =
            self.settings
                .endpoint(&self.config, &context.env, Service::Oidc, region, false)?;
        context
            .terminal
            .debug(|| format!("SSO OIDC endpoint: {} ({})", endpoint.url, endpoint.source));
        let mut config = self.client_config(context);
        if pkce {
            // AWS CLI v2 marks the authorization-code flow's calls this way.
            config = config.with_user_agent_extra("md/sso#auth");
        }
        Ok(OidcClient::new(endpoint.url, region, config))
    }

    /// An SSO portal client for `region`; `--endpoint-url` applies only to the API commands.
    pub(crate) fn portal_client(
        &self,
        context: &Context,
        region: &str,
        api_command: bool,
    ) -> Result<PortalClient, ConfigError> {
        self.portal_client_with(context, region, api_command, self.client_config(context))
    }

    /// A portal client that makes exactly one attempt per call, for the enumeration engine,
    /// which paces and retries its requests itself (`sso_auth::enumerate`).
    pub(crate) fn paced_portal_client(
        &self,
        context: &Context,
        region: &str,
    ) -> Result<PortalClient, ConfigError> {
        let config = self.client_config(context).with_retry(RetryPolicy {
            mode: self.settings.retry_mode,
            max_attempts: 1,
        });
        self.portal_client_with(context, region, true, config)
    }

    fn portal_client_with(
        &self,
        context: &Context,
        region: &str,
        api_command: bool,
        config: ClientConfig,
    ) -> Result<PortalClient, ConfigError> {
        sso_config::validate_region(region)?;
        let endpoint = self.settings.endpoint(
            &self.config,
            &context.env,
            Service::Portal,
            region,
            api_command,
        )?;
        context.terminal.debug(|| {
            format!(
                "SSO portal endpoint: {} ({})",
                endpoint.url, endpoint.source
            )
        });
        Ok(PortalClient::new(endpoint.url, region, config))
    }

    /// A client of the console sign-in endpoint of `region` (`AWS_ENDPOINT_URL_SIGNIN`, the
    /// `signin` services key, or the partition's host).
    pub(crate) fn signin_client(
        &self,
        context: &Context,
        region: &str,
    ) -> Result<SigninClient, ConfigError> {
        let endpoint =
            self.settings
                .endpoint(&self.config, &context.env, Service::Signin, region, false)?;
        context.terminal.debug(|| {
            format!(
                "console sign-in endpoint: {} ({})",
                endpoint.url, endpoint.source
            )
        });
        Ok(SigninClient::new(endpoint.url, self.client_config(context)))
    }

    /// Prints the resolved settings as JSON (hidden `--show-settings`, for tests and for
    /// debugging a user's configuration). The endpoints are the ones the command would call,
    /// worked out by the same code the command runs. Holds no secrets.
    pub(crate) fn show(
        &self,
        cli: &Cli,
        command: &Command,
        context: &Context,
    ) -> Result<(), CliError> {
        let global = &cli.global;
        let settings = &self.settings;
        let api_command = command.is_api_call();
        let target = self.sso_target(command.sso_session());
        let sso_region = target.as_ref().ok().map(|t| t.region().to_owned());
        let mut out = Map::new();
        out.insert("command".into(), cli.command_name.clone().into());
        out.insert(
            "config_file".into(),
            self.config.config_path().display().to_string().into(),
        );
        out.insert(
            "credentials_file".into(),
            self.config.credentials_path().display().to_string().into(),
        );
        out.insert(
            "profile".into(),
            json!({
                "name": settings.profile_name,
                "source": settings.profile_source.map(|s| s.to_string()),
            }),
        );
        out.insert(
            "region".into(),
            json!({
                "value": settings.region,
                "source": settings.region_source.map(|s| s.to_string()),
            }),
        );
        out.insert("output".into(), settings.output.as_str().into());
        out.insert(
            "cli_error_format".into(),
            settings.cli_error_format.as_str().into(),
        );
        out.insert("cli_pager".into(), settings.cli_pager.clone().into());
        out.insert(
            "ca_bundle".into(),
            settings
                .ca_bundle
                .as_ref()
                .map(|p| p.display().to_string())
                .into(),
        );
        out.insert("verify_ssl".into(), settings.verify_ssl.into());
        out.insert(
            "retry".into(),
            json!({"mode": settings.retry_mode.as_str(), "max_attempts": settings.max_attempts}),
        );
        out.insert(
            "timeouts".into(),
            json!({"connect": settings.connect_timeout.map(|d| d.as_secs_f64()),
                   "read": settings.read_timeout.map(|d| d.as_secs_f64())}),
        );
        out.insert("use_fips".into(), settings.use_fips.into());
        out.insert("use_dualstack".into(), settings.use_dualstack.into());
        out.insert(
            "sso".into(),
            match &target {
                Ok(target) => json!({
                    "kind": if target.is_legacy() { "legacy" } else { "sso-session" },
                    "sso_session": target.session_name(),
                    "start_url": target.start_url(),
                    "sso_region": target.region(),
                    "registration_scopes": target.registration_scopes(),
                    "token_cache_key": target.token_cache_key(),
                }),
                Err(error) => json!({"error": error.summary()}),
            },
        );
        let mut endpoints = Map::new();
        // Login, logout and token refreshes use the SSO region for both services; the API
        // commands call the portal where `PortalCall` says.
        let portal_region = if api_command {
            PortalCall::plan(command.access_token(), command.sso_session(), global, self)
                .map(|call| call.region)
                .map_err(|error| error.summary())
        } else {
            sso_region.clone().ok_or_else(|| "no region".to_owned())
        };
        let oidc_region = sso_region.ok_or_else(|| "no region".to_owned());
        for (name, service, region) in [
            ("sso", Service::Portal, portal_region),
            ("sso_oidc", Service::Oidc, oidc_region),
        ] {
            let value = match region {
                Err(error) => json!({ "error": error }),
                Ok(region) => match settings.endpoint(
                    &self.config,
                    &context.env,
                    service,
                    &region,
                    api_command,
                ) {
                    Ok(endpoint) => json!({
                        "url": endpoint.url,
                        "source": endpoint.source.to_string(),
                        "region": region,
                    }),
                    Err(error) => json!({"error": error.to_string()}),
                },
            };
            endpoints.insert(name.into(), value);
        }
        out.insert("endpoints".into(), Value::Object(endpoints));
        let text = serde_json::to_string_pretty(&Value::Object(out))
            .map_err(|e| CliError::general(e.to_string()))?;
        context.terminal.stdout(&format!("{text}\n"));
        Ok(())
    }
}

/// What to say after "The config profile (X) could not be found": which file was read, and the
/// profile meant if one is a typo away.
fn profile_hint(config: &SharedConfig, wanted: &str) -> String {
    let path = config.config_path();
    let names: Vec<&str> = config.profile_names().collect();
    if names.is_empty() {
        let state = if path.exists() {
            "has no profiles"
        } else {
            "does not exist"
        };
        return format!("{} {state}, so no profile is defined.", path.display());
    }
    let close = names
        .iter()
        .copied()
        .filter(|name| edit_distance(name, wanted) <= 2 || name.starts_with(wanted))
        .min_by_key(|name| edit_distance(name, wanted));
    match close {
        Some(name) => format!("Did you mean --profile {name}? (read {})", path.display()),
        None => format!("Profiles in {}: {}", path.display(), names.join(", ")),
    }
}

/// Levenshtein distance, for "did you mean": a dozen lines do not need a crate.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// The command line's side of settings precedence.
fn overrides(global: &GlobalArgs) -> Overrides<'_> {
    Overrides {
        profile: global.profile.as_deref(),
        region: global.region.as_deref(),
        endpoint_url: global.endpoint_url.as_deref(),
        ca_bundle: global.ca_bundle.as_deref(),
        no_verify_ssl: global.no_verify_ssl,
        output: global.output.as_deref(),
        cli_error_format: global.cli_error_format.as_deref(),
        connect_timeout: global.cli_connect_timeout.as_deref(),
        read_timeout: global.cli_read_timeout.as_deref(),
        profile_may_be_missing: false,
    }
}

/// Beyond this, a local clock that disagrees with the service's is worth a warning: expiry
/// decisions (token refresh windows, the 15-minute credential rule) are made on the local clock.
const CLOCK_SKEW_WARNING: jiff::SignedDuration = jiff::SignedDuration::from_secs(60);

/// The check each response's `Date` goes through: one warning per run, naming the offset.
fn skew_check(context: &Context) -> sso_client::ServerTimeSink {
    let clock = Arc::clone(&context.clock);
    let terminal = Arc::clone(&context.terminal);
    let warned = Arc::clone(&context.skew_warned);
    Arc::new(move |server: jiff::Timestamp| {
        let offset = server.duration_since(clock.now());
        if offset.abs() <= CLOCK_SKEW_WARNING
            || warned.swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            return;
        }
        let direction = if offset.is_positive() {
            "behind"
        } else {
            "ahead of"
        };
        terminal.warn(&format!(
            "this machine's clock is {} {direction} the service's (which says {server}): token and credential expiry will be judged wrongly until the clock is set (for example, turn on NTP)",
            crate::output::human_duration(offset.abs().as_secs().unsigned_abs())
        ));
    })
}

/// The error format for this run: `--cli-error-format`, then `AWS_CLI_ERROR_FORMAT`. (A
/// profile's `cli_error_format` is honoured once the config has been read; errors that happen
/// before that use the flag or environment.)
pub(crate) fn error_format(global: &GlobalArgs, env: &Env) -> ErrorFormat {
    global
        .cli_error_format
        .as_deref()
        .and_then(ErrorFormat::from_name)
        .unwrap_or_else(|| error_format_from_env(env))
}

/// The error format named by `AWS_CLI_ERROR_FORMAT`, or the default.
pub(crate) fn error_format_from_env(env: &Env) -> ErrorFormat {
    env.non_empty(vars::AWS_CLI_ERROR_FORMAT)
        .and_then(ErrorFormat::from_name)
        .unwrap_or_default()
}
