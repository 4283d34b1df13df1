//! OpenSSF model signatures (sigstore model-transparency, the `model-signing`
//! package v1): the Sigstore bundle (`model.sig`) read, the signature over its
//! DSSE envelope checked with an ECDSA key or an X.509 certificate chain, and
//! the in-toto statement read into the files it lists with their sha256.
//!
//! Nothing here walks or hashes a model: the `sign` face does. This module
//! only reads bytes it is given, so `scan` can summarise a `model.sig` for
//! `mri inspect` and the gate can judge it.

pub mod bundle;
pub mod dsse;
pub mod keyless;
pub mod keys;
pub mod statement;
pub mod summary;
pub mod trust_root;
pub mod x509;

pub use bundle::Bundle;
pub use keys::{KeyError, PublicKey, SigningKey};
pub use statement::{Resource, Serialization, Statement};
pub use summary::{Ignored, PolicyCheck, Summary};

use crate::finding::Code;
use thiserror::Error;

/// The bundle media type `model-signing` v1 writes and reads.
pub const BUNDLE_MEDIA_TYPE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";
/// The DSSE payload type of an in-toto statement.
pub const PAYLOAD_TYPE: &str = "application/vnd.in-toto+json";
/// The in-toto statement type.
pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
/// The predicate type of a model signature, v1.0.
pub const PREDICATE_TYPE: &str = "https://model_signing/signature/v1.0";
/// The predicate type of the experimental v0.2 format (not read).
pub const PREDICATE_TYPE_V0: &str = "https://model_signing/Digests/v0.1";
/// The paths `model_signing sign` leaves out by default (git's files), each
/// with everything below it, relative to the model folder.
pub const DEFAULT_IGNORED: [&str; 4] = [".git", ".gitattributes", ".github", ".gitignore"];
/// The signature's usual file name.
pub const DEFAULT_FILE_NAME: &str = "model.sig";
/// The largest bundle read (a manifest of 100,000 files is about 15 MiB).
pub const MAX_BUNDLE_BYTES: u64 = 64 << 20;

/// Why a signature does not hold. Each names one cause, with its finding code.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SignatureError {
    /// The bundle or the statement is malformed, of another format, or
    /// inconsistent (its subject digest does not cover its resources).
    #[error("{0}")]
    Invalid(String),
    /// The signature does not verify over the DSSE payload.
    #[error("{0}")]
    BadSignature(String),
    /// The bundle names another key than the one given.
    #[error("{0}")]
    WrongKey(String),
    /// The signing certificate does not chain to a trusted certificate, is
    /// out of its validity, or may not sign.
    #[error("{0}")]
    Untrusted(String),
    /// The certificate's identity or OIDC issuer is not the one asked for.
    #[error("{0}")]
    Identity(String),
    /// The signature could not be checked with what was given (a keyless
    /// bundle without a trust root).
    #[error("{0}")]
    NotChecked(String),
}

impl SignatureError {
    /// The finding code of this cause.
    pub fn code(&self) -> Code {
        match self {
            SignatureError::Invalid(_) => Code::SignatureInvalid,
            SignatureError::BadSignature(_) => Code::SignatureBadSignature,
            SignatureError::WrongKey(_) => Code::SignatureWrongKey,
            SignatureError::Untrusted(_) => Code::SignatureUntrusted,
            SignatureError::Identity(_) => Code::SignatureIdentity,
            SignatureError::NotChecked(_) => Code::SignatureNotChecked,
        }
    }
}

/// What the bundle says about who signed, before anything is checked.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum SignerHint {
    /// A public key, named by the sha256 of its PEM (`publicKey.hint`);
    /// `None` for bundles that name none.
    Key {
        /// The hint, hex.
        #[serde(skip_serializing_if = "Option::is_none")]
        fingerprint: Option<String>,
    },
    /// A signing certificate (the certificate method, or keyless Sigstore).
    Certificate {
        /// The certificate's identities (SAN emails and URIs).
        identities: Vec<String>,
        /// The OIDC issuer of a Fulcio certificate.
        #[serde(skip_serializing_if = "Option::is_none")]
        issuer: Option<String>,
        /// The subject's distinguished name.
        subject: String,
        /// sha256 of the certificate's DER, hex.
        fingerprint: String,
        /// Keyless (a Fulcio certificate with transparency-log entries).
        keyless: bool,
    },
}

/// How a signature is checked.
#[derive(Debug, Clone)]
pub enum Verifier {
    /// With a public key (`--key`).
    Key(PublicKey),
    /// With the certificates trusted to issue signing certificates
    /// (`--certificate-chain`), and the identity and issuer required, if any.
    Chain {
        /// The trusted certificates.
        trusted: Vec<x509::Cert>,
        /// A SAN email or URI the signing certificate must carry.
        identity: Option<String>,
        /// The OIDC issuer the signing certificate must name.
        issuer: Option<String>,
    },
    /// A Sigstore trusted root for keyless bundles (`--trust-root`), with
    /// the identity and OIDC issuer required.
    TrustRoot {
        /// The root.
        root: Box<trust_root::TrustRoot>,
        /// The SAN email or URI required.
        identity: String,
        /// The OIDC issuer required.
        issuer: String,
    },
    /// Nothing to check with: the bundle is read and reported, never valid.
    None,
}

