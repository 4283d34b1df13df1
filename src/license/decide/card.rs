//! Step 1 of the decision: the card's front matter, the declarations read
//! like it (GGUF metadata, a safetensors header's `__metadata__`), and the
//! card body's License section.

use super::resolve::{resolve_card_value, resolve_id, Resolved};
use super::{Citation, Decision, LicenseInputs, QUOTE_CHARS};
use crate::finding::{Code, Finding};
use crate::license::clauses::{read_clauses, ClauseHit};
use crate::license::text::NormText;
use crate::license::verdict::Verdict;
use crate::model::card::Card;
use std::collections::BTreeSet;

/// Reads every declaration: the card's, then each declaration outside it,
/// and flags those whose licenses share none with the card's.
pub(super) fn declarations(d: &mut Decision, inputs: &LicenseInputs<'_>) {
    let all = inputs
        .card
        .map(|c| (c, "card"))
        .into_iter()
        .chain(inputs.declared.iter().map(|(c, label)| (c, *label)));
    // What each declaration resolved to, to flag declarations that disagree.
    let mut declared_ids: Vec<(String, &'static str, BTreeSet<String>)> = Vec::new();
    for (card, label) in all {
        let earlier_ids = std::mem::take(&mut d.card_ids);
        for value in &card.license {
            declaration(d, card, label, value, inputs);
        }
        declared_ids.push((card.path.clone(), label, d.card_ids.clone()));
        d.card_ids.extend(earlier_ids);
    }
    declarations_disagree(&declared_ids, inputs.card, &mut d.findings);
}

/// One `license:` value of one declaration.
fn declaration(
    d: &mut Decision,
    card: &Card,
    label: &'static str,
    value: &str,
    inputs: &LicenseInputs<'_>,
) {
    let lower = value.to_ascii_lowercase();
    if lower == "other" || lower == "unknown" {
        license_name(d, card, label, value);
        if lower == "other" {
            check_license_link(card, inputs, &mut d.findings);
        }
        return;
    }
    let line = card.lines.get("license").copied();
    match resolve_card_value(value) {
        Some((leaves, verdict)) => {
            d.reason(format!(
                "{label}: license `{value}` → {} ({verdict})",
                leaves
                    .iter()
                    .map(Resolved::id)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            d.verdicts.push(verdict);
            for r in leaves {
                d.detected(
                    &r,
                    label,
                    Some(card.path.clone()),
                    line,
                    1.0,
                    None,
                    r.verdict(),
                    false,
                );
                d.card_ids.insert(r.id());
                d.declared_families.insert(r.family());
                let cite = Citation::declared(card, "license", value);
                d.licensed.push((r, None, Some(cite)));
            }
        }
        None => {
            d.reason(format!(
                "{label}: license `{value}` is not a known identifier"
            ));
            d.verdicts.push(Verdict::Unknown);
            d.findings.push(
                Finding::warning(
                    Code::LicenseUnknown,
                    format!("the {}'s license `{value}` is neither a Hub license id, an SPDX expression, nor in the knowledge base", declaration_source(label)),
                )
                .in_file(&card.path)
                .at_optional_line(line),
            );
        }
    }
}

/// `license: other` (or `unknown`): the `license_name` decides, when the
/// knowledge base knows it; otherwise this declaration yields no verdict
/// (the license files must).
fn license_name(d: &mut Decision, card: &Card, label: &'static str, value: &str) {
    let name = card.license_name.as_deref().unwrap_or("");
    let Some(r) = card.license_name.as_deref().and_then(resolve_id) else {
        d.reason(format!(
            "{label}: license `{value}`{}",
            card.license_name
                .as_deref()
                .map(|n| format!(", license_name `{n}` not in the knowledge base"))
                .unwrap_or_default()
        ));
        return;
    };
    d.reason(format!(
        "{label}: license other, license_name `{name}` → {} ({})",
        r.id(),
        r.verdict()
    ));
    let line = card.lines.get("license_name").copied();
    d.detected(
        &r,
        &format!("{label}:license_name"),
        Some(card.path.clone()),
        line,
        0.9,
        None,
        r.verdict(),
        false,
    );
    d.verdicts.push(r.verdict());
    d.card_ids.insert(r.id());
    d.declared_families.insert(r.family());
    let cite = Citation::declared(card, "license_name", name);
    d.licensed.push((r, None, Some(cite)));
}

/// A `license/conflict` warning for each declaration outside the card (GGUF
/// or safetensors metadata) whose licenses share none with the card's: the
/// stricter applies, but a reviewer must know the file says otherwise.
fn declarations_disagree(
    declared: &[(String, &'static str, BTreeSet<String>)],
    card: Option<&Card>,
    findings: &mut Vec<Finding>,
) {
    let Some((_, _, card_ids)) = declared.iter().find(|(_, label, _)| *label == "card") else {
        return;
    };
    let list = |ids: &BTreeSet<String>| ids.iter().cloned().collect::<Vec<_>>().join(", ");
    for (path, label, ids) in declared.iter().filter(|(_, l, _)| *l != "card") {
        if card_ids.is_empty() || ids.is_empty() || !card_ids.is_disjoint(ids) {
            continue;
        }
        findings.push(
            Finding::warning(
                Code::LicenseConflict,
                format!(
                    "the card declares {} but the {} ({path}) says {}; the stricter applies",
                    list(card_ids),
                    declaration_source(label),
                    list(ids)
                ),
            )
            .in_file(card.map(|c| c.path.clone()).unwrap_or_default())
            .at_optional_line(card.and_then(|c| c.lines.get("license").copied())),
        );
    }
}

/// What a declaration's source label names, for messages.
fn declaration_source(label: &str) -> &'static str {
    match label {
        "card" => "card",
        "gguf" => "GGUF metadata",
        "safetensors" => "safetensors header metadata",
        _ => "declaration",
    }
}

/// Reads the card body's license section: the license it names (unless it
/// negates or qualifies it) and its decisive clauses (non-commercial,
/// research-only, approval). A section that says neither is left alone; one
/// whose license differs from the front matter's is a conflict, and the
/// stricter applies.
pub(super) fn license_section(d: &mut Decision, card: &Card) {
    let Some(section) = &card.license_section else {
        return;
    };
    let norm = NormText::new(&section.text);
    let hits = read_clauses(&norm);
    let named = super::files::referenced_license(&norm)
        .filter(|(_, at)| super::files::qualification(&norm, *at).is_none());
    let decisive: Vec<&ClauseHit> = hits
        .iter()
        .filter(|h| h.kind.verdict_cap().rank() <= Verdict::RequiresApproval.rank())
        .collect();
    let clause_cap = decisive
        .iter()
        .map(|h| h.kind.verdict_cap())
        .fold(Verdict::Permitted, Verdict::stricter);
    let front = d.verdicts.iter().copied().reduce(Verdict::stricter);
    let (verdict, line) = match &named {
        Some((r, at)) => (r.verdict().stricter(clause_cap), norm.line_at(*at)),
        None => match decisive.first() {
            Some(h) => (clause_cap, norm.lines_of(h.words.0, h.words.0).0),
            None => return,
        },
    };
    let says = match &named {
        Some((r, _)) => r.id(),
        None => format!("{verdict} terms"),
    };
    d.reason(format!(
        "{}: its License section (line {line}) says {says} → {verdict}",
        card.path
    ));
    if let Some((r, at)) = &named {
        d.detected(
            r,
            "card:body",
            Some(card.path.clone()),
            Some(line),
            0.6,
            None,
            verdict,
            false,
        );
        let (first, last) = norm.sentence_words(*at);
        let quote = norm.quote(first, last, QUOTE_CHARS);
        let cite = Citation::at(&card.path, line, line, quote);
        d.licensed.push((r.clone(), None, Some(cite)));
    }
    let license = named
        .as_ref()
        .map_or("unrecognised".to_string(), |(r, _)| r.id());
    for h in &decisive {
        d.extra_obligations
            .push(super::obligations::from_hit(h, &norm, &card.path, &license));
    }
    d.verdicts.push(verdict);
    let differs = match &named {
        Some((r, _)) => !d.card_ids.is_empty() && !d.card_ids.contains(&r.id()),
        None => false,
    } || front.is_some_and(|f| verdict.rank() < f.rank());
    if differs {
        d.findings.push(
            Finding::warning(
                Code::LicenseConflict,
                format!(
                    "the card's front matter declares {} but its License section says {says}; the stricter applies",
                    if d.card_ids.is_empty() {
                        "no license".to_string()
                    } else {
                        d.card_ids.iter().cloned().collect::<Vec<_>>().join(", ")
                    }
                ),
            )
            .in_file(&card.path)
            .at_line(line),
        );
    }
}

/// A `license/missing-file` warning when the card's `license_link` names a
/// file of the repository that is not there.
fn check_license_link(card: &Card, inputs: &LicenseInputs<'_>, findings: &mut Vec<Finding>) {
    let Some(link) = card.license_link.as_deref() else {
        return;
    };
    if link.contains("://") {
        return;
    }
    let path = link.trim_start_matches("./");
    if !inputs.repo_files.iter().any(|f| f == path) {
        findings.push(
            Finding::warning(
                Code::LicenseMissingFile,
                format!("the card's license_link names `{link}`, which is not in the repository"),
            )
            .in_file(&card.path)
            .at_optional_line(card.lines.get("license_link").copied()),
        );
    }
}
