//! The `configure` wizards' questions on a real terminal: a line editor for answers and a menu
//! for accounts and roles, in the look of the AWS CLI's prompt_toolkit UI.
//!
//! [`Prompter`] is the seam (`main` builds the real [`TerminalPrompter`]; the wizard only sees
//! the trait). The terminal work — raw mode, key events, cursor movement — is crossterm's; what
//! is ours is the small editing model on top: prompt_toolkit's Emacs keys for a single line,
//! Tab completion from the wizard's list, the validator's message under the line on Enter, and a
//! ten-line menu that, beyond the AWS CLI's arrow keys, filters as you type.

use std::io::{self, Write as _};

use crossterm::cursor::{MoveToColumn, MoveUp};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, read};
use crossterm::style::{Attribute, Print, SetAttribute};
use crossterm::terminal::{Clear, ClearType, disable_raw_mode, enable_raw_mode};
use crossterm::{QueueableCommand as _, queue};

/// Why no answer came.
#[derive(Debug)]
pub(crate) enum PromptError {
    /// Ctrl-C (or Ctrl-D on an empty line).
    Interrupted,
    /// The terminal failed.
    Io(io::Error),
}

impl From<io::Error> for PromptError {
    fn from(error: io::Error) -> Self {
        Self::Io(error)
    }
}

/// One question.
pub(crate) struct Question<'a> {
    /// The whole prompt, e.g. `SSO region [None]: `.
    pub(crate) prompt: &'a str,
    /// What Tab completes from.
    pub(crate) completions: &'a [String],
    /// Checks the (trimmed) answer on Enter: `Some(message)` keeps the question open.
    pub(crate) validate: &'a dyn Fn(&str) -> Option<String>,
}

/// Asks the wizard's questions.
pub(crate) trait Prompter: Send + Sync {
    /// The answer, trimmed (empty: Enter on an empty line, i.e. "keep the default").
    fn ask(&self, question: &Question<'_>) -> Result<String, PromptError>;

    /// The index of the item picked from `items` (at least one).
    fn choose(&self, items: &[String]) -> Result<usize, PromptError>;
}

/// The real terminal: reads keys from stdin and draws on stdout, as prompt_toolkit does.
pub(crate) struct TerminalPrompter;

/// Raw mode for as long as it lives, so every way out (an error, a panic unwinding) gives
/// the terminal back as it was.
struct RawMode;

impl RawMode {
    fn enter() -> io::Result<Self> {
        enable_raw_mode()?;
        Ok(Self)
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        let _ = disable_raw_mode();
    }
}

/// The next key press (releases and repeats of other platforms, resizes and the like skipped).
fn next_key() -> io::Result<KeyEvent> {
    loop {
        if let Event::Key(key) = read()?
            && key.kind != KeyEventKind::Release
        {
            return Ok(key);
        }
    }
}

fn ctrl(key: &KeyEvent, c: char) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char(c)
}

fn width() -> usize {
    crossterm::terminal::size().map_or(80, |(columns, _)| usize::from(columns).max(20))
}

/// How many terminal rows `columns` characters take.
fn rows(columns: usize, width: usize) -> usize {
    columns.max(1).div_ceil(width)
}

/// The line being edited: characters and the cursor position among them.
#[derive(Debug, Default)]
struct Line {
    chars: Vec<char>,
    cursor: usize,
}

impl Line {
    fn text(&self) -> String {
        self.chars.iter().collect()
    }

    fn insert(&mut self, c: char) {
        self.chars.insert(self.cursor, c);
        self.cursor += 1;
    }

