//! Shard indexes (`model.safetensors.index.json` and friends).

use crate::report::finding::{Code, Finding};
use crate::util::json::{as_u64, parse_doc, JsonDoc};
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
    /// The distinct shard names the index maps tensors to, as written, sorted.
    pub fn shard_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.weight_map.values().map(String::as_str).collect();
        names.dedup(); // runs first: a shard's tensors sit together in name order
        names.sort_unstable();
        names.dedup();
        names
    }

    /// The distinct shard paths the index names, relative to the model root.
    pub fn shard_paths(&self) -> Vec<String> {
        // Joined to one folder, distinct sorted names stay distinct and sorted.
        self.shard_names()
            .into_iter()
            .map(|s| join_rel(&self.dir, s))
            .collect()
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

/// The usual shape of an index, read without building a `Value`.
#[derive(serde::Deserialize)]
struct TypedIndex {
    #[serde(default)]
    metadata: Option<TypedMetadata>,
    #[serde(deserialize_with = "map_in_bulk")]
    weight_map: BTreeMap<String, String>,
}

/// Reads a JSON object of strings into a map built in one go from its
/// entries (sorted, then laid out), not entry by entry: an index of a large
/// checkpoint has thousands. A repeated key keeps its last value, as
/// inserting one by one would.
fn map_in_bulk<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeMap<String, String>, D::Error> {
    struct Entries;
    impl<'de> serde::de::Visitor<'de> for Entries {
        type Value = BTreeMap<String, String>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object of tensor names to shard file names")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut entries: Vec<(String, String)> =
                Vec::with_capacity(map.size_hint().unwrap_or(0));
            while let Some(entry) = map.next_entry()? {
                entries.push(entry);
            }
            Ok(entries.into_iter().collect())
        }
    }
    deserializer.deserialize_map(Entries)
}

#[derive(serde::Deserialize)]
struct TypedMetadata {
    #[serde(default)]
    total_size: Option<serde_json::Value>,
}

/// Reads an index file's text: the typed fast path, else [`parse_index_doc`]
/// on the parsed JSON, which says what is wrong.
pub fn parse_index(path: &str, text: String) -> Result<WeightIndex, Finding> {
    if let Ok(t) = serde_json::from_str::<TypedIndex>(&text) {
        if t.weight_map.values().all(|s| !escapes(s)) {
            return Ok(WeightIndex {
                path: path.to_string(),
                dir: dir_of(path),
                total_size: t
                    .metadata
                    .and_then(|m| m.total_size)
                    .as_ref()
                    .and_then(as_u64),
                weight_map: t.weight_map,
            });
        }
    }
    parse_index_doc(&parse_doc(path, text)?)
}

fn escapes(shard: &str) -> bool {
    shard.contains("..") || shard.starts_with('/') || shard.contains('\\')
}

fn dir_of(path: &str) -> String {
    path.rsplit_once('/')
        .map(|(d, _)| d.to_string())
        .unwrap_or_default()
}

/// Reads an index from its parsed JSON.
pub fn parse_index_doc(doc: &JsonDoc) -> Result<WeightIndex, Finding> {
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
        if escapes(shard) {
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
    Ok(WeightIndex {
        path: doc.path.clone(),
        dir: dir_of(&doc.path),
        total_size,
        weight_map,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_index_keeps_the_last_of_a_repeated_tensor_and_sorts() {
        let text =
            r#"{"weight_map": {"b": "s1", "a": "s1", "b": "s2"}, "metadata": {"total_size": 8}}"#;
        let idx = parse_index("m.safetensors.index.json", text.to_string()).unwrap();
        let pairs: Vec<(&str, &str)> = idx
            .weight_map
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(pairs, [("a", "s1"), ("b", "s2")]);
        assert_eq!(idx.total_size, Some(8));
        assert_eq!(idx.shard_paths(), ["s1", "s2"]);
    }

    #[test]
    fn index_lists_distinct_shards() {
        let idx = parse_index(
            "sub/model.safetensors.index.json",
            r#"{"metadata":{"total_size":10},"weight_map":{"a":"m-1.safetensors","b":"m-2.safetensors","c":"m-1.safetensors"}}"#.into(),
        )
        .unwrap();
        assert_eq!(idx.dir, "sub");
        assert_eq!(idx.total_size, Some(10));
        assert_eq!(
            idx.shard_paths(),
            ["sub/m-1.safetensors", "sub/m-2.safetensors"]
        );
    }

    #[test]
    fn index_without_weight_map_or_with_escaping_names_is_rejected() {
        let err = parse_index("model.safetensors.index.json", r#"{"metadata":{}}"#.into());
        assert!(err.unwrap_err().message.contains("weight_map"));
        let err = parse_index(
            "model.safetensors.index.json",
            r#"{"weight_map":{"a":"../../etc/passwd"}}"#.into(),
        );
        assert!(err.unwrap_err().message.contains("outside"));
        let err = parse_index("model.safetensors.index.json", "{".into());
        assert_eq!(err.unwrap_err().code, Code::ConfigInvalid);
    }
}
