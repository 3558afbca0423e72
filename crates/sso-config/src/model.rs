//! [`SharedConfig`]: the profiles, sso-sessions and services sections of `~/.aws/config`, with
//! the credentials file's profiles merged in, classified the way botocore does.
//!
//! This mirrors `botocore.configloader.build_profile_map` (section classification) and
//! `botocore.session.Session.full_config` (credentials merge). Loading from disk is a thin
//! layer over the pure [`SharedConfig::parse`].

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use sso_core::Env;
use sso_core::env::vars;
use sso_core::python;

use crate::error::{ConfigError, ParseProblem};
use crate::ini::{self, RawSection};
use crate::shlex;

/// One option value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A plain value. Continuation lines are joined with `\n`.
    Text(String),
    /// A nested sub-section: `key =` followed by indented `name = value` lines (used by
    /// `[services NAME]` with `sso =` / `sso_oidc =`). Nested names keep their case.
    Nested(IndexMap<String, String>),
}

impl Value {
    /// The text, if this is a plain value.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Self::Text(text) => Some(text),
            Self::Nested(_) => None,
        }
    }

    /// The sub-section, if this is a nested value.
    pub fn as_nested(&self) -> Option<&IndexMap<String, String>> {
        match self {
            Self::Text(_) => None,
            Self::Nested(map) => Some(map),
        }
    }

    /// The value the way Python's `str()` prints it (used in botocore's messages): text as is,
    /// a nested section as a dict literal.
    pub(crate) fn python_str(&self) -> String {
        match self {
            Self::Text(text) => text.clone(),
            Self::Nested(map) => {
                let items: Vec<String> = map
                    .iter()
                    .map(|(k, v)| format!("{}: {}", python::repr_str(k), python::repr_str(v)))
                    .collect();
                format!("{{{}}}", items.join(", "))
            }
        }
    }
}

/// Options of one section, in file order. Keys are lower-cased option names.
pub type Properties = IndexMap<String, Value>;

macro_rules! section_accessors {
    ($ty:ident) => {
        impl $ty {
            /// The name (for a profile: without the `profile ` prefix).
            pub fn name(&self) -> &str {
                &self.name
            }

            /// A plain value. `None` if the key is absent or holds a nested sub-section.
            /// An empty value (`key =`) is `Some("")`.
            pub fn get(&self, key: &str) -> Option<&str> {
                self.properties.get(key).and_then(Value::as_text)
            }

            /// A value of either kind.
            pub fn value(&self, key: &str) -> Option<&Value> {
                self.properties.get(key)
            }

            /// Whether the key is present at all (empty values count, as in botocore's
            /// `key in config` checks).
            pub fn contains(&self, key: &str) -> bool {
                self.properties.contains_key(key)
            }

            /// All options in file order.
            pub fn properties(&self) -> &Properties {
                &self.properties
            }

            /// Whether the section has no options.
            pub fn is_empty(&self) -> bool {
                self.properties.is_empty()
            }
        }
    };
}

/// A profile: `[default]`, `[profile NAME]` or a section of the credentials file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    name: String,
    properties: Properties,
}
section_accessors!(Profile);

/// An `[sso-session NAME]` section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoSession {
    name: String,
    properties: Properties,
}
section_accessors!(SsoSession);

/// A `[services NAME]` section: per-service sub-sections such as `sso =` / `sso_oidc =`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Services {
    name: String,
    properties: Properties,
}
section_accessors!(Services);

impl Services {
    /// `endpoint_url` inside the sub-section `service_key =` (`sso` or `sso_oidc`), as
    /// botocore's `_get_endpoint_url_config_service` reads it. Empty values count as unset.
    pub fn endpoint_url(&self, service_key: &str) -> Option<&str> {
        self.properties
            .get(service_key)?
            .as_nested()?
            .get("endpoint_url")
            .map(String::as_str)
            .filter(|url| !url.is_empty())
    }
}

/// The shared config and credentials files, parsed and classified.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SharedConfig {
    profiles: IndexMap<String, Profile>,
    sso_sessions: IndexMap<String, SsoSession>,
    services: IndexMap<String, Services>,
    config_path: PathBuf,
    credentials_path: PathBuf,
}

impl SharedConfig {
    /// Reads the config file (`AWS_CONFIG_FILE`, default `~/.aws/config`) and the credentials
    /// file (`AWS_SHARED_CREDENTIALS_FILE`, default `~/.aws/credentials`), expanding `~` and
    /// `$VAR` in either.
    ///
    /// A path that is not a readable regular file counts as an empty file: botocore checks
    /// `os.path.isfile` and `configparser.read` skips files it cannot open. `AWS_CONFIG_FILE=`
    /// (set but empty) therefore means "no config", not the default path.
    pub fn load(env: &Env) -> Result<Self, ConfigError> {
        let config_path = file_path(env, vars::AWS_CONFIG_FILE, "~/.aws/config");
        let credentials_path =
            file_path(env, vars::AWS_SHARED_CREDENTIALS_FILE, "~/.aws/credentials");
        let config_text = read_text(&config_path)?;
        let credentials_text = read_text(&credentials_path)?;
        Self::parse(
            &config_text,
            &config_path,
            &credentials_text,
            &credentials_path,
        )
    }

