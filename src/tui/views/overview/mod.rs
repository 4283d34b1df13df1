//! Overview: the reviewer's answer first — the verdict, the obligations as
//! a checklist and the findings with their messages ([`review`]) — then the
//! model at a glance: architecture, parameters by dtype and by component as
//! bar charts, memory and KV cache, and for adapters the adapter (type,
//! rank, targets, base, trainable share).
//!
//! At 120×40 everything shows. In less room the blocks give way in a
//! planned order: Memory first, then the Parameters charts (the total stays
//! in Model), then Model's last lines; the review's lists are cut last,
//! each ending in "… N more".

mod review;

use super::adapter::{base_line, rank_line, targets_line, trainable_line};
use super::{bar, truncate_right, Ctx, Effect, View};
use crate::adapter::AdapterSummary;
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
        let height = area.height as usize;
        // The details below the review keep this many lines, borders included.
        let details_min = match height {
            h if h >= 30 => 13,
            h if h >= 20 => 9,
            _ => 5,
        };
        let review_rows = (review::wanted(r) + 2)
            .min(height.saturating_sub(details_min))
            .max(3.min(height));
        let [review_area, details] =
            Layout::vertical([Constraint::Length(review_rows as u16), Constraint::Fill(1)])
                .areas(area);
        let inner_w = review_area.width.saturating_sub(2) as usize;
        frame.render_widget(
            Paragraph::new(review::lines(r, t, inner_w, review_rows.saturating_sub(2)))
                .block(Block::bordered().title(" Review ")),
            review_area,
        );
        draw_details(frame, details, ctx);
    }
}

