//! Overview: the model at a glance — architecture, parameters by dtype and
//! by component as bar charts, memory, KV cache, findings by severity, and
//! for adapters the adapter (type, rank, targets, base, trainable share).

use super::adapter::{base_line, rank_line, targets_line, trainable_line};
use super::{bar, truncate_right, Ctx, Effect, View};
use crate::adapter::AdapterSummary;
use crate::finding::Severity;
use crate::report::Report;
use crate::tui::keys::{Action, Scope};
use crate::tui::theme::Theme;
use crate::util::human::{bytes, count, grouped};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};
use ratatui::Frame;

/// The Overview view. It has no state: everything comes from the report.
#[derive(Debug, Default)]
pub struct Overview;

impl View for Overview {
    fn title(&self) -> &'static str {
        "Overview"
    }

    fn scopes(&self) -> &'static [Scope] {
        &[]
    }

    fn searchable(&self) -> bool {
        false
    }

    fn update(&mut self, _action: Action, _ctx: &Ctx) -> Effect {
        Effect::Unhandled
    }

    fn draw(&self, frame: &mut Frame, area: Rect, ctx: &Ctx) {
        let r = ctx.report;
        let t = ctx.theme;
        let [left, right] =
            Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
                .areas(area);
        let model = model_lines(r, t, left.width.saturating_sub(2) as usize);
        let memory = memory_lines(r, t);
        let adapter = r
            .adapter
            .as_ref()
            .map(|a| adapter_lines(a, t, left.width.saturating_sub(2) as usize));
        let [model_area, adapter_area, memory_area] = Layout::vertical([
            Constraint::Length(model.len() as u16 + 2),
            Constraint::Length(adapter.as_ref().map_or(0, |a| a.len() as u16 + 2)),
            Constraint::Fill(1),
        ])
        .areas(left);
        frame.render_widget(
            Paragraph::new(model).block(Block::bordered().title(" Model ")),
            model_area,
        );
        if let Some(lines) = adapter {
            frame.render_widget(
                Paragraph::new(lines).block(Block::bordered().title(" Adapter ")),
                adapter_area,
            );
        }
        frame.render_widget(
            Paragraph::new(memory).block(Block::bordered().title(" Memory ")),
            memory_area,
        );

        let params = parameter_lines(r, t, right.width.saturating_sub(2) as usize);
        let [params_area, findings_area] = Layout::vertical([
            Constraint::Length(params.len() as u16 + 2),
            Constraint::Fill(1),
        ])
        .areas(right);
        frame.render_widget(
            Paragraph::new(params).block(Block::bordered().title(" Parameters ")),
            params_area,
        );
        let listed = findings_area.height.saturating_sub(4) as usize;
        frame.render_widget(
            Paragraph::new(findings_lines(
                r,
                t,
                listed,
                findings_area.width.saturating_sub(2) as usize,
            ))
            .block(Block::bordered().title(" Findings ")),
            findings_area,
        );
    }
}

const LABEL: usize = 11;

fn kv<'a>(t: Theme, label: &str, value: impl Into<Span<'a>>) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{label:<LABEL$}"), t.dim()),
        value.into(),
    ])
}

fn opt_num(v: Option<u64>) -> String {
    v.map(grouped).unwrap_or_else(|| "?".into())
}

/// The GGUF facts in one line: version, file type, bits per weight, models.
fn gguf_line(g: &crate::analyze::gguf::GgufSummary) -> String {
    let mut s = format!(
        "v{} · {}",
        g.version.map_or("?".into(), |v| v.to_string()),
        g.file_type.as_deref().unwrap_or("?")
    );
    if let Some(b) = g.bits_per_weight {
        s.push_str(&format!(" · {b:.2} bits/weight"));
    }
    let models = g.models.iter().filter(|m| m.role == "model").count();
    if models > 1 {
        s.push_str(&format!(" · {models} models here"));
    }
    s
}

