//! `mri smoke`: a short forward pass with candle, proving that the weights
//! load and compute, without Python.
//!
//! A face of the pipeline: it reads the Report (architecture, shards and
//! every tensor's header, tokenizer files, memory) and the model root. The
//! order of a run:
//!
//! 1. preflight from the Report alone: the architecture is one candle runs,
//!    the checkpoint is not quantized, safetensors weights and a
//!    `tokenizer.json` exist, the device exists;
//! 2. the prompt is tokenized (padding and truncation off; tokenizer.json
//!    and the JSON files beside it are read within size limits, `files.rs`);
//! 3. config.json's layer count and sizes are checked against the tensors
//!    stored (`bounds.rs`), then a dry run builds the candle model against
//!    the headers (`backend::Checking`): every tensor it asks for is checked
//!    for presence, shape and dtype, and all problems are reported at once
//!    (the first 50 listed, the rest counted);
//! 4. the memory the run needs is estimated from those requests and
//!    compared with what is available;
//! 5. optionally every byte of the weights is scanned (`scan.rs`);
//! 6. the weights are memory-mapped and the model built, one forward pass
//!    runs, and optionally a greedy continuation. Constant or near-uniform
//!    logits (`sample::degenerate`), or NaN in a later step's, fail the run.
//!
//! Every failure is a [`SmokeError`] (exit 2 in the binary); a panic inside
//! candle is contained and becomes one too.

mod backend;
mod bert;
mod bounds;
pub mod files;
mod gemma;
mod gguf;
mod gguf_family;
mod gguf_finite;
mod gguf_meta;
mod gguf_scan;
pub mod gguf_tokenizer;
mod llama;
pub mod lora;
pub mod memory;
mod mistral;
mod model;
mod phi3;
mod qwen;
pub mod report;
mod sample;
mod scan;
pub mod target;
mod tokenize;

pub use gguf::candle_reads_ggml_type;
pub use model::Family;
use report::Measured;
pub use report::{MemoryCheck, SmokeRun, SmokeSummary, TopToken};
pub use target::{run_target, TargetError, TargetRun};

use crate::analyze::weights::ShardSummary;
use crate::scan::classify::FileClass;
use crate::Report;
use backend::{Checking, HeaderTensor, Log, Mapped, Problem};
use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use model::{Build, BuildError, Model};
use serde_json::Value;
use std::cell::Cell;
use std::collections::HashMap;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::{Arc, Once};
use std::time::Instant;
use thiserror::Error;

/// The prompt used when none is given.
pub const DEFAULT_PROMPT: &str = "The capital of France is";

/// Where the model runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeviceChoice {
    /// The CPU, all cores.
    #[default]
    Cpu,
    /// CUDA device N (needs the `cuda` feature).
    Cuda(usize),
}

impl FromStr for DeviceChoice {
    type Err = String;

    /// `cpu`, `cuda` (device 0) or `cuda:N`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "cpu" => Ok(DeviceChoice::Cpu),
            "cuda" => Ok(DeviceChoice::Cuda(0)),
            _ => s
                .strip_prefix("cuda:")
                .and_then(|n| n.parse().ok())
                .map(DeviceChoice::Cuda)
                .ok_or_else(|| format!("unknown device `{s}`: use cpu, cuda or cuda:N")),
        }
    }
}

impl fmt::Display for DeviceChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DeviceChoice::Cpu => f.write_str("cpu"),
            DeviceChoice::Cuda(n) => write!(f, "cuda:{n}"),
        }
    }
}

/// The dtype the weights are loaded in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DtypeChoice {
    /// f32 on the CPU (candle's fastest and most exact there); on CUDA the
    /// stored dtype when it is bf16 or f16, else f32.
    #[default]
    Auto,
    /// 32-bit floats.
    F32,
    /// bfloat16.
    Bf16,
    /// IEEE half precision.
    F16,
}

/// What a run reports as it goes (for progress bars and the TUI).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmokeEvent {
    /// A stage starts.
    Stage(Stage),
    /// `--scan-weights`: bytes read so far, of the total.
    ScanBytes {
        /// Bytes read.
        done: u64,
        /// Bytes to read.
        total: u64,
    },
    /// A token of the continuation was generated.
    Token {
        /// Tokens generated so far.
        done: usize,
        /// The most that will be generated.
        total: usize,
    },
}

