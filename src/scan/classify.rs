//! File classes, decided from the file's path.

use serde::{Deserialize, Serialize};

/// What a file in a model repository is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FileClass {
    /// Model configuration (config.json, processor configs, adapter config).
    Config,
    /// Weights in safetensors form, and shard indexes.
    Weights,
    /// Tokenizer files and chat templates.
    Tokenizer,
    /// generation_config.json.
    Generation,
    /// Model card, license texts, notices, git metadata.
    Meta,
    /// Python code that `trust_remote_code` would execute.
    Code,
    /// Pickle-based weights (never unpickled).
    Pickle,
    /// GGUF files.
    Gguf,
    /// ONNX graphs and their external data.
    Onnx,
    /// Anything else.
    Other,
}

impl FileClass {
    /// Every class, in display order.
    pub const ALL: [FileClass; 10] = [
        FileClass::Config,
        FileClass::Weights,
        FileClass::Tokenizer,
        FileClass::Generation,
        FileClass::Meta,
        FileClass::Code,
        FileClass::Pickle,
        FileClass::Gguf,
        FileClass::Onnx,
        FileClass::Other,
    ];

    /// Lowercase name used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            FileClass::Config => "config",
            FileClass::Weights => "weights",
            FileClass::Tokenizer => "tokenizer",
            FileClass::Generation => "generation",
            FileClass::Meta => "meta",
            FileClass::Code => "code",
            FileClass::Pickle => "pickle",
            FileClass::Gguf => "gguf",
            FileClass::Onnx => "onnx",
            FileClass::Other => "other",
        }
    }
}

const TOKENIZER_FILES: &[&str] = &[
    "tokenizer.json",
    "tokenizer_config.json",
    "vocab.json",
    "vocab.txt",
    "merges.txt",
    "tokenizer.model",
    "spiece.model",
    "sentencepiece.bpe.model",
    "special_tokens_map.json",
    "added_tokens.json",
    "chat_template.jinja",
    "chat_template.json",
    "tekken.json",
];

const LICENSE_PREFIXES: &[&str] = &[
    "license",
    "licence",
    "copying",
    "notice",
    "use_policy",
    "model_license",
    "license-model",
    "license_model",
    "responsible_use",
];

/// Classifies a file by its path relative to the model root (`/` separators).
pub fn classify(rel_path: &str) -> FileClass {
    let name = rel_path.rsplit('/').next().unwrap_or(rel_path);
    let lower = name.to_ascii_lowercase();
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");

    if TOKENIZER_FILES.contains(&lower.as_str()) || crate::model::tiktoken::is_tiktoken_name(&lower)
    {
        return FileClass::Tokenizer;
    }
    if lower == "generation_config.json" {
        return FileClass::Generation;
    }
    if lower.ends_with(".safetensors") || lower.ends_with(".safetensors.index.json") {
        return FileClass::Weights;
    }
    if lower.ends_with(".bin.index.json") || lower.ends_with(".pt.index.json") {
        return FileClass::Weights;
    }
    if lower.ends_with(".gguf") {
        return FileClass::Gguf;
    }
    if matches!(ext, "onnx" | "onnx_data") || lower.ends_with(".onnx.data") {
        return FileClass::Onnx;
    }
    if matches!(ext, "bin" | "pt" | "pth" | "ckpt" | "pkl" | "pickle") {
        return FileClass::Pickle;
    }
    if ext == "py" {
        return FileClass::Code;
    }
    if lower == "config.json"
        || lower.ends_with("_config.json")
        || lower == "model_index.json"
        || lower == "modules.json"
        || lower == "config_sentence_transformers.json"
        || lower == "params.json"
    {
        return FileClass::Config;
    }
    if lower == "readme.md"
        || lower == ".gitattributes"
        || lower == ".gitignore"
        || ext == "md"
        || LICENSE_PREFIXES.iter().any(|p| lower.starts_with(p))
    {
        return FileClass::Meta;
    }
    FileClass::Other
}

