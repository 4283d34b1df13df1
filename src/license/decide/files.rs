//! Step 2 of the decision: each license file read (matched to a known text,
//! a short reference to one, or its own clauses), unless a clarification
//! says what it is; then the card against the files.

use super::resolve::{spdx_or_kb, Resolved};
use super::{round2, Decision, LicenseInputs, ReadFile, RunnerUp, QUOTE_CHARS};
use crate::finding::{Code, Finding};
use crate::license::clauses::restated::{passes_on_notices, restates_license_terms};
use crate::license::clauses::{read_changes, read_clauses_in, ClauseHit};
use crate::license::detect::{is_boilerplate, Detection, RefKind, Scored, MATCH, SIMILAR};
use crate::license::kb::{self, kb};
use crate::license::lineage::is_supplementary;
use crate::license::spdx_facts;
use crate::license::text::NormText;
use crate::license::verdict::{ObligationKind, Verdict};
use std::sync::OnceLock;

/// Residual words beyond a standard license text that, unread, make it unknown.
const UNREAD_RESIDUAL_WORDS: usize = 40;

/// Reads every license file into the decision; a file a clarification holds
/// for is that clarification's license instead.
pub(super) fn read_all(d: &mut Decision, inputs: &LicenseInputs<'_>, files: &[ReadFile<'_>]) {
    for path in inputs.truncated {
        if super::clarify::holding_for(inputs, path).is_some() {
            continue; // the pinned hash covers every byte, read or not
        }
        d.reason(format!(
            "{path}: only its beginning was read (the file is too long); what follows is unknown"
        ));
        d.verdicts.push(Verdict::Unknown);
        d.findings.push(
            Finding::warning(
                Code::LicenseUnread,
                format!("the license file is longer than mri reads ({} MiB); only its beginning was read, so the verdict can be no better than unknown (a stricter clause in what was read still applies)", crate::license::MAX_TEXT_BYTES >> 20),
            )
            .in_file(path),
        );
    }
    for rf in files {
        match super::clarify::holding_for(inputs, &rf.file.path) {
            Some(c) => super::clarify::apply_to_file(d, c, &own_reading(rf)),
            None => read_one(d, rf),
        }
    }
}

/// What mri's own reading of a file says (`unrecognised (unknown)`,
/// `MIT (permitted)`), for the reasons of a clarification that replaces it.
fn own_reading(rf: &ReadFile<'_>) -> String {
    let mut own = Decision::default();
    read_one(&mut own, rf);
    let said: Vec<String> = own
        .report
        .detected
        .iter()
        .map(|x| format!("{} ({})", x.id, x.verdict))
        .collect();
    if said.is_empty() {
        "no license".to_string()
    } else {
        said.join(", ")
    }
}

/// Reads one license file into the decision.
fn read_one(d: &mut Decision, rf: &ReadFile<'_>) {
    let path = &rf.file.path;
    if let Some(why) = unreadable_text(&rf.file.text) {
        d.reason(format!("{path}: {why}; its terms cannot be read"));
        d.verdicts.push(Verdict::Unknown);
        d.findings.push(
            Finding::warning(
                Code::LicenseUnread,
                format!(
                    "the license file {why}; its terms cannot be read, so the verdict is unknown"
                ),
            )
            .in_file(path),
        );
        d.unrecognised(path, "unreadable text".into(), 0.0, Verdict::Unknown);
        return;
    }
    let detection = crate::license::memo::detection(&rf.norm);
    let resolved = detection.best.as_ref().and_then(|b| match b.kind {
        RefKind::Kb => kb().get(&b.id).map(Resolved::Kb),
        RefKind::Spdx => spdx_facts::facts(&b.id).map(spdx_or_kb),
    });
    match (&detection.best, resolved) {
        (Some(b), Some(r)) if b.score >= MATCH => matched(d, rf, &detection, b, r),
        (best, resolved) => not_matched(d, rf, best.as_ref(), resolved),
    }
}

