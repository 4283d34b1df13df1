//! Writing into the Hugging Face cache in its own layout, so that other tools
//! (and `mri inspect ORG/NAME` offline) reuse what was fetched:
//! `models--ORG--NAME/blobs/<etag>`, `snapshots/<commit>/<path>` as relative
//! links into `blobs/`, and `refs/<revision>` holding the commit. Folder
//! names and refs come from `hf-hub`'s cache; blobs are written to
//! `<etag>.incomplete` and renamed when complete.

use super::error::HubError;
use crate::locate::HfCache;
use std::path::{Path, PathBuf};

/// One repo's folder in the cache, at one commit.
#[derive(Debug)]
pub struct CacheWriter {
    repo: hf_hub::CacheRepo,
    repo_dir: PathBuf,
    snapshot: PathBuf,
    revision: String,
    commit: String,
}

impl CacheWriter {
    /// Opens (creating) the folders of `repo_id` at `commit`; `revision` is
    /// the ref written by [`CacheWriter::finish`].
    pub fn new(
        cache: &HfCache,
        repo_id: &str,
        revision: &str,
        commit: &str,
    ) -> Result<Self, HubError> {
        Self::open(cache, repo_id, hf_hub::RepoType::Model, revision, commit)
    }

    /// As [`CacheWriter::new`], for a dataset repo (`datasets--ORG--NAME`).
    pub fn new_dataset(
        cache: &HfCache,
        repo_id: &str,
        revision: &str,
        commit: &str,
    ) -> Result<Self, HubError> {
        Self::open(cache, repo_id, hf_hub::RepoType::Dataset, revision, commit)
    }

    fn open(
        cache: &HfCache,
        repo_id: &str,
        repo_type: hf_hub::RepoType,
        revision: &str,
        commit: &str,
    ) -> Result<Self, HubError> {
        let hub = cache.hub_dir().to_path_buf();
        let spec =
            hf_hub::Repo::with_revision(repo_id.to_string(), repo_type, revision.to_string());
        let repo_dir = hub.join(spec.folder_name());
        let snapshot = repo_dir.join("snapshots").join(commit);
        for dir in [repo_dir.join("blobs"), snapshot.clone()] {
            std::fs::create_dir_all(&dir).map_err(|e| HubError::io(&dir, e))?;
        }
        refuse_links_out(
            &repo_dir,
            &[
                ("blobs folder", repo_dir.join("blobs")),
                ("snapshot folder", snapshot.clone()),
            ],
        )?;
        Ok(CacheWriter {
            repo: hf_hub::Cache::new(hub).repo(spec),
            repo_dir,
            snapshot,
            revision: revision.to_string(),
            commit: commit.to_string(),
        })
    }

    /// `models--ORG--NAME`.
    pub fn repo_dir(&self) -> &Path {
        &self.repo_dir
    }

    /// `snapshots/<commit>`.
    pub fn snapshot_dir(&self) -> &Path {
        &self.snapshot
    }

    /// `blobs/<etag>`.
    pub fn blob_path(&self, etag: &str) -> PathBuf {
        self.repo_dir.join("blobs").join(etag)
    }

    /// `blobs/<etag>.incomplete`, where a download in progress is written.
    pub fn incomplete_path(&self, etag: &str) -> PathBuf {
        self.repo_dir
            .join("blobs")
            .join(format!("{etag}.incomplete"))
    }

    /// True when the blob is complete in the cache (of `size` bytes when known).
    pub fn has_blob(&self, etag: &str, size: Option<u64>) -> bool {
        std::fs::metadata(self.blob_path(etag))
            .is_ok_and(|m| m.is_file() && size.is_none_or(|s| m.len() == s))
    }

    /// True when `path` is in the snapshot and its content is there.
    pub fn has_file(&self, path: &str) -> bool {
        std::fs::metadata(self.snapshot.join(path)).is_ok_and(|m| m.is_file())
    }

    /// Writes a whole blob (through `<etag>.incomplete`, renamed at the end).
    pub fn write_blob(&self, etag: &str, bytes: &[u8]) -> Result<(), HubError> {
        let part = self.incomplete_path(etag);
        std::fs::write(&part, bytes).map_err(|e| HubError::io(&part, e))?;
        self.complete_blob(etag)
    }

