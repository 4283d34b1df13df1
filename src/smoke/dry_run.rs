//! The dry run against the headers: the candle model is built against
//! every stored tensor's header (`backend::Checking`), and what it asks for
//! is checked for presence, shape and dtype before a byte is loaded.

use super::backend::{self, HeaderTensor, Log, Problem};
use super::error::{candle_message, SmokeError};
use super::model::{BuildError, Family};
use crate::Report;
use std::collections::HashMap;
use std::path::PathBuf;

/// Every tensor of the counted shards, by name.
pub(super) fn header_map(
    report: &Report,
    shards: &[(usize, PathBuf)],
) -> HashMap<String, HeaderTensor> {
    let mut map = HashMap::new();
    for (i, _) in shards {
        for t in &report.weights.shards[*i].tensors {
            map.insert(
                t.info.name.clone(),
                HeaderTensor {
                    dtype: t.info.dtype.clone(),
                    shape: t.info.shape.clone(),
                    bytes: t.info.data_offsets[1].saturating_sub(t.info.data_offsets[0]),
                },
            );
        }
    }
    map
}

/// The dry run's problems as one error: missing and misshapen tensors
/// first (the first [`backend::MAX_PROBLEMS`] listed, then how many more),
/// else unloadable dtypes.
pub(super) fn describe_problems(family: Family, log: &Log) -> Result<(), SmokeError> {
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
