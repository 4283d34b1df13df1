//! The JSON form of the Report, and how mri lays out the JSON it prints.

use super::Report;
use serde::Serialize;
use std::io::{self, IsTerminal, Write};

/// How a JSON document is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    /// Indented, two spaces a level: for a person at a terminal.
    Pretty,
    /// One line: for a program reading a pipe or a file (half the bytes of
    /// the pretty form, and half the time to write; `jq .` indents it).
    Compact,
}

impl Layout {
    /// Pretty when standard output is a terminal, else compact (as `gh --json`
    /// and similar tools do). The content is the same either way.
    pub fn for_stdout() -> Layout {
        if io::stdout().is_terminal() {
            Layout::Pretty
        } else {
            Layout::Compact
        }
    }

    /// `value` as JSON in this layout, newline-terminated.
    pub fn to_vec<T: Serialize + ?Sized>(self, value: &T) -> serde_json::Result<Vec<u8>> {
        let mut buf = match self {
            Layout::Pretty => serde_json::to_vec_pretty(value)?,
            Layout::Compact => serde_json::to_vec(value)?,
        };
        buf.push(b'\n');
        Ok(buf)
    }

    /// As [`Layout::to_vec`], as a string.
    pub fn to_string<T: Serialize + ?Sized>(self, value: &T) -> serde_json::Result<String> {
        let buf = self.to_vec(value)?;
        // serde_json writes UTF-8 only.
        String::from_utf8(buf).map_err(|e| serde_json::Error::io(io::Error::other(e)))
    }
}

/// Writes `value` (the report) as JSON in `layout`, newline-terminated, to `out`,
/// through a buffer of its own: the serialiser's tens of thousands of small
/// pieces are copied into it without a call through `out` each, and the
/// document (hundreds of kB for a large checkpoint) is never held whole in a
/// growing buffer, whose reallocations copy it and fault in fresh pages.
pub fn write<T: Serialize + ?Sized>(
    value: &T,
    layout: Layout,
    out: &mut (impl Write + ?Sized),
) -> io::Result<()> {
    let mut buffered = io::BufWriter::with_capacity(WRITE_BUFFER, out);
    match layout {
        Layout::Pretty => serde_json::to_writer_pretty(&mut buffered, value)?,
        Layout::Compact => serde_json::to_writer(&mut buffered, value)?,
    }
    buffered.write_all(b"\n")?;
    buffered.flush()
}

/// The buffer [`write`] fills before each write to its output.
const WRITE_BUFFER: usize = 1 << 16;

/// Pretty-printed JSON, newline-terminated.
pub fn render(report: &Report) -> String {
    Layout::Pretty
        .to_string(report)
        .unwrap_or_else(|e| format!("{{\"error\": \"cannot serialise report: {e}\"}}\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_layouts_hold_the_same_value_and_end_in_a_newline() {
        let value = serde_json::json!({"a": [1, 2], "b": {"c": "d"}});
        let pretty = Layout::Pretty.to_string(&value).unwrap();
        let compact = Layout::Compact.to_string(&value).unwrap();
        assert_eq!(compact, "{\"a\":[1,2],\"b\":{\"c\":\"d\"}}\n");
        assert!(pretty.contains("\n  \"a\": [\n    1,"), "{pretty}");
        assert!(pretty.ends_with("}\n"));
        let back: serde_json::Value = serde_json::from_str(&pretty).unwrap();
        assert_eq!(back, value);
    }

    #[test]
    fn a_written_report_is_the_document_in_memory_whatever_its_size() {
        // Enough entries to fill the write buffer several times over.
        let files: Vec<serde_json::Value> = (0..6000)
            .map(|i| serde_json::json!({"path": format!("model-{i:05}-of-06000.safetensors"), "size": i}))
            .collect();
        let value = serde_json::json!({"schema_version": 1, "files": files});
        for layout in [Layout::Compact, Layout::Pretty] {
            let mut out = Vec::new();
            write(&value, layout, &mut out).unwrap();
            assert!(out.len() > 3 * WRITE_BUFFER, "{}", out.len());
            assert_eq!(out, layout.to_vec(&value).unwrap());
            assert!(out.ends_with(b"}\n"));
        }
    }
}
