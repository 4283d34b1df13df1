//! `mri verify`: every weight and LFS file hashed once (sha256, streaming,
//! files in parallel) and compared with every reference found offline — the
//! Hugging Face cache's blob names, LFS pointer files (`--pointers`), a
//! `sha256sum` manifest (`--manifest`), and `hf download --local-dir` metadata.

pub mod hashing;
pub mod references;

use crate::finding::{Code, Finding, Severity};
use crate::locate::Target;
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
    /// The target could not be located or is not a model.
    #[error(transparent)]
    Target(#[from] crate::Error),
}

impl From<crate::locate::LocateError> for VerifyError {
    fn from(e: crate::locate::LocateError) -> Self {
        VerifyError::Target(e.into())
    }
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
    /// Weight files without any reference are listed (a warning) but do not
    /// fail the run (`--allow-unreferenced`).
    pub allow_unreferenced: bool,
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
    /// Weight files (safetensors, pickle, GGUF, ONNX) the model has: those on
    /// disk and those listed but absent.
    pub weights: u64,
    /// Weight files hashed and compared with at least one reference.
    pub checked: u64,
    /// Weight files that matched every reference they were compared with.
    pub matched: u64,
    /// Weight files on disk with no reference to compare with.
    pub unreferenced: u64,
    /// Weight files listed (by the shard index or the Hub's listing kept by
    /// `mri inspect hf://`) but not on disk.
    pub absent: u64,
    /// Symbolic links refused by the link policy (escaping the repository,
    /// looping, dangling): never read.
    pub refused_links: u64,
    /// `--allow-unreferenced` was given.
    pub allow_unreferenced: bool,
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
    /// Exit code: 0 only when every weight file was checked against a
    /// reference and matched (unreferenced ones allowed with
    /// `--allow-unreferenced`) and no error finding was made (a refused
    /// link, an absent or missing file, a security error); else 1.
    pub fn exit_code(&self) -> u8 {
        let s = &self.summary;
        let unreferenced = s.unreferenced > 0 && !s.allow_unreferenced;
        let nothing = s.checked == 0 && !s.allow_unreferenced;
        let failed = s.mismatched > 0 || s.missing > 0 || s.unreadable > 0;
        let absent = s.absent > 0 || s.refused_links > 0;
        if failed || absent || unreferenced || nothing || self.counts.errors > 0 {
            1
        } else {
            0
        }
    }
}

/// True for the classes whose files are hashed even without a reference:
/// the weights and their shard indexes.
fn is_weighty(class: FileClass) -> bool {
    matches!(
        class,
        FileClass::Weights | FileClass::Pickle | FileClass::Gguf | FileClass::Onnx
    )
}

/// True for the files `mri verify` must check: the weights themselves
/// (safetensors, pickle, GGUF, ONNX), not a shard index.
fn is_weight(path: &str, class: FileClass) -> bool {
    is_weighty(class) && !path.to_ascii_lowercase().ends_with(".json")
}

