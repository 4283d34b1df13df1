//! License: the commercial-use verdict as a badge, the licenses found (with
//! source, file:line, confidence and runner-up), the obligations each citing
//! its clause, and how the verdict was reached. Enter on an obligation opens
//! the cited file with the clause's lines highlighted.

use super::{truncate_left, truncate_right, Ctx, Effect, View};
use crate::license::{LicenseReport, Obligation};
use crate::report::Report;
use crate::tui::cursor::Cursor;
use crate::tui::keys::Action;
use crate::tui::list;
use crate::tui::theme::Theme;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Table, Wrap};
use ratatui::Frame;

/// The License view: a list of obligations.
#[derive(Debug)]
pub struct License {
    cursor: Cursor,
    len: usize,
}

/// `file:start-end` (or `file:line`, or just `file`) of an obligation.
pub fn cited(o: &Obligation) -> String {
    let mut s = o.file.clone().unwrap_or_default();
    match (o.line_start, o.line_end) {
        (Some(a), Some(b)) if b > a => s.push_str(&format!(":{a}-{b}")),
        (Some(a), _) => s.push_str(&format!(":{a}")),
        _ => {}
    }
    s
}

/// What Enter does on an obligation: open the cited lines, or say why not.
pub fn target(o: &Obligation) -> Effect {
    match (&o.file, o.line_start) {
        (Some(path), Some(start)) => Effect::OpenLines {
            path: path.clone(),
            start,
            end: o.line_end.unwrap_or(start).max(start),
        },
        (Some(path), None) => Effect::Open {
            path: path.clone(),
            line: None,
        },
        (None, _) => Effect::Status("this obligation cites no file".into()),
    }
}

/// The verdict as a badge: reverse-coloured with colour, `[BRACKETED]` without.
pub fn badge(lic: &LicenseReport, t: Theme) -> Span<'static> {
    let verdict = lic.verdict.as_str().to_uppercase();
    let text = if t.color {
        format!(" {verdict} ")
    } else {
        format!("[{verdict}]")
    };
    Span::styled(text, t.verdict(lic.verdict))
}

/// The ids of the licenses found, each once, in the order found.
pub fn ids(lic: &LicenseReport) -> Vec<&str> {
    let mut ids: Vec<&str> = Vec::new();
    for d in &lic.detected {
        if !ids.contains(&d.id.as_str()) {
            ids.push(&d.id);
        }
    }
    ids
}

impl License {
    /// The obligations of a report's license decision.
    pub fn new(report: &Report) -> License {
        License {
            cursor: Cursor::default(),
            len: report.license.as_ref().map_or(0, |l| l.obligations.len()),
        }
    }
}

fn detected_table<'a>(lic: &'a LicenseReport, t: Theme, wide: bool) -> Table<'a> {
    let header = Row::new(vec!["license", "source", "where", "conf", "runner-up"]).style(t.title());
    let place_w: u16 = if wide { 28 } else { 16 };
    let rows: Vec<Row> = lic
        .detected
        .iter()
        .map(|d| {
            let mut place = d.file.clone().unwrap_or_default();
            if let Some(l) = d.line {
                place.push_str(&format!(":{l}"));
            }
            let runner = d
                .runner_up
                .as_ref()
                .map(|r| format!("{} {:.2}", r.id, r.confidence))
                .unwrap_or_else(|| "-".into());
            let mut id = d.id.clone();
            if d.modified {
                id.push_str(" (modified)");
            }
            if wide && d.name != d.id && !d.name.is_empty() {
                id = format!("{id} · {}", d.name);
            }
            Row::new(vec![
                Cell::from(id),
                Cell::from(d.source.clone()),
                Cell::from(truncate_left(&place, place_w as usize)),
                Cell::from(format!("{:.2}", d.confidence)),
                Cell::from(runner),
            ])
        })
        .collect();
    Table::new(
        rows,
        [
            Constraint::Fill(2),
            Constraint::Length(if wide { 18 } else { 11 }),
            Constraint::Length(place_w),
            Constraint::Length(4),
            Constraint::Fill(1),
        ],
    )
    .header(header)
    .column_spacing(1)
}

