//! `status`: which sign-ins this machine has, and for how long they will work — from the cache
//! files alone, in a few milliseconds (issue 12; aws/aws-cli#7341).
//!
//! For each configured sign-in (every `[sso-session]` and every legacy SSO profile, or the one
//! `--sso-session` or the profile names): whether a token is cached, when it expires, whether it
//! can refresh itself, when its client registration expires, when the sign-in began (recorded by
//! `aws-sso login`) and when its portal session will end (that plus the session's
//! `sso_session_duration`, 8 hours unless configured). `--verify` proves each usable token with
//! one ListAccounts call. `--prompt` prints one short line for a shell prompt.
//!
//! Exit status: 0 when every sign-in shown is usable (its token is valid, or will refresh by
//! itself); 1 when one needs `aws-sso login` (no token, an expired one that cannot refresh, an
//! unreadable one, or one the service rejected under `--verify`); the usual codes otherwise.

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use sso_auth::token_key;
use sso_cache::{Cache, CachedToken, Entry, format_timestamp};
use sso_config::SsoTarget;

use crate::Context;
use crate::cli::{GlobalArgs, StatusArgs};
use crate::error::CliError;
use crate::output;
use crate::settings::Resolved;

/// The portal session length when a session does not configure `sso_session_duration`: IAM
/// Identity Center's default.
const DEFAULT_SESSION_DURATION: SignedDuration = SignedDuration::from_hours(8);

/// The key that configures it, in the `[sso-session]` section or a legacy profile.
const SESSION_DURATION_KEY: &str = "sso_session_duration";

/// The exit status of "a sign-in is needed".
const NEEDS_LOGIN: u8 = 1;

/// `status`.
pub(crate) fn run(
    args: &StatusArgs,
    global: &GlobalArgs,
    resolved: &Resolved,
    context: &Context,
) -> Result<(), CliError> {
    let renderer = if args.prompt {
        None
    } else {
        Some(output::Renderer::new(global, resolved, context, "Status")?)
    };
    let targets = targets(args, resolved)?;
    let cache = context.cache()?;
    let now = context.clock.now();
    let mut reports = Vec::with_capacity(targets.len());
    for target in &targets {
        let mut report = Report::of(target, cache, now, resolved)?;
        if args.verify {
            report.verify(target, global, resolved, context);
        }
        reports.push(report);
    }
    match renderer {
        None => context.terminal.stdout(&prompt_line(&reports, now)),
        Some(renderer) => {
            let document = serde_json::json!({ "sessions": reports });
            output::emit(
                renderer
                    .single(&document)
                    .map_err(|partial| partial.error)?,
                context,
            )?;
        }
    }
    if reports.iter().all(Report::usable) {
        Ok(())
    } else {
        Err(CliError::Quiet(NEEDS_LOGIN))
    }
}

/// The sign-ins to report: the one asked for, else every configured one.
fn targets(args: &StatusArgs, resolved: &Resolved) -> Result<Vec<SsoTarget>, CliError> {
    if args.sso_session.is_some() || resolved.settings.profile_source.is_some() {
        return Ok(vec![resolved.sso_target(args.sso_session.as_deref())?]);
    }
    let config = &resolved.config;
    let mut targets: Vec<SsoTarget> = config
        .sso_session_names()
        .filter_map(|name| sso_config::resolve_sso_target(config, None, Some(name)).ok())
        .collect();
    for profile in config.profiles() {
        if profile.contains("sso_session") || !profile.contains("sso_start_url") {
            continue;
        }
        if let Ok(target) = sso_config::resolve_sso_target(config, Some(profile.name()), None)
            && !targets
                .iter()
                .any(|known| known.token_cache_key() == target.token_cache_key())
        {
            targets.push(target);
        }
    }
    if targets.is_empty() {
        return Err(CliError::configuration(format!(
            "{} has no [sso-session] section and no profile with sso_start_url: there is no sign-in to report. Add one (see the README's configuration example).",
            config.config_path().display()
        )));
    }
    Ok(targets)
}

