//! generation_config.json: sampling defaults and special token ids.

use crate::util::json::{id_list, JsonDoc};
use serde::Serialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// Generation defaults, summarised.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct GenerationSummary {
    /// The file, relative to the model root.
    pub path: String,
    /// `bos_token_id`.
    pub bos_token_ids: Vec<u64>,
    /// `eos_token_id` (one or several).
    pub eos_token_ids: Vec<u64>,
    /// `pad_token_id`.
    pub pad_token_ids: Vec<u64>,
    /// Every other setting as written (temperature, top_p, max_new_tokens, ...).
    pub defaults: BTreeMap<String, Value>,
}

/// Summarises a parsed generation_config.json.
pub fn summarize(doc: &JsonDoc) -> GenerationSummary {
    let mut defaults = BTreeMap::new();
    if let Some(obj) = doc.value.as_object() {
        for (k, v) in obj {
            if !matches!(
                k.as_str(),
                "bos_token_id"
                    | "eos_token_id"
                    | "pad_token_id"
                    | "transformers_version"
                    | "_from_model_config"
            ) {
                defaults.insert(k.clone(), v.clone());
            }
        }
    }
    GenerationSummary {
        path: doc.path.clone(),
        bos_token_ids: id_list(doc.get("bos_token_id")),
        eos_token_ids: id_list(doc.get("eos_token_id")),
        pad_token_ids: id_list(doc.get("pad_token_id")),
        defaults,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::json::parse_doc;

    #[test]
    fn ids_and_defaults_are_split() {
        let doc = parse_doc(
            "generation_config.json",
            r#"{"bos_token_id":1,"eos_token_id":[2,3],"temperature":0.6,"transformers_version":"4.45"}"#.into(),
        )
        .unwrap();
        let g = summarize(&doc);
        assert_eq!(g.eos_token_ids, [2, 3]);
        assert_eq!(g.bos_token_ids, [1]);
        assert_eq!(g.defaults.len(), 1);
        assert!(g.defaults.contains_key("temperature"));
    }
}
