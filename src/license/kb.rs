//! The license knowledge base: `licenses/*.toml`, embedded at build time
//! (as JSON: `build.rs` parses the TOML, so that no run pays for it).

use super::verdict::{ObligationKind, Verdict};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;
use thiserror::Error;

mod data {
    include!(concat!(env!("OUT_DIR"), "/kb_data.rs"));
}

/// `licenses/datasets.toml` as JSON (read by [`crate::license::datasets::kb`]).
pub(crate) fn datasets_json() -> &'static str {
    data::DATASETS
}

/// `licenses/base-models.toml` as JSON (read by [`crate::license::base_models`]).
pub(crate) fn base_models_json() -> &'static str {
    data::BASE_MODELS
}

/// The knowledge base's fingerprint: a 64-bit FNV-1a hash of every file
/// under `licenses/` (16 hex digits, computed by `build.rs`), recorded by
/// `mri lock` beside mri's version.
pub fn fingerprint() -> &'static str {
    data::FINGERPRINT
}

/// `licenses/references.toml`: the phrases that name SPDX licenses in a
/// short text, and the names of files that add duties without stating a
/// license.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct References {
    /// File name prefixes (lowercase) of supplementary documents.
    pub supplementary_files: Vec<String>,
    /// Phrases naming SPDX licenses.
    pub spdx_name: Vec<SpdxName>,
}

/// A phrase that names an SPDX license.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpdxName {
    /// The phrase, normalised.
    pub name: String,
    /// The SPDX id it names.
    pub spdx: String,
}

/// The embedded `licenses/references.toml` (empty lists if it does not
/// read, which a test rules out).
pub fn references() -> &'static References {
    static REFS: OnceLock<References> = OnceLock::new();
    REFS.get_or_init(|| {
        serde_json::from_str(data::REFERENCES).unwrap_or(References {
            supplementary_files: Vec::new(),
            spdx_name: Vec::new(),
        })
    })
}

/// One obligation as the knowledge base states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObligationSpec {
    /// Its kind.
    pub kind: ObligationKind,
    /// What it asks, for a person.
    pub summary: String,
    /// The number, amount, regions, prefix or text, when one applies.
    pub value: String,
    /// Normalised phrases that locate the clause in a text.
    pub locate: Vec<String>,
}

/// One license of the knowledge base.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicenseEntry {
    /// Stable id (the Hub id when the Hub has one).
    pub id: String,
    /// The license's own title.
    pub name: String,
    /// Groups versions (`llama`, `gemma`, ...).
    pub family: String,
    /// Version, when any.
    pub version: String,
    /// ISO release date stated in the text, when any.
    pub released: String,
    /// SPDX id when SPDX has this license.
    pub spdx: String,
    /// Hub license ids meaning this license.
    pub hub_ids: Vec<String>,
    /// Lowercase spellings seen in cards and file names.
    pub aliases: Vec<String>,
    /// The commercial-use verdict.
    pub verdict: Verdict,
    /// Canonical text, relative to `licenses/`.
    pub text_file: String,
    /// Phrases naming this version.
    pub title_phrases: Vec<String>,
    /// Globs on Hub `org/name` of models under this license.
    pub model_patterns: Vec<String>,
    /// Why this verdict.
    pub notes: String,
    /// Typed obligations.
    #[serde(default)]
    pub obligations: Vec<ObligationSpec>,
}

/// A Hub license identifier and what it means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HubId {
    /// The Hub id (`apache-2.0`).
    pub hub: String,
    /// The SPDX id, when SPDX has it.
    pub spdx: String,
    /// The knowledge-base id, when there is an entry.
    pub kb: String,
    /// True for ids naming a family, not one license.
    pub family_only: bool,
}

#[derive(Deserialize)]
struct HubFile {
    id: Vec<HubId>,
}

/// A problem in the embedded data (caught by tests, never by users).
#[derive(Debug, Error)]
pub enum KbError {
    /// A TOML file that does not parse.
    #[error("licenses/{file}: {message}")]
    Parse {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// A referenced text that is not bundled.
    #[error("licenses/{0}: text_file names a text that is not bundled")]
    MissingText(String),
}

/// The loaded knowledge base.
#[derive(Debug)]
pub struct KnowledgeBase {
    /// Every entry, sorted by id.
    pub entries: Vec<LicenseEntry>,
    /// Every Hub id.
    pub hub_ids: Vec<HubId>,
    texts: HashMap<&'static str, &'static str>,
    by_name: HashMap<String, usize>,
}

/// Lowercase, with `_`, spaces and dots between letters folded to `-`, for alias lookups.
pub fn fold_name(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.trim().chars() {
        let c = c.to_ascii_lowercase();
        if c == '_' || c.is_whitespace() {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c);
        }
    }
    out.trim_matches('-').to_string()
}

