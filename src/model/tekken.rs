//! Mistral's Tekken tokenizer file (`tekken.json`, read by `mistral-common`):
//! a tiktoken-style BPE whose ids start with the control tokens
//! (`special_tokens`, by `rank`), followed by the vocabulary. Only the
//! `config` and `special_tokens` sections are kept; the vocabulary (hundreds
//! of thousands of base64 entries) is skipped unbuilt.

use serde::Deserialize;

/// The file name.
pub const TEKKEN_FILE: &str = "tekken.json";

/// What `mri` reads from a `tekken.json`.
#[derive(Debug, Default, Deserialize)]
pub struct Tekken {
    /// The `config` section.
    #[serde(default)]
    pub config: TekkenConfig,
    /// The control tokens, each with its id (`rank`).
    #[serde(default)]
    pub special_tokens: Vec<TekkenSpecial>,
    // `vocab` and anything else: skipped by the parser, never built.
}

/// `config` in `tekken.json`.
#[derive(Debug, Default, Deserialize)]
pub struct TekkenConfig {
    /// The ids the model's embedding covers: control tokens and vocabulary.
    pub default_vocab_size: Option<u64>,
    /// The ids the control tokens take (the first ones).
    pub default_num_special_tokens: Option<u64>,
    /// The tokenizer version (`v3`, `v7`, `v13`, ...).
    pub version: Option<String>,
}

/// One control token.
#[derive(Debug, Deserialize)]
pub struct TekkenSpecial {
    /// Its id.
    pub rank: u64,
    /// Its text (`<s>`, `</s>`, `[INST]`, ...).
    pub token_str: String,
}

impl Tekken {
    /// The id of the control token with this text.
    pub fn special_id(&self, token: &str) -> Option<u64> {
        self.special_tokens
            .iter()
            .find(|s| s.token_str == token)
            .map(|s| s.rank)
    }

    /// How many ids the control tokens take: as `config` states, else as
    /// many as are listed.
    pub fn special_count(&self) -> u64 {
        self.config
            .default_num_special_tokens
            .unwrap_or(self.special_tokens.len() as u64)
    }
}

/// Parses a `tekken.json`.
pub fn parse_tekken(text: &str) -> Result<Tekken, serde_json::Error> {
    serde_json::from_str(text)
}

/// The bos/eos/pad/unk roles and the control tokens Tekken gives them.
pub const ROLES: [(&str, &str); 4] = [
    ("bos", "<s>"),
    ("eos", "</s>"),
    ("pad", "<pad>"),
    ("unk", "<unk>"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_and_control_tokens_are_read_and_the_vocabulary_skipped() {
        let t = parse_tekken(
            r#"{"config": {"pattern": "x", "num_vocab_tokens": 150000, "default_vocab_size": 131072, "default_num_special_tokens": 1000, "version": "v7"},
                "vocab": [{"rank": 0, "token_bytes": "AA==", "token_str": "\u0000"}],
                "special_tokens": [{"rank": 0, "token_str": "<unk>", "is_control": true}, {"rank": 1, "token_str": "<s>", "is_control": true}, {"rank": 2, "token_str": "</s>", "is_control": true}]}"#,
        )
        .unwrap();
        assert_eq!(t.config.default_vocab_size, Some(131072));
        assert_eq!(t.special_count(), 1000);
        assert_eq!(t.config.version.as_deref(), Some("v7"));
        assert_eq!(t.special_id("<s>"), Some(1));
        assert_eq!(t.special_id("</s>"), Some(2));
        assert_eq!(t.special_id("<pad>"), None);
        assert!(parse_tekken("[1, 2]").is_err());
    }
}
