//! Turn what the user typed into a model root: a directory path, a snapshot
//! folder inside the Hugging Face cache, a cache repo folder, a repo id
//! looked up in the cache, a GGUF file, or an `ollama://` name;
//! `hf://ORG/NAME[@REV]` names a model on the Hub (here: its copy in the
//! cache; `crate::hub` fetches what `inspect` needs).

pub mod discover;
pub mod gguf_file;
pub mod hf_cache;
pub mod hub_ref;
pub mod ollama;

use serde::Serialize;
use std::path::{Path, PathBuf};
use thiserror::Error;

pub use hf_cache::HfCache;

/// What kind of place the model root is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetKind {
    /// A plain directory.
    Directory,
    /// A snapshot folder of the Hugging Face cache (files are links into `blobs/`).
    CacheSnapshot,
    /// A GGUF file (or split set): the root is its folder, the model only those files.
    GgufFile,
    /// A safetensors file: the root is its folder, the model that file alone.
    SafetensorsFile,
    /// A model in the local Ollama store: the root is the store, the model its manifest's blobs.
    Ollama,
}

/// A file that makes up the model when the target is not a whole folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedFile {
    /// Path relative to the root, `/` separators.
    pub rel: String,
    /// Its class when the path does not tell (Ollama blobs, a GGUF file without the extension).
    pub class: Option<crate::scan::classify::FileClass>,
    /// The Ollama layer's media type.
    pub media_type: Option<String>,
    /// The Ollama layer's size as the manifest states it.
    pub declared_size: Option<u64>,
}

/// A located model: where it is and how it was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Target {
    /// What the user typed.
    pub input: String,
    /// The model root directory.
    pub root: PathBuf,
    /// What kind of place the root is.
    pub kind: TargetKind,
    /// The repo id (`org/name`) when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repo_id: Option<String>,
    /// The revision asked for (a ref name or commit), when the cache was used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    /// The commit hash of the snapshot, when the cache was used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// Symbolic links may only resolve inside this folder (the cache's repo
    /// folder for a snapshot, else the root itself).
    #[serde(skip)]
    pub containment: PathBuf,
    /// Only these files make up the model (a GGUF file or split set, an
    /// Ollama manifest and its blobs); `None`: every file under the root.
    #[serde(skip)]
    pub listed: Option<Vec<ListedFile>>,
    /// The Ollama model, for `ollama://` targets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ollama: Option<ollama::OllamaRef>,
    /// Problems met while locating (an Ollama manifest's bad layers): (file, message).
    #[serde(skip)]
    pub notes: Vec<(String, String)>,
    /// How an `hf://` target was fetched from the Hub (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remote: Option<hub_ref::RemoteInfo>,
}

impl Target {
    /// True when `name` (as a policy writes it) names this model: its repo
    /// id (any case), the same `scheme://` target as typed, or a path that,
    /// resolved from `base` (the policy file's folder), is the model's root.
    pub fn is_named_by(&self, name: &str, base: &std::path::Path) -> bool {
        let m = name.trim_end_matches('/');
        (m.contains("://") && m == self.input.trim_end_matches('/'))
            || self
                .repo_id
                .as_deref()
                .is_some_and(|r| r.eq_ignore_ascii_case(m))
            || base.join(m).canonicalize().is_ok_and(|p| p == self.root)
    }
}

