//! The license decision end to end: cards, files, lineage, conflicts, SPDX
//! expressions, unseen texts, and the `mri license` / `mri licenses` commands.

mod support;

use mri::license::{LicenseReport, Obligation, ObligationKind, Verdict};
use std::fs;
use std::path::Path;
use support::{mri, mri_env};

fn corpus_text(name: &str) -> String {
    fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/license-corpus/texts")
            .join(name),
    )
    .unwrap()
}

fn spdx_text(id: &str) -> String {
    fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("licenses/spdx")
            .join(format!("{id}.txt")),
    )
    .unwrap()
}

/// A model directory with `card` front matter and the given files.
fn model(card: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(
        tmp.path().join("README.md"),
        format!("---\n{card}---\n# A model\n"),
    )
    .unwrap();
    fs::write(
        tmp.path().join("config.json"),
        "{\"model_type\": \"llama\"}",
    )
    .unwrap();
    for (name, text) in files {
        fs::write(tmp.path().join(name), text).unwrap();
    }
    tmp
}

fn decide(dir: &Path, base: Option<&Path>) -> (LicenseReport, Vec<String>) {
    let options = mri::InspectOptions {
        cache: mri::HfCache::new(dir.join("no-cache")),
        base: base.map(|b| b.to_str().unwrap().to_string()),
        ..Default::default()
    };
    let r = mri::inspect(dir.to_str().unwrap(), &options).unwrap();
    let codes = r
        .findings
        .iter()
        .map(|f| f.code.as_str().to_string())
        .collect();
    (r.license.unwrap(), codes)
}

fn kinds(r: &LicenseReport) -> Vec<ObligationKind> {
    r.obligations.iter().map(|o| o.kind).collect()
}

#[test]
fn permissive_declaration_on_a_llama_base_inherits_llama_terms() {
    let m = model(
        "license: apache-2.0\nbase_model: meta-llama/Llama-3.1-8B-Instruct\n",
        &[],
    );
    let (r, codes) = decide(m.path(), None);
    assert_eq!(r.verdict, Verdict::PermittedWithConditions);
    assert!(codes.contains(&"license/conflict".to_string()), "{codes:?}");
    assert!(
        codes.contains(&"license/inherited".to_string()),
        "{codes:?}"
    );
    let inherited: Vec<_> = r
        .obligations
        .iter()
        .filter(|o| o.inherited_from.is_some())
        .collect();
    assert!(inherited
        .iter()
        .any(|o| o.kind == ObligationKind::UserThreshold && o.value == "700000000"));
    assert!(inherited
        .iter()
        .any(|o| o.kind == ObligationKind::Attribution && o.value == "Built with Llama"));
    // cited at the card's base_model line
    assert!(inherited
        .iter()
        .all(|o| o.file.as_deref() == Some("README.md") && o.line_start == Some(3)));
}

#[test]
fn card_and_file_that_disagree_take_the_stricter() {
    let m = model(
        "license: mit\n",
        &[(
            "LICENSE",
            &corpus_text("cc-by-nc-4.0-audiocraft-weights.txt"),
        )],
    );
    let (r, codes) = decide(m.path(), None);
    assert_eq!(r.verdict, Verdict::NonCommercial);
    assert!(codes.contains(&"license/conflict".to_string()), "{codes:?}");
}

#[test]
fn license_name_resolves_other_and_a_missing_link_is_reported() {
    let m = model(
        "license: other\nlicense_name: tongyi-qianwen\nlicense_link: LICENSE\n",
        &[],
    );
    let (r, codes) = decide(m.path(), None);
    assert_eq!(r.verdict, Verdict::PermittedWithConditions);
    assert_eq!(r.detected[0].id, "tongyi-qianwen");
    assert_eq!(r.detected[0].source, "card:license_name");
    assert!(
        codes
            .iter()
            .filter(|c| *c == "license/missing-file")
            .count()
            >= 1,
        "{codes:?}"
    );
}

#[test]
fn other_without_any_license_file_is_unknown_and_missing() {
    let m = model("license: other\n", &[]);
    let (r, codes) = decide(m.path(), None);
    assert_eq!(r.verdict, Verdict::Unknown);
    assert!(codes.contains(&"license/missing-file".to_string()));
    assert!(codes.contains(&"license/unknown".to_string()));
}

#[test]
fn no_license_anywhere_is_unknown() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("config.json"), "{}").unwrap();
    let (r, codes) = decide(tmp.path(), None);
    assert_eq!(r.verdict, Verdict::Unknown);
    assert!(codes.contains(&"license/unknown".to_string()));
}

#[test]
fn spdx_expressions_and_hub_ids() {
    for (card, want) in [
        ("license: MIT OR Apache-2.0\n", Verdict::Permitted),
        ("license: cc-by-nc-4.0\n", Verdict::NonCommercial),
        ("license: gpl-3.0\n", Verdict::PermittedWithConditions),
        ("license: MIT AND CC-BY-NC-4.0\n", Verdict::NonCommercial),
        ("license: llama3.2\n", Verdict::PermittedWithConditions),
        ("license: gemma\n", Verdict::PermittedWithConditions),
    ] {
        let m = model(card, &[]);
        let (r, _) = decide(m.path(), None);
        assert_eq!(r.verdict, want, "{card}");
    }
    let m = model("license: my-own-thing-1.0\n", &[]);
    let (r, codes) = decide(m.path(), None);
    assert_eq!(r.verdict, Verdict::Unknown);
    assert!(codes.contains(&"license/unknown".to_string()));
}

/// An MIT text with a display clause above a size: the spdx crate's detector
/// calls it plain MIT; mri must not call it permitted.
#[test]
fn modified_mit_is_told_apart_from_mit() {
    let modified = format!(
        "{}\nOur only modification is that, if the Software is used for any commercial product with more than 50 million monthly active users, you shall prominently display \"Zorblax Inside\" on its user interface.\n",
        spdx_text("MIT")
    );
    let mut store = spdx::detection::Store::new();
    for id in ["MIT", "Apache-2.0", "BSD-3-Clause"] {
        store.add_license(id.into(), spdx::detection::TextData::new(&spdx_text(id)));
    }
    let peer = store.analyze(&spdx::detection::TextData::new(&modified));
    assert_eq!(peer.name, "MIT");
    assert!(
        peer.score > 0.8,
        "the trap: the peer is sure it is MIT ({})",
        peer.score
    );

    let m = model("license: other\n", &[("LICENSE", &modified)]);
    let (r, _) = decide(m.path(), None);
    assert_eq!(r.verdict, Verdict::PermittedWithConditions);
    let d = r.detected.iter().find(|d| d.source == "file").unwrap();
    assert_eq!(d.id, "MIT");
    assert!(d.modified);
    assert!(r
        .obligations
        .iter()
        .any(|o| o.kind == ObligationKind::Attribution && o.value == "Zorblax Inside"));
    assert!(r
        .obligations
        .iter()
        .any(|o| o.kind == ObligationKind::UserThreshold && o.value == "50000000"));
}

