//! `--filter KEY=VALUE` and `--sort [-]KEY` over the rows of a listing.

use super::row::Row;
use std::cmp::Ordering;
use thiserror::Error;

/// A column a filter or sort names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The target string.
    Target,
    /// The short name.
    Name,
    /// The kind.
    Kind,
    /// The architecture.
    Architecture,
    /// The parameter count.
    Parameters,
    /// The quantization.
    Quantization,
    /// The size on disk.
    Size,
    /// The licenses.
    License,
    /// The verdict (sorted strictest first).
    Verdict,
    /// Error findings.
    Errors,
    /// Warning findings.
    Warnings,
    /// The newest file's time.
    Modified,
    /// Why the model could not be inspected.
    Error,
}

/// Every field with the names it answers to (the first is the column's).
const FIELDS: &[(Field, &[&str])] = &[
    (Field::Target, &["target"]),
    (Field::Name, &["name"]),
    (Field::Kind, &["kind"]),
    (Field::Architecture, &["architecture", "arch"]),
    (Field::Parameters, &["parameters", "params"]),
    (Field::Quantization, &["quantization", "quant"]),
    (Field::Size, &["size", "size_on_disk"]),
    (Field::License, &["license"]),
    (Field::Verdict, &["verdict"]),
    (Field::Errors, &["errors"]),
    (Field::Warnings, &["warnings"]),
    (Field::Modified, &["modified"]),
    (Field::Error, &["error"]),
];

/// A mistake in `--filter` or `--sort`.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum SelectError {
    /// The key names no column.
    #[error("unknown key `{0}`; the keys are {keys}", keys = key_names())]
    UnknownKey(String),
    /// No operator in a filter.
    #[error("`{0}` is not a filter: write KEY=VALUE, KEY!=VALUE, or KEY>N / KEY<N for numbers")]
    NoOperator(String),
    /// A comparison of a text column, or a value that is no number.
    #[error(
        "`{0}`: `>` and `<` compare numbers (parameters, size, errors, warnings), as 7B, 4GB, 10"
    )]
    NotANumber(String),
}

fn key_names() -> String {
    FIELDS
        .iter()
        .map(|(_, n)| n[0])
        .collect::<Vec<_>>()
        .join(", ")
}

impl std::str::FromStr for Field {
    type Err = SelectError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let k = s.trim().to_ascii_lowercase();
        FIELDS
            .iter()
            .find(|(_, names)| names.contains(&k.as_str()))
            .map(|(f, _)| *f)
            .ok_or_else(|| SelectError::UnknownKey(s.to_string()))
    }
}

impl Field {
    fn numeric(self) -> bool {
        matches!(
            self,
            Field::Parameters | Field::Size | Field::Errors | Field::Warnings | Field::Modified
        )
    }

    fn number(self, r: &Row) -> Option<u64> {
        match self {
            Field::Parameters => r.parameters,
            Field::Size => Some(r.size_on_disk),
            Field::Errors => Some(r.errors),
            Field::Warnings => Some(r.warnings),
            Field::Modified => r.modified,
            _ => None,
        }
    }

