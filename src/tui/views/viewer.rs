//! The file viewer: a scrollable, searchable view of one small text file of
//! the model, with JSON syntax colouring. Files are read up to a cap; the
//! model directory is only ever read.

use super::{Ctx, Effect, View};
use crate::tui::cursor::Cursor;
use crate::tui::filter::Query;
use crate::tui::keys::Action;
use crate::tui::list;
use crate::tui::theme::Theme;
use crate::util::human::{bytes, grouped};
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;
use std::io::Read;
use std::path::Path;

/// The viewer reads at most this many bytes of a file.
pub const VIEW_CAP: u64 = 1 << 20;

/// Why a file could not be shown.
#[derive(Debug, thiserror::Error)]
pub enum ViewError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file, relative to the model root.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file holds binary data.
    #[error("{0} is a binary file: not shown")]
    Binary(String),
}

/// A text file opened in the viewer.
#[derive(Debug)]
pub struct Viewer {
    path: String,
    text: String,
    lines: Vec<(usize, usize)>,
    json: bool,
    full_size: u64,
    truncated: bool,
    target: Option<usize>,
    /// Lines highlighted (0-based, inclusive): the clause an obligation cites.
    highlight: Option<(usize, usize)>,
    cursor: Cursor,
    query: Option<Query>,
}

impl Viewer {
    /// Reads `real_path` (at most [`VIEW_CAP`] bytes) and shows `rel_path`,
    /// with the 1-based `line` selected when given.
    pub fn open(real_path: &Path, rel_path: &str, line: Option<u32>) -> Result<Viewer, ViewError> {
        let io = |source| ViewError::Io {
            path: rel_path.to_string(),
            source,
        };
        let file = crate::util::fs::open_regular(real_path).map_err(io)?;
        let full_size = file.metadata().map_err(io)?.len();
        let mut buf = Vec::new();
        file.take(VIEW_CAP).read_to_end(&mut buf).map_err(io)?;
        if buf.iter().take(8192).any(|&b| b == 0) {
            return Err(ViewError::Binary(rel_path.to_string()));
        }
        let truncated = (buf.len() as u64) < full_size;
        Ok(Viewer::from_text(
            rel_path,
            String::from_utf8_lossy(&buf).into_owned(),
            full_size,
            truncated,
            line,
        ))
    }

    /// A viewer over text already in memory.
    pub fn from_text(
        rel_path: &str,
        text: String,
        full_size: u64,
        truncated: bool,
        line: Option<u32>,
    ) -> Viewer {
        let mut lines = Vec::new();
        let mut start = 0;
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                let end = if i > start && text.as_bytes()[i - 1] == b'\r' {
                    i - 1
                } else {
                    i
                };
                lines.push((start, end));
                start = i + 1;
            }
        }
        if start < text.len() {
            lines.push((start, text.len()));
        }
        let json = rel_path.ends_with(".json") || rel_path.ends_with(".jsonl");
        let mut cursor = Cursor::default();
        let target = line.map(|l| (l as usize).saturating_sub(1));
        if let Some(t) = target {
            cursor.select(t, lines.len());
        }
        Viewer {
            path: rel_path.to_string(),
            text,
            lines,
            json,
            full_size,
            truncated,
            target,
            highlight: None,
            cursor,
            query: None,
        }
    }

    /// Highlights the 1-based lines `start..=end` and scrolls them into view
    /// (from the top of the screen, with two lines of context above),
    /// selecting the first.
    pub fn highlight_lines(&mut self, start: u32, end: u32) {
        let n = self.lines.len();
        if n == 0 {
            return;
        }
        let s = (start.max(1) as usize - 1).min(n - 1);
        let e = (end.max(start).max(1) as usize - 1).clamp(s, n - 1);
        self.highlight = Some((s, e));
        self.target = Some(s);
        self.cursor.select(s, n);
        self.cursor.scroll_to(s.saturating_sub(2));
    }

    /// The highlighted lines, 1-based and inclusive.
    pub fn highlighted(&self) -> Option<(usize, usize)> {
        self.highlight.map(|(s, e)| (s + 1, e + 1))
    }

    /// The first line drawn, 1-based, as of the last draw.
    pub fn first_visible(&self) -> usize {
        self.cursor.offset() + 1
    }

    /// The file shown, relative to the model root.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The selected line, 1-based.
    pub fn line(&self) -> usize {
        self.cursor.selected() + 1
    }

    fn line_text(&self, i: usize) -> &str {
        let (s, e) = self.lines[i];
        &self.text[s..e]
    }

    fn step_match(&mut self, forward: bool, include_current: bool) -> Effect {
        let Some(q) = &self.query else {
            return Effect::Status("no search: press / to search".into());
        };
        let n = self.lines.len();
        let here = self.cursor.selected();
        let found = list::step_match(
            Some(q),
            n,
            here,
            forward,
            include_current,
            "line",
            |q, i| q.matches(self.line_text(i)),
        );
        match found {
            Ok(Some(i)) => {
                self.cursor.select(i, n);
                Effect::Done
            }
            Ok(None) => Effect::Done,
            Err(status) => Effect::Status(status),
        }
    }
}

