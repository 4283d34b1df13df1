//! Keyless bundles, checked offline against a Sigstore trusted root: the
//! Fulcio signing certificate chained to a certificate authority of the
//! root valid at the log's time, its identity and OIDC issuer, the DSSE
//! signature, and the Rekor entry that logged it — its body naming this
//! payload, signature and certificate, its signed entry timestamp (SET) and
//! its inclusion proof against the checkpoint the log signed. The Merkle
//! proof is `ct-merkle`'s, the signatures RustCrypto's.

use super::bundle::b64decode;
use super::trust_root::{within, TrustRoot};
use super::x509::{self, Cert};
use super::{Read, SignatureError, Signer};
use serde::Deserialize;

/// A transparency-log entry of a bundle.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Entry {
    log_index: Number,
    log_id: LogId,
    kind_version: KindVersion,
    integrated_time: Number,
    #[serde(default)]
    inclusion_promise: Option<Promise>,
    #[serde(default)]
    inclusion_proof: Option<Proof>,
    canonicalized_body: String,
}

/// Protobuf JSON writes 64-bit integers as strings.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Number {
    Text(String),
    Int(u64),
}

impl Number {
    fn get(&self) -> Option<u64> {
        match self {
            Number::Text(t) => t.parse().ok(),
            Number::Int(n) => Some(*n),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LogId {
    key_id: String,
}

#[derive(Debug, Deserialize)]
struct KindVersion {
    kind: String,
    version: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Promise {
    signed_entry_timestamp: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Proof {
    log_index: Number,
    root_hash: String,
    tree_size: Number,
    #[serde(default)]
    hashes: Vec<String>,
    #[serde(default)]
    checkpoint: Option<Checkpoint>,
}

#[derive(Debug, Deserialize)]
struct Checkpoint {
    envelope: String,
}

fn untrusted(message: impl Into<String>) -> SignatureError {
    SignatureError::Untrusted(message.into())
}

fn invalid(message: impl Into<String>) -> SignatureError {
    SignatureError::Invalid(message.into())
}

/// Checks a keyless bundle with `root`, for `identity` and `issuer`.
pub fn verify(
    read: &Read,
    root: &TrustRoot,
    identity: &str,
    issuer: &str,
) -> Result<Signer, SignatureError> {
    let entries = &read.bundle.verification_material.tlog_entries;
    let raw = entries
        .first()
        .ok_or_else(|| untrusted("the bundle has no transparency-log entry"))?;
    let entry: Entry = serde_json::from_value(raw.clone())
        .map_err(|e| invalid(format!("the transparency-log entry: {e}")))?;
    let time = entry
        .integrated_time
        .get()
        .ok_or_else(|| invalid("the log entry's integratedTime is not a number"))?;
    let (leaf, others) = read.bundle.certificates()?;
    let chain = chain_at(&leaf, &others, root, time)?;
    x509::check_signing_use(&leaf)?;
    x509::check_identity(&leaf, Some(identity), Some(issuer))?;
    let envelope = read.bundle.envelope()?;
    let signatures = read.bundle.signatures()?;
    let key = leaf
        .public_key()
        .map_err(|e| invalid(format!("the signing certificate's key: {e}")))?;
    let message = super::dsse::pae(&envelope.payload_type, &read.payload);
    if !signatures.iter().any(|s| key.verify(&message, s)) {
        return Err(SignatureError::BadSignature(format!(
            "the signature does not verify over the DSSE payload with the signing certificate's {} key",
            key.curve()
        )));
    }
    let log = check_entry(&entry, read, &leaf, &signatures, root, time)?;
    Ok(Signer::Certificate {
        identities: leaf.identities(),
        issuer: leaf.oidc_issuer(),
        subject: leaf.subject(),
        fingerprint: leaf.fingerprint(),
        chain: chain.iter().map(|c| c.subject()).collect(),
        log: Some(log),
    })
}

/// The signing certificate chained to an authority of the root valid at
/// `time`, and itself valid at `time` (Fulcio's certificates live minutes).
fn chain_at(
    leaf: &Cert,
    others: &[Cert],
    root: &TrustRoot,
    time: u64,
) -> Result<Vec<Cert>, SignatureError> {
    if !leaf.valid_at(time) {
        return Err(untrusted(
            "the signing certificate was not valid when the log recorded the signature",
        ));
    }
    let mut last = None;
    for authority in root
        .authorities
        .iter()
        .filter(|a| within(time, a.start, a.end))
    {
        match x509::verify_chain(leaf, others, &authority.certificates) {
            Ok(chain) => return Ok(chain.into_iter().cloned().collect()),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| {
        untrusted("no certificate authority of the trusted root was valid at the log's time")
    }))
}

/// The log entry: its log in the root, its body naming this bundle, its
/// SET, and its inclusion proof with the signed checkpoint. Returns a
/// line naming the entry.
fn check_entry(
    entry: &Entry,
    read: &Read,
    leaf: &Cert,
    signatures: &[Vec<u8>],
    root: &TrustRoot,
    time: u64,
) -> Result<String, SignatureError> {
    let key_id = b64decode(&entry.log_id.key_id).map_err(|e| invalid(format!("logId: {e}")))?;
    let log = root
        .logs
        .iter()
        .find(|l| l.key_id == key_id && within(time, l.start, l.end))
        .ok_or_else(|| {
            untrusted(format!(
                "the log entry's log ({}) is not a log of the trusted root valid at its time{}",
                entry.log_id.key_id,
                if root.skipped.is_empty() {
                    String::new()
                } else {
                    format!(" (left out: {})", root.skipped.join("; "))
                }
            ))
        })?;
    let body = b64decode(&entry.canonicalized_body)
        .map_err(|e| invalid(format!("canonicalizedBody: {e}")))?;
    check_body(entry, &body, read, leaf, signatures)?;
    let index = entry
        .log_index
        .get()
        .ok_or_else(|| invalid("the log entry's logIndex is not a number"))?;
    let promise = entry.inclusion_promise.as_ref().ok_or_else(|| {
        untrusted("the log entry has no signed entry timestamp: its time is not attested")
    })?;
    let set_payload = format!(
        "{{\"body\":{},\"integratedTime\":{time},\"logID\":{},\"logIndex\":{index}}}",
        serde_json::Value::from(entry.canonicalized_body.as_str()),
        serde_json::Value::from(super::hex(&key_id)),
    );
    let set = b64decode(&promise.signed_entry_timestamp)
        .map_err(|e| invalid(format!("signedEntryTimestamp: {e}")))?;
    if !log.key.verify(set_payload.as_bytes(), &set) {
        return Err(untrusted(format!(
            "the log entry's signed entry timestamp does not verify with the key of {}",
            log.base_url
        )));
    }
    if let Some(proof) = &entry.inclusion_proof {
        check_inclusion(proof, &body, &log.key, &key_id)?;
    }
    Ok(format!(
        "{} entry {index} at {}",
        log.base_url,
        crate::util::time::rfc3339_utc(time)
    ))
}

/// The body (`dsse` v0.0.1) names this payload, one of its signatures and
/// the signing certificate.
fn check_body(
    entry: &Entry,
    body: &[u8],
    read: &Read,
    leaf: &Cert,
    signatures: &[Vec<u8>],
) -> Result<(), SignatureError> {
    let kv = &entry.kind_version;
    if kv.kind != "dsse" || kv.version != "0.0.1" {
        return Err(invalid(format!(
            "log entries of kind {} {} are not read; model signatures are logged as dsse 0.0.1",
            kv.kind, kv.version
        )));
    }
    let doc: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| invalid(format!("the log entry's body: {e}")))?;
    let spec = &doc["spec"];
    let payload_hash = spec["payloadHash"]["value"].as_str().unwrap_or_default();
    if !payload_hash.eq_ignore_ascii_case(&super::sha256_hex(&read.payload)) {
        return Err(untrusted(
            "the log entry records another payload than the bundle's statement",
        ));
    }
    let named = spec["signatures"].as_array().is_some_and(|list| {
        list.iter().any(|s| {
            let sig = s["signature"].as_str().and_then(|t| b64decode(t).ok());
            let cert = s["verifier"]
                .as_str()
                .and_then(|t| b64decode(t).ok())
                .and_then(|pem| String::from_utf8(pem).ok())
                .and_then(|pem| Cert::from_pem_chain(&pem).ok())
                .and_then(|mut certs| (!certs.is_empty()).then(|| certs.remove(0)));
            sig.is_some_and(|sig| signatures.contains(&sig))
                && cert.is_some_and(|c| c.der() == leaf.der())
        })
    });
    if !named {
        return Err(untrusted(
            "the log entry records another signature or certificate than the bundle's",
        ));
    }
    Ok(())
}

/// The entry's inclusion in the tree the checkpoint names, and the
/// checkpoint signed by the log.
fn check_inclusion(
    proof: &Proof,
    body: &[u8],
    key: &super::PublicKey,
    key_id: &[u8],
) -> Result<(), SignatureError> {
    let (Some(index), Some(size)) = (proof.log_index.get(), proof.tree_size.get()) else {
        return Err(invalid(
            "the inclusion proof's index or tree size is not a number",
        ));
    };
    let root_hash = b64decode(&proof.root_hash).map_err(|e| invalid(format!("rootHash: {e}")))?;
    let mut path = Vec::with_capacity(proof.hashes.len() * 32);
    for h in &proof.hashes {
        let bytes = b64decode(h).map_err(|e| invalid(format!("inclusion proof hash: {e}")))?;
        if bytes.len() != 32 {
            return Err(invalid("an inclusion proof hash is not 32 bytes"));
        }
        path.extend_from_slice(&bytes);
    }
    if root_hash.len() != 32 {
        return Err(invalid("the inclusion proof's root hash is not 32 bytes"));
    }
    let root = ct_merkle::RootHash::<sha2::Sha256>::new(
        *sha2::digest::Output::<sha2::Sha256>::from_slice(&root_hash),
        size,
    );
    let merkle_proof = ct_merkle::InclusionProof::<sha2::Sha256>::from_bytes(path);
    root.verify_inclusion(&body, index, &merkle_proof)
        .map_err(|e| {
            untrusted(format!(
                "the inclusion proof does not lead to the root hash: {e:?}"
            ))
        })?;
    let checkpoint = proof
        .checkpoint
        .as_ref()
        .ok_or_else(|| untrusted("the inclusion proof has no checkpoint"))?;
    let (size_signed, root_signed) = check_checkpoint(&checkpoint.envelope, key, key_id)?;
    if size_signed != size || root_signed != root_hash {
        return Err(untrusted(
            "the signed checkpoint names another tree than the inclusion proof",
        ));
    }
    Ok(())
}

/// A signed note (`origin`, size, root hash, then a blank line and
/// signature lines `— NAME base64(key hint ‖ signature)`): one signature by
/// the log's key over the text before the blank line. Returns the size and
/// root hash it signs.
fn check_checkpoint(
    note: &str,
    key: &super::PublicKey,
    key_id: &[u8],
) -> Result<(u64, Vec<u8>), SignatureError> {
    let split = note
        .find("\n\n")
        .ok_or_else(|| invalid("the checkpoint is not a signed note"))?;
    let text = &note[..split + 1];
    let signed = note[split + 2..].lines().any(|line| {
        let Some(rest) = line.strip_prefix("\u{2014} ") else {
            return false;
        };
        let Some(sig) = rest.rsplit(' ').next().and_then(|b| b64decode(b).ok()) else {
            return false;
        };
        sig.len() > 4 && key_id.starts_with(&sig[..4]) && key.verify(text.as_bytes(), &sig[4..])
    });
    if !signed {
        return Err(untrusted("the checkpoint is not signed by the log's key"));
    }
    let mut lines = text.lines();
    let _origin = lines.next();
    let size = lines
        .next()
        .and_then(|l| l.parse::<u64>().ok())
        .ok_or_else(|| invalid("the checkpoint's tree size is not a number"))?;
    let root = lines
        .next()
        .and_then(|l| b64decode(l).ok())
        .ok_or_else(|| invalid("the checkpoint's root hash is not base64"))?;
    Ok((size, root))
}