/// The stages of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Preflight, tokenizing and the dry run against the headers.
    Checking,
    /// Reading every byte of the weights.
    ScanningWeights,
    /// Mapping the weights and building the model.
    Loading,
    /// The forward pass over the prompt.
    Forward,
    /// The greedy continuation.
    Generating,
}

/// A progress callback; called from worker threads during the weight scan.
pub type Progress = Arc<dyn Fn(SmokeEvent) + Send + Sync>;

/// Options of [`run`].
#[derive(Clone)]
pub struct SmokeOptions {
    /// Where to run.
    pub device: DeviceChoice,
    /// The dtype to load the weights in.
    pub dtype: DtypeChoice,
    /// The prompt.
    pub prompt: String,
    /// Greedy tokens to generate after the prompt (decoders; 0 for none).
    pub max_tokens: usize,
    /// Read every byte of the weights looking for NaN/inf and all-zero tensors.
    pub scan_weights: bool,
    /// Memory the run may use, in bytes, instead of what the machine has
    /// available (the binary reads `--memory-limit` or `MRI_SMOKE_MEMORY_LIMIT`).
    pub memory_limit: Option<u64>,
    /// Progress reports, if wanted.
    pub progress: Option<Progress>,
    /// A LoRA adapter to merge into the weights as they load.
    pub lora: Option<lora::LoraMerge>,
}

impl Default for SmokeOptions {
    fn default() -> Self {
        SmokeOptions {
            device: DeviceChoice::Cpu,
            dtype: DtypeChoice::Auto,
            prompt: DEFAULT_PROMPT.to_string(),
            max_tokens: 0,
            scan_weights: false,
            memory_limit: None,
            progress: None,
            lora: None,
        }
    }
}

impl fmt::Debug for SmokeOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmokeOptions")
            .field("device", &self.device)
            .field("dtype", &self.dtype)
            .field("prompt", &self.prompt)
            .field("max_tokens", &self.max_tokens)
            .field("scan_weights", &self.scan_weights)
            .field("memory_limit", &self.memory_limit)
            .finish_non_exhaustive()
    }
}

