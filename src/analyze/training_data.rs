//! The Report's `training_data` section: every dataset the model declares
//! (the card's `datasets:`, a GGUF file's `general.dataset.*` keys or its
//! `general.datasets` array, the base
//! model's declarations), each with its terms and their verdict, and the
//! strictest of them. The model's own license verdict never changes because
//! of its data: the section stands beside it.

use crate::finding::{Code, Finding};
use crate::license::datasets::{self, CachedDataset, DatasetId, Terms, TermsSource};
use crate::license::Verdict;
use crate::model::card::Card;
use crate::scan::gguf::GgufScan;
use serde::Serialize;

/// The `training_data` section (see `docs/report.md`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainingData {
    /// The strictest verdict of the datasets; `unknown` when none is declared.
    pub verdict: Verdict,
    /// Every dataset declared, in the order declared (the model's, then the base's).
    pub datasets: Vec<TrainingDataset>,
}

impl Default for TrainingData {
    fn default() -> Self {
        TrainingData {
            verdict: Verdict::Unknown,
            datasets: Vec::new(),
        }
    }
}

/// One dataset declared, with its terms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainingDataset {
    /// The Hub id as declared, config removed (`allenai/c4`, `squad`), or
    /// the text as written when it is not a Hub id.
    pub id: String,
    /// The config declared after `:` (`en` in `allenai/c4:en`).
    pub config: Option<String>,
    /// The license ids found (`CC-BY-4.0`; several joined with ` AND `);
    /// `null` when unknown.
    pub license: Option<String>,
    /// The license engine's verdict for commercial use (the model's seven).
    pub verdict: Verdict,
    /// True when the license asks that derivatives be shared alike.
    pub share_alike: bool,
    /// True when the dataset has one license per config or source and no
    /// config was declared (`license` is then the strictest part's).
    pub mixed: bool,
    /// Where the terms were read: `dataset-card` (the dataset's card or
    /// license file in the Hugging Face cache), `knowledge-base` or `unknown`.
    pub terms_source: &'static str,
    /// The cached file (relative to the cache's hub folder) or the
    /// knowledge base's source URL.
    pub terms_ref: Option<String>,
    /// The knowledge base's notes.
    pub notes: Option<String>,
    /// The file that declares it: the card, the GGUF file, or for the base
    /// model's `BASE: README.md`.
    pub file: String,
    /// The line of the card that names it (none for GGUF keys).
    pub line: Option<u32>,
    /// The key that declares it (`datasets`, `general.dataset.0.repo_url`).
    pub key: String,
    /// `card`, `gguf` or `base`.
    pub via: &'static str,
}

/// A dataset as declared, before its terms are looked up.
#[derive(Debug, Clone, PartialEq)]
pub struct Declared {
    /// The id parsed.
    pub id: DatasetId,
    /// The declaring file.
    pub file: String,
    /// The card line.
    pub line: Option<u32>,
    /// The declaring key.
    pub key: String,
    /// `card` or `gguf`.
    pub via: &'static str,
}

/// Most datasets read from one GGUF file's `general.dataset.count` (the
/// keyed form gguf-py writes: `general.dataset.N.name`, `.organization`,
/// `.repo_url`; the array form, `general.datasets`, is read by the scan).
const MAX_GGUF_DATASETS: u64 = 256;

/// Most datasets a model's declarations yield (real cards name a few dozen):
/// each one's terms are looked up, so a hostile card cannot make that unbounded.
pub const MAX_DECLARED: usize = 1000;

/// The dataset a GGUF file's `general.dataset.N.*` keys describe: the Hub
/// id from `repo_url`, else `organization/name`, else `name`.
fn gguf_dataset(scan: &GgufScan, i: u64) -> Option<(String, String)> {
    let h = scan.header.as_ref()?;
    let key = |s: &str| format!("general.dataset.{i}.{s}");
    if let Some(url) = h.get_str(&key("repo_url")) {
        if let Some(id) = url
            .trim()
            .strip_prefix("https://huggingface.co/datasets/")
            .map(|s| s.trim_end_matches('/'))
            .filter(|s| !s.is_empty())
        {
            return Some((id.to_string(), key("repo_url")));
        }
    }
    let name = h.get_str(&key("name"))?.trim();
    if name.is_empty() {
        return None;
    }
    match h.get_str(&key("organization")).map(str::trim) {
        Some(org) if !org.is_empty() => Some((
            format!("{}/{}", org.replace(' ', "-"), name.replace(' ', "-")),
            key("name"),
        )),
        _ => Some((name.to_string(), key("name"))),
    }
}