/// Splits one line of JSON into coloured spans. Pretty-printed JSON never
/// continues a string across lines, so a line is coloured on its own.
pub fn json_spans(line: &str, t: Theme) -> Vec<Span<'static>> {
    let mut out = Vec::new();
    let b = line.as_bytes();
    let mut plain_start = 0;
    let mut i = 0;
    let flush = |out: &mut Vec<Span<'static>>, from: usize, to: usize| {
        if to > from {
            out.push(Span::raw(line[from..to].to_string()));
        }
    };
    while i < b.len() {
        let c = b[i];
        let (end, style): (usize, Style) = if c == b'"' {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            let end = (j + 1).min(b.len());
            let rest = line[end..].trim_start();
            let style = if rest.starts_with(':') {
                t.json_key()
            } else {
                t.json_string()
            };
            (end, style)
        } else if c == b'-' || c.is_ascii_digit() {
            let mut j = i + 1;
            while j < b.len() && (b[j].is_ascii_digit() || b".eE+-".contains(&b[j])) {
                j += 1;
            }
            (j, t.json_number())
        } else if let Some(lit) = ["true", "false", "null"]
            .iter()
            .find(|l| b[i..].starts_with(l.as_bytes()))
        {
            (i + lit.len(), t.json_literal())
        } else {
            i += 1;
            continue;
        };
        flush(&mut out, plain_start, i);
        out.push(Span::styled(line[i..end].to_string(), style));
        i = end;
        plain_start = end;
    }
    flush(&mut out, plain_start, b.len());
    out
}

/// The first `width` characters of `s` (tabs shown as spaces).
fn visible_prefix(s: &str, width: usize) -> String {
    s.chars()
        .take(width)
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect()
}

