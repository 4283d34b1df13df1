//! Which files of a remote repository `mri inspect` fetches: the small files
//! that the report reads (configs, card, license texts, shard index, chat
//! template, code for its hash, small pickles for the import scan), the
//! header of every safetensors file, and the tokenizer's vocabulary files
//! only when asked (`--tokenizer`). Everything else stays on the Hub and is
//! listed with its size.

use crate::scan::classify::{classify, is_license_like, FileClass};
use crate::util::json::{MAX_CONFIG_BYTES, MAX_TOKENIZER_BYTES};

/// Any other file up to this size is fetched (`.gitattributes`, submodule
/// configs, `training_args.bin`, ...).
pub const SMALL_FILE_BYTES: u64 = 1024 * 1024;
/// Python code up to this size is fetched for its sha256 (never run).
pub const MAX_CODE_BYTES: u64 = 4 * 1024 * 1024;
/// At most this many "any other small file" fetches per repository.
pub const MAX_OTHER_FILES: usize = 256;

/// What to do with one listed file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// Download it into the cache (at most this many bytes).
    Fetch(u64),
    /// Download it when fewer than [`MAX_OTHER_FILES`] such files came before.
    FetchIfRoom,
    /// Read only its safetensors header.
    Header,
    /// Leave it on the Hub.
    Skip,
}

/// Vocabulary files: large, and only needed for the tokenizer summary.
fn is_vocabulary(lower_name: &str) -> bool {
    crate::model::tiktoken::is_tiktoken_name(lower_name)
        || matches!(
            lower_name,
            "tokenizer.json"
                | "vocab.json"
                | "vocab.txt"
                | "merges.txt"
                | "tokenizer.model"
                | "spiece.model"
                | "sentencepiece.bpe.model"
                | "tekken.json"
        )
}

/// The plan for `path` of `size` bytes (`None`: not listed).
pub fn plan(path: &str, size: Option<u64>, tokenizer: bool) -> Plan {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let lower = path.to_ascii_lowercase();
    let within = |cap: u64| match size {
        Some(s) if s > cap => Plan::Skip,
        _ => Plan::Fetch(cap),
    };
    if lower.ends_with(".safetensors") {
        return Plan::Header;
    }
    if is_vocabulary(&name) {
        return if tokenizer {
            within(MAX_TOKENIZER_BYTES)
        } else {
            Plan::Skip
        };
    }
    let class = classify(path);
    let important = matches!(
        class,
        FileClass::Config | FileClass::Generation | FileClass::Tokenizer
    ) || lower.ends_with(".safetensors.index.json")
        || name == "readme.md"
        || is_license_like(path);
    if important {
        return within(MAX_CONFIG_BYTES);
    }
    if class == FileClass::Code {
        return within(MAX_CODE_BYTES);
    }
    match size {
        Some(s) if s <= SMALL_FILE_BYTES => Plan::FetchIfRoom,
        _ => Plan::Skip,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_fetched() {
        let mb = 1024 * 1024;
        assert_eq!(
            plan("model-00001-of-00002.safetensors", Some(5 << 30), false),
            Plan::Header
        );
        assert_eq!(
            plan("config.json", Some(700), false),
            Plan::Fetch(MAX_CONFIG_BYTES)
        );
        assert_eq!(
            plan("README.md", None, false),
            Plan::Fetch(MAX_CONFIG_BYTES)
        );
        assert_eq!(
            plan("LICENSE", Some(9000), false),
            Plan::Fetch(MAX_CONFIG_BYTES)
        );
        assert_eq!(
            plan("model.safetensors.index.json", Some(30_000), false),
            Plan::Fetch(MAX_CONFIG_BYTES)
        );
        assert_eq!(
            plan("tokenizer_config.json", Some(50_000), false),
            Plan::Fetch(MAX_CONFIG_BYTES)
        );
        assert_eq!(
            plan("chat_template.jinja", Some(4000), false),
            Plan::Fetch(MAX_CONFIG_BYTES)
        );
        assert_eq!(plan("tokenizer.json", Some(9 * mb), false), Plan::Skip);
        assert_eq!(
            plan("tokenizer.json", Some(9 * mb), true),
            Plan::Fetch(MAX_TOKENIZER_BYTES)
        );
        assert_eq!(plan("vocab.txt", Some(200_000), false), Plan::Skip);
        assert_eq!(plan("tekken.json", Some(15 * mb), false), Plan::Skip);
        assert_eq!(
            plan("tekken.json", Some(15 * mb), true),
            Plan::Fetch(MAX_TOKENIZER_BYTES)
        );
        assert_eq!(
            plan("params.json", Some(400), false),
            Plan::Fetch(MAX_CONFIG_BYTES)
        );
        assert_eq!(
            plan("modeling_x.py", Some(60_000), false),
            Plan::Fetch(MAX_CODE_BYTES)
        );
        assert_eq!(
            plan("training_args.bin", Some(5_000), false),
            Plan::FetchIfRoom
        );
        assert_eq!(plan("pytorch_model.bin", Some(500 * mb), false), Plan::Skip);
        assert_eq!(plan("model.Q4_K_M.gguf", Some(4 << 30), false), Plan::Skip);
        assert_eq!(
            plan("1_Pooling/config.json", Some(200), false),
            Plan::Fetch(MAX_CONFIG_BYTES)
        );
        assert_eq!(
            plan("config.json", Some(MAX_CONFIG_BYTES + 1), false),
            Plan::Skip
        );
        assert_eq!(plan("images/a.png", None, false), Plan::Skip);
    }
}
