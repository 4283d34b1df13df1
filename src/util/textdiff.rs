//! Unified diffs of changed lines (`similar`), for `mri diff` and the
//! `drift/license` and `drift/config` violations of `mri check --locked`.

use similar::{ChangeTag, TextDiff};

/// Lines of context around each change.
const CONTEXT: usize = 2;

/// Longest diff kept, in lines: a rewritten license is named, not reprinted.
const MAX_LINES: usize = 200;

/// The unified diff of `old` and `new` (`--- a_name`, `+++ b_name`, hunks
/// with two lines of context), cut after 200 lines with a note of how many
/// were left out; empty when the texts are equal.
pub fn unified(old: &str, new: &str, a_name: &str, b_name: &str) -> String {
    if old == new {
        return String::new();
    }
    let diff = TextDiff::from_lines(old, new);
    let text = diff
        .unified_diff()
        .context_radius(CONTEXT)
        .header(a_name, b_name)
        .to_string();
    let total = text.lines().count();
    if total <= MAX_LINES {
        return text;
    }
    let mut kept: String = text
        .lines()
        .take(MAX_LINES)
        .flat_map(|l| [l, "\n"])
        .collect();
    kept.push_str(&format!("… {} more diff lines\n", total - MAX_LINES));
    kept
}

/// The lines `new` adds and those it removes (trimmed, blank lines left
/// out), for summaries that name the changed clause.
pub fn changed_lines(old: &str, new: &str) -> (Vec<String>, Vec<String>) {
    let diff = TextDiff::from_lines(old, new);
    let mut added = Vec::new();
    let mut removed = Vec::new();
    for change in diff.iter_all_changes() {
        let line = change.value().trim();
        if line.is_empty() {
            continue;
        }
        match change.tag() {
            ChangeTag::Insert => added.push(line.to_string()),
            ChangeTag::Delete => removed.push(line.to_string()),
            ChangeTag::Equal => {}
        }
    }
    (added, removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_have_no_diff() {
        assert_eq!(unified("a\nb\n", "a\nb\n", "x", "y"), "");
    }

    #[test]
    fn a_changed_line_is_shown_with_its_context() {
        let d = unified("one\ntwo\nthree\n", "one\n2\nthree\n", "old", "new");
        assert!(d.starts_with("--- old\n+++ new\n"), "{d}");
        assert!(d.contains("-two\n") && d.contains("+2\n") && d.contains(" one\n"));
        let (added, removed) = changed_lines("one\ntwo\n", "one\n2\n\n");
        assert_eq!(
            (added, removed),
            (vec!["2".to_string()], vec!["two".into()])
        );
    }

    #[test]
    fn a_long_diff_is_cut_and_says_so() {
        let old: String = (0..500).map(|i| format!("{i}\n")).collect();
        let d = unified(&old, "", "a", "b");
        assert!(d.lines().count() <= MAX_LINES + 1);
        assert!(d.contains("more diff lines"), "{d}");
    }
}