/// Every dataset the card and the GGUF files declare, each once (the
/// card's first), in order.
pub fn declared(card: Option<&Card>, gguf: &[GgufScan]) -> Vec<Declared> {
    let mut out: Vec<Declared> = Vec::new();
    let mut push = |d: Declared| {
        if out.len() >= MAX_DECLARED {
            return;
        }
        let same =
            |o: &Declared| o.id.id.eq_ignore_ascii_case(&d.id.id) && o.id.config == d.id.config;
        if !out.iter().any(same) {
            out.push(d);
        }
    };
    if let Some(card) = card {
        for (i, raw) in card.datasets.iter().enumerate() {
            push(Declared {
                id: datasets::parse_id(raw),
                file: card.path.clone(),
                line: card.dataset_lines.get(i).copied(),
                key: "datasets".into(),
                via: "card",
            });
        }
    }
    for scan in gguf {
        let count = scan
            .header
            .as_ref()
            .and_then(|h| h.get_u64("general.dataset.count"))
            .unwrap_or(0)
            .min(MAX_GGUF_DATASETS);
        for i in 0..count {
            if let Some((raw, key)) = gguf_dataset(scan, i) {
                push(Declared {
                    id: datasets::parse_id(&raw),
                    file: scan.path.clone(),
                    line: None,
                    key,
                    via: "gguf",
                });
            }
        }
        // The specification's array form: links or references, one a string.
        for (i, raw) in scan.dataset_texts.iter().enumerate() {
            if raw.trim().is_empty() {
                continue;
            }
            push(Declared {
                id: datasets::parse_id(raw),
                file: scan.path.clone(),
                line: None,
                key: format!("general.datasets[{i}]"),
                via: "gguf",
            });
        }
    }
    out
}

/// The Hub ids among the declared datasets (and the ids the knowledge base
/// knows each by), whose cached cards the caller reads before the analysis.
pub fn ids_to_look_up(declared: &[Declared]) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for d in declared.iter().filter(|d| d.id.is_hub_id) {
        let known = datasets::kb::datasets()
            .get(&d.id.id)
            .map(|e| e.ids.clone())
            .unwrap_or_default();
        for id in std::iter::once(d.id.id.clone()).chain(known) {
            if !ids.iter().any(|i| i.eq_ignore_ascii_case(&id)) {
                ids.push(id);
            }
        }
    }
    ids
}

/// One declared dataset with its terms.
fn with_terms(d: Declared, terms: Terms) -> TrainingDataset {
    TrainingDataset {
        id: d.id.id,
        config: d.id.config,
        license: terms.license,
        verdict: terms.verdict,
        share_alike: terms.share_alike,
        mixed: terms.mixed,
        terms_source: terms.source.as_str(),
        terms_ref: terms.source_ref,
        notes: terms.notes,
        file: d.file,
        line: d.line,
        key: d.key,
        via: d.via,
    }
}

/// The section: the model's declarations with their terms (cached cards
/// first), then the base model's datasets as its Report has them; the
/// findings at each declaring line. `expect_declarations`: whether a model
/// that declares nothing gets `data/no-datasets-declared` (not for a GGUF
/// file or an Ollama model without a card, as for `card/missing`).
pub fn build(
    declared: Vec<Declared>,
    cached: &[CachedDataset],
    base: Option<(&str, &TrainingData)>,
    expect_declarations: bool,
) -> (TrainingData, Vec<Finding>) {
    let mut list: Vec<TrainingDataset> = declared
        .into_iter()
        .map(|d| {
            let terms = datasets::terms(&d.id, cached);
            with_terms(d, terms)
        })
        .collect();
    let own = list.len();
    if let Some((name, base_data)) = base {
        for d in &base_data.datasets {
            let same =
                |o: &TrainingDataset| o.id.eq_ignore_ascii_case(&d.id) && o.config == d.config;
            if !list.iter().any(same) {
                list.push(TrainingDataset {
                    file: format!("{name}: {}", d.file),
                    via: "base",
                    ..d.clone()
                });
            }
        }
    }
    let verdict = list
        .iter()
        .map(|d| d.verdict)
        .reduce(Verdict::stricter)
        .unwrap_or(Verdict::Unknown);
    let mut findings: Vec<Finding> = list
        .iter()
        .enumerate()
        .flat_map(|(i, d)| findings_for(d, i < own))
        .collect();
    if list.is_empty() && expect_declarations {
        findings.push(Finding::info(
            Code::DataNoDatasetsDeclared,
            "the model declares no training datasets (no `datasets:` in its card, no `general.dataset.*` or `general.datasets` in its GGUF metadata)",
        ));
    }
    (
        TrainingData {
            verdict,
            datasets: list,
        },
        findings,
    )
}

