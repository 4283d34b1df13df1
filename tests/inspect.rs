//! End-to-end tests of `mri inspect` on the bundled fixtures.

mod support;

use support::fixture_gen::{self, tiny_parameters, TINY_LLAMA, TINY_LLAMA_SHARDED, TINY_QWEN3};
use support::{copy_fixture, findings, fixtures, inspect_json, mri};

#[test]
fn fixtures_are_reproducible_from_the_generator() {
    let tmp = tempfile::tempdir().unwrap();
    fixture_gen::write_fixtures(tmp.path()).unwrap();
    let fresh = fixture_gen::read_tree(tmp.path()).unwrap();
    let committed = fixture_gen::read_tree(&fixtures()).unwrap();
    let mut names: Vec<&String> = fresh.keys().collect();
    names.sort();
    for name in names {
        assert!(
            committed.get(name) == fresh.get(name),
            "fixtures/{name} differs from the generator's output; run `cargo run --example gen_fixtures`"
        );
    }
    assert_eq!(
        fresh.len(),
        committed.len(),
        "fixtures/ holds files the generator does not write"
    );
}

#[test]
fn tiny_llama_report_has_the_expected_facts() {
    let r = inspect_json(&fixtures().join("tiny-llama"));
    assert_eq!(r["schema_version"], 1);
    assert_eq!(r["weights"]["parameters"], tiny_parameters(&TINY_LLAMA));
    assert_eq!(r["weights"]["tensor_count"], 2 * 9 + 3);
    assert_eq!(
        r["weights"]["by_dtype"]["BF16"],
        tiny_parameters(&TINY_LLAMA)
    );
    assert_eq!(r["weights"]["bytes"], tiny_parameters(&TINY_LLAMA) * 2);
    let c = &r["weights"]["by_component"];
    assert_eq!(c["embeddings"], 384 * 32);
    assert_eq!(c["head"], 384 * 32);
    assert_eq!(c["other"], 32);
    assert_eq!(r["weights"]["layers"].as_array().unwrap().len(), 2);
    let a = &r["architecture"];
    assert_eq!(a["model_type"], "llama");
    assert_eq!(a["num_layers"], 2);
    assert_eq!(a["num_key_value_heads"], 2);
    assert_eq!(a["head_dim"], 8);
    assert_eq!(a["tie_word_embeddings"], false);
    let t = &r["tokenizer"];
    assert_eq!(t["model"], "BPE");
    assert_eq!(t["vocab_size"], 256 + 64 + 3);
    assert_eq!(t["special_tokens"]["eos"]["id"], 322);
    assert_eq!(t["chat_template"], true);
    assert_eq!(r["card"]["license"][0], "llama3.1");
    assert_eq!(
        r["memory"]["kv_cache"]["bytes_per_token"],
        2 * 2 * 8 * 2 * 2
    );
    assert_eq!(
        r["memory"]["weights_bf16_bytes"],
        tiny_parameters(&TINY_LLAMA) * 2
    );
    let classes: Vec<(&str, &str)> = r["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["path"].as_str().unwrap(), f["class"].as_str().unwrap()))
        .collect();
    assert!(classes.contains(&("model.safetensors", "weights")));
    assert!(classes.contains(&("tokenizer.json", "tokenizer")));
    assert!(classes.contains(&("generation_config.json", "generation")));
    assert!(classes.contains(&("README.md", "meta")));
    assert_eq!(r["summary"]["errors"], 0, "{}", r["findings"]);
    assert_eq!(r["summary"]["warnings"], 0, "{}", r["findings"]);
}

#[test]
fn tied_qwen3_has_no_lm_head_and_no_finding() {
    let r = inspect_json(&fixtures().join("tiny-qwen3"));
    assert_eq!(r["weights"]["parameters"], tiny_parameters(&TINY_QWEN3));
    assert_eq!(r["weights"]["by_component"]["head"], 0);
    assert_eq!(r["architecture"]["tie_word_embeddings"], true);
    assert!(
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["severity"] == "info"),
        "{}",
        r["findings"]
    );
}

