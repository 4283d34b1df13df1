//! Analyze: pure functions from scanned facts to the Report — parameter
//! counts, quantization, memory, consistency checks. No I/O here.

pub mod components;
pub mod consistency;
pub mod gguf;
pub mod memory;
pub mod quant;
pub mod recurrent_state;
pub mod st_license;
pub mod training_data;
pub mod weights;

use crate::adapter::AdapterSummary;
use crate::finding::{Code, Finding};
use crate::license::decide::Clarification;
use crate::license::{decide, BaseLicense, LicenseInputs, LicenseReport};
use crate::model::card::Card;
use crate::model::config::{read_architecture, Architecture};
use crate::model::tokenizer::{
    summarize as summarize_tokenizer, TokenizerInputs, TokenizerSummary,
};
use crate::report::{FindingCounts, Report, ToolInfo, SCHEMA_VERSION};
use crate::scan::classify::FileClass;
use crate::scan::{ScannedRepo, ShardScan};
use crate::security::SecuritySummary;
use crate::util::json::JsonDoc;
use weights::WeightsSummary;

/// The base model, when it is at hand (`--base`, or an adapter's base found
/// in the Hugging Face cache): how it was named and its Report.
pub struct BaseModel<'a> {
    /// Its path or repo id.
    pub name: &'a str,
    /// Its Report.
    pub report: &'a Report,
}

/// Builds the Report from what the scan read, with the base model when at
/// hand and the policy's clarifications that name this model.
///
/// The steps run in a fixed order, because each adds its findings in turn
/// and later steps read what earlier ones settled (the GGUF facts stand in
/// for config.json and the tokenizer only after the checks that speak of
/// those files).
pub fn analyze(
    mut scanned: ScannedRepo,
    base_model: Option<BaseModel<'_>>,
    clarifications: &[Clarification],
) -> Report {
    let base_license = base_license(base_model.as_ref());
    let mut findings = std::mem::take(&mut scanned.findings);
    let shards = std::mem::take(&mut scanned.shards);
    let card = scanned.card.take();
    let native_params = native_params(&scanned);
    let architecture = architecture(&scanned, native_params);
    if let Some(config) = &scanned.config {
        findings.extend(crate::model::config::mistyped_counts(config));
    }
    let (mut weights, weights_complete) =
        weights_of(&scanned, shards, architecture.as_ref(), &mut findings);
    let mut gguf_facts = gguf::analyze(&scanned.gguf, &mut findings);
    settle_weights_format(&scanned, &mut weights, gguf_facts.as_mut(), &mut findings);
    config_missing(&scanned, native_params, gguf_facts.is_some(), &mut findings);
    let tokenizer = tokenizer(&scanned);
    let generation = scanned
        .generation_config
        .as_ref()
        .map(crate::model::generation::summarize);
    let card = card_of(card, scanned.target.listed.is_none(), &mut findings);

    findings.extend(consistency::check(&consistency::ConsistencyInputs {
        arch: architecture.as_ref(),
        config: scanned.config.as_ref().or(native_params),
        weights: &weights,
        tokenizer: tokenizer.as_ref(),
        generation: generation.as_ref(),
        weights_complete,
    }));

    // The GGUF metadata stands in for config.json and the tokenizer files
    // where those are absent (after the checks above, which speak of them).
    let architecture = architecture.or_else(|| gguf_facts.as_mut()?.architecture.take());
    let tokenizer = tokenizer.or_else(|| gguf_facts.as_mut()?.tokenizer.take());

    let security = security(&scanned, &mut findings);
    let adapter = adapter(
        &scanned,
        &weights,
        card.as_ref(),
        base_model.as_ref(),
        &mut findings,
    );
    let license = license(
        &scanned,
        &weights,
        card.as_ref(),
        gguf_facts.as_mut(),
        &LicenseContext {
            base: base_license.as_ref(),
            clarifications,
        },
        &mut findings,
    );

    let (training_data, data_findings) = training_data::build(
        training_data::declared(card.as_ref(), &scanned.gguf),
        &scanned.dataset_cards,
        base_model
            .as_ref()
            .map(|b| (b.name, &b.report.training_data)),
        card.is_some() || scanned.target.listed.is_none(),
    );
    findings.extend(data_findings);
    findings.extend(scanned.signature.as_ref().map(|s| s.finding()));

    let memory = memory::estimate(weights.parameters, weights.bytes, architecture.as_ref());
    let mut report = Report {
        schema_version: SCHEMA_VERSION,
        tool: ToolInfo::default(),
        target: scanned.target,
        files: scanned.files,
        weights,
        architecture,
        memory,
        tokenizer,
        generation,
        card,
        license: Some(license),
        training_data,
        adapter,
        security: Some(security),
        findings,
        summary: FindingCounts::default(),
        smoke: None,
        gguf: gguf_facts.map(|g| g.summary),
        ollama: scanned.ollama,
        signature: scanned.signature,
    };
    report.finish_findings();
    report
}

