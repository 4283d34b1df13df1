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
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Wrap};
use ratatui::Frame;

/// The Findings view.
#[derive(Debug)]
pub struct Findings {
    cursor: Cursor,
    query: Option<Query>,
    len: usize,
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

/// What Enter does on a finding.
pub fn target(f: &Finding, r: &Report) -> Effect {
    if let Some(t) = &f.tensor {
        return Effect::Jump(Jump::Tensor {
            name: t.clone(),
            shard: f.file.clone().filter(|p| p.ends_with(".safetensors")),
        });
    }
    match &f.file {
        Some(p) if p.ends_with(".safetensors") && r.weights.shards.iter().any(|s| &s.path == p) => {
            Effect::Jump(Jump::Shard(p.clone()))
        }
        Some(p) => Effect::Open {
            path: p.clone(),
            line: f.line,
        },
        None => Effect::Status("this finding names no file or tensor".into()),
    }
}

impl Findings {
    /// The list of a report's findings.
    pub fn new(report: &Report) -> Findings {
        Findings {
            cursor: Cursor::default(),
            query: None,
            len: report.findings.len(),
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
                Some(f) => target(f, r),
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
        let t = ctx.theme;
        let r = ctx.report;
        let [head, body, detail] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(6),
        ])
        .areas(area);
        let s = &r.summary;
        let mut title = vec![
            Span::styled("Findings", t.title()),
            Span::raw("  "),
            Span::styled(format!("{} errors", s.errors), t.severity(Severity::Error)),
            Span::raw(" · "),
            Span::styled(
                format!("{} warnings", s.warnings),
                t.severity(Severity::Warning),
            ),
            Span::raw(" · "),
            Span::styled(format!("{} info", s.infos), t.severity(Severity::Info)),
        ];
        if let (Some(q), Some((n, m))) = (&self.query, self.search_count(ctx)) {
            title.push(Span::styled(
                format!(
                    "  search: {} · {}",
                    q.text(),
                    super::viewer::count_label(n, m)
                ),
                t.dim(),
            ));
        }
        frame.render_widget(Paragraph::new(Line::from(title)), head);

        if r.findings.is_empty() {
            frame.render_widget(
                Paragraph::new("No findings: nothing inconsistent or broken was found."),
                body,
            );
            return;
        }

        let width = body.width as usize;
        let code_w = 28usize;
        let place_w = if width >= 110 { 34 } else { 22 };
        let height = body.height as usize;
        let selected = self.cursor.selected();
        let rows = list::visible_rows(
            &self.cursor,
            self.len,
            height,
            |i| {
                let f = &r.findings[i];
                let matched = self.query.as_ref().is_some_and(|q| Self::matches(q, f));
                let code = Cell::from(f.code.as_str());
                Row::new(vec![
                    Cell::from(f.severity.as_str()).style(t.severity(f.severity)),
                    if matched {
                        code.style(t.matched())
                    } else {
                        code
                    },
                    Cell::from(truncate_left(&place(f), place_w)),
                    Cell::from(f.message.clone()),
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

        if let Some(f) = r.findings.get(selected) {
            let go = match target(f, r) {
                Effect::Jump(Jump::Tensor { name, .. }) => format!("Enter: show tensor {name}"),
                Effect::Jump(Jump::Shard(p)) => format!("Enter: show the tensors of {p}"),
                Effect::Open { path, line } => match line {
                    Some(l) => format!("Enter: open {path} at line {l}"),
                    None => format!("Enter: open {path}"),
                },
                _ => String::new(),
            };
            let lines = vec![
                Line::from(vec![
                    Span::styled(f.severity.as_str(), t.severity(f.severity)),
                    Span::raw(" "),
                    Span::styled(f.code.as_str(), t.title()),
                    Span::styled(
                        format!(
                            "  {}",
                            truncate_right(
                                f.code.description(),
                                width.saturating_sub(f.code.as_str().len() + 10)
                            )
                        ),
                        t.dim(),
                    ),
                ]),
                Line::from(f.message.clone()),
                Line::styled(go, t.dim()),
            ];
            frame.render_widget(
                Paragraph::new(lines)
                    .wrap(Wrap { trim: false })
                    .block(Block::new().borders(Borders::TOP)),
                detail,
            );
        }
    }
}
