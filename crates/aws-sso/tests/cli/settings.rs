//! Settings precedence, asserted through the hidden `--show-settings` view rather than guessed
//! from behaviour (spec cli-behavior §1.1, §1.5).

use serde_json::Value;
use sso_testkit::TestContext;

use crate::aws_sso;

const CONFIG: &str = "\
[default]
region = us-west-2

[profile dev]
region = eu-west-1
sso_session = corp
sso_account_id = 111111111111
sso_role_name = ReadOnly
services = local

[profile other]
region = ap-south-1
endpoint_url = http://profile-endpoint.example

[profile legacy]
sso_start_url = https://d-9999999999.awsapps.com/start
sso_region = us-east-2

[sso-session corp]
sso_start_url = https://d-1234567890.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access, custom:scope

[services local]
sso =
  endpoint_url = http://services-sso.example
sso_oidc =
  endpoint_url = http://services-oidc.example
";

fn show(context: &TestContext, args: &[&str]) -> Value {
    let mut all = vec!["--show-settings"];
    all.extend_from_slice(args);
    let outcome = aws_sso(context, &all);
    assert_eq!(outcome.code, 0, "{outcome}");
    outcome.json()
}

fn context() -> TestContext {
    let context = TestContext::new();
    context.config(CONFIG);
    context
}

#[test]
fn profile_precedence_flag_then_aws_profile_then_aws_default_profile() {
    let mut context = context();
    assert_eq!(
        show(&context, &["list-accounts"])["profile"]["name"],
        "default"
    );
    context.env("AWS_DEFAULT_PROFILE", "other");
    assert_eq!(
        show(&context, &["list-accounts"])["profile"]["name"],
        "other"
    );
    context.env("AWS_PROFILE", "legacy");
    let settings = show(&context, &["list-accounts"]);
    assert_eq!(settings["profile"]["name"], "legacy");
    assert_eq!(settings["profile"]["source"], "AWS_PROFILE");
    let settings = show(&context, &["list-accounts", "--profile", "dev"]);
    assert_eq!(settings["profile"]["name"], "dev");
    assert_eq!(settings["profile"]["source"], "--profile");
}

#[test]
fn region_precedence_flag_then_aws_region_then_aws_default_region_then_profile() {
    let mut context = context();
    let region = |c: &TestContext, args: &[&str]| show(c, args)["region"].clone();
    assert_eq!(region(&context, &["list-accounts"])["value"], "us-west-2");
    assert_eq!(region(&context, &["list-accounts"])["source"], "profile");
    context.env("AWS_DEFAULT_REGION", "ca-central-1");
    assert_eq!(
        region(&context, &["list-accounts"])["value"],
        "ca-central-1"
    );
    context.env("AWS_REGION", "sa-east-1");
    assert_eq!(region(&context, &["list-accounts"])["value"], "sa-east-1");
    assert_eq!(region(&context, &["list-accounts"])["source"], "AWS_REGION");
    assert_eq!(
        region(&context, &["list-accounts", "--region", "me-south-1"])["value"],
        "me-south-1"
    );
}

#[test]
fn sso_session_target_and_scopes() {
    let context = context();
    let sso = &show(&context, &["login", "--profile", "dev"])["sso"];
    assert_eq!(sso["kind"], "sso-session");
    assert_eq!(sso["sso_session"], "corp");
    assert_eq!(sso["start_url"], "https://d-1234567890.awsapps.com/start");
    assert_eq!(sso["sso_region"], "us-east-1");
    assert_eq!(
        sso["registration_scopes"],
        serde_json::json!(["sso:account:access", "custom:scope"])
    );
    assert_eq!(sso["token_cache_key"], "corp");
    let legacy = &show(&context, &["login", "--profile", "legacy"])["sso"];
    assert_eq!(legacy["kind"], "legacy");
    assert_eq!(
        legacy["token_cache_key"],
        "https://d-9999999999.awsapps.com/start"
    );
    // --sso-session wins over the profile.
    let flag = &show(
        &context,
        &["login", "--profile", "legacy", "--sso-session", "corp"],
    )["sso"];
    assert_eq!(flag["sso_session"], "corp");
}

