//! Findings: every problem, most severe first. Enter jumps to the file and
//! line, the shard, or the tensor a finding names.

use super::{truncate_left, truncate_right, Ctx, Effect, Jump, View};
use crate::finding::{Finding, Severity};
use crate::report::Report;
use crate::tui::cursor::Cursor;
use crate::tui::filter::Query;
use crate::tui::keys::Action;
use crate::tui::list;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table};
use ratatui::Frame;

/// The Findings view.
#[derive(Debug)]
pub struct Findings {
    cursor: Cursor,
    query: Option<Query>,
    len: usize,
    /// Every file the findings name, once: the "where" column shortens
    /// each so that it differs from the others.
    files: Vec<String>,
}

/// Where a finding points, as written in the list (`config.json:3`, a tensor name).
pub fn place(f: &Finding) -> String {
    let mut s = f.file.clone().unwrap_or_default();
    if let Some(l) = f.line {
        s.push_str(&format!(":{l}"));
    }
    if let Some(t) = &f.tensor {
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(t);
    }
    s
}

/// What Enter does on a finding, or why it leads nowhere: a tensor in
/// no shard, a file not in the model (a link pointing outside), a binary file.
pub fn target(f: &Finding, r: &Report) -> Result<Effect, String> {
    if let Some(t) = &f.tensor {
        let shard = f.file.clone().filter(|p| p.ends_with(".safetensors"));
        if !super::tensor_exists(r, t, shard.as_deref()) {
            return Err(format!("tensor {t} is in no readable shard"));
        }
        return Ok(Effect::Jump(Jump::Tensor {
            name: t.clone(),
            shard,
        }));
    }
    match &f.file {
        Some(p) => super::open_file(r, p, f.line),
        None => Err("this finding names no file or tensor".into()),
    }
}

/// A count and its noun, `1 error`, `2 errors`.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    format!(
        "{} {}",
        crate::util::human::grouped(n),
        if n == 1 { one } else { many }
    )
}

impl Findings {
    /// The list of a report's findings.
    pub fn new(report: &Report) -> Findings {
        let mut files: Vec<String> = report
            .findings
            .iter()
            .filter_map(|f| f.file.clone())
            .collect();
        files.sort();
        files.dedup();
        Findings {
            cursor: Cursor::default(),
            query: None,
            len: report.findings.len(),
            files,
        }
    }

    fn matches(q: &Query, f: &Finding) -> bool {
        q.matches(f.code.as_str()) || q.matches(&f.message) || q.matches(&place(f))
    }

    fn step_match(&mut self, r: &Report, forward: bool, include_current: bool) -> Effect {
        let (n, here) = (self.len, self.cursor.selected());
        let found = list::step_match(
            self.query.as_ref(),
            n,
            here,
            forward,
            include_current,
            "finding",
            |q, i| r.findings.get(i).is_some_and(|f| Self::matches(q, f)),
        );
        match found {
            Ok(Some(i)) => {
                self.cursor.select(i, n);
                Effect::Done
            }
            Ok(None) => Effect::Status(format!(
                "no finding matches {}",
                self.query.as_ref().map_or("", |q| q.text())
            )),
            Err(status) => Effect::Status(status),
        }
    }
}

impl View for Findings {
    fn title(&self) -> &'static str {
        "Findings"
    }

    fn update(&mut self, action: Action, ctx: &Ctx) -> Effect {
        let r = ctx.report;
        if self.cursor.apply(action, self.len) {
            return Effect::Done;
        }
        match action {
            Action::Open => match r.findings.get(self.cursor.selected()) {
                Some(f) => target(f, r).unwrap_or_else(Effect::Status),
                None => Effect::Done,
            },
            Action::Back if self.query.is_some() => {
                self.query = None;
                Effect::Done
            }
            Action::NextMatch => self.step_match(r, true, false),
            Action::PrevMatch => self.step_match(r, false, false),
            _ => Effect::Unhandled,
        }
    }

    fn set_query(&mut self, query: Option<Query>, ctx: &Ctx) {
        self.query = query;
        if self.query.is_some() {
            let _ = self.step_match(ctx.report, true, true);
        }
    }

    fn query(&self) -> Option<&Query> {
        self.query.as_ref()
    }

    fn rows(&self) -> usize {
        self.len
    }

    fn can_open(&self, ctx: &Ctx) -> bool {
        ctx.report
            .findings
            .get(self.cursor.selected())
            .is_some_and(|f| target(f, ctx.report).is_ok())
    }

    fn search_count(&self, ctx: &Ctx) -> Option<(usize, usize)> {
        let q = self.query.as_ref()?;
        let here = self.cursor.selected();
        let mut at = 0;
        let mut total = 0;
        for (i, f) in ctx.report.findings.iter().enumerate() {
            if Self::matches(q, f) {
                total += 1;
                if i == here {
                    at = total;
                }
            }
        }
        Some((at, total))
    }

    fn selected(&self, ctx: &Ctx) -> Option<String> {
        let f = ctx.report.findings.get(self.cursor.selected())?;
        Some(format!("{} {}", f.code, place(f)))
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let r = ctx.report;
        // The selected finding's detail takes what its wrapped text needs,
        // up to half the view.
        let detail = r
            .findings
            .get(self.cursor.selected())
            .map(|f| detail_lines(f, ctx, area.width as usize));
        let need = detail.as_ref().map_or(0, |(l, _)| l.len() as u16 + 2);
        let [head, body, detail_area] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(need.min(area.height / 2).max(3)),
        ])
        .areas(area);
        frame.render_widget(Paragraph::new(self.title_line(ctx)), head);
        if r.findings.is_empty() {
            frame.render_widget(
                Paragraph::new("No findings: nothing inconsistent or broken was found."),
                body,
            );
            return;
        }
        self.draw_table(frame, body, ctx);
        if let Some(d) = detail {
            draw_detail(frame, detail_area, d, ctx);
        }
    }
}

