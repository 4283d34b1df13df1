//! Each finding of the foundation, provoked by a broken copy of a fixture.

mod support;

use serde_json::{json, Value};
use std::fs;
use support::fixture_gen::{self, TinySpec, TINY_LLAMA};
use support::{copy_fixture, edit_json, findings, inspect_json};

fn one(r: &Value, code: &str) -> Value {
    let f = findings(r, code);
    assert!(
        !f.is_empty(),
        "expected a {code} finding; got {}",
        r["findings"]
    );
    f[0].clone()
}

#[test]
fn lfs_pointer_in_place_of_weights() {
    let (_t, dir) = copy_fixture("tiny-llama");
    let pointer = format!(
        "version https://git-lfs.github.com/spec/v1\noid sha256:{}\nsize 88456\n",
        "3f".repeat(32)
    );
    fs::write(dir.join("model.safetensors"), pointer).unwrap();
    let r = inspect_json(&dir);
    let f = one(&r, "weights/lfs-pointer");
    assert_eq!(f["severity"], "error");
    assert_eq!(f["file"], "model.safetensors");
    assert!(f["message"].as_str().unwrap().contains("88456 bytes"));
    let file = r["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "model.safetensors")
        .unwrap();
    assert_eq!(file["lfs_pointer"]["size"], 88456);
    assert_eq!(r["weights"]["parameters"], 0);
}

#[test]
fn truncated_shard() {
    let (_t, dir) = copy_fixture("tiny-llama");
    let path = dir.join("model.safetensors");
    let len = fs::metadata(&path).unwrap().len();
    fs::OpenOptions::new()
        .write(true)
        .open(&path)
        .unwrap()
        .set_len(len - 100)
        .unwrap();
    let r = inspect_json(&dir);
    let f = one(&r, "weights/truncated");
    assert!(
        f["message"].as_str().unwrap().contains("100 bytes missing"),
        "{f}"
    );
    assert_eq!(f["file"], "model.safetensors");
}

#[test]
fn header_that_is_not_json() {
    let (_t, dir) = copy_fixture("tiny-llama");
    let path = dir.join("model.safetensors");
    let mut bytes = fs::read(&path).unwrap();
    bytes[8] = b'[';
    fs::write(&path, bytes).unwrap();
    let r = inspect_json(&dir);
    let f = one(&r, "weights/header-invalid");
    assert!(
        f["message"].as_str().unwrap().contains("not a JSON object"),
        "{f}"
    );
}

#[test]
fn shard_missing_and_index_mismatches() {
    let (_t, dir) = copy_fixture("tiny-llama-sharded");
    fs::remove_file(dir.join("model-00002-of-00003.safetensors")).unwrap();
    edit_json(&dir.join("model.safetensors.index.json"), |v| {
        // place a tensor of shard 1 in shard 3, and lie about the size
        v["weight_map"]["model.embed_tokens.weight"] = json!("model-00003-of-00003.safetensors");
        v["weight_map"]["model.ghost.weight"] = json!("model-00001-of-00003.safetensors");
        v["metadata"]["total_size"] = json!(1);
    });
    let r = inspect_json(&dir);
    let missing = one(&r, "weights/shard-missing");
    assert!(missing["message"]
        .as_str()
        .unwrap()
        .contains("model-00002-of-00003.safetensors"));
    let mismatches: Vec<String> = findings(&r, "weights/index-mismatch")
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert!(
        mismatches
            .iter()
            .any(|m| m.contains("`model.ghost.weight`") && m.contains("no such tensor")),
        "{mismatches:?}"
    );
    assert!(
        mismatches
            .iter()
            .any(|m| m.contains("model.embed_tokens.weight") && m.contains("places it in")),
        "{mismatches:?}"
    );
    assert!(
        mismatches
            .iter()
            .any(|m| m.contains("model.embed_tokens.weight") && m.contains("no such tensor")),
        "{mismatches:?}"
    );
}

#[test]
fn total_size_disagreement_is_reported() {
    let (_t, dir) = copy_fixture("tiny-llama-sharded");
    edit_json(&dir.join("model.safetensors.index.json"), |v| {
        v["metadata"]["total_size"] = json!(12345);
    });
    let r = inspect_json(&dir);
    let f = one(&r, "weights/index-mismatch");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("total_size is 12345"),
        "{f}"
    );
}

#[test]
fn unindexed_copy_is_not_counted_twice() {
    let (_t, dir) = copy_fixture("tiny-llama-sharded");
    let tiny = support::fixtures()
        .join("tiny-llama")
        .join("model.safetensors");
    fs::copy(tiny, dir.join("consolidated.safetensors")).unwrap();
    let r = inspect_json(&dir);
    one(&r, "weights/unindexed-shard");
    assert_eq!(
        r["weights"]["parameters"],
        fixture_gen::tiny_parameters(&fixture_gen::TINY_LLAMA_SHARDED)
    );
}

#[test]
fn unfinished_download_is_reported() {
    let (_t, dir) = copy_fixture("tiny-llama");
    let dl = dir.join(".cache/huggingface/download");
    fs::create_dir_all(&dl).unwrap();
    fs::write(dl.join("abc.incomplete"), vec![0u8; 10]).unwrap();
    let r = inspect_json(&dir);
    let f = one(&r, "files/incomplete");
    assert!(f["file"].as_str().unwrap().ends_with("abc.incomplete"));
}

#[test]
fn config_that_does_not_parse_names_line_and_column() {
    let (_t, dir) = copy_fixture("tiny-llama");
    fs::write(
        dir.join("config.json"),
        "{\n  \"model_type\": \"llama\",\n  \"hidden_size\": ,\n}\n",
    )
    .unwrap();
    let r = inspect_json(&dir);
    let f = one(&r, "config/invalid");
    assert_eq!(f["file"], "config.json");
    assert_eq!(f["line"], 3);
    assert!(f["message"].as_str().unwrap().contains("column"), "{f}");
    assert!(r["architecture"].is_null());
}

