//! `mri ls`: every model found (see `locate::discover`) inspected headers
//! only through the front door, on a bounded pool of threads, each Report
//! turned into one [`Row`] and dropped; a model that cannot be inspected is
//! a row with its error. `mri check --all` takes the same targets.

pub mod render;
pub mod row;
pub mod select;
pub mod shard;

pub use row::Row;
pub use select::{Filter, SelectError, Sort};
pub use shard::Shard;

use crate::locate::discover::Found;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// How [`list`] works.
#[derive(Debug, Clone, Default)]
pub struct ListOptions {
    /// Models inspected at once (0: one per core).
    pub jobs: usize,
    /// How each model is inspected (the cache for adapters' base models).
    pub inspect: crate::InspectOptions,
}

/// The rows of one listing and what they add up to.
#[derive(Debug, Clone, Serialize)]
pub struct Listing {
    /// Version of this structure's JSON form (the Report's).
    pub schema_version: u32,
    /// One row per model, in discovery order until sorted.
    pub models: Vec<Row>,
    /// Bytes on disk of every model's files, a file shared by several
    /// models (cache revisions, Ollama tags) counted once.
    pub size_on_disk: u64,
}

impl Listing {
    /// Keeps the rows every filter keeps, sorted by `sort`, and their total.
    pub fn select(&mut self, filters: &[Filter], sort: &Sort) {
        self.models.retain(|r| filters.iter().all(|f| f.keeps(r)));
        sort.apply(&mut self.models);
        self.size_on_disk = total_size(&self.models);
    }

    /// Rows that could not be inspected.
    pub fn unusable(&self) -> usize {
        self.models.iter().filter(|r| r.error.is_some()).count()
    }
}

/// Inspects every found model, `options.jobs` at once, calling
/// `progress(done, total)` after each; only the rows are kept.
pub fn list(
    found: &[Found],
    options: &ListOptions,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Listing {
    let jobs = match options.jobs {
        0 => crate::util::parallel::cores(),
        n => n,
    }
    .clamp(1, found.len().max(1));
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<Row>>> = found.iter().map(|_| Mutex::new(None)).collect();
    progress(0, found.len());
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let (Some(f), Some(slot)) = (found.get(i), slots.get(i)) else {
                    break;
                };
                let row = one_row(f, &options.inspect);
                if let Ok(mut s) = slot.lock() {
                    *s = Some(row);
                }
                progress(done.fetch_add(1, Ordering::Relaxed) + 1, found.len());
            });
        }
    });
    let models: Vec<Row> = found
        .iter()
        .zip(slots)
        .map(|(f, slot)| {
            slot.into_inner()
                .ok()
                .flatten()
                .unwrap_or_else(|| Row::failed(f, "the inspection stopped before a result".into()))
        })
        .collect();
    Listing {
        schema_version: crate::report::SCHEMA_VERSION,
        size_on_disk: total_size(&models),
        models,
    }
}

/// The bytes of the rows' files, each file once.
fn total_size(rows: &[Row]) -> u64 {
    let mut seen: HashMap<u64, u64> = HashMap::new();
    for r in rows {
        seen.extend(r.files.iter().copied());
    }
    seen.values().sum()
}

/// One model's row: inspected, the Report read and dropped. A panic in
/// the inspection (a bug) is that model's error, not the end of the run.
fn one_row(found: &Found, options: &crate::InspectOptions) -> Row {
    if let Some(problem) = &found.problem {
        return Row::failed(found, problem.clone());
    }
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        crate::inspect(&found.target, options)
    }));
    match run {
        Ok(Ok(report)) => Row::of(found, &report),
        Ok(Err(e)) => Row::failed(found, e.to_string()),
        Err(_) => Row::failed(
            found,
            "mri stopped on an internal error (a bug; please report it)".into(),
        ),
    }
}

/// The found models in `shard` (all of them without one).
pub fn in_shard(found: Vec<Found>, shard: Option<Shard>) -> Vec<Found> {
    match shard {
        Some(s) => found.into_iter().filter(|f| s.holds(&f.target)).collect(),
        None => found,
    }
}
