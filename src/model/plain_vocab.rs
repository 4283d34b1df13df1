//! Plain vocabulary files: `vocab.txt` (WordPiece, one token a line, the id
//! its line number from 0) and `vocab.json` (byte-level BPE, `{token: id}`),
//! read where no tokenizer.json or tokenizer model file says more. Only the
//! size and the special-looking tokens (`[CLS]`, `<|endoftext|>`, ...) with
//! their ids are kept.

use crate::model::tokenizer::Vocab;

/// Longest token kept as special-looking.
const MAX_SPECIAL_LEN: usize = 64;

/// What a plain vocabulary file holds, as far as the report needs it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlainVocab {
    /// Tokens in the file.
    pub entries: u64,
    /// The highest id.
    pub max_id: u64,
    /// Tokens in brackets (`[PAD]`, `<unk>`, `<|endoftext|>`) with their ids.
    pub specials: Vec<(String, u64)>,
}

/// Whether a token looks like a special one: in square or angle brackets.
fn looks_special(token: &str) -> bool {
    token.len() >= 3
        && token.len() <= MAX_SPECIAL_LEN
        && ((token.starts_with('[') && token.ends_with(']'))
            || (token.starts_with('<') && token.ends_with('>')))
}

/// Reads `vocab.txt`: the id of a token is its line number from 0.
/// `None` when the file has no lines.
pub fn parse_vocab_txt(text: &str) -> Option<PlainVocab> {
    let mut v = PlainVocab::default();
    for (id, line) in (0u64..).zip(text.lines()) {
        v.entries += 1;
        v.max_id = id;
        if looks_special(line) {
            v.specials.push((line.to_string(), id));
        }
    }
    (v.entries > 0).then_some(v)
}

/// Reads `vocab.json` (`{token: id}`); `Ok(None)` when it is empty.
pub fn parse_vocab_json(text: &str) -> Result<Option<PlainVocab>, serde_json::Error> {
    let Vocab(vocab) = serde_json::from_str(text)?;
    let entries = vocab.len() as u64;
    let max_id = vocab.values().max().copied().unwrap_or(0);
    let mut specials: Vec<(String, u64)> = vocab
        .into_iter()
        .filter(|(t, _)| looks_special(t))
        .collect();
    specials.sort_by_key(|(_, id)| *id);
    Ok((entries > 0).then_some(PlainVocab {
        entries,
        max_id,
        specials,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn owned(specials: &[(&str, u64)]) -> Vec<(String, u64)> {
        specials
            .iter()
            .map(|(t, id)| (t.to_string(), *id))
            .collect()
    }

    #[test]
    fn vocab_txt_ids_are_line_numbers() {
        let v = parse_vocab_txt("[PAD]\n[unused0]\n[UNK]\nthe\n##s\n<\n").expect("lines");
        assert_eq!((v.entries, v.max_id), (6, 5));
        // "the", "##s" are text, and so is a lone bracket.
        assert_eq!(
            v.specials,
            owned(&[("[PAD]", 0), ("[unused0]", 1), ("[UNK]", 2)])
        );
        assert_eq!(parse_vocab_txt(""), None);
    }

    #[test]
    fn vocab_json_ids_are_its_values() {
        let v = parse_vocab_json(r#"{"a": 0, "b": 7, "<|endoftext|>": 9}"#)
            .expect("parses")
            .expect("entries");
        assert_eq!((v.entries, v.max_id), (3, 9));
        assert_eq!(v.specials, owned(&[("<|endoftext|>", 9)]));
        assert!(parse_vocab_json("[1, 2").is_err());
        assert_eq!(parse_vocab_json("{}").expect("parses"), None);
    }
}
