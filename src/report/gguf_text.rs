//! The GGUF and Ollama sections of the text report, as (label, value) rows.

use super::Report;
use crate::util::human::{bytes, count, grouped};

/// A titled block of rows.
pub struct Section {
    /// The block's title.
    pub title: String,
    /// (label, value) rows; an empty label continues the row above.
    pub rows: Vec<(String, String)>,
}

fn one_line(s: &str, max: usize) -> String {
    let first = s
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    let mut cut: String = first.chars().take(max).collect();
    if cut.len() < first.len() || s.lines().filter(|l| !l.trim().is_empty()).count() > 1 {
        cut.push('…');
    }
    cut
}

/// The sections for GGUF models and Ollama targets (none for others).
pub fn sections(r: &Report) -> Vec<Section> {
    let mut out = Vec::new();
    if let Some(g) = &r.gguf {
        let mut rows = Vec::new();
        let mut push = |l: &str, v: String| rows.push((l.to_string(), v));
        push(
            "format",
            format!(
                "GGUF v{} · {} metadata keys · alignment {} · header {}",
                g.version.map_or("?".into(), |v| v.to_string()),
                grouped(g.metadata_count),
                g.alignment,
                bytes(g.data_offset)
            ),
        );
        if let Some(n) = &g.name {
            push("name", n.clone());
        }
        let mut ft = g.file_type.clone().unwrap_or_else(|| "—".into());
        if let Some(b) = g.bits_per_weight {
            ft.push_str(&format!(" · {b:.2} bits per weight"));
        }
        if let Some(s) = &g.size_label {
            ft.push_str(&format!(" · size label {s}"));
        }
        push("file type", ft);
        for (i, (name, t)) in g.types.iter().enumerate() {
            push(
                if i == 0 { "by ggml type" } else { "" },
                format!(
                    "{name:<8} {:>10}  {:>4} tensors  {:>9}  {:.2} bits",
                    count(t.parameters),
                    t.tensors,
                    bytes(t.bytes),
                    t.bits_per_weight
                ),
            );
        }
        if g.models.len() > 1 {
            for (i, m) in g.models.iter().enumerate() {
                push(
                    if i == 0 { "models" } else { "" },
                    format!(
                        "{}{} ({}, {}, {} parameters)",
                        if m.counted { "* " } else { "  " },
                        m.name,
                        m.role,
                        m.architecture.as_deref().unwrap_or("—"),
                        count(m.parameters)
                    ),
                );
            }
        }
        push(
            "shapes",
            "rows first (the GGUF dimensions reversed, as PyTorch writes them)".into(),
        );
        out.push(Section {
            title: "GGUF".into(),
            rows,
        });
    }
    if let Some(o) = &r.ollama {
        let mut rows = Vec::new();
        rows.push((
            "model".to_string(),
            format!(
                "{} ({}/{})",
                o.model.display(),
                o.model.registry,
                o.model.namespace
            ),
        ));
        rows.push(("manifest".to_string(), o.model.manifest.clone()));
        for (i, l) in o.layers.iter().enumerate() {
            let kind = l
                .media_type
                .rsplit('.')
                .next()
                .unwrap_or(&l.media_type)
                .trim_end_matches("+json");
            let hex = l.path.trim_start_matches("blobs/sha256-");
            rows.push((
                if i == 0 { "layers" } else { "" }.to_string(),
                format!(
                    "{kind:<10} {:>9}  sha256-{}{}",
                    l.size.map_or("—".into(), bytes),
                    &hex[..hex.len().min(12)],
                    if l.present { "" } else { "  MISSING" }
                ),
            ));
        }
        if let Some(t) = &o.template {
            rows.push((
                "template".into(),
                format!("{} ({} chars)", one_line(t, 60), t.chars().count()),
            ));
        }
        if let Some(p) = &o.params {
            rows.push(("params".into(), p.to_string()));
        }
        if let Some(s) = &o.system {
            rows.push(("system".into(), one_line(s, 60)));
        }
        out.push(Section {
            title: "Ollama".into(),
            rows,
        });
    }
    out
}
