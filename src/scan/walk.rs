//! Walking a model root: every regular file, following symbolic links only
//! while they stay inside the containment folder, never looping.

use crate::finding::{Code, Finding};
use foldhash::{HashSet, HashSetExt};
use std::path::{Path, PathBuf};

/// Stop listing after this many files (a mistaken target such as a home folder).
pub const MAX_FILES: usize = 100_000;
/// Deepest folder nesting walked.
pub const MAX_DEPTH: usize = 32;

/// A regular file found by the walk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkedFile {
    /// Path relative to the root, `/` separators.
    pub rel: String,
    /// The file's real location (links resolved).
    pub real: PathBuf,
    /// Size in bytes of the real file; `None` for a safetensors file the
    /// walk did not `statx` (see [`is_safetensors_name`]): its header read
    /// opens it anyway and learns the size from the open file.
    pub size: Option<u64>,
    /// Where a symbolic link pointed, relative to the containment folder
    /// (e.g. `blobs/<sha>` in the Hugging Face cache).
    pub link_target: Option<String>,
}

/// Everything the walk saw.
#[derive(Debug, Default)]
pub struct WalkOutcome {
    /// Regular files, sorted by path.
    pub files: Vec<WalkedFile>,
    /// Refused links, unreadable folders, unfinished downloads.
    pub findings: Vec<Finding>,
}

/// Walks `root`; links must resolve inside `containment`.
pub fn walk(root: &Path, containment: &Path) -> WalkOutcome {
    let mut out = WalkOutcome::default();
    let mut visited = HashSet::new();
    if let Ok(c) = root.canonicalize() {
        visited.insert(c);
    }
    let containment = containment
        .canonicalize()
        .unwrap_or_else(|_| containment.to_path_buf());
    let mut real_dirs = HashSet::new();
    walk_dir(
        root,
        "",
        0,
        &containment,
        &mut visited,
        &mut real_dirs,
        &mut out,
    );
    out.files.sort_by(|a, b| a.rel.cmp(&b.rel));
    out
}

/// Walks one folder. `real_dirs` remembers the folders found not to be
/// links while resolving links quickly (see [`resolve_link_quickly`]).
fn walk_dir(
    dir: &Path,
    prefix: &str,
    depth: usize,
    containment: &Path,
    visited: &mut HashSet<PathBuf>,
    real_dirs: &mut HashSet<PathBuf>,
    out: &mut WalkOutcome,
) {
    let Some(names) = read_entries(dir, prefix, out) else {
        return;
    };
    // Where the quick resolution of links starts from.
    let canonical_dir = dir.canonicalize().ok();
    for (name, path, lmeta) in names {
        let rel = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        if name == ".git" {
            continue;
        }
        if out.files.len() >= MAX_FILES {
            out.findings.push(Finding::warning(
                Code::FilesTooMany,
                format!("stopped after {MAX_FILES} files; the rest of the folder was not read"),
            ));
            return;
        }
        let Some(lmeta) = lmeta else {
            out.files.push(WalkedFile {
                rel,
                real: path,
                size: None,
                link_target: None,
            });
            continue;
        };
        let Ok(lmeta) = lmeta else {
            continue;
        };
        let (real, meta, link_target) = if lmeta.file_type().is_symlink() {
            match follow_link(&path, canonical_dir.as_deref(), containment, real_dirs) {
                Ok(followed) => followed,
                Err(finding) => {
                    out.findings.push(finding.in_file(rel));
                    continue;
                }
            }
        } else {
            (path.clone(), lmeta, None)
        };
        if meta.is_dir() {
            if name == ".cache" && prefix.is_empty() {
                note_incomplete_downloads(&real, &rel, out);
                continue;
            }
            if depth + 1 >= MAX_DEPTH {
                continue;
            }
            let canonical = real.canonicalize().unwrap_or_else(|_| real.clone());
            if !visited.insert(canonical) {
                out.findings.push(
                    Finding::warning(
                        Code::FilesSymlinkLoop,
                        "folder was reached twice through links; not walked again",
                    )
                    .in_file(rel),
                );
                continue;
            }
            walk_dir(&real, &rel, depth + 1, containment, visited, real_dirs, out);
        } else if meta.is_file() {
            if name.ends_with(".incomplete") {
                out.findings.push(incomplete_finding(&rel, meta.len()));
            }
            out.files.push(WalkedFile {
                rel,
                real,
                size: Some(meta.len()),
                link_target,
            });
        } else if let Some(kind) = crate::util::fs::special_kind(&meta) {
            out.findings.push(not_regular_finding(&rel, kind));
        }
    }
}

