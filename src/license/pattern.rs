//! How the license readers build their patterns: ASCII classes, a word
//! character widened to any non-ASCII character, compiled without the
//! literal prefilter. A Unicode `\w`, `\s` or `\b` inside a bounded
//! repetition compiles to an automaton that took tens of milliseconds at
//! every run that read a license; the prefilter's literal extraction took a
//! third of what was left (about 100 patterns are built at each run that
//! reads a text mri does not know, and the sentences they search are short).

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};

use regex_automata::util::iter::Searcher;
use regex_automata::util::syntax;
use regex_automata::Input;
use regex_syntax::hir::Hir;

mod branches;
mod engine;
mod gate;
mod literals;
mod order;
mod quick;

use engine::Engine;
pub use engine::Error;

/// A clause pattern: the `regex` crate's engines (a lazy DFA and a PikeVM
/// over one NFA, see `engine`), compiled at the first search its literal
/// gate lets through (see `gate`), with the part of `regex::Regex`'s
/// interface the readers use. Clones share one compiled pattern.
#[derive(Clone)]
pub struct Regex {
    lazy: Arc<Lazy>,
}

impl std::fmt::Debug for Regex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Regex").field(&self.lazy.source).finish()
    }
}

/// A pattern as written, its gate (the literals its every match holds, see
/// `quick`, `literals` and `gate`) read at its first search, and its
/// compiled form, parsed and compiled at its first search that the gate
/// lets through.
struct Lazy {
    source: String,
    /// A clause pattern, widened when it is parsed (see [`re`]); otherwise
    /// compiled as written with Unicode classes ([`Regex::new`]).
    clause: bool,
    gate: OnceLock<gate::Gate>,
    /// The pattern's literals in order (see `order`), where `quick` reads
    /// the pattern; asked only before the pattern is compiled.
    skeleton: OnceLock<Option<quick::Skeleton>>,
    order: OnceLock<Option<order::Order>>,
    parsed: OnceLock<Result<Parsed, String>>,
    /// Boxed: a compiled pattern holds its automata and their caches (1.5
    /// kB), and most patterns made are never compiled.
    engine: OnceLock<Result<Box<Engine>, String>>,
    /// A clause pattern's top-level branches, each gated and compiled on
    /// its own, where it has two or more (see `branches`); empty otherwise.
    /// The whole pattern is then compiled only for the groups of a match.
    branches: Box<[Arc<Lazy>]>,
}

/// A parsed pattern and the syntax it was parsed with.
struct Parsed {
    hir: Arc<Hir>,
    syntax: syntax::Config,
}

impl Lazy {
    /// `source`, registered with the gates; a clause pattern with two or
    /// more top-level branches gets them as patterns of their own where
    /// `split` (a branch is not split again).
    fn new(source: String, clause: bool, split: bool) -> Arc<Lazy> {
        let branches = match (clause && split)
            .then(|| branches::split(&source))
            .flatten()
        {
            Some(parts) => parts
                .into_iter()
                .map(|p| Lazy::new(p, true, false))
                .collect(),
            None => Box::default(),
        };
        let lazy = Arc::new(Lazy {
            source,
            clause,
            gate: OnceLock::new(),
            skeleton: OnceLock::new(),
            order: OnceLock::new(),
            parsed: OnceLock::new(),
            engine: OnceLock::new(),
            branches,
        });
        gate::register(&lazy);
        lazy
    }

    /// Whether the pattern matches in `hay` (its gate already open): by
    /// its branches where it has them, each behind its own gate.
    fn is_match_in(&self, hay: &str) -> bool {
        let input = Input::new(hay.as_bytes());
        if self.branches.is_empty() || branches::whole() {
            return self.engine().is_match(&input);
        }
        self.branches
            .iter()
            .any(|b| b.may_match(hay) && b.engine().is_match(&input))
    }