/// A file whose text matches a known license: that license's verdict, made
/// stricter by the clauses its additions and changes bring.
fn matched(d: &mut Decision, rf: &ReadFile<'_>, det: &Detection, b: &Scored, r: Resolved) {
    let (norm, path) = (&rf.norm, &rf.file.path);
    let mut residual_hits = read_clauses_in(norm, &det.residual);
    // Clauses that words changed inside the known text bring.
    for h in read_changes(norm, &det.changed_words) {
        if !residual_hits
            .iter()
            .any(|r| r.kind == h.kind && r.words == h.words)
        {
            residual_hits.push(h);
        }
    }
    // Clauses of its own words that the known text never says.
    for h in clauses_the_known_text_lacks(rf, det, &r) {
        if !residual_hits
            .iter()
            .any(|r| r.kind == h.kind && r.words == h.words)
        {
            residual_hits.push(h);
        }
    }
    let mut verdict = caps(&residual_hits).stricter(r.verdict());
    if limits_licensees(norm, &residual_hits) {
        verdict = verdict.stricter(Verdict::Prohibited);
    }
    let unread = matches!(r, Resolved::Spdx(_))
        && residual_hits.is_empty()
        && det.unexplained_words >= UNREAD_RESIDUAL_WORDS;
    if unread {
        verdict = verdict.stricter(Verdict::Unknown);
        d.findings.push(
            Finding::warning(
                Code::LicenseUnknown,
                format!("matches {} but adds {} words of terms that mri cannot read; treated as unknown", r.id(), det.unexplained_words),
            )
            .in_file(path),
        );
    }
    // A version without a bundled text is compared with a sibling's, whose
    // version, dates and links differ anyway: there only the clauses the
    // changes bring count.
    let own_text = !matches!(&r, Resolved::Kb(e) if e.text_file.is_empty());
    let added = !residual_hits.is_empty() || unread;
    let modified = added || (own_text && !det.changed_words.is_empty());
    let changed = changed_lines(norm, &det.changed_words);
    let renamed = renamed_copy(norm, &det.changed_words);
    let copy = renamed
        .as_ref()
        .map(|names| format!(", a copy under another name (now: {})", names.join(", ")))
        .unwrap_or_default();
    d.reason(format!(
        "{path}: matches {} ({:.2}){copy}{}{}",
        r.id(),
        b.score,
        if added {
            format!(", with added clauses (text differs at {changed})")
        } else if modified {
            format!(", text differs at {changed}")
        } else {
            String::new()
        },
        if verdict != r.verdict() {
            format!(" → {verdict}")
        } else {
            String::new()
        }
    ));
    let runner_up = det.runner_up.as_ref().map(|r| RunnerUp {
        id: r.id.clone(),
        confidence: round2(r.score),
    });
    let confidence = round2(b.score);
    d.detected(
        &r,
        "file",
        Some(path.clone()),
        None,
        confidence,
        runner_up,
        verdict,
        modified,
    );
    if renamed.is_some() {
        if let Some(last) = d.report.detected.last_mut() {
            last.name = format!("{} (a renamed copy)", last.name);
        }
    }
    d.verdicts.push(verdict);
    if !super::is_supplementary_file(path) && !matches!(&r, Resolved::Kb(e) if is_supplementary(e))
    {
        d.file_ids.insert(r.id());
        d.declared_families.insert(r.family());
    }
    for h in residual_hits {
        let o = super::obligations::from_hit(&h, norm, path, &r.id());
        d.extra_obligations.push(o);
    }
    d.licensed.push((r, Some(path.clone()), None));
}

