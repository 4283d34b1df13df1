//! A GGUF header with tensors of types candle 0.11 cannot hold (IQ4_XS),
//! read past candle: mri's own parser (`scan::gguf::parse`) finds where the
//! metadata ends and every tensor's type; candle's `Content::read` is then
//! handed the file's own header bytes with those tensors left out of the
//! tensor list (so candle still reads the metadata, tokenizer arrays and
//! all), and they are kept beside it as [`OwnTensor`]s, which this crate's
//! forward reads and multiplies itself.

use crate::scan::gguf::parse::{GgufHeader, GgufTensor};
use candle_core::quantized::gguf_file::Content;
use candle_core::quantized::GgmlDType;
use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom};

/// A ggml type candle lacks and this crate runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OwnType {
    /// IQ4_XS (ggml type 23): 256 values in 136 bytes.
    Iq4Xs,
}

impl OwnType {
    /// The type of ggml type id `id`, when this crate runs it.
    pub(crate) fn of(id: u32) -> Option<OwnType> {
        (id == 23).then_some(OwnType::Iq4Xs)
    }

    /// llama.cpp's lowercase name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            OwnType::Iq4Xs => "iq4_xs",
        }
    }

    /// Values per block.
    pub(crate) fn block_values(self) -> u64 {
        match self {
            OwnType::Iq4Xs => super::quant_kernel::IQ4_XS_VALUES as u64,
        }
    }

    /// Bytes per block.
    pub(crate) fn block_bytes(self) -> u64 {
        match self {
            OwnType::Iq4Xs => super::quant_kernel::IQ4_XS_BYTES as u64,
        }
    }
}

/// A tensor of an [`OwnType`], where the file holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OwnTensor {
    /// Its type.
    pub(crate) dtype: OwnType,
    /// Its shape in candle's order (outermost first).
    pub(crate) shape: Vec<u64>,
    /// Offset of its bytes from the start of the data section.
    pub(crate) offset: u64,
}

impl OwnTensor {
    /// Bytes it takes in the file; `None` on overflow or a partial block.
    pub(crate) fn stored_bytes(&self) -> Option<u64> {
        bytes_of(&self.shape, StoredType::Own(self.dtype))
    }

    /// Reads its bytes from `reader` (the data section at `data_offset`).
    pub(crate) fn read<R: Read + Seek>(
        &self,
        reader: &mut R,
        data_offset: u64,
    ) -> candle_core::Result<Vec<u8>> {
        let (Some(len), Some(start)) = (self.stored_bytes(), data_offset.checked_add(self.offset))
        else {
            candle_core::bail!(
                "a {} tensor of shape {:?} has an impossible size",
                self.dtype.name(),
                self.shape
            )
        };
        let len =
            usize::try_from(len).map_err(|_| candle_core::Error::Msg("tensor too large".into()))?;
        read_span(reader, start, len)
    }
}

/// The `len` bytes at `start` of `reader` (a tensor's blocks), or an error
/// saying how many the file has left there, checked before anything is
/// allocated.
pub(crate) fn read_span<R: Read + Seek>(
    reader: &mut R,
    start: u64,
    len: usize,
) -> candle_core::Result<Vec<u8>> {
    let remaining = reader.seek(SeekFrom::End(0))?.saturating_sub(start);
    if len as u64 > remaining {
        candle_core::bail!(
            "needs {len} bytes at offset {start}, only {remaining} remaining in the file"
        )
    }
    let mut bytes = vec![0u8; len];
    reader.seek(SeekFrom::Start(start))?;
    reader.read_exact(&mut bytes)?;
    Ok(bytes)
}

/// The tensors of [`OwnType`]s of a file, by name (empty for files candle
/// reads whole).
pub(crate) type OwnTensors = HashMap<String, OwnTensor>;

/// Candle's view of a file whose only types candle lacks are
/// [`OwnType`]s, plus those tensors; `None` when `header` is incomplete
/// or holds another type candle lacks (the caller's error stands).
/// `reader` is the file; `candle_reads` says which type ids candle holds.
pub(crate) fn read_past_candle<R: Read + Seek>(
    header: &GgufHeader,
    reader: &mut R,
    candle_reads: impl Fn(u32) -> bool,
) -> Option<Result<(Content, OwnTensors), String>> {
    if !header.complete || header.tensors_at == 0 {
        return None;
    }
    let mut own = OwnTensors::new();
    let mut kept: Vec<&GgufTensor> = Vec::new();
    for t in &header.tensors {
        match OwnType::of(t.type_id) {
            _ if candle_reads(t.type_id) => kept.push(t),
            Some(dtype) => {
                own.insert(
                    t.name.clone(),
                    OwnTensor {
                        dtype,
                        shape: t.shape(),
                        offset: t.offset,
                    },
                );
            }
            None => return None,
        }
    }
    if own.is_empty() {
        return None;
    }
    Some(rewritten(header, reader, &kept).map(|content| (content, own)))
}

