//! The tokenizer's own model file (`tokenizer.model`, `spiece.model`,
//! `sentencepiece.bpe.model`, `*.tiktoken`, `tiktoken.model`), read where
//! neither tokenizer.json nor tekken.json says more: many repositories (older
//! Llama and T5 checkpoints, Qwen-7B, Kimi, GLM-4) ship only this. A
//! `tokenizer.model` is SentencePiece protobuf or tiktoken text; its first
//! line tells which. Without a model file (or with one that cannot be
//! read), the plain vocabulary stands in: `vocab.json`, else `vocab.txt`.

use super::FileEntry;
use crate::finding::{Code, Finding, Severity};
use crate::model::plain_vocab::{parse_vocab_json, parse_vocab_txt};
use crate::model::sentencepiece::parse_sentencepiece;
use crate::model::tiktoken::{is_tiktoken_name, looks_like_tiktoken, parse_tiktoken};
use crate::model::tokenizer::ModelVocab;
use crate::util::json::{read_bytes, read_text, MAX_TOKENIZER_BYTES};

/// SentencePiece file names, in the order they are preferred.
const SENTENCEPIECE_NAMES: [&str; 3] =
    ["tokenizer.model", "spiece.model", "sentencepiece.bpe.model"];

/// The first root model file (SentencePiece names first, then tiktoken ones)
/// among `files`, which hold only readable entries, else the plain
/// vocabulary; `None` when there is none or none can be read (a finding
/// names each file that cannot).
pub fn read_model_vocab<'a>(
    files: impl Iterator<Item = &'a FileEntry> + Clone,
    findings: &mut Vec<Finding>,
) -> Option<ModelVocab> {
    read_model_file(files.clone(), findings).or_else(|| read_plain_vocab(files, findings))
}

/// `vocab.json`, else `vocab.txt`, at the root.
fn read_plain_vocab<'a>(
    mut files: impl Iterator<Item = &'a FileEntry> + Clone,
    findings: &mut Vec<Finding>,
) -> Option<ModelVocab> {
    let json = files
        .clone()
        .find(|f| f.path == "vocab.json")
        .and_then(|f| {
            super::read_tokenizer_file(f, parse_vocab_json, Severity::Warning, findings).flatten()
        });
    if let Some(vocab) = json {
        return Some(ModelVocab::Plain(vocab));
    }
    let f = files.find(|f| f.path == "vocab.txt")?;
    match read_text(&f.real_path, &f.path, MAX_TOKENIZER_BYTES) {
        Ok(text) => parse_vocab_txt(&text).map(ModelVocab::Plain),
        Err(finding) => {
            findings.push(finding);
            None
        }
    }
}

/// The tokenizer model file, SentencePiece or tiktoken.
fn read_model_file<'a>(
    mut files: impl Iterator<Item = &'a FileEntry> + Clone,
    findings: &mut Vec<Finding>,
) -> Option<ModelVocab> {
    let root = |f: &&FileEntry| !f.path.contains('/');
    let f = SENTENCEPIECE_NAMES
        .iter()
        .find_map(|name| files.clone().filter(root).find(|f| f.path == *name))
        .or_else(|| files.find(|f| root(f) && is_tiktoken_name(&f.path)))?;
    let bytes = match read_bytes(&f.real_path, &f.path, MAX_TOKENIZER_BYTES) {
        Ok(b) => b,
        Err(finding) => {
            findings.push(finding);
            return None;
        }
    };
    let problem = if is_tiktoken_name(&f.path) || looks_like_tiktoken(&bytes) {
        match std::str::from_utf8(&bytes)
            .map_err(|e| {
                (
                    format!("is not valid UTF-8 (at byte {})", e.valid_up_to()),
                    None,
                )
            })
            .and_then(|text| parse_tiktoken(text).map_err(|e| (format!("{e}"), e.line())))
        {
            Ok(vocab) => return Some(ModelVocab::Tiktoken(vocab)),
            Err((what, line)) => (
                format!("is not a readable tiktoken vocabulary: {what}"),
                line,
            ),
        }
    } else {
        match parse_sentencepiece(&bytes) {
            Ok(model) => return Some(ModelVocab::SentencePiece(model)),
            Err(e) => (
                format!("is neither tiktoken text nor a SentencePiece model: it {e}"),
                None,
            ),
        }
    };
    let (message, line) = problem;
    findings.push(
        Finding::warning(Code::ConfigInvalid, message)
            .in_file(&f.path)
            .at_optional_line(line),
    );
    None
}