/// A folder entry: its name, its path, and its own metadata (not following
/// links), `None` for a safetensors file the listing calls regular.
type Entry = (String, PathBuf, Option<std::io::Result<std::fs::Metadata>>);

/// The entries of `dir` (at `prefix` from the root), sorted by name; a
/// folder that cannot be listed is a finding and `None`.
fn read_entries(dir: &Path, prefix: &str, out: &mut WalkOutcome) -> Option<Vec<Entry>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => {
            out.findings.push(
                Finding::warning(Code::FilesUnreadable, format!("cannot list folder: {e}"))
                    .in_file(display_rel(prefix)),
            );
            return None;
        }
    };
    // The entry's own metadata is a lookup relative to the open folder, not
    // a walk of the whole path; it does not follow links (as `symlink_metadata`).
    // A safetensors file the listing calls regular is not looked up at all.
    let mut names: Vec<Entry> = entries
        .filter_map(|e| e.ok())
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let regular = e.file_type().is_ok_and(|t| t.is_file());
            let meta = (!(regular && is_safetensors_name(&name))).then(|| e.metadata());
            (name, e.path(), meta)
        })
        .collect();
    names.sort_by(|a, b| a.0.cmp(&b.0));
    Some(names)
}

/// Follows the link at `path` in the folder `canonical_dir` (canonical,
/// when known): the quick way when it settles it, in full otherwise.
/// Returns the real path, its metadata and where it points relative to
/// `containment`, or the finding for a link that escapes or fails.
fn follow_link(
    path: &Path,
    canonical_dir: Option<&Path>,
    containment: &Path,
    real_dirs: &mut HashSet<PathBuf>,
) -> Result<(PathBuf, std::fs::Metadata, Option<String>), Finding> {
    let quick = canonical_dir
        .and_then(|d| resolve_link_quickly(path, d, real_dirs))
        .filter(|(real, _)| real.starts_with(containment));
    // Anything the quick way does not settle (another shape of link,
    // a link in the way, an escape, an error) is resolved in full,
    // which also says what is wrong.
    let (real, meta) = quick.map_or_else(|| resolve_link(path, containment), Ok)?;
    let target = real
        .strip_prefix(containment)
        .ok()
        .map(|p| p.to_string_lossy().replace('\\', "/"));
    Ok((real, meta, target))
}

/// True for a safetensors file name or path (`.safetensors`, any case). The
/// walk leaves such regular files unsized, and the scan reads the header of
/// every file it names, learning the size from the open file (`fstat`,
/// without the path lookup of the `statx` it replaces: a fifth of the walk
/// of a 191-shard checkpoint, BENCHMARKS.md). One test serves both, so that
/// every file left unsized is read.
pub fn is_safetensors_name(name: &str) -> bool {
    let suffix = ".safetensors";
    name.len() >= suffix.len()
        && name
            .get(name.len() - suffix.len()..)
            .is_some_and(|s| s.eq_ignore_ascii_case(suffix))
}

/// A FIFO, socket or device where a file was expected: listed by name,
/// never opened (a FIFO's `open` would wait for a writer).
pub fn not_regular_finding(rel: &str, kind: &str) -> Finding {
    Finding::warning(
        Code::FilesNotRegular,
        format!("is a {kind}, not a regular file; not read"),
    )
    .in_file(rel)
}

/// Resolves the link at `link`, in the folder whose canonical path is
/// `canonical_dir`, without resolving every component of the result again
/// when its target is relative, climbs with `..` only at its start and then
/// names plain components (`../../blobs/<sha>`, as the Hugging Face cache
/// writes them): the canonical folder's parent is its real parent, and each
/// named component is checked not to be a link (one `lstat`; the folders are
/// remembered in `real_dirs`), so the result is the canonical path.
/// `None` for a link of another shape, or when a component is a link or
/// cannot be read: [`resolve_link`] then resolves it in full.
fn resolve_link_quickly(
    link: &Path,
    canonical_dir: &Path,
    real_dirs: &mut HashSet<PathBuf>,
) -> Option<(PathBuf, std::fs::Metadata)> {
    use std::path::Component;
    let target = std::fs::read_link(link).ok()?;
    let mut real = canonical_dir.to_path_buf();
    let mut named = Vec::new();
    for part in target.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir if named.is_empty() => {
                if !real.pop() {
                    return None;
                }
            }
            Component::Normal(name) => named.push(name),
            // An absolute target, or `..` after a name (which may be a link).
            _ => return None,
        }
    }
    let (last, folders) = named.split_last()?;
    for name in folders {
        real.push(name);
        if !real_dirs.contains(&real) {
            // Not followed: a link here is not a folder.
            let meta = std::fs::symlink_metadata(&real).ok()?;
            if !meta.is_dir() {
                return None;
            }
            real_dirs.insert(real.clone());
        }
    }
    real.push(last);
    let meta = std::fs::symlink_metadata(&real).ok()?;
    if meta.file_type().is_symlink() {
        return None;
    }
    Some((real, meta))
}

