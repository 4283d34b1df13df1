//! PEFT adapters (LoRA, DoRA, IA3, ...): the adapter's configuration, its
//! lora_A/lora_B pairs by module and layer, and the checks against the base
//! model when it is at hand. Pure: the scan read the files.

use crate::analyze::components::{component_of, Component};
use crate::analyze::weights::WeightsSummary;
use crate::finding::{Code, Finding};
use crate::util::json::{as_u64, JsonDoc};
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};

/// One LoRA pair.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LoraPair {
    /// The adapted module of the base, e.g. `model.layers.0.self_attn.q_proj`.
    pub module: String,
    /// Its layer index, when it sits in a numbered block.
    pub layer: Option<u64>,
    /// The target name (`q_proj`).
    pub target: String,
    /// `lora_A` shape `[r, in]`.
    pub a_shape: Vec<u64>,
    /// `lora_B` shape `[out, r]`.
    pub b_shape: Vec<u64>,
    /// The rank the shapes say.
    pub rank: u64,
    /// Parameters of both matrices.
    pub parameters: u64,
}

/// The adapter, summarised.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdapterSummary {
    /// `LORA`, `IA3`, `LOHA`, ... (`peft_type`).
    pub peft_type: String,
    /// `task_type`.
    pub task_type: Option<String>,
    /// Rank `r`.
    pub r: Option<u64>,
    /// `lora_alpha`.
    pub lora_alpha: Option<f64>,
    /// `lora_dropout`.
    pub lora_dropout: Option<f64>,
    /// rsLoRA scaling (`alpha / sqrt(r)`).
    pub use_rslora: bool,
    /// DoRA (magnitude vectors).
    pub use_dora: bool,
    /// The merge scale: `alpha / r`, or `alpha / sqrt(r)` with rsLoRA.
    pub scale: Option<f64>,
    /// `target_modules`.
    pub target_modules: Vec<String>,
    /// `modules_to_save`.
    pub modules_to_save: Vec<String>,
    /// `base_model_name_or_path`.
    pub base_model: Option<String>,
    /// The base model that was at hand for the checks (path or repo id).
    pub base_checked: Option<String>,
    /// Every lora_A/lora_B pair.
    pub pairs: Vec<LoraPair>,
    /// Pairs by target name → count.
    pub pairs_by_target: BTreeMap<String, u64>,
    /// Trainable parameters (every adapter tensor).
    pub trainable_parameters: u64,
    /// The base's parameters, when the base is at hand.
    pub base_parameters: Option<u64>,
    /// Trainable / base parameters.
    pub share_of_base: Option<f64>,
}

/// The base model's tensors, for the checks.
#[derive(Debug, Clone, Default)]
pub struct BaseTensors {
    /// How the base was named.
    pub name: String,
    /// Tensor name → shape.
    pub shapes: HashMap<String, Vec<u64>>,
    /// Its logical parameters.
    pub parameters: u64,
}

impl BaseTensors {
    /// From a base model's weight summary.
    pub fn from_weights(name: &str, w: &WeightsSummary) -> Self {
        BaseTensors {
            name: name.to_string(),
            shapes: w
                .counted_tensors()
                .map(|t| (t.info.name.clone(), t.info.shape.clone()))
                .collect(),
            parameters: w.parameters,
        }
    }
}

/// A list of strings, or one string as a list of one; empty otherwise.
fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_string))
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// The rank configured for a module (`rank_pattern` keys match a module-name suffix).
fn rank_for(config: &Value, module: &str, default: Option<u64>) -> Option<u64> {
    if let Some(patterns) = config.get("rank_pattern").and_then(Value::as_object) {
        for (key, v) in patterns {
            if module == key || module.ends_with(&format!(".{key}")) {
                return as_u64(v);
            }
        }
    }
    default
}

/// Splits an adapter tensor name into (module, part).
fn split_name(name: &str) -> (String, String) {
    let n = name.strip_prefix("base_model.model.").unwrap_or(name);
    for part in [
        "lora_A",
        "lora_B",
        "lora_embedding_A",
        "lora_embedding_B",
        "lora_magnitude_vector",
        "ia3_l",
        "hada_w1_a",
        "hada_w1_b",
        "hada_w2_a",
        "hada_w2_b",
        "lokr_w1",
        "lokr_w2",
        "oft_r",
    ] {
        if let Some(i) = n.find(&format!(".{part}")) {
            return (n[..i].to_string(), part.to_string());
        }
    }
    (n.to_string(), String::new())
}

