//! `mri diff A B`: two models, or two revisions of one, compared in what
//! a review reads: license texts (their changed lines and clauses, the
//! verdict and obligations before and after), the card's front matter,
//! config values, the tokenizer and its special tokens, the chat template,
//! the files, the tensors and the parameter count.
//!
//! Each side is inspected and its lock entry built ([`crate::lock::build`]:
//! every file's sha256, cache blobs named by it not read; the kept texts),
//! so a diff sees what `mri check --locked` sees.

pub mod render;
mod sides;

use crate::lock::{HashOptions, LockedModel};
use crate::util::textdiff;
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;
use thiserror::Error;

pub use sides::split_revision;

/// Why a diff cannot be made (exit 2).
#[derive(Debug, Error)]
pub enum DiffError {
    /// A side cannot be inspected.
    #[error("`{input}`: {cause}")]
    Target {
        /// What was typed.
        input: String,
        /// Why it is unusable.
        cause: Box<crate::Error>,
    },
    /// A file of a side cannot be read.
    #[error("`{input}`: {path} cannot be read: {cause}")]
    Unreadable {
        /// What was typed.
        input: String,
        /// The file.
        path: String,
        /// The cause.
        cause: String,
    },
}

/// One side of the diff, in brief.
#[derive(Debug, Clone, Serialize)]
pub struct SideSummary {
    /// What was typed.
    pub input: String,
    /// The model root.
    pub root: String,
    /// The repo id, when known.
    pub repo: Option<String>,
    /// The commit, when known.
    pub commit: Option<String>,
    /// The verdict.
    pub verdict: String,
    /// Logical parameters.
    pub parameters: u64,
    /// Files.
    pub files: usize,
    /// Tensors counted.
    pub tensors: u64,
}

/// A text that differs: its unified diff and the clauses it touches.
#[derive(Debug, Clone, Serialize)]
pub struct TextChange {
    /// The file.
    pub path: String,
    /// `file`, `front-matter` or `license-section`.
    pub part: String,
    /// `changed`, `added` or `removed`.
    pub status: String,
    /// The headings of the clauses the change touches (`4.1 Updates`).
    pub clauses: Vec<String>,
    /// The unified diff (A → B).
    pub diff: String,
}

/// A value that differs (absent on one side: `null`).
#[derive(Debug, Clone, Serialize)]
pub struct ValueChange {
    /// Dotted key (`rope_scaling.factor`).
    pub key: String,
    /// In A.
    pub a: Option<Value>,
    /// In B.
    pub b: Option<Value>,
}

/// The license decision and texts compared.
#[derive(Debug, Clone, Serialize)]
pub struct LicenseDiff {
    /// A's verdict.
    pub verdict_a: String,
    /// B's verdict.
    pub verdict_b: String,
    /// Licenses found in B only.
    pub licenses_added: Vec<String>,
    /// Licenses found in A only.
    pub licenses_removed: Vec<String>,
    /// Obligations of B only.
    pub obligations_added: Vec<String>,
    /// Obligations of A only.
    pub obligations_removed: Vec<String>,
    /// License texts and the card's license section that differ.
    pub texts: Vec<TextChange>,
}

/// A file added, removed or changed.
#[derive(Debug, Clone, Serialize)]
pub struct FileChange {
    /// Path relative to the model root.
    pub path: String,
    /// `added`, `removed` or `changed`.
    pub status: String,
    /// Its kind (`weights`, `license`, `config`, ...).
    pub kind: String,
    /// Size in A.
    pub size_a: Option<u64>,
    /// Size in B.
    pub size_b: Option<u64>,
    /// sha256 in A.
    pub sha256_a: Option<String>,
    /// sha256 in B.
    pub sha256_b: Option<String>,
}

/// A tensor's dtype and shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TensorSide {
    /// Its dtype (safetensors) or ggml type (GGUF).
    pub dtype: String,
    /// Its shape.
    pub shape: Vec<u64>,
}

