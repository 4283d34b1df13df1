//! What a smoke test found: the `smoke` object of the Report, and its text form.

pub use crate::report::smoke::{SmokeSummary, TopToken};
use crate::util::human::bytes as human_bytes;
use std::fmt::Write as _;

/// True when the merged run's output differs from the base's: the top
/// tokens for decoders, the pooled embedding's norm for encoders.
pub fn adapter_changed(merged: &SmokeSummary, base: &SmokeSummary) -> bool {
    let tokens_differ = merged
        .top_next
        .iter()
        .map(|t| t.id)
        .ne(base.top_next.iter().map(|t| t.id))
        || merged
            .top_next
            .iter()
            .zip(&base.top_next)
            .any(|(a, b)| (a.prob - b.prob).abs() > 1e-6);
    let embedding_differs = match (merged.embedding_norm, base.embedding_norm) {
        (Some(a), Some(b)) => (a - b).abs() > 1e-7 * a.abs().max(1.0),
        _ => false,
    };
    tokens_differ || embedding_differs
}

/// What one forward pass measured, before the top tokens, continuation and
/// peak memory are filled in.
pub(crate) struct Measured {
    /// The model that ran.
    pub architecture: String,
    /// The device it ran on.
    pub device: String,
    /// The dtype (or quantization) of its weights.
    pub dtype: String,
    /// Why that dtype.
    pub dtype_reason: String,
    /// The output's shape.
    pub shape: Vec<usize>,
    /// Non-finite values in the output.
    pub non_finite: u64,
    /// Load time.
    pub load_ms: f64,
    /// Forward time.
    pub forward_ms: f64,
}

impl From<Measured> for SmokeSummary {
    fn from(m: Measured) -> Self {
        SmokeSummary {
            architecture: m.architecture,
            device: m.device,
            dtype: m.dtype,
            dtype_reason: m.dtype_reason,
            mode: "full".into(),
            logits_shape: m.shape,
            finite: m.non_finite == 0,
            non_finite: m.non_finite,
            top_next: Vec::new(),
            entropy: None,
            embedding_norm: None,
            continuation: None,
            tokens_per_second: None,
            load_ms: m.load_ms,
            forward_ms: m.forward_ms,
            peak_rss_bytes: None,
            without_adapter: None,
        }
    }
}

/// Everything a run found, including what only the text form shows.
#[derive(Debug, Clone, PartialEq)]
pub struct SmokeRun {
    /// The summary that goes into the Report.
    pub summary: SmokeSummary,
    /// The prompt's token ids, as the forward pass saw them.
    pub prompt_ids: Vec<u32>,
    /// Where non-finite values are: `(row, column)` of the output seen as a
    /// matrix (position and vocabulary id for logits, token and dimension for
    /// hidden states); at most 16.
    pub non_finite_at: Vec<(usize, usize)>,
    /// The pooled sentence embedding (encoders).
    pub embedding: Option<Vec<f32>>,
    /// How the embedding was pooled (`mean`, `cls`, ...), for encoders.
    pub pooling: Option<String>,
    /// Token ids of the greedy continuation.
    pub continuation_ids: Vec<u32>,
    /// Things worth knowing that are not errors (unused tensors, a stop at EOS, ...).
    pub notes: Vec<String>,
    /// The memory the run was estimated to need, and what was available.
    pub memory: MemoryCheck,
    /// Findings of `--scan-weights` (`weights/non-finite`, `weights/all-zero`).
    pub weight_findings: Vec<crate::finding::Finding>,
}

impl SmokeRun {
    /// Whether the smoke test failed though the model ran (exit 1 in the
    /// binary): non-finite values in the output, or non-finite weights found.
    pub fn failed(&self) -> bool {
        !self.summary.finite
            || self
                .weight_findings
                .iter()
                .any(|f| f.code == crate::finding::Code::WeightsNonFinite)
    }
}

/// The memory estimate made before loading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MemoryCheck {
    /// Bytes the weights take once loaded in the chosen dtype.
    pub weights_bytes: u64,
    /// The whole estimate: weights plus working memory.
    pub needed_bytes: u64,
    /// Bytes available (or the configured limit); `None` when unknown.
    pub available_bytes: Option<u64>,
}

/// Renders a run for people; control characters in model-supplied strings
/// (token texts, tensor names) are shown escaped (see [`crate::util::term::safe`]).
pub fn render_text(run: &SmokeRun, model: &str) -> String {
    crate::util::term::safe(&render_text_raw(run, model))
}

/// The weight findings for people, one line each (control characters
/// escaped); when the weights were `scanned` and nothing was found, a line
/// that says so.
pub fn render_weight_findings(run: &SmokeRun, scanned: bool) -> String {
    let mut text = String::new();
    for f in &run.weight_findings {
        text.push_str(&crate::util::term::safe(&format!(
            "  {}: {} [{}]\n",
            f.severity, f.message, f.code
        )));
    }
    if scanned && run.weight_findings.is_empty() {
        text.push_str("  weights scanned: every tensor finite, none all zeros\n");
    }
    text
}

