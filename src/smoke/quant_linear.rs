//! A GGUF projection on this crate's integer kernels (`quant_kernel`).
//! The formats candle 0.11 runs scalar (Q4_0/Q4_1/Q5_0/Q5_1) stay a
//! candle `QMatMul` whose CPU storage is candle's own, wrapped so that its
//! f32 matmul runs these kernels (every other operation, dequantize and
//! embedding lookups, delegated to it). Q8_0 (candle's dot is AVX2 but
//! slower than llama.cpp's, and Q4_1 files keep their tied LM head in
//! Q8_0, a third of a token's weight reads) and Q4_K/Q6_K (candle's prompt
//! pass was 4–6× llama.cpp's) cannot be wrapped so: candle's `QTensor`
//! forward sends them to its own repacked tiles before asking the storage,
//! whenever `k` is a multiple of 256 and `n` of 16. They, and IQ4_XS (a
//! type candle 0.11 cannot hold), are an [`OwnLinear`] over the blocks'
//! bytes ([`projection_weight`] chooses). Other formats, and every non-CPU
//! device, get candle's `QMatMul` unchanged. [`QuantProj`] is either kind,
//! with an optional bias (Qwen2's Q/K/V).

use super::quant_kernel::{self, Kernel, Weights};
use candle_core::quantized::{GgmlDType, QMatMul, QStorage, QTensor, QuantizedType};
use candle_core::{CpuStorage, DType, Device, Module, Result, Tensor};
use half::f16;
use std::borrow::Cow;
use std::sync::Arc;

/// candle's CPU storage of a tensor in one of [`Weights`]'s block types, whose
/// f32 matmul goes to [`quant_kernel::matmul`].
struct FastStorage {
    format: Weights,
    kernel: Kernel,
    inner: Box<dyn QuantizedType>,
}

impl FastStorage {
    /// The blocks' bytes as candle holds them.
    fn bytes(&self) -> &[u8] {
        let len = self.inner.storage_size_in_bytes();
        // SAFETY: candle's CPU storage is a `Vec` of blocks: `as_ptr` points
        // at `storage_size_in_bytes` initialised bytes that live as long as
        // `self.inner`, which this borrow keeps.
        unsafe { std::slice::from_raw_parts(self.inner.as_ptr(), len) }
    }
}

impl QuantizedType for FastStorage {
    fn dtype(&self) -> GgmlDType {
        self.inner.dtype()
    }

    fn matmul_t(&self, mkn: (usize, usize, usize), lhs: &[f32], dst: &mut [f32]) -> Result<()> {
        quant_kernel::matmul(self.kernel, self.format, self.bytes(), mkn, lhs, dst)
            .map_err(candle_core::Error::Msg)
    }

    fn matmul_t_f16(&self, mkn: (usize, usize, usize), lhs: &[f16], dst: &mut [f16]) -> Result<()> {
        self.inner.matmul_t_f16(mkn, lhs, dst)
    }

    fn embedding(&self, ids: &[u32], rows: usize, hidden: usize) -> Result<CpuStorage> {
        self.inner.embedding(ids, rows, hidden)
    }

    fn dequantize(&self, elem_count: usize) -> Result<CpuStorage> {
        self.inner.dequantize(elem_count)
    }

    fn storage_size_in_bytes(&self) -> usize {
        self.inner.storage_size_in_bytes()
    }

    fn as_ptr(&self) -> *const u8 {
        self.inner.as_ptr()
    }

    fn block_size(&self) -> usize {
        self.inner.block_size()
    }

    fn from_float(&mut self, xs: &[f32]) {
        self.inner.from_float(xs)
    }

    fn from_float_imatrix(&mut self, xs: &[f32], imatrix_weights: &[f32], n_per_row: usize) {
        self.inner
            .from_float_imatrix(xs, imatrix_weights, n_per_row)
    }

    fn size(&self) -> usize {
        self.inner.size()
    }
}

/// A `QMatMul` over `tensor` (`[out, in]`) with the kernel this CPU runs
/// best.
pub(crate) fn qmatmul(tensor: QTensor) -> Result<QMatMul> {
    qmatmul_with(tensor, quant_kernel::kernel())
}

/// [`qmatmul`] with the kernel named (tests compare them). Only the Q4/Q5
/// types are wrapped: candle's `QTensor` forward sends Q8_0, Q4_K and Q6_K
/// to its own repacked tiles before any storage's `matmul_t` is asked
/// (whenever `k` is a multiple of 256 and `n` of 16), so those go to
/// [`OwnLinear`] instead ([`projection_weight`]).
pub(crate) fn qmatmul_with(tensor: QTensor, kernel: Kernel) -> Result<QMatMul> {
    let format = match quant_kernel::Format::of(tensor.dtype()) {
        Some(f) if matches!(tensor.device(), Device::Cpu) && tensor.shape().rank() == 2 => {
            Weights::Blocks(f)
        }
        _ => return QMatMul::from_qtensor(tensor),
    };
    let shape = tensor.shape().clone();
    let storage = QStorage::from_data(tensor.data()?, &Device::Cpu, tensor.dtype())?;
    drop(tensor);
    let QStorage::Cpu(inner) = storage else {
        candle_core::bail!("a CPU tensor's storage is not on the CPU")
    };
    let fast = FastStorage {
        format,
        kernel,
        inner,
    };
    QMatMul::from_qtensor(QTensor::new(QStorage::Cpu(Box::new(fast)), shape)?)
}

/// A projection's weight as this crate's kernels run it on the CPU:
/// Q8_0, Q4_K or Q6_K from candle's tensor ([`projection_weight`]), or
/// IQ4_XS from the file.
pub(crate) fn projection_weight(tensor: QTensor) -> Result<ProjWeight> {
    let own = match Weights::of(tensor.dtype()) {
        Some(w @ (Weights::Q8_0 | Weights::Q4K | Weights::Q6K))
            if matches!(tensor.device(), Device::Cpu) && tensor.shape().rank() == 2 =>
        {
            w
        }
        _ => return Ok(ProjWeight::Candle(qmatmul(tensor)?)),
    };
    let dims = tensor.shape().dims2()?;
    let bytes = tensor.data()?.into_owned();
    Ok(ProjWeight::Own(OwnLinear::new(own, bytes, dims)?))
}

