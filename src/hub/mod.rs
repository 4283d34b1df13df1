//! Remote audit through the Hugging Face Hub: `hf://ORG/NAME[@REVISION]`
//! targets and `mri download`.
//!
//! The repository is listed through the Hub API, the small files the report
//! reads are downloaded into the standard cache (so other tools and
//! `mri inspect ORG/NAME` reuse them), and each safetensors header is read
//! with HTTP Range requests; tensor data is never fetched. `hf-hub` provides
//! the cache's layout and the token file; `reqwest` (blocking, rustls) makes
//! the requests, because `hf-hub` 0.4's synchronous API has no Range reads or
//! file sizes and `hf-hub` 1 is asynchronous and brings tokio's full runtime
//! and the Xet client (about 230 more crates, a C build of aws-lc).
//!
//! | file | job |
//! |---|---|
//! | `config.rs` | `HF_ENDPOINT`, `HF_TOKEN` / token file, `HF_HUB_OFFLINE`, timeouts, connection bound |
//! | `client.rs` | the HTTP client: auth, retries, timeouts, bound on requests in flight, traffic counts |
//! | `listing.rs` | `GET /api/models/{repo}/revision/{rev}?blobs=true` |
//! | `select.rs` | which files `inspect` fetches |
//! | `range.rs` | a safetensors header by Range requests |
//! | `cache.rs` | writing blobs, snapshot links and refs |
//! | `kept.rs` | the listing and headers kept beside the cache for offline runs |
//! | `integrity.rs` | sha256 / git blob sha1 of what arrives |
//! | `remote.rs` | `inspect`: listing + small files + headers → snapshot target and remote facts |
//! | `download.rs` | `mri download`: every file, resumable, with a progress bar |

pub mod cache;
pub mod client;
pub mod config;
pub mod datasets;
pub mod download;
pub mod error;
pub mod integrity;
pub mod kept;
pub mod listing;
pub mod range;
pub mod remote;
pub mod select;

pub use client::HubClient;
pub use config::HubConfig;
pub use error::HubError;
pub use remote::{Materialised, RemoteOptions};

use crate::locate::hub_ref::HubRef;
use crate::locate::{HfCache, LocateError, Target};
use crate::scan::remote::RemoteFiles;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// An `hf://` target made ready for the scan: from the Hub, or with
/// `HF_HUB_OFFLINE` from the cache alone (then without remote facts).
pub fn open(
    input: &str,
    hub: &HubRef,
    revision_flag: Option<&str>,
    cache: &HfCache,
    options: &RemoteOptions,
) -> Result<(Target, Option<RemoteFiles>), crate::Error> {
    let revision = hub
        .revision_with(revision_flag)
        .map_err(|why| LocateError::BadHubUrl {
            input: input.to_string(),
            why,
        })?;
    if HubConfig::from_env().offline {
        let target = locate_offline(input, hub, &revision, cache)?;
        let kept = kept::remote_files(&target);
        return Ok((target, kept));
    }
    let client = HubClient::shared()?;
    let m = remote::materialise(client, input, hub, &revision, cache, options)?;
    Ok((m.target, Some(m.remote)))
}

/// The cached snapshot of `hub` at `revision`, or why it is not there.
pub fn locate_offline(
    input: &str,
    hub: &HubRef,
    revision: &str,
    cache: &HfCache,
) -> Result<Target, HubError> {
    let offline = |what: String| HubError::Offline {
        repo: hub.repo.clone(),
        what,
        cache: cache.hub_dir().display().to_string(),
    };
    crate::locate::cached_hub_ref(input, hub, revision, cache).map_err(|e| match e {
        LocateError::NotDownloaded { .. } => offline(format!("`{}`", hub.repo)),
        LocateError::RevisionNotFound { available, .. } => offline(format!(
            "revision `{revision}` of `{}` (cached: {available})",
            hub.repo
        )),
        e @ (LocateError::BadRef { .. } | LocateError::SnapshotEscape { .. }) => HubError::Cache(e),
        other => offline(format!("`{}` ({other})", hub.repo)),
    })
}

/// Maps `f` over `items` on up to `threads` threads (I/O-bound work: each
/// thread takes the next item), keeping order.
pub fn io_map<T: Sync, R: Send>(items: &[T], threads: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = threads.clamp(1, items.len().max(1));
    if threads == 1 {
        return items.iter().map(&f).collect();
    }
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                let r = f(item);
                if let Ok(mut slots) = results.lock() {
                    slots[i] = Some(r);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .into_iter()
        .flatten()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_map_keeps_order() {
        for n in [0usize, 1, 5, 64] {
            let items: Vec<usize> = (0..n).collect();
            assert_eq!(
                io_map(&items, 8, |x| x * 3),
                items.iter().map(|x| x * 3).collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn offline_without_a_cache_says_so() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let hub = HubRef {
            repo: "org/name".into(),
            revision: None,
        };
        let e = locate_offline("hf://org/name", &hub, "main", &HfCache::new(tmp.path()))
            .expect_err("nothing cached");
        let text = e.to_string();
        assert!(
            text.contains("HF_HUB_OFFLINE") && text.contains("org/name"),
            "{text}"
        );
    }
}
