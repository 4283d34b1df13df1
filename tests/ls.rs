//! `mri ls` and `mri check --all` over a machine made at test time: a
//! Hugging Face cache (two revisions sharing blobs, a dangling ref, a repo
//! whose snapshot holds no model, one with a broken header), an Ollama
//! store, and folders with nested models.

mod support;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use support::fixture_gen::gguf_gen::{gguf_bytes, tiny_gguf_spec};
use support::{copy_dir, fixtures, mri_env};

const A: &str = "0123456789abcdef0123456789abcdef01234567";
const B: &str = "fedcba9876543210fedcba9876543210fedcba98";
const GONE: &str = "1111111111111111111111111111111111111111";

struct Machine {
    _tmp: tempfile::TempDir,
    hub: PathBuf,
    ollama: PathBuf,
    models: PathBuf,
}

/// Puts `src`'s files into a cache repo as snapshot `commit` (links into
/// blobs named by content, so revisions share them).
fn snapshot(repo: &Path, commit: &str, src: &Path, skip: &str) {
    let snap = repo.join("snapshots").join(commit);
    fs::create_dir_all(&snap).unwrap();
    fs::create_dir_all(repo.join("blobs")).unwrap();
    for e in fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        if name == skip || e.path().is_dir() {
            continue;
        }
        let bytes = fs::read(e.path()).unwrap();
        let blob = format!("{:x}", Sha256::digest(&bytes));
        fs::write(repo.join("blobs").join(&blob), &bytes).unwrap();
        symlink(format!("../../blobs/{blob}"), snap.join(&name)).unwrap();
    }
}

fn ollama_store(dir: &Path) {
    fs::create_dir_all(dir.join("blobs")).unwrap();
    let blob = |bytes: &[u8]| {
        let hex = format!("{:x}", Sha256::digest(bytes));
        fs::write(dir.join("blobs").join(format!("sha256-{hex}")), bytes).unwrap();
        (format!("sha256:{hex}"), bytes.len())
    };
    let (model, model_len) = blob(&gguf_bytes(&tiny_gguf_spec()));
    let (config, config_len) = blob(b"{\"model_format\":\"gguf\"}");
    let manifest = json!({
        "schemaVersion": 2,
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "digest": config, "size": config_len},
        "layers": [{"mediaType": "application/vnd.ollama.image.model", "digest": model, "size": model_len}],
    });
    for (ns, name, tag) in [("library", "tiny", "q8"), ("me", "other", "latest")] {
        let m = dir.join("manifests/registry.ollama.ai").join(ns).join(name);
        fs::create_dir_all(&m).unwrap();
        fs::write(m.join(tag), serde_json::to_vec(&manifest).unwrap()).unwrap();
    }
}

fn machine() -> Machine {
    let tmp = tempfile::tempdir().unwrap();
    let hub = tmp.path().join("hub");
    // acme/tiny: main → A, dev → B (B lacks the tokenizer; the rest shared),
    // and a ref to a commit that has no snapshot.
    let tiny = hub.join("models--acme--tiny");
    snapshot(&tiny, A, &fixtures().join("tiny-llama"), "");
    snapshot(&tiny, B, &fixtures().join("tiny-llama"), "tokenizer.json");
    fs::create_dir_all(tiny.join("refs")).unwrap();
    fs::write(tiny.join("refs/main"), A).unwrap();
    fs::write(tiny.join("refs/dev"), B).unwrap();
    fs::write(tiny.join("refs/old"), GONE).unwrap();
    // acme/empty: a snapshot with nothing of a model (unusable).
    let empty = hub.join("models--acme--empty");
    fs::create_dir_all(empty.join("snapshots").join(A)).unwrap();
    fs::write(empty.join("snapshots").join(A).join("notes.txt"), "hi").unwrap();
    fs::create_dir_all(empty.join("refs")).unwrap();
    fs::write(empty.join("refs/main"), A).unwrap();
    // qwen/q3: a model whose safetensors header is broken (error findings).
    let q3 = hub.join("models--qwen--q3");
    let src = tmp.path().join("q3src");
    copy_dir(&fixtures().join("tiny-qwen3"), &src);
    fs::write(
        src.join("model.safetensors"),
        b"\x10\x00\x00\x00\x00\x00\x00\x00{not json at all",
    )
    .unwrap();
    snapshot(&q3, A, &src, "");
    fs::create_dir_all(q3.join("refs")).unwrap();
    fs::write(q3.join("refs/main"), A).unwrap();

    let ollama = tmp.path().join("ollama");
    ollama_store(&ollama);

    // Folders: models nested under plain folders; a model folder's own
    // subfolders are not searched.
    let models = tmp.path().join("models");
    copy_dir(&fixtures().join("tiny-qwen3"), &models.join("team-a/qwen"));
    copy_dir(
        &fixtures().join("tiny-llama"),
        &models.join("team-b/deep/llama"),
    );
    copy_dir(
        &fixtures().join("tiny-llama"),
        &models.join("team-b/deep/llama/inner-copy"),
    );
    copy_dir(&fixtures().join("tiny-gguf"), &models.join("ggufs"));
    fs::write(models.join("README.txt"), "not a model").unwrap();
    Machine {
        _tmp: tmp,
        hub,
        ollama,
        models,
    }
}

