//! The two weight sources a model is built from.
//!
//! - [`Checking`] answers from the Report's headers alone: every tensor the
//!   candle model asks for is recorded with the shape and dtype it wants, and
//!   handed back as a zero-stride broadcast of one zero (no memory). Building
//!   the model against it is a dry run that lists every missing tensor, wrong
//!   shape and unloadable dtype at once, before a byte of weight is read;
//!   candle's llama loader would panic at the first.
//! - [`Reading`] reads the real weights from the shards, a tensor at a time
//!   (`reader.rs`: no memory map, no second copy), with the same name
//!   aliases (tied `lm_head`, old `gamma`/`beta` layer norms).

use candle_core::{DType, Device, Shape, Tensor};
use candle_nn::var_builder::SimpleBackend;
use candle_nn::Init;
use std::collections::HashMap;
use std::sync::Mutex;

/// A tensor as a safetensors header states it.
#[derive(Debug, Clone)]
pub(crate) struct HeaderTensor {
    /// Dtype as written (`BF16`).
    pub dtype: String,
    /// Shape.
    pub shape: Vec<u64>,
    /// Stored bytes.
    pub bytes: u64,
    /// The shard it is in: an index into the run's shard list.
    pub shard: usize,
    /// Where its bytes start in that file.
    pub offset: u64,
}

/// What is wrong with one requested tensor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Problem {
    /// Not in any shard.
    Missing,
    /// In a shard with another shape.
    Shape { stored: Vec<u64> },
    /// Stored in a dtype that cannot be loaded as plain weights.
    Dtype(String),
}

/// One tensor the model asked for.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    /// The name the model asked for.
    pub name: String,
    /// The shape it wants (the stored shape for unchecked reads).
    pub shape: Vec<usize>,
    /// The dtype it will be converted to.
    pub dtype: DType,
    /// What is wrong, if anything.
    pub problem: Option<Problem>,
}

/// Requests with a problem the dry run keeps: beyond them, problems are
/// only counted, so that a config asking for absurdly many tensors costs
/// no memory (the message lists the first ones and "and N more").
pub(crate) const MAX_PROBLEMS: usize = 50;

/// What the dry run recorded.
#[derive(Debug, Clone, Default)]
pub(crate) struct Log {
    /// Every request without a problem, in order, and the first
    /// [`MAX_PROBLEMS`] with one.
    pub requests: Vec<Request>,
    /// Requests with a missing or misshapen tensor that were not kept.
    pub dropped_tensor_problems: usize,
    /// Requests with an unloadable dtype that were not kept.
    pub dropped_dtype_problems: usize,
    /// Requests with a problem kept so far.
    kept_problems: usize,
}

impl Log {
    fn push(&mut self, r: Request) {
        match &r.problem {
            None => self.requests.push(r),
            Some(_) if self.kept_problems < MAX_PROBLEMS => {
                self.kept_problems += 1;
                self.requests.push(r);
            }
            Some(Problem::Dtype(_)) => self.dropped_dtype_problems += 1,
            Some(_) => self.dropped_tensor_problems += 1,
        }
    }
}

/// Name aliases: the name a model asks for → the name stored.
pub(crate) type Aliases = HashMap<String, String>;

/// The name `name` is stored under.
pub(crate) fn resolve<'a>(aliases: &'a Aliases, name: &'a str) -> &'a str {
    aliases.get(name).map(String::as_str).unwrap_or(name)
}

/// Whether a stored dtype converts to float weights without extra data
/// (scales, zero points): the plain float types.
pub(crate) fn loadable_dtype(dtype: &str) -> bool {
    matches!(dtype, "F32" | "F16" | "BF16" | "F64")
}

/// The dry-run backend: answers from headers, records every request.
pub(crate) struct Checking<'a> {
    headers: &'a HashMap<String, HeaderTensor>,
    aliases: &'a Aliases,
    log: &'a Mutex<Log>,
}

impl<'a> Checking<'a> {
    /// A backend over `headers` that records its requests into `log`.
    pub(crate) fn new(
        headers: &'a HashMap<String, HeaderTensor>,
        aliases: &'a Aliases,
        log: &'a Mutex<Log>,
    ) -> Self {
        Checking {
            headers,
            aliases,
            log,
        }
    }

