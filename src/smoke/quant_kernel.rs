//! Integer dot products for the GGUF block quantizations candle 0.11 runs
//! through its scalar `vec_dot_unopt` on the CPU (Q4_1, Q5_0, Q5_1; Q4_0
//! too, for one code path), the way llama.cpp does them: the activation row
//! is quantized once per matmul to 8-bit blocks of 32 (`d`, the scale, and
//! `s = d · Σq`), each weight block is widened to 32 unsigned bytes
//! (`value = d·q + m`, Q4_0/Q5_0's offset folded into `m`), and a block's
//! dot is `d_w·d_a·Σ q_w·q_a + m_w·s_a`, the integer sum by AVX2's
//! `maddubs` or AVX-512 VNNI's `dpbusd`. Weight rows are shared out over
//! the threads of candle's CPU pool; with one activation row (a decoded
//! token) each thread's run of weight rows goes to the kernel in one call,
//! the block format fixed for the whole loop; with several (a prompt),
//! each weight block is widened once for four activation rows (Q4/Q5,
//! Q8_0, Q4_K, Q6_K).
//!
//! IQ4_XS (super-blocks of 256 values: an f16 `d`, eight 6-bit sub-block
//! scales, 4-bit indices into the 16-value table `kvalues_iq4nl`) has its
//! own dot: each sub-block of 32 meets one activation block, its indices
//! looked up into signed bytes (`shuffle_epi8` on x86), the sum
//! `Σ table[q]·q_a` taken with the signs moved onto the activations (the
//! `maddubs`/`dpbusd` operands must be unsigned on one side), scaled by
//! `d·(ls − 32)·d_a`.
//!
//! Q8_0 (blocks of 32: an f16 `d`, 32 signed bytes; value `d·q`) has its
//! own dot too, against activation scales rounded to f16 as ggml's
//! `block_q8_0` and candle keep them (the same sums as theirs, so Q8_0
//! files and heads answer as before): `d_w·d_a·Σ q_w·q_a`, the integer
//! sum on x86 taken as
//! `|q_w|` (unsigned) against `q_a·sign(q_w)`, as `maddubs`/`dpbusd` need
//! one unsigned side. A hostile file's −128 becomes an unsigned 128; with
//! the activations within ±127 a `maddubs` pair sums to at most
//! 2·128·127 = 32 512, inside i16, and `dpbusd` adds into i32.
//!
//! Q4_K and Q6_K (super-blocks of 256; llama.cpp's Q4_K_M files) meet the
//! same activation blocks of 32: a Q4_K sub-block of 32 (6-bit scale and
//! min) is `d·sc·d_a·Σ q_w·q_a − dmin·m·s_a`; a Q6_K activation block
//! spans two sub-blocks of 16 (i8 scales), its 6-bit quants unsigned
//! against the activations with `32·Σ q_a` taken off each half, each half's
//! sum scaled by its own `d·sc·d_a`. Both integer sums land in eight i32
//! lanes of four elements each (lanes 0–3 the first 16), from `maddubs`
//! then `madd` or from `dpbusd` alike.
//!
//! The kernel is chosen at run time (AVX-512 VNNI, AVX2, or the scalar
//! code every machine runs); the three give the same sums up to the order
//! of float additions.

use candle_core::quantized::GgmlDType;
use half::f16;
use std::sync::OnceLock;

/// Elements per block, for every format here.
const QK: usize = 32;

/// A block quantization this module has kernels for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    /// `d` (f16), 16 bytes of nibbles; value `d·(q − 8)`.
    Q4_0,
    /// `d`, `m` (f16), 16 bytes of nibbles; value `d·q + m`.
    Q4_1,
    /// `d` (f16), 32 high bits, 16 bytes of nibbles; value `d·(q − 16)`.
    Q5_0,
    /// `d`, `m` (f16), 32 high bits, 16 bytes of nibbles; value `d·q + m`.
    Q5_1,
}

impl Format {
    /// The format of a GGML type, where this module has a kernel for it.
    pub(crate) fn of(dtype: GgmlDType) -> Option<Format> {
        match dtype {
            GgmlDType::Q4_0 => Some(Format::Q4_0),
            GgmlDType::Q4_1 => Some(Format::Q4_1),
            GgmlDType::Q5_0 => Some(Format::Q5_0),
            GgmlDType::Q5_1 => Some(Format::Q5_1),
            _ => None,
        }
    }

    /// The GGML type.
    pub(crate) fn dtype(self) -> GgmlDType {
        match self {
            Format::Q4_0 => GgmlDType::Q4_0,
            Format::Q4_1 => GgmlDType::Q4_1,
            Format::Q5_0 => GgmlDType::Q5_0,
            Format::Q5_1 => GgmlDType::Q5_1,
        }
    }

    /// Bytes per block of 32 weights.
    pub(crate) fn block_bytes(self) -> usize {
        match self {
            Format::Q4_0 => 18,
            Format::Q4_1 => 20,
            Format::Q5_0 => 22,
            Format::Q5_1 => 24,
        }
    }

    /// Where the nibbles start and where the 32 high bits are, if any.
    fn layout(self) -> (usize, Option<usize>) {
        match self {
            Format::Q4_0 => (2, None),
            Format::Q4_1 => (4, None),
            Format::Q5_0 => (6, Some(2)),
            Format::Q5_1 => (8, Some(4)),
        }
    }

    /// The block's scale `d` and additive `m` (value = `d·q + m`).
    #[inline(always)]
    fn scale_min(self, b: &[u8]) -> (f32, f32) {
        let h = |i: usize| f16::from_le_bytes([b[i], b[i + 1]]).to_f32();
        let d = h(0);
        match self {
            Format::Q4_0 => (d, -8. * d),
            Format::Q5_0 => (d, -16. * d),
            Format::Q4_1 | Format::Q5_1 => (d, h(2)),
        }
    }

    /// The block's 32 unsigned quants, element order.
    fn quants(self, b: &[u8]) -> [u8; QK] {
        let (nib, high) = self.layout();
        let qh = high.map_or(0, |o| {
            u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]])
        });
        let mut q = [0u8; QK];
        for j in 0..QK / 2 {
            let byte = b[nib + j];
            q[j] = (byte & 0x0F) | ((((qh >> j) & 1) as u8) << 4);
            q[j + 16] = (byte >> 4) | ((((qh >> (j + 16)) & 1) as u8) << 4);
        }
        q
    }
}

/// The weights' layout a matmul reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Weights {
    /// Blocks of 32 in one of [`Format`]'s types.
    Blocks(Format),
    /// Q8_0 blocks of 32: `d` (f16), 32 signed bytes; value `d·q`.
    Q8_0,
    /// IQ4_XS super-blocks of 256 values.
    Iq4Xs,
    /// Q4_K super-blocks of 256 values: `d`, `dmin` (f16), 12 bytes of
    /// 6-bit scales and mins for 8 sub-blocks of 32, 128 bytes of nibbles.
    Q4K,
    /// Q6_K super-blocks of 256 values: 128 bytes of low nibbles, 64 of
    /// high 2-bit pairs, 16 i8 scales of sub-blocks of 16, `d` (f16).
    Q6K,
}