/// Why a smoke test could not run. Each is a clear message (exit 2).
#[derive(Debug, Error)]
pub enum SmokeError {
    /// No config.json, so no architecture.
    #[error("no config.json: mri smoke needs it to know which architecture to build")]
    NoConfig,
    /// The architecture is not one candle runs here.
    #[error("unsupported architecture `{0}`: mri smoke runs {list}", list = supported_list())]
    UnsupportedArchitecture(String),
    /// A quantized checkpoint: candle's safetensors models need float weights.
    #[error("quantized checkpoint ({0}): candle's safetensors models run plain float weights (f32, f16, bf16) only; smoke-test the unquantized model")]
    Quantized(String),
    /// Tensors stored in a dtype that is not a plain float.
    #[error("{count} tensors the model needs are stored as {dtypes} (e.g. {example}): not loadable as plain float weights (a quantized or packed checkpoint?)")]
    UnsupportedDtype {
        /// How many tensors.
        count: usize,
        /// The dtypes, joined.
        dtypes: String,
        /// One tensor name.
        example: String,
    },
    /// No safetensors weights.
    #[error("no safetensors weights to load{0}")]
    NoWeights(String),
    /// A shard's header or data is broken (`mri inspect` says how).
    #[error("the weights are broken: {0}")]
    BrokenWeights(String),
    /// A shard is a Git LFS pointer.
    #[error("{0} is a Git LFS pointer, not the weights: download the file first (git lfs pull)")]
    WeightsNotDownloaded(String),
    /// A shard of an `hf://` target that is on the Hub only.
    #[error("{0} is on the Hub only: download the weights first (`mri download hf://...`)")]
    RemoteOnly(String),
    /// No tokenizer.json.
    #[error("no tokenizer.json: mri smoke tokenizes with the `tokenizers` library, which reads tokenizer.json{0}")]
    MissingTokenizer(String),
    /// tokenizer.json could not be loaded or used.
    #[error("tokenizer.json could not be used: {0}")]
    Tokenizer(String),
    /// The prompt encodes to nothing.
    #[error("the prompt encodes to no tokens: give a non-empty --prompt")]
    EmptyPrompt,
    /// The tokenizer yields an id the embedding has no row for.
    #[error("the tokenizer gives token id {id}, but the embedding has {rows} rows")]
    TokenOutOfRange {
        /// The id.
        id: u32,
        /// Embedding rows.
        rows: u64,
    },
    /// config.json does not say what candle needs, or asks for what it lacks.
    #[error("{family}: {message}")]
    Config {
        /// The family.
        family: &'static str,
        /// What is wrong.
        message: String,
    },
    /// Tensors missing or of the wrong shape.
    #[error("the checkpoint does not match candle's {family} for this config.json: {count} problem(s):\n  {list}", list = problems.join("\n  "))]
    Tensors {
        /// The family.
        family: &'static str,
        /// How many problems in all.
        count: usize,
        /// The first problems, one line each.
        problems: Vec<String>,
    },
    /// Not enough memory for the estimate.
    #[error("not enough memory: loading needs about {needed} ({weights} of weights in {dtype} plus working memory), {available} available{hint}", needed = crate::util::human::bytes(*needed), weights = crate::util::human::bytes(*weights), available = crate::util::human::bytes(*available))]
    NotEnoughMemory {
        /// Estimated bytes needed.
        needed: u64,
        /// Of which weights.
        weights: u64,
        /// Bytes available (or the limit).
        available: u64,
        /// The dtype.
        dtype: String,
        /// A suggestion (another dtype), or empty.
        hint: String,
    },
    /// `--device cuda` in a build without the feature.
    #[error("this mri was built without CUDA support: build it with `cargo build --release --features cuda` (needs the CUDA toolkit), or use --device cpu")]
    CudaNotBuilt,
    /// The device could not be opened.
    #[error("device {device}: {message}")]
    Device {
        /// The device asked for.
        device: String,
        /// What went wrong.
        message: String,
    },
    /// A file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// candle failed.
    #[error("candle failed while {stage}: {message}")]
    Candle {
        /// What was being done.
        stage: &'static str,
        /// candle's message.
        message: String,
    },
    /// The GGUF file's header could not be read.
    #[error("{path}: not a readable GGUF file: {message}")]
    Gguf {
        /// The file.
        path: PathBuf,
        /// candle's reader's message.
        message: String,
    },
    /// A tensor has a ggml type that candle cannot load (the file is valid).
    #[error("{path}: {tensors} tensor(s), the first {tensor}, are stored as {types}, which candle cannot load (it reads F32, F16, BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q8_1 and Q2_K to Q8_K); the file itself is well formed (`mri inspect` lists its tensors)")]
    GgmlTypeUnsupported {
        /// The file.
        path: PathBuf,
        /// The first tensor of such a type.
        tensor: String,
        /// The types candle lacks, by name.
        types: String,
        /// How many tensors have them.
        tensors: usize,
    },
    /// `general.architecture` is not one candle's quantized models run.
    #[error("unsupported GGUF architecture `{0}`: mri smoke runs GGUF models of {list}", list = gguf_family::GgufFamily::supported_list())]
    UnsupportedGgufArchitecture(String),
    /// Metadata keys the quantized model reads are missing or mistyped.
    #[error("the GGUF metadata lacks what candle's quantized {family} reads:\n  {list}", list = problems.join("\n  "))]
    GgufMetadata {
        /// The family (or `gguf` before one is known).
        family: &'static str,
        /// One line per problem.
        problems: Vec<String>,
    },
    /// Tensors missing or of the wrong shape in a GGUF file.
    #[error("the GGUF file does not hold what candle's quantized {family} reads: {count} problem(s):\n  {list}", list = problems.join("\n  "))]
    GgufTensors {
        /// The family.
        family: &'static str,
        /// How many problems in all.
        count: usize,
        /// The first problems, one line each.
        problems: Vec<String>,
    },
    /// The tokenizer could not be rebuilt from the GGUF metadata.
    #[error("{path}: the tokenizer could not be rebuilt from the GGUF metadata: {message}")]
    GgufTokenizer {
        /// The file (relative to the model root).
        path: String,
        /// What is wrong.
        message: String,
    },
    /// Several GGUF models in one folder.
    #[error("several GGUF models here ({0}): name one file as the target")]
    GgufChoice(String),
    /// A split GGUF set.
    #[error("{0} is part of a split GGUF set, which mri smoke does not load: merge the parts first (llama-gguf-split --merge FIRST-PART OUT.gguf)")]
    GgufSplit(String),
    /// An adapter on a GGUF base.
    #[error("LoRA adapters merge into safetensors bases only; this base is a GGUF file")]
    GgufAdapter,
    /// candle panicked; the panic was contained.
    #[error("candle panicked while {stage}: {message}")]
    Panic {
        /// What was being done.
        stage: &'static str,
        /// The panic message.
        message: String,
    },
    /// A JSON file the run needs is empty, does not parse, or has the wrong shape.
    #[error("{path}: {why}")]
    BadJson {
        /// The file.
        path: PathBuf,
        /// What is wrong, with the line and column of a syntax error.
        why: String,
    },
    /// A file is larger than the run reads.
    #[error("{path}: {size_h} ({size} bytes), over the {limit_h} ({limit} bytes) limit mri smoke reads for this file", size_h = crate::util::human::bytes(*size), limit_h = crate::util::human::bytes(*limit))]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// config.json asks for more layers than the weights hold, or more than
    /// any model has: refused before the model is built.
    #[error("{family}: config.json says {key} = {config}, but the weights hold {stored} layer block(s){detail}: refused before building the model")]
    LayerCount {
        /// The family.
        family: &'static str,
        /// The config key (`num_hidden_layers`).
        key: &'static str,
        /// The count config.json states.
        config: u64,
        /// The distinct layer blocks in the tensor names.
        stored: u64,
        /// More about the limit, or empty.
        detail: String,
    },
    /// A size in config.json that no stored tensor has in any dimension:
    /// refused before candle allocates tables from it.
    #[error("{family}: config.json says {key} = {value}, but the largest dimension of any stored tensor is {largest}: refused before building the model")]
    ConfigSize {
        /// The family.
        family: &'static str,
        /// The config key.
        key: &'static str,
        /// The value config.json states.
        value: u64,
        /// The largest dimension of the stored tensors.
        largest: u64,
    },
    /// The forward pass ran but its output carries no information: constant
    /// or near-uniform logits (what NaN weights turn into once candle's
    /// quantized matmul has swallowed them).
    #[error(
        "the output is degenerate: {0}; a working model's next-token distribution is neither constant nor uniform"
    )]
    DegenerateOutput(String),
}

