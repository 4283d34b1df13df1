//! Checks across files that no single file can fail: tokenizer vs embedding,
//! special ids across configs, tied embeddings, layer count, dtype.

use super::components::{component_of, is_lm_head, is_side_tower, is_token_embedding, Component};
use super::weights::WeightsSummary;
use crate::finding::{Code, Finding};
use crate::model::config::Architecture;
use crate::model::generation::GenerationSummary;
use crate::model::mistral;
use crate::model::tokenizer::TokenizerSummary;
use crate::scan::dtype::{is_float_weight_dtype, torch_dtype_to_safetensors};
use crate::util::json::JsonDoc;
use std::collections::{BTreeMap, BTreeSet};

/// What the checks look at.
pub struct ConsistencyInputs<'a> {
    /// The architecture from config.json (or Mistral's params.json).
    pub arch: Option<&'a Architecture>,
    /// config.json itself (or params.json), for line numbers.
    pub config: Option<&'a JsonDoc>,
    /// Weight totals and tensors.
    pub weights: &'a WeightsSummary,
    /// The tokenizer summary.
    pub tokenizer: Option<&'a TokenizerSummary>,
    /// generation_config.json.
    pub generation: Option<&'a GenerationSummary>,
    /// False when some weights are not here (a shard missing or only an LFS
    /// pointer, a header that could not be read): the tied-embedding and
    /// layer checks, which need every tensor, are skipped.
    pub weights_complete: bool,
}

/// Runs every consistency check.
pub fn check(i: &ConsistencyInputs<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    vocab_size(i, &mut out);
    special_tokens(i, &mut out);
    if i.weights_complete {
        tied_embeddings(i, &mut out);
        layers(i, &mut out);
    }
    dtype(i, &mut out);
    out
}

fn config_finding(i: &ConsistencyInputs<'_>, f: Finding, key: &str) -> Finding {
    match i.config {
        Some(doc) => {
            let line = doc.key_line(key_name(i, key));
            f.in_file(&doc.path).at_optional_line(line)
        }
        None => f,
    }
}

/// True when the architecture came from Mistral's native `params.json`.
fn from_params(i: &ConsistencyInputs<'_>) -> bool {
    i.config.is_some_and(|d| d.path == mistral::PARAMS_FILE)
}

/// The name the config file gives a transformers config key.
fn key_name<'k>(i: &ConsistencyInputs<'_>, key: &'k str) -> &'k str {
    if from_params(i) {
        mistral::params_key(key).unwrap_or(key)
    } else {
        key
    }
}

/// The config file the architecture came from, for messages.
fn config_name<'a>(i: &ConsistencyInputs<'a>) -> &'a str {
    i.config.map_or("config.json", |d| d.path.as_str())
}

/// Rows of the token embedding, and its name.
fn embedding_rows(w: &WeightsSummary, hidden: Option<u64>) -> Option<(String, u64)> {
    let mut best: Option<(String, u64)> = None;
    for t in w.counted_tensors() {
        if !is_token_embedding(&t.info.name) || t.info.shape.len() != 2 {
            continue;
        }
        let rows = t.info.shape[0];
        let fits = hidden.is_none_or(|h| t.info.shape[1] == h);
        if fits || best.is_none() {
            best = Some((t.info.name.clone(), rows));
            if fits {
                break;
            }
        }
    }
    best
}

