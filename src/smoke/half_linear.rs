//! A linear layer whose weights stay in bf16 or f16 on the CPU, with f32
//! activations: `y = x · Wᵀ`.
//!
//! candle 0.11's CPU matmul has no bf16 kernel: it widens both whole
//! operands to f32 on every call, which made a 3B model generate at 0.13
//! tokens/s. Here the rows of the weight are shared out between threads
//! (rayon); for one activation row (generation) each bf16 weight is
//! widened by a 16-bit shift inside the dot product, and for a few rows
//! (the prompt) each weight row is widened once into a small f32 buffer
//! (f16 through `half`'s slice conversion) and multiplied with four
//! activation rows at a time. The loops are written to auto-vectorise; on
//! x86-64 an AVX2+FMA copy is chosen at run time.
//!
//! For many activation rows (a long prompt) the weight is instead widened
//! a block of rows at a time and multiplied by candle's f32 GEMM: the f32
//! copy never exceeds one block.

use candle_core::{CpuStorage, CustomOp2, DType, Layout, Module, Shape, Tensor};
use half::{bf16, f16, slice::HalfFloatSliceExt};
use rayon::prelude::*;

/// Activation rows up to which the row-by-row kernel runs; above, blocks
/// of the weight go through candle's f32 GEMM.
pub(crate) const SMALL_M: usize = 32;

/// f32 values of one weight block widened for the GEMM path (64 MiB).
pub(crate) const BLOCK_VALUES: usize = 16 << 20;

/// Weight rows per parallel task of the row-by-row kernel.
const ROWS_PER_TASK: usize = 16;

/// A linear layer without bias over a bf16/f16 weight `[out, in]`.
#[derive(Debug, Clone)]
pub(crate) struct HalfLinear {
    weight: Tensor,
}

impl HalfLinear {
    /// Wraps a weight of shape `[out, in]` (bf16, f16 or f32).
    pub(crate) fn new(weight: Tensor) -> Self {
        HalfLinear { weight }
    }
}

impl Module for HalfLinear {
    /// `x` is `[..., in]` in f32; the result `[..., out]` in f32.
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        let (n, k) = self.weight.dims2()?;
        let dims = x.dims().to_vec();
        let Some((&k_x, lead)) = dims.split_last() else {
            candle_core::bail!("half linear: a scalar input")
        };
        if k_x != k {
            candle_core::bail!("half linear: input width {k_x}, weight {:?}", [n, k]);
        }
        let m: usize = lead.iter().product();
        let x2 = x.to_dtype(DType::F32)?.reshape((m, k))?.contiguous()?;
        let y = if self.weight.dtype() == DType::F32 || !self.weight.device().is_cpu() {
            x2.matmul(&self.weight.to_dtype(DType::F32)?.t()?)?
        } else if m <= SMALL_M {
            x2.apply_op2_no_bwd(&self.weight, &HalfMatmul)?
        } else {
            self.blocked(&x2, n, k)?
        };
        let mut out_dims = lead.to_vec();
        out_dims.push(n);
        y.reshape(out_dims)
    }
}

impl HalfLinear {
    /// Many rows: the weight widened a block of rows at a time, each block
    /// multiplied by candle's f32 GEMM.
    fn blocked(&self, x2: &Tensor, n: usize, k: usize) -> candle_core::Result<Tensor> {
        let rows = (BLOCK_VALUES / k.max(1)).max(1);
        let mut parts = Vec::with_capacity(n.div_ceil(rows));
        let mut start = 0;
        while start < n {
            let len = rows.min(n - start);
            let block = self.weight.narrow(0, start, len)?.to_dtype(DType::F32)?;
            parts.push(x2.matmul(&block.t()?)?);
            start += len;
        }
        Tensor::cat(&parts, 1)
    }
}

/// `x [m, k] f32 · Wᵀ` with `W [n, k]` in bf16 or f16: the custom op of the
/// row-by-row kernel.
struct HalfMatmul;

impl CustomOp2 for HalfMatmul {
    fn name(&self) -> &'static str {
        "half-matmul"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> candle_core::Result<(CpuStorage, Shape)> {
        let (m, k) = l1.shape().dims2()?;
        let (n, k_w) = l2.shape().dims2()?;
        if k != k_w {
            candle_core::bail!("half-matmul: x is [{m}, {k}], the weight [{n}, {k_w}]");
        }
        let (Some((x0, x1)), Some((w0, w1))) = (l1.contiguous_offsets(), l2.contiguous_offsets())
        else {
            candle_core::bail!("half-matmul: operands must be contiguous")
        };
        let CpuStorage::F32(x) = s1 else {
            candle_core::bail!("half-matmul: activations must be f32")
        };
        let x = &x[x0..x1];
        let out = match s2 {
            CpuStorage::BF16(w) => matmul(x, &w[w0..w1], m, n, k),
            CpuStorage::F16(w) => matmul(x, &w[w0..w1], m, n, k),
            _ => candle_core::bail!("half-matmul: the weight must be bf16 or f16"),
        };
        Ok((CpuStorage::F32(out), Shape::from((m, n))))
    }
}