impl Weights {
    /// The layout of a GGML type candle holds, where this module has a
    /// kernel for it.
    pub(crate) fn of(dtype: GgmlDType) -> Option<Weights> {
        match dtype {
            GgmlDType::Q8_0 => Some(Weights::Q8_0),
            GgmlDType::Q4K => Some(Weights::Q4K),
            GgmlDType::Q6K => Some(Weights::Q6K),
            other => Format::of(other).map(Weights::Blocks),
        }
    }

    /// Values per block.
    pub(crate) fn block_values(self) -> usize {
        match self {
            Weights::Blocks(_) | Weights::Q8_0 => QK,
            Weights::Iq4Xs | Weights::Q4K | Weights::Q6K => IQ4_XS_VALUES,
        }
    }

    /// Bytes per block.
    pub(crate) fn block_bytes(self) -> usize {
        match self {
            Weights::Blocks(f) => f.block_bytes(),
            Weights::Q8_0 => Q8_0_BYTES,
            Weights::Iq4Xs => IQ4_XS_BYTES,
            Weights::Q4K => Q4_K_BYTES,
            Weights::Q6K => Q6_K_BYTES,
        }
    }
}

/// Bytes per Q8_0 block: `d` (f16), 32 signed quants.
pub(crate) const Q8_0_BYTES: usize = 2 + QK;

/// The scalar Q8_0 dot product of one weight row with one quantized
/// activation row, for any CPU.
fn q8_0_dot_scalar(w: &[u8], (d, _, qs): (&[f32], &[f32], &[i8])) -> f32 {
    let mut acc = 0f32;
    for ((b, da), qa) in w.chunks_exact(Q8_0_BYTES).zip(d).zip(qs.chunks_exact(QK)) {
        let dw = f16::from_le_bytes([b[0], b[1]]).to_f32();
        let isum: i32 = b[2..]
            .iter()
            .zip(qa)
            .map(|(&x, &y)| i32::from(x as i8) * i32::from(y))
            .sum();
        acc += dw * da * isum as f32;
    }
    acc
}

/// Values per IQ4_XS super-block.
pub(crate) const IQ4_XS_VALUES: usize = 256;
/// Bytes per IQ4_XS super-block: `d` (f16), `scales_h` (u16), `scales_l`
/// (4 bytes), 128 bytes of indices.
pub(crate) const IQ4_XS_BYTES: usize = 136;
/// ggml's `kvalues_iq4nl`: the 16 values an IQ4_NL/IQ4_XS index stands for.
const IQ4_TABLE: [i8; 16] = [
    -127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113,
];

/// The signed scale `ls − 32` of sub-block `ib` (0..8) of an IQ4_XS
/// super-block `b` (136 bytes): its low 4 bits in `scales_l[ib/2]`, its
/// high 2 bits at `2·ib` of `scales_h`.
#[inline(always)]
fn iq4_xs_sub_scale(b: &[u8], ib: usize) -> i32 {
    let high = u16::from_le_bytes([b[2], b[3]]);
    let lo = (b[4 + ib / 2] >> (4 * (ib % 2))) & 0x0F;
    let hi = ((high >> (2 * ib)) & 3) as u8;
    i32::from(lo | (hi << 4)) - 32
}

/// IQ4_XS super-blocks (`bytes`, whole blocks of 136) dequantized into
/// `out` (256 values each; extra values of either are left alone).
pub(crate) fn dequantize_iq4_xs(bytes: &[u8], out: &mut [f32]) {
    for (b, y) in bytes
        .chunks_exact(IQ4_XS_BYTES)
        .zip(out.chunks_exact_mut(IQ4_XS_VALUES))
    {
        let d = f16::from_le_bytes([b[0], b[1]]).to_f32();
        for (ib, y) in y.chunks_exact_mut(QK).enumerate() {
            let dl = d * iq4_xs_sub_scale(b, ib) as f32;
            let qs = &b[8 + 16 * ib..8 + 16 * (ib + 1)];
            for (j, q) in qs.iter().enumerate() {
                y[j] = dl * f32::from(IQ4_TABLE[usize::from(q & 0x0F)]);
                y[j + 16] = dl * f32::from(IQ4_TABLE[usize::from(q >> 4)]);
            }
        }
    }
}

/// The scalar IQ4_XS dot product of one weight row with one quantized
/// activation row, for any CPU.
fn iq4_xs_dot_scalar(w: &[u8], (d, _, qs): (&[f32], &[f32], &[i8])) -> f32 {
    let mut acc = 0f32;
    let mut subs = d.iter().zip(qs.chunks_exact(QK));
    for b in w.chunks_exact(IQ4_XS_BYTES) {
        let dw = f16::from_le_bytes([b[0], b[1]]).to_f32();
        for ib in 0..IQ4_XS_VALUES / QK {
            let Some((da, qa)) = subs.next() else {
                return acc;
            };
            let nibbles = &b[8 + 16 * ib..8 + 16 * (ib + 1)];
            let mut isum = 0i32;
            for (j, q) in nibbles.iter().enumerate() {
                isum += i32::from(IQ4_TABLE[usize::from(q & 0x0F)]) * i32::from(qa[j]);
                isum += i32::from(IQ4_TABLE[usize::from(q >> 4)]) * i32::from(qa[j + 16]);
            }
            acc += dw * iq4_xs_sub_scale(b, ib) as f32 * da * isum as f32;
        }
    }
    acc
}

/// Bytes per Q4_K super-block.
pub(crate) const Q4_K_BYTES: usize = 144;
/// Bytes per Q6_K super-block.
pub(crate) const Q6_K_BYTES: usize = 210;

/// Sub-block `j`'s (0..8) 6-bit scale and min of a Q4_K super-block's 12
/// scale bytes (ggml's `get_scale_min_k4`).
#[inline(always)]
fn q4_k_scale_min(sc: &[u8], j: usize) -> (u8, u8) {
    if j < 4 {
        (sc[j] & 63, sc[j + 4] & 63)
    } else {
        (
            (sc[j + 4] & 0x0F) | ((sc[j - 4] >> 6) << 4),
            (sc[j + 4] >> 4) | ((sc[j] >> 6) << 4),
        )
    }
}

/// The scalar Q4_K dot product of one weight row with one quantized
/// activation row, for any CPU.
fn q4_k_dot_scalar(w: &[u8], (d, s, qs): (&[f32], &[f32], &[i8])) -> f32 {
    let mut acc = 0f32;
    let mut subs = d.iter().zip(s).zip(qs.chunks_exact(QK));
    for b in w.chunks_exact(Q4_K_BYTES) {
        let dw = f16::from_le_bytes([b[0], b[1]]).to_f32();
        let dmin = f16::from_le_bytes([b[2], b[3]]).to_f32();
        for j in 0..8 {
            let Some(((da, sa), qa)) = subs.next() else {
                return acc;
            };
            let (sc, m) = q4_k_scale_min(&b[4..16], j);
            let nibbles = &b[16 + 32 * (j / 2)..16 + 32 * (j / 2 + 1)];
            let shift = 4 * (j % 2);
            let isum: i32 = nibbles
                .iter()
                .zip(qa)
                .map(|(&q, &a)| i32::from((q >> shift) & 0x0F) * i32::from(a))
                .sum();
            acc += dw * f32::from(sc) * da * isum as f32 - dmin * f32::from(m) * sa;
        }
    }
    acc
}

