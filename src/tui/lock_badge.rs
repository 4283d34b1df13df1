//! The "changed since lock" badge: the model checked against `--locked
//! FILE`, else an `mri.lock` beside the model's folder or in the working
//! folder (what `mri check --locked` would report, in one word).

use crate::lock::{HashOptions, LockStatus};
use crate::report::Report;
use std::path::{Path, PathBuf};

/// The lock file to compare with: `given`, else `mri.lock` in the folder
/// that holds the model, else `./mri.lock`; none when there is none.
pub fn find_lock(report: &Report, given: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = given {
        return Some(p.to_path_buf());
    }
    let beside = report.target.root.parent().map(|d| d.join("mri.lock"));
    beside
        .into_iter()
        .chain([PathBuf::from("mri.lock")])
        .find(|p| p.is_file())
}

/// The badge for the model `input` (inspected as `report`): `changed since
/// lock (N)` when it drifted from the lock file, `lock unreadable` when the
/// lock file does not read; none when it matches or is not locked.
pub fn badge(input: &str, report: &Report, given: Option<&Path>) -> Option<String> {
    let path = find_lock(report, given)?;
    let lock = match crate::lock::read(&path) {
        Ok(lock) => lock,
        Err(_) => return Some(format!("{} unreadable", path.display())),
    };
    match crate::lock::status(&lock, &path, input, report, &HashOptions::default()) {
        LockStatus::Drifted(d) => Some(format!("changed since lock ({})", d.len())),
        LockStatus::Matches | LockStatus::NotLocked => None,
    }
}
