//! Tiny random-weight GGUF models for `mri smoke`, written with candle's
//! `gguf_file::write` at test time (a few tens of kilobytes each).
//!
//! Each carries the metadata keys candle-transformers' quantized loader for
//! its architecture reads, a tokenizer in `tokenizer.ggml.*` (byte-level BPE
//! trained on a small corpus, or a SentencePiece-style vocabulary with byte
//! fallback), and a mix of ggml types: attention in Q8_0, the MLP in Q4_0,
//! the embedding in Q8_0, norms in F32, and a F16 output where untied.

use super::fixture_gen::{Bpe, Rng};
use candle_core::quantized::gguf_file::{self, Value};
use candle_core::quantized::{GgmlDType, QTensor};
use candle_core::{Device, Tensor};
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

/// The architectures of the tiny GGUF models.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GgufArch {
    /// `llama`, gpt2 tokenizer with SmolLM's pre-tokenizer, tied output.
    Llama,
    /// `mistral` (read as llama), SentencePiece tokenizer, untied.
    Mistral,
    /// `qwen2`, attention biases, untied F16 output.
    Qwen2,
    /// `qwen3`, q/k norms, tied.
    Qwen3,
    /// `phi3`, fused qkv and gate/up, SentencePiece tokenizer.
    Phi3,
    /// `gemma3`, q/k norms, post norms, sliding-window layers, tied.
    Gemma3,
}

impl GgufArch {
    /// Every architecture.
    pub const ALL: [GgufArch; 6] = [
        GgufArch::Llama,
        GgufArch::Mistral,
        GgufArch::Qwen2,
        GgufArch::Qwen3,
        GgufArch::Phi3,
        GgufArch::Gemma3,
    ];

    /// `general.architecture`.
    pub fn name(self) -> &'static str {
        match self {
            GgufArch::Llama => "llama",
            GgufArch::Mistral => "mistral",
            GgufArch::Qwen2 => "qwen2",
            GgufArch::Qwen3 => "qwen3",
            GgufArch::Phi3 => "phi3",
            GgufArch::Gemma3 => "gemma3",
        }
    }

    fn seed(self) -> u64 {
        match self {
            GgufArch::Llama => 11,
            GgufArch::Mistral => 12,
            GgufArch::Qwen2 => 13,
            GgufArch::Qwen3 => 14,
            GgufArch::Phi3 => 15,
            GgufArch::Gemma3 => 16,
        }
    }

    fn sentencepiece(self) -> bool {
        matches!(self, GgufArch::Mistral | GgufArch::Phi3 | GgufArch::Gemma3)
    }
}

/// Sizes shared by every tiny model.
pub const HIDDEN: usize = 64;
pub const HEADS: usize = 4;
pub const KV_HEADS: usize = 2;
pub const HEAD_DIM: usize = 16;
pub const FFN: usize = 128;
pub const BLOCKS: usize = 2;
pub const CONTEXT: u32 = 256;

const CORPUS: &str =
    "The quick brown fox jumps over the lazy dog. The capital of France is Paris. \
A model holds the weights, the tokenizer and the configuration. In 2025 the model ran 12 tests.";

/// A GGUF model in memory: metadata and tensors, in file order, editable
/// before writing (for the broken variants).
pub struct GgufModel {
    pub metadata: Vec<(String, Value)>,
    pub tensors: Vec<(String, QTensor)>,
}

impl GgufModel {
    /// Sets (or adds) a metadata key.
    pub fn set(&mut self, key: &str, value: Value) {
        match self.metadata.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => self.metadata.push((key.to_string(), value)),
        }
    }

    /// Removes a metadata key; panics if absent (a test bug).
    pub fn remove_key(&mut self, key: &str) {
        let before = self.metadata.len();
        self.metadata.retain(|(k, _)| k != key);
        assert!(self.metadata.len() < before, "no key {key}");
    }

    /// Removes a tensor; panics if absent.
    pub fn remove_tensor(&mut self, name: &str) {
        let before = self.tensors.len();
        self.tensors.retain(|(n, _)| n != name);
        assert!(self.tensors.len() < before, "no tensor {name}");
    }

    /// Replaces (or adds) a tensor.
    pub fn put_tensor(&mut self, name: &str, t: QTensor) {
        match self.tensors.iter_mut().find(|(n, _)| n == name) {
            Some(slot) => slot.1 = t,
            None => self.tensors.push((name.to_string(), t)),
        }
    }

    /// Writes the file.
    pub fn write(&self, path: &Path) -> candle_core::Result<()> {
        let mut w = BufWriter::new(File::create(path)?);
        let md: Vec<(&str, &Value)> = self.metadata.iter().map(|(k, v)| (k.as_str(), v)).collect();
        let ts: Vec<(&str, &QTensor)> = self.tensors.iter().map(|(k, v)| (k.as_str(), v)).collect();
        gguf_file::write(&mut w, &md, &ts)?;
        Ok(())
    }
}

