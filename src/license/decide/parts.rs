//! A text that applies named known licenses to the model's parts (a
//! weights inventory whose rows say "AGPL-3.0", "MIT", "BSD-3-Clause"; "the
//! upstream Apache-2.0 license is retained … the Gemma Terms of Use … apply
//! to those components"), where its own clauses decide nothing: judged on
//! the strictest license it names (fail closed), each naming sentence of a
//! license with conditions cited. It stays `unknown` where a part's license
//! is said not to be known, or a license named is not one mri knows.

use super::files::names_code_only;
use super::resolve::{spdx_or_kb, Resolved};
use super::{Decision, ReadFile};
use crate::finding::{Code, Finding};
use crate::license::clauses::ClauseHit;
use crate::license::kb::{self, kb, LicenseEntry};
use crate::license::pattern::{re, Regex};
use crate::license::spdx_facts;
use crate::license::text::NormText;
use crate::license::verdict::{ObligationKind, Verdict};
use std::sync::OnceLock;

/// Texts longer than this (in words) are agreements, not notices of parts.
const MAX_WORDS: usize = 1500;

/// A license the text names for the model, and the sentences naming it.
pub(super) struct Part {
    license: Resolved,
    sentences: Vec<(usize, usize)>,
}

/// What a text says of its parts' licenses.
pub(super) enum Parts {
    /// At least two licenses named, every one known with a verdict.
    Named(Vec<Part>),
    /// A license named, and a part whose license the text says is not
    /// known (that sentence): the whole is unknown.
    Unknown((usize, usize)),
}

/// The licenses a text names for the model's parts: `None` unless it names
/// at least two, every one known with a verdict, or names one and says of
/// a part that its license is not known.
pub(super) fn named_parts(text: &NormText) -> Option<Parts> {
    if text.len() > MAX_WORDS {
        return None;
    }
    let sentences = text.sentences();
    // the models the product does not ship are not its terms
    let unshipped = super::shipped::not_shipped_lines(text);
    let mut left_out = false;
    let mut parts: Vec<Part> = Vec::new();
    for &(f, l) in &sentences {
        let s = text.words_text(f, l);
        if names_code_only(s) || negated(s) {
            continue;
        }
        if super::shipped::on_marked_line(text, &unshipped, (f, l)) {
            left_out |= !names_in(text, (f, l)).is_empty();
            continue;
        }
        for license in names_in(text, (f, l)) {
            match parts.iter_mut().find(|p| p.license.id() == license.id()) {
                Some(p) => p.sentences.push((f, l)),
                None => parts.push(Part {
                    license,
                    sentences: vec![(f, l)],
                }),
            }
        }
    }
    // rights reserved over the whole, or a proprietary model: the parts'
    // licenses do not say what the whole is
    if parts.is_empty() || reserved(&text.norm) {
        return None;
    }
    if let Some(&unknown) = sentences.iter().find(|&&(f, l)| {
        license_not_known(text.words_text(f, l))
            && !super::shipped::on_marked_line(text, &unshipped, (f, l))
    }) {
        return Some(Parts::Unknown(unknown));
    }
    let known = parts
        .iter()
        .all(|p| p.license.verdict() != Verdict::Unknown);
    // one license left beside those of models not shipped: still an
    // inventory, judged on what it ships
    ((parts.len() >= 2 || left_out) && known).then_some(Parts::Named(parts))
}

