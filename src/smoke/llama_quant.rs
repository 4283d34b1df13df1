//! A GGUF Llama's forward pass on the CPU with the projections kept
//! quantized and multiplied by `quant_linear` (this crate's integer kernels
//! for Q4_0/Q4_1/Q5_0/Q5_1/Q8_0/Q4_K/Q6_K and IQ4_XS, candle's for the other types; IQ4_XS
//! tensors, which candle cannot hold, are read from the file by this module
//! as `gguf_header` lists them). The layers are
//! `llama_half`'s ([`Block`] over any `Module`), so everything between the
//! projections is the same f32 code as the bf16 path; what candle's
//! `quantized_llama` does differently is matched here: the embedding's
//! rows are dequantized to f32 on lookup (its blocks kept as stored and
//! shared with a tied LM head, where candle widens the whole table),
//! rotary tables have `rope.dimension_count` and
//! `rope.freq_base` (no scaling), and Q/K rows are put back into the
//! halves order (`quant_linear::unpermute_heads`) so that the non-interleaved
//! rotation gives what the interleaved one gives on GGUF's order.
//!
//! Qwen2 runs here too ([`Flavor::Qwen2`]): Llama's layers with biases on
//! Q/K/V, its keys under `qwen2.*`, Q/K stored in the halves order already
//! (no unpermuting), the rotation over the whole head and its tables as
//! long as the (cut) context, as candle's `quantized_qwen2` builds them.
//! Qwen3 adds per-head Q/K norms. Phi-3 ([`Flavor::Phi3`]) stores Q, K and V
//! in one tensor and gate and up in another: they are cut by rows
//! (`quant_linear::split_rows`) into the same layers.
//!
//! Mixture-of-experts files (`llama.expert_count` > 1) run in `llama_moe`,
//! over this module's attention and tensor reading.

use super::gguf_header::{read_span, OwnTensors, OwnType};
use super::llama_half::{Attention, Block, CpuLlama, Embedding, Mlp};
use super::quant_kernel::Weights;
use super::quant_linear::{
    projection_weight, split_bytes, split_rows, unpermute_heads, unpermute_rows, OwnLinear,
    ProjWeight, QuantProj,
};
use candle_core::quantized::gguf_file::Content;
use candle_core::{DType, Device, Tensor};
use candle_transformers::models::quantized_llama::MAX_SEQ_LEN;
use std::io::{Read, Seek};

/// A Llama from a GGUF file, quantized projections, f32 activations, with
/// its KV cache.
pub(crate) type QuantLlama = CpuLlama<QuantProj, ProjWeight>;

/// A GGUF embedding table: its rows dequantized from the stored blocks on
/// lookup, never the whole table.
impl Embedding for ProjWeight {
    fn rows(&self, ids: &Tensor) -> candle_core::Result<Tensor> {
        self.embedding(ids)
    }
}

/// The families this forward runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flavor {
    /// Llama (and Mistral, read as Llama).
    Llama,
    /// Qwen2: Q/K/V biases, no Q/K permutation.
    Qwen2,
    /// Qwen3: per-head Q/K norms, the head width its own key, no Q/K
    /// permutation.
    Qwen3,
    /// Phi-3: Q, K and V in one tensor (`attn_qkv`), gate and up in one
    /// (`ffn_up`), no Q/K permutation.
    Phi3,
}

impl Flavor {
    /// The metadata keys' prefix.
    fn prefix(self) -> &'static str {
        match self {
            Flavor::Llama => "llama",
            Flavor::Qwen2 => "qwen2",
            Flavor::Qwen3 => "qwen3",
            Flavor::Phi3 => "phi3",
        }
    }
}

/// The sizes read from the metadata.
pub(crate) struct Sizes {
    heads: usize,
    kv_heads: usize,
    pub(crate) blocks: usize,
    head_dim: usize,
    rope_dim: usize,
    /// Rows of the rotary tables.
    positions: usize,
    pub(crate) eps: f32,
    rope_base: f32,
}

/// A `{prefix}.*` key as u32 (the checks before loading made sure of it).
pub(crate) fn md_u32(ct: &Content, flavor: Flavor, key: &str) -> candle_core::Result<usize> {
    let key = format!("{}.{key}", flavor.prefix());
    match ct.metadata.get(&key) {
        Some(v) => Ok(v.to_u32()? as usize),
        None => candle_core::bail!("cannot find {key} in metadata"),
    }
}

