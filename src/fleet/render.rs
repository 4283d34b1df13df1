//! A listing as a table for people, JSON, JSON Lines (one self-contained
//! row per line, for concatenating shards), CSV or Markdown.

use super::{Listing, Row};
use crate::license::Verdict;
use crate::util::human::{bytes, count};
use crate::util::term::{paint, safe};
use std::fmt::Write;

/// The columns of the text and Markdown tables.
const HEADERS: [&str; 11] = [
    "MODEL", "KIND", "ARCH", "PARAMS", "QUANT", "SIZE", "LICENSE", "VERDICT", "E/W", "MODIFIED",
    "TARGET",
];

/// The cells of a row, as people read them (TARGET empty when the name is
/// the target itself).
fn cells(r: &Row) -> [String; 11] {
    let dash = || "-".to_string();
    let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(dash);
    [
        r.name.clone(),
        r.kind.as_str().to_string(),
        or_dash(&r.architecture),
        r.parameters.map(count).unwrap_or_else(dash),
        or_dash(&r.quantization),
        if r.error.is_some() {
            dash()
        } else {
            bytes(r.size_on_disk)
        },
        or_dash(&r.license),
        r.verdict
            .map(|v| v.as_str().to_string())
            .unwrap_or_else(dash),
        if r.error.is_some() {
            dash()
        } else {
            format!("{}/{}", r.errors, r.warnings)
        },
        r.modified_utc
            .as_deref()
            .map(|t| t.get(..16).unwrap_or(t).replace('T', " "))
            .unwrap_or_else(dash),
        if r.target == r.name {
            String::new()
        } else {
            r.target.clone()
        },
    ]
}

/// The SGR style of a verdict.
fn verdict_style(v: Verdict) -> &'static str {
    match v {
        Verdict::Permitted => "32",
        Verdict::PermittedWithConditions => "33",
        Verdict::Unknown | Verdict::RequiresApproval => "35",
        Verdict::NonCommercial | Verdict::ResearchOnly | Verdict::Prohibited => "31",
    }
}

/// The listing as an aligned table with a total line; an unusable model's
/// row gives its error after the kind. Model strings are escaped.
pub fn text(l: &Listing, color: bool) -> String {
    let rows: Vec<[String; 11]> = l
        .models
        .iter()
        .map(|r| cells(r).map(|c| safe(&c)))
        .collect();
    let mut width = HEADERS.map(|h| h.chars().count());
    for (r, c) in l.models.iter().zip(&rows) {
        let span = if r.error.is_some() { 2 } else { c.len() - 1 };
        for (w, cell) in width.iter_mut().zip(c.iter()).take(span) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let pad = |s: &str, w: usize| format!("{s}{}", " ".repeat(w.saturating_sub(s.chars().count())));
    let mut out = String::new();
    let head: Vec<String> = HEADERS.iter().zip(width).map(|(h, w)| pad(h, w)).collect();
    let _ = writeln!(out, "{}", paint(color, "1", head.join("  ").trim_end()));
    for (r, c) in l.models.iter().zip(&rows) {
        let mut line = String::new();
        if let Some(e) = &r.error {
            line.push_str(&pad(&c[0], width[0]));
            line.push_str("  ");
            line.push_str(&pad(&c[1], width[1]));
            line.push_str("  ");
            line.push_str(&paint(color, "31", &format!("error: {}", safe(e))));
            if !c[10].is_empty() {
                let _ = write!(line, "  ({})", c[10]);
            }
        } else {
            for (i, (cell, w)) in c.iter().zip(width).enumerate() {
                if i > 0 {
                    line.push_str("  ");
                }
                let padded = pad(cell, w);
                line.push_str(&match (i, r.verdict) {
                    (7, Some(v)) => paint(color, verdict_style(v), &padded),
                    (8, _) if r.errors > 0 => paint(color, "31", &padded),
                    _ => padded,
                });
            }
        }
        let _ = writeln!(out, "{}", line.trim_end());
    }
    let _ = writeln!(out, "\n{}", summary(l));
    safe(&out)
}

/// `12 models (1 unusable), 48.2 GB on disk (shared files counted once)`.
pub fn summary(l: &Listing) -> String {
    let n = l.models.len();
    let bad = l.unusable();
    format!(
        "{n} model{}{}, {} on disk (files shared by several models counted once)",
        if n == 1 { "" } else { "s" },
        if bad > 0 {
            format!(" ({bad} unusable)")
        } else {
            String::new()
        },
        bytes(l.size_on_disk)
    )
}

/// One JSON object per line, each row whole (shards' outputs concatenate).
pub fn jsonl(l: &Listing) -> String {
    let mut out = String::new();
    for r in &l.models {
        if let Ok(line) = serde_json::to_string(r) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// The fields of CSV and Markdown, in the JSON names.
const FIELDS: [&str; 14] = [
    "target",
    "name",
    "kind",
    "architecture",
    "parameters",
    "quantization",
    "size_on_disk",
    "license",
    "verdict",
    "errors",
    "warnings",
    "modified_utc",
    "error",
    "modified",
];

fn raw_fields(r: &Row) -> [String; 14] {
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let n = |v: Option<u64>| v.map(|x| x.to_string()).unwrap_or_default();
    [
        r.target.clone(),
        r.name.clone(),
        r.kind.as_str().into(),
        s(&r.architecture),
        n(r.parameters),
        s(&r.quantization),
        r.size_on_disk.to_string(),
        s(&r.license),
        r.verdict
            .map(|v| v.as_str().to_string())
            .unwrap_or_default(),
        r.errors.to_string(),
        r.warnings.to_string(),
        s(&r.modified_utc),
        s(&r.error),
        n(r.modified),
    ]
}

/// RFC 4180 CSV with a header line; numbers unformatted.
pub fn csv(l: &Listing) -> String {
    let quote = |f: &str| {
        if f.contains([',', '"', '\n', '\r']) {
            format!("\"{}\"", f.replace('"', "\"\""))
        } else {
            f.to_string()
        }
    };
    let mut out = FIELDS.join(",");
    out.push_str("\r\n");
    for r in &l.models {
        let line: Vec<String> = raw_fields(r).iter().map(|f| quote(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    out
}

/// A Markdown table (the text table's columns) and the total line.
pub fn markdown(l: &Listing) -> String {
    let cell = |s: &str| s.replace('|', "\\|").replace(['\n', '\r'], " ");
    let mut out = format!("| {} |\n", HEADERS.map(|h| h.to_lowercase()).join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(HEADERS.len()));
    for r in &l.models {
        let mut c = cells(r);
        if c[10].is_empty() {
            c[10] = r.target.clone();
        }
        if let Some(e) = &r.error {
            c[2] = format!("error: {e}");
        }
        let line: Vec<String> = c.iter().map(|x| cell(x)).collect();
        let _ = writeln!(out, "| {} |", line.join(" | "));
    }
    let _ = writeln!(out, "\n{}", summary(l));
    safe(&out)
}
