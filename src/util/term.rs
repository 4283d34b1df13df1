//! Text for a terminal: model-supplied strings (tensor names, file names,
//! config values, license texts) may hold ESC, NUL, carriage returns or
//! bidirectional overrides, which a terminal would obey. The text and
//! Markdown renderers build their output with [`paint`] for their own
//! styles and pass it through [`safe`] once, at the end: every control
//! character becomes a visible `\u{..}` escape, and only the styles
//! [`paint`] wrote become real escape sequences again.
//!
//! A style is written as ESC followed by a per-process random mark, which
//! no model string can know in advance, so an ESC that a model file holds
//! is never taken for one of ours.

use std::fmt::Write;
use std::sync::OnceLock;

const ESC: char = '\u{1b}';

/// The random mark that follows ESC in the styles [`paint`] writes.
fn mark() -> &'static str {
    static MARK: OnceLock<String> = OnceLock::new();
    MARK.get_or_init(|| {
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        h.write_u32(std::process::id());
        format!("{:016x}", h.finish())
    })
}

/// `s` in the SGR style `code` (`1`, `31;1`, ...) when `color`, else `s`
/// unchanged. The result must go through [`safe`] before it is printed.
pub fn paint(color: bool, code: &str, s: &str) -> String {
    if color {
        let m = mark();
        format!("{ESC}{m}[{code}m{s}{ESC}{m}[0m")
    } else {
        s.to_string()
    }
}

/// Characters a terminal would act on rather than show: C0 controls other
/// than newline and tab, DEL, C1 controls, and the bidirectional
/// embeddings, overrides and isolates (which reorder what follows).
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}' | '\u{b}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` made safe to print: each unsafe character written as `\u{1b}`
/// (hex), except the ESC of a style written by [`paint`].
pub fn safe(text: &str) -> String {
    let m = mark();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        rest = &rest[c.len_utf8()..];
        if c == ESC {
            if let Some(after) = rest.strip_prefix(m) {
                out.push(ESC);
                rest = after;
                continue;
            }
        }
        if is_unsafe(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_from_models_are_shown_not_obeyed() {
        let name = "bad\u{1b}[2J\u{1b}]0;title\u{7}\u{0}\r\u{9b}\u{202e}x";
        assert_eq!(
            safe(name),
            "bad\\u{1b}[2J\\u{1b}]0;title\\u{7}\\u{0}\\u{d}\\u{9b}\\u{202e}x"
        );
        assert_eq!(safe("tab\tnew\nline é ✓"), "tab\tnew\nline é ✓");
    }

    #[test]
    fn only_our_own_styles_become_escape_sequences() {
        let text = format!("{} {}", paint(true, "1", "title"), "\u{1b}[31mred");
        assert_eq!(safe(&text), "\u{1b}[1mtitle\u{1b}[0m \\u{1b}[31mred");
        assert_eq!(safe(&paint(false, "1", "plain")), "plain");
    }
}
