//! Which part of the network a tensor belongs to, from its name.

/// A coarse part of a transformer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Component<'a> {
    /// Token, position and patch embeddings.
    Embeddings,
    /// A numbered block: the prefix (`model.layers`) and the index.
    Layer(&'a str, u64),
    /// The output head (`lm_head`, classifier).
    Head,
    /// Everything else (final norms, projectors, ...).
    Other,
}

/// What one dot-separated part of a tensor name says about where it sits.
#[derive(Clone, Copy)]
enum Word {
    /// A word a block number follows (`layers`, `h`, `blocks`, `blk`, ...).
    Layer,
    /// An embedding's name (`embed_tokens`, `wte`, `word_embeddings`, ...).
    Embedding,
    /// An output head's name (`lm_head`, `classifier`, ...).
    Head,
    /// Any other part.
    Plain,
}

/// Classifies one part of a name (a `match`, which the compiler turns into a
/// length switch and one comparison: it runs for every part of every tensor).
fn word(part: &[u8]) -> Word {
    match part {
        b"layers" | b"layer" | b"h" | b"blocks" | b"block" | b"decoder_layers" | b"blk" => {
            Word::Layer
        }
        b"embed_tokens"
        | b"wte"
        | b"wpe"
        | b"word_embeddings"
        | b"position_embeddings"
        | b"token_type_embeddings"
        | b"tok_embeddings"
        | b"embed_positions"
        | b"embeddings"
        | b"embedding"
        | b"token_embd"
        | b"embed_in"
        | b"shared" => Word::Embedding,
        b"lm_head" | b"embed_out" | b"score" | b"classifier" | b"cls" | b"qa_outputs" => Word::Head,
        _ => Word::Plain,
    }
}

/// Classifies a tensor name: a numbered block when a layer word is followed
/// by a number (`model.layers.12...`), else the head, else an embedding,
/// else other. One pass over the name's parts (it runs once per tensor, and
/// a checkpoint has thousands).
pub fn component_of(name: &str) -> Component<'_> {
    let mut start = 0;
    let mut after_layer_word: Option<usize> = None; // end of the layer word just passed
    let (mut head, mut embedding) = (name == "output.weight", false);
    // Split on the bytes: `.` is ASCII, so every part boundary is a char boundary.
    for part in name.as_bytes().split(|&b| b == b'.') {
        if let Some(prev_end) = after_layer_word {
            if let Some(idx) = decimal(part) {
                return Component::Layer(&name[..prev_end], idx);
            }
        }
        let end = start + part.len();
        after_layer_word = None;
        match word(part) {
            Word::Layer => after_layer_word = Some(end),
            Word::Embedding => embedding = true,
            Word::Head => head = true,
            Word::Plain => {}
        }
        start = end + 1;
    }
    if head {
        Component::Head
    } else if embedding {
        Component::Embeddings
    } else {
        Component::Other
    }
}

/// The number a part made only of ASCII digits spells; `None` for anything
/// else, or past `u64`.
fn decimal(part: &[u8]) -> Option<u64> {
    if part.is_empty() {
        return None;
    }
    part.iter().try_fold(0u64, |n, &b| {
        b.is_ascii_digit()
            .then(|| n.checked_mul(10)?.checked_add(u64::from(b - b'0')))
            .flatten()
    })
}

/// True for names of vision, audio or other non-text towers.
pub fn is_side_tower(prefix: &str) -> bool {
    let p = prefix.to_ascii_lowercase();
    [
        "vision",
        "visual",
        "audio",
        "image",
        "vit",
        "siglip",
        "mm_projector",
        "speech",
        "mtp",
    ]
    .iter()
    .any(|w| p.contains(w))
}

/// The token-embedding tensor names, best first.
pub fn is_token_embedding(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    !is_side_tower(&n)
        && [
            "embed_tokens.weight",
            "wte.weight",
            "word_embeddings.weight",
            "tok_embeddings.weight",
            "embed_in.weight",
            "shared.weight",
            "token_embd.weight",
        ]
        .iter()
        .any(|s| n.ends_with(s))
}

/// True for the output projection of a language model.
pub fn is_lm_head(name: &str) -> bool {
    name == "output.weight"
        || name.starts_with("lm_head.")
        || name.contains(".lm_head.")
        || name.starts_with("embed_out.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_map_to_components() {
        let cases = [
            (
                "model.layers.12.self_attn.q_proj.weight",
                Component::Layer("model.layers", 12),
            ),
            (
                "transformer.h.3.mlp.c_fc.weight",
                Component::Layer("transformer.h", 3),
            ),
            (
                "encoder.layer.5.output.dense.weight",
                Component::Layer("encoder.layer", 5),
            ),
            ("blk.0.attn_q.weight", Component::Layer("blk", 0)),
            ("h.3.attn.c_attn.weight", Component::Layer("h", 3)),
            ("model.embed_tokens.weight", Component::Embeddings),
            ("lm_head.weight", Component::Head),
            ("output.weight", Component::Head),
            ("model.norm.weight", Component::Other),
        ];
        for (name, component) in cases {
            assert_eq!(component_of(name), component, "{name}");
        }
    }

    #[test]
    fn layer_numbers_are_plain_decimals_and_the_first_one_wins() {
        let cases = [
            ("model.layers.x1.mlp.weight", Component::Other),
            ("model.layers..weight", Component::Other),
            // past u64
            ("model.layers.99999999999999999999.weight", Component::Other),
            (
                "vision.blocks.2.layers.7.weight",
                Component::Layer("vision.blocks", 2),
            ),
            (
                "modèle.layers.3.poids",
                Component::Layer("modèle.layers", 3),
            ),
            // the number must follow the layer word at once
            ("model.layers.x.3.weight", Component::Other),
        ];
        for (name, component) in cases {
            assert_eq!(component_of(name), component, "{name}");
        }
        assert_eq!(decimal(b"0042"), Some(42));
        assert_eq!(decimal(b"+1"), None);
        // The head is named before an embedding it ties to.
        assert_eq!(component_of("lm_head.embeddings.weight"), Component::Head);
        assert_eq!(component_of(""), Component::Other);
    }

    #[test]
    fn embedding_and_head_names() {
        assert!(is_token_embedding("model.embed_tokens.weight"));
        assert!(is_token_embedding(
            "model.language_model.embed_tokens.weight"
        ));
        assert!(!is_token_embedding(
            "model.vision_tower.embed_tokens.weight"
        ));
        assert!(is_lm_head("lm_head.weight"));
        assert!(is_lm_head("lm_head.qweight"));
        assert!(!is_lm_head("model.norm.weight"));
    }
}