/// A 16-bit float weight, widened to f32 by the kernel.
trait Half: Copy + Send + Sync {
    /// Whether one element widens cheaply inside a vectorised loop (bf16:
    /// a shift), so that one activation row is multiplied with the weight
    /// row as it is read, without an f32 copy of the row.
    const FUSED: bool;

    /// One element as f32.
    fn wide(self) -> f32;

    /// A row widened into `dst`.
    fn widen(src: &[Self], dst: &mut [f32]);
}

impl Half for bf16 {
    const FUSED: bool = true;

    #[inline(always)]
    fn wide(self) -> f32 {
        // The 16 bits are the high half of the f32.
        f32::from_bits(u32::from(self.to_bits()) << 16)
    }

    #[inline(always)]
    fn widen(src: &[Self], dst: &mut [f32]) {
        for (d, s) in dst.iter_mut().zip(src) {
            *d = s.wide();
        }
    }
}

impl Half for f16 {
    const FUSED: bool = false;

    #[inline(always)]
    fn wide(self) -> f32 {
        self.to_f32()
    }

    /// Through `half`'s slice conversion (F16C where the CPU has it).
    #[inline(always)]
    fn widen(src: &[Self], dst: &mut [f32]) {
        src.convert_to_f32_slice(dst);
    }
}

/// `out[i, j] = Σ_p x[i, p] · w[j, p]` for `x [m, k]`, `w [n, k]`, with the
/// rows of `w` shared out between threads.
fn matmul<T: Half>(x: &[f32], w: &[T], m: usize, n: usize, k: usize) -> Vec<f32> {
    // Each task writes the outputs of its weight rows for every x row:
    // transposed (`[n, m]`), so that its slice is contiguous.
    let mut out_t = vec![0f32; n * m];
    if m == 0 || n == 0 || k == 0 {
        return out_t;
    }
    let fma = has_fma();
    out_t
        .par_chunks_mut(ROWS_PER_TASK * m)
        .zip(w.par_chunks(ROWS_PER_TASK * k))
        .for_each_init(
            || vec![0f32; k],
            |row, (out, w_rows)| rows(x, w_rows, out, row, k, fma),
        );
    if m == 1 {
        return out_t;
    }
    let mut out = vec![0f32; m * n];
    for (j, col) in out_t.chunks(m).enumerate() {
        for (i, v) in col.iter().enumerate() {
            out[i * n + j] = *v;
        }
    }
    out
}

