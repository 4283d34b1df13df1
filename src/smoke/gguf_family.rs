//! The GGUF architectures `mri smoke` runs: for each, the metadata keys and
//! tensors candle-transformers' quantized model reads, checked all at once
//! before loading (candle stops at the first missing one, and divides by
//! head counts it never checks), then the model itself.
//!
//! | `general.architecture` | candle-transformers module |
//! |---|---|
//! | `llama` (and `mistral`, whose keys are read as `llama.*`) | `quantized_llama` |
//! | `qwen2` | `quantized_qwen2` |
//! | `qwen3` | `quantized_qwen3` |
//! | `phi3` | `quantized_phi3` |
//! | `gemma3` | `quantized_gemma3` |
//!
//! On the CPU, dense Llama, Qwen2, Qwen3 and Phi-3 files run on this
//! crate's forward in `llama_quant`, mixture-of-experts Llamas on
//! `llama_moe`'s, Gemma 3 on `gemma_quant`'s (the checks are the same:
//! those forwards read what candle's models read, a Gemma 3's
//! `rope.scaling.factor` besides, and a mixture's experts stacked in
//! `ffn_*_exps` tensors as llama.cpp writes them today, which only the CPU
//! path reads).

use super::gemma_quant::QuantGemma;
use super::gguf_header::OwnTensors;
use super::gguf_meta::{self, MetaProblem, Metadata, Want};
use super::llama_moe::QuantMoe;
use super::llama_quant::{Flavor, QuantLlama};
use super::model::Decoder;
use candle_core::quantized::gguf_file::{Content, TensorInfo, Value};
use candle_core::quantized::GgmlDType;
use candle_core::{Device, Tensor};
use candle_transformers::models::{
    quantized_gemma3, quantized_llama, quantized_phi3, quantized_qwen2, quantized_qwen3,
};
use std::collections::HashMap;
use std::io::{Read, Seek};

/// A GGUF architecture that runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GgufFamily {
    /// Llama-style decoders (Llama 1/2/3, Mistral, SmolLM, TinyLlama...): `quantized_llama`.
    Llama,
    /// Qwen2 and Qwen2.5: `quantized_qwen2`.
    Qwen2,
    /// Qwen3 (dense): `quantized_qwen3`.
    Qwen3,
    /// Phi-3 and Phi-3.5: `quantized_phi3`.
    Phi3,
    /// Gemma 3 (text): `quantized_gemma3`.
    Gemma3,
}

/// The rope table length candle's quantized llama builds.
const LLAMA_MAX_SEQ_LEN: u64 = quantized_llama::MAX_SEQ_LEN as u64;
/// The rope table length candle's quantized gemma3 builds for every layer.
const GEMMA3_MAX_SEQ_LEN: u64 = quantized_gemma3::MAX_SEQ_LEN as u64;

impl GgufFamily {
    /// Every family, in the order messages list them.
    pub const ALL: [GgufFamily; 5] = [
        GgufFamily::Llama,
        GgufFamily::Qwen2,
        GgufFamily::Qwen3,
        GgufFamily::Phi3,
        GgufFamily::Gemma3,
    ];

