//! Weight totals over the safetensors headers, and the shard-index cross-check.

use super::components::{component_of, Component};
use super::quant::{detect, Detected, LogicalCounter};
use crate::finding::{Code, Finding};
use crate::model::config::QuantizationConfig;
use crate::scan::index::WeightIndex;
use crate::scan::safetensors::TensorInfo;
use crate::scan::ShardScan;
use foldhash::{HashMap, HashMapExt};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// At most this many findings of one kind per index; the rest are summed up.
const MAX_LISTED: usize = 20;

/// Parameters by part of the network.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ByComponent {
    /// Token/position/patch embeddings.
    pub embeddings: u64,
    /// All numbered blocks together.
    pub layers: u64,
    /// Output head.
    pub head: u64,
    /// Everything else.
    pub other: u64,
}

impl ByComponent {
    /// Counts `params` of the tensor `name` in its component; returns the
    /// layer (name prefix, index) when it is in a numbered block, for the
    /// caller's per-layer tally.
    pub fn tally<'a>(&mut self, name: &'a str, params: u64) -> Option<(&'a str, u64)> {
        match component_of(name) {
            Component::Embeddings => self.embeddings += params,
            Component::Head => self.head += params,
            Component::Other => self.other += params,
            Component::Layer(prefix, index) => {
                self.layers += params;
                return Some((prefix, index));
            }
        }
        None
    }
}

/// One numbered block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LayerParams {
    /// The name prefix before the index (`model.layers`).
    pub prefix: String,
    /// The block index.
    pub index: u64,
    /// Logical parameters in the block.
    pub parameters: u64,
    /// Tensors in the block.
    pub tensors: u64,
}

/// One tensor, with what it counts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorEntry {
    /// Header facts.
    pub info: TensorInfo,
    /// Logical parameters (0 for quantization bookkeeping).
    pub parameters: u64,
}

/// One flat object: the header facts, then `parameters`. Written field by
/// field, as a struct: `#[serde(flatten)]` would write it through a map,
/// for each of thousands of tensors.
impl Serialize for TensorEntry {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let TensorInfo {
            name,
            dtype,
            shape,
            data_offsets,
        } = &self.info;
        let mut out = s.serialize_struct("TensorEntry", 5)?;
        out.serialize_field("name", name)?;
        out.serialize_field("dtype", dtype)?;
        out.serialize_field("shape", shape)?;
        out.serialize_field("data_offsets", data_offsets)?;
        out.serialize_field("parameters", &self.parameters)?;
        out.end()
    }
}

/// One safetensors file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShardSummary {
    /// Path relative to the model root.
    pub path: String,
    /// File size.
    pub size: u64,
    /// JSON header length.
    pub header_bytes: u64,
    /// Whether its tensors are counted in the totals (false for a copy that
    /// an index beside it does not name).
    pub counted: bool,
    /// Tensors in the file.
    pub tensor_count: u64,
    /// Logical parameters.
    pub parameters: u64,
    /// Tensor data bytes.
    pub bytes: u64,
    /// The header's `__metadata__` (`format`, a trainer's `ss_*` keys,
    /// `modelspec.*`), each value cut to [`METADATA_VALUE_CHARS`] characters
    /// (a cut one ends in `…`); omitted when the header has none.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub metadata: BTreeMap<String, String>,
    /// Every tensor, in header order.
    pub tensors: Vec<TensorEntry>,
}

/// Longest `__metadata__` value kept whole in the report (training tools
/// store megabytes of tag counts there).
pub const METADATA_VALUE_CHARS: usize = 200;

/// The quantization scheme, when one is detected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuantizationSummary {
    /// What was detected and from where.
    #[serde(flatten)]
    pub detected: Detected,
    /// Tensors skipped as bookkeeping (scales, zero points, indices).
    pub bookkeeping_tensors: u64,
}

