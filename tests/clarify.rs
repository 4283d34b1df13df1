//! Policy clarifications (`[[licenses.clarify]]`) are decided inside the
//! license decision: a clarification replaces the reading of the one file it
//! names and nothing else. Every cap the decision applies from another source
//! stays in force, `mri license --policy` shows the decision `mri check`
//! judges, and a clarification that no longer holds is a warning in every
//! output format.

mod support;

use serde_json::Value;
use std::fs;
use std::path::Path;
use std::process::Output;
use support::mri;

/// A text that names no license and decides nothing: `unknown` on its own.
const UNRECOGNISED: &str = "Terms of the Mystery Model\n\nThis model is provided by Someorg. The terms that govern it are set out on our website from time to time.\n";

const COMMERCIAL: &str =
    "[licenses]\nallow-verdicts = [\"permitted\", \"permitted-with-conditions\"]\n";

/// A model folder: `card` front matter, a minimal config and `files`.
fn model(card: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("m");
    fs::create_dir(&dir).unwrap();
    fs::write(
        dir.join("README.md"),
        format!("---\n{card}---\n# A model\n"),
    )
    .unwrap();
    fs::write(dir.join("config.json"), "{\"model_type\": \"llama\"}").unwrap();
    for (name, text) in files {
        fs::write(dir.join(name), text).unwrap();
    }
    tmp
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A policy beside the model that clarifies `file` (with the sha256 it has
/// now, or `sha` when given) as `license`; returns its path.
fn clarify_policy(tmp: &Path, file: &str, license: &str, sha: Option<&str>) -> String {
    let sha = sha.map_or_else(
        || sha256_hex(&fs::read(tmp.join("m").join(file)).unwrap()),
        str::to_string,
    );
    let p = tmp.join("mri.toml");
    fs::write(
        &p,
        format!("{COMMERCIAL}\n[[licenses.clarify]]\nfile = \"{file}\"\nsha256 = \"{sha}\"\nlicense = \"{license}\"\n"),
    )
    .unwrap();
    p.to_str().unwrap().to_string()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// `mri license DIR [--policy P] -f json`: the license section.
fn license(dir: &Path, policy: Option<&str>) -> Value {
    let d = dir.to_str().unwrap();
    let mut args = vec!["license", d, "-f", "json"];
    if let Some(p) = policy {
        args.extend(["--policy", p]);
    }
    let out = mri(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    json(&out)["license"].clone()
}

/// `mri check DIR --policy P -f json`: (exit code, the model's outcome).
fn check(dir: &Path, policy: &str) -> (Option<i32>, Value) {
    let out = mri(&[
        "check",
        dir.to_str().unwrap(),
        "--policy",
        policy,
        "-f",
        "json",
    ]);
    let v = json(&out);
    (out.status.code(), v["models"][0].clone())
}

fn verdict(license: &Value) -> &str {
    license["verdict"].as_str().unwrap()
}

fn reasons(license: &Value) -> String {
    license["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Clarifies LICENSE as Apache-2.0 and returns (verdict without the policy,
/// `mri license --policy`'s license section, `mri check`'s exit code and
/// verdict): the two faces must agree.
fn clarified(card: &str, files: &[(&str, &str)]) -> (String, Value, Option<i32>, String) {
    let tmp = model(card, files);
    let dir = tmp.path().join("m");
    let before = verdict(&license(&dir, None)).to_string();
    let p = clarify_policy(tmp.path(), "LICENSE", "apache-2.0", None);
    let after = license(&dir, Some(&p));
    let (code, outcome) = check(&dir, &p);
    let gate = outcome["verdict"].as_str().unwrap().to_string();
    assert_eq!(
        gate,
        verdict(&after),
        "mri check and mri license --policy must agree"
    );
    assert_eq!(
        outcome["report"]["license"]["verdict"].as_str(),
        Some(gate.as_str()),
        "the gate's verdict is the Report's"
    );
    (before, after, code, gate)
}

#[test]
fn the_issue_case_an_unknown_base_stays_in_force_after_the_license_is_clarified() {
    let (before, after, code, gate) = clarified(
        "license: other\nbase_model: someorg/mystery-7b\n",
        &[("LICENSE", UNRECOGNISED)],
    );
    assert_eq!(before, "requires-approval");
    assert_eq!(gate, "requires-approval", "{after:#}");
    assert_eq!(
        code,
        Some(1),
        "the gate must not pass what mri license does not clear"
    );
    let how = reasons(&after);
    assert!(
        how.contains("policy clarify (line 4): LICENSE is Apache-2.0"),
        "{how}"
    );
    assert!(
        how.contains("replaces its reading: unrecognised (unknown)"),
        "{how}"
    );
    assert!(
        how.contains("someorg/mystery-7b: its license is not known offline"),
        "{how}"
    );
    let file = after["detected"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["file"] == "LICENSE")
        .unwrap();
    assert_eq!(file["id"], "Apache-2.0");
    assert_eq!(file["clarified_by"], 4);
    assert_eq!(after["clarifications"][0]["status"], "applied");
}

#[test]
fn a_non_commercial_base_stays_in_force() {
    let (_, after, code, gate) = clarified(
        "license: other\nbase_model: CohereForAI/c4ai-command-r-v01\n",
        &[("LICENSE", UNRECOGNISED)],
    );
    assert_eq!(gate, "non-commercial", "{after:#}");
    assert_eq!(code, Some(1));
}

#[test]
fn another_license_file_cut_short_stays_unknown() {
    // MODEL_LICENSE is longer than mri reads (2 MiB): what follows is unread.
    let long = "You may use this model.\n".repeat(100_000);
    let (_, after, code, gate) = clarified(
        "license: other\n",
        &[("LICENSE", UNRECOGNISED), ("MODEL_LICENSE", &long)],
    );
    assert_eq!(gate, "unknown", "{after:#}");
    assert_eq!(code, Some(1));
    assert!(reasons(&after).contains("MODEL_LICENSE: only its beginning was read"));
}

#[test]
fn an_unknown_card_id_stays_unknown() {
    let (_, after, code, gate) =
        clarified("license: frobnicate-9.0\n", &[("LICENSE", UNRECOGNISED)]);
    assert_eq!(gate, "unknown", "{after:#}");
    assert_eq!(code, Some(1));
}

#[test]
fn a_card_that_disagrees_keeps_its_stricter_verdict_and_the_conflict() {
    let tmp = model("license: cc-by-nc-4.0\n", &[("LICENSE", UNRECOGNISED)]);
    let dir = tmp.path().join("m");
    let p = clarify_policy(tmp.path(), "LICENSE", "apache-2.0", None);
    let out = mri(&[
        "license",
        dir.to_str().unwrap(),
        "--policy",
        &p,
        "-f",
        "json",
    ]);
    let report = json(&out);
    assert_eq!(report["license"]["verdict"], "non-commercial");
    let conflict = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["code"] == "license/conflict");
    assert!(conflict, "the clarified file and the card still disagree");
    let (code, _) = check(&dir, &p);
    assert_eq!(code, Some(1));
}

#[test]
fn an_inherited_obligation_stays_with_its_base() {
    let (_, after, code, gate) = clarified(
        "license: other\nbase_model: meta-llama/Llama-3.1-8B\n",
        &[("LICENSE", UNRECOGNISED)],
    );
    assert_eq!(gate, "permitted-with-conditions", "{after:#}");
    assert_eq!(code, Some(0));
    let inherited: Vec<&Value> = after["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["inherited_from"] == "meta-llama/Llama-3.1-8B")
        .collect();
    assert!(
        inherited.iter().any(|o| o["kind"] == "user-threshold"),
        "the base's 700M MAU threshold is still owed: {after:#}"
    );
}

#[test]
fn a_clarified_file_that_is_the_only_source_decides() {
    let (before, after, code, gate) = clarified("license: other\n", &[("LICENSE", UNRECOGNISED)]);
    assert_eq!(before, "unknown");
    assert_eq!(gate, "permitted", "{after:#}");
    assert_eq!(code, Some(0));
}

#[test]
fn a_long_clarified_file_is_pinned_whole_by_its_hash() {
    // The sha256 covers every byte of the file, read or not: the pinned file
    // itself is not capped for being long, another one would be.
    let long = format!(
        "{UNRECOGNISED}{}",
        "More words of the terms.\n".repeat(100_000)
    );
    let (_, after, _, gate) = clarified("license: other\n", &[("LICENSE", &long)]);
    assert_eq!(gate, "permitted", "{after:#}");
}

#[test]
fn a_clarification_of_a_file_not_named_like_a_license_adds_a_source() {
    let tmp = model(
        "license: other\nbase_model: someorg/mystery-7b\n",
        &[("TERMS.txt", UNRECOGNISED)],
    );
    let dir = tmp.path().join("m");
    let p = clarify_policy(tmp.path(), "TERMS.txt", "mit", None);
    let after = license(&dir, Some(&p));
    assert_eq!(verdict(&after), "requires-approval", "{after:#}");
    assert!(after["detected"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["file"] == "TERMS.txt" && d["id"] == "MIT"));
}

#[test]
fn a_stale_clarification_is_a_warning_in_every_format() {
    let tmp = model("license: other\n", &[("LICENSE", UNRECOGNISED)]);
    let dir = tmp.path().join("m");
    let p = clarify_policy(tmp.path(), "LICENSE", "mit", Some(&"ab".repeat(32)));
    let d = dir.to_str().unwrap();
    let wanted = "ignored: the file changed";

    let lic = license(&dir, Some(&p));
    assert_eq!(verdict(&lic), "unknown", "a stale pin is not applied");
    assert_eq!(lic["clarifications"][0]["status"], "changed");
    let out = mri(&["license", d, "--policy", &p]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(wanted), "{text}");
    assert!(String::from_utf8_lossy(&out.stderr).contains(wanted));
    let out = mri(&["license", d, "--policy", &p, "-f", "markdown"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains(wanted));

    for format in ["text", "json", "junit", "sarif"] {
        let out = mri(&["check", d, "--policy", &p, "-f", format]);
        let s = String::from_utf8_lossy(&out.stdout);
        assert_eq!(out.status.code(), Some(1), "{format}: {s}");
        assert!(s.contains(wanted), "{format} must carry the warning: {s}");
    }
    let out = mri(&["check", d, "--policy", &p, "-f", "sarif"]);
    let sarif = json(&out);
    let notes = &sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"];
    assert_eq!(notes[0]["level"], "warning", "{sarif:#}");
}

#[test]
fn a_clarification_for_another_model_does_not_apply() {
    let tmp = model("license: other\n", &[("LICENSE", UNRECOGNISED)]);
    let dir = tmp.path().join("m");
    let sha = sha256_hex(&fs::read(dir.join("LICENSE")).unwrap());
    let p = tmp.path().join("mri.toml");
    fs::write(
        &p,
        format!("{COMMERCIAL}\n[[licenses.clarify]]\nmodel = \"other-org/other\"\nfile = \"LICENSE\"\nsha256 = \"{sha}\"\nlicense = \"mit\"\n"),
    )
    .unwrap();
    let after = license(&dir, Some(p.to_str().unwrap()));
    assert_eq!(verdict(&after), "unknown");
    assert!(after.get("clarifications").is_none(), "{after:#}");
    // …and a path resolved from the policy's folder does name it
    fs::write(
        &p,
        format!("{COMMERCIAL}\n[[licenses.clarify]]\nmodel = \"m\"\nfile = \"LICENSE\"\nsha256 = \"{sha}\"\nlicense = \"mit\"\n"),
    )
    .unwrap();
    let after = license(&dir, Some(p.to_str().unwrap()));
    assert_eq!(verdict(&after), "permitted", "{after:#}");
}

#[test]
fn a_broken_policy_given_to_license_exits_2() {
    let tmp = model("license: mit\n", &[]);
    let p = tmp.path().join("mri.toml");
    fs::write(&p, "[licenses]\nallow-verdicts = [\"sometimes\"]\n").unwrap();
    let out = mri(&[
        "license",
        tmp.path().join("m").to_str().unwrap(),
        "--policy",
        p.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("mri.toml"));
}

mod property {
    //! For any inputs, a clarification of LICENSE yields exactly the
    //! clarified license's verdict combined with every other source: never
    //! looser (nothing else is dropped), never stricter (the file's own text
    //! is no longer read).

    use mri::license::decide::{Clarification, ClarifyStatus};
    use mri::license::{decide, LicenseFile, LicenseInputs, LicenseReport};
    use mri::model::card::parse_card;
    use proptest::prelude::*;

    const CARDS: &[&str] = &[
        "",
        "license: apache-2.0\n",
        "license: mit\n",
        "license: cc-by-nc-4.0\n",
        "license: llama3.1\n",
        "license: other\n",
        "license: frobnicate-9.0\n",
    ];
    const BASES: &[&str] = &[
        "",
        "base_model: someorg/mystery-7b\n",
        "base_model: meta-llama/Llama-3.1-8B\n",
        "base_model: CohereForAI/c4ai-command-r-v01\n",
        "base_model: Qwen/Qwen3-4B\n",
    ];
    const TEXTS: &[&str] = &[
        super::UNRECOGNISED,
        "This model may be used for non-commercial research purposes only.\n",
        "Licensed under the Apache License, Version 2.0.\n",
        "Commercial use requires a separate license and the written authorization of Someorg.\n",
        "",
    ];
    const CLARIFIED: &[&str] = &["mit", "apache-2.0", "cc-by-nc-4.0", "llama3.1", "gemma"];
    const OTHERS: &[(&str, &str)] = &[
        ("NOTICE", "Copyright 2025 Someorg. Keep this notice.\n"),
        (
            "USE_POLICY.md",
            "You must not use the model for weapons development.\n",
        ),
        (
            "MODEL_LICENSE",
            "This model may be used for research purposes only.\n",
        ),
    ];

    fn config() -> ProptestConfig {
        ProptestConfig {
            cases: 96,
            rng_seed: proptest::test_runner::RngSeed::Fixed(0x0063_6c61_7269_6679),
            ..ProptestConfig::default()
        }
    }

    fn run(
        card: &str,
        files: &[LicenseFile],
        truncated: &[String],
        clarifications: &[Clarification],
    ) -> LicenseReport {
        let (card, _) = parse_card("README.md", &format!("---\n{card}---\n# m\n"));
        let repo_files: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
        decide(&LicenseInputs {
            card: Some(&card),
            files,
            repo_files: &repo_files,
            truncated,
            clarifications,
            ..LicenseInputs::default()
        })
        .0
    }

    /// The number of sources the decision says it took the strictest of.
    fn sources(r: &LicenseReport) -> usize {
        let last = r.reasons.last().map(String::as_str).unwrap_or("");
        last.split("the strictest of ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(usize::MAX)
    }

    proptest! {
        #![proptest_config(config())]

        #[test]
        fn a_clarification_replaces_one_file_and_nothing_else(
            card in 0..CARDS.len(),
            base in 0..BASES.len(),
            text in 0..TEXTS.len(),
            clarified in 0..CLARIFIED.len(),
            other in proptest::option::of(0..OTHERS.len()),
            other_truncated in any::<bool>(),
        ) {
            let card = format!("{}{}", CARDS[card], BASES[base]);
            let mut files = vec![LicenseFile { path: "LICENSE".into(), text: TEXTS[text].into() }];
            let mut truncated = Vec::new();
            if let Some(o) = other {
                files.push(LicenseFile { path: OTHERS[o].0.into(), text: OTHERS[o].1.into() });
                if other_truncated {
                    truncated.push(OTHERS[o].0.to_string());
                }
            }
            let pin = Clarification {
                file: "LICENSE".into(),
                license: CLARIFIED[clarified].into(),
                sha256: "0".repeat(64),
                policy_line: 7,
                status: ClarifyStatus::Applied,
            };
            let with = run(&card, &files, &truncated, std::slice::from_ref(&pin));
            let rest = run(&card, &files[1..], &truncated, &[]);
            let own = mri::license::resolve_license(CLARIFIED[clarified]).unwrap().1;
            let expected = if sources(&rest) == 0 { own } else { own.stricter(rest.verdict) };
            prop_assert_eq!(with.verdict, expected, "{:#?}", with.reasons);
            // a stale pin changes nothing
            let stale = Clarification { status: ClarifyStatus::Changed { found: "1".repeat(64) }, ..pin };
            let ignored = run(&card, &files, &truncated, &[stale]);
            let without = run(&card, &files, &truncated, &[]);
            prop_assert_eq!(ignored.verdict, without.verdict);
            // and the pin never makes the verdict looser than its own license
            prop_assert!(with.verdict.rank() <= own.rank());
        }
    }
}

#[test]
fn an_allow_list_never_waives_a_cap_that_no_license_of_its_own_decided() {
    // Every license found is allowed, but the unknown base model (which has
    // no detection of its own) is what decides: the gate must still fail.
    let tmp = model(
        "license: other\nbase_model: someorg/mystery-7b\n",
        &[("LICENSE", UNRECOGNISED)],
    );
    let dir = tmp.path().join("m");
    let sha = sha256_hex(&fs::read(dir.join("LICENSE")).unwrap());
    let p = tmp.path().join("mri.toml");
    fs::write(
        &p,
        format!("[licenses]\nallow-verdicts = []\nallow = [\"apache-2.0\"]\n\n[[licenses.clarify]]\nfile = \"LICENSE\"\nsha256 = \"{sha}\"\nlicense = \"apache-2.0\"\n"),
    )
    .unwrap();
    let (code, outcome) = check(&dir, p.to_str().unwrap());
    assert_eq!(code, Some(1), "{outcome:#}");
    assert_eq!(outcome["verdict"], "requires-approval");
    // without the base, the allowed license alone decides and passes
    fs::write(dir.join("README.md"), "---\nlicense: other\n---\n").unwrap();
    let (code, outcome) = check(&dir, p.to_str().unwrap());
    assert_eq!(code, Some(0), "{outcome:#}");
}

#[test]
fn a_verdict_read_from_clauses_passes_only_when_the_policy_accepts_derived_verdicts() {
    let grant = "Terms of the Example Model\n\nYou may use, copy, modify and distribute the Model for commercial and non-commercial purposes, provided that you keep this notice with every copy.\n";
    let tmp = model("license: other\n", &[("LICENSE", grant)]);
    let dir = tmp.path().join("m");
    let lic = license(&dir, None);
    assert_eq!(verdict(&lic), "permitted-with-conditions", "{lic:#}");
    let file = &lic["detected"][0];
    assert_eq!(file["source"], "clauses");
    assert!(file["name"]
        .as_str()
        .unwrap()
        .contains("read from its clauses"));
    assert!(
        reasons(&lic).contains("(the grant at line 3"),
        "{}",
        reasons(&lic)
    );

    let p = tmp.path().join("mri.toml");
    fs::write(&p, COMMERCIAL).unwrap();
    let (code, outcome) = check(&dir, p.to_str().unwrap());
    assert_eq!(code, Some(1), "{outcome:#}");
    let msg = outcome["results"][0]["message"].as_str().unwrap();
    assert!(msg.contains("read from the clauses of LICENSE"), "{msg}");
    fs::write(&p, format!("{COMMERCIAL}accept-derived = true\n")).unwrap();
    let (code, outcome) = check(&dir, p.to_str().unwrap());
    assert_eq!(code, Some(0), "{outcome:#}");
    // a pin of the reviewed text passes without accepting derived verdicts
    let p = clarify_policy(tmp.path(), "LICENSE", "mit", None);
    let (code, outcome) = check(&dir, &p);
    assert_eq!(code, Some(0), "{outcome:#}");
}
