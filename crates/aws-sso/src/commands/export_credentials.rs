//! `export-credentials`: the profile's role credentials in the formats of `aws configure
//! export-credentials` (spec cli-behavior §8), for a `credential_process` or a shell.

use serde_json::{Map, Value};
use sso_cache::RoleCredentials;
use sso_core::env::vars;
use sso_core::python::json::Dumps;

use crate::Context;
use crate::cli::{CredentialFormat, ExportCredentialsArgs};
use crate::commands::credentials;
use crate::error::CliError;
use crate::settings::Resolved;

/// How many nested `export-credentials` runs the AWS CLI allows before refusing (its
/// `_MAX_RECURSION`).
const MAX_RECURSION: usize = 4;

/// `export-credentials`.
pub(crate) fn run(
    args: &ExportCredentialsArgs,
    resolved: &Resolved,
    context: &Context,
) -> Result<(), CliError> {
    check_recursion(
        &resolved.settings.profile_name,
        context
            .env
            .get(vars::AWS_CLI_PROFILE_CHAIN)
            .unwrap_or_default(),
    )?;
    let role = credentials::role_profile(resolved)?;
    let credentials = credentials::fetch(&role, resolved, context)?;
    context.terminal.stdout(&render(&credentials, args.format));
    Ok(())
}

/// The AWS CLI's guard against a `credential_process` that ends up running itself: the
/// profiles already being resolved are in `_AWS_CLI_PROFILE_CHAIN`.
fn check_recursion(profile: &str, chain: &str) -> Result<(), CliError> {
    let seen = parse_csv_row(chain);
    if seen.len() >= MAX_RECURSION {
        return Err(CliError::configuration(format!(
            "Maximum recursive credential process resolution reached ({MAX_RECURSION}).\nProfiles seen: {}",
            seen.join(" -> ")
        )));
    }
    if seen.iter().any(|p| p == profile) {
        return Err(CliError::configuration(format!(
            "Credential process resolution detected an infinite loop, profile cycle: {} -> {profile}",
            seen.join(" -> ")
        )));
    }
    Ok(())
}

/// One row of Python's `csv.reader` (excel dialect): `,` separates, `"` quotes, `""` is a
/// quote inside quotes. Written out because a CSV crate for one environment variable is more
/// than the job needs.
fn parse_csv_row(row: &str) -> Vec<String> {
    if row.is_empty() {
        return Vec::new();
    }
    let mut fields = vec![String::new()];
    let mut quoted = false;
    let mut chars = row.chars().peekable();
    while let Some(c) = chars.next() {
        let field = fields.last_mut().expect("there is always a current field");
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' if quoted => quoted = false,
            '"' if field.is_empty() => quoted = true,
            ',' if !quoted => fields.push(String::new()),
            other => field.push(other),
        }
    }
    fields
}

/// The output for `format`, byte for byte as the AWS CLI prints it.
fn render(credentials: &RoleCredentials, format: CredentialFormat) -> String {
    let expiration = credentials::iso_expiration(credentials.expiration);
    let values = [
        ("AWS_ACCESS_KEY_ID", credentials.access_key_id.as_str()),
        (
            "AWS_SECRET_ACCESS_KEY",
            credentials.secret_access_key.expose().as_str(),
        ),
        (
            "AWS_SESSION_TOKEN",
            credentials.session_token.expose().as_str(),
        ),
        ("AWS_CREDENTIAL_EXPIRATION", expiration.as_str()),
    ];
    let line = |name: &str, value: &str| match format {
        CredentialFormat::Process => String::new(),
        CredentialFormat::Env => format!("export {name}={value}\n"),
        CredentialFormat::EnvNoExport => format!("{name}={value}\n"),
        CredentialFormat::Powershell => format!("$Env:{name}=\"{value}\"\n"),
        CredentialFormat::WindowsCmd => format!("set {name}={value}\n"),
        CredentialFormat::Fish => format!("set -gx {name} \"{value}\"\n"),
    };
    if format != CredentialFormat::Process {
        return values
            .iter()
            .map(|(name, value)| line(name, value))
            .collect();
    }
    // `json.dumps(output, indent=2, separators=(',', ': '))` and a newline.
    let mut object = Map::new();
    object.insert("Version".into(), Value::from(1));
    object.insert("AccessKeyId".into(), values[0].1.into());
    object.insert("SecretAccessKey".into(), values[1].1.into());
    object.insert("SessionToken".into(), values[2].1.into());
    object.insert("Expiration".into(), values[3].1.into());
    format!("{}\n", Dumps::new().indent(2).dumps(&object))
}

