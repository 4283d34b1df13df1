//! What a BOM says about one model, read from its Report once for both
//! formats. Every field is `None` or empty when the Report does not know it.

use super::{encode_segment, known_sha256, BomModel, HashSource};
use crate::finding::Finding;
use crate::license::kb::kb;
use crate::license::spdx_facts;
use crate::license::Verdict;
use crate::report::Report;
use std::collections::BTreeSet;

/// The Hub, for repos that were not fetched through another endpoint.
const HUB: &str = "https://huggingface.co";

/// Longest card section quoted in a BOM, in characters.
const MAX_SECTION_CHARS: usize = 4000;

/// A license as a BOM names it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct LicenseFact {
    /// The SPDX license id, when SPDX lists the license.
    pub spdx: Option<String>,
    /// The knowledge-base id, for a license SPDX does not list.
    pub kb_id: Option<String>,
    /// Its name: the license's title, or what the card wrote.
    pub name: String,
    /// Where its text is (the card's `license_link`, made absolute).
    pub url: Option<String>,
}

impl LicenseFact {
    /// The canonical text bundled with the knowledge base, for a license
    /// SPDX does not list.
    pub fn kb_text(&self) -> Option<&'static str> {
        let kb = kb();
        kb.get(self.kb_id.as_deref()?).and_then(|e| kb.text(e))
    }
}

/// One file of the model.
#[derive(Debug, Clone)]
pub struct FileFact {
    /// Path relative to the model root.
    pub path: String,
    /// mri's class of the file (`weights`, `config`, ...).
    pub class: &'static str,
    /// Size in bytes.
    pub size: u64,
    /// Its SHA-256 and where that comes from, when known.
    pub sha256: Option<(String, HashSource)>,
    /// Whether the file is on the Hub only (not downloaded).
    pub remote_only: bool,
}

impl FileFact {
    /// Whether the file holds weights.
    pub fn is_weights(&self) -> bool {
        matches!(self.class, "weights" | "gguf" | "pickle" | "onnx")
    }
}

/// A model this one derives from (the card's `base_model`, an adapter's
/// base, a GGUF file's `general.base_model.*`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Ancestor {
    /// Its name (a Hub repo id where the source gives one).
    pub name: String,
    /// `pkg:huggingface/ORG/NAME` when the name is a repo id.
    pub purl: Option<String>,
    /// Where it is, when the source says.
    pub url: Option<String>,
}

/// Everything a BOM says about one model.
#[derive(Debug, Clone)]
pub struct ModelFacts<'a> {
    /// The model's name (repo id, file name, Ollama name, folder name).
    pub name: String,
    /// The revision: the snapshot's commit, or the Ollama tag.
    pub version: Option<String>,
    /// `pkg:huggingface/ORG/NAME@COMMIT`, for Hub repos.
    pub purl: Option<String>,
    /// Who publishes it: the Hub organisation, a GGUF file's
    /// `general.organization`, an Ollama namespace other than `library`.
    pub supplier: Option<String>,
    /// The repo's page on the Hub.
    pub hub_url: Option<String>,
    /// The card on the Hub, at the commit when known.
    pub card_url: Option<String>,
    /// The card's `pipeline_tag`.
    pub task: Option<String>,
    /// config.json's `model_type` (or the GGUF architecture).
    pub family: Option<String>,
    /// config.json's `architectures[0]`.
    pub architecture: Option<String>,
    /// The training datasets' ids.
    pub datasets: Vec<String>,
    /// The models this one derives from.
    pub ancestors: Vec<Ancestor>,
    /// The card's section on limitations, bias and risks.
    pub limitations: Option<String>,
    /// The card's section on intended uses.
    pub intended_uses: Option<String>,
    /// The licenses the card (or a GGUF file) declares.
    pub declared: Vec<LicenseFact>,
    /// The licenses mri concluded apply (its decision's detected licenses).
    pub concluded: Vec<LicenseFact>,
    /// mri's commercial-use verdict.
    pub verdict: Option<Verdict>,
    /// Facts without a field of their own in either format, `mri:` names.
    pub properties: Vec<(String, String)>,
    /// Architecture sizes (context length, layers, ...) as hyperparameters.
    pub hyperparameters: Vec<(String, String)>,
    /// Every file.
    pub files: Vec<FileFact>,
    /// Every finding.
    pub findings: &'a [Finding],
}

