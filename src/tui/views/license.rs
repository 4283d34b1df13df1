//! License: the commercial-use verdict as a badge, the licenses found (with
//! source, file:line, confidence and runner-up), the obligations each citing
//! its clause, and how the verdict was reached. Enter on an obligation opens
//! the cited file with the clause's lines highlighted.

use super::viewer::metadata;
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

/// `file:start-end` (or `file:line`, or just `file`) of an obligation; for
/// a GGUF file, the metadata key it declares the license in
/// (`x.gguf general.license`), since a binary file has no lines.
pub fn cited(o: &Obligation, r: &Report) -> String {
    let mut s = o.file.clone().unwrap_or_default();
    if o.file.as_deref().is_some_and(|p| metadata::is_gguf(r, p)) {
        s.push(' ');
        s.push_str(metadata::key_of_quote(&o.quote));
        return s;
    }
    match (o.line_start, o.line_end) {
        (Some(a), Some(b)) if b > a => s.push_str(&format!(":{a}-{b}")),
        (Some(a), _) => s.push_str(&format!(":{a}")),
        _ => {}
    }
    s
}

/// What Enter does on an obligation: open the cited lines (or the GGUF
/// metadata at the key), or why it leads nowhere.
pub fn target(o: &Obligation, r: &Report) -> Result<Effect, String> {
    let Some(path) = &o.file else {
        return Err("this obligation cites no file".into());
    };
    if metadata::is_gguf(r, path) {
        return Ok(Effect::OpenMetadata {
            path: path.clone(),
            key: Some(metadata::key_of_quote(&o.quote).to_string()),
        });
    }
    match super::open_file(r, path, o.line_start)? {
        Effect::Open {
            path,
            line: Some(start),
        } => Ok(Effect::OpenLines {
            path,
            start,
            end: o.line_end.unwrap_or(start).max(start),
        }),
        other => Ok(other),
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

/// Where a detection was made: `file:line`, or the GGUF metadata key.
fn detected_place(d: &crate::license::decide::DetectedLicense, r: &Report) -> String {
    let mut place = d.file.clone().unwrap_or_default();
    if d.file.as_deref().is_some_and(|p| metadata::is_gguf(r, p)) {
        let key = if d.source.ends_with("license_name") {
            "general.license.name"
        } else {
            "general.license"
        };
        return format!("{place} {key}");
    }
    if let Some(l) = d.line {
        place.push_str(&format!(":{l}"));
    }
    place
}

/// The licenses found in `width` columns, every cut cell ending in `…`.
fn detected_table(lic: &LicenseReport, r: &Report, t: Theme, width: usize) -> Table<'static> {
    let wide = width >= 110;
    let header = Row::new(vec!["license", "source", "where", "conf", "runner-up"]).style(t.title());
    let (source_w, place_w) = if wide { (18, 28) } else { (11, 16) };
    let rest = width.saturating_sub(source_w + place_w + 4 + 4);
    let id_w = rest * 2 / 3;
    let runner_w = rest - id_w;
    let rows: Vec<Row> = lic
        .detected
        .iter()
        .map(|d| {
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
                Cell::from(truncate_right(&id, id_w)),
                Cell::from(truncate_right(&d.source, source_w)),
                Cell::from(truncate_left(&detected_place(d, r), place_w)),
                Cell::from(format!("{:.2}", d.confidence)),
                Cell::from(truncate_right(&runner, runner_w)),
            ])
        })
        .collect();
    Table::new(
        rows,
        [
            Constraint::Length(id_w as u16),
            Constraint::Length(source_w as u16),
            Constraint::Length(place_w as u16),
            Constraint::Length(4),
            Constraint::Length(runner_w as u16),
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
                    Some(o) => target(o, ctx.report).unwrap_or_else(Effect::Status),
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
        Some(format!(
            "{} {} {}",
            o.kind.as_str(),
            o.license,
            cited(o, ctx.report)
        ))
    }

    fn can_open(&self, ctx: &Ctx) -> bool {
        ctx.report
            .license
            .as_ref()
            .and_then(|l| l.obligations.get(self.cursor.selected()))
            .is_some_and(|o| target(o, ctx.report).is_ok())
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
        // The obligations keep a few rows; the selected one's detail takes
        // what its wrapped text needs of the rest, the reasons what is left.
        let rest = area.height.saturating_sub(1 + detected_h);
        let list_min = (lic.obligations.len().clamp(1, 4) as u16) + 2;
        let detail = lic
            .obligations
            .get(self.cursor.selected())
            .map(|o| detail_lines(o, ctx, area.width as usize));
        let detail_need = detail.as_ref().map_or(0, |(l, _)| l.len() as u16 + 2);
        let reasons_cap = if wide { 12 } else { 6 };
        let reason_rows: usize = lic
            .reasons
            .iter()
            .map(|r| {
                let chars: Vec<char> = format!("· {r}").chars().collect();
                super::viewer::wrap::row_count(&chars, area.width as usize)
            })
            .sum();
        let reasons_want = (reason_rows as u16 + 1).clamp(2, reasons_cap);
        let detail_h = detail_need
            .min(rest.saturating_sub(list_min + reasons_want.min(4)))
            .max(3);
        let reasons_h = rest
            .saturating_sub(list_min + detail_h)
            .clamp(2, reasons_want);
        let [head, detected, obligations, detail_area, reasons] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Length(detected_h),
            Constraint::Fill(1),
            Constraint::Length(detail_h),
            Constraint::Length(reasons_h),
        ])
        .areas(area);

        draw_head(frame, head, lic, t);
        draw_detected(frame, detected, lic, ctx);
        self.draw_obligations(frame, obligations, lic, ctx);
        if let Some(lines) = detail {
            draw_detail(frame, detail_area, lines, t);
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
fn draw_detected(frame: &mut Frame, area: Rect, lic: &LicenseReport, ctx: &Ctx) {
    let t = ctx.theme;
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
        frame.render_widget(
            detected_table(lic, ctx.report, t, inner.width as usize),
            inner,
        );
    }
}

