//! The policy file (`mri.toml`), read with spans so every mistake is reported
//! at its line and column, all at once. Modelled on cargo-deny's `[licenses]`:
//! list what you accept; everything else fails.

use crate::finding::{Code, Severity};
use crate::license::{ObligationKind, Verdict};
use std::fmt;
use std::path::{Path, PathBuf};
use thiserror::Error;
use toml_span::value::{Value, ValueInner};

/// A value with the 1-based line it was written on.
#[derive(Debug, Clone, PartialEq)]
pub struct AtLine<T> {
    /// The value.
    pub value: T,
    /// Its line in the policy file (0 for defaults).
    pub line: u32,
}

/// A clarification: this file, with this hash, is this license. The license
/// decision applies it (`InspectOptions::clarify`); the gate never does.
pub use crate::license::decide::ClarifyRule as Clarify;

/// An exception for one model.
#[derive(Debug, Clone, PartialEq)]
pub struct Exception {
    /// Repo id or path of the model.
    pub model: String,
    /// Why (printed with the outcome).
    pub reason: String,
    /// Rules or codes waived; every rule when empty.
    pub allow: Vec<String>,
    /// Line of the entry.
    pub line: u32,
}

/// An exception for one training set: it passes the `[data]` rules, with a reason.
#[derive(Debug, Clone, PartialEq)]
pub struct DataException {
    /// The dataset id (any id the dataset knowledge base knows it by).
    pub dataset: String,
    /// The model it applies to (repo id or path); every model when `None`.
    pub model: Option<String>,
    /// Why (printed with the outcome).
    pub reason: String,
    /// Line of the entry.
    pub line: u32,
}

/// The `[data]` section: which training sets' terms pass. Without it the
/// training data is reported, never judged.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DataPolicy {
    /// Dataset verdicts that pass; `None`: no verdict fails.
    pub allow_verdicts: Option<AtLine<Vec<Verdict>>>,
    /// Dataset ids that always fail.
    pub deny: AtLine<Vec<String>>,
    /// Per-dataset exceptions (`[[data.exceptions]]`).
    pub exceptions: Vec<DataException>,
}

impl<T: Default> Default for AtLine<T> {
    fn default() -> Self {
        AtLine {
            value: T::default(),
            line: 0,
        }
    }
}

/// `[signature]`: the model signature (`model.sig`) a model must carry,
/// and whom it must be from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SignaturePolicy {
    /// The section's line.
    pub line: u32,
    /// A valid signature is required (`require = true`).
    pub require: AtLine<bool>,
    /// Public keys (PEM files, relative to the policy) one of which must
    /// have signed: each path with its key.
    pub keys: AtLine<Vec<(String, crate::signature::PublicKey)>>,
    /// SAN emails or URIs one of which the signing certificate must carry.
    pub identities: AtLine<Vec<String>>,
    /// The certificates trusted to issue signing certificates.
    pub certificate_chain: Option<AtLine<Vec<crate::signature::x509::Cert>>>,
    /// The OIDC issuer the signing certificate must name.
    pub issuer: Option<AtLine<String>>,
}

/// A finding selector: a code (`weights/truncated`) or a severity (`error`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Selector {
    /// One finding code.
    Code(Code),
    /// Every finding of a severity (and above, for `warning`: errors too).
    Severity(Severity),
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Selector::Code(c) => f.write_str(c.as_str()),
            Selector::Severity(s) => f.write_str(s.as_str()),
        }
    }
}

/// The gate's policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// The file it came from (none for the default policy).
    pub path: Option<PathBuf>,
    /// Verdicts accepted.
    pub allow_verdicts: AtLine<Vec<Verdict>>,
    /// License ids accepted; any license when empty.
    pub allow: AtLine<Vec<String>>,
    /// License ids refused.
    pub deny: AtLine<Vec<String>>,
    /// Obligation kinds the organisation honours; `None` accepts every obligation.
    pub accept_obligations: Option<AtLine<Vec<ObligationKind>>>,
    /// Detections below this confidence fail.
    pub confidence_threshold: AtLine<f32>,
    /// Whether a verdict mri read from the clauses of a text it does not
    /// know (detection source `clauses`) may pass; false: it fails, asking
    /// for the text to be reviewed and pinned with `[[licenses.clarify]]`.
    pub accept_derived: AtLine<bool>,
    /// Pinned license files.
    pub clarify: Vec<Clarify>,
    /// Findings that fail the gate.
    pub deny_findings: AtLine<Vec<Selector>>,
    /// Findings never failing the gate: codes, or severities (a severity
    /// and those below it: `warning` lets warnings and infos through).
    pub allow_findings: AtLine<Vec<Selector>>,
    /// Per-model exceptions.
    pub exceptions: Vec<Exception>,
    /// The training data's terms (`[data]`).
    pub data: DataPolicy,
    /// The model signature (`[signature]`); `None`: not judged.
    pub signature: Option<SignaturePolicy>,
}

