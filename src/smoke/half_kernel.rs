//! The kernels behind [`super::half_linear::HalfLinear`]: `out = x · Wᵀ`
//! for f32 activations `x [m, k]` and a bf16/f16 weight `W [n, k]`, over
//! plain slices (no candle here).
//!
//! The rows of the weight are shared out between threads (rayon), in tasks
//! of [`ROWS_PER_TASK`] rows. Each copy of the kernel is chosen at run time:
//!
//! - [`Kernel::Avx512`] (AVX-512 F/BW/VL): a tile of [`NR`] weight rows ×
//!   up to [`MR`] activation rows (one weight row at a time for a single
//!   activation row, a decoding step: read straight through); 16 weights
//!   at a time are widened in a 512-bit register (bf16: a 16-bit shift; f16: `vcvtph2ps`) and
//!   multiplied with the f32 activations by FMA, the row tails through
//!   masked loads. The numbers are those of the f32 path up to the order
//!   of sums.
//! - [`Kernel::Avx512Bf16`] (AVX512_BF16, bf16 weights only): the
//!   activations rounded to bf16 once per call, then `vdpbf16ps` (pairs of
//!   bf16 products summed into f32), as torch computes in bf16. Off by the
//!   activations' rounding (~3 significant digits), so never the default:
//!   chosen only by name ([`Kernel::from_name`]).
//! - [`Kernel::Avx2`] (AVX2+FMA) and [`Kernel::Scalar`]: loops written to
//!   auto-vectorise, the former compiled for AVX2+FMA; each weight row is
//!   widened into an f32 buffer once and multiplied with 4 activation rows
//!   at a time (one activation row and bf16: widened inside the dot).

use half::slice::{HalfBitsSliceExt, HalfFloatSliceExt};
use half::{bf16, f16};
use rayon::prelude::*;

/// Weight rows per parallel task.
const ROWS_PER_TASK: usize = 16;

/// Weight rows of the AVX-512 tile.
pub(crate) const NR: usize = 4;

/// Activation rows of the AVX-512 tile.
pub(crate) const MR: usize = 4;

/// A copy of the kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kernel {
    /// Portable loops.
    Scalar,
    /// The portable loops compiled for AVX2 and FMA.
    Avx2,
    /// AVX-512 intrinsics, f32 activations.
    Avx512,
    /// AVX512_BF16's `vdpbf16ps`, activations rounded to bf16 (bf16
    /// weights; f16 weights run [`Kernel::Avx512`]).
    Avx512Bf16,
}

impl Kernel {
    /// The fastest copy with f32 activations that this CPU runs.
    pub(crate) fn detected() -> Kernel {
        let all = Kernel::available();
        if all.contains(&Kernel::Avx512) {
            Kernel::Avx512
        } else if all.contains(&Kernel::Avx2) {
            Kernel::Avx2
        } else {
            Kernel::Scalar
        }
    }

    /// Every copy this CPU runs, the portable one first.
    pub(crate) fn available() -> Vec<Kernel> {
        let mut all = vec![Kernel::Scalar];
        #[cfg(target_arch = "x86_64")]
        {
            if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
                all.push(Kernel::Avx2);
            }
            let avx512 = is_x86_feature_detected!("avx512f")
                && is_x86_feature_detected!("avx512bw")
                && is_x86_feature_detected!("avx512vl");
            if avx512 {
                all.push(Kernel::Avx512);
                if is_x86_feature_detected!("avx512bf16") {
                    all.push(Kernel::Avx512Bf16);
                }
            }
        }
        all
    }

    /// The copy named `name` (`scalar`, `avx2`, `avx512`, `avx512bf16`)
    /// where this CPU runs it.
    pub(crate) fn from_name(name: &str) -> Option<Kernel> {
        let kernel = match name {
            "scalar" => Kernel::Scalar,
            "avx2" => Kernel::Avx2,
            "avx512" => Kernel::Avx512,
            "avx512bf16" => Kernel::Avx512Bf16,
            _ => return None,
        };
        Kernel::available().contains(&kernel).then_some(kernel)
    }

    /// The name [`Kernel::from_name`] reads.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kernel::Scalar => "scalar",
            Kernel::Avx2 => "avx2",
            Kernel::Avx512 => "avx512",
            Kernel::Avx512Bf16 => "avx512bf16",
        }
    }
}

