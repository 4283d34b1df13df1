//! `mri inspect hf://ORG/NAME`: list the repository, bring the small files
//! the report reads into the cache (reusing what is there), read every
//! safetensors header with Range requests, and hand the scan a cache
//! snapshot plus the facts about the files left on the Hub.

use super::cache::CacheWriter;
use super::client::{HubClient, Traffic};
use super::error::HubError;
use super::integrity::{sha256_hex, Checker, Expected};
use super::io_map;
use super::listing::{self, RepoListing, Sibling};
use super::range;
use super::select::{self, Plan, MAX_OTHER_FILES, SMALL_FILE_BYTES};
use crate::locate::hub_ref::{HubRef, RemoteInfo};
use crate::locate::{HfCache, Target, TargetKind};
use crate::scan::remote::{RemoteFile, RemoteFiles};
use crate::util::json::MAX_CONFIG_BYTES;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// Options of remote inspection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoteOptions {
    /// Also fetch `tokenizer.json` and the vocabulary files (`--tokenizer`).
    pub tokenizer: bool,
}

/// A remote repository made ready for the scan.
#[derive(Debug, Clone)]
pub struct Materialised {
    /// The cache snapshot, with `remote` set.
    pub target: Target,
    /// The files left on the Hub.
    pub remote: RemoteFiles,
}

/// What happened to one small file.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Got {
    Fetched,
    Cached,
    Left,
    /// Not used: the answer disagrees with the listing (why).
    Refused(String),
}

/// What the header reads of one repository share.
struct HeaderReads {
    /// Bytes left for second reads of long headers.
    budget: AtomicU64,
    /// The longest header seen so far, prefix included.
    longest: AtomicU64,
}

/// A header's bytes read through the Hub (or why not), and the file's size.
type RemoteHeader = (Result<Vec<u8>, String>, Option<u64>);

/// What happened to one safetensors file.
enum Header {
    /// Complete in the cache: read from disk by the scan.
    Local,
    /// Read through the Hub (or why not), with the file's size.
    Remote(Result<Vec<u8>, String>, Option<u64>),
}

/// Lists `hub` at `revision`, fetches what the report needs into `cache`, and
/// returns the snapshot target and the remote facts.
pub fn materialise(
    client: &HubClient,
    input: &str,
    hub: &HubRef,
    revision: &str,
    cache: &HfCache,
    options: &RemoteOptions,
) -> Result<Materialised, HubError> {
    let traffic = Traffic::default();
    let repo = hub.repo.as_str();
    let listing = listing::list(client, repo, revision, &traffic)?;
    let writer = CacheWriter::new(cache, repo, revision, &listing.commit)?;

    let (small, shards) = split(&listing, options);
    let threads = client.config().connections;
    let mut got: Vec<Got> = io_map(&small, threads, |(file, cap)| {
        fetch_small(client, &writer, repo, &listing.commit, file, *cap, &traffic)
    })
    .into_iter()
    .collect::<Result<_, _>>()?;

    // The file the card's `license_link` names is a license text too,
    // whatever its name.
    let license = linked_license(&writer, &listing, &small);
    if let Some(file) = license {
        got.push(fetch_small(
            client,
            &writer,
            repo,
            &listing.commit,
            file,
            MAX_CONFIG_BYTES,
            &traffic,
        )?);
    }
    let problems: Vec<(String, String)> = small
        .iter()
        .map(|(f, _)| *f)
        .chain(license)
        .zip(&got)
        .filter_map(|(f, g)| match g {
            Got::Refused(why) => Some((f.path.clone(), why.clone())),
            _ => None,
        })
        .collect();

    // The first shard alone, so that the others' first reads can be sized
    // after its header.
    let reads = HeaderReads {
        budget: AtomicU64::new(crate::scan::safetensors::header_budget_from_env()),
        longest: AtomicU64::new(0),
    };
    let read = |file: &&Sibling| {
        shard_header(
            client,
            &writer,
            repo,
            &listing.commit,
            file,
            &traffic,
            &reads,
        )
    };
    let mut headers: Vec<Header> = Vec::with_capacity(shards.len());
    if let Some(first) = shards.first() {
        headers.push(read(first)?);
    }
    for h in io_map(shards.get(1..).unwrap_or(&[]), threads, read) {
        headers.push(h?);
    }
    writer.finish()?;

    let mut header_of: HashMap<&str, RemoteHeader> = HashMap::new();
    let mut headers_read = 0u64;
    for (file, h) in shards.iter().zip(headers) {
        if let Header::Remote(bytes, size) = h {
            headers_read += u64::from(bytes.is_ok());
            header_of.insert(file.path.as_str(), (bytes, size));
        }
    }
    let remote = left_on_hub(&writer, &listing, &shards, header_of, problems)?;

    let info = RemoteInfo {
        endpoint: client.config().endpoint.clone(),
        repo: repo.to_string(),
        revision: revision.to_string(),
        commit: listing.commit.clone(),
        files_listed: listing.files.len() as u64,
        repo_bytes: listing
            .files
            .iter()
            .filter_map(|f| f.size)
            .fold(0u64, u64::saturating_add),
        files_fetched: got.iter().filter(|g| **g == Got::Fetched).count() as u64,
        files_cached: got.iter().filter(|g| **g == Got::Cached).count() as u64,
        headers_read,
        files_remote_only: remote.files.len() as u64,
        bytes_fetched: traffic.bytes(),
        requests: traffic.requests(),
    };
    let canonical = |p: &std::path::Path| p.canonicalize().map_err(|e| HubError::io(p, e));
    let target = Target {
        input: input.to_string(),
        root: canonical(writer.snapshot_dir())?,
        kind: TargetKind::CacheSnapshot,
        repo_id: Some(repo.to_string()),
        revision: Some(revision.to_string()),
        commit: Some(listing.commit.clone()),
        containment: canonical(writer.repo_dir())?,
        listed: None,
        ollama: None,
        notes: Vec::new(),
        remote: Some(info),
    };
    Ok(Materialised { target, remote })
}

