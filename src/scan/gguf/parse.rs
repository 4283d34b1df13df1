//! The GGUF header, parsed from the file's bytes with every size checked
//! before it is used: a corrupt or truncated file yields findings, never a
//! panic or an allocation sized by the file.
//!
//! The format (little-endian; <https://github.com/ggml-org/ggml/blob/master/docs/gguf.md>):
//! `GGUF`, version (u32), tensor count and metadata count (u64; u32 in
//! version 1), the metadata (key string, value type u32, value), the tensor
//! infos (name, dimension count u32, dimensions u64 with the fastest-varying
//! first, ggml type u32, offset u64 into the data section), padding to
//! `general.alignment` (32 by default), then the tensor data.

use super::types::{ggml_type, removed_type, GgmlType};
use crate::finding::{Code, Finding};
use std::collections::HashSet;

/// Longest string accepted (llama.cpp's `GGUF_MAX_STRING_LENGTH`).
pub const MAX_STRING_BYTES: u64 = 1 << 30;
/// Longest array accepted (llama.cpp's `GGUF_MAX_ARRAY_ELEMENTS`).
pub const MAX_ARRAY_ELEMENTS: u64 = 1 << 30;
/// Most dimensions a tensor may have (`GGML_MAX_DIMS`).
pub const MAX_DIMS: u32 = 4;
/// Longest tensor name llama.cpp accepts (`GGML_MAX_NAME` − 1).
pub const MAX_TENSOR_NAME: usize = 63;
/// Deepest nesting of arrays accepted.
const MAX_DEPTH: usize = 8;
/// Longest string value kept in memory (longer ones are cut; the length is kept).
pub const MAX_KEPT_STRING: usize = 1 << 20;
/// Scalars of an array kept in memory (per-layer values; longer arrays keep only their length).
pub const MAX_KEPT_ARRAY: u64 = 4096;
/// The default alignment of the data section.
pub const DEFAULT_ALIGNMENT: u64 = 32;

/// A metadata value type id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    /// u8
    U8,
    /// i8
    I8,
    /// u16
    U16,
    /// i16
    I16,
    /// u32
    U32,
    /// i32
    I32,
    /// f32
    F32,
    /// bool (one byte, 0 or 1)
    Bool,
    /// length-prefixed UTF-8
    String,
    /// element type, length, elements
    Array,
    /// u64
    U64,
    /// i64
    I64,
    /// f64
    F64,
}

impl ValueType {
    fn from_id(id: u32) -> Option<ValueType> {
        use ValueType::*;
        Some(match id {
            0 => U8,
            1 => I8,
            2 => U16,
            3 => I16,
            4 => U32,
            5 => I32,
            6 => F32,
            7 => Bool,
            8 => String,
            9 => Array,
            10 => U64,
            11 => I64,
            12 => F64,
            _ => return None,
        })
    }

    /// The name used in reports (`u32`, `string`, `array`, ...).
    pub fn name(self) -> &'static str {
        use ValueType::*;
        match self {
            U8 => "u8",
            I8 => "i8",
            U16 => "u16",
            I16 => "i16",
            U32 => "u32",
            I32 => "i32",
            F32 => "f32",
            Bool => "bool",
            String => "string",
            Array => "array",
            U64 => "u64",
            I64 => "i64",
            F64 => "f64",
        }
    }

    /// Fewest bytes one value of this type takes on disk.
    fn min_size(self, wide: bool) -> u64 {
        use ValueType::*;
        match self {
            U8 | I8 | Bool => 1,
            U16 | I16 => 2,
            U32 | I32 | F32 => 4,
            U64 | I64 | F64 => 8,
            String => len_size(wide),
            Array => 4 + len_size(wide),
        }
    }
}

fn len_size(wide: bool) -> u64 {
    if wide {
        8
    } else {
        4
    }
}

/// A metadata value.
#[derive(Debug, Clone, PartialEq)]
pub enum MetaValue {
    /// Any unsigned integer type.
    Uint(u64, ValueType),
    /// Any signed integer type.
    Int(i64, ValueType),
    /// f32 or f64.
    Float(f64, ValueType),
    /// bool.
    Bool(bool),
    /// A string (cut at [`MAX_KEPT_STRING`] bytes; `len` is the stored length).
    String {
        /// The text, lossily decoded, trailing NULs removed.
        text: String,
        /// Its length in the file.
        len: u64,
    },
    /// An array.
    Array(MetaArray),
}

