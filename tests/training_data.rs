//! Training data: the datasets a model declares (card `datasets:`, GGUF
//! `general.dataset.*`, the base's card), their terms from a cached dataset
//! card or the dataset knowledge base, the `data/*` findings at the card
//! lines, and `mri check`'s `[data]` section. Fixtures are written here.

mod support;

use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;
use support::fixture_gen::gguf_gen::{gguf_bytes, tiny_gguf_spec, Meta};
use support::{copy_fixture, findings};

/// A card naming a research-only set (MS MARCO), a non-commercial one
/// (WikiHow), a share-alike one by its org id, a permissive one without an
/// org, a config, and a set no one knows.
const CARD: &str = "---\nlicense: apache-2.0\ndatasets:\n- ms_marco\n- wikihow\n- rajpurkar/squad_v2\n- squad\n- allenai/c4:en\n- acme/private-set\n---\n# A model\n";

/// Runs `mri` with the Hugging Face cache at `hub` (empty unless a test fills it).
fn mri_with_cache(args: &[&str], hub: &Path) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_mri"))
        .args(args)
        .env("HF_HUB_CACHE", hub)
        .env_remove("HF_HOME")
        .env("HF_HUB_OFFLINE", "1")
        .env("NO_COLOR", "1")
        .output()
        .expect("run mri")
}

fn inspect(model: &Path, hub: &Path) -> Value {
    let out = mri_with_cache(
        &["inspect", model.to_str().unwrap(), "--format", "json"],
        hub,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The tiny model with `card` as its README.md; (guard, model dir, empty cache dir).
fn model_with_card(card: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let (tmp, dir) = copy_fixture("tiny-llama");
    fs::write(dir.join("README.md"), card).unwrap();
    let hub = tmp.path().join("hub");
    fs::create_dir_all(&hub).unwrap();
    (tmp, dir, hub)
}

fn dataset<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["training_data"]["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in {}", report["training_data"]))
}

#[test]
fn each_declared_dataset_has_its_terms_verdict_and_card_line() {
    let (_tmp, dir, hub) = model_with_card(CARD);
    let r = inspect(&dir, &hub);
    let td = &r["training_data"];
    assert_eq!(td["verdict"], "research-only", "the strictest: {td}");
    assert_eq!(td["datasets"].as_array().unwrap().len(), 6);
    let row = |id: &str| {
        let d = dataset(&r, id);
        (
            d["verdict"].as_str().unwrap().to_string(),
            d["terms_source"].as_str().unwrap().to_string(),
            d["line"].as_u64().unwrap(),
        )
    };
    assert_eq!(
        row("ms_marco"),
        ("research-only".into(), "knowledge-base".into(), 4)
    );
    assert_eq!(
        row("wikihow"),
        ("non-commercial".into(), "knowledge-base".into(), 5)
    );
    assert_eq!(
        row("rajpurkar/squad_v2"),
        (
            "permitted-with-conditions".into(),
            "knowledge-base".into(),
            6
        )
    );
    assert_eq!(
        row("squad"),
        ("permitted".into(), "knowledge-base".into(), 7)
    );
    assert_eq!(
        row("acme/private-set"),
        ("unknown".into(), "unknown".into(), 9)
    );
    let c4 = dataset(&r, "allenai/c4");
    assert_eq!(
        (c4["config"].as_str(), c4["license"].as_str()),
        (Some("en"), Some("ODC-By-1.0"))
    );
    assert_eq!(dataset(&r, "rajpurkar/squad_v2")["share_alike"], true);
    assert!(dataset(&r, "ms_marco")["terms_ref"]
        .as_str()
        .unwrap()
        .starts_with("https://github.com/microsoft/"));

    // findings at the card lines, by kind
    let at = |code: &str| -> Vec<u64> {
        findings(&r, code)
            .iter()
            .map(|f| {
                assert_eq!(f["file"], "README.md");
                f["line"].as_u64().unwrap()
            })
            .collect()
    };
    assert_eq!(at("data/research-only"), [4]);
    assert_eq!(at("data/non-commercial"), [5]);
    assert_eq!(at("data/share-alike"), [5, 6], "CC BY-NC-SA and CC BY-SA");
    assert_eq!(at("data/unknown-license"), [9]);
    assert!(findings(&r, "data/no-datasets-declared").is_empty());

    // the model's own verdict is its license's, whatever its data
    assert_eq!(r["license"]["verdict"], "permitted");
}

