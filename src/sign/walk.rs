//! The files a model signature covers, listed as `model-signing` lists
//! them: every regular file under the model folder, at any depth, hidden
//! ones included, except the ignored paths (each with everything below it).
//! Unlike the reference, symbolic links are followed while they stay inside
//! the containment folder (a Hugging Face cache snapshot is all links);
//! a link that leaves it, dangles or loops is refused and never read.

use crate::finding::{Code, Finding};
pub(crate) use crate::signature::summary::Ignored;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

/// Stop after this many files.
const MAX_FILES: usize = crate::scan::walk::MAX_FILES;
/// Deepest folder nesting walked.
const MAX_DEPTH: usize = crate::scan::walk::MAX_DEPTH;

/// A regular file found.
#[derive(Debug, Clone)]
pub(crate) struct DiskFile {
    /// Its real path (links resolved).
    pub real: PathBuf,
    /// Its size in bytes.
    pub size: u64,
}

/// Why a path was not read.
#[derive(Debug, Clone)]
pub(crate) struct Refused {
    /// `signature/path-escape` for a link leaving the folder; otherwise
    /// `signature/file-missing` (dangling link, special file).
    pub code: Code,
    /// What is wrong.
    pub why: String,
}

/// The listing.
#[derive(Debug, Default)]
pub(crate) struct Listing {
    /// Regular files by path relative to the root (`/` separators).
    pub files: BTreeMap<String, DiskFile>,
    /// Paths that are not read, and why.
    pub refused: BTreeMap<String, Refused>,
    /// Folders that could not be listed, loops, too many files.
    pub findings: Vec<Finding>,
    /// A symbolic link was followed.
    pub followed_links: bool,
}

struct Walk<'a> {
    containment: PathBuf,
    ignored: &'a Ignored,
    visited: HashSet<PathBuf>,
    out: Listing,
}

/// Lists `root`; links must resolve inside `containment`.
pub(crate) fn list(root: &Path, containment: &Path, ignored: &Ignored) -> Listing {
    let mut walk = Walk {
        containment: containment
            .canonicalize()
            .unwrap_or_else(|_| containment.to_path_buf()),
        ignored,
        visited: HashSet::new(),
        out: Listing::default(),
    };
    if let Ok(c) = root.canonicalize() {
        walk.visited.insert(c);
    }
    walk.dir(root, "", 0);
    walk.out
}

impl Walk<'_> {
    fn dir(&mut self, dir: &Path, prefix: &str, depth: usize) {
        let entries = match std::fs::read_dir(dir) {
            Ok(rd) => rd,
            Err(e) => {
                self.out.findings.push(
                    Finding::error(Code::FilesUnreadable, format!("cannot list folder: {e}"))
                        .in_file(if prefix.is_empty() { "." } else { prefix }),
                );
                return;
            }
        };
        let mut names: Vec<(String, PathBuf)> = entries
            .filter_map(|e| e.ok())
            .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
            .collect();
        names.sort();
        for (name, path) in names {
            let rel = if prefix.is_empty() {
                name
            } else {
                format!("{prefix}/{name}")
            };
            if self.ignored.covers(&rel) {
                continue;
            }
            if self.out.files.len() >= MAX_FILES {
                self.out.findings.push(Finding::error(
                    Code::FilesTooMany,
                    format!("stopped after {MAX_FILES} files; the rest was not checked"),
                ));
                return;
            }
            self.entry(&path, rel, depth);
        }
    }

    fn refuse(&mut self, rel: String, code: Code, why: impl Into<String>) {
        self.out.refused.insert(
            rel,
            Refused {
                code,
                why: why.into(),
            },
        );
    }

    fn entry(&mut self, path: &Path, rel: String, depth: usize) {
        let Ok(lmeta) = std::fs::symlink_metadata(path) else {
            return;
        };
        let (real, meta) = if lmeta.file_type().is_symlink() {
            let Ok(real) = path.canonicalize() else {
                self.refuse(
                    rel,
                    Code::SignatureFileMissing,
                    "a symbolic link that dangles",
                );
                return;
            };
            if !real.starts_with(&self.containment) {
                self.refuse(
                    rel,
                    Code::SignaturePathEscape,
                    format!(
                        "a symbolic link that leaves the model folder (to {}): not read",
                        real.display()
                    ),
                );
                return;
            }
            let Ok(meta) = std::fs::metadata(&real) else {
                self.refuse(
                    rel,
                    Code::SignatureFileMissing,
                    "a symbolic link that dangles",
                );
                return;
            };
            self.out.followed_links = true;
            (real, meta)
        } else {
            (path.to_path_buf(), lmeta)
        };
        if meta.is_dir() {
            if depth + 1 >= MAX_DEPTH {
                self.out.findings.push(
                    Finding::error(
                        Code::FilesUnreadable,
                        format!("folders nested deeper than {MAX_DEPTH}: not checked"),
                    )
                    .in_file(rel),
                );
                return;
            }
            let canonical = real.canonicalize().unwrap_or_else(|_| real.clone());
            if !self.visited.insert(canonical) {
                self.refuse(
                    rel,
                    Code::SignaturePathEscape,
                    "a folder reached twice through links (a loop): not walked again",
                );
                return;
            }
            self.dir(&real, &rel, depth + 1);
        } else if meta.is_file() {
            self.out.files.insert(
                rel,
                DiskFile {
                    real,
                    size: meta.len(),
                },
            );
        } else {
            let kind = crate::util::fs::special_kind(&meta).unwrap_or("special file");
            self.refuse(
                rel,
                Code::SignatureFileMissing,
                format!("a {kind}, not a regular file: not read"),
            );
        }
    }
}
