//! Precedence of every global setting (flag → environment → profile → default) and endpoint
//! resolution, with exact values and messages.
#![expect(
    clippy::type_complexity,
    reason = "table rows are plain tuples of flag, environment and expected values"
)]

use std::path::Path;
use std::time::Duration;

use sso_config::{ConfigError, EndpointSource, Overrides, Service, Settings, SharedConfig, Source};
use sso_core::{Env, ErrorFormat, ExitClass, OutputFormat, RetryMode};

fn config(text: &str) -> SharedConfig {
    SharedConfig::parse(
        text,
        Path::new("/h/.aws/config"),
        "",
        Path::new("/h/.aws/credentials"),
    )
    .unwrap()
}

fn env(pairs: &[(&str, &str)]) -> Env {
    Env::from_pairs(pairs.iter().copied())
}

fn resolve(text: &str, vars: &[(&str, &str)], overrides: Overrides<'_>) -> Settings {
    Settings::resolve(&config(text), &env(vars), &overrides).unwrap()
}

fn resolve_err(text: &str, vars: &[(&str, &str)], overrides: Overrides<'_>) -> ConfigError {
    Settings::resolve(&config(text), &env(vars), &overrides).unwrap_err()
}

const PROFILES: &str = "\
[default]
region = default-region
[profile a]
region = a-region
[profile b]
region = b-region
[profile c]
region = c-region
";

#[test]
fn profile_selection() {
    // (flag, AWS_PROFILE, AWS_DEFAULT_PROFILE, expected name, expected source)
    let cases: &[(
        Option<&str>,
        Option<&str>,
        Option<&str>,
        &str,
        Option<Source>,
    )] = &[
        (None, None, None, "default", None),
        (
            None,
            None,
            Some("b"),
            "b",
            Some(Source::Env("AWS_DEFAULT_PROFILE")),
        ),
        (
            None,
            Some("a"),
            Some("b"),
            "a",
            Some(Source::Env("AWS_PROFILE")),
        ),
        (
            Some("c"),
            Some("a"),
            Some("b"),
            "c",
            Some(Source::Flag("--profile")),
        ),
        (
            Some("default"),
            None,
            None,
            "default",
            Some(Source::Flag("--profile")),
        ),
    ];
    for (flag, profile, default_profile, name, source) in cases {
        let mut vars = Vec::new();
        if let Some(p) = profile {
            vars.push(("AWS_PROFILE", *p));
        }
        if let Some(p) = default_profile {
            vars.push(("AWS_DEFAULT_PROFILE", *p));
        }
        let settings = resolve(
            PROFILES,
            &vars,
            Overrides {
                profile: *flag,
                ..Overrides::default()
            },
        );
        assert_eq!(settings.profile_name, *name, "{flag:?} {profile:?}");
        assert_eq!(settings.profile_source, *source, "{flag:?} {profile:?}");
        // The selected profile's region proves its keys are the ones used.
        assert_eq!(
            settings.region.as_deref(),
            Some(format!("{name}-region").as_str())
        );
    }
}

#[test]
fn missing_profiles() {
    let flag = resolve_err(
        PROFILES,
        &[],
        Overrides {
            profile: Some("nope"),
            ..Overrides::default()
        },
    );
    assert_eq!(
        flag.to_string(),
        "The config profile (nope) could not be found"
    );
    assert_eq!(flag.exit_class(), ExitClass::General);
    assert_eq!(flag.exit_class().code(), 255);
    assert_eq!(flag.aws_code(), None);

    let env_selected = resolve_err(PROFILES, &[("AWS_PROFILE", "gone")], Overrides::default());
    assert_eq!(
        env_selected.to_string(),
        "The config profile (gone) could not be found"
    );
    // Set but empty still selects a profile, named "" (botocore behaviour).
    let empty = resolve_err(PROFILES, &[("AWS_PROFILE", "")], Overrides::default());
    assert_eq!(
        empty.to_string(),
        "The config profile () could not be found"
    );
    // An explicit `default` must exist too.
    let explicit_default = resolve_err(
        "[profile a]\n",
        &[],
        Overrides {
            profile: Some("default"),
            ..Overrides::default()
        },
    );
    assert_eq!(
        explicit_default.to_string(),
        "The config profile (default) could not be found"
    );
    // Nothing selected and no [default]: fine, everything unset.
    let implicit = resolve("[profile a]\nregion = x\n", &[], Overrides::default());
    assert_eq!(implicit.profile_name, "default");
    assert_eq!(implicit.region, None);
}

