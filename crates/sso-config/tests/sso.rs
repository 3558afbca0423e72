//! `aws sso login` target resolution and the credential provider's validation, with the AWS
//! CLI's messages word for word (cli-behavior §1.4).

use std::path::Path;

use sso_config::{
    ConfigError, RoleProfile, SharedConfig, SsoTarget, parse_registration_scopes,
    resolve_role_profile, resolve_sso_target,
};
use sso_core::ExitClass;

fn config(text: &str) -> SharedConfig {
    SharedConfig::parse(
        text,
        Path::new("/h/.aws/config"),
        "",
        Path::new("/h/.aws/credentials"),
    )
    .unwrap()
}

const LOGIN: &str = "\
[default]
sso_start_url = https://d-default.awsapps.com/start
sso_region = us-east-1
[profile legacy]
sso_start_url = https://d-legacy.awsapps.com/start
sso_region = eu-west-1
sso_registration_scopes = ignored:for-legacy
[profile session]
sso_session = corp
sso_start_url = https://ignored-by-login.example
[profile scopes-empty]
sso_session = empty-scopes
[profile no-scopes]
sso_session = no-scopes
[profile missing-both]
region = us-east-1
[profile missing-region]
sso_start_url = https://d-x.awsapps.com/start
[profile empty-start-url]
sso_start_url =
sso_region = us-east-1
[profile empty-session-key]
sso_session =
sso_start_url = https://d-legacy.awsapps.com/start
sso_region = eu-west-1
[profile dangling]
sso_session = nope
[profile http]
sso_start_url = http://d-x.awsapps.com/start
sso_region = us-east-1
[profile no-host]
sso_start_url = https:///start
sso_region = us-east-1
[profile no-scheme]
sso_start_url = d-x.awsapps.com/start
sso_region = us-east-1
[profile upper-scheme]
sso_start_url = HTTPS://d-x.awsapps.com/start
sso_region = us-east-1
[profile session-missing-region]
sso_session = no-region
[profile session-missing-both]
sso_session = bare
[sso-session corp]
sso_start_url = https://d-corp.awsapps.com/start
sso_region = us-west-2
sso_registration_scopes = sso:account:access, ,codewhisperer:completions ,
[sso-session empty-scopes]
sso_start_url = https://d-corp.awsapps.com/start
sso_region = us-west-2
sso_registration_scopes =
[sso-session no-scopes]
sso_start_url = https://d-corp.awsapps.com/start
sso_region = us-west-2
[sso-session no-region]
sso_start_url = https://d-corp.awsapps.com/start
[sso-session bare]
other = 1
";

fn login(profile: Option<&str>, flag: Option<&str>) -> Result<SsoTarget, ConfigError> {
    resolve_sso_target(&config(LOGIN), profile, flag)
}

#[test]
fn login_targets() {
    let legacy = login(Some("legacy"), None).unwrap();
    assert_eq!(
        legacy,
        SsoTarget::Legacy {
            profile_name: "legacy".into(),
            start_url: "https://d-legacy.awsapps.com/start".into(),
            region: "eu-west-1".into(),
        }
    );
    assert!(legacy.is_legacy());
    assert_eq!(legacy.session_name(), None);
    assert_eq!(legacy.registration_scopes(), None);
    assert_eq!(
        legacy.token_cache_key(),
        "https://d-legacy.awsapps.com/start"
    );

    let default = login(None, None).unwrap();
    assert_eq!(default.start_url(), "https://d-default.awsapps.com/start");
    assert_eq!(default.region(), "us-east-1");

    // The session's values win over keys repeated in the profile (login does not compare).
    let session = login(Some("session"), None).unwrap();
    assert_eq!(
        session,
        SsoTarget::Session {
            session_name: "corp".into(),
            start_url: "https://d-corp.awsapps.com/start".into(),
            region: "us-west-2".into(),
            registration_scopes: Some(vec![
                "sso:account:access".into(),
                "codewhisperer:completions".into()
            ]),
        }
    );
    assert!(!session.is_legacy());
    assert_eq!(session.session_name(), Some("corp"));
    assert_eq!(session.token_cache_key(), "corp");

    assert_eq!(
        login(Some("scopes-empty"), None)
            .unwrap()
            .registration_scopes(),
        Some(&[][..])
    );
    assert_eq!(
        login(Some("no-scopes"), None)
            .unwrap()
            .registration_scopes(),
        None
    );

    // --sso-session wins over the profile, and needs no profile at all.
    let flagged = login(Some("legacy"), Some("no-scopes")).unwrap();
    assert_eq!(flagged.session_name(), Some("no-scopes"));
    let flagged = login(Some("does-not-exist"), Some("corp")).unwrap();
    assert_eq!(flagged.session_name(), Some("corp"));

    // An empty session name, from the flag or the profile, means legacy mode.
    let empty_flag = login(Some("legacy"), Some("")).unwrap();
    assert!(empty_flag.is_legacy());
    assert_eq!(empty_flag.region(), "eu-west-1");
    assert!(login(Some("empty-session-key"), None).unwrap().is_legacy());

    // The scheme check is case-insensitive, as urlparse lower-cases schemes.
    assert_eq!(
        login(Some("upper-scheme"), None).unwrap().start_url(),
        "HTTPS://d-x.awsapps.com/start"
    );
}

