//! Findings: every problem `mri` reports, with a stable code.
//!
//! Codes are the names a policy file refers to and the SARIF rule ids, so they
//! never change once released. [`Code::ALL`] lists every one; a test checks that
//! their names are unique and that each has a description.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The model is broken or unsafe in a way that matters.
    Error,
    /// Probably a problem; a person should look.
    Warning,
    /// Worth knowing; not a problem by itself.
    Info,
}

impl Severity {
    /// The lowercase name used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, $desc:literal; )*) => {
        /// A stable finding code such as `weights/truncated`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $( $(#[$doc])* $variant, )*
        }

        impl Code {
            /// Every code, in declaration order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The stable name, `area/what`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// One sentence saying what the code means (SARIF rule description).
            pub fn description(self) -> &'static str {
                match self { $(Code::$variant => $desc,)* }
            }

            /// Looks a code up by its stable name.
            pub fn from_name(name: &str) -> Option<Code> {
                match name { $($name => Some(Code::$variant),)* _ => None }
            }
        }
    };
}

codes! {
    /// A download that never finished (`*.incomplete`).
    FilesIncomplete = "files/incomplete", "A file download was left unfinished (*.incomplete).";
    /// A symbolic link that points outside the repository.
    FilesSymlinkEscape = "files/symlink-escape", "A symbolic link points outside the model repository and was not followed.";
    /// A symbolic link that loops.
    FilesSymlinkLoop = "files/symlink-loop", "A symbolic link loops back on itself and was not followed.";
    /// A symbolic link whose target does not exist.
    FilesBrokenLink = "files/broken-link", "A symbolic link points to a file that does not exist (a missing cache blob).";
    /// A file that could not be read.
    FilesUnreadable = "files/unreadable", "A file could not be read.";
    /// A FIFO, socket or device in the model folder: named, never opened.
    FilesNotRegular = "files/not-regular", "A FIFO, socket or device stands where a file was expected; it was not read.";
    /// Too many files: the walk stopped early.
    FilesTooMany = "files/too-many", "The directory holds more files than mri walks; the rest were skipped.";
    /// Files left on the Hub whose content a local scan would examine.
    FilesRemoteOnly = "files/remote-only", "Files of a remote (hf://) repository were not downloaded, so their content was not scanned.";
    /// A Git LFS pointer stands where the real file should be.
    WeightsLfsPointer = "weights/lfs-pointer", "A Git LFS pointer file stands in place of the real file: the content was never downloaded.";
    /// A safetensors header that breaks the format.
    WeightsHeaderInvalid = "weights/header-invalid", "A safetensors header breaks the format (length, JSON, names, offsets or sizes).";
    /// Tensor data shorter than the header says.
    WeightsTruncated = "weights/truncated", "A safetensors file holds less data than its header describes: the file is truncated.";
    /// Safetensors headers past the per-model budget: not parsed.
    WeightsHeaderBudget = "weights/header-budget", "The safetensors headers of the model add up to more than mri parses for one model (MRI_HEADER_BUDGET, 128 MiB): the headers past the budget were not parsed, so their tensors are not counted or checked.";
    /// A shard named by the index is absent.
    WeightsShardMissing = "weights/shard-missing", "A shard named in the safetensors index is not in the repository.";
    /// The index and the shards disagree.
    WeightsIndexMismatch = "weights/index-mismatch", "The safetensors index disagrees with the shards (tensor placement or total size).";
    /// A dtype the format does not define (yet).
    WeightsUnknownDtype = "weights/unknown-dtype", "A tensor uses a dtype that mri does not know; its size could not be checked.";
    /// A shard file beside an index that does not name it.
    WeightsUnindexedShard = "weights/unindexed-shard", "A safetensors file sits beside an index that does not name it; it is not counted.";
    /// Weights that repeat another set in the repository (a copy under another name or folder).
    WeightsDuplicateCopy = "weights/duplicate-copy", "A safetensors file (or shard set) repeats the tensor shapes of another weight set in the repository, as an alternative copy would; it is not counted.";
    /// A tensor holds NaN or infinite values (`mri smoke --scan-weights`).
    WeightsNonFinite = "weights/non-finite", "A tensor holds NaN or infinite values (found by mri smoke --scan-weights).";
    /// A tensor whose values are all zero (`mri smoke --scan-weights`).
    WeightsAllZero = "weights/all-zero", "Every value of a tensor is zero (found by mri smoke --scan-weights).";
    /// No weights at all.
    WeightsNone = "weights/none", "The repository holds no weight files that mri can read.";
    /// Weights only in pickle form.
    WeightsPickleOnly = "weights/pickle-only", "The weights exist only as pickle files, whose loading can run code.";
    /// A GGUF file that breaks the format.
    GgufInvalid = "gguf/invalid", "A GGUF file breaks the format (magic, counts, value types, lengths, names, dimensions, alignment or overlapping tensors).";
    /// A GGUF file shorter than its header or tensors need.
    GgufTruncated = "gguf/truncated", "A GGUF file ends before its header or its tensor data does: the file is truncated.";
    /// A GGUF tensor placed past the end of the file.
    GgufTensorOutOfBounds = "gguf/tensor-out-of-bounds", "A GGUF tensor's offset places its data past the end of the file.";
    /// A ggml tensor type mri does not know.
    GgufUnknownType = "gguf/unknown-type", "A GGUF tensor uses a ggml type that mri does not know (or that ggml removed); its size could not be checked.";
    /// A GGUF version mri does not read.
    GgufUnsupportedVersion = "gguf/unsupported-version", "A GGUF file has a version (or byte order) that mri does not read.";
    /// A split GGUF set with files missing.
    GgufSplitIncomplete = "gguf/split-incomplete", "A split GGUF model (NAME-0000N-of-0000M.gguf) lacks some of its files.";
    /// Several GGUF models in one folder.
    GgufSeveralModels = "gguf/several-models", "The folder holds several GGUF models; the totals are of one of them.";
    /// An Ollama manifest layer whose blob is absent.
    OllamaBlobMissing = "ollama/blob-missing", "A layer of the Ollama manifest names a blob that is not in the store.";
    /// An Ollama manifest layer that breaks the format.
    OllamaManifestInvalid = "ollama/manifest-invalid", "An Ollama manifest layer has a malformed digest, an unknown media type, or a size that differs from its blob.";
    /// A JSON configuration file that does not parse.
    ConfigInvalid = "config/invalid", "A JSON configuration file does not parse or has the wrong shape.";
    /// No config.json.
    ConfigMissing = "config/missing", "The repository has no config.json: the architecture is unknown.";
    /// The model card's front matter does not parse.
    CardInvalid = "card/invalid", "The model card's YAML front matter does not parse.";
    /// No model card.
    CardMissing = "card/missing", "The repository has no model card (README.md) or it has no front matter.";
    /// Tokenizer larger than the embedding.
    ConsistencyVocabSize = "consistency/vocab-size", "The tokenizer produces token ids that the embedding matrix has no row for.";
    /// Special token ids disagree between files.
    ConsistencySpecialTokens = "consistency/special-tokens", "BOS/EOS token ids disagree between config.json, generation_config.json and the tokenizer.";
    /// tie_word_embeddings disagrees with the tensors.
    ConsistencyTiedEmbeddings = "consistency/tied-embeddings", "tie_word_embeddings in config.json disagrees with the presence of an lm_head tensor.";
    /// Layer count disagrees with the tensors.
    ConsistencyLayers = "consistency/layers", "The number of layers in config.json differs from the layers found in the tensor names.";
    /// A pickle imports a callable.
    SecurityPickleGlobal = "security/pickle-global", "A pickle file imports a callable: dangerous ones run code when the file is loaded; unknown ones are not checkpoint building blocks.";
    /// Code that trust_remote_code would execute.
    SecurityRemoteCode = "security/remote-code", "The repository ships Python code that loading with trust_remote_code=True executes (auto_map, *.py).";
    /// A chat template that reaches into interpreter internals.
    SecurityTemplate = "security/template", "The chat template reaches into Jinja or Python internals, a known sandbox-escape technique.";
    /// A file whose hash disagrees with its reference.
    IntegrityHashMismatch = "integrity/hash-mismatch", "A file's sha256 (or git blob sha1) differs from the reference it was checked against.";
    /// A `--manifest` line that is not `HASH  PATH`, or names a path outside the model.
    IntegrityManifestInvalid = "integrity/manifest-invalid", "A line of the manifest given to `mri verify` is not `HASH  PATH`, or names a path outside the model.";
    /// A cache blob that is missing.
    IntegrityBlobMissing = "integrity/blob-missing", "A file of the Hugging Face cache points to a blob that is missing.";
    /// An adapter targets a module the base does not have.
    AdapterTargetMissing = "adapter/target-missing", "An adapter targets a module or layer that the base model does not have.";
    /// lora_A/lora_B shapes that disagree.
    AdapterShapeMismatch = "adapter/shape-mismatch", "lora_A/lora_B shapes disagree with each other, with the configured rank, or with the base's layer shapes.";
    /// A tensor that belongs to no pair.
    AdapterOrphanTensor = "adapter/orphan-tensor", "An adapter tensor belongs to no LoRA pair and to no module in modules_to_save.";
    /// No base named.
    AdapterBaseUnknown = "adapter/base-unknown", "The adapter names no base model, so its license and fit cannot be checked.";
    /// No license could be determined, or a text matches none.
    LicenseUnknown = "license/unknown", "The license could not be determined, or a license text matches no known license.";
    /// Card, files or base model disagree.
    LicenseConflict = "license/conflict", "The card, the license files or the base model name different licenses; the stricter applies.";
    /// Obligations inherited from the base model.
    LicenseInherited = "license/inherited", "The base model's license applies to this derivative; its obligations are inherited.";
    /// A license file the card refers to is absent.
    LicenseMissingFile = "license/missing-file", "The card says `other` or links a license file that is not in the repository.";
    /// A license file that could not be read in full.
    LicenseUnread = "license/unread", "A license file is too long to read in full, empty, binary or not UTF-8 text; its terms are unknown.";
    /// A base model whose license mri cannot establish.
    LicenseBaseUnknown = "license/base-unknown", "The card names a base model whose license mri cannot establish offline; check it (e.g. with --base).";
    /// A training set under non-commercial terms.
    DataNonCommercial = "data/non-commercial", "A dataset the model declares it was trained on is under non-commercial terms (the model's own verdict is unchanged).";
    /// A training set for research only.
    DataResearchOnly = "data/research-only", "A dataset the model declares it was trained on is for research only (the model's own verdict is unchanged).";
    /// A training set under a share-alike license.
    DataShareAlike = "data/share-alike", "A dataset the model declares it was trained on is under a share-alike license.";
    /// A training set whose terms are unknown.
    DataUnknownLicense = "data/unknown-license", "The terms of a dataset the model declares are neither in its cached dataset card nor in mri's dataset knowledge base.";
    /// No training set declared.
    DataNoDatasetsDeclared = "data/no-datasets-declared", "The model declares no training datasets (card `datasets:`, GGUF `general.dataset.*` or `general.datasets`).";
    /// torch_dtype disagrees with the stored dtype.
    ConsistencyDtype = "consistency/dtype", "torch_dtype in config.json differs from the dtype most weights are stored in.";
    /// A pickle stream that was not walked to its end.
    SecurityPickleUnscanned = "security/pickle-unscanned", "A pickle stream could not be walked to its end (a size, stack or memo limit was reached, or it could not be read): imports past that point are unknown.";
    /// A weight file `mri verify` found no reference hash for.
    IntegrityUnreferenced = "integrity/unreferenced", "`mri verify` found no reference hash (cache blob name, manifest, LFS pointer, local-dir metadata) for a weight file, so it was not verified.";
    /// A weight file that is listed but not on disk.
    IntegrityAbsent = "integrity/absent", "A weight file listed by the shard index or the Hub's listing is not on disk, so `mri verify` could not check it.";
    /// A model signature that is malformed, of another format, or inconsistent.
    SignatureInvalid = "signature/invalid", "The model signature (`model.sig`, a Sigstore bundle) is malformed, of another format than model-signing v1.0, or inconsistent (its subject digest does not cover its files).";
    /// A model signature that does not verify.
    SignatureBadSignature = "signature/bad-signature", "The signature over the model signature's DSSE payload does not verify with the key or certificate: the statement was changed after signing, or another key signed it.";
    /// A model signature made with another key than the one given.
    SignatureWrongKey = "signature/wrong-key", "The model signature names (by its public key hint) another key than the one given.";
    /// A signing certificate that is not trusted.
    SignatureUntrusted = "signature/untrusted", "The signing certificate does not chain to a trusted certificate, is outside its validity, or may not sign.";
    /// A signing certificate with another identity or issuer.
    SignatureIdentity = "signature/identity", "The signing certificate's identity (SAN email or URI) or OIDC issuer is not the one required.";
    /// A model signature that could not be checked.
    SignatureNotChecked = "signature/not-checked", "The model signature was not checked: a keyless bundle without a trust root, or no key or certificate chain given. Never valid.";
    /// A file whose sha256 differs from the signed one.
    SignatureFileChanged = "signature/file-changed", "A file's sha256 differs from the one the model signature lists.";
    /// A signed file that is not on disk.
    SignatureFileMissing = "signature/file-missing", "A file the model signature lists is not on disk (or cannot be read).";
    /// A file on disk that the signature does not list.
    SignatureFileUnlisted = "signature/file-unlisted", "A file on disk is not listed by the model signature (files the specification ignores, such as `.git` and the signature itself, aside).";
    /// A listed path or a link that leaves the model folder.
    SignaturePathEscape = "signature/path-escape", "A path the model signature lists is absolute or has a `..` component, or a symbolic link leaves the model folder: refused, never read.";
    /// A model signature found beside the weights (inspect).
    SignaturePresent = "signature/present", "The model folder holds a model signature (`model.sig`); `mri inspect` reads who signed and what it lists, `mri verify --signature` checks it.";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Code::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown finding code `{name}`")))
    }
}