#[test]
fn profile_from_credentials_file_can_be_selected() {
    let config = SharedConfig::parse(
        "",
        Path::new("/c"),
        "[creds-only]\nregion = ap-south-1\n",
        Path::new("/k"),
    )
    .unwrap();
    let settings = Settings::resolve(
        &config,
        &Env::default(),
        &Overrides {
            profile: Some("creds-only"),
            ..Overrides::default()
        },
    )
    .unwrap();
    assert_eq!(settings.region.as_deref(), Some("ap-south-1"));
}

#[test]
fn region_precedence() {
    let profile = "[default]\nregion = from-profile\n";
    // (flag, AWS_REGION, AWS_DEFAULT_REGION, profile text, expected, source display)
    let cases: &[(
        Option<&str>,
        Option<&str>,
        Option<&str>,
        &str,
        Option<&str>,
        &str,
    )] = &[
        (
            Some("flag"),
            Some("env"),
            Some("denv"),
            profile,
            Some("flag"),
            "--region",
        ),
        (
            None,
            Some("env"),
            Some("denv"),
            profile,
            Some("env"),
            "AWS_REGION",
        ),
        (
            None,
            None,
            Some("denv"),
            profile,
            Some("denv"),
            "AWS_DEFAULT_REGION",
        ),
        (None, None, None, profile, Some("from-profile"), "profile"),
        // Empty values are skipped.
        (
            Some(""),
            Some(""),
            Some("denv"),
            profile,
            Some("denv"),
            "AWS_DEFAULT_REGION",
        ),
        (
            None,
            Some(""),
            None,
            profile,
            Some("from-profile"),
            "profile",
        ),
        (None, None, None, "[default]\nregion =\n", None, ""),
        (None, None, None, "", None, ""),
    ];
    for (flag, region, default_region, text, expected, source) in cases {
        let mut vars = Vec::new();
        if let Some(v) = region {
            vars.push(("AWS_REGION", *v));
        }
        if let Some(v) = default_region {
            vars.push(("AWS_DEFAULT_REGION", *v));
        }
        let settings = resolve(
            text,
            &vars,
            Overrides {
                region: *flag,
                ..Overrides::default()
            },
        );
        assert_eq!(settings.region.as_deref(), *expected, "{flag:?} {vars:?}");
        assert_eq!(
            settings
                .region_source
                .map(|s| s.to_string())
                .unwrap_or_default(),
            *source
        );
        match expected {
            Some(region) => assert_eq!(settings.require_region().unwrap(), *region),
            None => {
                let error = settings.require_region().unwrap_err();
                assert_eq!(
                    error.to_string(),
                    "You must specify a region. You can also configure your region by running \"aws configure\"."
                );
                assert_eq!(error.aws_code(), Some("NoRegion"));
                assert_eq!(error.exit_class().code(), 253);
            }
        }
    }
}

