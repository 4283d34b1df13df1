//! The dry run against the headers: the candle model is built against
//! every stored tensor's header (`backend::Checking`), and what it asks for
//! is checked for presence, shape and dtype before a byte is loaded.

use super::backend::{self, Aliases, Checking, HeaderTensor, Log, Problem, Request};
use super::bounds;
use super::error::{candle_message, contain, SmokeError};
use super::model::{Build, BuildError, Family};
use super::preflight::Inputs;
use crate::Report;
use candle_core::{DType, Device};
use candle_nn::VarBuilder;
use serde_json::Value;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Mutex;

/// What the dry run learnt, for the memory estimate and the load.
pub(super) struct Checked {
    /// Every stored tensor of the counted shards, by name.
    pub(super) headers: HashMap<String, HeaderTensor>,
    /// Names candle asks for that are stored under another (tied embeddings).
    pub(super) aliases: Aliases,
    /// Every tensor the model asked for, in order.
    pub(super) requests: Vec<Request>,
}

/// Checks config.json's sizes against the stored tensors (`bounds.rs`),
/// then builds the model against the headers: every tensor candle asks
/// for is checked, and all problems are reported at once. `cpu`: the run
/// is on the CPU (the model built is the one the run will build).
pub(super) fn check(
    report: &Report,
    inputs: &Inputs,
    dtype: DType,
    positions: usize,
    cpu: bool,
) -> Result<Checked, SmokeError> {
    let family = inputs.family;
    let headers = header_map(report, &inputs.shards);
    let tied = inputs
        .config
        .get("tie_word_embeddings")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let aliases = backend::aliases(&headers, tied);
    let build = Build {
        config: &inputs.config,
        positions,
        headers: &headers,
        cpu,
    };
    bounds::check(family.name(), &inputs.config, &headers)?;
    let log = Mutex::new(Log::default());
    contain("checking the tensors against the config", || {
        let checking = Checking::new(&headers, &aliases, &log);
        let vb = VarBuilder::from_backend(Box::new(checking), dtype, Device::Cpu);
        family
            .build(&build, vb)
            .map(drop)
            .map_err(build_error(family, "checking the tensors"))
    })
    .or_else(|e| {
        // A failure after recorded problems is explained by them.
        describe_problems(family, &Checking::take(&log))?;
        Err(e)
    })?;
    let log = Checking::take(&log);
    describe_problems(family, &log)?;
    Ok(Checked {
        headers,
        aliases,
        requests: log.requests,
    })
}

impl Checked {
    /// A note naming (the first five of) the stored tensors the model never
    /// asked for, if there are any.
    pub(super) fn unused_note(&self, family: Family) -> Option<String> {
        let used: HashSet<&str> = self
            .requests
            .iter()
            .map(|r| {
                self.aliases
                    .get(&r.name)
                    .map(String::as_str)
                    .unwrap_or(&r.name)
            })
            .collect();
        let mut unused: Vec<&String> = self
            .headers
            .keys()
            .filter(|n| !used.contains(n.as_str()))
            .collect();
        unused.sort();
        if unused.is_empty() {
            return None;
        }
        Some(format!(
            "{} stored tensor(s) not used by candle's {}: {}{}",
            unused.len(),
            family.name(),
            unused
                .iter()
                .take(5)
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            if unused.len() > 5 { ", ..." } else { "" }
        ))
    }
}

/// Every tensor of the counted shards, by name, with where its bytes lie
/// (the shard's position in `shards`, the offset in the file: after the
/// 8-byte length and the JSON header).
fn header_map(report: &Report, shards: &[(usize, PathBuf)]) -> HashMap<String, HeaderTensor> {
    let mut map = HashMap::new();
    for (position, (i, _)) in shards.iter().enumerate() {
        let shard = &report.weights.shards[*i];
        let data_start = 8u64.saturating_add(shard.header_bytes);
        for t in &shard.tensors {
            map.insert(
                t.info.name.clone(),
                HeaderTensor {
                    dtype: t.info.dtype.clone(),
                    shape: t.info.shape.clone(),
                    bytes: t.info.data_offsets[1].saturating_sub(t.info.data_offsets[0]),
                    shard: position,
                    offset: data_start.saturating_add(t.info.data_offsets[0]),
                },
            );
        }
    }
    map
}

/// The dry run's problems as one error: missing and misshapen tensors
/// first (the first [`backend::MAX_PROBLEMS`] listed, then how many more),
/// else unloadable dtypes.
fn describe_problems(family: Family, log: &Log) -> Result<(), SmokeError> {
    let mut dtypes: Vec<&str> = Vec::new();
    let mut dtype_example = None;
    let mut dtype_count = log.dropped_dtype_problems;
    let mut lines = Vec::new();
    let mut count = log.dropped_tensor_problems;
    for r in &log.requests {
        match &r.problem {
            None => {}
            Some(Problem::Dtype(d)) => {
                dtype_count += 1;
                if !dtypes.contains(&d.as_str()) {
                    dtypes.push(d);
                }
                dtype_example.get_or_insert_with(|| r.name.clone());
            }
            Some(Problem::Missing) => {
                count += 1;
                if lines.len() < backend::MAX_PROBLEMS {
                    lines.push(format!("missing tensor {} (shape {:?})", r.name, r.shape));
                }
            }
            Some(Problem::Shape { stored }) => {
                count += 1;
                if lines.len() < backend::MAX_PROBLEMS {
                    lines.push(format!(
                        "tensor {} has shape {stored:?}, the config implies {:?}",
                        r.name, r.shape
                    ));
                }
            }
        }
    }
    if count > lines.len() {
        lines.push(format!("... and {} more", count - lines.len()));
    }
    if count > 0 {
        return Err(SmokeError::Tensors {
            family: family.name(),
            count,
            problems: lines,
        });
    }
    if dtype_count > 0 {
        return Err(SmokeError::UnsupportedDtype {
            count: dtype_count,
            dtypes: dtypes.join(", "),
            example: dtype_example.unwrap_or_default(),
        });
    }
    Ok(())
}

/// Maps a model-building error to [`SmokeError`]: a config problem, or
/// candle failing at `stage`.
pub(super) fn build_error(
    family: Family,
    stage: &'static str,
) -> impl Fn(BuildError) -> SmokeError {
    move |e| match e {
        BuildError::Config(message) => SmokeError::Config {
            family: family.name(),
            message,
        },
        BuildError::Candle(e) => SmokeError::Candle {
            stage,
            message: candle_message(&e),
        },
    }
}
