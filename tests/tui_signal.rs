//! The browser in a real terminal: `mri TARGET` runs in a pseudo-terminal
//! (libc's openpty), and SIGTERM or SIGHUP ends it as `q` does: the
//! alternate screen is left, mouse reporting turned off, the cursor shown.

#![cfg(unix)]

use std::fs::File;
use std::io::Read;
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Enter and leave the alternate screen, turn off basic mouse reporting,
/// show the cursor: what crossterm writes.
const ENTER_ALT: &[u8] = b"\x1b[?1049h";
const LEAVE_ALT: &[u8] = b"\x1b[?1049l";
const MOUSE_OFF: &[u8] = b"\x1b[?1000l";
const CURSOR_ON: &[u8] = b"\x1b[?25h";
const CURSOR_OFF: &[u8] = b"\x1b[?25l";

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A pseudo-terminal of 100×30: (master, slave).
fn openpty() -> (OwnedFd, OwnedFd) {
    let (mut master, mut slave) = (-1, -1);
    let size = libc::winsize {
        ws_row: 30,
        ws_col: 100,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: the out-pointers are valid; no name buffer or termios passed.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: openpty returned two open descriptors that we now own.
    unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) }
}

/// Runs the browser on the fixture in a pseudo-terminal, sends `signal`
/// once it has drawn, and returns what it wrote after entering the
/// alternate screen and how it exited.
fn browse_then_signal(signal: libc::c_int) -> (Vec<u8>, std::process::ExitStatus) {
    let (master, slave) = openpty();
    let stdio = |fd: &OwnedFd| Stdio::from(fd.try_clone().expect("dup the slave"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mri"));
    cmd.arg("fixtures/tiny-llama-sharded")
        .env("TERM", "xterm-256color")
        .env("NO_COLOR", "1")
        .stdin(stdio(&slave))
        .stdout(stdio(&slave))
        .stderr(stdio(&slave));
    // SAFETY: only async-signal-safe calls between fork and exec: a new
    // session whose controlling terminal is the pty (stdin).
    unsafe {
        cmd.pre_exec(|| {
            if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY as _, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().expect("mri starts");
    // The command holds copies of the slave: without them (and ours), the
    // master reads EIO once the child has gone.
    drop(cmd);
    drop(slave);

    let out = Arc::new(Mutex::new(Vec::new()));
    let reader = {
        let out = Arc::clone(&out);
        let mut master = File::from(master);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            // Ends with EIO once the child has closed the terminal.
            while let Ok(n) = master.read(&mut buf) {
                if n == 0 {
                    break;
                }
                out.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        })
    };
    let wait_for = |what: &dyn Fn(&[u8]) -> bool, why: &str| {
        let deadline = Instant::now() + Duration::from_secs(60);
        while !what(&out.lock().unwrap()) {
            assert!(
                Instant::now() < deadline,
                "{why}: {}",
                String::from_utf8_lossy(&out.lock().unwrap())
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    // Drawn: on the alternate screen, the Overview's tab in the frame.
    wait_for(
        &|o| find(o, ENTER_ALT).is_some_and(|at| find(&o[at..], b"Overview").is_some()),
        "the browser never drew",
    );
    // SAFETY: kill on the child's own pid.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, signal) }, 0);
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("mri did not stop on signal {signal}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let _ = reader.join();
    let out = out.lock().unwrap().clone();
    let at = find(&out, ENTER_ALT).expect("entered the alternate screen");
    (out[at..].to_vec(), status)
}

fn assert_restored(signal: libc::c_int, name: &str) {
    let (out, status) = browse_then_signal(signal);
    let shown = String::from_utf8_lossy(&out).into_owned();
    assert!(
        status.success(),
        "{name}: ends as q does, not killed: {status:?}"
    );
    let left = find(&out, LEAVE_ALT)
        .unwrap_or_else(|| panic!("{name}: alternate screen kept:\n{shown:?}"));
    assert!(
        find(&out, MOUSE_OFF).is_some(),
        "{name}: mouse reporting left on:\n{shown:?}"
    );
    // The last word on the cursor shows it.
    let last = |seq: &[u8]| out.windows(seq.len()).rposition(|w| w == seq);
    assert!(
        last(CURSOR_ON) > last(CURSOR_OFF),
        "{name}: cursor left hidden:\n{shown:?}"
    );
    // Nothing is drawn after the screen is left.
    assert!(
        find(&out[left..], b"Overview").is_none(),
        "{name}: drew after leaving:\n{shown:?}"
    );
}

#[test]
fn sigterm_restores_the_terminal() {
    assert_restored(libc::SIGTERM, "SIGTERM");
}

#[test]
fn sighup_restores_the_terminal() {
    assert_restored(libc::SIGHUP, "SIGHUP");
}