/// The model at a glance: name, location, architecture, quantization,
/// tokenizer, and the license (or the card's license when not decided).
fn model_lines(r: &Report, t: Theme, width: usize) -> Vec<Line<'static>> {
    let value_width = width.saturating_sub(LABEL);
    let fit = |s: String| truncate_right(&s, value_width);
    let mut lines = vec![kv(
        t,
        "name",
        Span::styled(fit(r.display_name()), t.accent()),
    )];
    lines.push(kv(t, "location", fit(location(r))));
    match &r.architecture {
        Some(a) => architecture_lines(r, a, t, value_width, &mut lines),
        None => lines.push(kv(t, "model type", "no config.json")),
    }
    if let Some(q) = &r.weights.quantization {
        lines.push(kv(t, "quantized", fit(q.detected.label())));
    }
    if let Some(tok) = &r.tokenizer {
        lines.push(kv(
            t,
            "tokenizer",
            fit(format!(
                "{} · {} ids{}",
                tok.model.as_deref().unwrap_or("?"),
                opt_num(tok.vocab_size),
                if tok.chat_template {
                    " · chat template"
                } else {
                    ""
                }
            )),
        ));
    }
    if let Some(lic) = &r.license {
        let badge = super::license::badge(lic, t);
        let ids = super::license::ids(lic);
        let rest = truncate_right(
            &format!(" {}", ids.join(", ")),
            value_width.saturating_sub(badge.width()),
        );
        lines.push(Line::from(vec![
            Span::styled(format!("{:<LABEL$}", "license"), t.dim()),
            badge,
            Span::raw(rest),
        ]));
    } else if let Some(card) = &r.card {
        let license = if card.license.is_empty() {
            "none stated".to_string()
        } else {
            card.license.join(", ")
        };
        lines.push(kv(t, "card", fit(format!("license {license}"))));
    }
    // The training data's verdict, beside the model's (shown when the
    // model declares datasets; `mri license` has the table).
    let td = &r.training_data;
    if !td.datasets.is_empty() {
        let text = if t.color {
            format!(" {} ", td.verdict.as_str().to_uppercase())
        } else {
            format!("[{}]", td.verdict.as_str().to_uppercase())
        };
        let badge = Span::styled(text, t.verdict(td.verdict));
        let rest = crate::report::training_data_view::spread(td);
        let rest = truncate_right(
            &format!(" {rest}"),
            value_width.saturating_sub(badge.width()),
        );
        lines.push(Line::from(vec![
            Span::styled(format!("{:<LABEL$}", "data"), t.dim()),
            badge,
            Span::raw(rest),
        ]));
    }
    lines
}

/// Where the model is: the cache repo and commit, the Ollama model and its
/// layers, or the input as given.
fn location(r: &Report) -> String {
    match &r.target.repo_id {
        Some(repo) => format!(
            "cache {repo}{}",
            r.target
                .commit
                .as_deref()
                .map(|c| format!(" @ {}", c.chars().take(10).collect::<String>()))
                .unwrap_or_default()
        ),
        None => match (&r.target.ollama, &r.ollama) {
            (Some(o), Some(summary)) => format!(
                "ollama {} · {} layers · {}",
                o.display(),
                summary.layers.len(),
                r.target.root.display()
            ),
            _ => r.target.input.clone(),
        },
    }
}

/// The architecture's lines, appended to `lines`, values cut to
/// `value_width`: model type, layers, attention, experts, vocab, and the
/// GGUF facts or the dtype and embedding tying.
fn architecture_lines(
    r: &Report,
    a: &crate::model::config::Architecture,
    t: Theme,
    value_width: usize,
    lines: &mut Vec<Line<'static>>,
) {
    let fit = |s: String| truncate_right(&s, value_width);
    let archs = if a.architectures.is_empty() {
        String::new()
    } else {
        format!(" ({})", a.architectures.join(", "))
    };
    lines.push(kv(
        t,
        "model type",
        fit(format!(
            "{}{archs}",
            a.model_type.as_deref().unwrap_or("unknown")
        )),
    ));
    lines.push(kv(
        t,
        "layers",
        fit(format!(
            "{} × hidden {}, ffn {}",
            opt_num(a.num_layers),
            opt_num(a.hidden_size),
            opt_num(a.intermediate_size)
        )),
    ));
    let mut attention = format!(
        "{} heads · {} KV · head_dim {}",
        opt_num(a.num_attention_heads),
        opt_num(a.num_key_value_heads),
        opt_num(a.head_dim)
    );
    if let Some(m) = &a.mla {
        attention = format!("MLA · kv_lora_rank {}", m.kv_lora_rank);
    }
    lines.push(kv(t, "attention", fit(attention)));
    if let Some(e) = a.num_experts {
        lines.push(kv(
            t,
            "experts",
            fit(format!("{e} ({} active)", opt_num(a.num_experts_per_token))),
        ));
    }
    lines.push(kv(
        t,
        "vocab",
        fit(format!(
            "{} · context {}",
            opt_num(a.vocab_size),
            opt_num(a.context_length)
        )),
    ));
    if let Some(g) = &r.gguf {
        lines.push(kv(t, "gguf", fit(gguf_line(g))));
    } else {
        lines.push(kv(
            t,
            "dtype",
            fit(format!(
                "{} · {}",
                a.torch_dtype.as_deref().unwrap_or("?"),
                match a.tie_word_embeddings {
                    Some(true) => "tied embeddings",
                    Some(false) => "separate lm_head",
                    None => "tying not stated",
                }
            )),
        ));
    }
}

/// The adapter at a glance: type, rank/alpha/scale, targets, base, and the
/// trainable parameters with their share of the base.
fn adapter_lines(a: &AdapterSummary, t: Theme, width: usize) -> Vec<Line<'static>> {
    let fit = |s: String| truncate_right(&s, width.saturating_sub(LABEL));
    vec![
        kv(
            t,
            "type",
            Span::styled(
                fit(format!("{} · {}", a.peft_type, rank_line(a))),
                t.accent(),
            ),
        ),
        kv(t, "targets", fit(targets_line(a))),
        kv(t, "base", fit(base_line(a))),
        kv(t, "trainable", fit(trainable_line(a))),
    ]
}

