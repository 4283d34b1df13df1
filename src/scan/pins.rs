//! A policy's clarifications checked against the model's files: which name
//! this model, and whether each file is present, readable and still has the
//! pinned sha256. The license decision reads the outcome (no I/O there).

use crate::license::decide::{Clarification, ClarifyRule, ClarifyStatus};
use crate::locate::Target;
use crate::scan::FileEntry;
use std::path::Path;

/// The clarifications among `rules` that name this model (`target`), each
/// checked against its file in `files`: present, naming a known license,
/// readable, with the pinned hash. `policy_dir` is the folder that relative
/// model paths in the policy are resolved from.
pub fn check(
    rules: &[ClarifyRule],
    target: &Target,
    files: &[FileEntry],
    policy_dir: &Path,
) -> Vec<Clarification> {
    rules
        .iter()
        .filter(|r| {
            r.model
                .as_deref()
                .is_none_or(|m| target.is_named_by(m, policy_dir))
        })
        .map(|r| Clarification {
            file: r.file.clone(),
            license: r.license.clone(),
            sha256: r.sha256.clone(),
            policy_line: r.line,
            status: status(r, files),
        })
        .collect()
}

/// Where one clarification stands against the model's files.
fn status(rule: &ClarifyRule, files: &[FileEntry]) -> ClarifyStatus {
    let Some(file) = files.iter().find(|f| f.path == rule.file) else {
        return ClarifyStatus::Missing;
    };
    if crate::license::resolve_license(&rule.license).is_none() {
        return ClarifyStatus::UnknownLicense;
    }
    match crate::security::read::sha256_file(&file.real_path) {
        Ok(found) if found.eq_ignore_ascii_case(&rule.sha256) => ClarifyStatus::Applied,
        Ok(found) => ClarifyStatus::Changed { found },
        Err(e) => ClarifyStatus::Unreadable {
            error: e.to_string(),
        },
    }
}
