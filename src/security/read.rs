//! Reading what the security checks look at: pickle streams (raw files and
//! the pickle members of PyTorch zip checkpoints, sniffed by their bytes,
//! never by extension alone) and the hashes of Python files.

use super::pickle::{walk, Walk};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

/// Largest pickle member read from a zip.
const MAX_MEMBER_BYTES: u64 = 512 * 1024 * 1024;
/// Members a zip may have before the rest are skipped.
const MAX_MEMBERS: usize = 100_000;

/// One pickle stream walked.
#[derive(Debug, Clone)]
pub struct PickleScan {
    /// The file, relative to the model root.
    pub file: String,
    /// The zip member, for PyTorch zip checkpoints.
    pub member: Option<String>,
    /// `pickle` or `torch-zip`.
    pub format: &'static str,
    /// What the walk found.
    pub walk: Walk,
}

/// What a file's first bytes say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed {
    /// A zip archive (PyTorch's format since 1.6).
    Zip,
    /// A binary pickle (protocol 2–5 header).
    Pickle,
    /// Neither.
    Other,
}

/// Sniffs the first bytes.
pub fn sniff(head: &[u8]) -> Sniffed {
    match head {
        [b'P', b'K', 3, 4, ..] => Sniffed::Zip,
        [0x80, v, ..] if *v <= 5 => Sniffed::Pickle,
        _ => Sniffed::Other,
    }
}

/// Walks a file's pickles: `None` when it is neither a pickle nor a zip with
/// pickle members (or, with `by_extension`, a protocol 0/1 pickle).
pub fn scan_file(
    path: &Path,
    rel: &str,
    by_extension: bool,
) -> Result<Option<Vec<PickleScan>>, String> {
    let mut head = [0u8; 8];
    let n = crate::util::fs::open_regular(path)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|e| format!("cannot read: {e}"))?;
    match sniff(&head[..n]) {
        Sniffed::Zip => scan_zip(path, rel).map(Some),
        Sniffed::Pickle => scan_raw(path, rel).map(Some),
        Sniffed::Other if by_extension && n > 0 && b"(]}cN".contains(&head[0]) => {
            scan_raw(path, rel).map(Some)
        }
        Sniffed::Other => Ok(None),
    }
}

fn scan_raw(path: &Path, rel: &str) -> Result<Vec<PickleScan>, String> {
    let file = crate::util::fs::open_regular(path).map_err(|e| format!("cannot open: {e}"))?;
    // SAFETY: read-only map of a file mri never writes; only the pickle
    // streams at its start are touched (the walker stops where raw tensor
    // data begins). A concurrent truncation could fault the read, the same
    // contract the safetensors and candle loaders accept.
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| format!("cannot map: {e}"))?;
    Ok(vec![PickleScan {
        file: rel.to_string(),
        member: None,
        format: "pickle",
        walk: walk(&map),
    }])
}

fn scan_zip(path: &Path, rel: &str) -> Result<Vec<PickleScan>, String> {
    let file = crate::util::fs::open_regular(path).map_err(|e| format!("cannot open: {e}"))?;
    let mut archive = zip::ZipArchive::new(file).map_err(|e| format!("not a readable zip: {e}"))?;
    let mut out = Vec::new();
    for i in 0..archive.len().min(MAX_MEMBERS) {
        let mut member = archive
            .by_index(i)
            .map_err(|e| format!("zip member {i}: {e}"))?;
        let name = member
            .name()
            .map_err(|e| format!("zip member {i} has an unreadable name: {e}"))?
            .to_string();
        if !name.ends_with(".pkl") {
            continue;
        }
        let mut buf = Vec::with_capacity(member.size().min(MAX_MEMBER_BYTES) as usize);
        (&mut member)
            .take(MAX_MEMBER_BYTES)
            .read_to_end(&mut buf)
            .map_err(|e| format!("zip member {name}: {e}"))?;
        out.push(PickleScan {
            file: rel.to_string(),
            member: Some(name),
            format: "torch-zip",
            walk: walk(&buf),
        });
    }
    Ok(out)
}

/// The sha256 of a file, hex.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut file = crate::util::fs::open_regular(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

/// Lowercase hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
