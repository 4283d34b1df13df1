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
//! 6. the weights are read into place (`reader.rs`: no memory map, no
//!    second copy) and the model built (bf16/f16 Llama on the CPU through
//!    `llama_half.rs`), one forward pass runs, and optionally a greedy
//!    continuation. Constant or near-uniform
//!    logits (`sample::degenerate`), or NaN in a later step's, fail the run.
//!
//! Every failure is a [`SmokeError`] (exit 2 in the binary); a panic inside
//! candle is contained and becomes one too.
//!
//! The modules, by job: `options.rs` (what a run is asked to do, its
//! progress events), `error.rs` ([`SmokeError`], contained panics),
//! `preflight.rs` (the checks before loading), `dry_run.rs` (the model
//! built against the headers), `safetensors.rs` (the run of a safetensors
//! checkpoint), `generate.rs` (the forward pass's output and the greedy
//! continuation), `gguf*.rs` (the run of a GGUF file), and one file per
//! model family.

mod backend;
mod bert;
mod bounds;
mod dry_run;
mod error;
pub mod files;
mod gemma;
mod gemma_quant;
mod generate;
mod gguf;
mod gguf_family;
mod gguf_finite;
mod gguf_header;
mod gguf_meta;
mod gguf_scan;
pub mod gguf_tokenizer;
mod half_kernel;
mod half_linear;
mod kv_cache;
mod llama;
mod llama_half;
mod llama_moe;
mod llama_quant;
mod llama_stream;
pub mod lora;
pub mod memory;
mod mistral;
mod model;
mod options;
mod phi3;
mod preflight;
mod quant_kernel;
mod quant_linear;
mod qwen;
mod reader;
pub mod report;
mod safetensors;
mod sample;
mod scan;
pub mod target;
#[cfg(test)]
mod test_values;
mod tokenize;

pub use error::SmokeError;
pub use gguf::candle_reads_ggml_type;
pub use model::Family;
pub use options::{
    DeviceChoice, DtypeChoice, Progress, SmokeEvent, SmokeOptions, Stage, DEFAULT_PROMPT,
};
pub use report::{MemoryCheck, SmokeRun, SmokeSummary, TopToken};
pub use target::{run_target, TargetError, TargetRun};

use crate::Report;

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
    safetensors::run(report, options)
}
