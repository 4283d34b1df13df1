//! A GGUF writer for fixtures (bytes written by hand, so that tests can
//! also write broken files), and the tiny GGUF Llama of `fixtures/tiny-gguf/`:
//! two blocks, F32/F16/BF16 tensors beside block-quantized Q8_0, Q4_0 and
//! Q4_K ones (quantized by candle from deterministic random weights), a
//! byte-level BPE vocabulary, a chat template and an Apache-2.0 license key.
#![allow(dead_code)]

use super::Rng;
use candle_core::quantized::{GgmlDType, QTensor};
use candle_core::{Device, Tensor};
use std::io;
use std::path::Path;

/// A metadata value as written.
#[derive(Debug, Clone)]
pub enum Meta {
    U8(u8),
    U32(u32),
    I32(i32),
    U64(u64),
    F32(f32),
    Bool(bool),
    Str(String),
    /// A string whose length prefix lies: (stated length, actual bytes).
    BadStr(u64, Vec<u8>),
    StrArray(Vec<String>),
    I32Array(Vec<i32>),
    F32Array(Vec<f32>),
    /// A value of a type id GGUF does not define.
    UnknownType(u32),
}

/// One tensor as written: GGUF dimensions (fastest-varying first), type id, data.
#[derive(Debug, Clone)]
pub struct GgufTensor {
    pub name: String,
    pub dims: Vec<u64>,
    pub type_id: u32,
    pub data: Vec<u8>,
    /// Written instead of the real offset, when set.
    pub offset_override: Option<u64>,
}

/// A whole file to write.
#[derive(Debug, Clone)]
pub struct GgufSpec {
    pub version: u32,
    pub metadata: Vec<(String, Meta)>,
    pub tensors: Vec<GgufTensor>,
    pub alignment: u64,
    /// Written instead of the real (tensor, metadata) counts, when set.
    pub counts_override: Option<(u64, u64)>,
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    out.extend((s.len() as u64).to_le_bytes());
    out.extend(s.as_bytes());
}

fn put_meta(out: &mut Vec<u8>, v: &Meta) {
    let ty = |out: &mut Vec<u8>, id: u32| out.extend(id.to_le_bytes());
    match v {
        Meta::U8(x) => {
            ty(out, 0);
            out.push(*x);
        }
        Meta::U32(x) => {
            ty(out, 4);
            out.extend(x.to_le_bytes());
        }
        Meta::I32(x) => {
            ty(out, 5);
            out.extend(x.to_le_bytes());
        }
        Meta::F32(x) => {
            ty(out, 6);
            out.extend(x.to_le_bytes());
        }
        Meta::Bool(x) => {
            ty(out, 7);
            out.push(u8::from(*x));
        }
        Meta::Str(s) => {
            ty(out, 8);
            put_str(out, s);
        }
        Meta::BadStr(len, bytes) => {
            ty(out, 8);
            out.extend(len.to_le_bytes());
            out.extend(bytes);
        }
        Meta::U64(x) => {
            ty(out, 10);
            out.extend(x.to_le_bytes());
        }
        Meta::StrArray(items) => {
            ty(out, 9);
            ty(out, 8);
            out.extend((items.len() as u64).to_le_bytes());
            for s in items {
                put_str(out, s);
            }
        }
        Meta::I32Array(items) => {
            ty(out, 9);
            ty(out, 5);
            out.extend((items.len() as u64).to_le_bytes());
            for x in items {
                out.extend(x.to_le_bytes());
            }
        }
        Meta::F32Array(items) => {
            ty(out, 9);
            ty(out, 6);
            out.extend((items.len() as u64).to_le_bytes());
            for x in items {
                out.extend(x.to_le_bytes());
            }
        }
        Meta::UnknownType(id) => {
            ty(out, *id);
            out.extend(0u64.to_le_bytes());
        }
    }
}

fn pad_to(out: &mut Vec<u8>, alignment: u64) {
    while !(out.len() as u64).is_multiple_of(alignment) {
        out.push(0);
    }
}

