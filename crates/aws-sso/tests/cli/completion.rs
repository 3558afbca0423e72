//! `aws-sso completion`: the bash script, sourced in a real non-interactive bash, completes
//! commands, options (the global ones too, after any command) and the config's profile and
//! sso-session names; the other shells' scripts are generated.

use sso_testkit::TestContext;

use crate::aws_sso;

const CONFIG: &str = "\
[default]
region = us-east-1

[profile dev]
sso_session = corp
sso_account_id = 111111111111
sso_role_name = ReadOnly

[profile prod]
sso_session = other

[sso-session corp]
sso_start_url = https://d-1234567890.awsapps.com/start
sso_region = us-east-1

[sso-session other]
sso_start_url = https://d-1234567890.awsapps.com/start
sso_region = eu-west-1
";

/// A sandbox whose `AWS_CONFIG_FILE` is a temp file with three profiles and two sessions, with
/// the built `aws-sso` on `PATH` (as the script calls it by name) and its bash script in
/// `~/aws-sso.bash`.
fn sandbox() -> TestContext {
    let mut context = TestContext::new();
    context.write("elsewhere/config", CONFIG);
    let config = context.path("elsewhere/config");
    let bin_dir = std::path::Path::new(env!("CARGO_BIN_EXE_aws-sso"))
        .parent()
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    context
        .env("AWS_CONFIG_FILE", config.to_str().unwrap())
        .env("PATH", &format!("{bin_dir}:/usr/local/bin:/usr/bin:/bin"));
    let script = aws_sso(&context, &["completion", "bash"]);
    assert_eq!(script.code, 0, "{script}");
    assert_eq!(script.stderr, "", "{script}");
    context.write("aws-sso.bash", &script.stdout);
    context
}

/// What bash offers for each command line, as Tab would: each case is the words typed so far,
/// the last one being the word under the cursor (`""` after a space). The registered
/// completion function is called the way `complete -F` calls it, with COMP_WORDS, COMP_CWORD,
/// COMP_LINE and COMP_POINT set, and COMPREPLY is printed as one line per case.
fn offered(context: &TestContext, cases: &[&[&str]]) -> Vec<String> {
    let mut script = String::from(
        r#"set -u
source ./aws-sso.bash
spec=$(complete -p aws-sso)
function=$(sed -E 's/.* -F ([^ ]+) .*/\1/' <<<"$spec")
offer() {
    COMP_WORDS=("$@")
    COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
    COMP_LINE="${COMP_WORDS[*]}"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    "$function" aws-sso "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
    printf '%s\n' "${COMPREPLY[*]}"
}
"#,
    );
    for words in cases {
        script.push_str("offer");
        for word in *words {
            script.push_str(&format!(" '{word}'"));
        }
        script.push('\n');
    }
    let outcome = context.run("bash", ["--norc", "--noprofile", "-c", &script]);
    assert_eq!(outcome.code, 0, "{outcome}");
    assert_eq!(outcome.stderr, "", "{outcome}");
    let lines: Vec<String> = outcome.stdout.lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), cases.len(), "{outcome}");
    lines
}

#[test]
fn bash_completion_offers_commands_options_and_config_names() {
    let context = sandbox();
    let cases: &[(&[&str], &str)] = &[
        (&["aws-sso", "lo"], "login logout"),
        (
            &["aws-sso", "list-accounts", "--profile", ""],
            "default dev prod",
        ),
        (
            &["aws-sso", "list-accounts", "--profile", "d"],
            "default dev",
        ),
        (&["aws-sso", "--profile", ""], "default dev prod"),
        (&["aws-sso", "status", "--profile", "=", "p"], "prod"),
        (
            &["aws-sso", "list-accounts", "--sso-session", ""],
            "corp other",
        ),
        (&["aws-sso", "login", "--sso-session", "c"], "corp"),
        // A command's own options and the global ones it accepts (hidden in its help).
        (&["aws-sso", "login", "--re"], "--redirect-port --region"),
        (&["aws-sso", "status", "--pro"], "--prompt --profile"),
        (&["aws-sso", "roles", "--output", "y"], "yaml yaml-stream"),
        // Nested commands (`configure sso`, `configure sso-session`).
        (&["aws-sso", "configure", "s"], "sso sso-session"),
        (
            &["aws-sso", "configure", "sso", "--sso-session", ""],
            "corp other",
        ),
        // Hidden options are not offered.
        (&["aws-sso", "status", "--show"], ""),
        (&["aws-sso", "list-accounts", "--max"], "--max-items"),
        (&["aws-sso", "completion", "--li"], ""),
    ];
    let words: Vec<&[&str]> = cases.iter().map(|(words, _)| *words).collect();
    let offered = offered(&context, &words);
    for ((words, expected), got) in cases.iter().zip(&offered) {
        assert_eq!(got, expected, "completing {words:?}");
    }
}

#[test]
fn completion_lists_names_whatever_the_profile_setting() {
    let mut context = sandbox();
    context.env("AWS_PROFILE", "no-such-profile");
    let profiles = aws_sso(&context, &["completion", "--list", "profiles"]);
    assert_eq!(profiles.code, 0, "{profiles}");
    assert_eq!(profiles.stdout, "default\ndev\nprod\n");
    let sessions = aws_sso(&context, &["completion", "--list", "sso-sessions"]);
    assert_eq!(sessions.code, 0, "{sessions}");
    assert_eq!(sessions.stdout, "corp\nother\n");
}

#[test]
fn completion_scripts_for_every_shell() {
    let context = sandbox();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let outcome = aws_sso(&context, &["completion", shell]);
        assert_eq!(outcome.code, 0, "{shell}: {outcome}");
        assert!(outcome.stdout.contains("list-account-roles"), "{shell}");
        assert!(
            outcome.stdout.contains("--sso-session") || outcome.stdout.contains("sso-session"),
            "{shell}"
        );
    }
    let zsh = aws_sso(&context, &["completion", "zsh"]).stdout;
    assert!(zsh.starts_with("#compdef aws-sso"), "{zsh}");
    assert!(zsh.contains(":_aws-sso_config_names profiles' \\"), "{zsh}");
    let fish = aws_sso(&context, &["completion", "fish"]).stdout;
    assert!(fish.contains("-l profile"), "{fish}");
    assert!(
        fish.contains("(aws-sso completion --list profiles 2>/dev/null)"),
        "{fish}"
    );
}

#[test]
fn completion_help_teaches_the_install_lines() {
    let context = TestContext::new();
    let outcome = aws_sso(&context, &["completion", "--help"]);
    assert_eq!(outcome.code, 0, "{outcome}");
    for line in [
        "aws-sso completion bash > ~/.local/share/bash-completion/completions/aws-sso",
        "aws-sso completion zsh > ~/.zfunc/_aws-sso",
        "aws-sso completion fish > ~/.config/fish/completions/aws-sso.fish",
        "aws-sso completion powershell >> $PROFILE",
        "aws-sso completion elvish >> ~/.config/elvish/rc.elv",
    ] {
        assert!(outcome.stdout.contains(line), "{line}\n{outcome}");
    }
    let missing = aws_sso(&context, &["completion"]);
    assert_eq!(missing.code, 252, "{missing}");
}
