//! The key table: every key the TUI understands, the action it stands for,
//! and the words shown for it. The dispatcher, the hint bar and the help
//! overlay all read this one table, so help never goes stale.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// What a key asks for. Views interpret the movement actions in their own terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Leave the program.
    Quit,
    /// Go back: close the search, a viewer, a fold, or return to where a jump came from.
    Back,
    /// Move the selection down one row.
    Down,
    /// Move the selection up one row.
    Up,
    /// Drill into the selected row (open, expand, jump).
    Open,
    /// The next view.
    NextView,
    /// The previous view.
    PrevView,
    /// The view with this 0-based position.
    GoView(usize),
    /// Start typing a search.
    Search,
    /// Next search match.
    NextMatch,
    /// Previous search match.
    PrevMatch,
    /// First row.
    Top,
    /// Last row.
    Bottom,
    /// One page up.
    PageUp,
    /// One page down.
    PageDown,
    /// Show or hide the help overlay.
    Help,
    /// Sort by the next column.
    SortNext,
    /// Reverse the sort order.
    SortReverse,
    /// Fold tensors into one row per layer, or unfold them.
    GroupLayers,
    /// Start the smoke test (a forward pass on the CPU, in the background).
    Run,
    /// Scroll the viewer's text left (back at the left edge).
    ScrollLeft,
    /// Scroll the viewer's text right.
    ScrollRight,
    /// Wrap long lines in the viewer, or stop wrapping them.
    ToggleWrap,
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Everywhere.
    Global,
    /// In every list and in the file viewer.
    Lists,
    /// In one view only, named by its title. A new view with keys of its
    /// own adds its actions above and its rows to [`BINDINGS`] with this scope.
    View(&'static str),
}

impl Scope {
    /// The note shown in the help overlay (none for keys that work in every list).
    pub fn label(self) -> &'static str {
        match self {
            Scope::Global => "",
            Scope::Lists => "",
            Scope::View(title) => title,
        }
    }
}

/// One key: a code, with Ctrl or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    /// The key code.
    pub code: KeyCode,
    /// Whether Ctrl must be held.
    pub ctrl: bool,
}

const fn key(code: KeyCode) -> Key {
    Key { code, ctrl: false }
}

const fn ch(c: char) -> Key {
    key(KeyCode::Char(c))
}

const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        ctrl: true,
    }
}

impl Key {
    /// How the key is written in hints and help (`Ctrl-c`, `↓`, `PgDn`).
    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::Enter => "Enter".into(),
            KeyCode::Esc => "Esc".into(),
            KeyCode::Tab => "Tab".into(),
            KeyCode::BackTab => "Shift-Tab".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::Home => "Home".into(),
            KeyCode::End => "End".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            other => format!("{other:?}"),
        };
        if self.ctrl {
            format!("Ctrl-{base}")
        } else {
            base
        }
    }
}

/// One row of the key table.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    /// The keys that trigger it.
    pub keys: &'static [Key],
    /// What they do.
    pub action: Action,
    /// Where it applies.
    pub scope: Scope,
    /// Label used instead of listing every key (`1-7`).
    pub label: Option<&'static str>,
    /// Words for the hint bar; `None` keeps it out of the bar (help only).
    pub hint: Option<&'static str>,
    /// Words for the help overlay.
    pub help: &'static str,
}

impl Binding {
    /// The keys as written in hints and help (`q/Ctrl-c`).
    pub fn keys_label(&self) -> String {
        match self.label {
            Some(l) => l.to_string(),
            None => self
                .keys
                .iter()
                .map(Key::label)
                .collect::<Vec<_>>()
                .join("/"),
        }
    }
}

/// The Tensors view's title, which scopes its keys.
pub const TENSORS: &str = "Tensors";

/// The Smoke view's title, which scopes its keys.
pub const SMOKE: &str = "Smoke";

/// The file viewer's title, which scopes its keys.
pub const VIEWER: &str = "Viewer";

