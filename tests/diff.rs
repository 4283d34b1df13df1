//! `mri diff A B`: two dated Gemma terms (the changed clause named, the
//! verdict and obligations before and after), config and tensors of two
//! models, two revisions of a cached repo, two GGUF files, the formats and
//! the exit codes.

mod support;

use serde_json::Value;
use std::fs;
use std::path::Path;
use support::gguf_models::{tiny_gguf, GgufArch};
use support::{copy_dir, edit_json, fixtures, mri, mri_env};

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn diff_json(a: &Path, b: &Path) -> (Option<i32>, Value) {
    let out = mri(&["diff", s(a), s(b), "--format", "json"]);
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code(), v)
}

/// tiny-llama under the license text `text` (a Gemma card).
fn gemma_model(dir: &Path, text: &str) {
    copy_dir(&fixtures().join("tiny-llama"), dir);
    let card = fs::read_to_string(dir.join("README.md")).unwrap();
    fs::write(
        dir.join("README.md"),
        card.replace("license: llama3.1", "license: gemma"),
    )
    .unwrap();
    fs::write(dir.join("LICENSE"), text).unwrap();
}

#[test]
fn two_dated_gemma_terms_name_the_changed_clause_and_the_obligations() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    gemma_model(&a, include_str!("../licenses/texts/gemma-2024-02-21.txt"));
    gemma_model(&b, include_str!("../licenses/texts/gemma.txt"));
    let (code, d) = diff_json(&a, &b);
    assert_eq!(code, Some(1));
    assert_eq!(d["identical"], false);
    let l = &d["license"];
    assert_eq!(l["verdict_a"], "permitted-with-conditions");
    assert_eq!(l["verdict_b"], "permitted-with-conditions");
    assert_eq!(
        l["licenses_removed"],
        serde_json::json!(["gemma-2024-02-21 from file LICENSE"])
    );
    assert_eq!(
        l["licenses_added"],
        serde_json::json!(["gemma from file LICENSE"])
    );
    assert!(!l["obligations_removed"].as_array().unwrap().is_empty());
    let text = &l["texts"][0];
    assert_eq!(text["path"], "LICENSE");
    let clauses: Vec<&str> = text["clauses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(clauses.contains(&"4.1 Updates"), "{clauses:?}");
    let diff = text["diff"].as_str().unwrap();
    assert!(diff.contains("-Google may update Gemma from time to time, and you must make reasonable efforts to use the latest version of Gemma."), "{diff}");
    assert!(
        diff.contains("+Google may update Gemma from time to time.\n"),
        "{diff}"
    );
    assert!(diff.contains("+Last modified: April 1, 2024"), "{diff}");
    // only the license file changed
    let files: Vec<&str> = d["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["LICENSE"]);
    // the text form names the clause and the verdict; Markdown fences the diff
    let out = mri(&["diff", s(&a), s(&b)]);
    let t = String::from_utf8_lossy(&out.stdout);
    assert!(
        t.contains("verdict permitted-with-conditions (unchanged)"),
        "{t}"
    );
    assert!(
        t.contains("LICENSE changed: ") && t.contains("4.1 Updates"),
        "{t}"
    );
    assert!(t.trim_end().ends_with("they differ"));
    let out = mri(&["diff", s(&a), s(&b), "--format", "markdown"]);
    let md = String::from_utf8_lossy(&out.stdout);
    assert!(
        md.starts_with("# mri diff") && md.contains("```diff\n--- A/LICENSE"),
        "{md}"
    );
}

#[test]
fn the_same_model_twice_is_identical() {
    let a = fixtures().join("tiny-llama");
    let (code, d) = diff_json(&a, &a);
    assert_eq!(code, Some(0), "{d}");
    assert_eq!(d["identical"], true);
    let out = mri(&["diff", s(&a), s(&a)]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("identical in what matters"));
}

#[test]
fn config_tokenizer_template_files_and_tensors_are_compared() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    copy_dir(&fixtures().join("tiny-llama"), &a);
    copy_dir(&fixtures().join("tiny-qwen3"), &b);
    edit_json(&b.join("tokenizer_config.json"), |v| {
        v["chat_template"] = "{% for m in messages %}{{ m.content }}{% endfor %}".into()
    });
    let (code, d) = diff_json(&a, &b);
    assert_eq!(code, Some(1));
    let keys = |section: &str| -> Vec<String> {
        d[section]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["key"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(keys("config").contains(&"model_type".to_string()));
    let model_type = d["config"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == "model_type")
        .unwrap();
    assert_eq!(
        (&model_type["a"], &model_type["b"]),
        (&"llama".into(), &"qwen3".into())
    );
    assert!(
        keys("tokenizer").contains(&"special_tokens.eos.token".to_string()),
        "{:?}",
        keys("tokenizer")
    );
    assert!(keys("card").contains(&"license".to_string()));
    assert!(d["chat_template"]["diff"]
        .as_str()
        .unwrap()
        .contains("+{% for m in messages %}"));
    let tensors = d["tensors"].as_array().unwrap();
    let status = |name: &str| {
        tensors
            .iter()
            .find(|t| t["name"] == name)
            .map(|t| t["status"].as_str().unwrap().to_string())
    };
    assert_eq!(status("lm_head.weight").as_deref(), Some("removed"));
    assert_eq!(
        status("model.layers.0.self_attn.q_norm.weight").as_deref(),
        Some("added")
    );
    assert_eq!(
        status("model.embed_tokens.weight").as_deref(),
        Some("reshaped")
    );
    assert_eq!(d["parameters"], serde_json::json!([43168, 35552]));
    assert_eq!(d["license"]["verdict_a"], "permitted-with-conditions");
    assert_eq!(d["license"]["verdict_b"], "permitted");
}

#[test]
fn two_revisions_of_a_cached_repo_are_compared_by_at() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("models--acme--tiny");
    for (commit, theta) in [
        ("1111111111111111111111111111111111111111", 10000.0),
        ("2222222222222222222222222222222222222222", 500000.0),
    ] {
        let snap = repo.join("snapshots").join(commit);
        copy_dir(&fixtures().join("tiny-llama"), &snap);
        edit_json(&snap.join("config.json"), |v| {
            v["rope_theta"] = theta.into()
        });
    }
    fs::create_dir_all(repo.join("refs")).unwrap();
    fs::write(
        repo.join("refs/main"),
        "2222222222222222222222222222222222222222",
    )
    .unwrap();
    let out = mri_env(
        &[
            "diff",
            "acme/tiny@1111111",
            "acme/tiny@main",
            "--format",
            "json",
        ],
        &[("HF_HUB_CACHE", tmp.path())],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(d["a"]["commit"], "1111111111111111111111111111111111111111");
    assert_eq!(d["b"]["commit"], "2222222222222222222222222222222222222222");
    let theta = d["config"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == "rope_theta")
        .unwrap();
    assert_eq!(
        (theta["a"].as_f64(), theta["b"].as_f64()),
        (Some(10000.0), Some(500000.0))
    );
    // a revision that is not there is an error, exit 2
    let out = mri_env(
        &["diff", "acme/tiny@3333333", "acme/tiny@main"],
        &[("HF_HUB_CACHE", tmp.path())],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn two_gguf_files_differ_in_metadata_and_tensors() {
    let tmp = tempfile::tempdir().unwrap();
    let mut m = tiny_gguf(GgufArch::Llama);
    let (a, b) = (tmp.path().join("a.gguf"), tmp.path().join("b.gguf"));
    m.write(&a).unwrap();
    m.set(
        "general.name",
        candle_core::quantized::gguf_file::Value::String("renamed".into()),
    );
    let dropped = m.tensors.last().unwrap().0.clone();
    m.remove_tensor(&dropped);
    m.write(&b).unwrap();
    let (code, d) = diff_json(&a, &b);
    assert_eq!(code, Some(1), "{d}");
    let name = d["config"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["key"] == "gguf: general.name")
        .expect("general.name");
    assert_eq!(name["b"], "renamed");
    let tensors = d["tensors"].as_array().unwrap();
    assert!(
        tensors
            .iter()
            .any(|t| t["name"] == dropped.as_str() && t["status"] == "removed"),
        "{tensors:?}"
    );
    let (code, _) = diff_json(&a, &a);
    assert_eq!(code, Some(0));
}
