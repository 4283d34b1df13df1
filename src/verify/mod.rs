//! `mri verify`: every weight and LFS file hashed once (sha256, streaming,
//! files in parallel) and compared with every reference found offline — the
//! Hugging Face cache's blob names, LFS pointer files (`--pointers`), a
//! `sha256sum` manifest (`--manifest`), and `hf download --local-dir` metadata.

pub mod hashing;
pub mod references;

use crate::locate::Target;
use crate::finding::{Code, Finding, Severity};
use crate::report::{FindingCounts, SCHEMA_VERSION};
use crate::scan::classify::FileClass;
use references::{Algorithm, Reference};
use serde::Serialize;
use std::path::PathBuf;
use thiserror::Error;

/// Why `mri verify` cannot run with the options given (exit 2).
#[derive(Debug, Error)]
pub enum VerifyError {
    /// `--manifest` names nothing readable.
    #[error("cannot read the manifest `{path}`: {cause}")]
    Manifest {
        /// The path given.
        path: String,
        /// The cause.
        cause: std::io::Error,
    },
    /// `--pointers` does not name a folder.
    #[error("--pointers `{path}` {why}; give the folder of a clone made without LFS (GIT_LFS_SKIP_SMUDGE=1)")]
    Pointers {
        /// The path given.
        path: String,
        /// What it is instead.
        why: String,
    },
}

/// Options of `mri verify`.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// Files hashed at once (0: one per core).
    pub jobs: usize,
    /// A `sha256sum`-format manifest.
    pub manifest: Option<PathBuf>,
    /// A clone made without LFS, whose pointer files give the expected sha256.
    pub pointers: Option<PathBuf>,
    /// Draw a progress bar on stderr.
    pub progress: bool,
}

/// One comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Where the expected hash came from: `hf-cache-blob`, `ollama-blob`, `lfs-pointer`, `manifest`, `local-dir-metadata`.
    pub source: String,
    /// `sha256` or `git-sha1`.
    pub algorithm: String,
    /// The expected hash.
    pub expected: String,
    /// The hash computed.
    pub actual: String,
    /// Equal.
    pub ok: bool,
}

/// One file hashed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileCheck {
    /// Path relative to the model root.
    pub path: String,
    /// Size in bytes.
    pub size: u64,
    /// Its sha256 (null when it could not be read).
    pub sha256: Option<String>,
    /// Every comparison made.
    pub checks: Vec<Check>,
    /// Why it could not be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VerifySummary {
    /// Files hashed.
    pub files: u64,
    /// Bytes hashed.
    pub bytes: u64,
    /// Files that matched at least one reference and mismatched none.
    pub verified: u64,
    /// Files that mismatched a reference.
    pub mismatched: u64,
    /// Files with no reference to compare with.
    pub unverified: u64,
    /// Blobs or listed files that are missing, and weight files that are
    /// Git LFS pointers (never downloaded).
    pub missing: u64,
    /// Files that could not be read.
    pub unreadable: u64,
    /// Wall time in milliseconds.
    pub elapsed_ms: u64,
}

/// The outcome of `mri verify`.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    /// The Report's schema version.
    pub schema_version: u32,
    /// Where the model is.
    pub target: Target,
    /// Every file hashed.
    pub files: Vec<FileCheck>,
    /// Mismatches, missing blobs, unreadable files.
    pub findings: Vec<Finding>,
    /// Counts.
    pub summary: VerifySummary,
    /// Findings by severity.
    pub counts: FindingCounts,
}

impl VerifyReport {
    /// Exit code: 1 when anything mismatched, is missing or unreadable, or
    /// any error finding was made; else 0.
    pub fn exit_code(&self) -> u8 {
        let s = &self.summary;
        if s.mismatched > 0 || s.missing > 0 || s.unreadable > 0 || self.counts.errors > 0 {
            1
        } else {
            0
        }
    }
}

