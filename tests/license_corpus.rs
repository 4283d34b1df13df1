//! The license engine on the 37 real license texts of `tests/license-corpus/`:
//! each, placed as LICENSE beside a card that says only `license: other`, gets
//! the verdict decided by reading it, with its obligations cited at the right
//! lines; perturbed copies give the same answer; unrelated text is unknown;
//! and no text ever yields a verdict more permissive than its expected one.

use mri::license::{LicenseReport, Verdict};
use serde::Deserialize;
use std::fs;
use std::path::{Path, PathBuf};

#[derive(Deserialize)]
struct Expected {
    text: Vec<ExpectedText>,
}

#[derive(Deserialize)]
struct ExpectedText {
    file: String,
    license: String,
    verdict: String,
    #[serde(default)]
    obligations: Vec<ExpectedObligation>,
}

#[derive(Deserialize)]
struct ExpectedObligation {
    kind: String,
    /// The line of the locate phrase (checked by `check_kb.py`).
    line: u32,
    /// The line the citation starts on, where the phrase's sentence starts
    /// on an earlier line (the quote starts there too).
    start: Option<u32>,
}

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/license-corpus")
}

fn expected() -> Expected {
    toml::from_str(&fs::read_to_string(corpus().join("expected.toml")).unwrap()).unwrap()
}

/// A model directory whose card says only `license: other` and whose LICENSE is `text`.
fn decide_text(text: &str) -> LicenseReport {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(
        tmp.path().join("README.md"),
        "---\nlicense: other\n---\n# A model\n",
    )
    .unwrap();
    fs::write(
        tmp.path().join("config.json"),
        "{\"model_type\": \"llama\"}",
    )
    .unwrap();
    fs::write(tmp.path().join("LICENSE"), text).unwrap();
    let options = mri::InspectOptions {
        cache: mri::HfCache::new(tmp.path().join("no-cache")),
        ..Default::default()
    };
    let report = mri::inspect(tmp.path().to_str().unwrap(), &options).unwrap();
    report.license.expect("a license decision")
}

fn verdict(name: &str) -> Verdict {
    Verdict::from_name(name).unwrap_or_else(|| panic!("bad verdict {name}"))
}

fn detected_ids(r: &LicenseReport) -> Vec<&str> {
    r.detected
        .iter()
        .filter(|d| d.source == "file")
        .map(|d| d.id.as_str())
        .collect()
}