fn supported_list() -> String {
    let names: Vec<&str> = Family::ALL.iter().map(|f| f.name()).collect();
    format!(
        "{} and {}",
        names[..names.len() - 1].join(", "),
        names[names.len() - 1]
    )
}

// ------------------------------------------------------------ panics

thread_local! {
    static CONTAINING: Cell<u32> = const { Cell::new(0) };
}

/// Installs (once) a panic hook that stays silent for panics that
/// [`contain`] turns into errors, and defers to the previous hook otherwise.
fn quiet_contained_panics() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if CONTAINING.with(Cell::get) == 0 {
                previous(info);
            }
        }));
    });
}

/// Runs `f`, turning a panic into [`SmokeError::Panic`].
fn contain<T>(
    stage: &'static str,
    f: impl FnOnce() -> Result<T, SmokeError>,
) -> Result<T, SmokeError> {
    quiet_contained_panics();
    CONTAINING.with(|c| c.set(c.get() + 1));
    let result = catch_unwind(AssertUnwindSafe(f));
    CONTAINING.with(|c| c.set(c.get() - 1));
    match result {
        Ok(r) => r,
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "(no message)".into());
            Err(SmokeError::Panic { stage, message })
        }
    }
}

fn candle_err(stage: &'static str) -> impl Fn(candle_core::Error) -> SmokeError {
    move |e| SmokeError::Candle {
        stage,
        message: candle_message(&e),
    }
}

/// A forward pass's output: its shape, and its values as f32, flattened.
pub(crate) fn output_values(
    out: &Tensor,
    stage: &'static str,
) -> Result<(Vec<usize>, Vec<f32>), SmokeError> {
    let values = out
        .to_dtype(DType::F32)
        .and_then(|t| t.flatten_all())
        .and_then(|t| t.to_vec1::<f32>())
        .map_err(candle_err(stage))?;
    Ok((out.dims().to_vec(), values))
}