/// Views reachable by number key (1 to this).
pub const MAX_NUMBERED_VIEWS: usize = 7;

/// The key table. Order is the order of the hint bar and the help overlay.
pub const BINDINGS: &[Binding] = &[
    Binding {
        keys: &[ch('q'), ctrl('c')],
        action: Action::Quit,
        scope: Scope::Global,
        label: None,
        hint: Some("quit"),
        help: "quit",
    },
    Binding {
        keys: &[ch('?')],
        action: Action::Help,
        scope: Scope::Global,
        label: None,
        hint: Some("help"),
        help: "show or hide this help",
    },
    Binding {
        keys: &[key(KeyCode::Tab)],
        action: Action::NextView,
        scope: Scope::Global,
        label: None,
        hint: Some("view"),
        help: "next view",
    },
    Binding {
        keys: &[key(KeyCode::BackTab)],
        action: Action::PrevView,
        scope: Scope::Global,
        label: None,
        hint: None,
        help: "previous view",
    },
    Binding {
        keys: &[
            ch('1'),
            ch('2'),
            ch('3'),
            ch('4'),
            ch('5'),
            ch('6'),
            ch('7'),
        ],
        action: Action::GoView(0),
        scope: Scope::Global,
        label: Some("1-7"),
        hint: None,
        help: "go to view by number",
    },
    Binding {
        keys: &[ch('j'), key(KeyCode::Down)],
        action: Action::Down,
        scope: Scope::Lists,
        label: None,
        hint: None,
        help: "move down",
    },
    Binding {
        keys: &[ch('k'), key(KeyCode::Up)],
        action: Action::Up,
        scope: Scope::Lists,
        label: None,
        hint: None,
        help: "move up",
    },
    Binding {
        keys: &[key(KeyCode::Enter), ch('l'), key(KeyCode::Right)],
        action: Action::Open,
        scope: Scope::Lists,
        label: None,
        hint: Some("open"),
        help: "open, expand, or jump to what the row names",
    },
    Binding {
        keys: &[key(KeyCode::Esc), ch('h'), key(KeyCode::Left)],
        action: Action::Back,
        scope: Scope::Global,
        label: None,
        hint: Some("back"),
        help: "back: close, fold, clear the filter, or return",
    },
    Binding {
        keys: &[ch('/')],
        action: Action::Search,
        scope: Scope::Lists,
        label: None,
        hint: Some("search"),
        help: "search (Tensors: filter by substring or glob)",
    },
    Binding {
        keys: &[ch('n')],
        action: Action::NextMatch,
        scope: Scope::Lists,
        label: None,
        hint: None,
        help: "next match",
    },
    Binding {
        keys: &[ch('N')],
        action: Action::PrevMatch,
        scope: Scope::Lists,
        label: None,
        hint: None,
        help: "previous match",
    },
    Binding {
        keys: &[ch('g'), key(KeyCode::Home)],
        action: Action::Top,
        scope: Scope::Lists,
        label: None,
        hint: None,
        help: "first row",
    },
    Binding {
        keys: &[ch('G'), key(KeyCode::End)],
        action: Action::Bottom,
        scope: Scope::Lists,
        label: None,
        hint: None,
        help: "last row",
    },
    Binding {
        keys: &[key(KeyCode::PageUp), ctrl('b')],
        action: Action::PageUp,
        scope: Scope::Lists,
        label: None,
        hint: None,
        help: "page up",
    },
    Binding {
        keys: &[key(KeyCode::PageDown), ctrl('f')],
        action: Action::PageDown,
        scope: Scope::Lists,
        label: None,
        hint: None,
        help: "page down",
    },
    Binding {
        keys: &[ch('s')],
        action: Action::SortNext,
        scope: Scope::View(TENSORS),
        label: None,
        hint: Some("sort"),
        help: "sort by the next column",
    },
    Binding {
        keys: &[ch('r')],
        action: Action::SortReverse,
        scope: Scope::View(TENSORS),
        label: None,
        hint: None,
        help: "reverse the sort order",
    },
    Binding {
        keys: &[ch('L')],
        action: Action::GroupLayers,
        scope: Scope::View(TENSORS),
        label: None,
        hint: Some("layers"),
        help: "group by layer (one row per layer; Enter expands)",
    },
    Binding {
        keys: &[ch('r')],
        action: Action::Run,
        scope: Scope::View(SMOKE),
        label: None,
        hint: Some("run"),
        help: "run the smoke test: one forward pass on the CPU",
    },
    Binding {
        keys: &[ch('w')],
        action: Action::ToggleWrap,
        scope: Scope::View(VIEWER),
        label: None,
        hint: Some("wrap"),
        help: "wrap long lines, or scroll them sideways",
    },
    Binding {
        keys: &[key(KeyCode::Right), ch('l')],
        action: Action::ScrollRight,
        scope: Scope::View(VIEWER),
        label: None,
        hint: Some("scroll"),
        help: "scroll right",
    },
    Binding {
        keys: &[key(KeyCode::Left), ch('h')],
        action: Action::ScrollLeft,
        scope: Scope::View(VIEWER),
        label: None,
        hint: None,
        help: "scroll left (back at the left edge)",
    },
];