/// Totals over the counted safetensors files.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WeightsSummary {
    /// `safetensors` when such files exist, else `pickle`, `gguf`, `onnx` or none.
    pub format: Option<String>,
    /// Logical parameters (packed quantized weights unpacked, bookkeeping skipped).
    pub parameters: u64,
    /// Plain sum of stored elements, for comparison.
    pub stored_elements: u64,
    /// Tensors counted.
    pub tensor_count: u64,
    /// Tensor data bytes counted.
    pub bytes: u64,
    /// Logical parameters by stored dtype.
    pub by_dtype: BTreeMap<String, u64>,
    /// Logical parameters by part of the network.
    pub by_component: ByComponent,
    /// Logical parameters by the folder their files sit in (`.` for the
    /// model root): a diffusers pipeline's components (`transformer`,
    /// `text_encoder`, `vae`, ...), a sentence-transformers module.
    pub by_folder: BTreeMap<String, u64>,
    /// Each numbered block.
    pub layers: Vec<LayerParams>,
    /// Each safetensors file.
    pub shards: Vec<ShardSummary>,
    /// Index files read.
    pub indexes: Vec<String>,
    /// The quantization scheme, when detected.
    pub quantization: Option<QuantizationSummary>,
}

impl WeightsSummary {
    /// Counted tensors of every shard.
    pub fn counted_tensors(&self) -> impl Iterator<Item = &TensorEntry> {
        self.shards
            .iter()
            .filter(|s| s.counted)
            .flat_map(|s| s.tensors.iter())
    }
}

/// The folder of a `/`-separated path (empty at the root).
fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
}

/// Builds the weight totals; returns them with the index findings.
/// Takes the shards by value: their tensors move into the summary uncopied.
/// `lfs_pointers` are the repository's files that are Git LFS pointers (the
/// index may name them; they are reported as pointers, not as missing).
pub fn summarize(
    shards: Vec<ShardScan>,
    indexes: &[WeightIndex],
    quant_config: Option<&QuantizationConfig>,
    lfs_pointers: &[&str],
) -> (WeightsSummary, Vec<Finding>) {
    let mut findings = Vec::new();
    for idx in indexes {
        findings.extend(check_index(idx, &shards, lfs_pointers));
    }
    let counted = counted_shards(&shards, indexes, &mut findings);

    let mut w = WeightsSummary {
        format: (!shards.is_empty()).then(|| "safetensors".to_string()),
        indexes: indexes.iter().map(|i| i.path.clone()).collect(),
        ..Default::default()
    };
    let logical = count_logical(&mut w, &shards, &counted, quant_config);
    // Pass 2, by value: the tensors move into the per-shard summaries.
    for ((s, is_counted), per_tensor) in shards.into_iter().zip(counted).zip(logical) {
        let shard = shard_summary(s, is_counted, per_tensor);
        if is_counted {
            let folder = match dir_of(&shard.path) {
                "" => ".",
                d => d,
            };
            match w.by_folder.get_mut(folder) {
                Some(n) => *n += shard.parameters,
                None => {
                    w.by_folder.insert(folder.to_string(), shard.parameters);
                }
            }
        }
        w.shards.push(shard);
    }
    (w, findings)
}

/// Which shards count: in a folder with an index, those it names (an info
/// for each other); elsewhere all; then the copies of one model dropped.
fn counted_shards(
    shards: &[ShardScan],
    indexes: &[WeightIndex],
    findings: &mut Vec<Finding>,
) -> Vec<bool> {
    // Which files count: in a folder with an index, those it names; elsewhere all.
    let named: Vec<BTreeSet<String>> = indexes
        .iter()
        .map(|idx| idx.shard_paths().into_iter().collect())
        .collect();
    let mut indexed: HashMap<&str, Vec<&BTreeSet<String>>> = HashMap::new();
    for (idx, set) in indexes.iter().zip(&named) {
        indexed.entry(idx.dir.as_str()).or_default().push(set);
    }
    let counted: Vec<bool> = shards
        .iter()
        .map(|s| match indexed.get(dir_of(&s.path)) {
            Some(sets) => sets.iter().any(|set| set.contains(&s.path)),
            None => true,
        })
        .collect();
    for (s, _) in shards.iter().zip(&counted).filter(|(_, c)| !**c) {
        findings.push(
            Finding::info(
                Code::WeightsUnindexedShard,
                "not named by the shard index beside it (an alternative copy?); its tensors are not counted",
            )
            .in_file(&s.path),
        );
    }
    drop_copies(shards, indexes, &named, counted, findings)
}