/// The base model's license, when a base is at hand and its Report has one.
fn base_license(base_model: Option<&BaseModel<'_>>) -> Option<BaseLicense> {
    base_model.and_then(|b| {
        b.report.license.clone().map(|report| BaseLicense {
            name: b.name.to_string(),
            report,
        })
    })
}

/// Mistral's native format, without a transformers config.json: its
/// params.json, when that is what states the architecture.
fn native_params(scanned: &ScannedRepo) -> Option<&JsonDoc> {
    let has_config_file = scanned.files.iter().any(|f| f.path == "config.json");
    scanned
        .mistral_params
        .as_ref()
        .filter(|d| !has_config_file && crate::model::mistral::is_native_params(&d.value))
}

/// The architecture from config.json, else from Mistral's native
/// params.json; a ModelOpt checkpoint's quantization, stated beside
/// config.json, fills in one the config does not state.
fn architecture(scanned: &ScannedRepo, native_params: Option<&JsonDoc>) -> Option<Architecture> {
    let mut architecture = scanned.config.as_ref().map(read_architecture);
    if architecture.is_none() {
        architecture = native_params.map(crate::model::mistral::read_params);
    }
    // A ModelOpt checkpoint states its quantization beside config.json.
    if let Some(a) = architecture.as_mut().filter(|a| a.quantization.is_none()) {
        a.quantization = scanned
            .hf_quant_config
            .as_ref()
            .and_then(|d| crate::model::config::read_hf_quant_config(&d.value));
    }
    architecture
}

/// The safetensors weights summarized, their findings added, and whether
/// the whole tensor set is here.
fn weights_of(
    scanned: &ScannedRepo,
    shards: Vec<ShardScan>,
    architecture: Option<&Architecture>,
    findings: &mut Vec<Finding>,
) -> (WeightsSummary, bool) {
    let lfs_pointers: Vec<&str> = scanned
        .files
        .iter()
        .filter(|f| f.lfs_pointer.is_some())
        .map(|f| f.path.as_str())
        .collect();
    let unreadable_shard = shards.iter().any(|s| s.header.is_none());
    let (weights, weight_findings) = weights::summarize(
        shards,
        &scanned.indexes,
        architecture.and_then(|a| a.quantization.as_ref()),
        &lfs_pointers,
    );
    // Some weights are not here (a missing shard, a pointer, an unreadable
    // header): the checks that need the whole tensor set stand down.
    let weights_complete = !unreadable_shard
        && !weight_findings
            .iter()
            .chain(findings.iter())
            .any(|f| matches!(f.code, Code::WeightsShardMissing | Code::WeightsLfsPointer));
    findings.extend(weight_findings);
    (weights, weights_complete)
}