/// A candle error's message for a person: without the backtrace candle
/// attaches when `RUST_BACKTRACE` is set, context and path kept, on one line.
pub(crate) fn candle_message(e: &candle_core::Error) -> String {
    use candle_core::Error;
    match e {
        Error::WithBacktrace { inner, .. } => candle_message(inner),
        Error::Context { inner, context } => format!("{context}: {}", candle_message(inner)),
        Error::WithPath { inner, path } => format!("{}: {}", path.display(), candle_message(inner)),
        other => other.to_string().replace('\n', "; "),
    }
}

// ------------------------------------------------------------ preflight

/// What the Report tells about the files a run needs.
struct Inputs {
    family: Family,
    config: serde_json::Map<String, Value>,
    shards: Vec<(usize, PathBuf)>,
    tokenizer_json: PathBuf,
    tokenizer_config: Option<Value>,
}

fn real_path(report: &Report, rel: &str) -> Option<PathBuf> {
    report
        .files
        .iter()
        .find(|f| f.path == rel)
        .map(|f| f.real_path.clone())
}

/// Why the Report has no architecture: no config.json, or one that is
/// empty, does not parse, or names no architecture.
fn no_architecture(report: &Report) -> SmokeError {
    match real_path(report, "config.json") {
        None => SmokeError::NoConfig,
        Some(path) => match files::read_config(&path) {
            Err(e) => e,
            Ok(_) => SmokeError::BadJson {
                path,
                why: "names no architecture (neither model_type nor architectures)".into(),
            },
        },
    }
}

fn preflight(report: &Report) -> Result<Inputs, SmokeError> {
    let arch = report
        .architecture
        .as_ref()
        .ok_or_else(|| no_architecture(report))?;
    let config_path = real_path(report, "config.json").ok_or(SmokeError::NoConfig)?;
    let model_type = arch.model_type.clone().unwrap_or_default();
    let family = Family::from_model_type(&model_type)
        .or_else(|| {
            if model_type.is_empty() {
                arch.architectures
                    .iter()
                    .find_map(|a| Family::from_architecture(a))
            } else {
                None
            }
        })
        .ok_or_else(|| {
            SmokeError::UnsupportedArchitecture(if model_type.is_empty() {
                arch.architectures.join(", ")
            } else {
                model_type.clone()
            })
        })?;
    if arch.nested_text_config {
        return Err(SmokeError::UnsupportedArchitecture(format!(
            "{model_type} (a multimodal config with a nested text_config)"
        )));
    }
    if let Some(q) = &report.weights.quantization {
        let scheme = q.detected.scheme.name();
        let what = match q.detected.bits {
            Some(b) => format!("{scheme}, {b} bits"),
            None => scheme,
        };
        return Err(SmokeError::Quantized(what));
    }
    if let Some(q) = &arch.quantization {
        return Err(SmokeError::Quantized(q.method.clone()));
    }
    // Weights: the counted safetensors shards, de-duplicated (candle has no
    // index reader; the Report already resolved the index).
    // Looked up by path and de-duplicated through sets: a scan of each list
    // per shard is quadratic (20,000 shards: seconds before the first check).
    let by_path: std::collections::HashMap<&str, &crate::scan::FileEntry> =
        report.files.iter().map(|f| (f.path.as_str(), f)).collect();
    let mut seen_real = std::collections::HashSet::new();
    let mut shards = Vec::new();
    for (i, shard) in report.weights.shards.iter().enumerate() {
        if !shard.counted {
            continue;
        }
        let Some(entry) = by_path.get(shard.path.as_str()) else {
            continue;
        };
        if entry.lfs_pointer.is_some() {
            return Err(SmokeError::WeightsNotDownloaded(shard.path.clone()));
        }
        if entry.remote_only {
            return Err(SmokeError::RemoteOnly(shard.path.clone()));
        }
        if seen_real.insert(entry.real_path.as_path()) {
            shards.push((i, entry.real_path.clone()));
        }
    }
    let shard_paths: std::collections::HashSet<&str> = shards
        .iter()
        .map(|(i, _)| report.weights.shards[*i].path.as_str())
        .collect();
    // A shard whose header or data is broken would fail or mislead the load.
    if let Some(f) = report.findings.iter().find(|f| {
        matches!(
            f.code,
            crate::finding::Code::WeightsHeaderInvalid | crate::finding::Code::WeightsTruncated
        ) && f
            .file
            .as_deref()
            .is_some_and(|file| shard_paths.contains(file))
    }) {
        return Err(SmokeError::BrokenWeights(format!(
            "{}: {}",
            f.file.as_deref().unwrap_or("?"),
            f.message
        )));
    }
    if shards.is_empty() {
        let pointer = report
            .files
            .iter()
            .find(|f| f.class == FileClass::Weights && f.lfs_pointer.is_some());
        if let Some(p) = pointer {
            return Err(SmokeError::WeightsNotDownloaded(p.path.clone()));
        }
        let why = match report.weights.format.as_deref() {
            Some("pickle") => " (only pickle files, which mri never loads: they can run code)",
            Some(other) if other != "safetensors" => " (only other formats)",
            _ => "",
        };
        return Err(SmokeError::NoWeights(why.to_string()));
    }
    let tokenizer_json = match report.files.iter().find(|f| f.path == "tokenizer.json") {
        Some(f) if f.lfs_pointer.is_none() => f.real_path.clone(),
        _ => {
            let others: Vec<&str> = report
                .files
                .iter()
                .filter(|f| f.class == FileClass::Tokenizer && !f.path.contains('/'))
                .map(|f| f.path.as_str())
                .collect();
            let found = if others.is_empty() {
                " (no tokenizer files at all)".to_string()
            } else {
                format!(
                    " (found {}; convert it with transformers' AutoTokenizer and save_pretrained)",
                    others.join(", ")
                )
            };
            return Err(SmokeError::MissingTokenizer(found));
        }
    };
    let config = files::read_config(&config_path)?;
    let tokenizer_config = real_path(report, "tokenizer_config.json")
        .map(|p| files::read_json(&p))
        .transpose()
        .ok()
        .flatten();
    Ok(Inputs {
        family,
        config,
        shards,
        tokenizer_json,
        tokenizer_config,
    })
}