#[test]
fn malformed_card_front_matter() {
    let (_t, dir) = copy_fixture("tiny-llama");
    fs::write(
        dir.join("README.md"),
        "---\nlicense: mit\ntags: [a, b\n---\n# x\n",
    )
    .unwrap();
    let r = inspect_json(&dir);
    let f = one(&r, "card/invalid");
    assert_eq!(f["file"], "README.md");
    assert!(f["line"].as_u64().unwrap() >= 2);
}

/// A tokenizer of 323 ids over an embedding of 300 rows.
#[test]
fn tokenizer_larger_than_embedding() {
    let tmp = tempfile::tempdir().unwrap();
    let spec = TinySpec {
        vocab_rows: 300,
        ..TINY_LLAMA
    };
    fixture_gen::write_tiny_model(tmp.path(), &spec).unwrap();
    let r = inspect_json(tmp.path());
    let f = one(&r, "consistency/vocab-size");
    assert_eq!(f["severity"], "error");
    assert!(f["message"].as_str().unwrap().contains("300 rows"), "{f}");
    assert_eq!(f["tensor"], "model.embed_tokens.weight");
}

#[test]
fn padded_embedding_is_normal() {
    // the fixture's 384 rows exceed the tokenizer's 323 ids: no finding
    let r = inspect_json(&support::fixtures().join("tiny-llama"));
    assert!(findings(&r, "consistency/vocab-size").is_empty());
}

#[test]
fn config_vocab_size_that_disagrees_with_the_embedding() {
    let (_t, dir) = copy_fixture("tiny-llama");
    edit_json(&dir.join("config.json"), |v| v["vocab_size"] = json!(512));
    let r = inspect_json(&dir);
    let f = one(&r, "consistency/vocab-size");
    assert_eq!(f["severity"], "warning");
    assert_eq!(f["file"], "config.json");
    assert!(f["line"].is_u64());
}

#[test]
fn special_token_ids_that_disagree() {
    let (_t, dir) = copy_fixture("tiny-llama");
    edit_json(&dir.join("generation_config.json"), |v| {
        v["eos_token_id"] = json!([7])
    });
    let r = inspect_json(&dir);
    let f = one(&r, "consistency/special-tokens");
    let msg = f["message"].as_str().unwrap();
    assert!(
        msg.contains("eos") && msg.contains("generation_config.json"),
        "{msg}"
    );
    assert_eq!(f["file"], "config.json");
}

#[test]
fn eos_lists_that_overlap_are_fine() {
    let (_t, dir) = copy_fixture("tiny-llama");
    edit_json(&dir.join("generation_config.json"), |v| {
        v["eos_token_id"] = json!([321, 322])
    });
    let r = inspect_json(&dir);
    assert!(
        findings(&r, "consistency/special-tokens").is_empty(),
        "{}",
        r["findings"]
    );
}

#[test]
fn untied_without_lm_head_and_tied_with_one() {
    let (_t, dir) = copy_fixture("tiny-qwen3");
    edit_json(&dir.join("config.json"), |v| {
        v["tie_word_embeddings"] = json!(false)
    });
    let r = inspect_json(&dir);
    let f = one(&r, "consistency/tied-embeddings");
    assert_eq!(f["severity"], "error");
    assert!(f["line"].is_u64());

    let (_t2, dir) = copy_fixture("tiny-llama");
    edit_json(&dir.join("config.json"), |v| {
        v["tie_word_embeddings"] = json!(true)
    });
    let r = inspect_json(&dir);
    let f = one(&r, "consistency/tied-embeddings");
    assert_eq!(f["severity"], "warning");
    assert_eq!(f["tensor"], "lm_head.weight");
}

#[test]
fn layer_count_that_disagrees() {
    let (_t, dir) = copy_fixture("tiny-llama");
    edit_json(&dir.join("config.json"), |v| {
        v["num_hidden_layers"] = json!(3)
    });
    let r = inspect_json(&dir);
    let f = one(&r, "consistency/layers");
    assert!(f["message"].as_str().unwrap().contains("3 layers"), "{f}");
    assert!(f["message"].as_str().unwrap().contains("hold 2"), "{f}");
}

#[test]
fn torch_dtype_that_disagrees() {
    let (_t, dir) = copy_fixture("tiny-llama");
    edit_json(&dir.join("config.json"), |v| {
        v["torch_dtype"] = json!("float16")
    });
    let r = inspect_json(&dir);
    let f = one(&r, "consistency/dtype");
    assert!(f["message"].as_str().unwrap().contains("BF16"), "{f}");
}

#[test]
fn missing_config_and_card() {
    let (_t, dir) = copy_fixture("tiny-llama");
    fs::remove_file(dir.join("config.json")).unwrap();
    fs::remove_file(dir.join("README.md")).unwrap();
    let r = inspect_json(&dir);
    assert_eq!(one(&r, "config/missing")["severity"], "warning");
    one(&r, "card/missing");
    // weights are still counted without a config
    assert_eq!(
        r["weights"]["parameters"],
        fixture_gen::tiny_parameters(&TINY_LLAMA)
    );
}

#[test]
fn pickle_only_weights_are_flagged() {
    let (_t, dir) = copy_fixture("tiny-llama");
    fs::remove_file(dir.join("model.safetensors")).unwrap();
    fs::write(dir.join("pytorch_model.bin"), b"PK\x03\x04 not really").unwrap();
    let r = inspect_json(&dir);
    one(&r, "weights/pickle-only");
    assert_eq!(r["weights"]["format"], "pickle");
}

/// The class the report gives the file at `path`.
fn class_of<'a>(r: &'a serde_json::Value, path: &str) -> Option<&'a str> {
    r["files"]
        .as_array()?
        .iter()
        .find(|f| f["path"] == path)
        .and_then(|f| f["class"].as_str())
}

