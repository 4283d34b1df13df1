//! The list `mri` opens on when given no target: every model `mri ls`
//! finds, one row each. Enter opens the selected model in the browser's
//! views; Esc there (with nothing left to close) comes back to the list.

use super::app::App;
use super::cursor::Cursor;
use super::keys::{self, Action};
use super::theme::Theme;
use super::{run_loop, EventSource, TuiError};
use crate::fleet::{render, Listing, Row};
use crate::util::human::{bytes, count};
use crossterm::event::{Event, KeyEvent, KeyEventKind};
use ratatui::backend::{Backend, TestBackend};
use ratatui::layout::{Constraint, Layout};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use ratatui::{Frame, Terminal};
use std::time::Duration;

/// The smallest terminal the list lays out (title, a row or two, the
/// selected model on three lines, the keys); below it a screen says so.
const MIN_SIZE: (u16, u16) = (40, 8);

/// The columns: header and the cell of a row.
const COLUMNS: [&str; 9] = [
    "MODEL", "KIND", "ARCH", "PARAMS", "QUANT", "SIZE", "LICENSE", "VERDICT", "E/W",
];

fn cells(r: &Row) -> [String; 9] {
    let dash = || "-".to_string();
    if let Some(e) = &r.error {
        let mut c: [String; 9] = Default::default();
        c[0] = r.name.clone();
        c[1] = r.kind.as_str().into();
        c[2] = format!("error: {e}");
        return c;
    }
    [
        r.name.clone(),
        r.kind.as_str().into(),
        r.architecture.clone().unwrap_or_else(dash),
        r.parameters.map(count).unwrap_or_else(dash),
        r.quantization.clone().unwrap_or_else(dash),
        bytes(r.size_on_disk),
        r.license.clone().unwrap_or_else(dash),
        r.verdict
            .map(|v| v.as_str().to_string())
            .unwrap_or_else(dash),
        format!("{}/{}", r.errors, r.warnings),
    ]
}

/// The list's state: the rows, the selection, a status line.
#[derive(Debug)]
pub struct FleetList {
    listing: Listing,
    cursor: Cursor,
    theme: Theme,
    widths: [usize; 9],
    status: Option<String>,
    quit: bool,
}

/// What a key asks of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Nothing more (moved, or ignored).
    Stay,
    /// Open this row's model.
    Open(usize),
    /// Leave.
    Quit,
}

impl FleetList {
    /// A list over `listing` (in its order), the first row selected.
    pub fn new(listing: Listing, theme: Theme) -> FleetList {
        let mut widths = COLUMNS.map(|c| c.chars().count());
        for r in &listing.models {
            let c = cells(r);
            let span = if r.error.is_some() { 2 } else { 9 };
            for (w, cell) in widths.iter_mut().zip(&c).take(span) {
                *w = (*w).max(cell.chars().count().min(60));
            }
        }
        FleetList {
            listing,
            cursor: Cursor::default(),
            theme,
            widths,
            status: None,
            quit: false,
        }
    }

    /// The selected row's index.
    pub fn selected(&self) -> usize {
        self.cursor.selected()
    }

    /// Applies one key press.
    pub fn handle_key(&mut self, key: KeyEvent) -> Step {
        if key.kind == KeyEventKind::Release {
            return Step::Stay;
        }
        self.status = None;
        let len = self.listing.models.len();
        match keys::action_for(&key) {
            Some(Action::Quit) => {
                self.quit = true;
                Step::Quit
            }
            Some(Action::Open) => match self.listing.models.get(self.cursor.selected()) {
                Some(r) if r.error.is_some() => {
                    self.status = Some(format!(
                        "{} cannot be opened: {}",
                        r.name,
                        r.error.as_deref().unwrap_or_default()
                    ));
                    Step::Stay
                }
                Some(_) => Step::Open(self.cursor.selected()),
                None => Step::Stay,
            },
            Some(a) => {
                self.cursor.apply(a, len);
                Step::Stay
            }
            None => Step::Stay,
        }
    }

    /// Sets the status line (an error opening a model).
    pub fn set_status(&mut self, status: String) {
        self.status = Some(status);
    }

