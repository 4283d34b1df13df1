//! `mri diff` as text and as Markdown (JSON is the serde form).

use super::{DiffReport, SideSummary, TextChange, ValueChange};
use serde_json::Value;
use std::fmt::Write;

/// A value in one line, cut to 120 characters.
fn show(v: &Option<Value>) -> String {
    let s = match v {
        None => "(absent)".to_string(),
        Some(Value::String(s)) => format!("{s:?}"),
        Some(v) => v.to_string(),
    };
    if s.chars().count() > 120 {
        let cut: String = s.chars().take(117).collect();
        format!("{cut}...")
    } else {
        s
    }
}

/// The two outputs differ only in their headings, lists and code fences.
#[derive(Clone, Copy, PartialEq)]
enum Style {
    Text { color: bool },
    Markdown,
}

impl Style {
    fn heading(self, out: &mut String, title: &str) {
        match self {
            Style::Text { color } => {
                let _ = writeln!(out, "\n{}", crate::util::term::paint(color, "1", title));
            }
            Style::Markdown => {
                let _ = writeln!(out, "\n## {title}\n");
            }
        }
    }

    fn item(self, out: &mut String, line: &str) {
        match self {
            Style::Text { .. } => {
                let _ = writeln!(out, "  {line}");
            }
            Style::Markdown => {
                let _ = writeln!(out, "- {line}");
            }
        }
    }

    fn diff(self, out: &mut String, diff: &str) {
        match self {
            Style::Text { color } => {
                for l in diff.lines() {
                    let code = match l.as_bytes().first() {
                        Some(b'+') if !l.starts_with("+++") => "32",
                        Some(b'-') if !l.starts_with("---") => "31",
                        Some(b'@') => "36",
                        _ => "",
                    };
                    let _ = writeln!(
                        out,
                        "    {}",
                        crate::util::term::paint(color && !code.is_empty(), code, l)
                    );
                }
            }
            Style::Markdown => {
                let _ = writeln!(out, "\n```diff\n{}\n```\n", diff.trim_end());
            }
        }
    }
}

fn side(out: &mut String, style: Style, name: &str, s: &SideSummary) {
    let mut place = s.input.clone();
    if let Some(c) = &s.commit {
        place.push_str(&format!(" (commit {})", &c[..c.len().min(12)]));
    }
    if s.root.trim_end_matches('/') != s.input.trim_end_matches('/') {
        place.push_str(&format!(" at {}", s.root));
    }
    style.item(
        out,
        &format!(
            "{name}: {place}; verdict {}, {} parameters, {} files, {} tensors",
            s.verdict, s.parameters, s.files, s.tensors
        ),
    );
}

fn text_changes(out: &mut String, style: Style, changes: &[TextChange]) {
    for t in changes {
        let label = if t.part == "file" || t.part == "template" {
            t.path.clone()
        } else {
            format!("{} ({})", t.path, t.part)
        };
        let clauses = if t.clauses.is_empty() {
            String::new()
        } else {
            format!(": {}", t.clauses.join("; "))
        };
        style.item(out, &format!("{label} {}{clauses}", t.status));
        style.diff(out, &t.diff);
    }
}

fn values(out: &mut String, style: Style, title: &str, changes: &[ValueChange]) {
    if changes.is_empty() {
        return;
    }
    style.heading(out, title);
    for c in changes {
        style.item(out, &format!("{}: {} → {}", c.key, show(&c.a), show(&c.b)));
    }
}

fn render_with(d: &DiffReport, style: Style) -> String {
    let mut out = String::new();
    if style == Style::Markdown {
        out.push_str("# mri diff\n");
    }
    style.heading(&mut out, "models");
    side(&mut out, style, "A", &d.a);
    side(&mut out, style, "B", &d.b);
    let l = &d.license;
    let license_moved = l.verdict_a != l.verdict_b
        || !l.texts.is_empty()
        || !l.licenses_added.is_empty()
        || !l.licenses_removed.is_empty()
        || !l.obligations_added.is_empty()
        || !l.obligations_removed.is_empty();
    if license_moved {
        style.heading(&mut out, "license");
        let verdict = if l.verdict_a == l.verdict_b {
            format!("verdict {} (unchanged)", l.verdict_a)
        } else {
            format!("verdict {} → {}", l.verdict_a, l.verdict_b)
        };
        style.item(&mut out, &verdict);
        for (sign, what, items) in [
            ("-", "license", &l.licenses_removed),
            ("+", "license", &l.licenses_added),
            ("-", "obligation", &l.obligations_removed),
            ("+", "obligation", &l.obligations_added),
        ] {
            for i in items {
                style.item(&mut out, &format!("{sign} {what} {i}"));
            }
        }
        text_changes(&mut out, style, &l.texts);
    }
    values(&mut out, style, "card front matter", &d.card);
    values(&mut out, style, "config", &d.config);
    values(&mut out, style, "tokenizer", &d.tokenizer);
    if let Some(t) = &d.chat_template {
        style.heading(&mut out, "chat template");
        text_changes(&mut out, style, std::slice::from_ref(t));
    }
    if !d.files.is_empty() {
        style.heading(&mut out, "files");
        for f in &d.files {
            let size = |s: Option<u64>| s.map_or("-".to_string(), |s| s.to_string());
            let line = match f.status.as_str() {
                "added" => format!("+ {} ({}, {} bytes)", f.path, f.kind, size(f.size_b)),
                "removed" => format!("- {} ({}, {} bytes)", f.path, f.kind, size(f.size_a)),
                _ => format!(
                    "~ {} ({}, {} → {} bytes, sha256 {} → {})",
                    f.path,
                    f.kind,
                    size(f.size_a),
                    size(f.size_b),
                    f.sha256_a.as_deref().map_or("-", |h| &h[..h.len().min(12)]),
                    f.sha256_b.as_deref().map_or("-", |h| &h[..h.len().min(12)]),
                ),
            };
            style.item(&mut out, &line);
        }
    }
    if !d.tensors.is_empty() {
        style.heading(&mut out, "tensors");
        let t_side = |t: &Option<super::TensorSide>| {
            t.as_ref()
                .map_or("-".to_string(), |t| format!("{} {:?}", t.dtype, t.shape))
        };
        for t in &d.tensors {
            style.item(
                &mut out,
                &format!(
                    "{} {}: {} → {}",
                    t.status,
                    t.name,
                    t_side(&t.a),
                    t_side(&t.b)
                ),
            );
        }
    }
    if let Some([a, b]) = d.parameters {
        style.heading(&mut out, "parameters");
        style.item(&mut out, &format!("{a} → {b}"));
    }
    let verdict = if d.identical {
        "identical in what matters"
    } else {
        "they differ"
    };
    let _ = writeln!(out, "\n{verdict}");
    out
}

/// The diff for people; `color` adds styles. Control characters from the
/// models are shown escaped (see [`crate::util::term::safe`]).
pub fn render_text(d: &DiffReport, color: bool) -> String {
    crate::util::term::safe(&render_with(d, Style::Text { color }))
}

/// The diff as Markdown (code fences for the text diffs).
pub fn render_markdown(d: &DiffReport) -> String {
    crate::util::term::safe(&render_with(d, Style::Markdown))
}