/// A tensor added, removed, reshaped or re-typed.
#[derive(Debug, Clone, Serialize)]
pub struct TensorChange {
    /// Its name.
    pub name: String,
    /// `added`, `removed`, `reshaped`, `retyped` or `reshaped+retyped`.
    pub status: String,
    /// In A.
    pub a: Option<TensorSide>,
    /// In B.
    pub b: Option<TensorSide>,
}

/// The diff of two models.
#[derive(Debug, Clone, Serialize)]
pub struct DiffReport {
    /// The Report's schema version.
    pub schema_version: u32,
    /// The first model.
    pub a: SideSummary,
    /// The second model.
    pub b: SideSummary,
    /// True when nothing below differs.
    pub identical: bool,
    /// The license decision and texts.
    pub license: LicenseDiff,
    /// The card's front matter, key by key.
    pub card: Vec<ValueChange>,
    /// config.json and generation_config.json values (GGUF: its metadata).
    pub config: Vec<ValueChange>,
    /// The tokenizer summary: class, vocabulary, special tokens.
    pub tokenizer: Vec<ValueChange>,
    /// The chat template, when it differs.
    pub chat_template: Option<TextChange>,
    /// Files added, removed or changed.
    pub files: Vec<FileChange>,
    /// Tensors added, removed, reshaped or re-typed.
    pub tensors: Vec<TensorChange>,
    /// The parameter counts (A, B), when they differ.
    pub parameters: Option<[u64; 2]>,
}

impl DiffReport {
    /// 0 identical in what matters, 1 different.
    pub fn exit_code(&self) -> u8 {
        u8::from(!self.identical)
    }
}

/// Compares the models `a` and `b` (each a target, `ORG/NAME@REV` for a
/// revision of a cached repo).
pub fn diff(a: &str, b: &str, hashing: &HashOptions) -> Result<DiffReport, DiffError> {
    let sa = sides::load(a, hashing)?;
    let sb = sides::load(b, hashing)?;
    let license = license_diff(&sa.entry, &sb.entry);
    let card = changes(
        &sides::front_matter(&sa.entry),
        &sides::front_matter(&sb.entry),
    );
    let config = changes(&sa.config, &sb.config);
    let tokenizer = changes(&sa.tokenizer, &sb.tokenizer);
    let chat_template = match (&sa.template, &sb.template) {
        (x, y) if x == y => None,
        (x, y) => Some(text_change(
            "chat template",
            "template",
            x.as_deref(),
            y.as_deref(),
        )),
    };
    let files = file_changes(&sa.entry, &sb.entry);
    let tensors = tensor_changes(&sa.tensors, &sb.tensors);
    let parameters = (sa.parameters != sb.parameters).then_some([sa.parameters, sb.parameters]);
    let identical = license.verdict_a == license.verdict_b
        && license.licenses_added.is_empty()
        && license.licenses_removed.is_empty()
        && license.obligations_added.is_empty()
        && license.obligations_removed.is_empty()
        && license.texts.is_empty()
        && card.is_empty()
        && config.is_empty()
        && tokenizer.is_empty()
        && chat_template.is_none()
        && files.is_empty()
        && tensors.is_empty()
        && parameters.is_none();
    Ok(DiffReport {
        schema_version: crate::report::SCHEMA_VERSION,
        a: sa.summary,
        b: sb.summary,
        identical,
        license,
        card,
        config,
        tokenizer,
        chat_template,
        files,
        tensors,
        parameters,
    })
}

/// The text change of `path`'s `part` from `a` to `b` (absent: empty).
fn text_change(path: &str, part: &str, a: Option<&str>, b: Option<&str>) -> TextChange {
    let (ta, tb) = (a.unwrap_or(""), b.unwrap_or(""));
    let label = if part == "file" || part == "template" {
        path.to_string()
    } else {
        format!("{path} ({part})")
    };
    TextChange {
        path: path.into(),
        part: part.into(),
        status: match (a, b) {
            (None, _) => "added",
            (_, None) => "removed",
            _ => "changed",
        }
        .into(),
        clauses: textdiff::changed_clauses(ta, tb),
        diff: textdiff::unified(ta, tb, &format!("A/{label}"), &format!("B/{label}")),
    }
}