    /// The `general.architecture` the family is named by.
    pub fn name(self) -> &'static str {
        match self {
            GgufFamily::Llama => "llama",
            GgufFamily::Qwen2 => "qwen2",
            GgufFamily::Qwen3 => "qwen3",
            GgufFamily::Phi3 => "phi3",
            GgufFamily::Gemma3 => "gemma3",
        }
    }

    /// The family for a `general.architecture` value.
    pub fn from_architecture(arch: &str) -> Option<GgufFamily> {
        Some(match arch {
            "llama" | "mistral" => GgufFamily::Llama,
            "qwen2" => GgufFamily::Qwen2,
            "qwen3" => GgufFamily::Qwen3,
            "phi3" => GgufFamily::Phi3,
            "gemma3" => GgufFamily::Gemma3,
            _ => return None,
        })
    }

    /// The architectures, for messages: `llama (and mistral), qwen2, ...`.
    pub fn supported_list() -> String {
        let names: Vec<String> = GgufFamily::ALL
            .iter()
            .map(|f| match f {
                GgufFamily::Llama => "llama (also mistral)".to_string(),
                other => other.name().to_string(),
            })
            .collect();
        format!(
            "{} and {}",
            names[..names.len() - 1].join(", "),
            names[names.len() - 1]
        )
    }

    /// Metadata keys the loader reads, with the type it reads them as;
    /// `true` when required.
    fn keys(self) -> &'static [(&'static str, Want, bool)] {
        use Want::{F32, U32};
        match self {
            GgufFamily::Llama => &[
                ("attention.head_count", U32, true),
                ("attention.head_count_kv", U32, true),
                ("block_count", U32, true),
                ("embedding_length", U32, true),
                ("rope.dimension_count", U32, true),
                ("attention.layer_norm_rms_epsilon", F32, true),
                ("rope.freq_base", F32, false),
                ("expert_count", U32, false),
                ("expert_used_count", U32, false),
                ("context_length", U32, false),
            ],
            GgufFamily::Qwen2 => &[
                ("attention.head_count", U32, true),
                ("attention.head_count_kv", U32, true),
                ("embedding_length", U32, true),
                ("context_length", U32, true),
                ("block_count", U32, true),
                ("attention.layer_norm_rms_epsilon", F32, true),
                ("rope.freq_base", F32, false),
            ],
            GgufFamily::Qwen3 => &[
                ("attention.head_count", U32, true),
                ("attention.head_count_kv", U32, true),
                ("attention.key_length", U32, true),
                ("block_count", U32, true),
                ("embedding_length", U32, true),
                ("context_length", U32, true),
                ("attention.layer_norm_rms_epsilon", F32, true),
                ("rope.freq_base", F32, true),
            ],
            GgufFamily::Phi3 => &[
                ("attention.head_count", U32, true),
                ("attention.head_count_kv", U32, true),
                ("block_count", U32, true),
                ("embedding_length", U32, true),
                ("context_length", U32, true),
                ("feed_forward_length", U32, true),
                ("rope.dimension_count", U32, true),
                ("attention.layer_norm_rms_epsilon", F32, true),
            ],
            GgufFamily::Gemma3 => &[
                ("attention.head_count", U32, true),
                ("attention.head_count_kv", U32, true),
                ("block_count", U32, true),
                ("embedding_length", U32, true),
                ("attention.key_length", U32, true),
                ("attention.value_length", U32, true),
                ("attention.layer_norm_rms_epsilon", F32, true),
                ("attention.sliding_window", U32, true),
                ("attention.sliding_window_type", U32, false),
                ("rope.freq_base", F32, false),
                ("rope.local_freq_base", F32, false),
                ("rope.scaling.factor", F32, false),
                ("context_length", U32, false),
            ],
        }
    }
}

/// The sizes a checked file implies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hparams {
    /// Transformer blocks.
    pub blocks: u64,
    /// Embedding width.
    pub hidden: u64,
    /// Attention heads.
    pub heads: u64,
    /// Key/value heads.
    pub kv_heads: u64,
    /// Width of one head.
    pub head_dim: u64,
    /// MLP width.
    pub ffn: u64,
    /// Rows of `token_embd.weight` (the vocabulary the model has).
    pub vocab: u64,
    /// Whether `output.weight` is absent (the embedding is reused).
    pub tied: bool,
    /// Positions the run may use: the context length, or candle's table length.
    pub max_positions: u64,
}

/// Why a file cannot be run, found before loading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum CheckError {
    /// Metadata keys missing or of the wrong type.
    Metadata(Vec<String>),
    /// Values candle cannot compute with (zero heads, indivisible widths...).
    Config(String),
    /// Tensors missing or of the wrong shape.
    Tensors {
        /// How many problems in all.
        count: usize,
        /// The first problems, one per line.
        problems: Vec<String>,
    },
}

/// What a successful check found.
#[derive(Debug, Clone)]
pub(crate) struct Checked {
    /// The sizes.
    pub hparams: Hparams,
    /// Every tensor the loader will read, by name.
    pub used: Vec<String>,
    /// Things worth knowing (what candle ignores).
    pub notes: Vec<String>,
}

fn key(family: GgufFamily, k: &str) -> String {
    format!("{}.{k}", family.name())
}

/// Checks `content` for what `family`'s loader reads; normalises integer
/// and float widths, and maps `mistral.*` keys to `llama.*`.
pub(crate) fn check(
    family: GgufFamily,
    arch: &str,
    content: &mut Content,
    own: &OwnTensors,
) -> Result<Checked, CheckError> {
    let md = &mut content.metadata;
    if family == GgufFamily::Llama && arch != "llama" {
        read_as_llama(md, arch);
    }
    normalise_keys(family, md)?;
    let sizes = Sizes::read(family, md)?;
    check_family_config(family, md, &sizes)?;
    let infos = &content.tensor_infos;
    let tensors = check_tensors(family, md, (infos, own), &sizes)?;
    check_whole_blocks(infos, own, &tensors.used)?;
    Ok(Checked {
        hparams: Hparams {
            blocks: sizes.blocks,
            hidden: sizes.hidden,
            heads: sizes.heads,
            kv_heads: sizes.kv_heads,
            head_dim: sizes.head_dim,
            ffn: tensors.ffn,
            vocab: tensors.vocab,
            tied: tensors.tied,
            max_positions: max_positions(family, sizes.context),
        },
        used: tensors.used,
        notes: notes(family, infos),
    })
}

