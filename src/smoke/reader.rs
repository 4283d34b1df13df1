//! The weights read from the shards into candle's storage, one tensor at a
//! time, without a memory map.
//!
//! candle's memory-mapped loader copies each tensor out of the map, so a
//! run held the map's pages (resident once read) and the copy: 11.6 GB for
//! 5.9 GB of bf16 weights, and 17.5 GB in f32. Here a tensor stored in the
//! dtype asked for is read (`pread`) straight into the vector candle then
//! owns; one stored in another dtype is read in chunks of [`CHUNK`] bytes
//! and converted into it (in parallel). The file's pages stay in the page
//! cache, not in this process: the peak is the weights in their loaded
//! dtype plus one chunk.

use super::backend::HeaderTensor;
use crate::util::fs::open_regular;
use candle_core::{DType, Device, Shape, Tensor};
use half::slice::HalfFloatSliceExt;
use half::vec::HalfBitsVecExt;
use half::{bf16, f16};
use rayon::prelude::*;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// Bytes read at once by one task when a tensor is read as stored.
pub(crate) const CHUNK: usize = 4 << 20;

/// Bytes read and converted by one task when a tensor is converted (a
/// multiple of 8; with its f32 widening, small enough for a core's cache).
pub(crate) const CONVERT_CHUNK: usize = 1 << 20;

/// The shards, opened once, read by offset.
pub(crate) struct ShardReader {
    files: Vec<(PathBuf, File)>,
}

fn err(path: &Path, what: impl std::fmt::Display) -> candle_core::Error {
    candle_core::Error::Msg(format!("{}: {what}", path.display()))
}

/// A stored float dtype.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stored {
    F32,
    F16,
    Bf16,
    F64,
}

impl Stored {
    fn from_name(name: &str) -> Option<Stored> {
        Some(match name {
            "F32" => Stored::F32,
            "F16" => Stored::F16,
            "BF16" => Stored::Bf16,
            "F64" => Stored::F64,
            _ => return None,
        })
    }

    fn size(self) -> usize {
        match self {
            Stored::F16 | Stored::Bf16 => 2,
            Stored::F32 => 4,
            Stored::F64 => 8,
        }
    }

    fn dtype(self) -> DType {
        match self {
            Stored::F32 => DType::F32,
            Stored::F16 => DType::F16,
            Stored::Bf16 => DType::BF16,
            Stored::F64 => DType::F64,
        }
    }
}

impl ShardReader {
    /// Opens every shard (regular files only), in the order the tensors'
    /// `shard` indexes refer to.
    pub(crate) fn open(paths: &[PathBuf]) -> candle_core::Result<Self> {
        let files = paths
            .iter()
            .map(|p| {
                open_regular(p)
                    .map(|f| (p.clone(), f))
                    .map_err(|e| err(p, format!("cannot open: {e}")))
            })
            .collect::<candle_core::Result<_>>()?;
        Ok(ShardReader { files })
    }

    /// Reads one tensor as `dtype` onto `device`.
    pub(crate) fn read(
        &self,
        name: &str,
        t: &HeaderTensor,
        dtype: DType,
        device: &Device,
    ) -> candle_core::Result<Tensor> {
        let Some((path, file)) = self.files.get(t.shard) else {
            candle_core::bail!("{name}: no shard {} was opened", t.shard)
        };
        let Some(stored) = Stored::from_name(&t.dtype) else {
            return Err(err(
                path,
                format!("{name} is stored as {}, not floats", t.dtype),
            ));
        };
        let elems = t
            .shape
            .iter()
            .try_fold(1usize, |acc, d| acc.checked_mul(usize::try_from(*d).ok()?))
            .filter(|n| n.checked_mul(stored.size()) == usize::try_from(t.bytes).ok())
            .ok_or_else(|| {
                err(
                    path,
                    format!(
                        "{name}: shape {:?} of {} does not take {} bytes",
                        t.shape, t.dtype, t.bytes
                    ),
                )
            })?;
        let shape = Shape::from(t.shape.iter().map(|d| *d as usize).collect::<Vec<_>>());
        let at = Source {
            path,
            file,
            offset: t.offset,
        };
        let tensor = if stored.dtype() == dtype {
            at.read_as_stored(stored, elems, shape)
        } else {
            at.read_converted(stored, elems, dtype, shape)
        }
        .map_err(|e| err(path, format!("reading {name}: {e}")))?;
        tensor.to_device(device)
    }
}