impl Default for Policy {
    /// Commercial use granted (with or without conditions), any obligation,
    /// confidence 0.8, error findings fail.
    fn default() -> Self {
        Policy {
            path: None,
            allow_verdicts: AtLine {
                value: vec![Verdict::Permitted, Verdict::PermittedWithConditions],
                line: 0,
            },
            allow: AtLine {
                value: Vec::new(),
                line: 0,
            },
            deny: AtLine {
                value: Vec::new(),
                line: 0,
            },
            accept_obligations: None,
            confidence_threshold: AtLine {
                value: 0.8,
                line: 0,
            },
            accept_derived: AtLine {
                value: false,
                line: 0,
            },
            clarify: Vec::new(),
            deny_findings: AtLine {
                value: vec![Selector::Severity(Severity::Error)],
                line: 0,
            },
            allow_findings: AtLine {
                value: Vec::new(),
                line: 0,
            },
            exceptions: Vec::new(),
            data: DataPolicy::default(),
            signature: None,
        }
    }
}

/// One mistake in a policy file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyProblem {
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// What is wrong and what was expected.
    pub message: String,
}

/// Why a policy could not be used.
#[derive(Debug, Error)]
pub enum PolicyError {
    /// The file could not be read.
    #[error("cannot read policy `{path}`: {source}")]
    Read {
        /// The path.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The file has mistakes; every one is listed.
    #[error("{}", render_problems(path, problems))]
    Invalid {
        /// The path.
        path: String,
        /// Every mistake found.
        problems: Vec<PolicyProblem>,
    },
}

fn render_problems(path: &str, problems: &[PolicyProblem]) -> String {
    let mut out = format!(
        "policy `{path}` has {} problem{}:",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    );
    for p in problems {
        out.push_str(&format!(
            "\n  {path}:{}:{}: {}",
            p.line, p.column, p.message
        ));
    }
    out
}

/// 1-based line and column of byte `at` in `text` (for one position; a
/// [`Reader`] answers many through its line index).
fn line_col(text: &str, at: usize) -> (u32, u32) {
    let starts = line_starts(text);
    line_col_in(text, &starts, at)
}

/// The byte offset where each line starts.
fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// 1-based line and column of byte `at`, by a binary search of the line
/// starts: the cost of one position does not grow with the file, so a policy
/// of many entries is read in linear time.
fn line_col_in(text: &str, starts: &[usize], at: usize) -> (u32, u32) {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let line = starts.partition_point(|&s| s <= at).max(1);
    let start = starts.get(line - 1).copied().unwrap_or(0).min(at);
    let col = text[start..at].chars().count();
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(col + 1).unwrap_or(u32::MAX),
    )
}

struct Reader<'t> {
    text: &'t str,
    starts: Vec<usize>,
    problems: Vec<PolicyProblem>,
}

impl<'t> Reader<'t> {
    fn problem(&mut self, at: usize, message: impl Into<String>) {
        let (line, column) = line_col_in(self.text, &self.starts, at);
        self.problems.push(PolicyProblem {
            line,
            column,
            message: message.into(),
        });
    }

    fn line(&self, at: usize) -> u32 {
        line_col_in(self.text, &self.starts, at).0
    }

    /// A list of strings; `what` names the element for messages.
    fn strings(&mut self, v: &Value<'_>, key: &str) -> Vec<(String, usize)> {
        match v.as_array() {
            Some(items) => items
                .iter()
                .filter_map(|item| match item.as_str() {
                    Some(s) => Some((s.to_string(), item.span.start)),
                    None => {
                        self.problem(
                            item.span.start,
                            format!("`{key}` takes strings, found {}", item.as_ref().type_str()),
                        );
                        None
                    }
                })
                .collect(),
            None => {
                self.problem(
                    v.span.start,
                    format!(
                        "`{key}` must be an array of strings, found {}",
                        v.as_ref().type_str()
                    ),
                );
                Vec::new()
            }
        }
    }

    fn string(&mut self, v: &Value<'_>, key: &str) -> Option<String> {
        match v.as_str() {
            Some(s) => Some(s.to_string()),
            None => {
                self.problem(
                    v.span.start,
                    format!("`{key}` must be a string, found {}", v.as_ref().type_str()),
                );
                None
            }
        }
    }

