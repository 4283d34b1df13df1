//! BERT encoders through `candle_transformers::models::bert`, and the
//! sentence-transformers pooling that turns hidden states into one embedding.

use super::model::{config_copy, default, parse, Build, BuildError, Encoder, Model};
use candle_core::Tensor;
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use serde_json::Value;

const FAMILY: &str = "bert";

struct Runner {
    model: BertModel,
}

impl Encoder for Runner {
    fn forward(&self, ids: &Tensor) -> candle_core::Result<Tensor> {
        let types = ids.zeros_like()?;
        // No padding: every token is attended to.
        self.model.forward(ids, &types, None)
    }
}

/// Builds a BERT. The weights may sit at the root (sentence-transformers,
/// `BertModel`) or under `bert.` (`BertForMaskedLM` and friends).
pub(crate) fn build(b: &Build<'_>, vb: VarBuilder<'_>) -> Result<Model, BuildError> {
    let mut cfg = config_copy(b);
    let act = match cfg.get("hidden_act").and_then(Value::as_str) {
        None | Some("gelu") => "gelu",
        Some("gelu_new") | Some("gelu_pytorch_tanh") | Some("gelu_fast") => "geluapproximate",
        Some("relu") => "relu",
        Some(other) => {
            return Err(BuildError::Config(format!(
                "hidden_act `{other}` is not what candle's bert computes (gelu, gelu_new, relu)"
            )))
        }
    };
    cfg.insert("hidden_act".into(), Value::from(act));
    match cfg.get("position_embedding_type").and_then(Value::as_str) {
        None | Some("absolute") => {
            cfg.insert("position_embedding_type".into(), Value::from("absolute"));
        }
        Some(other) => {
            return Err(BuildError::Config(format!(
                "position_embedding_type `{other}` is not implemented by candle's bert"
            )))
        }
    }
    default(&mut cfg, "hidden_dropout_prob", Value::from(0.1));
    default(&mut cfg, "initializer_range", Value::from(0.02));
    default(&mut cfg, "layer_norm_eps", Value::from(1e-12));
    default(&mut cfg, "pad_token_id", Value::from(0));
    default(&mut cfg, "type_vocab_size", Value::from(2));
    default(&mut cfg, "max_position_embeddings", Value::from(512));
    let context = cfg
        .get("max_position_embeddings")
        .and_then(Value::as_u64)
        .unwrap_or(512);
    if b.positions as u64 > context {
        return Err(BuildError::Config(format!(
            "the prompt needs {} positions; the model has {context} (max_position_embeddings)",
            b.positions
        )));
    }
    // The prefix is chosen here from the headers, not by candle's fallback.
    cfg.insert("model_type".into(), Value::Null);
    let config: Config = parse(cfg, FAMILY)?;
    let prefixed = !b.headers.contains_key("embeddings.word_embeddings.weight")
        && b.headers
            .contains_key("bert.embeddings.word_embeddings.weight");
    let vb = if prefixed { vb.pp("bert") } else { vb };
    let model = BertModel::load(vb, &config)?;
    Ok(Model::Encoder(Box::new(Runner { model })))
}

/// How hidden states become one sentence embedding
/// (`1_Pooling/config.json` of sentence-transformers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pooling {
    /// The modes in force, in sentence-transformers' concatenation order.
    pub modes: Vec<PoolMode>,
}

/// One pooling mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PoolMode {
    /// The first token (`[CLS]`).
    Cls,
    /// Element-wise maximum over tokens.
    Max,
    /// Mean over tokens.
    Mean,
    /// Sum over tokens divided by the square root of their number.
    MeanSqrtLen,
    /// Mean weighted by position (1, 2, ... n).
    WeightedMean,
    /// The last token.
    LastToken,
}

impl PoolMode {
    fn name(self) -> &'static str {
        match self {
            PoolMode::Cls => "cls",
            PoolMode::Max => "max",
            PoolMode::Mean => "mean",
            PoolMode::MeanSqrtLen => "mean_sqrt_len",
            PoolMode::WeightedMean => "weightedmean",
            PoolMode::LastToken => "lasttoken",
        }
    }
}

