//! `ollama://[HOST/][NAMESPACE/]NAME[:TAG]`: a model in the local Ollama
//! store (`OLLAMA_MODELS`, else `~/.ollama/models`). The manifest
//! `manifests/HOST/NAMESPACE/NAME/TAG` (host `registry.ollama.ai`,
//! namespace `library`, tag `latest` by default) lists the layers by media
//! type; each names a blob `blobs/sha256-<hex>`. The model is the manifest
//! and those blobs.

use super::{ListedFile, LocateError, Target, TargetKind};
use crate::scan::classify::FileClass;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// The target prefix.
pub const SCHEME: &str = "ollama://";
/// The default registry host.
pub const DEFAULT_REGISTRY: &str = "registry.ollama.ai";
/// The default namespace.
pub const DEFAULT_NAMESPACE: &str = "library";
/// The default tag.
pub const DEFAULT_TAG: &str = "latest";
/// Largest manifest read.
const MAX_MANIFEST_BYTES: u64 = 1024 * 1024;

/// The model layer's media type (GGUF).
pub const MEDIA_MODEL: &str = "application/vnd.ollama.image.model";
/// The media type of a multimodal projector (GGUF).
pub const MEDIA_PROJECTOR: &str = "application/vnd.ollama.image.projector";
/// The media type of a LoRA adapter (GGUF).
pub const MEDIA_ADAPTER: &str = "application/vnd.ollama.image.adapter";
/// The license layer's media type (text).
pub const MEDIA_LICENSE: &str = "application/vnd.ollama.image.license";
/// The prompt template layer's media type (Go template text).
pub const MEDIA_TEMPLATE: &str = "application/vnd.ollama.image.template";
/// The parameters layer's media type (JSON).
pub const MEDIA_PARAMS: &str = "application/vnd.ollama.image.params";
/// The system prompt layer's media type (text).
pub const MEDIA_SYSTEM: &str = "application/vnd.ollama.image.system";
/// The media type of stored chat messages (JSON).
pub const MEDIA_MESSAGES: &str = "application/vnd.ollama.image.messages";

/// Which model in which store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OllamaRef {
    /// The registry host (`registry.ollama.ai`).
    pub registry: String,
    /// The namespace (`library`).
    pub namespace: String,
    /// The model name.
    pub model: String,
    /// The tag (`latest`).
    pub tag: String,
    /// The manifest, relative to the store.
    pub manifest: String,
}

impl OllamaRef {
    /// The name as `ollama` shows it: `NAME:TAG`, with namespace and host
    /// when they are not the defaults.
    pub fn display(&self) -> String {
        let mut s = String::new();
        if self.registry != DEFAULT_REGISTRY {
            s.push_str(&self.registry);
            s.push('/');
        }
        if self.registry != DEFAULT_REGISTRY || self.namespace != DEFAULT_NAMESPACE {
            s.push_str(&self.namespace);
            s.push('/');
        }
        s.push_str(&self.model);
        s.push(':');
        s.push_str(&self.tag);
        s
    }
}

/// The store: `OLLAMA_MODELS`, else `~/.ollama/models`.
pub fn models_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("OLLAMA_MODELS").filter(|v| !v.is_empty()) {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    home.join(".ollama").join("models")
}

fn valid_part(s: &str, allow_colon: bool) -> bool {
    !s.is_empty()
        && s != "."
        && s != ".."
        && s.len() <= 256
        && s.chars().all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') || (allow_colon && c == ':')
        })
}

/// Parses `[HOST/][NAMESPACE/]NAME[:TAG]` (what follows `ollama://`).
pub fn parse_name(name: &str) -> Result<(String, String, String, String), String> {
    let parts: Vec<&str> = name.split('/').collect();
    let (last, rest) = match parts.split_last() {
        Some(x) => x,
        None => return Err("an empty name".into()),
    };
    let (model, tag) = match last.rsplit_once(':') {
        Some((m, t)) => (m, t),
        None => (*last, DEFAULT_TAG),
    };
    let (registry, namespace) = match rest {
        [] => (DEFAULT_REGISTRY, DEFAULT_NAMESPACE),
        [ns] => (DEFAULT_REGISTRY, *ns),
        [host, ns] => (*host, *ns),
        _ => return Err("too many `/`: expected [HOST/][NAMESPACE/]NAME[:TAG]".into()),
    };
    if !valid_part(registry, true)
        || !valid_part(namespace, false)
        || !valid_part(model, false)
        || !valid_part(tag, false)
    {
        return Err(
            "names, namespaces and tags are letters, digits, `-`, `_` and `.` (expected [HOST/][NAMESPACE/]NAME[:TAG])"
                .into(),
        );
    }
    Ok((
        registry.to_string(),
        namespace.to_string(),
        model.to_string(),
        tag.to_string(),
    ))
}

