//! Keyless model signatures checked offline with `--trust-root`: a real
//! bundle signed with Sigstore's production instance by the reference
//! `model_signing` (tests/data/model-signing, see its README) against
//! Sigstore's production trusted root — the Fulcio chain at the log's time,
//! identity and issuer, the DSSE signature, the Rekor entry's body, signed
//! entry timestamp, inclusion proof and signed checkpoint — and each of them
//! tampered with.

mod signature_common;

use base64::Engine;
use serde_json::Value;
use signature_common::{codes, copy_dir, run, verify_json};
use std::fs;
use std::path::{Path, PathBuf};

const IDENTITY: &str = "stefanb@us.ibm.com";
const ISSUER: &str = "https://sigstore.verify.ibm.com/oauth2";

fn data() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/model-signing")
}

/// The signed model copied to a temporary folder, with its bundle and the
/// trusted root beside it.
fn setup() -> (tempfile::TempDir, PathBuf, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("v1.1.0-sigstore");
    copy_dir(&data().join("v1.1.0-sigstore"), &root);
    let sig = tmp.path().join("model.sig");
    fs::rename(root.join("model.sig"), &sig).unwrap();
    let trust = tmp.path().join("trusted_root.json");
    fs::copy(data().join("trusted_root.json"), &trust).unwrap();
    (tmp, root, sig, trust)
}

fn check(
    root: &Path,
    sig: &Path,
    trust: &Path,
    identity: &str,
    issuer: &str,
) -> (Option<i32>, Value) {
    verify_json(
        root,
        sig,
        &[
            "--trust-root",
            trust.to_str().unwrap(),
            "--identity",
            identity,
            "--issuer",
            issuer,
        ],
    )
}

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

/// Rewrites the bundle's first log entry.
fn edit_entry(sig: &Path, edit: impl FnOnce(&mut Value)) {
    let mut bundle: Value = serde_json::from_slice(&fs::read(sig).unwrap()).unwrap();
    edit(&mut bundle["verificationMaterial"]["tlogEntries"][0]);
    fs::write(sig, bundle.to_string()).unwrap();
}

/// Flips one bit of a base64 field's bytes.
fn flip_b64(value: &mut Value, at: usize) {
    let mut bytes = b64().decode(value.as_str().unwrap()).unwrap();
    let i = at.min(bytes.len() - 1);
    bytes[i] ^= 0x01;
    *value = Value::String(b64().encode(bytes));
}