    /// The leftmost-first match in `input`'s span of `hay` (the pattern's
    /// gate already open): where the pattern has branches, the leftmost
    /// of theirs, the earliest branch's where two start together.
    fn search_in(&self, hay: &str, input: &Input<'_>) -> Option<regex_automata::Match> {
        if self.branches.is_empty() || branches::whole() {
            return self.engine().search(input);
        }
        let mut best: Option<regex_automata::Match> = None;
        for branch in self.branches.iter().filter(|b| b.may_match(hay)) {
            if let Some(m) = branch.engine().search(input) {
                if best.is_none_or(|b| m.start() < b.start()) {
                    best = Some(m);
                }
            }
        }
        best
    }

    /// The pattern that is compiled, and its syntax: a clause pattern
    /// with ASCII classes and its words widened, as bytes where it can be
    /// (see [`byte_form`]).
    fn compiled_form(&self) -> (Cow<'_, str>, syntax::Config) {
        if !self.clause {
            return (
                Cow::Borrowed(&self.source),
                syntax::Config::new().unicode(true),
            );
        }
        // `\w`, `\s`, `\d` and `\b` over Unicode compile to automata that
        // took about 60 ms to build at every run that read a license; a word
        // character is widened to any non-ASCII character instead (see
        // `widen_words`), so that a word such as `modèle` is still one word.
        match byte_form(&widen_words_as(&self.source, Form::Bytes)) {
            Some(bytes) => (
                Cow::Owned(bytes),
                syntax::Config::new().unicode(false).utf8(false),
            ),
            None => (
                Cow::Owned(widen_words(&self.source)),
                syntax::Config::new().unicode(false),
            ),
        }
    }

    fn parsed(&self) -> &Result<Parsed, String> {
        self.parsed.get_or_init(|| {
            let (pattern, syntax) = self.compiled_form();
            engine::parse(&pattern, &syntax)
                .map(|hir| Parsed {
                    hir: Arc::new(hir),
                    syntax,
                })
                .map_err(|e| e.to_string())
        })
    }

    /// The gate: from the pattern as written where `quick` reads it, else
    /// from the parsed pattern (none where it does not parse: its first
    /// search reports it).
    fn gate(&self) -> &gate::Gate {
        self.gate.get_or_init(|| {
            let skeleton = self.skeleton.get_or_init(|| quick::skeleton(&self.source));
            match skeleton {
                Some(skeleton) => gate::Gate::new(&literals::finish(skeleton.clauses())),
                None => match self.parsed() {
                    Ok(parsed) => gate::Gate::new(&literals::required(&parsed.hir)),
                    Err(_) => gate::Gate::default(),
                },
            }
        })
    }

    /// Whether the pattern may match in `hay` by its gate; before the
    /// pattern is compiled, by its literals in order as well (once it is,
    /// its automaton answers faster). A pattern searched by its branches
    /// leaves the order to each branch (its own order is theirs, checked
    /// again).
    fn gate_open(&self, hay: &str) -> bool {
        gate::may_match(self.gate(), hay.as_bytes())
            && (self.engine.get().is_some() || !self.branches.is_empty() || self.order_open(hay))
    }

    /// Whether the pattern may match in `hay` by its gate and by its
    /// literals in order, compiled or not.
    fn gate_and_order_open(&self, hay: &str) -> bool {
        gate::may_match(self.gate(), hay.as_bytes()) && self.order_open(hay)
    }

    /// Whether `hay` holds the pattern's literals in their order (true
    /// where `quick` does not read the pattern).
    fn order_open(&self, hay: &str) -> bool {
        let order = self.order.get_or_init(|| {
            let skeleton = self.skeleton.get_or_init(|| quick::skeleton(&self.source));
            skeleton.as_ref().map(order::Order::new)
        });
        order.as_ref().is_none_or(|o| o.may_match(hay.as_bytes()))
    }

