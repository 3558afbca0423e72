//! `--output yaml` / `yaml-stream` (AWS CLI v2): a block-style YAML emitter that
//! reproduces ruamel.yaml `YAML(typ='safe')` with `default_flow_style=False`, the
//! dumper behind the AWS CLI v2 `YAMLDumper`.
//!
//! What has to match, byte for byte (checked against ruamel.yaml 0.19.1):
//! * mapping keys sorted by code point (the safe representer sorts dicts);
//! * sequences inside mappings are "indentless" (`key:\n- item`), nested ones compact
//!   (`- - a`, `- key: v`), empty containers in flow style (`[]`, `{}`);
//! * the scalar style choice: plain unless the text would resolve to another YAML 1.2
//!   type (`'null'`, `'2024-01-01'`, `'1e3'`, `'0x1F'`, `'111111111111'`, `''`) or
//!   contains indicators; double quotes when it contains `'` or a line break or
//!   characters that must be escaped; otherwise single quotes;
//! * folding of long plain and quoted scalars at column 80 (columns counted in code
//!   points, trailing space kept before the break, as ruamel writes it);
//! * keys of 123+ characters or with line breaks written as explicit `? key` entries.
//!
//! A top-level JSON scalar never reaches ruamel: `YAMLDumper.dump` writes it with
//! `json.dump(..., ensure_ascii=False)`; that lives in [`crate::render`].
//! Object identity (ruamel's `&id001` anchors for a container that appears twice)
//! does not exist in a `serde_json::Value` tree, so it is not reproduced.

use serde_json::Value;

use sso_core::python;

const BEST_WIDTH: usize = 80;
const BEST_INDENT: usize = 2;
const MAX_SIMPLE_KEY_LENGTH: usize = 128;
/// `len("!!str")`.
const STR_TAG_LENGTH: usize = 5;

/// Emits `value` (an object or array) as one YAML document.
pub(crate) fn dump(value: &Value) -> String {
    let mut emitter = Emitter::default();
    emitter.node(&Node::Value(value), Context::Root);
    // `expect_document_end`: finish the last line.
    emitter.write_indent();
    emitter.out
}

