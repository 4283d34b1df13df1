//! A clause pattern's top-level branches (`A|B|C`), each gated, compiled
//! and searched on its own. Many clause patterns are long alternations of
//! phrasings, and a text holds the literals of only a few of them: one
//! whole pattern is compiled wherever any branch's literals occur, so most
//! of what was parsed and compiled never matched (on a 15 kB license, 27 kB
//! of pattern text was compiled, of which the branches whose literals occur
//! are 17 kB).
//!
//! The leftmost-first match of `A|B|C` is the leftmost of the branches'
//! leftmost-first matches; where two start at the same place, the earlier
//! branch's (at one starting place, the alternation tries its branches in
//! order, and each branch then prefers what it prefers alone). The groups
//! of a match are read by the whole pattern, compiled when they are first
//! asked for.

use std::cell::Cell;

thread_local! {
    /// Whether this thread searches every pattern whole (for the tests).
    static WHOLE: Cell<bool> = const { Cell::new(false) };
}

/// Whether this thread searches every pattern whole, not by its branches.
pub(super) fn whole() -> bool {
    WHOLE.with(Cell::get)
}

/// Runs `f` with every pattern searched whole on this thread.
pub(super) fn with_whole<T>(f: impl FnOnce() -> T) -> T {
    let before = WHOLE.with(|w| w.replace(true));
    let out = f();
    WHOLE.with(|w| w.set(before));
    out
}

/// The branches `p` may be searched by, where it has two or more and
/// splitting it changes no match: its top-level branches (`A|B|C`), or
/// those of the one group it is made of between zero-width assertions
/// (`\b(A|B)\b` is searched as `\b(?:A)\b|\b(?:B)\b`: an assertion makes no
/// choice, so at each starting place the branches are tried in the same
/// order). `None` otherwise.
pub(super) fn split(p: &str) -> Option<Vec<String>> {
    if let Some(parts) = top_level(p) {
        return Some(parts.into_iter().map(String::from).collect());
    }
    let prefix_len = p.len() - strip_assertions(p).len();
    let (prefix, group) = p.split_at(prefix_len);
    let close = group_end(group)?;
    let suffix = &group[close + 1..];
    if !strip_assertions(suffix).is_empty() {
        return None;
    }
    let opener = opener_len(group)?;
    let parts = top_level(&group[opener..close])?;
    // a group of its own flags keeps them; a capturing group's number and
    // name do not matter to a match
    let open = if group.starts_with("(?:") || is_flag_group(&group[..opener]) {
        &group[..opener]
    } else {
        "(?:"
    };
    Some(
        parts
            .into_iter()
            .map(|b| format!("{prefix}{open}{b}){suffix}"))
            .collect(),
    )
}

/// `p` without the zero-width assertions it starts with.
fn strip_assertions(mut p: &str) -> &str {
    loop {
        let rest = ["\\b", "\\B", "\\A", "\\z", "^", "$"]
            .iter()
            .find_map(|a| p.strip_prefix(a));
        match rest {
            Some(rest) => p = rest,
            None => return p,
        }
    }
}

/// The length of the opening of the group `group` starts with: `(`,
/// `(?:`, `(?flags:`, `(?P<name>` or `(?<name>`.
fn opener_len(group: &str) -> Option<usize> {
    let rest = group.strip_prefix('(')?;
    let Some(rest) = rest.strip_prefix('?') else {
        return Some(1);
    };
    if let Some(named) = rest.strip_prefix("P<").or_else(|| rest.strip_prefix('<')) {
        return Some(group.len() - named.len() + named.find('>')? + 1);
    }
    let flags = rest.trim_start_matches(|c: char| c.is_ascii_alphabetic() || c == '-');
    flags
        .starts_with(':')
        .then(|| group.len() - flags.len() + 1)
}

/// Whether `opener` opens a group of flags (`(?i:`, `(?-u:`).
fn is_flag_group(opener: &str) -> bool {
    opener.len() > 3 && opener.starts_with("(?") && opener.ends_with(':') && !opener.contains('<')
}