#[test]
fn output_precedence_and_validation() {
    let profile = "[default]\noutput = table\n";
    assert_eq!(
        resolve("", &[], Overrides::default()).output,
        OutputFormat::Json
    );
    assert_eq!(
        resolve(profile, &[], Overrides::default()).output,
        OutputFormat::Table
    );
    assert_eq!(
        resolve(
            profile,
            &[("AWS_DEFAULT_OUTPUT", "yaml")],
            Overrides::default()
        )
        .output,
        OutputFormat::Yaml
    );
    let flag = Overrides {
        output: Some("yaml-stream"),
        ..Overrides::default()
    };
    assert_eq!(
        resolve(profile, &[("AWS_DEFAULT_OUTPUT", "yaml")], flag).output,
        OutputFormat::YamlStream
    );
    for format in OutputFormat::ALL {
        assert_eq!(OutputFormat::from_name(format.as_str()), Some(format));
        assert_eq!(format.to_string(), format.as_str());
    }
    // Names are case-sensitive.
    assert_eq!(OutputFormat::from_name("JSON"), None);

    let bad_env = resolve_err(
        profile,
        &[("AWS_DEFAULT_OUTPUT", "xml")],
        Overrides::default(),
    );
    assert_eq!(bad_env.to_string(), "Unknown output type: xml");
    assert_eq!(bad_env.exit_class(), ExitClass::General);
    let bad_profile = resolve_err("[default]\noutput = JSON\n", &[], Overrides::default());
    assert_eq!(bad_profile.to_string(), "Unknown output type: JSON");
    let bad_flag = resolve_err(
        "",
        &[],
        Overrides {
            output: Some("csv"),
            ..Overrides::default()
        },
    );
    assert_eq!(bad_flag.exit_class(), ExitClass::Usage);
}

#[test]
fn error_format_precedence_and_validation() {
    assert_eq!(
        resolve("", &[], Overrides::default()).cli_error_format,
        ErrorFormat::Enhanced
    );
    let profile = "[default]\ncli_error_format = legacy\n";
    assert_eq!(
        resolve(profile, &[], Overrides::default()).cli_error_format,
        ErrorFormat::Legacy
    );
    assert_eq!(
        resolve(
            profile,
            &[("AWS_CLI_ERROR_FORMAT", "json")],
            Overrides::default()
        )
        .cli_error_format,
        ErrorFormat::Json
    );
    let flag = Overrides {
        cli_error_format: Some("table"),
        ..Overrides::default()
    };
    assert_eq!(
        resolve(profile, &[("AWS_CLI_ERROR_FORMAT", "json")], flag).cli_error_format,
        ErrorFormat::Table
    );
    for format in ErrorFormat::ALL {
        assert_eq!(ErrorFormat::from_name(format.as_str()), Some(format));
        assert_eq!(format.to_string(), format.as_str());
    }

    let bad_env = resolve_err("", &[("AWS_CLI_ERROR_FORMAT", "xml")], Overrides::default());
    assert_eq!(
        bad_env.to_string(),
        "Invalid cli_error_format `xml` (set by `AWS_CLI_ERROR_FORMAT`): expected one of legacy, json, yaml, text, table, enhanced"
    );
    assert_eq!(bad_env.exit_class(), ExitClass::General);
    let bad_profile = resolve_err(
        "[profile dev]\ncli_error_format = fancy\n",
        &[("AWS_PROFILE", "dev")],
        Overrides::default(),
    );
    assert_eq!(
        bad_profile.to_string(),
        "Invalid cli_error_format `fancy` (set by `cli_error_format` in profile `dev`): expected one of legacy, json, yaml, text, table, enhanced"
    );
    let bad_flag = resolve_err(
        "",
        &[],
        Overrides {
            cli_error_format: Some("off"),
            ..Overrides::default()
        },
    );
    assert_eq!(bad_flag.exit_class(), ExitClass::Usage);
}

#[test]
fn pager_precedence() {
    let profile = "[default]\ncli_pager = most\n";
    let cases: &[(&str, &[(&str, &str)], Option<&str>)] = &[
        ("", &[], None),
        ("", &[("PAGER", "more")], Some("more")),
        (profile, &[("PAGER", "more")], Some("most")),
        (
            profile,
            &[("PAGER", "more"), ("AWS_PAGER", "less -R")],
            Some("less -R"),
        ),
        // Empty disables the pager, so it is kept.
        (profile, &[("AWS_PAGER", "")], Some("")),
        ("[default]\ncli_pager =\n", &[("PAGER", "more")], Some("")),
    ];
    for (text, vars, expected) in cases {
        assert_eq!(
            resolve(text, vars, Overrides::default())
                .cli_pager
                .as_deref(),
            *expected,
            "{text:?} {vars:?}"
        );
    }
}

