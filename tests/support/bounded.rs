//! `mri` run as a child under bounds: its exit, the signal that ended it,
//! its peak RSS (reaped with `wait4`, which `Child::wait` cannot do: it drops
//! the rusage) and its time, killed at a deadline so that a hang fails the
//! test instead of blocking the run. Shared by the hostile-input tests.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How a bounded child ended.
pub struct Ended {
    /// Its exit code, when it exited.
    pub code: Option<i32>,
    /// The signal that ended it, when one did.
    pub signal: Option<i32>,
    /// Peak resident set, KiB (`ru_maxrss` on Linux).
    pub max_rss_kib: i64,
    /// Wall time.
    pub elapsed: Duration,
    /// True when it was killed at the deadline.
    pub killed: bool,
    /// What it wrote.
    pub stdout: String,
    /// What it wrote to stderr.
    pub stderr: String,
}

/// Runs `cmd` (its stdin null, its output in files: a pipe could fill and
/// stall it) and reaps it with `wait4`; kills it past `deadline`.
// The child is reaped by `wait4`, which clippy does not see.
#[allow(clippy::zombie_processes)]
pub fn run(mut cmd: Command, deadline: Duration) -> Ended {
    let dir = tempfile::tempdir().expect("tempdir");
    let (out, err) = (dir.path().join("out"), dir.path().join("err"));
    cmd.stdin(Stdio::null())
        .stdout(std::fs::File::create(&out).expect("stdout file"))
        .stderr(std::fs::File::create(&err).expect("stderr file"));
    let start = Instant::now();
    let child = cmd.spawn().expect("spawn mri");
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero rusage is a valid value of the plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let mut killed = false;
    loop {
        // SAFETY: `pid` is our own child, not yet reaped; status and usage
        // point to live locals.
        let r = unsafe { libc::wait4(pid, &mut status, libc::WNOHANG, &mut usage) };
        if r == pid {
            break;
        }
        assert_eq!(r, 0, "wait4 failed: {}", std::io::Error::last_os_error());
        if start.elapsed() > deadline && !killed {
            // SAFETY: signalling our own child, still unreaped.
            unsafe { libc::kill(pid, libc::SIGKILL) };
            killed = true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let read = |p: &std::path::Path| {
        String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned()
    };
    Ended {
        code: libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status)),
        signal: libc::WIFSIGNALED(status).then(|| libc::WTERMSIG(status)),
        max_rss_kib: usage.ru_maxrss,
        elapsed: start.elapsed(),
        killed,
        stdout: read(&out),
        stderr: read(&err),
    }
}