/// The clauses of a near match's whole text (`rf.hits`) that limit it more
/// than the known license `r` does and whose kind the known text's own
/// reading never has: what its changes say, read across sentences as well
/// (a grant confined to a defined purpose that the changes define as
/// research only: “Permitted Purpose” means for academic or research
/// purposes only … + "only for the Permitted Purpose", LTX Video 0.9's edit
/// of CreativeML Open RAIL-M). So a text whose lines differ from a known
/// one is never looser than what the clause reader finds in it. None for
/// a text that does not depart from the known one.
fn clauses_the_known_text_lacks(
    rf: &ReadFile<'_>,
    det: &Detection,
    r: &Resolved,
) -> Vec<ClauseHit> {
    if det.changed_words.is_empty() && det.residual.is_empty() {
        return Vec::new();
    }
    let Some(known) = det
        .reference
        .as_deref()
        .and_then(crate::license::detect::reference_text)
    else {
        return Vec::new();
    };
    let (known_norm, known_hits) = crate::license::memo::read(known);
    let words = |t: &NormText, (f, l): (usize, usize)| -> std::collections::BTreeSet<String> {
        t.words_text(f, l)
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_string)
            .collect()
    };
    // the known text's clauses with the words of their sentences, read once
    let theirs: Vec<_> = known_hits
        .iter()
        .map(|k| (k.kind, words(&known_norm, k.words)))
        .collect();
    rf.hits
        .iter()
        .filter(|h| h.kind.verdict_cap().rank() < r.verdict().rank())
        .filter(|h| {
            // the known text's own clause, in a sentence of it (its names
            // changed, a word or two more) is no change
            let own = words(&rf.norm, h.words);
            !theirs.iter().any(|(kind, theirs)| {
                *kind == h.kind && {
                    let shared = own.intersection(theirs).count();
                    shared * 10 >= own.union(theirs).count() * 7
                }
            })
        })
        .cloned()
        .collect()
}

/// A file that matches no known text: a short reference to a license, a
/// notice, or a text whose own clauses decide (never better than unknown).
fn not_matched(
    d: &mut Decision,
    rf: &ReadFile<'_>,
    best: Option<&Scored>,
    resolved: Option<Resolved>,
) {
    let (norm, path, hits) = (&rf.norm, &rf.file.path, &rf.hits);
    let named = referenced_license(norm);
    let qualified = named.as_ref().and_then(|(_, at)| qualification(norm, *at));
    if let (Some((r, _)), Some(why)) = (&named, &qualified) {
        d.reason(format!(
            "{path}: names {} but {why}; not taken as {}",
            r.id(),
            r.id()
        ));
    }
    if let Some((r, _)) = named.filter(|_| qualified.is_none()) {
        // a pointer that names a license for each part is judged on the
        // strictest of them, not on the one it names first
        if let Some(parts) = super::parts::named_parts(norm) {
            return super::parts::decide(d, rf, &parts);
        }
        return reference(d, rf, r);
    }
    // The clauses weighed: a derived verdict or unknown.
    let derived = crate::license::derive::derive(norm, hits);
    // clauses that decide nothing beside licenses named for the parts: the
    // strictest of those licenses
    let own_text = best.is_none_or(|b| b.score < SIMILAR);
    if derived.verdict == Verdict::Unknown && derived.unweighed.is_none() && own_text {
        if let Some(parts) = super::parts::named_parts(norm) {
            return super::parts::decide(d, rf, &parts);
        }
    }
    let similar = best.filter(|b| b.score >= SIMILAR);
    let verdict = weigh_against_similar(d, (path, norm), &derived, similar, resolved.as_ref());
    if let (Verdict::Unknown, Some((f, l))) = (derived.verdict, derived.unweighed) {
        let (line, _) = norm.lines_of(f, l);
        d.reason(format!(
            "{path}: {} at line {line}: “{}”",
            derived.basis,
            norm.quote(f, l, 120)
        ));
    }
    let is_derived = verdict == derived.verdict && verdict != Verdict::Unknown;
    if is_derived {
        let grant = derived
            .grant
            .map(|(f, l)| {
                let (line, _) = norm.lines_of(f, l);
                format!(" (the grant at line {line}: “{}”)", norm.quote(f, l, 120))
            })
            .unwrap_or_default();
        d.reason(format!(
            "{path}: read from its clauses, not a known license text: {}{grant} → {verdict}; confirm by reading it, and pin it with [[licenses.clarify]]",
            derived.basis
        ));
    }
    let decisive = hits
        .iter()
        .any(|h| h.kind.verdict_cap() != Verdict::Permitted);
    if super::is_supplementary_file(path) && !decisive {
        return notice(d, rf);
    }
    d.findings.push(
        Finding::warning(
            Code::LicenseUnknown,
            match similar {
                Some(b) => format!(
                    "does not match a known license (closest: {} at {:.2}); verdict from its own clauses: {verdict}",
                    b.id, b.score
                ),
                None => format!("does not match a known license; verdict from its own clauses: {verdict}"),
            },
        )
        .in_file(path),
    );
    let name = similar
        .map(|b| format!("unrecognised text (closest: {})", b.id))
        .unwrap_or_else(|| "unrecognised text".into());
    if is_derived {
        let name = format!("{name}: read from its clauses — not a known license text: confirm");
        d.unrecognised(path, name, derived.confidence, verdict);
        if let Some(last) = d.report.detected.last_mut() {
            last.source = "clauses".into();
        }
    } else {
        let confidence = similar.map_or(0.0, |b| round2(b.score));
        d.unrecognised(path, name, confidence, verdict);
    }
    d.verdicts.push(verdict);
    for h in hits {
        let o = super::obligations::from_hit(h, norm, path, "unrecognised");
        d.extra_obligations.push(o);
    }
}