#[test]
fn ca_bundle_and_verify() {
    let profile = "[default]\nca_bundle = /profile.pem\n";
    let get = |vars: &[(&str, &str)], flag: Option<&str>| {
        resolve(
            profile,
            vars,
            Overrides {
                ca_bundle: flag,
                ..Overrides::default()
            },
        )
        .ca_bundle
        .map(|p| p.display().to_string())
    };
    assert_eq!(get(&[], None).as_deref(), Some("/profile.pem"));
    assert_eq!(
        get(&[("AWS_CA_BUNDLE", "/env.pem")], None).as_deref(),
        Some("/env.pem")
    );
    assert_eq!(
        get(&[("AWS_CA_BUNDLE", "/env.pem")], Some("/flag.pem")).as_deref(),
        Some("/flag.pem")
    );
    assert_eq!(
        get(&[("AWS_CA_BUNDLE", "")], None).as_deref(),
        Some("/profile.pem")
    );
    assert_eq!(resolve("", &[], Overrides::default()).ca_bundle, None);

    assert!(resolve("", &[], Overrides::default()).verify_ssl);
    let no_verify = Overrides {
        no_verify_ssl: true,
        ..Overrides::default()
    };
    assert!(!resolve("", &[], no_verify).verify_ssl);
}

#[test]
fn retry_mode_and_attempts() {
    // (profile text, env, mode, attempts)
    let cases: &[(&str, &[(&str, &str)], RetryMode, u32)] = &[
        ("", &[], RetryMode::Standard, 3),
        (
            "[default]\nretry_mode = legacy\n",
            &[],
            RetryMode::Legacy,
            5,
        ),
        (
            "[default]\nretry_mode = adaptive\n",
            &[],
            RetryMode::Adaptive,
            3,
        ),
        (
            "[default]\nretry_mode = legacy\n",
            &[("AWS_RETRY_MODE", "standard")],
            RetryMode::Standard,
            3,
        ),
        ("[default]\nmax_attempts = 7\n", &[], RetryMode::Standard, 7),
        (
            "[default]\nmax_attempts = 7\nretry_mode = legacy\n",
            &[("AWS_MAX_ATTEMPTS", "2")],
            RetryMode::Legacy,
            2,
        ),
        // Python int() accepts surrounding spaces and a plus sign.
        ("", &[("AWS_MAX_ATTEMPTS", " +4 ")], RetryMode::Standard, 4),
        // Empty means unset.
        (
            "[default]\nmax_attempts = 6\n",
            &[("AWS_MAX_ATTEMPTS", "")],
            RetryMode::Standard,
            6,
        ),
    ];
    for (text, vars, mode, attempts) in cases {
        let settings = resolve(text, vars, Overrides::default());
        assert_eq!(settings.retry_mode, *mode, "{text:?} {vars:?}");
        assert_eq!(settings.max_attempts, *attempts, "{text:?} {vars:?}");
    }

    let bad_mode = resolve_err("", &[("AWS_RETRY_MODE", "fast")], Overrides::default());
    assert_eq!(
        bad_mode.to_string(),
        "Invalid value provided to \"mode\": \"fast\" must be one of: ('legacy', 'standard', 'adaptive')"
    );
    assert_eq!(bad_mode.exit_class(), ExitClass::General);

    for (value, vars, text, origin) in [
        (
            "0",
            vec![("AWS_MAX_ATTEMPTS", "0")],
            "",
            "`AWS_MAX_ATTEMPTS`",
        ),
        (
            "abc",
            vec![("AWS_MAX_ATTEMPTS", "abc")],
            "",
            "`AWS_MAX_ATTEMPTS`",
        ),
        (
            "-1",
            vec![("AWS_MAX_ATTEMPTS", "-1")],
            "",
            "`AWS_MAX_ATTEMPTS`",
        ),
        (
            "2.5",
            vec![("AWS_PROFILE", "dev")],
            "[profile dev]\nmax_attempts = 2.5\n",
            "`max_attempts` in profile `dev`",
        ),
    ] {
        let error = resolve_err(text, &vars, Overrides::default());
        assert_eq!(
            error.to_string(),
            format!(
                "Invalid max_attempts `{value}` (set by {origin}): it must be an integer greater than or equal to 1"
            )
        );
        assert_eq!(error.exit_class(), ExitClass::General);
    }
}

