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
    /// Its license: an SPDX id, a Hub license id or a knowledge-base id.
    pub license: String,
    /// What is special about it.
    #[serde(default)]
    pub notes: String,
}

/// One dataset.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DatasetEntry {
    /// Every Hub id it goes by (`rajpurkar/squad`, and the id it had before
    /// it moved under an org, `squad`); matched case-insensitively.
    pub ids: Vec<String>,
    /// Its license as its card or terms state it: an SPDX id, a Hub license
    /// id or a knowledge-base id. For a mixed dataset, the strictest part's.
    pub license: String,
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
    /// The license that applies to `config`: its part's, when the dataset
    /// is mixed and a part has that name; else the dataset's.
    pub fn license_for(&self, config: Option<&str>) -> (&str, Option<&DatasetPart>) {
        let part = config.and_then(|c| self.parts.iter().find(|p| p.name.eq_ignore_ascii_case(c)));
        match part {
            Some(p) => (p.license.as_str(), Some(p)),
            None => (self.license.as_str(), None),
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
            for id in &e.ids {
                by_id.entry(id.to_ascii_lowercase()).or_insert(i);
            }
        }
        Ok(DatasetKb {
            entries: table.dataset,
            by_id,
        })
    }

    /// The entry a Hub dataset id names (org or not; any case). An id
    /// without an org also finds an entry known only under an org by its
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

    /// Every entry is sourced and dated, names a license the engine resolves
    /// to a verdict (its parts too), and no id belongs to two entries.
    #[test]
    fn the_dataset_knowledge_base_is_sourced_dated_resolved_and_unique() {
        let kb = datasets();
        assert!(kb.entries.len() >= 150, "{} entries", kb.entries.len());
        let mut ids = HashSet::new();
        let mut unresolved = Vec::new();
        for e in &kb.entries {
            let name = e.ids.first().cloned().unwrap_or_default();
            assert!(!e.ids.is_empty(), "an entry without ids");
            for id in &e.ids {
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
            for license in std::iter::once(&e.license).chain(e.parts.iter().map(|p| &p.license)) {
                let verdict = super::super::terms::judge_id(license).map(|j| j.1);
                if !verdict.is_some_and(|v| v != Verdict::Unknown) {
                    unresolved.push(format!("{name}: {license} → {verdict:?}"));
                }
            }
        }
        assert!(
            unresolved.is_empty(),
            "not resolved to a verdict: {unresolved:#?}"
        );
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
