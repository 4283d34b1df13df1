//! Llama 1/2/3 through `candle_transformers::models::llama`, Llama 3 rope
//! scaling included.

use super::llama_half::HalfLlama;
use super::llama_stream::{buffer_elements, StreamLlama, StreamSource};
use super::model::{
    cap_positions, config_copy, default, expect_act, get_u64, head_dim, parse, refuse_true,
    rope_type, Build, BuildError, Decoder, Model,
};
use candle_core::{DType, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::llama::{Cache, Config, Llama, LlamaConfig};
use serde_json::Value;

const FAMILY: &str = "llama";

struct Runner {
    model: Llama,
    cache: Cache,
}

impl Decoder for Runner {
    fn forward(&mut self, ids: &Tensor, offset: usize) -> candle_core::Result<Tensor> {
        self.model.forward(ids, offset, &mut self.cache)
    }
}

impl Decoder for HalfLlama {
    fn forward(&mut self, ids: &Tensor, offset: usize) -> candle_core::Result<Tensor> {
        HalfLlama::forward(self, ids, offset)
    }
}

/// Whether a Llama with weights loaded as `dtype` runs through
/// `llama_half.rs` (bf16/f16 projections, f32 activations): on the CPU,
/// where candle has no fast bf16/f16 matmul.
pub(crate) fn runs_half(dtype: DType, cpu: bool) -> bool {
    cpu && matches!(dtype, DType::BF16 | DType::F16)
}

/// Builds a Llama. candle's loader computes `head_dim` as hidden / heads and
/// has no biases, so configs that say otherwise are refused here rather than
/// run wrongly.
pub(crate) fn build(b: &Build<'_>, vb: VarBuilder<'_>) -> Result<Model, BuildError> {
    let config = config(b)?;
    if runs_half(vb.dtype(), b.cpu) {
        return Ok(Model::Decoder(Box::new(HalfLlama::load(vb, &config)?)));
    }
    let cache = Cache::new(true, vb.dtype(), &config, vb.device())?;
    let model = Llama::load(vb, &config)?;
    Ok(Model::Decoder(Box::new(Runner { model, cache })))
}

/// The streamed prompt pass (`--stream`) over the shards of `source`, the
/// projections stored as `dtype` (bf16/f16): nothing is read until it runs.
pub(crate) fn build_stream(
    b: &Build<'_>,
    source: StreamSource,
    dtype: DType,
) -> Result<Model, BuildError> {
    let config = config(b)?;
    Ok(Model::Decoder(Box::new(StreamLlama::new(
        source, config, dtype,
    )?)))
}

/// The elements of the buffer a streamed pass reuses (one layer's
/// projections, or the LM head), from config.json.
pub(crate) fn stream_buffer_elements(b: &Build<'_>) -> Result<usize, BuildError> {
    Ok(buffer_elements(&config(b)?))
}

/// config.json normalised into candle's Llama config.
fn config(b: &Build<'_>) -> Result<Config, BuildError> {
    let mut cfg = config_copy(b);
    expect_act(&cfg, "hidden_act", &["silu"], FAMILY)?;
    refuse_true(&cfg, "attention_bias", FAMILY)?;
    refuse_true(&cfg, "mlp_bias", FAMILY)?;
    if let (Some(stated), Some(hidden), Some(heads)) = (
        get_u64(&cfg, "head_dim"),
        get_u64(&cfg, "hidden_size"),
        get_u64(&cfg, "num_attention_heads"),
    ) {
        if heads == 0 || stated * heads != hidden {
            return Err(BuildError::Config(format!(
                "head_dim {stated} × {heads} heads ≠ hidden_size {hidden}: candle's llama assumes head_dim = hidden_size / heads"
            )));
        }
    }
    head_dim(&cfg, FAMILY)?;
    match cfg.get("rope_scaling").cloned() {
        None | Some(Value::Null) => {}
        Some(v) => match rope_type(&v).as_deref() {
            Some("llama3") => {
                let mut v = v;
                if let Some(o) = v.as_object_mut() {
                    o.insert("rope_type".into(), Value::from("llama3"));
                }
                cfg.insert("rope_scaling".into(), v);
            }
            Some("default") => {
                cfg.insert("rope_scaling".into(), Value::Null);
            }
            other => {
                return Err(BuildError::Config(format!(
                    "rope_scaling `{}` is not applied by candle's llama (it knows llama3); the positions would be wrong",
                    other.map(str::to_string).unwrap_or_else(|| v.to_string())
                )))
            }
        },
    }
    // Token ids are taken from the tokenizer; their spellings here vary.
    cfg.remove("bos_token_id");
    cfg.remove("eos_token_id");
    default(&mut cfg, "rms_norm_eps", Value::from(1e-6));
    default(&mut cfg, "tie_word_embeddings", Value::from(false));
    default(&mut cfg, "max_position_embeddings", Value::from(2048));
    cap_positions(&mut cfg, b.positions, 2048)?;
    Ok(parse::<LlamaConfig>(cfg, FAMILY)?.into_config(false))
}
