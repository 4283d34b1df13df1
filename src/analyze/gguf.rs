//! GGUF headers → the Report: the weights (every tensor with its ggml type
//! and exact bytes), the architecture from `general.architecture` and its
//! `{arch}.*` keys (so memory and KV cache come out as for config.json), the
//! tokenizer from `tokenizer.ggml.*`, the declared license as a card would
//! declare it, the `gguf` section, and the checks that make sense for GGUF.

use super::components::{component_of, is_token_embedding, Component};
use super::weights::{LayerParams, ShardSummary, TensorEntry, WeightsSummary};
use crate::finding::{Code, Finding};
use crate::locate::ollama::{MEDIA_ADAPTER, MEDIA_PROJECTOR};
use crate::model::card::Card;
use crate::model::config::{Architecture, MlaConfig};
use crate::model::recurrent::RecurrentConfig;
use crate::model::tokenizer::{SpecialToken, TokenizerSummary};
use crate::scan::gguf::parse::{GgufHeader, GgufTensor, MetaValue};
use crate::scan::gguf::split::{group, GgufGroup};
use crate::scan::gguf::types::file_type_name;
use crate::scan::gguf::{GgufScan, SPECIAL_TOKEN_KEYS};
use crate::scan::safetensors::TensorInfo;
use serde::Serialize;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Longest string value shown in the metadata summary.
const SHOWN_STRING_CHARS: usize = 200;

/// Parameters, tensors and bytes of one ggml type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GgufTypeCount {
    /// Tensors of this type.
    pub tensors: u64,
    /// Their elements (logical parameters).
    pub parameters: u64,
    /// Their exact bytes.
    pub bytes: u64,
    /// Bits per weight of the type (type size × 8 / block size).
    pub bits_per_weight: f64,
}

/// One GGUF file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GgufFileSummary {
    /// Path relative to the model root.
    pub path: String,
    /// Format version.
    pub version: Option<u32>,
    /// Tensors declared.
    pub tensor_count: u64,
    /// Metadata entries declared.
    pub metadata_count: u64,
    /// Data-section alignment.
    pub alignment: u64,
    /// Absolute offset of the tensor data (header bytes before it).
    pub data_offset: u64,
    /// `split.no` (0-based, as written), for split files.
    pub split_no: Option<u64>,
    /// `split.count`, for split files.
    pub split_count: Option<u64>,
}

/// One model: a GGUF file, or a split set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GgufModel {
    /// The file, or the split set's name.
    pub name: String,
    /// Its files, first part first.
    pub files: Vec<String>,
    /// `model`, `mmproj` (a vision projector), `adapter` (a LoRA) or `vocab` (`general.type`).
    pub role: String,
    /// Whether the Report's totals are this model's.
    pub counted: bool,
    /// `general.architecture`.
    pub architecture: Option<String>,
    /// Logical parameters.
    pub parameters: u64,
    /// Tensors.
    pub tensor_count: u64,
    /// Tensor bytes.
    pub bytes: u64,
}

/// One metadata entry, summarised.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetaSummary {
    /// The key.
    pub key: String,
    /// `u32`, `f32`, `string`, `array<string>`, ...
    #[serde(rename = "type")]
    pub value_type: String,
    /// The value (strings cut to 200 characters; null for long arrays).
    pub value: Value,
    /// Elements of an array, bytes of a string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub len: Option<u64>,
}

/// The Report's `gguf` section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GgufSummary {
    /// Format version of the counted model's first file.
    pub version: Option<u32>,
    /// Its metadata entries.
    pub metadata_count: u64,
    /// Its data-section alignment.
    pub alignment: u64,
    /// Its header size (offset of the tensor data).
    pub data_offset: u64,
    /// `general.name`.
    pub name: Option<String>,
    /// `general.architecture`.
    pub architecture: Option<String>,
    /// `general.type` (`model` when absent).
    pub model_type: String,
    /// `general.file_type` as llama.cpp names it (`MOSTLY_Q4_K_M`).
    pub file_type: Option<String>,
    /// `general.quantization_version`.
    pub quantization_version: Option<u64>,
    /// `general.size_label` (`135M`).
    pub size_label: Option<String>,
    /// Tensor bytes × 8 / logical parameters, over the counted model.
    pub bits_per_weight: Option<f64>,
    /// By ggml type, over the counted model.
    pub types: BTreeMap<String, GgufTypeCount>,
    /// Every model found (one per file, or per split set).
    pub models: Vec<GgufModel>,
    /// Every GGUF file.
    pub files: Vec<GgufFileSummary>,
    /// The counted model's metadata (first file), in file order.
    pub metadata: Vec<MetaSummary>,
}

