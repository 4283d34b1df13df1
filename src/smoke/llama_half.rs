//! Llama's forward pass on the CPU with its bf16/f16 weights used as
//! stored: every projection is a [`HalfLinear`] (the weight widened a row
//! at a time inside the kernel, never whole), and everything between them
//! (embeddings looked up, norms, rotary positions, attention, KV cache,
//! logits) is computed in f32, so the numbers are those of the f32 path up
//! to the order of sums. The KV cache is `kv_cache`'s (new positions
//! written in place); attention reads it with the query heads of one group
//! stacked against their shared KV head, so the heads are not repeated.
//!
//! candle-transformers' `Llama` keeps its `Linear` layers private, so the
//! model is written out here with candle ops, following that module step
//! by step (same rotary tables, Llama 3 scaling included, same masking).

use super::half_linear::HalfLinear;
use super::kv_cache::KvCache;
use candle_core::{DType, Device, IndexOp, Module, Tensor};
use candle_nn::{Init, VarBuilder};
use candle_transformers::models::llama::{Config, Llama3RopeType};
use candle_transformers::utils::build_causal_mask;
use std::f32::consts::PI;

/// A norm's weight, loaded in f32 whatever the weights' dtype.
fn norm_weight(vb: &VarBuilder<'_>, size: usize) -> candle_core::Result<Tensor> {
    vb.get_with_hints_dtype(size, "weight", Init::Const(1.), DType::F32)
}

/// A projection `[out, in]` in the weights' dtype.
fn linear(vb: &VarBuilder<'_>, out: usize, input: usize) -> candle_core::Result<HalfLinear> {
    Ok(HalfLinear::new(vb.get((out, input), "weight")?))
}

/// Attention's projections (`L`: a [`HalfLinear`] over a loaded weight,
/// or a view of a streamed layer's buffer) and its head counts.
pub(crate) struct Attention<L> {
    pub(crate) q: L,
    pub(crate) k: L,
    pub(crate) v: L,
    pub(crate) o: L,
    pub(crate) heads: usize,
    pub(crate) kv_heads: usize,
    pub(crate) head_dim: usize,
    /// Per-head RMS norm weights of Q and K, applied before the rotation
    /// (Qwen3's; `None` for Llama).
    pub(crate) qk_norm: Option<(Tensor, Tensor)>,
}

/// The gated MLP's projections.
pub(crate) struct Mlp<L> {
    pub(crate) gate: L,
    pub(crate) up: L,
    pub(crate) down: L,
}

/// One decoder layer.
pub(crate) struct Block<L> {
    pub(crate) input_norm: Tensor,
    pub(crate) attention: Attention<L>,
    pub(crate) post_norm: Tensor,
    pub(crate) mlp: Mlp<L>,
}

/// What one forward pass shares between the layers.
pub(crate) struct Step<'a> {
    /// Rotary tables for this pass's positions.
    pub(crate) cos: &'a Tensor,
    pub(crate) sin: &'a Tensor,
    /// The causal mask, for passes of more than one token.
    pub(crate) mask: Option<&'a Tensor>,
    /// RMS norm epsilon.
    pub(crate) eps: f32,
}

/// The embedding rows of `ids` (`[b, n]`) as f32 activations `[b, n, hidden]`.
pub(crate) fn embed_rows(embed: &Tensor, ids: &Tensor) -> candle_core::Result<Tensor> {
    let (b, seq) = ids.dims2()?;
    let hidden = embed.dim(1)?;
    embed
        .index_select(&ids.flatten_all()?, 0)?
        .to_dtype(DType::F32)?
        .reshape((b, seq, hidden))
}

/// A token embedding table.
pub(crate) trait Embedding {
    /// The rows of `ids` (`[b, n]`) as f32 activations `[b, n, hidden]`.
    fn rows(&self, ids: &Tensor) -> candle_core::Result<Tensor>;
}

/// A table held whole (bf16/f16/f32), its rows widened on lookup.
impl Embedding for Tensor {
    fn rows(&self, ids: &Tensor) -> candle_core::Result<Tensor> {
        embed_rows(self, ids)
    }
}