/// A projection `[out, in]` over the bytes of its blocks (`in` a multiple
/// of the block: 32, or 256 for the K-quants and IQ4_XS), multiplied by
/// `quant_kernel`'s dots on the CPU. Clones share the bytes (a tied LM
/// head and the embedding looked up from it).
#[derive(Clone)]
pub(crate) struct OwnLinear {
    weights: Weights,
    bytes: Arc<Vec<u8>>,
    out: usize,
    input: usize,
    kernel: Kernel,
}

impl OwnLinear {
    /// The projection over `bytes` of `weights`, `out` rows of `input`
    /// values, with the kernel this CPU runs best; an error when the sizes
    /// disagree.
    pub(crate) fn new(weights: Weights, bytes: Vec<u8>, dims: (usize, usize)) -> Result<Self> {
        Self::with_kernel(weights, bytes, dims, quant_kernel::kernel())
    }

    /// [`OwnLinear::new`] with the kernel named (tests compare them).
    pub(crate) fn with_kernel(
        weights: Weights,
        bytes: Vec<u8>,
        (out, input): (usize, usize),
        kernel: Kernel,
    ) -> Result<Self> {
        let block = weights.block_values();
        let per_row = input / block * weights.block_bytes();
        if input % block != 0 || bytes.len() != out * per_row {
            candle_core::bail!(
                "a {weights:?} tensor [{out}, {input}] needs {} bytes in rows of {block} values; it has {}",
                out * per_row,
                bytes.len()
            )
        }
        Ok(OwnLinear {
            weights,
            bytes: Arc::new(bytes),
            out,
            input,
            kernel,
        })
    }

    /// The weight as f32 `[out, in]` (IQ4_XS by this crate, the others by
    /// candle).
    pub(crate) fn dequantize(&self, device: &Device) -> Result<Tensor> {
        let Some(dtype) = self.candle_dtype() else {
            let mut values = vec![0f32; self.out * self.input];
            quant_kernel::dequantize_iq4_xs(&self.bytes, &mut values);
            return Tensor::from_vec(values, (self.out, self.input), device);
        };
        let storage = QStorage::from_data(Cow::Borrowed(&self.bytes), &Device::Cpu, dtype)?;
        QTensor::new(storage, (self.out, self.input))?.dequantize(device)
    }

    /// candle's name of the blocks' type (`None` for IQ4_XS, which candle
    /// cannot hold).
    fn candle_dtype(&self) -> Option<GgmlDType> {
        match self.weights {
            Weights::Iq4Xs => None,
            Weights::Q8_0 => Some(GgmlDType::Q8_0),
            Weights::Q4K => Some(GgmlDType::Q4K),
            Weights::Q6K => Some(GgmlDType::Q6K),
            Weights::Blocks(f) => Some(f.dtype()),
        }
    }

    /// Rows `ids` of the weight (`[out, in]`, an embedding table) as f32
    /// `[ids, in]`, each dequantized from its own blocks: the values of
    /// [`OwnLinear::dequantize`]'s rows, without widening the others.
    pub(crate) fn rows(&self, ids: &[u32], device: &Device) -> Result<Tensor> {
        let per_row = self.input / self.weights.block_values() * self.weights.block_bytes();
        let mut values = vec![0f32; ids.len() * self.input];
        for (&id, out) in ids.iter().zip(values.chunks_exact_mut(self.input.max(1))) {
            let id = id as usize;
            let Some(row) = self.bytes.get(id * per_row..(id + 1) * per_row) else {
                candle_core::bail!("token id {id} is past the embedding's {} rows", self.out)
            };
            match self.candle_dtype() {
                None => quant_kernel::dequantize_iq4_xs(row, out),
                Some(dtype) => {
                    let storage = QStorage::from_data(Cow::Borrowed(row), &Device::Cpu, dtype)?;
                    let t = QTensor::new(storage, (1, self.input))?.dequantize(&Device::Cpu)?;
                    out.copy_from_slice(&t.flatten_all()?.to_vec1::<f32>()?);
                }
            }
        }
        Tensor::from_vec(values, (ids.len(), self.input), device)
    }
}

impl Module for OwnLinear {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let dims = x.dims().to_vec();
        let k = dims.last().copied().unwrap_or(0);
        if k != self.input {
            candle_core::bail!(
                "{:?} projection of width {} given {k} values",
                self.weights,
                self.input
            )
        }
        let m = x.elem_count() / k.max(1);
        // The activations read where they lie (a copy only when they are
        // not contiguous f32 on the CPU).
        let x = x.to_dtype(DType::F32)?.contiguous()?;
        let (storage, layout) = x.storage_and_layout();
        let candle_core::Storage::Cpu(cpu) = &*storage else {
            candle_core::bail!(
                "{:?} projection given activations off the CPU",
                self.weights
            )
        };
        let start = layout.start_offset();
        let Some(lhs) = cpu.as_slice::<f32>()?.get(start..start + m * k) else {
            candle_core::bail!(
                "{:?} projection: activations shorter than their shape",
                self.weights
            )
        };
        let mut dst = vec![0f32; m * self.out];
        quant_kernel::matmul(
            self.kernel,
            self.weights,
            &self.bytes,
            (m, k, self.out),
            lhs,
            &mut dst,
        )
        .map_err(candle_core::Error::Msg)?;
        drop(storage);
        let mut out_dims = dims;
        if let Some(last) = out_dims.last_mut() {
            *last = self.out;
        }
        Tensor::from_vec(dst, out_dims, x.device())
    }
}

/// A quantized projection of a GGUF model run by this crate's forward:
/// candle's `QMatMul` (with this crate's kernels where `qmatmul` put them)
/// or an [`OwnLinear`], plus a bias where the family has one.
pub(crate) struct QuantProj {
    /// The weight.
    pub(crate) weight: ProjWeight,
    /// Added to every output row.
    pub(crate) bias: Option<Tensor>,
}

/// The weight of a [`QuantProj`]; clones share it.
#[derive(Clone)]
pub(crate) enum ProjWeight {
    /// Through candle's `QMatMul`.
    Candle(QMatMul),
    /// Over the blocks' bytes (Q8_0, Q4_K, Q6_K, IQ4_XS).
    Own(OwnLinear),
}

impl ProjWeight {
    /// Whether `self` and `other` hold the same blocks (not copies).
    #[cfg(test)]
    pub(crate) fn shares_blocks(&self, other: &ProjWeight) -> bool {
        match (self, other) {
            (ProjWeight::Own(a), ProjWeight::Own(b)) => Arc::ptr_eq(&a.bytes, &b.bytes),
            (ProjWeight::Candle(QMatMul::QTensor(a)), ProjWeight::Candle(QMatMul::QTensor(b))) => {
                Arc::ptr_eq(a, b)
            }
            _ => false,
        }
    }