/// The shared keys a view binds to something else of its own: in the
/// viewer, `←`/`→`/`h`/`l` scroll sideways (`←` at the left edge still
/// goes back).
pub const SHADOWED: &[(&str, KeyCode)] = &[
    (VIEWER, KeyCode::Left),
    (VIEWER, KeyCode::Right),
    (VIEWER, KeyCode::Char('h')),
    (VIEWER, KeyCode::Char('l')),
];

/// Looks up the action for a key press; `None` for unbound keys and key
/// releases. A key bound in several views' scopes gives the first binding;
/// the app uses [`action_in`] with the active view's scopes.
pub fn action_for(event: &KeyEvent) -> Option<Action> {
    action_in(event, None)
}

/// Looks up the action for a key press in a view with these scopes: a key
/// bound by several views (`r`) means what the active view binds it to, and
/// a view's own binding comes before a shared one (the viewer's `←`/`→`
/// scroll, where lists go back and open; see [`SHADOWED`]).
pub fn action_in(event: &KeyEvent, scopes: Option<&[Scope]>) -> Option<Action> {
    if event.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = event.modifiers.contains(KeyModifiers::CONTROL);
    let applies = |b: &Binding| match (b.scope, scopes) {
        (Scope::View(_), Some(s)) => s.contains(&b.scope),
        _ => true,
    };
    let own = BINDINGS
        .iter()
        .filter(|b| scopes.is_some() && matches!(b.scope, Scope::View(_)));
    let shared = BINDINGS
        .iter()
        .filter(|b| scopes.is_none() || !matches!(b.scope, Scope::View(_)));
    for b in own.chain(shared).filter(|b| applies(b)) {
        for k in b.keys {
            if k.code == event.code && k.ctrl == ctrl {
                if let (Action::GoView(_), KeyCode::Char(c)) = (b.action, k.code) {
                    let n = c.to_digit(10).unwrap_or(1) as usize;
                    return Some(Action::GoView(n.saturating_sub(1)));
                }
                return Some(b.action);
            }
        }
    }
    None
}

/// The bindings that apply in a view with these scopes, in table order.
pub fn active(scopes: &[Scope]) -> impl Iterator<Item = &'static Binding> + '_ {
    BINDINGS
        .iter()
        .filter(move |b| b.scope == Scope::Global || scopes.contains(&b.scope))
}

