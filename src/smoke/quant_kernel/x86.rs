//! The x86-64 kernels of `quant_kernel`: AVX2 (`maddubs`) and AVX-512 VNNI
//! (`dpbusd` on 256-bit registers) versions of each dot product, chosen by
//! `Kernel::detected` and called only where the CPU has their features.

use super::{
    iq4_xs_sub_scale, Format, Q8Rows, IQ4_TABLE, IQ4_XS_BYTES, IQ4_XS_VALUES, Q4_K_BYTES,
    Q6_K_BYTES, Q8_0_BYTES, QK,
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
    let v = halves((b as *const u32).read_unaligned());
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

/// The two F16 values of `bits` (a block's `d` and `m`, a Q4_K
/// super-block's `d` and `dmin`, read as one `u32`), widened into lanes 0
/// and 1.
///
/// The value goes through a general register and `vmovd`, which writes
/// the whole vector register. Written with the intrinsics alone
/// (`_mm_cvtsi32_si128` of the value), LLVM sees where only lane 0 is read
/// and folds the load into a `vpinsrw` that merges into whatever register
/// it picks, in the Q8_0 loop the running sum: every block's scale then
/// waited for the previous block's sum (measured: Q8_0 decoding at one
/// thread ~1.5x slower than the same loop without that dependency).
#[inline(always)]
unsafe fn halves(bits: u32) -> __m128 {
    let v: __m128i;
    // SAFETY: `vmovd` from a general register: no memory, no stack, no flags.
    std::arch::asm!(
        "vmovd {v}, {bits:e}",
        v = out(xmm_reg) v,
        bits = in(reg) bits,
        options(pure, nomem, nostack, preserves_flags)
    );
    _mm_cvtph_ps(v)
}

/// The F16 value at `b` (a Q8_0 or IQ4_XS block's scale, a Q6_K
/// super-block's `d`), widened.
#[inline(always)]
unsafe fn f16_at(b: *const u8) -> f32 {
    _mm_cvtss_f32(halves(u32::from((b as *const u16).read_unaligned())))
}

/// Instantiates the kernel macro `$kernel` twice, under the names given:
/// for AVX2 (`maddubs` and `madd`) and for AVX-512 VNNI (`dpbusd` on
/// 256-bit registers), each with its target features.
macro_rules! on_both_isas {
    ($kernel:ident; $($avx2:ident),+; $($vnni:ident),+) => {
        $kernel!($($avx2,)+ "avx2,fma,f16c", |w, a| _mm256_madd_epi16(
            _mm256_maddubs_epi16(w, a),
            _mm256_set1_epi16(1)
        ));
        $kernel!(
            $($vnni,)+
            "avx2,fma,f16c,avx512f,avx512vl,avx512vnni",
            |w, a| _mm256_dpbusd_epi32(_mm256_setzero_si256(), w, a)
        );
    };
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
                acc[r] =
                    _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), _mm256_set1_ps(dw * d[i]), acc[r]);
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
                outs[i..i + 4].copy_from_slice(&blocks_dot4!($format, row, four, |$w, $a| $isum));
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

on_both_isas!(rows_dot_multi; rows_multi_avx2; rows_multi_vnni);

/// 16 bytes of IQ4 indices (elements `j` and `j + 16` in byte `j`)
/// as the 32 signed table values, element `e` in byte `e`.
#[inline(always)]
unsafe fn iq4_lookup(nibbles: *const u8) -> __m256i {
    let raw = _mm_loadu_si128(nibbles as *const __m128i);
    let low4 = _mm_set1_epi8(0x0F);
    let lo = _mm_and_si128(raw, low4);
    let hi = _mm_and_si128(_mm_srli_epi16(raw, 4), low4);
    let table = _mm256_broadcastsi128_si256(_mm_loadu_si128(IQ4_TABLE.as_ptr() as *const __m128i));
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
                let dw = f16_at(b.as_ptr());
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
                    let dw = f16_at(b);
                    let qw = _mm256_loadu_si256(b.add(2) as *const __m256i);
                    let qa = _mm256_loadu_si256(qs.as_ptr().add(i * QK) as *const __m256i);
                    // |w| (−128 gives the unsigned 128) against a·sign(w).
                    let isum: __m256i = {
                        let ($w, $a) = (_mm256_sign_epi8(qw, qw), _mm256_sign_epi8(qa, qw));
                        $isum
                    };
                    acc = _mm256_fmadd_ps(_mm256_cvtepi32_ps(isum), _mm256_set1_ps(dw * d[i]), acc);
                }
                *o = hsum(acc);
            }
        }
    };
}

