//! `mri check`: the CI gate end to end, with SARIF validated against the
//! official 2.1.0 schema and JUnit parsed back.

mod support;

use serde_json::Value;
use std::fs;
use std::path::Path;
use std::process::Output;
use support::{copy_fixture, fixtures};

fn check(args: &[&str], cwd: &Path) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_mri"))
        .arg("check")
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("HF_HUB_CACHE")
        .env_remove("HF_HOME")
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn policy(dir: &Path, text: &str) -> String {
    let p = dir.join("mri.toml");
    fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

const COMMERCIAL: &str = "[licenses]\nallow-verdicts = [\"permitted\", \"permitted-with-conditions\"]\n\n[findings]\ndeny = [\"error\"]\n";

/// Asserts that `sarif` validates against the official SARIF 2.1.0 schema.
fn assert_valid_sarif(sarif: &Value) {
    let schema: Value = serde_json::from_str(include_str!("data/sarif-schema-2.1.0.json")).unwrap();
    let validator = jsonschema::draft4::new(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(sarif)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn a_passing_model_exits_0() {
    let tmp = tempfile::tempdir().unwrap();
    let p = policy(tmp.path(), COMMERCIAL);
    let qwen = fixtures().join("tiny-qwen3");
    let out = check(&[qwen.to_str().unwrap(), "--policy", &p], tmp.path());
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("PASS"));
}

#[test]
fn a_non_commercial_license_fails_a_commercial_policy() {
    let (tmp, dir) = copy_fixture("tiny-qwen3");
    fs::write(dir.join("README.md"), "---\nlicense: cc-by-nc-4.0\n---\n").unwrap();
    let p = policy(tmp.path(), COMMERCIAL);
    let out = check(&[dir.to_str().unwrap(), "--policy", &p], tmp.path());
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains("FAIL")
            && text.contains("license/verdict")
            && text.contains("non-commercial"),
        "{text}"
    );
    assert!(
        text.contains("README.md:2") && text.contains("policy line 2"),
        "{text}"
    );
}

#[test]
fn an_obligation_the_organisation_does_not_accept_fails() {
    let tmp = tempfile::tempdir().unwrap();
    let p = policy(tmp.path(), &format!("{COMMERCIAL}\n").replace("[findings]", "accept-obligations = [\"attribution\", \"license-copy\", \"notice-file\", \"acceptable-use-policy\", \"user-threshold\"]\n\n[findings]"));
    let llama = fixtures().join("tiny-llama");
    let out = check(&[llama.to_str().unwrap(), "--policy", &p], tmp.path());
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains("license/obligations") && text.contains("name-prefix"),
        "{text}"
    );
    assert!(
        !text.contains("user-threshold obligation"),
        "accepted kinds must pass: {text}"
    );
}

#[test]
fn a_finding_denied_by_code_fails_and_allow_lets_it_through() {
    let (tmp, dir) = copy_fixture("tiny-qwen3");
    let st = dir.join("model.safetensors");
    let len = fs::metadata(&st).unwrap().len();
    fs::OpenOptions::new()
        .write(true)
        .open(&st)
        .unwrap()
        .set_len(len - 10)
        .unwrap();
    let p = policy(tmp.path(), "[findings]\ndeny = [\"weights/truncated\"]\n");
    let out = check(&[dir.to_str().unwrap(), "--policy", &p], tmp.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("weights/truncated"),
        "{}",
        stdout(&out)
    );
    let p = policy(tmp.path(), "[findings]\ndeny = [\"error\"]\nallow = [\"weights/truncated\", \"weights/header-invalid\"]\n");
    let out = check(&[dir.to_str().unwrap(), "--policy", &p], tmp.path());
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // a severity in `allow` lets that severity and those below it through
    let p = policy(
        tmp.path(),
        "[findings]\ndeny = [\"weights/truncated\"]\nallow = [\"error\"]\n",
    );
    let out = check(&[dir.to_str().unwrap(), "--policy", &p], tmp.path());
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let p = policy(
        tmp.path(),
        "[findings]\ndeny = [\"weights/truncated\"]\nallow = [\"warning\"]\n",
    );
    let out = check(&[dir.to_str().unwrap(), "--policy", &p], tmp.path());
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
}