#[test]
fn fips_and_dualstack() {
    // (profile text, env, fips, dualstack)
    let cases: &[(&str, &[(&str, &str)], bool, bool)] = &[
        ("", &[], false, false),
        (
            "[default]\nuse_fips_endpoint = true\nuse_dualstack_endpoint = TRUE\n",
            &[],
            true,
            true,
        ),
        (
            "[default]\nuse_fips_endpoint = yes\nuse_dualstack_endpoint = 1\n",
            &[],
            false,
            false,
        ),
        (
            "[default]\nuse_fips_endpoint = true\n",
            &[("AWS_USE_FIPS_ENDPOINT", "false")],
            false,
            false,
        ),
        (
            "",
            &[
                ("AWS_USE_FIPS_ENDPOINT", "True"),
                ("AWS_USE_DUALSTACK_ENDPOINT", "true"),
            ],
            true,
            true,
        ),
        // Set but empty: botocore's env provider returns "" → false, ending the chain.
        (
            "[default]\nuse_dualstack_endpoint = true\n",
            &[("AWS_USE_DUALSTACK_ENDPOINT", "")],
            false,
            false,
        ),
    ];
    for (text, vars, fips, dualstack) in cases {
        let settings = resolve(text, vars, Overrides::default());
        assert_eq!(
            (settings.use_fips, settings.use_dualstack),
            (*fips, *dualstack),
            "{text:?} {vars:?}"
        );
    }
}

#[test]
fn timeouts() {
    let with = |connect: Option<&str>, read: Option<&str>| {
        Settings::resolve(
            &SharedConfig::default(),
            &Env::default(),
            &Overrides {
                connect_timeout: connect,
                read_timeout: read,
                ..Overrides::default()
            },
        )
    };
    let defaults = with(None, None).unwrap();
    assert_eq!(defaults.connect_timeout, Some(Duration::from_secs(60)));
    assert_eq!(defaults.read_timeout, Some(Duration::from_secs(60)));
    let set = with(Some("0"), Some("12.5")).unwrap();
    assert_eq!(set.connect_timeout, None);
    assert_eq!(set.read_timeout, Some(Duration::from_millis(12_500)));
    for bad in ["abc", "-1", "inf", "NaN", "1e400", ""] {
        let error = with(None, Some(bad)).unwrap_err();
        assert_eq!(
            error.to_string(),
            format!(
                "argument --cli-read-timeout: invalid value `{bad}`: expected a number of seconds (0 means no timeout)"
            )
        );
        assert_eq!(error.exit_class(), ExitClass::Usage);
    }
    let error = with(Some("x"), None).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("argument --cli-connect-timeout:")
    );
}

const ENDPOINTS: &str = "\
[default]
services = local
endpoint_url = http://profile.example:1
[services local]
sso =
  endpoint_url = http://services-sso.example:2
sso_oidc =
  endpoint_url = http://services-oidc.example:3
[profile plain]
[profile only-global]
endpoint_url = http://profile.example:1
[profile ignores]
ignore_configured_endpoint_urls = true
endpoint_url = http://profile.example:1
[profile partial]
services = partial
endpoint_url = http://profile.example:1
[services partial]
sso_oidc =
  endpoint_url = http://services-oidc.example:3
