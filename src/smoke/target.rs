//! `mri smoke` on what the user named: a model runs as it is; a LoRA adapter
//! runs on its base twice, without and then with the adapter merged as the
//! weights load, so the report shows what the adapter changes. Shared by the
//! CLI and the TUI's Smoke view.

use super::{lora::LoraMerge, run, SmokeError, SmokeOptions, SmokeRun};
use crate::report::Report;
use thiserror::Error;

/// Why a target could not be smoke-tested (beyond the run's own errors).
#[derive(Debug, Error)]
pub enum TargetError {
    /// The base model could not be inspected.
    #[error(transparent)]
    Inspect(#[from] crate::Error),
    /// An adapter without a base model to run on.
    #[error(
        "{0} is an adapter: give its base model with --base (a directory or a cached repo id)"
    )]
    NoBase(String),
    /// An adapter kind that is not merged (DoRA, IA3, prompt tuning...).
    #[error("{target} is a {kind} adapter; mri smoke merges plain LoRA adapters only")]
    NotLora {
        /// What was named.
        target: String,
        /// Its PEFT type.
        kind: String,
    },
    /// More tensors than a run hands to candle, which parses every header
    /// again into maps of its own (about 700 bytes a tensor).
    #[error("{target} holds {tensors} tensors, over the {limit} mri smoke loads (candle would hold every header in memory again); inspect it with `mri inspect`")]
    TooManyTensors {
        /// What was named.
        target: String,
        /// Its tensors.
        tensors: u64,
        /// The limit.
        limit: u64,
    },
    /// The headers were not all read (`weights/header-budget`): the model
    /// cannot be checked before loading.
    #[error("{target}: {why}; mri smoke does not load a model whose headers were not all read")]
    HeadersNotRead {
        /// What was named.
        target: String,
        /// The finding's message.
        why: String,
    },
    /// The run itself failed.
    #[error(transparent)]
    Smoke(#[from] SmokeError),
}

/// Most tensors a run hands to candle (`MRI_SMOKE_MAX_TENSORS` lowers it,
/// never raises it): the largest real checkpoints hold about 100,000.
pub const MAX_TENSORS: u64 = 500_000;

/// The tensor limit in force.
fn max_tensors() -> u64 {
    std::env::var("MRI_SMOKE_MAX_TENSORS")
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(MAX_TENSORS, |v| v.min(MAX_TENSORS))
}

/// Refuses a model whose headers candle would hold in memory beyond the
/// limit, or whose headers mri did not all read.
fn check_size(report: &Report) -> Result<(), TargetError> {
    let target = report.target.input.clone();
    if let Some(f) = report
        .findings
        .iter()
        .find(|f| f.code == crate::finding::Code::WeightsHeaderBudget)
    {
        return Err(TargetError::HeadersNotRead {
            target,
            why: f.message.clone(),
        });
    }
    let tensors: u64 = report.weights.shards.iter().map(|s| s.tensor_count).sum();
    let limit = max_tensors();
    if tensors > limit {
        return Err(TargetError::TooManyTensors {
            target,
            tensors,
            limit,
        });
    }
    Ok(())
}

/// The Report the run belongs to (the target's, also for an adapter) and
/// the run.
pub struct TargetRun {
    /// The target's Report.
    pub report: Report,
    /// The run (for an adapter, merged; its `summary.without_adapter` is the
    /// base's run without it).
    pub run: SmokeRun,
}

/// Runs the smoke test on the model `target` reports. An adapter runs on
/// `base` (else the base its config names, when it was found in the cache),
/// inspected with `options`.
pub fn run_target(
    target: Report,
    base: Option<&str>,
    inspect: &crate::InspectOptions,
    options: &SmokeOptions,
) -> Result<TargetRun, TargetError> {
    check_size(&target)?;
    let Some(adapter) = &target.adapter else {
        let run = run(&target, options)?;
        return Ok(TargetRun {
            report: target,
            run,
        });
    };
    let name = target.target.input.clone();
    let base = base
        .map(str::to_string)
        .or_else(|| adapter.base_checked.clone())
        .ok_or_else(|| TargetError::NoBase(name.clone()))?;
    let merge = LoraMerge::from_report(&target).ok_or_else(|| TargetError::NotLora {
        target: name,
        kind: format!(
            "{}{}",
            adapter.peft_type,
            if adapter.use_dora { " (DoRA)" } else { "" }
        ),
    })?;
    let base_options = crate::InspectOptions {
        revision: None,
        clarify: Vec::new(),
        ..inspect.clone()
    };
    let base_report = crate::inspect(&base, &base_options)?;
    check_size(&base_report)?;
    let without = run(&base_report, options)?;
    let merged_options = SmokeOptions {
        lora: Some(merge),
        scan_weights: false,
        ..options.clone()
    };
    let mut merged = run(&base_report, &merged_options)?;
    merged.summary.without_adapter = Some(Box::new(without.summary));
    Ok(TargetRun {
        report: target,
        run: merged,
    })
}