/// Llama on the CPU with projections of kind `L` (bf16/f16 here, quantized
/// in `llama_quant.rs`), an embedding table of kind `E` (a tensor here, the
/// quantized blocks there) and f32 activations, with its KV cache.
pub(crate) struct CpuLlama<L, E = Tensor> {
    embed: E,
    blocks: Vec<Block<L>>,
    norm: Tensor,
    lm_head: L,
    eps: f32,
    cos: Tensor,
    sin: Tensor,
    kvs: Vec<KvCache>,
}

/// Llama with bf16/f16 projections.
pub(crate) type HalfLlama = CpuLlama<HalfLinear>;

impl<L: Module, E: Embedding> CpuLlama<L, E> {
    /// The model from its parts: the embedding table, the blocks, the final
    /// norm's weight, the LM head, the norm epsilon and the rotary tables.
    pub(crate) fn new(
        embed: E,
        blocks: Vec<Block<L>>,
        (norm, lm_head): (Tensor, L),
        eps: f32,
        (cos, sin): (Tensor, Tensor),
    ) -> Self {
        CpuLlama {
            embed,
            kvs: (0..blocks.len()).map(|_| KvCache::new()).collect(),
            blocks,
            norm,
            lm_head,
            eps,
            cos,
            sin,
        }
    }

    /// The embedding table and the LM head.
    #[cfg(test)]
    pub(crate) fn ends(&self) -> (&E, &L) {
        (&self.embed, &self.lm_head)
    }

    /// Logits `[1, vocab]` (f32) of the last position of `ids` (`[1, n]`),
    /// whose first token is at `index_pos`.
    pub(crate) fn forward(
        &mut self,
        ids: &Tensor,
        index_pos: usize,
    ) -> candle_core::Result<Tensor> {
        let seq = ids.dim(1)?;
        let mut x = self.embed.rows(ids)?;
        let parts = StepParts::new(&self.cos, &self.sin, seq, index_pos)?;
        let step = parts.step(self.eps);
        for (block, kv) in self.blocks.iter().zip(self.kvs.iter_mut()) {
            x = block.forward(&x, &step, kv)?;
        }
        let x = last_normed(&x, &self.norm, self.eps)?;
        self.lm_head.forward(&x)
    }
}

impl HalfLlama {
    /// Loads the weights the way candle's `Llama::load` names them, with
    /// the projections in the VarBuilder's dtype and the norms in f32.
    pub(crate) fn load(vb: VarBuilder<'_>, cfg: &Config) -> candle_core::Result<Self> {
        let (hidden, inter) = (cfg.hidden_size, cfg.intermediate_size);
        let heads = cfg.num_attention_heads;
        let head_dim = hidden / heads.max(1);
        let kv = head_dim * cfg.num_key_value_heads;
        let embed = vb
            .pp("model.embed_tokens")
            .get((cfg.vocab_size, hidden), "weight")?;
        let lm_head = if cfg.tie_word_embeddings {
            HalfLinear::new(embed.clone())
        } else {
            linear(&vb.pp("lm_head"), cfg.vocab_size, hidden)?
        };
        let norm = norm_weight(&vb.pp("model.norm"), hidden)?;
        let mut blocks = Vec::with_capacity(cfg.num_hidden_layers);
        for i in 0..cfg.num_hidden_layers {
            let vb = vb.pp(format!("model.layers.{i}"));
            let (a, m) = (vb.pp("self_attn"), vb.pp("mlp"));
            blocks.push(Block {
                input_norm: norm_weight(&vb.pp("input_layernorm"), hidden)?,
                attention: Attention {
                    q: linear(&a.pp("q_proj"), head_dim * heads, hidden)?,
                    k: linear(&a.pp("k_proj"), kv, hidden)?,
                    v: linear(&a.pp("v_proj"), kv, hidden)?,
                    o: linear(&a.pp("o_proj"), head_dim * heads, hidden)?,
                    heads,
                    kv_heads: cfg.num_key_value_heads,
                    head_dim,
                    qk_norm: None,
                },
                post_norm: norm_weight(&vb.pp("post_attention_layernorm"), hidden)?,
                mlp: Mlp {
                    gate: linear(&m.pp("gate_proj"), inter, hidden)?,
                    up: linear(&m.pp("up_proj"), inter, hidden)?,
                    down: linear(&m.pp("down_proj"), hidden, inter)?,
                },
            });
        }
        let tables = rotary_tables(cfg, vb.device())?;
        Ok(CpuLlama::new(
            embed,
            blocks,
            (norm, lm_head),
            cfg.rms_norm_eps as f32,
            tables,
        ))
    }
}

