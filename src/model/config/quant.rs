//! The quantization a checkpoint states: `quantization_config` (and its
//! KV cache), MLX's `quantization`, and ModelOpt's `hf_quant_config.json`.

use crate::util::json::as_u64;
use serde::Serialize;
use serde_json::Value;

/// `quantization_config`, summarised.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuantizationConfig {
    /// `quant_method` (`gptq`, `awq`, `fp8`, `compressed-tensors`, `bitsandbytes`, `mxfp4`, ...).
    pub method: String,
    /// Bits per weight, when stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bits: Option<u64>,
    /// An average bits per weight that is not whole, as ExLlamaV2 states
    /// its target bitrate (`"bits": 4.65`); omitted otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bits_per_weight: Option<f64>,
    /// Group size, when stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_size: Option<i64>,
    /// Storage format (`pack-quantized`, `gemm`, ...), when stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// The algorithm, for methods that name one (`quant_algo` of NVIDIA
    /// modelopt: `NVFP4`, `FP8`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub algorithm: Option<String>,
    /// Modules left unquantized (`modules_to_not_convert` / `ignore` /
    /// `exclude_modules`).
    pub not_converted: Vec<String>,
    /// The KV cache's quantization, when the checkpoint states one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kv_cache: Option<KvCacheQuantization>,
}

/// How a checkpoint says its KV cache is to be quantized: ModelOpt's
/// `kv_cache_quant_algo` (`FP8`), or compressed-tensors' `kv_cache_scheme`
/// (`{"type": "float", "num_bits": 8, ...}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KvCacheQuantization {
    /// The scheme as stated: modelopt's algorithm (`FP8`, `NVFP4`), or
    /// compressed-tensors' type and bits (`float8`, `int8`).
    pub scheme: String,
    /// Bits per cached element, when the scheme says (`FP8` → 8).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bits: Option<u64>,
}

/// The KV-cache quantization of a `quantization_config` (or of the
/// `quantization` object of `hf_quant_config.json`), when it states one.
fn read_kv_cache_quantization(obj: &serde_json::Map<String, Value>) -> Option<KvCacheQuantization> {
    if let Some(algo) = obj.get("kv_cache_quant_algo").and_then(Value::as_str) {
        let upper = algo.to_ascii_uppercase();
        let bits = if upper.contains("FP8") || upper.contains("INT8") {
            Some(8)
        } else if upper.contains("FP4") || upper.contains("INT4") {
            Some(4)
        } else {
            None
        };
        return Some(KvCacheQuantization {
            scheme: algo.to_string(),
            bits,
        });
    }
    let scheme = obj.get("kv_cache_scheme")?.as_object()?;
    let bits = scheme.get("num_bits").and_then(as_u64);
    let kind = scheme.get("type").and_then(Value::as_str).unwrap_or("int");
    Some(KvCacheQuantization {
        scheme: match bits {
            Some(b) => format!("{kind}{b}"),
            None => kind.to_string(),
        },
        bits,
    })
}

/// The quantization an NVIDIA ModelOpt `hf_quant_config.json` states
/// (`{"producer": {"name": "modelopt"}, "quantization": {"quant_algo":
/// "NVFP4", "group_size": 16, "exclude_modules": [...]}}`), read as a
/// `quantization_config` of method `modelopt`. `None` when it names no
/// algorithm.
pub fn read_hf_quant_config(doc: &Value) -> Option<QuantizationConfig> {
    let q = doc
        .get("quantization")
        .filter(|q| q.is_object())
        .unwrap_or(doc)
        .as_object()?;
    q.get("quant_algo").and_then(Value::as_str)?;
    let mut q = q.clone();
    if !q.contains_key("quant_method") {
        q.insert("quant_method".into(), Value::String("modelopt".into()));
    }
    read_quantization(&Value::Object(q))
}

/// The quantization `mlx-lm` writes at config.json's top level
/// (`"quantization": {"group_size": 64, "bits": 4, "mode": "affine"}`, with
/// per-layer overrides beside), read as method `mlx`; its copy in
/// `quantization_config` names no method.
pub(super) fn read_mlx_quantization(q: &Value) -> Option<QuantizationConfig> {
    let obj = q.as_object()?;
    let bits = obj.get("bits").and_then(as_u64)?;
    Some(QuantizationConfig {
        method: "mlx".to_string(),
        bits: Some(bits),
        bits_per_weight: None,
        group_size: obj.get("group_size").and_then(Value::as_i64),
        format: obj.get("mode").and_then(Value::as_str).map(str::to_string),
        algorithm: None,
        not_converted: Vec::new(),
        kv_cache: None,
    })
}