/// What the GGUF files give the Report.
pub struct GgufFacts {
    /// The `gguf` section.
    pub summary: GgufSummary,
    /// The architecture from the metadata.
    pub architecture: Option<Architecture>,
    /// The tokenizer from the metadata.
    pub tokenizer: Option<TokenizerSummary>,
    /// `general.license*` and `general.base_model.*`, read like a card's front matter.
    pub license_card: Option<Card>,
    /// The weights: every GGUF file as a shard, the counted model's totals.
    pub weights: WeightsSummary,
}

/// What a GGUF file is: `mmproj` or `adapter` by its Ollama media type,
/// else `general.type`, else `mmproj` by its file name, else `model`.
fn role_of(scan: &GgufScan) -> String {
    match scan.media_type.as_deref() {
        Some(MEDIA_PROJECTOR) => return "mmproj".into(),
        Some(MEDIA_ADAPTER) => return "adapter".into(),
        _ => {}
    }
    if let Some(t) = scan.header.as_ref().and_then(|h| h.get_str("general.type")) {
        return t.to_string();
    }
    let name = scan
        .path
        .rsplit('/')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if name.starts_with("mmproj") {
        "mmproj".into()
    } else {
        "model".into()
    }
}

/// Builds everything the GGUF files say; `None` without GGUF files.
pub fn analyze(scans: &[GgufScan], findings: &mut Vec<Finding>) -> Option<GgufFacts> {
    if scans.is_empty() {
        return None;
    }
    let paths: Vec<&str> = scans.iter().map(|s| s.path.as_str()).collect();
    let (groups, split_findings) = group(&paths);
    findings.extend(split_findings);
    let primary = primary_group(scans, &groups, findings);
    let Tally {
        weights: w,
        types,
        models,
    } = tally(scans, &groups, primary);

    let first = &scans[groups[primary].files[0]];
    let counted_scans: Vec<&GgufScan> = groups[primary].files.iter().map(|&i| &scans[i]).collect();
    let header = first.header.as_ref();
    let architecture = header.and_then(architecture_of);
    let tokenizer = header
        .map(|h| tokenizer_of(h, first))
        .filter(|t| t.model.is_some() || t.vocab_size.is_some());
    let license_card = header.and_then(|h| license_card_of(h, &first.path));
    if let Some(h) = header {
        checks(h, first, &counted_scans, &w, findings);
    }
    let summary = summary(scans, first, &w, types, models);
    Some(GgufFacts {
        summary,
        architecture,
        tokenizer,
        license_card,
        weights: w,
    })
}

/// The group whose totals the Report counts: the first model (not a
/// projector, adapter or vocabulary), else the first group; an info when
/// there are several models.
fn primary_group(scans: &[GgufScan], groups: &[GgufGroup], findings: &mut Vec<Finding>) -> usize {
    let primary = groups
        .iter()
        .position(|g| role_of(&scans[g.files[0]]) == "model")
        .unwrap_or(0);
    let model_groups = groups
        .iter()
        .filter(|g| role_of(&scans[g.files[0]]) == "model")
        .count();
    if model_groups > 1 {
        findings.push(Finding::info(
            Code::GgufSeveralModels,
            format!(
                "{model_groups} GGUF models here ({}); the totals, architecture and memory are of `{}`: inspect a file to see another",
                groups
                    .iter()
                    .filter(|g| role_of(&scans[g.files[0]]) == "model")
                    .map(|g| g.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                groups[primary].name
            ),
        ));
    }
    primary
}

/// The weights every GGUF file holds, tallied.
struct Tally {
    /// Every file a shard; the totals and breakdowns of the primary model.
    weights: WeightsSummary,
    /// The primary model's tensors by ggml type.
    types: BTreeMap<String, GgufTypeCount>,
    /// Every model (a file or a split set) with its own totals.
    models: Vec<GgufModel>,
}

/// Weights: every file a shard, the primary model counted.
fn tally(scans: &[GgufScan], groups: &[GgufGroup], primary: usize) -> Tally {
    let mut w = WeightsSummary {
        format: Some("gguf".into()),
        ..Default::default()
    };
    let mut types: BTreeMap<String, GgufTypeCount> = BTreeMap::new();
    let mut layers: HashMap<(String, u64), (u64, u64)> = HashMap::new();
    let mut models = Vec::new();
    for (gi, g) in groups.iter().enumerate() {
        let counted = gi == primary;
        let mut model = GgufModel {
            name: g.name.clone(),
            files: g.files.iter().map(|&i| scans[i].path.clone()).collect(),
            role: role_of(&scans[g.files[0]]),
            counted,
            architecture: scans[g.files[0]]
                .header
                .as_ref()
                .and_then(|h| h.get_str("general.architecture"))
                .map(str::to_string),
            parameters: 0,
            tensor_count: 0,
            bytes: 0,
        };
        for &i in &g.files {
            let primary = counted.then_some(Primary {
                weights: &mut w,
                types: &mut types,
                layers: &mut layers,
            });
            let shard = shard_of(&scans[i], primary);
            model.parameters = model.parameters.saturating_add(shard.parameters);
            model.tensor_count += shard.tensor_count;
            model.bytes = model.bytes.saturating_add(shard.bytes);
            if counted {
                w.tensor_count += shard.tensor_count;
                w.parameters = w.parameters.saturating_add(shard.parameters);
                w.stored_elements = w.stored_elements.saturating_add(shard.parameters);
                w.bytes = w.bytes.saturating_add(shard.bytes);
            }
            w.shards.push(shard);
        }
        models.push(model);
    }
    w.layers = layers
        .into_iter()
        .map(|((prefix, index), (parameters, tensors))| LayerParams {
            prefix,
            index,
            parameters,
            tensors,
        })
        .collect();
    w.layers
        .sort_by(|a, b| (&a.prefix, a.index).cmp(&(&b.prefix, b.index)));
    Tally {
        weights: w,
        types,
        models,
    }
}

/// Where the primary model's tensors are tallied.
struct Primary<'a> {
    /// The weights' totals and breakdowns by dtype and component.
    weights: &'a mut WeightsSummary,
    /// The tensors by ggml type.
    types: &'a mut BTreeMap<String, GgufTypeCount>,
    /// (layer prefix, index) → (parameters, tensors).
    layers: &'a mut HashMap<(String, u64), (u64, u64)>,
}

