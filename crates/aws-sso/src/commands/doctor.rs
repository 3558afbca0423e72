//! `doctor`: what in the config, the caches and the environment will make signing in or using
//! credentials fail or disappoint, one line per finding with its fix (issue 12).
//!
//! Nothing is sent anywhere. `--fix` applies the fixes that are safe to make unasked: moving
//! legacy profiles onto `[sso-session]` sections (one atomic edit of the config through the
//! lossless `ConfigDocument`, every other byte kept) and tightening cache permissions. Exit
//! status: 0 when nothing is wrong (notes about the environment do not count), 1 otherwise.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use sso_config::{ConfigDocument, SharedConfig, profile_section, section_header_of};
use sso_core::Env;

use crate::Context;
use crate::cli::DoctorArgs;
use crate::error::CliError;
use crate::settings::Resolved;

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Finding {
    problem: bool,
    text: String,
}

impl Finding {
    fn problem(text: String) -> Self {
        Self {
            problem: true,
            text,
        }
    }

    fn note(text: String) -> Self {
        Self {
            problem: false,
            text,
        }
    }
}

/// A legacy profile and the sso-session it can move to.
#[derive(Debug, Clone)]
struct Migration {
    profile: String,
    session: String,
    start_url: String,
    region: String,
    /// Whether `[sso-session NAME]` has to be written (otherwise an existing one is reused).
    new_session: bool,
}

/// `doctor`.
pub(crate) fn run(
    args: &DoctorArgs,
    resolved: &Resolved,
    context: &Context,
) -> Result<(), CliError> {
    let config = &resolved.config;
    let path = config.config_path().to_owned();
    let text = sso_config::writer::read(&path)?;
    let document = ConfigDocument::parse(&text);
    let shown = shown_path(&path, &context.env);

    let mut findings = Vec::new();
    let migrations = legacy_profiles(config);
    for migration in &migrations {
        findings.push(Finding::problem(legacy_finding(
            migration, &document, &shown,
        )));
    }
    findings.extend(session_findings(config, &document, &shown));
    findings.extend(token_findings(context));
    let (mode_findings, loose) = mode_findings(context, &path);
    findings.extend(mode_findings);
    findings.extend(transport_findings(resolved, context));
    findings.extend(context_notes(&context.env));

    let mut fixed = Vec::new();
    let mut fixed_count = 0;
    if args.fix {
        if !migrations.is_empty() {
            sso_config::writer::edit(&path, |document| {
                apply_migrations(document, &migrations, &path)
            })?;
            fixed_count += migrations.len();
            for migration in &migrations {
                fixed.push(format!(
                    "fixed: [profile {}] now uses [sso-session {}]; sign in once with `aws-sso login --sso-session {}` for tokens that refresh themselves",
                    migration.profile, migration.session, migration.session
                ));
            }
        }
        for (path, mode) in &loose {
            use std::os::unix::fs::PermissionsExt as _;
            match std::fs::set_permissions(path, std::fs::Permissions::from_mode(*mode)) {
                Ok(()) => {
                    fixed_count += 1;
                    fixed.push(format!(
                        "fixed: {} is now {mode:o}",
                        shown_path(path, &context.env)
                    ));
                }
                Err(error) => fixed.push(format!(
                    "could not fix {}: {error}",
                    shown_path(path, &context.env)
                )),
            }
        }
    }

    let mut out = String::new();
    for finding in &findings {
        let label = if finding.problem { "problem" } else { "note" };
        let _ = writeln!(out, "{label}: {}", finding.text);
    }
    for line in &fixed {
        let _ = writeln!(out, "{line}");
    }
    let problems = findings.iter().filter(|f| f.problem).count() - fixed_count;
    let notes = findings.len() - findings.iter().filter(|f| f.problem).count();
    let _ = writeln!(out, "{}", summary(problems, notes, args.fix));
    context.terminal.stdout(&out);
    if problems > 0 {
        return Err(CliError::Quiet(1));
    }
    Ok(())
}

