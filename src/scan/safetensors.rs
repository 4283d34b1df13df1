//! Safetensors headers: parsed from the first bytes of a memory-mapped file,
//! validated completely (every violation, not the first), tensor bytes never read.
//!
//! The format: 8 bytes little-endian header length `n`, then `n` bytes of JSON
//! mapping tensor names to `{dtype, shape, data_offsets}` (plus an optional
//! `__metadata__` map of strings), then the tensor data.

use crate::finding::{Code, Finding};
use crate::scan::dtype::dtype_bits;
use crate::util::dir_open::FolderOpener;
use memmap2::{Mmap, MmapOptions};
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::path::Path;

/// Largest header accepted, as in the reference implementation (100 MB).
pub const MAX_HEADER_BYTES: u64 = 100_000_000;

/// Header bytes all the safetensors files of one model may have parsed
/// together (128 MiB): the largest real checkpoints' headers add up to tens
/// of MB; past this, headers are not parsed (`weights/header-budget`), so
/// memory stays flat in the number of shards.
pub const MAX_TOTAL_HEADER_BYTES: u64 = 128 << 20;

/// The header length `n` that a safetensors file's first bytes declare in
/// their 8-byte little-endian prefix, if they hold one.
pub fn declared_header_len(bytes: &[u8]) -> Option<u64> {
    let prefix: [u8; 8] = bytes.get(..8)?.try_into().ok()?;
    Some(u64::from_le_bytes(prefix))
}

/// The header bytes one model's scan parses at most:
/// [`MAX_TOTAL_HEADER_BYTES`], or `MRI_HEADER_BUDGET` (bytes) when it is set.
/// A remote scan fetches no more than this either.
pub fn header_budget_from_env() -> u64 {
    std::env::var("MRI_HEADER_BUDGET")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(MAX_TOTAL_HEADER_BYTES)
}

/// The header bytes left to one model's scan, shared by the threads that
/// read its shards. `MRI_HEADER_BUDGET` (bytes) sets another total.
#[derive(Debug)]
pub struct HeaderBudget {
    total: u64,
    left: std::sync::atomic::AtomicU64,
}

impl HeaderBudget {
    /// A budget of `total` bytes.
    pub fn new(total: u64) -> Self {
        HeaderBudget {
            total,
            left: std::sync::atomic::AtomicU64::new(total),
        }
    }

    /// [`MAX_TOTAL_HEADER_BYTES`], or `MRI_HEADER_BUDGET` when it is set.
    pub fn from_env() -> Self {
        Self::new(header_budget_from_env())
    }

    /// Takes the `n` bytes of one header. When they are not left, the
    /// refusal is a `weights/header-budget` finding (without the file set),
    /// and nothing is left for any later header either: the headers after
    /// the one where the budget ran out are not parsed.
    pub fn take(&self, n: u64) -> Result<(), Finding> {
        use std::sync::atomic::Ordering;
        if self
            .left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |left| {
                left.checked_sub(n)
            })
            .is_ok()
        {
            return Ok(());
        }
        self.left.store(0, Ordering::SeqCst);
        Err(Finding::error(
            Code::WeightsHeaderBudget,
            format!(
                "the safetensors headers of this model add up to more than the {} bytes mri parses for one model (MRI_HEADER_BUDGET): this header ({n} bytes) was not parsed",
                self.total
            ),
        ))
    }
}

impl Default for HeaderBudget {
    fn default() -> Self {
        Self::new(u64::MAX)
    }
}

/// One tensor as a safetensors header describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TensorInfo {
    /// Tensor name, e.g. `model.layers.0.self_attn.q_proj.weight`.
    pub name: String,
    /// Dtype name as written in the header, e.g. `BF16`.
    pub dtype: String,
    /// Shape; `[]` for a scalar.
    pub shape: Vec<u64>,
    /// Byte range `[begin, end)` relative to the start of the data section.
    pub data_offsets: [u64; 2],
}

impl TensorInfo {
    /// Number of stored elements (product of the shape; 1 for a scalar),
    /// saturating on absurd shapes (those are reported by validation).
    pub fn elements(&self) -> u64 {
        self.shape
            .iter()
            .fold(1u64, |acc, &d| acc.saturating_mul(d))
    }