/// One GGUF file as a shard, every tensor listed; when it belongs to the
/// primary model, its tensors tallied there too.
fn shard_of(s: &GgufScan, mut primary: Option<Primary<'_>>) -> ShardSummary {
    let mut shard = ShardSummary {
        path: s.path.clone(),
        size: s.size,
        header_bytes: s.header.as_ref().map_or(0, |h| h.data_offset),
        counted: primary.is_some(),
        tensor_count: 0,
        parameters: 0,
        bytes: 0,
        metadata: BTreeMap::new(),
        tensors: Vec::new(),
    };
    for t in s.header.iter().flat_map(|h| h.tensors.iter()) {
        let bytes = t.bytes.unwrap_or(0);
        let params = if t.elements == u64::MAX {
            0
        } else {
            t.elements
        };
        shard.tensor_count += 1;
        shard.parameters = shard.parameters.saturating_add(params);
        shard.bytes = shard.bytes.saturating_add(bytes);
        shard.tensors.push(TensorEntry {
            info: TensorInfo {
                name: t.name.clone(),
                dtype: t.type_name(),
                shape: t.shape(),
                data_offsets: [t.offset, t.offset.saturating_add(bytes)],
            },
            parameters: params,
        });
        if let Some(primary) = primary.as_mut() {
            primary.count(t, params, bytes);
        }
    }
    shard
}

impl Primary<'_> {
    /// Tallies one tensor of the primary model: by ggml type, by dtype, and
    /// by component (its layer's parameters and tensors for a layer tensor).
    fn count(&mut self, t: &GgufTensor, params: u64, bytes: u64) {
        let w = &mut *self.weights;
        let e = self
            .types
            .entry(t.type_name())
            .or_insert_with(|| GgufTypeCount {
                tensors: 0,
                parameters: 0,
                bytes: 0,
                bits_per_weight: t.ggml().map_or(0.0, |g| g.bits_per_element()),
            });
        e.tensors += 1;
        e.parameters = e.parameters.saturating_add(params);
        e.bytes = e.bytes.saturating_add(bytes);
        *w.by_dtype.entry(t.type_name()).or_default() += params;
        if let Some((prefix, index)) = w.by_component.tally(&t.name, params) {
            let e = self.layers.entry((prefix.to_string(), index)).or_default();
            e.0 += params;
            e.1 += 1;
        }
    }
}

