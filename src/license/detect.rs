//! Which license a text is: shingle similarity against every bundled text
//! (knowledge base and SPDX), versions told apart by their title and release
//! date, and the residual — what the text says beyond the license it matches.

use super::kb::{kb, spdx_id_of_file, LicenseEntry};
use super::text::{contains, dice, shingle_hash, shingles_of, NormText, SHINGLE};
use std::borrow::Cow;
use std::sync::OnceLock;

/// A similarity at or above this is a match.
pub const MATCH: f32 = 0.80;
/// Between this and [`MATCH`], the text is only similar.
pub const SIMILAR: f32 = 0.50;
/// Runner-ups within this of the best are reported.
pub const CLOSE: f32 = 0.10;

/// Where a reference text comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefKind {
    /// A knowledge-base entry.
    Kb,
    /// A standard SPDX license.
    Spdx,
}

/// A bundled text ready for comparison.
struct Reference {
    id: String,
    kind: RefKind,
    /// Sorted shingle hashes, computed by the build script (read in place
    /// from the binary where it can).
    shingles: Cow<'static, [u64]>,
}

fn references() -> &'static [Reference] {
    static REFS: OnceLock<Vec<Reference>> = OnceLock::new();
    REFS.get_or_init(|| {
        let kb = kb();
        let mut refs = Vec::new();
        for e in &kb.entries {
            if let Some(shingles) = kb.text_shingles(&e.text_file) {
                refs.push(Reference {
                    id: e.id.clone(),
                    kind: RefKind::Kb,
                    shingles,
                });
            }
        }
        for (file, _) in kb.spdx_texts() {
            if let Some(shingles) = kb.text_shingles(file) {
                refs.push(Reference {
                    id: spdx_id_of_file(file).to_string(),
                    kind: RefKind::Spdx,
                    shingles,
                });
            }
        }
        refs
    })
}

/// A candidate license for a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    /// Knowledge-base id or SPDX id.
    pub id: String,
    /// Which kind of id.
    pub kind: RefKind,
    /// Similarity after version adjustments, 0–1.
    pub score: f32,
}

/// What a text was found to be.
#[derive(Debug, Clone, Default)]
pub struct Detection {
    /// The best candidate, when any scored above zero.
    pub best: Option<Scored>,
    /// The next best, when within [`CLOSE`] of the best.
    pub runner_up: Option<Scored>,
    /// Sentences of the text that the best candidate's text does not cover.
    pub residual: Vec<(usize, usize)>,
    /// Words in those sentences.
    pub residual_words: usize,
    /// Words in residual sentences that are not boilerplate (disclaimers,
    /// copyright lines, pointers to the license): terms the matched text lacks.
    pub unexplained_words: usize,
    /// Words of the text that the best candidate's text does not have at
    /// that place (inserted or changed words), in order, leaving out
    /// copyright lines and a title line: where the text departs from the
    /// license it matches.
    pub changed_words: Vec<usize>,
    /// The id of the bundled text the residual and changed words were
    /// measured against (the best candidate's, or for a version without a
    /// text of its own, its family's closest).
    pub reference: Option<String>,
}

/// Date spellings of an ISO `YYYY-MM-DD` (or `YYYY-MM`) as license texts write them.
fn date_spellings(iso: &str) -> Vec<String> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let parts: Vec<&str> = iso.split('-').collect();
    let (Some(y), Some(m)) = (
        parts.first(),
        parts.get(1).and_then(|m| m.parse::<usize>().ok()),
    ) else {
        return Vec::new();
    };
    let Some(month) = m.checked_sub(1).and_then(|i| MONTHS.get(i)) else {
        return Vec::new();
    };
    match parts.get(2).and_then(|d| d.parse::<u32>().ok()) {
        Some(d) => vec![
            format!("{month} {d}, {y}"),
            format!("{d} {month} {y}"),
            iso.to_string(),
        ],
        None => vec![format!("{month} {y}"), iso.to_string()],
    }
}