fn summary(problems: usize, notes: usize, fixed: bool) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (problems, fixed) {
        (0, _) if notes == 0 => "No problems found.".to_owned(),
        (0, _) => format!("No problems found ({}).", plural(notes, "note")),
        (n, false) => format!(
            "{} found; `aws-sso doctor --fix` fixes the legacy profiles and file permissions.",
            plural(n, "problem")
        ),
        (n, true) => format!("{} left to fix by hand.", plural(n, "problem")),
    }
}

/// `~/…` for paths under HOME, as people write them.
fn shown_path(path: &Path, env: &Env) -> String {
    if let Some(home) = env.non_empty(sso_core::env::vars::HOME)
        && let Ok(rest) = path.strip_prefix(home)
    {
        return format!("~/{}", rest.display());
    }
    path.display().to_string()
}

/// Where `[section]` is, for messages.
fn at(document: &ConfigDocument, shown: &str, section: &str) -> String {
    match document.header_line(section) {
        Some(line) => format!("{shown} line {line}, [{section}]"),
        None => format!("{shown}, [{section}]"),
    }
}

/// The header text of profile `name` as it is in the file (`[default]` or `[profile default]`).
fn profile_header(document: &ConfigDocument, name: &str) -> String {
    let section = profile_section(name);
    if name == "default" && !document.has_section(&section) {
        return "profile default".to_owned();
    }
    section
}

/// Every legacy SSO profile (start URL and region in the profile, no sso_session), with the
/// session it should use: an existing one with the same start URL and region, else a new one
/// named after the start URL's host.
fn legacy_profiles(config: &SharedConfig) -> Vec<Migration> {
    let mut planned: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut taken: Vec<String> = config.sso_session_names().map(str::to_owned).collect();
    let mut migrations = Vec::new();
    for profile in config.profiles() {
        if profile.contains("sso_session") {
            continue;
        }
        let (Some(start_url), Some(region)) =
            (profile.get("sso_start_url"), profile.get("sso_region"))
        else {
            continue;
        };
        let key = (start_url.to_owned(), region.to_owned());
        let existing = config.sso_sessions().find(|session| {
            session.get("sso_start_url") == Some(start_url)
                && session.get("sso_region") == Some(region)
        });
        let (session, new_session) = match (existing, planned.get(&key)) {
            (Some(session), _) => (session.name().to_owned(), false),
            (None, Some(name)) => (name.clone(), false),
            (None, None) => {
                let base = session_name_for(start_url);
                let mut name = base.clone();
                let mut n = 2;
                while taken.contains(&name) {
                    name = format!("{base}-{n}");
                    n += 1;
                }
                taken.push(name.clone());
                planned.insert(key, name.clone());
                (name, true)
            }
        };
        migrations.push(Migration {
            profile: profile.name().to_owned(),
            session,
            start_url: start_url.to_owned(),
            region: region.to_owned(),
            new_session,
        });
    }
    migrations
}

/// `https://d-1234567890.awsapps.com/start` → `d-1234567890`; `https://sso.corp.example` →
/// `sso`.
fn session_name_for(start_url: &str) -> String {
    let host = start_url
        .split_once("://")
        .map_or(start_url, |(_, rest)| rest)
        .split(['/', ':', '?', '#'])
        .next()
        .unwrap_or_default();
    let label: String = host
        .split('.')
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    if label.is_empty() {
        "sso".to_owned()
    } else {
        label
    }
}

fn legacy_finding(migration: &Migration, document: &ConfigDocument, shown: &str) -> String {
    let section = profile_header(document, &migration.profile);
    let session = if migration.new_session {
        format!(
            "add [{}] with sso_start_url = {}, sso_region = {}, sso_registration_scopes = sso:account:access, and",
            section_header_of("sso-session", &migration.session),
            migration.start_url,
            migration.region
        )
    } else {
        format!("use the existing [sso-session {}]:", migration.session)
    };
    format!(
        "{}: legacy SSO settings (sso_start_url and sso_region in the profile) give tokens that never refresh, so a new sign-in every 8 hours. Fix: {session} in [{section}] replace sso_start_url and sso_region with sso_session = {} (`aws-sso doctor --fix` does exactly this)",
        at(document, shown, &section),
        migration.session
    )
}