/// The verdict of an unrecognised text: its clauses' (`derived`), held to
/// the verdict of a known license it shares most of its wording with, and
/// how that was decided.
fn weigh_against_similar(
    d: &mut Decision,
    (path, norm): (&str, &NormText),
    derived: &crate::license::derive::Derived,
    similar: Option<&Scored>,
    resolved: Option<&Resolved>,
) -> Verdict {
    let mut verdict = derived.verdict;
    match (similar, resolved) {
        // A text that shares most of its wording with a known license is
        // held to that license's verdict at best: the clause that decides it
        // may sit in words the reader does not weigh (fail closed) — unless
        // the clauses that decide the known license are not in this text and
        // the reader found the text's own grant (the clauses were rewritten,
        // not cut off, and the reader weighed what stands in their place).
        (Some(b), Some(r)) => {
            let own_grant = derived.grant.is_some() && derived.verdict != Verdict::Unknown;
            if !own_grant || !deciding_clauses_replaced(r, norm) {
                verdict = verdict.stricter(r.verdict());
            }
            // A modified copy of a permissive text: its changes were made
            // for a reason the reader may not see (a display duty above a
            // size), so a free grant in it is not taken as unconditional.
            // The whole permissive text, unchanged, with words of the
            // text's own around it (a preface, a translation) that the
            // reader found free of conditions, is that license.
            let whole = crate::license::detect::holds_whole(norm, &b.id);
            let modified_permissive = verdict == Verdict::Permitted && !whole;
            if modified_permissive {
                verdict = Verdict::PermittedWithConditions;
            }
            let held = if modified_permissive {
                format!(
                    "; a modified copy of {}: its changes may add conditions",
                    r.id()
                )
            } else if verdict == derived.verdict {
                String::new()
            } else {
                format!(
                    "; held to {}'s verdict, as its wording is mostly that license's",
                    r.id()
                )
            };
            d.reason(format!(
                "{path}: only similar to {} ({:.2}, {}); its own clauses → {}{held} → {verdict}",
                r.id(),
                b.score,
                r.verdict(),
                derived.verdict
            ));
        }
        _ => d.reason(format!(
            "{path}: matches no known license; its clauses → {verdict}"
        )),
    }
    verdict
}

