//! Every command under hostile symbolic links in a Hugging Face cache repo:
//! each hostile cache is generated here, then `inspect`, `check`, `license`,
//! `verify` and `smoke` run on it. Each must end in under 10 s with a peak
//! RSS under 1 GB (or with a clear error), `verify` must fail and name what
//! it refused, and no command may write into the tree. The bounds are
//! bounds, not benchmarks: a hang is killed after a generous deadline and
//! fails the test instead of blocking it.

mod support;

use sha1::Digest as _;
use std::fs;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::time::Duration;
use support::fixtures;

const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";
const SHARD: &str = "model.safetensors";
/// Wall time a command may take.
const BOUND: Duration = Duration::from_secs(10);
/// When a command is killed (a hang fails the test rather than blocking it).
const DEADLINE: Duration = Duration::from_secs(60);
/// Peak resident memory a command may reach, in KiB.
const MAX_RSS_KIB: i64 = 1024 * 1024;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The tiny-llama fixture as `hub/models--acme--tiny`, blobs named as the
/// Hub names them (sha256 for the weights, git sha1 for the rest), so that
/// `mri verify` passes on it untouched.
fn cache(hub: &Path) -> (PathBuf, PathBuf) {
    let repo = hub.join("models--acme--tiny");
    let snap = repo.join("snapshots").join(COMMIT);
    fs::create_dir_all(&snap).unwrap();
    fs::create_dir_all(repo.join("blobs")).unwrap();
    fs::create_dir_all(repo.join("refs")).unwrap();
    fs::write(repo.join("refs/main"), COMMIT).unwrap();
    for e in fs::read_dir(fixtures().join("tiny-llama")).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().to_string_lossy().into_owned();
        let bytes = fs::read(e.path()).unwrap();
        let blob = if name.ends_with(".safetensors") {
            hex(&sha2::Sha256::digest(&bytes))
        } else {
            let mut h = sha1::Sha1::new();
            h.update(format!("blob {}\0", bytes.len()).as_bytes());
            h.update(&bytes);
            hex(&h.finalize())
        };
        fs::write(repo.join("blobs").join(&blob), &bytes).unwrap();
        symlink(format!("../../blobs/{blob}"), snap.join(&name)).unwrap();
    }
    (repo, snap)
}

/// Replaces the snapshot's weights link by `target`.
fn relink_shard(snap: &Path, target: impl AsRef<Path>) {
    fs::remove_file(snap.join(SHARD)).unwrap();
    symlink(target, snap.join(SHARD)).unwrap();
}

/// A hostile change to a fresh cache (`root` holds `hub/` and room outside it).
type Make = fn(root: &Path, repo: &Path, snap: &Path);

/// The hostile inputs: (name, how it is made, whether the target is
/// refused at locate).
fn cases() -> Vec<(&'static str, Make, bool)> {
    vec![
        (
            "snapshot folder linked out of the repo",
            |root, _, snap| {
                let outside = root.join("outside");
                support::copy_dir(&fixtures().join("tiny-llama"), &outside);
                fs::remove_dir_all(snap).unwrap();
                symlink(&outside, snap).unwrap();
            },
            true,
        ),
        (
            "weights linked to a file outside the cache",
            |root, _, snap| {
                let outside = root.join("outside.safetensors");
                fs::copy(snap.join(SHARD), &outside).unwrap();
                relink_shard(snap, &outside);
            },
            false,
        ),
        (
            "weights linked into another repo's blobs",
            |root, _, snap| {
                let other = root.join("hub/models--evil--other/blobs");
                fs::create_dir_all(&other).unwrap();
                fs::copy(snap.join(SHARD), other.join("b")).unwrap();
                relink_shard(snap, "../../../models--evil--other/blobs/b");
            },
            false,
        ),
        (
            "weights linked to themselves",
            |_, _, snap| relink_shard(snap, SHARD),
            false,
        ),
        (
            "two links that point at each other",
            |_, _, snap| {
                relink_shard(snap, "other.safetensors");
                symlink(SHARD, snap.join("other.safetensors")).unwrap();
            },
            false,
        ),
        (
            "a folder link back up the repo",
            |_, _, snap| symlink("..", snap.join("up")).unwrap(),
            false,
        ),
        (
            "weights linked to /dev/zero",
            |_, _, snap| relink_shard(snap, "/dev/zero"),
            false,
        ),
        (
            "a folder linked to the filesystem root",
            |_, _, snap| symlink("/", snap.join("root")).unwrap(),
            false,
        ),
        (
            "the blobs folder linked out of the repo",
            |root, repo, _| {
                let outside = root.join("blobs-outside");
                fs::rename(repo.join("blobs"), &outside).unwrap();
                symlink(&outside, repo.join("blobs")).unwrap();
            },
            false,
        ),
    ]
}