/// The columns of the table in a body `width` wide: code, where, message.
fn widths(width: usize) -> (usize, usize, usize) {
    let (code, place) = match width {
        w if w >= 110 => (28, 34),
        w if w >= 80 => (26, 22),
        _ => (18, 14),
    };
    // severity (7) and three spaces between four columns
    let message = width.saturating_sub(7 + code + place + 3);
    (code, place, message)
}

impl Findings {
    /// The head line: counts by severity and the search.
    fn title_line(&self, ctx: &Ctx) -> Line<'static> {
        let t = ctx.theme;
        let s = &ctx.report.summary;
        let mut title = vec![
            Span::styled("Findings", t.title()),
            Span::raw("  "),
            Span::styled(
                plural(s.errors, "error", "errors"),
                t.severity(Severity::Error),
            ),
            Span::raw(" · "),
            Span::styled(
                plural(s.warnings, "warning", "warnings"),
                t.severity(Severity::Warning),
            ),
            Span::raw(" · "),
            Span::styled(plural(s.infos, "info", "info"), t.severity(Severity::Info)),
        ];
        if let (Some(q), Some((n, m))) = (&self.query, self.search_count(ctx)) {
            title.push(Span::styled(
                super::viewer::search_label(q.text(), n, m),
                t.dim(),
            ));
        }
        Line::from(title)
    }

    /// Where a finding points, in `width` columns: its file (shortened so
    /// that two files never look the same) and line, else its tensor.
    fn place_cell(&self, f: &Finding, width: usize) -> String {
        match &f.file {
            Some(file) => {
                let line = f.line.map(|l| format!(":{l}")).unwrap_or_default();
                let room = width.saturating_sub(line.chars().count());
                format!("{}{line}", super::distinct_path(file, room, &self.files))
            }
            None => truncate_left(f.tensor.as_deref().unwrap_or(""), width),
        }
    }

    /// The visible rows, every cut cell ending in `…`.
    fn draw_table(&self, frame: &mut Frame, body: Rect, ctx: &Ctx) {
        let (t, r) = (ctx.theme, ctx.report);
        let (code_w, place_w, message_w) = widths(body.width as usize);
        let rows = list::visible_rows(
            &self.cursor,
            self.len,
            body.height as usize,
            |i| {
                let f = &r.findings[i];
                let matched = self.query.as_ref().is_some_and(|q| Self::matches(q, f));
                let code = Cell::from(truncate_right(f.code.as_str(), code_w));
                Row::new(vec![
                    Cell::from(f.severity.as_str()).style(t.severity(f.severity)),
                    if matched {
                        code.style(t.matched())
                    } else {
                        code
                    },
                    Cell::from(self.place_cell(f, place_w)),
                    Cell::from(truncate_right(&f.message, message_w)),
                ])
            },
            |row| row.style(t.selected()),
        );
        let table = Table::new(
            rows,
            [
                Constraint::Length(7),
                Constraint::Length(code_w as u16),
                Constraint::Length(place_w as u16),
                Constraint::Fill(1),
            ],
        )
        .column_spacing(1);
        frame.render_widget(table, body);
    }
}

/// The selected finding in full, wrapped at `width`: severity, code and
/// what the code means, where it points, the message; and what Enter does
/// (or why it leads nowhere).
fn detail_lines(f: &Finding, ctx: &Ctx, width: usize) -> (Vec<Line<'static>>, String) {
    let t = ctx.theme;
    let mut items = vec![(
        format!(
            "{} {} — {}",
            f.severity.as_str(),
            f.code.as_str(),
            f.code.description()
        ),
        t.title(),
    )];
    let at = place(f);
    if !at.is_empty() {
        items.push((format!("at {at}"), t.dim()));
    }
    items.push((f.message.clone(), ratatui::style::Style::new()));
    let go = match target(f, ctx.report) {
        Ok(e) => super::enter_label(&e).unwrap_or_default(),
        Err(why) => why,
    };
    (super::wrap_lines(&items, width), go)
}

/// Draws the detail lines, the last line saying what Enter does.
fn draw_detail(
    frame: &mut Frame,
    area: Rect,
    (lines, go): (Vec<Line<'static>>, String),
    ctx: &Ctx,
) {
    let block = Block::new().borders(Borders::TOP);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [text, last] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(inner);
    frame.render_widget(Paragraph::new(lines), text);
    frame.render_widget(Paragraph::new(Line::styled(go, ctx.theme.dim())), last);
}
