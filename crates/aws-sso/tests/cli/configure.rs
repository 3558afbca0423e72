//! `configure populate`, and `configure sso` / `configure sso-session` answered by flags (no
//! terminal), against the emulator (issue 10). The interactive wizards are driven on a real
//! pty in `tests/interop/test_configure.py`.

use std::collections::BTreeSet;

use sso_testkit::{Emulator, TestContext};

use crate::aws_sso;
use crate::support::{CONFIG, login, setup};

/// A config full of things a careless writer would lose: comments everywhere, odd spacing,
/// `:` as the delimiter, a nested `[services]` section, a missing final newline.
const MESSY: &str = "\
# my settings; hands off
[profile dev]
sso_session = my-sso
sso_account_id = 111111111111
sso_role_name = ReadOnly
region = us-east-1

  ; an indented comment
[sso-session my-sso]
sso_start_url=https://d-1234567890.awsapps.com/start
sso_region   :   us-east-1
sso_registration_scopes = sso:account:access

[services local]
sso =
  endpoint_url = http://127.0.0.1:1
[profile mine]
region = eu-west-1 # not a comment, part of the value
output=json";

const BLOCK_BEGIN: &str = "# BEGIN aws-sso configure populate --sso-session my-sso\n";
const BLOCK_END: &str = "# END aws-sso configure populate --sso-session my-sso\n";

fn signed_in(config: &str) -> (Emulator, TestContext) {
    let (emulator, context) = setup(&["--auto-approve", "demo"]);
    context.config(config);
    login(&context, &["--profile", "dev"]);
    (emulator, context)
}

/// `aws-sso configure populate --sso-session my-sso EXTRA…`.
fn populate(context: &TestContext, extra: &[&str]) -> sso_testkit::Outcome {
    let mut args = vec!["configure", "populate", "--sso-session", "my-sso"];
    args.extend_from_slice(extra);
    aws_sso(context, &args)
}

