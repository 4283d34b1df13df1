//! `--stream`: Llama's prompt pass with one layer's weights in memory at a
//! time, so that a model larger than the memory still gets its logits
//! checked and its top tokens.
//!
//! The layers are walked in order. Each layer's seven projections are read
//! by `pread` (`reader.rs`) into one buffer that every layer reuses, its
//! norms into small f32 tensors; the layer runs through the same code as
//! the resident model (`llama_half.rs`, the projections by
//! `half_kernel.rs`), and its weights are overwritten by the next layer's.
//! The prompt's embedding rows are read one by one; the LM head (or the
//! tied embedding) is read last into the same buffer. No KV cache is kept:
//! the pass answers the prompt only, and generation is skipped.

use super::backend::{resolve, Aliases, HeaderTensor};
use super::half_kernel::{matmul, Half};
use super::half_linear::kernel;
use super::kv_cache::KvCache;
use super::llama_half::{last_normed, rotary_tables, Attention, Block, Mlp, StepParts};
use super::model::Decoder;
use super::reader::ShardReader;
use candle_core::{DType, Device, Module, Tensor};
use candle_transformers::models::llama::Config;
use half::slice::HalfFloatSliceExt;
use half::{bf16, f16};
use std::collections::HashMap;

/// Where the streamed pass reads its weights: the shards and their
/// headers, with the checkpoint's aliases (a tied `lm_head`).
pub(crate) struct StreamSource {
    /// The opened shards.
    pub(crate) reader: ShardReader,
    /// Every stored tensor.
    pub(crate) headers: HashMap<String, HeaderTensor>,
    /// Names the model asks for that are stored under another.
    pub(crate) aliases: Aliases,
}

/// Llama's prompt pass over weights read a layer at a time.
pub(crate) struct StreamLlama {
    source: StreamSource,
    cfg: Config,
    /// bf16 or f16: the stored dtype of the projections.
    dtype: DType,
    cos: Tensor,
    sin: Tensor,
    /// The bits of one layer's projections, or of the LM head: reused.
    buffer: Vec<u16>,
}

/// A projection `[n, k]` over a slice of the streamed buffer.
struct SliceLinear<'a, T> {
    w: &'a [T],
    n: usize,
    k: usize,
}

impl<T: Half> Module for SliceLinear<'_, T> {
    /// `x` is `[..., k]` in f32; the result `[..., n]` in f32.
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let mut dims = x.dims().to_vec();
        if dims.last() != Some(&self.k) {
            candle_core::bail!(
                "streamed projection: input {dims:?}, weight [{}, {}]",
                self.n,
                self.k
            );
        }
        let m = x.elem_count() / self.k.max(1);
        let xs: Vec<f32> = x.to_dtype(DType::F32)?.flatten_all()?.to_vec1()?;
        let out = matmul(&xs, self.w, m, self.n, self.k, kernel());
        if let Some(last) = dims.last_mut() {
            *last = self.n;
        }
        Tensor::from_vec(out, dims, x.device())
    }
}

