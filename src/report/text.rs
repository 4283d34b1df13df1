//! The text form of the Report: aligned columns, human sizes, findings last.

use super::Report;
use crate::finding::Severity;
use crate::scan::classify::FileClass;
use crate::util::human::{bytes, count, grouped};
use std::fmt::Write;

/// How the text is styled: ANSI colours or none.
struct Style {
    color: bool,
}

impl Style {
    /// `s` in the ANSI style `code`, when colouring.
    fn paint(&self, code: &str, s: &str) -> String {
        crate::util::term::paint(self.color, code, s)
    }
    /// A section title, in bold.
    fn title(&self, s: &str) -> String {
        self.paint("1", s)
    }
    /// A severity label padded to 7 columns, in its colour.
    fn severity(&self, sev: Severity) -> String {
        let label = format!("{:<7}", sev.as_str());
        match sev {
            Severity::Error => self.paint("31;1", &label),
            Severity::Warning => self.paint("33", &label),
            Severity::Info => self.paint("36", &label),
        }
    }
}

/// One row of a section: the label padded to 18 columns, then the value.
fn row(out: &mut String, label: &str, value: impl AsRef<str>) {
    let _ = writeln!(out, "  {label:<18}  {}", value.as_ref());
}

/// The value, or `—` when absent.
fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_else(|| "—".into())
}

/// The number with digit groups, or `—` when absent.
fn opt_num(v: Option<u64>) -> String {
    v.map(grouped).unwrap_or_else(|| "—".into())
}

/// `part` as a percentage of `whole` (one decimal), or `—` for an empty whole.
fn pct(part: u64, whole: u64) -> String {
    if whole == 0 {
        "—".into()
    } else {
        format!("{:.1}%", part as f64 * 100.0 / whole as f64)
    }
}

/// One line of a parameter breakdown: `name` padded to `width`, the count
/// of `n` parameters, and its share of `total`.
fn share(name: &str, width: usize, n: u64, total: u64) -> String {
    format!("{name:<width$} {:>10}  {:>6}", count(n), pct(n, total))
}

/// Renders the report as text; `color` adds ANSI styles. Control
/// characters in model-supplied strings are shown escaped (see
/// [`crate::util::term::safe`]).
pub fn render(r: &Report, color: bool) -> String {
    crate::util::term::safe(&render_styled(r, color))
}

/// The report as text before control characters are escaped: one
/// section after another, each written by its own function.
fn render_styled(r: &Report, color: bool) -> String {
    let st = Style { color };
    let mut out = String::new();
    header(&mut out, &st, r);
    architecture(&mut out, &st, r);
    weights(&mut out, &st, r);
    gguf(&mut out, &st, r);
    memory(&mut out, &st, r);
    tokenizer(&mut out, &st, r);
    generation(&mut out, &st, r);
    card(&mut out, &st, r);
    adapter(&mut out, &st, r);
    license(&mut out, &st, r);
    training_data(&mut out, &st, r);
    files(&mut out, &st, r);
    findings(&mut out, &st, r);
    out
}

/// The title line (name and root), then where the files came from: the
/// cache repo and snapshot, or the Hub listing and what was fetched.
fn header(out: &mut String, st: &Style, r: &Report) {
    let _ = writeln!(
        out,
        "{}  {}",
        st.title(&r.display_name()),
        r.target.root.display()
    );
    if let Some(repo) = &r.target.repo_id {
        let _ = writeln!(
            out,
            "  cache repo {repo}{}{}",
            r.target
                .revision
                .as_deref()
                .map(|v| format!(" @ {v}"))
                .unwrap_or_default(),
            r.target
                .commit
                .as_deref()
                .map(|c| format!(" (snapshot {})", &c[..c.len().min(12)]))
                .unwrap_or_default()
        );
    }
    if let Some(hub) = &r.target.remote {
        let _ = writeln!(
            out,
            "  from {}: {} files listed ({}), {} left on the Hub; fetched {} in {} requests ({} headers by Range, {} files, {} from the cache)",
            hub.endpoint,
            hub.files_listed,
            bytes(hub.repo_bytes),
            hub.files_remote_only,
            bytes(hub.bytes_fetched),
            hub.requests,
            hub.headers_read,
            hub.files_fetched,
            hub.files_cached
        );
    }
    out.push('\n');
}