/// Items of `b` not in `a`.
fn only_in(b: &[String], a: &[String]) -> Vec<String> {
    b.iter().filter(|x| !a.contains(x)).cloned().collect()
}

/// The license decisions and the license texts (and the card's license
/// section) compared.
fn license_diff(a: &LockedModel, b: &LockedModel) -> LicenseDiff {
    let licensed = |m: &LockedModel| -> BTreeMap<(String, String), String> {
        m.texts
            .iter()
            .filter(|t| {
                t.part == "license-section"
                    || m.files
                        .iter()
                        .any(|f| f.path == t.path && f.kind == "license")
            })
            .map(|t| ((t.path.clone(), t.part.clone()), t.text.clone()))
            .collect()
    };
    let (ta, tb) = (licensed(a), licensed(b));
    let mut keys: Vec<&(String, String)> = ta.keys().chain(tb.keys()).collect();
    keys.sort();
    keys.dedup();
    let texts = keys
        .into_iter()
        .filter(|k| ta.get(*k) != tb.get(*k))
        .map(|k| {
            text_change(
                &k.0,
                &k.1,
                ta.get(k).map(String::as_str),
                tb.get(k).map(String::as_str),
            )
        })
        .collect();
    LicenseDiff {
        verdict_a: a.verdict.clone(),
        verdict_b: b.verdict.clone(),
        licenses_added: only_in(&b.licenses, &a.licenses),
        licenses_removed: only_in(&a.licenses, &b.licenses),
        obligations_added: only_in(&b.obligations, &a.obligations),
        obligations_removed: only_in(&a.obligations, &b.obligations),
        texts,
    }
}

/// The keys whose values differ between two flattened maps.
fn changes(a: &BTreeMap<String, Value>, b: &BTreeMap<String, Value>) -> Vec<ValueChange> {
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| ValueChange {
            key: k.clone(),
            a: a.get(k).cloned(),
            b: b.get(k).cloned(),
        })
        .collect()
}

/// Files added, removed, or whose size or sha256 changed.
fn file_changes(a: &LockedModel, b: &LockedModel) -> Vec<FileChange> {
    let fa: BTreeMap<&str, _> = a.files.iter().map(|f| (f.path.as_str(), f)).collect();
    let fb: BTreeMap<&str, _> = b.files.iter().map(|f| (f.path.as_str(), f)).collect();
    let mut paths: Vec<&str> = fa.keys().chain(fb.keys()).copied().collect();
    paths.sort_unstable();
    paths.dedup();
    paths
        .into_iter()
        .filter_map(|p| {
            let (x, y) = (fa.get(p), fb.get(p));
            let status = match (x, y) {
                (Some(x), Some(y)) if x.sha256 == y.sha256 && x.size == y.size => return None,
                (Some(_), Some(_)) => "changed",
                (Some(_), None) => "removed",
                _ => "added",
            };
            Some(FileChange {
                path: p.into(),
                status: status.into(),
                kind: y.or(x).map(|f| f.kind.clone()).unwrap_or_default(),
                size_a: x.map(|f| f.size),
                size_b: y.map(|f| f.size),
                sha256_a: x.map(|f| f.sha256.clone()),
                sha256_b: y.map(|f| f.sha256.clone()),
            })
        })
        .collect()
}

/// Tensors added, removed, reshaped or re-typed.
fn tensor_changes(
    a: &BTreeMap<String, TensorSide>,
    b: &BTreeMap<String, TensorSide>,
) -> Vec<TensorChange> {
    let mut names: Vec<&String> = a.keys().chain(b.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter_map(|n| {
            let (x, y) = (a.get(n), b.get(n));
            let status = match (x, y) {
                (Some(x), Some(y)) if x == y => return None,
                (Some(x), Some(y)) => match (x.shape != y.shape, x.dtype != y.dtype) {
                    (true, true) => "reshaped+retyped",
                    (true, false) => "reshaped",
                    _ => "retyped",
                },
                (Some(_), None) => "removed",
                _ => "added",
            };
            Some(TensorChange {
                name: n.clone(),
                status: status.into(),
                a: x.cloned(),
                b: y.cloned(),
            })
        })
        .collect()
}