/// Whether the AVX2+FMA kernel can run here.
fn has_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// The outputs of some weight rows (`out`: `m` values per row, the
/// transposed layout) for every row of `x`; `row` is a scratch row.
fn rows<T: Half>(x: &[f32], w_rows: &[T], out: &mut [f32], row: &mut [f32], k: usize, fma: bool) {
    #[cfg(target_arch = "x86_64")]
    if fma {
        // SAFETY: `fma` is true only when the CPU has AVX2 and FMA
        // (`has_fma`), the features this copy is compiled for.
        unsafe { rows_avx2(x, w_rows, out, row, k) };
        return;
    }
    let _ = fma;
    rows_with::<T, false>(x, w_rows, out, row, k);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn rows_avx2<T: Half>(x: &[f32], w_rows: &[T], out: &mut [f32], row: &mut [f32], k: usize) {
    rows_with::<T, true>(x, w_rows, out, row, k);
}

/// Lanes of the dot product's accumulators: two AVX registers.
const LANES: usize = 16;

/// Activation rows multiplied at once with a widened weight row: each
/// weight value loaded once for all of them, and 8 independent
/// accumulators (4 rows × 2 AVX registers) to keep the FMA units busy.
const GROUP: usize = 4;

#[inline(always)]
fn rows_with<T: Half, const FMA: bool>(
    x: &[f32],
    w_rows: &[T],
    out: &mut [f32],
    row: &mut [f32],
    k: usize,
) {
    let m = x.len() / k;
    for (o, w_row) in out.chunks_mut(m).zip(w_rows.chunks(k)) {
        if T::FUSED && m == 1 {
            o[0] = dot::<FMA, T>(x, w_row, Half::wide);
            continue;
        }
        T::widen(w_row, row);
        let mut groups = x.chunks_exact(GROUP * k);
        let mut o_groups = o.chunks_exact_mut(GROUP);
        for (xg, og) in (&mut groups).zip(&mut o_groups) {
            dot_group::<FMA>(xg, row, og, k);
        }
        for (xi, oi) in groups
            .remainder()
            .chunks_exact(k)
            .zip(o_groups.into_remainder())
        {
            *oi = dot::<FMA, f32>(xi, row, |v| v);
        }
    }
}

/// `o[r] = x[r, ..] · row` for the [`GROUP`] rows of `x`.
#[inline(always)]
fn dot_group<const FMA: bool>(x: &[f32], row: &[f32], o: &mut [f32], k: usize) {
    let (x01, x23) = x.split_at(2 * k);
    let (x0, x1) = x01.split_at(k);
    let (x2, x3) = x23.split_at(k);
    let mut acc = [[0f32; LANES]; GROUP];
    let chunks = row
        .chunks_exact(LANES)
        .zip(x0.chunks_exact(LANES))
        .zip(x1.chunks_exact(LANES))
        .zip(x2.chunks_exact(LANES))
        .zip(x3.chunks_exact(LANES));
    for ((((w, a), b), c), d) in chunks {
        for l in 0..LANES {
            for (acc, xv) in acc.iter_mut().zip([a[l], b[l], c[l], d[l]]) {
                acc[l] = if FMA {
                    xv.mul_add(w[l], acc[l])
                } else {
                    xv * w[l] + acc[l]
                };
            }
        }
    }
    let done = k / LANES * LANES;
    for ((acc, xr), oi) in acc.iter().zip([x0, x1, x2, x3]).zip(o.iter_mut()) {
        let tail: f32 = xr[done..]
            .iter()
            .zip(&row[done..])
            .map(|(p, q)| p * q)
            .sum();
        *oi = acc.iter().sum::<f32>() + tail;
    }
}

/// `Σ a[p] · wide(b[p])`, in [`LANES`] accumulators.
#[inline(always)]
fn dot<const FMA: bool, B: Copy>(a: &[f32], b: &[B], wide: impl Fn(B) -> f32) -> f32 {
    let mut acc = [0f32; LANES];
    let (ca, cb) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let (ta, tb) = (ca.remainder(), cb.remainder());
    for (ca, cb) in ca.zip(cb) {
        for l in 0..LANES {
            let w = wide(cb[l]);
            acc[l] = if FMA {
                ca[l].mul_add(w, acc[l])
            } else {
                ca[l] * w + acc[l]
            };
        }
    }
    let tail: f32 = ta.iter().zip(tb).map(|(p, q)| p * wide(*q)).sum();
    acc.iter().sum::<f32>() + tail
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    /// A deterministic pseudo-random f32 tensor in [-1, 1).
    fn values(len: usize, seed: u64) -> Vec<f32> {
        let mut s = seed;
        (0..len)
            .map(|_| {
                s = s
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((s >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
            })
            .collect()
    }

    fn check(m: usize, n: usize, k: usize, dtype: DType) {
        let dev = Device::Cpu;
        let x = Tensor::from_vec(values(m * k, 1), (m, k), &dev).unwrap();
        let w = Tensor::from_vec(values(n * k, 2), (n, k), &dev)
            .unwrap()
            .to_dtype(dtype)
            .unwrap();
        // The reference: the weight widened whole, candle's f32 matmul.
        let want = x
            .matmul(&w.to_dtype(DType::F32).unwrap().t().unwrap())
            .unwrap();
        let got = HalfLinear::new(w).forward(&x).unwrap();
        assert_eq!(got.dims(), &[m, n]);
        let diff = (got - want)
            .unwrap()
            .abs()
            .unwrap()
            .flatten_all()
            .unwrap()
            .max(0)
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        // Only the order of the f32 sums differs.
        assert!(diff < 1e-4 * k as f32, "{m}x{n}x{k} {dtype:?}: {diff}");
    }

    #[test]
    fn matches_the_widened_f32_matmul() {
        for dtype in [DType::BF16, DType::F16] {
            for (m, n, k) in [
                (1, 37, 70),
                (3, 16, 16),
                (5, 50, 129),
                (1, 1, 1),
                (4, 9, 33),
                (9, 17, 48),
            ] {
                check(m, n, k, dtype);
            }
            // Many rows: the blocked GEMM path.
            check(SMALL_M + 3, 40, 24, dtype);
        }
    }

    #[test]
    fn leading_dimensions_are_kept() {
        let dev = Device::Cpu;
        let w = Tensor::from_vec(values(6 * 4, 3), (6, 4), &dev)
            .unwrap()
            .to_dtype(DType::BF16)
            .unwrap();
        let x = Tensor::from_vec(values(2 * 3 * 4, 4), (2, 3, 4), &dev).unwrap();
        let y = HalfLinear::new(w).forward(&x).unwrap();
        assert_eq!(y.dims(), &[2, 3, 6]);
        let bad = Tensor::zeros((2, 5), DType::F32, &dev).unwrap();
        let w = Tensor::zeros((6, 4), DType::BF16, &dev).unwrap();
        assert!(HalfLinear::new(w).forward(&bad).is_err());
    }
}