/// The Report's `gguf` section, from the primary model's first file.
fn summary(
    scans: &[GgufScan],
    first: &GgufScan,
    w: &WeightsSummary,
    types: BTreeMap<String, GgufTypeCount>,
    models: Vec<GgufModel>,
) -> GgufSummary {
    let header = first.header.as_ref();
    let file_type = header
        .and_then(|h| h.get_u64("general.file_type"))
        .map(|n| file_type_name(n).map_or_else(|| format!("type {n}"), str::to_string));
    GgufSummary {
        version: header.map(|h| h.version),
        metadata_count: header.map_or(0, |h| h.metadata_count),
        alignment: header.map_or(0, |h| h.alignment),
        data_offset: header.map_or(0, |h| h.data_offset),
        name: header
            .and_then(|h| h.get_str("general.name"))
            .map(str::to_string),
        architecture: header
            .and_then(|h| h.get_str("general.architecture"))
            .map(str::to_string),
        model_type: role_of(first),
        file_type,
        quantization_version: header.and_then(|h| h.get_u64("general.quantization_version")),
        size_label: header
            .and_then(|h| h.get_str("general.size_label"))
            .map(str::to_string),
        bits_per_weight: (w.parameters > 0)
            .then(|| round3(w.bytes as f64 * 8.0 / w.parameters as f64)),
        types,
        models,
        files: scans.iter().map(file_summary).collect(),
        metadata: header.map(metadata_summary).unwrap_or_default(),
    }
}

/// `x` rounded to three decimals.
fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// One GGUF file's header facts, for the `gguf` section.
fn file_summary(s: &GgufScan) -> GgufFileSummary {
    let h = s.header.as_ref();
    GgufFileSummary {
        path: s.path.clone(),
        version: h.map(|h| h.version),
        tensor_count: h.map_or(0, |h| h.tensor_count),
        metadata_count: h.map_or(0, |h| h.metadata_count),
        alignment: h.map_or(0, |h| h.alignment),
        data_offset: h.map_or(0, |h| h.data_offset),
        split_no: h.and_then(|h| h.get_u64("split.no")),
        split_count: h.and_then(|h| h.get_u64("split.count")),
    }
}

/// Every metadata entry with its type and value; long strings are cut
/// and arrays are shown only when short.
fn metadata_summary(h: &GgufHeader) -> Vec<MetaSummary> {
    h.metadata
        .iter()
        .map(|e| {
            let (value_type, value, len) = match &e.value {
                MetaValue::Array(a) => (
                    format!("array<{}>", a.element.name()),
                    if a.scalars.is_empty() || a.scalars.len() > 16 {
                        Value::Null
                    } else {
                        Value::Array(a.scalars.iter().map(scalar_json).collect())
                    },
                    Some(a.len),
                ),
                MetaValue::String { text, len } => {
                    let shown: String = text.chars().take(SHOWN_STRING_CHARS).collect();
                    let cut = shown.len() < text.len();
                    (
                        "string".to_string(),
                        Value::String(if cut { format!("{shown}…") } else { shown }),
                        cut.then_some(*len),
                    )
                }
                v => (v.type_name().to_string(), scalar_json(v), None),
            };
            MetaSummary {
                key: e.key.clone(),
                value_type,
                value,
                len,
            }
        })
        .collect()
}

/// A metadata value as JSON: numbers, booleans and strings as themselves
/// (a non-finite float as null), an array as `[type; len]`.
fn scalar_json(v: &MetaValue) -> Value {
    match v {
        MetaValue::Uint(n, _) => json!(n),
        MetaValue::Int(n, _) => json!(n),
        MetaValue::Float(f, _) => {
            serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number)
        }
        MetaValue::Bool(b) => json!(b),
        MetaValue::String { text, .. } => json!(text),
        MetaValue::Array(a) => json!(format!("[{}; {}]", a.element.name(), a.len)),
    }
}

/// A number, or the largest of a per-layer array.
fn num(h: &GgufHeader, key: &str) -> Option<u64> {
    match h.get(key)? {
        MetaValue::Array(a) => a.scalars.iter().filter_map(MetaValue::as_u64).max(),
        v => v.as_u64(),
    }
}