/// candle's `Content` of the file's header with only `kept` tensors listed;
/// the data section where the file has it.
fn rewritten<R: Read + Seek>(
    header: &GgufHeader,
    reader: &mut R,
    kept: &[&GgufTensor],
) -> Result<Content, String> {
    let wide = header.version >= 2;
    let len = usize::try_from(header.tensors_at).map_err(|e| e.to_string())?;
    let mut bytes = vec![0u8; len];
    reader
        .seek(SeekFrom::Start(0))
        .and_then(|_| reader.read_exact(&mut bytes))
        .map_err(|e| e.to_string())?;
    // The tensor count follows the magic and version.
    let put_len = |out: &mut Vec<u8>, n: u64| {
        if wide {
            out.extend(n.to_le_bytes());
        } else {
            // Version 1's lengths are u32; the parser read them so.
            out.extend((n as u32).to_le_bytes());
        }
    };
    let mut count = Vec::new();
    put_len(&mut count, kept.len() as u64);
    bytes
        .get_mut(8..8 + count.len())
        .ok_or("the header is shorter than its counts")?
        .copy_from_slice(&count);
    for t in kept {
        put_len(&mut bytes, t.name.len() as u64);
        bytes.extend(t.name.as_bytes());
        bytes.extend((t.dims.len() as u32).to_le_bytes());
        for &d in &t.dims {
            put_len(&mut bytes, d);
        }
        bytes.extend(t.type_id.to_le_bytes());
        bytes.extend(t.offset.to_le_bytes());
    }
    let mut content = Content::read(&mut std::io::Cursor::new(bytes))
        .map_err(|e| super::error::candle_message(&e))?;
    content.tensor_data_offset = header.data_offset;
    Ok(content)
}

/// A tensor's type, whichever side holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StoredType {
    /// A type candle holds.
    Candle(GgmlDType),
    /// One of this crate's.
    Own(OwnType),
}

impl StoredType {
    /// Values per block.
    pub(crate) fn block_values(self) -> u64 {
        match self {
            StoredType::Candle(d) => d.block_size() as u64,
            StoredType::Own(o) => o.block_values(),
        }
    }

    /// Bytes per block.
    pub(crate) fn block_bytes(self) -> u64 {
        match self {
            StoredType::Candle(d) => d.type_size() as u64,
            StoredType::Own(o) => o.block_bytes(),
        }
    }

    /// llama.cpp's lowercase name.
    pub(crate) fn name(self) -> &'static str {
        match self {
            StoredType::Candle(d) => super::gguf::ggml_name(d),
            StoredType::Own(o) => o.name(),
        }
    }
}

/// What the checks before loading need of a tensor, from either side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stored {
    /// Its type.
    pub(crate) dtype: StoredType,
    /// Its shape, outermost first.
    pub(crate) shape: Vec<u64>,
    /// Offset from the start of the data section.
    pub(crate) offset: u64,
}

impl Stored {
    /// Its values; `None` on overflow.
    pub(crate) fn elements(&self) -> Option<u64> {
        elements_of(&self.shape)
    }

    /// Bytes it takes in the file; `None` on overflow or a partial block.
    pub(crate) fn stored_bytes(&self) -> Option<u64> {
        bytes_of(&self.shape, self.dtype)
    }
}

/// Values in a tensor of `shape`; `None` on overflow.
fn elements_of(shape: &[u64]) -> Option<u64> {
    shape.iter().try_fold(1u64, |acc, &d| acc.checked_mul(d))
}

/// Bytes a tensor of `shape` takes in blocks of `dtype`; `None` on overflow
/// or a partial block.
fn bytes_of(shape: &[u64], dtype: StoredType) -> Option<u64> {
    let elems = elements_of(shape)?;
    let block = dtype.block_values();
    if block == 0 || elems % block != 0 {
        return None;
    }
    (elems / block).checked_mul(dtype.block_bytes())
}

/// Tensor `name` of the file, in `content` or `own`.
pub(crate) fn stored(content: &Content, own: &OwnTensors, name: &str) -> Option<Stored> {
    if let Some(t) = content.tensor_infos.get(name) {
        return Some(Stored {
            dtype: StoredType::Candle(t.ggml_dtype),
            shape: t.shape.dims().iter().map(|&d| d as u64).collect(),
            offset: t.offset,
        });
    }
    own.get(name).map(|t| Stored {
        dtype: StoredType::Own(t.dtype),
        shape: t.shape.clone(),
        offset: t.offset,
    })
}

/// Every tensor name of the file, sorted.
pub(crate) fn names(content: &Content, own: &OwnTensors) -> Vec<String> {
    let mut names: Vec<String> = content
        .tensor_infos
        .keys()
        .chain(own.keys())
        .cloned()
        .collect();
    names.sort();
    names
}
