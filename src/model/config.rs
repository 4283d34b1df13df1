//! The architecture as config.json states it (also a nested `text_config`).

mod layers;
mod quant;

pub use quant::{read_hf_quant_config, KvCacheQuantization, QuantizationConfig};

use crate::model::block_configs;
use crate::model::recurrent::{read_recurrent, RecurrentConfig};
use crate::util::json::{as_u64, JsonDoc};
use layers::{layer_types, sliding_window};
use quant::{read_mlx_quantization, read_quantization};
use serde::Serialize;
use serde_json::Value;

/// Multi-head latent attention sizes (DeepSeek-V2/V3 style configs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MlaConfig {
    /// Rank of the compressed KV latent.
    pub kv_lora_rank: u64,
    /// Width of the decoupled rotary key.
    pub qk_rope_head_dim: u64,
    /// Width of the non-rotary query/key part.
    pub qk_nope_head_dim: Option<u64>,
    /// Width of each value head.
    pub v_head_dim: Option<u64>,
}

/// The architecture facts `mri` reads from config.json.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Architecture {
    /// `model_type`.
    pub model_type: Option<String>,
    /// `architectures`.
    pub architectures: Vec<String>,
    /// True when the language-model facts came from a nested config (`text_config`).
    pub nested_text_config: bool,
    /// Hidden (model) width.
    pub hidden_size: Option<u64>,
    /// Transformer blocks (of the encoder, in an encoder-decoder model).
    pub num_layers: Option<u64>,
    /// Decoder blocks of an encoder-decoder model, when stated apart
    /// (`num_decoder_layers`, `decoder_layers`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_decoder_layers: Option<u64>,
    /// True for an encoder-decoder model (T5, BART, Whisper, ...).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub encoder_decoder: bool,
    /// Attention (query) heads.
    pub num_attention_heads: Option<u64>,
    /// Key/value heads (GQA); equals the attention heads when not stated.
    pub num_key_value_heads: Option<u64>,
    /// Width of each head (stated, or hidden / heads; for MLA the query/key
    /// width, qk_nope_head_dim + qk_rope_head_dim).
    pub head_dim: Option<u64>,
    /// Feed-forward width.
    pub intermediate_size: Option<u64>,
    /// Vocabulary rows of the embedding.
    pub vocab_size: Option<u64>,
    /// Context length (`max_position_embeddings` and its aliases).
    pub context_length: Option<u64>,
    /// `rope_theta` (also from `rope_parameters`, the newer form).
    pub rope_theta: Option<f64>,
    /// `rope_scaling` as written, or `rope_parameters` when it scales
    /// (a `rope_type` other than `default`).
    pub rope_scaling: Option<Value>,
    /// `tie_word_embeddings`, when stated.
    pub tie_word_embeddings: Option<bool>,
    /// `torch_dtype` (or `dtype`).
    pub torch_dtype: Option<String>,
    /// Sliding-window size, when one is in force.
    pub sliding_window: Option<u64>,
    /// Tokens a chunked-attention layer attends to (`attention_chunk_size`, Llama 4).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attention_chunk_size: Option<u64>,
    /// Per-layer kinds (`full_attention`, `sliding_attention`,
    /// `chunked_attention`, `linear_attention`, `mamba`, `conv`, ...), as
    /// stated in `layer_types` or derived from the family's pattern keys.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub layer_types: Vec<String>,
    /// Routed experts (mixture of experts).
    pub num_experts: Option<u64>,
    /// Experts active per token.
    pub num_experts_per_token: Option<u64>,
    /// Extra multi-token-prediction layers stored after the main ones (DeepSeek-V3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_nextn_predict_layers: Option<u64>,
    /// Final layers that reuse an earlier layer's keys and values and keep
    /// no KV cache of their own (Gemma 3n's `num_kv_shared_layers`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub num_kv_shared_layers: Option<u64>,
    /// MLA sizes, for DeepSeek-style attention.
    pub mla: Option<MlaConfig>,
    /// Width of the keys DeepSeek sparse attention's lightning indexer
    /// caches per token in every layer (`index_head_dim`, DeepSeek-V3.2).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_head_dim: Option<u64>,
    /// The sizes of the state-space or linear-attention layers (Mamba,
    /// Mamba-2, gated DeltaNet, short convolutions), when there are any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recurrent: Option<RecurrentConfig>,
    /// `quantization_config`, summarised.
    pub quantization: Option<QuantizationConfig>,
    /// Keys config.json leaves out that were taken from the defaults of
    /// transformers' config class for this `model_type` (or derived by that
    /// class's rule, as GPT-2's 4 × hidden feed-forward width).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub defaults_applied: Vec<String>,
    /// `bos_token_id` in config.json.
    #[serde(skip)]
    pub bos_token_ids: Vec<u64>,
    /// `eos_token_id` in config.json.
    #[serde(skip)]
    pub eos_token_ids: Vec<u64>,
}

/// Nested configs that hold the language model of a multimodal model.
const NESTED: &[&str] = &[
    "text_config",
    "llm_config",
    "language_config",
    "thinker_config",
];

/// Model types whose configs describe an encoder-decoder model.
const ENCODER_DECODER: &[&str] = &[
    "t5",
    "mt5",
    "umt5",
    "longt5",
    "switch_transformers",
    "bart",
    "mbart",
    "pegasus",
    "marian",
    "blenderbot",
    "m2m_100",
    "nllb-moe",
    "whisper",
    "led",
    "plbart",
    "fsmt",
    "prophetnet",
];

/// Model types whose feed-forward width defaults to 4 × hidden when
/// config.json leaves it out or sets it to null (GPT-2's `n_inner`).
const FOUR_TIMES_HIDDEN: &[&str] = &[
    "gpt2",
    "gptj",
    "gpt_neo",
    "gpt_bigcode",
    "codegen",
    "falcon",
    "bloom",
];

