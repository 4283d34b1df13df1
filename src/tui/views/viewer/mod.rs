//! The file viewer: a scrollable, searchable view of one small text file of
//! the model, with JSON syntax colouring. Prose wraps by default; `w` turns
//! wrapping off and `←`/`→` then scroll sideways. Minified JSON is laid out
//! one value per line (line numbers are then the layout's; a jump to a line
//! of the file lands where that line's first token went). Files are read up
//! to a cap; the model directory is only ever read.

pub mod json;
pub mod metadata;
pub mod wrap;

use super::{Ctx, Effect, View};
use crate::tui::cursor::Cursor;
use crate::tui::filter::Query;
use crate::tui::keys::{Action, Scope, VIEWER};
use crate::tui::theme::Theme;
use crate::util::human::{bytes, grouped};
pub use json::json_spans;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;
use std::cell::Cell;
use std::io::Read;
use std::path::Path;

/// The viewer reads at most this many bytes of a file.
pub const VIEW_CAP: u64 = 1 << 20;

/// Characters `→` scrolls by (at most; half the screen when narrower).
const SCROLL_STEP: usize = 40;

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
    /// What the title calls it (the path, or `x.gguf · metadata`).
    label: String,
    text: String,
    lines: Vec<(usize, usize)>,
    json: bool,
    /// Laid out from minified JSON: line `i` of the file is line
    /// `pretty[i]` here.
    pretty: Option<Vec<usize>>,
    full_size: u64,
    truncated: bool,
    target: Option<usize>,
    /// Lines highlighted (0-based, inclusive): the clause an obligation cites.
    highlight: Option<(usize, usize)>,
    cursor: Cursor,
    query: Option<Query>,
    /// The lines the query matches, in order.
    matches: Vec<usize>,
    wrap: bool,
    /// First character shown when not wrapping; moved while drawing to
    /// bring a search match into view.
    hscroll: Cell<usize>,
    /// Text columns, as of the last draw.
    width: Cell<usize>,
    /// Text rows, as of the last draw.
    height: Cell<usize>,
    /// A match to bring into view at the next draw: (line, first character, end).
    reveal: Cell<Option<(usize, usize, usize)>>,
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

    /// A viewer over text already in memory. A `.json` file whose lines
    /// are dense with tokens is laid out one value per line.
    pub fn from_text(
        rel_path: &str,
        text: String,
        full_size: u64,
        truncated: bool,
        line: Option<u32>,
    ) -> Viewer {
        let json = rel_path.ends_with(".json") || rel_path.ends_with(".jsonl");
        let (text, pretty) = if rel_path.ends_with(".json") && json::is_minified(&text) {
            let (t, map) = json::reindent(&text);
            (t, Some(map))
        } else {
            (text, None)
        };
        let lines = split_lines(&text);
        let mut v = Viewer {
            path: rel_path.to_string(),
            label: rel_path.to_string(),
            text,
            lines,
            json,
            pretty,
            full_size,
            truncated,
            target: None,
            highlight: None,
            cursor: Cursor::default(),
            query: None,
            matches: Vec::new(),
            // Prose wraps; JSON is a tree, read by its indentation.
            wrap: !json,
            hscroll: Cell::new(0),
            width: Cell::new(0),
            height: Cell::new(0),
            reveal: Cell::new(None),
        };
        if let Some(l) = line {
            let t = v.shown_line(l);
            v.target = Some(t);
            v.cursor.select(t, v.lines.len());
        }
        v
    }

    /// Names the viewer in its title (`x.gguf · metadata` for text made
    /// from a file rather than read from it).
    pub fn with_label(mut self, label: &str) -> Viewer {
        self.label = label.to_string();
        self
    }

    /// The 0-based line shown for the 1-based line `l` of the file: the
    /// same, or where the layout of minified JSON put it.
    fn shown_line(&self, l: u32) -> usize {
        let i = (l as usize).saturating_sub(1);
        match &self.pretty {
            Some(map) => map.get(i).or(map.last()).copied().unwrap_or(0),
            None => i,
        }
    }

    /// Highlights the 1-based lines `start..=end` of the file and scrolls
    /// them into view (from the top of the screen, with two lines of
    /// context above), selecting the first.
    pub fn highlight_lines(&mut self, start: u32, end: u32) {
        let n = self.lines.len();
        if n == 0 {
            return;
        }
        let s = self.shown_line(start.max(1)).min(n - 1);
        // The last line shown for `end` is the one before where the next
        // line of the file begins.
        let e = match &self.pretty {
            Some(_) => self
                .shown_line(end.max(start).max(1).saturating_add(1))
                .saturating_sub(1),
            None => (end.max(start).max(1) as usize) - 1,
        };
        let e = e.clamp(s, n - 1);
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

    /// Whether long lines wrap.
    pub fn wraps(&self) -> bool {
        self.wrap
    }

    /// The first character shown of each line (0 when wrapping).
    pub fn column(&self) -> usize {
        if self.wrap {
            0
        } else {
            self.hscroll.get()
        }
    }

    /// Whether the text was laid out from minified JSON.
    pub fn laid_out(&self) -> bool {
        self.pretty.is_some()
    }

    /// The search's matches: the 1-based position of the selected line
    /// among them (0 when it is not one) and their number.
    pub fn match_count(&self) -> Option<(usize, usize)> {
        self.query.as_ref()?;
        let here = self
            .matches
            .binary_search(&self.cursor.selected())
            .map_or(0, |i| i + 1);
        Some((here, self.matches.len()))
    }

    fn line_text(&self, i: usize) -> &str {
        let (s, e) = self.lines[i];
        &self.text[s..e]
    }

    /// Line `i` as shown: tabs as single spaces.
    fn shown_chars(&self, i: usize) -> Vec<char> {
        self.line_text(i)
            .chars()
            .map(|c| if c == '\t' { ' ' } else { c })
            .collect()
    }

    fn step_match(&mut self, forward: bool, include_current: bool) -> Effect {
        let Some(q) = &self.query else {
            return Effect::Status("no search: press / to search".into());
        };
        if self.matches.is_empty() {
            return Effect::Status(format!("no line matches {}", q.text()));
        }
        let here = self.cursor.selected();
        let next = if forward {
            let from = if include_current { here } else { here + 1 };
            let i = self.matches.partition_point(|&m| m < from);
            self.matches.get(i).or(self.matches.first())
        } else {
            let i = self.matches.partition_point(|&m| m < here);
            i.checked_sub(1)
                .and_then(|i| self.matches.get(i))
                .or(self.matches.last())
        };
        if let Some(&i) = next {
            self.cursor.select(i, self.lines.len());
            let chars = self.shown_chars(i);
            let text: String = chars.iter().collect();
            if let Some(&(s, e)) = q.spans(&text).first() {
                let (s, e) = (text[..s].chars().count(), text[..e].chars().count());
                self.reveal.set(Some((i, s, e)));
            }
        }
        Effect::Done
    }

    /// Back: clears the search first, then lets the app close the viewer.
    fn back(&mut self) -> Effect {
        if self.query.take().is_some() {
            self.matches.clear();
            return Effect::Done;
        }
        Effect::Unhandled
    }

    fn scroll(&mut self, right: bool) -> Effect {
        if self.wrap {
            return if right {
                Effect::Status("lines wrap: w turns wrapping off to scroll sideways".into())
            } else {
                Effect::Unhandled
            };
        }
        let step = (self.width.get() / 2).clamp(1, SCROLL_STEP);
        let at = self.hscroll.get();
        if right {
            let longest = self.longest_visible();
            if at + self.width.get() >= longest {
                return Effect::Status("at the end of the longest line on screen".into());
            }
            self.hscroll.set(at + step);
        } else if at == 0 {
            return Effect::Unhandled;
        } else {
            self.hscroll.set(at.saturating_sub(step));
        }
        Effect::Done
    }

    /// The longest line in the window of the last draw, in characters.
    fn longest_visible(&self) -> usize {
        let off = self.cursor.offset();
        (off..(off + self.height.get().max(1)).min(self.lines.len()))
            .map(|i| self.line_text(i).chars().count())
            .max()
            .unwrap_or(0)
    }
}

