//! The command line: commands and options, nothing else.

use clap::{Args, Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
TARGET is a model directory, a snapshot folder of the Hugging Face cache, or a
repo id such as Qwen/Qwen3-4B found in the cache (HF_HUB_CACHE, else
HF_HOME/hub, else ~/.cache/huggingface/hub).

Examples:
  mri ./Qwen3-4B                          browse it in the terminal (text report when piped)
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

    /// Shorthand: `mri TARGET` opens the browser on a terminal (as `mri tui`)
    /// and prints the text report otherwise; with `--format` it is `mri inspect`.
    #[command(flatten)]
    pub inspect: Option<InspectArgs>,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Report what is in a model: files, weights, architecture, memory, tokenizer, card.
    #[command(after_help = AFTER_HELP)]
    Inspect(InspectArgs),
    /// Browse a model in the terminal: overview, files, tensors, findings.
    ///
    /// Keys: q quit, ? help, Tab/1-6 views, j/k move, Enter open, Esc back,
    /// / search. When stdout is not a terminal, prints the text report instead.
    #[command(after_help = AFTER_HELP)]
    Tui(TuiArgs),
}

/// Arguments of `mri tui`.
#[derive(Debug, Args)]
pub struct TuiArgs {
    /// Model directory, cache snapshot folder, or repo id in the Hugging Face cache.
    #[arg(value_name = "TARGET")]
    pub target: String,

    /// Revision for repo ids and cache folders: a ref (main) or a commit (full or 7+ characters).
    #[arg(long, value_name = "REV")]
    pub revision: Option<String>,

    /// Render off-screen at WIDTHxHEIGHT, print the last frame and timings, and exit
    /// (benchmarks and tests).
    #[arg(long, value_name = "WxH", hide = true)]
    pub headless: Option<String>,

    /// With --headless: keys to press after the first frame, space-separated
    /// names as in the help (`3 j j Enter`, `PgDn`, `Ctrl-c`).
    #[arg(long, value_name = "KEYS", hide = true, requires = "headless")]
    pub keys: Option<String>,
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

    /// Output format [default: text].
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<OutputFormat>,

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
