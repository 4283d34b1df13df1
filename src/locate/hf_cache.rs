//! The Hugging Face cache layout:
//! `<hub>/models--ORG--NAME/{refs/<ref>, snapshots/<commit>/..., blobs/<hash>}`.

use super::{LocateError, Target, TargetKind};
use std::path::{Path, PathBuf};

/// Where the Hugging Face hub cache lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HfCache {
    hub: PathBuf,
}

impl HfCache {
    /// A cache rooted at `hub` (the folder holding `models--*`).
    pub fn new(hub: impl Into<PathBuf>) -> Self {
        HfCache { hub: hub.into() }
    }

    /// The cache as the Hugging Face tools find it: `HF_HUB_CACHE`, else
    /// `HF_HOME/hub`, else `~/.cache/huggingface/hub`.
    pub fn from_env() -> Self {
        Self::from_vars(|k| std::env::var_os(k).filter(|v| !v.is_empty()))
    }

    /// Like [`HfCache::from_env`] with the variables read through `var`.
    pub fn from_vars(var: impl Fn(&str) -> Option<std::ffi::OsString>) -> Self {
        if let Some(dir) = var("HF_HUB_CACHE") {
            return Self::new(dir);
        }
        if let Some(home) = var("HF_HOME") {
            return Self::new(PathBuf::from(home).join("hub"));
        }
        let base = var("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| var("HOME").map(|h| PathBuf::from(h).join(".cache")))
            .unwrap_or_else(|| PathBuf::from(".cache"));
        Self::new(base.join("huggingface").join("hub"))
    }

    /// The hub folder.
    pub fn hub_dir(&self) -> &Path {
        &self.hub
    }

    /// The cache folder of `repo_id` when it exists.
    pub fn repo_folder(&self, repo_id: &str) -> Option<PathBuf> {
        let folder = self
            .hub
            .join(format!("models--{}", repo_id.replace('/', "--")));
        folder.is_dir().then_some(folder)
    }
}

/// True when `input` has the shape of a Hub repo id (`name` or `org/name`).
pub fn looks_like_repo_id(input: &str) -> bool {
    crate::util::hub_id::looks_like_hub_id(input)
}

/// True for a cache repo folder (`models--ORG--NAME` holding `snapshots/`).
pub fn is_repo_folder(dir: &Path) -> bool {
    dir.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("models--"))
        && dir.join("snapshots").is_dir()
}

/// The repo folder when `dir` is `models--*/snapshots/<commit>`.
pub fn repo_folder_of_snapshot(dir: &Path) -> Option<PathBuf> {
    let parent = dir.parent()?;
    if parent.file_name()? != "snapshots" {
        return None;
    }
    let repo = parent.parent()?;
    is_repo_folder(repo).then(|| repo.to_path_buf())
}

/// `org/name` from a `models--org--name` folder.
pub fn repo_id_of_folder(folder: &Path) -> Option<String> {
    let name = folder.file_name()?.to_str()?.strip_prefix("models--")?;
    Some(name.replacen("--", "/", 1))
}

/// Picks the snapshot of `folder` named by `revision` (a ref such as `main`,
/// a full commit, or a unique commit prefix of 7+ characters).
pub fn resolve_snapshot(
    input: &str,
    folder: &Path,
    repo_id: Option<&str>,
    revision: Option<&str>,
) -> Result<Target, LocateError> {
    let snapshots = folder.join("snapshots");
    let rev = revision.unwrap_or("main");
    let ref_file = folder.join("refs").join(rev);
    let mut commit: Option<String> = None;
    if std::fs::symlink_metadata(&ref_file).is_ok() && !ref_file.is_dir() {
        commit = Some(read_ref(&ref_file)?);
    } else if valid_component(rev) && snapshots.join(rev).is_dir() {
        commit = Some(rev.to_string());
    } else {
        let all = list_dir_names(&snapshots);
        if rev.len() >= 7 && rev.chars().all(|c| c.is_ascii_hexdigit()) {
            let matches: Vec<&String> = all.iter().filter(|s| s.starts_with(rev)).collect();
            if let [only] = matches.as_slice() {
                commit = Some((*only).clone());
            }
        } else if revision.is_none() && all.len() == 1 {
            // No refs/main, but a single snapshot: that is the one.
            commit = all.first().cloned();
        }
    }
    let repo_name = repo_id
        .map(str::to_string)
        .or_else(|| repo_id_of_folder(folder))
        .unwrap_or_else(|| input.to_string());
    let commit = commit
        .filter(|c| valid_component(c) && snapshots.join(c).is_dir())
        .ok_or_else(|| LocateError::RevisionNotFound {
            repo: repo_name.clone(),
            revision: rev.to_string(),
            available: available_revisions(folder),
        })?;
    let root = snapshots.join(&commit);
    let containment = folder.canonicalize().map_err(|source| LocateError::Io {
        path: folder.display().to_string(),
        source,
    })?;
    let root = contained_snapshot(&root, &containment)?;
    Ok(Target {
        input: input.to_string(),
        root,
        kind: TargetKind::CacheSnapshot,
        repo_id: Some(repo_name),
        revision: Some(rev.to_string()),
        commit: Some(commit),
        containment,
        listed: None,
        ollama: None,
        notes: Vec::new(),
        remote: None,
    })
}

