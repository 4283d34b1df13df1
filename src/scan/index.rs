//! Shard indexes (`model.safetensors.index.json` and friends).

use crate::finding::{Code, Finding};
use crate::util::json::{as_u64, parse_doc, JsonDoc};
use serde::Serialize;
use std::borrow::Cow;

/// What a shard index says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WeightIndex {
    /// The index file, relative to the model root.
    pub path: String,
    /// The folder the index sits in (`""` for the root); shard names are relative to it.
    pub dir: String,
    /// `metadata.total_size`, when given.
    pub total_size: Option<u64>,
    /// The distinct shard file names the index maps tensors to, as
    /// written, sorted (each once: a 405B checkpoint's index names 191
    /// shards 1,137 times).
    pub shards: Vec<String>,
    /// `(tensor name, position of its shard in shards)`, sorted by tensor
    /// name; a tensor named twice keeps the last shard it was given, as a
    /// JSON reader keeps the last of a repeated key.
    pub weight_map: Vec<(String, u32)>,
}

impl WeightIndex {
    /// The distinct shard names the index maps tensors to, as written, sorted.
    pub fn shard_names(&self) -> &[String] {
        &self.shards
    }

    /// The distinct shard paths the index names, relative to the model
    /// root, in the order of [`WeightIndex::shards`].
    pub fn shard_paths(&self) -> Vec<String> {
        // Joined to one folder, distinct sorted names stay distinct and sorted.
        self.shards.iter().map(|s| join_rel(&self.dir, s)).collect()
    }

    /// The position in [`WeightIndex::shards`] of the shard the index places
    /// `tensor` in.
    pub fn shard_of(&self, tensor: &str) -> Option<u32> {
        self.weight_map
            .binary_search_by(|(t, _)| t.as_str().cmp(tensor))
            .ok()
            .map(|i| self.weight_map[i].1)
    }

    /// Every `(tensor, shard name)` pair, by tensor name.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &str)> {
        self.weight_map
            .iter()
            .map(|(t, s)| (t.as_str(), self.shards[*s as usize].as_str()))
    }
}

/// The distinct shard names, sorted, and the `(tensor, shard position)`
/// entries, sorted by tensor: [`WeightIndex::shards`] and
/// [`WeightIndex::weight_map`].
type ShardTable = (Vec<String>, Vec<(String, u32)>);

/// Gathers an index's entries, each shard name kept once.
#[derive(Default)]
struct IndexBuilder {
    shards: Vec<String>,
    ids: foldhash::HashMap<String, u32>,
    entries: Vec<(String, u32)>,
}

impl IndexBuilder {
    fn with_capacity(entries: usize) -> Self {
        IndexBuilder {
            entries: Vec::with_capacity(entries),
            ..Default::default()
        }
    }

    /// Adds `tensor` → `shard`. Entries of one shard mostly come together,
    /// so the last shard is compared before the table is looked up.
    fn push(&mut self, tensor: String, shard: &str) {
        let id = match self.entries.last() {
            Some(&(_, last)) if self.shards[last as usize] == shard => last,
            _ => match self.ids.get(shard) {
                Some(&id) => id,
                None => {
                    let id = self.shards.len() as u32;
                    self.shards.push(shard.to_string());
                    self.ids.insert(shard.to_string(), id);
                    id
                }
            },
        };
        self.entries.push((tensor, id));
    }

    /// The shard names sorted (the entries renumbered to match) and the
    /// entries sorted by tensor name, the last of a repeated one kept.
    fn finish(self) -> ShardTable {
        let mut order: Vec<u32> = (0..self.shards.len() as u32).collect();
        order.sort_unstable_by(|&a, &b| self.shards[a as usize].cmp(&self.shards[b as usize]));
        let mut renumbered = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            renumbered[old as usize] = new as u32;
        }
        let mut shards = self.shards;
        let mut sorted_shards: Vec<String> = Vec::with_capacity(shards.len());
        for &old in &order {
            sorted_shards.push(std::mem::take(&mut shards[old as usize]));
        }
        let mut entries = self.entries;
        // Stable: of a repeated tensor, the entry written last stays last.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut kept: Vec<(String, u32)> = Vec::with_capacity(entries.len());
        for (tensor, id) in entries {
            let id = renumbered[id as usize];
            match kept.last_mut() {
                Some(last) if last.0 == tensor => last.1 = id,
                _ => kept.push((tensor, id)),
            }
        }
        // A shard named only by entries that a repeated tensor overrode is
        // not named by the index.
        let mut used = vec![false; sorted_shards.len()];
        kept.iter().for_each(|(_, id)| used[*id as usize] = true);
        if used.contains(&false) {
            let mut moved = vec![0u32; used.len()];
            let mut next = 0u32;
            for (id, &u) in used.iter().enumerate() {
                moved[id] = next;
                next += u32::from(u);
            }
            kept.iter_mut()
                .for_each(|(_, id)| *id = moved[*id as usize]);
            let mut flags = used.iter();
            sorted_shards.retain(|_| flags.next() == Some(&true));
        }
        (sorted_shards, kept)
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
    weight_map: ShardTable,
}

