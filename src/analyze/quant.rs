//! Quantized checkpoints: which scheme stores the weights, and how many
//! logical parameters each stored tensor stands for (see `docs/report.md`).

use crate::model::config::QuantizationConfig;
use crate::scan::dtype::dtype_bits;
use crate::scan::safetensors::TensorInfo;
use serde::Serialize;
use std::collections::HashMap;

/// A storage scheme for quantized linear layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scheme {
    /// GPTQ: `qweight` packed along the input dimension.
    Gptq,
    /// AWQ: `qweight` packed along the output dimension.
    Awq,
    /// compressed-tensors `pack-quantized`: `weight_packed`.
    CompressedTensors,
    /// FP8 weights with scales.
    Fp8,
    /// bitsandbytes 4-bit (nf4/fp4): two weights per byte.
    Bnb4,
    /// bitsandbytes 8-bit (LLM.int8).
    Bnb8,
    /// MXFP4 `*_blocks` / `*_scales` (gpt-oss).
    Mxfp4,
    /// NVIDIA modelopt NVFP4: a U8 `weight` holding two FP4 values per byte,
    /// with an F8 `weight_scale` and an F32 `weight_scale_2`.
    Nvfp4,
    /// BitNet b1.58 (`quant_method: bitnet`): a U8 `weight` packing four
    /// ternary values per byte along the output dimension, with a
    /// `weight_scale`.
    Bitnet,
    /// Apple MLX (`mlx-lm`): a U32 `weight` packing `32 / bits` values per
    /// word along the input dimension, with `scales` and (affine mode)
    /// `biases` per group of `group_size` inputs.
    Mlx,
    /// ExLlamaV2 (`quant_method: exl2`, mixed bits per layer): an I32
    /// `q_weight` `[packed rows, out]` with `q_invperm` `[in]`, `q_scale`,
    /// `q_scale_max`, `q_groups` and sometimes `q_perm`.
    Exl2,
    /// ExLlamaV3 (`quant_method: exl3`, trellis codes): an I16 `trellis`
    /// `[in/16, out/16, 16 × bits]` with the sign vectors `suh` `[in]` and
    /// `svh` `[out]` (and `mcg` / `mul1` multipliers in some).
    Exl3,
    /// A method named in the config that `mri` does not unpack.
    Unknown,
}

impl Scheme {
    /// The scheme's name as the report writes it (`gptq`, `compressed-tensors`, ...).
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| "unknown".to_string())
    }
}

/// The detected scheme and how it was recognised.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Detected {
    /// The scheme.
    pub scheme: Scheme,
    /// `quant_method` from the config, when given.
    pub method: Option<String>,
    /// Bits per weight from the config, when given.
    pub bits: Option<u64>,
    /// A fractional average bitrate from the config (ExLlamaV2's
    /// `"bits": 4.65`), omitted otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bits_per_weight: Option<serde_json::Number>,
    /// `config`, `tensor-names`, or `config+tensor-names`.
    pub source: String,
    /// Group size from the config, when given (MLX's packed widths follow it).
    #[serde(skip)]
    pub group_size: Option<i64>,
}

impl Detected {
    /// The scheme with its bits, for people: `gptq 4-bit`, `exl2 4.65 bits
    /// per weight` (ExLlamaV2's average), or the scheme alone.
    pub fn label(&self) -> String {
        let scheme = self.scheme.name();
        match (self.bits, &self.bits_per_weight) {
            (Some(b), _) => format!("{scheme} {b}-bit"),
            (None, Some(bpw)) => format!("{scheme} {bpw} bits per weight"),
            (None, None) => scheme,
        }
    }
}

/// Tensor name suffixes that are quantization bookkeeping, not parameters.
const BOOKKEEPING: &[&str] = &[
    "qzeros",
    "scales",
    "g_idx",
    "weight_scale",
    "weight_scale_inv",
    "weight_scale_2",
    "weight_global_scale",
    "weight_zero_point",
    "input_scale",
    "input_global_scale",
    "input_zero_point",
    "weight_shape",
    "weight_g_idx",
    "SCB",
    "weight_format",
    "absmax",
    "quant_map",
    "nested_absmax",
    "nested_quant_map",
    "k_scale",
    "v_scale",
    "biases",
    // Mistral's native format (vLLM maps them to weight_scale / input_scale).
    "qscale_weight",
    "qscale_act",
];