impl View for License {
    fn title(&self) -> &'static str {
        "License"
    }

    fn searchable(&self) -> bool {
        false
    }

    fn update(&mut self, action: Action, ctx: &Ctx) -> Effect {
        if self.cursor.apply(action, self.len) {
            return Effect::Done;
        }
        match action {
            Action::Open => {
                match ctx
                    .report
                    .license
                    .as_ref()
                    .and_then(|l| l.obligations.get(self.cursor.selected()))
                {
                    Some(o) => target(o),
                    None => Effect::Status("no obligation to open".into()),
                }
            }
            _ => Effect::Unhandled,
        }
    }

    fn rows(&self) -> usize {
        self.len
    }

    fn selected(&self, ctx: &Ctx) -> Option<String> {
        let o = ctx
            .report
            .license
            .as_ref()?
            .obligations
            .get(self.cursor.selected())?;
        Some(format!("{} {} {}", o.kind.as_str(), o.license, cited(o)))
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let t = ctx.theme;
        let Some(lic) = ctx.report.license.as_ref() else {
            frame.render_widget(
                Paragraph::new("No license decision in this report.").wrap(Wrap { trim: false }),
                area,
            );
            return;
        };
        let wide = area.width >= 110;
        let detected_h = (lic.detected.len().max(1) as u16 + 2).min(6);
        let reasons_h = (lic.reasons.len() as u16 + 1).clamp(2, if wide { 9 } else { 5 });
        let detail_h = if area.height >= 36 { 7 } else { 4 };
        let [head, detected, obligations, detail, reasons] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(detected_h),
            Constraint::Fill(1),
            Constraint::Length(detail_h),
            Constraint::Length(reasons_h),
        ])
        .areas(area);

        draw_head(frame, head, lic, t);
        draw_detected(frame, detected, lic, t, wide);
        self.draw_obligations(frame, obligations, lic, t, wide);
        if let Some(o) = lic.obligations.get(self.cursor.selected()) {
            draw_detail(frame, detail, o, t);
        }
        draw_reasons(frame, reasons, lic, t);
    }
}

/// The head line: the verdict badge, the licenses found and how many
/// obligations.
fn draw_head(frame: &mut Frame, head: Rect, lic: &LicenseReport, t: Theme) {
    let ids = ids(lic);
    let verdict = badge(lic, t);
    let room = (head.width as usize).saturating_sub(8 + verdict.width());
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("License ", t.title()),
            verdict,
            Span::raw(truncate_right(
                &format!(
                    " {} · {} obligation{}",
                    if ids.is_empty() {
                        "no license found".to_string()
                    } else {
                        ids.join(", ")
                    },
                    lic.obligations.len(),
                    if lic.obligations.len() == 1 { "" } else { "s" }
                ),
                room,
            )),
        ])),
        head,
    );
}

/// The "Licenses found" block: the table of detections, or a line saying
/// there were none.
fn draw_detected(frame: &mut Frame, area: Rect, lic: &LicenseReport, t: Theme, wide: bool) {
    let block = Block::new()
        .borders(Borders::TOP)
        .title(Span::styled(" Licenses found ", t.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if lic.detected.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled(
                "none: no card license, no license file",
                t.dim(),
            )),
            inner,
        );
    } else {
        frame.render_widget(detected_table(lic, t, wide), inner);
    }
}

