//! The command line: commands and options, nothing else.

use clap::{Args, FromArgMatches, Parser, Subcommand, ValueEnum};
use std::ffi::OsString;

const TARGETS: &str = "\
TARGET is a model directory, a snapshot folder of the Hugging Face cache, a
repo id such as Qwen/Qwen3-4B found in the cache (HF_HUB_CACHE, else
HF_HOME/hub, else ~/.cache/huggingface/hub), a GGUF file (one part of a split
set stands for the set), a safetensors file (that file alone),
ollama://[NAMESPACE/]NAME[:TAG] in the local Ollama store (OLLAMA_MODELS, else
~/.ollama/models), or hf://ORG/NAME[@REVISION] on the Hub (small files into
the cache, safetensors headers by Range requests).";

const INSPECT_HELP: &str = "\
TARGET is a model directory, a snapshot folder of the Hugging Face cache, a
repo id such as Qwen/Qwen3-4B found in the cache (HF_HUB_CACHE, else
HF_HOME/hub, else ~/.cache/huggingface/hub), a GGUF file (one part of a split
set stands for the set), a safetensors file (that file alone),
ollama://[NAMESPACE/]NAME[:TAG] in the local Ollama store (OLLAMA_MODELS, else
~/.ollama/models), or hf://ORG/NAME[@REVISION] on the Hub: its small files go
into the cache and each safetensors header is read with HTTP Range requests,
never the weights (HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE are honoured).

Examples:
  mri                                      on a terminal: every model in the cache and the
                                           Ollama store, to browse; piped: printed as `mri ls`
  mri ./Qwen3-4B                           browse it in the terminal (text report when piped)
  mri inspect ./Qwen3-4B                   what is in a downloaded model
  mri inspect Qwen/Qwen3-4B --format json  the same from the cache, as JSON
  mri inspect meta-llama/Llama-3.1-8B --revision 0e9e39f
  mri inspect ./SmolLM2-135M-Instruct.Q4_K_M.gguf  a GGUF file: tensors by ggml type
  mri inspect ./sd_xl_base_1.0.safetensors  one safetensors file: its tensors, validated
  mri inspect ollama://llama3.2:1b         a model pulled with `ollama pull`
  mri inspect hf://Qwen/Qwen3-4B           audit it on the Hub without downloading the weights
  mri inspect Qwen/Qwen3-4B --format cyclonedx --hash > bom.json
                                           an AI bill of materials (CycloneDX 1.6; spdx: SPDX 3.0.1)

Exit codes:
  0  the report was made (findings, even errors, are in the report: a file
     named *.gguf that is not GGUF is the finding gguf/invalid)
  2  usage error, or the target is unusable (no such path or repo, not a model,
     a file neither named nor shaped as GGUF or safetensors)";

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

    /// Shorthand: `mri TARGET` opens the browser on a terminal (as `mri tui`)
    /// and prints the text report otherwise; with `--format` it is `mri inspect`.
    #[command(flatten)]
    pub inspect: Option<InspectArgs>,
}

/// Parses `mri inspect ...` with only that command built. Clap builds
/// the arguments of every command before it parses (about 0.4 ms, a twenty-
/// fifth of `mri inspect` on a 191-shard checkpoint: BENCHMARKS.md); this
/// builds six. `None` for any other command line and for one this parse
/// refuses (`--help`, a mistake): [`Cli::parse`] then answers it as always,
/// with the program's own usage, help and errors.
pub fn parse_inspect_quickly(args: &[OsString]) -> Option<InspectArgs> {
    if args.get(1)? != "inspect" {
        return None;
    }
    let command = InspectArgs::augment_args(clap::Command::new("inspect"));
    let matches = command.try_get_matches_from(&args[1..]).ok()?;
    InspectArgs::from_arg_matches(&matches).ok()
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
    #[command(subcommand, after_help = LICENSES_HELP)]
    Licenses(LicensesCommand),
    /// Gate one or many models against a policy file (for CI): exit 0 pass, 1 violation, 2 error.
    #[command(after_help = CHECK_HELP)]
    Check(CheckArgs),
    /// Policy files for `mri check`: write a starter one, check one.
    #[command(subcommand, after_help = POLICY_HELP)]
    Policy(PolicyCommand),
    /// Hold what a review approved: each model's files (sha256), verdict, licenses and obligations in a lock file.
    #[command(after_help = LOCK_HELP)]
    Lock(LockArgs),
    /// Compare two models, or two revisions of one: licenses, card, config, tokenizer, template, files, tensors.
    #[command(after_help = DIFF_HELP)]
    Diff(DiffArgs),
    /// Hash every weight and LFS file and compare with every reference found offline: exit 1 on a mismatch.
    #[command(after_help = VERIFY_HELP)]
    Verify(VerifyArgs),
    /// Sign a model folder: a model-signing (OpenSSF) bundle over every file's sha256, with an ECDSA key.
    #[command(after_help = SIGN_HELP)]
    Sign(SignArgs),
    /// Load the weights with candle and run one forward pass (no Python).
    #[command(after_help = SMOKE_AFTER_HELP)]
    Smoke(SmokeArgs),
    /// Download a Hub repository into the Hugging Face cache (resumable, with a progress bar).
    #[command(after_help = DOWNLOAD_HELP)]
    Download(DownloadArgs),
    /// List every model on this machine: the Hugging Face cache, the Ollama store, or PATHS.
    #[command(after_help = LS_HELP)]
    Ls(LsArgs),
    /// Browse a model in the terminal: overview, files, tensors, findings, license, smoke (and adapter).
    ///
    /// When stdout is not a terminal, prints the text report instead.
    #[command(after_help = TUI_HELP)]
    Tui(TuiArgs),
}

