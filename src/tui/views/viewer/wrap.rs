//! Long lines in the viewer: where a line breaks when wrapped, and the part
//! of a styled line that a sideways-scrolled screen shows. Widths are in
//! characters (a tab is shown as one space).

use ratatui::text::Span;

/// The rows of a line of `len` characters wrapped at `width`, as character
/// ranges: each row ends after the last space that fits, or at `width` when
/// a word is longer than a row. An empty line is one empty row.
pub fn rows(chars: &[char], width: usize) -> Vec<(usize, usize)> {
    let width = width.max(1);
    let mut out = Vec::new();
    let mut start = 0;
    while chars.len() - start > width {
        let limit = start + width;
        // Break after the last space within the row, if there is one past
        // the row's start.
        let end = (start + 1..=limit)
            .rev()
            .find(|&i| chars[i - 1] == ' ')
            .unwrap_or(limit);
        out.push((start, end));
        start = end;
    }
    out.push((start, chars.len()));
    out
}

/// How many rows a line of these characters takes at `width` (what
/// [`rows`] returns, counted without building it).
pub fn row_count(chars: &[char], width: usize) -> usize {
    if chars.len() <= width.max(1) {
        1
    } else {
        rows(chars, width).len()
    }
}

/// The characters `from..to` of a styled line, styles kept.
pub fn slice(spans: &[Span<'static>], from: usize, to: usize) -> Vec<Span<'static>> {
    let mut out = Vec::new();
    let mut at = 0;
    for s in spans {
        let n = s.content.chars().count();
        let (a, b) = (from.max(at), to.min(at + n));
        if a < b {
            let text: String = s.content.chars().skip(a - at).take(b - a).collect();
            out.push(Span::styled(text, s.style));
        }
        at += n;
        if at >= to {
            break;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::style::Style;

    fn wrapped(s: &str, width: usize) -> Vec<String> {
        let c: Vec<char> = s.chars().collect();
        rows(&c, width)
            .into_iter()
            .map(|(a, b)| c[a..b].iter().collect())
            .collect()
    }

    #[test]
    fn words_wrap_at_spaces_and_long_words_are_cut() {
        assert_eq!(
            wrapped("the monthly active users of the products", 16),
            ["the monthly ", "active users of ", "the products"]
        );
        assert_eq!(wrapped("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrapped("", 4), [""]);
        assert_eq!(wrapped("ab", 0), ["a", "b"]);
        let c: Vec<char> = "a b c d e f".chars().collect();
        assert_eq!(row_count(&c, 4), rows(&c, 4).len());
        // Every character is shown once, in order.
        let text = "700 million monthly active users in the preceding calendar month";
        for w in 1..20 {
            assert_eq!(wrapped(text, w).concat(), text, "width {w}");
        }
    }

    #[test]
    fn a_slice_keeps_styles_across_spans() {
        let bold = Style::new().add_modifier(ratatui::style::Modifier::BOLD);
        let spans = vec![Span::raw("héllo "), Span::styled("wörld", bold)];
        let s = slice(&spans, 4, 8);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].content, "o ");
        assert_eq!((s[1].content.as_ref(), s[1].style), ("wö", bold));
        assert!(slice(&spans, 20, 30).is_empty());
    }
}