#[test]
fn falcon_is_not_apache() {
    let falcon = corpus_text("falcon-2-11b-tii-license-1.0.txt");
    let mut store = spdx::detection::Store::new();
    store.add_license(
        "Apache-2.0".into(),
        spdx::detection::TextData::new(&spdx_text("Apache-2.0")),
    );
    store.add_license(
        "MIT".into(),
        spdx::detection::TextData::new(&spdx_text("MIT")),
    );
    let peer = store.analyze(&spdx::detection::TextData::new(&falcon));
    assert_eq!(peer.name, "Apache-2.0", "the peer's answer");
    let m = model("license: other\n", &[("LICENSE", &falcon)]);
    let (r, _) = decide(m.path(), None);
    assert_ne!(r.verdict, Verdict::Permitted);
    assert_eq!(
        r.detected.iter().find(|d| d.source == "file").unwrap().id,
        "falcon-2-11b-tii-license-1.0"
    );
}

#[test]
fn restrictive_clause_added_to_apache_wins() {
    let text = format!("{}\nADDITIONAL TERMS. Notwithstanding the above, the Work may be used for research purposes only.\n", spdx_text("Apache-2.0"));
    let m = model("license: apache-2.0\n", &[("LICENSE", &text)]);
    let (r, _) = decide(m.path(), None);
    assert_eq!(r.verdict, Verdict::ResearchOnly, "{:?}", r.reasons);
    let o = r
        .obligations
        .iter()
        .find(|o| o.kind == ObligationKind::ResearchOnly)
        .unwrap();
    assert_eq!(o.file.as_deref(), Some("LICENSE"));
    assert!(o.quote.contains("research purposes only"));
}

#[test]
fn unreadable_additions_to_a_permissive_text_fail_closed() {
    let text = format!(
        "{}\nSUPPLEMENTAL PROVISIONS. The licensee agrees to the supplemental provisions set forth in the schedule, which are incorporated herein and govern the interpretation of every grant above, including the scope, duration and conditions under which the grants may be exercised, revoked or varied by the licensor at its sole discretion, in each case as described in the schedule maintained by the licensor from time to time.\n",
        spdx_text("MIT")
    );
    let m = model("license: other\n", &[("LICENSE", &text)]);
    let (r, codes) = decide(m.path(), None);
    assert_eq!(r.verdict, Verdict::Unknown, "{:?}", r.reasons);
    assert!(codes.contains(&"license/unknown".to_string()));
}

#[test]
fn unseen_license_yields_its_clauses_and_never_more() {
    let text = "ACME MODEL LICENSE\n\n1. Grant. ACME grants you a license to use the Model solely for non-commercial research purposes.\n\n2. Other. You shall not use the Model to improve any other large language model.\n";
    let m = model("license: other\n", &[("LICENSE", text)]);
    let (r, codes) = decide(m.path(), None);
    assert!(
        r.verdict.rank() <= Verdict::NonCommercial.rank(),
        "{}",
        r.verdict
    );
    assert!(codes.contains(&"license/unknown".to_string()));
    let k = kinds(&r);
    assert!(
        k.contains(&ObligationKind::NonCommercial) || k.contains(&ObligationKind::ResearchOnly),
        "{k:?}"
    );
    assert!(k.contains(&ObligationKind::NoTrainingOtherModels), "{k:?}");
    let o = r
        .obligations
        .iter()
        .find(|o| o.kind == ObligationKind::NoTrainingOtherModels)
        .unwrap();
    assert_eq!(o.line_start, Some(5));
}

#[test]
fn a_text_naming_a_license_per_part_takes_the_strictest() {
    // the shape of the OmniParser fork's weights notice (tests/license-eval,
    // unseen10): an inventory whose rows name the parts' licenses
    let text = "# Model Weights License Notice\n\nThe Python source code in this repository is licensed under the MIT License.\n\n| Artifact | Effective license |\n|---|---|\n| Icon detection | **AGPL-3.0** (inherited from YOLOv8) |\n| Icon captioning | MIT |\n";
    let m = model("license: other\n", &[("LICENSE", text)]);
    let (r, _) = decide(m.path(), None);
    assert_eq!(
        r.verdict,
        Verdict::PermittedWithConditions,
        "{:?}",
        r.reasons
    );
    let o = r
        .obligations
        .iter()
        .find(|o| o.kind == ObligationKind::UseRestrictionsPassdown)
        .expect("the AGPL part cited");
    assert_eq!((o.line_start, o.value.as_str()), (Some(7), "AGPL-3.0"));
    // a non-commercial part makes the whole non-commercial
    let text = "The encoder weights are released under the MIT License.\n\nThe decoder weights are released under CC-BY-NC-4.0.\n";
    let m = model("license: other\n", &[("LICENSE", text)]);
    let (r, _) = decide(m.path(), None);
    assert_eq!(r.verdict, Verdict::NonCommercial, "{:?}", r.reasons);
    // a proprietary whole: the parts' licenses grant nothing more
    let text = "The model is proprietary.\n\nIt incorporates an encoder under the MIT License and a decoder under Apache-2.0.\n";
    let m = model("license: other\n", &[("LICENSE", text)]);
    let (r, _) = decide(m.path(), None);
    assert!(
        !r.verdict.allows_commercial_use(),
        "{} {:?}",
        r.verdict,
        r.reasons
    );
    // a part whose license is unclear keeps the whole unknown
    let text = "The encoder weights are released under the MIT License.\n\nThe decoder weights are released under Apache-2.0.\n\nThe license of the tokenizer is unclear.\n";
    let m = model("license: other\n", &[("LICENSE", text)]);
    let (r, _) = decide(m.path(), None);
    assert_eq!(r.verdict, Verdict::Unknown, "{:?}", r.reasons);
}

#[test]
fn obligations_are_the_union_of_license_policy_and_notice() {
    let m = model(
        "license: llama3.2\n",
        &[
            ("LICENSE", &corpus_text("llama3_2-license.txt")),
            ("USE_POLICY.md", &corpus_text("llama3_2-use-policy.txt")),
            ("NOTICE", "Llama 3.2 is licensed under the Llama 3.2 Community License, Copyright © Meta Platforms, Inc. All Rights Reserved.\n"),
        ],
    );
    let (r, codes) = decide(m.path(), None);
    assert_eq!(r.verdict, Verdict::PermittedWithConditions);
    assert!(
        !codes.contains(&"license/conflict".to_string()),
        "{codes:?}"
    );
    let territory = r.obligations.iter().find(|o| {
        o.kind == ObligationKind::TerritoryExclusion && o.file.as_deref() == Some("USE_POLICY.md")
    });
    assert!(territory.is_some(), "{:?}", r.obligations);
    assert!(r
        .obligations
        .iter()
        .any(|o| o.kind == ObligationKind::UserThreshold && o.file.as_deref() == Some("LICENSE")));
}