/// The scalar Q6_K dot product of one weight row with one quantized
/// activation row, for any CPU.
fn q6_k_dot_scalar(w: &[u8], (d, _, qs): (&[f32], &[f32], &[i8])) -> f32 {
    let mut acc = 0f32;
    let mut subs = d.iter().zip(qs.chunks_exact(QK));
    for b in w.chunks_exact(Q6_K_BYTES) {
        let (ql, qh, sc) = (&b[..128], &b[128..192], &b[192..208]);
        let dw = f16::from_le_bytes([b[208], b[209]]).to_f32();
        for half in 0..2 {
            for k in 0..4 {
                let Some((da, qa)) = subs.next() else {
                    return acc;
                };
                let mut sums = [0i32; 2];
                for (l, &a) in qa.iter().enumerate() {
                    let low = ql[64 * half + 32 * (k % 2) + l] >> (4 * (k / 2));
                    let high = (qh[32 * half + l] >> (2 * k)) & 3;
                    let q = i32::from((low & 0x0F) | (high << 4)) - 32;
                    sums[l / 16] += q * i32::from(a);
                }
                let scale = |i: usize| f32::from(sc[8 * half + 2 * k + i] as i8);
                acc += dw * da * (scale(0) * sums[0] as f32 + scale(1) * sums[1] as f32);
            }
        }
    }
    acc
}

/// The activations of `m` rows quantized to 8-bit blocks of 32.
pub(crate) struct Q8Rows {
    /// Blocks per row.
    blocks: usize,
    /// Per block: its scale.
    d: Vec<f32>,
    /// Per block: its scale times the sum of its quants.
    s: Vec<f32>,
    /// The quants, row after row.
    qs: Vec<i8>,
}

impl Q8Rows {
    /// Quantizes `lhs` (`m` rows of `k`, `k` a multiple of 32), the
    /// scales rounded to f16 where `half_scales` (as GGML's `block_q8_0`
    /// keeps them: Q8_0 weights meet these, so that their sums are
    /// candle's and llama.cpp's), else kept in f32.
    pub(crate) fn quantize(lhs: &[f32], k: usize, half_scales: bool) -> Q8Rows {
        let blocks = k / QK;
        let total = lhs.len() / QK;
        let mut out = Q8Rows {
            blocks,
            d: Vec::with_capacity(total),
            s: Vec::with_capacity(total),
            qs: vec![0; total * QK],
        };
        for (x, q) in lhs.chunks_exact(QK).zip(out.qs.chunks_exact_mut(QK)) {
            let amax = x.iter().fold(0f32, |a, v| a.max(v.abs()));
            let d = amax / 127.;
            let id = if d > 0. { 1. / d } else { 0. };
            let mut sum = 0i32;
            for (qi, xi) in q.iter_mut().zip(x) {
                let v = (xi * id).round() as i8;
                *qi = v;
                sum += i32::from(v);
            }
            // Scale and sum kept in f32 for the other formats (GGML's
            // `block_q8_1` rounds them to f16; on SmolLM2 Q4_1 that moved
            // the top token's probability further from the f32-weights
            // answer than f32 does). Q8_0's f16 scale is rounded after the
            // quants are taken, as ggml and candle do.
            let d = if half_scales {
                f16::from_f32(d).to_f32()
            } else {
                d
            };
            out.d.push(d);
            out.s.push(d * sum as f32);
        }
        out
    }

    /// How many rows.
    fn rows(&self) -> usize {
        self.d.len() / self.blocks.max(1)
    }

    /// Row `i`'s scales, sums and quants.
    fn row(&self, i: usize) -> (&[f32], &[f32], &[i8]) {
        let b = i * self.blocks;
        (
            &self.d[b..b + self.blocks],
            &self.s[b..b + self.blocks],
            &self.qs[b * QK..(b + self.blocks) * QK],
        )
    }
}

/// Which instructions the dot products use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kernel {
    /// Plain Rust, every machine.
    Scalar,
    /// AVX2 `maddubs` (x86-64 with AVX2, FMA and F16C).
    Avx2,
    /// AVX-512 VNNI `dpbusd` on 256-bit registers (AVX-512 F/VL/VNNI).
    Vnni,
}

impl Kernel {
    /// The best this CPU runs.
    pub(crate) fn detected() -> Kernel {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512vnni")
                && std::arch::is_x86_feature_detected!("avx512vl")
                && std::arch::is_x86_feature_detected!("avx512f")
                && std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
                && std::arch::is_x86_feature_detected!("f16c")
            {
                return Kernel::Vnni;
            }
            if std::arch::is_x86_feature_detected!("avx2")
                && std::arch::is_x86_feature_detected!("fma")
                && std::arch::is_x86_feature_detected!("f16c")
            {
                return Kernel::Avx2;
            }
        }
        Kernel::Scalar
    }

    /// Whether this CPU runs it.
    #[cfg(test)]
    pub(crate) fn available(self) -> bool {
        matches!(
            (self, Kernel::detected()),
            (Kernel::Scalar, _)
                | (Kernel::Avx2, Kernel::Avx2 | Kernel::Vnni)
                | (Kernel::Vnni, Kernel::Vnni)
        )
    }
}

/// The kernel detected once per process.
pub(crate) fn kernel() -> Kernel {
    static KERNEL: OnceLock<Kernel> = OnceLock::new();
    *KERNEL.get_or_init(Kernel::detected)
}

/// The dot product of one weight row (its blocks' bytes) with one quantized
/// activation row.
fn row_dot(kernel: Kernel, weights: Weights, w: &[u8], a: (&[f32], &[f32], &[i8])) -> f32 {
    match (weights, kernel) {
        (Weights::Blocks(format), Kernel::Scalar) => row_dot_scalar(format, w, a),
        (Weights::Q8_0, Kernel::Scalar) => q8_0_dot_scalar(w, a),
        (Weights::Blocks(_) | Weights::Q8_0, _) => {
            let mut out = 0f32;
            rows_dot(
                kernel,
                weights,
                (w, w.len()),
                a,
                std::slice::from_mut(&mut out),
            );
            out
        }
        (Weights::Iq4Xs, _) => iq4_xs_dot(kernel, w, a),
        (Weights::Q4K | Weights::Q6K, _) => k_quant_dot(kernel, weights, w, a),
    }
}

