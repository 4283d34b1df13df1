//! `mri verify TARGET --signature model.sig`: the bundle's signature first
//! (nothing is hashed when it does not hold), then every file it lists
//! against the disk, then every file on disk it does not list.

use super::walk::{self, Ignored, Listing};
use super::SignError;
use crate::finding::{Code, Finding, Severity};
use crate::locate::Target;
use crate::report::{FindingCounts, SCHEMA_VERSION};
use crate::signature::{self, Signer, SignerHint, Verifier};
use crate::verify::{Check, FileCheck};
use serde::Serialize;
use std::path::PathBuf;

/// Options of `mri verify --signature`.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    /// The bundle (`model.sig`).
    pub signature: PathBuf,
    /// A PEM public key (ECDSA P-256 or P-384).
    pub key: Option<PathBuf>,
    /// PEM certificates trusted to issue the signing certificate.
    pub certificate_chain: Option<PathBuf>,
    /// A SAN email or URI the signing certificate must carry.
    pub identity: Option<String>,
    /// The OIDC issuer the signing certificate must name.
    pub issuer: Option<String>,
    /// A Sigstore trusted root, for keyless bundles.
    pub trust_root: Option<PathBuf>,
    /// Files hashed at once (0: one per core).
    pub jobs: usize,
    /// Draw a progress bar on stderr.
    pub progress: bool,
}

/// What the statement says, in short.
#[derive(Debug, Clone, Serialize)]
pub struct StatementSummary {
    /// The subject's name (the folder's name when signed).
    pub model_name: String,
    /// The subject's sha256 (over every file's digest).
    pub root_digest: String,
    /// The predicate type.
    pub predicate_type: &'static str,
    /// The serialization recorded.
    pub serialization: signature::Serialization,
    /// Files listed.
    pub files: usize,
}

/// The signature's part of the report.
#[derive(Debug, Clone, Serialize)]
pub struct SignatureSection {
    /// The bundle's path as given.
    pub path: String,
    /// The signature held (over the statement, with the key or chain given).
    pub valid: bool,
    /// Who signed, when the signature held.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signer: Option<Signer>,
    /// What the bundle says about its signer, checked or not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claimed: Option<SignerHint>,
    /// The statement, when it could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement: Option<StatementSummary>,
}

/// Counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FileSummary {
    /// Files the statement lists.
    pub listed: u64,
    /// Files hashed.
    pub files: u64,
    /// Bytes hashed.
    pub bytes: u64,
    /// Listed files whose sha256 matched.
    pub verified: u64,
    /// Listed files whose sha256 differed.
    pub changed: u64,
    /// Listed files not on disk or unreadable.
    pub missing: u64,
    /// Files on disk the statement does not list.
    pub unlisted: u64,
    /// Listed paths outside the folder, and links leaving it.
    pub escaping: u64,
    /// Wall time in milliseconds.
    pub elapsed_ms: u64,
}

/// The outcome of `mri verify --signature`: the same frame as
/// `mri verify`'s report (target, files, findings, summary, counts) with the
/// signature's section.
#[derive(Debug, Clone, Serialize)]
pub struct SignatureReport {
    /// The Report's schema version.
    pub schema_version: u32,
    /// Where the model is.
    pub target: Target,
    /// The signature.
    pub signature: SignatureSection,
    /// Every listed file hashed.
    pub files: Vec<FileCheck>,
    /// Every cause, named.
    pub findings: Vec<Finding>,
    /// Counts.
    pub summary: FileSummary,
    /// Findings by severity.
    pub counts: FindingCounts,
}

impl SignatureReport {
    /// 0 when the signature held and every listed file matched with nothing
    /// unlisted, missing or escaping; else 1.
    pub fn exit_code(&self) -> u8 {
        u8::from(!self.signature.valid || self.counts.errors > 0)
    }
}

/// How to check, from the options: a key, or a chain (with identity and
/// issuer), else nothing (the bundle is read and reported, never valid).
fn verifier(options: &CheckOptions) -> Result<Verifier, SignError> {
    let given = [
        options.key.is_some(),
        options.certificate_chain.is_some(),
        options.trust_root.is_some(),
    ];
    if given.iter().filter(|g| **g).count() > 1 {
        return Err(SignError::Usage(
            "--key, --certificate-chain and --trust-root exclude each other".into(),
        ));
    }
    if let Some(path) = &options.trust_root {
        let (Some(identity), Some(issuer)) = (&options.identity, &options.issuer) else {
            return Err(SignError::Usage(
                "--trust-root checks a keyless signature for an identity: give --identity and --issuer".into(),
            ));
        };
        let bytes = super::read_option_file(path, "the trust root", 16 << 20)?;
        let root = signature::trust_root::TrustRoot::from_json(&bytes).map_err(|cause| {
            SignError::Certificate {
                what: "the trust root",
                path: path.display().to_string(),
                cause,
            }
        })?;
        return Ok(Verifier::TrustRoot {
            root: Box::new(root),
            identity: identity.clone(),
            issuer: issuer.clone(),
        });
    }
    if let Some(path) = &options.key {
        if options.identity.is_some() || options.issuer.is_some() {
            return Err(SignError::Usage(
                "--identity and --issuer are checked in a certificate; they go with --certificate-chain".into(),
            ));
        }
        let text = super::read_option_text(path, "the key")?;
        let key = signature::PublicKey::from_pem(&text).map_err(|cause| SignError::Key {
            what: "the key",
            path: path.display().to_string(),
            cause,
        })?;
        return Ok(Verifier::Key(key));
    }
    if let Some(path) = &options.certificate_chain {
        let text = super::read_option_text(path, "the certificate chain")?;
        let trusted = signature::x509::Cert::from_pem_chain(&text).map_err(|cause| {
            SignError::Certificate {
                what: "the certificate chain",
                path: path.display().to_string(),
                cause,
            }
        })?;
        return Ok(Verifier::Chain {
            trusted,
            identity: options.identity.clone(),
            issuer: options.issuer.clone(),
        });
    }
    if options.identity.is_some() || options.issuer.is_some() {
        return Err(SignError::Usage(
            "--identity and --issuer need the certificates to trust: --certificate-chain (or --trust-root for keyless bundles)".into(),
        ));
    }
    Ok(Verifier::None)
}