/// True when none of the clauses that give the known license `r` its
/// verdict (its obligations whose cap is that verdict or stricter, found by
/// their phrases) is in `norm`: the text rewrote them. `false` when the
/// license lists no such clause.
fn deciding_clauses_replaced(r: &Resolved, norm: &NormText) -> bool {
    let Resolved::Kb(e) = r else {
        return false;
    };
    let deciding: Vec<&str> = e
        .obligations
        .iter()
        .filter(|o| o.kind.verdict_cap().rank() <= e.verdict.rank())
        .flat_map(|o| o.locate.iter().map(String::as_str))
        .collect();
    !deciding.is_empty() && !deciding.iter().any(|p| norm.norm.contains(p))
}

/// A short text that only names a license ("licensed under the Apache
/// License 2.0"): that license, made stricter by its decisive clauses.
fn reference(d: &mut Decision, rf: &ReadFile<'_>, r: Resolved) {
    let (norm, path, hits) = (&rf.norm, &rf.file.path, &rf.hits);
    // a sentence that restates the named license's own terms (its deed's
    // credit, link and change note) adds no condition to it
    let own: Vec<&ClauseHit> = hits
        .iter()
        .filter(|h| h.weighs() && !restates_license_terms(norm.words_text(h.words.0, h.words.1)))
        .collect();
    let v = r.verdict().stricter(
        own.iter()
            .map(|h| h.kind.verdict_cap())
            .fold(Verdict::Permitted, Verdict::stricter),
    );
    // the clauses that make it stricter, cited
    for h in own
        .into_iter()
        .filter(|h| h.kind.verdict_cap().rank() < r.verdict().rank())
    {
        let o = super::obligations::from_hit(h, norm, path, &r.id());
        d.extra_obligations.push(o);
    }
    d.reason(format!("{path}: names {} ({v})", r.id()));
    d.detected(&r, "file", Some(path.clone()), None, 0.6, None, v, false);
    d.verdicts.push(v);
    if !super::is_supplementary_file(path) && !matches!(&r, Resolved::Kb(e) if is_supplementary(e))
    {
        d.file_ids.insert(r.id());
        d.declared_families.insert(r.family());
    }
    d.licensed.push((r, Some(path.clone()), None));
}

/// A NOTICE or policy file that names no license and says nothing decisive:
/// its obligations only (or, with none, "keep this notice").
fn notice(d: &mut Decision, rf: &ReadFile<'_>) {
    let (norm, path, hits) = (&rf.norm, &rf.file.path, &rf.hits);
    for h in hits {
        let o = super::obligations::from_hit(h, norm, path, "unrecognised");
        d.extra_obligations.push(o);
    }
    if !hits.is_empty() {
        return;
    }
    d.reason(format!("{path}: notice text; keep it with copies"));
    d.extra_obligations.push(super::Obligation {
        kind: ObligationKind::NoticeFile,
        summary: "Keep this notice file with copies of the model.".into(),
        value: String::new(),
        file: Some(path.clone()),
        line_start: Some(1),
        line_end: Some(norm.lines_of(0, norm.len().saturating_sub(1)).1),
        quote: norm.quote(0, norm.len().saturating_sub(1).min(30), QUOTE_CHARS),
        license: "unrecognised".into(),
        inherited_from: None,
        also_cited: Vec::new(),
    });
}

/// Step 3: the card and the license files name licenses that share none (a
/// conflict: the stricter applies), or the card says `license: other` and
/// there is no license file.
pub(super) fn card_against_files(d: &mut Decision, inputs: &LicenseInputs<'_>) {
    if !d.card_ids.is_empty() && !d.file_ids.is_empty() && d.card_ids.is_disjoint(&d.file_ids) {
        let card = inputs
            .card
            .or(inputs.declared.first().map(|(c, _)| c))
            .map(|c| c.path.clone())
            .unwrap_or_default();
        let list = |ids: &std::collections::BTreeSet<String>| {
            ids.iter().cloned().collect::<Vec<_>>().join(", ")
        };
        d.findings.push(
            Finding::warning(
                Code::LicenseConflict,
                format!(
                    "the card declares {} but the license file says {}; the stricter applies",
                    list(&d.card_ids),
                    list(&d.file_ids)
                ),
            )
            .in_file(card)
            .at_optional_line(inputs.card.and_then(|c| c.lines.get("license").copied())),
        );
    }
    let Some(card) = inputs.card.filter(|_| inputs.files.is_empty()) else {
        return;
    };
    if card.license.iter().any(|l| l.eq_ignore_ascii_case("other")) {
        d.findings.push(
            Finding::warning(
                Code::LicenseMissingFile,
                "the card says `license: other` but the repository has no license file",
            )
            .in_file(&card.path)
            .at_optional_line(card.lines.get("license").copied()),
        );
    }
}