/// Where [`read_architecture`] looks a key up: the nested text config, the
/// top level, then the transformers defaults of the model type.
struct Scopes<'a> {
    nested: Option<&'a Value>,
    top: &'a Value,
    defaults: Option<&'static Value>,
    applied: std::cell::RefCell<Vec<String>>,
}

impl<'a> Scopes<'a> {
    /// The first non-null value of any of `keys` as config.json states it.
    fn stated(&self, keys: &[&str]) -> Option<&'a Value> {
        for scope in self.nested.iter().copied().chain(std::iter::once(self.top)) {
            for k in keys {
                if let Some(v) = scope.get(*k).filter(|v| !v.is_null()) {
                    return Some(v);
                }
            }
        }
        None
    }

    /// True when any scope writes one of `keys`, even as null (a stated
    /// null, as Mistral's `"sliding_window": null`, is not replaced by a default).
    fn written(&self, keys: &[&str]) -> bool {
        self.nested
            .iter()
            .copied()
            .chain(std::iter::once(self.top))
            .any(|scope| keys.iter().any(|k| scope.get(*k).is_some()))
    }

    /// As [`Scopes::stated`], else the model type's default (noted as applied)
    /// when config.json does not write the key at all.
    fn get(&self, keys: &[&str]) -> Option<&'a Value> {
        self.stated(keys).or_else(|| {
            if self.written(keys) {
                return None;
            }
            let d = self.defaults?;
            keys.iter().find_map(|k| {
                let v = d.get(*k)?;
                self.applied.borrow_mut().push((*k).to_string());
                Some(v)
            })
        })
    }

    /// As [`Scopes::get`], as a count.
    fn num(&self, keys: &[&str]) -> Option<u64> {
        self.get(keys).and_then(as_u64)
    }
}

/// The dtype Qwen (v1) configs name by one flag of `bf16`, `fp16`, `fp32`
/// set to true (none set means "chosen at load time": no dtype).
fn dtype_flag(s: &Scopes<'_>) -> Option<String> {
    [
        ("bf16", "bfloat16"),
        ("fp16", "float16"),
        ("fp32", "float32"),
    ]
    .into_iter()
    .find(|(flag, _)| s.stated(&[flag]).and_then(Value::as_bool) == Some(true))
    .map(|(_, dtype)| dtype.to_string())
}

/// The attention and feed-forward sub-objects MosaicML's configs (MPT,
/// DBRX) keep some of the architecture in: `attn_config` (`kv_n_heads`,
/// `rope_theta`, `attn_type`) and `ffn_config` (`ffn_hidden_size`,
/// `moe_num_experts`, `moe_top_k`).
struct SubConfigs<'a> {
    attn: Option<&'a Value>,
    ffn: Option<&'a Value>,
}

impl<'a> SubConfigs<'a> {
    /// The sub-objects, where config.json states them as objects.
    fn of(s: &Scopes<'a>) -> Self {
        let object = |key: &str| s.stated(&[key]).filter(|v| v.is_object());
        SubConfigs {
            attn: object("attn_config"),
            ffn: object("ffn_config"),
        }
    }

    /// KV heads by `attn_config`: one for multi-query attention,
    /// `kv_n_heads` for grouped-query attention or where no `attn_type` is
    /// written (DBRX); none for multi-head attention, whose `kv_n_heads`
    /// MPT ignores.
    fn kv_heads(&self) -> Option<u64> {
        let attn = self.attn?;
        match attn.get("attn_type").and_then(Value::as_str) {
            Some("multiquery_attention") => Some(1),
            Some("grouped_query_attention") | None => attn.get("kv_n_heads").and_then(as_u64),
            Some(_) => None,
        }
    }

    /// A number of `ffn_config`.
    fn ffn_num(&self, key: &str) -> Option<u64> {
        self.ffn?.get(key).and_then(as_u64)
    }
}

/// Reads the architecture from a parsed config.json.
pub fn read_architecture(doc: &JsonDoc) -> Architecture {
    let top = &doc.value;
    let nested = nested_text_config(top);
    let model_type = top
        .get("model_type")
        .and_then(Value::as_str)
        .map(str::to_string);
    // The type whose rules apply to the language model: the nested config's.
    let lm_type: Option<&str> = match nested {
        Some(n) => crate::model::defaults::nested_model_type(model_type.as_deref(), n),
        None => model_type.as_deref(),
    };
    let s = Scopes {
        nested,
        top,
        defaults: lm_type.and_then(crate::model::defaults::for_model_type),
        applied: Default::default(),
    };
    let lookup = |keys: &[&str]| s.get(keys);
    let num = |keys: &[&str]| s.num(keys);

    let sub = SubConfigs::of(&s);
    let blocks = s
        .stated(&["block_configs"])
        .and_then(Value::as_array)
        .map(Vec::as_slice);
    let Shape {
        hidden_size,
        num_layers,
        num_decoder_layers,
        num_attention_heads,
        num_key_value_heads,
        mla,
        head_dim,
    } = Shape::read(&s, &sub, blocks);
    let intermediate_size = intermediate_size(&s, &sub, blocks, hidden_size, lm_type);
    let sliding_window = sliding_window(&lookup);
    let attention_chunk_size = num(&["attention_chunk_size"]).filter(|c| *c > 0);
    let layer_types = layer_types(&lookup, lm_type, num_layers, sliding_window);
    let (rope_theta, rope_scaling) = rope(&s);
    let rope_theta = rope_theta.or_else(|| sub.attn?.get("rope_theta")?.as_f64());

    let arch = Architecture {
        model_type: model_type.clone(),
        architectures: architectures(top),
        nested_text_config: nested.is_some(),
        hidden_size,
        num_layers,
        num_decoder_layers,
        encoder_decoder: is_encoder_decoder(top, model_type.as_deref()),
        num_attention_heads,
        num_key_value_heads,
        head_dim,
        intermediate_size,
        vocab_size: num(&["vocab_size", "padded_vocab_size", "n_vocab"]),
        context_length: context_length(&s),
        rope_theta,
        rope_scaling,
        tie_word_embeddings: lookup(&["tie_word_embeddings", "tie_embedding"])
            .and_then(Value::as_bool),
        torch_dtype: torch_dtype(&s),
        sliding_window,
        attention_chunk_size,
        layer_types,
        num_experts: num(&["num_experts", "n_routed_experts", "num_local_experts"])
            .or_else(|| sub.ffn_num("moe_num_experts")),
        num_experts_per_token: num(&["num_experts_per_tok", "num_experts_per_token", "moe_topk"])
            .or_else(|| sub.ffn_num("moe_top_k")),
        num_nextn_predict_layers: num(&["num_nextn_predict_layers"]).filter(|n| *n > 0),
        num_kv_shared_layers: num(&["num_kv_shared_layers"]).filter(|n| *n > 0),
        mla,
        recurrent: read_recurrent(&lookup, lm_type, hidden_size),
        index_head_dim: num(&["index_head_dim"]).filter(|d| *d > 0),
        quantization: quantization(top, nested),
        defaults_applied: Vec::new(),
        bos_token_ids: crate::util::json::id_list(lookup(&["bos_token_id"])),
        eos_token_ids: crate::util::json::id_list(lookup(&["eos_token_id"])),
    };
    let mut applied = s.applied.into_inner();
    applied.sort();
    applied.dedup();
    Architecture {
        defaults_applied: applied,
        ..arch
    }
}