/// `model.safetensors` in `dir` with these (name, dtype, shape, bytes)
/// tensors, headers only (the data left as a hole).
fn write_sparse_model(dir: &std::path::Path, specs: &[(&str, &str, Vec<u64>, u64)]) {
    write_sparse_file(&dir.join("model.safetensors"), specs);
}

/// As [`write_sparse_model`], each tensor's bytes its elements × its
/// dtype's width (the 16- and 32-bit dtypes these tests use).
fn write_sparse_model_sized(dir: &std::path::Path, specs: &[(String, &str, Vec<u64>)]) {
    let width = |dtype: &str| match dtype {
        "I32" | "U32" | "F32" => 4,
        "I16" | "F16" | "BF16" => 2,
        other => panic!("no width for {other} in this helper"),
    };
    let sized: Vec<(&str, &str, Vec<u64>, u64)> = specs
        .iter()
        .map(|(n, d, s)| {
            (
                n.as_str(),
                *d,
                s.clone(),
                s.iter().product::<u64>() * width(d),
            )
        })
        .collect();
    write_sparse_model(dir, &sized);
}

/// A safetensors file at `path` with these (name, dtype, shape, bytes)
/// tensors, header only.
fn write_sparse_file(path: &std::path::Path, specs: &[(&str, &str, Vec<u64>, u64)]) {
    let meta: Vec<(&str, &str, &[u64], u64)> = specs
        .iter()
        .map(|(n, d, s, b)| (*n, *d, s.as_slice(), *b))
        .collect();
    fixture_gen::write_sparse_safetensors(path, &meta).unwrap();
}

/// A GPTQ-style checkpoint built at test time: logical parameters are unpacked.
#[test]
fn gptq_checkpoint_counts_logical_parameters() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (inp, out, group) = (256u64, 128u64, 64u64);
    let specs: Vec<(&str, &str, Vec<u64>, u64)> = vec![
        (
            "model.embed_tokens.weight",
            "F16",
            vec![100, inp],
            100 * inp * 2,
        ),
        (
            "model.layers.0.mlp.up_proj.qweight",
            "I32",
            vec![inp * 4 / 32, out],
            inp * 4 / 32 * out * 4,
        ),
        (
            "model.layers.0.mlp.up_proj.qzeros",
            "I32",
            vec![inp / group, out * 4 / 32],
            inp / group * out * 4 / 32 * 4,
        ),
        (
            "model.layers.0.mlp.up_proj.scales",
            "F16",
            vec![inp / group, out],
            inp / group * out * 2,
        ),
        (
            "model.layers.0.mlp.up_proj.g_idx",
            "I32",
            vec![inp],
            inp * 4,
        ),
    ];
    write_sparse_model(dir, &specs);
    fs::write(
        dir.join("config.json"),
        r#"{"model_type":"llama","num_hidden_layers":1,"quantization_config":{"quant_method":"gptq","bits":4,"group_size":64}}"#,
    )
    .unwrap();
    let r = inspect_json(dir);
    assert_eq!(r["weights"]["parameters"], 100 * inp + inp * out);
    let q = &r["weights"]["quantization"];
    assert_eq!(q["scheme"], "gptq");
    assert_eq!(q["source"], "config+tensor-names");
    assert_eq!(q["bookkeeping_tensors"], 3);
}

/// An NVIDIA ModelOpt NVFP4 checkpoint states its quantization in
/// `hf_quant_config.json`, not in config.json: it is read from there, and
/// the packed U8 weights count two parameters a byte.
#[test]
fn modelopt_quantization_is_read_from_hf_quant_config() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (rows, cols) = (32u64, 64u64);
    let specs: Vec<(&str, &str, Vec<u64>, u64)> = vec![
        (
            "model.embed_tokens.weight",
            "BF16",
            vec![100, cols],
            100 * cols * 2,
        ),
        (
            "model.layers.0.mlp.up_proj.weight",
            "U8",
            vec![rows, cols / 2],
            rows * cols / 2,
        ),
        (
            "model.layers.0.mlp.up_proj.weight_scale",
            "F8_E4M3",
            vec![rows, cols / 16],
            rows * cols / 16,
        ),
        (
            "model.layers.0.mlp.up_proj.weight_scale_2",
            "F32",
            vec![],
            4,
        ),
        ("model.layers.0.mlp.up_proj.input_scale", "F32", vec![], 4),
    ];
    write_sparse_model(dir, &specs);
    fs::write(
        dir.join("config.json"),
        r#"{"model_type":"llama","num_hidden_layers":1,"torch_dtype":"bfloat16"}"#,
    )
    .unwrap();
    fs::write(
        dir.join("hf_quant_config.json"),
        r#"{"producer":{"name":"modelopt","version":"0.31.0"},"quantization":{"quant_algo":"NVFP4","kv_cache_quant_algo":null,"group_size":16,"exclude_modules":["lm_head"]}}"#,
    )
    .unwrap();
    let r = inspect_json(dir);
    assert_eq!(r["weights"]["parameters"], 100 * cols + rows * cols);
    let q = &r["weights"]["quantization"];
    assert_eq!(q["scheme"], "nvfp4", "{q}");
    assert_eq!(q["source"], "config+tensor-names", "{q}");
    let declared = &r["architecture"]["quantization"];
    assert_eq!(declared["method"], "modelopt", "{declared}");
    assert_eq!(declared["algorithm"], "NVFP4");
    assert_eq!(declared["group_size"], 16);
    assert_eq!(class_of(&r, "hf_quant_config.json"), Some("config"));
}