    fn compiled(&self) -> &Result<Box<Engine>, String> {
        self.engine.get_or_init(|| match self.parsed() {
            Ok(parsed) => Engine::build(&parsed.hir, &parsed.syntax)
                .map(Box::new)
                .map_err(|e| e.to_string()),
            Err(e) => Err(e.clone()),
        })
    }

    /// The compiled pattern. The patterns are constants, checked by the
    /// tests: one that does not compile is a bug in mri.
    fn engine(&self) -> &Engine {
        match self.compiled() {
            Ok(engine) => engine,
            Err(e) => panic!("clause pattern {:?}: {e}", self.source),
        }
    }

    /// Whether the pattern may match in `hay`: false only where `hay`
    /// lacks every literal of one of its required clauses.
    fn may_match(&self, hay: &str) -> bool {
        match gate::mode() {
            gate::Mode::Off => true,
            gate::Mode::On => self.gate_open(hay),
            gate::Mode::Audit => {
                let open = self.gate_and_order_open(hay);
                if !open && self.engine().is_match(&Input::new(hay.as_bytes())) {
                    gate::record_miss(&self.source, hay);
                }
                open
            }
        }
    }

    /// Whether the gate read from the pattern as written (by `quick`) is
    /// implied by the parsed pattern's own clauses (`literals`): every
    /// string of some parsed clause contains a string of the quick clause.
    /// `None` where `quick` does not read the pattern.
    fn quick_gate_is_implied(&self) -> Option<bool> {
        let quick = literals::finish(quick::clauses(&self.source)?);
        let Ok(parsed) = self.parsed() else {
            return Some(true);
        };
        let parts = literals::parts(&parsed.hir);
        let contains = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).any(|w| w == needle);
        Some(quick.iter().all(|q| {
            parts
                .iter()
                .any(|p| !p.is_empty() && p.iter().all(|h| q.iter().any(|n| contains(h, n))))
        }))
    }
}

impl Regex {
    /// Compiles `p` with Unicode classes (as `regex::Regex::new` does), now.
    pub fn new(p: &str) -> Result<Regex, Error> {
        let syntax = syntax::Config::new().unicode(true);
        let hir = Arc::new(engine::parse(p, &syntax)?);
        let engine = Engine::build(&hir, &syntax)?;
        let regex = Regex::lazy(p.to_string(), false);
        let _ = regex.lazy.parsed.set(Ok(Parsed { hir, syntax }));
        let _ = regex.lazy.engine.set(Ok(Box::new(engine)));
        Ok(regex)
    }

    /// `source`, to be compiled at its first search that its gate lets
    /// through. The haystack is always searched as bytes; a pattern in
    /// [`byte_form`] matches whole characters only.
    fn lazy(source: String, clause: bool) -> Regex {
        Regex {
            lazy: Lazy::new(source, clause, true),
        }
    }

    fn engine(&self) -> &Engine {
        self.lazy.engine()
    }

    /// Whether the pattern matches anywhere in `hay`.
    pub fn is_match(&self, hay: &str) -> bool {
        self.lazy.may_match(hay) && self.lazy.is_match_in(hay)
    }