/// Parses a key name as written in hints (`j`, `Enter`, `Ctrl-c`, `PgDn`,
/// `Shift-Tab`, `Down`): used by the headless mode and by tests.
pub fn parse_key(name: &str) -> Option<KeyEvent> {
    let (ctrl, rest) = match name.strip_prefix("Ctrl-") {
        Some(r) => (true, r),
        None => (false, name),
    };
    let code = match rest {
        "Enter" => KeyCode::Enter,
        "Esc" => KeyCode::Esc,
        "Tab" => KeyCode::Tab,
        "Shift-Tab" | "BackTab" => KeyCode::BackTab,
        "Up" | "↑" => KeyCode::Up,
        "Down" | "↓" => KeyCode::Down,
        "Left" | "←" => KeyCode::Left,
        "Right" | "→" => KeyCode::Right,
        "Home" => KeyCode::Home,
        "End" => KeyCode::End,
        "PgUp" => KeyCode::PageUp,
        "PgDn" => KeyCode::PageDown,
        "Backspace" => KeyCode::Backspace,
        "Space" => KeyCode::Char(' '),
        s => {
            let mut chars = s.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => KeyCode::Char(c),
                _ => return None,
            }
        }
    };
    let modifiers = if ctrl {
        KeyModifiers::CONTROL
    } else {
        KeyModifiers::NONE
    };
    Some(KeyEvent::new(code, modifiers))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn no_key_is_bound_twice() {
        // Global and list keys are unique; a view's own keys may repeat only
        // in another view's scope (`r`: reverse in Tensors, run in Smoke).
        let mut shared = HashSet::new();
        let mut per_view = HashSet::new();
        for b in BINDINGS
            .iter()
            .filter(|b| !matches!(b.scope, Scope::View(_)))
        {
            for k in b.keys {
                assert!(shared.insert((k.code, k.ctrl)), "{} bound twice", k.label());
            }
        }
        for b in BINDINGS
            .iter()
            .filter(|b| matches!(b.scope, Scope::View(_)))
        {
            for k in b.keys {
                let Scope::View(title) = b.scope else {
                    continue;
                };
                assert!(
                    !shared.contains(&(k.code, k.ctrl)) || SHADOWED.contains(&(title, k.code)),
                    "{} shadows",
                    k.label()
                );
                assert!(
                    per_view.insert((k.code, k.ctrl, b.scope)),
                    "{} bound twice",
                    k.label()
                );
            }
        }
    }

    #[test]
    fn a_view_key_means_what_the_active_view_binds() {
        let r = parse_key("r").unwrap();
        let tensors = [Scope::Lists, Scope::View(TENSORS)];
        let smoke = [Scope::View(SMOKE)];
        assert_eq!(action_in(&r, Some(&tensors)), Some(Action::SortReverse));
        assert_eq!(action_in(&r, Some(&smoke)), Some(Action::Run));
        assert_eq!(action_in(&r, Some(&[Scope::Lists])), None);
        assert_eq!(
            action_in(&parse_key("q").unwrap(), Some(&smoke)),
            Some(Action::Quit)
        );
    }

    #[test]
    fn every_label_parses_back_to_its_action() {
        for b in BINDINGS {
            for k in b.keys {
                let ev = parse_key(&k.label()).expect("label parses");
                let a = action_in(&ev, Some(&[Scope::Lists, b.scope])).expect("bound");
                match b.action {
                    Action::GoView(_) => assert!(matches!(a, Action::GoView(_))),
                    other => assert_eq!(a, other, "{}", k.label()),
                }
            }
        }
    }

    #[test]
    fn number_keys_pick_views_in_order() {
        assert_eq!(
            action_for(&parse_key("1").unwrap()),
            Some(Action::GoView(0))
        );
        assert_eq!(
            action_for(&parse_key("4").unwrap()),
            Some(Action::GoView(3))
        );
        assert_eq!(
            action_for(&parse_key("7").unwrap()),
            Some(Action::GoView(6))
        );
        assert_eq!(action_for(&parse_key("8").unwrap()), None);
    }

    #[test]
    fn shift_letters_and_ctrl_are_distinct() {
        let g = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(action_for(&g), Some(Action::Bottom));
        let c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(action_for(&c), Some(Action::Quit));
        let plain_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::NONE);
        assert_eq!(action_for(&plain_c), None);
    }
}
