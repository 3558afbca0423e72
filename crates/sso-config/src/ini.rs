//! The INI reader: Python `configparser.RawConfigParser` (strict) plus botocore's nested
//! sub-sections, line for line.
//!
//! The AWS CLI reads `~/.aws/config` and `~/.aws/credentials` with
//! `botocore.configloader.raw_config_parse`, which is `RawConfigParser().read(path)` followed by
//! `_parse_nested` on every value that starts with a newline. Existing Rust INI crates differ from
//! that on the details users actually hit (inline `#` kept in values, `:` as a delimiter,
//! indentation-based continuation lines, the `[DEFAULT]` section, strict duplicate detection), so
//! this module reimplements CPython's `_read` state machine directly. Each quirk we copy is noted
//! where it happens. Input is already-decoded text; the caller owns file I/O.

use indexmap::IndexMap;
use std::collections::HashMap;

use crate::error::ParseProblem;
use crate::model::{Properties, Value};

/// One `[section]` of a file, in file order, with its options (the `[DEFAULT]` options
/// appended, as `RawConfigParser.options()` does) and nested values already parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawSection {
    /// The text between the brackets, exactly (case and inner spaces kept).
    pub(crate) name: String,
    /// The options.
    pub(crate) properties: Properties,
}

/// A parse failure: 1-based line number and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RawError {
    pub(crate) line: usize,
    pub(crate) problem: ParseProblem,
}

/// Python's `str.isspace()` (and `\s` in `re`): Unicode `White_Space` plus the four ASCII
/// separators U+001C..U+001F, which Rust's `char::is_whitespace` does not include.
pub(crate) fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `str.strip()`.
pub(crate) fn py_strip(s: &str) -> &str {
    s.trim_matches(is_py_space)
}

/// Python's `str.rstrip()`.
fn py_rstrip(s: &str) -> &str {
    s.trim_end_matches(is_py_space)
}

/// Line boundaries of Python's `str.splitlines()` besides `\r` and `\n` (which universal
/// newlines have already turned into line ends before we get here).
fn is_extra_line_boundary(c: char) -> bool {
    matches!(
        c,
        '\u{0b}' | '\u{0c}' | '\u{1c}' | '\u{1d}' | '\u{1e}' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

/// Splits text into lines the way Python's text-mode file iteration does with universal
/// newlines: `\r\n`, `\r` and `\n` all end a line, and a final line terminator does not
/// start an extra empty line.
fn universal_lines(text: &str) -> impl Iterator<Item = &str> {
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => {
                    let line = &text[start..i];
                    i += 1;
                    start = i;
                    return Some(line);
                }
                b'\r' => {
                    let line = &text[start..i];
                    i += 1;
                    if bytes.get(i) == Some(&b'\n') {
                        i += 1;
                    }
                    start = i;
                    return Some(line);
                }
                _ => i += 1,
            }
        }
        if start < bytes.len() {
            let line = &text[start..];
            start = bytes.len();
            return Some(line);
        }
        None
    })
}

/// Shortens a line for an error message, so a pathological file cannot produce a huge one.
pub(crate) fn excerpt(line: &str) -> String {
    const MAX: usize = 60;
    let line = py_strip(line);
    if line.chars().count() <= MAX {
        line.to_owned()
    } else {
        let mut short: String = line.chars().take(MAX).collect();
        short.push('…');
        short
    }
}

/// An option value while the file is being read: the value lines (continuation lines
/// included) with their source line numbers, joined only at the end as Python does.
#[derive(Debug, Clone)]
struct PendingValue {
    lines: Vec<(String, usize)>,
}

/// Which section lines currently go to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Current {
    /// Before the first section header.
    Nothing,
    /// `[DEFAULT]`: `configparser.DEFAULTSECT`, whose options every section inherits.
    Defaults,
    /// A regular section (index into `sections`).
    Section(usize),
}

/// The name configparser gives its special inherited section.
const DEFAULT_SECTION: &str = "DEFAULT";

