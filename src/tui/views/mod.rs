//! The views: one file per view, each with its own state, its own update
//! from actions, and a `draw` that only renders.
//!
//! Adding a view is one new file and one line in [`all`]; number keys follow
//! the order of that list.

pub mod adapter;
pub mod files;
pub mod findings;
pub mod license;
pub mod overview;
pub mod smoke;
pub mod tensors;
pub mod viewer;

use super::filter::Query;
use super::keys::{Action, Scope};
use super::theme::Theme;
use crate::report::Report;
use ratatui::layout::Rect;
use ratatui::Frame;

/// What views read while updating and drawing.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    /// The report being browsed.
    pub report: &'a Report,
    /// Styles.
    pub theme: Theme,
}

/// A place in another view that a row names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Jump {
    /// One tensor, by name (and shard when known).
    Tensor {
        /// The tensor name.
        name: String,
        /// The shard path, when known.
        shard: Option<String>,
    },
    /// The tensors of one safetensors file.
    Shard(String),
}

/// What an update asks the app to do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Nothing more: the view handled it.
    Done,
    /// The view did not use the action; the app may (Back returns from a jump).
    Unhandled,
    /// Open a text file of the model in the viewer, at a line.
    Open {
        /// Path relative to the model root.
        path: String,
        /// 1-based line to show, if any.
        line: Option<u32>,
    },
    /// Open a text file of the model in the viewer with the 1-based lines
    /// `start..=end` highlighted and scrolled into view (a cited clause).
    OpenLines {
        /// Path relative to the model root.
        path: String,
        /// First line.
        start: u32,
        /// Last line.
        end: u32,
    },
    /// Show the metadata of a GGUF file in the viewer, at a key.
    OpenMetadata {
        /// The GGUF file, relative to the model root.
        path: String,
        /// The key to select (`general.license`), if any.
        key: Option<String>,
    },
    /// Switch to the view that accepts this jump.
    Jump(Jump),
    /// Show a one-line message in the status bar.
    Status(String),
}

/// One screen of the browser.
pub trait View {
    /// The name in the tab bar.
    fn title(&self) -> &'static str;

    /// Which scoped bindings apply here (besides the global ones).
    fn scopes(&self) -> &'static [Scope] {
        &[Scope::Lists]
    }

    /// Whether `/` searches here.
    fn searchable(&self) -> bool {
        true
    }

    /// Applies an action.
    fn update(&mut self, action: Action, ctx: &Ctx) -> Effect;

    /// Sets (or clears) the search query; called on every keystroke of the search line.
    fn set_query(&mut self, _query: Option<Query>, _ctx: &Ctx) {}

    /// The current search query.
    fn query(&self) -> Option<&Query> {
        None
    }

    /// Rows the view lists now (0 for views without a list).
    fn rows(&self) -> usize {
        0
    }

    /// A label for the selected row (a tensor or file name), if any.
    fn selected(&self, _ctx: &Ctx) -> Option<String> {
        None
    }

    /// A mark on the view's tab, seen from every view (the smoke test
    /// running, passed or failed).
    fn tab_mark(&self) -> Option<&'static str> {
        None
    }

    /// Whether Enter on the selected row leads somewhere (the hint bar
    /// offers it only then).
    fn can_open(&self, _ctx: &Ctx) -> bool {
        true
    }

    /// The search's matches: the 1-based position of the selection among
    /// them (0 when it is not on one) and their number; `None` without a
    /// search. The search line and the view's head show it.
    fn search_count(&self, _ctx: &Ctx) -> Option<(usize, usize)> {
        None
    }

    /// Takes a jump from another view; returns whether this view shows it now.
    fn accept(&mut self, _jump: &Jump, _ctx: &Ctx) -> bool {
        false
    }

    /// Takes in what background work reported since the last call (the
    /// event loop calls it before every draw); returns whether anything changed.
    fn tick(&mut self) -> bool {
        false
    }

    /// Whether background work is running, so the loop should redraw often.
    fn busy(&self) -> bool {
        false
    }

    /// Renders into `area`. Draws only; state changes happen in `update`.
    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx);
}