fn open_device(choice: DeviceChoice) -> Result<Device, SmokeError> {
    match choice {
        DeviceChoice::Cpu => Ok(Device::Cpu),
        #[cfg(feature = "cuda")]
        DeviceChoice::Cuda(n) => Device::new_cuda(n).map_err(|e| SmokeError::Device {
            device: choice.to_string(),
            message: candle_message(&e),
        }),
        #[cfg(not(feature = "cuda"))]
        DeviceChoice::Cuda(_) => Err(SmokeError::CudaNotBuilt),
    }
}

fn resolve_dtype(choice: DtypeChoice, device: &Device, report: &Report) -> DType {
    match choice {
        DtypeChoice::F32 => DType::F32,
        DtypeChoice::Bf16 => DType::BF16,
        DtypeChoice::F16 => DType::F16,
        DtypeChoice::Auto if device.is_cpu() => DType::F32,
        DtypeChoice::Auto => {
            let most = report
                .weights
                .by_dtype
                .iter()
                .max_by_key(|(_, n)| **n)
                .map(|(d, _)| d.as_str());
            match most {
                Some("BF16") => DType::BF16,
                Some("F16") => DType::F16,
                _ => DType::F32,
            }
        }
    }
}

fn dtype_name(d: DType) -> &'static str {
    match d {
        DType::F32 => "f32",
        DType::BF16 => "bf16",
        DType::F16 => "f16",
        DType::F64 => "f64",
        _ => "other",
    }
}

/// Every tensor of the counted shards, by name.
fn header_map(report: &Report, shards: &[(usize, PathBuf)]) -> HashMap<String, HeaderTensor> {
    let mut map = HashMap::new();
    for (i, _) in shards {
        for t in &report.weights.shards[*i].tensors {
            map.insert(
                t.info.name.clone(),
                HeaderTensor {
                    dtype: t.info.dtype.clone(),
                    shape: t.info.shape.clone(),
                    bytes: t.info.data_offsets[1].saturating_sub(t.info.data_offsets[0]),
                },
            );
        }
    }
    map
}

