//! The license-eval corpus (`tests/license-eval/`: real model licenses that
//! are not in mri's knowledge base, with verdicts and decisive clauses read
//! by hand) run through the license decision, and scored: exact verdicts,
//! verdicts looser than the truth, and decisive clauses cited at their line.
//! Shared by `tests/license_eval.rs` (the safety bar, in CI) and
//! `examples/license_eval.rs` (the figures in BENCHMARKS.md).
#![allow(dead_code)]

use mri::license::{decide, LicenseFile, LicenseInputs, LicenseReport, ObligationKind, Verdict};
use mri::model::card::parse_card;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// One text of the corpus, as `expected.toml` states it.
#[derive(Debug, Deserialize)]
pub struct Expected {
    /// `texts/<slug>.txt`.
    pub file: String,
    /// The verdict read by hand.
    pub verdict: String,
    /// `en`, `zh` or `zh+en`.
    pub language: String,
    /// `tune` or `held-out`.
    pub split: String,
    /// The decisive clauses.
    #[serde(default)]
    pub clauses: Vec<Clause>,
}

/// A decisive clause read by hand.
#[derive(Debug, Deserialize)]
pub struct Clause {
    /// Its kind (the corpus's names).
    pub kind: String,
    /// The line it starts on.
    pub line: u32,
    /// The words read there.
    #[serde(default)]
    pub quote: String,
    /// The number, amount or contact it states.
    #[serde(default)]
    pub value: String,
}

#[derive(Debug, Deserialize)]
struct Corpus {
    text: Vec<Expected>,
}

/// The corpus folder.
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/license-eval")
}

/// The known-family corpus (`tests/license-corpus/`), whose decisive
/// clauses were labelled by hand in `decisive.toml` (split `known`).
pub fn known_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/license-corpus")
}

/// The known-family texts with their hand-labelled decisive clauses.
pub fn known() -> Vec<Expected> {
    let text = std::fs::read_to_string(known_dir().join("decisive.toml")).expect("decisive.toml");
    toml::from_str::<Corpus>(&text)
        .expect("decisive.toml parses")
        .text
}

/// Every text of the corpus.
pub fn corpus() -> Vec<Expected> {
    let text = std::fs::read_to_string(corpus_dir().join("expected.toml")).expect("expected.toml");
    toml::from_str::<Corpus>(&text)
        .expect("expected.toml parses")
        .text
}

/// How one text came out.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The text's file.
    pub file: String,
    /// Its split and language.
    pub split: String,
    /// Its language.
    pub language: String,
    /// The truth.
    pub expected: Verdict,
    /// What mri decided.
    pub got: Verdict,
    /// Decisive clauses in the truth, and how many mri cited at their line.
    pub clauses: usize,
    /// Of those, cited at their line.
    pub cited: usize,
    /// The decisive clauses not cited at their line: kind, line, quote.
    pub missed: Vec<(String, u32, String)>,
    /// What mri cited: kind, lines, value.
    pub found: Vec<String>,
    /// "How it was decided", as mri tells it.
    pub how: Vec<String>,
    /// Contacts to apply to in the truth (`contact` clauses with a value),
    /// and how many mri gives as the value of an obligation.
    pub contacts: usize,
    /// Of those, given.
    pub contacts_found: usize,
}

impl Outcome {
    /// The verdict is the truth.
    pub fn exact(&self) -> bool {
        self.got == self.expected
    }

    /// mri grants more than the truth: a definite verdict less strict than
    /// it (`unknown` never is: it is never a pass).
    pub fn looser(&self) -> bool {
        self.got != Verdict::Unknown && self.got.rank() > self.expected.rank()
    }
}

/// The mri obligation kinds that cite a corpus clause kind; `None` for kinds
/// that decide nothing on their own (a grant, a contact, a copy or notice).
pub fn cited_as(kind: &str) -> Option<&'static [ObligationKind]> {
    use ObligationKind as K;
    Some(match kind {
        "non-commercial" => &[K::NonCommercial],
        "research-only" => &[K::ResearchOnly],
        // a license to request above a threshold is cited by the threshold
        "registration" | "written-authorization" | "application" | "separate-license" => {
            &[K::Registration, K::UserThreshold, K::RevenueThreshold]
        }
        "user-threshold" => &[K::UserThreshold],
        "revenue-threshold" | "company-size-threshold" => &[K::RevenueThreshold],
        "acceptable-use-policy" => &[K::AcceptableUsePolicy],
        // "retain the following attribution notice": a notice to keep
        "attribution" => &[K::Attribution, K::NoticeFile],
        "name-prefix" => &[K::NamePrefix],
        "no-training-other-models" => &[K::NoTrainingOtherModels],
        "use-restrictions-passdown" => &[K::UseRestrictionsPassdown],
        "field-of-use-ban" => &[
            K::FieldOfUseBan,
            K::AcceptableUsePolicy,
            K::UseRestrictionsPassdown,
        ],
        "territory-exclusion" => &[K::TerritoryExclusion],
        _ => return None,
    })
}

