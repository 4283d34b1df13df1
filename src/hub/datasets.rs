//! The cards of the datasets an `hf://` model declares, fetched from the Hub
//! into the Hugging Face cache (`datasets--ORG--NAME`, the cache's own
//! layout), so that the training data's terms are read from them exactly as
//! from a card downloaded before (`license::datasets::cache`). A card that
//! cannot be fetched (missing, gated, offline) is simply not there: the
//! terms then come from the knowledge base, or are unknown.

use super::cache::CacheWriter;
use super::client::{HubClient, Purpose, Traffic};
use super::config::HubConfig;
use super::error::HubError;
use super::integrity::sha256_hex;
use crate::locate::HfCache;

/// Largest dataset card fetched (cards carry large `dataset_info` blocks).
const MAX_CARD_BYTES: u64 = 4 * 1024 * 1024;

/// Dataset cards fetched at once.
const AT_ONCE: usize = 4;

/// Most dataset cards fetched for one model (the rest are read from the
/// cache when there, else from the knowledge base).
const MAX_CARDS: usize = 64;

/// Fetches the `README.md` of each dataset id not already in the cache.
/// Returns, for each id that could not be fetched, why (for logs and tests).
pub fn fetch_cards(ids: &[String], cache: &HfCache) -> Vec<(String, String)> {
    if ids.is_empty() || HubConfig::from_env().offline {
        return Vec::new();
    }
    let client = match HubClient::shared() {
        Ok(c) => c,
        Err(e) => return ids.iter().map(|id| (id.clone(), e.to_string())).collect(),
    };
    let cached = crate::license::datasets::cache::DatasetFolders::list(cache.hub_dir());
    let wanted: Vec<&String> = ids
        .iter()
        .filter(|id| cached.read(id).is_none())
        .take(MAX_CARDS)
        .collect();
    super::io_map(&wanted, AT_ONCE, |id| {
        fetch_card(client, cache, id).map_err(|e| ((*id).clone(), e.to_string()))
    })
    .into_iter()
    .filter_map(Result::err)
    .collect()
}

/// A value that is safe as a cache path component (a commit, an etag).
fn component(v: &str) -> Option<String> {
    let v = v.trim().trim_start_matches("W/").trim_matches('"');
    (!v.is_empty() && v.len() <= 128 && v.chars().all(|c| c.is_ascii_alphanumeric()))
        .then(|| v.to_string())
}

/// One card: `GET {endpoint}/datasets/{id}/resolve/main/README.md`, written
/// as a blob linked from the snapshot its `X-Repo-Commit` names, with
/// `refs/main`.
fn fetch_card(client: &HubClient, cache: &HfCache, id: &str) -> Result<(), HubError> {
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
        return Ok(());
    }
    // Without a commit the snapshot cannot be named as the cache names it.
    let Some(commit) = commit else {
        return Ok(());
    };
    let etag = etag.unwrap_or_else(|| sha256_hex(&bytes));
    let writer = CacheWriter::new_dataset(cache, id, "main", &commit)?;
    if !writer.has_blob(&etag, Some(bytes.len() as u64)) {
        writer.write_blob(&etag, &bytes)?;
    }
    writer.link("README.md", &etag)?;
    writer.finish()
}
