//! What moved since the lock: a locked entry against the one rebuilt now,
//! one [`Drift`] per difference.

use super::{LockedFile, LockedModel};
use crate::util::textdiff::unified;
use std::collections::BTreeMap;
use std::fmt::Write;

/// One difference between a locked model and the model now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drift {
    /// The gate rule: `drift/license`, `drift/verdict`, `drift/weights`,
    /// `drift/config`, `drift/files` or `drift/revision`.
    pub rule: &'static str,
    /// The file, relative to the model root, when one is concerned.
    pub file: Option<String>,
    /// What changed; a changed text ends with the unified diff of its lines.
    pub message: String,
}

/// The rule a change to a file of this kind breaks.
fn rule_of(kind: &str) -> &'static str {
    match kind {
        "license" | "card" => "drift/license",
        "weights" => "drift/weights",
        "config" | "tokenizer" | "template" => "drift/config",
        _ => "drift/files",
    }
}

/// The first 12 digits of a hash.
fn short(h: &str) -> &str {
    &h[..h.len().min(12)]
}

/// Every difference between `old` (the lock) and `new` (now): the commit,
/// the decision, then each file by path.
pub fn compare(old: &LockedModel, new: &LockedModel) -> Vec<Drift> {
    let mut out = Vec::new();
    if old.commit != new.commit {
        let name = |c: &Option<String>| c.clone().unwrap_or_else(|| "none".into());
        out.push(Drift {
            rule: "drift/revision",
            file: None,
            message: format!(
                "the resolved commit moved: {} → {}",
                name(&old.commit),
                name(&new.commit)
            ),
        });
    }
    out.extend(decision_drift(old, new));
    let before: BTreeMap<&str, &LockedFile> =
        old.files.iter().map(|f| (f.path.as_str(), f)).collect();
    let after: BTreeMap<&str, &LockedFile> =
        new.files.iter().map(|f| (f.path.as_str(), f)).collect();
    let mut paths: Vec<&str> = before.keys().chain(after.keys()).copied().collect();
    paths.sort_unstable();
    paths.dedup();
    for path in paths {
        let drift = match (before.get(path), after.get(path)) {
            (Some(a), Some(b)) if a.sha256 == b.sha256 && a.size == b.size => continue,
            (Some(a), Some(b)) => changed(old, new, a, b),
            (Some(a), None) => Drift {
                rule: rule_of(&a.kind),
                file: Some(path.into()),
                message: format!("{path} ({}, {} bytes) vanished", a.kind, a.size)
                    + &text_diff(old, new, path),
            },
            (None, Some(b)) => Drift {
                rule: rule_of(&b.kind),
                file: Some(path.into()),
                message: format!("{path} ({}, {} bytes) appeared", b.kind, b.size)
                    + &text_diff(old, new, path),
            },
            (None, None) => continue,
        };
        out.push(drift);
    }
    out
}

/// `drift/verdict`: the verdict, the licenses or the obligations changed.
fn decision_drift(old: &LockedModel, new: &LockedModel) -> Option<Drift> {
    let same = old.verdict == new.verdict
        && old.licenses == new.licenses
        && old.obligations == new.obligations;
    if same {
        return None;
    }
    let mut message = if old.verdict == new.verdict {
        format!("verdict still {}, but", old.verdict)
    } else {
        format!("verdict {} → {};", old.verdict, new.verdict)
    };
    let mut parts = Vec::new();
    for (what, a, b) in [
        ("license", &old.licenses, &new.licenses),
        ("obligation", &old.obligations, &new.obligations),
    ] {
        for gone in a.iter().filter(|x| !b.contains(x)) {
            parts.push(format!("\n  - {what} {gone}"));
        }
        for came in b.iter().filter(|x| !a.contains(x)) {
            parts.push(format!("\n  + {what} {came}"));
        }
    }
    if parts.is_empty() {
        message = format!("verdict {} → {}", old.verdict, new.verdict);
    } else {
        message.push_str(" licenses or obligations changed:");
        message.push_str(&parts.concat());
    }
    Some(Drift {
        rule: "drift/verdict",
        file: None,
        message,
    })
}

