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

/// Draws the whole browser.
pub fn draw(frame: &mut Frame, app: &App) {
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

fn draw_tabs(frame: &mut Frame, area: Rect, app: &App) {
    let t = app.theme();
    let mut spans = vec![Span::styled(" mri ", t.accent()), Span::raw("│")];
    for (i, title) in app.view_titles().iter().enumerate() {
        let label = if i < keys::MAX_NUMBERED_VIEWS {
            format!(" {} {title} ", i + 1)
        } else {
            format!(" {title} ")
        };
        let style = if i == app.current() {
            t.selected()
        } else {
            Default::default()
        };
        spans.push(Span::styled(label, style));
    }
    if let Some(badge) = app.lock_badge() {
        spans.push(Span::raw("│"));
        spans.push(Span::styled(
            format!(" {badge} "),
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
    let total = lines.len() as u16;
    let full = frame.area();
    let w = (lines.iter().map(|l| l.width()).max().unwrap_or(20) as u16 + 4).min(full.width);
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
