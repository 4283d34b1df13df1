//! `mri download hf://ORG/NAME [--include GLOB]`: every file (or those the
//! globs match) into the Hugging Face cache, several at once, with a progress
//! bar. An interrupted file stays as `blobs/<etag>.incomplete` and is resumed
//! with a Range request; what arrives is checked against the listed sha256
//! (LFS) or git blob id.

use super::cache::CacheWriter;
use super::client::{is_timeout, HubClient, Purpose, Traffic};
use super::error::HubError;
use super::integrity::{Checker, Expected};
use super::io_map;
use super::listing::{self, Sibling};
use crate::locate::hub_ref::HubRef;
use crate::locate::HfCache;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

/// Files downloaded at once.
pub const PARALLEL_FILES: usize = 4;

/// Options of [`download`].
#[derive(Debug, Clone, Default)]
pub struct DownloadOptions {
    /// Only files matching one of these globs (`*.json`, `model-*.safetensors`); all when empty.
    pub include: Vec<String>,
    /// Show a progress bar on stderr.
    pub progress: bool,
}

/// What a download did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DownloadSummary {
    /// `org/name`.
    pub repo: String,
    /// The revision asked for.
    pub revision: String,
    /// The commit it resolved to.
    pub commit: String,
    /// The snapshot folder holding the files.
    pub snapshot: PathBuf,
    /// Files selected.
    pub files: u64,
    /// Their total size.
    pub bytes: u64,
    /// Files downloaded now (resumed ones included).
    pub downloaded: u64,
    /// Files resumed from an `.incomplete` part.
    pub resumed: u64,
    /// Files already complete in the cache.
    pub cached: u64,
    /// Body bytes received.
    pub bytes_fetched: u64,
    /// Listed files with unsafe paths, never written.
    pub skipped_unsafe: Vec<String>,
}

/// What happened to one file.
enum Done {
    Cached,
    Downloaded { resumed: bool },
}

