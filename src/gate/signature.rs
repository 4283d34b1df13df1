//! `[signature]`: the model signature judged. Before the rules, the
//! folder's `model.sig` (summarised in the Report by the scan) is checked
//! with the policy's keys, or its certificate with the policy's chain,
//! identities and issuer; the rules then judge the Report.

use super::evaluate::RuleResult;
use super::policy::{Policy, SignaturePolicy};
use crate::report::Report;
use crate::signature::{self, PolicyCheck, Verifier};

/// The signature rules, one JUnit test case each (judged only with a
/// `[signature]` section).
pub const SIGNATURE_RULES: &[(&str, &str)] = &[
    ("signature/required", "The model folder holds a model signature (`model.sig`) when the policy's `[signature] require` is true."),
    ("signature/trusted", "The model signature verifies with one of the policy's `[signature] keys`, or with a certificate issued under its `certificate-chain` to one of its `identities` (and `issuer`)."),
    ("signature/covers", "The model signature lists every file of the folder and every file it lists is there (by name; `mri verify --signature` checks the bytes)."),
];

/// The verifiers the policy trusts.
fn verifiers(sp: &SignaturePolicy) -> Vec<Verifier> {
    let mut out: Vec<Verifier> = sp
        .keys
        .value
        .iter()
        .map(|(_, k)| Verifier::Key(k.clone()))
        .collect();
    if let Some(chain) = &sp.certificate_chain {
        let issuer = sp.issuer.as_ref().map(|i| i.value.clone());
        if sp.identities.value.is_empty() {
            out.push(Verifier::Chain {
                trusted: chain.value.clone(),
                identity: None,
                issuer: issuer.clone(),
            });
        }
        for identity in &sp.identities.value {
            out.push(Verifier::Chain {
                trusted: chain.value.clone(),
                identity: Some(identity.clone()),
                issuer: issuer.clone(),
            });
        }
    }
    out
}

/// Checks the folder's `model.sig` with the policy's trust, into
/// `report.signature.policy_check` (nothing without a `[signature]`
/// section, trust material, or a signature).
pub fn check_with_policy(report: &mut Report, policy: &Policy) {
    let Some(sp) = &policy.signature else { return };
    let verifiers = verifiers(sp);
    if verifiers.is_empty() {
        return;
    }
    let root = report.target.root.clone();
    let Some(summary) = report.signature.as_mut() else {
        return;
    };
    let path = root.join(&summary.file);
    let bytes = match crate::util::fs::read_regular(&path) {
        Ok(b) if b.len() as u64 <= signature::MAX_BUNDLE_BYTES => b,
        Ok(_) => {
            summary.policy_check = Some(failed("the signature is too large to read".into()));
            return;
        }
        Err(e) => {
            summary.policy_check = Some(failed(format!("cannot read: {e}")));
            return;
        }
    };
    let read = match signature::read(&bytes) {
        Ok(r) => r,
        Err(e) => {
            summary.policy_check = Some(failed(e.to_string()));
            return;
        }
    };
    let mut problems = Vec::new();
    for v in &verifiers {
        match signature::verify(&read, v) {
            Ok((signer, _)) => {
                summary.policy_check = Some(PolicyCheck {
                    valid: true,
                    signer: Some(signer),
                    problem: None,
                });
                return;
            }
            Err(e) => {
                let text = e.to_string();
                if !problems.contains(&text) {
                    problems.push(text);
                }
            }
        }
    }
    summary.policy_check = Some(failed(problems.join("; ")));
}

fn failed(problem: String) -> PolicyCheck {
    PolicyCheck {
        valid: false,
        signer: None,
        problem: Some(problem),
    }
}

fn result(rule: &str, message: String, line: u32, passed: bool) -> RuleResult {
    let file = Some(signature::DEFAULT_FILE_NAME.into());
    RuleResult::checked(
        rule,
        passed,
        message,
        (file, None),
        (line > 0).then_some(line),
    )
}

/// The violations of `[signature]` (none without the section).
pub fn rules(report: &Report, policy: &Policy) -> Vec<RuleResult> {
    let Some(sp) = &policy.signature else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let Some(summary) = &report.signature else {
        if sp.require.value {
            let mut r = result(
                "signature/required",
                "no model signature (`model.sig`) in the model folder; [signature] require = true"
                    .into(),
                sp.require.line,
                false,
            );
            r.file = None;
            out.push(r);
        }
        return out;
    };
    let trust_line = if sp.keys.value.is_empty() {
        sp.certificate_chain.as_ref().map_or(sp.line, |c| c.line)
    } else {
        sp.keys.line
    };
    match &summary.policy_check {
        Some(check) if !check.valid => out.push(result(
            "signature/trusted",
            format!(
                "the model signature does not hold with the policy's trust: {}",
                check.problem.as_deref().unwrap_or("no key or certificate matched")
            ),
            trust_line,
            false,
        )),
        None if sp.require.value => out.push(result(
            "signature/trusted",
            "[signature] require = true but the policy names no `keys` or `certificate-chain` to check it with".into(),
            sp.require.line,
            false,
        )),
        _ => {}
    }
    if let Some(problem) = &summary.problem {
        out.push(result(
            "signature/covers",
            format!("the model signature cannot be read: {problem}"),
            sp.line,
            false,
        ));
    } else if !summary.covers_every_file {
        let mut names: Vec<String> = summary
            .unlisted
            .iter()
            .map(|n| format!("{n} (unlisted)"))
            .chain(summary.missing.iter().map(|n| format!("{n} (missing)")))
            .collect();
        names.truncate(5);
        out.push(result(
            "signature/covers",
            format!(
                "the model signature's list does not match the folder: {}",
                names.join(", ")
            ),
            sp.line,
            false,
        ));
    }
    out
}
