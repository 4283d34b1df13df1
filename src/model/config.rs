//! The architecture as config.json states it (also a nested `text_config`).

use crate::util::json::{as_u64, JsonDoc};
use serde::Serialize;
use serde_json::Value;

/// Multi-head latent attention sizes (DeepSeek-V2/V3 style configs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MlaConfig {
    /// Rank of the compressed KV latent.
    pub kv_lora_rank: u64,
    /// Width of the decoupled rotary key.
    pub qk_rope_head_dim: u64,
    /// Width of the non-rotary query/key part.
    pub qk_nope_head_dim: Option<u64>,
    /// Width of each value head.
    pub v_head_dim: Option<u64>,
}

/// `quantization_config`, summarised.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuantizationConfig {
    /// `quant_method` (`gptq`, `awq`, `fp8`, `compressed-tensors`, `bitsandbytes`, `mxfp4`, ...).
    pub method: String,
    /// Bits per weight, when stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bits: Option<u64>,
    /// Group size, when stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_size: Option<i64>,
    /// Storage format (`pack-quantized`, `gemm`, ...), when stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Modules left unquantized (`modules_to_not_convert` / `ignore`).
    pub not_converted: Vec<String>,
}

/// The architecture facts `mri` reads from config.json.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Architecture {
    /// `model_type`.
    pub model_type: Option<String>,
    /// `architectures`.
    pub architectures: Vec<String>,
    /// True when the language-model facts came from a nested config (`text_config`).
    pub nested_text_config: bool,
    /// Hidden (model) width.
    pub hidden_size: Option<u64>,
    /// Transformer blocks.
    pub num_layers: Option<u64>,
    /// Attention (query) heads.
    pub num_attention_heads: Option<u64>,
    /// Key/value heads (GQA); equals the attention heads when not stated.
    pub num_key_value_heads: Option<u64>,
    /// Width of each head (stated, or hidden / heads).
    pub head_dim: Option<u64>,
    /// Feed-forward width.
    pub intermediate_size: Option<u64>,
    /// Vocabulary rows of the embedding.
    pub vocab_size: Option<u64>,
    /// Context length (`max_position_embeddings` and its aliases).
    pub context_length: Option<u64>,
    /// `rope_theta`.
    pub rope_theta: Option<f64>,
    /// `rope_scaling` as written.
    pub rope_scaling: Option<Value>,
    /// `tie_word_embeddings`, when stated.
    pub tie_word_embeddings: Option<bool>,
    /// `torch_dtype` (or `dtype`).
    pub torch_dtype: Option<String>,
    /// Sliding-window size, when one is in force.
    pub sliding_window: Option<u64>,
    /// Per-layer attention kinds (`sliding_attention`/`full_attention`), when derivable.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub layer_types: Vec<String>,
    /// Routed experts (mixture of experts).
    pub num_experts: Option<u64>,
    /// Experts active per token.
    pub num_experts_per_token: Option<u64>,
    /// Extra multi-token-prediction layers stored after the main ones (DeepSeek-V3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_nextn_predict_layers: Option<u64>,
    /// MLA sizes, for DeepSeek-style attention.
    pub mla: Option<MlaConfig>,
    /// `quantization_config`, summarised.
    pub quantization: Option<QuantizationConfig>,
    /// `bos_token_id` in config.json.
    #[serde(skip)]
    pub bos_token_ids: Vec<u64>,
    /// `eos_token_id` in config.json.
    #[serde(skip)]
    pub eos_token_ids: Vec<u64>,
}

/// Nested configs that hold the language model of a multimodal model.
const NESTED: &[&str] = &[
    "text_config",
    "llm_config",
    "language_config",
    "thinker_config",
];

