//! The Overview's first block: what a reviewer asks first. The verdict
//! badge and the licenses, then the obligations as a checklist (kind,
//! value, where cited), then the findings with their messages, most
//! severe first. Lists longer than their rows end in "… N more".

use super::super::license::{badge, cited, ids, value_text};
use super::super::{truncate_left, truncate_right};
use crate::finding::Severity;
use crate::report::Report;
use crate::tui::theme::Theme;
use ratatui::text::{Line, Span};

/// A count and its noun, `1 error`, `2 errors`.
fn plural(n: usize, one: &str, many: &str) -> String {
    super::super::findings::plural(n as u64, one, many)
}

/// The verdict line: the badge, the licenses found, and what the lists
/// below hold (or that they are empty).
fn verdict_line(r: &Report, t: Theme, width: usize) -> Line<'static> {
    let mut spans = Vec::new();
    let rest = match &r.license {
        Some(lic) => {
            spans.push(badge(lic, t));
            let ids = ids(lic);
            format!(
                " {} · {}",
                if ids.is_empty() {
                    "no license found".to_string()
                } else {
                    ids.join(", ")
                },
                plural(lic.obligations.len(), "obligation", "obligations")
            )
        }
        None => match &r.card {
            Some(card) if !card.license.is_empty() => {
                format!("no license decision · card: {}", card.license.join(", "))
            }
            _ => "no license decision".to_string(),
        },
    };
    let s = &r.summary;
    let counts: Vec<String> = [
        (s.errors, "error", "errors"),
        (s.warnings, "warning", "warnings"),
        (s.infos, "info", "info"),
    ]
    .into_iter()
    .filter(|(n, _, _)| *n > 0)
    .map(|(n, one, many)| plural(n as usize, one, many))
    .collect();
    let findings = if counts.is_empty() {
        " · no findings".to_string()
    } else {
        format!(" · {}", counts.join(", "))
    };
    let used: usize = spans.iter().map(|s: &Span| s.width()).sum();
    spans.push(Span::raw(truncate_right(
        &format!("{rest}{findings}"),
        width.saturating_sub(used),
    )));
    Line::from(spans)
}

/// The training data's verdict, when the model declares datasets.
fn data_line(r: &Report, t: Theme, width: usize) -> Option<Line<'static>> {
    let td = &r.training_data;
    if td.datasets.is_empty() {
        return None;
    }
    let word = td.verdict.as_str().to_uppercase();
    let text = if t.color {
        format!(" {word} ")
    } else {
        format!("[{word}]")
    };
    let badge = Span::styled(text, t.verdict(td.verdict));
    let label = "data ";
    let rest = truncate_right(
        &format!(" {}", crate::report::training_data_view::spread(td)),
        width.saturating_sub(badge.width() + label.len()),
    );
    Some(Line::from(vec![
        Span::styled(label, t.dim()),
        badge,
        Span::raw(rest),
    ]))
}

/// How many of `n` rows fit in `rows` lines: all, or all but the last line,
/// which then says how many more there are.
fn fit(n: usize, rows: usize) -> (usize, bool) {
    if n <= rows {
        (n, false)
    } else if rows == 0 {
        (0, false)
    } else {
        (rows - 1, true)
    }
}

/// The lines the block needs to show everything (its natural height,
/// borders not counted).
pub fn wanted(r: &Report) -> usize {
    let obligations = r.license.as_ref().map_or(0, |l| l.obligations.len());
    1 + usize::from(!r.training_data.datasets.is_empty())
        + if obligations > 0 { 1 + obligations } else { 0 }
        + if r.findings.is_empty() {
            0
        } else {
            1 + r.findings.len()
        }
}

