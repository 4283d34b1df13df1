//! Memory estimates: weights at several precisions, and the KV cache.

use crate::analyze::recurrent_state::{self, RecurrentState};
use crate::model::config::{Architecture, KvCacheQuantization};
use crate::util::human::grouped;
use serde::Serialize;

/// The KV cache a decoder needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KvCache {
    /// `mha`, `gqa`, `mqa` or `mla`.
    pub attention: String,
    /// Bytes per cached element: 1 for an 8-bit KV cache the checkpoint
    /// states (`quantization`), else from torch_dtype (2 unless float32).
    pub bytes_per_element: u64,
    /// The KV cache's quantization as the checkpoint's quantization config
    /// states it (`FP8`, `float8`, `int8`), when it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantization: Option<String>,
    /// Bytes each new token adds, over all layers that cache.
    pub bytes_per_token: u64,
    /// Bytes for 1,000 tokens (sliding windows and chunks applied).
    pub bytes_per_1k_tokens: u64,
    /// Context length the full figure is for.
    pub context_length: Option<u64>,
    /// Bytes at full context (sliding windows and chunks applied).
    pub bytes_at_context: Option<u64>,
    /// Layers that cache every token.
    pub full_attention_layers: u64,
    /// Layers that cache at most `sliding_window` tokens.
    pub sliding_window_layers: u64,
    /// The window, when some layers slide.
    pub sliding_window: Option<u64>,
    /// Layers that cache at most `attention_chunk_size` tokens (Llama 4).
    pub chunked_attention_layers: u64,
    /// The chunk, when some layers attend in chunks.
    pub attention_chunk_size: Option<u64>,
    /// Layers without a per-token cache (linear attention, state-space,
    /// convolution or MLP-only layers of a hybrid; an encoder's layers).
    pub layers_without_cache: u64,
    /// An encoder-decoder model's cross-attention cache: the keys and values
    /// of the encoder's output, computed once per input and kept in every
    /// decoder layer, per encoder token (not in the per-token figures).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cross_attention_bytes_per_encoder_token: Option<u64>,
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
    /// Why there is no KV cache figure, when the architecture explains it
    /// (an encoder-only or attention-free model, sizes that overflow).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kv_cache_absent: Option<String>,
    /// The fixed-size state of the recurrent layers (Mamba, Mamba-2, gated
    /// DeltaNet, short convolutions) per sequence, beside any KV cache.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recurrent_state: Option<RecurrentState>,
}

/// Estimates memory from the logical parameter count, stored bytes and architecture.
pub fn estimate(parameters: u64, stored_bytes: u64, arch: Option<&Architecture>) -> Memory {
    let (kv_cache, kv_cache_absent) = match arch.map(kv_cache) {
        Some(Ok(kv)) => (kv, None),
        Some(Err(why)) => (None, Some(why)),
        None => (None, None),
    };
    Memory {
        weights_stored_bytes: stored_bytes,
        weights_bf16_bytes: parameters.saturating_mul(2),
        weights_int8_bytes: parameters,
        weights_int4_bytes: parameters.div_ceil(2),
        formula: format!(
            "{} parameters × 2 / 1 / 0.5 bytes (bf16 / int8 / int4); stored as the files hold them",
            grouped(parameters)
        ),
        kv_cache,
        kv_cache_absent,
        recurrent_state: arch.and_then(|a| recurrent_state::estimate(a, element_bytes(a))),
    }
}

/// Bytes per cached element at the model's dtype: 4 for float32, else 2.
fn element_bytes(a: &Architecture) -> u64 {
    match a.torch_dtype.as_deref() {
        Some("float32") | Some("torch.float32") => 4,
        _ => 2,
    }
}

/// What one layer keeps per token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LayerCache {
    Full,
    Sliding,
    Chunked,
    None,
}

