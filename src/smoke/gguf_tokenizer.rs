//! The tokenizer of a GGUF file, rebuilt from its metadata with the
//! `tokenizers` crate, following what llama.cpp does with the same keys.
//!
//! - `tokenizer.ggml.model = "gpt2"`: byte-level BPE from
//!   `tokenizer.ggml.tokens` and `tokenizer.ggml.merges`, the text split
//!   first by the regexes llama.cpp uses for `tokenizer.ggml.pre`
//!   ([`pre_split`]).
//! - `tokenizer.ggml.model = "llama"` (SentencePiece): BPE over the pieces
//!   with byte fallback (`<0xNN>` tokens), merges ranked by the pieces'
//!   `tokenizer.ggml.scores` (the highest-scoring merge first, as llama.cpp's
//!   SPM tokenizer does), spaces as `▁`, a `▁` prefix when
//!   `tokenizer.ggml.add_space_prefix` (default true).
//!
//! Control tokens (`tokenizer.ggml.token_type` 3) become special added
//! tokens and user-defined ones (4) added tokens, so that they are matched
//! whole in a prompt. BOS and EOS are added by [`GgufTokenizer::encode`]
//! per `tokenizer.ggml.add_bos_token` / `add_eos_token`, with llama.cpp's
//! defaults when absent.
//!
//! candle-core has a `TokenizerFromGguf` of its own; it builds only `gpt2`
//! vocabularies and knows three pre-tokenizers (SmolLM's digit split, for
//! one, is missing), hence this module.

use super::gguf_meta::{self, MetaProblem, Metadata};
use candle_core::quantized::gguf_file::Value;
use std::collections::HashMap;
use thiserror::Error;
use tokenizers::decoders::byte_fallback::ByteFallback;
use tokenizers::decoders::byte_level::ByteLevel as ByteLevelDecoder;
use tokenizers::decoders::fuse::Fuse;
use tokenizers::decoders::sequence::Sequence as DecoderSequence;
use tokenizers::decoders::strip::Strip;
use tokenizers::decoders::DecoderWrapper;
use tokenizers::models::bpe::{Vocab, BPE};
use tokenizers::normalizers::{Prepend, Replace, Sequence as NormalizerSequence};
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::sequence::Sequence as PreSequence;
use tokenizers::pre_tokenizers::split::{Split, SplitPattern};
use tokenizers::pre_tokenizers::PreTokenizerWrapper;
use tokenizers::{AddedToken, SplitDelimiterBehavior, Tokenizer};

/// Why the tokenizer could not be rebuilt.
#[derive(Debug, Error)]
pub enum GgufTokenizerError {
    /// A key is missing or of the wrong type.
    #[error("{0}")]
    Metadata(String),
    /// `tokenizer.ggml.model` names a tokenizer mri cannot rebuild.
    #[error("tokenizer.ggml.model is `{0}`: mri smoke rebuilds `gpt2` (byte-level BPE) and `llama` (SentencePiece) tokenizers only")]
    UnsupportedModel(String),
    /// The pieces do not form a valid tokenizer.
    #[error("{0}")]
    Invalid(String),
}

impl From<MetaProblem> for GgufTokenizerError {
    fn from(p: MetaProblem) -> Self {
        GgufTokenizerError::Metadata(p.to_string())
    }
}

/// llama.cpp's token types (`tokenizer.ggml.token_type`).
const TYPE_CONTROL: i64 = 3;
const TYPE_USER_DEFINED: i64 = 4;
const TYPE_BYTE: i64 = 6;

/// The GPT-2 split, as the `tokenizers` ByteLevel pre-tokenizer has it.
const GPT2: &str = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";
/// Qwen2's split (case-insensitive contractions, single digits).
const QWEN2: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
/// Llama 3's split (numbers in groups of up to three digits).
const LLAMA3: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// How a `gpt2` vocabulary's text is split before BPE, per `tokenizer.ggml.pre`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PreSplit {
    /// The regexes, applied one after the other (each match isolated).
    pub regexes: Vec<&'static str>,
    /// Whole words found in the vocabulary skip the merges (Llama 3).
    pub ignore_merges: bool,
    /// llama.cpp adds BOS by default for this pre-tokenizer.
    pub add_bos: bool,
    /// Whether the name was known (else the GPT-2 split is used).
    pub known: bool,
}