/// A Mistral GGUF is a llama one under another prefix: copies its
/// `{arch}.*` keys to `llama.*` (keys already there are kept).
fn read_as_llama(md: &mut Metadata, arch: &str) {
    let prefix = format!("{arch}.");
    let renamed: Vec<(String, Value)> = md
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix(&prefix)
                .map(|rest| (format!("llama.{rest}"), v.clone()))
        })
        .collect();
    for (k, v) in renamed {
        md.entry(k).or_insert(v);
    }
}

/// Checks that every key the loader requires is there, and normalises the
/// integer and float widths of those it reads; all problems at once.
fn normalise_keys(family: GgufFamily, md: &mut Metadata) -> Result<(), CheckError> {
    let mut problems = Vec::new();
    for (k, want, required) in family.keys() {
        let full = key(family, k);
        if *required && !md.contains_key(&full) {
            problems.push(MetaProblem::Missing(full).to_string());
            continue;
        }
        if let Err(p) = gguf_meta::normalise(md, &full, *want) {
            problems.push(p.to_string());
        }
    }
    if !problems.is_empty() {
        return Err(CheckError::Metadata(problems));
    }
    Ok(())
}

/// A `{family}.{k}` key as u64 (0 when absent or not a u32).
fn get(family: GgufFamily, md: &Metadata, k: &str) -> u64 {
    gguf_meta::u32_of(md, &key(family, k))
        .ok()
        .flatten()
        .map_or(0, u64::from)
}

/// The sizes the metadata states, checked so that candle can compute with
/// them (non-zero heads, divisible widths, an even head).
struct Sizes {
    /// Attention heads.
    heads: u64,
    /// Key/value heads.
    kv_heads: u64,
    /// Transformer blocks.
    blocks: u64,
    /// Embedding width.
    hidden: u64,
    /// The context length (0 when not stated).
    context: u64,
    /// Width of one head.
    head_dim: u64,
}

impl Sizes {
    /// Reads and checks the sizes.
    fn read(family: GgufFamily, md: &Metadata) -> Result<Sizes, CheckError> {
        let heads = get(family, md, "attention.head_count");
        let kv_heads = get(family, md, "attention.head_count_kv");
        let blocks = get(family, md, "block_count");
        let hidden = get(family, md, "embedding_length");
        let context = get(family, md, "context_length");
        for (name, v) in [
            ("attention.head_count", heads),
            ("attention.head_count_kv", kv_heads),
            ("embedding_length", hidden),
        ] {
            if v == 0 {
                return Err(CheckError::Config(format!("{} is 0", key(family, name))));
            }
        }
        if !heads.is_multiple_of(kv_heads) {
            return Err(CheckError::Config(format!(
                "{heads} attention heads are not a multiple of {kv_heads} key/value heads"
            )));
        }
        let head_dim = match family {
            GgufFamily::Qwen3 | GgufFamily::Gemma3 => get(family, md, "attention.key_length"),
            _ => {
                if !hidden.is_multiple_of(heads) {
                    return Err(CheckError::Config(format!(
                        "the embedding length {hidden} is not a multiple of {heads} heads"
                    )));
                }
                hidden / heads
            }
        };
        if head_dim == 0 || head_dim % 2 != 0 {
            return Err(CheckError::Config(format!(
                "a head is {head_dim} wide: rotary embeddings need an even, non-zero width"
            )));
        }
        Ok(Sizes {
            heads,
            kv_heads,
            blocks,
            hidden,
            context,
            head_dim,
        })
    }
}

