//! What the signature tests share: keys made with the p256/p384 crates, a
//! small PKI made with x509-cert's builder (root, intermediate, signing
//! certificate with a SAN email and Fulcio's issuer extensions), a model
//! folder, and edits of a bundle's statement.
#![allow(dead_code)]

use base64::Engine;
use der::asn1::Utf8StringRef;
use der::oid::{AssociatedOid, ObjectIdentifier};
use p256::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::{Time, Validity};

pub const ISSUER: &str = "https://accounts.example.com";
pub const EMAIL: &str = "signer@example.com";

/// A P-256 signing key from a seed (deterministic, never zero).
pub fn p256_key(seed: u8) -> p256::ecdsa::SigningKey {
    let mut bytes = [seed; 32];
    bytes[0] = 1;
    p256::ecdsa::SigningKey::from_slice(&bytes).expect("a valid scalar")
}

/// A P-384 signing key from a seed.
pub fn p384_key(seed: u8) -> p384::ecdsa::SigningKey {
    let mut bytes = [seed; 48];
    bytes[0] = 1;
    p384::ecdsa::SigningKey::from_slice(&bytes).expect("a valid scalar")
}

/// Key files of one P-256 key: PKCS#8 and SEC1 private keys, public key.
pub struct KeyFiles {
    pub pkcs8: PathBuf,
    pub sec1: PathBuf,
    pub public: PathBuf,
}

pub fn write_p256(dir: &Path, name: &str, seed: u8) -> KeyFiles {
    let key = p256_key(seed);
    let secret = p256::SecretKey::from(&key);
    let files = KeyFiles {
        pkcs8: dir.join(format!("{name}.key")),
        sec1: dir.join(format!("{name}.sec1.key")),
        public: dir.join(format!("{name}.pub")),
    };
    fs::write(
        &files.pkcs8,
        secret.to_pkcs8_pem(LineEnding::LF).unwrap().as_bytes(),
    )
    .unwrap();
    fs::write(
        &files.sec1,
        secret.to_sec1_pem(LineEnding::LF).unwrap().as_bytes(),
    )
    .unwrap();
    fs::write(
        &files.public,
        key.verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap(),
    )
    .unwrap();
    files
}

/// Fulcio's OIDC issuer extension (1.3.6.1.4.1.57264.1.8, a UTF8String).
struct FulcioIssuer(String);

impl AssociatedOid for FulcioIssuer {
    const OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.8");
}

impl der::Encode for FulcioIssuer {
    fn encoded_len(&self) -> der::Result<der::Length> {
        Utf8StringRef::new(&self.0)?.encoded_len()
    }
    fn encode(&self, writer: &mut impl der::Writer) -> der::Result<()> {
        Utf8StringRef::new(&self.0)?.encode(writer)
    }
}

impl x509_cert::ext::AsExtension for FulcioIssuer {
    fn critical(&self, _: &Name, _: &[x509_cert::ext::Extension]) -> bool {
        false
    }
}

fn validity() -> Validity {
    // Fixed dates: the check happens at the signing certificate's notBefore.
    let at = |secs| {
        Time::UtcTime(der::asn1::UtcTime::from_unix_duration(Duration::from_secs(secs)).unwrap())
    };
    Validity {
        not_before: at(1_700_000_000),
        not_after: at(2_000_000_000),
    }
}

fn spki_of<K: EncodePublicKey>(key: &K) -> SubjectPublicKeyInfoOwned {
    SubjectPublicKeyInfoOwned::try_from(key.to_public_key_der().unwrap().as_bytes()).unwrap()
}

fn pem(cert: &x509_cert::Certificate) -> String {
    use der::EncodePem;
    cert.to_pem(LineEnding::LF).unwrap()
}

/// A root (P-256), an intermediate (P-384) and a signing certificate
/// (P-256) for `email` with Fulcio's issuer, as PEM files; and the signing key.
pub struct Pki {
    pub root: PathBuf,
    pub intermediate: PathBuf,
    pub leaf: PathBuf,
    pub leaf_key: PathBuf,
    /// Another root that issued nothing here.
    pub stranger: PathBuf,
}

pub fn write_pki(dir: &Path, email: &str) -> Pki {
    let root_key = p256_key(40);
    let int_key = p384_key(41);
    let leaf_key = p256_key(42);
    let root_name = Name::from_str("CN=Test Root").unwrap();
    let int_name = Name::from_str("CN=Test Intermediate").unwrap();
    let root = CertificateBuilder::new(
        Profile::Root,
        SerialNumber::from(1u32),
        validity(),
        root_name.clone(),
        spki_of(root_key.verifying_key()),
        &root_key,
    )
    .unwrap()
    .build::<p256::ecdsa::DerSignature>()
    .unwrap();
    let intermediate = CertificateBuilder::new(
        Profile::SubCA {
            issuer: root_name,
            path_len_constraint: None,
        },
        SerialNumber::from(2u32),
        validity(),
        int_name.clone(),
        spki_of(int_key.verifying_key()),
        &root_key,
    )
    .unwrap()
    .build::<p256::ecdsa::DerSignature>()
    .unwrap();
    let mut leaf = CertificateBuilder::new(
        Profile::Leaf {
            issuer: int_name,
            enable_key_agreement: false,
            enable_key_encipherment: false,
        },
        SerialNumber::from(3u32),
        validity(),
        Name::from_str("CN=signer").unwrap(),
        spki_of(leaf_key.verifying_key()),
        &int_key,
    )
    .unwrap();
    leaf.add_extension(&SubjectAltName(vec![GeneralName::Rfc822Name(
        der::asn1::Ia5String::new(email).unwrap(),
    )]))
    .unwrap();
    leaf.add_extension(&FulcioIssuer(ISSUER.into())).unwrap();
    let leaf = leaf.build::<p384::ecdsa::DerSignature>().unwrap();
    let stranger_key = p256_key(43);
    let stranger = CertificateBuilder::new(
        Profile::Root,
        SerialNumber::from(4u32),
        validity(),
        Name::from_str("CN=Test Root").unwrap(),
        spki_of(stranger_key.verifying_key()),
        &stranger_key,
    )
    .unwrap()
    .build::<p256::ecdsa::DerSignature>()
    .unwrap();
    let pki = Pki {
        root: dir.join("root.pem"),
        intermediate: dir.join("intermediate.pem"),
        leaf: dir.join("leaf.pem"),
        leaf_key: dir.join("leaf.key"),
        stranger: dir.join("stranger.pem"),
    };
    fs::write(&pki.root, pem(&root)).unwrap();
    fs::write(&pki.intermediate, pem(&intermediate)).unwrap();
    fs::write(&pki.leaf, pem(&leaf)).unwrap();
    fs::write(&pki.stranger, pem(&stranger)).unwrap();
    fs::write(
        &pki.leaf_key,
        p256::SecretKey::from(&leaf_key)
            .to_pkcs8_pem(LineEnding::LF)
            .unwrap()
            .as_bytes(),
    )
    .unwrap();
    pki
}

