//! The license decision: card, license files, lineage and the policy's
//! clarifications → verdict, detected licenses and cited obligations. Pure:
//! the texts (and which clarifications hold) are handed in.
//!
//! The rules (see ARCHITECTURE.md, "License decision"):
//! - every source of evidence yields a verdict; the final verdict is the
//!   strictest of them (AND), and `unknown` when there is no evidence;
//! - a text that matches a known license takes that license's verdict, made
//!   stricter by any decisive clause in what it adds to the known text;
//! - a text that matches nothing yields only its decisive clauses, and never
//!   a verdict more permissive than `unknown`;
//! - card and files that disagree, and a declared license that differs from
//!   the base model's, are conflicts; the stricter side wins;
//! - a policy clarification replaces the reading of the one file it names and
//!   nothing else: every other source and cap keeps its effect.
//!
//! [`decide`] is a short driver over one step per file: [`card`] (the front
//! matter, GGUF and safetensors declarations, the card's License section),
//! [`files`] (each license file, or its clarification), [`bases`] (lineage),
//! [`obligations`] (every license's obligations, cited) and [`conclude`]
//! (the verdict). The steps accumulate into one [`Decision`].

mod bases;
mod card;
pub mod clarify;
mod conclude;
mod files;
mod obligations;
mod parts;
mod resolve;
mod shipped;

pub use clarify::{Clarification, ClarifyRule, ClarifyStatus};
pub use resolve::resolve_license;

use super::clauses::ClauseHit;
use super::text::NormText;
use super::verdict::Verdict;
use crate::finding::Finding;
use crate::model::card::Card;
use resolve::Resolved;
use serde::Serialize;
use std::collections::BTreeSet;

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
    /// The policy's clarifications that name this model, each with whether
    /// its file still has the pinned hash (see [`clarify::against`]).
    pub clarifications: &'a [Clarification],
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
    pub spdx: Option<super::spdx_facts::SpdxFacts>,
    /// The policy line of the `[[licenses.clarify]]` entry that says what
    /// this file is, when one does (the text was then not read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clarified_by: Option<u32>,
}

/// One obligation, citing its clause.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Obligation {
    /// Its kind.
    pub kind: super::verdict::ObligationKind,
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
    /// The other clauses of the same file that ask the same (each ban of a
    /// use policy, an attribution duty repeated in a second section), in
    /// the order of the text.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub also_cited: Vec<AlsoCited>,
}

/// A further clause of an obligation, in the obligation's file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AlsoCited {
    /// First line of the clause (1-based).
    pub line_start: u32,
    /// Last line of the clause.
    pub line_end: u32,
    /// The clause's words.
    pub quote: String,
    /// Its number, amount, regions or field (`""` when none).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub value: String,
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
    /// The policy's clarifications that named this model, and what became
    /// of each (applied, or ignored and why).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub clarifications: Vec<Clarification>,
}

impl Default for LicenseReport {
    fn default() -> Self {
        LicenseReport {
            verdict: Verdict::Unknown,
            detected: Vec::new(),
            obligations: Vec::new(),
            reasons: Vec::new(),
            clarifications: Vec::new(),
        }
    }
}

impl LicenseReport {
    /// One line for each clarification that did not apply (its file changed,
    /// is missing or unreadable, or its license is unknown): what every
    /// output must show so a stale pin is never silent.
    pub fn clarification_warnings(&self) -> Vec<String> {
        self.clarifications
            .iter()
            .filter_map(Clarification::warning)
            .collect()
    }
}

/// A cited clause: (file, first line, last line, quote).
#[derive(Debug, Clone)]
struct Citation {
    /// The file holding the clause or declaration.
    file: String,
    /// Its first and last line; `None` where the file has no lines to cite
    /// (a binary file's metadata key, named in the quote instead).
    lines: Option<(u32, u32)>,
    /// The words cited.
    quote: String,
}

impl Citation {
    /// A citation at lines `start..=end` of `file`.
    fn at(file: &str, start: u32, end: u32, quote: String) -> Citation {
        Citation {
            file: file.to_string(),
            lines: Some((start, end.max(start))),
            quote,
        }
    }

