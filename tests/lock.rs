//! `mri lock` and `mri check --locked`: a lock's round trip, every drift
//! kind on a copy with one change, cache blobs taken by their names, the
//! gate's outputs carrying drift, `--update`, and tampered lock files.

mod support;

use serde_json::Value;
use sha2::Digest as _;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use support::{copy_fixture, edit_json, fixtures, mri, mri_env};

const MIT: &str = include_str!("../licenses/spdx/MIT.txt");

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A copy of tiny-llama with a LICENSE, locked into `dir/mri.lock`.
fn locked_copy() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let (tmp, model) = copy_fixture("tiny-llama");
    fs::write(model.join("LICENSE"), MIT).unwrap();
    let lock = tmp.path().join("mri.lock");
    let out = mri(&["lock", s(&model), "-o", s(&lock)]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (tmp, model, lock)
}

/// `mri check MODEL --locked LOCK --format json`: exit code and outcome.
fn check_locked(model: &Path, lock: &Path) -> (Option<i32>, Value) {
    let out = mri(&["check", s(model), "--locked", s(lock), "--format", "json"]);
    let v = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code(), v)
}

/// The failed drift results of the first model: (rule, message).
fn drifts(outcome: &Value) -> Vec<(String, String)> {
    outcome["models"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["passed"] == false && r["rule"].as_str().unwrap().starts_with("drift/"))
        .map(|r| {
            (
                r["rule"].as_str().unwrap().to_string(),
                r["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn rules(outcome: &Value) -> Vec<String> {
    drifts(outcome).into_iter().map(|(r, _)| r).collect()
}

#[test]
fn a_lock_round_trips_and_an_untouched_model_passes() {
    let (_tmp, model, lock) = locked_copy();
    let text = fs::read_to_string(&lock).unwrap();
    assert!(text.contains("version = 1\n"), "{text}");
    assert!(text.contains(&format!("mri = \"{}\"", env!("CARGO_PKG_VERSION"))));
    assert!(text.contains("knowledge-base = \""));
    assert!(
        text.contains("verdict = \"permitted-with-conditions\""),
        "{text}"
    );
    // every file with its sha256, one per line, sorted by path
    let bytes = fs::read(model.join("model.safetensors")).unwrap();
    let sha: String = sha2::Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert!(text.contains(&format!(
        "{{ path = \"model.safetensors\", kind = \"weights\", size = {}, sha256 = \"{sha}\" }}",
        bytes.len()
    )));
    let paths: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("    { path = \""))
        .map(|l| l.split('"').next().unwrap())
        .collect();
    let mut sorted = paths.clone();
    sorted.sort();
    assert_eq!(paths, sorted);
    assert_eq!(paths.len(), 7, "{text}");
    // the license text is kept, as a multi-line string
    assert!(text.contains("text = '''\nMIT License\n"), "{text}");
    let (code, outcome) = check_locked(&model, &lock);
    assert_eq!(code, Some(0), "{outcome}");
    assert!(rules(&outcome).is_empty());
    assert_eq!(outcome["lock"], s(&lock));
    // the same lock written again is the same text
    let again = fs::read_to_string(&lock).unwrap();
    let out = mri(&["lock", "--update", "-o", s(&lock)]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("unchanged"));
    assert_eq!(fs::read_to_string(&lock).unwrap(), again);
}

#[test]
fn a_changed_license_text_is_drift_with_the_diff_of_its_lines() {
    let (_tmp, model, lock) = locked_copy();
    fs::write(
        model.join("LICENSE"),
        MIT.replace("without restriction", "for non-commercial purposes only"),
    )
    .unwrap();
    let (code, outcome) = check_locked(&model, &lock);
    assert_eq!(code, Some(1));
    let d = drifts(&outcome);
    let license = d
        .iter()
        .find(|(r, _)| r == "drift/license")
        .expect("drift/license");
    assert!(
        license.1.contains("-associated documentation files (the \"Software\"), to deal in the Software without restriction, including"),
        "{}",
        license.1
    );
    assert!(
        license.1.contains("+associated documentation files (the \"Software\"), to deal in the Software for non-commercial purposes only, including"),
        "{}",
        license.1
    );
    assert!(!rules(&outcome).contains(&"drift/weights".to_string()));
}

#[test]
fn a_changed_card_license_is_license_and_verdict_drift() {
    let (_tmp, model, lock) = locked_copy();
    let card = fs::read_to_string(model.join("README.md")).unwrap();
    fs::write(
        model.join("README.md"),
        card.replace("license: llama3.1", "license: cc-by-nc-4.0"),
    )
    .unwrap();
    let (code, outcome) = check_locked(&model, &lock);
    assert_eq!(code, Some(1));
    let d = drifts(&outcome);
    let verdict = d
        .iter()
        .find(|(r, _)| r == "drift/verdict")
        .expect("drift/verdict");
    assert!(
        verdict
            .1
            .starts_with("verdict permitted-with-conditions → non-commercial"),
        "{}",
        verdict.1
    );
    let license = d
        .iter()
        .find(|(r, _)| r == "drift/license")
        .expect("drift/license");
    assert!(
        license
            .1
            .contains("-license: llama3.1\n+license: cc-by-nc-4.0"),
        "{}",
        license.1
    );
}

#[test]
fn a_card_changed_elsewhere_is_named_as_such() {
    let (_tmp, model, lock) = locked_copy();
    let mut card = fs::read_to_string(model.join("README.md")).unwrap();
    card.push_str("\nMore words.\n");
    fs::write(model.join("README.md"), card).unwrap();
    let (code, outcome) = check_locked(&model, &lock);
    assert_eq!(code, Some(1));
    assert_eq!(rules(&outcome), ["drift/license"]);
    assert!(drifts(&outcome)[0]
        .1
        .contains("outside its front matter and license section"));
}

#[test]
fn changed_weights_are_drift() {
    let (_tmp, model, lock) = locked_copy();
    // the last byte of tensor data, the header untouched
    let path = model.join("model.safetensors");
    let mut bytes = fs::read(&path).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x55;
    fs::write(&path, bytes).unwrap();
    let (code, outcome) = check_locked(&model, &lock);
    assert_eq!(code, Some(1));
    assert_eq!(rules(&outcome), ["drift/weights"]);
    assert!(drifts(&outcome)[0]
        .1
        .starts_with("model.safetensors changed: sha256 "));
}

#[test]
fn weights_that_appear_or_vanish_are_drift() {
    let (tmp, model) = copy_fixture("tiny-llama-sharded");
    let lock = tmp.path().join("mri.lock");
    assert!(mri(&["lock", s(&model), "-o", s(&lock)]).status.success());
    fs::rename(
        model.join("model-00003-of-00003.safetensors"),
        model.join("spare.safetensors"),
    )
    .unwrap();
    let (code, outcome) = check_locked(&model, &lock);
    assert_eq!(code, Some(1));
    let d = drifts(&outcome);
    let weights: Vec<&String> = d
        .iter()
        .filter(|(r, _)| r == "drift/weights")
        .map(|(_, m)| m)
        .collect();
    assert_eq!(weights.len(), 2, "{d:?}");
    assert!(
        weights[0].contains("model-00003-of-00003.safetensors (weights, ")
            && weights[0].ends_with("vanished")
    );
    assert!(
        weights[1].contains("spare.safetensors (weights, ") && weights[1].ends_with("appeared")
    );
}

#[test]
fn a_changed_config_or_new_template_is_config_drift() {
    let (_tmp, model, lock) = locked_copy();
    edit_json(&model.join("config.json"), |v| {
        v["rope_theta"] = 500000.0.into()
    });
    fs::write(model.join("chat_template.jinja"), "{{ messages }}\n").unwrap();
    let (code, outcome) = check_locked(&model, &lock);
    assert_eq!(code, Some(1));
    assert_eq!(rules(&outcome), ["drift/config", "drift/config"]);
    let d = drifts(&outcome);
    assert!(
        d[0].1
            .starts_with("chat_template.jinja (template, 15 bytes) appeared"),
        "{}",
        d[0].1
    );
    assert!(d[0].1.contains("+{{ messages }}"), "{}", d[0].1);
    assert!(d[1].1.contains("+  \"rope_theta\": 500000.0"), "{}", d[1].1);
}

#[test]
fn a_model_not_in_the_lock_and_a_locked_model_not_checked_are_reported() {
    let (tmp, model, lock) = locked_copy();
    let other = tmp.path().join("other");
    support::copy_dir(&fixtures().join("tiny-qwen3"), &other);
    let (code, outcome) = check_locked(&other, &lock);
    assert_eq!(code, Some(1), "{outcome}");
    assert_eq!(rules(&outcome), ["drift/unlocked"]);
    let unchecked = outcome["lock_results"].as_array().unwrap();
    assert_eq!(unchecked.len(), 1);
    assert_eq!(unchecked[0]["rule"], "drift/unchecked");
    assert_eq!(unchecked[0]["line"], 7);
    assert!(unchecked[0]["message"]
        .as_str()
        .unwrap()
        .contains(s(&model)));
    // and as text: the lock's own block, and the count
    let out = mri(&["check", s(&other), "--locked", s(&lock)]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(&format!("{}:7", s(&lock))), "{text}");
    assert!(text.contains("1 locked but not checked"), "{text}");
    // JUnit: a suite named after the lock file, a failing case per model
    let out = mri(&[
        "check",
        s(&other),
        "--locked",
        s(&lock),
        "--format",
        "junit",
    ]);
    let xml = String::from_utf8_lossy(&out.stdout);
    assert!(
        xml.contains(&format!(
            "<testsuite name=\"{}\" tests=\"1\" failures=\"1\"",
            s(&lock)
        )),
        "{xml}"
    );
    assert!(xml.contains("<failure type=\"drift/unchecked\""), "{xml}");
    assert!(xml.contains("<failure type=\"drift/unlocked\""), "{xml}");
}

#[test]
fn drift_flows_through_sarif_and_junit() {
    let (_tmp, model, lock) = locked_copy();
    edit_json(&model.join("config.json"), |v| v["rope_theta"] = 1.0.into());
    let out = mri(&[
        "check",
        s(&model),
        "--locked",
        s(&lock),
        "--format",
        "sarif",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    let r = results
        .iter()
        .find(|r| r["ruleId"] == "drift/config")
        .expect("a drift/config result");
    assert!(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("config.json")
    );
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let rule = rules.iter().find(|x| x["id"] == "drift/config").unwrap();
    assert!(rule["shortDescription"]["text"]
        .as_str()
        .unwrap()
        .contains("tokenizer"));
    let out = mri(&[
        "check",
        s(&model),
        "--locked",
        s(&lock),
        "--format",
        "junit",
    ]);
    let xml = String::from_utf8_lossy(&out.stdout);
    assert!(
        xml.contains("name=\"drift/config\"") && xml.contains("<failure type=\"drift/config\""),
        "{xml}"
    );
    assert!(xml.contains("name=\"drift/weights\""), "{xml}");
}

#[test]
fn update_rewrites_and_prints_what_changed() {
    let (_tmp, model, lock) = locked_copy();
    // an existing lock is not overwritten without --update
    let out = mri(&["lock", s(&model), "-o", s(&lock)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--update"));
    edit_json(&model.join("config.json"), |v| v["rope_theta"] = 1.0.into());
    let out = mri(&["lock", "--update", s(&model), "-o", s(&lock)]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(
        printed.contains("updated") && printed.contains("drift/config"),
        "{printed}"
    );
    assert!(printed.contains("+  \"rope_theta\": 1.0"), "{printed}");
    let (code, outcome) = check_locked(&model, &lock);
    assert_eq!(code, Some(0), "{outcome}");
}

#[test]
fn a_tampered_lock_is_exit_2_at_its_line() {
    let (_tmp, model, lock) = locked_copy();
    let good = fs::read_to_string(&lock).unwrap();
    let verdict_line = good
        .lines()
        .position(|l| l.starts_with("verdict ="))
        .unwrap()
        + 1;
    fs::write(
        &lock,
        good.replace(
            "verdict = \"permitted-with-conditions\"",
            "verdict = permitted",
        ),
    )
    .unwrap();
    let out = mri(&["check", s(&model), "--locked", s(&lock)]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{}:{verdict_line}: ", s(&lock))),
        "{err}"
    );
    fs::write(&lock, good.replace("version = 1", "version = 2")).unwrap();
    let out = mri(&["check", s(&model), "--locked", s(&lock)]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{}:3: lock file version 2", s(&lock))),
        "{err}"
    );
    // --update refuses it too, and leaves it as it is
    let out = mri(&["lock", "--update", "-o", s(&lock)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(fs::read_to_string(&lock).unwrap().contains("version = 2"));
}

fn sha256_hex(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn git_sha1(bytes: &[u8]) -> String {
    use sha1::Digest as _;
    let mut h = sha1::Sha1::new();
    h.update(format!("blob {}\0", bytes.len()).as_bytes());
    h.update(bytes);
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The sharded fixture as a cache snapshot at `commit` of acme/tiny, `refs/main`
/// pointing at it. Weights are blobs named by `weight_name` (the sha256 of
/// the file's *name*, as the 405B benchmark names them, so that a name taken
/// for the hash shows the content was not read); small files by git sha1.
fn cache_snapshot(hub: &Path, commit: &str) {
    let repo = hub.join("models--acme--tiny");
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
            sha256_hex(name.as_bytes())
        } else {
            git_sha1(&bytes)
        };
        fs::write(repo.join("blobs").join(&blob), &bytes).unwrap();
        symlink(format!("../../blobs/{blob}"), snap.join(&name)).unwrap();
    }
}

#[test]
fn cache_blobs_named_by_sha256_are_not_read_and_a_moved_commit_is_revision_drift() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = tmp.path().join("hub");
    let c1 = "1111111111111111111111111111111111111111";
    cache_snapshot(&hub, c1);
    let lock = tmp.path().join("mri.lock");
    let env = [("HF_HUB_CACHE", hub.as_path())];
    let out = mri_env(&["lock", "acme/tiny", "-o", s(&lock)], &env);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = fs::read_to_string(&lock).unwrap();
    assert!(text.contains(&format!("commit = \"{c1}\"")) && text.contains("repo = \"acme/tiny\""));
    // the blob's name stands for its sha256: the weights were not read
    let name = "model-00001-of-00003.safetensors";
    assert!(
        text.contains(&format!("sha256 = \"{}\"", sha256_hex(name.as_bytes()))),
        "{text}"
    );
    assert!(text.contains("git-sha1 = \""), "{text}");
    let out = mri_env(
        &[
            "check",
            "acme/tiny",
            "--locked",
            s(&lock),
            "--format",
            "json",
        ],
        &env,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // the same files at a new commit
    let c2 = "2222222222222222222222222222222222222222";
    cache_snapshot(&hub, c2);
    let out = mri_env(
        &[
            "check",
            "acme/tiny",
            "--locked",
            s(&lock),
            "--format",
            "json",
        ],
        &env,
    );
    assert_eq!(out.status.code(), Some(1));
    let outcome: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rules(&outcome), ["drift/revision"]);
    assert!(drifts(&outcome)[0].1.contains(&format!("{c1} → {c2}")));
    // --rehash reads the content: its sha256 is not the name
    let rehashed = tmp.path().join("rehash.lock");
    let out = mri_env(&["lock", "acme/tiny", "--rehash", "-o", s(&rehashed)], &env);
    assert!(out.status.success());
    let bytes = fs::read(fixtures().join("tiny-llama-sharded").join(name)).unwrap();
    let text = fs::read_to_string(&rehashed).unwrap();
    assert!(
        text.contains(&format!("sha256 = \"{}\"", sha256_hex(&bytes))),
        "{text}"
    );
}

#[test]
fn the_browser_shows_changed_since_lock_from_a_lock_beside_the_model() {
    // locked_copy writes the lock beside the model's folder, where the
    // browser looks for it
    let (_tmp, model, lock) = locked_copy();
    let frame = |extra: &[&str]| {
        let mut args = vec!["tui", s(&model), "--headless", "120x16"];
        args.extend_from_slice(extra);
        let out = mri(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert!(!frame(&[]).contains("changed since lock"));
    edit_json(&model.join("config.json"), |v| v["rope_theta"] = 1.0.into());
    assert!(
        frame(&[]).contains("changed since lock (1)"),
        "{}",
        frame(&[])
    );
    // given explicitly, from elsewhere
    let elsewhere = model.join("..").join("kept").join("approved.lock");
    fs::create_dir_all(elsewhere.parent().unwrap()).unwrap();
    fs::rename(&lock, &elsewhere).unwrap();
    assert!(!frame(&[]).contains("changed since lock"));
    assert!(frame(&["--locked", s(&elsewhere)]).contains("changed since lock (1)"));
}

#[test]
fn a_verdict_drift_names_another_knowledge_base() {
    let (_tmp, model, lock) = locked_copy();
    let text = fs::read_to_string(&lock).unwrap();
    let kb_line = text
        .lines()
        .find(|l| l.starts_with("knowledge-base = "))
        .unwrap();
    fs::write(
        &lock,
        text.replace(kb_line, "knowledge-base = \"0000000000000000\""),
    )
    .unwrap();
    let card = fs::read_to_string(model.join("README.md")).unwrap();
    fs::write(
        model.join("README.md"),
        card.replace("license: llama3.1", "license: cc-by-nc-4.0"),
    )
    .unwrap();
    let (_, outcome) = check_locked(&model, &lock);
    let d = drifts(&outcome);
    let verdict = d
        .iter()
        .find(|(r, _)| r == "drift/verdict")
        .expect("drift/verdict");
    assert!(
        verdict
            .1
            .contains("with knowledge base 0000000000000000; this is mri"),
        "{}",
        verdict.1
    );
}