/// How strongly the text names this version: title phrases and release date.
fn version_bonus(entry: &LicenseEntry, text: &NormText) -> f32 {
    let mut bonus = 0.0;
    if entry.title_phrases.iter().any(|p| text.find(p).is_some()) {
        bonus += 0.04;
    }
    if !entry.released.is_empty()
        && date_spellings(&entry.released)
            .iter()
            .any(|d| text.find(d).is_some())
    {
        bonus += 0.02;
    }
    bonus
}

/// Detects which license `text` is.
pub fn detect(text: &NormText) -> Detection {
    let tokens = text.tokens();
    let shingles = shingles_of(&tokens);
    let kb = kb();
    let mut scored: Vec<Scored> = references()
        .iter()
        .map(|r| Scored {
            id: r.id.clone(),
            kind: r.kind,
            score: dice(&shingles, &r.shingles),
        })
        .collect();
    // Versions: a family whose best text matches lends its score to the
    // member (with or without a bundled text) that the title and date name.
    let best_raw = scored.iter().map(|s| s.score).fold(0.0f32, f32::max);
    if best_raw >= SIMILAR {
        let mut extra = Vec::new();
        for s in scored.iter_mut().filter(|s| s.kind == RefKind::Kb) {
            if let Some(e) = kb.get(&s.id) {
                s.score += version_bonus(e, text);
            }
        }
        for e in kb.entries.iter().filter(|e| e.text_file.is_empty()) {
            let family_best = scored
                .iter()
                .filter(|s| {
                    s.kind == RefKind::Kb && kb.get(&s.id).is_some_and(|f| f.family == e.family)
                })
                .map(|s| s.score)
                .fold(0.0f32, f32::max);
            let bonus = version_bonus(e, text);
            if family_best >= SIMILAR && bonus >= 0.04 {
                extra.push(Scored {
                    id: e.id.clone(),
                    kind: RefKind::Kb,
                    score: family_best + bonus - 0.001,
                });
            }
        }
        scored.extend(extra);
    }
    scored.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
    let mut it = scored.into_iter();
    let best = it.next().filter(|s| s.score > 0.0);
    let runner_up = it.next().filter(|r| {
        best.as_ref()
            .is_some_and(|b| b.score - r.score <= CLOSE && r.score > 0.0)
    });
    let mut detection = Detection {
        best: best.map(|mut b| {
            b.score = b.score.min(1.0);
            b
        }),
        runner_up: runner_up.map(|mut r| {
            r.score = r.score.min(1.0);
            r
        }),
        ..Default::default()
    };
    if let Some(b) = &detection.best {
        let reference = references().iter().find(|r| r.id == b.id).or_else(|| {
            // a text-less version: its family's closest text
            let family = &kb.get(&b.id)?.family;
            references()
                .iter()
                .filter(|r| {
                    r.kind == RefKind::Kb && kb.get(&r.id).is_some_and(|e| &e.family == family)
                })
                .max_by(|x, y| {
                    dice(&shingles, &x.shingles).total_cmp(&dice(&shingles, &y.shingles))
                })
        });
        if let Some(reference) = reference {
            let (residual, words) = residual(text, &reference.shingles);
            detection.unexplained_words = residual
                .iter()
                .filter(|(f, l)| !is_boilerplate(text.words_text(*f, *l)))
                .map(|(f, l)| l + 1 - f)
                .sum();
            detection.residual = residual;
            detection.residual_words = words;
            detection.changed_words = changed_words(text, &reference.shingles);
            detection.reference = Some(reference.id.clone());
        }
    }
    detection
}

/// The bundled text of reference `id` (a knowledge-base or SPDX id), as
/// [`Detection::reference`] names it.
pub fn reference_text(id: &str) -> Option<&'static str> {
    let kb = kb();
    match references().iter().find(|r| r.id == id)?.kind {
        RefKind::Kb => kb.get(id).and_then(|e| kb.text(e)),
        RefKind::Spdx => kb
            .spdx_texts()
            .iter()
            .find(|(file, _)| spdx_id_of_file(file) == id)
            .map(|(_, text)| *text),
    }
}

