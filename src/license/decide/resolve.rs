//! Ids and expressions resolved to licenses: knowledge-base entries, Hub
//! ids, aliases and SPDX ids; AND/OR/WITH expressions of a card's value.

use crate::license::kb::{kb, LicenseEntry};
use crate::license::spdx_facts::{self, SpdxFacts};
use crate::license::verdict::Verdict;

/// A license an id or a text resolved to.
#[derive(Debug, Clone)]
pub(super) enum Resolved {
    Kb(&'static LicenseEntry),
    Spdx(SpdxFacts),
}

impl Resolved {
    /// The SPDX facts of an SPDX license, or of an entry with an SPDX id.
    pub(super) fn spdx(&self) -> Option<SpdxFacts> {
        match self {
            Resolved::Spdx(f) => Some(f.clone()),
            Resolved::Kb(e) if !e.spdx.is_empty() => spdx_facts::facts(&e.spdx),
            Resolved::Kb(_) => None,
        }
    }
    pub(super) fn id(&self) -> String {
        match self {
            Resolved::Kb(e) => e.id.clone(),
            Resolved::Spdx(f) => f.id.clone(),
        }
    }
    pub(super) fn name(&self) -> String {
        match self {
            Resolved::Kb(e) => e.name.clone(),
            Resolved::Spdx(f) => f.name.clone(),
        }
    }
    pub(super) fn verdict(&self) -> Verdict {
        match self {
            Resolved::Kb(e) => e.verdict,
            Resolved::Spdx(f) => spdx_facts::verdict(f).0,
        }
    }
    pub(super) fn family(&self) -> String {
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
pub(super) fn resolve_id(id: &str) -> Option<Resolved> {
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
pub(super) fn spdx_or_kb(f: SpdxFacts) -> Resolved {
    match kb().entries.iter().find(|e| e.spdx == f.id) {
        Some(e) => Resolved::Kb(e),
        None => Resolved::Spdx(f),
    }
}

/// Resolves a card `license` value: an id, or an SPDX expression (AND takes
/// the strictest verdict, OR the most permissive branch).
pub(super) fn resolve_card_value(value: &str) -> Option<(Vec<Resolved>, Verdict)> {
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
