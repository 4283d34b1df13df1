//! The architecture families `mri smoke` runs, and what a built model offers.
//!
//! Each family lives in its own file: it turns config.json into the config
//! struct of the candle-transformers module (normalising what the Hub writes
//! and candle does not accept) and builds the model from a `VarBuilder`.

use super::backend::HeaderTensor;
use super::{bert, gemma, llama, mistral, phi3, qwen};
use candle_core::Tensor;
use candle_nn::VarBuilder;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// An architecture family `mri smoke` can run, named by `model_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Llama 1/2/3 (Llama 3 rope scaling included): `candle_transformers::models::llama`.
    Llama,
    /// Mistral: `models::mistral`.
    Mistral,
    /// Qwen2 and Qwen2.5: `models::qwen2`.
    Qwen2,
    /// Qwen3 (dense): `models::qwen3`.
    Qwen3,
    /// Gemma: `models::gemma`.
    Gemma,
    /// Gemma 2: `models::gemma2`.
    Gemma2,
    /// Phi-3 and Phi-3.5: `models::phi3`.
    Phi3,
    /// BERT encoders (sentence-transformers models among them): `models::bert`.
    Bert,
}

impl Family {
    /// Every family, in the order the help lists them.
    pub const ALL: [Family; 8] = [
        Family::Llama,
        Family::Mistral,
        Family::Qwen2,
        Family::Qwen3,
        Family::Gemma,
        Family::Gemma2,
        Family::Phi3,
        Family::Bert,
    ];

    /// The `model_type` this family is named by.
    pub fn name(self) -> &'static str {
        match self {
            Family::Llama => "llama",
            Family::Mistral => "mistral",
            Family::Qwen2 => "qwen2",
            Family::Qwen3 => "qwen3",
            Family::Gemma => "gemma",
            Family::Gemma2 => "gemma2",
            Family::Phi3 => "phi3",
            Family::Bert => "bert",
        }
    }

    /// The family for a config.json `model_type`.
    pub fn from_model_type(model_type: &str) -> Option<Family> {
        Family::ALL.into_iter().find(|f| f.name() == model_type)
    }

    /// The family for an `architectures` entry, when `model_type` is absent.
    pub fn from_architecture(class: &str) -> Option<Family> {
        Some(match class {
            "LlamaForCausalLM" => Family::Llama,
            "MistralForCausalLM" => Family::Mistral,
            "Qwen2ForCausalLM" => Family::Qwen2,
            "Qwen3ForCausalLM" => Family::Qwen3,
            "GemmaForCausalLM" => Family::Gemma,
            "Gemma2ForCausalLM" => Family::Gemma2,
            "Phi3ForCausalLM" => Family::Phi3,
            "BertModel" | "BertForMaskedLM" => Family::Bert,
            _ => return None,
        })
    }

    /// Whether bf16/f16 weights run on the CPU through mri's own forward
    /// pass and half-precision kernel (`llama_half.rs`), not candle's.
    pub(crate) fn half_on_cpu(self) -> bool {
        self == Family::Llama
    }

    /// Whether the model is an encoder (no next-token logits).
    pub fn is_encoder(self) -> bool {
        self == Family::Bert
    }

    /// Builds the model from a config and a weight source.
    pub(crate) fn build(self, b: &Build<'_>, vb: VarBuilder<'_>) -> Result<Model, BuildError> {
        match self {
            Family::Llama => llama::build(b, vb),
            Family::Mistral => mistral::build(b, vb),
            Family::Qwen2 => qwen::build_qwen2(b, vb),
            Family::Qwen3 => qwen::build_qwen3(b, vb),
            Family::Gemma => gemma::build_gemma(b, vb),
            Family::Gemma2 => gemma::build_gemma2(b, vb),
            Family::Phi3 => phi3::build(b, vb),
            Family::Bert => bert::build(b, vb),
        }
    }
}

/// What a family needs to build its model.
pub(crate) struct Build<'a> {
    /// config.json, as written.
    pub config: &'a Map<String, Value>,
    /// Positions the run uses (prompt plus continuation).
    pub positions: usize,
    /// Every stored tensor, by name.
    pub headers: &'a HashMap<String, HeaderTensor>,
    /// Whether the model runs on the CPU (where bf16/f16 Llama weights go
    /// through `llama_half.rs`).
    pub cpu: bool,
}

/// Why a model could not be built.
#[derive(Debug)]
pub(crate) enum BuildError {
    /// config.json does not say what candle needs, or asks for what it lacks.
    Config(String),
    /// candle failed.
    Candle(candle_core::Error),
}

impl From<candle_core::Error> for BuildError {
    fn from(e: candle_core::Error) -> Self {
        BuildError::Candle(e)
    }
}

/// A decoder: next-token logits with a KV cache.
pub(crate) trait Decoder {
    /// Logits of the last position of `ids` (`[1, n]`), whose first token
    /// sits at position `offset` (the tokens before it are in the cache).
    fn forward(&mut self, ids: &Tensor, offset: usize) -> candle_core::Result<Tensor>;
}

