//! Analyze: pure functions from scanned facts to the Report — parameter
//! counts, quantization, memory, consistency checks. No I/O here.

pub mod components;
pub mod consistency;
pub mod gguf;
pub mod memory;
pub mod quant;
pub mod recurrent_state;
pub mod st_license;
pub mod weights;

use crate::license::decide::Clarification;
use crate::license::{decide, BaseLicense, LicenseInputs};
use crate::model::config::read_architecture;
use crate::model::tokenizer::{summarize as summarize_tokenizer, TokenizerInputs};
use crate::report::finding::{Code, Finding};
use crate::report::{FindingCounts, Report, ToolInfo, SCHEMA_VERSION};
use crate::scan::classify::FileClass;
use crate::scan::ScannedRepo;

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
pub fn analyze(
    scanned: ScannedRepo,
    base_model: Option<BaseModel<'_>>,
    clarifications: &[Clarification],
) -> Report {
    let base_license = base_model.as_ref().and_then(|b| {
        b.report.license.clone().map(|report| BaseLicense {
            name: b.name.to_string(),
            report,
        })
    });
    let base = base_license.as_ref();
    let mut findings = scanned.findings;
    let mut architecture = scanned.config.as_ref().map(read_architecture);
    // Mistral's native format, without a transformers config.json: its
    // params.json states the architecture.
    let has_config_file = scanned.files.iter().any(|f| f.path == "config.json");
    let native_params = scanned
        .mistral_params
        .as_ref()
        .filter(|d| !has_config_file && crate::model::mistral::is_native_params(&d.value));
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
    if let Some(config) = &scanned.config {
        findings.extend(crate::model::config::mistyped_counts(config));
    }
    let has_class = |c: FileClass| scanned.files.iter().any(|f| f.class == c);

    let lfs_pointers: Vec<&str> = scanned
        .files
        .iter()
        .filter(|f| f.lfs_pointer.is_some())
        .map(|f| f.path.as_str())
        .collect();
    let unreadable_shard = scanned.shards.iter().any(|s| s.header.is_none());
    let (mut weights, weight_findings) = weights::summarize(
        scanned.shards,
        &scanned.indexes,
        architecture.as_ref().and_then(|a| a.quantization.as_ref()),
        &lfs_pointers,
    );
    // Some weights are not here (a missing shard, a pointer, an unreadable
    // header): the checks that need the whole tensor set stand down.
    let weights_complete = !unreadable_shard
        && !weight_findings
            .iter()
            .chain(&findings)
            .any(|f| matches!(f.code, Code::WeightsShardMissing | Code::WeightsLfsPointer));
    findings.extend(weight_findings);
    let mut gguf_facts = gguf::analyze(&scanned.gguf, &mut findings);
    if let Some(g) = gguf_facts.as_mut() {
        if weights.format.is_none() {
            weights = std::mem::take(&mut g.weights);
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
    if let Some(doc) = native_params {
        findings.push(
            Finding::info(
                Code::ConfigMissing,
                "Mistral's native format (params.json, for mistral-inference and vLLM) without a transformers config.json: the architecture is read from params.json",
            )
            .in_file(&doc.path),
        );
    } else if scanned.config.is_none()
        && gguf_facts.is_none()
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

    let tokenizer_files: Vec<String> = scanned
        .files
        .iter()
        .filter(|f| f.class == FileClass::Tokenizer)
        .map(|f| f.path.clone())
        .collect();
    let tokenizer = (!tokenizer_files.is_empty()).then(|| {
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
    });
    let generation = scanned
        .generation_config
        .as_ref()
        .map(crate::model::generation::summarize);

    let card = match scanned.card {
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
            if scanned.target.listed.is_none() {
                findings.push(Finding::info(
                    Code::CardMissing,
                    "no model card (README.md)",
                ));
            }
            None
        }
    };

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

    let (security, security_findings) =
        crate::security::analyze(&crate::security::SecurityInputs {
            pickles: &scanned.pickles,
            code_files: &scanned.code_files,
            config: scanned.config.as_ref(),
            tokenizer_config: scanned.tokenizer_config.as_ref(),
            templates: &scanned.templates,
        });
    findings.extend(security_findings);

    let adapter = scanned.adapter_config.as_ref().map(|config| {
        let base_tensors = base_model
            .as_ref()
            .map(|b| crate::adapter::BaseTensors::from_weights(b.name, &b.report.weights));
        let card_bases = card
            .as_ref()
            .map(|c| c.base_model.clone())
            .unwrap_or_default();
        let (summary, adapter_findings) =
            crate::adapter::analyze(config, &weights, &card_bases, base_tensors.as_ref());
        findings.extend(adapter_findings);
        summary
    });
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
    let declared: Vec<(crate::model::card::Card, &'static str)> = gguf_facts
        .as_mut()
        .and_then(|g| g.license_card.take())
        .map(|c| (c, "gguf"))
        .into_iter()
        .chain(st_license::declared_license(&weights.shards).map(|c| (c, "safetensors")))
        .collect();
    let (license, license_findings) = decide(&LicenseInputs {
        card: card.as_ref(),
        files: &scanned.license_files,
        repo_files: &repo_files,
        base,
        extra_bases: &extra_bases,
        declared: &declared,
        truncated: &scanned.license_truncated,
        clarifications,
    });
    findings.extend(license_findings);

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
        adapter,
        security: Some(security),
        findings,
        summary: FindingCounts::default(),
        smoke: None,
        gguf: gguf_facts.map(|g| g.summary),
        ollama: scanned.ollama,
        header_maps: scanned.header_maps,
    };
    report.finish_findings();
    report
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