/// The architecture, from `general.architecture` and its `{arch}.*` keys.
pub fn architecture_of(h: &GgufHeader) -> Option<Architecture> {
    let arch = h.get_str("general.architecture")?.to_string();
    let k = |s: &str| format!("{arch}.{s}");
    let n = |s: &str| num(h, &k(s));
    let hidden = n("embedding_length");
    let heads = n("attention.head_count");
    let layers = n("block_count");
    let head_dim = n("attention.key_length").or(match (hidden, heads) {
        (Some(hd), Some(hs)) if hs > 0 => Some(hd / hs),
        _ => None,
    });
    let sliding_window = n("attention.sliding_window").filter(|w| *w > 0);
    // A block count beyond the tensors the file holds is not believed (the
    // consistency check reports it); per-layer facts are bounded as for
    // config.json.
    let plausible_layers = layers.filter(|&c| c <= h.tensors.len() as u64 && c <= 10_000);
    let mut layer_types = match (sliding_window, plausible_layers) {
        (Some(_), Some(count)) => sliding_layer_types(h, &arch, count),
        _ => Vec::new(),
    };
    if let (true, Some(count)) = (layer_types.is_empty(), plausible_layers) {
        if let Some(kinds) = hybrid_layer_types(h, &arch, count) {
            layer_types = kinds;
        }
    }
    let id = |key: &str| h.get_u64(key).into_iter().collect::<Vec<_>>();
    Some(Architecture {
        model_type: Some(arch.clone()),
        hidden_size: hidden,
        num_layers: layers,
        num_attention_heads: heads,
        num_key_value_heads: n("attention.head_count_kv").or(heads),
        head_dim,
        intermediate_size: n("feed_forward_length"),
        // Most GGUF writers leave `{arch}.vocab_size` out: the token list's length is the vocabulary.
        vocab_size: n("vocab_size").or_else(|| h.get_array("tokenizer.ggml.tokens").map(|a| a.len)),
        context_length: n("context_length"),
        rope_theta: h.get(&k("rope.freq_base")).and_then(MetaValue::as_f64),
        rope_scaling: rope_scaling_of(h, &arch),
        sliding_window,
        layer_types,
        num_experts: n("expert_count").filter(|e| *e > 0),
        num_experts_per_token: n("expert_used_count").filter(|e| *e > 0),
        num_nextn_predict_layers: n("nextn_predict_layers").filter(|e| *e > 0),
        num_kv_shared_layers: n("attention.shared_kv_layers").filter(|e| *e > 0),
        mla: mla_of(h, &arch),
        recurrent: recurrent_of(&arch, &n, hidden),
        bos_token_ids: id("tokenizer.ggml.bos_token_id"),
        eos_token_ids: id("tokenizer.ggml.eos_token_id"),
        ..Default::default()
    })
}

/// The RoPE scaling as config.json's `rope_scaling` would state it, from
/// `{arch}.rope.scaling.*`; `None` when the type is absent or `none`.
fn rope_scaling_of(h: &GgufHeader, arch: &str) -> Option<Value> {
    let k = |s: &str| format!("{arch}.{s}");
    h.get_str(&k("rope.scaling.type"))
        .filter(|t| *t != "none")
        .map(|t| {
            let mut m = serde_json::Map::new();
            m.insert("type".into(), json!(t));
            for key in [
                "factor",
                "original_context_length",
                "attn_factor",
                "finetuned",
            ] {
                if let Some(v) = h.get(&k(&format!("rope.scaling.{key}"))) {
                    m.insert(key.into(), scalar_json(v));
                }
            }
            Value::Object(m)
        })
}

/// With a sliding window: which of the `count` layers slide — a stated
/// per-layer array, a stated period, else the family's known pattern;
/// empty when none says.
fn sliding_layer_types(h: &GgufHeader, arch: &str, count: u64) -> Vec<String> {
    let mut layer_types = Vec::new();
    // Which layers slide: a stated period, else the family's known pattern.
    let period = match h.get(&format!("{arch}.attention.sliding_window_pattern")) {
        Some(MetaValue::Array(a)) if a.scalars.len() as u64 == count => {
            layer_types = a
                .scalars
                .iter()
                .map(|v| {
                    if v.as_bool().unwrap_or(false) {
                        "sliding_attention"
                    } else {
                        "full_attention"
                    }
                    .to_string()
                })
                .collect();
            None
        }
        Some(v) => v.as_u64(),
        None => match arch {
            "gemma2" => Some(2),
            "gemma3" => Some(6),
            _ => None,
        },
    };
    if let Some(p) = period.filter(|p| *p > 1) {
        layer_types = (0..count)
            .map(|i| {
                if (i + 1) % p == 0 {
                    "full_attention"
                } else {
                    "sliding_attention"
                }
                .to_string()
            })
            .collect();
    }
    layer_types
}

/// Hybrids (Jamba, Granite 4.0-H, Nemotron-H, LFM2) and pruned models
/// (DeciLM) write one KV head count per layer, 0 for the layers without
/// attention: recurrent where the block holds state-space or convolution
/// tensors, else a plain MLP block. `None` unless the array has one count
/// for each of the `count` layers and some are 0.
fn hybrid_layer_types(h: &GgufHeader, arch: &str, count: u64) -> Option<Vec<String>> {
    let kv = h.get_array(&format!("{arch}.attention.head_count_kv"))?;
    let per_layer: Vec<u64> = kv.scalars.iter().filter_map(MetaValue::as_u64).collect();
    if per_layer.len() as u64 != count || !per_layer.contains(&0) {
        return None;
    }
    let recurrent = recurrent_blocks(h);
    Some(
        per_layer
            .iter()
            .enumerate()
            .map(|(i, &heads)| {
                if heads > 0 {
                    "full_attention"
                } else if recurrent.contains(&(i as u64)) {
                    "recurrent"
                } else {
                    "mlp"
                }
                .to_string()
            })
            .collect(),
    )
}

