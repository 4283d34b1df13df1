//! A tiny Llama (or Gemma 3) GGUF whose projections are IQ4_XS (a ggml type
//! candle 0.11 cannot hold), and its twin with those same values stored as
//! F32: both
//! written with the hand GGUF writer (`gguf_gen::gguf_bytes`). Widths are
//! multiples of 256 (IQ4_XS super-blocks): hidden 256, 4 heads of 64, 2 KV
//! heads, MLP 512, 2 blocks; the gpt2 BPE of the other tiny models, its
//! embedding in Q8_0 (tied output), norms in F32.
//!
//! IQ4_XS is written by nearest value: per sub-block of 32 the scale that
//! maps its largest magnitude onto the table's −127, the eight sub-block
//! scales as multiples (6-bit, `ls − 32`) of one f16 `d`, each value the
//! index of the nearest table entry.

use super::fixture_gen::gguf_gen::{gguf_bytes, GgufSpec, GgufTensor, Meta};
use super::fixture_gen::Rng;
use super::gguf_models::{gpt2_tokenizer_metadata, size_metadata, tiny_bpe, vocab_size, Dims};
use candle_core::quantized::gguf_file::Value;
use candle_core::quantized::{GgmlDType, QTensor};
use candle_core::{Device, Tensor};
use half::f16;

/// ggml's `kvalues_iq4nl`.
const TABLE: [f32; 16] = [
    -127., -104., -83., -65., -49., -35., -22., -10., 1., 13., 25., 38., 53., 69., 89., 113.,
];

pub const HIDDEN: usize = 256;
pub const HEADS: usize = 4;
pub const KV_HEADS: usize = 2;
pub const HEAD_DIM: usize = 64;
pub const FFN: usize = 512;
pub const BLOCKS: usize = 2;

/// `values` (a whole number of 256-value super-blocks) as IQ4_XS bytes.
pub fn quantize_iq4_xs(values: &[f32]) -> Vec<u8> {
    let mut out = Vec::with_capacity(values.len() / 256 * 136);
    for sb in values.chunks_exact(256) {
        let scales: Vec<f32> = sb
            .chunks_exact(32)
            .map(|s| s.iter().fold(0f32, |a, v| a.max(v.abs())) / 127.)
            .collect();
        let d = f16::from_f32(scales.iter().fold(0f32, |a, s| a.max(*s)) / 31.);
        let df = d.to_f32();
        let mut block = vec![0u8; 136];
        block[..2].copy_from_slice(&d.to_le_bytes());
        let mut high = 0u16;
        for (ib, sub) in sb.chunks_exact(32).enumerate() {
            let l = if df > 0. {
                (scales[ib] / df).round().clamp(0., 31.) as i32
            } else {
                0
            };
            let ls = (l + 32) as u16;
            block[4 + ib / 2] |= ((ls & 15) as u8) << (4 * (ib % 2));
            high |= (ls >> 4) << (2 * ib);
            let dl = df * l as f32;
            let nearest = |x: f32| {
                (0..16)
                    .min_by(|&a, &b| {
                        (dl * TABLE[a] - x)
                            .abs()
                            .total_cmp(&(dl * TABLE[b] - x).abs())
                    })
                    .unwrap_or(0) as u8
            };
            for j in 0..16 {
                block[8 + 16 * ib + j] = nearest(sub[j]) | (nearest(sub[j + 16]) << 4);
            }
        }
        block[2..4].copy_from_slice(&high.to_le_bytes());
        out.extend(block);
    }
    out
}

/// IQ4_XS bytes back to values, from ggml's `dequantize_row_iq4_xs`.
pub fn dequantize_iq4_xs(bytes: &[u8]) -> Vec<f32> {
    let mut out = Vec::with_capacity(bytes.len() / 136 * 256);
    for b in bytes.chunks_exact(136) {
        let d = f16::from_le_bytes([b[0], b[1]]).to_f32();
        let high = u16::from_le_bytes([b[2], b[3]]);
        for ib in 0..8 {
            let ls = ((b[4 + ib / 2] >> (4 * (ib % 2))) & 15) as i32
                | ((((high >> (2 * ib)) & 3) as i32) << 4);
            let dl = d * (ls - 32) as f32;
            let qs = &b[8 + 16 * ib..24 + 16 * ib];
            let mut sub = [0f32; 32];
            for j in 0..16 {
                sub[j] = dl * TABLE[(qs[j] & 15) as usize];
                sub[j + 16] = dl * TABLE[(qs[j] >> 4) as usize];
            }
            out.extend(sub);
        }
    }
    out
}