/// Decides a file by the licenses of its parts: the strictest of them, made
/// stricter by the file's own clauses.
pub(super) fn decide(d: &mut Decision, rf: &ReadFile<'_>, parts: &Parts) {
    let (norm, path) = (&rf.norm, &rf.file.path);
    let parts = match parts {
        Parts::Named(parts) => parts,
        Parts::Unknown((f, l)) => {
            let (line, _) = norm.lines_of(*f, *l);
            d.reason(format!(
                "{path}: names licenses for some parts, but a part's license is not known (line {line}: “{}”) → unknown",
                norm.quote(*f, *l, 120)
            ));
            d.findings.push(
                Finding::warning(
                    Code::LicenseUnknown,
                    format!("names licenses for some parts, but says at line {line} that a part's license is not known; verdict: unknown"),
                )
                .in_file(path),
            );
            d.unrecognised(
                path,
                "a part's license not known".into(),
                0.0,
                Verdict::Unknown,
            );
            d.verdicts.push(Verdict::Unknown);
            for h in &rf.hits {
                let o = super::obligations::from_hit(h, norm, path, "unrecognised");
                d.extra_obligations.push(o);
            }
            return;
        }
    };
    let named = parts
        .iter()
        .map(|p| p.license.verdict())
        .fold(Verdict::Permitted, Verdict::stricter);
    let unshipped = super::shipped::not_shipped_lines(norm);
    let own = rf
        .hits
        .iter()
        .filter(|h| h.weighs() && !super::shipped::on_marked_line(norm, &unshipped, h.words))
        .map(|h| h.kind.verdict_cap())
        .fold(Verdict::Permitted, Verdict::stricter);
    let verdict = named.stricter(own);
    let strictest = parts
        .iter()
        .find(|p| p.license.verdict() == named)
        .map(|p| p.license.id())
        .unwrap_or_default();
    let listed: Vec<String> = parts
        .iter()
        .map(|p| {
            let (line, _) = norm.lines_of(p.sentences[0].0, p.sentences[0].1);
            format!(
                "{} ({}) at line {line}",
                p.license.id(),
                p.license.verdict()
            )
        })
        .collect();
    d.reason(format!(
        "{path}: names a license for each of its parts: {}; judged on the strictest, {strictest}, and its own clauses → {verdict}",
        listed.join(", ")
    ));
    for p in parts {
        let v = p.license.verdict();
        d.detected(
            &p.license,
            "file",
            Some(path.clone()),
            None,
            0.6,
            None,
            v,
            false,
        );
        // a part under terms with conditions: those terms travel with it;
        // a Creative Commons Attribution part asks for its credit
        let credit = p.license.id().starts_with("CC-BY");
        for &words in &p.sentences {
            let kinds = [
                (v != Verdict::Permitted).then_some(ObligationKind::UseRestrictionsPassdown),
                credit.then_some(ObligationKind::Attribution),
            ];
            for kind in kinds.into_iter().flatten() {
                let hit = ClauseHit {
                    kind,
                    value: p.license.id(),
                    words,
                };
                let o = super::obligations::from_hit(&hit, norm, path, &p.license.id());
                d.extra_obligations.push(o);
            }
        }
        d.file_ids.insert(p.license.id());
        d.declared_families.insert(p.license.family());
        d.licensed
            .push((p.license.clone(), Some(path.clone()), None));
    }
    for h in &rf.hits {
        let o = super::obligations::from_hit(h, norm, path, &strictest);
        d.extra_obligations.push(o);
    }
    d.verdicts.push(verdict);
}

/// The known licenses a sentence names: knowledge-base names and aliases
/// of three words or more, the SPDX names of `references.toml`, and SPDX
/// ids written as such ("AGPL-3.0", "BSD-3-Clause", "MIT").
fn names_in(text: &NormText, (f, l): (usize, usize)) -> Vec<Resolved> {
    let s = text.words_text(f, l);
    let mut found: Vec<Resolved> = Vec::new();
    let mut add = |r: Resolved| {
        if !found.iter().any(|x| x.id() == r.id()) {
            found.push(r);
        }
    };
    for (name, e) in kb_names() {
        if has_phrase(s, name) {
            add(Resolved::Kb(e));
        }
    }
    for n in &kb::references().spdx_name {
        if has_phrase(s, &n.name) {
            if let Some(facts) = spdx_facts::facts(&n.spdx) {
                add(spdx_or_kb(facts));
            }
        }
    }
    for w in f..=l {
        let word = text.words_text(w, w);
        for id in id_candidates(word) {
            // an id with a version ("agpl-3.0"), or MIT in capitals
            let versioned = id.contains('-') && id.chars().any(|c| c.is_ascii_digit());
            let mit = id == "mit" && text.quote(w, w, 8).contains("MIT");
            if !(versioned || mit) {
                continue;
            }
            if let Some(facts) = spdx_facts::facts(id) {
                add(spdx_or_kb(facts));
            }
        }
    }
    for id in creative_commons_short(s) {
        if let Some(facts) = spdx_facts::facts(&id) {
            add(spdx_or_kb(facts));
        }
    }
    for r in hub_ids_named_license(text, (f, l)) {
        add(r);
    }
    found
}

