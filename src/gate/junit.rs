//! JUnit XML: one test suite per model, one test case per policy rule,
//! violations as failures with their messages.

use super::{GateOutcome, ModelOutcome};
use std::fmt::Write;

/// Escapes text for an XML 1.0 attribute or element. Characters XML 1.0
/// forbids (controls other than tab, newline and carriage return, U+FFFE,
/// U+FFFF) cannot be written even as references: each becomes U+FFFD.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Renders the outcome as JUnit XML.
pub fn render(o: &GateOutcome) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let rules = o.rules();
    let total_cases = o.models.len() * rules.len() + o.errors.len() + o.lock_results.len();
    let failed_cases: usize = o
        .models
        .iter()
        .map(|m| failed_rules(m, &rules))
        .sum::<usize>()
        + o.lock_results.len();
    let _ = writeln!(
        out,
        "<testsuites name=\"mri check\" tests=\"{total_cases}\" failures=\"{failed_cases}\" errors=\"{}\">",
        o.errors.len()
    );
    for m in &o.models {
        model_suite(&mut out, m, &rules);
    }
    lock_suite(&mut out, o);
    for e in &o.errors {
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"1\" failures=\"0\" errors=\"1\">",
            esc(&e.input)
        );
        let _ = writeln!(
            out,
            "    <testcase classname=\"mri.{}\" name=\"inspect\">",
            esc(&e.input)
        );
        let _ = writeln!(out, "      <error message=\"{}\"/>", esc(&e.message));
        let _ = writeln!(out, "    </testcase>\n  </testsuite>");
    }
    out.push_str("</testsuites>\n");
    out
}

/// The models a lock holds that were not checked: a test suite named after
/// the lock file, a failing case per model.
fn lock_suite(out: &mut String, o: &GateOutcome) {
    let (Some(lock), false) = (&o.lock, o.lock_results.is_empty()) else {
        return;
    };
    let n = o.lock_results.len();
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{n}\" failures=\"{n}\" errors=\"0\" skipped=\"0\">",
        esc(lock)
    );
    for r in &o.lock_results {
        let _ = writeln!(
            out,
            "    <testcase classname=\"mri.{}\" name=\"{}\">\n      <failure type=\"{}\" message=\"{}\">{}:{}: {}</failure>\n    </testcase>",
            esc(lock),
            esc(&r.rule),
            esc(&r.rule),
            esc(&r.message),
            esc(lock),
            r.line.unwrap_or(1),
            esc(&r.message)
        );
    }
    let _ = writeln!(out, "  </testsuite>");
}

/// The rules a model violates (a waived violation passes).
fn failed_rules(m: &ModelOutcome, rules: &[(&str, &str)]) -> usize {
    rules
        .iter()
        .filter(|(rule, _)| {
            m.results
                .iter()
                .any(|r| r.rule == *rule && !r.passed && !r.waived)
        })
        .count()
}

/// One model's test suite: its verdict, exception and warnings as
/// properties, then a test case per policy rule.
fn model_suite(out: &mut String, m: &ModelOutcome, rules: &[(&str, &str)]) {
    let failures = failed_rules(m, rules);
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">",
        esc(&m.input),
        rules.len()
    );
    let _ = writeln!(out, "    <properties>");
    let _ = writeln!(
        out,
        "      <property name=\"verdict\" value=\"{}\"/>",
        m.verdict
    );
    if let Some(reason) = &m.exception {
        let _ = writeln!(
            out,
            "      <property name=\"exception\" value=\"{}\"/>",
            esc(reason)
        );
    }
    for w in &m.warnings {
        let _ = writeln!(
            out,
            "      <property name=\"warning\" value=\"{}\"/>",
            esc(w)
        );
    }
    let _ = writeln!(out, "    </properties>");
    for (rule, description) in rules {
        rule_case(out, m, rule, description);
    }
    let _ = writeln!(out, "  </testsuite>");
}

/// One policy rule's test case for a model: a failure listing its open
/// violations, else what it checks or the violations an exception waived.
fn rule_case(out: &mut String, m: &ModelOutcome, rule: &str, description: &str) {
    let violations: Vec<_> = m
        .results
        .iter()
        .filter(|r| r.rule == *rule && !r.passed)
        .collect();
    let open: Vec<_> = violations.iter().filter(|r| !r.waived).collect();
    let _ = write!(
        out,
        "    <testcase classname=\"mri.{}\" name=\"{rule}\"",
        esc(&m.input)
    );
    if open.is_empty() {
        let _ = writeln!(out, ">");
        if !violations.is_empty() {
            let _ = writeln!(
                out,
                "      <system-out>{} violation(s) waived by an exception: {}</system-out>",
                violations.len(),
                esc(m.exception.as_deref().unwrap_or(""))
            );
        } else {
            let _ = writeln!(out, "      <system-out>{}</system-out>", esc(description));
        }
        let _ = writeln!(out, "    </testcase>");
        return;
    }
    let _ = writeln!(out, ">");
    let details: Vec<String> = open
        .iter()
        .map(|r| {
            let place = match (&r.file, r.line) {
                (Some(f), Some(l)) => format!("{f}:{l}: "),
                (Some(f), None) => format!("{f}: "),
                _ => String::new(),
            };
            format!("[{}] {place}{}", r.rule_id, r.message)
        })
        .collect();
    let _ = writeln!(
        out,
        "      <failure type=\"{rule}\" message=\"{}\">{}</failure>",
        esc(&open[0].message),
        esc(&details.join("\n"))
    );
    let _ = writeln!(out, "    </testcase>");
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn characters_xml_forbids_are_replaced() {
        assert_eq!(
            esc("a\u{fffe}b\u{ffff}c\u{0}d\u{1b}e\tf\ng"),
            "a\u{fffd}b\u{fffd}c\u{fffd}d\u{fffd}e\tf\ng"
        );
        assert_eq!(esc("<&\"'>"), "&lt;&amp;&quot;&apos;&gt;");
        assert_eq!(esc("\u{fffd}\u{10000}é"), "\u{fffd}\u{10000}é");
    }
}
