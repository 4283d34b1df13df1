//! SARIF 2.1.0 for GitHub code scanning: one rule per policy rule or finding
//! code, one result per violation, each pointing at the model file (or the
//! policy line) that decided, with a relative URI.

use super::evaluate::{LOCK_RULES, RULES};
use super::{GateOutcome, ModelOutcome, RuleResult};
use crate::finding::Code;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What a rule checks: the policy rule's description, else the finding
/// code's, else its id.
fn rule_description(id: &str) -> String {
    RULES
        .iter()
        .chain(LOCK_RULES)
        .chain(super::signature::SIGNATURE_RULES)
        .find(|(r, _)| *r == id)
        .map(|(_, d)| (*d).to_string())
        .or_else(|| Code::from_name(id).map(|c| c.description().to_string()))
        .unwrap_or_else(|| id.to_string())
}

/// What stays as it is in a URI path: letters, digits, `-._~` and the `/`
/// between segments; everything else (space, `#`, `?`, `%`, `<&"'>`,
/// non-ASCII bytes of UTF-8) is percent-encoded.
const URI_PATH: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'/');

/// A `/`-separated path as a URI reference (RFC 3986), percent-encoded.
fn uri(path: &str) -> String {
    utf8_percent_encode(path, URI_PATH).to_string()
}

/// The SARIF level for a result level; its rank, most severe first.
fn sarif_level(level: &str) -> (&'static str, u8) {
    match level {
        "error" => ("error", 0),
        "warning" => ("warning", 1),
        _ => ("note", 2),
    }
}

/// `path` relative to `base` with `/` separators, when it is inside it.
fn relative(path: &Path, base: &Path) -> Option<String> {
    path.strip_prefix(base)
        .ok()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
}

/// Renders the outcome as a SARIF 2.1.0 log. URIs are relative to `cwd` for
/// models inside it, else relative to a `MODEL<n>` base id.
pub fn render(o: &GateOutcome, cwd: &Path) -> String {
    let mut rules = Rules::default();
    let mut base_ids = serde_json::Map::new();
    let mut results = Vec::new();
    let policy_uri = policy_uri(o, cwd);
    for (n, m) in o.models.iter().enumerate() {
        let base = ModelBase::of(&m.report.target.root, cwd, n, &mut base_ids);
        for r in m.results.iter().filter(|r| !r.passed && !r.waived) {
            results.push(result(m, r, &base, policy_uri.as_deref(), &mut rules));
        }
    }
    results.extend(lock_results(o, cwd, &mut rules));
    let mut run = json!({
        "tool": {"driver": {
            "name": "mri",
            "semanticVersion": env!("CARGO_PKG_VERSION"),
            "rules": rules.to_json(),
        }},
        "results": results,
        "columnKind": "utf16CodeUnits",
    });
    if !base_ids.is_empty() {
        run["originalUriBaseIds"] = Value::Object(base_ids);
    }
    run["invocations"] = json!([{
        "executionSuccessful": o.errors.is_empty(),
        "toolExecutionNotifications": notifications(o),
    }]);
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [run],
    });
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_default();
    s.push('\n');
    s
}

/// The lock's violations of no checked model (a locked model not
/// checked), each at its line of the lock file.
fn lock_results(o: &GateOutcome, cwd: &Path, rules: &mut Rules) -> Vec<Value> {
    let Some(lock) = &o.lock else {
        return Vec::new();
    };
    let path = PathBuf::from(lock);
    let abs = if path.is_absolute() {
        path.clone()
    } else {
        cwd.join(&path)
    };
    let lock_uri = uri(&relative(&abs, cwd).unwrap_or_else(|| lock.replace('\\', "/")));
    o.lock_results
        .iter()
        .map(|r| {
            let level = sarif_level(&r.level);
            let index = rules.add(&r.rule_id, level);
            json!({
                "ruleId": r.rule_id,
                "ruleIndex": index,
                "level": level.0,
                "message": {"text": r.message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": lock_uri},
                    "region": {"startLine": r.line.unwrap_or(1).max(1)}}}],
            })
        })
        .collect()
}

/// The policy file's URI, relative to `cwd` when it is inside it.
fn policy_uri(o: &GateOutcome, cwd: &Path) -> Option<String> {
    o.policy.as_ref().map(|p| {
        let path = PathBuf::from(p);
        let abs = if path.is_absolute() {
            path.clone()
        } else {
            cwd.join(&path)
        };
        uri(&relative(&abs, cwd).unwrap_or_else(|| p.replace('\\', "/")))
    })
}