/// The split llama.cpp uses for a `tokenizer.ggml.pre` name (the common ones;
/// an unknown name falls back to the GPT-2 split, flagged `known: false`).
pub(crate) fn pre_split(pre: &str) -> PreSplit {
    let split = |regexes: Vec<&'static str>| PreSplit {
        regexes,
        ignore_merges: false,
        add_bos: false,
        known: true,
    };
    match pre {
        "llama3" | "llama-v3" | "llama-bpe" | "falcon3" | "pixtral" => PreSplit {
            regexes: vec![LLAMA3],
            ignore_merges: true,
            add_bos: true,
            known: true,
        },
        "dbrx" | "smaug-bpe" => split(vec![LLAMA3]),
        "qwen2" | "deepseek-r1-qwen" | "megrez" | "stablelm2" => split(vec![QWEN2]),
        "smollm" | "starcoder" | "refact" | "command-r" | "codeshell" | "exaone" | "minerva-7b" => {
            split(vec![r"\p{N}", GPT2])
        }
        "gpt-2" | "gpt2" | "phi-2" | "mpt" | "olmo" | "jais" | "trillion" | "jina-es"
        | "jina-de" | "jina-v2-es" | "jina-v2-de" | "exaone4" => split(vec![GPT2]),
        "falcon" => split(vec![r"[\p{P}\$\+<=>\^~\|`]+", GPT2, r"[0-9][0-9][0-9]"]),
        "default" => split(vec![
            r"[\p{P}\$\+<=>\^~\|]+",
            GPT2,
            r"\p{N}+",
            r"[0-9][0-9][0-9]",
        ]),
        _ => PreSplit {
            known: false,
            ..split(vec![GPT2])
        },
    }
}

/// A tokenizer rebuilt from GGUF metadata, with its special-token rules.
pub struct GgufTokenizer {
    /// The `tokenizers` tokenizer (no post-processor: BOS/EOS are added here).
    pub tokenizer: Tokenizer,
    /// `gpt2` or `llama`, and the pre-tokenizer, for notes.
    pub kind: String,
    /// Whether a BOS token starts every prompt.
    pub add_bos: bool,
    /// Whether an EOS token ends every prompt.
    pub add_eos: bool,
    /// `tokenizer.ggml.bos_token_id`.
    pub bos: Option<u32>,
    /// `tokenizer.ggml.eos_token_id`.
    pub eos: Option<u32>,
    /// Ids that end a generation: EOS and end-of-turn (`eot_token_id`, `eom_token_id`).
    pub stop_ids: Vec<u32>,
    /// Vocabulary size (`tokenizer.ggml.tokens`).
    pub vocab_size: usize,
    /// What is worth knowing (an unknown pre-tokenizer, a missing BOS id).
    pub notes: Vec<String>,
}

impl std::fmt::Debug for GgufTokenizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GgufTokenizer")
            .field("kind", &self.kind)
            .field("add_bos", &self.add_bos)
            .field("bos", &self.bos)
            .field("vocab_size", &self.vocab_size)
            .finish_non_exhaustive()
    }
}

impl GgufTokenizer {
    /// The ids of `text`: added tokens matched whole, BOS/EOS per the rules.
    pub fn encode(&self, text: &str) -> Result<Vec<u32>, String> {
        let encoding = self
            .tokenizer
            .encode(text, false)
            .map_err(|e| e.to_string())?;
        let mut ids = Vec::with_capacity(encoding.len() + 2);
        if self.add_bos {
            if let Some(bos) = self.bos {
                ids.push(bos);
            }
        }
        ids.extend_from_slice(encoding.get_ids());
        if self.add_eos {
            if let Some(eos) = self.eos {
                ids.push(eos);
            }
        }
        Ok(ids)
    }

    /// The text of `ids`, special tokens kept (a smoke test shows them).
    pub fn decode(&self, ids: &[u32]) -> String {
        self.tokenizer
            .decode(ids, false)
            .unwrap_or_else(|_| format!("{ids:?}"))
    }
}