/// Pass 1, by reference: logical counts, totals, components, layers and
/// the quantization into `w`; returns each shard's tensors' logical
/// parameters (`None` for a quantization's bookkeeping tensor).
fn count_logical(
    w: &mut WeightsSummary,
    shards: &[ShardScan],
    counted: &[bool],
    quant_config: Option<&QuantizationConfig>,
) -> Vec<Vec<Option<u64>>> {
    let all_tensors: Vec<&TensorInfo> = shards
        .iter()
        .zip(counted)
        .filter(|(_, c)| **c)
        .filter_map(|(s, _)| s.header.as_ref())
        .flat_map(|h| h.tensors.iter())
        .collect();
    let detected = detect(quant_config, &all_tensors);
    let counter = LogicalCounter::new(detected.as_ref(), &all_tensors);
    let mut layers: HashMap<(&str, u64), (u64, u64)> = HashMap::new();
    let mut bookkeeping = 0u64;
    let mut logical = Vec::with_capacity(shards.len());
    for (s, &is_counted) in shards.iter().zip(counted) {
        let tensors = s
            .header
            .as_ref()
            .map(|h| h.tensors.as_slice())
            .unwrap_or(&[]);
        let per_tensor: Vec<Option<u64>> = tensors.iter().map(|t| counter.logical(t)).collect();
        if is_counted {
            for (t, l) in tensors.iter().zip(&per_tensor) {
                w.tensor_count += 1;
                w.bytes += t.byte_len();
                w.stored_elements = w.stored_elements.saturating_add(t.elements());
                let Some(params) = *l else {
                    bookkeeping += 1;
                    continue;
                };
                tally_tensor(w, &mut layers, t, params);
            }
        }
        logical.push(per_tensor);
    }
    w.layers = layers
        .into_iter()
        .map(|((prefix, index), (parameters, tensors))| LayerParams {
            prefix: prefix.to_string(),
            index,
            parameters,
            tensors,
        })
        .collect();
    w.layers
        .sort_by(|a, b| (&a.prefix, a.index).cmp(&(&b.prefix, b.index)));
    w.quantization = detected.map(|detected| QuantizationSummary {
        detected,
        bookkeeping_tensors: bookkeeping,
    });
    logical
}

/// Adds one counted tensor's logical parameters to the totals, by dtype
/// and by component, and to its layer's (layer prefix, index) →
/// (parameters, tensors).
fn tally_tensor<'a>(
    w: &mut WeightsSummary,
    layers: &mut HashMap<(&'a str, u64), (u64, u64)>,
    t: &'a TensorInfo,
    params: u64,
) {
    w.parameters = w.parameters.saturating_add(params);
    match w.by_dtype.get_mut(&t.dtype) {
        Some(n) => *n += params,
        None => {
            w.by_dtype.insert(t.dtype.clone(), params);
        }
    }
    if let Some(layer) = w.by_component.tally(&t.name, params) {
        let e = layers.entry(layer).or_default();
        e.0 += params;
        e.1 += 1;
    }
}

/// One shard's summary: its metadata (long values cut) and its tensors,
/// which move in, each with its logical parameters.
fn shard_summary(s: ShardScan, is_counted: bool, per_tensor: Vec<Option<u64>>) -> ShardSummary {
    let header_bytes = s.header.as_ref().map(|h| h.header_len).unwrap_or(0);
    let (mut metadata, tensors) = s
        .header
        .map(|h| (h.metadata, h.tensors))
        .unwrap_or_default();
    for v in metadata.values_mut() {
        if v.len() > METADATA_VALUE_CHARS {
            *v = crate::util::human::cut_chars(v, METADATA_VALUE_CHARS);
        }
    }
    let tensors: Vec<TensorEntry> = tensors
        .into_iter()
        .zip(per_tensor)
        .map(|(info, l)| TensorEntry {
            info,
            parameters: l.unwrap_or(0),
        })
        .collect();
    let parameters: u64 = tensors.iter().map(|t| t.parameters).sum();
    ShardSummary {
        path: s.path,
        size: s.size,
        header_bytes,
        counted: is_counted,
        tensor_count: tensors.len() as u64,
        parameters,
        bytes: tensors.iter().map(|t| t.info.byte_len()).sum(),
        metadata,
        tensors,
    }
}

