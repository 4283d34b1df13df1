//! `mri verify` against the Hugging Face cache's blob names, a manifest, LFS
//! pointer files and local-dir metadata; and mri writing nothing anywhere.

mod support;

use serde_json::Value;
use sha1::Digest as _;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use support::{copy_fixture, fixtures, mri_env};

fn sha256(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn git_sha1(bytes: &[u8]) -> String {
    let mut h = sha1::Sha1::new();
    h.update(format!("blob {}\0", bytes.len()).as_bytes());
    h.update(bytes);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The sharded fixture as a cache repo whose blobs are named as the Hub names
/// them: sha256 for weights (LFS), git sha1 for the small files.
fn cache(hub: &Path) -> (PathBuf, PathBuf) {
    let repo = hub.join("models--acme--tiny");
    let commit = "0123456789abcdef0123456789abcdef01234567";
    let snap = repo.join("snapshots").join(commit);
    fs::create_dir_all(&snap).unwrap();
    fs::create_dir_all(repo.join("blobs")).unwrap();
    fs::create_dir_all(repo.join("refs")).unwrap();
    fs::write(repo.join("refs/main"), commit).unwrap();
    for e in fs::read_dir(fixtures().join("tiny-llama-sharded")).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        let bytes = fs::read(e.path()).unwrap();
        let blob = if name.ends_with(".safetensors") {
            sha256(&bytes)
        } else {
            git_sha1(&bytes)
        };
        fs::write(repo.join("blobs").join(&blob), &bytes).unwrap();
        symlink(format!("../../blobs/{blob}"), snap.join(&name)).unwrap();
    }
    (repo, snap)
}

fn verify(args: &[&str], hub: &Path) -> (Option<i32>, Value) {
    let mut all = vec!["verify"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let out = mri_env(&all, &[("HF_HUB_CACHE", hub)]);
    let json = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code(), json)
}

fn codes(r: &Value) -> Vec<String> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn untouched_cache_verifies_every_file() {
    let tmp = tempfile::tempdir().unwrap();
    cache(tmp.path());
    let (code, r) = verify(&["acme/tiny"], tmp.path());
    assert_eq!(code, Some(0), "{r}");
    let files = r["files"].as_array().unwrap();
    let in_fixture = fs::read_dir(fixtures().join("tiny-llama-sharded"))
        .unwrap()
        .count();
    assert_eq!(files.len(), in_fixture, "every file has a blob reference");
    assert!(files.iter().all(|f| f["checks"][0]["ok"] == true), "{r}");
    let algos: Vec<&str> = files
        .iter()
        .map(|f| f["checks"][0]["algorithm"].as_str().unwrap())
        .collect();
    assert!(algos.contains(&"sha256") && algos.contains(&"git-sha1"));
    assert_eq!(r["summary"]["verified"], in_fixture as u64);
}

#[test]
fn a_corrupted_blob_is_a_mismatch_naming_the_hashes() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, snap) = cache(tmp.path());
    let blob = fs::canonicalize(snap.join("model-00002-of-00003.safetensors")).unwrap();
    let mut bytes = fs::read(&blob).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0xff;
    fs::write(&blob, &bytes).unwrap();
    let (code, r) = verify(&["acme/tiny", "-j", "2"], tmp.path());
    assert_eq!(code, Some(1));
    let f = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "integrity/hash-mismatch")
        .unwrap()
        .clone();
    assert_eq!(f["file"], "model-00002-of-00003.safetensors");
    let msg = f["message"].as_str().unwrap();
    let expected = blob.file_name().unwrap().to_str().unwrap();
    assert!(
        msg.contains(expected) && msg.contains(&sha256(&bytes)),
        "{msg}"
    );
    assert_eq!(r["summary"]["mismatched"], 1);
}

