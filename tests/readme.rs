//! The README, checked against the binary: every `mri` line of its `sh`
//! blocks runs offline in a folder built from the fixtures under the names
//! the examples use (a cache holding `Qwen/Qwen3-4B`, an Ollama store, a
//! loopback Hub for `hf://`), and exits as the line says; the command table
//! agrees with `--help`; the TUI's keys and views are the browser's; the
//! GitHub Actions workflows parse as YAML and are complete; `.ci/run` runs the
//! README's test command.

mod signature_common;
mod support;

use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;
use support::bounded;
use support::fixture_gen::{random_bf16, write_safetensors, write_tiny_bert, Rng};
use support::hub_server::{HubServer, RepoSpec};
use support::{copy_dir, fixtures};

/// The marker that keeps a code block from running, with its reason:
/// `<!-- readme-test: skip REASON -->` on the line before the fence.
const SKIP: &str = "<!-- readme-test: skip";
/// At most this many `mri` lines may be skipped.
const MAX_SKIPPED: usize = 3;
/// The gated repository's token (the loopback Hub's, not a real one).
const TOKEN: &str = "hf_readme_test_token";
/// The older revision of `Qwen/Qwen3-4B` in the sandbox's cache.
const OLD: &str = "abc1234def5678abc1234def5678abc1234def56";

fn readme() -> String {
    fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).expect("README")
}

/// A fenced code block: its language, first line number, lines, and the
/// skip reason written before it.
struct Block {
    lang: String,
    line: usize,
    lines: Vec<String>,
    skip: Option<String>,
}

fn blocks(text: &str) -> Vec<Block> {
    let mut out = Vec::new();
    let mut current: Option<Block> = None;
    let mut previous = "";
    for (i, line) in text.lines().enumerate() {
        match (&mut current, line.strip_prefix("```")) {
            (None, Some(lang)) => {
                let skip = previous
                    .trim()
                    .strip_prefix(SKIP)
                    .map(|r| r.trim_end_matches("-->").trim().to_string());
                current = Some(Block {
                    lang: lang.trim().to_string(),
                    line: i + 2,
                    lines: Vec::new(),
                    skip,
                });
            }
            (Some(_), Some(_)) => out.extend(current.take()),
            (Some(b), None) => b.lines.push(line.to_string()),
            (None, None) => {}
        }
        if !line.trim().is_empty() {
            previous = line;
        }
    }
    out
}

/// One `mri` line of an `sh` block.
struct Example {
    line: usize,
    command: String,
    expected: i32,
    skip: Option<String>,
}

/// The exit code a line's comment states as `(exit N`, else 0.
fn expected_exit(comment: &str) -> i32 {
    comment
        .split("(exit ")
        .nth(1)
        .and_then(|rest| rest.chars().next())
        .and_then(|c| c.to_digit(10))
        .map_or(0, |d| d as i32)
}

/// True when the line runs `mri` (after any `VAR=value` assignments).
fn runs_mri(command: &str) -> bool {
    command
        .split_whitespace()
        .find(|w| !w.contains('='))
        .is_some_and(|w| w == "mri")
}

fn examples(text: &str) -> Vec<Example> {
    let mut out = Vec::new();
    for b in blocks(text).into_iter().filter(|b| b.lang == "sh") {
        for (i, raw) in b.lines.iter().enumerate() {
            let (command, comment) = match raw.find(" #") {
                Some(at) => (raw[..at].trim(), &raw[at..]),
                None => (raw.trim(), ""),
            };
            if runs_mri(command) {
                out.push(Example {
                    line: b.line + i,
                    command: command.to_string(),
                    expected: expected_exit(comment),
                    skip: b.skip.clone(),
                });
            }
        }
    }
    out
}