fn memory_lines(r: &Report, t: Theme) -> Vec<Line<'static>> {
    let m = &r.memory;
    let mut lines = vec![
        kv(t, "stored", bytes(m.weights_stored_bytes)),
        kv(t, "bf16", bytes(m.weights_bf16_bytes)),
        kv(t, "int8", bytes(m.weights_int8_bytes)),
        kv(t, "int4", bytes(m.weights_int4_bytes)),
    ];
    match &m.kv_cache {
        Some(kv_cache) => {
            lines.push(kv(
                t,
                "KV cache",
                format!(
                    "{} per token ({})",
                    bytes(kv_cache.bytes_per_token),
                    kv_cache.attention
                ),
            ));
            lines.push(kv(t, "  per 1k", bytes(kv_cache.bytes_per_1k_tokens)));
            if let (Some(ctx), Some(total)) = (kv_cache.context_length, kv_cache.bytes_at_context) {
                lines.push(kv(
                    t,
                    "  at ctx",
                    format!("{} ({} tokens)", bytes(total), grouped(ctx)),
                ));
            }
        }
        None => lines.push(kv(
            t,
            "KV cache",
            match &m.kv_cache_absent {
                Some(why) => format!("none: {why}"),
                None => "unknown (config lacks layers/heads)".to_string(),
            },
        )),
    }
    if let Some(rs) = &m.recurrent_state {
        lines.push(kv(t, "state", rs.summary()));
    }
    lines
}

fn bar_line(t: Theme, label: &str, n: u64, total: u64, width: usize) -> Line<'static> {
    let frac = if total == 0 {
        0.0
    } else {
        n as f64 / total as f64
    };
    // label (11) + bar + value (8) + percent (7)
    let bar_width = width.saturating_sub(LABEL + 8 + 7).max(1);
    Line::from(vec![
        Span::styled(
            format!("{:<LABEL$}", truncate_right(label, LABEL - 1)),
            t.dim(),
        ),
        Span::styled(bar(frac, bar_width), t.bar()),
        Span::raw(format!("{:>8}", count(n))),
        Span::raw(format!("{:>6.1}%", frac * 100.0)),
    ])
}

fn parameter_lines(r: &Report, t: Theme, width: usize) -> Vec<Line<'static>> {
    let w = &r.weights;
    let mut lines = vec![
        kv(
            t,
            "total",
            Span::styled(
                format!("{} ({})", count(w.parameters), grouped(w.parameters)),
                t.accent(),
            ),
        ),
        kv(
            t,
            "tensors",
            format!(
                "{} in {} file{}",
                grouped(w.tensor_count),
                w.shards.iter().filter(|s| s.counted).count(),
                if w.shards.len() == 1 { "" } else { "s" }
            ),
        ),
        Line::styled("by dtype", t.title()),
    ];
    for (dtype, n) in &w.by_dtype {
        lines.push(bar_line(t, dtype, *n, w.parameters, width));
    }
    lines.push(Line::styled("by component", t.title()));
    let c = &w.by_component;
    for (label, n) in [
        ("embeddings", c.embeddings),
        ("layers", c.layers),
        ("head", c.head),
        ("other", c.other),
    ] {
        lines.push(bar_line(t, label, n, w.parameters, width));
    }
    lines
}

/// The counts by severity, then the first `listed` findings (most severe first).
fn findings_lines(r: &Report, t: Theme, listed: usize, width: usize) -> Vec<Line<'static>> {
    let s = &r.summary;
    let plural = |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let mut lines = vec![Line::from(vec![
        Span::styled(
            plural(s.errors, "error", "errors"),
            t.severity(Severity::Error),
        ),
        Span::raw(" · "),
        Span::styled(
            plural(s.warnings, "warning", "warnings"),
            t.severity(Severity::Warning),
        ),
        Span::raw(" · "),
        Span::styled(plural(s.infos, "info", "info"), t.severity(Severity::Info)),
    ])];
    if !r.findings.is_empty() && listed > 0 {
        lines.push(Line::raw(""));
    }
    let more = r.findings.len().saturating_sub(listed);
    let shown = if more > 0 {
        listed.saturating_sub(1)
    } else {
        listed
    };
    for f in r.findings.iter().take(shown) {
        lines.push(Line::from(vec![
            Span::styled(
                format!("{:<8}", f.severity.as_str()),
                t.severity(f.severity),
            ),
            Span::raw(truncate_right(f.code.as_str(), width.saturating_sub(8))),
        ]));
    }
    if r.findings.len() > shown && listed > 0 {
        lines.push(Line::styled(
            format!("… {} more in Findings", r.findings.len() - shown),
            t.dim(),
        ));
    }
    lines
}
