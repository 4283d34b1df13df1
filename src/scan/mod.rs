//! Scan: walk the model root, classify each file, and read what is cheap to
//! read — JSON configs, the card, tokenizer files and every safetensors header
//! (in parallel, through mmap; tensor bytes are never read). Scan never decides:
//! it records facts and the problems met while reading them.

pub mod classify;
pub mod dtype;
pub mod gguf;
pub mod index;
pub mod lfs;
pub mod listed;
pub mod ollama;
pub mod pins;
pub mod remote;
pub mod safetensors;
pub mod signature;
pub mod vocab_model;
pub mod walk;

use crate::finding::{Code, Finding, Severity};
use crate::locate::{Target, TargetKind};
use crate::model::tekken::{self, Tekken};
use crate::model::tokenizer::{parse_tokenizer_json, TokenizerJson};
use crate::util::dir_open::FolderOpener;
use crate::util::json::{read_doc, read_text, JsonDoc, MAX_CONFIG_BYTES, MAX_TOKENIZER_BYTES};
use crate::util::parallel::map_spreading_when_slow;
use classify::{classify, FileClass};
use index::{parse_index, WeightIndex};
use lfs::{parse_pointer, LfsPointer, MAX_POINTER_BYTES};
use safetensors::{map_header_file, SafetensorsHeader};
use serde::Serialize;
use std::io::Read;
use std::path::{Path, PathBuf};

/// One file of the repository.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileEntry {
    /// Path relative to the model root, `/` separators.
    pub path: String,
    /// What the file is for.
    pub class: FileClass,
    /// Size in bytes (of the link target for cache links).
    pub size: u64,
    /// The LFS pointer this file is, when the content was never downloaded.
    pub lfs_pointer: Option<LfsPointer>,
    /// Where a link points, relative to the cache repo folder (`blobs/<hash>`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub link_target: Option<String>,
    /// On the Hub only (`hf://` targets): listed with the Hub's size, not downloaded.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub remote_only: bool,
    /// The LFS sha256 the Hub lists, for remote-only LFS files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lfs_sha256: Option<String>,
    /// Absolute path of the real file (not serialised: reports stay relocatable).
    #[serde(skip)]
    pub real_path: PathBuf,
}

/// A safetensors file and its parsed header.
#[derive(Debug, Clone)]
pub struct ShardScan {
    /// Path relative to the model root.
    pub path: String,
    /// File size in bytes.
    pub size: u64,
    /// The header, when it could be read.
    pub header: Option<SafetensorsHeader>,
}

