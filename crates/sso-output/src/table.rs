//! `--output table`: the boxed layout of `awscli/table.py` driven by the table
//! builder of `awscli/formatter.py` (`TableFormatter`).
//!
//! The builder walks the result and opens one *section* per nested structure: the
//! top section is titled with the operation name, a dict's scalar keys become one
//! header row plus one value row (a single scalar key becomes a two-column key/value
//! row), a list of dicts becomes one header row plus one row per element with the
//! union of scalar keys as columns, and non-scalar values open indented sub-sections
//! titled with their key. The layout pass then sizes every section to the widest one
//! (columns scaled with Python's round-half-even), flips single-row sections to a
//! vertical key/value form when the table is wider than the terminal, and draws the
//! `|`/`+`/`-` frame, nesting `||` for each indent level.
//!
//! Shapes the AWS CLI cannot tabulate (rows of different lengths, scalars among a
//! list of dicts) make Python raise; we return the same exception text instead of
//! guessing a layout. Terminal detection is the caller's job: it passes the width.

use serde_json::{Map, Value};

use sso_core::python;

/// colorama `Style.BRIGHT + Fore.BLUE`, used for table cells when colour is on.
const CELL_START: &str = "\x1b[1m\x1b[34m";
/// colorama `Style.DIM + Fore.YELLOW`, used for the nesting bars when colour is on.
const BAR_START: &str = "\x1b[2m\x1b[33m";
/// colorama `Style.RESET_ALL`.
const RESET: &str = "\x1b[0m";

/// Renders `value` as the AWS CLI table titled `title`, or returns the message of the
/// exception the AWS CLI raises for it. An empty string means "print nothing" (a
/// falsy result such as `[]`, `{}`, `0`, `""` or `null`).
pub(crate) fn render_table(
    title: &str,
    value: &Value,
    terminal_width: usize,
    color: Color,
) -> Result<String, String> {
    let mut builder = Builder::default();
    if !builder.build(Some(&Key::Str(title.to_owned())), value, 0)? {
        return Ok(String::new());
    }
    Ok(render(builder.sections, terminal_width, color))
}

/// How the table is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Color {
    Off,
    On,
    /// Colour written straight to stdout: colorama's `autoreset` wrapper (installed
    /// by `ColorizedStyler`) appends `ESC[0m` after every `write()` call.
    OnAutoreset,
}

/// The output stream as the table renderer sees it, reproducing write boundaries.
struct Sink {
    out: String,
    autoreset: bool,
}

impl Sink {
    fn write(&mut self, text: &str) {
        self.out.push_str(text);
        if self.autoreset {
            self.out.push_str(RESET);
        }
    }

    /// `IndentedStream.write` for a line: bars, text, bars, newline, each written
    /// separately (even when there are no bars).
    fn write_line(&mut self, bars: &str, line: &str) {
        self.write(bars);
        self.write(line);
        self.write(bars);
        self.write("\n");
    }
}

#[derive(Default)]
struct Section {
    /// `None` for the untitled sections the builder opens inside nested lists;
    /// Python measures those as the four characters of `str(None)`.
    title: Option<String>,
    /// Python's `if section.title:` (an empty key or the int `0` is not drawn).
    title_visible: bool,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    indent_level: usize,
    num_cols: Option<usize>,
    max_widths: Vec<usize>,
}

impl Section {
    fn title_length(&self) -> usize {
        self.title.as_deref().map_or(4, python::text_length)
    }

    fn add_header(&mut self, headers: Vec<String>) -> Result<(), String> {
        self.update_max_widths(&headers)?;
        if self.num_cols.is_none() {
            self.num_cols = Some(headers.len());
        }
        self.headers = headers;
        Ok(())
    }

    fn add_row(&mut self, row: Vec<String>) -> Result<(), String> {
        let expected = *self.num_cols.get_or_insert(row.len());
        if row.len() != expected {
            return Err(format!(
                "Row should have {expected} elements, instead it has {}",
                row.len()
            ));
        }
        self.update_max_widths(&row)?;
        self.rows.push(row);
        Ok(())
    }

