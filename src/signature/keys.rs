//! ECDSA keys (P-256, P-384) as model signatures use them: public keys from
//! PEM or a certificate's SubjectPublicKeyInfo, private keys from PEM
//! (PKCS#8 or SEC1), the key hint (sha256 of the public key's PEM), and the
//! signature over a DSSE message (SHA-256 for P-256, SHA-384 for P-384, as
//! `model-signing` pairs them). All the arithmetic is RustCrypto's.

use der::oid::ObjectIdentifier;
use p256::ecdsa::signature::{Signer as _, Verifier as _};
use p256::pkcs8::{EncodePublicKey, LineEnding};
use thiserror::Error;

/// id-ecPublicKey.
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// secp256r1 (P-256).
const P256_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// secp384r1 (P-384).
const P384_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");

/// A key that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum KeyError {
    /// No PEM block of the kind needed.
    #[error("no {wanted} PEM block (found: {found})")]
    NoPem {
        /// What was looked for.
        wanted: &'static str,
        /// The labels found, or "none".
        found: String,
    },
    /// A PEM or DER structure that does not decode.
    #[error("{0}")]
    Malformed(String),
    /// Not an ECDSA key on P-256 or P-384.
    #[error("{0}")]
    Unsupported(String),
}

/// A public key that checks signatures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicKey {
    /// NIST P-256, with SHA-256.
    P256(p256::ecdsa::VerifyingKey),
    /// NIST P-384, with SHA-384.
    P384(p384::ecdsa::VerifyingKey),
}

/// A private key that signs.
#[derive(Debug, Clone)]
pub enum SigningKey {
    /// NIST P-256, with SHA-256.
    P256(p256::ecdsa::SigningKey),
    /// NIST P-384, with SHA-384.
    P384(p384::ecdsa::SigningKey),
}

/// The PEM blocks of a text: each label with its decoded bytes (or why
/// not), in order. Text around the blocks is skipped.
pub(crate) fn pem_blocks(text: &str) -> Vec<(String, Result<Vec<u8>, String>)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let block = &rest[start..];
        let label_end = block[11..].find("-----").map(|i| i + 11);
        let Some(label_end) = label_end else { break };
        let label = block[11..label_end].to_string();
        let end_marker = format!("-----END {label}-----");
        let Some(end) = block.find(&end_marker) else {
            out.push((label, Err("the PEM block is not closed".to_string())));
            break;
        };
        let pem = &block[..end + end_marker.len()];
        let decoded = der::pem::decode_vec(pem.as_bytes())
            .map(|(_, bytes)| bytes)
            .map_err(|e| format!("bad PEM: {e}"));
        out.push((label, decoded));
        rest = &block[end + end_marker.len()..];
    }
    out
}