#[test]
fn base_directory_passes_its_decision_down() {
    let base = model(
        "license: llama3.1\n",
        &[("LICENSE", &corpus_text("llama3_1-license.txt"))],
    );
    let ft = model("license: apache-2.0\n", &[]);
    let (r, codes) = decide(ft.path(), Some(base.path()));
    assert_eq!(r.verdict, Verdict::PermittedWithConditions);
    assert!(codes.contains(&"license/inherited".to_string()));
    let inherited: Vec<_> = r
        .obligations
        .iter()
        .filter(|o| o.inherited_from.is_some())
        .collect();
    assert!(inherited
        .iter()
        .any(|o| o.kind == ObligationKind::UserThreshold
            && o.file.as_deref().is_some_and(|f| f.ends_with("/LICENSE"))));

    let nc_base = model("license: cc-by-nc-4.0\n", &[]);
    let (r, _) = decide(ft.path(), Some(nc_base.path()));
    assert_eq!(r.verdict, Verdict::NonCommercial);
}

#[test]
fn license_command_prints_verdict_obligations_and_reasons() {
    let m = model(
        "license: llama3.1\n",
        &[("LICENSE", &corpus_text("llama3_1-license.txt"))],
    );
    let out = mri(&["license", m.path().to_str().unwrap()]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("PERMITTED WITH CONDITIONS"), "{text}");
    assert!(
        text.contains("user-threshold") && text.contains("LICENSE:32"),
        "{text}"
    );
    assert!(text.contains("How it was decided"));
    let out = mri(&["license", m.path().to_str().unwrap(), "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["license"]["verdict"], "permitted-with-conditions");
    let o = &json["license"]["obligations"][0];
    for field in [
        "kind",
        "summary",
        "value",
        "file",
        "line_start",
        "line_end",
        "quote",
    ] {
        assert!(o.get(field).is_some(), "obligation lacks {field}: {o}");
    }
    let d = &json["license"]["detected"][0];
    for field in ["id", "name", "source", "file", "confidence"] {
        assert!(d.get(field).is_some(), "detected lacks {field}: {d}");
    }
    let out = mri(&[
        "license",
        m.path().to_str().unwrap(),
        "--format",
        "markdown",
    ]);
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .contains("**Verdict: permitted-with-conditions**"));
}

#[test]
fn licenses_list_and_show() {
    let out = mri(&["licenses", "list"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text
        .lines()
        .any(|l| l.starts_with("llama3.1 ") && l.contains("permitted-with-conditions")));
    let out = mri(&["licenses", "list", "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json.as_array().unwrap().len() >= 50);
    let out = mri(&["licenses", "show", "tongyi-qianwen"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("user-threshold"), "{text}");
    let out = mri(&["licenses", "show", "Apache-2.0"]);
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .contains("OSI approved true"));
    let out = mri_env(&["licenses", "show", "no-such-license"], &[]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn license_link_to_an_oddly_named_file_is_read() {
    let m = model(
        "license: other\nlicense_name: acme-terms\nlicense_link: MODEL_TERMS.md\n",
        &[(
            "MODEL_TERMS.md",
            &corpus_text("flux-non-commercial-license-v2.1.txt"),
        )],
    );
    let (r, codes) = decide(m.path(), None);
    assert_eq!(r.verdict, Verdict::NonCommercial, "{:?}", r.reasons);
    assert!(
        !codes.contains(&"license/missing-file".to_string()),
        "{codes:?}"
    );
    assert_eq!(
        r.detected
            .iter()
            .find(|d| d.source == "file")
            .unwrap()
            .file
            .as_deref(),
        Some("MODEL_TERMS.md")
    );
}

/// A file-only model (no card) with one LICENSE.
fn licensed(text: &str) -> tempfile::TempDir {
    let m = model("license: other\n", &[("LICENSE", text)]);
    fs::remove_file(m.path().join("README.md")).unwrap();
    m
}

fn file_detection(r: &LicenseReport) -> &mri::license::decide::DetectedLicense {
    r.detected
        .iter()
        .find(|d| d.source == "file")
        .expect("a file detection")
}

#[test]
fn non_commercial_clause_inside_a_standard_text_is_read_and_cited() {
    let mit = spdx_text("MIT").replace("<year> <copyright holders>", "2024 Acme AI Labs");
    // a line inserted inside a paragraph, words inserted into the grant
    let inserted = mit.replacen(
        "subject to the\n",
        "subject to the\nThe Software may be used for non-commercial purposes only.\n",
        1,
    );
    let line = inserted
        .lines()
        .position(|l| l.starts_with("The Software may be used"))
        .unwrap() as u32
        + 1;
    let words = mit.replacen(
        "to deal in the Software without restriction",
        "to deal in the Software for non-commercial purposes without restriction",
        1,
    );
    let apache = spdx_text("Apache-2.0").replacen(
        "irrevocable copyright license to reproduce",
        "irrevocable copyright license, for non-commercial purposes only, to reproduce",
        1,
    );
    for (text, expected_line) in [(inserted, Some(line)), (words, None), (apache, None)] {
        assert_ne!(text, spdx_text("MIT"));
        let m = licensed(&text);
        let (r, _) = decide(m.path(), None);
        assert_eq!(r.verdict, Verdict::NonCommercial, "{:?}", r.reasons);
        let d = file_detection(&r);
        assert!(d.modified, "{d:?}");
        assert_eq!(d.verdict, Verdict::NonCommercial);
        let nc = r
            .obligations
            .iter()
            .find(|o| o.kind == ObligationKind::NonCommercial)
            .expect("the clause is cited");
        assert_eq!(nc.file.as_deref(), Some("LICENSE"));
        let changed = text
            .lines()
            .position(|l| l.contains("non-commercial"))
            .unwrap() as u32
            + 1;
        let start = nc.line_start.unwrap();
        let end = nc.line_end.unwrap();
        assert!(start <= changed && changed <= end, "{nc:?}");
        if let Some(l) = expected_line {
            assert!(start <= l && l <= end, "{nc:?}");
        }
    }
    // the copyright line filled in is no modification
    let filled = licensed(&spdx_text("MIT").replace("<year> <copyright holders>", "2024 Acme"));
    let (r, _) = decide(filled.path(), None);
    assert_eq!(r.verdict, Verdict::Permitted);
    assert!(!file_detection(&r).modified);
}

#[test]
fn approval_clause_appended_to_apache_requires_approval() {
    let text = format!(
        "{}\n\nSupplementary terms: Before any commercial use you must register at https://acme.example/register and obtain written authorization from Acme.\n",
        spdx_text("Apache-2.0")
    );
    let m = licensed(&text);
    let (r, _) = decide(m.path(), None);
    assert_eq!(r.verdict, Verdict::RequiresApproval, "{:?}", r.reasons);
    let o = r
        .obligations
        .iter()
        .find(|o| o.kind == ObligationKind::Registration)
        .expect("cited");
    assert_eq!(o.line_start, Some(text.lines().count() as u32));
}

#[test]
fn an_edited_threshold_is_reported_as_the_file_states_it() {
    let llama = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("licenses/texts/llama3.1.txt"),
    )
    .unwrap();
    let edited = llama.replacen("greater than 700 million", "greater than 7 million", 1);
    assert_ne!(edited, llama);
    let m = licensed(&edited);
    let (r, _) = decide(m.path(), None);
    let d = file_detection(&r);
    assert_eq!(d.id, "llama3.1");
    assert!(d.modified);
    let users: Vec<_> = r
        .obligations
        .iter()
        .filter(|o| o.kind == ObligationKind::UserThreshold)
        .collect();
    assert!(!users.is_empty());
    assert!(users.iter().all(|o| o.value == "7000000"), "{users:?}");
    // the unedited text keeps the knowledge base's value and is not modified
    let m = licensed(&llama);
    let (r, _) = decide(m.path(), None);
    assert!(!file_detection(&r).modified);
    assert!(r
        .obligations
        .iter()
        .any(|o| o.kind == ObligationKind::UserThreshold && o.value == "700000000"));
}

#[test]
fn naming_a_license_is_not_that_license_when_the_text_qualifies_it() {
    for text in [
        "Acme Model License 1.0\n\nUnlike the MIT License, this license does not permit any commercial use of the weights.\n",
        "Acme Research License\n\nPortions of the inference code are derived from projects under the Apache License 2.0. The model weights themselves are proprietary; use requires a signed agreement with Acme.\n",
        "This model is not derived from Llama 3.1 and is not subject to the Llama 3.1 Community License. All rights reserved; contact us for a license.\n",
        "Released under the MIT License, except that use by any company with more than 500 employees is prohibited.\n",
    ] {
        let m = licensed(text);
        let (r, _) = decide(m.path(), None);
        assert!(!r.verdict.allows_commercial_use(), "{text}: {:?}", r.reasons);
        assert!(
            r.detected.iter().all(|d| !d.verdict.allows_commercial_use()),
            "{text}: {:?}",
            r.detected
        );
    }
    // the verdict-driving clause is cited
    let m = licensed("MIT License, except that the model weights may not be used commercially.\n");
    let (r, _) = decide(m.path(), None);
    assert_eq!(r.verdict, Verdict::NonCommercial);
    assert!(r
        .obligations
        .iter()
        .any(|o| o.kind == ObligationKind::NonCommercial && o.line_start == Some(1)));
    // a plain reference and Apache's own header still name the license
    let m = licensed(
        "This model is licensed under the MIT License. See the LICENSE file for details.\n",
    );
    assert_eq!(decide(m.path(), None).0.verdict, Verdict::Permitted);
    let m = licensed("Copyright 2024 Acme\n\nLicensed under the Apache License, Version 2.0 (the \"License\");\nyou may not use this file except in compliance with the License.\nYou may obtain a copy of the License at\n\n    http://www.apache.org/licenses/LICENSE-2.0\n");
    assert_eq!(decide(m.path(), None).0.verdict, Verdict::Permitted);
}

#[test]
fn plain_spdx_texts_cite_the_clause_of_each_duty() {
    let cases = [
        ("MIT", ObligationKind::LicenseCopy, 11),
        ("Apache-2.0", ObligationKind::LicenseCopy, 35),
        ("CC-BY-4.0", ObligationKind::Attribution, 79),
        ("CC-BY-SA-4.0", ObligationKind::ShareAlike, 111),
        ("MPL-2.0", ObligationKind::ShareAlike, 162),
        ("GPL-3.0-only", ObligationKind::ShareAlike, 87),
    ];
    for (id, kind, line) in cases {
        let m = licensed(&spdx_text(id));
        let (r, _) = decide(m.path(), None);
        let o = r
            .obligations
            .iter()
            .find(|o| o.kind == kind)
            .unwrap_or_else(|| panic!("{id}: no {kind}"));
        assert_eq!(o.file.as_deref(), Some("LICENSE"), "{id}");
        assert_eq!(o.line_start, Some(line), "{id}: {o:?}");
        assert!(
            r.obligations.iter().all(|o| o.line_start.is_some()),
            "{id}: {:?}",
            r.obligations
        );
    }
}

#[test]
fn a_license_file_longer_than_mri_reads_is_unknown() {
    // Apache-2.0, padded past 2 MiB, with a non-commercial term at the end
    let mut text = spdx_text("Apache-2.0");
    while text.len() <= 2 * 1024 * 1024 {
        text.push_str(&" ".repeat(100));
        text.push('\n');
    }
    text.push_str(
        "ADDITIONAL TERMS: The model weights may be used for non-commercial purposes only.\n",
    );
    let m = licensed(&text);
    let (r, codes) = decide(m.path(), None);
    assert_eq!(r.verdict, Verdict::Unknown, "{:?}", r.reasons);
    assert!(codes.contains(&"license/unread".to_string()), "{codes:?}");
    // the same text within the limit is read to its end
    let short = format!(
        "{}\nADDITIONAL TERMS: The model weights may be used for non-commercial purposes only.\n",
        spdx_text("Apache-2.0")
    );
    let m = licensed(&short);
    let (r, codes) = decide(m.path(), None);
    assert_eq!(r.verdict, Verdict::NonCommercial);
    assert!(!codes.contains(&"license/unread".to_string()));
}

#[test]
fn empty_binary_and_utf16_license_files_are_said_to_be_unreadable() {
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            spdx_text("MIT")
                .encode_utf16()
                .flat_map(|u| u.to_le_bytes()),
        )
        .collect();
    let cases: [(&str, Vec<u8>); 3] = [
        ("empty", b"  \n\n".to_vec()),
        (
            "binary",
            vec![0x00, 0x9f, 0x92, 0x96, 0x00, 0x01, 0x02, 0xff, 0xfe, 0x00],
        ),
        ("utf16", utf16),
    ];
    for (what, bytes) in cases {
        let m = model("license: mit\n", &[]);
        fs::write(m.path().join("LICENSE"), bytes).unwrap();
        let (r, codes) = decide(m.path(), None);
        assert_eq!(r.verdict, Verdict::Unknown, "{what}: {:?}", r.reasons);
        assert!(
            codes.contains(&"license/unread".to_string()),
            "{what}: {codes:?}"
        );
    }
}

#[test]
fn a_base_whose_license_is_unknown_keeps_the_verdict_from_permitted() {
    let m = model(
        "license: apache-2.0\nbase_model: acme/never-heard-of-it-7b\n",
        &[],
    );
    let (r, codes) = decide(m.path(), None);
    assert_eq!(r.verdict, Verdict::RequiresApproval, "{:?}", r.reasons);
    assert!(
        codes.contains(&"license/base-unknown".to_string()),
        "{codes:?}"
    );
    // with the base at hand, its decision is used instead
    let base = model("license: mit\n", &[]);
    let (r, codes) = decide(m.path(), Some(base.path()));
    assert_eq!(r.verdict, Verdict::Permitted, "{:?}", r.reasons);
    assert!(!codes.contains(&"license/base-unknown".to_string()));
    // a base the knowledge base knows is inherited, not capped
    for (base, license) in [
        ("unsloth/Llama-3.2-1B-Instruct", "llama3.2"),
        ("Qwen/Qwen2.5-3B-Instruct", "tongyi-qianwen-research"),
        ("CohereForAI/c4ai-command-r-v01", "cc-by-nc-4.0"),
    ] {
        let m = model(&format!("license: apache-2.0\nbase_model: {base}\n"), &[]);
        let (r, codes) = decide(m.path(), None);
        assert!(
            !codes.contains(&"license/base-unknown".to_string()),
            "{base}"
        );
        assert!(
            r.detected
                .iter()
                .any(|d| d.source == "base_model" && d.id == license),
            "{base}: {:?}",
            r.detected
        );
    }
}

#[test]
fn spdx_expressions_in_lower_case_are_read() {
    for (value, verdict) in [
        ("apache-2.0 OR mit", Verdict::Permitted),
        ("apache-2.0 or mit", Verdict::Permitted),
        ("mit and cc-by-nc-4.0", Verdict::NonCommercial),
        (
            "(mit OR apache-2.0) AND cc-by-nc-4.0",
            Verdict::NonCommercial,
        ),
        ("apache-2.0 WITH llvm-exception", Verdict::Permitted),
        ("mit OR no-such-license", Verdict::Permitted),
        ("mit AND no-such-license", Verdict::Unknown),
        ("mit OR (apache-2.0", Verdict::Unknown),
    ] {
        let m = model(&format!("license: {value}\n"), &[]);
        assert_eq!(decide(m.path(), None).0.verdict, verdict, "{value}");
    }
}

#[test]
fn qwen_research_is_a_known_license_name() {
    let m = model("license: other\nlicense_name: qwen-research\n", &[]);
    let (r, _) = decide(m.path(), None);
    assert_eq!(r.verdict, Verdict::ResearchOnly, "{:?}", r.reasons);
}

#[test]
fn a_license_section_in_the_card_body_is_read() {
    let m = tempfile::tempdir().unwrap();
    fs::write(
        m.path().join("README.md"),
        "---\nlicense: apache-2.0\n---\n# Model\n\n## License\n\nThe weights are released under CC BY-NC 4.0 (non-commercial use only). The code is Apache-2.0.\n\n## Usage\n\nRun it.\n",
    )
    .unwrap();
    fs::write(m.path().join("config.json"), "{\"model_type\": \"llama\"}").unwrap();
    let (r, codes) = decide(m.path(), None);
    assert_eq!(r.verdict, Verdict::NonCommercial, "{:?}", r.reasons);
    assert!(codes.contains(&"license/conflict".to_string()), "{codes:?}");
    let body = r
        .detected
        .iter()
        .find(|d| d.source == "card:body")
        .expect("the body's license");
    assert_eq!((body.id.as_str(), body.line), ("cc-by-nc-4.0", Some(8)));
    assert!(r
        .obligations
        .iter()
        .any(|o| o.kind == ObligationKind::NonCommercial
            && o.file.as_deref() == Some("README.md")
            && o.line_start == Some(8)));
    // a section that agrees with the front matter, or says nothing decisive, changes nothing
    for body in [
        "## License\n\nThis model is licensed under the MIT License.\n",
        "## License\n\nSee the LICENSE file.\n",
    ] {
        let m = model("license: mit\n", &[]);
        fs::write(
            m.path().join("README.md"),
            format!("---\nlicense: mit\n---\n# Model\n\n{body}"),
        )
        .unwrap();
        let (r, codes) = decide(m.path(), None);
        assert_eq!(r.verdict, Verdict::Permitted, "{body}: {:?}", r.reasons);
        assert!(!codes.contains(&"license/conflict".to_string()), "{body}");
    }
}

#[test]
fn a_model_on_a_base_published_under_apache_or_mit_stays_permitted() {
    // Qwen3-4B's own card: apache-2.0 on its Base model.
    let apache = spdx_text("Apache-2.0");
    let m = model(
        "license: apache-2.0\nbase_model:\n- Qwen/Qwen3-4B-Base\n",
        &[("LICENSE", &apache)],
    );
    let (r, codes) = decide(m.path(), None);
    assert_eq!(r.verdict, Verdict::Permitted, "{:?}", r.reasons);
    assert!(
        codes.contains(&"license/inherited".to_string()),
        "{codes:?}"
    );
    assert!(
        !codes.contains(&"license/base-unknown".to_string()),
        "{codes:?}"
    );
    // A re-upload of the same model under another org, and an MIT base.
    for base in ["unsloth/Qwen3-4B-bnb-4bit", "microsoft/phi-4"] {
        let m = model(&format!("license: apache-2.0\nbase_model: {base}\n"), &[]);
        let (r, codes) = decide(m.path(), None);
        assert_eq!(r.verdict, Verdict::Permitted, "{base}: {:?}", r.reasons);
        assert!(
            !codes.contains(&"license/base-unknown".to_string()),
            "{base}: {codes:?}"
        );
    }
    // Qwen2.5-3B is under Qwen's research license, which the knowledge base knows.
    let m = model(
        "license: apache-2.0\nbase_model: Qwen/Qwen2.5-3B-Instruct\n",
        &[],
    );
    assert_eq!(decide(m.path(), None).0.verdict, Verdict::ResearchOnly);
    // A base neither table knows still fails closed.
    let m = model("license: apache-2.0\nbase_model: someone/some-model\n", &[]);
    let (r, codes) = decide(m.path(), None);
    assert_eq!(r.verdict, Verdict::RequiresApproval);
    assert!(
        codes.contains(&"license/base-unknown".to_string()),
        "{codes:?}"
    );
}

#[test]
fn a_revenue_threshold_added_to_apache_is_a_condition_not_non_commercial() {
    let text = spdx_text("Apache-2.0").replacen(
        "2. Grant of Copyright License.",
        "\"Non-Commercial or Research Purposes\" shall mean purposes that do not involve any use of the Work for Commercial Use.\n\n\"Threshold\" shall mean annual revenue of 10 million United States dollars ($10,000,000) or more.\n\n2. Grant of Copyright License.",
        1,
    );
    let m = licensed(&text);
    let (r, _) = decide(m.path(), None);
    assert_eq!(
        r.verdict,
        Verdict::PermittedWithConditions,
        "{:?}",
        r.reasons
    );
    assert!(file_detection(&r).modified);
    assert!(r
        .obligations
        .iter()
        .any(|o| o.kind == ObligationKind::RevenueThreshold && o.value == "USD 10000000"));
}

#[test]
fn the_hub_license_name_of_grok_2_names_its_community_license() {
    let m = model("license: other\nlicense_name: grok-2\n", &[]);
    let (r, _) = decide(m.path(), None);
    assert!(
        r.detected.iter().any(|d| d.id == "grok2-community"),
        "{:?}",
        r.detected
    );
    assert_ne!(r.verdict, Verdict::Permitted);
}

#[test]
fn dbrx_license_name_is_known_with_its_threshold_and_training_ban() {
    let m = model(
        "license: other\nlicense_name: databricks-open-model-license\nlicense_link: https://www.databricks.com/legal/open-model-license\n",
        &[],
    );
    let (r, _) = decide(m.path(), None);
    assert_eq!(
        r.verdict,
        Verdict::PermittedWithConditions,
        "{:?}",
        r.reasons
    );
    assert_eq!(r.detected[0].id, "databricks-open-model-license");
    let kinds = kinds(&r);
    assert!(kinds.contains(&ObligationKind::UserThreshold), "{kinds:?}");
    assert!(
        kinds.contains(&ObligationKind::NoTrainingOtherModels),
        "{kinds:?}"
    );
}

/// The first obligation of `kind`.
fn obligation(r: &LicenseReport, kind: ObligationKind) -> &Obligation {
    r.obligations
        .iter()
        .find(|o| o.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} obligation in {:?}", kinds(r)))
}

/// The line of `text` an obligation cites (its first line).
fn cited_line<'a>(text: &'a str, o: &Obligation) -> &'a str {
    let line = o.line_start.expect("a cited line") as usize;
    text.lines().nth(line - 1).expect("the line is in the text")
}

fn kb_text(name: &str) -> String {
    fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("licenses/texts")
            .join(name),
    )
    .unwrap()
}

/// Falcon 3's TII Falcon License and Falcon 2's licence are near-identical
/// Apache-based texts: each is detected as itself, by name and by text, and
/// Falcon 3's own attribution statement is the one cited.
#[test]
fn falcon_3_and_falcon_2_licences_are_told_apart() {
    let falcon3 = kb_text("falcon-3-tii-falcon-license.txt");
    let m = model(
        "license: other\nlicense_name: falcon-llm-license\nlicense_link: LICENSE\n",
        &[("LICENSE", &falcon3)],
    );
    let (r, _) = decide(m.path(), None);
    assert_eq!(r.verdict, Verdict::PermittedWithConditions);
    assert!(r
        .detected
        .iter()
        .all(|d| d.id == "falcon-3-tii-falcon-license"));
    let attribution = obligation(&r, ObligationKind::Attribution);
    assert!(attribution
        .value
        .contains("artificial intelligence technology from the Technology Innovation Institute"));
    assert_eq!(attribution.file.as_deref(), Some("LICENSE"));
    assert!(cited_line(&falcon3, attribution).contains("public statement"));
    // The Falcon 2 text stays Falcon 2's.
    let falcon2 = corpus_text("falcon-2-11b-tii-license-1.0.txt");
    let m = model("license: other\n", &[("LICENSE", &falcon2)]);
    let (r, _) = decide(m.path(), None);
    let file = r.detected.iter().find(|d| d.source == "file").unwrap();
    assert_eq!(file.id, "falcon-2-11b-tii-license-1.0");
}

/// LFM2's card names `lfm1.0`; its licence is Apache-based with a revenue
/// cap, a condition (not an approval) cited at its definition.
#[test]
fn lfm_open_license_is_a_revenue_capped_grant() {
    let text = kb_text("lfm-open-license-v1.0.txt");
    let m = model(
        "license: other\nlicense_name: lfm1.0\nlicense_link: LICENSE\n",
        &[("LICENSE", &text)],
    );
    let (r, _) = decide(m.path(), None);
    assert_eq!(r.verdict, Verdict::PermittedWithConditions);
    let cap = obligation(&r, ObligationKind::RevenueThreshold);
    assert_eq!(cap.value, "USD 10000000 per year");
    assert!(cited_line(&text, cap).contains("$10,000,000"));
    // By name alone (no text) it is still that licence, not unknown.
    let m = model("license: other\nlicense_name: lfm1.0\n", &[]);
    let (r, _) = decide(m.path(), None);
    assert_eq!(r.detected[0].id, "lfm-open-license-v1.0");
    assert_ne!(r.verdict, Verdict::Permitted);
}

/// The Qwen Community License is MIT with conditions added: not MIT, not
/// Kimi's modified MIT, and its separate-license clause for model-as-a-service
/// businesses fails the verdict closed at requires-approval.
#[test]
fn qwen_community_license_is_not_mit_and_needs_approval() {
    let text = kb_text("qwen-community-license-1.0.txt");
    let m = model("license: mit\n", &[("LICENSE", &text)]);
    let (r, _) = decide(m.path(), None);
    let file = r.detected.iter().find(|d| d.source == "file").unwrap();
    assert_eq!(file.id, "qwen-community-license-1.0");
    assert_eq!(r.verdict, Verdict::RequiresApproval);
    let separate = obligation(&r, ObligationKind::Registration);
    assert!(cited_line(&text, separate).contains("Model as a Service or AI Work Assistant"));
    assert!(kinds(&r).contains(&ObligationKind::UserThreshold));
}

/// MedGemma's card names `health-ai-developer-foundations`; the terms are
/// read as their own licence (not Gemma's), commercial use with conditions,
/// each cited where the text states it.
#[test]
fn health_ai_developer_foundations_terms_are_recognised() {
    let text = kb_text("health-ai-developer-foundations.txt");
    let m = model(
        "license: other\nlicense_name: health-ai-developer-foundations\nlicense_link: LICENSE\n",
        &[("LICENSE", &text)],
    );
    let (r, _) = decide(m.path(), None);
    assert!(r
        .detected
        .iter()
        .all(|d| d.id == "health-ai-developer-foundations"));
    assert_eq!(r.verdict, Verdict::PermittedWithConditions);
    let notice = obligation(&r, ObligationKind::NoticeFile);
    assert!(cited_line(&text, notice).contains("Notice"));
    assert!(kinds(&r).contains(&ObligationKind::UseRestrictionsPassdown));
}

/// "Modified MIT" names several different licences: a card naming only
/// `modified-mit` is resolved by its LICENSE text — Mistral's revenue cap
/// or Kimi K2's display condition — never by the name alone.
#[test]
fn modified_mit_by_name_alone_is_decided_by_the_text() {
    let card = "license: other\nlicense_name: modified-mit\nlicense_link: LICENSE\n";
    let mistral = kb_text("mistral-modified-mit.txt");
    let (r, _) = decide(model(card, &[("LICENSE", &mistral)]).path(), None);
    assert_eq!(r.verdict, Verdict::PermittedWithConditions);
    assert!(r.detected.iter().all(|d| d.id != "kimi-k2-modified-mit"));
    assert!(r
        .obligations
        .iter()
        .any(|o| o.kind == ObligationKind::RevenueThreshold
            && o.value == "USD 20000000 per month"
            && o.license == "mistral-modified-mit"));
    assert!(!kinds(&r).contains(&ObligationKind::Attribution));
    let kimi = corpus_text("kimi-k2-modified-mit.txt");
    let (r, _) = decide(model(card, &[("LICENSE", &kimi)]).path(), None);
    let file = r.detected.iter().find(|d| d.source == "file").unwrap();
    assert_eq!(file.id, "kimi-k2-modified-mit");
    assert!(r
        .obligations
        .iter()
        .any(|o| o.kind == ObligationKind::Attribution && o.value == "Kimi K2"));
    // The name alone decides nothing.
    let (r, _) = decide(model(card, &[]).path(), None);
    assert_eq!(r.verdict, Verdict::Unknown);
}

#[test]
fn a_known_text_under_another_name_is_recognised_as_a_renamed_copy() {
    // Llama 3.1's agreement with the licensor and the product renamed
    // throughout: still Llama 3.1's terms, and its duties name the new names.
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("licenses/texts/llama3.1.txt"),
    )
    .unwrap()
    .replace("Meta Platforms, Inc.", "Acme Corp.")
    .replace("Meta", "Acme")
    .replace("Llama", "Zeta");
    let dir = model("license: other\n", &[("LICENSE", &text)]);
    let (r, _) = decide(dir.path(), None);
    assert_eq!(r.verdict, Verdict::PermittedWithConditions);
    let d = file_detection(&r);
    assert_eq!(d.id, "llama3.1");
    assert!(d.name.contains("a renamed copy"), "{}", d.name);
    assert!(
        r.reasons
            .iter()
            .any(|x| x.contains("a copy under another name (now: zeta")),
        "{:?}",
        r.reasons
    );
    let prefix = r
        .obligations
        .iter()
        .find(|o| o.kind == ObligationKind::NamePrefix)
        .expect("the name prefix duty");
    assert_eq!(prefix.value, "Zeta");
    // the text as published is not a copy under another name
    let dir = model(
        "license: other\n",
        &[("LICENSE", &spdx_or_kb_text("llama3.1"))],
    );
    let (r, _) = decide(dir.path(), None);
    assert!(!file_detection(&r).name.contains("renamed"));
}