/// The cache of a layer of the kind `layer_types` names.
fn layer_cache(kind: &str) -> LayerCache {
    let k = kind.to_ascii_lowercase();
    // Cross-attention layers (Mllama) cache the image's keys and values,
    // a fixed size, nothing per generated token.
    if k.contains("linear") || k.contains("cross") {
        LayerCache::None
    } else if k.contains("sliding") || k.contains("local") {
        LayerCache::Sliding
    } else if k.contains("chunk") {
        LayerCache::Chunked
    } else if k.contains("attention")
        || k.contains("attn")
        || k == "full"
        || k == "global"
        || k == "hybrid"
    {
        LayerCache::Full
    } else {
        LayerCache::None
    }
}

/// The KV cache, or why there is none (`Ok(None)`: the config says too little).
fn kv_cache(a: &Architecture) -> Result<Option<KvCache>, String> {
    let Some(layers) = decoder_layers(a)? else {
        return Ok(None);
    };
    let width = ElementWidth::of(a);
    let Some(per_layer) = per_layer_token(a, width.bytes)? else {
        return Ok(None);
    };
    let counts = LayerCounts::of(a, layers);
    let caching = counts.full + counts.sliding + counts.chunked;
    if caching == 0 {
        return Err(format!(
            "none of the {layers} layers is an attention layer: no per-token KV cache"
        ));
    }
    let f = Figures::of(a, layers, width, per_layer, counts, caching)?;
    let mut formula = per_token_formula(a, &f);
    quantization_note(&f, &mut formula);
    context_note(a, &f, &mut formula);
    let cross_attention_bytes_per_encoder_token = if a.encoder_decoder {
        let cross = f.bytes_per_token;
        formula.push_str(&format!(
            "; cross-attention keeps another {} bytes per encoder token (K and V of the encoder output in each decoder layer, once per input)",
            grouped(cross)
        ));
        Some(cross)
    } else {
        None
    };
    let (window, chunk) = (a.sliding_window, a.attention_chunk_size);
    let c = &f.counts;
    Ok(Some(KvCache {
        attention: f.per_layer.attention,
        bytes_per_element: f.width.bytes,
        quantization: f.width.kv_quant.map(|k| k.scheme.clone()),
        bytes_per_token: f.bytes_per_token,
        bytes_per_1k_tokens: f.bytes_per_1k_tokens,
        context_length: a.context_length,
        bytes_at_context: f.bytes_at_context,
        full_attention_layers: c.full,
        sliding_window_layers: c.sliding,
        sliding_window: if c.sliding > 0 { window } else { None },
        chunked_attention_layers: c.chunked,
        attention_chunk_size: if c.chunked > 0 { chunk } else { None },
        layers_without_cache: c.none,
        cross_attention_bytes_per_encoder_token,
        formula,
    }))
}

/// The error for sizes that overflow 64 bits.
fn overflow() -> String {
    "the config's sizes overflow 64 bits: not a plausible model".to_string()
}

/// The layers that may cache (an encoder-decoder model caches in its
/// decoder); an error for an encoder-only or attention-free model, `None`
/// when the config does not state the layers.
fn decoder_layers(a: &Architecture) -> Result<Option<u64>, String> {
    if a.is_encoder_only() {
        return Err("encoder-only model: it keeps no KV cache".to_string());
    }
    if a.is_attention_free() {
        return Err(
            "attention-free model (state-space / recurrent): a fixed-size state, no per-token KV cache"
                .to_string(),
        );
    }
    // An encoder-decoder model caches in its decoder.
    Ok(if a.encoder_decoder {
        a.num_decoder_layers.or(a.num_layers)
    } else {
        a.num_layers
    })
}

/// How wide a cached element is.
struct ElementWidth<'a> {
    /// The KV cache's quantization, when the checkpoint states one.
    kv_quant: Option<&'a KvCacheQuantization>,
    /// Its width in whole bytes, when it is whole bytes (8, 16 or 32 bits).
    stated_bytes: Option<u64>,
    /// The bytes counted per element: the stated width, else the dtype's.
    bytes: u64,
}

