//! Security: pickle imports (never unpickled), code that `trust_remote_code`
//! would execute, and chat templates that reach into interpreter internals.

pub mod globals;
pub mod pickle;
pub mod read;
pub mod template;

use crate::finding::{Code, Finding};
use crate::util::json::JsonDoc;
use globals::{classify, Danger};
use read::PickleScan;
use serde::Serialize;
use std::collections::BTreeMap;

/// One imported callable of a pickle stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportSummary {
    /// Module.
    pub module: String,
    /// Name.
    pub name: String,
    /// `GLOBAL`, `INST` or `STACK_GLOBAL`.
    pub op: String,
    /// How many times it is imported.
    pub count: u64,
    /// Byte offset of the first import in the stream.
    pub offset: usize,
    /// `dangerous`, `unknown` or `safe`.
    pub danger: Danger,
}

/// One pickle stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PickleSummary {
    /// The file.
    pub file: String,
    /// The zip member, for PyTorch zip checkpoints.
    pub member: Option<String>,
    /// `pickle` or `torch-zip`.
    pub format: String,
    /// Pickles (STOP opcodes) in the stream.
    pub pickles: usize,
    /// Distinct imports.
    pub imports: Vec<ImportSummary>,
    /// Malformed opcodes skipped.
    pub malformed: usize,
}

/// A Python file of the repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeFile {
    /// Path.
    pub file: String,
    /// sha256 of its content.
    pub sha256: String,
    /// The `auto_map` entries that name it.
    pub referenced_by: Vec<String>,
}

/// What the security checks saw.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SecuritySummary {
    /// Every pickle stream walked.
    pub pickles: Vec<PickleSummary>,
    /// Python files, with hashes.
    pub code: Vec<CodeFile>,
    /// `auto_map` entries: (file, class, module reference).
    pub auto_map: Vec<(String, String, String)>,
}

/// What the checks read (the scan stage gathers it).
#[derive(Debug, Default)]
pub struct SecurityInputs<'a> {
    /// Pickle streams walked.
    pub pickles: &'a [PickleScan],
    /// Python files and their sha256.
    pub code_files: &'a [(String, String)],
    /// config.json.
    pub config: Option<&'a JsonDoc>,
    /// tokenizer_config.json.
    pub tokenizer_config: Option<&'a JsonDoc>,
    /// Chat templates: (source file, template text).
    pub templates: &'a [(String, String)],
}

