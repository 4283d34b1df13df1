//! `mri smoke` on tiny random-weight models of every supported architecture,
//! and its error paths. Models are written at test time into temp dirs by
//! `tests/support/fixture_gen.rs`; nothing touches the network.

mod support;

use mri::smoke::{self, SmokeOptions, SmokeRun};
use serde_json::Value;
use std::path::{Path, PathBuf};
use support::fixture_gen::{
    read_tree, write_safetensors, write_smoke_model, SmokeArch, TensorData,
};
use support::{copy_fixture, edit_json, fixtures, mri, mri_env};

/// Runs the library's smoke test on `dir`.
fn smoke_lib(dir: &Path, options: &SmokeOptions) -> Result<SmokeRun, smoke::SmokeError> {
    let report = mri::inspect(
        dir.to_str().expect("utf-8 path"),
        &mri::InspectOptions::default(),
    )
    .expect("inspect");
    smoke::run(&report, options)
}

fn generated(arch: SmokeArch) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join(arch.name());
    write_smoke_model(&dir, arch).expect("write fixture");
    (tmp, dir)
}

/// FNV-1a over the ids a run chose: the top-5 next tokens and the greedy
/// continuation. The ids depend only on the weights and the arithmetic,
/// not on timing; the fixtures' distributions are peaked enough that
/// floating-point differences between CPUs do not reorder them.
fn output_hash(run: &SmokeRun) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let ids = run
        .summary
        .top_next
        .iter()
        .map(|t| t.id)
        .chain(run.continuation_ids.iter().copied());
    for id in ids {
        for b in id.to_le_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// Pinned outputs: (fixture, logits shape, output hash, entropy).
/// A line that no longer matches is printed by the test, ready to paste.
const PINNED: &[(&str, &[usize], u64, f64)] = &[
    ("tiny-llama3", &[1, 336], 0x6f44ac4dc8860e81, 3.3483),
    ("tiny-mistral", &[1, 1, 336], 0x7f52ad01b9efa8e6, 2.8790),
    (
        "tiny-mistral-tied",
        &[1, 1, 336],
        0x9ff580b3f7b0fb5a,
        1.1507,
    ),
    ("tiny-qwen2", &[1, 1, 336], 0x88fc14ef870ea21e, 3.2896),
    ("tiny-gemma", &[1, 1, 336], 0xfc5f97dde9d31527, 0.3498),
    ("tiny-gemma2", &[1, 1, 336], 0x9032ac17f1162c2e, 0.0299),
    ("tiny-phi3", &[1, 1, 336], 0x53b4890c6bbb3e53, 3.1600),
    ("tiny-llama", &[1, 384], 0xe1bc5199b0a50b5c, 3.2485),
    ("tiny-qwen3", &[1, 1, 336], 0x25afc9ebb94d879b, 3.4856),
    ("tiny-llama-sharded", &[1, 384], 0xbd6506bf4beb4c73, 3.8888),
];

fn options(max_tokens: usize) -> SmokeOptions {
    SmokeOptions {
        max_tokens,
        ..SmokeOptions::default()
    }
}

fn check_decoder(name: &str, run: &SmokeRun) {
    let s = &run.summary;
    assert!(s.finite, "{name}: {} non-finite logits", s.non_finite);
    assert_eq!(s.non_finite, 0);
    assert_eq!(s.top_next.len(), 5, "{name}");
    let probs: Vec<f64> = s.top_next.iter().map(|t| t.prob).collect();
    assert!(probs.windows(2).all(|w| w[0] >= w[1]), "{name}: {probs:?}");
    assert!(probs.iter().sum::<f64>() <= 1.0 + 1e-9);
    assert!(s.entropy.is_some_and(|e| e.is_finite() && e >= 0.0));
    assert_eq!(s.embedding_norm, None);
    assert!(s.continuation.is_some());
    assert!(s.load_ms >= 0.0 && s.forward_ms > 0.0);
    assert!(s.peak_rss_bytes.is_some_and(|b| b > 0));
    let vocab = *s.logits_shape.last().expect("shape");
    assert_eq!(
        s.logits_shape.iter().product::<usize>(),
        vocab,
        "{name}: one position"
    );
    // Ties cannot reorder the pinned ids: the top tokens are apart.
    let gaps: Vec<f64> = probs.windows(2).map(|w| w[0] / w[1]).collect();
    assert!(
        gaps.iter().all(|g| *g > 1.0 + 1e-4),
        "{name}: top probabilities too close to pin: {probs:?}"
    );
}

/// Compares a run with its pinned line; returns the line it would pin.
fn check_pinned(name: &str, run: &SmokeRun, mismatches: &mut Vec<String>) {
    let hash = output_hash(run);
    let entropy = run.summary.entropy.unwrap_or(f64::NAN);
    let line = format!(
        "(\"{name}\", &{:?}, 0x{hash:016x}, {entropy:.4}), // {:?}",
        run.summary.logits_shape, run.summary.continuation
    );
    println!("{line}");
    let ok = PINNED.iter().any(|(n, shape, pinned, pinned_entropy)| {
        *n == name
            && run.summary.logits_shape == *shape
            && hash == *pinned
            && (entropy - pinned_entropy).abs() < 1e-3
    });
    if !ok {
        mismatches.push(line);
    }
}

#[test]
fn every_decoder_architecture_runs_on_cpu_with_pinned_output() {
    let mut seen = Vec::new();
    let mut mismatches = Vec::new();
    for arch in SmokeArch::ALL {
        if arch == SmokeArch::Bert {
            continue;
        }
        let (_tmp, dir) = generated(arch);
        let run = smoke_lib(&dir, &options(8)).unwrap_or_else(|e| panic!("{}: {e}", arch.name()));
        check_decoder(arch.name(), &run);
        check_pinned(arch.name(), &run, &mut mismatches);
        seen.push(run.summary.architecture.clone());
    }
    for name in ["tiny-llama", "tiny-qwen3", "tiny-llama-sharded"] {
        let run = smoke_lib(&fixtures().join(name), &options(8))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        check_decoder(name, &run);
        check_pinned(name, &run, &mut mismatches);
        seen.push(run.summary.architecture.clone());
    }
    assert!(
        mismatches.is_empty(),
        "outputs differ from PINNED (shape, hash of top-5 and continuation ids, entropy):\n{}",
        mismatches.join("\n")
    );
    seen.sort();
    seen.dedup();
    assert_eq!(
        seen,
        ["gemma", "gemma2", "llama", "mistral", "phi3", "qwen2", "qwen3"]
    );
}

#[test]
fn bert_embeds_the_unpadded_prompt_with_the_configured_pooling() {
    let (_tmp, dir) = generated(SmokeArch::Bert);
    let run = smoke_lib(&dir, &options(0)).expect("bert runs");
    let s = &run.summary;
    assert_eq!(s.architecture, "bert");
    // "The capital of France is" → [CLS] the capital of france is [SEP]:
    // the tokenizer.json pads to 128, which must be switched off.
    assert_eq!(run.prompt_ids.len(), 7, "{:?}", run.prompt_ids);
    assert_eq!(run.prompt_ids.first(), Some(&2));
    assert_eq!(run.prompt_ids.last(), Some(&3));
    assert_eq!(s.logits_shape, vec![1, 7, 32]);
    assert!(s.finite);
    assert!(s.top_next.is_empty() && s.entropy.is_none() && s.continuation.is_none());
    assert_eq!(run.pooling.as_deref(), Some("mean"));
    let embedding = run.embedding.as_ref().expect("embedding");
    assert_eq!(embedding.len(), 32);
    let norm = s.embedding_norm.expect("norm");
    let recomputed = embedding
        .iter()
        .map(|v| f64::from(*v).powi(2))
        .sum::<f64>()
        .sqrt();
    assert!((norm - recomputed).abs() < 1e-9);
    println!("tiny-bert mean-pooled norm {norm:.6}");
    assert!((norm - PINNED_BERT_NORM).abs() < 1e-3, "norm {norm}");
    assert!(
        run.notes.iter().any(|n| n.contains("pooler.dense.weight")),
        "unused pooler noted: {:?}",
        run.notes
    );

    // CLS pooling, as 1_Pooling/config.json may say: the first token's state.
    edit_json(&dir.join("1_Pooling/config.json"), |v| {
        v["pooling_mode_cls_token"] = Value::Bool(true);
        v["pooling_mode_mean_tokens"] = Value::Bool(false);
    });
    let cls = smoke_lib(&dir, &options(0)).expect("bert runs");
    assert_eq!(cls.pooling.as_deref(), Some("cls"));
    assert_ne!(cls.summary.embedding_norm, s.embedding_norm);

    // A BertForMaskedLM-style checkpoint stores everything under `bert.`.
    let st = dir.join("model.safetensors");
    let bytes = std::fs::read(&st).expect("read");
    let tensors = safetensors::SafeTensors::deserialize(&bytes).expect("parse");
    let renamed: Vec<TensorData> = tensors
        .tensors()
        .into_iter()
        .map(|(name, view)| TensorData {
            name: format!("bert.{name}"),
            dtype: "F32".into(),
            shape: view.shape().iter().map(|d| *d as u64).collect(),
            bytes: view.data().to_vec(),
        })
        .collect();
    write_safetensors(&st, &renamed).expect("write");
    let prefixed = smoke_lib(&dir, &options(0)).expect("prefixed bert runs");
    assert_eq!(prefixed.summary.embedding_norm, cls.summary.embedding_norm);
}

/// Norm of tiny-bert's mean-pooled embedding of the default prompt.
const PINNED_BERT_NORM: f64 = 3.514098;

#[test]
fn smoke_json_holds_exactly_the_documented_fields() {
    let out = mri(&[
        "smoke",
        fixtures().join("tiny-qwen3").to_str().expect("utf-8"),
        "--format",
        "json",
        "--max-tokens",
        "3",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    let smoke = report["smoke"].as_object().expect("smoke object");
    let mut keys: Vec<&str> = smoke.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "architecture",
            "continuation",
            "device",
            "dtype",
            "dtype_reason",
            "embedding_norm",
            "entropy",
            "finite",
            "forward_ms",
            "load_ms",
            "logits_shape",
            "mode",
            "non_finite",
            "peak_rss_bytes",
            "tokens_per_second",
            "top_next"
        ]
    );
    assert_eq!(smoke["architecture"], "qwen3");
    assert_eq!(smoke["device"], "cpu");
    assert_eq!(smoke["dtype"], "f32");
    assert_eq!(smoke["logits_shape"], serde_json::json!([1, 1, 336]));
    assert_eq!(smoke["finite"], true);
    assert_eq!(smoke["non_finite"], 0);
    let top = smoke["top_next"].as_array().expect("top_next");
    assert_eq!(top.len(), 5);
    for t in top {
        assert!(t["token"].is_string() && t["id"].is_u64() && t["prob"].is_f64());
    }
    assert!(smoke["embedding_norm"].is_null());
    assert!(smoke["continuation"].is_string());
    assert!(smoke["tokens_per_second"].is_f64());
    // The rest of the Report is the inspect Report.
    assert_eq!(report["schema_version"], 1);
    assert!(report["weights"]["parameters"]
        .as_u64()
        .is_some_and(|p| p > 0));

    // `mri inspect` has no smoke object.
    let inspect = support::inspect_json(&fixtures().join("tiny-qwen3"));
    assert!(inspect.get("smoke").is_none());
}

#[test]
fn text_output_shows_the_numbers() {
    let out = mri(&[
        "smoke",
        fixtures().join("tiny-llama").to_str().expect("utf-8"),
        "--max-tokens",
        "4",
        "--prompt",
        "The model predicts",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for needle in [
        // A Llama stored in bf16 runs in bf16 on the CPU by default.
        "smoke test of tiny-llama: llama on cpu in bf16",
        "dtype           auto: bf16 as stored",
        "output shape    [1, 384]",
        "finite          yes",
        "top next tokens",
        "entropy",
        "continuation",
        "tokens/s",
        "load",
        "forward",
        "peak RSS",
    ] {
        assert!(text.contains(needle), "{needle:?} missing from:\n{text}");
    }
}

/// `--dtype auto` on the CPU: the stored bf16 for Llama (mri's kernel),
/// f32 for a family candle runs (its bf16 matmul widens on every call);
/// the summary says which and why. An explicit dtype is taken as asked.
#[test]
fn auto_dtype_on_the_cpu_says_which_and_why() {
    let run = |name: &str, dtype| {
        smoke_lib(
            &fixtures().join(name),
            &SmokeOptions {
                dtype,
                ..options(0)
            },
        )
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .summary
    };
    let auto = smoke::DtypeChoice::Auto;
    let llama = run("tiny-llama", auto);
    assert_eq!(llama.dtype, "bf16");
    assert!(
        llama.dtype_reason.starts_with("auto: bf16 as stored"),
        "{}",
        llama.dtype_reason
    );
    let qwen3 = run("tiny-qwen3", auto);
    assert_eq!(qwen3.dtype, "f32");
    assert!(
        qwen3
            .dtype_reason
            .starts_with("auto: f32, converted from bf16 once"),
        "{}",
        qwen3.dtype_reason
    );
    let asked = run("tiny-llama", smoke::DtypeChoice::F32);
    assert_eq!(asked.dtype, "f32");
    assert_eq!(asked.dtype_reason, "f32 as asked (--dtype)");
}

/// `auto` takes f32 for a family candle runs only when it fits: with room
/// for the stored bf16 but not for f32, the run goes on in bf16 and says
/// why; with room for neither, it is refused as before.
#[test]
fn auto_dtype_falls_back_to_the_stored_bf16_when_f32_does_not_fit() {
    let dir = fixtures().join("tiny-qwen3");
    let with = |dtype, memory_limit| {
        smoke_lib(
            &dir,
            &SmokeOptions {
                dtype,
                memory_limit,
                ..options(0)
            },
        )
    };
    let needed = |dtype| with(dtype, None).expect("runs").memory.needed_bytes;
    let (f32_needs, bf16_needs) = (
        needed(smoke::DtypeChoice::F32),
        needed(smoke::DtypeChoice::Bf16),
    );
    assert!(bf16_needs < f32_needs);
    let between = bf16_needs + (f32_needs - bf16_needs) / 2;
    let run = with(smoke::DtypeChoice::Auto, Some(between)).expect("runs in bf16");
    assert_eq!(run.summary.dtype, "bf16");
    assert!(
        run.summary
            .dtype_reason
            .starts_with("auto: bf16 as stored, since f32 would need"),
        "{}",
        run.summary.dtype_reason
    );
    assert!(run.memory.needed_bytes <= between);
    let err = with(smoke::DtypeChoice::Auto, Some(bf16_needs - 1)).expect_err("refused");
    assert!(
        matches!(&err, smoke::SmokeError::NotEnoughMemory { dtype, .. } if dtype == "bf16"),
        "{err}"
    );
    // An explicit f32 is not changed.
    let err = with(smoke::DtypeChoice::F32, Some(between)).expect_err("refused");
    assert!(
        matches!(&err, smoke::SmokeError::NotEnoughMemory { dtype, .. } if dtype == "f32"),
        "{err}"
    );
}

#[test]
fn bf16_and_f16_run_too() {
    for (dtype, name) in [
        (smoke::DtypeChoice::Bf16, "bf16"),
        (smoke::DtypeChoice::F16, "f16"),
    ] {
        let run = smoke_lib(
            &fixtures().join("tiny-qwen3"),
            &SmokeOptions {
                dtype,
                ..options(2)
            },
        )
        .expect("runs");
        assert_eq!(run.summary.dtype, name);
        assert!(run.summary.finite);
        // Half the bytes of f32 for the weights.
        let f32_run = smoke_lib(&fixtures().join("tiny-qwen3"), &options(0)).expect("runs");
        assert_eq!(run.memory.weights_bytes * 2, f32_run.memory.weights_bytes);
    }
}

/// Llama's bf16/f16 weights on the CPU run through mri's own forward pass
/// (the projections in bf16/f16, widened a row at a time inside the
/// kernel; everything else in f32): what it computes is what the f32 path
/// (candle's Llama, every weight widened) computes, up to the order of
/// sums. candle's Llama in bf16 (bf16 activations) would be off by ~1e-2.
#[test]
fn llama_half_weights_on_the_cpu_compute_what_f32_computes() {
    let (_tmp, llama3) = generated(SmokeArch::Llama3);
    for dir in [
        fixtures().join("tiny-llama"),
        fixtures().join("tiny-llama-sharded"),
        llama3,
    ] {
        let with = |dtype| {
            smoke_lib(
                &dir,
                &SmokeOptions {
                    dtype,
                    ..options(8)
                },
            )
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        };
        let f32_run = with(smoke::DtypeChoice::F32);
        assert_eq!(f32_run.summary.dtype, "f32");
        for (dtype, name) in [
            (smoke::DtypeChoice::Bf16, "bf16"),
            (smoke::DtypeChoice::F16, "f16"),
        ] {
            let run = with(dtype);
            let what = format!("{} in {name}", dir.display());
            assert_eq!(run.summary.dtype, name, "{what}");
            // The default kernel copy goes unnamed (reports read the same
            // on every CPU).
            assert!(!run.notes.iter().any(|n| n.contains("projections")));
            let ids = |r: &SmokeRun| r.summary.top_next.iter().map(|t| t.id).collect::<Vec<_>>();
            assert_eq!(ids(&run), ids(&f32_run), "{what}: top-5");
            for (a, b) in run.summary.top_next.iter().zip(&f32_run.summary.top_next) {
                assert!(
                    (a.prob - b.prob).abs() < 1e-4,
                    "{what}: {} vs {}",
                    a.prob,
                    b.prob
                );
            }
            let (e, e32) = (
                run.summary.entropy.unwrap(),
                f32_run.summary.entropy.unwrap(),
            );
            assert!((e - e32).abs() < 1e-4, "{what}: entropy {e} vs {e32}");
            assert_eq!(run.continuation_ids, f32_run.continuation_ids, "{what}");
            // Half the bytes of f32, but for the norms (kept in f32).
            let (w, w32) = (run.memory.weights_bytes, f32_run.memory.weights_bytes);
            assert!(w * 2 > w32 && w * 100 < w32 * 51, "{what}: {w} vs {w32}");
        }
    }
}

/// `MRI_HALF_KERNEL` picks the kernel copy (the portable one runs on every
/// CPU): the same top tokens as the default copy, and a note names it.
#[test]
fn the_kernel_copy_can_be_chosen_and_is_named() {
    let dir = fixtures().join("tiny-llama");
    let dir = dir.to_str().expect("utf-8");
    let scalar: &[(&str, &Path)] = &[("MRI_HALF_KERNEL", Path::new("scalar"))];
    let run = |format: &str, env| {
        let out = mri_env(&["smoke", dir, "--format", format], env);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let top = |json: String| {
        let report: Value = serde_json::from_str(&json).expect("json");
        report["smoke"]["top_next"]
            .as_array()
            .expect("top_next")
            .iter()
            .filter_map(|t| t["id"].as_u64())
            .collect::<Vec<_>>()
    };
    let default_ids = top(run("json", &[]));
    assert_eq!(default_ids.len(), 5);
    assert_eq!(top(run("json", scalar)), default_ids);
    let note = "bf16 projections through mri's scalar kernel (MRI_HALF_KERNEL), f32 activations";
    let text = run("text", scalar);
    assert!(text.contains(note), "{text}");
    let text = run("text", &[]);
    assert!(!text.contains("MRI_HALF_KERNEL"), "{text}");
}

/// `--stream` reads one layer at a time and gives the full pass's answer:
/// the same top tokens with the same probabilities (the same kernel, the
/// same order of sums), and no continuation (a note says why).
#[test]
fn a_streamed_pass_gives_what_the_full_pass_gives() {
    let (_tmp, llama3) = generated(SmokeArch::Llama3);
    for dir in [
        fixtures().join("tiny-llama"),
        fixtures().join("tiny-llama-sharded"),
        llama3,
    ] {
        let with = |dtype, stream, max_tokens| {
            smoke_lib(
                &dir,
                &SmokeOptions {
                    dtype,
                    stream,
                    ..options(max_tokens)
                },
            )
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        };
        for dtype in [smoke::DtypeChoice::Auto, smoke::DtypeChoice::Bf16] {
            let what = format!("{} {dtype:?}", dir.display());
            let full = with(dtype, false, 0);
            let streamed = with(dtype, true, 3);
            assert_eq!(full.summary.mode, "full", "{what}");
            assert_eq!(streamed.summary.mode, "stream", "{what}");
            assert_eq!(streamed.summary.dtype, full.summary.dtype, "{what}");
            assert!(streamed.summary.finite, "{what}");
            let ids = |r: &SmokeRun| r.summary.top_next.iter().map(|t| t.id).collect::<Vec<_>>();
            assert_eq!(ids(&streamed), ids(&full), "{what}: top-5");
            for (a, b) in streamed.summary.top_next.iter().zip(&full.summary.top_next) {
                assert!(
                    (a.prob - b.prob).abs() < 1e-6,
                    "{what}: {} vs {}",
                    a.prob,
                    b.prob
                );
            }
            assert!(streamed.summary.continuation.is_none(), "{what}");
            assert!(
                streamed
                    .notes
                    .iter()
                    .any(|n| n.contains("--max-tokens 3 skipped")),
                "{what}: {:?}",
                streamed.notes
            );
            // One layer's projections (or the LM head) resident, not all.
            assert!(
                streamed.memory.weights_bytes < full.memory.weights_bytes,
                "{what}: {} vs {}",
                streamed.memory.weights_bytes,
                full.memory.weights_bytes
            );
        }
    }
}

/// Under a memory limit the full model does not fit in but the streamed
/// pass does, `auto` streams and says why; below what streaming needs, the
/// run is refused naming the streamed mode; with `--dtype f32` (which does
/// not stream) the refusal says what streaming would need.
#[test]
fn a_model_larger_than_the_budget_is_streamed() {
    let dir = fixtures().join("tiny-llama");
    let with = |dtype, stream, memory_limit| {
        smoke_lib(
            &dir,
            &SmokeOptions {
                dtype,
                stream,
                memory_limit,
                ..options(2)
            },
        )
    };
    let needed = |stream| {
        with(smoke::DtypeChoice::Auto, stream, None)
            .expect("runs")
            .memory
            .needed_bytes
    };
    let (full_needs, stream_needs) = (needed(false), needed(true));
    assert!(stream_needs < full_needs, "{stream_needs} vs {full_needs}");
    let between = stream_needs + (full_needs - stream_needs) / 2;
    let run = with(smoke::DtypeChoice::Auto, false, Some(between)).expect("streams");
    assert_eq!(run.summary.mode, "stream");
    assert!(run.memory.needed_bytes <= between);
    assert!(
        run.notes
            .iter()
            .any(|n| n.starts_with("streamed: the full model would need")),
        "{:?}",
        run.notes
    );
    let err = with(smoke::DtypeChoice::Auto, false, Some(stream_needs - 1)).expect_err("refused");
    assert!(
        matches!(&err, smoke::SmokeError::NotEnoughMemory { mode, .. } if mode == "full"),
        "{err}"
    );
    assert!(err.to_string().contains("streamed (--stream"), "{err}");
    let err = with(smoke::DtypeChoice::Auto, true, Some(stream_needs - 1)).expect_err("refused");
    assert!(
        matches!(&err, smoke::SmokeError::NotEnoughMemory { mode, .. } if mode == "streamed"),
        "{err}"
    );
    for dtype in [smoke::DtypeChoice::F32, smoke::DtypeChoice::F16] {
        let err = with(dtype, true, None).expect_err("streams only as stored");
        assert!(
            err.to_string()
                .contains("--stream reads bf16/f16 weights as stored (bf16)"),
            "{err}"
        );
    }
    let err = smoke_lib(
        &fixtures().join("tiny-qwen3"),
        &SmokeOptions {
            stream: true,
            ..options(0)
        },
    )
    .expect_err("qwen3 does not stream");
    assert!(err.to_string().contains("Llama-family"), "{err}");
}

/// The CLI's `--stream`: the JSON says the mode, the text report too.
#[test]
fn the_reports_say_the_mode() {
    let dir = fixtures().join("tiny-llama");
    let dir = dir.to_str().expect("utf-8");
    let json = mri(&["smoke", dir, "--stream", "--format", "json"]);
    assert!(
        json.status.success(),
        "{}",
        String::from_utf8_lossy(&json.stderr)
    );
    let report: Value = serde_json::from_slice(&json.stdout).expect("json");
    assert_eq!(report["smoke"]["mode"], "stream");
    let text = mri(&["smoke", dir, "--stream"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("mode            stream"), "{text}");
    let full = mri(&["smoke", dir]);
    assert!(!String::from_utf8_lossy(&full.stdout).contains("mode "));
}

// ------------------------------------------------------------ error paths

/// Runs `mri smoke DIR extra...` and expects a clean exit 2 whose message
/// contains `needle` (and no panic).
fn expect_exit_2(dir: &Path, extra: &[&str], env: &[(&str, &Path)], needle: &str) -> String {
    let mut args = vec!["smoke", dir.to_str().expect("utf-8")];
    args.extend_from_slice(extra);
    let out = mri_env(&args, env);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(stderr.contains(needle), "{needle:?} not in: {stderr}");
    assert!(!stderr.contains("panicked"), "a panic leaked: {stderr}");
    assert!(out.stdout.is_empty());
    stderr
}

#[test]
fn unsupported_architecture_exits_2() {
    let (_tmp, dir) = copy_fixture("tiny-llama");
    edit_json(&dir.join("config.json"), |v| {
        v["model_type"] = Value::from("gpt_neox");
        v["architectures"] = serde_json::json!(["GPTNeoXForCausalLM"]);
    });
    let msg = expect_exit_2(&dir, &[], &[], "unsupported architecture `gpt_neox`");
    assert!(msg.contains("llama, mistral, qwen2, qwen3, gemma, gemma2, phi3 and bert"));
}

#[test]
fn missing_tokenizer_exits_2() {
    let (_tmp, dir) = copy_fixture("tiny-llama");
    std::fs::remove_file(dir.join("tokenizer.json")).expect("rm");
    expect_exit_2(&dir, &[], &[], "no tokenizer.json");
}

#[test]
fn what_candle_does_not_compute_is_refused_not_run_wrongly() {
    let (_tmp, dir) = copy_fixture("tiny-llama");
    edit_json(&dir.join("config.json"), |v| {
        v["rope_scaling"] = serde_json::json!({"type": "linear", "factor": 2.0})
    });
    expect_exit_2(
        &dir,
        &[],
        &[],
        "llama: rope_scaling `linear` is not applied by candle's llama",
    );
    let (_tmp, dir) = copy_fixture("tiny-qwen3");
    edit_json(&dir.join("config.json"), |v| {
        v["rope_scaling"] = serde_json::json!({"rope_type": "yarn", "factor": 4.0})
    });
    expect_exit_2(
        &dir,
        &[],
        &[],
        "rope_scaling `yarn` is not applied by candle's qwen3",
    );
    let (_tmp, dir) = copy_fixture("tiny-llama");
    edit_json(&dir.join("config.json"), |v| {
        v["attention_bias"] = Value::Bool(true)
    });
    expect_exit_2(
        &dir,
        &[],
        &[],
        "`attention_bias: true` is not implemented by candle's llama",
    );
}

#[test]
fn truncated_weights_exit_2() {
    let (_tmp, dir) = copy_fixture("tiny-llama");
    let st = dir.join("model.safetensors");
    let len = std::fs::metadata(&st).expect("meta").len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&st)
        .and_then(|f| f.set_len(len - 100))
        .expect("truncate");
    expect_exit_2(&dir, &[], &[], "the weights are broken: model.safetensors");
}

#[test]
fn quantized_checkpoint_exits_2() {
    let (_tmp, dir) = copy_fixture("tiny-llama");
    edit_json(&dir.join("config.json"), |v| {
        v["quantization_config"] = serde_json::json!({"quant_method": "gptq", "bits": 4});
    });
    expect_exit_2(&dir, &[], &[], "quantized checkpoint (gptq, 4 bits)");
}

/// Rewrites `dir/model.safetensors` through `edit`.
fn rewrite_tensors(dir: &Path, edit: impl FnOnce(&mut Vec<TensorData>)) {
    let path = dir.join("model.safetensors");
    let bytes = std::fs::read(&path).expect("read");
    let st = safetensors::SafeTensors::deserialize(&bytes).expect("parse");
    let mut tensors: Vec<TensorData> = st
        .tensors()
        .into_iter()
        .map(|(name, view)| TensorData {
            name,
            dtype: format!("{:?}", view.dtype()),
            shape: view.shape().iter().map(|d| *d as u64).collect(),
            bytes: view.data().to_vec(),
        })
        .collect();
    tensors.sort_by(|a, b| a.name.cmp(&b.name));
    edit(&mut tensors);
    write_safetensors(&path, &tensors).expect("write");
}

#[test]
fn missing_tensor_exits_2_where_candle_would_panic() {
    // candle's llama loader unwraps each block: a missing tensor panics there.
    let (_tmp, dir) = copy_fixture("tiny-llama");
    rewrite_tensors(&dir, |t| {
        t.retain(|t| {
            t.name != "model.layers.1.mlp.up_proj.weight"
                && t.name != "model.layers.0.self_attn.k_proj.weight"
        })
    });
    let msg = expect_exit_2(&dir, &[], &[], "2 problem(s)");
    assert!(msg.contains("missing tensor model.layers.1.mlp.up_proj.weight (shape [64, 32])"));
    assert!(msg.contains("missing tensor model.layers.0.self_attn.k_proj.weight"));
}

#[test]
fn wrong_shapes_exit_2_and_every_one_is_listed() {
    let (_tmp, dir) = copy_fixture("tiny-llama");
    edit_json(&dir.join("config.json"), |v| {
        v["intermediate_size"] = Value::from(48)
    });
    let msg = expect_exit_2(&dir, &[], &[], "6 problem(s)");
    assert!(
        msg.contains("tensor model.layers.0.mlp.gate_proj.weight has shape [64, 32], the config implies [48, 32]"),
        "{msg}"
    );
    // Same for a tied Mistral whose head is missing and not tied.
    let (_tmp2, dir) = generated(SmokeArch::MistralTied);
    edit_json(&dir.join("config.json"), |v| {
        v["tie_word_embeddings"] = Value::Bool(false)
    });
    expect_exit_2(&dir, &[], &[], "missing tensor lm_head.weight");
}

#[test]
fn non_float_tensors_exit_2_before_loading() {
    let (_tmp, dir) = copy_fixture("tiny-llama");
    rewrite_tensors(&dir, |t| {
        for x in t
            .iter_mut()
            .filter(|x| x.name.ends_with("down_proj.weight"))
        {
            x.dtype = "I16".into();
        }
    });
    expect_exit_2(&dir, &[], &[], "stored as I16");
}

#[test]
fn not_enough_memory_exits_2_before_loading() {
    let limit = Path::new("100kB");
    let msg = expect_exit_2(
        &fixtures().join("tiny-llama"),
        &[],
        &[("MRI_SMOKE_MEMORY_LIMIT", limit)],
        "not enough memory",
    );
    assert!(msg.contains("100.0 kB available"), "{msg}");
    expect_exit_2(
        &fixtures().join("tiny-llama"),
        &["--memory-limit", "1M"],
        &[],
        "1.0 MB available",
    );
    expect_exit_2(
        &fixtures().join("tiny-llama"),
        &["--memory-limit", "lots"],
        &[],
        "is not a size",
    );
    // The library refuses the same way.
    let err = smoke_lib(
        &fixtures().join("tiny-llama"),
        &SmokeOptions {
            memory_limit: Some(1000),
            ..options(0)
        },
    )
    .expect_err("refused");
    assert!(
        matches!(err, smoke::SmokeError::NotEnoughMemory { .. }),
        "{err}"
    );
}

#[cfg(not(feature = "cuda"))]
#[test]
fn cuda_without_the_feature_says_how_to_build() {
    expect_exit_2(
        &fixtures().join("tiny-llama"),
        &["--device", "cuda"],
        &[],
        "cargo build --release --features cuda",
    );
    expect_exit_2(
        &fixtures().join("tiny-llama"),
        &["--device", "tpu"],
        &[],
        "unknown device `tpu`",
    );
}

#[test]
fn prompt_longer_than_the_context_exits_2() {
    let (_tmp, dir) = generated(SmokeArch::Bert);
    let long = "fox ".repeat(80);
    expect_exit_2(&dir, &["--prompt", &long], &[], "the model has 64");
    // Qwen adds no BOS: an empty prompt is no tokens at all.
    expect_exit_2(
        &fixtures().join("tiny-qwen3"),
        &["--prompt", ""],
        &[],
        "no tokens",
    );
}

// ------------------------------------------------------------ --scan-weights

#[test]
fn scan_weights_names_non_finite_and_all_zero_tensors() {
    let (_tmp, dir) = copy_fixture("tiny-llama");
    let clean = mri(&["smoke", dir.to_str().expect("utf-8"), "--scan-weights"]);
    assert!(clean.status.success());
    // The progress bar stays quiet when stderr is not a terminal.
    assert!(
        clean.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&clean.stderr)
    );
    assert!(String::from_utf8_lossy(&clean.stdout).contains("every tensor finite, none all zeros"));

    rewrite_tensors(&dir, |t| {
        for x in t.iter_mut() {
            if x.name == "model.layers.1.self_attn.v_proj.weight" {
                // BF16 NaN and +inf in the first two values.
                x.bytes[..4].copy_from_slice(&[0xC0, 0x7F, 0x80, 0x7F]);
            }
            if x.name == "model.layers.0.mlp.down_proj.weight" {
                x.bytes.iter_mut().for_each(|b| *b = 0);
            }
        }
    });
    let before = read_tree(&dir).expect("tree");
    let out = mri(&[
        "smoke",
        dir.to_str().expect("utf-8"),
        "--scan-weights",
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "non-finite weights fail the smoke test"
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    let nan = support::findings(&report, "weights/non-finite");
    assert_eq!(nan.len(), 1);
    assert_eq!(nan[0]["tensor"], "model.layers.1.self_attn.v_proj.weight");
    assert!(nan[0]["message"]
        .as_str()
        .expect("msg")
        .contains("holds 2 NaN or infinite values"));
    let zero = support::findings(&report, "weights/all-zero");
    assert_eq!(zero.len(), 1);
    assert_eq!(zero[0]["tensor"], "model.layers.0.mlp.down_proj.weight");
    assert_eq!(zero[0]["severity"], "warning");
    // The NaN reaches the logits too.
    assert_eq!(report["smoke"]["finite"], false);
    assert!(report["smoke"]["non_finite"]
        .as_u64()
        .is_some_and(|n| n > 0));

    let text = mri(&["smoke", dir.to_str().expect("utf-8"), "--scan-weights"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("finite          NO"), "{text}");
    assert!(
        text.contains("model.layers.0.mlp.down_proj.weight is all zeros"),
        "{text}"
    );

    // Nothing was written into the model directory.
    assert!(read_tree(&dir).expect("tree") == before);
}

/// Runs only in a build with `--features cuda`, on a machine with a GPU.
#[cfg(feature = "cuda")]
#[test]
fn cuda_runs_the_same_model() {
    let cpu = smoke_lib(&fixtures().join("tiny-qwen3"), &options(4)).expect("cpu");
    let gpu = smoke_lib(
        &fixtures().join("tiny-qwen3"),
        &SmokeOptions {
            device: smoke::DeviceChoice::Cuda(0),
            dtype: smoke::DtypeChoice::F32,
            ..options(4)
        },
    )
    .expect("cuda");
    assert_eq!(gpu.summary.device, "cuda:0");
    assert!(gpu.summary.finite);
    assert_eq!(gpu.summary.logits_shape, cpu.summary.logits_shape);
    assert_eq!(
        gpu.summary.top_next.first().map(|t| t.id),
        cpu.summary.top_next.first().map(|t| t.id)
    );
}