    /// The leftmost-first match in `hay`.
    pub fn find<'h>(&self, hay: &'h str) -> Option<Match<'h>> {
        if !self.lazy.may_match(hay) {
            return None;
        }
        self.lazy
            .search_in(hay, &Input::new(hay.as_bytes()))
            .map(|m| Match::new(hay, m.range()))
    }

    /// Every non-overlapping match in `hay`, left to right.
    pub fn find_iter<'r, 'h>(&'r self, hay: &'h str) -> impl Iterator<Item = Match<'h>> + 'r
    where
        'h: 'r,
    {
        self.matches(hay).map(move |m| Match::new(hay, m.range()))
    }

    /// The matches of the engine in `hay`, as `regex` iterates them (an
    /// empty match never follows a match at the same place).
    fn matches<'r, 'h>(&'r self, hay: &'h str) -> impl Iterator<Item = regex_automata::Match> + 'r
    where
        'h: 'r,
    {
        let open = self.lazy.may_match(hay);
        let mut searcher = Searcher::new(Input::new(hay.as_bytes()));
        std::iter::from_fn(move || {
            if !open {
                return None;
            }
            searcher.advance(|input| Ok(self.lazy.search_in(hay, input)))
        })
    }

    /// The groups of `m`, a match found in `hay`.
    fn captures_at<'h>(&self, hay: &'h str, m: regex_automata::Match) -> Captures<'h> {
        let engine = self.engine();
        let mut caps = engine.create_captures();
        engine.captures_of(hay.as_bytes(), m, &mut caps);
        Captures { hay, caps }
    }

    /// The groups of the leftmost-first match in `hay`.
    pub fn captures<'h>(&self, hay: &'h str) -> Option<Captures<'h>> {
        if !self.lazy.may_match(hay) {
            return None;
        }
        let m = self.lazy.search_in(hay, &Input::new(hay.as_bytes()))?;
        Some(self.captures_at(hay, m))
    }

    /// The groups of every non-overlapping match in `hay`.
    pub fn captures_iter<'r, 'h>(&'r self, hay: &'h str) -> impl Iterator<Item = Captures<'h>> + 'r
    where
        'h: 'r,
    {
        self.matches(hay).map(move |m| self.captures_at(hay, m))
    }

    /// `hay` with every match replaced by `with` (taken literally).
    pub fn replace_all<'h>(&self, hay: &'h str, with: &str) -> Cow<'h, str> {
        splice(hay, self.find_iter(hay).map(|m| (m, Cow::Borrowed(with))))
    }

    /// `hay` with every match replaced by what `with` makes of its groups.
    pub fn replace_all_with<'h>(
        &self,
        hay: &'h str,
        mut with: impl FnMut(&Captures<'h>) -> String,
    ) -> Cow<'h, str> {
        let pieces = self
            .captures_iter(hay)
            .filter_map(|caps| Some((caps.get(0)?, Cow::Owned(with(&caps)))));
        splice(hay, pieces)
    }
}

/// Runs `f` with every pattern's gate open on this thread: each pattern is
/// compiled and searched wherever it is asked, as before gating. For the
/// tests that compare gated and ungated readings.
pub fn ungated<T>(f: impl FnOnce() -> T) -> T {
    gate::with_mode(gate::Mode::Off, f)
}

/// Runs `f` with every pattern searched whole on this thread, not by its
/// branches (see `branches`). For the tests that compare the two.
pub fn unsplit<T>(f: impl FnOnce() -> T) -> T {
    branches::with_whole(f)
}

/// Runs `f` with every gate this thread closes checked against the
/// pattern's own search; returns `f`'s value and, for each match a closed
/// gate hid, the pattern and the text. For the tests of the gates.
pub fn audited<T>(f: impl FnOnce() -> T) -> (T, Vec<(String, String)>) {
    let _ = gate::take_misses();
    let out = gate::with_mode(gate::Mode::Audit, f);
    (out, gate::take_misses())
}

/// The patterns made so far whose gate, or literals in order (see
/// `order`), rule out `hay` although they match it (none, if the gates and
/// the ordered checks are exact). For the tests of the gates.
pub fn gate_misses(hay: &str) -> Vec<String> {
    gate::all_patterns()
        .into_iter()
        .filter(|lazy| lazy.compiled().is_ok())
        .filter(|lazy| {
            !lazy.gate_and_order_open(hay) && lazy.engine().is_match(&Input::new(hay.as_bytes()))
        })
        .map(|lazy| lazy.source.clone())
        .collect()
}

