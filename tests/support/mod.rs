//! Helpers shared by the integration tests: the fixture generator and a way
//! to run the real `mri` binary.
#![allow(dead_code)]

pub mod bounded;
pub mod fixture_gen;
pub mod gguf_iq4;
pub mod gguf_models;
pub mod hub_server;
pub mod license_eval;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository's `fixtures/` folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Runs `mri` with `args` and extra environment variables.
pub fn mri_env(args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mri"));
    cmd.args(args)
        .env_remove("HF_HUB_CACHE")
        .env_remove("HF_HOME")
        .env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run mri")
}

/// Runs `mri` with `args`.
pub fn mri(args: &[&str]) -> Output {
    mri_env(args, &[])
}

/// `mri inspect PATH --format json`, parsed; panics with stderr on failure.
pub fn inspect_json(path: &Path) -> Value {
    let out = mri(&[
        "inspect",
        path.to_str().expect("utf-8 path"),
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "mri failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

/// Copies a fixture into a fresh temporary directory; returns (guard, model dir).
pub fn copy_fixture(name: &str) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dst = tmp.path().join(name);
    copy_dir(&fixtures().join(name), &dst);
    (tmp, dst)
}

/// Recursively copies a folder of plain files.
pub fn copy_dir(src: &Path, dst: &Path) {
    std::fs::create_dir_all(dst).expect("mkdir");
    for e in std::fs::read_dir(src).expect("read_dir") {
        let e = e.expect("entry");
        let to = dst.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &to);
        } else {
            std::fs::copy(e.path(), &to).expect("copy");
        }
    }
}

/// The findings of a report with the given code.
pub fn findings<'a>(report: &'a Value, code: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["code"] == code)
        .collect()
}

/// The paths of a report's `files[]`, in order.
pub fn file_paths(report: &Value) -> Vec<&str> {
    report["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["path"].as_str().expect("a path"))
        .collect()
}

/// Edits a JSON file in place.
pub fn edit_json(path: &Path, edit: impl FnOnce(&mut Value)) {
    let mut v: Value = serde_json::from_slice(&std::fs::read(path).expect("read")).expect("json");
    edit(&mut v);
    std::fs::write(path, serde_json::to_vec_pretty(&v).expect("json")).expect("write");
}