/// Which weights the Report counts (the safetensors', else the GGUF
/// files'), the format named from the files when nothing was counted, and
/// the warnings for no weights or pickle-only weights.
fn settle_weights_format(
    scanned: &ScannedRepo,
    weights: &mut WeightsSummary,
    gguf_facts: Option<&mut gguf::GgufFacts>,
    findings: &mut Vec<Finding>,
) {
    let has_class = |c: FileClass| scanned.files.iter().any(|f| f.class == c);
    if let Some(g) = gguf_facts {
        if weights.format.is_none() {
            *weights = std::mem::take(&mut g.weights);
        } else {
            // safetensors beside GGUF files: the totals are the safetensors'
            g.summary.models.iter_mut().for_each(|m| m.counted = false);
        }
    }
    if weights.format.is_none() {
        weights.format = [
            (FileClass::Pickle, "pickle"),
            (FileClass::Gguf, "gguf"),
            (FileClass::Onnx, "onnx"),
        ]
        .iter()
        .find(|(c, _)| has_class(*c))
        .map(|(_, n)| n.to_string());
    }
    match weights.format.as_deref() {
        None if !scanned.files.iter().any(|f| f.lfs_pointer.is_some()) => findings.push(
            Finding::warning(Code::WeightsNone, "no weight files (safetensors, pickle, GGUF or ONNX) in the repository"),
        ),
        Some("pickle") => findings.push(Finding::warning(
            Code::WeightsPickleOnly,
            "weights exist only as pickle files (*.bin, *.pt, ...); mri does not count them, and loading them can execute code",
        )),
        _ => {}
    }
}

/// The finding for a missing config.json: an info for Mistral's native
/// format, a diffusers pipeline or a single safetensors file, a warning
/// otherwise; none when a config, GGUF facts or an adapter config stand in.
fn config_missing(
    scanned: &ScannedRepo,
    native_params: Option<&JsonDoc>,
    has_gguf_facts: bool,
    findings: &mut Vec<Finding>,
) {
    let has_config_file = scanned.files.iter().any(|f| f.path == "config.json");
    if let Some(doc) = native_params {
        findings.push(
            Finding::info(
                Code::ConfigMissing,
                "Mistral's native format (params.json, for mistral-inference and vLLM) without a transformers config.json: the architecture is read from params.json",
            )
            .in_file(&doc.path),
        );
    } else if scanned.config.is_none()
        && !has_gguf_facts
        && scanned.adapter_config.is_none()
        && !has_config_file
    {
        let pipeline = scanned
            .model_index
            .as_ref()
            .and_then(|d| diffusers_pipeline(&d.value));
        findings.push(match pipeline {
            // A diffusers pipeline has no config.json at its root by design.
            Some(p) => Finding::info(
                Code::ConfigMissing,
                format!(
                    "a diffusers pipeline ({p}): model_index.json names its components; the architecture, memory and consistency checks read a transformers config.json and are skipped"
                ),
            )
            .in_file("model_index.json"),
            // The user asked for one file: its folder's config is not read.
            None if scanned.target.kind == crate::locate::TargetKind::SafetensorsFile => {
                Finding::info(
                    Code::ConfigMissing,
                    "a single safetensors file: only its header is read (no config.json, tokenizer or card); inspect its folder for the architecture, memory and consistency checks",
                )
            }
            None => Finding::warning(
                Code::ConfigMissing,
                "no config.json: the architecture, memory and consistency checks are skipped",
            ),
        });
    }
}

/// The tokenizer summarized from its files, when there are any.
fn tokenizer(scanned: &ScannedRepo) -> Option<TokenizerSummary> {
    let tokenizer_files: Vec<String> = scanned
        .files
        .iter()
        .filter(|f| f.class == FileClass::Tokenizer)
        .map(|f| f.path.clone())
        .collect();
    (!tokenizer_files.is_empty()).then(|| {
        summarize_tokenizer(&TokenizerInputs {
            files: tokenizer_files,
            tokenizer_json: scanned.tokenizer_json.as_ref(),
            tekken: scanned.tekken.as_ref(),
            model_vocab: scanned.model_vocab.as_ref(),
            added_tokens_json: scanned.added_tokens_json.as_ref(),
            tokenizer_config: scanned.tokenizer_config.as_ref(),
            special_tokens_map: scanned.special_tokens_map.as_ref(),
            chat_template_file: scanned.chat_template_file.as_deref(),
        })
    })
}

/// The model card with its findings added; an info when it has no front
/// matter, or when a folder has no card at all (`expect_card`: the target
/// is a listed folder, not a GGUF file or an Ollama model).
fn card_of(
    card: Option<(Card, Vec<Finding>)>,
    expect_card: bool,
    findings: &mut Vec<Finding>,
) -> Option<Card> {
    match card {
        Some((card, card_findings)) => {
            findings.extend(card_findings);
            if !card.has_front_matter {
                findings.push(
                    Finding::info(
                        Code::CardMissing,
                        "the model card has no YAML front matter (license, base_model)",
                    )
                    .in_file(&card.path),
                );
            }
            Some(card)
        }
        None => {
            // A GGUF file or an Ollama model is not a folder: no card to expect.
            if expect_card {
                findings.push(Finding::info(
                    Code::CardMissing,
                    "no model card (README.md)",
                ));
            }
            None
        }
    }
}

