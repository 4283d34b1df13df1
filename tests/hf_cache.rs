//! Inspecting models inside a Hugging Face cache layout: repo ids, refs,
//! revisions, snapshot folders, and the links into `blobs/`.

mod support;

use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use support::{findings, fixtures, mri_env};

const COMMIT_A: &str = "0123456789abcdef0123456789abcdef01234567";
const COMMIT_B: &str = "fedcba9876543210fedcba9876543210fedcba98";

/// Builds `hub/models--acme--tiny` holding the tiny-llama fixture as two
/// snapshots (main → A, a `dev` ref → B without the tokenizer).
fn build_cache(hub: &Path) -> PathBuf {
    let repo = hub.join("models--acme--tiny");
    fs::create_dir_all(repo.join("blobs")).unwrap();
    fs::create_dir_all(repo.join("refs")).unwrap();
    for (commit, skip) in [(COMMIT_A, ""), (COMMIT_B, "tokenizer.json")] {
        let snap = repo.join("snapshots").join(commit);
        fs::create_dir_all(&snap).unwrap();
        for e in fs::read_dir(fixtures().join("tiny-llama")).unwrap() {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            if name == skip {
                continue;
            }
            let bytes = fs::read(e.path()).unwrap();
            let blob = format!("{:0>64x}", fnv(&bytes));
            fs::write(repo.join("blobs").join(&blob), &bytes).unwrap();
            symlink(format!("../../blobs/{blob}"), snap.join(&name)).unwrap();
        }
    }
    fs::write(repo.join("refs/main"), COMMIT_A).unwrap();
    fs::write(repo.join("refs/dev"), format!("{COMMIT_B}\n")).unwrap();
    repo
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf29ce484222325u64, |h, b| {
        (h ^ *b as u64).wrapping_mul(0x100000001b3)
    })
}