/// The section of the README under `heading` (to the next `## `).
fn section<'a>(text: &'a str, heading: &str) -> &'a str {
    let start = text
        .find(&format!("\n{heading}\n"))
        .unwrap_or_else(|| panic!("README has no `{heading}`"));
    let rest = &text[start + heading.len() + 2..];
    &rest[..rest.find("\n## ").unwrap_or(rest.len())]
}

/// Writes `bytes` as a blob named by their sha256 and links `name` to it.
fn cache_file(repo: &Path, commit: &str, name: &str, bytes: &[u8]) {
    let blob = format!("{:x}", Sha256::digest(bytes));
    fs::create_dir_all(repo.join("blobs")).expect("blobs");
    fs::write(repo.join("blobs").join(&blob), bytes).expect("blob");
    let snap = repo.join("snapshots").join(commit);
    fs::create_dir_all(&snap).expect("snapshot");
    symlink(format!("../../blobs/{blob}"), snap.join(name)).expect("link");
}

/// `Qwen/Qwen3-4B` in the cache: `main` is the fixture, the older revision
/// `abc1234…` declared another license.
fn cache(hub: &Path) {
    let repo = hub.join("models--Qwen--Qwen3-4B");
    let main = "0123456789abcdef0123456789abcdef01234567";
    for entry in fs::read_dir(fixtures().join("tiny-qwen3")).expect("fixture") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let bytes = fs::read(&path).expect("read");
        cache_file(&repo, main, &name, &bytes);
        let old = if name == "README.md" {
            String::from_utf8(bytes)
                .expect("utf-8")
                .replace("license: apache-2.0", "license: mit")
                .into_bytes()
        } else {
            bytes
        };
        cache_file(&repo, OLD, &name, &old);
    }
    fs::create_dir_all(repo.join("refs")).expect("refs");
    fs::write(repo.join("refs/main"), main).expect("ref");
}

/// An Ollama store with the models the README names, each the tiny GGUF.
fn ollama(dir: &Path) {
    fs::create_dir_all(dir.join("blobs")).expect("blobs");
    let blob = |bytes: &[u8]| {
        let hex = format!("{:x}", Sha256::digest(bytes));
        fs::write(dir.join("blobs").join(format!("sha256-{hex}")), bytes).expect("blob");
        (format!("sha256:{hex}"), bytes.len())
    };
    let gguf = fs::read(fixtures().join("tiny-gguf/tiny-llama.Q8_0.gguf")).expect("gguf");
    let (model, model_len) = blob(&gguf);
    let (config, config_len) = blob(b"{\"model_format\":\"gguf\"}");
    let manifest = json!({
        "schemaVersion": 2,
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "digest": config, "size": config_len},
        "layers": [{"mediaType": "application/vnd.ollama.image.model", "digest": model, "size": model_len}],
    });
    for path in [
        "registry.ollama.ai/library/llama3.2/1b",
        "registry.ollama.ai/me/mymodel/latest",
        "hf.co/org/model/Q4_K_M",
    ] {
        let file = dir.join("manifests").join(path);
        fs::create_dir_all(file.parent().expect("parent")).expect("manifests");
        fs::write(file, serde_json::to_vec(&manifest).expect("json")).expect("manifest");
    }
}

/// A LoRA adapter on the tiny-llama fixture (hidden 32, q 32, kv 16).
fn lora(dir: &Path) {
    fs::create_dir_all(dir).expect("mkdir");
    let config = json!({"peft_type": "LORA", "task_type": "CAUSAL_LM", "r": 4, "lora_alpha": 8,
        "target_modules": ["q_proj", "v_proj"], "base_model_name_or_path": "meta-llama/Llama-3.1-8B"});
    fs::write(dir.join("adapter_config.json"), config.to_string()).expect("config");
    let mut rng = Rng::new(5);
    let mut tensors = Vec::new();
    for layer in 0..2 {
        for (m, out) in [("q_proj", 32u64), ("v_proj", 16)] {
            let p = format!("base_model.model.model.layers.{layer}.self_attn.{m}");
            tensors.push(random_bf16(
                &mut rng,
                &format!("{p}.lora_A.weight"),
                &[4, 32],
                0.1,
            ));
            tensors.push(random_bf16(
                &mut rng,
                &format!("{p}.lora_B.weight"),
                &[out, 4],
                0.1,
            ));
        }
    }
    write_safetensors(&dir.join("adapter_model.safetensors"), &tensors).expect("adapter");
}

