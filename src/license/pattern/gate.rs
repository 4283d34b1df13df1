//! Literal gating: a pattern is compiled and searched only where its
//! required literals may occur.
//!
//! A pattern's gate holds the clauses of `literals` (sets of strings, one
//! of each set in every match), each string as the byte trigrams it is made
//! of. A text is looked at once by each reading thread (which remembers the
//! last few texts it was asked about): which trigrams it holds, hashed into
//! a bitset. A string whose trigrams are not all in the bitset is not in
//! the text; a pattern with a clause none of whose strings can be in the
//! text cannot match it, and is answered "no match" without being compiled
//! or run.
//!
//! Exactness: a bit is set for every trigram the text holds, so a missing
//! bit proves a trigram, and with it the string, absent (a hash collision
//! can only let a pattern through that need not be searched). Every
//! required string has three bytes or more (`literals::MIN_LEN`).

use std::cell::RefCell;
use std::sync::{Arc, Mutex, PoisonError, Weak};

use super::Lazy;

/// Bits of a text's trigram bitset (a power of two).
const BITS: usize = 1 << 13;
/// How many texts each thread remembers.
const REMEMBERED: usize = 8;

/// The bit of trigram `t` in a text's bitset.
fn slot(t: [u8; 3]) -> u16 {
    let v = u32::from(t[0]) << 16 | u32::from(t[1]) << 8 | u32::from(t[2]);
    // multiplicative hashing; the top bits are the best mixed
    (v.wrapping_mul(0x9E37_79B1) >> (32 - BITS.trailing_zeros())) as u16
}

/// A pattern's gate: for each required clause, its strings as trigram
/// slots; the pattern may match a text only if, for every clause, some
/// string has all its slots set in the text's bitset.
#[derive(Debug, Default)]
pub(super) struct Gate {
    clauses: Vec<Vec<Vec<u16>>>,
}

impl Gate {
    /// The gate of a pattern whose every match satisfies `required`.
    pub(super) fn new<T: AsRef<[u8]>>(required: &[Vec<T>]) -> Gate {
        let clauses = required
            .iter()
            .filter(|c| c.iter().all(|l| l.as_ref().len() >= 3))
            .map(|c| {
                c.iter()
                    .map(|l| {
                        let l = l.as_ref();
                        let mut slots: Vec<u16> =
                            l.windows(3).map(|w| slot([w[0], w[1], w[2]])).collect();
                        slots.dedup();
                        slots
                    })
                    .collect()
            })
            .collect();
        Gate { clauses }
    }
}

/// A text a thread has been asked about, and the bitset of its trigrams.
struct Seen {
    hay: Vec<u8>,
    bits: Box<[u64; BITS / 64]>,
}

impl Seen {
    fn set(&mut self, hay: &[u8]) {
        self.hay.clear();
        self.hay.extend_from_slice(hay);
        self.bits.fill(0);
        for w in hay.windows(3) {
            let s = usize::from(slot([w[0], w[1], w[2]]));
            if let Some(word) = self.bits.get_mut(s / 64) {
                *word |= 1 << (s % 64);
            }
        }
    }

    fn has(&self, s: u16) -> bool {
        let s = usize::from(s);
        self.bits
            .get(s / 64)
            .is_some_and(|w| w & (1 << (s % 64)) != 0)
    }
}

thread_local! {
    static SEEN: RefCell<Vec<Seen>> = const { RefCell::new(Vec::new()) };
}

/// Whether a pattern gated by `gate` may match somewhere in `hay`: false
/// only where a clause has no string that can be in `hay`.
pub(super) fn may_match(gate: &Gate, hay: &[u8]) -> bool {
    if gate.clauses.is_empty() {
        return true;
    }
    SEEN.with(|seen| {
        let Ok(mut seen) = seen.try_borrow_mut() else {
            return true;
        };
        let at = match seen.iter().position(|s| *s.hay == *hay) {
            Some(at) => at,
            None => {
                if seen.len() < REMEMBERED {
                    seen.push(Seen {
                        hay: Vec::new(),
                        bits: Box::new([0; BITS / 64]),
                    });
                }
                let last = seen.len() - 1;
                if let Some(oldest) = seen.get_mut(last) {
                    oldest.set(hay);
                }
                last
            }
        };
        // the newest first
        seen[..=at].rotate_right(1);
        let Some(entry) = seen.first() else {
            return true;
        };
        gate.clauses
            .iter()
            .all(|clause| clause.iter().any(|lit| lit.iter().all(|&s| entry.has(s))))
    })
}

/// Every pattern made, for [`all_patterns`].
static ALL: Mutex<Vec<Weak<Lazy>>> = Mutex::new(Vec::new());

/// Keeps `lazy` for [`all_patterns`].
pub(super) fn register(lazy: &Arc<Lazy>) {
    let mut all = ALL.lock().unwrap_or_else(PoisonError::into_inner);
    if all.len().is_power_of_two() {
        all.retain(|w| w.strong_count() > 0);
    }
    all.push(Arc::downgrade(lazy));
}

/// Every pattern made so far that is still alive, for the check of the
/// gates against the patterns' searches.
pub(super) fn all_patterns() -> Vec<Arc<Lazy>> {
    ALL.lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .filter_map(Weak::upgrade)
        .collect()
}

/// How this thread's searches use the gates.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// A closed gate answers "no match" (the default).
    On,
    /// Every pattern is searched (to compare with the gated answers).
    Off,
    /// As `On`, and every closed gate is checked against the pattern's own
    /// search; a match it would have missed is recorded.
    Audit,
}

thread_local! {
    static MODE: std::cell::Cell<Mode> = const { std::cell::Cell::new(Mode::On) };
    static MISSES: RefCell<Vec<(String, String)>> = const { RefCell::new(Vec::new()) };
}

/// This thread's mode.
pub(super) fn mode() -> Mode {
    MODE.with(std::cell::Cell::get)
}

/// Runs `f` in `mode` on this thread, then restores the mode it had.
pub(super) fn with_mode<T>(mode: Mode, f: impl FnOnce() -> T) -> T {
    let before = MODE.with(|m| m.replace(mode));
    let out = f();
    MODE.with(|m| m.set(before));
    out
}

/// Records that `pattern`'s closed gate would have missed a match in `hay`.
pub(super) fn record_miss(pattern: &str, hay: &str) {
    MISSES.with(|m| m.borrow_mut().push((pattern.to_string(), hay.to_string())));
}

/// The misses recorded on this thread since the last call.
pub(super) fn take_misses() -> Vec<(String, String)> {
    MISSES.with(|m| std::mem::take(&mut *m.borrow_mut()))
}
