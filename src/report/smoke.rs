//! The `smoke` object of the Report: what `mri smoke` measured, as the
//! JSON contract states it (docs/report.md). The smoke face fills it in; the
//! Report only carries it, so the Report never imports the face.

use serde::Serialize;

/// One of the most likely next tokens.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopToken {
    /// The token decoded to text.
    pub token: String,
    /// The token id.
    pub id: u32,
    /// Its probability under the softmax of the last position's logits.
    pub prob: f64,
}

/// The result of `mri smoke`: the `smoke` object of the JSON Report.
///
/// Every field is always present (`null` when it does not apply), so that
/// scripts can read the same shape for decoders and encoders.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SmokeSummary {
    /// The candle-transformers model that ran (`llama`, `qwen2`, `bert`, ...).
    pub architecture: String,
    /// `cpu` or `cuda:N`.
    pub device: String,
    /// The dtype the weights were loaded in (`f32`, `bf16`, `f16`).
    pub dtype: String,
    /// Why that dtype: asked for, or what `auto` weighed.
    pub dtype_reason: String,
    /// `full` (every weight in memory) or `stream` (the prompt pass read
    /// one layer at a time: `--stream`, or a model larger than the memory
    /// budget; no continuation).
    pub mode: String,
    /// Shape of the output of the forward pass: the logits of the last
    /// position for decoders (`[1, vocab]` or `[1, 1, vocab]`, as the model
    /// returns them), the hidden states `[1, tokens, hidden]` for encoders.
    pub logits_shape: Vec<usize>,
    /// Whether every value of that output is finite.
    pub finite: bool,
    /// How many values are NaN or infinite.
    pub non_finite: u64,
    /// The five most likely next tokens (decoders; empty for encoders).
    pub top_next: Vec<TopToken>,
    /// Entropy of the next-token distribution in nats (decoders).
    pub entropy: Option<f64>,
    /// L2 norm of the pooled sentence embedding (encoders; mean pooling
    /// unless `1_Pooling/config.json` says otherwise), before any normalisation.
    pub embedding_norm: Option<f64>,
    /// The greedy continuation of the prompt (with `--max-tokens N`).
    pub continuation: Option<String>,
    /// Tokens per second of that continuation (the prompt's forward pass excluded).
    pub tokens_per_second: Option<f64>,
    /// Milliseconds to map the weights and build the model.
    pub load_ms: f64,
    /// Milliseconds of the forward pass over the prompt.
    pub forward_ms: f64,
    /// Peak resident memory of the process, when the OS tells it.
    pub peak_rss_bytes: Option<u64>,
    /// With an adapter merged: the same forward pass on the base alone, so
    /// the two can be compared (omitted without an adapter).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub without_adapter: Option<Box<SmokeSummary>>,
}