/// The ids of the datasets the model was trained on (`org/name[:config]`),
/// sorted: the Report's training data, else the card's `datasets:`.
pub fn training_datasets(report: &Report) -> Vec<String> {
    // The Report's training data (card, GGUF keys), the base model's own
    // datasets left to the base; the card's list where nothing was read.
    let declared: Vec<String> = report
        .training_data
        .datasets
        .iter()
        .filter(|d| d.via != "base")
        .map(|d| match &d.config {
            Some(c) => format!("{}:{c}", d.id),
            None => d.id.clone(),
        })
        .collect();
    let from_card = || {
        report
            .card
            .iter()
            .flat_map(|c| c.datasets.iter())
            .map(|d| d.trim().to_string())
            .collect::<Vec<_>>()
    };
    let mut ids: Vec<String> = if declared.is_empty() {
        from_card()
    } else {
        declared
    }
    .into_iter()
    .filter(|d| !d.is_empty())
    .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// A card section as BOM text: the heading line and surrounding blank
/// lines dropped, cut at [`MAX_SECTION_CHARS`].
fn section_text(section: Option<&crate::model::card::CardSection>) -> Option<String> {
    let text = section?.text.trim();
    let body = text.split_once('\n').map_or("", |(_, rest)| rest).trim();
    if body.is_empty() {
        return None;
    }
    Some(match body.char_indices().nth(MAX_SECTION_CHARS) {
        Some((i, _)) => format!("{}…", &body[..i]),
        None => body.to_string(),
    })
}

/// A string value of a GGUF metadata key.
fn gguf_str<'r>(report: &'r Report, key: &str) -> Option<&'r str> {
    report
        .gguf
        .as_ref()?
        .metadata
        .iter()
        .find(|m| m.key == key)?
        .value
        .as_str()
        .filter(|s| !s.trim().is_empty())
}

/// Whether `s` looks like a Hub repo id (`ORG/NAME`).
fn is_repo_id(s: &str) -> bool {
    let mut parts = s.split('/');
    let ok = |p: Option<&str>| {
        p.is_some_and(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
        })
    };
    ok(parts.next()) && ok(parts.next()) && parts.next().is_none()
}

/// `pkg:huggingface/ORG/NAME[@COMMIT]` (the commit lowercased, as the purl
/// type asks).
fn hf_purl(repo: &str, commit: Option<&str>) -> Option<String> {
    let (org, name) = repo.split_once('/')?;
    let mut p = format!(
        "pkg:huggingface/{}/{}",
        encode_segment(org),
        encode_segment(name)
    );
    if let Some(c) = commit {
        p.push('@');
        p.push_str(&encode_segment(&c.to_ascii_lowercase()));
    }
    Some(p)
}

/// `s` when it is an absolute http(s) URL a BOM can carry as it is (no
/// spaces, controls or characters an IRI forbids); a model's metadata may
/// hold anything.
fn clean_url(s: &str) -> Option<String> {
    let s = s.trim();
    let forbidden = |c: char| c.is_whitespace() || c.is_control() || "<>\"{}|\\^`".contains(c);
    ((s.starts_with("https://") || s.starts_with("http://")) && !s.contains(forbidden))
        .then(|| s.to_string())
}

/// The repo's page: the endpoint it was fetched from, else the Hub.
fn hub_url(report: &Report, repo: &str) -> String {
    let endpoint = report
        .target
        .remote
        .as_ref()
        .map_or(HUB, |r| r.endpoint.trim_end_matches('/'));
    let path: Vec<String> = repo.split('/').map(encode_segment).collect();
    format!("{endpoint}/{}", path.join("/"))
}

/// A license id the card or a GGUF file wrote, as a license fact.
fn declared_fact(id: &str, name: Option<&str>, url: Option<&str>) -> Option<LicenseFact> {
    let url = url.map(str::to_string);
    if let Some((resolved, _)) = crate::license::resolve_license(id) {
        return Some(license_fact(&resolved, url));
    }
    // `license: other` says nothing without `license_name`.
    let name = match (id.eq_ignore_ascii_case("other"), name) {
        (true, Some(n)) => n,
        (true, None) => return None,
        (false, _) => id,
    };
    Some(LicenseFact {
        spdx: None,
        kb_id: None,
        name: name.to_string(),
        url,
    })
}

