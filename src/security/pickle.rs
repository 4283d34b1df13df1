//! A pickle opcode walker (protocols 0–5) that resolves every imported
//! callable — `GLOBAL`, `INST` and `STACK_GLOBAL` (through the memo) — without
//! ever unpickling. It keeps going across concatenated pickles and after a
//! malformed opcode.
//!
//! The walker streams: it reads its input through a bounded window (a few
//! MiB whatever the stream's size), so a zip member that inflates to
//! gigabytes is walked to its end in constant memory. Where a limit is truly
//! reached — the bytes a stream may have walked ([`Limits::max_bytes`]), the
//! symbolic stack or the memo — the walk stops and says so in
//! [`Walk::unscanned`]: the rest of the stream was not looked at, and the
//! caller must fail closed.

use std::collections::HashMap;
use std::io::Read;
use std::rc::Rc;

/// Bytes of one pickle stream walked (read, skipped or decompressed) before
/// the walk gives up and reports the rest unscanned: 1 GiB, far beyond any
/// real checkpoint's pickle (a PyTorch `data.pkl` is kilobytes to a few
/// MiB), small enough that a stream of the worst kind (one-byte opcodes,
/// about 230 MiB/s in a release build) is walked in under 5 s.
pub const DEFAULT_MAX_BYTES: u64 = 1 << 30;

/// How far a walk may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of the stream read before the walk stops ([`DEFAULT_MAX_BYTES`]).
    pub max_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

impl Limits {
    /// The default limits, with `MRI_PICKLE_SCAN_BYTES` (a byte count), when
    /// set, in place of [`DEFAULT_MAX_BYTES`].
    pub fn from_env() -> Self {
        let max_bytes = std::env::var("MRI_PICKLE_SCAN_BYTES")
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(DEFAULT_MAX_BYTES);
        Limits { max_bytes }
    }
}

/// How an import was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ImportOp {
    /// `c module\nname\n`.
    Global,
    /// `i module\nname\n` (import and instantiate).
    Inst,
    /// Module and name taken from the stack.
    StackGlobal,
}

impl ImportOp {
    /// The opcode's name.
    pub fn as_str(self) -> &'static str {
        match self {
            ImportOp::Global => "GLOBAL",
            ImportOp::Inst => "INST",
            ImportOp::StackGlobal => "STACK_GLOBAL",
        }
    }
}

/// One imported callable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// Module, e.g. `torch._utils`; `?` when the stack did not hold a string.
    pub module: String,
    /// Name, e.g. `_rebuild_tensor_v2`; `?` when unresolved.
    pub name: String,
    /// The opcode that imported it.
    pub op: ImportOp,
    /// Byte offset of the opcode.
    pub offset: usize,
}

/// What walking a byte stream found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Walk {
    /// Every import, in order.
    pub imports: Vec<Import>,
    /// Pickles (STOP opcodes) seen.
    pub pickles: usize,
    /// Malformed opcodes skipped: (offset, what).
    pub malformed: Vec<(usize, String)>,
    /// Bytes walked.
    pub bytes: usize,
    /// Why the walk stopped before the end of the stream, when a limit (or a
    /// read error) stopped it: what follows byte `bytes` was not looked at,
    /// so imports may be missing.
    pub unscanned: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
enum Val {
    Str(Rc<str>),
    Mark,
    Other,
}

/// Stops a stream after this many malformed bytes in a row (raw tensor data).
const MAX_MALFORMED_RUN: usize = 64;
/// Keeps at most this many malformed notes.
const MAX_NOTES: usize = 32;
/// Symbolic stack bound (items): a real pickle's stack is its nesting depth
/// plus one batch of at most 1000 items; a deeper one stops the walk.
const MAX_STACK: usize = 1 << 18;
/// Entries the memo may hold (a real pickle memoises each object once).
const MAX_MEMO: usize = 1 << 22;
/// Bytes of strings put into the memo, counted at each put.
const MAX_MEMO_BYTES: usize = 64 << 20;
/// Bytes of a string kept (a longer one keeps its start and a `…`, which no
/// known-safe name has); identifiers are at most 256 bytes.
const MAX_KEPT: usize = 256;
/// The longest text line (protocol 0 arguments, GLOBAL names).
const MAX_LINE: usize = 1 << 16;
/// Bytes read from the source at a time.
const CHUNK: usize = 1 << 18;