/// The rules the results name, in order of first use.
#[derive(Default)]
struct Rules {
    /// Rule id → its index in the driver's rules.
    index: BTreeMap<String, usize>,
    /// Each rule's default level: the most severe of its results.
    levels: BTreeMap<String, (&'static str, u8)>,
}

impl Rules {
    /// The rule's index (a new rule gets the next), its default level
    /// raised to `level` when that is more severe.
    fn add(&mut self, rule_id: &str, level: (&'static str, u8)) -> usize {
        let next = self.index.len();
        let index = *self.index.entry(rule_id.to_string()).or_insert(next);
        let slot = self.levels.entry(rule_id.to_string()).or_insert(level);
        if level.1 < slot.1 {
            *slot = level;
        }
        index
    }

    /// The driver's rules, by index, each with its description and help.
    fn to_json(&self) -> Vec<Value> {
        let mut ordered: Vec<(&String, &usize)> = self.index.iter().collect();
        ordered.sort_by_key(|(_, i)| **i);
        ordered
            .into_iter()
            .map(|(id, _)| {
                let description = rule_description(id);
                json!({
                    "id": id,
                    "name": id.replace(['/', '-'], "_"),
                    "shortDescription": {"text": description},
                    "fullDescription": {"text": description},
                    "help": {
                        "text": format!("{description} See `mri check --help` and the policy file."),
                        "markdown": format!("{description}\n\nRun `mri license` or `mri inspect` on the model for details. Every finding code and policy rule is documented in mri's `docs/report.md`; the policy keys in `mri policy init`'s starter file.")
                    },
                    "defaultConfiguration": {"level": self.levels.get(id.as_str()).map_or("error", |l| l.0)},
                })
            })
            .collect()
    }
}

/// Where a model's file URIs start: a prefix relative to `cwd`, or (for a
/// model outside it) a `MODEL<n>` base id.
struct ModelBase {
    /// The model root relative to `cwd`, with a trailing `/` (empty at `cwd`
    /// or under a base id).
    prefix: String,
    /// The base id, for a model outside `cwd`.
    base_id: Option<String>,
}

impl ModelBase {
    /// The model at `root`, the `n`-th; a base id outside `cwd` is added to
    /// `base_ids`.
    fn of(
        root: &Path,
        cwd: &Path,
        n: usize,
        base_ids: &mut serde_json::Map<String, Value>,
    ) -> Self {
        let (prefix, base_id) = match relative(root, cwd) {
            Some(rel) if rel.is_empty() => (String::new(), None),
            Some(rel) => (format!("{rel}/"), None),
            None => {
                let id = format!("MODEL{n}");
                base_ids.insert(
                    id.clone(),
                    json!({"uri": format!(
                        "file://{}/",
                        uri(&root.to_string_lossy().replace('\\', "/"))
                    )}),
                );
                (String::new(), Some(id))
            }
        };
        ModelBase { prefix, base_id }
    }

    /// A model file's physical location at `line`.
    fn location(&self, file: &str, line: u32) -> Value {
        let mut artifact = json!({"uri": uri(&format!("{}{file}", self.prefix))});
        if let Some(id) = &self.base_id {
            artifact["uriBaseId"] = json!(id);
        }
        json!({"physicalLocation": {"artifactLocation": artifact, "region": {"startLine": line}}})
    }
}

/// One violation as a SARIF result: located at the model file that
/// decided, else the policy line, else the model's first file.
fn result(
    m: &ModelOutcome,
    r: &RuleResult,
    base: &ModelBase,
    policy_uri: Option<&str>,
    rules: &mut Rules,
) -> Value {
    let level = sarif_level(&r.level);
    let index = rules.add(&r.rule_id, level);
    let location = match (&r.file, policy_uri, r.policy_line) {
        (Some(file), _, _) => base.location(file, r.line.unwrap_or(1).max(1)),
        (None, Some(policy), Some(line)) => json!({"physicalLocation": {
            "artifactLocation": {"uri": policy}, "region": {"startLine": line.max(1)}}}),
        _ => {
            let file = m
                .report
                .files
                .first()
                .map(|f| f.path.clone())
                .unwrap_or_else(|| "config.json".into());
            base.location(&file, 1)
        }
    };
    let mut message = format!("{}: {}", m.input, r.message);
    if let (Some(policy), Some(line)) = (policy_uri, r.policy_line) {
        message.push_str(&format!(" (decided by {policy}:{line})"));
    }
    json!({
        "ruleId": r.rule_id,
        "ruleIndex": index,
        "level": level.0,
        "message": {"text": message},
        "locations": [location],
        "properties": {"model": m.input, "policyRule": r.rule, "verdict": m.verdict},
    })
}

/// The run's notifications. Targets that could not be inspected are not
/// results (no rule was judged) but must not vanish: each is an error
/// notification of the run. A clarification the policy makes that did not
/// apply (its file changed, is gone, unreadable) is a warning of the run:
/// never silent.
fn notifications(o: &GateOutcome) -> Vec<Value> {
    let mut notifications: Vec<Value> = o
        .errors
        .iter()
        .map(|e| {
            json!({
                "level": "error",
                "message": {"text": format!("{}: {}", e.input, e.message)},
                "properties": {"model": e.input},
            })
        })
        .collect();
    for m in &o.models {
        for w in &m.warnings {
            notifications.push(json!({
                "level": "warning",
                "message": {"text": format!("{}: {w}", m.input)},
                "properties": {"model": m.input},
            }));
        }
    }
    notifications
}

#[cfg(test)]
mod tests {
    use super::uri;

    #[test]
    fn uris_are_percent_encoded_but_keep_their_slashes() {
        assert_eq!(
            uri("models/m cc nc#1 é/config.json"),
            "models/m%20cc%20nc%231%20%C3%A9/config.json"
        );
        assert_eq!(uri("gg<&\"'>/a?b%c"), "gg%3C%26%22%27%3E/a%3Fb%25c");
        assert_eq!(uri("plain-name_1.0~x/y"), "plain-name_1.0~x/y");
    }
}
