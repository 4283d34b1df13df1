//! Gemma and Gemma 2 through `candle_transformers::models::{gemma, gemma2}`.

use super::model::{
    cap_positions, config_copy, default, head_dim, parse, refuse_rope_scaling, Build, BuildError,
    Decoder, Model,
};
use candle_core::Tensor;
use candle_nn::VarBuilder;
use candle_transformers::models::{gemma, gemma2};
use serde_json::{Map, Value};

impl Decoder for gemma::Model {
    fn forward(&mut self, ids: &Tensor, offset: usize) -> candle_core::Result<Tensor> {
        gemma::Model::forward(self, ids, offset)
    }
}

impl Decoder for gemma2::Model {
    fn forward(&mut self, ids: &Tensor, offset: usize) -> candle_core::Result<Tensor> {
        gemma2::Model::forward(self, ids, offset)
    }
}

/// Leaves exactly one activation, `hidden_activation`, as transformers does:
/// Gemma's legacy `hidden_act` is overridden by `hidden_activation`, and
/// without either the tanh approximation of GELU is used.
fn activation(cfg: &mut Map<String, Value>) {
    let act = cfg
        .get("hidden_activation")
        .filter(|v| !v.is_null())
        .cloned()
        .unwrap_or_else(|| Value::from("gelu_pytorch_tanh"));
    cfg.remove("hidden_act");
    cfg.insert("hidden_activation".into(), act);
}

fn common(cfg: &mut Map<String, Value>, family: &str) -> Result<u64, BuildError> {
    refuse_rope_scaling(cfg, family)?;
    activation(cfg);
    let hd = head_dim(cfg, family)?;
    cfg.insert("head_dim".into(), Value::from(hd));
    default(cfg, "attention_bias", Value::from(false));
    default(cfg, "rope_theta", Value::from(10_000.0));
    default(cfg, "rms_norm_eps", Value::from(1e-6));
    if let Some(heads) = cfg.get("num_attention_heads").cloned() {
        default(cfg, "num_key_value_heads", heads);
    }
    default(cfg, "max_position_embeddings", Value::from(8192));
    Ok(hd)
}

/// Builds a Gemma (the head is always the embedding).
pub(crate) fn build_gemma(b: &Build<'_>, vb: VarBuilder<'_>) -> Result<Model, BuildError> {
    let mut cfg = config_copy(b);
    common(&mut cfg, "gemma")?;
    cap_positions(&mut cfg, b.positions, 8192)?;
    let config: gemma::Config = parse(cfg, "gemma")?;
    Ok(Model::Decoder(Box::new(gemma::Model::new(
        false, &config, vb,
    )?)))
}

/// Builds a Gemma 2 (soft-capping as configured).
pub(crate) fn build_gemma2(b: &Build<'_>, vb: VarBuilder<'_>) -> Result<Model, BuildError> {
    let mut cfg = config_copy(b);
    let hd = common(&mut cfg, "gemma2")?;
    default(&mut cfg, "query_pre_attn_scalar", Value::from(hd));
    cap_positions(&mut cfg, b.positions, 8192)?;
    let config: gemma2::Config = parse(cfg, "gemma2")?;
    Ok(Model::Decoder(Box::new(gemma2::Model::new(
        false, &config, vb,
    )?)))
}