/// The Architecture section, when a config was read.
fn architecture(out: &mut String, st: &Style, r: &Report) {
    let Some(a) = &r.architecture else {
        return;
    };
    let _ = writeln!(out, "{}", st.title("Architecture"));
    let archs = if a.architectures.is_empty() {
        String::new()
    } else {
        format!(" ({})", a.architectures.join(", "))
    };
    row(
        out,
        "model type",
        format!("{}{archs}", opt(a.model_type.as_deref())),
    );
    if a.nested_text_config {
        row(out, "text config", "nested (language-model facts below)");
    }
    row(
        out,
        "hidden / layers",
        format!("{} / {}", opt_num(a.hidden_size), opt_num(a.num_layers)),
    );
    row(
        out,
        "heads (kv) / dim",
        format!(
            "{} ({}) / {}",
            opt_num(a.num_attention_heads),
            opt_num(a.num_key_value_heads),
            opt_num(a.head_dim)
        ),
    );
    row(out, "intermediate", opt_num(a.intermediate_size));
    row(out, "vocab", opt_num(a.vocab_size));
    let mut ctx = opt_num(a.context_length);
    if let Some(t) = a.rope_theta {
        let _ = write!(ctx, "   rope_theta {t}");
    }
    if let Some(rs) = &a.rope_scaling {
        if !rs.is_null() {
            let _ = write!(ctx, "   rope_scaling {}", compact_json(rs));
        }
    }
    row(out, "context", ctx);
    if let Some(w) = a.sliding_window {
        row(out, "sliding window", grouped(w));
    }
    if let (Some(e), k) = (a.num_experts, a.num_experts_per_token) {
        row(out, "experts", format!("{e} ({} active)", opt_num(k)));
    }
    if let Some(m) = &a.mla {
        row(
            out,
            "attention",
            format!(
                "MLA, kv_lora_rank {} + rope {}",
                m.kv_lora_rank, m.qk_rope_head_dim
            ),
        );
    }
    if let Some(kinds) = layer_kind_counts(&a.layer_types) {
        row(out, "layer kinds", kinds);
    }
    if let Some(rc) = &a.recurrent {
        row(out, "recurrent", rc.describe());
    }
    row(
        out,
        "tied embeddings",
        match a.tie_word_embeddings {
            Some(true) => "yes",
            Some(false) => "no",
            None => "not stated",
        },
    );
    row(out, "torch_dtype", opt(a.torch_dtype.as_deref()));
    out.push('\n');
}

/// The Weights section: parameters, quantization, the breakdowns by
/// dtype, component and folder, tensor bytes and single-file metadata.
fn weights(out: &mut String, st: &Style, r: &Report) {
    let w = &r.weights;
    let counted = w.shards.iter().filter(|s| s.counted).count();
    let _ = writeln!(
        out,
        "{}",
        st.title(&format!(
            "Weights ({}, {} file{}, {} tensors)",
            w.format.as_deref().unwrap_or("none"),
            counted,
            if counted == 1 { "" } else { "s" },
            grouped(w.tensor_count)
        ))
    );
    row(
        out,
        "parameters",
        format!("{} ({})", count(w.parameters), grouped(w.parameters)),
    );
    if let Some(q) = &w.quantization {
        row(
            out,
            "quantization",
            format!(
                "{} via {}; {} bookkeeping tensors not counted; stored elements {}",
                q.detected.label(),
                q.detected.source,
                q.bookkeeping_tensors,
                grouped(w.stored_elements)
            ),
        );
    }
    for (i, (dtype, n)) in w.by_dtype.iter().enumerate() {
        row(
            out,
            if i == 0 { "by dtype" } else { "" },
            share(dtype, 8, *n, w.parameters),
        );
    }
    let c = &w.by_component;
    let blocks = w.layers.len();
    for (i, (label, n)) in [
        ("embeddings", c.embeddings),
        ("layers", c.layers),
        ("head", c.head),
        ("other", c.other),
    ]
    .iter()
    .enumerate()
    {
        let extra = if *label == "layers" && blocks > 0 {
            format!("  ({blocks} blocks)")
        } else {
            String::new()
        };
        row(
            out,
            if i == 0 { "by component" } else { "" },
            format!("{}{extra}", share(label, 10, *n, w.parameters)),
        );
    }
    if w.by_folder.len() > 1 {
        for (i, (folder, n)) in w.by_folder.iter().enumerate() {
            row(
                out,
                if i == 0 { "by folder" } else { "" },
                share(folder, 10, *n, w.parameters),
            );
        }
    }
    row(out, "tensor bytes", bytes(w.bytes));
    metadata_rows(out, w);
    out.push('\n');
}