/// An encoder: hidden states for every token.
pub(crate) trait Encoder {
    /// Hidden states `[1, n, hidden]` of `ids` (`[1, n]`).
    fn forward(&self, ids: &Tensor) -> candle_core::Result<Tensor>;
}

/// A built model.
pub(crate) enum Model {
    /// Next-token prediction.
    Decoder(Box<dyn Decoder>),
    /// Embeddings.
    Encoder(Box<dyn Encoder>),
}

// ------------------------------------------------------------ config helpers

/// A mutable copy of config.json to normalise.
pub(crate) fn config_copy(b: &Build<'_>) -> Map<String, Value> {
    b.config.clone()
}

/// Sets `key` when it is missing or null.
pub(crate) fn default(cfg: &mut Map<String, Value>, key: &str, value: Value) {
    if cfg.get(key).is_none_or(Value::is_null) {
        cfg.insert(key.to_string(), value);
    }
}

/// A whole number from the config.
pub(crate) fn get_u64(cfg: &Map<String, Value>, key: &str) -> Option<u64> {
    cfg.get(key).and_then(Value::as_u64)
}

/// A required whole number, else a config error naming it.
pub(crate) fn need_u64(
    cfg: &Map<String, Value>,
    key: &str,
    family: &str,
) -> Result<u64, BuildError> {
    get_u64(cfg, key).ok_or_else(|| {
        BuildError::Config(format!(
            "config.json lacks `{key}` (a whole number), which {family} needs"
        ))
    })
}

/// `head_dim` when stated, else `hidden_size / num_attention_heads`.
pub(crate) fn head_dim(cfg: &Map<String, Value>, family: &str) -> Result<u64, BuildError> {
    if let Some(h) = get_u64(cfg, "head_dim") {
        return Ok(h);
    }
    let hidden = need_u64(cfg, "hidden_size", family)?;
    let heads = need_u64(cfg, "num_attention_heads", family)?;
    if heads == 0 || hidden % heads != 0 {
        return Err(BuildError::Config(format!(
            "hidden_size {hidden} is not a multiple of num_attention_heads {heads}"
        )));
    }
    Ok(hidden / heads)
}

/// Shortens the position tables candle precomputes to what the run uses:
/// rotary tables depend only on the position, so the values at the used
/// positions are unchanged, and a 128K-context model does not spend time and
/// memory on 128K rows. Fails when the run needs more positions than the
/// model has.
pub(crate) fn cap_positions(
    cfg: &mut Map<String, Value>,
    positions: usize,
    default_context: u64,
) -> Result<(), BuildError> {
    let context = get_u64(cfg, "max_position_embeddings").unwrap_or(default_context);
    if positions as u64 > context {
        return Err(BuildError::Config(format!(
            "the prompt and continuation need {positions} positions; the model has {context} (max_position_embeddings)"
        )));
    }
    let cap = (positions as u64).next_power_of_two().max(512).min(context);
    cfg.insert("max_position_embeddings".into(), Value::from(cap));
    Ok(())
}

/// Refuses a `rope_scaling` the candle module does not apply (it would run,
/// with the wrong positions).
pub(crate) fn refuse_rope_scaling(
    cfg: &Map<String, Value>,
    family: &str,
) -> Result<(), BuildError> {
    match cfg.get("rope_scaling") {
        None | Some(Value::Null) => Ok(()),
        Some(v) => {
            let kind = rope_type(v);
            if kind.as_deref() == Some("default") {
                Ok(())
            } else {
                Err(BuildError::Config(format!(
                    "rope_scaling `{}` is not applied by candle's {family}; the positions would be wrong",
                    kind.unwrap_or_else(|| v.to_string())
                )))
            }
        }
    }
}

/// `rope_type` (or the older `type`) of a `rope_scaling` object.
pub(crate) fn rope_type(v: &Value) -> Option<String> {
    v.get("rope_type")
        .or_else(|| v.get("type"))
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// Refuses a flag the candle module does not implement.
pub(crate) fn refuse_true(
    cfg: &Map<String, Value>,
    key: &str,
    family: &str,
) -> Result<(), BuildError> {
    if cfg.get(key).and_then(Value::as_bool) == Some(true) {
        return Err(BuildError::Config(format!(
            "`{key}: true` is not implemented by candle's {family}"
        )));
    }
    Ok(())
}

/// Refuses an activation other than the ones given.
pub(crate) fn expect_act(
    cfg: &Map<String, Value>,
    key: &str,
    allowed: &[&str],
    family: &str,
) -> Result<(), BuildError> {
    match cfg.get(key).and_then(Value::as_str) {
        Some(a) if !allowed.contains(&a) => Err(BuildError::Config(format!(
            "{key} `{a}` is not what candle's {family} computes ({})",
            allowed.join(", ")
        ))),
        _ => Ok(()),
    }
}

/// Deserialises the normalised config into candle's struct.
pub(crate) fn parse<T: DeserializeOwned>(
    cfg: Map<String, Value>,
    family: &str,
) -> Result<T, BuildError> {
    serde_json::from_value(Value::Object(cfg)).map_err(|e| {
        BuildError::Config(format!(
            "config.json does not fit candle's {family} config: {e}"
        ))
    })
}
