//! Interoperability with the reference implementation, `model_signing`
//! (sigstore model-transparency v1, with pyopenssl), installed by `.ci/run`
//! in a venv under target/ and named by `MRI_SIGN_VENV`: on a fixture and on
//! the real all-MiniLM-L6-v2 of the smoke tests (`MRI_MINILM_DIR`), bundles
//! the reference signs verify with mri and bundles mri signs verify with the
//! reference, with a key and with a certificate; and each tampering (a byte
//! of the weight, a renamed, added or removed file, the statement edited
//! after signing, a listed path with `..`) fails in both.

mod signature_common;

use signature_common::*;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

struct Reference {
    cli: PathBuf,
}

impl Reference {
    fn find() -> Option<Reference> {
        let Some(venv) = std::env::var_os("MRI_SIGN_VENV") else {
            println!("skipped: MRI_SIGN_VENV is not set (.ci/run sets it to its venv with model-signing)");
            return None;
        };
        let cli = Path::new(&venv).join("bin/model_signing");
        assert!(
            cli.exists(),
            "MRI_SIGN_VENV has no bin/model_signing: {}",
            cli.display()
        );
        Some(Reference { cli })
    }

    fn run(&self, args: &[&str]) -> (bool, String) {
        let out = Command::new(&self.cli)
            .args(args)
            .output()
            .expect("run model_signing");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    }

    fn sign_key(&self, root: &Path, key: &Path, sig: &Path) {
        let (ok, text) = self.run(&[
            "sign",
            "key",
            s(root),
            "--private_key",
            s(key),
            "--signature",
            s(sig),
        ]);
        assert!(ok, "the reference could not sign: {text}");
    }

    fn sign_certificate(&self, root: &Path, pki: &Pki, sig: &Path) {
        let (ok, text) = self.run(&[
            "sign",
            "certificate",
            s(root),
            "--private_key",
            s(&pki.leaf_key),
            "--signing_certificate",
            s(&pki.leaf),
            "--certificate_chain",
            s(&pki.intermediate),
            "--signature",
            s(sig),
        ]);
        assert!(ok, "the reference could not sign: {text}");
    }

    fn verify_key(&self, root: &Path, public: &Path, sig: &Path) -> (bool, String) {
        self.run(&[
            "verify",
            "key",
            s(root),
            "--public_key",
            s(public),
            "--signature",
            s(sig),
        ])
    }

    fn verify_certificate(&self, root: &Path, pki: &Pki, sig: &Path) -> (bool, String) {
        self.run(&[
            "verify",
            "certificate",
            s(root),
            "--certificate_chain",
            s(&pki.root),
            "--signature",
            s(sig),
        ])
    }
}

fn mri_sign(root: &Path, args: &[&str]) {
    let mut all = vec!["sign", s(root)];
    all.extend_from_slice(args);
    let (code, _, err) = run(&all);
    assert_eq!(code, Some(0), "mri could not sign: {err}");
}