    /// Length of the byte range.
    pub fn byte_len(&self) -> u64 {
        self.data_offsets[1].saturating_sub(self.data_offsets[0])
    }
}

/// What a safetensors header says, once parsed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SafetensorsHeader {
    /// Length of the JSON header in bytes (without the 8-byte prefix).
    pub header_len: u64,
    /// Bytes after the header (the data section as the file holds it).
    pub data_len: u64,
    /// The `__metadata__` map, when present.
    pub metadata: BTreeMap<String, String>,
    /// Tensors in header order.
    pub tensors: Vec<TensorInfo>,
}

/// Reads and validates the header of the safetensors file at `path`, whose
/// size is `len` bytes.
///
/// Returns the header when the JSON could be read at all (possibly with
/// violations), and every violation as a finding (without the file set).
/// The file is memory-mapped and only the pages holding the prefix and the
/// JSON are touched; the tensor data is never read. The map is released
/// before this returns; [`map_header_file`] hands it back instead, for
/// callers that release many maps at once.
pub fn read_header_file(path: &Path, len: u64) -> (Option<SafetensorsHeader>, Vec<Finding>) {
    let opener = FolderOpener::default();
    let (header, problems, _map) = map_header_file(&opener, path, len, &HeaderBudget::default());
    (header, problems)
}

/// Bytes mapped at first from the start of a file: one page, which holds the
/// prefix and a small header; a larger header is mapped again at its length.
/// The maps are populated as they are made (no page faults, and no
/// fault-around mapping pages that are never read).
const FIRST_MAP: u64 = 4096;

/// Maps the first `len` bytes of `file` (`len` is at most the file's size).
fn map_prefix(file: &File, len: u64) -> std::io::Result<Mmap> {
    let len = usize::try_from(len).map_err(std::io::Error::other)?;
    // SAFETY: the map is read-only, and mri never writes the file. Another
    // process could truncate or rewrite the file while it is mapped: reading
    // a page past a truncation raises SIGBUS, rewritten bytes change only
    // what is reported. The window is the header parse (microseconds), and
    // only the header's pages are read — the risk every mmap-based
    // safetensors reader (the reference crate's users, candle) accepts.
    unsafe { MmapOptions::new().len(len).populate().map(file) }
}

/// A file mapped by [`map_header_file`]: keep it to delay the `munmap`.
#[derive(Debug)]
pub struct HeaderMap {
    _map: Mmap,
}

/// The header maps of one scan, kept as long as the Report read from them:
/// released together when the last clone is dropped, or by the kernel at
/// exit when the process ends first (the `mri` binary does not free its
/// report), which is far cheaper than one `munmap` per shard on some VMs.
#[derive(Debug, Clone, Default)]
pub struct HeaderMaps(std::sync::Arc<Vec<HeaderMap>>);

impl HeaderMaps {
    /// Keeps these maps.
    pub fn new(maps: Vec<HeaderMap>) -> Self {
        HeaderMaps(std::sync::Arc::new(maps))
    }