/// An ExLlamaV2 checkpoint (exllamav2's `quantization_config` with a
/// fractional `bits`; each linear's `q_weight` packs a mix of widths):
/// logical parameters come from the inverse permutations' widths, the
/// bookkeeping is skipped, and the layer count still checks.
#[test]
fn exl2_weights_count_as_the_model_they_unpack_to() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (hidden, vocab, inter) = (256u64, 1000u64, 512u64);
    let mut specs: Vec<(String, &str, Vec<u64>)> = vec![
        (
            "model.embed_tokens.weight".into(),
            "F16",
            vec![vocab, hidden],
        ),
        ("model.norm.weight".into(), "F16", vec![hidden]),
        ("lm_head.weight".into(), "F16", vec![vocab, hidden]),
    ];
    // (name, in, out, packed rows at this layer's mixed bits)
    for (name, inputs, outs, rows) in [
        ("model.layers.0.mlp.up_proj", hidden, inter, 40u64),
        ("model.layers.0.mlp.down_proj", inter, hidden, 76),
    ] {
        specs.push((format!("{name}.q_weight"), "I32", vec![rows, outs]));
        specs.push((format!("{name}.q_invperm"), "I16", vec![inputs]));
        specs.push((
            format!("{name}.q_scale"),
            "I32",
            vec![inputs / 32, outs / 8],
        ));
        specs.push((format!("{name}.q_scale_max"), "F16", vec![inputs / 32]));
        specs.push((format!("{name}.q_groups"), "I16", vec![inputs / 16]));
    }
    write_sparse_model_sized(dir, &specs);
    fs::write(
        dir.join("config.json"),
        format!(
            r#"{{"model_type":"llama","architectures":["LlamaForCausalLM"],"hidden_size":{hidden},"num_hidden_layers":1,"num_attention_heads":4,"num_key_value_heads":2,"intermediate_size":{inter},"vocab_size":{vocab},"tie_word_embeddings":false,"torch_dtype":"float16","quantization_config":{{"quant_method":"exl2","version":"0.2.8","bits":4.65,"head_bits":6}}}}"#
        ),
    )
    .unwrap();
    let r = inspect_json(dir);
    assert_eq!(
        r["weights"]["parameters"],
        2 * vocab * hidden + hidden + 2 * hidden * inter,
        "{}",
        r["weights"]
    );
    let q = &r["weights"]["quantization"];
    assert_eq!(q["scheme"], "exl2", "{q}");
    assert_eq!(q["method"], "exl2");
    assert_eq!(q["source"], "config+tensor-names");
    assert_eq!(q["bookkeeping_tensors"], 8);
    // The average bitrate is not whole: kept beside the (absent) bits.
    assert_eq!(q["bits_per_weight"], 4.65);
    assert_eq!(r["architecture"]["quantization"]["bits_per_weight"], 4.65);
    assert!(q.get("bits").is_none_or(|b| b.is_null()), "{q}");
    let out = support::mri(&["inspect", dir.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("exl2 4.65 bits per weight via"), "{text}");
    let layers = findings(&r, "consistency/layers");
    assert!(layers.is_empty(), "{layers:?}");
}

/// An MLX-quantized checkpoint (mlx-lm: U32 words packing 4-bit values,
/// `scales` and `biases` per group of 64 inputs, the quantization at
/// config.json's top level): logical parameters unpacked, the scheme named,
/// and the packed embedding raises no consistency finding.
#[test]
fn mlx_quantized_weights_count_as_the_model_they_unpack_to() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let (hidden, vocab, inter) = (256u64, 1000u64, 512u64);
    let mut specs: Vec<(String, &str, Vec<u64>)> = Vec::new();
    let mut packed = |name: &str, rows: u64, inputs: u64, bits: u64| {
        specs.push((
            format!("{name}.weight"),
            "U32",
            vec![rows, inputs * bits / 32],
        ));
        specs.push((format!("{name}.scales"), "BF16", vec![rows, inputs / 64]));
        specs.push((format!("{name}.biases"), "BF16", vec![rows, inputs / 64]));
    };
    packed("model.embed_tokens", vocab, hidden, 4);
    packed("model.layers.0.mlp.up_proj", inter, hidden, 4);
    packed("model.layers.0.mlp.down_proj", hidden, inter, 8);
    specs.push((
        "model.layers.0.input_layernorm.weight".into(),
        "BF16",
        vec![hidden],
    ));
    specs.push(("model.norm.weight".into(), "BF16", vec![hidden]));
    write_sparse_model_sized(dir, &specs);
    fs::write(
        dir.join("config.json"),
        format!(
            r#"{{"model_type":"qwen3","architectures":["Qwen3ForCausalLM"],"hidden_size":{hidden},"num_hidden_layers":1,"num_attention_heads":4,"num_key_value_heads":2,"intermediate_size":{inter},"vocab_size":{vocab},"tie_word_embeddings":true,"torch_dtype":"bfloat16","quantization":{{"group_size":64,"bits":4,"model.layers.0.mlp.down_proj":{{"group_size":64,"bits":8}}}},"quantization_config":{{"group_size":64,"bits":4}}}}"#
        ),
    )
    .unwrap();
    let r = inspect_json(dir);
    assert_eq!(
        r["weights"]["parameters"],
        vocab * hidden + inter * hidden + hidden * inter + 2 * hidden,
        "{}",
        r["weights"]
    );
    let q = &r["weights"]["quantization"];
    assert_eq!(q["scheme"], "mlx", "{q}");
    assert_eq!(q["source"], "config+tensor-names");
    assert_eq!(q["bookkeeping_tensors"], 6);
    assert_eq!(r["architecture"]["quantization"]["method"], "mlx");
    let consistency: Vec<&serde_json::Value> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"].as_str().unwrap().starts_with("consistency/"))
        .collect();
    assert!(consistency.is_empty(), "{consistency:?}");
}

