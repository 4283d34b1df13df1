//! NaN and infinity in every tensor a GGUF run reads, checked on every
//! run from the stored bytes, without dequantizing.
//!
//! candle's quantized matmul quantizes its input activations, and a NaN
//! there becomes zero: a NaN weight can vanish from the output (a NaN
//! attention projection silently drops that attention; a NaN output norm
//! leaves every logit 0). So the weights are checked before loading. A
//! float tensor's values are read; a block-quantized value is its block's
//! scale (and minimum) times an integer, finite exactly when those are, so
//! only the scales are read. Work is split in chunks of at most [`CHUNK`]
//! bytes over a memory map: the memory stays bounded whatever the sizes.

use super::gguf_header::{OwnTensors, OwnType, StoredType};
use crate::finding::Finding;
use crate::util::parallel::work_queue;
use candle_core::quantized::gguf_file::Content;
use candle_core::quantized::GgmlDType;
use std::fs::File;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Raw bytes one work item reads at most.
const CHUNK: u64 = 4 << 20;

/// Where the floats that decide finiteness sit in a block of a ggml type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// Every value: 4-byte f32.
    F32,
    /// Every value: IEEE half.
    F16,
    /// Every value: bfloat16.
    Bf16,
    /// f16 scales at these byte offsets of each block.
    HalfScales(&'static [usize]),
    /// One f32 scale at this byte offset of each block.
    FloatScale(usize),
}

/// The layout of `dtype`'s blocks (ggml's `block_*` structs, as candle
/// defines them; IQ4_XS's `d` first, as ggml's).
fn layout(dtype: StoredType) -> Layout {
    let dtype = match dtype {
        StoredType::Candle(d) => d,
        StoredType::Own(OwnType::Iq4Xs) => return Layout::HalfScales(&[0]),
    };
    match dtype {
        GgmlDType::F32 => Layout::F32,
        GgmlDType::F16 => Layout::F16,
        GgmlDType::BF16 => Layout::Bf16,
        GgmlDType::Q4_0 | GgmlDType::Q5_0 | GgmlDType::Q8_0 => Layout::HalfScales(&[0]),
        GgmlDType::Q4_1 | GgmlDType::Q5_1 | GgmlDType::Q8_1 | GgmlDType::Q4K | GgmlDType::Q5K => {
            Layout::HalfScales(&[0, 2])
        }
        // scales[16], qs[64], then d and dmin.
        GgmlDType::Q2K => Layout::HalfScales(&[80, 82]),
        // hmask[32], qs[64], scales[12], then d.
        GgmlDType::Q3K => Layout::HalfScales(&[108]),
        // ql[128], qh[64], scales[16], then d.
        GgmlDType::Q6K => Layout::HalfScales(&[208]),
        GgmlDType::Q8K => Layout::FloatScale(0),
    }
}

fn half_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes([*b.get(at)?, *b.get(at + 1)?]))
}

/// Non-finite values in `bytes`, whole blocks of a tensor laid out as
/// `layout`, `block_bytes` and `block_values` per block.
fn count(layout: Layout, bytes: &[u8], block_bytes: usize, block_values: u64) -> u64 {
    const HALF_EXP: u16 = 0x7C00;
    const BF16_EXP: u16 = 0x7F80;
    const F32_EXP: u32 = 0x7F80_0000;
    match layout {
        Layout::F32 => bytes
            .chunks_exact(4)
            .filter(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]) & F32_EXP == F32_EXP)
            .count() as u64,
        Layout::F16 | Layout::Bf16 => {
            let exp = if layout == Layout::F16 {
                HALF_EXP
            } else {
                BF16_EXP
            };
            bytes
                .chunks_exact(2)
                .filter(|c| u16::from_le_bytes([c[0], c[1]]) & exp == exp)
                .count() as u64
        }
        Layout::HalfScales(offsets) => {
            let bad = bytes
                .chunks_exact(block_bytes.max(1))
                .filter(|b| {
                    offsets
                        .iter()
                        .any(|&at| half_at(b, at).is_some_and(|h| h & HALF_EXP == HALF_EXP))
                })
                .count() as u64;
            // Every value of such a block is the scale times an integer:
            // NaN, infinite, or (infinity times 0) NaN.
            bad.saturating_mul(block_values)
        }
        Layout::FloatScale(at) => {
            let bad = bytes
                .chunks_exact(block_bytes.max(1))
                .filter(|b| {
                    b.get(at..at + 4).is_some_and(|s| {
                        u32::from_le_bytes([s[0], s[1], s[2], s[3]]) & F32_EXP == F32_EXP
                    })
                })
                .count() as u64;
            bad.saturating_mul(block_values)
        }
    }
}