const TUI_HELP: &str = "\
Views (Tab, Shift-Tab, or their number):
  1 Overview   name, architecture, license verdict, parameters, memory, KV cache, findings
  2 Files      every file by class; Enter opens a text file or a shard's tensors
  3 Tensors    every tensor; s sort, r reverse, / filter (substring or glob), L fold layers
  4 Findings   most severe first; Enter jumps to the file and line, shard or tensor
  5 License    verdict, licenses, obligations; Enter opens the cited clause
  6 Smoke      r runs one forward pass on the CPU in the background
  7 Adapter    only for a PEFT adapter: the LoRA pairs

Keys: q or Ctrl-c quit, ? every key, j/k or arrows move, g/G first/last,
PgUp/PgDn or Ctrl-b/Ctrl-f a page, Enter open, Esc back, / search, n/N next
and previous match.

Examples:
  mri ./Qwen3-4B                           the same as `mri tui ./Qwen3-4B` on a terminal
  mri tui ./my-lora --base ./Llama-3.1-8B  an adapter checked against its base
  mri tui Qwen/Qwen3-4B --locked mri.lock  with a \"changed since lock\" badge on drift

Exit codes:
  0  the browser was closed (or, off a terminal, the text report was printed)
  2  usage error, or the target is unusable";

const LS_HELP: &str = "\
Without PATH, lists each revision of each repo in the Hugging Face cache
(--cache DIR, else HF_HUB_CACHE, else HF_HOME/hub, else
~/.cache/huggingface/hub) and each model of the Ollama store (OLLAMA_MODELS,
else ~/.ollama/models). With PATHs, lists each model folder, GGUF file or
split set, and cache repo folder found under them (a found model is not
searched further; links to folders and hidden folders are not entered).
Each model is inspected reading headers only, -j at once; one that cannot be
inspected is a row with its error.

