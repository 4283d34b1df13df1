//! The license decision for people: the `mri license` output (text and
//! Markdown), a short section for `mri inspect`, and the knowledge-base
//! listings of `mri licenses`.

use super::Report;
use crate::finding::Severity;
use crate::license::kb::{kb, LicenseEntry};
use crate::license::{LicenseReport, Verdict};
use std::fmt::Write;

/// What a verdict means, in a line.
pub fn meaning(v: Verdict) -> &'static str {
    match v {
        Verdict::Permitted => "commercial use granted, with the usual notice duties",
        Verdict::PermittedWithConditions => {
            "commercial use granted, subject to the obligations below"
        }
        Verdict::RequiresApproval => {
            "commercial use needs the licensor's approval, registration or a separate license first"
        }
        Verdict::NonCommercial => "commercial use is not granted",
        Verdict::ResearchOnly => "research use only: no commercial or production use",
        Verdict::Prohibited => "no use is granted",
        Verdict::Unknown => "could not be determined: treat as not cleared for commercial use",
    }
}

fn badge(v: Verdict, color: bool) -> String {
    let label = v.as_str().to_uppercase().replace('-', " ");
    if !color {
        return label;
    }
    let code = match v {
        Verdict::Permitted => "1;32",
        Verdict::PermittedWithConditions => "1;33",
        Verdict::Unknown => "1;35",
        _ => "1;31",
    };
    crate::util::term::paint(true, code, &label)
}

fn place(file: &Option<String>, start: Option<u32>, end: Option<u32>) -> String {
    match (file, start, end) {
        (Some(f), Some(s), Some(e)) if e > s => format!("{f}:{s}-{e}"),
        (Some(f), Some(s), _) => format!("{f}:{s}"),
        (Some(f), None, _) => f.clone(),
        _ => "—".into(),
    }
}

/// The full `mri license` text output.
pub fn render_text(r: &Report, color: bool) -> String {
    crate::util::term::safe(&render_text_styled(r, color))
}

fn render_text_styled(r: &Report, color: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}  {}", r.display_name(), r.target.root.display());
    let Some(l) = &r.license else {
        return out;
    };
    let _ = writeln!(
        out,
        "\nVerdict   {}  ({})",
        badge(l.verdict, color),
        meaning(l.verdict)
    );
    write_detected(&mut out, l);
    write_clarifications(&mut out, l);
    let _ = writeln!(out, "\nObligations ({})", l.obligations.len());
    if l.obligations.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for o in &l.obligations {
        let value = if o.value.is_empty() {
            String::new()
        } else {
            format!("  [{}]", o.value)
        };
        let inherited = o
            .inherited_from
            .as_deref()
            .map(|b| format!("  (inherited from {b})"))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {:<26} {:<14} {}{value}{inherited}",
            o.kind.as_str(),
            o.license,
            place(&o.file, o.line_start, o.line_end)
        );
        let _ = writeln!(out, "      {}", o.summary);
        if !o.quote.is_empty() {
            let _ = writeln!(out, "      “{}”", o.quote);
        }
        if !o.also_cited.is_empty() {
            let _ = writeln!(out, "      also at {}", also_places(o));
        }
    }
    let _ = writeln!(out, "\nHow it was decided");
    for reason in &l.reasons {
        let _ = writeln!(out, "  - {reason}");
    }
    let _ = writeln!(out, "\nTraining data ({})", r.training_data.datasets.len());
    out.push_str(&super::training_data_view::text_rows(&r.training_data));
    let license_findings: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.code.as_str().starts_with("license/") || f.code.as_str().starts_with("data/"))
        .collect();
    let _ = writeln!(out, "\nFindings ({})", license_findings.len());
    for f in license_findings {
        let sev = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        };
        let _ = writeln!(
            out,
            "  {sev:<7} {:<22} {}{}",
            f.code.as_str(),
            f.file
                .as_deref()
                .map(|p| match f.line {
                    Some(l) => format!("{p}:{l}: "),
                    None => format!("{p}: "),
                })
                .unwrap_or_default(),
            f.message
        );
    }
    out
}

/// The policy's clarifications that named the model: applied, or the
/// warning that says why one was ignored.
fn write_clarifications(out: &mut String, l: &LicenseReport) {
    if l.clarifications.is_empty() {
        return;
    }
    let _ = writeln!(out, "\nPolicy clarifications ({})", l.clarifications.len());
    for c in &l.clarifications {
        match c.warning() {
            Some(w) => {
                let _ = writeln!(out, "  warning  {w}");
            }
            None => {
                let _ = writeln!(
                    out,
                    "  applied  {} is {} (policy line {}, sha256 matches)",
                    c.file, c.license, c.policy_line
                );
            }
        }
    }
}