/// What one sign-in looks like. Field order is the printed order.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    /// `sso-session NAME` or `profile NAME` (legacy).
    name: String,
    start_url: String,
    region: String,
    /// `valid`, `expiring` (valid, and refreshed on next use), `expired`, `absent`, `invalid`
    /// or, under `--verify`, `rejected`.
    status: &'static str,
    expires_at: Option<String>,
    can_refresh: bool,
    registration_expires_at: Option<String>,
    session_started_at: Option<String>,
    session_ends_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    verified: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    verify_error: Option<String>,
    #[serde(skip)]
    token: Option<CachedToken>,
    #[serde(skip)]
    horizon: Option<Timestamp>,
}

impl Report {
    fn of(
        target: &SsoTarget,
        cache: &Cache,
        now: Timestamp,
        resolved: &Resolved,
    ) -> Result<Self, CliError> {
        let key = token_key(target);
        let name = match target {
            SsoTarget::Session { session_name, .. } => format!("sso-session {session_name}"),
            SsoTarget::Legacy { profile_name, .. } => format!("profile {profile_name}"),
        };
        let loaded = cache.load_token(&key)?;
        // A corrupt file is missing with a warning; an incomplete token is invalid.
        let (token, unreadable) = match loaded.entry {
            Entry::Found(token) => (Some(token), false),
            Entry::Missing => (None, loaded.warning.is_some()),
            Entry::Invalid { .. } => (None, true),
        };
        let duration = session_duration(target, resolved)?;
        let started = cache
            .load_session_record(&key)?
            .filter(|record| record.start_url == target.start_url() && token.is_some());
        let ends = started.as_ref().map(|record| record.started_at + duration);
        // A refresh needs the refresh token and registration, and a portal session that has
        // not ended (when aws-sso knows when it began).
        let can_refresh = token.as_ref().is_some_and(|token| {
            refreshable(token, now, target.is_legacy()) && ends.is_none_or(|end| end > now)
        });
        let status = match &token {
            None if unreadable => "invalid",
            None => "absent",
            Some(token) => token_status(token, now, can_refresh),
        };
        let expires = token.as_ref().map(|token| token.expires_at);
        // How long this sign-in serves without a new login: the portal session when the token
        // refreshes itself, else the token.
        let horizon = if can_refresh { ends } else { expires };
        Ok(Self {
            name,
            start_url: target.start_url().to_owned(),
            region: target.region().to_owned(),
            status,
            expires_at: expires.map(format_timestamp),
            can_refresh,
            registration_expires_at: token
                .as_ref()
                .and_then(|token| token.registration_expires_at)
                .map(format_timestamp),
            session_started_at: started.map(|record| format_timestamp(record.started_at)),
            session_ends_at: ends.map(format_timestamp),
            verified: None,
            verify_error: None,
            token,
            horizon,
        })
    }

    fn usable(&self) -> bool {
        matches!(self.status, "valid" | "expiring" | "refreshable")
    }

    /// One ListAccounts call with the cached token, when it has not expired.
    fn verify(
        &mut self,
        target: &SsoTarget,
        global: &GlobalArgs,
        resolved: &Resolved,
        context: &Context,
    ) {
        let Some(token) = self
            .token
            .as_ref()
            .filter(|_| matches!(self.status, "valid" | "expiring"))
        else {
            self.verified = Some(false);
            self.verify_error = Some("no unexpired token to verify".to_owned());
            return;
        };
        let region = global.region.as_deref().unwrap_or(target.region());
        let result = resolved
            .portal_client(context, region, false)
            .map_err(CliError::from)
            .and_then(|portal| {
                portal
                    .list_accounts(&token.access_token, None, Some(1))
                    .map_err(CliError::from)
            });
        match result {
            Ok(_) => self.verified = Some(true),
            Err(error) => {
                if matches!(&error, CliError::Failure { code: Some(code), .. } if code == "UnauthorizedException")
                {
                    self.status = "rejected";
                }
                self.verified = Some(false);
                self.verify_error = Some(error.summary());
            }
        }
    }
}

/// The state of a cached token at `now`: `valid`; `expiring` when the next use refreshes it
/// (fewer than 15 minutes left); `refreshable` when it has expired but refreshes on next use;
/// else `expired`.
fn token_status(token: &CachedToken, now: Timestamp, can_refresh: bool) -> &'static str {
    let left = token.expires_at.duration_since(now);
    match (left > SignedDuration::ZERO, can_refresh) {
        (true, true) if left < sso_cache::ADVISORY_REFRESH_WINDOW => "expiring",
        (true, _) => "valid",
        (false, true) => "refreshable",
        (false, false) => "expired",
    }
}