#[test]
fn a_model_without_datasets_says_so_and_its_verdict_is_unchanged() {
    let (_tmp, dir, hub) = model_with_card("---\nlicense: apache-2.0\n---\n# A model\n");
    let r = inspect(&dir, &hub);
    assert_eq!(r["training_data"]["verdict"], "unknown");
    assert_eq!(r["training_data"]["datasets"].as_array().unwrap().len(), 0);
    let f = findings(&r, "data/no-datasets-declared");
    assert_eq!(f.len(), 1);
    assert_eq!(f[0]["severity"], "info");
    assert_eq!(r["license"]["verdict"], "permitted");
}

/// Writes `datasets--ORG--NAME` into the cache with `card` (and a LICENSE when given).
fn cache_dataset(hub: &Path, id: &str, card: &str, license: Option<&str>) {
    let folder = hub.join(format!("datasets--{}", id.replace('/', "--")));
    let snap = folder.join("snapshots").join("0123abcd");
    fs::create_dir_all(&snap).unwrap();
    fs::create_dir_all(folder.join("refs")).unwrap();
    fs::write(folder.join("refs").join("main"), "0123abcd").unwrap();
    fs::write(snap.join("README.md"), card).unwrap();
    if let Some(text) = license {
        fs::write(snap.join("LICENSE"), text).unwrap();
    }
}

#[test]
fn a_cached_dataset_card_overrides_the_knowledge_base() {
    let (_tmp, dir, hub) = model_with_card(CARD);
    // The cache holds SQuAD under its org id with a stricter license than
    // the knowledge base's; the model card names it without the org.
    cache_dataset(
        &hub,
        "rajpurkar/squad",
        "---\nlicense: cc-by-nc-4.0\n---\n# SQuAD\n",
        None,
    );
    // A set the knowledge base does not know, with its own card.
    cache_dataset(
        &hub,
        "acme/private-set",
        "---\nlicense: mit\n---\n# Private\n",
        None,
    );
    let r = inspect(&dir, &hub);
    let squad = dataset(&r, "squad");
    assert_eq!(squad["verdict"], "non-commercial");
    assert_eq!(squad["terms_source"], "dataset-card");
    assert_eq!(
        squad["terms_ref"],
        "datasets--rajpurkar--squad/snapshots/0123abcd/README.md"
    );
    let private = dataset(&r, "acme/private-set");
    assert_eq!(
        (private["verdict"].as_str(), private["license"].as_str()),
        (Some("permitted"), Some("MIT"))
    );
    assert!(findings(&r, "data/unknown-license").is_empty());
    assert_eq!(findings(&r, "data/non-commercial").len(), 2);
    // a cached card without a license leaves the knowledge base's terms
    cache_dataset(&hub, "ms_marco", "# MS MARCO, no front matter\n", None);
    let r = inspect(&dir, &hub);
    assert_eq!(dataset(&r, "ms_marco")["terms_source"], "knowledge-base");
}

#[test]
fn a_gguf_file_declares_its_datasets_in_general_dataset_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = tmp.path().join("hub");
    fs::create_dir_all(&hub).unwrap();
    let mut spec = tiny_gguf_spec();
    for (k, v) in [
        ("general.dataset.count", Meta::U32(3)),
        (
            "general.dataset.0.repo_url",
            Meta::Str("https://huggingface.co/datasets/tatsu-lab/alpaca".into()),
        ),
        ("general.dataset.1.name", Meta::Str("squad".into())),
        ("general.dataset.2.organization", Meta::Str("Acme".into())),
        ("general.dataset.2.name", Meta::Str("Secret Set".into())),
    ] {
        spec.metadata.push((k.to_string(), v));
    }
    let file = tmp.path().join("model.gguf");
    fs::write(&file, gguf_bytes(&spec)).unwrap();
    let r = inspect(&file, &hub);
    let list = r["training_data"]["datasets"].as_array().unwrap();
    let ids: Vec<&str> = list.iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["tatsu-lab/alpaca", "squad", "Acme/Secret-Set"]);
    let alpaca = dataset(&r, "tatsu-lab/alpaca");
    assert_eq!(alpaca["verdict"], "non-commercial");
    assert_eq!(alpaca["via"], "gguf");
    assert_eq!(alpaca["key"], "general.dataset.0.repo_url");
    assert_eq!(alpaca["file"], "model.gguf");
    assert_eq!(r["training_data"]["verdict"], "non-commercial");
    let nc = findings(&r, "data/non-commercial");
    assert_eq!(nc.len(), 1);
    assert_eq!(nc[0]["file"], "model.gguf");
}

