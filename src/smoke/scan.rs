//! `--scan-weights`: every byte of every counted shard read once, in
//! parallel, looking for non-finite values and all-zero tensors.

use crate::analyze::weights::ShardSummary;
use crate::finding::{Code, Finding};
use crate::util::parallel::work_queue;
use std::fs::File;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Bytes one work item reads at most: big tensors are split so that every
/// thread stays busy and the progress bar moves.
const CHUNK: u64 = 16 << 20;

/// How a dtype's values are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    F64,
    F32,
    F16,
    Bf16,
    /// F8 with 4 exponent bits: NaN is `x111_1111`, no infinity.
    F8E4M3,
    /// F8 with 5 exponent bits: exponent all ones is NaN or infinity.
    F8E5M2,
    /// F8 exponent only: `0xFF` is NaN.
    F8E8M0,
    /// Anything else: only the all-zero check, byte by byte.
    Bytes,
}

impl Kind {
    fn of(dtype: &str) -> Kind {
        match dtype {
            "F64" => Kind::F64,
            "F32" => Kind::F32,
            "F16" => Kind::F16,
            "BF16" => Kind::Bf16,
            "F8_E4M3" | "F8_E4M3FN" => Kind::F8E4M3,
            "F8_E5M2" => Kind::F8E5M2,
            "F8_E8M0" => Kind::F8E8M0,
            _ => Kind::Bytes,
        }
    }

    fn width(self) -> u64 {
        match self {
            Kind::F64 => 8,
            Kind::F32 => 4,
            Kind::F16 | Kind::Bf16 => 2,
            _ => 1,
        }
    }
}

/// Counts non-finite values of `bytes` and whether any value is non-zero
/// (a negative zero counts as zero).
fn check(kind: Kind, bytes: &[u8]) -> (u64, bool) {
    let mut bad = 0u64;
    let mut nonzero = false;
    match kind {
        Kind::F64 => {
            for c in bytes.chunks_exact(8) {
                let mut a = [0u8; 8];
                a.copy_from_slice(c);
                let v = u64::from_le_bytes(a);
                bad += u64::from(v & 0x7FF0_0000_0000_0000 == 0x7FF0_0000_0000_0000);
                nonzero |= v << 1 != 0;
            }
        }
        Kind::F32 => {
            for c in bytes.chunks_exact(4) {
                let v = u32::from_le_bytes([c[0], c[1], c[2], c[3]]);
                bad += u64::from(v & 0x7F80_0000 == 0x7F80_0000);
                nonzero |= v << 1 != 0;
            }
        }
        Kind::F16 | Kind::Bf16 => {
            let exp = if kind == Kind::F16 { 0x7C00 } else { 0x7F80 };
            for c in bytes.chunks_exact(2) {
                let v = u16::from_le_bytes([c[0], c[1]]);
                bad += u64::from(v & exp == exp);
                nonzero |= v << 1 != 0;
            }
        }
        Kind::F8E4M3 => {
            for &b in bytes {
                bad += u64::from(b & 0x7F == 0x7F);
                nonzero |= b << 1 != 0;
            }
        }
        Kind::F8E5M2 => {
            for &b in bytes {
                bad += u64::from(b & 0x7C == 0x7C);
                nonzero |= b << 1 != 0;
            }
        }
        Kind::F8E8M0 => {
            // No zero exists in E8M0 (it is a pure exponent).
            for &b in bytes {
                bad += u64::from(b == 0xFF);
            }
            nonzero = true;
        }
        Kind::Bytes => nonzero = bytes.iter().any(|&b| b != 0),
    }
    (bad, nonzero)
}

struct TensorState {
    shard: usize,
    name: String,
    kind: Kind,
    elements: u64,
    non_finite: AtomicU64,
    nonzero: AtomicBool,
    /// Part of the data lies beyond the end of the file (reported by inspect).
    truncated: bool,
}

struct Item {
    tensor: usize,
    begin: u64,
    end: u64,
}