/// A candle metadata value as the hand writer's.
fn meta(v: &Value) -> Meta {
    match v {
        Value::U32(x) => Meta::U32(*x),
        Value::I32(x) => Meta::I32(*x),
        Value::F32(x) => Meta::F32(*x),
        Value::Bool(x) => Meta::Bool(*x),
        Value::String(s) => Meta::Str(s.clone()),
        Value::Array(items) => match items.first() {
            Some(Value::I32(_)) => Meta::I32Array(
                items
                    .iter()
                    .map(|i| i.to_i32().expect("i32 array"))
                    .collect(),
            ),
            _ => Meta::StrArray(
                items
                    .iter()
                    .map(|i| i.to_string().expect("string array").clone())
                    .collect(),
            ),
        },
        other => panic!("no hand-written form for {other:?}"),
    }
}

/// A tensor of `shape` (outermost first) with GGUF's dims, `type_id` and bytes.
fn tensor(name: &str, shape: &[usize], type_id: u32, data: Vec<u8>) -> GgufTensor {
    GgufTensor {
        name: name.to_string(),
        dims: shape.iter().rev().map(|&d| d as u64).collect(),
        type_id,
        data,
        offset_override: None,
    }
}

/// A candle-quantized tensor as the hand writer's.
fn from_qtensor(name: &str, t: &QTensor) -> GgufTensor {
    let type_id = match t.dtype() {
        GgmlDType::F32 => 0,
        GgmlDType::Q8_0 => 8,
        other => panic!("no id for {other:?}"),
    };
    tensor(
        name,
        t.shape().dims(),
        type_id,
        t.data().expect("data").into_owned(),
    )
}

/// The tiny model of `arch` (`llama`, or `gemma3`: its key and value
/// widths, a sliding window of 4 on every other layer, Q/K norms and the
/// norms after attention and MLP, all ones) with IQ4_XS projections
/// (`iq4`), or the same values as F32 (`!iq4`); both from one seed (the
/// same draws for either architecture).
pub fn iq4_xs_model(arch: &str, iq4: bool) -> GgufSpec {
    let dims = Dims {
        hidden: HIDDEN,
        heads: HEADS,
        kv_heads: KV_HEADS,
        head_dim: HEAD_DIM,
        ffn: FFN,
        blocks: BLOCKS,
        context: 256,
    };
    let mut md = size_metadata(arch, "tiny-iq4", if iq4 { 30 } else { 0 }, &dims);
    let gemma = arch == "gemma3";
    if gemma {
        let k = |key: &str| format!("{arch}.{key}");
        md.extend([
            (k("attention.key_length"), Value::U32(HEAD_DIM as u32)),
            (k("attention.value_length"), Value::U32(HEAD_DIM as u32)),
            (k("attention.sliding_window"), Value::U32(4)),
            (k("attention.sliding_window_type"), Value::U32(2)),
        ]);
    }
    md.extend(gpt2_tokenizer_metadata(&tiny_bpe(), "smollm"));
    let vocab = vocab_size(&md);
    let mut rng = Rng::new(23);
    let mut random =
        |n: usize, scale: f32| -> Vec<f32> { (0..n).map(|_| rng.unit() * scale).collect() };
    let embd = Tensor::from_vec(random(vocab * HIDDEN, 1.0), (vocab, HIDDEN), &Device::Cpu)
        .and_then(|t| QTensor::quantize(&t, GgmlDType::Q8_0))
        .expect("embedding");
    let norm_of = |name: &str, n: usize| {
        let ones: Vec<u8> = (0..n).flat_map(|_| 1f32.to_le_bytes()).collect();
        tensor(name, &[n], 0, ones)
    };
    let norm = |name: &str| norm_of(name, HIDDEN);
    let mut tensors = vec![
        from_qtensor("token_embd.weight", &embd),
        norm("output_norm.weight"),
    ];
    let (q, kv) = (HEADS * HEAD_DIM, KV_HEADS * HEAD_DIM);
    for b in 0..BLOCKS {
        let p = |n: &str| format!("blk.{b}.{n}.weight");
        tensors.push(norm(&p("attn_norm")));
        tensors.push(norm(&p("ffn_norm")));
        if gemma {
            tensors.push(norm(&p("post_attention_norm")));
            tensors.push(norm(&p("post_ffw_norm")));
            tensors.push(norm_of(&p("attn_q_norm"), HEAD_DIM));
            tensors.push(norm_of(&p("attn_k_norm"), HEAD_DIM));
        }
        for (name, rows, cols) in [
            ("attn_q", q, HIDDEN),
            ("attn_k", kv, HIDDEN),
            ("attn_v", kv, HIDDEN),
            ("attn_output", HIDDEN, q),
            ("ffn_gate", FFN, HIDDEN),
            ("ffn_up", FFN, HIDDEN),
            ("ffn_down", HIDDEN, FFN),
        ] {
            let bytes = quantize_iq4_xs(&random(rows * cols, 0.15));
            let t = if iq4 {
                tensor(&p(name), &[rows, cols], 23, bytes)
            } else {
                let values = dequantize_iq4_xs(&bytes);
                let data = values.iter().flat_map(|v| v.to_le_bytes()).collect();
                tensor(&p(name), &[rows, cols], 0, data)
            };
            tensors.push(t);
        }
    }
    GgufSpec {
        version: 3,
        metadata: md.iter().map(|(k, v)| (k.clone(), meta(v))).collect(),
        tensors,
        alignment: 32,
        counts_override: None,
    }
}