TARGET is the string every other mri command takes for the model (a cache
snapshot folder, a path, ollama://NAME:TAG). SIZE counts each file once per
model; the total counts a file shared by several models (cache revisions,
Ollama tags) once.

Keys for --filter and --sort: target, name, kind, architecture (arch),
parameters (params), quantization (quant), size, license, verdict, errors,
warnings, modified, error. A filter is KEY=VALUE (globs, case-insensitive,
comma-separated alternatives), KEY!=VALUE, or KEY>N, KEY>=N, KEY<N, KEY<=N
for numbers (7B, 500M, 4GB, 4GiB). --sort KEY, or -KEY for descending
(verdict sorts strictest first).

--shard K/N keeps the targets whose stable hash (FNV-1a 64 of the target
string) falls in share K of N: N jobs together list every model exactly once.

Examples:
  mri ls                                          the cache and the Ollama store
  mri ls ~/models /data/llm --sort -size
  mri ls --filter verdict=non-commercial,research-only
  mri ls --filter 'params>=7B' --filter kind=gguf --format csv > models.csv
  mri ls --shard 3/8 --format jsonl               one job of eight

Exit codes:
  0  the listing was made (unusable models are rows with their error)
  2  usage error, or a PATH that does not exist";

/// Where `mri ls` and `mri check --all` look, and which share they take.
#[derive(Debug, Clone, Args)]
pub struct FleetArgs {
    /// The Hugging Face cache (hub folder holding models--*) to list instead of the environment's.
    #[arg(long, value_name = "DIR")]
    pub cache: Option<std::path::PathBuf>,

    /// Only share K of N of the targets (a stable hash of each target string): N jobs cover every model exactly once.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<mri::fleet::Shard>,
}

/// Arguments of `mri ls`.
#[derive(Debug, Args)]
pub struct LsArgs {
    /// Folders or files to search (default: the Hugging Face cache and the Ollama store).
    #[arg(value_name = "PATH")]
    pub paths: Vec<std::path::PathBuf>,

    /// Where to look, and which share.
    #[command(flatten)]
    pub fleet: FleetArgs,

    /// Sort by KEY (-KEY: descending); default: name.
    #[arg(long, value_name = "[-]KEY", allow_hyphen_values = true)]
    pub sort: Option<mri::fleet::Sort>,

    /// Keep only rows matching KEY=VALUE, KEY!=VALUE, KEY>N, KEY<N (repeatable: all must match).
    #[arg(long, value_name = "KEY=VALUE")]
    pub filter: Vec<mri::fleet::Filter>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = LsFormat::Text)]
    pub format: LsFormat,

    /// Models inspected at once (default: one per core).
    #[arg(long, short = 'j', value_name = "N", default_value_t = 0)]
    pub jobs: usize,

    /// No progress bar (it is also off when stderr is not a terminal).
    #[arg(long, short = 'q')]
    pub quiet: bool,

    /// When to colour text output (NO_COLOR is honoured by `auto`).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// Output formats of `mri ls`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LsFormat {
    /// An aligned table and a total line.
    Text,
    /// One JSON object: the rows and the total size.
    Json,
    /// One JSON object per model and line (shards' outputs concatenate).
    Jsonl,
    /// CSV with a header line.
    Csv,
    /// A Markdown table.
    Markdown,
}

/// Arguments of `mri tui`.
#[derive(Debug, Args)]
pub struct TuiArgs {
    /// The model, and its revision.
    #[command(flatten)]
    pub target: TargetArgs,

    /// Render off-screen at WIDTHxHEIGHT, print the last frame and timings, and exit
    /// (benchmarks and tests).
    #[arg(long, value_name = "WxH", hide = true)]
    pub headless: Option<String>,

    /// With --headless: keys to press after the first frame, space-separated
    /// names as in the help (`3 j j Enter`, `PgDn`, `Ctrl-c`).
    #[arg(long, value_name = "KEYS", hide = true, requires = "headless")]
    pub keys: Option<String>,

    /// A local copy of the base model (directory or cached repo id): a derivative inherits its license.
    #[arg(long, value_name = "PATH")]
    pub base: Option<String>,

    /// For hf:// targets: also fetch tokenizer.json and the vocabulary files.
    #[arg(long)]
    pub tokenizer: bool,

    /// A lock file (`mri lock`) to compare with; default: mri.lock beside the model's folder,
    /// else ./mri.lock. A model that drifted shows "changed since lock".
    #[arg(long, value_name = "LOCKFILE")]
    pub locked: Option<std::path::PathBuf>,
}

const DOWNLOAD_HELP: &str = "\
Lists the repository through the Hub API and downloads every file (or those
the --include globs match) into the Hugging Face cache, in its own layout
(blobs/, snapshots/<commit>/, refs/), where `mri inspect ORG/NAME`, mri smoke,
mri verify and the Hugging Face tools find them. Files already complete are
not fetched again; an interrupted file is resumed from its .incomplete part.
Each file is checked against the sha256 (LFS) or git blob id the Hub lists.