struct Reader {
    sections: Vec<(String, IndexMap<String, PendingValue>)>,
    index: HashMap<String, usize>,
    defaults: IndexMap<String, PendingValue>,
    current: Current,
    /// The option continuation lines append to. `Some("")` is possible (after a `= v` line)
    /// and, as in Python, does not accept continuations because `""` is falsy.
    option: Option<String>,
    indent_level: usize,
    /// configparser reports malformed lines only after reading the whole file, but raises
    /// duplicate and missing-header errors at once; we keep the first malformed line here.
    first_malformed: Option<RawError>,
    /// Line of each section header, for the duplicate-section message.
    header_lines: Vec<usize>,
}

impl Reader {
    fn current_map(&mut self) -> Option<&mut IndexMap<String, PendingValue>> {
        match self.current {
            Current::Nothing => None,
            Current::Defaults => Some(&mut self.defaults),
            Current::Section(i) => self.sections.get_mut(i).map(|(_, map)| map),
        }
    }

    fn current_name(&self) -> &str {
        match self.current {
            Current::Section(i) => self.sections.get(i).map_or("", |(name, _)| name.as_str()),
            Current::Defaults | Current::Nothing => DEFAULT_SECTION,
        }
    }

    fn malformed(&mut self, line: usize, problem: ParseProblem) {
        if self.first_malformed.is_none() {
            self.first_malformed = Some(RawError { line, problem });
        }
    }

    /// Handles one physical line (no line terminator). Returns a fatal error, if any.
    fn line(&mut self, lineno: usize, raw: &str) -> Result<(), RawError> {
        let stripped = py_strip(raw);
        // Full-line comments: `#` or `;` after leading whitespace. Inline comments are not
        // recognised at all (`inline_comment_prefixes=None`), so `region = x # y` keeps `# y`.
        let is_comment = stripped.starts_with('#') || stripped.starts_with(';');
        if stripped.is_empty() || is_comment {
            // `empty_lines_in_values=True`: a blank (not comment) line becomes an empty line
            // inside the current value; trailing ones are removed when values are joined.
            if !is_comment
                && let Some(option) = self.option.clone().filter(|o| !o.is_empty())
                && let Some(value) = self.current_map().and_then(|m| m.get_mut(&option))
            {
                value.lines.push((String::new(), lineno));
            }
            return Ok(());
        }

        let indent = raw.chars().take_while(|&c| is_py_space(c)).count();
        let has_option = self.option.as_deref().is_some_and(|o| !o.is_empty());
        if self.current != Current::Nothing && has_option && indent > self.indent_level {
            // A continuation line: more indented than the option line it belongs to.
            let option = self.option.clone().unwrap_or_default();
            if let Some(value) = self.current_map().and_then(|m| m.get_mut(&option)) {
                value.lines.push((stripped.to_owned(), lineno));
            }
            return Ok(());
        }
        self.indent_level = indent;

        if let Some(name) = section_header(stripped) {
            self.header(lineno, name)?;
            return Ok(());
        }
        if self.current == Current::Nothing {
            return Err(RawError {
                line: lineno,
                problem: if lineno == 1 && raw.starts_with('\u{feff}') {
                    ParseProblem::ByteOrderMark
                } else {
                    ParseProblem::OutsideSection { text: excerpt(raw) }
                },
            });
        }
        self.option_line(lineno, raw, stripped)
    }

    fn header(&mut self, lineno: usize, name: &str) -> Result<(), RawError> {
        if let Some(&i) = self.index.get(name) {
            return Err(RawError {
                line: lineno,
                problem: ParseProblem::DuplicateSection {
                    section: name.to_owned(),
                    first_line: self.header_lines.get(i).copied().unwrap_or(0),
                },
            });
        }
        if name == DEFAULT_SECTION {
            // `[DEFAULT]` may be opened again without error (it is not in `_sections`), but its
            // keys still count for duplicate detection.
            self.current = Current::Defaults;
        } else {
            self.index.insert(name.to_owned(), self.sections.len());
            self.sections.push((name.to_owned(), IndexMap::new()));
            self.header_lines.push(lineno);
            self.current = Current::Section(self.sections.len() - 1);
        }
        self.option = None;
        Ok(())
    }