/// What one family's loader assumes beyond the sizes: whole-head rotary
/// (llama, phi3), equal key and value widths (gemma3), a dense model
/// (llama). For qwen3, asks candle for f32 rotary tables.
fn check_family_config(
    family: GgufFamily,
    md: &mut Metadata,
    sizes: &Sizes,
) -> Result<(), CheckError> {
    let head_dim = sizes.head_dim;
    if matches!(family, GgufFamily::Llama | GgufFamily::Phi3) {
        let rope = get(family, md, "rope.dimension_count");
        if rope != head_dim {
            return Err(CheckError::Config(format!(
                "{} is {rope}, a head is {head_dim} wide: candle's quantized {} rotates whole heads only",
                key(family, "rope.dimension_count"),
                family.name()
            )));
        }
    }
    if family == GgufFamily::Gemma3 {
        let v = get(family, md, "attention.value_length");
        if v != head_dim {
            return Err(CheckError::Config(format!(
                "key length {head_dim} and value length {v} differ: candle's quantized gemma3 assumes they are equal"
            )));
        }
        if get(family, md, "attention.sliding_window") == 0 {
            return Err(CheckError::Config(format!(
                "{} is 0",
                key(family, "attention.sliding_window")
            )));
        }
        if md.contains_key(&key(family, "attention.sliding_window_type"))
            && get(family, md, "attention.sliding_window_type") == 0
        {
            return Err(CheckError::Config(format!(
                "{} is 0",
                key(family, "attention.sliding_window_type")
            )));
        }
    }
    let experts = get(family, md, "expert_count");
    if family == GgufFamily::Llama && experts > 1 {
        let used = get(family, md, "expert_used_count");
        if experts > MAX_EXPERTS {
            return Err(CheckError::Config(format!(
                "{} is {experts}: llama.cpp reads at most {MAX_EXPERTS} experts",
                key(family, "expert_count")
            )));
        }
        if used == 0 || used > experts {
            return Err(CheckError::Config(format!(
                "{} is {used}: a token needs 1 to {experts} of the {experts} experts",
                key(family, "expert_used_count")
            )));
        }
    }
    if family == GgufFamily::Qwen3 && !md.contains_key("general.dtype") {
        // candle builds Qwen3's rotary tables in f16 unless told otherwise;
        // llama.cpp computes them in f32.
        md.insert("general.dtype".into(), Value::U32(0));
    }
    Ok(())
}

/// The most experts a mixture may have (llama.cpp's `LLAMA_MAX_EXPERTS`).
const MAX_EXPERTS: u64 = 512;

/// The experts of a Llama mixture (0 or 1: a dense model).
pub(crate) fn expert_count(content: &Content) -> u64 {
    get(GgufFamily::Llama, &content.metadata, "expert_count")
}

/// Whether a mixture stores its experts stacked (`ffn_gate_exps`, as
/// llama.cpp writes them today) rather than one tensor each.
fn stacked_experts(infos: &HashMap<String, TensorInfo>, own: &OwnTensors) -> bool {
    let name = "blk.0.ffn_gate_exps.weight";
    infos.contains_key(name) || own.contains_key(name)
}

/// The most shape problems listed; the rest are counted.
const MAX_TENSOR_PROBLEMS: usize = 20;

/// The tensor check's state: the file's tensors, the problems found (the
/// first [`MAX_TENSOR_PROBLEMS`] kept, all counted), every tensor read.
struct TensorCheck<'a> {
    /// The file's tensors, by name.
    infos: &'a HashMap<String, TensorInfo>,
    /// Those of types candle cannot hold.
    own: &'a OwnTensors,
    /// Problems in all.
    count: usize,
    /// The first problems, one line each.
    problems: Vec<String>,
    /// Every tensor the loader will read, in order.
    used: Vec<String>,
}

