//! Property tests over every parser of untrusted bytes: the safetensors
//! header, the pickle walker, the card front matter, the shard index, license
//! text normalisation and clause reading, the SentencePiece and tiktoken
//! tokenizer model files. None may panic or hang, whatever
//! the input; a per-case timeout catches hangs.
//!
//! More cases, another seed: `PROPTEST_RNG_SEED=N PROPTEST_CASES=100000 cargo test --release --test fuzz_parsers`.

use mri::license::clauses::read_clauses;
use mri::license::text::NormText;
use mri::model::card::parse_card;
use mri::model::sentencepiece::{encode_sentencepiece, parse_sentencepiece};
use mri::model::tiktoken::{looks_like_tiktoken, parse_tiktoken};
use mri::scan::index::parse_index;
use mri::scan::safetensors::parse_header;
use mri::security::pickle::walk;
use proptest::prelude::*;

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(256),
        timeout: 5_000,
        failure_persistence: None,
        rng_seed: fixed_seed(),
        ..ProptestConfig::default()
    }
}

/// CI must give the same answer on every run: the cases come from a fixed
/// seed unless `PROPTEST_RNG_SEED` asks for another (proptest reads it into
/// the default configuration), so a fuzzing session can widen the search
/// without making the suite flaky.
fn fixed_seed() -> proptest::test_runner::RngSeed {
    match std::env::var("PROPTEST_RNG_SEED") {
        Ok(_) => ProptestConfig::default().rng_seed,
        Err(_) => proptest::test_runner::RngSeed::Fixed(0x6d72_6920_6675_7a7a),
    }
}

/// A real header followed by data, as a base for mutations.
fn valid_file() -> Vec<u8> {
    let header = br#"{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2,3],"data_offsets":[0,24]},"b":{"dtype":"BF16","shape":[4],"data_offsets":[24,32]}}"#;
    let mut out = (header.len() as u64).to_le_bytes().to_vec();
    out.extend_from_slice(header);
    out.extend_from_slice(&[0u8; 32]);
    out
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn safetensors_header_never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse_header(&bytes);
    }

    #[test]
    fn safetensors_header_never_panics_on_mutations(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16), cut in 0usize..200) {
        let mut bytes = valid_file();
        for (at, b) in edits {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        bytes.truncate(bytes.len().saturating_sub(cut));
        let (_, problems) = parse_header(&bytes);
        // whatever the reference library rejects, mri reports
        if safetensors::SafeTensors::read_metadata(&bytes).is_err() {
            prop_assert!(!problems.is_empty());
        }
    }

    #[test]
    fn pickle_walker_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let w = walk(&bytes);
        prop_assert!(w.bytes <= bytes.len());
    }

    #[test]
    fn pickle_walker_on_opcode_soup(ops in proptest::collection::vec(prop::sample::select(b"cih\x93\x94q(.0tR\x8cXJK}]N\x80\x95".to_vec()), 0..512), tail in proptest::collection::vec(any::<u8>(), 0..64)) {
        let mut bytes = ops;
        bytes.extend(tail);
        let _ = walk(&bytes);
    }

    #[test]
    fn card_front_matter_never_panics(body in "[ -~\n\t:\\-\\[\\]{}#'\"|>]{0,400}") {
        let _ = parse_card("README.md", &format!("---\n{body}\n---\n# x\n"));
        let _ = parse_card("README.md", &body);
    }

    #[test]
    fn shard_index_never_panics(text in "[ -~\n]{0,300}") {
        let _ = parse_index("model.safetensors.index.json", text.clone());
        let _ = parse_index("model.safetensors.index.json", format!("{{\"weight_map\": {text}}}"));
    }

    #[test]
    fn license_text_and_clauses_never_panic(text in "\\PC{0,600}") {
        let t = NormText::new(&text);
        let _ = read_clauses(&t);
        let _ = t.sentences();
        let _ = t.find("commercial use");
    }

    #[test]
    fn sentencepiece_never_panics_on_mutations(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16), cut in 0usize..64) {
        let mut bytes = encode_sentencepiece(&[("<unk>", 2), ("<s>", 3), ("</s>", 3), ("\u{2581}a", 1), ("b", 1)], 2, 1, 2);
        for (at, b) in edits {
            let i = at.index(bytes.len());
            bytes[i] = b;
        }
        bytes.truncate(bytes.len().saturating_sub(cut));
        if let Ok(m) = parse_sentencepiece(&bytes) {
            // every special piece's id is a piece's position
            prop_assert!(m.special_pieces.iter().all(|(_, id)| *id < m.pieces));
        }
        let _ = looks_like_tiktoken(&bytes);
    }

    #[test]
    fn sentencepiece_never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = parse_sentencepiece(&bytes);
    }

    #[test]
    fn tiktoken_never_panics(text in "[A-Za-z0-9+/= \n\r\t-]{0,400}") {
        if let Ok(v) = parse_tiktoken(&text) {
            prop_assert!(v.entries >= 1);
            prop_assert!(v.entries <= text.lines().count() as u64);
        }
        let _ = looks_like_tiktoken(text.as_bytes());
    }
}
