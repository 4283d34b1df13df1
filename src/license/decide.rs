//! The license decision: card, license files and lineage → verdict, detected
//! licenses and cited obligations. Pure: the texts are handed in.
//!
//! The rules (see ARCHITECTURE.md, "License decision"):
//! - every source of evidence yields a verdict; the final verdict is the
//!   strictest of them (AND), and `unknown` when there is no evidence;
//! - a text that matches a known license takes that license's verdict, made
//!   stricter by any decisive clause in what it adds to the known text;
//! - a text that matches nothing yields only its decisive clauses, and never
//!   a verdict more permissive than `unknown`;
//! - card and files that disagree, and a declared license that differs from
//!   the base model's, are conflicts; the stricter side wins.

use super::clauses::{read_changes, read_clauses, read_clauses_in, ClauseHit};
use super::detect::{detect, is_boilerplate, Detection, RefKind, MATCH, SIMILAR};
use super::kb::{kb, LicenseEntry};
use super::lineage::{is_supplementary, lineage_of, Match as LineageMatch};
use super::spdx_facts::{self, SpdxFacts};
use super::text::NormText;
use super::verdict::{ObligationKind, Verdict};
use crate::model::card::Card;
use crate::report::finding::{Code, Finding};
use serde::Serialize;
use std::collections::BTreeSet;
use std::sync::OnceLock;

/// Residual words beyond a standard license text that, unread, make it unknown.
const UNREAD_RESIDUAL_WORDS: usize = 40;
/// Longest quote cited.
const QUOTE_CHARS: usize = 240;

/// A license-like file of the repository and its text.
#[derive(Debug, Clone)]
pub struct LicenseFile {
    /// Path relative to the model root.
    pub path: String,
    /// Its text.
    pub text: String,
}

/// The base model's license decision, when the base is at hand (`--base`).
#[derive(Debug, Clone)]
pub struct BaseLicense {
    /// How the base was named (its path or repo id).
    pub name: String,
    /// Its decision.
    pub report: LicenseReport,
}

/// Everything the decision looks at.
#[derive(Debug, Default)]
pub struct LicenseInputs<'a> {
    /// The model card.
    pub card: Option<&'a Card>,
    /// License, notice and use-policy files.
    pub files: &'a [LicenseFile],
    /// Every file path of the repository (for `license_link` checks).
    pub repo_files: &'a [String],
    /// The base model's decision, when given.
    pub base: Option<&'a BaseLicense>,
    /// Base models named outside the card (an adapter's
    /// `base_model_name_or_path`), with the file and line that name them.
    pub extra_bases: &'a [(String, String, u32)],
    /// License declarations made outside the card and read like one
    /// (a GGUF file's `general.license`, `.name`, `.link`, base models; a
    /// safetensors header's `modelspec.license`), with the source label
    /// their detections carry (`gguf`, `safetensors`).
    pub declared: &'a [(Card, &'static str)],
    /// License files of which only the beginning was read (too long): what
    /// the rest says is unknown, so the decision fails closed.
    pub truncated: &'a [String],
}

/// The runner-up of a detection.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunnerUp {
    /// Its id.
    pub id: String,
    /// Its confidence.
    pub confidence: f32,
}

/// One license found, with where and how sure.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DetectedLicense {
    /// Knowledge-base id, SPDX id, or `unrecognised`.
    pub id: String,
    /// Its name.
    pub name: String,
    /// `card`, `card:license_name`, `file`, `base_model` or `base`.
    pub source: String,
    /// The file it was found in (the card for card sources).
    pub file: Option<String>,
    /// The line, when one applies.
    pub line: Option<u32>,
    /// 0–1.
    pub confidence: f32,
    /// The next candidate when close.
    pub runner_up: Option<RunnerUp>,
    /// This license's own verdict (after clauses added to its text).
    pub verdict: Verdict,
    /// True when the text adds clauses to the license it matches.
    pub modified: bool,
    /// SPDX facts, for SPDX licenses.
    pub spdx: Option<SpdxFacts>,
}

/// One obligation, citing its clause.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Obligation {
    /// Its kind.
    pub kind: ObligationKind,
    /// What it asks.
    pub summary: String,
    /// Number, amount, regions, prefix or text (`""` when none).
    pub value: String,
    /// The file holding the clause.
    pub file: Option<String>,
    /// First line of the clause (1-based).
    pub line_start: Option<u32>,
    /// Last line of the clause.
    pub line_end: Option<u32>,
    /// The clause's words.
    pub quote: String,
    /// The license it comes from.
    pub license: String,
    /// The base model it was inherited from, when it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inherited_from: Option<String>,
}

/// The license decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LicenseReport {
    /// The commercial-use verdict.
    pub verdict: Verdict,
    /// Licenses found.
    pub detected: Vec<DetectedLicense>,
    /// Obligations, each citing its clause.
    pub obligations: Vec<Obligation>,
    /// How the verdict was reached, step by step.
    pub reasons: Vec<String>,
}

impl Default for LicenseReport {
    fn default() -> Self {
        LicenseReport {
            verdict: Verdict::Unknown,
            detected: Vec::new(),
            obligations: Vec::new(),
            reasons: Vec::new(),
        }
    }
}