/// The (account, role) pairs `aws-sso roles` lists.
fn every_role(context: &TestContext) -> BTreeSet<(String, String)> {
    let outcome = aws_sso(context, &["roles", "--profile", "dev", "--refresh"]);
    assert_eq!(outcome.code, 0, "{outcome}");
    outcome.json()["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["accountId"].as_str().unwrap().to_owned(),
                r["roleName"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Profile name → (sso_session, account, role) of the sections in the managed block.
fn managed(config: &str) -> Vec<(String, String, String, String)> {
    let start = config.find(BLOCK_BEGIN).expect("a managed block");
    let end = config.find(BLOCK_END).expect("the block's end");
    let mut profiles = Vec::new();
    let mut current: Option<(String, Vec<(String, String)>)> = None;
    let mut flush = |current: &mut Option<(String, Vec<(String, String)>)>| {
        if let Some((name, keys)) = current.take() {
            let get = |k: &str| {
                keys.iter()
                    .find(|(key, _)| key == k)
                    .map(|(_, v)| v.clone())
                    .unwrap()
            };
            profiles.push((
                name,
                get("sso_session"),
                get("sso_account_id"),
                get("sso_role_name"),
            ));
        }
    };
    for line in config[start..end].lines() {
        if let Some(name) = line
            .strip_prefix("[profile ")
            .and_then(|l| l.strip_suffix(']'))
        {
            flush(&mut current);
            current = Some((name.to_owned(), Vec::new()));
        } else if let Some((key, value)) = line.split_once(" = ")
            && let Some((_, keys)) = &mut current
        {
            keys.push((key.to_owned(), value.to_owned()));
        }
    }
    flush(&mut current);
    profiles
}

#[test]
fn populate_writes_a_profile_per_role_keeps_every_byte_outside_and_is_idempotent() {
    let (_emulator, context) = signed_in(MESSY);
    let outcome = populate(&context, &[]);
    assert_eq!(outcome.code, 0, "{outcome}");
    assert_eq!(
        outcome.stdout_filtered(),
        "Wrote 4 profiles for sso-session my-sso to [HOME]/.aws/config: 4 added, 0 updated, 0 removed.\n\
         Use one with --profile, e.g.: aws sts get-caller-identity --profile audit.ReadOnly\n"
    );
    let written = context.read(".aws/config").unwrap();
    // Everything before the block is the file as it was (plus the newline it lacked).
    assert!(
        written.starts_with(&format!("{MESSY}\n\n{BLOCK_BEGIN}")),
        "{written}"
    );
    assert!(written.ends_with(BLOCK_END), "{written}");
    let profiles = managed(&written);
    let names: Vec<&str> = profiles.iter().map(|p| p.0.as_str()).collect();
    assert_eq!(
        names,
        [
            "audit.ReadOnly",
            "dev.AdministratorAccess",
            "dev.ReadOnly",
            "prod.ReadOnly"
        ]
    );
    assert!(profiles.iter().all(|p| p.1 == "my-sso"), "{profiles:?}");
    let pairs: BTreeSet<(String, String)> = profiles
        .iter()
        .map(|p| (p.2.clone(), p.3.clone()))
        .collect();
    assert_eq!(pairs, every_role(&context));

    // A second run (from the role cache) changes nothing, byte for byte.
    let again = populate(&context, &[]);
    assert_eq!(again.code, 0, "{again}");
    assert!(again.stdout.contains("are up to date"), "{again}");
    assert_eq!(context.read(".aws/config").unwrap(), written);

    // New settings for every profile: each one is updated in place, still outside untouched.
    let output = populate(&context, &["--output-format", "json"]);
    assert_eq!(output.code, 0, "{output}");
    assert!(
        output.stdout.contains(": 0 added, 4 updated, 0 removed."),
        "{output}"
    );
    let rewritten = context.read(".aws/config").unwrap();
    assert!(
        rewritten.starts_with(&format!("{MESSY}\n\n{BLOCK_BEGIN}")),
        "{rewritten}"
    );
    assert_eq!(
        rewritten.matches("output = json\n").count(),
        4,
        "{rewritten}"
    );
}

#[test]
fn populate_names_from_a_template_with_region_and_output() {
    let (_emulator, context) = signed_in(CONFIG);
    let outcome = populate(
        &context,
        &[
            "--template",
            "{sso_session} {account_name}/{role_name} {{{region}}}",
            "--region",
            "eu-west-1",
            "--output-format",
            "table",
        ],
    );
    assert_eq!(outcome.code, 0, "{outcome}");
    let written = context.read(".aws/config").unwrap();
    assert!(
        written.contains(
            "[profile my-sso-dev/AdministratorAccess-eu-west-1]\nsso_session = my-sso\nsso_account_id = 111111111111\nsso_role_name = AdministratorAccess\nregion = eu-west-1\noutput = table\n"
        ),
        "{written}"
    );
}

#[test]
fn a_users_profile_with_a_generated_name_is_left_alone_and_that_role_skipped() {
    let config = format!("{CONFIG}\n[profile dev.ReadOnly]\n# mine\nregion = ap-south-1\n");
    let (_emulator, context) = signed_in(&config);
    let outcome = populate(&context, &[]);
    assert_eq!(outcome.code, 0, "{outcome}");
    assert_eq!(
        outcome.stderr_filtered(),
        format!(
            "warning: skipped role ReadOnly of account 111111111111: the profile name \"dev.ReadOnly\" is already used in [HOME]/.aws/config outside the block aws-sso manages; rename that profile or choose another --template\n"
        )
    );
    let written = context.read(".aws/config").unwrap();
    assert!(written.starts_with(&config), "{written}");
    let names: Vec<String> = managed(&written).into_iter().map(|p| p.0).collect();
    assert_eq!(
        names,
        ["audit.ReadOnly", "dev.AdministratorAccess", "prod.ReadOnly"]
    );
}

#[test]
fn dry_run_prints_the_diff_and_writes_nothing() {
    let (_emulator, context) = signed_in(CONFIG);
    let outcome = populate(&context, &["--dry-run"]);
    assert_eq!(outcome.code, 0, "{outcome}");
    assert_eq!(context.read(".aws/config").unwrap(), CONFIG);
    let path = context.path(".aws/config").display().to_string();
    let diff = outcome.stdout;
    assert!(
        diff.starts_with(&format!(
            "--- {path}\n+++ {path} (after configure populate)\n@@ "
        )),
        "{diff}"
    );
    assert!(diff.contains(&format!("+{BLOCK_BEGIN}")), "{diff}");
    assert!(
        diff.contains("+[profile prod.ReadOnly]\n+sso_session = my-sso\n"),
        "{diff}"
    );
    assert!(
        !diff
            .lines()
            .any(|l| l.starts_with('-') && !l.starts_with("---")),
        "{diff}"
    );
}

/// The test-vector directory without one of its assignments.
fn directory_without_prod(context: &TestContext) -> String {
    let vectors = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/emulator/vectors.toml"
    ))
    .unwrap();
    let removed =
        "[[assignments]]\nuser = \"demo\"\naccount = \"222222222222\"\nroles = [\"ReadOnly\"]\n";
    assert!(vectors.contains(removed));
    context.write("directory.toml", &vectors.replace(removed, ""));
    context.path("directory.toml").display().to_string()
}

#[test]
fn a_removed_assignment_stays_until_prune_which_removes_just_that_profile() {
    let mut context = TestContext::new();
    context.config(CONFIG);
    let state = context.path("emulator.redb").display().to_string();
    let vectors = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../testdata/emulator/vectors.toml"
    );
    let point = |context: &mut TestContext, emulator: &Emulator| {
        context
            .env("AWS_ENDPOINT_URL_SSO", emulator.url())
            .env("AWS_ENDPOINT_URL_SSO_OIDC", emulator.url());
    };
    let emulator = Emulator::start(&[
        "--directory",
        vectors,
        "--state",
        &state,
        "--auto-approve",
        "demo",
    ]);
    point(&mut context, &emulator);
    login(&context, &["--profile", "dev"]);
    let first = populate(&context, &[]);
    assert_eq!(first.code, 0, "{first}");
    let before = context.read(".aws/config").unwrap();
    drop(emulator);

    // An administrator removes the prod assignment; the sign-in (kept in --state) lives on.
    let directory = directory_without_prod(&context);
    let emulator = Emulator::start(&[
        "--directory",
        &directory,
        "--state",
        &state,
        "--auto-approve",
        "demo",
    ]);
    point(&mut context, &emulator);

    let kept = populate(&context, &["--refresh"]);
    assert_eq!(kept.code, 0, "{kept}");
    assert!(
        kept.stdout
            .contains("1 of them no longer have their role (prod.ReadOnly); --prune removes them."),
        "{kept}"
    );
    assert_eq!(context.read(".aws/config").unwrap(), before);

    let pruned = populate(&context, &["--prune"]);
    assert_eq!(pruned.code, 0, "{pruned}");
    assert!(
        pruned.stdout.contains(": 0 added, 0 updated, 1 removed."),
        "{pruned}"
    );
    let after = context.read(".aws/config").unwrap();
    let section = "[profile prod.ReadOnly]\nsso_session = my-sso\nsso_account_id = 222222222222\nsso_role_name = ReadOnly\n";
    assert_eq!(after, before.replace(&format!("\n{section}"), ""));
}