/// A checkpoint that quantizes its KV cache to FP8 (ModelOpt's
/// `kv_cache_quant_algo`) has the cache counted at one byte an element, half
/// the bf16 figure, and the formula says why.
#[test]
fn an_fp8_kv_cache_the_checkpoint_states_is_counted_at_one_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let specs: Vec<(&str, &str, Vec<u64>, u64)> = vec![(
        "model.layers.0.mlp.up_proj.weight",
        "F8_E4M3",
        vec![128, 64],
        128 * 64,
    )];
    write_sparse_model(dir, &specs);
    fs::write(
        dir.join("config.json"),
        r#"{"model_type":"llama","num_hidden_layers":1,"hidden_size":64,"num_attention_heads":8,"num_key_value_heads":2,"head_dim":8,"max_position_embeddings":1000,"torch_dtype":"bfloat16"}"#,
    )
    .unwrap();
    let kv_bytes = |r: &serde_json::Value| r["memory"]["kv_cache"]["bytes_per_token"].clone();
    let bf16 = inspect_json(dir);
    assert_eq!(kv_bytes(&bf16), 2 * 2 * 8 * 2, "{}", bf16["memory"]);
    fs::write(
        dir.join("hf_quant_config.json"),
        r#"{"producer":{"name":"modelopt"},"quantization":{"quant_algo":"FP8","kv_cache_quant_algo":"FP8"}}"#,
    )
    .unwrap();
    let r = inspect_json(dir);
    let kv = &r["memory"]["kv_cache"];
    assert_eq!(kv["bytes_per_element"], 1, "{kv}");
    assert_eq!(kv_bytes(&r), 2 * 8 * 2, "{kv}");
    assert_eq!(kv["bytes_at_context"], 2 * 8 * 2 * 1000, "{kv}");
    assert_eq!(kv["quantization"], "FP8");
    assert!(
        kv["formula"].as_str().unwrap().contains("FP8 KV cache"),
        "{kv}"
    );
    assert_eq!(r["architecture"]["quantization"]["kv_cache"]["bits"], 8);
}

/// `consolidated.safetensors` in `dir` with a Mistral-native model's
/// tensors over `layers` blocks (the names mistral-inference uses), headers
/// only; with or without the output head.
fn write_mistral_native(dir: &std::path::Path, layers: u64, head: bool) {
    let (dim, vocab) = (64u64, 1000u64);
    let mut names: Vec<(String, Vec<u64>)> =
        vec![("tok_embeddings.weight".into(), vec![vocab, dim])];
    for l in 0..layers {
        for part in [
            "attention.wq",
            "attention.wk",
            "attention.wv",
            "attention.wo",
        ] {
            names.push((format!("layers.{l}.{part}.weight"), vec![dim, dim]));
        }
        names.push((format!("layers.{l}.attention_norm.weight"), vec![dim]));
    }
    names.push(("norm.weight".into(), vec![dim]));
    if head {
        names.push(("output.weight".into(), vec![vocab, dim]));
    }
    let specs: Vec<(&str, &str, Vec<u64>, u64)> = names
        .iter()
        .map(|(n, s)| (n.as_str(), "BF16", s.clone(), s.iter().product::<u64>() * 2))
        .collect();
    write_sparse_file(&dir.join("consolidated.safetensors"), &specs);
}

/// A Mistral release in the native format only (params.json, no
/// config.json): the architecture and KV cache come from params.json, and
/// the consistency checks point at its keys and lines.
#[test]
fn mistral_native_params_json_stands_in_for_config_json() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_mistral_native(dir, 2, true);
    let params = "{\n  \"dim\": 64,\n  \"n_layers\": 2,\n  \"head_dim\": 16,\n  \"hidden_dim\": 256,\n  \"n_heads\": 4,\n  \"n_kv_heads\": 2,\n  \"vocab_size\": 1000,\n  \"max_seq_len\": 4096,\n  \"rope_theta\": 1000000.0\n}\n";
    fs::write(dir.join("params.json"), params).unwrap();
    fs::write(
        dir.join("tekken.json"),
        r#"{"config": {"pattern": ".", "num_vocab_tokens": 2000, "default_vocab_size": 1000, "default_num_special_tokens": 100, "version": "v7"},
            "vocab": [{"rank": 0, "token_bytes": "IQ==", "token_str": "!"}],
            "special_tokens": [{"rank": 0, "token_str": "<unk>", "is_control": true}, {"rank": 1, "token_str": "<s>", "is_control": true}, {"rank": 2, "token_str": "</s>", "is_control": true}]}"#,
    )
    .unwrap();
    let r = inspect_json(dir);
    let t = &r["tokenizer"];
    assert_eq!(t["model"], "Tekken", "{t}");
    assert_eq!(t["vocab_size"], 1000);
    assert_eq!(
        (t["base_vocab"].clone(), t["added_tokens"].clone()),
        (900.into(), 100.into())
    );
    assert_eq!(t["special_tokens"]["bos"]["id"], 1);
    assert_eq!(t["special_tokens"]["eos"]["token"], "</s>");
    assert_eq!(class_of(&r, "tekken.json"), Some("tokenizer"));
    let a = &r["architecture"];
    assert_eq!(a["model_type"], "mistral", "{a}");
    assert_eq!(a["num_layers"], 2);
    assert_eq!(a["num_key_value_heads"], 2);
    assert_eq!(a["head_dim"], 16);
    assert_eq!(a["context_length"], 4096);
    let kv = &r["memory"]["kv_cache"];
    assert_eq!(kv["bytes_per_token"], 2 * 2 * 16 * 2 * 2, "{kv}");
    assert!(findings(&r, "config/missing")
        .iter()
        .all(|f| f["severity"] == "info" && f["file"] == "params.json"));
    assert_eq!(findings(&r, "config/missing").len(), 1);
    assert!(findings(&r, "consistency/layers").is_empty());
    assert!(findings(&r, "consistency/tied-embeddings").is_empty());
    assert!(findings(&r, "consistency/vocab-size").is_empty());

    // One block fewer in the tensors, and no output head: both findings
    // name params.json, its keys and their lines.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_mistral_native(dir, 1, false);
    fs::write(dir.join("params.json"), params).unwrap();
    fs::write(
        dir.join("tekken.json"),
        "{\"config\": {\"default_vocab_size\": \"many\"}}",
    )
    .unwrap();
    let r = inspect_json(dir);
    let bad = one(&r, "config/invalid");
    assert_eq!(bad["file"], "tekken.json");
    assert!(
        bad["message"]
            .as_str()
            .unwrap()
            .starts_with("tekken.json does not parse"),
        "{bad}"
    );
    let layers = one(&r, "consistency/layers");
    assert_eq!(layers["file"], "params.json");
    assert_eq!(layers["line"], 3, "{layers}");
    assert!(
        layers["message"]
            .as_str()
            .unwrap()
            .starts_with("params.json says 2 layers"),
        "{layers}"
    );
    let tied = one(&r, "consistency/tied-embeddings");
    assert!(
        tied["message"]
            .as_str()
            .unwrap()
            .starts_with("tied_embeddings is false"),
        "{tied}"
    );
}

