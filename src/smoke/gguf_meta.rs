//! Typed reads of GGUF metadata values.
//!
//! GGUF writers do not agree on integer widths (a block count may be a
//! `u32`, an `i32` or a `u64`), while candle's loaders accept exactly the
//! type llama.cpp writes (`Value::to_u32` is `U32` only). These helpers read
//! any integer that fits, and [`normalise`] rewrites the keys a loader reads
//! into the exact types it asks for, so a file that llama.cpp would load is
//! not refused for a width.

use candle_core::quantized::gguf_file::Value;
use std::collections::HashMap;

/// The metadata of a GGUF file.
pub(crate) type Metadata = HashMap<String, Value>;

/// Why a key could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum MetaProblem {
    /// The key is absent.
    Missing(String),
    /// The key holds another type, or a value out of range.
    Wrong {
        /// The key.
        key: String,
        /// What was expected (`a u32`, `a string`, ...).
        expected: &'static str,
        /// What it holds.
        found: String,
    },
}

impl std::fmt::Display for MetaProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MetaProblem::Missing(key) => write!(f, "missing metadata key {key}"),
            MetaProblem::Wrong {
                key,
                expected,
                found,
            } => write!(f, "metadata key {key} should be {expected}, holds {found}"),
        }
    }
}

/// A short description of a value for messages.
pub(crate) fn describe(v: &Value) -> String {
    match v {
        Value::String(s) if s.chars().count() > 40 => {
            format!("the string {:?}...", s.chars().take(40).collect::<String>())
        }
        Value::String(s) => format!("the string {s:?}"),
        Value::Array(a) => format!("an array of {} values", a.len()),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::F32(x) => format!("the f32 {x}"),
        Value::F64(x) => format!("the f64 {x}"),
        other => match as_i128(other) {
            Some(n) => format!("the integer {n}"),
            None => format!("{other:?}"),
        },
    }
}

fn as_i128(v: &Value) -> Option<i128> {
    Some(match v {
        Value::U8(x) => i128::from(*x),
        Value::I8(x) => i128::from(*x),
        Value::U16(x) => i128::from(*x),
        Value::I16(x) => i128::from(*x),
        Value::U32(x) => i128::from(*x),
        Value::I32(x) => i128::from(*x),
        Value::U64(x) => i128::from(*x),
        Value::I64(x) => i128::from(*x),
        _ => return None,
    })
}

/// An integer value that fits a `u32` (any integer type).
pub(crate) fn value_u32(v: &Value) -> Option<u32> {
    as_i128(v).and_then(|n| u32::try_from(n).ok())
}

/// A `u32` under `key`: `Ok(None)` when absent.
pub(crate) fn u32_of(md: &Metadata, key: &str) -> Result<Option<u32>, MetaProblem> {
    match md.get(key) {
        None => Ok(None),
        Some(v) => value_u32(v).map(Some).ok_or_else(|| MetaProblem::Wrong {
            key: key.to_string(),
            expected: "an integer that fits 32 bits",
            found: describe(v),
        }),
    }
}

/// An `f32` under `key` (an f64 or an integer is accepted): `Ok(None)` when absent.
pub(crate) fn f32_of(md: &Metadata, key: &str) -> Result<Option<f32>, MetaProblem> {
    match md.get(key) {
        None => Ok(None),
        Some(Value::F32(x)) if x.is_finite() => Ok(Some(*x)),
        Some(Value::F64(x)) if x.is_finite() => Ok(Some(*x as f32)),
        Some(v) => match as_i128(v) {
            Some(n) => Ok(Some(n as f32)),
            None => Err(MetaProblem::Wrong {
                key: key.to_string(),
                expected: "a finite number",
                found: describe(v),
            }),
        },
    }
}

/// A string under `key`: `Ok(None)` when absent.
pub(crate) fn str_of<'a>(md: &'a Metadata, key: &str) -> Result<Option<&'a str>, MetaProblem> {
    match md.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(v) => Err(MetaProblem::Wrong {
            key: key.to_string(),
            expected: "a string",
            found: describe(v),
        }),
    }
}

/// A boolean under `key` (0/1 integers accepted): `Ok(None)` when absent.
pub(crate) fn bool_of(md: &Metadata, key: &str) -> Result<Option<bool>, MetaProblem> {
    match md.get(key) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(v) => match as_i128(v) {
            Some(0) => Ok(Some(false)),
            Some(1) => Ok(Some(true)),
            _ => Err(MetaProblem::Wrong {
                key: key.to_string(),
                expected: "a boolean",
                found: describe(v),
            }),
        },
    }
}

/// The elements of an array under `key`: `Ok(None)` when absent.
pub(crate) fn array_of<'a>(
    md: &'a Metadata,
    key: &str,
) -> Result<Option<&'a [Value]>, MetaProblem> {
    match md.get(key) {
        None => Ok(None),
        Some(Value::Array(a)) => Ok(Some(a)),
        Some(v) => Err(MetaProblem::Wrong {
            key: key.to_string(),
            expected: "an array",
            found: describe(v),
        }),
    }
}

/// What a loader reads a key as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Want {
    /// `Value::to_u32`: exactly `U32`.
    U32,
    /// `Value::to_f32`: exactly `F32`.
    F32,
}

/// Rewrites `key` into the exact type `want` when it holds a compatible
/// value of another width (an `i32` block count, an `f64` epsilon).
/// Absent keys are left absent; incompatible ones are reported.
pub(crate) fn normalise(md: &mut Metadata, key: &str, want: Want) -> Result<(), MetaProblem> {
    let replacement = match want {
        Want::U32 => u32_of(md, key)?.map(Value::U32),
        Want::F32 => f32_of(md, key)?.map(Value::F32),
    };
    if let Some(v) = replacement {
        md.insert(key.to_string(), v);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_of_any_width_read_as_u32_and_normalise() {
        let mut md = Metadata::new();
        md.insert("a".into(), Value::I32(7));
        md.insert("b".into(), Value::U64(1 << 40));
        md.insert("c".into(), Value::String("x".into()));
        md.insert("e".into(), Value::F64(1e-6));
        assert_eq!(u32_of(&md, "a"), Ok(Some(7)));
        assert!(u32_of(&md, "b").is_err());
        assert_eq!(u32_of(&md, "z"), Ok(None));
        let err = u32_of(&md, "c").expect_err("string");
        assert_eq!(
            err.to_string(),
            "metadata key c should be an integer that fits 32 bits, holds the string \"x\""
        );
        normalise(&mut md, "a", Want::U32).expect("fits");
        assert!(matches!(md.get("a"), Some(Value::U32(7))));
        normalise(&mut md, "e", Want::F32).expect("number");
        assert!(matches!(md.get("e"), Some(Value::F32(x)) if (*x - 1e-6).abs() < 1e-12));
        normalise(&mut md, "absent", Want::U32).expect("absent is fine");
        assert!(!md.contains_key("absent"));
    }

    #[test]
    fn booleans_and_strings() {
        let mut md = Metadata::new();
        md.insert("t".into(), Value::Bool(true));
        md.insert("one".into(), Value::U8(1));
        md.insert("s".into(), Value::String("gpt2".into()));
        assert_eq!(bool_of(&md, "t"), Ok(Some(true)));
        assert_eq!(bool_of(&md, "one"), Ok(Some(true)));
        assert!(bool_of(&md, "s").is_err());
        assert_eq!(str_of(&md, "s"), Ok(Some("gpt2")));
        assert!(str_of(&md, "t").is_err());
        assert_eq!(
            MetaProblem::Missing("k".into()).to_string(),
            "missing metadata key k"
        );
    }
}
