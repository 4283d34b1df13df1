//! The Markdown form of the Report, for pasting into reviews and tickets.

use super::Report;
use crate::util::human::{bytes, count, grouped};
use std::fmt::Write;

/// Text made safe for a table cell: `|` escaped, newlines as spaces.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Renders the report as Markdown; control characters in model-supplied
/// strings are shown escaped (see [`crate::util::term::safe`]).
pub fn render(r: &Report) -> String {
    crate::util::term::safe(&render_raw(r))
}

/// The report as Markdown before control characters are escaped: the
/// summary table row by row, then the parameter, file and finding tables.
fn render_raw(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# {}\n", cell(&r.display_name()));
    let _ = writeln!(out, "| | |\n|---|---|");
    architecture_rows(&mut out, r);
    weights_rows(&mut out, r);
    memory_rows(&mut out, r);
    card_rows(&mut out, r);
    license_rows(&mut out, r);
    tokenizer_row(&mut out, r);
    parameter_tables(&mut out, r);
    if !r.training_data.datasets.is_empty() {
        out.push('\n');
        out.push_str(&super::training_data_view::markdown_table(&r.training_data));
    }
    files_table(&mut out, r);
    findings_table(&mut out, r);
    out
}

/// The summary table's architecture rows, when a config was read.
fn architecture_rows(out: &mut String, r: &Report) {
    if let Some(a) = &r.architecture {
        let _ = writeln!(
            out,
            "| Architecture | {} ({}) |",
            cell(a.model_type.as_deref().unwrap_or("—")),
            cell(&a.architectures.join(", "))
        );
        let _ = writeln!(
            out,
            "| Layers / hidden / heads (kv) | {} / {} / {} ({}) |",
            a.num_layers.map(grouped).unwrap_or_default(),
            a.hidden_size.map(grouped).unwrap_or_default(),
            a.num_attention_heads.map(grouped).unwrap_or_default(),
            a.num_key_value_heads.map(grouped).unwrap_or_default()
        );
        let _ = writeln!(
            out,
            "| Context | {} |",
            a.context_length.map(grouped).unwrap_or_default()
        );
    }
}

/// The summary table's weight rows: parameters, tensors, the GGUF and
/// Ollama facts, and the quantization.
fn weights_rows(out: &mut String, r: &Report) {
    let w = &r.weights;
    let _ = writeln!(
        out,
        "| Parameters | {} ({}) |",
        count(w.parameters),
        grouped(w.parameters)
    );
    let _ = writeln!(out, "| Tensors | {} |", grouped(w.tensor_count));
    if let Some(g) = &r.gguf {
        let _ = writeln!(
            out,
            "| GGUF | v{} · {}{} |",
            g.version.map_or("?".into(), |v| v.to_string()),
            cell(g.file_type.as_deref().unwrap_or("—")),
            g.bits_per_weight
                .map(|b| format!(" · {b:.2} bits per weight"))
                .unwrap_or_default()
        );
    }
    if let Some(o) = &r.ollama {
        let _ = writeln!(
            out,
            "| Ollama | {} ({} layers) |",
            cell(&o.model.display()),
            o.layers.len()
        );
    }
    if let Some(q) = &w.quantization {
        let _ = writeln!(
            out,
            "| Quantization | {} ({}) |",
            cell(
                q.detected
                    .method
                    .as_deref()
                    .unwrap_or("detected from tensor names")
            ),
            cell(&q.detected.source)
        );
    }
}

/// The summary table's memory rows: the weights at each precision, the KV
/// cache and any recurrent state.
fn memory_rows(out: &mut String, r: &Report) {
    let m = &r.memory;
    let _ = writeln!(
        out,
        "| Weights stored / bf16 / int8 / int4 | {} / {} / {} / {} |",
        bytes(m.weights_stored_bytes),
        bytes(m.weights_bf16_bytes),
        bytes(m.weights_int8_bytes),
        bytes(m.weights_int4_bytes)
    );
    if let Some(kv) = &m.kv_cache {
        let _ = writeln!(
            out,
            "| KV cache | {} per token, {} per 1k tokens{} |",
            bytes(kv.bytes_per_token),
            bytes(kv.bytes_per_1k_tokens),
            kv.bytes_at_context
                .map(|b| format!(", {} at full context", bytes(b)))
                .unwrap_or_default()
        );
    } else if let Some(why) = &m.kv_cache_absent {
        let _ = writeln!(out, "| KV cache | none: {} |", cell(why));
    }
    if let Some(rs) = &m.recurrent_state {
        let _ = writeln!(out, "| Recurrent state | {} |", rs.summary());
    }
}