impl Sizes {
    /// Reads the sizes of a checked file of `flavor`.
    pub(crate) fn read(ct: &Content, flavor: Flavor) -> candle_core::Result<Sizes> {
        let p = flavor.prefix();
        let eps = match ct
            .metadata
            .get(&format!("{p}.attention.layer_norm_rms_epsilon"))
        {
            Some(v) => v.to_f32()?,
            None => candle_core::bail!("cannot find {p}.attention.layer_norm_rms_epsilon"),
        };
        let rope_base = ct
            .metadata
            .get(&format!("{p}.rope.freq_base"))
            .and_then(|v| v.to_f32().ok())
            .unwrap_or(10_000.);
        let heads = md_u32(ct, flavor, "attention.head_count")?;
        let hidden = md_u32(ct, flavor, "embedding_length")?;
        let head_dim = match flavor {
            Flavor::Qwen3 => md_u32(ct, flavor, "attention.key_length")?,
            _ => hidden / heads.max(1),
        };
        let (rope_dim, positions) = match flavor {
            Flavor::Llama => (md_u32(ct, flavor, "rope.dimension_count")?, MAX_SEQ_LEN),
            Flavor::Qwen2 | Flavor::Qwen3 => (head_dim, md_u32(ct, flavor, "context_length")?),
            Flavor::Phi3 => (
                md_u32(ct, flavor, "rope.dimension_count")?,
                md_u32(ct, flavor, "context_length")?,
            ),
        };
        Ok(Sizes {
            heads,
            kv_heads: md_u32(ct, flavor, "attention.head_count_kv")?,
            blocks: md_u32(ct, flavor, "block_count")?,
            head_dim,
            rope_dim,
            positions,
            eps,
            rope_base,
        })
    }
}

/// The rotary tables `[positions, rope_dim / 2]`, as `quantized_llama`'s
/// (`MAX_SEQ_LEN` rows) and `quantized_qwen2`'s (the context's); every
/// frequency multiplied by `freq_scale` (1 but for linear rope scaling,
/// where it is 1 / factor).
pub(crate) fn rotary(
    rope_dim: usize,
    positions: usize,
    (base, freq_scale): (f32, f32),
    dev: &Device,
) -> candle_core::Result<(Tensor, Tensor)> {
    let theta: Vec<f32> = (0..rope_dim)
        .step_by(2)
        .map(|i| freq_scale / base.powf(i as f32 / rope_dim as f32))
        .collect();
    let n = theta.len();
    let angles = Tensor::arange(0, positions as u32, dev)?
        .to_dtype(DType::F32)?
        .reshape((positions, 1))?
        .matmul(&Tensor::new(theta, dev)?.reshape((1, n))?)?;
    Ok((angles.cos()?, angles.sin()?))
}

/// A tensor's bytes and its `[rows, cols]`.
type RowBytes = (Vec<u8>, (usize, usize));

/// Reads a GGUF's tensors, from candle's list or this crate's (`own`).
pub(crate) struct Tensors<'a, R> {
    pub(crate) ct: &'a Content,
    pub(crate) own: &'a OwnTensors,
    pub(crate) reader: &'a mut R,
}

/// A projection's blocks as mri's kernels keep them: their type, the
/// bytes, and (rows, columns).
type KernelBytes = (Weights, Vec<u8>, (usize, usize));