/// Everything on one model folder. `sigs` is a folder outside it.
fn interop(reference: &Reference, root: &Path, sigs: &Path) {
    fs::create_dir_all(sigs).unwrap();
    let keys = write_p256(sigs, "signer", 11);
    let pki = write_pki(sigs, EMAIL);
    let key_args = ["--key", s(&keys.public)];

    // The reference signs with a key into model.sig inside the folder;
    // mri verifies (the signature itself left out by both).
    let inside = root.join("model.sig");
    reference.sign_key(root, &keys.pkcs8, &inside);
    let (code, report) = verify_json(root, &inside, &key_args);
    assert_eq!(
        code,
        Some(0),
        "mri rejects the reference's bundle: {report:#}"
    );
    // mri signs into the same place; the reference verifies.
    mri_sign(root, &["--key", s(&keys.pkcs8)]);
    let (ok, text) = reference.verify_key(root, &keys.public, &inside);
    assert!(ok, "the reference rejects mri's bundle: {text}");
    fs::remove_file(&inside).unwrap();

    // Bundles outside the folder, by each tool and each method.
    let ref_key = sigs.join("ref-key.sig");
    let ref_cert = sigs.join("ref-cert.sig");
    let mri_key = sigs.join("mri-key.sig");
    let mri_cert = sigs.join("mri-cert.sig");
    reference.sign_key(root, &keys.pkcs8, &ref_key);
    reference.sign_certificate(root, &pki, &ref_cert);
    mri_sign(root, &["--key", s(&keys.sec1), "-o", s(&mri_key)]);
    mri_sign(
        root,
        &[
            "--key",
            s(&pki.leaf_key),
            "--certificate",
            s(&pki.leaf),
            "--certificate-chain",
            s(&pki.intermediate),
            "-o",
            s(&mri_cert),
        ],
    );
    let cert_args = [
        "--certificate-chain",
        s(&pki.root),
        "--identity",
        EMAIL,
        "--issuer",
        ISSUER,
    ];
    for sig in [&ref_key, &mri_key] {
        let (code, report) = verify_json(root, sig, &key_args);
        assert_eq!(code, Some(0), "{}: {report:#}", sig.display());
        let (ok, text) = reference.verify_key(root, &keys.public, sig);
        assert!(ok, "{}: {text}", sig.display());
    }
    for sig in [&ref_cert, &mri_cert] {
        let (code, report) = verify_json(root, sig, &cert_args);
        assert_eq!(code, Some(0), "{}: {report:#}", sig.display());
        let (ok, text) = reference.verify_certificate(root, &pki, sig);
        assert!(ok, "{}: {text}", sig.display());
    }

    // Each tampering of the folder fails in both tools, for both bundles.
    let both_fail = |what: &str, expect: &str| {
        for sig in [&ref_key, &mri_key] {
            let (code, report) = verify_json(root, sig, &key_args);
            assert_eq!(code, Some(1), "{what}: mri passes {}", sig.display());
            assert!(
                codes(&report).iter().any(|c| c == expect),
                "{what}: {expect} expected, got {:?}",
                codes(&report)
            );
            let (ok, text) = reference.verify_key(root, &keys.public, sig);
            assert!(
                !ok,
                "{what}: the reference passes {}: {text}",
                sig.display()
            );
        }
    };
    let w = weight(root);
    flip_byte(&w);
    both_fail("a byte of the weight", "signature/file-changed");
    flip_byte(&w);
    fs::rename(root.join("config.json"), root.join("config.renamed.json")).unwrap();
    both_fail("a renamed file", "signature/file-missing");
    fs::rename(root.join("config.renamed.json"), root.join("config.json")).unwrap();
    fs::write(root.join("added.py"), "print('hi')\n").unwrap();
    both_fail("an added file", "signature/file-unlisted");
    fs::remove_file(root.join("added.py")).unwrap();
    let config = fs::read(root.join("config.json")).unwrap();
    fs::remove_file(root.join("config.json")).unwrap();
    both_fail("a removed file", "signature/file-missing");
    fs::write(root.join("config.json"), config).unwrap();
    both_pass_once_restored(reference, root, &keys, &[&ref_key, &mri_key]);

    // The statement edited after signing (kept consistent, the weight's
    // digest replaced): a bad signature for both, for both bundles.
    for sig in [&ref_key, &mri_key] {
        let edited = sigs.join("edited.sig");
        fs::copy(sig, &edited).unwrap();
        edit_statement(&edited, |st| {
            for r in st["predicate"]["resources"].as_array_mut().unwrap() {
                if r["name"].as_str().unwrap().ends_with(".safetensors") {
                    r["digest"] = "ab".repeat(32).into();
                }
            }
            st["subject"][0]["digest"]["sha256"] = root_digest(st).into();
        });
        let (code, report) = verify_json(root, &edited, &key_args);
        assert_eq!(code, Some(1));
        assert_eq!(codes(&report), ["signature/bad-signature"]);
        let (ok, text) = reference.verify_key(root, &keys.public, &edited);
        assert!(!ok, "the reference passes an edited statement: {text}");
    }

    // A validly signed statement listing `../outside.txt` (which exists).
    fs::write(root.parent().unwrap().join("outside.txt"), "x\n").unwrap();
    let mut statement = statement_of(&ref_key);
    statement["predicate"]["resources"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
            "algorithm": "sha256",
            "digest": sha256_hex(b"x\n"),
            "name": "../outside.txt",
        }));
    statement["subject"][0]["digest"]["sha256"] = root_digest(&statement).into();
    let escaping = sigs.join("escaping.sig");
    sign_statement(&statement, &keys.pkcs8, &escaping);
    let (code, report) = verify_json(root, &escaping, &key_args);
    assert_eq!(code, Some(1));
    assert_eq!(codes(&report), ["signature/path-escape"]);
    let (ok, text) = reference.verify_key(root, &keys.public, &escaping);
    assert!(!ok, "the reference passes a `..` path: {text}");
}

/// After every tampering was undone, both bundles verify again in both
/// tools (so each failure above came from its tampering).
fn both_pass_once_restored(reference: &Reference, root: &Path, keys: &KeyFiles, sigs: &[&Path]) {
    for sig in sigs {
        let (code, report) = verify_json(root, sig, &["--key", s(&keys.public)]);
        assert_eq!(code, Some(0), "restored: {report:#}");
        let (ok, text) = reference.verify_key(root, &keys.public, sig);
        assert!(ok, "restored: {text}");
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn reference_and_mri_agree_on_a_fixture() {
    let Some(reference) = Reference::find() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let root = model(tmp.path());
    interop(&reference, &root, &tmp.path().join("sigs"));
}

#[test]
fn reference_and_mri_agree_on_the_real_minilm() {
    let Some(reference) = Reference::find() else {
        return;
    };
    let Some(dir) = std::env::var_os("MRI_MINILM_DIR") else {
        println!("skipped: MRI_MINILM_DIR is not set");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("all-MiniLM-L6-v2");
    copy_dir(Path::new(&dir), &root);
    interop(&reference, &root, &tmp.path().join("sigs"));
}