    fn update_max_widths(&mut self, row: &[String]) -> Result<(), String> {
        if self.max_widths.is_empty() {
            self.max_widths = row.iter().map(|el| python::text_length(el)).collect();
            return Ok(());
        }
        for (i, el) in row.iter().enumerate() {
            let slot = self
                .max_widths
                .get_mut(i)
                .ok_or_else(|| "list index out of range".to_owned())?;
            *slot = (*slot).max(python::text_length(el));
        }
        Ok(())
    }

    /// `Section.calculate_column_widths(padding=4, max_width=...)`: scale the natural
    /// widths to fill `max_width`, then fix rounding drift one column at a time.
    fn column_widths(&self, max_width: i64) -> Vec<i64> {
        let unscaled: Vec<i64> = self.max_widths.iter().map(|&w| to_i64(w) + 4).collect();
        if unscaled.is_empty() {
            return unscaled;
        }
        let total: i64 = unscaled.iter().sum();
        #[expect(
            clippy::cast_precision_loss,
            reason = "Python computes the scale factor in float; widths are tiny"
        )]
        let scale = max_width as f64 / total as f64;
        let mut scaled: Vec<i64> = unscaled
            .iter()
            .map(|&w| {
                #[expect(
                    clippy::cast_precision_loss,
                    clippy::cast_possible_truncation,
                    reason = "Python's int(round(float)); widths are tiny"
                )]
                let cell = (scale * w as f64).round_ties_even() as i64;
                cell
            })
            .collect();
        let mut off_by: i64 = scaled.iter().sum::<i64>() - max_width;
        while off_by != 0 {
            let order: Vec<usize> = if off_by < 0 {
                (0..scaled.len()).rev().collect()
            } else {
                (0..scaled.len()).collect()
            };
            for i in order {
                if off_by > 0 {
                    scaled[i] -= 1;
                    off_by -= 1;
                } else {
                    scaled[i] += 1;
                    off_by += 1;
                }
                if off_by == 0 {
                    break;
                }
            }
        }
        scaled
    }

    /// `Section.total_width(padding=4, with_border=True, outer_padding=indent)`.
    fn total_width(&self) -> i64 {
        let outer = to_i64(self.indent_level) * 2;
        let columns: i64 = self.max_widths.iter().map(|&w| to_i64(w) + 4).sum();
        (to_i64(self.title_length()) + 2 + outer).max(columns + 2 + outer)
    }
}

fn to_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn spaces(n: i64) -> String {
    " ".repeat(usize::try_from(n).unwrap_or(0))
}

fn dashes(n: i64) -> String {
    "-".repeat(usize::try_from(n).unwrap_or(0))
}

/// A dict key, or (when the builder mistakes a list of integers for a dict, as
/// Python does by indexing the list with its own elements) an integer index. Python
/// keeps such ints as column headers and section titles.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Key {
    Str(String),
    /// An int or bool list element: its value as an index and its `str()`.
    Int(i64, String),
}

impl Key {
    fn text(&self) -> &str {
        match self {
            Self::Str(s) | Self::Int(_, s) => s,
        }
    }

    /// Python truthiness of the key used as a section title (`if section.title:`).
    fn truthy(&self) -> bool {
        match self {
            Self::Str(s) => !s.is_empty(),
            Self::Int(n, _) => *n != 0,
        }
    }

    /// Set membership: `1 == True` in Python, but `'1' != 1`.
    fn same(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Str(a), Self::Str(b)) => a == b,
            (Self::Int(a, _), Self::Int(b, _)) => a == b,
            _ => false,
        }
    }

    fn python_type(&self) -> &'static str {
        match self {
            Self::Str(_) => "str",
            Self::Int(_, s) if s == "True" || s == "False" => "bool",
            Self::Int(..) => "int",
        }
    }
}

#[derive(Default)]
struct Builder {
    sections: Vec<Section>,
}

fn is_scalar(value: &Value) -> bool {
    !matches!(value, Value::Array(_) | Value::Object(_))
}

impl Builder {
    fn current(&mut self) -> Result<&mut Section, String> {
        // Unreachable in practice: the top-level call always opens a titled section.
        self.sections
            .last_mut()
            .ok_or_else(|| "'NoneType' object has no attribute 'add_row'".to_owned())
    }

    fn new_section(&mut self, title: Option<&Key>, indent_level: usize) {
        self.sections.push(Section {
            title: title.map(|k| k.text().to_owned()),
            title_visible: title.is_some_and(Key::truthy),
            indent_level,
            ..Section::default()
        });
    }