impl<'a> ElementWidth<'a> {
    /// A KV cache the checkpoint quantizes (ModelOpt's FP8 KV cache,
    /// compressed-tensors' kv_cache_scheme) is counted at its own width when
    /// that is whole bytes; a narrower one (4-bit, with its scales) is named
    /// but counted at the model's dtype, which overstates it rather than under.
    fn of(a: &'a Architecture) -> Self {
        let dtype_bytes = element_bytes(a);
        let kv_quant = a.quantization.as_ref().and_then(|q| q.kv_cache.as_ref());
        let stated_bytes = kv_quant
            .and_then(|k| k.bits)
            .filter(|b| *b > 0 && b % 8 == 0 && *b <= 32)
            .map(|b| b / 8);
        ElementWidth {
            kv_quant,
            stated_bytes,
            bytes: stated_bytes.unwrap_or(dtype_bytes),
        }
    }
}

/// What one caching layer keeps per token.
struct PerLayer {
    /// `mha`, `gqa`, `mqa` or `mla`.
    attention: String,
    /// Bytes per layer per token.
    bytes: u64,
    /// The formula's first term, with the numbers.
    term: String,
}

/// What one caching layer keeps per token: MLA's compressed latent (and
/// the sparse-attention indexer's key), else K and V of every KV head;
/// `None` when the config does not state the KV heads and head dim.
fn per_layer_token(a: &Architecture, bytes: u64) -> Result<Option<PerLayer>, String> {
    if let Some(mla) = &a.mla {
        // DeepSeek sparse attention's indexer keeps its own key per token.
        let index = a.index_head_dim.unwrap_or(0);
        let width = mla
            .kv_lora_rank
            .checked_add(mla.qk_rope_head_dim)
            .and_then(|w| w.checked_add(index))
            .ok_or_else(overflow)?;
        let index_term = if index > 0 {
            format!(" + {index} index_head_dim (the sparse-attention indexer's key)")
        } else {
            String::new()
        };
        return Ok(Some(PerLayer {
            attention: "mla".to_string(),
            bytes: width.checked_mul(bytes).ok_or_else(overflow)?,
            term: format!(
                "({} kv_lora_rank + {} qk_rope_head_dim{index_term}) × {bytes} bytes",
                mla.kv_lora_rank, mla.qk_rope_head_dim
            ),
        }));
    }
    let (Some(kv), Some(head_dim)) = (a.num_key_value_heads, a.head_dim) else {
        return Ok(None);
    };
    let kind = match (kv, a.num_attention_heads) {
        (1, _) => "mqa",
        (k, Some(h)) if k == h => "mha",
        _ => "gqa",
    };
    let per = 2u64
        .checked_mul(kv)
        .and_then(|x| x.checked_mul(head_dim))
        .and_then(|x| x.checked_mul(bytes))
        .ok_or_else(overflow)?;
    Ok(Some(PerLayer {
        attention: kind.to_string(),
        bytes: per,
        term: format!("2 (K and V) × {kv} KV heads × {head_dim} head_dim × {bytes} bytes"),
    }))
}

/// The layers by what they cache per token.
struct LayerCounts {
    /// Layers that cache every token.
    full: u64,
    /// Layers that cache at most the sliding window.
    sliding: u64,
    /// Layers that cache at most the attention chunk.
    chunked: u64,
    /// Layers without a per-token cache.
    none: u64,
    /// The last layers that reuse earlier layers' keys and values.
    shared: u64,
}

