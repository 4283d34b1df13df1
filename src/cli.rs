//! The command line: commands and options, nothing else.

use clap::{Args, Parser, Subcommand, ValueEnum};

const TARGETS: &str = "\
TARGET is a model directory, a snapshot folder of the Hugging Face cache, or a
repo id such as Qwen/Qwen3-4B found in the cache (HF_HUB_CACHE, else
HF_HOME/hub, else ~/.cache/huggingface/hub).";

const INSPECT_HELP: &str = "\
TARGET is a model directory, a snapshot folder of the Hugging Face cache, or a
repo id such as Qwen/Qwen3-4B found in the cache (HF_HUB_CACHE, else
HF_HOME/hub, else ~/.cache/huggingface/hub).

Examples:
  mri inspect ./Qwen3-4B                   what is in a downloaded model
  mri inspect Qwen/Qwen3-4B --format json  the same from the cache, as JSON
  mri inspect meta-llama/Llama-3.1-8B --revision 0e9e39f

Exit codes:
  0  the report was made (findings, even errors, are in the report)
  2  usage error, or the target is unusable (no such path or repo, not a model)";

const LICENSE_HELP: &str = "\
Finds the license from the model card's front matter (license, license_name,
license_link, base_model) and the LICENSE / NOTICE / USE_POLICY files, matches
the texts against the knowledge base (Llama, Gemma, Qwen, DeepSeek, Yi, RAIL,
... and the standard SPDX licenses), reads the clauses that decide (non-
commercial, research only, thresholds, territories, registration, use
restrictions) in any text, and answers for commercial use:

  permitted                   granted, with the usual notice duties
  permitted-with-conditions   granted, subject to the listed obligations
  requires-approval           the licensor must approve or register you first
  non-commercial              commercial use is not granted
  research-only               research only
  prohibited                  no use granted
  unknown                     could not be determined (treated as failing)

Every obligation cites the file and lines of its clause. Card and files that
disagree, and a license that differs from the base model's, are conflicts: the
stricter side wins. When in doubt, the answer is unknown, never permitted.

Examples:
  mri license ./Llama-3.1-8B-Instruct
  mri license ./my-finetune --base ./Llama-3.1-8B   inherit the base's terms
  mri license Qwen/Qwen3-4B --format json           the full Report as JSON

Exit codes:
  0  the decision was made (whatever the verdict; use `mri check` to gate)
  2  usage error, or the target is unusable";

/// mri — the model repository inspector.
///
/// Tells what is in an open-weights model (files, tensors, architecture,
/// memory, tokenizer, card) in milliseconds, reading only headers, and
/// whether it may be used commercially.
#[derive(Debug, Parser)]
#[command(name = "mri", version, after_help = INSPECT_HELP, args_conflicts_with_subcommands = true)]
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
    /// Report what is in a model: files, weights, architecture, memory, tokenizer, card, license.
    #[command(after_help = INSPECT_HELP)]
    Inspect(InspectArgs),
    /// May we use this model commercially? The verdict, the licenses found and every obligation, cited.
    #[command(after_help = LICENSE_HELP)]
    License(InspectArgs),
    /// Browse the license knowledge base.
    #[command(subcommand)]
    Licenses(LicensesCommand),
}

/// `mri licenses ...`.
#[derive(Debug, Subcommand)]
pub enum LicensesCommand {
    /// List every license of the knowledge base with its verdict.
    List {
        /// Output format.
        #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Show one license: verdict, obligations, notes (a knowledge-base id, Hub id, alias or SPDX id).
    Show {
        /// The license id, e.g. llama3.1, gemma, tongyi-qianwen, Apache-2.0.
        id: String,
    },
}

/// Arguments of `mri inspect` and `mri license`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Model directory, cache snapshot folder, or repo id in the Hugging Face cache.
    #[arg(value_name = "TARGET", long_help = TARGETS)]
    pub target: String,

    /// Revision for repo ids and cache folders: a ref (main) or a commit (full or 7+ characters).
    #[arg(long, value_name = "REV")]
    pub revision: Option<String>,

    /// A local copy of the base model (directory or cached repo id): a derivative inherits its license.
    #[arg(long, value_name = "PATH")]
    pub base: Option<String>,

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

/// Formats of `mri licenses list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// A table.
    Text,
    /// A JSON array.
    Json,
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
