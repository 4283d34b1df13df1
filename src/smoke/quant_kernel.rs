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
use std::cell::RefCell;
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
        let mut out = Q8Rows::empty();
        out.fill(lhs, k, half_scales);
        out
    }

    /// No rows (nothing allocated).
    const fn empty() -> Q8Rows {
        Q8Rows {
            blocks: 0,
            d: Vec::new(),
            s: Vec::new(),
            qs: Vec::new(),
        }
    }

    /// [`Q8Rows::quantize`] into these buffers, reusing their memory.
    fn fill(&mut self, lhs: &[f32], k: usize, half_scales: bool) {
        let total = lhs.len() / QK;
        self.blocks = k / QK;
        self.d.clear();
        self.s.clear();
        self.qs.clear();
        self.qs.resize(total * QK, 0);
        let out = self;
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
            x86::k_quant_group((six, kernel == Kernel::Vnni), w, [a])[0]
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
mod x86;

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
    let half_scales = format == Weights::Q8_0;
    // The calling thread's buffers, kept from one matmul to the next (a
    // decoding step quantizes one row per projection), unless in use.
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut acts) => {
            acts.fill(lhs, k, half_scales);
            run(kernel, format, (weights, row_bytes), (m, n), &acts, dst);
            if acts.qs.capacity() > SCRATCH_KEEP {
                *acts = Q8Rows::empty();
            }
        }
        Err(_) => {
            let acts = Q8Rows::quantize(lhs, k, half_scales);
            run(kernel, format, (weights, row_bytes), (m, n), &acts, dst);
        }
    });
    Ok(())
}

thread_local! {
    /// The activation blocks [`matmul`] quantizes into on this thread.
    static SCRATCH: RefCell<Q8Rows> = const { RefCell::new(Q8Rows::empty()) };
}

/// The most quant bytes [`SCRATCH`] keeps after a matmul (a long prompt's
/// rows are let go; a decoding step's row is kept).
const SCRATCH_KEEP: usize = 1 << 20;

/// [`matmul`] past its checks, with the activations quantized.
fn run(
    kernel: Kernel,
    format: Weights,
    (weights, row_bytes): (&[u8], usize),
    (m, n): (usize, usize),
    acts: &Q8Rows,
    dst: &mut [f32],
) {
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
                        x86::rows_multi_vnni(f, w, row_bytes, acts, out)
                    }
                    (Weights::Blocks(f), _) => x86::rows_multi_avx2(f, w, row_bytes, acts, out),
                    (Weights::Q8_0, Kernel::Vnni) => x86::q8_0_multi_vnni(w, row_bytes, acts, out),
                    (Weights::Q8_0, _) => x86::q8_0_multi_avx2(w, row_bytes, acts, out),
                    (_, kernel) => x86::k_quant_multi(
                        (format == Weights::Q6K, kernel == Kernel::Vnni),
                        w,
                        row_bytes,
                        acts,
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
}