#[test]
fn sharded_fixture_is_counted_once_across_shards() {
    let r = inspect_json(&fixtures().join("tiny-llama-sharded"));
    assert_eq!(
        r["weights"]["parameters"],
        tiny_parameters(&TINY_LLAMA_SHARDED)
    );
    let shards = r["weights"]["shards"].as_array().unwrap();
    assert_eq!(shards.len(), 3);
    assert!(shards.iter().all(|s| s["counted"] == true));
    let per_shard: u64 = shards
        .iter()
        .map(|s| s["parameters"].as_u64().unwrap())
        .sum();
    assert_eq!(per_shard, tiny_parameters(&TINY_LLAMA_SHARDED));
    assert_eq!(r["weights"]["indexes"][0], "model.safetensors.index.json");
    assert_eq!(r["summary"]["errors"], 0, "{}", r["findings"]);
}

#[test]
fn the_caller_keeps_one_header_map_per_local_shard_outside_the_report() {
    let dir = fixtures().join("tiny-llama-sharded");
    let (report, maps) =
        mri::inspect_keeping_maps(dir.to_str().unwrap(), &mri::InspectOptions::default()).unwrap();
    assert_eq!(maps.len(), 3, "one map per shard");
    let json = mri::report::json::render(&report);
    assert!(
        !json.contains("header_maps"),
        "the maps are not part of the contract"
    );
    let copy = maps.clone();
    drop(maps);
    assert_eq!(copy.len(), 3, "a clone keeps the maps alive");
}

#[test]
fn text_output_is_aligned_and_ends_with_findings() {
    let out = mri(&["inspect", fixtures().join("tiny-llama").to_str().unwrap()]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        !text.contains("\x1b["),
        "NO_COLOR text must carry no escape codes"
    );
    let findings_at = text.find("Findings (").expect("findings section");
    for section in [
        "Architecture",
        "Weights (safetensors",
        "Memory",
        "Tokenizer",
        "Files (",
    ] {
        let at = text
            .find(section)
            .unwrap_or_else(|| panic!("no {section} section"));
        assert!(at < findings_at, "{section} must come before findings");
    }
    let n = tiny_parameters(&TINY_LLAMA);
    let expected = format!("({})", mri::util::human::grouped(n));
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("parameters"))
        .expect("parameters line");
    assert!(
        line.ends_with(&expected),
        "{line:?} should end with {expected}"
    );
}

#[test]
fn shorthand_and_markdown_work() {
    let path = fixtures().join("tiny-qwen3");
    let out = mri(&[path.to_str().unwrap()]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("Weights (safetensors"));
    let out = mri(&["inspect", path.to_str().unwrap(), "--format", "markdown"]);
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.starts_with("# tiny-qwen3"));
    assert!(md.contains("| Parameters |"));
    assert!(md.contains("## Findings"));
}

