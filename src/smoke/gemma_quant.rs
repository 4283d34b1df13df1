//! A GGUF Gemma 3's forward pass on the CPU with the projections kept
//! quantized and multiplied by `quant_linear` (this crate's integer kernels
//! for Q4_0/Q4_1/Q5_0/Q5_1/Q8_0/Q4_K/Q6_K and IQ4_XS, candle's for the other types), read
//! by `llama_quant`'s [`Tensors`]. Attention is `llama_half`'s
//! ([`Attention`], with its per-head Q/K norms); the layer around it is
//! Gemma 3's, as llama.cpp computes it (`src/models/gemma3.cpp`):
//!
//! - the embedding (rows dequantized to f32 on lookup) scaled by √hidden;
//! - RMS norms with the weights as stored (the GGUF converter has already
//!   added Gemma's 1 to them; candle's `quantized_gemma3` reads them the
//!   same way): before attention, after it, before the MLP and after it;
//! - the MLP gated by GELU (tanh approximation): candle 0.11's
//!   `quantized_gemma3` gates with SiLU (candle issue #3745), so the tests
//!   compare against it with the gate switched to SiLU;
//! - sliding-window layers: every layer but each `sliding_window_type`-th
//!   (6 unless stated) attends to the last `attention.sliding_window`
//!   positions only (a key `j` is masked for the query at `i` when
//!   `i − j ≥ window`, llama.cpp's and transformers' rule, also on cached
//!   steps; candle's model applies a window one wider inside the prompt and
//!   none after it), with its own rotary base (`rope.local_freq_base`,
//!   10,000 unless stated); the other layers use `rope.freq_base`
//!   (1,000,000 unless stated) with linear rope scaling
//!   (`rope.scaling.factor`, as llama.cpp applies it to those layers only;
//!   candle ignores it);
//! - queries scaled by 1/√`attention.key_length`, except for the 62-layer
//!   model (Gemma 3 27B), whose `query_pre_attn_scalar` is hidden / heads,
//!   as llama.cpp does: the difference is folded into the Q norm's weight;
//! - Q and K stored in the halves order (no unpermuting), rotated over the
//!   whole head; rotary tables as long as the (cut) context.
//!
//! Checked once by hand against llama.cpp (the CPU build of the
//! `llama-cpp-cffi` 0.4.42 wheel, `benches/gguf_llamacpp.py`) on a tiny
//! random 6-layer Gemma 3 (window 3, one global layer, with and without a
//! rope scaling factor of 8): the same prompt ids, the same top-4 ids (the
//! fifth a near tie), probabilities within 5% of each other, closer than
//! the tiny Llama's on the Llama path (12%: llama.cpp keeps an f16 KV cache
//! and f16 activation scales); candle's window, no window or a SiLU gate
//! move them much further (other ids in the top-5).

use super::gguf_header::OwnTensors;
use super::kv_cache::KvCache;
use super::llama_half::{last_normed, Attention, Mlp, Step, StepParts};
use super::llama_quant::{rotary, Tensors};
use super::quant_linear::{ProjWeight, QuantProj};
use candle_core::quantized::gguf_file::Content;
use candle_core::{Device, Module, Tensor};
use candle_transformers::models::quantized_gemma3::{
    DEFAULT_ROPE_FREQUENCY, DEFAULT_ROPE_FREQUENCY_SLIDING, DEFAULT_SLIDING_WINDOW_TYPE,
    MAX_SEQ_LEN,
};
use std::io::{Read, Seek};

/// The layer count of Gemma 3 27B, whose queries are scaled by
/// hidden / heads rather than the head width (llama.cpp's `LLM_TYPE_27B`).
const LAYERS_27B: usize = 62;

/// What gates the MLP.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Gate {
    /// Gemma's `gelu_pytorch_tanh`.
    GeluTanh,
    /// candle 0.11's `quantized_gemma3` (for the tests that compare with it).
    #[cfg(test)]
    Silu,
}