fn apply_migrations(
    document: &mut ConfigDocument,
    migrations: &[Migration],
    path: &Path,
) -> Result<(), sso_config::writer::WriteError> {
    let edit = &sso_config::writer::WriteError::edit(path);
    for migration in migrations {
        let section = profile_header(document, &migration.profile);
        if !document
            .rename_key(&section, "sso_start_url", "sso_session", &migration.session)
            .map_err(edit)?
        {
            continue;
        }
        document.remove_keys(&section, &["sso_region"]);
        if migration.new_session {
            let header = section_header_of("sso-session", &migration.session);
            if !document.has_section(&header) {
                document
                    .update_section(
                        &header,
                        &[
                            ("sso_start_url", &migration.start_url),
                            ("sso_region", &migration.region),
                            ("sso_registration_scopes", "sso:account:access"),
                        ],
                    )
                    .map_err(edit)?;
            }
        }
    }
    Ok(())
}

/// Sessions and profiles that point at nothing, lack a region, share a start URL, or use a
/// vanity start URL.
fn session_findings(config: &SharedConfig, document: &ConfigDocument, shown: &str) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut by_url: BTreeMap<(&str, Option<&str>), Vec<&str>> = BTreeMap::new();
    for session in config.sso_sessions() {
        let section = section_header_of("sso-session", session.name());
        let here = at(document, shown, &section);
        match session.get("sso_start_url") {
            None => findings.push(Finding::problem(format!(
                "{here}: no sso_start_url, so nothing can sign in with it. Fix: add sso_start_url = https://…/start (your AWS access portal URL)"
            ))),
            Some(url) => {
                by_url.entry((url, session.get("sso_region"))).or_default().push(session.name());
                if !is_aws_owned(url) {
                    findings.push(Finding::note(format!(
                        "{here}: {url} is a vanity start URL. aws-sso and AWS CLI v2 (2.35.13 and later) resolve it with one extra request per sign-in, but older AWS CLIs and the SDKs send it as is; if they fail to sign in, set sso_start_url to the https://….awsapps.com/start address it redirects to"
                    )));
                }
            }
        }
        if session.get("sso_region").is_none() {
            findings.push(Finding::problem(format!(
                "{here}: no sso_region. Fix: add sso_region = REGION (the region of your IAM Identity Center, shown in its settings)"
            )));
        }
    }
    for ((url, _), sessions) in &by_url {
        if sessions.len() > 1 {
            findings.push(Finding::problem(format!(
                "{shown}: [sso-session {}] all use {url}, so each signs in and caches a token separately. Fix: keep one and point the profiles of the others at it with sso_session",
                sessions.join("], [sso-session ")
            )));
        }
    }
    for profile in config.profiles() {
        let section = profile_header(document, profile.name());
        match profile.get("sso_session") {
            Some(name) if config.sso_session(name).is_none() => findings.push(Finding::problem(format!(
                "{}: sso_session = {name}, but there is no [sso-session {name}]. Fix: add that section (`aws-sso configure sso-session --sso-session {name}`) or correct the name",
                at(document, shown, &section)
            ))),
            Some(_) => {}
            None => {
                let url = profile.get("sso_start_url");
                let region = profile.get("sso_region");
                if url.is_some() != region.is_some() {
                    let missing = if url.is_none() { "sso_start_url" } else { "sso_region" };
                    findings.push(Finding::problem(format!(
                        "{}: legacy SSO settings without {missing}. Fix: add {missing}, or better, move the profile to an sso-session (`aws-sso configure sso --profile {}`)",
                        at(document, shown, &section),
                        profile.name()
                    )));
                }
            }
        }
    }
    findings
}

fn is_aws_owned(url: &str) -> bool {
    sso_auth::start_url::is_aws_owned_url(url)
}

