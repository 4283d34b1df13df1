//! The bundled knowledge base of training sets (`licenses/datasets.toml`,
//! embedded by `build.rs`): the terms of the datasets model cards name most,
//! each read from the dataset's card or terms, with its source and the date
//! it was read.

use serde::Deserialize;
use std::collections::HashMap;
use std::sync::OnceLock;

/// One part of a mixed-license dataset: a config or a source with its own terms.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DatasetPart {
    /// The config name (`en`, `realnewslike`) or the source it covers.
    pub name: String,
    /// Its license: an SPDX id, a Hub license id or a knowledge-base id;
    /// `other` with `terms`; `unknown` when its terms could not be read.
    pub license: String,
    /// The terms' own words, when they are no license with an id.
    #[serde(default)]
    pub terms: String,
    /// What is special about it.
    #[serde(default)]
    pub notes: String,
}

/// One dataset.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DatasetEntry {
    /// Every Hub id it goes by (`rajpurkar/squad`, and the id it had before
    /// it moved under an org, `squad`); matched case-insensitively. Empty
    /// for a set that is not on the Hub (then `names` has its spellings).
    #[serde(default)]
    pub ids: Vec<String>,
    /// Its license as its card or terms state it: an SPDX id, a Hub license
    /// id or a knowledge-base id; `other` when the terms are no license with
    /// an id (their words are then in `terms`); `unknown` when they could
    /// not be read (`notes` says why). For a mixed dataset, the strictest part's.
    pub license: String,
    /// The terms' own words (the clause that decides), judged by the license
    /// engine as a license file when `license` is `other`.
    #[serde(default)]
    pub terms: String,
    /// The verdict its reader found for commercial use; the license engine
    /// must agree (a test checks every entry).
    pub verdict: String,
    /// Spellings model cards write for it that are not Hub ids (`mnli`,
    /// `ljspeech`), each seen in the measured list (`datasets-top.tsv`).
    #[serde(default)]
    pub names: Vec<String>,
    /// One license per config or source.
    #[serde(default)]
    pub mixed: bool,
    /// The parts of a mixed dataset.
    #[serde(default)]
    pub parts: Vec<DatasetPart>,
    /// What matters for the verdict (the terms' own words where they add to the license).
    #[serde(default)]
    pub notes: String,
    /// Where the license was read (a URL).
    pub source: String,
    /// When it was read (`YYYY-MM-DD`).
    pub read: String,
}