fn spdx_or_kb_text(id: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("licenses/texts/{id}.txt")),
    )
    .unwrap()
}

#[test]
fn inherited_obligations_are_cited_at_the_card_line_naming_the_base() {
    // The local LICENSE (Apache-2.0) shares phrases with Llama's duties
    // ("a copy of this License", a NOTICE file): the base's obligations must
    // not be cited there.
    let dir = model(
        "license: apache-2.0\nbase_model: meta-llama/Llama-3.1-8B\n",
        &[("LICENSE", &spdx_text("Apache-2.0"))],
    );
    let (r, _) = decide(dir.path(), None);
    let inherited: Vec<&Obligation> = r
        .obligations
        .iter()
        .filter(|o| o.inherited_from.as_deref() == Some("meta-llama/Llama-3.1-8B"))
        .collect();
    assert!(!inherited.is_empty(), "{:?}", r.obligations);
    for o in inherited {
        assert_eq!(o.file.as_deref(), Some("README.md"), "{o:?}");
        assert_eq!(o.line_start, Some(3), "the base_model line: {o:?}");
        assert!(
            o.quote.contains("base_model: meta-llama/Llama-3.1-8B"),
            "{o:?}"
        );
    }
}

/// Model licences whose bundled text has a title other than the name a card
/// would give (`license: other` and no `license_name`): the LICENSE file alone
/// is recognised as the entry, with its verdict, unmodified.
#[test]
fn bundled_model_licence_texts_are_recognised_from_the_file_alone() {
    for (file, id, verdict) in [
        ("llama3.3.txt", "llama3.3", Verdict::PermittedWithConditions),
        (
            "databricks-open-model-license.txt",
            "databricks-open-model-license",
            Verdict::PermittedWithConditions,
        ),
        (
            "deepfloyd-if-license.txt",
            "deepfloyd-if-license",
            Verdict::ResearchOnly,
        ),
        (
            "grok2-community.txt",
            "grok2-community",
            Verdict::PermittedWithConditions,
        ),
        (
            "fair-noncommercial-research-license.txt",
            "fair-noncommercial-research-license",
            Verdict::ResearchOnly,
        ),
        ("openmdw-1.1.txt", "openmdw-1.1", Verdict::Permitted),
    ] {
        let text = kb_text(file);
        let m = model("license: other\n", &[("LICENSE", &text)]);
        let (r, _) = decide(m.path(), None);
        let d = file_detection(&r);
        assert_eq!(d.id, id, "{file}");
        assert_eq!(d.verdict, verdict, "{file}");
        assert!(!d.modified, "{file}");
        assert_eq!(r.verdict, verdict, "{file}");
    }
}