    /// Renames `<etag>.incomplete` to the blob.
    pub fn complete_blob(&self, etag: &str) -> Result<(), HubError> {
        let part = self.incomplete_path(etag);
        let blob = self.blob_path(etag);
        std::fs::rename(&part, &blob).map_err(|e| HubError::io(&blob, e))
    }

    /// Links `snapshots/<commit>/<path>` to `blobs/<etag>` (relative, as the
    /// Hugging Face tools link). `path` must be safe (see
    /// [`super::listing::safe_relative_path`]). A regular file already there
    /// is left alone.
    pub fn link(&self, path: &str, etag: &str) -> Result<(), HubError> {
        let link = self.snapshot.join(path);
        if let Some(parent) = link.parent() {
            std::fs::create_dir_all(parent).map_err(|e| HubError::io(parent, e))?;
        }
        let depth = path.matches('/').count();
        let target = PathBuf::from(format!("{}blobs/{etag}", "../".repeat(2 + depth)));
        match std::fs::symlink_metadata(&link) {
            Ok(m) if m.file_type().is_symlink() => {
                if std::fs::read_link(&link).is_ok_and(|t| t == target) {
                    return Ok(());
                }
                std::fs::remove_file(&link).map_err(|e| HubError::io(&link, e))?;
            }
            Ok(_) => return Ok(()),
            Err(_) => {}
        }
        match std::os::unix::fs::symlink(&target, &link) {
            Ok(()) => Ok(()),
            // Another process linked it meanwhile.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
            Err(e) => Err(HubError::io(&link, e)),
        }
    }

    /// Writes `refs/<revision>` (unless the revision is the commit itself,
    /// as the Hugging Face tools do).
    pub fn finish(&self) -> Result<(), HubError> {
        if self.revision == self.commit {
            return Ok(());
        }
        self.repo
            .create_ref(&self.commit)
            .map_err(|e| HubError::io(self.repo_dir.join("refs").join(&self.revision), e))
    }
}

/// Refuses to write through a folder of the repo (its blobs, the snapshot)
/// that is a link leading out of the repo folder: what would be written
/// there, and read back, would be outside the cache.
fn refuse_links_out(repo_dir: &Path, dirs: &[(&'static str, PathBuf)]) -> Result<(), HubError> {
    let repo = repo_dir
        .canonicalize()
        .map_err(|e| HubError::io(repo_dir, e))?;
    for (what, dir) in dirs {
        let real = dir.canonicalize().map_err(|e| HubError::io(dir, e))?;
        if !real.starts_with(&repo) {
            return Err(HubError::Cache(
                crate::locate::LocateError::SnapshotEscape {
                    what,
                    link: dir.display().to_string(),
                    points_to: real.display().to_string(),
                    repo: repo.display().to_string(),
                },
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_is_the_hugging_face_one() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let cache = HfCache::new(tmp.path());
        let commit = "0123456789abcdef0123456789abcdef01234567";
        let w = CacheWriter::new(&cache, "org/name", "main", commit).expect("open");
        let etag = "ab".repeat(20);
        assert!(!w.has_blob(&etag, None));
        w.write_blob(&etag, b"{}").expect("blob");
        assert!(w.has_blob(&etag, Some(2)) && !w.has_blob(&etag, Some(3)));
        w.link("config.json", &etag).expect("link");
        w.link("sub/dir/x.json", &etag).expect("nested link");
        w.link("config.json", &etag).expect("linking twice is fine");
        w.finish().expect("ref");
        let repo = tmp.path().join("models--org--name");
        assert_eq!(
            std::fs::read_link(repo.join("snapshots").join(commit).join("config.json"))
                .expect("link"),
            PathBuf::from(format!("../../blobs/{etag}"))
        );
        assert_eq!(
            std::fs::read_to_string(repo.join("snapshots").join(commit).join("sub/dir/x.json"))
                .expect("through the link"),
            "{}"
        );
        assert_eq!(
            std::fs::read_to_string(repo.join("refs/main")).expect("ref"),
            commit
        );
        assert!(w.has_file("config.json") && !w.has_file("nothing.json"));
        // the cache reader finds what the writer wrote
        let t = crate::locate::locate("org/name", None, &cache).expect("located");
        assert_eq!(t.commit.as_deref(), Some(commit));
    }
}
