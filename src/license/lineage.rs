//! Lineage: which license a base model (card `base_model`) is under, from the
//! knowledge base's model patterns.

use super::kb::{kb, LicenseEntry};

/// True when `text` matches the glob `pattern` (`*` any run, `?` one char), case-insensitively.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.to_lowercase().chars().collect();
    let t: Vec<char> = text.to_lowercase().chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

/// How a base model was matched to a license.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Match {
    /// The full `org/name` matched a model pattern.
    RepoId,
    /// Only the name matched (a re-upload under another org, e.g.
    /// `unsloth/Meta-Llama-3.1-8B-bnb-4bit` is still Llama 3.1).
    NameOnly,
}

/// The knowledge-base entry whose model patterns match a Hub repo id, preferring
/// a license over a supplementary policy document.
pub fn license_of_model(repo_id: &str) -> Option<&'static LicenseEntry> {
    lineage_of(repo_id).map(|(e, _)| e)
}

/// Like [`license_of_model`], falling back to the name alone for re-uploads.
///
/// Where several patterns match, the most specific one (the most literal
/// characters) wins, so that `unsloth/Llama-3.2-1B` is Llama 3.2 through
/// `llama-3.2-*`, not LLaMA 1 through `llama-*`; a name with no version that
/// a pattern knows falls to the broader (and for Llama, stricter) pattern.
/// A name that ends with what a versioned pattern matches
/// (`NousResearch/Hermes-3-Llama-3.1-8B`) is matched by that pattern.
pub fn lineage_of(repo_id: &str) -> Option<(&'static LicenseEntry, Match)> {
    let id = repo_id.trim().trim_start_matches("hf://");
    // `score` says how specifically a pattern matches (None: not at all)
    let pick = |score: &dyn Fn(&str) -> Option<usize>| {
        kb().entries
            .iter()
            .filter_map(|e| {
                let best = e.model_patterns.iter().filter_map(|p| score(p)).max()?;
                Some((best, !is_supplementary(e), e))
            })
            .max_by(|a, b| {
                (a.0, a.1)
                    .cmp(&(b.0, b.1))
                    .then_with(|| b.2.id.cmp(&a.2.id))
            })
            .map(|(_, _, e)| e)
    };
    if let Some(e) = pick(&|p| repo_id_score(p, id)) {
        return Some((e, Match::RepoId));
    }
    let name = id.rsplit('/').next().unwrap_or(id);
    let name_of = |p: &str| p.rsplit('/').next().unwrap_or(p).to_string();
    pick(&|p| name_score(p, name))
        .or_else(|| {
            let lower = name.to_lowercase();
            pick(&|p| {
                let pattern_name = name_of(p);
                let stem = pattern_name.split(['*', '?']).next().unwrap_or("");
                // The whole pattern, not its stem alone, must appear in the name:
                // `flux.1-*dev*` inside `my-flux.1-dev-lora`, not `flux.1-schnell`.
                (stem.len() >= 7
                    && stem.chars().any(|c| c.is_ascii_digit())
                    && stem.chars().any(|c| c.is_ascii_alphabetic())
                    && glob_match(&format!("*{pattern_name}*"), &lower))
                .then_some(stem.len())
            })
        })
        .map(|e| (e, Match::NameOnly))
}

/// How specifically a model pattern matches the whole repo id (`org/name`):
/// its literal characters, or `None` when it does not match.
pub(crate) fn repo_id_score(pattern: &str, repo_id: &str) -> Option<usize> {
    glob_match(pattern, repo_id).then(|| literal_len(pattern))
}

/// How specifically a model pattern's name part matches a repo's name alone
/// (a re-upload under another org); the name part must say more than a
/// wildcard (six literal characters or more).
pub(crate) fn name_score(pattern: &str, name: &str) -> Option<usize> {
    let pattern_name = pattern.rsplit('/').next().unwrap_or(pattern);
    (pattern_name.trim_matches('*').len() >= 6 && glob_match(pattern_name, name))
        .then(|| literal_len(pattern_name))
}

/// Characters of a glob that are not wildcards: how specific it is.
fn literal_len(pattern: &str) -> usize {
    pattern.chars().filter(|c| !matches!(c, '*' | '?')).count()
}

/// Policy documents that accompany a license rather than replace it.
pub fn is_supplementary(e: &LicenseEntry) -> bool {
    e.id.ends_with("-use-policy")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match(
            "meta-llama/llama-3.1-*",
            "meta-llama/Llama-3.1-8B-Instruct"
        ));
        assert!(glob_match("bigcode/starcoder*", "bigcode/starcoder"));
        assert!(!glob_match(
            "meta-llama/llama-3.1-*",
            "meta-llama/Llama-3.2-1B"
        ));
        assert!(glob_match("a?c", "abc"));
    }

    #[test]
    fn known_bases_resolve() {
        assert_eq!(
            license_of_model("meta-llama/Llama-3.1-8B").map(|e| e.id.as_str()),
            Some("llama3.1")
        );
        assert_eq!(
            license_of_model("meta-llama/Llama-3.2-1B").map(|e| e.id.as_str()),
            Some("llama3.2")
        );
        assert!(license_of_model("someone/unknown-model").is_none());
        let (e, how) = lineage_of("unsloth/Meta-Llama-3.1-8B-bnb-4bit").unwrap();
        assert_eq!((e.id.as_str(), how), ("llama3.1", Match::NameOnly));
    }

    #[test]
    fn re_uploads_are_matched_by_the_version_in_their_name() {
        for (repo, license) in [
            ("unsloth/Llama-3.2-1B-Instruct", "llama3.2"),
            ("unsloth/Llama-3.3-70B-Instruct", "llama3.3"),
            ("unsloth/Llama-4-Scout-17B-16E-Instruct", "llama4"),
            ("TheBloke/Llama-2-7B-GGUF", "llama2"),
            ("bartowski/Llama-3.2-3B-Instruct-GGUF", "llama3.2"),
            ("mlx-community/Llama-3.2-1B-Instruct-4bit", "llama3.2"),
            ("nvidia/Llama-3.1-Nemotron-70B-Instruct-HF", "llama3.1"),
            ("NousResearch/Hermes-3-Llama-3.1-8B", "llama3.1"),
            ("meta-llama/Llama-3.2-1B", "llama3.2"),
            // no version a pattern knows: the broad pattern, which fails closed
            ("someone/llama-7b", "llama1"),
        ] {
            assert_eq!(
                lineage_of(repo).map(|(e, _)| e.id.as_str()),
                Some(license),
                "{repo}"
            );
        }
        assert!(lineage_of("TinyLlama/TinyLlama-1.1B-Chat-v1.0").is_none());
    }

    #[test]
    fn a_name_holding_a_patterns_stem_but_not_the_rest_is_not_matched() {
        // FLUX.1 [schnell] is Apache-2.0; only [dev] is non-commercial.
        assert!(lineage_of("black-forest-labs/FLUX.1-schnell").is_none());
        assert_eq!(
            lineage_of("someone/my-flux.1-dev-lora").map(|(e, _)| e.id.as_str()),
            Some("flux-non-commercial-license-2.1")
        );
    }
}