/// A `params.json` that is not Mistral's (no `dim` and `n_layers`) is not
/// read as an architecture, and the missing config.json is still reported.
#[test]
fn another_params_json_is_not_taken_for_mistrals() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    write_mistral_native(dir, 1, true);
    fs::write(
        dir.join("params.json"),
        r#"{"learning_rate": 0.001, "epochs": 3}"#,
    )
    .unwrap();
    let r = inspect_json(dir);
    assert!(r["architecture"].is_null(), "{}", r["architecture"]);
    assert_eq!(one(&r, "config/missing")["severity"], "warning");
}

/// A diffusers pipeline keeps its configs in the component folders: the
/// missing root config.json is an info naming the pipeline and its
/// components, not a warning; its weights are still counted.
#[test]
fn a_diffusers_pipeline_is_named_instead_of_warning_of_no_config() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    for (folder, name, shape) in [
        ("unet", "conv_in.weight", vec![320u64, 4, 3, 3]),
        ("vae", "encoder.conv_in.weight", vec![128, 3, 3, 3]),
        (
            "text_encoder",
            "text_model.embeddings.token_embedding.weight",
            vec![1000, 64],
        ),
    ] {
        fs::create_dir_all(dir.join(folder)).unwrap();
        let bytes = shape.iter().product::<u64>() * 2;
        let file = if folder == "text_encoder" {
            "model.safetensors"
        } else {
            "diffusion_pytorch_model.safetensors"
        };
        fixture_gen::write_sparse_safetensors(
            &dir.join(folder).join(file),
            &[(name, "F16", &shape, bytes)],
        )
        .unwrap();
    }
    fs::write(
        dir.join("model_index.json"),
        r#"{"_class_name":"StableDiffusionPipeline","_diffusers_version":"0.30.0","scheduler":["diffusers","PNDMScheduler"],"text_encoder":["transformers","CLIPTextModel"],"unet":["diffusers","UNet2DConditionModel"],"vae":["diffusers","AutoencoderKL"],"safety_checker":[null,null]}"#,
    )
    .unwrap();
    let r = inspect_json(dir);
    let f = one(&r, "config/missing");
    assert_eq!(f["severity"], "info", "{f}");
    assert_eq!(f["file"], "model_index.json");
    let message = f["message"].as_str().unwrap();
    assert!(
        message.contains("StableDiffusionPipeline: scheduler, text_encoder, unet, vae"),
        "{message}"
    );
    assert_eq!(r["weights"]["parameters"], 320 * 4 * 9 + 128 * 27 + 64_000);
    assert_eq!(
        r["weights"]["by_folder"],
        serde_json::json!({"text_encoder": 64_000, "unet": 320 * 4 * 9, "vae": 128 * 27})
    );
    let out = support::mri(&["inspect", dir.to_str().unwrap(), "--color", "never"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("by folder"), "{text}");
    assert!(text.contains("text_encoder"), "{text}");
}

#[test]
fn symlink_escaping_a_plain_directory_is_refused() {
    let (tmp, dir) = copy_fixture("tiny-llama");
    let outside = tmp.path().join("secret.json");
    fs::write(&outside, "{}").unwrap();
    std::os::unix::fs::symlink(&outside, dir.join("extra_config.json")).unwrap();
    std::os::unix::fs::symlink("loop_b", dir.join("loop_a")).unwrap();
    std::os::unix::fs::symlink("loop_a", dir.join("loop_b")).unwrap();
    std::os::unix::fs::symlink("nothing-here", dir.join("dangling.json")).unwrap();
    let r = inspect_json(&dir);
    assert_eq!(one(&r, "files/symlink-escape")["file"], "extra_config.json");
    assert_eq!(findings(&r, "files/symlink-loop").len(), 2);
    assert_eq!(one(&r, "files/broken-link")["file"], "dangling.json");
    let listed = support::file_paths(&r);
    assert!(!listed.contains(&"extra_config.json"));
}

fn counted_shards(r: &Value) -> Vec<(String, bool)> {
    r["weights"]["shards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["path"].as_str().unwrap().to_string(),
                s["counted"] == true,
            )
        })
        .collect()
}

#[test]
fn a_consolidated_copy_beside_the_weights_is_counted_once() {
    let (_t, dir) = copy_fixture("tiny-llama");
    fs::copy(
        dir.join("model.safetensors"),
        dir.join("consolidated.safetensors"),
    )
    .unwrap();
    let r = inspect_json(&dir);
    let f = one(&r, "weights/duplicate-copy");
    assert_eq!(f["severity"], "info");
    assert_eq!(f["file"], "consolidated.safetensors");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("`model.safetensors`"),
        "{f}"
    );
    assert_eq!(
        r["weights"]["parameters"],
        fixture_gen::tiny_parameters(&TINY_LLAMA)
    );
    assert_eq!(
        counted_shards(&r),
        [
            ("consolidated.safetensors".to_string(), false),
            ("model.safetensors".to_string(), true)
        ]
    );
}