/// Everything the scan read from a model root.
#[derive(Debug)]
pub struct ScannedRepo {
    /// Where the model is.
    pub target: Target,
    /// Every file, sorted by path.
    pub files: Vec<FileEntry>,
    /// Every safetensors file that is not an LFS pointer.
    pub shards: Vec<ShardScan>,
    /// Every readable `*.safetensors.index.json`.
    pub indexes: Vec<WeightIndex>,
    /// config.json.
    pub config: Option<JsonDoc>,
    /// generation_config.json.
    pub generation_config: Option<JsonDoc>,
    /// tokenizer_config.json.
    pub tokenizer_config: Option<JsonDoc>,
    /// special_tokens_map.json.
    pub special_tokens_map: Option<JsonDoc>,
    /// adapter_config.json (PEFT adapters).
    pub adapter_config: Option<JsonDoc>,
    /// hf_quant_config.json (NVIDIA ModelOpt checkpoints state their
    /// quantization there rather than in config.json).
    pub hf_quant_config: Option<JsonDoc>,
    /// model_index.json (a diffusers pipeline: its components live in
    /// subfolders, each with its own config).
    pub model_index: Option<JsonDoc>,
    /// params.json (Mistral's native format, read when config.json is absent).
    pub mistral_params: Option<JsonDoc>,
    /// tokenizer.json, lean-parsed.
    pub tokenizer_json: Option<TokenizerJson>,
    /// tekken.json (Mistral's tokenizer), lean-parsed, when there is no tokenizer.json.
    pub tekken: Option<Tekken>,
    /// The tokenizer's model file (SentencePiece or tiktoken), else its
    /// plain vocabulary (vocab.json, vocab.txt), read when neither
    /// tokenizer.json nor tekken.json is there.
    pub model_vocab: Option<crate::model::tokenizer::ModelVocab>,
    /// added_tokens.json.
    pub added_tokens_json: Option<JsonDoc>,
    /// chat_template.jinja / chat_template.json, when present.
    pub chat_template_file: Option<String>,
    /// The card's front matter, parsed once, with the problems met parsing it.
    pub card: Option<(crate::model::card::Card, Vec<Finding>)>,
    /// License, notice and use-policy files (at the root or one folder down) with their text.
    pub license_files: Vec<crate::license::LicenseFile>,
    /// License files longer than the scan reads ([`MAX_LICENSE_BYTES`]): only
    /// their beginning is in `license_files`.
    pub license_truncated: Vec<String>,
    /// Pickle streams walked (raw pickles and PyTorch zip members, sniffed by bytes).
    pub pickles: Vec<crate::security::read::PickleScan>,
    /// Python files with their sha256.
    pub code_files: Vec<(String, String)>,
    /// Chat templates: (source file, text).
    pub templates: Vec<(String, String)>,
    /// Every GGUF file, read.
    pub gguf: Vec<gguf::GgufScan>,
    /// The Ollama model's layers, for `ollama://` targets.
    pub ollama: Option<ollama::OllamaSummary>,
    /// The folder's model signature (`model.sig`), summarised.
    pub signature: Option<crate::signature::Summary>,
    /// Problems met while reading.
    pub findings: Vec<Finding>,
    /// The declared training sets' own cards and license files in the
    /// Hugging Face cache (filled in by `inspect` after the scan, see
    /// `analyze::training_data::ids_to_look_up`).
    pub dataset_cards: Vec<crate::license::datasets::CachedDataset>,
    /// The shards' header maps: `inspect_keeping_maps` hands them to its
    /// caller, to release when it likes (see [`safetensors::HeaderMaps`]).
    pub header_maps: safetensors::HeaderMaps,
}

impl ScannedRepo {
    /// What the security checks read of this scan: pickles, code files, the
    /// configs that name remote code, and the chat templates.
    pub fn security_inputs(&self) -> crate::security::SecurityInputs<'_> {
        crate::security::SecurityInputs {
            pickles: &self.pickles,
            code_files: &self.code_files,
            config: self.config.as_ref(),
            tokenizer_config: self.tokenizer_config.as_ref(),
            templates: &self.templates,
        }
    }
}

/// Scans the located target.
pub fn scan(target: Target) -> ScannedRepo {
    scan_with(target, None)
}

