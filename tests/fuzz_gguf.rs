//! Property tests over the GGUF header parser: random bytes and mutations
//! of the tiny fixture never panic, and whenever mri finds nothing wrong,
//! candle's reader (the second opinion) reads the same tensors at the same
//! data offset.
//!
//! More cases: `PROPTEST_CASES=100000 cargo test --release --test fuzz_gguf`.

mod support;

use candle_core::quantized::gguf_file::Content;
use mri::scan::gguf::parse::parse;
use proptest::prelude::*;
use std::sync::OnceLock;
use support::fixture_gen::gguf_gen::{gguf_bytes, tiny_gguf_spec};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(256),
        timeout: 10_000,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

fn fixture() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| gguf_bytes(&tiny_gguf_spec()))
}

/// The header part of the fixture, where mutations matter.
const HEADER: usize = 6144;

proptest! {
    #![proptest_config(config())]

    #[test]
    fn random_bytes_after_the_magic_never_panic(version in 0u32..5, rest in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let mut bytes = b"GGUF".to_vec();
        bytes.extend(version.to_le_bytes());
        bytes.extend(rest);
        let _ = parse(&bytes);
    }

    #[test]
    fn mutated_files_are_findings_and_agree_with_candle(
        edits in proptest::collection::vec((0usize..HEADER, any::<u8>()), 1..8),
        cut in prop_oneof![Just(0usize), 0usize..120_000],
    ) {
        let mut bytes = fixture().to_vec();
        for (at, b) in edits {
            bytes[at] = b;
        }
        bytes.truncate(bytes.len().saturating_sub(cut));
        let (header, problems) = parse(&bytes);
        if problems.is_empty() {
            // mri's pre-pass found nothing wrong: candle may be handed the bytes
            let header = header.expect("a clean parse has a header");
            let content = Content::read(&mut std::io::Cursor::new(&bytes));
            prop_assert!(content.is_ok(), "candle refuses what mri accepts: {:?}", content.err());
            let content = content.unwrap();
            prop_assert_eq!(content.tensor_infos.len(), header.tensors.len());
            prop_assert_eq!(content.tensor_data_offset, header.data_offset);
            for t in &header.tensors {
                let c = &content.tensor_infos[&t.name];
                prop_assert_eq!(c.offset, t.offset);
            }
        }
    }
}