/// Summarises the adapter; findings for what does not fit.
pub fn analyze(
    config: &JsonDoc,
    weights: &WeightsSummary,
    card_base_model: &[String],
    base: Option<&BaseTensors>,
) -> (AdapterSummary, Vec<Finding>) {
    let v = &config.value;
    let mut findings = Vec::new();
    let peft_type = v
        .get("peft_type")
        .and_then(Value::as_str)
        .unwrap_or("LORA")
        .to_string();
    let r = v.get("r").and_then(as_u64);
    let alpha = v.get("lora_alpha").and_then(Value::as_f64);
    let use_rslora = v
        .get("use_rslora")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let use_dora = v.get("use_dora").and_then(Value::as_bool).unwrap_or(false);
    let scale = match (alpha, r) {
        (Some(a), Some(r)) if r > 0 => Some(if use_rslora {
            a / (r as f64).sqrt()
        } else {
            a / r as f64
        }),
        _ => None,
    };
    let target_modules = strings(v.get("target_modules"));
    let modules_to_save = strings(v.get("modules_to_save"));
    let base_model = v
        .get("base_model_name_or_path")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string);

    let grouped = group_tensors(weights, &modules_to_save, &mut findings);
    let pairs = pairs(config, &grouped, r, base, &mut findings);
    missing_targets(config, &target_modules, base, &mut findings);
    if base_model.is_none() && card_base_model.is_empty() && base.is_none() {
        findings.push(
            Finding::warning(
                Code::AdapterBaseUnknown,
                "no base model named (adapter_config.json base_model_name_or_path, card base_model) and none given with --base",
            )
            .in_file(&config.path),
        );
    }
    let mut pairs_by_target = BTreeMap::new();
    for p in &pairs {
        *pairs_by_target.entry(p.target.clone()).or_insert(0) += 1;
    }
    let trainable = grouped.trainable;
    let base_parameters = base.map(|b| b.parameters);
    (
        AdapterSummary {
            peft_type,
            task_type: v
                .get("task_type")
                .and_then(Value::as_str)
                .map(str::to_string),
            r,
            lora_alpha: alpha,
            lora_dropout: v.get("lora_dropout").and_then(Value::as_f64),
            use_rslora,
            use_dora,
            scale,
            target_modules,
            modules_to_save,
            base_model,
            base_checked: base.map(|b| b.name.clone()),
            pairs,
            pairs_by_target,
            trainable_parameters: trainable,
            base_parameters,
            share_of_base: base_parameters
                .filter(|p| *p > 0)
                .map(|p| trainable as f64 / p as f64),
        },
        findings,
    )
}

/// The adapter's tensors grouped: the shapes of the lora_A and lora_B
/// matrices by module, and the trainable parameters of every tensor.
struct Grouped {
    /// Module → lora_A (or lora_embedding_A) shape.
    a: BTreeMap<String, Vec<u64>>,
    /// Module → lora_B (or lora_embedding_B) shape.
    b: BTreeMap<String, Vec<u64>>,
    /// Parameters of every counted tensor.
    trainable: u64,
}

/// Groups the tensors by module and part; a warning for each tensor that
/// belongs to no pair and to no module in `modules_to_save`.
fn group_tensors(
    weights: &WeightsSummary,
    modules_to_save: &[String],
    findings: &mut Vec<Finding>,
) -> Grouped {
    let mut a: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    let mut b: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    let mut trainable = 0u64;
    for t in weights.counted_tensors() {
        trainable += t.parameters;
        let (module, part) = split_name(&t.info.name);
        match part.as_str() {
            "lora_A" | "lora_embedding_A" => {
                a.insert(module, t.info.shape.clone());
            }
            "lora_B" | "lora_embedding_B" => {
                b.insert(module, t.info.shape.clone());
            }
            "" => {
                let saved = modules_to_save
                    .iter()
                    .any(|m| module.split('.').any(|seg| seg == m));
                if !saved {
                    findings.push(
                        Finding::warning(
                            Code::AdapterOrphanTensor,
                            format!(
                                "`{}` belongs to no LoRA pair and to no module in modules_to_save",
                                t.info.name
                            ),
                        )
                        .on_tensor(t.info.name.clone()),
                    );
                }
            }
            _ => {}
        }
    }
    Grouped { a, b, trainable }
}