impl<R: Read + Seek> Tensors<'_, R> {
    /// Tensor `name` as an f32 tensor (norms, the embedding).
    pub(crate) fn dequantized(&mut self, name: &str) -> candle_core::Result<Tensor> {
        match self.iq4_xs(name, None)? {
            Some(l) => l.dequantize(&Device::Cpu),
            None => self
                .ct
                .tensor(self.reader, name, &Device::Cpu)?
                .dequantize(&Device::Cpu),
        }
    }

    /// Tensor `name` as a projection, its rows put back into the halves
    /// order for `heads` heads where given.
    pub(crate) fn projection(
        &mut self,
        name: &str,
        heads: Option<usize>,
    ) -> candle_core::Result<QuantProj> {
        if let Some(l) = self.iq4_xs(name, heads)? {
            return Ok(QuantProj::plain(ProjWeight::Own(l)));
        }
        if let Some((weights, bytes, (rows, cols))) = self.kernel_bytes(name)? {
            let bytes = match heads {
                Some(h) => unpermute_rows(&bytes, rows, h)?,
                None => bytes,
            };
            let l = OwnLinear::new(weights, bytes, (rows, cols))?;
            return Ok(QuantProj::plain(ProjWeight::Own(l)));
        }
        let t = self.ct.tensor(self.reader, name, &Device::Cpu)?;
        let t = match heads {
            Some(h) => unpermute_heads(t, h)?,
            None => t,
        };
        Ok(QuantProj::plain(projection_weight(t)?))
    }

    /// Tensor `name`, a fused projection (or a mixture's stacked experts,
    /// `[n, r, cols]`), cut by rows into consecutive projections of
    /// `rows[i]` rows each.
    pub(crate) fn projection_parts(
        &mut self,
        name: &str,
        rows: &[usize],
    ) -> candle_core::Result<Vec<QuantProj>> {
        if let Some((bytes, (total, cols))) = self.iq4_xs_bytes(name)? {
            return split_bytes(&bytes, total, rows)?
                .into_iter()
                .zip(rows)
                .map(|(part, &r)| {
                    let l = OwnLinear::new(Weights::Iq4Xs, part.to_vec(), (r, cols))?;
                    Ok(QuantProj::plain(ProjWeight::Own(l)))
                })
                .collect();
        }
        let t = self.ct.tensor(self.reader, name, &Device::Cpu)?;
        split_rows(t, rows)?
            .into_iter()
            .map(|t| Ok(QuantProj::plain(projection_weight(t)?)))
            .collect()
    }

    /// Tensor `name`'s blocks, read from the file straight into the buffer
    /// mri's kernels keep, where they take its type (Q8_0, Q4_K, Q6_K; two
    /// dimensions): not made into a candle tensor and copied out of it
    /// (three copies of every projection at load). `None` for other types.
    fn kernel_bytes(&mut self, name: &str) -> candle_core::Result<Option<KernelBytes>> {
        let Some(info) = self.ct.tensor_infos.get(name) else {
            return Ok(None);
        };
        let weights = match Weights::of(info.ggml_dtype) {
            Some(w @ (Weights::Q8_0 | Weights::Q4K | Weights::Q6K)) => w,
            _ => return Ok(None),
        };
        let Ok((rows, cols)) = info.shape.dims2() else {
            return Ok(None);
        };
        let block = weights.block_values();
        let size = (cols % block == 0)
            .then(|| rows.checked_mul(cols / block))
            .flatten()
            .and_then(|blocks| blocks.checked_mul(weights.block_bytes()));
        let Some(size) = size else {
            candle_core::bail!(
                "tensor {name} ({rows} x {cols}) does not hold whole blocks of {block} values"
            )
        };
        let start = self.ct.tensor_data_offset.saturating_add(info.offset);
        let bytes = read_span(self.reader, start, size)
            .map_err(|e| candle_core::Error::Msg(format!("tensor {name} {e}")))?;
        Ok(Some((weights, bytes, (rows, cols))))
    }

    /// Tensor `name`'s shape (outermost first), from either list.
    pub(crate) fn dims(&self, name: &str) -> Option<Vec<usize>> {
        if let Some(t) = self.ct.tensor_infos.get(name) {
            return Some(t.shape.dims().to_vec());
        }
        self.own
            .get(name)
            .map(|t| t.shape.iter().map(|&d| d as usize).collect())
    }

    /// Whether the file has tensor `name`.
    pub(crate) fn has(&self, name: &str) -> bool {
        self.ct.tensor_infos.contains_key(name) || self.own.contains_key(name)
    }

    /// Tensor `name` when it is IQ4_XS, as a projection (rows unpermuted
    /// for `heads` heads where given).
    fn iq4_xs(
        &mut self,
        name: &str,
        heads: Option<usize>,
    ) -> candle_core::Result<Option<OwnLinear>> {
        let Some((mut bytes, (rows, cols))) = self.iq4_xs_bytes(name)? else {
            return Ok(None);
        };
        if let Some(h) = heads {
            bytes = unpermute_rows(&bytes, rows, h)?;
        }
        OwnLinear::new(Weights::Iq4Xs, bytes, (rows, cols)).map(Some)
    }

    /// Tensor `name`'s bytes and `[rows, cols]` when it is IQ4_XS (one of
    /// this crate's own types, read from the file as `gguf_header` lists it).
    fn iq4_xs_bytes(&mut self, name: &str) -> candle_core::Result<Option<RowBytes>> {
        let Some(t) = self.own.get(name) else {
            return Ok(None);
        };
        let OwnType::Iq4Xs = t.dtype;
        let (rows, cols) = match t.shape[..] {
            [rows, cols] => (rows, cols),
            // A mixture's stacked experts, as their rows one after another.
            [n, rows, cols] => (n.saturating_mul(rows), cols),
            _ => candle_core::bail!(
                "tensor {name} has shape {:?}, not two or three dimensions",
                t.shape
            ),
        };
        let bytes = t.read(self.reader, self.ct.tensor_data_offset)?;
        Ok(Some((bytes, (rows as usize, cols as usize))))
    }
}

impl QuantLlama {
    /// Loads a checked Llama GGUF `ct` (with `own`, its tensors of types
    /// candle cannot hold) from `reader` onto the CPU.
    #[cfg(test)]
    pub(crate) fn from_gguf<R: Read + Seek>(
        ct: &Content,
        own: &OwnTensors,
        reader: &mut R,
    ) -> candle_core::Result<Self> {
        Self::from_gguf_as(Flavor::Llama, ct, own, reader)
    }