/// The patterns made so far that have branches and whose matches in
/// `hay`, found by their branches (every branch searched), differ from the
/// whole pattern's (none, if searching by branches is exact). For the tests
/// of `branches`.
pub fn split_misses(hay: &str) -> Vec<String> {
    gate::all_patterns()
        .into_iter()
        .filter(|lazy| !lazy.branches.is_empty())
        .filter(|lazy| {
            let regex = Regex {
                lazy: Arc::clone(lazy),
            };
            let matches = || -> Vec<_> { regex.find_iter(hay).map(|m| m.range()).collect() };
            unsplit(matches) != ungated(matches)
        })
        .map(|lazy| lazy.source.clone())
        .collect()
}

/// The patterns made so far whose gate, read from the pattern as written,
/// is not implied by the clauses of the parsed pattern (none, if the quick
/// reading is sound). For the tests of the gates.
pub fn quick_gate_errors() -> Vec<String> {
    gate::all_patterns()
        .into_iter()
        .filter(|lazy| lazy.quick_gate_is_implied() == Some(false))
        .map(|lazy| lazy.source.clone())
        .collect()
}

/// `hay` with each match in `pieces` (left to right, not overlapping)
/// replaced by its text; `hay` itself where there is none.
fn splice<'h, 'w>(
    hay: &'h str,
    pieces: impl Iterator<Item = (Match<'h>, Cow<'w, str>)>,
) -> Cow<'h, str> {
    let mut out: Option<String> = None;
    let mut last = 0;
    for (m, with) in pieces {
        let buf = out.get_or_insert_with(String::new);
        // Matches start and end at character boundaries (see `byte_form`).
        buf.push_str(hay.get(last..m.start()).unwrap_or_default());
        buf.push_str(&with);
        last = m.end();
    }
    match out {
        Some(mut buf) => {
            buf.push_str(hay.get(last..).unwrap_or_default());
            Cow::Owned(buf)
        }
        None => Cow::Borrowed(hay),
    }
}

/// A match: its place in the searched text and the text it covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Match<'h> {
    hay: &'h str,
    start: usize,
    end: usize,
}

impl<'h> Match<'h> {
    fn new(hay: &'h str, range: std::ops::Range<usize>) -> Match<'h> {
        Match {
            hay,
            start: range.start,
            end: range.end,
        }
    }

    /// The byte offset where the match starts.
    pub fn start(&self) -> usize {
        self.start
    }

    /// The byte offset just past the match.
    pub fn end(&self) -> usize {
        self.end
    }

    /// The byte range of the match.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start..self.end
    }

    /// The matched text (patterns are built for UTF-8, so a match never
    /// splits a character).
    pub fn as_str(&self) -> &'h str {
        self.hay.get(self.start..self.end).unwrap_or_default()
    }
}

/// The groups of one match.
#[derive(Debug, Clone)]
pub struct Captures<'h> {
    hay: &'h str,
    caps: regex_automata::util::captures::Captures,
}

impl<'h> Captures<'h> {
    /// Group `i` (0 is the whole match), where it took part in the match.
    pub fn get(&self, i: usize) -> Option<Match<'h>> {
        self.caps
            .get_group(i)
            .map(|span| Match::new(self.hay, span.range()))
    }

    /// The named group `name`, where it took part in the match.
    pub fn name(&self, name: &str) -> Option<Match<'h>> {
        self.caps
            .get_group_by_name(name)
            .map(|span| Match::new(self.hay, span.range()))
    }
}

/// A clause pattern built with ASCII classes (a word character widened to any
/// non-ASCII character): fast to compile, unlike Unicode `\w` in bounded
/// repetitions. The patterns are constants, checked by the tests.
pub fn re(p: &str) -> Regex {
    // The patterns are constants checked by the tests below. They are built
    // with ASCII classes, widened when they are first parsed (see
    // `Lazy::compiled_form`).
    Regex::lazy(p.to_string(), true)
}

/// Any character but a sentence end, as a cheap class: an ASCII byte other
/// than `.;!?`, or any non-ASCII character (a Unicode `[^.;!?]` inside a
/// bounded repetition compiles to a large automaton at every run).
const NOT_END: &str = r"(?:[\x00-\x20\x22-\x2d\x2f-\x3a\x3c-\x3e\x40-\x7f]|(?u:[^\x00-\x7F]))";

