//! The clause patterns' literal gates are exact: a pattern is skipped on a
//! text only where it cannot match it. Checked on every bundled license
//! text, every known-family text and every license-eval text, then on
//! random mutations of them: the reading (clauses and derived verdict) with
//! the gates equals the reading with every pattern searched, and no gate
//! closed during a reading hid a match of its pattern. And the gates read
//! from the patterns as written agree with those read from their parsed
//! form. The gates include the ordered literal check asked before a
//! pattern's first compile (`pattern/order.rs`): the audited readings and
//! `gate_misses` check it on every text and mutation too. And a pattern
//! searched by its branches (`pattern/branches.rs`) reads every text and
//! mutation as the whole pattern does.

use std::path::Path;

use mri::license::clauses::read_clauses;
use mri::license::derive::derive;
use mri::license::pattern::{
    audited, gate_misses, quick_gate_errors, split_misses, ungated, unsplit,
};
use mri::license::text::NormText;
use proptest::prelude::*;

/// Every text under the three folders, in a fixed order.
fn texts() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    for dir in [
        "licenses/texts",
        "tests/license-corpus/texts",
        "tests/license-eval/texts",
    ] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap_or_else(|e| panic!("{dir}: {e}"))
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        files.sort();
        for f in files {
            if let Ok(text) = std::fs::read_to_string(&f) {
                out.push((f.display().to_string(), text));
            }
        }
    }
    out
}

/// The reading of `text` as the decision uses it: its decisive clauses and
/// the verdict derived from them, printed whole.
fn reading(text: &str) -> String {
    let norm = NormText::new(text);
    let hits = read_clauses(&norm);
    let derived = derive(&norm, &hits);
    format!("{hits:#?}\n{derived:#?}")
}

/// The gated reading of `text` equals the ungated one and the one with
/// every pattern searched whole, and no closed gate hid a match; `Err`
/// says where not.
fn check(name: &str, text: &str) -> Result<(), String> {
    let (gated, misses) = audited(|| reading(text));
    if !misses.is_empty() {
        return Err(format!("{name}: closed gates hid matches: {misses:#?}"));
    }
    let open = ungated(|| reading(text));
    if gated != open {
        return Err(format!(
            "{name}: the gated reading differs\n--- gated\n{gated}\n--- ungated\n{open}"
        ));
    }
    let whole = unsplit(|| reading(text));
    if gated != whole {
        return Err(format!(
            "{name}: the reading by branches differs\n--- branches\n{gated}\n--- whole\n{whole}"
        ));
    }
    Ok(())
}

#[test]
fn gated_and_ungated_readings_agree_on_every_text() {
    let texts = texts();
    assert!(texts.len() >= 250, "{} texts", texts.len());
    let failures: Vec<String> = texts
        .iter()
        .filter_map(|(name, text)| check(name, text).err())
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A pattern searched by its branches finds, on lines of every text (raw
/// and lower-cased), the matches the whole pattern finds.
#[test]
fn patterns_searched_by_their_branches_match_as_the_whole_pattern() {
    let texts = texts();
    for (_, text) in &texts {
        let _ = reading(text);
    }
    let mut failures = Vec::new();
    for (name, text) in &texts {
        let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
        for line in lines.iter().step_by(lines.len() / 12 + 1) {
            for hay in [line.to_string(), line.to_lowercase()] {
                let missed = split_misses(&hay);
                if !missed.is_empty() {
                    failures.push(format!("{name}: {missed:?} on {hay:?}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every pattern's gate read from its text as written (without parsing it)
/// is implied by the clauses read from its parsed form.
#[test]
fn gates_read_from_the_written_patterns_are_implied_by_the_parsed_ones() {
    for (_, text) in texts() {
        let _ = reading(&text);
    }
    let errors = quick_gate_errors();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// Phrases the clause patterns look for, in both languages, to splice into
/// texts (a mutation that only ever removes text would rarely open a gate).
const PHRASES: &[&str] = &[
    "commercial use",
    "non-commercial",
    "You may not use the Model for any commercial purpose",
    "research purposes only",
    "prior written consent",
    "monthly active users",
    "USD 1,000,000",
    "with attribution",
    "非商业",
    "商业用途",
    "书面授权",
    "月活跃用户",
    "仅限学术研究",
    "\"Model\" means",
    "must not",
    " shall ",
    ",",
    ".",
    "\n\n",
];

/// A mutation of a text: what is done at a place in it.
#[derive(Debug, Clone)]
enum Edit {
    /// Insert one of [`PHRASES`].
    Phrase(usize),
    /// Insert a piece (up to 200 bytes) of another text.
    Splice(usize, usize),
    /// Delete up to this many bytes.
    Delete(usize),
    /// Upper-case up to this many bytes.
    Upper(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0..PHRASES.len()).prop_map(Edit::Phrase),
        (any::<usize>(), any::<usize>()).prop_map(|(t, at)| Edit::Splice(t, at)),
        (1usize..400).prop_map(Edit::Delete),
        (1usize..200).prop_map(Edit::Upper),
    ]
}

/// The nearest character boundary at or before `at`.
fn floor(s: &str, at: usize) -> usize {
    let mut at = at.min(s.len());
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// `text` with `edits` applied at the places `at` (fractions of its length).
fn mutate(texts: &[(String, String)], text: &str, edits: &[(Edit, u16)]) -> String {
    let mut out = text.to_string();
    for (e, at) in edits {
        let at = floor(&out, out.len() * usize::from(*at) / usize::from(u16::MAX));
        match e {
            Edit::Phrase(p) => out.insert_str(at, PHRASES[*p]),
            Edit::Splice(t, from) => {
                let other = &texts[t % texts.len()].1;
                let a = floor(other, from % other.len().max(1));
                let b = floor(other, a + 200);
                out.insert_str(at, &other[a..b]);
            }
            Edit::Delete(n) => {
                let end = floor(&out, at + n);
                out.replace_range(at..end, "");
            }
            Edit::Upper(n) => {
                let end = floor(&out, at + n);
                let upper = out[at..end].to_uppercase();
                out.replace_range(at..end, &upper);
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 24,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x6761_7465),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn gated_and_ungated_readings_agree_on_mutated_texts(
        t in any::<usize>(),
        edits in proptest::collection::vec((edit(), any::<u16>()), 1..8),
    ) {
        let texts = texts();
        let (name, text) = &texts[t % texts.len()];
        let mutated = mutate(&texts, text, &edits);
        if let Err(e) = check(name, &mutated) {
            prop_assert!(false, "{}", e);
        }
        // every line and window of the mutated text, raw and lower-cased,
        // against every pattern made so far
        let lines: Vec<&str> = mutated.lines().filter(|l| !l.trim().is_empty()).collect();
        for line in lines.iter().step_by(lines.len() / 24 + 1) {
            for hay in [line.to_string(), line.to_lowercase()] {
                let missed = gate_misses(&hay);
                prop_assert!(missed.is_empty(), "{:?} on {:?}", missed, hay);
            }
        }
    }
}