/// The folder the README's examples run in, its Hub, and their environment.
struct Sandbox {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    hub: HubServer,
}

fn sandbox() -> Sandbox {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("work");
    let f = fixtures();
    fs::create_dir_all(dir.join("home")).expect("home");
    symlink(&f, dir.join("fixtures")).expect("fixtures link");
    for (name, fixture) in [
        ("Qwen3-4B", "tiny-qwen3"),
        ("Qwen3-0.6B", "tiny-qwen3"),
        ("my-finetune", "tiny-qwen3"),
        ("Llama-3.1-8B", "tiny-llama"),
        ("Llama-3.1-8B-Instruct", "tiny-llama"),
        ("models/qwen3", "tiny-qwen3"),
        ("models/gguf", "tiny-gguf"),
        ("gguf-folder", "tiny-gguf"),
        ("SmolLM2-GGUF", "tiny-gguf"),
    ] {
        copy_dir(&f.join(fixture), &dir.join(name));
    }
    fs::write(
        dir.join("my-finetune/README.md"),
        "---\nlicense: apache-2.0\nbase_model: meta-llama/Llama-3.1-8B\n---\n# my-finetune\n",
    )
    .expect("card");
    fs::copy(
        f.join("tiny-gguf/tiny-llama.Q8_0.gguf"),
        dir.join("SmolLM2-135M-Instruct.Q4_1.gguf"),
    )
    .expect("gguf");
    write_tiny_bert(&dir.join("all-MiniLM-L6-v2")).expect("bert");
    lora(&dir.join("my-lora"));
    // References for `mri verify`: a manifest and a clone without LFS.
    let weights = fs::read(dir.join("Qwen3-4B/model.safetensors")).expect("weights");
    let sha = format!("{:x}", Sha256::digest(&weights));
    fs::write(
        dir.join("SHA256SUMS"),
        format!("{sha}  model.safetensors\n"),
    )
    .expect("manifest");
    fs::create_dir_all(dir.join("clone-without-lfs")).expect("clone");
    fs::write(
        dir.join("clone-without-lfs/model.safetensors"),
        format!(
            "version https://git-lfs.github.com/spec/v1\noid sha256:{sha}\nsize {}\n",
            weights.len()
        ),
    )
    .expect("pointer");
    // The signer's key pair of the signature examples.
    let keys = signature_common::write_p256(&dir, "signer", 7);
    fs::rename(&keys.pkcs8, dir.join("signer.key")).expect("key");
    cache(&dir.join("hub"));
    ollama(&dir.join("ollama"));
    let mut gated = RepoSpec::new("google/gemma-3-27b-it", &f.join("tiny-qwen3"));
    gated.gated_token = Some(TOKEN.to_string());
    let hub = HubServer::start(vec![
        RepoSpec::new("Qwen/Qwen3-0.6B", &f.join("tiny-qwen3")),
        RepoSpec::new("Qwen/Qwen3-4B", &f.join("tiny-qwen3")),
        RepoSpec::new("meta-llama/Llama-3.1-405B", &f.join("tiny-llama-sharded")),
        RepoSpec::new("org/a", &f.join("tiny-qwen3")),
        RepoSpec::new("org/b", &f.join("tiny-qwen3")),
        gated,
    ])
    .expect("hub server");
    Sandbox {
        _tmp: tmp,
        dir,
        hub,
    }
}

