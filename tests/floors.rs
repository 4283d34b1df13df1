//! The house rule of ARCHITECTURE.md, kept: every module of `src/` stands on
//! a floor, and imports only from its own floor or the floors below. A path
//! `crate::X` (or `mri::X` in the binary) that names a module on a higher
//! floor fails this test, naming the file and line.

use std::path::{Path, PathBuf};

/// The floors, lowest first, with the top-level modules on each. The crate
/// root (`lib.rs`: `inspect`, `InspectOptions`) is `crate`; the binary
/// (`main.rs`, `cli.rs`) is `bin`.
const FLOORS: &[&[&str]] = &[
    // ground: what every stage may use
    &["util", "finding"],
    // readers of one kind of text or bytes, and the license knowledge
    &["model", "license", "security", "signature"],
    // where the model is and what is in it
    &["locate", "scan"],
    // facts to Report (and the Hub, which feeds the scan; the library's
    // error, which wraps the locate and Hub errors)
    &["hub", "analyze", "adapter", "report", "error"],
    // the front door
    &["crate"],
    // faces over the Report
    &["smoke", "verify", "gate", "lock", "diff", "fleet", "sign"],
    // the browser (it runs smoke)
    &["tui"],
    // arguments and exit codes
    &["bin"],
];

fn floor_of(module: &str) -> Option<usize> {
    FLOORS.iter().position(|f| f.contains(&module))
}

/// The top-level module a source file belongs to.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap_or(file);
    let first = rel
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .unwrap_or_default();
    match first.trim_end_matches(".rs") {
        "lib" => "crate".into(),
        "main" | "cli" => "bin".into(),
        other => other.into(),
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read src").flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level modules a line of code names through `prefix` (`crate::`
/// or `mri::`), comments left out.
fn named(line: &str, prefix: &str) -> Vec<String> {
    let code = line.split("//").next().unwrap_or("");
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find(prefix) {
        let before = rest[..at].chars().last();
        let after = &rest[at + prefix.len()..];
        let name: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        // the crate root's re-exports stand where they are defined;
        // `crate::inspect`, `crate::InspectOptions` are the crate root
        let module = match name.as_str() {
            "Error" => "error".to_string(),
            "Report" => "report".to_string(),
            "Target" | "HfCache" => "locate".to_string(),
            _ if floor_of(&name).is_none() => "crate".to_string(),
            _ => name,
        };
        if !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            out.push(module);
        }
        rest = after;
    }
    out
}

#[test]
fn every_module_imports_only_from_its_floor_or_below() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut broken = Vec::new();
    for file in &files {
        let module = module_of(&src, file);
        let Some(floor) = floor_of(&module) else {
            broken.push(format!(
                "{}: module `{module}` stands on no floor; add it to FLOORS and ARCHITECTURE.md",
                file.display()
            ));
            continue;
        };
        let prefix = if module == "bin" { "mri::" } else { "crate::" };
        let text = std::fs::read_to_string(file).expect("read a source file");
        for (n, line) in text.lines().enumerate() {
            for dep in named(line, prefix) {
                let dep_floor = floor_of(&dep).unwrap_or(floor);
                if dep_floor > floor {
                    broken.push(format!(
                        "{}:{}: `{module}` (floor {floor}) imports `{dep}` (floor {dep_floor})",
                        file.display(),
                        n + 1
                    ));
                }
            }
        }
    }
    assert!(
        broken.is_empty(),
        "imports that run up the floors:\n{}",
        broken.join("\n")
    );
}

#[test]
fn the_rule_catches_an_import_that_runs_up() {
    assert_eq!(named("use crate::smoke::SmokeRun;", "crate::"), ["smoke"]);
    assert_eq!(named("let r = crate::inspect(x);", "crate::"), ["crate"]);
    assert_eq!(named("-> Result<(), crate::Error>", "crate::"), ["error"]);
    assert!(named("// crate::tui in a comment", "crate::").is_empty());
    assert!(floor_of("smoke") > floor_of("report"));
    assert!(floor_of("finding") < floor_of("scan"));
}