fn to_usize(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// A window over a byte stream. The bytes of the opcode being decoded stay
/// in the window (from `keep`), so a malformed opcode can be re-read from its
/// next byte; everything before it is dropped.
struct Cursor<R> {
    src: R,
    /// The window's storage (allocated once, grown only for a long line).
    buf: Vec<u8>,
    /// End of the valid bytes in `buf`.
    end: usize,
    pos: usize,
    /// Index in `buf` of the current opcode's first byte.
    keep: usize,
    /// Stream offset of `buf[0]`.
    base: u64,
    /// Bytes taken from the source (read or skipped).
    pulled: u64,
    /// The stream's size, when known (a file's or a zip member's).
    total: Option<u64>,
    max: u64,
    eof: bool,
    /// The byte limit stopped the reading with the stream not at its end.
    capped: bool,
    error: Option<String>,
    /// A skip ran past the end of the stream from this opcode: its bytes
    /// were consumed unwalked.
    lost: Option<u64>,
    /// What the last newline search learnt, as stream offsets: no `\n` in
    /// `nl.0..nl.1`, and `nl.1` is one when `nl.2` (each byte is searched
    /// once, however many text opcodes fail on the same long line).
    nl: (u64, u64, bool),
}

impl<R: Read> Cursor<R> {
    fn new(src: R, total: Option<u64>, max: u64) -> Self {
        Cursor {
            src,
            buf: Vec::new(),
            end: 0,
            pos: 0,
            keep: 0,
            base: 0,
            pulled: 0,
            total,
            max,
            eof: false,
            capped: false,
            error: None,
            lost: None,
            nl: (0, 0, false),
        }
    }

    fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    fn avail(&self) -> usize {
        self.end - self.pos
    }

    /// Reads once into the window's free space (at most `want` bytes).
    fn read_chunk(&mut self, want: usize) {
        let room = self.max.saturating_sub(self.pulled);
        if room == 0 {
            // At the limit: one byte more says whether anything is left.
            let mut probe = [0u8; 1];
            match self.src.read(&mut probe) {
                Ok(0) => self.eof = true,
                Ok(_) => self.capped = true,
                Err(e) => self.error = Some(e.to_string()),
            }
            return;
        }
        let want = to_usize((want as u64).min(room));
        if self.buf.len() < self.end + want {
            self.buf.resize(self.end + want, 0);
        }
        match self.src.read(&mut self.buf[self.end..self.end + want]) {
            Ok(0) => self.eof = true,
            Ok(k) => {
                self.end += k;
                self.pulled += k as u64;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    fn ended(&self) -> bool {
        self.eof || self.capped || self.error.is_some()
    }

    /// Makes `n` bytes available after the cursor; false where the stream
    /// (or the limit) ends first.
    fn fill(&mut self, n: usize) -> bool {
        if self.avail() >= n {
            return true;
        }
        if self.keep > 0 {
            self.buf.copy_within(self.keep..self.end, 0);
            self.base += self.keep as u64;
            self.pos -= self.keep;
            self.end -= self.keep;
            self.keep = 0;
        }
        while self.avail() < n && !self.ended() {
            let free = self.buf.len() - self.end;
            self.read_chunk(if free > 0 { free } else { CHUNK.max(n) });
        }
        self.avail() >= n
    }

    /// Marks the start of an opcode: what precedes it may be dropped.
    fn mark(&mut self) {
        self.keep = self.pos;
    }

    /// Goes back to a stream offset within the window (the byte after a
    /// malformed opcode); past the window, to the end of what was read.
    fn rewind(&mut self, offset: u64) {
        self.pos = match offset.checked_sub(self.base) {
            Some(i) if to_usize(i) <= self.end => to_usize(i),
            _ => self.end,
        };
    }

    fn peek(&mut self) -> Option<u8> {
        self.fill(1).then(|| self.buf[self.pos])
    }

    fn take(&mut self, n: usize) -> Option<&[u8]> {
        if !self.fill(n) {
            return None;
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Some(s)
    }

    fn u8(&mut self) -> Option<u8> {
        if self.pos < self.end {
            self.pos += 1;
            return Some(self.buf[self.pos - 1]);
        }
        self.take(1).map(|b| b[0])
    }

    fn le(&mut self, n: usize) -> Option<u64> {
        let b = self.take(n)?;
        Some(b.iter().rev().fold(0u64, |acc, &x| (acc << 8) | x as u64))
    }

    /// A line ending within [`MAX_LINE`] bytes, without its `\n`.
    fn line(&mut self) -> Option<&[u8]> {
        self.fill(MAX_LINE + 1);
        let p = self.offset();
        let limit = p + MAX_LINE as u64;
        let (from, to, found) = self.nl;
        let covered = from <= p && p <= to;
        let at = if covered && found {
            Some(to)
        } else {
            let hi = self.base + self.end as u64;
            let start = if covered { to } else { p }.min(hi);
            let stop = limit.min(hi).max(start);
            let window = self
                .buf
                .get(to_usize(start - self.base)..to_usize(stop - self.base))
                .unwrap_or_default();
            let at = window
                .iter()
                .position(|&b| b == b'\n')
                .map(|i| start + i as u64);
            self.nl = (
                if covered { from } else { p },
                at.unwrap_or(stop),
                at.is_some(),
            );
            at
        };
        let len = to_usize(at.filter(|&at| at < limit)?.checked_sub(p)?);
        let start = self.pos;
        let line = self.buf.get(start..start + len)?;
        self.pos += len + 1;
        Some(line)
    }

    /// Whether `n` more bytes can exist: false when the stream's known size
    /// says they do not (an absurd length is refused before anything is
    /// consumed, so the walk re-synchronises on the next byte).
    fn may_hold(&self, n: u64) -> bool {
        match self.total {
            Some(t) => self.offset().checked_add(n).is_some_and(|end| end <= t),
            None => true,
        }
    }

    /// Skips `n` bytes, reading past the window where it must.
    fn skip(&mut self, n: u64) -> bool {
        if (self.avail() as u64) >= n {
            self.pos += to_usize(n);
            return true;
        }
        if !self.may_hold(n) {
            return false;
        }
        let start = self.base + self.keep as u64;
        let mut left = n - self.avail() as u64;
        self.base += self.end as u64;
        self.end = 0;
        self.pos = 0;
        self.keep = 0;
        while left > 0 && !self.ended() {
            self.read_chunk(to_usize(left.min(CHUNK as u64)));
            let got = self.end as u64;
            left -= got;
            self.base += got;
            self.end = 0;
        }
        if left > 0 {
            self.lost = Some(start);
        }
        left == 0
    }

    /// A length-prefixed blob that is not kept.
    fn skip_blob(&mut self, len_bytes: usize) -> Option<()> {
        let len = self.le(len_bytes)?;
        self.skip(len).then_some(())
    }

    /// A length-prefixed string: its first [`MAX_KEPT`] bytes are kept.
    fn str_blob(&mut self, len_bytes: usize) -> Option<Val> {
        let len = self.le(len_bytes)?;
        if !self.may_hold(len) {
            return None;
        }
        if len <= MAX_KEPT as u64 {
            return self.take(to_usize(len)).map(|b| Val::Str(kept(text(b))));
        }
        let mut s = text(self.take(MAX_KEPT)?);
        s.push('…');
        let s = kept(s);
        self.skip(len - MAX_KEPT as u64).then_some(Val::Str(s))
    }
}

fn identifier(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 256
        && s.split('.').all(|p| {
            !p.is_empty()
                && p.chars()
                    .next()
                    .is_some_and(|c| c.is_alphabetic() || c == '_')
                && p.chars().all(|c| c.is_alphanumeric() || c == '_')
        })
}

/// The symbolic machine: a stack of values and a memo of strings.
#[derive(Default)]
struct State {
    stack: Vec<Val>,
    memo: HashMap<u64, Val>,
    memo_bytes: usize,
}

impl State {
    fn clear(&mut self) {
        self.stack.clear();
        self.memo.clear();
        self.memo_bytes = 0;
    }

    fn top(&self) -> Val {
        self.stack.last().cloned().unwrap_or(Val::Other)
    }

    fn put(&mut self, i: u64) -> Step {
        let v = self.top();
        if let Val::Str(s) = &v {
            self.memo_bytes = self.memo_bytes.saturating_add(s.len());
        }
        self.memo.insert(i, v);
        if self.memo.len() > MAX_MEMO || self.memo_bytes > MAX_MEMO_BYTES {
            return Step::Limit(format!(
                "the memo grew past {} entries or {} MiB of strings",
                MAX_MEMO,
                MAX_MEMO_BYTES >> 20
            ));
        }
        Step::Ok
    }

    fn get(&mut self, i: u64) {
        let v = self.memo.get(&i).cloned().unwrap_or(Val::Other);
        self.stack.push(v);
    }
}

/// Walks every pickle in `data`, with no byte limit.
pub fn walk(data: &[u8]) -> Walk {
    walk_reader(
        data,
        Some(data.len() as u64),
        Limits {
            max_bytes: u64::MAX,
        },
    )
}

/// Walks every pickle of a stream, reading it through a bounded window.
/// `total` is the stream's size when known (lengths beyond it are refused
/// without consuming anything).
pub fn walk_reader<R: Read>(src: R, total: Option<u64>, limits: Limits) -> Walk {
    let mut w = Walk::default();
    let mut c = Cursor::new(src, total, limits.max_bytes);
    let mut st = State::default();
    let mut malformed_run = 0usize;
    let mut finished = false;
    while c.fill(1) {
        c.mark();
        let start = c.offset();
        let Some(op) = c.u8() else { break };
        match step(op, start, &mut c, &mut st, &mut w) {
            Step::Ok => malformed_run = 0,
            Step::Stop => {
                w.pickles += 1;
                st.clear();
                malformed_run = 0;
                // Another pickle may follow (PyTorch's legacy format writes
                // several); raw data may follow too, which is not walked.
                if c.peek() != Some(0x80) {
                    finished = true;
                    break;
                }
            }
            Step::Bad(what) => {
                if w.malformed.len() < MAX_NOTES {
                    w.malformed.push((to_usize(start), what));
                }
                st.stack.clear();
                c.rewind(start + 1);
                malformed_run += 1;
                if malformed_run >= MAX_MALFORMED_RUN {
                    break;
                }
            }
            Step::Limit(why) => {
                w.unscanned = Some(why);
                break;
            }
        }
        if st.stack.len() > MAX_STACK {
            w.unscanned = Some(format!("the stack grew past {MAX_STACK} items"));
            break;
        }
    }
    w.bytes = to_usize(c.offset());
    if w.unscanned.is_none() && !finished {
        w.unscanned = if let Some(e) = &c.error {
            Some(format!("reading failed: {e}"))
        } else if c.capped {
            Some(format!(
                "the stream is longer than the {} bytes a pickle walk reads (MRI_PICKLE_SCAN_BYTES)",
                limits.max_bytes
            ))
        } else {
            c.lost.map(|at| {
                format!(
                    "a length at byte {at} runs past the end of the stream, over bytes not walked"
                )
            })
        };
    }
    w
}

enum Step {
    Ok,
    Stop,
    Bad(String),
    /// A bound of the walk was reached: the rest is not walked.
    Limit(String),
}

fn pop_mark(stack: &mut Vec<Val>) {
    while let Some(v) = stack.pop() {
        if v == Val::Mark {
            break;
        }
    }
}

fn pop_n(stack: &mut Vec<Val>, n: usize) {
    let keep = stack.len().saturating_sub(n);
    stack.truncate(keep);
}

/// A string as kept on the stack: at most [`MAX_KEPT`] bytes, a longer one
/// cut with a `…`.
fn kept(mut s: String) -> Rc<str> {
    if s.len() > MAX_KEPT {
        let mut cut = MAX_KEPT;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
        s.push('…');
    }
    s.into()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .trim_end_matches('\r')
        .to_string()
}

/// The operand `$e`, or a [`Step::Bad`] naming the opcode `$what` whose
/// operand the stream cut short.
macro_rules! need {
    ($e:expr, $what:expr) => {
        match $e {
            Some(v) => v,
            None => return Step::Bad(format!("{} truncated", $what)),
        }
    };
}

/// Runs one opcode `op` (read at `offset`) on the symbolic machine. The
/// dispatch is one `match` (a jump table); each arm is a line naming a small
/// handler, which the compiler inlines, so the loop stays as fast as one
/// piece.
fn step<R: Read>(op: u8, offset: u64, c: &mut Cursor<R>, st: &mut State, w: &mut Walk) -> Step {
    let offset = to_usize(offset);
    let stack = &mut st.stack;
    match op {
        // strings
        b'X' => push_str_blob(c, stack, 4, "BINUNICODE"),
        0x8c => push_str_blob(c, stack, 1, "SHORT_BINUNICODE"),
        0x8d => push_str_blob(c, stack, 8, "BINUNICODE8"),
        b'V' => push_str_line(c, stack, false, "UNICODE"),
        b'S' => push_str_line(c, stack, true, "STRING"),
        b'T' => push_str_blob(c, stack, 4, "BINSTRING"),
        b'U' => push_str_blob(c, stack, 1, "SHORT_BINSTRING"),
        // other data
        b'B' => push_skipped_blob(c, stack, 4, "BINBYTES"),
        b'C' => push_skipped_blob(c, stack, 1, "SHORT_BINBYTES"),
        0x8e => push_skipped_blob(c, stack, 8, "BINBYTES8"),
        0x96 => push_skipped_blob(c, stack, 8, "BYTEARRAY8"),
        b'I' | b'L' | b'F' => push_skipped_line(c, stack, "INT/LONG/FLOAT"),
        b'K' => push_skipped(c, stack, 1, "BININT1"),
        b'M' => push_skipped(c, stack, 2, "BININT2"),
        b'J' => push_skipped(c, stack, 4, "BININT"),
        b'G' => push_skipped(c, stack, 8, "BINFLOAT"),
        0x8a => push_skipped_blob(c, stack, 1, "LONG1"),
        0x8b => push_skipped_blob(c, stack, 4, "LONG4"),
        b'N' | 0x88 | 0x89 | b'}' | b']' | b')' | 0x8f | 0x97 => {
            stack.push(Val::Other);
            Step::Ok
        }
        b'P' => push_skipped_line(c, stack, "PERSID"),
        0x82 => push_skipped(c, stack, 1, "EXT1"),
        0x83 => push_skipped(c, stack, 2, "EXT2"),
        0x84 => push_skipped(c, stack, 4, "EXT4"),
        // imports
        b'c' | b'i' => global(op, offset, c, stack, w),
        0x93 => stack_global(offset, stack, w),
        // memo
        0x94 => st.put(st.memo.len() as u64),
        b'q' => put_le(c, st, 1, "BINPUT"),
        b'r' => put_le(c, st, 4, "LONG_BINPUT"),
        b'p' => st.put(need!(line_index(c), "PUT")),
        b'h' => get_le(c, st, 1, "BINGET"),
        b'j' => get_le(c, st, 4, "LONG_BINGET"),
        b'g' => {
            st.get(need!(line_index(c), "GET"));
            Step::Ok
        }
        // structure
        b'(' => {
            stack.push(Val::Mark);
            Step::Ok
        }
        b'.' => Step::Stop,
        b'0' | b'a' | b'b' => pop_then(stack, 1, false),
        b's' => pop_then(stack, 2, false),
        b'1' | b'e' | b'u' | 0x90 => {
            pop_mark(stack);
            Step::Ok
        }
        b'2' => {
            let top = stack.last().cloned().unwrap_or(Val::Other);
            stack.push(top);
            Step::Ok
        }
        b't' | b'l' | b'd' | 0x91 | b'o' => {
            pop_mark(stack);
            stack.push(Val::Other);
            Step::Ok
        }
        0x85 | b'Q' => pop_then(stack, 1, true),
        0x86 | b'R' | 0x81 => pop_then(stack, 2, true),
        0x87 | 0x92 => pop_then(stack, 3, true),
        0x98 => Step::Ok,
        0x80 => proto(c),
        0x95 => {
            need!(c.take(8), "FRAME");
            Step::Ok
        }
        other => Step::Bad(format!("unknown opcode 0x{other:02x}")),
    }
}

/// A string with a `len_bytes`-byte length (opcode `what`), pushed.
#[inline]
fn push_str_blob<R: Read>(
    c: &mut Cursor<R>,
    stack: &mut Vec<Val>,
    len_bytes: usize,
    what: &str,
) -> Step {
    let v = need!(c.str_blob(len_bytes), what);
    stack.push(v);
    Step::Ok
}

/// A string on a line (opcode `what`), pushed; `quoted` ones (`STRING`)
/// lose their quotes.
#[inline]
fn push_str_line<R: Read>(
    c: &mut Cursor<R>,
    stack: &mut Vec<Val>,
    quoted: bool,
    what: &str,
) -> Step {
    let s = text(need!(c.line(), what));
    let s = if quoted {
        s.trim_matches(|ch| ch == '\'' || ch == '"').to_string()
    } else {
        s
    };
    stack.push(Val::Str(kept(s)));
    Step::Ok
}

/// A blob with a `len_bytes`-byte length (opcode `what`), skipped; a value
/// not followed is pushed.
#[inline]
fn push_skipped_blob<R: Read>(
    c: &mut Cursor<R>,
    stack: &mut Vec<Val>,
    len_bytes: usize,
    what: &str,
) -> Step {
    need!(c.skip_blob(len_bytes), what);
    stack.push(Val::Other);
    Step::Ok
}

/// `n` operand bytes (opcode `what`), skipped; a value not followed is
/// pushed.
#[inline]
fn push_skipped<R: Read>(c: &mut Cursor<R>, stack: &mut Vec<Val>, n: usize, what: &str) -> Step {
    need!(c.take(n), what);
    stack.push(Val::Other);
    Step::Ok
}

/// A line operand (opcode `what`), skipped; a value not followed is pushed.
#[inline]
fn push_skipped_line<R: Read>(c: &mut Cursor<R>, stack: &mut Vec<Val>, what: &str) -> Step {
    need!(c.line(), what);
    stack.push(Val::Other);
    Step::Ok
}

/// `GLOBAL` (`c`) or `INST` (`i`): an import named on two lines, recorded
/// (a malformed name is a bad opcode); `INST` also pops to the mark.
#[inline]
fn global<R: Read>(
    op: u8,
    offset: usize,
    c: &mut Cursor<R>,
    stack: &mut Vec<Val>,
    w: &mut Walk,
) -> Step {
    let module = text(need!(c.line(), "GLOBAL module"));
    let name = text(need!(c.line(), "GLOBAL name"));
    if !identifier(&module) || !identifier(&name) {
        return Step::Bad(format!("GLOBAL with a malformed name `{module}.{name}`"));
    }
    let imp = if op == b'c' {
        ImportOp::Global
    } else {
        ImportOp::Inst
    };
    w.imports.push(Import {
        module,
        name,
        op: imp,
        offset,
    });
    if op == b'i' {
        pop_mark(stack);
    }
    stack.push(Val::Other);
    Step::Ok
}

/// `STACK_GLOBAL`: an import named by the two strings on the stack (`?`
/// for a part that is not a string), recorded.
#[inline]
fn stack_global(offset: usize, stack: &mut Vec<Val>, w: &mut Walk) -> Step {
    let name = stack.pop().unwrap_or(Val::Other);
    let module = stack.pop().unwrap_or(Val::Other);
    let (module, name) = match (module, name) {
        (Val::Str(m), Val::Str(n)) => (m.to_string(), n.to_string()),
        (m, n) => (
            if let Val::Str(m) = m {
                m.to_string()
            } else {
                "?".into()
            },
            if let Val::Str(n) = n {
                n.to_string()
            } else {
                "?".into()
            },
        ),
    };
    w.imports.push(Import {
        module,
        name,
        op: ImportOp::StackGlobal,
        offset,
    });
    stack.push(Val::Other);
    Step::Ok
}

/// A memo index on a line (`PUT`, `GET`); one that is not a number is an
/// index no memo holds. `None` when the line is cut short.
#[inline]
fn line_index<R: Read>(c: &mut Cursor<R>) -> Option<u64> {
    let line = text(c.line()?);
    Some(line.trim().parse::<u64>().unwrap_or(u64::MAX))
}

/// A put into the memo at an `n`-byte index (opcode `what`).
#[inline]
fn put_le<R: Read>(c: &mut Cursor<R>, st: &mut State, n: usize, what: &str) -> Step {
    let i = need!(c.le(n), what);
    st.put(i)
}

/// A get from the memo at an `n`-byte index (opcode `what`).
#[inline]
fn get_le<R: Read>(c: &mut Cursor<R>, st: &mut State, n: usize, what: &str) -> Step {
    let i = need!(c.le(n), what);
    st.get(i);
    Step::Ok
}

/// Pops `n` values, then pushes a value not followed when `push`.
#[inline]
fn pop_then(stack: &mut Vec<Val>, n: usize, push: bool) -> Step {
    pop_n(stack, n);
    if push {
        stack.push(Val::Other);
    }
    Step::Ok
}

/// `PROTO`: its version must be a pickle protocol (0 to 5).
#[inline]
fn proto<R: Read>(c: &mut Cursor<R>) -> Step {
    let v = need!(c.u8(), "PROTO");
    if v > 5 {
        return Step::Bad(format!("PROTO {v} is not a pickle protocol"));
    }
    Step::Ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(w: &Walk) -> Vec<String> {
        w.imports
            .iter()
            .map(|i| format!("{}.{}", i.module, i.name))
            .collect()
    }

    #[test]
    fn global_and_inst_are_resolved() {
        // protocol 0: cos\nsystem\n(S'echo hi'\ntR.
        let w = walk(b"cos\nsystem\n(S'echo hi'\ntR.");
        assert_eq!(names(&w), ["os.system"]);
        assert_eq!(w.imports[0].op, ImportOp::Global);
        let w = walk(b"(S'ls'\nisubprocess\ncheck_output\n.");
        assert_eq!(names(&w), ["subprocess.check_output"]);
        assert_eq!(w.imports[0].op, ImportOp::Inst);
    }

    #[test]
    fn stack_global_through_the_memo() {
        // \x80\x04 SHORT_BINUNICODE 'builtins' MEMOIZE SHORT_BINUNICODE 'eval' MEMOIZE
        // POP POP BINGET 0 BINGET 1 STACK_GLOBAL ... STOP
        let mut p = vec![0x80, 4, 0x8c, 8];
        p.extend_from_slice(b"builtins");
        p.push(0x94);
        p.extend_from_slice(&[0x8c, 4]);
        p.extend_from_slice(b"eval");
        p.push(0x94);
        p.extend_from_slice(&[b'0', b'0', b'h', 0, b'h', 1, 0x93, b'.']);
        let w = walk(&p);
        assert_eq!(names(&w), ["builtins.eval"]);
        assert_eq!(w.imports[0].op, ImportOp::StackGlobal);
    }

    #[test]
    fn keeps_going_after_a_benign_pickle_and_a_bad_opcode() {
        let mut p = vec![0x80, 2, b']', b'.']; // an empty list
        p.extend_from_slice(&[0x80, 2, 0xff]); // a malformed opcode
        p.extend_from_slice(b"cposix\nsystem\n.");
        let w = walk(&p);
        assert_eq!(names(&w), ["posix.system"]);
        assert_eq!(w.pickles, 2);
        assert!(!w.malformed.is_empty());
    }

    #[test]
    fn absurd_lengths_do_not_allocate() {
        let mut p = vec![0x80, 4, 0x8d];
        p.extend_from_slice(&u64::MAX.to_le_bytes());
        let w = walk(&p);
        assert!(w.imports.is_empty());
        assert!(!w.malformed.is_empty());
    }

    /// A protocol 2 pickle streamed on the fly: `pad` bytes of NONE/POP, then
    /// `GLOBAL posix system`, a call and STOP. Nothing is held in memory.
    pub(crate) struct Padded {
        head: std::io::Cursor<Vec<u8>>,
        pad: u64,
        tail: std::io::Cursor<Vec<u8>>,
    }

    impl Padded {
        pub(crate) fn new(pad: u64) -> Self {
            Padded {
                head: std::io::Cursor::new(vec![0x80, 2]),
                pad: pad & !1,
                tail: std::io::Cursor::new(b"cposix\nsystem\n(S'id'\ntR.".to_vec()),
            }
        }

        pub(crate) fn len(&self) -> u64 {
            2 + self.pad + self.tail.get_ref().len() as u64
        }
    }

    impl Read for Padded {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.head.read(buf)?;
            if n > 0 {
                return Ok(n);
            }
            if self.pad > 0 {
                let n = (buf.len() as u64).min(self.pad) as usize & !1;
                if n > 0 {
                    for pair in buf[..n].chunks_exact_mut(2) {
                        pair.copy_from_slice(b"N0");
                    }
                    self.pad -= n as u64;
                    return Ok(n);
                }
            }
            self.tail.read(buf)
        }
    }

    #[test]
    fn an_import_after_long_padding_is_found_in_a_small_window() {
        let src = Padded::new(16 << 20);
        let total = src.len();
        let w = walk_reader(src, Some(total), Limits::default());
        assert_eq!(names(&w), ["posix.system"]);
        assert_eq!(w.unscanned, None);
        assert_eq!(w.bytes as u64, total);
        assert_eq!(w.pickles, 1);
    }

    #[test]
    fn a_stream_past_the_byte_limit_is_unscanned() {
        let src = Padded::new(4 << 20);
        let total = src.len();
        let w = walk_reader(src, Some(total), Limits { max_bytes: 1 << 20 });
        assert!(w.imports.is_empty());
        let why = w.unscanned.expect("a limit reached is reported");
        assert!(why.contains("MRI_PICKLE_SCAN_BYTES"), "{why}");
        assert!(w.bytes as u64 <= (1 << 20) + 1, "{}", w.bytes);
        // a limit exactly the stream's size reads it all
        let w = walk_reader(
            Padded::new(4 << 20),
            Some(total),
            Limits { max_bytes: total },
        );
        assert_eq!(names(&w), ["posix.system"]);
        assert_eq!(w.unscanned, None);
    }

    #[test]
    fn a_deep_stack_and_a_full_memo_stop_the_walk() {
        let mut p = vec![0x80, 2];
        p.extend(std::iter::repeat_n(b'N', MAX_STACK + 1));
        let w = walk(&p);
        assert!(w.unscanned.as_deref().is_some_and(|u| u.contains("stack")));
        // one string memoised over and over: the memo's bound, not memory
        let mut p = vec![0x80, 4, 0x8c, 2, b'o', b's'];
        p.extend(std::iter::repeat_n(0x94, MAX_MEMO + 1));
        let w = walk(&p);
        assert!(w.unscanned.as_deref().is_some_and(|u| u.contains("memo")));
    }

    #[test]
    fn long_strings_are_cut_and_an_absurd_length_resynchronises() {
        // STACK_GLOBAL with a 1 MiB name: the module survives, the name is cut
        let mut p = vec![0x80, 4, 0x8c, 2, b'o', b's', b'X'];
        let long = vec![b'a'; 1 << 20];
        p.extend_from_slice(&(long.len() as u32).to_le_bytes());
        p.extend_from_slice(&long);
        p.extend_from_slice(&[0x93, b'.']);
        let w = walk(&p);
        assert_eq!(w.imports.len(), 1);
        assert_eq!(w.imports[0].module, "os");
        assert!(w.imports[0].name.ends_with('…'));
        assert!(w.imports[0].name.len() < 300);
        // BINBYTES8 claiming more than the stream holds is skipped over byte
        // by byte, and the GLOBAL after it is still seen
        let mut p = vec![0x80, 4, 0x8e];
        p.extend_from_slice(&(u64::MAX / 2).to_le_bytes());
        p.extend_from_slice(b"cposix\nsystem\n.");
        let w = walk(&p);
        assert_eq!(names(&w), ["posix.system"]);
    }

    #[test]
    fn a_long_line_is_searched_once_not_per_failed_opcode() {
        // `cN` pairs with no newline: each GLOBAL fails on the same line;
        // the search must not restart at each one (a quadratic hang).
        let mut p = vec![0x80, 2];
        p.extend(b"cN".repeat(1 << 20));
        p.extend_from_slice(b"\n\ncposix\nsystem\n.");
        let w = walk(&p);
        assert!(
            w.imports.iter().any(|i| i.module == "posix"),
            "{:?}",
            w.imports
        );
    }
}