/// The models a store holds, as `NAME:TAG` (at most `limit`).
fn available(store: &Path, limit: usize) -> Vec<String> {
    let mut out = Vec::new();
    let base = store.join("manifests");
    let Ok(hosts) = std::fs::read_dir(&base) else {
        return out;
    };
    for host in hosts.flatten() {
        for ns in std::fs::read_dir(host.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            for model in std::fs::read_dir(ns.path()).into_iter().flatten().flatten() {
                for tag in std::fs::read_dir(model.path())
                    .into_iter()
                    .flatten()
                    .flatten()
                {
                    let r = OllamaRef {
                        registry: host.file_name().to_string_lossy().into_owned(),
                        namespace: ns.file_name().to_string_lossy().into_owned(),
                        model: model.file_name().to_string_lossy().into_owned(),
                        tag: tag.file_name().to_string_lossy().into_owned(),
                        manifest: String::new(),
                    };
                    out.push(r.display());
                }
            }
        }
    }
    out.sort();
    out.truncate(limit);
    out
}

/// Resolves `ollama://NAME` in `store`.
pub fn locate(input: &str, name: &str, store: &Path) -> Result<Target, LocateError> {
    let err = LocateError::Ollama;
    let (registry, namespace, model, tag) =
        parse_name(name).map_err(|m| err(format!("`{input}` is not an Ollama model name: {m}")))?;
    if !store.is_dir() {
        return Err(err(format!(
            "the Ollama store `{}` does not exist (set OLLAMA_MODELS, else ~/.ollama/models is used; a system-wide install keeps it in /usr/share/ollama/.ollama/models)",
            store.display()
        )));
    }
    let store = store.canonicalize().map_err(|source| LocateError::Io {
        path: store.display().to_string(),
        source,
    })?;
    let manifest_rel = format!("manifests/{registry}/{namespace}/{model}/{tag}");
    let manifest_path = store.join(&manifest_rel);
    let r = OllamaRef {
        registry,
        namespace,
        model,
        tag,
        manifest: manifest_rel.clone(),
    };
    if !manifest_path.is_file() {
        let have = available(&store, 20);
        return Err(err(format!(
            "`{}` is not in the Ollama store {} (no {manifest_rel}); pull it with `ollama pull {}`; the store holds: {}",
            r.display(),
            store.display(),
            r.display(),
            if have.is_empty() {
                "nothing".to_string()
            } else {
                have.join(", ")
            }
        )));
    }
    let text = crate::util::json::read_text(&manifest_path, &manifest_rel, MAX_MANIFEST_BYTES)
        .map_err(|f| {
            err(format!(
                "cannot read the Ollama manifest {}: {}",
                manifest_path.display(),
                f.message
            ))
        })?;
    let (layers, notes) = parse_manifest(&text).map_err(|m| {
        err(format!(
            "the Ollama manifest {} is malformed: {m}",
            manifest_path.display()
        ))
    })?;
    let mut listed = vec![ListedFile {
        rel: manifest_rel.clone(),
        class: Some(FileClass::Meta),
        media_type: None,
        declared_size: None,
    }];
    for layer in layers {
        if listed.iter().any(|l| l.rel == layer.rel) {
            continue;
        }
        listed.push(layer);
    }
    Ok(Target {
        input: input.to_string(),
        root: store.clone(),
        kind: TargetKind::Ollama,
        repo_id: None,
        revision: None,
        commit: None,
        containment: store,
        listed: Some(listed),
        ollama: Some(r),
        remote: None,
        notes: notes
            .into_iter()
            .map(|m| (manifest_rel.clone(), m))
            .collect(),
    })
}

/// The class of a layer's blob, by media type.
pub fn class_of(media_type: &str) -> FileClass {
    match media_type {
        MEDIA_MODEL | MEDIA_PROJECTOR | MEDIA_ADAPTER => FileClass::Gguf,
        MEDIA_LICENSE => FileClass::Meta,
        MEDIA_TEMPLATE => FileClass::Tokenizer,
        MEDIA_PARAMS => FileClass::Config,
        m if m.contains("container.image") => FileClass::Config,
        _ => FileClass::Other,
    }
}

