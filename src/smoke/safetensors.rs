//! The run of a safetensors checkpoint: preflight, the prompt, the dry run
//! against the headers, the memory estimate, the optional weight scan, then
//! the load, the forward pass and the continuation.

use super::backend::{self, Checking, Log, Mapped};
use super::dry_run::{build_error, describe_problems, header_map};
use super::error::{candle_err, contain, SmokeError};
use super::generate::{eos_ids, judge_logits, ms, output_values, Greedy};
use super::model::{Build, Model};
use super::options::{dtype_name, open_device, resolve_dtype, SmokeEvent, SmokeOptions, Stage};
use super::preflight::{preflight, real_path};
use super::report::{Measured, MemoryCheck, SmokeRun, SmokeSummary, TopToken};
use super::{bert, bounds, files, lora, memory, sample, scan, tokenize};
use crate::analyze::weights::ShardSummary;
use crate::Report;
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use serde_json::Value;
use std::path::PathBuf;
use std::time::Instant;

/// Runs the smoke test on the safetensors checkpoint the Report describes.
pub(super) fn run(report: &Report, options: &SmokeOptions) -> Result<SmokeRun, SmokeError> {
    let emit = |e: SmokeEvent| {
        if let Some(p) = &options.progress {
            p(e);
        }
    };
    emit(SmokeEvent::Stage(Stage::Checking));
    let inputs = preflight(report)?;
    let family = inputs.family;
    let device = open_device(options.device)?;
    let dtype = resolve_dtype(options.dtype, &device, report);
    let mut notes = Vec::new();

    // The prompt, with the tokenizer's BOS rules.
    let tc = inputs.tokenizer_config.as_ref();
    let add_bos = tc
        .and_then(|v| v.get("add_bos_token"))
        .and_then(Value::as_bool);
    let bos = report
        .tokenizer
        .as_ref()
        .and_then(|t| t.special_tokens.get("bos"))
        .and_then(|s| s.id)
        .and_then(|id| u32::try_from(id).ok());
    let tokenizer_bytes = files::read_tokenizer(&inputs.tokenizer_json)?;
    let prompt = contain("tokenizing the prompt", || {
        tokenize::encode(&tokenizer_bytes, add_bos, bos, &options.prompt)
            .map_err(SmokeError::Tokenizer)
    })?;
    drop(tokenizer_bytes);
    notes.extend(prompt.notes.iter().cloned());
    if prompt.ids.is_empty() {
        return Err(SmokeError::EmptyPrompt);
    }
    let max_tokens = if family.is_encoder() {
        if options.max_tokens > 0 {
            notes.push("--max-tokens ignored: an encoder does not generate".into());
        }
        0
    } else {
        options.max_tokens
    };
    let positions = prompt.ids.len().saturating_add(max_tokens);

    // Dry run against the headers: every tensor candle asks for is checked.
    let headers = header_map(report, &inputs.shards);
    let tied = inputs
        .config
        .get("tie_word_embeddings")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let aliases = backend::aliases(&headers, tied);
    let build = Build {
        config: &inputs.config,
        positions,
        headers: &headers,
    };
    bounds::check(family.name(), &inputs.config, &headers)?;
    let log = std::sync::Mutex::new(Log::default());
    contain("checking the tensors against the config", || {
        let checking = Checking::new(&headers, &aliases, &log);
        let vb = VarBuilder::from_backend(Box::new(checking), dtype, Device::Cpu);
        family
            .build(&build, vb)
            .map(drop)
            .map_err(build_error(family, "checking the tensors"))
    })
    .or_else(|e| {
        // A failure after recorded problems is explained by them.
        describe_problems(family, &Checking::take(&log))?;
        Err(e)
    })?;
    let log = Checking::take(&log);
    describe_problems(family, &log)?;
    let requests = log.requests;
    if let Some(rows) = report.architecture.as_ref().and_then(|a| a.vocab_size) {
        if let Some(&id) = prompt.ids.iter().find(|&&id| u64::from(id) >= rows) {
            return Err(SmokeError::TokenOutOfRange { id, rows });
        }
    }
    let used: std::collections::HashSet<&str> = requests
        .iter()
        .map(|r| aliases.get(&r.name).map(String::as_str).unwrap_or(&r.name))
        .collect();
    let mut unused: Vec<&String> = headers
        .keys()
        .filter(|n| !used.contains(n.as_str()))
        .collect();
    unused.sort();
    if !unused.is_empty() {
        notes.push(format!(
            "{} stored tensor(s) not used by candle's {}: {}{}",
            unused.len(),
            family.name(),
            unused
                .iter()
                .take(5)
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            if unused.len() > 5 { ", ..." } else { "" }
        ));
    }

    // Memory, estimated before a byte of weight is read.
    let largest = requests
        .iter()
        .filter_map(|r| headers.get(aliases.get(&r.name).unwrap_or(&r.name)))
        .map(|h| h.bytes)
        .max()
        .unwrap_or(0);
    let (weights_bytes, needed) = memory::estimate(
        &requests,
        largest,
        report.architecture.as_ref(),
        positions as u64,
    );
    let available = memory::budget(options.memory_limit, device.is_cpu());
    if let Some(avail) = available {
        if needed > avail {
            let hint =
                if dtype == DType::F32 && weights_bytes / 2 + (needed - weights_bytes) <= avail {
                    "; --dtype bf16 would halve the weights".to_string()
                } else {
                    String::new()
                };
            return Err(SmokeError::NotEnoughMemory {
                needed,
                weights: weights_bytes,
                available: avail,
                dtype: dtype_name(dtype).into(),
                hint,
            });
        }
    }
    if !device.is_cpu() {
        notes.push("GPU memory is not checked before loading".into());
    }

    // Optionally, every byte of the weights.
    let mut weight_findings = Vec::new();
    if options.scan_weights {
        emit(SmokeEvent::Stage(Stage::ScanningWeights));
        let shards: Vec<(&ShardSummary, PathBuf)> = inputs
            .shards
            .iter()
            .map(|(i, p)| (&report.weights.shards[*i], p.clone()))
            .collect();
        let progress = |done, total| emit(SmokeEvent::ScanBytes { done, total });
        weight_findings = scan::scan(&shards, &progress)
            .map_err(|(path, source)| SmokeError::Io { path, source })?;
    }

    // Load for real.
    emit(SmokeEvent::Stage(Stage::Loading));
    let paths: Vec<PathBuf> = inputs.shards.iter().map(|(_, p)| p.clone()).collect();
    let load_start = Instant::now();
    let mut model = contain("loading the weights", || {
        // SAFETY: the shards are opened read-only and mapped for the life of
        // the model. mri never writes model files; if another process
        // truncated one while it is mapped, reading it would raise SIGBUS and
        // end the process (the contract of every memory-mapped safetensors
        // loader, candle's included); changed bytes would only change the
        // numbers reported. The headers were validated by the Report.
        let tensors = unsafe { candle_core::safetensors::MmapedSafetensors::multi(&paths) }
            .map_err(candle_err("mapping the weights"))?;
        let vb = VarBuilder::from_backend(
            Box::new(Mapped {
                tensors,
                aliases: aliases.clone(),
                lora: match &options.lora {
                    Some(m) => {
                        Some(lora::LoadedLora::load(m).map_err(candle_err("mapping the adapter"))?)
                    }
                    None => None,
                },
            }),
            dtype,
            device.clone(),
        );
        family
            .build(&build, vb)
            .map_err(build_error(family, "loading the weights"))
    })?;
    let load_ms = ms(load_start);

    // One forward pass over the prompt.
    emit(SmokeEvent::Stage(Stage::Forward));
    let ids = prompt.ids.clone();
    let forward_start = Instant::now();
    let output = contain("running the forward pass", || {
        let input = Tensor::new(ids.as_slice(), &device)
            .and_then(|t| t.unsqueeze(0))
            .map_err(candle_err("preparing the input"))?;
        let out = match &mut model {
            Model::Decoder(d) => d.forward(&input, 0),
            Model::Encoder(e) => e.forward(&input),
        }
        .map_err(candle_err("running the forward pass"))?;
        output_values(&out, "reading the output")
    })?;
    let forward_ms = ms(forward_start);
    let (shape, values) = output;
    let cols = shape.last().copied().unwrap_or(values.len()).max(1);
    let (non_finite, non_finite_at) = sample::non_finite(&values, cols, 16);

    let mut summary = SmokeSummary::from(Measured {
        architecture: family.name().to_string(),
        device: options.device.to_string(),
        dtype: dtype_name(dtype).to_string(),
        shape,
        non_finite,
        load_ms,
        forward_ms,
    });
    let mut run = SmokeRun {
        summary: summary.clone(),
        prompt_ids: prompt.ids.clone(),
        non_finite_at,
        embedding: None,
        pooling: None,
        continuation_ids: Vec::new(),
        notes: Vec::new(),
        memory: MemoryCheck {
            weights_bytes,
            needed_bytes: needed,
            available_bytes: available,
        },
        weight_findings: Vec::new(),
    };

    match &mut model {
        Model::Encoder(_) => {
            let pooling = pooling_config(report);
            let tokens = values.len() / cols;
            let embedding = pooling.pool(&values, tokens, cols);
            let norm = embedding
                .iter()
                .map(|v| (*v as f64) * (*v as f64))
                .sum::<f64>()
                .sqrt();
            summary.embedding_norm = Some(norm);
            run.pooling = Some(pooling.describe());
            run.embedding = Some(embedding);
        }
        Model::Decoder(decoder) => {
            let last = &values[values.len().saturating_sub(cols)..];
            judge_logits(last, &weight_findings, &mut notes)?;
            if let Some((top, entropy)) = sample::top_k(last, 5) {
                summary.top_next = top
                    .into_iter()
                    .map(|(id, prob)| TopToken {
                        token: tokenize::decode(&prompt.tokenizer, &[id]),
                        id,
                        prob,
                    })
                    .collect();
                summary.entropy = Some(entropy);
            }
            if max_tokens > 0 {
                emit(SmokeEvent::Stage(Stage::Generating));
                let greedy = Greedy {
                    device: &device,
                    cols,
                    offset: prompt.ids.len(),
                    max_tokens,
                    eos: eos_ids(report),
                };
                let (generated, tokens_per_second) =
                    greedy.run(decoder.as_mut(), last.to_vec(), &emit, &mut notes)?;
                summary.continuation = Some(tokenize::decode(&prompt.tokenizer, &generated));
                summary.tokens_per_second = tokens_per_second;
                run.continuation_ids = generated;
            }
        }
    }
    summary.peak_rss_bytes = memory::peak_rss();
    run.summary = summary;
    run.notes = notes;
    run.weight_findings = weight_findings;
    Ok(run)
}

/// The pooling of a sentence-transformers model: the Pooling module named
/// in modules.json, else `1_Pooling/config.json`, else mean pooling.
fn pooling_config(report: &Report) -> bert::Pooling {
    let mut dir = "1_Pooling".to_string();
    if let Some(Ok(Value::Array(modules))) =
        real_path(report, "modules.json").map(|p| files::read_json(&p))
    {
        if let Some(path) = modules.iter().find_map(|m| {
            let kind = m.get("type").and_then(Value::as_str)?;
            kind.ends_with(".Pooling")
                .then(|| m.get("path").and_then(Value::as_str))
                .flatten()
        }) {
            dir = path.trim_matches('/').to_string();
        }
    }
    real_path(report, &format!("{dir}/config.json"))
        .and_then(|p| files::read_json(&p).ok())
        .map(|v| bert::Pooling::from_config(&v))
        .unwrap_or_default()
}