#[test]
fn login_errors() {
    let legacy_hint = " To make sure this profile is properly configured to use SSO, please run: aws configure sso";
    let cases: &[(Option<&str>, Option<&str>, String)] = &[
        (
            Some("missing-both"),
            None,
            format!(
                "Missing the following required SSO configuration values: sso_start_url, sso_region.{legacy_hint}"
            ),
        ),
        (
            Some("missing-region"),
            None,
            format!(
                "Missing the following required SSO configuration values: sso_region.{legacy_hint}"
            ),
        ),
        // A profile that does not exist behaves as an empty one.
        (
            Some("absent"),
            None,
            format!(
                "Missing the following required SSO configuration values: sso_start_url, sso_region.{legacy_hint}"
            ),
        ),
        (
            Some("session-missing-region"),
            None,
            "Missing the following required SSO configuration values: sso_region.".into(),
        ),
        (
            Some("session-missing-both"),
            None,
            "Missing the following required SSO configuration values: sso_start_url, sso_region."
                .into(),
        ),
        (
            Some("dangling"),
            None,
            "The specified sso-session does not exist: \"nope\"".into(),
        ),
        (
            Some("legacy"),
            Some("nope2"),
            "The specified sso-session does not exist: \"nope2\"".into(),
        ),
        (
            Some("http"),
            None,
            "The sso_start_url must use the https scheme.".into(),
        ),
        (
            Some("no-scheme"),
            None,
            "The sso_start_url must use the https scheme.".into(),
        ),
        // Present but empty counts as present, then fails the scheme check.
        (
            Some("empty-start-url"),
            None,
            "The sso_start_url must use the https scheme.".into(),
        ),
        (
            Some("no-host"),
            None,
            "Invalid sso_start_url: 'https:///start'".into(),
        ),
    ];
    for (profile, flag, message) in cases {
        let error = login(*profile, *flag).unwrap_err();
        assert_eq!(error.to_string(), *message, "{profile:?} {flag:?}");
        assert_eq!(error.exit_class(), ExitClass::Configuration);
        assert_eq!(error.exit_class().code(), 253);
        assert_eq!(error.aws_code(), Some("Configuration"));
    }
}

#[test]
fn scopes_are_split_trimmed_and_filtered() {
    assert_eq!(
        parse_registration_scopes(" a , b,,c ,\t"),
        vec!["a".to_owned(), "b".into(), "c".into()]
    );
    assert!(parse_registration_scopes("").is_empty());
    assert!(parse_registration_scopes(" , ").is_empty());
}

const ROLES: &str = "\
[profile legacy]
sso_start_url = https://d-legacy.awsapps.com/start
sso_region = eu-west-1
sso_account_id = 111122223333
sso_role_name = ReadOnly
[profile session]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = Admin
[profile session-repeats]
sso_session = corp
sso_start_url = https://d-corp.awsapps.com/start
sso_region = us-west-2
sso_account_id = 1
sso_role_name = R
[profile mismatch]
sso_session = corp
sso_region = us-east-1
sso_account_id = 1
sso_role_name = R
[profile only-account]
sso_account_id = 111122223333
[profile only-role]
sso_role_name = R
sso_start_url = https://x
[profile not-sso]
region = us-east-1
[profile dangling]
sso_session = nope
sso_account_id = 1
[profile empty-session-name]
sso_session =
sso_role_name = R
[profile token-missing-region]
sso_session = no-region
sso_region = us-east-1
sso_account_id = 1
sso_role_name = R
[profile cred-missing-region]
sso_session = no-region
sso_account_id = 1
sso_role_name = R
[profile empty-session]
sso_session = empty
sso_start_url = https://x
sso_region = us-east-1
sso_account_id = 1
sso_role_name = R
[profile empty-session-incomplete]
sso_session = empty
sso_account_id = 1
sso_role_name = R
[sso-session corp]
sso_start_url = https://d-corp.awsapps.com/start
sso_region = us-west-2
sso_registration_scopes = sso:account:access
[sso-session no-region]
sso_start_url = https://d-corp.awsapps.com/start
[sso-session empty]
";

