//! License texts read once per process. The same LICENSE file sits in many
//! repos and in every revision of a repo (`mri ls` over a cache reads it
//! again for each), and its reading — normalised words, decisive clauses,
//! the best match in the knowledge base — depends on its text alone. So a
//! text seen before is answered from here. Bounded: texts longer than
//! [`MAX_TEXT`] are never kept, and once [`MAX_KEPT`] bytes of texts are
//! kept, new ones are read without being kept.

use super::clauses::{read_clauses, ClauseHit};
use super::detect::{detect, Detection};
use super::text::NormText;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// Longest text kept.
const MAX_TEXT: usize = 256 * 1024;
/// Bytes of texts kept, in all (each map).
const MAX_KEPT: usize = 8 * 1024 * 1024;

/// A text's words and decisive clauses.
type Reading = (NormText, Vec<ClauseHit>);

/// A process-wide memo.
type Shared<T> = OnceLock<Mutex<Memo<T>>>;

/// A map from text to its reading, bounded by the bytes of its keys.
struct Memo<T> {
    map: HashMap<String, Arc<T>>,
    bytes: usize,
}

impl<T> Memo<T> {
    fn new() -> Self {
        Memo {
            map: HashMap::new(),
            bytes: 0,
        }
    }
}

/// `compute(text)` once per distinct `text` kept in `memo`.
fn remembered<T>(memo: &'static Shared<T>, text: &str, compute: impl FnOnce() -> T) -> Arc<T> {
    let memo = memo.get_or_init(|| Mutex::new(Memo::new()));
    if let Some(hit) = memo.lock().ok().and_then(|m| m.map.get(text).cloned()) {
        return hit;
    }
    // Computed without the lock: two threads may both read a new text once.
    let value = Arc::new(compute());
    if text.len() <= MAX_TEXT {
        if let Ok(mut m) = memo.lock() {
            if m.bytes + text.len() <= MAX_KEPT && !m.map.contains_key(text) {
                m.bytes += text.len();
                m.map.insert(text.to_string(), Arc::clone(&value));
            }
        }
    }
    value
}

/// The normalised text and its decisive clauses (as `NormText::new` and
/// `read_clauses` give them).
pub fn read(text: &str) -> (NormText, Vec<ClauseHit>) {
    static MEMO: Shared<Reading> = OnceLock::new();
    let r = remembered(&MEMO, text, || {
        let norm = NormText::new(text);
        let hits = read_clauses(&norm);
        (norm, hits)
    });
    (r.0.clone(), r.1.clone())
}

/// The knowledge-base match of a normalised text (as `detect` gives it).
pub fn detection(norm: &NormText) -> Detection {
    static MEMO: Shared<Detection> = OnceLock::new();
    remembered(&MEMO, &norm.norm, || detect(norm))
        .as_ref()
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_remembered_reading_is_the_reading() {
        let text = "Licensed under the Apache License, Version 2.0. You may not use this file for commercial purposes.";
        let (n1, h1) = read(text);
        let (n2, h2) = read(text);
        let fresh = NormText::new(text);
        assert_eq!(n1.norm, fresh.norm);
        assert_eq!(n2.norm, fresh.norm);
        assert_eq!(h1, read_clauses(&fresh));
        assert_eq!(h1, h2);
        let d = detection(&fresh);
        assert_eq!(d.best.map(|b| b.id), detect(&fresh).best.map(|b| b.id));
    }
}
