//! The checks before loading, from the Report alone: the architecture is
//! one candle runs, the checkpoint is not quantized, safetensors weights
//! (downloaded, not broken) and a `tokenizer.json` exist.

use super::error::SmokeError;
use super::files;
use super::model::Family;
use crate::model::config::Architecture;
use crate::scan::classify::FileClass;
use crate::scan::FileEntry;
use crate::Report;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

/// What the Report tells about the files a run needs.
pub(super) struct Inputs {
    /// The model family.
    pub(super) family: Family,
    /// config.json, parsed.
    pub(super) config: serde_json::Map<String, Value>,
    /// The counted shards, de-duplicated: index in the Report's shards, real path.
    pub(super) shards: Vec<(usize, PathBuf)>,
    /// tokenizer.json's real path.
    pub(super) tokenizer_json: PathBuf,
    /// tokenizer_config.json, when it is there and parses.
    pub(super) tokenizer_config: Option<Value>,
}

/// The real path of the file at `rel` under the model root, if the Report lists it.
pub(super) fn real_path(report: &Report, rel: &str) -> Option<PathBuf> {
    report
        .files
        .iter()
        .find(|f| f.path == rel)
        .map(|f| f.real_path.clone())
}

/// Why the Report has no architecture: no config.json, or one that is
/// empty, does not parse, or names no architecture.
fn no_architecture(report: &Report) -> SmokeError {
    match real_path(report, "config.json") {
        None => SmokeError::NoConfig,
        Some(path) => match files::read_config(&path) {
            Err(e) => e,
            Ok(_) => SmokeError::BadJson {
                path,
                why: "names no architecture (neither model_type nor architectures)".into(),
            },
        },
    }
}

/// The checks before loading, from the Report alone; what they found.
pub(super) fn preflight(report: &Report) -> Result<Inputs, SmokeError> {
    let arch = report
        .architecture
        .as_ref()
        .ok_or_else(|| no_architecture(report))?;
    let config_path = real_path(report, "config.json").ok_or(SmokeError::NoConfig)?;
    let family = family(arch)?;
    refuse_quantized(report, arch)?;
    let shards = counted_shards(report)?;
    refuse_broken(report, &shards)?;
    if shards.is_empty() {
        return Err(no_weights(report));
    }
    let tokenizer_json = tokenizer_json(report)?;
    let config = files::read_config(&config_path)?;
    let tokenizer_config = real_path(report, "tokenizer_config.json")
        .map(|p| files::read_json(&p))
        .transpose()
        .ok()
        .flatten();
    Ok(Inputs {
        family,
        config,
        shards,
        tokenizer_json,
        tokenizer_config,
    })
}

/// The family candle builds: by `model_type`, else (when there is none)
/// by the first of `architectures` it knows. A multimodal config with a
/// nested `text_config` is refused.
fn family(arch: &Architecture) -> Result<Family, SmokeError> {
    let model_type = arch.model_type.clone().unwrap_or_default();
    let family = Family::from_model_type(&model_type)
        .or_else(|| {
            if model_type.is_empty() {
                arch.architectures
                    .iter()
                    .find_map(|a| Family::from_architecture(a))
            } else {
                None
            }
        })
        .ok_or_else(|| {
            SmokeError::UnsupportedArchitecture(if model_type.is_empty() {
                arch.architectures.join(", ")
            } else {
                model_type.clone()
            })
        })?;
    if arch.nested_text_config {
        return Err(SmokeError::UnsupportedArchitecture(format!(
            "{model_type} (a multimodal config with a nested text_config)"
        )));
    }
    Ok(family)
}

/// Refuses a quantized checkpoint: one the weights analysis detected, or
/// one config.json's `quantization_config` declares.
fn refuse_quantized(report: &Report, arch: &Architecture) -> Result<(), SmokeError> {
    if let Some(q) = &report.weights.quantization {
        let scheme = q.detected.scheme.name();
        let what = match q.detected.bits {
            Some(b) => format!("{scheme}, {b} bits"),
            None => scheme,
        };
        return Err(SmokeError::Quantized(what));
    }
    if let Some(q) = &arch.quantization {
        return Err(SmokeError::Quantized(q.method.clone()));
    }
    Ok(())
}

