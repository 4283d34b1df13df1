//! `mri`, the model repository inspector.
//!
//! Opens a downloaded open-weights model (a Hugging Face model directory or a
//! repo in the Hugging Face cache), or one on the Hub (`hf://ORG/NAME`,
//! headers read with Range requests), and reports what is in it — files, tensors,
//! architecture, memory, tokenizer, card — reading only headers, never the
//! weights. The pipeline is `locate → scan → analyze → Report → render`; see
//! `ARCHITECTURE.md`. [`smoke`] is the one face that does read the weights:
//! a short forward pass with candle.
//!
//! ```no_run
//! let report = mri::inspect("fixtures/tiny-llama", &mri::InspectOptions::default())?;
//! println!("{} parameters", report.weights.parameters);
//! # Ok::<(), mri::Error>(())
//! ```

pub mod adapter;
pub mod analyze;
pub mod diff;
pub mod error;
pub mod finding;
pub mod fleet;
pub mod gate;
pub mod hub;
pub mod license;
pub mod locate;
pub mod lock;
pub mod model;
pub mod report;
pub mod scan;
pub mod security;
pub mod sign;
pub mod signature;
pub mod smoke;
pub mod tui;
pub mod util;
pub mod verify;

pub use error::Error;
pub use locate::{HfCache, Target};
pub use report::Report;

/// Options for [`inspect`].
#[derive(Debug, Clone)]
pub struct InspectOptions {
    /// A ref name or commit for cache targets (`main` when `None`).
    pub revision: Option<String>,
    /// The Hugging Face cache used for repo ids.
    pub cache: HfCache,
    /// A local copy of the base model, whose license a derivative inherits.
    pub base: Option<String>,
    /// How `hf://` targets are fetched.
    pub remote: hub::RemoteOptions,
    /// A policy's `[[licenses.clarify]]` entries: the license decision takes
    /// each one that names this model and whose file still has the pinned
    /// hash (see `license::decide::clarify`). Not applied to the base model.
    pub clarify: Vec<license::decide::ClarifyRule>,
    /// The folder that relative model paths in `clarify` are resolved from
    /// (the policy file's folder).
    pub policy_dir: std::path::PathBuf,
}

impl Default for InspectOptions {
    fn default() -> Self {
        InspectOptions {
            revision: None,
            cache: HfCache::from_env(),
            base: None,
            remote: hub::RemoteOptions::default(),
            clarify: Vec::new(),
            policy_dir: std::path::PathBuf::from("."),
        }
    }
}

/// Locates `input`, scans it and builds its Report. Read-only on the target
/// (and on the base model, when one is given or found).
///
/// The base model is `options.base` when given; for an adapter without one,
/// its `base_model_name_or_path` when that repo is in the Hugging Face cache.
///
/// An `hf://ORG/NAME[@REV]` target is fetched as [`hub`] describes (into
/// `options.cache`); with `HF_HUB_OFFLINE` set, only the cache is read.
pub fn inspect(input: &str, options: &InspectOptions) -> Result<Report, Error> {
    inspect_keeping_maps(input, options).map(|(report, _maps)| report)
}

/// As [`inspect`], and hands back the safetensors header maps the Report was
/// read from, for the caller to release when it likes: all at once, after
/// its threads are done, or never (a process about to exit leaves them to
/// the kernel, far cheaper than one `munmap` per shard; see BENCHMARKS.md).
pub fn inspect_keeping_maps(
    input: &str,
    options: &InspectOptions,
) -> Result<(Report, scan::safetensors::HeaderMaps), Error> {
    let hub_target = matches!(locate::hub_ref::parse(input), Some(Ok(_)));
    let (target, remote) = match locate::hub_ref::parse(input) {
        Some(Ok(hub_ref)) => hub::open(
            input,
            &hub_ref,
            options.revision.as_deref(),
            &options.cache,
            &options.remote,
        )?,
        _ => {
            let target = locate::locate(input, options.revision.as_deref(), &options.cache)?;
            // What an earlier `mri inspect hf://` kept (see `hub::kept`).
            let kept = hub::kept::remote_files(&target);
            (target, kept)
        }
    };
    let mut scanned = scan::scan_with(target, remote.as_ref());
    let maps = std::mem::take(&mut scanned.header_maps);
    if !scan::looks_like_model(&scanned.files) {
        return Err(
            locate::LocateError::NotAModel(scanned.target.root.display().to_string()).into(),
        );
    }
    let base_options = InspectOptions {
        revision: None,
        cache: options.cache.clone(),
        base: None,
        remote: options.remote.clone(),
        clarify: Vec::new(),
        policy_dir: options.policy_dir.clone(),
    };
    let clarifications = scan::pins::check(
        &options.clarify,
        &scanned.target,
        &scanned.files,
        &options.policy_dir,
    );
    let base = match &options.base {
        Some(path) => Some((path.clone(), inspect(path, &base_options)?)),
        None => scanned
            .adapter_config
            .as_ref()
            .and_then(|c| {
                c.get("base_model_name_or_path")?
                    .as_str()
                    .map(str::to_string)
            })
            .filter(|id| options.cache.repo_folder(id).is_some())
            .and_then(|id| inspect(&id, &base_options).ok().map(|r| (id, r))),
    };
    scanned.dataset_cards = dataset_cards(&scanned, &options.cache, hub_target);
    let report = analyze::analyze(
        scanned,
        base.as_ref()
            .map(|(name, report)| analyze::BaseModel { name, report }),
        &clarifications,
    );
    Ok((report, maps))
}

/// The declared training sets' own cards and license files, read from the
/// Hugging Face cache (the analysis does no I/O); for an `hf://` target,
/// the cards not yet cached are fetched from the Hub first.
fn dataset_cards(
    scanned: &scan::ScannedRepo,
    cache: &HfCache,
    hub_target: bool,
) -> Vec<license::datasets::CachedDataset> {
    let card = scanned.card.as_ref().map(|(c, _)| c);
    let declared = analyze::training_data::declared(card, &scanned.gguf);
    if hub_target {
        let ids: Vec<String> = declared
            .iter()
            .filter(|d| d.id.is_hub_id)
            .map(|d| d.id.id.clone())
            .collect();
        hub::datasets::fetch_cards(&ids, cache);
    }
    let ids = analyze::training_data::ids_to_look_up(&declared);
    if ids.is_empty() {
        return Vec::new();
    }
    let folders = license::datasets::cache::DatasetFolders::list(cache.hub_dir());
    ids.iter().filter_map(|id| folders.read(id)).collect()
}

/// Inspects several targets at once, in order: remote ones fetch
/// concurrently, sharing the Hub client's bound on requests in flight
/// (`MRI_HUB_CONNECTIONS`).
pub fn inspect_many(inputs: &[String], options: &InspectOptions) -> Vec<Result<Report, Error>> {
    hub::io_map(inputs, INSPECT_MANY_AT_ONCE, |input| {
        inspect(input, options)
    })
}

/// Targets inspected at once by [`inspect_many`].
const INSPECT_MANY_AT_ONCE: usize = 4;