impl KnowledgeBase {
    /// Loads the embedded knowledge base.
    pub fn load() -> Result<KnowledgeBase, KbError> {
        let mut entries = Vec::new();
        for (file, text) in data::KB_ENTRIES {
            let entry: LicenseEntry = serde_json::from_str(text).map_err(|e| KbError::Parse {
                file: file.to_string(),
                message: e.to_string(),
            })?;
            entries.push(entry);
        }
        entries.sort_by(|a, b| a.id.cmp(&b.id));
        let texts: HashMap<&'static str, &'static str> = data::KB_TEXTS.iter().copied().collect();
        for e in &entries {
            if !e.text_file.is_empty() && !texts.contains_key(e.text_file.as_str()) {
                return Err(KbError::MissingText(format!("{}.toml", e.id)));
            }
        }
        let hub: HubFile = serde_json::from_str(data::HUB_IDS).map_err(|e| KbError::Parse {
            file: "hub-ids.toml".into(),
            message: e.to_string(),
        })?;
        let mut by_name = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            let names = std::iter::once(&e.id)
                .chain(&e.hub_ids)
                .chain(&e.aliases)
                .chain(std::iter::once(&e.name));
            for n in names {
                by_name.entry(fold_name(n)).or_insert(i);
            }
        }
        Ok(KnowledgeBase {
            entries,
            hub_ids: hub.id,
            texts,
            by_name,
        })
    }

    /// The entry with this id.
    pub fn get(&self, id: &str) -> Option<&LicenseEntry> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// The entry an id, Hub id, alias or name refers to.
    pub fn lookup(&self, name: &str) -> Option<&LicenseEntry> {
        self.by_name
            .get(&fold_name(name))
            .map(|&i| &self.entries[i])
    }

    /// What a Hub license id means.
    pub fn hub_id(&self, id: &str) -> Option<&HubId> {
        let folded = fold_name(id);
        self.hub_ids.iter().find(|h| h.hub == folded)
    }

    /// The canonical text of an entry, when bundled.
    pub fn text(&self, entry: &LicenseEntry) -> Option<&'static str> {
        self.texts.get(entry.text_file.as_str()).copied()
    }

    /// The sorted shingles of a bundled text (a knowledge-base `text_file`
    /// or an SPDX text's file name), as the build script computed them.
    pub fn text_shingles(&self, file: &str) -> Option<Cow<'static, [u64]>> {
        let &(_, first, count) = data::SHINGLES.iter().find(|(f, _, _)| *f == file)?;
        let bytes = data::SHINGLE_BLOB.0.get(first * 8..(first + count) * 8)?;
        // read in place where the blob's bytes are the hashes as this
        // machine holds them (little-endian, and aligned: see build.rs)
        if cfg!(target_endian = "little") {
            if let Ok(hashes) = bytemuck::try_cast_slice::<u8, u64>(bytes) {
                return Some(Cow::Borrowed(hashes));
            }
        }
        Some(Cow::Owned(
            bytes
                .chunks_exact(8)
                .map(|c| u64::from_le_bytes(c.try_into().unwrap_or([0; 8])))
                .collect(),
        ))
    }

    /// Bundled SPDX texts as (SPDX id, text).
    pub fn spdx_texts(&self) -> &'static [(&'static str, &'static str)] {
        data::SPDX_TEXTS
    }

    /// Entries of the same family.
    pub fn family<'a>(&'a self, family: &'a str) -> impl Iterator<Item = &'a LicenseEntry> + 'a {
        self.entries.iter().filter(move |e| e.family == family)
    }
}

static KB: OnceLock<KnowledgeBase> = OnceLock::new();

/// The embedded knowledge base, loaded once. The data is checked by tests;
/// should it ever fail to load, the knowledge base is empty and every
/// verdict falls back to clause reading and `unknown` (fail closed).
pub fn kb() -> &'static KnowledgeBase {
    KB.get_or_init(|| {
        KnowledgeBase::load().unwrap_or_else(|_| KnowledgeBase {
            entries: Vec::new(),
            hub_ids: Vec::new(),
            texts: HashMap::new(),
            by_name: HashMap::new(),
        })
    })
}