/// The spellings of an id a word may hold: the word without its punctuation,
/// and, in a word that runs into Chinese text (“许可证：`GPL-3.0`（以上游仓库”,
/// Chinese being written without spaces), each run of ASCII letters, digits
/// and `-.+` in it.
fn id_candidates(word: &str) -> Vec<&str> {
    let whole = word.trim_matches(|c: char| !c.is_alphanumeric());
    if word.is_ascii() {
        return vec![whole];
    }
    let mut ids = vec![whole];
    for run in word.split(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '+'))) {
        let run = run.trim_matches(|c: char| !c.is_ascii_alphanumeric());
        if !run.is_empty() && run != whole {
            ids.push(run);
        }
    }
    ids
}

/// The Creative Commons licenses a sentence names in their short form with
/// spaces ("CC BY-SA 3.0", "cc by 4.0", "CC BY-NC-SA 4.0"), as SPDX ids
/// (`CC-BY-SA-3.0`): the dashed form is one word, read as an SPDX id.
fn creative_commons_short(s: &str) -> Vec<String> {
    static CC: OnceLock<Regex> = OnceLock::new();
    CC.get_or_init(|| re(r"\bcc[\s-]by((?:-(?:nc|sa|nd)){0,2})[\s-]v?([1-4]\.[05])\b"))
        .captures_iter(s)
        .filter_map(|c| {
            let parts = c.get(1)?.as_str().to_ascii_uppercase();
            Some(format!("CC-BY{parts}-{}", c.get(2)?.as_str()))
        })
        .collect()
}

/// The knowledge base's versioned ids and aliases written as a license's
/// name before the word "license" ("llama3.1 License", "lfm1.0 licence",
/// "gemma-2 License"): a bare model name ("Llama-3.1-8B") is not one, and
/// an id without a version ("other License") names nothing.
fn hub_ids_named_license(text: &NormText, (f, l): (usize, usize)) -> Vec<Resolved> {
    let mut found = Vec::new();
    for w in f..l {
        let next = text.words_text(w + 1, w + 1);
        let next = next.trim_matches(|c: char| !c.is_alphanumeric());
        if next != "license" && next != "licence" {
            continue;
        }
        let word = text.words_text(w, w);
        let id = word.trim_matches(|c: char| !c.is_alphanumeric());
        let versioned =
            id.chars().any(|c| c.is_ascii_digit()) && id.chars().any(|c| c.is_ascii_alphabetic());
        if !versioned {
            continue;
        }
        if let Some(r) = super::resolve::resolve_id(id) {
            found.push(r);
        }
    }
    found
}

/// The knowledge base's names and aliases of three words or more,
/// normalised as texts are, with their entries: built once.
fn kb_names() -> &'static [(String, &'static LicenseEntry)] {
    static NAMES: OnceLock<Vec<(String, &'static LicenseEntry)>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names: Vec<(String, &'static LicenseEntry)> = Vec::new();
        for e in &kb().entries {
            for n in std::iter::once(&e.name).chain(e.aliases.iter()) {
                let norm = NormText::new(n).norm;
                if norm.split_whitespace().count() >= 3 && !names.iter().any(|(m, _)| *m == norm) {
                    names.push((norm, e));
                }
            }
        }
        names
    })
}

/// True when `phrase` occurs in `s` at word boundaries.
fn has_phrase(s: &str, phrase: &str) -> bool {
    !phrase.is_empty()
        && s.match_indices(phrase).any(|(at, m)| {
            let before = s[..at].chars().next_back();
            let after = s[at + m.len()..].chars().next();
            !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
        })
}

/// True when the sentence names a license only to set it aside ("unlike
/// the MIT License", "not under Apache-2.0", "instead of CC BY-NC").
fn negated(s: &str) -> bool {
    static NOT: OnceLock<Regex> = OnceLock::new();
    NOT.get_or_init(|| {
        re(r"\b(?:not|unlike|rather\s+than|instead\s+of|no\s+longer|similar\s+to|inspired\s+by|neither|nor|never)\b")
    })
    .is_match(s)
}

