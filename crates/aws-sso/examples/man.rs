//! Man pages for aws-sso, rendered by clap_mangen from the clap tree the binary parses
//! ([`aws_sso::Cli::command_tree`]): `aws-sso.1`, and `aws-sso-COMMAND.1` for every command
//! (`aws-sso-COMMAND-SUBCOMMAND.1` for nested ones), hidden commands left out.
//!
//! `scripts/man` runs it (`cargo run -p aws-sso --example man -- DIR`, default `target/man`).
//! It is an example, not a subcommand, so clap_mangen is a dev-dependency and never part of
//! the shipped binary; and not a crate of its own, so the workspace gains no member for it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

fn main() -> ExitCode {
    let out = std::env::args_os()
        .nth(1)
        .map_or_else(|| PathBuf::from("target/man"), PathBuf::from);
    match generate(&out) {
        Ok(pages) => {
            #[expect(clippy::print_stdout, reason = "the script's one line of output")]
            {
                println!("{} man pages in {}", pages.len(), out.display());
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            #[expect(clippy::print_stderr, reason = "the script's error message")]
            {
                eprintln!("man: cannot write to {}: {error}", out.display());
            }
            ExitCode::FAILURE
        }
    }
}

/// Writes every page into `out` (created if missing) and returns their paths, `aws-sso.1` first.
fn generate(out: &Path) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out)?;
    clap_mangen::generate_to(aws_sso::Cli::command_tree(), out)?;
    let mut pages = vec![out.join("aws-sso.1")];
    let mut stack = vec![(
        "aws-sso".to_owned(),
        aws_sso::Cli::command_tree().disable_help_subcommand(true),
    )];
    while let Some((name, command)) = stack.pop() {
        for sub in command.get_subcommands().filter(|sub| !sub.is_hide_set()) {
            let page_name = format!("{name}-{}", sub.get_name());
            pages.push(out.join(format!("{page_name}.1")));
            stack.push((page_name, sub.clone()));
        }
    }
    for page in &pages {
        if !page.is_file() {
            return Err(std::io::Error::other(format!(
                "clap_mangen did not write {}",
                page.display()
            )));
        }
    }
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use std::process::Command;

    /// `man -l PAGE` as plain text, 80 columns wide. Fails (never skips) when `man` is missing:
    /// scripts/setup-test-deps installs man-db for CI.
    fn man(page: &std::path::Path) -> String {
        let output = Command::new("man")
            .arg("-l")
            .arg(page)
            .env("MANWIDTH", "80")
            .env("MANPAGER", "cat")
            .env("PAGER", "cat")
            .env("LC_ALL", "C.UTF-8")
            .output()
            .expect("`man` runs (install man-db: scripts/setup-test-deps does)");
        assert!(
            output.status.success(),
            "man -l {}: {output:?}",
            page.display()
        );
        // Without a terminal man prints no bold/underline overstrikes; strip any anyway.
        let text = String::from_utf8_lossy(&output.stdout);
        let mut plain = String::with_capacity(text.len());
        for c in text.chars() {
            if c == '\u{8}' {
                plain.pop();
            } else {
                plain.push(c);
            }
        }
        plain
    }

    #[test]
    fn man_pages_render_with_every_command() {
        let out = std::env::temp_dir().join(format!("aws-sso-man-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&out);
        let pages = super::generate(&out).unwrap();

        let names: Vec<String> = aws_sso::Cli::command_tree()
            .get_subcommands()
            .filter(|sub| !sub.is_hide_set())
            .map(|sub| sub.get_name().to_owned())
            .collect();
        assert!(names.len() >= 11, "{names:?}");
        for name in &names {
            assert!(out.join(format!("aws-sso-{name}.1")).is_file(), "{name}");
        }
        assert_eq!(pages.len(), std::fs::read_dir(&out).unwrap().count());

        let top = man(&out.join("aws-sso.1"));
        assert!(
            top.contains("aws-sso - A fast, drop-in replacement"),
            "{top}"
        );
        assert!(top.contains("SUBCOMMANDS"), "{top}");
        for name in &names {
            assert!(
                top.contains(&format!("aws-sso-{name}(1)")),
                "{name} missing:\n{top}"
            );
        }
        assert!(top.contains("--profile"), "{top}");

        let login = man(&out.join("aws-sso-login.1"));
        assert!(login.contains("--use-device-code"), "{login}");
        let completion = man(&out.join("aws-sso-completion.1"));
        assert!(completion.contains("~/.zfunc/_aws-sso"), "{completion}");
        assert!(completion.contains("\n       zsh:\n"), "{completion}");

        std::fs::remove_dir_all(&out).unwrap();
    }
}