/// The shapes `[out, in]` of a layer's projections, in the buffer's order:
/// q, k, v, o, gate, up, down.
fn projection_shapes(cfg: &Config) -> [(&'static str, usize, usize); 7] {
    let (hidden, inter) = (cfg.hidden_size, cfg.intermediate_size);
    let head_dim = hidden / cfg.num_attention_heads.max(1);
    let q = head_dim * cfg.num_attention_heads;
    let kv = head_dim * cfg.num_key_value_heads;
    [
        ("self_attn.q_proj", q, hidden),
        ("self_attn.k_proj", kv, hidden),
        ("self_attn.v_proj", kv, hidden),
        ("self_attn.o_proj", q, hidden),
        ("mlp.gate_proj", inter, hidden),
        ("mlp.up_proj", inter, hidden),
        ("mlp.down_proj", hidden, inter),
    ]
}

/// The elements of the reused buffer: the larger of one layer's
/// projections and the LM head.
pub(crate) fn buffer_elements(cfg: &Config) -> usize {
    let layer: usize = projection_shapes(cfg).iter().map(|(_, n, k)| n * k).sum();
    layer.max(cfg.vocab_size * cfg.hidden_size)
}

impl StreamLlama {
    /// A streamed Llama over `source`, its projections stored as `dtype`
    /// (bf16 or f16). Reads nothing yet.
    pub(crate) fn new(
        source: StreamSource,
        cfg: Config,
        dtype: DType,
    ) -> candle_core::Result<Self> {
        if !matches!(dtype, DType::BF16 | DType::F16) {
            candle_core::bail!("--stream runs bf16 or f16 weights, not {dtype:?}");
        }
        let (cos, sin) = rotary_tables(&cfg, &Device::Cpu)?;
        Ok(StreamLlama {
            source,
            cfg,
            dtype,
            cos,
            sin,
            buffer: Vec::new(),
        })
    }

    /// The header of the tensor the model calls `name`, checked to be
    /// `[n, k]` when a shape is given.
    fn header(
        &self,
        name: &str,
        shape: Option<(usize, usize)>,
    ) -> candle_core::Result<&HeaderTensor> {
        let stored = resolve(&self.source.aliases, name);
        let Some(h) = self.source.headers.get(stored) else {
            return Err(candle_core::Error::CannotFindTensor {
                path: name.to_string(),
            });
        };
        if let Some((n, k)) = shape {
            if h.shape != [n as u64, k as u64] {
                candle_core::bail!("{name} has shape {:?}, the model wants [{n}, {k}]", h.shape);
            }
        }
        Ok(h)
    }

    /// Reads the whole `[n, k]` tensor `name` into `dst`.
    fn read_into(
        &self,
        name: &str,
        n: usize,
        k: usize,
        dst: &mut [u16],
    ) -> candle_core::Result<()> {
        let h = self.header(name, Some((n, k)))?;
        let stored = resolve(&self.source.aliases, name);
        self.source.reader.read_bits(stored, h, self.dtype, 0, dst)
    }

    /// A norm's weight in f32.
    fn norm(&self, name: &str) -> candle_core::Result<Tensor> {
        let h = self.header(name, None)?;
        let stored = resolve(&self.source.aliases, name);
        self.source.reader.read(stored, h, DType::F32, &Device::Cpu)
    }

    /// The prompt's embedding rows `[1, seq, hidden]` in f32, each read
    /// from the embedding by offset.
    fn embed(&self, ids: &[u32]) -> candle_core::Result<Tensor> {
        let (vocab, hidden) = (self.cfg.vocab_size, self.cfg.hidden_size);
        let name = "model.embed_tokens.weight";
        let h = self.header(name, Some((vocab, hidden)))?;
        let stored = resolve(&self.source.aliases, name);
        let mut bits = vec![0u16; hidden];
        let mut out = vec![0f32; ids.len() * hidden];
        for (id, row) in ids.iter().zip(out.chunks_exact_mut(hidden)) {
            let id = *id as usize;
            if id >= vocab {
                candle_core::bail!("token id {id} has no row in {name} ({vocab} rows)");
            }
            self.source
                .reader
                .read_bits(stored, h, self.dtype, id * hidden, &mut bits)?;
            widen(self.dtype, &bits, row);
        }
        Tensor::from_vec(out, (1, ids.len(), hidden), &Device::Cpu)
    }

    /// Logits `[1, vocab]` of the prompt's last position.
    fn prompt_pass(&mut self, ids: &[u32]) -> candle_core::Result<Tensor> {
        let mut buffer = std::mem::take(&mut self.buffer);
        buffer.resize(buffer_elements(&self.cfg), 0);
        let out = match self.dtype {
            DType::F16 => self.pass::<f16>(ids, &mut buffer),
            _ => self.pass::<bf16>(ids, &mut buffer),
        };
        self.buffer = buffer;
        out
    }

    /// The pass over `ids`: each layer's projections read into `buffer`
    /// (over the previous layer's), viewed as `T`, and run; then the LM head.
    fn pass<T: Half>(&self, ids: &[u32], buffer: &mut [u16]) -> candle_core::Result<Tensor> {
        let cfg = &self.cfg;
        let eps = cfg.rms_norm_eps as f32;
        let mut x = self.embed(ids)?;
        let parts = StepParts::new(&self.cos, &self.sin, ids.len(), 0)?;
        let step = parts.step(eps);
        let shapes = projection_shapes(cfg);
        for i in 0..cfg.num_hidden_layers {
            let prefix = format!("model.layers.{i}");
            let mut rest = &mut buffer[..];
            let mut views: Vec<SliceLinear<'_, T>> = Vec::with_capacity(7);
            let mut filled: Vec<&[u16]> = Vec::with_capacity(7);
            for (name, n, k) in shapes {
                let (dst, tail) = rest.split_at_mut(n * k);
                self.read_into(&format!("{prefix}.{name}.weight"), n, k, dst)?;
                filled.push(dst);
                rest = tail;
            }
            for (bits, (_, n, k)) in filled.into_iter().zip(shapes) {
                views.push(SliceLinear {
                    w: T::from_bits(bits),
                    n,
                    k,
                });
            }
            let mut v = views.into_iter();
            let mut next = || {
                v.next()
                    .ok_or_else(|| candle_core::Error::Msg("projections".into()))
            };
            let head_dim = cfg.hidden_size / cfg.num_attention_heads.max(1);
            let block = Block {
                input_norm: self.norm(&format!("{prefix}.input_layernorm.weight"))?,
                attention: Attention {
                    q: next()?,
                    k: next()?,
                    v: next()?,
                    o: next()?,
                    heads: cfg.num_attention_heads,
                    kv_heads: cfg.num_key_value_heads,
                    head_dim,
                    qk_norm: None,
                },
                post_norm: self.norm(&format!("{prefix}.post_attention_layernorm.weight"))?,
                mlp: Mlp {
                    gate: next()?,
                    up: next()?,
                    down: next()?,
                },
            };
            x = block.forward(&x, &step, &mut KvCache::new())?;
        }
        let x = last_normed(&x, &self.norm("model.norm.weight")?, eps)?;
        let (vocab, hidden) = (cfg.vocab_size, cfg.hidden_size);
        let head = &mut buffer[..vocab * hidden];
        self.read_into("lm_head.weight", vocab, hidden, head)?;
        SliceLinear {
            w: T::from_bits(head),
            n: vocab,
            k: hidden,
        }
        .forward(&x)
    }
}

/// bf16/f16 bits widened to f32.
fn widen(dtype: DType, bits: &[u16], dst: &mut [f32]) {
    if dtype == DType::F16 {
        <f16 as Half>::from_bits(bits).convert_to_f32_slice(dst);
    } else {
        <bf16 as Half>::from_bits(bits).convert_to_f32_slice(dst);
    }
}

impl Decoder for StreamLlama {
    /// The prompt pass (`offset` 0 only: no KV cache is kept).
    fn forward(&mut self, ids: &Tensor, offset: usize) -> candle_core::Result<Tensor> {
        if offset != 0 {
            candle_core::bail!("a streamed pass runs the prompt only (no KV cache is kept)");
        }
        let ids: Vec<u32> = ids.flatten_all()?.to_vec1()?;
        self.prompt_pass(&ids)
    }
}
