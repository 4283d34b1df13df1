//! Statements of purpose and permissive grants by name. "The weights are
//! supplied AS IS for research and reproducibility", "provided for research
//! and educational use", "intended for academic study": a purpose named
//! without a limiting word (only, solely, not, must, may …). Beside a grant
//! that puts the model under a permissive license by name (Apache-2.0, MIT,
//! BSD, CC BY, CC0) it describes the release and limits nothing; alone, it is
//! the only scope the text grants, and it reads as research-only.

use super::ClauseHit;
use crate::license::pattern::re;
use crate::license::pattern::Regex;
use crate::license::text::NormText;
use crate::license::verdict::ObligationKind;
use std::sync::OnceLock;

struct Rules {
    /// A release described by its purpose.
    purpose: Regex,
    /// A word that turns a purpose into a limit.
    limit: Regex,
    /// A permissive license named as the terms of a release.
    named: Regex,
    /// A restrictive variant named beside it (CC BY-NC, CC BY-ND).
    restrictive: Regex,
    /// A share-alike (copyleft) license: a grant with a condition.
    share_alike: Regex,
    /// Source code, scripts, tools: not the model.
    code: Regex,
    /// The model, its weights.
    model: Regex,
    /// The intro of a list of what the reader may do ("You may:").
    may_list: Regex,
    /// Research, testing and evaluation activities.
    research_act: Regex,
    /// Anything beyond research in a list item.
    beyond: Regex,
    /// A release whose purpose is non-commercial research, and research
    /// uses only beside it ("provided for non-commercial research and
    /// evaluation").
    research_release: Regex,
    /// A license named as the terms of a release, any license.
    under_license: Regex,
}

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| Rules {
        purpose: re(r#"\b(?:provided|supplied|released|made\s+available|shared|published|offered|distributed|intended|developed|created|designed|trained)\s+(?:[\w,"'()-]+\s+){0,5}?for\s+(?:(?:the|purposes\s+of)\s+)?(?:[\w-]+\s+){0,2}?(?:research|academic|educational|education|teaching|scientific|reproducibility|reproduction\s+of|study)\b"#),
        limit: re(r"\b(?:only|solely|exclusively|strictly|limited|restricted|not|no|never|must|shall|may|non-?commercial|noncommercial|commercial\w*|except|unless|prohibit\w*|forbid\w*|permitted|allowed|license|licence|licensed|licenced)\b"),
        named: re(r"\b(?:(?:released|licensed|licenced|distributed|available|provided|published|shared|offered|granted)\s+(?:separately,?\s+|publicly,?\s+|openly,?\s+)?(?:by\s+(?:the\s+)?[\w&.-]+(?:\s+[\w&.-]+){0,2}?\s+)?|(?:remain|remains|stay|stays)\s+(?:[\w-]+\s+){0,4}?)under\s+(?:[\w,'\[\]*-]+\s+){0,8}?\**\[?(?:mit|apache|bsd|isc|zlib|unlicense|cc0|cc[- ]by|creative\s+commons\s+attribution)\b|\b(?:licen[cs]e|terms)\s+(?:is|are)\s+(?:the\s+|a\s+)?(?:modified\s+)?(?:mit|apache|bsd|cc[- ]by)\b"),
        restrictive: re(r"\bcc[- ]by[- ](?:nc|nd)\b|\bnon-?commercial\b|\bno-?deriv"),
        share_alike: re(r"\bshare-?\s?alike\b|\bcc[- ]by[- ]sa\b|\bgpl\b|\bgnu\b|\bcopyleft\b"),
        code: re(r"\b(?:source\s+)?code\b|\bscripts?\b|\bapplication\b|\btools?\b|\bdocumentation\b"),
        may_list: re(r"^(?:[\w.()]{1,4}\s+)?(?:you|licensee|licensees|users?|the\s+licensee)\s+(?:may|can|are\s+(?:permitted|allowed|free)\s+to|is\s+(?:permitted|allowed|free)\s+to)\s*:$"),
        research_act: re(r"\b(?:research|benchmark\w*|evaluat\w*|test\w*|red-?team\w*|safety|study|studying|analys[ie]s|analy[sz]e|academic|educational|education|teaching|experiment\w*|reproduc\w*|inspect\w*)\b"),
        beyond: re(r"\bcommercial\w*|\bproducts?\b|\bservices?\b|\bsell\b|\bbusiness\w*|\brevenue\b|\bproduction\b|\bdeploy\w*|\bany\s+(?:lawful\s+)?purpose\b|\bdistribut\w*|\bredistribut\w*"),
        research_release: re(r#"\b(?:provid(?:e|es|ed)|suppl(?:y|ies|ied)|releas(?:e|es|ed)|(?:make|makes|made)\s+available|shar(?:e|es|ed)|publish(?:es|ed)?|offer(?:s|ed)?|distribut(?:e|es|ed)|intended|developed|created|designed)\s+(?:[\w,"'()-]+\s+){0,5}?for\s+(?:(?:your|their|its)\s+)?non-?commercial\s+(?:internal\s+|scientific\s+|academic\s+)?(?:research|evaluation|study)(?:(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|and/or|&)\s+)(?:internal\s+|academic\s+|scientific\s+)?(?:research|evaluation|testing|benchmarking|education|educational|teaching|study))*(?:\s+(?:purposes?|uses?|work))?\s*(?:[.;:)]|$)"#),
        under_license: re(r"\b(?:released|licensed|licenced|distributed|available|provided|published|shared|offered|granted|covered)\s+(?:separately,?\s+|publicly,?\s+|openly,?\s+)?(?:by\s+(?:the\s+)?[\w&.-]+(?:\s+[\w&.-]+){0,2}?\s+)?(?:under|by)\s+(?:[\w,'\[\]*()-]+\s+){0,8}?\**\[?(?:licen[cs]e|cc[- ]by|creative\s+commons|mit|apache|bsd|cc0)\b"),
        model: re(r"\bmodels?\b|\bweights?\b|\bcheckpoints?\b|\b(?:lora\s+)?adapters?\b|\bparameters\b|\bthey\b|\bartifacts?\b|\bsafetensors\b|\bthese\s+rights\b|\bthose\s+rights\b"),
    })
}

