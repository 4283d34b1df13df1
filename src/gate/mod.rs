//! The CI gate: `mri check` judges models against a policy file and renders
//! the outcome as text, JSON, SARIF 2.1.0 or JUnit XML.

pub mod evaluate;
pub mod jsonl;
pub mod junit;
pub mod policy;
pub mod sarif;
pub mod signature;
pub mod text;

pub use evaluate::{evaluate, InputError, ModelOutcome, RuleResult, LOCK_RULES, RULES};
pub use policy::{parse_policy, read_policy, Policy, PolicyError};
use serde::Serialize;

/// The targets of one `mri check`, each model once: the same folder given
/// twice or spelt two ways is checked once. Returns the targets to check and
/// a note for each one dropped.
pub fn distinct_targets(targets: &[String]) -> (Vec<String>, Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    let mut kept = Vec::with_capacity(targets.len());
    let mut notes = Vec::new();
    for t in targets {
        let key = std::fs::canonicalize(t).unwrap_or_else(|_| t.trim_end_matches('/').into());
        if seen.insert(key) {
            kept.push(t.clone());
        } else {
            notes.push(format!("`{t}` names a model given before; checked once"));
        }
    }
    (kept, notes)
}

/// `mri check`: inspects every target with the policy's clarifications in
/// the license decision, and judges each finished Report against the policy;
/// a target that cannot be inspected is an input error, the others are
/// still judged.
pub fn check(targets: &[String], policy: &Policy) -> GateOutcome {
    let options = crate::InspectOptions {
        clarify: policy.clarify.clone(),
        policy_dir: evaluate::policy_base(policy),
        ..Default::default()
    };
    let mut models = Vec::new();
    let mut errors = Vec::new();
    let reports = crate::inspect_many(targets, &options);
    for (target, result) in targets.iter().zip(reports) {
        match result {
            Ok(report) => models.push(evaluate(target, report, policy)),
            Err(e) => errors.push(InputError {
                input: target.clone(),
                message: e.to_string(),
            }),
        }
    }
    GateOutcome::new(policy, models, errors)
}

/// Targets inspected and judged together by [`check_lean`].
const LEAN_BATCH: usize = 32;

/// As [`check`], for many targets (`mri check --all`): they are inspected
/// and judged a batch at a time, and each judged model's Report is handed
/// to `lean` (such as [`keep_for_outputs`]), so that memory follows the
/// batch and the outcomes, not every model's Report.
pub fn check_lean(
    targets: &[String],
    policy: &Policy,
    lean: impl Fn(&mut crate::Report),
) -> GateOutcome {
    let options = crate::InspectOptions {
        clarify: policy.clarify.clone(),
        policy_dir: evaluate::policy_base(policy),
        ..Default::default()
    };
    let mut models = Vec::new();
    let mut errors = Vec::new();
    for batch in targets.chunks(LEAN_BATCH) {
        for (target, result) in batch.iter().zip(crate::inspect_many(batch, &options)) {
            match result {
                Ok(report) => {
                    let mut judged = evaluate(target, report, policy);
                    lean(&mut judged.report);
                    models.push(judged);
                }
                Err(e) => errors.push(InputError {
                    input: target.clone(),
                    message: e.to_string(),
                }),
            }
        }
    }
    GateOutcome::new(policy, models, errors)
}

/// Drops from a judged model's Report what the text, SARIF, JUnit and JSON
/// Lines outputs never read (tensors, the file list past its first entry,
/// findings: the judgement holds what they decided). Not for `--format json`,
/// which prints the Report.
pub fn keep_for_outputs(report: &mut crate::Report) {
    report.files.truncate(1);
    report.files.shrink_to_fit();
    report.weights = Default::default();
    report.findings = Vec::new();
}

/// The outcome of one `mri check` run.
#[derive(Debug, Clone, Serialize)]
pub struct GateOutcome {
    /// Version of this structure's JSON form (the Report's).
    pub schema_version: u32,
    /// The policy file, or `null` for the default policy.
    pub policy: Option<String>,
    /// True when every model passed and none was unusable.
    pub passed: bool,
    /// Each model judged.
    pub models: Vec<ModelOutcome>,
    /// Models that could not be inspected.
    pub errors: Vec<InputError>,
    /// The lock file the models were checked against (`--locked`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lock: Option<String>,
    /// Lock violations of no model checked: a model the lock holds that was
    /// not checked (`drift/unchecked`, at its line of the lock file).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lock_results: Vec<RuleResult>,
    /// The policy judges model signatures (`[signature]`).
    #[serde(skip)]
    pub signature_rules: bool,
}

impl GateOutcome {
    /// Builds the outcome from the judged models and the input errors.
    pub fn new(policy: &Policy, models: Vec<ModelOutcome>, errors: Vec<InputError>) -> Self {
        GateOutcome {
            schema_version: crate::report::SCHEMA_VERSION,
            policy: policy.path.as_ref().map(|p| p.display().to_string()),
            passed: errors.is_empty() && models.iter().all(|m| m.passed),
            models,
            errors,
            lock: None,
            lock_results: Vec::new(),
            signature_rules: policy.signature.is_some(),
        }
    }

    /// The rules every model is judged by: the policy's, and the lock's
    /// with `--locked` (`drift/unchecked` is the lock file's, in
    /// `lock_results`, not a model's).
    pub fn rules(&self) -> Vec<(&'static str, &'static str)> {
        let lock: &[(&str, &str)] = if self.lock.is_some() { LOCK_RULES } else { &[] };
        let signature: &[(&str, &str)] = if self.signature_rules {
            signature::SIGNATURE_RULES
        } else {
            &[]
        };
        RULES
            .iter()
            .chain(signature)
            .chain(lock.iter().filter(|(r, _)| *r != "drift/unchecked"))
            .copied()
            .collect()
    }

    /// Sets `passed` again from the models, the errors and the lock
    /// results (after violations were added).
    pub fn refresh(&mut self) {
        for m in &mut self.models {
            m.passed = m.results.iter().all(|r| r.passed || r.waived);
        }
        self.passed = self.errors.is_empty()
            && self.lock_results.is_empty()
            && self.models.iter().all(|m| m.passed);
    }

    /// 0 every model passes, 1 a policy violation (or drift from the lock),
    /// 2 an unusable input.
    pub fn exit_code(&self) -> u8 {
        if !self.errors.is_empty() {
            2
        } else if self.lock_results.is_empty() && self.models.iter().all(|m| m.passed) {
            0
        } else {
            1
        }
    }
}