/// The bundled Creative Commons texts are read as their own entries, versions
/// and elements told apart (ShareAlike, NoDerivatives, 3.0 against 4.0).
#[test]
fn bundled_creative_commons_texts_are_their_own_entries() {
    for (id, verdict) in [
        ("cc-by-nc-sa-4.0", Verdict::NonCommercial),
        ("cc-by-nc-nd-4.0", Verdict::NonCommercial),
        ("cc-by-nd-4.0", Verdict::PermittedWithConditions),
        ("cc-by-nc-sa-3.0", Verdict::NonCommercial),
        ("cc-by-nc-nd-3.0", Verdict::NonCommercial),
        ("cc-by-nc-3.0", Verdict::NonCommercial),
    ] {
        let text = kb_text(&format!("{id}.txt"));
        let m = model("license: other\n", &[("LICENSE", &text)]);
        let (r, _) = decide(m.path(), None);
        let d = file_detection(&r);
        assert_eq!(d.id, id);
        assert_eq!(d.verdict, verdict, "{id}");
        assert_eq!(r.verdict, verdict, "{id}");
    }
}

#[test]
fn a_license_cut_short_says_its_verdict_is_at_best_unknown_not_that_it_is_unknown() {
    // #35: over the read limit, a text whose beginning restricts use was
    // said to be "unknown" while the verdict printed was research-only.
    let text = format!(
        "The Model may be used for research purposes only.\n{}",
        "More terms follow here.\n".repeat(100_000)
    );
    let dir = model("license: other\n", &[("LICENSE", &text)]);
    let out = mri(&["license", dir.path().to_str().unwrap(), "-f", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["license"]["verdict"], "research-only");
    let unread = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "license/unread")
        .expect("the cut is a finding");
    let msg = unread["message"].as_str().unwrap();
    assert!(msg.contains("can be no better than unknown"), "{msg}");
    assert!(!msg.contains("so the verdict is unknown"), "{msg}");
}