/// The blocks under the review: Model (with the adapter) and Memory on the
/// left, Parameters on the right; Memory goes first when there is no room,
/// then Parameters (and the left column takes the width).
fn draw_details(frame: &mut Frame, area: Rect, ctx: &Ctx) {
    let r = ctx.report;
    let t = ctx.theme;
    if area.height < 3 {
        return;
    }
    let wide_enough = area.width >= 80;
    let params = parameter_lines(r, t, (area.width as usize * 45 / 100).saturating_sub(2));
    // The charts show whole or not at all (the total then moves to Model).
    let show_params = wide_enough && area.height as usize >= params.len() + 2;
    let [left, right] = if show_params {
        Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(area)
    } else {
        [area, Rect::default()]
    };
    let left_w = left.width.saturating_sub(2) as usize;
    let model = model_lines(r, t, left_w, !show_params);
    let adapter = r.adapter.as_ref().map(|a| adapter_lines(a, t, left_w));
    let memory = memory_lines(r, t, left_w);
    let adapter_h = adapter.as_ref().map_or(0, |a| a.len() + 2);
    let model_h = (model.len() + 2).min(left.height as usize - adapter_h.min(left.height as usize));
    // Memory shows whole or not at all.
    let left_rest = (left.height as usize).saturating_sub(model_h + adapter_h);
    let memory_h = if left_rest >= memory.len() + 2 {
        left_rest
    } else {
        0
    };
    let [model_area, adapter_area, memory_area] = Layout::vertical([
        Constraint::Length(model_h as u16),
        Constraint::Length(adapter_h.min(left.height as usize) as u16),
        Constraint::Length(memory_h as u16),
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
    if memory_h > 0 {
        frame.render_widget(
            Paragraph::new(memory).block(Block::bordered().title(" Memory ")),
            memory_area,
        );
    }
    if show_params {
        frame.render_widget(
            Paragraph::new(params).block(Block::bordered().title(" Parameters ")),
            right,
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
/// tokenizer, and (when the Parameters block is not shown) the parameters.
fn model_lines(r: &Report, t: Theme, width: usize, with_params: bool) -> Vec<Line<'static>> {
    let value_width = width.saturating_sub(LABEL);
    let fit = |s: String| truncate_right(&s, value_width);
    let mut lines = vec![kv(
        t,
        "name",
        Span::styled(fit(r.display_name()), t.accent()),
    )];
    if with_params {
        lines.push(kv(t, "parameters", fit(parameters_line(r))));
    }
    lines.push(kv(t, "location", fit(location(r))));
    match &r.architecture {
        Some(a) => architecture_lines(r, a, t, value_width, &mut lines),
        None => lines.push(kv(t, "model type", fit(no_architecture(r)))),
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
    lines
}

/// Why there is no architecture: a GGUF header that could not be read (its
/// finding, first in the review, says why), or no config.json.
fn no_architecture(r: &Report) -> String {
    let gguf = r
        .files
        .iter()
        .any(|f| f.class == crate::scan::classify::FileClass::Gguf);
    if gguf {
        "unknown (GGUF header not read)".into()
    } else {
        "unknown (no config.json)".into()
    }
}

/// `61.7K (61,728) · 39 tensors in 3 files`.
fn parameters_line(r: &Report) -> String {
    let w = &r.weights;
    let files = w.shards.iter().filter(|s| s.counted).count();
    format!(
        "{} ({}) · {} tensors in {} file{}",
        count(w.parameters),
        grouped(w.parameters),
        grouped(w.tensor_count),
        files,
        if files == 1 { "" } else { "s" }
    )
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
            fit(format!("{} · {}", dtype_text(r, a), tying_text(r, a))),
        ));
    }
}

/// The dtype config.json states, else what the weights are stored in
/// (`F32 (every weight)`, `BF16, F32 (weights)`).
fn dtype_text(r: &Report, a: &crate::model::config::Architecture) -> String {
    if let Some(d) = &a.torch_dtype {
        return d.clone();
    }
    let stored: Vec<&str> = r.weights.by_dtype.keys().map(String::as_str).collect();
    // Integer buffers (BERT's position ids in I64) are not the weights' dtype.
    let floats: Vec<&str> = stored
        .iter()
        .copied()
        .filter(|d| {
            !matches!(
                *d,
                "I8" | "I16" | "I32" | "I64" | "U8" | "U16" | "U32" | "U64" | "BOOL"
            )
        })
        .collect();
    match (floats.as_slice(), stored.as_slice()) {
        (_, []) => "not stated".into(),
        ([one], [_]) => format!("{one} (every weight)"),
        ([one], _) => format!("{one} (every float weight)"),
        (_, many) => format!("{} (weights)", many.join(", ")),
    }
}

/// Whether the output head shares the embedding: as config.json says, else
/// what the weights show (a head tensor or none).
fn tying_text(r: &Report, a: &crate::model::config::Architecture) -> &'static str {
    match a.tie_word_embeddings {
        Some(true) => "tied embeddings",
        Some(false) => "separate lm_head",
        None if r.weights.by_component.head > 0 => "separate lm_head (tying not stated)",
        None if r.weights.parameters > 0 => "no head tensor",
        None => "tying not stated",
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

/// `label      value`, the value wrapped at `width` under itself.
fn kv_wrapped(t: Theme, label: &str, value: String, width: usize) -> Vec<Line<'static>> {
    let chars: Vec<char> = value.chars().collect();
    super::viewer::wrap::rows(&chars, width.saturating_sub(LABEL))
        .into_iter()
        .enumerate()
        .map(|(i, (a, b))| {
            let text: String = chars[a..b].iter().collect();
            kv(t, if i == 0 { label } else { "" }, text)
        })
        .collect()
}

/// The memory the weights take (as stored, in bf16, int8, int4), the KV
/// cache (per token, per 1k tokens, at the context length) or why there is
/// none, and a recurrent state; each value wrapped at `width`.
fn memory_lines(r: &Report, t: Theme, width: usize) -> Vec<Line<'static>> {
    let m = &r.memory;
    let mut lines = kv_wrapped(
        t,
        "weights",
        format!(
            "{} stored · bf16 {} · int8 {} · int4 {}",
            bytes(m.weights_stored_bytes),
            bytes(m.weights_bf16_bytes),
            bytes(m.weights_int8_bytes),
            bytes(m.weights_int4_bytes)
        ),
        width,
    );
    let kv_text = match &m.kv_cache {
        Some(c) => {
            let mut s = format!(
                "{} per token ({}) · {} per 1k tokens",
                bytes(c.bytes_per_token),
                c.attention,
                bytes(c.bytes_per_1k_tokens)
            );
            if let (Some(ctx), Some(total)) = (c.context_length, c.bytes_at_context) {
                s.push_str(&format!(" · {} at {} tokens", bytes(total), grouped(ctx)));
            }
            s
        }
        None => match &m.kv_cache_absent {
            Some(why) => format!("none: {why}"),
            None => "unknown (config lacks layers/heads)".to_string(),
        },
    };
    lines.extend(kv_wrapped(t, "KV cache", kv_text, width));
    if let Some(rs) = &m.recurrent_state {
        lines.extend(kv_wrapped(t, "state", rs.summary(), width));
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
