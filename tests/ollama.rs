//! `ollama://NAME[:TAG]` targets over a fixture Ollama store made at test
//! time: manifest, model blob (the tiny GGUF), license (Llama 3.2's text),
//! template, params, system and config blobs.

mod support;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use support::fixture_gen::gguf_gen::{gguf_bytes, tiny_gguf_parameters, tiny_gguf_spec};
use support::{findings, mri_env};

const TEMPLATE: &str = "{{ if .System }}<|im_start|>system\n{{ .System }}<|im_end|>\n{{ end }}<|im_start|>user\n{{ .Prompt }}<|im_end|>\n<|im_start|>assistant\n";

struct Store {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    /// media type → blob path
    blobs: Vec<(String, PathBuf)>,
}

fn blob(dir: &Path, bytes: &[u8]) -> (String, PathBuf) {
    let hex = format!("{:x}", Sha256::digest(bytes));
    let p = dir.join("blobs").join(format!("sha256-{hex}"));
    std::fs::write(&p, bytes).unwrap();
    (format!("sha256:{hex}"), p)
}

/// A store holding `library/tiny:q8` and `me/other:latest`.
fn store() -> Store {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("models");
    std::fs::create_dir_all(dir.join("blobs")).unwrap();
    // the model blob says nothing of its license: the license layer decides
    let mut spec = tiny_gguf_spec();
    spec.metadata.retain(|(k, _)| k != "general.license");
    let model = gguf_bytes(&spec);
    let license = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/license-corpus/texts/llama3_2-license.txt"),
    )
    .unwrap();
    let params = br#"{"stop":["<|im_end|>"],"temperature":0.2}"#.to_vec();
    let system = b"You are a tiny assistant.".to_vec();
    let config = serde_json::to_vec(&json!({"model_format":"gguf","model_family":"llama","model_families":["llama"],"model_type":"140K","file_type":"Q8_0","architecture":"amd64","os":"linux"})).unwrap();
    let layers = [
        ("application/vnd.ollama.image.model", model),
        ("application/vnd.ollama.image.license", license),
        (
            "application/vnd.ollama.image.template",
            TEMPLATE.as_bytes().to_vec(),
        ),
        ("application/vnd.ollama.image.params", params),
        ("application/vnd.ollama.image.system", system),
    ];
    let (config_digest, config_path) = blob(&dir, &config);
    let mut blobs = vec![("config".to_string(), config_path)];
    let mut entries = Vec::new();
    for (media, bytes) in &layers {
        let (digest, p) = blob(&dir, bytes);
        entries.push(json!({"mediaType": media, "digest": digest, "size": bytes.len()}));
        blobs.push((media.to_string(), p));
    }
    let manifest = json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "digest": config_digest, "size": config.len()},
        "layers": entries,
    });
    let m = dir.join("manifests/registry.ollama.ai/library/tiny");
    std::fs::create_dir_all(&m).unwrap();
    std::fs::write(m.join("q8"), serde_json::to_vec(&manifest).unwrap()).unwrap();
    let m = dir.join("manifests/registry.ollama.ai/me/other");
    std::fs::create_dir_all(&m).unwrap();
    std::fs::write(m.join("latest"), serde_json::to_vec(&manifest).unwrap()).unwrap();
    Store {
        _tmp: tmp,
        dir,
        blobs,
    }
}

