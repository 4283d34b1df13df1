//! The Report: one serde struct behind every output. Its JSON form is a
//! versioned contract documented in `docs/report.md`.

/// Findings live on the ground floor (`crate::finding`); re-exported here for
/// the library's users who name them through the Report.
pub use crate::finding;
pub mod bom;
pub mod gguf_text;
pub mod json;
pub mod license_view;
pub mod markdown;
pub mod smoke;
pub mod text;
pub mod training_data_view;

use crate::analyze::memory::Memory;
use crate::analyze::weights::WeightsSummary;
use crate::license::LicenseReport;
use crate::locate::Target;
use crate::model::card::Card;
use crate::model::config::Architecture;
use crate::model::generation::GenerationSummary;
use crate::model::tokenizer::TokenizerSummary;
use crate::scan::FileEntry;
use finding::{Finding, Severity};
use serde::Serialize;

/// Version of the JSON contract. Bumped on any change a script could notice
/// (a field removed, renamed or retyped); adding fields does not bump it.
pub const SCHEMA_VERSION: u32 = 1;

/// The tool that made the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ToolInfo {
    /// Always `mri`.
    pub name: String,
    /// The crate version.
    pub version: String,
}

impl Default for ToolInfo {
    fn default() -> Self {
        ToolInfo {
            name: "mri".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        }
    }
}

/// Findings counted by severity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct FindingCounts {
    /// Errors.
    pub errors: u64,
    /// Warnings.
    pub warnings: u64,
    /// Infos.
    pub infos: u64,
}

/// Everything `mri` knows about one model.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Version of this structure's JSON form.
    pub schema_version: u32,
    /// The tool and its version.
    pub tool: ToolInfo,
    /// Where the model is.
    pub target: Target,
    /// Every file, sorted by path.
    pub files: Vec<FileEntry>,
    /// Weight totals, shards and tensors.
    pub weights: WeightsSummary,
    /// Architecture from config.json (absent without one).
    pub architecture: Option<Architecture>,
    /// Memory estimates.
    pub memory: Memory,
    /// Tokenizer summary (absent without tokenizer files).
    pub tokenizer: Option<TokenizerSummary>,
    /// generation_config.json summary.
    pub generation: Option<GenerationSummary>,
    /// The model card's front matter.
    pub card: Option<Card>,
    /// The license decision.
    pub license: Option<LicenseReport>,
    /// The datasets the model declares it was trained on, each with its
    /// terms and verdict, and the strictest verdict (`verdict`). Stands
    /// beside the license decision: the model's own verdict never changes
    /// because of its data.
    pub training_data: crate::analyze::training_data::TrainingData,
    /// The PEFT adapter, for adapter directories.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adapter: Option<crate::adapter::AdapterSummary>,
    /// Pickle imports, remote code and chat templates.
    pub security: Option<crate::security::SecuritySummary>,
    /// Every finding, most severe first.
    pub findings: Vec<Finding>,
    /// Findings counted by severity.
    pub summary: FindingCounts,
    /// What `mri smoke` found (absent unless a smoke test ran).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smoke: Option<smoke::SmokeSummary>,
    /// The GGUF files: version, alignment, types, models, metadata (absent without GGUF files).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gguf: Option<crate::analyze::gguf::GgufSummary>,
    /// The Ollama model's manifest and layers (`ollama://` targets only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ollama: Option<crate::scan::ollama::OllamaSummary>,
    /// The model signature (`model.sig`) in the folder: who it names and
    /// whether it lists every file; verified only by `mri verify
    /// --signature` (and by `mri check` with a `[signature]` policy).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<crate::signature::Summary>,
}

impl Report {
    /// A short name for the model: the repo id, else the folder name.
    pub fn display_name(&self) -> String {
        if let Some(o) = &self.target.ollama {
            return o.display();
        }
        if matches!(
            self.target.kind,
            crate::locate::TargetKind::GgufFile | crate::locate::TargetKind::SafetensorsFile
        ) {
            if let Some(f) = self.target.listed.as_ref().and_then(|l| l.first()) {
                return f.rel.clone();
            }
        }
        self.target.repo_id.clone().unwrap_or_else(|| {
            self.target
                .root
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| self.target.input.clone())
        })
    }

    /// Attaches what a smoke run found: its summary as the `smoke` object,
    /// and the findings it raised (non-finite or all-zero weights) among the
    /// Report's, recounted.
    pub fn attach_smoke(&mut self, summary: smoke::SmokeSummary, findings: &[Finding]) {
        self.findings.extend(findings.iter().cloned());
        self.finish_findings();
        self.smoke = Some(summary);
    }

    /// Sorts findings (severity, code, file, line) and recounts them.
    pub fn finish_findings(&mut self) {
        self.findings.sort_by(|a, b| {
            (a.severity, a.code, &a.file, a.line, &a.tensor)
                .cmp(&(b.severity, b.code, &b.file, b.line, &b.tensor))
        });
        self.findings.dedup();
        let mut c = FindingCounts::default();
        for f in &self.findings {
            match f.severity {
                Severity::Error => c.errors += 1,
                Severity::Warning => c.warnings += 1,
                Severity::Info => c.infos += 1,
            }
        }
        self.summary = c;
    }
}