impl License {
    /// The "Obligations" block: a header and the visible obligations, the
    /// selected one highlighted, or a line saying none are cited.
    fn draw_obligations(
        &self,
        frame: &mut Frame,
        area: Rect,
        lic: &LicenseReport,
        t: Theme,
        wide: bool,
    ) {
        let block = Block::new()
            .borders(Borders::TOP)
            .title(Span::styled(" Obligations ", t.title()));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if lic.obligations.is_empty() {
            frame.render_widget(Paragraph::new(Span::styled("none cited", t.dim())), inner);
            return;
        }
        let [table_head, body] =
            Layout::vertical([Constraint::Length(1), Constraint::Fill(1)]).areas(inner);
        let kind_w: u16 = 24;
        let lic_w: u16 = if wide { 16 } else { 12 };
        let place_w: u16 = if wide { 24 } else { 15 };
        let widths = [
            Constraint::Length(kind_w),
            Constraint::Length(lic_w),
            Constraint::Fill(1),
            Constraint::Length(place_w),
        ];
        frame.render_widget(
            Table::new(
                [Row::new(vec!["kind", "license", "value", "cited"]).style(t.title())],
                widths,
            )
            .column_spacing(1),
            table_head,
        );
        let rows = list::visible_rows(
            &self.cursor,
            self.len,
            body.height as usize,
            |i| {
                let o = &lic.obligations[i];
                let mut value = o.value.clone();
                if let Some(b) = &o.inherited_from {
                    value = format!("{value} (from {b})");
                }
                Row::new(vec![
                    Cell::from(o.kind.as_str()),
                    Cell::from(truncate_right(&o.license, lic_w as usize)),
                    Cell::from(value),
                    Cell::from(truncate_left(&cited(o), place_w as usize)),
                ])
            },
            |row| row.style(t.selected()),
        );
        frame.render_widget(Table::new(rows, widths).column_spacing(1), body);
    }
}

/// The selected obligation in detail: its kind and summary, the quoted
/// clause, and what Enter opens.
fn draw_detail(frame: &mut Frame, area: Rect, o: &Obligation, t: Theme) {
    let go = match target(o) {
        Effect::OpenLines { path, start, end } if end > start => {
            format!("Enter: open {path} at lines {start}-{end}")
        }
        Effect::OpenLines { path, start, .. } => {
            format!("Enter: open {path} at line {start}")
        }
        Effect::Open { path, .. } => format!("Enter: open {path}"),
        _ => "cites no file".to_string(),
    };
    let quote = o.quote.split_whitespace().collect::<Vec<_>>().join(" ");
    let lines = vec![
        Line::from(vec![
            Span::styled(o.kind.as_str(), t.title()),
            Span::raw("  "),
            Span::raw(o.summary.clone()),
        ]),
        Line::styled(format!("“{quote}”"), t.dim()),
        Line::styled(go, t.dim()),
    ];
    let block = Block::new().borders(Borders::TOP);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    // The quote gets what the first and last lines leave.
    let [first, middle, last] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(inner);
    let mut it = lines.into_iter();
    frame.render_widget(Paragraph::new(it.next().unwrap_or_default()), first);
    frame.render_widget(
        Paragraph::new(it.next().unwrap_or_default()).wrap(Wrap { trim: true }),
        middle,
    );
    frame.render_widget(Paragraph::new(it.next().unwrap_or_default()), last);
}

/// The "How it was decided" block: as many reasons as fit, the last line
/// saying how many more there are when not all do.
fn draw_reasons(frame: &mut Frame, area: Rect, lic: &LicenseReport, t: Theme) {
    let block = Block::new()
        .borders(Borders::TOP)
        .title(Span::styled(" How it was decided ", t.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let shown = inner.height as usize;
    let more = lic.reasons.len().saturating_sub(shown);
    let mut lines: Vec<Line> = lic
        .reasons
        .iter()
        .take(if more > 0 {
            shown.saturating_sub(1)
        } else {
            shown
        })
        .map(|r| Line::raw(format!("· {r}")))
        .collect();
    if more > 0 {
        lines.push(Line::styled(
            format!("… {} more (mri license shows all)", more + 1),
            t.dim(),
        ));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
