//! Step 4 of the decision: lineage. A derivative carries its base model's
//! terms: each base the card (or a declaration, or an adapter config) names
//! is looked up in the knowledge base and the table of base models; an
//! unknown one caps the verdict at `requires-approval`. A base given with
//! `--base` brings its own decision.

use super::resolve::Resolved;
use super::{BaseLicense, Citation, Decision, LicenseInputs};
use crate::finding::{Code, Finding};
use crate::license::base_models;
use crate::license::lineage::{lineage_of, Match as LineageMatch};
use crate::license::spdx_facts;
use crate::license::verdict::Verdict;

/// Every base model named, each once, with the line that names it.
fn named_bases(inputs: &LicenseInputs<'_>) -> Vec<(String, Citation)> {
    let mut named: Vec<(String, Citation)> = Vec::new();
    let cards = inputs
        .card
        .into_iter()
        .chain(inputs.declared.iter().map(|(c, _)| c));
    for card in cards {
        for base in &card.base_model {
            if !named.iter().any(|(b, _)| b.eq_ignore_ascii_case(base)) {
                named.push((base.clone(), Citation::declared(card, "base_model", base)));
            }
        }
    }
    for (base, file, line) in inputs.extra_bases {
        if !named.iter().any(|(b, _)| b.eq_ignore_ascii_case(base)) {
            let quote = format!("base_model_name_or_path: {base}");
            named.push((base.clone(), Citation::at(file, *line, *line, quote)));
        }
    }
    named
}

/// The licenses of the named base models, or the cap of an unknown one.
pub(super) fn lineage(d: &mut Decision, inputs: &LicenseInputs<'_>) {
    for (base, cite) in named_bases(inputs) {
        // A knowledge-base match by the repo id wins; a match of the name
        // alone (a re-upload) yields to the table of SPDX base models when
        // that table knows the whole repo id.
        let spdx_base = base_models::family_of(&base);
        let kb_base = lineage_of(&base).filter(|(_, how)| {
            *how != LineageMatch::NameOnly || !matches!(spdx_base, Some((_, LineageMatch::RepoId)))
        });
        if let Some((e, how)) = kb_base {
            if how == LineageMatch::NameOnly {
                d.reason(format!(
                    "base model {base}: matched {} by its name (a re-upload)",
                    e.id
                ));
            }
            d.inherited.push((Resolved::Kb(e), base, cite));
        } else if let Some((family, facts)) =
            spdx_base.and_then(|(f, _)| Some((f, spdx_facts::facts(&f.spdx)?)))
        {
            d.reason(format!(
                "base model {base}: {} by mri's table of base models ({})",
                facts.id, family.source
            ));
            d.inherited.push((Resolved::Spdx(facts), base, cite));
        } else if inputs.base.is_none() {
            unknown_base(d, &base, &cite);
        }
    }
    let inherited = std::mem::take(&mut d.inherited);
    for (r, base, cite) in &inherited {
        inherit(d, r, base, cite);
    }
    d.inherited = inherited;
}

/// A base whose license is not known offline: a derivative carries its
/// base's terms, and unknown terms may be restrictive, so the verdict cannot
/// be better than approval.
fn unknown_base(d: &mut Decision, base: &str, cite: &Citation) {
    d.reason(format!(
        "base model {base}: its license is not known offline → at most requires-approval until it is checked"
    ));
    d.verdicts.push(Verdict::RequiresApproval);
    d.findings.push(
        Finding::warning(
            Code::LicenseBaseUnknown,
            format!(
                "base model {base}: mri cannot establish its license offline, and a derivative carries its base's terms; check the base's license (e.g. with --base) before commercial use"
            ),
        )
        .in_file(&cite.file)
        .at_optional_line(cite.lines.map(|l| l.0)),
    );
}

/// A base under a known license: its verdict counts, and a declared license
/// of another family is a conflict.
fn inherit(d: &mut Decision, r: &Resolved, base: &str, cite: &Citation) {
    d.verdicts.push(r.verdict());
    d.detected(
        r,
        "base_model",
        Some(cite.file.clone()),
        cite.lines.map(|l| l.0),
        0.9,
        None,
        r.verdict(),
        false,
    );
    d.reason(format!("base model {base}: {} ({})", r.id(), r.verdict()));
    d.findings.push(
        Finding::info(
            Code::LicenseInherited,
            format!(
                "base model {base} is under {}; its obligations apply to this derivative",
                r.id()
            ),
        )
        .in_file(&cite.file)
        .at_optional_line(cite.lines.map(|l| l.0)),
    );
    if d.declared_families.contains(&r.family()) || d.declared_families.is_empty() {
        return;
    }
    d.findings.push(
        Finding::warning(
            Code::LicenseConflict,
            format!(
                "declared {} but the base model {base} is under {}; a derivative carries the base's terms, and the stricter applies",
                d.declared_families.iter().cloned().collect::<Vec<_>>().join(", "),
                r.id()
            ),
        )
        .in_file(&cite.file)
        .at_optional_line(cite.lines.map(|l| l.0)),
    );
}

/// The base given with `--base`: its verdict, detections and obligations.
pub(super) fn given_base(d: &mut Decision, base: Option<&BaseLicense>) {
    let Some(base) = base else {
        return;
    };
    d.verdicts.push(base.report.verdict);
    d.reason(format!("base {}: {}", base.name, base.report.verdict));
    for x in &base.report.detected {
        let mut x = x.clone();
        x.source = "base".into();
        x.file = x.file.map(|f| format!("{}/{f}", base.name));
        d.report.detected.push(x);
    }
    for o in &base.report.obligations {
        let mut o = o.clone();
        o.inherited_from = Some(base.name.clone());
        o.file = o.file.map(|f| format!("{}/{f}", base.name));
        d.report.obligations.push(o);
    }
    d.findings.push(Finding::info(
        Code::LicenseInherited,
        format!(
            "base {} decides {}; its obligations apply to this derivative",
            base.name, base.report.verdict
        ),
    ));
}
