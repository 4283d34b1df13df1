//! Inputs that used to hang, mislead or leak into the output: FIFOs and
//! devices as targets or in a folder, `mri verify` given unusable options
//! or files it cannot check, paths that must be percent-encoded in SARIF or
//! cleaned for XML, control characters in model-supplied names.

mod support;

use serde_json::Value;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use support::copy_fixture;

/// Runs `mri` in `cwd`, killed after 60 s (a hang fails the test instead of
/// blocking the run).
fn mri_in(args: &[&str], cwd: &Path) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mri"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("HF_HUB_CACHE")
        .env_remove("HF_HOME")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run mri");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if child.try_wait().expect("wait").is_some() {
            return child.wait_with_output().expect("output");
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("mri {args:?} hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().expect("mkfifo");
    assert!(status.success());
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn a_fifo_as_the_target_is_refused_by_every_command_without_blocking() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("model.safetensors");
    mkfifo(&fifo);
    let path = fifo.to_str().unwrap();
    for cmd in [
        &["inspect", path, "--format", "json"][..],
        &["license", path],
        &["check", path],
        &["verify", path, "-q"],
        &["smoke", path],
    ] {
        let out = mri_in(cmd, tmp.path());
        assert_eq!(out.status.code(), Some(2), "{cmd:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!("`{path}` is not a regular file (FIFO)")),
            "{cmd:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn a_link_to_a_device_as_the_target_names_the_file_and_why() {
    let tmp = tempfile::tempdir().unwrap();
    let link = tmp.path().join("zero.gguf");
    symlink("/dev/zero", &link).unwrap();
    let out = mri_in(&["inspect", link.to_str().unwrap()], tmp.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(&format!(
            "`{}` is not a regular file (character device)",
            link.display()
        )),
        "{}",
        stderr(&out)
    );
}

#[test]
fn fifos_in_a_folder_are_named_and_never_opened() {
    let (tmp, dir) = copy_fixture("tiny-qwen3");
    fs::remove_file(dir.join("config.json")).unwrap();
    mkfifo(&dir.join("config.json"));
    mkfifo(&dir.join("pytorch_model.bin"));
    let out = mri_in(
        &["inspect", dir.to_str().unwrap(), "--format", "json"],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let named: Vec<&str> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "files/not-regular")
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(named, ["config.json", "pytorch_model.bin"], "{r}");
    let files = support::file_paths(&r);
    assert!(!files.contains(&"config.json"), "{files:?}");
}

fn verify_json(args: &[&str], cwd: &Path) -> (Option<i32>, Value) {
    let mut all = vec!["verify"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let out = mri_in(&all, cwd);
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", stderr(&out)));
    (out.status.code(), json)
}

#[test]
fn verify_refuses_options_it_cannot_use() {
    let (tmp, dir) = copy_fixture("tiny-qwen3");
    let d = dir.to_str().unwrap();
    let file = dir.join("config.json");
    for (args, says) in [
        (
            vec!["verify", d, "--manifest", "nonexist.txt"],
            "cannot read the manifest `nonexist.txt`",
        ),
        (
            vec!["verify", d, "--pointers", "nonexist"],
            "--pointers `nonexist` cannot be read",
        ),
        (
            vec!["verify", d, "--pointers", file.to_str().unwrap()],
            "is a file, not a folder",
        ),
    ] {
        let out = mri_in(&args, tmp.path());
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
    }
    let fifo = tmp.path().join("SHA256SUMS");
    mkfifo(&fifo);
    let out = mri_in(
        &["verify", d, "--manifest", fifo.to_str().unwrap()],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("(FIFO)"), "{}", stderr(&out));
}

/// An LFS pointer file for `bytes` with the size `size`.
fn pointer(bytes: &[u8], size: usize) -> String {
    use sha2::Digest as _;
    let oid: String = sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("version https://git-lfs.github.com/spec/v1\noid sha256:{oid}\nsize {size}\n")
}

#[test]
fn verify_counts_a_pointer_size_mismatch_as_mismatched() {
    let (tmp, dir) = copy_fixture("tiny-qwen3");
    let weights = fs::read(dir.join("model.safetensors")).unwrap();
    let pointers = tmp.path().join("pointers");
    fs::create_dir(&pointers).unwrap();
    fs::write(
        pointers.join("model.safetensors"),
        pointer(&weights, weights.len() + 1),
    )
    .unwrap();
    let (code, r) = verify_json(
        &[
            dir.to_str().unwrap(),
            "--pointers",
            pointers.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert_eq!(code, Some(1), "{r}");
    assert_eq!(r["summary"]["mismatched"], 1, "{r}");
    assert_eq!(r["summary"]["verified"], 0, "{r}");
}

#[test]
fn verify_fails_on_weights_never_downloaded_and_on_unreadable_files() {
    let (tmp, dir) = copy_fixture("tiny-qwen3");
    let weights = fs::read(dir.join("model.safetensors")).unwrap();
    fs::write(
        dir.join("model.safetensors"),
        pointer(&weights, weights.len()),
    )
    .unwrap();
    let (code, r) = verify_json(&[dir.to_str().unwrap()], tmp.path());
    assert_eq!(code, Some(1), "{r}");
    assert_eq!(r["summary"]["missing"], 1, "{r}");
    assert!(
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "integrity/blob-missing"
                && f["file"] == "model.safetensors"
                && f["message"].as_str().unwrap().contains("never downloaded")),
        "{r}"
    );
}

#[test]
fn verify_fails_when_a_weight_file_is_a_fifo() {
    let (tmp, dir) = copy_fixture("tiny-qwen3");
    mkfifo(&dir.join("extra.safetensors"));
    let (code, r) = verify_json(&[dir.to_str().unwrap()], tmp.path());
    assert_eq!(code, Some(1), "{r}");
    assert_eq!(r["summary"]["unreadable"], 1, "{r}");
    assert!(
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "files/not-regular"
                && f["severity"] == "error"
                && f["file"] == "extra.safetensors"),
        "{r}"
    );
}

#[test]
fn verify_reports_malformed_and_escaping_manifest_lines_in_line_order() {
    let (tmp, dir) = copy_fixture("tiny-qwen3");
    let manifest = tmp.path().join("SHA256SUMS");
    let hex = "0".repeat(64);
    fs::write(
        &manifest,
        format!("hello world\n{hex}  ../../etc/hostname\nnot a manifest\n{hex}  /etc/hostname\n"),
    )
    .unwrap();
    let (code, r) = verify_json(
        &[
            dir.to_str().unwrap(),
            "--manifest",
            manifest.to_str().unwrap(),
        ],
        tmp.path(),
    );
    assert_eq!(code, Some(1), "{r}");
    let found: Vec<(u64, bool)> = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "integrity/manifest-invalid")
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                f["message"].as_str().unwrap().contains("outside the model"),
            )
        })
        .collect();
    assert_eq!(found, [(1, false), (2, true), (3, false), (4, true)], "{r}");
    assert_eq!(r["summary"]["missing"], 0, "{r}");
}

