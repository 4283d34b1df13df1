//! Per-layer block configs of NAS-pruned models (DeciLM, NVIDIA's
//! Nemotron-NAS: Llama-3.1-Nemotron-51B, Llama-3.3-Nemotron-Super-49B):
//! `block_configs[i].attention` (`n_heads_in_group`, `no_op`,
//! `replace_with_linear`) and `block_configs[i].ffn` (`ffn_mult`), where a
//! uniform config states heads and widths once.

use crate::util::json::as_u64;
use serde_json::Value;

/// Whether a block's sub-layer (`attention` or `ffn`) is skipped or is a
/// plain linear layer.
fn replaced(part: &Value) -> Option<&'static str> {
    let set = |key: &str| part.get(key).and_then(Value::as_bool) == Some(true);
    if set("no_op") {
        Some("no-op")
    } else if set("replace_with_linear") {
        Some("linear")
    } else {
        None
    }
}

/// The layer kind of each block: `full_attention`, `linear` (attention
/// replaced by a linear layer) or `mlp` (attention skipped); none of the
/// latter two caches keys and values.
pub fn layer_kinds(blocks: &[Value]) -> Vec<String> {
    blocks
        .iter()
        .map(|b| {
            match b.get("attention").map(replaced) {
                Some(Some("linear")) => "linear",
                Some(Some(_)) => "mlp",
                _ => "full_attention",
            }
            .to_string()
        })
        .collect()
}

/// KV heads: attention heads over the blocks' `n_heads_in_group`, the
/// largest over the attention blocks (the cache is overstated rather than
/// under where blocks differ).
pub fn kv_heads(blocks: &[Value], attention_heads: u64) -> Option<u64> {
    blocks
        .iter()
        .filter_map(|b| b.get("attention"))
        .filter(|a| replaced(a).is_none())
        .filter_map(|a| a.get("n_heads_in_group").and_then(as_u64))
        .filter(|g| *g > 0)
        .map(|g| attention_heads / g)
        .max()
}

/// The widest feed-forward layer, by DeciLM's rule: `2 × ffn_mult × hidden
/// / 3`, rounded up to a multiple of 256.
pub fn intermediate_size(blocks: &[Value], hidden: u64) -> Option<u64> {
    blocks
        .iter()
        .filter_map(|b| b.get("ffn"))
        .filter(|f| replaced(f).is_none())
        .filter_map(|f| f.get("ffn_mult").and_then(Value::as_f64))
        .filter(|m| m.is_finite() && *m > 0.0)
        .filter_map(|m| {
            let width = 2.0 * m * hidden as f64 / 3.0;
            (width < 1e15).then(|| (width as u64).div_ceil(256) * 256)
        })
        .max()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn blocks() -> Vec<Value> {
        vec![
            json!({"attention": {"n_heads_in_group": 8, "no_op": false, "replace_with_linear": false},
                   "ffn": {"ffn_mult": 5.25}}),
            json!({"attention": {"n_heads_in_group": null, "no_op": true},
                   "ffn": {"ffn_mult": 1.3125}}),
            json!({"attention": {"n_heads_in_group": null, "replace_with_linear": true},
                   "ffn": {"no_op": true, "ffn_mult": 99.0}}),
            json!({"attention": {"n_heads_in_group": 16}, "ffn": {"ffn_mult": 2.5}}),
        ]
    }

    #[test]
    fn kinds_heads_and_widths_of_a_pruned_llama() {
        let b = blocks();
        assert_eq!(
            layer_kinds(&b),
            ["full_attention", "mlp", "linear", "full_attention"]
        );
        // 64 heads in groups of 8 and 16: the larger cache, 8 KV heads.
        assert_eq!(kv_heads(&b, 64), Some(8));
        // Llama-3.3-70B's width: 2 × 5.25 × 8192 / 3 = 28672; the no-op
        // FFN's multiplier is ignored.
        assert_eq!(intermediate_size(&b, 8192), Some(28672));
        // 2 × 1.3125 × 8192 / 3 = 7168.
        assert_eq!(intermediate_size(&b[1..2], 8192), Some(7168));
        assert_eq!(kv_heads(&b[1..3], 64), None);
    }
}
