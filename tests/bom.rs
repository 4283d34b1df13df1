//! `--format cyclonedx` and `--format spdx`: an AI bill of materials for
//! every target kind (directory, cache repo id, hf://, GGUF, ollama://,
//! adapter) and for `mri check`. Each CycloneDX BOM is validated against the
//! official CycloneDX 1.6 JSON schema (vendored under tests/data/cyclonedx
//! with its SPDX and JSF sub-schemas); when `MRI_BOM_VENV` names the venv
//! `.ci/run` builds, the reference tools check both formats too.

mod support;

use serde_json::Value;
use sha2::{Digest, Sha256};
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Output;
use support::fixture_gen::gguf_gen::{gguf_bytes, tiny_gguf_spec, write_tiny_gguf};
use support::fixture_gen::{random_bf16, write_safetensors, Rng};
use support::hub_server::{HubServer, RepoSpec};
use support::{copy_dir, fixtures, mri_env};

const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

const CARD: &str = "---
license: llama3.1
base_model: meta-llama/Llama-3.1-8B
pipeline_tag: text-generation
datasets:
- acme/instructions
- acme/chats
---
# tiny

## Intended uses

Testing mri.

## Limitations

It predicts nothing useful.
";

fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

fn ok(out: &Output) -> &[u8] {
    assert!(
        out.status.success(),
        "mri failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    &out.stdout
}

/// The tiny-llama fixture with [`CARD`] as its card.
fn directory(root: &Path) -> PathBuf {
    let dir = root.join("tiny");
    copy_dir(&fixtures().join("tiny-llama"), &dir);
    fs::write(dir.join("README.md"), CARD).unwrap();
    dir
}

/// `hub/models--acme--tiny` at [`COMMIT`]: the weights under their sha256
/// (an LFS blob), the small files under a 40-hex name (a git blob id).
fn cache(root: &Path) -> PathBuf {
    let hub = root.join("hub");
    let repo = hub.join("models--acme--tiny");
    let snap = repo.join("snapshots").join(COMMIT);
    fs::create_dir_all(repo.join("blobs")).unwrap();
    fs::create_dir_all(repo.join("refs")).unwrap();
    fs::create_dir_all(&snap).unwrap();
    for e in fs::read_dir(fixtures().join("tiny-llama")).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        let bytes = fs::read(e.path()).unwrap();
        let sha = sha256_hex(&bytes);
        let blob = if name.ends_with(".safetensors") {
            sha
        } else {
            sha[..40].to_string()
        };
        fs::write(repo.join("blobs").join(&blob), &bytes).unwrap();
        symlink(format!("../../blobs/{blob}"), snap.join(&name)).unwrap();
    }
    fs::write(repo.join("refs/main"), COMMIT).unwrap();
    hub
}

/// An Ollama store holding `library/tiny:q8`: the tiny GGUF and a license.
fn ollama(root: &Path) -> PathBuf {
    let dir = root.join("ollama");
    fs::create_dir_all(dir.join("blobs")).unwrap();
    let blob = |bytes: &[u8]| {
        let hex = sha256_hex(bytes);
        fs::write(dir.join("blobs").join(format!("sha256-{hex}")), bytes).unwrap();
        format!("sha256:{hex}")
    };
    let model = gguf_bytes(&tiny_gguf_spec());
    let license = b"MIT License\n\nPermission is hereby granted, free of charge".to_vec();
    let config = br#"{"model_format":"gguf","model_family":"llama"}"#.to_vec();
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "digest": blob(&config), "size": config.len()},
        "layers": [
            {"mediaType": "application/vnd.ollama.image.model", "digest": blob(&model), "size": model.len()},
            {"mediaType": "application/vnd.ollama.image.license", "digest": blob(&license), "size": license.len()},
        ],
    });
    let m = dir.join("manifests/registry.ollama.ai/library/tiny");
    fs::create_dir_all(&m).unwrap();
    fs::write(m.join("q8"), serde_json::to_vec(&manifest).unwrap()).unwrap();
    dir
}

