//! X.509 certificates of model signatures: parsed with `x509-cert`, each
//! certificate's signature checked with its issuer's key (ECDSA P-256 /
//! P-384 through [`super::keys`]), the chain built to a trusted
//! certificate, and the signing certificate's use, identities (SAN email and
//! URI) and Fulcio OIDC issuer (OIDs 1.3.6.1.4.1.57264.1.8, and the older
//! 1.3.6.1.4.1.57264.1.1) read.

use super::keys::PublicKey;
use super::SignatureError;
use der::oid::ObjectIdentifier;
use der::{Decode, Encode, Reader};
use sha2::Digest;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectAltName};
use x509_cert::Certificate;

/// ecdsa-with-SHA256.
const ECDSA_SHA256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.2");
/// ecdsa-with-SHA384.
const ECDSA_SHA384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.3");
/// ecdsa-with-SHA512.
const ECDSA_SHA512: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.4.3.4");
/// id-kp-codeSigning.
const CODE_SIGNING: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.5.5.7.3.3");
/// Fulcio's OIDC issuer, a raw string (deprecated).
const FULCIO_ISSUER_V1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.1");
/// Fulcio's OIDC issuer, a DER UTF8String.
const FULCIO_ISSUER_V2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.8");
/// The longest chain followed.
const MAX_DEPTH: usize = 8;

/// A certificate: its DER and its parsed form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cert {
    der: Vec<u8>,
    cert: Certificate,
}

impl Cert {
    /// Parses a DER certificate.
    pub fn from_der(der: &[u8]) -> Result<Cert, String> {
        let cert =
            Certificate::from_der(der).map_err(|e| format!("not an X.509 certificate: {e}"))?;
        Ok(Cert {
            der: der.to_vec(),
            cert,
        })
    }

    /// Every `CERTIFICATE` block of a PEM text, in order; at least one.
    pub fn from_pem_chain(text: &str) -> Result<Vec<Cert>, String> {
        let mut out = Vec::new();
        for (i, (label, bytes)) in super::keys::pem_blocks(text).into_iter().enumerate() {
            if label != "CERTIFICATE" {
                continue;
            }
            let der = bytes.map_err(|e| format!("PEM block {}: {e}", i + 1))?;
            out.push(Cert::from_der(&der).map_err(|e| format!("PEM block {}: {e}", i + 1))?);
        }
        if out.is_empty() {
            return Err("no CERTIFICATE PEM block".into());
        }
        Ok(out)
    }

    /// The DER bytes.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// The certificate as PEM.
    pub fn to_pem(&self) -> String {
        der::pem::encode_string("CERTIFICATE", der::pem::LineEnding::LF, &self.der)
            .unwrap_or_default()
    }

    /// sha256 of the DER, hex.
    pub fn fingerprint(&self) -> String {
        super::sha256_hex(&self.der)
    }

    /// The subject's distinguished name (RFC 4514).
    pub fn subject(&self) -> String {
        self.cert.tbs_certificate.subject.to_string()
    }

    /// The subject key.
    pub fn public_key(&self) -> Result<PublicKey, super::KeyError> {
        let spki = self
            .cert
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .map_err(|e| super::KeyError::Malformed(e.to_string()))?;
        PublicKey::from_spki_der(&spki)
    }

    /// The SAN emails and URIs.
    pub fn identities(&self) -> Vec<String> {
        let Ok(Some((_, san))) = self.cert.tbs_certificate.get::<SubjectAltName>() else {
            return Vec::new();
        };
        san.0
            .iter()
            .filter_map(|name| match name {
                GeneralName::Rfc822Name(s) => Some(s.to_string()),
                GeneralName::UniformResourceIdentifier(s) => Some(s.to_string()),
                _ => None,
            })
            .collect()
    }

    /// The OIDC issuer Fulcio wrote: the UTF8String extension, else the
    /// older raw one.
    pub fn oidc_issuer(&self) -> Option<String> {
        let extensions = self
            .cert
            .tbs_certificate
            .extensions
            .as_deref()
            .unwrap_or(&[]);
        let value = |oid| {
            extensions
                .iter()
                .find(|e| e.extn_id == oid)
                .map(|e| e.extn_value.as_bytes())
        };
        if let Some(bytes) = value(FULCIO_ISSUER_V2) {
            return der::asn1::Utf8StringRef::from_der(bytes)
                .ok()
                .map(|s| s.as_str().to_string());
        }
        value(FULCIO_ISSUER_V1).and_then(|b| std::str::from_utf8(b).ok().map(str::to_string))
    }

