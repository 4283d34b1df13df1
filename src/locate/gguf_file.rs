//! A single weights file as the target: the root is its folder, the model
//! is that file alone. A GGUF file (by extension or magic), or for one part
//! of a split set (`NAME-00001-of-00003.gguf`) every part present beside it;
//! a `*.safetensors` file (a single-file checkpoint, an adapter, one shard),
//! whose header is read as in a folder.

use super::hf_cache::{repo_folder_of_snapshot, repo_id_of_folder};
use super::{ListedFile, LocateError, Target, TargetKind};
use crate::scan::classify::FileClass;
use crate::scan::gguf::split::split_name;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The target for `path` when it is a GGUF file (by extension, or by its
/// first four bytes `GGUF`) or a `*.safetensors` file; `None` for other files.
pub fn locate(input: &str, path: &Path) -> Result<Option<Target>, LocateError> {
    let io = |source| LocateError::Io {
        path: input.to_string(),
        source,
    };
    // The folder is resolved, the file name kept as typed: in a Hugging
    // Face snapshot the file is a link into `blobs/`, named by its hash.
    let Some(name) = path
        .file_name()
        .and_then(|n| n.to_str())
        .map(str::to_string)
    else {
        return Ok(None);
    };
    let lower = name.to_ascii_lowercase();
    let safetensors = lower.ends_with(".safetensors");
    let by_name = safetensors || lower.ends_with(".gguf");
    if !by_name && !starts_with_magic(path) {
        return Ok(None);
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let root = parent.canonicalize().map_err(io)?;
    let repo_folder = repo_folder_of_snapshot(&root);
    let class = (!by_name).then_some(FileClass::Gguf);
    let mut names = vec![name.clone()];
    if let Some(split) = split_name(&name).filter(|_| !safetensors) {
        names = (1..=split.count)
            .map(|n| format!("{}-{n:05}-of-{:05}.gguf", split.stem, split.count))
            .filter(|n| *n == name || root.join(n).is_file())
            .collect();
    }
    let listed = names
        .into_iter()
        .map(|rel| ListedFile {
            rel,
            class,
            media_type: None,
            declared_size: None,
        })
        .collect();
    Ok(Some(Target {
        input: input.to_string(),
        root: root.clone(),
        kind: if safetensors {
            TargetKind::SafetensorsFile
        } else {
            TargetKind::GgufFile
        },
        repo_id: repo_folder.as_deref().and_then(repo_id_of_folder),
        revision: None,
        commit: repo_folder
            .as_ref()
            .and_then(|_| root.file_name())
            .map(|n| n.to_string_lossy().into_owned()),
        containment: repo_folder.unwrap_or(root),
        listed: Some(listed),
        ollama: None,
        notes: Vec::new(),
        remote: None,
    }))
}

fn starts_with_magic(path: &Path) -> bool {
    let mut magic = [0u8; 4];
    crate::util::fs::open_regular(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && &magic == b"GGUF"
}