/// The blob path of a digest `sha256:<64 hex>`.
pub fn blob_path(digest: &str) -> Option<String> {
    let hex = digest.strip_prefix("sha256:")?;
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| format!("blobs/sha256-{}", hex.to_ascii_lowercase()))
}

/// The layers (config blob first) of a manifest, and the problems of single
/// layers; an error when the manifest is not a manifest at all.
pub fn parse_manifest(text: &str) -> Result<(Vec<ListedFile>, Vec<String>), String> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let layers = v
        .get("layers")
        .and_then(|l| l.as_array())
        .ok_or("no `layers` array")?;
    let mut out = Vec::new();
    let mut notes = Vec::new();
    let config = v.get("config").filter(|c| !c.is_null());
    for (i, layer) in config.into_iter().chain(layers.iter()).enumerate() {
        let what = if config.is_some() && i == 0 {
            "the config".to_string()
        } else {
            format!("layer {}", if config.is_some() { i - 1 } else { i })
        };
        let media = layer.get("mediaType").and_then(|m| m.as_str());
        let digest = layer.get("digest").and_then(|d| d.as_str());
        let size = layer.get("size").and_then(|s| s.as_u64());
        let Some(media) = media else {
            notes.push(format!("{what} has no mediaType"));
            continue;
        };
        let Some(rel) = digest.and_then(blob_path) else {
            notes.push(format!(
                "{what} ({media}) has digest {:?}, not sha256:<64 hex digits>",
                digest.unwrap_or("")
            ));
            continue;
        };
        let known = [
            MEDIA_MODEL,
            MEDIA_PROJECTOR,
            MEDIA_ADAPTER,
            MEDIA_LICENSE,
            MEDIA_TEMPLATE,
            MEDIA_PARAMS,
            MEDIA_SYSTEM,
            MEDIA_MESSAGES,
        ];
        if !known.contains(&media) && !media.contains("container.image") {
            notes.push(format!("{what} has media type `{media}`, which mri does not know; its blob is listed as other"));
        }
        out.push(ListedFile {
            rel,
            class: Some(class_of(media)),
            media_type: Some(media.to_string()),
            declared_size: size,
        });
    }
    Ok((out, notes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_with_defaults() {
        let p = |s: &str| parse_name(s).unwrap();
        assert_eq!(
            p("smollm2"),
            (
                "registry.ollama.ai".into(),
                "library".into(),
                "smollm2".into(),
                "latest".into()
            )
        );
        assert_eq!(p("me/tiny:q4").1, "me");
        assert_eq!(p("me/tiny:q4").3, "q4");
        assert_eq!(p("hf.co/org/model:Q4_K_M").0, "hf.co");
        assert_eq!(p("localhost:5000/ns/m:t").0, "localhost:5000");
        assert!(parse_name("../x").is_err());
        assert!(parse_name("a/b/c/d").is_err());
        assert!(parse_name("").is_err());
        assert!(parse_name("m:").is_err());
    }

    #[test]
    fn display_hides_the_defaults() {
        let r = OllamaRef {
            registry: DEFAULT_REGISTRY.into(),
            namespace: DEFAULT_NAMESPACE.into(),
            model: "m".into(),
            tag: "latest".into(),
            manifest: String::new(),
        };
        assert_eq!(r.display(), "m:latest");
        let r = OllamaRef {
            namespace: "me".into(),
            ..r
        };
        assert_eq!(r.display(), "me/m:latest");
    }

    #[test]
    fn manifests_list_layers_and_note_bad_ones() {
        let hex = "a".repeat(64);
        let text = format!(
            r#"{{"schemaVersion":2,"config":{{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"sha256:{hex}","size":3}},
            "layers":[{{"mediaType":"{MEDIA_MODEL}","digest":"sha256:{hex}","size":10}},{{"mediaType":"{MEDIA_LICENSE}","digest":"md5:x","size":1}}]}}"#
        );
        let (layers, notes) = parse_manifest(&text).unwrap();
        assert_eq!(layers.len(), 2);
        assert_eq!(layers[1].class, Some(FileClass::Gguf));
        assert_eq!(layers[1].rel, format!("blobs/sha256-{hex}"));
        assert_eq!(notes.len(), 1);
        assert!(notes[0].contains("layer 1"), "{notes:?}");
        assert!(parse_manifest("{}").is_err());
        assert!(parse_manifest("nope").is_err());
    }
}
