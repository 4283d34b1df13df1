//! A LoRA adapter merged into the base weights as they load:
//! `W' = W + scale · B·A`, with `scale = alpha / r` (or `alpha / sqrt(r)` with
//! rsLoRA), computed in f32 and cast to the load dtype.

use crate::report::Report;
use candle_core::{DType, Device, Tensor};
use std::collections::HashMap;
use std::path::PathBuf;

/// What merging an adapter needs.
#[derive(Debug, Clone)]
pub struct LoraMerge {
    /// The adapter's safetensors files.
    pub files: Vec<PathBuf>,
    /// The merge scale.
    pub scale: f64,
    /// Base weight name (`model.layers.0.self_attn.q_proj.weight`) → (lora_A name, lora_B name).
    pub pairs: HashMap<String, (String, String)>,
}

impl LoraMerge {
    /// From an adapter directory's Report; `None` when it is not a plain
    /// LoRA adapter (DoRA's magnitude vectors are not merged: refused rather
    /// than merged wrongly).
    pub fn from_report(adapter: &Report) -> Option<LoraMerge> {
        let a = adapter.adapter.as_ref()?;
        if a.use_dora || !a.peft_type.eq_ignore_ascii_case("LORA") {
            return None;
        }
        let scale = a.scale?;
        let mut names: HashMap<String, (Option<String>, Option<String>)> = HashMap::new();
        for t in adapter.weights.counted_tensors() {
            let name = &t.info.name;
            let stripped = name.strip_prefix("base_model.model.").unwrap_or(name);
            for (part, is_a) in [(".lora_A.", true), (".lora_B.", false)] {
                if let Some(i) = stripped.find(part) {
                    let e = names
                        .entry(format!("{}.weight", &stripped[..i]))
                        .or_default();
                    if is_a {
                        e.0 = Some(name.clone());
                    } else {
                        e.1 = Some(name.clone());
                    }
                }
            }
        }
        let pairs = names
            .into_iter()
            .filter_map(|(k, (a, b))| Some((k, (a?, b?))))
            .collect();
        let files = adapter
            .weights
            .shards
            .iter()
            .filter(|s| s.counted)
            .map(|s| adapter.target.root.join(&s.path))
            .collect();
        Some(LoraMerge {
            files,
            scale,
            pairs,
        })
    }
}

/// The adapter's tensors, mapped, ready to merge.
pub(crate) struct LoadedLora {
    pub(crate) tensors: candle_core::safetensors::MmapedSafetensors,
    pub(crate) scale: f64,
    pub(crate) pairs: HashMap<String, (String, String)>,
}

impl LoadedLora {
    /// Maps the adapter's files.
    pub(crate) fn load(m: &LoraMerge) -> candle_core::Result<LoadedLora> {
        // SAFETY: read-only maps of files mri never writes, kept for the life
        // of the model; the same contract as the base weights' maps.
        let tensors = unsafe { candle_core::safetensors::MmapedSafetensors::multi(&m.files)? };
        Ok(LoadedLora {
            tensors,
            scale: m.scale,
            pairs: m.pairs.clone(),
        })
    }

    /// `base + scale · B·A` when `name` is adapted, else `base` unchanged.
    pub(crate) fn merge(
        &self,
        name: &str,
        base: Tensor,
        dtype: DType,
        dev: &Device,
    ) -> candle_core::Result<Tensor> {
        let Some((a, b)) = self.pairs.get(name) else {
            return Ok(base);
        };
        let a = self.tensors.load(a, dev)?.to_dtype(DType::F32)?;
        let b = self.tensors.load(b, dev)?.to_dtype(DType::F32)?;
        let delta = (b.matmul(&a)? * self.scale)?;
        (base.to_dtype(DType::F32)? + delta)?.to_dtype(dtype)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_weight_is_w_plus_scale_b_a() {
        let dev = Device::Cpu;
        let tmp = tempfile::tempdir().unwrap();
        let a = Tensor::new(&[[0.5f32, -1.0, 2.0], [1.5, 0.25, -0.5]], &dev).unwrap(); // [r=2, in=3]
        let b = Tensor::new(&[[1.0f32, 2.0], [-1.0, 0.5], [0.0, 3.0], [2.0, -2.0]], &dev).unwrap(); // [out=4, r=2]
        let file = tmp.path().join("adapter_model.safetensors");
        let mut map = HashMap::new();
        map.insert(
            "base_model.model.layer.q.lora_A.weight".to_string(),
            a.clone(),
        );
        map.insert(
            "base_model.model.layer.q.lora_B.weight".to_string(),
            b.clone(),
        );
        candle_core::safetensors::save(&map, &file).unwrap();
        let merge = LoraMerge {
            files: vec![file],
            scale: 2.0,
            pairs: HashMap::from([(
                "layer.q.weight".to_string(),
                (
                    "base_model.model.layer.q.lora_A.weight".to_string(),
                    "base_model.model.layer.q.lora_B.weight".to_string(),
                ),
            )]),
        };
        let loaded = LoadedLora::load(&merge).unwrap();
        let w = Tensor::ones((4, 3), DType::F32, &dev).unwrap();
        let merged = loaded
            .merge("layer.q.weight", w.clone(), DType::F32, &dev)
            .unwrap();
        let got: Vec<Vec<f32>> = merged.to_vec2().unwrap();
        let a: Vec<Vec<f32>> = a.to_vec2().unwrap();
        let b: Vec<Vec<f32>> = b.to_vec2().unwrap();
        for (i, row) in got.iter().enumerate() {
            for (j, v) in row.iter().enumerate() {
                let ba: f32 = (0..2).map(|k| b[i][k] * a[k][j]).sum();
                assert!(
                    (v - (1.0 + 2.0 * ba)).abs() < 1e-5,
                    "[{i},{j}] {v} vs {}",
                    1.0 + 2.0 * ba
                );
            }
        }
        // a weight the adapter does not touch is returned as it was
        let other = loaded
            .merge("layer.k.weight", w.clone(), DType::F32, &dev)
            .unwrap();
        assert_eq!(other.to_vec2::<f32>().unwrap(), w.to_vec2::<f32>().unwrap());
    }
}