fn verdict(s: &str) -> Verdict {
    serde_json::from_value(serde_json::Value::String(s.to_string())).expect("a verdict")
}

/// Decides one text as a repository's only license file under a card that
/// says `license: other`.
pub fn decide_text(text: &str) -> LicenseReport {
    let (card, _) = parse_card("README.md", "---\nlicense: other\n---\n# m\n");
    let files = [LicenseFile {
        path: "LICENSE".into(),
        text: text.to_string(),
    }];
    let repo_files = ["LICENSE".to_string(), "README.md".to_string()];
    decide(&LicenseInputs {
        card: Some(&card),
        files: &files,
        repo_files: &repo_files,
        ..LicenseInputs::default()
    })
    .0
}

/// Runs the texts of `split` (every license-eval text when `None`; the
/// known-family texts for `known`).
pub fn run(split: Option<&str>) -> Vec<Outcome> {
    let (texts, dir) = if split == Some("known") {
        (known(), known_dir())
    } else {
        (corpus(), corpus_dir())
    };
    texts
        .into_iter()
        .filter(|e| split.is_none_or(|s| e.split == s))
        .map(|e| {
            let text = std::fs::read_to_string(dir.join(&e.file)).expect("a text");
            let report = decide_text(&text);
            let decisive: Vec<&Clause> = e
                .clauses
                .iter()
                .filter(|c| cited_as(&c.kind).is_some())
                .collect();
            let is_cited = |c: &Clause| {
                let kinds = cited_as(&c.kind).unwrap_or(&[]);
                let near = |s: u32, e: u32| (s.saturating_sub(1)..=e.max(s) + 1).contains(&c.line);
                report.obligations.iter().any(|o| {
                    kinds.contains(&o.kind)
                        && o.file.as_deref() == Some("LICENSE")
                        && (o
                            .line_start
                            .is_some_and(|s| near(s, o.line_end.unwrap_or(s)))
                            || o.also_cited.iter().any(|a| near(a.line_start, a.line_end)))
                })
            };
            let cited = decisive.iter().filter(|c| is_cited(c)).count();
            let mut missed: Vec<(String, u32, String)> = decisive
                .iter()
                .filter(|c| !is_cited(c))
                .map(|c| (c.kind.clone(), c.line, c.quote.clone()))
                .collect();
            // a contact is given when an obligation's value (or a value
            // cited beside it) names it
            let contacts: Vec<&Clause> = e
                .clauses
                .iter()
                .filter(|c| c.kind == "contact" && !c.value.is_empty())
                .collect();
            let given = |c: &Clause| {
                let want = c.value.to_lowercase();
                report.obligations.iter().any(|o| {
                    o.value.to_lowercase().contains(&want)
                        || o.also_cited
                            .iter()
                            .any(|a| a.value.to_lowercase().contains(&want))
                })
            };
            let contacts_found = contacts.iter().filter(|c| given(c)).count();
            missed.extend(
                contacts
                    .iter()
                    .filter(|c| !given(c))
                    .map(|c| (c.kind.clone(), c.line, c.value.clone())),
            );
            let found = report
                .obligations
                .iter()
                .map(|o| {
                    format!(
                        "{:?} {:?}-{:?} {:?}",
                        o.kind, o.line_start, o.line_end, o.value
                    )
                })
                .collect();
            let how = report.reasons.clone();
            Outcome {
                file: e.file,
                split: e.split,
                language: e.language,
                expected: verdict(&e.verdict),
                got: report.verdict,
                clauses: decisive.len(),
                cited,
                missed,
                found,
                how,
                contacts: contacts.len(),
                contacts_found,
            }
        })
        .collect()
}

/// A one-line summary: exact, looser, unknown, stricter, clauses cited.
pub fn summary(outcomes: &[Outcome]) -> String {
    let n = outcomes.len();
    let exact = outcomes.iter().filter(|o| o.exact()).count();
    let looser = outcomes.iter().filter(|o| o.looser()).count();
    let unknown = outcomes
        .iter()
        .filter(|o| !o.exact() && o.got == Verdict::Unknown)
        .count();
    let clauses: usize = outcomes.iter().map(|o| o.clauses).sum();
    let cited: usize = outcomes.iter().map(|o| o.cited).sum();
    let contacts: usize = outcomes.iter().map(|o| o.contacts).sum();
    let contacts_found: usize = outcomes.iter().map(|o| o.contacts_found).sum();
    let pct = |a: usize, b: usize| {
        if b == 0 {
            0.0
        } else {
            100.0 * a as f64 / b as f64
        }
    };
    format!(
        "{n} texts: {exact} exact ({:.0}%), {looser} looser, {unknown} unknown, {} stricter; decisive clauses cited at their line {cited}/{clauses} ({:.0}%); contacts given {contacts_found}/{contacts}",
        pct(exact, n),
        n - exact - looser - unknown,
        pct(cited, clauses)
    )
}