/// A node to emit: either a value from the tree or a mapping key.
enum Node<'a> {
    Value(&'a Value),
    Key(&'a str),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    Root,
    Sequence,
    Mapping,
    SimpleKey,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Style {
    Plain,
    Single,
    Double,
}

/// The characteristics ruamel's `analyze_scalar` derives from the text.
struct Analysis {
    empty: bool,
    multiline: bool,
    // ruamel also derives `allow_flow_plain`; flow context only ever holds empty
    // collections here, so no scalar is written in flow style.
    allow_block_plain: bool,
    allow_single_quoted: bool,
}

/// The subset of ruamel's `Emitter` state that block-style output of JSON data uses.
struct Emitter {
    out: String,
    /// Indentation stack: `(indent, is_sequence)` pairs, as ruamel's `Indents`.
    indents: Vec<(Option<usize>, bool)>,
    indent: Option<usize>,
    flow_level: usize,
    column: usize,
    whitespace: bool,
    indention: bool,
    no_newline: bool,
}

impl Default for Emitter {
    fn default() -> Self {
        Self {
            out: String::new(),
            indents: Vec::new(),
            indent: None,
            flow_level: 0,
            column: 0,
            whitespace: true,
            indention: true,
            no_newline: false,
        }
    }
}

fn is_break(ch: char) -> bool {
    matches!(ch, '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank_or_break(ch: char) -> bool {
    matches!(
        ch,
        '\0' | ' ' | '\t' | '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}'
    )
}

impl Emitter {
    // ---- low-level writers (ruamel `write_indicator`, `write_indent`, ...) ----

    fn push(&mut self, data: &str) {
        self.column += data.chars().count();
        self.out.push_str(data);
    }

    fn write_indicator(
        &mut self,
        indicator: &str,
        need_whitespace: bool,
        whitespace: bool,
        indention: bool,
    ) {
        if !self.whitespace && need_whitespace {
            self.push(" ");
        }
        self.push(indicator);
        self.whitespace = whitespace;
        self.indention = self.indention && indention;
    }

    fn write_indent(&mut self) {
        let indent = self.indent.unwrap_or(0);
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            if self.no_newline {
                self.no_newline = false;
            } else {
                self.write_line_break(None);
            }
        }
        if self.column < indent {
            self.whitespace = true;
            let pad = " ".repeat(indent - self.column);
            self.push(&pad);
        }
    }

    fn write_line_break(&mut self, data: Option<char>) {
        self.whitespace = true;
        self.indention = true;
        self.column = 0;
        self.out.push(data.unwrap_or('\n'));
    }

    fn increase_indent(&mut self, sequence: bool, indentless: bool) {
        self.indents.push((self.indent, sequence));
        match self.indent {
            // ruamel leaves a flow root at `requested_indent` (None); only block roots
            // reach here because top-level scalars are written as JSON.
            None => self.indent = Some(0),
            Some(current) if !indentless => self.indent = Some(current + BEST_INDENT),
            Some(_) => {}
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().and_then(|(indent, _)| indent);
    }

    /// `Indents.seq_seq`: the two innermost levels are both sequences.
    fn seq_seq(&self) -> bool {
        let n = self.indents.len();
        n >= 2 && self.indents[n - 2].1 && self.indents[n - 1].1
    }

    /// `Indents.seq_flow_align` without pre-comments: extra spaces before `[`/`{`.
    fn seq_flow_align(&self) -> usize {
        let n = self.indents.len();
        if n < 2 || !self.indents[n - 1].1 {
            return 0;
        }
        let base = self.indents[n - 1].0.unwrap_or(0);
        (base + BEST_INDENT).saturating_sub(self.column + 1)
    }

    // ---- node handlers (`expect_node` and friends) ----

    fn node(&mut self, node: &Node<'_>, context: Context) {
        match node {
            Node::Key(text) => self.scalar(text, "str", context),
            Node::Value(Value::String(text)) => self.scalar(text, "str", context),
            Node::Value(Value::Null) => self.scalar("null", "null", context),
            Node::Value(Value::Bool(b)) => {
                self.scalar(if *b { "true" } else { "false" }, "bool", context)
            }
            Node::Value(Value::Number(n)) => {
                // ruamel writes `repr(float).lower()`: `1e+16`, `1.5`.
                let tag = if n.is_f64() { "float" } else { "int" };
                self.scalar(&python::number_str(n).to_lowercase(), tag, context);
            }
            Node::Value(Value::Array(items)) => {
                if items.is_empty() {
                    self.empty_flow("[", "]");
                } else {
                    self.block_sequence(items, context);
                }
            }
            Node::Value(Value::Object(map)) => {
                if map.is_empty() {
                    self.empty_flow("{", "}");
                } else {
                    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
                    entries.sort_by(|a, b| a.0.cmp(b.0));
                    self.block_mapping(&entries);
                }
            }
        }
    }

    /// `expect_flow_sequence`/`expect_flow_mapping` immediately followed by the end
    /// event: only empty containers are written in flow style.
    fn empty_flow(&mut self, open: &str, close: &str) {
        let align = " ".repeat(self.seq_flow_align());
        self.write_indicator(&format!("{align}{open}"), true, true, false);
        self.increase_indent(open == "[", false);
        if open == "[" && self.seq_seq() {
            self.indention = true;
            self.no_newline = false;
        }
        self.flow_level += 1;
        // End event.
        self.pop_indent();
        self.flow_level -= 1;
        self.write_indicator(close, false, false, false);
        if self.flow_level == 0 {
            self.write_line_break(None);
        }
    }

    fn block_sequence(&mut self, items: &[Value], context: Context) {
        let indentless = context == Context::Mapping && !self.indention;
        self.increase_indent(true, indentless);
        if self.seq_seq() {
            self.indention = true;
            self.no_newline = false;
        }
        for item in items {
            let no_newline = if self.column == 0 {
                self.no_newline
            } else {
                false
            };
            self.write_indent();
            self.write_indicator("-", true, false, true);
            if no_newline {
                self.no_newline = true;
            }
            self.node(&Node::Value(item), Context::Sequence);
        }
        self.pop_indent();
        self.no_newline = false;
    }

    fn block_mapping(&mut self, entries: &[(&String, &Value)]) {
        self.increase_indent(false, false);
        for (key, value) in entries {
            self.write_indent();
            let analysis = analyze(key);
            // ruamel's `check_simple_key` also counts the prepared tag (`!!str`, five
            // characters) even though it is never written, so keys of 123+ characters
            // already become explicit `? key` entries.
            if key.chars().count() + STR_TAG_LENGTH < MAX_SIMPLE_KEY_LENGTH && !analysis.multiline {
                self.node(&Node::Key(key), Context::SimpleKey);
                self.write_indicator(":", false, false, false);
            } else {
                self.write_indicator("?", true, false, true);
                self.node(&Node::Key(key), Context::Mapping);
                self.write_indent();
                self.write_indicator(":", true, false, true);
            }
            self.node(&Node::Value(value), Context::Mapping);
        }
        self.pop_indent();
    }

    fn scalar(&mut self, text: &str, tag: &str, context: Context) {
        // `expect_scalar`: scalars are written one indentation step deeper, which is
        // where folded continuation lines start.
        self.increase_indent(false, false);
        let analysis = analyze(text);
        let style = choose_style(text, tag, &analysis, context == Context::SimpleKey);
        let split = context != Context::SimpleKey;
        if context == Context::Sequence && self.flow_level == 0 {
            self.write_indent();
        }
        match style {
            Style::Plain => self.write_plain(text, split),
            Style::Single => self.write_single_quoted(text, split),
            Style::Double => self.write_double_quoted(text, split),
        }
        self.pop_indent();
    }

    // ---- scalar writers ----

    fn write_plain(&mut self, text: &str, split: bool) {
        if text.is_empty() {
            return;
        }
        if !self.whitespace {
            self.push(" ");
        }
        self.whitespace = false;
        self.indention = false;
        let chars: Vec<char> = text.chars().collect();
        let mut spaces = false;
        let mut breaks = false;
        let (mut start, mut end) = (0usize, 0usize);
        while end <= chars.len() {
            let ch = chars.get(end).copied();
            if spaces {
                if ch != Some(' ') {
                    if start + 1 == end && self.column >= BEST_WIDTH && split {
                        self.write_indent();
                        self.whitespace = false;
                        self.indention = false;
                    } else {
                        let data: String = chars[start..end].iter().collect();
                        self.push(&data);
                    }
                    start = end;
                }
            } else if breaks {
                if !ch.is_some_and(is_break) {
                    if chars[start] == '\n' {
                        self.write_line_break(None);
                    }
                    for &br in &chars[start..end] {
                        self.write_line_break(Some(br));
                    }
                    self.write_indent();
                    self.whitespace = false;
                    self.indention = false;
                    start = end;
                }
            } else if ch.is_none_or(|c| c == ' ' || is_break(c)) {
                let data: String = chars[start..end].iter().collect();
                let len = end - start;
                if let Some(indent) = self.indent
                    && len + self.column > BEST_WIDTH
                    && self.column > indent
                {
                    // ruamel: "words longer than line length get a line of their own".
                    self.write_indent();
                }
                self.push(&data);
                start = end;
            }
            if let Some(c) = ch {
                spaces = c == ' ';
                breaks = is_break(c);
            }
            end += 1;
        }
    }

    fn write_single_quoted(&mut self, text: &str, split: bool) {
        self.write_indicator("'", true, false, false);
        let chars: Vec<char> = text.chars().collect();
        let mut spaces = false;
        let mut breaks = false;
        let (mut start, mut end) = (0usize, 0usize);
        while end <= chars.len() {
            let ch = chars.get(end).copied();
            if spaces {
                if ch != Some(' ') {
                    if start + 1 == end
                        && self.column > BEST_WIDTH
                        && split
                        && start != 0
                        && end != chars.len()
                    {
                        self.write_indent();
                    } else {
                        let data: String = chars[start..end].iter().collect();
                        self.push(&data);
                    }
                    start = end;
                }
            } else if breaks {
                if !ch.is_some_and(is_break) {
                    if chars[start] == '\n' {
                        self.write_line_break(None);
                    }
                    for &br in &chars[start..end] {
                        self.write_line_break(Some(br));
                    }
                    self.write_indent();
                    start = end;
                }
            } else if ch.is_none_or(|c| c == ' ' || c == '\'' || is_break(c)) && start < end {
                let data: String = chars[start..end].iter().collect();
                self.push(&data);
                start = end;
            }
            if ch == Some('\'') {
                self.push("''");
                start = end + 1;
            }
            if let Some(c) = ch {
                spaces = c == ' ';
                breaks = is_break(c);
            }
            end += 1;
        }
        self.write_indicator("'", false, false, false);
    }

    fn write_double_quoted(&mut self, text: &str, split: bool) {
        self.write_indicator("\"", true, false, false);
        let chars: Vec<char> = text.chars().collect();
        let len = chars.len();
        let (mut start, mut end) = (0usize, 0usize);
        while end <= len {
            let ch = chars.get(end).copied();
            if ch.is_none_or(needs_escape) {
                if start < end {
                    let data: String = chars[start..end].iter().collect();
                    self.push(&data);
                    start = end;
                }
                if let Some(c) = ch {
                    self.push(&escape(c));
                    start = end + 1;
                }
            }
            if 0 < end
                && end + 1 < len
                && (ch == Some(' ') || start >= end)
                // Python's `end - start` goes negative right after an escape.
                && to_i64(self.column) + to_i64(end) - to_i64(start) > to_i64(BEST_WIDTH)
                && split
            {
                let need_backslash = double_quoted_needs_backslash(&chars, start, end);
                let mut data: String = chars[start.min(end)..end].iter().collect();
                if need_backslash {
                    data.push('\\');
                }
                if start < end {
                    start = end;
                }
                self.push(&data);
                self.write_indent();
                self.whitespace = false;
                self.indention = false;
                if chars.get(start) == Some(&' ') {
                    if !need_backslash {
                        // The line break folds into the space on reading; drop it.
                        start += 1;
                    }
                    if need_backslash {
                        self.push("\\");
                    }
                }
            }
            end += 1;
        }
        self.write_indicator("\"", false, false, false);
    }
}

/// The look-ahead ruamel 0.17.22+ uses to decide whether a folded double-quoted line
/// needs a trailing `\` (<https://stackoverflow.com/a/75634614>).
fn double_quoted_needs_backslash(chars: &[char], start: usize, end: usize) -> bool {
    if chars.len() <= end {
        return true;
    }
    let Some(mut space_pos) = chars[end..].iter().position(|&c| c == ' ').map(|p| p + end) else {
        return true;
    };
    if let Some(nl) = chars[end..space_pos].iter().position(|&c| c == '\n') {
        space_pos = end + nl;
    }
    let Some(&after) = chars.get(space_pos + 1) else {
        // Python raises IndexError here and keeps the backslash.
        return true;
    };
    if chars[space_pos] == '\n' && after != ' ' {
        return true;
    }
    let between = &chars[end..space_pos];
    let prev_two_spaces =
        end >= 1 && chars.get(end - 1) == Some(&' ') && chars.get(end) == Some(&' ');
    // The fold can drop the backslash only when the next word is plain text.
    between.contains(&'"')
        || between.contains(&'\'')
        || after == ' '
        || after == '\n'
        || prev_two_spaces
        || start == end
}

fn to_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn needs_escape(ch: char) -> bool {
    if matches!(
        ch,
        '"' | '\\' | '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}'
    ) {
        return true;
    }
    // Printable ASCII, or (allow_unicode) the printable Unicode ranges.
    let cp = ch as u32;
    !((0x20..=0x7E).contains(&cp)
        || (0xA0..=0xD7FF).contains(&cp)
        || (0xE000..=0xFFFD).contains(&cp)
        || (0x1_0000..=0x10_FFFF).contains(&cp))
}

fn escape(ch: char) -> String {
    let short = match ch {
        '\0' => Some('0'),
        '\u{7}' => Some('a'),
        '\u{8}' => Some('b'),
        '\t' => Some('t'),
        '\n' => Some('n'),
        '\u{B}' => Some('v'),
        '\u{C}' => Some('f'),
        '\r' => Some('r'),
        '\u{1B}' => Some('e'),
        '"' => Some('"'),
        '\\' => Some('\\'),
        '\u{85}' => Some('N'),
        '\u{A0}' => Some('_'),
        '\u{2028}' => Some('L'),
        '\u{2029}' => Some('P'),
        _ => None,
    };
    let cp = ch as u32;
    match short {
        Some(c) => format!("\\{c}"),
        None if cp <= 0xFF => format!("\\x{cp:02X}"),
        None if cp <= 0xFFFF => format!("\\u{cp:04X}"),
        None => format!("\\U{cp:08X}"),
    }
}

/// ruamel `Emitter.analyze_scalar` with `allow_unicode=True` and YAML 1.2 rules.
fn analyze(scalar: &str) -> Analysis {
    let chars: Vec<char> = scalar.chars().collect();
    if chars.is_empty() {
        return Analysis {
            empty: true,
            multiline: false,
            allow_block_plain: true,
            allow_single_quoted: true,
        };
    }
    // Only *block* indicators matter: flow context never holds a scalar here.
    let mut block_indicators = scalar.starts_with("---") || scalar.starts_with("...");
    let mut line_breaks = false;
    let mut special_characters = false;
    let mut leading_space = false;
    let mut leading_break = false;
    let mut trailing_space = false;
    let mut trailing_break = false;
    let mut break_space = false;
    let mut space_break = false;

    let mut preceded_by_whitespace = true;
    let mut followed_by_whitespace = chars.len() == 1 || is_blank_or_break(chars[1]);
    let mut previous_space = false;
    let mut previous_break = false;
    let last = chars.len() - 1;

    for (index, &ch) in chars.iter().enumerate() {
        if index == 0 {
            // Leading indicators; `?`/`:`/`-` only when followed by whitespace.
            if "#,[]{}&*!|>'\"%@`".contains(ch) || ("?:-".contains(ch) && followed_by_whitespace) {
                block_indicators = true;
            }
        } else if (ch == ':' && followed_by_whitespace) || (ch == '#' && preceded_by_whitespace) {
            block_indicators = true;
        }
        if is_break(ch) {
            line_breaks = true;
        }
        let cp = ch as u32;
        if !(ch == '\n' || (0x20..=0x7E).contains(&cp)) {
            let unicode_ok = (cp == 0x85
                || (0xA0..=0xD7FF).contains(&cp)
                || (0xE000..=0xFFFD).contains(&cp)
                || (0x1_0000..=0x10_FFFF).contains(&cp))
                && cp != 0xFEFF;
            if !unicode_ok {
                special_characters = true;
            }
        }
        if ch == ' ' {
            if index == 0 {
                leading_space = true;
            }
            if index == last {
                trailing_space = true;
            }
            if previous_break {
                break_space = true;
            }
            previous_space = true;
            previous_break = false;
        } else if is_break(ch) {
            if index == 0 {
                leading_break = true;
            }
            if index == last {
                trailing_break = true;
            }
            if previous_space {
                space_break = true;
            }
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = is_blank_or_break(ch);
        followed_by_whitespace = index + 2 >= chars.len() || is_blank_or_break(chars[index + 2]);
    }

    let mut allow_block_plain = true;
    let mut allow_single_quoted = true;
    if leading_space || leading_break || trailing_space || trailing_break || line_breaks {
        allow_block_plain = false;
    }
    if break_space || special_characters || space_break {
        allow_block_plain = false;
        allow_single_quoted = false;
    }
    if block_indicators {
        allow_block_plain = false;
    }
    Analysis {
        empty: false,
        multiline: line_breaks,
        allow_block_plain,
        allow_single_quoted,
    }
}

/// ruamel `Emitter.choose_scalar_style` for untagged, unstyled nodes in block context.
fn choose_style(text: &str, tag: &str, analysis: &Analysis, simple_key: bool) -> Style {
    // `implicit[0]`: would a plain scalar with this text load back with this tag?
    if resolve_plain(text) == tag
        && !(simple_key && (analysis.empty || analysis.multiline))
        && analysis.allow_block_plain
    {
        return Style::Plain;
    }
    if text.contains('\'') || text.contains('\n') {
        return Style::Double;
    }
    if analysis.allow_single_quoted && !(simple_key && analysis.multiline) {
        return Style::Single;
    }
    Style::Double
}

/// The tag ruamel's YAML 1.2 `VersionedResolver` gives a plain scalar.
fn resolve_plain(text: &str) -> &'static str {
    // Python's `re.match(... $)` also accepts one trailing newline.
    let body = text.strip_suffix('\n').unwrap_or(text);
    let first = text.chars().next();
    match first {
        None => return "null",
        Some('t' | 'T' | 'f' | 'F') if is_bool(body) => return "bool",
        _ => {}
    }
    if first.is_some_and(|c| "-+0123456789.".contains(c)) && is_float(body) {
        return "float";
    }
    if first.is_some_and(|c| "-+0123456789".contains(c)) && is_int(body) {
        return "int";
    }
    if body == "<<" {
        return "merge";
    }
    if matches!(body, "~" | "null" | "Null" | "NULL") {
        return "null";
    }
    if first.is_some_and(|c| c.is_ascii_digit()) && is_timestamp(body) {
        return "timestamp";
    }
    if body == "=" {
        return "value";
    }
    if matches!(body, "!" | "&" | "*") {
        return "yaml";
    }
    "str"
}

fn is_bool(s: &str) -> bool {
    matches!(s, "true" | "True" | "TRUE" | "false" | "False" | "FALSE")
}

/// A tiny cursor for the hand-written versions of ruamel's resolver regexes.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn new(s: &'a str) -> Self {
        Self {
            bytes: s.as_bytes(),
            pos: 0,
        }
    }
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }
    fn eat(&mut self, pred: impl Fn(u8) -> bool) -> bool {
        if self.peek().is_some_and(&pred) {
            self.pos += 1;
            true
        } else {
            false
        }
    }
    fn eat_while(&mut self, pred: impl Fn(u8) -> bool) -> usize {
        let start = self.pos;
        while self.peek().is_some_and(&pred) {
            self.pos += 1;
        }
        self.pos - start
    }
    fn eat_str(&mut self, s: &str) -> bool {
        if self.bytes[self.pos..].starts_with(s.as_bytes()) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }
    fn done(&self) -> bool {
        self.pos == self.bytes.len()
    }
    fn sign(&mut self) {
        self.eat(|b| b == b'+' || b == b'-');
    }
}

