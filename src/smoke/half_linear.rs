//! A linear layer whose weights stay in bf16 or f16 on the CPU, with f32
//! activations: `y = x · Wᵀ`.
//!
//! candle 0.11's CPU matmul has no bf16 kernel: it widens both whole
//! operands to f32 on every call, which made a 3B model generate at 0.13
//! tokens/s. Here, for up to [`SMALL_M`] activation rows (generation, a
//! short prompt), the kernels of [`super::half_kernel`] widen the weights
//! inside the dot products (AVX-512, AVX2+FMA or portable loops, chosen at
//! run time), the rows of the weight shared out between threads.
//!
//! For many activation rows (a long prompt) the weight is instead widened
//! a block of rows at a time and multiplied by candle's f32 GEMM: the f32
//! copy never exceeds one block.

use super::half_kernel::{matmul, Kernel};
use candle_core::{CpuStorage, CustomOp2, DType, Layout, Module, Shape, Tensor};
use std::sync::OnceLock;

/// Activation rows up to which the row-by-row kernel runs; above, blocks
/// of the weight go through candle's f32 GEMM.
pub(crate) const SMALL_M: usize = 32;

/// f32 values of one weight block widened for the GEMM path (64 MiB).
pub(crate) const BLOCK_VALUES: usize = 16 << 20;

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
/// row-by-row kernels ([`half_kernel`](super::half_kernel)).
struct HalfMatmul;

/// The kernel copy every `HalfLinear` runs: the fastest with f32
/// activations this CPU has, unless `MRI_HALF_KERNEL` names another that it
/// runs (`scalar`, `avx2`, `avx512`, or `avx512bf16`: activations rounded
/// to bf16), for benchmarks and comparisons.
pub(crate) fn kernel() -> Kernel {
    chosen().0
}

/// The copy, and whether `MRI_HALF_KERNEL` chose it.
fn chosen() -> (Kernel, bool) {
    static KERNEL: OnceLock<(Kernel, bool)> = OnceLock::new();
    *KERNEL.get_or_init(|| {
        match std::env::var("MRI_HALF_KERNEL")
            .ok()
            .and_then(|name| Kernel::from_name(&name))
        {
            Some(k) => (k, true),
            None => (Kernel::detected(), false),
        }
    })
}

/// When `MRI_HALF_KERNEL` chose the kernel copy, a note naming it and how
/// it treats the activations of the `dtype` (bf16/f16) projections. (The
/// default copy, the fastest this CPU has with f32 activations, goes
/// unnamed, so that reports read the same on every CPU.)
pub(crate) fn kernel_note(dtype: DType) -> Option<String> {
    let (k, overridden) = chosen();
    if !overridden {
        return None;
    }
    let name = if dtype == DType::F16 { "f16" } else { "bf16" };
    let activations = if k == Kernel::Avx512Bf16 && dtype == DType::BF16 {
        "activations rounded to bf16 for vdpbf16ps (as torch computes in bf16)"
    } else {
        "f32 activations"
    };
    Some(format!(
        "{name} projections through mri's {} kernel (MRI_HALF_KERNEL), {activations}",
        k.name()
    ))
}

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
            CpuStorage::BF16(w) => matmul(x, &w[w0..w1], m, n, k, kernel()),
            CpuStorage::F16(w) => matmul(x, &w[w0..w1], m, n, k, kernel()),
            _ => candle_core::bail!("half-matmul: the weight must be bf16 or f16"),
        };
        Ok((CpuStorage::F32(out), Shape::from((m, n))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::Device;

    use super::super::test_values::values;

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