/// A LoRA adapter for tiny-llama whose config names `acme/tiny-base`.
fn adapter(root: &Path) -> PathBuf {
    let dir = root.join("adapter");
    fs::create_dir_all(&dir).unwrap();
    let config = serde_json::json!({"peft_type": "LORA", "task_type": "CAUSAL_LM", "r": 4, "lora_alpha": 8,
        "target_modules": ["q_proj"], "base_model_name_or_path": "acme/tiny-base"});
    fs::write(dir.join("adapter_config.json"), config.to_string()).unwrap();
    let mut rng = Rng::new(3);
    let tensors = vec![
        random_bf16(
            &mut rng,
            "base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight",
            &[4, 32],
            0.1,
        ),
        random_bf16(
            &mut rng,
            "base_model.model.model.layers.0.self_attn.q_proj.lora_B.weight",
            &[32, 4],
            0.1,
        ),
        // in no LoRA pair: an `adapter/orphan-tensor` finding
        random_bf16(&mut rng, "base_model.model.model.norm.weight", &[32], 0.1),
    ];
    write_safetensors(&dir.join("adapter_model.safetensors"), &tensors).unwrap();
    fs::write(dir.join("README.md"), "---\nlicense: mit\n---\n# adapter\n").unwrap();
    dir
}

/// One BOM in both formats, parsed.
struct Boms {
    kind: &'static str,
    cdx: Value,
    spdx: Value,
}

/// `mri inspect TARGET --format F` for both formats, with `env`.
fn both(kind: &'static str, target: &str, env: &[(&str, &Path)], extra: &[&str]) -> Boms {
    let run = |format: &str| {
        let mut args = vec!["inspect", target, "--format", format];
        args.extend_from_slice(extra);
        let out = mri_env(&args, env);
        serde_json::from_slice::<Value>(ok(&out)).expect("JSON")
    };
    Boms {
        kind,
        cdx: run("cyclonedx"),
        spdx: run("spdx"),
    }
}

/// A BOM of every target kind (the hf:// one served from 127.0.0.1).
fn every_kind(root: &Path) -> Vec<Boms> {
    let dir = directory(root);
    let hub = cache(root);
    write_tiny_gguf(root).unwrap();
    let gguf = fs::read_dir(root.join(support::fixture_gen::gguf_gen::TINY_GGUF_DIR))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let store = ollama(root);
    let adapter = adapter(root);
    let server = HubServer::start(vec![RepoSpec::new("acme/remote", &dir)]).unwrap();
    let remote_cache = root.join("remote-cache");
    let url = PathBuf::from(&server.url);
    let home = root.join("home");
    fs::create_dir_all(&home).unwrap();
    vec![
        both("directory", dir.to_str().unwrap(), &[], &[]),
        both("cache", "acme/tiny", &[("HF_HUB_CACHE", &hub)], &[]),
        both(
            "hf",
            "hf://acme/remote",
            &[
                ("HF_ENDPOINT", &url),
                ("HF_HUB_CACHE", &remote_cache),
                ("HOME", &home),
            ],
            &[],
        ),
        both("gguf", gguf.to_str().unwrap(), &[], &[]),
        both(
            "ollama",
            "ollama://tiny:q8",
            &[("OLLAMA_MODELS", &store)],
            &[],
        ),
        both("adapter", adapter.to_str().unwrap(), &[], &[]),
    ]
}

/// The CycloneDX 1.6 schema with its SPDX and JSF sub-schemas.
fn assert_valid_cyclonedx(kind: &str, bom: &Value) {
    let read = |name: &str| -> Value {
        let p = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/cyclonedx")
            .join(name);
        serde_json::from_slice(&fs::read(p).unwrap()).unwrap()
    };
    let schema = read("bom-1.6.SNAPSHOT.schema.json");
    let registry = jsonschema::Registry::new()
        .add(
            "http://cyclonedx.org/schema/spdx.SNAPSHOT.schema.json",
            read("spdx.SNAPSHOT.schema.json"),
        )
        .unwrap()
        .add(
            "http://cyclonedx.org/schema/jsf-0.82.SNAPSHOT.schema.json",
            read("jsf-0.82.SNAPSHOT.schema.json"),
        )
        .unwrap()
        .prepare()
        .unwrap();
    let validator = jsonschema::options()
        .with_registry(&registry)
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(bom)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{kind}: {errors:#?}");
    // The schema is strict enough to see a mistake (an acknowledgement 1.6
    // does not know, a field it does not have).
    let mut wrong = bom.clone();
    wrong["components"][0]["licenses"] =
        serde_json::json!([{"license": {"id": "MIT", "acknowledgement": "assumed"}}]);
    assert!(!validator.is_valid(&wrong), "{kind}");
    let mut wrong = bom.clone();
    wrong["components"][0]["weights"] = serde_json::json!(1);
    assert!(!validator.is_valid(&wrong), "{kind}");
}

/// The first `machine-learning-model` component.
fn model(bom: &Value) -> &Value {
    bom["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "machine-learning-model")
        .expect("a model component")
}

/// The value of the property `name` of a component.
fn property<'a>(component: &'a Value, name: &str) -> Option<&'a str> {
    component["properties"]
        .as_array()?
        .iter()
        .find(|p| p["name"] == name)
        .and_then(|p| p["value"].as_str())
}