fn strings(values: &[Value], key: &str) -> Result<Vec<String>, GgufTokenizerError> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| match v {
            Value::String(s) => Ok(s.clone()),
            other => Err(GgufTokenizerError::Metadata(format!(
                "{key}[{i}] should be a string, holds {}",
                gguf_meta::describe(other)
            ))),
        })
        .collect()
}

fn required<'a>(md: &'a Metadata, key: &str) -> Result<&'a [Value], GgufTokenizerError> {
    gguf_meta::array_of(md, key)?.ok_or_else(|| MetaProblem::Missing(key.to_string()).into())
}

/// Token types, one per token (normal when the key is absent).
fn token_types(md: &Metadata, count: usize) -> Result<Vec<i64>, GgufTokenizerError> {
    let key = "tokenizer.ggml.token_type";
    let Some(values) = gguf_meta::array_of(md, key)? else {
        return Ok(vec![1; count]);
    };
    if values.len() != count {
        return Err(GgufTokenizerError::Invalid(format!(
            "{key} has {} entries for {count} tokens",
            values.len()
        )));
    }
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            gguf_meta::value_u32(v)
                .map(i64::from)
                .or(match v {
                    Value::I32(n) => Some(i64::from(*n)),
                    _ => None,
                })
                .ok_or_else(|| {
                    GgufTokenizerError::Metadata(format!(
                        "{key}[{i}] should be an integer, holds {}",
                        gguf_meta::describe(v)
                    ))
                })
        })
        .collect()
}

fn id_of(md: &Metadata, key: &str, count: usize) -> Result<Option<u32>, GgufTokenizerError> {
    match gguf_meta::u32_of(md, key)? {
        Some(id) if (id as usize) < count => Ok(Some(id)),
        Some(id) => Err(GgufTokenizerError::Invalid(format!(
            "{key} is {id}, but the vocabulary has {count} tokens"
        ))),
        None => Ok(None),
    }
}

/// Token → id, the first id winning when a vocabulary repeats a piece.
fn vocab_of(tokens: &[String]) -> Vocab {
    let mut vocab = Vocab::default();
    for (i, t) in tokens.iter().enumerate() {
        vocab.entry(t.clone()).or_insert(i as u32);
    }
    vocab
}

