//! Every model on a machine, found without reading a header: each repo and
//! revision of a Hugging Face cache, each model of an Ollama store, and each
//! model folder, GGUF file or split set under given paths (a found model is
//! not searched further). Each one is named by a target string that every
//! other `mri` command accepts. `mri ls` and `mri check --all` start here.

use super::hf_cache::{is_repo_folder, read_ref, repo_id_of_folder};
use super::ollama::{OllamaRef, SCHEME};
use super::HfCache;
use crate::scan::classify::{classify, FileClass};
use crate::scan::gguf::split::group;
use serde::Serialize;
use std::path::{Path, PathBuf};

/// Folders deeper than this under a given path are not searched.
const MAX_DEPTH: usize = 24;
/// Refs nested deeper than this (`refs/pr/1` is 2) are not read.
const MAX_REF_DEPTH: usize = 4;

/// What kind of model a found target is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FoundKind {
    /// One revision (snapshot) of a repo in a Hugging Face cache.
    HfCache,
    /// A model of the Ollama store.
    Ollama,
    /// A model folder.
    Directory,
    /// A GGUF file or split set.
    Gguf,
    /// A lone safetensors file given as a path.
    Safetensors,
}

impl FoundKind {
    /// The name every output uses.
    pub fn as_str(self) -> &'static str {
        match self {
            FoundKind::HfCache => "hf-cache",
            FoundKind::Ollama => "ollama",
            FoundKind::Directory => "directory",
            FoundKind::Gguf => "gguf",
            FoundKind::Safetensors => "safetensors",
        }
    }
}

/// One model found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// The string any `mri` command takes for it: a path, a cache snapshot
    /// folder, or `ollama://NAME:TAG`.
    pub target: String,
    /// A short name for people: `ORG/NAME@main`, `NAME:TAG`, or the path.
    pub name: String,
    /// What kind of model it is.
    pub kind: FoundKind,
    /// Why it cannot be inspected, when discovery already knows (a ref whose
    /// snapshot is missing, a ref file that holds no commit).
    pub problem: Option<String>,
}

/// Where to look.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// Hugging Face caches (hub folders holding `models--*`).
    pub caches: Vec<HfCache>,
    /// Ollama stores (folders holding `manifests/` and `blobs/`), named by
    /// `ollama://` targets (so only the store `OLLAMA_MODELS` names gives
    /// targets that other commands resolve to the same model).
    pub ollama: Vec<PathBuf>,
    /// Folders and files to search.
    pub paths: Vec<PathBuf>,
}

impl Sources {
    /// What `mri ls PATHS` and `mri check --all PATHS` search: without
    /// paths, the Hugging Face cache (`cache`, else the environment's) and
    /// the Ollama store (`OLLAMA_MODELS`); with paths, those paths (and
    /// `cache` when given).
    pub fn for_command(paths: &[PathBuf], cache: Option<&Path>) -> Sources {
        let caches = match cache {
            Some(dir) => vec![HfCache::new(dir)],
            None if paths.is_empty() => vec![HfCache::from_env()],
            None => Vec::new(),
        };
        let ollama = if paths.is_empty() {
            vec![super::ollama::models_dir()]
        } else {
            Vec::new()
        };
        Sources {
            caches,
            ollama,
            paths: paths.to_vec(),
        }
    }
}

/// What discovery found, in a stable order (cache, Ollama store, paths;
/// each sorted by name), each target once.
#[derive(Debug, Default)]
pub struct Discovery {
    /// The models.
    pub found: Vec<Found>,
    /// Given paths that could not be searched at all: (path, why).
    pub unusable: Vec<(String, String)>,
}

/// Finds every model in `sources`.
pub fn discover(sources: &Sources) -> Discovery {
    let mut d = Discovery::default();
    for cache in &sources.caches {
        cache_models(cache.hub_dir(), &mut d.found);
    }
    for store in &sources.ollama {
        ollama_models(store, &mut d.found);
    }
    for path in &sources.paths {
        let shown = path.display().to_string();
        match std::fs::metadata(path) {
            Err(e) => d.unusable.push((shown, e.to_string())),
            Ok(meta) if meta.is_dir() => search_dir(path, 0, &mut d.found),
            Ok(_) => match file_model(path) {
                Some(found) => d.found.push(found),
                None => d.unusable.push((
                    shown,
                    "is neither a folder nor a GGUF or safetensors file".into(),
                )),
            },
        }
    }
    let mut seen = std::collections::HashSet::new();
    d.found.retain(|f| seen.insert(f.target.clone()));
    d
}