/// The lora_A/lora_B pairs, each checked for a shared rank, the configured
/// rank and (with the base at hand) the base's weight; a warning for each
/// lora_A without its lora_B and each lora_B without its lora_A.
fn pairs(
    config: &JsonDoc,
    grouped: &Grouped,
    r: Option<u64>,
    base: Option<&BaseTensors>,
    findings: &mut Vec<Finding>,
) -> Vec<LoraPair> {
    let (a, b) = (&grouped.a, &grouped.b);
    let mut pairs = Vec::new();
    for (module, a_shape) in a {
        let Some(b_shape) = b.get(module) else {
            findings.push(
                Finding::warning(
                    Code::AdapterOrphanTensor,
                    format!("`{module}` has lora_A but no lora_B"),
                )
                .on_tensor(module.clone()),
            );
            continue;
        };
        let layer = match component_of(&format!("{module}.weight")) {
            Component::Layer(_, i) => Some(i),
            _ => None,
        };
        let target = module.rsplit('.').next().unwrap_or(module).to_string();
        let expected_rank = rank_for(&config.value, module, r);
        let rank = check_rank(config, module, a_shape, b_shape, expected_rank, findings);
        if let Some(base) = base {
            check_against_base(base, module, a_shape, b_shape, findings);
        }
        let parameters = a_shape.iter().product::<u64>() + b_shape.iter().product::<u64>();
        pairs.push(LoraPair {
            module: module.clone(),
            layer,
            target,
            a_shape: a_shape.clone(),
            b_shape: b_shape.clone(),
            rank,
            parameters,
        });
    }
    for module in b.keys().filter(|m| !a.contains_key(*m)) {
        findings.push(
            Finding::warning(
                Code::AdapterOrphanTensor,
                format!("`{module}` has lora_B but no lora_A"),
            )
            .on_tensor(module.clone()),
        );
    }
    pairs
}

/// The rank a pair's shapes say (lora_A's first dimension, 0 when it has
/// none); an error when lora_A and lora_B do not share a rank, or when it
/// is not the rank adapter_config.json sets for the module.
fn check_rank(
    config: &JsonDoc,
    module: &str,
    a_shape: &[u64],
    b_shape: &[u64],
    expected_rank: Option<u64>,
    findings: &mut Vec<Finding>,
) -> u64 {
    let (ra, rb) = (a_shape.first().copied(), b_shape.get(1).copied());
    let rank = ra.unwrap_or(0);
    if a_shape.len() != 2 || b_shape.len() != 2 || ra != rb {
        findings.push(
            Finding::error(
                Code::AdapterShapeMismatch,
                format!(
                    "`{module}`: lora_A {a_shape:?} and lora_B {b_shape:?} do not share a rank"
                ),
            )
            .on_tensor(module.to_string()),
        );
    } else if expected_rank.is_some_and(|e| e != rank) {
        findings.push(
            Finding::error(
                Code::AdapterShapeMismatch,
                format!(
                    "`{module}`: the matrices have rank {rank} but adapter_config.json says r = {}",
                    expected_rank.unwrap_or(0)
                ),
            )
            .in_file(&config.path)
            .at_optional_line(config.key_line("r"))
            .on_tensor(module.to_string()),
        );
    }
    rank
}

/// Checks a pair against the base's weight for its module: an error when
/// B·A is not the weight's shape, or when the base has no such module (a
/// quantized base, whose module holds other tensors, passes).
fn check_against_base(
    base: &BaseTensors,
    module: &str,
    a_shape: &[u64],
    b_shape: &[u64],
    findings: &mut Vec<Finding>,
) {
    match base.shapes.get(&format!("{module}.weight")) {
        Some(w) if w.len() == 2 && a_shape.len() == 2 && b_shape.len() == 2 => {
            let embedding = module.contains("embed");
            let (base_out, base_in) = if embedding {
                (w[1], w[0])
            } else {
                (w[0], w[1])
            };
            if a_shape[1] != base_in || b_shape[0] != base_out {
                findings.push(
                    Finding::error(
                        Code::AdapterShapeMismatch,
                        format!(
                            "`{module}`: B·A is [{}, {}] but the base's weight is {w:?}",
                            b_shape[0], a_shape[1]
                        ),
                    )
                    .on_tensor(module.to_string()),
                );
            }
        }
        Some(_) => {}
        None => {
            let quantized = base
                .shapes
                .keys()
                .any(|k| k.starts_with(&format!("{module}.")));
            if !quantized {
                findings.push(
                    Finding::error(
                        Code::AdapterTargetMissing,
                        format!("`{module}` is adapted but {} has no such module", base.name),
                    )
                    .on_tensor(module.to_string()),
                );
            }
        }
    }
}

/// With the base at hand: an error for each plain target module (no
/// wildcard, no regex) that no module of the base is named.
fn missing_targets(
    config: &JsonDoc,
    target_modules: &[String],
    base: Option<&BaseTensors>,
    findings: &mut Vec<Finding>,
) {
    let Some(base) = base else {
        return;
    };
    for t in target_modules {
        let exists = base.shapes.keys().any(|k| k.split('.').any(|seg| seg == t));
        if !exists && !t.contains('*') && !t.contains('(') {
            findings.push(
                Finding::error(
                    Code::AdapterTargetMissing,
                    format!("target module `{t}` does not exist in {}", base.name),
                )
                .in_file(&config.path)
                .at_optional_line(config.key_line("target_modules")),
            );
        }
    }
}