impl LayerCounts {
    /// Counts the `layers` by kind, from `layer_types` where it states them.
    fn of(a: &Architecture, layers: u64) -> Self {
        let window = a.sliding_window;
        let chunk = a.attention_chunk_size;
        let (mut full, mut sliding, mut chunked, mut none) = (0u64, 0u64, 0u64, 0u64);
        let stated: Vec<LayerCache> = a
            .layer_types
            .iter()
            .take(usize::try_from(layers).unwrap_or(usize::MAX))
            .map(|t| layer_cache(t))
            .collect();
        // Layers `layer_types` does not cover: all slide when a window is set
        // without a per-layer pattern (Mistral), else all attend fully.
        let rest = layers.saturating_sub(stated.len() as u64);
        let default = if stated.is_empty() && window.is_some() {
            LayerCache::Sliding
        } else {
            LayerCache::Full
        };
        // The last `shared` layers reuse earlier layers' keys and values (Gemma
        // 3n). A count that leaves no layer to share from is ignored (the
        // cache is overstated rather than reported as none).
        let shared = a.num_kv_shared_layers.filter(|&n| n < layers).unwrap_or(0);
        let first_shared = layers - shared;
        let rest_shared = shared.min(rest);
        let stated_kinds = stated.iter().enumerate().map(|(i, k)| {
            let kind = if i as u64 >= first_shared {
                LayerCache::None
            } else {
                *k
            };
            (kind, 1)
        });
        let rest_kinds = [
            (default, rest - rest_shared),
            (LayerCache::None, rest_shared),
        ];
        for (kind, n) in stated_kinds.chain(rest_kinds) {
            let kind = match kind {
                LayerCache::Sliding if window.is_none() => LayerCache::Full,
                LayerCache::Chunked if chunk.is_none() => LayerCache::Full,
                k => k,
            };
            match kind {
                LayerCache::Full => full += n,
                LayerCache::Sliding => sliding += n,
                LayerCache::Chunked => chunked += n,
                LayerCache::None => none += n,
            }
        }
        if a.encoder_decoder {
            // The encoder's layers cache nothing per generated token.
            none = a.num_layers.unwrap_or(0);
        }
        LayerCounts {
            full,
            sliding,
            chunked,
            none,
            shared,
        }
    }
}

/// The KV cache's figures, before the formula is written.
struct Figures<'a> {
    /// The decoder's layers.
    layers: u64,
    /// How wide a cached element is.
    width: ElementWidth<'a>,
    /// What one caching layer keeps per token.
    per_layer: PerLayer,
    /// The layers by what they cache.
    counts: LayerCounts,
    /// Layers that cache (full, sliding or chunked).
    caching: u64,
    /// Bytes each new token adds.
    bytes_per_token: u64,
    /// Bytes for 1,000 tokens.
    bytes_per_1k_tokens: u64,
    /// Bytes at full context, when the context length is stated.
    bytes_at_context: Option<u64>,
}

impl<'a> Figures<'a> {
    /// The per-token, per-1k and full-context figures, sliding windows and
    /// chunks applied; an error when they overflow 64 bits.
    fn of(
        a: &Architecture,
        layers: u64,
        width: ElementWidth<'a>,
        per_layer: PerLayer,
        counts: LayerCounts,
        caching: u64,
    ) -> Result<Self, String> {
        let (window, chunk) = (a.sliding_window, a.attention_chunk_size);
        let per_layer_token = per_layer.bytes;
        let bytes_per_token = per_layer_token.checked_mul(caching).ok_or_else(overflow)?;
        let cache_for = |tokens: u64| -> Option<u64> {
            let slid = window.map_or(tokens, |w| tokens.min(w));
            let chunks = chunk.map_or(tokens, |c| tokens.min(c));
            let cached = counts
                .full
                .checked_mul(tokens)?
                .checked_add(counts.sliding.checked_mul(slid)?)?
                .checked_add(counts.chunked.checked_mul(chunks)?)?;
            per_layer_token.checked_mul(cached)
        };
        let bytes_per_1k_tokens = cache_for(1000).ok_or_else(overflow)?;
        let bytes_at_context = match a.context_length {
            Some(ctx) => Some(cache_for(ctx).ok_or_else(overflow)?),
            None => None,
        };
        Ok(Figures {
            layers,
            width,
            per_layer,
            counts,
            caching,
            bytes_per_token,
            bytes_per_1k_tokens,
            bytes_at_context,
        })
    }
}

