//! Where expected hashes come from, offline.

use super::VerifyOptions;
use crate::finding::{Code, Finding};
use crate::scan::lfs::parse_pointer;
use crate::scan::ScannedRepo;
use std::collections::HashMap;

/// A hash algorithm of a reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    /// sha256 of the content.
    Sha256,
    /// Git's blob id: sha1 of `blob <len>\0` + content.
    GitSha1,
}

impl Algorithm {
    /// Its name.
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "sha256",
            Algorithm::GitSha1 => "git-sha1",
        }
    }

    /// The algorithm a bare hex id of this length is.
    pub fn of_hex(hex: &str) -> Option<Algorithm> {
        if !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        match hex.len() {
            64 => Some(Algorithm::Sha256),
            40 => Some(Algorithm::GitSha1),
            _ => None,
        }
    }
}

/// An expected hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// `hf-cache-blob`, `lfs-pointer`, `manifest`, `local-dir-metadata`.
    pub source: String,
    /// The algorithm.
    pub algorithm: Algorithm,
    /// The expected hex.
    pub expected: String,
    /// The expected size in bytes, when the reference states one (an LFS pointer).
    pub size: Option<u64>,
}

/// A `--manifest` read before the scan: its path and text.
#[derive(Debug, Clone)]
pub struct Manifest {
    /// Where it is, as given.
    pub path: std::path::PathBuf,
    /// Its text.
    pub text: String,
}

/// Gathers every reference by file path; records missing files. The
/// `--pointers` folder is known to be a folder and the manifest already read
/// (see [`super::verify`]).
pub fn gather(
    scanned: &ScannedRepo,
    options: &VerifyOptions,
    manifest: Option<&Manifest>,
    findings: &mut Vec<Finding>,
    missing: &mut u64,
) -> HashMap<String, Vec<Reference>> {
    let mut refs: Refs = HashMap::new();
    from_blob_names(scanned, &mut refs);
    from_local_dir_metadata(scanned, &mut refs);
    if let Some(dir) = &options.pointers {
        from_pointers(scanned, dir, &mut refs, findings);
    }
    if let Some(m) = manifest {
        from_manifest(scanned, m, &mut refs, findings, missing);
    }
    refs
}

/// References by file path.
type Refs = HashMap<String, Vec<Reference>>;

/// Adds the reference `hex` (from `source`, with the `size` it states) for
/// `path`, when `hex` is a hash of a known algorithm.
fn add(refs: &mut Refs, path: &str, source: &str, hex: &str, size: Option<u64>) {
    if let Some(algorithm) = Algorithm::of_hex(hex) {
        refs.entry(path.to_string()).or_default().push(Reference {
            source: source.into(),
            algorithm,
            expected: hex.to_ascii_lowercase(),
            size,
        });
    }
}

/// The hashes stores name their blobs by: the Hugging Face cache's links
/// into `blobs/<hash>`, and the Ollama store's `blobs/sha256-<hex>`.
fn from_blob_names(scanned: &ScannedRepo, refs: &mut Refs) {
    // the cache names each blob by its hash
    for f in &scanned.files {
        if let Some(blob) = f
            .link_target
            .as_deref()
            .and_then(|t| t.strip_prefix("blobs/"))
        {
            add(refs, &f.path, "hf-cache-blob", blob, None);
        }
    }
    // the Ollama store names each blob by its sha256 (`blobs/sha256-<hex>`)
    if scanned.target.ollama.is_some() {
        for f in &scanned.files {
            if let Some(hex) = f.path.strip_prefix("blobs/sha256-") {
                add(refs, &f.path, "ollama-blob", hex, None);
            }
        }
    }
}

