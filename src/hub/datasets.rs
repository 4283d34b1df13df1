//! The cards of the datasets an `hf://` model declares, fetched from the Hub
//! into the Hugging Face cache (`datasets--ORG--NAME`, the cache's own
//! layout), so that the training data's terms are read from them exactly as
//! from a card downloaded before (`license::datasets::cache`). A card that
//! cannot be fetched (missing, gated, offline) is simply not there: the
//! terms then come from the knowledge base, or are unknown. The failure is
//! recorded beside the cache's folders (as the Hugging Face cache records a
//! missing file under `.no_exist`), so that the next runs do not ask again
//! until [`RETRY_AFTER_SECS`] have passed.

use super::cache::CacheWriter;
use super::client::{HubClient, Purpose, Traffic};
use super::config::HubConfig;
use super::error::HubError;
use super::integrity::sha256_hex;
use crate::locate::HfCache;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// Largest dataset card fetched (cards carry large `dataset_info` blocks).
const MAX_CARD_BYTES: u64 = 4 * 1024 * 1024;

/// Dataset cards fetched at once.
const AT_ONCE: usize = 4;

/// Most dataset cards fetched for one model (the rest are read from the
/// cache when there, else from the knowledge base).
const MAX_CARDS: usize = 64;

/// A dataset card that could not be fetched is not asked for again before
/// this many seconds (six hours).
pub const RETRY_AFTER_SECS: u64 = 6 * 3600;

/// The file, in a dataset's cache folder (`datasets--ORG--NAME`), that
/// records a failed card fetch: the Unix time of the failure on its first
/// line, the reason on the second.
pub const UNAVAILABLE_MARKER: &str = ".mri-card-unavailable";