    /// Loads a checked GGUF `ct` of `flavor` (with `own`, its tensors of
    /// types candle cannot hold) from `reader` onto the CPU.
    pub(crate) fn from_gguf_as<R: Read + Seek>(
        flavor: Flavor,
        ct: &Content,
        own: &OwnTensors,
        reader: &mut R,
    ) -> candle_core::Result<Self> {
        let s = Sizes::read(ct, flavor)?;
        let mut t = Tensors { ct, own, reader };
        let (embed, head) = t.ends()?;
        let mut blocks = Vec::with_capacity(s.blocks);
        for i in 0..s.blocks {
            let name = |n: &str| format!("blk.{i}.{n}.weight");
            let (gate, up) = if flavor == Flavor::Phi3 {
                let ffn = md_u32(ct, flavor, "feed_forward_length")?;
                let mut parts = t.projection_parts(&name("ffn_up"), &[ffn, ffn])?;
                let up = parts.pop();
                match (parts.pop(), up) {
                    (Some(gate), Some(up)) => (gate, up),
                    _ => candle_core::bail!("blk.{i}.ffn_up did not split into gate and up"),
                }
            } else {
                (
                    t.projection(&name("ffn_gate"), None)?,
                    t.projection(&name("ffn_up"), None)?,
                )
            };
            blocks.push(Block {
                input_norm: t.dequantized(&name("attn_norm"))?,
                attention: t.attention(flavor, &s, i)?,
                post_norm: t.dequantized(&name("ffn_norm"))?,
                mlp: Mlp {
                    gate,
                    up,
                    down: t.projection(&name("ffn_down"), None)?,
                },
            });
        }
        Ok(CpuLlama::new(embed, blocks, head, s.eps, s.tables()?))
    }
}

impl Sizes {
    /// The rotary tables on the CPU.
    pub(crate) fn tables(&self) -> candle_core::Result<(Tensor, Tensor)> {
        rotary(
            self.rope_dim,
            self.positions,
            (self.rope_base, 1.),
            &Device::Cpu,
        )
    }
}