#[test]
fn a_malformed_config_stops_populate_before_any_request_and_keeps_the_file() {
    let (emulator, context) = signed_in(CONFIG);
    let broken = format!("{CONFIG}[profile x]\nthis line has no equals sign\n");
    context.config(&broken);
    emulator.control("DELETE", "requests", None);
    let outcome = populate(&context, &[]);
    assert_eq!(outcome.code, 255, "{outcome}");
    let line = broken.lines().count();
    assert_eq!(
        outcome.stderr_filtered(),
        format!(
            "\naws: [ERROR]: Unable to parse config file: [HOME]/.aws/config (line {line}: `this line has no equals sign` is not a [section] header, a comment or a `key = value` line)\n"
        )
    );
    assert_eq!(context.read(".aws/config").unwrap(), broken);
    let requests = emulator.control("GET", "requests", None);
    assert_eq!(
        requests["requests"].as_array().unwrap().len(),
        0,
        "{requests}"
    );
}

#[test]
fn template_mistakes_are_usage_errors() {
    let (_emulator, context) = signed_in(CONFIG);
    for (template, message) in [
        ("{account}.{role_name}", "unknown field {account}"),
        ("{account_name}", "has no {role_name}"),
    ] {
        let outcome = populate(&context, &["--template", template]);
        assert_eq!(outcome.code, 252, "{outcome}");
        assert!(outcome.stderr.contains(message), "{outcome}");
    }
    assert_eq!(context.read(".aws/config").unwrap(), CONFIG);
}

