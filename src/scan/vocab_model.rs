//! The tokenizer's own model file (`tokenizer.model`, `spiece.model`,
//! `sentencepiece.bpe.model`, `*.tiktoken`, `tiktoken.model`), read where
//! neither tokenizer.json nor tekken.json says more: many repositories (older
//! Llama and T5 checkpoints, Qwen-7B, Kimi, GLM-4) ship only this. A
//! `tokenizer.model` is SentencePiece protobuf or tiktoken text; its first
//! line tells which. Without a model file (or with one that cannot be
//! read), the plain vocabulary stands in: `vocab.json`, else `vocab.txt`.

use super::FileEntry;
use crate::model::plain_vocab::{parse_vocab_json, parse_vocab_txt};
use crate::model::sentencepiece::parse_sentencepiece;
use crate::model::tiktoken::{is_tiktoken_name, looks_like_tiktoken, parse_tiktoken};
use crate::model::tokenizer::ModelVocab;
use crate::report::finding::{Code, Finding};
use crate::util::json::{read_text, MAX_TOKENIZER_BYTES};

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
    if let Some(f) = files.clone().find(|f| f.path == "vocab.json") {
        let parsed = read_text(&f.real_path, &f.path, MAX_TOKENIZER_BYTES).map(|text| {
            parse_vocab_json(&text).map_err(|e| {
                Finding::warning(
                    Code::ConfigInvalid,
                    format!(
                        "vocab.json is not a `{{\"token\": id}}` map: {} (line {}, column {})",
                        e.to_string().split(" at line ").next().unwrap_or(""),
                        e.line(),
                        e.column()
                    ),
                )
                .in_file(&f.path)
                .at_line(u32::try_from(e.line().max(1)).unwrap_or(u32::MAX))
            })
        });
        match parsed {
            Ok(Ok(Some(vocab))) => {
                return Some(ModelVocab::Plain {
                    file: f.path.clone(),
                    vocab,
                })
            }
            Ok(Ok(None)) => {}
            Ok(Err(finding)) | Err(finding) => findings.push(finding),
        }
    }
    let f = files.find(|f| f.path == "vocab.txt")?;
    match read_text(&f.real_path, &f.path, MAX_TOKENIZER_BYTES) {
        Ok(text) => parse_vocab_txt(&text).map(|vocab| ModelVocab::Plain {
            file: f.path.clone(),
            vocab,
        }),
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
    if f.size > MAX_TOKENIZER_BYTES {
        findings.push(
            Finding::warning(
                Code::FilesUnreadable,
                format!(
                    "file is {} bytes, over the {MAX_TOKENIZER_BYTES}-byte limit for a tokenizer model; skipped",
                    f.size
                ),
            )
            .in_file(&f.path),
        );
        return None;
    }
    let bytes = match crate::util::fs::read_regular(&f.real_path) {
        Ok(b) => b,
        Err(e) => {
            findings.push(
                Finding::error(Code::FilesUnreadable, format!("cannot read: {e}")).in_file(&f.path),
            );
            return None;
        }
    };
    let file = f.path.clone();
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
            Ok(vocab) => return Some(ModelVocab::Tiktoken { file, vocab }),
            Err((what, line)) => (
                format!("is not a readable tiktoken vocabulary: {what}"),
                line,
            ),
        }
    } else {
        match parse_sentencepiece(&bytes) {
            Ok(model) => return Some(ModelVocab::SentencePiece { file, model }),
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
