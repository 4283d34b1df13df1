//! The license decision on the license-eval corpus (real model licenses mri
//! was not built from), by split and language: the figures in BENCHMARKS.md.
//!
//! ```sh
//! cargo run --release --example license_eval            # every set but unseen3
//! cargo run --release --example license_eval -- known   # the known families
//! cargo run --release --example license_eval -- tune    # one half
//! MRI_EVAL_VERBOSE=1 cargo run --release --example license_eval -- tune
//! ```

#[path = "../tests/support/license_eval.rs"]
mod license_eval;

fn main() {
    let verbose = std::env::var_os("MRI_EVAL_VERBOSE").is_some();
    let detail = std::env::var("MRI_EVAL_VERBOSE").is_ok_and(|v| v == "2");
    let splits: Vec<String> = match std::env::args().nth(1) {
        Some(s) => vec![s],
        None => vec![
            "known".into(),
            "tune".into(),
            "held-out".into(),
            "fresh".into(),
        ],
    };
    for split in splits {
        let outcomes = license_eval::run(Some(&split));
        println!("{split}: {}", license_eval::summary(&outcomes));
        for lang in ["en", "zh", "zh+en"] {
            let these: Vec<&license_eval::Outcome> =
                outcomes.iter().filter(|o| o.language == lang).collect();
            if these.is_empty() {
                continue;
            }
            let owned: Vec<license_eval::Outcome> = these.iter().map(|o| (*o).clone()).collect();
            println!("  {lang:<6} {}", license_eval::summary(&owned));
            if verbose {
                for o in these {
                    println!(
                        "    {:<58} truth {:<26} mri {:<26} cited {}/{}",
                        o.file,
                        o.expected.as_str(),
                        o.got.as_str(),
                        o.cited,
                        o.clauses
                    );
                    if detail {
                        for (kind, line, quote) in &o.missed {
                            println!("        missed {kind} line {line}: {quote}");
                        }
                        for f in &o.found {
                            println!("        mri {f}");
                        }
                        for h in &o.how {
                            println!("        how {h}");
                        }
                    }
                }
            }
        }
    }
}