/// A tensor of uniform values in [-scale, scale), quantized to `dtype`.
pub fn random_qtensor(rng: &mut Rng, shape: &[usize], scale: f32, dtype: GgmlDType) -> QTensor {
    let n: usize = shape.iter().product();
    let values: Vec<f32> = (0..n).map(|_| rng.unit() * scale).collect();
    let t = Tensor::from_vec(values, shape, &Device::Cpu).expect("tensor");
    QTensor::quantize(&t, dtype).expect("quantize")
}

/// An F32 tensor of one value.
pub fn const_qtensor(shape: &[usize], value: f32) -> QTensor {
    let n: usize = shape.iter().product();
    let t = Tensor::from_vec(vec![value; n], shape, &Device::Cpu).expect("tensor");
    QTensor::quantize(&t, GgmlDType::F32).expect("f32")
}

fn strings(items: &[String]) -> Value {
    Value::Array(items.iter().map(|s| Value::String(s.clone())).collect())
}

/// The byte-level BPE of the gpt2 fixtures, with its special tokens.
pub fn tiny_bpe() -> Bpe {
    Bpe::train(60, &["<|endoftext|>", "<|im_start|>", "<|im_end|>"])
}

/// `tokenizer.ggml.*` for a byte-level BPE (`model = gpt2`).
pub fn gpt2_tokenizer_metadata(bpe: &Bpe, pre: &str) -> Vec<(String, Value)> {
    let mut tokens = bpe.vocab.clone();
    tokens.extend(bpe.specials.iter().cloned());
    let mut types = vec![Value::I32(1); bpe.vocab.len()];
    types.extend(bpe.specials.iter().map(|_| Value::I32(3)));
    let merges: Vec<String> = bpe.merges.iter().map(|(a, b)| format!("{a} {b}")).collect();
    let eot = bpe.special_id("<|endoftext|>") as u32;
    vec![
        ("tokenizer.ggml.model".into(), Value::String("gpt2".into())),
        ("tokenizer.ggml.pre".into(), Value::String(pre.into())),
        ("tokenizer.ggml.tokens".into(), strings(&tokens)),
        ("tokenizer.ggml.token_type".into(), Value::Array(types)),
        ("tokenizer.ggml.merges".into(), strings(&merges)),
        ("tokenizer.ggml.bos_token_id".into(), Value::U32(eot)),
        ("tokenizer.ggml.eos_token_id".into(), Value::U32(eot)),
        ("tokenizer.ggml.add_bos_token".into(), Value::Bool(false)),
    ]
}

/// A SentencePiece-style vocabulary: `<unk> <s> </s>`, the 256 byte tokens,
/// `▁` and the corpus' characters, then every prefix of every `▁word`
/// (so that merges chain), scored so that shorter pieces merge first.
pub fn spm_tokenizer_metadata(add_space_prefix: bool) -> Vec<(String, Value)> {
    let mut tokens: Vec<String> = vec!["<unk>".into(), "<s>".into(), "</s>".into()];
    let mut types = vec![Value::I32(2), Value::I32(3), Value::I32(3)];
    for b in 0..=255u8 {
        tokens.push(format!("<0x{b:02X}>"));
        types.push(Value::I32(6));
    }
    let mut pieces: Vec<String> = vec!["▁".into()];
    for c in CORPUS.chars().filter(|c| *c != ' ') {
        if !pieces.contains(&c.to_string()) {
            pieces.push(c.to_string());
        }
    }
    for word in CORPUS.split(' ') {
        let piece: Vec<char> = format!("▁{word}").chars().collect();
        for end in 2..=piece.len() {
            let p: String = piece[..end].iter().collect();
            if !pieces.contains(&p) {
                pieces.push(p);
            }
        }
    }
    let mut scores = vec![Value::F32(0.0); tokens.len()];
    for (i, p) in pieces.into_iter().enumerate() {
        tokens.push(p);
        types.push(Value::I32(1));
        scores.push(Value::F32(-(i as f32)));
    }
    vec![
        ("tokenizer.ggml.model".into(), Value::String("llama".into())),
        ("tokenizer.ggml.tokens".into(), strings(&tokens)),
        ("tokenizer.ggml.scores".into(), Value::Array(scores)),
        ("tokenizer.ggml.token_type".into(), Value::Array(types)),
        ("tokenizer.ggml.bos_token_id".into(), Value::U32(1)),
        ("tokenizer.ggml.eos_token_id".into(), Value::U32(2)),
        ("tokenizer.ggml.unknown_token_id".into(), Value::U32(0)),
        (
            "tokenizer.ggml.add_space_prefix".into(),
            Value::Bool(add_space_prefix),
        ),
        ("tokenizer.ggml.add_bos_token".into(), Value::Bool(true)),
    ]
}

