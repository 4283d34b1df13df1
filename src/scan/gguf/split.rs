//! GGUF files grouped into models: one model per file, except split sets
//! (`NAME-00001-of-00003.gguf`, as `llama-gguf-split` writes them), which
//! are one model in several files.

use crate::finding::{Code, Finding};
use std::collections::BTreeMap;

/// A split file name's parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitName {
    /// The path up to `-0000N-of-0000M.gguf` (folder included).
    pub stem: String,
    /// Its number, from 1.
    pub no: u32,
    /// Files in the set.
    pub count: u32,
}

/// Reads `NAME-00001-of-00003.gguf` (five digits each, as llama.cpp writes them).
pub fn split_name(path: &str) -> Option<SplitName> {
    let lower = path.to_ascii_lowercase();
    let base = lower.strip_suffix(".gguf")?;
    let (rest, count) = base.rsplit_once("-of-")?;
    let (stem, no) = rest.rsplit_once('-')?;
    let digits = |s: &str| s.len() == 5 && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(count) || !digits(no) || stem.is_empty() {
        return None;
    }
    let no: u32 = no.parse().ok()?;
    let count: u32 = count.parse().ok()?;
    (no >= 1 && count >= 1 && no <= count).then(|| SplitName {
        stem: path[..stem.len()].to_string(),
        no,
        count,
    })
}

/// One model: its files, in split order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GgufGroup {
    /// The model's name: the file path, or the split set's stem.
    pub name: String,
    /// Indexes into the list of files given, first part first.
    pub files: Vec<usize>,
    /// For split sets: the number of files the names announce.
    pub split_count: Option<u32>,
}

/// Groups GGUF file paths into models (in path order); missing split parts
/// become `gguf/split-incomplete` findings.
pub fn group(paths: &[&str]) -> (Vec<GgufGroup>, Vec<Finding>) {
    let mut groups: Vec<GgufGroup> = Vec::new();
    let mut sets: BTreeMap<(String, u32), Vec<(u32, usize)>> = BTreeMap::new();
    let mut order: Vec<(String, u32)> = Vec::new();
    for (i, p) in paths.iter().enumerate() {
        match split_name(p) {
            Some(s) => {
                let key = (s.stem.clone(), s.count);
                if !sets.contains_key(&key) {
                    order.push(key.clone());
                }
                sets.entry(key).or_default().push((s.no, i));
            }
            None => groups.push(GgufGroup {
                name: p.to_string(),
                files: vec![i],
                split_count: None,
            }),
        }
    }
    let mut findings = Vec::new();
    for key in order {
        let Some(mut parts) = sets.remove(&key) else {
            continue;
        };
        parts.sort_unstable();
        let (stem, count) = key;
        let present: Vec<u32> = parts.iter().map(|(n, _)| *n).collect();
        let missing: Vec<String> = (1..=count)
            .filter(|n| !present.contains(n))
            .map(|n| format!("{stem}-{n:05}-of-{count:05}.gguf"))
            .collect();
        let first = parts.first().map(|(_, i)| paths[*i]).unwrap_or("");
        if !missing.is_empty() {
            let listed: Vec<&str> = missing.iter().take(10).map(String::as_str).collect();
            findings.push(
                Finding::error(
                    Code::GgufSplitIncomplete,
                    format!(
                        "split set `{stem}` has {} of its {count} files: missing {}{}",
                        present.len(),
                        listed.join(", "),
                        if missing.len() > 10 { ", ..." } else { "" }
                    ),
                )
                .in_file(first),
            );
        }
        groups.push(GgufGroup {
            name: stem,
            files: parts.into_iter().map(|(_, i)| i).collect(),
            split_count: Some(count),
        });
    }
    groups.sort_by_key(|g| g.files.first().copied());
    (groups, findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_names() {
        let s = split_name("q/Model-Q4_K_M-00002-of-00003.gguf").unwrap();
        assert_eq!((s.stem.as_str(), s.no, s.count), ("q/Model-Q4_K_M", 2, 3));
        assert!(split_name("model.Q4_K_M.gguf").is_none());
        assert!(split_name("m-0001-of-0003.gguf").is_none());
        assert!(split_name("m-00004-of-00003.gguf").is_none());
    }

    #[test]
    fn files_group_into_models_and_missing_parts_are_named() {
        let paths = [
            "a-00001-of-00003.gguf",
            "a-00003-of-00003.gguf",
            "b.Q8_0.gguf",
            "c-00002-of-00002.gguf",
            "c-00001-of-00002.gguf",
        ];
        let (groups, findings) = group(&paths);
        assert_eq!(groups.len(), 3);
        assert_eq!(groups[0].files, vec![0, 1]);
        assert_eq!(groups[1].name, "b.Q8_0.gguf");
        assert_eq!(groups[2].files, vec![4, 3]);
        assert_eq!(findings.len(), 1);
        assert!(
            findings[0].message.contains("a-00002-of-00003.gguf"),
            "{}",
            findings[0].message
        );
    }
}
