//! `mri smoke` on a GGUF file: candle-transformers' quantized models,
//! the tokenizer rebuilt from the file's metadata, the same report as for
//! safetensors.
//!
//! The order of a run mirrors the safetensors one:
//!
//! 1. the GGUF file is picked from the Report's files ([`model_file`]);
//! 2. its header is read (`gguf_file::Content::read`, a buffered reader:
//!    metadata and tensor directory only);
//! 3. `general.architecture` names the family; every metadata key and
//!    tensor its loader reads is checked, shapes included, and all problems
//!    are reported at once (`gguf_family::check`);
//! 4. the tokenizer is rebuilt from `tokenizer.ggml.*` and the prompt encoded;
//! 5. the memory is estimated from the tensors' bytes (quantized weights
//!    stay quantized in candle's `QTensor`; float ones become f32) and
//!    compared with what is available;
//! 6. every tensor the model reads is checked for NaN and infinity from
//!    its stored values or block scales (`gguf_finite`), or, with
//!    `--scan-weights`, every tensor is dequantized and scanned (`gguf_scan`);
//! 7. the model is loaded, one forward pass runs, then the continuation;
//!    constant or near-uniform logits fail the run (`sample::degenerate`).

use super::error::{candle_err, candle_message, contain, SmokeError};
use super::generate::{judge_logits, ms, output_values, Greedy};
use super::gguf_family::{self, CheckError, Checked, GgufFamily, Hparams};
use super::gguf_header::{self, OwnTensors};
use super::gguf_tokenizer::{self, GgufTokenizer};
use super::model::Decoder;
use super::options::{open_device, DtypeChoice, SmokeEvent, SmokeOptions, Stage};
use super::report::{Measured, MemoryCheck, SmokeRun, SmokeSummary, TopToken};
use super::{kv_cache, memory, sample};
use crate::finding::Finding;
use crate::scan::classify::FileClass;
use crate::Report;
use candle_core::quantized::gguf_file::Content;
use candle_core::quantized::GgmlDType;
use candle_core::{Device, Tensor};
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The GGUF file a run loads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GgufFile {
    /// Path relative to the model root (as in the Report).
    pub rel: String,
    /// Where the bytes are.
    pub path: PathBuf,
}

fn is_split_part(name: &str) -> bool {
    // llama.cpp's gguf-split names: NAME-00001-of-00003.gguf
    let stem = name.strip_suffix(".gguf").unwrap_or(name);
    let parts: Vec<&str> = stem.rsplitn(4, '-').collect();
    matches!(parts.as_slice(), [total, "of", index, _]
        if total.len() == 5 && index.len() == 5
            && total.bytes().all(|b| b.is_ascii_digit())
            && index.bytes().all(|b| b.is_ascii_digit()))
}

