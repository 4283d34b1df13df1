//! The in-toto statement of a model signature (predicate
//! `https://model_signing/signature/v1.0`): the model's name and a digest
//! over every file's digest as the one subject; the serialization used and
//! each file (`resources`: name, algorithm, digest) in the predicate.

use super::{SignatureError, PREDICATE_TYPE, PREDICATE_TYPE_V0, STATEMENT_TYPE};
use serde_json::{json, Map, Value};

/// How the files were serialized when signed.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Serialization {
    /// `files` (one resource per file) or `shards` (per byte range).
    pub method: String,
    /// `sha256`, `blake2` or `blake3`.
    pub hash_type: String,
    /// Whether symbolic links were followed.
    pub allow_symlinks: bool,
    /// Paths left out, relative to the model folder (each with everything
    /// below it).
    pub ignore_paths: Vec<String>,
    /// The shard size, for `shards`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shard_size: Option<u64>,
}

/// One file (or shard) the statement lists.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Resource {
    /// Its name: a path relative to the model folder (`path:start:end` for
    /// shards), as written.
    pub name: String,
    /// `sha256`, ...
    pub algorithm: String,
    /// The digest, lowercase hex.
    pub digest: String,
}

/// A statement read.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Statement {
    /// The subject's name (the signed folder's name; informative only).
    pub model_name: String,
    /// The subject's sha256: over the resources' digests, in their order.
    pub root_digest: String,
    /// How the files were serialized.
    pub serialization: Serialization,
    /// Every file, in the statement's order.
    pub resources: Vec<Resource>,
}

fn field<'a>(object: &'a Value, key: &str, at: &str) -> Result<&'a Value, SignatureError> {
    object
        .get(key)
        .ok_or_else(|| SignatureError::Invalid(format!("the statement has no `{at}{key}`")))
}

fn text<'a>(object: &'a Value, key: &str, at: &str) -> Result<&'a str, SignatureError> {
    field(object, key, at)?
        .as_str()
        .ok_or_else(|| SignatureError::Invalid(format!("`{at}{key}` is not a string")))
}

/// Hex to bytes, when the text is even-length hex.
fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

/// sha256 over the resources' digests (raw bytes), in their order: the
/// subject's digest. `None` when a digest is not hex.
pub fn root_digest(resources: &[Resource]) -> Option<String> {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    for r in resources {
        h.update(unhex(&r.digest)?);
    }
    Some(super::hex(&h.finalize()))
}

impl Statement {
    /// Reads the statement from the DSSE payload: the statement type, the
    /// predicate type (v1.0), one subject, the serialization and the
    /// resources; the subject's digest must be the digest over the
    /// resources' digests.
    pub fn parse(payload: &[u8]) -> Result<Statement, SignatureError> {
        let doc: Value = serde_json::from_slice(payload)
            .map_err(|e| SignatureError::Invalid(format!("the DSSE payload is not JSON: {e}")))?;
        let kind = text(&doc, "_type", "")?;
        if kind != STATEMENT_TYPE {
            return Err(SignatureError::Invalid(format!(
                "statement type is `{kind}`, not `{STATEMENT_TYPE}`"
            )));
        }
        let predicate_type = text(&doc, "predicateType", "")?;
        if predicate_type != PREDICATE_TYPE {
            let old = if predicate_type == PREDICATE_TYPE_V0 {
                " (the experimental model-signing v0.2 format; re-sign with v1)"
            } else {
                ""
            };
            return Err(SignatureError::Invalid(format!(
                "predicate type is `{predicate_type}`, not `{PREDICATE_TYPE}`{old}"
            )));
        }
        let subjects = field(&doc, "subject", "")?
            .as_array()
            .ok_or_else(|| SignatureError::Invalid("`subject` is not a list".into()))?;
        let [subject] = subjects.as_slice() else {
            return Err(SignatureError::Invalid(format!(
                "the statement has {} subjects; a model signature has one",
                subjects.len()
            )));
        };
        let model_name = text(subject, "name", "subject.")?.to_string();
        let root = text(
            field(subject, "digest", "subject.")?,
            "sha256",
            "subject.digest.",
        )?
        .to_ascii_lowercase();
        let predicate = field(&doc, "predicate", "")?;
        let serialization = parse_serialization(field(predicate, "serialization", "predicate.")?)?;
        let resources = parse_resources(field(predicate, "resources", "predicate.")?)?;
        let computed = root_digest(&resources).unwrap_or_default();
        if computed != root {
            return Err(SignatureError::Invalid(format!(
                "the statement is inconsistent: its subject digest is {root}, but its resources hash to {computed}"
            )));
        }
        Ok(Statement {
            model_name,
            root_digest: root,
            serialization,
            resources,
        })
    }

    /// A statement for `resources` (sorted as given) signed with the `files`
    /// serialization, as JSON bytes (two-space indented, as `model-signing`
    /// writes it).
    pub fn to_payload(&self) -> Vec<u8> {
        let mut serialization = Map::new();
        serialization.insert("method".into(), json!(self.serialization.method));
        serialization.insert("hash_type".into(), json!(self.serialization.hash_type));
        serialization.insert(
            "allow_symlinks".into(),
            json!(self.serialization.allow_symlinks),
        );
        if let Some(size) = self.serialization.shard_size {
            serialization.insert("shard_size".into(), json!(size));
        }
        if !self.serialization.ignore_paths.is_empty() {
            serialization.insert(
                "ignore_paths".into(),
                json!(self.serialization.ignore_paths),
            );
        }
        let resources: Vec<Value> = self
            .resources
            .iter()
            .map(|r| json!({"algorithm": r.algorithm, "digest": r.digest, "name": r.name}))
            .collect();
        let doc = json!({
            "_type": STATEMENT_TYPE,
            "subject": [{"name": self.model_name, "digest": {"sha256": self.root_digest}}],
            "predicateType": PREDICATE_TYPE,
            "predicate": {"serialization": Value::Object(serialization), "resources": resources},
        });
        serde_json::to_vec_pretty(&doc).unwrap_or_default()
    }
}