/// Scans the counted shards; `progress(done, total)` is called with bytes
/// as they are read (from the worker threads).
pub(crate) fn scan(
    shards: &[(&ShardSummary, PathBuf)],
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Vec<Finding>, (PathBuf, std::io::Error)> {
    let mut maps = Vec::with_capacity(shards.len());
    for (_, path) in shards {
        let file = File::open(path).map_err(|e| (path.clone(), e))?;
        // SAFETY: the file is opened read-only and only read through this
        // map. mri never writes model files; if another process truncates the
        // file while we read, the kernel raises SIGBUS and the process ends
        // (the same contract as every memory-mapped safetensors reader);
        // changed bytes would only change the numbers reported.
        let map = unsafe { memmap2::Mmap::map(&file) }.map_err(|e| (path.clone(), e))?;
        maps.push(map);
    }
    let mut tensors = Vec::new();
    let mut items = Vec::new();
    for (s, (shard, _)) in shards.iter().enumerate() {
        let start = 8 + shard.header_bytes;
        let len = maps[s].len() as u64;
        for t in &shard.tensors {
            let kind = Kind::of(&t.info.dtype);
            let [b, e] = t.info.data_offsets;
            let (begin, end) = (start.saturating_add(b), start.saturating_add(e));
            let truncated = end > len || begin > end;
            let index = tensors.len();
            tensors.push(TensorState {
                shard: s,
                name: t.info.name.clone(),
                kind,
                elements: t.info.elements(),
                non_finite: AtomicU64::new(0),
                nonzero: AtomicBool::new(false),
                truncated,
            });
            if truncated {
                continue;
            }
            // Split on whole elements.
            let step = (CHUNK / kind.width()).max(1) * kind.width();
            let mut at = begin;
            while at < end {
                let stop = at.saturating_add(step).min(end);
                items.push(Item {
                    tensor: index,
                    begin: at,
                    end: stop,
                });
                at = stop;
            }
        }
    }
    work_queue(
        &items,
        |i| i.end - i.begin,
        |item| {
            let t = &tensors[item.tensor];
            let bytes = &maps[t.shard][item.begin as usize..item.end as usize];
            let (bad, nonzero) = check(t.kind, bytes);
            if bad > 0 {
                t.non_finite.fetch_add(bad, Ordering::Relaxed);
            }
            if nonzero {
                t.nonzero.store(true, Ordering::Relaxed);
            }
        },
        progress,
    );
    let mut findings = Vec::new();
    for t in &tensors {
        if t.truncated {
            continue;
        }
        findings.extend(value_findings(
            &shards[t.shard].0.path,
            &t.name,
            t.elements,
            t.non_finite.load(Ordering::Relaxed),
            t.nonzero.load(Ordering::Relaxed),
        ));
    }
    Ok(findings)
}

/// The findings for one scanned tensor of `file`: `non_finite` NaN or
/// infinite values among its `elements`, or no non-zero value at all.
pub(crate) fn value_findings(
    file: &str,
    name: &str,
    elements: u64,
    non_finite: u64,
    nonzero: bool,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    if non_finite > 0 {
        findings.push(
            Finding::error(
                Code::WeightsNonFinite,
                format!(
                    "tensor {name} holds {non_finite} NaN or infinite values out of {elements}"
                ),
            )
            .in_file(file)
            .on_tensor(name),
        );
    }
    if elements > 0 && !nonzero {
        findings.push(
            Finding::warning(
                Code::WeightsAllZero,
                format!("tensor {name} is all zeros ({elements} values)"),
            )
            .in_file(file)
            .on_tensor(name),
        );
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_inf_and_zero_are_recognised_in_every_float_kind() {
        let f32s: Vec<u8> = [0.0f32, -0.0, f32::NAN, f32::INFINITY, 1.0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        assert_eq!(check(Kind::F32, &f32s), (2, true));
        assert_eq!(check(Kind::F32, &f32s[..8]), (0, false));
        let bf16 = [0x00, 0x00, 0x00, 0x80, 0xC0, 0x7F, 0x80, 0xFF, 0x80, 0x3F];
        assert_eq!(check(Kind::Bf16, &bf16), (2, true));
        assert_eq!(check(Kind::Bf16, &bf16[..4]), (0, false));
        let f16 = [0x00, 0x7C, 0x00, 0x3C];
        assert_eq!(check(Kind::F16, &f16), (1, true));
        let f64s: Vec<u8> = [f64::NAN, -0.0]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        assert_eq!(check(Kind::F64, &f64s), (1, true));
        assert_eq!(check(Kind::F8E4M3, &[0x7F, 0x80, 0x7E]), (1, true));
        assert_eq!(check(Kind::F8E5M2, &[0x7C, 0x00]), (1, true));
        assert_eq!(check(Kind::Bytes, &[0, 0, 0]), (0, false));
        assert_eq!(check(Kind::Bytes, &[0, 1]), (0, true));
    }
}