struct Item {
    tensor: usize,
    begin: usize,
    end: usize,
}

struct Checked<'a> {
    name: &'a str,
    layout: Layout,
    block_bytes: usize,
    block_values: u64,
    elements: u64,
    non_finite: AtomicU64,
}

/// `weights/non-finite` findings for the tensors `names` of `content` (and
/// `own`, those candle cannot hold) in the file at `path` (`rel` names it in findings). Names absent from the
/// file, or whose bytes lie outside it, are skipped (the bounds check
/// reports those).
pub(crate) fn check(
    path: &Path,
    rel: &str,
    content: &Content,
    own: &OwnTensors,
    names: &[String],
) -> Result<Vec<Finding>, String> {
    let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    // SAFETY: the file is opened read-only and only read through this map.
    // mri never writes model files; if another process truncates the file
    // while we read, the kernel raises SIGBUS and the process ends (the
    // contract of every memory-mapped weights reader); changed bytes would
    // only change the findings.
    let map =
        unsafe { memmap2::Mmap::map(&file) }.map_err(|e| format!("{}: {e}", path.display()))?;
    let len = map.len() as u64;
    let mut tensors = Vec::new();
    let mut items = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for name in names {
        let Some(info) = super::gguf_header::stored(content, own, name) else {
            continue;
        };
        let begin = content.tensor_data_offset.checked_add(info.offset);
        let bytes = info.stored_bytes();
        let elements = info.elements();
        let (Some(begin), Some(bytes), Some(elements)) = (begin, bytes, elements) else {
            continue;
        };
        let Some(end) = begin.checked_add(bytes).filter(|e| *e <= len) else {
            continue;
        };
        if !seen.insert(name.as_str()) {
            continue;
        }
        let block_bytes = info.dtype.block_bytes() as usize;
        let index = tensors.len();
        tensors.push(Checked {
            name,
            layout: layout(info.dtype),
            block_bytes,
            block_values: info.dtype.block_values(),
            elements,
            non_finite: AtomicU64::new(0),
        });
        let step = (CHUNK / block_bytes as u64).max(1) * block_bytes as u64;
        let mut at = begin;
        while at < end {
            let stop = at.saturating_add(step).min(end);
            items.push(Item {
                tensor: index,
                begin: at as usize,
                end: stop as usize,
            });
            at = stop;
        }
    }
    work_queue(
        &items,
        |i| (i.end - i.begin) as u64,
        |item| {
            let t = &tensors[item.tensor];
            let n = count(
                t.layout,
                &map[item.begin..item.end],
                t.block_bytes,
                t.block_values,
            );
            if n > 0 {
                t.non_finite.fetch_add(n, Ordering::Relaxed);
            }
        },
        &|_, _| {},
    );
    Ok(tensors
        .iter()
        .filter_map(|t| {
            let bad = t.non_finite.load(Ordering::Relaxed).min(t.elements);
            (bad > 0).then(|| {
                super::scan::value_findings(rel, t.name, t.elements, bad, true)
                    .into_iter()
                    .next()
            })?
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::quantized::ggml_file::qtensor_from_ggml;
    use candle_core::quantized::QTensor;
    use candle_core::{Device, Tensor};

    const QUANTIZED: [GgmlDType; 10] = [
        GgmlDType::Q4_0,
        GgmlDType::Q4_1,
        GgmlDType::Q5_0,
        GgmlDType::Q5_1,
        GgmlDType::Q8_0,
        GgmlDType::Q2K,
        GgmlDType::Q3K,
        GgmlDType::Q4K,
        GgmlDType::Q5K,
        GgmlDType::Q6K,
    ];

    fn dequantized(dtype: GgmlDType, raw: &[u8], n: usize) -> Vec<f32> {
        qtensor_from_ggml(dtype, raw, vec![n], &Device::Cpu)
            .and_then(|q| q.dequantize(&Device::Cpu))
            .and_then(|t| t.to_vec1::<f32>())
            .expect("dequantize")
    }

    /// Each scale offset, set to NaN or infinity in the second block, makes
    /// candle's dequantized values non-finite there, and is counted: the
    /// offsets match candle's block layout.
    #[test]
    fn the_scale_offsets_are_candle_s() {
        let n = 512usize;
        let values: Vec<f32> = (0..n)
            .map(|i| ((i * 7919) % 97) as f32 / 50.0 - 1.0)
            .collect();
        let t = Tensor::from_vec(values, n, &Device::Cpu).expect("tensor");
        for dtype in QUANTIZED {
            let q = QTensor::quantize(&t, dtype).expect("quantize");
            let raw = q.data().expect("data").into_owned();
            let (bb, bv) = (dtype.type_size(), dtype.block_size() as u64);
            let clean = dequantized(dtype, &raw, n);
            assert!(clean.iter().all(|v| v.is_finite()), "{dtype:?}");
            assert_eq!(
                count(layout(StoredType::Candle(dtype)), &raw, bb, bv),
                0,
                "{dtype:?}"
            );
            let Layout::HalfScales(offsets) = layout(StoredType::Candle(dtype)) else {
                panic!("{dtype:?} has f16 scales");
            };
            for &at in offsets {
                for bits in [0x7E00u16, 0x7C00] {
                    let mut bad = raw.clone();
                    bad[bb + at..bb + at + 2].copy_from_slice(&bits.to_le_bytes());
                    let out = dequantized(dtype, &bad, n);
                    let second = &out[bv as usize..2 * bv as usize];
                    assert!(
                        second.iter().any(|v| !v.is_finite()),
                        "{dtype:?} offset {at}: candle reads no scale there"
                    );
                    assert!(out[..bv as usize].iter().all(|v| v.is_finite()));
                    assert_eq!(
                        count(layout(StoredType::Candle(dtype)), &bad, bb, bv),
                        bv,
                        "{dtype:?} {at}"
                    );
                }
            }
        }
    }

    /// IQ4_XS's `d` (bytes 0..2 of its 136): NaN or infinity there makes
    /// the block's 256 dequantized values non-finite, and is counted.
    #[test]
    fn the_iq4_xs_scale_is_its_first_half() {
        let layout = layout(StoredType::Own(OwnType::Iq4Xs));
        let mut raw: Vec<u8> = (0..2 * 136).map(|i| (i * 37 % 251) as u8).collect();
        for b in raw.chunks_exact_mut(136) {
            b[..2].copy_from_slice(&half::f16::from_f32(0.01).to_le_bytes());
        }
        assert_eq!(count(layout, &raw, 136, 256), 0);
        for bits in [0x7E00u16, 0x7C00] {
            let mut bad = raw.clone();
            bad[136..138].copy_from_slice(&bits.to_le_bytes());
            let mut out = vec![0f32; 512];
            crate::smoke::quant_kernel::dequantize_iq4_xs(&bad, &mut out);
            assert!(out[..256].iter().all(|v| v.is_finite()));
            assert!(out[256..].iter().all(|v| !v.is_finite()));
            assert_eq!(count(layout, &bad, 136, 256), 256);
        }
    }

    #[test]
    fn float_values_are_counted_one_by_one() {
        let f32s: Vec<u8> = [1.0f32, f32::NAN, f32::NEG_INFINITY, 0.0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        assert_eq!(count(Layout::F32, &f32s, 4, 1), 2);
        // f16: 1.0, +inf, NaN; bf16: 1.0, NaN.
        let f16s: Vec<u8> = [0x3C00u16, 0x7C00, 0xFE00]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        assert_eq!(count(Layout::F16, &f16s, 2, 1), 2);
        let bf16s: Vec<u8> = [0x3F80u16, 0x7FC0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        assert_eq!(count(Layout::Bf16, &bf16s, 2, 1), 1);
        let q8k = f32::INFINITY.to_le_bytes();
        assert_eq!(count(Layout::FloatScale(0), &q8k, 4, 256), 256);
    }
}