/// Rebuilds the tokenizer described by `md` (a GGUF file's metadata).
pub fn from_metadata(md: &HashMap<String, Value>) -> Result<GgufTokenizer, GgufTokenizerError> {
    let model = gguf_meta::str_of(md, "tokenizer.ggml.model")?
        .ok_or_else(|| MetaProblem::Missing("tokenizer.ggml.model".into()))?
        .to_string();
    let tokens = strings(
        required(md, "tokenizer.ggml.tokens")?,
        "tokenizer.ggml.tokens",
    )?;
    if tokens.is_empty() {
        return Err(GgufTokenizerError::Invalid(
            "tokenizer.ggml.tokens is empty".into(),
        ));
    }
    if u32::try_from(tokens.len()).is_err() {
        return Err(GgufTokenizerError::Invalid(format!(
            "{} tokens do not fit 32-bit ids",
            tokens.len()
        )));
    }
    let types = token_types(md, tokens.len())?;
    let mut notes = Vec::new();
    let (mut tokenizer, kind, default_bos) = match model.as_str() {
        "gpt2" => {
            let pre = gguf_meta::str_of(md, "tokenizer.ggml.pre")?.unwrap_or("default");
            let split = pre_split(pre);
            if !split.known {
                notes.push(format!(
                    "pre-tokenizer `{pre}` is not one mri knows: the text is split as GPT-2 does, which may differ from llama.cpp"
                ));
            }
            let (tokenizer, dropped) = byte_level_bpe(md, &tokens, &split)?;
            if dropped > 0 {
                notes.push(format!(
                    "{dropped} merges name or make a token that is not in the vocabulary and were left out (llama.cpp falls back to the pieces' bytes there too)"
                ));
            }
            (
                tokenizer,
                format!("gpt2 BPE, pre-tokenizer {pre}"),
                split.add_bos,
            )
        }
        "llama" => {
            let add_space_prefix =
                gguf_meta::bool_of(md, "tokenizer.ggml.add_space_prefix")?.unwrap_or(true);
            let unk = id_of(md, "tokenizer.ggml.unknown_token_id", tokens.len())?;
            let tokenizer = sentencepiece_bpe(md, &tokens, &types, add_space_prefix, unk)?;
            (
                tokenizer,
                "llama SentencePiece (BPE with byte fallback)".to_string(),
                true,
            )
        }
        other => return Err(GgufTokenizerError::UnsupportedModel(other.to_string())),
    };

    // Control tokens are matched whole and kept when decoding; user-defined
    // ones are matched whole too (llama.cpp splits both out of the text first).
    let specials: Vec<AddedToken> = tokens
        .iter()
        .zip(&types)
        .filter(|(_, t)| **t == TYPE_CONTROL)
        .map(|(s, _)| AddedToken::from(s.clone(), true))
        .collect();
    let users: Vec<AddedToken> = tokens
        .iter()
        .zip(&types)
        .filter(|(s, t)| **t == TYPE_USER_DEFINED && !s.is_empty())
        .map(|(s, _)| AddedToken::from(s.clone(), false).normalized(false))
        .collect();
    if !specials.is_empty() {
        tokenizer
            .add_special_tokens(specials)
            .map_err(|e| GgufTokenizerError::Invalid(e.to_string()))?;
    }
    if !users.is_empty() {
        tokenizer
            .add_tokens(users)
            .map_err(|e| GgufTokenizerError::Invalid(e.to_string()))?;
    }

    let bos = id_of(md, "tokenizer.ggml.bos_token_id", tokens.len())?;
    let eos = id_of(md, "tokenizer.ggml.eos_token_id", tokens.len())?;
    let add_bos = gguf_meta::bool_of(md, "tokenizer.ggml.add_bos_token")?.unwrap_or(default_bos);
    let add_eos = gguf_meta::bool_of(md, "tokenizer.ggml.add_eos_token")?.unwrap_or(false);
    if add_bos && bos.is_none() {
        notes.push(
            "the tokenizer adds BOS, but tokenizer.ggml.bos_token_id is absent: no BOS added"
                .into(),
        );
    }
    let mut stop_ids: Vec<u32> = eos.into_iter().collect();
    for key in ["tokenizer.ggml.eot_token_id", "tokenizer.ggml.eom_token_id"] {
        if let Some(id) = id_of(md, key, tokens.len())? {
            if !stop_ids.contains(&id) {
                stop_ids.push(id);
            }
        }
    }
    Ok(GgufTokenizer {
        tokenizer,
        kind,
        add_bos,
        add_eos,
        bos,
        eos,
        stop_ids,
        vocab_size: tokens.len(),
        notes,
    })
}

fn invalid(e: impl std::fmt::Display) -> GgufTokenizerError {
    GgufTokenizerError::Invalid(e.to_string())
}