macro_rules! q8_0_rows_multi {
    ($group:ident, $name:ident, $features:literal, |$w:ident, $a:ident| $isum:expr) => {
        /// One Q8_0 weight row against `N` quantized activation rows, each
        /// weight block loaded once for the `N`, each row's sums in the
        /// order the one-row kernel takes them.
        #[target_feature(enable = $features)]
        unsafe fn $group<const N: usize>(row: &[u8], group: [Act<'_>; N]) -> [f32; N] {
            let blocks = group.iter().fold(row.len() / Q8_0_BYTES, |n, (d, _, qs)| {
                n.min(d.len()).min(qs.len() / QK)
            });
            let mut acc = [_mm256_setzero_ps(); N];
            for i in 0..blocks {
                let b = row.as_ptr().add(i * Q8_0_BYTES);
                let dw = f16_at(b);
                let qw = _mm256_loadu_si256(b.add(2) as *const __m256i);
                let abs = _mm256_sign_epi8(qw, qw);
                for (r, (d, _, qs)) in group.iter().enumerate() {
                    let qa = _mm256_loadu_si256(qs.as_ptr().add(i * QK) as *const __m256i);
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
            std::array::from_fn(|r| hsum(acc[r]))
        }

        /// Consecutive Q8_0 weight rows (`row_bytes` each) against every
        /// activation row of `acts`: `out[j·m + i]` for weight row `j`
        /// and activation row `i` of the `m`, four activation rows at a
        /// time, the rest one by one.
        #[target_feature(enable = $features)]
        pub(super) unsafe fn $name(w: &[u8], row_bytes: usize, acts: &Q8Rows, out: &mut [f32]) {
            let m = acts.rows();
            for (outs, row) in out
                .chunks_exact_mut(m.max(1))
                .zip(w.chunks_exact(row_bytes.max(1)))
            {
                let mut i = 0;
                while i + 4 <= m {
                    let four: [Act<'_>; 4] = std::array::from_fn(|r| acts.row(i + r));
                    outs[i..i + 4].copy_from_slice(&$group(row, four));
                    i += 4;
                }
                for (o, i) in outs[i..].iter_mut().zip(i..) {
                    *o = $group(row, [acts.row(i)])[0];
                }
            }
        }
    };
}

on_both_isas!(q8_0_rows_multi; q8_0_group_avx2, q8_0_multi_avx2; q8_0_group_vnni, q8_0_multi_vnni);

/// One quantized activation row: its blocks' scales, sums and quants.
pub(super) type Act<'a> = (&'a [f32], &'a [f32], &'a [i8]);

/// One Q4_K (or, `six`, Q6_K) weight row against `N` activation rows, with
/// the VNNI kernel where `vnni`, else AVX2.
///
/// # Safety
/// The CPU must have the chosen kernel's features.
pub(super) unsafe fn k_quant_group<const N: usize>(
    (six, vnni): (bool, bool),
    row: &[u8],
    group: [Act<'_>; N],
) -> [f32; N] {
    match (six, vnni) {
        (true, true) => q6_k_dot_vnni(row, group),
        (true, false) => q6_k_dot_avx2(row, group),
        (false, true) => q4_k_dot_vnni(row, group),
        (false, false) => q4_k_dot_avx2(row, group),
    }
}

/// Consecutive Q4_K (or, `six`, Q6_K) weight rows (`row_bytes` each)
/// against every activation row of `acts`: `out[j·m + i]`, four
/// activation rows per pass over a weight row, the rest one by one.
///
/// # Safety
/// The CPU must have the chosen kernel's features.
pub(super) unsafe fn k_quant_multi(
    kind: (bool, bool),
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
        let mut i = 0;
        while i + 4 <= m {
            let four: [Act<'_>; 4] = std::array::from_fn(|r| acts.row(i + r));
            outs[i..i + 4].copy_from_slice(&k_quant_group(kind, row, four));
            i += 4;
        }
        for (o, i) in outs[i..].iter_mut().zip(i..) {
            *o = k_quant_group(kind, row, [acts.row(i)])[0];
        }
    }
}

/// The totals of eight vectors of eight `i32`: lane `j` of the result is
/// the sum of `v[j]`'s lanes.
#[target_feature(enable = "avx2")]
unsafe fn totals8(v: [__m256i; 8]) -> __m256i {
    let t0 = _mm256_hadd_epi32(v[0], v[1]);
    let t1 = _mm256_hadd_epi32(v[2], v[3]);
    let t2 = _mm256_hadd_epi32(v[4], v[5]);
    let t3 = _mm256_hadd_epi32(v[6], v[7]);
    // Each 128-bit half now holds, per vector, the sum of that half's lanes.
    let u0 = _mm256_hadd_epi32(t0, t1);
    let u1 = _mm256_hadd_epi32(t2, t3);
    _mm256_add_epi32(
        _mm256_permute2x128_si256(u0, u1, 0x20),
        _mm256_permute2x128_si256(u0, u1, 0x31),
    )
}

/// The half totals of four vectors of eight `i32`: lane `j` (j < 4) of
/// the result is the sum of `v[j]`'s lanes 0–3, lane `4 + j` of its lanes
/// 4–7.
#[target_feature(enable = "avx2")]
unsafe fn halves_totals(v: [__m256i; 4]) -> __m256i {
    _mm256_hadd_epi32(_mm256_hadd_epi32(v[0], v[1]), _mm256_hadd_epi32(v[2], v[3]))
}

/// The eight 6-bit scales and the eight 6-bit mins of a Q4_K super-block
/// (the 12 bytes at `sc`, packed as GGML's `get_scale_min_k4` reads them),
/// as floats: sub-block `j`'s in lane `j`. Unpacked in general registers
/// (GGML's own masks) and widened in one step each, not stored lane by
/// lane and read back as a vector (a store-forwarding stall per
/// super-block).
#[inline(always)]
unsafe fn q4_k_scales_mins(sc: *const u8) -> (__m256, __m256) {
    const LOW6: u32 = 0x3f3f_3f3f;
    const LOW4: u32 = 0x0f0f_0f0f;
    const TOP2: u32 = 0x0303_0303;
    let word = |i: usize| (sc.add(4 * i) as *const u32).read_unaligned();
    let (u0, u1, u2) = (word(0), word(1), word(2));
    // Sub-blocks 0–3: the low six bits of bytes 0–3 (scales) and 4–7
    // (mins); 4–7: a nibble of bytes 8–11 under the top two bits of
    // bytes 0–3 (scales) and 4–7 (mins).
    let scales = u64::from(u0 & LOW6) | u64::from((u2 & LOW4) | (((u0 >> 6) & TOP2) << 4)) << 32;
    let mins =
        u64::from(u1 & LOW6) | u64::from(((u2 >> 4) & LOW4) | (((u1 >> 6) & TOP2) << 4)) << 32;
    let widen = |v: u64| _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_cvtsi64_si128(v as i64)));
    (widen(scales), widen(mins))
}

/// The sixteen 8-bit scales of a Q6_K super-block (at `sc`) times `dw`, in
/// the lanes the kernel's gathered sums take them: vector `g`, lane `j`
/// is sub-block `4g + j % 4`'s scale of its first (j < 4) or second
/// sixteen values (scales `2(4g + j % 4) + [j ≥ 4]`). One shuffle and two
/// widenings, not sixteen stores read back as vectors.
#[inline(always)]
unsafe fn q6_k_scales(sc: *const u8, dw: f32) -> [__m256; 2] {
    let raw = _mm_loadu_si128(sc as *const __m128i);
    let order = _mm_setr_epi8(0, 2, 4, 6, 1, 3, 5, 7, 8, 10, 12, 14, 9, 11, 13, 15);
    let v = _mm_shuffle_epi8(raw, order);
    let d = _mm256_set1_ps(dw);
    [
        _mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(v))),
        _mm256_mul_ps(
            d,
            _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_unpackhi_epi64(v, v))),
        ),
    ]
}