    /// What `log` recorded so far.
    pub(crate) fn take(log: &Mutex<Log>) -> Log {
        match log.lock() {
            Ok(l) => l.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    fn record(&self, r: Request) {
        match self.log.lock() {
            Ok(mut l) => l.push(r),
            Err(poisoned) => poisoned.into_inner().push(r),
        }
    }
}

fn placeholder(shape: &Shape, dtype: DType) -> candle_core::Result<Tensor> {
    // One zero, broadcast to the wanted shape: no memory, any shape.
    Tensor::zeros((), dtype, &Device::Cpu)?.broadcast_as(shape.clone())
}

impl SimpleBackend for Checking<'_> {
    fn get(
        &self,
        s: Shape,
        name: &str,
        _: Init,
        dtype: DType,
        _: &Device,
    ) -> candle_core::Result<Tensor> {
        let stored = resolve(self.aliases, name);
        let problem = match self.headers.get(stored) {
            None => Some(Problem::Missing),
            Some(h) if !loadable_dtype(&h.dtype) => Some(Problem::Dtype(h.dtype.clone())),
            Some(h)
                if h.shape.len() != s.dims().len()
                    || h.shape.iter().zip(s.dims()).any(|(a, b)| *a != *b as u64) =>
            {
                Some(Problem::Shape {
                    stored: h.shape.clone(),
                })
            }
            Some(_) => None,
        };
        self.record(Request {
            name: name.to_string(),
            shape: s.dims().to_vec(),
            dtype,
            problem,
        });
        placeholder(&s, dtype)
    }

    fn get_unchecked(&self, name: &str, dtype: DType, _: &Device) -> candle_core::Result<Tensor> {
        let stored = resolve(self.aliases, name);
        let Some(h) = self.headers.get(stored) else {
            self.record(Request {
                name: name.to_string(),
                shape: Vec::new(),
                dtype,
                problem: Some(Problem::Missing),
            });
            return Err(candle_core::Error::CannotFindTensor {
                path: name.to_string(),
            });
        };
        let dims: Vec<usize> = h.shape.iter().map(|d| *d as usize).collect();
        self.record(Request {
            name: name.to_string(),
            shape: dims.clone(),
            dtype,
            problem: (!loadable_dtype(&h.dtype)).then(|| Problem::Dtype(h.dtype.clone())),
        });
        placeholder(&Shape::from(dims), dtype)
    }

    fn contains_tensor(&self, name: &str) -> bool {
        self.headers.contains_key(resolve(self.aliases, name))
    }
}

/// The real weights, read from the shards as the model asks for them
/// (`reader.rs`), behind the aliases, with a LoRA adapter merged in as they
/// load when one is given.
pub(crate) struct Reading {
    pub(crate) reader: super::reader::ShardReader,
    pub(crate) headers: HashMap<String, HeaderTensor>,
    pub(crate) aliases: Aliases,
    pub(crate) lora: Option<super::lora::LoadedLora>,
}

impl Reading {
    /// The tensor stored under `name` (or its alias), read as `dtype`, with
    /// the adapter merged in when one is given.
    fn load(
        &self,
        name: &str,
        want: Option<&Shape>,
        dtype: DType,
        dev: &Device,
    ) -> candle_core::Result<Tensor> {
        let stored = resolve(&self.aliases, name);
        let Some(h) = self.headers.get(stored) else {
            return Err(candle_core::Error::CannotFindTensor {
                path: name.to_string(),
            });
        };
        if let Some(s) = want {
            if h.shape.len() != s.dims().len()
                || h.shape.iter().zip(s.dims()).any(|(a, b)| *a != *b as u64)
            {
                candle_core::bail!(
                    "{name} has shape {:?}, the model wants {:?}",
                    h.shape,
                    s.dims()
                );
            }
        }
        let base = self.reader.read(stored, h, dtype, dev)?;
        match &self.lora {
            Some(l) => l.merge(name, base, dtype, dev),
            None => Ok(base),
        }
    }
}

impl SimpleBackend for Reading {
    fn get(
        &self,
        s: Shape,
        name: &str,
        _: Init,
        dtype: DType,
        dev: &Device,
    ) -> candle_core::Result<Tensor> {
        self.load(name, Some(&s), dtype, dev)
    }

    fn get_unchecked(&self, name: &str, dtype: DType, dev: &Device) -> candle_core::Result<Tensor> {
        self.load(name, None, dtype, dev)
    }

