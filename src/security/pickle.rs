//! A pickle opcode walker (protocols 0–5) that resolves every imported
//! callable — `GLOBAL`, `INST` and `STACK_GLOBAL` (through the memo) — without
//! ever unpickling. It keeps going across concatenated pickles and after a
//! malformed opcode, and never allocates more than the input allows.

use std::collections::HashMap;

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
}

#[derive(Debug, Clone, PartialEq)]
enum Val {
    Str(String),
    Mark,
    Other,
}

/// Stops a stream after this many malformed bytes in a row (raw tensor data).
const MAX_MALFORMED_RUN: usize = 64;
/// Keeps at most this many malformed notes.
const MAX_NOTES: usize = 32;
/// Symbolic stack and memo bound (items, not bytes).
const MAX_STACK: usize = 1 << 20;

struct Cursor<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.data.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }
    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|b| b[0])
    }
    fn le(&mut self, n: usize) -> Option<u64> {
        let b = self.take(n)?;
        Some(b.iter().rev().fold(0u64, |acc, &x| (acc << 8) | x as u64))
    }
    fn line(&mut self) -> Option<&'a [u8]> {
        let rest = self.data.get(self.pos..)?;
        let nl = rest.iter().take(1 << 16).position(|&b| b == b'\n')?;
        let line = &rest[..nl];
        self.pos += nl + 1;
        Some(line)
    }
    /// A length-prefixed blob, refusing lengths beyond the input.
    fn blob(&mut self, len_bytes: usize) -> Option<&'a [u8]> {
        let len = self.le(len_bytes)?;
        let len = usize::try_from(len).ok()?;
        self.take(len)
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

/// Walks every pickle in `data`.
pub fn walk(data: &[u8]) -> Walk {
    let mut w = Walk::default();
    let mut c = Cursor { data, pos: 0 };
    let mut stack: Vec<Val> = Vec::new();
    let mut memo: HashMap<u64, Val> = HashMap::new();
    let mut malformed_run = 0usize;
    while c.pos < data.len() {
        let start = c.pos;
        let Some(op) = c.u8() else { break };
        match step(op, start, &mut c, &mut stack, &mut memo, &mut w) {
            Step::Ok => malformed_run = 0,
            Step::Stop => {
                w.pickles += 1;
                stack.clear();
                memo.clear();
                malformed_run = 0;
                // Another pickle may follow (PyTorch's legacy format writes
                // several); raw data may follow too, which is not walked.
                if data.get(c.pos) != Some(&0x80) {
                    break;
                }
            }
            Step::Bad(what) => {
                if w.malformed.len() < MAX_NOTES {
                    w.malformed.push((start, what));
                }
                stack.clear();
                c.pos = start + 1;
                malformed_run += 1;
                if malformed_run >= MAX_MALFORMED_RUN {
                    break;
                }
            }
        }
        if stack.len() > MAX_STACK {
            stack.drain(..stack.len() / 2);
        }
    }
    w.bytes = c.pos.min(data.len());
    w
}

enum Step {
    Ok,
    Stop,
    Bad(String),
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

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .trim_end_matches('\r')
        .to_string()
}

