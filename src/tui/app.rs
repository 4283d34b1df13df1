//! The browser's state and how actions change it. No terminal here: tests
//! drive an [`App`] with key events and read its state back.

use super::filter::Query;
use super::keys::{self, Action};
use super::theme::Theme;
use super::views::viewer::Viewer;
use super::views::{self, Ctx, Effect, View};
use crate::report::Report;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseEventKind};

/// The search line while it is being typed.
#[derive(Debug, Clone, Default)]
pub struct SearchInput {
    /// The text typed so far.
    pub text: String,
    /// The query before typing started, restored by Esc.
    before: Option<Query>,
}

/// Everything the browser shows, and where the user is.
pub struct App {
    report: Report,
    theme: Theme,
    views: Vec<Box<dyn View>>,
    current: usize,
    viewer: Option<Viewer>,
    back: Vec<usize>,
    help: bool,
    input: Option<SearchInput>,
    status: Option<String>,
    quit: bool,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("current", &self.current_title())
            .field("viewer", &self.viewer.as_ref().map(|v| v.path()))
            .field("help", &self.help)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl App {
    /// A browser over `report`, on the first view.
    pub fn new(report: Report, theme: Theme) -> App {
        let views = views::all(&report);
        App {
            report,
            theme,
            views,
            current: 0,
            viewer: None,
            back: Vec::new(),
            help: false,
            input: None,
            status: None,
            quit: false,
        }
    }

    /// The report being browsed.
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// The styles in use.
    pub fn theme(&self) -> Theme {
        self.theme
    }

    /// Whether the user asked to leave.
    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// Titles of the views, in tab order.
    pub fn view_titles(&self) -> Vec<&'static str> {
        self.views.iter().map(|v| v.title()).collect()
    }

    /// Position of the current view.
    pub fn current(&self) -> usize {
        self.current
    }