/// A license an id or a text resolved to.
#[derive(Debug, Clone)]
enum Resolved {
    Kb(&'static LicenseEntry),
    Spdx(SpdxFacts),
}

impl Resolved {
    fn id(&self) -> String {
        match self {
            Resolved::Kb(e) => e.id.clone(),
            Resolved::Spdx(f) => f.id.clone(),
        }
    }
    fn name(&self) -> String {
        match self {
            Resolved::Kb(e) => e.name.clone(),
            Resolved::Spdx(f) => f.name.clone(),
        }
    }
    fn verdict(&self) -> Verdict {
        match self {
            Resolved::Kb(e) => e.verdict,
            Resolved::Spdx(f) => spdx_facts::verdict(f).0,
        }
    }
    fn family(&self) -> String {
        match self {
            Resolved::Kb(e) => e.family.clone(),
            Resolved::Spdx(f) => f.id.clone(),
        }
    }
}

/// The id and verdict a license id names (knowledge-base id, Hub id, alias or
/// SPDX id), as the decision resolves card values.
pub fn resolve_license(id: &str) -> Option<(String, Verdict)> {
    resolve_id(id).map(|r| (r.id(), r.verdict()))
}

/// Resolves a knowledge-base or SPDX id (Hub ids, aliases and imprecise SPDX spellings too).
fn resolve_id(id: &str) -> Option<Resolved> {
    let kb = kb();
    if let Some(h) = kb.hub_id(id) {
        if let Some(e) = kb.get(&h.kb) {
            return Some(Resolved::Kb(e));
        }
        if let Some(f) = spdx_facts::facts(&h.spdx) {
            return Some(spdx_or_kb(f));
        }
    }
    if let Some(e) = kb.lookup(id) {
        return Some(Resolved::Kb(e));
    }
    spdx_facts::facts(id).map(spdx_or_kb)
}

/// An SPDX license that has a knowledge-base entry (CC-BY-NC-*) resolves to the entry.
fn spdx_or_kb(f: SpdxFacts) -> Resolved {
    match kb().entries.iter().find(|e| e.spdx == f.id) {
        Some(e) => Resolved::Kb(e),
        None => Resolved::Spdx(f),
    }
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

/// Resolves a card `license` value: an id, or an SPDX expression (AND takes
/// the strictest verdict, OR the most permissive branch).
fn resolve_card_value(value: &str) -> Option<(Vec<Resolved>, Verdict)> {
    if let Some(r) = resolve_id(value) {
        let v = r.verdict();
        return Some((vec![r], v));
    }
    let tokens = expression_tokens(value);
    if !tokens
        .iter()
        .any(|t| ["or", "and", "with"].iter().any(|op| is_operator(t, op)))
    {
        return None;
    }
    let mut leaves = Vec::new();
    let mut at = 0;
    let verdict = parse_or(&tokens, &mut at, &mut leaves, 0)?;
    (at == tokens.len()).then_some((leaves, verdict))
}

/// An SPDX expression's tokens: parentheses, and the words between them.
fn expression_tokens(value: &str) -> Vec<String> {
    value
        .replace('(', " ( ")
        .replace(')', " ) ")
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// SPDX operators are case-insensitive in practice: Hub cards write `or`.
fn is_operator(token: &str, op: &str) -> bool {
    token.eq_ignore_ascii_case(op)
}

/// Deepest nesting of parentheses read.
const MAX_EXPRESSION_DEPTH: usize = 16;

/// `a OR b OR …`: the most permissive branch (the policy picks one).
fn parse_or(
    tokens: &[String],
    at: &mut usize,
    leaves: &mut Vec<Resolved>,
    depth: usize,
) -> Option<Verdict> {
    let mut verdict = parse_and(tokens, at, leaves, depth)?;
    while tokens.get(*at).is_some_and(|t| is_operator(t, "or")) {
        *at += 1;
        let other = parse_and(tokens, at, leaves, depth)?;
        if verdict.stricter(other) == verdict {
            verdict = other;
        }
    }
    Some(verdict)
}

/// `a AND b AND …`: the strictest.
fn parse_and(
    tokens: &[String],
    at: &mut usize,
    leaves: &mut Vec<Resolved>,
    depth: usize,
) -> Option<Verdict> {
    let mut verdict = parse_term(tokens, at, leaves, depth)?;
    while tokens.get(*at).is_some_and(|t| is_operator(t, "and")) {
        *at += 1;
        verdict = verdict.stricter(parse_term(tokens, at, leaves, depth)?);
    }
    Some(verdict)
}

/// `( expr )`, or a license id with an optional `WITH exception` (the
/// exception only adds permissions, so the license decides).
fn parse_term(
    tokens: &[String],
    at: &mut usize,
    leaves: &mut Vec<Resolved>,
    depth: usize,
) -> Option<Verdict> {
    let token = tokens.get(*at)?;
    *at += 1;
    if token == "(" {
        if depth >= MAX_EXPRESSION_DEPTH {
            return None;
        }
        let v = parse_or(tokens, at, leaves, depth + 1)?;
        if tokens.get(*at).map(String::as_str) != Some(")") {
            return None;
        }
        *at += 1;
        return Some(v);
    }
    if token == ")"
        || ["or", "and", "with"]
            .iter()
            .any(|op| is_operator(token, op))
    {
        return None;
    }
    if tokens.get(*at).is_some_and(|t| is_operator(t, "with")) {
        *at += 1;
        tokens.get(*at)?;
        *at += 1;
    }
    let resolved = resolve_id(token.trim_end_matches('+'));
    let verdict = resolved
        .as_ref()
        .map_or(Verdict::Unknown, Resolved::verdict);
    leaves.extend(resolved);
    Some(verdict)
}

fn is_supplementary_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    name.starts_with("notice")
        || name.starts_with("use_policy")
        || name.starts_with("responsible_use")
}

/// Short texts that only name a license ("licensed under the Apache License
/// 2.0"): the license, and the byte in the text where its name starts.
fn referenced_license(text: &NormText) -> Option<(Resolved, usize)> {
    if text.len() > 300 {
        return None;
    }
    let kb = kb();
    let mut best: Option<(usize, &'static LicenseEntry, usize)> = None;
    for e in &kb.entries {
        for name in std::iter::once(&e.name).chain(e.aliases.iter().filter(|a| a.contains(' '))) {
            if name.split_whitespace().count() < 3 {
                continue;
            }
            if let Some(at) = text.find(name) {
                let len = name.len();
                if best.is_none_or(|(l, _, _)| len > l) {
                    best = Some((len, e, at));
                }
            }
        }
    }
    if let Some((_, e, at)) = best {
        return Some((Resolved::Kb(e), at));
    }
    const SPDX_NAMES: &[(&str, &str)] = &[
        ("apache license, version 2.0", "Apache-2.0"),
        ("apache license 2.0", "Apache-2.0"),
        ("apache 2.0 license", "Apache-2.0"),
        ("mit license", "MIT"),
        ("bsd 3-clause", "BSD-3-Clause"),
        ("bsd 2-clause", "BSD-2-Clause"),
        ("creative commons attribution 4.0", "CC-BY-4.0"),
        ("gnu general public license v3", "GPL-3.0-only"),
    ];
    SPDX_NAMES.iter().find_map(|(n, id)| {
        let at = text.find(n)?;
        Some((spdx_or_kb(spdx_facts::facts(id)?), at))
    })
}

/// Why a short text that names a license at byte `at` is not simply that
/// license: the naming is negated or limited ("unlike the MIT License",
/// "portions … are under the Apache License", "MIT License, except that …"),
/// or another sentence adds terms. `None` when it only names it.
fn qualification(text: &NormText, at: usize) -> Option<&'static str> {
    static RULES: OnceLock<(regex::Regex, regex::Regex)> = OnceLock::new();
    let (qualifier, terms) = RULES.get_or_init(|| {
        let build = |p: &str| {
            regex::Regex::new(p).unwrap_or_else(|e| panic!("qualification pattern: {e}"))
        };
        (
            build(r"\b(?:not|unlike|except|excluding|other than|rather than|instead of|inspired by|similar to|modelled on|modeled on|portions?|parts? of|no longer|neither|nor|but)\b"),
            build(r"\b(?:not|no|only|solely|except|prohibit\w*|restrict\w*|requires?|required|must|shall|permission|proprietary|consent|approval|subscription|fees?|paid|royalt\w*|employees?|revenue|users|commercial\w*|research)\b"),
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
        sf != f && !s.contains(BENIGN) && !is_boilerplate(s) && terms.is_match(s)
    });
    adds_terms.then_some("the text adds terms of its own")
}

/// A cited clause: (file, first line, last line, quote).
type Citation = (String, u32, u32, String);

/// Finds an obligation's clause in the files: its locate phrases first (in
/// order, preferring `prefer`), else a clause the reader found of the same kind.
fn cite(
    locate: &[String],
    kind: ObligationKind,
    files: &[(&LicenseFile, NormText, Vec<ClauseHit>)],
    prefer: Option<&str>,
) -> Option<(Citation, String)> {
    let order = || {
        files
            .iter()
            .filter(move |(f, _, _)| Some(f.path.as_str()) == prefer)
            .chain(
                files
                    .iter()
                    .filter(move |(f, _, _)| Some(f.path.as_str()) != prefer),
            )
    };
    for (file, norm, _) in order() {
        for phrase in locate {
            if let Some(at) = norm.find(phrase) {
                let (f, l) = norm.sentence_words(at);
                let (_, end) = norm.lines_of(f, l);
                let start = norm.line_at(at);
                // the value the user's text states in that clause
                let value = read_clauses_in(norm, &[(f, l)])
                    .into_iter()
                    .find(|h| h.kind == kind)
                    .map(|h| h.value)
                    .unwrap_or_default();
                return Some((
                    (
                        file.path.clone(),
                        start,
                        end.max(start),
                        norm.quote(f, l, QUOTE_CHARS),
                    ),
                    value,
                ));
            }
        }
    }
    for (file, norm, hits) in order() {
        if let Some(h) = hits.iter().find(|h| h.kind == kind) {
            let (s, e) = norm.lines_of(h.words.0, h.words.1);
            return Some((
                (
                    file.path.clone(),
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

/// Decides the license of a model.
pub fn decide(inputs: &LicenseInputs<'_>) -> (LicenseReport, Vec<Finding>) {
    let mut report = LicenseReport::default();
    let mut findings = Vec::new();
    let mut verdicts: Vec<Verdict> = Vec::new();
    // (resolved, source file for obligations, card citation)
    let mut licensed: Vec<(Resolved, Option<String>, Option<Citation>)> = Vec::new();
    let mut card_ids: BTreeSet<String> = BTreeSet::new();
    let mut file_ids: BTreeSet<String> = BTreeSet::new();
    let mut declared_families: BTreeSet<String> = BTreeSet::new();

    let files: Vec<(&LicenseFile, NormText, Vec<ClauseHit>)> = inputs
        .files
        .iter()
        .map(|f| {
            let norm = NormText::new(&f.text);
            let hits = read_clauses(&norm);
            (f, norm, hits)
        })
        .collect();

    // 1. The card, and declarations read like one (GGUF metadata, a
    //    safetensors header's `__metadata__`).
    let declarations = inputs
        .card
        .map(|c| (c, "card"))
        .into_iter()
        .chain(inputs.declared.iter().map(|(c, label)| (c, *label)));
    // What each declaration resolved to, to flag declarations that disagree.
    let mut declared_ids: Vec<(String, &'static str, BTreeSet<String>)> = Vec::new();
    for (card, label) in declarations {
        let earlier_ids = std::mem::take(&mut card_ids);
        let label_name = format!("{label}:license_name");
        let line = card.lines.get("license").copied();
        let card_cite = |value: &str| -> Citation {
            let l = line.unwrap_or(1);
            (card.path.clone(), l, l, format!("license: {value}"))
        };
        for value in &card.license {
            let lower = value.to_ascii_lowercase();
            if lower == "other" || lower == "unknown" {
                let named = card.license_name.as_deref().and_then(resolve_id);
                match named {
                    Some(r) => {
                        report.reasons.push(format!(
                            "{label}: license other, license_name `{}` → {} ({})",
                            card.license_name.as_deref().unwrap_or(""),
                            r.id(),
                            r.verdict()
                        ));
                        push_detected(
                            &mut report,
                            &r,
                            &label_name,
                            Some(card.path.clone()),
                            card.lines.get("license_name").copied(),
                            0.9,
                            None,
                            r.verdict(),
                            false,
                        );
                        verdicts.push(r.verdict());
                        card_ids.insert(r.id());
                        declared_families.insert(r.family());
                        let l = card.lines.get("license_name").copied().unwrap_or(1);
                        let cite = (
                            card.path.clone(),
                            l,
                            l,
                            format!(
                                "license_name: {}",
                                card.license_name.as_deref().unwrap_or("")
                            ),
                        );
                        licensed.push((r, None, Some(cite)));
                    }
                    None => {
                        report.reasons.push(format!(
                            "{label}: license `{value}`{}",
                            card.license_name
                                .as_deref()
                                .map(|n| format!(", license_name `{n}` not in the knowledge base"))
                                .unwrap_or_default()
                        ));
                    }
                }
                if lower == "other" {
                    check_license_link(card, inputs, &mut findings);
                }
                continue;
            }
            match resolve_card_value(value) {
                Some((leaves, verdict)) => {
                    report.reasons.push(format!(
                        "{label}: license `{value}` → {} ({verdict})",
                        leaves
                            .iter()
                            .map(Resolved::id)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                    verdicts.push(verdict);
                    for r in leaves {
                        push_detected(
                            &mut report,
                            &r,
                            label,
                            Some(card.path.clone()),
                            line,
                            1.0,
                            None,
                            r.verdict(),
                            false,
                        );
                        card_ids.insert(r.id());
                        declared_families.insert(r.family());
                        licensed.push((r, None, Some(card_cite(value))));
                    }
                }
                None => {
                    report.reasons.push(format!(
                        "{label}: license `{value}` is not a known identifier"
                    ));
                    verdicts.push(Verdict::Unknown);
                    findings.push(
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
        declared_ids.push((card.path.clone(), label, card_ids.clone()));
        card_ids.extend(earlier_ids);
    }
    declarations_disagree(&declared_ids, inputs.card, &mut findings);

    // 1b. The card's body: a "License" section that says more than the front matter.
    let mut extra_obligations: Vec<Obligation> = Vec::new();
    if let Some(card) = inputs.card {
        read_card_section(
            card,
            &card_ids,
            &mut verdicts,
            &mut report,
            &mut findings,
            &mut licensed,
            &mut extra_obligations,
        );
    }

    // 2. The license files.
    for path in inputs.truncated {
        report.reasons.push(format!(
            "{path}: only its beginning was read (the file is too long); what follows is unknown"
        ));
        verdicts.push(Verdict::Unknown);
        findings.push(
            Finding::warning(
                Code::LicenseUnread,
                "the license file is longer than mri reads; only its beginning was read, so the verdict is unknown",
            )
            .in_file(path),
        );
    }
    for (file, norm, hits) in &files {
        if let Some(why) = unreadable_text(&file.text) {
            report
                .reasons
                .push(format!("{}: {why}; its terms cannot be read", file.path));
            verdicts.push(Verdict::Unknown);
            findings.push(
                Finding::warning(
                    Code::LicenseUnread,
                    format!("the license file {why}; its terms cannot be read, so the verdict is unknown"),
                )
                .in_file(&file.path),
            );
            report.detected.push(DetectedLicense {
                id: "unrecognised".into(),
                name: "unreadable text".into(),
                source: "file".into(),
                file: Some(file.path.clone()),
                line: None,
                confidence: 0.0,
                runner_up: None,
                verdict: Verdict::Unknown,
                modified: false,
                spdx: None,
            });
            continue;
        }
        let supplementary = is_supplementary_file(&file.path);
        let d: Detection = detect(norm);
        let best = d.best.clone();
        let runner_up = d.runner_up.as_ref().map(|r| RunnerUp {
            id: r.id.clone(),
            confidence: round2(r.score),
        });
        let resolved = best.as_ref().and_then(|b| match b.kind {
            RefKind::Kb => kb().get(&b.id).map(Resolved::Kb),
            RefKind::Spdx => spdx_facts::facts(&b.id).map(spdx_or_kb),
        });
        match (best, resolved) {
            (Some(b), Some(r)) if b.score >= MATCH => {
                let mut residual_hits = read_clauses_in(norm, &d.residual);
                // Clauses that words changed inside the known text bring.
                for h in read_changes(norm, &d.changed_words) {
                    if !residual_hits
                        .iter()
                        .any(|r| r.kind == h.kind && r.words == h.words)
                    {
                        residual_hits.push(h);
                    }
                }
                let mut verdict = r.verdict();
                for h in &residual_hits {
                    verdict = verdict.stricter(h.kind.verdict_cap());
                }
                let unread = matches!(r, Resolved::Spdx(_))
                    && residual_hits.is_empty()
                    && d.unexplained_words >= UNREAD_RESIDUAL_WORDS;
                if unread {
                    verdict = verdict.stricter(Verdict::Unknown);
                    findings.push(
                        Finding::warning(
                            Code::LicenseUnknown,
                            format!("matches {} but adds {} words of terms that mri cannot read; treated as unknown", r.id(), d.unexplained_words),
                        )
                        .in_file(&file.path),
                    );
                }
                // A version without a bundled text is compared with a
                // sibling's, whose version, dates and links differ anyway:
                // there only the clauses the changes bring count.
                let own_text = !matches!(&r, Resolved::Kb(e) if e.text_file.is_empty());
                let modified = !residual_hits.is_empty()
                    || unread
                    || (own_text && !d.changed_words.is_empty());
                let changed_lines = changed_lines(norm, &d.changed_words);
                report.reasons.push(format!(
                    "{}: matches {} ({:.2}){}{}",
                    file.path,
                    r.id(),
                    b.score,
                    if !residual_hits.is_empty() || unread {
                        format!(", with added clauses (text differs at {changed_lines})")
                    } else if modified {
                        format!(", text differs at {changed_lines}")
                    } else {
                        String::new()
                    },
                    if verdict != r.verdict() {
                        format!(" → {verdict}")
                    } else {
                        String::new()
                    }
                ));
                push_detected(
                    &mut report,
                    &r,
                    "file",
                    Some(file.path.clone()),
                    None,
                    round2(b.score),
                    runner_up,
                    verdict,
                    modified,
                );
                verdicts.push(verdict);
                let supplementary_doc =
                    supplementary || matches!(&r, Resolved::Kb(e) if is_supplementary(e));
                if !supplementary_doc {
                    file_ids.insert(r.id());
                    declared_families.insert(r.family());
                }
                for h in residual_hits {
                    extra_obligations.push(obligation_from_hit(&h, norm, &file.path, &r.id()));
                }
                licensed.push((r, Some(file.path.clone()), None));
            }
            (best, resolved) => {
                // Not a match: a short reference to a license, a similar text, or unknown.
                let mut verdict = Verdict::Unknown;
                for h in hits {
                    verdict = verdict.stricter(h.kind.verdict_cap());
                }
                let named = referenced_license(norm);
                let qualified = named.as_ref().and_then(|(_, at)| qualification(norm, *at));
                if let (Some((r, _)), Some(why)) = (&named, &qualified) {
                    report.reasons.push(format!(
                        "{}: names {} but {why}; not taken as {}",
                        file.path,
                        r.id(),
                        r.id()
                    ));
                }
                let reference = named.filter(|_| qualified.is_none()).map(|(r, _)| r);
                if let Some(r) = reference {
                    let v = r.verdict().stricter(caps(hits));
                    // the clauses that make it stricter, cited
                    for h in hits
                        .iter()
                        .filter(|h| h.kind.verdict_cap().rank() < r.verdict().rank())
                    {
                        extra_obligations.push(obligation_from_hit(h, norm, &file.path, &r.id()));
                    }
                    report
                        .reasons
                        .push(format!("{}: names {} ({v})", file.path, r.id()));
                    push_detected(
                        &mut report,
                        &r,
                        "file",
                        Some(file.path.clone()),
                        None,
                        0.6,
                        None,
                        v,
                        false,
                    );
                    verdicts.push(v);
                    if !supplementary && !matches!(&r, Resolved::Kb(e) if is_supplementary(e)) {
                        file_ids.insert(r.id());
                        declared_families.insert(r.family());
                    }
                    licensed.push((r, Some(file.path.clone()), None));
                    continue;
                }
                let similar = best.as_ref().filter(|b| b.score >= SIMILAR);
                if let (Some(b), Some(r)) = (similar, resolved.as_ref()) {
                    verdict = verdict.stricter(r.verdict());
                    report.reasons.push(format!(
                        "{}: only similar to {} ({:.2}); its own clauses decide → {verdict}",
                        file.path,
                        r.id(),
                        b.score
                    ));
                } else {
                    report.reasons.push(format!(
                        "{}: matches no known license; its clauses → {verdict}",
                        file.path
                    ));
                }
                let decisive = hits
                    .iter()
                    .any(|h| h.kind.verdict_cap() != Verdict::Permitted);
                if supplementary && !decisive {
                    // a NOTICE or policy file that names no license: obligations only
                    for h in hits {
                        extra_obligations.push(obligation_from_hit(
                            h,
                            norm,
                            &file.path,
                            "unrecognised",
                        ));
                    }
                    if hits.is_empty() {
                        report
                            .reasons
                            .push(format!("{}: notice text; keep it with copies", file.path));
                        extra_obligations.push(Obligation {
                            kind: ObligationKind::NoticeFile,
                            summary: "Keep this notice file with copies of the model.".into(),
                            value: String::new(),
                            file: Some(file.path.clone()),
                            line_start: Some(1),
                            line_end: Some(norm.lines_of(0, norm.len().saturating_sub(1)).1),
                            quote: norm.quote(0, norm.len().saturating_sub(1).min(30), QUOTE_CHARS),
                            license: "unrecognised".into(),
                            inherited_from: None,
                        });
                    }
                    continue;
                }
                findings.push(
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
                    .in_file(&file.path),
                );
                report.detected.push(DetectedLicense {
                    id: "unrecognised".into(),
                    name: similar
                        .map(|b| format!("unrecognised text (closest: {})", b.id))
                        .unwrap_or_else(|| "unrecognised text".into()),
                    source: "file".into(),
                    file: Some(file.path.clone()),
                    line: None,
                    confidence: similar.map_or(0.0, |b| round2(b.score)),
                    runner_up: None,
                    verdict,
                    modified: false,
                    spdx: None,
                });
                verdicts.push(verdict);
                for h in hits {
                    extra_obligations.push(obligation_from_hit(
                        h,
                        norm,
                        &file.path,
                        "unrecognised",
                    ));
                }
            }
        }
    }

    // 3. Card against files.
    if !card_ids.is_empty() && !file_ids.is_empty() && card_ids.is_disjoint(&file_ids) {
        let card = inputs
            .card
            .or(inputs.declared.first().map(|(c, _)| c))
            .map(|c| c.path.clone())
            .unwrap_or_default();
        findings.push(
            Finding::warning(
                Code::LicenseConflict,
                format!(
                    "the card declares {} but the license file says {}; the stricter applies",
                    card_ids.iter().cloned().collect::<Vec<_>>().join(", "),
                    file_ids.iter().cloned().collect::<Vec<_>>().join(", ")
                ),
            )
            .in_file(card)
            .at_optional_line(inputs.card.and_then(|c| c.lines.get("license").copied())),
        );
    }
    if inputs.files.is_empty() {
        if let Some(card) = inputs.card {
            if card.license.iter().any(|l| l.eq_ignore_ascii_case("other")) {
                findings.push(
                    Finding::warning(
                        Code::LicenseMissingFile,
                        "the card says `license: other` but the repository has no license file",
                    )
                    .in_file(&card.path)
                    .at_optional_line(card.lines.get("license").copied()),
                );
            }
        }
    }

    // 4. Lineage.
    let mut inherited: Vec<(Resolved, String, Citation)> = Vec::new();
    let mut named: Vec<(String, Citation)> = Vec::new();
    for card in inputs
        .card
        .into_iter()
        .chain(inputs.declared.iter().map(|(c, _)| c))
    {
        let line = card.lines.get("base_model").copied().unwrap_or(1);
        for base in &card.base_model {
            if named.iter().any(|(b, _)| b.eq_ignore_ascii_case(base)) {
                continue;
            }
            named.push((
                base.clone(),
                (card.path.clone(), line, line, format!("base_model: {base}")),
            ));
        }
    }
    for (base, file, line) in inputs.extra_bases {
        if !named.iter().any(|(b, _)| b.eq_ignore_ascii_case(base)) {
            named.push((
                base.clone(),
                (
                    file.clone(),
                    *line,
                    *line,
                    format!("base_model_name_or_path: {base}"),
                ),
            ));
        }
    }
    for (base, cite) in named {
        // A knowledge-base match by the repo id wins; a match of the name
        // alone (a re-upload) yields to the table of SPDX base models when
        // that table knows the whole repo id.
        let spdx_base = super::base_models::family_of(&base);
        let kb_base = lineage_of(&base).filter(|(_, how)| {
            *how != LineageMatch::NameOnly || !matches!(spdx_base, Some((_, LineageMatch::RepoId)))
        });
        if let Some((e, how)) = kb_base {
            if how == LineageMatch::NameOnly {
                report.reasons.push(format!(
                    "base model {base}: matched {} by its name (a re-upload)",
                    e.id
                ));
            }
            inherited.push((Resolved::Kb(e), base, cite));
        } else if let Some((family, facts)) =
            spdx_base.and_then(|(f, _)| Some((f, super::spdx_facts::facts(&f.spdx)?)))
        {
            report.reasons.push(format!(
                "base model {base}: {} by mri's table of base models ({})",
                facts.id, family.source
            ));
            inherited.push((Resolved::Spdx(facts), base, cite));
        } else if inputs.base.is_none() {
            // A derivative carries its base's terms; unknown terms may be
            // restrictive, so the verdict cannot be better than approval.
            report.reasons.push(format!(
                "base model {base}: its license is not known offline → at most requires-approval until it is checked"
            ));
            verdicts.push(Verdict::RequiresApproval);
            findings.push(
                Finding::warning(
                    Code::LicenseBaseUnknown,
                    format!(
                        "base model {base}: mri cannot establish its license offline, and a derivative carries its base's terms; check the base's license (e.g. with --base) before commercial use"
                    ),
                )
                .in_file(&cite.0)
                .at_line(cite.1),
            );
        }
    }
    for (r, base, cite) in &inherited {
        verdicts.push(r.verdict());
        push_detected(
            &mut report,
            r,
            "base_model",
            Some(cite.0.clone()),
            Some(cite.1),
            0.9,
            None,
            r.verdict(),
            false,
        );
        report
            .reasons
            .push(format!("base model {base}: {} ({})", r.id(), r.verdict()));
        let same = declared_families.contains(&r.family());
        findings.push(
            Finding::info(
                Code::LicenseInherited,
                format!(
                    "base model {base} is under {}; its obligations apply to this derivative",
                    r.id()
                ),
            )
            .in_file(&cite.0)
            .at_line(cite.1),
        );
        if !same && !declared_families.is_empty() {
            findings.push(
                Finding::warning(
                    Code::LicenseConflict,
                    format!(
                        "declared {} but the base model {base} is under {}; a derivative carries the base's terms, and the stricter applies",
                        declared_families.iter().cloned().collect::<Vec<_>>().join(", "),
                        r.id()
                    ),
                )
                .in_file(&cite.0)
                .at_line(cite.1),
            );
        }
    }
    if let Some(base) = inputs.base {
        verdicts.push(base.report.verdict);
        report
            .reasons
            .push(format!("base {}: {}", base.name, base.report.verdict));
        for d in &base.report.detected {
            let mut d = d.clone();
            d.source = "base".into();
            d.file = d.file.map(|f| format!("{}/{f}", base.name));
            report.detected.push(d);
        }
        for o in &base.report.obligations {
            let mut o = o.clone();
            o.inherited_from = Some(base.name.clone());
            o.file = o.file.map(|f| format!("{}/{f}", base.name));
            report.obligations.push(o);
        }
        findings.push(Finding::info(
            Code::LicenseInherited,
            format!(
                "base {} decides {}; its obligations apply to this derivative",
                base.name, base.report.verdict
            ),
        ));
    }

    // 5. Obligations of every license found, cited.
    for (r, file, card_cite) in &licensed {
        push_obligations(
            &mut report,
            r,
            file.as_deref(),
            card_cite.as_ref(),
            None,
            &files,
        );
    }
    for (r, base, cite) in &inherited {
        push_obligations(&mut report, r, None, Some(cite), Some(base), &files);
    }
    report.obligations.extend(extra_obligations);
    dedup_obligations(&mut report.obligations);

    // 6. The verdict.
    report.verdict = match verdicts.iter().copied().reduce(Verdict::stricter) {
        Some(v) => v,
        None => {
            findings.push(Finding::warning(
                Code::LicenseUnknown,
                "no license: the card declares none and there is no license file",
            ));
            Verdict::Unknown
        }
    };
    if report.verdict == Verdict::Unknown
        && !findings.iter().any(|f| f.code == Code::LicenseUnknown)
    {
        findings.push(Finding::warning(
            Code::LicenseUnknown,
            "the license could not be determined; treat the model as not cleared for commercial use",
        ));
    }
    report.reasons.push(format!(
        "verdict: {} (the strictest of {} source{})",
        report.verdict,
        verdicts.len(),
        if verdicts.len() == 1 { "" } else { "s" }
    ));
    (report, findings)
}

/// Reads the card body's license section: the license it names (unless it
/// negates or qualifies it) and its decisive clauses (non-commercial,
/// research-only, approval). A section that says neither is left alone; one
/// whose license differs from the front matter's is a conflict, and the
/// stricter applies.
fn read_card_section(
    card: &Card,
    card_ids: &BTreeSet<String>,
    verdicts: &mut Vec<Verdict>,
    report: &mut LicenseReport,
    findings: &mut Vec<Finding>,
    licensed: &mut Vec<(Resolved, Option<String>, Option<Citation>)>,
    extra_obligations: &mut Vec<Obligation>,
) {
    let Some(section) = &card.license_section else {
        return;
    };
    let norm = NormText::new(&section.text);
    let hits = read_clauses(&norm);
    let named = referenced_license(&norm).filter(|(_, at)| qualification(&norm, *at).is_none());
    let decisive: Vec<&ClauseHit> = hits
        .iter()
        .filter(|h| h.kind.verdict_cap().rank() <= Verdict::RequiresApproval.rank())
        .collect();
    let clause_cap = decisive
        .iter()
        .map(|h| h.kind.verdict_cap())
        .fold(Verdict::Permitted, Verdict::stricter);
    let front = verdicts.iter().copied().reduce(Verdict::stricter);
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
    report.reasons.push(format!(
        "{}: its License section (line {line}) says {says} → {verdict}",
        card.path
    ));
    if let Some((r, _)) = &named {
        push_detected(
            report,
            r,
            "card:body",
            Some(card.path.clone()),
            Some(line),
            0.6,
            None,
            verdict,
            false,
        );
        let (first, last) = named
            .as_ref()
            .map_or((0, 0), |(_, at)| norm.sentence_words(*at));
        let quote = norm.quote(first, last, QUOTE_CHARS);
        licensed.push((
            r.clone(),
            None,
            Some((card.path.clone(), line, line, quote)),
        ));
    }
    for h in &decisive {
        extra_obligations.push(obligation_from_hit(
            h,
            &norm,
            &card.path,
            &named
                .as_ref()
                .map_or("unrecognised".to_string(), |(r, _)| r.id()),
        ));
    }
    verdicts.push(verdict);
    let differs = match &named {
        Some((r, _)) => !card_ids.is_empty() && !card_ids.contains(&r.id()),
        None => false,
    } || front.is_some_and(|f| verdict.rank() < f.rank());
    if differs {
        findings.push(
            Finding::warning(
                Code::LicenseConflict,
                format!(
                    "the card's front matter declares {} but its License section says {says}; the stricter applies",
                    if card_ids.is_empty() {
                        "no license".to_string()
                    } else {
                        card_ids.iter().cloned().collect::<Vec<_>>().join(", ")
                    }
                ),
            )
            .in_file(&card.path)
            .at_line(line),
        );
    }
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

fn caps(hits: &[ClauseHit]) -> Verdict {
    hits.iter()
        .map(|h| h.kind.verdict_cap())
        .fold(Verdict::Permitted, Verdict::stricter)
}

fn round2(x: f32) -> f32 {
    (x * 100.0).round() / 100.0
}

#[allow(clippy::too_many_arguments)]
fn push_detected(
    report: &mut LicenseReport,
    r: &Resolved,
    source: &str,
    file: Option<String>,
    line: Option<u32>,
    confidence: f32,
    runner_up: Option<RunnerUp>,
    verdict: Verdict,
    modified: bool,
) {
    let spdx = match r {
        Resolved::Spdx(f) => Some(f.clone()),
        Resolved::Kb(e) if !e.spdx.is_empty() => spdx_facts::facts(&e.spdx),
        Resolved::Kb(_) => None,
    };
    report.detected.push(DetectedLicense {
        id: r.id(),
        name: r.name(),
        source: source.into(),
        file,
        line,
        confidence,
        runner_up,
        verdict,
        modified,
        spdx,
    });
}

fn obligation_from_hit(h: &ClauseHit, norm: &NormText, path: &str, license: &str) -> Obligation {
    let (s, e) = norm.lines_of(h.words.0, h.words.1);
    Obligation {
        kind: h.kind,
        summary: format!("The text imposes a {} clause.", h.kind),
        value: h.value.clone(),
        file: Some(path.to_string()),
        line_start: Some(s),
        line_end: Some(e),
        quote: norm.quote(h.words.0, h.words.1, QUOTE_CHARS),
        license: license.to_string(),
        inherited_from: None,
    }
}

fn push_obligations(
    report: &mut LicenseReport,
    r: &Resolved,
    file: Option<&str>,
    card_cite: Option<&Citation>,
    inherited_from: Option<&String>,
    files: &[(&LicenseFile, NormText, Vec<ClauseHit>)],
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
        let found = cite(&locate, kind, files, file);
        let (citation, found_value) = match (found, card_cite) {
            (Some((c, v)), _) => (Some(c), v),
            (None, Some(c)) => (Some(c.clone()), String::new()),
            (None, None) => (None, String::new()),
        };
        // A threshold is the number the user's text states, not the one the
        // knowledge base remembers: an edited "700 million" is cited as edited.
        let value = if value.is_empty() || (is_threshold(kind) && differs(&value, &found_value)) {
            found_value
        } else {
            value
        };
        report.obligations.push(Obligation {
            kind,
            summary,
            value,
            file: citation.as_ref().map(|c| c.0.clone()),
            line_start: citation.as_ref().map(|c| c.1),
            line_end: citation.as_ref().map(|c| c.2),
            quote: citation.map(|c| c.3).unwrap_or_default(),
            license: r.id(),
            inherited_from: inherited_from.cloned(),
        });
    }
}

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
