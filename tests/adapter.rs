//! PEFT adapters: pairs, trainable parameters, the checks against the base,
//! and the license an adapter inherits.

mod support;

use serde_json::{json, Value};
use std::fs;
use std::path::Path;
use support::fixture_gen::{random_bf16, write_safetensors, Rng, TensorData};
use support::{findings, fixtures, inspect_json, mri_env};

/// A LoRA adapter for the tiny-llama fixture (hidden 32, q 32, kv 16).
/// `shapes` gives (module, A shape, B shape); `extra` adds stray tensors.
fn adapter(
    dir: &Path,
    config: Value,
    shapes: &[(&str, [u64; 2], [u64; 2])],
    extra: &[&str],
    card: Option<&str>,
) {
    fs::create_dir_all(dir).unwrap();
    fs::write(
        dir.join("adapter_config.json"),
        serde_json::to_string_pretty(&config).unwrap(),
    )
    .unwrap();
    let mut rng = Rng::new(7);
    let mut tensors: Vec<TensorData> = Vec::new();
    for (module, a, b) in shapes {
        tensors.push(random_bf16(
            &mut rng,
            &format!("base_model.model.{module}.lora_A.weight"),
            a,
            0.1,
        ));
        tensors.push(random_bf16(
            &mut rng,
            &format!("base_model.model.{module}.lora_B.weight"),
            b,
            0.1,
        ));
    }
    for name in extra {
        tensors.push(random_bf16(&mut rng, name, &[4], 0.1));
    }
    write_safetensors(&dir.join("adapter_model.safetensors"), &tensors).unwrap();
    if let Some(card) = card {
        fs::write(
            dir.join("README.md"),
            format!("---\n{card}---\n# adapter\n"),
        )
        .unwrap();
    }
}

fn config(targets: &[&str], base: Option<&str>) -> Value {
    let mut c = json!({"peft_type": "LORA", "task_type": "CAUSAL_LM", "r": 4, "lora_alpha": 8, "lora_dropout": 0.05, "target_modules": targets});
    if let Some(b) = base {
        c["base_model_name_or_path"] = json!(b);
    }
    c
}

const GOOD: &[(&str, [u64; 2], [u64; 2])] = &[
    ("model.layers.0.self_attn.q_proj", [4, 32], [32, 4]),
    ("model.layers.0.self_attn.v_proj", [4, 32], [16, 4]),
    ("model.layers.1.self_attn.q_proj", [4, 32], [32, 4]),
    ("model.layers.1.self_attn.v_proj", [4, 32], [16, 4]),
];

fn with_base(dir: &Path) -> Value {
    let out = mri_env(
        &[
            "inspect",
            dir.to_str().unwrap(),
            "--base",
            fixtures().join("tiny-llama").to_str().unwrap(),
            "--format",
            "json",
        ],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn a_matching_adapter_is_summarised_against_its_base() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ad");
    adapter(
        &dir,
        config(&["q_proj", "v_proj"], Some("acme/tiny-llama")),
        GOOD,
        &[],
        None,
    );
    let r = with_base(&dir);
    let a = &r["adapter"];
    assert_eq!(a["peft_type"], "LORA");
    assert_eq!(a["r"], 4);
    assert_eq!(a["scale"], 2.0);
    assert_eq!(a["pairs"].as_array().unwrap().len(), 4);
    assert_eq!(a["pairs_by_target"]["q_proj"], 2);
    assert_eq!(a["pairs"][0]["layer"], 0);
    let trainable = 2 * (4 * 32 + 32 * 4) + 2 * (4 * 32 + 16 * 4);
    assert_eq!(a["trainable_parameters"], trainable);
    let base_params = support::fixture_gen::tiny_parameters(&support::fixture_gen::TINY_LLAMA);
    assert_eq!(a["base_parameters"], base_params);
    let share = a["share_of_base"].as_f64().unwrap();
    assert!((share - trainable as f64 / base_params as f64).abs() < 1e-9);
    for code in [
        "adapter/target-missing",
        "adapter/shape-mismatch",
        "adapter/orphan-tensor",
        "adapter/base-unknown",
        "config/missing",
    ] {
        assert!(findings(&r, code).is_empty(), "{code}: {}", r["findings"]);
    }
}

#[test]
fn rank_and_base_shape_mismatches_are_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ad");
    let shapes = [
        ("model.layers.0.self_attn.q_proj", [3u64, 32], [32u64, 3]), // rank 3, config says 4
        ("model.layers.0.self_attn.v_proj", [4, 32], [32, 4]),       // B·A [32,32] vs base [16,32]
        ("model.layers.1.self_attn.q_proj", [4, 32], [32, 5]),       // A and B disagree
    ];
    adapter(
        &dir,
        config(&["q_proj", "v_proj"], Some("acme/tiny-llama")),
        &shapes,
        &[],
        None,
    );
    let r = with_base(&dir);
    let msgs: Vec<String> = findings(&r, "adapter/shape-mismatch")
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert!(
        msgs.iter().any(|m| m.contains("layers.0.self_attn.q_proj")
            && m.contains("rank 3")
            && m.contains("r = 4")),
        "{msgs:#?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.contains("layers.0.self_attn.v_proj") && m.contains("[16, 32]")),
        "{msgs:#?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.contains("layers.1.self_attn.q_proj") && m.contains("do not share a rank")),
        "{msgs:#?}"
    );
}