impl MetaValue {
    /// The type name (`u32`, `string`, `array`...).
    pub fn type_name(&self) -> &'static str {
        match self {
            MetaValue::Uint(_, t) | MetaValue::Int(_, t) | MetaValue::Float(_, t) => t.name(),
            MetaValue::Bool(_) => "bool",
            MetaValue::String { .. } => "string",
            MetaValue::Array(_) => "array",
        }
    }

    /// The value as an unsigned integer (any integer type that fits, or a bool).
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            MetaValue::Uint(v, _) => Some(*v),
            MetaValue::Int(v, _) => u64::try_from(*v).ok(),
            MetaValue::Bool(b) => Some(u64::from(*b)),
            _ => None,
        }
    }

    /// The value as a float (any number).
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            MetaValue::Uint(v, _) => Some(*v as f64),
            MetaValue::Int(v, _) => Some(*v as f64),
            MetaValue::Float(v, _) => Some(*v),
            _ => None,
        }
    }

    /// The value as a string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            MetaValue::String { text, .. } => Some(text),
            _ => None,
        }
    }

    /// The value as a bool.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            MetaValue::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

/// An array value: its element type and length, and its scalars when short.
#[derive(Debug, Clone, PartialEq)]
pub struct MetaArray {
    /// The element type.
    pub element: ValueType,
    /// Number of elements.
    pub len: u64,
    /// Absolute file offset of the first element (string arrays are read
    /// lazily from here, e.g. a special token's text).
    pub offset: u64,
    /// The elements, for arrays of scalars of at most [`MAX_KEPT_ARRAY`]
    /// elements; empty otherwise.
    pub scalars: Vec<MetaValue>,
}

/// One metadata entry.
#[derive(Debug, Clone, PartialEq)]
pub struct MetaEntry {
    /// The key, e.g. `llama.block_count`.
    pub key: String,
    /// Its value.
    pub value: MetaValue,
}

/// One tensor info.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GgufTensor {
    /// Its name, e.g. `blk.0.attn_q.weight`.
    pub name: String,
    /// Dimensions as stored: the fastest-varying (`ne[0]`, the row length) first.
    pub dims: Vec<u64>,
    /// The ggml type id.
    pub type_id: u32,
    /// Offset of its data within the data section.
    pub offset: u64,
    /// Elements (product of the dimensions).
    pub elements: u64,
    /// Exact bytes (elements / block size × type size), when the type is known.
    pub bytes: Option<u64>,
}

impl GgufTensor {
    /// The ggml type, when known.
    pub fn ggml(&self) -> Option<&'static GgmlType> {
        ggml_type(self.type_id)
    }

    /// The type's name (`Q4_K`), or `type N` for unknown ids.
    pub fn type_name(&self) -> String {
        match self.ggml() {
            Some(t) => t.name.to_string(),
            None => format!("type {}", self.type_id),
        }
    }

    /// The shape as people (and safetensors, PyTorch, candle) write it:
    /// the GGUF dimensions reversed, rows first.
    pub fn shape(&self) -> Vec<u64> {
        self.dims.iter().rev().copied().collect()
    }
}

/// A parsed GGUF header.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GgufHeader {
    /// The format version (1, 2 or 3).
    pub version: u32,
    /// Tensor count as declared.
    pub tensor_count: u64,
    /// Metadata entries as declared.
    pub metadata_count: u64,
    /// Metadata read, in file order (all of it unless a finding says otherwise).
    pub metadata: Vec<MetaEntry>,
    /// Tensor infos read, in file order.
    pub tensors: Vec<GgufTensor>,
    /// The data section's alignment.
    pub alignment: u64,
    /// Absolute offset of the data section (0 when the header could not be read to its end).
    pub data_offset: u64,
    /// Absolute offset of the first tensor info, just after the metadata
    /// (0 when the metadata could not be read to its end).
    pub tensors_at: u64,
    /// File length.
    pub file_size: u64,
    /// True when the whole header was read.
    pub complete: bool,
}

