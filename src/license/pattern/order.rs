//! The ordered literal check: before a pattern is first compiled, a text
//! its trigram gate lets through (see `gate`) is also asked whether it
//! holds the pattern's literals in the order every match holds them (its
//! `quick::Skeleton`), short literals included. Most patterns that pass
//! their gates never match the text; this check spares many of them their
//! parse and compile, the dearest step of a search. Once a pattern is
//! compiled, its automaton answers at once and this check is not asked.
//!
//! Exactness: a match of a sequence holds a match of each part, left to
//! right and not overlapping, and a match of an alternation holds one of
//! its branches; so where the text has no such placement of the literals,
//! the pattern cannot match it. The check places each part at its
//! earliest end: if any placement exists, that one does (a later start
//! never ends a part earlier).

use memchr::memmem::Finder;

use super::quick::Skeleton;

/// A skeleton with a searcher for each literal run.
#[derive(Debug)]
pub(super) enum Order {
    /// A literal run.
    Lit(Box<Finder<'static>>),
    /// Parts in order.
    Seq(Vec<Order>),
    /// Branches, one of which must be placed.
    Alt(Vec<Order>),
}

impl Order {
    /// The check of `skeleton`.
    pub(super) fn new(skeleton: &Skeleton) -> Order {
        match skeleton {
            Skeleton::Lit(run) => Order::Lit(Box::new(Finder::new(run).into_owned())),
            Skeleton::Seq(parts) if parts.len() == 1 => Order::new(&parts[0]),
            Skeleton::Seq(parts) => Order::Seq(parts.iter().map(Order::new).collect()),
            Skeleton::Alt(branches) => Order::Alt(branches.iter().map(Order::new).collect()),
        }
    }

    /// Whether `hay` holds the literals in their order: false only where
    /// the pattern cannot match `hay`.
    pub(super) fn may_match(&self, hay: &[u8]) -> bool {
        self.end(hay, 0, hay.len()).is_some()
    }

    /// The earliest end, at most `limit`, of a placement of `self` in
    /// `hay` that starts at or after `from`. A branch of an alternation is
    /// only looked for where it would end before the best branch found so
    /// far.
    fn end(&self, hay: &[u8], from: usize, limit: usize) -> Option<usize> {
        match self {
            Order::Lit(finder) => {
                let at = finder.find(hay.get(from..limit)?)?;
                Some(from + at + finder.needle().len())
            }
            Order::Seq(parts) => parts
                .iter()
                .try_fold(from, |at, part| part.end(hay, at, limit)),
            Order::Alt(branches) => {
                let mut best: Option<usize> = None;
                for branch in branches {
                    if let Some(e) = branch.end(hay, from, best.unwrap_or(limit)) {
                        best = Some(e);
                    }
                }
                best
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::quick::skeleton;
    use super::*;

    /// The check of `p`, as a function of the text.
    fn order(p: &str) -> impl Fn(&[u8]) -> bool {
        let order = Order::new(&skeleton(p).unwrap_or_else(|| panic!("{p}: not read")));
        move |hay| order.may_match(hay)
    }

    #[test]
    fn literals_must_come_in_order_and_not_overlap() {
        let o = order(r"\bcc[\s-]+by[\s-]+nc\b");
        assert!(o(b"cc by nc"));
        assert!(o(b"xccxbyxncx"));
        assert!(!o(b"nc by cc"));
        assert!(!o(b"ccbyn"));
        // "abab" needs two non-overlapping runs
        let o = order(r"aba\s*ba");
        assert!(o(b"aba ba"));
        assert!(!o(b"abab"));
    }

    #[test]
    fn an_alternation_needs_one_branch_and_optional_parts_nothing() {
        let o = order(r"\b(?:need|needs)\s+no\s+(?:licen[cs]es?|approval)(?:\s+at\s+all)?");
        assert!(o(b"it needs no approval"));
        assert!(o(b"need no licence"));
        assert!(!o(b"no approval is needed"));
        assert!(!o(b"need approval, no"));
        let o = order(r"(?:仅|只)(?:可)?用于(?:研究)+");
        assert!(o("仅用于学术研究".as_bytes()));
        assert!(!o("研究仅用于".as_bytes()));
        // a branch placed early does not hide a later one that fits
        let o = order(r"(?:ab|x)c");
        assert!(o(b"ab x c"));
    }

    /// The check agrees with the pattern: never false where `regex` finds
    /// a match, on random edits (words dropped, repeated, swapped or
    /// inserted) of sentences that match.
    #[test]
    fn never_closes_on_a_match() {
        let cases = [
            (
                r"\b(?:may|shall|must)\s+not\s+(?:\w+\s+){0,8}?(?:use|used)\s+(?:for\s+)?commercial",
                "you must not in any way use for commercial ends",
            ),
            (
                r"\bno\s+commercial\s+(?:use|uses|exploitation|purposes?)\b",
                "no commercial use no commercial purposes",
            ),
            (
                r"(?:商业|商用)(?:性)?(?:用途|使用)?除外|除(?:了)?(?:商业|商用)(?:用途)?外",
                "商业 性 用途 除外 除 了 商用 用途 外",
            ),
            (r"x{2,}y?z+|(?:ab)+c", "xx y z ab ab c"),
        ];
        let extra = [
            "not",
            "use",
            "commercial",
            "no",
            "商业",
            "外",
            "x",
            "ab",
            "c",
            "z",
        ];
        let mut seed = 7u64;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize % n.max(1)
        };
        for (p, sentence) in cases {
            let o = order(p);
            let r = regex::Regex::new(p).unwrap_or_else(|e| panic!("{p}: {e}"));
            let mut matched = 0;
            for _ in 0..3000 {
                let mut words: Vec<&str> = sentence.split(' ').collect();
                for _ in 0..1 + next(3) {
                    let at = next(words.len());
                    match next(4) {
                        0 if words.len() > 1 => {
                            words.remove(at);
                        }
                        1 => words.insert(at, words[at]),
                        2 if at + 1 < words.len() => words.swap(at, at + 1),
                        _ => words.insert(at, extra[next(extra.len())]),
                    }
                }
                let t = words.join(if next(4) == 0 { "" } else { " " });
                if r.is_match(&t) {
                    assert!(o(t.as_bytes()), "{p} on {t:?}");
                    matched += 1;
                }
            }
            assert!(matched >= 100, "{p}: {matched} texts matched");
        }
    }
}
