//! `mri sign` and `mri verify --signature` without any other tool: keys and
//! certificates are made in the test (p256, p384, x509-cert's builder); each
//! tampering is named by its cause; usage mistakes exit 2.

mod signature_common;

use signature_common::*;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::Path;

fn sign(root: &Path, args: &[&str]) -> (Option<i32>, String) {
    let mut all = vec!["sign", root.to_str().unwrap()];
    all.extend_from_slice(args);
    let (code, _, err) = run(&all);
    (code, err)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn signed_with_a_key_verifies_and_lists_every_file() {
    let tmp = tempfile::tempdir().unwrap();
    let root = model(tmp.path());
    let keys = write_p256(tmp.path(), "signer", 1);
    let (code, err) = sign(&root, &["--key", s(&keys.pkcs8)]);
    assert_eq!(code, Some(0), "{err}");
    let sig = root.join("model.sig");
    let (code, report) = verify_json(&root, &sig, &["--key", s(&keys.public)]);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(report["signature"]["valid"], true);
    assert_eq!(report["signature"]["signer"]["kind"], "key");
    assert_eq!(report["signature"]["signer"]["curve"], "P-256");
    // Every file but git's and the signature itself, hidden and nested ones too.
    let statement = statement_of(&sig);
    let mut names: Vec<&str> = statement["predicate"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert!(names.contains(&".hidden"));
    assert!(names.contains(&"sub/deeper/notes.txt"));
    assert!(!names
        .iter()
        .any(|n| n.starts_with(".git") || *n == "model.sig"));
    assert_eq!(report["summary"]["verified"], names.len());
    assert_eq!(report["summary"]["listed"], names.len());
    assert_eq!(report["files"].as_array().unwrap().len(), names.len());
    assert_eq!(
        statement["predicateType"],
        "https://model_signing/signature/v1.0"
    );
    assert_eq!(
        statement["subject"][0]["digest"]["sha256"],
        root_digest(&statement)
    );
    // The JSON frame is `mri verify`'s.
    for key in [
        "schema_version",
        "target",
        "files",
        "findings",
        "summary",
        "counts",
    ] {
        assert!(report.get(key).is_some(), "{key} missing");
    }
    assert_eq!(report["files"][0]["checks"][0]["source"], "model-signing");
    // The SEC1 form of the same key signs the same files, into a bundle
    // outside the folder.
    fs::remove_file(&sig).unwrap();
    let other = root.parent().unwrap().join("other.sig");
    let (code, err) = sign(&root, &["--key", s(&keys.sec1), "-o", s(&other)]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        statement_of(&other)["predicate"]["resources"],
        statement["predicate"]["resources"]
    );
    let (code, report) = verify_json(&root, &other, &["--key", s(&keys.public)]);
    assert_eq!(code, Some(0), "{report:#}");
}

#[test]
fn each_tampering_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let root = model(tmp.path());
    let keys = write_p256(tmp.path(), "signer", 2);
    assert_eq!(sign(&root, &["--key", s(&keys.pkcs8)]).0, Some(0));
    let sig = root.join("model.sig");
    let pristine = tmp.path().join("pristine");
    copy_dir(&root, &pristine);
    let check =
        |root: &Path| verify_json(root, &root.join("model.sig"), &["--key", s(&keys.public)]);

    // One byte of a weight.
    flip_byte(&weight(&root));
    let (code, report) = check(&root);
    assert_eq!(code, Some(1));
    assert_eq!(codes(&report), ["signature/file-changed"]);
    let changed = files_of(&report, "signature/file-changed");
    assert!(changed[0].ends_with(".safetensors"), "{changed:?}");
    assert_eq!(report["summary"]["changed"], 1);

    // A renamed file: missing under its name, unlisted under the new one.
    fs::remove_dir_all(&root).unwrap();
    copy_dir(&pristine, &root);
    fs::rename(root.join("config.json"), root.join("config.json.bak")).unwrap();
    let (code, report) = check(&root);
    assert_eq!(code, Some(1));
    assert_eq!(files_of(&report, "signature/file-missing"), ["config.json"]);
    assert_eq!(
        files_of(&report, "signature/file-unlisted"),
        ["config.json.bak"]
    );

    // An added file, and one added inside an ignored folder (not named).
    fs::remove_dir_all(&root).unwrap();
    copy_dir(&pristine, &root);
    fs::write(root.join("extra.py"), "import os\n").unwrap();
    fs::write(root.join(".git/config"), "[core]\n").unwrap();
    let (code, report) = check(&root);
    assert_eq!(code, Some(1));
    assert_eq!(codes(&report), ["signature/file-unlisted"]);
    assert_eq!(files_of(&report, "signature/file-unlisted"), ["extra.py"]);

    // A removed file.
    fs::remove_dir_all(&root).unwrap();
    copy_dir(&pristine, &root);
    fs::remove_file(root.join("sub/deeper/notes.txt")).unwrap();
    let (code, report) = check(&root);
    assert_eq!(code, Some(1));
    assert_eq!(codes(&report), ["signature/file-missing"]);

    // The statement edited after signing (kept consistent): bad signature,
    // and nothing hashed.
    fs::remove_dir_all(&root).unwrap();
    copy_dir(&pristine, &root);
    flip_byte(&weight(&root));
    let actual = {
        use sha2::Digest;
        let bytes = fs::read(weight(&root)).unwrap();
        sha2::Sha256::digest(bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    edit_statement(&sig_of(&root), |st| {
        for r in st["predicate"]["resources"].as_array_mut().unwrap() {
            if r["name"].as_str().unwrap().ends_with(".safetensors") {
                r["digest"] = actual.clone().into();
            }
        }
        st["subject"][0]["digest"]["sha256"] = root_digest(st).into();
    });
    let (code, report) = check(&root);
    assert_eq!(code, Some(1));
    assert_eq!(codes(&report), ["signature/bad-signature"]);
    assert_eq!(report["signature"]["valid"], false);
    assert!(report["files"].as_array().unwrap().is_empty());
    let _ = sig;
}

fn sig_of(root: &Path) -> std::path::PathBuf {
    root.join("model.sig")
}

#[test]
fn wrong_key_and_keyless_and_paths_outside_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let root = model(tmp.path());
    let keys = write_p256(tmp.path(), "signer", 3);
    let other = write_p256(tmp.path(), "other", 4);
    assert_eq!(sign(&root, &["--key", s(&keys.pkcs8)]).0, Some(0));
    let sig = root.join("model.sig");

    // Another key than the bundle's hint.
    let (code, report) = verify_json(&root, &sig, &["--key", s(&other.public)]);
    assert_eq!(code, Some(1));
    assert_eq!(codes(&report), ["signature/wrong-key"]);
    // Another key and no hint: the signature itself fails.
    let mut bundle: serde_json::Value = serde_json::from_slice(&fs::read(&sig).unwrap()).unwrap();
    bundle["verificationMaterial"]["publicKey"] = serde_json::json!({});
    let nohint = tmp.path().join("nohint.sig");
    fs::write(&nohint, bundle.to_string()).unwrap();
    let (code, report) = verify_json(&root, &nohint, &["--key", s(&other.public)]);
    assert_eq!(code, Some(1));
    assert_eq!(codes(&report), ["signature/bad-signature"]);
    // Nothing to check with: never valid.
    let (code, report) = verify_json(&root, &sig, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(codes(&report), ["signature/not-checked"]);

    // A validly signed statement that lists a path outside the folder.
    fs::write(tmp.path().join("outside.txt"), "secret\n").unwrap();
    let mut statement = statement_of(&sig);
    statement["predicate"]["resources"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"algorithm": "sha256", "digest": "00".repeat(32), "name": "../outside.txt"}));
    statement["subject"][0]["digest"]["sha256"] = root_digest(&statement).into();
    sign_statement(&statement, &keys.pkcs8, &sig);
    let (code, report) = verify_json(&root, &sig, &["--key", s(&keys.public)]);
    assert_eq!(code, Some(1));
    assert_eq!(codes(&report), ["signature/path-escape"]);
    assert_eq!(
        files_of(&report, "signature/path-escape"),
        ["../outside.txt"]
    );
    assert_eq!(report["summary"]["escaping"], 1);
}

#[test]
fn certificate_method_checks_chain_identity_and_issuer() {
    let tmp = tempfile::tempdir().unwrap();
    let root = model(tmp.path());
    let pki = write_pki(tmp.path(), EMAIL);
    let (code, err) = sign(
        &root,
        &[
            "--key",
            s(&pki.leaf_key),
            "--certificate",
            s(&pki.leaf),
            "--certificate-chain",
            s(&pki.intermediate),
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    let sig = root.join("model.sig");
    let chain = ["--certificate-chain", s(&pki.root)];
    let (code, report) = verify_json(
        &root,
        &sig,
        &[chain[0], chain[1], "--identity", EMAIL, "--issuer", ISSUER],
    );
    assert_eq!(code, Some(0), "{report:#}");
    let signer = &report["signature"]["signer"];
    assert_eq!(signer["kind"], "certificate");
    assert_eq!(signer["identities"][0], EMAIL);
    assert_eq!(signer["issuer"], ISSUER);
    assert_eq!(signer["chain"].as_array().unwrap().len(), 3);

    let (code, report) = verify_json(
        &root,
        &sig,
        &[chain[0], chain[1], "--identity", "eve@example.com"],
    );
    assert_eq!(code, Some(1));
    assert_eq!(codes(&report), ["signature/identity"]);
    let (code, report) = verify_json(
        &root,
        &sig,
        &[chain[0], chain[1], "--issuer", "https://evil.example"],
    );
    assert_eq!(code, Some(1));
    assert_eq!(codes(&report), ["signature/identity"]);
    // A root of the same name but another key.
    let (code, report) = verify_json(&root, &sig, &["--certificate-chain", s(&pki.stranger)]);
    assert_eq!(code, Some(1));
    assert_eq!(codes(&report), ["signature/untrusted"]);
    // Without the intermediate in the bundle, the root alone cannot reach it.
    let lone = tmp.path().join("lone.sig");
    let (code, err) = sign(
        &root,
        &[
            "--key",
            s(&pki.leaf_key),
            "--certificate",
            s(&pki.leaf),
            "-o",
            s(&lone),
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    let (code, report) = verify_json(&root, &lone, &chain);
    assert_eq!(code, Some(1));
    assert_eq!(codes(&report), ["signature/untrusted"]);
    // A key that is not the certificate's is refused when signing.
    let keys = write_p256(tmp.path(), "other", 9);
    let (code, err) = sign(
        &root,
        &[
            "--key",
            s(&keys.pkcs8),
            "--certificate",
            s(&pki.leaf),
            "-o",
            s(&lone),
        ],
    );
    assert_eq!(code, Some(2));
    assert!(err.contains("not the private key's"), "{err}");
}

#[test]
fn a_keyless_bundle_is_never_valid_without_a_trust_root() {
    let tmp = tempfile::tempdir().unwrap();
    let root = model(tmp.path());
    let pki = write_pki(tmp.path(), EMAIL);
    assert_eq!(
        sign(
            &root,
            &["--key", s(&pki.leaf_key), "--certificate", s(&pki.leaf)]
        )
        .0,
        Some(0)
    );
    let sig = root.join("model.sig");
    // As Sigstore writes keyless bundles: one certificate, a log entry.
    let mut bundle: serde_json::Value = serde_json::from_slice(&fs::read(&sig).unwrap()).unwrap();
    let vm = &mut bundle["verificationMaterial"];
    let cert = vm["x509CertificateChain"]["certificates"][0].clone();
    *vm = serde_json::json!({"certificate": cert, "tlogEntries": [{"logIndex": "1"}]});
    fs::write(&sig, bundle.to_string()).unwrap();
    let (code, report) = verify_json(&root, &sig, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(codes(&report), ["signature/not-checked"]);
    assert!(report["findings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("keyless bundle needs --trust-root"));
    assert_eq!(report["signature"]["claimed"]["keyless"], true);
    assert_eq!(report["signature"]["claimed"]["identities"][0], EMAIL);
}

#[test]
fn cache_snapshot_links_are_followed_inside_and_refused_outside() {
    let tmp = tempfile::tempdir().unwrap();
    let src = model(tmp.path());
    let repo = tmp.path().join("hub/models--acme--tiny");
    let snap = repo.join("snapshots/0123456789abcdef0123456789abcdef01234567");
    fs::create_dir_all(&snap).unwrap();
    fs::create_dir_all(repo.join("blobs")).unwrap();
    for (i, e) in fs::read_dir(&src).unwrap().enumerate() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            let blob = format!("blob{i}");
            fs::copy(e.path(), repo.join("blobs").join(&blob)).unwrap();
            symlink(format!("../../blobs/{blob}"), snap.join(e.file_name())).unwrap();
        }
    }
    let keys = write_p256(tmp.path(), "signer", 5);
    let sig = tmp.path().join("snap.sig");
    let (code, err) = sign(&snap, &["--key", s(&keys.pkcs8), "-o", s(&sig)]);
    assert_eq!(code, Some(0), "{err}");
    let (code, report) = verify_json(&snap, &sig, &["--key", s(&keys.public)]);
    assert_eq!(code, Some(0), "{report:#}");
    assert_eq!(
        statement_of(&sig)["predicate"]["serialization"]["allow_symlinks"],
        true
    );

    // A link that leaves the cache repository is never read.
    fs::write(tmp.path().join("secret"), "s\n").unwrap();
    symlink(tmp.path().join("secret"), snap.join("leak.txt")).unwrap();
    let (code, report) = verify_json(&snap, &sig, &["--key", s(&keys.public)]);
    assert_eq!(code, Some(1));
    assert_eq!(files_of(&report, "signature/path-escape"), ["leak.txt"]);
    let (code, err) = sign(&snap, &["--key", s(&keys.pkcs8), "-o", s(&sig)]);
    assert_eq!(code, Some(2));
    assert!(err.contains("leak.txt"), "{err}");
}

#[test]
fn usage_mistakes_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let root = model(tmp.path());
    let keys = write_p256(tmp.path(), "signer", 6);
    let r = s(&root);
    let sig = root.join("model.sig");
    // --key without --signature.
    assert_eq!(run(&["verify", r, "--key", s(&keys.public)]).0, Some(2));
    // A private key where a public one is wanted.
    let (code, _, err) = run(&["verify", r, "--signature", s(&sig), "--key", s(&keys.pkcs8)]);
    assert_eq!(code, Some(2));
    assert!(err.contains("PUBLIC KEY"), "{err}");
    // A signature file that is not there.
    let (code, _, err) = run(&[
        "verify",
        r,
        "--signature",
        s(&sig),
        "--key",
        s(&keys.public),
    ]);
    assert_eq!(code, Some(2));
    assert!(err.contains("model.sig"), "{err}");
    // A public key given to sign with.
    let (code, _, err) = run(&["sign", r, "--key", s(&keys.public)]);
    assert_eq!(code, Some(2));
    assert!(err.contains("PRIVATE KEY"), "{err}");
    assert!(!sig.exists(), "nothing written on a failure");
    // A bundle that is not one: exit 1, named.
    fs::write(
        &sig,
        "{\"mediaType\": \"something/else\", \"verificationMaterial\": {}}",
    )
    .unwrap();
    let (code, report) = verify_json(&root, &sig, &["--key", s(&keys.public)]);
    assert_eq!(code, Some(1));
    assert_eq!(codes(&report), ["signature/invalid"]);
}

fn inspect(root: &Path) -> serde_json::Value {
    let (code, out, err) = run(&["inspect", s(root), "--format", "json"]);
    assert_eq!(code, Some(0), "{err}");
    serde_json::from_str(&out).unwrap()
}

#[test]
fn inspect_reports_the_signature_and_whether_it_covers_every_file() {
    let tmp = tempfile::tempdir().unwrap();
    let root = model(tmp.path());
    assert!(inspect(&root).get("signature").is_none());
    let keys = write_p256(tmp.path(), "signer", 7);
    assert_eq!(sign(&root, &["--key", s(&keys.pkcs8)]).0, Some(0));
    let report = inspect(&root);
    let sig = &report["signature"];
    assert_eq!(sig["file"], "model.sig");
    assert_eq!(sig["covers_every_file"], true);
    assert_eq!(sig["signer"]["kind"], "key");
    let fingerprint =
        mri::signature::PublicKey::from_pem(&fs::read_to_string(&keys.public).unwrap())
            .unwrap()
            .fingerprint();
    assert_eq!(sig["signer"]["fingerprint"], fingerprint.as_str());
    assert_eq!(files_of(&report, "signature/present"), ["model.sig"]);
    // An added file: the list no longer covers the folder.
    fs::write(root.join("added.txt"), "x\n").unwrap();
    let report = inspect(&root);
    assert_eq!(report["signature"]["covers_every_file"], false);
    assert_eq!(report["signature"]["unlisted"][0], "added.txt");
    let present = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "signature/present")
        .unwrap();
    assert_eq!(present["severity"], "warning");
}

fn check(root: &Path, policy: &Path) -> (Option<i32>, serde_json::Value) {
    let (code, out, err) = run(&["check", s(root), "--policy", s(policy), "--format", "json"]);
    let json = serde_json::from_str(&out).unwrap_or_else(|_| panic!("no JSON: {err}"));
    (code, json)
}

/// The signature rules that failed for the one model checked.
fn failed_signature_rules(outcome: &serde_json::Value) -> Vec<String> {
    outcome["models"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["passed"] == false && r["rule"].as_str().unwrap().starts_with("signature/"))
        .map(|r| r["rule"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn check_policy_requires_a_signature_from_a_listed_key_or_identity() {
    let tmp = tempfile::tempdir().unwrap();
    let root = model(tmp.path());
    let keys = write_p256(tmp.path(), "signer", 8);
    let other = write_p256(tmp.path(), "other", 10);
    let pki = write_pki(tmp.path(), EMAIL);
    let policy = |name: &str, body: &str| {
        let p = tmp.path().join(name);
        // Commercial-use verdicts of the fixture aside: only [signature] judged here.
        fs::write(
            &p,
            format!("[licenses]\nallow-verdicts = [\"permitted\", \"permitted-with-conditions\", \"unknown\", \"requires-approval\"]\n[findings]\ndeny = []\n{body}"),
        )
        .unwrap();
        p
    };
    let by_key = policy(
        "key.toml",
        "[signature]\nrequire = true\nkeys = [\"signer.pub\"]\n",
    );
    let by_other = policy(
        "other.toml",
        "[signature]\nrequire = true\nkeys = [\"other.pub\"]\n",
    );
    let by_identity = policy(
        "identity.toml",
        &format!("[signature]\nrequire = true\nidentities = [\"{EMAIL}\"]\ncertificate-chain = \"root.pem\"\nissuer = \"{ISSUER}\"\n"),
    );
    let by_stranger = policy(
        "eve.toml",
        "[signature]\nidentities = [\"eve@example.com\"]\ncertificate-chain = \"root.pem\"\n",
    );

    // No signature yet.
    let (code, outcome) = check(&root, &by_key);
    assert_eq!(code, Some(1));
    assert_eq!(failed_signature_rules(&outcome), ["signature/required"]);

    assert_eq!(sign(&root, &["--key", s(&keys.pkcs8)]).0, Some(0));
    let (code, outcome) = check(&root, &by_key);
    assert_eq!(code, Some(0), "{outcome:#}");
    let (code, outcome) = check(&root, &by_other);
    assert_eq!(code, Some(1));
    assert_eq!(failed_signature_rules(&outcome), ["signature/trusted"]);
    let _ = other;

    // An added file: the signature no longer covers the folder.
    fs::write(root.join("added.txt"), "x\n").unwrap();
    let (code, outcome) = check(&root, &by_key);
    assert_eq!(code, Some(1));
    assert_eq!(failed_signature_rules(&outcome), ["signature/covers"]);
    fs::remove_file(root.join("added.txt")).unwrap();

    // Signed with a certificate: the identity the policy names passes.
    assert_eq!(
        sign(
            &root,
            &[
                "--key",
                s(&pki.leaf_key),
                "--certificate",
                s(&pki.leaf),
                "--certificate-chain",
                s(&pki.intermediate)
            ]
        )
        .0,
        Some(0)
    );
    let (code, outcome) = check(&root, &by_identity);
    assert_eq!(code, Some(0), "{outcome:#}");
    let (code, outcome) = check(&root, &by_stranger);
    assert_eq!(code, Some(1));
    assert_eq!(failed_signature_rules(&outcome), ["signature/trusted"]);

    // A key file that is not there is a policy mistake at its line.
    let broken = policy("broken.toml", "[signature]\nkeys = [\"missing.pub\"]\n");
    let (code, _, err) = run(&["check", s(&root), "--policy", s(&broken)]);
    assert_eq!(code, Some(2));
    assert!(err.contains("missing.pub"), "{err}");
}
