//! What the list views share: searching round a list for the next match,
//! and turning the cursor's visible window into rows with the selected one
//! highlighted. Each view keeps only what its rows are and how they look.

use super::cursor::Cursor;
use super::filter::Query;

/// Where a search lands: the first of `n` rows from `here` (itself only
/// when `include_current`), going `forward` or back and wrapping round, for
/// which `matches` holds. `Err` carries the status line to show instead
/// (`Effect::Status` in a view): no search is active, or nothing matches
/// (`what` names the rows, e.g. "finding"). An empty list is `Ok(None)`.
pub fn step_match(
    query: Option<&Query>,
    n: usize,
    here: usize,
    forward: bool,
    include_current: bool,
    what: &str,
    mut matches: impl FnMut(&Query, usize) -> bool,
) -> Result<Option<usize>, String> {
    let Some(q) = query else {
        return Err("no search: press / to search".into());
    };
    if n == 0 {
        return Ok(None);
    }
    let start = usize::from(!include_current);
    (start..=n)
        .map(|step| {
            if forward {
                (here + step) % n
            } else {
                (here + n - step % n) % n
            }
        })
        .find(|&i| matches(q, i))
        .map(Some)
        .ok_or_else(|| format!("no {what} matches {}", q.text()))
}

/// The rows of the cursor's visible window over a list of `len` rows in
/// `height` lines, each built by `build`; the selected one passed through
/// `highlight`. Rows outside the window are never built.
pub fn visible_rows<T>(
    cursor: &Cursor,
    len: usize,
    height: usize,
    mut build: impl FnMut(usize) -> T,
    highlight: impl Fn(T) -> T,
) -> Vec<T> {
    let selected = cursor.selected();
    cursor
        .window(len, height)
        .map(|i| {
            let row = build(i);
            if i == selected {
                highlight(row)
            } else {
                row
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(text: &str) -> Query {
        Query::new(text).expect("a query")
    }

    #[test]
    fn a_search_wraps_round_in_both_directions() {
        let rows = ["a", "bx", "c", "dx"];
        let hit = |q: &Query, i: usize| q.matches(rows[i]);
        let query = q("x");
        assert_eq!(
            step_match(Some(&query), 4, 1, true, false, "row", hit),
            Ok(Some(3))
        );
        assert_eq!(
            step_match(Some(&query), 4, 3, true, false, "row", hit),
            Ok(Some(1))
        );
        assert_eq!(
            step_match(Some(&query), 4, 1, false, false, "row", hit),
            Ok(Some(3))
        );
        assert_eq!(
            step_match(Some(&query), 4, 1, true, true, "row", hit),
            Ok(Some(1))
        );
    }

    #[test]
    fn no_search_and_no_match_are_statuses() {
        let hit = |_: &Query, _: usize| false;
        assert!(matches!(
            step_match(None, 3, 0, true, false, "row", hit),
            Err(s) if s.contains("press /")
        ));
        assert!(matches!(
            step_match(Some(&q("zz")), 3, 0, true, false, "file", hit),
            Err(s) if s == "no file matches zz"
        ));
        assert_eq!(
            step_match(Some(&q("zz")), 0, 0, true, false, "row", hit),
            Ok(None)
        );
    }
}