/// Scans the located target; `remote` lists the files that are on the Hub
/// only (their headers read from the Hub's bytes).
pub fn scan_with(target: Target, remote: Option<&remote::RemoteFiles>) -> ScannedRepo {
    let (walked, missing) = match &target.listed {
        Some(list) => listed::walk_listed(&target.root, &target.containment, list),
        None => (walk::walk(&target.root, &target.containment), Vec::new()),
    };
    let mut findings = walked.findings;
    if target.kind == TargetKind::CacheSnapshot {
        findings.extend(walk::incomplete_blobs(&target.containment));
    }

    let (mut files, unsized_files) = list_files(&target, walked.files, remote, &mut findings);
    let (shards, header_maps) = read_shards(&mut files, &unsized_files, remote, &mut findings);

    let (mut gguf, gguf_findings) = gguf::scan_files(&files);
    findings.extend(gguf_findings);
    if let Some(list) = &target.listed {
        for g in &mut gguf {
            g.media_type = list
                .iter()
                .find(|l| l.rel == g.path)
                .and_then(|l| l.media_type.clone());
        }
    }

    let indexes = read_indexes(&files, &mut findings);

    let mut doc = |name: &str| read_root_doc(&files, name, MAX_CONFIG_BYTES, &mut findings);
    let config = doc("config.json");
    let generation_config = doc("generation_config.json");
    let tokenizer_config = doc("tokenizer_config.json");
    let special_tokens_map = doc("special_tokens_map.json");
    let adapter_config = doc("adapter_config.json");
    let hf_quant_config = doc("hf_quant_config.json");
    let model_index = doc("model_index.json");
    let mistral_params = doc(crate::model::mistral::PARAMS_FILE);
    let added_tokens_json = doc("added_tokens.json");

    let tokenizer_json = root_file(&files, "tokenizer.json")
        .and_then(|f| read_tokenizer_file(f, parse_tokenizer_json, Severity::Error, &mut findings));
    // Mistral's own tokenizer file, read where no tokenizer.json says more.
    let tekken = match tokenizer_json {
        Some(_) => None,
        None => root_file(&files, tekken::TEKKEN_FILE).and_then(|f| {
            read_tokenizer_file(f, tekken::parse_tekken, Severity::Error, &mut findings)
        }),
    };
    let model_vocab = match (&tokenizer_json, &tekken) {
        (None, None) => vocab_model::read_model_vocab(files.iter().filter(readable), &mut findings),
        _ => None,
    };
    let chat_template_file = ["chat_template.jinja", "chat_template.json"]
        .iter()
        .find_map(|n| root_file(&files, n).map(|f| f.path.clone()));
    let card = read_card(&files, &mut findings);
    let (mut license_files, license_truncated) =
        read_license_files(&files, card.as_ref(), &mut findings);
    let (pickles, code_files) = read_pickles_and_code(&files, &mut findings);
    let mut templates = chat_templates(
        &files,
        tokenizer_config.as_ref(),
        chat_template_file.as_deref(),
    );

    templates.extend(gguf::templates(&gguf));
    let ollama = ollama::read(&target, &files, &missing, &mut findings).map(|read| {
        license_files.extend(read.license_files);
        templates.extend(read.templates);
        read.summary
    });

    let signature = signature::read(&target, &files);
    ScannedRepo {
        target,
        gguf,
        ollama,
        pickles,
        code_files,
        templates,
        license_files,
        license_truncated,
        files,
        shards,
        indexes,
        config,
        generation_config,
        tokenizer_config,
        special_tokens_map,
        adapter_config,
        hf_quant_config,
        model_index,
        mistral_params,
        tokenizer_json,
        tekken,
        model_vocab,
        added_tokens_json,
        chat_template_file,
        card,
        signature,
        findings,
        dataset_cards: Vec::new(),
        header_maps,
    }
}

/// A file whose content is here to read: neither a Git LFS pointer nor on
/// the Hub only.
fn readable(f: &&FileEntry) -> bool {
    f.lfs_pointer.is_none() && !f.remote_only
}

/// The readable file at `name` (a path from the model root).
fn root_file<'f>(files: &'f [FileEntry], name: &str) -> Option<&'f FileEntry> {
    files.iter().filter(readable).find(|f| f.path == name)
}

/// The walked files as entries, classified (a listed target's own classes
/// win), with the Hub's entries joined for `remote`, and Git LFS pointers
/// among the sized files found (each a finding). Also says which files the
/// walk left unsized (safetensors shards): they learn their size when their
/// header read opens them.
fn list_files(
    target: &Target,
    walked: Vec<walk::WalkedFile>,
    remote: Option<&remote::RemoteFiles>,
    findings: &mut Vec<Finding>,
) -> (Vec<FileEntry>, Vec<bool>) {
    let mut unsized_files: Vec<bool> = walked.iter().map(|w| w.size.is_none()).collect();
    let mut files: Vec<FileEntry> = walked
        .into_iter()
        .map(|w| FileEntry {
            class: classify(&w.rel),
            lfs_pointer: None,
            path: w.rel,
            size: w.size.unwrap_or(0),
            link_target: w.link_target,
            remote_only: false,
            lfs_sha256: None,
            real_path: w.real,
        })
        .collect();
    if let Some(list) = &target.listed {
        for f in &mut files {
            if let Some(class) = list.iter().find(|l| l.rel == f.path).and_then(|l| l.class) {
                f.class = class;
            }
        }
    }
    if let Some(r) = remote {
        // The Hub's entries join the list in path order: the files the walk
        // left unsized are sized now (in the cache they are links, which the
        // walk sizes anyway).
        for (f, _) in files.iter_mut().zip(&unsized_files).filter(|(_, u)| **u) {
            f.size = std::fs::metadata(&f.real_path).map_or(0, |m| m.len());
        }
        remote::add_entries(&mut files, r, &target.root);
        unsized_files = vec![false; files.len()];
        findings.extend(remote::unscanned(&files));
        findings.extend(remote::fetch_problems(r));
    }
    for (f, _) in files.iter_mut().zip(&unsized_files).filter(|(_, u)| !**u) {
        if f.size <= MAX_POINTER_BYTES {
            f.lfs_pointer = read_small(&f.real_path).and_then(|b| parse_pointer(&b));
        }
        if let Some(p) = &f.lfs_pointer {
            findings.push(pointer_finding(f, p));
        }
    }
    (files, unsized_files)
}