impl ShardReader {
    /// Reads elements `start..start + dst.len()` of a tensor stored as
    /// `dtype` (bf16 or f16) into `dst`, its bits, in parallel chunks: how
    /// the streamed pass (`llama_stream.rs`) fills its reused buffer.
    pub(crate) fn read_bits(
        &self,
        name: &str,
        t: &HeaderTensor,
        dtype: DType,
        start: usize,
        dst: &mut [u16],
    ) -> candle_core::Result<()> {
        let Some((path, file)) = self.files.get(t.shard) else {
            candle_core::bail!("{name}: no shard {} was opened", t.shard)
        };
        let stored = Stored::from_name(&t.dtype).filter(|s| s.size() == 2);
        if stored.map(Stored::dtype) != Some(dtype) {
            return Err(err(
                path,
                format!("{name} is stored as {}, not {dtype:?}", t.dtype),
            ));
        }
        let within = start
            .checked_add(dst.len())
            .and_then(|end| end.checked_mul(2))
            .is_some_and(|end| end as u64 <= t.bytes);
        if !within {
            return Err(err(
                path,
                format!(
                    "{name}: elements {start}..+{} lie outside its {} bytes",
                    dst.len(),
                    t.bytes
                ),
            ));
        }
        let at = Source {
            path,
            file,
            offset: t.offset.saturating_add(start as u64 * 2),
        };
        at.fill_all(bytemuck::cast_slice_mut(dst))
            .map_err(|e| err(path, format!("reading {name}: {e}")))?;
        if cfg!(target_endian = "big") {
            dst.iter_mut().for_each(|x| *x = u16::from_le(*x));
        }
        Ok(())
    }
}

/// Where a tensor's bytes start.
struct Source<'a> {
    path: &'a Path,
    file: &'a File,
    offset: u64,
}

