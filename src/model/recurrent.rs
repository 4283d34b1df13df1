//! The sizes of the recurrent layers of state-space and linear-attention
//! models, as config.json states them: Mamba (also Jamba's and Falcon
//! Mamba's layers), Mamba-2 (Nemotron-H, Granite 4.0 hybrids, Bamba,
//! Falcon-H1, Zamba2), gated DeltaNet (Qwen3-Next) and the short
//! convolutions of LFM2. Each keeps a fixed-size state per sequence in place
//! of a per-token KV cache; `analyze::recurrent_state` sizes it.

use crate::util::json::as_u64;
use serde::Serialize;
use serde_json::Value;

/// One kind of recurrent layer and the sizes its state depends on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum RecurrentConfig {
    /// A Mamba (selective state-space) layer: a `inner × state` SSM state
    /// and the last `conv_kernel - 1` inputs of its causal convolution.
    Mamba {
        /// Channels of the SSM (`intermediate_size`, else `expand × hidden`).
        inner: u64,
        /// SSM state size per channel (`state_size`, `mamba_d_state`).
        state: u64,
        /// Width of the causal convolution (`conv_kernel`, `mamba_d_conv`).
        conv_kernel: u64,
    },
    /// A Mamba-2 layer: a `heads × head_dim × state` SSM state, and a
    /// convolution over the inner channels and the groups' B and C.
    Mamba2 {
        /// Channels of the SSM (`heads × head_dim`).
        inner: u64,
        /// SSM heads (`mamba_n_heads`, Mamba2's `num_heads`).
        heads: u64,
        /// Width of each SSM head (`mamba_d_head`, Mamba2's `head_dim`).
        head_dim: u64,
        /// SSM state size (`ssm_state_size`, `mamba_d_state`, `state_size`).
        state: u64,
        /// Groups sharing B and C (`n_groups`, `mamba_n_groups`).
        groups: u64,
        /// Width of the causal convolution.
        conv_kernel: u64,
    },
    /// A gated DeltaNet linear-attention layer (Qwen3-Next; also Kimi Delta
    /// Attention, Kimi Linear and Kimi K3, whose state has the same shape): a
    /// `key_head_dim × value_head_dim` matrix per value head, and a
    /// convolution over the queries, keys and values.
    GatedDeltaNet {
        /// Query/key heads (`linear_num_key_heads`).
        key_heads: u64,
        /// Value heads (`linear_num_value_heads`).
        value_heads: u64,
        /// Width of each key head (`linear_key_head_dim`).
        key_head_dim: u64,
        /// Width of each value head (`linear_value_head_dim`).
        value_head_dim: u64,
        /// Width of the causal convolution (`linear_conv_kernel_dim`).
        conv_kernel: u64,
    },
    /// A gated short-convolution layer (LFM2): the last `conv_kernel - 1`
    /// inputs over `width` channels.
    ShortConv {
        /// Channels of the convolution (the hidden size).
        width: u64,
        /// Width of the convolution (`conv_L_cache`).
        conv_kernel: u64,
    },
}

impl RecurrentConfig {
    /// The sizes in one line, for people.
    pub fn describe(&self) -> String {
        match *self {
            RecurrentConfig::Mamba {
                inner,
                state,
                conv_kernel,
            } => format!("Mamba, {inner} inner × {state} state, conv {conv_kernel}"),
            RecurrentConfig::Mamba2 {
                heads,
                head_dim,
                state,
                groups,
                conv_kernel,
                ..
            } => format!(
                "Mamba-2, {heads} heads × {head_dim} × {state} state, {groups} group{}, conv {conv_kernel}",
                if groups == 1 { "" } else { "s" }
            ),
            RecurrentConfig::GatedDeltaNet {
                key_heads,
                value_heads,
                key_head_dim,
                value_head_dim,
                conv_kernel,
            } => format!(
                "gated DeltaNet, {key_heads} key heads × {key_head_dim}, {value_heads} value heads × {value_head_dim}, conv {conv_kernel}"
            ),
            RecurrentConfig::ShortConv { width, conv_kernel } => {
                format!("short convolution, {width} channels, kernel {conv_kernel}")
            }
        }
    }

