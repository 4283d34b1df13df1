//! The gate outcome for people.

use super::GateOutcome;
use std::fmt::Write;

/// Renders the outcome as text; `color` adds ANSI styles. Control
/// characters in model-supplied strings are shown escaped (see
/// [`crate::util::term::safe`]).
pub fn render(o: &GateOutcome, color: bool) -> String {
    crate::util::term::safe(&render_styled(o, color))
}

fn render_styled(o: &GateOutcome, color: bool) -> String {
    let paint = |code: &str, s: &str| crate::util::term::paint(color, code, s);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "policy: {}",
        o.policy
            .as_deref()
            .unwrap_or("built-in default (commercial use allowed, error findings fail)")
    );
    for m in &o.models {
        let status = if m.passed {
            paint("1;32", "PASS")
        } else {
            paint("1;31", "FAIL")
        };
        let _ = writeln!(out, "\n{status}  {}  verdict {}", m.input, m.verdict);
        if let Some(reason) = &m.exception {
            let _ = writeln!(out, "  exception: {reason}");
        }
        for w in &m.warnings {
            let _ = writeln!(out, "  {} {w}", paint("33", "warning:"));
        }
        for r in m.results.iter().filter(|r| !r.passed) {
            let mark = if r.waived { "waived" } else { "✗" };
            let place = match (&r.file, r.line) {
                (Some(f), Some(l)) => format!("{f}:{l}  "),
                (Some(f), None) => format!("{f}  "),
                _ => String::new(),
            };
            let policy = r
                .policy_line
                .map(|l| format!("  (policy line {l})"))
                .unwrap_or_default();
            let id = if r.rule_id != r.rule {
                format!("{} {}", r.rule, r.rule_id)
            } else {
                r.rule.clone()
            };
            // A drift's diff: its lines indented under the violation.
            let message = r.message.replace('\n', "\n         ");
            let _ = writeln!(out, "  {mark:<6} {id}  {place}{message}{policy}");
        }
        let passed_rules: Vec<&str> = m
            .results
            .iter()
            .filter(|r| r.passed)
            .map(|r| r.rule.as_str())
            .collect();
        if !passed_rules.is_empty() {
            let _ = writeln!(out, "  ✓      {}", passed_rules.join(", "));
        }
    }
    if let (Some(lock), false) = (&o.lock, o.lock_results.is_empty()) {
        let _ = writeln!(out, "\n{}  {lock}", paint("1;31", "FAIL"));
        for r in &o.lock_results {
            let line = r.line.map(|l| format!("{lock}:{l}  ")).unwrap_or_default();
            let _ = writeln!(out, "  ✗      {}  {line}{}", r.rule, r.message);
        }
    }
    for e in &o.errors {
        let _ = writeln!(
            out,
            "\n{}  {}  {}",
            paint("1;31", "ERROR"),
            e.input,
            e.message
        );
    }
    let _ = writeln!(out, "\n{}", summary_line(o));
    out
}

/// The outcome in one line: `3 models: 2 passed, 1 failed[, 1 unusable]`
/// (the last line of the text form, and what `mri check -o FILE` prints).
pub fn summary_line(o: &GateOutcome) -> String {
    let passed = o.models.iter().filter(|m| m.passed).count();
    let all = o.models.len() + o.errors.len();
    let unchecked = if o.lock_results.is_empty() {
        String::new()
    } else {
        format!(", {} locked but not checked", o.lock_results.len())
    };
    format!(
        "{all} model{}: {passed} passed, {} failed{}{unchecked}",
        if all == 1 { "" } else { "s" },
        o.models.len() - passed,
        if o.errors.is_empty() {
            String::new()
        } else {
            format!(", {} unusable", o.errors.len())
        }
    )
}