/// The listed files to fetch (with the most bytes read of each) and the
/// safetensors files whose headers are read.
fn split<'a>(
    listing: &'a RepoListing,
    options: &RemoteOptions,
) -> (Vec<(&'a Sibling, u64)>, Vec<&'a Sibling>) {
    let mut small: Vec<(&Sibling, u64)> = Vec::new();
    let mut shards: Vec<&Sibling> = Vec::new();
    let mut others = 0usize;
    for file in listing.files.iter().filter(|f| f.safe_path()) {
        match select::plan(&file.path, file.size, options.tokenizer) {
            Plan::Fetch(cap) => small.push((file, cap)),
            Plan::FetchIfRoom if others < MAX_OTHER_FILES => {
                others += 1;
                small.push((file, SMALL_FILE_BYTES));
            }
            Plan::Header => shards.push(file),
            Plan::FetchIfRoom | Plan::Skip => {}
        }
    }
    (small, shards)
}

/// The files left on the Hub, with the headers read for them; the listing
/// and the headers are kept beside the cache for later offline runs (see
/// [`super::kept`]).
fn left_on_hub(
    writer: &CacheWriter,
    listing: &RepoListing,
    shards: &[&Sibling],
    mut header_of: HashMap<&str, RemoteHeader>,
    problems: Vec<(String, String)>,
) -> Result<RemoteFiles, HubError> {
    let keep: Vec<(&str, &[u8])> = shards
        .iter()
        .filter_map(|f| {
            let sha = f.lfs_sha256.as_deref()?;
            let (bytes, _) = header_of.get(f.path.as_str())?;
            let bytes = bytes.as_deref().ok()?;
            // A header cut short (over the budget) is not kept.
            let whole = range::announced(bytes).is_some_and(|n| n <= bytes.len() as u64);
            whole.then_some((sha, bytes))
        })
        .collect();
    super::kept::keep(writer.repo_dir(), listing, &keep)?;
    let mut remote = RemoteFiles {
        problems,
        ..RemoteFiles::default()
    };
    for file in &listing.files {
        if file.safe_path() && writer.has_file(&file.path) {
            continue;
        }
        let (header, size) = match header_of.remove(file.path.as_str()) {
            Some((bytes, size)) => (Some(bytes), size),
            None => (None, None),
        };
        remote.files.push(RemoteFile {
            path: file.path.clone(),
            size: file.size.or(size).unwrap_or(0),
            lfs_sha256: file.lfs_sha256.clone(),
            header,
        });
    }
    Ok(remote)
}

/// Brings one small file into the cache, unless it is there already.
fn fetch_small(
    client: &HubClient,
    writer: &CacheWriter,
    repo: &str,
    commit: &str,
    file: &Sibling,
    cap: u64,
    traffic: &Traffic,
) -> Result<Got, HubError> {
    if let Some(etag) = file.etag() {
        if writer.has_blob(etag, file.size) {
            writer.link(&file.path, etag)?;
            return Ok(Got::Cached);
        }
    }
    if writer.has_file(&file.path) {
        return Ok(Got::Cached);
    }
    let url = client.file_url(repo, commit, &file.path);
    // One byte over what is wanted tells a file that is too large (or a body
    // longer than listed, which is never read to its end).
    let wanted = file.size.filter(|s| *s <= cap).unwrap_or(cap);
    let body = client.fetch(&url, None, wanted.saturating_add(1), repo, traffic)?;
    let len = body.bytes.len() as u64;
    match file.size {
        Some(size) if size <= cap && len > size => {
            return Ok(Got::Refused(format!(
                "the Hub lists {size} bytes, but the server sent more (reading stopped at {len} bytes); the file was not used"
            )));
        }
        Some(size) if size <= cap && len < size => {
            return Ok(Got::Refused(format!(
                "the Hub lists {size} bytes, but the server sent only {len}; the file was not used"
            )));
        }
        _ if len > cap => return Ok(Got::Left),
        _ => {}
    }
    let mut check = Checker::new(Expected::of(file));
    check.update(&body.bytes);
    check.finish(&file.path)?;
    let etag = file
        .etag()
        .map(str::to_string)
        .unwrap_or_else(|| sha256_hex(&body.bytes));
    writer.write_blob(&etag, &body.bytes)?;
    writer.link(&file.path, &etag)?;
    Ok(Got::Fetched)
}

/// A safetensors file: complete in the cache already, or its header read
/// through the Hub. Refused access stops the whole target; other failures
/// become a finding on the shard.
fn shard_header(
    client: &HubClient,
    writer: &CacheWriter,
    repo: &str,
    commit: &str,
    file: &Sibling,
    traffic: &Traffic,
    reads: &HeaderReads,
) -> Result<Header, HubError> {
    if let Some(etag) = file.etag() {
        if writer.has_blob(etag, file.size) {
            writer.link(&file.path, etag)?;
            return Ok(Header::Local);
        }
    }
    if writer.has_file(&file.path) {
        return Ok(Header::Local);
    }
    let url = client.file_url(repo, commit, &file.path);
    let first = range::first_read_after(reads.longest.load(Ordering::Relaxed));
    match range::read_header(client, &url, file.size, first, repo, traffic, &reads.budget) {
        Ok(h) => {
            if let Some(n) = h.announced().filter(|n| *n <= h.bytes.len() as u64) {
                reads.longest.fetch_max(n, Ordering::Relaxed);
            }
            Ok(Header::Remote(Ok(h.bytes), Some(h.file_size)))
        }
        Err(e @ HubError::Unauthorized { .. }) => Err(e),
        Err(e) => Ok(Header::Remote(Err(e.to_string()), file.size)),
    }
}

/// The listed file that the card's `license_link` names, when it was not
/// fetched already.
fn linked_license<'a>(
    writer: &CacheWriter,
    listing: &'a RepoListing,
    small: &[(&Sibling, u64)],
) -> Option<&'a Sibling> {
    let card = listing
        .files
        .iter()
        .find(|f| f.path.eq_ignore_ascii_case("README.md"))?;
    let text = std::fs::read_to_string(writer.snapshot_dir().join(&card.path)).ok()?;
    let (parsed, _) = crate::model::card::parse_card(&card.path, &text);
    let link = parsed.license_link?;
    if link.contains("://") {
        return None;
    }
    let link = link.trim_start_matches("./");
    let file = listing
        .files
        .iter()
        .find(|f| f.path == link && f.safe_path())?;
    let fetched = small.iter().any(|(s, _)| s.path == file.path);
    let fits = file.size.is_none_or(|s| s <= MAX_CONFIG_BYTES);
    (!fetched && fits && !link.to_ascii_lowercase().ends_with(".safetensors")).then_some(file)
}