/// The tables and mask a [`Step`] borrows, for `seq` positions from
/// `index_pos`.
pub(crate) struct StepParts {
    cos: Tensor,
    sin: Tensor,
    mask: Option<Tensor>,
}

impl StepParts {
    /// Narrows the rotary tables to the pass's positions and builds the
    /// causal mask when it has more than one.
    pub(crate) fn new(
        cos: &Tensor,
        sin: &Tensor,
        seq: usize,
        index_pos: usize,
    ) -> candle_core::Result<Self> {
        let mask = if seq > 1 {
            Some(build_causal_mask(seq, index_pos, cos.device())?)
        } else {
            None
        };
        Ok(StepParts {
            cos: cos.narrow(0, index_pos, seq)?,
            sin: sin.narrow(0, index_pos, seq)?,
            mask,
        })
    }

    /// The step the layers share.
    pub(crate) fn step(&self, eps: f32) -> Step<'_> {
        Step {
            cos: &self.cos,
            sin: &self.sin,
            mask: self.mask.as_ref(),
            eps,
        }
    }
}

/// The final norm applied to the last position of `x` (`[b, seq, hidden]`):
/// what the LM head reads.
pub(crate) fn last_normed(x: &Tensor, norm: &Tensor, eps: f32) -> candle_core::Result<Tensor> {
    let seq = x.dim(1)?;
    let x = candle_nn::ops::rms_norm(x, norm, eps)?;
    x.i((.., seq.saturating_sub(1), ..))?.contiguous()
}

impl<L: Module> Block<L> {
    /// The layer over `x` (`[b, seq, hidden]`), its keys and values
    /// appended to `kv`.
    pub(crate) fn forward(
        &self,
        x: &Tensor,
        step: &Step<'_>,
        kv: &mut KvCache,
    ) -> candle_core::Result<Tensor> {
        let h = candle_nn::ops::rms_norm(x, &self.input_norm, step.eps)?;
        let x = (self.attention.forward(&h, step, kv)? + x)?;
        let h = candle_nn::ops::rms_norm(&x, &self.post_norm, step.eps)?;
        self.mlp.forward(&h)? + x
    }
}

impl<L: Module> Mlp<L> {
    /// `down(silu(gate(x)) · up(x))`.
    pub(crate) fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let h = (candle_nn::ops::silu(&self.gate.forward(x)?)? * self.up.forward(x)?)?;
        self.down.forward(&h)
    }
}

