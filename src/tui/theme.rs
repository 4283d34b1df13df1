//! Styles. With colour off (NO_COLOR) every style is colourless and the
//! selection is still visible: it is always reverse video, never colour alone.

use crate::finding::Severity;
use ratatui::style::{Color, Modifier, Style};

/// The styles of one run: with or without colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    /// Whether colours are used at all.
    pub color: bool,
}

impl Theme {
    /// Colour unless `NO_COLOR` is set to a non-empty value.
    pub fn from_env() -> Theme {
        Theme {
            color: std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
        }
    }

    fn fg(&self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    /// The selected row: reverse video.
    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    /// Section titles and headers.
    pub fn title(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    /// Secondary text (units, notes).
    pub fn dim(&self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }

    /// Emphasis on a value.
    pub fn accent(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// Bars of the bar charts.
    pub fn bar(&self) -> Style {
        self.fg(Color::Blue)
    }

    /// A severity label.
    pub fn severity(&self, s: Severity) -> Style {
        match s {
            Severity::Error => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            Severity::Warning => self.fg(Color::Yellow),
            Severity::Info => self.fg(Color::Cyan),
        }
    }

    /// A license verdict badge: green when permitted, yellow with conditions
    /// or approval, red when commercial use is excluded or unknown. Without
    /// colour it is bold, and the view puts it in brackets.
    pub fn verdict(&self, v: crate::license::verdict::Verdict) -> Style {
        use crate::license::verdict::Verdict;
        let bold = Style::new().add_modifier(Modifier::BOLD);
        if !self.color {
            return bold;
        }
        let bg = match v {
            Verdict::Permitted => Color::Green,
            Verdict::PermittedWithConditions | Verdict::RequiresApproval => Color::Yellow,
            Verdict::NonCommercial
            | Verdict::ResearchOnly
            | Verdict::Prohibited
            | Verdict::Unknown => Color::Red,
        };
        bold.fg(Color::Black).bg(bg)
    }

    /// Lines a license obligation cites, in the file viewer: bold (and on
    /// a dark blue background with colour), marked by a bar in the gutter.
    pub fn cited(&self) -> Style {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        if self.color {
            bold.bg(Color::Indexed(17))
        } else {
            bold
        }
    }

    /// A search match inside text.
    pub fn matched(&self) -> Style {
        self.fg(Color::Yellow)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    /// JSON object keys.
    pub fn json_key(&self) -> Style {
        self.fg(Color::Blue)
    }

    /// JSON strings.
    pub fn json_string(&self) -> Style {
        self.fg(Color::Green)
    }

    /// JSON numbers.
    pub fn json_number(&self) -> Style {
        self.fg(Color::Magenta)
    }

    /// JSON `true`, `false`, `null`.
    pub fn json_literal(&self) -> Style {
        self.fg(Color::Yellow)
    }
}
