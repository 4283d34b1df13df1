//! The fixed-size state the recurrent layers of a state-space or
//! linear-attention model keep per sequence (in place of, or beside, a KV
//! cache): SSM states and the last inputs of their causal convolutions.

use crate::model::config::Architecture;
use crate::model::recurrent::RecurrentConfig;
use crate::util::human::grouped;
use serde::Serialize;

/// The state one sequence keeps in the recurrent layers, whatever its length.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecurrentState {
    /// `mamba`, `mamba2`, `gated-delta-net` or `short-conv`.
    pub kind: String,
    /// Layers that keep this state.
    pub layers: u64,
    /// Bytes per state element (the model's dtype: 2 unless float32).
    pub bytes_per_element: u64,
    /// Bytes one layer keeps per sequence.
    pub bytes_per_layer: u64,
    /// Bytes all those layers keep per sequence.
    pub bytes_per_sequence: u64,
    /// How the figures were computed, with the numbers.
    pub formula: String,
}

impl RecurrentState {
    /// The figure in one line, for people: `51.8 MB per sequence (mamba2, 24 layers)`.
    pub fn summary(&self) -> String {
        format!(
            "{} per sequence ({}, {} layers)",
            crate::util::human::bytes(self.bytes_per_sequence),
            self.kind,
            self.layers
        )
    }
}

/// Elements one layer's state holds, with the formula that gives them.
fn layer_elements(c: &RecurrentConfig) -> Option<(u64, String)> {
    match *c {
        RecurrentConfig::Mamba {
            inner,
            state,
            conv_kernel,
        } => {
            let past = conv_kernel.saturating_sub(1);
            let n = inner
                .checked_mul(state)?
                .checked_add(inner.checked_mul(past)?)?;
            Some((
                n,
                format!(
                    "{inner} inner × {state} state (SSM) + {inner} inner × {past} (conv_kernel − 1, convolution)"
                ),
            ))
        }
        RecurrentConfig::Mamba2 {
            inner,
            heads,
            head_dim,
            state,
            groups,
            conv_kernel,
        } => {
            let past = conv_kernel.saturating_sub(1);
            let conv_channels = groups
                .checked_mul(2)?
                .checked_mul(state)?
                .checked_add(inner)?;
            let n = heads
                .checked_mul(head_dim)?
                .checked_mul(state)?
                .checked_add(conv_channels.checked_mul(past)?)?;
            Some((
                n,
                format!(
                    "{heads} heads × {head_dim} head_dim × {state} state (SSM) + ({inner} inner + 2 × {groups} groups × {state} state) × {past} (conv_kernel − 1, convolution)"
                ),
            ))
        }
        RecurrentConfig::GatedDeltaNet {
            key_heads,
            value_heads,
            key_head_dim,
            value_head_dim,
            conv_kernel,
        } => {
            let past = conv_kernel.saturating_sub(1);
            let conv_channels = key_heads
                .checked_mul(key_head_dim)?
                .checked_mul(2)?
                .checked_add(value_heads.checked_mul(value_head_dim)?)?;
            let n = value_heads
                .checked_mul(key_head_dim)?
                .checked_mul(value_head_dim)?
                .checked_add(conv_channels.checked_mul(past)?)?;
            Some((
                n,
                format!(
                    "{value_heads} value heads × {key_head_dim} key_head_dim × {value_head_dim} value_head_dim (recurrent state) + (2 × {key_heads} key heads × {key_head_dim} + {value_heads} value heads × {value_head_dim}) × {past} (conv_kernel − 1, convolution)"
                ),
            ))
        }
        RecurrentConfig::ShortConv { width, conv_kernel } => {
            let past = conv_kernel.saturating_sub(1);
            Some((
                width.checked_mul(past)?,
                format!("{width} channels × {past} (conv_L_cache − 1, convolution)"),
            ))
        }
    }
}

/// The kind's name in the report.
fn kind_name(c: &RecurrentConfig) -> &'static str {
    match c {
        RecurrentConfig::Mamba { .. } => "mamba",
        RecurrentConfig::Mamba2 { .. } => "mamba2",
        RecurrentConfig::GatedDeltaNet { .. } => "gated-delta-net",
        RecurrentConfig::ShortConv { .. } => "short-conv",
    }
}