fn write_detected(out: &mut String, l: &LicenseReport) {
    let _ = writeln!(out, "\nLicenses found ({})", l.detected.len());
    if l.detected.is_empty() {
        let _ = writeln!(out, "  none");
    }
    for d in &l.detected {
        let runner = d
            .runner_up
            .as_ref()
            .map(|r| format!(", runner-up {} {:.2}", r.id, r.confidence))
            .unwrap_or_default();
        let spdx = d
            .spdx
            .as_ref()
            .map(|s| {
                let mut facts = Vec::new();
                if s.osi_approved {
                    facts.push("OSI");
                }
                if s.fsf_libre {
                    facts.push("FSF libre");
                }
                if s.copyleft {
                    facts.push("copyleft");
                }
                if facts.is_empty() {
                    String::new()
                } else {
                    format!(" [{}]", facts.join(", "))
                }
            })
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  {:<26} {:<11} {:<22} confidence {:.2}{runner}{}",
            d.id,
            d.source,
            place(&d.file, d.line, None),
            d.confidence,
            if d.modified { ", modified" } else { "" }
        );
        let _ = writeln!(out, "      {} — {}{spdx}", d.name, d.verdict);
    }
}

/// A short section for the `mri inspect` text report, styled with
/// [`crate::util::term::paint`]: the report passes it through
/// [`crate::util::term::safe`] with the rest.
pub(crate) fn inspect_section(l: &LicenseReport, color: bool) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "  {:<18}  {}  ({})",
        "verdict",
        badge(l.verdict, color),
        meaning(l.verdict)
    );
    for d in &l.detected {
        let _ = writeln!(
            out,
            "  {:<18}  {} ({}, {}{})",
            "license",
            d.id,
            d.source,
            d.file.as_deref().unwrap_or("—"),
            d.line.map(|n| format!(":{n}")).unwrap_or_default()
        );
    }
    let mut kinds: Vec<&str> = l.obligations.iter().map(|o| o.kind.as_str()).collect();
    kinds.sort();
    kinds.dedup();
    if !kinds.is_empty() {
        let _ = writeln!(
            out,
            "  {:<18}  {}  (mri license for the clauses)",
            "obligations",
            kinds.join(", ")
        );
    }
    out
}

/// The `mri license` Markdown output.
pub fn render_markdown(r: &Report) -> String {
    crate::util::term::safe(&render_markdown_raw(r))
}

fn render_markdown_raw(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# License of {}\n", r.display_name());
    let Some(l) = &r.license else {
        return out;
    };
    let _ = writeln!(
        out,
        "**Verdict: {}** — {}.\n",
        l.verdict,
        meaning(l.verdict)
    );
    for w in l.clarification_warnings() {
        let _ = writeln!(out, "> **Warning:** {w}\n");
    }
    let _ = writeln!(out, "## Licenses found\n\n| license | source | where | confidence | verdict |\n|---|---|---|---:|---|");
    for d in &l.detected {
        let _ = writeln!(
            out,
            "| {} ({}) | {} | {} | {:.2} | {} |",
            d.id,
            d.name.replace('|', "/"),
            d.source,
            place(&d.file, d.line, None),
            d.confidence,
            d.verdict
        );
    }
    let _ = writeln!(
        out,
        "\n## Obligations\n\n| kind | license | value | clause | quote |\n|---|---|---|---|---|"
    );
    for o in &l.obligations {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            o.kind,
            o.license,
            o.value.replace('|', "/"),
            place(&o.file, o.line_start, o.line_end)
                + &if o.also_cited.is_empty() {
                    String::new()
                } else {
                    format!("; also at {}", also_places(o))
                },
            o.quote.replace('|', "/")
        );
    }
    let _ = writeln!(out, "\n## How it was decided\n");
    for reason in &l.reasons {
        let _ = writeln!(out, "- {reason}");
    }
    out.push('\n');
    out.push_str(&super::training_data_view::markdown_table(&r.training_data));
    out
}

