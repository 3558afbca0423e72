//! Writing `~/.aws/config`: read, validate, edit a [`ConfigDocument`] in memory, then replace the
//! file in one atomic step.
//!
//! [`edit`] is the only function that writes the config file. It holds an exclusive lock on the
//! file's directory while it works, so two aws-sso processes editing at once (parallel logins
//! writing back a region, a populate beside a wizard) cannot lose each other's change. The AWS
//! CLI itself neither locks nor renames (it rewrites in place with `open('w')`), so we cannot
//! exclude it; the rename at least means no reader ever sees a half-written file. A file that
//! does not parse is refused before anything is written (the message names file and line); a
//! run that fails or is interrupted leaves the previous file as it was; an edit that changes
//! nothing writes nothing. The file keeps its permissions; a new one is created 0600.

use std::fs;
use std::io::Write as _;
use std::path::Path;

use crate::document::{ConfigDocument, EditError};
use crate::error::ConfigError;

/// Why the config file could not be edited.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The edit itself was refused (a line break in a value, an unclosed managed block).
    #[error("{}: {source}", path.display())]
    Edit {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        source: EditError,
    },
    /// The file does not parse; nothing was written.
    #[error("{0}")]
    Parse(ConfigError),
    /// Reading or writing the file failed.
    #[error("cannot {action} the config file {}: {source}", path.display())]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: std::path::PathBuf,
        /// The error.
        source: std::io::Error,
    },
}

impl WriteError {
    /// Wraps the edit errors of the document of `path`: `.map_err(WriteError::edit(path))`.
    pub fn edit(path: &Path) -> impl Fn(EditError) -> Self + '_ {
        move |source| Self::Edit {
            path: path.to_owned(),
            source,
        }
    }
}

/// Applies `change` to the config file at `path` (a missing file is an empty one) and writes the
/// result atomically if it differs. Returns what `change` returned and whether the file changed.
///
/// # Errors
///
/// [`WriteError::Parse`] for a file that does not parse, [`WriteError::Edit`] for a refused edit
/// (the caller's error type converts from it), [`WriteError::Io`] for I/O failures. The file is
/// untouched in every case.
pub fn edit<T, E>(
    path: &Path,
    change: impl FnOnce(&mut ConfigDocument) -> Result<T, E>,
) -> Result<(T, bool), E>
where
    E: From<WriteError>,
{
    let io = |action, source| WriteError::Io {
        action,
        path: path.to_owned(),
        source,
    };
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    fs::create_dir_all(dir).map_err(|e| io("create the directory of", e))?;
    // Directory locks need no lock file beside the user's config, and survive the rename.
    let lock = fs::File::open(dir).map_err(|e| io("lock the directory of", e))?;
    lock.lock().map_err(|e| io("lock the directory of", e))?;
    let text = read(path)?;
    let mut document = ConfigDocument::parse(&text);
    let answer = change(&mut document)?;
    let edited = document.text();
    if edited == text {
        return Ok((answer, false));
    }
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(|e| io("write", e))?;
    if let Ok(metadata) = fs::metadata(path) {
        // Keep the user's permissions; a new file stays 0600 (NamedTempFile's mode).
        temp.as_file()
            .set_permissions(metadata.permissions())
            .map_err(|e| io("write", e))?;
    }
    temp.write_all(edited.as_bytes())
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| io("write", e))?;
    temp.persist(path).map_err(|e| io("replace", e.error))?;
    // Make the rename itself durable; a failure here is not worth failing the command for.
    let _ = lock.sync_all();
    Ok((answer, true))
}

/// The config file's text, checked to parse (a missing file is empty).
///
/// # Errors
///
/// [`WriteError::Parse`] naming the file and line, or [`WriteError::Io`].
pub fn read(path: &Path) -> Result<String, WriteError> {
    let io = |action, source| WriteError::Io {
        action,
        path: path.to_owned(),
        source,
    };
    let text = match fs::read(path) {
        Ok(bytes) => String::from_utf8(bytes).map_err(|e| {
            io(
                "read",
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!(
                        "it is not UTF-8 text (byte {})",
                        e.utf8_error().valid_up_to()
                    ),
                ),
            )
        })?,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(error) => return Err(io("read", error)),
    };
    crate::ini::parse(&text).map_err(|e| WriteError::Parse(crate::model::parse_error(path, e)))?;
    Ok(text)
}

/// Sets one `key = value` in `[section]` (see [`ConfigDocument::update_section`]).
///
/// # Errors
///
/// As for [`edit`].
pub fn write_key(path: &Path, section: &str, key: &str, value: &str) -> Result<(), WriteError> {
    edit(path, |document| {
        document
            .update_section(section, &[(key, value)])
            .map_err(WriteError::edit(path))
    })
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set_key(text: &str, section: &str, key: &str, value: &str) -> Result<String, EditError> {
        let mut document = ConfigDocument::parse(text);
        document.update_section(section, &[(key, value)])?;
        Ok(document.text())
    }

    #[test]
    fn replaces_a_key_in_place_and_keeps_everything_else() {
        let text = "# mine\n[sso-session corp]\nsso_start_url = https://x\nsso_region = us-east-1 # old\n\n[profile dev]\nregion = eu-west-1\n";
        assert_eq!(
            set_key(text, "sso-session corp", "sso_region", "eu-central-1").unwrap(),
            "# mine\n[sso-session corp]\nsso_start_url = https://x\nsso_region = eu-central-1\n\n[profile dev]\nregion = eu-west-1\n"
        );
    }

    #[test]
    fn adds_a_key_after_the_last_key_of_the_section() {
        let text = "[profile dev]\nregion = eu-west-1\n\n# next\n[profile other]\n";
        assert_eq!(
            set_key(text, "profile dev", "sso_region", "us-east-2").unwrap(),
            "[profile dev]\nregion = eu-west-1\nsso_region = us-east-2\n\n# next\n[profile other]\n"
        );
    }

    #[test]
    fn appends_a_missing_section_without_a_blank_line() {
        assert_eq!(
            set_key(
                "[default]\nregion = x",
                "profile default",
                "sso_region",
                "r"
            )
            .unwrap(),
            "[default]\nregion = x\n[profile default]\nsso_region = r\n"
        );
        assert_eq!(
            set_key("", "sso-session s", "k", "v").unwrap(),
            "[sso-session s]\nk = v\n"
        );
    }

    #[test]
    fn quoted_section_names_match() {
        let text = "[sso-session \"corp\"]\nsso_region = a\n";
        assert_eq!(
            set_key(text, "sso-session corp", "sso_region", "b").unwrap(),
            "[sso-session \"corp\"]\nsso_region = b\n"
        );
    }

    #[test]
    fn refuses_line_breaks() {
        assert!(matches!(
            set_key("", "profile p", "k", "a\nb"),
            Err(EditError::LineBreak { .. })
        ));
    }

    #[test]
    fn writes_atomically_and_keeps_the_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config");
        write_key(&path, "sso-session s", "sso_region", "r1").unwrap();
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
        write_key(&path, "sso-session s", "sso_region", "r2").unwrap();
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "[sso-session s]\nsso_region = r2\n"
        );
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o640
        );
        assert_eq!(
            fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temp files left"
        );
    }
}