fn inspect(args: &[&str], hub: &Path) -> serde_json::Value {
    let mut all = vec!["inspect"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let out = mri_env(&all, &[("HF_HUB_CACHE", hub)]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn repo_id_resolves_refs_main_through_the_cache() {
    let tmp = tempfile::tempdir().unwrap();
    build_cache(tmp.path());
    let r = inspect(&["acme/tiny"], tmp.path());
    assert_eq!(r["target"]["kind"], "cache-snapshot");
    assert_eq!(r["target"]["repo_id"], "acme/tiny");
    assert_eq!(r["target"]["commit"], COMMIT_A);
    assert_eq!(r["target"]["revision"], "main");
    assert!(r["weights"]["parameters"].as_u64().unwrap() > 0);
    let st = r["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "model.safetensors")
        .unwrap();
    assert!(st["link_target"].as_str().unwrap().starts_with("blobs/"));
    assert!(
        st["size"].as_u64().unwrap() > 1000,
        "size is the blob's, not the link's"
    );
    assert_eq!(r["summary"]["errors"], 0, "{}", r["findings"]);
}

#[test]
fn hf_home_is_used_when_hf_hub_cache_is_unset() {
    let tmp = tempfile::tempdir().unwrap();
    build_cache(&tmp.path().join("hub"));
    let out = mri_env(
        &["inspect", "acme/tiny", "--format", "json"],
        &[("HF_HOME", tmp.path())],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn revision_picks_a_ref_or_a_commit_prefix() {
    let tmp = tempfile::tempdir().unwrap();
    build_cache(tmp.path());
    let r = inspect(&["acme/tiny", "--revision", "dev"], tmp.path());
    assert_eq!(r["target"]["commit"], COMMIT_B);
    assert!(r["tokenizer"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f != "tokenizer.json"));
    let r = inspect(&["acme/tiny", "--revision", &COMMIT_B[..8]], tmp.path());
    assert_eq!(r["target"]["commit"], COMMIT_B);
    let r = inspect(&["acme/tiny", "--revision", COMMIT_A], tmp.path());
    assert_eq!(r["target"]["commit"], COMMIT_A);
}

#[test]
fn unknown_revision_and_repo_exit_2_and_say_what_exists() {
    let tmp = tempfile::tempdir().unwrap();
    build_cache(tmp.path());
    let out = mri_env(
        &["inspect", "acme/tiny", "--revision", "v9"],
        &[("HF_HUB_CACHE", tmp.path())],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("v9") && err.contains("ref dev") && err.contains(COMMIT_A),
        "{err}"
    );
    let out = mri_env(&["inspect", "acme/absent"], &[("HF_HUB_CACHE", tmp.path())]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("acme/absent") && err.contains(tmp.path().to_str().unwrap()),
        "{err}"
    );
}

#[test]
fn snapshot_and_repo_folders_are_targets_too() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = build_cache(tmp.path());
    let snap = repo.join("snapshots").join(COMMIT_B);
    let r = inspect(&[snap.to_str().unwrap()], tmp.path());
    assert_eq!(r["target"]["kind"], "cache-snapshot");
    assert_eq!(r["target"]["repo_id"], "acme/tiny");
    assert_eq!(r["target"]["commit"], COMMIT_B);
    let r = inspect(&[repo.to_str().unwrap()], tmp.path());
    assert_eq!(r["target"]["commit"], COMMIT_A);
}

#[test]
fn links_leaving_the_repo_folder_loops_and_missing_blobs_are_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = build_cache(&tmp.path().join("hub"));
    let snap = repo.join("snapshots").join(COMMIT_A);
    fs::write(tmp.path().join("outside.json"), "{}").unwrap();
    symlink(
        "../../../../outside.json",
        snap.join("preprocessor_config.json"),
    )
    .unwrap();
    symlink(
        "../../blobs/0000000000000000000000000000000000000000000000000000000000000000",
        snap.join("added_tokens.json"),
    )
    .unwrap();
    symlink("self_loop", snap.join("self_loop")).unwrap();
    fs::write(repo.join("blobs").join("deadbeef.incomplete"), b"partial").unwrap();
    let r = inspect(&["acme/tiny"], &tmp.path().join("hub"));
    assert_eq!(
        findings(&r, "files/symlink-escape")[0]["file"],
        "preprocessor_config.json"
    );
    assert_eq!(
        findings(&r, "files/broken-link")[0]["file"],
        "added_tokens.json"
    );
    assert_eq!(findings(&r, "files/symlink-loop")[0]["file"], "self_loop");
    let inc = findings(&r, "files/incomplete");
    assert!(
        inc[0]["file"]
            .as_str()
            .unwrap()
            .ends_with("deadbeef.incomplete"),
        "{inc:?}"
    );
}

#[test]
fn a_snapshot_folder_linked_out_of_the_repo_is_refused_by_every_command() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = tmp.path().join("hub");
    let repo = build_cache(&hub);
    // snapshot A replaced by a link to a plain model folder outside the cache
    let outside = tmp.path().join("outside");
    support::copy_dir(&fixtures().join("tiny-llama"), &outside);
    let snap = repo.join("snapshots").join(COMMIT_A);
    fs::remove_dir_all(&snap).unwrap();
    symlink(&outside, &snap).unwrap();
    let snap_arg = snap.to_str().unwrap().to_string();
    let repo_arg = repo.to_str().unwrap().to_string();
    for target in ["acme/tiny", "hf://acme/tiny", &repo_arg, &snap_arg] {
        for cmd in ["inspect", "check", "license", "verify", "smoke"] {
            let out = mri_env(
                &[cmd, target],
                &[("HF_HUB_CACHE", &hub), ("HF_HUB_OFFLINE", Path::new("1"))],
            );
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{cmd} {target}: {err}");
            assert!(
                err.contains(&format!("snapshot folder `{}`", snap.display()))
                    && err.contains(&outside.canonicalize().unwrap().display().to_string())
                    && err.contains("not followed"),
                "{cmd} {target}: {err}"
            );
        }
    }
    // the other snapshot, inside the repo, is still fine
    let r = inspect(&["acme/tiny", "--revision", "dev"], &hub);
    assert_eq!(r["target"]["commit"], COMMIT_B);
}

#[test]
fn a_ref_file_that_holds_no_commit_id_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = tmp.path().join("hub");
    let repo = build_cache(&hub);
    for content in ["../../etc", "../snapshots/../../x", "main", ""] {
        fs::write(repo.join("refs/main"), content).unwrap();
        for target in ["acme/tiny", "hf://acme/tiny"] {
            let out = mri_env(
                &["inspect", target],
                &[("HF_HUB_CACHE", &hub), ("HF_HUB_OFFLINE", Path::new("1"))],
            );
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{content:?}: {err}");
            assert!(
                err.contains("refs/main` does not hold a commit id")
                    && err.contains(&format!("but `{content}`")),
                "{content:?} {target}: {err}"
            );
            assert!(!err.contains("not in the cache"), "{err}");
        }
    }
}

#[test]
fn a_ref_file_that_is_a_link_or_huge_is_not_followed_or_read_whole() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = tmp.path().join("hub");
    let repo = build_cache(&hub);
    // a link to a file outside whose content would be echoed
    let secret = tmp.path().join("secret");
    fs::write(&secret, "TOP-SECRET").unwrap();
    fs::remove_file(repo.join("refs/main")).unwrap();
    symlink(&secret, repo.join("refs/main")).unwrap();
    let out = mri_env(&["inspect", "acme/tiny"], &[("HF_HUB_CACHE", &hub)]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("refs/main` is a symbolic link") && !err.contains("TOP-SECRET"),
        "{err}"
    );
    // 64 MiB of a commit id repeated: refused from its first 4 KiB
    fs::remove_file(repo.join("refs/main")).unwrap();
    fs::write(repo.join("refs/main"), COMMIT_A.repeat(1 << 21)).unwrap();
    let out = mri_env(&["inspect", "acme/tiny"], &[("HF_HUB_CACHE", &hub)]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("does not hold a commit id"), "{err}");
    assert!(
        err.len() < 1000,
        "the message is short: {} bytes",
        err.len()
    );
}
