//! Pickle scanning, remote code and chat templates, on crafted files.

mod support;

use serde_json::Value;
use std::fs;
use std::io::Write;
use std::path::Path;
use support::{copy_fixture, edit_json, findings, inspect_json};

/// `cos\nsystem\n(S'id'\ntR.` — protocol 0, GLOBAL.
const GLOBAL_OS_SYSTEM: &[u8] = b"cos\nsystem\n(S'id'\ntR.";
/// `(S'ls'\nisubprocess\ncheck_output\n.` — INST.
const INST_SUBPROCESS: &[u8] = b"(S'ls'\nisubprocess\ncheck_output\n.";

/// Protocol 4: module and name memoised, fetched back, STACK_GLOBAL.
fn stack_global_via_memo(module: &str, name: &str) -> Vec<u8> {
    let mut p = vec![0x80, 4, 0x95];
    p.extend_from_slice(&0u64.to_le_bytes());
    for s in [module, name] {
        p.push(0x8c);
        p.push(s.len() as u8);
        p.extend_from_slice(s.as_bytes());
        p.push(0x94);
    }
    p.extend_from_slice(b"00"); // pop both
    p.extend_from_slice(&[b'h', 0, b'h', 1, 0x93]); // BINGET 0, BINGET 1, STACK_GLOBAL
    p.extend_from_slice(&[0x8c, 2]);
    p.extend_from_slice(b"id");
    p.extend_from_slice(&[0x85, b'R', b'.']);
    p
}

/// A benign PyTorch-style state dict pickle (protocol 2).
fn benign_state_dict() -> Vec<u8> {
    let mut p = vec![0x80, 2];
    p.extend_from_slice(b"ccollections\nOrderedDict\nq\x00)Rq\x01");
    p.extend_from_slice(b"X\x06\x00\x00\x00weightq\x02");
    p.extend_from_slice(b"ctorch._utils\n_rebuild_tensor_v2\nq\x03((X\x07\x00\x00\x00storageq\x04ctorch\nFloatStorage\nq\x05X\x01\x00\x00\x000q\x06X\x03\x00\x00\x00cpuq\x07K\x04tq\x08QK\x00K\x04\x85K\x01\x85\x89h\x00)Rq\x09tq\x0aRq\x0bs.");
    p
}

fn torch_zip(path: &Path, pickle: &[u8]) {
    let file = fs::File::create(path).unwrap();
    let mut z = zip::ZipWriter::new(file);
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    z.start_file("archive/data.pkl", opts).unwrap();
    z.write_all(pickle).unwrap();
    z.start_file("archive/data/0", opts).unwrap();
    z.write_all(&[0u8; 16]).unwrap();
    z.start_file("archive/version", opts).unwrap();
    z.write_all(b"3\n").unwrap();
    z.finish().unwrap();
}