/// Reads the architecture from a parsed config.json.
pub fn read_architecture(doc: &JsonDoc) -> Architecture {
    let top = &doc.value;
    let mut nested: Option<&Value> = None;
    for key in NESTED {
        if let Some(v) = top.get(*key).filter(|v| v.is_object()) {
            // thinker_config nests once more (Qwen-Omni).
            nested = Some(v.get("text_config").filter(|t| t.is_object()).unwrap_or(v));
            break;
        }
    }
    let lookup = |keys: &[&str]| -> Option<&Value> {
        for scope in nested.iter().copied().chain(std::iter::once(top)) {
            for k in keys {
                if let Some(v) = scope.get(*k).filter(|v| !v.is_null()) {
                    return Some(v);
                }
            }
        }
        None
    };
    let num = |keys: &[&str]| lookup(keys).and_then(as_u64);

    let model_type = top
        .get("model_type")
        .and_then(Value::as_str)
        .map(str::to_string);
    let architectures = top
        .get("architectures")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let hidden_size = num(&["hidden_size", "n_embd", "d_model", "dim", "model_dim"]);
    let num_layers = num(&["num_hidden_layers", "n_layer", "num_layers", "n_layers"]);
    let num_attention_heads = num(&["num_attention_heads", "n_head", "num_heads", "n_heads"]);
    let num_key_value_heads = num(&[
        "num_key_value_heads",
        "n_kv_heads",
        "num_kv_heads",
        "multi_query_group_num",
    ])
    .or_else(|| {
        lookup(&["multi_query"])
            .and_then(Value::as_bool)
            .filter(|b| *b)
            .map(|_| 1)
    })
    .or(num_attention_heads);
    let head_dim = num(&["head_dim", "attention_head_size", "kv_channels"]).or_else(|| {
        match (hidden_size, num_attention_heads) {
            (Some(h), Some(n)) if n > 0 => Some(h / n),
            _ => None,
        }
    });
    let mla = num(&["kv_lora_rank"]).map(|kv_lora_rank| MlaConfig {
        kv_lora_rank,
        qk_rope_head_dim: num(&["qk_rope_head_dim"]).unwrap_or(0),
        qk_nope_head_dim: num(&["qk_nope_head_dim"]),
        v_head_dim: num(&["v_head_dim"]),
    });
    let torch_dtype = lookup(&["torch_dtype", "dtype"])
        .and_then(Value::as_str)
        .map(str::to_string);
    let sliding_window = sliding_window(&lookup);
    let layer_types = layer_types(&lookup, model_type.as_deref(), num_layers, sliding_window);
    let quantization = top
        .get("quantization_config")
        .or_else(|| nested.and_then(|n| n.get("quantization_config")))
        .and_then(read_quantization);

    Architecture {
        model_type,
        architectures,
        nested_text_config: nested.is_some(),
        hidden_size,
        num_layers,
        num_attention_heads,
        num_key_value_heads,
        head_dim,
        intermediate_size: num(&["intermediate_size", "n_inner", "ffn_dim", "ffn_hidden_size"]),
        vocab_size: num(&["vocab_size", "padded_vocab_size", "n_vocab"]),
        context_length: num(&[
            "max_position_embeddings",
            "n_positions",
            "max_sequence_length",
            "seq_length",
            "max_seq_len",
            "n_ctx",
        ]),
        rope_theta: lookup(&["rope_theta"]).and_then(Value::as_f64),
        rope_scaling: lookup(&["rope_scaling"]).cloned(),
        tie_word_embeddings: lookup(&["tie_word_embeddings"]).and_then(Value::as_bool),
        torch_dtype,
        sliding_window,
        layer_types,
        num_experts: num(&["num_experts", "n_routed_experts", "num_local_experts"]),
        num_experts_per_token: num(&["num_experts_per_tok", "num_experts_per_token", "moe_topk"]),
        num_nextn_predict_layers: num(&["num_nextn_predict_layers"]).filter(|n| *n > 0),
        mla,
        quantization,
        bos_token_ids: crate::util::json::id_list(lookup(&["bos_token_id"])),
        eos_token_ids: crate::util::json::id_list(lookup(&["eos_token_id"])),
    }
}

fn sliding_window<'a>(lookup: &impl Fn(&[&str]) -> Option<&'a Value>) -> Option<u64> {
    if lookup(&["use_sliding_window"]).and_then(Value::as_bool) == Some(false) {
        return None;
    }
    lookup(&["sliding_window", "attention_window_size"])
        .and_then(as_u64)
        .filter(|w| *w > 0)
}

/// Which layers use sliding-window attention: `layer_types` when stated, else
/// the rules of the families that alternate (Gemma 2 and 3, Qwen's `max_window_layers`).
fn layer_types<'a>(
    lookup: &impl Fn(&[&str]) -> Option<&'a Value>,
    model_type: Option<&str>,
    num_layers: Option<u64>,
    window: Option<u64>,
) -> Vec<String> {
    if let Some(list) = lookup(&["layer_types"]).and_then(Value::as_array) {
        return list
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
    }
    let (Some(n), Some(_)) = (num_layers, window) else {
        return Vec::new();
    };
    let n = n.min(10_000);
    let kind = |sliding: bool| {
        if sliding {
            "sliding_attention".to_string()
        } else {
            "full_attention".to_string()
        }
    };
    let mt = model_type.unwrap_or("");
    if let Some(pattern) = lookup(&["sliding_window_pattern"])
        .and_then(as_u64)
        .filter(|p| *p > 0)
    {
        return (0..n).map(|i| kind((i + 1) % pattern != 0)).collect();
    }
    if mt.starts_with("gemma2") || mt == "cohere2" {
        return (0..n).map(|i| kind(i % 2 == 0)).collect();
    }
    if mt.starts_with("qwen") {
        if let Some(first) = lookup(&["max_window_layers"]).and_then(as_u64) {
            return (0..n).map(|i| kind(i >= first)).collect();
        }
    }
    Vec::new()
}

