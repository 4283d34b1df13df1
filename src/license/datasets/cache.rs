//! A dataset's own card and license file in the Hugging Face cache
//! (`datasets--ORG--NAME/snapshots/<commit>/README.md`, `LICENSE*`), read
//! before the analysis so that it stays free of I/O. Missing folders and
//! unreadable files are simply absent: the terms then come from the
//! knowledge base, or are unknown.

use crate::license::LicenseFile;
use crate::util::fs::open_regular;
use std::io::Read;
use std::path::{Path, PathBuf};

/// What the cache holds of one dataset.
#[derive(Debug, Clone, Default)]
pub struct CachedDataset {
    /// The id it was looked up by, as the card wrote it (config removed).
    pub id: String,
    /// The card's path (`datasets--ORG--NAME/snapshots/<commit>/README.md`,
    /// relative to the cache's hub folder), when there is one.
    pub card_path: Option<String>,
    /// The card's text.
    pub card_text: Option<String>,
    /// LICENSE files beside the card, paths relative to the hub folder.
    pub license_files: Vec<LicenseFile>,
}

/// Longest dataset card read (cards carry large `dataset_info` blocks).
const MAX_CARD_BYTES: u64 = 4 * 1024 * 1024;

/// Reads at most `limit` bytes of a regular file as UTF-8; `None` when it
/// cannot be read, is longer or is not text.
fn read_capped(path: &Path, limit: u64) -> Option<String> {
    let file = open_regular(path).ok()?;
    let mut buf = Vec::new();
    file.take(limit + 1).read_to_end(&mut buf).ok()?;
    if buf.len() as u64 > limit {
        return None;
    }
    String::from_utf8(buf).ok()
}

/// The `datasets--*` folders of the cache, by their lower-cased names
/// (the Hub's ids are not case-sensitive), listed once per model.
pub struct DatasetFolders {
    hub: PathBuf,
    by_name: std::collections::HashMap<String, PathBuf>,
}

impl DatasetFolders {
    /// Lists the cache at `hub` (empty when it cannot be read).
    pub fn list(hub: &Path) -> DatasetFolders {
        let by_name = std::fs::read_dir(hub)
            .map(|rd| {
                rd.filter_map(Result::ok)
                    .filter_map(|e| {
                        let name = e.file_name().to_string_lossy().to_ascii_lowercase();
                        name.starts_with("datasets--").then(|| (name, e.path()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        DatasetFolders {
            hub: hub.to_path_buf(),
            by_name,
        }
    }

    /// The cache folder of a dataset id (`datasets--ORG--NAME`, any case).
    fn folder_of(&self, id: &str) -> Option<&Path> {
        if id.is_empty() || id.split('/').any(|p| p.is_empty() || p == "." || p == "..") {
            return None;
        }
        let name = format!("datasets--{}", id.replace('/', "--")).to_ascii_lowercase();
        self.by_name
            .get(&name)
            .map(PathBuf::as_path)
            .filter(|p| p.join("snapshots").is_dir())
    }

    /// What the cache holds of the dataset `id`; `None` without a folder.
    pub fn read(&self, id: &str) -> Option<CachedDataset> {
        read_folder(&self.hub, self.folder_of(id)?, id)
    }
}

/// The snapshot `refs/main` names, else the only one, else the newest.
fn snapshot_of(folder: &Path) -> Option<PathBuf> {
    let snapshots = folder.join("snapshots");
    if let Some(commit) = read_capped(&folder.join("refs").join("main"), 256) {
        let commit = commit.trim();
        if !commit.is_empty() && commit.chars().all(|c| c.is_ascii_alphanumeric()) {
            let dir = snapshots.join(commit);
            if dir.is_dir() {
                return Some(dir);
            }
        }
    }
    std::fs::read_dir(&snapshots)
        .ok()?
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .max_by_key(|e| e.metadata().and_then(|m| m.modified()).ok())
        .map(|e| e.path())
}

/// True for the names of license files (`LICENSE`, `LICENSE.md`, `license.txt`, `COPYING`).
fn is_license_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let stem = lower.split('.').next().unwrap_or(&lower);
    matches!(stem, "license" | "licence" | "copying")
}

/// What the cache at `hub` holds of the dataset `id`; `None` when it has no
/// folder for it (one id; [`DatasetFolders`] lists the cache once for many).
pub fn read(hub: &Path, id: &str) -> Option<CachedDataset> {
    DatasetFolders::list(hub).read(id)
}

/// The card and license files of the snapshot of `folder` that `refs/main` names.
fn read_folder(hub: &Path, folder: &Path, id: &str) -> Option<CachedDataset> {
    let snapshot = snapshot_of(folder)?;
    let rel = |p: &Path| {
        p.strip_prefix(hub)
            .unwrap_or(p)
            .to_string_lossy()
            .into_owned()
    };
    let card = snapshot.join("README.md");
    let card_text = read_capped(&card, MAX_CARD_BYTES);
    let mut names: Vec<String> = std::fs::read_dir(&snapshot)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| is_license_name(n))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let license_files = names
        .iter()
        .filter_map(|n| {
            let path = snapshot.join(n);
            let text = read_capped(&path, crate::license::MAX_TEXT_BYTES)?;
            Some(LicenseFile {
                path: rel(&path),
                text,
            })
        })
        .collect();
    Some(CachedDataset {
        id: id.to_string(),
        card_path: card_text.as_ref().map(|_| rel(&card)),
        card_text,
        license_files,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_card_and_license_of_the_main_snapshot_are_read() {
        let hub = tempfile::tempdir().unwrap();
        let folder = hub.path().join("datasets--Org--Set");
        let snap = folder.join("snapshots").join("abc123");
        std::fs::create_dir_all(&snap).unwrap();
        std::fs::create_dir_all(folder.join("refs")).unwrap();
        std::fs::write(folder.join("refs/main"), "abc123").unwrap();
        std::fs::write(snap.join("README.md"), "---\nlicense: mit\n---\n").unwrap();
        std::fs::write(snap.join("LICENSE"), "MIT License\n").unwrap();
        std::fs::write(snap.join("data.csv"), "a,b\n").unwrap();
        let got = read(hub.path(), "org/set").expect("found without regard to case");
        assert_eq!(
            got.card_path.as_deref(),
            Some("datasets--Org--Set/snapshots/abc123/README.md")
        );
        assert_eq!(got.license_files.len(), 1);
        assert!(read(hub.path(), "org/other").is_none());
        assert!(read(hub.path(), "../x").is_none());
    }
}