/// The dry run's problems as one error: missing and misshapen tensors
/// first (the first [`backend::MAX_PROBLEMS`] listed, then how many more),
/// else unloadable dtypes.
fn describe_problems(family: Family, log: &Log) -> Result<(), SmokeError> {
    let mut dtypes: Vec<&str> = Vec::new();
    let mut dtype_example = None;
    let mut dtype_count = log.dropped_dtype_problems;
    let mut lines = Vec::new();
    let mut count = log.dropped_tensor_problems;
    for r in &log.requests {
        match &r.problem {
            None => {}
            Some(Problem::Dtype(d)) => {
                dtype_count += 1;
                if !dtypes.contains(&d.as_str()) {
                    dtypes.push(d);
                }
                dtype_example.get_or_insert_with(|| r.name.clone());
            }
            Some(Problem::Missing) => {
                count += 1;
                if lines.len() < backend::MAX_PROBLEMS {
                    lines.push(format!("missing tensor {} (shape {:?})", r.name, r.shape));
                }
            }
            Some(Problem::Shape { stored }) => {
                count += 1;
                if lines.len() < backend::MAX_PROBLEMS {
                    lines.push(format!(
                        "tensor {} has shape {stored:?}, the config implies {:?}",
                        r.name, r.shape
                    ));
                }
            }
        }
    }
    if count > lines.len() {
        lines.push(format!("... and {} more", count - lines.len()));
    }
    if count > 0 {
        return Err(SmokeError::Tensors {
            family: family.name(),
            count,
            problems: lines,
        });
    }
    if dtype_count > 0 {
        return Err(SmokeError::UnsupportedDtype {
            count: dtype_count,
            dtypes: dtypes.join(", "),
            example: dtype_example.unwrap_or_default(),
        });
    }
    Ok(())
}

fn build_error(family: Family, stage: &'static str) -> impl Fn(BuildError) -> SmokeError {
    move |e| match e {
        BuildError::Config(message) => SmokeError::Config {
            family: family.name(),
            message,
        },
        BuildError::Candle(e) => SmokeError::Candle {
            stage,
            message: candle_message(&e),
        },
    }
}

// ------------------------------------------------------------ the run

/// Runs the smoke test on the model the Report describes.
///
/// Reads only what the Report names under its root (config.json,
/// tokenizer.json, tokenizer_config.json, the pooling config, the counted
/// shards; or the one GGUF file, when the weights are GGUF); writes
/// nothing; never runs code from the repository.
pub fn run(report: &Report, options: &SmokeOptions) -> Result<SmokeRun, SmokeError> {
    if let Some(file) = gguf::model_file(report) {
        return gguf::run(&file?, options);
    }
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

/// Fails a decoder run whose last logits are degenerate (constant or
/// near-uniform, [`sample::degenerate`]). When non-finite weights found
/// before the forward pass already fail the run (exit 1, the findings
/// listed), the degeneracy they explain becomes a note instead.
pub(crate) fn judge_logits(
    last: &[f32],
    weight_findings: &[crate::finding::Finding],
    notes: &mut Vec<String>,
) -> Result<(), SmokeError> {
    let Some(why) = sample::degenerate(last) else {
        return Ok(());
    };
    let explained = weight_findings
        .iter()
        .any(|f| f.code == crate::finding::Code::WeightsNonFinite);
    if explained {
        notes.push(format!(
            "the output is degenerate ({why}): the non-finite weights explain it"
        ));
        return Ok(());
    }
    Err(SmokeError::DegenerateOutput(why))
}

/// A greedy continuation.
struct Greedy<'a> {
    device: &'a Device,
    /// Vocabulary width of a logits row.
    cols: usize,
    /// Position of the first generated token (the prompt's length).
    offset: usize,
    max_tokens: usize,
    eos: Vec<u32>,
}

impl Greedy<'_> {
    /// Generates from the prompt's last logits until `max_tokens` tokens or
    /// an EOS; returns the ids and the one-token forward passes per second.
    fn run(
        &self,
        decoder: &mut dyn model::Decoder,
        mut logits: Vec<f32>,
        emit: &dyn Fn(SmokeEvent),
        notes: &mut Vec<String>,
    ) -> Result<(Vec<u32>, Option<f64>), SmokeError> {
        let mut generated = Vec::new();
        let mut forwards = 0usize;
        let start = Instant::now();
        while generated.len() < self.max_tokens {
            let Some(next) = sample::argmax(&logits) else {
                notes.push("generation stopped: no finite logit".into());
                break;
            };
            if self.eos.contains(&next) {
                notes.push(format!(
                    "the continuation stopped at EOS token {next} after {} tokens",
                    generated.len()
                ));
                break;
            }
            generated.push(next);
            emit(SmokeEvent::Token {
                done: generated.len(),
                total: self.max_tokens,
            });
            if generated.len() == self.max_tokens {
                break;
            }
            let offset = self.offset + generated.len() - 1;
            logits = contain("generating", || {
                let input = Tensor::new(&[next], self.device)
                    .and_then(|t| t.unsqueeze(0))
                    .map_err(candle_err("generating"))?;
                let out = decoder
                    .forward(&input, offset)
                    .map_err(candle_err("generating"))?;
                let (_, out) = output_values(&out, "generating")?;
                Ok(out[out.len().saturating_sub(self.cols)..].to_vec())
            })?;
            forwards += 1;
            // The prompt's logits are judged by the summary; a later step's
            // NaN would only stop the continuation quietly.
            let bad = logits.iter().filter(|v| !v.is_finite()).count();
            if bad > 0 {
                return Err(SmokeError::DegenerateOutput(format!(
                    "{bad} of the {} logits after generated token {} (id {next}) are NaN or infinite",
                    logits.len(),
                    generated.len()
                )));
            }
        }
        let secs = start.elapsed().as_secs_f64();
        // Each forward pass of one token yields the next token.
        let rate = (forwards > 0 && secs > 0.0).then(|| forwards as f64 / secs);
        Ok((generated, rate))
    }
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