/// Verifies the model `input`.
pub fn verify(
    input: &str,
    inspect: &crate::InspectOptions,
    options: &VerifyOptions,
) -> Result<VerifyReport, VerifyError> {
    let started = std::time::Instant::now();
    let target = crate::locate::locate(input, inspect.revision.as_deref(), &inspect.cache)?;
    let manifest = read_manifest(options)?;
    check_pointers(options)?;
    // What an earlier `mri inspect hf://` kept: the Hub's listing, so that
    // shards left on the Hub are known to be absent.
    let kept = crate::hub::kept::remote_files(&target);
    let scanned = crate::scan::scan_with(target, kept.as_ref());
    // A folder whose every file is a refused link is reported (exit 1,
    // each link named), not called "not a model".
    let refused_any = scanned.findings.iter().any(|f| {
        matches!(
            f.code,
            Code::FilesSymlinkEscape | Code::FilesSymlinkLoop | Code::FilesBrokenLink
        )
    });
    if !refused_any && !crate::scan::looks_like_model(&scanned.files) {
        return Err(crate::locate::LocateError::NotAModel(
            scanned.target.root.display().to_string(),
        )
        .into());
    }
    let mut findings = Vec::new();
    let mut summary = VerifySummary {
        allow_unreferenced: options.allow_unreferenced,
        ..VerifySummary::default()
    };
    let refused = carry_scan_findings(&scanned, &mut findings, &mut summary);
    absent_weights(&scanned, &refused, &mut findings, &mut summary);
    findings.extend(security_findings(&scanned));
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
        .filter(|f| f.lfs_pointer.is_none() && !f.remote_only)
        .filter_map(|f| {
            let r = refs.get(&f.path).cloned().unwrap_or_default();
            (is_weighty(f.class) || !r.is_empty()).then_some((f, r))
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
        let fc = compare(entry, refs, result, &mut findings, &mut summary);
        if is_weight(&entry.path, entry.class) && fc.error.is_none() {
            if fc.checks.is_empty() {
                summary.unreferenced += 1;
                findings.push(unreferenced_finding(
                    &entry.path,
                    options.allow_unreferenced,
                ));
            } else {
                summary.checked += 1;
                summary.matched += u64::from(fc.checks.iter().all(|c| c.ok));
            }
        }
        files.push(fc);
    }
    if summary.weights == 0 {
        let message =
            "no weight file (safetensors, pickle, GGUF, ONNX) was found: no weights were verified";
        findings.push(if options.allow_unreferenced {
            Finding::warning(Code::IntegrityAbsent, message)
        } else {
            Finding::error(Code::IntegrityAbsent, message)
        });
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

/// The finding for a weight file without any reference: an error, or a
/// warning with `--allow-unreferenced`.
fn unreferenced_finding(path: &str, allowed: bool) -> Finding {
    let message = "no reference hash (cache blob name, --manifest, --pointers, local-dir metadata): not verified";
    let f = if allowed {
        Finding::warning(Code::IntegrityUnreferenced, message)
    } else {
        Finding::error(
            Code::IntegrityUnreferenced,
            format!("{message} (--allow-unreferenced lets it pass)"),
        )
    };
    f.in_file(path)
}

/// Carries the scan's findings that concern verification: refused links
/// (each an error, counted), missing blobs, LFS pointers standing for
/// weights, special files. Returns the paths of the refused links.
fn carry_scan_findings(
    scanned: &crate::scan::ScannedRepo,
    findings: &mut Vec<Finding>,
    summary: &mut VerifySummary,
) -> std::collections::HashSet<String> {
    let mut refused = std::collections::HashSet::new();
    for f in &scanned.findings {
        match f.code {
            Code::FilesBrokenLink | Code::OllamaBlobMissing => {
                findings.push(Finding {
                    code: Code::IntegrityBlobMissing,
                    severity: Severity::Error,
                    message: f.message.clone(),
                    file: f.file.clone(),
                    line: None,
                    tensor: None,
                });
                summary.missing += 1;
                refused.extend(f.file.clone());
            }
            Code::FilesSymlinkEscape | Code::FilesSymlinkLoop => {
                let mut f = f.clone();
                f.severity = Severity::Error;
                f.message = format!("{} (refused by the link policy: not verified)", f.message);
                refused.extend(f.file.clone());
                findings.push(f);
                summary.refused_links += 1;
            }
            _ => {}
        }
    }
    for f in &scanned.files {
        if let (Some(p), true) = (&f.lfs_pointer, is_weighty(f.class)) {
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
        let weighty = f
            .file
            .as_deref()
            .is_some_and(|p| is_weighty(crate::scan::classify::classify(p)));
        if weighty {
            f.severity = Severity::Error;
            summary.unreadable += 1;
        }
        findings.push(f);
    }
    refused
}

/// Counts the weight files and names those that are listed but not on disk:
/// the shards an index names, and the weights the Hub listed (kept by an
/// earlier `mri inspect hf://`) that were never downloaded. A path already
/// named as a refused link or a missing blob is not named twice.
fn absent_weights(
    scanned: &crate::scan::ScannedRepo,
    refused: &std::collections::HashSet<String>,
    findings: &mut Vec<Finding>,
    summary: &mut VerifySummary,
) {
    let on_disk: std::collections::HashSet<&str> = scanned
        .files
        .iter()
        .filter(|f| !f.remote_only)
        .map(|f| f.path.as_str())
        .collect();
    summary.weights = scanned
        .files
        .iter()
        .filter(|f| !f.remote_only && is_weight(&f.path, f.class))
        .count() as u64;
    let mut absent: std::collections::BTreeMap<String, &'static str> = Default::default();
    for index in &scanned.indexes {
        for shard in index.shard_paths() {
            if !on_disk.contains(shard.as_str()) {
                absent.insert(shard, "named by the shard index but not on disk");
            }
        }
    }
    for f in scanned
        .files
        .iter()
        .filter(|f| f.remote_only && is_weight(&f.path, f.class))
    {
        absent.insert(
            f.path.clone(),
            "listed on the Hub but not downloaded (`mri download` it to verify it)",
        );
    }
    for (path, why) in absent {
        summary.weights += 1;
        if refused.contains(&path) {
            continue;
        }
        summary.absent += 1;
        findings.push(Finding::error(Code::IntegrityAbsent, why).in_file(path));
    }
}

/// The security checks `mri inspect` makes (pickle imports, remote code,
/// chat templates), on what the scan read.
fn security_findings(scanned: &crate::scan::ScannedRepo) -> Vec<Finding> {
    crate::security::analyze(&scanned.security_inputs()).1
}

/// Compares one file's hashes with its references.
fn compare(
    entry: &crate::scan::FileEntry,
    refs: &[Reference],
    result: Result<hashing::Hashed, String>,
    findings: &mut Vec<Finding>,
    summary: &mut VerifySummary,
) -> FileCheck {
    summary.files += 1;
    let mut fc = FileCheck {
        path: entry.path.clone(),
        size: entry.size,
        sha256: None,
        checks: Vec::new(),
        error: None,
    };
    let h = match result {
        Err(e) => {
            findings.push(
                Finding::error(Code::FilesUnreadable, format!("cannot hash: {e}"))
                    .in_file(&entry.path),
            );
            fc.error = Some(e);
            summary.unreadable += 1;
            return fc;
        }
        Ok(h) => h,
    };
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
    fc
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
        let _ = writeln!(out, "  {}", f.listing_line(24));
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
    let _ = writeln!(
        out,
        "{} weight files: {} checked, {} matched, {} unreferenced{}, {} absent, {} links refused: {}",
        s.weights,
        s.checked,
        s.matched,
        s.unreferenced,
        if s.allow_unreferenced && s.unreferenced > 0 {
            " (allowed)"
        } else {
            ""
        },
        s.absent,
        s.refused_links,
        if r.exit_code() == 0 {
            "OK"
        } else {
            "FAILED"
        }
    );
    out
}