fn role(profile: &str) -> Result<RoleProfile, ConfigError> {
    resolve_role_profile(&config(ROLES), profile)
}

#[test]
fn role_profiles() {
    assert_eq!(
        role("legacy").unwrap(),
        RoleProfile {
            profile_name: "legacy".into(),
            account_id: "111122223333".into(),
            role_name: "ReadOnly".into(),
            target: SsoTarget::Legacy {
                profile_name: "legacy".into(),
                start_url: "https://d-legacy.awsapps.com/start".into(),
                region: "eu-west-1".into(),
            },
        }
    );
    assert_eq!(
        role("session").unwrap(),
        RoleProfile {
            profile_name: "session".into(),
            account_id: "111122223333".into(),
            role_name: "Admin".into(),
            target: SsoTarget::Session {
                session_name: "corp".into(),
                start_url: "https://d-corp.awsapps.com/start".into(),
                region: "us-west-2".into(),
                registration_scopes: Some(vec!["sso:account:access".into()]),
            },
        }
    );
    // Equal repeated values are fine.
    assert_eq!(
        role("session-repeats").unwrap().target.session_name(),
        Some("corp")
    );
}

#[test]
fn role_profile_from_credentials_file() {
    let config = SharedConfig::parse(
        "[profile dev]\nregion = us-east-1\n",
        Path::new("/c"),
        "[dev]\nsso_account_id = 1\nsso_role_name = R\nsso_start_url = https://s\nsso_region = eu-west-1\n",
        Path::new("/k"),
    )
    .unwrap();
    let resolved = resolve_role_profile(&config, "dev").unwrap();
    assert_eq!(resolved.role_name, "R");
    assert_eq!(resolved.target.region(), "eu-west-1");
}

#[test]
fn role_profile_errors() {
    // (profile, message, exit class, from the credential provider (not the token provider))
    let cases: &[(&str, &str, ExitClass, bool)] = &[
        (
            "only-account",
            "The profile \"only-account\" is configured to use SSO but is missing required configuration: sso_role_name, sso_start_url, sso_region",
            ExitClass::General,
            true,
        ),
        (
            "only-role",
            "The profile \"only-role\" is configured to use SSO but is missing required configuration: sso_account_id, sso_region",
            ExitClass::General,
            true,
        ),
        (
            "dangling",
            "The specified sso-session does not exist: \"nope\"",
            ExitClass::General,
            true,
        ),
        (
            "empty-session-name",
            "The specified sso-session does not exist: \"\"",
            ExitClass::General,
            true,
        ),
        (
            "mismatch",
            "The value for sso_region is inconsistent between profile (us-east-1) and sso-session (us-west-2).",
            ExitClass::General,
            true,
        ),
        (
            "cred-missing-region",
            "The profile \"cred-missing-region\" is configured to use SSO but is missing required configuration: sso_region",
            ExitClass::General,
            true,
        ),
        (
            "token-missing-region",
            "The profile \"token-missing-region\" is configured to use the SSO token provider but is missing the following configuration: ['sso_region'].",
            ExitClass::General,
            false,
        ),
        (
            "empty-session",
            "The profile \"empty-session\" is configured to use the SSO token provider but the \"empty\" sso_session configuration does not exist.",
            ExitClass::General,
            false,
        ),
        (
            "empty-session-incomplete",
            "The profile \"empty-session-incomplete\" is configured to use SSO but is missing required configuration: sso_start_url, sso_region",
            ExitClass::General,
            true,
        ),
        (
            "not-sso",
            "The profile \"not-sso\" is not configured to use SSO: it sets neither sso_account_id nor sso_role_name",
            ExitClass::Configuration,
            false,
        ),
        (
            "absent",
            "The profile \"absent\" is not configured to use SSO: it sets neither sso_account_id nor sso_role_name",
            ExitClass::Configuration,
            false,
        ),
    ];
    for (profile, message, class, credential_provider) in cases {
        let error = role(profile).unwrap_err();
        assert_eq!(error.to_string(), *message, "{profile}");
        assert_eq!(error.exit_class(), *class, "{profile}");
        assert_eq!(error.aws_code(), None, "{profile}");
        assert_eq!(
            error.is_credential_provider_error(),
            *credential_provider,
            "{profile}"
        );
    }
}

#[test]
fn token_provider_lists_both_missing_keys_like_python() {
    let config = config(
        "[profile p]\nsso_session = s\nsso_start_url = https://x\nsso_region = r\nsso_account_id = 1\nsso_role_name = R\n[sso-session s]\nother = 1\n",
    );
    let error = resolve_role_profile(&config, "p").unwrap_err();
    assert_eq!(
        error.to_string(),
        "The profile \"p\" is configured to use the SSO token provider but is missing the following configuration: ['sso_start_url', 'sso_region']."
    );
}