/// Checks the model `input` against the signature in `options`.
pub fn check(
    input: &str,
    inspect: &crate::InspectOptions,
    options: &CheckOptions,
) -> Result<SignatureReport, SignError> {
    let started = std::time::Instant::now();
    let verifier = verifier(options)?;
    let target = super::locate_folder(input, inspect)?;
    let bytes = super::read_option_file(
        &options.signature,
        "the signature",
        signature::MAX_BUNDLE_BYTES,
    )?;
    let mut report = SignatureReport {
        schema_version: SCHEMA_VERSION,
        target,
        signature: SignatureSection {
            path: options.signature.display().to_string(),
            valid: false,
            signer: None,
            claimed: None,
            statement: None,
        },
        files: Vec::new(),
        findings: Vec::new(),
        summary: FileSummary::default(),
        counts: FindingCounts::default(),
    };
    let sig_file = options.signature.display().to_string();
    match signature::read(&bytes) {
        Err(e) => report.findings.push(cause(e, &sig_file)),
        Ok(read) => {
            report.signature.claimed = Some(read.hint.clone());
            if let Ok(statement) = &read.statement {
                report.signature.statement = Some(StatementSummary {
                    model_name: statement.model_name.clone(),
                    root_digest: statement.root_digest.clone(),
                    predicate_type: signature::PREDICATE_TYPE,
                    serialization: statement.serialization.clone(),
                    files: statement.resources.len(),
                });
            }
            match signature::verify(&read, &verifier) {
                Err(e) => report.findings.push(cause(e, &sig_file)),
                Ok((signer, statement)) => {
                    report.signature.valid = true;
                    report.signature.signer = Some(signer);
                    compare_files(&mut report, statement, options);
                }
            }
        }
    }
    finish(&mut report);
    report.summary.elapsed_ms = started.elapsed().as_millis() as u64;
    Ok(report)
}

/// A signature problem as an error finding on the bundle.
fn cause(e: signature::SignatureError, file: &str) -> Finding {
    Finding::error(e.code(), e.to_string()).in_file(file)
}

/// Sorts the findings and counts them.
fn finish(report: &mut SignatureReport) {
    report
        .findings
        .sort_by(|a, b| (a.severity, a.code, &a.file).cmp(&(b.severity, b.code, &b.file)));
    let mut counts = FindingCounts::default();
    for f in &report.findings {
        match f.severity {
            Severity::Error => counts.errors += 1,
            Severity::Warning => counts.warnings += 1,
            Severity::Info => counts.infos += 1,
        }
    }
    report.counts = counts;
}

/// The statement against the disk: listed files hashed and compared,
/// missing and escaping ones named, unlisted ones named.
fn compare_files(
    report: &mut SignatureReport,
    statement: &signature::Statement,
    options: &CheckOptions,
) {
    let s = &statement.serialization;
    if s.method != "files" || s.hash_type != "sha256" {
        report.findings.push(Finding::error(
            Code::SignatureInvalid,
            format!(
                "the files were serialized as `{}` with `{}`; mri checks the default serialization (`files`, `sha256`)",
                s.method, s.hash_type
            ),
        ));
        return;
    }
    let root = report.target.root.clone();
    let sig_rel = super::inside(&root, &options.signature);
    let ignored = Ignored::new(
        s.ignore_paths
            .iter()
            .map(String::as_str)
            .chain(sig_rel.as_deref()),
    );
    let listing = walk::list(&root, &report.target.containment, &ignored);
    let mut findings = std::mem::take(&mut report.findings);
    findings.extend(listing.findings.iter().cloned());
    let wanted = listed_files(statement, &listing, &mut findings, &mut report.summary);
    let jobs: Vec<crate::verify::hashing::Job> = wanted
        .iter()
        .filter_map(|(name, _)| listing.files.get(name))
        .map(|f| crate::verify::hashing::Job {
            path: &f.real,
            size: f.size,
            git_sha1: false,
        })
        .collect();
    let hashed =
        crate::verify::hashing::hash_jobs(&jobs, super::jobs(options.jobs), options.progress);
    for ((name, expected), result) in wanted.iter().zip(hashed) {
        let size = listing.files.get(name).map_or(0, |f| f.size);
        report.files.push(compare_one(
            name,
            size,
            expected,
            result,
            &mut findings,
            &mut report.summary,
        ));
    }
    unlisted(
        statement,
        &listing,
        &ignored,
        &mut findings,
        &mut report.summary,
    );
    report.findings = findings;
}