    /// prompt_toolkit's Emacs bindings for one line. Returns whether the key was an edit.
    fn edit(&mut self, key: &KeyEvent) -> bool {
        let control = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('a') if control => self.cursor = 0,
            KeyCode::Char('e') if control => self.cursor = self.chars.len(),
            KeyCode::Char('b') if control => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Char('f') if control => self.cursor = (self.cursor + 1).min(self.chars.len()),
            KeyCode::Char('u') if control => {
                self.chars.drain(..self.cursor);
                self.cursor = 0;
            }
            KeyCode::Char('k') if control => self.chars.truncate(self.cursor),
            KeyCode::Char('w') if control => {
                let mut start = self.cursor;
                while start > 0 && self.chars[start - 1].is_whitespace() {
                    start -= 1;
                }
                while start > 0 && !self.chars[start - 1].is_whitespace() {
                    start -= 1;
                }
                self.chars.drain(start..self.cursor);
                self.cursor = start;
            }
            KeyCode::Char('h') if control => self.backspace(),
            KeyCode::Char(c) if !control => self.insert(c),
            KeyCode::Backspace => self.backspace(),
            KeyCode::Delete if self.cursor < self.chars.len() => {
                self.chars.remove(self.cursor);
            }
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(self.chars.len()),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = self.chars.len(),
            _ => return false,
        }
        true
    }

    fn backspace(&mut self) {
        if self.cursor > 0 {
            self.cursor -= 1;
            self.chars.remove(self.cursor);
        }
    }

    /// Tab: the word completed to the longest prefix the matching completions share.
    fn complete(&mut self, completions: &[String]) -> Vec<String> {
        let typed = self.text();
        let matches: Vec<String> = completions
            .iter()
            .filter(|c| c.starts_with(typed.trim_start()))
            .cloned()
            .collect();
        if let Some(first) = matches.first() {
            let mut common: String = first.clone();
            for other in &matches[1..] {
                let shared = common
                    .chars()
                    .zip(other.chars())
                    .take_while(|(a, b)| a == b)
                    .count();
                common = common.chars().take(shared).collect();
            }
            if common.chars().count() > typed.trim_start().chars().count() {
                self.chars = common.chars().collect();
                self.cursor = self.chars.len();
            }
        }
        matches
    }
}

/// What is drawn below the line being edited.
enum Below {
    Nothing,
    /// A validator's message.
    Error(String),
    /// The completions Tab found.
    Candidates(Vec<String>),
}

impl TerminalPrompter {
    fn draw_line(
        out: &mut impl io::Write,
        prompt: &str,
        line: &Line,
        below: &Below,
        drawn_rows: &mut usize,
    ) -> io::Result<()> {
        let width = width();
        // Back to the first row of what was drawn last time, and clear it all.
        if *drawn_rows > 1 {
            let up = u16::try_from(*drawn_rows - 1).unwrap_or(u16::MAX);
            out.queue(MoveUp(up))?;
        }
        queue!(out, MoveToColumn(0), Clear(ClearType::FromCursorDown))?;
        let prompt_width = prompt.chars().count();
        let text = line.text();
        out.queue(Print(prompt))?.queue(Print(&text))?;
        let mut total = rows(prompt_width + line.chars.len() + 1, width);
        let below_text = match below {
            Below::Nothing => None,
            Below::Error(message) => Some(message.clone()),
            Below::Candidates(candidates) => Some(candidates.join("  ")),
        };
        if let Some(text) = &below_text {
            let shown: String = text.chars().take(width - 1).collect();
            queue!(
                out,
                Print("\r\n"),
                SetAttribute(Attribute::Reverse),
                Print(&shown),
                SetAttribute(Attribute::Reset)
            )?;
            total += 1;
        }
        // The cursor to its place in the line.
        let cursor_at = prompt_width + line.cursor;
        let cursor_row = cursor_at / width;
        let last_row = total - 1;
        if last_row > cursor_row {
            out.queue(MoveUp(
                u16::try_from(last_row - cursor_row).unwrap_or(u16::MAX),
            ))?;
        }
        out.queue(MoveToColumn(u16::try_from(cursor_at % width).unwrap_or(0)))?;
        out.flush()?;
        *drawn_rows = cursor_row + 1;
        Ok(())
    }
}

impl Prompter for TerminalPrompter {
    fn ask(&self, question: &Question<'_>) -> Result<String, PromptError> {
        let mut out = io::stdout();
        let _raw = RawMode::enter()?;
        let mut line = Line::default();
        let mut below = Below::Nothing;
        let mut drawn = 1;
        Self::draw_line(&mut out, question.prompt, &line, &below, &mut drawn)?;
        loop {
            let key = next_key()?;
            if ctrl(&key, 'c') || (ctrl(&key, 'd') && line.chars.is_empty()) {
                below = Below::Nothing;
                Self::draw_line(&mut out, question.prompt, &line, &below, &mut drawn)?;
                queue!(out, Print("\r\n"))?;
                out.flush()?;
                return Err(PromptError::Interrupted);
            }
            match key.code {
                KeyCode::Enter => {
                    let answer = line.text().trim().to_owned();
                    if let Some(message) = (question.validate)(&answer) {
                        below = Below::Error(message);
                    } else {
                        below = Below::Nothing;
                        Self::draw_line(&mut out, question.prompt, &line, &below, &mut drawn)?;
                        queue!(out, Print("\r\n"))?;
                        out.flush()?;
                        return Ok(answer);
                    }
                }
                KeyCode::Tab => {
                    let matches = line.complete(question.completions);
                    below = if matches.len() > 1 {
                        Below::Candidates(matches)
                    } else {
                        Below::Nothing
                    };
                }
                _ => {
                    if line.edit(&key) {
                        below = Below::Nothing;
                    }
                }
            }
            Self::draw_line(&mut out, question.prompt, &line, &below, &mut drawn)?;
        }
    }

