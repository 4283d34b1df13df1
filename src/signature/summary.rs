//! A model signature found beside the weights, summarised for the Report
//! (`mri inspect`): who the bundle names and whether its list covers every
//! file on disk by name. Nothing is verified here; `mri verify --signature`
//! checks the signature and the bytes, and `mri check` checks the signature
//! with the policy's keys or certificates (`check`).

use super::{Signer, SignerHint, DEFAULT_IGNORED};
use serde::Serialize;

/// At most this many unlisted or missing names are kept.
const MAX_NAMED: usize = 20;

/// Paths left out of a signature, relative to the model folder, each with
/// everything below it: git's files, the signature itself and the
/// statement's `ignore_paths`.
#[derive(Debug, Clone, Default)]
pub struct Ignored(Vec<String>);

impl Ignored {
    /// The default (`.git`, `.gitattributes`, `.github`, `.gitignore`) and
    /// `more`; entries that are not clean relative paths are dropped.
    pub fn new<'a>(more: impl IntoIterator<Item = &'a str>) -> Ignored {
        let mut v: Vec<String> = DEFAULT_IGNORED.iter().map(|s| s.to_string()).collect();
        for p in more {
            if let Ok(clean) = super::statement::clean_name(p) {
                if !v.contains(&clean) {
                    v.push(clean);
                }
            }
        }
        Ignored(v)
    }

    /// True when `rel` is an ignored path or below one.
    pub fn covers(&self, rel: &str) -> bool {
        self.0.iter().any(|p| {
            rel == p
                || rel
                    .strip_prefix(p.as_str())
                    .is_some_and(|rest| rest.starts_with('/'))
        })
    }

    /// The list, as a statement records it.
    pub fn paths(&self) -> &[String] {
        &self.0
    }
}

/// The signature checked with a policy's keys or certificates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PolicyCheck {
    /// The signature held with one of them.
    pub valid: bool,
    /// Who signed, when it held.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer: Option<Signer>,
    /// Why not, when it did not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// The Report's `signature`: a `model.sig` in the model folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// The file, relative to the model root.
    pub file: String,
    /// Who the bundle names (not verified).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer: Option<SignerHint>,
    /// Files the statement lists.
    pub files_listed: usize,
    /// Every file on disk is listed (the ignored ones aside) and every
    /// listed file is on disk, by name.
    pub covers_every_file: bool,
    /// Files on disk the statement does not list (the first 20).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unlisted: Vec<String>,
    /// Listed files not on disk (the first 20).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<String>,
    /// Why the bundle or its statement cannot be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
    /// The signature checked with the policy's trust (`mri check`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_check: Option<PolicyCheck>,
}

impl Summary {
    /// Who the bundle names, in words.
    pub fn signer_words(&self) -> String {
        match &self.signer {
            Some(SignerHint::Key {
                fingerprint: Some(f),
            }) => format!("key sha256:{f}"),
            Some(SignerHint::Key { fingerprint: None }) => "a key it does not name".into(),
            Some(SignerHint::Certificate {
                identities,
                issuer,
                subject,
                keyless,
                ..
            }) => format!(
                "{}certificate {}{}",
                if *keyless { "keyless " } else { "" },
                if identities.is_empty() {
                    subject.clone()
                } else {
                    identities.join(", ")
                },
                issuer
                    .as_deref()
                    .map(|i| format!(" (issuer {i})"))
                    .unwrap_or_default()
            ),
            None => "nobody readable".into(),
        }
    }

    /// The Report's finding: `signature/present` (info) naming the signer
    /// and the coverage; a warning when the bundle cannot be read or its
    /// list does not match the files.
    pub fn finding(&self) -> crate::finding::Finding {
        use crate::finding::{Code, Finding};
        let message = if let Some(p) = &self.problem {
            format!("a model signature that cannot be read: {p}")
        } else if self.covers_every_file {
            format!(
                "signed by {}, listing every file ({}); not verified here (`mri verify --signature {}`)",
                self.signer_words(),
                self.files_listed,
                self.file
            )
        } else {
            format!(
                "signed by {}, but its list of {} files does not match the folder ({} unlisted, {} missing); not verified here",
                self.signer_words(),
                self.files_listed,
                self.unlisted.len(),
                self.missing.len()
            )
        };
        let f = if self.problem.is_none() && self.covers_every_file {
            Finding::info(Code::SignaturePresent, message)
        } else {
            Finding::warning(Code::SignaturePresent, message)
        };
        f.in_file(&self.file)
    }
}

/// Summarises the bundle `bytes` found at `file` against the paths on disk.
pub fn summarize(file: &str, bytes: &[u8], on_disk: &[&str]) -> Summary {
    let mut out = Summary {
        file: file.to_string(),
        signer: None,
        files_listed: 0,
        covers_every_file: false,
        unlisted: Vec::new(),
        missing: Vec::new(),
        problem: None,
        policy_check: None,
    };
    let read = match super::read(bytes) {
        Ok(r) => r,
        Err(e) => {
            out.problem = Some(e.to_string());
            return out;
        }
    };
    out.signer = Some(read.hint.clone());
    let statement = match &read.statement {
        Ok(s) => s,
        Err(e) => {
            out.problem = Some(e.to_string());
            return out;
        }
    };
    out.files_listed = statement.resources.len();
    let ignored = Ignored::new(
        statement
            .serialization
            .ignore_paths
            .iter()
            .map(String::as_str)
            .chain([file]),
    );
    let listed: std::collections::HashSet<String> = statement
        .resources
        .iter()
        .map(|r| super::statement::clean_name(&r.name).unwrap_or_else(|_| r.name.clone()))
        .collect();
    let present: std::collections::HashSet<&str> = on_disk.iter().copied().collect();
    let mut unlisted: Vec<String> = on_disk
        .iter()
        .filter(|p| !ignored.covers(p) && !listed.contains(**p))
        .map(|p| p.to_string())
        .collect();
    let mut missing: Vec<String> = listed
        .iter()
        .filter(|n| !present.contains(n.as_str()))
        .cloned()
        .collect();
    unlisted.sort();
    missing.sort();
    out.covers_every_file = unlisted.is_empty() && missing.is_empty();
    unlisted.truncate(MAX_NAMED);
    missing.truncate(MAX_NAMED);
    out.unlisted = unlisted;
    out.missing = missing;
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignored_paths_cover_what_is_below_them() {
        let ignored = Ignored::new(["model.sig", "sub/x", "../up"]);
        assert!(ignored.covers(".git"));
        assert!(ignored.covers(".git/HEAD"));
        assert!(!ignored.covers(".gitx"));
        assert!(!ignored.covers("sub/.git"));
        assert!(ignored.covers("model.sig"));
        assert!(ignored.covers("sub/x/y"));
        assert!(!ignored.covers("sub/xy"));
        assert!(!ignored.paths().iter().any(|p| p.contains("..")));
    }

    #[test]
    fn an_unreadable_bundle_is_a_problem_not_a_panic() {
        let s = summarize("model.sig", b"not json", &["model.sig", "a"]);
        assert!(s.problem.is_some());
        assert!(!s.covers_every_file);
    }
}