/// The further clauses of an obligation: "line 45 (military), lines 47–48".
pub fn also_places(o: &crate::license::Obligation) -> String {
    o.also_cited
        .iter()
        .map(|a| {
            let lines = if a.line_end > a.line_start {
                format!("lines {}–{}", a.line_start, a.line_end)
            } else {
                format!("line {}", a.line_start)
            };
            if a.value.is_empty() {
                lines
            } else {
                format!("{lines} ({})", a.value.replace('|', "/"))
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `mri licenses list` as text.
pub fn list_text() -> String {
    let mut out = String::new();
    let kb = kb();
    let _ = writeln!(out, "{:<40} {:<26} {:<10} name", "id", "verdict", "family");
    for e in &kb.entries {
        let _ = writeln!(
            out,
            "{:<40} {:<26} {:<10} {}",
            e.id,
            e.verdict.as_str(),
            e.family,
            e.name
        );
    }
    let _ = writeln!(
        out,
        "\n{} entries; plus {} standard SPDX licenses matched by text and every SPDX id through the spdx crate.",
        kb.entries.len(),
        kb.spdx_texts().len()
    );
    out
}

/// `mri licenses list` as JSON, in `layout`.
pub fn list_json(layout: crate::report::json::Layout) -> String {
    let entries: Vec<serde_json::Value> = kb()
        .entries
        .iter()
        .map(|e| {
            serde_json::json!({
                "id": e.id, "name": e.name, "family": e.family, "version": e.version,
                "verdict": e.verdict, "spdx": e.spdx, "hub_ids": e.hub_ids,
                "obligations": e.obligations.iter().map(|o| o.kind).collect::<Vec<_>>(),
            })
        })
        .collect();
    layout.to_string(&entries).unwrap_or_default()
}

/// `mri licenses show ID` as text; `None` when the id is unknown.
pub fn show_text(id: &str) -> Option<String> {
    let kb = kb();
    let Some(e) = kb
        .lookup(id)
        .or_else(|| kb.hub_id(id).and_then(|h| kb.get(&h.kb)))
    else {
        // A Hub id without an entry (`odbl`, `odc-by`, `pddl`) is its SPDX license.
        let spdx_id = kb
            .hub_id(id)
            .filter(|h| !h.spdx.is_empty())
            .map_or(id, |h| h.spdx.as_str());
        let facts = crate::license::spdx_facts::facts(spdx_id)?;
        let (verdict, duties) = crate::license::spdx_facts::verdict(&facts);
        return Some(format!(
            "{} — {}\n  SPDX license: OSI approved {}, FSF libre {}, copyleft {}, deprecated {}\n  verdict: {} ({})\n  duties: {}\n",
            facts.id,
            facts.name,
            facts.osi_approved,
            facts.fsf_libre,
            facts.copyleft,
            facts.deprecated,
            verdict,
            meaning(verdict),
            duties.iter().map(|d| d.as_str()).collect::<Vec<_>>().join(", ")
        ));
    };
    Some(show_entry(e))
}

fn show_entry(e: &LicenseEntry) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} — {}", e.id, e.name);
    let _ = writeln!(out, "  verdict     {} ({})", e.verdict, meaning(e.verdict));
    let _ = writeln!(
        out,
        "  family      {}{}",
        e.family,
        if e.version.is_empty() {
            String::new()
        } else {
            format!(" {}", e.version)
        }
    );
    if !e.released.is_empty() {
        let _ = writeln!(out, "  released    {}", e.released);
    }
    if !e.hub_ids.is_empty() {
        let _ = writeln!(out, "  hub ids     {}", e.hub_ids.join(", "));
    }
    if !e.spdx.is_empty() {
        let _ = writeln!(out, "  spdx        {}", e.spdx);
    }
    if !e.aliases.is_empty() {
        let _ = writeln!(out, "  aliases     {}", e.aliases.join(", "));
    }
    if !e.model_patterns.is_empty() {
        let _ = writeln!(out, "  models      {}", e.model_patterns.join(", "));
    }
    let _ = writeln!(
        out,
        "  text        {}",
        if e.text_file.is_empty() {
            "not bundled".to_string()
        } else {
            format!("licenses/{}", e.text_file)
        }
    );
    let _ = writeln!(out, "  notes       {}", e.notes);
    let _ = writeln!(out, "\nObligations ({})", e.obligations.len());
    for o in &e.obligations {
        let value = if o.value.is_empty() {
            String::new()
        } else {
            format!(" [{}]", o.value)
        };
        let _ = writeln!(out, "  {:<26}{value}\n      {}", o.kind.as_str(), o.summary);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `mri licenses show` takes Hub ids: every one the knowledge base maps
    /// to a license (an entry or an SPDX id) is shown, the data licences
    /// `odbl`, `odc-by` and `pddl` included.
    #[test]
    fn every_hub_id_that_names_a_license_is_shown() {
        let kb = kb();
        let mut shown = 0;
        for h in &kb.hub_ids {
            if h.kb.is_empty() && h.spdx.is_empty() {
                continue;
            }
            let text = show_text(&h.hub);
            assert!(text.is_some(), "`licenses show {}` fails", h.hub);
            shown += 1;
        }
        assert!(shown > 50, "only {shown} Hub ids name a license");
        for (hub, spdx) in [
            ("odbl", "ODbL-1.0"),
            ("odc-by", "ODC-By-1.0"),
            ("pddl", "PDDL-1.0"),
        ] {
            let text = show_text(hub).unwrap_or_default();
            assert!(text.starts_with(spdx), "{hub}: {text}");
        }
        assert!(show_text("no-such-license-anywhere").is_none());
    }
}