    fn choose(&self, items: &[String]) -> Result<usize, PromptError> {
        let mut out = io::stdout();
        let _raw = RawMode::enter()?;
        let mut menu = Menu::new(items);
        let mut drawn = 0;
        loop {
            drawn = menu.draw(&mut out, drawn)?;
            let key = next_key()?;
            if ctrl(&key, 'c') {
                Menu::erase(&mut out, drawn)?;
                return Err(PromptError::Interrupted);
            }
            match key.code {
                KeyCode::Enter => {
                    if let Some(&index) = menu.visible.get(menu.selected) {
                        // Like prompt_toolkit's `erase_when_done`: the menu leaves no trace.
                        Menu::erase(&mut out, drawn)?;
                        return Ok(index);
                    }
                }
                KeyCode::Up => menu.step(-1),
                KeyCode::Down | KeyCode::Tab => menu.step(1),
                KeyCode::PageUp => menu.step(-(MENU_ROWS as isize)),
                KeyCode::PageDown => menu.step(MENU_ROWS as isize),
                KeyCode::Esc => menu.set_filter(String::new()),
                KeyCode::Backspace => {
                    let mut filter = menu.filter.clone();
                    filter.pop();
                    menu.set_filter(filter);
                }
                KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                    menu.set_filter(String::new());
                }
                KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                    let mut filter = menu.filter.clone();
                    filter.push(c);
                    menu.set_filter(filter);
                }
                _ => {}
            }
        }
    }
}

/// Rows of items shown at once (the AWS CLI's `max_height`).
const MENU_ROWS: usize = 10;

/// The account or role menu: the items the filter lets through, the selection and a window.
struct Menu<'a> {
    items: &'a [String],
    /// Lower-cased items, for the filter.
    folded: Vec<String>,
    filter: String,
    /// Indices into `items` that match the filter.
    visible: Vec<usize>,
    /// Index into `visible`.
    selected: usize,
    /// First row of `visible` shown.
    top: usize,
}

impl<'a> Menu<'a> {
    fn new(items: &'a [String]) -> Self {
        Self {
            items,
            folded: items.iter().map(|item| item.to_lowercase()).collect(),
            filter: String::new(),
            visible: (0..items.len()).collect(),
            selected: 0,
            top: 0,
        }
    }

    /// Every word of the filter must appear in the item, in any case.
    fn set_filter(&mut self, filter: String) {
        let words: Vec<String> = filter.split_whitespace().map(str::to_lowercase).collect();
        self.visible = (0..self.items.len())
            .filter(|&i| {
                words
                    .iter()
                    .all(|word| self.folded[i].contains(word.as_str()))
            })
            .collect();
        self.filter = filter;
        self.selected = 0;
        self.top = 0;
    }

    /// Moves the selection, wrapping around at either end as the AWS CLI's menu does (page
    /// steps stop at the ends instead).
    fn step(&mut self, delta: isize) {
        let count = self.visible.len();
        if count == 0 {
            return;
        }
        let current = self.selected as isize;
        let next = current + delta;
        self.selected = if delta.abs() == 1 {
            next.rem_euclid(count as isize) as usize
        } else {
            next.clamp(0, count as isize - 1) as usize
        };
        if self.selected < self.top {
            self.top = self.selected;
        } else if self.selected >= self.top + MENU_ROWS {
            self.top = self.selected + 1 - MENU_ROWS;
        }
    }