/// Every repo folder of a hub cache, each revision a model (sorted).
fn cache_models(hub: &Path, out: &mut Vec<Found>) {
    let mut repos: Vec<PathBuf> = sorted_entries(hub)
        .into_iter()
        .filter(|p| is_repo_folder(p))
        .collect();
    repos.sort();
    for repo in repos {
        repo_revisions(&repo, out);
    }
}

/// Each snapshot of a cache repo folder, named by the refs that point at it,
/// and each ref that points at no snapshot (or holds no commit).
pub fn repo_revisions(repo: &Path, out: &mut Vec<Found>) {
    let id = repo_id_of_folder(repo).unwrap_or_else(|| repo.display().to_string());
    let mut refs: Vec<(String, Result<String, String>)> = Vec::new();
    read_refs(&repo.join("refs"), "", 0, &mut refs);
    refs.sort();
    let snapshots = sorted_entries(&repo.join("snapshots"));
    for snap in &snapshots {
        let Some(commit) = snap.file_name().map(|n| n.to_string_lossy().into_owned()) else {
            continue;
        };
        if !snap.is_dir() {
            continue;
        }
        let names: Vec<&str> = refs
            .iter()
            .filter(|(_, c)| c.as_deref() == Ok(commit.as_str()))
            .map(|(r, _)| r.as_str())
            .collect();
        let rev = if names.is_empty() {
            commit.chars().take(12).collect()
        } else {
            names.join(",")
        };
        out.push(Found {
            target: snap.display().to_string(),
            name: format!("{id}@{rev}"),
            kind: FoundKind::HfCache,
            problem: None,
        });
    }
    for (name, commit) in &refs {
        let problem = match commit {
            Err(why) => why.clone(),
            Ok(c) if !repo.join("snapshots").join(c).is_dir() => format!(
                "refs/{name} points to commit {c}, which has no snapshot folder (a dangling ref)"
            ),
            Ok(_) => continue,
        };
        out.push(Found {
            target: repo.display().to_string(),
            name: format!("{id}@{name}"),
            kind: FoundKind::HfCache,
            problem: Some(problem),
        });
    }
}

/// The ref files under `dir` (`main`, `pr/1`): name and commit, or why not.
fn read_refs(
    dir: &Path,
    prefix: &str,
    depth: usize,
    out: &mut Vec<(String, Result<String, String>)>,
) {
    if depth >= MAX_REF_DEPTH {
        return;
    }
    for path in sorted_entries(dir) {
        let Some(file) = path.file_name().map(|n| n.to_string_lossy().into_owned()) else {
            continue;
        };
        let name = format!("{prefix}{file}");
        let is_dir = std::fs::symlink_metadata(&path).is_ok_and(|m| m.is_dir());
        if is_dir {
            read_refs(&path, &format!("{name}/"), depth + 1, out);
        } else {
            out.push((name, read_ref(&path).map_err(|e| e.to_string())));
        }
    }
}