fn last_segment(name: &str) -> &str {
    name.rsplit('.').next().unwrap_or(name)
}

/// ExLlamaV2's bookkeeping beside a `q_weight` (not parameters).
const EXL2_BOOKKEEPING: &[&str] = &[
    "q_invperm",
    "q_perm",
    "q_scale",
    "q_scale_max",
    "q_groups",
    "q_group_map",
];

/// ExLlamaV3's bookkeeping beside a `trellis` (not parameters).
const EXL3_BOOKKEEPING: &[&str] = &["suh", "svh", "su", "sv", "mcg", "mul1"];

/// Recognises the scheme from `quantization_config` and the tensor names.
pub fn detect(config: Option<&QuantizationConfig>, tensors: &[&TensorInfo]) -> Option<Detected> {
    let by_names = scheme_from_names(tensors);
    let by_config = config.map(scheme_from_config);
    let scheme = match (by_config, by_names) {
        (Some(Scheme::Unknown), Some(n)) => n,
        (Some(c), _) => c,
        (None, Some(n)) => n,
        (None, None) => return None,
    };
    let source = match (config.is_some(), by_names.is_some()) {
        (true, true) => "config+tensor-names",
        (true, false) => "config",
        _ => "tensor-names",
    };
    Some(Detected {
        scheme,
        method: config.map(|q| q.method.clone()),
        bits: config.and_then(|q| q.bits),
        bits_per_weight: config
            .and_then(|q| q.bits_per_weight)
            .and_then(serde_json::Number::from_f64),
        source: source.to_string(),
        group_size: config.and_then(|q| q.group_size),
    })
}

fn scheme_from_config(q: &QuantizationConfig) -> Scheme {
    match q.method.to_ascii_lowercase().as_str() {
        "gptq" => Scheme::Gptq,
        "awq" => Scheme::Awq,
        "compressed-tensors" | "compressed_tensors" => {
            if q.format.as_deref().is_some_and(|f| f.contains("float")) {
                Scheme::Fp8
            } else {
                Scheme::CompressedTensors
            }
        }
        "fp8" | "fbgemm_fp8" | "finegrained_fp8" => Scheme::Fp8,
        "bitsandbytes" if q.bits == Some(8) => Scheme::Bnb8,
        "bitsandbytes" | "bitsandbytes_4bit" => Scheme::Bnb4,
        "bitsandbytes_8bit" => Scheme::Bnb8,
        "mxfp4" => Scheme::Mxfp4,
        "mlx" => Scheme::Mlx,
        "bitnet" => Scheme::Bitnet,
        "exl2" => Scheme::Exl2,
        "exl3" => Scheme::Exl3,
        // modelopt names its algorithm apart; an unknown one falls back to
        // the tensor names.
        "modelopt" => match q
            .algorithm
            .as_deref()
            .map(str::to_ascii_uppercase)
            .as_deref()
        {
            Some("NVFP4") | Some("NVFP4_AWQ") => Scheme::Nvfp4,
            Some("FP8") | Some("FP8_PB_WO") | Some("FP8_PER_CHANNEL_PER_TOKEN") => Scheme::Fp8,
            _ => Scheme::Unknown,
        },
        _ => Scheme::Unknown,
    }
}

/// The tensor-name marks a quantization scheme leaves, gathered in one pass
/// over the names (a checkpoint has thousands of tensors).
#[derive(Default)]
struct NameMarks {
    qweight: bool,
    g_idx: bool,
    weight_packed: bool,
    bnb4: bool,
    scb: bool,
    blocks: bool,
    scales: bool,
    weight_scale_inv: bool,
    weight_scale: bool,
    weight_scale_2: bool,
    u8_weight: bool,
    f8: bool,
    biases: bool,
    u32_weight: bool,
    q_weight: bool,
    trellis: bool,
}

