//! Benchmark: license detection time per file, mri's detector (whole knowledge
//! base + bundled SPDX texts, with version disambiguation and the residual)
//! side by side with the `spdx` crate's own detector (every SPDX text), on the
//! 37 corpus texts; then the whole decision (`license::decide`: detection,
//! the clause reader in English and Chinese, obligations cited) per text over
//! both corpora, the license-eval texts included. One thread. Run with:
//!
//!     cargo bench --bench license_detect
//!
//! Prints a Markdown table for BENCHMARKS.md.

use mri::license::detect::detect;
use mri::license::text::NormText;
use std::path::Path;
use std::time::Instant;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/license-corpus/texts");
    let mut files: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("corpus")
        .filter_map(|e| e.ok())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read_to_string(e.path()).expect("text"),
            )
        })
        .collect();
    files.sort();
    let rounds = 20;

    // mri: the first call builds the reference shingle sets once.
    let t = Instant::now();
    let _ = detect(&NormText::new(&files[0].1));
    let mri_init = t.elapsed();
    let t = Instant::now();
    for _ in 0..rounds {
        for (_, text) in &files {
            std::hint::black_box(detect(&NormText::new(text)));
        }
    }
    let mri_per_file = t.elapsed() / (rounds * files.len() as u32);

    // the spdx crate: a store of every SPDX text (as its inline cache holds).
    let t = Instant::now();
    let mut store = spdx::detection::Store::new();
    for (name, text) in spdx::text::LICENSE_TEXTS {
        store.add_license((*name).to_string(), spdx::detection::TextData::new(text));
    }
    let spdx_init = t.elapsed();
    let peer_rounds = 3;
    let t = Instant::now();
    let mut peer_answers = Vec::new();
    for round in 0..peer_rounds {
        for (name, text) in &files {
            let m = store.analyze(&spdx::detection::TextData::new(text));
            if round == 0 {
                peer_answers.push((name.clone(), m.name.to_string(), m.score));
            }
        }
    }
    let spdx_per_file = t.elapsed() / (peer_rounds * files.len() as u32);

    println!(
        "| detector | references | set-up (once) | per file (mean over {} files) |",
        files.len()
    );
    println!("|---|---:|---:|---:|");
    println!(
        "| mri `detect` | knowledge base + {} SPDX texts | {:.1} ms | **{:.2} ms** |",
        mri::license::kb::kb().spdx_texts().len(),
        mri_init.as_secs_f64() * 1e3,
        mri_per_file.as_secs_f64() * 1e3
    );
    println!(
        "| spdx crate `Store::analyze` | {} SPDX texts | {:.0} ms | {:.2} ms |",
        spdx::text::LICENSE_TEXTS.len(),
        spdx_init.as_secs_f64() * 1e3,
        spdx_per_file.as_secs_f64() * 1e3
    );
    println!();
    // what each corpus text is (tests/license-corpus/expected.toml), as an SPDX id where it has one
    let expected = std::fs::read_to_string(dir.join("../expected.toml")).expect("expected.toml");
    let expected: toml::Value = toml::from_str(&expected).expect("toml");
    let truth = |file: &str| -> String {
        let id = expected["text"]
            .as_array()
            .and_then(|a| a.iter().find(|t| t["file"].as_str() == Some(file)))
            .and_then(|t| t["license"].as_str())
            .unwrap_or("");
        mri::license::kb::kb()
            .get(id)
            .filter(|e| !e.spdx.is_empty())
            .map(|e| e.spdx.clone())
            .unwrap_or_else(|| id.to_string())
    };
    println!("The spdx crate's confident (score ≥ 0.8) answers that name the wrong license:");
    for (file, name, score) in peer_answers {
        let want = truth(&file);
        if score >= 0.8 && !name.eq_ignore_ascii_case(&want) {
            println!("- {file}: {name} ({score:.2}); it is `{want}`");
        }
    }
    println!();
    decision_times(&files);
}

/// The whole license decision per text (a LICENSE file under a card that
/// says `license: other`): mean and slowest, over the license corpus and the
/// license-eval corpus (texts mri was not built from, English and Chinese).
fn decision_times(known: &[(String, String)]) {
    let eval_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/license-eval/texts");
    let mut texts: Vec<(String, String)> = known.to_vec();
    let mut eval: Vec<(String, String)> = std::fs::read_dir(&eval_dir)
        .expect("license-eval")
        .filter_map(|e| e.ok())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read_to_string(e.path()).expect("text"),
            )
        })
        .collect();
    eval.sort();
    texts.extend(eval);
    let (card, _) = mri::model::card::parse_card("README.md", "---\nlicense: other\n---\n");
    let decide = |text: &str| {
        let files = [mri::license::LicenseFile {
            path: "LICENSE".into(),
            text: text.to_string(),
        }];
        mri::license::decide(&mri::license::LicenseInputs {
            card: Some(&card),
            files: &files,
            ..Default::default()
        })
    };
    let _ = decide(&texts[0].1);
    let rounds = 10;
    let mut slowest = (std::time::Duration::ZERO, String::new(), 0usize);
    let t = Instant::now();
    for round in 0..rounds {
        for (name, text) in &texts {
            let one = Instant::now();
            std::hint::black_box(decide(text));
            let took = one.elapsed();
            if round > 0 && took > slowest.0 {
                slowest = (took, name.clone(), text.len());
            }
        }
    }
    let mean = t.elapsed() / (rounds * texts.len() as u32);
    println!(
        "| the whole decision (`license::decide`) | {} texts | mean **{:.2} ms** | slowest {:.2} ms ({}, {} kB) |",
        texts.len(),
        mean.as_secs_f64() * 1e3,
        slowest.0.as_secs_f64() * 1e3,
        slowest.1,
        slowest.2 / 1000
    );
}