fn digit_or_underscore(b: u8) -> bool {
    b.is_ascii_digit() || b == b'_'
}

/// `[eE][-+]?[0-9]+` (sign optional) or `[eE][-+][0-9]+` (sign required).
fn exponent(c: &mut Cursor<'_>, sign_required: bool) -> bool {
    if !c.eat(|b| b == b'e' || b == b'E') {
        return false;
    }
    let signed = c.eat(|b| b == b'+' || b == b'-');
    if sign_required && !signed {
        return false;
    }
    c.eat_while(|b| b.is_ascii_digit()) > 0
}

/// YAML 1.2 float regex of ruamel's resolver (alternatives tried in order, each
/// anchored at both ends).
fn is_float(s: &str) -> bool {
    // [-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    let alt1 = {
        let mut c = Cursor::new(s);
        c.sign();
        c.eat(|b| b.is_ascii_digit())
            && {
                c.eat_while(digit_or_underscore);
                c.eat(|b| b == b'.')
            }
            && {
                c.eat_while(digit_or_underscore);
                let save = c.pos;
                if !exponent(&mut c, false) {
                    c.pos = save;
                }
                c.done()
            }
    };
    // [-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
    let alt2 = || {
        let mut c = Cursor::new(s);
        c.sign();
        c.eat(|b| b.is_ascii_digit()) && {
            c.eat_while(digit_or_underscore);
            exponent(&mut c, false) && c.done()
        }
    };
    // [-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
    let alt3 = || {
        let mut c = Cursor::new(s);
        c.sign();
        c.eat(|b| b == b'.') && c.eat_while(digit_or_underscore) > 0 && {
            let save = c.pos;
            if !exponent(&mut c, true) {
                c.pos = save;
            }
            c.done()
        }
    };
    // [-+]?\.(?:inf|Inf|INF) | \.(?:nan|NaN|NAN)
    let alt4 = || {
        let mut c = Cursor::new(s);
        c.sign();
        (c.eat_str(".inf") || c.eat_str(".Inf") || c.eat_str(".INF")) && c.done()
    };
    let alt5 = || matches!(s, ".nan" | ".NaN" | ".NAN");
    alt1 || alt2() || alt3() || alt4() || alt5()
}