/// Short texts that only name a license ("licensed under the Apache License
/// 2.0"): the license, and the byte in the text where its name starts. Of
/// two licenses named, the one named first for the model (a sentence that
/// speaks of source code only names the code's license).
pub(super) fn referenced_license(text: &NormText) -> Option<(Resolved, usize)> {
    if text.len() > 300 {
        return None;
    }
    let for_code = |at: usize| {
        let (f, l) = text.sentence_words(at);
        names_code_only(text.words_text(f, l))
    };
    // (where, length of the name, the license)
    let mut best: Option<(usize, usize, Resolved)> = None;
    let mut consider = |at: usize, len: usize, r: Resolved| {
        if for_code(at) {
            return;
        }
        if best
            .as_ref()
            .is_none_or(|(a, l, _)| at < *a || (at == *a && len > *l))
        {
            best = Some((at, len, r));
        }
    };
    for e in &kb().entries {
        // an alias written as an id ("deepseek-model-license") is also a
        // name in words ("the DeepSeek Model License")
        let spelled = e
            .aliases
            .iter()
            .filter(|a| a.contains('-') && !a.contains(' '))
            .map(|a| a.replace('-', " "));
        let names = std::iter::once(e.name.clone())
            .chain(e.aliases.iter().filter(|a| a.contains(' ')).cloned())
            .chain(spelled);
        for name in names {
            if name.split_whitespace().count() < 3 {
                continue;
            }
            if let Some(at) = text.find(&name) {
                consider(at, name.len(), Resolved::Kb(e));
            }
        }
    }
    for n in &kb::references().spdx_name {
        if let (Some(at), Some(facts)) = (text.find(&n.name), spdx_facts::facts(&n.spdx)) {
            consider(at, n.name.len(), spdx_or_kb(facts));
        }
    }
    best.map(|(at, _, r)| (r, at))
}

/// True when a sentence that names a license speaks of source code and not
/// of the model ("The source code in this repository is separately licensed
/// under the MIT License").
pub(super) fn names_code_only(s: &str) -> bool {
    static CODE: OnceLock<(
        crate::license::pattern::Regex,
        crate::license::pattern::Regex,
    )> = OnceLock::new();
    let (code, model) = CODE.get_or_init(|| {
        let build = crate::license::pattern::re;
        (
            build(r"\b(?:source\s+)?code\b|\bscripts?\b|源代码|代码"),
            build(r"\bmodels?\b|\bweights?\b|\bcheckpoints?\b|\bparameters\b|模型|权重"),
        )
    });
    code.is_match(s) && !model.is_match(s)
}