/// Verifies the model `input`.
pub fn verify(
    input: &str,
    inspect: &crate::InspectOptions,
    options: &VerifyOptions,
) -> Result<VerifyReport, crate::Error> {
    let started = std::time::Instant::now();
    let target = crate::locate::locate(input, inspect.revision.as_deref(), &inspect.cache)?;
    let manifest = read_manifest(options)?;
    check_pointers(options)?;
    let scanned = crate::scan::scan(target);
    if !crate::scan::looks_like_model(&scanned.files) {
        return Err(crate::locate::LocateError::NotAModel(
            scanned.target.root.display().to_string(),
        )
        .into());
    }
    let mut findings = Vec::new();
    let mut summary = VerifySummary::default();
    for f in &scanned.findings {
        if matches!(f.code, Code::FilesBrokenLink | Code::OllamaBlobMissing) {
            findings.push(Finding {
                code: Code::IntegrityBlobMissing,
                severity: Severity::Error,
                message: f.message.clone(),
                file: f.file.clone(),
                line: None,
                tensor: None,
            });
            summary.missing += 1;
        }
    }
    for f in &scanned.files {
        let weighty = matches!(
            f.class,
            FileClass::Weights | FileClass::Pickle | FileClass::Gguf | FileClass::Onnx
        );
        if let (Some(p), true) = (&f.lfs_pointer, weighty) {
            findings.push(
                Finding::error(
                    Code::IntegrityBlobMissing,
                    format!(
                        "is a Git LFS pointer: the file ({} bytes, sha256 {}) was never downloaded, so it cannot be verified",
                        p.size, p.oid
                    ),
                )
                .in_file(&f.path),
            );
            summary.missing += 1;
        }
    }
    // A FIFO or device where a file should be is never hashed: one that
    // stands for weights leaves them unverified, so it counts as unreadable.
    for f in scanned
        .findings
        .iter()
        .filter(|f| f.code == Code::FilesNotRegular)
    {
        let mut f = f.clone();
        let weighty = f.file.as_deref().is_some_and(|p| {
            matches!(
                crate::scan::classify::classify(p),
                FileClass::Weights | FileClass::Pickle | FileClass::Gguf | FileClass::Onnx
            )
        });
        if weighty {
            f.severity = Severity::Error;
            summary.unreadable += 1;
        }
        findings.push(f);
    }
    let refs = references::gather(
        &scanned,
        options,
        manifest.as_ref(),
        &mut findings,
        &mut summary.missing,
    );
    let work: Vec<(&crate::scan::FileEntry, Vec<Reference>)> = scanned
        .files
        .iter()
        .filter(|f| f.lfs_pointer.is_none())
        .filter_map(|f| {
            let r = refs.get(&f.path).cloned().unwrap_or_default();
            let weighty = matches!(
                f.class,
                FileClass::Weights | FileClass::Pickle | FileClass::Gguf | FileClass::Onnx
            );
            (weighty || !r.is_empty()).then_some((f, r))
        })
        .collect();
    let jobs = if options.jobs == 0 {
        crate::util::parallel::cores()
    } else {
        options.jobs
    };
    let hashed = hashing::hash_all(&work, jobs, options.progress);
    let mut files = Vec::with_capacity(hashed.len());
    for ((entry, refs), result) in work.iter().zip(hashed) {
        summary.files += 1;
        let mut fc = FileCheck {
            path: entry.path.clone(),
            size: entry.size,
            sha256: None,
            checks: Vec::new(),
            error: None,
        };
        match result {
            Err(e) => {
                findings.push(
                    Finding::error(Code::FilesUnreadable, format!("cannot hash: {e}"))
                        .in_file(&entry.path),
                );
                fc.error = Some(e);
                summary.unreadable += 1;
            }
            Ok(h) => {
                summary.bytes += h.bytes;
                for r in refs {
                    let actual = match r.algorithm {
                        Algorithm::Sha256 => h.sha256.clone(),
                        Algorithm::GitSha1 => h.git_sha1.clone().unwrap_or_default(),
                    };
                    let same_hash = actual.eq_ignore_ascii_case(&r.expected);
                    // An LFS pointer states the size too (its own finding,
                    // from `gather`, says by how much).
                    let ok = same_hash && r.size.is_none_or(|size| size == h.bytes);
                    if !same_hash {
                        findings.push(
                            Finding::error(
                                Code::IntegrityHashMismatch,
                                format!(
                                    "{} {} expected {} ({}), actual {actual}",
                                    entry.path,
                                    r.algorithm.as_str(),
                                    r.expected,
                                    r.source
                                ),
                            )
                            .in_file(&entry.path),
                        );
                    }
                    fc.checks.push(Check {
                        source: r.source.clone(),
                        algorithm: r.algorithm.as_str().into(),
                        expected: r.expected.clone(),
                        actual,
                        ok,
                    });
                }
                fc.sha256 = Some(h.sha256);
                if fc.checks.is_empty() {
                    summary.unverified += 1;
                } else if fc.checks.iter().all(|c| c.ok) {
                    summary.verified += 1;
                } else {
                    summary.mismatched += 1;
                }
            }
        }
        files.push(fc);
    }
    findings.sort_by(|a, b| (a.severity, a.code, &a.file).cmp(&(b.severity, b.code, &b.file)));
    let mut counts = FindingCounts::default();
    for f in &findings {
        match f.severity {
            Severity::Error => counts.errors += 1,
            Severity::Warning => counts.warnings += 1,
            Severity::Info => counts.infos += 1,
        }
    }
    summary.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(VerifyReport {
        schema_version: SCHEMA_VERSION,
        target: scanned.target,
        files,
        findings,
        summary,
        counts,
    })
}