impl NameMarks {
    fn of(tensors: &[&TensorInfo]) -> Self {
        let mut m = NameMarks::default();
        for t in tensors {
            let n = t.name.as_str();
            // One comparison on the last segment instead of a dozen
            // suffix tests on the whole name.
            let (dotted, last) = match n.rsplit_once('.') {
                Some((_, last)) => (true, last),
                None => (false, n),
            };
            if dotted {
                match last {
                    "qweight" => m.qweight = true,
                    "g_idx" => m.g_idx = true,
                    "weight_packed" => m.weight_packed = true,
                    "absmax" => m.bnb4 = true,
                    "SCB" => m.scb = true,
                    "weight_scale_inv" => m.weight_scale_inv = true,
                    "weight_scale" | "qscale_weight" => m.weight_scale = true,
                    "weight_scale_2" => m.weight_scale_2 = true,
                    "biases" => m.biases = true,
                    "q_weight" => m.q_weight = true,
                    "trellis" => m.trellis = true,
                    "weight" => {
                        m.u8_weight |= t.dtype == "U8";
                        m.u32_weight |= t.dtype == "U32";
                    }
                    _ => {}
                }
            }
            // `__` is rare in names: the substring search runs only where it is.
            m.bnb4 |= last.contains("__") && n.contains(".quant_state.bitsandbytes__");
            m.blocks |= last.ends_with("_blocks");
            m.scales |= last.ends_with("_scales");
            m.f8 |= t.dtype.starts_with("F8_");
        }
        m
    }
}

fn scheme_from_names(tensors: &[&TensorInfo]) -> Option<Scheme> {
    let m = NameMarks::of(tensors);
    if m.qweight {
        return Some(if m.g_idx { Scheme::Gptq } else { Scheme::Awq });
    }
    if m.q_weight {
        return Some(Scheme::Exl2);
    }
    if m.trellis {
        return Some(Scheme::Exl3);
    }
    if m.weight_packed {
        return Some(Scheme::CompressedTensors);
    }
    if m.bnb4 {
        return Some(Scheme::Bnb4);
    }
    if m.scb {
        return Some(Scheme::Bnb8);
    }
    if m.blocks && m.scales {
        return Some(Scheme::Mxfp4);
    }
    if m.weight_scale_2 && m.u8_weight {
        return Some(Scheme::Nvfp4);
    }
    if m.u32_weight && m.biases {
        return Some(Scheme::Mlx);
    }
    if m.weight_scale_inv || (m.weight_scale && m.f8) {
        return Some(Scheme::Fp8);
    }
    None
}

/// Counts logical parameters of stored tensors under a detected scheme.
pub struct LogicalCounter<'a> {
    detected: Option<&'a Detected>,
    shapes: HashMap<&'a str, &'a [u64]>,
}

