//! A selection in a list of rows, and the window of rows that is drawn.
//! Only the visible window is ever turned into widgets, so a list of
//! 10,000 tensors costs what a screenful costs.

use super::keys::Action;
use std::cell::Cell;
use std::ops::Range;

/// Rows the mouse wheel moves per notch.
pub const WHEEL_STEP: usize = 3;

/// The selected row and the first visible row of a list.
#[derive(Debug, Default, Clone)]
pub struct Cursor {
    selected: usize,
    /// First visible row; adjusted while drawing to keep the selection in view.
    offset: Cell<usize>,
    /// Rows that fit, as of the last draw (for PgUp/PgDn).
    page: Cell<usize>,
}

impl Cursor {
    /// The selected row (0 for an empty list).
    pub fn selected(&self) -> usize {
        self.selected
    }

    /// Selects row `i`, clamped to the list.
    pub fn select(&mut self, i: usize, len: usize) {
        self.selected = i.min(len.saturating_sub(1));
    }

    /// Makes row `first` the first visible row at the next draw (if the
    /// selection stays in view).
    pub fn scroll_to(&mut self, first: usize) {
        self.offset.set(first);
    }

    /// The first visible row, as of the last draw.
    pub fn offset(&self) -> usize {
        self.offset.get()
    }

    /// Keeps the selection inside a list that changed length.
    pub fn clamp(&mut self, len: usize) {
        self.select(self.selected, len);
    }

    fn page(&self) -> usize {
        self.page.get().max(1)
    }

    /// Applies a movement action; returns whether it was one.
    pub fn apply(&mut self, action: Action, len: usize) -> bool {
        let last = len.saturating_sub(1);
        let s = self.selected;
        self.selected = match action {
            Action::Down => (s + 1).min(last),
            Action::Up => s.saturating_sub(1),
            Action::Top => 0,
            Action::Bottom => last,
            Action::PageDown => (s + self.page()).min(last),
            Action::PageUp => s.saturating_sub(self.page()),
            _ => return false,
        };
        true
    }

    /// Moves by the mouse wheel (positive is down).
    pub fn wheel(&mut self, down: bool, len: usize) {
        let last = len.saturating_sub(1);
        self.selected = if down {
            (self.selected + WHEEL_STEP).min(last)
        } else {
            self.selected.saturating_sub(WHEEL_STEP)
        };
    }

    /// The rows to draw in `height` lines, scrolling just enough to show the selection.
    pub fn window(&self, len: usize, height: usize) -> Range<usize> {
        self.page.set(height);
        if height == 0 || len == 0 {
            return 0..0;
        }
        let sel = self.selected.min(len - 1);
        let mut off = self.offset.get().min(len.saturating_sub(height));
        if sel < off {
            off = sel;
        } else if sel >= off + height {
            off = sel + 1 - height;
        }
        self.offset.set(off);
        off..(off + height).min(len)
    }
}

impl Cursor {
    /// The rows to draw in `height` lines when row `i` takes `lines(i)`
    /// lines (wrapped text): scrolling just enough to show the whole
    /// selected row (its start, when it alone is taller than the screen).
    /// Only the rows between the first shown and the selection are measured.
    pub fn window_varying(
        &self,
        len: usize,
        height: usize,
        lines: impl Fn(usize) -> usize,
    ) -> Range<usize> {
        if height == 0 || len == 0 {
            self.page.set(height);
            return 0..0;
        }
        let sel = self.selected.min(len - 1);
        let mut off = self.offset.get().min(len - 1);
        if sel < off {
            off = sel;
        } else {
            // Does the selection end within the screen from `off`?
            let mut used = 0;
            let mut i = off;
            while i <= sel && used <= height {
                used += lines(i).max(1);
                i += 1;
            }
            if used > height {
                // Walk back from the selection while the rows fit.
                off = sel;
                let mut used = lines(sel).max(1);
                while off > 0 {
                    let more = lines(off - 1).max(1);
                    if used + more > height {
                        break;
                    }
                    used += more;
                    off -= 1;
                }
            }
        }
        self.offset.set(off);
        let mut end = off;
        let mut used = 0;
        while end < len && used < height {
            used += lines(end).max(1);
            end += 1;
        }
        self.page.set((end - off).max(1));
        off..end
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn window_follows_the_selection() {
        let mut c = Cursor::default();
        assert_eq!(c.window(100, 10), 0..10);
        c.apply(Action::PageDown, 100);
        assert_eq!(c.selected(), 10);
        assert_eq!(c.window(100, 10), 1..11);
        c.apply(Action::Bottom, 100);
        assert_eq!(c.window(100, 10), 90..100);
        c.apply(Action::Top, 100);
        assert_eq!(c.window(100, 10), 0..10);
        c.apply(Action::Up, 100);
        assert_eq!(c.selected(), 0);
    }

    #[test]
    fn a_window_of_wrapped_rows_shows_the_whole_selection() {
        // Every third row takes 4 lines, the others 1.
        let lines = |i: usize| if i.is_multiple_of(3) { 4 } else { 1 };
        let mut c = Cursor::default();
        // 0 (4) 1 (1) 2 (1) 3 (4) = 10 lines: rows 0..4 in 10.
        assert_eq!(c.window_varying(30, 10, lines), 0..4);
        c.select(3, 30);
        assert_eq!(c.window_varying(30, 10, lines), 0..4);
        c.select(4, 30);
        // Row 4 ends at line 11: scrolled so that 1..=4 fit (1+1+4+1 = 7).
        let w = c.window_varying(30, 10, lines);
        assert_eq!(w.start, 1);
        assert!(w.contains(&4));
        c.apply(Action::Bottom, 30);
        assert_eq!(c.window_varying(30, 10, lines).end, 30);
        c.apply(Action::Top, 30);
        assert_eq!(c.window_varying(30, 10, lines).start, 0);
        // A row taller than the screen is shown from its start.
        c.select(6, 30);
        let w = c.window_varying(30, 2, lines);
        assert_eq!(w.start, 6);
        assert_eq!(c.window_varying(0, 10, lines), 0..0);
    }

    #[test]
    fn empty_and_shrinking_lists() {
        let mut c = Cursor::default();
        assert_eq!(c.window(0, 10), 0..0);
        c.apply(Action::Down, 0);
        assert_eq!(c.selected(), 0);
        c.select(50, 100);
        c.clamp(5);
        assert_eq!(c.selected(), 4);
        assert_eq!(c.window(5, 10), 0..5);
    }
}
