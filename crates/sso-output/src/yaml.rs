//! `--output yaml` / `yaml-stream` (AWS CLI v2): a block-style YAML emitter that
//! reproduces AWS CLI v2's `YAMLDumper`, i.e. ruamel.yaml `YAML(typ='safe')` with
//! `default_flow_style=False`.
//!
//! AWS CLI v2 depends on ruamel.yaml.clib, so that dumper does not emit through
//! ruamel's pure-Python emitter: ruamel's representer and resolver build the events
//! and libyaml's emitter (`emitter.c` as vendored in ruamel.yaml.clib 0.2.15) writes
//! them, with best_width 80, best_indent 2 and unicode allowed. This module mirrors
//! that C emitter; the pure-Python one lays out long and multi-line scalars
//! differently, so it is not the reference.
//!
//! What has to match, byte for byte (checked against ruamel.yaml 0.19.1 with
//! ruamel.yaml.clib 0.2.15):
//! * mapping keys sorted by code point (the safe representer sorts dicts);
//! * sequences inside mappings are "indentless" (`key:\n- item`), nested ones compact
//!   (`- - a`, `- key: v`), empty containers in flow style (`[]`, `{}`);
//! * the scalar style (`yaml_emitter_select_scalar_style`): plain unless the text
//!   would resolve to another YAML 1.2 type (`'null'`, `'2024-01-01'`, `'1e3'`,
//!   `'0x1F'`, `'111111111111'`, `''`) or `yaml_emitter_analyze_scalar` rules it out
//!   (indicators, leading or trailing blanks, line breaks); otherwise single quotes,
//!   line breaks included; double quotes only when single quotes cannot hold the text:
//!   a space next to a line break, or a character outside libyaml's printable set
//!   (controls, tab, BOM, anything beyond the BMP: `😀` is written `"\U0001F600"`);
//! * folding at a space only once the column is already past 80 (columns counted in
//!   code points), so a long scalar without spaces stays on the `key: value` line;
//! * keys longer than 128 UTF-8 bytes or with line breaks written as explicit
//!   `? key` entries (`yaml_emitter_check_simple_key`).
//!
//! Never reached for JSON data, so not mirrored: block scalars (`|`, `>`; ruamel
//! requests no scalar style), flow collections with items (the dumper is block
//! style), tags (every JSON scalar is implicit: strings via `quoted_implicit`, other
//! scalars resolve to their own tag), anchors and aliases (object identity, ruamel's
//! `&id001` for a container that appears twice, does not exist in a
//! `serde_json::Value` tree).
//! A top-level JSON scalar never reaches ruamel: `YAMLDumper.dump` writes it with
//! `json.dump(..., ensure_ascii=False)`; that lives in [`crate::render`].

use serde_json::Value;

use sso_core::python;

const BEST_WIDTH: usize = 80;
const BEST_INDENT: usize = 2;
/// `yaml_emitter_check_simple_key` compares the scalar's length in UTF-8 bytes.
const MAX_SIMPLE_KEY_BYTES: usize = 128;

/// Emits `value` (an object or array) as one YAML document.
pub(crate) fn dump(value: &Value) -> String {
    let mut emitter = Emitter::default();
    emitter.node(&Node::Value(value), Context::Root);
    // `yaml_emitter_emit_document_end` (implicit end): finish the last line.
    emitter.write_indent();
    emitter.out
}