fn render_text_raw(run: &SmokeRun, model: &str) -> String {
    let s = &run.summary;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "smoke test of {model}: {} on {} in {}",
        s.architecture, s.device, s.dtype
    );
    let _ = writeln!(out, "  dtype           {}", s.dtype_reason);
    if s.mode == "stream" {
        let _ = writeln!(
            out,
            "  mode            stream: one layer's weights in memory at a time, prompt pass only"
        );
    }
    let _ = writeln!(out, "  prompt tokens   {}", run.prompt_ids.len());
    let _ = writeln!(out, "  output shape    {:?}", s.logits_shape);
    if s.finite {
        let _ = writeln!(out, "  finite          yes");
    } else {
        let at: Vec<String> = run
            .non_finite_at
            .iter()
            .map(|(r, c)| format!("[{r}, {c}]"))
            .collect();
        let _ = writeln!(
            out,
            "  finite          NO: {} non-finite values, at {}{}",
            s.non_finite,
            at.join(" "),
            if (s.non_finite as usize) > at.len() {
                " ..."
            } else {
                ""
            }
        );
    }
    if !s.top_next.is_empty() {
        let _ = writeln!(out, "  top next tokens");
        for t in &s.top_next {
            let _ = writeln!(out, "    {:>7.4}  {:>7}  {:?}", t.prob, t.id, t.token);
        }
    }
    if let Some(base) = &s.without_adapter {
        let _ = writeln!(out, "  without the adapter (base alone)");
        for t in &base.top_next {
            let _ = writeln!(out, "    {:>7.4}  {:>7}  {:?}", t.prob, t.id, t.token);
        }
        let what = if s.top_next.is_empty() {
            "embedding"
        } else {
            "next-token distribution"
        };
        let _ = writeln!(
            out,
            "  adapter effect  {}; base finite: {}",
            if adapter_changed(s, base) {
                format!("changes the {what}")
            } else {
                format!("NO visible change to the {what}")
            },
            if base.finite { "yes" } else { "NO" }
        );
        if let (Some(merged), Some(alone)) = (s.embedding_norm, base.embedding_norm) {
            let _ = writeln!(
                out,
                "  embedding norm  {merged:.6} merged, {alone:.6} base alone"
            );
        }
    }
    if let Some(e) = s.entropy {
        let _ = writeln!(out, "  entropy         {e:.4} nats");
    }
    if let Some(n) = s.embedding_norm {
        let _ = writeln!(
            out,
            "  embedding norm  {n:.6} ({} pooling, {} dimensions)",
            run.pooling.as_deref().unwrap_or("mean"),
            run.embedding.as_ref().map_or(0, Vec::len)
        );
    }
    if let Some(c) = &s.continuation {
        let _ = writeln!(
            out,
            "  continuation    {c:?} ({} tokens)",
            run.continuation_ids.len()
        );
    }
    if let Some(t) = s.tokens_per_second {
        let _ = writeln!(out, "  tokens/s        {t:.1}");
    }
    let _ = writeln!(out, "  load            {:.1} ms", s.load_ms);
    let _ = writeln!(out, "  forward         {:.1} ms", s.forward_ms);
    let m = &run.memory;
    let _ = writeln!(
        out,
        "  memory          estimated {} ({} weights){}",
        human_bytes(m.needed_bytes),
        human_bytes(m.weights_bytes),
        m.available_bytes
            .map(|a| format!(", {} available", human_bytes(a)))
            .unwrap_or_default()
    );
    if let Some(p) = s.peak_rss_bytes {
        let _ = writeln!(out, "  peak RSS        {}", human_bytes(p));
    }
    for n in &run.notes {
        let _ = writeln!(out, "  note: {n}");
    }
    out
}

#[cfg(test)]
mod adapter_effect_tests {
    use super::*;

    fn summary(top: &[(u32, f64)], norm: Option<f64>) -> SmokeSummary {
        SmokeSummary {
            architecture: "bert".into(),
            device: "cpu".into(),
            dtype: "f32".into(),
            dtype_reason: String::new(),
            mode: "full".into(),
            logits_shape: vec![1, 4, 8],
            finite: true,
            non_finite: 0,
            top_next: top
                .iter()
                .map(|(id, prob)| TopToken {
                    token: String::new(),
                    id: *id,
                    prob: *prob,
                })
                .collect(),
            entropy: None,
            embedding_norm: norm,
            continuation: None,
            tokens_per_second: None,
            load_ms: 0.0,
            forward_ms: 0.0,
            peak_rss_bytes: None,
            without_adapter: None,
        }
    }

    #[test]
    fn encoders_compare_the_embedding_and_decoders_the_tokens() {
        assert!(adapter_changed(
            &summary(&[], Some(5.428540)),
            &summary(&[], Some(5.428511))
        ));
        assert!(!adapter_changed(
            &summary(&[], Some(5.4)),
            &summary(&[], Some(5.4))
        ));
        assert!(adapter_changed(
            &summary(&[(1, 0.5)], None),
            &summary(&[(1, 0.4)], None)
        ));
        assert!(!adapter_changed(
            &summary(&[(1, 0.5)], None),
            &summary(&[(1, 0.5)], None)
        ));
    }
}