/// The number of tokens in `metadata`'s `tokenizer.ggml.tokens`.
pub fn vocab_size(metadata: &[(String, Value)]) -> usize {
    metadata
        .iter()
        .find_map(|(k, v)| match (k.as_str(), v) {
            ("tokenizer.ggml.tokens", Value::Array(a)) => Some(a.len()),
            _ => None,
        })
        .expect("tokens")
}

/// The shape a tiny model's metadata states.
pub struct Dims {
    pub hidden: usize,
    pub heads: usize,
    pub kv_heads: usize,
    pub head_dim: usize,
    pub ffn: usize,
    pub blocks: usize,
    pub context: u32,
}

/// The general keys (architecture `arch`, `name`, `file_type`) and the
/// `{arch}.*` sizes every tiny model carries (RMS epsilon 1e-5, rotary base
/// 10,000 over the whole head).
pub fn size_metadata(arch: &str, name: &str, file_type: u32, d: &Dims) -> Vec<(String, Value)> {
    let k = |key: &str| format!("{arch}.{key}");
    vec![
        ("general.architecture".into(), Value::String(arch.into())),
        ("general.name".into(), Value::String(name.into())),
        ("general.file_type".into(), Value::U32(file_type)),
        (k("block_count"), Value::U32(d.blocks as u32)),
        (k("context_length"), Value::U32(d.context)),
        (k("embedding_length"), Value::U32(d.hidden as u32)),
        (k("feed_forward_length"), Value::U32(d.ffn as u32)),
        (k("attention.head_count"), Value::U32(d.heads as u32)),
        (k("attention.head_count_kv"), Value::U32(d.kv_heads as u32)),
        (k("attention.layer_norm_rms_epsilon"), Value::F32(1e-5)),
        (k("rope.freq_base"), Value::F32(10000.0)),
        (k("rope.dimension_count"), Value::U32(d.head_dim as u32)),
    ]
}

