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

/// True for a line that opens a clause: a numbered heading (`4.1 Updates`,
/// `3. Restrictions`), `Section 4: ...` or `Article 2 ...`, short enough to
/// be a title.
fn is_heading(line: &str) -> bool {
    static HEADING: std::sync::OnceLock<Option<regex::Regex>> = std::sync::OnceLock::new();
    let t = line.trim();
    t.len() <= 100
        && HEADING
            .get_or_init(|| {
                regex::Regex::new(
                    r"(?i)^(?:section\s+\d+|article\s+\d+|\d+(?:\.\d+)*\.?)[:.)]?\s+[A-Za-z]",
                )
                .ok()
            })
            .as_ref()
            .is_some_and(|r| r.is_match(t))
}

/// The heading of the clause holding line `index` of `lines` (the nearest
/// heading at or above it), when there is one.
fn clause_at(lines: &[&str], index: usize) -> Option<String> {
    lines[..(index + 1).min(lines.len())]
        .iter()
        .rev()
        .find(|l| is_heading(l))
        .map(|l| l.trim().to_string())
}

/// The clauses a change touches, named by their headings (`4.1 Updates`)
/// in the order met, each once: for each changed run of lines, the heading
/// above it in the old text, else in the new.
pub fn changed_clauses(old: &str, new: &str) -> Vec<String> {
    let diff = TextDiff::from_lines(old, new);
    let old_lines: Vec<&str> = old.lines().collect();
    let new_lines: Vec<&str> = new.lines().collect();
    let mut out: Vec<String> = Vec::new();
    for op in diff.ops() {
        if op.tag() == similar::DiffTag::Equal {
            continue;
        }
        let (o, n) = (op.old_range(), op.new_range());
        let clause = (!o.is_empty())
            .then(|| clause_at(&old_lines, o.start))
            .flatten()
            .or_else(|| {
                (!n.is_empty())
                    .then(|| clause_at(&new_lines, n.start))
                    .flatten()
            });
        if let Some(c) = clause {
            if !out.contains(&c) {
                out.push(c);
            }
        }
    }
    out
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
    fn a_change_is_named_by_the_heading_of_its_clause() {
        let old = "Terms\n\nSection 4: MORE\n4.1 Updates\nWe may update it, and you must use the latest.\n4.2 Other\nSame.\n";
        let new = "Terms\n\nSection 4: MORE\n4.1 Updates\nWe may update it.\n4.2 Other\nSame.\n";
        assert_eq!(changed_clauses(old, new), ["4.1 Updates"]);
        assert!(changed_clauses("a\n", "b\n").is_empty());
    }

    #[test]
    fn a_long_diff_is_cut_and_says_so() {
        let old: String = (0..500).map(|i| format!("{i}\n")).collect();
        let d = unified(&old, "", "a", "b");
        assert!(d.lines().count() <= MAX_LINES + 1);
        assert!(d.contains("more diff lines"), "{d}");
    }
}