/// True when the sentence names a purpose of the release without a word
/// that limits use to it ("supplied AS IS for research and reproducibility";
/// not "for research use only", "may be used for research").
pub fn states_purpose(s: &str) -> bool {
    let r = rules();
    r.purpose.is_match(s) && !r.limit.is_match(s)
}

/// True when the sentence puts the model under a permissive license by
/// name ("They are released under the same MIT terms as the code", "the
/// weights are distributed under CC BY 4.0", "those rights are granted under
/// the repository's Apache License 2.0"). A sentence about source code alone
/// names the code's license, not the model's; a non-commercial or
/// no-derivatives variant is no permissive license.
pub fn names_permissive_license(s: &str) -> bool {
    let r = rules();
    // a model card is documentation, not the model
    let s = &s.replace("model card", "card");
    r.named.is_match(s)
        && !r.restrictive.is_match(s)
        && (!r.code.is_match(s) || r.model.is_match(s))
}

/// True when the sentence names a permissive license for the model that
/// asks nothing but notices (not a share-alike one): that license's plain
/// grant, `permitted`.
pub fn names_plain_permissive(s: &str) -> bool {
    names_permissive_license(s) && !rules().share_alike.is_match(s)
}

/// A list of what the reader may do whose every item is research, testing
/// or evaluation ("You may:" ⏎ "- Conduct academic or independent research"
/// ⏎ "- Benchmark and evaluate model behavior"): a research-only scope, cited
/// at the list's intro. An item beyond research (commercial use, products,
/// distribution) leaves the list unread here.
pub fn research_list(text: &NormText, sentences: &[(usize, usize)], hits: &mut Vec<ClauseHit>) {
    let r = rules();
    for (i, &(f, l)) in sentences.iter().enumerate() {
        if !r.may_list.is_match(text.words_text(f, l)) || hits.iter().any(|h| h.words == (f, l)) {
            continue;
        }
        let items = list_items(text, sentences, i);
        if all_research(&items) {
            hits.push(ClauseHit {
                kind: ObligationKind::ResearchOnly,
                value: String::new(),
                words: (f, l),
            });
        }
    }
}

