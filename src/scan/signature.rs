//! A model signature (`model.sig`) in the model folder, read and summarised
//! for the Report (see `signature::summary`); nothing is verified.

use super::FileEntry;
use crate::locate::Target;

/// The summary of the folder's `model.sig`, when it has one (folders only:
/// a GGUF file or an Ollama model has no signature of its own).
pub fn read(target: &Target, files: &[FileEntry]) -> Option<crate::signature::Summary> {
    if target.listed.is_some() {
        return None;
    }
    let name = crate::signature::DEFAULT_FILE_NAME;
    let file = files
        .iter()
        .find(|f| f.path == name && !f.remote_only && f.lfs_pointer.is_none())?;
    let on_disk: Vec<&str> = files
        .iter()
        .filter(|f| !f.remote_only)
        .map(|f| f.path.as_str())
        .collect();
    let bytes = if file.size > crate::signature::MAX_BUNDLE_BYTES {
        Err(format!(
            "larger than {} bytes",
            crate::signature::MAX_BUNDLE_BYTES
        ))
    } else {
        crate::util::fs::read_regular(&file.real_path).map_err(|e| e.to_string())
    };
    Some(match bytes {
        Ok(bytes) => crate::signature::summary::summarize(name, &bytes, &on_disk),
        Err(e) => {
            let mut s = crate::signature::summary::summarize(name, b"", &on_disk);
            s.problem = Some(format!("cannot be read: {e}"));
            s
        }
    })
}