impl Default for Pooling {
    fn default() -> Self {
        Pooling {
            modes: vec![PoolMode::Mean],
        }
    }
}

impl Pooling {
    /// Reads a sentence-transformers pooling config; mean pooling when it
    /// names no mode.
    pub(crate) fn from_config(v: &Value) -> Pooling {
        let on = |k: &str| v.get(k).and_then(Value::as_bool) == Some(true);
        let mut modes = Vec::new();
        // The order sentence-transformers concatenates them in.
        for (key, mode) in [
            ("pooling_mode_cls_token", PoolMode::Cls),
            ("pooling_mode_max_tokens", PoolMode::Max),
            ("pooling_mode_mean_tokens", PoolMode::Mean),
            ("pooling_mode_mean_sqrt_len_tokens", PoolMode::MeanSqrtLen),
            ("pooling_mode_weightedmean_tokens", PoolMode::WeightedMean),
            ("pooling_mode_lasttoken", PoolMode::LastToken),
        ] {
            if on(key) {
                modes.push(mode);
            }
        }
        if modes.is_empty() {
            return Pooling::default();
        }
        Pooling { modes }
    }

    /// The modes joined for display (`mean`, `cls+mean`).
    pub(crate) fn describe(&self) -> String {
        self.modes
            .iter()
            .map(|m| m.name())
            .collect::<Vec<_>>()
            .join("+")
    }

    /// Pools `hidden` (`tokens` rows of `dim` values, row-major).
    pub(crate) fn pool(&self, hidden: &[f32], tokens: usize, dim: usize) -> Vec<f32> {
        let mut out = Vec::with_capacity(dim * self.modes.len());
        if tokens == 0 || hidden.len() < tokens * dim {
            return out;
        }
        let row = |t: usize| &hidden[t * dim..(t + 1) * dim];
        for mode in &self.modes {
            match mode {
                PoolMode::Cls => out.extend_from_slice(row(0)),
                PoolMode::LastToken => out.extend_from_slice(row(tokens - 1)),
                PoolMode::Max => out.extend((0..dim).map(|d| {
                    (0..tokens)
                        .map(|t| row(t)[d])
                        .fold(f32::NEG_INFINITY, f32::max)
                })),
                PoolMode::Mean | PoolMode::MeanSqrtLen | PoolMode::WeightedMean => {
                    let weight = |t: usize| match mode {
                        PoolMode::WeightedMean => (t + 1) as f64,
                        _ => 1.0,
                    };
                    let divisor = match mode {
                        PoolMode::Mean => tokens as f64,
                        PoolMode::MeanSqrtLen => (tokens as f64).sqrt(),
                        _ => (1..=tokens).map(|t| t as f64).sum(),
                    };
                    out.extend((0..dim).map(|d| {
                        let sum: f64 = (0..tokens).map(|t| row(t)[d] as f64 * weight(t)).sum();
                        (sum / divisor) as f32
                    }));
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pooling_modes_follow_the_config() {
        let hidden = [1.0, 2.0, 3.0, 6.0, 5.0, 10.0]; // 3 tokens × 2
        let mean = Pooling::default().pool(&hidden, 3, 2);
        assert_eq!(mean, vec![3.0, 6.0]);
        let p = Pooling::from_config(&serde_json::json!({
            "word_embedding_dimension": 2,
            "pooling_mode_cls_token": true,
            "pooling_mode_max_tokens": true,
            "pooling_mode_mean_tokens": false
        }));
        assert_eq!(p.describe(), "cls+max");
        assert_eq!(p.pool(&hidden, 3, 2), vec![1.0, 2.0, 5.0, 10.0]);
        let sqrt = Pooling {
            modes: vec![PoolMode::MeanSqrtLen],
        };
        let v = sqrt.pool(&[3.0, 1.0], 1, 2);
        assert_eq!(v, vec![3.0, 1.0]);
        let last = Pooling::from_config(&serde_json::json!({"pooling_mode_lasttoken": true}));
        assert_eq!(last.pool(&hidden, 3, 2), vec![5.0, 10.0]);
        assert_eq!(
            Pooling::from_config(&serde_json::json!({})).modes,
            vec![PoolMode::Mean]
        );
    }
}