#[test]
fn every_corpus_text_gets_its_verdict_license_and_cited_obligations() {
    let mut failures = Vec::new();
    for t in expected().text {
        let text = fs::read_to_string(corpus().join("texts").join(&t.file)).unwrap();
        let r = decide_text(&text);
        if r.verdict != verdict(&t.verdict) {
            failures.push(format!(
                "{}: verdict {} (expected {}); {:?}",
                t.file, r.verdict, t.verdict, r.reasons
            ));
        }
        let ids = detected_ids(&r);
        if !ids.iter().any(|id| id.eq_ignore_ascii_case(&t.license)) {
            failures.push(format!(
                "{}: detected {ids:?} (expected {})",
                t.file, t.license
            ));
        }
        for o in &t.obligations {
            // cited from its sentence's first line, through the phrase's
            let hit = r.obligations.iter().any(|got| {
                got.kind.as_str() == o.kind
                    && got.file.as_deref() == Some("LICENSE")
                    && got.line_start == Some(o.start.unwrap_or(o.line))
                    && got.line_end.is_some_and(|e| e >= o.line)
            });
            if !hit {
                let got: Vec<String> = r
                    .obligations
                    .iter()
                    .filter(|g| g.kind.as_str() == o.kind)
                    .map(|g| format!("{}:{:?}", g.file.clone().unwrap_or_default(), g.line_start))
                    .collect();
                failures.push(format!(
                    "{}: obligation {} expected at lines {}-{}, got {got:?}",
                    t.file,
                    o.kind,
                    o.start.unwrap_or(o.line),
                    o.line
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Re-wraps every paragraph at `width` columns.
fn rewrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    for para in text.split("\n\n") {
        let mut line = String::new();
        for word in para.split_whitespace() {
            if !line.is_empty() && line.len() + word.len() + 1 > width {
                out.push_str(&line);
                out.push('\n');
                line.clear();
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        out.push_str(&line);
        out.push_str("\n\n");
    }
    out
}

/// Turns short lines into Markdown headings and bolds a few words.
fn markdownify(text: &str) -> String {
    text.lines()
        .map(|l| {
            let t = l.trim();
            if !t.is_empty() && t.len() < 60 && !t.ends_with('.') && !t.ends_with(',') {
                format!("## {t}")
            } else {
                l.replacen(" shall ", " **shall** ", 1)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Moves every year in the text one year on.
fn shift_years(text: &str) -> String {
    let mut out = text.to_string();
    for y in (2015..=2026).rev() {
        out = out.replace(&y.to_string(), &(y + 1).to_string());
    }
    out
}

/// Replaces the most frequent capitalised product-like word with another name.
fn rename_model(text: &str) -> String {
    let mut counts = std::collections::HashMap::new();
    for w in text.split(|c: char| !c.is_alphanumeric()) {
        if w.len() >= 3
            && w.chars().next().is_some_and(|c| c.is_uppercase())
            && w.chars().skip(1).all(|c| c.is_lowercase())
            && ![
                "The",
                "This",
                "You",
                "Your",
                "Any",
                "Agreement",
                "License",
                "Licensee",
                "Licensor",
                "Materials",
                "Model",
                "Section",
                "Software",
                "Work",
                "Works",
                "For",
                "All",
                "Use",
                "And",
                "Such",
                "Notwithstanding",
                "Subject",
                "Except",
                "Each",
                "Other",
                "If",
                "Creative",
                "Commons",
                "Derivatives",
                "Outputs",
                "Terms",
                "Company",
            ]
            .contains(&w)
        {
            *counts.entry(w).or_insert(0) += 1;
        }
    }
    let Some((name, _)) = counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))
    else {
        return text.to_string();
    };
    text.replace(name, "Zorblax")
}

fn with_mirror_line(text: &str) -> String {
    format!("This is a copy of the license of the original model, mirrored from https://example.com/org/model.\n\n{text}")
}

#[test]
fn perturbed_copies_give_the_same_answer() {
    let mut failures = Vec::new();
    for t in expected().text {
        let text = fs::read_to_string(corpus().join("texts").join(&t.file)).unwrap();
        let want = verdict(&t.verdict);
        let variants: [(&str, String); 5] = [
            ("rewrapped", rewrap(&text, 60)),
            ("markdown", markdownify(&text)),
            ("renamed", rename_model(&text)),
            ("year", shift_years(&text)),
            ("mirror", with_mirror_line(&text)),
        ];
        for (name, variant) in variants {
            let r = decide_text(&variant);
            if r.verdict != want {
                failures.push(format!(
                    "{} [{name}]: {} (expected {}); {:?}",
                    t.file, r.verdict, want, r.reasons
                ));
            }
            if name != "renamed" {
                let ids = detected_ids(&r);
                if !ids.iter().any(|id| id.eq_ignore_ascii_case(&t.license)) {
                    failures.push(format!(
                        "{} [{name}]: detected {ids:?} (expected {})",
                        t.file, t.license
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn no_text_is_ever_more_permissive_than_expected() {
    let mut failures = Vec::new();
    for t in expected().text {
        let text = fs::read_to_string(corpus().join("texts").join(&t.file)).unwrap();
        let want = verdict(&t.verdict);
        // the whole text, its first half, and its text without its first third
        let words: Vec<&str> = text.split(' ').collect();
        let variants = [
            text.clone(),
            words[..words.len() / 2].join(" "),
            words[words.len() / 3..].join(" "),
            rename_model(&rewrap(&text, 45)),
        ];
        for (i, v) in variants.iter().enumerate() {
            let got = decide_text(v).verdict;
            if got.rank() > want.rank() {
                failures.push(format!(
                    "{} variant {i}: {got} is more permissive than {want}",
                    t.file
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn unrelated_text_is_unknown() {
    for text in [
        "Bake the bread at two hundred degrees for forty minutes. Let it cool before slicing.",
        // README's prose up to the license chapter (which quotes clauses)
        include_str!("../README.md")
            .split("## May we use it commercially?")
            .next()
            .unwrap_or(""),
        "",
    ] {
        let r = decide_text(text);
        assert_eq!(r.verdict, Verdict::Unknown, "{:?}", r.reasons);
    }
}