    /// True when a layer of the kind `layer_types` names (`mamba`,
    /// `linear_attention`, `conv`, Zamba2's `hybrid`, a GGUF's `recurrent`)
    /// holds this state.
    pub fn holds_state(&self, layer_kind: &str) -> bool {
        let k = layer_kind.to_ascii_lowercase();
        // A GGUF's layers without attention heads.
        if k == "recurrent" {
            return true;
        }
        match self {
            // Zamba2's `hybrid` layers are Mamba layers with the shared
            // attention block beside them.
            RecurrentConfig::Mamba { .. } | RecurrentConfig::Mamba2 { .. } => {
                k.contains("mamba") || k.contains("ssm") || k == "hybrid"
            }
            RecurrentConfig::GatedDeltaNet { .. } => k.contains("linear"),
            RecurrentConfig::ShortConv { .. } => k.contains("conv"),
        }
    }
}

/// Model types whose state-space layers are Mamba-2 layers.
const MAMBA2_TYPES: &[&str] = &[
    "mamba2",
    "nemotron_h",
    "bamba",
    "granitemoehybrid",
    "falcon_h1",
    "zamba2",
];

/// Model types made of (or mixing in) Mamba layers whose config may state
/// nothing but the defaults.
const MAMBA_TYPES: &[&str] = &["mamba", "falcon_mamba", "jamba", "zamba"];