#[test]
fn a_chinese_clause_is_quoted_in_chinese_with_an_english_summary() {
    // The shape of the bilibili Index-1.9B and Orion-14B model licenses.
    let text = "模型许可协议\n\n您可以出于非商业用途使用此许可。\n如果您计划将本模型及模型衍生品用作商业用途，应当按照本协议附则提供的联络方式，事先向许可方登记并获得许可方的书面授权。\n";
    let dir = model("license: other\n", &[("LICENSE", text)]);
    let (r, _) = decide(dir.path(), None);
    assert_eq!(r.verdict, Verdict::RequiresApproval, "{:?}", r.reasons);
    let d = r
        .detected
        .iter()
        .find(|d| d.file.as_deref() == Some("LICENSE"))
        .expect("the file's detection");
    assert_eq!(d.source, "clauses");
    let reg = r
        .obligations
        .iter()
        .find(|o| o.kind == ObligationKind::Registration)
        .expect("the registration clause");
    assert_eq!(reg.line_start, Some(4));
    assert!(reg.quote.contains("书面授权"), "{}", reg.quote);
    assert!(
        reg.summary.starts_with("Commercial use needs"),
        "{}",
        reg.summary
    );
}

#[test]
fn a_pointer_names_its_license_in_many_spellings() {
    // short pointer files as model repositories write them (paraphrases of
    // the unseen texts' pointers, written for this test)
    for (text, verdict) in [
        (
            "The model weights are released under the Apache-2.0 license.",
            Verdict::Permitted,
        ),
        ("This checkpoint is distributed under CC-BY-4.0.", Verdict::Permitted),
        (
            "The weights in this repository are licensed under CC BY 4.0.",
            Verdict::Permitted,
        ),
        (
            "This model is licensed under the MIT license. If you use it in your research, please cite our paper.",
            Verdict::Permitted,
        ),
        (
            "The weights are distributed under the same MIT terms as the code in this repository.",
            Verdict::Permitted,
        ),
        (
            "The weights are licensed under CC BY-NC 4.0.",
            Verdict::NonCommercial,
        ),
        // a citation duty is a term of the text's own
        (
            "This model is licensed under the MIT license. You must cite our paper in any publication that uses it.",
            Verdict::PermittedWithConditions,
        ),
    ] {
        let dir = model("license: other\n", &[("LICENSE", text)]);
        let (r, _) = decide(dir.path(), None);
        assert_eq!(r.verdict, verdict, "{text}");
    }
}