fn vocab_size(i: &ConsistencyInputs<'_>, out: &mut Vec<Finding>) {
    let hidden = i.arch.and_then(|a| a.hidden_size);
    let embedding = embedding_rows(i.weights, hidden);
    let tok = i.tokenizer.and_then(|t| t.vocab_size);
    if let (Some((name, rows)), Some(tok)) = (&embedding, tok) {
        if tok > *rows {
            out.push(
                Finding::error(
                    Code::ConsistencyVocabSize,
                    format!(
                        "the tokenizer produces ids up to {} but `{name}` has {rows} rows: {} token ids have no embedding and will crash or read garbage",
                        tok - 1,
                        tok - rows
                    ),
                )
                .on_tensor(name.clone()),
            );
        }
    }
    if let (Some((name, rows)), Some(cfg)) = (&embedding, i.arch.and_then(|a| a.vocab_size)) {
        if cfg != *rows {
            out.push(
                config_finding(
                    i,
                    Finding::warning(
                        Code::ConsistencyVocabSize,
                        format!(
                            "{} says {} {cfg}, but `{name}` has {rows} rows",
                            config_name(i),
                            key_name(i, "vocab_size")
                        ),
                    ),
                    "vocab_size",
                )
                .on_tensor(name.clone()),
            );
        }
    } else if let (None, Some(cfg), Some(tok)) =
        (&embedding, i.arch.and_then(|a| a.vocab_size), tok)
    {
        if tok > cfg {
            out.push(config_finding(
                i,
                Finding::error(
                    Code::ConsistencyVocabSize,
                    format!(
                        "the tokenizer produces ids up to {} but {} says {} {cfg}",
                        tok - 1,
                        config_name(i),
                        key_name(i, "vocab_size")
                    ),
                ),
                "vocab_size",
            ));
        }
    }
}

fn special_tokens(i: &ConsistencyInputs<'_>, out: &mut Vec<Finding>) {
    for role in ["bos", "eos"] {
        let mut sources: BTreeMap<&str, BTreeSet<u64>> = BTreeMap::new();
        if let Some(a) = i.arch {
            let ids = if role == "bos" {
                &a.bos_token_ids
            } else {
                &a.eos_token_ids
            };
            if !ids.is_empty() {
                sources.insert("config.json", ids.iter().copied().collect());
            }
        }
        if let Some(g) = i.generation {
            let ids = if role == "bos" {
                &g.bos_token_ids
            } else {
                &g.eos_token_ids
            };
            if !ids.is_empty() {
                sources.insert("generation_config.json", ids.iter().copied().collect());
            }
        }
        if let Some(id) = i
            .tokenizer
            .and_then(|t| t.special_tokens.get(role))
            .and_then(|s| s.id)
        {
            sources.insert("tokenizer", BTreeSet::from([id]));
        }
        let names: Vec<&str> = sources.keys().copied().collect();
        let mut disjoint = Vec::new();
        for (a_i, a) in names.iter().enumerate() {
            for b in &names[a_i + 1..] {
                if sources[a].is_disjoint(&sources[b]) {
                    disjoint.push(format!("{a} and {b}"));
                }
            }
        }
        if !disjoint.is_empty() {
            let listing: Vec<String> = sources
                .iter()
                .map(|(k, v)| format!("{k} {:?}", v.iter().collect::<Vec<_>>()))
                .collect();
            out.push(config_finding(
                i,
                Finding::warning(
                    Code::ConsistencySpecialTokens,
                    format!(
                        "{role} token ids disagree ({}): {}",
                        disjoint.join("; "),
                        listing.join(", ")
                    ),
                ),
                &format!("{role}_token_id"),
            ));
        }
    }
}

fn tied_embeddings(i: &ConsistencyInputs<'_>, out: &mut Vec<Finding>) {
    let Some(tie) = i.arch.and_then(|a| a.tie_word_embeddings) else {
        return;
    };
    let w = i.weights;
    if w.tensor_count == 0 || embedding_rows(w, None).is_none() {
        return;
    }
    let causal = i.arch.is_some_and(|a| {
        a.architectures.is_empty()
            || a.architectures.iter().any(|n| {
                n.ends_with("ForCausalLM")
                    || n.ends_with("LMHeadModel")
                    || n.ends_with("ForConditionalGeneration")
            })
    });
    if !causal {
        return;
    }
    let head = w.counted_tensors().find(|t| is_lm_head(&t.info.name));
    match (tie, head) {
        (false, None) => out.push(config_finding(
            i,
            Finding::error(
                Code::ConsistencyTiedEmbeddings,
                format!(
                    "{} is false but no lm_head tensor is stored: the output layer would be left uninitialised",
                    key_name(i, "tie_word_embeddings")
                ),
            ),
            "tie_word_embeddings",
        )),
        (true, Some(t)) => out.push(
            config_finding(
                i,
                Finding::warning(
                    Code::ConsistencyTiedEmbeddings,
                    format!(
                        "{} is true but `{}` is stored: loaders will ignore it or the config is wrong",
                        key_name(i, "tie_word_embeddings"),
                        t.info.name
                    ),
                ),
                "tie_word_embeddings",
            )
            .on_tensor(t.info.name.clone()),
        ),
        _ => {}
    }
}

