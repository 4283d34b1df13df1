//! What `mri inspect hf://ORG/NAME` keeps for later offline runs (`mri
//! inspect ORG/NAME`, `mri check` in CI with `HF_HUB_OFFLINE`, `mri
//! verify`): the Hub's listing of the commit and the safetensors headers it
//! read by Range requests. They live in mri's own folder beside the cache's,
//! never inside a snapshot folder:
//!
//! ```text
//! <hub cache>/models--ORG--NAME/.mri/listings/<commit>.json
//! <hub cache>/models--ORG--NAME/.mri/headers/<commit>/<lfs sha256>.header
//! ```
//!
//! Headers are keyed by commit and by the shard's LFS sha256 (its blob id in
//! the cache); only hexadecimal names are ever used as file names. Reading
//! them back trusts nothing: a link, a special file, an oversized file, a
//! malformed listing or a path that is not a plain relative path is ignored
//! (the shard then reads as not kept).

use super::error::HubError;
use super::listing::{is_hex, safe_relative_path, RepoListing};
use crate::locate::{Target, TargetKind};
use crate::scan::remote::{RemoteFile, RemoteFiles};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// mri's folder inside a cache repo folder.
pub const DIR: &str = ".mri";
/// Largest kept listing read back.
const MAX_LISTING_BYTES: u64 = 64 * 1024 * 1024;
/// Largest kept header read back (length prefix and header).
const MAX_KEPT_HEADER_BYTES: u64 = crate::scan::safetensors::MAX_HEADER_BYTES + 8;

/// One listed file, as kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct KeptFile {
    path: String,
    size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    lfs_sha256: Option<String>,
}

/// The kept listing of one commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct KeptListing {
    commit: String,
    files: Vec<KeptFile>,
}

/// `.mri/listings/<commit>.json` of `repo_dir`.
pub fn listing_path(repo_dir: &Path, commit: &str) -> PathBuf {
    repo_dir
        .join(DIR)
        .join("listings")
        .join(format!("{commit}.json"))
}

/// `.mri/headers/<commit>/<sha256>.header` of `repo_dir`.
pub fn header_path(repo_dir: &Path, commit: &str, sha256: &str) -> PathBuf {
    repo_dir
        .join(DIR)
        .join("headers")
        .join(commit)
        .join(format!("{sha256}.header"))
}

/// Keeps the listing of `listing.commit` and the headers read
/// (`(lfs sha256, bytes)`), each written to a temporary name and renamed.
pub fn keep(
    repo_dir: &Path,
    listing: &RepoListing,
    headers: &[(&str, &[u8])],
) -> Result<(), HubError> {
    let commit = listing.commit.as_str();
    if !is_hex(commit, &[40]) {
        return Ok(());
    }
    let kept = KeptListing {
        commit: commit.to_string(),
        files: listing
            .files
            .iter()
            .filter(|f| f.safe_path())
            .map(|f| KeptFile {
                path: f.path.clone(),
                size: f.size,
                lfs_sha256: f.lfs_sha256.clone().filter(|h| is_hex(h, &[64])),
            })
            .collect(),
    };
    for (sha, bytes) in headers.iter().filter(|(sha, _)| is_hex(sha, &[64])) {
        write_atomic(&header_path(repo_dir, commit, sha), bytes)?;
    }
    let text = serde_json::to_vec(&kept).map_err(|e| {
        HubError::io(
            listing_path(repo_dir, commit),
            std::io::Error::other(e.to_string()),
        )
    })?;
    write_atomic(&listing_path(repo_dir, commit), &text)
}

fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), HubError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| HubError::io(parent, e))?;
    }
    let part = path.with_extension(format!("part{}", std::process::id()));
    std::fs::write(&part, bytes).map_err(|e| HubError::io(&part, e))?;
    std::fs::rename(&part, path).map_err(|e| HubError::io(path, e))
}