/// The places of `p`'s group parentheses and branch bars, with the depth
/// of groups each is at (outside classes and escapes), as `(index, byte,
/// depth before it)`; `None` where a class or an escape is left open.
fn structure(p: &str) -> Option<Vec<(usize, u8, usize)>> {
    let bytes = p.as_bytes();
    let mut out = Vec::new();
    let (mut depth, mut class_depth, mut at) = (0usize, 0usize, 0usize);
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => {
                at += 2;
                continue;
            }
            b'[' => {
                class_depth += 1;
                at += 1;
                // a `]` first in a class (after an optional `^`) is literal
                if bytes.get(at) == Some(&b'^') {
                    at += 1;
                }
                if bytes.get(at) == Some(&b']') {
                    at += 1;
                }
                continue;
            }
            b']' if class_depth > 0 => class_depth -= 1,
            b @ b'(' if class_depth == 0 => {
                out.push((at, b, depth));
                depth += 1;
            }
            b @ b')' if class_depth == 0 => {
                depth = depth.checked_sub(1)?;
                out.push((at, b, depth));
            }
            b @ b'|' if class_depth == 0 => out.push((at, b, depth)),
            _ => {}
        }
        at += 1;
    }
    (class_depth == 0 && at == bytes.len()).then_some(out)
}

/// The index of the `)` that closes the group `group` starts with.
fn group_end(group: &str) -> Option<usize> {
    let places = structure(group)?;
    let &(first, b, _) = places.first()?;
    if first != 0 || b != b'(' {
        return None;
    }
    places
        .iter()
        .find(|&&(_, b, depth)| b == b')' && depth == 0)
        .map(|&(at, _, _)| at)
}

/// The top-level branches of `p`, where it has two or more and splitting
/// it changes nothing: no flag group that reaches past its own group
/// (`(?i)`), balanced groups and classes. `None` otherwise.
fn top_level(p: &str) -> Option<Vec<&str>> {
    let places = structure(p)?;
    let mut out = Vec::new();
    let (mut depth, mut start) = (0usize, 0usize);
    for &(at, b, before) in &places {
        match b {
            b'(' if bare_flags(&p[at..]) => return None,
            b'(' => depth = before + 1,
            b')' => depth = before,
            _ if before == 0 => {
                out.push(&p[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    out.push(&p[start..]);
    (depth == 0 && out.len() > 1).then_some(out)
}

/// Whether `group` (text from a `(`) opens a flag group that sets flags
/// for the rest of the enclosing group, `(?i)`, rather than a group of its
/// own, `(?i:…)`.
fn bare_flags(group: &str) -> bool {
    let Some(rest) = group.strip_prefix("(?") else {
        return false;
    };
    let flags = rest.trim_start_matches(|c: char| c.is_ascii_alphabetic() || c == '-');
    flags.starts_with(')')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_only_the_top_level() {
        assert_eq!(
            top_level(r"\ba(?:b|c)\b|[|(]x|\(|d"),
            Some(vec![r"\ba(?:b|c)\b", "[|(]x", r"\(", "d"])
        );
        assert_eq!(top_level(r"[]|]a|b"), Some(vec!["[]|]a", "b"]));
        assert_eq!(top_level(r"[^]|]a|b"), Some(vec!["[^]|]a", "b"]));
        assert_eq!(top_level(r"[a[|]]|b"), Some(vec!["[a[|]]", "b"]));
        assert_eq!(top_level("商业|商用|"), Some(vec!["商业", "商用", ""]));
    }

    #[test]
    fn splits_one_group_between_assertions() {
        assert_eq!(
            split(r"\b(military|weapons?|a(?:b|c))\b"),
            Some(vec![
                r"\b(?:military)\b".to_string(),
                r"\b(?:weapons?)\b".to_string(),
                r"\b(?:a(?:b|c))\b".to_string()
            ])
        );
        assert_eq!(
            split(r"^(?i:a|b)$"),
            Some(vec![r"^(?i:a)$".to_string(), r"^(?i:b)$".to_string()])
        );
        assert_eq!(
            split(r"(?P<x>a|b)"),
            Some(vec![r"(?:a)".to_string(), r"(?:b)".to_string()])
        );
        // more than assertions around the group
        assert_eq!(split(r"x(a|b)"), None);
        assert_eq!(split(r"(a|b)\s"), None);
        assert_eq!(split(r"(a|b)(c|d)"), None);
        assert_eq!(split(r"(a|b)*"), None);
    }

    #[test]
    fn leaves_what_it_cannot_split_safely() {
        // one branch
        assert_eq!(top_level(r"\b(?:a|b)\b"), None);
        assert_eq!(top_level("abc"), None);
        // a flag group reaches the branches after it
        assert_eq!(top_level(r"a|(?i)b|c"), None);
        assert_eq!(top_level(r"(?i)a|b"), None);
        // its own group is fine
        assert!(top_level(r"(?i:a)|b").is_some());
        assert!(top_level(r"(?-u:a)|b").is_some());
        // unbalanced
        assert_eq!(top_level(r"a)|b"), None);
        assert_eq!(top_level(r"(a|b"), None);
        assert_eq!(top_level(r"[a|b"), None);
    }
}