impl<L: Module> Attention<L> {
    /// Self-attention over `x` (`[b, seq, hidden]`) with the step's rotary
    /// tables and mask, its keys and values appended to `kv`; the output
    /// projection applied.
    pub(crate) fn forward(
        &self,
        x: &Tensor,
        step: &Step<'_>,
        kv: &mut KvCache,
    ) -> candle_core::Result<Tensor> {
        let (b, seq, _) = x.dims3()?;
        let split = |t: Tensor, heads: usize| {
            t.reshape((b, seq, heads, self.head_dim))?
                .transpose(1, 2)?
                .contiguous()
        };
        let mut q = split(self.q.forward(x)?, self.heads)?;
        let mut k = split(self.k.forward(x)?, self.kv_heads)?;
        let v = split(self.v.forward(x)?, self.kv_heads)?;
        if let Some((q_norm, k_norm)) = &self.qk_norm {
            q = candle_nn::ops::rms_norm(&q, q_norm, step.eps)?;
            k = candle_nn::ops::rms_norm(&k, k_norm, step.eps)?;
        }
        let q = candle_nn::rotary_emb::rope(&q, step.cos, step.sin)?;
        let k = candle_nn::rotary_emb::rope(&k, step.cos, step.sin)?;
        let (k, v) = kv.append(&k, &v)?;
        let keys = k.dim(2)?;
        // The query heads of one group share a KV head (head `h` reads KV
        // head `h / groups`): `[b, kv_heads, groups · seq, head_dim]`.
        let groups = self.heads / self.kv_heads.max(1);
        let q = q.reshape((b, self.kv_heads, groups * seq, self.head_dim))?;
        let att = (q.matmul(&k.t()?)? / (self.head_dim as f64).sqrt())?;
        let att = att.reshape((b, self.heads, seq, keys))?;
        let att = masked(att, step.mask)?;
        let att = candle_nn::ops::softmax_last_dim(&att)?;
        let att = att.reshape((b, self.kv_heads, groups * seq, keys))?;
        let y = att
            .matmul(&v)?
            .reshape((b, self.heads, seq, self.head_dim))?;
        let y = y
            .transpose(1, 2)?
            .reshape((b, seq, self.heads * self.head_dim))?;
        self.o.forward(&y)
    }
}

/// The rotary tables `[positions, head_dim / 2]` in f32, as candle's llama
/// `Cache::new` computes them (Llama 3 frequency scaling included).
/// `att` with minus infinity where `mask` (broadcast to its shape) is set.
fn masked(att: Tensor, mask: Option<&Tensor>) -> candle_core::Result<Tensor> {
    let Some(mask) = mask else { return Ok(att) };
    let mask = mask.broadcast_as(att.shape())?;
    let minus_inf =
        Tensor::new(f32::NEG_INFINITY, att.device())?.broadcast_as(att.shape().dims())?;
    mask.where_cond(&minus_inf, &att)
}