/// Why a short text that names a license at byte `at` is not simply that
/// license: the naming is negated or limited ("unlike the MIT License",
/// "portions … are under the Apache License", "MIT License, except that …"),
/// or another sentence adds terms. `None` when it only names it.
pub(super) fn qualification(text: &NormText, at: usize) -> Option<&'static str> {
    static RULES: OnceLock<(
        crate::license::pattern::Regex,
        crate::license::pattern::Regex,
    )> = OnceLock::new();
    let (qualifier, terms) = RULES.get_or_init(|| {
        let build = |p: &str| {
            crate::license::pattern::Regex::new(p).unwrap_or_else(|e| panic!("qualification pattern: {e}"))
        };
        (
            build(r"\b(?:not|unlike|except|excluding|other than|rather than|instead of|inspired by|similar to|modelled on|modeled on|portions?|parts? of|no longer|neither|nor|but)\b|但|不随|不适用|不采用|并非|不属于|除外"),
            build(r"\b(?:not|no|only|solely|except|prohibit\w*|restrict\w*|requires?|required|must|shall|permission|proprietary|consent|approval|subscription|fees?|paid|royalt\w*|employees?|revenue|active users|users per|commercial\w*|research)\b"),
        )
    });
    // the header Apache asks for carries a benign "may not … except"
    const BENIGN: &str = "you may not use this file except in compliance with the license";
    let (f, l) = text.sentence_words(at);
    let naming = text.words_text(f, l).replace(BENIGN, "");
    if qualifier.is_match(&naming) {
        return Some("the sentence naming it qualifies it");
    }
    let adds_terms = text.sentences().into_iter().any(|(sf, sl)| {
        let s = text.words_text(sf, sl);
        sf != f
            && !s.contains(BENIGN)
            && !is_boilerplate(s)
            && terms.is_match(s)
            && !covers_other(s)
            && !super::shipped::held_apart(s)
            && !restates_license_terms(s)
            && !passes_on_notices(s)
            && !crate::license::clauses::boilerplate::courtesy_request(s)
    });
    adds_terms.then_some("the text adds terms of its own")
}

/// True when the sentence only says what the named license does not cover,
/// or where the terms of something else are set out ("This model-weight
/// license does not grant rights to third-party satellite data, …,
/// trademarks, or separately licensed materials", "Dataset terms … are
/// documented in docs/DATA.md"), that the grant covers only the rights its
/// author can license, or that third parties' terms are not waived; or what
/// the repository holds and what its code's license covers ("It does not
/// redistribute NVIDIA model weights", "That MIT license applies to this
/// implementation code only; it does not relicense NVIDIA checkpoints"): no
/// term on the use of the model itself.
fn covers_other(s: &str) -> bool {
    static OTHER: OnceLock<(
        crate::license::pattern::Regex,
        crate::license::pattern::Regex,
    )> = OnceLock::new();
    let (other, weighty) = OTHER.get_or_init(|| {
        let build = crate::license::pattern::re;
        (
            build(r"\b(?:covers|grants?|applies\s+to)\s+only\s+(?:the\s+)?rights\s+(?:that\s+)?(?:the\s+)?(?:author|licensor|copyright\s+holder|[\w-]+)\s+(?:is\s+able\s+to|can|may|has\s+the\s+right\s+to)\s+(?:license|grant)\b|\b(?:those|these|such|their)\s+(?:[\w-]+\s+)?terms\s+(?:are|remain)\s+not\s+(?:waived|affected|changed|overridden|removed)\b|\b(?:does|do|shall|will)\s+not\s+(?:grant|give|include|cover|convey|extend\s+to|apply\s+to)\b(?:\s+[\w,'-]+){0,4}?\s+(?:third[- ]party|trade\s*marks?|datasets?|data\b|separately\s+licensed)|\b(?:datasets?|third[- ]party)\s+(?:[\w-]+\s+){0,4}?(?:are|is)\s+(?:documented|described|listed|set\s+out)\s+in\b|\b(?:does|do)\s+not\s+(?:re)?distribute\b|\b(?:does|do)\s+not\s+(?:include|contain|ship|bundle|host)\s+(?:the\s+|any\s+)?(?:[\w-]+\s+){0,3}?(?:weights|checkpoints|models?)\b|\b(?:does|do|shall|will)\s+not\s+relicen[cs]e\b|\bappl(?:y|ies)\s+(?:only\s+)?to\s+(?:this\s+|the\s+)?(?:[\w-]+\s+){0,2}?(?:source\s+)?code(?:\s+only)?\b"),
            build(r"\bcommercial\w*|\brevenue\b|\bactive\s+users\b|\bfees?\b|\bpaid\b|\broyalt\w*|\bemployees?\b|\bproprietary\b|\bsubscription\b|\btrain\w*|\bmay\s+not\b|\bmust\s+not\b|\bshall\s+not\s+(?:use|be\s+used)\b"),
        )
    });
    other.is_match(s) && !weighty.is_match(s)
}