/// Multi-head latent attention, when `{arch}.attention.kv_lora_rank` is
/// stated: the no-RoPE part of the key is its length less the RoPE dims.
fn mla_of(h: &GgufHeader, arch: &str) -> Option<MlaConfig> {
    let n = |s: &str| num(h, &format!("{arch}.{s}"));
    n("attention.kv_lora_rank").map(|rank| MlaConfig {
        kv_lora_rank: rank,
        qk_rope_head_dim: n("rope.dimension_count").unwrap_or(0),
        qk_nope_head_dim: n("attention.key_length_mla")
            .or(n("attention.key_length"))
            .zip(n("rope.dimension_count"))
            .map(|(k, r)| k.saturating_sub(r)),
        v_head_dim: n("attention.value_length_mla").or(n("attention.value_length")),
    })
}

/// The blocks that hold state-space (`blk.N.ssm_*`) or short-convolution
/// (`blk.N.shortconv.*`) tensors.
fn recurrent_blocks(h: &GgufHeader) -> BTreeSet<u64> {
    h.tensors
        .iter()
        .filter_map(|t| {
            let rest = t.name.strip_prefix("blk.")?;
            let (index, part) = rest.split_once('.')?;
            (part.starts_with("ssm_") || part.starts_with("shortconv."))
                .then(|| index.parse().ok())
                .flatten()
        })
        .collect()
}

/// The recurrent layers' sizes, from llama.cpp's `{arch}.ssm.*` keys
/// (Mamba; Mamba-2 where a group count is written, its heads the
/// `time_step_rank`) and LFM2's `{arch}.shortconv.l_cache`. Qwen3-Next's
/// gated DeltaNet reuses the `ssm.*` keys with other meanings: not read.
fn recurrent_of(
    arch: &str,
    n: &impl Fn(&str) -> Option<u64>,
    hidden: Option<u64>,
) -> Option<RecurrentConfig> {
    if let Some(conv_kernel) = n("shortconv.l_cache").filter(|k| *k > 0) {
        return Some(RecurrentConfig::ShortConv {
            width: hidden?,
            conv_kernel,
        });
    }
    if arch.starts_with("qwen3next") {
        return None;
    }
    let positive = |key: &str| n(key).filter(|v| *v > 0);
    let inner = positive("ssm.inner_size")?;
    let state = positive("ssm.state_size")?;
    let conv_kernel = positive("ssm.conv_kernel")?;
    match positive("ssm.group_count") {
        Some(groups) => {
            let heads = positive("ssm.time_step_rank").unwrap_or(inner / 64).max(1);
            Some(RecurrentConfig::Mamba2 {
                inner,
                heads,
                head_dim: inner / heads,
                state,
                groups,
                conv_kernel,
            })
        }
        None => Some(RecurrentConfig::Mamba {
            inner,
            state,
            conv_kernel,
        }),
    }
}

/// The tokenizer, from `tokenizer.ggml.*`.
fn tokenizer_of(h: &GgufHeader, scan: &GgufScan) -> TokenizerSummary {
    let tokens = h.get_array("tokenizer.ggml.tokens").map(|a| a.len);
    let mut s = TokenizerSummary {
        files: vec![scan.path.clone()],
        model: h.get_str("tokenizer.ggml.model").map(str::to_string),
        vocab_size: tokens,
        base_vocab: tokens,
        ..Default::default()
    };
    for (key, role) in SPECIAL_TOKEN_KEYS {
        if !matches!(*role, "bos" | "eos" | "unk" | "pad") {
            continue;
        }
        if let Some(id) = h.get_u64(key) {
            let token = scan.special_texts.get(&id).cloned().unwrap_or_default();
            s.special_tokens.insert(
                role.to_string(),
                SpecialToken {
                    token,
                    id: Some(id),
                },
            );
        }
    }
    if h.get_str("tokenizer.chat_template")
        .is_some_and(|t| !t.trim().is_empty())
    {
        s.chat_template = true;
        s.chat_template_source = Some(format!("{}: tokenizer.chat_template", scan.path));
    }
    s
}