/// The formula's per-token part: the per-layer term times the caching
/// layers, and which layers keep no per-token cache.
fn per_token_formula(a: &Architecture, f: &Figures<'_>) -> String {
    let (none, shared, layers, caching) = (f.counts.none, f.counts.shared, f.layers, f.caching);
    let layer_word = if a.encoder_decoder {
        "decoder layers"
    } else if none > 0 {
        "attention layers"
    } else {
        "layers"
    };
    let mut formula = format!(
        "{} = {} bytes per layer per token; × {caching} {layer_word} = {} bytes per token",
        f.per_layer.term,
        grouped(f.per_layer.bytes),
        grouped(f.bytes_per_token)
    );
    if none > 0 && !a.encoder_decoder {
        formula.push_str(&format!(
            " ({none} of the {layers} layers keep no per-token KV cache"
        ));
        if shared > 0 {
            formula.push_str(&format!(
                "; the last {shared} reuse earlier layers' keys and values"
            ));
        }
        formula.push(')');
    }
    formula
}

/// The formula's note on a KV cache the quantization config states.
fn quantization_note(f: &Figures<'_>, formula: &mut String) {
    let Some(k) = f.width.kv_quant else {
        return;
    };
    let bytes = f.width.bytes;
    match f.width.stated_bytes {
        Some(b) => formula.push_str(&format!(
            " ({} KV cache, as the quantization config states: {b} byte{} per element)",
            k.scheme,
            if b == 1 { "" } else { "s" }
        )),
        None => formula.push_str(&format!(
            " (the quantization config states a {} KV cache; counted at {bytes} bytes per element)",
            k.scheme
        )),
    }
}