/// The shingles of a known text a text may lack and still hold it whole:
/// those its copyright line's placeholders (`<year> <copyright holders>`)
/// break.
const WHOLE_BUT: usize = 6;

/// True when `text` holds the whole reference text `id` (a knowledge-base or
/// SPDX id) with no word changed or inserted inside it: words of its own
/// only before or after it (a preface, a translation, a list of
/// third-party licenses), and a copyright line of its own.
pub fn holds_whole(text: &NormText, id: &str) -> bool {
    let Some(reference) = references().iter().find(|r| r.id == id) else {
        return false;
    };
    let mut own = shingles_of(&text.tokens());
    own.sort_unstable();
    own.dedup();
    let missing = reference
        .shingles
        .iter()
        .filter(|h| own.binary_search(h).is_err())
        .count();
    if reference.shingles.is_empty() || missing > WHOLE_BUT {
        return false;
    }
    let (tokens, covered) = covered_words(text, &reference.shingles);
    // the body: covered runs longer than a title ("MIT License" and the
    // word after it)
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for ((_, w), c) in tokens.iter().zip(&covered) {
        match runs.last_mut() {
            Some((_, end)) if *c && *end + 1 >= *w => *end = *w,
            _ if *c => runs.push((*w, *w)),
            _ => {}
        }
    }
    runs.retain(|(f, l)| l - f > SHINGLE + 1);
    let (Some(&(first, _)), Some(&(_, last))) = (runs.first(), runs.last()) else {
        return false;
    };
    !changed_words(text, &reference.shingles)
        .iter()
        .any(|&w| w > first && w < last)
}

