//! A Sigstore trusted root (`application/vnd.dev.sigstore.trustedroot+json`):
//! the Fulcio certificate authorities and the Rekor transparency logs' keys,
//! each with the time it was valid for. Offline: the file is given.

use super::bundle::b64decode;
use super::keys::PublicKey;
use super::x509::Cert;
use serde::Deserialize;

/// A certificate authority: its chain (issuing certificate first, root
/// last) and when it issued.
#[derive(Debug, Clone)]
pub struct Authority {
    /// `uri`, for messages.
    pub uri: String,
    /// The certificates.
    pub certificates: Vec<Cert>,
    /// Seconds since the epoch; `None`: open.
    pub start: Option<u64>,
    /// Seconds since the epoch; `None`: open.
    pub end: Option<u64>,
}

/// A transparency log whose key mri can check (ECDSA P-256/P-384).
#[derive(Debug, Clone)]
pub struct Log {
    /// `baseUrl`, for messages.
    pub base_url: String,
    /// `logId.keyId`: sha256 of the key's DER.
    pub key_id: Vec<u8>,
    /// The log's key.
    pub key: PublicKey,
    /// Seconds since the epoch; `None`: open.
    pub start: Option<u64>,
    /// Seconds since the epoch; `None`: open.
    pub end: Option<u64>,
}

/// The trusted root, as far as keyless model signatures need it.
#[derive(Debug, Clone, Default)]
pub struct TrustRoot {
    /// Fulcio's authorities.
    pub authorities: Vec<Authority>,
    /// Rekor's logs with keys mri can check.
    pub logs: Vec<Log>,
    /// Logs left out, and why (an Ed25519 key of Rekor v2, for instance).
    pub skipped: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawRoot {
    #[serde(default)]
    media_type: String,
    #[serde(default)]
    tlogs: Vec<RawLog>,
    #[serde(default)]
    certificate_authorities: Vec<RawAuthority>,
}

#[derive(Deserialize, Default)]
struct RawValidFor {
    start: Option<String>,
    end: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawLog {
    #[serde(default)]
    base_url: String,
    public_key: RawPublicKey,
    log_id: RawLogId,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPublicKey {
    raw_bytes: Option<String>,
    #[serde(default)]
    key_details: String,
    #[serde(default)]
    valid_for: Option<RawValidFor>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawLogId {
    key_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawAuthority {
    #[serde(default)]
    uri: String,
    cert_chain: RawChain,
    #[serde(default)]
    valid_for: Option<RawValidFor>,
}

#[derive(Deserialize)]
struct RawChain {
    certificates: Vec<super::bundle::RawBytes>,
}

/// `YYYY-MM-DDTHH:MM:SS[.fff]Z` (RFC 3339 in UTC, as the trusted root
/// writes it) to seconds since the epoch.
pub(crate) fn rfc3339_seconds(text: &str) -> Option<u64> {
    let b = text.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || !text.ends_with('Z') {
        return None;
    }
    let num = |r: std::ops::Range<usize>| text.get(r)?.parse::<u16>().ok();
    let at = der::DateTime::new(
        num(0..4)?,
        u8::try_from(num(5..7)?).ok()?,
        u8::try_from(num(8..10)?).ok()?,
        u8::try_from(num(11..13)?).ok()?,
        u8::try_from(num(14..16)?).ok()?,
        u8::try_from(num(17..19)?).ok()?,
    )
    .ok()?;
    Some(at.unix_duration().as_secs())
}

fn window(v: &Option<RawValidFor>) -> Result<(Option<u64>, Option<u64>), String> {
    let Some(v) = v else { return Ok((None, None)) };
    let parse = |t: &Option<String>| match t {
        None => Ok(None),
        Some(t) => rfc3339_seconds(t)
            .map(Some)
            .ok_or_else(|| format!("`{t}` is not an RFC 3339 UTC time")),
    };
    Ok((parse(&v.start)?, parse(&v.end)?))
}

impl TrustRoot {
    /// Parses the JSON.
    pub fn from_json(bytes: &[u8]) -> Result<TrustRoot, String> {
        let raw: RawRoot = serde_json::from_slice(bytes)
            .map_err(|e| format!("not a Sigstore trusted root: {e}"))?;
        if !raw
            .media_type
            .starts_with("application/vnd.dev.sigstore.trustedroot")
        {
            return Err(format!(
                "media type is `{}`, not a Sigstore trusted root",
                raw.media_type
            ));
        }
        let mut out = TrustRoot::default();
        for (i, a) in raw.certificate_authorities.iter().enumerate() {
            let certificates = a
                .cert_chain
                .certificates
                .iter()
                .map(|c| {
                    b64decode(&c.raw_bytes)
                        .map_err(|e| e.to_string())
                        .and_then(|der| Cert::from_der(&der))
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("certificate authority {}: {e}", i + 1))?;
            let (start, end) = window(&a.valid_for)?;
            out.authorities.push(Authority {
                uri: a.uri.clone(),
                certificates,
                start,
                end,
            });
        }
        for l in &raw.tlogs {
            let key_id = b64decode(&l.log_id.key_id)
                .map_err(|e| format!("log `{}`: key id: {e}", l.base_url))?;
            let der = l
                .public_key
                .raw_bytes
                .as_deref()
                .map(b64decode)
                .transpose()
                .map_err(|e| format!("log `{}`: key: {e}", l.base_url))?;
            let key = der.as_deref().map(PublicKey::from_spki_der);
            match key {
                Some(Ok(key)) => {
                    let (start, end) = window(&l.public_key.valid_for)?;
                    out.logs.push(Log {
                        base_url: l.base_url.clone(),
                        key_id,
                        key,
                        start,
                        end,
                    });
                }
                Some(Err(e)) => out.skipped.push(format!(
                    "log `{}` ({}): {e}",
                    l.base_url, l.public_key.key_details
                )),
                None => out.skipped.push(format!("log `{}`: no key", l.base_url)),
            }
        }
        if out.authorities.is_empty() {
            return Err("the trusted root names no certificate authority".into());
        }
        Ok(out)
    }
}

/// True when `at` lies in `[start, end]` (open ends allowed).
pub(crate) fn within(at: u64, start: Option<u64>, end: Option<u64>) -> bool {
    start.is_none_or(|s| at >= s) && end.is_none_or(|e| at <= e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_times_read() {
        assert_eq!(rfc3339_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(rfc3339_seconds("2021-01-12T11:53:27Z"), Some(1_610_452_407));
        assert_eq!(
            rfc3339_seconds("2022-12-31T23:59:59.999Z"),
            Some(1_672_531_199)
        );
        assert_eq!(rfc3339_seconds("2022-12-31"), None);
        assert_eq!(rfc3339_seconds("2022-13-31T00:00:00Z"), None);
    }
}
