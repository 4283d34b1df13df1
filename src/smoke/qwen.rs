//! Qwen2/Qwen2.5 and Qwen3 through `candle_transformers::models::{qwen2, qwen3}`.

use super::model::{
    cap_positions, config_copy, default, expect_act, head_dim, parse, refuse_rope_scaling, Build,
    BuildError, Decoder, Model,
};
use candle_core::Tensor;
use candle_nn::VarBuilder;
use candle_transformers::models::{qwen2, qwen3};
use serde_json::{Map, Value};

impl Decoder for qwen2::ModelForCausalLM {
    fn forward(&mut self, ids: &Tensor, offset: usize) -> candle_core::Result<Tensor> {
        qwen2::ModelForCausalLM::forward(self, ids, offset)
    }
}

impl Decoder for qwen3::ModelForCausalLM {
    fn forward(&mut self, ids: &Tensor, offset: usize) -> candle_core::Result<Tensor> {
        qwen3::ModelForCausalLM::forward(self, ids, offset)
    }
}

/// What both Qwen configs need and the Hub's files leave out or null.
fn common(cfg: &mut Map<String, Value>, family: &str) -> Result<(), BuildError> {
    expect_act(cfg, "hidden_act", &["silu"], family)?;
    refuse_rope_scaling(cfg, family)?;
    default(cfg, "max_position_embeddings", Value::from(32_768));
    // `sliding_window: null` and a missing `max_window_layers` are what
    // the Hub writes when no layer slides; candle wants numbers.
    let context = cfg
        .get("max_position_embeddings")
        .cloned()
        .unwrap_or(Value::from(32_768));
    default(cfg, "sliding_window", context);
    if let Some(layers) = cfg.get("num_hidden_layers").cloned() {
        default(cfg, "max_window_layers", layers);
    }
    default(cfg, "use_sliding_window", Value::from(false));
    default(cfg, "tie_word_embeddings", Value::from(false));
    default(cfg, "rope_theta", Value::from(10_000.0));
    default(cfg, "rms_norm_eps", Value::from(1e-6));
    default(cfg, "hidden_act", Value::from("silu"));
    if let Some(heads) = cfg.get("num_attention_heads").cloned() {
        default(cfg, "num_key_value_heads", heads);
    }
    Ok(())
}

/// Builds a Qwen2 (or Qwen2.5).
pub(crate) fn build_qwen2(b: &Build<'_>, vb: VarBuilder<'_>) -> Result<Model, BuildError> {
    let mut cfg = config_copy(b);
    common(&mut cfg, "qwen2")?;
    let hd = head_dim(&cfg, "qwen2")?;
    let hidden = cfg.get("hidden_size").and_then(Value::as_u64).unwrap_or(0);
    let heads = cfg
        .get("num_attention_heads")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    if hd * heads != hidden {
        return Err(BuildError::Config(format!(
            "head_dim {hd} × {heads} heads ≠ hidden_size {hidden}: candle's qwen2 assumes head_dim = hidden_size / heads"
        )));
    }
    cap_positions(&mut cfg, b.positions, 32_768)?;
    let config: qwen2::Config = parse(cfg, "qwen2")?;
    Ok(Model::Decoder(Box::new(qwen2::ModelForCausalLM::new(
        &config, vb,
    )?)))
}

/// Builds a Qwen3 (dense).
pub(crate) fn build_qwen3(b: &Build<'_>, vb: VarBuilder<'_>) -> Result<Model, BuildError> {
    let mut cfg = config_copy(b);
    common(&mut cfg, "qwen3")?;
    let hd = head_dim(&cfg, "qwen3")?;
    cfg.insert("head_dim".into(), Value::from(hd));
    default(&mut cfg, "attention_bias", Value::from(false));
    cap_positions(&mut cfg, b.positions, 32_768)?;
    let config: qwen3::Config = parse(cfg, "qwen3")?;
    Ok(Model::Decoder(Box::new(qwen3::ModelForCausalLM::new(
        &config, vb,
    )?)))
}
