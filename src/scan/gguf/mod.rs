//! GGUF files (llama.cpp, LM Studio, Ollama): each file's header read over a
//! memory map and validated (`parse`), the ggml types (`types`), and split
//! sets grouped into models (`split`). Tensor data is never read.

pub mod parse;
pub mod split;
pub mod types;

use crate::finding::{Code, Finding};
use parse::{string_at, GgufHeader};
use std::collections::BTreeMap;
use std::path::Path;

/// The tokenizer keys whose ids name special tokens, with the role reported.
pub const SPECIAL_TOKEN_KEYS: &[(&str, &str)] = &[
    ("tokenizer.ggml.bos_token_id", "bos"),
    ("tokenizer.ggml.eos_token_id", "eos"),
    ("tokenizer.ggml.unknown_token_id", "unk"),
    ("tokenizer.ggml.padding_token_id", "pad"),
    ("tokenizer.ggml.seperator_token_id", "sep"),
    ("tokenizer.ggml.eot_token_id", "eot"),
    ("tokenizer.ggml.mask_token_id", "mask"),
];

/// One GGUF file and what was read from it.
#[derive(Debug, Clone, PartialEq)]
pub struct GgufScan {
    /// Path relative to the model root.
    pub path: String,
    /// File size.
    pub size: u64,
    /// The header, when its fixed part could be read.
    pub header: Option<GgufHeader>,
    /// Texts of the special tokens (id → token), looked up in
    /// `tokenizer.ggml.tokens` while the file was mapped.
    pub special_texts: BTreeMap<u64, String>,
    /// The Ollama layer's media type, for Ollama blobs.
    pub media_type: Option<String>,
    /// The texts of `general.datasets` (the GGUF specification's array of
    /// "links or references to datasets that the model was trained upon"),
    /// read while the file was mapped; at most [`MAX_DATASET_TEXTS`].
    pub dataset_texts: Vec<String>,
}

/// Most `general.datasets` entries read from one file.
pub const MAX_DATASET_TEXTS: u64 = 256;

/// Reads and validates the GGUF file at `path` (`len` bytes); findings name `rel`.
pub fn read_gguf_file(path: &Path, rel: &str, len: u64) -> (GgufScan, Vec<Finding>) {
    let mut scan = GgufScan {
        path: rel.to_string(),
        size: len,
        header: None,
        special_texts: BTreeMap::new(),
        media_type: None,
        dataset_texts: Vec::new(),
    };
    if len == 0 {
        let f = Finding::error(Code::GgufInvalid, "not a GGUF file: it is empty").in_file(rel);
        return (scan, vec![f]);
    }
    let map = match crate::util::fs::open_regular(path).and_then(|file| {
        // SAFETY: the file is opened read-only and mri never writes to it.
        // The map is only read through bounds-checked slices; the remaining
        // hazard, another process truncating the file while it is mapped
        // (SIGBUS), is the same one every mmap-based model loader accepts.
        unsafe { memmap2::Mmap::map(&file) }
    }) {
        Ok(m) => m,
        Err(e) => {
            let f = Finding::error(Code::FilesUnreadable, format!("cannot read: {e}")).in_file(rel);
            return (scan, vec![f]);
        }
    };
    let buf: &[u8] = &map;
    let (header, findings) = parse::parse(buf);
    if let Some(h) = &header {
        if let Some(tokens) = h.get_array("tokenizer.ggml.tokens") {
            for (key, _) in SPECIAL_TOKEN_KEYS {
                if let Some(id) = h.get_u64(key) {
                    if let Some(text) = string_at(buf, tokens, h.version >= 2, id) {
                        scan.special_texts.insert(id, text);
                    }
                }
            }
        }
    }
    if let Some(list) = header.as_ref().and_then(|h| {
        let wide = h.version >= 2;
        h.get_array("general.datasets").map(|a| (a, wide))
    }) {
        let (array, wide) = list;
        scan.dataset_texts = (0..array.len.min(MAX_DATASET_TEXTS))
            .filter_map(|i| string_at(buf, array, wide, i))
            .collect();
    }
    scan.header = header;
    let findings = findings.into_iter().map(|f| f.in_file(rel)).collect();
    (scan, findings)
}

/// Reads every GGUF file among `files` (class `gguf`, not an LFS pointer), in parallel.
pub fn scan_files(files: &[crate::scan::FileEntry]) -> (Vec<GgufScan>, Vec<Finding>) {
    let gguf: Vec<&crate::scan::FileEntry> = files
        .iter()
        .filter(|f| f.class == crate::scan::classify::FileClass::Gguf && f.lfs_pointer.is_none())
        .collect();
    let results = crate::util::parallel::par_map(&gguf, 16, |f| {
        read_gguf_file(&f.real_path, &f.path, f.size)
    });
    let mut scans = Vec::with_capacity(results.len());
    let mut findings = Vec::new();
    for (scan, problems) in results {
        scans.push(scan);
        findings.extend(problems);
    }
    (scans, findings)
}

/// The chat templates the GGUF files carry (`tokenizer.chat_template` and
/// its named variants): (file, text).
pub fn templates(scans: &[GgufScan]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for s in scans {
        let Some(h) = &s.header else { continue };
        for e in &h.metadata {
            if e.key == "tokenizer.chat_template" || e.key.starts_with("tokenizer.chat_template.") {
                if let Some(t) = e.value.as_str() {
                    out.push((s.path.clone(), t.to_string()));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_file_is_a_finding() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.gguf");
        std::fs::write(&p, b"").unwrap();
        let (scan, findings) = read_gguf_file(&p, "x.gguf", 0);
        assert!(scan.header.is_none());
        assert_eq!(findings[0].code, Code::GgufInvalid);
        assert_eq!(findings[0].file.as_deref(), Some("x.gguf"));
    }

    /// A FIFO where a GGUF file was (swapped in after the walk) is refused
    /// at once: the open does not wait for a writer.
    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.gguf");
        crate::util::fs::mkfifo(&p);
        let (scan, findings) = read_gguf_file(&p, "x.gguf", 64);
        assert!(scan.header.is_none());
        assert_eq!(findings[0].code, Code::FilesUnreadable, "{findings:?}");
        assert!(
            findings[0].message.contains("FIFO")
                || findings[0].message.contains("not a regular file"),
            "{findings:?}"
        );
    }
}