    /// The field as text, as filters match it.
    fn text(self, r: &Row) -> Option<String> {
        match self {
            Field::Target => Some(r.target.clone()),
            Field::Name => Some(r.name.clone()),
            Field::Kind => Some(r.kind.as_str().to_string()),
            Field::Architecture => r.architecture.clone(),
            Field::Quantization => r.quantization.clone(),
            Field::License => r.license.clone(),
            Field::Verdict => r.verdict.map(|v| v.as_str().to_string()),
            Field::Error => r.error.clone(),
            Field::Modified => r.modified_utc.clone(),
            _ => self.number(r).map(|n| n.to_string()),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

/// One `--filter`.
#[derive(Debug, Clone)]
pub struct Filter {
    field: Field,
    op: Op,
    /// For `=` / `!=`: alternatives (comma-separated), each a glob.
    patterns: Vec<glob::Pattern>,
    /// For numeric comparisons (and `=` on a number column).
    number: Option<u64>,
}

impl std::str::FromStr for Filter {
    type Err = SelectError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let ops = [
            ("!=", Op::Ne),
            (">=", Op::Ge),
            ("<=", Op::Le),
            ("=", Op::Eq),
            (">", Op::Gt),
            ("<", Op::Lt),
        ];
        let (at, len, op) = ops
            .iter()
            .filter_map(|(t, op)| s.find(t).map(|i| (i, t.len(), *op)))
            .min_by_key(|(i, len, _)| (*i, std::cmp::Reverse(*len)))
            .ok_or_else(|| SelectError::NoOperator(s.to_string()))?;
        let field: Field = s[..at].parse()?;
        let value = s[at + len..].trim();
        let number = field.numeric().then(|| parse_number(value)).flatten();
        if matches!(op, Op::Gt | Op::Ge | Op::Lt | Op::Le) && number.is_none() {
            return Err(SelectError::NotANumber(s.to_string()));
        }
        // A value that is not a valid glob is matched literally.
        let patterns = value
            .split(',')
            .filter_map(|p| {
                let p = p.trim();
                glob::Pattern::new(p)
                    .or_else(|_| glob::Pattern::new(&glob::Pattern::escape(p)))
                    .ok()
            })
            .collect();
        Ok(Filter {
            field,
            op,
            patterns,
            number,
        })
    }
}

impl Filter {
    /// True when `row` passes this filter. A row without the value (an
    /// unusable model has no verdict) matches only `KEY=` and `!=`.
    pub fn keeps(&self, row: &Row) -> bool {
        let options = glob::MatchOptions {
            case_sensitive: false,
            require_literal_separator: false,
            require_literal_leading_dot: false,
        };
        if let (Some(want), Some(have)) = (self.number, self.field.number(row)) {
            return match self.op {
                Op::Eq => have == want,
                Op::Ne => have != want,
                Op::Gt => have > want,
                Op::Ge => have >= want,
                Op::Lt => have < want,
                Op::Le => have <= want,
            };
        }
        let text = self.field.text(row).unwrap_or_default();
        let hit = self.patterns.iter().any(|p| p.matches_with(&text, options));
        match self.op {
            Op::Eq => hit,
            Op::Ne => !hit,
            _ => false,
        }
    }
}

/// `7B`, `1.5M`, `4GB`, `4GiB`, `1200`: parameter and byte counts.
fn parse_number(s: &str) -> Option<u64> {
    let lower = s.trim().to_ascii_lowercase();
    let digits_end = lower
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(lower.len());
    let (num, unit) = lower.split_at(digits_end);
    let value: f64 = num.parse().ok()?;
    let scale: f64 = match unit.trim() {
        "" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "b" | "g" | "gb" => 1e9,
        "t" | "tb" => 1e12,
        "kib" => 1024.0,
        "mib" => 1024f64.powi(2),
        "gib" => 1024f64.powi(3),
        "tib" => 1024f64.powi(4),
        _ => return None,
    };
    let n = value * scale;
    (n.is_finite() && n >= 0.0 && n < u64::MAX as f64).then_some(n.round() as u64)
}

/// One `--sort`: a field, ascending unless written `-KEY`.
#[derive(Debug, Clone, Copy)]
pub struct Sort {
    field: Field,
    descending: bool,
}

impl std::str::FromStr for Sort {
    type Err = SelectError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (descending, key) = match s.strip_prefix('-') {
            Some(k) => (true, k),
            None => (false, s),
        };
        Ok(Sort {
            field: key.parse()?,
            descending,
        })
    }
}

impl Default for Sort {
    /// By name: a repo's revisions together, then Ollama models and paths.
    fn default() -> Self {
        Sort {
            field: Field::Name,
            descending: false,
        }
    }
}

impl Sort {
    /// Sorts `rows` by this key; rows without the value come last, ties
    /// keep the target order.
    pub fn apply(&self, rows: &mut [Row]) {
        rows.sort_by(|a, b| self.compare(a, b).then_with(|| a.target.cmp(&b.target)));
    }

    fn compare(&self, a: &Row, b: &Row) -> Ordering {
        let f = self.field;
        let key = |r: &Row| -> Option<Result<u64, String>> {
            if let Field::Verdict = f {
                return r.verdict.map(|v| Ok(u64::from(v.rank())));
            }
            if f.numeric() {
                return f.number(r).map(Ok);
            }
            f.text(r).map(|t| Err(t.to_lowercase()))
        };
        match (key(a), key(b)) {
            (None, None) => Ordering::Equal,
            (None, Some(_)) => Ordering::Greater,
            (Some(_), None) => Ordering::Less,
            (Some(x), Some(y)) => {
                let o = x.cmp(&y);
                if self.descending {
                    o.reverse()
                } else {
                    o
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_take_the_usual_suffixes() {
        assert_eq!(parse_number("7B"), Some(7_000_000_000));
        assert_eq!(parse_number("1.5m"), Some(1_500_000));
        assert_eq!(parse_number("4GiB"), Some(4 << 30));
        assert_eq!(parse_number("12"), Some(12));
        assert_eq!(parse_number("x"), None);
        assert_eq!(parse_number("3 parsecs"), None);
    }

    #[test]
    fn filter_mistakes_are_named() {
        assert!(matches!(
            "colour=red".parse::<Filter>(),
            Err(SelectError::UnknownKey(_))
        ));
        assert!(matches!(
            "verdict".parse::<Filter>(),
            Err(SelectError::NoOperator(_))
        ));
        assert!(matches!(
            "license>3".parse::<Filter>(),
            Err(SelectError::NotANumber(_))
        ));
        assert!("size>=4GB".parse::<Filter>().is_ok());
        assert!("-verdict".parse::<Sort>().is_ok());
    }
}