[profile dangling]
services = missing
endpoint_url = http://profile.example:1
[profile empty-services]
services = empty
[services empty]
[profile fips]
use_fips_endpoint = true
[profile fips-custom]
use_fips_endpoint = true
endpoint_url = http://profile.example:1
[profile dualstack-custom]
use_dualstack_endpoint = true
endpoint_url = http://profile.example:1
[profile bad-url]
endpoint_url = localhost:4000
";

fn endpoint(
    profile: &str,
    vars: &[(&str, &str)],
    flag: Option<&str>,
    service: Service,
    allow_flag: bool,
) -> Result<(String, String), ConfigError> {
    let config = config(ENDPOINTS);
    let mut all = vec![("AWS_PROFILE", profile)];
    all.extend_from_slice(vars);
    let env = env(&all);
    let settings = Settings::resolve(
        &config,
        &env,
        &Overrides {
            endpoint_url: flag,
            ..Overrides::default()
        },
    )?;
    let resolved = settings.endpoint(&config, &env, service, "eu-west-1", allow_flag)?;
    Ok((resolved.url, resolved.source.to_string()))
}

#[test]
fn endpoint_precedence() {
    let flag = Some("http://flag.example:9");
    let both_env = [
        ("AWS_ENDPOINT_URL_SSO", "http://env-sso.example:5"),
        ("AWS_ENDPOINT_URL_SSO_OIDC", "http://env-oidc.example:6"),
        ("AWS_ENDPOINT_URL", "http://env-global.example:7"),
    ];
    // (profile, env, flag, service, allow flag, url, source)
    let cases: &[(
        &str,
        &[(&str, &str)],
        Option<&str>,
        Service,
        bool,
        &str,
        &str,
    )] = &[
        (
            "default",
            &both_env,
            flag,
            Service::Portal,
            true,
            "http://flag.example:9",
            "--endpoint-url",
        ),
        // login/logout: the flag is ignored.
        (
            "default",
            &both_env,
            flag,
            Service::Portal,
            false,
            "http://env-sso.example:5",
            "AWS_ENDPOINT_URL_SSO",
        ),
        (
            "default",
            &both_env,
            None,
            Service::Oidc,
            true,
            "http://env-oidc.example:6",
            "AWS_ENDPOINT_URL_SSO_OIDC",
        ),
        (
            "default",
            &[("AWS_ENDPOINT_URL", "http://env-global.example:7")],
            None,
            Service::Oidc,
            true,
            "http://env-global.example:7",
            "AWS_ENDPOINT_URL",
        ),
        // Empty variables are skipped.
        (
            "default",
            &[("AWS_ENDPOINT_URL_SSO", ""), ("AWS_ENDPOINT_URL", "")],
            None,
            Service::Portal,
            true,
            "http://services-sso.example:2",
            "[services local] sso.endpoint_url",
        ),
        (
            "default",
            &[],
            None,
            Service::Oidc,
            true,
            "http://services-oidc.example:3",
            "[services local] sso_oidc.endpoint_url",
        ),
        // The services section has no `sso =`: fall through to the profile's endpoint_url.
        (
            "partial",
            &[],
            None,
            Service::Portal,
            true,
            "http://profile.example:1",
            "profile endpoint_url",
        ),
        (
            "only-global",
            &[],
            None,
            Service::Oidc,
            true,
            "http://profile.example:1",
            "profile endpoint_url",
        ),
        (
            "plain",
            &[],
            None,
            Service::Portal,
            true,
            "https://portal.sso.eu-west-1.amazonaws.com",
            "endpoint rule set",
        ),
        (
            "plain",
            &[],
            None,
            Service::Oidc,
            true,
            "https://oidc.eu-west-1.amazonaws.com",
            "endpoint rule set",
        ),
        // Ignoring configured endpoints: env and config are skipped, the flag is not.
        (
            "default",
            &[
                ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
                ("AWS_ENDPOINT_URL", "http://env-global.example:7"),
            ],
            None,
            Service::Portal,
            true,
            "https://portal.sso.eu-west-1.amazonaws.com",
            "endpoint rule set",
        ),
        (
            "ignores",
            &[("AWS_ENDPOINT_URL_SSO", "http://env-sso.example:5")],
            None,
            Service::Portal,
            true,
            "https://portal.sso.eu-west-1.amazonaws.com",
            "endpoint rule set",
        ),
        (
            "ignores",
            &[],
            flag,
            Service::Portal,
            true,
            "http://flag.example:9",
            "--endpoint-url",
        ),
        // The variable wins over the profile key, in either direction.
        (
            "ignores",
            &[("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false")],
            None,
            Service::Portal,
            true,
            "http://profile.example:1",
            "profile endpoint_url",
        ),
        (
            "fips",
            &[],
            None,
            Service::Oidc,
            true,
            "https://oidc-fips.eu-west-1.amazonaws.com",
            "endpoint rule set",
        ),
    ];
    for (profile, vars, flag, service, allow, url, source) in cases {
        let got = endpoint(profile, vars, *flag, *service, *allow).unwrap();
        assert_eq!(
            got,
            ((*url).to_owned(), (*source).to_owned()),
            "{profile} {vars:?} {flag:?} {service}"
        );
    }
}