/// Warranty disclaimers, liability limits, copyright lines and pointers to a
/// license: text that license files carry beside their terms.
pub fn is_boilerplate(sentence: &str) -> bool {
    static BOILERPLATE: OnceLock<crate::license::pattern::Regex> = OnceLock::new();
    BOILERPLATE
        .get_or_init(|| {
            crate::license::pattern::Regex::new(r#"\bas is\b|\bwarrant|\bliab|\bdamages\b|\bcopyright\b|all rights reserved|licensed under|obtain a copy|limitations under the license|see the license|\bdisclaim"#)
                .unwrap_or_else(|e| panic!("boilerplate pattern: {e}"))
        })
        .is_match(sentence)
}

/// The text's word tokens (token, word index), and for each whether a
/// shingle of `reference` covers it.
fn covered_words<'a>(text: &'a NormText, reference: &[u64]) -> (Vec<(&'a str, usize)>, Vec<bool>) {
    let tokens = text.word_tokens();
    let mut covered = vec![false; tokens.len()];
    let words: Vec<&str> = tokens.iter().map(|(t, _)| *t).collect();
    for (i, window) in words.windows(SHINGLE).enumerate() {
        if contains(reference, shingle_hash(window)) {
            for c in covered.iter_mut().skip(i).take(SHINGLE) {
                *c = true;
            }
        }
    }
    (tokens, covered)
}

/// Words none of whose shingles occur in `reference` at all (every token of the
/// word is outside each shingle of the reference that the text shares): the
/// words inserted into, or changed in, the reference text. Words on copyright
/// lines (holder, year) and on a short title line before the text are left out.
pub fn changed_words(text: &NormText, reference: &[u64]) -> Vec<usize> {
    let (tokens, covered) = covered_words(text, reference);
    let first_covered_line = tokens
        .iter()
        .zip(&covered)
        .find(|(_, c)| **c)
        .map(|((_, w), _)| text.lines_of(*w, *w).0)
        .unwrap_or(0);
    let lines = text.original_lines();
    let mut out: Vec<usize> = Vec::new();
    // whether the line of the previous changed word is left out (words come in order)
    let mut last_line: Option<(u32, bool)> = None;
    for ((_, w), c) in tokens.iter().zip(&covered) {
        if *c || out.last() == Some(w) {
            continue;
        }
        let line = text.lines_of(*w, *w).0;
        let skip = match last_line {
            Some((l, skip)) if l == line => skip,
            _ => {
                let line_text = lines
                    .get(line.saturating_sub(1) as usize)
                    .copied()
                    .unwrap_or("");
                let skip = is_copyright_line(line_text)
                    || (line < first_covered_line && is_title_line(line_text));
                last_line = Some((line, skip));
                skip
            }
        };
        if !skip {
            out.push(*w);
        }
    }
    out
}

/// A line naming a copyright holder or year (the parts of a license text a
/// licensor fills in).
fn is_copyright_line(line: &str) -> bool {
    if line.split_whitespace().nth(20).is_some() {
        return false;
    }
    let lower = line.to_lowercase();
    let start = lower.trim_start_matches(|c: char| !c.is_alphanumeric() && c != '(' && c != '©');
    start.starts_with("copyright")
        || start.starts_with("(c)")
        || start.starts_with('©')
        || lower.contains("all rights reserved")
}

/// A short line that only titles the text ("The MIT License (MIT)").
fn is_title_line(line: &str) -> bool {
    if line.split_whitespace().nth(8).is_some() {
        return false;
    }
    let lower = line.to_lowercase();
    lower.contains("license") || lower.contains("licence")
}

/// Sentences less than half of whose shingles occur in `reference`.
fn residual(text: &NormText, reference: &[u64]) -> (Vec<(usize, usize)>, usize) {
    let mut out = Vec::new();
    let mut words = 0;
    for (f, l) in text.sentences() {
        let sentence = text.words_text(f, l);
        let tokens: Vec<&str> = sentence
            .split(|c: char| !c.is_alphanumeric())
            .filter(|t| !t.is_empty())
            .collect();
        if tokens.len() < SHINGLE + 2 {
            continue;
        }
        let set = shingles_of(&tokens);
        let covered = set.iter().filter(|&&h| contains(reference, h)).count();
        if covered * 2 < set.len() {
            words += tokens.len();
            out.push((f, l));
        }
    }
    (out, words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_texts_detect_as_themselves() {
        let kb = kb();
        for e in &kb.entries {
            let Some(text) = kb.text(e) else { continue };
            let d = detect(&NormText::new(text));
            let best = d.best.expect("a match");
            assert!(best.score >= MATCH, "{}: {}", e.id, best.score);
            // two entries may share a text (versions told apart by title): the
            // detected one must at least be of the same family
            let got = kb.get(&best.id).map(|g| g.family.clone());
            assert_eq!(
                got.as_deref(),
                Some(e.family.as_str()),
                "{} detected as {}",
                e.id,
                best.id
            );
        }
    }

    #[test]
    fn spdx_texts_detect_as_themselves() {
        for (file, text) in kb().spdx_texts() {
            let d = detect(&NormText::new(text));
            let best = d.best.expect("a match");
            assert!(best.score >= MATCH, "{file}: {}", best.score);
        }
        let mit = kb()
            .spdx_texts()
            .iter()
            .find(|(f, _)| *f == "MIT.txt")
            .unwrap()
            .1;
        let d = detect(&NormText::new(mit));
        assert_eq!(d.best.unwrap().id, "MIT");
        assert!(d.residual.is_empty(), "{:?}", d.residual);
    }

    #[test]
    fn unrelated_text_matches_nothing() {
        let d = detect(&NormText::new(
            "Bake the bread at two hundred degrees for forty minutes, then let it cool on a rack before slicing it thin.",
        ));
        assert!(d.best.is_none_or(|b| b.score < SIMILAR));
    }

    #[test]
    fn dates_are_spelled_as_texts_write_them() {
        assert!(date_spellings("2024-07-23").contains(&"july 23, 2024".to_string()));
        assert!(date_spellings("2024-12").contains(&"december 2024".to_string()));
        assert!(date_spellings("garbage").is_empty());
    }
}

#[cfg(test)]
mod boilerplate_tests {
    #[test]
    fn disclaimers_are_boilerplate() {
        assert!(super::is_boilerplate(
            "this software is provided \"as is\" and any warranties are disclaimed."
        ));
        assert!(super::is_boilerplate("copyright 2023 someone"));
        assert!(!super::is_boilerplate("you must display our logo."));
    }
}