/// The security summary (pickles, code, templates), its findings added.
fn security(scanned: &ScannedRepo, findings: &mut Vec<Finding>) -> SecuritySummary {
    let (security, security_findings) = crate::security::analyze(&scanned.security_inputs());
    findings.extend(security_findings);
    security
}

/// The PEFT adapter summary, when there is an adapter config, checked
/// against the base's tensors when the base is at hand; its findings added.
fn adapter(
    scanned: &ScannedRepo,
    weights: &WeightsSummary,
    card: Option<&Card>,
    base_model: Option<&BaseModel<'_>>,
    findings: &mut Vec<Finding>,
) -> Option<AdapterSummary> {
    scanned.adapter_config.as_ref().map(|config| {
        let base_tensors = base_model
            .map(|b| crate::adapter::BaseTensors::from_weights(b.name, &b.report.weights));
        let card_bases = card.map(|c| c.base_model.clone()).unwrap_or_default();
        let (summary, adapter_findings) =
            crate::adapter::analyze(config, weights, &card_bases, base_tensors.as_ref());
        findings.extend(adapter_findings);
        summary
    })
}

/// What the license decision takes from outside the repository: the base
/// model's license and the policy's clarifications.
struct LicenseContext<'a> {
    /// The base model's license, when the base is at hand.
    base: Option<&'a BaseLicense>,
    /// The policy's clarifications that name this model.
    clarifications: &'a [Clarification],
}

/// The license decision from the card, the license files, the adapter's
/// base, the licenses the GGUF or safetensors metadata declare, the base
/// and the clarifications; its findings added.
fn license(
    scanned: &ScannedRepo,
    weights: &WeightsSummary,
    card: Option<&Card>,
    gguf_facts: Option<&mut gguf::GgufFacts>,
    context: &LicenseContext<'_>,
    findings: &mut Vec<Finding>,
) -> LicenseReport {
    let extra_bases: Vec<(String, String, u32)> = scanned
        .adapter_config
        .as_ref()
        .and_then(|c| {
            let base = c.get("base_model_name_or_path")?.as_str()?.to_string();
            Some((
                base,
                c.path.clone(),
                c.key_line("base_model_name_or_path").unwrap_or(1),
            ))
        })
        .into_iter()
        .collect();

    let repo_files: Vec<String> = scanned.files.iter().map(|f| f.path.clone()).collect();
    let declared: Vec<(Card, &'static str)> = gguf_facts
        .and_then(|g| g.license_card.take())
        .map(|c| (c, "gguf"))
        .into_iter()
        .chain(st_license::declared_license(&weights.shards).map(|c| (c, "safetensors")))
        .collect();
    let (license, license_findings) = decide(&LicenseInputs {
        card,
        files: &scanned.license_files,
        repo_files: &repo_files,
        base: context.base,
        extra_bases: &extra_bases,
        declared: &declared,
        truncated: &scanned.license_truncated,
        clarifications: context.clarifications,
    });
    findings.extend(license_findings);
    license
}

/// `StableDiffusionPipeline: text_encoder, unet, vae` from a diffusers
/// `model_index.json` (its `_class_name` and the entries that name a
/// library and a class), or `None` when the file is not one.
fn diffusers_pipeline(index: &serde_json::Value) -> Option<String> {
    let obj = index.as_object()?;
    let class = obj.get("_class_name")?.as_str()?;
    let components: Vec<&str> = obj
        .iter()
        .filter(|(k, v)| {
            !k.starts_with('_')
                && v.as_array()
                    .is_some_and(|a| a.len() == 2 && a.iter().all(|x| x.is_string()))
        })
        .map(|(k, _)| k.as_str())
        .collect();
    Some(if components.is_empty() {
        class.to_string()
    } else {
        format!("{class}: {}", components.join(", "))
    })
}