/// The commit id a ref file holds. The file must be a regular file (not a
/// link, never read past its first 4 KiB) holding a commit id and nothing
/// else but white space.
pub(crate) fn read_ref(ref_file: &Path) -> Result<String, LocateError> {
    use std::io::Read;
    let bad = |why: String| LocateError::BadRef {
        path: ref_file.display().to_string(),
        why,
    };
    let io = |source| LocateError::Io {
        path: ref_file.display().to_string(),
        source,
    };
    let meta = std::fs::symlink_metadata(ref_file).map_err(io)?;
    if meta.file_type().is_symlink() {
        let to = std::fs::read_link(ref_file)
            .map(|t| t.display().to_string())
            .unwrap_or_default();
        return Err(bad(format!(
            "is a symbolic link (to `{}`), not a file holding a commit id",
            shorten(&to)
        )));
    }
    let mut bytes = Vec::new();
    crate::util::fs::open_regular(ref_file)
        .map_err(io)?
        .take(4096)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    let text = String::from_utf8_lossy(&bytes);
    let text = text.trim();
    if !is_commit_id(text) {
        return Err(bad(format!(
            "does not hold a commit id (40 hexadecimal digits) but `{}`",
            shorten(text)
        )));
    }
    Ok(text.to_string())
}

/// True for a commit id as a ref file holds it: 40 (or 64) hexadecimal digits.
fn is_commit_id(s: &str) -> bool {
    matches!(s.len(), 40 | 64) && s.chars().all(|c| c.is_ascii_hexdigit())
}

/// At most 80 characters of `s`, control characters escaped, for messages.
fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(80).flat_map(char::escape_debug).collect();
    if s.chars().count() > 80 {
        out.push('…');
    }
    out
}

/// The canonical path of the snapshot folder `root`, refused when it (or a
/// link on the way) leads out of the canonical repo folder `containment`.
fn contained_snapshot(root: &Path, containment: &Path) -> Result<PathBuf, LocateError> {
    let real = root.canonicalize().map_err(|source| LocateError::Io {
        path: root.display().to_string(),
        source,
    })?;
    if !real.starts_with(containment) {
        return Err(LocateError::SnapshotEscape {
            what: "snapshot folder",
            link: root.display().to_string(),
            points_to: real.display().to_string(),
            repo: containment.display().to_string(),
        });
    }
    Ok(real)
}

/// A path given as `.../models--ORG--NAME/snapshots/<commit>` (as typed,
/// before links are resolved) whose folder leads out of that repo folder is
/// refused: the snapshot's links would otherwise be judged against the
/// outside folder it points to.
pub fn refuse_linked_snapshot(path: &Path) -> Result<(), LocateError> {
    let Some(parent) = path.parent() else {
        return Ok(());
    };
    if parent.file_name().is_none_or(|n| n != "snapshots") {
        return Ok(());
    }
    let Some(repo) = parent.parent() else {
        return Ok(());
    };
    if !is_repo_folder(repo) {
        return Ok(());
    }
    let containment = repo.canonicalize().map_err(|source| LocateError::Io {
        path: repo.display().to_string(),
        source,
    })?;
    contained_snapshot(path, &containment).map(|_| ())
}

/// A single path component: no separators, not `.` or `..`.
fn valid_component(s: &str) -> bool {
    !s.is_empty() && s != "." && s != ".." && !s.contains(['/', '\\'])
}

fn list_dir_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn available_revisions(folder: &Path) -> String {
    let refs = list_dir_names(&folder.join("refs"));
    let snaps = list_dir_names(&folder.join("snapshots"));
    let mut parts: Vec<String> = refs.into_iter().map(|r| format!("ref {r}")).collect();
    parts.extend(snaps.into_iter().map(|s| format!("snapshot {s}")));
    if parts.is_empty() {
        "none".to_string()
    } else {
        parts.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsString;

    #[test]
    fn cache_dir_follows_the_hub_precedence() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| OsString::from(v))
            }
        };
        let c = HfCache::from_vars(vars(&[("HF_HUB_CACHE", "/a"), ("HF_HOME", "/b")]));
        assert_eq!(c.hub_dir(), Path::new("/a"));
        let c = HfCache::from_vars(vars(&[("HF_HOME", "/b"), ("HOME", "/h")]));
        assert_eq!(c.hub_dir(), Path::new("/b/hub"));
        let c = HfCache::from_vars(vars(&[("HOME", "/h")]));
        assert_eq!(c.hub_dir(), Path::new("/h/.cache/huggingface/hub"));
    }

    #[test]
    fn repo_id_shapes() {
        assert!(looks_like_repo_id("Qwen/Qwen3-4B"));
        assert!(looks_like_repo_id("gpt2"));
        assert!(!looks_like_repo_id("./model"));
        assert!(!looks_like_repo_id("a/b/c"));
        assert!(!looks_like_repo_id("../x"));
    }

    #[test]
    fn folder_names_map_to_repo_ids() {
        assert_eq!(
            repo_id_of_folder(Path::new("/c/models--Qwen--Qwen3-4B")).as_deref(),
            Some("Qwen/Qwen3-4B")
        );
    }
}
