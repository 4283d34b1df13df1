//! The gate: a Report judged against a policy, rule by rule.

use super::policy::{canonical_license, Policy, Selector};
use crate::license::Verdict;
use crate::report::finding::Severity;
use crate::report::Report;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The policy rules, one JUnit test case each.
pub const RULES: &[(&str, &str)] = &[
    ("license/verdict", "The commercial-use verdict is one the policy allows (`allow-verdicts`, or every license in `allow`)."),
    ("license/deny", "No license the model is under is in the policy's `deny` list."),
    ("license/obligations", "Every obligation the license imposes is one the policy accepts (`accept-obligations`)."),
    ("license/confidence", "Every license text was recognised with at least the policy's `confidence-threshold`."),
    ("findings/deny", "No finding is denied by the policy's `[findings] deny` (codes or severities) unless `allow`ed."),
];

/// One check of one rule: passed, or a violation with where it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleResult {
    /// The policy rule (a JUnit test case).
    pub rule: String,
    /// The SARIF rule id: the rule, or for denied findings the finding code.
    pub rule_id: String,
    /// False for a violation.
    pub passed: bool,
    /// True when an exception lets the violation through.
    pub waived: bool,
    /// SARIF level: `error`, `warning` or `note`.
    pub level: String,
    /// What was checked and what was found.
    pub message: String,
    /// The model file it points at, relative to the model root.
    pub file: Option<String>,
    /// The line in that file.
    pub line: Option<u32>,
    /// The policy line that decided.
    pub policy_line: Option<u32>,
}

/// A model that could not be inspected at all.
#[derive(Debug, Clone, Serialize)]
pub struct InputError {
    /// What was typed.
    pub input: String,
    /// Why it is unusable.
    pub message: String,
}

/// One model judged.
#[derive(Debug, Clone, Serialize)]
pub struct ModelOutcome {
    /// What was typed for it.
    pub input: String,
    /// True when no unwaived violation remains.
    pub passed: bool,
    /// The verdict after clarifications.
    pub verdict: Verdict,
    /// The exception's reason, when one applied.
    pub exception: Option<String>,
    /// Notes such as a clarification ignored because its file changed.
    pub warnings: Vec<String>,
    /// Every check made, violations first.
    pub results: Vec<RuleResult>,
    /// The model's full Report.
    pub report: Report,
}