/// `general.license`, `.name`, `.link` and the base models, as a card.
fn license_card_of(h: &GgufHeader, path: &str) -> Option<Card> {
    let license = h
        .get_str("general.license")
        .map(str::trim)
        .filter(|l| !l.is_empty());
    let name = h.get_str("general.license.name").map(str::to_string);
    let link = h.get_str("general.license.link").map(str::to_string);
    if license.is_none() && name.is_none() {
        return None;
    }
    let count = h.get_u64("general.base_model.count").unwrap_or(0).min(16);
    let base_model = (0..count)
        .filter_map(|i| {
            let key = |s: &str| format!("general.base_model.{i}.{s}");
            let from_url = h
                .get_str(&key("repo_url"))
                .and_then(|u| u.strip_prefix("https://huggingface.co/"))
                .map(|id| id.trim_end_matches('/').to_string());
            from_url.or_else(|| {
                let org = h.get_str(&key("organization"))?;
                let name = h.get_str(&key("name"))?;
                Some(format!(
                    "{}/{}",
                    org.replace(' ', "-"),
                    name.replace(' ', "-")
                ))
            })
        })
        .collect();
    let keys = [
        ("license", "general.license"),
        ("license_name", "general.license.name"),
        ("license_link", "general.license.link"),
        ("base_model", "general.base_model"),
    ]
    .map(|(f, k)| (f.to_string(), k.to_string()))
    .into();
    Some(Card {
        path: path.to_string(),
        has_front_matter: true,
        keys,
        license: match license {
            Some(l) => vec![l.to_string()],
            None => vec!["other".to_string()],
        },
        license_name: name,
        license_link: link,
        base_model,
        ..Default::default()
    })
}

/// The architecture keys that must be counts, and must agree: a value of
/// another type, an empty architecture name, no attention heads, or more KV
/// heads than heads are findings (the architecture would be misread).
fn architecture_keys(h: &GgufHeader, arch: &str, file: &str, out: &mut Vec<Finding>) {
    let warn = |msg: String| Finding::warning(Code::GgufInvalid, msg).in_file(file);
    if arch.trim().is_empty() {
        out.push(warn(
            "`general.architecture` is empty: loaders cannot tell what model this is".into(),
        ));
        return;
    }
    for key in [
        "block_count",
        "embedding_length",
        "feed_forward_length",
        "context_length",
        "attention.head_count",
        "attention.head_count_kv",
    ] {
        let full = format!("{arch}.{key}");
        if let Some(v) = h.get(&full) {
            if num(h, &full).is_none() {
                let shown = match v {
                    MetaValue::Int(i, _) => i.to_string(),
                    MetaValue::Float(f, _) => f.to_string(),
                    MetaValue::Bool(b) => b.to_string(),
                    MetaValue::String { text, .. } => {
                        format!("{:?}", text.chars().take(40).collect::<String>())
                    }
                    _ => "…".to_string(),
                };
                out.push(warn(format!(
                    "`{full}` is a {} ({shown}), not a count: it is ignored",
                    v.type_name()
                )));
            }
        }
    }
    let heads = num(h, &format!("{arch}.attention.head_count"));
    let kv = num(h, &format!("{arch}.attention.head_count_kv"));
    if heads == Some(0) {
        out.push(warn(format!(
            "`{arch}.attention.head_count` is 0: a model with attention needs heads"
        )));
    }
    if let (Some(heads), Some(kv)) = (heads.filter(|h| *h > 0), kv) {
        if kv > heads {
            out.push(warn(format!(
                "`{arch}.attention.head_count_kv` is {kv}, more than the {heads} attention heads"
            )));
        }
    }
}

/// The checks across the metadata and the tensors.
fn checks(
    h: &GgufHeader,
    first: &GgufScan,
    files: &[&GgufScan],
    w: &WeightsSummary,
    out: &mut Vec<Finding>,
) {
    let file = first.path.as_str();
    let arch = h.get_str("general.architecture");
    if arch.is_none() && h.complete {
        out.push(
            Finding::warning(
                Code::GgufInvalid,
                "no `general.architecture`: loaders cannot tell what model this is",
            )
            .in_file(file),
        );
    }
    if let Some(arch) = arch {
        architecture_keys(h, arch, file, out);
    }
    if let Some(arch) = arch {
        block_count_check(h, arch, file, w, out);
    }
    let tokens = h.get_array("tokenizer.ggml.tokens").map(|a| a.len);
    vocab_checks(h, arch, file, w, tokens, out);
    if let Some(tokens) = tokens {
        special_id_checks(h, file, tokens, out);
    }
    split_checks(h, file, files, out);
}