/// Who signed, once the signature held.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Signer {
    /// A public key: its curve and the sha256 of its PEM.
    Key {
        /// `P-256` or `P-384`.
        curve: String,
        /// sha256 of the key's PEM, hex (the bundle's hint).
        fingerprint: String,
    },
    /// A certificate that chains to a trusted one.
    Certificate {
        /// The certificate's identities (SAN emails and URIs).
        identities: Vec<String>,
        /// The OIDC issuer, when the certificate names one.
        #[serde(skip_serializing_if = "Option::is_none")]
        issuer: Option<String>,
        /// The subject's distinguished name.
        subject: String,
        /// sha256 of the certificate's DER, hex.
        fingerprint: String,
        /// The chain, signing certificate first, as subject names.
        chain: Vec<String>,
        /// The transparency-log entry that recorded a keyless signature.
        #[serde(skip_serializing_if = "Option::is_none")]
        log: Option<String>,
    },
}

/// A bundle read: its statement (unverified until [`verify`] says so) and
/// what it says about the signer.
#[derive(Debug, Clone)]
pub struct Read {
    /// The bundle.
    pub bundle: Bundle,
    /// The DSSE payload, decoded.
    pub payload: Vec<u8>,
    /// The statement the payload holds, or why it cannot be read (told
    /// only once the signature holds: an edit after signing is a bad
    /// signature first).
    pub statement: Result<Statement, SignatureError>,
    /// Who the bundle says signed.
    pub hint: SignerHint,
}

/// Reads a bundle's bytes: the JSON, the envelope, the statement. Nothing is
/// verified.
pub fn read(bytes: &[u8]) -> Result<Read, SignatureError> {
    let bundle = Bundle::from_json(bytes)?;
    let payload = bundle.payload()?;
    let statement = Statement::parse(&payload);
    let hint = bundle.signer_hint()?;
    Ok(Read {
        bundle,
        payload,
        statement,
        hint,
    })
}

/// Checks a bundle read with [`read`]: the signature over the DSSE payload
/// with the verifier's key or the chained signing certificate, the identity
/// and issuer asked for, then the statement. On success, who signed and what.
pub fn verify<'a>(
    read: &'a Read,
    verifier: &Verifier,
) -> Result<(Signer, &'a Statement), SignatureError> {
    let signer = verify_signature(read, verifier)?;
    let statement = read.statement.as_ref().map_err(Clone::clone)?;
    Ok((signer, statement))
}

fn verify_signature(read: &Read, verifier: &Verifier) -> Result<Signer, SignatureError> {
    let keyless = read.bundle.is_keyless();
    match verifier {
        Verifier::TrustRoot {
            root,
            identity,
            issuer,
        } if keyless => return keyless::verify(read, root, identity, issuer),
        Verifier::TrustRoot { .. } => {
            return Err(SignatureError::NotChecked(
                "signature not checked: not a keyless bundle, so a trust root does not apply; give --key or --certificate-chain".into(),
            ))
        }
        _ if keyless => {
            return Err(SignatureError::NotChecked(
                "signature not checked: keyless bundle needs --trust-root".into(),
            ))
        }
        _ => {}
    }
    let envelope = read.bundle.envelope()?;
    let message = dsse::pae(&envelope.payload_type, &read.payload);
    let signatures = read.bundle.signatures()?;
    match verifier {
        Verifier::Key(key) => {
            if let Some(hint) = read.bundle.key_hint() {
                if !hint.eq_ignore_ascii_case(&key.fingerprint()) {
                    return Err(SignatureError::WrongKey(format!(
                        "the bundle was signed with the key whose PEM has sha256 {hint}, not the key given ({})",
                        key.fingerprint()
                    )));
                }
            }
            if !signatures.iter().any(|s| key.verify(&message, s)) {
                return Err(SignatureError::BadSignature(format!(
                    "the signature does not verify over the DSSE payload with the {} key given{}",
                    key.curve(),
                    if read.bundle.key_hint().is_none() {
                        " (the bundle names no key: it may be another key's)"
                    } else {
                        ""
                    }
                )));
            }
            Ok(Signer::Key {
                curve: key.curve().into(),
                fingerprint: key.fingerprint(),
            })
        }
        Verifier::Chain {
            trusted,
            identity,
            issuer,
        } => {
            let (leaf, others) = read.bundle.certificates()?;
            let chain = x509::verify_chain(&leaf, &others, trusted)?;
            x509::check_signing_use(&leaf)?;
            x509::check_identity(&leaf, identity.as_deref(), issuer.as_deref())?;
            let key = leaf.public_key().map_err(|e| {
                SignatureError::Invalid(format!("the signing certificate's key: {e}"))
            })?;
            if !signatures.iter().any(|s| key.verify(&message, s)) {
                return Err(SignatureError::BadSignature(format!(
                    "the signature does not verify over the DSSE payload with the signing certificate's {} key",
                    key.curve()
                )));
            }
            Ok(Signer::Certificate {
                identities: leaf.identities(),
                issuer: leaf.oidc_issuer(),
                subject: leaf.subject(),
                fingerprint: leaf.fingerprint(),
                chain: chain.iter().map(|c| c.subject()).collect(),
                log: None,
            })
        }
        Verifier::TrustRoot { .. } => Err(SignatureError::NotChecked(
            "signature not checked: not a keyless bundle".into(),
        )),
        Verifier::None => Err(match &read.hint {
            SignerHint::Certificate { keyless: true, .. } => SignatureError::NotChecked(
                "signature not checked: keyless bundle needs --trust-root".into(),
            ),
            SignerHint::Certificate { .. } => SignatureError::NotChecked(
                "signature not checked: the bundle carries a certificate; give --certificate-chain"
                    .into(),
            ),
            SignerHint::Key { .. } => SignatureError::NotChecked(
                "signature not checked: the bundle was signed with a key; give --key".into(),
            ),
        }),
    }
}

/// Lowercase hex of bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// sha256 of bytes, lowercase hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(bytes))
}
