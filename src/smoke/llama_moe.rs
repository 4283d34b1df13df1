//! A mixture-of-experts Llama GGUF (Mixtral's layout, more than one
//! `llama.expert_count`) on the CPU with this crate's quantized projections:
//! the attention is `llama_quant`'s (read by its [`Tensors`], the same
//! rotary tables), the MLP a router and experts, as candle's
//! `quantized_llama` and llama.cpp compute them for Llama:
//!
//! - the router `ffn_gate_inp` (`[experts, hidden]`, f32 or quantized)
//!   gives each token a logit per expert;
//! - each token goes to the `expert_used_count` experts with the highest
//!   logits (ties to the lower index), weighted by a softmax over those
//!   (Mixtral's top-k then renormalised softmax);
//! - each expert is Llama's gated MLP (`down(silu(gate·x) · up·x)`), run on
//!   the tokens routed to it, its outputs weighted and added up.
//!
//! The experts are read either from the stacked tensors llama.cpp writes
//! today (`ffn_{gate,up,down}_exps`, `[experts, rows, cols]`), cut into one
//! projection per expert by rows (`quant_linear::split_rows`, or the
//! IQ4_XS bytes), or from the older one-tensor-per-expert layout
//! (`ffn_{gate,up,down}.{e}`) that candle's model reads.
//!
//! Checked once by hand against llama.cpp (the CPU build of the
//! `llama-cpp-cffi` 0.4.42 wheel, `benches/gguf_llamacpp.py`) on the tiny
//! stacked mixture of `tests/smoke_gguf.rs`: the same prompt ids and top-4
//! ids, probabilities within 10% (the tiny dense Llama's differ by up to
//! 12%: llama.cpp keeps an f16 KV cache and f16 activation scales).

use super::gguf_header::OwnTensors;
use super::kv_cache::KvCache;
use super::llama_half::{last_normed, Attention, Mlp, StepParts};
use super::llama_quant::{md_u32, Flavor, Sizes, Tensors};
use super::quant_linear::{ProjWeight, QuantProj};
use candle_core::quantized::gguf_file::Content;
use candle_core::{DType, Module, Tensor};
use std::io::{Read, Seek};

/// A layer's router and experts.
struct Moe {
    router: QuantProj,
    experts: Vec<Mlp<QuantProj>>,
    /// Experts per token.
    used: usize,
}

/// One decoder layer with a mixture of experts for its MLP.
struct MoeBlock {
    input_norm: Tensor,
    attention: Attention<QuantProj>,
    post_norm: Tensor,
    moe: Moe,
}

/// A mixture-of-experts Llama from a GGUF file, quantized projections, f32
/// activations, with its KV cache.
pub(crate) struct QuantMoe {
    embed: ProjWeight,
    blocks: Vec<MoeBlock>,
    norm: Tensor,
    lm_head: QuantProj,
    eps: f32,
    cos: Tensor,
    sin: Tensor,
    kvs: Vec<KvCache>,
}

/// The `k` experts with the highest of `logits` (ties to the lower index)
/// and their weights, a softmax over those `k` logits.
fn route(logits: &[f32], k: usize) -> Vec<(usize, f32)> {
    let mut order: Vec<usize> = (0..logits.len()).collect();
    order.sort_by(|&a, &b| logits[b].total_cmp(&logits[a]));
    order.truncate(k);
    let max = order.first().map_or(0., |&i| logits[i]);
    let exps: Vec<f32> = order.iter().map(|&i| (logits[i] - max).exp()).collect();
    let sum: f32 = exps.iter().sum();
    order
        .into_iter()
        .zip(exps)
        .map(|(i, e)| (i, e / sum))
        .collect()
}

impl Moe {
    /// The mixture over `x` (`[b, seq, hidden]`).
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let (b, seq, hidden) = x.dims3()?;
        let xs = x.reshape((b * seq, hidden))?;
        let logits = self
            .router
            .forward(&xs)?
            .to_dtype(DType::F32)?
            .to_vec2::<f32>()?;
        let n = self.experts.len();
        let (mut rows, mut weights) = (vec![Vec::<u32>::new(); n], vec![Vec::<f32>::new(); n]);
        for (row, l) in logits.iter().enumerate() {
            for (e, w) in route(l, self.used) {
                rows[e].push(row as u32);
                weights[e].push(w);
            }
        }
        let mut ys = xs.zeros_like()?;
        for ((expert, rows), weights) in self.experts.iter().zip(&rows).zip(&weights) {
            if rows.is_empty() {
                continue;
            }
            let idx = Tensor::new(rows.as_slice(), xs.device())?;
            let w = Tensor::new(weights.as_slice(), xs.device())?.reshape(((), 1))?;
            let y = expert
                .forward(&xs.index_select(&idx, 0)?)?
                .broadcast_mul(&w)?;
            ys = ys.index_add(&idx, &y, 0)?;
        }
        ys.reshape((b, seq, hidden))
    }
}