/// `out[r]` = weight row `r` of `w` (rows of `row_bytes`) against one
/// quantized activation row, for the rows both hold: the SIMD kernels of
/// [`Format`]'s types and Q8_0 take the whole run in one call (no dispatch
/// per row or per block), the others go row by row through [`row_dot`].
fn rows_dot(
    kernel: Kernel,
    weights: Weights,
    (w, row_bytes): (&[u8], usize),
    a: (&[f32], &[f32], &[i8]),
    out: &mut [f32],
) {
    match (weights, kernel) {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `Kernel::detected` chose these only where the CPU has the features.
        (Weights::Blocks(format), Kernel::Avx2) => unsafe {
            x86::rows_dot_avx2(format, w, row_bytes, a, out)
        },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        (Weights::Blocks(format), Kernel::Vnni) => unsafe {
            x86::rows_dot_vnni(format, w, row_bytes, a, out)
        },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        (Weights::Q8_0, Kernel::Avx2) => unsafe { x86::q8_0_rows_avx2(w, row_bytes, a, out) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        (Weights::Q8_0, Kernel::Vnni) => unsafe { x86::q8_0_rows_vnni(w, row_bytes, a, out) },
        _ => {
            for (o, row) in out.iter_mut().zip(w.chunks_exact(row_bytes.max(1))) {
                *o = match (weights, kernel) {
                    (Weights::Blocks(format), _) => row_dot_scalar(format, row, a),
                    (Weights::Q8_0, _) => q8_0_dot_scalar(row, a),
                    _ => row_dot(kernel, weights, row, a),
                };
            }
        }
    }
}

/// [`row_dot`] for IQ4_XS weights.
fn iq4_xs_dot(kernel: Kernel, w: &[u8], a: (&[f32], &[f32], &[i8])) -> f32 {
    match kernel {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `Kernel::detected` chose these only where the CPU has the features.
        Kernel::Avx2 => unsafe { x86::iq4_xs_dot_avx2(w, a) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        Kernel::Vnni => unsafe { x86::iq4_xs_dot_vnni(w, a) },
        _ => iq4_xs_dot_scalar(w, a),
    }
}

/// [`row_dot`] for Q4_K and Q6_K weights.
fn k_quant_dot(kernel: Kernel, weights: Weights, w: &[u8], a: (&[f32], &[f32], &[i8])) -> f32 {
    let six = weights == Weights::Q6K;
    match kernel {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `Kernel::detected` chose these only where the CPU has the features.
        Kernel::Avx2 | Kernel::Vnni => unsafe {
            let group = [a; 4];
            let sums = match (six, kernel == Kernel::Vnni) {
                (true, true) => x86::q6_k_dot_vnni(w, group, 1),
                (true, false) => x86::q6_k_dot_avx2(w, group, 1),
                (false, true) => x86::q4_k_dot_vnni(w, group, 1),
                (false, false) => x86::q4_k_dot_avx2(w, group, 1),
            };
            sums[0]
        },
        _ if six => q6_k_dot_scalar(w, a),
        _ => q4_k_dot_scalar(w, a),
    }
}

/// The scalar dot product, for any CPU.
fn row_dot_scalar(format: Format, w: &[u8], (d, s, qs): (&[f32], &[f32], &[i8])) -> f32 {
    let mut acc = 0f32;
    for (((b, da), sa), qa) in w
        .chunks_exact(format.block_bytes())
        .zip(d)
        .zip(s)
        .zip(qs.chunks_exact(QK))
    {
        let (dw, mw) = format.scale_min(b);
        let qw = format.quants(b);
        let isum: i32 = qw
            .iter()
            .zip(qa)
            .map(|(&x, &y)| i32::from(x) * i32::from(y))
            .sum();
        acc += dw * da * isum as f32 + mw * sa;
    }
    acc
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use super::{
        iq4_xs_sub_scale, q4_k_scale_min, Format, Q8Rows, IQ4_TABLE, IQ4_XS_BYTES, IQ4_XS_VALUES,
        Q4_K_BYTES, Q6_K_BYTES, Q8_0_BYTES, QK,
    };
    use std::arch::x86_64::*;

    /// The block's 32 quants as unsigned bytes, element `e` in byte `e`.
    #[inline(always)]
    unsafe fn widen(format: Format, b: *const u8) -> __m256i {
        let (nib, high) = format.layout();
        let raw = _mm_loadu_si128(b.add(nib) as *const __m128i);
        let low4 = _mm_set1_epi8(0x0F);
        let lo = _mm_and_si128(raw, low4);
        let hi = _mm_and_si128(_mm_srli_epi16(raw, 4), low4);
        let q = _mm256_set_m128i(hi, lo);
        match high {
            None => q,
            Some(o) => {
                let qh = (b.add(o) as *const u32).read_unaligned();
                // Byte e of the spread holds byte e/8 of qh; OR-ing in every
                // bit but e%8 leaves 0xFF exactly where bit e is set.
                let spread = _mm256_shuffle_epi8(
                    _mm256_set1_epi32(qh as i32),
                    _mm256_setr_epi64x(
                        0,
                        0x0101_0101_0101_0101,
                        0x0202_0202_0202_0202,
                        0x0303_0303_0303_0303,
                    ),
                );
                let mask = _mm256_set1_epi64x(0x7FBF_DFEF_F7FB_FDFE_u64 as i64);
                let set = _mm256_cmpeq_epi8(_mm256_or_si256(spread, mask), _mm256_set1_epi8(-1));
                _mm256_or_si256(q, _mm256_and_si256(set, _mm256_set1_epi8(0x10)))
            }
        }
    }

    /// The block's `d` and `m` (value = `d·q + m`), both halves widened
    /// by one F16C instruction.
    #[inline(always)]
    unsafe fn scale_min(format: Format, b: *const u8) -> (f32, f32) {
        let bits = (b as *const i32).read_unaligned();
        let v = _mm_cvtph_ps(_mm_cvtsi32_si128(bits));
        let d = _mm_cvtss_f32(v);
        match format {
            Format::Q4_0 => (d, -8. * d),
            Format::Q5_0 => (d, -16. * d),
            Format::Q4_1 | Format::Q5_1 => (d, _mm_cvtss_f32(_mm_movehdup_ps(v))),
        }
    }

    /// Horizontal sum of eight floats.
    #[inline(always)]
    unsafe fn hsum(v: __m256) -> f32 {
        let s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
        let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
        let s = _mm_add_ss(s, _mm_movehdup_ps(s));
        _mm_cvtss_f32(s)
    }

    /// One weight row of `format` (`$row`, whole blocks) against one
    /// quantized activation row: `Σ d_w·d_a·isum + m_w·s_a` over the blocks
    /// both hold, the integer sum `$isum` of `$w` (unsigned) and `$a`.
    macro_rules! blocks_dot {
        ($format:expr, $row:expr, ($d:ident, $s:ident, $qs:ident), |$w:ident, $a:ident| $isum:expr) => {{
            let format: Format = $format;
            let row: &[u8] = $row;
            let bytes = format.block_bytes();
            let blocks = (row.len() / bytes)
                .min($d.len())
                .min($s.len())
                .min($qs.len() / QK);
            let mut acc = _mm256_setzero_ps();
            let mut mins = 0f32;
            for i in 0..blocks {
                // Inside `row`: block i ends by (i + 1) · bytes ≤ row.len().
                let b = row.as_ptr().add(i * bytes);
                let (dw, mw) = scale_min(format, b);
                let qw = widen(format, b);
                let qa = _mm256_loadu_si256($qs.as_ptr().add(i * QK) as *const __m256i);
                let isum: __m256i = {
                    let ($w, $a) = (qw, qa);
                    $isum
                };
                acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), _mm256_set1_ps(dw * $d[i]), acc);
                mins += mw * $s[i];
            }
            hsum(acc) + mins
        }};
    }

    /// `out[r]` = weight row `r` (`$row_bytes` each, from `$w`) against
    /// one activation row, for every `r` both hold, the format constant
    /// in each loop.
    macro_rules! each_row {
        ($format:expr, $w_rows:ident, $row_bytes:ident, $out:ident, $act:tt, |$w:ident, $a:ident| $isum:expr) => {
            for (o, row) in $out.iter_mut().zip($w_rows.chunks_exact($row_bytes.max(1))) {
                *o = blocks_dot!($format, row, $act, |$w, $a| $isum);
            }
        };
    }

    macro_rules! rows_dot {
        ($name:ident, $features:literal, |$w:ident, $a:ident| $isum:expr) => {
            /// Consecutive weight rows (`row_bytes` each) against one
            /// quantized activation row, one output each; the format is
            /// matched once, not per block.
            #[target_feature(enable = $features)]
            pub(super) unsafe fn $name(
                format: Format,
                w: &[u8],
                row_bytes: usize,
                (d, s, qs): (&[f32], &[f32], &[i8]),
                out: &mut [f32],
            ) {
                match format {
                    Format::Q4_0 => {
                        each_row!(Format::Q4_0, w, row_bytes, out, (d, s, qs), |$w, $a| $isum)
                    }
                    Format::Q4_1 => {
                        each_row!(Format::Q4_1, w, row_bytes, out, (d, s, qs), |$w, $a| $isum)
                    }
                    Format::Q5_0 => {
                        each_row!(Format::Q5_0, w, row_bytes, out, (d, s, qs), |$w, $a| $isum)
                    }
                    Format::Q5_1 => {
                        each_row!(Format::Q5_1, w, row_bytes, out, (d, s, qs), |$w, $a| $isum)
                    }
                }
            }
        };
    }

    /// [`blocks_dot`] of one weight row against four activation rows at
    /// once: each weight block widened once, four accumulators, each row's
    /// sums taken in the same order as `blocks_dot` takes them.
    macro_rules! blocks_dot4 {
        ($format:expr, $row:expr, $acts:expr, |$w:ident, $a:ident| $isum:expr) => {{
            let format: Format = $format;
            let row: &[u8] = $row;
            let acts: [(&[f32], &[f32], &[i8]); 4] = $acts;
            let bytes = format.block_bytes();
            let blocks = acts.iter().fold(row.len() / bytes, |n, (d, s, qs)| {
                n.min(d.len()).min(s.len()).min(qs.len() / QK)
            });
            let mut acc = [_mm256_setzero_ps(); 4];
            let mut mins = [0f32; 4];
            for i in 0..blocks {
                // Inside `row`, as in `blocks_dot`.
                let b = row.as_ptr().add(i * bytes);
                let (dw, mw) = scale_min(format, b);
                let qw = widen(format, b);
                for (r, (d, s, qs)) in acts.iter().enumerate() {
                    let qa = _mm256_loadu_si256(qs.as_ptr().add(i * QK) as *const __m256i);
                    let isum: __m256i = {
                        let ($w, $a) = (qw, qa);
                        $isum
                    };
                    acc[r] = _mm256_fmadd_ps(
                        _mm256_cvtepi32_ps(isum),
                        _mm256_set1_ps(dw * d[i]),
                        acc[r],
                    );
                    mins[r] += mw * s[i];
                }
            }
            [
                hsum(acc[0]) + mins[0],
                hsum(acc[1]) + mins[1],
                hsum(acc[2]) + mins[2],
                hsum(acc[3]) + mins[3],
            ]
        }};
    }

    /// `out[j·m + i]` = weight row `j` against activation row `i` of the
    /// `m` in `$acts`, four activation rows at a time, the rest one by one.
    macro_rules! each_row_multi {
        ($format:expr, $w_rows:ident, $row_bytes:ident, $acts:ident, $out:ident, |$w:ident, $a:ident| $isum:expr) => {
            let m = $acts.rows();
            for (outs, row) in $out
                .chunks_exact_mut(m.max(1))
                .zip($w_rows.chunks_exact($row_bytes.max(1)))
            {
                let mut i = 0;
                while i + 4 <= m {
                    let four = [
                        $acts.row(i),
                        $acts.row(i + 1),
                        $acts.row(i + 2),
                        $acts.row(i + 3),
                    ];
                    outs[i..i + 4]
                        .copy_from_slice(&blocks_dot4!($format, row, four, |$w, $a| $isum));
                    i += 4;
                }
                for (o, i) in outs[i..].iter_mut().zip(i..) {
                    let (d, s, qs) = $acts.row(i);
                    *o = blocks_dot!($format, row, (d, s, qs), |$w, $a| $isum);
                }
            }
        };
    }

    macro_rules! rows_dot_multi {
        ($name:ident, $features:literal, |$w:ident, $a:ident| $isum:expr) => {
            /// Consecutive weight rows (`row_bytes` each) against every
            /// activation row of `acts`: `out[j·m + i]` for weight row `j`
            /// and activation row `i` of the `m`.
            #[target_feature(enable = $features)]
            pub(super) unsafe fn $name(
                format: Format,
                w: &[u8],
                row_bytes: usize,
                acts: &Q8Rows,
                out: &mut [f32],
            ) {
                match format {
                    Format::Q4_0 => {
                        each_row_multi!(Format::Q4_0, w, row_bytes, acts, out, |$w, $a| $isum);
                    }
                    Format::Q4_1 => {
                        each_row_multi!(Format::Q4_1, w, row_bytes, acts, out, |$w, $a| $isum);
                    }
                    Format::Q5_0 => {
                        each_row_multi!(Format::Q5_0, w, row_bytes, acts, out, |$w, $a| $isum);
                    }
                    Format::Q5_1 => {
                        each_row_multi!(Format::Q5_1, w, row_bytes, acts, out, |$w, $a| $isum);
                    }
                }
            }
        };
    }

    rows_dot_multi!(rows_multi_avx2, "avx2,fma,f16c", |w, a| _mm256_madd_epi16(
        _mm256_maddubs_epi16(w, a),
        _mm256_set1_epi16(1)
    ));
    rows_dot_multi!(
        rows_multi_vnni,
        "avx2,fma,f16c,avx512f,avx512vl,avx512vnni",
        |w, a| _mm256_dpbusd_epi32(_mm256_setzero_si256(), w, a)
    );

    /// 16 bytes of IQ4 indices (elements `j` and `j + 16` in byte `j`)
    /// as the 32 signed table values, element `e` in byte `e`.
    #[inline(always)]
    unsafe fn iq4_lookup(nibbles: *const u8) -> __m256i {
        let raw = _mm_loadu_si128(nibbles as *const __m128i);
        let low4 = _mm_set1_epi8(0x0F);
        let lo = _mm_and_si128(raw, low4);
        let hi = _mm_and_si128(_mm_srli_epi16(raw, 4), low4);
        let table =
            _mm256_broadcastsi128_si256(_mm_loadu_si128(IQ4_TABLE.as_ptr() as *const __m128i));
        _mm256_shuffle_epi8(table, _mm256_set_m128i(hi, lo))
    }

    macro_rules! iq4_xs_dot {
        ($name:ident, $features:literal, |$w:ident, $a:ident| $isum:expr) => {
            /// One IQ4_XS weight row against one quantized activation row.
            #[target_feature(enable = $features)]
            pub(super) unsafe fn $name(w: &[u8], (d, _, qs): (&[f32], &[f32], &[i8])) -> f32 {
                let subs = IQ4_XS_VALUES / QK;
                let supers = (w.len() / IQ4_XS_BYTES)
                    .min(d.len() / subs)
                    .min(qs.len() / IQ4_XS_VALUES);
                let mut acc = _mm256_setzero_ps();
                for i in 0..supers {
                    let b = &w[i * IQ4_XS_BYTES..(i + 1) * IQ4_XS_BYTES];
                    let dw = _mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128(i32::from(
                        u16::from_le_bytes([b[0], b[1]]),
                    ))));
                    for ib in 0..subs {
                        let s = i * subs + ib;
                        let qw = iq4_lookup(b.as_ptr().add(8 + 16 * ib));
                        let qa = _mm256_loadu_si256(qs.as_ptr().add(s * QK) as *const __m256i);
                        // |w| (never 0: the table has no 0) against a·sign(w).
                        let isum: __m256i = {
                            let ($w, $a) = (_mm256_sign_epi8(qw, qw), _mm256_sign_epi8(qa, qw));
                            $isum
                        };
                        let scale = dw * iq4_xs_sub_scale(b, ib) as f32 * d[s];
                        acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), _mm256_set1_ps(scale), acc);
                    }
                }
                hsum(acc)
            }
        };
    }

    macro_rules! q8_0_rows {
        ($name:ident, $features:literal, |$w:ident, $a:ident| $isum:expr) => {
            /// Consecutive Q8_0 weight rows (`row_bytes` each) against one
            /// quantized activation row, one output each.
            #[target_feature(enable = $features)]
            pub(super) unsafe fn $name(
                w: &[u8],
                row_bytes: usize,
                (d, _, qs): (&[f32], &[f32], &[i8]),
                out: &mut [f32],
            ) {
                for (o, row) in out.iter_mut().zip(w.chunks_exact(row_bytes.max(1))) {
                    let blocks = (row.len() / Q8_0_BYTES).min(d.len()).min(qs.len() / QK);
                    let mut acc = _mm256_setzero_ps();
                    for i in 0..blocks {
                        let b = row.as_ptr().add(i * Q8_0_BYTES);
                        let dw = _mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128(i32::from(
                            (b as *const u16).read_unaligned(),
                        ))));
                        let qw = _mm256_loadu_si256(b.add(2) as *const __m256i);
                        let qa = _mm256_loadu_si256(qs.as_ptr().add(i * QK) as *const __m256i);
                        // |w| (−128 gives the unsigned 128) against a·sign(w).
                        let isum: __m256i = {
                            let ($w, $a) = (_mm256_sign_epi8(qw, qw), _mm256_sign_epi8(qa, qw));
                            $isum
                        };
                        acc = _mm256_fmadd_ps(
                            _mm256_cvtepi32_ps(isum),
                            _mm256_set1_ps(dw * d[i]),
                            acc,
                        );
                    }
                    *o = hsum(acc);
                }
            }
        };
    }

    macro_rules! q8_0_rows_multi {
        ($name:ident, $features:literal, |$w:ident, $a:ident| $isum:expr) => {
            /// Consecutive Q8_0 weight rows (`row_bytes` each) against every
            /// activation row of `acts`: `out[j·m + i]` for weight row `j`
            /// and activation row `i` of the `m`; each weight block loaded
            /// once for four activation rows, each row's sums in the order
            /// the one-row kernel takes them.
            #[target_feature(enable = $features)]
            pub(super) unsafe fn $name(w: &[u8], row_bytes: usize, acts: &Q8Rows, out: &mut [f32]) {
                let m = acts.rows();
                for (outs, row) in out
                    .chunks_exact_mut(m.max(1))
                    .zip(w.chunks_exact(row_bytes.max(1)))
                {
                    for (first, outs) in (0..m).step_by(4).zip(outs.chunks_mut(4)) {
                        let count = outs.len();
                        // Past `m`, the last row again (not computed).
                        let group: [(&[f32], &[f32], &[i8]); 4] =
                            std::array::from_fn(|r| acts.row((first + r).min(m - 1)));
                        let blocks = group.iter().fold(row.len() / Q8_0_BYTES, |n, (d, _, qs)| {
                            n.min(d.len()).min(qs.len() / QK)
                        });
                        let mut acc = [_mm256_setzero_ps(); 4];
                        for i in 0..blocks {
                            let b = row.as_ptr().add(i * Q8_0_BYTES);
                            let dw = _mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128(i32::from(
                                (b as *const u16).read_unaligned(),
                            ))));
                            let qw = _mm256_loadu_si256(b.add(2) as *const __m256i);
                            let abs = _mm256_sign_epi8(qw, qw);
                            for (r, (d, _, qs)) in group.iter().enumerate().take(count) {
                                let qa =
                                    _mm256_loadu_si256(qs.as_ptr().add(i * QK) as *const __m256i);
                                let isum: __m256i = {
                                    let ($w, $a) = (abs, _mm256_sign_epi8(qa, qw));
                                    $isum
                                };
                                acc[r] = _mm256_fmadd_ps(
                                    _mm256_cvtepi32_ps(isum),
                                    _mm256_set1_ps(dw * d[i]),
                                    acc[r],
                                );
                            }
                        }
                        for (o, acc) in outs.iter_mut().zip(acc) {
                            *o = hsum(acc);
                        }
                    }
                }
            }
        };
    }

    q8_0_rows_multi!(q8_0_multi_avx2, "avx2,fma,f16c", |w, a| _mm256_madd_epi16(
        _mm256_maddubs_epi16(w, a),
        _mm256_set1_epi16(1)
    ));
    q8_0_rows_multi!(
        q8_0_multi_vnni,
        "avx2,fma,f16c,avx512f,avx512vl,avx512vnni",
        |w, a| _mm256_dpbusd_epi32(_mm256_setzero_si256(), w, a)
    );

    /// Four activation rows (a group of the prompt's; past its end, a row
    /// repeated and not computed).
    pub(super) type Group<'a> = [(&'a [f32], &'a [f32], &'a [i8]); 4];

    /// The four rows from `first` of `acts` (`first` below its rows), the
    /// last repeated past the end, and how many are real.
    fn group(acts: &Q8Rows, first: usize) -> (Group<'_>, usize) {
        let m = acts.rows();
        let rows = std::array::from_fn(|r| acts.row((first + r).min(m.saturating_sub(1))));
        (rows, m.saturating_sub(first).min(4))
    }

    /// Consecutive Q4_K (or, `six`, Q6_K) weight rows (`row_bytes` each)
    /// against every activation row of `acts`: `out[j·m + i]`, four
    /// activation rows per pass over a weight row, with the VNNI kernel
    /// where `vnni`, else AVX2.
    ///
    /// # Safety
    /// The CPU must have the chosen kernel's features.
    pub(super) unsafe fn k_quant_multi(
        (six, vnni): (bool, bool),
        w: &[u8],
        row_bytes: usize,
        acts: &Q8Rows,
        out: &mut [f32],
    ) {
        let m = acts.rows();
        for (outs, row) in out
            .chunks_exact_mut(m.max(1))
            .zip(w.chunks_exact(row_bytes.max(1)))
        {
            for (first, outs) in (0..m).step_by(4).zip(outs.chunks_mut(4)) {
                let (rows, count) = group(acts, first);
                let sums = match (six, vnni) {
                    (true, true) => q6_k_dot_vnni(row, rows, count),
                    (true, false) => q6_k_dot_avx2(row, rows, count),
                    (false, true) => q4_k_dot_vnni(row, rows, count),
                    (false, false) => q4_k_dot_avx2(row, rows, count),
                };
                outs.copy_from_slice(&sums[..outs.len()]);
            }
        }
    }

    macro_rules! q4_k_dot {
        ($name:ident, $features:literal, |$w:ident, $a:ident| $isum:expr) => {
            /// One Q4_K weight row against the first `count` (1..=4) of
            /// four quantized activation rows, each block decoded once.
            #[target_feature(enable = $features)]
            pub(super) unsafe fn $name(w: &[u8], group: Group<'_>, count: usize) -> [f32; 4] {
                let supers = group
                    .iter()
                    .take(count)
                    .fold(w.len() / Q4_K_BYTES, |n, (d, s, qs)| {
                        n.min(d.len() / 8).min(s.len() / 8).min(qs.len() / 256)
                    });
                let low4 = _mm256_set1_epi8(0x0F);
                let mut acc = [_mm256_setzero_ps(); 4];
                let mut mins = [0f32; 4];
                for i in 0..supers {
                    let b = &w[i * Q4_K_BYTES..(i + 1) * Q4_K_BYTES];
                    let v = _mm_cvtph_ps(_mm_cvtsi32_si128(
                        (b.as_ptr() as *const i32).read_unaligned(),
                    ));
                    let (dw, dmin) = (_mm_cvtss_f32(v), _mm_cvtss_f32(_mm_movehdup_ps(v)));
                    for c in 0..4 {
                        let raw = _mm256_loadu_si256(b.as_ptr().add(16 + 32 * c) as *const __m256i);
                        let halves = [
                            _mm256_and_si256(raw, low4),
                            _mm256_and_si256(_mm256_srli_epi16(raw, 4), low4),
                        ];
                        for (h, qw) in halves.into_iter().enumerate() {
                            let j = 2 * c + h;
                            let sub = 8 * i + j;
                            let (sc, m) = q4_k_scale_min(&b[4..16], j);
                            for (r, (d, s, qs)) in group.iter().enumerate().take(count) {
                                let qa =
                                    _mm256_loadu_si256(qs.as_ptr().add(sub * QK) as *const __m256i);
                                let isum: __m256i = {
                                    let ($w, $a) = (qw, qa);
                                    $isum
                                };
                                let scale = dw * f32::from(sc) * d[sub];
                                acc[r] = _mm256_fmadd_ps(
                                    _mm256_cvtepi32_ps(isum),
                                    _mm256_set1_ps(scale),
                                    acc[r],
                                );
                                mins[r] += dmin * f32::from(m) * s[sub];
                            }
                        }
                    }
                }
                std::array::from_fn(|r| hsum(acc[r]) - mins[r])
            }
        };
    }

    q4_k_dot!(q4_k_dot_avx2, "avx2,fma,f16c", |w, a| _mm256_madd_epi16(
        _mm256_maddubs_epi16(w, a),
        _mm256_set1_epi16(1)
    ));
    q4_k_dot!(
        q4_k_dot_vnni,
        "avx2,fma,f16c,avx512f,avx512vl,avx512vnni",
        |w, a| _mm256_dpbusd_epi32(_mm256_setzero_si256(), w, a)
    );

    macro_rules! q6_k_dot {
        ($name:ident, $features:literal, |$w:ident, $a:ident| $isum:expr) => {
            /// One Q6_K weight row against the first `count` (1..=4) of
            /// four quantized activation rows, each block decoded once.
            #[target_feature(enable = $features)]
            pub(super) unsafe fn $name(w: &[u8], group: Group<'_>, count: usize) -> [f32; 4] {
                let supers = group
                    .iter()
                    .take(count)
                    .fold(w.len() / Q6_K_BYTES, |n, (d, _, qs)| {
                        n.min(d.len() / 8).min(qs.len() / 256)
                    });
                let low4 = _mm256_set1_epi8(0x0F);
                let two = _mm256_set1_epi8(3);
                let offset = _mm256_set1_epi8(32);
                let mut acc = [_mm256_setzero_ps(); 4];
                for i in 0..supers {
                    let b = w.as_ptr().add(i * Q6_K_BYTES);
                    let dw = _mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128(i32::from(
                        (b.add(208) as *const u16).read_unaligned(),
                    ))));
                    for half in 0..2 {
                        let ql0 = _mm256_loadu_si256(b.add(64 * half) as *const __m256i);
                        let ql1 = _mm256_loadu_si256(b.add(64 * half + 32) as *const __m256i);
                        let qh = _mm256_loadu_si256(b.add(128 + 32 * half) as *const __m256i);
                        let high = |shift: i32| {
                            let h = match shift {
                                0 => qh,
                                2 => _mm256_srli_epi16(qh, 2),
                                4 => _mm256_srli_epi16(qh, 4),
                                _ => _mm256_srli_epi16(qh, 6),
                            };
                            _mm256_slli_epi16(_mm256_and_si256(h, two), 4)
                        };
                        let quants = [
                            _mm256_or_si256(_mm256_and_si256(ql0, low4), high(0)),
                            _mm256_or_si256(_mm256_and_si256(ql1, low4), high(2)),
                            _mm256_or_si256(
                                _mm256_and_si256(_mm256_srli_epi16(ql0, 4), low4),
                                high(4),
                            ),
                            _mm256_or_si256(
                                _mm256_and_si256(_mm256_srli_epi16(ql1, 4), low4),
                                high(6),
                            ),
                        ];
                        for (k, qw) in quants.into_iter().enumerate() {
                            let sub = 8 * i + 4 * half + k;
                            let sc = b.add(192 + 8 * half + 2 * k) as *const i8;
                            for (r, (d, _, qs)) in group.iter().enumerate().take(count) {
                                let qa =
                                    _mm256_loadu_si256(qs.as_ptr().add(sub * QK) as *const __m256i);
                                // Σ (q − 32)·a: the unsigned quants' sum less 32·Σa.
                                let (with, off): (__m256i, __m256i) = {
                                    let ($w, $a) = (qw, qa);
                                    let with = $isum;
                                    let ($w, $a) = (offset, qa);
                                    (with, $isum)
                                };
                                let isum = _mm256_sub_epi32(with, off);
                                let dd = dw * d[sub];
                                // Lanes 0–3 hold elements 0–15, lanes 4–7 elements 16–31.
                                let scale = _mm256_set_m128(
                                    _mm_set1_ps(dd * f32::from(*sc.add(1))),
                                    _mm_set1_ps(dd * f32::from(*sc)),
                                );
                                acc[r] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), scale, acc[r]);
                            }
                        }
                    }
                }
                std::array::from_fn(|r| hsum(acc[r]))
            }
        };
    }

    q6_k_dot!(q6_k_dot_avx2, "avx2,fma,f16c", |w, a| _mm256_madd_epi16(
        _mm256_maddubs_epi16(w, a),
        _mm256_set1_epi16(1)
    ));
    q6_k_dot!(
        q6_k_dot_vnni,
        "avx2,fma,f16c,avx512f,avx512vl,avx512vnni",
        |w, a| _mm256_dpbusd_epi32(_mm256_setzero_si256(), w, a)
    );

    q8_0_rows!(q8_0_rows_avx2, "avx2,fma,f16c", |w, a| _mm256_madd_epi16(
        _mm256_maddubs_epi16(w, a),
        _mm256_set1_epi16(1)
    ));
    q8_0_rows!(
        q8_0_rows_vnni,
        "avx2,fma,f16c,avx512f,avx512vl,avx512vnni",
        |w, a| _mm256_dpbusd_epi32(_mm256_setzero_si256(), w, a)
    );

    iq4_xs_dot!(iq4_xs_dot_avx2, "avx2,fma,f16c", |w, a| _mm256_madd_epi16(
        _mm256_maddubs_epi16(w, a),
        _mm256_set1_epi16(1)
    ));
    iq4_xs_dot!(
        iq4_xs_dot_vnni,
        "avx2,fma,f16c,avx512f,avx512vl,avx512vnni",
        |w, a| _mm256_dpbusd_epi32(_mm256_setzero_si256(), w, a)
    );

    rows_dot!(rows_dot_avx2, "avx2,fma,f16c", |w, a| _mm256_madd_epi16(
        _mm256_maddubs_epi16(w, a),
        _mm256_set1_epi16(1)
    ));
    rows_dot!(
        rows_dot_vnni,
        "avx2,fma,f16c,avx512f,avx512vl,avx512vnni",
        |w, a| _mm256_dpbusd_epi32(_mm256_setzero_si256(), w, a)
    );
}

