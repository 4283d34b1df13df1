//! Drawing the frame: the tab bar, the active view, the hint bar (made from
//! the key table), the search line, and the help overlay. Reads state only.

use super::app::App;
use super::keys::{self, BINDINGS};
use super::theme::Theme;
use super::views::truncate_right;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

/// The smallest terminal the browser lays out; below it a screen says so.
pub const MIN_SIZE: (u16, u16) = (60, 16);

/// Draws the whole browser (or, in a terminal smaller than [`MIN_SIZE`],
/// a screen saying how large it must be).
pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        // The tab bar stays (numbers only when narrow): the lock badge and
        // the model's name are still seen.
        let [tabs, rest] = Layout::vertical([
            Constraint::Length(u16::from(area.height >= 4)),
            Constraint::Fill(1),
        ])
        .areas(area);
        draw_tabs(frame, tabs, app);
        draw_too_small(frame, rest, app.theme(), MIN_SIZE);
        neutralize_unsafe(frame.buffer_mut());
        return;
    }
    let [tabs, body, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Fill(1),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    draw_tabs(frame, tabs, app);
    let ctx = app.ctx();
    match app.viewer() {
        Some(v) => super::views::View::draw(v, frame, body, &ctx),
        None => app.current_view().draw(frame, body, &ctx),
    }
    draw_bottom(frame, bottom, app);
    if app.help_shown() {
        draw_help(frame, app.theme(), app.help_scroll());
    }
    neutralize_unsafe(frame.buffer_mut());
}

/// Model-supplied strings (file and tensor names, config values, license
/// text) reach the cells as they are; ratatui drops C0 controls but keeps
/// DEL, C1 controls and the bidirectional overrides and isolates, which a
/// terminal would act on (reordering what follows on the line). Each such
/// character is removed from its cell; a cell it alone filled shows `�`.
pub fn neutralize_unsafe(buffer: &mut ratatui::buffer::Buffer) {
    use crate::util::term::is_unsafe;
    for cell in buffer.content.iter_mut() {
        if cell.symbol().chars().any(is_unsafe) {
            let kept: String = cell.symbol().chars().filter(|c| !is_unsafe(*c)).collect();
            cell.set_symbol(if kept.is_empty() { "\u{fffd}" } else { &kept });
        }
    }
}

/// The screen of a terminal below [`MIN_SIZE`]: what it needs and has,
/// each word on as many lines as the width allows.
pub(super) fn draw_too_small(frame: &mut Frame, area: Rect, theme: Theme, min: (u16, u16)) {
    let full = frame.area();
    let text = format!(
        "terminal too small (needs {}×{}, this is {}×{}) · q quits",
        min.0, min.1, full.width, full.height
    );
    let lines = super::views::wrap_lines(&[(text, theme.title())], area.width as usize);
    let h = (lines.len() as u16).min(area.height);
    let [_, mid, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(h),
        Constraint::Fill(1),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(lines).centered(), mid);
}

/// Draws the frame shown while the report is being made.
pub fn draw_loading(frame: &mut Frame, input: &str, theme: Theme) {
    let area = frame.area();
    let [_, mid, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(1),
        Constraint::Fill(1),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("mri ", theme.title()),
            Span::raw(format!("reading {input} …")),
        ]))
        .centered(),
        mid,
    );
    neutralize_unsafe(frame.buffer_mut());
}

/// The tab labels at one of three lengths: ` 1 Overview `, ` 1 Over `
/// (the current tab in full), ` 1 ` (the current tab in full).
fn tab_labels(app: &App, short: usize) -> Vec<String> {
    app.view_titles()
        .iter()
        .enumerate()
        .map(|(i, title)| {
            let mark = app
                .view_mark(i)
                .map(|m| format!(" {m}"))
                .unwrap_or_default();
            let title: String = if i == app.current() || short == usize::MAX {
                title.to_string()
            } else {
                title.chars().take(short).collect()
            };
            let sep = if title.is_empty() { "" } else { " " };
            if i < keys::MAX_NUMBERED_VIEWS {
                format!(" {}{sep}{title}{mark} ", i + 1)
            } else {
                format!(" {title}{mark} ")
            }
        })
        .collect()
}