/// Extensions of files that are never a license text, whatever their name
/// (archives, images, documents in binary formats, arrays).
const BINARY_EXTENSIONS: &[&str] = &[
    "zip",
    "gz",
    "tgz",
    "tar",
    "bz2",
    "xz",
    "zst",
    "7z",
    "rar",
    "png",
    "jpg",
    "jpeg",
    "gif",
    "webp",
    "bmp",
    "ico",
    "pdf",
    "doc",
    "docx",
    "odt",
    "npy",
    "npz",
    "msgpack",
    "h5",
    "hdf5",
    "tflite",
    "mlmodel",
    "mlpackage",
    "pb",
    "engine",
    "plan",
    "so",
    "dylib",
    "dll",
    "exe",
    "wasm",
    "model",
];

/// True for files whose text is a license, notice or use policy: a name
/// that starts as one does (`LICENSE`, `NOTICE.md`, `USE_POLICY.md`,
/// `LICENSE-MODEL`), in the `meta` class (so never weights, GGUF, ONNX,
/// pickle, code, config or tokenizer files such as `license_qwen2.gguf`),
/// without the extension of a binary format.
pub fn is_license_like(rel_path: &str) -> bool {
    let name = rel_path.rsplit('/').next().unwrap_or(rel_path);
    let lower = name.to_ascii_lowercase();
    if !LICENSE_PREFIXES.iter().any(|p| lower.starts_with(p)) {
        return false;
    }
    if classify(rel_path) != FileClass::Meta {
        return false;
    }
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    !BINARY_EXTENSIONS.contains(&ext)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_follow_the_design() {
        let cases = [
            ("config.json", FileClass::Config),
            ("preprocessor_config.json", FileClass::Config),
            ("1_Pooling/config.json", FileClass::Config),
            ("model-00001-of-00002.safetensors", FileClass::Weights),
            ("model.safetensors.index.json", FileClass::Weights),
            ("pytorch_model.bin.index.json", FileClass::Weights),
            ("tokenizer.json", FileClass::Tokenizer),
            ("tokenizer_config.json", FileClass::Tokenizer),
            ("chat_template.jinja", FileClass::Tokenizer),
            ("generation_config.json", FileClass::Generation),
            ("README.md", FileClass::Meta),
            ("LICENSE", FileClass::Meta),
            ("LICENSE.txt", FileClass::Meta),
            ("USE_POLICY.md", FileClass::Meta),
            ("NOTICE", FileClass::Meta),
            (".gitattributes", FileClass::Meta),
            ("modeling_foo.py", FileClass::Code),
            ("pytorch_model.bin", FileClass::Pickle),
            ("original/consolidated.00.pth", FileClass::Pickle),
            ("model.Q4_K_M.gguf", FileClass::Gguf),
            ("onnx/model.onnx", FileClass::Onnx),
            ("flax_model.msgpack", FileClass::Other),
        ];
        for (path, class) in cases {
            assert_eq!(classify(path), class, "{path}");
        }
    }

    #[test]
    fn license_like_names() {
        assert!(is_license_like("LICENSE"));
        assert!(is_license_like("LICENSE-MODEL"));
        assert!(is_license_like("USE_POLICY.md"));
        assert!(!is_license_like("README.md"));
        assert!(is_license_like("LICENSE.txt"));
        assert!(is_license_like("licence.rst"));
        assert!(is_license_like("NOTICE.html"));
        assert!(is_license_like("LICENSE.Apache-2.0"));
    }

    #[test]
    fn weights_and_binaries_named_like_licenses_are_not_license_texts() {
        for path in [
            "license_qwen2.gguf",
            "LICENSE.safetensors",
            "notice.bin",
            "copying.onnx",
            "license.pt",
            "license_check.py",
            "license_config.json",
            "LICENSE.zip",
            "license.png",
            "NOTICE.pdf",
        ] {
            assert!(!is_license_like(path), "{path}");
        }
    }
}
