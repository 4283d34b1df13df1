//! tiktoken vocabulary files (`*.tiktoken`, `tiktoken.model`, and the
//! `tokenizer.model` of Llama 3's `original/` folder or GLM-4): one line per
//! token, the token's bytes in base64, a space, and its rank (its id). The
//! special tokens are not in the file; repositories list them in
//! tokenizer_config.json's `added_tokens_decoder`.

use thiserror::Error;

/// File names that hold a tiktoken vocabulary whatever their first line says.
pub fn is_tiktoken_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".tiktoken") || lower == "tiktoken.model"
}

/// What a tiktoken file holds, as far as the report needs it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TiktokenVocab {
    /// Lines (tokens) in the file.
    pub entries: u64,
    /// The highest rank; ids run from 0 to this.
    pub max_rank: u64,
}

/// Why a file is not a readable tiktoken vocabulary.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum TiktokenError {
    /// A line is not `BASE64 RANK`.
    #[error("line {line} is not `<base64 token> <rank>`: {what}")]
    BadLine {
        /// The 1-based line number.
        line: u32,
        /// What is wrong with it.
        what: &'static str,
    },
    /// No token lines at all.
    #[error("holds no token lines")]
    Empty,
}

impl TiktokenError {
    /// The 1-based line the error is on, when it is on one.
    pub fn line(&self) -> Option<u32> {
        match self {
            TiktokenError::BadLine { line, .. } => Some(*line),
            TiktokenError::Empty => None,
        }
    }
}

/// Whether the bytes start like a tiktoken file: a first line of base64, a
/// space and digits. Tells a tiktoken `tokenizer.model` from a SentencePiece one
/// (binary protobuf, whose first byte is a field key).
pub fn looks_like_tiktoken(bytes: &[u8]) -> bool {
    let first = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let first = first.strip_suffix(b"\r").unwrap_or(first);
    std::str::from_utf8(first).is_ok_and(|line| parse_line(line).is_ok())
}

/// One line's rank, or what is wrong with it.
fn parse_line(line: &str) -> Result<u64, &'static str> {
    let mut parts = line.split_ascii_whitespace();
    let (Some(token), Some(rank), None) = (parts.next(), parts.next(), parts.next()) else {
        return Err("expected two fields separated by a space");
    };
    let base64 = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=');
    if !token.bytes().all(base64) || token.len() % 4 != 0 {
        return Err("the token is not base64");
    }
    rank.parse::<u64>()
        .map_err(|_| "the rank is not a whole number")
}

/// Reads a tiktoken vocabulary from its text; every line is checked, and the
/// first bad one is named by its number.
pub fn parse_tiktoken(text: &str) -> Result<TiktokenVocab, TiktokenError> {
    let mut vocab = TiktokenVocab::default();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let rank = parse_line(line).map_err(|what| TiktokenError::BadLine {
            line: u32::try_from(index + 1).unwrap_or(u32::MAX),
            what,
        })?;
        vocab.entries += 1;
        vocab.max_rank = vocab.max_rank.max(rank);
    }
    if vocab.entries == 0 {
        return Err(TiktokenError::Empty);
    }
    Ok(vocab)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_counted_and_the_highest_rank_kept() {
        let v = parse_tiktoken("IQ== 0\nIg== 1\r\nIw== 5\n\n").expect("parses");
        assert_eq!(
            v,
            TiktokenVocab {
                entries: 3,
                max_rank: 5
            }
        );
        assert!(looks_like_tiktoken(b"IQ== 0\nIg== 1\n"));
    }

    #[test]
    fn a_bad_line_is_named() {
        let e = parse_tiktoken("IQ== 0\nIg== one\n").unwrap_err();
        assert_eq!(e.line(), Some(2));
        assert!(e.to_string().contains("rank"), "{e}");
        assert_eq!(parse_tiktoken("\n\n"), Err(TiktokenError::Empty));
        assert_eq!(parse_tiktoken("I?Q= 3").unwrap_err().line(), Some(1));
    }

    #[test]
    fn sentencepiece_bytes_do_not_look_like_tiktoken() {
        assert!(!looks_like_tiktoken(
            b"\x0a\x0b\x0a\x05<unk>\x15\x00\x00\x00\x00"
        ));
        assert!(!looks_like_tiktoken(b""));
        assert!(is_tiktoken_name("qwen.tiktoken"));
        assert!(is_tiktoken_name("tiktoken.model"));
        assert!(!is_tiktoken_name("tokenizer.model"));
    }
}