#[test]
fn an_exception_lets_a_model_through_with_its_reason() {
    let (tmp, dir) = copy_fixture("tiny-qwen3");
    fs::write(dir.join("README.md"), "---\nlicense: cc-by-nc-4.0\n---\n").unwrap();
    let p = policy(
        tmp.path(),
        &format!("{COMMERCIAL}\n[[exceptions]]\nmodel = \"{}\"\nreason = \"research cluster only, approved in LEGAL-42\"\n", dir.display()),
    );
    let out = check(&[dir.to_str().unwrap(), "--policy", &p], tmp.path());
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let text = stdout(&out);
    assert!(
        text.contains("LEGAL-42") && text.contains("waived"),
        "{text}"
    );
}

#[test]
fn a_clarify_whose_hash_no_longer_matches_is_ignored_with_a_warning() {
    let (tmp, dir) = copy_fixture("tiny-qwen3");
    fs::write(dir.join("README.md"), "---\nlicense: other\n---\n").unwrap();
    fs::write(
        dir.join("LICENSE"),
        "You may do what you like with this model, in any way.\n",
    )
    .unwrap();
    let good = sha256_hex(&fs::read(dir.join("LICENSE")).unwrap());
    let clarify = |sha: &str| {
        format!("{COMMERCIAL}\n").replace(
        "[findings]",
        &format!("[[licenses.clarify]]\nfile = \"LICENSE\"\nsha256 = \"{sha}\"\nlicense = \"MIT\"\n\n[findings]"),
    )
    };
    let p = policy(tmp.path(), &clarify(&good));
    let out = check(&[dir.to_str().unwrap(), "--policy", &p], tmp.path());
    assert_eq!(
        out.status.code(),
        Some(0),
        "a matching clarify pins the license: {}",
        stdout(&out)
    );
    let p = policy(tmp.path(), &clarify(&"ab".repeat(32)));
    let out = check(&[dir.to_str().unwrap(), "--policy", &p], tmp.path());
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("ignored: the file changed"),
        "{}",
        stdout(&out)
    );
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn a_broken_policy_exits_2_naming_each_line() {
    let tmp = tempfile::tempdir().unwrap();
    let p = policy(tmp.path(), "[licenses]\nallow-verdicts = [\"permited\"]\nconfidence-threshold = \"high\"\n[findings]\ndeny = [\"weights/nope\"]\n");
    let out = check(
        &[
            fixtures().join("tiny-qwen3").to_str().unwrap(),
            "--policy",
            &p,
        ],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("mri.toml:2:") && err.contains("permited") && err.contains("expected one of"),
        "{err}"
    );
    assert!(
        err.contains("mri.toml:3:") && err.contains("mri.toml:5:"),
        "every problem at once: {err}"
    );
}

#[test]
fn an_unusable_target_exits_2_but_others_are_still_judged() {
    let tmp = tempfile::tempdir().unwrap();
    let out = check(
        &[
            fixtures().join("tiny-qwen3").to_str().unwrap(),
            "/no/such/model",
            "--format",
            "json",
        ],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["models"].as_array().unwrap().len(), 1);
    assert_eq!(json["errors"][0]["input"], "/no/such/model");
    assert_eq!(json["schema_version"], 1);
    assert_eq!(json["models"][0]["report"]["schema_version"], 1);
}

