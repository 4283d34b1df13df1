//! One side of a diff: the model inspected, its lock entry, and what is
//! compared of it (flattened values, the chat template, the tensors).

use super::{DiffError, SideSummary, TensorSide};
use crate::lock::{HashOptions, LockedModel};
use crate::report::Report;
use serde_json::Value;
use std::collections::BTreeMap;

/// A model ready to compare.
pub(super) struct Side {
    pub summary: SideSummary,
    pub entry: LockedModel,
    pub config: BTreeMap<String, Value>,
    pub tokenizer: BTreeMap<String, Value>,
    pub template: Option<String>,
    pub tensors: BTreeMap<String, TensorSide>,
    pub parameters: u64,
}

/// `ORG/NAME@REV` → (`ORG/NAME`, `REV`); a path that exists, an `hf://`
/// target (which reads its own `@REV`) and anything without `@` are
/// left whole.
pub fn split_revision(input: &str) -> (&str, Option<&str>) {
    if input.contains("://") || std::path::Path::new(input).exists() {
        return (input, None);
    }
    match input.rsplit_once('@') {
        Some((name, rev)) if !name.is_empty() && !rev.is_empty() => (name, Some(rev)),
        _ => (input, None),
    }
}

/// Inspects `input` and builds what is compared of it.
pub(super) fn load(input: &str, hashing: &HashOptions) -> Result<Side, DiffError> {
    let (name, revision) = split_revision(input);
    let options = crate::InspectOptions {
        revision: revision.map(str::to_string),
        ..Default::default()
    };
    let report = crate::inspect(name, &options).map_err(|cause| DiffError::Target {
        input: input.into(),
        cause: Box::new(cause),
    })?;
    let (entry, unreadable) = crate::lock::build(input, &report, None, hashing);
    if let Some((path, cause)) = unreadable.into_iter().next() {
        return Err(DiffError::Unreadable {
            input: input.into(),
            path,
            cause,
        });
    }
    let mut config = BTreeMap::new();
    for t in entry.texts.iter().filter(|t| t.part == "file") {
        if t.path == "config.json" || t.path == "generation_config.json" {
            if let Ok(v) = serde_json::from_str::<Value>(&t.text) {
                let prefix = if t.path == "config.json" {
                    String::new()
                } else {
                    format!("{}: ", t.path)
                };
                flatten(&prefix, &v, &mut config);
            }
        }
    }
    if let Some(g) = &report.gguf {
        for m in &g.metadata {
            config.insert(format!("gguf: {}", m.key), gguf_value(m));
        }
    }
    let mut tokenizer = BTreeMap::new();
    if let Some(t) = &report.tokenizer {
        if let Ok(v) = serde_json::to_value(t) {
            flatten("", &v, &mut tokenizer);
        }
    }
    let tensors = report
        .weights
        .counted_tensors()
        .map(|t| {
            (
                t.info.name.clone(),
                TensorSide {
                    dtype: t.info.dtype.clone(),
                    shape: t.info.shape.clone(),
                },
            )
        })
        .collect();
    let summary = SideSummary {
        input: input.into(),
        root: report.target.root.display().to_string(),
        repo: report.target.repo_id.clone(),
        commit: report.target.commit.clone(),
        verdict: entry.verdict.clone(),
        parameters: report.weights.parameters,
        files: report.files.len(),
        tensors: report.weights.tensor_count,
    };
    Ok(Side {
        summary,
        template: template(&report),
        parameters: report.weights.parameters,
        entry,
        config,
        tokenizer,
        tensors,
    })
}

/// A GGUF metadata entry's value, with an array's length where its
/// elements are not kept.
fn gguf_value(m: &crate::analyze::gguf::MetaSummary) -> Value {
    match (&m.value, m.len) {
        (Value::Null, Some(len)) => Value::String(format!("{} of {len}", m.value_type)),
        (v, _) => v.clone(),
    }
}

/// `value` flattened into `out`: objects by dotted keys under `prefix`,
/// anything else (arrays included) as one value.
fn flatten(prefix: &str, value: &Value, out: &mut BTreeMap<String, Value>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                let key = if prefix.is_empty() || prefix.ends_with(": ") {
                    format!("{prefix}{k}")
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        v => {
            out.insert(prefix.to_string(), v.clone());
        }
    }
}

/// The card's front matter, flattened (as text under `front-matter` when
/// it does not read as YAML).
pub(super) fn front_matter(entry: &LockedModel) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    let Some(t) = entry.texts.iter().find(|t| t.part == "front-matter") else {
        return out;
    };
    match serde_norway::from_str::<Value>(&t.text) {
        Ok(v) => flatten("", &v, &mut out),
        Err(_) => {
            out.insert("front-matter".into(), Value::String(t.text.clone()));
        }
    }
    out
}

/// The chat template: `chat_template.jinja` (or `.json`), else
/// tokenizer_config.json's `chat_template` (named templates joined), else a
/// GGUF file's `tokenizer.chat_template`.
fn template(report: &Report) -> Option<String> {
    let read = |path: &str| {
        report
            .files
            .iter()
            .find(|f| f.path == path && !f.remote_only && f.lfs_pointer.is_none())
            .and_then(|f| crate::util::fs::read_regular(&f.real_path).ok())
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    };
    if let Some(t) = read("chat_template.jinja") {
        return Some(t);
    }
    let from_json = |text: String| {
        let v: Value = serde_json::from_str(&text).ok()?;
        match v.get("chat_template")? {
            Value::String(s) => Some(s.clone()),
            Value::Array(named) => Some(
                named
                    .iter()
                    .map(|n| {
                        format!(
                            "{{# {} #}}\n{}\n",
                            n.get("name").and_then(Value::as_str).unwrap_or("?"),
                            n.get("template").and_then(Value::as_str).unwrap_or("")
                        )
                    })
                    .collect(),
            ),
            _ => None,
        }
    };
    if let Some(t) = read("chat_template.json").and_then(from_json) {
        return Some(t);
    }
    if let Some(t) = read("tokenizer_config.json").and_then(from_json) {
        return Some(t);
    }
    let (scans, _) = crate::scan::gguf::scan_files(&report.files);
    let templates = crate::scan::gguf::templates(&scans);
    (!templates.is_empty()).then(|| {
        templates
            .into_iter()
            .map(|(_, t)| t)
            .collect::<Vec<_>>()
            .join("\n")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_revision_is_split_from_a_repo_id_only() {
        assert_eq!(
            split_revision("Qwen/Qwen3-4B@abc1234"),
            ("Qwen/Qwen3-4B", Some("abc1234"))
        );
        assert_eq!(
            split_revision("hf://Qwen/Qwen3-4B@main"),
            ("hf://Qwen/Qwen3-4B@main", None)
        );
        assert_eq!(split_revision("Qwen/Qwen3-4B"), ("Qwen/Qwen3-4B", None));
        assert_eq!(split_revision("x@"), ("x@", None));
    }

    #[test]
    fn nested_objects_flatten_to_dotted_keys() {
        let mut out = BTreeMap::new();
        let v: Value = serde_json::json!({"a": {"b": 1, "c": [1, 2]}, "d": "x"});
        flatten("gen: ", &v, &mut out);
        let keys: Vec<&String> = out.keys().collect();
        assert_eq!(keys, ["gen: a.b", "gen: a.c", "gen: d"]);
    }
}