/// A file present in both whose content changed.
fn changed(old: &LockedModel, new: &LockedModel, a: &LockedFile, b: &LockedFile) -> Drift {
    let path = b.path.as_str();
    let mut message = if b.sha256.is_empty() {
        format!("{path} cannot be read now")
    } else {
        format!(
            "{path} changed: sha256 {} → {}",
            short(&a.sha256),
            short(&b.sha256)
        )
    };
    if a.size != b.size {
        let _ = write!(message, ", {} → {} bytes", a.size, b.size);
    }
    let diff = text_diff(old, new, path);
    if diff.is_empty() && b.kind == "card" {
        message.push_str(" (outside its front matter and license section)");
    }
    message.push_str(&diff);
    Drift {
        rule: rule_of(&b.kind),
        file: Some(path.into()),
        message,
    }
}

/// The unified diff of the texts kept of `path` (each part), after a
/// newline; empty when no text of it was kept on either side or none changed.
fn text_diff(old: &LockedModel, new: &LockedModel, path: &str) -> String {
    let mut parts: Vec<&str> = old
        .texts
        .iter()
        .chain(&new.texts)
        .filter(|t| t.path == path)
        .map(|t| t.part.as_str())
        .collect();
    parts.sort_unstable();
    parts.dedup();
    let text = |m: &LockedModel, part: &str| {
        m.texts
            .iter()
            .find(|t| t.path == path && t.part == part)
            .map_or(String::new(), |t| t.text.clone())
    };
    let mut out = String::new();
    for part in parts {
        let label = if part == "file" {
            path.to_string()
        } else {
            format!("{path} ({part})")
        };
        let d = unified(
            &text(old, part),
            &text(new, part),
            &format!("{label} (locked)"),
            &format!("{label} (now)"),
        );
        if !d.is_empty() {
            out.push('\n');
            out.push_str(d.trim_end());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lock::LockedText;

    fn model(files: &[(&str, &str, &str)], texts: &[(&str, &str)]) -> LockedModel {
        LockedModel {
            target: "m".into(),
            repo: None,
            commit: Some("c1".into()),
            verdict: "permitted".into(),
            licenses: vec!["mit from file LICENSE".into()],
            obligations: vec![],
            files: files
                .iter()
                .map(|(p, k, h)| LockedFile {
                    path: (*p).into(),
                    kind: (*k).into(),
                    size: 1,
                    sha256: (*h).into(),
                    git_sha1: None,
                })
                .collect(),
            texts: texts
                .iter()
                .map(|(p, t)| LockedText {
                    path: (*p).into(),
                    part: "file".into(),
                    text: (*t).into(),
                })
                .collect(),
            line: 0,
        }
    }

    #[test]
    fn each_change_is_one_drift_of_its_kind() {
        let old = model(
            &[
                ("LICENSE", "license", "aa"),
                ("config.json", "config", "bb"),
                ("model.safetensors", "weights", "cc"),
                ("x.py", "code", "dd"),
            ],
            &[("LICENSE", "MIT\nfree\n"), ("config.json", "{\"a\": 1}\n")],
        );
        let mut new = model(
            &[
                ("LICENSE", "license", "a2"),
                ("config.json", "config", "bb"),
                ("model-2.safetensors", "weights", "ee"),
                ("x.py", "code", "dd"),
            ],
            &[
                ("LICENSE", "MIT\nnot free\n"),
                ("config.json", "{\"a\": 1}\n"),
            ],
        );
        new.commit = Some("c2".into());
        new.verdict = "non-commercial".into();
        let d = compare(&old, &new);
        let rules: Vec<&str> = d.iter().map(|d| d.rule).collect();
        assert_eq!(
            rules,
            [
                "drift/revision",
                "drift/verdict",
                "drift/license",
                "drift/weights",
                "drift/weights"
            ]
        );
        assert!(d[1]
            .message
            .starts_with("verdict permitted → non-commercial"));
        assert!(
            d[2].message.contains("-free\n+not free"),
            "{}",
            d[2].message
        );
        assert!(d[3]
            .message
            .contains("model-2.safetensors (weights, 1 bytes) appeared"));
        assert!(d[4]
            .message
            .contains("model.safetensors (weights, 1 bytes) vanished"));
        assert!(compare(&old, &old).is_empty());
    }
}
