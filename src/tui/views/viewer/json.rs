//! JSON in the viewer: colouring one line, and laying out minified JSON one
//! value per line. The layout works token by token on the text as read (no
//! parse), so a file cut at the viewer's cap is laid out too, every token
//! keeps its exact spelling, and each line of the file maps to the line of
//! the layout where its first token landed.

use crate::tui::theme::Theme;
use ratatui::style::Style;
use ratatui::text::Span;

/// A line of the file holding more tokens than this marks the file as
/// minified (a pretty-printed file has one or two per line; a long string,
/// such as a chat template, is one token).
const MINIFIED_TOKENS: usize = 64;

/// Splits one line of JSON into coloured spans. Pretty-printed JSON never
/// continues a string across lines, so a line is coloured on its own.
pub fn json_spans(line: &str, t: Theme) -> Vec<Span<'static>> {
    let mut out = Vec::new();
    let b = line.as_bytes();
    let mut plain_start = 0;
    let mut i = 0;
    let flush = |out: &mut Vec<Span<'static>>, from: usize, to: usize| {
        if to > from {
            out.push(Span::raw(line[from..to].to_string()));
        }
    };
    while i < b.len() {
        let c = b[i];
        let (end, style): (usize, Style) = if c == b'"' {
            let end = string_end(b, i);
            let rest = line[end..].trim_start();
            let style = if rest.starts_with(':') {
                t.json_key()
            } else {
                t.json_string()
            };
            (end, style)
        } else if c == b'-' || c.is_ascii_digit() {
            let mut j = i + 1;
            while j < b.len() && (b[j].is_ascii_digit() || b".eE+-".contains(&b[j])) {
                j += 1;
            }
            (j, t.json_number())
        } else if let Some(lit) = ["true", "false", "null"]
            .iter()
            .find(|l| b[i..].starts_with(l.as_bytes()))
        {
            (i + lit.len(), t.json_literal())
        } else {
            i += 1;
            continue;
        };
        flush(&mut out, plain_start, i);
        out.push(Span::styled(line[i..end].to_string(), style));
        i = end;
        plain_start = end;
    }
    flush(&mut out, plain_start, b.len());
    out
}

/// The byte after the string starting with the quote at `start` (the end of
/// the text for an unterminated string). Always a character boundary: it
/// follows an ASCII quote or is the end.
fn string_end(b: &[u8], start: usize) -> usize {
    let mut j = start + 1;
    while j < b.len() && b[j] != b'"' {
        j += if b[j] == b'\\' { 2 } else { 1 };
    }
    (j + 1).min(b.len())
}

/// One token of JSON text: a string, a run of other characters (numbers,
/// literals, anything unexpected), or one of `{}[],:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    Open(u8),
    Close(u8),
    Comma,
    Colon,
    Atom,
}

/// The tokens of `text` as (kind, byte range, 0-based line of the file).
fn tokens(text: &str) -> Vec<(Tok, usize, usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let (mut i, mut line) = (0, 0);
    while i < b.len() {
        let c = b[i];
        let (kind, end) = match c {
            b'\n' => {
                line += 1;
                i += 1;
                continue;
            }
            c if c.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            b'{' | b'[' => (Tok::Open(c), i + 1),
            b'}' | b']' => (Tok::Close(c), i + 1),
            b',' => (Tok::Comma, i + 1),
            b':' => (Tok::Colon, i + 1),
            b'"' => (Tok::Atom, string_end(b, i)),
            _ => {
                let mut j = i + 1;
                while j < b.len() && !b" \t\r\n{}[],:\"".contains(&b[j]) {
                    j += 1;
                }
                (Tok::Atom, j)
            }
        };
        out.push((kind, i, end, line));
        // A string may hold raw newlines in malformed text: count them.
        line += text[i..end].bytes().filter(|&c| c == b'\n').count();
        i = end;
    }
    out
}

/// Whether `text` looks minified: some line holds many tokens.
pub fn is_minified(text: &str) -> bool {
    let mut per_line = 0usize;
    let mut last_line = 0usize;
    for (_, _, _, line) in tokens(text) {
        if line != last_line {
            last_line = line;
            per_line = 0;
        }
        per_line += 1;
        if per_line > MINIFIED_TOKENS {
            return true;
        }
    }
    false
}