#[test]
fn endpoint_errors() {
    let message = |profile: &str, vars: &[(&str, &str)], service| {
        let error = endpoint(profile, vars, None, service, true).unwrap_err();
        assert_eq!(error.exit_class(), ExitClass::General);
        error.to_string()
    };
    assert_eq!(
        message("dangling", &[], Service::Portal),
        "The profile is configured to use the services section but the \"missing\" services configuration does not exist."
    );
    assert_eq!(
        message("empty-services", &[], Service::Oidc),
        "The profile is configured to use the services section but the \"empty\" services configuration does not exist."
    );
    // A variable comes first, so the dangling reference is never looked at.
    assert_eq!(
        endpoint(
            "dangling",
            &[("AWS_ENDPOINT_URL", "http://e:1")],
            None,
            Service::Portal,
            true
        )
        .unwrap()
        .0,
        "http://e:1"
    );
    assert_eq!(
        message("fips-custom", &[], Service::Portal),
        "Invalid Configuration: FIPS and custom endpoint are not supported"
    );
    assert_eq!(
        message("dualstack-custom", &[], Service::Oidc),
        "Invalid Configuration: Dualstack and custom endpoint are not supported"
    );
    assert_eq!(
        message(
            "plain",
            &[
                ("AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:1"),
                ("AWS_USE_FIPS_ENDPOINT", "true")
            ],
            Service::Portal
        ),
        "Invalid Configuration: FIPS and custom endpoint are not supported"
    );
    assert_eq!(
        message("bad-url", &[], Service::Portal),
        "Invalid endpoint: localhost:4000"
    );
}

#[test]
fn endpoint_without_region() {
    let config = config("");
    let env = Env::default();
    let settings = Settings::resolve(&config, &env, &Overrides::default()).unwrap();
    let error = settings
        .endpoint(&config, &env, Service::Oidc, "", true)
        .unwrap_err();
    assert_eq!(error.to_string(), "Invalid Configuration: Missing Region");
    // A custom endpoint needs no region.
    let env = Env::from_pairs([("AWS_ENDPOINT_URL_SSO_OIDC", "http://127.0.0.1:4001")]);
    let resolved = settings
        .endpoint(&config, &env, Service::Oidc, "", true)
        .unwrap();
    assert_eq!(resolved.url, "http://127.0.0.1:4001");
    assert_eq!(
        resolved.source,
        EndpointSource::ServiceEnv("AWS_ENDPOINT_URL_SSO_OIDC")
    );
    assert!(resolved.source.is_custom());
}