impl License {
    /// The "Obligations" block: a header and the visible obligations, the
    /// selected one highlighted, or a line saying none are cited.
    fn draw_obligations(&self, frame: &mut Frame, area: Rect, lic: &LicenseReport, ctx: &Ctx) {
        let t = ctx.theme;
        let wide = area.width >= 110;
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
        let kind_w: usize = if wide { 24 } else { 20 };
        let lic_w: usize = if wide { 16 } else { 12 };
        let place_w: usize = if wide { 28 } else { 16 };
        let value_w = (inner.width as usize).saturating_sub(kind_w + lic_w + place_w + 3);
        let widths = [
            Constraint::Length(kind_w as u16),
            Constraint::Length(lic_w as u16),
            Constraint::Length(value_w as u16),
            Constraint::Length(place_w as u16),
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
                Row::new(vec![
                    Cell::from(truncate_right(o.kind.as_str(), kind_w)),
                    Cell::from(truncate_right(&o.license, lic_w)),
                    Cell::from(truncate_right(&value_text(o), value_w)),
                    Cell::from(truncate_left(&cited(o, ctx.report), place_w)),
                ])
            },
            |row| row.style(t.selected()),
        );
        frame.render_widget(Table::new(rows, widths).column_spacing(1), body);
    }
}

/// An obligation's value as shown: numbers with separators (`700,000,000`),
/// and the base model it was inherited from.
pub fn value_text(o: &Obligation) -> String {
    let value = match o.value.parse::<u64>() {
        Ok(n) if !o.value.starts_with('0') || o.value == "0" => crate::util::human::grouped(n),
        _ => o.value.clone(),
    };
    match (&o.inherited_from, value.is_empty()) {
        (Some(b), true) => format!("(from {b})"),
        (Some(b), false) => format!("{value} (from {b})"),
        (None, _) => value,
    }
}

/// The selected obligation in detail, wrapped at `width`: its kind and
/// value and where it is cited, what it asks, the quoted clause, the
/// further lines it is cited at; and what Enter does (or why it does nothing).
fn detail_lines(o: &Obligation, ctx: &Ctx, width: usize) -> (Vec<Line<'static>>, String) {
    let t = ctx.theme;
    let go = match target(o, ctx.report) {
        Ok(e) => super::enter_label(&e).unwrap_or_default(),
        Err(why) => why,
    };
    let quote = o.quote.split_whitespace().collect::<Vec<_>>().join(" ");
    let value = value_text(o);
    let head = if value.is_empty() {
        format!("{} · {}", o.kind.as_str(), cited(o, ctx.report))
    } else {
        format!("{} {value} · {}", o.kind.as_str(), cited(o, ctx.report))
    };
    let mut parts = vec![
        (head, t.title()),
        (o.summary.clone(), ratatui::style::Style::new()),
        (format!("“{quote}”"), t.dim()),
    ];
    if !o.also_cited.is_empty() {
        let also = crate::report::license_view::also_places(o);
        parts.push((format!("also at {also}"), ratatui::style::Style::new()));
    }
    let lines = super::wrap_lines(&parts, width);
    (lines, go)
}

/// Draws the detail lines, the last line saying what Enter does.
fn draw_detail(frame: &mut Frame, area: Rect, (lines, go): (Vec<Line<'static>>, String), t: Theme) {
    let block = Block::new().borders(Borders::TOP);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let [text, last] = Layout::vertical([Constraint::Fill(1), Constraint::Length(1)]).areas(inner);
    frame.render_widget(Paragraph::new(lines), text);
    frame.render_widget(Paragraph::new(Line::styled(go, t.dim())), last);
}

/// The "How it was decided" block: the reasons wrapped, as many as fit,
/// the last line saying how many more there are when not all do.
fn draw_reasons(frame: &mut Frame, area: Rect, lic: &LicenseReport, t: Theme) {
    let block = Block::new()
        .borders(Borders::TOP)
        .title(Span::styled(" How it was decided ", t.title()));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = (inner.width as usize).max(1);
    let height = inner.height as usize;
    let mut lines: Vec<Line> = Vec::new();
    let mut shown = 0;
    for (i, r) in lic.reasons.iter().enumerate() {
        let chars: Vec<char> = format!("· {r}").chars().collect();
        let rows = super::viewer::wrap::rows(&chars, width);
        // Keep a line for "… more" unless this is the last reason.
        let room = if i + 1 < lic.reasons.len() {
            height.saturating_sub(1)
        } else {
            height
        };
        if lines.len() + rows.len() > room {
            break;
        }
        lines.extend(
            rows.into_iter()
                .map(|(a, b)| Line::raw(chars[a..b].iter().collect::<String>())),
        );
        shown += 1;
    }
    let more = lic.reasons.len() - shown;
    if more > 0 {
        lines.push(Line::styled(
            format!("… {more} more (mri license shows all)"),
            t.dim(),
        ));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
