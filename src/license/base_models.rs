//! Base models published under an SPDX license (`licenses/base-models.toml`),
//! so that a fine-tune of Qwen3, Mistral 7B or Phi-4 inherits a known license
//! instead of an unknown one. The knowledge base's own lineage (Llama, Gemma,
//! Qwen's 3B and 72B licenses, ...) is always asked first.

use super::lineage::{name_score, repo_id_score, Match};
use serde::Deserialize;
use std::sync::OnceLock;

/// One row of the table.
#[derive(Debug, Clone, Deserialize)]
pub struct BaseFamily {
    /// The SPDX id the models are published under.
    pub spdx: String,
    /// Lower-case globs over `org/name`.
    pub patterns: Vec<String>,
    /// Where the license was read.
    pub source: String,
}

#[derive(Deserialize)]
struct Table {
    base: Vec<BaseFamily>,
}

/// Every row; empty if the embedded table does not parse (a build-time test
/// guards that it does).
pub fn table() -> &'static [BaseFamily] {
    static TABLE: OnceLock<Vec<BaseFamily>> = OnceLock::new();
    TABLE.get_or_init(|| {
        serde_json::from_str::<Table>(super::kb::base_models_json())
            .map(|t| t.base)
            .unwrap_or_default()
    })
}

/// The family a base model id belongs to, by its most specific pattern:
/// the whole repo id first, else the name alone (a re-upload), scored as the
/// knowledge base's lineage scores its model patterns.
pub fn family_of(repo_id: &str) -> Option<(&'static BaseFamily, Match)> {
    let id = repo_id.trim().trim_start_matches("hf://").to_lowercase();
    let best = |score: &dyn Fn(&str) -> Option<usize>| {
        table()
            .iter()
            .filter_map(|f| Some((f.patterns.iter().filter_map(|p| score(p)).max()?, f)))
            .max_by_key(|(s, _)| *s)
            .map(|(_, f)| f)
    };
    if let Some(f) = best(&|p| repo_id_score(p, &id)) {
        return Some((f, Match::RepoId));
    }
    let name = id.rsplit('/').next().unwrap_or(&id);
    best(&|p| name_score(p, name)).map(|f| (f, Match::NameOnly))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_parses_and_names_real_spdx_ids() {
        assert!(table().len() >= 5);
        for f in table() {
            assert!(
                spdx::license_id(&f.spdx).is_some(),
                "{} is not an SPDX id",
                f.spdx
            );
            assert!(
                f.patterns.iter().all(|p| p == &p.to_lowercase()),
                "{:?}",
                f.patterns
            );
        }
    }

    #[test]
    fn base_models_match_by_repo_id_then_by_name() {
        let (f, how) = family_of("Qwen/Qwen3-4B-Base").unwrap();
        assert_eq!((f.spdx.as_str(), how), ("Apache-2.0", Match::RepoId));
        let (f, how) = family_of("unsloth/Qwen3-4B-bnb-4bit").unwrap();
        assert_eq!((f.spdx.as_str(), how), ("Apache-2.0", Match::NameOnly));
        assert_eq!(family_of("microsoft/phi-4").unwrap().0.spdx, "MIT");
        // Qwen2.5's 3B and 72B are under Qwen's own licenses: not in this table.
        assert!(family_of("Qwen/Qwen2.5-3B-Instruct").is_none());
        assert!(family_of("Qwen/Qwen2.5-72B-Instruct").is_none());
        assert!(family_of("mistralai/Mistral-Small-Instruct-2409").is_none());
        assert!(family_of("someone/something").is_none());
    }
}
