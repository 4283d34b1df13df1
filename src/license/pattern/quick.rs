//! The required literals of a pattern read from its text, without parsing
//! it into `regex-syntax`'s forms (which costs more than the search the
//! gate saves): the same clauses `literals` reads from the parsed form — a
//! run of literal characters in a concatenation, the clauses of a group
//! that must match at least once, the union of one clause of each branch
//! of an alternation — for the subset of the syntax the clause patterns
//! use. Anything else (a flag that changes how literals match, an escape
//! of a control character, a syntax error) gives `None`, and the caller
//! parses the pattern instead.
//!
//! The pattern is first read into its [`Skeleton`]: its literal runs in
//! the order every match holds them, with its alternations; the clauses
//! are read from the skeleton, and `order` checks the skeleton itself
//! against a text (the literals in their order).
//!
//! The pattern read here is the one written in the source, before words
//! are widened (`super::widen_words`): widening rewrites classes only, so
//! its literal characters, and the structure around them, are the
//! compiled pattern's.

use super::literals::{best, Clause};

/// The literals every match of a pattern holds, in order: a match of a
/// [`Skeleton::Seq`] holds a match of each part, left to right and not
/// overlapping; a match of a [`Skeleton::Alt`] holds a match of one of its
/// branches. What may be skipped (an optional group, a class, a
/// look-around) is left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Skeleton {
    /// A run of literal characters (UTF-8), never empty.
    Lit(Box<[u8]>),
    /// Parts in the order a match holds them.
    Seq(Vec<Skeleton>),
    /// Branches, one of which every match holds (two or more).
    Alt(Vec<Skeleton>),
}

/// The candidate clauses of `p` (unfiltered), or `None` where `p` uses
/// syntax this reader does not know.
pub(super) fn clauses(p: &str) -> Option<Vec<Clause>> {
    let owned = |c: Vec<&[u8]>| c.into_iter().map(Box::from).collect();
    Some(skeleton(p)?.clauses().into_iter().map(owned).collect())
}

/// The skeleton of `p`, or `None` where `p` uses syntax this reader does
/// not know.
pub(super) fn skeleton(p: &str) -> Option<Skeleton> {
    let mut s = Scanner { p, at: 0 };
    let out = s.alternation()?;
    (s.at == p.len()).then_some(out)
}

impl Skeleton {
    /// The clauses the skeleton gives: one per literal run of a sequence,
    /// those of each part in order, and for an alternation the union of
    /// the best clause of each branch (none where a branch has none).
    pub(super) fn clauses(&self) -> Vec<Vec<&[u8]>> {
        match self {
            Skeleton::Lit(run) => vec![vec![&run[..]]],
            Skeleton::Seq(parts) => parts.iter().flat_map(Skeleton::clauses).collect(),
            Skeleton::Alt(branches) => {
                let mut union = Vec::new();
                for branch in branches {
                    match best(branch.clauses()) {
                        Some(c) => union.extend(c),
                        None => return Vec::new(),
                    }
                }
                vec![union]
            }
        }
    }
}

/// What one atom of a concatenation is, for the literals.
enum Atom {
    /// A literal character.
    Literal(char),
    /// A group, with its skeleton.
    Group(Skeleton),
    /// A class, a look-around or an empty flag group: no literal.
    Other,
}