    /// Parses the two files' contents; the paths are only used in messages. Pass `""` for a
    /// file that does not exist.
    pub fn parse(
        config_text: &str,
        config_path: &Path,
        credentials_text: &str,
        credentials_path: &Path,
    ) -> Result<Self, ConfigError> {
        let raw_config = ini::parse(config_text).map_err(|e| parse_error(config_path, e))?;
        let raw_credentials =
            ini::parse(credentials_text).map_err(|e| parse_error(credentials_path, e))?;
        let mut config = Self {
            config_path: config_path.to_owned(),
            credentials_path: credentials_path.to_owned(),
            ..Self::default()
        };
        config.classify(raw_config);
        config.merge_credentials(raw_credentials);
        Ok(config)
    }

    /// `build_profile_map`: `profile*` → profile, `sso-session*` → sso-session, `services*` →
    /// services (each only if `shlex.split` gives exactly two words), `default` → profile
    /// `default`; other sections are ignored. A later section with the same resulting name
    /// replaces the earlier one wholesale but keeps its position (Python dict assignment), which
    /// is how a later `[profile default]` beats an earlier `[default]` and vice versa.
    fn classify(&mut self, sections: Vec<RawSection>) {
        for RawSection { name, properties } in sections {
            if name.starts_with("profile") {
                if let Some(name) = second_word(&name) {
                    self.profiles
                        .insert(name.clone(), Profile { name, properties });
                }
            } else if name.starts_with("sso-session") {
                if let Some(name) = second_word(&name) {
                    self.sso_sessions
                        .insert(name.clone(), SsoSession { name, properties });
                }
            } else if name.starts_with("services") {
                if let Some(name) = second_word(&name) {
                    self.services
                        .insert(name.clone(), Services { name, properties });
                }
            } else if name == "default" {
                self.profiles
                    .insert(name.clone(), Profile { name, properties });
            }
        }
    }

    /// `Session.full_config`: every credentials-file section is a profile named exactly as the
    /// section (no `profile ` prefix); its keys are added to (or override) an existing profile.
    fn merge_credentials(&mut self, sections: Vec<RawSection>) {
        for RawSection { name, properties } in sections {
            match self.profiles.get_mut(&name) {
                Some(profile) => profile.properties.extend(properties),
                None => {
                    self.profiles
                        .insert(name.clone(), Profile { name, properties });
                }
            }
        }
    }

    /// A profile by name (`default` for `[default]`).
    pub fn profile(&self, name: &str) -> Option<&Profile> {
        self.profiles.get(name)
    }

    /// An `[sso-session NAME]` section by name.
    pub fn sso_session(&self, name: &str) -> Option<&SsoSession> {
        self.sso_sessions.get(name)
    }

    /// A `[services NAME]` section by name.
    pub fn services(&self, name: &str) -> Option<&Services> {
        self.services.get(name)
    }

    /// Profile names in file order (config file first, then profiles only in credentials).
    pub fn profile_names(&self) -> impl Iterator<Item = &str> {
        self.profiles.keys().map(String::as_str)
    }

    /// All profiles in file order.
    pub fn profiles(&self) -> impl Iterator<Item = &Profile> {
        self.profiles.values()
    }

    /// sso-session names in file order.
    pub fn sso_session_names(&self) -> impl Iterator<Item = &str> {
        self.sso_sessions.keys().map(String::as_str)
    }

    /// All sso-sessions in file order.
    pub fn sso_sessions(&self) -> impl Iterator<Item = &SsoSession> {
        self.sso_sessions.values()
    }

    /// All services sections in file order.
    pub fn all_services(&self) -> impl Iterator<Item = &Services> {
        self.services.values()
    }

    /// The config file path (after expansion) this was loaded from.
    pub fn config_path(&self) -> &Path {
        &self.config_path
    }

    /// The credentials file path (after expansion) this was loaded from.
    pub fn credentials_path(&self) -> &Path {
        &self.credentials_path
    }
}

/// The second word of `shlex.split(section)` when there are exactly two; `None` when botocore
/// would ignore the section (other word counts, or an unbalanced quote).
fn second_word(section: &str) -> Option<String> {
    let mut words = shlex::split(section).ok()?;
    if words.len() == 2 { words.pop() } else { None }
}

fn file_path(env: &Env, variable: &str, default: &str) -> PathBuf {
    match env.get(variable) {
        Some(raw) => env.expand_path(raw),
        None => env.expand_path(default),
    }
}

/// Reads a file as UTF-8 text; anything that is not a readable regular file is `""`.
fn read_text(path: &Path) -> Result<String, ConfigError> {
    if !path.is_file() {
        return Ok(String::new());
    }
    let Ok(bytes) = std::fs::read(path) else {
        return Ok(String::new());
    };
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = 1 + valid
            .iter()
            .enumerate()
            .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && valid.get(i + 1) != Some(&b'\n')))
            .count();
        ConfigError::Parse {
            path: path.to_owned(),
            line,
            problem: ParseProblem::InvalidUtf8,
        }
    })
}

pub(crate) fn parse_error(path: &Path, error: ini::RawError) -> ConfigError {
    ConfigError::Parse {
        path: path.to_owned(),
        line: error.line,
        problem: error.problem,
    }
}