/// The `--manifest`, read before anything is hashed: a path that cannot be
/// read (absent, a folder, a FIFO) is an error, not a finding.
fn read_manifest(options: &VerifyOptions) -> Result<Option<references::Manifest>, VerifyError> {
    let Some(path) = &options.manifest else {
        return Ok(None);
    };
    let text =
        crate::util::fs::read_regular_to_string(path).map_err(|cause| VerifyError::Manifest {
            path: path.display().to_string(),
            cause,
        })?;
    Ok(Some(references::Manifest {
        path: path.clone(),
        text,
    }))
}

/// `--pointers` must be a folder.
fn check_pointers(options: &VerifyOptions) -> Result<(), VerifyError> {
    let Some(dir) = &options.pointers else {
        return Ok(());
    };
    let why = match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => return Ok(()),
        Ok(m) if m.is_file() => "is a file, not a folder".to_string(),
        Ok(m) => format!(
            "is a {}, not a folder",
            crate::util::fs::special_kind(&m).unwrap_or("special file")
        ),
        Err(e) => format!("cannot be read: {e}"),
    };
    Err(VerifyError::Pointers {
        path: dir.display().to_string(),
        why,
    })
}

/// The report for people; control characters in file names are shown
/// escaped (see [`crate::util::term::safe`]).
pub fn render_text(r: &VerifyReport) -> String {
    crate::util::term::safe(&render_text_raw(r))
}

fn render_text_raw(r: &VerifyReport) -> String {
    use crate::util::human::bytes;
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(out, "{}", r.target.root.display());
    for f in &r.files {
        let status = if f.error.is_some() {
            "UNREADABLE".to_string()
        } else if f.checks.is_empty() {
            "unverified (no reference)".to_string()
        } else if f.checks.iter().all(|c| c.ok) {
            format!(
                "ok ({})",
                f.checks
                    .iter()
                    .map(|c| c.source.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        } else {
            "MISMATCH".to_string()
        };
        let _ = writeln!(
            out,
            "  {:>9}  {}  {:<12}  {}",
            bytes(f.size),
            f.sha256
                .as_deref()
                .map(|s| &s[..s.len().min(16)])
                .unwrap_or("—"),
            status,
            f.path
        );
    }
    for f in &r.findings {
        let _ = writeln!(
            out,
            "  {:<7} {:<24} {}{}",
            f.severity.as_str(),
            f.code.as_str(),
            f.file
                .as_deref()
                .map(|p| format!("{p}: "))
                .unwrap_or_default(),
            f.message
        );
    }
    let s = &r.summary;
    let secs = (s.elapsed_ms as f64 / 1000.0).max(0.001);
    let _ = writeln!(
        out,
        "{} files, {} hashed in {:.1} s ({}/s): {} verified, {} mismatched, {} missing, {} unreadable, {} without reference",
        s.files,
        bytes(s.bytes),
        secs,
        bytes((s.bytes as f64 / secs) as u64),
        s.verified,
        s.mismatched,
        s.missing,
        s.unreadable,
        s.unverified
    );
    out
}