/// The nested config that holds the language model's facts (`text_config`
/// and its kin, see `NESTED`), when there is one; `thinker_config` nests
/// once more (Qwen-Omni).
fn nested_text_config(top: &Value) -> Option<&Value> {
    for key in NESTED {
        if let Some(v) = top.get(*key).filter(|v| v.is_object()) {
            // thinker_config nests once more (Qwen-Omni).
            return Some(v.get("text_config").filter(|t| t.is_object()).unwrap_or(v));
        }
    }
    None
}

/// The `architectures` list (the model classes), strings only.
fn architectures(top: &Value) -> Vec<String> {
    top.get("architectures")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// The transformer's widths, depths and attention heads.
struct Shape {
    /// The hidden size.
    hidden_size: Option<u64>,
    /// The layers (an encoder-decoder's encoder layers where only those are named).
    num_layers: Option<u64>,
    /// An encoder-decoder's decoder layers, when stated.
    num_decoder_layers: Option<u64>,
    /// The attention heads.
    num_attention_heads: Option<u64>,
    /// The KV heads.
    num_key_value_heads: Option<u64>,
    /// Multi-head latent attention, when `kv_lora_rank` is stated.
    mla: Option<MlaConfig>,
    /// The head dim.
    head_dim: Option<u64>,
}

impl Shape {
    /// Reads the shape under each family's key names; KV heads fall back to
    /// MosaicML's `attn_config`, DeciLM's block configs, `multi_query`, then
    /// the attention heads; the head dim to MLA's, then hidden / heads.
    fn read(s: &Scopes<'_>, sub: &SubConfigs<'_>, blocks: Option<&[Value]>) -> Self {
        let num = |keys: &[&str]| s.num(keys);
        let hidden_size = num(&["hidden_size", "n_embd", "d_model", "dim", "model_dim"]);
        let num_layers = num(&[
            "num_hidden_layers",
            "n_layer",
            "num_layers",
            "n_layers",
            "num_transformer_layers",
            "encoder_layers",
        ]);
        let num_decoder_layers = s
            .stated(&["num_decoder_layers", "decoder_layers"])
            .and_then(as_u64);
        let num_attention_heads = num(&[
            "num_attention_heads",
            "n_head",
            "num_heads",
            "n_heads",
            "decoder_attention_heads",
            "encoder_attention_heads",
        ]);
        let num_key_value_heads = num(&[
            "num_key_value_heads",
            "n_kv_heads",
            "num_kv_heads",
            "n_head_kv",
            "multi_query_group_num",
        ])
        .or_else(|| sub.kv_heads())
        .or_else(|| block_configs::kv_heads(blocks?, num_attention_heads?))
        .or_else(|| {
            s.get(&["multi_query"])
                .and_then(Value::as_bool)
                .filter(|b| *b)
                .map(|_| 1)
        })
        .or(num_attention_heads);
        let mla = num(&["kv_lora_rank"]).map(|kv_lora_rank| MlaConfig {
            kv_lora_rank,
            qk_rope_head_dim: num(&["qk_rope_head_dim"]).unwrap_or(0),
            qk_nope_head_dim: num(&["qk_nope_head_dim"]),
            v_head_dim: num(&["v_head_dim"]),
        });
        let head_dim = num(&["head_dim", "attention_head_size", "kv_channels", "d_kv"])
            .or_else(|| {
                let mla = mla.as_ref()?;
                mla.qk_nope_head_dim?.checked_add(mla.qk_rope_head_dim)
            })
            .or_else(|| match (hidden_size, num_attention_heads) {
                (Some(h), Some(n)) if n > 0 => Some(h / n),
                _ => None,
            });
        Shape {
            hidden_size,
            num_layers,
            num_decoder_layers,
            num_attention_heads,
            num_key_value_heads,
            mla,
            head_dim,
        }
    }
}

/// The feed-forward width under each family's key names, else MosaicML's
/// `ffn_config`, DeciLM's block configs, MPT's `expansion_ratio`, and 4 ×
/// hidden for the families whose default that is (noted as applied).
fn intermediate_size(
    s: &Scopes<'_>,
    sub: &SubConfigs<'_>,
    blocks: Option<&[Value]>,
    hidden_size: Option<u64>,
    lm_type: Option<&str>,
) -> Option<u64> {
    let mut intermediate_size = s
        .num(&[
            "intermediate_size",
            "n_inner",
            "ffn_dim",
            "ffn_hidden_size",
            "d_ff",
            // BART, Whisper, Marian, M2M100: the decoder's (and, as a rule, the
            // encoder's) feed-forward width.
            "decoder_ffn_dim",
            "encoder_ffn_dim",
        ])
        .or_else(|| sub.ffn_num("ffn_hidden_size"))
        .or_else(|| block_configs::intermediate_size(blocks?, hidden_size?))
        .or_else(|| {
            // MPT: the feed-forward width as a multiple of d_model.
            let ratio = s.stated(&["expansion_ratio"]).and_then(as_u64)?;
            hidden_size?.checked_mul(ratio)
        });
    if intermediate_size.is_none() && lm_type.is_some_and(|t| FOUR_TIMES_HIDDEN.contains(&t)) {
        intermediate_size = hidden_size.and_then(|h| h.checked_mul(4));
        if intermediate_size.is_some() {
            s.applied
                .borrow_mut()
                .push("intermediate_size (4 × hidden)".to_string());
        }
    }
    intermediate_size
}

/// The dtype as `torch_dtype` (or transformers 5's `dtype`) names it, else
/// by Qwen's flags.
fn torch_dtype(s: &Scopes<'_>) -> Option<String> {
    s.get(&["torch_dtype", "dtype"])
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| dtype_flag(s))
}

