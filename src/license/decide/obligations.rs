//! Step 5 of the decision: the obligations of every license found (the
//! knowledge base's typed obligations, an SPDX license's duties), each cited
//! at its clause in the license files, or at the card line that declared it;
//! inherited ones carry the base model's name.

use super::resolve::Resolved;
use super::{AlsoCited, Citation, Decision, LicenseReport, Obligation, ReadFile, QUOTE_CHARS};
use crate::license::clauses::{read_clauses_in, ClauseHit};
use crate::license::spdx_facts;
use crate::license::text::NormText;
use crate::license::verdict::{ObligationKind, Verdict};
use std::collections::BTreeSet;

/// Every license's obligations, then those read from clauses, deduplicated.
pub(super) fn collect(d: &mut Decision, files: &[ReadFile<'_>]) {
    for (r, file, card_cite) in &d.licensed {
        push_obligations(
            &mut d.report,
            r,
            file.as_deref(),
            card_cite.as_ref(),
            None,
            files,
        );
    }
    let verdicts: Vec<(String, Verdict)> = d
        .licensed
        .iter()
        .filter_map(|(r, file, _)| Some((file.clone()?, r.verdict())))
        .collect();
    cite_also(&mut d.report.obligations, files, &verdicts);
    for (r, base, cite) in &d.inherited {
        push_obligations(&mut d.report, r, None, Some(cite), Some(base), files);
    }
    d.report.obligations.append(&mut d.extra_obligations);
    dedup_obligations(&mut d.report.obligations);
}

/// Cites, beside each license obligation found in a file, the other
/// clauses of that file the reader finds asking the same: an attribution
/// duty in a second section, a second non-commercial limit, and each ban of
/// a use policy (under the policy's obligation when the license has no
/// field-of-use one). A clause of a kind the license's entry does not list
/// becomes an obligation of its own where it asks no more than the
/// license's verdict allows (a license to request for commercial use under a
/// non-commercial license; never a research-only limit read into a license
/// the knowledge base says opens commercial use). Every decisive clause is
/// cited where it stands.
fn cite_also(
    obligations: &mut Vec<Obligation>,
    files: &[ReadFile<'_>],
    verdicts: &[(String, Verdict)],
) {
    use ObligationKind as K;
    for rf in files {
        let path = rf.file.path.as_str();
        for h in &rf.hits {
            let (start, end) = rf.norm.lines_of(h.words.0, h.words.1);
            let overlaps = |s: u32, e: u32| s <= end && start <= e;
            // the obligation that takes this clause: its own kind, else (a
            // ban) the use policy or the restrictions passed down
            let host = [h.kind, K::AcceptableUsePolicy, K::UseRestrictionsPassdown]
                .into_iter()
                .take(if h.kind == K::FieldOfUseBan { 3 } else { 1 })
                .find_map(|k| {
                    obligations
                        .iter()
                        .position(|o| o.kind == k && o.file.as_deref() == Some(path))
                });
            let Some(i) = host else {
                let verdict = verdicts.iter().find(|(p, _)| p == path).map(|(_, v)| *v);
                if let Some(o) = own_obligation(obligations, rf, h, verdict) {
                    obligations.push(o);
                }
                continue;
            };
            let o = &mut obligations[i];
            let cited = o
                .line_start
                .zip(o.line_end)
                .is_some_and(|(s, e)| overlaps(s, e))
                || o.also_cited
                    .iter()
                    .any(|a| overlaps(a.line_start, a.line_end));
            if !cited {
                o.also_cited.push(AlsoCited {
                    line_start: start,
                    line_end: end,
                    quote: rf.norm.quote(h.words.0, h.words.1, QUOTE_CHARS),
                    value: h.value.clone(),
                });
            }
        }
    }
}

/// A clause no obligation of its file takes (a ban, a territory left out, a
/// bar on training other models that the license's entry does not list), as
/// an obligation of the license that file is: only where it asks no more
/// than that license's `verdict`, is not a copy or notice duty, and is not
/// an attribution notice that the file's notice duty already keeps.
fn own_obligation(
    obligations: &[Obligation],
    rf: &ReadFile<'_>,
    h: &ClauseHit,
    verdict: Option<Verdict>,
) -> Option<Obligation> {
    use ObligationKind as K;
    let path = rf.file.path.as_str();
    let within = verdict.is_some_and(|v| h.kind.verdict_cap().rank() >= v.rank());
    // a free grant of research use beside the license's own approval path
    // for commercial use (本许可允许您免费使用……进行学术研究, 对于……商业目的
    // ……需……完成登记) is the free part of a license that requires approval
    // (or a non-commercial scope: "for any Research or Non-Commercial
    // Purpose", beside the license to request for commercial use)
    let free_part = verdict == Some(Verdict::RequiresApproval)
        && obligations
            .iter()
            .any(|o| o.kind == K::Registration && o.file.as_deref() == Some(path))
        && (h.kind == K::NonCommercial
            || h.kind == K::ResearchOnly
                && crate::license::clauses::scope::grants_research(
                    rf.norm.words_text(h.words.0, h.words.1),
                ));
    if !(within || free_part) || matches!(h.kind, K::LicenseCopy | K::NoticeFile) {
        return None;
    }
    let (start, end) = rf.norm.lines_of(h.words.0, h.words.1);
    let in_file = |o: &&Obligation| o.file.as_deref() == Some(path);
    let taken = h.kind == K::Attribution
        && obligations.iter().filter(in_file).any(|o| {
            o.kind == K::NoticeFile
                && o.line_start
                    .zip(o.line_end)
                    .is_some_and(|(s, e)| s <= end && start <= e)
        });
    let license = obligations
        .iter()
        .filter(in_file)
        .find(|o| o.inherited_from.is_none())
        .map(|o| o.license.clone())?;
    (!taken).then(|| from_hit(h, &rf.norm, path, &license))
}

/// Finds an obligation's clause in the files: its locate phrases first (in
/// order, preferring `prefer`), else a clause the reader found of the same kind.
fn cite(
    locate: &[String],
    kind: ObligationKind,
    files: &[ReadFile<'_>],
    prefer: Option<&str>,
) -> Option<(Citation, String)> {
    let order = || {
        files
            .iter()
            .filter(move |rf| Some(rf.file.path.as_str()) == prefer)
            .chain(
                files
                    .iter()
                    .filter(move |rf| Some(rf.file.path.as_str()) != prefer),
            )
    };
    for ReadFile { file, norm, .. } in order() {
        for phrase in locate {
            if let Some(at) = norm.find(phrase) {
                // cited from the sentence's first line, where its quote
                // starts (the range reaches the phrase, wherever it stands)
                let (f, l) = norm.sentence_words(at);
                let (start, end) = norm.lines_of(f, l);
                // the value the user's text states in that clause
                let value = read_clauses_in(norm, &[(f, l)])
                    .into_iter()
                    .find(|h| h.kind == kind)
                    .map(|h| h.value)
                    .unwrap_or_default();
                return Some((
                    Citation::at(&file.path, start, end, norm.quote(f, l, QUOTE_CHARS)),
                    value,
                ));
            }
        }
    }
    for ReadFile { file, norm, hits } in order() {
        if let Some(h) = hits.iter().find(|h| h.kind == kind) {
            let (s, e) = norm.lines_of(h.words.0, h.words.1);
            return Some((
                Citation::at(
                    &file.path,
                    s,
                    e,
                    norm.quote(h.words.0, h.words.1, QUOTE_CHARS),
                ),
                h.value.clone(),
            ));
        }
    }
    None
}

/// What a clause read from a text asks, in English (the quote beside it
/// stays in the text's own language).
fn clause_summary(kind: ObligationKind, value: &str) -> String {
    use ObligationKind as K;
    let with = |v: &str| {
        if v.is_empty() {
            String::new()
        } else {
            format!(" ({v})")
        }
    };
    match kind {
        K::NonCommercial => "Use is limited to non-commercial purposes.".into(),
        K::ResearchOnly => "Use is limited to research (or evaluation) purposes.".into(),
        K::Registration => "Commercial use needs something from the licensor first: registration, an application, written authorisation or a separate license.".into(),
        K::UserThreshold => format!("A user-count threshold applies{}; above it, terms change or a license must be sought.", with(value)),
        K::RevenueThreshold => format!("A revenue or company-size threshold applies{}; above it, terms change or a license must be sought.", with(value)),
        K::TerritoryExclusion => format!("The license excludes territories{}.", with(value)),
        K::AcceptableUsePolicy => "Use must follow the text's use restrictions or acceptable-use policy.".into(),
        K::Attribution => format!("Attribution or naming is required{}.", with(value)),
        K::NamePrefix => format!("Derived models must carry a name prefix{}.", with(value)),
        K::NoTrainingOtherModels => "Outputs or the model may not be used to train or improve other models.".into(),
        K::UseRestrictionsPassdown => "Use restrictions (or the base model's terms) must be passed on with derivatives.".into(),
        K::LicenseCopy => "Copies and derivatives must carry a copy of the license.".into(),
        K::NoticeFile => "A notice file must be kept with copies.".into(),
        K::ShareAlike => "Derivatives must be shared under the same terms.".into(),
        K::FieldOfUseBan => format!("The model may not be used in the fields the clause names{}.", with(value)),
    }
}

/// An obligation read from a clause of a text, cited at its lines.
pub(super) fn from_hit(h: &ClauseHit, norm: &NormText, path: &str, license: &str) -> Obligation {
    let (s, e) = norm.lines_of(h.words.0, h.words.1);
    Obligation {
        kind: h.kind,
        summary: clause_summary(h.kind, &h.value),
        value: h.value.clone(),
        file: Some(path.to_string()),
        line_start: Some(s),
        line_end: Some(e),
        quote: norm.quote(h.words.0, h.words.1, QUOTE_CHARS),
        license: license.to_string(),
        inherited_from: None,
        also_cited: Vec::new(),
    }
}

/// The obligations of a license (its knowledge-base entry's, or an SPDX
/// license's duties), each cited at its clause in the files (`file` first),
/// else at the card line that declared it.
fn push_obligations(
    report: &mut LicenseReport,
    r: &Resolved,
    file: Option<&str>,
    card_cite: Option<&Citation>,
    inherited_from: Option<&String>,
    files: &[ReadFile<'_>],
) {
    let specs: Vec<(ObligationKind, String, String, Vec<String>)> = match r {
        Resolved::Kb(e) => e
            .obligations
            .iter()
            .map(|o| (o.kind, o.summary.clone(), o.value.clone(), o.locate.clone()))
            .collect(),
        Resolved::Spdx(f) => spdx_facts::verdict(f)
            .1
            .into_iter()
            .map(|k| {
                (
                    k,
                    spdx_facts::duty_summary(k, &f.id),
                    String::new(),
                    spdx_facts::duty_locate(k),
                )
            })
            .collect(),
    };
    for (kind, summary, value, locate) in specs {
        // An inherited obligation is the base's: it is cited at the card line
        // that names the base, never at a local line that shares a phrase.
        let found = if inherited_from.is_some() {
            None
        } else {
            cite(&locate, kind, files, file)
        };
        let (citation, found_value) = match (found, card_cite) {
            (Some((c, v)), _) => (Some(c), v),
            (None, Some(c)) => (Some(c.clone()), String::new()),
            (None, None) => (None, String::new()),
        };
        // A threshold is the number the user's text states, not the one the
        // knowledge base remembers: an edited "700 million" is cited as edited;
        // so is a name to use (a renamed copy's prefix or attribution).
        let renamed = matches!(
            kind,
            ObligationKind::NamePrefix | ObligationKind::Attribution
        ) && !found_value.is_empty()
            && !value.to_lowercase().contains(&found_value.to_lowercase())
            && !found_value.to_lowercase().contains(&value.to_lowercase());
        let value =
            if value.is_empty() || renamed || (is_threshold(kind) && differs(&value, &found_value))
            {
                found_value
            } else {
                value
            };
        report.obligations.push(Obligation {
            kind,
            summary,
            value,
            file: citation.as_ref().map(|c| c.file.clone()),
            line_start: citation.as_ref().and_then(|c| c.lines).map(|l| l.0),
            line_end: citation.as_ref().and_then(|c| c.lines).map(|l| l.1),
            quote: citation.map(|c| c.quote).unwrap_or_default(),
            license: r.id(),
            inherited_from: inherited_from.cloned(),
            also_cited: Vec::new(),
        });
    }
}

/// User-count and revenue thresholds: their value is the text's number.
fn is_threshold(kind: ObligationKind) -> bool {
    matches!(
        kind,
        ObligationKind::UserThreshold | ObligationKind::RevenueThreshold
    )
}

/// True when the text states a number and it is not the knowledge base's.
fn differs(kb_value: &str, found: &str) -> bool {
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    !digits(found).is_empty() && digits(found) != digits(kb_value)
}

/// Drops repeats: the same kind of the same license cited at the same place.
fn dedup_obligations(obligations: &mut Vec<Obligation>) {
    let mut seen = BTreeSet::new();
    obligations.retain(|o| {
        seen.insert((
            o.kind,
            o.license.clone(),
            o.file.clone(),
            o.line_start,
            o.inherited_from.clone(),
        ))
    });
}