    /// The rows of `ids` (`[b, n]`) as f32 `[b, n, in]`: the weight read
    /// as an embedding table, each row dequantized from its blocks on
    /// lookup (exactly what dequantizing the whole table gives).
    pub(crate) fn embedding(&self, ids: &Tensor) -> Result<Tensor> {
        let mut dims = ids.dims().to_vec();
        let rows = match self {
            ProjWeight::Candle(q) => q.embedding(ids)?.to_dtype(DType::F32)?,
            ProjWeight::Own(l) => {
                let flat = ids.flatten_all()?.to_dtype(DType::U32)?.to_vec1::<u32>()?;
                l.rows(&flat, ids.device())?
            }
        };
        dims.push(rows.dim(candle_core::D::Minus1)?);
        rows.reshape(dims)
    }
}

impl QuantProj {
    /// A projection without bias.
    pub(crate) fn plain(weight: ProjWeight) -> Self {
        QuantProj { weight, bias: None }
    }
}

impl Module for QuantProj {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        let y = match &self.weight {
            ProjWeight::Candle(q) => q.forward(x)?,
            ProjWeight::Own(l) => l.forward(x)?,
        };
        match &self.bias {
            Some(b) => y.broadcast_add(b),
            None => Ok(y),
        }
    }
}

/// The row ranges of a fused projection's bytes (`bytes` holding `total`
/// rows): consecutive parts of `rows[i]` rows each, as Phi-3 stores Q, K
/// and V in one tensor, and gate and up in another.
pub(crate) fn split_bytes<'b>(
    bytes: &'b [u8],
    total: usize,
    rows: &[usize],
) -> Result<Vec<&'b [u8]>> {
    let per_row = bytes.len() / total.max(1);
    if rows.iter().sum::<usize>() != total || per_row * total != bytes.len() {
        candle_core::bail!("a fused projection of {total} rows does not split into {rows:?}")
    }
    let mut at = 0;
    Ok(rows
        .iter()
        .map(|&r| {
            let part = &bytes[at * per_row..(at + r) * per_row];
            at += r;
            part
        })
        .collect())
}

/// `tensor` (`[total, cols]`, or `[n, r, cols]` as `n · r` rows: a
/// mixture's stacked experts) cut by rows into consecutive parts of
/// `rows[i]` rows each (see [`split_bytes`]).
pub(crate) fn split_rows(tensor: QTensor, rows: &[usize]) -> Result<Vec<QTensor>> {
    let (total, cols) = match tensor.shape().dims() {
        [total, cols] => (*total, *cols),
        [n, r, cols] => (n * r, *cols),
        other => candle_core::bail!("a tensor of shape {other:?} is not cut by rows"),
    };
    let dtype = tensor.dtype();
    let data = tensor.data()?;
    split_bytes(&data, total, rows)?
        .into_iter()
        .zip(rows)
        .map(|(part, &r)| {
            let storage = QStorage::from_data(Cow::Owned(part.to_vec()), &Device::Cpu, dtype)?;
            QTensor::new(storage, (r, cols))
        })
        .collect()
}

/// `bytes` of `rows` rows (`[heads · head_dim, in]`, whole rows of blocks)
/// with each head's rows put back from GGUF's interleaved rotary order
/// into the halves order (see [`unpermute_heads`]).
pub(crate) fn unpermute_rows(bytes: &[u8], rows: usize, heads: usize) -> Result<Vec<u8>> {
    if heads == 0 || !rows.is_multiple_of(2 * heads) || !bytes.len().is_multiple_of(rows.max(1)) {
        candle_core::bail!("{rows} rows do not split into {heads} heads of pairs")
    }
    let row_bytes = bytes.len() / rows;
    let head_dim = rows / heads;
    let half = head_dim / 2;
    let mut out = vec![0u8; bytes.len()];
    for h in 0..heads {
        for i in 0..half {
            for j in 0..2 {
                let from = h * head_dim + 2 * i + j;
                let to = h * head_dim + j * half + i;
                out[to * row_bytes..(to + 1) * row_bytes]
                    .copy_from_slice(&bytes[from * row_bytes..(from + 1) * row_bytes]);
            }
        }
    }
    Ok(out)
}

