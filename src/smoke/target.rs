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
    /// The run itself failed.
    #[error(transparent)]
    Smoke(#[from] SmokeError),
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