impl Source<'_> {
    /// Fills `buf` from `offset + at`.
    fn fill(&self, buf: &mut [u8], at: u64) -> io::Result<()> {
        let pos = self.offset.saturating_add(at);
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileExt;
            self.file.read_exact_at(buf, pos)
        }
        #[cfg(not(unix))]
        {
            use std::io::{Read, Seek, SeekFrom};
            let mut f = self.file;
            f.seek(SeekFrom::Start(pos))?;
            f.read_exact(buf)
        }
    }

    /// The bytes straight into the vector candle will own.
    fn read_as_stored(
        &self,
        stored: Stored,
        elems: usize,
        shape: Shape,
    ) -> candle_core::Result<Tensor> {
        let cpu = Device::Cpu;
        let tensor = match stored {
            Stored::Bf16 | Stored::F16 => {
                let mut v = vec![0u16; elems];
                self.fill_all(bytemuck::cast_slice_mut(&mut v))?;
                if cfg!(target_endian = "big") {
                    v.iter_mut().for_each(|x| *x = u16::from_le(*x));
                }
                if stored == Stored::Bf16 {
                    Tensor::from_vec(v.reinterpret_into::<bf16>(), shape, &cpu)?
                } else {
                    Tensor::from_vec(v.reinterpret_into::<f16>(), shape, &cpu)?
                }
            }
            Stored::F32 => {
                let mut v = vec![0f32; elems];
                self.fill_all(bytemuck::cast_slice_mut(&mut v))?;
                if cfg!(target_endian = "big") {
                    v.iter_mut()
                        .for_each(|x| *x = f32::from_bits(u32::from_le(x.to_bits())));
                }
                Tensor::from_vec(v, shape, &cpu)?
            }
            Stored::F64 => {
                let mut v = vec![0f64; elems];
                self.fill_all(bytemuck::cast_slice_mut(&mut v))?;
                if cfg!(target_endian = "big") {
                    v.iter_mut()
                        .for_each(|x| *x = f64::from_bits(u64::from_le(x.to_bits())));
                }
                Tensor::from_vec(v, shape, &cpu)?
            }
        };
        Ok(tensor)
    }

    /// Reads all of `buf`, chunks in parallel (`pread` at each chunk's own
    /// offset: the threads share the file without a lock).
    fn fill_all(&self, buf: &mut [u8]) -> candle_core::Result<()> {
        buf.par_chunks_mut(CHUNK)
            .enumerate()
            .try_for_each(|(i, chunk)| {
                let at = (i * CHUNK) as u64;
                self.fill(chunk, at).map_err(|e| {
                    err(
                        self.path,
                        format!("at byte {}: {e}", self.offset.saturating_add(at)),
                    )
                })
            })
    }

    /// Chunks of the stored bytes, each read and converted by its own task
    /// (widened to f32, then narrowed to `dtype` when that is not f32),
    /// into the vector candle will own.
    fn read_converted(
        &self,
        stored: Stored,
        elems: usize,
        dtype: DType,
        shape: Shape,
    ) -> candle_core::Result<Tensor> {
        let tensor = match dtype {
            DType::F32 => {
                let mut v = vec![0f32; elems];
                self.convert_into(stored, &mut v, |wide, d| d.copy_from_slice(wide))?;
                Tensor::from_vec(v, shape, &Device::Cpu)?
            }
            DType::BF16 => {
                let mut v: Vec<bf16> = vec![0u16; elems].reinterpret_into();
                self.convert_into(stored, &mut v, |wide, d| d.convert_from_f32_slice(wide))?;
                Tensor::from_vec(v, shape, &Device::Cpu)?
            }
            DType::F16 => {
                let mut v: Vec<f16> = vec![0u16; elems].reinterpret_into();
                self.convert_into(stored, &mut v, |wide, d| d.convert_from_f32_slice(wide))?;
                Tensor::from_vec(v, shape, &Device::Cpu)?
            }
            DType::F64 => {
                let mut v = vec![0f64; elems];
                self.convert_into(stored, &mut v, |wide, d| {
                    d.iter_mut().zip(wide).for_each(|(d, w)| *d = f64::from(*w))
                })?;
                Tensor::from_vec(v, shape, &Device::Cpu)?
            }
            other => candle_core::bail!("weights cannot be loaded as {other:?}"),
        };
        Ok(tensor)
    }

    /// Fills `dst` from the stored values, a chunk per parallel task: the
    /// task reads its chunk's bytes, widens them to f32 and hands them to
    /// `narrow` for its part of `dst`.
    fn convert_into<T: Send>(
        &self,
        stored: Stored,
        dst: &mut [T],
        narrow: impl Fn(&[f32], &mut [T]) + Sync,
    ) -> candle_core::Result<()> {
        let per_task = CONVERT_CHUNK / stored.size();
        dst.par_chunks_mut(per_task).enumerate().try_for_each_init(
            || (vec![0u8; CONVERT_CHUNK], vec![0f32; per_task]),
            |(bytes, wide), (i, d)| {
                let n = d.len();
                let b = &mut bytes[..n * stored.size()];
                let at = (i * CONVERT_CHUNK) as u64;
                self.fill(b, at).map_err(|e| {
                    err(
                        self.path,
                        format!("at byte {}: {e}", self.offset.saturating_add(at)),
                    )
                })?;
                widen(stored, b, &mut wide[..n]);
                narrow(&wide[..n], d);
                Ok(())
            },
        )
    }
}