    fn contains_tensor(&self, name: &str) -> bool {
        self.headers.contains_key(resolve(&self.aliases, name))
    }
}

/// Aliases for names a checkpoint stores differently from what candle asks:
/// a tied `lm_head` (when `tie_word_embeddings` is true and no `lm_head` is
/// stored), and `LayerNorm.gamma`/`beta` of old BERT checkpoints.
pub(crate) fn aliases(headers: &HashMap<String, HeaderTensor>, tied: bool) -> Aliases {
    let mut out = Aliases::new();
    if tied && !headers.contains_key("lm_head.weight") {
        for embed in ["model.embed_tokens.weight", "transformer.wte.weight"] {
            if headers.contains_key(embed) {
                out.insert("lm_head.weight".into(), embed.into());
                break;
            }
        }
    }
    for name in headers.keys() {
        if let Some(stem) = name.strip_suffix(".gamma") {
            out.insert(format!("{stem}.weight"), name.clone());
        } else if let Some(stem) = name.strip_suffix(".beta") {
            out.insert(format!("{stem}.bias"), name.clone());
        }
    }
    // An alias never hides a tensor stored under the asked name.
    out.retain(|asked, _| !headers.contains_key(asked));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(entries: &[(&str, &str, &[u64])]) -> HashMap<String, HeaderTensor> {
        entries
            .iter()
            .map(|(n, d, s)| {
                (
                    n.to_string(),
                    HeaderTensor {
                        dtype: d.to_string(),
                        shape: s.to_vec(),
                        bytes: 0,
                        shard: 0,
                        offset: 0,
                    },
                )
            })
            .collect()
    }

    #[test]
    fn placeholders_take_any_shape_without_memory() {
        let h = headers(&[
            ("a", "BF16", &[4, 2]),
            ("b", "I8", &[4]),
            ("c", "F32", &[3]),
        ]);
        let al = Aliases::new();
        let log = Mutex::new(Log::default());
        let c = Checking::new(&h, &al, &log);
        let vb = candle_nn::VarBuilder::from_backend(Box::new(c), DType::F32, Device::Cpu);
        let big = vb.get((1 << 20, 1 << 20), "a").unwrap();
        assert_eq!(big.dims(), &[1 << 20, 1 << 20]);
        assert_eq!(big.stride(), &[0, 0]);
        assert!(vb.contains_tensor("a") && !vb.contains_tensor("d"));
    }

    #[test]
    fn problems_are_classified() {
        let h = headers(&[
            ("a", "BF16", &[4, 2]),
            ("b", "I8", &[4]),
            ("c", "F32", &[3]),
        ]);
        let al = Aliases::new();
        let log = Mutex::new(Log::default());
        let c = Checking::new(&h, &al, &log);
        for (name, shape) in [
            ("a", vec![2usize, 4]),
            ("b", vec![4]),
            ("c", vec![3]),
            ("d", vec![1]),
        ] {
            c.get(
                Shape::from(shape),
                name,
                Init::Const(0.),
                DType::F32,
                &Device::Cpu,
            )
            .unwrap();
        }
        let problems: Vec<_> = Checking::take(&log)
            .requests
            .into_iter()
            .map(|r| r.problem)
            .collect();
        assert_eq!(
            problems,
            vec![
                Some(Problem::Shape { stored: vec![4, 2] }),
                Some(Problem::Dtype("I8".into())),
                None,
                Some(Problem::Missing)
            ]
        );
    }

    #[test]
    fn problems_beyond_the_cap_are_counted_not_kept() {
        let h = headers(&[("a", "F32", &[1]), ("b", "I8", &[1])]);
        let al = Aliases::new();
        let log = Mutex::new(Log::default());
        let c = Checking::new(&h, &al, &log);
        let extra = 1000;
        for i in 0..MAX_PROBLEMS + extra {
            let name = if i % 2 == 0 {
                format!("x{i}")
            } else {
                "b".into()
            };
            for n in [name.as_str(), "a"] {
                c.get(
                    Shape::from(vec![1usize]),
                    n,
                    Init::Const(0.),
                    DType::F32,
                    &Device::Cpu,
                )
                .unwrap();
            }
        }
        let l = Checking::take(&log);
        let kept = l.requests.iter().filter(|r| r.problem.is_some()).count();
        assert_eq!(kept, MAX_PROBLEMS);
        assert_eq!(l.requests.len(), MAX_PROBLEMS + MAX_PROBLEMS + extra);
        assert_eq!(l.dropped_tensor_problems + l.dropped_dtype_problems, extra);
        assert_eq!(l.dropped_tensor_problems, extra / 2);
    }

    #[test]
    fn tied_head_and_old_layer_norm_names_are_aliased() {
        let h = headers(&[
            ("model.embed_tokens.weight", "BF16", &[8, 4]),
            ("enc.LayerNorm.gamma", "F32", &[4]),
            ("enc.LayerNorm.beta", "F32", &[4]),
        ]);
        let a = aliases(&h, true);
        assert_eq!(a["lm_head.weight"], "model.embed_tokens.weight");
        assert_eq!(a["enc.LayerNorm.weight"], "enc.LayerNorm.gamma");
        assert_eq!(a["enc.LayerNorm.bias"], "enc.LayerNorm.beta");
        assert!(!aliases(&h, false).contains_key("lm_head.weight"));
    }
}