impl TensorCheck<'_> {
    /// A tensor's shape, if the file has it.
    fn dims(&self, name: &str) -> Option<Vec<u64>> {
        match self.infos.get(name) {
            Some(t) => Some(dims_u64(t)),
            None => self.own.get(name).map(|t| t.shape.clone()),
        }
    }

    /// Records a problem.
    fn problem(&mut self, line: String) {
        self.count += 1;
        if self.problems.len() < MAX_TENSOR_PROBLEMS {
            self.problems.push(line);
        }
    }

    /// Expects tensor `name` of `shape`; records it as read.
    fn expect(&mut self, name: String, shape: Vec<u64>) {
        match self.dims(&name) {
            None => self.problem(format!("missing tensor {name} (shape {shape:?})")),
            Some(found) if found != shape => self.problem(format!(
                "tensor {name} has shape {found:?}, the metadata implies {shape:?}"
            )),
            Some(_) => {}
        }
        self.used.push(name);
    }

    /// The vocabulary: the rows of `token_embd.weight` when it is
    /// `[vocab, hidden]`, else 0 with a problem recorded.
    fn vocab(&mut self, hidden: u64) -> u64 {
        match self.dims("token_embd.weight").as_deref() {
            Some([rows, cols]) if *cols == hidden => *rows,
            Some(other) => {
                self.problem(format!(
                    "tensor token_embd.weight has shape {other:?}, the metadata implies [vocab, {hidden}]"
                ));
                0
            }
            None => {
                self.problem(format!(
                    "missing tensor token_embd.weight (shape [vocab, {hidden}])"
                ));
                0
            }
        }
    }

    /// Expects block `b`'s router and experts (stacked, or one tensor each).
    fn expect_experts(&mut self, b: u64, w: &Widths) {
        let (hidden, ffn, n) = (w.hidden, w.ffn, w.experts);
        let p = format!("blk.{b}");
        self.expect(format!("{p}.ffn_gate_inp.weight"), vec![n, hidden]);
        if w.stacked {
            self.expect(format!("{p}.ffn_gate_exps.weight"), vec![n, ffn, hidden]);
            self.expect(format!("{p}.ffn_up_exps.weight"), vec![n, ffn, hidden]);
            self.expect(format!("{p}.ffn_down_exps.weight"), vec![n, hidden, ffn]);
            return;
        }
        for e in 0..n {
            self.expect(format!("{p}.ffn_gate.{e}.weight"), vec![ffn, hidden]);
            self.expect(format!("{p}.ffn_up.{e}.weight"), vec![ffn, hidden]);
            self.expect(format!("{p}.ffn_down.{e}.weight"), vec![hidden, ffn]);
        }
    }

    /// Expects the tensors of block `b`.
    fn expect_block(&mut self, family: GgufFamily, b: u64, w: &Widths) {
        let Widths {
            hidden,
            q,
            kv,
            ffn,
            head_dim,
            ..
        } = *w;
        let p = format!("blk.{b}");
        self.expect(format!("{p}.attn_norm.weight"), vec![hidden]);
        self.expect(format!("{p}.ffn_norm.weight"), vec![hidden]);
        match family {
            GgufFamily::Phi3 => {
                self.expect(
                    format!("{p}.attn_qkv.weight"),
                    vec![q.saturating_add(kv.saturating_mul(2)), hidden],
                );
                self.expect(format!("{p}.attn_output.weight"), vec![hidden, q]);
                self.expect(
                    format!("{p}.ffn_up.weight"),
                    vec![ffn.saturating_mul(2), hidden],
                );
                self.expect(format!("{p}.ffn_down.weight"), vec![hidden, ffn]);
            }
            _ => {
                self.expect(format!("{p}.attn_q.weight"), vec![q, hidden]);
                self.expect(format!("{p}.attn_k.weight"), vec![kv, hidden]);
                self.expect(format!("{p}.attn_v.weight"), vec![kv, hidden]);
                self.expect(format!("{p}.attn_output.weight"), vec![hidden, q]);
                if w.experts > 1 {
                    self.expect_experts(b, w);
                } else {
                    self.expect(format!("{p}.ffn_gate.weight"), vec![ffn, hidden]);
                    self.expect(format!("{p}.ffn_up.weight"), vec![ffn, hidden]);
                    self.expect(format!("{p}.ffn_down.weight"), vec![hidden, ffn]);
                }
            }
        }
        match family {
            GgufFamily::Qwen2 => {
                self.expect(format!("{p}.attn_q.bias"), vec![q]);
                self.expect(format!("{p}.attn_k.bias"), vec![kv]);
                self.expect(format!("{p}.attn_v.bias"), vec![kv]);
            }
            GgufFamily::Qwen3 => {
                self.expect(format!("{p}.attn_q_norm.weight"), vec![head_dim]);
                self.expect(format!("{p}.attn_k_norm.weight"), vec![head_dim]);
            }
            GgufFamily::Gemma3 => {
                self.expect(format!("{p}.attn_q_norm.weight"), vec![head_dim]);
                self.expect(format!("{p}.attn_k_norm.weight"), vec![head_dim]);
                self.expect(format!("{p}.post_attention_norm.weight"), vec![hidden]);
                self.expect(format!("{p}.post_ffw_norm.weight"), vec![hidden]);
            }
            _ => {}
        }
    }
}

/// The widths a block's tensors have.
#[derive(Clone, Copy)]
struct Widths {
    /// Embedding width.
    hidden: u64,
    /// All query heads together.
    q: u64,
    /// All key (or value) heads together.
    kv: u64,
    /// MLP width.
    ffn: u64,
    /// One head.
    head_dim: u64,
    /// Experts of a Llama mixture (0 or 1: dense).
    experts: u64,
    /// Whether the experts are stacked (`_exps`).
    stacked: bool,
}

/// What the tensor check found.
struct Tensors {
    /// Rows of `token_embd.weight` (0 when it is wrong).
    vocab: u64,
    /// Whether `output.weight` is absent.
    tied: bool,
    /// MLP width.
    ffn: u64,
    /// Every tensor the loader will read.
    used: Vec<String>,
}