/// Byte ranges of the lines of `text` (without `\n` or `\r\n`).
fn split_lines(text: &str) -> Vec<(usize, usize)> {
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
    lines
}

impl View for Viewer {
    fn title(&self) -> &'static str {
        VIEWER
    }

    fn scopes(&self) -> &'static [Scope] {
        &[Scope::Lists, Scope::View(VIEWER)]
    }

    fn can_open(&self, _ctx: &Ctx) -> bool {
        false
    }

    fn update(&mut self, action: Action, _ctx: &Ctx) -> Effect {
        if self.cursor.apply(action, self.lines.len()) {
            return Effect::Done;
        }
        match action {
            Action::Back => self.back(),
            Action::NextMatch => self.step_match(true, false),
            Action::PrevMatch => self.step_match(false, false),
            Action::ToggleWrap => {
                self.wrap = !self.wrap;
                Effect::Done
            }
            Action::ScrollRight => self.scroll(true),
            Action::ScrollLeft => match self.scroll(false) {
                // At the left edge, ← goes back as in the lists.
                Effect::Unhandled => self.back(),
                e => e,
            },
            Action::Open => Effect::Done,
            _ => Effect::Unhandled,
        }
    }

    fn set_query(&mut self, query: Option<Query>, _ctx: &Ctx) {
        self.query = query;
        self.matches = match &self.query {
            Some(q) => (0..self.lines.len())
                .filter(|&i| q.matches(self.line_text(i)))
                .collect(),
            None => Vec::new(),
        };
        if self.query.is_some() {
            let _ = self.step_match(true, true);
        }
    }

    fn query(&self) -> Option<&Query> {
        self.query.as_ref()
    }

    fn search_count(&self, _ctx: &Ctx) -> Option<(usize, usize)> {
        self.match_count()
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let block = self.block();
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let gutter = self.lines.len().max(1).to_string().len().max(3);
        let width = (inner.width as usize).saturating_sub(gutter + 2).max(1);
        self.width.set(width);
        self.height.set(inner.height as usize);
        let lines = if self.wrap {
            self.wrapped_lines(inner.height as usize, width, gutter, ctx.theme)
        } else {
            self.scrolled_lines(inner.height as usize, width, gutter, ctx.theme)
        };
        frame.render_widget(Paragraph::new(lines), inner);
    }
}

