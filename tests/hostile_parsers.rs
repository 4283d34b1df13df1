//! Hostile inputs against the whole binary (issue #35, "fail closed"): for
//! each input, generated here, `mri inspect`, `mri check` and `mri license`
//! end within a bound (10 s, peak RSS under 1 GiB) with a report or a clear
//! error, never a panic, a hang or a pass that should not be. A hang is
//! killed after a generous deadline so that it fails rather than blocks; the
//! bounds are bounds, not benchmarks (the inputs are scaled down, with the
//! limits that can be lowered lowered, so a debug build meets them with
//! room to spare).

mod support;

use serde_json::Value;
use std::fs;
use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::Duration;
use support::{copy_fixture, findings};

/// What a bounded run of `mri` did.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    /// Peak resident set of the child, in KiB (`ru_maxrss`).
    max_rss_kib: i64,
    elapsed: Duration,
}

/// The bound each command must end within.
const BOUND: Duration = Duration::from_secs(10);
/// Peak RSS bound.
const MAX_RSS_KIB: i64 = 1 << 20;
/// A run still going after this is killed: the test fails instead of hanging.
const HANG_GUARD: Duration = Duration::from_secs(120);

/// Runs `mri` with `args` and extra environment, measuring the child's peak
/// RSS with `wait4`, killing it past [`HANG_GUARD`]. The child is reaped by
/// `wait4` itself (which `Child::wait` cannot do: it drops the rusage).
fn run_bounded(args: &[&str], env: &[(&str, &str)], cwd: &Path) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mri"));
    cmd.args(args)
        .current_dir(cwd)
        .env_remove("HF_HUB_CACHE")
        .env_remove("HF_HOME")
        .env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let e = support::bounded::run(cmd, HANG_GUARD);
    assert!(
        !e.killed,
        "mri {args:?} still running after {HANG_GUARD:?}: killed"
    );
    Run {
        code: e.code,
        stdout: e.stdout,
        stderr: e.stderr,
        max_rss_kib: e.max_rss_kib,
        elapsed: e.elapsed,
    }
}

/// Runs inspect (JSON), check and license on `target` and checks the
/// bounds; returns the inspect report (when one was made) and the check run.
fn three_commands(target: &Path, env: &[(&str, &str)]) -> (Option<Value>, Run) {
    let t = target.to_str().expect("utf-8 path");
    let cwd = tempfile::tempdir().expect("cwd");
    let mut report = None;
    let mut check = None;
    for args in [
        vec!["inspect", t, "--format", "json"],
        vec!["check", t],
        vec!["license", t],
    ] {
        let run = run_bounded(&args, env, cwd.path());
        let what = format!(
            "mri {args:?}: exit {:?}, {:?}, {} KiB\nstdout: {}\nstderr: {}",
            run.code,
            run.elapsed,
            run.max_rss_kib,
            run.stdout.chars().take(2000).collect::<String>(),
            run.stderr.chars().take(2000).collect::<String>()
        );
        // a report (0), a failed gate (1) or a clear error (2); a panic is
        // 101 and a signal has no code
        assert!(matches!(run.code, Some(0..=2)), "{what}");
        if run.code == Some(2) {
            assert!(run.stderr.contains("error"), "{what}");
        }
        assert!(run.elapsed < BOUND, "over the {BOUND:?} bound: {what}");
        assert!(run.max_rss_kib < MAX_RSS_KIB, "over 1 GiB: {what}");
        match args[0] {
            "inspect" if run.code == Some(0) => {
                report = Some(serde_json::from_str(&run.stdout).expect("JSON report"))
            }
            "check" => check = Some(run),
            _ => {}
        }
    }
    (report, check.expect("check ran"))
}

/// A PyTorch zip whose `data.pkl` is `pad` bytes of NONE/POP, deflated as
/// it is generated, then `GLOBAL posix system`.
fn padded_torch_zip(path: &Path, pad: u64) {
    let file = fs::File::create(path).expect("create");
    let mut z = zip::ZipWriter::new(file);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(pad > u32::MAX as u64 / 2);
    z.start_file("archive/data.pkl", opts).expect("member");
    z.write_all(&[0x80, 2]).expect("write");
    let chunk = b"N0".repeat(1 << 19);
    let mut left = pad / 2 * 2;
    while left > 0 {
        let n = left.min(chunk.len() as u64) as usize;
        z.write_all(&chunk[..n]).expect("write");
        left -= n as u64;
    }
    z.write_all(b"cposix\nsystem\n(S'id'\ntR.").expect("write");
    z.finish().expect("finish");
}

#[test]
fn a_pickle_hidden_behind_padding_fails_the_gate() {
    let (_t, dir) = copy_fixture("tiny-llama");
    padded_torch_zip(&dir.join("pytorch_model.bin"), 16 << 20);
    let (report, check) = three_commands(&dir, &[]);
    let r = report.expect("a report");
    let found = findings(&r, "security/pickle-global");
    assert!(
        found
            .iter()
            .any(|f| f["severity"] == "error"
                && f["message"].as_str().unwrap().contains("posix.system")),
        "{}",
        r["findings"]
    );
    assert_eq!(check.code, Some(1), "{}", check.stdout);
    assert!(check.stdout.contains("posix.system"), "{}", check.stdout);
}

