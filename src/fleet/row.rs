//! One line of `mri ls`: what a model is, taken from its Report, which is
//! then dropped (a fleet's memory is its rows, not its Reports).

use crate::license::Verdict;
use crate::locate::discover::{Found, FoundKind};
use crate::report::Report;
use serde::Serialize;
use std::hash::{Hash, Hasher};

/// One model of the listing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// The string any other `mri` command takes for this model.
    pub target: String,
    /// A short name: `ORG/NAME@REF`, `NAME:TAG`, or the path.
    pub name: String,
    /// `hf-cache`, `ollama`, `directory`, `gguf` or `safetensors`.
    pub kind: FoundKind,
    /// The architecture (`LlamaForCausalLM`, a GGUF `general.architecture`).
    pub architecture: Option<String>,
    /// Parameters counted from the headers.
    pub parameters: Option<u64>,
    /// The quantization scheme, the GGUF file type, or the main dtype.
    pub quantization: Option<String>,
    /// Bytes on disk of the model's files (each file once).
    pub size_on_disk: u64,
    /// The licenses detected, `+`-joined.
    pub license: Option<String>,
    /// The commercial-use verdict.
    pub verdict: Option<Verdict>,
    /// Error findings.
    pub errors: u64,
    /// Warning findings.
    pub warnings: u64,
    /// The newest modification time of its files, seconds since 1970 (UTC).
    pub modified: Option<u64>,
    /// The same as `YYYY-MM-DDTHH:MM:SSZ`.
    pub modified_utc: Option<String>,
    /// Why the model could not be inspected (the row's other facts are then empty).
    pub error: Option<String>,
    /// The files the row stands on, for totals that count a shared file once.
    #[serde(skip)]
    pub files: FileKeys,
}

/// The files a row stands on: (a hash of the real path, its size), so the
/// listing's total counts a file shared by several revisions once.
pub type FileKeys = Vec<(u64, u64)>;

impl Row {
    /// A row for a model that could not be inspected.
    pub fn failed(found: &Found, error: String) -> Row {
        Row {
            target: found.target.clone(),
            name: found.name.clone(),
            kind: found.kind,
            architecture: None,
            parameters: None,
            quantization: None,
            size_on_disk: 0,
            license: None,
            verdict: None,
            errors: 0,
            warnings: 0,
            modified: None,
            modified_utc: None,
            error: Some(error),
            files: Vec::new(),
        }
    }

    /// The row of an inspected model.
    pub fn of(found: &Found, report: &Report) -> Row {
        let mut keys: FileKeys = Vec::new();
        let mut newest: Option<u64> = None;
        for f in report.files.iter().filter(|f| !f.remote_only) {
            let mut h = std::collections::hash_map::DefaultHasher::new();
            f.real_path.hash(&mut h);
            keys.push((h.finish(), f.size));
            let mtime = std::fs::metadata(&f.real_path)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_secs());
            newest = newest.max(mtime);
        }
        keys.sort_unstable();
        keys.dedup_by_key(|k| k.0);
        let w = &report.weights;
        let architecture = report
            .architecture
            .as_ref()
            .and_then(|a| a.architectures.first().cloned().or(a.model_type.clone()))
            .or_else(|| report.gguf.as_ref().and_then(|g| g.architecture.clone()));
        let quantization = w
            .quantization
            .as_ref()
            .map(|q| q.detected.label())
            .or_else(|| report.gguf.as_ref().and_then(|g| g.file_type.clone()))
            .or_else(|| {
                w.by_dtype
                    .iter()
                    .max_by_key(|(_, n)| **n)
                    .map(|(d, _)| d.to_ascii_lowercase())
            });
        let license = report.license.as_ref().and_then(|l| {
            let mut ids: Vec<&str> = Vec::new();
            for d in &l.detected {
                if !ids.contains(&d.id.as_str()) {
                    ids.push(&d.id);
                }
            }
            (!ids.is_empty()).then(|| ids.join("+"))
        });
        let row = Row {
            target: found.target.clone(),
            name: found.name.clone(),
            kind: found.kind,
            architecture,
            parameters: (w.parameters > 0).then_some(w.parameters),
            quantization,
            size_on_disk: keys.iter().map(|k| k.1).sum(),
            license,
            verdict: report.license.as_ref().map(|l| l.verdict),
            errors: report.summary.errors,
            warnings: report.summary.warnings,
            modified: newest,
            modified_utc: newest.map(utc),
            error: None,
            files: keys,
        };
        row
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` for seconds since 1970 (the proleptic Gregorian
/// calendar, as `date -u` prints it).
pub fn utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates_match_the_calendar() {
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(utc(1_796_612_400), "2026-12-07T03:00:00Z");
        assert_eq!(utc(4_102_444_799), "2099-12-31T23:59:59Z");
    }
}
