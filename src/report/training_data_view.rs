//! The `training_data` section for people: one summary line beside the
//! license verdict (text, Markdown, the TUI's Overview) and the dataset
//! table of `mri inspect` and `mri license`.

use crate::analyze::training_data::{TrainingData, TrainingDataset};
use crate::license::Verdict;
use std::fmt::Write;

/// One line: the strictest verdict, and how the datasets are spread over
/// verdicts (`research-only  (3 datasets: 1 research-only (ms_marco), 2
/// unknown; the model's own verdict is separate)`).
pub fn summary_line(td: &TrainingData) -> String {
    if td.datasets.is_empty() {
        return "none declared".into();
    }
    format!(
        "{}  ({}; the model's own verdict is separate)",
        td.verdict,
        spread(td)
    )
}

/// How many datasets, by verdict, naming those whose terms exclude
/// commercial use (`3 datasets: 1 research-only (ms_marco), 2 unknown`).
pub fn spread(td: &TrainingData) -> String {
    let n = td.datasets.len();
    let mut parts: Vec<String> = Vec::new();
    for v in Verdict::ALL {
        let of: Vec<&TrainingDataset> = td.datasets.iter().filter(|d| d.verdict == v).collect();
        if of.is_empty() {
            continue;
        }
        let names = if v.allows_commercial_use() || v == Verdict::Unknown {
            String::new()
        } else {
            let shown: Vec<&str> = of.iter().take(3).map(|d| d.id.as_str()).collect();
            let more = if of.len() > 3 { ", ..." } else { "" };
            format!(" ({}{more})", shown.join(", "))
        };
        parts.push(format!("{} {v}{names}", of.len()));
    }
    format!(
        "{n} dataset{}: {}",
        if n == 1 { "" } else { "s" },
        parts.join(", ")
    )
}

/// Where a dataset is declared: `README.md:12`, a GGUF key, or the base's card.
pub fn declared_at(d: &TrainingDataset) -> String {
    match (d.via, d.line) {
        ("gguf", _) => format!("{} {}", d.file, d.key),
        (_, Some(l)) => format!("{}:{l}", d.file),
        _ => d.file.clone(),
    }
}

/// The dataset's name with its config.
fn name(d: &TrainingDataset) -> String {
    match &d.config {
        Some(c) => format!("{}:{c}", d.id),
        None => d.id.clone(),
    }
}

/// One row per dataset, for the text reports.
pub fn text_rows(td: &TrainingData) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "  {:<18}  {}", "verdict", summary_line(td));
    for d in &td.datasets {
        let mut flags = Vec::new();
        if d.share_alike {
            flags.push("share-alike");
        }
        if d.mixed {
            flags.push("mixed: one license per config");
        }
        let flags = if flags.is_empty() {
            String::new()
        } else {
            format!(" [{}]", flags.join(", "))
        };
        let _ = writeln!(
            out,
            "  {:<18}  {} {}{flags} (terms: {}; {})",
            name(d),
            d.license.as_deref().unwrap_or("unknown license"),
            d.verdict,
            d.terms_source,
            declared_at(d)
        );
    }
    out
}

/// The Markdown table of datasets.
pub fn markdown_table(td: &TrainingData) -> String {
    let cell = |s: &str| s.replace('|', "\\|").replace('\n', " ");
    let mut out = String::new();
    let _ = writeln!(out, "## Training data\n\n**{}**\n", cell(&summary_line(td)));
    if td.datasets.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "| dataset | license | verdict | terms from | declared at |\n|---|---|---|---|---|"
    );
    for d in &td.datasets {
        let from = match &d.terms_ref {
            Some(r) => format!("{} ({r})", d.terms_source),
            None => d.terms_source.to_string(),
        };
        let _ = writeln!(
            out,
            "| {} | {}{} | {} | {} | {} |",
            cell(&name(d)),
            cell(d.license.as_deref().unwrap_or("unknown")),
            if d.share_alike { " (share-alike)" } else { "" },
            d.verdict,
            cell(&from),
            cell(&declared_at(d))
        );
    }
    out
}
