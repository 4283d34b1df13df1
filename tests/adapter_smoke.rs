//! `mri smoke ADAPTER --base BASE`: the adapter merged into the base as it
//! loads, the forward pass run with and without it.

mod support;

use serde_json::{json, Value};
use std::fs;
use support::fixture_gen::{random_bf16, write_safetensors, Rng};
use support::{fixtures, mri};

fn lora(dir: &std::path::Path) {
    fs::create_dir_all(dir).unwrap();
    fs::write(
        dir.join("adapter_config.json"),
        json!({"peft_type": "LORA", "r": 4, "lora_alpha": 8, "target_modules": ["q_proj", "v_proj"], "base_model_name_or_path": "acme/absent"}).to_string(),
    )
    .unwrap();
    let mut rng = Rng::new(11);
    let mut t = Vec::new();
    for layer in 0..2 {
        for (m, out) in [("q_proj", 32u64), ("v_proj", 16)] {
            let p = format!("base_model.model.model.layers.{layer}.self_attn.{m}");
            t.push(random_bf16(
                &mut rng,
                &format!("{p}.lora_A.weight"),
                &[4, 32],
                0.5,
            ));
            t.push(random_bf16(
                &mut rng,
                &format!("{p}.lora_B.weight"),
                &[out, 4],
                0.5,
            ));
        }
    }
    write_safetensors(&dir.join("adapter_model.safetensors"), &t).unwrap();
}

#[test]
fn the_adapter_changes_the_output_and_both_runs_are_finite() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("lora");
    lora(&dir);
    let base = fixtures().join("tiny-llama");
    let out = mri(&[
        "smoke",
        dir.to_str().unwrap(),
        "--base",
        base.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let merged = &r["smoke"];
    let alone = &merged["without_adapter"];
    assert_eq!(merged["finite"], true);
    assert_eq!(alone["finite"], true);
    assert_eq!(
        r["adapter"]["pairs"].as_array().unwrap().len(),
        4,
        "the Report is the adapter's"
    );
    let probs = |s: &Value| -> Vec<(u64, f64)> {
        s["top_next"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| (t["id"].as_u64().unwrap(), t["prob"].as_f64().unwrap()))
            .collect()
    };
    assert_ne!(
        probs(merged),
        probs(alone),
        "merging the adapter must change the logits"
    );
    // the base alone gives what smoke gives on the base directly
    let out = mri(&["smoke", base.to_str().unwrap(), "--format", "json"]);
    let direct: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(probs(&direct["smoke"]), probs(alone));

    let out = mri(&[
        "smoke",
        dir.to_str().unwrap(),
        "--base",
        base.to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("without the adapter")
            && text.contains("changes the next-token distribution"),
        "{text}"
    );
}

#[test]
fn an_adapter_without_a_base_at_hand_says_how_to_give_one() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("lora");
    lora(&dir);
    let out = mri(&["smoke", dir.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--base"));
}

#[test]
fn a_dora_adapter_is_refused_rather_than_merged_wrongly() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("lora");
    lora(&dir);
    let mut config: Value =
        serde_json::from_str(&fs::read_to_string(dir.join("adapter_config.json")).unwrap())
            .unwrap();
    config["use_dora"] = json!(true);
    fs::write(dir.join("adapter_config.json"), config.to_string()).unwrap();
    let out = mri(&[
        "smoke",
        dir.to_str().unwrap(),
        "--base",
        fixtures().join("tiny-llama").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("DoRA"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