fn step(
    op: u8,
    offset: usize,
    c: &mut Cursor<'_>,
    stack: &mut Vec<Val>,
    memo: &mut HashMap<u64, Val>,
    w: &mut Walk,
) -> Step {
    macro_rules! need {
        ($e:expr, $what:expr) => {
            match $e {
                Some(v) => v,
                None => return Step::Bad(format!("{} truncated", $what)),
            }
        };
    }
    let top = |stack: &Vec<Val>| stack.last().cloned().unwrap_or(Val::Other);
    match op {
        // strings
        b'X' => {
            let b = need!(c.blob(4), "BINUNICODE");
            stack.push(Val::Str(text(b)));
        }
        0x8c => {
            let b = need!(c.blob(1), "SHORT_BINUNICODE");
            stack.push(Val::Str(text(b)));
        }
        0x8d => {
            let b = need!(c.blob(8), "BINUNICODE8");
            stack.push(Val::Str(text(b)));
        }
        b'V' => {
            let b = need!(c.line(), "UNICODE");
            stack.push(Val::Str(text(b)));
        }
        b'S' => {
            let b = need!(c.line(), "STRING");
            let s = text(b);
            stack.push(Val::Str(
                s.trim_matches(|ch| ch == '\'' || ch == '"').to_string(),
            ));
        }
        b'T' => {
            let b = need!(c.blob(4), "BINSTRING");
            stack.push(Val::Str(text(b)));
        }
        b'U' => {
            let b = need!(c.blob(1), "SHORT_BINSTRING");
            stack.push(Val::Str(text(b)));
        }
        // other data
        b'B' => {
            need!(c.blob(4), "BINBYTES");
            stack.push(Val::Other);
        }
        b'C' => {
            need!(c.blob(1), "SHORT_BINBYTES");
            stack.push(Val::Other);
        }
        0x8e => {
            need!(c.blob(8), "BINBYTES8");
            stack.push(Val::Other);
        }
        0x96 => {
            need!(c.blob(8), "BYTEARRAY8");
            stack.push(Val::Other);
        }
        b'I' | b'L' | b'F' => {
            need!(c.line(), "INT/LONG/FLOAT");
            stack.push(Val::Other);
        }
        b'K' => {
            need!(c.take(1), "BININT1");
            stack.push(Val::Other);
        }
        b'M' => {
            need!(c.take(2), "BININT2");
            stack.push(Val::Other);
        }
        b'J' => {
            need!(c.take(4), "BININT");
            stack.push(Val::Other);
        }
        b'G' => {
            need!(c.take(8), "BINFLOAT");
            stack.push(Val::Other);
        }
        0x8a => {
            need!(c.blob(1), "LONG1");
            stack.push(Val::Other);
        }
        0x8b => {
            need!(c.blob(4), "LONG4");
            stack.push(Val::Other);
        }
        b'N' | 0x88 | 0x89 | b'}' | b']' | b')' | 0x8f | 0x97 => stack.push(Val::Other),
        b'P' => {
            need!(c.line(), "PERSID");
            stack.push(Val::Other);
        }
        0x82 => {
            need!(c.take(1), "EXT1");
            stack.push(Val::Other);
        }
        0x83 => {
            need!(c.take(2), "EXT2");
            stack.push(Val::Other);
        }
        0x84 => {
            need!(c.take(4), "EXT4");
            stack.push(Val::Other);
        }
        // imports
        b'c' | b'i' => {
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
        }
        0x93 => {
            let name = stack.pop().unwrap_or(Val::Other);
            let module = stack.pop().unwrap_or(Val::Other);
            let (module, name) = match (module, name) {
                (Val::Str(m), Val::Str(n)) => (m, n),
                (m, n) => (
                    if let Val::Str(m) = m { m } else { "?".into() },
                    if let Val::Str(n) = n { n } else { "?".into() },
                ),
            };
            w.imports.push(Import {
                module,
                name,
                op: ImportOp::StackGlobal,
                offset,
            });
            stack.push(Val::Other);
        }
        // memo
        0x94 => {
            memo.insert(memo.len() as u64, top(stack));
        }
        b'q' => {
            let i = need!(c.le(1), "BINPUT");
            memo.insert(i, top(stack));
        }
        b'r' => {
            let i = need!(c.le(4), "LONG_BINPUT");
            memo.insert(i, top(stack));
        }
        b'p' => {
            let line = text(need!(c.line(), "PUT"));
            let i = line.trim().parse::<u64>().unwrap_or(u64::MAX);
            memo.insert(i, top(stack));
        }
        b'h' => {
            let i = need!(c.le(1), "BINGET");
            stack.push(memo.get(&i).cloned().unwrap_or(Val::Other));
        }
        b'j' => {
            let i = need!(c.le(4), "LONG_BINGET");
            stack.push(memo.get(&i).cloned().unwrap_or(Val::Other));
        }
        b'g' => {
            let line = text(need!(c.line(), "GET"));
            let i = line.trim().parse::<u64>().unwrap_or(u64::MAX);
            stack.push(memo.get(&i).cloned().unwrap_or(Val::Other));
        }
        // structure
        b'(' => stack.push(Val::Mark),
        b'.' => return Step::Stop,
        b'0' => pop_n(stack, 1),
        b'1' => pop_mark(stack),
        b'2' => stack.push(top(stack)),
        b't' | b'l' | b'd' | 0x91 | b'o' => {
            pop_mark(stack);
            stack.push(Val::Other);
        }
        b'e' | b'u' | 0x90 => pop_mark(stack),
        0x85 => {
            pop_n(stack, 1);
            stack.push(Val::Other);
        }
        0x86 => {
            pop_n(stack, 2);
            stack.push(Val::Other);
        }
        0x87 => {
            pop_n(stack, 3);
            stack.push(Val::Other);
        }
        b'a' | b'b' => pop_n(stack, 1),
        b's' => pop_n(stack, 2),
        b'R' | 0x81 => {
            pop_n(stack, 2);
            stack.push(Val::Other);
        }
        0x92 => {
            pop_n(stack, 3);
            stack.push(Val::Other);
        }
        b'Q' => {
            pop_n(stack, 1);
            stack.push(Val::Other);
        }
        0x98 => {}
        0x80 => {
            let v = need!(c.u8(), "PROTO");
            if v > 5 {
                return Step::Bad(format!("PROTO {v} is not a pickle protocol"));
            }
        }
        0x95 => {
            need!(c.take(8), "FRAME");
        }
        other => return Step::Bad(format!("unknown opcode 0x{other:02x}")),
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
}
