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

/// A knowledge-base license judged: the id as a card declaring it, and the
/// terms' own words, when given, as its license file (so that `other` with
/// "for non-commercial research purposes only" is research-only). `None`
/// for `unknown`, or when nothing was recognised.
pub(crate) fn judge_entry(license: &str, terms: &str) -> Option<(String, Verdict, bool)> {
    if license.eq_ignore_ascii_case("unknown") {
        return None;
    }
    let card = Card {
        path: "datasets.toml".into(),
        has_front_matter: true,
        license: vec![license.to_string()],
        ..Default::default()
    };
    if terms.trim().is_empty() {
        return judge(&card, &[]);
    }
    let files = [LicenseFile {
        path: "datasets.toml".into(),
        text: terms.to_string(),
    }];
    let (_, verdict, share_alike) = judge(&card, &files)?;
    Some((license.to_string(), verdict, share_alike))
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
        let (license, words, part) = e.license_for(id.config.as_deref());
        let notes = [e.notes.as_str(), part.map_or("", |p| p.notes.as_str())]
            .iter()
            .filter(|n| !n.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(" ");
        let (license, verdict, share_alike) = match judge_entry(license, words) {
            Some((l, v, sa)) => (Some(l), v, sa),
            // known, but its terms could not be read: the entry says why
            None => (None, Verdict::Unknown, false),
        };
        return Terms {
            license,
            verdict,
            share_alike,
            mixed: e.mixed && part.is_none(),
            source: TermsSource::KnowledgeBase,
            source_ref: Some(e.source.clone()),
            notes: (!notes.is_empty()).then_some(notes),
        };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::license::datasets::parse_id;

    #[test]
    fn knowledge_base_terms_carry_the_engine_verdict_and_share_alike() {
        let t = terms(&parse_id("ms_marco"), &[]);
        assert_eq!(
            (t.verdict, t.source),
            (Verdict::ResearchOnly, TermsSource::KnowledgeBase)
        );
        let t = terms(&parse_id("rajpurkar/squad_v2"), &[]);
        assert_eq!(t.verdict, Verdict::PermittedWithConditions);
        assert!(t.share_alike, "CC BY-SA is share-alike");
        let t = terms(&parse_id("wikihow"), &[]);
        assert_eq!(t.verdict, Verdict::NonCommercial);
        let t = terms(&parse_id("squad"), &[]);
        assert_eq!((t.verdict, t.share_alike), (Verdict::Permitted, false));
        let t = terms(&parse_id("acme/never-heard-of"), &[]);
        assert_eq!(
            (t.verdict, t.source, t.license),
            (Verdict::Unknown, TermsSource::Unknown, None)
        );
    }

    #[test]
    fn a_mixed_set_names_the_part_of_a_declared_config() {
        let t = terms(&parse_id("multi_nli"), &[]);
        assert!(t.mixed && t.share_alike);
        let t = terms(
            &parse_id("multi_nli:Living History, Password Incorrect (fiction)"),
            &[],
        );
        assert!(!t.mixed && !t.share_alike, "{t:?}");
    }

    #[test]
    fn terms_without_a_license_id_are_judged_from_their_words() {
        // `other`, and the card's words: "restricted to non-commercial research purposes only"
        let t = terms(&parse_id("mlsum"), &[]);
        assert_eq!(
            (t.verdict, t.source, t.license.as_deref()),
            (
                Verdict::ResearchOnly,
                TermsSource::KnowledgeBase,
                Some("other")
            )
        );
        let t = terms(&parse_id("imagenet"), &[]);
        assert_eq!(t.verdict, Verdict::ResearchOnly, "a spelling cards use");
    }

    #[test]
    fn a_known_set_whose_terms_could_not_be_read_is_unknown_with_the_reason() {
        let t = terms(&parse_id("xsum"), &[]);
        assert_eq!(
            (t.verdict, t.source, t.license),
            (Verdict::Unknown, TermsSource::KnowledgeBase, None)
        );
        assert!(t.notes.is_some_and(|n| n.contains("unknown")));
        assert!(t.source_ref.is_some_and(|r| r.contains("/datasets/xsum/")));
    }

    #[test]
    fn a_mixed_set_is_as_strict_as_its_strictest_part_unless_a_config_is_named() {
        let t = terms(&parse_id("superb"), &[]);
        assert_eq!((t.verdict, t.mixed), (Verdict::NonCommercial, true));
        let t = terms(&parse_id("superb:asr"), &[]);
        assert_eq!((t.verdict, t.mixed), (Verdict::Permitted, false));
        let t = terms(&parse_id("superb:sd"), &[]);
        assert_eq!(t.verdict, Verdict::NonCommercial);
        let t = terms(&parse_id("tweet_eval:sentiment"), &[]);
        assert_eq!(t.verdict, Verdict::Permitted);
        let t = terms(&parse_id("tweet_eval"), &[]);
        assert_eq!((t.verdict, t.mixed), (Verdict::Unknown, true));
    }

    #[test]
    fn a_cached_card_overrides_the_knowledge_base() {
        let cached = CachedDataset {
            id: "rajpurkar/squad".into(),
            card_path: Some("datasets--rajpurkar--squad/snapshots/c/README.md".into()),
            card_text: Some("---\nlicense: cc-by-nc-4.0\n---\n# SQuAD\n".into()),
            license_files: Vec::new(),
        };
        // declared without the org: the cached copy is found through the
        // ids the knowledge base knows the set by
        let t = terms(&parse_id("squad"), std::slice::from_ref(&cached));
        assert_eq!(
            (t.verdict, t.source),
            (Verdict::NonCommercial, TermsSource::DatasetCard)
        );
        assert_eq!(t.source_ref, cached.card_path);
        // a cached card that names no license leaves the knowledge base's terms
        let silent = CachedDataset {
            card_text: Some("# SQuAD\n".into()),
            ..cached
        };
        let t = terms(&parse_id("squad"), &[silent]);
        assert_eq!(t.source, TermsSource::KnowledgeBase);
    }

    #[test]
    fn a_cached_license_file_is_read_by_the_license_engine() {
        let cached = CachedDataset {
            id: "acme/set".into(),
            card_path: Some("datasets--acme--set/snapshots/c/README.md".into()),
            card_text: Some("# no front matter\n".into()),
            license_files: vec![LicenseFile {
                path: "datasets--acme--set/snapshots/c/LICENSE".into(),
                text: "MIT License\n\nCopyright (c) 2024 Acme\n\nPermission is hereby granted, free of charge, to any person obtaining a copy\nof this software and associated documentation files (the \"Software\"), to deal\nin the Software without restriction, including without limitation the rights\nto use, copy, modify, merge, publish, distribute, sublicense, and/or sell\ncopies of the Software, and to permit persons to whom the Software is\nfurnished to do so, subject to the following conditions:\n\nThe above copyright notice and this permission notice shall be included in all\ncopies or substantial portions of the Software.\n\nTHE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR\nIMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,\nFITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE\nAUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER\nLIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,\nOUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE\nSOFTWARE.\n".into(),
            }],
        };
        let t = terms(&parse_id("acme/set"), &[cached]);
        assert_eq!(
            (t.verdict, t.source),
            (Verdict::Permitted, TermsSource::DatasetCard)
        );
        assert_eq!(t.license.as_deref(), Some("MIT"));
        assert!(t.source_ref.is_some_and(|r| r.ends_with("LICENSE")));
    }
}