/// Token files whose timestamps other SDKs cannot read (cli-behavior §11: the Rust SDK takes
/// only `…Z`).
fn token_findings(context: &Context) -> Vec<Finding> {
    let Ok(cache) = context.cache() else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir(cache.sso_cache_dir()) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries.filter_map(|e| Some(e.ok()?.path())).collect();
    files.sort();
    let mut findings = Vec::new();
    for path in files {
        if path.extension().is_none_or(|ext| ext != "json") {
            continue;
        }
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        let Ok(serde_json::Value::Object(object)) =
            serde_json::from_slice::<serde_json::Value>(&bytes)
        else {
            continue;
        };
        if !object.contains_key("accessToken") {
            continue;
        }
        let who = object
            .get("startUrl")
            .and_then(|v| v.as_str())
            .unwrap_or("an unknown start URL");
        for key in ["expiresAt", "registrationExpiresAt"] {
            let Some(value) = object.get(key).and_then(|v| v.as_str()) else {
                continue;
            };
            if !value.ends_with('Z') || sso_cache::parse_timestamp(value).is_none() {
                findings.push(Finding::problem(format!(
                    "{} (the token for {who}): {key} is {value:?}, which the AWS SDKs for Rust, Go and JavaScript cannot read (they take only UTC times ending in Z), so they ignore the sign-in. Fix: sign in again with aws-sso login, which writes …Z times",
                    shown_path(&path, &context.env)
                )));
            }
        }
    }
    findings
}

/// Cache directories and files others can read, and a config others can write. Returns the
/// findings and what `--fix` would chmod.
fn mode_findings(context: &Context, config: &Path) -> (Vec<Finding>, Vec<(PathBuf, u32)>) {
    use std::os::unix::fs::PermissionsExt as _;
    let mut findings = Vec::new();
    let mut loose = Vec::new();
    let mut check = |path: &Path, want: u32, what: &str| {
        let Ok(metadata) = std::fs::metadata(path) else {
            return;
        };
        let mode = metadata.permissions().mode() & 0o777;
        if mode & !want != 0 {
            findings.push(Finding::problem(format!(
                "{} is {mode:o}: {what}. Fix: chmod {want:o} {}",
                shown_path(path, &context.env),
                shown_path(path, &context.env)
            )));
            loose.push((path.to_owned(), want));
        }
    };
    if let Ok(cache) = context.cache() {
        for dir in [cache.sso_cache_dir(), cache.cli_cache_dir()] {
            check(
                dir,
                0o700,
                "other users can list the cached tokens and credentials",
            );
            if let Ok(entries) = std::fs::read_dir(dir) {
                let mut files: Vec<PathBuf> =
                    entries.filter_map(|e| Some(e.ok()?.path())).collect();
                files.sort();
                for file in files
                    .iter()
                    .filter(|f| f.extension().is_some_and(|e| e == "json"))
                {
                    check(
                        file,
                        0o600,
                        "other users can read the token or credentials in it",
                    );
                }
            }
        }
    }
    if let Ok(metadata) = std::fs::metadata(config) {
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o022 != 0 {
            findings.push(Finding::problem(format!(
                "{} is {mode:o}: other users can change where you sign in. Fix: chmod go-w {}",
                shown_path(config, &context.env),
                shown_path(config, &context.env)
            )));
            loose.push((config.to_owned(), mode & !0o022));
        }
    }
    (findings, loose)
}