/// Weight rows per unit of work shared out to the threads.
const ROWS_PER_TASK: usize = 16;

/// `dst[i][j] = Σ lhs[i][·] · weight[j][·]` for `m` activation rows of `k`
/// and `n` weight rows of `k / block` blocks laid out as `format` (GGML's
/// `matmul_t`: the weight transposed). `k` must be a multiple of the block
/// (32, or 256 for IQ4_XS), `weights` hold `n` rows and `dst` `m · n`
/// values; otherwise an error saying which.
pub(crate) fn matmul(
    kernel: Kernel,
    format: Weights,
    weights: &[u8],
    (m, k, n): (usize, usize, usize),
    lhs: &[f32],
    dst: &mut [f32],
) -> Result<(), String> {
    let block = format.block_values();
    let row_bytes = k / block * format.block_bytes();
    if k % block != 0 || lhs.len() != m * k || dst.len() < m * n || weights.len() < n * row_bytes {
        return Err(format!(
            "quantized matmul ({m}, {k}, {n}) in {format:?}: {} activations, {} outputs, {} weight bytes",
            lhs.len(),
            dst.len(),
            weights.len()
        ));
    }
    let acts = Q8Rows::quantize(lhs, k, format == Weights::Q8_0);
    let weight_row = |j: usize| &weights[j * row_bytes..(j + 1) * row_bytes];
    // One activation row: straight into `dst`, each task's run of weight
    // rows in one kernel call. Several: each task takes a few weight rows
    // against every activation row (the weights read once), into a
    // transposed buffer.
    let mut transposed = if m == 1 {
        Vec::new()
    } else {
        vec![0f32; n * m]
    };
    let out: &mut [f32] = if m == 1 {
        &mut dst[..n]
    } else {
        &mut transposed
    };
    let out_ptr = out.as_mut_ptr() as usize;
    // candle's own pool (RAYON_NUM_THREADS threads, as rayon's), so that
    // these matmuls and candle's do not keep two pools spinning.
    candle_core::utils::barrier_pool().execute_chunked(n.div_ceil(ROWS_PER_TASK), |tasks| {
        let rows = tasks.start * ROWS_PER_TASK..n.min(tasks.end * ROWS_PER_TASK);
        if m == 1 {
            // SAFETY: `out` holds `n` values; rows `rows` are written by
            // this call alone (the pool hands each task out once).
            let out = unsafe {
                std::slice::from_raw_parts_mut((out_ptr as *mut f32).add(rows.start), rows.len())
            };
            let w = &weights[rows.start * row_bytes..rows.end * row_bytes];
            rows_dot(kernel, format, (w, row_bytes), acts.row(0), out);
            return;
        }
        #[cfg(target_arch = "x86_64")]
        if let (
            Weights::Blocks(_) | Weights::Q8_0 | Weights::Q4K | Weights::Q6K,
            Kernel::Avx2 | Kernel::Vnni,
        ) = (format, kernel)
        {
            // SAFETY: `out` holds `n · m` values; rows `rows` (values
            // `rows · m`) are written by this call alone.
            let out = unsafe {
                std::slice::from_raw_parts_mut(
                    (out_ptr as *mut f32).add(rows.start * m),
                    rows.len() * m,
                )
            };
            let w = &weights[rows.start * row_bytes..rows.end * row_bytes];
            // SAFETY: `Kernel::detected` chose these only where the CPU has the features.
            unsafe {
                match (format, kernel) {
                    (Weights::Blocks(f), Kernel::Vnni) => {
                        x86::rows_multi_vnni(f, w, row_bytes, &acts, out)
                    }
                    (Weights::Blocks(f), _) => x86::rows_multi_avx2(f, w, row_bytes, &acts, out),
                    (Weights::Q8_0, Kernel::Vnni) => x86::q8_0_multi_vnni(w, row_bytes, &acts, out),
                    (Weights::Q8_0, _) => x86::q8_0_multi_avx2(w, row_bytes, &acts, out),
                    (_, kernel) => x86::k_quant_multi(
                        (format == Weights::Q6K, kernel == Kernel::Vnni),
                        w,
                        row_bytes,
                        &acts,
                        out,
                    ),
                }
            }
            return;
        }
        for j in rows {
            let w = weight_row(j);
            for i in 0..m {
                let v = row_dot(kernel, format, w, acts.row(i));
                // SAFETY: `out` holds `n · m` values; each (j, i) is
                // written by the one task that owns weight row j.
                unsafe { *(out_ptr as *mut f32).add(j * m + i) = v };
            }
        }
    });
    if m > 1 {
        for (j, col) in transposed.chunks_exact(m).enumerate() {
            for (i, v) in col.iter().enumerate() {
                dst[i * n + j] = *v;
            }
        }
    }
    Ok(())
}
