//! A model's lock entry, built from its Report: each file's kind, size and
//! sha256 (hashed by `mri verify`'s parallel hasher, except where a cache
//! blob's name already is the hash), the decision, and the texts kept.

use super::{LockedFile, LockedModel, LockedText};
use crate::report::Report;
use crate::scan::classify::{is_license_like, FileClass};
use crate::scan::FileEntry;

/// How files are hashed.
#[derive(Debug, Clone, Default)]
pub struct HashOptions {
    /// Hash every file, even a cache blob named by its hash.
    pub rehash: bool,
    /// Files hashed at once (0: one per core).
    pub jobs: usize,
    /// A progress bar on stderr.
    pub progress: bool,
}

/// What a file is, for the lock and the drift it makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// Weights (safetensors, pickle, GGUF, ONNX) and shard indexes.
    Weights,
    /// A license, notice or use-policy text.
    License,
    /// The model card.
    Card,
    /// config.json, generation_config.json and other configs.
    Config,
    /// Tokenizer files.
    Tokenizer,
    /// Chat templates.
    Template,
    /// Python code.
    Code,
    /// Anything else.
    Other,
}

impl FileKind {
    /// Its name in the lock.
    pub fn as_str(self) -> &'static str {
        match self {
            FileKind::Weights => "weights",
            FileKind::License => "license",
            FileKind::Card => "card",
            FileKind::Config => "config",
            FileKind::Tokenizer => "tokenizer",
            FileKind::Template => "template",
            FileKind::Code => "code",
            FileKind::Other => "other",
        }
    }

    /// The kind of the file at `path` of class `class`; `license_link` is
    /// the local file the card's `license_link` names.
    pub fn of(path: &str, class: FileClass, license_link: Option<&str>) -> FileKind {
        let name = path.rsplit('/').next().unwrap_or(path);
        if (path.matches('/').count() <= 1 && is_license_like(path)) || license_link == Some(path) {
            FileKind::License
        } else if path.eq_ignore_ascii_case("README.md") {
            FileKind::Card
        } else if name.starts_with("chat_template") {
            FileKind::Template
        } else {
            match class {
                FileClass::Weights | FileClass::Pickle | FileClass::Gguf | FileClass::Onnx => {
                    FileKind::Weights
                }
                FileClass::Config | FileClass::Generation => FileKind::Config,
                FileClass::Tokenizer => FileKind::Tokenizer,
                FileClass::Code => FileKind::Code,
                FileClass::Meta | FileClass::Other => FileKind::Other,
            }
        }
    }
}

/// Largest license text kept in the lock.
const MAX_LICENSE_TEXT: u64 = 256 * 1024;
/// Largest config or template text kept in the lock.
const MAX_CONFIG_TEXT: u64 = 64 * 1024;

/// True when the whole text of this file is kept in the lock: license
/// texts, and the configs whose values a review reads (config.json, the
/// generation, tokenizer and special-token configs, chat templates).
fn keeps_text(path: &str, kind: FileKind, size: u64) -> bool {
    match kind {
        FileKind::License => size <= MAX_LICENSE_TEXT,
        FileKind::Template => size <= MAX_CONFIG_TEXT,
        FileKind::Config | FileKind::Tokenizer => {
            size <= MAX_CONFIG_TEXT
                && matches!(
                    path,
                    "config.json"
                        | "generation_config.json"
                        | "tokenizer_config.json"
                        | "special_tokens_map.json"
                        | "params.json"
                )
        }
        _ => false,
    }
}

/// The card's front matter (between the `---` lines), when it has one.
pub fn front_matter(card: &str) -> Option<String> {
    let card = card.strip_prefix('\u{feff}').unwrap_or(card);
    let mut lines = card.lines();
    if lines.next().map(str::trim_end) != Some("---") {
        return None;
    }
    let mut out = String::new();
    for line in lines {
        if matches!(line.trim_end(), "---" | "...") {
            return Some(out);
        }
        out.push_str(line);
        out.push('\n');
    }
    None
}

/// The card's license section (its heading up to the next heading of that
/// level), when it has one.
pub fn license_section(path: &str, card: &str) -> Option<String> {
    let (card, _) = crate::model::card::parse_card(path, card);
    card.license_section.map(|s| {
        let mut t = s.text.trim_start_matches('\n').to_string();
        t.push('\n');
        t
    })
}

/// The texts kept of one file.
pub fn texts_of(path: &str, kind: FileKind, text: &str) -> Vec<LockedText> {
    let kept = |part: &str, text: String| LockedText {
        path: path.into(),
        part: part.into(),
        text,
    };
    match kind {
        FileKind::Card => front_matter(text)
            .map(|t| kept("front-matter", t))
            .into_iter()
            .chain(license_section(path, text).map(|t| kept("license-section", t)))
            .collect(),
        _ => vec![kept("file", text.to_string())],
    }
}

/// A hex name of `len` digits.
fn hex_name(name: &str, len: usize) -> bool {
    name.len() == len && name.chars().all(|c| c.is_ascii_hexdigit())
}