/// The GGUF specification's array form, `general.datasets: string[]`
/// (links or references), beside the keyed form in the same file.
#[test]
fn a_gguf_file_declares_its_datasets_in_the_general_datasets_array() {
    let tmp = tempfile::tempdir().unwrap();
    let hub = tmp.path().join("hub");
    fs::create_dir_all(&hub).unwrap();
    let mut spec = tiny_gguf_spec();
    spec.metadata.push((
        "general.datasets".to_string(),
        Meta::StrArray(vec![
            "https://huggingface.co/datasets/Samsung/samsum".into(),
            "wikihow".into(),
            "".into(),
            "squad".into(),
        ]),
    ));
    spec.metadata
        .push(("general.dataset.count".to_string(), Meta::U32(1)));
    spec.metadata.push((
        "general.dataset.0.name".to_string(),
        Meta::Str("squad".into()),
    ));
    let file = tmp.path().join("model.gguf");
    fs::write(&file, gguf_bytes(&spec)).unwrap();
    let r = inspect(&file, &hub);
    let list = r["training_data"]["datasets"].as_array().unwrap();
    let ids: Vec<&str> = list.iter().map(|d| d["id"].as_str().unwrap()).collect();
    // the keyed form first, then the array; each dataset once, empty entries skipped
    assert_eq!(ids, ["squad", "Samsung/samsum", "wikihow"]);
    let samsum = dataset(&r, "Samsung/samsum");
    assert_eq!(samsum["key"], "general.datasets[0]");
    assert_eq!(samsum["via"], "gguf");
    assert_eq!(samsum["verdict"], "non-commercial");
    assert_eq!(dataset(&r, "wikihow")["key"], "general.datasets[1]");
    assert_eq!(dataset(&r, "squad")["key"], "general.dataset.0.name");
    assert_eq!(r["training_data"]["verdict"], "non-commercial");
}

#[test]
fn the_base_models_datasets_are_listed_with_base_as_their_source() {
    let (tmp, dir, hub) = model_with_card("---\nlicense: apache-2.0\ndatasets: [squad]\n---\n");
    let base = tmp.path().join("base");
    support::copy_dir(&support::fixtures().join("tiny-llama"), &base);
    fs::write(
        base.join("README.md"),
        "---\nlicense: apache-2.0\ndatasets:\n- wikihow\n---\n",
    )
    .unwrap();
    let out = mri_with_cache(
        &[
            "inspect",
            dir.to_str().unwrap(),
            "--base",
            base.to_str().unwrap(),
            "--format",
            "json",
        ],
        &hub,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let wikihow = dataset(&r, "wikihow");
    assert_eq!(wikihow["via"], "base");
    assert!(wikihow["file"]
        .as_str()
        .unwrap()
        .ends_with("base: README.md"));
    assert_eq!(r["training_data"]["verdict"], "non-commercial");
    // the base's finding names the base, not a file of this model
    let nc = findings(&r, "data/non-commercial");
    assert_eq!(nc.len(), 1);
    assert!(nc[0]["file"].is_null());
    assert!(nc[0]["message"].as_str().unwrap().contains("base model"));
}

#[test]
fn text_markdown_and_license_reports_show_the_training_data_beside_the_verdict() {
    let (_tmp, dir, hub) = model_with_card(CARD);
    let d = dir.to_str().unwrap();
    let text = String::from_utf8(mri_with_cache(&["inspect", d], &hub).stdout).unwrap();
    assert!(
        text.contains("training data       research-only  (6 datasets"),
        "{text}"
    );
    assert!(text.contains("Training data (6)"), "{text}");
    let md =
        String::from_utf8(mri_with_cache(&["inspect", d, "--format", "markdown"], &hub).stdout)
            .unwrap();
    assert!(
        md.contains("| Training data verdict | research-only"),
        "{md}"
    );
    assert!(
        md.contains("| ms_marco | ms-marco-terms | research-only |"),
        "{md}"
    );
    let lic = String::from_utf8(mri_with_cache(&["license", d], &hub).stdout).unwrap();
    assert!(lic.contains("Training data (6)"), "{lic}");
    assert!(lic.contains("data/research-only"), "{lic}");
}

fn check(model: &Path, hub: &Path, policy: Option<&str>) -> (i32, String) {
    let mut args = vec!["check".to_string(), model.to_str().unwrap().to_string()];
    let dir = tempfile::tempdir().unwrap();
    if let Some(text) = policy {
        let p = dir.path().join("mri.toml");
        fs::write(&p, text).unwrap();
        args.push("--policy".into());
        args.push(p.to_str().unwrap().into());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = mri_with_cache(&args, hub);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

const DATA_POLICY: &str =
    "[data]\nallow-verdicts = [\"permitted\", \"permitted-with-conditions\"]\n";

#[test]
fn a_policy_fails_on_non_commercial_data_only_when_it_says_so() {
    let (_tmp, dir, hub) =
        model_with_card("---\nlicense: apache-2.0\ndatasets:\n- squad\n- tatsu-lab/alpaca\n---\n");
    // the default policy reports training data, never judges it
    let (code, out) = check(&dir, &hub, None);
    assert_eq!(code, 0, "{out}");
    // [data] allow-verdicts: the non-commercial set fails, at its card line
    let (code, out) = check(&dir, &hub, Some(DATA_POLICY));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("data/verdict  README.md:5"), "{out}");
    assert!(out.contains("tatsu-lab/alpaca"), "{out}");
    // an exception for that dataset, with its reason, lets it through
    let waived = format!("{DATA_POLICY}\n[[data.exceptions]]\ndataset = \"tatsu-lab/alpaca\"\nreason = \"research prototype, LEGAL-7\"\n");
    let (code, out) = check(&dir, &hub, Some(&waived));
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("waived: research prototype, LEGAL-7"), "{out}");
    // deny names a dataset by any of its ids
    let (code, out) = check(&dir, &hub, Some("[data]\ndeny = [\"rajpurkar/squad\"]\n"));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("data/deny"), "{out}");
}