/// One Gemma 3 decoder layer.
struct Layer {
    input_norm: Tensor,
    attention: Attention<QuantProj>,
    post_attention_norm: Tensor,
    ffn_norm: Tensor,
    mlp: Mlp<QuantProj>,
    post_ffn_norm: Tensor,
    /// Whether the layer attends to a sliding window (local rotary base).
    sliding: bool,
}

/// A Gemma 3 from a GGUF file, quantized projections, f32 activations,
/// with its KV cache.
pub(crate) struct QuantGemma {
    embed: ProjWeight,
    /// √hidden, applied to the embedding.
    embed_scale: f64,
    layers: Vec<Layer>,
    norm: Tensor,
    lm_head: QuantProj,
    eps: f32,
    /// Rotary tables of the global layers.
    global: (Tensor, Tensor),
    /// Rotary tables of the sliding-window layers.
    local: (Tensor, Tensor),
    /// Positions a sliding-window layer sees.
    window: usize,
    gate: Gate,
    kvs: Vec<KvCache>,
}

/// The sizes read from the metadata (checked by `gguf_family` before).
struct Sizes {
    heads: usize,
    kv_heads: usize,
    blocks: usize,
    hidden: usize,
    head_dim: usize,
    eps: f32,
    window: usize,
    /// Every `pattern`-th layer is global.
    pattern: usize,
    rope_base: f32,
    local_base: f32,
    /// Linear rope scaling factor of the global layers.
    rope_factor: f32,
    /// Rows of the rotary tables.
    positions: usize,
}

impl Sizes {
    fn read(ct: &Content) -> candle_core::Result<Sizes> {
        let value = |k: &str| ct.metadata.get(&format!("gemma3.{k}"));
        let u32_of = |k: &str| -> candle_core::Result<usize> {
            match value(k) {
                Some(v) => Ok(v.to_u32()? as usize),
                None => candle_core::bail!("cannot find gemma3.{k} in metadata"),
            }
        };
        let f32_or =
            |k: &str, default: f32| value(k).and_then(|v| v.to_f32().ok()).unwrap_or(default);
        let eps = match value("attention.layer_norm_rms_epsilon") {
            Some(v) => v.to_f32()?,
            None => candle_core::bail!("cannot find gemma3.attention.layer_norm_rms_epsilon"),
        };
        if let Some(kind) = value("rope.scaling.type").and_then(|v| v.to_string().ok()) {
            if kind != "linear" && kind != "none" {
                candle_core::bail!(
                    "gemma3.rope.scaling.type is {kind:?}: only linear scaling is computed"
                );
            }
        }
        let window = u32_of("attention.sliding_window")?;
        if window == 0 {
            candle_core::bail!("gemma3.attention.sliding_window is 0");
        }
        Ok(Sizes {
            heads: u32_of("attention.head_count")?,
            kv_heads: u32_of("attention.head_count_kv")?,
            blocks: u32_of("block_count")?,
            hidden: u32_of("embedding_length")?,
            head_dim: u32_of("attention.key_length")?,
            eps,
            window,
            pattern: u32_of("attention.sliding_window_type")
                .unwrap_or(DEFAULT_SLIDING_WINDOW_TYPE)
                .max(1),
            rope_base: f32_or("rope.freq_base", DEFAULT_ROPE_FREQUENCY),
            local_base: f32_or("rope.local_freq_base", DEFAULT_ROPE_FREQUENCY_SLIDING),
            rope_factor: f32_or("rope.scaling.factor", 1.),
            positions: u32_of("context_length").unwrap_or(MAX_SEQ_LEN),
        })
    }

    /// What the Q norm's weight is multiplied by so that `Attention`'s
    /// 1/√head_dim becomes the model's query scale: 1 but for Gemma 3 27B
    /// (1/√(hidden / heads)).
    fn query_factor(&self) -> f64 {
        if self.blocks == LAYERS_27B && self.heads > 0 {
            let scalar = (self.hidden / self.heads) as f64;
            (self.head_dim as f64 / scalar).sqrt()
        } else {
            1.
        }
    }
}