/// The formula's figure at full context, by layer kind when some layers
/// slide or attend in chunks.
fn context_note(a: &Architecture, f: &Figures<'_>, formula: &mut String) {
    let (Some(ctx), Some(total)) = (a.context_length, f.bytes_at_context) else {
        return;
    };
    let (window, chunk) = (a.sliding_window, a.attention_chunk_size);
    let LayerCounts {
        full,
        sliding,
        chunked,
        ..
    } = f.counts;
    if sliding > 0 || chunked > 0 {
        let mut parts = vec![format!("{full} full layers × {} tokens", grouped(ctx))];
        if sliding > 0 {
            let w = window.unwrap_or(ctx);
            parts.push(format!(
                "{sliding} sliding layers × {} tokens",
                grouped(ctx.min(w))
            ));
        }
        if chunked > 0 {
            let c = chunk.unwrap_or(ctx);
            parts.push(format!(
                "{chunked} chunked layers × {} tokens",
                grouped(ctx.min(c))
            ));
        }
        formula.push_str(&format!(
            "; at {} tokens: ({}) × {} bytes = {} bytes",
            grouped(ctx),
            parts.join(" + "),
            grouped(f.per_layer.bytes),
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
    fn a_stated_8_bit_kv_cache_halves_the_bf16_figure_and_a_4_bit_one_is_only_named() {
        use crate::model::config::{KvCacheQuantization, QuantizationConfig};
        let bf16 = kv_cache(&llama8b()).unwrap().unwrap();
        let with_kv = |scheme: &str, bits: Option<u64>| {
            let mut a = llama8b();
            a.quantization = Some(QuantizationConfig {
                method: "modelopt".into(),
                bits: None,
                bits_per_weight: None,
                group_size: None,
                format: None,
                algorithm: Some("FP8".into()),
                not_converted: vec![],
                kv_cache: Some(KvCacheQuantization {
                    scheme: scheme.into(),
                    bits,
                }),
            });
            kv_cache(&a).unwrap().unwrap()
        };
        let fp8 = with_kv("FP8", Some(8));
        assert_eq!(fp8.bytes_per_element, 1);
        assert_eq!(fp8.bytes_per_token * 2, bf16.bytes_per_token);
        assert_eq!(fp8.bytes_at_context.map(|b| b * 2), bf16.bytes_at_context);
        assert_eq!(fp8.quantization.as_deref(), Some("FP8"));
        assert!(fp8.formula.contains("× 1 bytes"), "{}", fp8.formula);
        assert!(fp8.formula.contains("FP8 KV cache"), "{}", fp8.formula);
        let fp4 = with_kv("NVFP4", Some(4));
        assert_eq!(fp4.bytes_per_token, bf16.bytes_per_token);
        assert!(
            fp4.formula.contains("states a NVFP4 KV cache"),
            "{}",
            fp4.formula
        );
        assert!(bf16.quantization.is_none());
    }

    #[test]
    fn gqa_kv_cache_matches_the_formula() {
        let kv = kv_cache(&llama8b()).unwrap().unwrap();
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
        let kv = kv_cache(&a).unwrap().unwrap();
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
        let kv = kv_cache(&a).unwrap().unwrap();
        assert_eq!(kv.attention, "mla");
        assert_eq!(kv.bytes_per_token, 576 * 2 * 61);
        // DeepSeek-V3.2's sparse-attention indexer caches a 128-wide key too.
        let v32 = Architecture {
            index_head_dim: Some(128),
            ..a
        };
        let kv = kv_cache(&v32).unwrap().unwrap();
        assert_eq!(kv.bytes_per_token, (512 + 64 + 128) * 2 * 61);
        assert!(kv.formula.contains("128 index_head_dim"), "{}", kv.formula);
    }

    #[test]
    fn cross_attention_layers_cache_nothing_per_token() {
        let a = Architecture {
            num_layers: Some(40),
            num_key_value_heads: Some(8),
            head_dim: Some(128),
            layer_types: (0..40)
                .map(|i| {
                    if i % 5 == 3 {
                        "cross_attention"
                    } else {
                        "full_attention"
                    }
                    .to_string()
                })
                .collect(),
            ..Default::default()
        };
        let kv = kv_cache(&a).unwrap().unwrap();
        assert_eq!((kv.full_attention_layers, kv.layers_without_cache), (32, 8));
        assert_eq!(kv.bytes_per_token, 2 * 8 * 128 * 2 * 32);
    }

    #[test]
    fn kv_shared_layers_keep_no_cache_of_their_own() {
        // Gemma 3n E4B: 35 layers (4 sliding, 1 full, repeated), the last 15
        // reuse the keys and values of earlier layers.
        let pattern = ["sliding_attention"; 4]
            .into_iter()
            .chain(["full_attention"])
            .cycle()
            .take(35)
            .map(str::to_string)
            .collect();
        let a = Architecture {
            num_layers: Some(35),
            num_attention_heads: Some(8),
            num_key_value_heads: Some(2),
            head_dim: Some(256),
            sliding_window: Some(512),
            context_length: Some(32768),
            layer_types: pattern,
            num_kv_shared_layers: Some(15),
            ..Default::default()
        };
        let kv = kv_cache(&a).unwrap().unwrap();
        assert_eq!(
            (
                kv.full_attention_layers,
                kv.sliding_window_layers,
                kv.layers_without_cache
            ),
            (4, 16, 15)
        );
        assert_eq!(kv.bytes_per_token, 2 * 2 * 256 * 2 * 20);
        assert_eq!(kv.bytes_at_context, Some((4 * 32768 + 16 * 512) * 2048));
        assert!(kv.formula.contains("the last 15 reuse"), "{}", kv.formula);
        // Without a pattern, the shared layers are the last of the uniform ones.
        let uniform = Architecture {
            layer_types: Vec::new(),
            sliding_window: None,
            ..a.clone()
        };
        let kv = kv_cache(&uniform).unwrap().unwrap();
        assert_eq!(
            (kv.full_attention_layers, kv.layers_without_cache),
            (20, 15)
        );
        // A count that leaves nothing to share from is ignored.
        let all = Architecture {
            num_kv_shared_layers: Some(35),
            ..uniform
        };
        let kv = kv_cache(&all).unwrap().unwrap();
        assert_eq!((kv.full_attention_layers, kv.layers_without_cache), (35, 0));
    }

    #[test]
    fn weights_at_precisions() {
        let m = estimate(1_000_001, 5, None);
        assert_eq!(m.weights_bf16_bytes, 2_000_002);
        assert_eq!(m.weights_int4_bytes, 500_001);
        assert!(m.kv_cache.is_none());
    }

    #[test]
    fn only_attention_layers_of_a_hybrid_cache() {
        let mut a = llama8b();
        a.layer_types = (0..32)
            .map(|i| {
                if i % 8 == 4 {
                    "full_attention"
                } else {
                    "mamba"
                }
                .to_string()
            })
            .collect();
        let kv = kv_cache(&a).unwrap().unwrap();
        assert_eq!(kv.full_attention_layers, 4);
        assert_eq!(kv.layers_without_cache, 28);
        assert_eq!(kv.bytes_per_token, 2 * 8 * 128 * 2 * 4);
        assert!(kv.formula.contains("28 of the 32 layers"), "{}", kv.formula);
        a.layer_types = vec!["linear_attention".to_string(); 32];
        assert!(kv_cache(&a).unwrap_err().contains("none of the 32 layers"));
    }

    #[test]
    fn chunked_layers_cap_at_the_chunk() {
        let mut a = llama8b();
        a.num_layers = Some(4);
        a.attention_chunk_size = Some(8192);
        a.layer_types = [
            "chunked_attention",
            "chunked_attention",
            "chunked_attention",
            "full_attention",
        ]
        .map(String::from)
        .to_vec();
        let kv = kv_cache(&a).unwrap().unwrap();
        let per = 2 * 8 * 128 * 2;
        assert_eq!(kv.chunked_attention_layers, 3);
        assert_eq!(kv.bytes_at_context, Some(per * (131_072 + 3 * 8192)));
        assert!(
            kv.formula.contains("3 chunked layers × 8,192 tokens"),
            "{}",
            kv.formula
        );
    }

    #[test]
    fn encoder_decoder_caches_in_the_decoder_and_encoders_not_at_all() {
        let t5 = Architecture {
            model_type: Some("t5".into()),
            encoder_decoder: true,
            num_layers: Some(24),
            num_decoder_layers: Some(12),
            num_attention_heads: Some(32),
            num_key_value_heads: Some(32),
            head_dim: Some(128),
            ..Default::default()
        };
        let kv = kv_cache(&t5).unwrap().unwrap();
        assert_eq!(kv.bytes_per_token, 2 * 32 * 128 * 2 * 12);
        assert_eq!(kv.layers_without_cache, 24);
        assert_eq!(
            kv.cross_attention_bytes_per_encoder_token,
            Some(2 * 32 * 128 * 2 * 12)
        );
        assert!(kv.formula.contains("per encoder token"), "{}", kv.formula);
        assert_eq!(
            kv_cache(&llama8b())
                .unwrap()
                .unwrap()
                .cross_attention_bytes_per_encoder_token,
            None
        );
        let bert = Architecture {
            model_type: Some("bert".into()),
            ..llama8b()
        };
        let m = estimate(10, 20, Some(&bert));
        assert!(m.kv_cache.is_none());
        assert!(m.kv_cache_absent.unwrap().contains("encoder-only"));
        let mamba = Architecture {
            model_type: Some("mamba2".into()),
            ..llama8b()
        };
        assert!(estimate(10, 20, Some(&mamba))
            .kv_cache_absent
            .unwrap()
            .contains("attention-free"));
    }

    #[test]
    fn sizes_that_overflow_are_called_implausible_not_wrapped() {
        let a = Architecture {
            num_key_value_heads: Some(1 << 62),
            head_dim: Some(1 << 40),
            ..llama8b()
        };
        assert!(kv_cache(&a).unwrap_err().contains("overflow"));
        let a = Architecture {
            mla: Some(crate::model::config::MlaConfig {
                kv_lora_rank: u64::MAX,
                qk_rope_head_dim: 5,
                qk_nope_head_dim: None,
                v_head_dim: None,
            }),
            ..llama8b()
        };
        assert!(kv_cache(&a).unwrap_err().contains("overflow"));
    }
}
