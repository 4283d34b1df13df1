//! JSON files read once, kept with their text so findings can cite lines.

use crate::report::finding::{Code, Finding};
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

/// Reads a text file of at most `cap` bytes; a finding names the file otherwise.
pub fn read_text(path: &Path, rel: &str, cap: u64) -> Result<String, Finding> {
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
    let bytes = crate::util::fs::read_regular(path).map_err(|e| {
        Finding::error(Code::FilesUnreadable, format!("cannot read: {e}")).in_file(rel)
    })?;
    String::from_utf8(bytes).map_err(|e| {
        Finding::error(
            Code::ConfigInvalid,
            format!("not valid UTF-8 (at byte {})", e.utf8_error().valid_up_to()),
        )
        .in_file(rel)
    })
}

/// Parses `text` as JSON; a syntax error is `config/invalid` at its line and column.
pub fn parse_doc(rel: &str, text: String) -> Result<JsonDoc, Finding> {
    match serde_json::from_str::<Value>(&text) {
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