/// Checks every tensor the loader reads for presence and shape; all
/// problems at once (the first [`MAX_TENSOR_PROBLEMS`] listed).
fn check_tensors(
    family: GgufFamily,
    md: &Metadata,
    (infos, own): (&HashMap<String, TensorInfo>, &OwnTensors),
    sizes: &Sizes,
) -> Result<Tensors, CheckError> {
    let Sizes {
        heads,
        kv_heads,
        blocks,
        hidden,
        head_dim,
        ..
    } = *sizes;
    // Each block has at least four tensors: a block count beyond the
    // tensor count is not worth listing block by block.
    let count = infos.len() + own.len();
    if blocks.saturating_mul(4) > count as u64 {
        return Err(CheckError::Tensors {
            count: 1,
            problems: vec![format!(
                "{} is {blocks}, but the file holds {} tensors in all",
                key(family, "block_count"),
                count
            )],
        });
    }
    let mut tc = TensorCheck {
        infos,
        own,
        count: 0,
        problems: Vec::new(),
        used: Vec::new(),
    };
    let vocab = tc.vocab(hidden);
    let tied = tc.dims("output.weight").is_none();
    if tied && family == GgufFamily::Phi3 {
        tc.problem(format!("missing tensor output.weight (shape [{vocab}, {hidden}]): candle's quantized phi3 does not reuse the embedding"));
    }
    let experts = match family {
        GgufFamily::Llama => get(family, md, "expert_count"),
        _ => 0,
    };
    let stacked = experts > 1 && stacked_experts(infos, own);
    let ffn = match family {
        GgufFamily::Phi3 => get(family, md, "feed_forward_length"),
        // The loaders take the MLP width from the tensors.
        _ => match (
            tc.dims("blk.0.ffn_up.weight").as_deref(),
            tc.dims("blk.0.ffn_up.0.weight").as_deref(),
            tc.dims("blk.0.ffn_up_exps.weight").as_deref(),
        ) {
            (Some([rows, _]), _, _) if experts <= 1 => *rows,
            (_, Some([rows, _]), _) if experts > 1 && !stacked => *rows,
            (_, _, Some([_, rows, _])) if stacked => *rows,
            _ => get(family, md, "feed_forward_length"),
        },
    };
    if vocab > 0 {
        tc.used.push("token_embd.weight".to_string());
    }
    let widths = Widths {
        hidden,
        q: heads.saturating_mul(head_dim),
        kv: kv_heads.saturating_mul(head_dim),
        ffn,
        head_dim,
        experts,
        stacked,
    };
    if vocab > 0 && !tied {
        tc.expect("output.weight".into(), vec![vocab, hidden]);
    }
    tc.expect("output_norm.weight".into(), vec![hidden]);
    for b in 0..blocks {
        tc.expect_block(family, b, &widths);
    }
    if tc.count > 0 {
        let mut problems = tc.problems;
        if tc.count > problems.len() {
            problems.push(format!("... and {} more", tc.count - problems.len()));
        }
        return Err(CheckError::Tensors {
            count: tc.count,
            problems,
        });
    }
    Ok(Tensors {
        vocab,
        tied,
        ffn,
        used: tc.used,
    })
}

/// Every tensor read must be a whole number of blocks of its type.
fn check_whole_blocks(
    infos: &HashMap<String, TensorInfo>,
    own: &OwnTensors,
    used: &[String],
) -> Result<(), CheckError> {
    for name in used {
        if let Some(t) = own.get(name) {
            if t.stored_bytes().is_none() {
                return Err(CheckError::Tensors {
                    count: 1,
                    problems: vec![format!(
                        "tensor {name} has shape {:?}: not a whole number of {} blocks of {}",
                        t.shape,
                        t.dtype.name().to_ascii_uppercase(),
                        t.dtype.block_values()
                    )],
                });
            }
        }
        if let Some(t) = infos.get(name) {
            let elems = dims_u64(t)
                .iter()
                .try_fold(1u64, |acc, d| acc.checked_mul(*d));
            let block = t.ggml_dtype.block_size() as u64;
            let Some(elems) = elems else {
                return Err(CheckError::Tensors {
                    count: 1,
                    problems: vec![format!(
                        "tensor {name} has shape {:?}: more values than 64 bits count",
                        t.shape.dims()
                    )],
                });
            };
            if block > 0 && elems % block != 0 {
                return Err(CheckError::Tensors {
                    count: 1,
                    problems: vec![format!(
                        "tensor {name} has {elems} values, not a whole number of {:?} blocks of {block}",
                        t.ggml_dtype
                    )],
                });
            }
        }
    }
    Ok(())
}

/// What candle ignores that llama.cpp reads: Llama 3's rope scaling, Phi-3's
/// LongRoPE factors.
fn notes(family: GgufFamily, infos: &HashMap<String, TensorInfo>) -> Vec<String> {
    let mut notes = Vec::new();
    if family == GgufFamily::Llama && infos.contains_key("rope_freqs.weight") {
        notes.push("rope_freqs.weight (Llama 3 rope scaling) is ignored by candle's quantized llama: logits differ slightly from llama.cpp's".into());
    }
    if family == GgufFamily::Phi3
        && infos
            .keys()
            .any(|k| k.starts_with("rope_factors_") || k.contains(".rope_factors_"))
    {
        notes.push("the LongRoPE factors are ignored by candle's quantized phi3: logits differ from llama.cpp's".into());
    }
    notes
}