/// The folder relative paths in `policy` are resolved from: the policy
/// file's own folder, or the working folder for the built-in policy.
pub fn policy_base(policy: &Policy) -> PathBuf {
    match policy.path.as_deref().and_then(Path::parent) {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn violation(
    rule: &str,
    rule_id: &str,
    level: &str,
    message: String,
    file: Option<String>,
    line: Option<u32>,
    policy_line: u32,
) -> RuleResult {
    RuleResult {
        rule: rule.into(),
        rule_id: rule_id.into(),
        passed: false,
        waived: false,
        level: level.into(),
        message,
        file,
        line,
        policy_line: (policy_line > 0).then_some(policy_line),
    }
}

/// Judges one model's finished report against the policy. The report's
/// license decision already holds the policy's clarifications (inspect it
/// with `InspectOptions::clarify`); the gate never changes a verdict.
pub fn evaluate(input: &str, report: Report, policy: &Policy) -> ModelOutcome {
    let mut results: Vec<RuleResult> = Vec::new();
    let base = policy_base(policy);
    let warnings = report
        .license
        .as_ref()
        .map(|l| l.clarification_warnings())
        .unwrap_or_default();

    let license = report.license.clone().unwrap_or_default();
    let verdict = license.verdict;
    let decisive = license.detected.iter().find(|d| d.verdict == verdict);
    // Policy ids and detections compared in one spelling (an alias in
    // `deny` denies its license).
    let allowed_ids: Vec<String> = policy
        .allow
        .value
        .iter()
        .map(|s| canonical_license(s))
        .collect();
    let all_allowed = !license.detected.is_empty()
        && !allowed_ids.is_empty()
        && license
            .detected
            .iter()
            .all(|d| allowed_ids.contains(&canonical_license(&d.id)));
    if !policy.allow_verdicts.value.contains(&verdict) && !all_allowed {
        results.push(violation(
            "license/verdict",
            "license/verdict",
            "error",
            format!(
                "verdict {verdict} is not allowed (allow-verdicts: {}){}",
                policy
                    .allow_verdicts
                    .value
                    .iter()
                    .map(|v| v.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                decisive
                    .map(|d| format!("; decided by {} ({})", d.id, d.source))
                    .unwrap_or_default()
            ),
            decisive.and_then(|d| d.file.clone()),
            decisive.and_then(|d| d.line),
            policy.allow_verdicts.line,
        ));
    }
    let denied: Vec<String> = policy
        .deny
        .value
        .iter()
        .map(|s| canonical_license(s))
        .collect();
    for d in &license.detected {
        if denied.contains(&canonical_license(&d.id)) {
            results.push(violation(
                "license/deny",
                "license/deny",
                "error",
                format!("{} ({}) is denied by the policy", d.id, d.source),
                d.file.clone(),
                d.line,
                policy.deny.line,
            ));
        }
    }
    if let Some(accept) = &policy.accept_obligations {
        let mut seen = std::collections::BTreeSet::new();
        for o in &license.obligations {
            if accept.value.contains(&o.kind) || !seen.insert((o.kind, o.license.clone())) {
                continue;
            }
            results.push(violation(
                "license/obligations",
                "license/obligations",
                "error",
                format!(
                    "{} obligation of {}{} is not accepted: {}",
                    o.kind,
                    o.license,
                    if o.value.is_empty() {
                        String::new()
                    } else {
                        format!(" [{}]", o.value)
                    },
                    o.summary
                ),
                o.file.clone(),
                o.line_start,
                accept.line,
            ));
        }
    }
    for d in &license.detected {
        if d.source == "file"
            && d.id != "unrecognised"
            && d.confidence < policy.confidence_threshold.value
            && d.clarified_by.is_none()
        {
            results.push(violation(
                "license/confidence",
                "license/confidence",
                "warning",
                format!(
                    "{} recognised as {} with confidence {:.2}, below the policy's {:.2}; pin it with [[licenses.clarify]]",
                    d.file.as_deref().unwrap_or("?"),
                    d.id,
                    d.confidence,
                    policy.confidence_threshold.value
                ),
                d.file.clone(),
                None,
                policy.confidence_threshold.line,
            ));
        }
    }
    for f in &report.findings {
        if policy.allow_findings.value.contains(&f.code) {
            continue;
        }
        let denied = policy.deny_findings.value.iter().any(|s| match s {
            Selector::Code(c) => *c == f.code,
            Selector::Severity(sev) => f.severity <= *sev,
        });
        if denied {
            results.push(violation(
                "findings/deny",
                f.code.as_str(),
                match f.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    Severity::Info => "note",
                },
                f.message.clone(),
                f.file.clone(),
                f.line,
                policy.deny_findings.line,
            ));
        }
    }

    let exception = policy
        .exceptions
        .iter()
        .find(|e| report.target.is_named_by(&e.model, &base));
    if let Some(e) = exception {
        for r in results.iter_mut() {
            if e.allow.is_empty() || e.allow.iter().any(|a| a == &r.rule || a == &r.rule_id) {
                r.waived = true;
            }
        }
    }
    let passed = results.iter().all(|r| r.passed || r.waived);
    // a passing result for every rule without violations (JUnit test cases)
    for (rule, description) in RULES {
        if !results.iter().any(|r| r.rule == *rule) {
            results.push(RuleResult {
                rule: (*rule).into(),
                rule_id: (*rule).into(),
                passed: true,
                waived: false,
                level: "none".into(),
                message: (*description).into(),
                file: None,
                line: None,
                policy_line: None,
            });
        }
    }
    ModelOutcome {
        input: input.to_string(),
        passed,
        verdict: report
            .license
            .as_ref()
            .map_or(Verdict::Unknown, |l| l.verdict),
        exception: exception.map(|e| format!("{} (policy line {})", e.reason, e.line)),
        warnings,
        results,
        report,
    }
}