    fn add_row(&mut self, row: Vec<String>) -> Result<(), String> {
        self.current()?.add_row(row)
    }

    fn add_header(&mut self, headers: Vec<String>) -> Result<(), String> {
        self.current()?.add_header(headers)
    }

    /// `TableFormatter._build_table`: returns whether anything was added.
    fn build(
        &mut self,
        title: Option<&Key>,
        current: &Value,
        indent_level: usize,
    ) -> Result<bool, String> {
        if !python::is_truthy(current) {
            return Ok(false);
        }
        if title.is_some() {
            self.new_section(title, indent_level);
        }
        match current {
            Value::Array(items) => {
                if matches!(items.first(), Some(Value::Object(_))) {
                    self.build_from_list(items, indent_level, title)?;
                } else {
                    for item in items {
                        match item {
                            scalar if is_scalar(scalar) => {
                                self.add_row(vec![python::to_str(scalar)])?
                            }
                            // `all(scalar(el) for el in item)`: iterating a dict yields
                            // its keys, so a dict here becomes a row of its key names.
                            Value::Object(map) => self.add_row(map.keys().cloned().collect())?,
                            Value::Array(row) if row.iter().all(is_scalar) => {
                                self.add_row(row.iter().map(python::to_str).collect())?;
                            }
                            nested => {
                                self.build(None, nested, 0)?;
                            }
                        }
                    }
                }
            }
            Value::Object(map) => self.build_from_dict(map, indent_level)?,
            _ => {}
        }
        Ok(true)
    }

    fn build_from_dict(
        &mut self,
        current: &Map<String, Value>,
        indent_level: usize,
    ) -> Result<(), String> {
        let (headers, more) = group_scalar_keys(current);
        if let [only] = headers.as_slice() {
            let value = current.get(only).map(python::to_str).unwrap_or_default();
            self.add_row(vec![only.clone(), value])?;
        } else if !headers.is_empty() {
            let row = headers
                .iter()
                .map(|k| current.get(k).map(python::to_str).unwrap_or_default())
                .collect();
            self.add_header(headers)?;
            self.add_row(row)?;
        }
        for key in more {
            if let Some(value) = current.get(&key) {
                self.build(Some(&Key::Str(key)), value, indent_level + 1)?;
            }
        }
        Ok(())
    }

    fn build_from_list(
        &mut self,
        current: &[Value],
        indent_level: usize,
        title: Option<&Key>,
    ) -> Result<(), String> {
        let (headers, more) = group_scalar_keys_from_list(current)?;
        let header_row: Vec<String> = headers.iter().map(|k| k.text().to_owned()).collect();
        self.add_header(header_row.clone())?;
        for (index, element) in current.iter().enumerate() {
            if index > 0 && !more.is_empty() {
                self.new_section(title, indent_level);
                self.add_header(header_row.clone())?;
            }
            // Python calls `element.get(header, '')` once per header, so a non-dict
            // element only fails when there is at least one header.
            let row = match element {
                Value::Object(map) => headers
                    .iter()
                    .map(|h| match h {
                        Key::Str(k) => map.get(k).map(python::to_str).unwrap_or_default(),
                        Key::Int(..) => String::new(),
                    })
                    .collect(),
                _ if headers.is_empty() => Vec::new(),
                other => {
                    return Err(format!(
                        "'{}' object has no attribute 'get'",
                        python::type_name(other)
                    ));
                }
            };
            self.add_row(row)?;
            for key in &more {
                // `if remaining in element: ... element[remaining]`.
                let found = match (element, key) {
                    (Value::Object(map), Key::Str(k)) => map.get(k),
                    (Value::Object(_), Key::Int(..)) => None,
                    (Value::String(s), Key::Str(k)) => {
                        if s.contains(k.as_str()) {
                            return Err("string indices must be integers, not 'str'".to_owned());
                        }
                        None
                    }
                    (Value::String(_), Key::Int(..)) => {
                        return Err(format!(
                            "'in <string>' requires string as left operand, not {}",
                            key.python_type()
                        ));
                    }
                    (Value::Array(items), Key::Str(k)) => {
                        if items.iter().any(|i| i.as_str() == Some(k)) {
                            return Err(
                                "list indices must be integers or slices, not str".to_owned()
                            );
                        }
                        None
                    }
                    (Value::Array(items), Key::Int(n, _)) => {
                        if items.iter().any(|i| numeric_eq(i, *n)) {
                            let at = python::index(items.len(), *n)
                                .ok_or_else(|| "list index out of range".to_owned())?;
                            items.get(at)
                        } else {
                            None
                        }
                    }
                    _ => None,
                };
                if let Some(value) = found {
                    self.build(Some(key), value, indent_level + 1)?;
                }
            }
        }
        Ok(())
    }
}

