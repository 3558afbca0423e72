//! Errors and exit codes match AWS CLI v2 (spec cli-behavior §1.4, §6.5).

use sso_testkit::TestContext;

use crate::aws_sso;

const USAGE: &str = "usage: aws-sso [options] <command> [parameters]\nTo see help text, you can run:\n\n  aws-sso --help\n  aws-sso <command> --help\n";

#[test]
fn unknown_option_prints_usage_then_the_error() {
    let outcome = aws_sso(&TestContext::new(), &["list-accounts", "--bogus"]);
    assert_eq!(outcome.code, 252);
    assert_eq!(outcome.stdout, "");
    assert_eq!(
        outcome.stderr,
        format!("\n{USAGE}\n\naws: [ERROR]: Unknown options: --bogus\n")
    );
}

#[test]
fn missing_required_arguments_are_listed() {
    let outcome = aws_sso(
        &TestContext::new(),
        &["get-role-credentials", "--access-token", "t"],
    );
    assert_eq!(outcome.code, 252);
    assert_eq!(
        outcome.stderr,
        format!(
            "\naws: [ERROR]: An error occurred (ParamValidation): the following arguments are required: --role-name, --account-id\n\n{USAGE}"
        )
    );
}

#[test]
fn a_command_group_names_its_operations() {
    let missing = aws_sso(&TestContext::new(), &["configure"]);
    assert_eq!(missing.code, 252);
    assert_eq!(
        missing.stderr,
        format!(
            "\naws: [ERROR]: An error occurred (ParamValidation): the following arguments are required: operation (aws-sso configure sso|sso-session|populate)\n\n{USAGE}"
        )
    );
    // Suggestions come from the group's operations, not the top-level commands, also after a
    // global option with a value.
    let typo = aws_sso(
        &TestContext::new(),
        &["--profile", "x", "configure", "sso-sesion"],
    );
    assert_eq!(typo.code, 252);
    assert_eq!(
        typo.stderr,
        format!(
            "\naws: [ERROR]: An error occurred (ParamValidation): argument operation: Found invalid choice 'sso-sesion'\n\nMaybe you meant:\n\n  * sso-session\n\n{USAGE}"
        )
    );
}

#[test]
fn an_unknown_command_is_v2s_invalid_choice_with_suggestions_by_similarity() {
    // awscli/argparser.py (v2): `Found invalid choice`, then difflib's close matches, best
    // first; two blank lines before the usage.
    let outcome = aws_sso(&TestContext::new(), &["lgin"]);
    assert_eq!(outcome.code, 252);
    assert_eq!(
        outcome.stderr,
        format!(
            "\naws: [ERROR]: An error occurred (ParamValidation): argument command: Found invalid choice 'lgin'\n\nMaybe you meant:\n\n  * login\n\n{USAGE}"
        )
    );
    let two = aws_sso(&TestContext::new(), &["list-acounts"]);
    assert!(
        two.stderr
            .contains("Found invalid choice 'list-acounts'\n\nMaybe you meant:\n\n  * list-accounts\n  * list-account-roles\n\nusage: "),
        "{two}"
    );
    let none = aws_sso(&TestContext::new(), &["xyz"]);
    assert_eq!(
        none.stderr,
        format!(
            "\naws: [ERROR]: An error occurred (ParamValidation): argument command: Found invalid choice 'xyz'\n\n\n{USAGE}"
        )
    );
}

#[test]
fn no_command_is_a_usage_error() {
    let outcome = aws_sso(&TestContext::new(), &[]);
    assert_eq!(outcome.code, 252);
    assert!(
        outcome
            .stderr
            .starts_with("\naws: [ERROR]: An error occurred (ParamValidation): the following arguments are required: command\n"),
        "{outcome}"
    );
}

