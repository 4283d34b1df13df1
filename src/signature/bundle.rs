//! The Sigstore bundle (v0.3 JSON) that `model-signing` writes as
//! `model.sig`: verification material and a DSSE envelope.

use super::{x509::Cert, SignatureError, SignerHint, BUNDLE_MEDIA_TYPE, PAYLOAD_TYPE};
use base64::Engine;
use serde::{Deserialize, Serialize};

/// A Sigstore bundle, as much of it as model signatures use. Unknown fields
/// are ignored when read.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bundle {
    /// `application/vnd.dev.sigstore.bundle.v0.3+json`.
    pub media_type: String,
    /// The key hint or the certificates, and transparency-log entries.
    pub verification_material: VerificationMaterial,
    /// The signed statement.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dsse_envelope: Option<Envelope>,
}

/// What verifies the signature.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerificationMaterial {
    /// A public key, named by a hint (the key method).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_key: Option<PublicKeyIdentifier>,
    /// Certificates, signing certificate first (the certificate method,
    /// and keyless bundles before v0.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x509_certificate_chain: Option<CertificateChain>,
    /// One signing certificate (keyless bundles v0.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub certificate: Option<RawBytes>,
    /// Transparency-log entries (keyless signing).
    #[serde(default)]
    pub tlog_entries: Vec<serde_json::Value>,
    /// RFC 3161 timestamps, when present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp_verification_data: Option<serde_json::Value>,
}

/// `publicKey`: `hint` is the sha256 (hex) of the key's PEM.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct PublicKeyIdentifier {
    /// The hint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

/// `x509CertificateChain`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct CertificateChain {
    /// DER certificates, signing certificate first.
    #[serde(default)]
    pub certificates: Vec<RawBytes>,
}

/// `{"rawBytes": base64}`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RawBytes {
    /// Standard base64.
    pub raw_bytes: String,
}

/// The DSSE envelope.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope {
    /// The statement, base64.
    pub payload: String,
    /// `application/vnd.in-toto+json`.
    pub payload_type: String,
    /// Signatures over the PAE of type and payload.
    #[serde(default)]
    pub signatures: Vec<EnvelopeSignature>,
}

/// One DSSE signature.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct EnvelopeSignature {
    /// The DER ECDSA signature, base64.
    pub sig: String,
    /// The key id (`model-signing` writes an empty one).
    #[serde(default)]
    pub keyid: String,
}

/// Base64, standard alphabet; padding may be left out, whitespace is not
/// allowed (JSON strings written by protobuf have none).
pub(crate) fn b64decode(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    )
    .decode(text)
}

/// Base64, standard alphabet, padded.
pub(crate) fn b64encode(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

impl Bundle {
    /// Parses the JSON. The media type must be the v0.3 one `model-signing`
    /// writes; a message signature instead of a DSSE envelope is refused.
    pub fn from_json(bytes: &[u8]) -> Result<Bundle, SignatureError> {
        let bundle: Bundle = serde_json::from_slice(bytes)
            .map_err(|e| SignatureError::Invalid(format!("not a Sigstore bundle: {e}")))?;
        if bundle.media_type != BUNDLE_MEDIA_TYPE {
            return Err(SignatureError::Invalid(format!(
                "bundle media type is `{}`; model signatures are `{BUNDLE_MEDIA_TYPE}`",
                bundle.media_type
            )));
        }
        Ok(bundle)
    }

    /// The bundle as `model-signing` writes it: one line of JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The envelope, which must hold an in-toto statement.
    pub fn envelope(&self) -> Result<&Envelope, SignatureError> {
        let envelope = self.dsse_envelope.as_ref().ok_or_else(|| {
            SignatureError::Invalid("the bundle has no DSSE envelope (`dsseEnvelope`)".into())
        })?;
        if envelope.payload_type != PAYLOAD_TYPE {
            return Err(SignatureError::Invalid(format!(
                "DSSE payload type is `{}`, not `{PAYLOAD_TYPE}`",
                envelope.payload_type
            )));
        }
        Ok(envelope)
    }

    /// The envelope's payload, decoded.
    pub fn payload(&self) -> Result<Vec<u8>, SignatureError> {
        b64decode(&self.envelope()?.payload)
            .map_err(|e| SignatureError::Invalid(format!("DSSE payload is not base64: {e}")))
    }

    /// The envelope's signatures, decoded; at least one.
    pub fn signatures(&self) -> Result<Vec<Vec<u8>>, SignatureError> {
        let envelope = self.envelope()?;
        if envelope.signatures.is_empty() {
            return Err(SignatureError::Invalid(
                "the DSSE envelope has no signature".into(),
            ));
        }
        envelope
            .signatures
            .iter()
            .enumerate()
            .map(|(i, s)| {
                b64decode(&s.sig).map_err(|e| {
                    SignatureError::Invalid(format!("DSSE signature {} is not base64: {e}", i + 1))
                })
            })
            .collect()
    }

    /// `publicKey.hint`, when present and not empty.
    pub fn key_hint(&self) -> Option<&str> {
        self.verification_material
            .public_key
            .as_ref()
            .and_then(|k| k.hint.as_deref())
            .filter(|h| !h.is_empty())
    }

    /// The signing certificate and the other certificates the bundle
    /// carries, decoded.
    pub fn certificates(&self) -> Result<(Cert, Vec<Cert>), SignatureError> {
        let vm = &self.verification_material;
        let raw: Vec<&RawBytes> = match (&vm.certificate, &vm.x509_certificate_chain) {
            (Some(one), _) => vec![one],
            (None, Some(chain)) => chain.certificates.iter().collect(),
            (None, None) => Vec::new(),
        };
        let mut certs = raw.iter().enumerate().map(|(i, r)| {
            let der = b64decode(&r.raw_bytes).map_err(|e| {
                SignatureError::Invalid(format!("certificate {} is not base64: {e}", i + 1))
            })?;
            Cert::from_der(&der).map_err(|e| {
                SignatureError::Invalid(format!("certificate {} of the bundle: {e}", i + 1))
            })
        });
        let leaf = certs
            .next()
            .ok_or_else(|| SignatureError::Invalid("the bundle carries no certificate".into()))??;
        let others = certs.collect::<Result<Vec<_>, _>>()?;
        Ok((leaf, others))
    }

    /// True when the bundle is a keyless Sigstore one: a certificate with
    /// transparency-log entries (or the v0.3 single `certificate`).
    pub fn is_keyless(&self) -> bool {
        let vm = &self.verification_material;
        vm.certificate.is_some()
            || (vm.x509_certificate_chain.is_some() && !vm.tlog_entries.is_empty())
    }

    /// What the bundle says about who signed.
    pub fn signer_hint(&self) -> Result<SignerHint, SignatureError> {
        let vm = &self.verification_material;
        if vm.certificate.is_none() && vm.x509_certificate_chain.is_none() {
            return Ok(SignerHint::Key {
                fingerprint: self.key_hint().map(str::to_ascii_lowercase),
            });
        }
        let (leaf, _) = self.certificates()?;
        Ok(SignerHint::Certificate {
            identities: leaf.identities(),
            issuer: leaf.oidc_issuer(),
            subject: leaf.subject(),
            fingerprint: leaf.fingerprint(),
            keyless: self.is_keyless(),
        })
    }
}