/// A clause pattern of Chinese text (as [`re`]), `[^.;!?]` read as any
/// character but a sentence end. The patterns are constants, checked by the
/// tests.
pub fn re_zh(p: &str) -> Regex {
    re(&p.replace("[^.;!?]", NOT_END))
}

/// One non-ASCII character spelled as its UTF-8 bytes: a lead byte and the
/// continuation bytes after it. The same character as [`NON_ASCII`] on a
/// `&str`, but with no Unicode class, whose compilation allocates a 400 kB
/// table for each pattern (two fifths of `mri license`'s page faults). On
/// valid UTF-8 the greedy run takes exactly the character's continuation
/// bytes: nothing else in a byte-form pattern matches a continuation byte.
const NON_ASCII_BYTES: &str = r"(?:[\xC0-\xF7][\x80-\xBF]*)";

/// The continuation bytes after a lead byte (none after an ASCII byte).
const CONTINUATION: &str = r"[\x80-\xBF]*";

/// `p` (a pattern compiled with ASCII classes, whose only Unicode parts are
/// `(?u:…)` groups) rewritten to match bytes with no Unicode class: each
/// `(?u:[^\x00-\x7F])`, `(?u:.)` and `(?u:[^SET])` over a set of plain
/// ASCII characters becomes ASCII bytes or one whole UTF-8 character. On a
/// `&str` haystack it matches exactly what `p` matches, at character
/// boundaries: every other part of `p` matches ASCII bytes only (the
/// compiler refuses anything else without Unicode). `None` where a `(?u:…)`
/// group of another kind is left (the pattern is compiled as it is).
pub fn byte_form(p: &str) -> Option<String> {
    let mut out = p.replace(NON_ASCII, NON_ASCII_BYTES);
    out = out.replace("(?u:.)", &format!(r"(?:[^\n\x80-\xFF]|{NON_ASCII_BYTES})"));
    while let Some(at) = out.find("(?u:[^") {
        let rest = &out[at + 6..];
        let set_end = rest.find("])")?;
        let set = &rest[..set_end];
        if set.is_empty() || !set.is_ascii() || set.contains('\\') || set.contains('[') {
            return None;
        }
        let bytes = format!(r"(?:[^{set}\x80-\xFF]|{NON_ASCII_BYTES})");
        out.replace_range(at..at + 6 + set_end + 2, &bytes);
    }
    (!out.contains("(?u")).then_some(out)
}

/// Any character beyond ASCII, as a (cheap) Unicode class.
pub const NON_ASCII: &str = r"(?u:[^\x00-\x7F])";

/// Rewrites `\w`, and every bracket class that holds it, to also match any
/// non-ASCII character: the normaliser folds quotes and dashes to ASCII, so
/// what is left beyond ASCII is letters of words. A negated class holding
/// `\w` (`[^\w\s]`) matches no non-ASCII character (in the byte form; the
/// `&str` form refuses it).
pub fn widen_words(p: &str) -> String {
    widen_words_as(p, Form::Str)
}

/// How a widened word character is spelled.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Form {
    /// `(?:\w|NON_ASCII)`: for a pattern matched on a `&str`.
    Str,
    /// `(?:[\xC0-\xF7\w][\x80-\xBF]*)`: an ASCII word byte or a lead byte,
    /// then the character's continuation bytes (see [`byte_form`]).
    Bytes,
}