struct Scanner<'p> {
    p: &'p str,
    at: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> Option<char> {
        // most of a pattern is ASCII: no decoding for it
        match *self.p.as_bytes().get(self.at)? {
            b if b.is_ascii() => Some(char::from(b)),
            _ => self.p.get(self.at..)?.chars().next(),
        }
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.at += c.len_utf8();
        Some(c)
    }

    /// Branches separated by `|`, up to a `)` or the end (not taken).
    fn alternation(&mut self) -> Option<Skeleton> {
        let mut branches = vec![self.concat()?];
        while self.peek() == Some('|') {
            self.bump();
            branches.push(self.concat()?);
        }
        Some(if branches.len() == 1 {
            branches.pop().unwrap_or(Skeleton::Seq(Vec::new()))
        } else {
            Skeleton::Alt(branches)
        })
    }

    /// Atoms, each perhaps repeated, up to a `|`, a `)` or the end.
    fn concat(&mut self) -> Option<Skeleton> {
        let mut out = Vec::new();
        let mut run = String::new();
        let flush = |run: &mut String, out: &mut Vec<Skeleton>| {
            if !run.is_empty() {
                out.push(Skeleton::Lit(Box::from(run.as_bytes())));
                run.clear();
            }
        };
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom()?;
            let min = self.repetition()?;
            match atom {
                Atom::Literal(c) if min.is_none() => run.push(c),
                Atom::Literal(c) => {
                    flush(&mut run, &mut out);
                    if min.is_some_and(|m| m >= 1) {
                        out.push(Skeleton::Lit(Box::from(c.to_string().as_bytes())));
                    }
                }
                Atom::Group(inner) => {
                    flush(&mut run, &mut out);
                    if min.is_none_or(|m| m >= 1) {
                        out.push(inner);
                    }
                }
                Atom::Other => flush(&mut run, &mut out),
            }
        }
        flush(&mut run, &mut out);
        Some(Skeleton::Seq(out))
    }

    fn atom(&mut self) -> Option<Atom> {
        match self.bump()? {
            '\\' => self.escape(),
            '(' => self.group(),
            '[' => self.class().map(|()| Atom::Other),
            '.' | '^' | '$' => Some(Atom::Other),
            '*' | '+' | '?' | '{' | '|' | ')' => None,
            c => Some(Atom::Literal(c)),
        }
    }

    /// After a `\`.
    fn escape(&mut self) -> Option<Atom> {
        match self.bump()? {
            // look-arounds (`\b{start}` and the like: not read here)
            'b' | 'B' if self.peek() == Some('{') => None,
            'b' | 'B' | 'A' | 'z' | '<' | '>' => Some(Atom::Other),
            'w' | 'W' | 's' | 'S' | 'd' | 'D' => Some(Atom::Other),
            'p' | 'P' => {
                if self.bump()? == '{' {
                    while self.bump()? != '}' {}
                }
                Some(Atom::Other)
            }
            c if c.is_ascii_punctuation() => Some(Atom::Literal(c)),
            _ => None,
        }
    }

    /// After a `(`: the group and its closing `)`.
    fn group(&mut self) -> Option<Atom> {
        if self.peek() == Some('?') {
            self.bump();
            match self.bump()? {
                ':' => {}
                'P' if self.bump()? == '<' => while self.bump()? != '>' {},
                '<' => while self.bump()? != '>' {},
                first => {
                    // flags: only those that leave literals as they are
                    let mut c = first;
                    loop {
                        match c {
                            'u' | 's' | 'm' | 'U' | 'R' | '-' => {}
                            ':' => break,
                            ')' => return Some(Atom::Other),
                            _ => return None,
                        }
                        c = self.bump()?;
                    }
                }
            }
        }
        let inner = self.alternation()?;
        (self.bump()? == ')').then_some(Atom::Group(inner))
    }

    /// After a `[`: the class, up to its closing `]`.
    fn class(&mut self) -> Option<()> {
        if self.peek() == Some('^') {
            self.bump();
        }
        if self.peek() == Some(']') {
            self.bump();
        }
        loop {
            match self.bump()? {
                '\\' => {
                    self.bump()?;
                }
                '[' if self.peek() == Some(':') => {
                    while !(self.bump()? == ':' && self.peek() == Some(']')) {}
                    self.bump();
                }
                '[' => self.class()?,
                ']' => return Some(()),
                _ => {}
            }
        }
    }

    /// A repetition after an atom: `Some(None)` where there is none,
    /// `Some(Some(min))` for one (lazy or not), `None` where it is not
    /// read here.
    fn repetition(&mut self) -> Option<Option<u32>> {
        let min = match self.peek() {
            Some('?') | Some('*') => 0,
            Some('+') => 1,
            Some('{') => {
                self.bump();
                let start = self.at;
                while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    self.bump();
                }
                let min: u32 = self.p.get(start..self.at)?.parse().ok()?;
                if self.peek() == Some(',') {
                    self.bump();
                    while self.peek().is_some_and(|c| c.is_ascii_digit()) {
                        self.bump();
                    }
                }
                if self.peek() != Some('}') {
                    return None;
                }
                min
            }
            _ => return Some(None),
        };
        self.bump();
        if self.peek() == Some('?') {
            self.bump();
        }
        Some(Some(min))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(p: &str) -> Option<Vec<Vec<String>>> {
        Some(
            clauses(p)?
                .into_iter()
                .map(|c| {
                    c.iter()
                        .map(|l| String::from_utf8_lossy(l).into_owned())
                        .collect()
                })
                .collect(),
        )
    }

    fn strs(v: &[&[&str]]) -> Vec<Vec<String>> {
        v.iter()
            .map(|c| c.iter().map(|s| s.to_string()).collect())
            .collect()
    }

    #[test]
    fn runs_groups_and_repetitions() {
        assert_eq!(
            of(r"\bno\s+commercial\s+(?:use|uses|exploitation)\b"),
            Some(strs(&[
                &["no"],
                &["commercial"],
                &["use", "uses", "exploitation"]
            ]))
        );
        assert_eq!(
            of(r"licen[cs]es?\b(?:\s+\w+){0,3}x{2,}y?"),
            Some(strs(&[&["licen"], &["e"], &["x"]]))
        );
        assert_eq!(
            of(r"(?P<n>ab)(?<m>cd)+(ef)*(?u:[^\x00-\x7F])gh\.i"),
            Some(strs(&[&["ab"], &["cd"], &["gh.i"]]))
        );
        assert_eq!(of(r"abc|def[e-f]"), Some(strs(&[&["abc", "def"]])));
        // a branch whose best literal is too short to check gates nothing
        assert_eq!(of(r"abc|d[e-f]"), Some(Vec::new()));
        assert_eq!(of(r"abc|\w+"), Some(Vec::new()));
        assert_eq!(
            of(r"仅限(?:学术)?研究"),
            Some(strs(&[&["仅限"], &["研究"]]))
        );
        assert_eq!(of(r"a[]b[:alpha:][x[y]]]c"), Some(strs(&[&["a"], &["c"]])));
    }

    #[test]
    fn syntax_it_does_not_read_gives_none() {
        assert_eq!(of(r"(?i)commercial"), None);
        assert_eq!(of(r"(?x) commercial"), None);
        assert_eq!(of(r"a\nb"), None);
        assert_eq!(of(r"a\x41"), None);
        assert_eq!(of(r"(unclosed"), None);
        assert_eq!(of(r"unopened)"), None);
        assert_eq!(of(r"a{x}"), None);
        assert_eq!(of(r"\b{start}a"), None);
    }
}