/// A 16-bit float weight, widened to f32 by the kernel.
pub(crate) trait Half: Copy + Send + Sync {
    /// Whether one element widens cheaply inside a vectorised loop (bf16:
    /// a shift), so that one activation row is multiplied with the weight
    /// row as it is read, without an f32 copy of the row.
    const FUSED: bool;

    /// Whether the bits are f16 (else bf16), for the AVX-512 widening.
    const IS_F16: bool;

    /// One element as f32.
    fn wide(self) -> f32;

    /// A row widened into `dst`.
    fn widen(src: &[Self], dst: &mut [f32]);

    /// The raw bits of a slice.
    fn bits(src: &[Self]) -> &[u16];

    /// A slice of raw bits seen as values.
    fn from_bits(bits: &[u16]) -> &[Self];
}

impl Half for bf16 {
    const FUSED: bool = true;
    const IS_F16: bool = false;

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

    fn bits(src: &[Self]) -> &[u16] {
        src.reinterpret_cast()
    }

    fn from_bits(bits: &[u16]) -> &[Self] {
        bits.reinterpret_cast()
    }
}

impl Half for f16 {
    const FUSED: bool = false;
    const IS_F16: bool = true;

    #[inline(always)]
    fn wide(self) -> f32 {
        self.to_f32()
    }

    /// Through `half`'s slice conversion (F16C where the CPU has it).
    #[inline(always)]
    fn widen(src: &[Self], dst: &mut [f32]) {
        src.convert_to_f32_slice(dst);
    }

    fn bits(src: &[Self]) -> &[u16] {
        src.reinterpret_cast()
    }

    fn from_bits(bits: &[u16]) -> &[Self] {
        bits.reinterpret_cast()
    }
}