#[test]
fn policy_mistakes_in_the_data_section_are_reported_at_their_line() {
    let (_tmp, dir, hub) = model_with_card(CARD);
    let (code, _) = check(
        &dir,
        &hub,
        Some("[data]\nallow-verdicts = [\"permited\"]\nfoo = 1\n[[data.exceptions]]\ndataset = \"x\"\n"),
    );
    assert_eq!(code, 2);
    let p = tempfile::tempdir().unwrap();
    let path = p.path().join("mri.toml");
    fs::write(
        &path,
        "[data]\nallow-verdicts = [\"permited\"]\nfoo = 1\n[[data.exceptions]]\ndataset = \"x\"\n",
    )
    .unwrap();
    let out = mri_with_cache(
        &[
            "check",
            dir.to_str().unwrap(),
            "--policy",
            path.to_str().unwrap(),
        ],
        &hub,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(":2:") && err.contains("unknown verdict `permited`"),
        "{err}"
    );
    assert!(
        err.contains(":3:") && err.contains("unknown key `foo` in [data]"),
        "{err}"
    );
    assert!(
        err.contains(":4:") && err.contains("needs `reason`"),
        "{err}"
    );
}

/// The real all-MiniLM-L6-v2 card (Apache-2.0) lists 21 training sets, among
/// them MS MARCO (research only) and WikiHow (CC BY-NC-SA): the model stays
/// permitted, its training data is research-only. Needs `MRI_MINILM_DIR`
/// (`.ci/run` sets it); without it the test says it was skipped.
#[test]
fn all_minilm_l6_v2_declares_ms_marco_and_wikihow() {
    use std::io::Write;
    let Some(dir) = std::env::var_os("MRI_MINILM_DIR").map(PathBuf::from) else {
        let _ = writeln!(
            std::io::stderr(),
            "all_minilm_l6_v2_declares_ms_marco_and_wikihow: skipped: MRI_MINILM_DIR is not set"
        );
        return;
    };
    let hub = tempfile::tempdir().unwrap();
    let r = inspect(&dir, hub.path());
    assert_eq!(r["license"]["verdict"], "permitted");
    let td = &r["training_data"];
    assert_eq!(td["datasets"].as_array().unwrap().len(), 21);
    assert_eq!(td["verdict"], "research-only");
    assert_eq!(dataset(&r, "ms_marco")["verdict"], "research-only");
    assert_eq!(dataset(&r, "wikihow")["verdict"], "non-commercial");
    assert_eq!(dataset(&r, "snli")["share_alike"], true);
}

/// Runs `mri` against the loopback Hub at `url` with the cache at `cache`.
fn mri_hub(args: &[&str], url: &str, cache: &Path, offline: bool) -> Output {
    let home = cache.parent().unwrap().join("home");
    fs::create_dir_all(&home).unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_mri"));
    cmd.args(args)
        .env_remove("HF_HOME")
        .env_remove("HF_TOKEN")
        .env_remove("HUGGING_FACE_HUB_TOKEN")
        .env_remove("HF_TOKEN_PATH")
        .env_remove("HF_HUB_OFFLINE")
        .env_remove("HTTP_PROXY")
        .env_remove("HTTPS_PROXY")
        .env_remove("ALL_PROXY")
        .env_remove("http_proxy")
        .env_remove("https_proxy")
        .env_remove("all_proxy")
        .env("HOME", &home)
        .env("HF_ENDPOINT", url)
        .env("HF_HUB_CACHE", cache)
        .env("NO_COLOR", "1");
    if offline {
        cmd.env("HF_HUB_OFFLINE", "1");
    }
    cmd.output().expect("run mri")
}

