//! The literals a pattern's every match must contain, read from its parsed
//! form: a short list of clauses, each a set of byte strings, such that
//! every match of the pattern holds at least one string of every clause.
//! A text that lacks every string of one clause cannot match the pattern, so
//! the pattern need not be compiled or searched there (see `gate`).
//!
//! Each clause comes from a part every match must pass through: a literal
//! of a concatenation, a repetition taken at least once, a group, or an
//! alternation whose every branch has a clause of its own (their union).

use std::cmp::Reverse;

use regex_syntax::hir::{Class, Hir, HirKind};

/// Byte strings one of which every match contains.
pub(super) type Clause = Vec<Box<[u8]>>;

/// At most this many clauses are kept for a pattern (the most selective).
const MAX_CLAUSES: usize = 4;
/// A clause of more strings than this is not kept (it gates little).
const MAX_LITERALS: usize = 48;
/// A clause holding a string shorter than this is not kept: a short string
/// occurs in nearly every sentence (and `gate` checks strings by their
/// trigrams).
const MIN_LEN: usize = 3;

/// The clauses every match of `hir` satisfies, the most selective first;
/// empty where the pattern has none worth checking (it is always searched).
pub(super) fn required(hir: &Hir) -> Vec<Clause> {
    finish(parts(hir))
}

/// The clauses of `candidates` worth checking, the most selective first.
pub(super) fn finish<T: AsRef<[u8]> + Ord>(candidates: Vec<Vec<T>>) -> Vec<Vec<T>> {
    let mut all: Vec<Vec<T>> = candidates.into_iter().filter_map(tidy).collect();
    all.sort_by_key(|c| Reverse(score(c)));
    all.dedup();
    all.truncate(MAX_CLAUSES);
    all
}

/// `c` sorted and without repeats, where it is worth checking (a clause
/// with a short string is dropped before it is sorted).
fn tidy<T: AsRef<[u8]> + Ord>(mut c: Vec<T>) -> Option<Vec<T>> {
    if c.is_empty() || c.iter().any(|l| l.as_ref().len() < MIN_LEN) {
        return None;
    }
    c.sort();
    c.dedup();
    (c.len() <= MAX_LITERALS).then_some(c)
}

/// How selective a clause is: its shortest string, the longer the better,
/// then the fewer strings the better.
fn score<T: AsRef<[u8]>>(c: &[T]) -> (usize, Reverse<usize>) {
    let shortest = c.iter().map(|l| l.as_ref().len()).min().unwrap_or(0);
    (shortest, Reverse(c.len()))
}

/// The most selective usable clause of `clauses`.
pub(super) fn best<T: AsRef<[u8]> + Ord>(clauses: Vec<Vec<T>>) -> Option<Vec<T>> {
    clauses
        .into_iter()
        .filter_map(tidy)
        .max_by_key(|c| score(c))
}

/// The clauses of the parts every match of `hir` passes through.
pub(super) fn parts(hir: &Hir) -> Vec<Clause> {
    match hir.kind() {
        HirKind::Literal(lit) => vec![vec![lit.0.clone()]],
        HirKind::Capture(cap) => parts(&cap.sub),
        HirKind::Repetition(rep) if rep.min >= 1 => parts(&rep.sub),
        HirKind::Concat(subs) => subs.iter().flat_map(parts).collect(),
        HirKind::Alternation(subs) => {
            // a match passes through one branch: the union of one clause
            // from each branch holds, if every branch has one
            let mut union = Clause::new();
            for sub in subs {
                match best(parts(sub)) {
                    Some(c) => union.extend(c),
                    None => return Vec::new(),
                }
            }
            vec![union]
        }
        // a few characters (`仅|只` is parsed as a class): one of them
        HirKind::Class(Class::Unicode(class)) => {
            let chars = class.iter().flat_map(|r| r.start()..=r.end());
            let chars: Vec<char> = chars.take(MAX_LITERALS + 1).collect();
            if chars.len() > MAX_LITERALS {
                return Vec::new();
            }
            let utf8 = |c: char| Box::from(c.to_string().as_bytes());
            vec![chars.into_iter().map(utf8).collect()]
        }
        // an empty match, a look-around, a class of bytes or of many
        // characters, or a repetition that may be skipped: nothing required
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use regex_automata::util::syntax;

    fn of(p: &str) -> Vec<Vec<String>> {
        let hir = syntax::parse_with(p, &syntax::Config::new().unicode(false).utf8(false))
            .unwrap_or_else(|e| panic!("{p}: {e}"));
        required(&hir)
            .into_iter()
            .map(|c| {
                c.iter()
                    .map(|l| String::from_utf8_lossy(l).into_owned())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn a_concatenation_requires_each_of_its_literals() {
        let got = of(r"\bno\s+commercial\s+(?:use|uses|exploitation)\b");
        assert_eq!(got[0], vec!["commercial"]);
        assert!(got.contains(&vec!["exploitation".into(), "use".into(), "uses".into()]));
        assert!(got.iter().flatten().all(|l| l.len() >= MIN_LEN), "{got:?}");
    }

    #[test]
    fn an_alternation_requires_one_clause_of_each_branch() {
        let got = of(r"\bfoo\w*bar|baz(?:qux)+");
        assert!(got.contains(&vec!["bar".into(), "qux".into()]), "{got:?}");
    }

    #[test]
    fn what_may_be_skipped_requires_nothing() {
        let optional = of(r"(?:commercial)?\s*uses?");
        assert!(optional.contains(&vec!["use".into()]), "{optional:?}");
        assert!(
            !optional.iter().flatten().any(|l| l == "commercial"),
            "{optional:?}"
        );
        assert!(of(r"(?:commercial)*|x").is_empty());
        assert!(of(r"a*").is_empty());
        assert!(of(r"(?:^|[,;:]\s*)production").contains(&vec!["production".into()]));
        assert!(of(r"\w+").is_empty());
    }

    #[test]
    fn chinese_literals_are_their_utf8_bytes() {
        let got = of(r"(?:仅|只|限于)[^a]{0,12}非商业");
        assert_eq!(got[0], vec!["非商业"]);
        assert!(got.contains(&vec!["仅".into(), "只".into(), "限于".into()]));
        // an alternation of single characters is parsed as a class
        let class = of(r"仅(?:限|供)个人");
        assert!(class.contains(&vec!["供".into(), "限".into()]), "{class:?}");
    }
}
