//! `mri check --locked`: each checked model's entry rebuilt and compared
//! with the lock; every drift a violation of the gate's lock rules, so that
//! the text, JSON, SARIF and JUnit outputs carry it like any other.

use super::{build, compare, Drift, HashOptions, LockFile, LockedModel};
use crate::gate::{GateOutcome, ModelOutcome, RuleResult, LOCK_RULES};
use crate::report::Report;
use std::path::Path;

fn result(
    rule: &str,
    passed: bool,
    message: String,
    file: Option<String>,
    line: Option<u32>,
) -> RuleResult {
    RuleResult::checked(rule, passed, message, (file, line), None)
}

/// The lock entry of the model checked as `m`: the same target as typed;
/// else the target, read from the lock file's folder or the working folder,
/// is the same folder; else the only entry of its repo id.
fn entry_of(
    lock: &LockFile,
    lock_dir: &Path,
    input: &str,
    report: &Report,
    taken: &[bool],
) -> Option<usize> {
    let free = |i: &usize| !taken[*i];
    let input = input.trim_end_matches('/');
    let models = &lock.models;
    if let Some(i) = (0..models.len())
        .filter(free)
        .find(|&i| models[i].target.trim_end_matches('/') == input)
    {
        return Some(i);
    }
    let root = &report.target.root;
    let same_folder = |t: &str| {
        !t.contains("://")
            && [lock_dir.join(t), t.into()]
                .iter()
                .any(|p| p.canonicalize().is_ok_and(|p| &p == root))
    };
    if let Some(i) = (0..models.len())
        .filter(free)
        .find(|&i| same_folder(&models[i].target))
    {
        return Some(i);
    }
    let repo = report.target.repo_id.as_deref()?;
    let same_repo: Vec<usize> = (0..models.len())
        .filter(free)
        .filter(|&i| {
            models[i]
                .repo
                .as_deref()
                .is_some_and(|r| r.eq_ignore_ascii_case(repo))
        })
        .collect();
    (same_repo.len() == 1).then(|| same_repo[0])
}

/// Where one model stands against a lock file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LockStatus {
    /// The lock holds no entry for it.
    NotLocked,
    /// Everything is as locked.
    Matches,
    /// What drifted.
    Drifted(Vec<Drift>),
}

/// Where the model `input` (inspected as `report`) stands against `lock`,
/// read from `lock_path` (the TUI's "changed since lock" badge).
pub fn status(
    lock: &LockFile,
    lock_path: &Path,
    input: &str,
    report: &Report,
    options: &HashOptions,
) -> LockStatus {
    let lock_dir = lock_path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let taken = vec![false; lock.models.len()];
    let Some(i) = entry_of(lock, lock_dir, input, report, &taken) else {
        return LockStatus::NotLocked;
    };
    let locked = &lock.models[i];
    let (now, unreadable) = build(&locked.target, report, Some(locked), options);
    let mut drift = compare(locked, &now);
    drift.extend(unreadable.into_iter().map(|(path, cause)| Drift {
        rule: "drift/files",
        message: format!("{path} cannot be read: {cause}"),
        file: Some(path),
    }));
    if drift.is_empty() {
        LockStatus::Matches
    } else {
        LockStatus::Drifted(drift)
    }
}

/// Judges every model of `outcome` against `lock` (read from `lock_path`):
/// each drift is a violation of its `drift/*` rule, a model not in the lock
/// is `drift/unlocked`, and a locked model not checked is `drift/unchecked`
/// in the outcome's `lock_results`, at its line of the lock file.
pub fn apply(outcome: &mut GateOutcome, lock: &LockFile, lock_path: &Path, options: &HashOptions) {
    let lock_dir = lock_path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let shown = lock_path.display().to_string();
    let mut taken = vec![false; lock.models.len()];
    let kb = crate::license::kb::fingerprint();
    let kb_note = (lock.knowledge_base != kb).then(|| {
        format!(
            "the lock was written by mri {} with knowledge base {}; this is mri {} with {kb}",
            lock.mri,
            lock.knowledge_base,
            env!("CARGO_PKG_VERSION")
        )
    });
    for m in &mut outcome.models {
        let found = entry_of(lock, lock_dir, &m.input, &m.report, &taken);
        let mut results = match found {
            Some(i) => {
                taken[i] = true;
                drifts(m, &lock.models[i], options, kb_note.as_deref())
            }
            None => vec![result(
                "drift/unlocked",
                false,
                format!("{} is not in the lock file {shown}: review it, then `mri lock --update -o {shown} {}`", m.input, m.input),
                None,
                None,
            )],
        };
        for (rule, description) in LOCK_RULES {
            if *rule != "drift/unchecked" && !results.iter().any(|r| r.rule == *rule) {
                results.push(result(rule, true, (*description).into(), None, None));
            }
        }
        // Violations first, as `evaluate` orders them.
        let (failed, passed): (Vec<_>, Vec<_>) =
            m.results.drain(..).chain(results).partition(|r| !r.passed);
        m.results = failed.into_iter().chain(passed).collect();
    }
    // A locked model given but unusable is an input error already (exit 2),
    // not also a model left unchecked.
    for (i, l) in lock.models.iter().enumerate() {
        taken[i] |= outcome.errors.iter().any(|e| e.input == l.target);
    }
    outcome.lock_results = lock
        .models
        .iter()
        .zip(&taken)
        .filter(|(_, &t)| !t)
        .map(|(l, _)| {
            result(
                "drift/unchecked",
                false,
                format!("{} is in the lock file but was not checked", l.target),
                None,
                (l.line > 0).then_some(l.line),
            )
        })
        .collect();
    outcome.lock = Some(shown);
    outcome.refresh();
}

/// The drift violations of one model against its locked entry.
/// `kb_note` is added to a verdict drift when the lock was written with
/// another knowledge base (a decision may have moved with it).
fn drifts(
    m: &ModelOutcome,
    locked: &LockedModel,
    options: &HashOptions,
    kb_note: Option<&str>,
) -> Vec<RuleResult> {
    let (now, unreadable) = build(&locked.target, &m.report, Some(locked), options);
    let mut out: Vec<RuleResult> = compare(locked, &now)
        .into_iter()
        .map(|d| {
            let message = match kb_note {
                Some(note) if d.rule == "drift/verdict" => format!("{} ({note})", d.message),
                _ => d.message,
            };
            result(d.rule, false, message, d.file, None)
        })
        .collect();
    for (path, cause) in unreadable {
        if !out.iter().any(|r| r.file.as_deref() == Some(path.as_str())) {
            out.push(result(
                "drift/files",
                false,
                format!("{path} cannot be read: {cause}"),
                Some(path),
                None,
            ));
        }
    }
    out
}
