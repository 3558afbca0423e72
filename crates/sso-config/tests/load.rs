//! `SharedConfig::load`: file locations from the environment and what counts as "no file".

use std::fs;

use sso_config::{ConfigError, ParseProblem, SharedConfig};
use sso_core::{Env, ExitClass};

struct Home {
    dir: tempfile::TempDir,
}

impl Home {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join(".aws")).unwrap();
        Self { dir }
    }

    fn path(&self) -> String {
        self.dir.path().to_str().unwrap().to_owned()
    }

    fn write(&self, relative: &str, contents: &[u8]) {
        fs::write(self.dir.path().join(relative), contents).unwrap();
    }

    fn env(&self, extra: &[(&str, &str)]) -> Env {
        let mut env = Env::from_pairs([("HOME", self.path())]);
        for (k, v) in extra {
            env.set(*k, *v);
        }
        env
    }
}

fn region(config: &SharedConfig, profile: &str) -> Option<String> {
    config.profile(profile)?.get("region").map(str::to_owned)
}

#[test]
fn default_locations_under_home() {
    let home = Home::new();
    home.write(".aws/config", b"[default]\nregion = from-config\n");
    home.write(".aws/credentials", b"[default]\naws_access_key_id = AKIA\n");
    let config = SharedConfig::load(&home.env(&[])).unwrap();
    assert_eq!(region(&config, "default").as_deref(), Some("from-config"));
    assert_eq!(
        config.profile("default").unwrap().get("aws_access_key_id"),
        Some("AKIA")
    );
    assert_eq!(
        config.config_path(),
        home.dir.path().join(".aws/config").as_path()
    );
    assert_eq!(
        config.credentials_path(),
        home.dir.path().join(".aws/credentials").as_path()
    );
}

#[test]
fn variables_with_tilde_and_dollar_expansion() {
    let home = Home::new();
    home.write("alt-config", b"[profile x]\nregion = alt\n");
    home.write("alt-creds", b"[y]\nregion = creds\n");
    let config = SharedConfig::load(&home.env(&[
        ("AWS_CONFIG_FILE", "~/alt-config"),
        ("AWS_SHARED_CREDENTIALS_FILE", "$HOME/alt-creds"),
    ]))
    .unwrap();
    assert_eq!(region(&config, "x").as_deref(), Some("alt"));
    assert_eq!(region(&config, "y").as_deref(), Some("creds"));
    assert_eq!(config.profile_names().collect::<Vec<_>>(), ["x", "y"]);
}

#[test]
fn missing_unreadable_or_empty_paths_are_empty_config() {
    let home = Home::new();
    // No files at all.
    let config = SharedConfig::load(&home.env(&[])).unwrap();
    assert_eq!(config.profile_names().count(), 0);
    // A directory is not a file (botocore checks os.path.isfile).
    fs::create_dir(home.dir.path().join("dir")).unwrap();
    let dir = format!("{}/dir", home.path());
    let config = SharedConfig::load(&home.env(&[("AWS_CONFIG_FILE", &dir)])).unwrap();
    assert_eq!(config.profile_names().count(), 0);
    // Set but empty means "no config file", not the default path.
    home.write(".aws/config", b"[default]\nregion = ignored\n");
    let config = SharedConfig::load(&home.env(&[("AWS_CONFIG_FILE", "")])).unwrap();
    assert_eq!(config.profile("default"), None);
}

#[test]
fn parse_errors_name_the_expanded_path() {
    let home = Home::new();
    home.write(".aws/config", b"[default]\nregion = a\nregion = b\n");
    let error = SharedConfig::load(&home.env(&[("AWS_CONFIG_FILE", "~/.aws/config")])).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "Unable to parse config file: {}/.aws/config (line 3: duplicate key `region` in section [default]; remove one of them)",
            home.path()
        )
    );
    assert_eq!(error.exit_class(), ExitClass::General);
}

#[test]
fn invalid_utf8_is_a_parse_error_with_its_line() {
    let home = Home::new();
    home.write(
        ".aws/config",
        b"[default]\r\nregion = a\rout\xffput = json\n",
    );
    let error = SharedConfig::load(&home.env(&[])).unwrap_err();
    let ConfigError::Parse { line, problem, .. } = &error else {
        panic!("{error:?}");
    };
    assert_eq!((*line, problem), (3, &ParseProblem::InvalidUtf8));
    assert!(
        error
            .to_string()
            .ends_with("(line 3: the file is not valid UTF-8)")
    );

    home.write(".aws/config", b"");
    home.write(".aws/credentials", b"\xfe");
    let error = SharedConfig::load(&home.env(&[])).unwrap_err();
    assert_eq!(
        error.to_string(),
        format!(
            "Unable to parse config file: {}/.aws/credentials (line 1: the file is not valid UTF-8)",
            home.path()
        )
    );
}