/// The listed files that are on disk (name, expected sha256), in the
/// statement's order; the others named as missing or escaping.
fn listed_files(
    statement: &signature::Statement,
    listing: &Listing,
    findings: &mut Vec<Finding>,
    summary: &mut FileSummary,
) -> Vec<(String, String)> {
    let mut seen = std::collections::HashSet::new();
    let mut wanted = Vec::new();
    for r in &statement.resources {
        summary.listed += 1;
        let name = match signature::statement::clean_name(&r.name) {
            Ok(n) => n,
            Err(why) => {
                summary.escaping += 1;
                findings.push(
                    Finding::error(
                        Code::SignaturePathEscape,
                        format!(
                            "the signature lists `{}`, which {why}: refused, never read",
                            r.name
                        ),
                    )
                    .in_file(&r.name),
                );
                continue;
            }
        };
        if !seen.insert(name.clone()) {
            findings.push(
                Finding::error(Code::SignatureInvalid, "listed twice by the signature")
                    .in_file(&name),
            );
            continue;
        }
        if r.algorithm != "sha256" {
            findings.push(
                Finding::error(
                    Code::SignatureInvalid,
                    format!("listed with algorithm `{}`; mri checks sha256", r.algorithm),
                )
                .in_file(&name),
            );
            continue;
        }
        if listing.files.contains_key(&name) {
            wanted.push((name, r.digest.clone()));
        } else if let Some(refused) = listing.refused.get(&name) {
            if refused.code == Code::SignaturePathEscape {
                summary.escaping += 1;
            } else {
                summary.missing += 1;
            }
            findings.push(Finding::error(refused.code, refused.why.clone()).in_file(&name));
        } else {
            summary.missing += 1;
            findings.push(
                Finding::error(
                    Code::SignatureFileMissing,
                    "listed by the signature but not on disk",
                )
                .in_file(&name),
            );
        }
    }
    wanted
}

/// One listed file's hash against the signed one.
fn compare_one(
    name: &str,
    size: u64,
    expected: &str,
    result: Result<crate::verify::hashing::Hashed, String>,
    findings: &mut Vec<Finding>,
    summary: &mut FileSummary,
) -> FileCheck {
    summary.files += 1;
    let mut fc = FileCheck {
        path: name.to_string(),
        size,
        sha256: None,
        checks: Vec::new(),
        error: None,
    };
    match result {
        Err(e) => {
            summary.missing += 1;
            findings.push(
                Finding::error(Code::SignatureFileMissing, format!("cannot be read: {e}"))
                    .in_file(name),
            );
            fc.error = Some(e);
        }
        Ok(h) => {
            summary.bytes += h.bytes;
            let ok = h.sha256.eq_ignore_ascii_case(expected);
            if ok {
                summary.verified += 1;
            } else {
                summary.changed += 1;
                findings.push(
                    Finding::error(
                        Code::SignatureFileChanged,
                        format!(
                            "sha256 is {}, the signature lists {expected}: changed since signing",
                            h.sha256
                        ),
                    )
                    .in_file(name),
                );
            }
            fc.checks.push(Check {
                source: "model-signing".into(),
                algorithm: "sha256".into(),
                expected: expected.to_string(),
                actual: h.sha256.clone(),
                ok,
            });
            fc.sha256 = Some(h.sha256);
        }
    }
    fc
}

/// Files on disk (and refused paths) the statement does not list.
fn unlisted(
    statement: &signature::Statement,
    listing: &Listing,
    ignored: &Ignored,
    findings: &mut Vec<Finding>,
    summary: &mut FileSummary,
) {
    let listed: std::collections::HashSet<String> = statement
        .resources
        .iter()
        .filter_map(|r| signature::statement::clean_name(&r.name).ok())
        .collect();
    for name in listing.files.keys() {
        if !listed.contains(name) && !ignored.covers(name) {
            summary.unlisted += 1;
            findings.push(
                Finding::error(
                    Code::SignatureFileUnlisted,
                    "on disk but not listed by the signature: added after signing, or renamed",
                )
                .in_file(name),
            );
        }
    }
    for (name, refused) in &listing.refused {
        if !listed.contains(name) {
            if refused.code == Code::SignaturePathEscape {
                summary.escaping += 1;
            } else {
                summary.unlisted += 1;
            }
            let code = if refused.code == Code::SignaturePathEscape {
                Code::SignaturePathEscape
            } else {
                Code::SignatureFileUnlisted
            };
            findings.push(Finding::error(code, refused.why.clone()).in_file(name));
        }
    }
}
