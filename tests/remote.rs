//! `hf://` targets and `mri download`, against a real HTTP server on
//! 127.0.0.1 that serves fixture repositories in the Hub's URL shape
//! (`tests/support/hub_server.rs`).

mod support;

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use support::fixture_gen::{read_tree, split_into_shards, write_sparse_safetensors};
use support::hub_server::{Hostile, HostileServer, HubServer, RepoSpec};
use support::{fixtures, inspect_json};

/// Runs `mri` against `server` with the cache in `cache`, HOME in a
/// temporary folder (no token file of the machine's), and `env` on top.
fn mri_hub(args: &[&str], server: &HubServer, cache: &Path, env: &[(&str, &str)]) -> Output {
    mri_at(args, &server.url, cache, env)
}

/// [`mri_hub`] against the endpoint `url`.
fn mri_at(args: &[&str], url: &str, cache: &Path, env: &[(&str, &str)]) -> Output {
    let home = cache.parent().expect("cache has a parent").join("home");
    std::fs::create_dir_all(&home).expect("home");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mri"));
    cmd.args(args)
        .env_remove("HF_HOME")
        .env_remove("HF_TOKEN")
        .env_remove("HUGGING_FACE_HUB_TOKEN")
        .env_remove("HF_TOKEN_PATH")
        .env_remove("HF_HUB_OFFLINE")
        .env_remove("XDG_CACHE_HOME")
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .env_remove("ALL_PROXY")
        .env_remove("http_proxy")
        .env_remove("https_proxy")
        .env_remove("all_proxy")
        .env("HOME", &home)
        .env("HF_ENDPOINT", url)
        .env("HF_HUB_CACHE", cache)
        .env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run mri")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json_of(out: &Output) -> Value {
    assert!(out.status.success(), "mri failed: {}", stderr(out));
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

/// A Llama-shaped checkpoint of 8 sparse shards (about 7.6 GB apparent, a
/// few kB on disk), its index, config.json and a card.
fn write_sparse_sharded(dir: &Path) -> u64 {
    std::fs::create_dir_all(dir).expect("mkdir");
    let (h, i, v, layers, kv) = (4096u64, 14336u64, 32000u64, 16u64, 1024u64);
    let mut tensors: Vec<(String, Vec<u64>)> =
        vec![("model.embed_tokens.weight".into(), vec![v, h])];
    for l in 0..layers {
        let p = format!("model.layers.{l}");
        tensors.push((format!("{p}.input_layernorm.weight"), vec![h]));
        tensors.push((format!("{p}.self_attn.q_proj.weight"), vec![h, h]));
        tensors.push((format!("{p}.self_attn.k_proj.weight"), vec![kv, h]));
        tensors.push((format!("{p}.self_attn.v_proj.weight"), vec![kv, h]));
        tensors.push((format!("{p}.self_attn.o_proj.weight"), vec![h, h]));
        tensors.push((format!("{p}.post_attention_layernorm.weight"), vec![h]));
        tensors.push((format!("{p}.mlp.gate_proj.weight"), vec![i, h]));
        tensors.push((format!("{p}.mlp.up_proj.weight"), vec![i, h]));
        tensors.push((format!("{p}.mlp.down_proj.weight"), vec![h, i]));
    }
    tensors.push(("model.norm.weight".into(), vec![h]));
    tensors.push(("lm_head.weight".into(), vec![v, h]));
    let sizes: Vec<u64> = tensors
        .iter()
        .map(|(_, s)| s.iter().product::<u64>() * 2)
        .collect();
    let shards = 8;
    let mut weight_map = BTreeMap::new();
    for (n, g) in split_into_shards(&sizes, shards).iter().enumerate() {
        let name = format!("model-{:05}-of-{:05}.safetensors", n + 1, shards);
        let meta: Vec<(&str, &str, &[u64], u64)> = g
            .clone()
            .map(|k| {
                (
                    tensors[k].0.as_str(),
                    "BF16",
                    tensors[k].1.as_slice(),
                    sizes[k],
                )
            })
            .collect();
        for m in &meta {
            weight_map.insert(m.0.to_string(), name.clone());
        }
        write_sparse_safetensors(&dir.join(&name), &meta).expect("shard");
    }
    let total: u64 = sizes.iter().sum();
    let write = |name: &str, value: Value| {
        std::fs::write(
            dir.join(name),
            serde_json::to_string_pretty(&value).expect("json"),
        )
        .expect("write")
    };
    write(
        "model.safetensors.index.json",
        json!({"metadata": {"total_size": total}, "weight_map": weight_map}),
    );
    write(
        "config.json",
        json!({
            "architectures": ["LlamaForCausalLM"], "model_type": "llama",
            "hidden_size": h, "intermediate_size": i, "num_hidden_layers": layers,
            "num_attention_heads": 32, "num_key_value_heads": 8, "vocab_size": v,
            "max_position_embeddings": 8192, "rope_theta": 500000.0,
            "tie_word_embeddings": false, "torch_dtype": "bfloat16"
        }),
    );
    std::fs::write(
        dir.join("README.md"),
        "---\nlicense: apache-2.0\nlibrary_name: transformers\n---\n# Sparse\n\nA test checkpoint.\n",
    )
    .expect("card");
    total
}

/// The Report without what depends on where the files are: the target, and
/// the cache links and remote marks of each file.
fn comparable(mut report: Value) -> Value {
    let obj = report.as_object_mut().expect("object");
    obj.remove("target");
    for f in obj["files"].as_array_mut().expect("files") {
        let f = f.as_object_mut().expect("file");
        f.remove("link_target");
        f.remove("remote_only");
        f.remove("lfs_sha256");
    }
    report
}

fn snapshot_dir(cache: &Path, repo: &str, commit: &str) -> PathBuf {
    cache
        .join(format!("models--{}", repo.replace('/', "--")))
        .join("snapshots")
        .join(commit)
}

#[test]
fn a_sparse_sharded_checkpoint_is_audited_through_headers_and_lands_in_the_cache() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let model = tmp.path().join("sparse");
    let weight_bytes = write_sparse_sharded(&model);
    let server = HubServer::start(vec![RepoSpec::new("acme/sparse", &model)]).expect("server");
    let cache = tmp.path().join("cache");

    let out = mri_hub(
        &["inspect", "hf://acme/sparse", "--format", "json"],
        &server,
        &cache,
        &[],
    );
    let remote = json_of(&out);

    // Less than 0.1% of the weights crossed the wire, and mri counted it.
    let served = server.bytes_served();
    assert!(
        served * 1000 < weight_bytes,
        "served {served} bytes for {weight_bytes} bytes of weights"
    );
    let info = &remote["target"]["remote"];
    assert_eq!(info["bytes_fetched"], json!(served));
    assert_eq!(info["requests"], json!(server.requests().len()));
    assert_eq!(info["repo"], "acme/sparse");
    assert_eq!(info["endpoint"], json!(server.url));
    assert_eq!(info["commit"], json!(server.commit("acme/sparse")));
    assert_eq!(info["headers_read"], 8);
    // Shard bytes were only ever asked for by range.
    for r in server.requests() {
        if r.target.ends_with(".safetensors") && r.status != 302 {
            let range = r
                .range
                .as_deref()
                .unwrap_or_else(|| panic!("{} without Range", r.target));
            assert!(range.starts_with("bytes=0-"), "{range}");
        }
    }

    // The same Report as for the local folder, shards with their real sizes.
    let local = inspect_json(&model);
    assert_eq!(comparable(remote.clone()), comparable(local));
    let shards = remote["weights"]["shards"].as_array().expect("shards");
    assert_eq!(shards.len(), 8);
    let files = remote["files"].as_array().expect("files");
    for s in shards {
        let size = std::fs::metadata(model.join(s["path"].as_str().expect("path")))
            .expect("shard")
            .len();
        assert_eq!(s["size"], json!(size));
        let f = files
            .iter()
            .find(|f| f["path"] == s["path"])
            .expect("listed");
        assert_eq!(f["remote_only"], true);
        assert_eq!(f["lfs_sha256"].as_str().map(str::len), Some(64));
    }

    // The small files are in the Hugging Face cache layout.
    let commit = server.commit("acme/sparse");
    let repo_dir = cache.join("models--acme--sparse");
    assert_eq!(
        std::fs::read_to_string(repo_dir.join("refs/main")).expect("ref"),
        commit
    );
    let snap = snapshot_dir(&cache, "acme/sparse", &commit);
    for name in ["config.json", "README.md", "model.safetensors.index.json"] {
        let link = std::fs::read_link(snap.join(name)).expect("a link");
        assert_eq!(
            link,
            PathBuf::from(format!("../../blobs/{}", server.etag("acme/sparse", name)))
        );
        assert_eq!(
            std::fs::read(snap.join(name)).expect("content"),
            std::fs::read(model.join(name)).expect("original")
        );
    }
    assert!(
        !snap.join("model-00001-of-00008.safetensors").exists(),
        "no shard is downloaded"
    );

    // `mri inspect ORG/NAME` reads that cache offline.
    let requests_before = server.requests().len();
    let out = mri_hub(
        &["inspect", "acme/sparse", "--format", "json"],
        &server,
        &cache,
        &[("HF_HUB_OFFLINE", "1")],
    );
    let cached = json_of(&out);
    assert_eq!(cached["architecture"], remote["architecture"]);
    assert_eq!(cached["card"], remote["card"]);
    assert_eq!(cached["target"]["kind"], "cache-snapshot");
    // and so does hf:// with HF_HUB_OFFLINE, without a request.
    let out = mri_hub(
        &["inspect", "hf://acme/sparse", "--format", "json"],
        &server,
        &cache,
        &[("HF_HUB_OFFLINE", "1")],
    );
    let offline = json_of(&out);
    assert_eq!(offline["architecture"], remote["architecture"]);
    assert!(offline["target"].get("remote").is_none());
    assert_eq!(server.requests().len(), requests_before);

    // A second online run reuses the cached files: listing and headers only.
    let out = mri_hub(
        &["inspect", "hf://acme/sparse", "--format", "json"],
        &server,
        &cache,
        &[],
    );
    let again = json_of(&out);
    assert_eq!(again["target"]["remote"]["files_fetched"], 0);
    assert_eq!(again["target"]["remote"]["files_cached"], 3);
    assert_eq!(comparable(again), comparable(remote));

    // The text report says where it came from.
    let out = mri_hub(&["inspect", "hf://acme/sparse"], &server, &cache, &[]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("from {}", server.url)), "{text}");
    assert!(text.contains("8 headers by Range"), "{text}");
}