/// The tiny-llama fixture with a nested folder, a hidden file and git's
/// files added: a folder like a real clone.
pub fn model(dir: &Path) -> PathBuf {
    let root = dir.join("tiny");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tiny-llama"),
        &root,
    );
    fs::create_dir_all(root.join("sub/deeper")).unwrap();
    fs::write(root.join("sub/deeper/notes.txt"), "notes\n").unwrap();
    fs::write(root.join(".hidden"), "hidden\n").unwrap();
    fs::create_dir_all(root.join(".git")).unwrap();
    fs::write(root.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    fs::write(root.join(".gitattributes"), "*.safetensors filter=lfs\n").unwrap();
    root
}

pub fn copy_dir(src: &Path, dst: &Path) {
    fs::create_dir_all(dst).unwrap();
    for e in fs::read_dir(src).unwrap() {
        let e = e.unwrap();
        let to = dst.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to);
        } else {
            fs::copy(e.path(), &to).unwrap();
        }
    }
}

/// The safetensors file of a model folder.
pub fn weight(root: &Path) -> PathBuf {
    fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "safetensors"))
        .expect("a safetensors file")
}

/// Flips one byte in the middle of a file.
pub fn flip_byte(path: &Path) {
    let mut bytes = fs::read(path).unwrap();
    let at = bytes.len() / 2;
    bytes[at] ^= 0x01;
    fs::write(path, bytes).unwrap();
}

/// Runs mri; returns (exit code, stdout, stderr).
pub fn run(args: &[&str]) -> (Option<i32>, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mri"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run mri");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `mri verify ROOT --signature SIG ARGS --format json`, parsed.
pub fn verify_json(root: &Path, sig: &Path, args: &[&str]) -> (Option<i32>, Value) {
    let mut all = vec![
        "verify",
        root.to_str().unwrap(),
        "--signature",
        sig.to_str().unwrap(),
        "--format",
        "json",
    ];
    all.extend_from_slice(args);
    let (code, out, err) = run(&all);
    let json = serde_json::from_str(&out).unwrap_or_else(|_| panic!("no JSON: {err}"));
    (code, json)
}

/// The finding codes of a report, sorted.
pub fn codes(report: &Value) -> Vec<String> {
    let mut v: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

/// The files a report's findings of `code` name.
pub fn files_of(report: &Value, code: &str) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .map(|f| f["file"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn b64() -> base64::engine::GeneralPurpose {
    base64::engine::general_purpose::STANDARD
}

/// Edits the statement inside a bundle, keeping its signature (what an
/// attacker without the key can do).
pub fn edit_statement(sig: &Path, edit: impl FnOnce(&mut Value)) {
    let mut bundle: Value = serde_json::from_slice(&fs::read(sig).unwrap()).unwrap();
    let payload = b64()
        .decode(bundle["dsseEnvelope"]["payload"].as_str().unwrap())
        .unwrap();
    let mut statement: Value = serde_json::from_slice(&payload).unwrap();
    edit(&mut statement);
    bundle["dsseEnvelope"]["payload"] =
        Value::String(b64().encode(serde_json::to_vec_pretty(&statement).unwrap()));
    fs::write(sig, serde_json::to_vec(&bundle).unwrap()).unwrap();
}

/// The statement of a bundle.
pub fn statement_of(sig: &Path) -> Value {
    let bundle: Value = serde_json::from_slice(&fs::read(sig).unwrap()).unwrap();
    let payload = b64()
        .decode(bundle["dsseEnvelope"]["payload"].as_str().unwrap())
        .unwrap();
    serde_json::from_slice(&payload).unwrap()
}

/// sha256 over the resources' digests: the subject digest a consistent
/// statement carries.
pub fn root_digest(statement: &Value) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    for r in statement["predicate"]["resources"].as_array().unwrap() {
        let hex = r["digest"].as_str().unwrap();
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        h.update(bytes);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A bundle over `statement`, signed by `key` through mri's library (the
/// way to make a validly signed but hostile statement).
pub fn sign_statement(statement: &Value, key: &Path, out: &Path) {
    let parsed = mri::signature::Statement::parse(&serde_json::to_vec(statement).unwrap())
        .expect("a consistent statement");
    let key = mri::signature::SigningKey::from_pem(&fs::read_to_string(key).unwrap()).unwrap();
    let bundle = mri::sign::bundle_for(&parsed, &key);
    fs::write(out, bundle.to_json()).unwrap();
}