/// Positions the run may use: the context length (when stated), at most
/// the rope table candle builds.
fn max_positions(family: GgufFamily, context: u64) -> u64 {
    let table = match family {
        GgufFamily::Llama => LLAMA_MAX_SEQ_LEN,
        GgufFamily::Gemma3 => GEMMA3_MAX_SEQ_LEN,
        _ => u64::MAX,
    };
    if context > 0 {
        context.min(table)
    } else {
        table
    }
}

/// A tensor's shape in candle's order (outermost first), as u64.
pub(crate) fn dims_u64(t: &TensorInfo) -> Vec<u64> {
    t.shape.dims().iter().map(|&d| d as u64).collect()
}

/// Bytes a tensor takes in the file, from its type's block size; `None` on
/// overflow or a partial block.
pub(crate) fn stored_bytes(t: &TensorInfo) -> Option<u64> {
    let elems = t
        .shape
        .dims()
        .iter()
        .try_fold(1u64, |acc, &d| acc.checked_mul(d as u64))?;
    let block = t.ggml_dtype.block_size() as u64;
    if block == 0 || elems % block != 0 {
        return None;
    }
    (elems / block).checked_mul(t.ggml_dtype.type_size() as u64)
}

/// Bytes a tensor takes once loaded: quantized blocks stay as they are;
/// float tensors are dequantized to f32 (candle's `QMatMul` and norms do).
pub(crate) fn loaded_bytes(t: &TensorInfo) -> u64 {
    match t.ggml_dtype {
        GgmlDType::F32 | GgmlDType::F16 | GgmlDType::BF16 => t
            .shape
            .dims()
            .iter()
            .fold(4u64, |acc, &d| acc.saturating_mul(d as u64)),
        _ => stored_bytes(t).unwrap_or(u64::MAX),
    }
}

/// Lets the run cut the rotary tables (and Phi-3's preallocated KV cache)
/// to `positions` rounded up (values unchanged): candle (and this crate's
/// Gemma 3) builds them for the whole context length from the metadata.
/// A Gemma 3 that states no context length gets the cut one (its tables
/// would otherwise have candle's 131,072 rows; candle's own model reads no
/// context length).
pub(crate) fn cut_context(family: GgufFamily, content: &mut Content, positions: u64) {
    if !matches!(
        family,
        GgufFamily::Qwen2 | GgufFamily::Qwen3 | GgufFamily::Phi3 | GgufFamily::Gemma3
    ) {
        return;
    }
    let k = key(family, "context_length");
    let context = match gguf_meta::u32_of(&content.metadata, &k) {
        Ok(Some(context)) => u64::from(context),
        Ok(None) if family == GgufFamily::Gemma3 => GEMMA3_MAX_SEQ_LEN,
        _ => return,
    };
    let cap = positions.next_power_of_two().max(512).min(context);
    if let Ok(cap) = u32::try_from(cap) {
        content.metadata.insert(k, Value::U32(cap));
    }
}

/// Bytes of the tables the model precomputes for positions (rotary
/// cos/sin), after [`cut_context`]; `own_forward`: the model is this
/// crate's ([`runs_own_types`]), whose Gemma 3 keeps two tables (global
/// and sliding layers) as long as the cut context where candle's keeps one
/// of 131,072 rows per layer.
pub(crate) fn table_bytes(
    family: GgufFamily,
    h: &Hparams,
    positions: u64,
    own_forward: bool,
) -> u64 {
    let cut = positions.next_power_of_two().max(512);
    let (rows, copies) = match family {
        GgufFamily::Llama => (LLAMA_MAX_SEQ_LEN, 1),
        GgufFamily::Gemma3 if own_forward => (cut, 2),
        GgufFamily::Gemma3 => (GEMMA3_MAX_SEQ_LEN.saturating_mul(h.blocks), 1),
        // candle's Qwen3 keeps an f32 copy as well.
        GgufFamily::Qwen3 => (cut, 2),
        _ => (cut, 1),
    };
    // cos and sin, half a head each, f32.
    rows.saturating_mul(h.head_dim)
        .saturating_mul(4)
        .saturating_mul(copies)
}

/// A loaded quantized model.
enum Loaded {
    Llama(quantized_llama::ModelWeights),
    /// A dense Llama or a Qwen2 on the CPU, with this crate's forward and
    /// quantized kernels.
    LlamaCpu(QuantLlama),
    Qwen2(quantized_qwen2::ModelWeights),
    Qwen3(quantized_qwen3::ModelWeights),
    Phi3(quantized_phi3::ModelWeights),
    Gemma3(quantized_gemma3::ModelWeights),
    /// A Gemma 3 on the CPU, with this crate's forward and quantized kernels.
    Gemma3Cpu(QuantGemma),
    /// A mixture-of-experts Llama on the CPU, with this crate's forward.
    MoeCpu(QuantMoe),
}