/// The GGUF sections, when the model is a GGUF file.
fn gguf(out: &mut String, st: &Style, r: &Report) {
    for section in super::gguf_text::sections(r) {
        let _ = writeln!(out, "{}", st.title(&section.title));
        for (label, value) in &section.rows {
            row(out, label, value);
        }
        out.push('\n');
    }
}

/// The Memory section: weights at each precision, the KV cache and any
/// recurrent state.
fn memory(out: &mut String, st: &Style, r: &Report) {
    let m = &r.memory;
    let _ = writeln!(out, "{}", st.title("Memory"));
    row(
        out,
        "weights",
        format!(
            "stored {} · bf16 {} · int8 {} · int4 {}",
            bytes(m.weights_stored_bytes),
            bytes(m.weights_bf16_bytes),
            bytes(m.weights_int8_bytes),
            bytes(m.weights_int4_bytes)
        ),
    );
    if let Some(kv) = &m.kv_cache {
        let mut line = format!(
            "{} per token · {} per 1k tokens",
            bytes(kv.bytes_per_token),
            bytes(kv.bytes_per_1k_tokens)
        );
        if let (Some(ctx), Some(total)) = (kv.context_length, kv.bytes_at_context) {
            let _ = write!(line, " · {} at {} tokens", bytes(total), grouped(ctx));
        }
        let _ = write!(line, " ({})", kv.attention);
        row(out, "KV cache", line);
        row(out, "", &kv.formula);
    } else if let Some(why) = &m.kv_cache_absent {
        row(out, "KV cache", format!("none: {why}"));
    }
    if let Some(rs) = &m.recurrent_state {
        row(out, "recurrent state", rs.summary());
        row(out, "", &rs.formula);
    }
    out.push('\n');
}

/// The Tokenizer section, when a tokenizer was read.
fn tokenizer(out: &mut String, st: &Style, r: &Report) {
    let Some(t) = &r.tokenizer else {
        return;
    };
    let _ = writeln!(out, "{}", st.title("Tokenizer"));
    row(
        out,
        "class / model",
        format!(
            "{} / {}",
            opt(t.tokenizer_class.as_deref()),
            opt(t.model.as_deref())
        ),
    );
    let mut vocab = format!(
        "{} ids ({} base + {} added)",
        opt_num(t.vocab_size),
        opt_num(t.base_vocab),
        grouped(t.added_tokens)
    );
    // `hf://` leaves tokenizer.json on the Hub unless asked for it.
    if t.vocab_size.is_none()
        && r.files
            .iter()
            .any(|f| f.remote_only && f.class == FileClass::Tokenizer)
    {
        vocab.push_str("  (tokenizer files left on the Hub: add --tokenizer to read them)");
    }
    row(out, "vocab", vocab);
    let specials: Vec<String> = t
        .special_tokens
        .iter()
        .map(|(role, s)| format!("{role} {} ({})", s.token, opt_num(s.id)))
        .collect();
    row(
        out,
        "special tokens",
        if specials.is_empty() {
            "—".into()
        } else {
            specials.join(" · ")
        },
    );
    row(
        out,
        "chat template",
        match &t.chat_template_source {
            Some(src) if t.chat_template => format!("yes ({src})"),
            _ => "no".into(),
        },
    );
    out.push('\n');
}