#[test]
fn an_explicit_missing_profile_is_255() {
    let context = TestContext::new();
    context.config("[profile dev]\nregion = eu-west-1\n");
    let outcome = aws_sso(
        &context,
        &["list-accounts", "--profile", "nope", "--access-token", "t"],
    );
    assert_eq!(outcome.code, 255, "{outcome}");
    // The AWS CLI's line, then one of ours: the profiles of the file that was read.
    assert_eq!(
        outcome.stderr_filtered(),
        "\naws: [ERROR]: The config profile (nope) could not be found\nProfiles in [HOME]/.aws/config: dev\n"
    );
    let mut context = context;
    context.env("AWS_PROFILE", "deev");
    let outcome = aws_sso(&context, &["list-accounts", "--access-token", "t"]);
    assert_eq!(
        outcome.stderr_filtered(),
        "\naws: [ERROR]: The config profile (deev) could not be found\nDid you mean --profile dev? (read [HOME]/.aws/config)\n"
    );
    context.env("AWS_CONFIG_FILE", "/nonexistent/config");
    let outcome = aws_sso(&context, &["list-accounts", "--access-token", "t"]);
    assert_eq!(
        outcome.stderr,
        "\naws: [ERROR]: The config profile (deev) could not be found\n/nonexistent/config does not exist, so no profile is defined.\n"
    );
}

#[test]
fn no_region_is_253() {
    let outcome = aws_sso(
        &TestContext::new(),
        &["list-accounts", "--access-token", "t"],
    );
    assert_eq!(outcome.code, 253, "{outcome}");
    assert_eq!(
        outcome.stderr,
        "\naws: [ERROR]: An error occurred (NoRegion): You must specify a region. You can also configure your region by running \"aws configure\".\n"
    );
}

#[test]
fn login_configuration_errors_are_253_word_for_word() {
    let context = TestContext::new();
    context.config(
        "[profile legacy]\nsso_region = us-east-1\n\
         [profile dangling]\nsso_session = gone\n\
         [profile http]\nsso_session = insecure\n\
         [sso-session insecure]\nsso_start_url = http://example.awsapps.com/start\nsso_region = us-east-1\n\
         [sso-session noregion]\nsso_start_url = https://d-1.awsapps.com/start\n",
    );
    let cases = [
        (
            vec!["login", "--profile", "legacy"],
            "Missing the following required SSO configuration values: sso_start_url. To make sure this profile is properly configured to use SSO, please run: aws configure sso",
        ),
        (
            vec!["login", "--profile", "dangling"],
            "The specified sso-session does not exist: \"gone\"",
        ),
        (
            vec!["login", "--profile", "http"],
            "The sso_start_url must use the https scheme.",
        ),
        (
            vec!["login", "--sso-session", "noregion"],
            "Missing the following required SSO configuration values: sso_region.",
        ),
    ];
    for (args, message) in cases {
        let outcome = aws_sso(&context, &args);
        assert_eq!(outcome.code, 253, "{args:?}: {outcome}");
        assert_eq!(
            outcome.stderr,
            format!("\naws: [ERROR]: An error occurred (Configuration): {message}\n"),
            "{args:?}"
        );
    }
}

#[test]
fn a_malformed_config_names_the_file_and_line_and_changes_nothing() {
    let context = TestContext::new();
    let text = "[profile dev]\nregion = us-east-1\nregion = eu-west-1\n";
    context.config(text);
    let outcome = aws_sso(
        &context,
        &["list-accounts", "--profile", "dev", "--access-token", "t"],
    );
    assert_eq!(outcome.code, 255, "{outcome}");
    let stderr = outcome.stderr_filtered();
    assert!(
        stderr.starts_with("\naws: [ERROR]: Unable to parse config file: [HOME]/.aws/config"),
        "{stderr}"
    );
    assert!(stderr.contains("line 3"), "{stderr}");
    assert_eq!(
        stderr.lines().filter(|l| !l.is_empty()).count(),
        1,
        "one line: {stderr}"
    );
    assert_eq!(context.read(".aws/config").as_deref(), Some(text));
}

