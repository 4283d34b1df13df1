//! Tokenizer files: tokenizer.json (read with a typed, lean deserializer),
//! tokenizer_config.json, special_tokens_map.json, chat templates, vocab files.

use crate::util::json::{as_u64, JsonDoc};
use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// The parts of tokenizer.json that `mri` needs; merges and normalisers are skipped.
#[derive(Debug, Default, Deserialize)]
pub struct TokenizerJson {
    /// The model section.
    #[serde(default)]
    pub model: TokenizerModel,
    /// Added tokens (special and not).
    #[serde(default)]
    pub added_tokens: Vec<AddedToken>,
}

/// `model` in tokenizer.json.
#[derive(Debug, Default, Deserialize)]
pub struct TokenizerModel {
    /// `BPE`, `WordPiece`, `Unigram`, `WordLevel`.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    /// Token → id.
    #[serde(default)]
    pub vocab: Vocab,
}

/// One added token.
#[derive(Debug, Deserialize)]
pub struct AddedToken {
    /// Its id.
    pub id: u64,
    /// Its text.
    pub content: String,
    /// Whether it is special.
    #[serde(default)]
    pub special: bool,
}

/// A vocabulary, from a `{token: id}` map (BPE, WordPiece) or a
/// `[[token, score], ...]` list (Unigram, where the id is the position).
#[derive(Debug, Default)]
pub struct Vocab(pub HashMap<String, u64>);

impl<'de> Deserialize<'de> for Vocab {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Vocab;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a token-to-id map or a list of [token, score] pairs")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Vocab, A::Error> {
                let mut out = HashMap::with_capacity(m.size_hint().unwrap_or(0).min(1 << 20));
                while let Some((k, v)) = m.next_entry::<String, u64>()? {
                    out.insert(k, v);
                }
                Ok(Vocab(out))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut s: A) -> Result<Vocab, A::Error> {
                let mut out = HashMap::new();
                let mut id = 0u64;
                while let Some((token, _score)) = s.next_element::<(String, f64)>()? {
                    out.insert(token, id);
                    id += 1;
                }
                Ok(Vocab(out))
            }
            fn visit_unit<E>(self) -> Result<Vocab, E> {
                Ok(Vocab::default())
            }
        }
        d.deserialize_any(V)
    }
}

/// Parses tokenizer.json text.
pub fn parse_tokenizer_json(text: &str) -> Result<TokenizerJson, serde_json::Error> {
    serde_json::from_str(text)
}

/// A special token and its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpecialToken {
    /// The token text.
    pub token: String,
    /// Its id in the tokenizer, when it could be found.
    pub id: Option<u64>,
}

/// The tokenizer, summarised for the Report.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TokenizerSummary {
    /// Tokenizer files present.
    pub files: Vec<String>,
    /// `tokenizer_class` from tokenizer_config.json.
    pub tokenizer_class: Option<String>,
    /// The tokenizer.json model type (`BPE`, `WordPiece`, `Unigram`).
    pub model: Option<String>,
    /// Token ids the tokenizer can produce: highest id + 1 over the model's
    /// vocabulary and the added tokens.
    pub vocab_size: Option<u64>,
    /// Entries in the model's own vocabulary.
    pub base_vocab: Option<u64>,
    /// Added tokens.
    pub added_tokens: u64,
    /// bos/eos/pad/unk tokens with their ids.
    pub special_tokens: BTreeMap<String, SpecialToken>,
    /// Whether a chat template exists.
    pub chat_template: bool,
    /// Where the chat template was found.
    pub chat_template_source: Option<String>,
    /// `model_max_length`, when sensible.
    pub model_max_length: Option<u64>,
}

/// The tokenizer's own model file, read where no tokenizer.json or
/// tekken.json says more.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelVocab {
    /// A SentencePiece model (`tokenizer.model`, `spiece.model`, ...).
    SentencePiece(crate::model::sentencepiece::SentencePieceModel),
    /// A tiktoken vocabulary (`*.tiktoken`, or a `tokenizer.model` of text).
    Tiktoken(crate::model::tiktoken::TiktokenVocab),
    /// A plain vocabulary (`vocab.json`, `vocab.txt`), when there is no model file.
    Plain(crate::model::plain_vocab::PlainVocab),
}

/// The inputs a summary is built from.
#[derive(Debug, Default)]
pub struct TokenizerInputs<'a> {
    /// Tokenizer files present (relative paths).
    pub files: Vec<String>,
    /// tokenizer.json, parsed.
    pub tokenizer_json: Option<&'a TokenizerJson>,
    /// tokenizer_config.json.
    pub tokenizer_config: Option<&'a JsonDoc>,
    /// special_tokens_map.json.
    pub special_tokens_map: Option<&'a JsonDoc>,
    /// The chat template file (chat_template.jinja/json), when present.
    pub chat_template_file: Option<&'a str>,
    /// tekken.json (Mistral's tokenizer), when there is no tokenizer.json.
    pub tekken: Option<&'a crate::model::tekken::Tekken>,
    /// The tokenizer's model file or plain vocabulary, when neither
    /// tokenizer.json nor tekken.json is there.
    pub model_vocab: Option<&'a ModelVocab>,
    /// added_tokens.json (`{"token": id}`), which slow tokenizers save beside
    /// their model file.
    pub added_tokens_json: Option<&'a JsonDoc>,
}