/// Reads the recurrent layers' sizes; `None` for a model without any, or
/// a config that leaves a size out that has no default.
pub fn read_recurrent<'a>(
    lookup: &impl Fn(&[&str]) -> Option<&'a Value>,
    model_type: Option<&str>,
    hidden_size: Option<u64>,
) -> Option<RecurrentConfig> {
    let num = |keys: &[&str]| lookup(keys).and_then(as_u64).filter(|n| *n > 0);
    let mt = model_type.unwrap_or("");
    if let (Some(key_head_dim), Some(value_heads)) = (
        num(&["linear_key_head_dim"]),
        num(&["linear_num_value_heads"]),
    ) {
        return Some(RecurrentConfig::GatedDeltaNet {
            key_heads: num(&["linear_num_key_heads"]).unwrap_or(value_heads),
            value_heads,
            key_head_dim,
            value_head_dim: num(&["linear_value_head_dim"]).unwrap_or(key_head_dim),
            conv_kernel: num(&["linear_conv_kernel_dim"]).unwrap_or(4),
        });
    }
    // Kimi Delta Attention (Kimi Linear, Kimi K3) keeps gated DeltaNet's
    // state, with as many key as value heads of one width.
    if let Some(kda) = lookup(&["linear_attn_config"]).filter(|v| v.is_object()) {
        let field = |key: &str| kda.get(key).and_then(as_u64).filter(|n| *n > 0);
        if let (Some(heads), Some(head_dim)) = (field("num_heads"), field("head_dim")) {
            return Some(RecurrentConfig::GatedDeltaNet {
                key_heads: heads,
                value_heads: heads,
                key_head_dim: head_dim,
                value_head_dim: head_dim,
                conv_kernel: field("short_conv_kernel_size").unwrap_or(4),
            });
        }
    }
    if let Some(conv_kernel) = num(&["conv_L_cache"]) {
        return Some(RecurrentConfig::ShortConv {
            width: hidden_size?,
            conv_kernel,
        });
    }
    // The `state-spaces` repositories' own configs: `ssm_cfg` holds what
    // differs from mamba_ssm's defaults, `layer` names Mamba-2.
    let ssm_cfg = lookup(&["ssm_cfg"]).filter(|v| v.is_object());
    let cfg_num = |key: &str| ssm_cfg?.get(key).and_then(as_u64).filter(|n| *n > 0);
    let mamba2_heads = num(&["mamba_n_heads", "mamba_num_heads", "n_mamba_heads"]);
    let mamba2_head_dim = num(&["mamba_d_head", "mamba_head_dim", "mamba_headdim"]);
    let is_mamba2 = MAMBA2_TYPES.contains(&mt)
        || ssm_cfg.and_then(|c| c.get("layer")).and_then(Value::as_str) == Some("Mamba2")
        || (mt != "zamba" && (mamba2_heads.is_some() || mamba2_head_dim.is_some()));
    let is_mamba = is_mamba2
        || MAMBA_TYPES.contains(&mt)
        || ssm_cfg.is_some()
        || num(&["mamba_d_state", "ssm_state_size"]).is_some();
    if !is_mamba {
        return None;
    }
    let state = num(&["ssm_state_size", "mamba_d_state", "state_size"])
        .or_else(|| cfg_num("d_state"))
        .unwrap_or(if is_mamba2 { 128 } else { 16 });
    let conv_kernel = num(&["mamba_d_conv", "conv_kernel"])
        .or_else(|| cfg_num("d_conv"))
        .unwrap_or(4);
    let expand = num(&["mamba_expand", "expand"])
        .or_else(|| cfg_num("expand"))
        .unwrap_or(2);
    let expanded = hidden_size.and_then(|h| h.checked_mul(expand));
    if !is_mamba2 {
        // Only a pure Mamba config's `intermediate_size` is the SSM's width;
        // a hybrid's is its MLP's.
        let inner = num(&["mamba_d_ssm"])
            .or_else(|| {
                ["mamba", "falcon_mamba"]
                    .contains(&mt)
                    .then(|| num(&["intermediate_size"]))
                    .flatten()
            })
            .or(expanded)?;
        return Some(RecurrentConfig::Mamba {
            inner,
            state,
            conv_kernel,
        });
    }
    // Mamba2's own config names its SSM heads `num_heads`/`head_dim`.
    let own = mt == "mamba2" || ssm_cfg.is_some();
    let heads = mamba2_heads.or_else(|| own.then(|| num(&["num_heads"])).flatten());
    let head_dim = mamba2_head_dim
        .or_else(|| own.then(|| num(&["head_dim"])).flatten())
        .or_else(|| cfg_num("headdim"));
    let inner = num(&["mamba_d_ssm"])
        .or_else(|| heads?.checked_mul(head_dim?))
        .or(expanded)?;
    let head_dim = head_dim.unwrap_or(64);
    let heads = heads.unwrap_or(inner / head_dim);
    Some(RecurrentConfig::Mamba2 {
        inner,
        heads,
        head_dim,
        state,
        groups: num(&["n_groups", "mamba_n_groups", "mamba_ngroups"])
            .or_else(|| cfg_num("ngroups"))
            .unwrap_or(1),
        conv_kernel,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(v: Value) -> Option<RecurrentConfig> {
        let mt = v
            .get("model_type")
            .and_then(Value::as_str)
            .map(str::to_string);
        let hidden = v.get("hidden_size").and_then(as_u64);
        let lookup = |keys: &[&str]| keys.iter().find_map(|k| v.get(*k).filter(|x| !x.is_null()));
        read_recurrent(&lookup, mt.as_deref(), hidden)
    }

    #[test]
    fn mamba_takes_its_intermediate_size_and_a_hybrid_its_expansion() {
        // state-spaces/mamba-2.8b-hf
        let m = read(json!({"model_type": "mamba", "hidden_size": 2560,
            "intermediate_size": 5120, "state_size": 16, "conv_kernel": 4}));
        assert_eq!(
            m,
            Some(RecurrentConfig::Mamba {
                inner: 5120,
                state: 16,
                conv_kernel: 4
            })
        );
        // Jamba: intermediate_size is the MLP's (14336), the SSM's is 2 × 4096.
        let j = read(json!({"model_type": "jamba", "hidden_size": 4096,
            "intermediate_size": 14336, "mamba_d_state": 16, "mamba_d_conv": 4,
            "mamba_expand": 2}));
        assert_eq!(
            j,
            Some(RecurrentConfig::Mamba {
                inner: 8192,
                state: 16,
                conv_kernel: 4
            })
        );
    }

    #[test]
    fn mamba2_families_name_their_heads_differently() {
        // Nemotron-H 8B: mamba_num_heads 128 × mamba_head_dim 64.
        let n = read(json!({"model_type": "nemotron_h", "hidden_size": 4096,
            "mamba_num_heads": 128, "mamba_head_dim": 64, "ssm_state_size": 128,
            "n_groups": 8, "conv_kernel": 4, "num_attention_heads": 32, "head_dim": 128}));
        assert_eq!(
            n,
            Some(RecurrentConfig::Mamba2 {
                inner: 8192,
                heads: 128,
                head_dim: 64,
                state: 128,
                groups: 8,
                conv_kernel: 4
            })
        );
        // Mamba2's own config: num_heads / head_dim are the SSM's.
        let m = read(json!({"model_type": "mamba2", "hidden_size": 2560,
            "num_heads": 80, "head_dim": 64, "state_size": 128, "n_groups": 1,
            "conv_kernel": 4, "expand": 2}));
        assert!(matches!(
            m,
            Some(RecurrentConfig::Mamba2 {
                inner: 5120,
                heads: 80,
                ..
            })
        ));
        // Falcon-H1 states the SSM width itself.
        let f = read(json!({"model_type": "falcon_h1", "hidden_size": 1024,
            "mamba_d_ssm": 1536, "mamba_n_heads": 24, "mamba_d_head": 64,
            "mamba_d_state": 128, "mamba_n_groups": 1, "mamba_d_conv": 4}));
        assert!(matches!(
            f,
            Some(RecurrentConfig::Mamba2 {
                inner: 1536,
                heads: 24,
                ..
            })
        ));
    }

    #[test]
    fn state_spaces_configs_use_ssm_cfg_and_mamba_ssm_defaults() {
        let m1 = read(json!({"d_model": 768, "hidden_size": 768, "n_layer": 24, "ssm_cfg": {}}));
        assert_eq!(
            m1,
            Some(RecurrentConfig::Mamba {
                inner: 1536,
                state: 16,
                conv_kernel: 4
            })
        );
        let m2 = read(json!({"hidden_size": 768, "ssm_cfg": {"layer": "Mamba2"}}));
        assert_eq!(
            m2,
            Some(RecurrentConfig::Mamba2 {
                inner: 1536,
                heads: 24,
                head_dim: 64,
                state: 128,
                groups: 1,
                conv_kernel: 4
            })
        );
    }

    #[test]
    fn gated_deltanet_and_short_convolutions() {
        // Qwen3-Next-80B-A3B
        let q = read(json!({"model_type": "qwen3_next", "hidden_size": 2048,
            "linear_num_key_heads": 16, "linear_num_value_heads": 32,
            "linear_key_head_dim": 128, "linear_value_head_dim": 128,
            "linear_conv_kernel_dim": 4}));
        assert_eq!(
            q,
            Some(RecurrentConfig::GatedDeltaNet {
                key_heads: 16,
                value_heads: 32,
                key_head_dim: 128,
                value_head_dim: 128,
                conv_kernel: 4
            })
        );
        let l = read(json!({"model_type": "lfm2", "hidden_size": 1024, "conv_L_cache": 3}));
        assert_eq!(
            l,
            Some(RecurrentConfig::ShortConv {
                width: 1024,
                conv_kernel: 3
            })
        );
    }

    #[test]
    fn kimi_delta_attention_reads_linear_attn_config() {
        let k = read(json!({"model_type": "kimi_linear", "hidden_size": 2304,
            "linear_attn_config": {"kda_layers": [1, 2, 3], "full_attn_layers": [4],
                "num_heads": 32, "head_dim": 128, "short_conv_kernel_size": 4}}));
        assert_eq!(
            k,
            Some(RecurrentConfig::GatedDeltaNet {
                key_heads: 32,
                value_heads: 32,
                key_head_dim: 128,
                value_head_dim: 128,
                conv_kernel: 4
            })
        );
    }

    #[test]
    fn transformers_have_none() {
        assert_eq!(
            read(json!({"model_type": "llama", "hidden_size": 4096, "intermediate_size": 14336})),
            None
        );
        // A Mamba config without a hidden size cannot be sized.
        assert_eq!(read(json!({"model_type": "mamba"})), None);
    }
}