    /// Title of the current view.
    pub fn current_title(&self) -> &'static str {
        self.views[self.current].title()
    }

    /// The current view.
    pub fn current_view(&self) -> &dyn View {
        self.views[self.current].as_ref()
    }

    /// The open file viewer, if any.
    pub fn viewer(&self) -> Option<&Viewer> {
        self.viewer.as_ref()
    }

    /// Whether the help overlay is shown.
    pub fn help_shown(&self) -> bool {
        self.help
    }

    /// The search line being typed, if any.
    pub fn search_input(&self) -> Option<&SearchInput> {
        self.input.as_ref()
    }

    /// The one-line message of the last action, if any.
    pub fn status(&self) -> Option<&str> {
        self.status.as_deref()
    }

    /// What views read.
    pub fn ctx(&self) -> Ctx<'_> {
        Ctx {
            report: &self.report,
            theme: self.theme,
        }
    }

    /// The view keys go to: the viewer when open, else the current view.
    pub fn active(&self) -> &dyn View {
        match &self.viewer {
            Some(v) => v,
            None => self.views[self.current].as_ref(),
        }
    }

    /// Handles any terminal event: keys, mouse wheel; resizes need only a redraw.
    pub fn handle_event(&mut self, event: &Event) {
        match event {
            Event::Key(k) => self.handle_key(*k),
            Event::Mouse(m) if !self.help => {
                let action = match m.kind {
                    MouseEventKind::ScrollDown => Action::Down,
                    MouseEventKind::ScrollUp => Action::Up,
                    _ => return,
                };
                for _ in 0..super::cursor::WHEEL_STEP {
                    self.update(action);
                }
            }
            _ => {}
        }
    }

    /// Handles one key press.
    pub fn handle_key(&mut self, key: KeyEvent) {
        if key.kind == KeyEventKind::Release {
            return;
        }
        self.status = None;
        if self.input.is_some() {
            self.handle_input(key);
            return;
        }
        let Some(action) = keys::action_for(&key) else {
            if !matches!(key.code, KeyCode::Modifier(_)) {
                self.status = Some(format!(
                    "{} is not bound: press ? for help",
                    keys::Key {
                        code: key.code,
                        ctrl: key.modifiers.contains(KeyModifiers::CONTROL)
                    }
                    .label()
                ));
            }
            return;
        };
        if self.help {
            match action {
                Action::Help | Action::Back => self.help = false,
                Action::Quit => self.quit = true,
                _ => {}
            }
            return;
        }
        self.update(action);
    }

    fn handle_input(&mut self, key: KeyEvent) {
        let Some(input) = self.input.as_mut() else {
            return;
        };
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Char('c') if ctrl => self.quit = true,
            KeyCode::Enter => {
                self.input = None;
            }
            KeyCode::Esc => {
                let before = input.before.take();
                self.input = None;
                self.set_query(before);
            }
            KeyCode::Backspace => {
                input.text.pop();
                let q = Query::new(&input.text);
                self.set_query(q);
            }
            KeyCode::Char(c) if !ctrl => {
                input.text.push(c);
                let q = Query::new(&input.text);
                self.set_query(q);
            }
            _ => {}
        }
    }

    fn set_query(&mut self, query: Option<Query>) {
        let ctx = Ctx {
            report: &self.report,
            theme: self.theme,
        };
        match &mut self.viewer {
            Some(v) => v.set_query(query, &ctx),
            None => self.views[self.current].set_query(query, &ctx),
        }
    }

    fn switch_to(&mut self, index: usize) {
        self.viewer = None;
        self.back.clear();
        self.current = index;
    }

    /// Applies an action, as if its key had been pressed.
    pub fn update(&mut self, action: Action) {
        let n = self.views.len();
        match action {
            Action::Quit => self.quit = true,
            Action::Help => self.help = !self.help,
            Action::NextView => self.switch_to((self.current + 1) % n),
            Action::PrevView => self.switch_to((self.current + n - 1) % n),
            Action::GoView(i) if i < n => self.switch_to(i),
            Action::GoView(i) => self.status = Some(format!("there is no view {}", i + 1)),
            Action::Search => {
                if self.active().searchable() {
                    let before = self.active().query().cloned();
                    self.input = Some(SearchInput {
                        text: before
                            .as_ref()
                            .map(|q| q.text().to_string())
                            .unwrap_or_default(),
                        before,
                    });
                } else {
                    self.status = Some(format!("nothing to search in {}", self.current_title()));
                }
            }
            _ => {
                let ctx = Ctx {
                    report: &self.report,
                    theme: self.theme,
                };
                let effect = match &mut self.viewer {
                    Some(v) => v.update(action, &ctx),
                    None => self.views[self.current].update(action, &ctx),
                };
                self.apply(effect, action);
            }
        }
    }

    fn apply(&mut self, effect: Effect, action: Action) {
        match effect {
            Effect::Done => {}
            Effect::Unhandled => {
                if action == Action::Back {
                    if self.viewer.take().is_none() {
                        if let Some(prev) = self.back.pop() {
                            self.current = prev;
                        }
                    }
                }
            }
            Effect::Status(s) => self.status = Some(s),
            Effect::Open { path, line } => self.open(&path, line),
            Effect::Jump(jump) => {
                let ctx = Ctx {
                    report: &self.report,
                    theme: self.theme,
                };
                let found = self.views.iter_mut().position(|v| v.accept(&jump, &ctx));
                match found {
                    Some(i) => {
                        if i != self.current {
                            self.back.push(self.current);
                        }
                        self.current = i;
                        self.viewer = None;
                    }
                    None => {
                        self.status = Some(match jump {
                            views::Jump::Tensor { name, .. } => {
                                format!("tensor {name} is in no readable shard")
                            }
                            views::Jump::Shard(p) => format!("{p} has no readable header"),
                        })
                    }
                }
            }
        }
    }

    fn open(&mut self, path: &str, line: Option<u32>) {
        let Some(file) = self.report.files.iter().find(|f| f.path == path) else {
            self.status = Some(format!("{path} is not in the model directory"));
            return;
        };
        match Viewer::open(&file.real_path, path, line) {
            Ok(v) => self.viewer = Some(v),
            Err(e) => self.status = Some(e.to_string()),
        }
    }
}