/// Blocks against blk.N: `{arch}.block_count` against the blocks the
/// tensors hold (MTP layers allowed), else holes in the numbering.
fn block_count_check(
    h: &GgufHeader,
    arch: &str,
    file: &str,
    w: &WeightsSummary,
    out: &mut Vec<Finding>,
) {
    let Some(expected) = num(h, &format!("{arch}.block_count")) else {
        return;
    };
    let indices: BTreeSet<u64> = w
        .counted_tensors()
        .filter_map(|t| match component_of(&t.info.name) {
            Component::Layer("blk", i) => Some(i),
            _ => None,
        })
        .collect();
    let found = indices.len() as u64;
    let extra = num(h, &format!("{arch}.nextn_predict_layers")).unwrap_or(0);
    if found > 0 && found != expected && found != expected + extra {
        out.push(
            Finding::error(
                Code::ConsistencyLayers,
                format!("{arch}.block_count is {expected}, but the tensors hold {found} blocks (`blk.N`)"),
            )
            .in_file(file),
        );
    } else if found > 0 {
        let missing: Vec<u64> = (0..found)
            .filter(|n| !indices.contains(n))
            .take(10)
            .collect();
        if !missing.is_empty() {
            out.push(
                Finding::error(
                    Code::ConsistencyLayers,
                    format!("block numbering has holes: `blk.N` missing for N in {missing:?}"),
                )
                .in_file(file),
            );
        }
    }
}

/// Vocabulary against the embedding rows: more tokens than rows is an
/// error, a `{arch}.vocab_size` other than the rows a warning.
fn vocab_checks(
    h: &GgufHeader,
    arch: Option<&str>,
    file: &str,
    w: &WeightsSummary,
    tokens: Option<u64>,
    out: &mut Vec<Finding>,
) {
    let embedding = w
        .counted_tensors()
        .find(|t| is_token_embedding(&t.info.name) && t.info.shape.len() == 2);
    let (Some(tokens), Some(e)) = (tokens, embedding) else {
        return;
    };
    let rows = e.info.shape[0];
    if tokens > rows {
        out.push(
            Finding::error(
                Code::ConsistencyVocabSize,
                format!(
                    "tokenizer.ggml.tokens has {tokens} tokens but `{}` has {rows} rows: {} token ids have no embedding",
                    e.info.name,
                    tokens - rows
                ),
            )
            .in_file(file)
            .on_tensor(e.info.name.clone()),
        );
    }
    if let Some(v) = arch.and_then(|a| num(h, &format!("{a}.vocab_size"))) {
        if v != rows {
            out.push(
                Finding::warning(
                    Code::ConsistencyVocabSize,
                    format!(
                        "{}.vocab_size is {v}, but `{}` has {rows} rows",
                        arch.unwrap_or(""),
                        e.info.name
                    ),
                )
                .in_file(file)
                .on_tensor(e.info.name.clone()),
            );
        }
    }
}

/// Special ids inside the vocabulary of `tokens` tokens.
fn special_id_checks(h: &GgufHeader, file: &str, tokens: u64, out: &mut Vec<Finding>) {
    for (key, role) in SPECIAL_TOKEN_KEYS {
        if let Some(id) = h.get_u64(key) {
            if id >= tokens {
                out.push(
                    Finding::warning(
                        Code::ConsistencySpecialTokens,
                        format!("{key} is {id}, beyond the {tokens} tokens of tokenizer.ggml.tokens (no {role} token)"),
                    )
                    .in_file(file),
                );
            }
        }
    }
}

/// Split metadata against the files: fewer files than `split.count`, or
/// (all files here) fewer tensors than `split.tensors.count`.
fn split_checks(h: &GgufHeader, file: &str, files: &[&GgufScan], out: &mut Vec<Finding>) {
    let Some(count) = h.get_u64("split.count").filter(|c| *c > 1) else {
        return;
    };
    if (files.len() as u64) < count {
        out.push(
            Finding::error(
                Code::GgufSplitIncomplete,
                format!(
                    "split.count says the model is in {count} files, but {} are here",
                    files.len()
                ),
            )
            .in_file(file),
        );
    }
    if let Some(total) = h.get_u64("split.tensors.count") {
        let have: u64 = files
            .iter()
            .filter_map(|s| s.header.as_ref())
            .map(|h| h.tensors.len() as u64)
            .sum();
        if have < total && (files.len() as u64) >= count {
            out.push(
                Finding::error(
                    Code::GgufSplitIncomplete,
                    format!("split.tensors.count says {total} tensors, but the files hold {have}"),
                )
                .in_file(file),
            );
        }
    }
}