/// The file's bytes: header, padding, tensor data (each padded to the alignment).
pub fn gguf_bytes(spec: &GgufSpec) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend(b"GGUF");
    out.extend(spec.version.to_le_bytes());
    let (tc, mc) = spec
        .counts_override
        .unwrap_or((spec.tensors.len() as u64, spec.metadata.len() as u64));
    out.extend(tc.to_le_bytes());
    out.extend(mc.to_le_bytes());
    for (k, v) in &spec.metadata {
        put_str(&mut out, k);
        put_meta(&mut out, v);
    }
    let mut offset = 0u64;
    for t in &spec.tensors {
        put_str(&mut out, &t.name);
        out.extend((t.dims.len() as u32).to_le_bytes());
        for d in &t.dims {
            out.extend(d.to_le_bytes());
        }
        out.extend(t.type_id.to_le_bytes());
        out.extend(t.offset_override.unwrap_or(offset).to_le_bytes());
        offset += (t.data.len() as u64).next_multiple_of(spec.alignment);
    }
    pad_to(&mut out, spec.alignment);
    for t in &spec.tensors {
        out.extend(&t.data);
        pad_to(&mut out, spec.alignment);
    }
    out
}

// ---------------------------------------------------------------- the tiny model

pub const TINY_GGUF_DIR: &str = "tiny-gguf";
pub const TINY_GGUF_FILE: &str = "tiny-llama.Q8_0.gguf";
pub const TINY_HIDDEN: u64 = 64;
pub const TINY_FFN: u64 = 256;
pub const TINY_LAYERS: u64 = 2;
pub const TINY_HEADS: u64 = 4;
pub const TINY_KV_HEADS: u64 = 2;
pub const TINY_CONTEXT: u64 = 512;
/// The special tokens after the 256 byte tokens.
pub const TINY_SPECIALS: [&str; 3] = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"];
pub const TINY_VOCAB: u64 = 256 + 3;

const F32: u32 = 0;
const F16: u32 = 1;
const Q4_0: u32 = 2;
const Q8_0: u32 = 8;
const Q4_K: u32 = 12;
const BF16: u32 = 30;

fn floats(rng: &mut Rng, n: u64, scale: f32) -> Vec<f32> {
    (0..n).map(|_| rng.unit() * scale).collect()
}

/// One tensor of `dims` (GGUF order) in type `type_id`, from random values.
fn tensor(rng: &mut Rng, name: &str, dims: &[u64], type_id: u32, scale: f32) -> GgufTensor {
    let n: u64 = dims.iter().product();
    let values = if name.ends_with("norm.weight") {
        vec![1.0f32; n as usize]
    } else {
        floats(rng, n, scale)
    };
    let data = match type_id {
        F32 => values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        F16 => values
            .iter()
            .flat_map(|v| half::f16::from_f32(*v).to_le_bytes())
            .collect(),
        BF16 => values
            .iter()
            .flat_map(|v| half::bf16::from_f32(*v).to_le_bytes())
            .collect(),
        q => {
            let dtype = match q {
                Q4_0 => GgmlDType::Q4_0,
                Q8_0 => GgmlDType::Q8_0,
                Q4_K => GgmlDType::Q4K,
                _ => unreachable!("type {q}"),
            };
            let shape: Vec<usize> = dims.iter().rev().map(|d| *d as usize).collect();
            let t = Tensor::from_vec(values, shape, &Device::Cpu).expect("tensor");
            QTensor::quantize(&t, dtype)
                .expect("quantize")
                .data()
                .expect("data")
                .into_owned()
        }
    };
    GgufTensor {
        name: name.to_string(),
        dims: dims.to_vec(),
        type_id,
        data,
        offset_override: None,
    }
}

/// The byte-level vocabulary: GPT-2's 256 byte characters, then the specials.
pub fn tiny_tokens() -> Vec<String> {
    let mut tokens: Vec<String> = super::bytes_to_unicode()
        .into_iter()
        .map(|c| c.to_string())
        .collect();
    tokens.extend(TINY_SPECIALS.iter().map(|s| s.to_string()));
    tokens
}