/// The findings one dataset raises, at its card line (a base model's
/// dataset names the base instead of a file of this model).
fn findings_for(d: &TrainingDataset, own: bool) -> Vec<Finding> {
    let name = match &d.config {
        Some(c) => format!("{}:{c}", d.id),
        None => d.id.clone(),
    };
    let whose = if own {
        String::new()
    } else {
        format!(" (declared by the base model, {})", d.file)
    };
    let license = d.license.as_deref().unwrap_or("unknown");
    let from = match &d.terms_ref {
        Some(r) => format!("{}: {r}", d.terms_source),
        None => d.terms_source.to_string(),
    };
    let place = |f: Finding| {
        if own {
            f.in_file(&d.file).at_optional_line(d.line)
        } else {
            f
        }
    };
    let mut out = Vec::new();
    let main = match d.verdict {
        Verdict::NonCommercial => Some(Finding::warning(
            Code::DataNonCommercial,
            format!("training set `{name}`{whose} is under {license}: non-commercial ({from}); the model's own license verdict is unchanged"),
        )),
        Verdict::ResearchOnly | Verdict::Prohibited => Some(Finding::warning(
            Code::DataResearchOnly,
            format!("training set `{name}`{whose} is under {license}: {} ({from}); the model's own license verdict is unchanged", d.verdict),
        )),
        Verdict::Unknown if !datasets::parse_id(&d.id).is_hub_id => Some(Finding::warning(
            Code::DataUnknownLicense,
            format!("training set `{name}`{whose} is not a Hub dataset id (`name` or `org/name`): its terms are unknown"),
        )),
        Verdict::Unknown if d.terms_source == TermsSource::KnowledgeBase.as_str() => {
            Some(Finding::warning(
                Code::DataUnknownLicense,
                format!(
                    "the terms of training set `{name}`{whose} are unknown: mri's dataset knowledge base knows the set but not its terms ({})",
                    d.notes.as_deref().unwrap_or("no license found")
                ),
            ))
        }
        Verdict::Unknown => Some(Finding::warning(
            Code::DataUnknownLicense,
            format!("the terms of training set `{name}`{whose} are unknown: no license in its card in the Hugging Face cache, nor in mri's dataset knowledge base"),
        )),
        _ => None,
    };
    out.extend(main.map(place));
    if d.share_alike {
        out.push(place(Finding::info(
            Code::DataShareAlike,
            format!(
                "training set `{name}`{whose} is under {license}, a share-alike license ({from})"
            ),
        )));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::card::parse_card;

    #[test]
    fn declarations_are_bounded_and_named_once() {
        let mut text = String::from("---\ndatasets:\n- squad\n- SQuAD\n- squad:plain_text\n");
        for i in 0..3000 {
            text.push_str(&format!("- acme/set-{i}\n"));
        }
        text.push_str("---\n");
        let (card, _) = parse_card("README.md", &text);
        let d = declared(Some(&card), &[]);
        assert_eq!(d.len(), MAX_DECLARED);
        // `SQuAD` is `squad` again; a config makes another declaration
        assert_eq!(d[1].id.config.as_deref(), Some("plain_text"));
        assert_eq!(d[1].line, Some(5));
    }

    #[test]
    fn the_strictest_verdict_wins_and_the_model_declaring_nothing_says_so() {
        let (card, _) = parse_card(
            "README.md",
            "---\ndatasets: [squad, tatsu-lab/alpaca]\n---\n",
        );
        let (td, findings) = build(declared(Some(&card), &[]), &[], None, true);
        assert_eq!(td.verdict, Verdict::NonCommercial);
        assert_eq!(findings.len(), 1);
        assert_eq!(findings[0].code, Code::DataNonCommercial);
        assert_eq!(findings[0].line, Some(2));
        let (td, findings) = build(Vec::new(), &[], None, true);
        assert_eq!(td.verdict, Verdict::Unknown);
        assert_eq!(findings[0].code, Code::DataNoDatasetsDeclared);
        assert!(build(Vec::new(), &[], None, false).1.is_empty());
    }
}
