//! `mri lock` and `mri check --locked`: what a review approved, held.
//!
//! A lock file (`mri.lock`, TOML, sorted, versioned) records for each model
//! its target as given, repo id and commit, every file's path, kind, size and
//! sha256, the verdict, the licenses and obligations, and the small texts a
//! later diff needs (license files, the card's front matter and license
//! section, config.json and the tokenizer and template configs; see
//! [`entry`]). `mri check --locked` rebuilds the same entry from the model as
//! it is now and reports each difference as a `drift/*` violation of the gate
//! ([`check::apply`]).

pub mod check;
pub mod drift;
pub mod entry;
pub mod file;

pub use check::{apply, status, LockStatus};
pub use drift::{compare, Drift};
pub use entry::{build, HashOptions};
pub use file::{parse, read, render};

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The lock file format this mri writes and reads.
pub const LOCK_VERSION: i64 = 1;

/// A lock file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LockFile {
    /// The format ([`LOCK_VERSION`]).
    pub version: i64,
    /// The mri version that wrote it.
    pub mri: String,
    /// The knowledge base's fingerprint when it was written
    /// ([`crate::license::kb::fingerprint`]).
    pub knowledge_base: String,
    /// The models, sorted by target.
    #[serde(default, rename = "model")]
    pub models: Vec<LockedModel>,
}

impl LockFile {
    /// An empty lock of this mri and knowledge base.
    pub fn new() -> Self {
        LockFile {
            version: LOCK_VERSION,
            mri: env!("CARGO_PKG_VERSION").into(),
            knowledge_base: crate::license::kb::fingerprint().into(),
            models: Vec::new(),
        }
    }

    /// Puts `model` in (replacing the entry of the same target), keeping the
    /// models sorted by target; returns the entry it replaced.
    pub fn upsert(&mut self, model: LockedModel) -> Option<LockedModel> {
        let old = self
            .models
            .iter()
            .position(|m| m.target == model.target)
            .map(|i| self.models.remove(i));
        self.models.push(model);
        self.models.sort_by(|a, b| a.target.cmp(&b.target));
        old
    }
}

impl Default for LockFile {
    fn default() -> Self {
        Self::new()
    }
}

/// One model as it was approved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LockedModel {
    /// The target as it was given to `mri lock`.
    pub target: String,
    /// The repo id, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    /// The resolved commit (cache snapshots, `hf://`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    /// The commercial-use verdict.
    pub verdict: String,
    /// The licenses found, as `ID from SOURCE [FILE]`, sorted.
    #[serde(default)]
    pub licenses: Vec<String>,
    /// The obligations, as `KIND: SUMMARY [VALUE] (LICENSE)`, sorted.
    #[serde(default)]
    pub obligations: Vec<String>,
    /// Every file, sorted by path.
    #[serde(default)]
    pub files: Vec<LockedFile>,
    /// The texts kept for diffs, sorted by path and part.
    #[serde(default, rename = "text")]
    pub texts: Vec<LockedText>,
    /// The line of its `[[model]]` header in the lock file (0 for an entry
    /// not read from a file).
    #[serde(skip)]
    pub line: u32,
}

/// One file of a locked model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LockedFile {
    /// Path relative to the model root.
    pub path: String,
    /// What it is: `weights`, `license`, `card`, `config`, `tokenizer`,
    /// `template`, `code` or `other` ([`entry::FileKind`]).
    pub kind: String,
    /// Size in bytes.
    pub size: u64,
    /// Its sha256 (empty when it could not be read: only in a check's
    /// rebuilt entry, never in a written lock).
    pub sha256: String,
    /// The git blob sha1 the Hugging Face cache names it by, when it does
    /// (small files): an unchanged name is not read again by a check.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub git_sha1: Option<String>,
}

/// A text kept in the lock, so that a change can be shown line by line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LockedText {
    /// The file it is from.
    pub path: String,
    /// `file` (the whole file), `front-matter` or `license-section` (of the card).
    pub part: String,
    /// The text.
    pub text: String,
}

/// Why a lock file cannot be read, written or made (exit 2).
#[derive(Debug, Error)]
pub enum LockError {
    /// The file cannot be read.
    #[error("cannot read the lock file `{path}`: {cause}")]
    Read {
        /// The path given.
        path: String,
        /// The cause.
        cause: std::io::Error,
    },
    /// The file is not a lock file: bad TOML, a wrong key or type.
    #[error("{path}:{line}: {message}")]
    Parse {
        /// The path given.
        path: String,
        /// 1-based line of the mistake.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A version this mri does not read.
    #[error("{path}:{line}: lock file version {found} is not one this mri reads (version {LOCK_VERSION}); write it again with `mri lock`")]
    Version {
        /// The path given.
        path: String,
        /// 1-based line of `version`.
        line: usize,
        /// The version found.
        found: String,
    },
    /// The file cannot be written.
    #[error("cannot write the lock file `{path}`: {cause}")]
    Write {
        /// The path given.
        path: String,
        /// The cause.
        cause: std::io::Error,
    },
    /// A file of a model to lock cannot be read.
    #[error("cannot lock `{target}`: {path} cannot be read: {cause}")]
    Unreadable {
        /// The target.
        target: String,
        /// The file, relative to the model root.
        path: String,
        /// The cause.
        cause: String,
    },
    /// The target cannot be inspected.
    #[error("cannot lock `{target}`: {cause}")]
    Target {
        /// The target.
        target: String,
        /// The cause.
        cause: Box<crate::Error>,
    },
}

/// Locks each target: inspects it (with `inspect`'s options: the policy's
/// clarifications, as `mri check` takes them) and hashes its files. Returns
/// the entries in the order given.
pub fn lock_targets(
    targets: &[String],
    inspect: &crate::InspectOptions,
    known: &LockFile,
    options: &HashOptions,
) -> Result<Vec<LockedModel>, LockError> {
    let reports = crate::inspect_many(targets, inspect);
    let mut out = Vec::with_capacity(targets.len());
    for (target, report) in targets.iter().zip(reports) {
        let report = report.map_err(|cause| LockError::Target {
            target: target.clone(),
            cause: Box::new(cause),
        })?;
        let old = known.models.iter().find(|m| &m.target == target);
        let (model, unreadable) = build(target, &report, old, options);
        if let Some((path, cause)) = unreadable.into_iter().next() {
            return Err(LockError::Unreadable {
                target: target.clone(),
                path,
                cause,
            });
        }
        out.push(model);
    }
    Ok(out)
}
