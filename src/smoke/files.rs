//! The small files a run reads (config.json, tokenizer.json and the other
//! JSON beside them), each with a size limit and an error that names the
//! file and says what is wrong with it.

use super::SmokeError;
use crate::util::json::{MAX_CONFIG_BYTES, MAX_TOKENIZER_BYTES};
use serde_json::{Map, Value};
use std::io::Read;
use std::path::Path;

/// The environment variable that lowers the tokenizer.json limit (bytes);
/// it never raises it above [`MAX_TOKENIZER_BYTES`], the limit `mri inspect`
/// applies.
pub const TOKENIZER_LIMIT_ENV: &str = "MRI_SMOKE_MAX_TOKENIZER_BYTES";

/// The largest tokenizer.json a run reads: [`MAX_TOKENIZER_BYTES`], or
/// less when [`TOKENIZER_LIMIT_ENV`] says so.
pub fn tokenizer_limit() -> u64 {
    std::env::var(TOKENIZER_LIMIT_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map_or(MAX_TOKENIZER_BYTES, |n| n.min(MAX_TOKENIZER_BYTES))
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> SmokeError + '_ {
    move |source| SmokeError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Reads a regular file of at most `limit` bytes. The size is checked
/// before a byte is read, and the read stops past the limit should the file
/// grow meanwhile, so memory stays bounded whatever the file holds.
pub(crate) fn read_capped(path: &Path, limit: u64) -> Result<Vec<u8>, SmokeError> {
    let too_large = |size: u64| SmokeError::TooLarge {
        path: path.to_path_buf(),
        size,
        limit,
    };
    let file = crate::util::fs::open_regular(path).map_err(io_error(path))?;
    let size = file.metadata().map_err(io_error(path))?.len();
    if size > limit {
        return Err(too_large(size));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io_error(path))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Parses a JSON file of at most [`MAX_CONFIG_BYTES`] (Python's `NaN` and
/// `Infinity` read as null, as `mri inspect` reads them). An empty file, or
/// one that does not parse, is [`SmokeError::BadJson`] naming the file and
/// the line and column.
pub(crate) fn read_json(path: &Path) -> Result<Value, SmokeError> {
    let bytes = read_capped(path, MAX_CONFIG_BYTES)?;
    let bad = |why: String| SmokeError::BadJson {
        path: path.to_path_buf(),
        why,
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        bad(format!(
            "is not UTF-8 text (at byte {})",
            e.utf8_error().valid_up_to()
        ))
    })?;
    if text.trim().is_empty() {
        return Err(bad(if text.is_empty() {
            "is empty (0 bytes)".to_string()
        } else {
            format!("holds only whitespace ({} bytes)", text.len())
        }));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    crate::util::json::parse_doc(&name, text)
        .map(|doc| doc.value)
        .map_err(|finding| bad(finding.message))
}

/// config.json as an object (see [`read_json`]).
pub(crate) fn read_config(path: &Path) -> Result<Map<String, Value>, SmokeError> {
    match read_json(path)? {
        Value::Object(m) => Ok(m),
        other => Err(SmokeError::BadJson {
            path: path.to_path_buf(),
            why: format!("is not a JSON object (it holds {})", kind(&other)),
        }),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// tokenizer.json's bytes, at most [`tokenizer_limit`] of them.
pub(crate) fn read_tokenizer(path: &Path) -> Result<Vec<u8>, SmokeError> {
    read_capped(path, tokenizer_limit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_whitespace_and_broken_json_name_the_file_and_the_place() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("config.json");
        for (text, needle) in [
            ("", "is empty (0 bytes)"),
            (" \n\t", "holds only whitespace (3 bytes)"),
            ("{\n  \"a\": 1,\n  oops", "line 3, column 3"),
            ("[1, 2]", "is not a JSON object (it holds an array)"),
        ] {
            std::fs::write(&path, text).expect("write");
            let e = read_config(&path).expect_err(text).to_string();
            assert!(e.contains("config.json"), "{e}");
            assert!(e.contains(needle), "{text:?}: {e}");
        }
        std::fs::write(&path, "{\"x\": NaN}").expect("write");
        assert_eq!(read_config(&path).expect("lenient")["x"], Value::Null);
    }

    #[test]
    fn a_file_over_the_limit_is_refused_before_it_is_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("tokenizer.json");
        let file = std::fs::File::create(&path).expect("create");
        // Sparse: no disk, and no memory unless it were read.
        file.set_len(1 << 40).expect("set_len");
        match read_capped(&path, 1 << 20) {
            Err(SmokeError::TooLarge { size, limit, .. }) => {
                assert_eq!((size, limit), (1 << 40, 1 << 20));
            }
            other => panic!("not refused: {:?}", other.map(|b| b.len())),
        }
        file.set_len(10).expect("set_len");
        assert_eq!(read_capped(&path, 10).expect("at the limit").len(), 10);
    }
}