/// The block's lines in `rows` lines of `width` columns: the verdict and
/// data lines, then as many obligations and findings as fit (findings keep
/// at least a third of the rows, errors being first).
pub fn lines(r: &Report, t: Theme, width: usize, rows: usize) -> Vec<Line<'static>> {
    let mut out = vec![verdict_line(r, t, width)];
    out.extend(data_line(r, t, width));
    let obligations = r.license.as_ref().map_or(&[][..], |l| &l.obligations[..]);
    let (n, m) = (obligations.len(), r.findings.len());
    let headers = usize::from(n > 0) + usize::from(m > 0);
    let room = rows.saturating_sub(out.len() + headers);
    let findings_rows = if m == 0 {
        0
    } else {
        m.min(room.saturating_sub(n).max((room / 3).max(1)))
    };
    let obligation_rows = n.min(room.saturating_sub(findings_rows));
    let findings_rows = m.min(room.saturating_sub(obligation_rows));
    if n > 0 && out.len() < rows {
        out.push(header(
            "Obligations",
            " what commercial use requires · 5 License cites each",
            t,
            width,
        ));
        let (shown, more) = fit(n, obligation_rows);
        out.extend(
            obligations[..shown]
                .iter()
                .map(|o| obligation_row(o, r, t, width)),
        );
        if more {
            out.push(Line::styled(
                format!("  … {} more in License", n - shown),
                t.dim(),
            ));
        }
    }
    if m > 0 && out.len() < rows {
        out.push(header(
            "Findings",
            " most severe first · 4 Findings has each in full",
            t,
            width,
        ));
        let (shown, more) = fit(m, findings_rows);
        out.extend(r.findings[..shown].iter().map(|f| finding_row(f, t, width)));
        if more {
            out.push(Line::styled(
                format!("  … {} more in Findings", m - shown),
                t.dim(),
            ));
        }
    }
    out.truncate(rows);
    out
}

/// A section's title and its note, the note cut to the width.
fn header(title: &'static str, note: &str, t: Theme, width: usize) -> Line<'static> {
    Line::from(vec![
        Span::styled(title, t.title()),
        Span::styled(
            truncate_right(note, width.saturating_sub(title.len())),
            t.dim(),
        ),
    ])
}

/// `☐ kind  value  where`: the value (or what the obligation asks, when
/// it has none) cut with `…`, the citation kept by its end.
fn obligation_row(
    o: &crate::license::decide::Obligation,
    r: &Report,
    t: Theme,
    width: usize,
) -> Line<'static> {
    let kind_w = if width >= 100 { 24 } else { 18 };
    let place_w = if width >= 100 { 26 } else { 16 };
    let value_w = width.saturating_sub(2 + kind_w + 1 + 1 + place_w);
    let (value, style) = if o.value.is_empty() {
        let mut summary = o.summary.clone();
        if let Some(b) = &o.inherited_from {
            summary = format!("{summary} (from {b})");
        }
        (summary, t.dim())
    } else {
        (value_text(o), ratatui::style::Style::new())
    };
    Line::from(vec![
        Span::raw("☐ "),
        Span::styled(
            format!("{:<kind_w$} ", truncate_right(o.kind.as_str(), kind_w)),
            t.title(),
        ),
        Span::styled(
            format!("{:<value_w$} ", truncate_right(&value, value_w)),
            style,
        ),
        Span::styled(truncate_left(&cited(o, r), place_w), t.dim()),
    ])
}

/// `severity  message  code`: the message cut with `…`; the code only
/// where there is room for it.
fn finding_row(f: &crate::finding::Finding, t: Theme, width: usize) -> Line<'static> {
    let code_w = if width >= 100 { 28 } else { 0 };
    let message_w = width.saturating_sub(8 + if code_w > 0 { code_w + 1 } else { 0 });
    let mut spans = vec![
        Span::styled(
            format!("{:<8}", f.severity.as_str()),
            t.severity(f.severity),
        ),
        Span::styled(
            format!("{:<message_w$}", truncate_right(&f.message, message_w)),
            if f.severity == Severity::Error {
                t.title()
            } else {
                ratatui::style::Style::new()
            },
        ),
    ];
    if code_w > 0 {
        spans.push(Span::styled(
            format!(" {}", truncate_right(f.code.as_str(), code_w)),
            t.dim(),
        ));
    }
    Line::from(spans)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_list_says_how_many_more() {
        assert_eq!(fit(3, 5), (3, false));
        assert_eq!(fit(3, 3), (3, false));
        assert_eq!(fit(5, 3), (2, true));
        assert_eq!(fit(5, 0), (0, false));
    }
}