#[test]
fn the_tokenizer_is_fetched_only_when_asked() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let model = fixtures().join("tiny-llama-sharded");
    let server = HubServer::start(vec![RepoSpec::new("acme/tiny", &model)]).expect("server");
    let cache = tmp.path().join("cache");

    let out = mri_hub(
        &["inspect", "hf://acme/tiny", "--format", "json"],
        &server,
        &cache,
        &[],
    );
    let without = json_of(&out);
    let tok = without["files"]
        .as_array()
        .expect("files")
        .iter()
        .find(|f| f["path"] == "tokenizer.json")
        .expect("listed");
    assert_eq!(tok["remote_only"], true);
    assert_eq!(
        tok["size"],
        json!(std::fs::metadata(model.join("tokenizer.json"))
            .expect("tok")
            .len())
    );
    assert!(!server
        .requests()
        .iter()
        .any(|r| r.target.contains("tokenizer.json")));
    // The text report says how to get the vocabulary it could not count.
    let text = |server: &HubServer| {
        let out = mri_hub(&["inspect", "hf://acme/tiny"], server, &cache, &[]);
        assert!(out.status.success(), "{}", stderr(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let before = text(&server);
    assert!(before.contains("add --tokenizer"), "{before}");

    let out = mri_hub(
        &[
            "inspect",
            "hf://acme/tiny",
            "--tokenizer",
            "--format",
            "json",
        ],
        &server,
        &cache,
        &[],
    );
    let with = json_of(&out);
    assert!(server
        .requests()
        .iter()
        .any(|r| r.target.ends_with("/tokenizer.json")));
    // With the tokenizer, real (small) weights give the local Report exactly.
    assert_eq!(comparable(with), comparable(inspect_json(&model)));
    let after = text(&server);
    assert!(!after.contains("--tokenizer"), "{after}");
}

#[test]
fn a_gated_repo_needs_a_token_sent_as_bearer() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let model = fixtures().join("tiny-llama");
    let mut spec = RepoSpec::new("acme/gated", &model);
    spec.gated_token = Some("hf_secret".to_string());
    let server = HubServer::start(vec![spec]).expect("server");
    let cache = tmp.path().join("cache");

    let out = mri_hub(&["inspect", "hf://acme/gated"], &server, &cache, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("401 Unauthorized"), "{err}");
    assert!(
        err.contains(&format!("{}/acme/gated/resolve/", server.url)),
        "{err}"
    );
    assert!(err.contains("gated"), "{err}");
    assert!(
        err.contains(&format!("Accept its terms on {}/acme/gated", server.url)),
        "{err}"
    );
    assert!(err.contains("HF_TOKEN"), "{err}");

    let out = mri_hub(
        &["inspect", "hf://acme/gated", "--format", "json"],
        &server,
        &cache,
        &[("HF_TOKEN", "hf_wrong")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("The token from HF_TOKEN was sent"),
        "{}",
        stderr(&out)
    );

    let out = mri_hub(
        &["inspect", "hf://acme/gated", "--format", "json"],
        &server,
        &cache,
        &[("HF_TOKEN", "hf_secret")],
    );
    let report = json_of(&out);
    assert_eq!(
        report["weights"]["tensor_count"],
        inspect_json(&model)["weights"]["tensor_count"]
    );
    let resolves: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r.target.contains("/resolve/") && r.status != 401)
        .collect();
    assert!(!resolves.is_empty());
    for r in &resolves {
        assert_eq!(
            r.authorization.as_deref(),
            Some("Bearer hf_secret"),
            "{}",
            r.target
        );
    }
    // The token is never sent to another address (the CDN redirect is on the
    // same server here, so it is kept; what matters is that the endpoint gets it).

    // The token file under HF_HOME works as well.
    let hf_home = tmp.path().join("hf-home");
    std::fs::create_dir_all(&hf_home).expect("mkdir");
    std::fs::write(hf_home.join("token"), "hf_secret\n").expect("token");
    let other_cache = tmp.path().join("cache2");
    let out = mri_hub(
        &["inspect", "hf://acme/gated", "--format", "json"],
        &server,
        &other_cache,
        &[("HF_HOME", hf_home.to_str().expect("utf-8"))],
    );
    json_of(&out);
}

#[test]
fn missing_stalled_and_flaky_repos() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let model = fixtures().join("tiny-llama");
    let mut slow = RepoSpec::new("acme/slow", &model);
    slow.stall = true;
    let mut flaky = RepoSpec::new("acme/flaky", &model);
    flaky.fail_listing = 2;
    let server = HubServer::start(vec![slow, flaky]).expect("server");
    let cache = tmp.path().join("cache");

    let out = mri_hub(&["inspect", "hf://acme/nothing"], &server, &cache, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("404 Not Found"), "{err}");
    assert!(
        err.contains(&format!(
            "{}/api/models/acme/nothing/revision/main",
            server.url
        )),
        "{err}"
    );
    assert!(err.contains("check the name"), "{err}");

    let out = mri_hub(&["inspect", "hf://acme/flaky@v9"], &server, &cache, &[]);
    assert_eq!(out.status.code(), Some(2));
    // (the first two listing requests of acme/flaky fail with 503 and are retried)
    let err = stderr(&out);
    assert!(err.contains("no such revision"), "{err}");

    let out = mri_hub(
        &["inspect", "hf://acme/slow"],
        &server,
        &cache,
        &[("HF_HUB_ETAG_TIMEOUT", "0.3")],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("no answer from"), "{err}");
    assert!(err.contains("/api/models/acme/slow/revision/main"), "{err}");
    assert!(err.contains("HF_HUB_ETAG_TIMEOUT"), "{err}");
    assert!(err.contains("tried 3 times"), "{err}");

    let listing_calls = |id: &str| {
        server
            .requests()
            .iter()
            .filter(|r| r.target.starts_with(&format!("/api/models/{id}/")))
            .map(|r| r.status)
            .collect::<Vec<u16>>()
    };
    let out = mri_hub(
        &["inspect", "hf://acme/flaky", "--format", "json"],
        &server,
        &cache,
        &[],
    );
    json_of(&out);
    let calls = listing_calls("acme/flaky");
    assert_eq!(calls.iter().filter(|s| **s == 503).count(), 2, "{calls:?}");
    assert!(calls.contains(&200), "{calls:?}");

    let out = mri_hub(
        &["inspect", "hf://acme/tiny@a", "--revision", "b"],
        &server,
        &cache,
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("given twice"), "{}", stderr(&out));
    let out = mri_hub(&["inspect", "hf://a/b/c"], &server, &cache, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not a Hub model"), "{}", stderr(&out));
}

#[test]
fn offline_with_nothing_cached_is_a_clear_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let server = HubServer::start(vec![RepoSpec::new(
        "acme/tiny",
        &fixtures().join("tiny-llama"),
    )])
    .expect("server");
    let cache = tmp.path().join("cache");
    let out = mri_hub(
        &["inspect", "hf://acme/tiny"],
        &server,
        &cache,
        &[("HF_HUB_OFFLINE", "1")],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("HF_HUB_OFFLINE is set"), "{err}");
    assert!(
        err.contains("`acme/tiny` is not in the Hugging Face cache"),
        "{err}"
    );
    assert!(err.contains(cache.to_str().expect("utf-8")), "{err}");
    let out = mri_hub(
        &["download", "hf://acme/tiny"],
        &server,
        &cache,
        &[("HF_HUB_OFFLINE", "1")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("needs the Hub"), "{}", stderr(&out));
    // Local-only commands read the cache and say how to fill it.
    let out = mri_hub(&["verify", "hf://acme/tiny"], &server, &cache, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("mri download hf://acme/tiny"),
        "{}",
        stderr(&out)
    );
    assert!(server.requests().is_empty(), "offline means no request");
}

#[test]
fn download_fetches_every_file_and_resumes() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let model = fixtures().join("tiny-llama-sharded");
    let mut cut = RepoSpec::new("acme/cut", &model);
    cut.cut_first_download_at = Some(10_000);
    let server = HubServer::start(vec![RepoSpec::new("acme/tiny", &model), cut]).expect("server");
    let commit = server.commit("acme/tiny");

    // Everything, into a fresh cache.
    let cache = tmp.path().join("cache");
    let out = mri_hub(
        &["download", "hf://acme/tiny", "--quiet"],
        &server,
        &cache,
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let snap = snapshot_dir(&cache, "acme/tiny", &commit);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        snap.to_str().expect("utf-8")
    );
    assert_eq!(
        read_tree(&snap).expect("snapshot"),
        read_tree(&model).expect("model")
    );
    let shard = "model-00001-of-00003.safetensors";
    assert_eq!(
        std::fs::read_link(snap.join(shard)).expect("link"),
        PathBuf::from(format!("../../blobs/{}", server.etag("acme/tiny", shard)))
    );
    // The downloaded copy is a complete model: verify and inspect read it.
    let out = mri_hub(&["verify", "hf://acme/tiny"], &server, &cache, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = mri_hub(
        &["inspect", "hf://acme/tiny", "--format", "json"],
        &server,
        &cache,
        &[],
    );
    let r = json_of(&out);
    assert_eq!(r["target"]["remote"]["files_remote_only"], 0);
    assert_eq!(r["target"]["remote"]["headers_read"], 0);
    // Downloading again fetches nothing.
    let before = server.bytes_served();
    let out = mri_hub(&["download", "hf://acme/tiny"], &server, &cache, &[]);
    assert!(stderr(&out).contains("0 downloaded"), "{}", stderr(&out));
    assert!(server.bytes_served() - before < 10_000, "only the listing");

    // A part left by an interrupted run is resumed with a Range request.
    let cache2 = tmp.path().join("cache2");
    let etag = server.etag("acme/tiny", shard);
    let blobs = cache2.join("models--acme--tiny/blobs");
    std::fs::create_dir_all(&blobs).expect("mkdir");
    let content = std::fs::read(model.join(shard)).expect("shard");
    let half = content.len() / 2;
    std::fs::write(blobs.join(format!("{etag}.incomplete")), &content[..half]).expect("part");
    let out = mri_hub(
        &["download", "hf://acme/tiny", "--quiet"],
        &server,
        &cache2,
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("(1 resumed)"), "{}", stderr(&out));
    let resumed: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| {
            r.target.contains(shard) && r.range.as_deref() == Some(&format!("bytes={half}-"))
        })
        .collect();
    assert!(
        resumed
            .iter()
            .any(|r| r.status == 206 && r.body_bytes == (content.len() - half) as u64),
        "{resumed:?}"
    );
    assert_eq!(
        std::fs::read(snapshot_dir(&cache2, "acme/tiny", &commit).join(shard)).expect("read"),
        content
    );
    assert!(!blobs.join(format!("{etag}.incomplete")).exists());

    // A connection cut mid-file is resumed within the same run.
    let cache3 = tmp.path().join("cache3");
    let out = mri_hub(
        &["download", "hf://acme/cut", "--quiet"],
        &server,
        &cache3,
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let snap3 = snapshot_dir(&cache3, "acme/cut", &server.commit("acme/cut"));
    assert_eq!(
        read_tree(&snap3).expect("snapshot"),
        read_tree(&model).expect("model")
    );
    assert!(server
        .requests()
        .iter()
        .any(|r| r.target.starts_with("/cdn/acme/cut/")
            && r.range.as_deref() == Some("bytes=10000-")));

    // --include picks files by glob.
    let cache4 = tmp.path().join("cache4");
    let out = mri_hub(
        &["download", "hf://acme/tiny", "--include", "*.json"],
        &server,
        &cache4,
        &[],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let snap4 = snapshot_dir(&cache4, "acme/tiny", &commit);
    let mut names: Vec<String> = read_tree(&snap4).expect("snapshot").into_keys().collect();
    names.sort();
    assert_eq!(
        names,
        [
            "config.json",
            "generation_config.json",
            "model.safetensors.index.json",
            "tokenizer.json",
            "tokenizer_config.json"
        ]
    );
    let out = mri_hub(
        &["download", "hf://acme/tiny", "--include", "*.gguf"],
        &server,
        &cache4,
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("matches --include"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn content_that_differs_from_the_listing_is_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let model = tmp.path().join("m");
    support::copy_dir(&fixtures().join("tiny-llama"), &model);
    let server = HubServer::start(vec![RepoSpec::new("acme/tiny", &model)]).expect("server");
    // Changed after the server listed it: the content no longer has the listed hashes.
    let mut bytes = std::fs::read(model.join("model.safetensors")).expect("read");
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    std::fs::write(model.join("model.safetensors"), &bytes).expect("write");
    let cache = tmp.path().join("cache");
    let out = mri_hub(
        &["download", "hf://acme/tiny", "--quiet"],
        &server,
        &cache,
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("model.safetensors: downloaded content has sha256"),
        "{err}"
    );
    let blobs = cache.join("models--acme--tiny/blobs");
    let etag = server.etag("acme/tiny", "model.safetensors");
    assert!(!blobs.join(&etag).exists() && !blobs.join(format!("{etag}.incomplete")).exists());
}

#[test]
fn check_gates_remote_targets_concurrently_within_the_connection_bound() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let sparse = tmp.path().join("sparse");
    write_sparse_sharded(&sparse);
    let server = HubServer::start(vec![
        RepoSpec::new("acme/sparse", &sparse),
        RepoSpec::new("acme/tiny", &fixtures().join("tiny-llama-sharded")),
    ])
    .expect("server");
    // Each request takes a while, so that requests over the bound would overlap.
    server.set_latency(std::time::Duration::from_millis(20));
    let cache = tmp.path().join("cache");
    let out = mri_hub(
        &[
            "check",
            "hf://acme/sparse",
            "hf://acme/tiny",
            "hf://acme/nothing",
            "--format",
            "json",
        ],
        &server,
        &cache,
        &[("MRI_HUB_CONNECTIONS", "2")],
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "one target is unusable: {}",
        stderr(&out)
    );
    let outcome: Value = serde_json::from_slice(&out.stdout).expect("json");
    let models = outcome["models"].as_array().expect("models");
    assert_eq!(models.len(), 2, "{outcome}");
    let errors = outcome["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1);
    assert!(errors[0]["message"]
        .as_str()
        .expect("message")
        .contains("404"));
    assert!(
        server.peak_in_flight() <= 2,
        "peak {}",
        server.peak_in_flight()
    );
}

#[test]
fn smoke_needs_the_weights_downloaded() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let server = HubServer::start(vec![RepoSpec::new(
        "acme/tiny",
        &fixtures().join("tiny-llama"),
    )])
    .expect("server");
    let cache = tmp.path().join("cache");
    let out = mri_hub(&["smoke", "hf://acme/tiny"], &server, &cache, &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("model.safetensors is on the Hub only"),
        "{err}"
    );
    assert!(err.contains("`mri download hf://acme/tiny`"), "{err}");
}

#[test]
fn long_and_broken_headers_are_read_as_a_local_scan_reads_them() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let model = tmp.path().join("long");
    std::fs::create_dir_all(&model).expect("mkdir");
    // 3,000 tensors: a header of about 300 kB, longer than the first read.
    let names: Vec<String> = (0..3000)
        .map(|i| format!("model.layers.{i}.mlp.experts.gate_and_up_projection.weight"))
        .collect();
    let shape = [64u64, 64];
    let meta: Vec<(&str, &str, &[u64], u64)> = names
        .iter()
        .map(|n| (n.as_str(), "BF16", &shape[..], 64 * 64 * 2))
        .collect();
    write_sparse_safetensors(&model.join("model.safetensors"), &meta).expect("long");
    // A prefix that claims more than the file holds.
    let mut broken = 5_000_000u64.to_le_bytes().to_vec();
    broken.extend_from_slice(b"{\"a\":");
    std::fs::write(model.join("broken.safetensors"), &broken).expect("broken");
    std::fs::write(model.join("config.json"), r#"{"model_type": "llama"}"#).expect("config");
    let server = HubServer::start(vec![RepoSpec::new("acme/long", &model)]).expect("server");
    let cache = tmp.path().join("cache");

    let out = mri_hub(
        &["inspect", "hf://acme/long", "--format", "json"],
        &server,
        &cache,
        &[],
    );
    let remote = json_of(&out);
    assert_eq!(remote["weights"]["tensor_count"], 3000);
    assert_eq!(comparable(remote), comparable(inspect_json(&model)));
    let ranges: Vec<String> = server
        .requests()
        .into_iter()
        .filter(|r| r.target.contains("model.safetensors") && r.status == 206)
        .filter_map(|r| r.range)
        .collect();
    assert_eq!(ranges.len(), 2, "{ranges:?}");
    assert_eq!(ranges[0], "bytes=0-99999");
    assert!(ranges[1].starts_with("bytes=100000-"), "{ranges:?}");
}

#[test]
fn proxies_from_the_environment_are_used() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let server = HubServer::start(vec![RepoSpec::new(
        "acme/tiny",
        &fixtures().join("tiny-llama"),
    )])
    .expect("server");
    let cache = tmp.path().join("cache");
    // An endpoint that does not resolve: only the proxy (the test server) can answer.
    let out = mri_hub(
        &["inspect", "hf://acme/tiny", "--format", "json"],
        &server,
        &cache,
        &[
            ("HF_ENDPOINT", "http://hub.invalid"),
            ("HTTP_PROXY", &server.url),
        ],
    );
    let report = json_of(&out);
    assert_eq!(report["target"]["remote"]["endpoint"], "http://hub.invalid");
    assert!(server.requests().iter().any(|r| r
        .target
        .starts_with("http://hub.invalid/api/models/acme/tiny/")));
}

#[test]
fn an_hf_audit_is_there_offline_afterwards_headers_and_all() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let model = tmp.path().join("sparse");
    write_sparse_sharded(&model);
    let server = HubServer::start(vec![RepoSpec::new("acme/sparse", &model)]).expect("server");
    let cache = tmp.path().join("cache");
    let remote = json_of(&mri_hub(
        &["inspect", "hf://acme/sparse", "--format", "json"],
        &server,
        &cache,
        &[],
    ));
    let params = remote["weights"]["parameters"]
        .as_u64()
        .expect("parameters");
    assert!(params > 1_000_000_000, "{params}");

    // Kept beside the cache's folders, keyed by commit and blob id, and
    // nothing of mri's inside the snapshot.
    let commit = server.commit("acme/sparse");
    let repo_dir = cache.join("models--acme--sparse");
    let sha = server.etag("acme/sparse", "model-00003-of-00008.safetensors");
    let header = repo_dir
        .join(".mri/headers")
        .join(&commit)
        .join(format!("{sha}.header"));
    let shard = std::fs::read(model.join("model-00003-of-00008.safetensors")).expect("shard");
    let kept = std::fs::read(&header).expect("the header is kept");
    assert!(
        shard.starts_with(&kept) && kept.len() > 8,
        "a prefix of the shard"
    );
    assert!(repo_dir
        .join(".mri/listings")
        .join(format!("{commit}.json"))
        .is_file());
    let snap = snapshot_dir(&cache, "acme/sparse", &commit);
    let in_snapshot: Vec<String> = std::fs::read_dir(&snap)
        .expect("snapshot")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        in_snapshot
            .iter()
            .all(|n| !n.contains("mri") && !n.ends_with(".header")),
        "{in_snapshot:?}"
    );

    // Offline, by repo id and by hf://: the same weights, no shard missing.
    let requests = server.requests().len();
    for target in ["acme/sparse", "hf://acme/sparse"] {
        let offline = json_of(&mri_hub(
            &["inspect", target, "--format", "json"],
            &server,
            &cache,
            &[("HF_HUB_OFFLINE", "1")],
        ));
        assert_eq!(offline["weights"]["parameters"], json!(params), "{target}");
        assert_eq!(offline["weights"]["shards"], remote["weights"]["shards"]);
        let codes: Vec<&str> = offline["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter_map(|f| f["code"].as_str())
            .collect();
        assert!(
            !codes.contains(&"weights/none") && !codes.contains(&"weights/shard-missing"),
            "{target}: {codes:?}"
        );
    }
    assert_eq!(
        server.requests().len(),
        requests,
        "offline means no request"
    );
    // A CI gate offline passes as the online one does.
    let online = mri_hub(&["check", "hf://acme/sparse"], &server, &cache, &[]);
    let requests = server.requests().len();
    let offline = mri_hub(
        &["check", "acme/sparse"],
        &server,
        &cache,
        &[("HF_HUB_OFFLINE", "1")],
    );
    assert_eq!(
        offline.status.code(),
        online.status.code(),
        "{}",
        String::from_utf8_lossy(&offline.stdout)
    );
    assert_eq!(online.status.code(), Some(0), "{}", stderr(&online));
    assert_eq!(
        server.requests().len(),
        requests,
        "offline means no request"
    );

    // `mri verify` knows the shards are on the Hub only: absent, named.
    let out = mri_hub(
        &["verify", "hf://acme/sparse", "--format", "json"],
        &server,
        &cache,
        &[("HF_HUB_OFFLINE", "1")],
    );
    assert_eq!(out.status.code(), Some(1));
    let r: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(r["summary"]["absent"], 8, "{r}");
    assert_eq!(r["summary"]["checked"], 0);
    let absent: Vec<&str> = r["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == "integrity/absent")
        .filter_map(|f| f["file"].as_str())
        .collect();
    assert_eq!(absent.len(), 8, "{absent:?}");
    assert!(absent.contains(&"model-00008-of-00008.safetensors"));

    // A kept header that was tampered with into a link is not followed: the
    // shard reads as not kept (an error naming it), never /etc/hostname.
    std::fs::remove_file(&header).expect("rm");
    std::os::unix::fs::symlink("/etc/hostname", &header).expect("link");
    let offline = json_of(&mri_hub(
        &["inspect", "acme/sparse", "--format", "json"],
        &server,
        &cache,
        &[("HF_HUB_OFFLINE", "1")],
    ));
    let unread: Vec<&Value> = offline["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["file"] == "model-00003-of-00008.safetensors")
        .collect();
    assert!(
        unread.iter().any(|f| f["message"]
            .as_str()
            .is_some_and(|m| m.contains("not kept"))),
        "{unread:?}"
    );
}

fn git_blob_sha1(content: &[u8]) -> String {
    use sha1::Digest as _;
    let mut h = sha1::Sha1::new();
    h.update(format!("blob {}\0", content.len()).as_bytes());
    h.update(content);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

const HOSTILE_COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

/// The listing of `acme/*` on the hostile server: a config.json listed at
/// 5 bytes and a card.
fn hostile_listing(card: &[u8]) -> Vec<u8> {
    json!({
        "sha": HOSTILE_COMMIT,
        "siblings": [
            {"rfilename": "config.json", "size": 5, "blobId": "ab".repeat(20)},
            {"rfilename": "README.md", "size": card.len(), "blobId": git_blob_sha1(card)},
        ]
    })
    .to_string()
    .into_bytes()
}

#[test]
fn answers_longer_or_shorter_than_announced_are_named() {
    let card = b"---\nlicense: mit\n---\n# m\n".to_vec();
    let listing = hostile_listing(&card);
    let (c, l) = (card.clone(), listing.clone());
    let server = HostileServer::start(move |path| {
        let rest = |name: &str| path.strip_prefix(&format!("/api/models/acme/{name}/revision/"));
        if rest("endless").is_some() {
            return Hostile::Normal {
                status: 200,
                body: l.clone(),
            };
        }
        if rest("short").is_some() {
            return Hostile::WrongLength {
                announced: l.len() as u64 + 100,
                body: l.clone(),
                close: false,
            };
        }
        if rest("cut").is_some() {
            return Hostile::WrongLength {
                announced: l.len() as u64 + 100,
                body: l.clone(),
                close: true,
            };
        }
        if rest("long").is_some() {
            return Hostile::WrongLength {
                announced: l.len() as u64 - 10,
                body: l.clone(),
                close: false,
            };
        }
        if path.ends_with("/config.json") {
            return Hostile::Endless;
        }
        if path.ends_with("/README.md") {
            return Hostile::Normal {
                status: 200,
                body: c.clone(),
            };
        }
        Hostile::Missing
    })
    .expect("server");
    let tmp = tempfile::tempdir().expect("tempdir");
    let cache = tmp.path().join("cache");

    // config.json listed at 5 bytes but streamed without end: a finding
    // naming it, and only a few bytes read.
    let out = mri_at(
        &["inspect", "hf://acme/endless", "--format", "json"],
        &server.url,
        &cache,
        &[],
    );
    let r = json_of(&out);
    let config: Vec<&Value> = r["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["file"] == "config.json")
        .collect();
    assert!(
        config.iter().any(|f| f["severity"] == "error"
            && f["message"]
                .as_str()
                .is_some_and(|m| m.contains("lists 5 bytes") && m.contains("sent more"))),
        "{r}"
    );
    let snap = snapshot_dir(&cache, "acme/endless", HOSTILE_COMMIT);
    assert!(!snap.join("config.json").exists(), "the file was not used");

    // A listing whose body falls short of its Content-Length, then goes
    // silent or ends: the message says the server answered, and how.
    for (name, said) in [("short", "went silent for 1 s"), ("cut", "ended")] {
        let out = mri_at(
            &["inspect", &format!("hf://acme/{name}")],
            &server.url,
            &cache,
            &[("HF_HUB_ETAG_TIMEOUT", "1")],
        );
        assert_eq!(out.status.code(), Some(2), "{name}");
        let err = stderr(&out);
        assert!(
            err.contains(&format!(
                "the body {said} after {} of the {} bytes",
                listing.len(),
                listing.len() + 100
            )) && err.contains("shorter than announced")
                && !err.contains("no answer"),
            "{name}: {err}"
        );
    }
    // One whose Content-Length is smaller than the body: the JSON stops
    // where the announced length ends, and the message says so.
    let out = mri_at(
        &["inspect", "hf://acme/long"],
        &server.url,
        &cache,
        &[("HF_HUB_ETAG_TIMEOUT", "1")],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "stops at the {} bytes its Content-Length announced",
            listing.len() - 10
        )) && err.contains("longer than announced"),
        "{err}"
    );
}

#[test]
fn an_hf_fetch_never_writes_through_a_cache_folder_linked_out_of_the_repo() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let server = HubServer::start(vec![RepoSpec::new(
        "acme/tiny",
        &fixtures().join("tiny-llama"),
    )])
    .expect("server");
    let commit = server.commit("acme/tiny");
    for linked in ["snapshot folder", "blobs folder"] {
        let cache = tmp.path().join(format!("cache-{}", linked.len()));
        let repo = cache.join("models--acme--tiny");
        let outside = tmp.path().join(format!("outside-{}", linked.len()));
        std::fs::create_dir_all(&outside).expect("outside");
        let link = if linked == "snapshot folder" {
            repo.join("snapshots").join(&commit)
        } else {
            repo.join("blobs")
        };
        std::fs::create_dir_all(link.parent().expect("parent")).expect("mkdir");
        std::os::unix::fs::symlink(&outside, &link).expect("link");
        let out = mri_hub(&["inspect", "hf://acme/tiny"], &server, &cache, &[]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{linked}: {err}");
        assert!(
            err.contains(&format!("the {linked} `{}`", link.display()))
                && err.contains("not followed"),
            "{linked}: {err}"
        );
        assert_eq!(
            std::fs::read_dir(&outside).expect("outside").count(),
            0,
            "{linked}: nothing was written outside the cache"
        );
    }
}