/// YAML 1.2 int regex: binary, octal (`0o` or leading `0`), decimal with `_`, hex.
fn is_int(s: &str) -> bool {
    let with_prefix = |prefix: &str, pred: fn(u8) -> bool| {
        let mut c = Cursor::new(s);
        c.sign();
        c.eat_str(prefix) && c.eat_while(pred) > 0 && c.done()
    };
    let octal = || {
        let mut c = Cursor::new(s);
        c.sign();
        c.eat(|b| b == b'0') && {
            c.eat(|b| b == b'o');
            c.eat_while(|b| (b'0'..=b'7').contains(&b) || b == b'_') > 0 && c.done()
        }
    };
    let decimal = || {
        let mut c = Cursor::new(s);
        c.sign();
        c.eat_while(digit_or_underscore) > 0 && c.done()
    };
    with_prefix("0b", |b| b == b'0' || b == b'1' || b == b'_')
        || octal()
        || decimal()
        || with_prefix("0x", |b| b.is_ascii_hexdigit() || b == b'_')
}

/// YAML timestamp regex: `YYYY-MM-DD` or a date-time with optional fraction and zone.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        b.get(range)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    if b.len() == 10
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
    {
        return true;
    }
    let mut c = Cursor::new(s);
    let two_digits = |c: &mut Cursor<'_>, optional_second: bool| {
        c.eat(|x| x.is_ascii_digit()) && (c.eat(|x| x.is_ascii_digit()) || optional_second)
    };
    if !(c.eat_while(|x| x.is_ascii_digit()) == 4 && c.eat(|x| x == b'-')) {
        return false;
    }
    if !(two_digits(&mut c, true) && c.eat(|x| x == b'-') && two_digits(&mut c, true)) {
        return false;
    }
    if !(c.eat(|x| x == b'T' || x == b't') || c.eat_while(|x| x == b' ' || x == b'\t') > 0) {
        return false;
    }
    if !(two_digits(&mut c, true)
        && c.eat(|x| x == b':')
        && two_digits(&mut c, false)
        && c.eat(|x| x == b':')
        && two_digits(&mut c, false))
    {
        return false;
    }
    if c.eat(|x| x == b'.') {
        c.eat_while(|x| x.is_ascii_digit());
    }
    c.eat_while(|x| x == b' ' || x == b'\t');
    if c.eat(|x| x == b'Z') {
        return c.done();
    }
    if c.eat(|x| x == b'+' || x == b'-') {
        if !two_digits(&mut c, true) {
            return false;
        }
        if c.eat(|x| x == b':') && !two_digits(&mut c, false) {
            return false;
        }
        return c.done();
    }
    // The zone is optional, but trailing blanks alone are not (`[ \t]*` belongs to it).
    c.done() && !s.ends_with([' ', '\t'])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn resolver_matches_ruamel_yaml_1_2() {
        for (text, tag) in [
            ("", "null"),
            ("null", "null"),
            ("~", "null"),
            ("true", "bool"),
            ("yes", "str"),
            ("on", "str"),
            ("111111111111", "int"),
            ("0x1F", "int"),
            ("0o17", "int"),
            ("+1", "int"),
            ("1_000", "int"),
            ("1e3", "float"),
            ("1.", "float"),
            (".5", "float"),
            ("1e+16", "float"),
            (".inf", "float"),
            ("-.inf", "float"),
            (".nan", "float"),
            ("2024-01-01", "timestamp"),
            ("2024-1-1", "str"),
            ("2024-01-01T10:00:00Z", "timestamp"),
            ("2024-01-01 10:00:00.5 +01:00", "timestamp"),
            ("123\n", "int"),
            ("abc", "str"),
            ("1.2.3", "str"),
            ("<<", "merge"),
            ("=", "value"),
        ] {
            assert_eq!(resolve_plain(text), tag, "{text:?}");
        }
    }

    #[test]
    fn block_layout_and_quoting() {
        let value = json!({
            "b": [1, "x", [], {}],
            "a": {"k": "v", "empty": ""},
            "c": [{"z": 1, "y": [true, null]}],
        });
        let want = "\
a:
  empty: ''
  k: v
b:
- 1
- x
- []
- {}
c:
- y:
  - true
  - null
  z: 1
";
        assert_eq!(dump(&value), want);
    }

    #[test]
    fn long_plain_scalars_fold_at_80_columns_with_trailing_space() {
        let text = "Lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt";
        assert_eq!(
            dump(&json!({"long": text})),
            "long: Lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod \n  tempor incididunt\n"
        );
    }
}