/// The Generation defaults section, when a generation config was read.
fn generation(out: &mut String, st: &Style, r: &Report) {
    let Some(g) = &r.generation else {
        return;
    };
    let _ = writeln!(out, "{}", st.title("Generation defaults"));
    let ids = |v: &[u64]| {
        if v.is_empty() {
            "—".to_string()
        } else {
            format!("{v:?}")
        }
    };
    row(
        out,
        "bos / eos / pad",
        format!(
            "{} / {} / {}",
            ids(&g.bos_token_ids),
            ids(&g.eos_token_ids),
            ids(&g.pad_token_ids)
        ),
    );
    for (k, v) in &g.defaults {
        row(out, k, compact_json(v));
    }
    out.push('\n');
}

/// The Card section, when a model card was read.
fn card(out: &mut String, st: &Style, r: &Report) {
    let Some(card) = &r.card else {
        return;
    };
    let _ = writeln!(out, "{}", st.title(&format!("Card ({})", card.path)));
    let list = |v: &[String]| {
        if v.is_empty() {
            "—".into()
        } else {
            v.join(", ")
        }
    };
    row(out, "license", list(&card.license));
    if let Some(n) = &card.license_name {
        row(out, "license_name", n);
    }
    if let Some(l) = &card.license_link {
        row(out, "license_link", l);
    }
    row(out, "base_model", list(&card.base_model));
    row(out, "pipeline_tag", opt(card.pipeline_tag.as_deref()));
    if !card.language.is_empty() {
        row(out, "language", list(&card.language));
    }
    if !card.tags.is_empty() {
        row(out, "tags", list(&card.tags));
    }
    out.push('\n');
}

/// The Adapter section, when the model is a PEFT adapter.
fn adapter(out: &mut String, st: &Style, r: &Report) {
    let Some(a) = &r.adapter else {
        return;
    };
    let _ = writeln!(out, "{}", st.title(&format!("Adapter ({})", a.peft_type)));
    row(
        out,
        "rank / alpha",
        format!(
            "{} / {}{}",
            opt_num(a.r),
            a.lora_alpha
                .map(|x| x.to_string())
                .unwrap_or_else(|| "—".into()),
            a.scale
                .map(|s| format!(
                    "  (scale {s:.3}{})",
                    if a.use_rslora { ", rsLoRA" } else { "" }
                ))
                .unwrap_or_default()
        ),
    );
    row(out, "targets", a.target_modules.join(", "));
    let by_target: Vec<String> = a
        .pairs_by_target
        .iter()
        .map(|(t, n)| format!("{t} ×{n}"))
        .collect();
    row(
        out,
        "pairs",
        format!("{} ({})", a.pairs.len(), by_target.join(", ")),
    );
    row(
        out,
        "trainable",
        format!(
            "{}{}",
            count(a.trainable_parameters),
            a.share_of_base
                .map(|s| format!(
                    "  ({:.3}% of the base's {})",
                    s * 100.0,
                    count(a.base_parameters.unwrap_or(0))
                ))
                .unwrap_or_default()
        ),
    );
    row(
        out,
        "base",
        a.base_model.clone().unwrap_or_else(|| "—".into()),
    );
    if let Some(b) = &a.base_checked {
        row(out, "checked against", b);
    }
    out.push('\n');
}

/// The License section, when licenses were resolved.
fn license(out: &mut String, st: &Style, r: &Report) {
    let Some(l) = &r.license else {
        return;
    };
    let _ = writeln!(out, "{}", st.title("License"));
    out.push_str(&super::license_view::inspect_section(l, st.color));
    row(
        out,
        "training data",
        super::training_data_view::summary_line(&r.training_data),
    );
    out.push('\n');
}

/// The Training data section: each declared dataset with its terms.
fn training_data(out: &mut String, st: &Style, r: &Report) {
    if r.training_data.datasets.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "{}",
        st.title(&format!(
            "Training data ({})",
            r.training_data.datasets.len()
        ))
    );
    out.push_str(&super::training_data_view::text_rows(&r.training_data));
    out.push('\n');
}