pub(crate) fn rotary_tables(cfg: &Config, dev: &Device) -> candle_core::Result<(Tensor, Tensor)> {
    let head_dim = cfg.hidden_size / cfg.num_attention_heads.max(1);
    let base: Vec<f32> = (0..head_dim)
        .step_by(2)
        .map(|i| 1f32 / cfg.rope_theta.powf(i as f32 / head_dim as f32))
        .collect();
    let freqs: Vec<f32> = match &cfg.rope_scaling {
        Some(s) if !matches!(s.rope_type, Llama3RopeType::Default) => {
            let original = s.original_max_position_embeddings as f32;
            let low = original / s.low_freq_factor;
            let high = original / s.high_freq_factor;
            base.into_iter()
                .map(|freq| {
                    let wavelen = 2. * PI / freq;
                    if wavelen < high {
                        freq
                    } else if wavelen > low {
                        freq / s.factor
                    } else {
                        let smooth = (original / wavelen - s.low_freq_factor)
                            / (s.high_freq_factor - s.low_freq_factor);
                        (1. - smooth) * freq / s.factor + smooth * freq
                    }
                })
                .collect()
        }
        _ => base,
    };
    let n = freqs.len();
    let theta = Tensor::new(freqs, dev)?;
    let positions = cfg.max_position_embeddings;
    let angles = Tensor::arange(0, positions as u32, dev)?
        .to_dtype(DType::F32)?
        .reshape((positions, 1))?
        .matmul(&theta.reshape((1, n))?)?;
    Ok((angles.cos()?, angles.sin()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smoke::test_values::values;
    use candle_nn::Linear;

    /// A `[rows, cols]` f32 tensor of deterministic values scaled by `scale`.
    fn random(rows: usize, cols: usize, seed: u64, scale: f64) -> Tensor {
        Tensor::from_vec(values(rows * cols, seed), (rows, cols), &Device::Cpu)
            .and_then(|t| t * scale)
            .expect("tensor")
    }

    /// The attention as it was computed before the in-place cache: the
    /// past concatenated with the new keys and values each pass, the KV
    /// heads repeated for their groups (candle's `repeat_kv`).
    fn reference(
        a: &Attention<Linear>,
        x: &Tensor,
        step: &Step<'_>,
        kv: &mut Option<(Tensor, Tensor)>,
    ) -> candle_core::Result<Tensor> {
        let (b, seq, _) = x.dims3()?;
        let split = |t: Tensor, heads: usize| {
            t.reshape((b, seq, heads, a.head_dim))?
                .transpose(1, 2)?
                .contiguous()
        };
        let q = split(a.q.forward(x)?, a.heads)?;
        let k = split(a.k.forward(x)?, a.kv_heads)?;
        let mut v = split(a.v.forward(x)?, a.kv_heads)?;
        let q = candle_nn::rotary_emb::rope(&q, step.cos, step.sin)?;
        let mut k = candle_nn::rotary_emb::rope(&k, step.cos, step.sin)?;
        if let Some((past_k, past_v)) = kv.as_ref() {
            k = Tensor::cat(&[past_k, &k], 2)?.contiguous()?;
            v = Tensor::cat(&[past_v, &v], 2)?.contiguous()?;
        }
        *kv = Some((k.clone(), v.clone()));
        let groups = a.heads / a.kv_heads;
        let k = candle_transformers::utils::repeat_kv(k, groups)?;
        let v = candle_transformers::utils::repeat_kv(v, groups)?;
        let att = (q.matmul(&k.t()?)? / (a.head_dim as f64).sqrt())?;
        let att = masked(att, step.mask)?;
        let att = candle_nn::ops::softmax_last_dim(&att)?;
        let y = att.matmul(&v.contiguous()?)?;
        let y = y.transpose(1, 2)?.reshape((b, seq, a.heads * a.head_dim))?;
        a.o.forward(&y)
    }

    /// Grouped heads read from the in-place cache give what the repeated
    /// heads over a concatenated cache gave: a prompt pass of 7, single
    /// steps past the cache's first two doublings, then a pass of 3, for
    /// 6 query heads over 2 KV heads (and over 6, no grouping).
    #[test]
    fn grouped_attention_over_the_cache_matches_repeated_heads() {
        let (hidden, heads, head_dim) = (48usize, 6usize, 8usize);
        for kv_heads in [2usize, 6] {
            let kv = kv_heads * head_dim;
            let lin = |out, input, seed| Linear::new(random(out, input, seed, 0.4), None);
            let a = Attention {
                q: lin(heads * head_dim, hidden, 1),
                k: lin(kv, hidden, 2),
                v: lin(kv, hidden, 3),
                o: lin(hidden, heads * head_dim, 4),
                heads,
                kv_heads,
                head_dim,
                qk_norm: None,
            };
            let angles = random(64, head_dim / 2, 5, 3.0);
            let (cos, sin) = (angles.cos().expect("cos"), angles.sin().expect("sin"));
            let (mut ours, mut theirs) = (KvCache::new(), None);
            let mut pos = 0;
            let passes = [
                7usize, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3,
            ];
            for (i, seq) in passes.into_iter().enumerate() {
                let x = random(seq, hidden, 10 + i as u64, 1.0)
                    .reshape((1, seq, hidden))
                    .expect("x");
                let parts = StepParts::new(&cos, &sin, seq, pos).expect("parts");
                let step = parts.step(1e-5);
                let got = a.forward(&x, &step, &mut ours).expect("ours");
                let want = reference(&a, &x, &step, &mut theirs).expect("reference");
                let got: Vec<f32> = got.flatten_all().and_then(|t| t.to_vec1()).expect("got");
                let want: Vec<f32> = want.flatten_all().and_then(|t| t.to_vec1()).expect("want");
                let worst = got
                    .iter()
                    .zip(&want)
                    .map(|(g, w)| (g - w).abs() / w.abs().max(1.0))
                    .fold(0f32, f32::max);
                assert!(worst < 1e-5, "kv {kv_heads}, pass {i} at {pos}: {worst}");
                pos += seq;
            }
            assert_eq!(ours.len(), pos);
            assert_eq!(ours.capacity(), 32);
        }
    }
}