/// Builds the tokenizer summary.
pub fn summarize(inputs: &TokenizerInputs<'_>) -> TokenizerSummary {
    let mut s = TokenizerSummary {
        files: inputs.files.clone(),
        ..Default::default()
    };
    let cfg = inputs.tokenizer_config.map(|d| &d.value);
    s.tokenizer_class = cfg
        .and_then(|c| c.get("tokenizer_class"))
        .and_then(Value::as_str)
        .map(str::to_string);
    s.model_max_length = cfg
        .and_then(|c| c.get("model_max_length"))
        .and_then(as_u64)
        .filter(|n| *n < 1u64 << 40);
    let decoder_ids = decoder_ids(cfg, inputs.added_tokens_json);
    let ids = vocabulary(&mut s, inputs, &decoder_ids);
    configured_special_tokens(&mut s, inputs, &ids, &decoder_ids);
    if let Some(ModelVocab::SentencePiece(model)) = inputs.model_vocab {
        trainer_special_tokens(&mut s, model);
    }
    if let Some(t) = inputs.tekken {
        for (role, token) in crate::model::tekken::ROLES {
            if let (false, Some(id)) = (s.special_tokens.contains_key(role), t.special_id(token)) {
                s.special_tokens.insert(
                    role.to_string(),
                    SpecialToken {
                        token: token.to_string(),
                        id: Some(id),
                    },
                );
            }
        }
    }
    chat_template(&mut s, inputs);
    s
}

/// added_tokens_decoder in tokenizer_config.json ({"id": {"content": ...}})
/// and added_tokens.json ({"content": id}): the tokens a slow tokenizer
/// adds to its model file's vocabulary, content → id (the config's first).
fn decoder_ids(cfg: Option<&Value>, added_tokens_json: Option<&JsonDoc>) -> HashMap<String, u64> {
    let mut decoder_ids: HashMap<String, u64> = HashMap::new();
    if let Some(dec) = cfg
        .and_then(|c| c.get("added_tokens_decoder"))
        .and_then(Value::as_object)
    {
        for (id, tok) in dec {
            if let (Ok(id), Some(content)) = (
                id.parse::<u64>(),
                tok.get("content").and_then(Value::as_str),
            ) {
                decoder_ids.insert(content.to_string(), id);
            }
        }
    }
    if let Some(added) = added_tokens_json.and_then(|d| d.value.as_object()) {
        for (content, id) in added {
            if let Some(id) = as_u64(id) {
                decoder_ids.entry(content.clone()).or_insert(id);
            }
        }
    }
    decoder_ids
}

/// The model, vocabulary size, base vocabulary and added tokens from
/// tokenizer.json, else tekken.json, else the model file or plain
/// vocabulary (with the added tokens of `decoder_ids`); returns the ids of
/// the tokens it knows by text.
fn vocabulary<'a>(
    s: &mut TokenizerSummary,
    inputs: &TokenizerInputs<'a>,
    decoder_ids: &HashMap<String, u64>,
) -> HashMap<&'a str, u64> {
    let mut ids: HashMap<&str, u64> = HashMap::new();
    // The model file's own vocabulary: its size and its highest id.
    let mut base: Option<(u64, u64)> = None;
    if let Some(tj) = inputs.tokenizer_json {
        s.model = tj.model.kind.clone();
        s.base_vocab = Some(tj.model.vocab.0.len() as u64);
        s.added_tokens = tj.added_tokens.len() as u64;
        let max_id = tj
            .model
            .vocab
            .0
            .values()
            .chain(tj.added_tokens.iter().map(|t| &t.id))
            .max()
            .copied();
        s.vocab_size = max_id.map(|m| m + 1);
        for (tok, id) in &tj.model.vocab.0 {
            ids.insert(tok.as_str(), *id);
        }
        for t in &tj.added_tokens {
            ids.insert(t.content.as_str(), t.id);
        }
    } else if let Some(t) = inputs.tekken {
        // Control tokens take the first ids, the vocabulary the rest.
        s.model = Some("Tekken".to_string());
        s.vocab_size = t.config.default_vocab_size;
        s.added_tokens = t.special_count();
        s.base_vocab = s.vocab_size.map(|v| v.saturating_sub(s.added_tokens));
    } else if let Some(mv) = inputs.model_vocab {
        match mv {
            ModelVocab::SentencePiece(model) => {
                s.model = Some(model.model_type.to_string());
                for (piece, id) in &model.special_pieces {
                    ids.insert(piece.as_str(), *id);
                }
                base = Some((model.pieces, model.pieces.saturating_sub(1)));
            }
            ModelVocab::Tiktoken(vocab) => {
                s.model = Some("Tiktoken".to_string());
                base = Some((vocab.entries, vocab.max_rank));
            }
            ModelVocab::Plain(vocab) => {
                for (token, id) in &vocab.specials {
                    ids.insert(token.as_str(), *id);
                }
                base = Some((vocab.entries, vocab.max_id));
            }
        }
    }
    if let Some((entries, max_id)) = base {
        let distinct: std::collections::BTreeSet<u64> = decoder_ids.values().copied().collect();
        s.base_vocab = Some(entries);
        s.added_tokens = distinct.len() as u64;
        let top = distinct.last().copied().unwrap_or(0).max(max_id);
        s.vocab_size = Some(top + 1);
    }
    ids
}