/// What running one command gave.
struct Run {
    code: Option<i32>,
    elapsed: Duration,
    max_rss_kib: i64,
    stdout: String,
    stderr: String,
}

/// Runs `mri args` with the cache at `hub`, reaping it with `wait4` for its
/// peak RSS; kills it at [`DEADLINE`]. The child is reaped by `wait4`, not
/// by `Child::wait` (which would give no rusage).
fn run(args: &[&str], hub: &Path) -> Run {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_mri"));
    cmd.args(args)
        .env_remove("HF_HOME")
        .env("HF_HUB_CACHE", hub)
        .env("HF_HUB_OFFLINE", "1")
        .env("NO_COLOR", "1");
    let e = support::bounded::run(cmd, DEADLINE);
    assert!(!e.killed, "mri {args:?} hung: killed after {DEADLINE:?}");
    Run {
        code: e.code,
        elapsed: e.elapsed,
        max_rss_kib: e.max_rss_kib,
        stdout: e.stdout,
        stderr: e.stderr,
    }
}

/// Every entry under `dir` (links not followed): path, kind, link target,
/// size, modification time and a hash of the bytes of regular files.
fn tree_state(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let mut entries: Vec<PathBuf> = fs::read_dir(&d)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            let m = fs::symlink_metadata(&p).unwrap();
            let what = if m.file_type().is_symlink() {
                format!("link {}", fs::read_link(&p).unwrap().display())
            } else if m.is_dir() {
                stack.push(p.clone());
                "dir".to_string()
            } else {
                format!("file {}", hex(&sha2::Sha256::digest(fs::read(&p).unwrap())))
            };
            out.push(format!(
                "{} {what} {} {:?}",
                p.display(),
                m.len(),
                m.modified().ok()
            ));
        }
    }
    out.sort();
    out
}

#[test]
fn every_command_is_bounded_and_read_only_under_hostile_links() {
    let commands: [&[&str]; 5] = [
        &["inspect", "acme/tiny", "--format", "json"],
        &["check", "acme/tiny"],
        &["license", "acme/tiny"],
        &["verify", "acme/tiny", "--format", "json"],
        &["smoke", "acme/tiny"],
    ];
    // The untouched cache first: verify passes on it, so a failure below is
    // the hostile link's.
    let tmp = tempfile::tempdir().unwrap();
    cache(&tmp.path().join("hub"));
    let control = run(&["verify", "acme/tiny"], &tmp.path().join("hub"));
    assert_eq!(
        control.code,
        Some(0),
        "{}{}",
        control.stdout,
        control.stderr
    );

    let mut slowest = (Duration::ZERO, String::new());
    let mut largest = (0i64, String::new());
    for (name, make, refused_at_locate) in cases() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("tree");
        let hub = root.join("hub");
        let (repo, snap) = cache(&hub);
        make(&root, &repo, &snap);
        let before = tree_state(&root);
        for args in commands {
            let r = run(args, &hub);
            let what = format!("{name}: mri {}", args.join(" "));
            let code = r
                .code
                .unwrap_or_else(|| panic!("{what}: killed by a signal"));
            assert!(
                r.elapsed < BOUND,
                "{what}: took {:?} (bound {BOUND:?})",
                r.elapsed
            );
            assert!(
                r.max_rss_kib < MAX_RSS_KIB,
                "{what}: peak RSS {} KiB",
                r.max_rss_kib
            );
            assert!(code <= 2, "{what}: exit {code}\n{}\n{}", r.stdout, r.stderr);
            if code == 2 {
                assert!(
                    r.stderr.starts_with("mri: error:") || r.stderr.contains("error"),
                    "{what}: exit 2 without a clear error: {}",
                    r.stderr
                );
            }
            if refused_at_locate {
                assert_eq!(code, 2, "{what}: {}", r.stderr);
                assert!(
                    r.stderr.contains("leads through a symbolic link to")
                        && r.stderr.contains("not followed"),
                    "{what}: {}",
                    r.stderr
                );
            }
            if args[0] == "verify" {
                assert_ne!(code, 0, "{what}: verify passed\n{}", r.stdout);
                if !refused_at_locate {
                    let v: serde_json::Value = serde_json::from_str(&r.stdout)
                        .unwrap_or_else(|_| panic!("{what}: {}", r.stderr));
                    let refused = v["summary"]["refused_links"].as_u64().unwrap_or(0);
                    assert!(refused >= 1, "{what}: no link named as refused: {v}");
                }
            }
            if r.elapsed > slowest.0 {
                slowest = (r.elapsed, what.clone());
            }
            if r.max_rss_kib > largest.0 {
                largest = (r.max_rss_kib, what);
            }
        }
        assert_eq!(
            before,
            tree_state(&root),
            "{name}: a command changed the tree"
        );
    }
    eprintln!(
        "slowest: {:?} ({}); largest peak RSS: {} KiB ({})",
        slowest.0, slowest.1, largest.0, largest.1
    );
}