#[test]
fn sarif_validates_against_the_official_schema_and_points_at_files() {
    let tmp = tempfile::tempdir().unwrap();
    // models inside the working directory, as in a CI checkout
    let nc = tmp.path().join("models/nc");
    support::copy_dir(&fixtures().join("tiny-qwen3"), &nc);
    fs::write(nc.join("README.md"), "---\nlicense: cc-by-nc-4.0\n---\n").unwrap();
    let llama = tmp.path().join("models/llama");
    support::copy_dir(&fixtures().join("tiny-llama"), &llama);
    fs::write(
        llama.join("config.json"),
        "{\"model_type\": \"llama\",\n \"hidden_size\": ,}",
    )
    .unwrap();
    let p = policy(
        tmp.path(),
        &COMMERCIAL.replace(
            "[findings]",
            "accept-obligations = [\"attribution\"]\n\n[findings]",
        ),
    );
    let out = check(
        &[
            "models/nc",
            "models/llama",
            "--policy",
            &p,
            "--format",
            "sarif",
            "--output",
            "out.sarif",
        ],
        tmp.path(),
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sarif: Value =
        serde_json::from_str(&fs::read_to_string(tmp.path().join("out.sarif")).unwrap()).unwrap();
    assert_valid_sarif(&sarif);

    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "mri");
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(
        rules.contains(&"license/verdict") && rules.contains(&"config/invalid"),
        "{rules:?}"
    );
    for rule in run["tool"]["driver"]["rules"].as_array().unwrap() {
        assert!(!rule["help"]["text"].as_str().unwrap().is_empty());
        assert!(!rule["shortDescription"]["text"]
            .as_str()
            .unwrap()
            .is_empty());
    }
    let results = run["results"].as_array().unwrap();
    let uri_line = |rule: &str| {
        let r = results
            .iter()
            .find(|r| r["ruleId"] == rule)
            .unwrap_or_else(|| panic!("no {rule} result"));
        let loc = &r["locations"][0]["physicalLocation"];
        (
            loc["artifactLocation"]["uri"].as_str().unwrap().to_string(),
            loc["region"]["startLine"].as_u64().unwrap(),
        )
    };
    assert_eq!(
        uri_line("license/verdict"),
        ("models/nc/README.md".to_string(), 2)
    );
    assert_eq!(
        uri_line("config/invalid"),
        ("models/llama/config.json".to_string(), 2)
    );
    let obligation_uris: Vec<&str> = results
        .iter()
        .filter(|r| r["ruleId"] == "license/obligations")
        .map(|r| {
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert!(
        obligation_uris
            .iter()
            .any(|u| u.starts_with("models/llama/")),
        "{obligation_uris:?}"
    );
    assert!(
        obligation_uris.iter().all(|u| !u.starts_with('/')),
        "{obligation_uris:?}"
    );
}

#[test]
fn junit_has_a_suite_per_model_and_a_case_per_rule() {
    use quick_xml::events::Event;
    let (tmp, dir) = copy_fixture("tiny-qwen3");
    fs::write(dir.join("README.md"), "---\nlicense: cc-by-nc-4.0\n---\n").unwrap();
    let passing = fixtures().join("tiny-qwen3");
    let out = check(
        &[
            dir.to_str().unwrap(),
            passing.to_str().unwrap(),
            "--format",
            "junit",
        ],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    let xml = stdout(&out);
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut suites, mut cases, mut failures) = (Vec::new(), 0, Vec::new());
    let mut current_case = String::new();
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) | Event::Empty(e) => {
                let attr = |name: &str| {
                    e.attributes()
                        .filter_map(|a| a.ok())
                        .find(|a| a.key.as_ref() == name.as_bytes())
                        .map(|a| a.unescape_value().unwrap().into_owned())
                };
                match e.name().as_ref() {
                    b"testsuite" => suites.push((attr("name").unwrap(), attr("failures").unwrap())),
                    b"testcase" => {
                        cases += 1;
                        current_case = attr("name").unwrap();
                    }
                    b"failure" => failures.push((current_case.clone(), attr("message").unwrap())),
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(suites.len(), 2);
    assert_eq!(suites[0].1, "1");
    assert_eq!(suites[1].1, "0");
    assert_eq!(cases, 2 * mri::gate::evaluate::RULES.len());
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].0, "license/verdict");
    assert!(failures[0].1.contains("non-commercial"));
}

#[test]
fn policy_init_writes_a_starter_that_check_accepts() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_mri"))
            .args(args)
            .current_dir(tmp.path())
            .output()
            .unwrap()
    };
    assert!(run(&["policy", "init"]).status.success());
    let text = fs::read_to_string(tmp.path().join("mri.toml")).unwrap();
    assert!(text.contains("allow-verdicts") && text.contains("[[exceptions]]"));
    assert_eq!(
        run(&["policy", "init"]).status.code(),
        Some(2),
        "no overwrite without --force"
    );
    assert!(run(&["policy", "check"]).status.success());
    // ./mri.toml is picked up by default
    let out = run(&["check", fixtures().join("tiny-qwen3").to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("using policy ./mri.toml"));
}

