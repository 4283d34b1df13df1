//! Clarifications: a policy's `[[licenses.clarify]]` says "this file, while
//! its sha256 is this, is that license". Applied inside the decision, as one
//! of its inputs: a clarification replaces the reading of the one file it
//! names and nothing else, so every other source and every cap (an unknown
//! base model, another file cut short, an unknown card id, a conflict, an
//! inherited obligation) keeps its effect.
//!
//! Whether the file still has the pinned hash is I/O, done by the scan
//! (`scan::pins`); the decision only reads the outcome.

use super::resolve::{resolve_id, Resolved};
use super::{Citation, Decision, LicenseInputs};
use serde::Serialize;

/// A policy's `[[licenses.clarify]]` entry, as written.
#[derive(Debug, Clone, PartialEq)]
pub struct ClarifyRule {
    /// The model it applies to (repo id, `scheme://` target or path, resolved
    /// from the policy's folder); every model when absent.
    pub model: Option<String>,
    /// The license file, relative to the model root.
    pub file: String,
    /// Its sha256 (hex, lower case).
    pub sha256: String,
    /// The license it is (knowledge-base id, Hub id or SPDX id).
    pub license: String,
    /// Line of the `[[licenses.clarify]]` entry in the policy file.
    pub line: u32,
}

/// What became of a clarification against one model.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum ClarifyStatus {
    /// The file has the pinned hash: the clarification holds.
    Applied,
    /// The file changed since it was pinned: ignored.
    Changed {
        /// The file's sha256 now.
        found: String,
    },
    /// The model has no such file: ignored.
    Missing,
    /// The file could not be read to hash it: ignored.
    Unreadable {
        /// Why.
        error: String,
    },
    /// The license it names is not one mri knows: ignored.
    UnknownLicense,
}

/// A clarification that names this model, and what became of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Clarification {
    /// The file it pins, relative to the model root.
    pub file: String,
    /// The license it says the file is.
    pub license: String,
    /// The sha256 it pins.
    pub sha256: String,
    /// Its line in the policy file.
    pub policy_line: u32,
    /// Applied, or ignored and why.
    #[serde(flatten)]
    pub status: ClarifyStatus,
}

impl Clarification {
    /// The warning every output shows for a clarification that did not
    /// apply; `None` when it applied.
    pub fn warning(&self) -> Option<String> {
        let (line, file) = (self.policy_line, &self.file);
        match &self.status {
            ClarifyStatus::Applied => None,
            ClarifyStatus::Changed { found } => Some(format!(
                "clarify (policy line {line}) for `{file}` ignored: the file changed (sha256 {found}, the policy pins {})",
                self.sha256
            )),
            ClarifyStatus::Missing => Some(format!(
                "clarify (policy line {line}): `{file}` is not in the model; ignored"
            )),
            ClarifyStatus::Unreadable { error } => Some(format!(
                "clarify (policy line {line}): cannot read `{file}`: {error}; ignored"
            )),
            ClarifyStatus::UnknownLicense => Some(format!(
                "clarify (policy line {line}) for `{file}` ignored: `{}` is not a license mri knows",
                self.license
            )),
        }
    }
}

/// The clarification that holds for `path`, with the license it names.
pub(super) fn holding_for<'a>(
    inputs: &LicenseInputs<'a>,
    path: &str,
) -> Option<(&'a Clarification, Resolved)> {
    inputs
        .clarifications
        .iter()
        .filter(|c| c.status == ClarifyStatus::Applied && c.file == path)
        .find_map(|c| Some((c, resolve_id(&c.license)?)))
}

/// A license file the policy clarifies: its detection is the clarified
/// license; the reasons say what mri's own reading (`replaced`, as the files
/// step describes it) would have said in its place.
pub(super) fn apply_to_file(d: &mut Decision, (c, r): (&Clarification, Resolved), replaced: &str) {
    d.reason(format!(
        "policy clarify (line {}): {} is {} (sha256 matches) → {}; replaces its reading: {replaced}",
        c.policy_line,
        c.file,
        r.id(),
        r.verdict()
    ));
    record(d, c, r, true);
}

/// Clarifications of files the decision did not read as license files (a
/// file not named like one): each is one more source, never a replacement
/// of another.
pub(super) fn unread_files(d: &mut Decision, inputs: &LicenseInputs<'_>) {
    for c in inputs
        .clarifications
        .iter()
        .filter(|c| c.status == ClarifyStatus::Applied)
    {
        if inputs.files.iter().any(|f| f.path == c.file) {
            continue;
        }
        let Some(r) = resolve_id(&c.license) else {
            continue;
        };
        d.reason(format!(
            "policy clarify (line {}): {} is {} (sha256 matches) → {}",
            c.policy_line,
            c.file,
            r.id(),
            r.verdict()
        ));
        let license_file = !super::is_supplementary_file(&c.file);
        record(d, c, r, license_file);
    }
}

/// The clarified license as the file's detection, verdict and obligations.
fn record(d: &mut Decision, c: &Clarification, r: Resolved, license_file: bool) {
    let path = c.file.clone();
    d.detected(
        &r,
        "file",
        Some(path.clone()),
        None,
        1.0,
        None,
        r.verdict(),
        false,
    );
    if let Some(last) = d.report.detected.last_mut() {
        last.name = format!("{} (clarified by the policy)", last.name);
        last.clarified_by = Some(c.policy_line);
    }
    d.verdicts.push(r.verdict());
    if license_file {
        d.file_ids.insert(r.id());
        d.declared_families.insert(r.family());
    }
    // Its obligations cite the file where its own text has their clause,
    // else the pin itself.
    // The pin is a line of the policy, not of this file: no line is cited.
    let pin = Citation {
        file: path.clone(),
        lines: None,
        quote: format!(
            "clarified by the policy (line {}) as {}",
            c.policy_line, c.license
        ),
    };
    d.licensed.push((r, Some(path), Some(pin)));
}