/// The mask of a sliding-window layer for `seq` queries from `index_pos`
/// over `index_pos + seq` keys (1: masked): a key after the query, or
/// `window` or more positions before it. `None` when nothing is masked.
fn window_mask(
    seq: usize,
    index_pos: usize,
    window: usize,
    dev: &Device,
) -> candle_core::Result<Option<Tensor>> {
    let keys = index_pos + seq;
    if seq == 1 && keys <= window {
        return Ok(None);
    }
    let mask: Vec<u8> = (0..seq)
        .flat_map(|i| {
            let p = index_pos + i;
            (0..keys).map(move |j| u8::from(j > p || p - j >= window))
        })
        .collect();
    Tensor::from_slice(&mask, (seq, keys), dev).map(Some)
}

impl Layer {
    /// The layer over `x` (`[b, seq, hidden]`), its keys and values
    /// appended to `kv`.
    fn forward(
        &self,
        x: &Tensor,
        step: &Step<'_>,
        kv: &mut KvCache,
        gate: Gate,
    ) -> candle_core::Result<Tensor> {
        let rms = |t: &Tensor, w: &Tensor| candle_nn::ops::rms_norm(t, w, step.eps);
        let h = rms(x, &self.input_norm)?;
        let a = self.attention.forward(&h, step, kv)?;
        let x = (rms(&a, &self.post_attention_norm)? + x)?;
        let h = rms(&x, &self.ffn_norm)?;
        let g = self.mlp.gate.forward(&h)?;
        let g = match gate {
            Gate::GeluTanh => g.gelu()?,
            #[cfg(test)]
            Gate::Silu => candle_nn::ops::silu(&g)?,
        };
        let m = self.mlp.down.forward(&(g * self.mlp.up.forward(&h)?)?)?;
        rms(&m, &self.post_ffn_norm)? + x
    }
}

impl QuantGemma {
    /// Loads a checked Gemma 3 GGUF `ct` (with `own`, its tensors of types
    /// candle cannot hold) from `reader` onto the CPU.
    pub(crate) fn from_gguf<R: Read + Seek>(
        ct: &Content,
        own: &OwnTensors,
        reader: &mut R,
    ) -> candle_core::Result<Self> {
        let s = Sizes::read(ct)?;
        let mut t = Tensors { ct, own, reader };
        let (embed, (norm, lm_head)) = t.ends()?;
        let q_factor = s.query_factor();
        let mut layers = Vec::with_capacity(s.blocks);
        for i in 0..s.blocks {
            let name = |n: &str| format!("blk.{i}.{n}.weight");
            let mut q_norm = t.dequantized(&name("attn_q_norm"))?;
            if q_factor != 1. {
                q_norm = (q_norm * q_factor)?;
            }
            let k_norm = t.dequantized(&name("attn_k_norm"))?;
            layers.push(Layer {
                input_norm: t.dequantized(&name("attn_norm"))?,
                attention: Attention {
                    q: t.projection(&name("attn_q"), None)?,
                    k: t.projection(&name("attn_k"), None)?,
                    v: t.projection(&name("attn_v"), None)?,
                    o: t.projection(&name("attn_output"), None)?,
                    heads: s.heads,
                    kv_heads: s.kv_heads,
                    head_dim: s.head_dim,
                    qk_norm: Some((q_norm, k_norm)),
                },
                post_attention_norm: t.dequantized(&name("post_attention_norm"))?,
                ffn_norm: t.dequantized(&name("ffn_norm"))?,
                mlp: Mlp {
                    gate: t.projection(&name("ffn_gate"), None)?,
                    up: t.projection(&name("ffn_up"), None)?,
                    down: t.projection(&name("ffn_down"), None)?,
                },
                post_ffn_norm: t.dequantized(&name("post_ffw_norm"))?,
                sliding: (i + 1) % s.pattern > 0,
            });
        }
        let cpu = &Device::Cpu;
        let freq_scale = if s.rope_factor > 0. {
            1. / s.rope_factor
        } else {
            1.
        };
        Ok(QuantGemma {
            embed,
            embed_scale: (s.hidden as f64).sqrt(),
            kvs: (0..layers.len()).map(|_| KvCache::new()).collect(),
            layers,
            norm,
            lm_head,
            eps: s.eps,
            global: rotary(s.head_dim, s.positions, (s.rope_base, freq_scale), cpu)?,
            local: rotary(s.head_dim, s.positions, (s.local_base, 1.), cpu)?,
            window: s.window,
            gate: Gate::GeluTanh,
        })
    }