/// One problem found in a model repository.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable code, e.g. `weights/truncated`.
    pub code: Code,
    /// How serious it is.
    pub severity: Severity,
    /// What is wrong, for a person, naming the values involved.
    pub message: String,
    /// The file it is about, relative to the model root, with `/` separators.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The 1-based line in `file`, when one applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// The tensor it is about, when one applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tensor: Option<String>,
}

impl Finding {
    /// One line for a listing: severity, the code padded to `code_width`,
    /// the file (when any) and the message.
    pub fn listing_line(&self, code_width: usize) -> String {
        let file = self
            .file
            .as_deref()
            .map(|p| format!("{p}: "))
            .unwrap_or_default();
        format!(
            "{:<7} {:<code_width$} {file}{}",
            self.severity.as_str(),
            self.code.as_str(),
            self.message
        )
    }

    /// A finding with no location.
    pub fn new(code: Code, severity: Severity, message: impl Into<String>) -> Self {
        Finding {
            code,
            severity,
            message: message.into(),
            file: None,
            line: None,
            tensor: None,
        }
    }

    /// An error-level finding.
    pub fn error(code: Code, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Error, message)
    }

    /// A warning-level finding.
    pub fn warning(code: Code, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Warning, message)
    }

    /// An info-level finding.
    pub fn info(code: Code, message: impl Into<String>) -> Self {
        Self::new(code, Severity::Info, message)
    }

    /// Sets the file the finding is about.
    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    /// Sets the 1-based line.
    pub fn at_line(mut self, line: u32) -> Self {
        self.line = Some(line);
        self
    }

    /// Sets the line when one is known.
    pub fn at_optional_line(mut self, line: Option<u32>) -> Self {
        self.line = line;
        self
    }

    /// Sets the tensor the finding is about.
    pub fn on_tensor(mut self, tensor: impl Into<String>) -> Self {
        self.tensor = Some(tensor.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn codes_are_unique_and_described() {
        let mut seen = HashSet::new();
        for code in Code::ALL {
            assert!(seen.insert(code.as_str()), "duplicate code {code}");
            assert!(code.as_str().contains('/'), "{code} lacks an area");
            assert!(code.description().ends_with('.'), "{code} description");
            assert_eq!(Code::from_name(code.as_str()), Some(*code));
        }
    }

    #[test]
    fn code_round_trips_through_json() {
        let f = Finding::error(Code::WeightsTruncated, "x").in_file("a.safetensors");
        let json = serde_json::to_string(&f).unwrap();
        assert!(json.contains("\"weights/truncated\""));
        let back: Finding = serde_json::from_str(&json).unwrap();
        assert_eq!(back, f);
    }
}
