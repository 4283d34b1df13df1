//! The prompt through the model's own `tokenizer.json` (the `tokenizers`
//! crate), with the tokenizer's BOS rules and without padding or truncation.

use tokenizers::Tokenizer;

/// A loaded tokenizer and the ids that matter to a smoke test.
pub(crate) struct Prompt {
    /// The tokenizer, padding and truncation off.
    pub tokenizer: Tokenizer,
    /// The prompt's ids, special tokens included as the tokenizer adds them.
    pub ids: Vec<u32>,
    /// Notes on what was adjusted.
    pub notes: Vec<String>,
}

/// Loads a `tokenizer.json` from its bytes (read within the size limit by
/// `inputs::read_tokenizer`) and encodes `text`.
///
/// Padding and truncation are switched off: a tokenizer.json saved with
/// fixed padding (all-MiniLM-L6-v2 pads to 128) would otherwise make every
/// forward pass run on 128 tokens. Special tokens are added as the
/// post-processor says; `add_bos_token` in tokenizer_config.json, when
/// stated, wins (as transformers' Llama-style tokenizers rebuild their
/// post-processor from it).
pub(crate) fn encode(
    tokenizer_json: &[u8],
    add_bos_token: Option<bool>,
    bos: Option<u32>,
    text: &str,
) -> Result<Prompt, String> {
    let mut tokenizer = Tokenizer::from_bytes(tokenizer_json).map_err(|e| e.to_string())?;
    tokenizer.with_padding(None);
    tokenizer.with_truncation(None).map_err(|e| e.to_string())?;
    let encoding = tokenizer.encode(text, true).map_err(|e| e.to_string())?;
    let mut ids = encoding.get_ids().to_vec();
    let mut notes = Vec::new();
    if let (Some(add), Some(bos)) = (add_bos_token, bos) {
        let has = ids.first() == Some(&bos);
        if add && !has {
            ids.insert(0, bos);
            notes.push(format!(
                "BOS token {bos} prepended (tokenizer_config.json: add_bos_token true)"
            ));
        } else if !add && has && !text.is_empty() {
            ids.remove(0);
            notes.push(format!(
                "BOS token {bos} removed (tokenizer_config.json: add_bos_token false)"
            ));
        }
    }
    Ok(Prompt {
        tokenizer,
        ids,
        notes,
    })
}

/// Decodes ids to text, special tokens kept (a smoke test shows them).
pub(crate) fn decode(tokenizer: &Tokenizer, ids: &[u32]) -> String {
    tokenizer
        .decode(ids, false)
        .unwrap_or_else(|_| format!("{ids:?}"))
}
