//! A lossless model of a config file: every physical line kept byte for byte, each classified
//! by the same rules the reader (`ini`) applies, so edits can touch exactly the lines they mean
//! to and nothing else.
//!
//! Every writer of `~/.aws/config` goes through [`ConfigDocument`]: the vanity-URL region
//! write-back of `login`, `configure sso`/`sso-session` and `configure populate`. The edits are
//! the AWS CLI's (`awscli/customizations/configure/writer.py`, spec cli-behavior §7):
//!
//! * [`ConfigDocument::update_section`] replaces an existing key on its own line and inserts
//!   missing keys, in the order given, after the section's last key line; a missing section is
//!   appended at the end with no blank line before it (a newline is added only when the file
//!   lacks a trailing one). Section headers match as `[sso-session NAME]` or
//!   `[sso-session "NAME"]`. Values (and keys, and names) containing CR or LF are refused.
//! * [`ConfigDocument::set_managed_block`] (ours, for `configure populate`) owns the lines
//!   between a `# BEGIN …` and an `# END …` comment and nothing outside them.
//!
//! Comments, blank lines, odd spacing, unknown keys and sections, `[services]` sub-sections and
//! line endings (`\r\n` included) of every line not edited survive unchanged.

use crate::ini::{is_py_space, py_strip, section_header};

/// Why an edit was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// A line break would split a line of the INI format and change what is read back.
    #[error(
        "cannot write {what} `{text}` to the config file: it contains a line break; use a value on one line"
    )]
    LineBreak {
        /// "the value of KEY", "the key", "the section name".
        what: String,
        /// The offending text, with the line breaks escaped.
        text: String,
    },
    /// A managed block's `# BEGIN` line has no `# END` line, so where it ends is unknown.
    #[error(
        "the block of profiles managed by aws-sso that starts on line {line} has no `{end}` line; put that line back after the block's last profile (or delete the whole block) and run the command again"
    )]
    UnclosedBlock {
        /// 1-based line of the `# BEGIN` marker.
        line: usize,
        /// The missing marker.
        end: String,
    },
}

/// What one physical line is, to the INI reader.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Kind {
    /// Empty or whitespace only.
    Blank,
    /// `#` or `;` after optional whitespace.
    Comment,
    /// `[NAME]`; the text between the brackets.
    Header(String),
    /// `key = value` (or `key: value`); the key, lower-cased as botocore reads it.
    Key(String),
    /// More indented than the key line it continues (a nested sub-section or a multi-line value).
    Continuation,
    /// Anything else (the reader rejects it).
    Other,
}

/// One physical line: its text with its line terminator (none on a last unterminated line).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Line {
    text: String,
    kind: Kind,
}

/// A config file as lines (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConfigDocument {
    lines: Vec<Line>,
}

/// Splits text into lines that keep their terminators (`\n`, `\r\n` or a lone `\r`, the line
/// ends the reader's universal newlines recognise).
fn physical_lines(text: &str) -> Vec<&str> {
    let bytes = text.as_bytes();
    let mut lines = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                lines.push(&text[start..=i]);
                start = i + 1;
            }
            b'\r' => {
                let end = if bytes.get(i + 1) == Some(&b'\n') {
                    i + 1
                } else {
                    i
                };
                lines.push(&text[start..=end]);
                i = end;
                start = end + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if start < bytes.len() {
        lines.push(&text[start..]);
    }
    lines
}

/// The line without its terminator.
fn content(line: &str) -> &str {
    line.trim_end_matches(['\n', '\r'])
}