/// A node to emit: either a value from the tree or a mapping key.
enum Node<'a> {
    Value(&'a Value),
    Key(&'a str),
}

/// The `root`/`sequence`/`mapping`/`simple_key` flags of `yaml_emitter_emit_node`.
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

/// The part of libyaml's `scalar_data` (from `yaml_emitter_analyze_scalar`) that
/// block context consults; the flow and block-scalar permissions are never needed.
struct Analysis {
    multiline: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
}

/// The subset of libyaml's `yaml_emitter_t` that block-style output of JSON data uses.
struct Emitter {
    out: String,
    /// Indentation stack (`emitter->indents`).
    indents: Vec<Option<usize>>,
    /// `None` is libyaml's `-1`: no block opened yet.
    indent: Option<usize>,
    /// In code points: libyaml bumps it once per written character.
    column: usize,
    whitespace: bool,
    indention: bool,
}

impl Default for Emitter {
    /// `yaml_emitter_emit_stream_start`.
    fn default() -> Self {
        Self {
            out: String::new(),
            indents: Vec::new(),
            indent: None,
            column: 0,
            whitespace: true,
            indention: true,
        }
    }
}

/// `IS_BREAK`: CR, LF, NEL, LS, PS.
fn is_break(ch: char) -> bool {
    matches!(ch, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// `IS_BLANKZ`: blank, break, or NUL; the end of the value reads as its NUL terminator.
fn is_blankz(ch: Option<char>) -> bool {
    ch.is_none_or(|c| matches!(c, '\0' | ' ' | '\t') || is_break(c))
}

/// `IS_PRINTABLE` decoded from its UTF-8 byte tests: LF, printable ASCII, and the
/// BMP ranges `#xA0-#xD7FF`, `#xE000-#xFFFD` without the BOM. Tab and every
/// character beyond the BMP count as unprintable.
fn is_printable(ch: char) -> bool {
    matches!(ch as u32, 0x0A | 0x20..=0x7E | 0xA0..=0xD7FF | 0xE000..=0xFFFD) && ch != '\u{FEFF}'
}

impl Emitter {
    // ---- low-level writers (`PUT`, `WRITE`, `PUT_BREAK`, `WRITE_BREAK`, ...) ----

    fn put(&mut self, ch: char) {
        self.out.push(ch);
        self.column += 1;
    }

    fn put_str(&mut self, data: &str) {
        for ch in data.chars() {
            self.put(ch);
        }
    }

    /// `WRITE_BREAK`: the break character itself (a line feed is `PUT_BREAK`'s `\n`).
    fn write_break(&mut self, ch: char) {
        self.out.push(ch);
        self.column = 0;
    }

    fn write_indicator(
        &mut self,
        indicator: &str,
        need_whitespace: bool,
        is_whitespace: bool,
        is_indention: bool,
    ) {
        if need_whitespace && !self.whitespace {
            self.put(' ');
        }
        self.put_str(indicator);
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
    }

    fn write_indent(&mut self) {
        let indent = self.indent.unwrap_or(0);
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.write_break('\n');
        }
        while self.column < indent {
            self.put(' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        self.indent = match self.indent {
            None => Some(if flow { BEST_INDENT } else { 0 }),
            Some(current) if !indentless => Some(current + BEST_INDENT),
            unchanged => unchanged,
        };
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().flatten();
    }

    // ---- node handlers (`yaml_emitter_emit_*`) ----

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

    /// `yaml_emitter_check_empty_sequence`/`_mapping` send an empty container to the
    /// flow state, whose first event is already the end: the opening indicator, then
    /// the closing one. (The flow indentation it pushes is popped unused.)
    fn empty_flow(&mut self, open: &str, close: &str) {
        self.write_indicator(open, true, true, false);
        self.write_indicator(close, false, false, false);
    }

    fn block_sequence(&mut self, items: &[Value], context: Context) {
        // Right after `key:` (indention off) the dashes stay at the key's column.
        self.increase_indent(false, context == Context::Mapping && !self.indention);
        for item in items {
            self.write_indent();
            self.write_indicator("-", true, false, true);
            self.node(&Node::Value(item), Context::Sequence);
        }
        self.pop_indent();
    }

    fn block_mapping(&mut self, entries: &[(&String, &Value)]) {
        self.increase_indent(false, false);
        for (key, value) in entries {
            self.write_indent();
            if key.len() <= MAX_SIMPLE_KEY_BYTES && !analyze(key).multiline {
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

    /// `yaml_emitter_emit_scalar`: folded lines continue one indentation step deeper.
    fn scalar(&mut self, text: &str, tag: &str, context: Context) {
        let simple_key = context == Context::SimpleKey;
        let style = select_style(text, tag, &analyze(text), simple_key);
        self.increase_indent(true, false);
        let allow_breaks = !simple_key;
        match style {
            Style::Plain => self.write_plain(text, allow_breaks),
            Style::Single => self.write_single_quoted(text, allow_breaks),
            Style::Double => self.write_double_quoted(text, allow_breaks),
        }
        self.pop_indent();
    }

    // ---- scalar writers ----

    fn write_plain(&mut self, text: &str, allow_breaks: bool) {
        // No space after `key:` for an empty value (block context only).
        if !self.whitespace && !text.is_empty() {
            self.put(' ');
        }
        // The analysis rules out plain style for text with line breaks, so only
        // spaces need care here.
        let mut spaces = false;
        let mut chars = text.chars().peekable();
        while let Some(ch) = chars.next() {
            if ch == ' ' {
                // Break at the first space of a run once past the width; the space
                // becomes the line break. Inside a run of spaces it would change them.
                if allow_breaks && !spaces && self.column > BEST_WIDTH && chars.peek() != Some(&' ')
                {
                    self.write_indent();
                } else {
                    self.put(' ');
                }
                spaces = true;
            } else {
                self.put(ch);
                self.indention = false;
                spaces = false;
            }
        }
        self.whitespace = false;
        self.indention = false;
    }

    fn write_single_quoted(&mut self, text: &str, allow_breaks: bool) {
        self.write_indicator("'", true, false, false);
        let chars: Vec<char> = text.chars().collect();
        let mut spaces = false;
        let mut breaks = false;
        for (i, &ch) in chars.iter().enumerate() {
            if ch == ' ' {
                // As in plain style, but never at either end: a leading or trailing
                // space next to the quote would be folded away on reading.
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i != 0
                    && i + 1 != chars.len()
                    && chars.get(i + 1) != Some(&' ')
                {
                    self.write_indent();
                } else {
                    self.put(' ');
                }
                spaces = true;
            } else if is_break(ch) {
                // A lone line feed would fold into a space on reading: write an extra
                // one first, so each `\n` reads back as an empty line.
                if !breaks && ch == '\n' {
                    self.write_break('\n');
                }
                self.write_break(ch);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if ch == '\'' {
                    self.put('\'');
                }
                self.put(ch);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        if breaks {
            self.write_indent();
        }
        self.write_indicator("'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_double_quoted(&mut self, text: &str, allow_breaks: bool) {
        self.write_indicator("\"", true, false, false);
        let chars: Vec<char> = text.chars().collect();
        let mut spaces = false;
        for (i, &ch) in chars.iter().enumerate() {
            // `is_printable` already excludes the BOM that libyaml tests separately.
            if !is_printable(ch) || is_break(ch) || ch == '"' || ch == '\\' {
                self.put_str(&escape(ch));
                spaces = false;
            } else if ch == ' ' {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i != 0
                    && i + 1 != chars.len()
                {
                    self.write_indent();
                    // The break replaces this space; escape the next one so that it
                    // is not taken for indentation.
                    if chars.get(i + 1) == Some(&' ') {
                        self.put('\\');
                    }
                } else {
                    self.put(' ');
                }
                spaces = true;
            } else {
                self.put(ch);
                spaces = false;
            }
        }
        self.write_indicator("\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }
}

/// The escape `yaml_emitter_write_double_quoted_scalar` writes for `ch`.
fn escape(ch: char) -> String {
    // libyaml also has `\_` for U+00A0, but that character is printable and never
    // escaped.
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

/// libyaml `yaml_emitter_analyze_scalar` (unicode allowed), block-context results only.
fn analyze(scalar: &str) -> Analysis {
    let chars: Vec<char> = scalar.chars().collect();
    if chars.is_empty() {
        return Analysis {
            multiline: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
        };
    }
    // Flow indicators only matter in flow context, where no scalar is written here.
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
    let mut followed_by_whitespace = is_blankz(chars.get(1).copied());
    let mut previous_space = false;
    let mut previous_break = false;
    let last = chars.len() - 1;

    for (index, &ch) in chars.iter().enumerate() {
        if index == 0 {
            // Leading indicators; `?`, `:` and `-` only when followed by whitespace.
            if "#,[]{}&*!|>'\"%@`".contains(ch) || ("?:-".contains(ch) && followed_by_whitespace) {
                block_indicators = true;
            }
        } else if (ch == ':' && followed_by_whitespace) || (ch == '#' && preceded_by_whitespace) {
            block_indicators = true;
        }
        if !is_printable(ch) {
            special_characters = true;
        }
        if is_break(ch) {
            line_breaks = true;
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
        preceded_by_whitespace = is_blankz(Some(ch));
        if index != last {
            followed_by_whitespace = is_blankz(chars.get(index + 2).copied());
        }
    }

    let quoting_needed = break_space || space_break || special_characters;
    Analysis {
        multiline: line_breaks,
        block_plain_allowed: !(leading_space
            || leading_break
            || trailing_space
            || trailing_break
            || line_breaks
            || block_indicators
            || quoting_needed),
        single_quoted_allowed: !quoting_needed,
    }
}

/// libyaml `yaml_emitter_select_scalar_style` for a scalar without a requested style
/// (ruamel's C serializer asks for plain) in block context.
fn select_style(text: &str, tag: &str, analysis: &Analysis, simple_key: bool) -> Style {
    // ruamel's serializer sets `plain_implicit` when its resolver maps the plain text
    // back to the node's tag. (libyaml forces double quotes on a multi-line simple
    // key, but `yaml_emitter_check_simple_key` never lets one through.)
    let plain_implicit = resolve_plain(text) == tag;
    let mut style = Style::Plain;
    if !analysis.block_plain_allowed || !plain_implicit || (simple_key && text.is_empty()) {
        style = Style::Single;
    }
    if style == Style::Single && !analysis.single_quoted_allowed {
        style = Style::Double;
    }
    // A quoted non-string would need libyaml's `!` tag; the texts ruamel gives
    // numbers, booleans and null are always plain.
    debug_assert!(style == Style::Plain || tag == "str", "{text:?} as {tag}");
    style
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
            "d": [["a", []], {"k": [{}]}],
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
d:
- - a
  - []
- k:
  - {}
";
        assert_eq!(dump(&value), want);
    }

    #[test]
    fn plain_scalars_fold_only_past_80_columns_and_long_words_stay_on_the_key_line() {
        let text = "Lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt";
        assert_eq!(
            dump(&json!({"long": text})),
            "long: Lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor\n  incididunt\n"
        );
        let token = "x".repeat(100);
        assert_eq!(dump(&json!({"token": token})), format!("token: {token}\n"));
    }

    #[test]
    fn quoting_follows_libyaml() {
        let value = json!({
            "multi": "a\nb",
            "break_space": "a\n b",
            "emoji": "😀",
            "tab": "it's\t",
        });
        let want = "\
break_space: \"a\\n b\"
emoji: \"\\U0001F600\"
multi: 'a

  b'
tab: \"it's\\t\"
";
        assert_eq!(dump(&value), want);
    }

    #[test]
    fn simple_keys_are_limited_to_128_utf8_bytes() {
        let (fits, too_long) = ("é".repeat(64), "é".repeat(65));
        assert_eq!(
            dump(&json!({fits.clone(): 4, too_long.clone(): 3})),
            format!("{fits}: 4\n? {too_long}\n: 3\n")
        );
    }
}