/// The GGUF model file of a Report, when the Report describes GGUF weights:
/// `None` for anything else (the safetensors path runs). Vision projectors
/// (`mmproj*`) are not models. Several models, or a split set, is an error.
pub(crate) fn model_file(report: &Report) -> Option<Result<GgufFile, SmokeError>> {
    let ggufs: Vec<&crate::scan::FileEntry> = report
        .files
        .iter()
        .filter(|f| f.class == FileClass::Gguf)
        .collect();
    let has_safetensors = report.weights.shards.iter().any(|s| s.counted)
        && report
            .weights
            .shards
            .iter()
            .any(|s| s.path.ends_with(".safetensors"));
    let says_gguf = report.weights.format.as_deref() == Some("gguf");
    if ggufs.is_empty() || (has_safetensors && !says_gguf) {
        return None;
    }
    let file_name = |p: &str| p.rsplit('/').next().unwrap_or(p).to_string();
    let models: Vec<&&crate::scan::FileEntry> = ggufs
        .iter()
        .filter(|f| {
            !file_name(&f.path)
                .to_ascii_lowercase()
                .starts_with("mmproj")
        })
        .collect();
    let pick = |f: &crate::scan::FileEntry| {
        if f.lfs_pointer.is_some() {
            Err(SmokeError::WeightsNotDownloaded(f.path.clone()))
        } else {
            Ok(GgufFile {
                rel: f.path.clone(),
                path: f.real_path.clone(),
            })
        }
    };
    // A target naming one file picks that file.
    let typed = file_name(&report.target.input.replace('\\', "/"));
    if let Some(f) = models.iter().find(|f| file_name(&f.path) == typed) {
        if is_split_part(&typed) {
            return Some(Err(split_error(&typed)));
        }
        return Some(pick(f));
    }
    match models.as_slice() {
        [] => Some(Err(SmokeError::NoWeights(
            " (only GGUF vision projectors, mmproj files)".into(),
        ))),
        [one] if is_split_part(&one.path) => Some(Err(split_error(&one.path))),
        [one] => Some(pick(one)),
        many if many.iter().all(|f| is_split_part(&f.path)) => {
            Some(Err(split_error(&many[0].path)))
        }
        many => Some(Err(SmokeError::GgufChoice(
            many.iter()
                .map(|f| f.path.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        ))),
    }
}

fn split_error(name: &str) -> SmokeError {
    SmokeError::GgufSplit(name.to_string())
}

/// The quantization a file is known by: `general.file_type` when it names
/// one (`q4_k_m`), else the ggml type holding the most values (`own`'s
/// tensors, of types candle cannot hold, counted too).
pub(crate) fn quantization_name(content: &Content, own: &OwnTensors) -> String {
    const FILE_TYPES: &[(u32, &str)] = &[
        (0, "f32"),
        (1, "f16"),
        (2, "q4_0"),
        (3, "q4_1"),
        (7, "q8_0"),
        (8, "q5_0"),
        (9, "q5_1"),
        (10, "q2_k"),
        (11, "q3_k_s"),
        (12, "q3_k_m"),
        (13, "q3_k_l"),
        (14, "q4_k_s"),
        (15, "q4_k_m"),
        (16, "q5_k_s"),
        (17, "q5_k_m"),
        (18, "q6_k"),
        (30, "iq4_xs"),
        (32, "bf16"),
    ];
    if let Ok(Some(ft)) = super::gguf_meta::u32_of(&content.metadata, "general.file_type") {
        if let Some((_, name)) = FILE_TYPES.iter().find(|(n, _)| *n == ft) {
            return (*name).to_string();
        }
    }
    let mut by_type: Vec<(&'static str, u64)> = Vec::new();
    for name in gguf_header::names(content, own) {
        let Some(t) = gguf_header::stored(content, own, &name) else {
            continue;
        };
        let n = t.shape.iter().fold(1u64, |acc, &d| acc.saturating_mul(d));
        let type_name = t.dtype.name();
        match by_type.iter_mut().find(|(d, _)| *d == type_name) {
            Some((_, total)) => *total = total.saturating_add(n),
            None => by_type.push((type_name, n)),
        }
    }
    by_type
        .iter()
        .max_by_key(|(_, n)| *n)
        .map_or_else(|| "none".to_string(), |(d, _)| (*d).to_string())
}

/// llama.cpp's lowercase name of a ggml type.
pub(crate) fn ggml_name(d: GgmlDType) -> &'static str {
    match d {
        GgmlDType::F32 => "f32",
        GgmlDType::F16 => "f16",
        GgmlDType::BF16 => "bf16",
        GgmlDType::Q4_0 => "q4_0",
        GgmlDType::Q4_1 => "q4_1",
        GgmlDType::Q5_0 => "q5_0",
        GgmlDType::Q5_1 => "q5_1",
        GgmlDType::Q8_0 => "q8_0",
        GgmlDType::Q8_1 => "q8_1",
        GgmlDType::Q2K => "q2_k",
        GgmlDType::Q3K => "q3_k",
        GgmlDType::Q4K => "q4_k",
        GgmlDType::Q5K => "q5_k",
        GgmlDType::Q6K => "q6_k",
        GgmlDType::Q8K => "q8_k",
    }
}

/// The file's header as candle reads it, and the tensors of types candle
/// lacks that this crate runs itself (IQ4_XS), read past candle
/// (`gguf_header`). A file with another type candle lacks is refused by
/// name ([`type_candle_lacks`]).
fn read_content(path: &Path) -> Result<(Content, OwnTensors), SmokeError> {
    let open = || {
        File::open(path)
            .map(BufReader::new)
            .map_err(|source| SmokeError::Io {
                path: path.to_path_buf(),
                source,
            })
    };
    let mut reader = open()?;
    contain("reading the GGUF header", || {
        let e = match Content::read(&mut reader) {
            Ok(content) => return Ok((content, OwnTensors::new())),
            Err(e) => e,
        };
        let failed = |message: String| SmokeError::Gguf {
            path: path.to_path_buf(),
            message,
        };
        let len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        let (scan, _) = crate::scan::gguf::read_gguf_file(path, "", len);
        if let Some(header) = &scan.header {
            let mut reader = open()?;
            match gguf_header::read_past_candle(header, &mut reader, candle_reads_ggml_type) {
                Some(Ok(read)) => return Ok(read),
                Some(Err(message)) => return Err(failed(message)),
                None => {}
            }
        }
        Err(type_candle_lacks(path, scan.header.as_ref())
            .unwrap_or_else(|| failed(candle_message(&e))))
    })
}

/// The ggml type ids candle's `GgmlDType` has (candle 0.11): F32, F16,
/// Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1, Q2_K..Q8_K and BF16.
const CANDLE_GGML_TYPES: &[u32] = &[0, 1, 2, 3, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 30];

/// Whether candle can load tensors of ggml type `type_id`.
pub fn candle_reads_ggml_type(type_id: u32) -> bool {
    CANDLE_GGML_TYPES.contains(&type_id)
}

/// When candle refused a header, whether it did so because a tensor has a
/// ggml type that ggml defines and neither candle nor this crate has a
/// kernel for (IQ4_NL, TQ1_0, MXFP4...): a well-formed file that this
/// runtime cannot load, said so, rather than "not a readable GGUF file".
fn type_candle_lacks(
    path: &Path,
    header: Option<&crate::scan::gguf::parse::GgufHeader>,
) -> Option<SmokeError> {
    let lacking: Vec<&crate::scan::gguf::parse::GgufTensor> = header?
        .tensors
        .iter()
        .filter(|t| t.ggml().is_some() && !candle_reads_ggml_type(t.type_id))
        .collect();
    let first = lacking.first()?;
    let mut types: Vec<String> = lacking.iter().map(|t| t.type_name()).collect();
    types.sort();
    types.dedup();
    Some(SmokeError::GgmlTypeUnsupported {
        path: path.to_path_buf(),
        tensor: first.name.clone(),
        types: types.join(", "),
        tensors: lacking.len(),
    })
}

/// A file holding IQ4_XS tensors off the CPU (only this crate's CPU
/// forwards run them): refused as candle would.
fn own_types_unsupported(path: &Path, own: &OwnTensors) -> SmokeError {
    let mut names: Vec<&String> = own.keys().collect();
    names.sort();
    let mut types: Vec<String> = own
        .values()
        .map(|t| t.dtype.name().to_ascii_uppercase())
        .collect();
    types.sort();
    types.dedup();
    SmokeError::GgmlTypeUnsupported {
        path: path.to_path_buf(),
        tensor: names.first().map_or_else(String::new, |n| (*n).clone()),
        types: types.join(", "),
        tensors: own.len(),
    }
}

/// The memory a run needs: weights as loaded, the embedding as candle's
/// models hold it (dequantized to f32, and the tied output read again by
/// every one but `quantized_llama`, which moves its copy; this crate's
/// forward keeps the embedding's blocks as stored, shared with a tied
/// output, and dequantizes rows on lookup), the largest tensor once more
/// (read, then converted), the rotary tables, and the working memory of
/// `positions` tokens. `own_forward`: the model is this crate's
/// (`gguf_family::runs_own_types`).
fn estimate(
    family: GgufFamily,
    (content, own): (&Content, &OwnTensors),
    used: &[String],
    h: &Hparams,
    (positions, own_forward): (u64, bool),
) -> (u64, u64) {
    let infos = &content.tensor_infos;
    // IQ4_XS stays as stored.
    let own_bytes = |n: &String| own.get(n).map(|t| t.stored_bytes().unwrap_or(u64::MAX));
    let mut weights = used
        .iter()
        .filter_map(|n| {
            infos
                .get(n)
                .map(gguf_family::loaded_bytes)
                .or_else(|| own_bytes(n))
        })
        .fold(0u64, u64::saturating_add);
    weights = weights.saturating_add(embedding_bytes(h, own_forward));
    if h.tied && family != GgufFamily::Llama && !own_forward {
        let embd = "token_embd.weight".to_string();
        if let Some(b) = infos
            .get(&embd)
            .map(gguf_family::loaded_bytes)
            .or_else(|| own_bytes(&embd))
        {
            weights = weights.saturating_add(b);
        }
    }
    let largest = used
        .iter()
        .filter_map(|n| gguf_header::stored(content, own, n))
        .filter_map(|t| t.stored_bytes())
        .max()
        .unwrap_or(0);
    let p = positions;
    let f32s = [
        p.saturating_mul(
            h.hidden
                .saturating_mul(8)
                .saturating_add(h.ffn.saturating_mul(3)),
        ),
        h.heads.saturating_mul(p).saturating_mul(p),
        // KV cache, grown by doubling (`kv_cache.rs`)
        h.blocks
            .saturating_mul(2)
            .saturating_mul(h.kv_heads.saturating_mul(h.head_dim))
            .saturating_mul(kv_cache::capacity_for(p)),
        h.vocab.saturating_mul(2),
    ];
    let work = f32s
        .iter()
        .fold(memory::BASE_BYTES.saturating_add(largest), |acc, n| {
            acc.saturating_add(n.saturating_mul(4))
        })
        .saturating_add(gguf_family::table_bytes(family, h, positions, own_forward));
    (weights, weights.saturating_add(work))
}

/// Bytes the embedding takes besides the tensors counted as loaded:
/// candle's models widen it whole to f32 for the lookup; this crate's
/// forward looks its rows up in the stored blocks (nothing more).
fn embedding_bytes(h: &Hparams, own_forward: bool) -> u64 {
    if own_forward {
        0
    } else {
        h.vocab.saturating_mul(h.hidden).saturating_mul(4)
    }
}

fn check_error(family: GgufFamily, e: CheckError) -> SmokeError {
    match e {
        CheckError::Metadata(problems) => SmokeError::GgufMetadata {
            family: family.name(),
            problems,
        },
        CheckError::Config(message) => SmokeError::Config {
            family: family.name(),
            message,
        },
        CheckError::Tensors { count, problems } => SmokeError::GgufTensors {
            family: family.name(),
            count,
            problems,
        },
    }
}

/// Every tensor the model reads lies inside the file.
fn check_bounds(
    (content, own): (&Content, &OwnTensors),
    used: &[String],
    file_len: u64,
    rel: &str,
) -> Result<(), SmokeError> {
    for name in used {
        let Some(t) = gguf_header::stored(content, own, name) else {
            continue;
        };
        let start = content.tensor_data_offset.checked_add(t.offset);
        let end = t
            .stored_bytes()
            .and_then(|b| start.and_then(|s| s.checked_add(b)));
        match end {
            Some(end) if end <= file_len => {}
            _ => {
                return Err(SmokeError::BrokenWeights(format!(
                    "{rel}: tensor {name} ({}, shape {:?}) lies beyond the end of the file ({file_len} bytes): the file is truncated or corrupt",
                    t.dtype.name(),
                    t.shape
                )))
            }
        }
    }
    Ok(())
}

/// The weight checks before loading: with `--scan-weights` every tensor
/// dequantized (NaN/inf and all-zero findings); otherwise every tensor the
/// model reads, for NaN and infinity only, from its stored values or block
/// scales (`gguf_finite`): candle's quantized matmul turns NaN activations
/// into zeros, so a NaN weight can vanish from the output.
fn scan_weights(
    file: &GgufFile,
    (content, own): (&Content, &OwnTensors),
    used: &[String],
    options: &SmokeOptions,
    emit: &(dyn Fn(SmokeEvent) + Sync),
) -> Result<Vec<Finding>, SmokeError> {
    let failed = |message| SmokeError::Candle {
        stage: "scanning the weights",
        message,
    };
    if options.scan_weights {
        emit(SmokeEvent::Stage(Stage::ScanningWeights));
        let progress = |done, total| emit(SmokeEvent::ScanBytes { done, total });
        return super::gguf_scan::scan(&file.path, &file.rel, content, own, &progress)
            .map_err(failed);
    }
    super::gguf_finite::check(&file.path, &file.rel, content, own, used).map_err(failed)
}

/// Runs the smoke test on a GGUF file.
pub(crate) fn run(file: &GgufFile, options: &SmokeOptions) -> Result<SmokeRun, SmokeError> {
    options.emit(SmokeEvent::Stage(Stage::Checking));
    if options.lora.is_some() {
        return Err(SmokeError::GgufAdapter);
    }
    if options.stream {
        return Err(SmokeError::StreamUnsupported(
            "--stream runs safetensors checkpoints of the Llama family; a GGUF file runs \
             quantized, loaded whole"
                .into(),
        ));
    }
    let mut session = Session {
        file,
        options,
        device: open_device(options.device)?,
        notes: Vec::new(),
    };
    let (mut content, own) = read_content(&file.path)?;
    let (family, checked) = session.check(&mut content, &own)?;
    let h = checked.hparams;
    let quantization = quantization_name(&content, &own);
    if options.dtype != DtypeChoice::Auto {
        session.notes.push(format!(
            "--dtype ignored: a GGUF runs in its stored ggml types ({quantization}), activations in f32"
        ));
    }
    let (tokenizer, ids) = session.encode_prompt(&content, &h)?;
    let max_tokens = options.max_tokens;
    let positions = ids.len().saturating_add(max_tokens) as u64;
    check_positions(family, &h, positions)?;
    gguf_family::cut_context(family, &mut content, positions);
    let memory =
        session.check_memory(family, (&content, &own), &checked, positions, &quantization)?;
    let weight_findings = scan_weights(file, (&content, &own), &checked.used, options, &|e| {
        options.emit(e)
    })?;
    let (mut model, load_ms) = session.load(family, (content, &own))?;
    let (shape, values, forward_ms) = session.forward(model.as_mut(), &ids)?;
    let cols = shape.last().copied().unwrap_or(values.len()).max(1);
    let (non_finite, non_finite_at) = sample::non_finite(&values, cols, 16);
    let last = &values[values.len().saturating_sub(cols)..];
    judge_logits(last, &weight_findings, &mut session.notes)?;

    let mut summary = SmokeSummary::from(Measured {
        architecture: family.name().to_string(),
        device: options.device.to_string(),
        dtype: quantization,
        dtype_reason: "as stored: quantized weights stay quantized (activations in f32)".into(),
        shape,
        non_finite,
        load_ms,
        forward_ms,
    });
    if let Some((top, entropy)) = top_next(last, &tokenizer) {
        summary.top_next = top;
        summary.entropy = Some(entropy);
    }
    let mut continuation_ids = Vec::new();
    if max_tokens > 0 {
        let greedy = Greedy {
            device: &session.device,
            cols,
            offset: ids.len(),
            max_tokens,
            eos: tokenizer.stop_ids.clone(),
        };
        options.emit(SmokeEvent::Stage(Stage::Generating));
        let (generated, tokens_per_second) = greedy.run(
            model.as_mut(),
            last.to_vec(),
            &|e| options.emit(e),
            &mut session.notes,
        )?;
        summary.continuation = Some(tokenizer.decode(&generated));
        summary.tokens_per_second = tokens_per_second;
        continuation_ids = generated;
    }
    summary.peak_rss_bytes = memory::peak_rss();
    Ok(SmokeRun {
        summary,
        prompt_ids: ids,
        non_finite_at,
        embedding: None,
        pooling: None,
        continuation_ids,
        notes: session.notes,
        memory,
        weight_findings,
    })
}

/// What the steps of a GGUF run share: the file, the options, the device,
/// and the notes gathered so far.
struct Session<'a> {
    /// The file.
    file: &'a GgufFile,
    /// What the run was asked to do.
    options: &'a SmokeOptions,
    /// Where the model runs.
    device: Device,
    /// Notes for the summary, in the order they arose.
    notes: Vec<String>,
}

