//! A safetensors header read with HTTP Range requests, as the Hub's own
//! metadata parser reads it: one speculative read of the first bytes (the
//! length prefix and, for nearly every shard, the whole header), and a second
//! read of the rest only when the header is longer. Tensor data is never
//! asked for. The first shard's read is 100,000 bytes (as
//! `huggingface_hub`'s); the others ask for a little more than the longest
//! header seen so far, since the shards of one checkpoint have headers of
//! about one size.

use super::client::{HubClient, Traffic};
use super::error::HubError;
use crate::scan::safetensors::MAX_HEADER_BYTES;
use std::sync::atomic::{AtomicU64, Ordering};

/// Bytes asked for first when nothing is known (as `huggingface_hub`'s
/// `get_safetensors_metadata`).
pub const FIRST_READ: u64 = 100_000;
/// The smallest first read once a header length is known.
pub const MIN_FIRST_READ: u64 = 16 * 1024;

/// The first read for a shard when the longest header seen so far (prefix
/// included) was `seen` bytes (`0`: none yet).
pub fn first_read_after(seen: u64) -> u64 {
    if seen == 0 {
        return FIRST_READ;
    }
    seen.saturating_add(seen / 4)
        .saturating_add(4096)
        .clamp(MIN_FIRST_READ, FIRST_READ)
}

impl HeaderBytes {
    /// The prefix and header length (`8 + n`) the bytes announce, if any.
    pub fn announced(&self) -> Option<u64> {
        announced(&self.bytes)
    }
}

/// The prefix and header length (`8 + n`) that a safetensors file's first
/// `bytes` announce, if they hold a prefix.
pub fn announced(bytes: &[u8]) -> Option<u64> {
    8u64.checked_add(crate::scan::safetensors::declared_header_len(bytes)?)
}

/// The first bytes of a remote safetensors file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderBytes {
    /// The length prefix and the header (or what there was of them).
    pub bytes: Vec<u8>,
    /// The file's size, from the listing or the answer's `Content-Range`.
    pub file_size: u64,
}

/// Reads the prefix and header of the file at `url`, whose size the listing
/// may give, asking for `first_read` bytes first. A second read is taken out
/// of `budget` (bytes left for this repository's long headers: the total
/// the scan parses for one model, `header_budget_from_env`, so that no more
/// is fetched and held than can be used).
pub fn read_header(
    client: &HubClient,
    url: &str,
    listed_size: Option<u64>,
    first_read: u64,
    repo: &str,
    traffic: &Traffic,
    budget: &AtomicU64,
) -> Result<HeaderBytes, HubError> {
    if listed_size == Some(0) {
        return Ok(HeaderBytes {
            bytes: Vec::new(),
            file_size: 0,
        });
    }
    let first_read = first_read.max(8);
    let first = listed_size.map_or(first_read, |s| s.min(first_read));
    // A server that ignores Range sends the whole file: only `first` bytes
    // of it are read before the connection is dropped.
    let got = client.fetch(url, Some((0, Some(first - 1))), first, repo, traffic)?;
    let file_size = listed_size.or(got.total).unwrap_or(got.bytes.len() as u64);
    let mut bytes = got.bytes;
    // Only a plausible header is fetched; the parser reports the others.
    let (Some(header_len), Some(wanted)) = (
        crate::scan::safetensors::declared_header_len(&bytes),
        announced(&bytes),
    ) else {
        return Ok(HeaderBytes { bytes, file_size });
    };
    let have = bytes.len() as u64;
    if header_len <= MAX_HEADER_BYTES && wanted <= file_size && wanted > have {
        let more = wanted - have;
        if budget
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
                left.checked_sub(more)
            })
            .is_err()
        {
            // Over the budget: the first bytes only. The scan's budget,
            // which is never larger, refuses the header by the length its
            // prefix announces (`weights/header-budget`), as it would a
            // local one; the short bytes are not kept for later runs.
            return Ok(HeaderBytes { bytes, file_size });
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_reads_follow_the_longest_header_seen() {
        assert_eq!(first_read_after(0), FIRST_READ);
        assert_eq!(first_read_after(1_200), MIN_FIRST_READ);
        assert_eq!(first_read_after(40_000), 54_096);
        assert_eq!(first_read_after(5_000_000), FIRST_READ);
        let h = HeaderBytes {
            bytes: [16u64.to_le_bytes().as_slice(), b"{}"].concat(),
            file_size: 100,
        };
        assert_eq!(h.announced(), Some(24));
    }
}