/// The summary table's card rows: the card's license and base model.
fn card_rows(out: &mut String, r: &Report) {
    if let Some(card) = &r.card {
        let _ = writeln!(out, "| Card license | {} |", cell(&card.license.join(", ")));
        if !card.base_model.is_empty() {
            let _ = writeln!(
                out,
                "| Base model | {} |",
                cell(&card.base_model.join(", "))
            );
        }
    }
}

/// The summary table's license rows: the verdict and the licenses found.
fn license_rows(out: &mut String, r: &Report) {
    if let Some(l) = &r.license {
        let _ = writeln!(
            out,
            "| License verdict | **{}**: {} |",
            l.verdict.as_str(),
            cell(super::license_view::meaning(l.verdict))
        );
        if !l.detected.is_empty() {
            let detected: Vec<String> = l
                .detected
                .iter()
                .map(|d| match (&d.file, d.line) {
                    (Some(f), Some(n)) => format!("{} ({}, {f}:{n})", d.id, d.source),
                    (Some(f), None) => format!("{} ({}, {f})", d.id, d.source),
                    _ => format!("{} ({})", d.id, d.source),
                })
                .collect();
            let _ = writeln!(out, "| Licenses found | {} |", cell(&detected.join("; ")));
        }
    }
    let _ = writeln!(
        out,
        "| Training data verdict | {} |",
        cell(&super::training_data_view::summary_line(&r.training_data))
    );
}

/// The summary table's tokenizer row.
fn tokenizer_row(out: &mut String, r: &Report) {
    if let Some(t) = &r.tokenizer {
        let class = [t.tokenizer_class.as_deref(), t.model.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" / ");
        let mut parts = vec![if class.is_empty() {
            "—".to_string()
        } else {
            class
        }];
        if let Some(n) = t.vocab_size {
            parts.push(format!("{} ids", grouped(n)));
        }
        parts.push(format!(
            "chat template: {}",
            if t.chat_template { "yes" } else { "no" }
        ));
        let _ = writeln!(out, "| Tokenizer | {} |", cell(&parts.join(", ")));
    }
}

/// The parameter tables: by dtype, by component, and by folder when the
/// weights sit in more than one.
fn parameter_tables(out: &mut String, r: &Report) {
    let w = &r.weights;
    let _ = writeln!(
        out,
        "\n## Parameters by dtype\n\n| dtype | parameters |\n|---|---:|"
    );
    for (d, n) in &w.by_dtype {
        let _ = writeln!(out, "| {} | {} |", cell(d), grouped(*n));
    }
    let c = &w.by_component;
    let _ = writeln!(
        out,
        "\n## Parameters by component\n\n| component | parameters |\n|---|---:|\n| embeddings | {} |\n| layers | {} |\n| head | {} |\n| other | {} |",
        grouped(c.embeddings),
        grouped(c.layers),
        grouped(c.head),
        grouped(c.other)
    );

    if w.by_folder.len() > 1 {
        let _ = writeln!(
            out,
            "\n## Parameters by folder\n\n| folder | parameters |\n|---|---:|"
        );
        for (folder, n) in &w.by_folder {
            let _ = writeln!(out, "| {} | {} |", cell(folder), grouped(*n));
        }
    }
}

/// The Files table: every file with its class and size.
fn files_table(out: &mut String, r: &Report) {
    let _ = writeln!(out, "\n## Files\n\n| path | class | size |\n|---|---|---:|");
    for f in &r.files {
        let lfs = if f.lfs_pointer.is_some() {
            " (LFS pointer)"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "| {}{lfs} | {} | {} |",
            cell(&f.path),
            f.class.as_str(),
            bytes(f.size)
        );
    }
}

/// The Findings section: the counts, then a table of the findings.
fn findings_table(out: &mut String, r: &Report) {
    let _ = writeln!(
        out,
        "\n## Findings\n\n{} errors, {} warnings, {} info\n",
        r.summary.errors, r.summary.warnings, r.summary.infos
    );
    if !r.findings.is_empty() {
        let _ = writeln!(
            out,
            "| severity | code | where | message |\n|---|---|---|---|"
        );
        for f in &r.findings {
            let place = match (&f.file, f.line) {
                (Some(file), Some(l)) => format!("{file}:{l}"),
                (Some(file), None) => file.clone(),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "| {} | `{}` | {} | {} |",
                f.severity,
                f.code,
                cell(&place),
                cell(&f.message)
            );
        }
    }
}