#[test]
fn populate_without_a_sign_in_names_the_login_command() {
    let (_emulator, context) = setup(&["--auto-approve", "demo"]);
    let outcome = populate(&context, &[]);
    assert_eq!(outcome.code, 255, "{outcome}");
    assert!(
        outcome
            .stderr
            .contains("aws-sso login --sso-session my-sso"),
        "{outcome}"
    );
    assert_eq!(context.read(".aws/config").unwrap(), CONFIG);
}

#[test]
fn configure_sso_with_every_answer_as_a_flag_needs_no_terminal() {
    let (_emulator, context) = setup(&["--auto-approve", "demo"]);
    context.config("# keep me\n[default]\nregion = us-west-2\n");
    let outcome = aws_sso(
        &context,
        &[
            "configure",
            "sso",
            "--use-device-code",
            "--no-browser",
            "--sso-session",
            "new",
            "--start-url",
            "https://d-1234567890.awsapps.com/start",
            "--region",
            "us-east-1",
            "--scopes",
            "sso:account:access",
            "--account-id",
            "222222222222",
            "--default-output",
            "json",
            "--profile-name",
            "prod",
        ],
    );
    assert_eq!(outcome.code, 0, "{outcome}");
    let stdout = outcome.stdout_filtered();
    assert!(
        stdout.ends_with(
            "Using the account ID 222222222222\nThe only role available to you is: ReadOnly\nUsing the role name \"ReadOnly\"\nTo use this profile, specify the profile name using --profile, as shown:\n\naws sts get-caller-identity --profile prod\n"
        ),
        "{stdout}"
    );
    assert!(!stdout.contains("Successfully logged into"), "{stdout}");
    // The default profile's region is the default answer for the client region, as in v2.
    assert_eq!(
        context.read(".aws/config").unwrap(),
        "# keep me\n[default]\nregion = us-west-2\n[profile prod]\nsso_session = new\nsso_account_id = 222222222222\nsso_role_name = ReadOnly\nregion = us-west-2\noutput = json\n[sso-session new]\nsso_start_url = https://d-1234567890.awsapps.com/start\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n"
    );
    // And the profile works.
    let credentials = aws_sso(&context, &["export-credentials", "--profile", "prod"]);
    assert_eq!(credentials.code, 0, "{credentials}");
}

#[test]
fn configure_sso_without_a_terminal_names_the_flag_it_needs() {
    let (emulator, context) = setup(&["--auto-approve", "demo"]);
    let outcome = aws_sso(
        &context,
        &[
            "configure",
            "sso",
            "--sso-session",
            "brand-new",
            "--region",
            "us-east-1",
        ],
    );
    assert_eq!(outcome.code, 252, "{outcome}");
    assert_eq!(
        outcome.stderr,
        "\naws: [ERROR]: An error occurred (ParamValidation): `SSO start URL` has no answer and there is no terminal to ask on: give it with --start-url (see `aws-sso configure sso --help`)\n"
    );
    assert_eq!(context.read(".aws/config").unwrap(), CONFIG);
    assert_eq!(
        emulator.counters()["RegisterClient"].as_u64().unwrap_or(0),
        0
    );

    // Several accounts and no --account-id: the same, after the sign-in.
    let outcome = aws_sso(
        &context,
        &[
            "configure",
            "sso",
            "--sso-session",
            "my-sso",
            "--use-device-code",
            "--no-browser",
            "--profile-name",
            "x",
        ],
    );
    assert_eq!(outcome.code, 252, "{outcome}");
    assert!(
        outcome.stderr.contains("there are 3 AWS accounts to choose from and no terminal to ask on: choose one with --account-id"),
        "{outcome}"
    );
    assert_eq!(context.read(".aws/config").unwrap(), CONFIG);
}