/// Reads every safetensors shard's header (sizing the shards the walk left
/// unsized, and finding the Git LFS pointers among them), in file order.
/// Returns the shards and the maps their headers are read through.
fn read_shards(
    files: &mut [FileEntry],
    unsized_files: &[bool],
    remote: Option<&remote::RemoteFiles>,
    findings: &mut Vec<Finding>,
) -> (Vec<ShardScan>, safetensors::HeaderMaps) {
    let shard_files: Vec<(usize, &FileEntry)> = files
        .iter()
        .enumerate()
        .filter(|(_, f)| f.lfs_pointer.is_none())
        .filter(|(_, f)| walk::is_safetensors_name(&f.path))
        .collect();
    // Each local shard's header is read through a memory map; the maps are
    // released together at the end (see `map_header_file`). From a warm page
    // cache the reads are system calls that threads only slow down (they
    // contend in the kernel); from a disk or a network file system, threads
    // keep several reads in flight. A shard on the Hub only is read from the
    // bytes its Range requests got.
    // Each shard is opened by its name in its folder, the folder opened once.
    let opener = FolderOpener::for_files(
        shard_files
            .iter()
            .filter(|(_, f)| !f.remote_only)
            .map(|(_, f)| f.real_path.as_path()),
    );
    // The shards' headers share one budget of bytes (memory flat in the
    // number of shards); shards are taken in order, so the one where it runs
    // out and those after it are refused.
    let budget = safetensors::HeaderBudget::from_env();
    let shard_results = map_spreading_when_slow(&shard_files, SLOW_HEADER_READ, |&(i, f)| {
        let read = match remote::read_remote_header(f, remote, &budget) {
            Some((header, problems)) => ShardRead::header(f.size, (header, problems, None)),
            None if unsized_files[i] => read_unsized_shard(&opener, f, &budget),
            None => ShardRead::header(
                f.size,
                map_header_file(&opener, &f.real_path, f.size, &budget),
            ),
        };
        (i, read)
    });
    let mut shards = Vec::with_capacity(shard_results.len());
    let mut maps = Vec::with_capacity(shard_results.len());
    let mut refused = 0usize;
    for (i, read) in shard_results {
        let f = &mut files[i];
        f.size = read.size;
        match read.pointer {
            Some(p) => {
                findings.push(pointer_finding(f, &p));
                f.lfs_pointer = Some(p);
            }
            None => shards.push(ShardScan {
                path: f.path.clone(),
                size: read.size,
                header: read.header,
            }),
        }
        for p in read.problems {
            // One finding names the shard where the header budget ran out;
            // it counts the shards refused after it.
            if p.code == Code::WeightsHeaderBudget {
                refused += 1;
                if refused > 1 {
                    continue;
                }
            }
            findings.push(p.in_file(&f.path));
        }
        maps.extend(read.map);
    }
    if refused > 1 {
        if let Some(first) = findings
            .iter_mut()
            .find(|p| p.code == Code::WeightsHeaderBudget)
        {
            first.message.push_str(&format!(
                ", nor were the headers of {} more shard(s) after it",
                refused - 1
            ));
        }
    }
    (shards, safetensors::HeaderMaps::new(maps))
}

