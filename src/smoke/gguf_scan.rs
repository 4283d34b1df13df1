//! `--scan-weights` on a GGUF file: every tensor dequantized (in chunks of
//! whole blocks, in parallel) and checked for NaN/infinite values and for
//! being all zeros. A block-quantized tensor's values are its blocks'
//! scales times its quants, so a NaN scale shows up here as it would in
//! the model.

use super::gguf_header::{OwnTensors, OwnType, StoredType};
use crate::finding::{Code, Finding};
use crate::util::parallel::work_queue;
use candle_core::quantized::ggml_file::qtensor_from_ggml;
use candle_core::quantized::gguf_file::Content;
use candle_core::Device;
use std::fs::File;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

/// Raw bytes one work item dequantizes at most (about 7 MB of f32 for 4-bit types).
const CHUNK: u64 = 1 << 20;

/// One tensor's tally.
struct TensorState {
    /// Its name.
    name: String,
    /// Its values in all.
    elements: u64,
    /// NaN or infinite values found so far.
    non_finite: AtomicU64,
    /// Whether a non-zero value was found.
    nonzero: AtomicBool,
}

/// One work item: a run of whole blocks of one tensor.
struct Item {
    /// The tensor's index in the tallies.
    tensor: usize,
    /// Its ggml type.
    dtype: StoredType,
    /// First byte in the file.
    begin: usize,
    /// Byte after the last.
    end: usize,
    /// Values the blocks hold.
    elements: usize,
}

/// The work: a tally per tensor, the items to dequantize, and the tensors
/// that lie beyond the end of the file or have an impossible size.
struct Plan {
    /// One tally per tensor scanned, by name.
    tensors: Vec<TensorState>,
    /// Runs of whole blocks, at most [`CHUNK`] bytes each.
    items: Vec<Item>,
    /// Tensors not scanned.
    skipped: Vec<String>,
}

/// Scans every tensor of `content` (and `own`, those candle cannot hold) in the file at `path` (`rel` names it in
/// findings); `progress(done, total)` gets raw bytes as they are checked.
pub(crate) fn scan(
    path: &Path,
    rel: &str,
    content: &Content,
    own: &OwnTensors,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<Vec<Finding>, String> {
    let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    // SAFETY: the file is opened read-only and only read through this map.
    // mri never writes model files; if another process truncates the file
    // while we read, the kernel raises SIGBUS and the process ends (the
    // contract of every memory-mapped weights reader); changed bytes would
    // only change the numbers reported.
    let map =
        unsafe { memmap2::Mmap::map(&file) }.map_err(|e| format!("{}: {e}", path.display()))?;
    let plan = plan(content, own, map.len() as u64);
    let failure: Mutex<Option<String>> = Mutex::new(None);
    work_queue(
        &plan.items,
        |i| (i.end - i.begin) as u64,
        |item| check_item(item, &plan.tensors, &map, &failure),
        progress,
    );
    if let Some(message) = failure.into_inner().ok().flatten() {
        return Err(message);
    }
    Ok(findings(rel, &plan))
}

/// Cuts every tensor (sorted by name) that lies inside a file of `len`
/// bytes into items of whole blocks.
fn plan(content: &Content, own: &OwnTensors, len: u64) -> Plan {
    let names = super::gguf_header::names(content, own);
    let mut tensors = Vec::with_capacity(names.len());
    let mut items = Vec::new();
    let mut skipped = Vec::new();
    for name in &names {
        let Some(info) = super::gguf_header::stored(content, own, name) else {
            continue;
        };
        let block = info.dtype.block_values();
        let type_size = info.dtype.block_bytes().max(1);
        let elements = info.elements();
        let begin = content.tensor_data_offset.checked_add(info.offset);
        let bytes = info.stored_bytes();
        let (Some(elements), Some(begin), Some(bytes)) = (elements, begin, bytes) else {
            skipped.push(name.clone());
            continue;
        };
        let Some(end) = begin.checked_add(bytes).filter(|e| *e <= len) else {
            skipped.push(name.clone());
            continue;
        };
        let index = tensors.len();
        tensors.push(TensorState {
            name: name.clone(),
            elements,
            non_finite: AtomicU64::new(0),
            nonzero: AtomicBool::new(false),
        });
        let step = (CHUNK / type_size).max(1) * type_size;
        let mut at = begin;
        while at < end {
            let stop = at.saturating_add(step).min(end);
            items.push(Item {
                tensor: index,
                dtype: info.dtype,
                begin: at as usize,
                end: stop as usize,
                elements: ((stop - at) / type_size * block) as usize,
            });
            at = stop;
        }
    }
    Plan {
        tensors,
        items,
        skipped,
    }
}

/// Dequantizes one item and adds what it holds to its tensor's tally; the
/// first failure is kept in `failure`.
fn check_item(item: &Item, tensors: &[TensorState], map: &[u8], failure: &Mutex<Option<String>>) {
    let t = &tensors[item.tensor];
    let raw = &map[item.begin..item.end];
    // candle reinterprets the bytes as blocks: keep them aligned.
    let copy;
    let raw = if (raw.as_ptr() as usize).is_multiple_of(8) {
        raw
    } else {
        copy = raw.to_vec();
        &copy
    };
    let values = match item.dtype {
        StoredType::Candle(dtype) => {
            qtensor_from_ggml(dtype, raw, vec![item.elements], &Device::Cpu)
                .and_then(|q| q.dequantize(&Device::Cpu))
                .and_then(|v| v.to_vec1::<f32>())
        }
        StoredType::Own(OwnType::Iq4Xs) => {
            let mut values = vec![0f32; item.elements];
            super::quant_kernel::dequantize_iq4_xs(raw, &mut values);
            Ok(values)
        }
    };
    match values {
        Ok(values) => {
            let bad = values.iter().filter(|v| !v.is_finite()).count() as u64;
            if bad > 0 {
                t.non_finite.fetch_add(bad, Ordering::Relaxed);
            }
            if values.iter().any(|v| *v != 0.0) {
                t.nonzero.store(true, Ordering::Relaxed);
            }
        }
        Err(e) => {
            if let Ok(mut slot) = failure.lock() {
                slot.get_or_insert_with(|| {
                    format!("tensor {}: {}", t.name, super::error::candle_message(&e))
                });
            }
        }
    }
}

/// The findings of the tallies, then one per tensor not scanned.
fn findings(rel: &str, plan: &Plan) -> Vec<Finding> {
    let mut findings = Vec::new();
    for t in &plan.tensors {
        findings.extend(super::scan::value_findings(
            rel,
            &t.name,
            t.elements,
            t.non_finite.load(Ordering::Relaxed),
            t.nonzero.load(Ordering::Relaxed),
        ));
    }
    for name in &plan.skipped {
        findings.push(
            Finding::error(
                Code::WeightsTruncated,
                format!("tensor {name} lies beyond the end of the file or has an impossible size"),
            )
            .in_file(rel.to_string())
            .on_tensor(name.clone()),
        );
    }
    findings
}