#[test]
fn unusable_targets_exit_2_with_a_message_naming_them() {
    let out = mri(&["inspect", "/definitely/not/here"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/definitely/not/here"));

    let file = fixtures().join("tiny-llama").join("config.json");
    let out = mri(&["inspect", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is a file"));

    let empty = tempfile::tempdir().unwrap();
    std::fs::write(empty.path().join("notes.txt"), "hello").unwrap();
    let out = mri(&["inspect", empty.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a model directory"));

    let out = mri(&["inspect", "--format", "yaml", "x"]);
    assert_eq!(out.status.code(), Some(2));
    let (_tmp, dir) = copy_fixture("tiny-llama");
    let out = mri(&["inspect", dir.to_str().unwrap(), "--revision", "main"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--revision"));
}

#[test]
fn inspect_writes_nothing_into_the_target() {
    let (_tmp, dir) = copy_fixture("tiny-llama-sharded");
    let before = snapshot(&dir);
    for format in ["text", "json", "markdown"] {
        let out = mri(&["inspect", dir.to_str().unwrap(), "--format", format]);
        assert!(out.status.success());
    }
    assert_eq!(
        before,
        snapshot(&dir),
        "files, sizes, mtimes and contents must be unchanged"
    );
}

fn snapshot(dir: &std::path::Path) -> Vec<(String, u64, std::time::SystemTime, Vec<u8>)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let m = e.metadata().unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                m.len(),
                m.modified().unwrap(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn help_teaches_targets_and_exit_codes() {
    let out = mri(&["inspect", "--help"]);
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(help.contains("Exit codes"));
    assert!(help.contains("HF_HUB_CACHE"));
    assert!(help.contains("--format"));
}

#[test]
fn sparse_405b_shaped_checkpoint_has_the_exact_parameter_count() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("llama-405b");
    fixture_gen::write_llama405b_sparse(&dir).unwrap();
    let r = inspect_json(&dir);
    assert_eq!(r["weights"]["parameters"], fixture_gen::L405_PARAMETERS);
    assert_eq!(r["weights"]["parameters"], 405_853_388_800u64);
    assert_eq!(r["weights"]["tensor_count"], 1137);
    assert_eq!(r["weights"]["shards"].as_array().unwrap().len(), 191);
    assert_eq!(r["weights"]["layers"].as_array().unwrap().len(), 126);
    assert_eq!(r["weights"]["bytes"], 405_853_388_800u64 * 2);
    assert_eq!(
        r["memory"]["kv_cache"]["bytes_per_token"],
        2 * 8 * 128 * 2 * 126
    );
    assert_eq!(r["architecture"]["rope_scaling"]["rope_type"], "llama3");
    assert!(
        findings(&r, "weights/index-mismatch").is_empty(),
        "{}",
        r["findings"]
    );
    assert_eq!(r["summary"]["errors"], 0, "{}", r["findings"]);
}

/// One safetensors file as the target (a single-file checkpoint, an
/// adapter, one shard): that file alone is the model, its header read and
/// validated as in a folder; the folder's other files are not read.
#[test]
fn a_safetensors_file_is_inspected_alone() {
    let (_t, dir) = copy_fixture("tiny-llama-sharded");
    let shard = dir.join("model-00002-of-00003.safetensors");
    let r = inspect_json(&shard);
    assert_eq!(r["target"]["kind"], "safetensors-file");
    let files = support::file_paths(&r);
    assert_eq!(files, ["model-00002-of-00003.safetensors"]);
    let whole = inspect_json(&dir);
    let shard_params = whole["weights"]["shards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["path"] == "model-00002-of-00003.safetensors")
        .map(|s| s["parameters"].clone())
        .unwrap();
    assert_eq!(r["weights"]["parameters"], shard_params);
    assert!(r["architecture"].is_null() && r["tokenizer"].is_null());
    let missing = findings(&r, "config/missing");
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0]["severity"], "info");
    assert!(
        findings(&r, "weights/shard-missing").is_empty(),
        "{}",
        r["findings"]
    );

    // A truncated file is reported as in a folder.
    let len = std::fs::metadata(&shard).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&shard)
        .unwrap()
        .set_len(len - 8)
        .unwrap();
    let r = inspect_json(&shard);
    assert_eq!(
        findings(&r, "weights/truncated")[0]["file"],
        "model-00002-of-00003.safetensors"
    );
}

/// A single-file checkpoint's `__metadata__` (what training tools write:
/// `modelspec.*`, `ss_*`) is in the JSON, long values cut, and shown in the
/// text report on one line each, control characters escaped.
#[test]
fn a_single_files_metadata_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("adapter.safetensors");
    let long = "t".repeat(1000);
    write_one_tensor(
        &file,
        serde_json::json!({"format": "pt", "modelspec.title": "Mine\n\u{1b}[2Jv2", "ss_tag_frequency": long}),
    );

    let r = inspect_json(&file);
    let meta = &r["weights"]["shards"][0]["metadata"];
    assert_eq!(meta["format"], "pt");
    let cut = meta["ss_tag_frequency"].as_str().unwrap();
    assert_eq!(cut.chars().count(), 201, "200 characters and the ellipsis");
    assert!(cut.ends_with('…'));

    let out = mri(&["inspect", file.to_str().unwrap()]);
    let text = String::from_utf8(out.stdout).unwrap();
    let line = text
        .lines()
        .find(|l| l.contains("modelspec.title"))
        .expect("the metadata row");
    assert!(line.contains("Mine \\u{1b}[2Jv2"), "{line}");
    assert!(!text.contains("format = pt"), "the usual key is left out");
}

/// A safetensors file of one F16 tensor with this `__metadata__`.
fn write_one_tensor(file: &std::path::Path, metadata: serde_json::Value) {
    let header = serde_json::json!({
        "__metadata__": metadata,
        "w": {"dtype": "F16", "shape": [2, 2], "data_offsets": [0, 8]}
    })
    .to_string();
    let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
    bytes.extend_from_slice(header.as_bytes());
    bytes.extend_from_slice(&[0u8; 8]);
    std::fs::write(file, bytes).unwrap();
}

/// A single-file checkpoint's `modelspec.license` is read like a card's
/// `license:` (an id, or a name resolved through the knowledge base); one
/// that disagrees with the card beside it is a conflict, and the stricter
/// applies; one that is unknown fails closed.
#[test]
fn a_license_in_the_header_metadata_is_a_declaration() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("model.safetensors");
    write_one_tensor(
        &file,
        serde_json::json!({"format": "pt", "modelspec.license": "CreativeML Open RAIL++-M"}),
    );
    let r = inspect_json(&file);
    let l = &r["license"];
    assert_eq!(l["verdict"], "permitted-with-conditions", "{l}");
    assert_eq!(l["detected"][0]["id"], "openrail++", "{l}");
    assert_eq!(l["detected"][0]["file"], "model.safetensors");

    std::fs::write(
        tmp.path().join("README.md"),
        "---\nlicense: apache-2.0\n---\n# m\n",
    )
    .unwrap();
    write_one_tensor(
        &file,
        serde_json::json!({"modelspec.license": "cc-by-nc-4.0"}),
    );
    let r = inspect_json(tmp.path());
    assert_eq!(r["license"]["verdict"], "non-commercial");
    let c = &findings(&r, "license/conflict")[0];
    assert_eq!(
        (c["file"].as_str(), c["line"].as_u64()),
        (Some("README.md"), Some(2))
    );
    let msg = c["message"].as_str().unwrap();
    assert!(
        msg.contains("Apache-2.0")
            && msg.contains("cc-by-nc-4.0")
            && msg.contains("model.safetensors"),
        "{msg}"
    );

    write_one_tensor(&file, serde_json::json!({"license": "our-own-terms"}));
    let r = inspect_json(&file);
    assert_eq!(r["license"]["verdict"], "unknown");
    assert!(findings(&r, "license/unknown")[0]["message"]
        .as_str()
        .unwrap()
        .contains("our-own-terms"));
}

/// A hybrid's recurrent layers keep a fixed state per sequence beside the
/// attention layers' KV cache: Bamba (attention at `attn_layer_indices`,
/// Mamba-2 elsewhere) and Qwen3-Next (gated DeltaNet, every fourth layer
/// full attention), read from config.json alone.
#[test]
fn hybrid_models_report_their_recurrent_state() {
    let tmp = tempfile::tempdir().unwrap();
    let bamba = tmp.path().join("bamba");
    std::fs::create_dir(&bamba).unwrap();
    std::fs::write(
        bamba.join("config.json"),
        r#"{"model_type": "bamba", "hidden_size": 4096, "num_hidden_layers": 32,
            "attn_layer_indices": [9, 18, 27], "num_attention_heads": 32,
            "num_key_value_heads": 8, "mamba_n_heads": 128, "mamba_d_head": 64,
            "mamba_d_state": 128, "mamba_n_groups": 1, "mamba_d_conv": 4,
            "mamba_expand": 2, "torch_dtype": "bfloat16"}"#,
    )
    .unwrap();
    let r = inspect_json(&bamba);
    let kv = &r["memory"]["kv_cache"];
    assert_eq!(kv["full_attention_layers"], 3, "{kv}");
    assert_eq!(kv["layers_without_cache"], 29);
    let state = &r["memory"]["recurrent_state"];
    assert_eq!(state["kind"], "mamba2");
    assert_eq!(state["layers"], 29);
    let per_layer = (128 * 64 * 128 + (8192 + 2 * 128) * 3) * 2;
    assert_eq!(state["bytes_per_layer"], per_layer);
    assert_eq!(state["bytes_per_sequence"], per_layer * 29);
    let out = mri(&["inspect", bamba.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("recurrent state") && text.contains("(mamba2, 29 layers)"),
        "{text}"
    );
    assert!(
        text.contains("29 mamba · 3 full_attention")
            && text.contains("Mamba-2, 128 heads × 64 × 128 state, 1 group, conv 4"),
        "{text}"
    );

    let next = tmp.path().join("qwen3-next");
    std::fs::create_dir(&next).unwrap();
    std::fs::write(
        next.join("config.json"),
        r#"{"model_type": "qwen3_next", "hidden_size": 2048, "num_hidden_layers": 48,
            "full_attention_interval": 4, "num_attention_heads": 16,
            "num_key_value_heads": 2, "head_dim": 256, "linear_num_key_heads": 16,
            "linear_num_value_heads": 32, "linear_key_head_dim": 128,
            "linear_value_head_dim": 128, "linear_conv_kernel_dim": 4,
            "torch_dtype": "bfloat16"}"#,
    )
    .unwrap();
    let r = inspect_json(&next);
    let state = &r["memory"]["recurrent_state"];
    assert_eq!(state["kind"], "gated-delta-net");
    assert_eq!(state["layers"], 36);
    assert_eq!(
        state["bytes_per_layer"],
        (32 * 128 * 128 + (2 * 16 * 128 + 32 * 128) * 3) * 2
    );
    assert_eq!(r["architecture"]["recurrent"]["value_heads"], 32);

    // Kimi K3 nests its text model; `kda_layers` counts from 1, the other
    // layers are MLA.
    let k3 = tmp.path().join("kimi-k3");
    std::fs::create_dir(&k3).unwrap();
    std::fs::write(
        k3.join("config.json"),
        r#"{"model_type": "kimi_k3", "text_config": {"hidden_size": 2304,
            "num_hidden_layers": 8, "num_attention_heads": 32, "kv_lora_rank": 512,
            "qk_rope_head_dim": 64, "qk_nope_head_dim": 128, "v_head_dim": 128,
            "torch_dtype": "bfloat16", "linear_attn_config": {
                "kda_layers": [1, 2, 3, 5, 6, 7], "full_attn_layers": [4, 8],
                "num_heads": 32, "head_dim": 128, "short_conv_kernel_size": 4}}}"#,
    )
    .unwrap();
    let r = inspect_json(&k3);
    assert_eq!(r["architecture"]["layer_types"][3], "full_attention");
    assert_eq!(r["architecture"]["layer_types"][0], "linear_attention");
    let kv = &r["memory"]["kv_cache"];
    assert_eq!(kv["attention"], "mla");
    assert_eq!(kv["full_attention_layers"], 2);
    let state = &r["memory"]["recurrent_state"];
    assert_eq!(state["layers"], 6);
    assert_eq!(
        state["bytes_per_layer"],
        (32 * 128 * 128 + 3 * 32 * 128 * 3) * 2
    );
    // A transformer has none.
    let llama = inspect_json(&fixtures().join(TINY_LLAMA.name));
    assert!(llama["memory"].get("recurrent_state").is_none());
    assert!(llama["architecture"].get("recurrent").is_none());
}

/// NAS-pruned Llamas (Nemotron Super 49B) state heads and widths per block:
/// the KV heads come from `n_heads_in_group`, skipped and linear attention
/// blocks cache nothing, and the feed-forward width follows `ffn_mult`.
#[test]
fn block_configs_of_a_pruned_model_give_heads_layers_and_width() {
    let tmp = tempfile::tempdir().unwrap();
    let attention = |group: u64| serde_json::json!({"n_heads_in_group": group, "no_op": false, "replace_with_linear": false});
    let blocks = serde_json::json!([
        {"attention": attention(8), "ffn": {"ffn_mult": 5.25}},
        {"attention": {"n_heads_in_group": null, "no_op": true}, "ffn": {"ffn_mult": 1.3125}},
        {"attention": {"n_heads_in_group": null, "replace_with_linear": true}, "ffn": {"ffn_mult": 2.625}},
        {"attention": attention(8), "ffn": {"ffn_mult": 5.25}},
    ]);
    let config = serde_json::json!({
        "model_type": "nemotron-nas", "architectures": ["DeciLMForCausalLM"],
        "hidden_size": 8192, "num_hidden_layers": 4, "num_attention_heads": 64,
        "max_position_embeddings": 131072, "torch_dtype": "bfloat16",
        "block_configs": blocks,
    });
    std::fs::write(tmp.path().join("config.json"), config.to_string()).unwrap();
    let r = inspect_json(tmp.path());
    let a = &r["architecture"];
    assert_eq!(a["num_key_value_heads"], 8, "{a}");
    assert_eq!(a["intermediate_size"], 28672);
    assert_eq!(
        a["layer_types"],
        serde_json::json!(["full_attention", "mlp", "linear", "full_attention"])
    );
    let kv = &r["memory"]["kv_cache"];
    assert_eq!(kv["full_attention_layers"], 2);
    assert_eq!(kv["bytes_per_token"], 2 * 8 * 128 * 2 * 2);
}
