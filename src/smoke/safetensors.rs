//! The run of a safetensors checkpoint: preflight, the prompt, the dry run
//! against the headers, the memory estimate, the optional weight scan, then
//! the load, the forward pass and the continuation.

use super::backend::Reading;
use super::dry_run::{self, build_error, Checked};
use super::error::{candle_err, contain, SmokeError};
use super::generate::{eos_ids, judge_logits, ms, output_values, Greedy};
use super::llama_stream::StreamSource;
use super::model::{Build, Decoder, Model};
use super::options::{
    dtype_name, open_device, resolve_dtype, stored_half, DtypeChoice, SmokeEvent, SmokeOptions,
    Stage,
};
use super::preflight::{preflight, real_path, Inputs};
use super::reader::ShardReader;
use super::report::{Measured, MemoryCheck, SmokeRun, SmokeSummary, TopToken};
use super::tokenize::Prompt;
use super::{bert, files, half_linear, llama, lora, memory, reader, sample, scan, tokenize};
use crate::analyze::weights::ShardSummary;
use crate::finding::Finding;
use crate::Report;
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use serde_json::Value;
use std::path::PathBuf;
use std::time::Instant;

/// Runs the smoke test on the safetensors checkpoint the Report describes.
pub(super) fn run(report: &Report, options: &SmokeOptions) -> Result<SmokeRun, SmokeError> {
    options.emit(SmokeEvent::Stage(Stage::Checking));
    let inputs = preflight(report)?;
    let device = open_device(options.device)?;
    let (dtype, dtype_reason) =
        resolve_dtype(options.dtype, &device, report, inputs.family.half_on_cpu());
    let mut session = Session {
        report,
        options,
        inputs,
        device,
        dtype,
        dtype_reason,
        stream: false,
        notes: Vec::new(),
    };
    let prompt = session.encode_prompt()?;
    let max_tokens = session.max_tokens();
    let positions = prompt.ids.len().saturating_add(max_tokens);
    let (checked, memory) = session.check_mode(&prompt.ids, positions)?;
    if session.inputs.family.half_on_cpu()
        && super::llama::runs_half(session.dtype, session.device.is_cpu())
    {
        session
            .notes
            .extend(half_linear::kernel_note(session.dtype));
    }
    let weight_findings = session.scan_weights()?;
    let (mut model, load_ms) = session.load(&checked, positions)?;
    let (shape, values, forward_ms) = session.forward(&mut model, &prompt.ids)?;
    let cols = shape.last().copied().unwrap_or(values.len()).max(1);
    let (non_finite, non_finite_at) = sample::non_finite(&values, cols, 16);

    let mut summary = SmokeSummary::from(Measured {
        architecture: session.inputs.family.name().to_string(),
        device: options.device.to_string(),
        dtype: dtype_name(session.dtype).to_string(),
        dtype_reason: session.dtype_reason.clone(),
        shape,
        non_finite,
        load_ms,
        forward_ms,
    });
    if session.stream {
        summary.mode = "stream".into();
    }
    let mut run = SmokeRun {
        summary: summary.clone(),
        prompt_ids: prompt.ids.clone(),
        non_finite_at,
        embedding: None,
        pooling: None,
        continuation_ids: Vec::new(),
        notes: Vec::new(),
        memory,
        weight_findings: Vec::new(),
    };

    match &mut model {
        Model::Encoder(_) => {
            let pooling = pooling_config(report);
            let embedding = pooling.pool(&values, values.len() / cols, cols);
            summary.embedding_norm = Some(norm(&embedding));
            run.pooling = Some(pooling.describe());
            run.embedding = Some(embedding);
        }
        Model::Decoder(decoder) => {
            let last = &values[values.len().saturating_sub(cols)..];
            judge_logits(last, &weight_findings, &mut session.notes)?;
            if let Some((top, entropy)) = top_next(last, &prompt) {
                summary.top_next = top;
                summary.entropy = Some(entropy);
            }
            if max_tokens > 0 && session.stream {
                session.notes.push(format!(
                    "--max-tokens {max_tokens} skipped: a streamed run reads every layer \
                     from disk for each token, so it runs the prompt pass only"
                ));
            } else if max_tokens > 0 {
                let (generated, tokens_per_second) =
                    session.generate(decoder.as_mut(), last, cols, &prompt, max_tokens)?;
                summary.continuation = Some(tokenize::decode(&prompt.tokenizer, &generated));
                summary.tokens_per_second = tokens_per_second;
                run.continuation_ids = generated;
            }
        }
    }
    summary.peak_rss_bytes = memory::peak_rss();
    run.summary = summary;
    run.notes = session.notes;
    run.weight_findings = weight_findings;
    Ok(run)
}