/// Classifies every line with the reader's state machine (`ini::Reader::line`): comments and
/// blank lines never end a value; a line more indented than the key line before it continues
/// that key; otherwise it is a header, a key line, or malformed.
fn classify(lines: &[&str]) -> Vec<Kind> {
    let mut kinds = Vec::with_capacity(lines.len());
    let mut in_section = false;
    let mut has_option = false;
    let mut indent_level = 0;
    for line in lines {
        let raw = content(line);
        let stripped = py_strip(raw);
        if stripped.is_empty() {
            kinds.push(Kind::Blank);
            continue;
        }
        if stripped.starts_with(['#', ';']) {
            kinds.push(Kind::Comment);
            continue;
        }
        let indent = raw.chars().take_while(|&c| is_py_space(c)).count();
        if in_section && has_option && indent > indent_level {
            kinds.push(Kind::Continuation);
            continue;
        }
        indent_level = indent;
        if let Some(name) = section_header(stripped) {
            in_section = true;
            has_option = false;
            kinds.push(Kind::Header(name.to_owned()));
            continue;
        }
        match stripped.find(['=', ':']) {
            Some(delimiter) if in_section => {
                let key = stripped[..delimiter].trim_end_matches(is_py_space);
                has_option = !key.is_empty();
                kinds.push(Kind::Key(key.to_lowercase()));
            }
            _ => kinds.push(Kind::Other),
        }
    }
    kinds
}