#[test]
fn endpoint_precedence() {
    let mut context = context();
    let endpoints = |c: &TestContext, args: &[&str]| show(c, args)["endpoints"].clone();
    // The rule set, in the SSO region for login.
    let login = endpoints(&context, &["login", "--profile", "legacy"]);
    assert_eq!(
        login["sso_oidc"]["url"],
        "https://oidc.us-east-2.amazonaws.com"
    );
    // [services] sub-sections.
    let dev = endpoints(&context, &["list-accounts", "--profile", "dev"]);
    assert_eq!(dev["sso"]["url"], "http://services-sso.example");
    assert_eq!(dev["sso_oidc"]["url"], "http://services-oidc.example");
    // Profile endpoint_url.
    // (`other` has no SSO settings, so only `--access-token` can call: in its `region`.)
    let other = endpoints(
        &context,
        &["list-accounts", "--profile", "other", "--access-token", "t"],
    );
    assert_eq!(other["sso"]["url"], "http://profile-endpoint.example");
    assert_eq!(other["sso"]["region"], "ap-south-1");
    let no_token = endpoints(&context, &["list-accounts", "--profile", "other"]);
    assert!(
        no_token["sso"]["error"]
            .as_str()
            .is_some_and(|e| e.contains("Missing the following required SSO configuration values")),
        "{no_token}"
    );
    // AWS_ENDPOINT_URL beats config, the service variable beats both.
    context.env("AWS_ENDPOINT_URL", "http://global.example");
    assert_eq!(
        endpoints(&context, &["list-accounts", "--profile", "dev"])["sso"]["url"],
        "http://global.example"
    );
    context.env("AWS_ENDPOINT_URL_SSO", "http://sso-var.example");
    context.env("AWS_ENDPOINT_URL_SSO_OIDC", "http://oidc-var.example");
    let vars = endpoints(&context, &["list-accounts", "--profile", "dev"]);
    assert_eq!(vars["sso"]["url"], "http://sso-var.example");
    assert_eq!(vars["sso_oidc"]["url"], "http://oidc-var.example");
    // --endpoint-url wins for API commands only; login ignores it, as the AWS CLI does.
    let flag = endpoints(
        &context,
        &[
            "list-accounts",
            "--profile",
            "dev",
            "--endpoint-url",
            "http://flag.example",
        ],
    );
    assert_eq!(flag["sso"]["url"], "http://flag.example");
    let login = endpoints(
        &context,
        &[
            "login",
            "--profile",
            "dev",
            "--endpoint-url",
            "http://flag.example",
        ],
    );
    assert_eq!(login["sso_oidc"]["url"], "http://oidc-var.example");
    // Ignoring configured endpoints leaves the flag and the rule set. With the cached token the
    // call goes to the session's region (us-east-1), not the profile's `region`; with
    // `--access-token` it goes to the CLI region, as in the AWS CLI; `--region` wins for both.
    context.env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true");
    let ignored = endpoints(&context, &["list-accounts", "--profile", "dev"]);
    assert_eq!(
        ignored["sso"]["url"],
        "https://portal.sso.us-east-1.amazonaws.com"
    );
    assert_eq!(ignored["sso"]["region"], "us-east-1");
    let given = endpoints(
        &context,
        &["list-accounts", "--profile", "dev", "--access-token", "t"],
    );
    assert_eq!(
        given["sso"]["url"],
        "https://portal.sso.eu-west-1.amazonaws.com"
    );
    let flag = endpoints(
        &context,
        &[
            "get-role-credentials",
            "--profile",
            "dev",
            "--region",
            "ca-central-1",
            "--role-name",
            "R",
            "--account-id",
            "1",
        ],
    );
    assert_eq!(flag["sso"]["region"], "ca-central-1");
    assert_eq!(flag["sso_oidc"]["region"], "us-east-1");
    // `--access-token` with no region anywhere: the AWS CLI's NoRegion error, before any call.
    let mut bare = TestContext::new();
    bare.config("[profile p]\n");
    bare.env("AWS_PROFILE", "p");
    let none = endpoints(&bare, &["list-accounts", "--access-token", "t"]);
    assert!(
        none["sso"]["error"]
            .as_str()
            .is_some_and(|e| e.ends_with("You must specify a region. You can also configure your region by running \"aws configure\".")),
        "{none}"
    );
}

#[test]
fn fips_and_dualstack_switches() {
    let mut context = context();
    context.env("AWS_USE_FIPS_ENDPOINT", "true");
    let fips = show(&context, &["login", "--profile", "legacy"]);
    assert_eq!(
        fips["endpoints"]["sso_oidc"]["url"],
        "https://oidc-fips.us-east-2.amazonaws.com"
    );
    context.env("AWS_USE_DUALSTACK_ENDPOINT", "true");
    let both = show(
        &context,
        &[
            "list-accounts",
            "--profile",
            "legacy",
            "--region",
            "cn-north-1",
        ],
    );
    assert_eq!(
        both["endpoints"]["sso"]["url"],
        "https://portal.sso-fips.cn-north-1.api.amazonwebservices.com.cn"
    );
    context.env("AWS_ENDPOINT_URL_SSO", "http://127.0.0.1:1");
    let custom = show(&context, &["list-accounts", "--profile", "legacy"]);
    assert_eq!(
        custom["endpoints"]["sso"]["error"],
        "Invalid Configuration: FIPS and custom endpoint are not supported"
    );
}

#[test]
fn config_file_location_follows_aws_config_file() {
    let mut context = TestContext::new();
    context.write("elsewhere/cfg", "[default]\nregion = eu-north-1\n");
    context.env("AWS_CONFIG_FILE", "~/elsewhere/cfg");
    let settings = show(&context, &["list-accounts"]);
    assert_eq!(settings["region"]["value"], "eu-north-1");
    assert!(
        settings["config_file"]
            .as_str()
            .unwrap()
            .ends_with("/elsewhere/cfg")
    );
}

#[test]
fn retry_and_timeouts() {
    let mut context = context();
    context.env("AWS_MAX_ATTEMPTS", "7");
    context.env("AWS_RETRY_MODE", "adaptive");
    let settings = show(
        &context,
        &[
            "list-accounts",
            "--cli-read-timeout",
            "0",
            "--cli-connect-timeout",
            "5",
        ],
    );
    assert_eq!(settings["retry"]["mode"], "adaptive");
    assert_eq!(settings["retry"]["max_attempts"], 7);
    assert_eq!(settings["timeouts"]["read"], Value::Null);
    assert_eq!(settings["timeouts"]["connect"], 5.0);
}
