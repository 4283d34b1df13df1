//! config.json's counts and sizes against the tensors the weights hold,
//! checked before anything is built.
//!
//! candle's model builders loop over `num_hidden_layers`, and the dry run
//! records a request per tensor of every layer: a config that says 2^62
//! layers would loop and allocate without end. So the layer count may not
//! exceed the distinct layer blocks stored (`model.layers.N.`,
//! `encoder.layer.N.`, `blk.N.`), nor [`MAX_LAYERS`]. The builders also
//! allocate rotary tables from `hidden_size` or `head_dim` before any
//! tensor is asked for: a size no stored tensor has in any dimension is
//! refused too.

use super::backend::HeaderTensor;
use super::SmokeError;
use serde_json::{Map, Value};
use std::collections::{HashMap, HashSet};

/// The most layers a run builds, whatever the weights hold (the largest
/// open models have a few hundred).
pub const MAX_LAYERS: u64 = 4096;

/// The config key every family states its layer count under.
const KEY: &str = "num_hidden_layers";

/// The config sizes that are tensor dimensions (or divide one): none can
/// exceed the largest dimension of the stored tensors.
const SIZES: [&str; 6] = [
    "hidden_size",
    "intermediate_size",
    "num_attention_heads",
    "num_key_value_heads",
    "head_dim",
    "vocab_size",
];

/// The distinct layer indices in `names`: the number after a `layers`,
/// `layer` or `blk` segment.
pub(crate) fn stored_blocks<'a>(names: impl Iterator<Item = &'a String>) -> u64 {
    let mut seen = HashSet::new();
    for name in names {
        let mut parts = name.split('.');
        while let Some(part) = parts.next() {
            if matches!(part, "layers" | "layer" | "blk") {
                if let Some(n) = parts.clone().next().and_then(|p| p.parse::<u64>().ok()) {
                    seen.insert(n);
                    break;
                }
            }
        }
    }
    seen.len() as u64
}

/// Refuses, before anything is built, a layer count that the weights
/// cannot hold or that no model has, and a size larger than every
/// dimension of every stored tensor. Values that are absent or not
/// unsigned integers are left to the family's config parser.
pub(crate) fn check(
    family: &'static str,
    config: &Map<String, Value>,
    headers: &HashMap<String, HeaderTensor>,
) -> Result<(), SmokeError> {
    check_sizes(family, config, headers)?;
    let Some(asked) = config.get(KEY).and_then(Value::as_u64) else {
        return Ok(());
    };
    let stored = stored_blocks(headers.keys());
    let detail = if asked > MAX_LAYERS {
        format!(" and mri smoke builds at most {MAX_LAYERS}")
    } else if asked > stored {
        String::new()
    } else {
        return Ok(());
    };
    Err(SmokeError::LayerCount {
        family,
        key: KEY,
        config: asked,
        stored,
        detail,
    })
}

fn check_sizes(
    family: &'static str,
    config: &Map<String, Value>,
    headers: &HashMap<String, HeaderTensor>,
) -> Result<(), SmokeError> {
    let largest = headers
        .values()
        .flat_map(|h| h.shape.iter().copied())
        .max()
        .unwrap_or(0);
    for key in SIZES {
        if let Some(value) = config.get(key).and_then(Value::as_u64) {
            if value > largest {
                return Err(SmokeError::ConfigSize {
                    family,
                    key,
                    value,
                    largest,
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(names: &[&str]) -> HashMap<String, HeaderTensor> {
        names
            .iter()
            .map(|n| {
                (
                    n.to_string(),
                    HeaderTensor {
                        dtype: "F32".into(),
                        shape: vec![1],
                        bytes: 4,
                        shard: 0,
                        offset: 0,
                    },
                )
            })
            .collect()
    }

    fn config(layers: Value) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert(KEY.into(), layers);
        m
    }

    #[test]
    fn a_size_no_tensor_has_is_refused() {
        let mut h = headers(&["model.layers.0.a"]);
        if let Some(t) = h.get_mut("model.layers.0.a") {
            t.shape = vec![64, 32];
        }
        let mut c = config(Value::from(1));
        c.insert("hidden_size".into(), Value::from(32));
        c.insert("head_dim".into(), Value::from(64));
        assert!(check("qwen3", &c, &h).is_ok());
        c.insert("head_dim".into(), Value::from(1u64 << 40));
        let e = check("qwen3", &c, &h).expect_err("2^40").to_string();
        assert!(e.contains("head_dim = 1099511627776"), "{e}");
        assert!(
            e.contains("largest dimension of any stored tensor is 64"),
            "{e}"
        );
    }

    #[test]
    fn blocks_are_counted_once_whatever_the_naming() {
        let h = headers(&[
            "model.layers.0.mlp.up_proj.weight",
            "model.layers.0.mlp.down_proj.weight",
            "model.layers.1.mlp.up_proj.weight",
            "encoder.layer.7.output.dense.weight",
            "blk.3.attn_q.weight",
            "model.layers.x.odd",
            "model.norm.weight",
        ]);
        assert_eq!(stored_blocks(h.keys()), 4);
    }

    #[test]
    fn more_layers_than_stored_or_than_the_cap_is_refused() {
        let h = headers(&["model.layers.0.a", "model.layers.1.a"]);
        assert!(check("llama", &config(Value::from(2)), &h).is_ok());
        assert!(check("llama", &config(Value::from(1)), &h).is_ok());
        assert!(check("llama", &config(Value::from(-3)), &h).is_ok());
        let e = check("llama", &config(Value::from(3u64)), &h).expect_err("3 > 2");
        assert!(e.to_string().contains("num_hidden_layers = 3"), "{e}");
        assert!(e.to_string().contains("hold 2 layer block"), "{e}");
        let huge = 1u64 << 62;
        let e = check("llama", &config(Value::from(huge)), &h).expect_err("2^62");
        assert!(e.to_string().contains(&huge.to_string()), "{e}");
        assert!(e.to_string().contains("at most 4096"), "{e}");
    }
}