/// True when the text reserves rights over the whole or calls the model
/// proprietary or confidential.
fn reserved(s: &str) -> bool {
    static RESERVED: OnceLock<Regex> = OnceLock::new();
    RESERVED
        .get_or_init(|| re(r"\ball\s+rights\s+reserved\b|\bproprietary\b|\bconfidential\b"))
        .is_match(s)
}

/// True when the sentence says a part's license is not known ("the license
/// of the detector weights is unclear", "no explicit license"): that part
/// is unknown, and so is the whole.
fn license_not_known(s: &str) -> bool {
    static UNKNOWN: OnceLock<Regex> = OnceLock::new();
    UNKNOWN
        .get_or_init(|| {
            re(r"\b(?:licen[cs]e|licensing|terms)\b(?:\s+[\w-]+){0,6}?\s+(?:is|are|remains?)\s+(?:unknown|unclear|unspecified|undetermined|not\s+(?:specified|stated|known|clear|given))\b|\bno\s+(?:explicit|stated|known|published|clear)\s+licen[cs]e\b")
        })
        .is_match(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(text: &str) -> Option<Vec<String>> {
        let t = NormText::new(text);
        match named_parts(&t)? {
            Parts::Named(ps) => Some(ps.iter().map(|p| p.license.id()).collect()),
            Parts::Unknown(_) => Some(vec!["unknown".into()]),
        }
    }

    #[test]
    fn a_weights_inventory_names_a_license_per_part() {
        // omniparser-fork-weights-licence-notice-agpl-mit-bsd.txt
        // (tests/license-eval, unseen10): the inventory's rows
        let text = "| Artifact | Hugging Face path | Underlying model family | Effective license |\n|---|---|---|---|\n| Icon detection (YOLO) | `microsoft/OmniParser-v2.0`, subpath `icon_detect/` | Ultralytics YOLOv8 fine-tuned on UI icons | **AGPL-3.0** (inherited from YOLOv8) |\n| Icon captioning (Florence-2) | `microsoft/OmniParser-v2.0`, subpath `icon_caption/` | Microsoft Florence-2 | MIT |\n";
        let found = ids(text).expect("two licenses named");
        assert!(found.contains(&"AGPL-3.0".to_string()), "{found:?}");
        assert!(found.contains(&"MIT".to_string()), "{found:?}");
        // chunkamend-pi05-gemma-derived-checkpoints-terms.txt (unseen10)
        let text = "The applicable upstream Apache-2.0 license is retained in [LICENSE](LICENSE). The models also contain Gemma-derived components: [Gemma Terms of Use](LICENSE_GEMMA.txt), including the restrictions in Section 3.2, apply to use and distribution of those components and their derivatives.";
        let found = ids(text).expect("two licenses named");
        assert!(found.contains(&"Apache-2.0".to_string()), "{found:?}");
        assert!(found.iter().any(|id| id.starts_with("gemma")), "{found:?}");
        // paraphrase: prose instead of a table
        let text = "The encoder weights are released under the GPL-3.0-only license. The decoder weights are covered by the MIT License.";
        assert_eq!(ids(text).map(|v| v.len()), Some(2), "{text}");
    }

    #[test]
    fn creative_commons_short_names_and_ids_inside_chinese_words_are_named() {
        // sectvoice-tts-engine-and-model-licences.txt (tests/license-eval,
        // unseen18): a table row names CC BY-SA 3.0 with spaces
        let text = "| Component | Role | Upstream terms recorded by this project |\n|---|---|---|\n| MOSS-TTS-Nano code and pinned ONNX model | Basic CPU engine | Apache-2.0 |\n| fastText `lid.176.bin` | Language identification | CC BY-SA 3.0 |\n";
        let found = ids(text).expect("two licenses named");
        assert!(found.contains(&"CC-BY-SA-3.0".to_string()), "{found:?}");
        // paraphrases
        for (text, id) in [
            (
                "The voices are under CC BY 4.0. The engine is MIT.",
                "CC-BY-4.0",
            ),
            (
                "The engine is Apache-2.0; the depth weights are cc by-nc-sa 4.0.",
                "CC-BY-NC-SA-4.0",
            ),
        ] {
            let found = ids(text).unwrap_or_default();
            assert!(
                found.iter().any(|f| f.eq_ignore_ascii_case(id)),
                "{text}: {found:?}"
            );
        }
        // shinobu-translator-manga-ocr-inpaint-model-notices-zh.txt
        // (unseen18): ids written into Chinese text without spaces
        let text = "- 许可证：`GPL-3.0`（以上游仓库 `LICENSE` 为准）\n\n- 许可证：`Apache-2.0`（以模型页声明及其文件为准）\n";
        let found = ids(text).expect("two licenses named");
        for id in ["GPL-3.0", "Apache-2.0"] {
            assert!(found.iter().any(|f| f.starts_with(id)), "{id}: {found:?}");
        }
        // paraphrase: 标记 MIT；
        let found =
            ids("原始模型卡标记 MIT；转换文档。另一模型标记Apache-2.0。").unwrap_or_default();
        assert!(found.contains(&"MIT".to_string()), "{found:?}");
        // no CC license without its version, nor a version alone
        for text in [
            "The voices are under a CC BY license. The engine is MIT.",
            "The engine is MIT; see section 3.0 of the model card.",
        ] {
            assert!(ids(text).is_none(), "{text}: {:?}", ids(text));
        }
    }

    #[test]
    fn a_hub_id_written_before_license_names_that_license() {
        // layerwise-entropy-lexglue-adapters-model-licences-llama-zamba-lfm.txt
        // (tests/license-eval, unseen17): a table of base models whose
        // license column gives Hub ids ("llama3.1 License", "lfm1.0 License")
        let text = "| Unsloth-Meta-Llama-3.1-8B-Instruct (base) | https://huggingface.co/unsloth/Meta-Llama-3.1-8B-Instruct | llama3.1 License | Base license terms apply to derivatives. |\n| Zamba2-7B-Instruct-v2 (base) | https://huggingface.co/Zyphra/Zamba2-7B-Instruct-v2 | apache-2.0 License | Base license terms apply to derivatives. |\n| LFM2 / LIV-STAR (base) | https://huggingface.co/LiquidAI/LFM2-1.2B | lfm1.0 License | Base license terms apply to derivatives. |\n";
        let found = ids(text).expect("three licenses named");
        for id in ["llama3.1", "Apache-2.0", "lfm-open-license-v1.0"] {
            assert!(found.contains(&id.to_string()), "{id}: {found:?}");
        }
        // paraphrases: prose, "licence", an alias with a dash
        for (text, id) in [
            ("The adapter inherits the llama3.1 license of its base. The tokenizer is under Apache-2.0.", "llama3.1"),
            ("Weights: lfm1.0 licence. Inference code: Apache-2.0.", "lfm-open-license-v1.0"),
            ("The merged model follows the llama-3.1 License; the LoRA is released under the MIT License.", "llama3.1"),
        ] {
            let found = ids(text).unwrap_or_default();
            assert!(found.contains(&id.to_string()), "{text}: {found:?}");
        }
        // a model's name is no license, nor an id without a version, nor a
        // version alone
        for text in [
            "Fine-tuned from Meta-Llama-3.1-8B-Instruct under Apache-2.0.",
            "The weights use the other License. The code is under Apache-2.0.",
            "See the version 2.0 License for the weights, and Apache-2.0 for the code.",
        ] {
            let found = ids(text).unwrap_or_default();
            assert!(found.len() < 2, "{text}: {found:?}");
        }
    }

    #[test]
    fn one_license_a_license_set_aside_or_an_unknown_part_is_no_inventory() {
        for text in [
            // one license only
            "The encoder weights are released under the MIT License.",
            // the code's license, and one set aside
            "The source code is licensed under the MIT License. Unlike Apache-2.0, this license has no patent clause.",
            // a lowercase word that spells an id is no license
            "Researchers at mit and elsewhere released the weights under Apache-2.0.",
            // rights reserved over the whole: its parts' licenses do not say
            // what the whole is
            "All rights reserved. The model incorporates components under Apache-2.0 and the MIT License.",
        ] {
            assert!(ids(text).is_none(), "{text}: {:?}", ids(text));
        }
        // a part whose license is not known keeps the whole unknown
        for text in [
            "The encoder weights are under Apache-2.0. The decoder weights are MIT. The license of the tokenizer is unclear.",
            "The encoder weights are under Apache-2.0. The vocoder has no explicit license.",
        ] {
            assert_eq!(ids(text), Some(vec!["unknown".to_string()]), "{text}");
        }
    }
}