/// End-of-sequence ids from generation_config.json, config.json and the tokenizer.
fn eos_ids(report: &Report) -> Vec<u32> {
    let mut ids: Vec<u64> = Vec::new();
    if let Some(g) = &report.generation {
        ids.extend(g.eos_token_ids.iter().copied());
    }
    if let Some(a) = &report.architecture {
        ids.extend(a.eos_token_ids.iter().copied());
    }
    if let Some(id) = report
        .tokenizer
        .as_ref()
        .and_then(|t| t.special_tokens.get("eos"))
        .and_then(|s| s.id)
    {
        ids.push(id);
    }
    ids.into_iter()
        .filter_map(|i| u32::try_from(i).ok())
        .collect()
}

fn ms(start: Instant) -> f64 {
    (start.elapsed().as_secs_f64() * 1e6).round() / 1e3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candle_messages_lose_their_backtrace_and_keep_their_context() {
        let inner = candle_core::Error::Msg("no device".into());
        let traced = candle_core::Error::WithBacktrace {
            inner: Box::new(inner),
            backtrace: Box::new(std::backtrace::Backtrace::force_capture()),
        };
        assert_eq!(candle_message(&traced), "no device");
        let with_context = traced.context("opening cuda:0");
        assert_eq!(candle_message(&with_context), "opening cuda:0: no device");
        let with_path = candle_core::Error::Msg("bad header".into())
            .with_path(std::path::Path::new("model.safetensors"));
        assert_eq!(candle_message(&with_path), "model.safetensors: bad header");
    }

    #[test]
    fn a_panic_becomes_an_error_with_its_message() {
        let err = contain("testing", || -> Result<(), SmokeError> {
            panic!("called `Option::unwrap()` on a `None` value")
        })
        .expect_err("contained");
        match err {
            SmokeError::Panic { stage, message } => {
                assert_eq!(stage, "testing");
                assert!(message.contains("unwrap()"), "{message}");
            }
            other => panic!("not a panic error: {other}"),
        }
        // The counter is back to zero: later panics are not silenced.
        assert_eq!(CONTAINING.with(Cell::get), 0);
        let formatted = contain("testing", || -> Result<(), SmokeError> {
            let n = 3;
            panic!("index {n} out of range")
        })
        .expect_err("contained");
        assert!(formatted.to_string().contains("index 3 out of range"));
    }

    #[test]
    fn devices_parse() {
        assert_eq!("cpu".parse(), Ok(DeviceChoice::Cpu));
        assert_eq!("cuda".parse(), Ok(DeviceChoice::Cuda(0)));
        assert_eq!("cuda:3".parse(), Ok(DeviceChoice::Cuda(3)));
        assert!("cuda:x".parse::<DeviceChoice>().is_err());
        assert_eq!(DeviceChoice::Cuda(1).to_string(), "cuda:1");
    }

    #[test]
    fn every_family_round_trips_its_name() {
        for f in Family::ALL {
            assert_eq!(Family::from_model_type(f.name()), Some(f));
        }
        assert_eq!(Family::from_model_type("gpt2"), None);
        assert_eq!(
            supported_list(),
            "llama, mistral, qwen2, qwen3, gemma, gemma2, phi3 and bert"
        );
    }
}