/// The Files section: every file by class, with its size.
fn files(out: &mut String, st: &Style, r: &Report) {
    let total: u64 = r.files.iter().map(|f| f.size).sum();
    let _ = writeln!(
        out,
        "{}",
        st.title(&format!("Files ({}, {})", r.files.len(), bytes(total)))
    );
    for class in FileClass::ALL {
        let of_class: Vec<_> = r.files.iter().filter(|f| f.class == class).collect();
        if of_class.is_empty() {
            continue;
        }
        for f in of_class {
            let note = match &f.lfs_pointer {
                Some(p) => format!("  LFS pointer (real size {})", bytes(p.size)),
                None => String::new(),
            };
            let _ = writeln!(
                out,
                "  {:<10}  {:>9}  {}{note}",
                class.as_str(),
                bytes(f.size),
                f.path
            );
        }
    }
    out.push('\n');
}

/// The Findings section: the counts by severity, then one line per finding.
fn findings(out: &mut String, st: &Style, r: &Report) {
    let s = &r.summary;
    let _ = writeln!(
        out,
        "{}",
        st.title(&format!(
            "Findings ({} error{}, {} warning{}, {} info)",
            s.errors,
            if s.errors == 1 { "" } else { "s" },
            s.warnings,
            if s.warnings == 1 { "" } else { "s" },
            s.infos
        ))
    );
    if r.findings.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for f in &r.findings {
        let mut place = f.file.clone().unwrap_or_default();
        if let Some(l) = f.line {
            let _ = write!(place, ":{l}");
        }
        let _ = writeln!(
            out,
            "  {} {:<28} {}{}",
            st.severity(f.severity),
            f.code.as_str(),
            if place.is_empty() {
                String::new()
            } else {
                format!("{place}: ")
            },
            f.message
        );
    }
}

/// A JSON value on one line.
fn compact_json(v: &serde_json::Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

/// Metadata keys shown for a single safetensors file.
const SHOWN_METADATA_KEYS: usize = 8;
/// Longest metadata value shown in a row.
const SHOWN_METADATA_CHARS: usize = 60;

/// The `__metadata__` of a model that is one safetensors file (a
/// single-file checkpoint, an adapter), beyond the usual `format`: what
/// training tools write there (`modelspec.*`, `ss_*`). Folders of shards
/// keep it in the JSON only.
fn metadata_rows(out: &mut String, w: &crate::analyze::weights::WeightsSummary) {
    let mut counted = w.shards.iter().filter(|s| s.counted);
    let (Some(shard), None) = (counted.next(), counted.next()) else {
        return;
    };
    let keys: Vec<_> = shard
        .metadata
        .iter()
        .filter(|(k, _)| k.as_str() != "format")
        .collect();
    for (i, (k, v)) in keys.iter().take(SHOWN_METADATA_KEYS).enumerate() {
        let one_line = v.replace(['\n', '\r', '\t'], " ");
        row(
            out,
            if i == 0 { "metadata" } else { "" },
            format!(
                "{k} = {}",
                crate::util::human::cut_chars(&one_line, SHOWN_METADATA_CHARS)
            ),
        );
    }
    if keys.len() > SHOWN_METADATA_KEYS {
        row(
            out,
            "",
            format!(
                "(+{} more keys in --format json)",
                keys.len() - SHOWN_METADATA_KEYS
            ),
        );
    }
}

/// How many layers of each kind `layer_types` names, in order of first
/// appearance (`24 mamba · 4 full_attention · 24 mlp`); `None` when the
/// layers are of one kind or not stated.
fn layer_kind_counts(kinds: &[String]) -> Option<String> {
    let mut counts: Vec<(&str, u64)> = Vec::new();
    for k in kinds {
        match counts.iter_mut().find(|(name, _)| name == k) {
            Some((_, n)) => *n += 1,
            None => counts.push((k, 1)),
        }
    }
    (counts.len() > 1).then(|| {
        counts
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect::<Vec<_>>()
            .join(" · ")
    })
}