#[test]
fn sarif_uris_are_percent_encoded() {
    let (tmp, dir) = copy_fixture("tiny-qwen3");
    let odd = tmp.path().join("m cc#1 é<&\"'>");
    fs::rename(&dir, &odd).unwrap();
    fs::write(odd.join("README.md"), "---\nlicense: cc-by-nc-4.0\n---\n").unwrap();
    let out = mri_in(
        &["check", "m cc#1 é<&\"'>", "--format", "sarif"],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    let uris: Vec<&str> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(!uris.is_empty());
    for uri in &uris {
        assert!(
            uri.starts_with("m%20cc%231%20%C3%A9%3C%26%22%27%3E/"),
            "{uri}"
        );
    }
    // Outside the working folder: an absolute file URI as the base.
    let elsewhere = tempfile::tempdir().unwrap();
    let out = mri_in(
        &["check", odd.to_str().unwrap(), "--format", "sarif"],
        elsewhere.path(),
    );
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    let base = log["runs"][0]["originalUriBaseIds"]["MODEL0"]["uri"]
        .as_str()
        .unwrap();
    assert!(
        base.starts_with("file:///") && base.ends_with("/m%20cc%231%20%C3%A9%3C%26%22%27%3E/"),
        "{base}"
    );
    assert!(!base.contains(' '), "{base}");
}

#[test]
fn sarif_rule_levels_follow_their_results() {
    let (tmp, dir) = copy_fixture("tiny-qwen3");
    // A dangling link is an error finding, an unfinished download a
    // warning; the policy fails both.
    symlink("nowhere", dir.join("extra.safetensors")).unwrap();
    fs::write(dir.join("part.safetensors.incomplete"), b"xx").unwrap();
    fs::write(
        tmp.path().join("p.toml"),
        "[licenses]\nallow-verdicts = [\"permitted\", \"permitted-with-conditions\", \"unknown\"]\n\n[findings]\ndeny = [\"warning\", \"info\"]\n",
    )
    .unwrap();
    let out = mri_in(
        &[
            "check",
            dir.to_str().unwrap(),
            "--policy",
            "p.toml",
            "--format",
            "sarif",
        ],
        tmp.path(),
    );
    let log: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| panic!("{}", stderr(&out)));
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    for result in run["results"].as_array().unwrap() {
        let rule = &rules[result["ruleIndex"].as_u64().unwrap() as usize];
        let worst = run["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["ruleId"] == rule["id"])
            .map(|r| match r["level"].as_str().unwrap() {
                "error" => 0,
                "warning" => 1,
                _ => 2,
            })
            .min()
            .unwrap();
        let level = ["error", "warning", "note"][worst];
        assert_eq!(rule["defaultConfiguration"]["level"], level, "{rule}");
    }
    let levels: Vec<&str> = rules
        .iter()
        .map(|r| r["defaultConfiguration"]["level"].as_str().unwrap())
        .collect();
    assert!(
        levels.contains(&"error") && levels.iter().any(|l| *l != "error"),
        "{levels:?}"
    );
}

#[test]
fn junit_stays_well_formed_and_text_shows_control_characters() {
    use quick_xml::events::Event;
    let (tmp, dir) = copy_fixture("tiny-qwen3");
    // Dangling links are error findings that name the file.
    let odd = "bad\u{fffe}\u{ffff}\u{1b}[2J\u{7}name.safetensors";
    symlink("nowhere", dir.join(odd)).unwrap();
    let out = mri_in(
        &["check", dir.to_str().unwrap(), "--format", "junit"],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let xml = stdout(&out);
    assert!(
        !xml.contains('\u{fffe}') && !xml.contains('\u{ffff}') && !xml.contains('\u{1b}'),
        "{xml}"
    );
    let mut reader = quick_xml::Reader::from_str(&xml);
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed: {e}\n{xml}"),
        }
    }
    for args in [
        &["inspect", dir.to_str().unwrap(), "--color", "always"][..],
        &["inspect", dir.to_str().unwrap(), "--format", "markdown"],
        &["check", dir.to_str().unwrap(), "--color", "always"],
    ] {
        let out = mri_in(args, tmp.path());
        let text = stdout(&out);
        assert!(
            text.contains("bad\u{fffe}\u{ffff}\\u{1b}[2J\\u{7}name"),
            "{args:?}: {text}"
        );
        assert!(
            !text.contains("\u{1b}[2J") && !text.contains('\u{7}'),
            "{args:?}"
        );
    }
    // JSON keeps the name as it is.
    let out = mri_in(
        &["inspect", dir.to_str().unwrap(), "--format", "json"],
        tmp.path(),
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["file"].as_str() == Some(odd)),
        "{r}"
    );
}

#[test]
fn a_weight_file_named_like_a_license_is_not_read_as_one() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("m");
    fs::create_dir(&dir).unwrap();
    fs::write(dir.join("config.json"), "{\"model_type\": \"llama\"}").unwrap();
    fs::write(
        dir.join("license_weights.safetensors"),
        b"\x08\0\0\0\0\0\0\0{}      ",
    )
    .unwrap();
    fs::write(dir.join("license-notes.bin"), b"\x80\x02}q\x00.").unwrap();
    let out = mri_in(
        &["inspect", dir.to_str().unwrap(), "--format", "json"],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let detected = r["license"]["detected"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        detected.iter().all(|d| d["source"] != "file"),
        "{detected:?}"
    );
    assert!(
        detected
            .iter()
            .all(|d| !d["file"].as_str().unwrap_or("").starts_with("license")),
        "{detected:?}"
    );
}
