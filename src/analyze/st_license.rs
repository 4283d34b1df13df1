//! License declarations in a safetensors header's `__metadata__`: the
//! Stability AI model spec's `modelspec.license` (written by kohya's
//! trainers and ComfyUI for single-file checkpoints and LoRAs), or a plain
//! `license` key. Read like a card's `license:` so that a single-file
//! checkpoint without a card still gets a decision, and one that disagrees
//! with its card is flagged.

use super::weights::ShardSummary;
use crate::model::card::Card;

/// The metadata keys that state a license, in the order they are preferred.
const LICENSE_KEYS: [&str; 2] = ["modelspec.license", "license"];

/// The first counted shard's license declaration, as a card named by the
/// shard's path; `None` when no counted shard states one.
pub fn declared_license(shards: &[ShardSummary]) -> Option<Card> {
    shards.iter().filter(|s| s.counted).find_map(|s| {
        let (key, value) = LICENSE_KEYS
            .iter()
            .find_map(|k| Some((*k, s.metadata.get(*k)?)))
            .map(|(k, v)| (k, v.trim()))
            .filter(|(_, v)| !v.is_empty())?;
        // An id (`apache-2.0`, `openrail++`) is a `license:` value; a name
        // (`CreativeML Open RAIL++-M`) is `license: other` with a `license_name`.
        let is_id = !value.contains(char::is_whitespace);
        let field = if is_id { "license" } else { "license_name" };
        Some(Card {
            path: s.path.clone(),
            has_front_matter: true,
            keys: [(field.to_string(), key.to_string())].into(),
            license: vec![if is_id { value } else { "other" }.to_string()],
            license_name: (!is_id).then(|| value.to_string()),
            ..Default::default()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn shard(counted: bool, meta: &[(&str, &str)]) -> ShardSummary {
        ShardSummary {
            path: "x.safetensors".into(),
            size: 0,
            header_bytes: 0,
            counted,
            tensor_count: 0,
            parameters: 0,
            bytes: 0,
            metadata: meta
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
            tensors: Vec::new(),
        }
    }

    #[test]
    fn ids_and_names_are_read_like_a_card() {
        let c = declared_license(&[shard(true, &[("modelspec.license", " apache-2.0 ")])]).unwrap();
        assert_eq!(
            (c.license, c.license_name),
            (vec!["apache-2.0".to_string()], None)
        );
        let c =
            declared_license(&[shard(true, &[("license", "CreativeML Open RAIL++-M")])]).unwrap();
        assert_eq!(c.license, ["other"]);
        assert_eq!(c.license_name.as_deref(), Some("CreativeML Open RAIL++-M"));
        assert_eq!(c.path, "x.safetensors");
        assert!(declared_license(&[shard(false, &[("license", "mit")])]).is_none());
        assert!(declared_license(&[shard(true, &[("format", "pt"), ("license", " ")])]).is_none());
    }
}