fn read_quantization(q: &Value) -> Option<QuantizationConfig> {
    let obj = q.as_object()?;
    let method = obj
        .get("quant_method")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| {
            if obj.get("load_in_4bit").and_then(Value::as_bool) == Some(true)
                || obj.get("load_in_8bit").and_then(Value::as_bool) == Some(true)
            {
                Some("bitsandbytes".to_string())
            } else {
                None
            }
        })?;
    let mut bits = obj.get("bits").and_then(as_u64);
    if method == "bitsandbytes" {
        if obj.get("load_in_4bit").and_then(Value::as_bool) == Some(true) {
            bits = Some(4);
        } else if obj.get("load_in_8bit").and_then(Value::as_bool) == Some(true) {
            bits = Some(8);
        }
    }
    // compressed-tensors: config_groups.<group>.weights.num_bits
    if bits.is_none() {
        if let Some(groups) = obj.get("config_groups").and_then(Value::as_object) {
            bits = groups.values().find_map(|g| {
                g.get("weights")
                    .and_then(|w| w.get("num_bits"))
                    .and_then(as_u64)
            });
        }
    }
    let group_size = obj
        .get("group_size")
        .and_then(Value::as_i64)
        .or_else(|| obj.get("q_group_size").and_then(Value::as_i64));
    let format = obj
        .get("format")
        .or_else(|| obj.get("version"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let not_converted = ["modules_to_not_convert", "ignore", "llm_int8_skip_modules"]
        .iter()
        .filter_map(|k| obj.get(*k).and_then(Value::as_array))
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    Some(QuantizationConfig {
        method,
        bits,
        group_size,
        format,
        not_converted,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::json::parse_doc;

    fn arch(json: &str) -> Architecture {
        read_architecture(&parse_doc("config.json", json.to_string()).unwrap())
    }

    #[test]
    fn llama_like_config_is_read() {
        let a = arch(
            r#"{"model_type":"llama","architectures":["LlamaForCausalLM"],"hidden_size":4096,"num_hidden_layers":32,"num_attention_heads":32,"num_key_value_heads":8,"intermediate_size":14336,"vocab_size":128256,"max_position_embeddings":131072,"rope_theta":500000.0,"rope_scaling":{"rope_type":"llama3","factor":8.0},"tie_word_embeddings":false,"torch_dtype":"bfloat16","eos_token_id":[128001,128008,128009]}"#,
        );
        assert_eq!(a.head_dim, Some(128));
        assert_eq!(a.num_key_value_heads, Some(8));
        assert_eq!(a.context_length, Some(131072));
        assert_eq!(a.tie_word_embeddings, Some(false));
        assert_eq!(a.eos_token_ids, [128001, 128008, 128009]);
        assert!(a.rope_scaling.is_some());
    }

    #[test]
    fn nested_text_config_wins_for_language_facts() {
        let a = arch(
            r#"{"model_type":"gemma3","text_config":{"hidden_size":2560,"num_hidden_layers":34,"num_attention_heads":8,"num_key_value_heads":4,"head_dim":256,"sliding_window":1024,"sliding_window_pattern":6},"vision_config":{"hidden_size":1152,"num_hidden_layers":27}}"#,
        );
        assert!(a.nested_text_config);
        assert_eq!(a.num_layers, Some(34));
        assert_eq!(a.head_dim, Some(256));
        assert_eq!(a.layer_types.len(), 34);
        assert_eq!(a.layer_types[5], "full_attention");
        assert_eq!(a.layer_types[0], "sliding_attention");
    }

    #[test]
    fn qwen_sliding_window_off_means_none() {
        let a = arch(
            r#"{"model_type":"qwen2","num_hidden_layers":4,"sliding_window":4096,"use_sliding_window":false}"#,
        );
        assert_eq!(a.sliding_window, None);
        assert!(a.layer_types.is_empty());
    }

    #[test]
    fn mla_and_quantization_are_read() {
        let a = arch(
            r#"{"model_type":"deepseek_v3","kv_lora_rank":512,"qk_rope_head_dim":64,"qk_nope_head_dim":128,"v_head_dim":128,"num_nextn_predict_layers":1,"quantization_config":{"quant_method":"fp8","weight_block_size":[128,128]}}"#,
        );
        assert_eq!(a.mla.as_ref().unwrap().kv_lora_rank, 512);
        assert_eq!(a.num_nextn_predict_layers, Some(1));
        assert_eq!(a.quantization.as_ref().unwrap().method, "fp8");
        let a = arch(
            r#"{"quantization_config":{"quant_method":"compressed-tensors","format":"pack-quantized","config_groups":{"group_0":{"weights":{"num_bits":4}}},"ignore":["lm_head"]}}"#,
        );
        let q = a.quantization.unwrap();
        assert_eq!(q.bits, Some(4));
        assert_eq!(q.not_converted, ["lm_head"]);
        let a =
            arch(r#"{"quantization_config":{"load_in_4bit":true,"bnb_4bit_quant_type":"nf4"}}"#);
        assert_eq!(a.quantization.unwrap().bits, Some(4));
    }
}
