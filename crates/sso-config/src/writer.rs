//! Editing `~/.aws/config` the way `aws configure` does (awscli `configure/writer.py`): one key
//! set in one section, everything else — comments, order, spacing — left byte for byte.
//!
//! Rules copied from the AWS CLI (spec cli-behavior §7): an existing key is replaced on its own
//! line; a new key goes after the section's last key line; a missing section is appended at the
//! end of the file with no blank line before it (a newline is added only if the file lacks a
//! trailing one); values containing a line break are refused. [`set_key`] is the pure edit;
//! [`write_key`] reads, edits and replaces the file atomically (temp file + rename), keeping
//! its permissions, or creating it 0600.

use std::fs;
use std::io::Write as _;
use std::path::Path;

/// Why the config file could not be edited.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The value would break the INI format.
    #[error("cannot write `{key}` to the config file: the value contains a line break")]
    LineBreak {
        /// The key.
        key: String,
    },
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

/// Sets `key = value` in section `[section]` of the config text.
///
/// `section` is the header text without brackets, e.g. `sso-session my-sso` or `profile dev`;
/// a header that quotes the name (`[sso-session "my-sso"]`) matches too, as in the AWS CLI.
pub fn set_key(text: &str, section: &str, key: &str, value: &str) -> Result<String, WriteError> {
    if value.contains(['\r', '\n']) {
        return Err(WriteError::LineBreak {
            key: key.to_owned(),
        });
    }
    let line_for = format!("{key} = {value}");
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let Some(header) = lines.iter().position(|line| is_header_of(line, section)) else {
        let mut out = text.to_owned();
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(&format!("[{section}]\n{line_for}\n"));
        return Ok(out);
    };
    let end = lines[header + 1..]
        .iter()
        .position(|line| line.trim_start().starts_with('['))
        .map_or(lines.len(), |offset| header + 1 + offset);
    let body = header + 1..end;
    let existing = body
        .clone()
        .find(|&i| key_of(lines[i]).is_some_and(|k| k == key));
    let mut out: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
    match existing {
        Some(i) => {
            let newline = if out[i].ends_with('\n') { "\n" } else { "" };
            out[i] = format!("{line_for}{newline}");
        }
        None => {
            let last_key = body
                .rev()
                .find(|&i| key_of(lines[i]).is_some())
                .unwrap_or(header);
            if !out[last_key].ends_with('\n') {
                out[last_key].push('\n');
            }
            out.insert(last_key + 1, format!("{line_for}\n"));
        }
    }
    Ok(out.concat())
}

/// Reads `path`, sets the key, and replaces the file atomically.
pub fn write_key(path: &Path, section: &str, key: &str, value: &str) -> Result<(), WriteError> {
    let io = |action, source| WriteError::Io {
        action,
        path: path.to_owned(),
        source,
    };
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(error) => return Err(io("read", error)),
    };
    let edited = set_key(&text, section, key, value)?;
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    fs::create_dir_all(dir).map_err(|e| io("create the directory of", e))?;
    let mut temp = tempfile::NamedTempFile::new_in(dir).map_err(|e| io("write", e))?;
    if let Ok(metadata) = fs::metadata(path) {
        // Keep the user's permissions; a new file stays 0600 (NamedTempFile's mode).
        let _ = temp.as_file().set_permissions(metadata.permissions());
    }
    temp.write_all(edited.as_bytes())
        .and_then(|()| temp.as_file().sync_all())
        .map_err(|e| io("write", e))?;
    temp.persist(path).map_err(|e| io("replace", e.error))?;
    Ok(())
}

fn is_header_of(line: &str, section: &str) -> bool {
    let line = line.trim();
    let Some(inner) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) else {
        return false;
    };
    let inner = inner.trim();
    if inner == section {
        return true;
    }
    // `[sso-session "name"]` matches `sso-session name`.
    match (
        inner.split_once(char::is_whitespace),
        section.split_once(' '),
    ) {
        (Some((kind, name)), Some((want_kind, want_name))) => {
            kind == want_kind && name.trim().trim_matches('"') == want_name
        }
        _ => false,
    }
}

/// The key of a `key = value` line (lower-cased like botocore), `None` for other lines.
fn key_of(line: &str) -> Option<String> {
    if line.starts_with([' ', '\t']) {
        return None; // a nested sub-section line
    }
    let trimmed = line.trim();
    if trimmed.is_empty() || trimmed.starts_with(['#', ';', '[']) {
        return None;
    }
    let end = trimmed.find(['=', ':'])?;
    Some(trimmed[..end].trim().to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

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
            Err(WriteError::LineBreak { .. })
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