/// The recurrent state per sequence; `None` for a model without recurrent
/// layers, or one whose sizes are missing or overflow.
pub fn estimate(a: &Architecture, bytes_per_element: u64) -> Option<RecurrentState> {
    let config = a.recurrent.as_ref()?;
    let num_layers = a.num_layers?;
    // The layers `layer_types` names as recurrent; with no per-layer kinds,
    // every layer (a pure state-space model, or Falcon-H1, whose layers run
    // attention and Mamba-2 side by side).
    let (layers, which) = if a.layer_types.is_empty() {
        (num_layers, "layers")
    } else {
        let n = a
            .layer_types
            .iter()
            .take(usize::try_from(num_layers).unwrap_or(usize::MAX))
            .filter(|k| config.holds_state(k))
            .count() as u64;
        (n, "recurrent layers")
    };
    if layers == 0 {
        return None;
    }
    let (elements, term) = layer_elements(config)?;
    let bytes_per_layer = elements.checked_mul(bytes_per_element)?;
    let bytes_per_sequence = bytes_per_layer.checked_mul(layers)?;
    let formula = format!(
        "{term} = {} elements × {bytes_per_element} bytes = {} bytes per layer; × {layers} {which} = {} bytes per sequence, whatever its length (at the model's dtype; an engine that keeps the state in float32 needs {} bytes)",
        grouped(elements),
        grouped(bytes_per_layer),
        grouped(bytes_per_sequence),
        grouped(elements.saturating_mul(4).saturating_mul(layers)),
    );
    Some(RecurrentState {
        kind: kind_name(config).to_string(),
        layers,
        bytes_per_element,
        bytes_per_layer,
        bytes_per_sequence,
        formula,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arch(recurrent: RecurrentConfig, layers: u64, layer_types: &[&str]) -> Architecture {
        Architecture {
            num_layers: Some(layers),
            layer_types: layer_types.iter().map(|s| s.to_string()).collect(),
            recurrent: Some(recurrent),
            ..Default::default()
        }
    }

    #[test]
    fn mamba_state_is_the_ssm_and_the_convolution() {
        // mamba-2.8b: 64 layers, 5120 inner, 16 state, kernel 4.
        let a = arch(
            RecurrentConfig::Mamba {
                inner: 5120,
                state: 16,
                conv_kernel: 4,
            },
            64,
            &[],
        );
        let s = estimate(&a, 2).unwrap();
        assert_eq!(s.bytes_per_layer, (5120 * 16 + 5120 * 3) * 2);
        assert_eq!(s.bytes_per_sequence, s.bytes_per_layer * 64);
        assert_eq!((s.kind.as_str(), s.layers), ("mamba", 64));
        assert!(s.formula.contains("× 64 layers"), "{}", s.formula);
    }

    #[test]
    fn only_the_recurrent_layers_of_a_hybrid_keep_state() {
        // Nemotron-H-like pattern: 4 Mamba-2, 1 attention, 1 MLP layer.
        let a = arch(
            RecurrentConfig::Mamba2 {
                inner: 8192,
                heads: 128,
                head_dim: 64,
                state: 128,
                groups: 8,
                conv_kernel: 4,
            },
            6,
            &["mamba", "mamba", "full_attention", "mamba", "mlp", "mamba"],
        );
        let s = estimate(&a, 2).unwrap();
        assert_eq!(s.layers, 4);
        assert_eq!(
            s.bytes_per_layer,
            (128 * 64 * 128 + (8192 + 2 * 8 * 128) * 3) * 2
        );
        assert!(s.formula.contains("4 recurrent layers"), "{}", s.formula);
    }

    #[test]
    fn gated_deltanet_and_short_conv_layers() {
        // Qwen3-Next-80B-A3B: 36 of its 48 layers are gated DeltaNet.
        let kinds: Vec<&str> = (0..48)
            .map(|i| {
                if (i + 1) % 4 == 0 {
                    "full_attention"
                } else {
                    "linear_attention"
                }
            })
            .collect();
        let a = arch(
            RecurrentConfig::GatedDeltaNet {
                key_heads: 16,
                value_heads: 32,
                key_head_dim: 128,
                value_head_dim: 128,
                conv_kernel: 4,
            },
            48,
            &kinds,
        );
        let s = estimate(&a, 2).unwrap();
        assert_eq!(s.layers, 36);
        assert_eq!(
            s.bytes_per_layer,
            (32 * 128 * 128 + (2 * 16 * 128 + 32 * 128) * 3) * 2
        );
        let lfm = arch(
            RecurrentConfig::ShortConv {
                width: 1024,
                conv_kernel: 3,
            },
            4,
            &["conv", "conv", "full_attention", "conv"],
        );
        let s = estimate(&lfm, 4).unwrap();
        assert_eq!((s.layers, s.bytes_per_layer), (3, 1024 * 2 * 4));
    }

    #[test]
    fn no_recurrent_layer_no_state_and_overflow_is_none() {
        let a = arch(
            RecurrentConfig::ShortConv {
                width: 1024,
                conv_kernel: 3,
            },
            2,
            &["full_attention", "full_attention"],
        );
        assert_eq!(estimate(&a, 2), None);
        let huge = arch(
            RecurrentConfig::Mamba {
                inner: u64::MAX / 2,
                state: 16,
                conv_kernel: 4,
            },
            2,
            &[],
        );
        assert_eq!(estimate(&huge, 2), None);
        assert_eq!(estimate(&Architecture::default(), 2), None);
    }
}