    /// Where a card (or a binary file's metadata read as one) declares
    /// `field: value`: the card's line, else the metadata key (quoted as
    /// `general.license: apache-2.0`, no line), else the file alone.
    fn declared(card: &crate::model::card::Card, field: &str, value: &str) -> Citation {
        match (card.lines.get(field), card.keys.get(field)) {
            (Some(&l), _) => Citation::at(&card.path, l, l, format!("{field}: {value}")),
            (None, key) => Citation {
                file: card.path.clone(),
                lines: None,
                quote: format!("{}: {value}", key.map_or(field, String::as_str)),
            },
        }
    }
}

/// A license found, the file its obligations are cited in first, and the
/// card line that declared it.
type Licensed = (Resolved, Option<String>, Option<Citation>);

/// A license file with its text normalised and its clauses read.
struct ReadFile<'a> {
    file: &'a LicenseFile,
    norm: NormText,
    hits: Vec<ClauseHit>,
}

/// What the steps accumulate: the report being built, its findings, each
/// source's verdict, and what the later steps need of the earlier ones.
#[derive(Default)]
struct Decision {
    report: LicenseReport,
    findings: Vec<Finding>,
    /// One verdict per source of evidence; the final verdict is the strictest.
    verdicts: Vec<Verdict>,
    /// Licenses whose obligations apply, with where to cite them.
    licensed: Vec<Licensed>,
    /// Licenses the card (and declarations read like it) name.
    card_ids: BTreeSet<String>,
    /// Licenses the license files are (supplementary documents aside).
    file_ids: BTreeSet<String>,
    /// Families declared by card or files, to compare with the base's.
    declared_families: BTreeSet<String>,
    /// Obligations read from clauses (not from a knowledge-base entry).
    extra_obligations: Vec<Obligation>,
    /// Base models' licenses, with the base's name and the card line naming it.
    inherited: Vec<(Resolved, String, Citation)>,
}

impl Decision {
    /// Records a detected license.
    #[allow(clippy::too_many_arguments)]
    fn detected(
        &mut self,
        r: &Resolved,
        source: &str,
        file: Option<String>,
        line: Option<u32>,
        confidence: f32,
        runner_up: Option<RunnerUp>,
        verdict: Verdict,
        modified: bool,
    ) {
        self.report.detected.push(DetectedLicense {
            id: r.id(),
            name: r.name(),
            source: source.into(),
            file,
            line,
            confidence,
            runner_up,
            verdict,
            modified,
            spdx: r.spdx(),
            clarified_by: None,
        });
    }

    /// Records a license file that yields no known license.
    fn unrecognised(&mut self, path: &str, name: String, confidence: f32, verdict: Verdict) {
        self.report.detected.push(DetectedLicense {
            id: "unrecognised".into(),
            name,
            source: "file".into(),
            file: Some(path.to_string()),
            line: None,
            confidence,
            runner_up: None,
            verdict,
            modified: false,
            spdx: None,
            clarified_by: None,
        });
    }

    /// Adds a reason line.
    fn reason(&mut self, line: String) {
        self.report.reasons.push(line);
    }
}

/// Decides the license of a model.
pub fn decide(inputs: &LicenseInputs<'_>) -> (LicenseReport, Vec<Finding>) {
    let files: Vec<ReadFile<'_>> = inputs
        .files
        .iter()
        .map(|file| {
            // The same text in many repos and revisions is read once.
            let (norm, hits) = super::memo::read(&file.text);
            ReadFile { file, norm, hits }
        })
        .collect();
    let mut d = Decision::default();
    card::declarations(&mut d, inputs);
    if let Some(c) = inputs.card {
        card::license_section(&mut d, c);
    }
    files::read_all(&mut d, inputs, &files);
    clarify::unread_files(&mut d, inputs);
    files::card_against_files(&mut d, inputs);
    bases::lineage(&mut d, inputs);
    bases::given_base(&mut d, inputs.base);
    obligations::collect(&mut d, &files);
    conclude::verdict(&mut d);
    d.report.clarifications = inputs.clarifications.to_vec();
    (d.report, d.findings)
}

/// NOTICE, use-policy and responsible-use files: they add duties, they do
/// not state the license.
fn is_supplementary_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    crate::license::kb::references()
        .supplementary_files
        .iter()
        .any(|prefix| name.starts_with(prefix.as_str()))
}

fn round2(x: f32) -> f32 {
    (x * 100.0).round() / 100.0
}