/// Byte-level BPE: the vocabulary and merges as stored, the pre-split regexes,
/// then bytes mapped to the GPT-2 alphabet. A merge whose pieces or result
/// are not tokens cannot yield a token and is left out (the `tokenizers`
/// crate refuses it); how many were is returned beside the tokenizer.
fn byte_level_bpe(
    md: &Metadata,
    tokens: &[String],
    split: &PreSplit,
) -> Result<(Tokenizer, usize), GgufTokenizerError> {
    let key = "tokenizer.ggml.merges";
    let merges = strings(required(md, key)?, key)?
        .into_iter()
        .enumerate()
        .map(|(i, m)| {
            m.split_once(' ')
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .ok_or_else(|| {
                    GgufTokenizerError::Invalid(format!(
                        "{key}[{i}] is {m:?}, not two tokens separated by a space"
                    ))
                })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let vocab = vocab_of(tokens);
    let listed = merges.len();
    let merges: Vec<(String, String)> = merges
        .into_iter()
        .filter(|(a, b)| {
            vocab.contains_key(a) && vocab.contains_key(b) && vocab.contains_key(&format!("{a}{b}"))
        })
        .collect();
    let dropped = listed - merges.len();
    let bpe = BPE::builder()
        .vocab_and_merges(vocab, merges)
        .ignore_merges(split.ignore_merges)
        .build()
        .map_err(invalid)?;
    let mut steps: Vec<PreTokenizerWrapper> = Vec::new();
    for regex in &split.regexes {
        let s = Split::new(
            SplitPattern::Regex((*regex).to_string()),
            SplitDelimiterBehavior::Isolated,
            false,
        )
        .map_err(invalid)?;
        steps.push(s.into());
    }
    steps.push(ByteLevel::new(false, false, false).into());
    let mut tokenizer = Tokenizer::new(bpe);
    tokenizer.with_pre_tokenizer(Some(PreSequence::new(steps)));
    tokenizer.with_decoder(Some(ByteLevelDecoder::new(false, false, false)));
    Ok((tokenizer, dropped))
}

/// SentencePiece as llama.cpp runs it: start from characters, repeatedly
/// merge the adjacent pair whose joined piece has the highest score; what
/// no piece covers falls back to `<0xNN>` byte tokens.
fn sentencepiece_bpe(
    md: &Metadata,
    tokens: &[String],
    types: &[i64],
    add_space_prefix: bool,
    unk: Option<u32>,
) -> Result<Tokenizer, GgufTokenizerError> {
    let key = "tokenizer.ggml.scores";
    let scores: Vec<f32> = required(md, key)?
        .iter()
        .enumerate()
        .map(|(i, v)| match v {
            Value::F32(x) => Ok(*x),
            Value::F64(x) => Ok(*x as f32),
            other => Err(GgufTokenizerError::Metadata(format!(
                "{key}[{i}] should be a number, holds {}",
                gguf_meta::describe(other)
            ))),
        })
        .collect::<Result<_, _>>()?;
    if scores.len() != tokens.len() {
        return Err(GgufTokenizerError::Invalid(format!(
            "{key} has {} entries for {} tokens",
            scores.len(),
            tokens.len()
        )));
    }
    let merges = merges_from_scores(tokens, &scores, types);
    let mut builder = BPE::builder()
        .vocab_and_merges(vocab_of(tokens), merges)
        .byte_fallback(true)
        .fuse_unk(true);
    if let Some(id) = unk {
        builder = builder.unk_token(tokens[id as usize].clone());
    }
    let bpe = builder.build().map_err(invalid)?;
    let mut tokenizer = Tokenizer::new(bpe);
    let replace = Replace::new(" ", "▁").map_err(invalid)?;
    if add_space_prefix {
        tokenizer
            .with_normalizer(Some(NormalizerSequence::new(vec![
                Prepend::new("▁".into()).into(),
                replace.into(),
            ])))
            .map_err(invalid)?;
    } else {
        tokenizer.with_normalizer(Some(replace)).map_err(invalid)?;
    }
    let mut decoders: Vec<DecoderWrapper> = vec![Replace::new("▁", " ").map_err(invalid)?.into()];
    decoders.push(ByteFallback::new().into());
    decoders.push(Fuse::new().into());
    if add_space_prefix {
        decoders.push(Strip::new(' ', 1, 0).into());
    }
    tokenizer.with_decoder(Some(DecoderSequence::new(decoders)));
    Ok(tokenizer)
}

/// Merges that reproduce score-ordered SentencePiece merging: every split
/// of a normal piece into two pieces of the vocabulary is a merge, ranked by
/// the joined piece's score (highest first; within a piece, by the ids of
/// its halves). Control and byte tokens are never the result of a merge.
pub(crate) fn merges_from_scores(
    tokens: &[String],
    scores: &[f32],
    types: &[i64],
) -> Vec<(String, String)> {
    let ids: HashMap<&str, usize> = {
        let mut m = HashMap::with_capacity(tokens.len());
        for (i, t) in tokens.iter().enumerate() {
            m.entry(t.as_str()).or_insert(i);
        }
        m
    };
    let mut ranked: Vec<(f32, usize, usize, usize)> = Vec::new();
    for (i, piece) in tokens.iter().enumerate() {
        if matches!(types.get(i), Some(&TYPE_CONTROL) | Some(&TYPE_BYTE)) {
            continue;
        }
        let mut local: Vec<(usize, usize)> = piece
            .char_indices()
            .skip(1)
            .filter_map(|(at, _)| {
                let (l, r) = piece.split_at(at);
                Some((*ids.get(l)?, *ids.get(r)?))
            })
            .collect();
        local.sort_unstable();
        ranked.extend(local.into_iter().map(|(l, r)| (scores[i], i, l, r)));
    }
    // Stable: equal scores keep the vocabulary's order.
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    ranked
        .into_iter()
        .map(|(_, _, l, r)| (tokens[l].clone(), tokens[r].clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings_value(items: &[&str]) -> Value {
        Value::Array(items.iter().map(|s| Value::String(s.to_string())).collect())
    }

    fn gpt2_metadata(pre: &str) -> Metadata {
        // A tiny byte-level vocabulary: the letters and digits used below,
        // a few merges, and two control tokens.
        let mut tokens: Vec<String> = vec!["<|endoftext|>".into(), "<|im_start|>".into()];
        for c in "abcdehilnorstwxHT0123456789 !,.".chars() {
            let mapped = if c == ' ' {
                "Ġ".to_string()
            } else {
                c.to_string()
            };
            tokens.push(mapped);
        }
        let merges = [
            "Ġ t", "l l", "e ll", "h ell", "hell o", "h e", "Ġt he", "Ġ w", "1 2",
        ];
        for m in merges {
            tokens.push(m.replace(' ', ""));
        }
        let mut md = Metadata::new();
        md.insert("tokenizer.ggml.model".into(), Value::String("gpt2".into()));
        md.insert("tokenizer.ggml.pre".into(), Value::String(pre.into()));
        let refs: Vec<&str> = tokens.iter().map(String::as_str).collect();
        md.insert("tokenizer.ggml.tokens".into(), strings_value(&refs));
        md.insert("tokenizer.ggml.merges".into(), strings_value(&merges));
        let mut types = vec![Value::I32(1); tokens.len()];
        types[0] = Value::I32(3);
        types[1] = Value::I32(3);
        md.insert("tokenizer.ggml.token_type".into(), Value::Array(types));
        md.insert("tokenizer.ggml.bos_token_id".into(), Value::U32(0));
        md.insert("tokenizer.ggml.eos_token_id".into(), Value::U32(0));
        md
    }

    fn pieces(t: &GgufTokenizer, text: &str) -> Vec<String> {
        t.encode(text)
            .expect("encode")
            .iter()
            .map(|&id| t.decode(&[id]))
            .collect()
    }

    #[test]
    fn gpt2_round_trips_and_splits_digits_for_smollm() {
        let t = from_metadata(&gpt2_metadata("smollm")).expect("tokenizer");
        let text = "hello the 2025 world!";
        let ids = t.encode(text).expect("encode");
        assert_eq!(t.decode(&ids), text);
        assert_eq!(
            pieces(&t, "hello 123"),
            ["hello", " ", "1", "2", "3"],
            "smollm splits every digit (and the space before them stands alone)"
        );
        // The GPT-2 split keeps " 123" together, so the merge "1 2" applies.
        let g = from_metadata(&gpt2_metadata("gpt-2")).expect("tokenizer");
        assert_eq!(pieces(&g, "hello 123"), ["hello", " ", "12", "3"]);
        assert_eq!(g.decode(&g.encode(text).expect("encode")), text);
        assert!(!t.add_bos, "gpt2 vocabularies add no BOS by default");
    }

    #[test]
    fn control_tokens_are_matched_whole_and_bos_follows_the_flag() {
        let mut md = gpt2_metadata("smollm");
        md.insert("tokenizer.ggml.add_bos_token".into(), Value::Bool(true));
        let t = from_metadata(&md).expect("tokenizer");
        let ids = t.encode("<|im_start|>the").expect("encode");
        assert_eq!(ids[0], 0, "BOS first");
        assert_eq!(ids[1], 1, "the control token is one id");
        assert_eq!(t.decode(&ids), "<|endoftext|><|im_start|>the");
    }

    #[test]
    fn unknown_pre_tokenizers_fall_back_with_a_note() {
        let t = from_metadata(&gpt2_metadata("my-own-split")).expect("tokenizer");
        assert!(t.notes.iter().any(|n| n.contains("my-own-split")));
        assert!(pre_split("llama-bpe").ignore_merges);
        assert!(pre_split("llama-bpe").add_bos);
        assert!(pre_split("qwen2").known);
    }

    #[test]
    fn merges_that_cannot_make_a_token_are_left_out_with_a_note() {
        let mut md = gpt2_metadata("smollm");
        let Some(Value::Array(merges)) = md.get_mut("tokenizer.ggml.merges") else {
            panic!("merges");
        };
        // "q" and "u" are no tokens; "Ġ a" makes "Ġa", which is none either.
        merges.push(Value::String("q u".into()));
        merges.push(Value::String("Ġ a".into()));
        let t = from_metadata(&md).expect("the other merges still build");
        assert!(
            t.notes.iter().any(|n| n.starts_with("2 merges")),
            "{:?}",
            t.notes
        );
        let ids = t.encode("the hello").expect("encode");
        assert_eq!(t.decode(&ids), "the hello");
        let clean = from_metadata(&gpt2_metadata("smollm")).expect("tokenizer");
        assert!(!clean.notes.iter().any(|n| n.contains("merges")));
    }

    #[test]
    fn unsupported_models_and_missing_keys_are_named() {
        let mut md = gpt2_metadata("smollm");
        md.insert("tokenizer.ggml.model".into(), Value::String("bert".into()));
        let e = from_metadata(&md).expect_err("bert");
        assert!(e.to_string().contains("`bert`"), "{e}");
        let mut md = gpt2_metadata("smollm");
        md.remove("tokenizer.ggml.merges");
        let e = from_metadata(&md).expect_err("no merges");
        assert_eq!(e.to_string(), "missing metadata key tokenizer.ggml.merges");
        let mut md = gpt2_metadata("smollm");
        md.insert("tokenizer.ggml.bos_token_id".into(), Value::U32(10_000));
        let e = from_metadata(&md).expect_err("bos out of range");
        assert!(e.to_string().contains("bos_token_id is 10000"), "{e}");
    }

    #[test]
    fn sentencepiece_merges_follow_the_scores() {
        // "▁ab" scores highest, but in "▁ab" only "▁a" + "b" can meet: the
        // pieces merge in score order as far as they can.
        let tokens: Vec<String> = ["<unk>", "<s>", "<0x41>", "▁", "a", "b", "▁a", "ab", "▁ab"]
            .map(String::from)
            .to_vec();
        let scores = [0.0, 0.0, 0.0, -1.0, -2.0, -3.0, -0.5, -0.6, -0.1];
        let types: [i32; 9] = [2, 3, 6, 1, 1, 1, 1, 1, 1];
        let merges = merges_from_scores(&tokens, &scores, &types.map(i64::from));
        assert_eq!(
            merges,
            vec![
                // Both splits of "▁ab" (score -0.1), by the ids of their halves.
                ("▁".to_string(), "ab".to_string()),
                ("▁a".to_string(), "b".to_string()),
                ("▁".to_string(), "a".to_string()),
                ("a".to_string(), "b".to_string()),
            ]
        );
        let mut md = Metadata::new();
        md.insert("tokenizer.ggml.model".into(), Value::String("llama".into()));
        let refs: Vec<&str> = tokens.iter().map(String::as_str).collect();
        md.insert("tokenizer.ggml.tokens".into(), strings_value(&refs));
        md.insert(
            "tokenizer.ggml.scores".into(),
            Value::Array(scores.iter().map(|s| Value::F32(*s)).collect()),
        );
        md.insert(
            "tokenizer.ggml.token_type".into(),
            Value::Array(types.iter().map(|t| Value::I32(*t)).collect()),
        );
        md.insert("tokenizer.ggml.bos_token_id".into(), Value::U32(1));
        md.insert("tokenizer.ggml.unknown_token_id".into(), Value::U32(0));
        let t = from_metadata(&md).expect("tokenizer");
        assert!(t.add_bos, "SentencePiece adds BOS by default");
        let ids = t.encode("ab A").expect("encode");
        // BOS, "▁ab", "▁", then "A" as its byte token.
        assert_eq!(ids, vec![1, 8, 3, 2]);
        assert_eq!(t.decode(&ids[1..]), "ab A");
    }
}