impl Sandbox {
    /// `bash -o pipefail -c LINE` in the sandbox, `mri` on the PATH.
    fn run(&self, line: &str) -> bounded::Ended {
        let bin = Path::new(env!("CARGO_BIN_EXE_mri"))
            .parent()
            .expect("bin dir");
        let path = format!(
            "{}:{}",
            bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut cmd = Command::new("bash");
        cmd.args(["-o", "pipefail", "-c", line])
            .current_dir(&self.dir)
            .env("PATH", path)
            .env("HOME", self.dir.join("home"))
            .env("HF_HUB_CACHE", self.dir.join("hub"))
            .env("OLLAMA_MODELS", self.dir.join("ollama"))
            .env("HF_ENDPOINT", &self.hub.url)
            .env("HF_TOKEN", TOKEN)
            .env("NO_COLOR", "1");
        for var in [
            "HF_HOME",
            "HF_HUB_OFFLINE",
            "HF_TOKEN_PATH",
            "XDG_CACHE_HOME",
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "ALL_PROXY",
            "http_proxy",
            "https_proxy",
            "all_proxy",
            "SOURCE_DATE_EPOCH",
            "MRI_SMOKE_MEMORY_LIMIT",
        ] {
            cmd.env_remove(var);
        }
        bounded::run(cmd, Duration::from_secs(120))
    }
}

#[test]
fn every_mri_line_of_the_readme_runs_and_exits_as_it_says() {
    let text = readme();
    let all = examples(&text);
    assert!(all.len() > 60, "only {} mri lines found", all.len());
    let sandbox = sandbox();
    let mut failures = Vec::new();
    for ex in all.iter().filter(|e| e.skip.is_none()) {
        let ended = sandbox.run(&ex.command);
        if ended.code != Some(ex.expected) {
            failures.push(format!(
                "README.md:{}: `{}` exited {:?} (signal {:?}), expected {}\n{}",
                ex.line,
                ex.command,
                ended.code,
                ended.signal,
                ex.expected,
                ended.stderr.lines().take(6).collect::<Vec<_>>().join("\n")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    // The Hub's files went into the sandbox's cache, never anywhere else.
    assert!(sandbox.dir.join("hub/models--Qwen--Qwen3-0.6B").is_dir());
}

#[test]
fn the_skipped_lines_are_few_and_each_says_why() {
    let all = examples(&readme());
    let skipped: Vec<&Example> = all.iter().filter(|e| e.skip.is_some()).collect();
    assert!(
        skipped.len() <= MAX_SKIPPED,
        "{} README lines skipped; at most {MAX_SKIPPED}",
        skipped.len()
    );
    for e in skipped {
        let reason = e.skip.as_deref().unwrap_or_default();
        assert!(
            reason.len() >= 8,
            "README.md:{}: a skip needs its reason",
            e.line
        );
    }
}

#[test]
fn the_line_conventions_read_as_meant() {
    assert_eq!(expected_exit("# refuses it (exit 1)"), 1);
    assert_eq!(expected_exit("# needs a build (exit 2 without one)"), 2);
    assert_eq!(expected_exit("# exit 0 pass, 1 violation"), 0);
    assert!(runs_mri("SOURCE_DATE_EPOCH=1 mri inspect ."));
    assert!(runs_mri("mri"));
    assert!(!runs_mri("cargo test"));
    assert!(!runs_mri("kubectl logs mri"));
    let ex = examples("```sh\nmri a   # x (exit 1)\ncargo b\n```\n<!-- readme-test: skip needs a GPU -->\n```sh\nmri c\n```\n");
    let got: Vec<(usize, &str, i32, bool)> = ex
        .iter()
        .map(|e| (e.line, e.command.as_str(), e.expected, e.skip.is_some()))
        .collect();
    assert_eq!(got, [(2, "mri a", 1, false), (7, "mri c", 0, true)]);
}

#[test]
fn ci_runs_exactly_the_readme_test_command() {
    let text = readme();
    let two = section(&text, "## Two commands");
    let sh: Vec<Block> = blocks(two).into_iter().filter(|b| b.lang == "sh").collect();
    assert_eq!(sh.len(), 2, "Two commands: two sh blocks");
    assert_eq!(sh[0].lines.len(), 1);
    assert_eq!(sh[1].lines.len(), 1);
    let test_command = sh[1].lines[0].trim();
    assert!(test_command.starts_with("cargo test"), "{test_command}");
    let ci =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/run")).expect(".ci/run");
    let runs: Vec<&str> = ci
        .lines()
        .map(str::trim)
        .filter(|l| l.starts_with("cargo test"))
        .collect();
    assert_eq!(runs, [test_command], ".ci/run must run `{test_command}`");
    let install = section(&text, "## Install");
    for needed in [
        "1.89",
        "C compiler",
        "crates.io",
        "cargo install --locked --path .",
    ] {
        assert!(install.contains(needed), "Install does not say {needed}");
    }
    let rust_version = fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
        .expect("Cargo.toml");
    assert!(rust_version.contains("rust-version = \"1.89\""));
}

/// `mri COMMAND --help` for a row of the command table.
fn help_of(command_cell: &str) -> (Vec<String>, String) {
    let words: Vec<String> = command_cell
        .trim_matches('`')
        .split_whitespace()
        .skip(1)
        .take_while(|w| w.chars().all(|c| c.is_ascii_lowercase()))
        .map(str::to_string)
        .collect();
    let mut args = words.clone();
    args.push("--help".into());
    let out = support::mri(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert!(out.status.success(), "mri {args:?}");
    (words, String::from_utf8_lossy(&out.stdout).into_owned())
}

/// True when `help` lists `flag` as an option (not as the start of a longer one).
fn takes_flag(help: &str, flag: &str) -> bool {
    help.match_indices(flag).any(|(at, _)| {
        let before = help[..at].chars().next_back();
        let after = help[at + flag.len()..].chars().next();
        matches!(before, Some(' ')) && !after.is_some_and(|c| c.is_alphanumeric() || c == '-')
    })
}

/// The exit codes a help text lists under "Exit codes:".
fn help_exit_codes(help: &str) -> BTreeSet<u32> {
    let Some(at) = help.find("Exit codes:") else {
        return BTreeSet::new();
    };
    help[at..]
        .lines()
        .skip(1)
        .filter_map(|l| {
            let t = l.trim_start();
            (l.starts_with("  ") && !l.starts_with("     "))
                .then(|| t.chars().next().and_then(|c| c.to_digit(10)))
                .flatten()
        })
        .collect()
}

#[test]
fn the_command_table_agrees_with_help() {
    let text = readme();
    let commands = section(&text, "## Commands");
    let rows: Vec<Vec<String>> = commands
        .lines()
        .filter(|l| l.starts_with("| `mri"))
        .map(|l| {
            let cells: Vec<String> = l
                .replace("\\|", "\u{1}")
                .split('|')
                .map(|c| c.trim().replace('\u{1}', "|"))
                .collect();
            // the text before the first `|` and after the last
            cells[1..cells.len().saturating_sub(1)].to_vec()
        })
        .collect();
    assert!(rows.len() >= 15, "{} rows", rows.len());
    let mut named = BTreeSet::new();
    for row in &rows {
        assert_eq!(row.len(), 4, "{row:?}");
        let (words, help) = help_of(&row[0]);
        named.insert(words.first().cloned().unwrap_or_default());
        // every flag the row names is one the command takes
        for flag in row[2].split('`').skip(1).step_by(2) {
            let flag = flag.split_whitespace().next().unwrap_or_default();
            assert!(
                takes_flag(&help, flag),
                "`{}`: {flag} is not in `mri {} --help`",
                row[0],
                words.join(" ")
            );
        }
        // the exit codes are those --help lists
        let readme_codes: BTreeSet<u32> = row[3]
            .split('·')
            .filter_map(|p| p.trim().chars().next().and_then(|c| c.to_digit(10)))
            .collect();
        assert_eq!(
            readme_codes,
            help_exit_codes(&help),
            "exit codes of `{}` against `mri {} --help`",
            row[0],
            words.join(" ")
        );
    }
    // every command of `mri --help` has a row
    let top = support::mri(&["--help"]);
    let top = String::from_utf8_lossy(&top.stdout).into_owned();
    let listed = &top
        [top.find("Commands:").expect("Commands:")..top.find("Arguments:").expect("Arguments:")];
    for line in listed.lines().skip(1) {
        let Some(cmd) = line
            .strip_prefix("  ")
            .and_then(|l| l.split_whitespace().next())
        else {
            continue;
        };
        if line.starts_with("   ") || cmd == "help" {
            continue;
        }
        assert!(
            named.contains(cmd),
            "`mri {cmd}` has no row in the README's command table"
        );
    }
}

#[test]
fn the_browser_section_names_every_view_and_key() {
    let text = readme();
    let browse = section(&text, "## Browse it in the terminal");
    // the views, numbered as the browser numbers them (an adapter has them all)
    let tmp = tempfile::tempdir().expect("tempdir");
    lora(&tmp.path().join("lora"));
    let options = mri::InspectOptions {
        base: Some(fixtures().join("tiny-llama").display().to_string()),
        ..Default::default()
    };
    let report = mri::inspect(&tmp.path().join("lora").display().to_string(), &options)
        .expect("adapter report");
    let titles: Vec<&str> = mri::tui::views::all(&report)
        .iter()
        .map(|v| v.title())
        .collect();
    let listed: Vec<String> = browse
        .lines()
        .filter_map(|l| {
            let (n, rest) = l.split_once(". **")?;
            n.parse::<usize>().ok()?;
            Some(rest.split("**").next()?.to_string())
        })
        .collect();
    assert_eq!(listed, titles, "the README's numbered views");
    let tui_help = help_of("`mri tui`").1;
    for t in &titles {
        assert!(tui_help.contains(t), "`mri tui --help` does not name {t}");
    }
    // every key of the browser's table is in the README's key table
    let table: String = browse
        .lines()
        .filter(|l| l.starts_with("| `"))
        .collect::<Vec<_>>()
        .join("\n");
    for b in mri::tui::keys::BINDINGS {
        for k in b.keys {
            let label = k.label();
            let digit = label.len() == 1 && label.chars().all(|c| c.is_ascii_digit());
            assert!(
                digit || table.contains(&format!("`{label}`")),
                "the README's key table lacks `{label}` ({})",
                b.help
            );
        }
    }
    assert!(table.contains(&format!("`1`–`{}`", mri::tui::keys::MAX_NUMBERED_VIEWS)));
}

/// No count of things the code holds (licenses, views, formats) is written
/// in prose: they change, and a test would have to read them.
#[test]
fn counts_the_code_holds_are_not_written_in_prose() {
    let text = readme();
    let numbers = [
        "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    ];
    let nouns = [
        "views",
        "formats",
        "licenses",
        "model licenses",
        "licences",
        "training sets",
        "datasets in",
    ];
    let words: Vec<String> = text
        .split(|c: char| c.is_whitespace())
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .collect();
    for (i, w) in words.iter().enumerate() {
        let is_count = w.parse::<u64>().is_ok() || numbers.contains(&w.as_str());
        if !is_count {
            continue;
        }
        let next = words.get(i + 1).cloned().unwrap_or_default();
        let next2 = format!("{next} {}", words.get(i + 2).cloned().unwrap_or_default());
        assert!(
            !nouns.contains(&next.as_str()) && !nouns.contains(&next2.as_str()),
            "the README counts `{w} {next2}`: write it without the number or test it"
        );
    }
}

fn yaml_blocks() -> Vec<serde_norway::Value> {
    blocks(&readme())
        .into_iter()
        .filter(|b| b.lang == "yaml")
        .map(|b| {
            serde_norway::from_str(&b.lines.join("\n"))
                .unwrap_or_else(|e| panic!("README.md:{}: not YAML: {e}", b.line))
        })
        .collect()
}

fn string_at<'a>(v: &'a serde_norway::Value, key: &str) -> &'a str {
    v.get(key).and_then(|s| s.as_str()).unwrap_or_default()
}

#[test]
fn the_github_actions_workflows_are_complete() {
    let docs = yaml_blocks();
    assert!(docs.len() >= 3, "{} yaml blocks", docs.len());
    let workflows: Vec<&serde_norway::Value> =
        docs.iter().filter(|d| d.get("jobs").is_some()).collect();
    assert!(!workflows.is_empty());
    for w in &workflows {
        assert!(w.get("name").is_some(), "a workflow without a name");
        assert!(w.get("on").is_some(), "a workflow without a trigger: {w:?}");
    }
    let gate = workflows
        .iter()
        .find(|w| string_at(w, "name") == "model-gate")
        .expect("the model-gate workflow");
    let steps = gate["jobs"]["model-gate"]["steps"]
        .as_sequence()
        .expect("steps");
    let uses = |prefix: &str| {
        steps
            .iter()
            .find(|s| string_at(s, "uses").starts_with(prefix))
            .unwrap_or_else(|| panic!("no step uses {prefix}"))
    };
    // a cached install
    let cache = uses("actions/cache@");
    let cache_id = string_at(cache, "id");
    let install = steps
        .iter()
        .find(|s| string_at(s, "run").starts_with("cargo install --locked"))
        .expect("an install step");
    assert!(
        string_at(install, "if").contains(&format!("steps.{cache_id}.outputs.cache-hit")),
        "the install runs only on a cache miss"
    );
    assert!(string_at(&cache["with"], "path").ends_with("/mri"));
    // the SARIF file mri writes is the one uploaded, and only when it exists
    let check = steps
        .iter()
        .find(|s| string_at(s, "run").starts_with("mri check"))
        .expect("an mri check step");
    let run: Vec<&str> = string_at(check, "run").split_whitespace().collect();
    let output = run
        .iter()
        .position(|w| *w == "--output")
        .and_then(|i| run.get(i + 1))
        .expect("--output");
    assert!(run.windows(2).any(|w| w == ["--format", "sarif"]));
    let upload = uses("github/codeql-action/upload-sarif@");
    assert_eq!(string_at(&upload["with"], "sarif_file"), *output);
    let guard = string_at(upload, "if");
    assert!(
        guard.contains(&format!("hashFiles('{output}') != ''")) && guard.contains("always()"),
        "the upload is guarded by the file's existence: {guard}"
    );
    let permissions = &gate["permissions"];
    assert_eq!(string_at(permissions, "security-events"), "write");
}

/// What `--help` says each `--format json` prints is what it prints.
#[test]
fn json_formats_are_what_help_says() {
    let model = fixtures().join("tiny-llama");
    let model = model.to_str().expect("utf-8 path");
    for (args, help_args, shape) in [
        (
            vec!["licenses", "list", "--format", "json"],
            vec!["licenses", "list", "--help"],
            "array",
        ),
        (
            vec!["verify", model, "--format", "json", "-q"],
            vec!["verify", "--help"],
            "object",
        ),
    ] {
        let out = support::mri(&args);
        let value: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("mri {args:?}: not JSON: {e}"));
        assert_eq!(
            if value.is_array() { "array" } else { "object" },
            shape,
            "mri {args:?}"
        );
        let help = String::from_utf8_lossy(&support::mri(&help_args).stdout).into_owned();
        let line = help
            .lines()
            .find(|l| l.trim_start().starts_with("- json:"))
            .unwrap_or_default();
        assert!(line.contains(shape), "mri {help_args:?}: {line}");
    }
}