    fn option_line(&mut self, lineno: usize, raw: &str, stripped: &str) -> Result<(), RawError> {
        // OPTCRE: `(?P<option>.*?)\s*(?P<vi>=|:)\s*(?P<value>.*)$`, i.e. split at the first
        // `=` or `:`, whichever comes first.
        let Some(delimiter) = stripped.find(['=', ':']) else {
            self.malformed(lineno, ParseProblem::NotKeyValue { text: excerpt(raw) });
            return Ok(());
        };
        let name = py_rstrip(&stripped[..delimiter]);
        let value = py_strip(&stripped[delimiter + 1..]);
        if name.is_empty() {
            // Python records the error but still stores the option under the name "".
            self.malformed(lineno, ParseProblem::EmptyKey { text: excerpt(raw) });
        }
        // `optionxform` lower-cases option names (Python `str.lower`, Unicode-aware).
        let key = name.to_lowercase();
        let section = self.current_name().to_owned();
        let Some(map) = self.current_map() else {
            return Ok(());
        };
        if map.contains_key(&key) {
            return Err(RawError {
                line: lineno,
                problem: ParseProblem::DuplicateKey { section, key },
            });
        }
        map.insert(
            key.clone(),
            PendingValue {
                lines: vec![(value.to_owned(), lineno)],
            },
        );
        self.option = Some(key);
        Ok(())
    }
}

/// SECTCRE: `\[(?P<header>.+)\]` matched at the start of the stripped line. The greedy `.+`
/// makes the name run to the *last* `]`; anything after it is ignored.
pub(crate) fn section_header(stripped: &str) -> Option<&str> {
    let rest = stripped.strip_prefix('[')?;
    let close = rest.rfind(']')?;
    (close > 0).then(|| &rest[..close])
}

/// Reads INI text. Sections come back in file order, excluding `[DEFAULT]`, whose options are
/// appended to every section's (Python's `options()` + `get()`).
pub(crate) fn parse(text: &str) -> Result<Vec<RawSection>, RawError> {
    let mut reader = Reader {
        sections: Vec::new(),
        index: HashMap::new(),
        defaults: IndexMap::new(),
        current: Current::Nothing,
        option: None,
        indent_level: 0,
        first_malformed: None,
        header_lines: Vec::new(),
    };
    for (i, line) in universal_lines(text).enumerate() {
        reader.line(i + 1, line)?;
    }
    if let Some(error) = reader.first_malformed {
        return Err(error);
    }

    let mut out = Vec::with_capacity(reader.sections.len());
    for (name, options) in &reader.sections {
        let mut properties = Properties::new();
        let inherited = reader
            .defaults
            .iter()
            .filter(|(key, _)| !options.contains_key(*key));
        for (key, pending) in options.iter().chain(inherited) {
            properties.insert(key.clone(), finish_value(key, pending)?);
        }
        out.push(RawSection {
            name: name.clone(),
            properties,
        });
    }
    Ok(out)
}

/// Joins value lines (`'\n'.join(lines).rstrip()`) and, as botocore's `raw_config_parse` does,
/// turns a value that starts with a newline into a nested sub-section.
fn finish_value(key: &str, pending: &PendingValue) -> Result<Value, RawError> {
    let mut joined = String::new();
    for (i, (line, _)) in pending.lines.iter().enumerate() {
        if i > 0 {
            joined.push('\n');
        }
        joined.push_str(line);
    }
    let joined = py_rstrip(&joined);
    if !joined.starts_with('\n') {
        return Ok(Value::Text(joined.to_owned()));
    }
    // `_parse_nested`: every non-blank line must contain `=` (`:` is not a delimiter here) and
    // nested keys keep their case; a repeated nested key silently replaces the earlier one.
    let mut nested = IndexMap::new();
    for (line, lineno) in &pending.lines {
        for piece in line.split(is_extra_line_boundary) {
            let piece = py_strip(piece);
            if piece.is_empty() {
                continue;
            }
            let Some((k, v)) = piece.split_once('=') else {
                return Err(RawError {
                    line: *lineno,
                    problem: ParseProblem::NestedNotKeyValue {
                        key: key.to_owned(),
                        text: excerpt(piece),
                    },
                });
            };
            nested.insert(py_strip(k).to_owned(), py_strip(v).to_owned());
        }
    }
    Ok(Value::Nested(nested))
}