/// The counted safetensors shards, de-duplicated by real path (candle has
/// no index reader; the Report already resolved the index): index in the
/// Report's shards and real path. A shard that is an LFS pointer or on the
/// Hub only is refused.
fn counted_shards(report: &Report) -> Result<Vec<(usize, PathBuf)>, SmokeError> {
    // Looked up by path and de-duplicated through sets: a scan of each list
    // per shard is quadratic (20,000 shards: seconds before the first check).
    let by_path: HashMap<&str, &FileEntry> =
        report.files.iter().map(|f| (f.path.as_str(), f)).collect();
    let mut seen_real = HashSet::new();
    let mut shards = Vec::new();
    for (i, shard) in report.weights.shards.iter().enumerate() {
        if !shard.counted {
            continue;
        }
        let Some(entry) = by_path.get(shard.path.as_str()) else {
            continue;
        };
        if entry.lfs_pointer.is_some() {
            return Err(SmokeError::WeightsNotDownloaded(shard.path.clone()));
        }
        if entry.remote_only {
            return Err(SmokeError::RemoteOnly {
                file: shard.path.clone(),
                repo: report
                    .target
                    .repo_id
                    .as_deref()
                    .map_or_else(|| "hf://ORG/NAME".to_string(), |r| format!("hf://{r}")),
            });
        }
        if seen_real.insert(entry.real_path.as_path()) {
            shards.push((i, entry.real_path.clone()));
        }
    }
    Ok(shards)
}

/// Refuses the run when a shard's header or data is broken: it would fail
/// or mislead the load.
fn refuse_broken(report: &Report, shards: &[(usize, PathBuf)]) -> Result<(), SmokeError> {
    let shard_paths: HashSet<&str> = shards
        .iter()
        .map(|(i, _)| report.weights.shards[*i].path.as_str())
        .collect();
    if let Some(f) = report.findings.iter().find(|f| {
        matches!(
            f.code,
            crate::finding::Code::WeightsHeaderInvalid | crate::finding::Code::WeightsTruncated
        ) && f
            .file
            .as_deref()
            .is_some_and(|file| shard_paths.contains(file))
    }) {
        return Err(SmokeError::BrokenWeights(format!(
            "{}: {}",
            f.file.as_deref().unwrap_or("?"),
            f.message
        )));
    }
    Ok(())
}

/// Why there are no safetensors weights to load: weights not downloaded
/// (an LFS pointer), only pickle files, or only other formats.
fn no_weights(report: &Report) -> SmokeError {
    let pointer = report
        .files
        .iter()
        .find(|f| f.class == FileClass::Weights && f.lfs_pointer.is_some());
    if let Some(p) = pointer {
        return SmokeError::WeightsNotDownloaded(p.path.clone());
    }
    let why = match report.weights.format.as_deref() {
        Some("pickle") => " (only pickle files, which mri never loads: they can run code)",
        Some(other) if other != "safetensors" => " (only other formats)",
        _ => "",
    };
    SmokeError::NoWeights(why.to_string())
}

/// tokenizer.json's real path; without it (or with only an LFS pointer),
/// an error naming the tokenizer files there are.
fn tokenizer_json(report: &Report) -> Result<PathBuf, SmokeError> {
    match report.files.iter().find(|f| f.path == "tokenizer.json") {
        Some(f) if f.lfs_pointer.is_none() => Ok(f.real_path.clone()),
        _ => {
            let others: Vec<&str> = report
                .files
                .iter()
                .filter(|f| f.class == FileClass::Tokenizer && !f.path.contains('/'))
                .map(|f| f.path.as_str())
                .collect();
            let found = if others.is_empty() {
                " (no tokenizer files at all)".to_string()
            } else {
                format!(
                    " (found {}; convert it with transformers' AutoTokenizer and save_pretrained)",
                    others.join(", ")
                )
            };
            Err(SmokeError::MissingTokenizer(found))
        }
    }
}