    /// How many files are mapped.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when no file is mapped.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// As [`read_header_file`], and also returns the mapping, so that a caller
/// scanning many shards can release every map at once, after its threads
/// have finished (an `munmap` while other threads of the process run sends
/// them TLB shoot-down interrupts; see BENCHMARKS.md). The file is opened
/// through `opener`: by name in its folder when `opener` holds that folder.
/// The header's bytes are taken from `budget` before it is parsed.
pub fn map_header_file(
    opener: &FolderOpener,
    path: &Path,
    len: u64,
    budget: &HeaderBudget,
) -> (Option<SafetensorsHeader>, Vec<Finding>, Option<HeaderMap>) {
    if len == 0 {
        return map_open_header(None, 0, budget);
    }
    match opener.open(path) {
        Ok(file) => map_open_header(Some(&file), len, budget),
        Err(e) => (None, vec![cannot("open", &e)], None),
    }
}

/// The finding for a shard that cannot be opened, read or mapped.
pub fn cannot(what: &str, e: &std::io::Error) -> Finding {
    Finding::error(Code::FilesUnreadable, format!("cannot {what}: {e}"))
}

/// As [`map_header_file`], for a file already open whose size is `len`
/// bytes; `None` for an empty file, which cannot be mapped (its violation
/// is reported all the same). A header whose bytes `budget` does not have
/// left is neither mapped in full nor parsed.
pub fn map_open_header(
    file: Option<&File>,
    len: u64,
    budget: &HeaderBudget,
) -> (Option<SafetensorsHeader>, Vec<Finding>, Option<HeaderMap>) {
    let Some(file) = file.filter(|_| len > 0) else {
        // An empty file cannot be mapped; the parser reports it.
        let (h, p) = parse_header_with_len(&[], 0);
        return (h, p, None);
    };
    // Only the start of the file is mapped: the prefix and, for all but
    // large headers, the whole JSON. A map over the whole file (hundreds of
    // GB of address space across the shards) costs page-table set-up and
    // tear-down for nothing; a larger header is mapped again at its length.
    let first = len.min(FIRST_MAP);
    let map = match map_prefix(file, first) {
        Ok(m) => m,
        Err(e) => return (None, vec![cannot("map", &e)], None),
    };
    let wanted = declared_header_len(&map)
        .filter(|&n| n <= MAX_HEADER_BYTES)
        .map(|n| 8 + n)
        .filter(|&w| w > first && w <= len);
    // A plausible header (one the parser would read) is paid for first.
    let announced = declared_header_len(&map).filter(|&n| n <= MAX_HEADER_BYTES && 8 + n <= len);
    if let Some(n) = announced {
        if let Err(refused) = budget.take(n) {
            return (None, vec![refused], None);
        }
    }
    let map = match wanted {
        Some(w) => match map_prefix(file, w) {
            Ok(m) => m,
            Err(e) => return (None, vec![cannot("map", &e)], None),
        },
        None => map,
    };
    let (header, problems) = parse_header_with_len(&map, len);
    (header, problems, Some(HeaderMap { _map: map }))
}

/// Parses and validates a safetensors header from the whole file's bytes.
///
/// Pure: only `buf[..8 + n]` is read, and `buf.len()` is taken as the file size.
pub fn parse_header(buf: &[u8]) -> (Option<SafetensorsHeader>, Vec<Finding>) {
    parse_header_with_len(buf, buf.len() as u64)
}

/// Parses and validates a safetensors header from the file's first bytes
/// (`buf` holds at least the prefix and, when it fits, the header) and the
/// file's size. Every violation is reported. (The crate `safetensors` is this
/// parser's second opinion in the tests: `tests/safetensors_differential.rs`
/// checks that whatever it rejects, this parser reports.)
pub fn parse_header_with_len(
    buf: &[u8],
    file_len: u64,
) -> (Option<SafetensorsHeader>, Vec<Finding>) {
    let mut problems = Vec::new();
    let Some(prefix) = buf.get(..8) else {
        problems.push(Finding::error(
            Code::WeightsHeaderInvalid,
            format!("file is {file_len} bytes, shorter than the 8-byte header length prefix"),
        ));
        return (None, problems);
    };
    let mut len_bytes = [0u8; 8];
    len_bytes.copy_from_slice(prefix);
    let header_len = u64::from_le_bytes(len_bytes);
    if header_len > MAX_HEADER_BYTES {
        problems.push(Finding::error(
            Code::WeightsHeaderInvalid,
            format!("header length {header_len} is over the {MAX_HEADER_BYTES}-byte limit"),
        ));
        return (None, problems);
    }
    let header_end = 8 + header_len; // cannot overflow: header_len <= 1e8
    if header_end > file_len {
        problems.push(Finding::error(
            Code::WeightsHeaderInvalid,
            format!(
                "header length {header_len} reaches beyond the end of the file ({file_len} bytes)"
            ),
        ));
        return (None, problems);
    }
    let Some(header_bytes) = buf.get(8..header_end as usize) else {
        problems.push(Finding::error(
            Code::WeightsHeaderInvalid,
            format!("header length {header_len} reaches beyond the bytes read"),
        ));
        return (None, problems);
    };
    let text = match std::str::from_utf8(header_bytes) {
        Ok(t) => t,
        Err(e) => {
            problems.push(Finding::error(
                Code::WeightsHeaderInvalid,
                format!("header is not valid UTF-8 (at byte {})", e.valid_up_to()),
            ));
            return (None, problems);
        }
    };
    let data_len = file_len - header_end;
    let mut header = SafetensorsHeader {
        header_len,
        data_len,
        ..Default::default()
    };
    match parse_typed(text) {
        // The usual header: every entry well-formed, read in one pass.
        Ok(typed) => {
            header.tensors = typed.tensors;
            header.metadata = typed.metadata;
            let metadata_names = std::iter::repeat_n("__metadata__", typed.metadata_entries);
            let names = header.tensors.iter().map(|t| t.name.as_str());
            problems.extend(duplicate_names(names.chain(metadata_names)));
        }
        // Something is wrong: read again entry by entry, to say what.
        Err(_) => {
            let entries = match parse_entries(text) {
                Ok(e) => e,
                Err(e) => {
                    problems.push(Finding::error(
                        Code::WeightsHeaderInvalid,
                        format!("header is not a JSON object: {e}"),
                    ));
                    return (None, problems);
                }
            };
            read_entries(&entries, &mut header, &mut problems);
            problems.extend(duplicate_names(entries.iter().map(|(n, _)| n.as_str())));
        }
    }
    check_sizes(&header.tensors, &mut problems);
    check_layout(&header.tensors, data_len, &mut problems);

    (Some(header), problems)
}

/// Reads the entries of a header that did not parse in one pass: each
/// tensor that can be read is kept, each one that cannot is a finding.
fn read_entries(
    entries: &[(String, &RawValue)],
    header: &mut SafetensorsHeader,
    problems: &mut Vec<Finding>,
) {
    header.tensors.reserve(entries.len());
    for (name, raw) in entries {
        if name == "__metadata__" {
            match serde_json::from_str::<BTreeMap<String, String>>(raw.get()) {
                Ok(m) => header.metadata = m,
                Err(_) => {
                    let value: Value = serde_json::from_str(raw.get()).unwrap_or(Value::Null);
                    read_metadata(&value, &mut header.metadata, problems);
                }
            }
            continue;
        }
        match tensor_from_raw(name, raw) {
            Ok(t) => header.tensors.push(t),
            Err(msg) => problems.push(
                Finding::error(
                    Code::WeightsHeaderInvalid,
                    format!("tensor `{name}`: {msg}"),
                )
                .on_tensor(name.clone()),
            ),
        }
    }
}

/// One finding per name that appears more than once, in name order.
fn duplicate_names<'a>(names: impl Iterator<Item = &'a str>) -> Vec<Finding> {
    // Sorted rather than hashed: a shard holds a handful of names, and
    // sorting them costs less than a table.
    let mut names: Vec<&str> = names.collect();
    names.sort_unstable();
    names
        .chunk_by(|a, b| a == b)
        .filter(|run| run.len() > 1)
        .map(|run| {
            Finding::error(
                Code::WeightsHeaderInvalid,
                format!(
                    "name `{}` appears {} times in the header",
                    run[0],
                    run.len()
                ),
            )
            .on_tensor(run[0])
        })
        .collect()
}