#[test]
fn configure_sso_reuses_a_token_of_an_existing_session_and_rejects_unknown_choices() {
    let (emulator, context) = setup(&["--auto-approve", "demo"]);
    login(&context, &["--profile", "dev"]);
    let logins = emulator.counters()["CreateToken"].as_u64().unwrap();
    let outcome = aws_sso(
        &context,
        &[
            "configure",
            "sso",
            "--sso-session",
            "my-sso",
            "--account-id",
            "999999999999",
            "--profile-name",
            "x",
        ],
    );
    assert_eq!(outcome.code, 252, "{outcome}");
    assert!(
        outcome.stderr.contains(
            "argument --account-id: 999999999999 is not one of the 3 AWS accounts available to you"
        ),
        "{outcome}"
    );
    let outcome = aws_sso(
        &context,
        &[
            "configure",
            "sso",
            "--sso-session",
            "my-sso",
            "--account-id",
            "111111111111",
            "--role-name",
            "AdministratorAccess",
            "--profile-name",
            "admin",
        ],
    );
    assert_eq!(outcome.code, 0, "{outcome}");
    assert_eq!(
        emulator.counters()["CreateToken"].as_u64().unwrap(),
        logins,
        "no new sign-in"
    );
    // An existing session is not rewritten: only the new profile is added.
    assert_eq!(
        context.read(".aws/config").unwrap(),
        CONFIG.to_owned()
            + "[profile admin]\nsso_session = my-sso\nsso_account_id = 111111111111\nsso_role_name = AdministratorAccess\n"
    );
}

#[test]
fn configure_sso_session_with_flags_writes_the_section_and_says_how_to_sign_in() {
    let (_emulator, context) = setup(&[]);
    let outcome = aws_sso(
        &context,
        &[
            "configure",
            "sso-session",
            "--sso-session",
            "corp",
            "--start-url",
            "https://d-1234567890.awsapps.com/start",
            "--region",
            "eu-west-1",
            "--scopes",
            "sso:account:access,custom:scope",
        ],
    );
    assert_eq!(outcome.code, 0, "{outcome}");
    assert_eq!(
        outcome.stdout,
        "\nCompleted configuring SSO session: corp\nRun the following to login and refresh access token for this session:\n\naws sso login --sso-session corp\n"
    );
    assert_eq!(
        context.read(".aws/config").unwrap(),
        format!(
            "{CONFIG}[sso-session corp]\nsso_start_url = https://d-1234567890.awsapps.com/start\nsso_region = eu-west-1\nsso_registration_scopes = sso:account:access,custom:scope\n"
        )
    );
    let bad = aws_sso(
        &context,
        &[
            "configure",
            "sso-session",
            "--sso-session",
            "corp",
            "--start-url",
            "not a url",
        ],
    );
    assert_eq!(bad.code, 252, "{bad}");
    assert!(
        bad.stderr
            .contains("argument --start-url: Not a valid Start URL: \"not a url\""),
        "{bad}"
    );
}

#[test]
fn values_with_line_breaks_are_refused_and_nothing_is_written() {
    let (_emulator, context) = setup(&[]);
    let outcome = aws_sso(
        &context,
        &[
            "configure",
            "sso-session",
            "--sso-session",
            "corp\nx",
            "--start-url",
            "https://d-1234567890.awsapps.com/start",
            "--region",
            "us-east-1",
        ],
    );
    assert_eq!(outcome.code, 255, "{outcome}");
    assert_eq!(
        outcome.stderr_filtered(),
        "\naws: [ERROR]: [HOME]/.aws/config: cannot write the section name `sso-session corp\\nx` to the config file: it contains a line break; use a value on one line\n"
    );
    assert_eq!(context.read(".aws/config").unwrap(), CONFIG);
}