/// Reads every readable `*.safetensors.index.json`; one that cannot be read
/// or parsed is a finding.
fn read_indexes(files: &[FileEntry], findings: &mut Vec<Finding>) -> Vec<WeightIndex> {
    let mut indexes = Vec::new();
    for f in files.iter().filter(readable) {
        if f.path
            .to_ascii_lowercase()
            .ends_with(".safetensors.index.json")
        {
            match read_text(&f.real_path, &f.path, MAX_CONFIG_BYTES)
                .and_then(|t| parse_index(&f.path, t))
            {
                Ok(idx) => indexes.push(idx),
                Err(finding) => findings.push(finding),
            }
        }
    }
    indexes
}

/// Reads the JSON object at `name` (up to `cap` bytes), when the file is
/// there; one that cannot be read, or is not an object, is a finding.
fn read_root_doc(
    files: &[FileEntry],
    name: &str,
    cap: u64,
    findings: &mut Vec<Finding>,
) -> Option<JsonDoc> {
    let f = root_file(files, name)?;
    match read_doc(&f.real_path, &f.path, cap) {
        Ok(doc) if doc.value.is_object() => Some(doc),
        Ok(doc) => {
            findings.push(
                Finding::error(
                    Code::ConfigInvalid,
                    "is valid JSON but not an object (`{ \"key\": value, ... }`): its settings cannot be read",
                )
                .in_file(&doc.path),
            );
            None
        }
        Err(finding) => {
            findings.push(finding);
            None
        }
    }
}

/// Reads and parses the card (`README.md`, any case), when there is one.
fn read_card(
    files: &[FileEntry],
    findings: &mut Vec<Finding>,
) -> Option<(crate::model::card::Card, Vec<Finding>)> {
    files
        .iter()
        .filter(readable)
        .find(|f| f.path.eq_ignore_ascii_case("README.md"))
        .and_then(
            |f| match read_text(&f.real_path, &f.path, MAX_CONFIG_BYTES) {
                Ok(text) => Some(crate::model::card::parse_card(&f.path, &text)),
                Err(finding) => {
                    findings.push(finding);
                    None
                }
            },
        )
}

/// Reads the license, notice and use-policy files (at the root or one
/// folder down, and the file the card's `license_link` names). Returns them
/// and the paths of those longer than [`MAX_LICENSE_BYTES`].
fn read_license_files(
    files: &[FileEntry],
    card: Option<&(crate::model::card::Card, Vec<Finding>)>,
    findings: &mut Vec<Finding>,
) -> (Vec<crate::license::LicenseFile>, Vec<String>) {
    // The file the card's `license_link` names counts as a license file too,
    // whatever its name (`license_link: MODEL_TERMS.md`).
    let linked = card.and_then(|(c, _)| {
        let link = c.license_link.as_deref()?;
        (!link.contains("://")).then(|| link.trim_start_matches("./").to_string())
    });
    let mut license_truncated: Vec<String> = Vec::new();
    let license_files: Vec<crate::license::LicenseFile> = files
        .iter()
        .filter(readable)
        .filter(|f| {
            (f.path.matches('/').count() <= 1 && classify::is_license_like(&f.path))
                || linked.as_deref() == Some(f.path.as_str())
        })
        .filter_map(|f| match read_lossy(&f.real_path, MAX_LICENSE_BYTES) {
            Ok(text) => {
                if f.size > MAX_LICENSE_BYTES {
                    // Only the first MAX_LICENSE_BYTES are read: what follows
                    // is unread, and the decision must not pass it.
                    license_truncated.push(f.path.clone());
                }
                Some(crate::license::LicenseFile {
                    path: f.path.clone(),
                    text,
                })
            }
            Err(e) => {
                findings.push(
                    Finding::warning(Code::FilesUnreadable, format!("cannot read: {e}"))
                        .in_file(&f.path),
                );
                None
            }
        })
        .collect();
    (license_files, license_truncated)
}