fn read_metadata(value: &Value, out: &mut BTreeMap<String, String>, problems: &mut Vec<Finding>) {
    let Some(map) = value.as_object() else {
        problems.push(Finding::error(
            Code::WeightsHeaderInvalid,
            "`__metadata__` is not an object of strings",
        ));
        return;
    };
    for (k, v) in map {
        match v.as_str() {
            Some(s) => {
                out.insert(k.clone(), s.to_string());
            }
            None => problems.push(Finding::error(
                Code::WeightsHeaderInvalid,
                format!("`__metadata__` value for `{k}` is not a string"),
            )),
        }
    }
}

/// The shape every well-formed entry has; read without building a `Value`.
#[derive(serde::Deserialize)]
struct TypedEntry {
    dtype: String,
    shape: Vec<u64>,
    data_offsets: [u64; 2],
}

impl TypedEntry {
    /// The tensor this entry describes, under `name`.
    fn named(self, name: String) -> TensorInfo {
        TensorInfo {
            name,
            dtype: self.dtype,
            shape: self.shape,
            data_offsets: self.data_offsets,
        }
    }
}

/// Reads one entry: the typed fast path, else a `Value` walk that says what is wrong.
fn tensor_from_raw(name: &str, raw: &RawValue) -> Result<TensorInfo, String> {
    if let Ok(t) = serde_json::from_str::<TypedEntry>(raw.get()) {
        return Ok(t.named(name.to_string()));
    }
    let value: Value = serde_json::from_str(raw.get()).map_err(|e| e.to_string())?;
    tensor_from_json(name, &value)
}