fn auto_map_entries(doc: &JsonDoc) -> Vec<(String, String)> {
    let Some(map) = doc.get("auto_map").and_then(|v| v.as_object()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (class, v) in map {
        match v {
            serde_json::Value::String(s) => out.push((class.clone(), s.clone())),
            serde_json::Value::Array(items) => {
                for s in items.iter().filter_map(|i| i.as_str()) {
                    out.push((class.clone(), s.to_string()));
                }
            }
            _ => {}
        }
    }
    out
}

/// Judges what was read; returns the summary and the findings.
pub fn analyze(i: &SecurityInputs<'_>) -> (SecuritySummary, Vec<Finding>) {
    let mut findings = Vec::new();
    let mut summary = SecuritySummary::default();
    for scan in i.pickles {
        summary.pickles.push(judge_pickle(scan, &mut findings));
    }
    for doc in [i.config, i.tokenizer_config].into_iter().flatten() {
        let line = doc.key_line("auto_map");
        for (class, reference) in auto_map_entries(doc) {
            findings.push(
                Finding::warning(
                    Code::SecurityRemoteCode,
                    format!("auto_map sends {class} to `{reference}`: loading with trust_remote_code=True executes the repository's code"),
                )
                .in_file(&doc.path)
                .at_optional_line(line),
            );
            summary.auto_map.push((doc.path.clone(), class, reference));
        }
    }
    for (file, sha256) in i.code_files {
        let code = judge_code_file(file, sha256, &summary.auto_map, &mut findings);
        summary.code.push(code);
    }
    for (source, text) in i.templates {
        let found = template::suspicious(text);
        if !found.is_empty() {
            let what: Vec<String> = found
                .iter()
                .map(|(p, why)| format!("`{p}` ({why})"))
                .collect();
            findings.push(
                Finding::error(
                    Code::SecurityTemplate,
                    format!(
                        "the chat template reaches into interpreter internals: {}",
                        what.join("; ")
                    ),
                )
                .in_file(source),
            );
        }
    }
    (summary, findings)
}

/// One pickle stream judged: its distinct imports (each a finding as
/// dangerous as the callable), and a finding when it was not walked to
/// its end.
fn judge_pickle(scan: &PickleScan, findings: &mut Vec<Finding>) -> PickleSummary {
    let place = match &scan.member {
        Some(m) => format!("{} (member {m})", scan.file),
        None => scan.file.clone(),
    };
    let imports = distinct_imports(scan);
    for imp in &imports {
        let what = format!("{}.{}", imp.module, imp.name);
        let finding = match imp.danger {
            Danger::Dangerous => Finding::error(
                Code::SecurityPickleGlobal,
                format!("{place} imports `{what}` ({}, byte {}): loading this file can run code", imp.op, imp.offset),
            ),
            Danger::Unknown => Finding::warning(
                Code::SecurityPickleGlobal,
                format!("{place} imports `{what}` ({}, byte {}), which is not a known checkpoint building block", imp.op, imp.offset),
            ),
            Danger::Safe => Finding::info(
                Code::SecurityPickleGlobal,
                format!("{place} imports `{what}` ×{} (a known PyTorch/NumPy building block)", imp.count),
            ),
        };
        findings.push(finding.in_file(&scan.file));
    }
    if let Some(why) = &scan.walk.unscanned {
        findings.push(
            Finding::error(
                Code::SecurityPickleUnscanned,
                format!(
                    "{place} was not scanned to its end ({why}): imports after byte {} are unknown, so loading this file may run code",
                    scan.walk.bytes
                ),
            )
            .in_file(&scan.file),
        );
    }
    PickleSummary {
        file: scan.file.clone(),
        member: scan.member.clone(),
        format: scan.format.into(),
        pickles: scan.walk.pickles,
        imports,
        malformed: scan.walk.malformed.len(),
    }
}

/// A stream's imports, each (module, name, opcode) once, counted, with
/// the offset of the first, in (module, name, opcode) order.
fn distinct_imports(scan: &PickleScan) -> Vec<ImportSummary> {
    let mut distinct: BTreeMap<(String, String, String), ImportSummary> = BTreeMap::new();
    for imp in &scan.walk.imports {
        let key = (
            imp.module.clone(),
            imp.name.clone(),
            imp.op.as_str().to_string(),
        );
        distinct
            .entry(key)
            .and_modify(|s| s.count += 1)
            .or_insert(ImportSummary {
                module: imp.module.clone(),
                name: imp.name.clone(),
                op: imp.op.as_str().into(),
                count: 1,
                offset: imp.offset,
                danger: classify(&imp.module, &imp.name),
            });
    }
    distinct.into_values().collect()
}

/// One Python file judged: a warning when an `auto_map` entry names its
/// module (trust_remote_code runs it), a note to review it otherwise.
fn judge_code_file(
    file: &str,
    sha256: &str,
    auto_map: &[(String, String, String)],
    findings: &mut Vec<Finding>,
) -> CodeFile {
    let module = file.trim_end_matches(".py").replace('/', ".");
    let referenced_by: Vec<String> = auto_map
        .iter()
        .filter(|(_, _, r)| {
            let target = r.rsplit("--").next().unwrap_or(r);
            target.rsplit_once('.').map(|(m, _)| m) == Some(module.as_str())
        })
        .map(|(_, class, _)| class.clone())
        .collect();
    let msg = if referenced_by.is_empty() {
        format!("Python file (sha256 {sha256}); not named by auto_map, but review it before running anything from this repository")
    } else {
        format!(
            "Python file (sha256 {sha256}) executed by trust_remote_code=True for {}",
            referenced_by.join(", ")
        )
    };
    let f = if referenced_by.is_empty() {
        Finding::info(Code::SecurityRemoteCode, msg)
    } else {
        Finding::warning(Code::SecurityRemoteCode, msg)
    };
    findings.push(f.in_file(file));
    CodeFile {
        file: file.to_string(),
        sha256: sha256.to_string(),
        referenced_by,
    }
}
