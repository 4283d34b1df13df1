//! Why a smoke test could not run: [`SmokeError`], and the helpers that
//! turn candle's errors and panics into it.

use super::gguf_family;
use super::model::Family;
use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::Once;
use thiserror::Error;

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
    #[error("{file} is on the Hub only: download the weights first (`mri download {repo}`)")]
    RemoteOnly {
        /// The shard.
        file: String,
        /// The repository as `mri download` takes it (`hf://ORG/NAME`).
        repo: String,
    },
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
    /// `--stream` asked for a run it does not apply to.
    #[error("{0}")]
    StreamUnsupported(String),
    /// Not enough memory for the estimate.
    #[error("not enough memory: loading needs about {needed} ({weights} of weights in {dtype}, {mode}, plus working memory), {available} available{hint}", needed = crate::util::human::bytes(*needed), weights = crate::util::human::bytes(*weights), available = crate::util::human::bytes(*available))]
    NotEnoughMemory {
        /// Estimated bytes needed.
        needed: u64,
        /// Of which weights.
        weights: u64,
        /// Bytes available (or the limit).
        available: u64,
        /// The dtype.
        dtype: String,
        /// `full` (every weight resident) or `streamed` (`--stream`).
        mode: String,
        /// A suggestion (another dtype, streaming), or empty.
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

/// The families candle runs here, for a message: `a, b and c`.
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
pub(crate) fn contain<T>(
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

/// Maps a candle error to [`SmokeError::Candle`] at `stage`.
pub(crate) fn candle_err(stage: &'static str) -> impl Fn(candle_core::Error) -> SmokeError {
    move |e| SmokeError::Candle {
        stage,
        message: candle_message(&e),
    }
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