fn pickle_findings(r: &Value, severity: &str) -> Vec<String> {
    findings(r, "security/pickle-global")
        .into_iter()
        .filter(|f| f["severity"] == severity)
        .map(|f| {
            format!(
                "{}: {}",
                f["file"].as_str().unwrap_or(""),
                f["message"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn each_dangerous_import_form_is_an_error() {
    let (_t, dir) = copy_fixture("tiny-llama");
    fs::write(dir.join("global.pkl"), GLOBAL_OS_SYSTEM).unwrap();
    fs::write(dir.join("inst.pt"), INST_SUBPROCESS).unwrap();
    fs::write(
        dir.join("memo.bin"),
        stack_global_via_memo("builtins", "eval"),
    )
    .unwrap();
    let mut concatenated = benign_state_dict();
    concatenated.extend_from_slice(&stack_global_via_memo("posix", "system"));
    fs::write(dir.join("after_benign.ckpt"), concatenated).unwrap();
    torch_zip(
        &dir.join("pytorch_model.bin"),
        &stack_global_via_memo("runpy", "run_path"),
    );
    let r = inspect_json(&dir);
    let errors = pickle_findings(&r, "error");
    for (file, what) in [
        ("global.pkl", "os.system"),
        ("inst.pt", "subprocess.check_output"),
        ("memo.bin", "builtins.eval"),
        ("after_benign.ckpt", "posix.system"),
        ("pytorch_model.bin", "runpy.run_path"),
    ] {
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with(&format!("{file}:")) && e.contains(what)),
            "no error for {what} in {file}: {errors:#?}"
        );
    }
    assert!(
        errors.iter().any(|e| e.contains("member archive/data.pkl")),
        "{errors:#?}"
    );
    assert!(errors.iter().any(|e| e.contains("STACK_GLOBAL")));
}

#[test]
fn a_benign_torch_checkpoint_gives_no_error() {
    let (_t, dir) = copy_fixture("tiny-llama");
    torch_zip(&dir.join("pytorch_model.bin"), &benign_state_dict());
    fs::write(dir.join("legacy.pt"), benign_state_dict()).unwrap();
    let r = inspect_json(&dir);
    assert!(
        pickle_findings(&r, "error").is_empty(),
        "{:#?}",
        pickle_findings(&r, "error")
    );
    assert!(
        pickle_findings(&r, "warning").is_empty(),
        "{:#?}",
        pickle_findings(&r, "warning")
    );
    let infos = pickle_findings(&r, "info");
    assert!(
        infos
            .iter()
            .any(|i| i.contains("torch._utils._rebuild_tensor_v2")),
        "{infos:#?}"
    );
    let pickles = r["security"]["pickles"].as_array().unwrap();
    assert_eq!(pickles.len(), 2);
    assert!(pickles
        .iter()
        .any(|p| p["format"] == "torch-zip" && p["member"] == "archive/data.pkl"));
}

#[test]
fn bytes_not_extensions_decide() {
    let (_t, dir) = copy_fixture("tiny-llama");
    // a pickle under an innocent name
    let mut p = vec![0x80, 2];
    p.extend_from_slice(b"cos\nsystem\nq\x00.");
    fs::write(dir.join("weights.dat"), p).unwrap();
    // a .bin that is not a pickle at all
    fs::write(dir.join("vocab.bin"), b"\x00\x01\x02 plain data").unwrap();
    let r = inspect_json(&dir);
    let errors = pickle_findings(&r, "error");
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("weights.dat:") && e.contains("os.system")),
        "{errors:#?}"
    );
    assert!(!errors.iter().any(|e| e.starts_with("vocab.bin")));
}

#[test]
fn unknown_imports_are_warnings() {
    let (_t, dir) = copy_fixture("tiny-llama");
    fs::write(
        dir.join("extra.pkl"),
        b"\x80\x02cargparse\nNamespace\nq\x00)Rq\x01.",
    )
    .unwrap();
    let r = inspect_json(&dir);
    let warnings = pickle_findings(&r, "warning");
    assert!(
        warnings.iter().any(|w| w.contains("argparse.Namespace")),
        "{warnings:#?}"
    );
}

#[test]
fn auto_map_and_python_files_are_remote_code_with_hashes() {
    let (_t, dir) = copy_fixture("tiny-llama");
    edit_json(&dir.join("config.json"), |v| {
        v["auto_map"] =
            serde_json::json!({"AutoModelForCausalLM": "modeling_acme.AcmeForCausalLM"});
    });
    fs::write(dir.join("modeling_acme.py"), "import os\nos.system('id')\n").unwrap();
    fs::write(dir.join("train.py"), "print('hi')\n").unwrap();
    let r = inspect_json(&dir);
    let remote = findings(&r, "security/remote-code");
    let auto = remote
        .iter()
        .find(|f| f["file"] == "config.json")
        .expect("auto_map finding");
    assert_eq!(auto["severity"], "warning");
    assert!(auto["line"].is_u64());
    let modeling = remote
        .iter()
        .find(|f| f["file"] == "modeling_acme.py")
        .expect("code file finding");
    assert_eq!(modeling["severity"], "warning");
    let sha = support_sha256(b"import os\nos.system('id')\n");
    assert!(modeling["message"].as_str().unwrap().contains(&sha));
    let train = remote
        .iter()
        .find(|f| f["file"] == "train.py")
        .expect("train.py listed");
    assert_eq!(train["severity"], "info");
    let code = r["security"]["code"].as_array().unwrap();
    assert!(code.iter().any(
        |c| c["file"] == "modeling_acme.py" && c["referenced_by"][0] == "AutoModelForCausalLM"
    ));
}

fn support_sha256(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn a_template_reaching_into_internals_is_flagged() {
    let (_t, dir) = copy_fixture("tiny-llama");
    edit_json(&dir.join("tokenizer_config.json"), |v| {
        v["chat_template"] =
            serde_json::json!("{{ cycler.__init__.__globals__.os.popen('id').read() }}");
    });
    let r = inspect_json(&dir);
    let t = findings(&r, "security/template");
    assert_eq!(t.len(), 1, "{}", r["findings"]);
    assert_eq!(t[0]["severity"], "error");
    assert!(t[0]["message"].as_str().unwrap().contains("__globals__"));
    // the fixture's own template is clean
    let r = inspect_json(&support::fixtures().join("tiny-llama"));
    assert!(findings(&r, "security/template").is_empty());
}

/// A PyTorch zip whose `data.pkl` is `pad` bytes of NONE/POP (deflated, so
/// the file stays small) followed by `GLOBAL posix system`: the pickle is
/// written to the zip member as it is generated, never held whole.
pub fn padded_torch_zip(path: &Path, pad: u64) {
    let file = fs::File::create(path).unwrap();
    let mut z = zip::ZipWriter::new(file);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(pad > u32::MAX as u64 / 2);
    z.start_file("archive/data.pkl", opts).unwrap();
    z.write_all(&[0x80, 2]).unwrap();
    let chunk = b"N0".repeat(1 << 19);
    let mut left = pad / 2 * 2;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        z.write_all(&chunk[..n]).unwrap();
        left -= n as u64;
    }
    z.write_all(b"cposix\nsystem\n(S'id'\ntR.").unwrap();
    z.start_file("archive/version", opts).unwrap();
    z.write_all(b"3\n").unwrap();
    z.finish().unwrap();
}

#[test]
fn an_import_behind_deflated_padding_is_found() {
    // The file held 528 MiB of padding, past the old 512 MiB read
    // cap; the walk now streams, so the same shape at any size is walked to
    // its end (24 MiB keeps a debug-build test quick; 600 MiB measured by
    // hand).
    let (_t, dir) = copy_fixture("tiny-llama");
    padded_torch_zip(&dir.join("pytorch_model.bin"), 24 << 20);
    assert!(fs::metadata(dir.join("pytorch_model.bin")).unwrap().len() < 1 << 20);
    let r = inspect_json(&dir);
    let errors = pickle_findings(&r, "error");
    assert!(
        errors
            .iter()
            .any(|e| e.starts_with("pytorch_model.bin:") && e.contains("posix.system")),
        "{errors:#?}"
    );
    assert!(findings(&r, "security/pickle-unscanned").is_empty());
}

#[test]
fn a_pickle_past_the_scan_limit_fails_the_default_gate() {
    let (t, dir) = copy_fixture("tiny-llama");
    padded_torch_zip(&dir.join("pytorch_model.bin"), 8 << 20);
    let limit = Path::new("1048576");
    let path = dir.to_str().unwrap();
    let out = support::mri_env(
        &["inspect", path, "--format", "json"],
        &[("MRI_PICKLE_SCAN_BYTES", limit)],
    );
    assert!(out.status.success());
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let unscanned = findings(&r, "security/pickle-unscanned");
    assert_eq!(unscanned.len(), 1, "{}", r["findings"]);
    assert_eq!(unscanned[0]["severity"], "error");
    assert_eq!(unscanned[0]["file"], "pytorch_model.bin");
    let msg = unscanned[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("archive/data.pkl") && msg.contains("MRI_PICKLE_SCAN_BYTES"),
        "{msg}"
    );
    // the import behind the limit is not seen, and the gate does not pass
    assert!(pickle_findings(&r, "error").is_empty());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mri"))
        .args(["check", path])
        .current_dir(t.path())
        .env("MRI_PICKLE_SCAN_BYTES", "1048576")
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("FAIL") && text.contains("security/pickle-unscanned"),
        "{text}"
    );
}