/// HQQ's weight parameters (`quant_config.weight_quant_params`).
fn hqq_weight_params(obj: &serde_json::Map<String, Value>) -> Option<&Value> {
    obj.get("quant_config")?.get("weight_quant_params")
}

/// The weight bits of schemes that do not write a `bits` key: HQQ's
/// `nbits`, quanto's and EETQ's `weights` (`int8`, `int4`, `int2`,
/// `float8`), torchao's `quant_type` string, AQLM's codebook bits per
/// weight, and the FP8 and MXFP4 methods, whose names say it.
fn bits_by_method(method: &str, obj: &serde_json::Map<String, Value>) -> Option<u64> {
    let named = |text: &str| {
        let text = text.to_ascii_lowercase();
        [
            ("int8", 8),
            ("int4", 4),
            ("int2", 2),
            ("float8", 8),
            ("fp8", 8),
        ]
        .into_iter()
        .find(|(name, _)| text.contains(name))
        .map(|(_, bits)| bits)
    };
    match method {
        "hqq" => hqq_weight_params(obj)?.get("nbits").and_then(as_u64),
        "quanto" | "eetq" => named(obj.get("weights")?.as_str()?),
        "torchao" => named(obj.get("quant_type")?.as_str()?),
        "aqlm" => {
            let per_codebook = obj.get("nbits_per_codebook").and_then(as_u64)?;
            let codebooks = obj.get("num_codebooks").and_then(as_u64)?;
            let group = obj.get("in_group_size").and_then(as_u64)?;
            let total = per_codebook.checked_mul(codebooks)?;
            (group > 0 && total % group == 0).then(|| total / group)
        }
        "fp8" | "fbgemm_fp8" | "finegrained_fp8" => Some(8),
        "mxfp4" => Some(4),
        _ => None,
    }
}

/// Reads a `quantization_config`: its method (inferred for bitsandbytes'
/// `load_in_4bit`/`load_in_8bit`), bits, group size, format, algorithm,
/// the modules left unconverted and the KV cache's quantization.
pub(super) fn read_quantization(q: &Value) -> Option<QuantizationConfig> {
    let obj = q.as_object()?;
    let method = obj
        .get("quant_method")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| {
            if obj.get("load_in_4bit").and_then(Value::as_bool) == Some(true)
                || obj.get("load_in_8bit").and_then(Value::as_bool) == Some(true)
            {
                Some("bitsandbytes".to_string())
            } else {
                None
            }
        })?;
    let mut bits = obj.get("bits").and_then(as_u64);
    let bits_per_weight = obj
        .get("bits")
        .and_then(Value::as_f64)
        .filter(|b| b.is_finite() && *b > 0.0 && b.fract() != 0.0 && *b <= 64.0);
    if method == "bitsandbytes" {
        if obj.get("load_in_4bit").and_then(Value::as_bool) == Some(true) {
            bits = Some(4);
        } else if obj.get("load_in_8bit").and_then(Value::as_bool) == Some(true) {
            bits = Some(8);
        }
    }
    // compressed-tensors: config_groups.<group>.weights.num_bits
    if bits.is_none() {
        if let Some(groups) = obj.get("config_groups").and_then(Value::as_object) {
            bits = groups.values().find_map(|g| {
                g.get("weights")
                    .and_then(|w| w.get("num_bits"))
                    .and_then(as_u64)
            });
        }
    }
    let bits = bits.or_else(|| bits_by_method(&method, obj));
    let group_size = obj
        .get("group_size")
        .and_then(Value::as_i64)
        .or_else(|| obj.get("q_group_size").and_then(Value::as_i64))
        .or_else(|| hqq_weight_params(obj)?.get("group_size")?.as_i64());
    let format = obj
        .get("format")
        .or_else(|| obj.get("version"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let algorithm = obj
        .get("quant_algo")
        .and_then(Value::as_str)
        .map(str::to_string);
    let not_converted = [
        "modules_to_not_convert",
        "ignore",
        "llm_int8_skip_modules",
        "exclude_modules",
    ]
    .iter()
    .filter_map(|k| obj.get(*k).and_then(Value::as_array))
    .flatten()
    .filter_map(|v| v.as_str().map(str::to_string))
    .collect();
    Some(QuantizationConfig {
        method,
        bits,
        bits_per_weight,
        group_size,
        format,
        algorithm,
        not_converted,
        kv_cache: read_kv_cache_quantization(obj),
    })
}