    /// Draws the list: a header, the visible rows, the selected model in
    /// full (or the status) on three lines, and the keys; in a terminal
    /// smaller than the browser's minimum, a screen saying so.
    pub fn draw(&self, frame: &mut Frame) {
        let t = self.theme;
        let area = frame.area();
        if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
            super::ui::draw_too_small(frame, area, t, MIN_SIZE);
            super::ui::neutralize_unsafe(frame.buffer_mut());
            return;
        }
        let [title, body, detail, foot] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(4),
            Constraint::Length(1),
        ])
        .areas(area);
        let pad = |s: &str, w: usize| {
            let cut = crate::util::human::cut_chars(s, w);
            format!("{cut:<w$}")
        };
        let header: Vec<String> = COLUMNS
            .iter()
            .zip(self.widths)
            .map(|(c, w)| pad(c, w))
            .collect();
        let height = body.height.saturating_sub(1) as usize;
        let models = &self.listing.models;
        let mut lines = vec![Line::styled(header.join("  "), t.title())];
        lines.extend(super::list::visible_rows(
            &self.cursor,
            models.len(),
            height,
            |i| {
                let r = &models[i];
                let c = cells(r);
                if r.error.is_some() {
                    return Line::from(vec![
                        Span::raw(format!(
                            "{}  {}  ",
                            pad(&c[0], self.widths[0]),
                            pad(&c[1], self.widths[1])
                        )),
                        Span::styled(c[2].clone(), t.severity(crate::finding::Severity::Error)),
                    ]);
                }
                let spans: Vec<Span> = c
                    .iter()
                    .zip(self.widths)
                    .enumerate()
                    .map(|(k, (cell, w))| {
                        let text = format!("{}{}", if k > 0 { "  " } else { "" }, pad(cell, w));
                        match (k, r.verdict) {
                            (7, Some(v)) => Span::styled(text, t.verdict(v)),
                            _ => Span::raw(text),
                        }
                    })
                    .collect();
                Line::from(spans)
            },
            |line| line.patch_style(t.selected()),
        ));
        frame.render_widget(
            Paragraph::new(Line::from(vec![
                Span::styled(" mri ", t.accent()),
                Span::raw(format!("│ {}", render::summary(&self.listing))),
            ])),
            title,
        );
        frame.render_widget(Paragraph::new(lines), body);
        let detail_lines = super::views::wrap_lines(&[self.detail()], detail.width as usize);
        frame.render_widget(
            Paragraph::new(detail_lines).block(Block::new().borders(Borders::TOP)),
            detail,
        );
        let hint = match &self.status {
            Some(_) => Line::styled("Enter open  j/k move  q quit", t.dim()),
            None if models.is_empty() => Line::styled(
                "no models found: mri ls PATH lists a folder; q quit",
                t.dim(),
            ),
            None => Line::styled(
                "j/k move  Enter open  Esc back to this list  q quit",
                t.dim(),
            ),
        };
        frame.render_widget(Paragraph::new(hint), foot);
        super::ui::neutralize_unsafe(frame.buffer_mut());
    }
}

impl FleetList {
    /// The status, when there is one, else the selected model in full:
    /// every word its cut cells may hide (name, where it is, its license
    /// and verdict, or why it cannot be read).
    fn detail(&self) -> (String, ratatui::style::Style) {
        if let Some(s) = &self.status {
            return (
                s.clone(),
                self.theme.severity(crate::finding::Severity::Error),
            );
        }
        let Some(r) = self.listing.models.get(self.cursor.selected()) else {
            return (String::new(), self.theme.dim());
        };
        // The target only where the name does not already say it.
        let place = if r.target == r.name {
            String::new()
        } else {
            format!(" · {}", r.target)
        };
        let text = match &r.error {
            Some(e) => format!("{}{place} · cannot be read: {e}", r.name),
            None => format!(
                "{} · license {} ({}) · {} · {} errors, {} warnings{place}",
                r.name,
                r.license.as_deref().unwrap_or("not found"),
                r.verdict.map(|v| v.as_str()).unwrap_or("unknown"),
                r.architecture.as_deref().unwrap_or("architecture unknown"),
                r.errors,
                r.warnings
            ),
        };
        (text, ratatui::style::Style::new())
    }
}