/// The etags `hf download --local-dir` keeps for each file.
fn from_local_dir_metadata(scanned: &ScannedRepo, refs: &mut Refs) {
    // hf download --local-dir: .cache/huggingface/download/<path>.metadata (commit, etag, time)
    let meta_dir = scanned
        .target
        .root
        .join(".cache")
        .join("huggingface")
        .join("download");
    if meta_dir.is_dir() {
        for f in &scanned.files {
            let meta = meta_dir.join(format!("{}.metadata", f.path));
            if let Ok(text) = crate::util::fs::read_regular_to_string(&meta) {
                if let Some(etag) = text.lines().nth(1) {
                    add(
                        refs,
                        &f.path,
                        "local-dir-metadata",
                        etag.trim().trim_matches('"'),
                        None,
                    );
                }
            }
        }
    }
}

/// The Git LFS pointers under `dir` (`--pointers`), one per file path; a
/// size other than the pointer's is a finding.
fn from_pointers(
    scanned: &ScannedRepo,
    dir: &std::path::Path,
    refs: &mut Refs,
    findings: &mut Vec<Finding>,
) {
    for f in &scanned.files {
        let pointer = dir.join(&f.path);
        let Ok(meta) = std::fs::metadata(&pointer) else {
            continue;
        };
        if !meta.is_file() || meta.len() > crate::scan::lfs::MAX_POINTER_BYTES {
            continue;
        }
        let pointer = crate::util::fs::read_regular(&pointer)
            .ok()
            .and_then(|b| parse_pointer(&b));
        if let Some(p) = pointer {
            add(refs, &f.path, "lfs-pointer", &p.oid, Some(p.size));
            if p.size != f.size {
                findings.push(
                    Finding::error(
                        Code::IntegrityHashMismatch,
                        format!(
                            "size is {} bytes but the LFS pointer says {}",
                            f.size, p.size
                        ),
                    )
                    .in_file(&f.path),
                );
            }
        }
    }
}

/// The `HASH  PATH` lines of a manifest. A line that is not one, or names a
/// path outside the model folder, is a finding; a file it lists that is
/// absent is a finding and counts in `missing`.
fn from_manifest(
    scanned: &ScannedRepo,
    m: &Manifest,
    refs: &mut Refs,
    findings: &mut Vec<Finding>,
    missing: &mut u64,
) {
    let name = m.path.display().to_string();
    let invalid = |n: usize, message: String| {
        Finding::error(Code::IntegrityManifestInvalid, message)
            .in_file(&name)
            .at_line(u32::try_from(n + 1).unwrap_or(u32::MAX))
    };
    for (n, line) in m.text.lines().enumerate() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parsed = line
            .split_once(char::is_whitespace)
            .filter(|(hex, _)| Algorithm::of_hex(hex).is_some());
        let Some((hex, rest)) = parsed else {
            findings.push(invalid(
                n,
                format!(
                    "manifest line {} is not `HASH  PATH` (a 64-digit sha256 or 40-digit sha1, then the path)",
                    n + 1
                ),
            ));
            continue;
        };
        let path = rest
            .trim_start()
            .trim_start_matches('*')
            .trim_start_matches("./");
        if !is_inside(path) {
            findings.push(invalid(
                n,
                format!(
                    "manifest line {} names `{path}`, outside the model folder; not checked",
                    n + 1
                ),
            ));
            continue;
        }
        if scanned.files.iter().any(|f| f.path == path) {
            add(refs, path, "manifest", hex, None);
        } else {
            *missing += 1;
            findings.push(
                Finding::error(
                    Code::IntegrityBlobMissing,
                    format!("listed in the manifest (line {}) but absent", n + 1),
                )
                .in_file(path),
            );
        }
    }
}

/// A manifest path that names a file under the model root: relative, with
/// no `..` component (and no empty path).
fn is_inside(path: &str) -> bool {
    use std::path::Component;
    let p = std::path::Path::new(path);
    !path.is_empty()
        && p.components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

#[cfg(test)]
mod tests {
    use super::is_inside;

    #[test]
    fn manifest_paths_outside_the_model_are_told_apart() {
        for inside in ["model.safetensors", "sub/a.bin", "./x"] {
            assert!(is_inside(inside), "{inside}");
        }
        for outside in ["../../etc/hostname", "/etc/hostname", "a/../../b", ""] {
            assert!(!is_inside(outside), "{outside}");
        }
    }
}