impl GgufHeader {
    /// The value of a metadata key.
    pub fn get(&self, key: &str) -> Option<&MetaValue> {
        self.metadata
            .iter()
            .find(|e| e.key == key)
            .map(|e| &e.value)
    }

    /// A string value.
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(MetaValue::as_str)
    }

    /// An integer value.
    pub fn get_u64(&self, key: &str) -> Option<u64> {
        self.get(key).and_then(MetaValue::as_u64)
    }

    /// An array value.
    pub fn get_array(&self, key: &str) -> Option<&MetaArray> {
        match self.get(key) {
            Some(MetaValue::Array(a)) => Some(a),
            _ => None,
        }
    }

    /// Bytes of tensor data the file holds after the header.
    pub fn data_len(&self) -> u64 {
        self.file_size.saturating_sub(self.data_offset)
    }
}

/// Why reading stopped.
enum Stop {
    /// The file ends before the value.
    Truncated(String),
    /// A value breaks the format.
    Invalid(String),
}

/// A cursor over the file's bytes that checks every read.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    wide: bool,
}

impl<'a> Reader<'a> {
    fn remaining(&self) -> u64 {
        (self.buf.len() - self.pos) as u64
    }

    fn take(&mut self, n: u64, what: &dyn Fn() -> String) -> Result<&'a [u8], Stop> {
        if n > self.remaining() {
            return Err(Stop::Truncated(format!(
                "{} needs {n} bytes at byte {}, but the file ends at byte {}",
                what(),
                self.pos,
                self.buf.len()
            )));
        }
        // n <= remaining, which fits in usize
        let n = n as usize;
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn array<const N: usize>(&mut self, what: &dyn Fn() -> String) -> Result<[u8; N], Stop> {
        let s = self.take(N as u64, what)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    fn u32(&mut self, what: &dyn Fn() -> String) -> Result<u32, Stop> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }

