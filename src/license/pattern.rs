//! How the license readers build their patterns: ASCII classes, a word
//! character widened to any non-ASCII character. A Unicode `\w`, `\s` or
//! `\b` inside a bounded repetition compiles to an automaton that took tens
//! of milliseconds at every run that read a license.

use regex::Regex;

/// A clause pattern built with ASCII classes (a word character widened to any
/// non-ASCII character): fast to compile, unlike Unicode `\w` in bounded
/// repetitions. The patterns are constants, checked by the tests.
pub fn re(p: &str) -> Regex {
    // The patterns are constants checked by the tests below. They are built
    // with ASCII classes: `\w`, `\s`, `\d` and `\b` over Unicode compile to
    // automata that took about 60 ms to build at every run that read a
    // license. A word character is widened to any non-ASCII character as well
    // (see `widen_words`), so that a word such as `modèle` is still one word.
    regex::RegexBuilder::new(&widen_words(p))
        .unicode(false)
        .build()
        .unwrap_or_else(|e| panic!("clause pattern {p:?}: {e}"))
}

/// Any character beyond ASCII, as a (cheap) Unicode class.
pub const NON_ASCII: &str = r"(?u:[^\x00-\x7F])";

/// Rewrites `\w`, and every bracket class that holds it, to also match any
/// non-ASCII character: the normaliser folds quotes and dashes to ASCII, so
/// what is left beyond ASCII is letters of words. Negated classes holding
/// `\w` are not supported (none of the patterns has one; a test checks).
pub fn widen_words(p: &str) -> String {
    let mut out = String::with_capacity(p.len() * 2);
    let mut class: Option<String> = None;
    let mut widen_class = false;
    let mut chars = p.chars();
    while let Some(c) = chars.next() {
        let piece = if c == '\\' {
            let escaped = chars.next();
            if escaped == Some('w') {
                if class.is_some() {
                    widen_class = true;
                } else {
                    out.push_str(&format!(r"(?:\w|{NON_ASCII})"));
                    continue;
                }
            }
            let mut piece = String::from('\\');
            piece.extend(escaped);
            piece
        } else {
            c.to_string()
        };
        match class.as_mut() {
            Some(buf) => {
                let closes = c == ']' && buf.len() > 1 && buf != "[^";
                buf.push_str(&piece);
                if closes {
                    let buf = class.take().unwrap_or_default();
                    if widen_class {
                        out.push_str(&format!("(?:{buf}|{NON_ASCII})"));
                    } else {
                        out.push_str(&buf);
                    }
                }
            }
            None if c == '[' => {
                class = Some(piece);
                widen_class = false;
            }
            None => out.push_str(&piece),
        }
    }
    out.push_str(&class.unwrap_or_default());
    out
}