impl Machine {
    fn run(&self, args: &[&str]) -> std::process::Output {
        mri_env(
            args,
            &[("HF_HUB_CACHE", &self.hub), ("OLLAMA_MODELS", &self.ollama)],
        )
    }

    fn rows(&self, args: &[&str]) -> Vec<Value> {
        let mut all = vec!["ls", "--format", "jsonl"];
        all.extend_from_slice(args);
        let out = self.run(&all);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

fn names(rows: &[Value]) -> Vec<&str> {
    rows.iter().map(|r| r["name"].as_str().unwrap()).collect()
}

#[test]
fn ls_lists_each_cache_revision_dangling_refs_broken_models_and_the_ollama_store() {
    let m = machine();
    let rows = m.rows(&["--sort", "name"]);
    assert_eq!(
        names(&rows),
        [
            "acme/empty@main",
            "acme/tiny@dev",
            "acme/tiny@main",
            "acme/tiny@old",
            "me/other:latest",
            "qwen/q3@main",
            "tiny:q8",
        ]
    );
    let by = |n: &str| rows.iter().find(|r| r["name"] == n).unwrap();
    let main = by("acme/tiny@main");
    assert_eq!(main["kind"], "hf-cache");
    assert_eq!(main["architecture"], "LlamaForCausalLM");
    assert_eq!(main["verdict"], "permitted-with-conditions");
    assert_eq!(main["license"], "llama3.1");
    assert_eq!(main["quantization"], "bf16");
    assert!(main["parameters"].as_u64().unwrap() > 40_000);
    assert!(main["error"].is_null());
    assert!(main["target"].as_str().unwrap().ends_with(A));
    // the target is what other commands take
    let out = m.run(&["inspect", main["target"].as_str().unwrap(), "-f", "json"]);
    assert!(out.status.success());
    // the dangling ref and the folder without a model are rows with errors
    let old = by("acme/tiny@old");
    assert!(old["error"].as_str().unwrap().contains("dangling"), "{old}");
    let empty = by("acme/empty@main");
    assert!(empty["error"].as_str().unwrap().contains("not"), "{empty}");
    // the broken header is a row with error findings, not an error
    let q3 = by("qwen/q3@main");
    assert!(q3["error"].is_null(), "{q3}");
    assert!(q3["errors"].as_u64().unwrap() > 0, "{q3}");
    // Ollama models are named by ollama:// targets
    let tiny = by("tiny:q8");
    assert_eq!(tiny["target"], "ollama://tiny:q8");
    assert_eq!(tiny["kind"], "ollama");
    assert_eq!(tiny["architecture"], "llama");
    assert_eq!(by("me/other:latest")["target"], "ollama://me/other:latest");
}

#[test]
fn shared_blobs_count_once_in_the_total() {
    let m = machine();
    let out = m.run(&["ls", "--format", "json"]);
    assert!(out.status.success());
    let l: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows = l["models"].as_array().unwrap();
    let sum: u64 = rows
        .iter()
        .map(|r| r["size_on_disk"].as_u64().unwrap())
        .sum();
    let total = l["size_on_disk"].as_u64().unwrap();
    let by = |n: &str| {
        rows.iter().find(|r| r["name"] == n).unwrap()["size_on_disk"]
            .as_u64()
            .unwrap()
    };
    let tokenizer = fs::metadata(fixtures().join("tiny-llama/tokenizer.json"))
        .unwrap()
        .len();
    assert_eq!(by("acme/tiny@main") - by("acme/tiny@dev"), tokenizer);
    // dev's files are all main's; the two Ollama tags share their blobs
    // (each has its own manifest)
    let manifest = fs::metadata(
        m.ollama
            .join("manifests/registry.ollama.ai/me/other/latest"),
    )
    .unwrap()
    .len();
    assert_eq!(
        sum - total,
        by("acme/tiny@dev") + by("me/other:latest") - manifest
    );
    // the text form ends with the total
    let out = m.run(&["ls"]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("7 models (2 unusable)"), "{text}");
    assert!(text.contains("error: refs/old points to commit"), "{text}");
}

#[test]
fn paths_give_nested_models_and_a_found_model_is_not_searched_further() {
    let m = machine();
    let rows = m.rows(&[m.models.to_str().unwrap()]);
    let base = m.models.to_str().unwrap();
    let rel: Vec<String> = rows
        .iter()
        .map(|r| r["target"].as_str().unwrap().replacen(base, "", 1))
        .collect();
    assert_eq!(
        rel,
        [
            "/ggufs/tiny-llama.Q8_0.gguf",
            "/team-a/qwen",
            "/team-b/deep/llama"
        ]
    );
    assert_eq!(rows[0]["kind"], "gguf");
    assert_eq!(rows[1]["kind"], "directory");
    // a cache hub folder given as a path lists its repos' revisions
    let rows = m.rows(&[m.hub.to_str().unwrap()]);
    assert_eq!(rows.len(), 5, "{rows:?}");
    // a path that does not exist is exit 2, named
    let out = m.run(&["ls", "/no/such/folder"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/folder"));
}

#[test]
fn filters_and_sorts() {
    let m = machine();
    let rows = m.rows(&[
        "--filter",
        "verdict=permitted-with-conditions",
        "--sort",
        "name",
    ]);
    assert_eq!(names(&rows), ["acme/tiny@dev", "acme/tiny@main"]);
    let rows = m.rows(&["--filter", "kind=ollama", "--filter", "name!=tiny*"]);
    assert_eq!(names(&rows), ["me/other:latest"]);
    let rows = m.rows(&["--filter", "errors>0"]);
    assert_eq!(names(&rows), ["qwen/q3@main"]);
    let rows = m.rows(&["--filter", "error=*dangling*"]);
    assert_eq!(names(&rows), ["acme/tiny@old"]);
    let rows = m.rows(&[
        "--filter",
        "arch=llama*,qwen*",
        "--filter",
        "params>0",
        "--sort",
        "-params",
    ]);
    let params: Vec<u64> = rows
        .iter()
        .map(|r| r["parameters"].as_u64().unwrap())
        .collect();
    assert!(
        params.len() >= 4 && params.windows(2).all(|w| w[0] >= w[1]),
        "{params:?}"
    );
    // unusable rows have no size to sort by: last, either way
    let rows = m.rows(&["--sort", "-size"]);
    let last: BTreeSet<&str> = names(&rows)[5..].iter().copied().collect();
    assert_eq!(last, BTreeSet::from(["acme/empty@main", "acme/tiny@old"]));
    let rows = m.rows(&["--sort", "verdict"]);
    assert_eq!(rows[0]["verdict"], "permitted-with-conditions");
    // mistakes are usage errors
    for bad in [
        ["--filter", "colour=red"],
        ["--filter", "license>2"],
        ["--sort", "nope"],
    ] {
        let out = m.run(&["ls", bad[0], bad[1]]);
        assert_eq!(out.status.code(), Some(2), "{bad:?}");
    }
}

#[test]
fn shards_cover_every_target_exactly_once() {
    let m = machine();
    let all: Vec<String> = m
        .rows(&[])
        .iter()
        .chain(m.rows(&[m.models.to_str().unwrap()]).iter())
        .map(|r| r["target"].as_str().unwrap().to_string())
        .collect();
    for n in [1, 2, 3, 5] {
        let mut seen: Vec<String> = Vec::new();
        for k in 1..=n {
            let shard = format!("{k}/{n}");
            for args in [
                vec!["--shard", &shard],
                vec!["--shard", &shard, m.models.to_str().unwrap()],
            ] {
                seen.extend(
                    m.rows(&args)
                        .iter()
                        .map(|r| r["target"].as_str().unwrap().to_string()),
                );
            }
        }
        let mut a = all.clone();
        a.sort();
        seen.sort();
        assert_eq!(seen, a, "{n} shards");
    }
    let out = m.run(&["ls", "--shard", "4/3"]);
    assert_eq!(out.status.code(), Some(2));
}

fn policy(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, text).unwrap();
    p
}

#[test]
fn check_all_gates_every_model_found() {
    let m = machine();
    let tmp = tempfile::tempdir().unwrap();
    let commercial = policy(
        tmp.path(),
        "commercial.toml",
        "[licenses]\nallow-verdicts = [\"permitted\", \"permitted-with-conditions\"]\n\n[findings]\ndeny = [\"error\"]\n",
    );
    let pol = commercial.to_str().unwrap();
    let qwen = m.models.join("team-a");
    // one Apache model under the path: exit 0, one line per model
    let out = m.run(&["check", "--all", qwen.to_str().unwrap(), "--policy", pol]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("PASS") && text.contains("1 model: 1 passed"),
        "{text}"
    );
    // a stricter policy fails the llama model: exit 1, JUnit/SARIF as usual
    let strict = policy(
        tmp.path(),
        "strict.toml",
        "[licenses]\nallow-verdicts = [\"permitted\"]\n",
    );
    let models = m.models.to_str().unwrap();
    let out = m.run(&[
        "check",
        "--all",
        models,
        "--policy",
        strict.to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("3 models: 2 passed, 1 failed"), "{text}");
    let out = m.run(&[
        "check",
        "--all",
        models,
        "--policy",
        strict.to_str().unwrap(),
        "-f",
        "jsonl",
    ]);
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines.iter().filter(|l| l["passed"] == false).count(), 1);
    assert!(lines.iter().all(|l| l.get("report").is_none()));
    let out = m.run(&["check", "--all", models, "--policy", pol, "-f", "junit"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("<testsuites"));
    // --all keeps only what these outputs read of each Report: the same
    // SARIF and JUnit as the targets typed one by one
    let typed: Vec<String> = m
        .rows(&[models])
        .iter()
        .map(|r| r["target"].as_str().unwrap().to_string())
        .collect();
    let strict = strict.to_str().unwrap();
    for (format, pol) in [("sarif", strict), ("junit", strict), ("text", pol)] {
        let all = m.run(&["check", "--all", models, "--policy", pol, "-f", format]);
        let mut args = vec!["check", "--policy", pol, "-f", format];
        args.extend(typed.iter().map(String::as_str));
        let one_by_one = m.run(&args);
        assert_eq!(all.status.code(), one_by_one.status.code(), "{format}");
        if format == "sarif" {
            assert!(String::from_utf8_lossy(&all.stdout).contains("README.md"));
        }
        assert_eq!(
            String::from_utf8_lossy(&all.stdout),
            String::from_utf8_lossy(&one_by_one.stdout),
            "{format}"
        );
    }
    // the cache and the store: the dangling ref and the empty snapshot are
    // unusable inputs, exit 2, and every other model is still judged
    let out = m.run(&["check", "--all", "--policy", pol]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("7 models: 4 passed, 1 failed, 2 unusable"),
        "{text}"
    );
    assert!(
        text.contains("acme/tiny@old: refs/old points to commit"),
        "{text}"
    );
    // a shard gates its share only
    let mut judged = 0;
    for k in 1..=3 {
        let out = m.run(&[
            "check",
            "--all",
            "--policy",
            pol,
            "--shard",
            &format!("{k}/3"),
            "-f",
            "jsonl",
        ]);
        judged += String::from_utf8(out.stdout).unwrap().lines().count();
    }
    assert_eq!(judged, 7);
    // --all without it: targets are still required
    let out = m.run(&["check", "--policy", pol]);
    assert_eq!(out.status.code(), Some(2));
}

/// `mri` alone where stdout is not a terminal (a pipe, CI) prints what
/// `mri ls` prints instead of a usage error.
#[test]
fn mri_alone_off_a_terminal_lists_the_models() {
    let m = machine();
    let alone = m.run(&[]);
    assert_eq!(
        alone.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&alone.stderr)
    );
    let ls = m.run(&["ls"]);
    assert!(ls.status.success());
    assert!(!alone.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&alone.stdout),
        String::from_utf8_lossy(&ls.stdout)
    );
    assert!(String::from_utf8_lossy(&alone.stderr).contains("`mri ls`"));
}