fn tensor_from_json(name: &str, value: &Value) -> Result<TensorInfo, String> {
    let obj = value.as_object().ok_or("entry is not an object")?;
    let dtype = obj
        .get("dtype")
        .and_then(Value::as_str)
        .ok_or("`dtype` is missing or not a string")?;
    let shape = obj
        .get("shape")
        .and_then(Value::as_array)
        .ok_or("`shape` is missing or not an array")?
        .iter()
        .map(Value::as_u64)
        .collect::<Option<Vec<u64>>>()
        .ok_or("`shape` holds something other than non-negative integers")?;
    let offsets = obj
        .get("data_offsets")
        .and_then(Value::as_array)
        .ok_or("`data_offsets` is missing or not an array")?;
    let (begin, end) = match offsets.as_slice() {
        [b, e] => (
            b.as_u64()
                .ok_or("`data_offsets` begin is not a non-negative integer")?,
            e.as_u64()
                .ok_or("`data_offsets` end is not a non-negative integer")?,
        ),
        _ => return Err(format!("`data_offsets` has {} items, not 2", offsets.len())),
    };
    Ok(TensorInfo {
        name: name.to_string(),
        dtype: dtype.to_string(),
        shape,
        data_offsets: [begin, end],
    })
}

/// Each tensor's byte length must equal elements × dtype size.
fn check_sizes(tensors: &[TensorInfo], problems: &mut Vec<Finding>) {
    for t in tensors {
        let [begin, end] = t.data_offsets;
        if end < begin {
            problems.push(
                Finding::error(
                    Code::WeightsHeaderInvalid,
                    format!(
                        "tensor `{}` ends (byte {end}) before it begins (byte {begin})",
                        t.name
                    ),
                )
                .on_tensor(&t.name),
            );
            continue;
        }
        let Some(bits) = dtype_bits(&t.dtype) else {
            problems.push(
                Finding::warning(
                    Code::WeightsUnknownDtype,
                    format!(
                        "tensor `{}` has dtype `{}`, which mri does not know",
                        t.name, t.dtype
                    ),
                )
                .on_tensor(&t.name),
            );
            continue;
        };
        let elements = t
            .shape
            .iter()
            .try_fold(1u64, |acc, &d| acc.checked_mul(d))
            .and_then(|n| n.checked_mul(bits));
        let Some(total_bits) = elements else {
            problems.push(
                Finding::error(
                    Code::WeightsHeaderInvalid,
                    format!(
                        "tensor `{}` shape {:?} overflows when multiplied out",
                        t.name, t.shape
                    ),
                )
                .on_tensor(&t.name),
            );
            continue;
        };
        if total_bits % 8 != 0 {
            problems.push(
                Finding::error(
                    Code::WeightsHeaderInvalid,
                    format!(
                        "tensor `{}` ({} {:?}) does not fill whole bytes ({total_bits} bits)",
                        t.name, t.dtype, t.shape
                    ),
                )
                .on_tensor(&t.name),
            );
            continue;
        }
        let expected = total_bits / 8;
        if expected != end - begin {
            problems.push(
                Finding::error(
                    Code::WeightsHeaderInvalid,
                    format!(
                        "tensor `{}` is {} {:?}, which needs {expected} bytes, but its data_offsets span {} bytes",
                        t.name,
                        t.dtype,
                        t.shape,
                        end - begin
                    ),
                )
                .on_tensor(&t.name),
            );
        }
    }
}

