//! The JSON form of the Report.

use super::Report;
use std::io::{self, Write};

/// Writes pretty-printed JSON, newline-terminated, to `out`: serialised into
/// memory first and written at once (a report of a large checkpoint is tens of
/// thousands of small pieces, each a call through `out` otherwise).
pub fn write(report: &Report, out: &mut (impl Write + ?Sized)) -> io::Result<()> {
    let mut buf = serde_json::to_vec_pretty(report)?;
    buf.push(b'\n');
    out.write_all(&buf)
}

/// Pretty-printed JSON, newline-terminated.
pub fn render(report: &Report) -> String {
    let mut s = serde_json::to_string_pretty(report)
        .unwrap_or_else(|e| format!("{{\"error\": \"cannot serialise report: {e}\"}}"));
    s.push('\n');
    s
}