/// The items of the list sentence `i` introduces: the sentences up to the
/// next paragraph that is no item (eight at most), an item's number alone
/// left out.
fn list_items<'t>(text: &'t NormText, sentences: &[(usize, usize)], i: usize) -> Vec<&'t str> {
    sentences[i + 1..]
        .iter()
        .enumerate()
        .take_while(|&(j, &(f2, l2))| {
            j == 0 || !text.opens_paragraph(f2) || super::starts_item(text.words_text(f2, l2))
        })
        .take(8)
        .map(|(_, &(f2, l2))| text.words_text(f2, l2))
        .filter(|s| s.split_whitespace().count() > 1)
        .collect()
}

/// True when there are items and every one is research, testing,
/// evaluation or teaching, and none names anything beyond.
fn all_research(items: &[&str]) -> bool {
    let r = rules();
    !items.is_empty()
        && items.iter().all(|s| {
            // "non-production experimentation" is no production use
            let plain = s.replace("non-production", "");
            r.research_act.is_match(s) && !r.beyond.is_match(&plain)
        })
}

/// The sentence without a default's qualifier ("unless explicitly stated
/// otherwise", "unless otherwise noted") at its start.
fn default_qualifier_removed(s: &str) -> String {
    static DEFAULT: OnceLock<Regex> = OnceLock::new();
    DEFAULT
        .get_or_init(|| {
            re(r"^(?:[\w().]{1,4}\s+)?unless\s+(?:explicitly\s+|expressly\s+)?(?:otherwise\s+)?(?:stated|specified|noted|indicated)(?:\s+otherwise)?(?:\s+in\s+writing)?\s*,?\s*")
        })
        .replace_all(s, "")
        .into_owned()
}