/// Little-endian stored values → f32.
fn widen(stored: Stored, bytes: &[u8], dst: &mut [f32]) {
    let values = dst.iter_mut().zip(bytes.chunks_exact(stored.size()));
    match stored {
        Stored::Bf16 => values.for_each(|(d, b)| {
            *d = f32::from_bits(u32::from(u16::from_le_bytes([b[0], b[1]])) << 16)
        }),
        Stored::F16 => {
            values.for_each(|(d, b)| *d = f16::from_bits(u16::from_le_bytes([b[0], b[1]])).to_f32())
        }
        Stored::F32 => values.for_each(|(d, b)| {
            *d = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
        }),
        Stored::F64 => values.for_each(|(d, b)| {
            *d = f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f32;
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALUES: [f32; 7] = [1.5, -2.25, 3.0e-3, 0.0, -0.0, 1000.0, 7.0e-6];

    /// The values as `dtype`'s little-endian bytes (through candle's own
    /// conversion), and the tensor candle makes of them.
    fn stored(dtype: DType) -> (Vec<u8>, Tensor) {
        let t = Tensor::new(&VALUES, &Device::Cpu)
            .unwrap()
            .to_dtype(dtype)
            .unwrap();
        let bytes = match dtype {
            DType::F32 => t
                .to_vec1::<f32>()
                .unwrap()
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect(),
            DType::F64 => t
                .to_vec1::<f64>()
                .unwrap()
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect(),
            DType::BF16 => t
                .to_vec1::<bf16>()
                .unwrap()
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect(),
            DType::F16 => t
                .to_vec1::<f16>()
                .unwrap()
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect(),
            _ => unreachable!(),
        };
        (bytes, t)
    }

    fn name(d: DType) -> &'static str {
        match d {
            DType::F32 => "F32",
            DType::F64 => "F64",
            DType::BF16 => "BF16",
            _ => "F16",
        }
    }

    #[test]
    fn every_stored_float_reads_as_every_dtype_as_candle_converts_it() {
        let dtypes = [DType::F32, DType::F64, DType::BF16, DType::F16];
        let tmp = tempfile::tempdir().unwrap();
        for from in dtypes {
            let (bytes, original) = stored(from);
            let path = tmp.path().join(format!("{from:?}.bin"));
            // Some bytes before the tensor: it is read at its offset.
            let mut file = vec![0xAAu8; 13];
            file.extend(&bytes);
            std::fs::write(&path, &file).unwrap();
            let reader = ShardReader::open(std::slice::from_ref(&path)).unwrap();
            let h = HeaderTensor {
                dtype: name(from).into(),
                shape: vec![VALUES.len() as u64],
                bytes: bytes.len() as u64,
                shard: 0,
                offset: 13,
            };
            for to in dtypes {
                let got = reader.read("t", &h, to, &Device::Cpu).unwrap();
                assert_eq!(got.dtype(), to);
                let want = original.to_dtype(to).unwrap();
                let (g, w) = (
                    got.to_dtype(DType::F64).unwrap().to_vec1::<f64>().unwrap(),
                    want.to_dtype(DType::F64).unwrap().to_vec1::<f64>().unwrap(),
                );
                // Through f32 on the way: exact except f64 → half, which
                // may round twice.
                let tol = if from == DType::F64 && to != DType::F64 && to != DType::F32 {
                    1e-2
                } else {
                    0.0
                };
                for (a, b) in g.iter().zip(&w) {
                    assert!(
                        (a - b).abs() <= tol * b.abs(),
                        "{from:?} → {to:?}: {g:?} vs {w:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_short_file_or_a_wrong_length_is_an_error_naming_the_file() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("short.safetensors");
        std::fs::write(&path, [0u8; 10]).unwrap();
        let reader = ShardReader::open(std::slice::from_ref(&path)).unwrap();
        let h = |shape: Vec<u64>, bytes| HeaderTensor {
            dtype: "BF16".into(),
            shape,
            bytes,
            shard: 0,
            offset: 4,
        };
        for dtype in [DType::BF16, DType::F32] {
            let e = reader
                .read("w", &h(vec![4], 8), dtype, &Device::Cpu)
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("short.safetensors") && e.contains("reading w"),
                "{e}"
            );
        }
        let e = reader
            .read("w", &h(vec![2, 2], 6), DType::BF16, &Device::Cpu)
            .unwrap_err()
            .to_string();
        assert!(e.contains("does not take 6 bytes"), "{e}");
        let mut other = h(vec![1], 2);
        other.shard = 3;
        assert!(reader.read("w", &other, DType::BF16, &Device::Cpu).is_err());
        other.shard = 0;
        other.dtype = "I8".into();
        let e = reader
            .read("w", &other, DType::BF16, &Device::Cpu)
            .unwrap_err()
            .to_string();
        assert!(e.contains("stored as I8"), "{e}");
    }

    #[test]
    fn a_large_tensor_is_read_across_chunks() {
        // More than one chunk, converted: every value lands in its place.
        let n = CHUNK / 2 + 1234;
        let values: Vec<bf16> = (0..n).map(|i| bf16::from_f32((i % 251) as f32)).collect();
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("big.bin");
        std::fs::write(&path, &bytes).unwrap();
        let reader = ShardReader::open(std::slice::from_ref(&path)).unwrap();
        let h = HeaderTensor {
            dtype: "BF16".into(),
            shape: vec![n as u64],
            bytes: bytes.len() as u64,
            shard: 0,
            offset: 0,
        };
        let got = reader.read("big", &h, DType::F32, &Device::Cpu).unwrap();
        let got = got.to_vec1::<f32>().unwrap();
        assert!(got.iter().enumerate().all(|(i, v)| *v == (i % 251) as f32));
        let same = reader.read("big", &h, DType::BF16, &Device::Cpu).unwrap();
        assert_eq!(same.to_vec1::<bf16>().unwrap(), values);
    }
}