impl<'a> LogicalCounter<'a> {
    /// A counter over `tensors` (all of the checkpoint's, for looking up companions).
    pub fn new(detected: Option<&'a Detected>, tensors: &[&'a TensorInfo]) -> Self {
        let shapes = if detected.is_some() {
            tensors
                .iter()
                .map(|t| (t.name.as_str(), t.shape.as_slice()))
                .collect()
        } else {
            HashMap::new()
        };
        LogicalCounter { detected, shapes }
    }

    /// Logical parameters `t` stands for; `None` for bookkeeping tensors
    /// (scales, zero points, indices) that hold no parameters.
    pub fn logical(&self, t: &TensorInfo) -> Option<u64> {
        let elements = t.elements();
        if t.dtype == "F8_E8M0" {
            return None;
        }
        let Some(d) = self.detected else {
            return Some(elements);
        };
        let last = last_segment(&t.name);
        if t.name.contains(".quant_state.") || BOOKKEEPING.contains(&last) {
            return None;
        }
        let own_bookkeeping = match d.scheme {
            Scheme::Exl2 => EXL2_BOOKKEEPING,
            Scheme::Exl3 => EXL3_BOOKKEEPING,
            _ => &[],
        };
        if t.name.contains('.') && own_bookkeeping.contains(&last) {
            return None;
        }
        let storage_bits = dtype_bits(&t.dtype).unwrap_or(8);
        match d.scheme {
            Scheme::Gptq | Scheme::Awq if last == "qweight" => {
                let bits = self.packed_bits(t, d).max(1);
                Some(elements.saturating_mul(storage_bits) / bits)
            }
            Scheme::CompressedTensors if last == "weight_packed" => {
                let bits = d.bits.unwrap_or(4).max(1);
                Some(elements.saturating_mul(storage_bits) / bits)
            }
            Scheme::Bnb4 if last == "weight" && t.dtype == "U8" => Some(elements.saturating_mul(2)),
            Scheme::Mxfp4 if last.ends_with("_scales") && t.dtype == "U8" => None,
            Scheme::Mxfp4 if last.ends_with("_blocks") => Some(elements.saturating_mul(2)),
            Scheme::Nvfp4 if last == "weight" && t.dtype == "U8" => {
                Some(elements.saturating_mul(2))
            }
            Scheme::Bitnet if last == "weight" && t.dtype == "U8" => {
                Some(elements.saturating_mul(4))
            }
            Scheme::Mlx if last == "weight" && t.dtype == "U32" => Some(self.mlx_logical(t, d)),
            Scheme::Exl2 if last == "q_weight" => Some(self.exl2_logical(t, d)),
            // `[in/16, out/16, 16 × bits]`: in × out.
            Scheme::Exl3 if last == "trellis" && t.shape.len() == 3 => {
                Some(t.shape[0].saturating_mul(t.shape[1]).saturating_mul(256))
            }
            _ => Some(elements),
        }
    }

    /// The shape of the tensor `{prefix}.{suffix}` (a packed weight's
    /// scales, zero points or indices), when the checkpoint holds one.
    fn companion(&self, prefix: &str, suffix: &str) -> Option<&'a [u64]> {
        self.shapes
            .get(format!("{prefix}.{suffix}").as_str())
            .copied()
    }

    /// Logical parameters of an MLX packed `weight` (`[.., rows, words]`):
    /// rows × inputs, the inputs read from its `scales` (groups × the
    /// config's group size) when they agree with a plausible width (a
    /// mixed-precision recipe gives layers other bits than the config's),
    /// else 32 / the config's bits (4 when unstated) values per word.
    fn mlx_logical(&self, t: &TensorInfo, d: &Detected) -> u64 {
        let elements = t.elements();
        let words = t.shape.last().copied().unwrap_or(0);
        let prefix = t.name.strip_suffix(".weight").unwrap_or(&t.name);
        let packed_values = words.checked_mul(32).filter(|_| words > 0);
        let from_scales = self
            .companion(prefix, "scales")
            .and_then(|s| s.last().copied())
            .zip(d.group_size.and_then(|g| u64::try_from(g).ok()))
            .map(|(groups, group)| groups.saturating_mul(group))
            .filter(|&inputs| {
                packed_values.is_some_and(|values| {
                    inputs > 0 && values % inputs == 0 && matches!(values / inputs, 2..=8)
                })
            });
        match from_scales {
            Some(inputs) => (elements / words).saturating_mul(inputs),
            None => elements.saturating_mul(32) / d.bits.unwrap_or(4).clamp(1, 32),
        }
    }

    /// Logical parameters of an ExLlamaV2 `q_weight` (`[packed rows, out]`):
    /// out × the input width its `q_invperm` gives (the layer's bits vary
    /// by group, so the packed rows do not say it), else 32 / the config's
    /// bits (4 when unstated) values per packed word.
    fn exl2_logical(&self, t: &TensorInfo, d: &Detected) -> u64 {
        let prefix = t.name.strip_suffix(".q_weight").unwrap_or(&t.name);
        let inputs = self
            .companion(prefix, "q_invperm")
            .and_then(|p| p.first().copied());
        match (inputs, t.shape.as_slice()) {
            (Some(inputs), [_, outs]) => inputs.saturating_mul(*outs),
            _ => t.elements().saturating_mul(32) / d.bits.unwrap_or(4).clamp(1, 32),
        }
    }

    /// Bits per weight of a GPTQ/AWQ `qweight`: from its companions' shapes when
    /// they pin it down (`g_idx` gives GPTQ's input width; `scales` gives AWQ's
    /// output width), else the config's `bits`, else 4.
    fn packed_bits(&self, t: &TensorInfo, d: &Detected) -> u64 {
        let prefix = t.name.strip_suffix(".qweight").unwrap_or(&t.name);
        // Values the packed words hold, over the width a companion gives.
        let per = |words: u64, width: u64| {
            let values = words.checked_mul(32)?;
            (width > 0 && values % width == 0).then(|| values / width)
        };
        let inferred = match (d.scheme, t.shape.as_slice()) {
            (Scheme::Gptq, [rows, _]) => self
                .companion(prefix, "g_idx")
                .and_then(|g| g.first().copied())
                .and_then(|inputs| per(*rows, inputs)),
            (Scheme::Awq, [_, cols]) => self
                .companion(prefix, "scales")
                .and_then(|s| s.get(1).copied())
                .and_then(|outs| per(*cols, outs)),
            _ => None,
        };
        inferred
            .filter(|b| matches!(b, 2 | 3 | 4 | 8))
            .or(d.bits)
            .unwrap_or(4)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(name: &str, dtype: &str, shape: &[u64]) -> TensorInfo {
        TensorInfo {
            name: name.into(),
            dtype: dtype.into(),
            shape: shape.to_vec(),
            data_offsets: [0, 0],
        }
    }

    #[test]
    fn gptq_unpacks_qweight_and_skips_bookkeeping() {
        // logical [out=4096, in=4096], 4 bits, group 128
        let ts = [
            t("l.qweight", "I32", &[512, 4096]),
            t("l.qzeros", "I32", &[32, 512]),
            t("l.scales", "F16", &[32, 4096]),
            t("l.g_idx", "I32", &[4096]),
        ];
        let refs: Vec<&TensorInfo> = ts.iter().collect();
        let d = detect(None, &refs).unwrap();
        assert_eq!(d.scheme, Scheme::Gptq);
        let c = LogicalCounter::new(Some(&d), &refs);
        let total: u64 = ts.iter().filter_map(|x| c.logical(x)).sum();
        assert_eq!(total, 4096 * 4096);
    }

    #[test]
    fn mlx_unpacks_u32_weights_by_their_scales_and_skips_scales_and_biases() {
        let q = QuantizationConfig {
            group_size: Some(64),
            ..config("mlx", Some(4), None)
        };
        // [out=512, in=1024]: 4-bit layers (128 words a row), one 8-bit layer
        // of a mixed recipe (256 words a row), an embedding, a plain norm.
        let ts = [
            t("model.embed_tokens.weight", "U32", &[1000, 128]),
            t("model.embed_tokens.scales", "BF16", &[1000, 16]),
            t("model.embed_tokens.biases", "BF16", &[1000, 16]),
            t("model.layers.0.mlp.up_proj.weight", "U32", &[512, 128]),
            t("model.layers.0.mlp.up_proj.scales", "BF16", &[512, 16]),
            t("model.layers.0.mlp.up_proj.biases", "BF16", &[512, 16]),
            t("model.layers.0.mlp.down_proj.weight", "U32", &[512, 256]),
            t("model.layers.0.mlp.down_proj.scales", "BF16", &[512, 16]),
            t("model.layers.0.mlp.down_proj.biases", "BF16", &[512, 16]),
            t("model.norm.weight", "BF16", &[1024]),
        ];
        let refs: Vec<&TensorInfo> = ts.iter().collect();
        let d = detect(Some(&q), &refs).unwrap();
        assert_eq!(d.scheme, Scheme::Mlx);
        assert_eq!(d.source, "config+tensor-names");
        let c = LogicalCounter::new(Some(&d), &refs);
        let counts: Vec<Option<u64>> = ts.iter().map(|x| c.logical(x)).collect();
        assert_eq!(counts[0], Some(1000 * 1024));
        assert_eq!(counts[1], None);
        assert_eq!(counts[2], None);
        assert_eq!(counts[3], Some(512 * 1024));
        assert_eq!(
            counts[6],
            Some(512 * 1024),
            "the 8-bit layer's inputs come from its scales"
        );
        assert_eq!(counts[9], Some(1024));
        // From the names alone (no config): 32 / 4 values a word.
        let d = detect(None, &refs).unwrap();
        assert_eq!((d.scheme, d.source.as_str()), (Scheme::Mlx, "tensor-names"));
        let c = LogicalCounter::new(Some(&d), &refs);
        assert_eq!(c.logical(&ts[3]), Some(512 * 1024));
    }

    #[test]
    fn exl2_counts_out_times_the_inverse_permutations_width_and_skips_the_rest() {
        // [out=4096, in=11008] at a mixed 4.65 bits: the packed rows (here
        // 1600) do not give the width; q_invperm does.
        let ts = [
            t(
                "model.layers.0.mlp.down_proj.q_weight",
                "I32",
                &[1600, 4096],
            ),
            t("model.layers.0.mlp.down_proj.q_invperm", "I16", &[11008]),
            t("model.layers.0.mlp.down_proj.q_perm", "I16", &[11008]),
            t("model.layers.0.mlp.down_proj.q_scale", "I32", &[86, 512]),
            t("model.layers.0.mlp.down_proj.q_scale_max", "F16", &[86]),
            t("model.layers.0.mlp.down_proj.q_groups", "I16", &[172]),
            t("model.embed_tokens.weight", "F16", &[32000, 4096]),
        ];
        let q = config("exl2", None, None);
        for q in [Some(&q), None] {
            let (d, counts) = detect_and_count(q, &ts);
            assert_eq!(d.scheme, Scheme::Exl2);
            assert_eq!(
                counts,
                [
                    Some(4096 * 11008),
                    None,
                    None,
                    None,
                    None,
                    None,
                    Some(32000 * 4096)
                ]
            );
        }
        // Without its inverse permutation: 32 / 4 values a packed word.
        let lone = [t("l.q_weight", "I32", &[512, 4096])];
        assert_eq!(detect_and_count(None, &lone).1, [Some(4096 * 4096)]);
    }

    /// The scheme detected over `ts` and what each tensor counts for.
    fn detect_and_count(
        q: Option<&QuantizationConfig>,
        ts: &[TensorInfo],
    ) -> (Detected, Vec<Option<u64>>) {
        let refs: Vec<&TensorInfo> = ts.iter().collect();
        let d = detect(q, &refs).expect("a scheme");
        let c = LogicalCounter::new(Some(&d), &refs);
        let counts = ts.iter().map(|x| c.logical(x)).collect();
        (d, counts)
    }

    #[test]
    fn exl3_counts_the_trellis_blocks_and_skips_the_sign_vectors() {
        // [out=4096, in=14336] at 3 bits: trellis [in/16, out/16, 48].
        let ts = [
            t(
                "model.layers.0.mlp.down_proj.trellis",
                "I16",
                &[896, 256, 48],
            ),
            t("model.layers.0.mlp.down_proj.suh", "F16", &[14336]),
            t("model.layers.0.mlp.down_proj.svh", "F16", &[4096]),
            t("model.layers.0.mlp.down_proj.mcg", "I32", &[]),
            t("model.norm.weight", "F16", &[4096]),
        ];
        let q = config("exl3", Some(3), None);
        let (d, counts) = detect_and_count(Some(&q), &ts);
        assert_eq!(
            (d.scheme, d.source.as_str()),
            (Scheme::Exl3, "config+tensor-names")
        );
        assert_eq!(counts, [Some(4096 * 14336), None, None, None, Some(4096)]);
    }

    #[test]
    fn mistral_native_fp8_scales_are_bookkeeping() {
        let ts = [
            t("layers.0.attention.wq.weight", "F8_E4M3", &[4096, 5120]),
            t("layers.0.attention.wq.qscale_weight", "F32", &[]),
            t("layers.0.attention.wq.qscale_act", "F32", &[]),
        ];
        let refs: Vec<&TensorInfo> = ts.iter().collect();
        let d = detect(None, &refs).unwrap();
        assert_eq!(d.scheme, Scheme::Fp8);
        let c = LogicalCounter::new(Some(&d), &refs);
        let counts: Vec<Option<u64>> = ts.iter().map(|x| c.logical(x)).collect();
        assert_eq!(counts, [Some(4096 * 5120), None, None]);
    }

    #[test]
    fn absurd_packed_widths_fall_back_to_the_config_instead_of_overflowing() {
        let ts = [
            t("l.qweight", "I32", &[u64::MAX / 4, 8]),
            t("l.g_idx", "I32", &[4096]),
            t("m.weight", "U32", &[2, u64::MAX / 4]),
            t("m.scales", "BF16", &[2, 16]),
            t("m.biases", "BF16", &[2, 16]),
        ];
        let refs: Vec<&TensorInfo> = ts.iter().collect();
        let gptq = detect(Some(&config("gptq", Some(4), None)), &refs).unwrap();
        let c = LogicalCounter::new(Some(&gptq), &refs);
        assert_eq!(c.logical(&ts[0]), Some(u64::MAX / 4));
        let mlx = QuantizationConfig {
            group_size: Some(64),
            ..config("mlx", Some(4), None)
        };
        let mlx = detect(Some(&mlx), &refs).unwrap();
        let c = LogicalCounter::new(Some(&mlx), &refs);
        assert_eq!(c.logical(&ts[2]), Some(u64::MAX / 4));
    }

    #[test]
    fn bitnet_counts_four_ternary_weights_a_byte() {
        let q = config("bitnet", None, None);
        let ts = [
            t("model.layers.0.mlp.up_proj.weight", "U8", &[6912 / 4, 2560]),
            t("model.layers.0.mlp.up_proj.weight_scale", "BF16", &[1]),
            t("model.embed_tokens.weight", "BF16", &[128256, 2560]),
        ];
        let refs: Vec<&TensorInfo> = ts.iter().collect();
        let d = detect(Some(&q), &refs).unwrap();
        assert_eq!(d.scheme, Scheme::Bitnet);
        let c = LogicalCounter::new(Some(&d), &refs);
        let counts: Vec<Option<u64>> = ts.iter().map(|x| c.logical(x)).collect();
        assert_eq!(counts, [Some(6912 * 2560), None, Some(128256 * 2560)]);
    }

    #[test]
    fn gptq_8bit_is_inferred_from_g_idx() {
        let ts = [
            t("l.qweight", "I32", &[1024, 4096]),
            t("l.g_idx", "I32", &[4096]),
        ];
        let refs: Vec<&TensorInfo> = ts.iter().collect();
        let d = detect(None, &refs).unwrap();
        let c = LogicalCounter::new(Some(&d), &refs);
        assert_eq!(c.logical(&ts[0]), Some(4096 * 4096));
    }

    #[test]
    fn awq_bnb_mxfp4_and_fp8() {
        let awq = [
            t("l.qweight", "I32", &[4096, 512]),
            t("l.scales", "F16", &[32, 4096]),
            t("l.qzeros", "I32", &[32, 512]),
        ];
        let refs: Vec<&TensorInfo> = awq.iter().collect();
        let d = detect(None, &refs).unwrap();
        assert_eq!(d.scheme, Scheme::Awq);
        let c = LogicalCounter::new(Some(&d), &refs);
        assert_eq!(
            awq.iter().filter_map(|x| c.logical(x)).sum::<u64>(),
            4096 * 4096
        );

        let bnb = [
            t("l.weight", "U8", &[8_388_608, 1]),
            t("l.weight.absmax", "F32", &[262_144]),
            t("l.weight.quant_map", "F32", &[16]),
            t("l.weight.quant_state.bitsandbytes__nf4", "U8", &[100]),
        ];
        let refs: Vec<&TensorInfo> = bnb.iter().collect();
        let d = detect(None, &refs).unwrap();
        assert_eq!(d.scheme, Scheme::Bnb4);
        let c = LogicalCounter::new(Some(&d), &refs);
        assert_eq!(
            bnb.iter().filter_map(|x| c.logical(x)).sum::<u64>(),
            4096 * 4096
        );

        let mx = [
            t("e.down_proj_blocks", "U8", &[32, 2880, 90, 16]),
            t("e.down_proj_scales", "U8", &[32, 2880, 90]),
        ];
        let refs: Vec<&TensorInfo> = mx.iter().collect();
        let d = detect(None, &refs).unwrap();
        assert_eq!(d.scheme, Scheme::Mxfp4);
        let c = LogicalCounter::new(Some(&d), &refs);
        assert_eq!(
            mx.iter().filter_map(|x| c.logical(x)).sum::<u64>(),
            32 * 2880 * 2880
        );

        let fp8 = [
            t("l.weight", "F8_E4M3", &[256, 256]),
            t("l.weight_scale_inv", "F32", &[2, 2]),
        ];
        let refs: Vec<&TensorInfo> = fp8.iter().collect();
        let d = detect(None, &refs).unwrap();
        assert_eq!(d.scheme, Scheme::Fp8);
        let c = LogicalCounter::new(Some(&d), &refs);
        assert_eq!(
            fp8.iter().filter_map(|x| c.logical(x)).sum::<u64>(),
            256 * 256
        );
    }

    fn config(method: &str, bits: Option<u64>, algorithm: Option<&str>) -> QuantizationConfig {
        QuantizationConfig {
            method: method.into(),
            bits,
            bits_per_weight: None,
            group_size: None,
            format: None,
            algorithm: algorithm.map(str::to_string),
            not_converted: vec![],
            kv_cache: None,
        }
    }

    #[test]
    fn modelopt_nvfp4_counts_two_weights_per_byte_from_the_config_or_the_names() {
        let ts = [
            t("l.weight", "U8", &[4096, 2048]),
            t("l.weight_scale", "F8_E4M3", &[4096, 256]),
            t("l.weight_scale_2", "F32", &[]),
            t("l.input_scale", "F32", &[]),
            t("norm.weight", "BF16", &[4096]),
        ];
        let refs: Vec<&TensorInfo> = ts.iter().collect();
        let q = config("modelopt", None, Some("NVFP4"));
        for d in [detect(Some(&q), &refs), detect(None, &refs)] {
            let d = d.unwrap();
            assert_eq!(d.scheme, Scheme::Nvfp4);
            let c = LogicalCounter::new(Some(&d), &refs);
            assert_eq!(
                ts.iter().filter_map(|x| c.logical(x)).sum::<u64>(),
                4096 * 4096 + 4096
            );
        }
        // modelopt's FP8 is FP8; an algorithm mri does not know falls back to the names.
        assert_eq!(
            scheme_from_config(&config("modelopt", None, Some("FP8"))),
            Scheme::Fp8
        );
        assert_eq!(
            detect(Some(&config("modelopt", None, Some("W4A8_NEW"))), &refs)
                .unwrap()
                .scheme,
            Scheme::Nvfp4
        );
    }

    #[test]
    fn bitsandbytes_eight_bit_is_not_labelled_four_bit() {
        assert_eq!(
            scheme_from_config(&config("bitsandbytes", Some(8), None)),
            Scheme::Bnb8
        );
        assert_eq!(
            scheme_from_config(&config("bitsandbytes", Some(4), None)),
            Scheme::Bnb4
        );
    }

    #[test]
    fn compressed_tensors_uses_config_bits() {
        let q = QuantizationConfig {
            method: "compressed-tensors".into(),
            bits: Some(4),
            bits_per_weight: None,
            group_size: None,
            format: Some("pack-quantized".into()),
            algorithm: None,
            not_converted: vec![],
            kv_cache: None,
        };
        let ts = [
            t("l.weight_packed", "I32", &[4096, 512]),
            t("l.weight_scale", "BF16", &[4096, 32]),
            t("l.weight_shape", "I64", &[2]),
        ];
        let refs: Vec<&TensorInfo> = ts.iter().collect();
        let d = detect(Some(&q), &refs).unwrap();
        assert_eq!(d.source, "config+tensor-names");
        let c = LogicalCounter::new(Some(&d), &refs);
        assert_eq!(
            ts.iter().filter_map(|x| c.logical(x)).sum::<u64>(),
            4096 * 4096
        );
    }

    #[test]
    fn plain_checkpoints_count_as_stored() {
        let ts = [t("a.scales", "F32", &[10])];
        let refs: Vec<&TensorInfo> = ts.iter().collect();
        assert!(detect(None, &refs).is_none());
        let c = LogicalCounter::new(None, &refs);
        assert_eq!(c.logical(&ts[0]), Some(10));
    }
}