/// `out[i, j] = Σ_p x[i, p] · w[j, p]` for `x [m, k]`, `w [n, k]` (the
/// lengths must be `m·k` and `n·k`), with the rows of `w` shared out
/// between threads, by the copy `kernel` (one this CPU runs: see
/// [`Kernel::available`]; any other falls back to [`Kernel::Scalar`]).
pub(crate) fn matmul<T: Half>(
    x: &[f32],
    w: &[T],
    m: usize,
    n: usize,
    k: usize,
    kernel: Kernel,
) -> Vec<f32> {
    // Each task writes the outputs of its weight rows for every x row:
    // transposed (`[n, m]`), so that its slice is contiguous.
    let mut out_t = vec![0f32; n * m];
    if m == 0 || n == 0 || k == 0 || x.len() != m * k || w.len() != n * k {
        return out_t;
    }
    let kernel = if Kernel::available().contains(&kernel) {
        kernel
    } else {
        Kernel::Scalar
    };
    let prepared = Prepared::new::<T>(x, m, k, kernel);
    let prepared = &prepared;
    out_t
        .par_chunks_mut(ROWS_PER_TASK * m)
        .zip(w.par_chunks(ROWS_PER_TASK * k))
        .for_each_init(
            || vec![0f32; k],
            |row, (out, w_rows)| rows(x, prepared, w_rows, out, row, k, kernel),
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

/// The activations as a kernel reads them, arranged once per call.
enum Prepared {
    /// As they are.
    Plain,
    /// For the AVX-512 bf16 kernel: each row padded with zeros to a
    /// multiple of 32, each block of 32 split into its 16 even-indexed
    /// values then its 16 odd-indexed ones (the order in which 32 bf16
    /// weights widen from one 512-bit load); `kp` values a row.
    Split { data: Vec<f32>, kp: usize },
    /// Rounded to bf16, for `vdpbf16ps`.
    Bf16(Vec<bf16>),
}

impl Prepared {
    fn new<T: Half>(x: &[f32], m: usize, k: usize, kernel: Kernel) -> Prepared {
        match kernel {
            Kernel::Avx512 if !T::IS_F16 => {
                let kp = k.div_ceil(32) * 32;
                let mut data = vec![0f32; m * kp];
                for (dst, src) in data.chunks_exact_mut(kp).zip(x.chunks_exact(k)) {
                    for (p, v) in src.iter().enumerate() {
                        let (block, lane) = (p / 32 * 32, p % 32);
                        dst[block + lane % 2 * 16 + lane / 2] = *v;
                    }
                }
                Prepared::Split { data, kp }
            }
            Kernel::Avx512Bf16 if !T::IS_F16 => {
                Prepared::Bf16(x.iter().map(|v| bf16::from_f32(*v)).collect())
            }
            _ => Prepared::Plain,
        }
    }
}

/// The outputs of some weight rows (`out`: `m` values per row, the
/// transposed layout) for every row of `x`; `row` is a scratch row.
fn rows<T: Half>(
    x: &[f32],
    prepared: &Prepared,
    w_rows: &[T],
    out: &mut [f32],
    row: &mut [f32],
    k: usize,
    kernel: Kernel,
) {
    let m = x.len() / k;
    match (kernel, prepared) {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `matmul` keeps a kernel only when `Kernel::available`
        // lists it, i.e. the CPU has the features the copy is compiled for
        // (AVX-512 F/BW/VL, and AVX512_BF16 for `Bf16`).
        (Kernel::Avx512, Prepared::Split { data, kp }) => unsafe {
            avx512::rows_bf16(data, *kp, m, T::bits(w_rows), out, k)
        },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        (Kernel::Avx512Bf16, Prepared::Bf16(xb)) => unsafe {
            avx512::rows_dp(xb, T::bits(w_rows), out, k)
        },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above (f16 weights: the cvtph copy).
        (Kernel::Avx512 | Kernel::Avx512Bf16, _) => unsafe {
            avx512::rows_f16(x, T::bits(w_rows), out, k)
        },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above (AVX2 and FMA).
        (Kernel::Avx2, _) => unsafe { rows_avx2(x, w_rows, out, row, k) },
        _ => rows_with::<T, false>(x, w_rows, out, row, k),
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn rows_avx2<T: Half>(x: &[f32], w_rows: &[T], out: &mut [f32], row: &mut [f32], k: usize) {
    rows_with::<T, true>(x, w_rows, out, row, k);
}

/// Lanes of the portable dot product's accumulators: two AVX registers.
const LANES: usize = 16;

/// Activation rows multiplied at once with a widened weight row by the
/// portable kernel: each weight value loaded once for all of them, and 8
/// independent accumulators (4 rows × 2 AVX registers).
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

/// The AVX-512 copies: tiles of [`NR`] weight rows × up to [`MR`]
/// activation rows (the last weight rows of a task one at a time), every
/// load within the slices it comes from (a row's last, partial vector
/// through a masked load).
#[cfg(target_arch = "x86_64")]
mod avx512 {
    use super::{MR, NR};
    use half::bf16;
    use std::arch::x86_64::*;
    use std::mem::transmute;

    /// Bytes ahead of each weight row's reads that are prefetched.
    const PREFETCH: usize = 1024;

    /// The mask of the first `len` (< 32) lanes, or all 32.
    #[inline(always)]
    fn mask32(len: usize) -> __mmask32 {
        if len >= 32 {
            u32::MAX
        } else {
            (1u32 << len) - 1
        }
    }

    /// Runs `$tile::<R, C>` over the tiles of `m` activation rows
    /// (pointers from `$xp`) × the `n` weight rows of `w` (`k` each),
    /// writing `out[j * m + i]`.
    macro_rules! tiles {
        ($tile:ident, $xp:expr, $m:expr, $w:expr, $out:expr, $k:expr) => {{
            let (m, w, out, k) = ($m, $w, $out, $k);
            let n = w.len() / k;
            let wp = |j: usize| w[j * k..].as_ptr();
            let mut j = 0;
            while j < n {
                // One activation row (a decoding step): one weight row at
                // a time, read straight through. Four rows side by side
                // are four streams, which this VM's prefetchers serve at
                // about two thirds of one stream's bandwidth (3B BF16 decode:
                // 4.05 -> 4.5 tokens/s); with several activation rows the
                // four rows' reuse pays for it.
                let c = if m > 1 && n - j >= NR { NR } else { 1 };
                let mut i = 0;
                while i < m {
                    let r = (m - i).min(MR);
                    macro_rules! run {
                        ($r:literal, $c:literal) => {{
                            // SAFETY: every pointer starts a row of `k`
                            // weights or a full activation row.
                            let t = unsafe {
                                $tile::<$r, $c>(
                                    std::array::from_fn(|q| $xp(i + q)),
                                    std::array::from_fn(|q| wp(j + q)),
                                    k,
                                )
                            };
                            for (q, col) in t.iter().enumerate() {
                                out[(j + q) * m + i..][..$r].copy_from_slice(col);
                            }
                        }};
                    }
                    match (r, c) {
                        (1, NR) => run!(1, 4),
                        (2, NR) => run!(2, 4),
                        (3, NR) => run!(3, 4),
                        (_, NR) => run!(4, 4),
                        (1, _) => run!(1, 1),
                        (2, _) => run!(2, 1),
                        (3, _) => run!(3, 1),
                        _ => run!(4, 1),
                    }
                    i += r;
                }
                j += c;
            }
        }};
    }

    /// bf16 weights: 32 a step from one 512-bit load, the even-indexed
    /// ones widened by a shift, the odd-indexed ones by a mask, multiplied
    /// with activations arranged to match (`Prepared::Split`: rows of
    /// `kp` values, zero-padded).
    #[target_feature(enable = "avx512f,avx512bw,avx512vl")]
    #[inline]
    unsafe fn tile_bf16<const R: usize, const C: usize>(
        x: [*const f32; R],
        w: [*const u16; C],
        k: usize,
    ) -> [[f32; R]; C] {
        let mut acc = [[_mm512_setzero_ps(); R]; C];
        let high = _mm512_set1_epi32(0xffff_0000_u32 as i32);
        let mut p = 0;
        while p < k {
            let mask = mask32(k - p);
            let mut xe = [_mm512_setzero_ps(); R];
            let mut xo = [_mm512_setzero_ps(); R];
            for ((e, o), xr) in xe.iter_mut().zip(xo.iter_mut()).zip(x) {
                // SAFETY: activation rows are padded to a multiple of 32.
                unsafe {
                    *e = _mm512_loadu_ps(xr.add(p));
                    *o = _mm512_loadu_ps(xr.add(p + 16));
                }
            }
            for (a, wr) in acc.iter_mut().zip(w) {
                // one row read straight through: the hardware's own
                // prefetch serves it better than ours (3B decode 4.1 ->
                // 4.6 tokens/s alternated)
                if C > 1 {
                    _mm_prefetch::<_MM_HINT_T0>(wr.wrapping_add(p + PREFETCH / 2).cast());
                }
                // SAFETY: lanes `p..p + 32` masked to the row's `k`.
                let wv = unsafe { _mm512_maskz_loadu_epi16(mask, wr.add(p).cast()) };
                let even = _mm512_castsi512_ps(_mm512_slli_epi32::<16>(wv));
                let odd = _mm512_castsi512_ps(_mm512_and_si512(wv, high));
                for ((a, e), o) in a.iter_mut().zip(xe).zip(xo) {
                    *a = _mm512_fmadd_ps(o, odd, _mm512_fmadd_ps(e, even, *a));
                }
            }
            p += 32;
        }
        acc.map(|a| a.map(|v| _mm512_reduce_add_ps(v)))
    }

    /// The outputs of the bf16 weight rows `w` (bits, `k` per row) for the
    /// `m` split activation rows `x` (`kp` each), into `out`.
    #[target_feature(enable = "avx512f,avx512bw,avx512vl")]
    pub(super) unsafe fn rows_bf16(
        x: &[f32],
        kp: usize,
        m: usize,
        w: &[u16],
        out: &mut [f32],
        k: usize,
    ) {
        let xp = |i: usize| x[i * kp..].as_ptr();
        tiles!(tile_bf16, xp, m, w, out, k);
    }

    /// f16 weights: 16 a step, widened by `vcvtph2ps`.
    #[target_feature(enable = "avx512f,avx512bw,avx512vl")]
    #[inline]
    unsafe fn tile_f16<const R: usize, const C: usize>(
        x: [*const f32; R],
        w: [*const u16; C],
        k: usize,
    ) -> [[f32; R]; C] {
        let mut acc = [[_mm512_setzero_ps(); R]; C];
        let mut p = 0;
        while p < k {
            let mask = mask32(k - p) as __mmask16;
            let mut xv = [_mm512_setzero_ps(); R];
            for (v, xr) in xv.iter_mut().zip(x) {
                // SAFETY: lanes `p..p + 16` masked to the row's `k`.
                *v = unsafe { _mm512_maskz_loadu_ps(mask, xr.add(p)) };
            }
            for (a, wr) in acc.iter_mut().zip(w) {
                // SAFETY: as above, for the weight row.
                let h = unsafe { _mm256_maskz_loadu_epi16(mask, wr.add(p).cast()) };
                let wv = _mm512_cvtph_ps(h);
                for (a, v) in a.iter_mut().zip(xv) {
                    *a = _mm512_fmadd_ps(v, wv, *a);
                }
            }
            p += 16;
        }
        acc.map(|a| a.map(|v| _mm512_reduce_add_ps(v)))
    }

    /// The outputs of the f16 weight rows `w` (bits, `k` per row) for
    /// every row of `x`, into `out` (`m` per weight row).
    #[target_feature(enable = "avx512f,avx512bw,avx512vl")]
    pub(super) unsafe fn rows_f16(x: &[f32], w: &[u16], out: &mut [f32], k: usize) {
        let xp = |i: usize| x[i * k..].as_ptr();
        tiles!(tile_f16, xp, x.len() / k, w, out, k);
    }

    /// bf16 weights and activations rounded to bf16: 32 products a step
    /// by `vdpbf16ps` (pairs summed into 16 f32 lanes).
    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512bf16")]
    #[inline]
    unsafe fn tile_dp<const R: usize, const C: usize>(
        x: [*const u16; R],
        w: [*const u16; C],
        k: usize,
    ) -> [[f32; R]; C] {
        let mut acc = [[_mm512_setzero_ps(); R]; C];
        let mut p = 0;
        while p < k {
            let mask = mask32(k - p);
            let mut xv = [_mm512_setzero_si512(); R];
            for (v, xr) in xv.iter_mut().zip(x) {
                // SAFETY: lanes `p..p + 32` masked to the row's `k`.
                *v = unsafe { _mm512_maskz_loadu_epi16(mask, xr.add(p).cast()) };
            }
            for (a, wr) in acc.iter_mut().zip(w) {
                _mm_prefetch::<_MM_HINT_T0>(wr.wrapping_add(p + PREFETCH / 2).cast());
                // SAFETY: as above, for the weight row.
                let wv = unsafe { _mm512_maskz_loadu_epi16(mask, wr.add(p).cast()) };
                for (a, v) in a.iter_mut().zip(xv) {
                    // SAFETY: 32 bf16 lanes seen as the bf16 vector type
                    // (same size, any bits valid).
                    let (v, wv): (__m512bh, __m512bh) = unsafe {
                        (
                            transmute::<__m512i, __m512bh>(v),
                            transmute::<__m512i, __m512bh>(wv),
                        )
                    };
                    *a = _mm512_dpbf16_ps(*a, v, wv);
                }
            }
            p += 32;
        }
        acc.map(|a| a.map(|v| _mm512_reduce_add_ps(v)))
    }

    /// The outputs of the bf16 weight rows `w` for the bf16 activation
    /// rows `x`, into `out` (`m` per weight row).
    #[target_feature(enable = "avx512f,avx512bw,avx512vl,avx512bf16")]
    pub(super) unsafe fn rows_dp(x: &[bf16], w: &[u16], out: &mut [f32], k: usize) {
        let xp = |i: usize| x[i * k..].as_ptr().cast::<u16>();
        tiles!(tile_dp, xp, x.len() / k, w, out, k);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::super::test_values::values;

    /// The reference: every product in f64, in order; with each sum, the
    /// sum of the products' magnitudes (what rounding errors scale with).
    fn reference<T: Half>(x: &[f32], w: &[T], m: usize, n: usize, k: usize) -> Vec<(f64, f64)> {
        let mut out = vec![(0f64, 0f64); m * n];
        for i in 0..m {
            for j in 0..n {
                out[i * n + j] = (0..k)
                    .map(|p| f64::from(x[i * k + p]) * f64::from(w[j * k + p].wide()))
                    .fold((0., 0.), |(s, a), v| (s + v, a + v.abs()));
            }
        }
        out
    }

    /// Shapes with odd sizes and tails on every side of the tiles.
    const SHAPES: [(usize, usize, usize); 10] = [
        (1, 1, 1),
        (1, 37, 70),
        (1, 64, 3072),
        (2, 5, 17),
        (3, 16, 16),
        (4, 9, 33),
        (5, 50, 129),
        (7, 21, 95),
        (9, 17, 48),
        (13, 35, 301),
    ];

    fn check_all<T: Half>(to: impl Fn(f32) -> T) {
        for kernel in Kernel::available() {
            for (s, &(m, n, k)) in SHAPES.iter().enumerate() {
                let x = values(m * k, 2 * s as u64 + 1);
                let w: Vec<T> = values(n * k, 2 * s as u64 + 2)
                    .into_iter()
                    .map(&to)
                    .collect();
                let want = reference(&x, &w, m, n, k);
                let got = matmul(&x, &w, m, n, k, kernel);
                assert_eq!(got.len(), m * n);
                // f32 sums in another order; activations rounded to bf16:
                // each product off by at most 2^-8 of itself.
                let rounded = kernel == Kernel::Avx512Bf16 && !T::IS_F16;
                let rel = if rounded { 1. / 256. } else { 1e-6 };
                for (g, (w, mag)) in got.iter().zip(&want) {
                    let diff = (f64::from(*g) - w).abs();
                    assert!(
                        diff <= rel * mag + 1e-6,
                        "{kernel:?} {m}x{n}x{k}: {g} vs {w}"
                    );
                }
            }
        }
    }

    #[test]
    fn every_kernel_matches_the_reference_bf16() {
        check_all(bf16::from_f32);
    }

    #[test]
    fn every_kernel_matches_the_reference_f16() {
        check_all(f16::from_f32);
    }

    #[test]
    fn kernels_are_named_and_the_detected_one_is_available() {
        let all = Kernel::available();
        assert!(all.contains(&Kernel::detected()));
        assert_ne!(Kernel::detected(), Kernel::Avx512Bf16);
        for kernel in all {
            assert_eq!(Kernel::from_name(kernel.name()), Some(kernel));
        }
        assert_eq!(Kernel::from_name("sse9"), None);
    }

    #[test]
    fn empty_or_mismatched_shapes_give_zeros() {
        let w = vec![bf16::ONE; 6];
        assert_eq!(
            matmul(&[], &w, 0, 2, 3, Kernel::detected()),
            Vec::<f32>::new()
        );
        assert_eq!(
            matmul(&[1.0; 2], &w, 1, 2, 3, Kernel::detected()),
            vec![0.0; 2]
        );
    }
}