    fn unknown_keys(
        &mut self,
        table: &toml_span::value::Table<'_>,
        allowed: &[&str],
        section: &str,
    ) {
        for key in table.keys() {
            if !allowed.contains(&key.name.as_ref()) {
                self.problem(
                    key.span.start,
                    format!(
                        "unknown key `{}` in {section}; expected one of: {}",
                        key.name,
                        allowed.join(", ")
                    ),
                );
            }
        }
    }
}

/// Parses a policy from its text; `path` names it in messages.
pub fn parse_policy(text: &str, path: &Path) -> Result<Policy, PolicyError> {
    let name = path.display().to_string();
    let mut root = match toml_span::parse(text) {
        Ok(v) => v,
        Err(e) => {
            let (line, column) = line_col(text, e.span.start);
            return Err(PolicyError::Invalid {
                path: name,
                problems: vec![PolicyProblem {
                    line,
                    column,
                    // The error's own words ("expected ..., found ..."),
                    // not its kind's short name ("wanted").
                    message: format!("not valid TOML: {e}"),
                }],
            });
        }
    };
    let mut r = Reader {
        text,
        starts: line_starts(text),
        problems: Vec::new(),
    };
    let mut policy = Policy {
        path: Some(path.to_path_buf()),
        ..Policy::default()
    };
    let root_span = root.span;
    let ValueInner::Table(top) = root.take() else {
        r.problem(root_span.start, "a policy is a TOML table");
        return Err(PolicyError::Invalid {
            path: name,
            problems: r.problems,
        });
    };
    r.unknown_keys(
        &top,
        &["licenses", "findings", "exceptions", "data", "signature"],
        "the policy (top level)",
    );

    if let Some(licenses) = top
        .iter()
        .find(|(k, _)| k.name == "licenses")
        .map(|(_, v)| v)
    {
        match licenses.as_table() {
            None => r.problem(
                licenses.span.start,
                "`licenses` must be a table ([licenses])",
            ),
            Some(t) => read_licenses(&mut r, t, &mut policy),
        }
    }
    if let Some(findings) = top
        .iter()
        .find(|(k, _)| k.name == "findings")
        .map(|(_, v)| v)
    {
        match findings.as_table() {
            None => r.problem(
                findings.span.start,
                "`findings` must be a table ([findings])",
            ),
            Some(t) => read_findings(&mut r, t, &mut policy),
        }
    }
    if let Some(data) = top.iter().find(|(k, _)| k.name == "data").map(|(_, v)| v) {
        match data.as_table() {
            None => r.problem(data.span.start, "`data` must be a table ([data])"),
            Some(t) => read_data(&mut r, t, &mut policy),
        }
    }
    if let Some(sig) = top
        .iter()
        .find(|(k, _)| k.name == "signature")
        .map(|(_, v)| v)
    {
        match sig.as_table() {
            None => r.problem(sig.span.start, "`signature` must be a table ([signature])"),
            Some(t) => {
                let base = match path.parent() {
                    Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                    _ => PathBuf::from("."),
                };
                policy.signature = Some(read_signature(&mut r, t, sig.span.start, &base));
            }
        }
    }
    if let Some(exceptions) = top
        .iter()
        .find(|(k, _)| k.name == "exceptions")
        .map(|(_, v)| v)
    {
        match exceptions.as_array() {
            None => r.problem(
                exceptions.span.start,
                "`exceptions` must be an array of tables ([[exceptions]])",
            ),
            Some(items) => {
                for item in items {
                    read_exception(&mut r, item, &mut policy);
                }
            }
        }
    }
    if r.problems.is_empty() {
        Ok(policy)
    } else {
        r.problems.sort_by_key(|p| (p.line, p.column));
        Err(PolicyError::Invalid {
            path: name,
            problems: r.problems,
        })
    }
}