#[test]
fn a_long_notice_that_puts_the_weights_under_a_permissive_license_grants_commercial_use() {
    // the shape of braindiff-model-weights-mit-notice.txt (tests/license-eval)
    let text = "# Model weights\n\nThe checkpoint contains only weights trained by this project. They are released under the same MIT terms as the code.\n\n## Upstream\n\nThe frozen backbone is fetched from another repository; your use of those weights is governed by their licences, not by this one.\n\n## Intended use\n\nA research artifact accompanying an academic paper. Not validated for clinical use, and not to be used to inform patient care.\n";
    let dir = model("license: other\n", &[("LICENSE", text)]);
    let (r, _) = decide(dir.path(), None);
    assert_eq!(r.verdict, Verdict::PermittedWithConditions);
    assert!(kinds(&r).contains(&ObligationKind::FieldOfUseBan));
    // a code-only sentence names the code's license, not the weights'
    let text = "No permission is granted to use or redistribute the model weights without prior written permission from the copyright holder.\n\nThe remaining application and documentation code is licensed under the repository's Apache License 2.0.\n";
    let dir = model("license: other\n", &[("LICENSE", text)]);
    let (r, _) = decide(dir.path(), None);
    assert!(!r.verdict.allows_commercial_use(), "{:?}", r.verdict);
}