/// The context length under each family's key names.
fn context_length(s: &Scopes<'_>) -> Option<u64> {
    s.num(&[
        "max_position_embeddings",
        "n_positions",
        "max_sequence_length",
        "seq_length",
        "max_seq_len",
        "max_context_length",
        "n_ctx",
        "model_max_length",
        // the decoder's context of an encoder-decoder (Whisper)
        "max_target_positions",
    ])
}

/// The quantization config (top level, else in the nested text config),
/// else MLX's top-level `quantization`.
fn quantization(top: &Value, nested: Option<&Value>) -> Option<QuantizationConfig> {
    top.get("quantization_config")
        .or_else(|| nested.and_then(|n| n.get("quantization_config")))
        .and_then(read_quantization)
        .or_else(|| top.get("quantization").and_then(read_mlx_quantization))
}

/// True for an encoder-decoder model: `is_encoder_decoder`, or a model type
/// known to be one.
fn is_encoder_decoder(top: &Value, model_type: Option<&str>) -> bool {
    top.get("is_encoder_decoder").and_then(Value::as_bool) == Some(true)
        || model_type.is_some_and(|t| ENCODER_DECODER.contains(&t))
}

/// `rope_theta` and the scaling: the old keys (`rope_theta`, `rope_scaling`)
/// as stated, else `rope_parameters` (transformers 5; per layer kind in
/// some families, where the full-attention layers' entry is taken), else the
/// model type's default theta.
fn rope(s: &Scopes<'_>) -> (Option<f64>, Option<Value>) {
    let params = s.stated(&["rope_parameters"]).filter(|p| p.is_object());
    let main = params.map(|p| {
        p.get("full_attention")
            .filter(|v| v.is_object())
            .unwrap_or(p)
    });
    let theta = s
        .stated(&["rope_theta", "rotary_emb_base"])
        .and_then(Value::as_f64)
        .or_else(|| main?.get("rope_theta")?.as_f64())
        .or_else(|| s.get(&["rope_theta"]).and_then(Value::as_f64));
    let scaling = s.stated(&["rope_scaling"]).cloned().or_else(|| {
        main.filter(|m| {
            m.get("rope_type")
                .or_else(|| m.get("type"))
                .and_then(Value::as_str)
                .is_some_and(|t| t != "default")
        })
        .cloned()
    });
    (theta, scaling)
}

/// The architecture keys whose value must be a number.
const COUNT_KEYS: &[&str] = &[
    "hidden_size",
    "num_hidden_layers",
    "num_attention_heads",
    "num_key_value_heads",
    "head_dim",
    "intermediate_size",
    "vocab_size",
    "max_position_embeddings",
    "sliding_window",
];

/// `config/invalid` warnings for architecture keys (at the top level or in
/// the nested text config) written as something other than a count, as
/// `"hidden_size": "64"`, `"vocab_size": -1` or `"hidden_size": 1.5`: mri
/// reads them as absent, and loaders fail or misread them.
pub fn mistyped_counts(doc: &JsonDoc) -> Vec<crate::finding::Finding> {
    use crate::finding::{Code, Finding};
    let top = &doc.value;
    let scopes = std::iter::once(("", top)).chain(
        NESTED
            .iter()
            .filter_map(|k| top.get(*k).filter(|v| v.is_object()).map(|v| (*k, v))),
    );
    let mut out = Vec::new();
    for (scope, value) in scopes {
        for key in COUNT_KEYS {
            let Some(v) = value.get(*key) else { continue };
            let counted = crate::util::json::as_u64(v).is_some();
            if v.is_null() || counted {
                continue;
            }
            let name = if scope.is_empty() {
                (*key).to_string()
            } else {
                format!("{scope}.{key}")
            };
            let mut text = v.to_string();
            if text.len() > 40 {
                text = format!("{}…", text.chars().take(40).collect::<String>());
            }
            let what = if v.is_number() {
                "not a whole number of at least 0"
            } else {
                "not a number"
            };
            out.push(
                Finding::warning(
                    Code::ConfigInvalid,
                    format!("`{name}` is {text}, {what}: it is read as absent, and loaders may fail on it"),
                )
                .in_file(&doc.path)
                .at_optional_line(doc.key_line(key)),
            );
        }
    }
    out
}

impl Architecture {
    /// True for an encoder-only model (BERT and its kin): no KV cache.
    pub fn is_encoder_only(&self) -> bool {
        const ENCODERS: &[&str] = &[
            "bert",
            "roberta",
            "xlm-roberta",
            "xlm-roberta-xl",
            "deberta",
            "deberta-v2",
            "electra",
            "distilbert",
            "albert",
            "mpnet",
            "camembert",
            "modernbert",
            "nomic_bert",
            "megatron-bert",
            "mobilebert",
            "squeezebert",
            "roformer",
            "ernie",
            "esm",
            "longformer",
            "big_bird",
            "funnel",
            "data2vec-text",
            "luke",
            "xlm",
            "flaubert",
            "jina_bert",
        ];
        self.model_type
            .as_deref()
            .is_some_and(|t| ENCODERS.contains(&t))
            || (!self.architectures.is_empty()
                && self
                    .architectures
                    .iter()
                    .all(|a| a.ends_with("ForMaskedLM")))
    }

