//! Each layer's kind, as `layer_types` states it or as a family's pattern
//! keys say it (hybrids, Llama 4's chunked attention, sliding windows).

use crate::model::block_configs;
use crate::util::json::as_u64;
use serde_json::Value;

/// The sliding window, unless `use_sliding_window` turns it off; `None`
/// for a window of 0.
pub(super) fn sliding_window<'a>(lookup: &impl Fn(&[&str]) -> Option<&'a Value>) -> Option<u64> {
    if lookup(&["use_sliding_window"]).and_then(Value::as_bool) == Some(false) {
        return None;
    }
    lookup(&["sliding_window", "attention_window_size"])
        .and_then(as_u64)
        .filter(|w| *w > 0)
}

/// One layer kind per entry of a list of 0/1 flags: `set` where the flag is 1.
fn kinds_of_flags(flags: &[Value], set: &str, unset: &str) -> Vec<String> {
    flags
        .iter()
        .map(|v| if as_u64(v) == Some(1) { set } else { unset }.to_string())
        .collect()
}

/// One layer kind for each of `n` layers: `set` for the layers a list of
/// indices names (counted from `first`: 0, or 1 for Kimi's lists), `unset`
/// for the others.
fn kinds_at_indices(list: &[Value], first: u64, n: u64, set: &str, unset: &str) -> Vec<String> {
    let listed: Vec<u64> = list.iter().filter_map(as_u64).collect();
    (0..n)
        .map(|i| {
            if listed.contains(&(i + first)) {
                set
            } else {
                unset
            }
            .to_string()
        })
        .collect()
}

/// Each layer's kind: `layer_types` (or `layers_block_type`) when stated,
/// else what the family's pattern keys say — hybrids (`hybrid_override_pattern`,
/// `attn_type_list`, `attn_layer_period`/`attn_layer_offset`,
/// `full_attention_interval`), Llama 4's chunked attention (`no_rope_layers`),
/// and the families that alternate sliding and full attention (Gemma 2 and 3,
/// Qwen's `max_window_layers`).
///
/// The keys are looked up in this order, and a lookup may apply a model
/// type's default, so the steps below run in turn and stop at the first
/// that answers.
pub(super) fn layer_types<'a>(
    lookup: &impl Fn(&[&str]) -> Option<&'a Value>,
    model_type: Option<&str>,
    num_layers: Option<u64>,
    window: Option<u64>,
) -> Vec<String> {
    if let Some(list) = lookup(&["layer_types", "layers_block_type"]).and_then(Value::as_array) {
        return list
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
    }
    // DeciLM / Nemotron-NAS: attention kept, skipped or made linear per block.
    if let Some(blocks) = lookup(&["block_configs"]).and_then(Value::as_array) {
        return block_configs::layer_kinds(blocks);
    }
    let Some(n) = num_layers else {
        return Vec::new();
    };
    let n = n.min(10_000);
    let mt = model_type.unwrap_or("");
    listed_hybrid_kinds(lookup, n)
        .or_else(|| periodic_hybrid_kinds(lookup, n))
        .or_else(|| llama4_kinds(lookup, mt, n))
        .or_else(|| sliding_kinds(lookup, mt, n, window))
        .unwrap_or_default()
}

/// The kind `f` gives each of the `n` layers, by index.
fn kinds_by_index(n: u64, f: impl Fn(u64) -> &'static str) -> Vec<String> {
    (0..n).map(|i| f(i).to_string()).collect()
}

/// The layer kinds of the hybrids that list them: Kimi's KDA layers,
/// Nemotron-H's pattern, MiniMax's flags, Mllama's cross-attention layers
/// and Bamba's attention layers.
fn listed_hybrid_kinds<'a>(
    lookup: &impl Fn(&[&str]) -> Option<&'a Value>,
    n: u64,
) -> Option<Vec<String>> {
    // Kimi Linear, Kimi K3: `linear_attn_config.kda_layers` lists the
    // (1-based) Kimi Delta Attention layers; the rest are full (MLA).
    if let Some(kda) = lookup(&["linear_attn_config"])
        .and_then(|c| c.get("kda_layers"))
        .and_then(Value::as_array)
    {
        return Some(kinds_at_indices(
            kda,
            1,
            n,
            "linear_attention",
            "full_attention",
        ));
    }
    // Nemotron-H: one character per layer (`*` attention, `M` Mamba, `-` MLP, `E` MoE).
    if let Some(p) = lookup(&["hybrid_override_pattern"]).and_then(Value::as_str) {
        return Some(
            p.chars()
                .map(|c| {
                    match c {
                        '*' => "full_attention",
                        'M' => "mamba",
                        'E' => "moe",
                        _ => "mlp",
                    }
                    .to_string()
                })
                .collect(),
        );
    }
    // MiniMax: 1 softmax attention, 0 linear ("lightning") attention.
    if let Some(list) = lookup(&["attn_type_list"]).and_then(Value::as_array) {
        return Some(kinds_of_flags(list, "full_attention", "linear_attention"));
    }
    // Mllama: the listed layers attend to the image (cross-attention).
    if let Some(list) = lookup(&["cross_attention_layers"]).and_then(Value::as_array) {
        return Some(kinds_at_indices(
            list,
            0,
            n,
            "cross_attention",
            "full_attention",
        ));
    }
    // Bamba: attention at the listed layers, Mamba-2 elsewhere.
    if let Some(list) = lookup(&["attn_layer_indices"]).and_then(Value::as_array) {
        return Some(kinds_at_indices(list, 0, n, "full_attention", "mamba"));
    }
    None
}

