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
pub fn lineage_of(repo_id: &str) -> Option<(&'static LicenseEntry, Match)> {
    let id = repo_id.trim().trim_start_matches("hf://");
    let pick = |pred: &dyn Fn(&str) -> bool| {
        let mut matches: Vec<&'static LicenseEntry> = kb()
            .entries
            .iter()
            .filter(|e| e.model_patterns.iter().any(|p| pred(p)))
            .collect();
        matches.sort_by_key(|e| is_supplementary(e));
        matches.into_iter().next()
    };
    if let Some(e) = pick(&|p| glob_match(p, id)) {
        return Some((e, Match::RepoId));
    }
    let name = id.rsplit('/').next().unwrap_or(id);
    pick(&|p| {
        let pattern_name = p.rsplit('/').next().unwrap_or(p);
        // a name pattern must say more than a wildcard
        pattern_name.trim_matches('*').len() >= 6 && glob_match(pattern_name, name)
    })
    .map(|e| (e, Match::NameOnly))
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
}
