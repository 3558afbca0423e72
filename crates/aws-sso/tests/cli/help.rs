//! `--help` for every command reads like a finished tool, and `help` works as a word.

use sso_testkit::TestContext;

use crate::aws_sso;

/// Every command path of the clap definition (`""` for the top level, `"configure sso"`…), so
/// a new command is snapshotted without anyone remembering to add it here.
fn command_paths(command: &clap::Command, prefix: &str, paths: &mut Vec<String>) {
    paths.push(prefix.to_owned());
    for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        let path = format!("{prefix} {}", sub.get_name());
        command_paths(sub, path.trim_start(), paths);
    }
}

#[test]
fn every_help_is_snapshotted() {
    let context = TestContext::new();
    let mut paths = Vec::new();
    command_paths(&aws_sso::Cli::command_tree(), "", &mut paths);
    assert!(paths.len() > 15, "{paths:?}");
    for command in &paths {
        let mut args: Vec<&str> = command.split_whitespace().collect();
        args.push("--help");
        let outcome = aws_sso(&context, &args);
        assert_eq!(outcome.code, 0, "{outcome}");
        assert_eq!(outcome.stderr, "", "{outcome}");
        let name = if command.is_empty() {
            "aws-sso".to_owned()
        } else {
            command.replace(' ', "-")
        };
        insta::assert_snapshot!(format!("help-{name}"), outcome.stdout);
    }
}

#[test]
fn help_as_a_word_like_the_aws_cli() {
    let context = TestContext::new();
    let word = aws_sso(&context, &["login", "help"]);
    let flag = aws_sso(&context, &["login", "--help"]);
    assert_eq!(word.code, 0);
    assert_eq!(word.stdout, flag.stdout);
    assert!(word.stdout.contains("--use-device-code"), "{word}");
    let first = aws_sso(&context, &["help", "login"]);
    assert_eq!(
        (first.code, first.stdout.as_str()),
        (0, flag.stdout.as_str()),
        "{first}"
    );
}

#[test]
fn version_names_the_tool() {
    let outcome = aws_sso(&TestContext::new(), &["--version"]);
    assert_eq!(outcome.code, 0);
    assert!(
        outcome
            .stdout
            .starts_with(&format!("aws-sso/{} ", env!("CARGO_PKG_VERSION"))),
        "{outcome}"
    );
}
