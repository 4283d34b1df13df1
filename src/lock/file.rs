//! The lock file as TOML: written by hand (sorted, one file per line, texts
//! as multi-line strings, so that a review reads its diff), read with serde,
//! every mistake named at its line.

use super::{LockError, LockFile, LockedModel, LOCK_VERSION};
use serde::Deserialize;
use std::fmt::Write;
use std::path::Path;

/// A TOML basic string: quoted, with `"`, `\` and control characters escaped.
fn basic(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A text as a multi-line literal string when it can be one (no `'''`, no
/// control character but newline and tab, not ending in a quote), else as
/// a basic string.
fn text(s: &str) -> String {
    let literal = !s.contains("'''")
        && !s.ends_with('\'')
        && s.chars().all(|c| c == '\n' || c == '\t' || !c.is_control());
    if literal {
        format!("'''\n{s}'''")
    } else {
        basic(s)
    }
}

/// A list of strings, one per line.
fn list(out: &mut String, key: &str, items: &[String]) {
    if items.is_empty() {
        let _ = writeln!(out, "{key} = []");
        return;
    }
    let _ = writeln!(out, "{key} = [");
    for i in items {
        let _ = writeln!(out, "    {},", basic(i));
    }
    let _ = writeln!(out, "]");
}

fn model(out: &mut String, m: &LockedModel) {
    let _ = writeln!(out, "\n[[model]]\ntarget = {}", basic(&m.target));
    if let Some(r) = &m.repo {
        let _ = writeln!(out, "repo = {}", basic(r));
    }
    if let Some(c) = &m.commit {
        let _ = writeln!(out, "commit = {}", basic(c));
    }
    let _ = writeln!(out, "verdict = {}", basic(&m.verdict));
    list(out, "licenses", &m.licenses);
    list(out, "obligations", &m.obligations);
    let _ = writeln!(out, "files = [");
    for f in &m.files {
        let _ = write!(
            out,
            "    {{ path = {}, kind = {}, size = {}, sha256 = {}",
            basic(&f.path),
            basic(&f.kind),
            f.size,
            basic(&f.sha256)
        );
        if let Some(g) = &f.git_sha1 {
            let _ = write!(out, ", git-sha1 = {}", basic(g));
        }
        let _ = writeln!(out, " }},");
    }
    let _ = writeln!(out, "]");
    for t in &m.texts {
        let _ = writeln!(
            out,
            "\n[[model.text]]\npath = {}\npart = {}\ntext = {}",
            basic(&t.path),
            basic(&t.part),
            text(&t.text)
        );
    }
}

/// The lock file's text: a comment saying what it is, the version, mri's
/// and the knowledge base's, then each model (sorted by target, files by
/// path, texts by path and part).
pub fn render(lock: &LockFile) -> String {
    let mut out = String::from(
        "# What a review approved, held: written by `mri lock`, checked by\n\
         # `mri check TARGET... --locked mri.lock`, rewritten by `mri lock --update`.\n",
    );
    let _ = writeln!(out, "version = {}", lock.version);
    let _ = writeln!(out, "mri = {}", basic(&lock.mri));
    let _ = writeln!(out, "knowledge-base = {}", basic(&lock.knowledge_base));
    let mut models: Vec<&LockedModel> = lock.models.iter().collect();
    models.sort_by(|a, b| a.target.cmp(&b.target));
    for m in models {
        let mut m = m.clone();
        m.files.sort_by(|a, b| a.path.cmp(&b.path));
        m.texts
            .sort_by(|a, b| (&a.path, &a.part).cmp(&(&b.path, &b.part)));
        model(&mut out, &m);
    }
    out
}

/// 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The version key alone, read before the rest: a lock of another version
/// is named as such, not as the first key this version lacks.
#[derive(Deserialize)]
struct Head {
    version: Option<toml::Spanned<toml::Value>>,
}

/// Parses a lock file's `text`; `path` names it in errors. Bad TOML, a key
/// or type this version does not know, and another version are errors at
/// their line.
pub fn parse(text: &str, path: &str) -> Result<LockFile, LockError> {
    let at = |e: toml::de::Error| LockError::Parse {
        path: path.into(),
        line: e.span().map_or(1, |s| line_of(text, s.start)),
        message: e.message().trim().to_string(),
    };
    // One parse in the common case; the version alone is read only when the
    // whole does not read, so that another version is named as such.
    let full: Result<LockFile, _> = toml::from_str(text);
    let head: Head = match &full {
        Ok(lock) if lock.version == LOCK_VERSION => Head { version: None },
        _ => toml::from_str(text).map_err(at)?,
    };
    if full.is_err() || head.version.is_some() {
        let Some(version) = head.version else {
            return Err(LockError::Parse {
                path: path.into(),
                line: 1,
                message: "no `version` key: not an mri lock file".into(),
            });
        };
        if version.get_ref().as_integer() != Some(LOCK_VERSION) {
            return Err(LockError::Version {
                path: path.into(),
                line: line_of(text, version.span().start),
                found: version.get_ref().to_string(),
            });
        }
    }
    let mut lock = full.map_err(at)?;
    let headers = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == "[[model]]")
        .map(|(i, _)| i as u32 + 1);
    for (m, line) in lock.models.iter_mut().zip(headers) {
        m.line = line;
    }
    Ok(lock)
}

/// Reads and parses the lock file at `path`.
pub fn read(path: &Path) -> Result<LockFile, LockError> {
    let name = path.display().to_string();
    let text = crate::util::fs::read_regular_to_string(path).map_err(|cause| LockError::Read {
        path: name.clone(),
        cause,
    })?;
    parse(&text, &name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lock::{LockedFile, LockedText};

    fn sample() -> LockFile {
        let mut lock = LockFile::new();
        lock.upsert(LockedModel {
            target: "./m".into(),
            repo: Some("acme/tiny".into()),
            commit: None,
            verdict: "permitted".into(),
            licenses: vec!["apache-2.0 from card README.md".into()],
            obligations: vec![],
            files: vec![LockedFile {
                path: "config.json".into(),
                kind: "config".into(),
                size: 2,
                sha256: "ab".into(),
                git_sha1: Some("cd".into()),
            }],
            texts: vec![
                LockedText {
                    path: "LICENSE".into(),
                    part: "file".into(),
                    text: "Apache\n  it's '' \"quoted\"\n".into(),
                },
                LockedText {
                    path: "odd".into(),
                    part: "file".into(),
                    text: "has ''' and \r\n and \u{1b} and ends'".into(),
                },
            ],
            line: 0,
        });
        lock
    }

    #[test]
    fn a_lock_reads_back_as_written() {
        let lock = sample();
        let text = render(&lock);
        let mut back = parse(&text, "mri.lock").unwrap();
        assert_eq!(back.models[0].line, 7, "{text}");
        back.models[0].line = 0;
        assert_eq!(back, lock, "{text}");
        assert!(text.contains("text = '''\nApache\n"), "{text}");
    }

    #[test]
    fn bad_toml_and_unknown_versions_are_named_at_their_line() {
        let text = render(&sample()).replace("verdict = \"permitted\"", "verdict = permitted");
        let e = parse(&text, "mri.lock").unwrap_err().to_string();
        assert!(e.starts_with("mri.lock:10: "), "{e}");
        let text = render(&sample()).replace("version = 1", "\nversion = 7");
        let e = parse(&text, "x.lock").unwrap_err().to_string();
        assert!(e.starts_with("x.lock:4: lock file version 7"), "{e}");
        let e = parse("mri = \"1\"\n", "y").unwrap_err().to_string();
        assert!(e.contains("no `version`"), "{e}");
        let text = render(&sample()).replace("size = 2", "size = 2, colour = 3");
        let e = parse(&text, "z").unwrap_err().to_string();
        assert!(e.starts_with("z:16: unknown field `colour`"), "{e}");
    }
}
