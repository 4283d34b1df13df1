//! Parsing patterns ahead of their first search, on a second thread.
//!
//! A clause pattern is parsed when its gate is first needed (to read the
//! literals its every match holds, see `literals` and `gate`): the first
//! search after a table of patterns is made numbers the whole table, so
//! every pattern of the table is parsed then. Each pattern made by
//! [`super::re`] is queued here when it is made, and one helper thread
//! parses the newest queued patterns while the reading thread parses (or
//! finds parsed) the oldest: on a machine with two cores the two meet
//! halfway. The helper leaves when nothing has been queued for a short
//! while, and is started again by the next pattern queued; a pattern both
//! want is parsed once (the other waits for it). Compiling is left to the
//! first search a pattern's gate lets through. Nothing here changes what a
//! pattern matches.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError, Weak};
use std::time::Duration;

use super::Lazy;

/// Patterns queued, oldest first.
static QUEUE: Mutex<Vec<Weak<Lazy>>> = Mutex::new(Vec::new());
/// Signals the helper that a pattern was queued.
static QUEUED: Condvar = Condvar::new();
/// Whether a helper thread is running.
static RUNNING: AtomicBool = AtomicBool::new(false);

/// How long the helper waits for more patterns before it leaves.
const LINGER: Duration = Duration::from_millis(30);

/// Queues `lazy` to be parsed ahead, starting the helper if none runs.
pub(super) fn queue(lazy: &Arc<Lazy>) {
    QUEUE
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .push(Arc::downgrade(lazy));
    QUEUED.notify_one();
    if !RUNNING.swap(true, Ordering::SeqCst) {
        let started = std::thread::Builder::new()
            .name("mri-patterns".into())
            .spawn(help);
        if started.is_err() {
            // Without a helper every pattern is parsed when it is first needed.
            RUNNING.store(false, Ordering::SeqCst);
        }
    }
}

/// The newest queued pattern not parsed yet; dropped and parsed ones
/// are taken off the queue.
fn newest(queue: &mut Vec<Weak<Lazy>>) -> Option<Arc<Lazy>> {
    while let Some(weak) = queue.pop() {
        if let Some(lazy) = weak.upgrade().filter(|l| !l.is_parsed()) {
            return Some(lazy);
        }
    }
    None
}

/// The helper: parses the newest queued pattern until none has been
/// queued for [`LINGER`].
fn help() {
    loop {
        let next = {
            let mut queue = QUEUE.lock().unwrap_or_else(PoisonError::into_inner);
            match newest(&mut queue) {
                Some(lazy) => Some(lazy),
                None => {
                    let (mut queue, _) = QUEUED
                        .wait_timeout(queue, LINGER)
                        .unwrap_or_else(PoisonError::into_inner);
                    newest(&mut queue)
                }
            }
        };
        match next {
            Some(lazy) => lazy.parse_ahead(),
            None => {
                RUNNING.store(false, Ordering::SeqCst);
                // A pattern queued between the last look and the store above
                // found the helper running and started none: look once more.
                let more = !QUEUE
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .is_empty();
                if !more || RUNNING.swap(true, Ordering::SeqCst) {
                    return;
                }
            }
        }
    }
}