/// A CA bundle that cannot verify anything, and proxy settings the transport cannot use.
fn transport_findings(resolved: &Resolved, context: &Context) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let Some(bundle) = &resolved.settings.ca_bundle {
        let problem = match std::fs::read(bundle) {
            Err(error) => Some(format!("cannot be read ({error})")),
            Ok(bytes)
                if !String::from_utf8_lossy(&bytes).contains("-----BEGIN CERTIFICATE-----") =>
            {
                Some("has no PEM certificate (-----BEGIN CERTIFICATE-----) in it".to_owned())
            }
            Ok(_) => None,
        };
        if let Some(problem) = problem {
            findings.push(Finding::problem(format!(
                "the CA bundle {} (from --ca-bundle, AWS_CA_BUNDLE or ca_bundle) {problem}, so every HTTPS request will fail. Fix: point it at a PEM file of your CA certificates, or unset it",
                bundle.display()
            )));
        }
    }
    let proxies = sso_client::Proxies::from_env(&context.env);
    if let Some(proxy) = proxies.proxy_for("https://oidc.us-east-1.amazonaws.com/") {
        let masked = sso_client::transport::mask_proxy_url(&proxy);
        let scheme = proxy
            .split_once("://")
            .map_or("", |(s, _)| s)
            .to_ascii_lowercase();
        let host = proxy
            .split_once("://")
            .map_or("", |(_, rest)| rest)
            .rsplit('@')
            .next()
            .unwrap_or_default()
            .split('/')
            .next()
            .unwrap_or_default();
        let problem = if !matches!(scheme.as_str(), "http" | "https") {
            Some(format!(
                "its scheme {scheme}:// is not supported (use an http:// or https:// proxy)"
            ))
        } else if host.is_empty() {
            Some("it names no host".to_owned())
        } else {
            None
        };
        if let Some(problem) = problem {
            findings.push(Finding::problem(format!(
                "the HTTPS proxy {masked} (from https_proxy, HTTPS_PROXY or ALL_PROXY) cannot work: {problem}. Fix: correct or unset it"
            )));
        }
    }
    findings
}

/// Where aws-sso runs, and which sign-in works there.
fn context_notes(env: &Env) -> Vec<Finding> {
    use sso_core::env::vars;
    let mut notes = Vec::new();
    if env.non_empty(vars::SSH_CONNECTION).is_some() {
        notes.push(Finding::note(
            "this is an SSH session: the browser of a PKCE sign-in must reach 127.0.0.1 on this machine. Use `aws-sso login --use-device-code` (or sso_use_device_code = true in the [sso-session]), or a fixed port (--redirect-port N / sso_redirect_port) with `ssh -L N:127.0.0.1:N`, or paste the address the browser ends on back into the terminal".to_owned(),
        ));
    }
    if env.non_empty(vars::WSL_DISTRO_NAME).is_some() {
        notes.push(Finding::note(
            "this is WSL: the Windows browser opens the sign-in page (set BROWSER=wslview if it does not) and reaches 127.0.0.1 here through WSL's localhost forwarding; if that is off, use `aws-sso login --use-device-code`".to_owned(),
        ));
    }
    if Path::new("/.dockerenv").exists() || Path::new("/run/.containerenv").exists() {
        notes.push(Finding::note(
            "this is a container: no browser can be opened here. Use `aws-sso login --use-device-code` and open the URL on any device, or mount ~/.aws/sso/cache from a machine that is signed in".to_owned(),
        ));
    } else if cfg!(target_os = "linux")
        && env.non_empty(vars::DISPLAY).is_none()
        && env.non_empty(vars::WAYLAND_DISPLAY).is_none()
        && env.non_empty(vars::BROWSER).is_none()
        && env.non_empty(vars::WSL_DISTRO_NAME).is_none()
    {
        notes.push(Finding::note(
            "there is no display (DISPLAY, WAYLAND_DISPLAY) and no BROWSER: sign-ins print their URL to open elsewhere; `--use-device-code` lets any device finish them".to_owned(),
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_are_named_after_the_start_urls_host() {
        assert_eq!(
            session_name_for("https://d-1234567890.awsapps.com/start"),
            "d-1234567890"
        );
        assert_eq!(
            session_name_for("https://my-corp.awsapps.com/start#/"),
            "my-corp"
        );
        assert_eq!(session_name_for("https://sso.corp.example:8443/x"), "sso");
        assert_eq!(session_name_for("not a url"), "notaurl");
    }

    #[test]
    fn the_summary_counts() {
        assert_eq!(summary(0, 0, false), "No problems found.");
        assert_eq!(summary(0, 1, false), "No problems found (1 note).");
        assert_eq!(
            summary(2, 0, false),
            "2 problems found; `aws-sso doctor --fix` fixes the legacy profiles and file permissions."
        );
        assert_eq!(summary(1, 0, true), "1 problem left to fix by hand.");
    }
}