/// The nested `file` component for `path`.
fn file<'a>(model: &'a Value, path: &str) -> &'a Value {
    model["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == path)
        .unwrap_or_else(|| panic!("no file component {path}"))
}

fn sha_of(file: &Value) -> Option<&str> {
    file["hashes"][0]["content"].as_str()
}

/// The SPDX elements of `kind`.
fn elements<'a>(doc: &'a Value, kind: &str) -> Vec<&'a Value> {
    doc["@graph"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["type"] == kind)
        .collect()
}

/// The SPDX element with `id`.
fn element<'a>(doc: &'a Value, id: &Value) -> &'a Value {
    doc["@graph"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| &e["spdxId"] == id)
        .unwrap_or_else(|| panic!("no element {id}"))
}

/// The relationships of `kind`.
fn relationships<'a>(doc: &'a Value, kind: &str) -> Vec<&'a Value> {
    elements(doc, "Relationship")
        .into_iter()
        .filter(|r| r["relationshipType"] == kind)
        .collect()
}

#[test]
fn every_target_kind_gives_a_cyclonedx_bom_the_official_schema_accepts() {
    let tmp = tempfile::tempdir().unwrap();
    let boms = every_kind(tmp.path());
    for b in &boms {
        assert_valid_cyclonedx(b.kind, &b.cdx);
        assert_eq!(b.cdx["specVersion"], "1.6", "{}", b.kind);
        let tools = &b.cdx["metadata"]["tools"]["components"][0];
        assert_eq!(
            (tools["name"].as_str(), tools["version"].as_str()),
            (Some("mri"), Some(env!("CARGO_PKG_VERSION")))
        );
        assert!(b.cdx["metadata"].get("timestamp").is_none(), "{}", b.kind);
        // SPDX: one AI package with the purpose SPDX requires, one creation info.
        let pkgs = elements(&b.spdx, "ai_AIPackage");
        assert!(!pkgs.is_empty(), "{}", b.kind);
        assert_eq!(pkgs[0]["software_primaryPurpose"], "model");
        assert_eq!(elements(&b.spdx, "CreationInfo")[0]["specVersion"], "3.0.1");
    }
}