    /// Draws the menu over the `drawn` rows of the last drawing; returns the rows now used.
    /// The cursor stays at the start of the selected row, as prompt_toolkit leaves it.
    fn draw(&self, out: &mut impl io::Write, drawn: usize) -> io::Result<usize> {
        Self::erase(out, drawn)?;
        let width = width();
        let mut lines = Vec::new();
        if !self.filter.is_empty() {
            lines.push((
                false,
                format!(
                    "Filter: {}  ({} of {}; Esc clears)",
                    self.filter,
                    self.visible.len(),
                    self.items.len()
                ),
            ));
            if self.visible.is_empty() {
                lines.push((false, "  (nothing matches)".to_owned()));
            }
        }
        let item_width = self
            .items
            .iter()
            .map(|item| item.chars().count())
            .max()
            .unwrap_or(0)
            .min(width.saturating_sub(6));
        for row in self.top..(self.top + MENU_ROWS).min(self.visible.len()) {
            let item = &self.items[self.visible[row]];
            let selected = row == self.selected;
            let cursor = if selected { '>' } else { ' ' };
            let text = trim_to(item, item_width);
            let padding = item_width.saturating_sub(text.chars().count());
            lines.push((
                selected,
                format!("{cursor} {text}{}  ", " ".repeat(padding)),
            ));
        }
        for (i, (selected, text)) in lines.iter().enumerate() {
            if i > 0 {
                out.queue(Print("\r\n"))?;
            }
            if *selected {
                queue!(
                    out,
                    SetAttribute(Attribute::Reverse),
                    Print(text),
                    SetAttribute(Attribute::Reset)
                )?;
            } else {
                out.queue(Print(text))?;
            }
        }
        // Park the cursor at the selected row's start.
        let selected_row = lines
            .iter()
            .position(|(selected, _)| *selected)
            .unwrap_or(0);
        let up = lines.len().saturating_sub(1) - selected_row;
        if up > 0 {
            out.queue(MoveUp(u16::try_from(up).unwrap_or(u16::MAX)))?;
        }
        out.queue(MoveToColumn(0))?;
        out.flush()?;
        Ok(selected_row + 1)
    }

    /// Clears what the last drawing left, the cursor being on its row `drawn` (1-based).
    fn erase(out: &mut impl io::Write, drawn: usize) -> io::Result<()> {
        if drawn > 1 {
            out.queue(MoveUp(u16::try_from(drawn - 1).unwrap_or(u16::MAX)))?;
        }
        queue!(out, MoveToColumn(0), Clear(ClearType::FromCursorDown))?;
        out.flush()
    }
}

/// `_trim_text`: text wider than `max` ends in `...`.
fn trim_to(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(3).max(1)).collect();
    out.push_str("...");
    out.chars().take(max).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn control(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    #[test]
    fn the_line_editor_has_the_emacs_keys() {
        let mut line = Line::default();
        for c in "hello world".chars() {
            line.edit(&key(KeyCode::Char(c)));
        }
        line.edit(&control('w'));
        assert_eq!(line.text(), "hello ");
        line.edit(&key(KeyCode::Home));
        line.edit(&key(KeyCode::Char('>')));
        line.edit(&control('e'));
        line.edit(&key(KeyCode::Backspace));
        assert_eq!(line.text(), ">hello");
        line.edit(&key(KeyCode::Left));
        line.edit(&key(KeyCode::Left));
        line.edit(&control('k'));
        assert_eq!(line.text(), ">hel");
        line.edit(&control('u'));
        assert_eq!(line.text(), "");
    }

    #[test]
    fn tab_completes_the_shared_prefix() {
        let completions = vec![
            "us-east-1".to_owned(),
            "us-east-2".to_owned(),
            "eu-west-1".to_owned(),
        ];
        let mut line = Line::default();
        line.insert('u');
        assert_eq!(line.complete(&completions).len(), 2);
        assert_eq!(line.text(), "us-east-");
        line.insert('2');
        assert_eq!(line.complete(&completions), ["us-east-2"]);
    }

    #[test]
    fn the_menu_filters_by_every_word_and_wraps_around() {
        let items: Vec<String> = ["Alpha, a@x (1)", "Beta, b@x (2)", "Gamma, g@x (3)"]
            .map(String::from)
            .to_vec();
        let mut menu = Menu::new(&items);
        menu.step(-1);
        assert_eq!(menu.visible[menu.selected], 2);
        menu.set_filter("X (2".into());
        assert_eq!(menu.visible, [1]);
        menu.set_filter("a @x".into());
        assert_eq!(menu.visible, [0, 1, 2]);
        menu.set_filter("zzz".into());
        assert!(menu.visible.is_empty());
        menu.step(1);
    }

    #[test]
    fn long_items_are_trimmed_with_dots() {
        assert_eq!(trim_to("abcdefghij", 7), "abcd...");
        assert_eq!(trim_to("abc", 7), "abc");
    }
}