/// A release's purposes given as a list ("These weights are released for:"
/// ⏎ "- ✔️ Research use" ⏎ "- ✔️ Educational use"): the statement of purpose
/// of [`states_purpose`] with its purposes on lines of their own. Where no
/// sentence puts the model under a permissive license and every item is
/// research or teaching, it is the text's research-only scope, cited at the
/// intro.
pub fn purpose_list(text: &NormText, sentences: &[(usize, usize)], hits: &mut Vec<ClauseHit>) {
    static INTRO: OnceLock<Regex> = OnceLock::new();
    let intro = INTRO.get_or_init(|| {
        re(r#"\b(?:provided|supplied|released|made\s+available|shared|published|offered|distributed|intended|developed|created|designed)\s+(?:[\w,"'()-]+\s+){0,3}?for(?:\s+the\s+following(?:\s+(?:purposes|uses))?)?$"#)
    });
    let r = rules();
    let words = |&(f, l): &(usize, usize)| text.words_text(f, l);
    if sentences.iter().any(|w| names_permissive_license(words(w))) {
        return;
    }
    for (i, w) in sentences.iter().enumerate() {
        let Some(head) = words(w).strip_suffix(':') else {
            continue;
        };
        let head = head.trim_end();
        // "Unless explicitly stated otherwise, … are intended for:": the
        // default that other terms may replace, no limit of its own
        let head_limits = r.limit.is_match(&default_qualifier_removed(head));
        if !intro.is_match(head) || head_limits || hits.iter().any(|h| h.words == *w) {
            continue;
        }
        if all_research(&list_items(text, sentences, i)) {
            hits.push(ClauseHit {
                kind: ObligationKind::ResearchOnly,
                value: String::new(),
                words: *w,
            });
        }
    }
}

/// A statement of purpose read as the text's scope: where no sentence puts
/// the model under a permissive license, each sentence that states a
/// research or teaching purpose (and is no clause already) is a research-only
/// clause.
pub fn purpose_as_scope(text: &NormText, sentences: &[(usize, usize)], hits: &mut Vec<ClauseHit>) {
    let words = |&(f, l): &(usize, usize)| text.words_text(f, l);
    // another clause scoping the grant decides; a permissive license named
    // makes the purpose a description
    let scoped = hits.iter().any(|h| {
        matches!(
            h.kind,
            ObligationKind::NonCommercial | ObligationKind::ResearchOnly
        )
    });
    if scoped || sentences.iter().any(|w| names_permissive_license(words(w))) {
        return;
    }
    for &w in sentences {
        if states_purpose(words(&w)) && !hits.iter().any(|h| h.words == w) {
            hits.push(ClauseHit {
                kind: ObligationKind::ResearchOnly,
                value: String::new(),
                words: w,
            });
        }
    }
}

/// A release described as for non-commercial research ("The HandPrism-Core
/// release is provided for non-commercial research and evaluation"), with
/// no word that limits it beyond that: beside a license named for the model
/// (CC BY-NC, Apache) it describes the release under that license; where
/// the text names none and grants nothing wider, it is the only scope the
/// text gives, research-only, cited at the sentence.
pub fn research_release(text: &NormText, sentences: &[(usize, usize)], hits: &mut Vec<ClauseHit>) {
    let r = rules();
    let words = |&(f, l): &(usize, usize)| text.words_text(f, l);
    let releases: Vec<(usize, usize)> = sentences
        .iter()
        .copied()
        .filter(|w| {
            let s = words(w);
            r.research_release.is_match(s) && {
                let rest = s.replace("non-commercial", "").replace("noncommercial", "");
                !r.limit.is_match(&rest)
            }
        })
        .collect();
    if releases.is_empty() {
        return;
    }
    let named = sentences.iter().any(|w| {
        let s = words(w);
        (r.under_license.is_match(s) || super::rules().cc_nc.is_match(s))
            && (!r.code.is_match(s) || r.model.is_match(s))
            && !s.contains(" not ")
    });
    // another sentence that scopes the grant (wider or narrower) decides
    let scoped_elsewhere = hits.iter().any(|h| {
        matches!(
            h.kind,
            ObligationKind::NonCommercial | ObligationKind::ResearchOnly
        ) && !releases.contains(&h.words)
    });
    if named || scoped_elsewhere {
        return;
    }
    for w in releases {
        if hits
            .iter()
            .any(|h| h.words == w && h.kind == ObligationKind::ResearchOnly)
        {
            continue;
        }
        hits.push(ClauseHit {
            kind: ObligationKind::ResearchOnly,
            value: String::new(),
            words: w,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(s: &str) -> String {
        NormText::new(s).norm
    }

    #[test]
    fn a_purpose_without_a_limiting_word_is_a_statement() {
        // oscc-pni-mil-checkpoints-apache-notice.txt and
        // generative-health-weights-research-use-license.txt (tests/license-eval),
        // then paraphrases
        for s in [
            r#"The weights are supplied "AS IS" for research and reproducibility."#,
            "These model weights (“Weights”) are provided for research and educational use.",
            "The checkpoints were released for the research community.",
            "This model is intended for academic study and teaching.",
            "We trained these weights for scientific reproducibility.",
        ] {
            assert!(states_purpose(&norm(s)), "{s}");
        }
        for s in [
            "The weights are provided for research use only.",
            "The weights may be used for research purposes.",
            "The model is supplied solely for research.",
            "The weights are released for non-commercial research.",
            "The model is not intended for research on people.",
            "The weights are licensed for research and education.",
        ] {
            assert!(!states_purpose(&norm(s)), "{s}");
        }
    }

    #[test]
    fn a_permissive_license_named_for_the_weights() {
        for s in [
            "The file `projector.safetensors` is licensed under Apache License 2.0.",
            "those rights are granted under the repository's [Apache License 2.0](LICENSE).",
            "The trained weights are distributed under CC BY 4.0.",
            "They are released under the same MIT terms as the code.",
            // pockettts-android-onnx-weights-cc-by-voice-consent.txt
            // (tests/license-eval): the licensor named between verb and license
            "The original model weights are published by Kyutai under the [Creative Commons Attribution 4.0 International license](https://creativecommons.org/licenses/by/4.0/)",
            // paraphrases
            "The checkpoints are released by the Acme Research Lab under the MIT License.",
            "The weights are licensed by Example Corp under Apache 2.0.",
        ] {
            assert!(names_permissive_license(&norm(s)), "{s}");
        }
        for s in [
            "The source code is released under the MIT License.",
            "The weights are released under CC BY-NC 4.0.",
            "The weights are distributed under CC-BY-ND 4.0.",
            "The weights are published by Kyutai under CC BY-NC 4.0.",
            // purebyte-model-license-1.0.txt (tests/license-eval)
            "The model cards and the checksums are documentation, licensed under the Apache License 2.0 with the rest of that repository.",
        ] {
            assert!(!names_permissive_license(&norm(s)), "{s}");
        }
    }
}

#[cfg(test)]
mod research_release_tests {
    use super::*;
    use crate::license::clauses::read_clauses;

    fn research_only_at(text: &str) -> Vec<u32> {
        let t = NormText::new(text);
        read_clauses(&t)
            .into_iter()
            .filter(|h| h.kind == ObligationKind::ResearchOnly)
            .map(|h| t.lines_of(h.words.0, h.words.1).0)
            .collect()
    }

    #[test]
    fn a_default_intended_use_list_of_research_items_is_a_research_scope() {
        let research_at = |text: &str| -> Vec<u32> {
            let t = NormText::new(text);
            let mut hits = Vec::new();
            purpose_list(&t, &t.sentences(), &mut hits);
            hits.iter()
                .filter(|h| h.kind == ObligationKind::ResearchOnly)
                .map(|h| t.lines_of(h.words.0, h.words.1).0)
                .collect()
        };
        // ainl-model-weights-and-data-asset-default-terms.txt
        // (tests/license-eval, unseen19): a default, and a non-production item
        let text = "Unless explicitly stated otherwise, ML-related assets associated with AI Native Lang (AINL) are intended for:\n\n- evaluation\n- research\n- internal testing\n- non-production experimentation\n";
        assert_eq!(research_at(text), vec![1]);
        // paraphrases
        let text = "Unless otherwise noted, these checkpoints are provided for:\n\n- academic research\n- internal testing\n";
        assert_eq!(research_at(text), vec![1]);
        // a limit in the intro, or an item beyond research, reads nothing
        for text in [
            "Unless you pay, the weights are provided for:\n\n- academic research\n- internal testing\n",
            "Unless otherwise noted, the weights are intended for:\n\n- academic research\n- production deployment\n",
        ] {
            assert!(research_at(text).is_empty(), "{text}");
        }
    }

    #[test]
    fn a_release_for_non_commercial_research_alone_is_its_research_scope() {
        // handprism-core-weights-terms-research-evaluation.txt
        // (tests/license-eval), line 3, then paraphrases
        for s in [
            "The HandPrism-Core release is provided for **non-commercial research and evaluation**. It is not covered by the repository's MIT source-code license and is not offered as a blanket commercial-use grant.",
            "These checkpoints are released for non-commercial research, evaluation and teaching.",
            "The weights were made available for noncommercial scientific research purposes.",
            "We publish the model for non-commercial academic research and benchmarking.",
        ] {
            assert_eq!(research_only_at(s), vec![1], "{s}");
        }
    }

    #[test]
    fn a_release_for_non_commercial_research_beside_a_named_license_describes_it() {
        // abot-recon-model-weight-license.txt, edgelvef-echo-checkpoints-cc-by-nc-sa.txt
        // (tests/license-eval): the purpose beside CC BY-NC, read as non-commercial
        for s in [
            "The released ABot-Recon model weights are provided under the Creative Commons Attribution-NonCommercial 4.0 International license (CC BY-NC 4.0).\nThey are intended for non-commercial research and educational use.",
            "The weights are released under the Apache License 2.0.\nThey were developed for non-commercial research and evaluation.",
        ] {
            assert!(research_only_at(s).is_empty(), "{s}");
        }
        // a purpose widened by another use, or a wider grant elsewhere
        for s in [
            "The weights are released for non-commercial research and personal projects.",
            "The weights are provided for non-commercial research and evaluation.\nYou may use them for any non-commercial purpose.",
        ] {
            assert!(research_only_at(s).is_empty(), "{s}");
        }
    }
}