fn read_licenses(r: &mut Reader<'_>, t: &toml_span::value::Table<'_>, policy: &mut Policy) {
    r.unknown_keys(
        t,
        &[
            "allow-verdicts",
            "allow",
            "deny",
            "accept-obligations",
            "confidence-threshold",
            "accept-derived",
            "clarify",
        ],
        "[licenses]",
    );
    for (key, v) in t {
        let line = r.line(key.span.start);
        match key.name.as_ref() {
            "allow-verdicts" => {
                let value = verdicts(r, v, "allow-verdicts");
                policy.allow_verdicts = AtLine { value, line };
            }
            "allow" | "deny" => {
                let mut ids = Vec::new();
                for (id, at) in r.strings(v, &key.name) {
                    if !is_known_license(&id) {
                        r.problem(
                            at,
                            format!(
                                "unknown license `{id}` in `{}`: neither an SPDX id nor in mri's knowledge base; see `mri licenses list`",
                                key.name
                            ),
                        );
                    }
                    ids.push(id);
                }
                let at = AtLine { value: ids, line };
                if key.name == "allow" {
                    policy.allow = at;
                } else {
                    policy.deny = at;
                }
            }
            "accept-obligations" => {
                let mut out = Vec::new();
                for (s, at) in r.strings(v, "accept-obligations") {
                    match ObligationKind::from_name(&s) {
                        Some(k) => out.push(k),
                        None => r.problem(
                            at,
                            format!(
                                "unknown obligation kind `{s}`; expected one of: {}",
                                ObligationKind::ALL
                                    .iter()
                                    .map(|k| k.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        ),
                    }
                }
                policy.accept_obligations = Some(AtLine { value: out, line });
            }
            "confidence-threshold" => {
                let value = v.as_float().or_else(|| v.as_integer().map(|i| i as f64));
                match value {
                    Some(x) if (0.0..=1.0).contains(&x) => {
                        policy.confidence_threshold = AtLine {
                            value: x as f32,
                            line,
                        };
                    }
                    _ => r.problem(
                        v.span.start,
                        "`confidence-threshold` must be a number from 0 to 1",
                    ),
                }
            }
            "accept-derived" => match v.as_bool() {
                Some(value) => policy.accept_derived = AtLine { value, line },
                None => r.problem(v.span.start, "`accept-derived` must be true or false"),
            },
            "clarify" => match v.as_array() {
                None => r.problem(
                    v.span.start,
                    "`clarify` must be an array of tables ([[licenses.clarify]])",
                ),
                Some(items) => {
                    for item in items {
                        read_clarify(r, item, policy);
                    }
                }
            },
            _ => {}
        }
    }
}

fn read_clarify(r: &mut Reader<'_>, item: &Value<'_>, policy: &mut Policy) {
    let Some(t) = item.as_table() else {
        r.problem(
            item.span.start,
            "each [[licenses.clarify]] entry must be a table",
        );
        return;
    };
    r.unknown_keys(
        t,
        &["model", "file", "sha256", "license"],
        "[[licenses.clarify]]",
    );
    let get = |name: &str| t.iter().find(|(k, _)| k.name == name).map(|(_, v)| v);
    let field = |name: &str, r: &mut Reader<'_>| match get(name) {
        Some(v) => r.string(v, name),
        None => {
            if name != "model" {
                r.problem(
                    item.span.start,
                    format!("[[licenses.clarify]] needs `{name}`"),
                );
            }
            None
        }
    };
    let model = field("model", r);
    let file = field("file", r);
    let sha = field("sha256", r);
    let license = field("license", r);
    if let Some(s) = &sha {
        if s.len() != 64 || !s.chars().all(|c| c.is_ascii_hexdigit()) {
            let at = get("sha256").map_or(item.span.start, |v| v.span.start);
            r.problem(at, "`sha256` must be 64 hexadecimal characters");
        }
    }
    if let Some(l) = &license {
        if crate::license::kb::kb().lookup(l).is_none()
            && crate::license::kb::kb().hub_id(l).is_none()
            && crate::license::spdx_facts::facts(l).is_none()
        {
            let at = get("license").map_or(item.span.start, |v| v.span.start);
            r.problem(
                at,
                format!("unknown license `{l}`; see `mri licenses list`"),
            );
        }
    }
    if let (Some(file), Some(sha256), Some(license)) = (file, sha, license) {
        policy.clarify.push(Clarify {
            model,
            file,
            sha256: sha256.to_ascii_lowercase(),
            license,
            line: r.line(item.span.start),
        });
    }
}

/// A license id a policy may name: a knowledge-base id, Hub id, alias or
/// name, or an SPDX license id (any case). Imprecise spellings are not
/// accepted here: `cc-by-nc-4` in `deny` would never match a detection.
fn is_known_license(id: &str) -> bool {
    let kb = crate::license::kb::kb();
    kb.lookup(id).is_some()
        || kb.hub_id(id).is_some()
        || spdx::license_id(id).is_some()
        || spdx::identifiers::LICENSES
            .iter()
            .any(|l| l.name.eq_ignore_ascii_case(id))
}

/// The one spelling of a license id that both the policy and a detection
/// compare by: the knowledge-base id for any of its ids, Hub ids, aliases
/// and names; else the SPDX id a Hub id stands for; else the id folded
/// (case, `_` and spaces). `Creative Commons Attribution-NonCommercial 4.0
/// International`, `cc-by-nc-4.0` and `CC-BY-NC-4.0` are one license.
pub fn canonical_license(id: &str) -> String {
    let kb = crate::license::kb::kb();
    if let Some(entry) = kb.lookup(id) {
        return crate::license::kb::fold_name(&entry.id);
    }
    if let Some(hub) = kb.hub_id(id) {
        let known = [&hub.kb, &hub.spdx].into_iter().find(|s| !s.is_empty());
        if let Some(entry) = known.and_then(|s| kb.lookup(s)) {
            return crate::license::kb::fold_name(&entry.id);
        }
        if let Some(s) = known {
            return crate::license::kb::fold_name(s);
        }
    }
    crate::license::kb::fold_name(id)
}

fn read_findings(r: &mut Reader<'_>, t: &toml_span::value::Table<'_>, policy: &mut Policy) {
    r.unknown_keys(t, &["deny", "allow"], "[findings]");
    for (key, v) in t {
        let line = r.line(key.span.start);
        match key.name.as_ref() {
            "deny" => {
                let mut out = Vec::new();
                for (s, at) in r.strings(v, "deny") {
                    match parse_selector(&s) {
                        Some(sel) => out.push(sel),
                        None => r.problem(at, format!("`{s}` is neither a finding code (e.g. weights/truncated) nor a severity (error, warning, info)")),
                    }
                }
                policy.deny_findings = AtLine { value: out, line };
            }
            "allow" => {
                let mut out = Vec::new();
                for (s, at) in r.strings(v, "allow") {
                    match parse_selector(&s) {
                        Some(sel) => out.push(sel),
                        None => r.problem(at, format!("`{s}` is neither a finding code (e.g. weights/truncated) nor a severity (error, warning, info)")),
                    }
                }
                policy.allow_findings = AtLine { value: out, line };
            }
            _ => {}
        }
    }
}

/// A list of verdict names, each unknown one a problem at its place.
fn verdicts(r: &mut Reader<'_>, v: &Value<'_>, key: &str) -> Vec<Verdict> {
    let mut out = Vec::new();
    for (s, at) in r.strings(v, key) {
        match Verdict::from_name(&s) {
            Some(verdict) => out.push(verdict),
            None => r.problem(
                at,
                format!(
                    "unknown verdict `{s}`; expected one of: {}",
                    Verdict::ALL
                        .iter()
                        .map(|v| v.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
        }
    }
    out
}

/// `[data]`: `allow-verdicts`, `deny` (dataset ids) and `[[data.exceptions]]`.
fn read_data(r: &mut Reader<'_>, t: &toml_span::value::Table<'_>, policy: &mut Policy) {
    r.unknown_keys(t, &["allow-verdicts", "deny", "exceptions"], "[data]");
    for (key, v) in t {
        let line = r.line(key.span.start);
        match key.name.as_ref() {
            "allow-verdicts" => {
                let value = verdicts(r, v, "allow-verdicts");
                policy.data.allow_verdicts = Some(AtLine { value, line });
            }
            "deny" => {
                let value = r.strings(v, "deny").into_iter().map(|(s, _)| s).collect();
                policy.data.deny = AtLine { value, line };
            }
            "exceptions" => match v.as_array() {
                None => r.problem(
                    v.span.start,
                    "`exceptions` must be an array of tables ([[data.exceptions]])",
                ),
                Some(items) => {
                    for item in items {
                        read_data_exception(r, item, policy);
                    }
                }
            },
            _ => {}
        }
    }
}

/// `[signature]`: `require`, `keys` (PEM public keys), `identities` with
/// `certificate-chain` (PEM certificates), `issuer`. Files are read here,
/// relative to the policy's folder, so a missing key is a policy mistake at
/// its line.
fn read_signature(
    r: &mut Reader<'_>,
    t: &toml_span::value::Table<'_>,
    at: usize,
    base: &Path,
) -> SignaturePolicy {
    r.unknown_keys(
        t,
        &[
            "require",
            "keys",
            "identities",
            "certificate-chain",
            "issuer",
        ],
        "[signature]",
    );
    let mut out = SignaturePolicy {
        line: r.line(at),
        ..SignaturePolicy::default()
    };
    for (key, v) in t {
        let line = r.line(key.span.start);
        match key.name.as_ref() {
            "require" => match v.as_bool() {
                Some(value) => out.require = AtLine { value, line },
                None => r.problem(v.span.start, "`require` must be true or false"),
            },
            "keys" => {
                let mut value = Vec::new();
                for (file, at) in r.strings(v, "keys") {
                    let text = crate::util::fs::read_regular_to_string(&base.join(&file));
                    match text.map_err(|e| e.to_string()).and_then(|t| {
                        crate::signature::PublicKey::from_pem(&t).map_err(|e| e.to_string())
                    }) {
                        Ok(key) => value.push((file, key)),
                        Err(e) => r.problem(at, format!("key `{file}`: {e}")),
                    }
                }
                out.keys = AtLine { value, line };
            }
            "identities" => {
                let value = r
                    .strings(v, "identities")
                    .into_iter()
                    .map(|(s, _)| s)
                    .collect();
                out.identities = AtLine { value, line };
            }
            "certificate-chain" => {
                if let Some(file) = r.string(v, "certificate-chain") {
                    let text = crate::util::fs::read_regular_to_string(&base.join(&file));
                    match text
                        .map_err(|e| e.to_string())
                        .and_then(|t| crate::signature::x509::Cert::from_pem_chain(&t))
                    {
                        Ok(value) => out.certificate_chain = Some(AtLine { value, line }),
                        Err(e) => {
                            r.problem(v.span.start, format!("certificate chain `{file}`: {e}"))
                        }
                    }
                }
            }
            "issuer" => {
                if let Some(value) = r.string(v, "issuer") {
                    out.issuer = Some(AtLine { value, line });
                }
            }
            _ => {}
        }
    }
    let wants_chain = !out.identities.value.is_empty() || out.issuer.is_some();
    if wants_chain && out.certificate_chain.is_none() {
        r.problem(
            at,
            "[signature] `identities` and `issuer` are read from a certificate: give `certificate-chain`, the certificates trusted to issue it",
        );
    }
    out
}

/// One `[[data.exceptions]]` entry: `dataset` and `reason`, `model` optional.
fn read_data_exception(r: &mut Reader<'_>, item: &Value<'_>, policy: &mut Policy) {
    let Some(t) = item.as_table() else {
        r.problem(
            item.span.start,
            "each [[data.exceptions]] entry must be a table",
        );
        return;
    };
    r.unknown_keys(t, &["dataset", "model", "reason"], "[[data.exceptions]]");
    let get = |name: &str| t.iter().find(|(k, _)| k.name == name).map(|(_, v)| v);
    let field = |name: &str, what: &str, r: &mut Reader<'_>| match get(name) {
        Some(v) => r.string(v, name),
        None => {
            r.problem(
                item.span.start,
                format!("[[data.exceptions]] needs `{name}`{what}"),
            );
            None
        }
    };
    let dataset = field("dataset", " (a dataset id)", r);
    let reason = field("reason", ": why the dataset's terms are acceptable", r);
    let model = get("model").and_then(|v| r.string(v, "model"));
    if let (Some(dataset), Some(reason)) = (dataset, reason) {
        policy.data.exceptions.push(DataException {
            dataset,
            model,
            reason,
            line: r.line(item.span.start),
        });
    }
}

fn parse_selector(s: &str) -> Option<Selector> {
    match s {
        "error" => Some(Selector::Severity(Severity::Error)),
        "warning" => Some(Selector::Severity(Severity::Warning)),
        "info" => Some(Selector::Severity(Severity::Info)),
        other => Code::from_name(other).map(Selector::Code),
    }
}

fn read_exception(r: &mut Reader<'_>, item: &Value<'_>, policy: &mut Policy) {
    let Some(t) = item.as_table() else {
        r.problem(item.span.start, "each [[exceptions]] entry must be a table");
        return;
    };
    r.unknown_keys(t, &["model", "reason", "allow"], "[[exceptions]]");
    let get = |name: &str| t.iter().find(|(k, _)| k.name == name).map(|(_, v)| v);
    let model = match get("model") {
        Some(v) => r.string(v, "model"),
        None => {
            r.problem(
                item.span.start,
                "[[exceptions]] needs `model` (a repo id or path)",
            );
            None
        }
    };
    let reason = match get("reason") {
        Some(v) => r.string(v, "reason"),
        None => {
            r.problem(
                item.span.start,
                "[[exceptions]] needs `reason`: why the model may pass",
            );
            None
        }
    };
    let allow = get("allow")
        .map(|v| r.strings(v, "allow").into_iter().map(|(s, _)| s).collect())
        .unwrap_or_default();
    if let (Some(model), Some(reason)) = (model, reason) {
        policy.exceptions.push(Exception {
            model,
            reason,
            allow,
            line: r.line(item.span.start),
        });
    }
}

/// Reads a policy file.
pub fn read_policy(path: &Path) -> Result<Policy, PolicyError> {
    let text =
        crate::util::fs::read_regular_to_string(path).map_err(|source| PolicyError::Read {
            path: path.display().to_string(),
            source,
        })?;
    parse_policy(&text, path)
}

/// The commented starter policy written by `mri policy init`.
pub const STARTER: &str = r#"# mri.toml — the policy `mri check` gates models with.
# List what you accept; everything else fails. Run `mri licenses list` for ids.

[licenses]
# Commercial-use verdicts that pass. The others: requires-approval,
# non-commercial, research-only, prohibited, unknown (never passes unless listed).
allow-verdicts = ["permitted", "permitted-with-conditions"]

# License ids that pass whatever the verdict says (knowledge-base, Hub or SPDX
# ids). Leave empty to accept any license whose verdict is allowed.
allow = []

# License ids that always fail.
deny = ["cc-by-nc-4.0"]

# Obligations your organisation can honour; a model carrying any other kind
# fails. Kinds: attribution, name-prefix, acceptable-use-policy, user-threshold,
# revenue-threshold, territory-exclusion, no-training-other-models,
# use-restrictions-passdown, registration, license-copy, notice-file,
# share-alike, non-commercial, research-only. Remove the key to accept any.
accept-obligations = ["attribution", "license-copy", "notice-file", "acceptable-use-policy", "user-threshold"]

# A license text detected with less confidence than this fails.
confidence-threshold = 0.8

# A license text mri does not know gets a verdict read from its clauses
# (marked "read from its clauses — not a known license text: confirm").
# Such a verdict fails unless this is true; better: review the text and pin
# it with [[licenses.clarify]].
accept-derived = false

# Pin a license file whose text mri cannot match: ignored, with a warning,
# once the file's sha256 changes.
# [[licenses.clarify]]
# model = "acme/model"        # optional: the repo id or path it applies to
# file = "LICENSE"
# sha256 = "0000000000000000000000000000000000000000000000000000000000000000"
# license = "apache-2.0"

[findings]
# Finding codes or severities that fail the gate (e.g. "weights/truncated",
# "security/pickle-global", "warning").
deny = ["error"]
# Finding codes or severities that never fail it ("info": infos; "warning":
# warnings and infos), even where `deny` names them.
allow = []

# Let one model through, with the reason printed in every report.
# [[exceptions]]
# model = "acme/legacy-model"
# reason = "approved by legal, ticket LEGAL-123"
# allow = ["license/verdict"]   # optional: only these rules; all when absent

# Training data: the datasets a model's card (or GGUF metadata) declares, each
# with its terms (see `mri license`). Without [data] it is reported, never
# judged; the model's own verdict is never changed by its data.
# [data]
# allow-verdicts = ["permitted", "permitted-with-conditions"]
# deny = ["ms_marco"]             # dataset ids that always fail
# [[data.exceptions]]
# dataset = "wikihow"
# reason = "reviewed by legal, ticket LEGAL-456"
# model = "acme/model"            # optional: only for this model
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starter_policy_parses() {
        let p = parse_policy(STARTER, Path::new("mri.toml")).unwrap();
        assert_eq!(p.allow_verdicts.value.len(), 2);
        assert_eq!(p.deny.value, ["cc-by-nc-4.0"]);
        assert_eq!(p.accept_obligations.unwrap().value.len(), 5);
        assert!(p.allow_verdicts.line > 0);
    }

    #[test]
    fn every_problem_is_reported_with_line_and_column() {
        let text = "[licenses]\nallow-verdicts = [\"permitted\", \"commercial\"]\naccept-obligations = [\"attribution\", \"lunch\"]\nconfidence-threshold = 3\ncolour = \"red\"\n\n[findings]\ndeny = [\"weights/nope\"]\n\n[[exceptions]]\nmodel = \"a/b\"\n";
        let err = parse_policy(text, Path::new("mri.toml")).unwrap_err();
        let PolicyError::Invalid { problems, .. } = &err else {
            panic!("{err}");
        };
        let at: Vec<(u32, u32)> = problems.iter().map(|p| (p.line, p.column)).collect();
        assert_eq!(problems.len(), 6, "{err}");
        assert!(at.contains(&(2, 33)), "{at:?}");
        assert!(problems.iter().any(|p| p.line == 3
            && p.message.contains("lunch")
            && p.message.contains("attribution")));
        assert!(problems
            .iter()
            .any(|p| p.line == 4 && p.message.contains("0 to 1")));
        assert!(problems
            .iter()
            .any(|p| p.line == 5 && p.message.contains("unknown key `colour`")));
        assert!(problems
            .iter()
            .any(|p| p.line == 8 && p.message.contains("weights/nope")));
        assert!(problems
            .iter()
            .any(|p| p.line == 10 && p.message.contains("reason")));
        assert!(err.to_string().contains("mri.toml:2:33:"), "{err}");
    }

    #[test]
    fn unknown_license_ids_in_allow_and_deny_are_errors_at_their_column() {
        let text = "[licenses]\nallow-verdicts = [\"permitted\"]\ndeny = [\"cc-by-nc-4\", \"NOT-A-LICENSE\", \"CC-BY-NC-4.0\"]\nallow = [\"apachee-2.0\", \"apache-2.0\", \"llama3.1\", \"mit\"]\n";
        let err = parse_policy(text, Path::new("p.toml")).unwrap_err();
        let PolicyError::Invalid { problems, .. } = err else {
            panic!("{err}");
        };
        let at: Vec<(u32, u32, bool)> = problems
            .iter()
            .map(|p| (p.line, p.column, p.message.contains("unknown license")))
            .collect();
        assert_eq!(
            at,
            [(3, 10, true), (3, 24, true), (4, 11, true)],
            "{problems:?}"
        );
        assert!(problems[0].message.contains("`cc-by-nc-4` in `deny`"));
        assert!(problems[2].message.contains("`apachee-2.0` in `allow`"));
    }

    #[test]
    fn every_spelling_of_a_license_is_one_id() {
        let ids = [
            "cc-by-nc-4.0",
            "CC-BY-NC-4.0",
            "Creative Commons Attribution-NonCommercial 4.0 International",
        ];
        let canon: Vec<String> = ids.iter().map(|i| canonical_license(i)).collect();
        assert!(canon.iter().all(|c| *c == canon[0]), "{canon:?}");
        assert_ne!(canonical_license("mit"), canon[0]);
    }

    #[test]
    fn syntax_errors_say_what_was_expected() {
        let text = "[licenses]\nallow-verdicts = [\"permitted\"\ndeny = []\n";
        let err = parse_policy(text, Path::new("p.toml")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("p.toml:3:"), "{msg}");
        assert!(
            msg.contains("not valid TOML: expected") && msg.contains("found"),
            "{msg}"
        );
    }

    #[test]
    fn forty_thousand_exceptions_are_read_with_their_lines() {
        let mut text = String::from("[findings]\ndeny = [\"error\"]\n");
        for i in 0..40_000 {
            text.push_str(&format!(
                "\n[[exceptions]]\nmodel = \"org/m{i}\"\nreason = \"ok é {i}\"\n"
            ));
        }
        let p = parse_policy(&text, Path::new("p.toml")).expect("parses");
        assert_eq!(p.exceptions.len(), 40_000);
        assert_eq!(p.exceptions[0].line, 4);
        assert_eq!(p.exceptions[39_999].model, "org/m39999");
        assert_eq!(p.exceptions[39_999].line, 4 + 39_999 * 4);
        // a problem deep in the file still has its line and column (the
        // column counts characters, not bytes)
        text.push_str("\n[[exceptions]]\nmodel = \"é\"\nreason = 3\n");
        let err = parse_policy(&text, Path::new("p.toml")).unwrap_err();
        let PolicyError::Invalid { problems, .. } = err else {
            panic!("{err}")
        };
        assert_eq!((problems[0].line, problems[0].column), (160_006, 10));
        assert_eq!(line_col("aé\nb", 5), (2, 2));
        assert_eq!(line_col("aé\nb", 3), (1, 3));
    }

    #[test]
    fn findings_allow_takes_codes_and_severities() {
        let text = "[findings]\ndeny = [\"info\"]\nallow = [\"warning\", \"weights/truncated\"]\n";
        let p = parse_policy(text, Path::new("p.toml")).expect("parses");
        assert_eq!(
            p.allow_findings.value,
            [
                Selector::Severity(Severity::Warning),
                Selector::Code(Code::from_name("weights/truncated").expect("a code")),
            ]
        );
        let err = parse_policy("[findings]\nallow = [\"fatal\"]\n", Path::new("p.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("p.toml:2:") && err.contains("`fatal` is neither a finding code"),
            "{err}"
        );
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let err = parse_policy("[licenses\nallow = 1", Path::new("p.toml")).unwrap_err();
        assert!(err.to_string().contains("p.toml:1:"), "{err}");
    }
}