impl<R: Read + Seek> Tensors<'_, R> {
    /// The embedding (its blocks as stored, rows dequantized on lookup),
    /// and the final norm's weight with the LM head (`output.weight`, else
    /// the embedding's blocks, shared).
    pub(crate) fn ends(&mut self) -> candle_core::Result<(ProjWeight, (Tensor, QuantProj))> {
        let embed = self.projection("token_embd.weight", None)?.weight;
        let norm = self.dequantized("output_norm.weight")?;
        let lm_head = if self.has("output.weight") {
            self.projection("output.weight", None)?
        } else {
            QuantProj::plain(embed.clone())
        };
        Ok((embed, (norm, lm_head)))
    }

    /// Block `i`'s attention for `flavor`: Q/K/V (fused for Phi-3, biased
    /// for Qwen2, Llama's Q/K rows put back into the halves order), the
    /// output projection, Qwen3's Q/K norms.
    pub(crate) fn attention(
        &mut self,
        flavor: Flavor,
        s: &Sizes,
        i: usize,
    ) -> candle_core::Result<Attention<QuantProj>> {
        let name = |n: &str| format!("blk.{i}.{n}.weight");
        let head_dim = s.head_dim;
        // GGUF's Llama Q/K rows are in the interleaved rotary order.
        let permuted = |heads| (flavor == Flavor::Llama).then_some(heads);
        let mut qkv = |n: &str, heads| -> candle_core::Result<QuantProj> {
            let mut p = self.projection(&name(n), heads)?;
            if flavor == Flavor::Qwen2 {
                p.bias = Some(self.dequantized(&format!("blk.{i}.{n}.bias"))?);
            }
            Ok(p)
        };
        let (q, k, v) = if flavor == Flavor::Phi3 {
            let (q, kv) = (s.heads * head_dim, s.kv_heads * head_dim);
            let mut parts = self.projection_parts(&name("attn_qkv"), &[q, kv, kv])?;
            let v = parts.pop();
            let k = parts.pop();
            let q = parts.pop();
            match (q, k, v) {
                (Some(q), Some(k), Some(v)) => (q, k, v),
                _ => candle_core::bail!("blk.{i}.attn_qkv did not split into Q, K and V"),
            }
        } else {
            (
                qkv("attn_q", permuted(s.heads))?,
                qkv("attn_k", permuted(s.kv_heads))?,
                qkv("attn_v", None)?,
            )
        };
        let qk_norm = match flavor {
            Flavor::Qwen3 => Some((
                self.dequantized(&name("attn_q_norm"))?,
                self.dequantized(&name("attn_k_norm"))?,
            )),
            _ => None,
        };
        Ok(Attention {
            q,
            k,
            v,
            o: self.projection(&name("attn_output"), None)?,
            heads: s.heads,
            kv_heads: s.kv_heads,
            head_dim,
            qk_norm,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use candle_transformers::models::quantized_llama::ModelWeights;

    /// The five most likely ids of `logits` (`[1, vocab]`) and their
    /// probabilities.
    pub(crate) fn top5(logits: &Tensor) -> Vec<(usize, f32)> {
        let p = candle_nn::ops::softmax_last_dim(logits)
            .and_then(|p| p.flatten_all())
            .and_then(|p| p.to_vec1::<f32>())
            .expect("probabilities");
        let mut ids: Vec<usize> = (0..p.len()).collect();
        ids.sort_by(|&a, &b| p[b].total_cmp(&p[a]));
        ids.into_iter().take(5).map(|i| (i, p[i])).collect()
    }

    /// With `MRI_SMOLLM2_GGUF` (SmolLM2-135M-Instruct Q4_1, as `.ci/run`
    /// fetches it): the prompt pass and two cached steps give the same top-5
    /// as candle's `quantized_llama` on the same file, probabilities close.
    #[test]
    fn smollm2_top5_matches_candles_model() {
        let Some(path) = std::env::var_os("MRI_SMOLLM2_GGUF") else {
            println!("MRI_SMOLLM2_GGUF is not set: skipped");
            return;
        };
        let open = || std::io::BufReader::new(std::fs::File::open(&path).expect("open"));
        let mut reader = open();
        let ct = Content::read(&mut reader).expect("header");
        let mut ours = QuantLlama::from_gguf(&ct, &OwnTensors::new(), &mut reader).expect("ours");
        let mut reader = open();
        let ct = Content::read(&mut reader).expect("header");
        let mut theirs = ModelWeights::from_gguf(ct, &mut reader, &Device::Cpu).expect("candle");
        // "The capital of France is", then " Paris" and "." (SmolLM2's ids).
        let steps: [&[u32]; 3] = [&[504, 3575, 282, 4649, 314], &[7042], &[30]];
        let mut pos = 0;
        for ids in steps {
            let input = Tensor::new(ids, &Device::Cpu)
                .and_then(|t| t.unsqueeze(0))
                .expect("input");
            let a = top5(&ours.forward(&input, pos).expect("ours"));
            let b = top5(&theirs.forward(&input, pos).expect("candle"));
            let ids_a: Vec<usize> = a.iter().map(|x| x.0).collect();
            let ids_b: Vec<usize> = b.iter().map(|x| x.0).collect();
            assert_eq!(ids_a, ids_b, "at {pos}: {a:?} vs {b:?}");
            for ((_, pa), (_, pb)) in a.iter().zip(&b) {
                assert!((pa - pb).abs() < 0.02, "at {pos}: {a:?} vs {b:?}");
            }
            println!("at {pos}: ours {a:?}\n       candle {b:?}");
            pos += ids.len();
        }
    }

    /// Random values in [-scale, scale) of `shape`, quantized to `dtype`,
    /// from a xorshift seeded with `seed` (the same tensors at every run).
    pub(crate) fn random_tensors(
        mut seed: u64,
    ) -> impl FnMut(&[usize], f32, candle_core::quantized::GgmlDType) -> candle_core::quantized::QTensor
    {
        move |shape, scale, dtype| {
            let n: usize = shape.iter().product();
            let v: Vec<f32> = (0..n)
                .map(|_| {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    ((seed >> 40) as f32 / (1u64 << 23) as f32 - 1.) * scale
                })
                .collect();
            let t = Tensor::from_vec(v, shape, &Device::Cpu).expect("tensor");
            candle_core::quantized::QTensor::quantize(&t, dtype).expect("quantize")
        }
    }

    /// Block `b`'s Q, K, V and output projections in Q8_0 (drawn in that
    /// order), `hd` wide per head.
    pub(crate) fn attention_q8(
        q: &mut impl FnMut(
            &[usize],
            f32,
            candle_core::quantized::GgmlDType,
        ) -> candle_core::quantized::QTensor,
        b: usize,
        (h, heads, kv, hd): (usize, usize, usize, usize),
    ) -> Vec<(String, candle_core::quantized::QTensor)> {
        use candle_core::quantized::GgmlDType::Q8_0;
        let name = |n: &str| format!("blk.{b}.{n}.weight");
        vec![
            (name("attn_q"), q(&[heads * hd, h], 0.3, Q8_0)),
            (name("attn_k"), q(&[kv * hd, h], 0.3, Q8_0)),
            (name("attn_v"), q(&[kv * hd, h], 0.3, Q8_0)),
            (name("attn_output"), q(&[h, heads * hd], 0.3, Q8_0)),
        ]
    }

    /// The embedding, the untied output (Q8_0) and the final norm.
    pub(crate) fn head_tensors(
        q: &mut impl FnMut(
            &[usize],
            f32,
            candle_core::quantized::GgmlDType,
        ) -> candle_core::quantized::QTensor,
        vocab: usize,
        h: usize,
    ) -> Vec<(String, candle_core::quantized::QTensor)> {
        use candle_core::quantized::GgmlDType;
        vec![
            (
                "token_embd.weight".into(),
                q(&[vocab, h], 1.0, GgmlDType::Q8_0),
            ),
            ("output.weight".into(), q(&[vocab, h], 0.5, GgmlDType::Q8_0)),
            ("output_norm.weight".into(), q(&[h], 1.0, GgmlDType::F32)),
        ]
    }

    /// A GGUF file of `md` and `tensors`, by candle's writer.
    pub(crate) fn gguf_bytes(
        md: &[(String, candle_core::quantized::gguf_file::Value)],
        tensors: &[(String, candle_core::quantized::QTensor)],
    ) -> Vec<u8> {
        use candle_core::quantized::gguf_file::{self, Value};
        use candle_core::quantized::QTensor;
        let mut bytes = std::io::Cursor::new(Vec::new());
        let md_refs: Vec<(&str, &Value)> = md.iter().map(|(k, v)| (k.as_str(), v)).collect();
        let t_refs: Vec<(&str, &QTensor)> = tensors.iter().map(|(k, v)| (k.as_str(), v)).collect();
        gguf_file::write(&mut bytes, &md_refs, &t_refs).expect("write");
        bytes.into_inner()
    }

    /// A tiny random GGUF of `arch` (`qwen2`: biases; `qwen3`: Q/K norms,
    /// a head width of its own), untied output, Q4_1 MLP (this crate's
    /// kernels), Q8_0 attention (this crate's too), written with candle's writer.
    fn tiny_qwen(arch: &str) -> Vec<u8> {
        tiny_qwen_with(arch, (false, false))
    }

    /// [`tiny_qwen`], its output tied to the embedding when `tied` (no
    /// `output.weight`), or else, when `copied`, a copy of the embedding's
    /// blocks.
    pub(crate) fn tiny_qwen_with(arch: &str, (tied, copied): (bool, bool)) -> Vec<u8> {
        use candle_core::quantized::gguf_file::Value;
        use candle_core::quantized::GgmlDType;
        let (h, heads, kv, hd, ffn, vocab) = (64usize, 4usize, 2usize, 32usize, 128usize, 96usize);
        let hd = if arch == "qwen3" { hd } else { h / heads };
        let mut q = random_tensors(0x2545_F491_4F6C_DD1D);
        let mut tensors = head_tensors(&mut q, vocab, h);
        if tied || copied {
            tensors.retain(|(n, _)| n != "output.weight");
        }
        if copied && !tied {
            use candle_core::quantized::{QStorage, QTensor};
            let copy = tensors
                .iter()
                .find(|(n, _)| n == "token_embd.weight")
                .map(|(_, t)| {
                    let storage =
                        QStorage::from_data(t.data().expect("data"), &Device::Cpu, t.dtype());
                    QTensor::new(storage.expect("storage"), t.shape()).expect("copy")
                });
            tensors.extend(copy.map(|t| ("output.weight".to_string(), t)));
        }
        for b in 0..2 {
            let mut put = |n: &str, t| tensors.push((format!("blk.{b}.{n}"), t));
            put("attn_norm.weight", q(&[h], 1.0, GgmlDType::F32));
            put("ffn_norm.weight", q(&[h], 1.0, GgmlDType::F32));
            put("attn_q.weight", q(&[heads * hd, h], 0.3, GgmlDType::Q8_0));
            put("attn_k.weight", q(&[kv * hd, h], 0.3, GgmlDType::Q8_0));
            put("attn_v.weight", q(&[kv * hd, h], 0.3, GgmlDType::Q8_0));
            if arch == "qwen2" {
                put("attn_q.bias", q(&[heads * hd], 0.2, GgmlDType::F32));
                put("attn_k.bias", q(&[kv * hd], 0.2, GgmlDType::F32));
                put("attn_v.bias", q(&[kv * hd], 0.2, GgmlDType::F32));
            } else {
                put("attn_q_norm.weight", q(&[hd], 1.5, GgmlDType::F32));
                put("attn_k_norm.weight", q(&[hd], 1.5, GgmlDType::F32));
            }
            put(
                "attn_output.weight",
                q(&[h, heads * hd], 0.3, GgmlDType::Q8_0),
            );
            put("ffn_gate.weight", q(&[ffn, h], 0.3, GgmlDType::Q4_1));
            put("ffn_up.weight", q(&[ffn, h], 0.3, GgmlDType::Q4_1));
            put("ffn_down.weight", q(&[h, ffn], 0.3, GgmlDType::Q4_1));
        }
        let k = |key: &str| format!("{arch}.{key}");
        let md: Vec<(String, Value)> = vec![
            ("general.architecture".into(), Value::String(arch.into())),
            // candle's qwen3 computes in f16 unless told f32.
            ("general.dtype".into(), Value::U32(0)),
            (k("block_count"), Value::U32(2)),
            (k("context_length"), Value::U32(64)),
            (k("embedding_length"), Value::U32(h as u32)),
            (k("attention.head_count"), Value::U32(heads as u32)),
            (k("attention.head_count_kv"), Value::U32(kv as u32)),
            (k("attention.key_length"), Value::U32(hd as u32)),
            (k("attention.layer_norm_rms_epsilon"), Value::F32(1e-6)),
            (k("rope.freq_base"), Value::F32(1e6)),
        ];
        gguf_bytes(&md, &tensors)
    }

    /// A tiny random Phi-3 GGUF: Q, K and V fused in `attn_qkv` (Q8_0,
    /// this crate's kernel), gate and up fused in `ffn_up` and the down
    /// projection in Q4_1 (this crate's kernels), rotary base 10,000 (the
    /// one candle's `quantized_phi3` always uses).
    fn tiny_phi3() -> Vec<u8> {
        use candle_core::quantized::gguf_file::Value;
        use candle_core::quantized::GgmlDType;
        let (h, heads, kv, ffn, vocab) = (64usize, 4usize, 2usize, 128usize, 96usize);
        let hd = h / heads;
        let mut q = random_tensors(0x9E37_79B9_7F4A_7C15);
        let mut tensors = head_tensors(&mut q, vocab, h);
        for b in 0..2 {
            let mut put = |n: &str, t| tensors.push((format!("blk.{b}.{n}"), t));
            put("attn_norm.weight", q(&[h], 1.0, GgmlDType::F32));
            put("ffn_norm.weight", q(&[h], 1.0, GgmlDType::F32));
            put(
                "attn_qkv.weight",
                q(&[(heads + 2 * kv) * hd, h], 0.3, GgmlDType::Q8_0),
            );
            put(
                "attn_output.weight",
                q(&[h, heads * hd], 0.3, GgmlDType::Q8_0),
            );
            put("ffn_up.weight", q(&[2 * ffn, h], 0.3, GgmlDType::Q4_1));
            put("ffn_down.weight", q(&[h, ffn], 0.3, GgmlDType::Q4_1));
        }
        let k = |key: &str| format!("phi3.{key}");
        let md: Vec<(String, Value)> = vec![
            ("general.architecture".into(), Value::String("phi3".into())),
            (k("block_count"), Value::U32(2)),
            (k("context_length"), Value::U32(64)),
            (k("embedding_length"), Value::U32(h as u32)),
            (k("feed_forward_length"), Value::U32(ffn as u32)),
            (k("attention.head_count"), Value::U32(heads as u32)),
            (k("attention.head_count_kv"), Value::U32(kv as u32)),
            (k("attention.layer_norm_rms_epsilon"), Value::F32(1e-5)),
            (k("rope.dimension_count"), Value::U32(hd as u32)),
        ];
        gguf_bytes(&md, &tensors)
    }

    /// The prompt pass and two cached steps of `ours` and `theirs` give the
    /// same top-5, probabilities within 0.01.
    pub(crate) fn same_top5(
        ours: &mut dyn FnMut(&Tensor, usize) -> candle_core::Result<Tensor>,
        theirs: &mut dyn FnMut(&Tensor, usize) -> candle_core::Result<Tensor>,
    ) {
        let steps: [&[u32]; 3] = [&[5, 17, 42, 8, 90], &[3], &[77]];
        let mut pos = 0;
        for ids in steps {
            let input = Tensor::new(ids, &Device::Cpu)
                .and_then(|t| t.unsqueeze(0))
                .expect("input");
            let a = top5(&ours(&input, pos).expect("ours"));
            let b = top5(&theirs(&input, pos).expect("candle"));
            let ids_a: Vec<usize> = a.iter().map(|x| x.0).collect();
            let ids_b: Vec<usize> = b.iter().map(|x| x.0).collect();
            assert_eq!(ids_a, ids_b, "at {pos}: {a:?} vs {b:?}");
            for ((_, pa), (_, pb)) in a.iter().zip(&b) {
                assert!((pa - pb).abs() < 0.01, "at {pos}: {a:?} vs {b:?}");
            }
            pos += ids.len();
        }
    }

    /// Our forward of `flavor` on the GGUF `bytes` against candle's model of
    /// it, built by `load` and run by `forward`: the same top-5 over the
    /// prompt pass and two cached steps (`same_top5`).
    fn matches_candle<M>(
        flavor: Flavor,
        bytes: Vec<u8>,
        load: impl FnOnce(Content, &mut std::io::Cursor<Vec<u8>>) -> candle_core::Result<M>,
        forward: impl Fn(&mut M, &Tensor, usize) -> candle_core::Result<Tensor>,
    ) {
        let mut reader = std::io::Cursor::new(bytes.clone());
        let ct = Content::read(&mut reader).expect("header");
        let mut ours =
            QuantLlama::from_gguf_as(flavor, &ct, &OwnTensors::new(), &mut reader).expect("ours");
        let mut reader = std::io::Cursor::new(bytes);
        let ct = Content::read(&mut reader).expect("header");
        let mut theirs = load(ct, &mut reader).expect("candle");
        same_top5(&mut |x, p| ours.forward(x, p), &mut |x, p| {
            forward(&mut theirs, x, p)
        });
    }

    /// Our Qwen2 (biases, no unpermuting) against candle's `quantized_qwen2`.
    #[test]
    fn qwen2_top5_matches_candles_model() {
        use candle_transformers::models::quantized_qwen2::ModelWeights;
        matches_candle(
            Flavor::Qwen2,
            tiny_qwen("qwen2"),
            |ct, r| ModelWeights::from_gguf(ct, r, &Device::Cpu),
            |m, x, p| m.forward(x, p),
        );
    }

    #[test]
    fn kernel_blocks_are_read_straight_from_the_file_and_checked() {
        let file = tiny_qwen_with("qwen2", (false, false));
        let mut reader = std::io::Cursor::new(file.clone());
        let ct = Content::read(&mut reader).expect("header");
        let own = OwnTensors::new();
        let mut t = Tensors {
            ct: &ct,
            own: &own,
            reader: &mut reader,
        };
        // the bytes candle's tensor holds, read without it
        let (weights, bytes, dims) = t
            .kernel_bytes("blk.0.attn_q.weight")
            .expect("read")
            .expect("a Q8_0 projection");
        assert_eq!((weights, dims), (Weights::Q8_0, (64, 64)));
        let via_candle =
            t.ct.tensor(t.reader, "blk.0.attn_q.weight", &Device::Cpu)
                .and_then(|q| q.data().map(|d| d.into_owned()))
                .expect("candle");
        assert_eq!(bytes, via_candle);
        // other types are left to candle
        assert!(t
            .kernel_bytes("blk.0.ffn_up.weight")
            .expect("read")
            .is_none());
        // a file cut inside the tensor: a clear error, no panic
        let info = &ct.tensor_infos["blk.1.attn_v.weight"];
        let cut = (ct.tensor_data_offset + info.offset + 10) as usize;
        let mut short = std::io::Cursor::new(file[..cut].to_vec());
        let mut t = Tensors {
            ct: &ct,
            own: &own,
            reader: &mut short,
        };
        let err = t
            .kernel_bytes("blk.1.attn_v.weight")
            .expect_err("truncated")
            .to_string();
        assert!(
            err.contains("blk.1.attn_v.weight") && err.contains("remaining in the file"),
            "{err}"
        );
    }

    /// A tied output (no `output.weight`): the LM head and the embedding
    /// hold the same blocks (one copy, rows dequantized on lookup), and
    /// the logits are those of the same file with the output stored apart
    /// as a copy of the embedding's blocks (two copies held), bit for bit,
    /// over a prompt pass and two cached steps.
    #[test]
    fn a_tied_output_shares_the_embeddings_blocks() {
        let load = |tied, copied| {
            let mut reader = std::io::Cursor::new(tiny_qwen_with("qwen2", (tied, copied)));
            let ct = Content::read(&mut reader).expect("header");
            QuantLlama::from_gguf_as(Flavor::Qwen2, &ct, &OwnTensors::new(), &mut reader)
                .expect("ours")
        };
        let (mut tied, mut apart) = (load(true, false), load(false, true));
        let shares = |m: &QuantLlama| m.ends().0.shares_blocks(&m.ends().1.weight);
        assert!(shares(&tied));
        assert!(!shares(&apart));
        assert!(!shares(&load(false, false)));
        let steps: [&[u32]; 3] = [&[5, 17, 42, 8, 90], &[3], &[77]];
        let mut pos = 0;
        for ids in steps {
            let input = Tensor::new(ids, &Device::Cpu)
                .and_then(|t| t.unsqueeze(0))
                .expect("input");
            let logits = |m: &mut QuantLlama| -> Vec<f32> {
                m.forward(&input, pos)
                    .and_then(|t| t.flatten_all())
                    .and_then(|t| t.to_vec1())
                    .expect("logits")
            };
            assert_eq!(logits(&mut tied), logits(&mut apart), "at {pos}");
            pos += ids.len();
        }
    }

    /// Our Qwen3 (Q/K norms, head width 32 of a hidden 64 over 4 heads)
    /// against candle's `quantized_qwen3`.
    #[test]
    fn qwen3_top5_matches_candles_model() {
        use candle_transformers::models::quantized_qwen3::ModelWeights;
        matches_candle(
            Flavor::Qwen3,
            tiny_qwen("qwen3"),
            |ct, r| ModelWeights::from_gguf(ct, r, &Device::Cpu),
            |m, x, p| m.forward(x, p),
        );
    }

    /// Our Phi-3 (the fused QKV and gate-up tensors cut by rows) against
    /// candle's `quantized_phi3`.
    #[test]
    fn phi3_top5_matches_candles_model() {
        use candle_transformers::models::quantized_phi3::ModelWeights;
        matches_candle(
            Flavor::Phi3,
            tiny_phi3(),
            |ct, r| ModelWeights::from_gguf(false, ct, r, &Device::Cpu),
            |m, x, p| m.forward(x, p),
        );
    }
}