fn widen_words_as(p: &str, form: Form) -> String {
    let mut out = String::with_capacity(p.len() * 2);
    let mut class: Option<String> = None;
    let mut widen_class = false;
    let mut chars = p.chars();
    while let Some(c) = chars.next() {
        let piece = if c == '\\' {
            let escaped = chars.next();
            if escaped == Some('w') {
                if class.is_some() {
                    widen_class = true;
                } else {
                    out.push_str(&match form {
                        Form::Str => format!(r"(?:\w|{NON_ASCII})"),
                        Form::Bytes => format!(r"(?:[\xC0-\xF7\w]{CONTINUATION})"),
                    });
                    continue;
                }
            }
            let mut piece = String::from('\\');
            piece.extend(escaped);
            piece
        } else {
            c.to_string()
        };
        match class.as_mut() {
            Some(buf) => {
                let closes = c == ']' && buf.len() > 1 && buf != "[^";
                buf.push_str(&piece);
                if closes {
                    let buf = class.take().unwrap_or_default();
                    let negated = buf.starts_with("[^");
                    if widen_class && negated {
                        // not a widened word character: no non-ASCII
                        // character either (in the byte form, no byte of
                        // one); the `&str` form cannot say so without
                        // Unicode (its compiler refuses the class)
                        let set = buf.strip_suffix(']').unwrap_or(&buf);
                        out.push_str(&format!(r"{set}\x80-\xFF]"));
                    } else if widen_class && form == Form::Bytes {
                        let set = buf.strip_prefix('[').unwrap_or(&buf);
                        out.push_str(&format!(r"(?:[\xC0-\xF7{set}{CONTINUATION})"));
                    } else if widen_class {
                        out.push_str(&format!("(?:{buf}|{NON_ASCII})"));
                    } else {
                        out.push_str(&buf);
                    }
                }
            }
            None if c == '[' => {
                class = Some(piece);
                widen_class = false;
            }
            None => out.push_str(&piece),
        }
    }
    out.push_str(&class.unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A pattern's byte form matches what its `&str` form matches, at the
    /// same places and with the same groups, on English, accented, Chinese
    /// and four-byte text.
    #[test]
    fn byte_form_matches_what_the_str_form_matches() {
        let patterns = [
            r#"\b(?:model|modèle)\w*\s+(\w+)"#,
            r#""((?u:[^"])(?u:[^"]){0,58}(?u:[^"]))""#,
            r#"^(?:[\w().]{1,6}\s+)?"([\w\s'-]{1,60})"\s+means\b((?u:.)*)$"#,
            r"(?:仅|只|限于)(?u:[^\x00-\x7F]){0,12}非商业",
            r"\b(?:free|gratuit)\w{0,3}\b(?:\s+[\w,'-]+){0,4}",
        ];
        let texts = [
            "the model weights are free to use",
            "le modèle réservé est gratuit pour la recherche",
            "\"Derivatives\" means any modèle or 派生模型 🙂 made",
            "\"模型\" means 本模型及其权重",
            "您仅可出于非商业目的使用本模型",
            "仅限学术研究🙂非商业 use only",
            "free🙂🙂 of charge, for everyone",
            "",
        ];
        for p in patterns {
            let widened = widen_words(p);
            let bytes = byte_form(&widened).unwrap_or_else(|| panic!("{p}: no byte form"));
            assert!(!bytes.contains("(?u"), "{bytes}");
            let by_bytes = re(p);
            let by_str = regex::RegexBuilder::new(&widened)
                .unicode(false)
                .build()
                .unwrap_or_else(|e| panic!("{p}: {e}"));
            for t in texts {
                let a: Vec<_> = by_bytes.find_iter(t).map(|m| m.range()).collect();
                let b: Vec<_> = by_str.find_iter(t).map(|m| m.range()).collect();
                assert_eq!(a, b, "{p} on {t:?}");
                let ca = by_bytes.captures(t).map(|c| {
                    (1..3)
                        .map(|i| c.get(i).map(|m| m.as_str()))
                        .collect::<Vec<_>>()
                });
                let cb = by_str.captures(t).map(|c| {
                    (1..3)
                        .map(|i| c.get(i).map(|m| m.as_str()))
                        .collect::<Vec<_>>()
                });
                assert_eq!(ca, cb, "{p} on {t:?}");
            }
        }
    }

    /// A negated class holding `\w` excludes the widened word characters:
    /// no letter beyond ASCII matches it, punctuation does.
    #[test]
    fn a_negated_class_holding_a_word_character_excludes_non_ascii_letters() {
        let r = re(r"x[^\w\s]y");
        assert!(r.is_match("x-y"));
        assert!(!r.is_match("xéy"));
        assert!(!r.is_match("x模y"));
        assert!(!r.is_match("x y"));
        assert!(!r.is_match("xay"));
    }

    /// A `(?u:…)` group the byte form cannot spell keeps the `&str` form.
    #[test]
    fn unicode_groups_without_a_byte_spelling_keep_the_str_form() {
        assert_eq!(byte_form(r"(?u:[•·▪])"), None);
        assert_eq!(byte_form(r#"(?u:[^"\s])"#), None);
        assert!(re(r"^(?u:[•·▪])\s*x").is_match("• x"));
    }

    /// The engine (lazy DFA, PikeVM, reverse DFA built at the first match)
    /// finds what `regex` finds: leftmost-first spans, groups, empty matches,
    /// and a Unicode word boundary on non-ASCII text (where the lazy DFA
    /// quits and the PikeVM answers).
    #[test]
    fn the_engine_finds_what_regex_finds() {
        let patterns = [
            r"\b(commercial|non-commercial)\s+(use|purposes?)\b",
            r"a*",
            r"(?:not|never)\s+(\w+\s+){0,3}?commercial",
            r"\bmodèle\b|\b模型\b",
            r"(x)?y|z",
        ];
        let texts = [
            "no commercial use; non-commercial purposes only",
            "baaab a",
            "you may not in any way use it for commercial gain",
            "le modèle, 模型 and modèles",
            "zyxy xxz",
            "",
        ];
        for p in patterns {
            let ours = Regex::new(p).unwrap_or_else(|e| panic!("{p}: {e}"));
            let theirs = regex::Regex::new(p).unwrap_or_else(|e| panic!("{p}: {e}"));
            for t in texts {
                let a: Vec<_> = ours.find_iter(t).map(|m| m.range()).collect();
                let b: Vec<_> = theirs.find_iter(t).map(|m| m.range()).collect();
                assert_eq!(a, b, "{p} on {t:?}");
                assert_eq!(ours.is_match(t), theirs.is_match(t), "{p} on {t:?}");
                let ca: Vec<Vec<_>> = ours
                    .captures_iter(t)
                    .map(|c| (0..3).map(|i| c.get(i).map(|m| m.range())).collect())
                    .collect();
                let cb: Vec<Vec<_>> = theirs
                    .captures_iter(t)
                    .map(|c| (0..3).map(|i| c.get(i).map(|m| m.range())).collect())
                    .collect();
                assert_eq!(ca, cb, "{p} on {t:?}");
            }
        }
    }

    /// A pattern that does not compile is reported, naming it, at its
    /// first search (the helper keeps the error instead of panicking).
    #[test]
    #[should_panic(expected = "clause pattern")]
    fn a_pattern_that_does_not_compile_is_named_at_its_first_search() {
        let r = re(r"(unclosed");
        r.is_match("unclosed");
    }

    #[test]
    fn replace_all_keeps_the_text_between_matches() {
        let r = re(r"\bnot\b");
        assert_eq!(r.replace_all("模型 not 商业 not", "_"), "模型 _ 商业 _");
        assert!(matches!(r.replace_all("模型", "_"), Cow::Borrowed(_)));
        let n = re(r"\b(one|two)\s+(million)\b");
        let out = n.replace_all_with("模型 two million and one million", |c| {
            let w = c.get(1).map_or("", |m| m.as_str());
            format!(
                "{}{}",
                if w == "one" { 1 } else { 2 },
                c.get(2).map_or("", |m| m.as_str())
            )
        });
        assert_eq!(out, "模型 2million and 1million");
    }
}