/// Whether header text `inner` names `section` (`kind name`, or `kind "name"` quoted).
fn header_matches(inner: &str, section: &str) -> bool {
    let inner = inner.trim();
    if inner == section {
        return true;
    }
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

fn refuse_line_breaks(what: impl FnOnce() -> String, text: &str) -> Result<(), EditError> {
    if text.contains(['\r', '\n']) {
        return Err(EditError::LineBreak {
            what: what(),
            text: text.replace('\r', "\\r").replace('\n', "\\n"),
        });
    }
    Ok(())
}

/// The leading whitespace of a line.
fn indentation(line: &str) -> &str {
    let body = line.trim_start_matches(is_py_space);
    &line[..line.len() - body.len()]
}

/// The markers of a managed block.
fn markers(id: &str) -> (String, String) {
    (format!("# BEGIN {id}"), format!("# END {id}"))
}

impl ConfigDocument {
    /// The document of `text` (which need not be a valid config: malformed lines are kept).
    pub fn parse(text: &str) -> Self {
        let lines = physical_lines(text);
        let kinds = classify(&lines);
        Self {
            lines: lines
                .into_iter()
                .zip(kinds)
                .map(|(text, kind)| Line {
                    text: text.to_owned(),
                    kind,
                })
                .collect(),
        }
    }

    /// The file's text.
    pub fn text(&self) -> String {
        self.lines.iter().map(|line| line.text.as_str()).collect()
    }

    /// Re-classifies after an edit (kinds depend on the lines before them).
    fn reparse(&mut self) {
        *self = Self::parse(&self.text());
    }

    /// The line index of the first header of `section` (see the module docs for matching).
    fn header_index(&self, section: &str) -> Option<usize> {
        self.lines.iter().position(
            |line| matches!(&line.kind, Kind::Header(inner) if header_matches(inner, section)),
        )
    }

    /// The lines of the section starting at header `start`: up to the next header.
    fn section_end(&self, start: usize) -> usize {
        self.lines[start + 1..]
            .iter()
            .position(|line| matches!(line.kind, Kind::Header(_)))
            .map_or(self.lines.len(), |offset| start + 1 + offset)
    }

    /// Whether a `[section]` header exists.
    pub fn has_section(&self, section: &str) -> bool {
        self.header_index(section).is_some()
    }

    /// Sets `key = value` for every pair in `[section]` (header text without brackets, e.g.
    /// `profile dev`, `sso-session corp`, `default`), creating the section when missing. All
    /// pairs are checked before anything changes.
    ///
    /// # Errors
    ///
    /// [`EditError::LineBreak`] when a section name, key or value contains CR or LF.
    pub fn update_section(
        &mut self,
        section: &str,
        pairs: &[(&str, &str)],
    ) -> Result<(), EditError> {
        refuse_line_breaks(|| "the section name".into(), section)?;
        for (key, value) in pairs {
            refuse_line_breaks(|| "the key".into(), key)?;
            refuse_line_breaks(|| format!("the value of {key}"), value)?;
        }
        let Some(header) = self.header_index(section) else {
            let mut text = String::new();
            if self
                .lines
                .last()
                .is_some_and(|line| !line.text.ends_with(['\n', '\r']))
            {
                text.push('\n');
            }
            text.push_str(&format!("[{section}]\n"));
            for (key, value) in pairs {
                text.push_str(&format!("{key} = {value}\n"));
            }
            self.append_text(&text);
            return Ok(());
        };
        let end = self.section_end(header);
        let mut missing = Vec::new();
        for (key, value) in pairs {
            let wanted = key.to_lowercase();
            let existing = (header + 1..end)
                .find(|&i| matches!(&self.lines[i].kind, Kind::Key(k) if *k == wanted));
            let Some(i) = existing else {
                missing.push((key, value));
                continue;
            };
            let line = &self.lines[i].text;
            let last = self.value_end(i, end);
            let current = content(line)
                .split_once(['=', ':'])
                .map(|(_, value)| py_strip(value));
            if last == i && current == Some(*value) {
                continue; // Already so: the line stays as the user wrote it.
            }
            // Same indentation as before: a key moved left of its neighbours would turn the
            // indented lines after it into its continuation.
            let ending = &line[content(line).len()..];
            let replaced = format!("{}{key} = {value}{ending}", indentation(line));
            self.lines[i].text = replaced;
            // A value that continued onto indented lines is replaced whole; comments and
            // blank lines among them stay (the reader skips them).
            for line in &mut self.lines[i + 1..=last] {
                if line.kind == Kind::Continuation {
                    line.text.clear();
                }
            }
        }
        self.reparse();
        if missing.is_empty() {
            return Ok(());
        }
        let header = self.header_index(section).unwrap_or(header);
        let end = self.section_end(header);
        let anchor = (header..end)
            .rev()
            .find(|&i| matches!(self.lines[i].kind, Kind::Key(_)))
            .unwrap_or(header);
        let after = self.value_end(anchor, end);
        let indent = if anchor == header {
            // Directly under the header: as indented as whatever comes next, so that line
            // (an indented header, say) does not become the new key's continuation.
            let next = self.lines[after + 1..]
                .iter()
                .find(|line| !matches!(line.kind, Kind::Blank | Kind::Comment))
                .map_or("", |line| indentation(&line.text));
            let own = indentation(&self.lines[header].text);
            if next.chars().count() > own.chars().count() {
                next
            } else {
                own
            }
        } else {
            indentation(&self.lines[anchor].text)
        }
        .to_owned();
        let ending = if self.lines[after].text.ends_with("\r\n") {
            "\r\n"
        } else {
            "\n"
        };
        if !self.lines[after].text.ends_with(['\n', '\r']) {
            self.lines[after].text.push_str(ending);
        }
        let inserted: String = missing
            .iter()
            .map(|(key, value)| format!("{indent}{key} = {value}{ending}"))
            .collect();
        self.lines.insert(
            after + 1,
            Line {
                text: inserted,
                kind: Kind::Other,
            },
        );
        self.reparse();
        Ok(())
    }

    /// The last line of the value that starts on key line `i` (its continuation lines, with
    /// any blank or comment lines among them), before section end `end`.
    fn value_end(&self, i: usize, end: usize) -> usize {
        let mut last = i;
        for j in i + 1..end {
            match self.lines[j].kind {
                Kind::Continuation => last = j,
                Kind::Blank | Kind::Comment => {}
                _ => break,
            }
        }
        last
    }

    /// The 1-based line of `[section]`'s header.
    pub fn header_line(&self, section: &str) -> Option<usize> {
        self.header_index(section).map(|i| i + 1)
    }

    /// Rewrites the line of `old_key` in `[section]` as `new_key = value` in place (its
    /// continuation lines go with it). Returns whether the key was there.
    ///
    /// # Errors
    ///
    /// [`EditError::LineBreak`] for a key or value with a line break.
    pub fn rename_key(
        &mut self,
        section: &str,
        old_key: &str,
        new_key: &str,
        value: &str,
    ) -> Result<bool, EditError> {
        refuse_line_breaks(|| "the key".into(), new_key)?;
        refuse_line_breaks(|| format!("the value of {new_key}"), value)?;
        let Some(i) = self.key_index(section, old_key) else {
            return Ok(false);
        };
        let end = self.section_end(self.header_index(section).unwrap_or(0));
        let last = self.value_end(i, end);
        let line = &self.lines[i].text;
        let ending = &line[content(line).len()..];
        self.lines[i].text = format!("{}{new_key} = {value}{ending}", indentation(line));
        for line in &mut self.lines[i + 1..=last] {
            if line.kind == Kind::Continuation {
                line.text.clear();
            }
        }
        self.reparse();
        Ok(true)
    }

    /// Deletes `keys` (and their continuation lines) from `[section]`; comments and blank
    /// lines stay.
    pub fn remove_keys(&mut self, section: &str, keys: &[&str]) {
        for key in keys {
            let Some(i) = self.key_index(section, key) else {
                continue;
            };
            let end = self.section_end(self.header_index(section).unwrap_or(0));
            let last = self.value_end(i, end);
            for line in &mut self.lines[i..=last] {
                if matches!(line.kind, Kind::Key(_) | Kind::Continuation) {
                    line.text.clear();
                }
            }
            self.reparse();
        }
    }

    fn key_index(&self, section: &str, key: &str) -> Option<usize> {
        let header = self.header_index(section)?;
        let wanted = key.to_lowercase();
        (header + 1..self.section_end(header))
            .find(|&i| matches!(&self.lines[i].kind, Kind::Key(k) if *k == wanted))
    }

    fn append_text(&mut self, text: &str) {
        let mut all = self.text();
        all.push_str(text);
        *self = Self::parse(&all);
    }

    /// The section header texts (between the brackets) outside the managed block `id`, in
    /// file order.
    ///
    /// # Errors
    ///
    /// [`EditError::UnclosedBlock`], as for [`ConfigDocument::managed_block`].
    pub fn headers_outside(&self, id: &str) -> Result<Vec<String>, EditError> {
        let block = self.block_range(id)?;
        Ok(self
            .lines
            .iter()
            .enumerate()
            .filter(|(i, _)| block.as_ref().is_none_or(|range| !range.contains(i)))
            .filter_map(|(_, line)| match &line.kind {
                Kind::Header(inner) => Some(inner.clone()),
                _ => None,
            })
            .collect())
    }

    /// The line range of managed block `id`, markers included.
    fn block_range(&self, id: &str) -> Result<Option<std::ops::Range<usize>>, EditError> {
        let (begin, end) = markers(id);
        let marker = |i: usize, marker: &str| content(&self.lines[i].text).trim_end() == marker;
        let Some(start) = (0..self.lines.len()).find(|&i| marker(i, &begin)) else {
            return Ok(None);
        };
        match (start + 1..self.lines.len()).find(|&i| marker(i, &end)) {
            Some(stop) => Ok(Some(start..stop + 1)),
            None => Err(EditError::UnclosedBlock {
                line: start + 1,
                end,
            }),
        }
    }

    /// The text between the markers of managed block `id` (markers excluded), if there is one.
    ///
    /// # Errors
    ///
    /// [`EditError::UnclosedBlock`] when the `# BEGIN` line has no `# END` line after it.
    pub fn managed_block(&self, id: &str) -> Result<Option<String>, EditError> {
        Ok(self.block_range(id)?.map(|range| {
            self.lines[range.start + 1..range.end - 1]
                .iter()
                .map(|line| line.text.as_str())
                .collect()
        }))
    }

    /// Replaces the text of managed block `id` (`body`: whole lines, each ending in `\n`) in
    /// place, or appends a new block at the end of the file after one blank line. An empty
    /// `body` removes the block, its markers and the blank line it was appended after.
    ///
    /// # Errors
    ///
    /// [`EditError::UnclosedBlock`], as for [`ConfigDocument::managed_block`].
    pub fn set_managed_block(&mut self, id: &str, body: &str) -> Result<(), EditError> {
        let (begin, end) = markers(id);
        let block = if body.is_empty() {
            String::new()
        } else {
            format!("{begin}\n{body}{end}\n")
        };
        let text = match self.block_range(id)? {
            Some(range) => {
                let mut start = range.start;
                if block.is_empty()
                    && range.end == self.lines.len()
                    && start > 0
                    && self.lines[start - 1].kind == Kind::Blank
                {
                    start -= 1;
                }
                let mut text = self.text_of(0..start);
                text.push_str(&block);
                text.push_str(&self.text_of(range.end..self.lines.len()));
                text
            }
            None if block.is_empty() => return Ok(()),
            None => {
                let mut text = self.text();
                // One blank line before the block, which removing the block takes away again.
                match self.lines.last() {
                    None => {}
                    Some(line) if !line.text.ends_with(['\n', '\r']) => text.push_str("\n\n"),
                    Some(_) => text.push('\n'),
                }
                text.push_str(&block);
                text
            }
        };
        *self = Self::parse(&text);
        Ok(())
    }

    fn text_of(&self, range: std::ops::Range<usize>) -> String {
        self.lines[range]
            .iter()
            .map(|line| line.text.as_str())
            .collect()
    }
}

/// The section header text of profile `name`, as `aws configure` writes it: `default`, or
/// `profile NAME` with a name containing a space or tab shell-quoted.
pub fn profile_section(name: &str) -> String {
    if name == "default" {
        return name.to_owned();
    }
    section_header_of("profile", name)
}

/// `get_section_header`: `KIND NAME`, the name shell-quoted when it contains a space or tab.
pub fn section_header_of(kind: &str, name: &str) -> String {
    if name.contains([' ', '\t']) {
        format!("{kind} {}", crate::shlex::quote(name))
    } else {
        format!("{kind} {name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ini::{RawSection, parse};
    use crate::model::Value;
    use proptest::prelude::*;

    fn edited(text: &str, section: &str, pairs: &[(&str, &str)]) -> String {
        let mut document = ConfigDocument::parse(text);
        document.update_section(section, pairs).unwrap();
        document.text()
    }

    #[test]
    fn a_batch_replaces_in_place_and_inserts_the_rest_after_the_last_key() {
        let text = "# top\n[profile dev]\nregion = eu-west-1 # mine\n  \n;note\n\n[sso-session s]\nsso_region=a\n";
        assert_eq!(
            edited(
                text,
                "profile dev",
                &[
                    ("sso_session", "s"),
                    ("region", "us-east-1"),
                    ("output", "json")
                ]
            ),
            "# top\n[profile dev]\nregion = us-east-1\nsso_session = s\noutput = json\n  \n;note\n\n[sso-session s]\nsso_region=a\n"
        );
    }

    #[test]
    fn a_key_that_already_has_the_value_is_left_as_written() {
        assert_eq!(
            edited("[default]\nregion=a   \n", "default", &[("region", "a")]),
            "[default]\nregion=a   \n"
        );
    }

    #[test]
    fn keys_are_renamed_in_place_and_removed_with_their_continuations() {
        let mut document = ConfigDocument::parse(
            "[profile old]\n  sso_start_url = https://x\n# why\nsso_region = a\n  more = 1\nregion = b\n",
        );
        assert!(
            document
                .rename_key("profile old", "sso_start_url", "sso_session", "x")
                .unwrap()
        );
        document.remove_keys("profile old", &["sso_region", "missing"]);
        assert_eq!(
            document.text(),
            "[profile old]\n  sso_session = x\n# why\nregion = b\n"
        );
        assert!(
            !document
                .rename_key("profile old", "nope", "k", "v")
                .unwrap()
        );
        assert_eq!(document.header_line("profile old"), Some(1));
    }

    #[test]
    fn crlf_files_stay_crlf() {
        assert_eq!(
            edited(
                "[default]\r\nregion = a\r\n",
                "default",
                &[("region", "b"), ("output", "json")]
            ),
            "[default]\r\nregion = b\r\noutput = json\r\n"
        );
    }

    #[test]
    fn a_nested_value_is_replaced_whole_and_keys_go_after_it() {
        let text = "[profile p]\ns3 =\n  max_concurrent_requests = 2\n  addressing_style = path\n[profile q]\n";
        assert_eq!(
            edited(text, "profile p", &[("region", "r")]),
            "[profile p]\ns3 =\n  max_concurrent_requests = 2\n  addressing_style = path\nregion = r\n[profile q]\n"
        );
        assert_eq!(
            edited(text, "profile p", &[("s3", "x")]),
            "[profile p]\ns3 = x\n[profile q]\n"
        );
    }

    #[test]
    fn a_missing_section_is_appended_without_a_blank_line() {
        assert_eq!(
            edited("[default]\nregion = x", "profile a b", &[("k", "v")]),
            "[default]\nregion = x\n[profile a b]\nk = v\n"
        );
        assert_eq!(
            edited("", "sso-session s", &[("k", "v")]),
            "[sso-session s]\nk = v\n"
        );
    }

    #[test]
    fn profile_sections_are_named_like_the_aws_cli_names_them() {
        assert_eq!(profile_section("default"), "default");
        assert_eq!(profile_section("dev"), "profile dev");
        assert_eq!(profile_section("my p"), "profile 'my p'");
        assert_eq!(
            section_header_of("sso-session", "it's me"),
            "sso-session 'it'\"'\"'s me'"
        );
    }

    #[test]
    fn line_breaks_are_refused_before_anything_changes() {
        let mut document = ConfigDocument::parse("[default]\n");
        let error = document
            .update_section("default", &[("region", "a"), ("output", "json\nx")])
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "cannot write the value of output `json\\nx` to the config file: it contains a line break; use a value on one line"
        );
        assert_eq!(document.text(), "[default]\n");
    }

    #[test]
    fn managed_blocks_are_appended_replaced_and_removed() {
        let id = "aws-sso populate s";
        let mut document = ConfigDocument::parse("[default]\nregion = x");
        document
            .set_managed_block(id, "[profile a]\nk = v\n")
            .unwrap();
        let first = document.text();
        assert_eq!(
            first,
            "[default]\nregion = x\n\n# BEGIN aws-sso populate s\n[profile a]\nk = v\n# END aws-sso populate s\n"
        );
        assert_eq!(
            document.managed_block(id).unwrap().as_deref(),
            Some("[profile a]\nk = v\n")
        );
        document
            .set_managed_block(id, "[profile a]\nk = v\n")
            .unwrap();
        assert_eq!(document.text(), first);
        let mut with_tail = ConfigDocument::parse(&format!("{first}# mine\n[profile z]\n"));
        with_tail.set_managed_block(id, "[profile b]\n").unwrap();
        assert_eq!(
            with_tail.text(),
            "[default]\nregion = x\n\n# BEGIN aws-sso populate s\n[profile b]\n# END aws-sso populate s\n# mine\n[profile z]\n"
        );
        assert_eq!(
            with_tail.headers_outside(id).unwrap(),
            ["default", "profile z"]
        );
        document.set_managed_block(id, "").unwrap();
        assert_eq!(document.text(), "[default]\nregion = x\n");
    }

    #[test]
    fn an_unclosed_block_is_refused() {
        let mut document = ConfigDocument::parse("[a]\n# BEGIN x\n[profile p]\n");
        assert_eq!(
            document.set_managed_block("x", "[profile q]\n"),
            Err(EditError::UnclosedBlock {
                line: 2,
                end: "# END x".into()
            })
        );
    }

    // Generated configs: sections of every kind, comments, blank lines, odd spacing, `:` as the
    // delimiter, nested values, CRLF line ends, a missing final newline.
    fn key() -> impl Strategy<Value = String> {
        prop::sample::select(vec![
            "region",
            "output",
            "sso_session",
            "Sso_Region",
            "s3",
            "x_y",
        ])
        .prop_map(str::to_owned)
    }

    fn value() -> impl Strategy<Value = String> {
        "[a-z0-9:/._#-]{0,12}"
    }

    fn line() -> impl Strategy<Value = String> {
        prop_oneof![
            (
                key(),
                value(),
                prop::sample::select(vec![" = ", "=", " =", ": ", "  =  ", "\t= "])
            )
                .prop_map(|(k, v, d)| format!("{k}{d}{v}")),
            "[#;][ a-z=]{0,10}".prop_map(|c| c),
            Just(String::new()),
            Just("   ".to_owned()),
            (key(), value()).prop_map(|(k, v)| format!("{k} =\n  nested_{v} = 1\n    deeper = 2")),
        ]
    }

    fn header() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("[default]".to_owned()),
            "[a-c]{1,2}".prop_map(|n| format!("[profile {n}]")),
            "[a-c]{1,2}".prop_map(|n| format!("[sso-session \"{n}\"]")),
            "[a-c]{1,2}".prop_map(|n| format!("  [services {n}]")),
        ]
    }

    /// A config that parses: sections with unique names and unique keys each.
    fn config() -> impl Strategy<Value = String> {
        (
            prop::collection::vec((header(), prop::collection::vec(line(), 0..6)), 0..5),
            any::<bool>(),
            any::<bool>(),
        )
            .prop_map(|(sections, crlf, final_newline)| {
                let mut text = String::new();
                for (header, lines) in sections {
                    text.push_str(&header);
                    text.push('\n');
                    for line in lines {
                        text.push_str(&line);
                        text.push('\n');
                    }
                }
                if !final_newline && text.ends_with('\n') {
                    text.pop();
                }
                if crlf {
                    text.replace('\n', "\r\n")
                } else {
                    text
                }
            })
            .prop_filter("a valid config", |text| parse(text).is_ok())
    }

    /// The same edit on the parsed model: keys replaced in place or appended, in order; a
    /// missing section appended.
    fn model_edit(
        mut sections: Vec<RawSection>,
        section: &str,
        pairs: &[(String, String)],
    ) -> Vec<RawSection> {
        let index = sections
            .iter()
            .position(|s| header_matches(&s.name, section))
            .unwrap_or_else(|| {
                sections.push(RawSection {
                    name: section.to_owned(),
                    properties: Default::default(),
                });
                sections.len() - 1
            });
        for (key, value) in pairs {
            sections[index]
                .properties
                .insert(key.to_lowercase(), Value::Text(value.clone()));
        }
        sections
    }

    fn target() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("default".to_owned()),
            "[a-c]{1,2}".prop_map(|n| format!("profile {n}")),
            "[a-c]{1,2}".prop_map(|n| format!("sso-session {n}")),
        ]
    }

    fn pairs() -> impl Strategy<Value = Vec<(String, String)>> {
        prop::collection::vec((key(), "NEW[a-z0-9:/._-]{0,9}"), 1..4).prop_map(|pairs| {
            let mut seen = std::collections::HashSet::new();
            pairs
                .into_iter()
                .filter(|(k, _)| seen.insert(k.to_lowercase()))
                .collect()
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

        #[test]
        fn an_edit_then_a_parse_equals_the_parse_then_the_edit(text in config(), section in target(), pairs in pairs()) {
            let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let after = edited(&text, &section, &borrowed);
            let expected = model_edit(parse(&text).unwrap(), &section, &pairs);
            prop_assert_eq!(parse(&after).unwrap(), expected);
        }

        #[test]
        fn untouched_lines_are_byte_identical(text in config(), section in target(), pairs in pairs()) {
            let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let before = ConfigDocument::parse(&text);
            let mut after = before.clone();
            after.update_section(&section, &borrowed).unwrap();
            // The lines the edit may change: the section's key lines for the edited keys, with
            // their continuation lines.
            let keys: Vec<String> = pairs.iter().map(|(k, _)| k.to_lowercase()).collect();
            let mut replaced = vec![false; before.lines.len()];
            if let Some(header) = before.header_index(&section) {
                let end = before.section_end(header);
                let mut in_edited = false;
                for (line, replaced) in before.lines[header + 1..end].iter().zip(&mut replaced[header + 1..end]) {
                    match &line.kind {
                        Kind::Key(k) => in_edited = keys.contains(k),
                        // Comments and blank lines inside a value stay; the value goes on.
                        Kind::Continuation | Kind::Blank | Kind::Comment => {}
                        _ => in_edited = false,
                    }
                    *replaced = in_edited && matches!(line.kind, Kind::Key(_) | Kind::Continuation);
                }
            }
            let written: Vec<String> = pairs.iter().map(|(k, v)| format!("{k} = {v}")).collect();
            let kept: Vec<&str> = before.lines.iter().zip(&replaced).filter(|(_, r)| !**r).map(|(l, _)| content(&l.text)).collect();
            let header_line = format!("[{section}]");
            let survivors: Vec<&str> = after.lines.iter().map(|l| content(&l.text))
                .filter(|l| !written.iter().any(|w| w == l.trim_start()) && (before.has_section(&section) || *l != header_line))
                .collect();
            // Line ends may be added to a last line that had none; compare content and ends.
            prop_assert_eq!(survivors, kept);
            let before_ends: Vec<&str> = before.lines.iter().zip(&replaced).filter(|(_, r)| !**r).map(|(l, _)| &l.text[content(&l.text).len()..]).collect();
            let survivors_ends: Vec<&str> = after.lines.iter()
                .filter(|l| { let c = content(&l.text); !written.iter().any(|w| w == c.trim_start()) && (before.has_section(&section) || c != header_line) })
                .map(|l| &l.text[content(&l.text).len()..]).collect();
            for (b, a) in before_ends.iter().zip(&survivors_ends) {
                prop_assert!(b == a || b.is_empty(), "line end {:?} became {:?}", b, a);
            }
        }

        #[test]
        fn a_managed_block_owns_only_its_lines(text in config(), body in prop::collection::vec("[a-c]{1,2}", 0..4)) {
            let id = "aws-sso configure populate: t";
            let body: String = body.iter().map(|n| format!("[profile m{n}]\nregion = r\n")).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
            let mut document = ConfigDocument::parse(&text);
            document.set_managed_block(id, &body).unwrap();
            let once = document.text();
            prop_assert_eq!(document.managed_block(id).unwrap().unwrap_or_default(), body.clone());
            document.set_managed_block(id, &body).unwrap();
            prop_assert_eq!(document.text(), once.as_str());
            prop_assert!(once.starts_with(text.trim_end_matches(['\r', '\n'])));
            prop_assert!(parse(&once).is_ok());
            document.set_managed_block(id, "").unwrap();
            let text_with_end = if body.is_empty() || text.is_empty() || text.ends_with(['\n', '\r']) { text } else { format!("{text}\n") };
            prop_assert_eq!(document.text(), text_with_end);
        }
    }
}