impl DatasetEntry {
    /// The license (and terms) that apply to `config`: its part's, when the
    /// dataset is mixed and a part has that name; else the dataset's.
    pub fn license_for(&self, config: Option<&str>) -> (&str, &str, Option<&DatasetPart>) {
        let part = config.and_then(|c| self.parts.iter().find(|p| p.name.eq_ignore_ascii_case(c)));
        match part {
            Some(p) => (p.license.as_str(), p.terms.as_str(), Some(p)),
            None => (self.license.as_str(), self.terms.as_str(), None),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    dataset: Vec<DatasetEntry>,
}

/// The dataset knowledge base, with its ids indexed.
#[derive(Debug)]
pub struct DatasetKb {
    /// Every entry, in file order.
    pub entries: Vec<DatasetEntry>,
    by_id: HashMap<String, usize>,
}

impl DatasetKb {
    /// Parses the table (JSON, as `build.rs` embeds it).
    pub fn parse(json: &str) -> Result<DatasetKb, serde_json::Error> {
        let table: Table = serde_json::from_str(json)?;
        let mut by_id = HashMap::new();
        for (i, e) in table.dataset.iter().enumerate() {
            for id in e.ids.iter().chain(&e.names) {
                by_id.entry(id.to_ascii_lowercase()).or_insert(i);
            }
        }
        Ok(DatasetKb {
            entries: table.dataset,
            by_id,
        })
    }

    /// The entry a Hub dataset id names (org or not; any case), or a
    /// spelling cards use for it (`names`). An id without an org also finds an entry known only under an org by its
    /// name alone when exactly one entry has that name (`squad` →
    /// `rajpurkar/squad`).
    pub fn get(&self, id: &str) -> Option<&DatasetEntry> {
        let id = id.to_ascii_lowercase();
        if let Some(&i) = self.by_id.get(&id) {
            return self.entries.get(i);
        }
        if id.contains('/') {
            return None;
        }
        let mut named = self.entries.iter().filter(|e| {
            e.ids.iter().any(|known| {
                known
                    .rsplit_once('/')
                    .is_some_and(|(_, name)| name.eq_ignore_ascii_case(&id))
            })
        });
        let first = named.next()?;
        named.next().is_none().then_some(first)
    }
}

/// The embedded knowledge base; empty if it does not parse (a test guards
/// that it does).
pub fn datasets() -> &'static DatasetKb {
    static KB: OnceLock<DatasetKb> = OnceLock::new();
    KB.get_or_init(|| {
        DatasetKb::parse(super::super::kb::datasets_json()).unwrap_or(DatasetKb {
            entries: Vec::new(),
            by_id: HashMap::new(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::license::Verdict;
    use std::collections::HashSet;

    /// The engine's verdict for a license and its terms (`unknown` when
    /// the terms could not be read).
    fn engine_verdict(license: &str, terms: &str) -> Verdict {
        super::super::terms::judge_entry(license, terms).map_or(Verdict::Unknown, |j| j.1)
    }

    /// Every entry is sourced and dated; its stated verdict is the one the
    /// license engine finds for its license (and terms), and a mixed set's
    /// is the strictest of its parts'; an entry whose terms could not be
    /// read says why; no id or spelling belongs to two entries.
    #[test]
    fn the_dataset_knowledge_base_is_sourced_dated_and_agrees_with_the_engine() {
        let kb = datasets();
        assert!(kb.entries.len() >= 150, "{} entries", kb.entries.len());
        let mut ids = HashSet::new();
        let mut disagree = Vec::new();
        for e in &kb.entries {
            let name = e.ids.iter().chain(&e.names).next().cloned();
            let Some(name) = name else {
                panic!("an entry with neither ids nor names: {e:?}");
            };
            for id in e.ids.iter().chain(&e.names) {
                assert!(
                    ids.insert(id.to_ascii_lowercase()),
                    "{id} is in two entries"
                );
                assert!(
                    super::super::parse_id(id).is_hub_id,
                    "{id} is not a Hub dataset id"
                );
            }
            assert!(
                e.source.starts_with("https://"),
                "{name}: source {:?}",
                e.source
            );
            let date = e.read.as_bytes();
            assert!(
                date.len() == 10
                    && date[4] == b'-'
                    && date[7] == b'-'
                    && e.read.chars().filter(char::is_ascii_digit).count() == 8,
                "{name}: read {:?} is not YYYY-MM-DD",
                e.read
            );
            assert_eq!(e.mixed, !e.parts.is_empty(), "{name}: mixed iff parts");
            let stated = Verdict::ALL.iter().find(|v| v.as_str() == e.verdict);
            let Some(&stated) = stated else {
                panic!("{name}: verdict {:?} is not one of the seven", e.verdict);
            };
            let found = engine_verdict(&e.license, &e.terms);
            if found != stated {
                disagree.push(format!("{name}: {} → {found}, stated {stated}", e.license));
            }
            if e.license.eq_ignore_ascii_case("unknown") {
                assert!(
                    !e.notes.is_empty(),
                    "{name}: unknown terms without a reason"
                );
            }
            if e.license.eq_ignore_ascii_case("other") {
                assert!(
                    !e.terms.is_empty(),
                    "{name}: `other` without the terms' words"
                );
            }
            if e.mixed {
                let strictest = e
                    .parts
                    .iter()
                    .map(|p| engine_verdict(&p.license, &p.terms))
                    .fold(Verdict::Permitted, Verdict::stricter);
                if strictest != stated {
                    disagree.push(format!(
                        "{name}: the strictest part is {strictest}, stated {stated}"
                    ));
                }
            }
        }
        assert!(disagree.is_empty(), "{disagree:#?}");
    }

    /// The rows of a TSV file of `licenses/` (comments and header skipped).
    fn rows(tsv: &str) -> Vec<Vec<&str>> {
        tsv.lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .skip(1)
            .map(|l| l.split('\t').collect())
            .collect()
    }

    /// The ids of a measured list that have no entry (by Hub id or a
    /// spelling cards use).
    fn missing<'a>(kb: &DatasetKb, list: &[Vec<&'a str>]) -> Vec<&'a str> {
        list.iter()
            .map(|r| r.get(1).copied().unwrap_or_default())
            .filter(|id| kb.get(id).is_none())
            .collect()
    }

    /// Every dataset of the measured list (the 150 most named in model
    /// cards) has an entry, by its Hub id or a spelling cards use.
    #[test]
    fn every_dataset_of_the_measured_list_has_an_entry() {
        let top = rows(include_str!("../../../licenses/datasets-top.tsv"));
        assert_eq!(top.len(), 150, "the measured list has 150 rows");
        let missing = missing(datasets(), &top);
        assert!(missing.is_empty(), "no entry for {missing:?}");
    }

    /// Every dataset of the recent list (the ids two or more authors name in
    /// 2025 model cards) has an entry, and the list is what its header says:
    /// ranked, each row named by at least two authors.
    #[test]
    fn every_dataset_of_the_recent_list_has_an_entry() {
        let recent = rows(include_str!("../../../licenses/datasets-top-recent.tsv"));
        assert!(recent.len() >= 40, "{} rows", recent.len());
        for (i, r) in recent.iter().enumerate() {
            assert_eq!(r.first().copied(), Some((i + 1).to_string().as_str()));
            let authors: u32 = r.get(3).and_then(|a| a.parse().ok()).unwrap_or(0);
            assert!(authors >= 2, "row {}: {authors} authors", i + 1);
        }
        let missing = missing(datasets(), &recent);
        assert!(missing.is_empty(), "no entry for {missing:?}");
    }

    /// A legacy id and the org id Hugging Face moved the set to name one
    /// entry (`licenses/datasets-moves.tsv`, read from Hugging Face's own
    /// commits).
    #[test]
    fn moved_ids_name_the_same_entry_as_their_legacy_ids() {
        let kb = datasets();
        let moves = rows(include_str!("../../../licenses/datasets-moves.tsv"));
        assert!(moves.len() >= 15, "{} moves", moves.len());
        for m in moves {
            let (legacy, id) = (m[0], m[1]);
            let a = kb
                .get(legacy)
                .unwrap_or_else(|| panic!("no entry for {legacy}"));
            let b = kb.get(id).unwrap_or_else(|| panic!("no entry for {id}"));
            assert!(std::ptr::eq(a, b), "{legacy} and {id} are in two entries");
            assert!(
                a.ids.iter().any(|k| k.eq_ignore_ascii_case(id)),
                "{id} is not among the ids of {legacy}'s entry"
            );
        }
    }

    #[test]
    fn spellings_cards_use_find_the_set_they_mean() {
        let kb = datasets();
        let mnli = kb.get("MNLI").expect("mnli");
        assert!(std::ptr::eq(
            mnli,
            kb.get("nyu-mll/multi_nli").expect("multi_nli")
        ));
        let libri = kb.get("Libri2Mix").expect("Libri2Mix");
        assert!(std::ptr::eq(
            libri,
            kb.get("sep_noisy").expect("a LibriMix task")
        ));
        assert!(libri.mixed && libri.ids.is_empty());
        // a spelling is no org id: another org's set of that name is not it
        assert!(kb.get("someone/mnli").is_none());
    }

    #[test]
    fn ids_are_found_with_or_without_their_org_and_in_any_case() {
        let kb = datasets();
        let squad = kb.get("rajpurkar/squad").expect("squad");
        assert!(std::ptr::eq(squad, kb.get("SQuAD").expect("by old id")));
        assert!(
            kb.get("someone/squad").is_none(),
            "another org's set is not squad"
        );
        assert_eq!(
            kb.get("ms_marco").map(|e| e.license.as_str()),
            Some("ms-marco-terms")
        );
        assert!(kb.get("no-such-dataset").is_none());
    }
}