/// SPDX text file names embedded (`MIT.txt` → `MIT`).
pub fn spdx_id_of_file(file: &str) -> &str {
    file.strip_suffix(".txt").unwrap_or(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_entries_are_the_toml_files_as_written() {
        // build.rs converts the TOML to JSON; nothing may be lost on the way.
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("licenses");
        let kb = kb();
        let mut checked = 0;
        for file in std::fs::read_dir(&dir).unwrap() {
            let path = file.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !name.ends_with(".toml")
                || [
                    "hub-ids.toml",
                    "base-models.toml",
                    "references.toml",
                    "datasets.toml",
                ]
                .contains(&name.as_str())
            {
                continue;
            }
            let entry: LicenseEntry =
                toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            assert_eq!(kb.get(&entry.id), Some(&entry), "{name}");
            checked += 1;
        }
        assert_eq!(checked, kb.entries.len());
        assert!(checked > 50, "{checked} entries");
        let hub: HubFile =
            toml::from_str(&std::fs::read_to_string(dir.join("hub-ids.toml")).unwrap()).unwrap();
        assert_eq!(hub.id, kb.hub_ids);
    }

    #[test]
    fn precomputed_shingles_are_what_the_matcher_computes() {
        let kb = kb();
        let mut checked = 0;
        for e in kb.entries.iter().filter(|e| !e.text_file.is_empty()) {
            let text = kb.text(e).unwrap();
            let expected = crate::license::text::NormText::new(text).shingles();
            assert_eq!(
                kb.text_shingles(&e.text_file).as_deref(),
                Some(&expected[..]),
                "{}",
                e.text_file
            );
            checked += 1;
        }
        for (file, text) in kb.spdx_texts() {
            let expected = crate::license::text::NormText::new(text).shingles();
            assert_eq!(
                kb.text_shingles(file).as_deref(),
                Some(&expected[..]),
                "{file}"
            );
            // read in place, not copied, where the machine is little-endian
            if cfg!(target_endian = "little") {
                assert!(matches!(kb.text_shingles(file), Some(Cow::Borrowed(_))));
            }
            checked += 1;
        }
        assert!(checked > 80, "{checked} texts");
        assert_eq!(kb.text_shingles("texts/no-such-text.txt"), None);
    }

    #[test]
    fn the_reference_names_load_and_name_known_spdx_licenses() {
        let r: References = serde_json::from_str(data::REFERENCES).expect("references.toml");
        assert!(r.supplementary_files.iter().any(|f| f == "notice"));
        assert!(r.spdx_name.len() >= 8);
        for n in &r.spdx_name {
            assert!(
                crate::license::spdx_facts::facts(&n.spdx).is_some(),
                "{}",
                n.spdx
            );
            assert_eq!(n.name, n.name.to_lowercase(), "normalised");
        }
    }

    #[test]
    fn embedded_knowledge_base_loads_and_is_consistent() {
        let kb = KnowledgeBase::load().expect("knowledge base loads");
        assert!(kb.entries.len() >= 50);
        let mut ids = std::collections::HashSet::new();
        for e in &kb.entries {
            assert!(ids.insert(&e.id), "duplicate id {}", e.id);
            assert!(!e.name.is_empty());
            if !e.text_file.is_empty() {
                let text = kb.text(e).expect("text bundled");
                let norm = crate::license::text::NormText::new(text);
                for p in &e.title_phrases {
                    assert!(
                        norm.find(p).is_some(),
                        "{}: title phrase {p:?} not in its text",
                        e.id
                    );
                }
                for o in &e.obligations {
                    assert!(
                        o.locate.iter().any(|p| norm.find(p).is_some()),
                        "{}: no locate phrase of {} in its text",
                        e.id,
                        o.kind
                    );
                }
            }
        }
        assert_eq!(kb.hub_ids.len(), 83);
        for h in &kb.hub_ids {
            if !h.kb.is_empty() {
                assert!(
                    kb.get(&h.kb).is_some(),
                    "hub id {} names missing entry {}",
                    h.hub,
                    h.kb
                );
            }
            if !h.spdx.is_empty() && h.kb.is_empty() {
                assert!(
                    spdx::license_id(&h.spdx).is_some(),
                    "hub id {} maps to unknown SPDX id {}",
                    h.hub,
                    h.spdx
                );
            }
        }
    }

    #[test]
    fn lookups_fold_spellings() {
        let kb = kb();
        assert_eq!(
            kb.lookup("Llama3.1").map(|e| e.id.as_str()),
            Some("llama3.1")
        );
        assert_eq!(
            kb.lookup("tongyi-qianwen").map(|e| e.id.as_str()),
            Some("tongyi-qianwen")
        );
        assert_eq!(
            kb.hub_id("Apache-2.0").map(|h| h.spdx.as_str()),
            Some("Apache-2.0")
        );
        assert!(kb.lookup("no-such-license").is_none());
    }
}