/// A shard name borrowed from the index's text where it has no escapes.
struct ShardName<'a>(Cow<'a, str>);

impl<'de> serde::Deserialize<'de> for ShardName<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Name;
        impl<'de> serde::de::Visitor<'de> for Name {
            type Value = ShardName<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a shard file name")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(ShardName(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(ShardName(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(ShardName(Cow::Owned(v)))
            }
        }
        d.deserialize_str(Name)
    }
}

/// Reads a JSON object of tensor names to shard names in one go: each
/// shard name kept once, the entries sorted at the end (an index of a large
/// checkpoint has thousands). A repeated key keeps its last value, as a
/// map would.
fn map_in_bulk<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<ShardTable, D::Error> {
    struct Entries;
    impl<'de> serde::de::Visitor<'de> for Entries {
        type Value = ShardTable;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object of tensor names to shard file names")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<Self::Value, A::Error> {
            let mut builder = IndexBuilder::with_capacity(map.size_hint().unwrap_or(0));
            while let Some((tensor, shard)) = map.next_entry::<String, ShardName<'de>>()? {
                builder.push(tensor, &shard.0);
            }
            Ok(builder.finish())
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
        let (shards, weight_map) = t.weight_map;
        if shards.iter().all(|s| !escapes(s)) {
            return Ok(WeightIndex {
                path: path.to_string(),
                dir: dir_of(path),
                total_size: t
                    .metadata
                    .and_then(|m| m.total_size)
                    .as_ref()
                    .and_then(as_u64),
                shards,
                weight_map,
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
    let mut builder = IndexBuilder::with_capacity(map.len());
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
        builder.push(tensor.clone(), shard);
    }
    let (shards, weight_map) = builder.finish();
    let total_size = doc
        .value
        .get("metadata")
        .and_then(|m| m.get("total_size"))
        .and_then(as_u64);
    Ok(WeightIndex {
        path: doc.path.clone(),
        dir: dir_of(&doc.path),
        total_size,
        shards,
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
        let pairs: Vec<(&str, &str)> = idx.entries().collect();
        assert_eq!(pairs, [("a", "s1"), ("b", "s2")]);
        assert_eq!(idx.total_size, Some(8));
        assert_eq!(idx.shard_paths(), ["s1", "s2"]);
        assert_eq!((idx.shard_of("b"), idx.shard_of("c")), (Some(1), None));
    }

    #[test]
    fn a_shard_named_only_by_an_overridden_entry_is_not_named() {
        for text in [
            r#"{"weight_map": {"a": "s3", "b": "s1", "a": "s2", "c": "s1"}}"#,
            r#"{"weight_map": {"a": "s3", "b": "s1", "a": "s2", "c": "s1"}, "metadata": "x"}"#,
        ] {
            let idx = parse_index("i.json", text.to_string()).unwrap();
            let pairs: Vec<(&str, &str)> = idx.entries().collect();
            assert_eq!(pairs, [("a", "s2"), ("b", "s1"), ("c", "s1")], "{text}");
            assert_eq!(idx.shard_names(), ["s1", "s2"]);
        }
    }

    #[test]
    fn escaped_shard_names_are_read_as_written() {
        let text = r#"{"weight_map": {"a": "m\u002d1.safetensors", "b": "m-1.safetensors"}}"#;
        let idx = parse_index("i.json", text.to_string()).unwrap();
        assert_eq!(idx.shard_names(), ["m-1.safetensors"]);
        assert_eq!(idx.shard_of("a"), idx.shard_of("b"));
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