/// The tiny model's metadata and tensors.
pub fn tiny_gguf_spec() -> GgufSpec {
    let s = |v: &str| Meta::Str(v.to_string());
    let tokens = tiny_tokens();
    let token_types: Vec<i32> = (0..tokens.len())
        .map(|i| if i < 256 { 1 } else { 3 })
        .collect();
    let template = "{% for message in messages %}<|im_start|>{{ message['role'] }}\n{{ message['content'] }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";
    let metadata: Vec<(String, Meta)> = vec![
        ("general.architecture", s("llama")),
        ("general.type", s("model")),
        ("general.name", s("Tiny GGUF Llama")),
        ("general.size_label", s("140K")),
        ("general.license", s("apache-2.0")),
        ("general.file_type", Meta::U32(7)),
        ("general.quantization_version", Meta::U32(2)),
        ("general.alignment", Meta::U32(32)),
        ("llama.block_count", Meta::U32(TINY_LAYERS as u32)),
        ("llama.context_length", Meta::U32(TINY_CONTEXT as u32)),
        ("llama.embedding_length", Meta::U32(TINY_HIDDEN as u32)),
        ("llama.feed_forward_length", Meta::U32(TINY_FFN as u32)),
        ("llama.attention.head_count", Meta::U32(TINY_HEADS as u32)),
        (
            "llama.attention.head_count_kv",
            Meta::U32(TINY_KV_HEADS as u32),
        ),
        ("llama.attention.layer_norm_rms_epsilon", Meta::F32(1e-5)),
        ("llama.rope.freq_base", Meta::F32(10000.0)),
        (
            "llama.rope.dimension_count",
            Meta::U32((TINY_HIDDEN / TINY_HEADS) as u32),
        ),
        ("llama.vocab_size", Meta::U32(TINY_VOCAB as u32)),
        ("tokenizer.ggml.model", s("gpt2")),
        ("tokenizer.ggml.pre", s("default")),
        ("tokenizer.ggml.tokens", Meta::StrArray(tokens)),
        ("tokenizer.ggml.token_type", Meta::I32Array(token_types)),
        (
            "tokenizer.ggml.merges",
            Meta::StrArray(vec!["Ġ t".into(), "h e".into(), "i n".into()]),
        ),
        ("tokenizer.ggml.bos_token_id", Meta::U32(256)),
        ("tokenizer.ggml.eos_token_id", Meta::U32(258)),
        ("tokenizer.ggml.padding_token_id", Meta::U32(256)),
        ("tokenizer.ggml.add_bos_token", Meta::Bool(false)),
        ("tokenizer.chat_template", s(template)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();

    let mut rng = Rng::new(0x6767_7566);
    let (h, f, v) = (TINY_HIDDEN, TINY_FFN, TINY_VOCAB);
    let kv = TINY_KV_HEADS * (TINY_HIDDEN / TINY_HEADS);
    let mut tensors = vec![tensor(&mut rng, "token_embd.weight", &[h, v], Q8_0, 0.5)];
    for l in 0..TINY_LAYERS {
        let n = |s: &str| format!("blk.{l}.{s}");
        tensors.push(tensor(&mut rng, &n("attn_norm.weight"), &[h], F32, 1.0));
        tensors.push(tensor(&mut rng, &n("attn_q.weight"), &[h, h], Q8_0, 0.2));
        tensors.push(tensor(&mut rng, &n("attn_k.weight"), &[h, kv], F16, 0.2));
        tensors.push(tensor(&mut rng, &n("attn_v.weight"), &[h, kv], BF16, 0.2));
        tensors.push(tensor(
            &mut rng,
            &n("attn_output.weight"),
            &[h, h],
            Q4_0,
            0.2,
        ));
        tensors.push(tensor(&mut rng, &n("ffn_norm.weight"), &[h], F32, 1.0));
        tensors.push(tensor(&mut rng, &n("ffn_gate.weight"), &[h, f], Q4_0, 0.2));
        tensors.push(tensor(&mut rng, &n("ffn_up.weight"), &[h, f], Q4_0, 0.2));
        tensors.push(tensor(&mut rng, &n("ffn_down.weight"), &[f, h], Q4_K, 0.2));
    }
    tensors.push(tensor(&mut rng, "output_norm.weight", &[h], F32, 1.0));
    GgufSpec {
        version: 3,
        metadata,
        tensors,
        alignment: 32,
        counts_override: None,
    }
}

/// Logical parameters of the tiny model.
pub fn tiny_gguf_parameters() -> u64 {
    tiny_gguf_spec()
        .tensors
        .iter()
        .map(|t| t.dims.iter().product::<u64>())
        .sum()
}

/// Writes `fixtures/tiny-gguf/tiny-llama.Q8_0.gguf` under `root`.
pub fn write_tiny_gguf(root: &Path) -> io::Result<()> {
    let dir = root.join(TINY_GGUF_DIR);
    std::fs::create_dir_all(&dir)?;
    std::fs::write(dir.join(TINY_GGUF_FILE), gguf_bytes(&tiny_gguf_spec()))
}