impl View for Viewer {
    fn title(&self) -> &'static str {
        "Viewer"
    }

    fn update(&mut self, action: Action, _ctx: &Ctx) -> Effect {
        if self.cursor.apply(action, self.lines.len()) {
            return Effect::Done;
        }
        match action {
            Action::Back if self.query.is_some() => {
                self.query = None;
                Effect::Done
            }
            Action::NextMatch => self.step_match(true, false),
            Action::PrevMatch => self.step_match(false, false),
            Action::Open => Effect::Done,
            _ => Effect::Unhandled,
        }
    }

    fn set_query(&mut self, query: Option<Query>, _ctx: &Ctx) {
        self.query = query;
        if self.query.is_some() {
            let _ = self.step_match(true, true);
        }
    }

    fn query(&self) -> Option<&Query> {
        self.query.as_ref()
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let t = ctx.theme;
        let mut title = format!(
            " {} · {} lines{} ",
            self.path,
            grouped(self.lines.len() as u64),
            if self.json { " · JSON" } else { "" }
        );
        match self.highlighted() {
            Some((s, e)) if e > s => title.push_str(&format!("· lines {s}-{e} cited ")),
            Some((s, _)) => title.push_str(&format!("· line {s} cited ")),
            None => {}
        }
        if let Some(q) = &self.query {
            title.push_str(&format!("· search {} ", q.text()));
        }
        let mut block = Block::bordered().title(title);
        if self.truncated {
            block = block.title_bottom(format!(
                " showing the first {} of {} ",
                bytes(VIEW_CAP),
                bytes(self.full_size)
            ));
        }
        let inner = block.inner(area);
        frame.render_widget(block, area);

        let gutter = self.lines.len().max(1).to_string().len().max(3);
        let text_width = (inner.width as usize).saturating_sub(gutter + 2);
        let lines = list::visible_rows(
            &self.cursor,
            self.lines.len(),
            inner.height as usize,
            |i| {
                let raw = visible_prefix(self.line_text(i), text_width);
                let lit = self.highlight.is_some_and(|(s, e)| (s..=e).contains(&i));
                let mark = if Some(i) == self.target {
                    '▶'
                } else if lit {
                    '┃'
                } else {
                    ' '
                };
                let mut spans = vec![Span::styled(format!("{:>gutter$}{mark} ", i + 1), t.dim())];
                let matches = self
                    .query
                    .as_ref()
                    .map(|q| q.spans(&raw))
                    .unwrap_or_default();
                if !matches.is_empty() {
                    let mut at = 0;
                    for (s, e) in matches {
                        spans.push(Span::raw(raw[at..s].to_string()));
                        spans.push(Span::styled(raw[s..e].to_string(), t.matched()));
                        at = e;
                    }
                    spans.push(Span::raw(raw[at..].to_string()));
                } else if self.json {
                    spans.extend(json_spans(&raw, t));
                } else {
                    spans.push(Span::raw(raw));
                }
                let line = Line::from(spans);
                if lit {
                    line.style(t.cited())
                } else {
                    line
                }
            },
            |line| line.style(t.selected()),
        );
        frame.render_widget(Paragraph::new(lines), inner);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(line: &str) -> Vec<(String, bool)> {
        json_spans(line, Theme { color: true })
            .into_iter()
            .map(|s| (s.content.to_string(), s.style.fg.is_some()))
            .collect()
    }

    #[test]
    fn json_line_is_split_into_tokens() {
        let spans = json_spans(
            r#"  "hidden_size": 32, "name": "a\"b", "x": null"#,
            Theme { color: true },
        );
        let text: String = spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(text, r#"  "hidden_size": 32, "name": "a\"b", "x": null"#);
        let t = Theme { color: true };
        assert_eq!(spans[1].content, "\"hidden_size\"");
        assert_eq!(spans[1].style, t.json_key());
        assert_eq!(spans[3].content, "32");
        assert_eq!(spans[3].style, t.json_number());
        assert!(spans
            .iter()
            .any(|s| s.content == "\"a\\\"b\"" && s.style == t.json_string()));
        assert!(spans
            .iter()
            .any(|s| s.content == "null" && s.style == t.json_literal()));
    }

    #[test]
    fn unterminated_string_does_not_panic() {
        let k = kinds(r#""abc\"#);
        assert_eq!(k.len(), 1);
        assert!(kinds("").is_empty());
    }

    #[test]
    fn lines_and_target() {
        let v = Viewer::from_text("a.txt", "one\r\ntwo\nthree".into(), 14, false, Some(2));
        assert_eq!(v.lines.len(), 3);
        assert_eq!(v.line_text(0), "one");
        assert_eq!(v.line(), 2);
        assert!(!v.json);
    }

    #[test]
    fn a_cited_range_is_highlighted_and_scrolled_into_view() {
        let text: String = (1..=100).map(|i| format!("line {i}\n")).collect();
        let mut v = Viewer::from_text("LICENSE", text, 0, false, None);
        v.highlight_lines(40, 43);
        assert_eq!(v.highlighted(), Some((40, 43)));
        assert_eq!(v.line(), 40);
        let range = v.cursor.window(v.lines.len(), 10);
        assert_eq!(range, 37..47, "two lines of context above the clause");
        // Out-of-range citations are clamped, not a panic.
        v.highlight_lines(99, 500);
        assert_eq!(v.highlighted(), Some((99, 100)));
        v.highlight_lines(0, 0);
        assert_eq!(v.highlighted(), Some((1, 1)));
    }

    #[test]
    fn binary_files_are_refused() {
        let dir = std::env::temp_dir().join(format!("mri-viewer-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("x.bin");
        std::fs::write(&p, b"ab\0cd").unwrap();
        assert!(matches!(
            Viewer::open(&p, "x.bin", None),
            Err(ViewError::Binary(_))
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
