//! Streaming hashes, files in parallel, with a progress bar.

use super::references::{Algorithm, Reference};
use crate::scan::FileEntry;
use sha1::Sha1;
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;

/// Bytes read per call.
const CHUNK: usize = 1 << 20;

/// The hashes of one file.
#[derive(Debug, Clone)]
pub struct Hashed {
    /// sha256, hex.
    pub sha256: String,
    /// Git blob sha1, hex, when a reference asks for it.
    pub git_sha1: Option<String>,
    /// Bytes read.
    pub bytes: u64,
}

fn hash_one(path: &Path, want_sha1: bool, progress: &AtomicU64) -> Result<Hashed, String> {
    let mut file = crate::util::fs::open_regular(path).map_err(|e| e.to_string())?;
    let len = file.metadata().map_err(|e| e.to_string())?.len();
    let mut sha256 = Sha256::new();
    let mut sha1 = want_sha1.then(|| {
        let mut h = Sha1::new();
        h.update(format!("blob {len}\0").as_bytes());
        h
    });
    let mut buf = vec![0u8; CHUNK];
    let mut total = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        sha256.update(&buf[..n]);
        if let Some(h) = sha1.as_mut() {
            h.update(&buf[..n]);
        }
        total += n as u64;
        progress.fetch_add(n as u64, Ordering::Relaxed);
    }
    Ok(Hashed {
        sha256: crate::security::read::hex(&sha256.finalize()),
        git_sha1: sha1.map(|h| crate::security::read::hex(&h.finalize())),
        bytes: total,
    })
}

/// One file to hash: where it really is, its size (for scheduling and the
/// progress bar), and whether its git blob sha1 is wanted too.
#[derive(Debug, Clone, Copy)]
pub struct Job<'a> {
    /// The real path (links resolved).
    pub path: &'a Path,
    /// Its size in bytes.
    pub size: u64,
    /// Compute the git blob sha1 as well.
    pub git_sha1: bool,
}

/// Hashes every file once on `jobs` threads (largest first), keeping order.
pub fn hash_all(
    work: &[(&FileEntry, Vec<Reference>)],
    jobs: usize,
    progress: bool,
) -> Vec<Result<Hashed, String>> {
    let files: Vec<Job> = work
        .iter()
        .map(|(f, refs)| Job {
            path: &f.real_path,
            size: f.size,
            git_sha1: refs.iter().any(|r| r.algorithm == Algorithm::GitSha1),
        })
        .collect();
    hash_jobs(&files, jobs, progress)
}

/// Hashes each file of `work` once on `jobs` threads (largest first),
/// keeping order, with a progress bar on stderr when asked.
pub fn hash_jobs(work: &[Job], jobs: usize, progress: bool) -> Vec<Result<Hashed, String>> {
    let total: u64 = work.iter().map(|j| j.size).sum();
    let done = AtomicU64::new(0);
    let next = AtomicUsize::new(0);
    let mut order: Vec<usize> = (0..work.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(work[i].size));
    let results: Mutex<Vec<Option<Result<Hashed, String>>>> = Mutex::new(vec![None; work.len()]);
    let finished = AtomicUsize::new(0);
    let bar = progress.then(|| {
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} hashing {bytes}/{total_bytes} {wide_bar} {binary_bytes_per_sec} eta {eta}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    std::thread::scope(|s| {
        for _ in 0..jobs.max(1).min(work.len().max(1)) {
            s.spawn(|| loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                let Some(&i) = order.get(k) else { break };
                let job = &work[i];
                let r = hash_one(job.path, job.git_sha1, &done);
                if let Ok(mut all) = results.lock() {
                    all[i] = Some(r);
                }
                finished.fetch_add(1, Ordering::Relaxed);
            });
        }
        if let Some(bar) = &bar {
            while finished.load(Ordering::Relaxed) < work.len() {
                bar.set_position(done.load(Ordering::Relaxed));
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            bar.finish_and_clear();
        }
    });
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err("not hashed".into())))
        .collect()
}