Environment:
  HF_ENDPOINT              the Hub (default https://huggingface.co)
  HF_TOKEN                 access token (else HF_HOME/token); gated repos need one
  HF_HUB_CACHE, HF_HOME    where the cache is
  HF_HUB_DOWNLOAD_TIMEOUT  seconds a download may stall before a retry (default 30)
  HTTPS_PROXY, NO_PROXY    proxies

Examples:
  mri download hf://Qwen/Qwen3-0.6B
  mri download hf://meta-llama/Llama-3.1-8B --include '*.json' --include 'model-*.safetensors'

Exit codes:
  0  every selected file is in the cache
  2  usage error, or the repository or a file could not be fetched";

/// Arguments of `mri download`.
#[derive(Debug, Args)]
pub struct DownloadArgs {
    /// The repository: hf://ORG/NAME[@REVISION].
    #[arg(value_name = "hf://ORG/NAME")]
    pub target: String,

    /// Revision: a branch, tag or commit (default: main, or what follows @).
    #[arg(long, value_name = "REV")]
    pub revision: Option<String>,

    /// Only files matching this glob (repeatable), e.g. '*.json'.
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,

    /// No progress bar (it is also off when stderr is not a terminal).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

const VERIFY_HELP: &str = "\
Every weight file (safetensors, pickle, GGUF, ONNX) and every file with a
reference is read once, streaming, files in parallel, and its sha256 (and the
git blob sha1 where a reference is one) compared with:
  - the Hugging Face cache's blob names (sha256 for LFS files, git sha1 otherwise),
  - the LFS pointer files of a clone made without LFS (--pointers DIR),
  - a sha256sum-format manifest (--manifest FILE; paths relative to the model),
  - `hf download --local-dir` metadata (.cache/huggingface/download/*.metadata).
A missing blob or a broken cache link is integrity/blob-missing; a difference
is integrity/hash-mismatch naming the file, the expected and the actual hash.
A weight file without any reference is integrity/unreferenced; one the shard
index or the Hub's listing (kept by `mri inspect hf://`) names but that is not
on disk is integrity/absent; a symbolic link that leaves the repository, loops
or dangles is refused and named. The security checks of `mri inspect`
(pickle imports, remote code, chat templates) run too.

Exit codes:
  0  every weight file was checked against a reference and matched (with
     --allow-unreferenced, weight files without a reference are listed but
     pass), no link was refused and no security check failed
  1  a mismatch, an unreferenced, absent or missing weight file, a refused
     link, or an error finding
  2  usage error, or the target is unusable";

/// Arguments of `mri verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The model, and its revision.
    #[command(flatten)]
    pub target: TargetArgs,

    /// Files hashed at once (default: one per core).
    #[arg(long, short = 'j', value_name = "N", default_value_t = 0)]
    pub jobs: usize,

    /// A sha256sum-format manifest (`HASH  PATH` lines).
    #[arg(long, value_name = "FILE")]
    pub manifest: Option<std::path::PathBuf>,

    /// A clone of the repository made without LFS: its pointer files give the expected sha256.
    #[arg(long, value_name = "DIR")]
    pub pointers: Option<std::path::PathBuf>,

    /// Weight files without any reference hash are listed as unreferenced
    /// but do not fail the run.
    #[arg(long)]
    pub allow_unreferenced: bool,

    /// Check a model signature (an OpenSSF model-signing bundle, `model.sig`)
    /// instead of the references: its signature, then every file it lists
    /// against the disk, and the files it does not list.
    #[arg(long, value_name = "FILE")]
    pub signature: Option<std::path::PathBuf>,

    /// With --signature: the signer's public key (PEM, ECDSA P-256 or P-384).
    #[arg(
        long,
        value_name = "FILE",
        requires = "signature",
        conflicts_with = "certificate_chain"
    )]
    pub key: Option<std::path::PathBuf>,

    /// With --signature: the certificates (PEM) trusted to issue the signing certificate.
    #[arg(long, value_name = "FILE", requires = "signature")]
    pub certificate_chain: Option<std::path::PathBuf>,

    /// With --certificate-chain or --trust-root: the SAN email or URI the signing certificate must carry.
    #[arg(long, value_name = "EMAIL_OR_URI")]
    pub identity: Option<String>,

    /// With --certificate-chain or --trust-root: the OIDC issuer the signing certificate must name (Fulcio extension).
    #[arg(long, value_name = "URL")]
    pub issuer: Option<String>,

    /// With --signature: a Sigstore trusted root (JSON) for keyless bundles: the Fulcio chain,
    /// the identity and issuer (both required), the Rekor entry, its SET and inclusion proof, offline.
    #[arg(long, value_name = "FILE", requires = "signature", conflicts_with_all = ["key", "certificate_chain"])]
    pub trust_root: Option<std::path::PathBuf>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = VerifyFormat::Text)]
    pub format: VerifyFormat,

    /// No progress bar (it is also off when stderr is not a terminal).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Formats of `mri verify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VerifyFormat {
    /// One line per file and a summary line.
    Text,
    /// One JSON object: the target, every file with its hashes and outcome, the counts.
    Json,
}

const SIGN_HELP: &str = "\
Every file of the folder is hashed (sha256, in parallel, links followed only
inside the folder or its cache repository); git's files (.git, .gitattributes,
.github, .gitignore) and the signature itself are left out. The statement
(in-toto, predicate https://model_signing/signature/v1.0) is signed over DSSE
and written as a Sigstore bundle v0.3, as `model_signing sign key` (or
`sign certificate`, with --certificate) writes it.

Examples:
  mri sign ./model --key signer.key                  writes ./model/model.sig
  mri sign ./model --key leaf.key --certificate leaf.pem --certificate-chain chain.pem
  mri verify ./model --signature ./model/model.sig --key signer.pub

Exit codes:
  0  the bundle was written
  2  usage error, an unusable key or certificate, or a folder that cannot be
     signed as it is (a link leaving it, a special file, an unreadable file)";

/// Arguments of `mri sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// The model, and its revision.
    #[command(flatten)]
    pub target: TargetArgs,

    /// The private key (PEM: PKCS#8 or SEC1, ECDSA P-256 or P-384; not encrypted).
    #[arg(long, value_name = "FILE")]
    pub key: std::path::PathBuf,

    /// The signing certificate of that key (PEM): the bundle carries it instead of a key hint.
    #[arg(long, value_name = "FILE")]
    pub certificate: Option<std::path::PathBuf>,

    /// Further certificates (PEM) to carry after the signing certificate.
    #[arg(long, value_name = "FILE", requires = "certificate")]
    pub certificate_chain: Option<std::path::PathBuf>,

    /// Where to write the bundle (default: TARGET/model.sig).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,

    /// Files hashed at once (default: one per core).
    #[arg(long, short = 'j', value_name = "N", default_value_t = 0)]
    pub jobs: usize,

    /// No progress bar (it is also off when stderr is not a terminal).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

const CHECK_HELP: &str = "\
Each TARGET is inspected and judged against the policy: the license verdict
(allow-verdicts, allow, deny), the obligations the organisation accepts, the
confidence of license detection, pinned files ([[licenses.clarify]]: the
license decision reads a pinned file as the license named, every other source
still counts; `mri license TARGET --policy FILE` shows that decision), whether
a verdict read from the clauses of an unknown text may pass (accept-derived,
false by default), and the findings denied (deny) or let through (allow) by code
or severity. [[exceptions]] let one model through with a reason that is printed. [data] judges the training sets a model declares
(allow-verdicts, deny dataset ids, [[data.exceptions]] with a reason); without
it training data is reported, never judged. Without --policy, ./mri.toml is used when
present, else a built-in default (commercial use allowed with any obligation,
confidence 0.8, error findings fail).
`mri policy init` writes a commented starter policy.

With --all, the models are those `mri ls` finds (the TARGETs, if any, are the
folders to search; see `mri ls --help`), and --shard K/N takes a stable share.

Examples:
  mri check ./models/* --policy mri.toml
  mri check --all --policy mri.toml              every model in the cache and the Ollama store
  mri check --all /data/llm --shard 2/8 --format jsonl
  mri check Qwen/Qwen3-4B --format sarif --output mri.sarif
  mri check ./model --format junit --output mri-junit.xml
  mri check ./models/* --locked mri.lock   also fail on drift from `mri lock`

Exit codes:
  0  every model passes the policy
  1  a model violates the policy (or, with --locked, differs from the lock
     file: drift/license, drift/verdict, drift/weights, drift/config,
     drift/files, drift/revision, drift/unlocked, drift/unchecked)
  2  usage error, a policy file with mistakes (each reported at its line and
     column), or a target that is unusable";

/// Arguments of `mri check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Models to gate: directories, cache snapshot folders, repo ids in the Hugging Face cache,
    /// or hf://ORG/NAME (fetched concurrently, MRI_HUB_CONNECTIONS requests at once).
    #[arg(value_name = "TARGET", required_unless_present = "all")]
    pub targets: Vec<String>,

    /// Gate every model `mri ls` would list; TARGETs are then the folders to search.
    #[arg(long)]
    pub all: bool,

    /// Where --all looks, and which share of the targets to gate.
    #[command(flatten)]
    pub fleet: FleetArgs,

    /// The policy file (default: ./mri.toml when present, else the built-in default).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<std::path::PathBuf>,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = CheckFormat::Text)]
    pub format: CheckFormat,

    /// Write the output to FILE instead of stdout (a one-line summary still goes to stderr).
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,

    /// When to colour text output (NO_COLOR is honoured by `auto`).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// With --format cyclonedx|spdx: SHA-256 every local file whose hash is not already known.
    #[arg(long)]
    pub hash: bool,

    /// With --format cyclonedx|spdx: write the creation time.
    #[arg(long)]
    pub timestamp: bool,
    /// Also fail (drift/*) where a model differs from what the lock file (`mri lock`) holds.
    #[arg(long, value_name = "LOCKFILE")]
    pub locked: Option<std::path::PathBuf>,
}

const LOCK_HELP: &str = "\
Records, for each TARGET, what a review approved: the target as given, repo id
and commit (cache snapshots, hf://), every file's path, kind, size and sha256,
the verdict, the licenses found and the obligations, mri's version and the
knowledge base's fingerprint. License texts, the card's front matter and
license section, and config.json, generation_config.json, tokenizer_config.json,
special_tokens_map.json and chat templates (up to 64 KiB) are kept as text, so
that `mri check --locked` shows what changed line by line. The file is TOML,
sorted, one file per line: review its diff like any other.

Weights are hashed in parallel, as `mri verify` hashes them. A cache blob named
by its sha256 (an LFS file of the Hugging Face cache) is not read: its name is
its hash (`--rehash` reads it anyway; `mri verify` checks names against
contents). `mri check --locked` also skips a small cache blob whose git-sha1
name and size are as locked.

Examples:
  mri lock ./models/* Qwen/Qwen3-4B             write mri.lock
  mri check ./models/* Qwen/Qwen3-4B --locked mri.lock
  mri lock --update                              re-lock every model, printing what changed
  mri lock --update Qwen/Qwen3-4B               re-lock one model after a review

Exit codes:
  0  the lock file was written
  2  usage error, an unusable target or unreadable file, the lock file exists
     (without --update), or a lock file that does not read (named at its line)";

/// Arguments of `mri lock`.
#[derive(Debug, Args)]
pub struct LockArgs {
    /// Models to lock (with --update and none given: every model of the lock file).
    #[arg(value_name = "TARGET", required_unless_present = "update")]
    pub targets: Vec<String>,

    /// The lock file.
    #[arg(long, short = 'o', value_name = "FILE", default_value = "mri.lock")]
    pub output: std::path::PathBuf,

    /// Rewrite the entries of an existing lock file, printing what changed.
    #[arg(long)]
    pub update: bool,

    /// Hash every file, even a cache blob named by its sha256.
    #[arg(long)]
    pub rehash: bool,

    /// The policy file whose [[licenses.clarify]] entries the decision takes, as `mri check` does
    /// (default: ./mri.toml when present).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<std::path::PathBuf>,

    /// Files hashed at once (default: one per core).
    #[arg(long, short = 'j', value_name = "N", default_value_t = 0)]
    pub jobs: usize,

    /// No progress bar (it is also off when stderr is not a terminal).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

const DIFF_HELP: &str = "\
A and B are any two targets (directories, cache snapshots, repo ids with
@REVISION such as Qwen/Qwen3-4B@abc1234 and Qwen/Qwen3-4B@main, GGUF files).
Compared: license texts (a unified diff of the changed lines, and the verdict
and obligations before and after), the card's front matter, config values,
tokenizer and special tokens, the chat template, files added, removed or
changed (by sha256: cache blobs named by it are not read), tensors added,
removed, reshaped or re-typed, and the parameter count.

Examples:
  mri diff ./Qwen3-4B-old ./Qwen3-4B
  mri diff Qwen/Qwen3-4B@abc1234 Qwen/Qwen3-4B@main --format markdown
  mri diff a.Q4_K_M.gguf b.Q4_K_M.gguf --format json

Exit codes:
  0  identical in what matters (the fields above)
  1  they differ
  2  usage error, or a target is unusable";

/// Arguments of `mri diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The first model (TARGET[@REVISION]).
    #[arg(value_name = "A")]
    pub a: String,

    /// The second model (TARGET[@REVISION]).
    #[arg(value_name = "B")]
    pub b: String,

    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,

    /// When to colour text output (NO_COLOR is honoured by `auto`).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// No progress bar (it is also off when stderr is not a terminal).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// Output formats of `mri check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// PASS/FAIL per model with each violation.
    Text,
    /// The per-model Reports plus the gate outcome.
    Json,
    /// SARIF 2.1.0 for GitHub code scanning.
    Sarif,
    /// JUnit XML: a test suite per model, a test case per policy rule.
    Junit,
    /// CycloneDX 1.6 JSON: one AI bill of materials with every model checked.
    Cyclonedx,
    /// SPDX 3.0.1 JSON-LD: one document with every model checked.
    Spdx,
    /// One JSON object per model and line, without its Report (shards' outputs concatenate).
    Jsonl,
}

const POLICY_HELP: &str = "\
Examples:
  mri policy init                   write ./mri.toml (exit 2 if it exists)
  mri policy init -o ci/mri.toml --force
  mri policy check                  check ./mri.toml: every mistake at its line and column

Exit codes:
  0  written, or the policy is valid
  2  usage error, the file exists (init without --force), or the policy has mistakes (check)";

/// `mri policy ...`.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Write a commented starter policy file (exit 2 when FILE exists, unless --force).
    #[command(after_help = POLICY_HELP)]
    Init {
        /// Where to write it.
        #[arg(long, short = 'o', value_name = "FILE", default_value = "mri.toml")]
        output: std::path::PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Check a policy file and report every mistake at its line and column (exit 2).
    #[command(after_help = POLICY_HELP)]
    Check {
        /// The policy file.
        #[arg(value_name = "FILE", default_value = "mri.toml")]
        file: std::path::PathBuf,
    },
}

const LICENSES_HELP: &str = "\
Examples:
  mri licenses list                 every knowledge-base license with its verdict
  mri licenses list --format json   the same as a JSON array
  mri licenses show llama3.1        one license: verdict, obligations, notes
  mri licenses show odbl            a Hub id without an entry: its SPDX license's facts

Exit codes:
  0  listed or shown
  2  usage error, or an id that is neither in the knowledge base, a Hub id nor an SPDX id";

/// `mri licenses ...`.
#[derive(Debug, Subcommand)]
pub enum LicensesCommand {
    /// List every license of the knowledge base with its verdict.
    #[command(after_help = LICENSES_HELP)]
    List {
        /// Output format.
        #[arg(long, short = 'f', value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
    },
    /// Show one license: verdict, obligations, notes (a knowledge-base id, Hub id, alias or SPDX id).
    #[command(after_help = LICENSES_HELP)]
    Show {
        /// The license id, e.g. llama3.1, gemma, tongyi-qianwen, odbl, Apache-2.0.
        id: String,
    },
}

/// What names the model, the same for every command that takes one TARGET:
/// flattened into their arguments, so each command states it once.
#[derive(Debug, Clone, Args)]
pub struct TargetArgs {
    /// Model directory, cache snapshot folder, repo id in the Hugging Face cache, GGUF or safetensors file, or ollama://NAME[:TAG].
    #[arg(value_name = "TARGET", long_help = TARGETS)]
    pub name: String,

    /// Revision for repo ids and cache folders: a ref (main) or a commit (full or 7+ characters).
    #[arg(long, value_name = "REV")]
    pub revision: Option<String>,
}

impl TargetArgs {
    /// The inspection options this target asks for (its revision; the rest
    /// as the library's defaults).
    pub fn inspect_options(&self) -> mri::InspectOptions {
        mri::InspectOptions {
            revision: self.revision.clone(),
            ..Default::default()
        }
    }
}

/// Arguments of `mri inspect` and `mri license`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    // Not a flattened `TargetArgs`: clap does not see a nested group's
    // arguments when it decides whether `Option<InspectArgs>` (the `mri
    // TARGET` shorthand) is present. `InspectArgs::target_args` gives one.
    /// Model directory, cache snapshot folder, repo id in the Hugging Face cache, GGUF or safetensors file, or ollama://NAME[:TAG].
    #[arg(value_name = "TARGET", long_help = TARGETS)]
    pub target: String,

    /// Revision for repo ids and cache folders: a ref (main) or a commit (full or 7+ characters).
    #[arg(long, value_name = "REV")]
    pub revision: Option<String>,

    /// A local copy of the base model (directory or cached repo id): a derivative inherits its license.
    #[arg(long, value_name = "PATH")]
    pub base: Option<String>,

    /// For hf:// targets: also fetch tokenizer.json and the vocabulary files.
    #[arg(long)]
    pub tokenizer: bool,

    /// A policy file (mri.toml) whose [[licenses.clarify]] entries the license decision takes, exactly as `mri check --policy` does: a pinned file is read as the license the policy names, every other source keeps its effect.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<std::path::PathBuf>,

    /// Output format [default: text].
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<OutputFormat>,

    /// With --format cyclonedx|spdx: read and SHA-256 every local file whose hash the
    /// cache's blob names or the Hub's listing do not already give.
    #[arg(long)]
    pub hash: bool,

    /// With --format cyclonedx|spdx: write the creation time (the BOM is then no longer
    /// the same for the same model).
    #[arg(long)]
    pub timestamp: bool,

    /// When to colour text output (NO_COLOR is honoured by `auto`).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

impl InspectArgs {
    /// The target and revision, as the other commands take them.
    pub fn target_args(&self) -> TargetArgs {
        TargetArgs {
            name: self.target.clone(),
            revision: self.revision.clone(),
        }
    }
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
    /// CycloneDX 1.6 JSON: an AI bill of materials (ML-BOM).
    Cyclonedx,
    /// SPDX 3.0.1 JSON-LD with the AI and Dataset profiles.
    Spdx,
}

/// Formats of `mri diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// Aligned text for people.
    Text,
    /// The difference as JSON.
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
  mri smoke ./my-lora --base ./Llama-3.1-8B       merge a LoRA adapter (W + scale·B·A) and
                                                  compare the top tokens with the base's

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
    /// The model, and its revision.
    #[command(flatten)]
    pub target: TargetArgs,

    /// For an adapter TARGET: the base model to merge it into (directory or cached repo id;
    /// default: the adapter's base_model_name_or_path when it is in the cache).
    #[arg(long, value_name = "PATH")]
    pub base: Option<String>,

    /// Where to run: cpu, cuda or cuda:N (CUDA needs a build with `--features cuda`).
    #[arg(long, value_name = "DEVICE", default_value = "cpu")]
    pub device: String,

    /// The dtype to load the weights in (auto: the stored bf16/f16 on CUDA, and on the CPU for
    /// Llama-family models, which have mri's half-precision kernel; else f32).
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

    /// Run the prompt pass reading one layer's weights at a time (Llama-family bf16/f16 on the
    /// CPU), so that a model larger than the memory is still checked; no generation. Chosen
    /// automatically when the full model does not fit.
    #[arg(long)]
    pub stream: bool,

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

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<OsString> {
        words.iter().map(OsString::from).collect()
    }

    /// What the full parser makes of an `mri inspect` line.
    fn fully(words: &[&str]) -> Option<InspectArgs> {
        match Cli::try_parse_from(argv(words)).ok()?.command? {
            Command::Inspect(a) => Some(a),
            _ => None,
        }
    }

    #[test]
    fn the_quick_parse_reads_inspect_lines_as_the_full_parser_does() {
        let lines: &[&[&str]] = &[
            &["mri", "inspect", "./m"],
            &["mri", "inspect", "./m", "--format", "json"],
            &["mri", "inspect", "-f", "markdown", "Qwen/Qwen3-4B"],
            &["mri", "inspect", "--format=text", "./m", "--color", "never"],
            &[
                "mri",
                "inspect",
                "org/name",
                "--revision",
                "abc1234",
                "--base",
                "../base",
                "--tokenizer",
                "--color=always",
            ],
            &["mri", "inspect", "--", "--odd-name"],
        ];
        for line in lines {
            let quick = parse_inspect_quickly(&argv(line));
            let full = fully(line);
            assert!(full.is_some(), "{line:?}");
            assert_eq!(format!("{quick:?}"), format!("{full:?}"), "{line:?}");
        }
    }

    #[test]
    fn help_mistakes_and_other_commands_are_left_to_the_full_parser() {
        let lines: &[&[&str]] = &[
            &["mri", "inspect", "--help"],
            &["mri", "inspect", "-h"],
            &["mri", "inspect"],
            &["mri", "inspect", "./m", "--format", "xml"],
            &["mri", "inspect", "./m", "./n"],
            &["mri", "inspect", "./m", "--no-such-flag"],
            &["mri", "license", "./m"],
            &["mri", "./m", "--format", "json"],
            &["mri"],
        ];
        for line in lines {
            assert!(parse_inspect_quickly(&argv(line)).is_none(), "{line:?}");
        }
    }
}