impl Viewer {
    /// The border and its titles: path, lines, JSON, the cited lines, the
    /// search, wrapping or the column, and the cap when the file is cut.
    fn block(&self) -> Block<'static> {
        let mut title = format!(
            " {} · {} lines{}{} ",
            self.label,
            grouped(self.lines.len() as u64),
            if self.json { " · JSON" } else { "" },
            if self.pretty.is_some() {
                " laid out from minified"
            } else {
                ""
            }
        );
        match self.highlighted() {
            Some((s, e)) if e > s => title.push_str(&format!("· lines {s}-{e} cited ")),
            Some((s, _)) => title.push_str(&format!("· line {s} cited ")),
            None => {}
        }
        if let (Some(q), Some((n, m))) = (&self.query, self.match_count()) {
            title.push_str(&format!("· search {} {} ", q.text(), count_label(n, m)));
        }
        let mut block = Block::bordered().title(title);
        block = block.title_bottom(if self.wrap {
            " wrapped (w: scroll sideways) ".to_string()
        } else if self.hscroll.get() > 0 {
            format!(" from column {} (w: wrap) ", self.hscroll.get() + 1)
        } else {
            " w: wrap ".to_string()
        });
        if self.truncated {
            block = block.title_bottom(format!(
                " showing the first {} of {} ",
                bytes(VIEW_CAP),
                bytes(self.full_size)
            ));
        }
        block
    }

    /// Line `i` styled in full: search matches, else JSON colours.
    fn styled(&self, chars: &[char], t: Theme) -> Vec<Span<'static>> {
        let text: String = chars.iter().collect();
        let matches = self
            .query
            .as_ref()
            .map(|q| q.spans(&text))
            .unwrap_or_default();
        if !matches.is_empty() {
            let mut spans = Vec::new();
            let mut at = 0;
            for (s, e) in matches {
                spans.push(Span::raw(text[at..s].to_string()));
                spans.push(Span::styled(text[s..e].to_string(), t.matched()));
                at = e;
            }
            spans.push(Span::raw(text[at..].to_string()));
            spans
        } else if self.json {
            json_spans(&text, t)
        } else {
            vec![Span::raw(text)]
        }
    }

    /// The gutter of line `i` (its number and mark), or of a continuation row.
    fn gutter(&self, i: usize, first_row: bool, gutter: usize, t: Theme) -> Span<'static> {
        let lit = self.highlight.is_some_and(|(s, e)| (s..=e).contains(&i));
        let mark = if first_row && Some(i) == self.target {
            '▶'
        } else if lit {
            '┃'
        } else {
            ' '
        };
        if first_row {
            Span::styled(format!("{:>gutter$}{mark} ", i + 1), t.dim())
        } else {
            Span::styled(format!("{:>gutter$}{mark} ", ""), t.dim())
        }
    }

    /// A row of line `i`, styled for the highlight and the selection.
    fn finish(&self, i: usize, spans: Vec<Span<'static>>, t: Theme) -> Line<'static> {
        let lit = self.highlight.is_some_and(|(s, e)| (s..=e).contains(&i));
        let mut line = Line::from(spans);
        if lit {
            line = line.style(t.cited());
        }
        if i == self.cursor.selected() {
            line = line.style(t.selected());
        }
        line
    }

    /// The rows of the screen with lines wrapped at `width`.
    fn wrapped_lines(
        &self,
        height: usize,
        width: usize,
        gutter: usize,
        t: Theme,
    ) -> Vec<Line<'static>> {
        let window = self.cursor.window_varying(self.lines.len(), height, |i| {
            wrap::row_count(&self.shown_chars(i), width)
        });
        let mut out = Vec::new();
        for i in window {
            let chars = self.shown_chars(i);
            let styled = self.styled(&chars, t);
            for (r, (a, b)) in wrap::rows(&chars, width).into_iter().enumerate() {
                let mut spans = vec![self.gutter(i, r == 0, gutter, t)];
                spans.extend(wrap::slice(&styled, a, b));
                out.push(self.finish(i, spans, t));
            }
        }
        out.truncate(height);
        out
    }

    /// The rows of the screen from column `hscroll`, `width` characters
    /// wide, a `…` where a line goes on beyond either edge.
    fn scrolled_lines(
        &self,
        height: usize,
        width: usize,
        gutter: usize,
        t: Theme,
    ) -> Vec<Line<'static>> {
        let window = self.cursor.window(self.lines.len(), height);
        if let Some((line, s, e)) = self.reveal.take() {
            let at = self.hscroll.get();
            if window.contains(&line) && (s < at || e > at + width) {
                self.hscroll.set(s.saturating_sub(width / 4));
            }
        }
        let from = self.hscroll.get();
        window
            .map(|i| {
                let chars = self.shown_chars(i);
                let styled = self.styled(&chars, t);
                let mut spans = vec![self.gutter(i, true, gutter, t)];
                let more_left = from > 0 && !chars.is_empty();
                let more_right = chars.len() > from + width;
                let a = from + usize::from(more_left);
                let b = (from + width - usize::from(more_right)).max(a);
                if more_left {
                    spans.push(Span::styled("…", t.dim()));
                }
                spans.extend(wrap::slice(&styled, a, b));
                if more_right {
                    spans.push(Span::styled("…", t.dim()));
                }
                self.finish(i, spans, t)
            })
            .collect()
    }
}