#[test]
fn a_directory_bom_carries_the_card_lineage_datasets_and_both_licenses() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = directory(tmp.path());
    let b = both("directory", dir.to_str().unwrap(), &[], &[]);
    let m = model(&b.cdx);
    // Nothing invented: a plain folder has no commit, package URL or supplier.
    for absent in ["version", "purl", "supplier", "hashes"] {
        assert!(m.get(absent).is_none(), "{absent}: {m:#}");
    }
    let licenses = m["licenses"].as_array().unwrap();
    let acks: Vec<(&str, &str)> = licenses
        .iter()
        .map(|l| {
            (
                l["license"]["name"].as_str().unwrap_or("?"),
                l["license"]["acknowledgement"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        acks.contains(&("Llama 3.1 Community License Agreement", "declared")),
        "{acks:?}"
    );
    assert!(
        acks.contains(&("Llama 3.1 Community License Agreement", "concluded")),
        "{acks:?}"
    );
    let params = &m["modelCard"]["modelParameters"];
    assert_eq!(params["task"], "text-generation");
    assert_eq!(params["architectureFamily"], "llama");
    assert_eq!(params["modelArchitecture"], "LlamaForCausalLM");
    assert_eq!(params["inputs"][0]["format"], "string");
    let refs: Vec<&str> = params["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["ref"].as_str().unwrap())
        .collect();
    assert_eq!(refs, ["dataset:acme/chats", "dataset:acme/instructions"]);
    for r in refs {
        let data = b.cdx["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["bom-ref"] == r)
            .unwrap_or_else(|| panic!("no data component {r}"));
        assert_eq!(data["type"], "data");
        assert_eq!(data["data"][0]["type"], "dataset");
    }
    let considerations = &m["modelCard"]["considerations"];
    assert_eq!(
        considerations["technicalLimitations"][0],
        "It predicts nothing useful."
    );
    assert_eq!(considerations["useCases"][0], "Testing mri.");
    let ancestor = &m["pedigree"]["ancestors"][0];
    assert_eq!(ancestor["name"], "meta-llama/Llama-3.1-8B");
    assert_eq!(ancestor["purl"], "pkg:huggingface/meta-llama/Llama-3.1-8B");
    assert_eq!(property(m, "mri:weights:dtypes"), Some("BF16"));
    assert!(property(m, "mri:weights:parameters").is_some());
    assert_eq!(
        property(m, "mri:license:verdict"),
        Some("permitted-with-conditions")
    );
    // One file component per file; no hash without a content address or --hash.
    assert_eq!(m["components"].as_array().unwrap().len(), 6);
    assert_eq!(sha_of(file(m, "model.safetensors")), None);

    // SPDX: the same facts as the AI and Dataset profiles spell them.
    let d = &b.spdx;
    let pkg = elements(d, "ai_AIPackage")
        .into_iter()
        .find(|p| p["name"] == "tiny")
        .unwrap();
    assert_eq!(pkg["ai_limitation"], "It predicts nothing useful.");
    assert_eq!(pkg["ai_domain"][0], "text-generation");
    assert!(pkg.get("software_packageVersion").is_none());
    assert!(pkg.get("suppliedBy").is_none());
    let hyper: Vec<&str> = pkg["ai_hyperparameter"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["key"].as_str().unwrap())
        .collect();
    assert!(hyper.contains(&"context_length") && hyper.contains(&"num_layers"));
    let trained = relationships(d, "trainedOn");
    assert_eq!(trained.len(), 1);
    assert_eq!(trained[0]["from"], pkg["spdxId"]);
    let datasets: Vec<&str> = trained[0]["to"]
        .as_array()
        .unwrap()
        .iter()
        .map(|id| element(d, id)["name"].as_str().unwrap())
        .collect();
    assert_eq!(datasets, ["acme/chats", "acme/instructions"]);
    let ancestry = relationships(d, "ancestorOf");
    assert_eq!(ancestry[0]["to"][0], pkg["spdxId"]);
    assert_eq!(
        element(d, &ancestry[0]["from"])["name"],
        "meta-llama/Llama-3.1-8B"
    );
    let declared = relationships(d, "hasDeclaredLicense");
    let lic = element(d, &declared[0]["to"][0]);
    assert_eq!(
        lic["simplelicensing_licenseExpression"],
        "LicenseRef-llama3.1"
    );
    let text = element(d, &lic["simplelicensing_customIdToUri"][0]["value"]);
    assert!(text["simplelicensing_licenseText"]
        .as_str()
        .unwrap()
        .contains("LLAMA 3.1 COMMUNITY LICENSE"));
    // SPDX requires a creation time; without --timestamp it is the epoch.
    assert_eq!(
        elements(d, "CreationInfo")[0]["created"],
        "1970-01-01T00:00:00Z"
    );
}

#[test]
fn a_cache_bom_names_the_commit_the_supplier_and_the_blob_hashes() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = cache(tmp.path());
    let weights = fs::read(fixtures().join("tiny-llama/model.safetensors")).unwrap();
    let config = fs::read(fixtures().join("tiny-llama/config.json")).unwrap();
    let b = both("cache", "acme/tiny", &[("HF_HUB_CACHE", &hub)], &[]);
    let m = model(&b.cdx);
    assert_eq!(m["version"], COMMIT);
    assert_eq!(m["purl"], format!("pkg:huggingface/acme/tiny@{COMMIT}"));
    assert_eq!(m["supplier"]["name"], "acme");
    assert_eq!(m["bom-ref"], "model:acme/tiny");
    // The weights' blob is named by its sha256; a git blob id is no sha256.
    let st = file(m, "model.safetensors");
    assert_eq!(sha_of(st), Some(sha256_hex(&weights).as_str()));
    assert_eq!(
        property(st, "mri:file:sha256-source"),
        Some("hf-cache-blob-name")
    );
    assert_eq!(m["hashes"][0]["content"], sha256_hex(&weights));
    assert_eq!(sha_of(file(m, "config.json")), None);
    let refs: Vec<&str> = m["externalReferences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["type"].as_str().unwrap())
        .collect();
    assert_eq!(refs, ["website", "model-card"]);
    let pkg = &elements(&b.spdx, "ai_AIPackage")[0];
    assert_eq!(pkg["software_packageVersion"], COMMIT);
    assert_eq!(
        pkg["software_downloadLocation"],
        "https://huggingface.co/acme/tiny"
    );
    assert_eq!(element(&b.spdx, &pkg["suppliedBy"])["name"], "acme");

    // --hash reads what no name gives (config.json), and keeps the rest.
    let h = both("cache", "acme/tiny", &[("HF_HUB_CACHE", &hub)], &["--hash"]);
    let m = model(&h.cdx);
    let cfg = file(m, "config.json");
    assert_eq!(sha_of(cfg), Some(sha256_hex(&config).as_str()));
    assert_eq!(property(cfg, "mri:file:sha256-source"), Some("computed"));
    assert_eq!(
        property(file(m, "model.safetensors"), "mri:file:sha256-source"),
        Some("hf-cache-blob-name")
    );
    let files = elements(&h.spdx, "software_File");
    let spdx_cfg = files.iter().find(|f| f["name"] == "config.json").unwrap();
    assert_eq!(
        spdx_cfg["verifiedUsing"][0]["hashValue"],
        sha256_hex(&config)
    );
}

#[test]
fn gguf_ollama_hf_and_adapter_boms_say_what_their_sources_know() {
    let tmp = tempfile::tempdir().unwrap();
    let boms = every_kind(tmp.path());
    let by = |kind: &str| boms.iter().find(|b| b.kind == kind).unwrap();
    // GGUF: the file is the model; its metadata declares the license.
    let g = model(&by("gguf").cdx);
    assert_eq!(
        g["modelCard"]["modelParameters"]["architectureFamily"],
        "llama"
    );
    assert!(property(g, "mri:weights:quantization").is_some());
    assert_eq!(g["licenses"][0]["license"]["id"], "Apache-2.0");
    assert_eq!(g["licenses"][0]["license"]["acknowledgement"], "declared");
    // A plain file has no hash unless asked.
    assert!(g.get("hashes").is_none());
    // Ollama: blobs named by their sha256, the tag as the version.
    let o = model(&by("ollama").cdx);
    assert_eq!(o["version"], "q8");
    assert!(o.get("supplier").is_none(), "library is Ollama's namespace");
    let mut blobs = 0;
    for f in o["components"].as_array().unwrap() {
        let name = f["name"].as_str().unwrap();
        let hex = name.strip_prefix("blobs/sha256-");
        blobs += usize::from(hex.is_some());
        assert_eq!(sha_of(f), hex, "{name}");
    }
    assert_eq!(blobs, 3, "{o:#}");
    // hf://: the commit the Hub answered, the weights' sha256 as listed.
    let r = model(&by("hf").cdx);
    assert!(r["purl"]
        .as_str()
        .unwrap()
        .starts_with("pkg:huggingface/acme/remote@"));
    let weights = fs::read(fixtures().join("tiny-llama/model.safetensors")).unwrap();
    assert_eq!(
        sha_of(file(r, "model.safetensors")),
        Some(sha256_hex(&weights).as_str())
    );
    // Adapter: its base is its ancestor, in both formats.
    let a = model(&by("adapter").cdx);
    assert_eq!(a["pedigree"]["ancestors"][0]["name"], "acme/tiny-base");
    assert_eq!(property(a, "mri:adapter:peft-type"), Some("LORA"));
    // Every finding is a property (an annotation in SPDX).
    let finding = property(a, "mri:finding").expect("a finding property");
    assert!(
        finding.starts_with("warning adapter/orphan-tensor: "),
        "{finding}"
    );
    let d = &by("adapter").spdx;
    let anc = relationships(d, "ancestorOf");
    assert_eq!(element(d, &anc[0]["from"])["name"], "acme/tiny-base");
    assert!(elements(d, "Annotation").iter().any(|n| n["statement"]
        .as_str()
        .unwrap()
        .starts_with("mri:finding=warning adapter/orphan-tensor")));
}

#[test]
fn boms_are_the_same_for_the_same_model_unless_a_timestamp_is_asked() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = directory(tmp.path());
    let target = dir.to_str().unwrap();
    for format in ["cyclonedx", "spdx"] {
        let once = mri_env(&["inspect", target, "--format", format], &[]);
        let twice = mri_env(&["inspect", target, "--format", format], &[]);
        assert_eq!(ok(&once), ok(&twice), "{format}");
    }
    let plain: Value =
        serde_json::from_slice(ok(&mri_env(&["inspect", target, "-f", "cyclonedx"], &[]))).unwrap();
    let stamped: Value = serde_json::from_slice(ok(&mri_env(
        &["inspect", target, "-f", "cyclonedx", "--timestamp"],
        &[],
    )))
    .unwrap();
    let t = stamped["metadata"]["timestamp"].as_str().unwrap();
    assert!(
        t.len() == 20 && t.ends_with('Z') && t.starts_with("20"),
        "{t}"
    );
    assert_ne!(plain["serialNumber"], stamped["serialNumber"]);
    assert_valid_cyclonedx("timestamp", &stamped);
    let spdx: Value = serde_json::from_slice(ok(&mri_env(
        &["inspect", target, "-f", "spdx", "--timestamp"],
        &[],
    )))
    .unwrap();
    // taken a moment later: the same day at least
    let created = elements(&spdx, "CreationInfo")[0]["created"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(created.len(), 20, "{created}");
    // SOURCE_DATE_EPOCH is the time written, the same on every run
    for format in ["cyclonedx", "spdx"] {
        let env = [("SOURCE_DATE_EPOCH", std::path::Path::new("1700000000"))];
        let once = mri_env(&["inspect", target, "-f", format], &env);
        let twice = mri_env(&["inspect", target, "-f", format, "--timestamp"], &env);
        assert_eq!(ok(&once), ok(&twice), "{format}");
        let doc: Value = serde_json::from_slice(ok(&once)).unwrap();
        let time = if format == "cyclonedx" {
            doc["metadata"]["timestamp"].clone()
        } else {
            elements(&doc, "CreationInfo")[0]["created"].clone()
        };
        assert_eq!(time, "2023-11-14T22:13:20Z", "{format}");
    }
}

#[test]
fn check_writes_one_bom_with_every_model() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = directory(tmp.path());
    let adapter = adapter(tmp.path());
    let policy = tmp.path().join("mri.toml");
    fs::write(&policy, "[licenses]\nallow-verdicts = [\"permitted\"]\n").unwrap();
    for format in ["cyclonedx", "spdx"] {
        let out = mri_env(
            &[
                "check",
                dir.to_str().unwrap(),
                adapter.to_str().unwrap(),
                "--policy",
                policy.to_str().unwrap(),
                "--format",
                format,
            ],
            &[],
        );
        // The gate's exit code stands (tiny's Llama terms fail this policy).
        assert_eq!(
            out.status.code(),
            Some(1),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let bom: Value = serde_json::from_slice(&out.stdout).unwrap();
        if format == "cyclonedx" {
            assert_valid_cyclonedx("check", &bom);
            let names: Vec<&str> = bom["components"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|c| c["type"] == "machine-learning-model")
                .map(|c| c["name"].as_str().unwrap())
                .collect();
            assert_eq!(names, ["tiny", "adapter"]);
        } else {
            let doc = &elements(&bom, "SpdxDocument")[0];
            assert_eq!(doc["rootElement"].as_array().unwrap().len(), 2);
        }
    }
}

/// The reference tools, from the venv `.ci/run` builds: cyclonedx-python-lib's
/// strict 1.6 validator, and spdx-python-model's v3_0_1 JSON-LD
/// deserializer then serializer.
#[test]
fn reference_tools_accept_every_bom() {
    let Some(venv) = std::env::var_os("MRI_BOM_VENV") else {
        println!("skipped: MRI_BOM_VENV is not set (.ci/run sets it to its venv)");
        return;
    };
    let python = Path::new(&venv).join("bin/python");
    let tmp = tempfile::tempdir().unwrap();
    let boms = every_kind(tmp.path());
    let out_dir = tmp.path().join("boms");
    fs::create_dir_all(&out_dir).unwrap();
    let mut cdx = Vec::new();
    let mut spdx = Vec::new();
    for b in &boms {
        let c = out_dir.join(format!("{}.cdx.json", b.kind));
        fs::write(&c, b.cdx.to_string()).unwrap();
        cdx.push(c);
        let s = out_dir.join(format!("{}.spdx.json", b.kind));
        fs::write(&s, b.spdx.to_string()).unwrap();
        spdx.push(s);
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bom/check_bom.py");
    for (format, files) in [("cyclonedx", &cdx), ("spdx", &spdx)] {
        let out = std::process::Command::new(&python)
            .arg(&script)
            .arg(format)
            .args(files.iter())
            .output()
            .expect("run the venv's python");
        assert!(
            out.status.success(),
            "{format}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