impl<R: Read + Seek> Tensors<'_, R> {
    /// Block `i`'s `count` experts: from the stacked `_exps` tensors when
    /// the file has them, else one tensor per expert.
    fn experts(&mut self, i: usize, count: usize) -> candle_core::Result<Vec<Mlp<QuantProj>>> {
        let stacked = |n: &str| format!("blk.{i}.ffn_{n}_exps.weight");
        if !self.has(&stacked("gate")) {
            return (0..count)
                .map(|e| {
                    let name = |n: &str| format!("blk.{i}.ffn_{n}.{e}.weight");
                    Ok(Mlp {
                        gate: self.projection(&name("gate"), None)?,
                        up: self.projection(&name("up"), None)?,
                        down: self.projection(&name("down"), None)?,
                    })
                })
                .collect();
        }
        let mut cut = |n: &str| -> candle_core::Result<Vec<QuantProj>> {
            let name = stacked(n);
            let rows = match self.dims(&name).as_deref() {
                Some(&[e, rows, _]) if e == count => rows,
                other => candle_core::bail!(
                    "tensor {name} has shape {other:?}, not [{count}, rows, cols]"
                ),
            };
            self.projection_parts(&name, &vec![rows; count])
        };
        let (gates, ups, downs) = (cut("gate")?, cut("up")?, cut("down")?);
        Ok(gates
            .into_iter()
            .zip(ups)
            .zip(downs)
            .map(|((gate, up), down)| Mlp { gate, up, down })
            .collect())
    }
}