#[cfg(test)]
mod tests {
    use sso_core::Secret;

    use super::*;

    fn credentials() -> RoleCredentials {
        RoleCredentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: Secret::new("secret/é".into()),
            session_token: Secret::new("token==".into()),
            expiration: "2026-12-03T13:00:00Z".parse().unwrap(),
            account_id: Some("111111111111".into()),
        }
    }

    /// Each expected text is what `aws configure export-credentials` 2.x prints for these
    /// values (its formatter classes, cli-behavior §8).
    #[test]
    fn every_format_matches_the_aws_cli() {
        let c = credentials();
        let exp = "2026-12-03T13:00:00+00:00";
        assert_eq!(
            render(&c, CredentialFormat::Process),
            format!(
                "{{\n  \"Version\": 1,\n  \"AccessKeyId\": \"ASIAEXAMPLE\",\n  \"SecretAccessKey\": \"secret/\\u00e9\",\n  \"SessionToken\": \"token==\",\n  \"Expiration\": \"{exp}\"\n}}\n"
            )
        );
        let lines = |template: &str| -> String {
            [
                ("AWS_ACCESS_KEY_ID", "ASIAEXAMPLE"),
                ("AWS_SECRET_ACCESS_KEY", "secret/é"),
                ("AWS_SESSION_TOKEN", "token=="),
                ("AWS_CREDENTIAL_EXPIRATION", exp),
            ]
            .iter()
            .map(|(n, v)| format!("{}\n", template.replace("NAME", n).replace("VALUE", v)))
            .collect()
        };
        assert_eq!(
            render(&c, CredentialFormat::Env),
            lines("export NAME=VALUE")
        );
        assert_eq!(
            render(&c, CredentialFormat::EnvNoExport),
            lines("NAME=VALUE")
        );
        assert_eq!(
            render(&c, CredentialFormat::Powershell),
            lines("$Env:NAME=\"VALUE\"")
        );
        assert_eq!(
            render(&c, CredentialFormat::WindowsCmd),
            lines("set NAME=VALUE")
        );
        assert_eq!(
            render(&c, CredentialFormat::Fish),
            lines("set -gx NAME \"VALUE\"")
        );
    }

    #[test]
    fn recursion_guard_matches_the_aws_cli() {
        assert!(check_recursion("dev", "").is_ok());
        assert!(check_recursion("dev", "a,b,c").is_ok());
        let message = |e: CliError| e.render(crate::error::ErrorFormat::Enhanced);
        let cycle = check_recursion("dev", "a,dev").unwrap_err();
        assert_eq!(cycle.exit_code(), 253);
        assert_eq!(
            message(cycle),
            "\naws: [ERROR]: An error occurred (Configuration): Credential process resolution detected an infinite loop, profile cycle: a -> dev -> dev\n"
        );
        let deep = check_recursion("e", "a,b,c,d").unwrap_err();
        assert_eq!(
            message(deep),
            "\naws: [ERROR]: An error occurred (Configuration): Maximum recursive credential process resolution reached (4).\nProfiles seen: a -> b -> c -> d\n"
        );
    }

    #[test]
    fn csv_rows_split_like_python() {
        assert_eq!(parse_csv_row(""), Vec::<String>::new());
        assert_eq!(parse_csv_row("a"), ["a"]);
        assert_eq!(parse_csv_row("a,,b,"), ["a", "", "b", ""]);
        assert_eq!(parse_csv_row(r#""x,y",z"#), ["x,y", "z"]);
        assert_eq!(parse_csv_row(r#""say ""hi""",q"#), ["say \"hi\"", "q"]);
    }
}