    fn u64(&mut self, what: &dyn Fn() -> String) -> Result<u64, Stop> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }

    /// A length or count: u64 from version 2 on, u32 in version 1.
    fn len(&mut self, what: &dyn Fn() -> String) -> Result<u64, Stop> {
        if self.wide {
            self.u64(what)
        } else {
            self.u32(what).map(u64::from)
        }
    }

    /// A string's bytes (length checked against the cap and the file).
    fn string_bytes(&mut self, what: &dyn Fn() -> String) -> Result<&'a [u8], Stop> {
        let at = self.pos;
        let len = self.len(what)?;
        if len > MAX_STRING_BYTES {
            return Err(Stop::Invalid(format!(
                "{} has a length of {len} bytes (at byte {at}), over the {MAX_STRING_BYTES}-byte limit",
                what()
            )));
        }
        self.take(len, what)
    }

    fn string(&mut self, what: &dyn Fn() -> String) -> Result<String, Stop> {
        let bytes = self.string_bytes(what)?;
        Ok(decode(bytes))
    }

    fn value(
        &mut self,
        ty: ValueType,
        depth: usize,
        what: &dyn Fn() -> String,
    ) -> Result<MetaValue, Stop> {
        use ValueType::*;
        Ok(match ty {
            U8 => MetaValue::Uint(u64::from(self.array::<1>(what)?[0]), ty),
            I8 => MetaValue::Int(i64::from(i8::from_le_bytes(self.array(what)?)), ty),
            U16 => MetaValue::Uint(u64::from(u16::from_le_bytes(self.array(what)?)), ty),
            I16 => MetaValue::Int(i64::from(i16::from_le_bytes(self.array(what)?)), ty),
            U32 => MetaValue::Uint(u64::from(self.u32(what)?), ty),
            I32 => MetaValue::Int(i64::from(i32::from_le_bytes(self.array(what)?)), ty),
            U64 => MetaValue::Uint(self.u64(what)?, ty),
            I64 => MetaValue::Int(i64::from_le_bytes(self.array(what)?), ty),
            F32 => MetaValue::Float(f64::from(f32::from_le_bytes(self.array(what)?)), ty),
            F64 => MetaValue::Float(f64::from_le_bytes(self.array(what)?), ty),
            Bool => {
                let at = self.pos;
                match self.array::<1>(what)?[0] {
                    0 => MetaValue::Bool(false),
                    1 => MetaValue::Bool(true),
                    b => {
                        return Err(Stop::Invalid(format!(
                            "{} is a bool of value {b} at byte {at} (only 0 and 1 are booleans)",
                            what()
                        )))
                    }
                }
            }
            String => {
                let bytes = self.string_bytes(what)?;
                let kept = &bytes[..bytes.len().min(MAX_KEPT_STRING)];
                MetaValue::String {
                    text: decode(kept),
                    len: bytes.len() as u64,
                }
            }
            Array => {
                if depth >= MAX_DEPTH {
                    return Err(Stop::Invalid(format!(
                        "{} nests arrays more than {MAX_DEPTH} deep",
                        what()
                    )));
                }
                let at = self.pos;
                let id = self.u32(what)?;
                let element = ValueType::from_id(id).ok_or_else(|| {
                    Stop::Invalid(format!(
                        "{} is an array of unknown value type {id} (at byte {at})",
                        what()
                    ))
                })?;
                let len = self.len(what)?;
                if len > MAX_ARRAY_ELEMENTS {
                    return Err(Stop::Invalid(format!(
                        "{} declares {len} array elements, over the limit of {MAX_ARRAY_ELEMENTS}",
                        what()
                    )));
                }
                let needed = len.saturating_mul(element.min_size(self.wide));
                if needed > self.remaining() {
                    return Err(Stop::Truncated(format!(
                        "{} declares {len} {} elements (at least {needed} bytes) at byte {at}, but only {} bytes follow",
                        what(),
                        element.name(),
                        self.remaining()
                    )));
                }
                let offset = self.pos as u64;
                let keep = len <= MAX_KEPT_ARRAY && !matches!(element, String | Array);
                if element == String && !keep {
                    // strings not kept: lengths checked, bytes skipped, nothing decoded
                    for i in 0..len {
                        self.string_bytes(&|| format!("{}[{i}]", what()))?;
                    }
                    return Ok(MetaValue::Array(MetaArray {
                        element,
                        len,
                        offset,
                        scalars: Vec::new(),
                    }));
                }
                if !keep && !matches!(element, String | Array | Bool) {
                    // fixed-size numbers not kept: skipped in one checked step
                    self.take(needed, what)?;
                    return Ok(MetaValue::Array(MetaArray {
                        element,
                        len,
                        offset,
                        scalars: Vec::new(),
                    }));
                }
                let mut scalars = Vec::new();
                if keep {
                    // len <= MAX_KEPT_ARRAY: a bounded allocation
                    scalars.reserve(len as usize);
                }
                for i in 0..len {
                    let v = self.value(element, depth + 1, &|| format!("{}[{i}]", what()))?;
                    if keep {
                        scalars.push(v);
                    }
                }
                MetaValue::Array(MetaArray {
                    element,
                    len,
                    offset,
                    scalars,
                })
            }
        })
    }
}