/// Walks the pickle streams of every pickle, ONNX or unclassified file
/// (sniffed by bytes), and hashes every Python file.
fn read_pickles_and_code(
    files: &[FileEntry],
    findings: &mut Vec<Finding>,
) -> (
    Vec<crate::security::read::PickleScan>,
    Vec<(String, String)>,
) {
    let mut pickles = Vec::new();
    let mut code_files = Vec::new();
    for f in files.iter().filter(readable) {
        match f.class {
            FileClass::Pickle | FileClass::Other | FileClass::Onnx => {
                match crate::security::read::scan_file(
                    &f.real_path,
                    &f.path,
                    f.class == FileClass::Pickle,
                ) {
                    Ok(Some(scans)) => pickles.extend(scans),
                    Ok(None) => {}
                    Err(e) => {
                        findings.push(Finding::warning(Code::FilesUnreadable, e).in_file(&f.path))
                    }
                }
            }
            FileClass::Code => match crate::security::read::sha256_file(&f.real_path) {
                Ok(sha) => code_files.push((f.path.clone(), sha)),
                Err(e) => findings.push(
                    Finding::warning(Code::FilesUnreadable, format!("cannot read: {e}"))
                        .in_file(&f.path),
                ),
            },
            _ => {}
        }
    }
    (pickles, code_files)
}

/// The chat templates of tokenizer_config.json (one, or a named list) and
/// of the chat template file, each with its source file.
fn chat_templates(
    files: &[FileEntry],
    tokenizer_config: Option<&JsonDoc>,
    chat_template_file: Option<&str>,
) -> Vec<(String, String)> {
    let mut templates = Vec::new();
    if let Some(doc) = tokenizer_config {
        match doc.get("chat_template") {
            Some(serde_json::Value::String(t)) => templates.push((doc.path.clone(), t.clone())),
            Some(serde_json::Value::Array(items)) => {
                for t in items
                    .iter()
                    .filter_map(|i| i.get("template").and_then(|t| t.as_str()))
                {
                    templates.push((doc.path.clone(), t.to_string()));
                }
            }
            _ => {}
        }
    }
    if let Some(name) = chat_template_file {
        if let Some(f) = files.iter().filter(readable).find(|f| f.path == name) {
            if let Ok(text) = read_text(&f.real_path, &f.path, MAX_CONFIG_BYTES) {
                templates.push((f.path.clone(), text));
            }
        }
    }
    templates
}

/// Largest license text read; a longer one is read this far and named in
/// `ScannedRepo::license_truncated`.
pub const MAX_LICENSE_BYTES: u64 = crate::license::MAX_TEXT_BYTES;

/// Reads and parses a tokenizer file (`tokenizer.json`, `tekken.json`,
/// `vocab.json`); a file that cannot be read, or does not parse (a finding
/// of `severity`), is a finding naming it, with the line and column.
pub(super) fn read_tokenizer_file<T>(
    f: &FileEntry,
    parse: impl Fn(&str) -> serde_json::Result<T>,
    severity: Severity,
    findings: &mut Vec<Finding>,
) -> Option<T> {
    let text = match read_text(&f.real_path, &f.path, MAX_TOKENIZER_BYTES) {
        Ok(t) => t,
        Err(finding) => {
            findings.push(finding);
            return None;
        }
    };
    match parse(&text) {
        Ok(t) => Some(t),
        Err(e) => {
            findings.push(
                Finding::new(
                    Code::ConfigInvalid,
                    severity,
                    format!(
                        "{} does not parse: {} (line {}, column {})",
                        f.path.rsplit('/').next().unwrap_or(&f.path),
                        e.to_string().split(" at line ").next().unwrap_or(""),
                        e.line(),
                        e.column()
                    ),
                )
                .in_file(&f.path)
                .at_line(e.line().max(1) as u32),
            );
            None
        }
    }
}

/// A header read slower than this came from a disk or a network, not from
/// the page cache (where one takes 5 to 50 µs): the rest are read on threads.
const SLOW_HEADER_READ: std::time::Duration = std::time::Duration::from_micros(250);