/// Python `x == n` for a JSON value and an int (bools and integral floats count).
fn numeric_eq(value: &Value, n: i64) -> bool {
    match value {
        Value::Bool(b) => i64::from(*b) == n,
        #[expect(
            clippy::cast_precision_loss,
            reason = "Python compares int and float exactly enough here"
        )]
        Value::Number(x) => x.as_i64() == Some(n) || x.as_f64() == Some(n as f64),
        _ => false,
    }
}

fn group_scalar_keys(current: &Map<String, Value>) -> (Vec<String>, Vec<String>) {
    let mut headers = Vec::new();
    let mut more = Vec::new();
    for (key, value) in current {
        if is_scalar(value) {
            headers.push(key.clone());
        } else {
            more.push(key.clone());
        }
    }
    headers.sort();
    more.sort();
    (headers, more)
}

/// `_group_scalar_keys` applied to a list: Python iterates it and indexes it with
/// each element, so integers become keys and anything else raises.
fn group_list_as_dict(items: &[Value]) -> Result<(Vec<Key>, Vec<Key>), String> {
    let mut headers = Vec::new();
    let mut more = Vec::new();
    for element in items {
        let key = match element {
            Value::Bool(b) => Key::Int(i64::from(*b), python::to_str(element)),
            Value::Number(n) if !n.is_f64() => match n.as_i64() {
                Some(i) => Key::Int(i, n.to_string()),
                None => return Err("cannot fit 'int' into an index-sized integer".to_owned()),
            },
            other => {
                return Err(format!(
                    "list indices must be integers or slices, not {}",
                    python::type_name(other)
                ));
            }
        };
        let Key::Int(index, _) = key else { continue };
        let target = python::index(items.len(), index)
            .and_then(|i| items.get(i))
            .ok_or_else(|| "list index out of range".to_owned())?;
        if is_scalar(target) {
            headers.push(key);
        } else {
            more.push(key);
        }
    }
    Ok((headers, more))
}

/// `sorted(set_of_keys)`: strings sort among themselves, ints among themselves, and
/// a mix raises (Python's set order, hence which operand comes first, is hash-seeded).
fn sort_keys(keys: Vec<Key>) -> Result<Vec<Key>, String> {
    let ints: Vec<&Key> = keys.iter().filter(|k| matches!(k, Key::Int(..))).collect();
    if let Some(first_int) = ints.first()
        && ints.len() < keys.len()
    {
        return Err(format!(
            "'<' not supported between instances of '{}' and 'str'",
            first_int.python_type()
        ));
    }
    let mut keys = keys;
    keys.sort_by(|a, b| match (a, b) {
        (Key::Int(x, _), Key::Int(y, _)) => x.cmp(y),
        _ => a.text().cmp(b.text()),
    });
    Ok(keys)
}

fn insert_unique(set: &mut Vec<Key>, key: Key) {
    if !set.iter().any(|k| k.same(&key)) {
        set.push(key);
    }
}

/// `_group_scalar_keys_from_list`. Every element is treated as a dict; for the
/// non-dict elements Python fails while iterating them, with these messages.
fn group_scalar_keys_from_list(list_of_dicts: &[Value]) -> Result<(Vec<Key>, Vec<Key>), String> {
    let mut headers = Vec::new();
    let mut more = Vec::new();
    for item in list_of_dicts {
        let (h, m) = match item {
            Value::Object(map) => {
                let (h, m) = group_scalar_keys(map);
                (
                    h.into_iter().map(Key::Str).collect(),
                    m.into_iter().map(Key::Str).collect(),
                )
            }
            Value::Array(items) => group_list_as_dict(items)?,
            // Iterating an empty str yields nothing; the later `.get` may fail.
            Value::String(s) if s.is_empty() => (Vec::new(), Vec::new()),
            Value::String(_) => return Err("string indices must be integers, not 'str'".into()),
            other => {
                return Err(format!(
                    "'{}' object is not iterable",
                    python::type_name(other)
                ));
            }
        };
        for key in h {
            insert_unique(&mut headers, key);
        }
        for key in m {
            insert_unique(&mut more, key);
        }
    }
    Ok((sort_keys(headers)?, sort_keys(more)?))
}