/// The layer kinds of the hybrids that repeat a period: Jamba's attention
/// every `attn_layer_period` layers, Qwen3-Next's every
/// `full_attention_interval`-th.
fn periodic_hybrid_kinds<'a>(
    lookup: &impl Fn(&[&str]) -> Option<&'a Value>,
    n: u64,
) -> Option<Vec<String>> {
    // Jamba: attention every `attn_layer_period` layers from `attn_layer_offset`.
    if let Some(period) = lookup(&["attn_layer_period"])
        .and_then(as_u64)
        .filter(|p| *p > 0)
    {
        let offset = lookup(&["attn_layer_offset"]).and_then(as_u64).unwrap_or(0);
        return Some(kinds_by_index(n, |i| {
            if i % period == offset {
                "full_attention"
            } else {
                "mamba"
            }
        }));
    }
    // Qwen3-Next: every `full_attention_interval`-th layer full, the rest linear.
    if let Some(k) = lookup(&["full_attention_interval"])
        .and_then(as_u64)
        .filter(|k| *k > 0)
    {
        return Some(kinds_by_index(n, |i| {
            if (i + 1) % k == 0 {
                "full_attention"
            } else {
                "linear_attention"
            }
        }));
    }
    None
}

/// Llama 4: the layers with RoPE attend in chunks; the NoPE layers (every
/// `no_rope_layer_interval`-th, 4 by default) attend globally.
fn llama4_kinds<'a>(
    lookup: &impl Fn(&[&str]) -> Option<&'a Value>,
    mt: &str,
    n: u64,
) -> Option<Vec<String>> {
    if !(mt.starts_with("llama4") && lookup(&["attention_chunk_size"]).is_some()) {
        return None;
    }
    if let Some(list) = lookup(&["no_rope_layers"])
        .and_then(Value::as_array)
        .filter(|l| !l.is_empty())
    {
        return Some(kinds_of_flags(list, "chunked_attention", "full_attention"));
    }
    let interval = lookup(&["no_rope_layer_interval"])
        .and_then(as_u64)
        .filter(|k| *k > 0)
        .unwrap_or(4);
    Some(kinds_by_index(n, |i| {
        if (i + 1) % interval == 0 {
            "full_attention"
        } else {
            "chunked_attention"
        }
    }))
}

/// With a sliding window: the families that alternate sliding and full
/// attention (`sliding_window_pattern`, Gemma 2, Cohere 2, Qwen's
/// `max_window_layers`).
fn sliding_kinds<'a>(
    lookup: &impl Fn(&[&str]) -> Option<&'a Value>,
    mt: &str,
    n: u64,
    window: Option<u64>,
) -> Option<Vec<String>> {
    window?;
    let sliding = |yes: bool| {
        if yes {
            "sliding_attention"
        } else {
            "full_attention"
        }
    };
    if let Some(pattern) = lookup(&["sliding_window_pattern"])
        .and_then(as_u64)
        .filter(|p| *p > 0)
    {
        return Some(kinds_by_index(n, |i| sliding((i + 1) % pattern != 0)));
    }
    if mt.starts_with("gemma2") || mt == "cohere2" {
        return Some(kinds_by_index(n, |i| sliding(i % 2 == 0)));
    }
    if mt.starts_with("qwen") {
        if let Some(first) = lookup(&["max_window_layers"]).and_then(as_u64) {
            return Some(kinds_by_index(n, |i| sliding(i >= first)));
        }
    }
    None
}