    /// Logits `[1, vocab]` (f32) of the last position of `ids` (`[1, n]`),
    /// whose first token is at `index_pos`.
    pub(crate) fn forward(
        &mut self,
        ids: &Tensor,
        index_pos: usize,
    ) -> candle_core::Result<Tensor> {
        let seq = ids.dim(1)?;
        let mut x = (self.embed.embedding(ids)? * self.embed_scale)?;
        let global = StepParts::new(&self.global.0, &self.global.1, seq, index_pos)?;
        let global = global.step(self.eps);
        let (cos, sin) = (
            self.local.0.narrow(0, index_pos, seq)?,
            self.local.1.narrow(0, index_pos, seq)?,
        );
        let mask = window_mask(seq, index_pos, self.window, ids.device())?;
        let local = Step {
            cos: &cos,
            sin: &sin,
            mask: mask.as_ref(),
            eps: self.eps,
        };
        for (layer, kv) in self.layers.iter().zip(self.kvs.iter_mut()) {
            let step = if layer.sliding { &local } else { &global };
            x = layer.forward(&x, step, kv, self.gate)?;
        }
        let x = last_normed(&x, &self.norm, self.eps)?;
        self.lm_head.forward(&x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smoke::llama_quant::tests::{attention_q8, gguf_bytes, random_tensors, same_top5};
    use candle_core::quantized::gguf_file::Value;
    use candle_core::quantized::{GgmlDType, QTensor};
    use candle_transformers::models::quantized_gemma3::ModelWeights;

    /// A tiny random Gemma 3 GGUF: hidden 64, 4 heads of 32 (key length
    /// apart from hidden / heads), 2 KV heads, `blocks` layers of which
    /// every `pattern`-th is global, a `window`-position sliding window,
    /// Q8_0 attention and Q4_1 MLP (this crate's kernels), random
    /// norms (so that every one of them counts), tied output.
    fn tiny_gemma(blocks: usize, pattern: u32, window: u32) -> Vec<u8> {
        let (h, heads, kv, hd, ffn, vocab) = (64usize, 4usize, 2usize, 32usize, 128usize, 96usize);
        let mut q = random_tensors(0xD1B5_4A32_D192_ED03);
        // Norm weights around 1 (GGUF stores Gemma's 1 + w).
        let norm = |n: usize, q: &mut dyn FnMut(&[usize], f32, GgmlDType) -> QTensor| {
            let t = q(&[n], 0.5, GgmlDType::F32)
                .dequantize(&Device::Cpu)
                .expect("norm");
            QTensor::quantize(&(t + 1.).expect("shift"), GgmlDType::F32).expect("f32")
        };
        let mut tensors: Vec<(String, QTensor)> = vec![
            (
                "token_embd.weight".into(),
                q(&[vocab, h], 1.0, GgmlDType::Q8_0),
            ),
            ("output_norm.weight".into(), norm(h, &mut q)),
        ];
        for b in 0..blocks {
            let name = |n: &str| format!("blk.{b}.{n}.weight");
            for n in [
                "attn_norm",
                "ffn_norm",
                "post_attention_norm",
                "post_ffw_norm",
            ] {
                let t = norm(h, &mut q);
                tensors.push((name(n), t));
            }
            for n in ["attn_q_norm", "attn_k_norm"] {
                let t = norm(hd, &mut q);
                tensors.push((name(n), t));
            }
            tensors.extend(attention_q8(&mut q, b, (h, heads, kv, hd)));
            tensors.push((name("ffn_gate"), q(&[ffn, h], 0.3, GgmlDType::Q4_1)));
            tensors.push((name("ffn_up"), q(&[ffn, h], 0.3, GgmlDType::Q4_1)));
            tensors.push((name("ffn_down"), q(&[h, ffn], 0.3, GgmlDType::Q4_1)));
        }
        let k = |key: &str| format!("gemma3.{key}");
        let md: Vec<(String, Value)> = vec![
            (
                "general.architecture".into(),
                Value::String("gemma3".into()),
            ),
            (k("block_count"), Value::U32(blocks as u32)),
            (k("context_length"), Value::U32(64)),
            (k("embedding_length"), Value::U32(h as u32)),
            (k("attention.head_count"), Value::U32(heads as u32)),
            (k("attention.head_count_kv"), Value::U32(kv as u32)),
            (k("attention.key_length"), Value::U32(hd as u32)),
            (k("attention.value_length"), Value::U32(hd as u32)),
            (k("attention.layer_norm_rms_epsilon"), Value::F32(1e-6)),
            (k("attention.sliding_window"), Value::U32(window)),
            (k("attention.sliding_window_type"), Value::U32(pattern)),
            (k("rope.freq_base"), Value::F32(1e6)),
            (k("rope.local_freq_base"), Value::F32(1e4)),
        ];
        gguf_bytes(&md, &tensors)
    }

    /// Our Gemma 3 from `bytes`.
    fn ours(bytes: &[u8]) -> QuantGemma {
        let mut reader = std::io::Cursor::new(bytes.to_vec());
        let ct = Content::read(&mut reader).expect("header");
        QuantGemma::from_gguf(&ct, &OwnTensors::new(), &mut reader).expect("ours")
    }

    /// With candle's SiLU gate, and a window wider than the positions used
    /// (candle's model has none after the prompt), our Gemma 3 (embedding
    /// scale, four norms per layer, Q/K norms, local and global rotary
    /// bases) gives candle's `quantized_gemma3`'s top-5 over the prompt
    /// pass and two cached steps.
    #[test]
    fn gemma3_top5_matches_candles_model() {
        let bytes = tiny_gemma(3, 2, 16);
        let mut mine = ours(&bytes);
        mine.gate = Gate::Silu;
        let mut reader = std::io::Cursor::new(bytes);
        let ct = Content::read(&mut reader).expect("header");
        let mut theirs = ModelWeights::from_gguf(ct, &mut reader, &Device::Cpu).expect("candle");
        same_top5(&mut |x, p| mine.forward(x, p), &mut |x, p| {
            theirs.forward(x, p)
        });
    }

    /// The last position's logits for `ids` in one pass.
    fn last_logits(model: &mut QuantGemma, ids: &[u32]) -> Vec<f32> {
        let input = Tensor::new(ids, &Device::Cpu)
            .and_then(|t| t.unsqueeze(0))
            .expect("input");
        model
            .forward(&input, 0)
            .and_then(|t| t.flatten_all())
            .and_then(|t| t.to_vec1::<f32>())
            .expect("forward")
    }

    fn max_diff(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).fold(0f32, |m, (x, y)| m.max((x - y).abs()))
    }

    /// With every layer sliding over 2 positions and 2 layers, the last of
    /// 8 positions sees the last 3 tokens only: changing the first token
    /// leaves its logits as they were; with a window of 16 it does not.
    #[test]
    fn sliding_layers_see_their_window_only() {
        let ids = [5u32, 17, 42, 8, 90, 3, 77, 12];
        let mut edited = ids;
        edited[0] = 60;
        for (window, unchanged) in [(2u32, true), (16, false)] {
            let bytes = tiny_gemma(2, 3, window);
            let a = last_logits(&mut ours(&bytes), &ids);
            let b = last_logits(&mut ours(&bytes), &edited);
            let d = max_diff(&a, &b);
            assert_eq!(d == 0., unchanged, "window {window}: differ by {d}");
        }
    }

    /// The prompt pass of all tokens and the pass of the first few then
    /// cached steps give the same last logits: the window is applied to
    /// cached steps as to the prompt (window 3, a global layer and sliding
    /// ones).
    #[test]
    fn cached_steps_agree_with_one_pass() {
        let ids = [5u32, 17, 42, 8, 90, 3, 77, 12];
        let bytes = tiny_gemma(3, 3, 3);
        let whole = last_logits(&mut ours(&bytes), &ids);
        let mut m = ours(&bytes);
        let mut last = Vec::new();
        let _ = last_logits(&mut m, &ids[..3]);
        for (pos, id) in ids.iter().enumerate().skip(3) {
            let input = Tensor::new(&[*id], &Device::Cpu)
                .and_then(|t| t.unsqueeze(0))
                .expect("input");
            last = m
                .forward(&input, pos)
                .and_then(|t| t.flatten_all())
                .and_then(|t| t.to_vec1::<f32>())
                .expect("step");
        }
        let d = max_diff(&whole, &last);
        assert!(d < 1e-3, "one pass and cached steps differ by {d}");
    }

    /// The rotary tables the forward holds are what the memory estimate
    /// counts for them (`gguf_family::table_bytes` on the own path), once
    /// the run has cut the context to the positions it uses: a stated
    /// context of 4096, or none (candle's would be 131,072 rows per layer).
    #[test]
    fn the_estimate_counts_the_tables_the_forward_holds() {
        use crate::smoke::gguf_family::{self, GgufFamily, Hparams};
        for context in [Some(4096u32), None] {
            let bytes = tiny_gemma(3, 2, 16);
            let mut reader = std::io::Cursor::new(bytes);
            let mut ct = Content::read(&mut reader).expect("header");
            match context {
                Some(c) => ct
                    .metadata
                    .insert("gemma3.context_length".into(), Value::U32(c)),
                None => ct.metadata.remove("gemma3.context_length"),
            };
            let positions = 10;
            gguf_family::cut_context(GgufFamily::Gemma3, &mut ct, positions);
            let m = QuantGemma::from_gguf(&ct, &OwnTensors::new(), &mut reader).expect("ours");
            let held: usize = [&m.global.0, &m.global.1, &m.local.0, &m.local.1]
                .iter()
                .map(|t| t.elem_count() * 4)
                .sum();
            let h = Hparams {
                blocks: 3,
                hidden: 64,
                heads: 4,
                kv_heads: 2,
                head_dim: 32,
                ffn: 128,
                vocab: 96,
                tied: true,
                max_positions: 4096,
            };
            let counted = gguf_family::table_bytes(GgufFamily::Gemma3, &h, positions, true);
            assert_eq!(held as u64, counted, "context {context:?}");
            let candles = gguf_family::table_bytes(GgufFamily::Gemma3, &h, positions, false);
            assert!(candles > 100 * counted, "{candles} vs {counted}");
        }
    }

    /// Gemma 3 27B's queries are scaled by 1/√(hidden / heads) (5376 / 32 =
    /// 168), not 1/√128; every other size by 1/√key_length.
    #[test]
    fn query_scale_of_27b_is_hidden_over_heads() {
        let sizes = |blocks| Sizes {
            heads: 32,
            kv_heads: 16,
            blocks,
            hidden: 5376,
            head_dim: 128,
            eps: 1e-6,
            window: 1024,
            pattern: 6,
            rope_base: 1e6,
            local_base: 1e4,
            rope_factor: 8.,
            positions: 64,
        };
        let f = sizes(62).query_factor();
        // 1/√128 · f = 1/√168.
        assert!(
            (f / 128f64.sqrt() - 1. / 168f64.sqrt()).abs() < 1e-12,
            "{f}"
        );
        assert_eq!(sizes(48).query_factor(), 1.);
    }
}