#[test]
fn a_pickle_past_the_scan_limit_fails_the_gate_unscanned() {
    let (_t, dir) = copy_fixture("tiny-llama");
    padded_torch_zip(&dir.join("pytorch_model.bin"), 16 << 20);
    let (report, check) = three_commands(&dir, &[("MRI_PICKLE_SCAN_BYTES", "4194304")]);
    let r = report.expect("a report");
    let unscanned = findings(&r, "security/pickle-unscanned");
    assert_eq!(unscanned.len(), 1, "{}", r["findings"]);
    assert_eq!(unscanned[0]["severity"], "error");
    assert_eq!(check.code, Some(1), "{}", check.stdout);
    assert!(
        check.stdout.contains("security/pickle-unscanned"),
        "{}",
        check.stdout
    );
}

#[test]
fn a_deeply_nested_card_is_refused_not_parsed() {
    let (_t, dir) = copy_fixture("tiny-llama");
    // 200k levels: a 200 KB README that took the YAML parser over a minute
    let readme = format!(
        "---\nlicense: mit\nx: {}\n---\n# Model\n",
        "[".repeat(200_000)
    );
    fs::write(dir.join("README.md"), readme).expect("write");
    let (report, _) = three_commands(&dir, &[]);
    let r = report.expect("a report");
    let card = findings(&r, "card/invalid");
    assert_eq!(card.len(), 1, "{}", r["findings"]);
    assert_eq!(card[0]["line"], 3);
    assert!(card[0]["message"]
        .as_str()
        .unwrap()
        .contains("nests deeper"));
    // the card's `license: mit` was not read: the decision does not rest on it
    assert!(
        !r["license"].to_string().contains("\"MIT\""),
        "{}",
        r["license"]
    );
}

/// A safetensors file of `n` one-byte tensors (a long header, little data).
fn many_tensor_shard(path: &Path, n: usize, tag: &str) {
    let mut header = String::from("{");
    for i in 0..n {
        if i > 0 {
            header.push(',');
        }
        header.push_str(&format!(
            "\"{tag}.t{i}\":{{\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[{i},{}]}}",
            i + 1
        ));
    }
    header.push('}');
    while header.len() % 8 != 0 {
        header.push(' ');
    }
    let mut bytes = (header.len() as u64).to_le_bytes().to_vec();
    bytes.extend_from_slice(header.as_bytes());
    bytes.extend(std::iter::repeat_n(0u8, n));
    fs::write(path, bytes).expect("write shard");
}

#[test]
fn shard_headers_share_one_budget() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("m");
    let one = four_long_shards(&dir);
    // room for a shard and a half: the second is where the budget runs out
    let budget = (one * 3 / 2).to_string();
    let (report, check) = three_commands(&dir, &[("MRI_HEADER_BUDGET", &budget)]);
    let r = report.expect("a report");
    let refused = findings(&r, "weights/header-budget");
    assert_eq!(refused.len(), 1, "{}", r["findings"]);
    assert_eq!(refused[0]["file"], "model-00002-of-00004.safetensors");
    assert_eq!(refused[0]["severity"], "error");
    let msg = refused[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("MRI_HEADER_BUDGET") && msg.contains("2 more shard"),
        "{msg}"
    );
    assert_eq!(check.code, Some(1), "{}", check.stdout);
    // under the default budget the same model is read whole
    let (report, _) = three_commands(&dir, &[]);
    let r = report.expect("a report");
    assert!(findings(&r, "weights/header-budget").is_empty());
    assert_eq!(r["weights"]["tensor_count"], 80_000, "{}", r["weights"]);
}

/// A model of four shards with long headers (20k tensors each).
fn four_long_shards(dir: &Path) -> u64 {
    fs::create_dir_all(dir).expect("mkdir");
    fs::copy(
        support::fixtures().join("tiny-llama/config.json"),
        dir.join("config.json"),
    )
    .expect("config");
    for s in 1..=4 {
        many_tensor_shard(
            &dir.join(format!("model-{s:05}-of-00004.safetensors")),
            20_000,
            &format!("s{s}"),
        );
    }
    fs::metadata(dir.join("model-00001-of-00004.safetensors"))
        .expect("size")
        .len()
}

