//! Files that are on the Hub but not on disk (`mri inspect hf://...`): what
//! the Hub listed about them, and the safetensors headers read from it with
//! Range requests. The scan lists them (`remote_only`) and parses their
//! headers from these bytes instead of the file.

use super::safetensors::{parse_header_with_len, HeaderBudget, SafetensorsHeader};
use super::FileEntry;
use crate::finding::{Code, Finding};
use crate::scan::classify::{classify, FileClass};
use std::collections::HashSet;
use std::path::Path;

/// One file left on the Hub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteFile {
    /// Path in the repository.
    pub path: String,
    /// Size the Hub lists.
    pub size: u64,
    /// The LFS sha256 the Hub lists, for LFS files.
    pub lfs_sha256: Option<String>,
    /// For safetensors files: the first bytes (prefix and header), or why
    /// they could not be read.
    pub header: Option<Result<Vec<u8>, String>>,
}

/// Every file of a remote repository that is not in the local snapshot.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoteFiles {
    /// The files, in any order.
    pub files: Vec<RemoteFile>,
    /// Files the Hub listed whose answer was refused: (path, why).
    pub problems: Vec<(String, String)>,
}

impl RemoteFiles {
    fn get(&self, path: &str) -> Option<&RemoteFile> {
        self.files.iter().find(|f| f.path == path)
    }
}

/// Adds an entry for each remote file that the walk did not find, and sorts.
pub fn add_entries(files: &mut Vec<FileEntry>, remote: &RemoteFiles, root: &Path) {
    let on_disk: HashSet<String> = files.iter().map(|f| f.path.clone()).collect();
    for r in remote.files.iter().filter(|r| !on_disk.contains(&r.path)) {
        files.push(FileEntry {
            path: r.path.clone(),
            class: classify(&r.path),
            size: r.size,
            lfs_pointer: None,
            link_target: None,
            remote_only: true,
            lfs_sha256: r.lfs_sha256.clone(),
            real_path: root.join(&r.path),
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
}

/// The header of a remote-only safetensors file, parsed from the bytes read
/// through the Hub (paid for from `budget` first, as a local header is);
/// `None` for a file on disk.
pub fn read_remote_header(
    f: &FileEntry,
    remote: Option<&RemoteFiles>,
    budget: &HeaderBudget,
) -> Option<(Option<SafetensorsHeader>, Vec<Finding>)> {
    if !f.remote_only {
        return None;
    }
    Some(
        match remote
            .and_then(|r| r.get(&f.path))
            .and_then(|r| r.header.as_ref())
        {
            Some(Ok(bytes)) => match budget.take(header_cost(bytes)) {
                Ok(()) => parse_header_with_len(bytes, f.size),
                Err(refused) => (None, vec![refused]),
            },
            Some(Err(why)) => (
                None,
                vec![Finding::error(
                    Code::FilesUnreadable,
                    format!("cannot read the header through the Hub: {why}"),
                )],
            ),
            None => (
                None,
                vec![Finding::error(
                    Code::FilesUnreadable,
                    "the header was not read from the Hub",
                )],
            ),
        },
    )
}

/// What a remote header costs the budget: the length its prefix announces
/// (the Hub sends only the first bytes of a header over the budget), or the
/// bytes read where that length is implausible (the parser reports it).
fn header_cost(bytes: &[u8]) -> u64 {
    let read = bytes.len().saturating_sub(8) as u64;
    super::safetensors::declared_header_len(bytes)
        .filter(|&n| n <= super::safetensors::MAX_HEADER_BYTES)
        .map_or(read, |n| n.max(read))
}

/// One error per file whose answer from the Hub was refused (a body longer
/// or shorter than the listing says), naming the file and what was wrong.
pub fn fetch_problems(remote: &RemoteFiles) -> Vec<Finding> {
    remote
        .problems
        .iter()
        .map(|(path, why)| {
            Finding::error(
                Code::FilesUnreadable,
                format!("fetched from the Hub: {why}"),
            )
            .in_file(path)
        })
        .collect()
}

/// One finding listing the remote-only files whose content a local scan
/// would have examined (pickle imports, other binary files).
pub fn unscanned(files: &[FileEntry]) -> Option<Finding> {
    let names: Vec<&str> = files
        .iter()
        .filter(|f| {
            f.remote_only
                && matches!(
                    f.class,
                    FileClass::Pickle | FileClass::Onnx | FileClass::Other | FileClass::Gguf
                )
        })
        .map(|f| f.path.as_str())
        .collect();
    if names.is_empty() {
        return None;
    }
    const LISTED: usize = 5;
    let mut list = names
        .iter()
        .take(LISTED)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > LISTED {
        list.push_str(&format!(" and {} more", names.len() - LISTED));
    }
    Some(Finding::info(
        Code::FilesRemoteOnly,
        format!(
            "{} file(s) were left on the Hub, so their content was not scanned (pickle imports, file formats): {list}; `mri download` the repository and inspect it to scan them",
            names.len()
        ),
    ))
}