#[test]
fn a_checkpoint_that_is_not_a_readable_zip_is_unscanned() {
    let (_t, dir) = copy_fixture("tiny-llama");
    fs::write(
        dir.join("pytorch_model.bin"),
        b"PK\x03\x04 not really a zip",
    )
    .unwrap();
    let r = inspect_json(&dir);
    let unscanned = findings(&r, "security/pickle-unscanned");
    assert_eq!(unscanned.len(), 1, "{}", r["findings"]);
    assert_eq!(unscanned[0]["severity"], "error");
}

/// The shape at full size: 600 MiB of padding (a 0.6 MB file) is
/// walked to its end and the import found. About 16 s in a debug build, so
/// not in the default run: `cargo test --test security -- --ignored`.
#[test]
#[ignore = "600 MiB walk: slow in a debug build"]
fn six_hundred_mib_of_padding_is_walked_to_the_import() {
    let (_t, dir) = copy_fixture("tiny-llama");
    padded_torch_zip(&dir.join("pytorch_model.bin"), 600 << 20);
    let r = inspect_json(&dir);
    let errors = pickle_findings(&r, "error");
    assert!(
        errors.iter().any(|e| e.contains("posix.system")),
        "{errors:#?}"
    );
    assert!(findings(&r, "security/pickle-unscanned").is_empty());
}
