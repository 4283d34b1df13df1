//! The CI gate: `mri check` judges models against a policy file and renders
//! the outcome as text, JSON, SARIF 2.1.0 or JUnit XML.

pub mod evaluate;
pub mod junit;
pub mod policy;
pub mod sarif;
pub mod text;

pub use evaluate::{evaluate, InputError, ModelOutcome, RuleResult};
pub use policy::{parse_policy, read_policy, Policy, PolicyError};
use serde::Serialize;

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
        }
    }

    /// 0 every model passes, 1 a policy violation, 2 an unusable input.
    pub fn exit_code(&self) -> u8 {
        if !self.errors.is_empty() {
            2
        } else if self.models.iter().all(|m| m.passed) {
            0
        } else {
            1
        }
    }
}