fn parse_serialization(value: &Value) -> Result<Serialization, SignatureError> {
    let at = "predicate.serialization.";
    let method = text(value, "method", at)?.to_string();
    let hash_type = text(value, "hash_type", at)?.to_string();
    let allow_symlinks = match value.get("allow_symlinks") {
        None => false,
        Some(Value::Bool(b)) => *b,
        // v1.0 wrote it as a string in some versions ("false").
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        Some(_) => {
            return Err(SignatureError::Invalid(format!(
                "`{at}allow_symlinks` is not a boolean"
            )))
        }
    };
    let ignore_paths = match value.get("ignore_paths") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str().map(str::to_string).ok_or_else(|| {
                    SignatureError::Invalid(format!("`{at}ignore_paths` holds a non-string"))
                })
            })
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(SignatureError::Invalid(format!(
                "`{at}ignore_paths` is not a list"
            )))
        }
    };
    let shard_size = value.get("shard_size").and_then(Value::as_u64);
    Ok(Serialization {
        method,
        hash_type,
        allow_symlinks,
        ignore_paths,
        shard_size,
    })
}

fn parse_resources(value: &Value) -> Result<Vec<Resource>, SignatureError> {
    let items = value
        .as_array()
        .ok_or_else(|| SignatureError::Invalid("`predicate.resources` is not a list".into()))?;
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let at = format!("predicate.resources[{i}].");
            let name = text(item, "name", &at)?.to_string();
            let algorithm = text(item, "algorithm", &at)?.to_string();
            let digest = text(item, "digest", &at)?.to_ascii_lowercase();
            if unhex(&digest).is_none_or(|d| d.is_empty()) {
                return Err(SignatureError::Invalid(format!(
                    "`{at}digest` of `{name}` is not hex"
                )));
            }
            Ok(Resource {
                name,
                algorithm,
                digest,
            })
        })
        .collect()
}

/// A resource name as a clean relative path (`a/b`): `.` and empty
/// components dropped, as Python's `PurePosixPath` does. An absolute path,
/// a `..` component, a NUL or nothing at all is refused: it would name
/// something outside the model folder.
pub fn clean_name(name: &str) -> Result<String, &'static str> {
    if name.contains('\0') {
        return Err("contains a NUL character");
    }
    if name.starts_with('/') {
        return Err("is an absolute path");
    }
    let mut parts = Vec::new();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err("has a `..` component"),
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        return Err("names the model folder itself");
    }
    Ok(parts.join("/"))
}

/// Orders paths component by component, as Python's `PurePosixPath`
/// compares them (`a/b` before `a.txt`), the order `model-signing` lists
/// resources in.
pub fn path_order(a: &str, b: &str) -> std::cmp::Ordering {
    a.split('/').cmp(b.split('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statement() -> Statement {
        let resources = vec![
            Resource {
                name: "a/b".into(),
                algorithm: "sha256".into(),
                digest: "00".repeat(32),
            },
            Resource {
                name: "a.txt".into(),
                algorithm: "sha256".into(),
                digest: "11".repeat(32),
            },
        ];
        Statement {
            model_name: "m".into(),
            root_digest: root_digest(&resources).expect("hex"),
            serialization: Serialization {
                method: "files".into(),
                hash_type: "sha256".into(),
                allow_symlinks: false,
                ignore_paths: vec![".git".into()],
                shard_size: None,
            },
            resources,
        }
    }

    #[test]
    fn payload_round_trips() {
        let s = statement();
        assert_eq!(Statement::parse(&s.to_payload()).expect("parses"), s);
    }

    #[test]
    fn an_edited_resource_breaks_the_root_digest() {
        let mut s = statement();
        s.resources[1].digest = "22".repeat(32);
        let err = Statement::parse(&s.to_payload()).expect_err("inconsistent");
        assert!(err.to_string().contains("inconsistent"), "{err}");
    }

    #[test]
    fn another_predicate_type_is_named() {
        let text = String::from_utf8(statement().to_payload())
            .expect("utf-8")
            .replace(PREDICATE_TYPE, PREDICATE_TYPE_V0);
        let err = Statement::parse(text.as_bytes()).expect_err("v0.2");
        assert!(err.to_string().contains("v0.2"), "{err}");
    }

    #[test]
    fn names_are_cleaned_or_refused() {
        assert_eq!(clean_name("./a//b/./c").as_deref(), Ok("a/b/c"));
        assert!(clean_name("../x").is_err());
        assert!(clean_name("a/../../x").is_err());
        assert!(clean_name("/etc/passwd").is_err());
        assert!(clean_name(".").is_err());
        assert!(clean_name("a\0b").is_err());
    }

    #[test]
    fn paths_sort_by_component() {
        let mut v = vec!["a.txt", "a/b", "B", "a"];
        v.sort_by(|a, b| path_order(a, b));
        assert_eq!(v, ["B", "a", "a/b", "a.txt"]);
    }
}
