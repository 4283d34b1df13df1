//! Shard indexes (`model.safetensors.index.json` and friends).

use crate::report::finding::{Code, Finding};
use crate::util::json::{as_u64, JsonDoc};
use serde::Serialize;
use std::collections::BTreeMap;

/// What a shard index says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WeightIndex {
    /// The index file, relative to the model root.
    pub path: String,
    /// The folder the index sits in (`""` for the root); shard names are relative to it.
    pub dir: String,
    /// `metadata.total_size`, when given.
    pub total_size: Option<u64>,
    /// Tensor name → shard file name.
    pub weight_map: BTreeMap<String, String>,
}

impl WeightIndex {
    /// The distinct shard paths the index names, relative to the model root.
    pub fn shard_paths(&self) -> Vec<String> {
        let mut shards: Vec<String> = self
            .weight_map
            .values()
            .map(|s| join_rel(&self.dir, s))
            .collect();
        shards.sort();
        shards.dedup();
        shards
    }
}

/// `dir/name`, or `name` at the root.
pub fn join_rel(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// Reads an index from its parsed JSON.
pub fn parse_index(doc: &JsonDoc) -> Result<WeightIndex, Finding> {
    let invalid = |msg: &str| {
        Finding::error(Code::WeightsIndexMismatch, format!("shard index {msg}")).in_file(&doc.path)
    };
    let map = doc
        .value
        .get("weight_map")
        .and_then(|v| v.as_object())
        .ok_or_else(|| invalid("has no `weight_map` object"))?;
    let mut weight_map = BTreeMap::new();
    for (tensor, shard) in map {
        let shard = shard.as_str().ok_or_else(|| {
            invalid(&format!(
                "maps `{tensor}` to something other than a file name"
            ))
        })?;
        if shard.contains("..") || shard.starts_with('/') {
            return Err(invalid(&format!(
                "names shard `{shard}` outside its folder"
            )));
        }
        weight_map.insert(tensor.clone(), shard.to_string());
    }
    let total_size = doc
        .value
        .get("metadata")
        .and_then(|m| m.get("total_size"))
        .and_then(as_u64);
    let dir = doc
        .path
        .rsplit_once('/')
        .map(|(d, _)| d.to_string())
        .unwrap_or_default();
    Ok(WeightIndex {
        path: doc.path.clone(),
        dir,
        total_size,
        weight_map,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::json::parse_doc;

    #[test]
    fn index_lists_distinct_shards() {
        let doc = parse_doc(
            "sub/model.safetensors.index.json",
            r#"{"metadata":{"total_size":10},"weight_map":{"a":"m-1.safetensors","b":"m-2.safetensors","c":"m-1.safetensors"}}"#.into(),
        )
        .unwrap();
        let idx = parse_index(&doc).unwrap();
        assert_eq!(idx.total_size, Some(10));
        assert_eq!(
            idx.shard_paths(),
            ["sub/m-1.safetensors", "sub/m-2.safetensors"]
        );
    }

    #[test]
    fn index_without_weight_map_or_with_escaping_names_is_rejected() {
        let doc = parse_doc("model.safetensors.index.json", r#"{"metadata":{}}"#.into()).unwrap();
        assert!(parse_index(&doc)
            .unwrap_err()
            .message
            .contains("weight_map"));
        let doc = parse_doc(
            "model.safetensors.index.json",
            r#"{"weight_map":{"a":"../../etc/passwd"}}"#.into(),
        )
        .unwrap();
        assert!(parse_index(&doc).unwrap_err().message.contains("outside"));
    }
}