/// [`iq4_xs_model`]'s Llama made a mixture of 4 experts, 2 per token: in
/// each block a F32 router and the experts' gate, up and down projections
/// in IQ4_XS (`iq4`) or as the same values in F32, stacked (`ffn_*_exps`,
/// `[4, rows, cols]`) or one tensor per expert (`ffn_*.E`).
pub fn iq4_xs_moe(iq4: bool, stacked: bool) -> GgufSpec {
    let experts = 4usize;
    let mut spec = iq4_xs_model("llama", iq4);
    spec.metadata
        .push(("llama.expert_count".into(), Meta::U32(experts as u32)));
    spec.metadata
        .push(("llama.expert_used_count".into(), Meta::U32(2)));
    spec.tensors.retain(|t| {
        !(t.name.contains(".ffn_gate.")
            || t.name.contains(".ffn_up.")
            || t.name.contains(".ffn_down."))
    });
    let mut rng = Rng::new(29);
    let mut random =
        |n: usize, scale: f32| -> Vec<f32> { (0..n).map(|_| rng.unit() * scale).collect() };
    for b in 0..BLOCKS {
        let router = random(experts * HIDDEN, 1.0);
        let data = router.iter().flat_map(|v| v.to_le_bytes()).collect();
        spec.tensors.push(tensor(
            &format!("blk.{b}.ffn_gate_inp.weight"),
            &[experts, HIDDEN],
            0,
            data,
        ));
        for (name, rows, cols) in [
            ("gate", FFN, HIDDEN),
            ("up", FFN, HIDDEN),
            ("down", HIDDEN, FFN),
        ] {
            let bytes = quantize_iq4_xs(&random(experts * rows * cols, 0.15));
            let data = if iq4 {
                bytes
            } else {
                let values = dequantize_iq4_xs(&bytes);
                values.iter().flat_map(|v| v.to_le_bytes()).collect()
            };
            let type_id = if iq4 { 23 } else { 0 };
            if stacked {
                let shape = [experts, rows, cols];
                let name = format!("blk.{b}.ffn_{name}_exps.weight");
                spec.tensors.push(tensor(&name, &shape, type_id, data));
            } else {
                let each = data.len() / experts;
                for (e, part) in data.chunks_exact(each).enumerate() {
                    let name = format!("blk.{b}.ffn_{name}.{e}.weight");
                    spec.tensors
                        .push(tensor(&name, &[rows, cols], type_id, part.to_vec()));
                }
            }
        }
    }
    spec
}

/// Writes [`iq4_xs_model`] of `arch` as `DIR/NAME`.
pub fn write_iq4_xs_model(
    dir: &std::path::Path,
    arch: &str,
    name: &str,
    iq4: bool,
) -> std::path::PathBuf {
    std::fs::create_dir_all(dir).expect("mkdir");
    let path = dir.join(name);
    std::fs::write(&path, gguf_bytes(&iq4_xs_model(arch, iq4))).expect("write");
    path
}
