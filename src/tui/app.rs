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
    help_scroll: u16,
    input: Option<SearchInput>,
    status: Option<String>,
    quit: bool,
    /// "changed since lock", when the model drifted from its lock file.
    lock_badge: Option<String>,
    /// The badge being worked out on another thread.
    lock_rx: Option<std::sync::mpsc::Receiver<Option<String>>>,
    /// Esc with nothing left to close leaves the browser (to the list it
    /// was opened from) instead of doing nothing.
    leave_on_back: bool,
    left: bool,
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
            help_scroll: 0,
            input: None,
            status: None,
            quit: false,
            leave_on_back: false,
            left: false,
            lock_badge: None,
            lock_rx: None,
        }
    }

    /// Sets the lock badge (see [`crate::tui::lock_badge`]).
    pub fn set_lock_badge(&mut self, badge: Option<String>) {
        self.lock_badge = badge;
    }

    /// The lock badge arrives on `rx` (the app is busy until it does).
    pub fn watch_lock(&mut self, rx: std::sync::mpsc::Receiver<Option<String>>) {
        self.lock_rx = Some(rx);
    }

    /// The lock badge, when the model drifted from its lock file.
    pub fn lock_badge(&self) -> Option<&str> {
        self.lock_badge.as_deref()
    }

    /// The same browser, left by Esc when there is nothing left to close
    /// (opened from the list of `mri` alone, which Esc returns to).
    pub fn leaving_on_back(mut self) -> App {
        self.leave_on_back = true;
        self
    }

    /// True when the user left with Esc (see [`App::leaving_on_back`]), not `q`.
    pub fn left(&self) -> bool {
        self.left
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
        self.quit || self.left
    }

    /// Titles of the views, in tab order.
    pub fn view_titles(&self) -> Vec<&'static str> {
        self.views.iter().map(|v| v.title()).collect()
    }

    /// The mark on view `i`'s tab (the smoke test running, passed or
    /// failed), if any.
    pub fn view_mark(&self, i: usize) -> Option<&'static str> {
        self.views.get(i).and_then(|v| v.tab_mark())
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

    /// Lines the help overlay is scrolled by (when it is taller than the screen).
    pub fn help_scroll(&self) -> u16 {
        self.help_scroll
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
        let Some(action) = keys::action_in(&key, Some(self.active().scopes())) else {
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
                Action::Down | Action::PageDown => {
                    self.help_scroll = (self.help_scroll + 1).min(3 * keys::BINDINGS.len() as u16)
                }
                Action::Up | Action::PageUp => {
                    self.help_scroll = self.help_scroll.saturating_sub(1)
                }
                Action::Top => self.help_scroll = 0,
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
            Action::Help => {
                self.help = !self.help;
                self.help_scroll = 0;
            }
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
                // `←` at the viewer's left edge goes back too.
                let back = matches!(action, Action::Back | Action::ScrollLeft);
                if back && self.viewer.take().is_none() {
                    match self.back.pop() {
                        Some(prev) => self.current = prev,
                        None if self.leave_on_back => self.left = true,
                        None => {}
                    }
                }
            }
            Effect::Status(s) => self.status = Some(s),
            Effect::Open { path, line } => self.open(&path, line, None),
            Effect::OpenLines { path, start, end } => {
                self.open(&path, Some(start), Some((start, end)))
            }
            Effect::OpenMetadata { path, key } => {
                match views::viewer::metadata::viewer(&self.report, &path, key.as_deref()) {
                    Some(v) => self.viewer = Some(v),
                    None => self.status = Some(format!("{path}: no metadata was read")),
                }
            }
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

    fn open(&mut self, path: &str, line: Option<u32>, range: Option<(u32, u32)>) {
        let Some(file) = self.report.files.iter().find(|f| f.path == path) else {
            self.status = Some(format!("{path} is not in the model directory"));
            return;
        };
        match Viewer::open(&file.real_path, path, line) {
            Ok(mut v) => {
                if let Some((start, end)) = range {
                    v.highlight_lines(start, end);
                }
                self.viewer = Some(v)
            }
            Err(e) => self.status = Some(e.to_string()),
        }
    }

    /// Takes in what background work (the smoke test) reported; returns
    /// whether anything changed. The event loop calls it before each draw.
    pub fn tick(&mut self) -> bool {
        let mut changed = false;
        if let Some(rx) = &self.lock_rx {
            match rx.try_recv() {
                Ok(badge) => {
                    self.lock_badge = badge;
                    self.lock_rx = None;
                    changed = true;
                }
                Err(std::sync::mpsc::TryRecvError::Disconnected) => self.lock_rx = None,
                Err(std::sync::mpsc::TryRecvError::Empty) => {}
            }
        }
        for v in &mut self.views {
            changed |= v.tick();
        }
        changed
    }

    /// Whether background work is running (the loop then redraws often).
    pub fn busy(&self) -> bool {
        self.lock_rx.is_some() || self.views.iter().any(|v| v.busy())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{Code, Finding};
    use crate::tui::keys::parse_key;
    use crossterm::event::{MouseEvent, MouseEventKind};

    fn report() -> Report {
        crate::inspect(
            "fixtures/tiny-llama-sharded",
            &crate::InspectOptions::default(),
        )
        .expect("fixture inspects")
    }

    fn app() -> App {
        App::new(report(), Theme { color: false })
    }

    fn press(app: &mut App, keys: &str) {
        for k in keys.split_whitespace() {
            app.handle_key(parse_key(k).expect("key name"));
        }
    }

    fn type_text(app: &mut App, text: &str) {
        for c in text.chars() {
            app.handle_key(KeyEvent::from(KeyCode::Char(c)));
        }
    }

    /// Rows in the Tensors view and the selected row's label.
    fn tensors(app: &App) -> (usize, Option<String>) {
        let t = app
            .views
            .iter()
            .find(|v| v.title() == "Tensors")
            .expect("a Tensors view");
        (t.rows(), t.selected(&app.ctx()))
    }

    #[test]
    fn tab_number_keys_and_shift_tab_switch_views() {
        let mut a = app();
        assert_eq!(a.current_title(), "Overview");
        press(&mut a, "Tab");
        assert_eq!(a.current_title(), "Files");
        press(&mut a, "Shift-Tab Shift-Tab");
        assert_eq!(a.current_title(), "Smoke", "wraps around");
        press(&mut a, "Shift-Tab Shift-Tab");
        assert_eq!(a.current_title(), "Findings");
        press(&mut a, "3");
        assert_eq!(a.current_title(), "Tensors");
        press(&mut a, "5");
        assert_eq!(a.current_title(), "License");
        press(&mut a, "6");
        assert_eq!(a.current_title(), "Smoke");
        press(&mut a, "3");
        a.update(Action::GoView(8));
        assert_eq!(a.current_title(), "Tensors");
        assert_eq!(a.status(), Some("there is no view 9"));
        press(&mut a, "x");
        assert!(a.status().is_some_and(|s| s.contains("not bound")));
    }

    #[test]
    fn q_and_ctrl_c_quit() {
        let mut a = app();
        press(&mut a, "q");
        assert!(a.should_quit());
        let mut a = app();
        press(&mut a, "Ctrl-c");
        assert!(a.should_quit());
        // Also while typing a search.
        let mut a = app();
        press(&mut a, "3 /");
        assert!(a.search_input().is_some());
        press(&mut a, "q");
        assert!(!a.should_quit(), "q is text in the search line");
        press(&mut a, "Ctrl-c");
        assert!(a.should_quit());
    }

    #[test]
    fn help_overlay_toggles_and_swallows_keys() {
        let mut a = app();
        press(&mut a, "?");
        assert!(a.help_shown());
        press(&mut a, "Tab");
        assert_eq!(a.current_title(), "Overview", "keys under help do nothing");
        press(&mut a, "j j k j");
        assert_eq!(
            a.help_scroll(),
            2,
            "j/k scroll a help taller than the screen"
        );
        press(&mut a, "Esc");
        assert!(!a.help_shown());
        press(&mut a, "? ?");
        assert!(!a.help_shown());
        press(&mut a, "?");
        assert_eq!(a.help_scroll(), 0);
        press(&mut a, "q");
        assert!(a.should_quit(), "q quits from the help too");
    }

    #[test]
    fn enter_on_a_json_file_opens_the_viewer_and_esc_closes_it() {
        let mut a = app();
        press(&mut a, "2");
        // The Files view starts on the first file: config.json.
        press(&mut a, "Enter");
        let v = a.viewer().expect("viewer open");
        assert_eq!(v.path(), "config.json");
        assert_eq!(v.line(), 1);
        press(&mut a, "j j G");
        assert!(a.viewer().unwrap().line() > 3);
        press(&mut a, "Esc");
        assert!(a.viewer().is_none());
        assert_eq!(a.current_title(), "Files");
    }

    #[test]
    fn enter_on_a_shard_shows_its_tensors_and_back_returns() {
        let mut a = app();
        press(&mut a, "2 j j Enter");
        assert_eq!(a.current_title(), "Tensors");
        assert_eq!(tensors(&a).0, 10, "the first shard holds 10 tensors");
        press(&mut a, "Esc");
        assert_eq!(a.current_title(), "Files");
        press(&mut a, "3");
        assert_eq!(tensors(&a).0, 39, "the shard scope is gone");
    }

    #[test]
    fn search_filters_tensors_by_substring_and_glob() {
        let mut a = app();
        press(&mut a, "3 /");
        type_text(&mut a, "q_proj");
        assert_eq!(tensors(&a).0, 4, "live while typing");
        press(&mut a, "Enter");
        assert!(a.search_input().is_none());
        assert_eq!(tensors(&a).0, 4);
        press(&mut a, "n");
        assert_eq!(
            tensors(&a).1.as_deref(),
            Some("model.layers.1.self_attn.q_proj.weight")
        );
        press(&mut a, "Esc");
        assert_eq!(tensors(&a).0, 39, "Esc clears the filter");

        press(&mut a, "/");
        type_text(&mut a, "model.layers.2.*");
        press(&mut a, "Enter");
        assert_eq!(tensors(&a).0, 9);
        // Esc while typing restores the filter from before.
        press(&mut a, "/");
        type_text(&mut a, "zzz");
        assert_eq!(tensors(&a).0, 0);
        press(&mut a, "Esc");
        assert_eq!(tensors(&a).0, 9);
    }

    #[test]
    fn group_by_layer_folds_and_unfolds() {
        let mut a = app();
        press(&mut a, "3 L");
        assert_eq!(tensors(&a).0, 7, "embed, 4 layers, norm, head");
        press(&mut a, "j");
        assert_eq!(tensors(&a).1.as_deref(), Some("model.layers.0"));
        press(&mut a, "Enter");
        assert_eq!(tensors(&a).0, 16);
        press(&mut a, "j");
        assert_eq!(
            tensors(&a).1.as_deref(),
            Some("model.layers.0.input_layernorm.weight")
        );
        press(&mut a, "h");
        assert_eq!(tensors(&a).0, 7);
        assert_eq!(tensors(&a).1.as_deref(), Some("model.layers.0"));
        press(&mut a, "L");
        assert_eq!(tensors(&a).0, 39);
    }

    #[test]
    fn sort_cycles_columns_and_reverses() {
        let mut a = app();
        press(&mut a, "3 s g");
        assert_eq!(tensors(&a).1.as_deref(), Some("lm_head.weight"));
        press(&mut a, "r g");
        assert_eq!(
            tensors(&a).1.as_deref(),
            Some("model.norm.weight"),
            "descending by name"
        );
        // name -> dtype -> shape -> params (largest first)
        press(&mut a, "s s s g");
        assert_eq!(
            tensors(&a).1.as_deref(),
            Some("model.embed_tokens.weight"),
            "the largest, first in file order among equals"
        );
        press(&mut a, "r g");
        assert_eq!(
            tensors(&a).1.as_deref(),
            Some("model.layers.0.input_layernorm.weight")
        );
    }

    #[test]
    fn findings_jump_to_file_line_and_tensor() {
        let mut r = report();
        r.findings.push(
            Finding::warning(Code::ConsistencyDtype, "dtype differs")
                .in_file("config.json")
                .at_line(5),
        );
        r.findings.push(
            Finding::error(Code::WeightsIndexMismatch, "misplaced")
                .in_file("model-00002-of-00003.safetensors")
                .on_tensor("model.layers.2.mlp.up_proj.weight"),
        );
        r.findings.push(Finding::info(Code::CardMissing, "no card"));
        r.finish_findings();
        let mut a = App::new(r, Theme { color: false });
        press(&mut a, "4");
        // Sorted most severe first: the tensor finding.
        press(&mut a, "Enter");
        assert_eq!(a.current_title(), "Tensors");
        assert_eq!(
            tensors(&a).1.as_deref(),
            Some("model.layers.2.mlp.up_proj.weight")
        );
        press(&mut a, "Esc");
        assert_eq!(
            a.current_title(),
            "Findings",
            "back to where the jump came from"
        );
        press(&mut a, "j Enter");
        let v = a.viewer().expect("viewer");
        assert_eq!((v.path(), v.line()), ("config.json", 5));
        press(&mut a, "h");
        assert!(a.viewer().is_none());
        press(&mut a, "j Enter");
        assert_eq!(a.status(), Some("this finding names no file or tensor"));
    }

    #[test]
    fn viewer_search_steps_through_lines() {
        let mut a = app();
        press(&mut a, "2 Enter /");
        type_text(&mut a, "size");
        press(&mut a, "Enter");
        let first = a.viewer().unwrap().line();
        press(&mut a, "n");
        let second = a.viewer().unwrap().line();
        assert!(second > first, "{first} then {second}");
        press(&mut a, "N");
        assert_eq!(a.viewer().unwrap().line(), first);
        press(&mut a, "Esc");
        assert!(a.viewer().is_some(), "first Esc clears the search");
        press(&mut a, "Esc");
        assert!(a.viewer().is_none());
    }

    /// Rows and selection of the view with this title.
    fn view(app: &App, title: &str) -> (usize, Option<String>) {
        let v = app.views.iter().find(|v| v.title() == title).expect("view");
        (v.rows(), v.selected(&app.ctx()))
    }

    #[test]
    fn files_fold_by_class_and_search_with_n() {
        let mut a = app();
        press(&mut a, "2");
        assert_eq!(view(&a, "Files"), (14, Some("config.json".into())));
        press(&mut a, "h");
        assert_eq!(view(&a, "Files"), (13, Some("config".into())), "h folds");
        press(&mut a, "Enter");
        assert_eq!(view(&a, "Files").0, 14, "Enter unfolds");
        press(&mut a, "/");
        type_text(&mut a, "tokenizer");
        press(&mut a, "Enter");
        assert_eq!(view(&a, "Files").1.as_deref(), Some("tokenizer.json"));
        press(&mut a, "n");
        assert_eq!(
            view(&a, "Files").1.as_deref(),
            Some("tokenizer_config.json")
        );
        press(&mut a, "n");
        assert_eq!(
            view(&a, "Files").1.as_deref(),
            Some("tokenizer.json"),
            "wraps"
        );
        press(&mut a, "N");
        assert_eq!(
            view(&a, "Files").1.as_deref(),
            Some("tokenizer_config.json")
        );
        // A search unfolds the group of its match.
        press(&mut a, "Esc g h /");
        type_text(&mut a, "config.json");
        assert_eq!(view(&a, "Files").1.as_deref(), Some("config.json"));
        assert_eq!(view(&a, "Files").0, 14);
    }

    #[test]
    fn findings_search_and_navigation() {
        let mut r = report();
        r.findings.clear();
        for (i, code) in [
            Code::ConsistencyDtype,
            Code::CardMissing,
            Code::ConfigInvalid,
        ]
        .into_iter()
        .enumerate()
        {
            r.findings
                .push(Finding::warning(code, format!("m{i}")).in_file("config.json"));
        }
        r.finish_findings();
        let mut a = App::new(r, Theme { color: false });
        press(&mut a, "4");
        assert_eq!(view(&a, "Findings").0, 3);
        press(&mut a, "/");
        type_text(&mut a, "card/");
        press(&mut a, "Enter");
        assert_eq!(
            view(&a, "Findings").1.as_deref(),
            Some("card/missing config.json")
        );
        press(&mut a, "G");
        assert_eq!(
            view(&a, "Findings").1.as_deref(),
            Some("consistency/dtype config.json")
        );
    }

    #[test]
    fn search_on_overview_explains_itself() {
        let mut a = app();
        press(&mut a, "/");
        assert!(a.search_input().is_none());
        assert_eq!(a.status(), Some("nothing to search in Overview"));
    }

    #[test]
    fn mouse_wheel_scrolls_the_list() {
        let mut a = app();
        press(&mut a, "3");
        let wheel = |kind| {
            Event::Mouse(MouseEvent {
                kind,
                column: 0,
                row: 0,
                modifiers: KeyModifiers::NONE,
            })
        };
        a.handle_event(&wheel(MouseEventKind::ScrollDown));
        assert_eq!(
            tensors(&a).1.as_deref(),
            Some("model.layers.0.self_attn.k_proj.weight")
        );
        a.handle_event(&wheel(MouseEventKind::ScrollUp));
        assert_eq!(tensors(&a).1.as_deref(), Some("model.embed_tokens.weight"));
    }
}