    /// True for a model with no attention layers (state-space, RWKV): its
    /// recurrent state has a fixed size, not a per-token KV cache. A config
    /// of the `state-spaces` repositories names no model type: Mamba layers
    /// with no attention heads and no layer kinds are the whole model.
    pub fn is_attention_free(&self) -> bool {
        if self.recurrent.is_some()
            && self.num_attention_heads.is_none()
            && self.layer_types.is_empty()
        {
            return true;
        }
        const RECURRENT: &[&str] = &[
            "mamba",
            "mamba2",
            "falcon_mamba",
            "rwkv",
            "rwkv5",
            "rwkv6",
            "rwkv7",
            "xlstm",
        ];
        self.model_type
            .as_deref()
            .is_some_and(|t| RECURRENT.contains(&t))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::util::json::parse_doc;

    fn arch(json: &str) -> Architecture {
        read_architecture(&parse_doc("config.json", json.to_string()).unwrap())
    }

    #[test]
    fn llama_like_config_is_read() {
        let a = arch(
            r#"{"model_type":"llama","architectures":["LlamaForCausalLM"],"hidden_size":4096,"num_hidden_layers":32,"num_attention_heads":32,"num_key_value_heads":8,"intermediate_size":14336,"vocab_size":128256,"max_position_embeddings":131072,"rope_theta":500000.0,"rope_scaling":{"rope_type":"llama3","factor":8.0},"tie_word_embeddings":false,"torch_dtype":"bfloat16","eos_token_id":[128001,128008,128009]}"#,
        );
        assert_eq!(a.head_dim, Some(128));
        assert_eq!(a.num_key_value_heads, Some(8));
        assert_eq!(a.context_length, Some(131072));
        assert_eq!(a.tie_word_embeddings, Some(false));
        assert_eq!(a.eos_token_ids, [128001, 128008, 128009]);
        assert!(a.rope_scaling.is_some());
    }

    #[test]
    fn nested_text_config_wins_for_language_facts() {
        let a = arch(
            r#"{"model_type":"gemma3","text_config":{"hidden_size":2560,"num_hidden_layers":34,"num_attention_heads":8,"num_key_value_heads":4,"head_dim":256,"sliding_window":1024,"sliding_window_pattern":6},"vision_config":{"hidden_size":1152,"num_hidden_layers":27}}"#,
        );
        assert!(a.nested_text_config);
        assert_eq!(a.num_layers, Some(34));
        assert_eq!(a.head_dim, Some(256));
        assert_eq!(a.layer_types.len(), 34);
        assert_eq!(a.layer_types[5], "full_attention");
        assert_eq!(a.layer_types[0], "sliding_attention");
    }

    #[test]
    fn qwen_sliding_window_off_means_none() {
        let a = arch(
            r#"{"model_type":"qwen2","num_hidden_layers":4,"sliding_window":4096,"use_sliding_window":false}"#,
        );
        assert_eq!(a.sliding_window, None);
        assert!(a.layer_types.is_empty());
    }

    #[test]
    fn mlx_quantization_is_read_from_the_top_level_key() {
        let a = arch(
            r#"{"model_type":"qwen3","quantization":{"group_size":64,"bits":4,"model.layers.0.mlp.down_proj":{"group_size":64,"bits":8}},"quantization_config":{"group_size":64,"bits":4}}"#,
        );
        let q = a.quantization.unwrap();
        assert_eq!(q.method, "mlx");
        assert_eq!((q.bits, q.group_size), (Some(4), Some(64)));
        let gptq = arch(
            r#"{"quantization":{"bits":4},"quantization_config":{"quant_method":"gptq","bits":4}}"#,
        );
        assert_eq!(
            gptq.quantization.unwrap().method,
            "gptq",
            "a stated method wins"
        );
    }

    #[test]
    fn a_kv_cache_quantization_is_read_from_modelopt_and_compressed_tensors() {
        let q = read_hf_quant_config(&serde_json::json!({
            "producer": {"name": "modelopt"},
            "quantization": {"quant_algo": "NVFP4", "kv_cache_quant_algo": "FP8", "group_size": 16}
        }))
        .unwrap();
        let kv = q.kv_cache.unwrap();
        assert_eq!((kv.scheme.as_str(), kv.bits), ("FP8", Some(8)));
        let none = read_hf_quant_config(&serde_json::json!({
            "quantization": {"quant_algo": "FP8", "kv_cache_quant_algo": null}
        }))
        .unwrap();
        assert!(none.kv_cache.is_none());
        let a = arch(
            r#"{"quantization_config":{"quant_method":"compressed-tensors","config_groups":{"group_0":{"weights":{"num_bits":8,"type":"float"}}},"kv_cache_scheme":{"num_bits":8,"type":"float","strategy":"tensor","dynamic":false,"symmetric":true}}}"#,
        );
        let kv = a.quantization.unwrap().kv_cache.unwrap();
        assert_eq!((kv.scheme.as_str(), kv.bits), ("float8", Some(8)));
        let a = arch(
            r#"{"quantization_config":{"quant_method":"compressed-tensors","kv_cache_scheme":null}}"#,
        );
        assert!(a.quantization.unwrap().kv_cache.is_none());
    }

    #[test]
    fn mla_and_quantization_are_read() {
        let a = arch(
            r#"{"model_type":"deepseek_v3","kv_lora_rank":512,"qk_rope_head_dim":64,"qk_nope_head_dim":128,"v_head_dim":128,"num_nextn_predict_layers":1,"quantization_config":{"quant_method":"fp8","weight_block_size":[128,128]}}"#,
        );
        assert_eq!(a.mla.as_ref().unwrap().kv_lora_rank, 512);
        assert_eq!(a.num_nextn_predict_layers, Some(1));
        assert_eq!(a.quantization.as_ref().unwrap().method, "fp8");
        let a = arch(
            r#"{"quantization_config":{"quant_method":"compressed-tensors","format":"pack-quantized","config_groups":{"group_0":{"weights":{"num_bits":4}}},"ignore":["lm_head"]}}"#,
        );
        let q = a.quantization.unwrap();
        assert_eq!(q.bits, Some(4));
        assert_eq!(q.not_converted, ["lm_head"]);
        let a =
            arch(r#"{"quantization_config":{"load_in_4bit":true,"bnb_4bit_quant_type":"nf4"}}"#);
        assert_eq!(a.quantization.unwrap().bits, Some(4));
    }

    #[test]
    fn a_fractional_bitrate_is_kept_beside_whole_bits() {
        // ExLlamaV2 states its average target bitrate.
        let q =
            arch(r#"{"quantization_config":{"quant_method":"exl2","bits":4.65,"head_bits":6}}"#)
                .quantization
                .unwrap();
        assert_eq!((q.bits, q.bits_per_weight), (None, Some(4.65)));
        // Whole bits stay in `bits` alone.
        let q = arch(r#"{"quantization_config":{"quant_method":"gptq","bits":4}}"#)
            .quantization
            .unwrap();
        assert_eq!((q.bits, q.bits_per_weight), (Some(4), None));
        let q = arch(r#"{"quantization_config":{"quant_method":"exl2","bits":-3.5}}"#)
            .quantization
            .unwrap();
        assert_eq!(q.bits_per_weight, None);
    }

    #[test]
    fn minimal_nested_configs_take_the_text_models_transformers_defaults() {
        // gemma-3-4b-it states only what differs from Gemma3TextConfig.
        let a = arch(
            r#"{"model_type":"gemma3","text_config":{"hidden_size":2560,"intermediate_size":10240,"model_type":"gemma3_text","num_hidden_layers":34,"sliding_window":1024}}"#,
        );
        assert_eq!(a.num_attention_heads, Some(8));
        assert_eq!(a.num_key_value_heads, Some(4));
        assert_eq!(a.head_dim, Some(256));
        assert_eq!(a.context_length, Some(131072));
        assert_eq!(
            a.layer_types
                .iter()
                .filter(|t| *t == "full_attention")
                .count(),
            5
        );
        assert!(a
            .defaults_applied
            .contains(&"num_attention_heads".to_string()));
        assert!(!a.defaults_applied.contains(&"hidden_size".to_string()));
        // Llava's text_config names only its model_type and a few keys.
        let a = arch(
            r#"{"model_type":"llava","text_config":{"model_type":"llama","max_position_embeddings":4096,"vocab_size":32064}}"#,
        );
        assert_eq!((a.hidden_size, a.num_layers), (Some(4096), Some(32)));
        assert_eq!(a.vocab_size, Some(32064));
        // A key written as null is not replaced by a default.
        let a = arch(r#"{"model_type":"mistral","sliding_window":null}"#);
        assert_eq!(a.sliding_window, None);
        assert_eq!(a.num_key_value_heads, Some(8));
        // An unknown model type gets no defaults.
        let a = arch(r#"{"model_type":"brand-new","hidden_size":64}"#);
        assert!(a.defaults_applied.is_empty() && a.num_layers.is_none());
    }

    #[test]
    fn rope_parameters_are_read_when_the_old_keys_are_absent() {
        let a = arch(
            r#"{"model_type":"llama","rope_parameters":{"rope_theta":500000.0,"rope_type":"llama3","factor":8.0}}"#,
        );
        assert_eq!(a.rope_theta, Some(500000.0));
        assert_eq!(a.rope_scaling.unwrap()["rope_type"], "llama3");
        let a = arch(
            r#"{"model_type":"gemma3_text","rope_parameters":{"full_attention":{"rope_theta":1000000.0,"rope_type":"default"},"sliding_attention":{"rope_theta":10000.0,"rope_type":"default"}}}"#,
        );
        assert_eq!(a.rope_theta, Some(1000000.0));
        assert!(a.rope_scaling.is_none(), "default rope does not scale");
        let a =
            arch(r#"{"model_type":"llama","rope_theta":1.5,"rope_parameters":{"rope_theta":9.0}}"#);
        assert_eq!(a.rope_theta, Some(1.5), "the old key, when stated, wins");
    }

    #[test]
    fn family_specific_keys_are_read() {
        let t5 = arch(
            r#"{"model_type":"t5","is_encoder_decoder":true,"d_model":1024,"d_kv":128,"d_ff":16384,"num_layers":24,"num_heads":32}"#,
        );
        assert_eq!(
            (t5.head_dim, t5.intermediate_size),
            (Some(128), Some(16384))
        );
        assert!(t5.encoder_decoder);
        let whisper = arch(
            r#"{"model_type":"whisper","is_encoder_decoder":true,"d_model":384,"decoder_ffn_dim":1536,"encoder_ffn_dim":1536}"#,
        );
        assert_eq!(whisper.intermediate_size, Some(1536));
        let el2 = arch(r#"{"model_type":"t5","num_layers":2,"num_decoder_layers":6}"#);
        assert_eq!((el2.num_layers, el2.num_decoder_layers), (Some(2), Some(6)));
        let falcon = arch(
            r#"{"model_type":"RefinedWeb","hidden_size":8192,"n_head":128,"n_head_kv":8,"n_layer":60}"#,
        );
        assert_eq!(falcon.num_key_value_heads, Some(8));
        let gpt2 = arch(r#"{"model_type":"gpt2","n_embd":768,"n_inner":null}"#);
        assert_eq!(gpt2.intermediate_size, Some(3072));
        let lfm2 = arch(r#"{"model_type":"lfm2","tie_embedding":true}"#);
        assert_eq!(lfm2.tie_word_embeddings, Some(true));
        let mla = arch(
            r#"{"model_type":"deepseek_v3","hidden_size":7168,"num_attention_heads":128,"kv_lora_rank":512,"qk_rope_head_dim":64,"qk_nope_head_dim":128}"#,
        );
        assert_eq!(mla.head_dim, Some(192));
        let q = arch(
            r#"{"quantization_config":{"quant_method":"modelopt","quant_algo":"NVFP4","exclude_modules":["lm_head"]}}"#,
        )
        .quantization
        .unwrap();
        assert_eq!(q.algorithm.as_deref(), Some("NVFP4"));
        assert_eq!(q.not_converted, ["lm_head"]);
    }

    #[test]
    fn hybrid_and_chunked_layer_kinds_are_derived() {
        let count =
            |a: &Architecture, kind: &str| a.layer_types.iter().filter(|t| *t == kind).count();
        let jamba = arch(r#"{"num_hidden_layers":32,"attn_layer_period":8,"attn_layer_offset":4}"#);
        assert_eq!(count(&jamba, "full_attention"), 4);
        assert_eq!(jamba.layer_types[4], "full_attention");
        let next = arch(r#"{"num_hidden_layers":48,"full_attention_interval":4}"#);
        assert_eq!(count(&next, "linear_attention"), 36);
        assert_eq!(next.layer_types[3], "full_attention");
        let nemotron = arch(r#"{"num_hidden_layers":6,"hybrid_override_pattern":"M-M*-E"}"#);
        assert_eq!(
            nemotron.layer_types,
            ["mamba", "mlp", "mamba", "full_attention", "mlp", "moe"]
        );
        let minimax = arch(r#"{"num_hidden_layers":4,"attn_type_list":[0,0,0,1]}"#);
        assert_eq!(count(&minimax, "linear_attention"), 3);
        let scout = arch(
            r#"{"model_type":"llama4","text_config":{"model_type":"llama4_text","num_hidden_layers":48,"attention_chunk_size":8192}}"#,
        );
        assert_eq!(scout.attention_chunk_size, Some(8192));
        assert_eq!(count(&scout, "chunked_attention"), 36);
        assert_eq!(scout.layer_types[3], "full_attention");
        let stated = arch(
            r#"{"model_type":"llama4_text","num_hidden_layers":4,"attention_chunk_size":8192,"no_rope_layers":[1,1,0,1]}"#,
        );
        assert_eq!(stated.layer_types[2], "full_attention");
        assert_eq!(count(&stated, "chunked_attention"), 3);
    }

    #[test]
    fn mosaicml_attention_and_feed_forward_sub_configs_are_read() {
        let dbrx = arch(
            r#"{"model_type":"dbrx","d_model":6144,"n_heads":48,"n_layers":40,"max_seq_len":32768,"attn_config":{"kv_n_heads":8,"rope_theta":500000},"ffn_config":{"ffn_hidden_size":10752,"moe_num_experts":16,"moe_top_k":4}}"#,
        );
        assert_eq!(dbrx.num_key_value_heads, Some(8));
        assert_eq!(dbrx.head_dim, Some(128));
        assert_eq!(dbrx.rope_theta, Some(500000.0));
        assert_eq!(dbrx.intermediate_size, Some(10752));
        assert_eq!(dbrx.num_experts, Some(16));
        assert_eq!(dbrx.num_experts_per_token, Some(4));
        // MPT: kv_n_heads counts only for grouped-query attention.
        let mpt = |attn: &str| {
            arch(&format!(
                r#"{{"model_type":"mpt","d_model":4096,"n_heads":32,"expansion_ratio":4,"attn_config":{attn}}}"#
            ))
        };
        let mha = mpt(r#"{"attn_type":"multihead_attention","kv_n_heads":1}"#);
        assert_eq!(mha.num_key_value_heads, Some(32));
        assert_eq!(mha.intermediate_size, Some(16384));
        let gqa = mpt(r#"{"attn_type":"grouped_query_attention","kv_n_heads":8}"#);
        assert_eq!(gqa.num_key_value_heads, Some(8));
        let mqa = mpt(r#"{"attn_type":"multiquery_attention"}"#);
        assert_eq!(mqa.num_key_value_heads, Some(1));
        // OpenELM's names for layers and context (its heads are per-layer
        // lists, which no single count states).
        let openelm = arch(
            r#"{"model_type":"openelm","model_dim":1280,"num_transformer_layers":16,"max_context_length":2048,"num_kv_heads":[3,3,4,4],"head_dim":64}"#,
        );
        assert_eq!(openelm.num_layers, Some(16));
        assert_eq!(openelm.context_length, Some(2048));
        assert_eq!(openelm.num_key_value_heads, None);
        // Qwen (v1), Baichuan and Whisper spellings.
        let qwen = arch(
            r#"{"model_type":"qwen","kv_channels":128,"seq_length":8192,"rotary_emb_base":10000,"bf16":true,"fp16":false}"#,
        );
        assert_eq!(qwen.rope_theta, Some(10000.0));
        assert_eq!(qwen.torch_dtype.as_deref(), Some("bfloat16"));
        assert_eq!(arch(r#"{"bf16":false,"fp16":false}"#).torch_dtype, None);
        assert_eq!(
            arch(r#"{"model_max_length":4096}"#).context_length,
            Some(4096)
        );
        let whisper = arch(
            r#"{"model_type":"whisper","max_source_positions":1500,"max_target_positions":448}"#,
        );
        assert_eq!(whisper.context_length, Some(448));
        // Mllama's cross-attention layers, by index.
        let mllama = arch(
            r#"{"model_type":"mllama","text_config":{"num_hidden_layers":5,"cross_attention_layers":[1,3]}}"#,
        );
        assert_eq!(
            mllama.layer_types,
            [
                "full_attention",
                "cross_attention",
                "full_attention",
                "cross_attention",
                "full_attention"
            ]
        );
        // Falcon-7B leaves its context to FalconConfig's default.
        let falcon = arch(
            r#"{"model_type":"falcon","hidden_size":4544,"num_hidden_layers":32,"num_attention_heads":71,"multi_query":true}"#,
        );
        assert_eq!(falcon.context_length, Some(2048));
        assert_eq!(falcon.num_key_value_heads, Some(1));
        assert!(falcon
            .defaults_applied
            .contains(&"max_position_embeddings".to_string()));
        // Falcon-40B's stated KV heads win over the multi-query default.
        let f40 = arch(
            r#"{"model_type":"falcon","num_attention_heads":128,"num_kv_heads":8,"new_decoder_architecture":true}"#,
        );
        assert_eq!(f40.num_key_value_heads, Some(8));
        // Gemma 3n's KV-sharing layers, in its text_config.
        let gemma3n = arch(
            r#"{"model_type":"gemma3n","text_config":{"num_hidden_layers":35,"num_kv_shared_layers":15}}"#,
        );
        assert_eq!(gemma3n.num_kv_shared_layers, Some(15));
        assert_eq!(
            arch(r#"{"num_kv_shared_layers":0}"#).num_kv_shared_layers,
            None
        );
        // A top-level key wins over the sub-config.
        let top = arch(r#"{"num_key_value_heads":4,"attn_config":{"kv_n_heads":8}}"#);
        assert_eq!(top.num_key_value_heads, Some(4));
    }

    #[test]
    fn encoders_and_state_space_models_are_told_apart() {
        assert!(arch(r#"{"model_type":"bert"}"#).is_encoder_only());
        assert!(arch(r#"{"architectures":["FooForMaskedLM"]}"#).is_encoder_only());
        assert!(!arch(r#"{"model_type":"llama"}"#).is_encoder_only());
        assert!(arch(r#"{"model_type":"mamba2"}"#).is_attention_free());
        assert!(!arch(r#"{"model_type":"jamba"}"#).is_attention_free());
    }

    #[test]
    fn counts_written_as_strings_are_warned_about_with_their_line() {
        let doc = parse_doc(
            "config.json",
            "{\n  \"hidden_size\": \"64\",\n  \"num_hidden_layers\": 2,\n  \"text_config\": {\"vocab_size\": [1]}\n}".to_string(),
        )
        .unwrap();
        let found = mistyped_counts(&doc);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(
            found[0].message.contains("`hidden_size` is \"64\""),
            "{}",
            found[0].message
        );
        assert_eq!(found[0].line, Some(2));
        assert!(found[1].message.contains("`text_config.vocab_size`"));
        assert!(mistyped_counts(
            &parse_doc("config.json", "{\"hidden_size\": 64}".into()).unwrap()
        )
        .is_empty());
        // negative and fractional counts too; a whole float is a count
        let doc = parse_doc(
            "config.json",
            "{\n  \"vocab_size\": -32000,\n  \"hidden_size\": 64.5,\n  \"num_hidden_layers\": 2.0\n}"
                .to_string(),
        )
        .unwrap();
        let found = mistyped_counts(&doc);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0]
            .message
            .contains("`hidden_size` is 64.5, not a whole number"));
        assert_eq!(found[0].line, Some(3));
        assert!(found[1].message.contains("`vocab_size` is -32000"));
        assert_eq!(found[1].line, Some(2));
    }

    #[test]
    fn bits_are_read_where_each_scheme_writes_them() {
        let bits = |q: &str| {
            read_quantization(&serde_json::from_str(q).expect("json"))
                .map(|q| (q.bits, q.group_size))
        };
        assert_eq!(
            bits(
                r#"{"quant_method":"hqq","quant_config":{"weight_quant_params":{"nbits":4,"group_size":64}}}"#
            ),
            Some((Some(4), Some(64)))
        );
        assert_eq!(
            bits(r#"{"quant_method":"quanto","weights":"int8"}"#),
            Some((Some(8), None))
        );
        assert_eq!(
            bits(r#"{"quant_method":"eetq","weights":"int8"}"#),
            Some((Some(8), None))
        );
        assert_eq!(
            bits(r#"{"quant_method":"torchao","quant_type":"int4_weight_only"}"#),
            Some((Some(4), None))
        );
        assert_eq!(
            bits(
                r#"{"quant_method":"aqlm","nbits_per_codebook":16,"num_codebooks":1,"in_group_size":8}"#
            ),
            Some((Some(2), None))
        );
        assert_eq!(
            bits(
                r#"{"quant_method":"aqlm","nbits_per_codebook":16,"num_codebooks":1,"in_group_size":0}"#
            ),
            Some((None, None))
        );
        assert_eq!(
            bits(r#"{"quant_method":"fp8","weight_block_size":[128,128]}"#),
            Some((Some(8), None))
        );
        assert_eq!(bits(r#"{"quant_method":"mxfp4"}"#), Some((Some(4), None)));
        // A stated `bits` wins; an unknown method states none.
        assert_eq!(
            bits(r#"{"quant_method":"gptq","bits":3}"#),
            Some((Some(3), None))
        );
        assert_eq!(bits(r#"{"quant_method":"bitnet"}"#), Some((None, None)));
    }

    #[test]
    fn modelopt_hf_quant_config_reads_as_a_modelopt_quantization_config() {
        let doc: Value = serde_json::from_str(
            r#"{"producer":{"name":"modelopt","version":"0.29.0"},"quantization":{"quant_algo":"NVFP4","kv_cache_quant_algo":null,"group_size":16,"exclude_modules":["lm_head","model.layers.0.mlp.gate"]}}"#,
        )
        .expect("json");
        let q = super::read_hf_quant_config(&doc).expect("a quantization");
        assert_eq!(q.method, "modelopt");
        assert_eq!(q.algorithm.as_deref(), Some("NVFP4"));
        assert_eq!(q.group_size, Some(16));
        assert_eq!(q.not_converted, vec!["lm_head", "model.layers.0.mlp.gate"]);
        let none: Value =
            serde_json::from_str(r#"{"producer":{"name":"modelopt"},"quantization":{}}"#)
                .expect("json");
        assert_eq!(super::read_hf_quant_config(&none), None);
    }
}
