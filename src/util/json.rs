//! JSON files read once, kept with their text so findings can cite lines.

use crate::finding::{Code, Finding};
use serde_json::Value;
use std::path::Path;

/// Largest configuration-style JSON file read (tokenizer.json may be larger,
/// see [`MAX_TOKENIZER_BYTES`]).
pub const MAX_CONFIG_BYTES: u64 = 64 * 1024 * 1024;
/// Largest tokenizer.json read.
pub const MAX_TOKENIZER_BYTES: u64 = 512 * 1024 * 1024;

/// A parsed JSON file with its text.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonDoc {
    /// Path relative to the model root.
    pub path: String,
    /// The file's text.
    pub text: String,
    /// The parsed value.
    pub value: Value,
}

impl JsonDoc {
    /// The 1-based line of the first `"key":` in the text.
    pub fn key_line(&self, key: &str) -> Option<u32> {
        key_line(&self.text, key)
    }

    /// A top-level field.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.value.get(key)
    }
}

/// Reads a file of at most `cap` bytes; a finding names the file otherwise
/// (too large: a warning, and the file is skipped; unreadable: an error).
pub fn read_bytes(path: &Path, rel: &str, cap: u64) -> Result<Vec<u8>, Finding> {
    let size = std::fs::metadata(path)
        .map_err(|e| {
            Finding::error(Code::FilesUnreadable, format!("cannot read: {e}")).in_file(rel)
        })?
        .len();
    if size > cap {
        return Err(Finding::warning(
            Code::FilesUnreadable,
            format!(
                "file is {size} bytes, over the {cap}-byte limit for this kind of file; skipped"
            ),
        )
        .in_file(rel));
    }
    crate::util::fs::read_regular(path).map_err(|e| {
        Finding::error(Code::FilesUnreadable, format!("cannot read: {e}")).in_file(rel)
    })
}

/// Reads a text file of at most `cap` bytes; a finding names the file otherwise.
pub fn read_text(path: &Path, rel: &str, cap: u64) -> Result<String, Finding> {
    String::from_utf8(read_bytes(path, rel, cap)?).map_err(|e| {
        Finding::error(
            Code::ConfigInvalid,
            format!("not valid UTF-8 (at byte {})", e.utf8_error().valid_up_to()),
        )
        .in_file(rel)
    })
}

/// Parses `text` as JSON; a syntax error is `config/invalid` at its line and
/// column. The literals `NaN`, `Infinity` and `-Infinity`, which JSON lacks
/// but Python's `json` writes and reads (transformers saves Mamba2's
/// `time_step_limit` as `[0.0, Infinity]`), are read as null.
pub fn parse_doc(rel: &str, text: String) -> Result<JsonDoc, Finding> {
    let parsed =
        serde_json::from_str::<Value>(&text).or_else(|e| match python_literals_as_null(&text) {
            Some(lenient) => serde_json::from_str::<Value>(&lenient).map_err(|_| e),
            None => Err(e),
        });
    match parsed {
        Ok(value) => Ok(JsonDoc {
            path: rel.to_string(),
            text,
            value,
        }),
        Err(e) => Err(Finding::error(
            Code::ConfigInvalid,
            format!(
                "does not parse as JSON: {} (line {}, column {})",
                strip_position(&e.to_string()),
                e.line(),
                e.column()
            ),
        )
        .in_file(rel)
        .at_line(e.line().max(1) as u32)),
    }
}

/// `text` with each `NaN`, `Infinity` and `-Infinity` outside strings
/// replaced by `null`; `None` when there is none.
fn python_literals_as_null(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped, mut replaced) = (false, false, false);
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        if b == b'"' {
            in_string = true;
            i += 1;
            continue;
        }
        let literal = ["-Infinity", "Infinity", "NaN"]
            .into_iter()
            .find(|l| bytes[i..].starts_with(l.as_bytes()));
        let boundary_before = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        match literal {
            Some(l)
                if boundary_before
                    && bytes
                        .get(i + l.len())
                        .is_none_or(|n| !n.is_ascii_alphanumeric()) =>
            {
                out.push_str(&text[copied..i]);
                out.push_str("null");
                i += l.len();
                copied = i;
                replaced = true;
            }
            _ => i += 1,
        }
    }
    out.push_str(&text[copied..]);
    replaced.then_some(out)
}

/// Reads and parses a JSON file.
pub fn read_doc(path: &Path, rel: &str, cap: u64) -> Result<JsonDoc, Finding> {
    parse_doc(rel, read_text(path, rel, cap)?)
}

fn strip_position(msg: &str) -> &str {
    msg.split(" at line ").next().unwrap_or(msg)
}

/// The 1-based line of the first `"key"` followed by `:` in `text`.
pub fn key_line(text: &str, key: &str) -> Option<u32> {
    let needle = format!("\"{key}\"");
    for (i, line) in text.lines().enumerate() {
        if let Some(pos) = line.find(&needle) {
            if line[pos + needle.len()..].trim_start().starts_with(':') {
                return Some(i as u32 + 1);
            }
        }
    }
    None
}

/// A JSON value as a u64, accepting integral floats (`4096.0`).
pub fn as_u64(v: &Value) -> Option<u64> {
    v.as_u64().or_else(|| {
        v.as_f64()
            .filter(|f| *f >= 0.0 && f.fract() == 0.0 && *f < 1.8e19)
            .map(|f| f as u64)
    })
}

/// A token id or list of ids (`eos_token_id` may be either).
pub fn id_list(v: Option<&Value>) -> Vec<u64> {
    match v {
        Some(Value::Array(items)) => items.iter().filter_map(as_u64).collect(),
        Some(other) => as_u64(other).into_iter().collect(),
        None => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_error_names_line_and_column() {
        let err = parse_doc("config.json", "{\n  \"a\": 1,\n  \"b\": }\n".into()).unwrap_err();
        assert_eq!(err.code, Code::ConfigInvalid);
        assert_eq!(err.line, Some(3));
        assert!(err.message.contains("line 3, column"), "{}", err.message);
    }

    #[test]
    fn python_nan_and_infinity_read_as_null_outside_strings_only() {
        let text = "{\"time_step_limit\": [0.0, Infinity], \"x\": -Infinity, \"y\": NaN,\n \"s\": \"NaN Infinity\", \"NaNa\": 1}";
        let doc = parse_doc("config.json", text.to_string()).unwrap();
        assert_eq!(doc.value["time_step_limit"], serde_json::json!([0.0, null]));
        assert!(doc.value["x"].is_null() && doc.value["y"].is_null());
        assert_eq!(doc.value["s"], "NaN Infinity");
        assert_eq!(doc.value["NaNa"], 1);
        assert_eq!(
            doc.text, text,
            "the text is kept as written, for line numbers"
        );
        // A word that merely starts like a literal is still an error.
        assert!(parse_doc("config.json", "{\"a\": Infinityx}".into()).is_err());
        assert!(python_literals_as_null("{\"a\": 1}").is_none());
    }

    #[test]
    fn key_lines_are_found() {
        let text = "{\n  \"x\": 1,\n  \"tie_word_embeddings\" : false\n}";
        assert_eq!(key_line(text, "tie_word_embeddings"), Some(3));
        assert_eq!(key_line(text, "missing"), None);
    }

    #[test]
    fn id_lists_take_both_forms() {
        assert_eq!(id_list(Some(&serde_json::json!(2))), vec![2]);
        assert_eq!(id_list(Some(&serde_json::json!([1, 2.0]))), vec![1, 2]);
        assert!(id_list(Some(&serde_json::json!(null))).is_empty());
    }
}