/// Downloads `hub` at `revision` into `cache`.
pub fn download(
    client: &HubClient,
    hub: &HubRef,
    revision: &str,
    cache: &HfCache,
    options: &DownloadOptions,
) -> Result<DownloadSummary, HubError> {
    if client.config().offline {
        return Err(HubError::OfflineDownload {
            repo: hub.repo.clone(),
        });
    }
    let patterns = options
        .include
        .iter()
        .map(|g| {
            glob::Pattern::new(g).map_err(|e| HubError::BadResponse {
                url: format!("--include {g}"),
                message: format!("not a glob: {e}"),
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let traffic = Traffic::default();
    let repo = hub.repo.as_str();
    let listing = listing::list(client, repo, revision, &traffic)?;
    let selected: Vec<&Sibling> = listing
        .files
        .iter()
        .filter(|f| patterns.is_empty() || patterns.iter().any(|p| p.matches(&f.path)))
        .collect();
    if selected.is_empty() && !patterns.is_empty() {
        return Err(HubError::NotFound {
            url: client.listing_url(repo, revision),
            status: "no match".to_string(),
            message: String::new(),
            what: format!(
                "no file of `{repo}` matches --include {}",
                options.include.join(", ")
            ),
        });
    }
    let (safe, unsafe_paths): (Vec<&Sibling>, Vec<&Sibling>) =
        selected.into_iter().partition(|f| f.safe_path());
    let writer = CacheWriter::new(cache, repo, revision, &listing.commit)?;
    let total: u64 = safe
        .iter()
        .filter_map(|f| f.size)
        .fold(0, u64::saturating_add);
    let bar = progress_bar(options.progress, total);
    let done = AtomicU64::new(0);
    let outcomes = io_map(
        &safe,
        PARALLEL_FILES.min(client.config().connections),
        |file| {
            let r = download_file(client, &writer, repo, &listing.commit, file, &traffic, &bar);
            let n = done.fetch_add(1, Ordering::Relaxed) + 1;
            bar.set_message(format!("{n}/{} files", safe.len()));
            r
        },
    );
    bar.finish_and_clear();
    let mut summary = DownloadSummary {
        repo: repo.to_string(),
        revision: revision.to_string(),
        commit: listing.commit.clone(),
        snapshot: writer.snapshot_dir().to_path_buf(),
        files: safe.len() as u64,
        bytes: total,
        skipped_unsafe: unsafe_paths.iter().map(|f| f.path.clone()).collect(),
        ..Default::default()
    };
    for outcome in outcomes {
        match outcome? {
            Done::Cached => summary.cached += 1,
            Done::Downloaded { resumed } => {
                summary.downloaded += 1;
                summary.resumed += u64::from(resumed);
            }
        }
    }
    writer.finish()?;
    summary.bytes_fetched = traffic.bytes();
    Ok(summary)
}

fn progress_bar(show: bool, total: u64) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "downloading {bar:30} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} eta {eta} {msg}",
    ) {
        bar.set_style(style);
    }
    bar
}

/// One file: linked when its blob is complete, else downloaded (resuming a
/// part left by an earlier run), checked, renamed and linked.
fn download_file(
    client: &HubClient,
    writer: &CacheWriter,
    repo: &str,
    commit: &str,
    file: &Sibling,
    traffic: &Traffic,
    bar: &ProgressBar,
) -> Result<Done, HubError> {
    let etag = file.etag().ok_or_else(|| HubError::BadResponse {
        url: client.listing_url(repo, commit),
        message: format!(
            "the listing gives no blob id or LFS sha256 for `{}`",
            file.path
        ),
    })?;
    if writer.has_blob(etag, file.size) {
        writer.link(&file.path, etag)?;
        bar.inc(file.size.unwrap_or(0));
        return Ok(Done::Cached);
    }
    let part = writer.incomplete_path(etag);
    let mut have = std::fs::metadata(&part).map(|m| m.len()).unwrap_or(0);
    if file.size.is_some_and(|s| have > s) {
        have = 0;
    }
    let resumed = have > 0;
    let mut check = Checker::new(Expected::of(file));
    if have > 0 {
        hash_prefix(&part, have, &mut check)?;
        bar.inc(have);
    }
    let mut out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&part)
        .map_err(|e| HubError::io(&part, e))?;
    out.set_len(have).map_err(|e| HubError::io(&part, e))?;
    let url = client.file_url(repo, commit, &file.path);
    let attempts = client.config().attempts.max(1);
    let mut failures = 0u32;
    while file.size.is_none_or(|s| have < s) {
        let range = (have > 0).then_some((have, None));
        let mut answer = client.get(&url, range, Purpose::Download, repo, traffic)?;
        if have > 0 && !answer.partial() {
            // The server sent the whole file: start over.
            out.set_len(0).map_err(|e| HubError::io(&part, e))?;
            check = Checker::new(Expected::of(file));
            bar.set_position(bar.position().saturating_sub(have));
            have = 0;
        }
        let cap = file.size.map_or(u64::MAX, |s| s - have);
        let mut sink = HashingWriter {
            file: &mut out,
            check: &mut check,
        };
        let before = have;
        let copied = answer.copy_to(&mut sink, cap, traffic, &|n| bar.inc(n));
        drop(answer);
        match copied {
            Ok(n) => {
                have += n;
                if file.size.is_none() {
                    break;
                }
                if n == 0 {
                    failures += 1;
                }
            }
            Err(e) => {
                // Keep what arrived: the next attempt resumes after it.
                have = std::fs::metadata(&part).map(|m| m.len()).unwrap_or(before);
                failures += 1;
                if failures >= attempts {
                    return Err(if is_timeout(&e) {
                        HubError::Timeout {
                            url,
                            seconds: format!("{}", client.config().download_timeout.as_secs_f64()),
                            attempts,
                            variable: "HF_HUB_DOWNLOAD_TIMEOUT",
                        }
                    } else {
                        HubError::Transport {
                            url,
                            attempts,
                            message: e.to_string(),
                        }
                    });
                }
            }
        }
        if failures >= attempts {
            return Err(HubError::BadResponse {
                url,
                message: format!(
                    "the body ended after {have} of {} bytes, {attempts} times",
                    file.size.unwrap_or(0)
                ),
            });
        }
    }
    out.flush().map_err(|e| HubError::io(&part, e))?;
    drop(out);
    if let Err(e) = check.finish(&file.path) {
        let _ = std::fs::remove_file(&part);
        return Err(e);
    }
    writer.complete_blob(etag)?;
    writer.link(&file.path, etag)?;
    Ok(Done::Downloaded { resumed })
}

/// Hashes the first `len` bytes already in the part file.
fn hash_prefix(part: &std::path::Path, len: u64, check: &mut Checker) -> Result<(), HubError> {
    let mut f = std::fs::File::open(part).map_err(|e| HubError::io(part, e))?;
    let mut buf = vec![0u8; 1 << 20];
    let mut left = len;
    while left > 0 {
        let want = left.min(buf.len() as u64) as usize;
        let n = f
            .read(&mut buf[..want])
            .map_err(|e| HubError::io(part, e))?;
        if n == 0 {
            break;
        }
        check.update(&buf[..n]);
        left -= n as u64;
    }
    Ok(())
}

/// Writes to the part file and hashes on the way.
struct HashingWriter<'a> {
    file: &'a mut std::fs::File,
    check: &'a mut Checker,
}

impl Write for HashingWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.file.write(buf)?;
        self.check.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}