#[test]
fn a_real_keyless_bundle_verifies_offline() {
    let (_tmp, root, sig, trust) = setup();
    let (code, report) = check(&root, &sig, &trust, IDENTITY, ISSUER);
    assert_eq!(code, Some(0), "{report:#}");
    let signer = &report["signature"]["signer"];
    assert_eq!(signer["identities"][0], IDENTITY);
    assert_eq!(signer["issuer"], ISSUER);
    assert!(signer["log"]
        .as_str()
        .unwrap()
        .contains("rekor.sigstore.dev entry 598151086"));
    assert_eq!(report["summary"]["verified"], 2);
    // `ignore-me` is left out by the statement's own ignore_paths.
    assert!(!report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["file"] == "ignore-me"));

    // Without a trust root: never valid.
    let (code, report) = verify_json(&root, &sig, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(codes(&report), ["signature/not-checked"]);
    assert!(report["findings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("keyless bundle needs --trust-root"));
}

#[test]
fn another_identity_or_issuer_fails() {
    let (_tmp, root, sig, trust) = setup();
    let (code, report) = check(&root, &sig, &trust, "eve@example.com", ISSUER);
    assert_eq!(code, Some(1));
    assert_eq!(codes(&report), ["signature/identity"]);
    let (code, report) = check(&root, &sig, &trust, IDENTITY, "https://accounts.google.com");
    assert_eq!(code, Some(1));
    assert_eq!(codes(&report), ["signature/identity"]);
}

#[test]
fn a_changed_file_or_statement_fails() {
    let (_tmp, root, sig, trust) = setup();
    fs::write(root.join("signme-1"), "changed\n").unwrap();
    let (code, report) = check(&root, &sig, &trust, IDENTITY, ISSUER);
    assert_eq!(code, Some(1));
    assert_eq!(codes(&report), ["signature/file-changed"]);

    let (_tmp, root, sig, trust) = setup();
    signature_common::edit_statement(&sig, |st| {
        st["predicate"]["resources"][0]["name"] = "renamed".into();
    });
    let (code, report) = check(&root, &sig, &trust, IDENTITY, ISSUER);
    assert_eq!(code, Some(1));
    assert_eq!(codes(&report), ["signature/bad-signature"]);
}

#[test]
fn each_part_of_the_log_entry_is_checked() {
    // The signed entry timestamp.
    let (_tmp, root, sig, trust) = setup();
    edit_entry(&sig, |e| {
        flip_b64(&mut e["inclusionPromise"]["signedEntryTimestamp"], 20)
    });
    let (code, report) = check(&root, &sig, &trust, IDENTITY, ISSUER);
    assert_eq!(code, Some(1));
    assert_eq!(codes(&report), ["signature/untrusted"]);
    assert!(report["findings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("signed entry timestamp"));

    // The integrated time the SET signs.
    let (_tmp, root, sig, trust) = setup();
    edit_entry(&sig, |e| {
        let t: u64 = e["integratedTime"].as_str().unwrap().parse().unwrap();
        e["integratedTime"] = Value::String((t + 1).to_string());
    });
    let (code, report) = check(&root, &sig, &trust, IDENTITY, ISSUER);
    assert_eq!(code, Some(1));
    assert_eq!(codes(&report), ["signature/untrusted"]);

    // A hash of the inclusion proof.
    let (_tmp, root, sig, trust) = setup();
    edit_entry(&sig, |e| flip_b64(&mut e["inclusionProof"]["hashes"][3], 5));
    let (code, report) = check(&root, &sig, &trust, IDENTITY, ISSUER);
    assert_eq!(code, Some(1));
    assert!(report["findings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("inclusion proof"));

    // The checkpoint's signature.
    let (_tmp, root, sig, trust) = setup();
    edit_entry(&sig, |e| {
        let note = e["inclusionProof"]["checkpoint"]["envelope"]
            .as_str()
            .unwrap();
        let edited = note.replacen("476246825", "476246826", 1);
        e["inclusionProof"]["checkpoint"]["envelope"] = Value::String(edited);
    });
    let (code, report) = check(&root, &sig, &trust, IDENTITY, ISSUER);
    assert_eq!(code, Some(1));
    assert!(report["findings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("checkpoint"));

    // A body that records another payload.
    let (_tmp, root, sig, trust) = setup();
    edit_entry(&sig, |e| {
        let mut body: Value = serde_json::from_slice(
            &b64()
                .decode(e["canonicalizedBody"].as_str().unwrap())
                .unwrap(),
        )
        .unwrap();
        body["spec"]["payloadHash"]["value"] = "00".repeat(32).into();
        e["canonicalizedBody"] = Value::String(b64().encode(body.to_string()));
    });
    let (code, report) = check(&root, &sig, &trust, IDENTITY, ISSUER);
    assert_eq!(code, Some(1));
    assert!(report["findings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("another payload"));
}

#[test]
fn a_trust_root_without_the_authority_or_log_fails() {
    let (_tmp, root, sig, trust) = setup();
    let mut doc: Value = serde_json::from_slice(&fs::read(&trust).unwrap()).unwrap();
    // Keep only the Fulcio authority that expired in 2022.
    doc["certificateAuthorities"]
        .as_array_mut()
        .unwrap()
        .truncate(1);
    fs::write(&trust, doc.to_string()).unwrap();
    let (code, report) = check(&root, &sig, &trust, IDENTITY, ISSUER);
    assert_eq!(code, Some(1));
    assert_eq!(codes(&report), ["signature/untrusted"]);

    let (_tmp, root, sig, trust) = setup();
    let mut doc: Value = serde_json::from_slice(&fs::read(&trust).unwrap()).unwrap();
    doc["tlogs"] = Value::Array(Vec::new());
    fs::write(&trust, doc.to_string()).unwrap();
    let (code, report) = check(&root, &sig, &trust, IDENTITY, ISSUER);
    assert_eq!(code, Some(1));
    assert_eq!(codes(&report), ["signature/untrusted"]);
}

#[test]
fn a_trust_root_needs_identity_and_issuer() {
    let (_tmp, root, sig, trust) = setup();
    let (code, _, err) = run(&[
        "verify",
        root.to_str().unwrap(),
        "--signature",
        sig.to_str().unwrap(),
        "--trust-root",
        trust.to_str().unwrap(),
    ]);
    assert_eq!(code, Some(2));
    assert!(err.contains("--identity"), "{err}");
    fs::write(&trust, "{}").unwrap();
    let (code, _, err) = run(&[
        "verify",
        root.to_str().unwrap(),
        "--signature",
        sig.to_str().unwrap(),
        "--trust-root",
        trust.to_str().unwrap(),
        "--identity",
        IDENTITY,
        "--issuer",
        ISSUER,
    ]);
    assert_eq!(code, Some(2));
    assert!(err.contains("trusted root"), "{err}");
}