#[test]
fn a_copy_in_a_subfolder_of_a_sharded_checkpoint_is_counted_once() {
    let (_t, dir) = copy_fixture("tiny-llama-sharded");
    fs::create_dir_all(dir.join("original")).unwrap();
    // The shards themselves, copied under original/: the same shapes.
    for s in counted_shards(&inspect_json(&dir)) {
        fs::copy(dir.join(&s.0), dir.join("original").join(&s.0)).unwrap();
    }
    let r = inspect_json(&dir);
    assert_eq!(
        r["weights"]["parameters"],
        fixture_gen::tiny_parameters(&fixture_gen::TINY_LLAMA_SHARDED)
    );
    let shards = counted_shards(&r);
    assert_eq!(shards.len(), 6);
    assert!(
        shards
            .iter()
            .all(|(p, counted)| *counted != p.starts_with("original/")),
        "{shards:?}"
    );
    assert_eq!(findings(&r, "weights/duplicate-copy").len(), 3);
}

#[cfg(unix)]
#[test]
fn a_link_to_weights_counted_already_is_counted_once() {
    let (_t, dir) = copy_fixture("tiny-llama");
    fs::create_dir_all(dir.join("real")).unwrap();
    fs::rename(
        dir.join("model.safetensors"),
        dir.join("real/model.safetensors"),
    )
    .unwrap();
    std::os::unix::fs::symlink("real/model.safetensors", dir.join("model.safetensors")).unwrap();
    let r = inspect_json(&dir);
    assert_eq!(
        r["weights"]["parameters"],
        fixture_gen::tiny_parameters(&TINY_LLAMA)
    );
    let f = one(&r, "weights/duplicate-copy");
    assert_eq!(f["file"], "real/model.safetensors");
}

