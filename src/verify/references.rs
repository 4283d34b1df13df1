//! Where expected hashes come from, offline.

use super::VerifyOptions;
use crate::report::finding::{Code, Finding};
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
}

/// Gathers every reference by file path; records missing files.
pub fn gather(
    scanned: &ScannedRepo,
    options: &VerifyOptions,
    findings: &mut Vec<Finding>,
    missing: &mut u64,
) -> HashMap<String, Vec<Reference>> {
    let mut refs: HashMap<String, Vec<Reference>> = HashMap::new();
    let mut add = |path: &str, source: &str, hex: &str| {
        if let Some(algorithm) = Algorithm::of_hex(hex) {
            refs.entry(path.to_string()).or_default().push(Reference {
                source: source.into(),
                algorithm,
                expected: hex.to_ascii_lowercase(),
            });
        }
    };
    // the cache names each blob by its hash
    for f in &scanned.files {
        if let Some(blob) = f
            .link_target
            .as_deref()
            .and_then(|t| t.strip_prefix("blobs/"))
        {
            add(&f.path, "hf-cache-blob", blob);
        }
    }
    // the Ollama store names each blob by its sha256 (`blobs/sha256-<hex>`)
    if scanned.target.ollama.is_some() {
        for f in &scanned.files {
            if let Some(hex) = f.path.strip_prefix("blobs/sha256-") {
                add(&f.path, "ollama-blob", hex);
            }
        }
    }
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
            if let Ok(text) = std::fs::read_to_string(&meta) {
                if let Some(etag) = text.lines().nth(1) {
                    add(&f.path, "local-dir-metadata", etag.trim().trim_matches('"'));
                }
            }
        }
    }
    if let Some(dir) = &options.pointers {
        for f in &scanned.files {
            let pointer = dir.join(&f.path);
            let Ok(meta) = std::fs::metadata(&pointer) else {
                continue;
            };
            if meta.len() > crate::scan::lfs::MAX_POINTER_BYTES {
                continue;
            }
            if let Some(p) = std::fs::read(&pointer).ok().and_then(|b| parse_pointer(&b)) {
                add(&f.path, "lfs-pointer", &p.oid);
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
    if let Some(manifest) = &options.manifest {
        match std::fs::read_to_string(manifest) {
            Ok(text) => {
                for (n, line) in text.lines().enumerate() {
                    let line = line.trim_end();
                    if line.is_empty() || line.starts_with('#') {
                        continue;
                    }
                    let Some((hex, rest)) = line.split_once(char::is_whitespace) else {
                        findings.push(
                            Finding::warning(
                                Code::FilesUnreadable,
                                format!("manifest line {} is not `HASH  PATH`", n + 1),
                            )
                            .in_file(manifest.display().to_string()),
                        );
                        continue;
                    };
                    let path = rest
                        .trim_start()
                        .trim_start_matches('*')
                        .trim_start_matches("./");
                    if scanned.files.iter().any(|f| f.path == path) {
                        add(path, "manifest", hex);
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
            Err(e) => findings.push(
                Finding::error(
                    Code::FilesUnreadable,
                    format!("cannot read the manifest: {e}"),
                )
                .in_file(manifest.display().to_string()),
            ),
        }
    }
    refs
}