/// What the steps of a run share: the Report, the options, what preflight
/// found, the device and dtype, and the notes gathered so far.
struct Session<'a> {
    /// The Report of the model.
    report: &'a Report,
    /// What the run was asked to do.
    options: &'a SmokeOptions,
    /// What preflight found.
    inputs: Inputs,
    /// Where the model runs.
    device: Device,
    /// The dtype the weights load in.
    dtype: DType,
    /// Why that dtype.
    dtype_reason: String,
    /// Whether the prompt pass streams the layers (`--stream`, or when
    /// the weights do not fit in the memory budget).
    stream: bool,
    /// Notes for the summary, in the order they arose.
    notes: Vec<String>,
}

impl Session<'_> {
    /// Tokenizes the prompt with the tokenizer's BOS rules
    /// (tokenizer_config.json's `add_bos_token`, the Report's BOS id).
    fn encode_prompt(&mut self) -> Result<Prompt, SmokeError> {
        let tc = self.inputs.tokenizer_config.as_ref();
        let add_bos = tc
            .and_then(|v| v.get("add_bos_token"))
            .and_then(Value::as_bool);
        let bos = self
            .report
            .tokenizer
            .as_ref()
            .and_then(|t| t.special_tokens.get("bos"))
            .and_then(|s| s.id)
            .and_then(|id| u32::try_from(id).ok());
        let tokenizer_bytes = files::read_tokenizer(&self.inputs.tokenizer_json)?;
        let prompt = contain("tokenizing the prompt", || {
            tokenize::encode(&tokenizer_bytes, add_bos, bos, &self.options.prompt)
                .map_err(SmokeError::Tokenizer)
        })?;
        drop(tokenizer_bytes);
        self.notes.extend(prompt.notes.iter().cloned());
        if prompt.ids.is_empty() {
            return Err(SmokeError::EmptyPrompt);
        }
        Ok(prompt)
    }

    /// The tokens to generate: none for an encoder (with a note when some
    /// were asked for), else as many as asked.
    fn max_tokens(&mut self) -> usize {
        if !self.inputs.family.is_encoder() {
            return self.options.max_tokens;
        }
        if self.options.max_tokens > 0 {
            self.notes
                .push("--max-tokens ignored: an encoder does not generate".into());
        }
        0
    }

    /// Fails when the prompt has an id the embedding (config.json's
    /// `vocab_size`) has no row for.
    fn check_vocab(&self, ids: &[u32]) -> Result<(), SmokeError> {
        if let Some(rows) = self.report.architecture.as_ref().and_then(|a| a.vocab_size) {
            if let Some(&id) = ids.iter().find(|&&id| u64::from(id) >= rows) {
                return Err(SmokeError::TokenOutOfRange { id, rows });
            }
        }
        Ok(())
    }

    /// The dry run (every tensor checked against the headers, the prompt
    /// against the vocabulary) and the memory estimate, in the run's dtype.
    /// When `auto` chose f32 and f32 does not fit where the stored bf16/f16
    /// would, the run takes the stored dtype instead (on candle's CPU path
    /// slower, but it runs), and its reason says so.
    fn check_fitting(
        &mut self,
        ids: &[u32],
        positions: usize,
    ) -> Result<(Checked, MemoryCheck), SmokeError> {
        let checked = self.dry_run(positions)?;
        self.check_vocab(ids)?;
        self.notes.extend(checked.unused_note(self.inputs.family));
        let first = self.check_memory(&checked, positions);
        let half = stored_half(self.report);
        match (first, half) {
            (
                Err(SmokeError::NotEnoughMemory {
                    needed, available, ..
                }),
                Some(half),
            ) if self.options.dtype == DtypeChoice::Auto && self.dtype == DType::F32 => {
                self.dtype = half;
                self.dtype_reason = format!(
                    "auto: {} as stored, since f32 would need {} and {} is available",
                    dtype_name(half),
                    crate::util::human::bytes(needed),
                    crate::util::human::bytes(available)
                );
                let checked = self.dry_run(positions)?;
                let memory = self.check_memory(&checked, positions)?;
                Ok((checked, memory))
            }
            (first, _) => Ok((checked, first?)),
        }
    }

    /// The mode and its memory check: with `--stream`, the streamed pass
    /// (refused where it does not run); else the full model, and when that
    /// does not fit, the streamed pass if it fits (with a note), else the
    /// refusal of the full model naming what streaming would need.
    fn check_mode(
        &mut self,
        ids: &[u32],
        positions: usize,
    ) -> Result<(Checked, MemoryCheck), SmokeError> {
        if self.options.stream {
            if let Some(why) = self.stream_refusal() {
                return Err(SmokeError::StreamUnsupported(why));
            }
            self.stream = true;
            return self.check_fitting(ids, positions);
        }
        let full = self.check_fitting(ids, positions);
        let Err(SmokeError::NotEnoughMemory { .. }) = &full else {
            return full;
        };
        if self.stream_refusal().is_some() {
            return full;
        }
        self.stream = true;
        let checked = self.dry_run(positions)?;
        match self.check_memory(&checked, positions) {
            Ok(memory) => {
                self.notes.push(format!(
                    "streamed: the full model would need about {} and {} is available, \
                     so the prompt pass reads one layer at a time (about {} in all)",
                    crate::util::human::bytes(full_needed(&full)),
                    crate::util::human::bytes(memory.available_bytes.unwrap_or(0)),
                    crate::util::human::bytes(memory.needed_bytes)
                ));
                Ok((checked, memory))
            }
            Err(_) => {
                self.stream = false;
                full
            }
        }
    }

    /// Why this run cannot stream, or `None` when it can: the streamed
    /// pass is Llama's, on the CPU, over bf16/f16 weights, without an
    /// adapter.
    fn stream_refusal(&self) -> Option<String> {
        if !self.inputs.family.half_on_cpu() {
            Some(format!(
                "--stream runs Llama-family models; this is {}",
                self.inputs.family.name()
            ))
        } else if !self.device.is_cpu() {
            Some("--stream runs on the CPU".into())
        } else if stored_half(self.report) != Some(self.dtype) {
            Some(format!(
                "--stream reads bf16/f16 weights as stored ({}); the run is in {}",
                stored_half(self.report).map_or("not bf16/f16", dtype_name),
                dtype_name(self.dtype)
            ))
        } else if self.options.lora.is_some() {
            Some("--stream does not merge an adapter".into())
        } else {
            None
        }
    }

    /// The model built against the headers in the run's dtype (`dry_run.rs`).
    fn dry_run(&self, positions: usize) -> Result<Checked, SmokeError> {
        dry_run::check(
            self.report,
            &self.inputs,
            self.dtype,
            positions,
            self.device.is_cpu(),
        )
    }

    /// Estimates the memory the run needs, before a byte of weight is read,
    /// and fails when more than is available (suggesting bf16 when that
    /// would fit). On a GPU, notes that its memory is not checked.
    fn check_memory(
        &mut self,
        checked: &Checked,
        positions: usize,
    ) -> Result<MemoryCheck, SmokeError> {
        let (weights_bytes, needed) = self.needs(checked, positions, self.stream)?;
        let available = memory::budget(self.options.memory_limit, self.device.is_cpu());
        if let Some(avail) = available {
            if needed > avail {
                let halved = weights_bytes / 2 + (needed - weights_bytes) <= avail;
                let mut hint = if self.dtype == DType::F32 && halved {
                    "; --dtype bf16 would halve the weights".to_string()
                } else {
                    String::new()
                };
                if !self.stream && self.stream_refusal().is_none() {
                    let (_, streamed) = self.needs(checked, positions, true)?;
                    hint.push_str(&format!(
                        "; streamed (--stream: one layer at a time, prompt only) about {}",
                        crate::util::human::bytes(streamed)
                    ));
                }
                return Err(SmokeError::NotEnoughMemory {
                    needed,
                    weights: weights_bytes,
                    available: avail,
                    dtype: dtype_name(self.dtype).into(),
                    mode: if self.stream { "streamed" } else { "full" }.into(),
                    hint,
                });
            }
        }
        if !self.device.is_cpu() {
            self.notes
                .push("GPU memory is not checked before loading".into());
        }
        Ok(MemoryCheck {
            weights_bytes,
            needed_bytes: needed,
            available_bytes: available,
        })
    }

    /// The predicted peak of the run: the weights resident at once (all of
    /// them, or streamed: the buffer of one layer's projections or the LM
    /// head, `llama_stream.rs`) and in all, with the working memory.
    fn needs(
        &self,
        checked: &Checked,
        positions: usize,
        stream: bool,
    ) -> Result<(u64, u64), SmokeError> {
        let transient = self.transient_bytes(checked);
        let arch = self.report.architecture.as_ref();
        if !stream {
            return Ok(memory::estimate(
                &checked.requests,
                transient,
                arch,
                positions as u64,
            ));
        }
        let elements = llama::stream_buffer_elements(&self.build(checked, positions))
            .map_err(build_error(self.inputs.family, "sizing the streamed pass"))?;
        let weights = (elements as u64).saturating_mul(self.dtype.size_in_bytes() as u64);
        let (_, work) = memory::estimate(&[], transient, arch, positions as u64);
        Ok((weights, work.saturating_add(weights)))
    }

    /// What a model is built from.
    fn build<'a>(&'a self, checked: &'a Checked, positions: usize) -> Build<'a> {
        Build {
            config: &self.inputs.config,
            positions,
            headers: &checked.headers,
            cpu: self.device.is_cpu(),
        }
    }

    /// The largest temporary of the load and the forward pass, beside the
    /// weights: two read chunks; a LoRA merge's f32 base, delta and sum of
    /// the largest weight; and for bf16/f16 weights, the f32 block that
    /// mri's kernel widens for long prompts, or on candle's path (another
    /// family, or a GPU) the largest weight widened whole.
    fn transient_bytes(&self, checked: &Checked) -> u64 {
        let widened = checked
            .requests
            .iter()
            .map(|r| r.shape.iter().map(|d| *d as u64).product::<u64>())
            .max()
            .unwrap_or(0)
            .saturating_mul(4);
        let mut bytes = 2 * reader::CHUNK as u64;
        if self.options.lora.is_some() {
            bytes = bytes.saturating_add(widened.saturating_mul(3));
        }
        if matches!(self.dtype, DType::BF16 | DType::F16) {
            let ours = self.device.is_cpu() && self.inputs.family.half_on_cpu();
            bytes = bytes.saturating_add(if ours {
                half_linear::BLOCK_VALUES as u64 * 4
            } else {
                widened
            });
        }
        bytes
    }

    /// With `--scan-weights`, reads every byte of the counted shards for
    /// NaN/inf and all-zero tensors; else finds nothing.
    fn scan_weights(&self) -> Result<Vec<Finding>, SmokeError> {
        if !self.options.scan_weights {
            return Ok(Vec::new());
        }
        self.options.emit(SmokeEvent::Stage(Stage::ScanningWeights));
        let shards: Vec<(&ShardSummary, PathBuf)> = self
            .inputs
            .shards
            .iter()
            .map(|(i, p)| (&self.report.weights.shards[*i], p.clone()))
            .collect();
        let options = self.options;
        let progress = |done, total| options.emit(SmokeEvent::ScanBytes { done, total });
        scan::scan(&shards, &progress).map_err(|(path, source)| SmokeError::Io { path, source })
    }

    /// Reads the weights from the shards as the model asks for them
    /// (merging the adapter, if any) and builds the model; returns it with
    /// the milliseconds it took.
    fn load(&self, checked: &Checked, positions: usize) -> Result<(Model, f64), SmokeError> {
        self.options.emit(SmokeEvent::Stage(Stage::Loading));
        let family = self.inputs.family;
        let build = self.build(checked, positions);
        let paths: Vec<PathBuf> = self.inputs.shards.iter().map(|(_, p)| p.clone()).collect();
        let load_start = Instant::now();
        let model = contain("loading the weights", || {
            let reader = ShardReader::open(&paths).map_err(candle_err("opening the weights"))?;
            if self.stream {
                let source = StreamSource {
                    reader,
                    headers: checked.headers.clone(),
                    aliases: checked.aliases.clone(),
                };
                return llama::build_stream(&build, source, self.dtype)
                    .map_err(build_error(family, "preparing the streamed pass"));
            }
            let lora = match &self.options.lora {
                Some(m) => {
                    Some(lora::LoadedLora::load(m).map_err(candle_err("mapping the adapter"))?)
                }
                None => None,
            };
            let vb = VarBuilder::from_backend(
                Box::new(Reading {
                    reader,
                    headers: checked.headers.clone(),
                    aliases: checked.aliases.clone(),
                    lora,
                }),
                self.dtype,
                self.device.clone(),
            );
            family
                .build(&build, vb)
                .map_err(build_error(family, "loading the weights"))
        })?;
        Ok((model, ms(load_start)))
    }

    /// One forward pass over the prompt; returns the output's shape, its
    /// values as f32, and the milliseconds it took.
    fn forward(
        &self,
        model: &mut Model,
        ids: &[u32],
    ) -> Result<(Vec<usize>, Vec<f32>, f64), SmokeError> {
        self.options.emit(SmokeEvent::Stage(Stage::Forward));
        let forward_start = Instant::now();
        let (shape, values) = contain("running the forward pass", || {
            let input = Tensor::new(ids, &self.device)
                .and_then(|t| t.unsqueeze(0))
                .map_err(candle_err("preparing the input"))?;
            let out = match model {
                Model::Decoder(d) => d.forward(&input, 0),
                Model::Encoder(e) => e.forward(&input),
            }
            .map_err(candle_err("running the forward pass"))?;
            output_values(&out, "reading the output")
        })?;
        Ok((shape, values, ms(forward_start)))
    }

    /// The greedy continuation from the prompt's last logits (`cols` wide
    /// rows): the ids generated, and the one-token forward passes per second.
    fn generate(
        &mut self,
        decoder: &mut dyn Decoder,
        last: &[f32],
        cols: usize,
        prompt: &Prompt,
        max_tokens: usize,
    ) -> Result<(Vec<u32>, Option<f64>), SmokeError> {
        self.options.emit(SmokeEvent::Stage(Stage::Generating));
        let greedy = Greedy {
            device: &self.device,
            cols,
            offset: prompt.ids.len(),
            max_tokens,
            eos: eos_ids(self.report),
        };
        let options = self.options;
        greedy.run(
            decoder,
            last.to_vec(),
            &|e| options.emit(e),
            &mut self.notes,
        )
    }
}

/// The bytes a refused run needed (0 for any other result).
fn full_needed<T>(r: &Result<T, SmokeError>) -> u64 {
    match r {
        Err(SmokeError::NotEnoughMemory { needed, .. }) => *needed,
        _ => 0,
    }
}

/// The five likeliest next tokens, decoded, and the distribution's entropy.
fn top_next(last: &[f32], prompt: &Prompt) -> Option<(Vec<TopToken>, f64)> {
    super::generate::top_next(last, |id| tokenize::decode(&prompt.tokenizer, &[id]))
}

/// The Euclidean norm of an embedding, summed in f64.
fn norm(embedding: &[f32]) -> f64 {
    embedding
        .iter()
        .map(|v| (*v as f64) * (*v as f64))
        .sum::<f64>()
        .sqrt()
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