#[test]
fn a_shard_left_as_an_lfs_pointer_is_not_also_missing_and_stops_whole_set_checks() {
    let (_t, dir) = copy_fixture("tiny-llama-sharded");
    let pointer = format!(
        "version https://git-lfs.github.com/spec/v1\noid sha256:{}\nsize 4096\n",
        "3f".repeat(32)
    );
    // The shard holding the output head, so that a whole-set check would misfire.
    let r0 = inspect_json(&dir);
    let head_shard = r0["weights"]["shards"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| {
            s["tensors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["name"].as_str().unwrap().starts_with("lm_head"))
        })
        .map(|s| s["path"].as_str().unwrap().to_string())
        .expect("the sharded fixture stores lm_head");
    fs::write(dir.join(&head_shard), pointer).unwrap();
    let r = inspect_json(&dir);
    one(&r, "weights/lfs-pointer");
    assert!(
        findings(&r, "weights/shard-missing").is_empty(),
        "{}",
        r["findings"]
    );
    assert!(
        findings(&r, "consistency/tied-embeddings").is_empty(),
        "{}",
        r["findings"]
    );
    assert!(
        findings(&r, "consistency/layers").is_empty(),
        "{}",
        r["findings"]
    );
}

#[test]
fn a_config_that_is_json_but_not_an_object_is_invalid() {
    let (_t, dir) = copy_fixture("tiny-llama");
    fs::write(dir.join("config.json"), "[1, 2, 3]\n").unwrap();
    let r = inspect_json(&dir);
    let f = one(&r, "config/invalid");
    assert!(
        f["message"].as_str().unwrap().contains("not an object"),
        "{f}"
    );
    assert!(r["architecture"].is_null());
}

#[test]
fn a_config_with_python_infinity_is_read() {
    let (_t, dir) = copy_fixture("tiny-llama");
    edit_json(&dir.join("config.json"), |c| {
        c["time_step_limit"] = json!([0.0, "INF"]);
    });
    let text = fs::read_to_string(dir.join("config.json"))
        .unwrap()
        .replace("\"INF\"", "Infinity");
    fs::write(dir.join("config.json"), text).unwrap();
    let r = inspect_json(&dir);
    assert!(
        findings(&r, "config/invalid").is_empty(),
        "{}",
        r["findings"]
    );
    assert_eq!(r["architecture"]["model_type"], "llama");
}

/// tiny-llama with its tokenizer.json swapped for the model file a slow
/// tokenizer reads (`tokenizer.model`, holding `model_bytes`).
fn tiny_llama_with_tokenizer_model(model_bytes: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let (t, dir) = copy_fixture("tiny-llama");
    fs::remove_file(dir.join("tokenizer.json")).unwrap();
    fs::write(dir.join("tokenizer.model"), model_bytes).unwrap();
    (t, dir)
}

/// A repository whose only vocabulary is a SentencePiece `tokenizer.model`
/// (older Llama and T5 checkpoints): the pieces, the special pieces' ids and
/// tokenizer_config.json's added tokens make the tokenizer summary, and the
/// embedding check runs on it.
#[test]
fn a_sentencepiece_tokenizer_model_alone_gives_the_vocabulary() {
    let normal: Vec<String> = (0..317).map(|i| format!("▁w{i}")).collect();
    let mut pieces: Vec<(&str, u64)> = vec![("<unk>", 2), ("<s>", 3), ("</s>", 3)];
    pieces.extend(normal.iter().map(|p| (p.as_str(), 1)));
    let bytes = mri::model::sentencepiece::encode_sentencepiece(&pieces, 2, 1, 2);
    let (_t, dir) = tiny_llama_with_tokenizer_model(&bytes);
    let r = inspect_json(&dir);
    let t = &r["tokenizer"];
    assert_eq!(t["model"], "BPE", "{t}");
    assert_eq!(t["base_vocab"], 320);
    // tokenizer_config.json adds ids 320..=322.
    assert_eq!(t["added_tokens"], 3);
    assert_eq!(t["vocab_size"], 323);
    assert_eq!(t["special_tokens"]["eos"]["id"], 322, "{t}");
    assert_eq!(t["special_tokens"]["bos"]["id"], 320);
    // No config names an unk token: the trainer's id and piece stand in.
    assert_eq!(t["special_tokens"]["unk"]["token"], "<unk>");
    assert_eq!(t["special_tokens"]["unk"]["id"], 0);
    assert_eq!(class_of(&r, "tokenizer.model"), Some("tokenizer"));
    assert!(
        findings(&r, "consistency/vocab-size").is_empty(),
        "{}",
        r["findings"]
    );
    assert!(
        findings(&r, "config/invalid").is_empty(),
        "{}",
        r["findings"]
    );

    // added_tokens.json adds an id past the embedding's 384 rows.
    fs::write(dir.join("added_tokens.json"), r#"{"<|extra|>": 400}"#).unwrap();
    let r = inspect_json(&dir);
    assert_eq!(r["tokenizer"]["vocab_size"], 401);
    assert_eq!(r["tokenizer"]["added_tokens"], 4);
    let f = one(&r, "consistency/vocab-size");
    assert_eq!(f["severity"], "error");
    assert!(
        f["message"].as_str().unwrap().contains("ids up to 400"),
        "{f}"
    );
}

/// A `tokenizer.model` of tiktoken text (GLM-4, Llama 3's `original/`) and a
/// `*.tiktoken` file (Qwen-7B) are read as tiktoken vocabularies.
#[test]
fn a_tiktoken_vocabulary_alone_gives_the_vocabulary() {
    // "0000", "0001", ...: four base64 characters each.
    let text: String = (0..320).map(|i| format!("{i:04} {i}\n")).collect();
    let (_t, dir) = tiny_llama_with_tokenizer_model(text.as_bytes());
    let r = inspect_json(&dir);
    let t = &r["tokenizer"];
    assert_eq!(t["model"], "Tiktoken", "{t}");
    assert_eq!(t["base_vocab"], 320);
    assert_eq!(t["vocab_size"], 323);
    assert_eq!(t["special_tokens"]["eos"]["id"], 322);

    // Renamed to qwen.tiktoken, with 400 ranks: past the embedding.
    fs::remove_file(dir.join("tokenizer.model")).unwrap();
    let text: String = (0..400).map(|i| format!("{i:04} {i}\n")).collect();
    fs::write(dir.join("qwen.tiktoken"), text).unwrap();
    let r = inspect_json(&dir);
    assert_eq!(class_of(&r, "qwen.tiktoken"), Some("tokenizer"));
    assert_eq!(r["tokenizer"]["vocab_size"], 400);
    assert_eq!(one(&r, "consistency/vocab-size")["severity"], "error");
}

/// A tokenizer model file that is neither format, or tiktoken text with a
/// bad line, is a warning naming the file (and the line), never a panic.
#[test]
fn an_unreadable_tokenizer_model_is_a_finding() {
    let (_t, dir) =
        tiny_llama_with_tokenizer_model(b"\x0a\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff");
    let r = inspect_json(&dir);
    let f = one(&r, "config/invalid");
    assert_eq!(f["file"], "tokenizer.model");
    assert_eq!(f["severity"], "warning");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("neither tiktoken text nor a SentencePiece model"),
        "{f}"
    );
    // The added tokens still name their ids; the model's own size is unknown.
    assert_eq!(r["tokenizer"]["special_tokens"]["eos"]["id"], 322);
    assert!(r["tokenizer"]["vocab_size"].is_null());

    fs::write(dir.join("tokenizer.model"), "0000 0\n0001 1\n0002 two\n").unwrap();
    let r = inspect_json(&dir);
    let f = one(&r, "config/invalid");
    assert_eq!(f["line"], 3, "{f}");
    assert!(f["message"].as_str().unwrap().contains("tiktoken"), "{f}");
}

/// A BERT-style repository with only `vocab.txt` (ids are line numbers) and
/// a GPT-2-style one with only `vocab.json`: the special tokens' ids come
/// from the vocabulary itself, and an id past the embedding is caught.
#[test]
fn a_plain_vocabulary_gives_the_size_and_the_special_ids() {
    let (_t, dir) = copy_fixture("tiny-llama");
    fs::remove_file(dir.join("tokenizer.json")).unwrap();
    fs::write(
        dir.join("tokenizer_config.json"),
        r#"{"tokenizer_class": "BertTokenizer", "pad_token": "[PAD]", "unk_token": "[UNK]"}"#,
    )
    .unwrap();
    let mut lines = vec!["[PAD]".to_string(), "[UNK]".into(), "[CLS]".into()];
    lines.extend((0..297).map(|i| format!("w{i}")));
    fs::write(dir.join("vocab.txt"), lines.join("\n")).unwrap();
    let r = inspect_json(&dir);
    let t = &r["tokenizer"];
    assert_eq!(t["vocab_size"], 300, "{t}");
    assert_eq!(t["special_tokens"]["unk"]["id"], 1);
    assert_eq!(t["special_tokens"]["pad"]["id"], 0);
    assert!(findings(&r, "consistency/vocab-size").is_empty());

    // vocab.json wins over vocab.txt; its ids are its values.
    fs::write(
        dir.join("vocab.json"),
        r#"{"a": 0, "b": 1, "[UNK]": 2, "[PAD]": 390}"#,
    )
    .unwrap();
    let r = inspect_json(&dir);
    let t = &r["tokenizer"];
    assert_eq!(t["vocab_size"], 391, "{t}");
    assert_eq!(t["base_vocab"], 4);
    assert_eq!(t["special_tokens"]["unk"]["id"], 2);
    assert_eq!(one(&r, "consistency/vocab-size")["severity"], "error");

    // A vocab.json that does not parse is named, and vocab.txt stands in.
    fs::write(dir.join("vocab.json"), "{\"a\": 0,\n \"b\": x}").unwrap();
    let r = inspect_json(&dir);
    let f = one(&r, "config/invalid");
    assert_eq!(
        (f["file"].as_str(), f["line"].as_u64()),
        (Some("vocab.json"), Some(2)),
        "{f}"
    );
    assert_eq!(r["tokenizer"]["vocab_size"], 300);
}
