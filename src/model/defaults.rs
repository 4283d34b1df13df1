//! The defaults of transformers' config classes, for the keys a config.json
//! may leave out because the class supplies them (the Hub's Gemma-3 and Llava
//! configs state only what differs from the defaults of their text model).

use serde_json::Value;
use std::sync::OnceLock;

/// `model_type` → the keys its transformers config class defaults, under the
/// names that class uses. Only architecture facts `mri` reads are listed.
const DEFAULTS: &str = r#"{
  "llama": {"vocab_size": 32000, "hidden_size": 4096, "intermediate_size": 11008,
            "num_hidden_layers": 32, "num_attention_heads": 32,
            "max_position_embeddings": 2048, "rope_theta": 10000.0,
            "tie_word_embeddings": false},
  "mistral": {"vocab_size": 32000, "hidden_size": 4096, "intermediate_size": 14336,
              "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 8,
              "max_position_embeddings": 131072, "rope_theta": 10000.0,
              "sliding_window": 4096, "tie_word_embeddings": false},
  "qwen2": {"vocab_size": 151936, "hidden_size": 4096, "intermediate_size": 22016,
            "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 32,
            "max_position_embeddings": 32768, "rope_theta": 10000.0,
            "use_sliding_window": false, "tie_word_embeddings": false},
  "qwen3": {"vocab_size": 151936, "hidden_size": 4096, "intermediate_size": 22016,
            "num_hidden_layers": 32, "num_attention_heads": 32, "num_key_value_heads": 32,
            "head_dim": 128, "max_position_embeddings": 32768, "rope_theta": 10000.0,
            "use_sliding_window": false, "tie_word_embeddings": false},
  "phi3": {"vocab_size": 32064, "hidden_size": 3072, "intermediate_size": 8192,
           "num_hidden_layers": 32, "num_attention_heads": 32,
           "max_position_embeddings": 4096, "rope_theta": 10000.0,
           "tie_word_embeddings": false},
  "gemma": {"vocab_size": 256000, "hidden_size": 3072, "intermediate_size": 24576,
            "num_hidden_layers": 28, "num_attention_heads": 16, "num_key_value_heads": 16,
            "head_dim": 256, "max_position_embeddings": 8192, "rope_theta": 10000.0,
            "tie_word_embeddings": true},
  "gemma2": {"vocab_size": 256000, "hidden_size": 2304, "intermediate_size": 9216,
             "num_hidden_layers": 26, "num_attention_heads": 8, "num_key_value_heads": 4,
             "head_dim": 256, "max_position_embeddings": 8192, "rope_theta": 10000.0,
             "sliding_window": 4096, "tie_word_embeddings": true},
  "gemma3_text": {"vocab_size": 262208, "hidden_size": 2304, "intermediate_size": 9216,
                  "num_hidden_layers": 26, "num_attention_heads": 8, "num_key_value_heads": 4,
                  "head_dim": 256, "max_position_embeddings": 131072, "rope_theta": 1000000.0,
                  "sliding_window": 4096, "sliding_window_pattern": 6,
                  "tie_word_embeddings": true},
  "t5": {"vocab_size": 32128, "d_model": 512, "d_kv": 64, "d_ff": 2048,
         "num_layers": 6, "num_heads": 8, "tie_word_embeddings": true},
  "gpt2": {"vocab_size": 50257, "n_positions": 1024, "n_embd": 768, "n_layer": 12,
           "n_head": 12, "tie_word_embeddings": true},
  "falcon": {"vocab_size": 65024, "hidden_size": 4544, "num_hidden_layers": 32,
             "num_attention_heads": 71, "multi_query": true,
             "max_position_embeddings": 2048, "rope_theta": 10000.0},
  "bert": {"vocab_size": 30522, "hidden_size": 768, "num_hidden_layers": 12,
           "num_attention_heads": 12, "intermediate_size": 3072,
           "max_position_embeddings": 512}
}"#;

/// The text model a multimodal wrapper's nested config defaults to, when the
/// nested config does not name its own `model_type`.
const NESTED_TYPE: &[(&str, &str)] = &[
    ("gemma3", "gemma3_text"),
    ("llava", "llama"),
    ("llava_next", "llama"),
    ("paligemma", "gemma"),
];

fn table() -> &'static Value {
    static TABLE: OnceLock<Value> = OnceLock::new();
    TABLE.get_or_init(|| serde_json::from_str(DEFAULTS).unwrap_or(Value::Null))
}

/// The defaults of the config class for `model_type`, if `mri` knows them.
pub fn for_model_type(model_type: &str) -> Option<&'static Value> {
    table().get(model_type).filter(|v| v.is_object())
}

/// The `model_type` whose defaults fill a nested text config: the nested
/// config's own `model_type`, else the one its wrapper implies.
pub fn nested_model_type<'a>(wrapper: Option<&str>, nested: &'a Value) -> Option<&'a str> {
    if let Some(own) = nested.get("model_type").and_then(Value::as_str) {
        return Some(own);
    }
    let wrapper = wrapper?;
    NESTED_TYPE
        .iter()
        .find(|(w, _)| *w == wrapper)
        .map(|(_, t)| *t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_parses_and_every_entry_is_an_object() {
        let t = table()
            .as_object()
            .expect("the defaults table is a JSON object");
        assert!(t.len() >= 10);
        assert!(t.values().all(Value::is_object));
        assert_eq!(
            for_model_type("gemma3_text").and_then(|d| d.get("sliding_window_pattern")),
            Some(&Value::from(6))
        );
        assert!(for_model_type("no-such-type").is_none());
    }

    #[test]
    fn nested_type_is_the_nested_configs_own_else_the_wrappers_text_model() {
        let own: Value = serde_json::json!({"model_type": "qwen2"});
        assert_eq!(nested_model_type(Some("llava"), &own), Some("qwen2"));
        let bare: Value = serde_json::json!({"hidden_size": 2560});
        assert_eq!(
            nested_model_type(Some("gemma3"), &bare),
            Some("gemma3_text")
        );
        assert_eq!(nested_model_type(Some("unknown"), &bare), None);
    }
}