/// The sha256 known without reading the file: a remote-only file's LFS
/// hash, a cache blob or an Ollama blob (`blobs/sha256-<hex>`, when
/// `ollama`) named by its sha256, or (unless `rehash`) a blob named by the
/// same git sha1 as in the lock, whose locked sha256 stands.
fn known_sha256(
    f: &FileEntry,
    old: Option<&LockedFile>,
    rehash: bool,
    ollama: bool,
) -> Option<String> {
    if f.remote_only {
        return Some(f.lfs_sha256.clone().unwrap_or_default());
    }
    if rehash {
        return None;
    }
    if let Some(hex) = f.path.strip_prefix("blobs/sha256-").filter(|_| ollama) {
        if hex_name(hex, 64) {
            return Some(hex.to_ascii_lowercase());
        }
    }
    let blob = f.link_target.as_deref()?.strip_prefix("blobs/")?;
    if hex_name(blob, 64) {
        return Some(blob.to_ascii_lowercase());
    }
    let old = old?;
    (hex_name(blob, 40) && old.git_sha1.as_deref() == Some(blob) && old.size == f.size)
        .then(|| old.sha256.clone())
}

/// Builds the entry of `report` (the model given as `target`). `old` is its
/// locked entry, if any: a file whose cache blob name and size are as
/// locked is not read again (unless `rehash`), and its kept texts are taken
/// from the lock. Returns the entry and the files that could not be read.
pub fn build(
    target: &str,
    report: &Report,
    old: Option<&LockedModel>,
    options: &HashOptions,
) -> (LockedModel, Vec<(String, String)>) {
    let link = report
        .card
        .as_ref()
        .and_then(|c| c.license_link.as_deref())
        .filter(|l| !l.contains("://"))
        .map(|l| l.trim_start_matches("./"));
    let old_file = |path: &str| old.and_then(|o| o.files.iter().find(|f| f.path == path));
    let mut files: Vec<LockedFile> = Vec::with_capacity(report.files.len());
    let mut work: Vec<(&FileEntry, Vec<crate::verify::references::Reference>)> = Vec::new();
    let mut slots = Vec::new();
    for f in &report.files {
        let kind = FileKind::of(&f.path, f.class, link);
        let git_sha1 = f
            .link_target
            .as_deref()
            .and_then(|t| t.strip_prefix("blobs/"))
            .filter(|b| hex_name(b, 40))
            .map(str::to_ascii_lowercase);
        let ollama = report.target.ollama.is_some();
        let sha256 = known_sha256(f, old_file(&f.path), options.rehash, ollama);
        if sha256.is_none() {
            work.push((f, Vec::new()));
            slots.push(files.len());
        }
        files.push(LockedFile {
            path: f.path.clone(),
            kind: kind.as_str().into(),
            size: f.size,
            sha256: sha256.unwrap_or_default(),
            git_sha1,
        });
    }
    let jobs = match options.jobs {
        0 => crate::util::parallel::cores(),
        n => n,
    };
    let mut unreadable = Vec::new();
    let hashed = crate::verify::hashing::hash_all(&work, jobs, options.progress);
    for (slot, result) in slots.into_iter().zip(hashed) {
        match result {
            Ok(h) => files[slot].sha256 = h.sha256,
            Err(e) => unreadable.push((files[slot].path.clone(), e)),
        }
    }
    let texts = kept_texts(report, &files, old, link);
    let (verdict, licenses, obligations) = decision(report);
    let model = LockedModel {
        target: target.to_string(),
        repo: report.target.repo_id.clone(),
        commit: report.target.commit.clone(),
        verdict,
        licenses,
        obligations,
        files,
        texts,
        line: 0,
    };
    (model, unreadable)
}

/// The texts kept for `files`: taken from the lock for a file whose sha256
/// is as locked, else read.
fn kept_texts(
    report: &Report,
    files: &[LockedFile],
    old: Option<&LockedModel>,
    link: Option<&str>,
) -> Vec<LockedText> {
    let mut texts = Vec::new();
    for (f, entry) in files.iter().zip(&report.files) {
        let kind = FileKind::of(&f.path, entry.class, link);
        if f.sha256.is_empty() || entry.remote_only || entry.lfs_pointer.is_some() {
            continue;
        }
        if kind != FileKind::Card && !keeps_text(&f.path, kind, f.size) {
            continue;
        }
        let same = old.is_some_and(|o| {
            o.files
                .iter()
                .any(|l| l.path == f.path && l.sha256 == f.sha256)
        });
        if same {
            if let Some(o) = old {
                texts.extend(o.texts.iter().filter(|t| t.path == f.path).cloned());
                continue;
            }
        }
        if let Ok(bytes) = crate::util::fs::read_regular(&entry.real_path) {
            texts.extend(texts_of(&f.path, kind, &String::from_utf8_lossy(&bytes)));
        }
    }
    texts.sort_by(|a, b| (&a.path, &a.part).cmp(&(&b.path, &b.part)));
    texts
}

/// The verdict, the licenses (`ID from SOURCE [FILE]`) and the obligations
/// (`KIND: SUMMARY [VALUE] (LICENSE)`), sorted and each once.
pub fn decision(report: &Report) -> (String, Vec<String>, Vec<String>) {
    let Some(l) = &report.license else {
        return ("unknown".into(), Vec::new(), Vec::new());
    };
    let mut licenses: Vec<String> = l
        .detected
        .iter()
        .map(|d| match &d.file {
            Some(f) => format!("{} from {} {f}", d.id, d.source),
            None => format!("{} from {}", d.id, d.source),
        })
        .collect();
    licenses.sort();
    licenses.dedup();
    let mut obligations: Vec<String> = l
        .obligations
        .iter()
        .map(|o| {
            let value = if o.value.is_empty() {
                String::new()
            } else {
                format!(" [{}]", o.value)
            };
            format!("{}: {}{value} ({})", o.kind, o.summary, o.license)
        })
        .collect();
    obligations.sort();
    obligations.dedup();
    (l.verdict.as_str().into(), licenses, obligations)
}