/// A resolved license id (SPDX or knowledge base) as a license fact.
fn license_fact(id: &str, url: Option<String>) -> LicenseFact {
    if let Some(f) = spdx_facts::facts(id) {
        return LicenseFact {
            spdx: Some(f.id),
            kb_id: None,
            name: f.name,
            url,
        };
    }
    match kb().get(id) {
        Some(e) if !e.spdx.is_empty() => LicenseFact {
            spdx: Some(e.spdx.clone()),
            kb_id: None,
            name: e.name.clone(),
            url,
        },
        Some(e) => LicenseFact {
            spdx: None,
            kb_id: Some(e.id.clone()),
            name: e.name.clone(),
            url,
        },
        None => LicenseFact {
            spdx: None,
            kb_id: None,
            name: id.to_string(),
            url,
        },
    }
}

/// The card's `license_link` as an absolute URL: as written when it is one,
/// else the file in the repo on the Hub; `None` for a relative link of a
/// model with no repo id.
fn license_link(report: &Report, repo_url: Option<&str>, rev: &str) -> Option<String> {
    let link = report.card.as_ref()?.license_link.as_deref()?.trim();
    if link.starts_with("https://") || link.starts_with("http://") {
        return clean_url(link);
    }
    let path: Vec<String> = link
        .trim_start_matches("./")
        .split('/')
        .map(encode_segment)
        .collect();
    repo_url.map(|u| format!("{u}/blob/{rev}/{}", path.join("/")))
}

/// The declared licenses: the card's `license` (with `license_name` and
/// `license_link`), else a GGUF file's `general.license`.
fn declared(report: &Report, link: Option<&str>) -> Vec<LicenseFact> {
    let mut out = BTreeSet::new();
    if let Some(card) = &report.card {
        for id in &card.license {
            out.extend(declared_fact(id, card.license_name.as_deref(), link));
        }
    }
    if out.is_empty() {
        if let Some(id) = gguf_str(report, "general.license") {
            out.extend(declared_fact(
                id,
                gguf_str(report, "general.license.name"),
                None,
            ));
        }
    }
    out.into_iter().collect()
}

/// The concluded licenses: every license mri's decision found (card, files,
/// base models); an unrecognised text names no license and gives none.
fn concluded(report: &Report) -> Vec<LicenseFact> {
    let mut out = BTreeSet::new();
    for d in report.license.iter().flat_map(|l| l.detected.iter()) {
        if d.id != "unrecognised" {
            out.insert(license_fact(&d.id, None));
        }
    }
    out.into_iter().collect()
}

/// The models this one derives from, deduplicated by name.
fn ancestors(report: &Report) -> Vec<Ancestor> {
    let mut names: BTreeSet<Ancestor> = BTreeSet::new();
    let mut add = |name: &str, url: Option<String>| {
        let name = name.trim();
        if !name.is_empty() {
            let purl = is_repo_id(name).then(|| hf_purl(name, None)).flatten();
            names.insert(Ancestor {
                name: name.to_string(),
                purl,
                url,
            });
        }
    };
    for b in report.card.iter().flat_map(|c| c.base_model.iter()) {
        add(b, None);
    }
    if let Some(b) = report
        .adapter
        .as_ref()
        .and_then(|a| a.base_model.as_deref())
    {
        add(b, None);
    }
    for i in 0..16 {
        let key = format!("general.base_model.{i}");
        let repo_url = gguf_str(report, &format!("{key}.repo_url")).and_then(clean_url);
        let name = match (
            gguf_str(report, &format!("{key}.organization")),
            gguf_str(report, &format!("{key}.name")),
        ) {
            (_, None) => break,
            (Some(org), Some(n)) if !n.contains('/') => format!("{org}/{n}"),
            (_, Some(n)) => n.to_string(),
        };
        add(&name, repo_url);
    }
    // The same base named by the card and the adapter is one ancestor.
    let mut seen = BTreeSet::new();
    names
        .into_iter()
        .filter(|a| seen.insert(a.name.to_ascii_lowercase()))
        .collect()
}