/// The byte ranges must tile `[0, data_len)` exactly: no gap, no overlap,
/// nothing missing at the end, nothing left over.
fn check_layout(tensors: &[TensorInfo], data_len: u64, problems: &mut Vec<Finding>) {
    let mut order: Vec<&TensorInfo> = tensors
        .iter()
        .filter(|t| t.data_offsets[1] >= t.data_offsets[0])
        .collect();
    order.sort_by_key(|t| (t.data_offsets[0], t.data_offsets[1]));
    let mut covered_to = 0u64;
    let mut last_name: Option<&str> = None;
    for t in &order {
        let [begin, end] = t.data_offsets;
        if begin > covered_to {
            problems.push(
                Finding::error(
                    Code::WeightsHeaderInvalid,
                    format!(
                        "gap of {} bytes before tensor `{}` (bytes {covered_to}..{begin} belong to no tensor)",
                        begin - covered_to,
                        t.name
                    ),
                )
                .on_tensor(&t.name),
            );
        } else if begin < covered_to {
            problems.push(
                Finding::error(
                    Code::WeightsHeaderInvalid,
                    format!(
                        "tensor `{}` (bytes {begin}..{end}) overlaps `{}`, which runs to byte {covered_to}",
                        t.name,
                        last_name.unwrap_or("?")
                    ),
                )
                .on_tensor(&t.name),
            );
        }
        if end >= covered_to {
            covered_to = end;
            last_name = Some(&t.name);
        }
    }
    if covered_to > data_len {
        problems.push(Finding::error(
            Code::WeightsTruncated,
            format!(
                "header describes {covered_to} bytes of tensor data but the file holds {data_len} ({} bytes missing)",
                covered_to - data_len
            ),
        ));
    } else if covered_to < data_len {
        problems.push(Finding::error(
            Code::WeightsHeaderInvalid,
            format!(
                "file holds {} bytes after the last tensor's data (header describes {covered_to}, file has {data_len})",
                data_len - covered_to
            ),
        ));
    }
}

/// A header whose every entry is well-formed, as one pass reads it.
struct TypedHeader {
    /// Tensors in header order, duplicates kept.
    tensors: Vec<TensorInfo>,
    /// The (last) `__metadata__` map.
    metadata: BTreeMap<String, String>,
    /// How many `__metadata__` entries there were.
    metadata_entries: usize,
}