/// UTF-8 decoded lossily, trailing NULs dropped (some writers add one).
fn decode(bytes: &[u8]) -> String {
    let mut end = bytes.len();
    while end > 0 && bytes[end - 1] == 0 {
        end -= 1;
    }
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

/// The `index`-th string of a string array that starts at `offset` in `buf`
/// (`len` elements), read by walking the array; `None` when out of range or unreadable.
pub fn string_at(buf: &[u8], array: &MetaArray, wide: bool, index: u64) -> Option<String> {
    if array.element != ValueType::String || index >= array.len {
        return None;
    }
    let start = usize::try_from(array.offset).ok()?;
    if start > buf.len() {
        return None;
    }
    let mut r = Reader {
        buf,
        pos: start,
        wide,
    };
    let what = || String::new();
    for _ in 0..index {
        r.string_bytes(&what).ok()?;
    }
    r.string(&what).ok()
}

/// Reads and validates the GGUF header of `buf` (the whole file).
///
/// Returns the header when the fixed part (magic, version, counts) could be
/// read, with whatever metadata and tensor infos were read before any
/// problem, and every problem as a finding (without the file set).
pub fn parse(buf: &[u8]) -> (Option<GgufHeader>, Vec<Finding>) {
    let mut findings = Vec::new();
    if let Some(not_gguf) = check_magic(buf) {
        findings.push(not_gguf);
        return (None, findings);
    }
    let mut r = Reader {
        buf,
        pos: 4,
        wide: true,
    };
    let mut header = match read_fixed(&mut r) {
        Ok(h) => h,
        Err(stop) => {
            findings.push(stop);
            return (None, findings);
        }
    };
    let (tensor_count, metadata_count) = (header.tensor_count, header.metadata_count);
    // Each entry takes at least this many bytes: a count the file cannot hold is absurd.
    let ls = len_size(r.wide);
    let min_kv = ls + 4 + 1;
    let min_tensor = ls + 4 + 4 + 8;
    let needed = metadata_count
        .saturating_mul(min_kv)
        .saturating_add(tensor_count.saturating_mul(min_tensor));
    if needed > r.remaining() {
        findings.push(invalid(format!(
            "the header declares {tensor_count} tensors and {metadata_count} metadata entries, which need at least {needed} bytes, but the file holds {} after the counts",
            r.remaining()
        )));
        return (Some(header), findings);
    }
    if let Err(stop) = read_metadata(&mut r, &mut header, &mut findings) {
        findings.push(stop);
        return (Some(header), findings);
    }
    header.tensors_at = r.pos as u64;
    check_alignment(&mut header, &mut findings);
    if let Err(stop) = read_tensors(&mut r, &mut header, &mut findings) {
        findings.push(stop);
        return (Some(header), findings);
    }
    header.complete = true;
    let end = r.pos as u64;
    header.data_offset = end
        .checked_next_multiple_of(header.alignment)
        .unwrap_or(u64::MAX);
    check_layout(&header, &mut findings);
    (Some(header), findings)
}

/// An error finding about a malformed GGUF header.
fn invalid(m: String) -> Finding {
    Finding::error(Code::GgufInvalid, m)
}

/// The finding for a file that does not start with the magic `GGUF`
/// (naming an old GGML/GGJT file as one), or `None` when it does.
fn check_magic(buf: &[u8]) -> Option<Finding> {
    if buf.len() >= 4 && &buf[..4] == b"GGUF" {
        return None;
    }
    let file_size = buf.len() as u64;
    let msg = match buf.get(..4) {
        None => format!("not a GGUF file: {file_size} bytes, too short for the magic `GGUF`"),
        Some(b"ggml" | b"lmgg" | b"fmgg" | b"tjgg" | b"algg") => {
            "not a GGUF file: an old GGML/GGJT file (llama.cpp's format before GGUF); convert it with llama.cpp's tools".to_string()
        }
        Some(m) => format!(
            "not a GGUF file: the magic is {:02x} {:02x} {:02x} {:02x}, not `GGUF` (47 47 55 46)",
            m[0], m[1], m[2], m[3]
        ),
    };
    Some(invalid(msg))
}

/// Reads the fixed part after the magic: the version (1 to 3, which also
/// sets how wide lengths are) and the tensor and metadata counts. Returns
/// the header they start, or the finding that stops the read.
fn read_fixed(r: &mut Reader<'_>) -> Result<GgufHeader, Finding> {
    let version = r.u32(&|| "the version".to_string()).map_err(stop_finding)?;
    if !(1..=3).contains(&version) {
        let swapped = version.swap_bytes();
        let msg = if (1..=3).contains(&swapped) {
            format!("a big-endian GGUF file (version {swapped}); mri reads little-endian GGUF only")
        } else {
            format!("GGUF version {version} is not one mri knows (1, 2 and 3 are)")
        };
        return Err(Finding::error(Code::GgufUnsupportedVersion, msg));
    }
    r.wide = version >= 2;
    let (tensor_count, metadata_count) = r
        .len(&|| "the tensor count".to_string())
        .and_then(|t| Ok((t, r.len(&|| "the metadata count".to_string())?)))
        .map_err(stop_finding)?;
    Ok(GgufHeader {
        version,
        tensor_count,
        metadata_count,
        alignment: DEFAULT_ALIGNMENT,
        file_size: r.buf.len() as u64,
        ..Default::default()
    })
}

/// Reads the metadata entries into `header`; a key seen before is a
/// finding and is not kept. `Err` is the finding that stops the read (the
/// entries before it are kept).
fn read_metadata(
    r: &mut Reader<'_>,
    header: &mut GgufHeader,
    findings: &mut Vec<Finding>,
) -> Result<(), Finding> {
    let mut keys: HashSet<String> = HashSet::new();
    for i in 0..header.metadata_count {
        let entry_at = r.pos;
        let key = r
            .string(&|| format!("the key of metadata entry {i}"))
            .map_err(stop_finding)?;
        let what = || format!("metadata `{key}`");
        let ty_at = r.pos;
        let id = r.u32(&what).map_err(stop_finding)?;
        let Some(ty) = ValueType::from_id(id) else {
            return Err(invalid(format!(
                "metadata `{key}` has unknown value type {id} (at byte {ty_at})"
            )));
        };
        let value = r.value(ty, 0, &what).map_err(stop_finding)?;
        if !keys.insert(key.clone()) {
            findings.push(invalid(format!(
                "metadata key `{key}` appears twice (again at byte {entry_at}); llama.cpp refuses such files"
            )));
            continue;
        }
        header.metadata.push(MetaEntry { key, value });
    }
    Ok(())
}

/// Takes `general.alignment` when it is a u32 power of two; any other
/// value is a finding, and the default alignment stays.
fn check_alignment(header: &mut GgufHeader, findings: &mut Vec<Finding>) {
    match header.get("general.alignment") {
        None => {}
        Some(v) => match v {
            MetaValue::Uint(a, ValueType::U32) if *a > 0 && a.is_power_of_two() => {
                header.alignment = *a
            }
            _ => findings.push(invalid(format!(
                "general.alignment is {} ({}), not a u32 power of two; the default {DEFAULT_ALIGNMENT} is assumed",
                summary(v),
                v.type_name()
            ))),
        },
    }
}

/// Reads the tensor infos into `header`; a name seen before is a finding
/// (the tensor is kept). `Err` is the finding that stops the read (the
/// tensors before it are kept).
fn read_tensors(
    r: &mut Reader<'_>,
    header: &mut GgufHeader,
    findings: &mut Vec<Finding>,
) -> Result<(), Finding> {
    let mut names: HashSet<String> = HashSet::new();
    for i in 0..header.tensor_count {
        let name = r
            .string(&|| format!("the name of tensor {i}"))
            .map_err(stop_finding)?;
        let t = read_tensor(r, name, findings).map_err(stop_finding)?;
        if !names.insert(t.name.clone()) {
            findings.push(
                invalid(format!("tensor `{}` is defined twice", t.name)).on_tensor(t.name.clone()),
            );
        }
        header.tensors.push(t);
    }
    Ok(())
}

fn read_tensor(
    r: &mut Reader<'_>,
    name: String,
    findings: &mut Vec<Finding>,
) -> Result<GgufTensor, Stop> {
    let what = || format!("tensor `{name}`");
    let at = r.pos;
    let n_dims = r.u32(&what)?;
    if n_dims > MAX_DIMS {
        return Err(Stop::Invalid(format!(
            "tensor `{name}` has {n_dims} dimensions (at byte {at}); ggml allows at most {MAX_DIMS}"
        )));
    }
    let mut dims = Vec::with_capacity(n_dims as usize);
    for _ in 0..n_dims {
        dims.push(r.len(&what)?);
    }
    let type_id = r.u32(&what)?;
    let offset = r.u64(&what)?;
    let elements = dims.iter().try_fold(1u64, |acc, &d| acc.checked_mul(d));
    let bad = |m: String| Finding::error(Code::GgufInvalid, m).on_tensor(name.clone());
    if name.len() > MAX_TENSOR_NAME {
        findings.push(bad(format!(
            "tensor name `{name}` is {} bytes long; llama.cpp accepts at most {MAX_TENSOR_NAME}",
            name.len()
        )));
    }
    let elements = match elements {
        Some(e) if e <= i64::MAX as u64 => e,
        _ => {
            findings.push(bad(format!(
                "tensor `{name}` has dimensions {dims:?} whose product overflows"
            )));
            return Ok(GgufTensor {
                name,
                dims,
                type_id,
                offset,
                elements: u64::MAX,
                bytes: None,
            });
        }
    };
    let bytes = match ggml_type(type_id) {
        Some(t) => {
            let row = dims.first().copied().unwrap_or(1);
            if row % t.block_size != 0 {
                findings.push(bad(format!(
                    "tensor `{name}` ({}) has rows of {row} elements, not a multiple of the {}-element block",
                    t.name, t.block_size
                )));
                None
            } else {
                (elements / t.block_size).checked_mul(t.type_size)
            }
        }
        None => {
            let msg = match removed_type(type_id) {
                Some(old) => format!(
                    "tensor `{name}` has ggml type {type_id} ({old}), removed from ggml: today's llama.cpp cannot load it, and its size is unchecked"
                ),
                None => format!(
                    "tensor `{name}` has ggml type {type_id}, which mri does not know: its size is unchecked"
                ),
            };
            findings.push(Finding::warning(Code::GgufUnknownType, msg).on_tensor(name.clone()));
            None
        }
    };
    Ok(GgufTensor {
        name,
        dims,
        type_id,
        offset,
        elements,
        bytes,
    })
}

/// Checks the tensors' byte ranges against each other and the file.
///
/// A writer lays the tensors out back to back (each padded to the
/// alignment). Tensors past the end that continue that layout mean the file
/// was cut short (`gguf/truncated`, once); a tensor past the end after a gap
/// has a bad offset (`gguf/tensor-out-of-bounds`).
fn check_layout(h: &GgufHeader, findings: &mut Vec<Finding>) {
    let data_len = if h.data_offset <= h.file_size {
        h.data_len()
    } else {
        0
    };
    let mut ranges: Vec<(u64, u64, &str)> = Vec::new();
    for t in &h.tensors {
        if t.offset % h.alignment != 0 {
            findings.push(
                Finding::error(
                    Code::GgufInvalid,
                    format!(
                        "tensor `{}` starts at data offset {}, not a multiple of the alignment {}",
                        t.name, t.offset, h.alignment
                    ),
                )
                .on_tensor(t.name.clone()),
            );
        }
        if let Some(b) = t.bytes {
            ranges.push((t.offset, t.offset.saturating_add(b), &t.name));
        }
    }
    ranges.sort_unstable();
    let mut expected = 0u64;
    let mut cut: Vec<&(u64, u64, &str)> = Vec::new();
    let mut layout_end = 0u64;
    for (i, range) in ranges.iter().enumerate() {
        let (start, end, name) = *range;
        if i > 0 && start < ranges[i - 1].1 {
            let prev = ranges[i - 1];
            findings.push(
                Finding::error(
                    Code::GgufInvalid,
                    format!(
                        "tensors `{}` [{}, {}) and `{name}` [{start}, {end}) overlap",
                        prev.2, prev.0, prev.1
                    ),
                )
                .on_tensor(name.to_string()),
            );
        }
        let in_layout = start == expected;
        if end > data_len {
            if in_layout {
                cut.push(range);
            } else {
                findings.push(
                    Finding::error(
                        Code::GgufTensorOutOfBounds,
                        format!(
                            "tensor `{name}` occupies data bytes [{start}, {end}), past the end of the data section ({data_len} bytes)"
                        ),
                    )
                    .on_tensor(name.to_string()),
                );
            }
        }
        if in_layout {
            layout_end = end;
        }
        expected = end
            .checked_next_multiple_of(h.alignment)
            .unwrap_or(u64::MAX);
    }
    if let Some(first) = cut.first() {
        findings.push(Finding::error(
            Code::GgufTruncated,
            format!(
                "the file is truncated: its tensors need {layout_end} bytes of data after the header but it holds {data_len}; {} of {} tensors (from `{}`) lie wholly or partly past the end",
                cut.len(),
                h.tensors.len(),
                first.2
            ),
        ));
    }
}

fn stop_finding(stop: Stop) -> Finding {
    match stop {
        Stop::Truncated(m) => {
            Finding::error(Code::GgufTruncated, format!("the header is cut short: {m}"))
        }
        Stop::Invalid(m) => Finding::error(Code::GgufInvalid, m),
    }
}

/// A value in a few words, for messages and summaries.
pub fn summary(v: &MetaValue) -> String {
    match v {
        MetaValue::Uint(n, _) => n.to_string(),
        MetaValue::Int(n, _) => n.to_string(),
        MetaValue::Float(f, _) => format!("{f}"),
        MetaValue::Bool(b) => b.to_string(),
        MetaValue::String { text, .. } => format!("{text:?}"),
        MetaValue::Array(a) => format!("[{}; {}]", a.element.name(), a.len),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A version-1 file: u32 counts, lengths and dimensions.
    fn v1_file() -> Vec<u8> {
        let mut b = b"GGUF".to_vec();
        b.extend(1u32.to_le_bytes());
        b.extend(1u32.to_le_bytes()); // tensors
        b.extend(1u32.to_le_bytes()); // metadata
        let s = |b: &mut Vec<u8>, t: &str| {
            b.extend((t.len() as u32).to_le_bytes());
            b.extend(t.as_bytes());
        };
        s(&mut b, "general.architecture");
        b.extend(8u32.to_le_bytes());
        s(&mut b, "llama");
        s(&mut b, "t");
        b.extend(2u32.to_le_bytes());
        b.extend(8u32.to_le_bytes());
        b.extend(4u32.to_le_bytes());
        b.extend(0u32.to_le_bytes()); // F32
        b.extend(0u64.to_le_bytes());
        while !b.len().is_multiple_of(32) {
            b.push(0);
        }
        b.extend([0u8; 128]);
        b
    }

    #[test]
    fn version_1_reads_with_narrow_lengths_and_candle_agrees() {
        let bytes = v1_file();
        let (h, problems) = parse(&bytes);
        assert!(problems.is_empty(), "{problems:?}");
        let h = h.unwrap();
        assert_eq!(h.version, 1);
        assert_eq!(h.get_str("general.architecture"), Some("llama"));
        assert_eq!(h.tensors[0].shape(), vec![4, 8]);
        assert_eq!(h.tensors[0].bytes, Some(128));
        let c = candle_core::quantized::gguf_file::Content::read(&mut std::io::Cursor::new(&bytes))
            .unwrap();
        assert_eq!(c.tensor_data_offset, h.data_offset);
        assert_eq!(c.tensor_infos["t"].shape.dims(), &[4, 8]);
    }

    #[test]
    fn every_prefix_of_a_file_is_a_finding_not_a_panic() {
        let bytes = v1_file();
        for n in 0..bytes.len() {
            let (_, problems) = parse(&bytes[..n]);
            assert!(!problems.is_empty(), "prefix of {n} bytes");
        }
    }

    #[test]
    fn special_tokens_are_read_lazily_from_the_array() {
        let mut b = b"GGUF".to_vec();
        b.extend(3u32.to_le_bytes());
        b.extend(0u64.to_le_bytes());
        b.extend(1u64.to_le_bytes());
        let s = |b: &mut Vec<u8>, t: &str| {
            b.extend((t.len() as u64).to_le_bytes());
            b.extend(t.as_bytes());
        };
        s(&mut b, "tokenizer.ggml.tokens");
        b.extend(9u32.to_le_bytes());
        b.extend(8u32.to_le_bytes());
        b.extend(3u64.to_le_bytes());
        for t in ["<s>", "a", "</s>"] {
            s(&mut b, t);
        }
        let (h, problems) = parse(&b);
        assert!(problems.is_empty(), "{problems:?}");
        let h = h.unwrap();
        let tokens = h.get_array("tokenizer.ggml.tokens").unwrap();
        assert_eq!(tokens.len, 3);
        assert_eq!(string_at(&b, tokens, true, 2).as_deref(), Some("</s>"));
        assert_eq!(string_at(&b, tokens, true, 3), None);
    }
}