/// Why a license file's text cannot be read as text, when it cannot: empty,
/// UTF-16 (every other byte zero), binary or not in UTF-8.
fn unreadable_text(text: &str) -> Option<&'static str> {
    if text.trim().is_empty() {
        return Some("is empty");
    }
    let total = text.chars().count();
    let nul = text.chars().filter(|&c| c == '\0').count();
    let bad = text.chars().filter(|&c| c == '\u{FFFD}').count();
    if nul * 4 >= total {
        return Some("is UTF-16 or binary (a quarter or more of it is zero bytes), not UTF-8 text");
    }
    if nul > 0 || bad * 20 >= total {
        return Some("is binary or not UTF-8 text");
    }
    None
}

/// The lines holding changed words, as `line 6` or `lines 6, 9-11` (at most
/// a few ranges).
fn changed_lines(norm: &NormText, words: &[usize]) -> String {
    let mut lines: Vec<u32> = words.iter().map(|&w| norm.lines_of(w, w).0).collect();
    lines.dedup();
    let mut ranges: Vec<(u32, u32)> = Vec::new();
    for l in lines {
        match ranges.last_mut() {
            Some((_, end)) if l <= *end + 1 => *end = l.max(*end),
            _ => ranges.push((l, l)),
        }
    }
    let shown: Vec<String> = ranges
        .iter()
        .take(6)
        .map(|(a, b)| {
            if a == b {
                a.to_string()
            } else {
                format!("{a}-{b}")
            }
        })
        .collect();
    let more = if ranges.len() > 6 { ", …" } else { "" };
    let word = if matches!(ranges.as_slice(), [(a, b)] if a == b) {
        "line"
    } else {
        "lines"
    };
    format!("{word} {}{more}", shown.join(", "))
}

/// A known text under another name: the words changed inside it are a few
/// names, each put in many places (the licensor's and the product's names
/// replaced throughout). Returns those names.
fn renamed_copy(norm: &NormText, changed: &[usize]) -> Option<Vec<String>> {
    let mut names: Vec<(String, usize)> = Vec::new();
    for &w in changed {
        let word = norm
            .words_text(w, w)
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_string();
        if word.is_empty() {
            continue;
        }
        match names.iter_mut().find(|(n, _)| *n == word) {
            Some((_, count)) => *count += 1,
            None => names.push((word, 1)),
        }
    }
    let total: usize = names.iter().map(|(_, c)| c).sum();
    names.sort_by_key(|n| std::cmp::Reverse(n.1));
    // the names put in many places; a stray changed word here and there
    // (where the texts' alignment wavers) does not count against them
    names.retain(|(_, count)| *count >= 3);
    let named: usize = names.iter().map(|(_, c)| c).sum();
    let renamed = !names.is_empty() && names.len() <= 6 && named >= 6 && named * 5 >= total * 4;
    renamed.then(|| names.into_iter().map(|(n, _)| n).collect())
}

/// The strictest cap of the clauses found (`permitted` when none).
/// True when a limit the changes bring confines the licensees to academic
/// or non-profit organisations ("Permission is hereby granted to any
/// academic institution …", an MIT copy): a company can take nothing.
fn limits_licensees(norm: &NormText, hits: &[ClauseHit]) -> bool {
    hits.iter().any(|h| {
        matches!(
            h.kind,
            ObligationKind::NonCommercial | ObligationKind::ResearchOnly
        ) && crate::license::licensee::excludes_companies(norm.words_text(h.words.0, h.words.1))
    })
}

fn caps(hits: &[ClauseHit]) -> Verdict {
    hits.iter()
        .filter(|h| h.weighs())
        .map(|h| h.kind.verdict_cap())
        .fold(Verdict::Permitted, Verdict::stricter)
}