/// A known license that requires approval for commercial use cites its free
/// research grant beside the approval path (ChatGLM3 model license: 本许可允许
/// 您免费使用本仓库中的所有开源模型进行学术研究, "This license permits you to use
/// all open-source models in this repository for academic research free"),
/// without the verdict narrowing to research-only.
#[test]
fn a_known_licenses_free_research_grant_is_cited_beside_its_approval() {
    let text = corpus_text("chatglm3-model-license-2024.txt");
    let m = model("license: other\n", &[("LICENSE", &text)]);
    let (r, _) = decide(m.path(), None);
    assert_eq!(r.verdict, Verdict::RequiresApproval, "{:?}", r.reasons);
    let research: Vec<&Obligation> = r
        .obligations
        .iter()
        .filter(|o| o.kind == ObligationKind::ResearchOnly)
        .collect();
    assert!(!research.is_empty(), "{:?}", r.obligations);
    let lines: Vec<u32> = research
        .iter()
        .flat_map(|o| {
            std::iter::once(o.line_start.unwrap_or(0))
                .chain(o.also_cited.iter().map(|a| a.line_start))
        })
        .collect();
    let line_of = |needle: &str| {
        text.lines()
            .position(|l| l.contains(needle))
            .map(|i| i as u32 + 1)
            .unwrap()
    };
    assert!(lines.contains(&line_of("进行学术研究")), "{lines:?}");
    assert!(
        lines.contains(&line_of("for academic research free")),
        "{lines:?}"
    );
}

/// The non-commercial scope of a known license that requires approval for
/// commercial use is cited beside its approval path (Stability AI Community
/// License: "… for any Research or Non-Commercial Purpose"), and so is a
/// research grant in other words (MiniCPM: "The aforementioned weights are
/// completely open for all academic research").
#[test]
fn the_free_scope_of_known_approval_licenses_is_cited() {
    for (file, kind, needle) in [
        (
            "stability-ai-community-license.txt",
            ObligationKind::NonCommercial,
            "Research or Non-Commercial Purpose",
        ),
        (
            "minicpm-model-license.txt",
            ObligationKind::ResearchOnly,
            "open for all academic research",
        ),
    ] {
        let text = corpus_text(file);
        let m = model("license: other\n", &[("LICENSE", &text)]);
        let (r, _) = decide(m.path(), None);
        assert_eq!(
            r.verdict,
            Verdict::RequiresApproval,
            "{file}: {:?}",
            r.reasons
        );
        let line = text
            .lines()
            .position(|l| l.contains(needle))
            .map(|i| i as u32 + 1)
            .unwrap();
        assert!(
            r.obligations.iter().any(|o| o.kind == kind
                && ((o.line_start.unwrap_or(0)..=o.line_end.unwrap_or(0)).contains(&line)
                    || o.also_cited
                        .iter()
                        .any(|a| (a.line_start..=a.line_end).contains(&line)))),
            "{file}: {:?}",
            r.obligations
        );
    }
}

/// An MIT copy whose grant names academic institutions as its only
/// licensees (the shape of iiitd-metabokiller-academic-institution-only-license.txt,
/// tests/license-eval: "Permission is hereby granted to any academic
/// institution free of charge …") grants a company nothing: `prohibited`,
/// not research-only.
#[test]
fn a_known_text_changed_to_grant_academic_institutions_only_is_prohibited() {
    let mit = spdx_text("MIT");
    let changed = mit.replacen(
        "Permission is hereby granted, free of charge, to any person obtaining",
        "Permission is hereby granted to any non-profit research organization free of charge, for academic use only, to any such organization obtaining",
        1,
    );
    assert_ne!(mit, changed, "the MIT text's grant was not found");
    let dir = model("license: other\n", &[("LICENSE", &changed)]);
    let (r, _) = decide(dir.path(), None);
    assert_eq!(r.verdict, Verdict::Prohibited);
    // the MIT text itself stays permitted
    let dir = model("license: other\n", &[("LICENSE", &mit)]);
    let (r, _) = decide(dir.path(), None);
    assert_eq!(r.verdict, Verdict::Permitted);
}
