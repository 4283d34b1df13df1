//! Numbers from an output: finiteness, softmax, top-k, entropy, argmax.

/// Non-finite values of a `rows × cols` output: their count and the first
/// `keep` positions as `(row, column)`.
pub(crate) fn non_finite(values: &[f32], cols: usize, keep: usize) -> (u64, Vec<(usize, usize)>) {
    let cols = cols.max(1);
    let mut count = 0u64;
    let mut at = Vec::new();
    for (i, v) in values.iter().enumerate() {
        if !v.is_finite() {
            count += 1;
            if at.len() < keep {
                at.push((i / cols, i % cols));
            }
        }
    }
    (count, at)
}

/// The `k` most likely ids with their probabilities, and the entropy (nats)
/// of the softmax of `logits`. Non-finite logits are left out; `None` when
/// no logit is finite.
pub(crate) fn top_k(logits: &[f32], k: usize) -> Option<(Vec<(u32, f64)>, f64)> {
    let max = logits
        .iter()
        .copied()
        .filter(|v| v.is_finite())
        .fold(f32::NEG_INFINITY, f32::max);
    if !max.is_finite() {
        return None;
    }
    let exps: Vec<f64> = logits
        .iter()
        .map(|&v| {
            if v.is_finite() {
                ((v - max) as f64).exp()
            } else {
                0.0
            }
        })
        .collect();
    let sum: f64 = exps.iter().sum();
    let entropy = -exps
        .iter()
        .filter(|&&e| e > 0.0)
        .map(|&e| {
            let p = e / sum;
            p * p.ln()
        })
        .sum::<f64>();
    let mut order: Vec<usize> = (0..logits.len()).filter(|&i| exps[i] > 0.0).collect();
    // Highest probability first; the lower id first among equals.
    order.sort_by(|&a, &b| exps[b].total_cmp(&exps[a]).then(a.cmp(&b)));
    let top = order
        .into_iter()
        .take(k)
        .map(|i| (i as u32, exps[i] / sum))
        .collect();
    Some((top, entropy))
}

/// How close to ln(vocab) an entropy may come before the distribution
/// counts as uniform: within this share of it (1%, as issue #35 asks).
///
/// A softmax's entropy falls short of ln(vocab) by about half the variance
/// of the logits, so 1% of ln(vocab) (0.12 nats at a 128K vocabulary) means
/// logits spread by less than about 0.5: no trained model is that flat,
/// while NaN swallowed by a quantized matmul or a zeroed norm gives exactly
/// 0. The bundled random-weight fixtures scale their final norm so that
/// their logits spread (`tests/support/fixture_gen.rs`, `FINAL_NORM`).
pub(crate) const UNIFORM_MARGIN: f64 = 0.01;

/// Why a row of finite logits carries no information, or `None` when it
/// does: every logit equal (what NaN weights become once candle's quantized
/// matmul has turned NaN activations into zeros), or a softmax whose
/// entropy is within [`UNIFORM_MARGIN`] of ln(vocab). A row with a
/// non-finite value, or of fewer than two values, is not judged here (the
/// non-finite count reports it).
pub(crate) fn degenerate(logits: &[f32]) -> Option<String> {
    if logits.len() < 2 || logits.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let (min, max) = logits
        .iter()
        .fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    let vocab = logits.len();
    if min == max {
        return Some(format!("all {vocab} logits are {max}"));
    }
    let (_, entropy) = top_k(logits, 0)?;
    let uniform = (vocab as f64).ln();
    (entropy >= uniform * (1.0 - UNIFORM_MARGIN)).then(|| {
        format!(
            "the next-token entropy is {entropy:.4} nats, within {}% of ln({vocab}) = {uniform:.4} (a near-uniform distribution; logits range {min} to {max})",
            UNIFORM_MARGIN * 100.0
        )
    })
}

/// The id of the largest finite logit (the lowest id among equals).
pub(crate) fn argmax(logits: &[f32]) -> Option<u32> {
    let mut best: Option<(usize, f32)> = None;
    for (i, &v) in logits.iter().enumerate() {
        if v.is_finite() && best.is_none_or(|(_, b)| v > b) {
            best = Some((i, v));
        }
    }
    best.map(|(i, _)| i as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn softmax_top_and_entropy() {
        let (top, h) = top_k(&[0.0, 0.0, 0.0, 0.0], 2).unwrap();
        assert_eq!(top, vec![(0, 0.25), (1, 0.25)]);
        assert!((h - 4f64.ln()).abs() < 1e-12);
        let (top, h) = top_k(&[10.0, 0.0, f32::NAN], 5).unwrap();
        assert_eq!(top.len(), 2);
        assert_eq!(top[0].0, 0);
        assert!(h > 0.0 && h < 1e-3);
        assert!(top_k(&[f32::NAN, f32::INFINITY], 5).is_none());
    }

    #[test]
    fn argmax_skips_non_finite_and_prefers_the_lower_id() {
        assert_eq!(argmax(&[1.0, f32::INFINITY, 3.0, 3.0]), Some(2));
        assert_eq!(argmax(&[f32::NAN]), None);
    }

    #[test]
    fn constant_and_near_uniform_logits_are_degenerate() {
        let constant = vec![0.0f32; 49152];
        let why = degenerate(&constant).expect("constant");
        assert!(why.contains("all 49152 logits are 0"), "{why}");
        // Tiny differences: still near-uniform by the entropy.
        let flat: Vec<f32> = (0..1000).map(|i| (i % 7) as f32 * 1e-3).collect();
        let why = degenerate(&flat).expect("near-uniform");
        assert!(why.contains("within 1% of ln(1000)"), "{why}");
        // One clear favourite among many: not degenerate.
        let mut peaked = vec![0.0f32; 1000];
        peaked[42] = 12.0;
        assert_eq!(degenerate(&peaked), None);
        // A spread like a trained model's (logits over several units).
        let spread: Vec<f32> = (0..1000).map(|i| ((i * 37) % 101) as f32 / 10.0).collect();
        assert_eq!(degenerate(&spread), None);
        // Non-finite rows and single values are left to the finiteness check.
        assert_eq!(degenerate(&[f32::NAN, 1.0, 1.0]), None);
        assert_eq!(degenerate(&[3.0]), None);
    }

    #[test]
    fn non_finite_positions_are_row_and_column() {
        let v = [0.0, f32::NAN, 1.0, 2.0, f32::NEG_INFINITY, 3.0];
        let (n, at) = non_finite(&v, 3, 16);
        assert_eq!(n, 2);
        assert_eq!(at, vec![(0, 1), (1, 1)]);
        assert_eq!(non_finite(&v, 3, 1).1.len(), 1);
    }
}
