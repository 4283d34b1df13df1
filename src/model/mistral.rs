//! Mistral's native checkpoint format: `params.json` beside
//! `consolidated.safetensors` (and `tekken.json`), read by `mistral-inference`
//! and vLLM's Mistral loader. Some Mistral releases ship only this format, no
//! transformers config.json; the architecture is then read from here.
//!
//! `params.json` names its sizes in the reference implementation's terms:
//! `dim`, `n_layers`, `n_heads`, `n_kv_heads`, `head_dim`, `hidden_dim` (the
//! feed-forward width), `vocab_size`, `rope_theta`, `max_seq_len`,
//! `sliding_window`, `tied_embeddings`, `moe {num_experts,
//! num_experts_per_tok}`, `yarn {...}` (rope scaling).

use crate::model::config::Architecture;
use crate::util::json::{as_u64, JsonDoc};
use serde_json::Value;

/// The file name of the native format's config.
pub const PARAMS_FILE: &str = "params.json";

/// The `model_type` given to an architecture read from `params.json`.
pub const NATIVE_MODEL_TYPE: &str = "mistral";

/// True when a `params.json` is Mistral's: it states `dim` and `n_layers`
/// (other projects write files of that name with other contents).
pub fn is_native_params(value: &Value) -> bool {
    value.get("dim").is_some() && value.get("n_layers").is_some()
}

/// The transformers config key each `params.json` key stands for, for the
/// findings that point at a key's line.
pub fn params_key(config_key: &str) -> Option<&'static str> {
    Some(match config_key {
        "num_hidden_layers" => "n_layers",
        "hidden_size" => "dim",
        "num_attention_heads" => "n_heads",
        "num_key_value_heads" => "n_kv_heads",
        "intermediate_size" => "hidden_dim",
        "vocab_size" => "vocab_size",
        "tie_word_embeddings" => "tied_embeddings",
        "head_dim" => "head_dim",
        _ => return None,
    })
}

/// Reads the architecture a `params.json` states. Absent sizes stay absent;
/// `num_key_value_heads` defaults to the attention heads and `head_dim` to
/// `dim / n_heads`, as the reference implementation does.
pub fn read_params(doc: &JsonDoc) -> Architecture {
    let v = &doc.value;
    let num = |key: &str| v.get(key).and_then(as_u64);
    let hidden_size = num("dim");
    let heads = num("n_heads");
    let head_dim = num("head_dim").or(match (hidden_size, heads) {
        (Some(d), Some(h)) if h > 0 => Some(d / h),
        _ => None,
    });
    let moe = v.get("moe").filter(|m| m.is_object());
    let moe_num = |key: &str| moe.and_then(|m| m.get(key)).and_then(as_u64);
    Architecture {
        model_type: Some(NATIVE_MODEL_TYPE.to_string()),
        hidden_size,
        num_layers: num("n_layers"),
        num_attention_heads: heads,
        num_key_value_heads: num("n_kv_heads").or(heads),
        head_dim,
        intermediate_size: num("hidden_dim"),
        vocab_size: num("vocab_size"),
        context_length: num("max_seq_len").or_else(|| num("max_position_embeddings")),
        rope_theta: v.get("rope_theta").and_then(Value::as_f64),
        rope_scaling: v.get("yarn").filter(|y| y.is_object()).cloned(),
        tie_word_embeddings: Some(
            v.get("tied_embeddings")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        ),
        sliding_window: num("sliding_window"),
        num_experts: moe_num("num_experts"),
        num_experts_per_token: moe_num("num_experts_per_tok"),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::json::parse_doc;

    fn params(json: &str) -> Architecture {
        read_params(&parse_doc(PARAMS_FILE, json.to_string()).unwrap())
    }

    #[test]
    fn a_mistral_small_params_file_reads_as_its_architecture() {
        let a = params(
            r#"{"dim": 5120, "n_layers": 40, "head_dim": 128, "hidden_dim": 32768, "n_heads": 32, "n_kv_heads": 8, "rope_theta": 1000000000.0, "norm_eps": 1e-05, "vocab_size": 131072, "max_seq_len": 131072}"#,
        );
        assert_eq!(a.model_type.as_deref(), Some("mistral"));
        assert_eq!(
            (a.hidden_size, a.num_layers, a.num_attention_heads),
            (Some(5120), Some(40), Some(32))
        );
        assert_eq!((a.num_key_value_heads, a.head_dim), (Some(8), Some(128)));
        assert_eq!(a.intermediate_size, Some(32768));
        assert_eq!(a.vocab_size, Some(131072));
        assert_eq!(a.context_length, Some(131072));
        assert_eq!(a.rope_theta, Some(1e9));
        assert_eq!(a.tie_word_embeddings, Some(false));
        assert_eq!(a.num_experts, None);
    }

    #[test]
    fn defaults_moe_window_and_yarn_follow_the_reference_implementation() {
        let a = params(
            r#"{"dim": 4096, "n_layers": 32, "n_heads": 32, "hidden_dim": 14336, "vocab_size": 32000, "sliding_window": 4096, "tied_embeddings": true, "moe": {"num_experts": 8, "num_experts_per_tok": 2}, "yarn": {"factor": 4.0, "original_max_position_embeddings": 32768}}"#,
        );
        assert_eq!(
            a.num_key_value_heads,
            Some(32),
            "n_kv_heads defaults to n_heads"
        );
        assert_eq!(a.head_dim, Some(128), "dim / n_heads");
        assert_eq!(a.sliding_window, Some(4096));
        assert_eq!(a.tie_word_embeddings, Some(true));
        assert_eq!((a.num_experts, a.num_experts_per_token), (Some(8), Some(2)));
        assert_eq!(a.rope_scaling.unwrap()["factor"], 4.0);
        assert_eq!(a.context_length, None);
    }

    #[test]
    fn only_a_file_with_dim_and_layers_is_mistrals() {
        assert!(is_native_params(
            &serde_json::json!({"dim": 64, "n_layers": 2})
        ));
        assert!(!is_native_params(&serde_json::json!({"dim": 64})));
        assert!(!is_native_params(
            &serde_json::json!({"learning_rate": 0.1})
        ));
    }

    #[test]
    fn transformers_keys_map_to_their_params_names() {
        assert_eq!(params_key("num_hidden_layers"), Some("n_layers"));
        assert_eq!(params_key("tie_word_embeddings"), Some("tied_embeddings"));
        assert_eq!(params_key("torch_dtype"), None);
    }
}