/// The marker's path for `id`; `None` for an id that is no safe path.
fn marker_path(hub: &Path, id: &str) -> Option<PathBuf> {
    if id.is_empty() || id.split('/').any(|p| p.is_empty() || p == "." || p == "..") {
        return None;
    }
    let folder = hub.join(format!("datasets--{}", id.replace('/', "--")));
    Some(folder.join(UNAVAILABLE_MARKER))
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Whether a fetch of `id`'s card failed less than [`RETRY_AFTER_SECS`]
/// ago (a marker dated in the future by more than that is ignored).
fn failed_recently(hub: &Path, id: &str, now: u64) -> bool {
    let Some(text) = marker_path(hub, id).and_then(|p| std::fs::read_to_string(p).ok()) else {
        return false;
    };
    let Some(when) = text
        .lines()
        .next()
        .and_then(|l| l.trim().parse::<u64>().ok())
    else {
        return false;
    };
    when <= now.saturating_add(RETRY_AFTER_SECS) && now.saturating_sub(when) < RETRY_AFTER_SECS
}

/// Records that `id`'s card could not be fetched (best effort: a cache
/// that cannot be written is asked again next time).
fn record_failure(hub: &Path, id: &str, why: &str, now: u64) {
    let Some(path) = marker_path(hub, id) else {
        return;
    };
    let Some(folder) = path.parent() else {
        return;
    };
    if std::fs::create_dir_all(folder).is_err() {
        return;
    }
    let reason: String = why.chars().filter(|c| !c.is_control()).take(500).collect();
    let tmp = folder.join(format!("{UNAVAILABLE_MARKER}.{}.tmp", std::process::id()));
    if std::fs::write(&tmp, format!("{now}\n{reason}\n")).is_ok()
        && std::fs::rename(&tmp, &path).is_err()
    {
        let _ = std::fs::remove_file(&tmp);
    }
}

/// Fetches the `README.md` of each dataset id not already in the cache and
/// not failed recently; records each failure. Returns, for each id that
/// could not be fetched now, why (for logs and tests).
pub fn fetch_cards(ids: &[String], cache: &HfCache) -> Vec<(String, String)> {
    if ids.is_empty() || HubConfig::from_env().offline {
        return Vec::new();
    }
    let client = match HubClient::shared() {
        Ok(c) => c,
        Err(e) => return ids.iter().map(|id| (id.clone(), e.to_string())).collect(),
    };
    let hub = cache.hub_dir();
    let cached = crate::license::datasets::cache::DatasetFolders::list(hub);
    let now = now_secs();
    let wanted: Vec<&String> = ids
        .iter()
        .filter(|id| cached.read(id).is_none() && !failed_recently(hub, id, now))
        .take(MAX_CARDS)
        .collect();
    let failed: Vec<(String, String)> = super::io_map(&wanted, AT_ONCE, |id| {
        fetch_card(client, cache, id).map_err(|e| ((*id).clone(), e))
    })
    .into_iter()
    .filter_map(Result::err)
    .collect();
    for id in wanted {
        match failed.iter().find(|(f, _)| f == id) {
            Some((_, why)) => record_failure(hub, id, why, now),
            None => {
                if let Some(marker) = marker_path(hub, id) {
                    let _ = std::fs::remove_file(marker);
                }
            }
        }
    }
    failed
}

/// A value that is safe as a cache path component (a commit, an etag).
fn component(v: &str) -> Option<String> {
    let v = v.trim().trim_start_matches("W/").trim_matches('"');
    (!v.is_empty() && v.len() <= 128 && v.chars().all(|c| c.is_ascii_alphanumeric()))
        .then(|| v.to_string())
}

/// One card: `GET {endpoint}/datasets/{id}/resolve/main/README.md`, written
/// as a blob linked from the snapshot its `X-Repo-Commit` names, with
/// `refs/main`. A card that is too large or comes without a commit is not
/// written, and counts as a failure.
fn fetch_card(client: &HubClient, cache: &HfCache, id: &str) -> Result<(), String> {
    fetch_card_inner(client, cache, id).map_err(|e| e.to_string())?
}

fn fetch_card_inner(
    client: &HubClient,
    cache: &HfCache,
    id: &str,
) -> Result<Result<(), String>, HubError> {
    let repo = format!("datasets/{id}");
    let url = client.file_url(&repo, "main", "README.md");
    let traffic = Traffic::default();
    let mut answer = client.get(&url, None, Purpose::Metadata, &repo, &traffic)?;
    let header = |name: &str| {
        answer
            .response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(component)
    };
    let commit = header("x-repo-commit");
    let etag = header("x-linked-etag").or_else(|| header("etag"));
    let mut bytes = Vec::new();
    answer
        .copy_to(&mut bytes, MAX_CARD_BYTES + 1, &traffic, &|_| {})
        .map_err(|e| HubError::io(std::path::Path::new(&url), e))?;
    if bytes.len() as u64 > MAX_CARD_BYTES {
        return Ok(Err(format!(
            "{url}: the card is larger than {MAX_CARD_BYTES} bytes"
        )));
    }
    // Without a commit the snapshot cannot be named as the cache names it.
    let Some(commit) = commit else {
        return Ok(Err(format!(
            "{url}: the answer names no commit (X-Repo-Commit)"
        )));
    };
    let etag = etag.unwrap_or_else(|| sha256_hex(&bytes));
    let writer = CacheWriter::new_dataset(cache, id, "main", &commit)?;
    if !writer.has_blob(&etag, Some(bytes.len() as u64)) {
        writer.write_blob(&etag, &bytes)?;
    }
    writer.link("README.md", &etag)?;
    writer.finish()?;
    Ok(Ok(()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failure_is_remembered_for_the_retry_period_only() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let hub = tmp.path();
        let now = 1_800_000_000;
        assert!(!failed_recently(hub, "acme/set", now));
        record_failure(hub, "acme/set", "404 Not Found\nfor a reason", now);
        let marker = hub.join("datasets--acme--set").join(UNAVAILABLE_MARKER);
        let text = std::fs::read_to_string(&marker).expect("marker");
        assert_eq!(text, format!("{now}\n404 Not Foundfor a reason\n"));
        assert!(failed_recently(hub, "acme/set", now + RETRY_AFTER_SECS - 1));
        assert!(!failed_recently(hub, "acme/set", now + RETRY_AFTER_SECS));
        assert!(!failed_recently(hub, "acme/other", now), "per dataset");
        // a date far in the future (a wrong clock) does not block for ever
        std::fs::write(&marker, format!("{}\n", now + 10 * RETRY_AFTER_SECS)).expect("write");
        assert!(!failed_recently(hub, "acme/set", now));
        // an unreadable marker does not block
        std::fs::write(&marker, "yesterday\n").expect("write");
        assert!(!failed_recently(hub, "acme/set", now));
        // ids that are no safe path are never written
        record_failure(hub, "../x", "no", now);
        assert!(!tmp.path().join("datasets--..--x").exists());
        assert!(marker_path(hub, "a//b").is_none());
    }
}
