//! A dataset's terms: its cached card and license file, else the knowledge
//! base, else unknown; each license judged by the license engine.

use super::cache::CachedDataset;
use super::kb::datasets;
use super::DatasetId;
use crate::license::decide::decide;
use crate::license::{LicenseFile, LicenseInputs, ObligationKind, Verdict};
use crate::model::card::{parse_card, Card};
use serde::Serialize;

/// Where a dataset's terms were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TermsSource {
    /// The dataset's own card (`license:`) or license file, in the Hugging Face cache.
    DatasetCard,
    /// mri's bundled knowledge base (`licenses/datasets.toml`).
    KnowledgeBase,
    /// Nowhere: neither in the cache nor in the knowledge base.
    Unknown,
}

impl TermsSource {
    /// The kebab-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            TermsSource::DatasetCard => "dataset-card",
            TermsSource::KnowledgeBase => "knowledge-base",
            TermsSource::Unknown => "unknown",
        }
    }
}

/// A dataset's terms and their verdict for commercial use.
#[derive(Debug, Clone, PartialEq)]
pub struct Terms {
    /// The license ids found (`CC-BY-4.0`, `cc-by-nc-sa-4.0`), joined with
    /// ` AND ` when several apply; `None` when unknown.
    pub license: Option<String>,
    /// The license engine's verdict.
    pub verdict: Verdict,
    /// Whether the license asks that derivatives be shared alike.
    pub share_alike: bool,
    /// Whether the dataset has one license per config or source.
    pub mixed: bool,
    /// Where the terms were read.
    pub source: TermsSource,
    /// The cached file, or the knowledge base's source URL.
    pub source_ref: Option<String>,
    /// The knowledge base's notes (and the part's, for a config).
    pub notes: Option<String>,
}

/// A license judged by the engine: ids found, verdict, share-alike; `None`
/// when nothing was recognised.
fn judge(card: &Card, files: &[LicenseFile]) -> Option<(String, Verdict, bool)> {
    let (report, _) = decide(&LicenseInputs {
        card: Some(card),
        files,
        ..Default::default()
    });
    if report.detected.is_empty() {
        return None;
    }
    let mut ids: Vec<String> = Vec::new();
    for d in &report.detected {
        if !ids.contains(&d.id) {
            ids.push(d.id.clone());
        }
    }
    let share_alike = report
        .obligations
        .iter()
        .any(|o| o.kind == ObligationKind::ShareAlike);
    Some((ids.join(" AND "), report.verdict, share_alike))
}

/// A license id (SPDX, Hub or knowledge-base id) judged as a card declaring it.
pub(crate) fn judge_id(license: &str) -> Option<(String, Verdict, bool)> {
    let card = Card {
        path: "datasets.toml".into(),
        has_front_matter: true,
        license: vec![license.to_string()],
        ..Default::default()
    };
    judge(&card, &[])
}

/// The terms of the cached card, when it or its license file names a license.
fn from_cache(cached: &CachedDataset) -> Option<Terms> {
    let card_path = cached.card_path.clone().unwrap_or_default();
    let card = match &cached.card_text {
        Some(text) => parse_card(&card_path, text).0,
        None => Card::default(),
    };
    let (license, verdict, share_alike) = judge(&card, &cached.license_files)?;
    let source_ref = cached
        .card_path
        .clone()
        .filter(|_| !card.license.is_empty())
        .or_else(|| cached.license_files.first().map(|f| f.path.clone()))
        .or(cached.card_path.clone());
    Some(Terms {
        license: Some(license),
        verdict,
        share_alike,
        mixed: false,
        source: TermsSource::DatasetCard,
        source_ref,
        notes: None,
    })
}

/// The terms of a dataset: the first cached copy (under the declared id or
/// any id the knowledge base knows it by) that names a license, else the
/// knowledge base's entry, else unknown.
pub fn terms(id: &DatasetId, cached: &[CachedDataset]) -> Terms {
    let entry = id.is_hub_id.then(|| datasets().get(&id.id)).flatten();
    let names = |c: &CachedDataset| {
        c.id.eq_ignore_ascii_case(&id.id)
            || entry.is_some_and(|e| e.ids.iter().any(|k| k.eq_ignore_ascii_case(&c.id)))
    };
    if let Some(t) = cached.iter().filter(|c| names(c)).find_map(from_cache) {
        return t;
    }
    if let Some(e) = entry {
        let (license, part) = e.license_for(id.config.as_deref());
        if let Some((license, verdict, share_alike)) = judge_id(license) {
            let notes = [e.notes.as_str(), part.map_or("", |p| p.notes.as_str())]
                .iter()
                .filter(|n| !n.is_empty())
                .copied()
                .collect::<Vec<_>>()
                .join(" ");
            return Terms {
                license: Some(license),
                verdict,
                share_alike,
                mixed: e.mixed && part.is_none(),
                source: TermsSource::KnowledgeBase,
                source_ref: Some(e.source.clone()),
                notes: (!notes.is_empty()).then_some(notes),
            };
        }
    }
    Terms {
        license: None,
        verdict: Verdict::Unknown,
        share_alike: false,
        mixed: false,
        source: TermsSource::Unknown,
        source_ref: None,
        notes: None,
    }
}