/// `convert_to_vertical_table`: single-row sections with headers become key/value rows.
fn convert_to_vertical(sections: &mut [Section]) {
    for section in sections.iter_mut() {
        if section.rows.len() == 1 && !section.headers.is_empty() {
            let mut vertical = Section {
                title: section.title.take(),
                title_visible: section.title_visible,
                indent_level: section.indent_level,
                ..Section::default()
            };
            let row = std::mem::take(&mut section.rows[0]);
            for (header, element) in section.headers.iter().zip(row) {
                // Two-element rows into a fresh section cannot fail.
                let _ = vertical.add_row(vec![header.clone(), element]);
            }
            *section = vertical;
        }
    }
}

struct Styler {
    color: bool,
}

impl Styler {
    fn cell(&self, text: &str) -> String {
        if self.color {
            format!("{CELL_START}{text}{RESET}")
        } else {
            text.to_owned()
        }
    }

    fn bar(&self) -> String {
        if self.color {
            format!("{BAR_START}|{RESET}")
        } else {
            "|".to_owned()
        }
    }
}

/// `center_text`: Python computes the left gap from the *display* length and lets
/// negative gaps collapse to nothing.
fn center_text(
    text: &str,
    length: i64,
    left_edge: &str,
    right_edge: &str,
    text_len: i64,
) -> String {
    let char_start = length / 2 - text_len / 2 - 1;
    let so_far = to_i64(python::text_length(left_edge)) + char_start + text_len;
    let right_spaces = length - to_i64(python::text_length(right_edge)) - so_far;
    format!(
        "{left_edge}{}{text}{}{right_edge}",
        spaces(char_start),
        spaces(right_spaces)
    )
}

/// `align_left` with the default two-space left padding (dropped when it does not fit).
fn align_left(text: &str, length: i64, left_edge: &str, right_edge: &str, text_len: i64) -> String {
    let left_len = to_i64(left_edge.chars().count());
    let right_len = to_i64(right_edge.chars().count());
    let padding = if length - (text_len + 2 + left_len + right_len) >= 0 {
        2
    } else {
        0
    };
    let so_far = left_len + padding + text_len;
    format!(
        "{left_edge}{}{text}{}{right_edge}",
        spaces(padding),
        spaces(length - so_far - right_len)
    )
}

fn line_break(widths: &[i64]) -> String {
    let mut line = String::new();
    for (i, &w) in widths.iter().enumerate() {
        if i == 0 {
            line.push('+');
            line.push_str(&dashes(w - 2));
            line.push('+');
        } else {
            line.push_str(&dashes(w - 1));
            line.push('+');
        }
    }
    line
}

/// `MultiTable.render`.
fn render(mut sections: Vec<Section>, terminal_width: usize, color: Color) -> String {
    let max_of =
        |sections: &[Section]| sections.iter().map(Section::total_width).max().unwrap_or(0);
    let mut max_width = max_of(&sections);
    if max_width > to_i64(terminal_width) {
        convert_to_vertical(&mut sections);
        max_width = max_of(&sections);
    }
    let styler = Styler {
        color: color != Color::Off,
    };
    let mut sink = Sink {
        out: String::new(),
        autoreset: color == Color::OnAutoreset,
    };
    sink.write(&format!("{}\n", dashes(max_width)));
    for section in &sections {
        render_section(section, max_width, &styler, &mut sink);
    }
    sink.out
}

