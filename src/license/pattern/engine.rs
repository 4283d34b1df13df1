//! One compiled clause pattern: a forward Thompson NFA, searched by a lazy
//! DFA (does the pattern match, and where does the leftmost-first match
//! end) and by a PikeVM over the same NFA (the groups of a match). The
//! reverse automaton that finds where a match starts is compiled the first
//! time the pattern matches, not before: most patterns never match a given
//! license, and compiling the reverse NFA up front was a quarter of the
//! time every `mri license` process spent compiling patterns. The searches
//! give what `regex_automata::meta` gives for the same pattern (forward lazy
//! DFA to the end, anchored reverse lazy DFA to the start, PikeVM for the
//! groups); meta builds all of it, and a one-pass DFA and a backtracker, at
//! compile time.

use std::panic::{RefUnwindSafe, UnwindSafe};
use std::sync::{Arc, OnceLock};

use regex_automata::hybrid::dfa::{Cache as DfaCache, Config as DfaConfig, DFA};
use regex_automata::nfa::thompson::{self, pikevm, WhichCaptures, NFA};
use regex_automata::util::captures::Captures;
use regex_automata::util::pool::Pool;
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input, Match, MatchKind};
use regex_syntax::hir::Hir;

/// Why a pattern did not compile.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The pattern is not valid syntax.
    #[error("pattern syntax: {0}")]
    Syntax(#[from] Box<regex_syntax::Error>),
    /// The NFA could not be built.
    #[error("pattern automaton: {0}")]
    Nfa(#[from] Box<thompson::BuildError>),
    /// The lazy DFA could not be built.
    #[error("pattern DFA: {0}")]
    Dfa(#[from] Box<regex_automata::hybrid::BuildError>),
}

/// The mutable state one search needs, one set per thread at a time.
/// The PikeVM's and the reverse DFA's are made at their first use (the
/// PikeVM's holds a slot table the size of the NFA, and most patterns are
/// never asked for groups).
struct Caches {
    forward: DfaCache,
    pike: Option<pikevm::Cache>,
    reverse: Option<DfaCache>,
}

type MakeCaches = Box<dyn Fn() -> Caches + Send + Sync + UnwindSafe + RefUnwindSafe>;

/// A compiled pattern.
pub(super) struct Engine {
    /// The parsed pattern, kept for the reverse NFA, and whether its NFAs
    /// are UTF-8.
    hir: Arc<Hir>,
    utf8: bool,
    forward: DFA,
    pike: pikevm::PikeVM,
    reverse: OnceLock<Option<DFA>>,
    caches: Pool<Caches, MakeCaches>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").finish_non_exhaustive()
    }
}

/// The NFA configuration `meta` uses for a pattern of this syntax.
fn nfa_config(syntax: &syntax::Config) -> thompson::Config {
    thompson::Config::new()
        .utf8(syntax.get_utf8())
        .shrink(false)
        .which_captures(WhichCaptures::All)
}

/// Parses `pattern`.
pub(super) fn parse(pattern: &str, syntax: &syntax::Config) -> Result<Hir, Error> {
    Ok(syntax::parse_with(pattern, syntax).map_err(Box::new)?)
}

impl Engine {
    /// Compiles `hir`, parsed with `syntax` (no reverse automaton yet).
    pub(super) fn build(hir: &Arc<Hir>, syntax: &syntax::Config) -> Result<Engine, Error> {
        let nfa = thompson::Compiler::new()
            .configure(nfa_config(syntax))
            .build_from_hir(hir)
            .map_err(Box::new)?;
        let forward = DFA::builder()
            .configure(
                DfaConfig::new()
                    .match_kind(MatchKind::LeftmostFirst)
                    .unicode_word_boundary(true),
            )
            .build_from_nfa(nfa.clone())
            .map_err(Box::new)?;
        let pike = pikevm::PikeVM::new_from_nfa(nfa).map_err(Box::new)?;
        let f = forward.clone();
        let make: MakeCaches = Box::new(move || Caches {
            forward: f.create_cache(),
            pike: None,
            reverse: None,
        });
        Ok(Engine {
            hir: Arc::clone(hir),
            utf8: syntax.get_utf8(),
            forward,
            pike,
            reverse: OnceLock::new(),
            caches: Pool::new(make),
        })
    }

    /// The reverse lazy DFA (built at its first use), as `meta` builds it:
    /// every match kind, anchored at the forward match's end. `None` where it
    /// does not build (the PikeVM answers then).
    fn reverse(&self) -> Option<&DFA> {
        self.reverse
            .get_or_init(|| {
                let nfa = reverse_nfa(&self.hir, self.utf8)?;
                DFA::builder()
                    .configure(
                        DfaConfig::new()
                            .match_kind(MatchKind::All)
                            .prefilter(None)
                            .unicode_word_boundary(true),
                    )
                    .build_from_nfa(nfa)
                    .ok()
            })
            .as_ref()
    }

    /// Whether the pattern matches in `input`'s span: the forward lazy DFA
    /// alone, stopping at the first match (no reverse automaton built).
    pub(super) fn is_match(&self, input: &Input<'_>) -> bool {
        let mut caches = self.caches.get();
        let caches = &mut *caches;
        let input = input.clone().earliest(true);
        match self.forward.try_search_fwd(&mut caches.forward, &input) {
            Ok(found) => found.is_some(),
            Err(_) => self.pike_find(caches, &input).is_some(),
        }
    }

    /// The leftmost-first match in `input`'s span.
    pub(super) fn search(&self, input: &Input<'_>) -> Option<Match> {
        let mut caches = self.caches.get();
        let caches = &mut *caches;
        let end = match self.forward.try_search_fwd(&mut caches.forward, input) {
            Ok(None) => return None,
            Ok(Some(half)) => half.offset(),
            Err(_) => return self.pike_find(caches, input),
        };
        let Some(reverse) = self.reverse() else {
            return self.pike_find(caches, input);
        };
        let cache = caches.reverse.get_or_insert_with(|| reverse.create_cache());
        let back = input
            .clone()
            .range(input.start()..end)
            .anchored(Anchored::Yes)
            .earliest(false);
        match reverse.try_search_rev(cache, &back) {
            Ok(Some(start)) => Some(Match::must(0, start.offset()..end)),
            _ => self.pike_find(caches, input),
        }
    }

    /// The PikeVM's cache in `caches`, made at its first use.
    fn pike_cache<'c>(&self, caches: &'c mut Caches) -> &'c mut pikevm::Cache {
        caches.pike.get_or_insert_with(|| self.pike.create_cache())
    }

    /// The leftmost-first match by the PikeVM alone (where a DFA gave up).
    fn pike_find(&self, caches: &mut Caches, input: &Input<'_>) -> Option<Match> {
        let cache = self.pike_cache(caches);
        self.pike.find(cache, input.clone())
    }

    /// Fresh storage for the groups of a match.
    pub(super) fn create_captures(&self) -> Captures {
        self.pike.create_captures()
    }

    /// The groups of `m`, a match [`Engine::search`] found in `hay`.
    pub(super) fn captures_of(&self, hay: &[u8], m: Match, caps: &mut Captures) {
        let mut caches = self.caches.get();
        let cache = self.pike_cache(&mut caches);
        let input = Input::new(hay).range(m.range()).anchored(Anchored::Yes);
        self.pike.search(cache, &input, caps);
    }
}

/// The reverse NFA `meta` builds for the reverse lazy DFA (no groups).
fn reverse_nfa(hir: &Hir, utf8: bool) -> Option<NFA> {
    thompson::Compiler::new()
        .configure(
            thompson::Config::new()
                .utf8(utf8)
                .shrink(false)
                .which_captures(WhichCaptures::None)
                .reverse(true),
        )
        .build_from_hir(hir)
        .ok()
}
