//! Phi-3 and Phi-3.5 through `candle_transformers::models::phi3`.

use super::model::{
    config_copy, default, expect_act, get_u64, parse, rope_type, Build, BuildError, Decoder, Model,
};
use candle_core::Tensor;
use candle_nn::VarBuilder;
use candle_transformers::models::phi3::{Config, Model as Phi3};
use serde_json::Value;

const FAMILY: &str = "phi3";

impl Decoder for Phi3 {
    fn forward(&mut self, ids: &Tensor, offset: usize) -> candle_core::Result<Tensor> {
        Phi3::forward(self, ids, offset)
    }
}

/// Builds a Phi-3. The position tables are left at full length: with
/// `longrope` the table switches factors at `original_max_position_embeddings`.
pub(crate) fn build(b: &Build<'_>, vb: VarBuilder<'_>) -> Result<Model, BuildError> {
    let mut cfg = config_copy(b);
    expect_act(&cfg, "hidden_act", &["silu"], FAMILY)?;
    default(&mut cfg, "hidden_act", Value::from("silu"));
    match cfg.get("rope_scaling").cloned() {
        None | Some(Value::Null) => {}
        Some(v) => match rope_type(&v).as_deref() {
            // `su` is the earlier name of `longrope`.
            Some("longrope") | Some("su") => {
                let mut v = v;
                if let Some(o) = v.as_object_mut() {
                    o.insert("type".into(), Value::from("longrope"));
                }
                cfg.insert("rope_scaling".into(), v);
            }
            Some("default") => {
                cfg.insert("rope_scaling".into(), Value::Null);
            }
            other => {
                return Err(BuildError::Config(format!(
                    "rope_scaling `{}` is not applied by candle's phi3 (it knows longrope)",
                    other.map(str::to_string).unwrap_or_else(|| v.to_string())
                )))
            }
        },
    }
    cfg.remove("bos_token_id");
    cfg.remove("eos_token_id");
    if let Some(heads) = cfg.get("num_attention_heads").cloned() {
        default(&mut cfg, "num_key_value_heads", heads);
    }
    default(&mut cfg, "rope_theta", Value::from(10_000.0));
    default(&mut cfg, "rms_norm_eps", Value::from(1e-5));
    default(&mut cfg, "max_position_embeddings", Value::from(4096));
    let context = get_u64(&cfg, "max_position_embeddings").unwrap_or(4096);
    if b.positions as u64 > context {
        return Err(BuildError::Config(format!(
            "the prompt and continuation need {} positions; the model has {context} (max_position_embeddings)",
            b.positions
        )));
    }
    let config: Config = parse(cfg, FAMILY)?;
    Ok(Model::Decoder(Box::new(Phi3::new(&config, vb)?)))
}
