//! A safetensors header read with HTTP Range requests, as the Hub's own
//! metadata parser reads it: one speculative read of the first 100,000 bytes
//! (the length prefix and, for nearly every shard, the whole header), and a
//! second read of the rest only when the header is longer. Tensor data is
//! never asked for.

use super::client::{HubClient, Traffic};
use super::error::HubError;
use crate::scan::safetensors::MAX_HEADER_BYTES;

/// Bytes asked for first (as `huggingface_hub`'s `get_safetensors_metadata`).
pub const FIRST_READ: u64 = 100_000;

/// The first bytes of a remote safetensors file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderBytes {
    /// The length prefix and the header (or what there was of them).
    pub bytes: Vec<u8>,
    /// The file's size, from the listing or the answer's `Content-Range`.
    pub file_size: u64,
}

/// Reads the prefix and header of the file at `url`, whose size the listing
/// may give.
pub fn read_header(
    client: &HubClient,
    url: &str,
    listed_size: Option<u64>,
    repo: &str,
    traffic: &Traffic,
) -> Result<HeaderBytes, HubError> {
    if listed_size == Some(0) {
        return Ok(HeaderBytes {
            bytes: Vec::new(),
            file_size: 0,
        });
    }
    let first = listed_size.map_or(FIRST_READ, |s| s.min(FIRST_READ));
    // A server that ignores Range sends the whole file: only `first` bytes
    // of it are read before the connection is dropped.
    let got = client.fetch(url, Some((0, Some(first - 1))), first, repo, traffic)?;
    let file_size = listed_size.or(got.total).unwrap_or(got.bytes.len() as u64);
    let mut bytes = got.bytes;
    let Some(prefix) = bytes.get(..8) else {
        return Ok(HeaderBytes { bytes, file_size });
    };
    let mut len = [0u8; 8];
    len.copy_from_slice(prefix);
    let header_len = u64::from_le_bytes(len);
    // Only a plausible header is fetched; the parser reports the others.
    let Some(wanted) = 8u64.checked_add(header_len) else {
        return Ok(HeaderBytes { bytes, file_size });
    };
    let have = bytes.len() as u64;
    if header_len <= MAX_HEADER_BYTES && wanted <= file_size && wanted > have {
        let rest = client.fetch(
            url,
            Some((have, Some(wanted - 1))),
            wanted - have,
            repo,
            traffic,
        )?;
        if !rest.partial {
            return Err(HubError::BadResponse {
                url: url.to_string(),
                message: "the server ignored the Range request for the rest of the header"
                    .to_string(),
            });
        }
        bytes.extend_from_slice(&rest.bytes);
    }
    Ok(HeaderBytes { bytes, file_size })
}