/// A list's title suffix while it is searched: the query and its
/// `count_label`.
pub fn search_label(query: &str, here: usize, total: usize) -> String {
    format!("  search: {query} · {}", count_label(here, total))
}

/// `3/12 matches`, `no match`.
pub fn count_label(here: usize, total: usize) -> String {
    match (here, total) {
        (_, 0) => "no match".into(),
        (0, 1) => "1 match".into(),
        (0, m) => format!("{} matches", grouped(m as u64)),
        (n, m) => format!(
            "{}/{} match{}",
            grouped(n as u64),
            grouped(m as u64),
            if m == 1 { "" } else { "es" }
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_target() {
        let v = Viewer::from_text("a.txt", "one\r\ntwo\nthree".into(), 14, false, Some(2));
        assert_eq!(v.lines.len(), 3);
        assert_eq!(v.line_text(0), "one");
        assert_eq!(v.line(), 2);
        assert!(!v.json);
        assert!(v.wraps(), "prose wraps");
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
    fn minified_json_is_laid_out_and_jumps_land_on_the_key() {
        let mut body: Vec<String> = (0..80).map(|i| format!("\"k{i}\":{i}")).collect();
        body.push("\"eos_token_id\":7".into());
        // Line 1 minified; line 2 carries one more key.
        let text = format!("{{{},\n\"bos_token_id\":1}}", body.join(","));
        let v = Viewer::from_text("config.json", text.clone(), 0, false, Some(2));
        assert!(v.laid_out());
        assert!(!v.wraps(), "JSON does not wrap by default");
        assert_eq!(
            v.line_text(v.cursor.selected()).trim(),
            "\"bos_token_id\": 1"
        );
        let mut v = Viewer::from_text("config.json", text, 0, false, None);
        v.highlight_lines(2, 2);
        let (s, e) = v.highlighted().unwrap();
        assert_eq!(s, e);
        assert!(v.line_text(s - 1).contains("bos_token_id"));
        // A pretty file keeps its own lines.
        let v = Viewer::from_text("c.json", "{\n  \"a\": [1]\n}".into(), 0, false, Some(2));
        assert!(!v.laid_out());
        assert_eq!(v.line(), 2);
    }

    #[test]
    fn search_counts_matching_lines() {
        let mut v = Viewer::from_text("a.txt", "ab\ncd\nab ab\n".into(), 0, false, None);
        let ctx_report = crate::inspect("fixtures/tiny-llama", &crate::InspectOptions::default())
            .expect("fixture inspects");
        let ctx = Ctx {
            report: &ctx_report,
            theme: Theme { color: false },
        };
        v.set_query(Query::new("ab"), &ctx);
        assert_eq!(v.match_count(), Some((1, 2)));
        v.update(Action::NextMatch, &ctx);
        assert_eq!((v.line(), v.match_count()), (3, Some((2, 2))));
        v.update(Action::NextMatch, &ctx);
        assert_eq!(v.line(), 1, "wraps round");
        v.update(Action::PrevMatch, &ctx);
        assert_eq!(v.line(), 3);
        v.set_query(Query::new("zz"), &ctx);
        assert_eq!(v.match_count(), Some((0, 0)));
        assert_eq!(count_label(0, 0), "no match");
        assert_eq!(count_label(2, 12), "2/12 matches");
        assert_eq!(count_label(0, 3), "3 matches");
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