#[test]
fn cli_error_format_legacy_and_json() {
    let context = TestContext::new();
    let legacy = aws_sso(
        &context,
        &[
            "list-accounts",
            "--access-token",
            "t",
            "--cli-error-format",
            "legacy",
        ],
    );
    assert_eq!(legacy.code, 253);
    // awscli errorhandler.py: `legacy` keeps the prefix and prints the bare message.
    assert_eq!(
        legacy.stderr,
        "\naws: [ERROR]: You must specify a region. You can also configure your region by running \"aws configure\".\n"
    );
    let json = aws_sso(
        &context,
        &[
            "list-accounts",
            "--access-token",
            "t",
            "--cli-error-format",
            "json",
        ],
    );
    assert_eq!(json.code, 253);
    let document: serde_json::Value =
        serde_json::from_str(&json.stderr).unwrap_or_else(|e| panic!("{e}: {json}"));
    assert_eq!(
        document,
        serde_json::json!({"Code": "NoRegion", "Message": "You must specify a region. You can also configure your region by running \"aws configure\"."})
    );
    // Argument errors are structured too, usage and all; errors without a code stay lines.
    let argument = aws_sso(
        &context,
        &[
            "list-accounts",
            "--max-items",
            "x",
            "--cli-error-format",
            "json",
        ],
    );
    assert_eq!(argument.code, 252);
    let document: serde_json::Value =
        serde_json::from_str(&argument.stderr).unwrap_or_else(|e| panic!("{e}: {argument}"));
    assert_eq!(document["Code"], "ParamValidation");
    assert_eq!(
        document["Message"],
        format!("argument --max-items: invalid int value: 'x'\n\n{USAGE}")
    );
    let general = aws_sso(
        &context,
        &[
            "list-accounts",
            "--profile",
            "nope",
            "--cli-error-format",
            "json",
        ],
    );
    assert_eq!(general.code, 255);
    assert!(
        general
            .stderr
            .starts_with("\naws: [ERROR]: The config profile (nope) could not be found\n"),
        "{general}"
    );
}

#[test]
fn a_closed_stdout_pipe_is_quiet() {
    use std::process::Stdio;
    let context = TestContext::new();
    let mut child = context
        .command(env!("CARGO_BIN_EXE_aws-sso"))
        .arg("--help")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn the_profile_can_choose_the_error_format() {
    let context = TestContext::new();
    context.config("[default]\ncli_error_format = legacy\n");
    let outcome = aws_sso(&context, &["list-accounts", "--access-token", "t"]);
    assert_eq!(outcome.code, 253);
    assert!(
        outcome
            .stderr
            .starts_with("\naws: [ERROR]: You must specify a region."),
        "{outcome}"
    );
}

#[test]
fn an_unknown_output_flag_is_an_argument_error_with_the_choices() {
    let outcome = aws_sso(&TestContext::new(), &["list-accounts", "--output", "xml"]);
    assert_eq!(outcome.code, 252, "{outcome}");
    assert_eq!(
        outcome.stderr,
        format!(
            "\naws: [ERROR]: An error occurred (ParamValidation): argument --output: Found invalid choice 'xml'\n\nValid values: json, text, table, yaml, yaml-stream, off\n\n{USAGE}"
        )
    );
}

#[test]
fn a_malformed_region_is_refused_even_with_an_endpoint_override() {
    // `-bad` is the value of --region, not an option, and botocore's region check applies.
    let outcome = aws_sso(
        &TestContext::new(),
        &[
            "list-accounts",
            "--access-token",
            "t",
            "--region",
            "-bad",
            "--endpoint-url",
            "http://127.0.0.1:9",
        ],
    );
    assert_eq!(outcome.code, 255, "{outcome}");
    assert_eq!(
        outcome.stderr,
        "\naws: [ERROR]: Provided region_name '-bad' doesn't match a supported format.\n"
    );
}

#[test]
fn argument_errors_are_parameter_validation_as_in_aws_cli_v2() {
    let context = TestContext::new();
    for (args, message) in [
        (
            &["list-accounts", "--access-token", "t", "--max-items", "abc"][..],
            "argument --max-items: invalid int value: 'abc'",
        ),
        (
            &["list-accounts", "--profile"],
            "argument --profile: expected one argument",
        ),
    ] {
        let outcome = aws_sso(&context, args);
        assert_eq!(outcome.code, 252, "{outcome}");
        assert_eq!(
            outcome.stderr,
            format!("\naws: [ERROR]: An error occurred (ParamValidation): {message}\n\n{USAGE}"),
            "{args:?}"
        );
    }
    // The legacy format prints them without the class (awscli errorhandler.py).
    let mut legacy = TestContext::new();
    legacy.env("AWS_CLI_ERROR_FORMAT", "legacy");
    let outcome = aws_sso(&legacy, &["list-accounts", "--profile"]);
    assert_eq!(
        outcome.stderr,
        format!("\naws: [ERROR]: argument --profile: expected one argument\n\n{USAGE}")
    );
}