impl Session<'_> {
    /// The family `general.architecture` names, checked for what its loader
    /// reads (metadata, sizes, tensors), and every tensor it reads checked
    /// to lie inside the file.
    /// Tensors of types candle cannot hold (`own`) are refused here unless
    /// the model that will run takes them.
    fn check(
        &mut self,
        content: &mut Content,
        own: &OwnTensors,
    ) -> Result<(GgufFamily, Checked), SmokeError> {
        let file = self.file;
        let file_len = std::fs::metadata(&file.path)
            .map_err(|source| SmokeError::Io {
                path: file.path.clone(),
                source,
            })?
            .len();
        let arch = architecture(content)?;
        let family = GgufFamily::from_architecture(&arch)
            .ok_or_else(|| SmokeError::UnsupportedGgufArchitecture(arch.clone()))?;
        if !own.is_empty() && !gguf_family::runs_own_types(family, &self.device) {
            return Err(own_types_unsupported(&file.path, own));
        }
        let checked =
            gguf_family::check(family, &arch, content, own).map_err(|e| check_error(family, e))?;
        self.notes.extend(checked.notes.iter().cloned());
        check_bounds((content, own), &checked.used, file_len, &file.rel)?;
        Ok((family, checked))
    }

    /// Rebuilds the tokenizer from the metadata and tokenizes the prompt;
    /// fails on an empty prompt or an id the embedding has no row for.
    fn encode_prompt(
        &mut self,
        content: &Content,
        h: &Hparams,
    ) -> Result<(GgufTokenizer, Vec<u32>), SmokeError> {
        let rel = &self.file.rel;
        let tokenizer: GgufTokenizer = contain("rebuilding the tokenizer", || {
            gguf_tokenizer::from_metadata(&content.metadata).map_err(|e| {
                SmokeError::GgufTokenizer {
                    path: rel.clone(),
                    message: e.to_string(),
                }
            })
        })?;
        self.notes.push(format!(
            "tokenizer rebuilt from the GGUF metadata: {}",
            tokenizer.kind
        ));
        self.notes.extend(tokenizer.notes.iter().cloned());
        let ids = contain("tokenizing the prompt", || {
            tokenizer
                .encode(&self.options.prompt)
                .map_err(|message| SmokeError::GgufTokenizer {
                    path: rel.clone(),
                    message,
                })
        })?;
        if ids.is_empty() {
            return Err(SmokeError::EmptyPrompt);
        }
        if let Some(&id) = ids.iter().find(|&&id| u64::from(id) >= h.vocab) {
            return Err(SmokeError::TokenOutOfRange { id, rows: h.vocab });
        }
        if tokenizer.vocab_size as u64 != h.vocab {
            self.notes.push(format!(
                "the tokenizer has {} tokens, the embedding {} rows",
                tokenizer.vocab_size, h.vocab
            ));
        }
        Ok((tokenizer, ids))
    }

    /// Estimates the memory the run needs, before a byte of weight is read,
    /// and fails when more than is available. On a GPU, notes that its
    /// memory is not checked.
    fn check_memory(
        &mut self,
        family: GgufFamily,
        content: (&Content, &OwnTensors),
        checked: &Checked,
        positions: u64,
        quantization: &str,
    ) -> Result<MemoryCheck, SmokeError> {
        let own_forward = gguf_family::runs_own_types(family, &self.device);
        let (weights_bytes, needed) = estimate(
            family,
            content,
            &checked.used,
            &checked.hparams,
            (positions, own_forward),
        );
        let available = memory::budget(self.options.memory_limit, self.device.is_cpu());
        if let Some(avail) = available {
            if needed > avail {
                return Err(SmokeError::NotEnoughMemory {
                    needed,
                    weights: weights_bytes,
                    available: avail,
                    dtype: quantization.to_string(),
                    mode: "full".into(),
                    hint: String::new(),
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

    /// Loads the model from the file; returns it with the milliseconds it took.
    fn load(
        &self,
        family: GgufFamily,
        content: (Content, &OwnTensors),
    ) -> Result<(Box<dyn Decoder>, f64), SmokeError> {
        self.options.emit(SmokeEvent::Stage(Stage::Loading));
        let load_start = Instant::now();
        let model = contain("loading the weights", || {
            let handle = File::open(&self.file.path).map_err(|source| SmokeError::Io {
                path: self.file.path.clone(),
                source,
            })?;
            let mut reader = BufReader::new(handle);
            gguf_family::load(family, content, &mut reader, &self.device)
                .map_err(candle_err("loading the weights"))
        })?;
        Ok((model, ms(load_start)))
    }

    /// One forward pass over the prompt; returns the output's shape, its
    /// values as f32, and the milliseconds it took.
    fn forward(
        &self,
        model: &mut dyn Decoder,
        ids: &[u32],
    ) -> Result<(Vec<usize>, Vec<f32>, f64), SmokeError> {
        self.options.emit(SmokeEvent::Stage(Stage::Forward));
        let forward_start = Instant::now();
        let (shape, values) = contain("running the forward pass", || {
            let input = Tensor::new(ids, &self.device)
                .and_then(|t| t.unsqueeze(0))
                .map_err(candle_err("preparing the input"))?;
            let out = model
                .forward(&input, 0)
                .map_err(candle_err("running the forward pass"))?;
            output_values(&out, "reading the output")
        })?;
        Ok((shape, values, ms(forward_start)))
    }
}

/// `general.architecture`, required.
fn architecture(content: &Content) -> Result<String, SmokeError> {
    Ok(
        super::gguf_meta::str_of(&content.metadata, "general.architecture")
            .map_err(|p| SmokeError::GgufMetadata {
                family: "gguf",
                problems: vec![p.to_string()],
            })?
            .ok_or_else(|| SmokeError::GgufMetadata {
                family: "gguf",
                problems: vec!["missing metadata key general.architecture".into()],
            })?
            .to_string(),
    )
}

/// Fails when the prompt and continuation need more positions than the
/// model runs here.
fn check_positions(family: GgufFamily, h: &Hparams, positions: u64) -> Result<(), SmokeError> {
    if positions > h.max_positions {
        return Err(SmokeError::Config {
            family: family.name(),
            message: format!(
                "the prompt and continuation need {positions} positions; the model runs {} here",
                h.max_positions
            ),
        });
    }
    Ok(())
}

/// The five likeliest next tokens, decoded, and the distribution's entropy.
fn top_next(last: &[f32], tokenizer: &GgufTokenizer) -> Option<(Vec<TopToken>, f64)> {
    super::generate::top_next(last, |id| tokenizer.decode(&[id]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_parts_are_recognised() {
        assert!(is_split_part("model-00001-of-00003.gguf"));
        assert!(is_split_part("dir/Llama-3-8B-Q4_K_M-00002-of-00002.gguf"));
        assert!(!is_split_part("model.gguf"));
        assert!(!is_split_part("model-1-of-3.gguf"));
        assert!(!is_split_part("SmolLM2-135M-Instruct.Q4_1.gguf"));
    }

    /// The weights this crate's forward holds are the file's tensors as
    /// loaded, each once: the embedding's blocks (looked up row by row,
    /// shared with a tied output), no f32 table; candle's models (off the
    /// CPU) widen the embedding to f32 on top, and those but
    /// `quantized_llama` read a tied output again.
    #[test]
    fn own_forward_counts_the_embedding_as_stored() {
        use crate::smoke::llama_quant::tests::tiny_qwen_with;
        for tied in [true, false] {
            let bytes = tiny_qwen_with("qwen2", (tied, false));
            let ct = Content::read(&mut std::io::Cursor::new(bytes)).expect("header");
            let used: Vec<String> = ct.tensor_infos.keys().cloned().collect();
            assert_eq!(used.iter().any(|n| n == "output.weight"), !tied);
            let stored: u64 = ct
                .tensor_infos
                .values()
                .map(gguf_family::loaded_bytes)
                .sum();
            let h = Hparams {
                blocks: 2,
                hidden: 64,
                heads: 4,
                kv_heads: 2,
                head_dim: 16,
                ffn: 128,
                vocab: 96,
                tied,
                max_positions: 64,
            };
            let own = OwnTensors::new();
            let weights =
                |family, own_forward| estimate(family, (&ct, &own), &used, &h, (8, own_forward)).0;
            assert_eq!(weights(GgufFamily::Qwen2, true), stored, "tied {tied}");
            assert_eq!(weights(GgufFamily::Llama, true), stored, "tied {tied}");
            let table = 96 * 64 * 4;
            let embd = gguf_family::loaded_bytes(&ct.tensor_infos["token_embd.weight"]);
            let again = if tied { embd } else { 0 };
            assert_eq!(weights(GgufFamily::Qwen2, false), stored + table + again);
            assert_eq!(weights(GgufFamily::Llama, false), stored + table);
        }
    }

    #[test]
    fn ggml_names_are_llama_cpp_s() {
        assert_eq!(ggml_name(GgmlDType::Q4K), "q4_k");
        assert_eq!(ggml_name(GgmlDType::Q8_0), "q8_0");
    }
}