/// Facts without a field of their own: counts, types, memory, verdict.
fn properties(report: &Report, facts: &ModelFacts<'_>) -> Vec<(String, String)> {
    let mut p: Vec<(String, String)> = Vec::new();
    let mut put = |k: &str, v: String| p.push((format!("mri:{k}"), v));
    let w = &report.weights;
    if let Some(f) = &w.format {
        put("weights:format", f.clone());
    }
    if w.parameters > 0 {
        put("weights:parameters", w.parameters.to_string());
        put("weights:tensors", w.tensor_count.to_string());
        put("weights:bytes", w.bytes.to_string());
    }
    if !w.by_dtype.is_empty() {
        let dtypes: Vec<&str> = w.by_dtype.keys().map(String::as_str).collect();
        put("weights:dtypes", dtypes.join(","));
    }
    let quant = w
        .quantization
        .as_ref()
        .map(|q| q.detected.label())
        .or_else(|| report.gguf.as_ref().and_then(|g| g.file_type.clone()))
        .or_else(|| {
            let q = report.architecture.as_ref()?.quantization.as_ref()?;
            Some(q.method.clone())
        });
    if let Some(q) = quant {
        put("weights:quantization", q);
    }
    if let Some(a) = &report.architecture {
        if let Some(c) = a.context_length {
            put("architecture:context-length", c.to_string());
        }
    }
    let m = &report.memory;
    if m.weights_stored_bytes > 0 {
        put("memory:weights-bytes", m.weights_stored_bytes.to_string());
    }
    if let Some(kv) = &m.kv_cache {
        put(
            "memory:kv-cache-bytes-per-token",
            kv.bytes_per_token.to_string(),
        );
        if let Some(b) = kv.bytes_at_context {
            put("memory:kv-cache-bytes-at-context", b.to_string());
        }
    }
    if let Some(a) = &report.adapter {
        put("adapter:peft-type", a.peft_type.clone());
        put(
            "adapter:trainable-parameters",
            a.trainable_parameters.to_string(),
        );
    }
    if let Some(lib) = report.card.as_ref().and_then(|c| c.library_name.clone()) {
        put("card:library-name", lib);
    }
    if let Some(v) = facts.verdict {
        put("license:verdict", v.as_str().to_string());
    }
    for f in facts.findings {
        let mut v = format!("{} {}: {}", f.severity, f.code, f.message);
        match (&f.file, f.line) {
            (Some(file), Some(line)) => v.push_str(&format!(" ({file}:{line})")),
            (Some(file), None) => v.push_str(&format!(" ({file})")),
            _ => {}
        }
        put("finding", v);
    }
    p
}

/// Architecture sizes as (name, value): the hyperparameters SPDX asks for.
fn hyperparameters(report: &Report) -> Vec<(String, String)> {
    let mut h = Vec::new();
    if let Some(a) = &report.architecture {
        let sizes = [
            ("context_length", a.context_length),
            ("num_layers", a.num_layers),
            ("hidden_size", a.hidden_size),
            ("intermediate_size", a.intermediate_size),
            ("num_attention_heads", a.num_attention_heads),
            ("num_key_value_heads", a.num_key_value_heads),
            ("vocab_size", a.vocab_size),
        ];
        for (k, v) in sizes {
            if let Some(v) = v {
                h.push((k.to_string(), v.to_string()));
            }
        }
    }
    if let Some(a) = &report.adapter {
        if let Some(r) = a.r {
            h.push(("lora_r".into(), r.to_string()));
        }
        if let Some(alpha) = a.lora_alpha {
            h.push(("lora_alpha".into(), alpha.to_string()));
        }
    }
    h
}

/// The model's name, revision, package URL and supplier.
fn identity(report: &Report) -> (Option<String>, Option<String>, Option<String>) {
    let t = &report.target;
    let commit = t
        .commit
        .clone()
        .or_else(|| t.remote.as_ref().map(|r| r.commit.clone()))
        .filter(|c| !c.is_empty());
    let version = commit
        .clone()
        .or_else(|| t.ollama.as_ref().map(|o| o.tag.clone()));
    let purl = t
        .repo_id
        .as_deref()
        .filter(|r| is_repo_id(r))
        .and_then(|r| hf_purl(r, commit.as_deref()));
    let supplier = t
        .repo_id
        .as_deref()
        .filter(|r| is_repo_id(r))
        .and_then(|r| r.split_once('/'))
        .map(|(org, _)| org.to_string())
        .or_else(|| gguf_str(report, "general.organization").map(str::to_string))
        .or_else(|| {
            t.ollama
                .as_ref()
                .filter(|o| o.namespace != "library")
                .map(|o| o.namespace.clone())
        });
    (version, purl, supplier)
}

