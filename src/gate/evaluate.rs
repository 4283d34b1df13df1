//! The gate: a Report judged against a policy, rule by rule.

use super::policy::{canonical_license, Policy, Selector};
use crate::finding::Severity;
use crate::license::{LicenseReport, Verdict};
use crate::report::Report;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The policy rules, one JUnit test case each.
pub const RULES: &[(&str, &str)] = &[
    ("license/verdict", "The commercial-use verdict is one the policy allows (`allow-verdicts`, or every license in `allow`); a verdict read from the clauses of an unknown text passes only with `accept-derived = true`."),
    ("license/deny", "No license the model is under is in the policy's `deny` list."),
    ("license/obligations", "Every obligation the license imposes is one the policy accepts (`accept-obligations`)."),
    ("license/confidence", "Every license text was recognised with at least the policy's `confidence-threshold`."),
    ("findings/deny", "No finding is denied by the policy's `[findings] deny` (codes or severities) unless `allow`ed."),
    ("data/verdict", "Every training set the model declares has a verdict the policy's `[data] allow-verdicts` allows (no `[data]`: reported, never judged)."),
    ("data/deny", "No training set the model declares is in the policy's `[data] deny` list."),
];

/// The lock rules of `mri check --locked`, one JUnit test case each.
pub const LOCK_RULES: &[(&str, &str)] = &[
    ("drift/license", "Every license text and the card's front matter and license section are as locked (a change shows the diff of its lines)."),
    ("drift/verdict", "The verdict, the licenses found and the obligations are as locked."),
    ("drift/weights", "Every weight file is as locked: none changed, appeared or vanished."),
    ("drift/config", "config.json, the tokenizer files and the chat template are as locked."),
    ("drift/files", "Every other file (code, data) is as locked."),
    ("drift/revision", "The resolved commit is the one locked."),
    ("drift/unlocked", "The model checked is in the lock file."),
    ("drift/unchecked", "Every model in the lock file was checked."),
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

impl RuleResult {
    /// One check of `rule` (its own SARIF id): passed, or an error-level
    /// violation, at `file`:`line` and the policy line that asked for it.
    pub fn checked(
        rule: &str,
        passed: bool,
        message: String,
        (file, line): (Option<String>, Option<u32>),
        policy_line: Option<u32>,
    ) -> RuleResult {
        RuleResult {
            rule: rule.into(),
            rule_id: rule.into(),
            passed,
            waived: false,
            level: if passed { "none" } else { "error" }.into(),
            message,
            file,
            line,
            policy_line,
        }
    }
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
///
/// With a `[signature]` section, the folder's `model.sig` is first checked
/// with the policy's keys or certificates (`gate::signature`), the one read
/// the gate makes.
pub fn evaluate(input: &str, mut report: Report, policy: &Policy) -> ModelOutcome {
    super::signature::check_with_policy(&mut report, policy);
    let warnings = report
        .license
        .as_ref()
        .map(|l| l.clarification_warnings())
        .unwrap_or_default();
    let no_license = LicenseReport::default();
    let license = report.license.as_ref().unwrap_or(&no_license);
    let mut results: Vec<RuleResult> = Vec::new();
    results.extend(verdict_rule(license, policy));
    results.extend(deny_rule(license, policy));
    results.extend(obligations_rule(license, policy));
    results.extend(confidence_rule(license, policy));
    results.extend(findings_rule(&report, policy));
    results.extend(data_rules(&report, policy));
    results.extend(super::signature::rules(&report, policy));

    let base = policy_base(policy);
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
    add_passing_rules(&mut results, policy);
    let verdict = license.verdict;
    ModelOutcome {
        input: input.to_string(),
        passed,
        verdict,
        exception: exception.map(|e| format!("{} (policy line {})", e.reason, e.line)),
        warnings,
        results,
        report,
    }
}

/// `license/verdict`: the verdict is one the policy allows, or every license
/// found is in `allow` — and then only when those licenses are what decided
/// the verdict: a cap with no license of its own (an unknown base model, a
/// license file cut short, an unknown card id) is never waived by `allow`.
fn verdict_rule(license: &LicenseReport, policy: &Policy) -> Option<RuleResult> {
    let verdict = license.verdict;
    // Policy ids and detections compared in one spelling.
    let allowed_ids: Vec<String> = policy
        .allow
        .value
        .iter()
        .map(|s| canonical_license(s))
        .collect();
    let explained = license
        .detected
        .iter()
        .map(|d| d.verdict)
        .reduce(Verdict::stricter)
        == Some(verdict);
    let all_allowed = explained
        && !allowed_ids.is_empty()
        && license
            .detected
            .iter()
            .all(|d| allowed_ids.contains(&canonical_license(&d.id)));
    if policy.allow_verdicts.value.contains(&verdict) || all_allowed {
        return derived_rule(license, policy);
    }
    let decisive = license.detected.iter().find(|d| d.verdict == verdict);
    let allowed = policy
        .allow_verdicts
        .value
        .iter()
        .map(|v| v.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let decided = decisive
        .map(|d| format!("; decided by {} ({})", d.id, d.source))
        .unwrap_or_default();
    Some(violation(
        "license/verdict",
        "license/verdict",
        "error",
        format!("verdict {verdict} is not allowed (allow-verdicts: {allowed}){decided}"),
        decisive.and_then(|d| d.file.clone()),
        decisive.and_then(|d| d.line),
        policy.allow_verdicts.line,
    ))
}

/// `license/verdict` for a verdict the policy allows but that mri read from
/// the clauses of a text it does not know: it passes only when the policy
/// says `accept-derived = true`.
fn derived_rule(license: &LicenseReport, policy: &Policy) -> Option<RuleResult> {
    if policy.accept_derived.value {
        return None;
    }
    let derived = license
        .detected
        .iter()
        .find(|d| d.source == "clauses" && d.clarified_by.is_none())?;
    let file = derived.file.as_deref().unwrap_or("?");
    Some(violation(
        "license/verdict",
        "license/verdict",
        "error",
        format!(
            "verdict {} was read from the clauses of {file}, not a known license text: review the text, then pin it with [[licenses.clarify]] (or set accept-derived = true)",
            license.verdict
        ),
        derived.file.clone(),
        derived.line,
        policy.accept_derived.line,
    ))
}

/// `license/deny`: no license found is in the policy's `deny` list (an alias
/// denies its license).
fn deny_rule(license: &LicenseReport, policy: &Policy) -> Vec<RuleResult> {
    let denied: Vec<String> = policy
        .deny
        .value
        .iter()
        .map(|s| canonical_license(s))
        .collect();
    license
        .detected
        .iter()
        .filter(|d| denied.contains(&canonical_license(&d.id)))
        .map(|d| {
            violation(
                "license/deny",
                "license/deny",
                "error",
                format!("{} ({}) is denied by the policy", d.id, d.source),
                d.file.clone(),
                d.line,
                policy.deny.line,
            )
        })
        .collect()
}

/// `license/obligations`: every obligation is of a kind the policy accepts
/// (one violation per kind and license).
fn obligations_rule(license: &LicenseReport, policy: &Policy) -> Vec<RuleResult> {
    let Some(accept) = &policy.accept_obligations else {
        return Vec::new();
    };
    let mut seen = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    for o in &license.obligations {
        if accept.value.contains(&o.kind) || !seen.insert((o.kind, o.license.clone())) {
            continue;
        }
        let value = if o.value.is_empty() {
            String::new()
        } else {
            format!(" [{}]", o.value)
        };
        out.push(violation(
            "license/obligations",
            "license/obligations",
            "error",
            format!(
                "{} obligation of {}{value} is not accepted: {}",
                o.kind, o.license, o.summary
            ),
            o.file.clone(),
            o.line_start,
            accept.line,
        ));
    }
    out
}

/// `license/confidence`: every license text was recognised at least as
/// surely as the policy asks (a clarified file needs no confidence).
fn confidence_rule(license: &LicenseReport, policy: &Policy) -> Vec<RuleResult> {
    let threshold = policy.confidence_threshold.value;
    license
        .detected
        .iter()
        .filter(|d| {
            d.source == "file"
                && d.id != "unrecognised"
                && d.confidence < threshold
                && d.clarified_by.is_none()
        })
        .map(|d| {
            violation(
                "license/confidence",
                "license/confidence",
                "warning",
                format!(
                    "{} recognised as {} with confidence {:.2}, below the policy's {threshold:.2}; pin it with [[licenses.clarify]]",
                    d.file.as_deref().unwrap_or("?"),
                    d.id,
                    d.confidence,
                ),
                d.file.clone(),
                None,
                policy.confidence_threshold.line,
            )
        })
        .collect()
}

/// `findings/deny`: no finding is denied by code or severity unless allowed.
fn findings_rule(report: &Report, policy: &Policy) -> Vec<RuleResult> {
    report
        .findings
        .iter()
        .filter(|f| {
            !policy.allow_findings.value.iter().any(|s| match s {
                Selector::Code(c) => *c == f.code,
                // a severity and those below it
                Selector::Severity(sev) => f.severity >= *sev,
            })
        })
        .filter(|f| {
            policy.deny_findings.value.iter().any(|s| match s {
                Selector::Code(c) => *c == f.code,
                Selector::Severity(sev) => f.severity <= *sev,
            })
        })
        .map(|f| {
            let level = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "note",
            };
            violation(
                "findings/deny",
                f.code.as_str(),
                level,
                f.message.clone(),
                f.file.clone(),
                f.line,
                policy.deny_findings.line,
            )
        })
        .collect()
}

/// `data/verdict` and `data/deny`: each declared training set judged by the
/// policy's `[data]` section; a `[[data.exceptions]]` entry naming the
/// dataset (and the model, when it names one) waives it, its reason shown.
fn data_rules(report: &Report, policy: &Policy) -> Vec<RuleResult> {
    use crate::license::datasets::same_dataset;
    let data = &policy.data;
    let base = policy_base(policy);
    let mut out = Vec::new();
    for d in &report.training_data.datasets {
        let name = match &d.config {
            Some(c) => format!("{}:{c}", d.id),
            None => d.id.clone(),
        };
        let license = d.license.as_deref().unwrap_or("unknown terms");
        // A base model's dataset is declared in a file of another model.
        let (file, line) = if d.via == "base" {
            (None, None)
        } else {
            (Some(d.file.clone()), d.line)
        };
        let mut found = Vec::new();
        if let Some(allow) = &data.allow_verdicts {
            if !allow.value.contains(&d.verdict) {
                let allowed: Vec<&str> = allow.value.iter().map(|v| v.as_str()).collect();
                found.push(violation(
                    "data/verdict",
                    "data/verdict",
                    "error",
                    format!(
                        "training set `{name}` ({license}, terms from {}) has verdict {}, not allowed by [data] allow-verdicts ({})",
                        d.terms_source,
                        d.verdict,
                        allowed.join(", ")
                    ),
                    file.clone(),
                    line,
                    allow.line,
                ));
            }
        }
        if data.deny.value.iter().any(|id| same_dataset(id, &d.id)) {
            found.push(violation(
                "data/deny",
                "data/deny",
                "error",
                format!("training set `{name}` is denied by the policy's [data] deny"),
                file.clone(),
                line,
                data.deny.line,
            ));
        }
        let exception = data.exceptions.iter().find(|e| {
            same_dataset(&e.dataset, &d.id)
                && e.model
                    .as_deref()
                    .is_none_or(|m| report.target.is_named_by(m, &base))
        });
        if let Some(e) = exception {
            for r in found.iter_mut() {
                r.waived = true;
                r.message
                    .push_str(&format!("; waived: {} (policy line {})", e.reason, e.line));
            }
        }
        out.extend(found);
    }
    out
}

/// A passing result for every rule without violations (JUnit test cases).
fn add_passing_rules(results: &mut Vec<RuleResult>, policy: &Policy) {
    let signature: &[(&str, &str)] = if policy.signature.is_some() {
        super::signature::SIGNATURE_RULES
    } else {
        &[]
    };
    for (rule, description) in RULES.iter().chain(signature) {
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
}