/// The views of this report, in tab order. The Adapter view comes last and
/// only for adapters, so the other views keep their numbers.
pub fn all(report: &Report) -> Vec<Box<dyn View>> {
    let mut views: Vec<Box<dyn View>> = vec![
        Box::new(overview::Overview),
        Box::new(files::Files::new(report)),
        Box::new(tensors::Tensors::new(report)),
        Box::new(findings::Findings::new(report)),
        Box::new(license::License::new(report)),
        Box::new(smoke::Smoke::default()),
    ];
    if report.adapter.is_some() {
        views.push(Box::new(adapter::Adapter::new(report)));
    }
    views
}

/// Where Enter on a file of the model leads: the tensors of a weights file
/// with a readable header, the viewer for any other file (at `line`), or
/// why it leads nowhere (not in the model, on the Hub only, binary).
pub fn open_file(r: &Report, path: &str, line: Option<u32>) -> Result<Effect, String> {
    use crate::scan::classify::FileClass;
    let Some(file) = r.files.iter().find(|f| f.path == path) else {
        return Err(format!("{path} is not in the model directory"));
    };
    if file.remote_only {
        return Err(format!("{path} is on the Hub only: not downloaded"));
    }
    if file.lfs_pointer.is_some() {
        return Ok(Effect::Open {
            path: path.to_string(),
            line,
        });
    }
    if r.weights.shards.iter().any(|s| s.path == path) {
        return Ok(Effect::Jump(Jump::Shard(path.to_string())));
    }
    if path.ends_with(".safetensors") {
        return Err(format!("{path} has no readable header"));
    }
    if matches!(
        file.class,
        FileClass::Pickle | FileClass::Gguf | FileClass::Onnx
    ) {
        return Err(format!(
            "{path} is a binary {} file: not opened",
            file.class.as_str()
        ));
    }
    Ok(Effect::Open {
        path: path.to_string(),
        line,
    })
}

/// Whether a tensor of this name is in a shard (in `shard` when given).
pub fn tensor_exists(r: &Report, name: &str, shard: Option<&str>) -> bool {
    r.weights
        .shards
        .iter()
        .filter(|s| shard.is_none_or(|p| s.path == p))
        .any(|s| s.tensors.iter().any(|t| t.info.name == name))
}

/// What the detail lines say Enter does.
pub fn enter_label(effect: &Effect) -> Option<String> {
    Some(match effect {
        Effect::Jump(Jump::Tensor { name, .. }) => format!("Enter: show tensor {name}"),
        Effect::Jump(Jump::Shard(p)) => format!("Enter: show the tensors of {p}"),
        Effect::Open {
            path,
            line: Some(l),
        } => format!("Enter: open {path} at line {l}"),
        Effect::Open { path, line: None } => format!("Enter: open {path}"),
        Effect::OpenLines { path, start, end } if end > start => {
            format!("Enter: open {path} at lines {start}-{end}")
        }
        Effect::OpenLines { path, start, .. } => format!("Enter: open {path} at line {start}"),
        Effect::OpenMetadata { path, key } => match key {
            Some(k) => format!("Enter: show {k} in the metadata of {path}"),
            None => format!("Enter: show the metadata of {path}"),
        },
        _ => return None,
    })
}

/// Each text wrapped at `width` (the viewer's word wrap: every character
/// kept), its rows in its style.
pub fn wrap_lines(
    items: &[(String, ratatui::style::Style)],
    width: usize,
) -> Vec<ratatui::text::Line<'static>> {
    let mut out = Vec::new();
    for (text, style) in items {
        let chars: Vec<char> = text.chars().collect();
        for (a, b) in viewer::wrap::rows(&chars, width) {
            out.push(ratatui::text::Line::styled(
                chars[a..b].iter().collect::<String>(),
                *style,
            ));
        }
    }
    out
}

/// Styled lines wrapped at `width` (the viewer's word wrap), styles kept
/// across the breaks; a line's own style carries over to its rows.
pub fn wrap_styled(
    lines: Vec<ratatui::text::Line<'static>>,
    width: usize,
) -> Vec<ratatui::text::Line<'static>> {
    let mut out = Vec::new();
    for line in lines {
        let chars: Vec<char> = line.spans.iter().flat_map(|s| s.content.chars()).collect();
        for (a, b) in viewer::wrap::rows(&chars, width) {
            out.push(
                ratatui::text::Line::from(viewer::wrap::slice(&line.spans, a, b)).style(line.style),
            );
        }
    }
    out
}