impl Decoder for Loaded {
    fn forward(&mut self, ids: &Tensor, offset: usize) -> candle_core::Result<Tensor> {
        match self {
            Loaded::Llama(m) => m.forward(ids, offset),
            Loaded::LlamaCpu(m) => m.forward(ids, offset),
            Loaded::Qwen2(m) => m.forward(ids, offset),
            Loaded::Qwen3(m) => m.forward(ids, offset),
            Loaded::Phi3(m) => m.forward(ids, offset),
            Loaded::Gemma3(m) => m.forward(ids, offset),
            Loaded::Gemma3Cpu(m) => m.forward(ids, offset),
            Loaded::MoeCpu(m) => m.forward(ids, offset),
        }
    }
}

/// Whether the model `load` builds for `family` on `device` is this
/// crate's forward (`llama_quant`, `llama_moe`, `gemma_quant`), which also
/// runs this crate's own tensor types (IQ4_XS): every family on the CPU
/// (off it, candle's models).
pub(crate) fn runs_own_types(family: GgufFamily, device: &Device) -> bool {
    match family {
        // Dense (`llama_quant`) or a mixture of experts (`llama_moe`).
        GgufFamily::Llama
        | GgufFamily::Qwen2
        | GgufFamily::Qwen3
        | GgufFamily::Phi3
        | GgufFamily::Gemma3 => matches!(device, Device::Cpu),
    }
}

/// Builds the model from a checked `content` (and `own`, the tensors of
/// types candle cannot hold, empty unless [`runs_own_types`]), reading the
/// tensors from `reader`.
pub(crate) fn load<R: Read + Seek>(
    family: GgufFamily,
    (content, own): (Content, &OwnTensors),
    reader: &mut R,
    device: &Device,
) -> candle_core::Result<Box<dyn Decoder>> {
    if !own.is_empty() && !runs_own_types(family, device) {
        candle_core::bail!("this model cannot run IQ4_XS tensors")
    }
    Ok(Box::new(match family {
        GgufFamily::Llama if runs_own_types(family, device) && expert_count(&content) > 1 => {
            Loaded::MoeCpu(QuantMoe::from_gguf(&content, own, reader)?)
        }
        GgufFamily::Llama
            if expert_count(&content) > 1
                && stacked_experts(&content.tensor_infos, &OwnTensors::new()) =>
        {
            candle_core::bail!(
                "a mixture of experts stored in stacked ffn_*_exps tensors runs on the CPU only \
                 (candle's quantized llama reads one tensor per expert)"
            )
        }
        GgufFamily::Llama if runs_own_types(family, device) => Loaded::LlamaCpu(
            QuantLlama::from_gguf_as(Flavor::Llama, &content, own, reader)?,
        ),
        GgufFamily::Qwen2 if runs_own_types(family, device) => Loaded::LlamaCpu(
            QuantLlama::from_gguf_as(Flavor::Qwen2, &content, own, reader)?,
        ),
        GgufFamily::Qwen3 if runs_own_types(family, device) => Loaded::LlamaCpu(
            QuantLlama::from_gguf_as(Flavor::Qwen3, &content, own, reader)?,
        ),
        GgufFamily::Phi3 if runs_own_types(family, device) => Loaded::LlamaCpu(
            QuantLlama::from_gguf_as(Flavor::Phi3, &content, own, reader)?,
        ),
        GgufFamily::Gemma3 if runs_own_types(family, device) => {
            Loaded::Gemma3Cpu(QuantGemma::from_gguf(&content, own, reader)?)
        }
        GgufFamily::Llama => Loaded::Llama(quantized_llama::ModelWeights::from_gguf(
            content, reader, device,
        )?),
        GgufFamily::Qwen2 => Loaded::Qwen2(quantized_qwen2::ModelWeights::from_gguf(
            content, reader, device,
        )?),
        GgufFamily::Qwen3 => Loaded::Qwen3(quantized_qwen3::ModelWeights::from_gguf(
            content, reader, device,
        )?),
        GgufFamily::Phi3 => Loaded::Phi3(quantized_phi3::ModelWeights::from_gguf(
            false, content, reader, device,
        )?),
        GgufFamily::Gemma3 => Loaded::Gemma3(quantized_gemma3::ModelWeights::from_gguf(
            content, reader, device,
        )?),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn architectures_map_to_families() {
        for f in GgufFamily::ALL {
            assert_eq!(GgufFamily::from_architecture(f.name()), Some(f));
        }
        assert_eq!(
            GgufFamily::from_architecture("mistral"),
            Some(GgufFamily::Llama)
        );
        assert_eq!(GgufFamily::from_architecture("gemma2"), None);
        assert_eq!(GgufFamily::from_architecture("bert"), None);
    }
}