fn draw_tabs(frame: &mut Frame, area: Rect, app: &App) {
    let t = app.theme();
    let mut spans = vec![Span::styled(" mri ", t.accent()), Span::raw("│")];
    let badge = app.lock_badge().map(|b| format!(" {b} "));
    let fixed = 6 + badge.as_ref().map_or(0, |b| b.chars().count() + 1);
    // Full titles when they fit, else four letters, else numbers only.
    let labels = [usize::MAX, 4, 0]
        .into_iter()
        .map(|short| tab_labels(app, short))
        .find(|l| fixed + l.iter().map(|s| s.chars().count()).sum::<usize>() <= area.width as usize)
        .unwrap_or_else(|| tab_labels(app, 0));
    for (i, label) in labels.into_iter().enumerate() {
        let style = if i == app.current() {
            t.selected()
        } else {
            Default::default()
        };
        spans.push(Span::styled(label, style));
    }
    if let Some(badge) = badge {
        spans.push(Span::raw("│"));
        spans.push(Span::styled(
            badge,
            t.severity(crate::finding::Severity::Error),
        ));
    }
    let used: usize = spans.iter().map(|s| s.width()).sum();
    let name = app.report().display_name();
    let room = (area.width as usize).saturating_sub(used + 2);
    if room >= 8 {
        let name = truncate_right(&name, room);
        let pad = (area.width as usize).saturating_sub(used + name.chars().count() + 1);
        spans.push(Span::raw(" ".repeat(pad)));
        spans.push(Span::styled(name, t.title()));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The hint bar for the active view, from the key table: the first key of
/// each binding that has a hint, with its words (no search hint in views
/// that have nothing to search).
pub fn hints(app: &App) -> Vec<(String, &'static str)> {
    let searchable = app.active().searchable();
    let opens = app.active().can_open(&app.ctx());
    keys::active(app.active().scopes())
        .filter(|b| searchable || b.action != keys::Action::Search)
        .filter(|b| opens || b.action != keys::Action::Open)
        .filter_map(|b| {
            let first = b.keys.first().map(|k| k.label()).unwrap_or_default();
            b.hint
                .map(|h| (b.label.map(str::to_string).unwrap_or(first), h))
        })
        .collect()
}

fn draw_bottom(frame: &mut Frame, area: Rect, app: &App) {
    let t = app.theme();
    let line = if let Some(input) = app.search_input() {
        let count = app
            .active()
            .search_count(&app.ctx())
            .map(|(n, m)| super::views::viewer::count_label(n, m));
        let mut spans = vec![
            Span::styled("/", t.accent()),
            Span::raw(input.text.clone()),
            Span::styled(" ", t.selected()),
        ];
        if let Some(c) = count {
            spans.push(Span::styled(format!("  {c}"), t.accent()));
        }
        spans.push(Span::styled("  Enter keep · Esc cancel", t.dim()));
        Line::from(spans)
    } else if let Some(s) = app.status() {
        Line::raw(truncate_right(s, area.width as usize))
    } else {
        let mut spans = Vec::new();
        let mut used = 0usize;
        for (k, h) in hints(app) {
            let w = k.chars().count() + h.chars().count() + 3;
            if used + w > area.width as usize {
                break;
            }
            used += w;
            spans.push(Span::styled(format!(" {k}"), t.title()));
            spans.push(Span::styled(format!(" {h} "), t.dim()));
        }
        Line::from(spans)
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// The help overlay's lines: every binding of the key table, then the mouse.
pub fn help_lines(theme: Theme) -> Vec<Line<'static>> {
    let width = BINDINGS
        .iter()
        .map(|b| b.keys_label().chars().count())
        .max()
        .unwrap_or(0)
        + 2;
    let mut lines: Vec<Line> = BINDINGS
        .iter()
        .map(|b| {
            Line::from(vec![
                Span::styled(format!("{:<width$}", b.keys_label()), theme.title()),
                Span::raw(b.help),
                Span::styled(
                    if b.scope.label().is_empty() {
                        String::new()
                    } else {
                        format!("  ({})", b.scope.label())
                    },
                    theme.dim(),
                ),
            ])
        })
        .collect();
    lines.push(Line::from(vec![
        Span::styled(format!("{:<width$}", "wheel"), theme.title()),
        Span::raw("scroll"),
    ]));
    lines
}

fn draw_help(frame: &mut Frame, theme: Theme, scroll: u16) {
    let lines = help_lines(theme);
    let full = frame.area();
    let w = (lines.iter().map(|l| l.width()).max().unwrap_or(20) as u16 + 4).min(full.width);
    // Lines longer than a narrow screen wrap rather than lose their ends.
    let lines = super::views::wrap_styled(lines, w.saturating_sub(2) as usize);
    let total = lines.len() as u16;
    let h = (lines.len() as u16 + 2).min(full.height);
    let area = full.centered(Constraint::Length(w), Constraint::Length(h));
    frame.render_widget(Clear, area);
    let fits = total + 2 <= h;
    let scroll = if fits { 0 } else { scroll.min(total + 2 - h) };
    let title = if fits {
        " Keys (? or Esc closes) "
    } else {
        " Keys (j/k scroll, ? or Esc closes) "
    };
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((scroll, 0))
            .block(Block::bordered().title(title)),
        area,
    );
}