/// The tiny model of `arch`.
pub fn tiny_gguf(arch: GgufArch) -> GgufModel {
    let name = arch.name();
    let k = |key: &str| format!("{name}.{key}");
    let dims = Dims {
        hidden: HIDDEN,
        heads: HEADS,
        kv_heads: KV_HEADS,
        head_dim: HEAD_DIM,
        ffn: FFN,
        blocks: BLOCKS,
        context: CONTEXT,
    };
    let mut metadata = size_metadata(name, &format!("tiny-{name}"), 7, &dims);
    match arch {
        GgufArch::Qwen3 | GgufArch::Gemma3 => {
            metadata.push((k("attention.key_length"), Value::U32(HEAD_DIM as u32)));
            metadata.push((k("attention.value_length"), Value::U32(HEAD_DIM as u32)));
        }
        _ => {}
    }
    if arch == GgufArch::Gemma3 {
        metadata.push((k("attention.sliding_window"), Value::U32(4)));
        metadata.push((k("attention.sliding_window_type"), Value::U32(2)));
        metadata.push((k("rope.local_freq_base"), Value::F32(10000.0)));
    }
    let tokenizer = match arch {
        _ if arch.sentencepiece() => spm_tokenizer_metadata(arch != GgufArch::Gemma3),
        GgufArch::Llama => gpt2_tokenizer_metadata(&tiny_bpe(), "smollm"),
        _ => gpt2_tokenizer_metadata(&tiny_bpe(), "qwen2"),
    };
    let vocab = vocab_size(&tokenizer);
    metadata.extend(tokenizer);

    let mut rng = Rng::new(arch.seed());
    let h = HIDDEN;
    let q = HEADS * HEAD_DIM;
    let kv = KV_HEADS * HEAD_DIM;
    // Gemma scales the embedding by sqrt(hidden): keep its logits soft.
    let embd_scale = if arch == GgufArch::Gemma3 { 0.15 } else { 1.0 };
    let mut tensors: Vec<(String, QTensor)> = vec![(
        "token_embd.weight".into(),
        random_qtensor(&mut rng, &[vocab, h], embd_scale, GgmlDType::Q8_0),
    )];
    let tied = matches!(arch, GgufArch::Llama | GgufArch::Qwen3 | GgufArch::Gemma3);
    if !tied {
        let dtype = if arch == GgufArch::Qwen2 {
            GgmlDType::F16
        } else {
            GgmlDType::Q8_0
        };
        tensors.push((
            "output.weight".into(),
            random_qtensor(&mut rng, &[vocab, h], 0.5, dtype),
        ));
    }
    tensors.push(("output_norm.weight".into(), const_qtensor(&[h], 1.0)));
    for b in 0..BLOCKS {
        let p = format!("blk.{b}");
        let mut push = |n: &str, t: QTensor| tensors.push((format!("{p}.{n}"), t));
        push("attn_norm.weight", const_qtensor(&[h], 1.0));
        if arch == GgufArch::Phi3 {
            push(
                "attn_qkv.weight",
                random_qtensor(&mut rng, &[q + 2 * kv, h], 0.3, GgmlDType::Q8_0),
            );
        } else {
            push(
                "attn_q.weight",
                random_qtensor(&mut rng, &[q, h], 0.3, GgmlDType::Q8_0),
            );
            push(
                "attn_k.weight",
                random_qtensor(&mut rng, &[kv, h], 0.3, GgmlDType::Q8_0),
            );
            push(
                "attn_v.weight",
                random_qtensor(&mut rng, &[kv, h], 0.3, GgmlDType::Q8_0),
            );
        }
        if arch == GgufArch::Qwen2 {
            push(
                "attn_q.bias",
                random_qtensor(&mut rng, &[q], 0.1, GgmlDType::F32),
            );
            push(
                "attn_k.bias",
                random_qtensor(&mut rng, &[kv], 0.1, GgmlDType::F32),
            );
            push(
                "attn_v.bias",
                random_qtensor(&mut rng, &[kv], 0.1, GgmlDType::F32),
            );
        }
        if matches!(arch, GgufArch::Qwen3 | GgufArch::Gemma3) {
            push("attn_q_norm.weight", const_qtensor(&[HEAD_DIM], 1.0));
            push("attn_k_norm.weight", const_qtensor(&[HEAD_DIM], 1.0));
        }
        push(
            "attn_output.weight",
            random_qtensor(&mut rng, &[h, q], 0.3, GgmlDType::Q8_0),
        );
        push("ffn_norm.weight", const_qtensor(&[h], 1.0));
        if arch == GgufArch::Gemma3 {
            push("post_attention_norm.weight", const_qtensor(&[h], 1.0));
            push("post_ffw_norm.weight", const_qtensor(&[h], 1.0));
        }
        if arch == GgufArch::Phi3 {
            push(
                "ffn_up.weight",
                random_qtensor(&mut rng, &[2 * FFN, h], 0.3, GgmlDType::Q4_0),
            );
        } else {
            push(
                "ffn_gate.weight",
                random_qtensor(&mut rng, &[FFN, h], 0.3, GgmlDType::Q4_0),
            );
            push(
                "ffn_up.weight",
                random_qtensor(&mut rng, &[FFN, h], 0.3, GgmlDType::Q4_0),
            );
        }
        push(
            "ffn_down.weight",
            random_qtensor(&mut rng, &[h, FFN], 0.3, GgmlDType::Q4_0),
        );
    }
    GgufModel { metadata, tensors }
}

/// Writes the tiny model of `arch` as `DIR/tiny-ARCH.gguf`; returns the file.
pub fn write_gguf_model(dir: &Path, arch: GgufArch) -> PathBuf {
    std::fs::create_dir_all(dir).expect("mkdir");
    let path = dir.join(format!("tiny-{}.gguf", arch.name()));
    tiny_gguf(arch).write(&path).expect("write gguf");
    path
}