/// Every model of an Ollama store: `manifests/HOST/NAMESPACE/NAME/TAG`.
fn ollama_models(store: &Path, out: &mut Vec<Found>) {
    let mut found = Vec::new();
    for host in sorted_entries(&store.join("manifests")) {
        for ns in sorted_entries(&host) {
            for model in sorted_entries(&ns) {
                for tag in sorted_entries(&model) {
                    if !tag.is_file() {
                        continue;
                    }
                    let part = |p: &Path| {
                        p.file_name()
                            .map(|n| n.to_string_lossy().into_owned())
                            .unwrap_or_default()
                    };
                    let r = OllamaRef {
                        registry: part(&host),
                        namespace: part(&ns),
                        model: part(&model),
                        tag: part(&tag),
                        manifest: String::new(),
                    };
                    let name = r.display();
                    let problem = super::ollama::parse_name(&name)
                        .err()
                        .map(|why| format!("`{name}` is not an Ollama model name: {why}"));
                    found.push(Found {
                        target: format!("{SCHEME}{name}"),
                        name,
                        kind: FoundKind::Ollama,
                        problem,
                    });
                }
            }
        }
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    out.extend(found);
}

/// A folder under a given path: a cache repo folder gives its revisions, a
/// model folder is one model, otherwise its GGUF files (split sets grouped)
/// are models and its subfolders are searched (links to folders are not
/// followed: they would loop or count a model twice).
fn search_dir(dir: &Path, depth: usize, out: &mut Vec<Found>) {
    if is_repo_folder(dir) {
        repo_revisions(dir, out);
        return;
    }
    let entries = sorted_entries(dir);
    let mut ggufs: Vec<String> = Vec::new();
    let mut subdirs: Vec<&PathBuf> = Vec::new();
    let mut model_files = false;
    for path in &entries {
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Ok(meta) = std::fs::symlink_metadata(path) else {
            continue;
        };
        if meta.is_dir() {
            if !name.starts_with('.') {
                subdirs.push(path);
            }
            continue;
        }
        match classify(name) {
            FileClass::Config | FileClass::Weights | FileClass::Pickle | FileClass::Onnx => {
                model_files = true;
            }
            FileClass::Gguf => ggufs.push(name.to_string()),
            _ => {}
        }
    }
    if model_files {
        out.push(path_found(dir, FoundKind::Directory));
        return;
    }
    let names: Vec<&str> = ggufs.iter().map(String::as_str).collect();
    let (groups, _) = group(&names);
    for g in groups {
        if let Some(first) = g.files.first().and_then(|&i| names.get(i)) {
            out.push(path_found(&dir.join(first), FoundKind::Gguf));
        }
    }
    if depth + 1 >= MAX_DEPTH {
        return;
    }
    for sub in subdirs {
        search_dir(sub, depth + 1, out);
    }
}

/// A file given as a path: a GGUF (one part stands for its set) or a
/// safetensors file.
fn file_model(path: &Path) -> Option<Found> {
    let name = path.file_name()?.to_str()?.to_ascii_lowercase();
    if name.ends_with(".gguf") {
        Some(path_found(path, FoundKind::Gguf))
    } else if name.ends_with(".safetensors") {
        Some(path_found(path, FoundKind::Safetensors))
    } else {
        None
    }
}

fn path_found(path: &Path, kind: FoundKind) -> Found {
    let target = path.display().to_string();
    Found {
        name: target.clone(),
        target,
        kind,
        problem: None,
    }
}

/// The entries of `dir`, sorted by name; none when it cannot be listed.
fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    const A: &str = "0123456789abcdef0123456789abcdef01234567";
    const B: &str = "fedcba9876543210fedcba9876543210fedcba98";

    #[test]
    fn a_cache_repo_gives_each_snapshot_and_each_dangling_ref() {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("models--acme--tiny");
        fs::create_dir_all(repo.join("snapshots").join(A)).unwrap();
        fs::create_dir_all(repo.join("snapshots").join(B)).unwrap();
        fs::create_dir_all(repo.join("refs/pr")).unwrap();
        fs::write(repo.join("refs/main"), A).unwrap();
        fs::write(repo.join("refs/pr/1"), A).unwrap();
        fs::write(
            repo.join("refs/gone"),
            "1111111111111111111111111111111111111111",
        )
        .unwrap();
        fs::write(repo.join("refs/junk"), "not a commit").unwrap();
        let mut out = Vec::new();
        repo_revisions(&repo, &mut out);
        let names: Vec<&str> = out.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "acme/tiny@main,pr/1",
                "acme/tiny@fedcba987654",
                "acme/tiny@gone",
                "acme/tiny@junk"
            ]
        );
        assert!(out[0].target.ends_with(A) && out[0].problem.is_none());
        assert!(out[2].problem.as_deref().unwrap().contains("dangling"));
        assert!(out[3].problem.as_deref().unwrap().contains("commit id"));
    }

    #[test]
    fn a_found_model_folder_is_not_searched_further() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        fs::create_dir_all(root.join("a/inner")).unwrap();
        fs::write(root.join("a/config.json"), "{}").unwrap();
        fs::write(root.join("a/inner/config.json"), "{}").unwrap();
        fs::create_dir_all(root.join("g/deeper/m")).unwrap();
        fs::write(root.join("g/x-00001-of-00002.gguf"), "").unwrap();
        fs::write(root.join("g/x-00002-of-00002.gguf"), "").unwrap();
        fs::write(root.join("g/y.gguf"), "").unwrap();
        fs::write(root.join("g/deeper/m/model.safetensors"), "").unwrap();
        fs::write(root.join("notes.txt"), "").unwrap();
        fs::create_dir_all(root.join(".hidden/m")).unwrap();
        fs::write(root.join(".hidden/m/config.json"), "{}").unwrap();
        std::os::unix::fs::symlink(root.join("a"), root.join("g/link-to-a")).unwrap();
        let d = discover(&Sources {
            paths: vec![root.to_path_buf(), root.join("missing")],
            ..Default::default()
        });
        let rel: Vec<(String, FoundKind)> = d
            .found
            .iter()
            .map(|f| {
                let t = f.target.strip_prefix(&root.display().to_string()).unwrap();
                (t.to_string(), f.kind)
            })
            .collect();
        assert_eq!(
            rel,
            [
                ("/a".to_string(), FoundKind::Directory),
                ("/g/x-00001-of-00002.gguf".to_string(), FoundKind::Gguf),
                ("/g/y.gguf".to_string(), FoundKind::Gguf),
                ("/g/deeper/m".to_string(), FoundKind::Directory),
            ]
        );
        assert_eq!(d.unusable.len(), 1);
    }
}
