//! Memory estimates: weights at several precisions, and the KV cache.

use crate::model::config::Architecture;
use crate::util::human::grouped;
use serde::Serialize;

/// The KV cache a decoder needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KvCache {
    /// `mha`, `gqa`, `mqa` or `mla`.
    pub attention: String,
    /// Bytes per cached element (from torch_dtype; 2 unless float32).
    pub bytes_per_element: u64,
    /// Bytes each new token adds, over all layers.
    pub bytes_per_token: u64,
    /// Bytes for 1,000 tokens (sliding windows applied).
    pub bytes_per_1k_tokens: u64,
    /// Context length the full figure is for.
    pub context_length: Option<u64>,
    /// Bytes at full context (sliding windows applied).
    pub bytes_at_context: Option<u64>,
    /// Layers that cache every token.
    pub full_attention_layers: u64,
    /// Layers that cache at most `sliding_window` tokens.
    pub sliding_window_layers: u64,
    /// The window, when some layers slide.
    pub sliding_window: Option<u64>,
    /// How the figures were computed, with the numbers.
    pub formula: String,
}

/// Memory needed to hold the model.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Memory {
    /// Tensor bytes as stored.
    pub weights_stored_bytes: u64,
    /// Logical parameters × 2 bytes.
    pub weights_bf16_bytes: u64,
    /// Logical parameters × 1 byte.
    pub weights_int8_bytes: u64,
    /// Logical parameters × 0.5 byte.
    pub weights_int4_bytes: u64,
    /// How the weight figures were computed.
    pub formula: String,
    /// KV cache, when the architecture says enough.
    pub kv_cache: Option<KvCache>,
}

/// Estimates memory from the logical parameter count, stored bytes and architecture.
pub fn estimate(parameters: u64, stored_bytes: u64, arch: Option<&Architecture>) -> Memory {
    Memory {
        weights_stored_bytes: stored_bytes,
        weights_bf16_bytes: parameters.saturating_mul(2),
        weights_int8_bytes: parameters,
        weights_int4_bytes: parameters.div_ceil(2),
        formula: format!(
            "{} parameters × 2 / 1 / 0.5 bytes (bf16 / int8 / int4); stored as the files hold them",
            grouped(parameters)
        ),
        kv_cache: arch.and_then(kv_cache),
    }
}

fn kv_cache(a: &Architecture) -> Option<KvCache> {
    let layers = a.num_layers?;
    let bytes = match a.torch_dtype.as_deref() {
        Some("float32") | Some("torch.float32") => 4,
        _ => 2,
    };
    let (attention, per_layer_token, term) = if let Some(mla) = &a.mla {
        let width = mla.kv_lora_rank + mla.qk_rope_head_dim;
        (
            "mla".to_string(),
            width * bytes,
            format!(
                "({} kv_lora_rank + {} qk_rope_head_dim) × {bytes} bytes",
                mla.kv_lora_rank, mla.qk_rope_head_dim
            ),
        )
    } else {
        let kv = a.num_key_value_heads?;
        let head_dim = a.head_dim?;
        let kind = match (kv, a.num_attention_heads) {
            (1, _) => "mqa",
            (k, Some(h)) if k == h => "mha",
            _ => "gqa",
        };
        (
            kind.to_string(),
            2 * kv * head_dim * bytes,
            format!("2 (K and V) × {kv} KV heads × {head_dim} head_dim × {bytes} bytes"),
        )
    };
    let window = a.sliding_window;
    let sliding = if window.is_some() {
        if a.layer_types.is_empty() {
            layers
        } else {
            a.layer_types
                .iter()
                .filter(|t| t.contains("sliding") || t.contains("local"))
                .count() as u64
        }
    } else {
        0
    };
    let full = layers.saturating_sub(sliding);
    let bytes_per_token = per_layer_token.saturating_mul(layers);
    let cache_for = |tokens: u64| {
        let slid = window.map(|w| tokens.min(w)).unwrap_or(tokens);
        per_layer_token
            .saturating_mul(full.saturating_mul(tokens))
            .saturating_add(per_layer_token.saturating_mul(sliding.saturating_mul(slid)))
    };
    let bytes_at_context = a.context_length.map(cache_for);
    let mut formula = format!(
        "{term} = {} bytes per layer per token; × {layers} layers = {} bytes per token",
        grouped(per_layer_token),
        grouped(bytes_per_token)
    );
    if let (Some(ctx), Some(total)) = (a.context_length, bytes_at_context) {
        if sliding > 0 {
            let w = window.unwrap_or(ctx);
            formula.push_str(&format!(
                "; at {} tokens: ({full} full layers × {} tokens + {sliding} sliding layers × {} tokens) × {} bytes = {} bytes",
                grouped(ctx),
                grouped(ctx),
                grouped(ctx.min(w)),
                grouped(per_layer_token),
                grouped(total)
            ));
        } else {
            formula.push_str(&format!(
                "; × {} tokens of context = {} bytes",
                grouped(ctx),
                grouped(total)
            ));
        }
    }
    Some(KvCache {
        attention,
        bytes_per_element: bytes,
        bytes_per_token,
        bytes_per_1k_tokens: cache_for(1000),
        context_length: a.context_length,
        bytes_at_context,
        full_attention_layers: full,
        sliding_window_layers: sliding,
        sliding_window: if sliding > 0 { window } else { None },
        formula,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn llama8b() -> Architecture {
        Architecture {
            num_layers: Some(32),
            num_attention_heads: Some(32),
            num_key_value_heads: Some(8),
            head_dim: Some(128),
            context_length: Some(131072),
            torch_dtype: Some("bfloat16".into()),
            ..Default::default()
        }
    }

    #[test]
    fn gqa_kv_cache_matches_the_formula() {
        let kv = kv_cache(&llama8b()).unwrap();
        assert_eq!(kv.attention, "gqa");
        assert_eq!(kv.bytes_per_token, 2 * 8 * 128 * 2 * 32);
        assert_eq!(kv.bytes_at_context, Some(131_072 * 131_072));
        assert!(kv.formula.contains("8 KV heads"), "{}", kv.formula);
    }

    #[test]
    fn sliding_layers_cap_at_the_window() {
        let mut a = llama8b();
        a.num_layers = Some(6);
        a.sliding_window = Some(1024);
        a.layer_types = (0..6)
            .map(|i| {
                if i == 5 {
                    "full_attention"
                } else {
                    "sliding_attention"
                }
                .to_string()
            })
            .collect();
        let kv = kv_cache(&a).unwrap();
        let per = 2 * 8 * 128 * 2;
        assert_eq!(kv.sliding_window_layers, 5);
        assert_eq!(kv.bytes_at_context, Some(per * (131_072 + 5 * 1024)));
    }

    #[test]
    fn mla_caches_the_latent() {
        let a = Architecture {
            num_layers: Some(61),
            mla: Some(crate::model::config::MlaConfig {
                kv_lora_rank: 512,
                qk_rope_head_dim: 64,
                qk_nope_head_dim: Some(128),
                v_head_dim: Some(128),
            }),
            ..Default::default()
        };
        let kv = kv_cache(&a).unwrap();
        assert_eq!(kv.attention, "mla");
        assert_eq!(kv.bytes_per_token, 576 * 2 * 61);
    }

    #[test]
    fn weights_at_precisions() {
        let m = estimate(1_000_001, 5, None);
        assert_eq!(m.weights_bf16_bytes, 2_000_002);
        assert_eq!(m.weights_int4_bytes, 500_001);
        assert!(m.kv_cache.is_none());
    }
}