fn render_section(section: &Section, max_width: i64, styler: &Styler, sink: &mut Sink) {
    // Every line is wrapped in one bar per indent level (`IndentedStream`).
    let bars = styler.bar().repeat(section.indent_level);
    let max_width = max_width - to_i64(section.indent_level) * 2;

    if let Some(title) = section.title.as_deref().filter(|_| section.title_visible) {
        let line = center_text(
            title,
            max_width,
            "|",
            "|",
            to_i64(python::text_length(title)),
        );
        sink.write_line(&bars, &line);
        if section.headers.is_empty() && section.rows.is_empty() {
            sink.write_line(&bars, &format!("+{}+", dashes(max_width - 2)));
        }
    }

    if !section.headers.is_empty() {
        let widths = section.column_widths(max_width);
        let mut line = String::new();
        for (i, (&width, header)) in widths.iter().zip(&section.headers).enumerate() {
            let left = if i == 0 { "|" } else { "" };
            line.push_str(&center_text(
                header,
                width,
                left,
                "|",
                to_i64(python::text_length(header)),
            ));
        }
        sink.write_line(&bars, &line_break(&widths));
        sink.write_line(&bars, &line);
    }

    if !section.rows.is_empty() {
        let widths = section.column_widths(max_width);
        if widths.is_empty() {
            return;
        }
        sink.write_line(&bars, &line_break(&widths));
        for row in &section.rows {
            let mut line = String::new();
            for (i, (&width, element)) in widths.iter().zip(row).enumerate() {
                let left = if i == 0 { "|" } else { "" };
                line.push_str(&align_left(
                    &styler.cell(element),
                    width,
                    left,
                    "|",
                    to_i64(python::text_length(element)),
                ));
            }
            sink.write_line(&bars, &line);
        }
        sink.write_line(&bars, &line_break(&widths));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn table(value: &Value, width: usize) -> String {
        render_table("ListAccounts", value, width, Color::Off).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn spec_list_accounts_sample() {
        let value = json!({"accountList": [
            {"accountId": "111111111111", "accountName": "dev", "emailAddress": "dev@example.com"},
            {"accountId": "555555555555", "accountName": "audit", "emailAddress": "audit@example.com"}
        ]});
        let want = "\
--------------------------------------------------------
|                     ListAccounts                     |
+------------------------------------------------------+
||                     accountList                    ||
|+--------------+---------------+---------------------+|
||   accountId  |  accountName  |    emailAddress     ||
|+--------------+---------------+---------------------+|
||  111111111111|  dev          |  dev@example.com    ||
||  555555555555|  audit        |  audit@example.com  ||
|+--------------+---------------+---------------------+|
";
        assert_eq!(table(&value, 80), want);
    }

    #[test]
    fn scalar_result_prints_only_the_title_box() {
        assert_eq!(
            table(&json!("abc"), 80),
            "--------------\n|ListAccounts|\n+------------+\n"
        );
        assert_eq!(table(&json!(0), 80), "");
        assert_eq!(table(&json!([]), 80), "");
    }

    #[test]
    fn ragged_rows_fail_like_python() {
        let err = render_table("T", &json!([[1, 2], [3]]), 80, Color::Off).err();
        assert_eq!(
            err.as_deref(),
            Some("Row should have 2 elements, instead it has 1")
        );
        let err = render_table("T", &json!([{"a": 1}, 5]), 80, Color::Off).err();
        assert_eq!(err.as_deref(), Some("'int' object is not iterable"));
    }

    #[test]
    fn python_rounding_is_half_to_even() {
        let mut section = Section {
            max_widths: vec![1, 1],
            ..Section::default()
        };
        // 10 / 10 * 5 = 5 exactly; then 2.5 cases below round to even.
        assert_eq!(section.column_widths(10), vec![5, 5]);
        section.max_widths = vec![1];
        assert_eq!(section.column_widths(2), vec![2]);
        section.max_widths = vec![0, 0, 0, 0];
        // 10/16*4 = 2.5 -> 2 each = 8, off by -2 -> last two columns grow.
        assert_eq!(section.column_widths(10), vec![2, 2, 3, 3]);
    }

    #[test]
    fn colour_wraps_cells_and_bars() {
        let out = render_table("T", &json!({"k": {"a": "v"}}), 80, Color::On).unwrap_or_default();
        assert!(out.contains("\x1b[2m\x1b[33m|\x1b[0m"), "{out:?}");
        assert!(out.contains("\x1b[1m\x1b[34mv\x1b[0m"), "{out:?}");
    }
}
