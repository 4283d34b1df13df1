//! How the license readers build their patterns: ASCII classes, a word
//! character widened to any non-ASCII character, compiled without the
//! literal prefilter. A Unicode `\w`, `\s` or `\b` inside a bounded
//! repetition compiles to an automaton that took tens of milliseconds at
//! every run that read a license; the prefilter's literal extraction took a
//! third of what was left (about 100 patterns are built at each run that
//! reads a text mri does not know, and the sentences they search are short).

use std::borrow::Cow;

use regex_automata::meta;
use regex_automata::util::syntax;

/// A clause pattern: the `regex` crate's engine, built for start-up (no
/// literal prefilter, no full DFA), with the part of `regex::Regex`'s
/// interface the readers use.
#[derive(Debug, Clone)]
pub struct Regex {
    re: meta::Regex,
}

/// The error of a pattern that does not compile.
pub type Error = Box<meta::BuildError>;

impl Regex {
    /// Compiles `p` with Unicode classes (as `regex::Regex::new` does).
    pub fn new(p: &str) -> Result<Regex, Error> {
        Self::build(p, true)
    }

    fn build(p: &str, unicode: bool) -> Result<Regex, Error> {
        let config = meta::Config::new().auto_prefilter(false).dfa(false);
        meta::Regex::builder()
            .configure(config)
            .syntax(syntax::Config::new().unicode(unicode))
            .build(p)
            .map(|re| Regex { re })
            .map_err(Box::new)
    }

    /// Whether the pattern matches anywhere in `hay`.
    pub fn is_match(&self, hay: &str) -> bool {
        self.re.is_match(hay)
    }

    /// The leftmost-first match in `hay`.
    pub fn find<'h>(&self, hay: &'h str) -> Option<Match<'h>> {
        self.re.find(hay).map(|m| Match::new(hay, m.range()))
    }

    /// Every non-overlapping match in `hay`, left to right.
    pub fn find_iter<'r, 'h>(&'r self, hay: &'h str) -> impl Iterator<Item = Match<'h>> + 'r
    where
        'h: 'r,
    {
        self.re
            .find_iter(hay)
            .map(move |m| Match::new(hay, m.range()))
    }

    /// The groups of the leftmost-first match in `hay`.
    pub fn captures<'h>(&self, hay: &'h str) -> Option<Captures<'h>> {
        let mut caps = self.re.create_captures();
        self.re.captures(hay, &mut caps);
        caps.is_match().then_some(Captures { hay, caps })
    }

    /// The groups of every non-overlapping match in `hay`.
    pub fn captures_iter<'r, 'h>(&'r self, hay: &'h str) -> impl Iterator<Item = Captures<'h>> + 'r
    where
        'h: 'r,
    {
        self.re
            .captures_iter(hay)
            .map(move |caps| Captures { hay, caps })
    }

    /// `hay` with every match replaced by `with` (taken literally).
    pub fn replace_all<'h>(&self, hay: &'h str, with: &str) -> Cow<'h, str> {
        let mut out = String::new();
        let mut last = 0;
        for m in self.re.find_iter(hay) {
            out.push_str(&hay[last..m.start()]);
            out.push_str(with);
            last = m.end();
        }
        if last == 0 && out.is_empty() {
            return Cow::Borrowed(hay);
        }
        out.push_str(&hay[last..]);
        Cow::Owned(out)
    }
}

/// A match: its place in the searched text and the text it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match<'h> {
    hay: &'h str,
    start: usize,
    end: usize,
}

impl<'h> Match<'h> {
    fn new(hay: &'h str, range: std::ops::Range<usize>) -> Match<'h> {
        Match {
            hay,
            start: range.start,
            end: range.end,
        }
    }

    /// The byte offset where the match starts.
    pub fn start(&self) -> usize {
        self.start
    }

    /// The byte offset just past the match.
    pub fn end(&self) -> usize {
        self.end
    }

    /// The byte range of the match.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start..self.end
    }

    /// The matched text (patterns are built for UTF-8, so a match never
    /// splits a character).
    pub fn as_str(&self) -> &'h str {
        self.hay.get(self.start..self.end).unwrap_or_default()
    }
}

/// The groups of one match.
#[derive(Debug, Clone)]
pub struct Captures<'h> {
    hay: &'h str,
    caps: regex_automata::util::captures::Captures,
}

impl<'h> Captures<'h> {
    /// Group `i` (0 is the whole match), where it took part in the match.
    pub fn get(&self, i: usize) -> Option<Match<'h>> {
        self.caps
            .get_group(i)
            .map(|span| Match::new(self.hay, span.range()))
    }

    /// The named group `name`, where it took part in the match.
    pub fn name(&self, name: &str) -> Option<Match<'h>> {
        self.caps
            .get_group_by_name(name)
            .map(|span| Match::new(self.hay, span.range()))
    }
}

/// A clause pattern built with ASCII classes (a word character widened to any
/// non-ASCII character): fast to compile, unlike Unicode `\w` in bounded
/// repetitions. The patterns are constants, checked by the tests.
pub fn re(p: &str) -> Regex {
    // The patterns are constants checked by the tests below. They are built
    // with ASCII classes: `\w`, `\s`, `\d` and `\b` over Unicode compile to
    // automata that took about 60 ms to build at every run that read a
    // license. A word character is widened to any non-ASCII character as well
    // (see `widen_words`), so that a word such as `modèle` is still one word.
    Regex::build(&widen_words(p), false).unwrap_or_else(|e| panic!("clause pattern {p:?}: {e}"))
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