/// Reads up to `cap` bytes of a text file, replacing invalid UTF-8.
fn read_lossy(path: &Path, cap: u64) -> std::io::Result<String> {
    let mut buf = Vec::new();
    crate::util::fs::open_regular(path)?
        .take(cap)
        .read_to_end(&mut buf)?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// What reading one local shard found.
struct ShardRead {
    /// The file's size in bytes.
    size: u64,
    /// The header, when it could be read.
    header: Option<SafetensorsHeader>,
    /// Its violations, without the file set.
    problems: Vec<Finding>,
    /// The map to keep until the report is dropped.
    map: Option<safetensors::HeaderMap>,
    /// Set when the file, left unsized by the walk, is a Git LFS pointer.
    pointer: Option<LfsPointer>,
}

impl ShardRead {
    /// A header read of a shard of `size` bytes.
    fn header(
        size: u64,
        (header, problems, map): (
            Option<SafetensorsHeader>,
            Vec<Finding>,
            Option<safetensors::HeaderMap>,
        ),
    ) -> Self {
        ShardRead {
            size,
            header,
            problems,
            map,
            pointer: None,
        }
    }
}

/// Reads the shard `f`, whose size the walk left to this read: the open
/// file says it. A file small enough to be a Git LFS pointer is checked for
/// one first, as the files the walk sized are.
fn read_unsized_shard(
    opener: &FolderOpener,
    f: &FileEntry,
    budget: &safetensors::HeaderBudget,
) -> ShardRead {
    let opened = opener
        .open(&f.real_path)
        .and_then(|file| crate::util::fs::open_file_size(&file).map(|len| (file, len)));
    let (file, size) = match opened {
        Ok(opened) => opened,
        Err(e) => {
            // A lookup still tells the size of a file that cannot be opened
            // (no read permission).
            let size = std::fs::metadata(&f.real_path).map_or(0, |m| m.len());
            let failed = (None, vec![safetensors::cannot("open", &e)], None);
            return ShardRead::header(size, failed);
        }
    };
    if size <= MAX_POINTER_BYTES {
        let mut bytes = Vec::new();
        let read = (&file).take(MAX_POINTER_BYTES).read_to_end(&mut bytes);
        if let Some(pointer) = read.ok().and_then(|_| parse_pointer(&bytes)) {
            return ShardRead {
                size,
                header: None,
                problems: Vec::new(),
                map: None,
                pointer: Some(pointer),
            };
        }
    }
    ShardRead::header(
        size,
        safetensors::map_open_header(Some(&file), size, budget),
    )
}

/// The finding for a Git LFS pointer in place of the file `f`: an error for
/// weights, a warning for other files.
fn pointer_finding(f: &FileEntry, p: &LfsPointer) -> Finding {
    let weighty = matches!(
        f.class,
        FileClass::Weights | FileClass::Pickle | FileClass::Gguf | FileClass::Onnx
    );
    let msg = format!(
        "is a Git LFS pointer, not the file: the real content ({} bytes, sha256 {}) was never downloaded; run `git lfs pull` or download with the Hugging Face tools",
        p.size, p.oid
    );
    let finding = if weighty {
        Finding::error(Code::WeightsLfsPointer, msg)
    } else {
        Finding::warning(Code::WeightsLfsPointer, msg)
    };
    finding.in_file(&f.path)
}

/// Reads a file known to be small (at most [`MAX_POINTER_BYTES`]).
fn read_small(path: &Path) -> Option<Vec<u8>> {
    let mut buf = Vec::with_capacity(MAX_POINTER_BYTES as usize);
    crate::util::fs::open_regular(path)
        .ok()?
        .take(MAX_POINTER_BYTES)
        .read_to_end(&mut buf)
        .ok()?;
    Some(buf)
}

/// True when the folder holds anything a model repository has.
pub fn looks_like_model(files: &[FileEntry]) -> bool {
    files.iter().any(|f| {
        matches!(
            f.class,
            FileClass::Config
                | FileClass::Weights
                | FileClass::Tokenizer
                | FileClass::Pickle
                | FileClass::Gguf
                | FileClass::Onnx
        ) || f.path.eq_ignore_ascii_case("README.md")
    })
}
