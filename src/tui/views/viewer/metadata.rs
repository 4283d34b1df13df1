//! The metadata of a GGUF file as text for the viewer: one key a line,
//! `key  type  value`, in file order. A GGUF license is declared by a key
//! (`general.license`), not on a line of a text file, so a citation of one
//! opens this view at its key.

use super::Viewer;
use crate::report::Report;
use crate::util::human::grouped;
use serde_json::Value;

/// The metadata key a GGUF citation's quote names: the license decision
/// quotes a GGUF declaration as `general.license.name: …`; anything else
/// points at `general.license`.
pub fn key_of_quote(quote: &str) -> &str {
    match quote.split(':').next().map(str::trim) {
        Some(key) if key.starts_with("general.") => key,
        _ => "general.license",
    }
}

/// Whether `path` is a GGUF file of the report (its citations name keys).
pub fn is_gguf(r: &Report, path: &str) -> bool {
    r.gguf
        .as_ref()
        .is_some_and(|g| g.files.iter().any(|f| f.path == path))
}

/// One value as shown: strings quoted as JSON writes them (escapes
/// visible), long arrays by their length.
fn value_text(value: &Value, value_type: &str, len: Option<u64>) -> String {
    match (value, len) {
        (Value::Null, Some(n)) => format!("[{} elements]", grouped(n)),
        (Value::Number(n), _) => match n.as_u64() {
            Some(u) if u >= 10_000 => grouped(u),
            _ => n.to_string(),
        },
        (v, Some(n)) if value_type == "string" && v.as_str().map(str::len) != Some(n as usize) => {
            format!("{v} … ({} bytes)", grouped(n))
        }
        (v, _) => v.to_string(),
    }
}

/// The viewer over the metadata of the report's GGUF header (the counted
/// model's first file), the line of `key` (or the first key under it)
/// selected and marked; `None` when the report has no GGUF metadata.
pub fn viewer(r: &Report, path: &str, key: Option<&str>) -> Option<Viewer> {
    let g = r.gguf.as_ref()?;
    if g.metadata.is_empty() {
        return None;
    }
    let key_w = g
        .metadata
        .iter()
        .map(|m| m.key.chars().count())
        .max()
        .unwrap_or(0)
        .min(48);
    let type_w = g
        .metadata
        .iter()
        .map(|m| m.value_type.chars().count())
        .max()
        .unwrap_or(0)
        .min(16);
    let mut text = String::new();
    for m in &g.metadata {
        text.push_str(&format!(
            "{:<key_w$}  {:<type_w$}  {}\n",
            m.key,
            m.value_type,
            value_text(&m.value, &m.value_type, m.len)
        ));
    }
    let line = key.and_then(|k| {
        g.metadata
            .iter()
            .position(|m| m.key == k)
            .or_else(|| g.metadata.iter().position(|m| m.key.starts_with(k)))
    });
    let size = text.len() as u64;
    let mut v = Viewer::from_text(&format!("{path} metadata"), text, size, false, None)
        .with_label(&format!("{path} · metadata"));
    if let Some(i) = line {
        let l = i as u32 + 1;
        v.highlight_lines(l, l);
    }
    v.path = path.to_string();
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_name_their_keys() {
        assert_eq!(key_of_quote("general.license: llama3.1"), "general.license");
        assert_eq!(
            key_of_quote("general.license.name: my-license"),
            "general.license.name"
        );
        assert_eq!(
            key_of_quote("general.base_model: a/b"),
            "general.base_model"
        );
        assert_eq!(key_of_quote("clarified by the policy"), "general.license");
    }

    #[test]
    fn values_are_shown_with_separators_and_lengths() {
        assert_eq!(value_text(&Value::from(151_936u64), "u32", None), "151,936");
        assert_eq!(value_text(&Value::from(32u64), "u32", None), "32");
        assert_eq!(
            value_text(&Value::Null, "array<string>", Some(49_152)),
            "[49,152 elements]"
        );
        assert_eq!(
            value_text(&Value::from("mit"), "string", Some(3)),
            "\"mit\""
        );
    }
}
