//! The forward pass's output and the greedy continuation: reading the
//! logits, judging them, generating token by token.

use super::error::{candle_err, contain, SmokeError};
use super::options::SmokeEvent;
use super::{model, sample};
use crate::Report;
use candle_core::{DType, Device, Tensor};
use std::time::Instant;

/// A forward pass's output: its shape, and its values as f32, flattened.
pub(crate) fn output_values(
    out: &Tensor,
    stage: &'static str,
) -> Result<(Vec<usize>, Vec<f32>), SmokeError> {
    let values = out
        .to_dtype(DType::F32)
        .and_then(|t| t.flatten_all())
        .and_then(|t| t.to_vec1::<f32>())
        .map_err(candle_err(stage))?;
    Ok((out.dims().to_vec(), values))
}

/// Fails a decoder run whose last logits are degenerate (constant or
/// near-uniform, [`sample::degenerate`]). When non-finite weights found
/// before the forward pass already fail the run (exit 1, the findings
/// listed), the degeneracy they explain becomes a note instead.
pub(crate) fn judge_logits(
    last: &[f32],
    weight_findings: &[crate::finding::Finding],
    notes: &mut Vec<String>,
) -> Result<(), SmokeError> {
    let Some(why) = sample::degenerate(last) else {
        return Ok(());
    };
    let explained = weight_findings
        .iter()
        .any(|f| f.code == crate::finding::Code::WeightsNonFinite);
    if explained {
        notes.push(format!(
            "the output is degenerate ({why}): the non-finite weights explain it"
        ));
        return Ok(());
    }
    Err(SmokeError::DegenerateOutput(why))
}

/// A greedy continuation.
pub(crate) struct Greedy<'a> {
    /// Where the model runs.
    pub(super) device: &'a Device,
    /// Vocabulary width of a logits row.
    pub(super) cols: usize,
    /// Position of the first generated token (the prompt's length).
    pub(super) offset: usize,
    /// The most tokens to generate.
    pub(super) max_tokens: usize,
    /// End-of-sequence ids: generation stops at any of them.
    pub(super) eos: Vec<u32>,
}

impl Greedy<'_> {
    /// Generates from the prompt's last logits until `max_tokens` tokens or
    /// an EOS; returns the ids and the one-token forward passes per second.
    pub(super) fn run(
        &self,
        decoder: &mut dyn model::Decoder,
        mut logits: Vec<f32>,
        emit: &dyn Fn(SmokeEvent),
        notes: &mut Vec<String>,
    ) -> Result<(Vec<u32>, Option<f64>), SmokeError> {
        let mut generated = Vec::new();
        let mut forwards = 0usize;
        let start = Instant::now();
        while generated.len() < self.max_tokens {
            let Some(next) = sample::argmax(&logits) else {
                notes.push("generation stopped: no finite logit".into());
                break;
            };
            if self.eos.contains(&next) {
                notes.push(format!(
                    "the continuation stopped at EOS token {next} after {} tokens",
                    generated.len()
                ));
                break;
            }
            generated.push(next);
            emit(SmokeEvent::Token {
                done: generated.len(),
                total: self.max_tokens,
            });
            if generated.len() == self.max_tokens {
                break;
            }
            let offset = self.offset + generated.len() - 1;
            logits = contain("generating", || {
                let input = Tensor::new(&[next], self.device)
                    .and_then(|t| t.unsqueeze(0))
                    .map_err(candle_err("generating"))?;
                let out = decoder
                    .forward(&input, offset)
                    .map_err(candle_err("generating"))?;
                let (_, mut out) = output_values(&out, "generating")?;
                // the last position's row, kept in the buffer read out
                out.drain(..out.len().saturating_sub(self.cols));
                Ok(out)
            })?;
            forwards += 1;
            // The prompt's logits are judged by the summary; a later step's
            // NaN would only stop the continuation quietly.
            let bad = logits.iter().filter(|v| !v.is_finite()).count();
            if bad > 0 {
                return Err(SmokeError::DegenerateOutput(format!(
                    "{bad} of the {} logits after generated token {} (id {next}) are NaN or infinite",
                    logits.len(),
                    generated.len()
                )));
            }
        }
        let secs = start.elapsed().as_secs_f64();
        // Each forward pass of one token yields the next token.
        let rate = (forwards > 0 && secs > 0.0).then(|| forwards as f64 / secs);
        Ok((generated, rate))
    }
}

/// The five likeliest next tokens of `last` (logits), each decoded by
/// `decode`, and the distribution's entropy.
pub(super) fn top_next(
    last: &[f32],
    decode: impl Fn(u32) -> String,
) -> Option<(Vec<crate::report::smoke::TopToken>, f64)> {
    let (top, entropy) = sample::top_k(last, 5)?;
    let top = top
        .into_iter()
        .map(|(id, prob)| crate::report::smoke::TopToken {
            token: decode(id),
            id,
            prob,
        })
        .collect();
    Some((top, entropy))
}

/// End-of-sequence ids from generation_config.json, config.json and the tokenizer.
pub(super) fn eos_ids(report: &Report) -> Vec<u32> {
    let mut ids: Vec<u64> = Vec::new();
    if let Some(g) = &report.generation {
        ids.extend(g.eos_token_ids.iter().copied());
    }
    if let Some(a) = &report.architecture {
        ids.extend(a.eos_token_ids.iter().copied());
    }
    if let Some(id) = report
        .tokenizer
        .as_ref()
        .and_then(|t| t.special_tokens.get("eos"))
        .and_then(|s| s.id)
    {
        ids.push(id);
    }
    ids.into_iter()
        .filter_map(|i| u32::try_from(i).ok())
        .collect()
}

/// Milliseconds since `start`, to the microsecond.
pub(super) fn ms(start: Instant) -> f64 {
    (start.elapsed().as_secs_f64() * 1e6).round() / 1e3
}