/// The bos/eos/pad/unk tokens tokenizer_config.json (else
/// special_tokens_map.json) names, each with its id where known.
fn configured_special_tokens(
    s: &mut TokenizerSummary,
    inputs: &TokenizerInputs<'_>,
    ids: &HashMap<&str, u64>,
    decoder_ids: &HashMap<String, u64>,
) {
    let cfg = inputs.tokenizer_config.map(|d| &d.value);
    let map = inputs.special_tokens_map.map(|d| &d.value);
    for role in ["bos", "eos", "pad", "unk"] {
        let key = format!("{role}_token");
        let token = cfg
            .and_then(|c| c.get(&key))
            .and_then(token_text)
            .or_else(|| map.and_then(|m| m.get(&key)).and_then(token_text));
        if let Some(token) = token {
            let id = ids
                .get(token.as_str())
                .copied()
                .or_else(|| decoder_ids.get(&token).copied());
            s.special_tokens
                .insert(role.to_string(), SpecialToken { token, id });
        }
    }
}

/// A SentencePiece trainer's ids stand in for roles no config names.
fn trainer_special_tokens(
    s: &mut TokenizerSummary,
    model: &crate::model::sentencepiece::SentencePieceModel,
) {
    let trainer = [
        ("bos", model.bos_id),
        ("eos", model.eos_id),
        ("pad", model.pad_id),
        ("unk", model.unk_id),
    ];
    for (role, id) in trainer {
        let Some(id) = id else { continue };
        if let (false, Some(piece)) = (s.special_tokens.contains_key(role), model.special_piece(id))
        {
            s.special_tokens.insert(
                role.to_string(),
                SpecialToken {
                    token: piece.to_string(),
                    id: Some(id),
                },
            );
        }
    }
}

/// Whether there is a chat template, and where: its own file, else a
/// non-empty `chat_template` in tokenizer_config.json.
fn chat_template(s: &mut TokenizerSummary, inputs: &TokenizerInputs<'_>) {
    let cfg = inputs.tokenizer_config.map(|d| &d.value);
    if let Some(file) = inputs.chat_template_file {
        s.chat_template = true;
        s.chat_template_source = Some(file.to_string());
    } else if let Some(ct) = cfg.and_then(|c| c.get("chat_template")) {
        if ct.as_str().is_some_and(|t| !t.trim().is_empty())
            || ct.as_array().is_some_and(|a| !a.is_empty())
        {
            s.chat_template = true;
            s.chat_template_source = inputs.tokenizer_config.map(|d| d.path.clone());
        }
    }
}

/// A special token's text: a string, or an AddedToken object with `content`.
fn token_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("content").and_then(Value::as_str).map(str::to_string),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::json::parse_doc;

    #[test]
    fn bpe_vocab_and_added_tokens_give_the_size() {
        let tj = parse_tokenizer_json(r#"{"model":{"type":"BPE","vocab":{"a":0,"b":1,"ab":2},"merges":["a b"]},"added_tokens":[{"id":5,"content":"<eos>","special":true}]}"#).unwrap();
        let cfg = parse_doc("tokenizer_config.json", r#"{"eos_token":{"content":"<eos>"},"bos_token":"a","chat_template":"{{ x }}","tokenizer_class":"PreTrainedTokenizerFast"}"#.into()).unwrap();
        let s = summarize(&TokenizerInputs {
            tokenizer_json: Some(&tj),
            tokenizer_config: Some(&cfg),
            ..Default::default()
        });
        assert_eq!(s.vocab_size, Some(6));
        assert_eq!(s.base_vocab, Some(3));
        assert_eq!(s.added_tokens, 1);
        assert_eq!(s.special_tokens["eos"].id, Some(5));
        assert_eq!(s.special_tokens["bos"].id, Some(0));
        assert!(s.chat_template);
        assert_eq!(s.model.as_deref(), Some("BPE"));
    }

    #[test]
    fn unigram_list_vocab_is_positional() {
        let tj = parse_tokenizer_json(
            r#"{"model":{"type":"Unigram","vocab":[["<unk>",0.0],["a",-1.5],["b",-2.0]]}}"#,
        )
        .unwrap();
        assert_eq!(tj.model.vocab.0["b"], 2);
    }
}