macro_rules! q4_k_dot {
    ($name:ident, $features:literal, |$w:ident, $a:ident| $isum:expr) => {
        /// One Q4_K weight row against `N` quantized activation rows,
        /// each super-block decoded once for the `N`: the eight sub-blocks'
        /// integer sums are gathered into one vector and scaled at once.
        #[target_feature(enable = $features)]
        pub(super) unsafe fn $name<const N: usize>(w: &[u8], group: [Act<'_>; N]) -> [f32; N] {
            let supers = group.iter().fold(w.len() / Q4_K_BYTES, |n, (d, s, qs)| {
                n.min(d.len() / 8).min(s.len() / 8).min(qs.len() / 256)
            });
            let low4 = _mm256_set1_epi8(0x0F);
            let mut acc = [_mm256_setzero_ps(); N];
            let mut mins = [_mm256_setzero_ps(); N];
            for i in 0..supers {
                let b = &w[i * Q4_K_BYTES..(i + 1) * Q4_K_BYTES];
                let v = halves((b.as_ptr() as *const u32).read_unaligned());
                let (dw, dmin) = (_mm_cvtss_f32(v), _mm_cvtss_f32(_mm_movehdup_ps(v)));
                let (sc, m) = q4_k_scales_mins(b.as_ptr().add(4));
                let scales = _mm256_mul_ps(_mm256_set1_ps(dw), sc);
                let ms = _mm256_mul_ps(_mm256_set1_ps(dmin), m);
                let mut qw = [_mm256_setzero_si256(); 8];
                for c in 0..4 {
                    let raw = _mm256_loadu_si256(b.as_ptr().add(16 + 32 * c) as *const __m256i);
                    qw[2 * c] = _mm256_and_si256(raw, low4);
                    qw[2 * c + 1] = _mm256_and_si256(_mm256_srli_epi16(raw, 4), low4);
                }
                for (r, (d, s, qs)) in group.iter().enumerate() {
                    let at = qs.as_ptr().add(8 * i * QK);
                    let sums: [__m256i; 8] = std::array::from_fn(|j| {
                        let qa = _mm256_loadu_si256(at.add(j * QK) as *const __m256i);
                        let ($w, $a) = (qw[j], qa);
                        $isum
                    });
                    let da = _mm256_loadu_ps(d.as_ptr().add(8 * i));
                    let sa = _mm256_loadu_ps(s.as_ptr().add(8 * i));
                    acc[r] = _mm256_fmadd_ps(
                        _mm256_cvtepi32_ps(totals8(sums)),
                        _mm256_mul_ps(scales, da),
                        acc[r],
                    );
                    mins[r] = _mm256_fmadd_ps(ms, sa, mins[r]);
                }
            }
            std::array::from_fn(|r| hsum(acc[r]) - hsum(mins[r]))
        }
    };
}

on_both_isas!(q4_k_dot; q4_k_dot_avx2; q4_k_dot_vnni);

macro_rules! q6_k_dot {
    ($name:ident, $features:literal, |$w:ident, $a:ident| $isum:expr) => {
        /// One Q6_K weight row against `N` quantized activation rows,
        /// each block decoded once for the `N`.
        #[target_feature(enable = $features)]
        pub(super) unsafe fn $name<const N: usize>(w: &[u8], group: [Act<'_>; N]) -> [f32; N] {
            let supers = group.iter().fold(w.len() / Q6_K_BYTES, |n, (d, _, qs)| {
                n.min(d.len() / 8).min(qs.len() / 256)
            });
            let low4 = _mm256_set1_epi8(0x0F);
            let two = _mm256_set1_epi8(3);
            let offset = _mm256_set1_epi8(32);
            let mut acc = [_mm256_setzero_ps(); N];
            for i in 0..supers {
                let b = w.as_ptr().add(i * Q6_K_BYTES);
                let dw = f16_at(b.add(208));
                // Lane j of the first gathered vector is sub-block j's
                // first 16 values (j < 4) or its last 16 (j − 4), of sub-blocks
                // 0–3; the second vector likewise for sub-blocks 4–7.
                let scales = q6_k_scales(b.add(192), dw);
                let mut quants = [_mm256_setzero_si256(); 8];
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
                    quants[4 * half] = _mm256_or_si256(_mm256_and_si256(ql0, low4), high(0));
                    quants[4 * half + 1] = _mm256_or_si256(_mm256_and_si256(ql1, low4), high(2));
                    quants[4 * half + 2] =
                        _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), low4), high(4));
                    quants[4 * half + 3] =
                        _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), low4), high(6));
                }
                for (r, (d, _, qs)) in group.iter().enumerate() {
                    let at = qs.as_ptr().add(8 * i * QK);
                    // Σ (q − 32)·a: the unsigned quants' sum less 32·Σa.
                    let sums: [__m256i; 8] = std::array::from_fn(|t| {
                        let qa = _mm256_loadu_si256(at.add(t * QK) as *const __m256i);
                        let ($w, $a) = (quants[t], qa);
                        let with = $isum;
                        let ($w, $a) = (offset, qa);
                        _mm256_sub_epi32(with, $isum)
                    });
                    for g in 0..2 {
                        let four = _mm_loadu_ps(d.as_ptr().add(8 * i + 4 * g));
                        let da = _mm256_set_m128(four, four);
                        let v = halves_totals([
                            sums[4 * g],
                            sums[4 * g + 1],
                            sums[4 * g + 2],
                            sums[4 * g + 3],
                        ]);
                        acc[r] = _mm256_fmadd_ps(
                            _mm256_cvtepi32_ps(v),
                            _mm256_mul_ps(scales[g], da),
                            acc[r],
                        );
                    }
                }
            }
            std::array::from_fn(|r| hsum(acc[r]))
        }
    };
}

on_both_isas!(q6_k_dot; q6_k_dot_avx2; q6_k_dot_vnni);

on_both_isas!(q8_0_rows; q8_0_rows_avx2; q8_0_rows_vnni);

on_both_isas!(iq4_xs_dot; iq4_xs_dot_avx2; iq4_xs_dot_vnni);

on_both_isas!(rows_dot; rows_dot_avx2; rows_dot_vnni);
