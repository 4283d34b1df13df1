//! Mistral through `candle_transformers::models::mistral`.

use super::model::{
    cap_positions, config_copy, default, expect_act, parse, refuse_rope_scaling, refuse_true,
    Build, BuildError, Decoder, Model,
};
use candle_core::Tensor;
use candle_nn::VarBuilder;
use candle_transformers::models::mistral::{Config, Model as Mistral};
use serde_json::Value;

const FAMILY: &str = "mistral";

impl Decoder for Mistral {
    fn forward(&mut self, ids: &Tensor, offset: usize) -> candle_core::Result<Tensor> {
        Mistral::forward(self, ids, offset)
    }
}

/// Builds a Mistral. candle's module always loads `lm_head`; a tied
/// checkpoint gets the embedding under that name (see `backend::aliases`).
pub(crate) fn build(b: &Build<'_>, vb: VarBuilder<'_>) -> Result<Model, BuildError> {
    let mut cfg = config_copy(b);
    expect_act(&cfg, "hidden_act", &["silu"], FAMILY)?;
    refuse_true(&cfg, "attention_bias", FAMILY)?;
    refuse_rope_scaling(&cfg, FAMILY)?;
    if let Some(heads) = cfg.get("num_attention_heads").cloned() {
        default(&mut cfg, "num_key_value_heads", heads);
    }
    default(&mut cfg, "rope_theta", Value::from(10_000.0));
    default(&mut cfg, "rms_norm_eps", Value::from(1e-6));
    default(&mut cfg, "max_position_embeddings", Value::from(32_768));
    cap_positions(&mut cfg, b.positions, 32_768)?;
    cfg.insert("use_flash_attn".into(), Value::from(false));
    let config: Config = parse(cfg, FAMILY)?;
    Ok(Model::Decoder(Box::new(Mistral::new(&config, vb)?)))
}