/// JSON laid out with one value per line, two spaces per level (empty
/// objects and arrays stay `{}` and `[]`), and for each line of the
/// original text (0-based) the 0-based line of the layout where its first
/// token is (a line without tokens: where the next token is).
pub fn reindent(text: &str) -> (String, Vec<usize>) {
    let toks = tokens(text);
    let original_lines = text.bytes().filter(|&c| c == b'\n').count() + 1;
    let mut first: Vec<Option<usize>> = vec![None; original_lines];
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let (mut depth, mut line) = (0usize, 0usize);
    let newline = |out: &mut String, line: &mut usize, depth: usize| {
        out.push('\n');
        *line += 1;
        out.extend(std::iter::repeat_n("  ", depth));
    };
    let mut k = 0;
    while k < toks.len() {
        let (kind, s, e, at) = toks[k];
        if let Some(slot) = first.get_mut(at) {
            slot.get_or_insert(line);
        }
        match kind {
            Tok::Open(c) => {
                let close = if c == b'{' { b'}' } else { b']' };
                if toks.get(k + 1).is_some_and(|t| t.0 == Tok::Close(close)) {
                    out.push_str(if c == b'{' { "{}" } else { "[]" });
                    k += 2;
                    continue;
                }
                out.push(c as char);
                depth += 1;
                newline(&mut out, &mut line, depth);
            }
            Tok::Close(c) => {
                depth = depth.saturating_sub(1);
                newline(&mut out, &mut line, depth);
                out.push(c as char);
            }
            Tok::Comma => {
                out.push(',');
                newline(&mut out, &mut line, depth);
            }
            Tok::Colon => out.push_str(": "),
            Tok::Atom => out.push_str(&text[s..e]),
        }
        k += 1;
    }
    // Lines without a token take the next token's line (the last line's
    // when none follows).
    let mut next = line;
    let map = first
        .iter()
        .rev()
        .map(|f| {
            if let Some(l) = f {
                next = *l;
            }
            next
        })
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    (out, map)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(line: &str) -> Vec<(String, bool)> {
        json_spans(line, Theme { color: true })
            .into_iter()
            .map(|s| (s.content.to_string(), s.style.fg.is_some()))
            .collect()
    }

    #[test]
    fn json_line_is_split_into_tokens() {
        let spans = json_spans(
            r#"  "hidden_size": 32, "name": "a\"b", "x": null"#,
            Theme { color: true },
        );
        let text: String = spans.iter().map(|s| s.content.as_ref()).collect();
        assert_eq!(text, r#"  "hidden_size": 32, "name": "a\"b", "x": null"#);
        let t = Theme { color: true };
        assert_eq!(spans[1].content, "\"hidden_size\"");
        assert_eq!(spans[1].style, t.json_key());
        assert_eq!(spans[3].content, "32");
        assert_eq!(spans[3].style, t.json_number());
        assert!(spans
            .iter()
            .any(|s| s.content == "\"a\\\"b\"" && s.style == t.json_string()));
        assert!(spans
            .iter()
            .any(|s| s.content == "null" && s.style == t.json_literal()));
    }

    #[test]
    fn unterminated_string_does_not_panic() {
        let k = kinds(r#""abc\"#);
        assert_eq!(k.len(), 1);
        assert!(kinds("").is_empty());
    }

    #[test]
    fn minified_json_is_laid_out_one_value_per_line() {
        let (text, map) = reindent(r#"{"a":1,"b":[],"c":{"d":"x,y:{"},"e":[true,null]}"#);
        assert_eq!(
            text,
            "{\n  \"a\": 1,\n  \"b\": [],\n  \"c\": {\n    \"d\": \"x,y:{\"\n  },\n  \"e\": [\n    true,\n    null\n  ]\n}"
        );
        assert_eq!(map, vec![0]);
        // The layout of the layout is itself.
        assert_eq!(reindent(&text).0, text);
    }

    #[test]
    fn each_original_line_maps_to_where_its_first_token_went() {
        // Line 0 opens, line 1 has two keys, line 2 is blank, line 3 has the third.
        let src = "{\n\"a\": 1, \"b\": 2,\n\n\"c\": [3, 4]}\n";
        let (text, map) = reindent(src);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[map[1]], "  \"a\": 1,");
        assert_eq!(lines[map[3]], "  \"c\": [");
        assert_eq!(map[2], map[3], "a blank line takes the next token's");
        assert_eq!(map.len(), 5);
    }

    #[test]
    fn cut_or_broken_json_is_laid_out_without_a_panic() {
        for src in [
            r#"{"a": [1, 2, {"b": "unterminated"#,
            "}}]]",
            "",
            "{",
            r#""\"#,
        ] {
            let (text, map) = reindent(src);
            assert!(!map.is_empty(), "{src}: {text}");
        }
        let (text, _) = reindent(r#"{"model": {"vocab": {"a": 0, "b"#);
        assert!(text.ends_with("\"b"), "{text}");
    }

    #[test]
    fn only_dense_lines_count_as_minified() {
        let dense = format!(
            "{{{}}}",
            (0..100)
                .map(|i| format!("\"k{i}\":{i}"))
                .collect::<Vec<_>>()
                .join(",")
        );
        assert!(is_minified(&dense));
        let template = format!("{{\n  \"chat_template\": \"{}\"\n}}", "x".repeat(5000));
        assert!(!is_minified(&template));
    }
}