impl Store {
    fn run(&self, args: &[&str]) -> std::process::Output {
        mri_env(args, &[("OLLAMA_MODELS", &self.dir)])
    }
    fn json(&self, args: &[&str]) -> Value {
        let out = self.run(args);
        assert!(
            out.status.success() || out.status.code() == Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("json")
    }
    fn blob(&self, media: &str) -> &Path {
        &self
            .blobs
            .iter()
            .find(|(m, _)| m.ends_with(media))
            .unwrap()
            .1
    }
}

#[test]
fn an_ollama_model_is_inspected_from_its_manifest() {
    let s = store();
    let r = s.json(&["inspect", "ollama://tiny:q8", "--format", "json"]);
    assert_eq!(r["target"]["kind"], "ollama");
    assert_eq!(r["target"]["ollama"]["model"], "tiny");
    assert_eq!(r["target"]["ollama"]["tag"], "q8");
    assert_eq!(r["weights"]["format"], "gguf");
    assert_eq!(r["weights"]["parameters"], tiny_gguf_parameters());
    assert_eq!(r["architecture"]["model_type"], "llama");
    // the model blob, which has no .gguf extension, is the GGUF file
    let model = s
        .blob("image.model")
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let gguf: Vec<&Value> = r["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["class"] == "gguf")
        .collect();
    assert_eq!(gguf.len(), 1);
    assert_eq!(gguf[0]["path"], format!("blobs/{model}"));
    assert_eq!(r["weights"]["shards"][0]["path"], format!("blobs/{model}"));
    // every layer, with its media type
    let o = &r["ollama"];
    let layers = o["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 6);
    assert!(layers.iter().all(|l| l["present"] == true));
    assert_eq!(o["template"], TEMPLATE);
    assert_eq!(o["params"]["temperature"], 0.2);
    assert_eq!(o["system"], "You are a tiny assistant.");
    assert_eq!(o["config"]["file_type"], "Q8_0");
    // the license layer goes to the license engine as a license file
    let license = s
        .blob("image.license")
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(r["license"]["verdict"], "permitted-with-conditions");
    let d = &r["license"]["detected"][0];
    assert_eq!(d["id"], "llama3.2");
    assert_eq!(d["source"], "file");
    assert_eq!(d["file"], format!("blobs/{license}"));
    assert!(!r["license"]["obligations"].as_array().unwrap().is_empty());
    // only this model's blobs are listed, not the whole store
    assert_eq!(r["files"].as_array().unwrap().len(), 7);
    assert!(
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["severity"] != "error"),
        "{}",
        r["findings"]
    );

    // a namespace, and the text report names the model
    let out = s.run(&["inspect", "ollama://me/other"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("me/other:latest"), "{text}");
    assert!(
        text.contains("Ollama") && text.contains("license"),
        "{text}"
    );
}

#[test]
fn verify_checks_every_blob_against_its_name() {
    let s = store();
    let v = s.json(&["verify", "ollama://tiny:q8", "--format", "json"]);
    assert_eq!(v["summary"]["verified"], 6, "{v}");
    assert_eq!(v["summary"]["mismatched"], 0);
    assert!(v["files"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["checks"][0]["source"] == "ollama-blob"));
    let out = s.run(&["verify", "ollama://tiny:q8"]);
    assert_eq!(out.status.code(), Some(0));

    // one byte changed in the template blob
    let p = s.blob("image.template");
    let mut bytes = std::fs::read(p).unwrap();
    bytes[0] ^= 1;
    std::fs::write(p, bytes).unwrap();
    let out = s.run(&["verify", "ollama://tiny:q8", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["summary"]["mismatched"], 1);
    let f = findings(&v, "integrity/hash-mismatch");
    assert_eq!(f.len(), 1);
    assert!(f[0]["file"].as_str().unwrap().starts_with("blobs/sha256-"));
}

#[test]
fn a_missing_blob_is_a_finding_and_fails_verify() {
    let s = store();
    std::fs::remove_file(s.blob("image.params")).unwrap();
    let r = s.json(&["inspect", "ollama://tiny:q8", "--format", "json"]);
    let f = findings(&r, "ollama/blob-missing");
    assert_eq!(f.len(), 1);
    assert!(f[0]["message"].as_str().unwrap().contains("image.params"));
    assert!(r["ollama"]["layers"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["present"] == false));
    let out = s.run(&["verify", "ollama://tiny:q8"]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn names_not_in_the_store_and_bad_manifests_are_clear_errors() {
    let s = store();
    let out = s.run(&["inspect", "ollama://nothere"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("nothere:latest") && err.contains("ollama pull"),
        "{err}"
    );
    assert!(err.contains("tiny:q8"), "lists what the store holds: {err}");

    let out = s.run(&["inspect", "ollama://../../etc"]);
    assert_eq!(out.status.code(), Some(2));

    std::fs::write(
        s.dir.join("manifests/registry.ollama.ai/library/tiny/q8"),
        b"{not json",
    )
    .unwrap();
    let out = s.run(&["inspect", "ollama://tiny:q8"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("malformed") && err.contains("not JSON"),
        "{err}"
    );

    // a layer with a bad digest is noted, the rest inspected
    let manifest = json!({"layers": [
        {"mediaType": "application/vnd.ollama.image.license", "digest": "sha256:zz", "size": 1}
    ]});
    std::fs::write(
        s.dir.join("manifests/registry.ollama.ai/library/tiny/q8"),
        serde_json::to_vec(&manifest).unwrap(),
    )
    .unwrap();
    let out = s.run(&["inspect", "ollama://tiny:q8", "--format", "json"]);
    // nothing a model has is left: not a model
    assert_eq!(out.status.code(), Some(2));

    let none = tempfile::tempdir().unwrap();
    let out = mri_env(
        &["inspect", "ollama://tiny"],
        &[("OLLAMA_MODELS", &none.path().join("absent"))],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("OLLAMA_MODELS"));
}

#[test]
fn every_command_that_takes_a_target_takes_an_ollama_name() {
    let s = store();
    let out = s.run(&["license", "ollama://tiny:q8"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("llama3.2"));
    let out = s.run(&["check", "ollama://tiny:q8", "--format", "json"]);
    assert!(out.status.code() == Some(0) || out.status.code() == Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["models"][0]["input"], "ollama://tiny:q8");
    let out = s.run(&["tui", "ollama://tiny:q8", "--headless", "80x24"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("tiny:q8"));
}

#[test]
fn lock_takes_each_blob_by_its_name_and_check_locked_matches() {
    let s = store();
    let lock = s.dir.join("..").join("mri.lock");
    let lock = lock.to_str().unwrap();
    let out = s.run(&["lock", "ollama://tiny:q8", "-o", lock]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(lock).unwrap();
    let blobs: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("path = \"blobs/sha256-"))
        .collect();
    assert_eq!(blobs.len(), 6, "{text}");
    for line in blobs {
        let hex = line
            .split("sha256-")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert!(line.contains(&format!("sha256 = \"{hex}\"")), "{line}");
    }
    let out = s.run(&["check", "ollama://tiny:q8", "--locked", lock]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(!text.contains("✗"), "{text}");
}
