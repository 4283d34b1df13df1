//! The reference `safetensors` crate as a second opinion on mri's header
//! parser: over thousands of deterministic mutations of a real file, whatever
//! the crate rejects, mri must report; and mri never panics.

mod support;

use mri::scan::safetensors::parse_header;
use support::fixture_gen::Rng;

fn crate_rejects(bytes: &[u8]) -> bool {
    safetensors::SafeTensors::read_metadata(bytes).is_err()
}

#[test]
fn mri_reports_whatever_the_reference_rejects() {
    let original = std::fs::read(support::fixtures().join("tiny-llama/model.safetensors")).unwrap();
    let header_len = u64::from_le_bytes(original[..8].try_into().unwrap()) as usize;
    let (_, clean) = parse_header(&original);
    assert!(clean.is_empty(), "{clean:?}");
    assert!(!crate_rejects(&original));

    let mut rng = Rng::new(42);
    let mut rejected = 0;
    for round in 0..4000 {
        let mut bytes = original.clone();
        match round % 5 {
            // flip a byte of the JSON header
            0 | 1 => {
                let at = 8 + (rng.next_u64() as usize % header_len);
                bytes[at] = (rng.next_u64() & 0xff) as u8;
            }
            // overwrite a digit with another digit (offsets, shapes)
            2 => {
                let digits: Vec<usize> = (8..8 + header_len)
                    .filter(|&i| bytes[i].is_ascii_digit())
                    .collect();
                let at = digits[rng.next_u64() as usize % digits.len()];
                bytes[at] = b'0' + (rng.next_u64() % 10) as u8;
            }
            // truncate or extend the data
            3 => {
                let cut = rng.next_u64() as usize % 64;
                if rng.next_u64().is_multiple_of(2) {
                    bytes.truncate(bytes.len() - cut);
                } else {
                    bytes.extend(std::iter::repeat_n(0u8, cut));
                }
            }
            // corrupt the length prefix
            _ => {
                let at = rng.next_u64() as usize % 8;
                bytes[at] ^= 1 << (rng.next_u64() % 8);
            }
        }
        let (_, problems) = parse_header(&bytes);
        if crate_rejects(&bytes) {
            rejected += 1;
            assert!(
                !problems.is_empty(),
                "round {round}: the safetensors crate rejects the file but mri reports nothing"
            );
        }
    }
    assert!(
        rejected > 1000,
        "the mutations should break the file often ({rejected})"
    );
}