impl<'a> ModelFacts<'a> {
    /// Reads a model's facts from its Report and the hashes computed for it.
    pub fn of(model: &BomModel<'a>) -> ModelFacts<'a> {
        let report = model.report;
        let (version, purl, supplier) = identity(report);
        let repo = report.target.repo_id.as_deref().filter(|r| is_repo_id(r));
        let hub = repo.map(|r| hub_url(report, r));
        let rev = version.as_deref().unwrap_or("main");
        let card_url = match (&hub, &report.card) {
            (Some(u), Some(c)) => Some(format!("{u}/blob/{rev}/{}", encode_segment(&c.path))),
            _ => None,
        };
        let link = license_link(report, hub.as_deref(), rev);
        let hashes = known_sha256(report, &model.computed);
        let files = report
            .files
            .iter()
            .map(|f| FileFact {
                path: f.path.clone(),
                class: f.class.as_str(),
                size: f.size,
                sha256: hashes.get(&f.path).cloned(),
                remote_only: f.remote_only,
            })
            .collect();
        let arch = report.architecture.as_ref();
        let card = report.card.as_ref();
        let mut facts = ModelFacts {
            name: report.display_name(),
            version,
            purl,
            supplier,
            hub_url: hub,
            card_url,
            task: card.and_then(|c| c.pipeline_tag.clone()),
            family: arch
                .and_then(|a| a.model_type.clone())
                .filter(|m| !m.is_empty())
                .or_else(|| report.gguf.as_ref().and_then(|g| g.architecture.clone())),
            architecture: arch.and_then(|a| a.architectures.first().cloned()),
            datasets: training_datasets(report),
            ancestors: ancestors(report),
            limitations: section_text(card.and_then(|c| c.limitations.as_ref())),
            intended_uses: section_text(card.and_then(|c| c.intended_uses.as_ref())),
            declared: declared(report, link.as_deref()),
            concluded: concluded(report),
            verdict: report.license.as_ref().map(|l| l.verdict),
            properties: Vec::new(),
            hyperparameters: hyperparameters(report),
            files,
            findings: &report.findings,
        };
        facts.properties = properties(report, &facts);
        facts
    }

    /// The weight files.
    pub fn weight_files(&self) -> impl Iterator<Item = &FileFact> {
        self.files.iter().filter(|f| f.is_weights())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_ids_and_purls() {
        assert!(is_repo_id("Qwen/Qwen3-4B"));
        assert!(!is_repo_id("Qwen3-4B"));
        assert!(!is_repo_id("a/b/c"));
        assert_eq!(
            hf_purl("Qwen/Qwen3-4B", Some("ABC123")).as_deref(),
            Some("pkg:huggingface/Qwen/Qwen3-4B@abc123")
        );
    }

    #[test]
    fn only_clean_absolute_urls_are_carried() {
        assert_eq!(
            clean_url(" https://example.com/LICENSE ").as_deref(),
            Some("https://example.com/LICENSE")
        );
        assert_eq!(clean_url("LICENSE"), None);
        assert_eq!(clean_url("https://example.com/a b"), None);
        assert_eq!(clean_url("javascript:alert(1)"), None);
    }

    #[test]
    fn declared_other_without_a_name_is_left_out() {
        assert_eq!(declared_fact("other", None, None), None);
        let f = declared_fact("other", Some("my-license"), None).unwrap();
        assert_eq!((f.spdx, f.name.as_str()), (None, "my-license"));
        let f = declared_fact("apache-2.0", None, None).unwrap();
        assert_eq!(f.spdx.as_deref(), Some("Apache-2.0"));
    }

    #[test]
    fn card_sections_lose_their_heading_and_are_cut() {
        let s = crate::model::card::CardSection {
            line: 3,
            text: "\n\n## Limitations\n\nIt hallucinates.\n".into(),
        };
        assert_eq!(section_text(Some(&s)).as_deref(), Some("It hallucinates."));
        let long = crate::model::card::CardSection {
            line: 1,
            text: format!("## Limits\n{}", "é".repeat(MAX_SECTION_CHARS + 10)),
        };
        let cut = section_text(Some(&long)).unwrap();
        assert_eq!(cut.chars().count(), MAX_SECTION_CHARS + 1);
    }
}