/// One set of counted weights: the shards an index names, or one file.
struct WeightSet<'a> {
    /// The index path, or the file's.
    label: &'a str,
    /// Positions in the shard list.
    members: Vec<usize>,
}

impl WeightSet<'_> {
    /// Preference among copies: the shallowest folder, then an index's set,
    /// then `model*` names before `consolidated*`, then the path.
    fn rank(&self, indexed: bool) -> (usize, bool, bool, String) {
        (
            self.label.matches('/').count(),
            !indexed,
            self.label
                .rsplit('/')
                .next()
                .unwrap_or("")
                .starts_with("consolidated"),
            self.label.to_string(),
        )
    }
}

/// The series a shard's name belongs to: the path up to `-NNNNN-of-MMMMM`
/// (`dir/model` for `dir/model-00001-of-00003.safetensors`).
fn series_of(path: &str) -> Option<&str> {
    let stem = path.strip_suffix(".safetensors")?;
    let (head, total) = stem.rsplit_once("-of-")?;
    let (series, part) = head.rsplit_once('-')?;
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    (digits(part) && digits(total)).then_some(series)
}

/// Keeps one of each group of weight sets that hold the same tensor shapes
/// (a `consolidated.safetensors` beside `model.safetensors`, an `original/`
/// or fp16 copy, a link to a file counted already): the others are not
/// counted, each with a `weights/duplicate-copy` finding.
/// `named[i]` holds the paths `indexes[i]` names.
fn drop_copies(
    shards: &[ShardScan],
    indexes: &[WeightIndex],
    named: &[BTreeSet<String>],
    mut counted: Vec<bool>,
    findings: &mut Vec<Finding>,
) -> Vec<bool> {
    let mut sets: Vec<(WeightSet<'_>, bool)> = Vec::new();
    let mut in_index = vec![false; shards.len()];
    for (idx, named) in indexes.iter().zip(named) {
        let members: Vec<usize> = (0..shards.len())
            .filter(|&i| counted[i] && named.contains(&shards[i].path))
            .collect();
        members.iter().for_each(|&i| in_index[i] = true);
        if !members.is_empty() {
            sets.push((
                WeightSet {
                    label: &idx.path,
                    members,
                },
                true,
            ));
        }
    }
    // Files no index names: one set per shard series of a folder
    // (`model-00001-of-00003.safetensors`, ...), else one per file.
    let mut series: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, s) in shards.iter().enumerate() {
        if !counted[i] || in_index[i] || s.header.is_none() {
            continue;
        }
        let key = series_of(&s.path).unwrap_or(&s.path);
        match series.get(key) {
            Some(&at) => sets[at].0.members.push(i),
            None => {
                series.insert(key, sets.len());
                sets.push((
                    WeightSet {
                        label: &s.path,
                        members: vec![i],
                    },
                    false,
                ));
            }
        }
    }
    if sets.len() < 2 {
        return counted;
    }
    sets.sort_by_cached_key(|(set, indexed)| set.rank(*indexed));
    // A set's signature: its tensors' shapes, sorted (names and dtypes may
    // differ between copies: consolidated names, an fp16 variant).
    let mut seen: HashMap<Vec<&[u64]>, &str> = HashMap::new();
    for (set, _) in &sets {
        let mut shapes: Vec<&[u64]> = set
            .members
            .iter()
            .filter_map(|&i| shards[i].header.as_ref())
            .flat_map(|h| h.tensors.iter().map(|t| t.shape.as_slice()))
            .collect();
        if shapes.is_empty() {
            continue;
        }
        shapes.sort_unstable();
        match seen.get(&shapes) {
            Some(kept) => {
                for &i in &set.members {
                    counted[i] = false;
                    findings.push(
                        Finding::info(
                            Code::WeightsDuplicateCopy,
                            format!(
                                "repeats the tensor shapes of `{kept}` ({} tensors): an alternative copy; its tensors are not counted",
                                shapes.len()
                            ),
                        )
                        .in_file(&shards[i].path),
                    );
                }
            }
            None => {
                seen.insert(shapes, set.label);
            }
        }
    }
    counted
}

