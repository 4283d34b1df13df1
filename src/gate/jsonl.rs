//! The gate outcome as JSON Lines: one self-contained object per model
//! (its judgement without the Report) and per unusable input, so the
//! outputs of `mri check --all --shard K/N` jobs concatenate.

use super::{GateOutcome, RuleResult};
use crate::license::Verdict;
use serde::Serialize;

/// One line.
#[derive(Serialize)]
struct Line<'a> {
    input: &'a str,
    passed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    verdict: Option<Verdict>,
    #[serde(skip_serializing_if = "Option::is_none")]
    exception: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    warnings: &'a [String],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    violations: Vec<&'a RuleResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    policy: Option<&'a str>,
}

/// Renders one line per model judged, then one per unusable input.
pub fn render(o: &GateOutcome) -> String {
    let policy = o.policy.as_deref();
    let models = o.models.iter().map(|m| Line {
        input: &m.input,
        passed: m.passed,
        verdict: Some(m.verdict),
        exception: m.exception.as_deref(),
        warnings: &m.warnings,
        violations: m.results.iter().filter(|r| !r.passed).collect(),
        error: None,
        policy,
    });
    let errors = o.errors.iter().map(|e| Line {
        input: &e.input,
        passed: false,
        verdict: None,
        exception: None,
        warnings: &[],
        violations: Vec::new(),
        error: Some(&e.message),
        policy,
    });
    let mut out = String::new();
    for line in models.chain(errors) {
        if let Ok(s) = serde_json::to_string(&line) {
            out.push_str(&s);
            out.push('\n');
        }
    }
    out
}