/// Follows a link; refuses one that loops, dangles or leaves `containment`.
fn resolve_link(path: &Path, containment: &Path) -> Result<(PathBuf, std::fs::Metadata), Finding> {
    let target = std::fs::read_link(path)
        .map(|t| t.display().to_string())
        .unwrap_or_default();
    let real = match path.canonicalize() {
        Ok(r) => r,
        Err(e) if e.raw_os_error() == Some(40) => {
            // ELOOP on Linux
            return Err(Finding::error(
                Code::FilesSymlinkLoop,
                format!("symbolic link to `{target}` loops"),
            ));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Finding::error(
                Code::FilesBrokenLink,
                format!("symbolic link to `{target}` points to nothing (missing blob?)"),
            ));
        }
        Err(e) => {
            return Err(Finding::error(
                Code::FilesSymlinkLoop,
                format!("symbolic link to `{target}` cannot be resolved: {e}"),
            ));
        }
    };
    if !real.starts_with(containment) {
        return Err(Finding::error(
            Code::FilesSymlinkEscape,
            format!(
                "symbolic link to `{target}` leaves the repository ({}); not followed",
                containment.display()
            ),
        ));
    }
    let meta = std::fs::metadata(&real).map_err(|e| {
        Finding::error(
            Code::FilesBrokenLink,
            format!("symbolic link to `{target}` cannot be read: {e}"),
        )
    })?;
    Ok((real, meta))
}

/// `hf download --local-dir` keeps partial files under `.cache/huggingface/download/`.
fn note_incomplete_downloads(cache_dir: &Path, rel: &str, out: &mut WalkOutcome) {
    let download = cache_dir.join("huggingface").join("download");
    let mut stack = vec![(download, format!("{rel}/huggingface/download"))];
    let mut budget = 10_000;
    while let Some((dir, rel_dir)) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in rd.filter_map(|e| e.ok()) {
            budget -= 1;
            if budget == 0 {
                return;
            }
            let name = e.file_name().to_string_lossy().into_owned();
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                stack.push((e.path(), format!("{rel_dir}/{name}")));
            } else if name.ends_with(".incomplete") {
                let size = e.metadata().map(|m| m.len()).unwrap_or(0);
                out.findings
                    .push(incomplete_finding(&format!("{rel_dir}/{name}"), size));
            }
        }
    }
}

/// Unfinished downloads among the cache's blobs (`blobs/*.incomplete`).
pub fn incomplete_blobs(repo_folder: &Path) -> Vec<Finding> {
    let Ok(rd) = std::fs::read_dir(repo_folder.join("blobs")) else {
        return Vec::new();
    };
    let mut found: Vec<Finding> = rd
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".incomplete"))
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let size = e.metadata().map(|m| m.len()).unwrap_or(0);
            incomplete_finding(&format!("../../blobs/{name}"), size)
        })
        .collect();
    found.sort_by(|a, b| a.file.cmp(&b.file));
    found
}

fn incomplete_finding(rel: &str, size: u64) -> Finding {
    Finding::warning(
        Code::FilesIncomplete,
        format!("unfinished download ({size} bytes so far); re-run the download to complete it"),
    )
    .in_file(rel)
}