impl QuantMoe {
    /// Loads a checked mixture-of-experts Llama GGUF `ct` (with `own`, its
    /// tensors of types candle cannot hold) from `reader` onto the CPU.
    pub(crate) fn from_gguf<R: Read + Seek>(
        ct: &Content,
        own: &OwnTensors,
        reader: &mut R,
    ) -> candle_core::Result<Self> {
        let s = Sizes::read(ct, Flavor::Llama)?;
        let count = md_u32(ct, Flavor::Llama, "expert_count")?;
        let used = md_u32(ct, Flavor::Llama, "expert_used_count")?;
        if used == 0 || used > count {
            candle_core::bail!("{used} experts used per token of {count}");
        }
        let mut t = Tensors { ct, own, reader };
        let (embed, (norm, lm_head)) = t.ends()?;
        let mut blocks = Vec::with_capacity(s.blocks);
        for i in 0..s.blocks {
            let name = |n: &str| format!("blk.{i}.{n}.weight");
            blocks.push(MoeBlock {
                input_norm: t.dequantized(&name("attn_norm"))?,
                attention: t.attention(Flavor::Llama, &s, i)?,
                post_norm: t.dequantized(&name("ffn_norm"))?,
                moe: Moe {
                    router: t.projection(&name("ffn_gate_inp"), None)?,
                    experts: t.experts(i, count)?,
                    used,
                },
            });
        }
        let (cos, sin) = s.tables()?;
        Ok(QuantMoe {
            embed,
            kvs: (0..blocks.len()).map(|_| KvCache::new()).collect(),
            blocks,
            norm,
            lm_head,
            eps: s.eps,
            cos,
            sin,
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
        let mut x = self.embed.embedding(ids)?;
        let parts = StepParts::new(&self.cos, &self.sin, seq, index_pos)?;
        let step = parts.step(self.eps);
        for (block, kv) in self.blocks.iter().zip(self.kvs.iter_mut()) {
            let h = candle_nn::ops::rms_norm(&x, &block.input_norm, self.eps)?;
            x = (block.attention.forward(&h, &step, kv)? + x)?;
            let h = candle_nn::ops::rms_norm(&x, &block.post_norm, self.eps)?;
            x = (block.moe.forward(&h)? + x)?;
        }
        let x = last_normed(&x, &self.norm, self.eps)?;
        self.lm_head.forward(&x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smoke::llama_quant::tests::{
        attention_q8, gguf_bytes, head_tensors, random_tensors, same_top5,
    };
    use candle_core::quantized::gguf_file::Value;
    use candle_core::quantized::{GgmlDType, QStorage, QTensor};
    use candle_core::Device;
    use candle_transformers::models::quantized_llama::ModelWeights;
    use std::borrow::Cow;

    /// The top-k by logit, weights summing to 1, ties to the lower index.
    #[test]
    fn routing_takes_the_top_k_and_renormalises() {
        let r = route(&[0.5, 2.0, -1.0, 2.0, 1.0], 3);
        let ids: Vec<usize> = r.iter().map(|x| x.0).collect();
        assert_eq!(ids, [1, 3, 4]);
        let sum: f32 = r.iter().map(|x| x.1).sum();
        assert!((sum - 1.).abs() < 1e-6, "{r:?}");
        assert!((r[0].1 - r[1].1).abs() < 1e-7, "{r:?}");
        // e^1 / e^2 between the third and the first.
        assert!((r[2].1 / r[0].1 - (-1f32).exp()).abs() < 1e-6, "{r:?}");
    }

    /// `parts` (each `[rows, cols]`, one type) stacked into `[n, rows, cols]`.
    fn stack(parts: &[QTensor]) -> QTensor {
        let (rows, cols) = parts[0].shape().dims2().expect("2-D");
        let bytes: Vec<u8> = parts
            .iter()
            .flat_map(|p| p.data().expect("data").into_owned())
            .collect();
        let storage = QStorage::from_data(Cow::Owned(bytes), &Device::Cpu, parts[0].dtype())
            .expect("storage");
        QTensor::new(storage, (parts.len(), rows, cols)).expect("stacked")
    }

    /// A tiny random Mixtral-layout Llama GGUF: 4 experts, 2 per token, a
    /// f32 router, Q4_1 experts (this crate's kernels), Q8_0 attention;
    /// the experts one tensor each (`stacked` false: what candle's model
    /// reads) or stacked (`_exps`), the same values either way.
    fn tiny_moe(stacked: bool) -> Vec<u8> {
        let (h, heads, kv, ffn, vocab, experts) = (64usize, 4usize, 2usize, 128usize, 96usize, 4);
        let hd = h / heads;
        let mut q = random_tensors(0x853C_49E6_748F_EA9B);
        let mut tensors = head_tensors(&mut q, vocab, h);
        for b in 0..2 {
            let name = |n: &str| format!("blk.{b}.{n}.weight");
            tensors.push((name("attn_norm"), q(&[h], 1.0, GgmlDType::F32)));
            tensors.push((name("ffn_norm"), q(&[h], 1.0, GgmlDType::F32)));
            tensors.extend(attention_q8(&mut q, b, (h, heads, kv, hd)));
            tensors.push((name("ffn_gate_inp"), q(&[experts, h], 1.0, GgmlDType::F32)));
            for (n, shape) in [("gate", [ffn, h]), ("up", [ffn, h]), ("down", [h, ffn])] {
                let parts: Vec<QTensor> = (0..experts)
                    .map(|_| q(&shape, 0.3, GgmlDType::Q4_1))
                    .collect();
                if stacked {
                    tensors.push((format!("blk.{b}.ffn_{n}_exps.weight"), stack(&parts)));
                } else {
                    for (e, p) in parts.into_iter().enumerate() {
                        tensors.push((format!("blk.{b}.ffn_{n}.{e}.weight"), p));
                    }
                }
            }
        }
        let k = |key: &str| format!("llama.{key}");
        let md: Vec<(String, Value)> = vec![
            ("general.architecture".into(), Value::String("llama".into())),
            (k("block_count"), Value::U32(2)),
            (k("embedding_length"), Value::U32(h as u32)),
            (k("attention.head_count"), Value::U32(heads as u32)),
            (k("attention.head_count_kv"), Value::U32(kv as u32)),
            (k("attention.layer_norm_rms_epsilon"), Value::F32(1e-5)),
            (k("rope.dimension_count"), Value::U32(hd as u32)),
            (k("expert_count"), Value::U32(experts as u32)),
            (k("expert_used_count"), Value::U32(2)),
        ];
        gguf_bytes(&md, &tensors)
    }

    /// Our mixture, from either layout of the experts, gives candle's
    /// `quantized_llama`'s top-5 (on the one-tensor-per-expert file) over
    /// the prompt pass and two cached steps.
    #[test]
    fn moe_top5_matches_candles_model() {
        for stacked in [false, true] {
            let mut reader = std::io::Cursor::new(tiny_moe(stacked));
            let ct = Content::read(&mut reader).expect("header");
            let mut ours = QuantMoe::from_gguf(&ct, &OwnTensors::new(), &mut reader).expect("ours");
            let mut reader = std::io::Cursor::new(tiny_moe(false));
            let ct = Content::read(&mut reader).expect("header");
            let mut theirs =
                ModelWeights::from_gguf(ct, &mut reader, &Device::Cpu).expect("candle");
            same_top5(&mut |x, p| ours.forward(x, p), &mut |x, p| {
                theirs.forward(x, p)
            });
        }
    }
}