    /// True when `at` (seconds since the epoch) is within the validity.
    pub fn valid_at(&self, at: u64) -> bool {
        let (from, to) = self.validity();
        from <= at && at <= to
    }

    fn validity(&self) -> (u64, u64) {
        let v = &self.cert.tbs_certificate.validity;
        (
            v.not_before.to_unix_duration().as_secs(),
            v.not_after.to_unix_duration().as_secs(),
        )
    }

    fn is_ca(&self) -> Option<bool> {
        match self.cert.tbs_certificate.get::<BasicConstraints>() {
            Ok(Some((_, bc))) => Some(bc.ca),
            _ => None,
        }
    }

    fn key_usage(&self) -> Option<KeyUsage> {
        self.cert
            .tbs_certificate
            .get::<KeyUsage>()
            .ok()
            .flatten()
            .map(|(_, ku)| ku)
    }

    fn is_self_issued(&self) -> bool {
        self.cert.tbs_certificate.issuer == self.cert.tbs_certificate.subject
    }

    /// The raw bytes of the to-be-signed part, as they are in the DER.
    fn tbs_bytes(&self) -> Result<&[u8], String> {
        let outer = der::asn1::AnyRef::from_der(&self.der).map_err(|e| e.to_string())?;
        let mut reader = der::SliceReader::new(outer.value()).map_err(|e| e.to_string())?;
        reader.tlv_bytes().map_err(|e| e.to_string())
    }

    /// Checks that `issuer`'s key made this certificate's signature.
    pub fn verify_signed_by(&self, issuer: &Cert) -> Result<(), String> {
        let key = issuer
            .public_key()
            .map_err(|e| format!("the key of `{}`: {e}", issuer.subject()))?;
        let tbs = self.tbs_bytes()?;
        let oid = self.cert.signature_algorithm.oid;
        let digest: Vec<u8> = if oid == ECDSA_SHA256 {
            sha2::Sha256::digest(tbs).to_vec()
        } else if oid == ECDSA_SHA384 {
            sha2::Sha384::digest(tbs).to_vec()
        } else if oid == ECDSA_SHA512 {
            sha2::Sha512::digest(tbs).to_vec()
        } else {
            return Err(format!(
                "signature algorithm {oid} of `{}` is not ECDSA with SHA-2; mri checks ECDSA P-256/P-384 chains",
                self.subject()
            ));
        };
        let signature = self
            .cert
            .signature
            .as_bytes()
            .ok_or("the signature is not a whole number of bytes")?;
        if key.verify_prehash(&digest, signature) {
            Ok(())
        } else {
            Err(format!(
                "the signature of `{}` does not verify with the key of `{}`",
                self.subject(),
                issuer.subject()
            ))
        }
    }
}

fn valid_at(cert: &Cert, at: u64) -> Result<(), SignatureError> {
    let (from, to) = cert.validity();
    if at < from || at > to {
        return Err(SignatureError::Untrusted(format!(
            "`{}` is not valid when the signing certificate was issued",
            cert.subject()
        )));
    }
    Ok(())
}

fn may_issue(cert: &Cert, trusted: bool) -> Result<(), SignatureError> {
    // A trusted root without basic constraints (X.509 v1) is taken as a CA,
    // as OpenSSL does for self-signed roots.
    let ca = cert.is_ca().unwrap_or(trusted && cert.is_self_issued());
    if !ca {
        return Err(SignatureError::Untrusted(format!(
            "`{}` issued a certificate but is not a CA (basic constraints)",
            cert.subject()
        )));
    }
    if cert.key_usage().is_some_and(|ku| !ku.key_cert_sign()) {
        return Err(SignatureError::Untrusted(format!(
            "`{}` issued a certificate but its key usage does not allow it",
            cert.subject()
        )));
    }
    Ok(())
}