#[test]
fn an_hf_target_reads_its_datasets_cards_from_the_hub_into_the_cache() {
    use support::hub_server::{HubServer, RepoSpec};
    let tmp = tempfile::tempdir().unwrap();
    let model = tmp.path().join("model");
    support::copy_dir(&support::fixtures().join("tiny-llama"), &model);
    fs::write(
        model.join("README.md"),
        "---\nlicense: apache-2.0\ndatasets:\n- acme/open-set\n- acme/missing-set\n- squad\n---\n",
    )
    .unwrap();
    let set = tmp.path().join("open-set");
    fs::create_dir_all(&set).unwrap();
    fs::write(
        set.join("README.md"),
        "---\nlicense: cc-by-sa-4.0\n---\n# Open set\n",
    )
    .unwrap();
    let server = HubServer::start(vec![
        RepoSpec::new("acme/tiny", &model),
        RepoSpec::new("datasets/acme/open-set", &set),
    ])
    .unwrap();
    let cache = tmp.path().join("cache");
    let args = ["inspect", "hf://acme/tiny", "--format", "json"];
    let out = mri_hub(&args, &server.url, &cache, false);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let commit = server.commit("datasets/acme/open-set");
    let open = dataset(&r, "acme/open-set");
    assert_eq!(open["terms_source"], "dataset-card", "{open}");
    assert_eq!(open["verdict"], "permitted-with-conditions");
    assert_eq!(open["share_alike"], true);
    assert_eq!(
        open["terms_ref"],
        format!("datasets--acme--open-set/snapshots/{commit}/README.md")
    );
    // in the cache's own layout, with refs/main
    let folder = cache.join("datasets--acme--open-set");
    assert_eq!(
        fs::read_to_string(folder.join("refs/main")).unwrap(),
        commit
    );
    assert!(
        fs::symlink_metadata(folder.join("snapshots").join(&commit).join("README.md"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    // a set the Hub does not have stays unknown; a known one falls back to the knowledge base
    assert_eq!(dataset(&r, "acme/missing-set")["terms_source"], "unknown");
    assert_eq!(dataset(&r, "squad")["terms_source"], "knowledge-base");

    // offline, the cached card is read again, and nothing is asked of the Hub
    let before = server.requests().len();
    let out = mri_hub(&args, &server.url, &cache, true);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(dataset(&r, "acme/open-set")["terms_source"], "dataset-card");
    assert_eq!(server.requests().len(), before);
    // online again: a card already cached is not fetched a second time
    let out = mri_hub(&args, &server.url, &cache, false);
    assert!(out.status.success());
    let card_requests = server
        .requests()
        .iter()
        .filter(|q| q.target.starts_with("/datasets/acme/open-set/"))
        .count();
    assert_eq!(card_requests, 1);

    // a card the Hub did not have is not asked for again on every run: the
    // failure is recorded in the cache, and retried once it is old
    let asked = |id: &str| {
        server
            .requests()
            .iter()
            .filter(|q| q.target.starts_with(&format!("/datasets/{id}/")))
            .count()
    };
    assert_eq!(asked("acme/missing-set"), 1);
    assert_eq!(asked("squad"), 1);
    let marker = cache.join("datasets--acme--missing-set/.mri-card-unavailable");
    let recorded = fs::read_to_string(&marker).expect("the failure is recorded");
    let when: u64 = recorded.lines().next().unwrap().parse().unwrap();
    assert!(
        recorded.lines().nth(1).unwrap().contains("404"),
        "{recorded}"
    );
    fs::write(&marker, format!("{}\n404\n", when - 7 * 3600)).unwrap();
    let out = mri_hub(&args, &server.url, &cache, false);
    assert!(out.status.success());
    assert_eq!(asked("acme/missing-set"), 2, "an old failure is retried");
    assert_eq!(asked("squad"), 1, "a recent one is not");
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(dataset(&r, "squad")["terms_source"], "knowledge-base");
    assert!(!cache.join("datasets--acme--missing-set/snapshots").exists());
}