/// Shortens `s` to `width` characters, keeping the end (`…ers.0.q_proj.weight`).
pub fn truncate_left(s: &str, width: usize) -> String {
    let n = s.chars().count();
    if n <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let skip = n - (width - 1);
    let mut out = String::from("…");
    out.extend(s.chars().skip(skip));
    out
}

/// Shortens `s` to `width` characters, keeping the start (`model.layers.0…`).
pub fn truncate_right(s: &str, width: usize) -> String {
    let n = s.chars().count();
    if n <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let mut out: String = s.chars().take(width - 1).collect();
    out.push('…');
    out
}

/// A horizontal bar `width` cells wide filled to `fraction`, in eighths of a cell.
pub fn bar(fraction: f64, width: usize) -> String {
    const PARTS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    let f = if fraction.is_finite() {
        fraction.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let eighths = (f * width as f64 * 8.0).round() as usize;
    let full = eighths / 8;
    let mut out = "█".repeat(full.min(width));
    if full < width {
        let rem = eighths % 8;
        if rem > 0 {
            out.push(PARTS[rem]);
        }
    }
    let used = out.chars().count();
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
    out
}

/// Shortens `path` to `width` characters so that it differs from every
/// other path of `all` shortened the same way: the start and the end kept
/// around a `…`, as much of the end as keeps it distinct (a shard's number,
/// a file's extension), the rest from the start.
pub fn distinct_path(path: &str, width: usize, all: &[String]) -> String {
    let chars: Vec<char> = path.chars().collect();
    if chars.len() <= width {
        return path.to_string();
    }
    if width < 2 {
        return truncate_left(path, width);
    }
    let keep = width - 1;
    let label = |tail: usize| {
        let head: String = chars[..keep - tail].iter().collect();
        let end: String = chars[chars.len() - tail..].iter().collect();
        (head, end)
    };
    // The most of the end first (the left cut), then less, until no other
    // path shows the same.
    for tail in (1..=keep).rev() {
        let (head, end) = label(tail);
        let clash = all
            .iter()
            .any(|q| q != path && q.starts_with(&head) && q.ends_with(&end));
        if !clash {
            return format!("{head}…{end}");
        }
    }
    truncate_left(path, width)
}

/// The shard path as shown in narrow columns: without `.safetensors`.
pub fn short_shard(path: &str) -> &str {
    path.strip_suffix(".safetensors").unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_keeps_the_named_end() {
        assert_eq!(truncate_left("abcdef", 4), "…def");
        assert_eq!(truncate_left("abc", 4), "abc");
        assert_eq!(truncate_right("abcdef", 4), "abc…");
        assert_eq!(truncate_right("abcdef", 0), "");
    }

    #[test]
    fn shortened_paths_stay_distinct() {
        let all: Vec<String> = [
            "a/tokenizer_config.json",
            "b/tokenizer_config.json",
            "x.json",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let a = distinct_path(&all[0], 12, &all);
        let b = distinct_path(&all[1], 12, &all);
        assert_ne!(a, b);
        assert_eq!(a.chars().count(), 12);
        assert!(a.starts_with('a') && b.starts_with('b'), "{a} {b}");
        assert_eq!(distinct_path("x.json", 12, &all), "x.json");
        // Alone, a path keeps its end.
        assert_eq!(distinct_path(&all[0], 12, &[]), "…config.json");
        let shards: Vec<String> = (1..=3)
            .map(|i| format!("model-0000{i}-of-00003.safetensors"))
            .collect();
        let labels: std::collections::HashSet<String> = shards
            .iter()
            .map(|p| distinct_path(p, 16, &shards))
            .collect();
        assert_eq!(labels.len(), 3, "{labels:?}");
    }

    #[test]
    fn bars_fill_in_eighths() {
        assert_eq!(bar(1.0, 4), "████");
        assert_eq!(bar(0.0, 4), "    ");
        assert_eq!(bar(0.5, 4), "██  ");
        assert_eq!(bar(0.5 + 1.0 / 32.0, 4), "██▏ ");
        assert_eq!(bar(f64::NAN, 2), "  ");
        assert_eq!(bar(7.0, 2), "██");
    }
}