#[test]
fn a_missing_blob_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, snap) = cache(tmp.path());
    fs::remove_file(fs::canonicalize(snap.join("model-00001-of-00003.safetensors")).unwrap())
        .unwrap();
    let (code, r) = verify(&["acme/tiny"], tmp.path());
    assert_eq!(code, Some(1));
    assert!(
        codes(&r).contains(&"integrity/blob-missing".to_string()),
        "{r}"
    );
}

#[test]
fn manifest_pointers_and_local_dir_metadata_are_references() {
    let (_t, dir) = copy_fixture("tiny-llama-sharded");
    let tmp = tempfile::tempdir().unwrap();
    let shard = fs::read(dir.join("model-00001-of-00003.safetensors")).unwrap();
    // manifest: one right, one wrong, one absent
    let manifest = tmp.path().join("SHA256SUMS");
    fs::write(
        &manifest,
        format!(
            "{}  model-00001-of-00003.safetensors\n{}  ./model-00002-of-00003.safetensors\n{}  model-00009-of-00009.safetensors\n",
            sha256(&shard),
            "00".repeat(32),
            "11".repeat(32)
        ),
    )
    .unwrap();
    // a clone made without LFS
    let pointers = tmp.path().join("clone");
    fs::create_dir_all(&pointers).unwrap();
    fs::write(
        pointers.join("model-00001-of-00003.safetensors"),
        format!(
            "version https://git-lfs.github.com/spec/v1\noid sha256:{}\nsize {}\n",
            sha256(&shard),
            shard.len()
        ),
    )
    .unwrap();
    // hf download --local-dir metadata
    let meta = dir.join(".cache/huggingface/download");
    fs::create_dir_all(&meta).unwrap();
    let third = fs::read(dir.join("model-00003-of-00003.safetensors")).unwrap();
    fs::write(
        meta.join("model-00003-of-00003.safetensors.metadata"),
        format!("0123abcd\n{}\n1700000000.0\n", sha256(&third)),
    )
    .unwrap();

    let (code, r) = verify(
        &[
            dir.to_str().unwrap(),
            "--manifest",
            manifest.to_str().unwrap(),
            "--pointers",
            pointers.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert_eq!(code, Some(1));
    let file = |name: &str| {
        r["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == name)
            .unwrap()
            .clone()
    };
    let first = file("model-00001-of-00003.safetensors");
    let sources: Vec<&str> = first["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["source"].as_str().unwrap())
        .collect();
    assert!(
        sources.contains(&"manifest") && sources.contains(&"lfs-pointer"),
        "{first}"
    );
    assert!(first["checks"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["ok"] == true));
    assert_eq!(
        file("model-00002-of-00003.safetensors")["checks"][0]["ok"],
        false
    );
    assert_eq!(
        file("model-00003-of-00003.safetensors")["checks"][0]["source"],
        "local-dir-metadata"
    );
    assert_eq!(
        file("model-00003-of-00003.safetensors")["checks"][0]["ok"],
        true
    );
    let c = codes(&r);
    assert!(
        c.contains(&"integrity/hash-mismatch".to_string())
            && c.contains(&"integrity/blob-missing".to_string()),
        "{c:?}"
    );
}

/// Every file's bytes and modification time, recursively.
fn snapshot(dir: &Path) -> Vec<(PathBuf, std::time::SystemTime, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let m = fs::symlink_metadata(&p).unwrap();
            if m.is_dir() {
                stack.push(p);
            } else {
                out.push((
                    p.clone(),
                    m.modified().unwrap(),
                    if m.is_file() {
                        fs::read(&p).unwrap()
                    } else {
                        Vec::new()
                    },
                ));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn mri_writes_nothing_into_the_target() {
    let tmp = tempfile::tempdir().unwrap();
    let (repo, _) = cache(tmp.path());
    let (_t, plain) = copy_fixture("tiny-llama");
    fs::write(plain.join("LICENSE"), "MIT License\n").unwrap();
    let before = (snapshot(&repo), snapshot(&plain));
    for args in [
        vec!["inspect", "acme/tiny", "--format", "json"],
        vec!["license", "acme/tiny"],
        vec!["verify", "acme/tiny"],
        vec!["check", "acme/tiny", "--format", "sarif"],
        vec!["inspect", plain.to_str().unwrap()],
        vec!["license", plain.to_str().unwrap()],
        vec!["verify", plain.to_str().unwrap()],
    ] {
        let out = mri_env(&args, &[("HF_HUB_CACHE", tmp.path())]);
        assert!(
            out.status.code().is_some_and(|c| c <= 1),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(
        before == (snapshot(&repo), snapshot(&plain)),
        "mri changed a file of the target"
    );
}

fn summary_of(r: &Value, key: &str) -> u64 {
    r["summary"][key]
        .as_u64()
        .unwrap_or_else(|| panic!("summary.{key}: {r}"))
}

fn named(r: &Value, code: &str) -> Vec<String> {
    r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .map(|f| f["file"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn weights_without_a_reference_fail_unless_allowed() {
    let (_t, dir) = copy_fixture("tiny-llama-sharded");
    let tmp = tempfile::tempdir().unwrap();
    let (code, r) = verify(&[dir.to_str().unwrap()], tmp.path());
    assert_eq!(code, Some(1), "nothing was verified: {r}");
    assert_eq!(summary_of(&r, "weights"), 3);
    assert_eq!(summary_of(&r, "checked"), 0);
    assert_eq!(summary_of(&r, "unreferenced"), 3);
    let mut unreferenced = named(&r, "integrity/unreferenced");
    unreferenced.sort();
    assert_eq!(
        unreferenced,
        [
            "model-00001-of-00003.safetensors",
            "model-00002-of-00003.safetensors",
            "model-00003-of-00003.safetensors"
        ]
    );
    assert!(r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "integrity/unreferenced")
        .all(|f| f["severity"] == "error"));

    let (code, r) = verify(&[dir.to_str().unwrap(), "--allow-unreferenced"], tmp.path());
    assert_eq!(code, Some(0), "{r}");
    assert_eq!(r["summary"]["allow_unreferenced"], true);
    assert_eq!(summary_of(&r, "unreferenced"), 3, "still listed");
    assert_eq!(named(&r, "integrity/unreferenced").len(), 3);

    // The text summary says what was checked and what was not.
    let out = mri_env(&["verify", dir.to_str().unwrap()], &[]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("3 weight files: 0 checked, 0 matched, 3 unreferenced, 0 absent, 0 links refused: FAILED"),
        "{text}"
    );
}

#[test]
fn a_shard_the_index_names_but_that_is_not_on_disk_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, snap) = cache(tmp.path());
    // the snapshot lost one shard's link (an interrupted download)
    fs::remove_file(snap.join("model-00002-of-00003.safetensors")).unwrap();
    let (code, r) = verify(&["acme/tiny"], tmp.path());
    assert_eq!(code, Some(1), "{r}");
    assert_eq!(
        named(&r, "integrity/absent"),
        ["model-00002-of-00003.safetensors"]
    );
    assert_eq!(summary_of(&r, "absent"), 1);
    assert_eq!(summary_of(&r, "weights"), 3);
    assert_eq!(summary_of(&r, "checked"), 2);
    assert_eq!(summary_of(&r, "matched"), 2);
    // --allow-unreferenced does not excuse an absent weight
    let (code, _) = verify(&["acme/tiny", "--allow-unreferenced"], tmp.path());
    assert_eq!(code, Some(1));
}

#[test]
fn links_the_policy_refuses_fail_verify_each_named() {
    // Each hostile link is made in a fresh cache; the shard it replaces has
    // the right content behind the link, so only the policy can fail it.
    let shard = "model-00001-of-00003.safetensors";
    type Make = fn(&Path, &Path, &Path);
    let cases: [(&str, Make, &str); 4] = [
        (
            "a file outside the cache",
            |hub, snap, _| {
                let outside = hub.parent().unwrap().join("outside.safetensors");
                fs::copy(snap.join("model-00001-of-00003.safetensors"), &outside).unwrap();
                fs::remove_file(snap.join("model-00001-of-00003.safetensors")).unwrap();
                symlink(&outside, snap.join("model-00001-of-00003.safetensors")).unwrap();
            },
            "files/symlink-escape",
        ),
        (
            "another repo's blob",
            |hub, snap, _| {
                let other = hub.join("models--evil--other/blobs");
                fs::create_dir_all(&other).unwrap();
                fs::copy(
                    snap.join("model-00001-of-00003.safetensors"),
                    other.join("b"),
                )
                .unwrap();
                fs::remove_file(snap.join("model-00001-of-00003.safetensors")).unwrap();
                symlink(
                    "../../../models--evil--other/blobs/b",
                    snap.join("model-00001-of-00003.safetensors"),
                )
                .unwrap();
            },
            "files/symlink-escape",
        ),
        (
            "a link to itself",
            |_, snap, _| {
                fs::remove_file(snap.join("model-00001-of-00003.safetensors")).unwrap();
                symlink(
                    "model-00001-of-00003.safetensors",
                    snap.join("model-00001-of-00003.safetensors"),
                )
                .unwrap();
            },
            "files/symlink-loop",
        ),
        (
            "a folder that links back up",
            |_, snap, _| symlink("..", snap.join("up")).unwrap(),
            "files/symlink-loop",
        ),
    ];
    for (what, make, code_expected) in cases {
        let tmp = tempfile::tempdir().unwrap();
        let hub = tmp.path().join("hub");
        let (repo, snap) = cache(&hub);
        make(&hub, &snap, &repo);
        let (code, r) = verify(&["acme/tiny"], &hub);
        assert_eq!(code, Some(1), "{what}: {r}");
        let refused = named(&r, code_expected);
        assert!(!refused.is_empty(), "{what}: {r}");
        assert!(
            r["findings"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["code"] == code_expected)
                .all(|f| f["severity"] == "error"),
            "{what}: {r}"
        );
        assert!(summary_of(&r, "refused_links") >= 1, "{what}: {r}");
        if what != "a folder that links back up" {
            assert_eq!(refused, [shard], "{what}");
            // The shard is named once, as a refused link, not again as absent.
            assert!(named(&r, "integrity/absent").is_empty(), "{what}: {r}");
            assert!(
                !r["files"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|f| f["path"] == shard),
                "{what}: the refused file is never hashed"
            );
        }
    }
}

#[test]
fn verify_runs_the_security_checks() {
    let (_t, dir) = copy_fixture("tiny-llama");
    // A raw pickle that calls os.system when loaded, with a manifest entry,
    // so that its hash matches and only the security scan can fail it.
    let pickle = b"\x80\x02cposix\nsystem\nq\x00X\x02\x00\x00\x00idq\x01\x85q\x02Rq\x03.";
    fs::write(dir.join("pytorch_model.bin"), pickle).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let manifest = tmp.path().join("SHA256SUMS");
    let st = fs::read(dir.join("model.safetensors")).unwrap();
    fs::write(
        &manifest,
        format!(
            "{}  model.safetensors\n{}  pytorch_model.bin\n",
            sha256(&st),
            sha256(pickle)
        ),
    )
    .unwrap();
    let (code, r) = verify(
        &[
            dir.to_str().unwrap(),
            "--manifest",
            manifest.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert_eq!(code, Some(1), "{r}");
    assert_eq!(summary_of(&r, "matched"), 2, "{r}");
    assert!(
        codes(&r).contains(&"security/pickle-global".to_string()),
        "{r}"
    );
    // Without the pickle the same folder passes.
    fs::remove_file(dir.join("pytorch_model.bin")).unwrap();
    fs::write(&manifest, format!("{}  model.safetensors\n", sha256(&st))).unwrap();
    let (code, r) = verify(
        &[
            dir.to_str().unwrap(),
            "--manifest",
            manifest.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert_eq!(code, Some(0), "{r}");
}