/// Cross-checks one index against the shards' headers.
fn check_index(idx: &WeightIndex, shards: &[ShardScan], lfs_pointers: &[&str]) -> Vec<Finding> {
    let mut out = Vec::new();
    let paths = idx.shard_paths();
    let held = Held::read(&paths, shards, lfs_pointers);
    let placement = Placement::of(idx, &held.names, &paths);
    for &id in &held.missing {
        out.push(
            Finding::error(
                Code::WeightsShardMissing,
                format!(
                    "shard `{}` is named by the index ({} tensors) but is not in the repository",
                    paths[id], placement.named_per_shard[id]
                ),
            )
            .in_file(&idx.path),
        );
    }
    let not_in_index = not_in_index(idx, &held.names, &paths, placement.placed);
    not_in_shard_findings(idx, &placement.not_in_shard, &mut out);
    not_in_index_findings(idx, &not_in_index, &mut out);
    if let Some(total) = idx.total_size {
        if held.all_readable && total != held.readable_total {
            out.push(
                Finding::warning(
                    Code::WeightsIndexMismatch,
                    format!(
                        "index metadata.total_size is {total} bytes, but the shards' tensors hold {}",
                        held.readable_total
                    ),
                )
                .in_file(&idx.path),
            );
        }
    }
    out
}

/// What the shards an index names hold.
struct Held<'a> {
    /// Each shard the index names (by its position in `idx.shards`): the
    /// tensor names its header holds, sorted, when it could be read.
    names: Vec<Option<Vec<&'a str>>>,
    /// The shards named but not in the repository (LFS pointers aside).
    missing: Vec<usize>,
    /// The tensor bytes of the shards that could be read.
    readable_total: u64,
    /// Whether every shard named could be read.
    all_readable: bool,
}

impl<'a> Held<'a> {
    /// Each shard the index names, by its path relative to the model root
    /// (`paths`): distinct names join to distinct paths.
    fn read(paths: &[String], shards: &'a [ShardScan], lfs_pointers: &[&str]) -> Self {
        let by_path: HashMap<&str, &ShardScan> =
            shards.iter().map(|s| (s.path.as_str(), s)).collect();
        let mut names: Vec<Option<Vec<&str>>> = Vec::with_capacity(paths.len());
        let mut missing: Vec<usize> = Vec::new();
        let mut readable_total: u64 = 0;
        let mut all_readable = true;
        for (id, path) in paths.iter().enumerate() {
            names.push(match by_path.get(path.as_str()) {
                Some(s) => match &s.header {
                    Some(h) => {
                        readable_total += h.tensors.iter().map(|t| t.byte_len()).sum::<u64>();
                        let mut names: Vec<&str> =
                            h.tensors.iter().map(|t| t.name.as_str()).collect();
                        names.sort_unstable();
                        names.dedup();
                        Some(names)
                    }
                    None => {
                        all_readable = false;
                        None
                    }
                },
                // A pointer has its own finding (`weights/lfs-pointer`).
                None if lfs_pointers.contains(&path.as_str()) => {
                    all_readable = false;
                    None
                }
                None => {
                    all_readable = false;
                    missing.push(id);
                    None
                }
            });
        }
        Held {
            names,
            missing,
            readable_total,
            all_readable,
        }
    }
}

/// Where the index places its tensors, against what the shards hold.
struct Placement<'a> {
    /// Tensors the index names in each shard.
    named_per_shard: Vec<usize>,
    /// (tensor, shard) the index places in a readable shard that lacks it.
    not_in_shard: Vec<(&'a str, &'a str)>,
    /// Held tensors the index places where they are (each entry names one).
    placed: usize,
}

impl<'a> Placement<'a> {
    /// Walks the index's weight map against the held names.
    fn of(idx: &'a WeightIndex, held: &[Option<Vec<&str>>], paths: &'a [String]) -> Self {
        let mut named_per_shard = vec![0usize; paths.len()];
        let mut not_in_shard: Vec<(&str, &str)> = Vec::new();
        let mut placed = 0usize;
        for (tensor, id) in &idx.weight_map {
            let id = *id as usize;
            named_per_shard[id] += 1;
            if let Some(names) = &held[id] {
                if names.binary_search(&tensor.as_str()).is_ok() {
                    placed += 1;
                } else {
                    not_in_shard.push((tensor, paths[id].as_str()));
                }
            }
        }
        Placement {
            named_per_shard,
            not_in_shard,
            placed,
        }
    }
}

