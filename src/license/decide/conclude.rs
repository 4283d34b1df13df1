//! The last step of the decision: the verdict, the strictest of every
//! source's, and `unknown` (with a finding saying so) when there is none.

use super::Decision;
use crate::finding::{Code, Finding};
use crate::license::verdict::Verdict;

/// Sets the final verdict and says how it was reached.
pub(super) fn verdict(d: &mut Decision) {
    d.report.verdict = match d.verdicts.iter().copied().reduce(Verdict::stricter) {
        Some(v) => v,
        None => {
            d.findings.push(Finding::warning(
                Code::LicenseUnknown,
                "no license: the card declares none and there is no license file",
            ));
            Verdict::Unknown
        }
    };
    if d.report.verdict == Verdict::Unknown
        && !d.findings.iter().any(|f| f.code == Code::LicenseUnknown)
    {
        d.findings.push(Finding::warning(
            Code::LicenseUnknown,
            "the license could not be determined; treat the model as not cleared for commercial use",
        ));
    }
    let n = d.verdicts.len();
    let verdict = d.report.verdict;
    d.reason(format!(
        "verdict: {verdict} (the strictest of {n} source{})",
        if n == 1 { "" } else { "s" }
    ));
}
