//! The files of a target that is not a whole folder (a GGUF file or split
//! set, an Ollama manifest and its blobs): each stated, links followed only
//! inside the containment folder, missing ones reported by the caller.

use super::walk::{WalkOutcome, WalkedFile};
use crate::finding::{Code, Finding};
use crate::locate::ListedFile;
use std::path::Path;

/// Stats every listed file; returns the files found and the paths missing.
pub fn walk_listed(
    root: &Path,
    containment: &Path,
    list: &[ListedFile],
) -> (WalkOutcome, Vec<String>) {
    let mut out = WalkOutcome::default();
    let mut missing = Vec::new();
    let containment = containment
        .canonicalize()
        .unwrap_or_else(|_| containment.to_path_buf());
    for l in list {
        let path = root.join(&l.rel);
        let real = match path.canonicalize() {
            Ok(r) => r,
            Err(_) => {
                missing.push(l.rel.clone());
                continue;
            }
        };
        if !real.starts_with(&containment) {
            out.findings.push(
                Finding::error(
                    Code::FilesSymlinkEscape,
                    format!(
                        "links to {}, outside {}; not followed",
                        real.display(),
                        containment.display()
                    ),
                )
                .in_file(&l.rel),
            );
            continue;
        }
        let is_link = std::fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink());
        let link_target = is_link
            .then(|| real.strip_prefix(&containment).ok())
            .flatten()
            .map(|p| p.to_string_lossy().replace('\\', "/"));
        match std::fs::metadata(&real) {
            Ok(m) if m.is_file() => out.files.push(WalkedFile {
                rel: l.rel.clone(),
                real,
                size: Some(m.len()),
                link_target,
            }),
            Ok(m) => match crate::util::fs::special_kind(&m) {
                Some(kind) => out
                    .findings
                    .push(super::walk::not_regular_finding(&l.rel, kind)),
                None => missing.push(l.rel.clone()),
            },
            Err(e) => out.findings.push(
                Finding::error(Code::FilesUnreadable, format!("cannot read: {e}")).in_file(&l.rel),
            ),
        }
    }
    out.files.sort_by(|a, b| a.rel.cmp(&b.rel));
    (out, missing)
}
