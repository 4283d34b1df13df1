//! Model signatures as a face: `mri verify --signature` (the bundle checked
//! with a key or a certificate chain, then every file it lists hashed
//! through `verify::hashing` and compared, every file on disk it does not
//! list named) and `mri sign` (a bundle `model-signing` v1 accepts, made
//! with a P-256 or P-384 key, optionally with its certificate). The bundle,
//! statement and cryptography are `crate::signature`'s.

mod check;
mod make;
mod render;
mod walk;

pub use check::{
    check, CheckOptions, FileSummary, SignatureReport, SignatureSection, StatementSummary,
};
pub use make::{bundle_for, sign, SignOptions, Signed};
pub use render::render_text;

use std::path::{Path, PathBuf};
use thiserror::Error;

/// Why a signature command cannot run (exit 2).
#[derive(Debug, Error)]
pub enum SignError {
    /// The target could not be located.
    #[error(transparent)]
    Target(#[from] crate::Error),
    /// A GGUF file or an Ollama model: not a folder.
    #[error("{0}: model signatures cover a model folder; give the folder")]
    NotAFolder(String),
    /// A file given cannot be read.
    #[error("cannot read {what} `{path}`: {cause}")]
    Read {
        /// Which option's file.
        what: &'static str,
        /// The path.
        path: String,
        /// The cause.
        cause: std::io::Error,
    },
    /// A key that cannot be used.
    #[error("{what} `{path}`: {cause}")]
    Key {
        /// Which option's file.
        what: &'static str,
        /// The path.
        path: String,
        /// What is wrong.
        cause: crate::signature::KeyError,
    },
    /// A certificate file that cannot be used.
    #[error("{what} `{path}`: {cause}")]
    Certificate {
        /// Which option's file.
        what: &'static str,
        /// The path.
        path: String,
        /// What is wrong.
        cause: String,
    },
    /// Options that do not go together.
    #[error("{0}")]
    Usage(String),
    /// The folder cannot be signed as it is.
    #[error("cannot sign {root}: {why}")]
    Unsignable {
        /// The model folder.
        root: String,
        /// Every problem, one per line.
        why: String,
    },
    /// The bundle cannot be written.
    #[error("cannot write `{path}`: {cause}")]
    Write {
        /// The path.
        path: String,
        /// The cause.
        cause: std::io::Error,
    },
}

impl From<crate::locate::LocateError> for SignError {
    fn from(e: crate::locate::LocateError) -> Self {
        SignError::Target(e.into())
    }
}

/// Reads a small file given as an option (a key, a chain, a bundle): regular
/// files only, at most `limit` bytes.
fn read_option_file(path: &Path, what: &'static str, limit: u64) -> Result<Vec<u8>, SignError> {
    let err = |cause| SignError::Read {
        what,
        path: path.display().to_string(),
        cause,
    };
    let mut file = crate::util::fs::open_regular(path).map_err(err)?;
    let mut bytes = Vec::new();
    use std::io::Read;
    (&mut file)
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(err)?;
    if bytes.len() as u64 > limit {
        return Err(err(std::io::Error::other(format!(
            "larger than {} bytes",
            limit
        ))));
    }
    Ok(bytes)
}

/// Reads a UTF-8 text file given as an option.
fn read_option_text(path: &Path, what: &'static str) -> Result<String, SignError> {
    let bytes = read_option_file(path, what, 1 << 20)?;
    String::from_utf8(bytes).map_err(|_| SignError::Read {
        what,
        path: path.display().to_string(),
        cause: std::io::Error::other("not UTF-8 text (PEM expected)"),
    })
}

/// Locates the target; it must be a folder.
fn locate_folder(
    input: &str,
    inspect: &crate::InspectOptions,
) -> Result<crate::locate::Target, SignError> {
    let target = crate::locate::locate(input, inspect.revision.as_deref(), &inspect.cache)?;
    if target.listed.is_some() {
        return Err(SignError::NotAFolder(input.to_string()));
    }
    Ok(target)
}

/// The path of `file` relative to `root`, when it lies inside (the file's
/// folder resolved, not the file: a cache snapshot's files are links).
fn inside(root: &Path, file: &Path) -> Option<String> {
    let root = root.canonicalize().ok()?;
    let parent = match file.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let dir = parent.canonicalize().ok()?;
    let rel = dir.join(file.file_name()?);
    let rel = rel.strip_prefix(&root).ok()?;
    let text = rel.to_str()?.replace('\\', "/");
    (!text.is_empty()).then_some(text)
}

/// The jobs to hash with: `jobs`, or one per core.
fn jobs(jobs: usize) -> usize {
    if jobs == 0 {
        crate::util::parallel::cores()
    } else {
        jobs
    }
}
