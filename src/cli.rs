//! The command line: commands and options, nothing else.

use clap::{Args, Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
TARGET is a model directory, a snapshot folder of the Hugging Face cache, or a
repo id such as Qwen/Qwen3-4B found in the cache (HF_HUB_CACHE, else
HF_HOME/hub, else ~/.cache/huggingface/hub).

Examples:
  mri inspect ./Qwen3-4B                  what is in a downloaded model
  mri inspect Qwen/Qwen3-4B --format json  the same from the cache, as JSON
  mri inspect meta-llama/Llama-3.1-8B --revision 0e9e39f

Exit codes:
  0  the report was made (findings, even errors, are in the report)
  2  usage error, or the target is unusable (no such path or repo, not a model)";

/// mri — the model repository inspector.
///
/// Tells what is in an open-weights model (files, tensors, architecture,
/// memory, tokenizer, card) in milliseconds, reading only headers.
#[derive(Debug, Parser)]
#[command(name = "mri", version, after_help = AFTER_HELP, args_conflicts_with_subcommands = true)]
pub struct Cli {
    /// The command to run.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Shorthand: `mri TARGET` prints the text report of TARGET.
    #[command(flatten)]
    pub inspect: Option<InspectArgs>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Report what is in a model: files, weights, architecture, memory, tokenizer, card.
    #[command(after_help = AFTER_HELP)]
    Inspect(InspectArgs),
    /// Load the weights with candle and run one forward pass (no Python).
    #[command(after_help = SMOKE_AFTER_HELP)]
    Smoke(SmokeArgs),
}

const SMOKE_AFTER_HELP: &str = "\
Runs llama (Llama 3 rope scaling included), mistral, qwen2, qwen3, gemma,
gemma2, phi3 and bert (encoders: the pooled embedding's norm). Before loading,
every tensor the model needs is checked against the safetensors headers and
the memory is estimated; problems are reported, never a crash.

Examples:
  mri smoke ./Qwen3-0.6B                          one forward pass, top next tokens
  mri smoke ./Qwen3-0.6B --max-tokens 20          and a greedy continuation
  mri smoke ./all-MiniLM-L6-v2 --format json      the Report with its smoke object
  mri smoke ./model --scan-weights                also look for NaN/inf and all-zero tensors

Environment:
  MRI_SMOKE_MEMORY_LIMIT  memory the run may use (like --memory-limit)
  RAYON_NUM_THREADS       CPU threads (default: all cores)

Exit codes:
  0  the forward pass ran and its output is finite
  1  it ran, but the output (or, with --scan-weights, a tensor) holds NaN or infinity
  2  it could not run: unusable target, unsupported architecture, quantized
     checkpoint, broken or not downloaded shards, no tokenizer.json, missing or
     misshapen tensors, not enough memory";

/// Arguments of `mri smoke`.
#[derive(Debug, Args)]
pub struct SmokeArgs {
    /// Model directory, cache snapshot folder, or repo id in the Hugging Face cache.
    #[arg(value_name = "TARGET")]
    pub target: String,

    /// Revision for repo ids and cache folders.
    #[arg(long, value_name = "REV")]
    pub revision: Option<String>,

    /// Where to run: cpu, cuda or cuda:N (CUDA needs a build with `--features cuda`).
    #[arg(long, value_name = "DEVICE", default_value = "cpu")]
    pub device: String,

    /// The dtype to load the weights in (auto: f32 on CPU, the stored bf16/f16 on CUDA).
    #[arg(long, value_enum, default_value_t = DtypeArg::Auto)]
    pub dtype: DtypeArg,

    /// The prompt to run.
    #[arg(long, value_name = "TEXT", default_value = mri::smoke::DEFAULT_PROMPT)]
    pub prompt: String,

    /// Generate up to N tokens greedily after the prompt, and report tokens per second.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub max_tokens: usize,

    /// Read every byte of the weights and report tensors with NaN/inf values or all zeros.
    #[arg(long)]
    pub scan_weights: bool,

    /// Memory the run may use (e.g. 8G, 512MiB); default: what the machine has available.
    #[arg(long, value_name = "SIZE")]
    pub memory_limit: Option<String>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = SmokeFormat::Text)]
    pub format: SmokeFormat,
}

/// `--dtype` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DtypeArg {
    /// f32 on CPU; the stored bf16/f16 on CUDA.
    Auto,
    /// 32-bit floats.
    F32,
    /// bfloat16.
    Bf16,
    /// half precision.
    F16,
}

/// Output formats of `mri smoke`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SmokeFormat {
    /// A short summary for people.
    Text,
    /// The JSON Report with its `smoke` object.
    Json,
}

/// Arguments of `mri inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Model directory, cache snapshot folder, or repo id in the Hugging Face cache.
    #[arg(value_name = "TARGET")]
    pub target: String,

    /// Revision for repo ids and cache folders: a ref (main) or a commit (full or 7+ characters).
    #[arg(long, value_name = "REV")]
    pub revision: Option<String>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,

    /// When to colour text output (NO_COLOR is honoured by `auto`).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Aligned text for people.
    Text,
    /// The versioned JSON Report (docs/report.md).
    Json,
    /// Markdown tables.
    Markdown,
}

/// Colour choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and NO_COLOR is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}