/// `tensor` (`[heads · head_dim, in]`, quantized by rows) with each head's
/// rows put back from GGUF's interleaved rotary order (llama.cpp's
/// converter permutes Q and K so that pairs `(2i, 2i+1)` rotate together)
/// into the halves order (`i` with `i + head_dim/2`) that
/// `candle_nn::rotary_emb::rope` uses.
pub(crate) fn unpermute_heads(tensor: QTensor, heads: usize) -> Result<QTensor> {
    let (rows, _) = tensor.shape().dims2()?;
    let dtype = tensor.dtype();
    let device = tensor.device();
    let bytes = tensor.data()?;
    let out = unpermute_rows(&bytes, rows, heads)?;
    let shape = tensor.shape().clone();
    drop(bytes);
    let storage = QStorage::from_data(Cow::Owned(out), &device, dtype)?;
    QTensor::new(storage, shape)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::smoke::quant_kernel::Format;
    use candle_core::{Module, Tensor};

    /// The dot product of `row` and `w` in f64, and the sum of its terms'
    /// magnitudes (the scale tolerances are taken against).
    fn exact_and_scale(row: &[f32], w: &[f32]) -> (f64, f64) {
        row.iter().zip(w).fold((0., 0.), |(e, s), (a, b)| {
            let p = f64::from(a * b);
            (e + p, s + p.abs())
        })
    }

    /// A xorshift stream, reproducible from its seed.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        /// Uniform in [-1, 1).
        fn unit(&mut self) -> f32 {
            (self.next() >> 40) as f32 / (1u64 << 23) as f32 - 1.
        }
    }

    /// `rows` rows of `k / 32` random blocks of `format`: random quants and
    /// high bits, scales in ±0.05, mins in ±0.4.
    fn random_blocks(format: Format, rows: usize, k: usize, rng: &mut Rng) -> Vec<u8> {
        let bytes = format.block_bytes();
        let mut out = vec![0u8; rows * k / 32 * bytes];
        for block in out.chunks_exact_mut(bytes) {
            for b in block.iter_mut() {
                *b = rng.next() as u8;
            }
            let d = f16::from_f32(0.05 * rng.unit()).to_le_bytes();
            block[..2].copy_from_slice(&d);
            if matches!(format, Format::Q4_1 | Format::Q5_1) {
                let m = f16::from_f32(0.4 * rng.unit()).to_le_bytes();
                block[2..4].copy_from_slice(&m);
            }
        }
        out
    }

    fn dtype(format: Format) -> GgmlDType {
        match format {
            Format::Q4_0 => GgmlDType::Q4_0,
            Format::Q4_1 => GgmlDType::Q4_1,
            Format::Q5_0 => GgmlDType::Q5_0,
            Format::Q5_1 => GgmlDType::Q5_1,
        }
    }

    fn qtensor(format: Format, bytes: &[u8], n: usize, k: usize) -> QTensor {
        let storage = QStorage::from_data(Cow::Borrowed(bytes), &Device::Cpu, dtype(format))
            .expect("storage");
        QTensor::new(storage, (n, k)).expect("qtensor")
    }

    /// Every kernel this CPU runs, against candle's own (scalar) quantized
    /// matmul and against the weights dequantized by candle times the f32
    /// activations, on odd sizes: rows 1 (the decode path) and several
    /// (the prompt path), weight rows not a multiple of the threads' share.
    #[test]
    fn kernels_match_candle_on_odd_sizes() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let formats = [Format::Q4_0, Format::Q4_1, Format::Q5_0, Format::Q5_1];
        let kernels = [Kernel::Scalar, Kernel::Avx2, Kernel::Vnni];
        let mut ran = 0;
        for format in formats {
            for (m, k, n) in [
                (1, 32, 1),
                (1, 96, 33),
                (3, 160, 17),
                (7, 288, 35),
                (5, 64, 5),
                (4, 128, 19),
                // Two groups of eight blocks and a tail (SmolLM2's width).
                (6, 576, 9),
            ] {
                let bytes = random_blocks(format, n, k, &mut rng);
                let lhs: Vec<f32> = (0..m * k).map(|_| rng.unit()).collect();
                let x = Tensor::from_vec(lhs.clone(), (m, k), &Device::Cpu).expect("x");
                // candle's scalar dots assert an even number of blocks.
                let candle = (k % 64 == 0).then(|| {
                    QMatMul::from_qtensor(qtensor(format, &bytes, n, k))
                        .and_then(|q| q.forward(&x))
                        .and_then(|t| t.to_vec2::<f32>())
                        .expect("candle")
                });
                let w = qtensor(format, &bytes, n, k)
                    .dequantize(&Device::Cpu)
                    .and_then(|t| t.to_vec2::<f32>())
                    .expect("dequantized");
                for kernel in kernels.into_iter().filter(|k| k.available()) {
                    let ours = qmatmul_with(qtensor(format, &bytes, n, k), kernel)
                        .and_then(|q| q.forward(&x))
                        .and_then(|t| t.to_vec2::<f32>())
                        .expect("ours");
                    for i in 0..m {
                        for j in 0..n {
                            let row = &lhs[i * k..(i + 1) * k];
                            let (exact, scale) = exact_and_scale(row, &w[j]);
                            let o = f64::from(ours[i][j]);
                            // The activations are rounded to 8 bits either way.
                            assert!(
                                (o - exact).abs() <= 0.01 * scale + 1e-6,
                                "{format:?} {kernel:?} ({m},{k},{n}) [{i}][{j}]: {o} vs exact {exact}"
                            );
                            if let Some(candle) = &candle {
                                let c = f64::from(candle[i][j]);
                                assert!(
                                    (o - c).abs() <= 2e-3 * scale + 1e-6,
                                    "{format:?} {kernel:?} ({m},{k},{n}) [{i}][{j}]: {o} vs candle {c}"
                                );
                            }
                        }
                    }
                    ran += 1;
                }
            }
        }
        assert!(ran >= formats.len() * 6, "only {ran} runs");
    }

    /// `rows · k / 32` random Q8_0 blocks, scales in ±0.01, with the
    /// corners a hostile file may hold: every fifth block all −128, every
    /// seventh all 127, every eleventh all zero; block 3 of row 0 (where it
    /// exists) has the f16 maximum for its scale, block 2 of row 0 a
    /// subnormal one.
    fn random_q8_0(rows: usize, k: usize, rng: &mut Rng) -> Vec<u8> {
        let mut out = vec![0u8; rows * k / 32 * 34];
        for (i, block) in out.chunks_exact_mut(34).enumerate() {
            let fill = match i {
                _ if i % 5 == 4 => Some(0x80u8),
                _ if i % 7 == 6 => Some(0x7F),
                _ if i % 11 == 10 => Some(0),
                _ => None,
            };
            for b in block[2..].iter_mut() {
                *b = fill.unwrap_or(rng.next() as u8);
            }
            let d = match i {
                3 => f16::MAX,
                2 => f16::from_bits(0x0001),
                _ => f16::from_f32(0.01 * rng.unit()),
            };
            block[..2].copy_from_slice(&d.to_le_bytes());
        }
        out
    }

    /// Q8_0 (every projection of a Q8_0 file, and the tied LM head of
    /// Q4_1 ones): every kernel this CPU runs gives candle's dequantized
    /// weights times the f32 activations (up to the activations' 8-bit
    /// rounding), the scalar kernel's sums and candle's own Q8_0 matmul's
    /// (to float rounding: the activation scales are f16 as candle's), on
    /// odd sizes, blocks of −128 / 127 / 0 and huge or subnormal scales
    /// included.
    #[test]
    fn q8_0_kernels_match_scalar_candle_and_a_reference() {
        let mut rng = Rng(0x2545_F491_4F6C_DD1D);
        let kernels = [Kernel::Scalar, Kernel::Avx2, Kernel::Vnni];
        let mut ran = 0;
        for (m, k, n) in [
            (1, 32, 1),
            (1, 160, 33),
            (3, 128, 17),
            (7, 288, 35),
            (2, 576, 19),
            // Shapes candle's own forward would send to its repacked tiles.
            (3, 512, 32),
            (1, 256, 16),
        ] {
            let bytes = random_q8_0(n, k, &mut rng);
            let tiles = k % 256 == 0 && n % 16 == 0;
            let lhs: Vec<f32> = (0..m * k).map(|_| rng.unit()).collect();
            let x = Tensor::from_vec(lhs.clone(), (m, k), &Device::Cpu).expect("x");
            let tensor = || {
                let storage =
                    QStorage::from_data(Cow::Borrowed(&bytes), &Device::Cpu, GgmlDType::Q8_0);
                QTensor::new(storage.expect("storage"), (n, k)).expect("qtensor")
            };
            let w = tensor()
                .dequantize(&Device::Cpu)
                .and_then(|t| t.to_vec2::<f32>())
                .expect("dequantized");
            let candle = QMatMul::from_qtensor(tensor())
                .and_then(|q| q.forward(&x))
                .and_then(|t| t.to_vec2::<f32>())
                .expect("candle");
            let run = |kernel| {
                OwnLinear::with_kernel(Weights::Q8_0, bytes.clone(), (n, k), kernel)
                    .and_then(|l| l.forward(&x))
                    .and_then(|t| t.to_vec2::<f32>())
                    .expect("ours")
            };
            let scalar = run(Kernel::Scalar);
            for kernel in kernels.into_iter().filter(|k| k.available()) {
                let ours = run(kernel);
                for i in 0..m {
                    for j in 0..n {
                        let row = &lhs[i * k..(i + 1) * k];
                        let (exact, scale) = exact_and_scale(row, &w[j]);
                        let at = format!("{kernel:?} ({m},{k},{n}) [{i}][{j}]");
                        let o = f64::from(ours[i][j]);
                        assert!(o.is_finite(), "{at}: {o}");
                        assert!(
                            (o - exact).abs() <= 0.01 * scale + 1e-6,
                            "{at}: {o} vs exact {exact}"
                        );
                        let s = f64::from(scalar[i][j]);
                        assert!(
                            (o - s).abs() <= 1e-5 * scale + 1e-6,
                            "{at}: {o} vs scalar {s}"
                        );
                        // The same quants and f16 activation scales as
                        // candle's vector dot: the same sums up to their
                        // order. Its repacked tiles (k of 256s, n of 16s)
                        // quantize the activations their own way.
                        let c = f64::from(candle[i][j]);
                        let tol = if tiles { 0.01 } else { 1e-5 };
                        assert!(
                            (o - c).abs() <= tol * scale + 1e-6,
                            "{at}: {o} vs candle {c}"
                        );
                    }
                }
                ran += 1;
            }
        }
        assert!(ran >= 7, "only {ran} runs");
    }

    /// Q8_0, Q4_K and Q6_K projections are this crate's (`OwnLinear`) in
    /// the shapes candle's `QTensor` forward would take to its own tiles
    /// (rows a multiple of 16, width of 256); Q4_1 stays candle's
    /// `QMatMul` over the wrapped storage; a GPU-less non-matrix tensor
    /// (a norm) stays candle's.
    #[test]
    fn projections_go_to_this_crates_kernels() {
        let mut rng = Rng(5);
        for (dtype, own) in [
            (GgmlDType::Q8_0, true),
            (GgmlDType::Q4K, true),
            (GgmlDType::Q6K, true),
            (GgmlDType::Q4_1, false),
        ] {
            let bytes = match dtype {
                GgmlDType::Q8_0 => random_q8_0(32, 256, &mut rng),
                GgmlDType::Q4_1 => random_blocks(Format::Q4_1, 32, 256, &mut rng),
                _ => random_k_quant(dtype, 32, 256, &mut rng),
            };
            let storage = QStorage::from_data(Cow::Borrowed(&bytes), &Device::Cpu, dtype);
            let t = QTensor::new(storage.expect("storage"), (32, 256)).expect("qtensor");
            let weight = projection_weight(t).expect("projection");
            assert_eq!(matches!(weight, ProjWeight::Own(_)), own, "{dtype:?}");
        }
        let short = OwnLinear::new(Weights::Q4K, vec![0u8; 143], (1, 256));
        assert!(short.is_err(), "a partial Q4_K super-block is refused");
    }

    /// The activation buffers a thread keeps between matmuls: a decode-
    /// sized matmul after wider and taller ones (buffers longer than it,
    /// holding their quants) gives bit for bit what it gives on a fresh
    /// thread, for Q8_0 (f16 scales) and Q4_1 (f32 scales).
    #[test]
    fn reused_activation_buffers_give_a_fresh_threads_sums() {
        let mut rng = Rng(23);
        let (n, k) = (24usize, 128usize);
        let q8 = random_q8_0(n, k, &mut rng);
        let q4 = random_blocks(Format::Q4_1, n, k, &mut rng);
        let lhs: Vec<f32> = (0..k).map(|_| rng.unit()).collect();
        let big: Vec<f32> = (0..9 * 4 * k).map(|_| rng.unit()).collect();
        let kernel = quant_kernel::kernel();
        let one = |format: Weights, w: &[u8], lhs: &[f32]| {
            let mut dst = vec![0f32; n];
            quant_kernel::matmul(kernel, format, w, (1, k, n), lhs, &mut dst).expect("matmul");
            dst
        };
        let fresh = std::thread::scope(|s| {
            s.spawn(|| {
                (
                    one(Weights::Q8_0, &q8, &lhs),
                    one(Weights::Blocks(Format::Q4_1), &q4, &lhs),
                )
            })
            .join()
            .expect("thread")
        });
        let mut dst = vec![0f32; 9 * n];
        quant_kernel::matmul(
            kernel,
            Weights::Q8_0,
            &random_q8_0(n, 4 * k, &mut rng),
            (9, 4 * k, n),
            &big,
            &mut dst,
        )
        .expect("big");
        assert_eq!(one(Weights::Q8_0, &q8, &lhs), fresh.0);
        quant_kernel::matmul(
            kernel,
            Weights::Q8_0,
            &random_q8_0(n, 4 * k, &mut rng),
            (9, 4 * k, n),
            &big,
            &mut dst,
        )
        .expect("big");
        assert_eq!(one(Weights::Blocks(Format::Q4_1), &q4, &lhs), fresh.1);
    }

    /// An embedding table looked up row by row gives exactly the rows of
    /// the whole table dequantized, for every kind of weight the forward
    /// holds (Q8_0, Q4_K, Q6_K, IQ4_XS on this crate's bytes; Q4_1 in
    /// candle's storage wrapped; F32 as candle's dense tensor), ids in any
    /// order and repeated, `[b, n]` kept; an id past the table is an error.
    #[test]
    fn embedding_rows_are_the_dequantized_tables_rows() {
        let mut rng = Rng(11);
        let (rows, k) = (7usize, 256usize);
        let ids = Tensor::new(&[[6u32, 0, 3], [3, 1, 6]], &Device::Cpu).expect("ids");
        for dtype in [
            GgmlDType::Q8_0,
            GgmlDType::Q4K,
            GgmlDType::Q6K,
            GgmlDType::Q4_1,
            GgmlDType::F32,
        ] {
            let t = match dtype {
                GgmlDType::F32 => {
                    let v: Vec<f32> = (0..rows * k).map(|_| rng.unit()).collect();
                    let t = Tensor::from_vec(v, (rows, k), &Device::Cpu).expect("t");
                    QTensor::quantize(&t, dtype).expect("f32")
                }
                _ => {
                    let bytes = match dtype {
                        GgmlDType::Q8_0 => random_q8_0(rows, k, &mut rng),
                        GgmlDType::Q4_1 => random_blocks(Format::Q4_1, rows, k, &mut rng),
                        _ => random_k_quant(dtype, rows, k, &mut rng),
                    };
                    let storage = QStorage::from_data(Cow::Borrowed(&bytes), &Device::Cpu, dtype);
                    QTensor::new(storage.expect("storage"), (rows, k)).expect("qtensor")
                }
            };
            let whole = t.dequantize(&Device::Cpu).expect("dequantize");
            let weight = projection_weight(t).expect("projection");
            let got = weight.embedding(&ids).expect("rows");
            assert_eq!(got.dims(), &[2, 3, k], "{dtype:?}");
            let want = whole
                .index_select(&ids.flatten_all().expect("flat"), 0)
                .and_then(|t| t.reshape((2, 3, k)))
                .expect("want");
            let diff = (got - want)
                .and_then(|d| d.abs())
                .and_then(|d| d.max_all())
                .and_then(|d| d.to_scalar::<f32>())
                .expect("diff");
            assert_eq!(diff, 0.0, "{dtype:?}");
            let past = Tensor::new(&[[rows as u32]], &Device::Cpu).expect("past");
            assert!(weight.embedding(&past).is_err(), "{dtype:?}");
        }
        let bytes = random_iq4_xs(rows, k, &mut rng);
        let whole = iq4_xs_reference(&bytes);
        let weight =
            ProjWeight::Own(OwnLinear::new(Weights::Iq4Xs, bytes, (rows, k)).expect("own"));
        let got: Vec<f32> = weight
            .embedding(&ids)
            .and_then(|t| t.flatten_all())
            .and_then(|t| t.to_vec1())
            .expect("rows");
        let want: Vec<f32> = [6usize, 0, 3, 3, 1, 6]
            .iter()
            .flat_map(|&r| whole[r * k..(r + 1) * k].iter().copied())
            .collect();
        assert_eq!(got, want);
        let past = Tensor::new(&[[rows as u32]], &Device::Cpu).expect("past");
        assert!(weight.embedding(&past).is_err());
    }

    /// Q8_0's corners: −128 weights against −127 activations (the largest
    /// `maddubs` pair sum, 2·128·127) give the exact sum in every kernel,
    /// nothing saturated; a NaN or infinite scale spoils its own row only,
    /// in every kernel alike, without a panic.
    #[test]
    fn q8_0_corners_neither_saturate_nor_panic() {
        let (k, n) = (96, 4);
        let block = |d: f16, q: u8| {
            let mut b = d.to_le_bytes().to_vec();
            b.extend([q; 32]);
            b
        };
        let one = f16::from_f32(1.);
        let mut bytes = Vec::new();
        for (d, q) in [(one, 0x80), (one, 0x7F), (f16::NAN, 1), (f16::INFINITY, 1)] {
            for _ in 0..k / 32 {
                bytes.extend(block(d, q));
            }
        }
        let x = Tensor::from_vec(vec![-1f32; k], (1, k), &Device::Cpu).expect("x");
        for kernel in [Kernel::Scalar, Kernel::Avx2, Kernel::Vnni] {
            if !kernel.available() {
                continue;
            }
            let out = OwnLinear::with_kernel(Weights::Q8_0, bytes.clone(), (n, k), kernel)
                .and_then(|l| l.forward(&x))
                .and_then(|t| t.to_vec2::<f32>())
                .expect("forward");
            // The activations quantize to −127 at scale 1/127: exactly −1.
            let (low, high) = (128. * k as f32, -127. * k as f32);
            assert!(
                (out[0][0] - low).abs() <= 1e-3 * low,
                "{kernel:?}: {}",
                out[0][0]
            );
            assert!(
                (out[0][1] - high).abs() <= 1e-3 * low,
                "{kernel:?}: {}",
                out[0][1]
            );
            assert!(
                !out[0][2].is_finite() && !out[0][3].is_finite(),
                "{kernel:?}: {:?}",
                out[0]
            );
        }
    }

    /// `rows · k / 256` random super-blocks of `dtype` (Q4_K or Q6_K):
    /// random quants, scales and mins, `d` (and `dmin`) in ±0.01; every
    /// third super-block has every quant byte and every scale byte at
    /// 0xFF, every fifth at 0 (Q4_K: scale 63 / 0; Q6_K: quant 63 and scale
    /// −1 / quant −32 and scale 0).
    fn random_k_quant(dtype: GgmlDType, rows: usize, k: usize, rng: &mut Rng) -> Vec<u8> {
        let (bytes, d_at) = match dtype {
            GgmlDType::Q4K => (144, 0),
            _ => (210, 208),
        };
        let mut out = vec![0u8; rows * k / 256 * bytes];
        for (i, block) in out.chunks_exact_mut(bytes).enumerate() {
            let fill = match i {
                _ if i % 3 == 2 => Some(0xFF),
                _ if i % 5 == 4 => Some(0),
                _ => None,
            };
            for b in block.iter_mut() {
                *b = fill.unwrap_or(rng.next() as u8);
            }
            block[d_at..d_at + 2].copy_from_slice(&f16::from_f32(0.01 * rng.unit()).to_le_bytes());
            if dtype == GgmlDType::Q4K {
                block[2..4].copy_from_slice(&f16::from_f32(0.01 * rng.unit()).to_le_bytes());
            }
        }
        out
    }

    /// Q4_K and Q6_K (llama.cpp's Q4_K_M files): every kernel this CPU runs
    /// gives candle's dequantized weights times the f32 activations (exactly
    /// but for float rounding: the activations are drawn so that 8 bits
    /// hold them), the scalar kernel's sums and
    /// candle's own K-quant matmul's (which rounds the activations to
    /// blocks of 256 instead), on one and several activation rows, saturated
    /// and zero super-blocks included.
    #[test]
    fn k_quant_kernels_match_scalar_candle_and_a_reference() {
        let mut rng = Rng(0x6A09_E667_F3BC_C908);
        let kernels = [Kernel::Scalar, Kernel::Avx2, Kernel::Vnni];
        let mut ran = 0;
        for (dtype, weights) in [
            (GgmlDType::Q4K, Weights::Q4K),
            (GgmlDType::Q6K, Weights::Q6K),
        ] {
            // (3, 512, 32) and (1, 256, 16): shapes candle's own forward
            // would send to its repacked tiles.
            for (m, k, n) in [
                (1, 256, 1),
                (1, 768, 33),
                (3, 512, 17),
                (7, 256, 35),
                (3, 512, 32),
                (1, 256, 16),
            ] {
                let bytes = random_k_quant(dtype, n, k, &mut rng);
                // Multiples of 1/127 with one ±1 per block of 32: they
                // quantize to 8 bits without loss, so the kernels' sums are
                // exact but for float rounding.
                let lhs: Vec<f32> = (0..m * k)
                    .map(|e| match e % 32 {
                        0 => 1.,
                        17 => -1.,
                        _ => ((rng.next() % 255) as f32 - 127.) / 127.,
                    })
                    .collect();
                let x = Tensor::from_vec(lhs.clone(), (m, k), &Device::Cpu).expect("x");
                let tensor = || {
                    let storage = QStorage::from_data(Cow::Borrowed(&bytes), &Device::Cpu, dtype);
                    QTensor::new(storage.expect("storage"), (n, k)).expect("qtensor")
                };
                let w = tensor()
                    .dequantize(&Device::Cpu)
                    .and_then(|t| t.to_vec2::<f32>())
                    .expect("dequantized");
                let candle = QMatMul::from_qtensor(tensor())
                    .and_then(|q| q.forward(&x))
                    .and_then(|t| t.to_vec2::<f32>())
                    .expect("candle");
                let run = |kernel| {
                    OwnLinear::with_kernel(weights, bytes.clone(), (n, k), kernel)
                        .and_then(|l| l.forward(&x))
                        .and_then(|t| t.to_vec2::<f32>())
                        .expect("ours")
                };
                let scalar = run(Kernel::Scalar);
                for kernel in kernels.into_iter().filter(|k| k.available()) {
                    let ours = run(kernel);
                    for i in 0..m {
                        for j in 0..n {
                            let row = &lhs[i * k..(i + 1) * k];
                            let (exact, scale) = exact_and_scale(row, &w[j]);
                            let at = format!("{dtype:?} {kernel:?} ({m},{k},{n}) [{i}][{j}]");
                            let o = f64::from(ours[i][j]);
                            assert!(
                                (o - exact).abs() <= 1e-5 * scale + 1e-6,
                                "{at}: {o} vs exact {exact}"
                            );
                            let s = f64::from(scalar[i][j]);
                            assert!(
                                (o - s).abs() <= 1e-5 * scale + 1e-6,
                                "{at}: {o} vs scalar {s}"
                            );
                            let c = f64::from(candle[i][j]);
                            assert!(
                                (o - c).abs() <= 0.02 * scale + 1e-6,
                                "{at}: {o} vs candle {c}"
                            );
                        }
                    }
                    ran += 1;
                }
            }
        }
        assert!(ran >= 12, "only {ran} runs");
    }

    /// A K-quant super-block with a NaN or infinite `d` spoils its own row
    /// only, in every kernel alike, without a panic.
    #[test]
    fn k_quant_bad_scales_spoil_their_row_only() {
        for (dtype, weights, bytes, d_at) in [
            (GgmlDType::Q4K, Weights::Q4K, 144, 0),
            (GgmlDType::Q6K, Weights::Q6K, 210, 208),
        ] {
            let mut rng = Rng(11);
            let mut data = random_k_quant(dtype, 3, 256, &mut rng);
            data[bytes + d_at..bytes + d_at + 2].copy_from_slice(&f16::NAN.to_le_bytes());
            data[2 * bytes + d_at..2 * bytes + d_at + 2]
                .copy_from_slice(&f16::INFINITY.to_le_bytes());
            let x = Tensor::from_vec(vec![0.5f32; 256], (1, 256), &Device::Cpu).expect("x");
            for kernel in [Kernel::Scalar, Kernel::Avx2, Kernel::Vnni] {
                if !kernel.available() {
                    continue;
                }
                let out = OwnLinear::with_kernel(weights, data.clone(), (3, 256), kernel)
                    .and_then(|l| l.forward(&x))
                    .and_then(|t| t.to_vec2::<f32>())
                    .expect("forward");
                assert!(out[0][0].is_finite(), "{dtype:?} {kernel:?}: {:?}", out[0]);
                assert!(!out[0][1].is_finite(), "{dtype:?} {kernel:?}: {:?}", out[0]);
            }
        }
    }

    /// The prompt path (several activation rows: four at a time for the
    /// Q4/Q5 types, a weight row's blocks widened once for the four) gives
    /// every row exactly the sums the decode path (one activation row,
    /// each thread's run of weight rows in one call) gives it, in every
    /// kernel and block type; weight rows not a multiple of the threads'
    /// share.
    #[test]
    fn several_activation_rows_give_what_one_row_gives() {
        let mut rng = Rng(0xBB67_AE85_84CA_A73B);
        let (k, n) = (512, 37);
        let mut types: Vec<(Weights, Vec<u8>)> =
            [Format::Q4_0, Format::Q4_1, Format::Q5_0, Format::Q5_1]
                .into_iter()
                .map(|f| (Weights::Blocks(f), random_blocks(f, n, k, &mut rng)))
                .collect();
        types.push((Weights::Q8_0, random_q8_0(n, k, &mut rng)));
        types.push((Weights::Q4K, random_k_quant(GgmlDType::Q4K, n, k, &mut rng)));
        types.push((Weights::Q6K, random_k_quant(GgmlDType::Q6K, n, k, &mut rng)));
        types.push((Weights::Iq4Xs, random_iq4_xs(n, k, &mut rng)));
        for m in [2, 4, 7, 9] {
            let lhs: Vec<f32> = (0..m * k).map(|_| rng.unit()).collect();
            for (weights, bytes) in &types {
                for kernel in [Kernel::Scalar, Kernel::Avx2, Kernel::Vnni] {
                    if !kernel.available() {
                        continue;
                    }
                    let mut all = vec![0f32; m * n];
                    quant_kernel::matmul(kernel, *weights, bytes, (m, k, n), &lhs, &mut all)
                        .expect("several rows");
                    for i in 0..m {
                        let mut one = vec![0f32; n];
                        let row = &lhs[i * k..(i + 1) * k];
                        quant_kernel::matmul(kernel, *weights, bytes, (1, k, n), row, &mut one)
                            .expect("one row");
                        assert_eq!(
                            one,
                            all[i * n..(i + 1) * n],
                            "{weights:?} {kernel:?}: row {i} of {m}"
                        );
                    }
                }
            }
        }
    }

    /// ggml's `kvalues_iq4nl`, for the reference below.
    const IQ4NL: [f32; 16] = [
        -127., -104., -83., -65., -49., -35., -22., -10., 1., 13., 25., 38., 53., 69., 89., 113.,
    ];

    /// A reference IQ4_XS dequantization, from ggml's `block_iq4_xs`: `d`,
    /// `scales_h` (2 bits per sub-block), `scales_l` (4 bits per sub-block,
    /// read here as one little-endian u32), 128 bytes of index pairs.
    fn iq4_xs_reference(bytes: &[u8]) -> Vec<f32> {
        let mut out = Vec::new();
        for b in bytes.chunks_exact(136) {
            let d = f16::from_le_bytes([b[0], b[1]]).to_f32();
            let high = u32::from(u16::from_le_bytes([b[2], b[3]]));
            let low = u32::from_le_bytes([b[4], b[5], b[6], b[7]]);
            for sub in 0..8 {
                let ls = ((low >> (4 * sub)) & 15) + (((high >> (2 * sub)) & 3) << 4);
                let dl = d * (ls as f32 - 32.);
                let qs = &b[8 + 16 * sub..24 + 16 * sub];
                let mut v = [0f32; 32];
                for (j, q) in qs.iter().enumerate() {
                    v[j] = dl * IQ4NL[(q % 16) as usize];
                    v[j + 16] = dl * IQ4NL[(q / 16) as usize];
                }
                out.extend(v);
            }
        }
        out
    }

    /// `rows · k / 256` random IQ4_XS super-blocks: random indices and
    /// sub-block scales, `d` in ±0.002.
    fn random_iq4_xs(rows: usize, k: usize, rng: &mut Rng) -> Vec<u8> {
        let mut out = vec![0u8; rows * k / 256 * 136];
        for block in out.chunks_exact_mut(136) {
            for b in block.iter_mut() {
                *b = rng.next() as u8;
            }
            block[..2].copy_from_slice(&f16::from_f32(0.002 * rng.unit()).to_le_bytes());
        }
        out
    }

    /// IQ4_XS: the dequantization equals the reference exactly; every
    /// kernel this CPU runs gives the reference weights times the f32
    /// activations (up to the activations' 8-bit rounding) and the same as
    /// the scalar kernel, on odd sizes (one and several activation rows,
    /// weight rows not a multiple of the threads' share).
    #[test]
    fn iq4_xs_kernels_match_a_reference_on_odd_sizes() {
        let mut rng = Rng(0x51_7CC1_B727_220A);
        let kernels = [Kernel::Scalar, Kernel::Avx2, Kernel::Vnni];
        let mut ran = 0;
        for (m, k, n) in [
            (1, 256, 1),
            (1, 512, 33),
            (3, 768, 17),
            (7, 256, 35),
            (2, 1280, 5),
        ] {
            let bytes = random_iq4_xs(n, k, &mut rng);
            let w = iq4_xs_reference(&bytes);
            let mut ours = vec![0f32; n * k];
            quant_kernel::dequantize_iq4_xs(&bytes, &mut ours);
            assert_eq!(ours, w, "dequantized ({n}, {k})");
            let lhs: Vec<f32> = (0..m * k).map(|_| rng.unit()).collect();
            let x = Tensor::from_vec(lhs.clone(), (m, k), &Device::Cpu).expect("x");
            let run = |kernel| {
                OwnLinear::with_kernel(Weights::Iq4Xs, bytes.clone(), (n, k), kernel)
                    .and_then(|l| l.forward(&x))
                    .and_then(|t| t.to_vec2::<f32>())
                    .expect("forward")
            };
            let scalar = run(Kernel::Scalar);
            for kernel in kernels.into_iter().filter(|k| k.available()) {
                let out = run(kernel);
                for i in 0..m {
                    for j in 0..n {
                        let row = &lhs[i * k..(i + 1) * k];
                        let wj = &w[j * k..(j + 1) * k];
                        let (exact, scale) = exact_and_scale(row, wj);
                        let o = f64::from(out[i][j]);
                        // 8-bit activations: about 0.1% of Σ|a·w| seen here.
                        assert!(
                            (o - exact).abs() <= 0.004 * scale + 1e-6,
                            "{kernel:?} ({m},{k},{n}) [{i}][{j}]: {o} vs exact {exact}"
                        );
                        let s = f64::from(scalar[i][j]);
                        assert!(
                            (o - s).abs() <= 1e-5 * scale + 1e-6,
                            "{kernel:?} ({m},{k},{n}) [{i}][{j}]: {o} vs scalar {s}"
                        );
                    }
                }
                ran += 1;
            }
        }
        assert!(ran >= 5, "only {ran} runs");
        let short = OwnLinear::new(Weights::Iq4Xs, vec![0u8; 135], (1, 256));
        assert!(short.is_err(), "a partial super-block is refused");
        let narrow = OwnLinear::new(Weights::Iq4Xs, vec![0u8; 136], (2, 128));
        assert!(narrow.is_err(), "rows of 128 values are not super-blocks");
    }

    /// Q/K rows come back in the halves order: row `2i + j` of each head
    /// goes to `j · head_dim/2 + i`.
    #[test]
    fn heads_are_unpermuted_by_rows() {
        let (heads, head_dim, k) = (3, 8, 32);
        let mut rng = Rng(7);
        let bytes = random_blocks(Format::Q4_1, heads * head_dim, k, &mut rng);
        let t = qtensor(Format::Q4_1, &bytes, heads * head_dim, k);
        let before = t.dequantize(&Device::Cpu).and_then(|t| t.to_vec2::<f32>());
        let after = unpermute_heads(t, heads)
            .and_then(|t| t.dequantize(&Device::Cpu))
            .and_then(|t| t.to_vec2::<f32>());
        let (before, after) = (before.expect("before"), after.expect("after"));
        for h in 0..heads {
            for i in 0..head_dim / 2 {
                for j in 0..2 {
                    assert_eq!(
                        after[h * head_dim + j * head_dim / 2 + i],
                        before[h * head_dim + 2 * i + j]
                    );
                }
            }
        }
        let t = qtensor(Format::Q4_1, &bytes, heads * head_dim, k);
        assert!(unpermute_heads(t, 5).is_err(), "24 rows are not 5 heads");
    }
}