fn display_rel(prefix: &str) -> String {
    if prefix.is_empty() {
        ".".to_string()
    } else {
        prefix.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    /// A cache-shaped repo folder: `snapshots/abc/` links into `blobs/`.
    fn cache_repo() -> (tempfile::TempDir, PathBuf) {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("models--o--n");
        std::fs::create_dir_all(repo.join("blobs")).unwrap();
        std::fs::create_dir_all(repo.join("snapshots/abc")).unwrap();
        std::fs::write(repo.join("blobs/b1"), b"12345").unwrap();
        (tmp, repo)
    }

    #[test]
    fn quick_resolution_is_the_canonical_path_or_nothing() {
        let (_tmp, repo) = cache_repo();
        let snap = repo.join("snapshots/abc");
        symlink("../../blobs/b1", snap.join("config.json")).unwrap();
        symlink("./../../blobs/./b1", snap.join("dotted.json")).unwrap();
        symlink("../../blobs/../blobs/b1", snap.join("climbs-late.json")).unwrap();
        symlink(repo.join("blobs/b1"), snap.join("absolute.json")).unwrap();
        symlink("config.json", snap.join("chain.json")).unwrap();
        let canonical = snap.canonicalize().unwrap();
        let mut real_dirs = HashSet::new();
        for name in ["config.json", "dotted.json"] {
            let (real, meta) =
                resolve_link_quickly(&snap.join(name), &canonical, &mut real_dirs).unwrap();
            assert_eq!(real, snap.join(name).canonicalize().unwrap(), "{name}");
            assert_eq!(meta.len(), 5);
        }
        assert_eq!(real_dirs.len(), 1, "the blobs folder was checked once");
        for name in ["climbs-late.json", "absolute.json", "chain.json"] {
            assert!(
                resolve_link_quickly(&snap.join(name), &canonical, &mut real_dirs).is_none(),
                "{name} is left to the full resolution"
            );
        }
    }

    #[test]
    fn a_linked_blobs_folder_outside_the_repo_is_refused() {
        let (tmp, repo) = cache_repo();
        // `blobs` replaced by a link to a folder outside the repo.
        let outside = tmp.path().join("outside");
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("b1"), b"secret").unwrap();
        std::fs::remove_dir_all(repo.join("blobs")).unwrap();
        symlink(&outside, repo.join("blobs")).unwrap();
        let snap = repo.join("snapshots/abc");
        symlink("../../blobs/b1", snap.join("config.json")).unwrap();
        let mut real_dirs = HashSet::new();
        let canonical = snap.canonicalize().unwrap();
        assert!(
            resolve_link_quickly(&snap.join("config.json"), &canonical, &mut real_dirs).is_none()
        );
        let out = walk(&snap, &repo);
        assert!(out.files.is_empty(), "{:?}", out.files);
        assert!(
            out.findings
                .iter()
                .any(|f| f.code == Code::FilesSymlinkEscape),
            "{:?}",
            out.findings
        );
    }

    #[test]
    fn a_fifo_in_the_folder_is_named_not_opened() {
        let tmp = tempfile::tempdir().unwrap();
        crate::util::fs::mkfifo(&tmp.path().join("config.json"));
        std::fs::write(tmp.path().join("README.md"), "# m").unwrap();
        symlink("config.json", tmp.path().join("linked.json")).unwrap();
        let out = walk(tmp.path(), tmp.path());
        let names: Vec<&str> = out.files.iter().map(|f| f.rel.as_str()).collect();
        assert_eq!(names, ["README.md"]);
        let named: Vec<(&str, &str)> = out
            .findings
            .iter()
            .filter(|f| f.code == Code::FilesNotRegular)
            .map(|f| (f.file.as_deref().unwrap_or(""), f.message.as_str()))
            .collect();
        assert_eq!(
            named,
            [
                ("config.json", "is a FIFO, not a regular file; not read"),
                ("linked.json", "is a FIFO, not a regular file; not read")
            ]
        );
    }

    #[test]
    fn cache_links_resolve_to_their_blobs() {
        let (_tmp, repo) = cache_repo();
        let snap = repo.join("snapshots/abc");
        symlink("../../blobs/b1", snap.join("config.json")).unwrap();
        let out = walk(&snap, &repo);
        assert!(out.findings.is_empty(), "{:?}", out.findings);
        let f = &out.files[0];
        assert_eq!((f.rel.as_str(), f.size), ("config.json", Some(5)));
        assert_eq!(f.link_target.as_deref(), Some("blobs/b1"));
        assert_eq!(f.real, repo.join("blobs/b1").canonicalize().unwrap());
    }

    #[test]
    fn regular_safetensors_files_are_left_unsized_and_links_are_sized() {
        let (_tmp, repo) = cache_repo();
        let snap = repo.join("snapshots/abc");
        std::fs::write(snap.join("model.safetensors"), b"12345678").unwrap();
        std::fs::write(snap.join("Other.SafeTensors"), b"123").unwrap();
        std::fs::write(snap.join("model.safetensors.index.json"), b"{}").unwrap();
        symlink("../../blobs/b1", snap.join("linked.safetensors")).unwrap();
        let out = walk(&snap, &repo);
        let sizes: Vec<(&str, Option<u64>)> =
            out.files.iter().map(|f| (f.rel.as_str(), f.size)).collect();
        assert_eq!(
            sizes,
            [
                ("Other.SafeTensors", None),
                ("linked.safetensors", Some(5)),
                ("model.safetensors", None),
                ("model.safetensors.index.json", Some(2)),
            ]
        );
        assert!(is_safetensors_name("a.safetensors") && !is_safetensors_name("safetensors"));
        assert!(!is_safetensors_name("é.json") && !is_safetensors_name("x.safetensors.tmp"));
    }
}