/// Why a target could not be located.
#[derive(Debug, Error)]
pub enum LocateError {
    /// Neither a path nor a repo id in the cache.
    #[error("`{input}` is neither a directory nor a repo id found in the Hugging Face cache ({cache}){hint}")]
    NotFound {
        /// What the user typed.
        input: String,
        /// The cache directory searched.
        cache: String,
        /// What to do next: for a repo id, how to fetch it (`mri download`,
        /// `hf://`); for a path, that it does not exist.
        hint: String,
    },
    /// A path that exists but is a file.
    #[error(
        "`{0}` is a file; mri inspects a model directory (pass the folder that holds config.json), a GGUF file or a safetensors file"
    )]
    NotADirectory(String),
    /// A path that is neither a regular file nor a directory (a FIFO, a
    /// socket, a device, or a link to one): never opened.
    #[error("`{path}` is not a regular file ({kind})")]
    NotRegular {
        /// What the user typed.
        path: String,
        /// What it is (`FIFO`, `socket`, `character device`, ...).
        kind: &'static str,
    },
    /// A target folder or file the user may not read.
    #[error("`{0}`: permission denied (mri needs to list the folder and read its files)")]
    PermissionDenied(String),
    /// An `ollama://` target that cannot be resolved.
    #[error("{0}")]
    Ollama(String),
    /// The revision is not in the cache.
    #[error("revision `{revision}` of `{repo}` is not in the cache; available: {available}")]
    RevisionNotFound {
        /// Repo id or folder.
        repo: String,
        /// What was asked for.
        revision: String,
        /// Refs and snapshots that exist.
        available: String,
    },
    /// A ref file whose content is not a commit id (`refs/main` holding
    /// `../../etc`).
    #[error("the ref file `{path}` {why}; the cache is damaged or was tampered with")]
    BadRef {
        /// The ref file.
        path: String,
        /// What is wrong: what it holds instead of a commit id (shortened,
        /// control characters escaped), or that it is a link.
        why: String,
    },
    /// A snapshot folder (or the blobs folder) that leads through a symbolic
    /// link out of its cache repo folder: never followed.
    #[error("the {what} `{link}` leads through a symbolic link to `{points_to}`, outside the cache repo folder `{repo}`; not followed")]
    SnapshotEscape {
        /// `snapshot folder` or `blobs folder`.
        what: &'static str,
        /// The folder.
        link: String,
        /// Where it points (as resolved).
        points_to: String,
        /// The repo folder it must stay in.
        repo: String,
    },
    /// `--revision` given with a plain directory.
    #[error("--revision applies to repo ids and cache folders, but `{0}` is a plain directory")]
    RevisionOnDirectory(String),
    /// A folder that holds nothing a model has.
    #[error(
        "`{0}` is not a model directory: it has no config.json, model card, weights or tokenizer"
    )]
    NotAModel(String),
    /// `hf://...` that is not `hf://ORG/NAME[@REVISION]`.
    #[error("`{input}` is not a Hub model: {why} (write hf://ORG/NAME or hf://ORG/NAME@REVISION)")]
    BadHubUrl {
        /// What the user typed.
        input: String,
        /// What is wrong with it.
        why: String,
    },
    /// An `hf://` target for a command that reads local files only.
    #[error("`{repo}` is not in the Hugging Face cache ({cache}): this command reads downloaded files; `mri download hf://{repo}` downloads them")]
    NotDownloaded {
        /// The repo id.
        repo: String,
        /// The cache directory searched.
        cache: String,
    },
    /// An I/O error while resolving.
    #[error("cannot read `{path}`: {source}")]
    Io {
        /// The path being read.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// Resolves `input` (a path or a repo id) to a model root, using `cache` for repo ids.
pub fn locate(input: &str, revision: Option<&str>, cache: &HfCache) -> Result<Target, LocateError> {
    if let Some(name) = input.strip_prefix(ollama::SCHEME) {
        if revision.is_some() {
            return Err(LocateError::Ollama(format!(
                "--revision does not apply to `{input}`; give the tag as ollama://NAME:TAG"
            )));
        }
        return ollama::locate(input, name, &ollama::models_dir());
    }
    if let Some(parsed) = hub_ref::parse(input) {
        return locate_cached_hub_ref(input, parsed, revision, cache);
    }
    let path = Path::new(input);
    if path.exists() {
        let meta = std::fs::metadata(path).map_err(|source| LocateError::Io {
            path: input.to_string(),
            source,
        })?;
        if let Some(kind) = crate::util::fs::special_kind(&meta) {
            return Err(LocateError::NotRegular {
                path: input.to_string(),
                kind,
            });
        }
        if !meta.is_dir() {
            if revision.is_some() {
                return Err(LocateError::RevisionOnDirectory(input.to_string()));
            }
            return gguf_file::locate(input, path)?
                .ok_or_else(|| LocateError::NotADirectory(input.to_string()));
        }
        let canonical = path.canonicalize().map_err(|source| LocateError::Io {
            path: input.to_string(),
            source,
        })?;
        if let Err(e) = std::fs::read_dir(&canonical) {
            return Err(listing_error(input, e));
        }
        hf_cache::refuse_linked_snapshot(path)?;
        if hf_cache::is_repo_folder(&canonical) {
            return hf_cache::resolve_snapshot(input, &canonical, None, revision);
        }
        if let Some(repo_folder) = hf_cache::repo_folder_of_snapshot(&canonical) {
            if let Some(rev) = revision {
                return hf_cache::resolve_snapshot(input, &repo_folder, None, Some(rev));
            }
            let commit = canonical
                .file_name()
                .map(|n| n.to_string_lossy().into_owned());
            return Ok(Target {
                input: input.to_string(),
                repo_id: hf_cache::repo_id_of_folder(&repo_folder),
                root: canonical,
                kind: TargetKind::CacheSnapshot,
                revision: None,
                commit,
                containment: repo_folder,
                listed: None,
                ollama: None,
                notes: Vec::new(),
                remote: None,
            });
        }
        if revision.is_some() {
            return Err(LocateError::RevisionOnDirectory(input.to_string()));
        }
        return Ok(Target {
            input: input.to_string(),
            root: canonical.clone(),
            kind: TargetKind::Directory,
            repo_id: None,
            revision: None,
            commit: None,
            containment: canonical,
            listed: None,
            ollama: None,
            notes: Vec::new(),
            remote: None,
        });
    }
    if hf_cache::looks_like_repo_id(input) {
        if let Some(folder) = cache.repo_folder(input) {
            return hf_cache::resolve_snapshot(input, &folder, Some(input), revision);
        }
    }
    Err(LocateError::NotFound {
        input: input.to_string(),
        cache: cache.hub_dir().display().to_string(),
        hint: not_found_hint(input),
    })
}

/// The end of the "not found" message: a repo id is fetched with `mri
/// download hf://ID` (or read on the Hub as `hf://ID`); anything else is a
/// path that does not exist.
fn not_found_hint(input: &str) -> String {
    if hf_cache::looks_like_repo_id(input) {
        format!(
            ". Download it with `mri download hf://{input}`, read it on the Hub with `mri inspect hf://{input}`, or give a path"
        )
    } else {
        ": no such file or directory".to_string()
    }
}

/// Why the target folder cannot be listed: permission denied said as such
/// (not "not a model directory", which is what an empty listing would say).
fn listing_error(input: &str, e: std::io::Error) -> LocateError {
    if e.kind() == std::io::ErrorKind::PermissionDenied {
        LocateError::PermissionDenied(input.to_string())
    } else {
        LocateError::Io {
            path: input.to_string(),
            source: e,
        }
    }
}

/// `hf://ORG/NAME[@REV]` resolved in the cache only (no network).
fn locate_cached_hub_ref(
    input: &str,
    parsed: Result<hub_ref::HubRef, String>,
    revision: Option<&str>,
    cache: &HfCache,
) -> Result<Target, LocateError> {
    let bad = |why: String| LocateError::BadHubUrl {
        input: input.to_string(),
        why,
    };
    let hub = parsed.map_err(bad)?;
    let rev = hub.revision_with(revision).map_err(bad)?;
    cached_hub_ref(input, &hub, &rev, cache)
}

/// The one door from an `hf://` reference to the cache: the snapshot of
/// `hub`'s repo at `revision` (a ref name or commit), or why it is not
/// there. `mri`'s offline runs and `hub::locate_offline` both come here.
pub fn cached_hub_ref(
    input: &str,
    hub: &hub_ref::HubRef,
    revision: &str,
    cache: &HfCache,
) -> Result<Target, LocateError> {
    let folder = cache
        .repo_folder(&hub.repo)
        .ok_or_else(|| LocateError::NotDownloaded {
            repo: hub.repo.clone(),
            cache: cache.hub_dir().display().to_string(),
        })?;
    hf_cache::resolve_snapshot(input, &folder, Some(&hub.repo), Some(revision))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_that_cannot_be_listed_says_permission_denied() {
        let e = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        let msg = listing_error("models/secret", e).to_string();
        assert!(
            msg.starts_with("`models/secret`: permission denied"),
            "{msg}"
        );
        let e = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert!(matches!(listing_error("x", e), LocateError::Io { .. }));
    }

    #[test]
    fn a_missing_repo_id_points_at_mri_download_and_a_missing_path_says_so() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = HfCache::new(tmp.path().join("hub"));
        let msg = locate("acme/no-such-model", None, &cache)
            .unwrap_err()
            .to_string();
        assert!(
            msg.contains("`mri download hf://acme/no-such-model`")
                && msg.contains("`mri inspect hf://acme/no-such-model`"),
            "{msg}"
        );
        for path in ["./does-not-exist", "../models/x/y", "/no/such/dir"] {
            let msg = locate(path, None, &cache).unwrap_err().to_string();
            assert!(msg.ends_with(": no such file or directory"), "{msg}");
            assert!(!msg.contains("download"), "{msg}");
        }
    }

    #[test]
    fn special_files_as_targets_are_refused_before_any_open() {
        let tmp = tempfile::tempdir().unwrap();
        let fifo = tmp.path().join("model.gguf");
        crate::util::fs::mkfifo(&fifo);
        let cache = HfCache::new(tmp.path().join("hub"));
        let input = fifo.to_str().unwrap();
        let err = locate(input, None, &cache).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("`{input}` is not a regular file (FIFO)")
        );
    }
}