fn layers(i: &ConsistencyInputs<'_>, out: &mut Vec<Finding>) {
    let Some(expected) = i.arch.and_then(|a| a.num_layers) else {
        return;
    };
    // The main stack: the non-vision prefix with the most tensors.
    let mut by_prefix: BTreeMap<&str, (u64, BTreeSet<u64>)> = BTreeMap::new();
    for t in i.weights.counted_tensors() {
        if let Component::Layer(prefix, idx) = component_of(&t.info.name) {
            let e = by_prefix.entry(prefix).or_default();
            e.0 += 1;
            e.1.insert(idx);
        }
    }
    let Some((prefix, (_, indices))) = by_prefix
        .into_iter()
        .filter(|(prefix, _)| !is_side_tower(prefix))
        .max_by_key(|(_, (n, _))| *n)
    else {
        return;
    };
    let found = indices.len() as u64;
    // An encoder-decoder model may state its decoder's depth apart.
    let (expected, key) = match i.arch.and_then(|a| a.num_decoder_layers) {
        Some(d) if prefix.contains("decoder") => (d, "num_decoder_layers"),
        _ => (expected, "num_hidden_layers"),
    };
    let extra = i.arch.and_then(|a| a.num_nextn_predict_layers).unwrap_or(0);
    if found != expected && found != expected + extra {
        out.push(config_finding(
            i,
            Finding::error(
                Code::ConsistencyLayers,
                format!(
                    "{} says {expected} layers, but the tensors hold {found} (`{prefix}.N`)",
                    config_name(i)
                ),
            ),
            key,
        ));
        return;
    }
    let missing: Vec<u64> = (0..found)
        .filter(|n| !indices.contains(n))
        .take(10)
        .collect();
    if !missing.is_empty() {
        out.push(Finding::error(
            Code::ConsistencyLayers,
            format!("layer numbering has holes: `{prefix}.N` missing for N in {missing:?}"),
        ));
    }
}

fn dtype(i: &ConsistencyInputs<'_>, out: &mut Vec<Finding>) {
    let Some(declared) = i.arch.and_then(|a| a.torch_dtype.as_deref()) else {
        return;
    };
    let Some(declared_st) = torch_dtype_to_safetensors(declared) else {
        return;
    };
    let mut float_params: BTreeMap<&str, u64> = BTreeMap::new();
    for (d, n) in &i.weights.by_dtype {
        if is_float_weight_dtype(d) {
            float_params.insert(d, *n);
        }
    }
    let Some((&dominant, _)) = float_params.iter().max_by_key(|(_, n)| **n) else {
        return;
    };
    if i.weights.quantization.is_some() && !is_float_weight_dtype(declared_st) {
        return;
    }
    if dominant != declared_st {
        out.push(config_finding(
            i,
            Finding::warning(
                Code::ConsistencyDtype,
                format!(
                    "torch_dtype is `{declared}` ({declared_st}) but most float weights are stored as {dominant}"
                ),
            ),
            if i.config.and_then(|d| d.key_line("torch_dtype")).is_some() {
                "torch_dtype"
            } else {
                "dtype"
            },
        ));
    }
}