/// Builds the chain from `leaf` through `intermediates` (the bundle's other
/// certificates) to one of `trusted`, each certificate's signature checked
/// with its issuer's key, each issuer a CA, and every certificate valid at
/// the moment the signing certificate was issued (its `notBefore`, the time
/// `model-signing` checks at). Returns the chain, leaf first.
pub fn verify_chain<'a>(
    leaf: &'a Cert,
    intermediates: &'a [Cert],
    trusted: &'a [Cert],
) -> Result<Vec<&'a Cert>, SignatureError> {
    let (at, _) = leaf.validity();
    valid_at(leaf, at)?;
    let mut chain = vec![leaf];
    let mut last_problem = None;
    for _ in 0..MAX_DEPTH {
        let current = chain[chain.len() - 1];
        if trusted.iter().any(|t| t.der == current.der) && chain.len() > 1 {
            return Ok(chain);
        }
        let issuer_name = &current.cert.tbs_certificate.issuer;
        let candidates = trusted
            .iter()
            .map(|c| (c, true))
            .chain(intermediates.iter().map(|c| (c, false)))
            .filter(|(c, _)| &c.cert.tbs_certificate.subject == issuer_name)
            .filter(|(c, _)| c.der != current.der || current.is_self_issued());
        let mut next = None;
        for (candidate, is_trusted) in candidates {
            match current.verify_signed_by(candidate) {
                Ok(()) => {
                    next = Some((candidate, is_trusted));
                    break;
                }
                Err(e) => last_problem = Some(e),
            }
        }
        let Some((issuer, is_trusted)) = next else {
            return Err(SignatureError::Untrusted(last_problem.unwrap_or_else(
                || {
                    format!(
                        "no trusted certificate issued `{}` (issuer `{issuer_name}`)",
                        current.subject()
                    )
                },
            )));
        };
        may_issue(issuer, is_trusted)?;
        valid_at(issuer, at)?;
        if is_trusted {
            chain.push(issuer);
            return Ok(chain);
        }
        if issuer.der == current.der {
            // A self-signed certificate of the bundle that is not trusted.
            break;
        }
        chain.push(issuer);
    }
    Err(SignatureError::Untrusted(format!(
        "the chain of `{}` reaches no trusted certificate",
        leaf.subject()
    )))
}

/// The signing certificate may sign: key usage digitalSignature, or
/// extended key usage codeSigning (as `model-signing` accepts).
pub fn check_signing_use(leaf: &Cert) -> Result<(), SignatureError> {
    if leaf.key_usage().is_some_and(|ku| ku.digital_signature()) {
        return Ok(());
    }
    let code_signing = matches!(
        leaf.cert.tbs_certificate.get::<ExtendedKeyUsage>(),
        Ok(Some((_, eku))) if eku.0.contains(&CODE_SIGNING)
    );
    if code_signing {
        return Ok(());
    }
    Err(SignatureError::Untrusted(format!(
        "`{}` may not sign: neither key usage digitalSignature nor extended key usage codeSigning",
        leaf.subject()
    )))
}

/// The identity (a SAN email or URI) and OIDC issuer asked for, when asked.
pub fn check_identity(
    leaf: &Cert,
    identity: Option<&str>,
    issuer: Option<&str>,
) -> Result<(), SignatureError> {
    if let Some(want) = identity {
        let have = leaf.identities();
        if !have.iter().any(|h| h == want) {
            return Err(SignatureError::Identity(format!(
                "the signing certificate's identity is {}, not `{want}`",
                if have.is_empty() {
                    "absent (no SAN email or URI)".to_string()
                } else {
                    have.iter()
                        .map(|h| format!("`{h}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            )));
        }
    }
    if let Some(want) = issuer {
        match leaf.oidc_issuer() {
            Some(have) if have == want => {}
            Some(have) => {
                return Err(SignatureError::Identity(format!(
                    "the signing certificate's OIDC issuer is `{have}`, not `{want}`"
                )))
            }
            None => {
                return Err(SignatureError::Identity(format!(
                    "the signing certificate names no OIDC issuer (1.3.6.1.4.1.57264.1.8 or .1.1), `{want}` was asked for"
                )))
            }
        }
    }
    Ok(())
}
