//! What a run is asked to do: [`SmokeOptions`] with its [`DeviceChoice`]
//! and [`DtypeChoice`], the progress events a run reports
//! ([`SmokeEvent`], [`Stage`]), and how the choices resolve to a candle
//! device and dtype.

use super::error::SmokeError;
use super::lora;
use crate::Report;
use candle_core::{DType, Device};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

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
    /// The stored bf16/f16 where it runs fast (on CUDA; on the CPU for the
    /// families with mri's half-precision kernel: Llama), else f32.
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

/// Options of [`run`](super::run).
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
    /// `--stream`: the prompt pass reads one layer's weights at a time
    /// (Llama, bf16/f16, on the CPU; no generation). Without it, a run
    /// streams only when the full model does not fit in memory.
    pub stream: bool,
}

impl SmokeOptions {
    /// Reports a progress event, if these options ask for them.
    pub fn emit(&self, event: SmokeEvent) {
        if let Some(p) = &self.progress {
            p(event);
        }
    }
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
            stream: false,
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
            .field("stream", &self.stream)
            .finish_non_exhaustive()
    }
}

/// Opens the device asked for; CUDA only in a build with the `cuda` feature.
pub(crate) fn open_device(choice: DeviceChoice) -> Result<Device, SmokeError> {
    match choice {
        DeviceChoice::Cpu => Ok(Device::Cpu),
        #[cfg(feature = "cuda")]
        DeviceChoice::Cuda(n) => Device::new_cuda(n).map_err(|e| SmokeError::Device {
            device: choice.to_string(),
            message: super::error::candle_message(&e),
        }),
        #[cfg(not(feature = "cuda"))]
        DeviceChoice::Cuda(_) => Err(SmokeError::CudaNotBuilt),
    }
}

/// The dtype to load in, and why: the one asked for, or for `auto`
/// - on the CPU, the stored bf16/f16 where the family runs them through
///   mri's half-precision kernel (`half_on_cpu`: the weights used as they
///   lie, half the memory of f32, half the bytes read per token), else f32
///   (candle's CPU matmul widens bf16 weights on every call: converting
///   once is faster) — the run falls back to the stored dtype when f32
///   does not fit in memory (`safetensors.rs`, `check_fitting`);
/// - elsewhere, the most common stored float dtype (bf16, f16), else f32.
pub(crate) fn resolve_dtype(
    choice: DtypeChoice,
    device: &Device,
    report: &Report,
    half_on_cpu: bool,
) -> (DType, String) {
    let asked = |d: DType| (d, format!("{} as asked (--dtype)", dtype_name(d)));
    match (choice, stored_half(report)) {
        (DtypeChoice::F32, _) => asked(DType::F32),
        (DtypeChoice::Bf16, _) => asked(DType::BF16),
        (DtypeChoice::F16, _) => asked(DType::F16),
        (DtypeChoice::Auto, Some(d)) if !device.is_cpu() => {
            (d, format!("auto: {} as stored", dtype_name(d)))
        }
        (DtypeChoice::Auto, Some(d)) if half_on_cpu => (
            d,
            format!(
                "auto: {} as stored (read without conversion, half the memory of f32; \
                 mri's {} kernel reads half the bytes of f32 per token)",
                dtype_name(d),
                dtype_name(d)
            ),
        ),
        (DtypeChoice::Auto, Some(d)) => (
            DType::F32,
            format!(
                "auto: f32, converted from {} once (candle's CPU matmul for this \
                 family widens {} weights on every call)",
                dtype_name(d),
                dtype_name(d)
            ),
        ),
        (DtypeChoice::Auto, None) => (
            DType::F32,
            "auto: f32 (the weights are stored in f32)".into(),
        ),
    }
}

/// bf16 or f16 when that is the stored dtype holding the most parameters.
pub(crate) fn stored_half(report: &Report) -> Option<DType> {
    let most = report
        .weights
        .by_dtype
        .iter()
        .max_by_key(|(_, n)| **n)
        .map(|(d, _)| d.as_str());
    match most {
        Some("BF16") => Some(DType::BF16),
        Some("F16") => Some(DType::F16),
        _ => None,
    }
}

/// A dtype's name as the summary shows it.
pub(crate) fn dtype_name(d: DType) -> &'static str {
    match d {
        DType::F32 => "f32",
        DType::BF16 => "bf16",
        DType::F16 => "f16",
        DType::F64 => "f64",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_parse() {
        assert_eq!("cpu".parse(), Ok(DeviceChoice::Cpu));
        assert_eq!("cuda".parse(), Ok(DeviceChoice::Cuda(0)));
        assert_eq!("cuda:3".parse(), Ok(DeviceChoice::Cuda(3)));
        assert!("cuda:x".parse::<DeviceChoice>().is_err());
        assert_eq!(DeviceChoice::Cuda(1).to_string(), "cuda:1");
    }
}