/// Reads a header in one pass, each entry straight into its typed form. Fails
/// on the first entry that is not a well-formed tensor (or metadata of
/// strings); the caller then reads entry by entry to report every problem.
/// Where it succeeds, it reads what the entry-by-entry reading reads.
fn parse_typed(text: &str) -> Result<TypedHeader, serde_json::Error> {
    struct HeaderVisitor;
    impl<'de> Visitor<'de> for HeaderVisitor {
        type Value = TypedHeader;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a JSON object of tensor entries")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TypedHeader, A::Error> {
            let mut out = TypedHeader {
                tensors: Vec::with_capacity(map.size_hint().unwrap_or(8)),
                metadata: BTreeMap::new(),
                metadata_entries: 0,
            };
            while let Some(name) = map.next_key::<String>()? {
                if name == "__metadata__" {
                    out.metadata = map.next_value()?;
                    out.metadata_entries += 1;
                    continue;
                }
                let t: TypedEntry = map.next_value()?;
                out.tensors.push(t.named(name));
            }
            Ok(out)
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let header = de.deserialize_map(HeaderVisitor)?;
    de.end()?;
    Ok(header)
}

/// The header's top-level entries in file order, duplicates kept, values unparsed.
fn parse_entries(text: &str) -> Result<Vec<(String, &RawValue)>, serde_json::Error> {
    struct Entries<'a>(Vec<(String, &'a RawValue)>);
    struct EntriesVisitor;
    impl<'de> Visitor<'de> for EntriesVisitor {
        type Value = Entries<'de>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a JSON object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries<'de>, A::Error> {
            let mut out = Vec::new();
            while let Some((k, v)) = map.next_entry::<String, &'de RawValue>()? {
                out.push((k, v));
            }
            Ok(Entries(out))
        }
    }
    impl<'de> serde::Deserialize<'de> for Entries<'de> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_map(EntriesVisitor)
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let entries = <Entries as serde::Deserialize>::deserialize(&mut de)?;
    de.end()?;
    Ok(entries.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(header: &str, data_len: usize) -> Vec<u8> {
        let mut out = (header.len() as u64).to_le_bytes().to_vec();
        out.extend_from_slice(header.as_bytes());
        out.resize(out.len() + data_len, 0);
        out
    }

    fn codes(problems: &[Finding]) -> Vec<&'static str> {
        problems.iter().map(|p| p.code.as_str()).collect()
    }

    /// Writes `bytes` to a fresh file and reads its header through the map.
    fn read_through_map(bytes: &[u8]) -> (Option<SafetensorsHeader>, Vec<Finding>) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("model.safetensors");
        std::fs::write(&path, bytes).unwrap();
        read_header_file(&path, bytes.len() as u64)
    }

    #[test]
    fn one_pass_reads_what_the_entry_by_entry_reading_reads() {
        let h = r#"{"__metadata__":{"format":"pt"},"b":{"dtype":"F16","shape":[2],"data_offsets":[8,12]},
            "a":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"extra":1},"b":{"dtype":"F16","shape":[2],"data_offsets":[8,12]},
            "__metadata__":{"format":"np"}}"#;
        let typed = parse_typed(h).unwrap();
        let entries = parse_entries(h).unwrap();
        let mut slow = SafetensorsHeader::default();
        let mut problems = Vec::new();
        read_entries(&entries, &mut slow, &mut problems);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(typed.tensors, slow.tensors);
        assert_eq!(typed.metadata, slow.metadata);
        assert_eq!(typed.metadata["format"], "np");
        assert_eq!(typed.metadata_entries, 2);
        // Both ways, the duplicates are found.
        let (_, found) = parse_header(&file(h, 12));
        let dups: Vec<&str> = found
            .iter()
            .filter(|f| f.message.contains("times in the header"))
            .map(|f| f.message.as_str())
            .collect();
        assert_eq!(
            dups,
            [
                "name `__metadata__` appears 2 times in the header",
                "name `b` appears 2 times in the header"
            ]
        );
        // A malformed entry sends the whole header to the entry-by-entry reading.
        let bad = r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":7}}"#;
        assert!(parse_typed(bad).is_err());
        let (header, found) = parse_header(&file(bad, 8));
        assert_eq!(header.unwrap().tensors.len(), 1);
        assert!(
            found.iter().any(|f| f.message.starts_with("tensor `b`")),
            "{found:?}"
        );
    }

    #[test]
    fn header_larger_than_the_first_map_is_mapped_again_at_its_length() {
        // ~4,000 entries: a header of about 300 KB, past the one-page first map.
        let entries: Vec<String> = (0..4000)
            .map(|i| {
                format!(
                    r#""model.layers.{i}.mlp.down_proj.weight":{{"dtype":"F32","shape":[1],"data_offsets":[{},{}]}}"#,
                    i * 4,
                    i * 4 + 4
                )
            })
            .collect();
        let h = format!("{{{}}}", entries.join(","));
        assert!(h.len() as u64 > FIRST_MAP);
        let (header, problems) = read_through_map(&file(&h, 16_000));
        assert!(problems.is_empty(), "{problems:?}");
        let header = header.unwrap();
        assert_eq!(header.tensors.len(), 4000);
        assert_eq!(header.header_len, h.len() as u64);
        assert_eq!(header.data_len, 16_000);
    }

    #[test]
    fn mapped_file_reports_what_the_bytes_report() {
        let h = r#"{"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]}}"#;
        // Small, truncated, empty and a length prefix past the end.
        for bytes in [
            file(h, 24),
            file(h, 10),
            Vec::new(),
            vec![0xff; 8],
            file("{\"a\":", 0),
        ] {
            let (mapped_header, mapped) = read_through_map(&bytes);
            let (header, parsed) = parse_header(&bytes);
            assert_eq!(mapped_header, header);
            assert_eq!(codes(&mapped), codes(&parsed));
        }
        let (_, truncated) = read_through_map(&file(h, 10));
        assert_eq!(codes(&truncated), ["weights/truncated"]);
    }

    #[test]
    fn valid_header_parses_without_problems() {
        let h = r#"{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"b":{"dtype":"BF16","shape":[4],"data_offsets":[24,32]}}"#;
        let (header, problems) = parse_header(&file(h, 32));
        assert!(problems.is_empty(), "{problems:?}");
        let header = header.unwrap();
        assert_eq!(header.tensors.len(), 2);
        assert_eq!(
            header.metadata.get("format").map(String::as_str),
            Some("pt")
        );
        assert_eq!(header.tensors[0].elements(), 6);
    }

    #[test]
    fn sub_byte_dtypes_are_sized_in_bits() {
        let h = r#"{"a":{"dtype":"F4","shape":[4,4],"data_offsets":[0,8]},"b":{"dtype":"F6_E2M3","shape":[4],"data_offsets":[8,11]}}"#;
        let (_, problems) = parse_header(&file(h, 11));
        assert!(problems.is_empty(), "{problems:?}");
    }

    #[test]
    fn short_file_is_reported() {
        let (h, p) = parse_header(&[1, 2, 3]);
        assert!(h.is_none());
        assert_eq!(codes(&p), ["weights/header-invalid"]);
        assert!(p[0].message.contains("3 bytes"));
    }

    #[test]
    fn header_length_beyond_file_is_reported() {
        let mut buf = 1000u64.to_le_bytes().to_vec();
        buf.extend_from_slice(b"{}");
        let (_, p) = parse_header(&buf);
        assert!(p[0].message.contains("beyond the end of the file"), "{p:?}");
    }

    #[test]
    fn header_over_limit_is_reported() {
        let buf = (MAX_HEADER_BYTES + 1).to_le_bytes().to_vec();
        let (_, p) = parse_header(&buf);
        assert!(p[0].message.contains("limit"), "{p:?}");
    }

    #[test]
    fn invalid_utf8_and_json_are_reported() {
        let mut buf = 4u64.to_le_bytes().to_vec();
        buf.extend_from_slice(&[b'{', 0xff, 0xfe, b'}']);
        let (_, p) = parse_header(&buf);
        assert!(p[0].message.contains("UTF-8"), "{p:?}");
        let (_, p) = parse_header(&file("{\"a\":", 0));
        assert!(p[0].message.contains("not a JSON object"), "{p:?}");
    }

    #[test]
    fn every_violation_is_reported_not_just_the_first() {
        // duplicate name, a gap, an overlap, a size mismatch and truncation at once
        let h = r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[16,24]},"c":{"dtype":"F32","shape":[3],"data_offsets":[20,28]},"d":{"dtype":"F16","shape":[2],"data_offsets":[28,100]}}"#;
        let (_, p) = parse_header(&file(h, 50));
        let msgs: Vec<&str> = p.iter().map(|f| f.message.as_str()).collect();
        assert!(
            msgs.iter().any(|m| m.contains("appears 2 times")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter().any(|m| m.contains("gap of 8 bytes")),
            "{msgs:?}"
        );
        assert!(msgs.iter().any(|m| m.contains("overlaps")), "{msgs:?}");
        assert!(msgs.iter().any(|m| m.contains("needs 4 bytes")), "{msgs:?}");
        assert!(codes(&p).contains(&"weights/truncated"), "{msgs:?}");
    }

    #[test]
    fn trailing_bytes_are_reported() {
        let h = r#"{"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]}}"#;
        let (_, p) = parse_header(&file(h, 10));
        assert_eq!(codes(&p), ["weights/header-invalid"]);
        assert!(p[0].message.contains("6 bytes after"), "{p:?}");
    }

    #[test]
    fn unknown_dtype_is_a_warning_not_fatal() {
        let h = r#"{"a":{"dtype":"Q9","shape":[4],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4],"data_offsets":[4,8]}}"#;
        let (header, p) = parse_header(&file(h, 8));
        assert_eq!(header.unwrap().tensors.len(), 2);
        assert_eq!(codes(&p), ["weights/unknown-dtype"]);
    }

    #[test]
    fn malformed_entries_are_named() {
        let h = r#"{"a":{"dtype":"U8","shape":[-1],"data_offsets":[0,4]},"b":{"dtype":"U8","shape":[4]},"c":{"dtype":"U8","shape":[4],"data_offsets":[4,0]}}"#;
        let (_, p) = parse_header(&file(h, 0));
        let msgs: Vec<&str> = p.iter().map(|f| f.message.as_str()).collect();
        assert!(
            msgs.iter()
                .any(|m| m.contains("`a`") && m.contains("shape")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains("`b`") && m.contains("data_offsets")),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains("`c`") && m.contains("before it begins")),
            "{msgs:?}"
        );
    }

    #[test]
    fn overflowing_shape_does_not_panic() {
        let h = r#"{"a":{"dtype":"F32","shape":[18446744073709551615,4],"data_offsets":[0,4]}}"#;
        let (_, p) = parse_header(&file(h, 4));
        assert!(p.iter().any(|f| f.message.contains("overflows")), "{p:?}");
    }
}