/// Whether the token can be refreshed without a sign-in: an sso-session token with a refresh
/// token and a client registration that has not expired.
fn refreshable(token: &CachedToken, now: Timestamp, legacy: bool) -> bool {
    !legacy
        && token.refresh_token.is_some()
        && token.client_id.is_some()
        && token.client_secret.is_some()
        && token
            .registration_expires_at
            .is_none_or(|expires| expires > now)
}

/// `sso_session_duration` of the session section (or legacy profile): `8h`, `90m`, `2d`,
/// or seconds.
fn session_duration(target: &SsoTarget, resolved: &Resolved) -> Result<SignedDuration, CliError> {
    let (section, value) = match target {
        SsoTarget::Session { session_name, .. } => (
            format!("[sso-session {session_name}]"),
            resolved
                .config
                .sso_session(session_name)
                .and_then(|session| session.get(SESSION_DURATION_KEY)),
        ),
        SsoTarget::Legacy { profile_name, .. } => (
            format!("profile {profile_name}"),
            resolved
                .config
                .profile(profile_name)
                .and_then(|profile| profile.get(SESSION_DURATION_KEY)),
        ),
    };
    let Some(raw) = value.map(str::trim).filter(|raw| !raw.is_empty()) else {
        return Ok(DEFAULT_SESSION_DURATION);
    };
    parse_duration(raw).ok_or_else(|| {
        CliError::configuration(format!(
            "{SESSION_DURATION_KEY} = {raw} in {section} of {} is not a duration: write it as 8h, 90m, 2d or a number of seconds",
            resolved.config.config_path().display()
        ))
    })
}

fn parse_duration(raw: &str) -> Option<SignedDuration> {
    let (number, unit) = match raw.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((at, _)) => raw.split_at(at),
        None => (raw, "s"),
    };
    let number: i64 = number.parse().ok().filter(|n| *n > 0)?;
    let seconds = match unit.trim() {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return None,
    };
    Some(SignedDuration::from_secs(number.checked_mul(seconds)?))
}

/// `corp 3h12m  legacy-dev expired`: each sign-in and how long it serves without a login.
fn prompt_line(reports: &[Report], now: Timestamp) -> String {
    let parts: Vec<String> = reports
        .iter()
        .map(|report| {
            let name = report
                .name
                .split_once(' ')
                .map_or(report.name.as_str(), |(_, name)| name);
            let state = match (report.usable(), report.horizon) {
                (true, Some(until)) if until > now => remaining(until.duration_since(now)),
                // Refreshes by itself, but when the portal session ends is not known.
                (true, _) => "ok".to_owned(),
                (false, _) if report.status == "absent" => "signed-out".to_owned(),
                (false, _) => report.status.to_owned(),
            };
            format!("{name} {state}")
        })
        .collect();
    format!("{}\n", parts.join("  "))
}

/// `45m`, `3h12m`, `2d04h`.
fn remaining(left: SignedDuration) -> String {
    let minutes = left.as_secs().max(0) / 60;
    match (minutes / 1440, minutes % 1440 / 60, minutes % 60) {
        (0, 0, m) => format!("{m}m"),
        (0, h, m) => format!("{h}h{m:02}m"),
        (d, h, _) => format!("{d}d{h:02}h"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_units_or_as_seconds() {
        assert_eq!(parse_duration("8h"), Some(SignedDuration::from_hours(8)));
        assert_eq!(parse_duration("90m"), Some(SignedDuration::from_mins(90)));
        assert_eq!(parse_duration("2d"), Some(SignedDuration::from_hours(48)));
        assert_eq!(parse_duration("3600"), Some(SignedDuration::from_hours(1)));
        for bad in [
            "",
            "h",
            "0",
            "-5",
            "8 hours",
            "1.5h",
            "99999999999999999999",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn remaining_time_reads_like_a_clock() {
        assert_eq!(remaining(SignedDuration::from_secs(59)), "0m");
        assert_eq!(remaining(SignedDuration::from_mins(45)), "45m");
        assert_eq!(remaining(SignedDuration::from_mins(192)), "3h12m");
        assert_eq!(remaining(SignedDuration::from_hours(52)), "2d04h");
    }
}