#[test]
fn shard_headers_share_one_budget_over_hf() {
    use support::hub_server::{HubServer, RepoSpec};
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("m");
    let one = four_long_shards(&dir);
    let server = HubServer::start(vec![RepoSpec::new("acme/long", &dir)]).expect("server");
    let home = tmp.path().join("home");
    fs::create_dir_all(&home).expect("home");
    let cache = tmp.path().join("cache");
    let budget = (one * 3 / 2).to_string();
    let env = [
        ("HOME", home.to_str().unwrap()),
        ("HF_ENDPOINT", server.url.as_str()),
        ("HF_HUB_CACHE", cache.to_str().unwrap()),
        ("HF_TOKEN", ""),
        ("MRI_HEADER_BUDGET", budget.as_str()),
    ];
    let run = run_bounded(
        &["inspect", "hf://acme/long", "--format", "json"],
        &env,
        tmp.path(),
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.elapsed < BOUND && run.max_rss_kib < MAX_RSS_KIB);
    let r: Value = serde_json::from_str(&run.stdout).expect("JSON");
    let refused = findings(&r, "weights/header-budget");
    assert_eq!(refused.len(), 1, "{}", r["findings"]);
    assert_eq!(refused[0]["file"], "model-00002-of-00004.safetensors");
    assert!(refused[0]["message"]
        .as_str()
        .unwrap()
        .contains("2 more shard"));
    // The headers past the budget are not fetched either: one long header
    // and the first reads of the others, not all four.
    let fetched = find_key(&r, "bytes_fetched")
        .and_then(Value::as_u64)
        .unwrap_or_else(|| panic!("no bytes_fetched in {r}"));
    assert!(
        fetched < one * 5 / 2,
        "{fetched} bytes fetched for headers of {one} bytes under a budget of {budget}"
    );
}

/// The first value named `key` anywhere in `v`.
fn find_key<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    match v {
        Value::Object(m) => m
            .get(key)
            .or_else(|| m.values().find_map(|x| find_key(x, key))),
        Value::Array(a) => a.iter().find_map(|x| find_key(x, key)),
        _ => None,
    }
}

#[test]
fn forty_thousand_policy_exceptions_are_read_in_bounded_time() {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut text = String::from("[findings]\ndeny = [\"error\"]\n");
    for i in 0..40_000 {
        text.push_str(&format!(
            "\n[[exceptions]]\nmodel = \"org/m{i}\"\nreason = \"vetted {i}\"\n"
        ));
    }
    let policy = tmp.path().join("mri.toml");
    fs::write(&policy, text).expect("write");
    let p = policy.to_str().unwrap();
    let run = run_bounded(&["policy", "check", p], &[], tmp.path());
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    assert!(run.elapsed < BOUND && run.max_rss_kib < MAX_RSS_KIB);
    let model = support::fixtures().join("tiny-llama");
    let m = model.to_str().unwrap();
    let run = run_bounded(&["check", m, "--policy", p], &[], tmp.path());
    assert!(
        matches!(run.code, Some(0 | 1)),
        "{}{}",
        run.stdout,
        run.stderr
    );
    assert!(run.elapsed < BOUND && run.max_rss_kib < MAX_RSS_KIB);
}

#[test]
fn negative_and_fractional_counts_are_findings() {
    let (_t, dir) = copy_fixture("tiny-llama");
    let cfg = fs::read_to_string(dir.join("config.json")).expect("read");
    let cfg = cfg
        .replace("\"vocab_size\": 384", "\"vocab_size\": -384")
        .replace("\"hidden_size\": 32", "\"hidden_size\": 32.5");
    fs::write(dir.join("config.json"), cfg).expect("write");
    let (report, _) = three_commands(&dir, &[]);
    let r = report.expect("a report");
    let invalid: Vec<String> = findings(&r, "config/invalid")
        .iter()
        .map(|f| format!("{} {}", f["line"], f["message"]))
        .collect();
    assert!(
        invalid.iter().any(|f| f.contains("`vocab_size` is -384")),
        "{invalid:#?}"
    );
    assert!(
        invalid.iter().any(|f| f.contains("`hidden_size` is 32.5")),
        "{invalid:#?}"
    );
}

#[test]
fn a_gguf_named_file_that_is_not_gguf_is_reported_and_fails_the_gate() {
    // Documented behaviour: a target named *.gguf is read as GGUF, and bytes
    // that are not GGUF are the error finding gguf/invalid (exit 0 for
    // inspect and license, the report made; exit 1 for check, the gate
    // failed), so that CI output (SARIF, JUnit) carries the problem. A file
    // neither named nor shaped as GGUF (or safetensors) is not a target at
    // all: exit 2.
    let tmp = tempfile::tempdir().expect("tmp");
    let bad = tmp.path().join("model.gguf");
    fs::write(&bad, b"<html>404 Not Found</html>").expect("write");
    let (report, check) = three_commands(&bad, &[]);
    let r = report.expect("a report");
    let invalid = findings(&r, "gguf/invalid");
    assert_eq!(invalid.len(), 1, "{}", r["findings"]);
    assert_eq!(invalid[0]["severity"], "error");
    assert_eq!(check.code, Some(1), "{}", check.stdout);
    assert!(check.stdout.contains("gguf/invalid"), "{}", check.stdout);
    let other = tmp.path().join("model.txt");
    fs::write(&other, b"<html>404 Not Found</html>").expect("write");
    let run = run_bounded(&["inspect", other.to_str().unwrap()], &[], tmp.path());
    assert_eq!(run.code, Some(2), "{}", run.stdout);
    assert!(!run.stderr.is_empty());
}