/// The list's loop: draw, read a key, open a model in the browser (whose
/// Esc comes back here, whose `q` quits everything).
pub fn run_list<B, E>(
    terminal: &mut Terminal<B>,
    list: &mut FleetList,
    options: &crate::InspectOptions,
    events: &mut E,
) -> Result<(), TuiError>
where
    B: Backend,
    E: EventSource,
    TuiError: From<B::Error>,
{
    loop {
        terminal.draw(|f| list.draw(f))?;
        let Some(Event::Key(key)) = events.next(Duration::from_millis(250))? else {
            continue;
        };
        match list.handle_key(key) {
            Step::Stay => {}
            Step::Quit => return Ok(()),
            Step::Open(i) => {
                let Some(target) = list.listing.models.get(i).map(|r| r.target.clone()) else {
                    continue;
                };
                match crate::inspect(&target, options) {
                    Ok(report) => {
                        let mut app = App::new(report, list.theme).leaving_on_back();
                        run_loop(terminal, &mut app, events)?;
                        if !app.left() {
                            return Ok(());
                        }
                    }
                    Err(e) => list.set_status(format!("cannot open {target}: {e}")),
                }
            }
        }
    }
}

/// Opens the list on the real terminal.
pub fn run(listing: Listing, options: &crate::InspectOptions) -> Result<(), TuiError> {
    let mut list = FleetList::new(listing, Theme::from_env());
    super::in_terminal(|terminal| {
        run_list(terminal, &mut list, options, &mut super::TerminalEvents)
    })
}

/// The list drawn off-screen after `keys` (then `q`): the last frame, as text.
pub fn headless(
    listing: Listing,
    options: &crate::InspectOptions,
    width: u16,
    height: u16,
    keys: &[KeyEvent],
) -> Result<String, TuiError> {
    let mut list = FleetList::new(listing, Theme { color: false });
    let mut terminal = Terminal::new(TestBackend::new(width, height))?;
    let mut events = super::ScriptedEvents(keys.iter().map(|k| Event::Key(*k)).collect());
    run_list(&mut terminal, &mut list, options, &mut events)?;
    Ok(super::buffer_text(terminal.backend().buffer()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fleet::{list, ListOptions};
    use crate::locate::discover::{discover, Sources};

    fn listing() -> Listing {
        let d = discover(&Sources {
            paths: vec!["fixtures".into()],
            ..Default::default()
        });
        let mut l = list(&d.found, &ListOptions::default(), &|_, _| {});
        l.select(&[], &crate::fleet::Sort::default());
        l
    }

    fn keys(names: &str) -> Vec<KeyEvent> {
        names
            .split_whitespace()
            .map(|n| keys::parse_key(n).expect("a key"))
            .collect()
    }

    #[test]
    fn the_list_shows_every_model_with_its_verdict() {
        let frame = headless(listing(), &Default::default(), 160, 12, &[]).unwrap();
        assert!(frame.contains("4 models"), "{frame}");
        assert!(frame.contains("fixtures/tiny-llama "), "{frame}");
        assert!(frame.contains("permitted-with-conditions"), "{frame}");
        assert!(frame.contains("Enter open"), "{frame}");
    }

    #[test]
    fn enter_opens_a_model_and_esc_returns_to_the_list() {
        let l = listing();
        let second = l.models[1].name.clone();
        // Enter, then the script's q quits from inside the model.
        let frame = headless(l, &Default::default(), 120, 30, &keys("j Enter")).unwrap();
        assert!(frame.contains("Overview"), "{frame}");
        assert!(!frame.contains("Enter open"), "{frame}");
        // Esc comes back to the list, which q then leaves.
        let frame = headless(
            listing(),
            &Default::default(),
            160,
            12,
            &keys("j Enter Esc j"),
        )
        .unwrap();
        assert!(frame.contains("Enter open"), "{frame}");
        assert!(frame.contains(&second), "{frame}");
    }

    #[test]
    fn a_terminal_too_small_says_so_and_q_still_quits() {
        let frame = headless(listing(), &Default::default(), 30, 6, &[]).unwrap();
        assert!(frame.contains("terminal too small"), "{frame}");
        assert!(frame.contains("30×6"), "{frame}");
    }

    #[test]
    fn the_selected_model_is_shown_in_full_below_the_cut_columns() {
        let l = listing();
        let second = l.models[1].clone();
        // 60 columns cut the table; the detail lines still name the
        // selected model's target and verdict in full.
        let frame = headless(l, &Default::default(), 60, 16, &keys("j")).unwrap();
        let joined = frame.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(joined.contains(&second.name), "{frame}");
        let verdict = second.verdict.map(|v| v.as_str()).unwrap_or("unknown");
        assert!(joined.contains(&format!("({verdict})")), "{frame}");
    }
}