#[test]
fn missing_targets_and_orphans_are_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ad");
    let shapes = [
        ("model.layers.0.self_attn.q_proj", [4u64, 32], [32u64, 4]),
        ("model.layers.7.self_attn.q_proj", [4, 32], [32, 4]),
    ];
    adapter(
        &dir,
        config(&["q_proj", "gate_up_proj"], Some("acme/tiny-llama")),
        &shapes,
        &["base_model.model.model.layers.0.mlp.extra_scale"],
        None,
    );
    let r = with_base(&dir);
    let missing: Vec<String> = findings(&r, "adapter/target-missing")
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert!(
        missing.iter().any(|m| m.contains("gate_up_proj")),
        "{missing:#?}"
    );
    assert!(
        missing
            .iter()
            .any(|m| m.contains("layers.7.self_attn.q_proj")),
        "{missing:#?}"
    );
    let orphans = findings(&r, "adapter/orphan-tensor");
    assert!(
        orphans
            .iter()
            .any(|f| f["message"].as_str().unwrap().contains("extra_scale")),
        "{orphans:?}"
    );
}

#[test]
fn an_adapter_without_any_base_is_flagged() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ad");
    adapter(&dir, config(&["q_proj"], None), &GOOD[..1], &[], None);
    let r = inspect_json(&dir);
    assert_eq!(findings(&r, "adapter/base-unknown").len(), 1);
}

#[test]
fn a_permissive_adapter_on_a_llama_reupload_carries_llama_terms() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ad");
    adapter(
        &dir,
        config(&["q_proj"], Some("unsloth/Meta-Llama-3.1-8B-bnb-4bit")),
        &GOOD[..1],
        &[],
        Some("license: apache-2.0\n"),
    );
    let r = inspect_json(&dir);
    let l = &r["license"];
    assert_eq!(l["verdict"], "permitted-with-conditions");
    assert!(
        !findings(&r, "license/conflict").is_empty(),
        "{}",
        r["findings"]
    );
    assert!(!findings(&r, "license/inherited").is_empty());
    let inherited: Vec<&Value> = l["obligations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["inherited_from"].is_string())
        .collect();
    assert!(
        inherited
            .iter()
            .any(|o| o["kind"] == "user-threshold" && o["file"] == "adapter_config.json"),
        "{inherited:#?}"
    );
}

#[test]
fn the_base_is_found_in_the_cache_by_repo_id() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = tmp.path().join("hub");
    let repo = hub.join("models--acme--tiny-llama");
    let snap = repo.join("snapshots/0123456789abcdef0123456789abcdef01234567");
    support::copy_dir(&fixtures().join("tiny-llama"), &snap);
    fs::create_dir_all(repo.join("refs")).unwrap();
    fs::write(
        repo.join("refs/main"),
        "0123456789abcdef0123456789abcdef01234567",
    )
    .unwrap();
    let dir = tmp.path().join("ad");
    adapter(
        &dir,
        config(&["q_proj", "v_proj"], Some("acme/tiny-llama")),
        GOOD,
        &[],
        None,
    );
    let out = mri_env(
        &["inspect", dir.to_str().unwrap(), "--format", "json"],
        &[("HF_HUB_CACHE", &hub)],
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["adapter"]["base_checked"], "acme/tiny-llama");
    assert!(r["adapter"]["base_parameters"].is_u64());
    // the base's card license (llama3.1) is inherited
    assert_eq!(r["license"]["verdict"], "permitted-with-conditions");
    assert!(r["license"]["detected"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["source"] == "base" && d["id"] == "llama3.1"));
}
