//! Reading what the security checks look at: pickle streams (raw files and
//! the pickle members of PyTorch zip checkpoints, sniffed by their bytes,
//! never by extension alone) and the hashes of Python files.

use super::pickle::{walk_reader, Limits, Walk};
use sha2::{Digest, Sha256};
use std::io::Read;
use std::path::Path;

/// Members a zip may have before the rest are skipped (a skipped pickle
/// member is reported unscanned).
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
/// pickle members (or, with `by_extension`, a protocol 0/1 pickle). Each
/// stream is read through the walker's bounded window, with the byte limit
/// of [`Limits::from_env`].
pub fn scan_file(
    path: &Path,
    rel: &str,
    by_extension: bool,
) -> Result<Option<Vec<PickleScan>>, String> {
    scan_file_with(path, rel, by_extension, Limits::from_env())
}

/// [`scan_file`] with explicit limits.
pub fn scan_file_with(
    path: &Path,
    rel: &str,
    by_extension: bool,
    limits: Limits,
) -> Result<Option<Vec<PickleScan>>, String> {
    let mut head = [0u8; 8];
    let n = crate::util::fs::open_regular(path)
        .and_then(|mut f| f.read(&mut head))
        .map_err(|e| format!("cannot read: {e}"))?;
    match sniff(&head[..n]) {
        Sniffed::Zip => scan_zip(path, rel, by_extension, limits).map(Some),
        Sniffed::Pickle => scan_raw(path, rel, limits).map(Some),
        Sniffed::Other if by_extension && n > 0 && b"(]}cN".contains(&head[0]) => {
            scan_raw(path, rel, limits).map(Some)
        }
        Sniffed::Other => Ok(None),
    }
}

fn scan_raw(path: &Path, rel: &str, limits: Limits) -> Result<Vec<PickleScan>, String> {
    let file = crate::util::fs::open_regular(path).map_err(|e| format!("cannot open: {e}"))?;
    let size = file.metadata().map(|m| m.len()).ok();
    Ok(vec![PickleScan {
        file: rel.to_string(),
        member: None,
        format: "pickle",
        walk: walk_reader(file, size, limits),
    }])
}

/// A pickle member that could not be walked at all.
fn unscanned(rel: &str, member: String, why: String) -> PickleScan {
    PickleScan {
        file: rel.to_string(),
        member: Some(member),
        format: "torch-zip",
        walk: Walk {
            unscanned: Some(why),
            ..Walk::default()
        },
    }
}

fn member_name<R: Read + std::io::Seek>(archive: &zip::ZipArchive<R>, i: usize) -> String {
    match archive.name_for_index(i) {
        Some(Ok(name)) => name.into_owned(),
        _ => format!("#{i}"),
    }
}

fn scan_zip(
    path: &Path,
    rel: &str,
    by_extension: bool,
    limits: Limits,
) -> Result<Vec<PickleScan>, String> {
    let file = crate::util::fs::open_regular(path).map_err(|e| format!("cannot open: {e}"))?;
    let mut archive = match zip::ZipArchive::new(file) {
        Ok(a) => a,
        // A checkpoint by its name that starts like a zip but does not read
        // as one: what it holds is unknown, which must not pass.
        Err(e) if by_extension => {
            return Ok(vec![unscanned(
                rel,
                "(archive)".into(),
                format!("not a readable zip: {e}"),
            )])
        }
        Err(e) => return Err(format!("not a readable zip: {e}")),
    };
    let mut out = Vec::new();
    for i in 0..archive.len() {
        if i >= MAX_MEMBERS {
            let name = member_name(&archive, i);
            if name.ends_with(".pkl") {
                let why = format!(
                    "the archive has more than {MAX_MEMBERS} members; this one was not read"
                );
                out.push(unscanned(rel, name, why));
            }
            continue;
        }
        let listed = member_name(&archive, i);
        let member = match archive.by_index(i) {
            Ok(m) => m,
            Err(e) => {
                if listed.ends_with(".pkl") {
                    let why = format!("cannot open the member: {e}");
                    out.push(unscanned(rel, listed, why));
                }
                continue;
            }
        };
        let Ok(name) = member.name().map(|n| n.into_owned()) else {
            continue;
        };
        if !name.ends_with(".pkl") {
            continue;
        }
        let size = member.size();
        out.push(PickleScan {
            file: rel.to_string(),
            member: Some(name),
            format: "torch-zip",
            walk: walk_reader(member, Some(size), limits),
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
