//! The AI bill of materials: CycloneDX 1.6 (`cyclonedx.rs`) and SPDX 3.0.1
//! (`spdx.rs`) from the same Reports. What both formats say about a model is
//! gathered here once ([`ModelFacts`]); the two renderers only spell it.
//! Pure functions of the Report and of the hashes the caller computed (`mri
//! inspect --hash`): no I/O. A fact the Report does not hold is left out,
//! never filled with a placeholder.

pub mod cyclonedx;
mod facts;
pub mod spdx;

pub use facts::{training_datasets, Ancestor, FileFact, LicenseFact, ModelFacts};

use crate::report::Report;
use sha1::{Digest, Sha1};
use std::collections::BTreeMap;

/// What the caller decides about a BOM.
#[derive(Debug, Clone, Default)]
pub struct BomOptions {
    /// The creation time (RFC 3339, UTC) to write, from `--timestamp`;
    /// `None` keeps the output the same for the same input.
    pub timestamp: Option<String>,
}

/// One model of a BOM: its Report and the SHA-256 of files the caller
/// hashed (path → hex), beside those the Report already knows.
#[derive(Debug, Clone)]
pub struct BomModel<'a> {
    /// The Report.
    pub report: &'a Report,
    /// SHA-256 computed by reading the files (`--hash`), by path.
    pub computed: BTreeMap<String, String>,
}

impl<'a> From<&'a Report> for BomModel<'a> {
    fn from(report: &'a Report) -> Self {
        BomModel {
            report,
            computed: BTreeMap::new(),
        }
    }
}

/// Where a file's SHA-256 comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashSource {
    /// The Hugging Face cache's blob name (`blobs/<sha256>`), the content
    /// address the Hub gave the LFS file (`mri verify` checks it).
    CacheBlobName,
    /// The Hub's listing of a file that is on the Hub only (`hf://`).
    HubListing,
    /// The Ollama store's blob name (`blobs/sha256-<hex>`).
    OllamaBlobName,
    /// Read and hashed by mri (`--hash`).
    Computed,
}

impl HashSource {
    /// Its name in the BOM.
    pub fn as_str(self) -> &'static str {
        match self {
            HashSource::CacheBlobName => "hf-cache-blob-name",
            HashSource::HubListing => "hub-listing",
            HashSource::OllamaBlobName => "ollama-blob-name",
            HashSource::Computed => "computed",
        }
    }
}

/// Whether `hex` is a SHA-256 in hex.
fn is_sha256(hex: &str) -> bool {
    hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The SHA-256 of each file that the Report names by content (cache blob
/// names, the Hub's listing, Ollama blob names), then those `computed` adds.
/// A cache blob named by a git sha1 (a small file the Hub does not store in
/// LFS) is not a SHA-256 and gives none.
pub fn known_sha256(
    report: &Report,
    computed: &BTreeMap<String, String>,
) -> BTreeMap<String, (String, HashSource)> {
    let mut out = BTreeMap::new();
    for f in &report.files {
        let from_blob = f
            .link_target
            .as_deref()
            .and_then(|t| t.strip_prefix("blobs/"))
            .filter(|h| is_sha256(h))
            .map(|h| (h, HashSource::CacheBlobName));
        let from_listing = f
            .lfs_sha256
            .as_deref()
            .filter(|h| f.remote_only && is_sha256(h))
            .map(|h| (h, HashSource::HubListing));
        let from_ollama = (report.target.ollama.is_some())
            .then(|| f.path.strip_prefix("blobs/sha256-"))
            .flatten()
            .filter(|h| is_sha256(h))
            .map(|h| (h, HashSource::OllamaBlobName));
        if let Some((hex, source)) = from_blob.or(from_listing).or(from_ollama) {
            out.insert(f.path.clone(), (hex.to_ascii_lowercase(), source));
        }
    }
    for (path, hex) in computed {
        if is_sha256(hex) {
            out.insert(
                path.clone(),
                (hex.to_ascii_lowercase(), HashSource::Computed),
            );
        }
    }
    out
}

/// A name-based UUID (version 5, RFC 9562) of `content` in the URL
/// namespace: the same content always gives the same id.
pub fn uuid_v5(content: &[u8]) -> String {
    // The URL namespace, 6ba7b811-9dad-11d1-80b4-00c04fd430c8.
    const NAMESPACE: [u8; 16] = [
        0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30,
        0xc8,
    ];
    let mut h = Sha1::new();
    h.update(NAMESPACE);
    h.update(content);
    let digest = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = crate::security::read::hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// `s` percent-encoded for a path segment of a URL or package URL: every
/// byte but `A-Z a-z 0-9 . - _ ~` as `%XX`.
pub(crate) fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Each report's bom-ref prefix: `model:NAME`, with `-N` added from the
/// second model of the same name on, so every bom-ref is unique.
pub(crate) fn model_refs(facts: &[ModelFacts<'_>]) -> Vec<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    facts
        .iter()
        .map(|f| {
            let base = format!("model:{}", f.name);
            let n = seen.entry(base.clone()).or_insert(0);
            *n += 1;
            if *n == 1 {
                base
            } else {
                format!("{base}-{n}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_v5_matches_the_rfc_example() {
        // Python: uuid.uuid5(uuid.NAMESPACE_URL, "https://www.example.com/")
        assert_eq!(
            uuid_v5(b"https://www.example.com/"),
            "3d3ed9d2-aa3d-5fa6-90e8-ed662e90f559"
        );
    }

    #[test]
    fn segments_are_percent_encoded() {
        assert_eq!(encode_segment("Qwen3-4B_v1.0"), "Qwen3-4B_v1.0");
        assert_eq!(encode_segment("a b/c@d"), "a%20b%2Fc%40d");
    }
}
