//! `hf://ORG/NAME[@REVISION]`: a model on the Hugging Face Hub, and what the
//! Report says about how it was fetched (`target.remote`).

use super::hf_cache::looks_like_repo_id;
use serde::Serialize;

/// The scheme of Hub targets.
pub const SCHEME: &str = "hf://";

/// A model on the Hub, as the user wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubRef {
    /// `org/name`.
    pub repo: String,
    /// What followed `@`, when anything did.
    pub revision: Option<String>,
}

impl HubRef {
    /// The revision to use: `@REV`, else `--revision`, else `main`; both
    /// given and different is a mistake.
    pub fn revision_with(&self, flag: Option<&str>) -> Result<String, String> {
        match (&self.revision, flag) {
            (Some(at), Some(f)) if at != f => Err(format!(
                "the revision is given twice (@{at} and --revision {f})"
            )),
            (Some(at), _) => Ok(at.clone()),
            (None, Some(f)) => Ok(f.to_string()),
            (None, None) => Ok("main".to_string()),
        }
    }
}

/// `None` when `input` is not an `hf://` target; else the repo and revision,
/// or what is wrong with them.
pub fn parse(input: &str) -> Option<Result<HubRef, String>> {
    let rest = input.strip_prefix(SCHEME)?;
    let rest = rest.strip_prefix("models/").unwrap_or(rest);
    Some(parse_rest(rest.trim_end_matches('/')))
}

fn parse_rest(rest: &str) -> Result<HubRef, String> {
    if rest.starts_with("datasets/") || rest.starts_with("spaces/") {
        return Err("only model repositories can be inspected".to_string());
    }
    let (repo, revision) = match rest.split_once('@') {
        Some((repo, rev)) => (repo, Some(rev)),
        None => (rest, None),
    };
    if repo.is_empty() || !looks_like_repo_id(repo) {
        return Err(format!("`{repo}` is not a repo id (ORG/NAME)"));
    }
    if let Some(rev) = revision {
        let ok = !rev.is_empty()
            && rev.len() <= 256
            && !rev.starts_with('/')
            && !rev.ends_with('/')
            && rev
                .split('/')
                .all(|c| !c.is_empty() && c != "." && c != "..")
            && rev
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'));
        if !ok {
            return Err(format!(
                "`{rev}` is not a revision (a branch, tag or commit)"
            ));
        }
    }
    Ok(HubRef {
        repo: repo.to_string(),
        revision: revision.map(str::to_string),
    })
}

/// How a remote target was fetched: the Report's `target.remote`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RemoteInfo {
    /// The Hub's base URL.
    pub endpoint: String,
    /// `org/name`.
    pub repo: String,
    /// The revision asked for.
    pub revision: String,
    /// The commit it resolved to.
    pub commit: String,
    /// Files the Hub lists.
    pub files_listed: u64,
    /// Total size of those files.
    pub repo_bytes: u64,
    /// Small files downloaded into the cache by this run.
    pub files_fetched: u64,
    /// Files found complete in the cache (not fetched again).
    pub files_cached: u64,
    /// Safetensors headers read with Range requests.
    pub headers_read: u64,
    /// Files left on the Hub (listed with `remote_only` in `files`).
    pub files_remote_only: u64,
    /// Body bytes received from the Hub by this run.
    pub bytes_fetched: u64,
    /// HTTP requests sent by this run (redirects followed and retries included).
    pub requests: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hub_targets() {
        assert_eq!(parse("./model"), None);
        assert_eq!(parse("org/name"), None);
        let r = parse("hf://org/name@v1.0").expect("hf").expect("valid");
        assert_eq!(r.repo, "org/name");
        assert_eq!(r.revision.as_deref(), Some("v1.0"));
        let r = parse("hf://gpt2").expect("hf").expect("valid");
        assert_eq!((r.repo.as_str(), r.revision), ("gpt2", None));
        let r = parse("hf://models/org/name@refs/pr/1")
            .expect("hf")
            .expect("valid");
        assert_eq!(r.revision.as_deref(), Some("refs/pr/1"));
        for bad in [
            "hf://",
            "hf://a/b/c",
            "hf://org/name@",
            "hf://org/name@../x",
            "hf://datasets/x/y",
            "hf://org/na me",
        ] {
            assert!(parse(bad).expect("hf").is_err(), "{bad}");
        }
    }

    #[test]
    fn revision_from_at_or_flag() {
        let r = parse("hf://org/name@dev").expect("hf").expect("valid");
        assert_eq!(r.revision_with(None).as_deref(), Ok("dev"));
        assert_eq!(r.revision_with(Some("dev")).as_deref(), Ok("dev"));
        assert!(r.revision_with(Some("main")).is_err());
        let r = parse("hf://org/name").expect("hf").expect("valid");
        assert_eq!(r.revision_with(None).as_deref(), Ok("main"));
        assert_eq!(r.revision_with(Some("abc1234")).as_deref(), Ok("abc1234"));
    }
}