/// The held tensors the index does not place there (tensor, shard, where
/// the index places it), sorted; looked for only when some are left.
fn not_in_index<'a>(
    idx: &WeightIndex,
    held: &[Option<Vec<&'a str>>],
    paths: &'a [String],
    placed: usize,
) -> Vec<(&'a str, &'a str, Option<&'a str>)> {
    let held_count: usize = held.iter().flatten().map(Vec::len).sum();
    let mut not_in_index: Vec<(&str, &str, Option<&str>)> = Vec::new();
    if placed < held_count {
        for (id, names) in held.iter().enumerate() {
            for &name in names.iter().flatten() {
                let mapped = idx.shard_of(name).map(|m| m as usize);
                if mapped != Some(id) {
                    let mapped = mapped.map(|m| paths[m].as_str());
                    not_in_index.push((name, paths[id].as_str(), mapped));
                }
            }
        }
    }
    not_in_index.sort();
    not_in_index
}

/// An error for each tensor the index places in a shard that lacks it, the
/// first `MAX_LISTED` by name, then one for the rest.
fn not_in_shard_findings(idx: &WeightIndex, not_in_shard: &[(&str, &str)], out: &mut Vec<Finding>) {
    for (i, (tensor, shard)) in not_in_shard.iter().enumerate() {
        if i == MAX_LISTED {
            out.push(
                Finding::error(
                    Code::WeightsIndexMismatch,
                    format!(
                        "... and {} more tensors the index places in shards that lack them",
                        not_in_shard.len() - MAX_LISTED
                    ),
                )
                .in_file(&idx.path),
            );
            break;
        }
        out.push(
            Finding::error(
                Code::WeightsIndexMismatch,
                format!("index places `{tensor}` in `{shard}`, which has no such tensor"),
            )
            .in_file(&idx.path)
            .on_tensor(*tensor),
        );
    }
}

/// An error for each tensor a shard holds that the index does not place
/// there, the first `MAX_LISTED`, then one for the rest.
fn not_in_index_findings(
    idx: &WeightIndex,
    not_in_index: &[(&str, &str, Option<&str>)],
    out: &mut Vec<Finding>,
) {
    for (i, (tensor, shard, mapped)) in not_in_index.iter().enumerate() {
        if i == MAX_LISTED {
            out.push(
                Finding::error(
                    Code::WeightsIndexMismatch,
                    format!(
                        "... and {} more tensors in shards that the index does not place there",
                        not_in_index.len() - MAX_LISTED
                    ),
                )
                .in_file(&idx.path),
            );
            break;
        }
        let msg = match mapped {
            Some(other) => {
                format!("`{shard}` holds `{tensor}`, but the index places it in `{other}`")
            }
            None => format!("`{shard}` holds `{tensor}`, which the index does not list"),
        };
        out.push(
            Finding::error(Code::WeightsIndexMismatch, msg)
                .in_file(&idx.path)
                .on_tensor(*tensor),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::{series_of, TensorEntry, TensorInfo};

    #[test]
    fn a_tensor_entry_is_its_header_facts_and_its_parameters_in_one_object() {
        let info = TensorInfo {
            name: "w".into(),
            dtype: "BF16".into(),
            shape: vec![2, 3],
            data_offsets: [0, 12],
        };
        let entry = TensorEntry {
            info: info.clone(),
            parameters: 6,
        };
        let mut expected = serde_json::to_value(&info).unwrap();
        expected["parameters"] = 6.into();
        assert_eq!(serde_json::to_value(&entry).unwrap(), expected);
        assert_eq!(
            serde_json::to_string(&entry).unwrap(),
            r#"{"name":"w","dtype":"BF16","shape":[2,3],"data_offsets":[0,12],"parameters":6}"#
        );
    }

    #[test]
    fn shard_series_are_named_by_the_path_before_the_numbers() {
        assert_eq!(
            series_of("original/model-00001-of-00003.safetensors"),
            Some("original/model")
        );
        assert_eq!(series_of("model.safetensors"), None);
        assert_eq!(series_of("a-b-of-c.safetensors"), None);
    }
}