/// The files of a cache snapshot that an earlier `mri inspect hf://` saw
/// listed on the Hub but that are not in the snapshot, with the headers it
/// kept for them; `None` when nothing was kept for this commit, when every
/// listed file is in the snapshot, or when the target is not a cache
/// snapshot.
pub fn remote_files(target: &Target) -> Option<RemoteFiles> {
    if target.kind != TargetKind::CacheSnapshot {
        return None;
    }
    let commit = target.commit.as_deref().filter(|c| is_hex(c, &[40]))?;
    let repo_dir = &target.containment;
    let path = listing_path(repo_dir, commit);
    let bytes = read_plain(repo_dir, &path, MAX_LISTING_BYTES)?;
    let kept: KeptListing = serde_json::from_slice(&bytes).ok()?;
    if kept.commit != commit {
        return None;
    }
    let mut remote = RemoteFiles::default();
    for f in kept.files {
        if !safe_relative_path(&f.path) {
            continue;
        }
        // Whatever the snapshot holds under that name (a file, a link the
        // walk refuses) is the walk's to judge, never replaced by the listing.
        if std::fs::symlink_metadata(target.root.join(&f.path)).is_ok() {
            continue;
        }
        let sha = f.lfs_sha256.filter(|h| is_hex(h, &[64]));
        let header = crate::scan::walk::is_safetensors_name(&f.path).then(|| {
            sha.as_deref()
                .and_then(|s| {
                    read_plain(
                        repo_dir,
                        &header_path(repo_dir, commit, s),
                        MAX_KEPT_HEADER_BYTES,
                    )
                })
                .ok_or_else(|| {
                    "the header was not kept by an earlier `mri inspect hf://` (run it online again)"
                        .to_string()
                })
        });
        remote.files.push(RemoteFile {
            path: f.path,
            size: f.size.unwrap_or(0),
            lfs_sha256: sha,
            header,
        });
    }
    // Everything downloaded: the scan is that of any local folder.
    (!remote.files.is_empty()).then_some(remote)
}

/// Reads `path` (under `repo_dir`) when every component from `repo_dir` on
/// is a real folder or, last, a regular file of at most `cap` bytes; no link
/// is followed.
fn read_plain(repo_dir: &Path, path: &Path, cap: u64) -> Option<Vec<u8>> {
    let rel = path.strip_prefix(repo_dir).ok()?;
    let mut at = repo_dir.to_path_buf();
    let parts: Vec<_> = rel.components().collect();
    let (last, folders) = parts.split_last()?;
    for part in folders {
        at.push(part);
        let m = std::fs::symlink_metadata(&at).ok()?;
        if !m.is_dir() {
            return None;
        }
    }
    at.push(last);
    let m = std::fs::symlink_metadata(&at).ok()?;
    if !m.is_file() || m.len() > cap {
        return None;
    }
    use std::io::Read;
    let file = crate::util::fs::open_regular(&at).ok()?;
    let mut bytes = Vec::new();
    file.take(cap.saturating_add(1))
        .read_to_end(&mut bytes)
        .ok()?;
    (bytes.len() as u64 <= cap).then_some(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hub::listing::Sibling;

    #[test]
    fn kept_files_are_read_back_and_hostile_ones_ignored() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let repo = tmp.path().join("models--o--n");
        let commit = "ab".repeat(20);
        let snap = repo.join("snapshots").join(&commit);
        std::fs::create_dir_all(&snap).expect("snapshot");
        std::fs::write(snap.join("config.json"), "{}").expect("config");
        let sha = "cd".repeat(32);
        let sibling = |path: &str, lfs: Option<&str>| Sibling {
            path: path.into(),
            size: Some(10),
            blob_id: None,
            lfs_sha256: lfs.map(str::to_string),
        };
        let listing = RepoListing {
            commit: commit.clone(),
            files: vec![
                sibling("config.json", None),
                sibling("a.safetensors", Some(&sha)),
                sibling("b.safetensors", Some(&"ef".repeat(32))),
                sibling("../escape.safetensors", Some(&sha)),
            ],
        };
        keep(&repo, &listing, &[(&sha, b"header".as_slice())]).expect("kept");
        assert!(
            !snap.join(DIR).exists(),
            "nothing is written into the snapshot"
        );
        let target = Target {
            input: "o/n".into(),
            root: snap.clone(),
            kind: TargetKind::CacheSnapshot,
            repo_id: Some("o/n".into()),
            revision: None,
            commit: Some(commit.clone()),
            containment: repo.clone(),
            listed: None,
            ollama: None,
            notes: Vec::new(),
            remote: None,
        };
        let r = remote_files(&target).expect("kept listing");
        let got: Vec<(&str, bool)> = r
            .files
            .iter()
            .map(|f| (f.path.as_str(), matches!(f.header, Some(Ok(_)))))
            .collect();
        assert_eq!(got, [("a.safetensors", true), ("b.safetensors", false)]);
        // a kept header replaced by a link is not followed
        let header = header_path(&repo, &commit, &sha);
        std::fs::remove_file(&header).expect("rm");
        std::os::unix::fs::symlink("/etc/hostname", &header).expect("link");
        let r = remote_files(&target).expect("kept listing");
        assert!(matches!(r.files[0].header, Some(Err(_))));
        // a listing that is not JSON is no listing
        std::fs::write(listing_path(&repo, &commit), "{").expect("write");
        assert!(remote_files(&target).is_none());
    }
}