/// The one block labelled `wanted` (the first of them).
fn pem_block(text: &str, wanted: &[&'static str]) -> Result<(String, Vec<u8>), KeyError> {
    let blocks = pem_blocks(text);
    let found = if blocks.is_empty() {
        "none".to_string()
    } else {
        blocks
            .iter()
            .map(|(l, _)| l.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    for (label, bytes) in blocks {
        if wanted.contains(&label.as_str()) {
            return bytes.map(|b| (label, b)).map_err(KeyError::Malformed);
        }
    }
    Err(KeyError::NoPem {
        wanted: wanted.first().copied().unwrap_or("key"),
        found,
    })
}

/// The name of a key algorithm people know, for messages.
fn algorithm_name(oid: &ObjectIdentifier) -> String {
    match oid.to_string().as_str() {
        "1.2.840.113549.1.1.1" => "RSA".into(),
        "1.3.101.112" => "Ed25519".into(),
        "1.3.101.113" => "Ed448".into(),
        "1.2.840.10040.4.1" => "DSA".into(),
        other => format!("algorithm {other}"),
    }
}

impl PublicKey {
    /// Reads a `PUBLIC KEY` PEM (SubjectPublicKeyInfo).
    pub fn from_pem(text: &str) -> Result<PublicKey, KeyError> {
        let (_, der) = pem_block(text, &["PUBLIC KEY"])?;
        PublicKey::from_spki_der(&der)
    }

    /// Reads a DER SubjectPublicKeyInfo.
    pub fn from_spki_der(der: &[u8]) -> Result<PublicKey, KeyError> {
        use der::Decode;
        let spki = spki::SubjectPublicKeyInfoRef::from_der(der)
            .map_err(|e| KeyError::Malformed(format!("not a SubjectPublicKeyInfo: {e}")))?;
        if spki.algorithm.oid != EC_PUBLIC_KEY {
            return Err(KeyError::Unsupported(format!(
                "an {} key; model signatures use ECDSA (P-256 or P-384)",
                algorithm_name(&spki.algorithm.oid)
            )));
        }
        let curve = spki
            .algorithm
            .parameters
            .and_then(|p| p.decode_as::<ObjectIdentifier>().ok())
            .ok_or_else(|| KeyError::Malformed("an EC key without a named curve".into()))?;
        let point = spki.subject_public_key.raw_bytes();
        let bad_point = |_| KeyError::Malformed("the EC point is not on the curve".into());
        if curve == P256_OID {
            p256::ecdsa::VerifyingKey::from_sec1_bytes(point)
                .map(PublicKey::P256)
                .map_err(bad_point)
        } else if curve == P384_OID {
            p384::ecdsa::VerifyingKey::from_sec1_bytes(point)
                .map(PublicKey::P384)
                .map_err(bad_point)
        } else {
            Err(KeyError::Unsupported(format!(
                "an EC key on curve {curve}; mri checks P-256 and P-384"
            )))
        }
    }

    /// `P-256` or `P-384`.
    pub fn curve(&self) -> &'static str {
        match self {
            PublicKey::P256(_) => "P-256",
            PublicKey::P384(_) => "P-384",
        }
    }

    /// The key as PEM (SubjectPublicKeyInfo, LF line ends, 64 columns), as
    /// Python's `cryptography` writes it.
    pub fn to_pem(&self) -> String {
        let pem = match self {
            PublicKey::P256(k) => k.to_public_key_pem(LineEnding::LF),
            PublicKey::P384(k) => k.to_public_key_pem(LineEnding::LF),
        };
        pem.unwrap_or_default()
    }

    /// sha256 (hex) of [`Self::to_pem`]: the bundle's `publicKey.hint`.
    pub fn fingerprint(&self) -> String {
        super::sha256_hex(self.to_pem().as_bytes())
    }

    /// True when `der_signature` is this key's ECDSA signature over
    /// `message` (hashed with SHA-256 on P-256, SHA-384 on P-384).
    pub fn verify(&self, message: &[u8], der_signature: &[u8]) -> bool {
        match self {
            PublicKey::P256(k) => p256::ecdsa::DerSignature::try_from(der_signature)
                .is_ok_and(|s| k.verify(message, &s).is_ok()),
            PublicKey::P384(k) => p384::ecdsa::DerSignature::try_from(der_signature)
                .is_ok_and(|s| k.verify(message, &s).is_ok()),
        }
    }

    /// True when `der_signature` is this key's ECDSA signature over a
    /// digest already computed (a certificate's, whose hash the algorithm
    /// identifier names).
    pub fn verify_prehash(&self, digest: &[u8], der_signature: &[u8]) -> bool {
        use ecdsa::signature::hazmat::PrehashVerifier;
        match self {
            PublicKey::P256(k) => p256::ecdsa::Signature::from_der(der_signature)
                .is_ok_and(|s| k.verify_prehash(digest, &s).is_ok()),
            PublicKey::P384(k) => p384::ecdsa::Signature::from_der(der_signature)
                .is_ok_and(|s| k.verify_prehash(digest, &s).is_ok()),
        }
    }
}

impl SigningKey {
    /// Reads a private key PEM: PKCS#8 (`PRIVATE KEY`) or SEC1
    /// (`EC PRIVATE KEY`), on P-256 or P-384. An encrypted key is refused
    /// with a hint.
    pub fn from_pem(text: &str) -> Result<SigningKey, KeyError> {
        use p256::pkcs8::DecodePrivateKey;
        if pem_blocks(text)
            .iter()
            .any(|(l, _)| l == "ENCRYPTED PRIVATE KEY")
        {
            return Err(KeyError::Unsupported(
                "the private key is encrypted; decrypt it first (openssl pkey -in KEY -out PLAIN)"
                    .into(),
            ));
        }
        let (label, der) = pem_block(text, &["PRIVATE KEY", "EC PRIVATE KEY"])?;
        if label == "EC PRIVATE KEY" {
            if let Ok(k) = p256::SecretKey::from_sec1_der(&der) {
                return Ok(SigningKey::P256(k.into()));
            }
            if let Ok(k) = p384::SecretKey::from_sec1_der(&der) {
                return Ok(SigningKey::P384(k.into()));
            }
            return Err(KeyError::Unsupported(
                "an EC private key that is not on P-256 or P-384".into(),
            ));
        }
        if let Ok(k) = p256::SecretKey::from_pkcs8_der(&der) {
            return Ok(SigningKey::P256(k.into()));
        }
        if let Ok(k) = p384::SecretKey::from_pkcs8_der(&der) {
            return Ok(SigningKey::P384(k.into()));
        }
        let algorithm = p256::pkcs8::PrivateKeyInfo::try_from(der.as_slice())
            .map(|info| algorithm_name(&info.algorithm.oid))
            .unwrap_or_else(|_| "malformed".into());
        Err(KeyError::Unsupported(format!(
            "a PKCS#8 private key that is not ECDSA P-256 or P-384 ({algorithm})"
        )))
    }

    /// Its public key.
    pub fn public_key(&self) -> PublicKey {
        match self {
            SigningKey::P256(k) => PublicKey::P256(*k.verifying_key()),
            SigningKey::P384(k) => PublicKey::P384(*k.verifying_key()),
        }
    }

    /// The DER ECDSA signature over `message` (RFC 6979 nonces).
    pub fn sign(&self, message: &[u8]) -> Vec<u8> {
        match self {
            SigningKey::P256(k) => {
                let s: p256::ecdsa::DerSignature = k.sign(message);
                s.as_bytes().to_vec()
            }
            SigningKey::P384(k) => {
                let s: p384::ecdsa::DerSignature = k.sign(message);
                s.as_bytes().to_vec()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(seed: u8) -> SigningKey {
        let bytes = [seed; 32];
        SigningKey::P256(p256::ecdsa::SigningKey::from_slice(&bytes).expect("a valid scalar"))
    }

    #[test]
    fn signs_and_verifies_and_refuses_others() {
        let k = key(7);
        let sig = k.sign(b"message");
        assert!(k.public_key().verify(b"message", &sig));
        assert!(!k.public_key().verify(b"messagf", &sig));
        assert!(!key(8).public_key().verify(b"message", &sig));
        assert!(!k.public_key().verify(b"message", b"not der"));
    }

    #[test]
    fn pem_round_trip_keeps_the_fingerprint() {
        let public = key(3).public_key();
        let pem = public.to_pem();
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
        assert!(pem.ends_with("-----END PUBLIC KEY-----\n"));
        let again = PublicKey::from_pem(&format!("junk before\n{pem}junk after")).expect("reads");
        assert_eq!(again, public);
        assert_eq!(again.fingerprint(), public.fingerprint());
        assert_ne!(key(4).public_key().fingerprint(), public.fingerprint());
    }

    #[test]
    fn no_public_key_block_names_what_was_found() {
        let err =
            PublicKey::from_pem("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
                .expect_err("no key");
        assert!(err.to_string().contains("CERTIFICATE"), "{err}");
        assert!(PublicKey::from_pem("").is_err());
    }
}