#[test]
fn check_help_documents_the_exit_codes() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mri"))
        .args(["check", "--help"])
        .output()
        .unwrap();
    let help = stdout(&out);
    assert!(
        help.contains("Exit codes") && help.contains("1  a model violates the policy"),
        "{help}"
    );
}

#[test]
fn exception_paths_resolve_from_the_policy_files_folder() {
    let (tmp, dir) = copy_fixture("tiny-qwen3");
    fs::write(dir.join("README.md"), "---\nlicense: cc-by-nc-4.0\n---\n").unwrap();
    let pol_dir = tmp.path().join("pol/sub");
    fs::create_dir_all(&pol_dir).unwrap();
    // From pol/sub/, the model is ../../tiny-qwen3; from the working folder
    // (the model itself) that path names nothing.
    fs::write(
        pol_dir.join("p.toml"),
        format!(
            "{COMMERCIAL}\n[[exceptions]]\nmodel = \"../../tiny-qwen3\"\nreason = \"LEGAL-1\"\n"
        ),
    )
    .unwrap();
    let out = check(&[".", "--policy", "../pol/sub/p.toml"], &dir);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("exception: LEGAL-1"),
        "{}",
        stdout(&out)
    );
    // A path that only makes sense from the working folder does not apply.
    fs::write(
        pol_dir.join("q.toml"),
        format!("{COMMERCIAL}\n[[exceptions]]\nmodel = \".\"\nreason = \"cwd\"\n"),
    )
    .unwrap();
    let out = check(&[".", "--policy", "../pol/sub/q.toml"], &dir);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
}

#[test]
fn the_same_target_twice_is_checked_once() {
    let (tmp, dir) = copy_fixture("tiny-qwen3");
    let d = dir.to_str().unwrap();
    let again = format!("{d}/");
    let out = check(&[d, &again, "--format", "junit"], tmp.path());
    let xml = stdout(&out);
    assert_eq!(xml.matches("<testsuite ").count(), 1, "{xml}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("checked once"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_unusable_target_is_a_notification_in_sarif() {
    let (tmp, _dir) = copy_fixture("tiny-qwen3");
    let out = check(
        &["tiny-qwen3", "no-such-model-here", "--format", "sarif"],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let sarif: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid_sarif(&sarif);
    let invocation = &sarif["runs"][0]["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], false);
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "{invocation}");
    assert_eq!(notes[0]["level"], "error");
    assert!(notes[0]["message"]["text"]
        .as_str()
        .unwrap()
        .starts_with("no-such-model-here: "));
}

#[test]
fn the_output_may_not_be_the_policy_file() {
    let (tmp, _dir) = copy_fixture("tiny-qwen3");
    let p = policy(tmp.path(), COMMERCIAL);
    let out = check(
        &[
            "tiny-qwen3",
            "--policy",
            &p,
            "-o",
            "mri.toml",
            "--format",
            "json",
        ],
        tmp.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is the policy file"));
    assert_eq!(fs::read_to_string(&p).unwrap(), COMMERCIAL);
}

#[test]
fn a_license_denied_by_its_alias_fails() {
    let (tmp, dir) = copy_fixture("tiny-qwen3");
    fs::write(dir.join("README.md"), "---\nlicense: cc-by-nc-4.0\n---\n").unwrap();
    let p = policy(
        tmp.path(),
        "[licenses]\nallow-verdicts = [\"permitted\", \"non-commercial\"]\ndeny = [\"Creative Commons Attribution-NonCommercial 4.0 International\"]\n",
    );
    let out = check(&["tiny-qwen3", "--policy", &p], tmp.path());
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("license/deny"), "{}", stdout(&out));
}
