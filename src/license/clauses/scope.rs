//! Grants whose scope is research or evaluation, read from the purpose the
//! grant names rather than from "only": "a license to use the Software for
//! noncommercial research purposes", "you may use the Trained Models for
//! benchmarking, testing, and evaluating". A purpose coordinated with
//! another (", and educational purposes", "or personal projects") is not a
//! research scope.

use super::ClauseHit;
use crate::license::pattern::re;
use crate::license::pattern::Regex;
use crate::license::text::NormText;
use crate::license::verdict::ObligationKind;
use std::sync::OnceLock;

struct Rules {
    /// "for (your own) noncommercial (internal) research purposes".
    research: Regex,
    /// A list of evaluation uses a grant names.
    evaluation: Regex,
    /// A grant of use whose only purpose named is research: "This license
    /// permits you to use all open-source models in this repository for
    /// academic research free", 本许可允许您免费使用……进行学术研究.
    research_grant: Regex,
    /// What may follow a scope and widen it: another purpose.
    widened: Regex,
    /// A word that makes a grant the only use allowed.
    only: Regex,
}

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| {
        const EVAL: &str = r"(?:benchmarking|testing|evaluating|evaluation|assessment|assessing|research)";
        // a purpose of study: research, academic work, validation, evaluation
        const STUDY: &str = r"(?:academic|research|scientific|validation|verification|evaluation|benchmarking|testing)";
        Rules {
            research: re(&format!(
                r"\bfor\s+(?:your\s+|their\s+|its\s+)?(?:(?:own|internal|non-?profit),?\s+){{0,3}}(?:academic\s+(?:and|or|and/or)\s+)?non-?commercial\s+(?:internal\s+|scientific\s+|academic\s+)?research\s+(?:purposes?|uses?|use)\b|\bnon-?commercial\s+research\s+(?:use|uses|purposes?)\s+only\b|\bfor\s+(?:your\s+|their\s+|its\s+)?(?:(?:own|internal),?\s+){{0,2}}non-?commercial\s+{STUDY}(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|and/or|&)\s+){STUDY}(?:(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or|and/or|&)\s+){STUDY})*\s+(?:purposes?|uses?|use)\b"
            )),
            evaluation: re(&format!(
                r"\b(?:may|can)\s+(?:only\s+)?use\b(?:\s*,?\s+[\w-]+,?){{0,12}}?\s+(?:solely\s+|only\s+)?for\s+(?:internal\s+)?{EVAL}(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+){EVAL}\b(?:(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+){EVAL}\b)*"
            )),
            research_grant: re(r"\b(?:permits?|allows?|lets)\s+(?:you|users|licensees?)\s+to\s+(?:freely\s+)?use\s+(?:[\w-]+\s+){0,10}?(?:for\s+free\s+|free\s+of\s+charge\s+)?for\s+(?:free\s+)?(?:academic|scientific)\s+research\b|\b(?:is|are)\s+(?:completely\s+|fully\s+|freely\s+)?open\s+(?:for|to)\s+(?:all\s+)?(?:academic|scientific)\s+research\b|(?:允许|许可)(?:您|你)?(?:免费)?使用(?:\w|\s){0,30}?(?:进行|用于|从事)(?:学术|科学)研究"),
            only: re(r"\b(?:only|solely|exclusively|strictly)\b|仅|只"),
            widened: re(r"^\s*,?\s*(?:and|or|and/or|as\s+well\s+as|plus)\s+(?:for\s+)?(?:other\s+)?[\w-]+|^\s*,\s*[a-z0-9_-]+\s*,|^\s*(?:、|和|及|以及|或|与)"),
        }
    })
}

/// True when the sentence scopes a grant to research or evaluation by the
/// purpose it names, with no other purpose beside it.
pub fn research_scoped(s: &str) -> bool {
    let r = rules();
    [&r.research, &r.evaluation, &r.research_grant]
        .iter()
        .any(|p| {
            p.find_iter(s)
                .any(|m| !r.widened.is_match(s.get(m.end()..).unwrap_or("")))
        })
}

/// True when the sentence grants use for research as a grant, without
/// "only" (本许可允许您免费使用……进行学术研究): beside a path to commercial use
/// under the same license it is the free part of the grant, not its scope.
pub fn grants_research(s: &str) -> bool {
    let r = rules();
    r.research_grant.is_match(s) && !r.only.is_match(s)
}

/// `s` without a research or evaluation label in parentheses after the name
/// of something other than the model ("JevBench (evaluation only):", "the
/// CLINC150 data (research use only)"), or said of data in the past ("Five
/// datasets that state no licence … were used for evaluation only", Farz's
/// model licence): how that item is or was used, not a scope of the grant.
/// A label after the model's own name stays.
pub fn without_labelled_use(s: &str) -> std::borrow::Cow<'_, str> {
    static LABEL: OnceLock<(Regex, Regex)> = OnceLock::new();
    let (label, data_use) = LABEL.get_or_init(|| {
        (
            re(r"([\w*-]+)\s*\(\s*(?:used\s+)?(?:for\s+)?(?:evaluation|research|testing|benchmarking)(?:\s+(?:use|purposes?))?\s+only\s*\)"),
            re(r"(\b(?:datasets?|data|images|samples|recordings|benchmarks?|corpora|corpus)\b(?:\s+[\w(),'*-]+){0,24}?)\s+(?:were|was|have\s+been|has\s+been)\s+(?:\**\s*)?(?:only\s+|solely\s+|exclusively\s+)?used\s+(?:only\s+|solely\s+|exclusively\s+)?(?:for|in)\s+(?:the\s+)?(?:evaluation|testing|validation|benchmarking|research)(?:\s+(?:purposes?|use|only))*\b"),
        )
    });
    let kept = |c: &crate::license::pattern::Captures<'_>| {
        c.get(1).map_or(String::new(), |m| m.as_str().to_string())
    };
    match data_use.replace_all_with(s, kept) {
        std::borrow::Cow::Borrowed(_) => without_label(label, s),
        std::borrow::Cow::Owned(o) => {
            std::borrow::Cow::Owned(without_label(label, &o).into_owned())
        }
    }
}

/// `s` with each parenthesised research label after a name other than the
/// model's removed (see [`without_labelled_use`]).
fn without_label<'s>(label: &Regex, s: &'s str) -> std::borrow::Cow<'s, str> {
    label.replace_all_with(s, |c| {
        let name = c.get(1).map_or("", |m| m.as_str());
        let model = [
            "model",
            "models",
            "weights",
            "checkpoint",
            "checkpoints",
            "software",
        ]
        .iter()
        .any(|w| name.trim_matches('*') == *w);
        if model {
            c.get(0).map_or(String::new(), |m| m.as_str().to_string())
        } else {
            name.to_string()
        }
    })
}

/// A research scope named by a term the text defines more widely: where
/// "Non-Commercial Research Purpose" means use primarily for "(a) academic
/// or scientific research; (b) education or teaching; …" (the RIBOSPAN
/// licence), a grant "for Non-Commercial Research Purposes" allows teaching
/// too, so each research scope read in a sentence that names the term is
/// read as non-commercial instead. See [`widens`] for which definitions
/// widen.
pub fn widened_by_definition(
    text: &NormText,
    sentences: &[(usize, usize)],
    hits: &mut Vec<ClauseHit>,
) {
    static DEFINED: OnceLock<Regex> = OnceLock::new();
    let defined = DEFINED.get_or_init(|| {
        re(r#"^(?:[\w().]{1,6}\s+)?"([\w\s'-]{0,40}research[\w\s'-]{0,20}?)s?"\s+(?:shall\s+mean|means|refers\s+to)\b((?u:.)*)$"#)
    });
    let mut terms: Vec<String> = Vec::new();
    for (i, &(f, l)) in sentences.iter().enumerate() {
        let Some(c) = defined.captures(text.words_text(f, l)) else {
            continue;
        };
        let (Some(term), Some(body)) = (c.get(1), c.get(2)) else {
            continue;
        };
        let mut body = body.as_str().to_string();
        // "means use primarily for:" and its items, one sentence each
        if body.trim_end().ends_with(':') {
            for &(f, l) in sentences.iter().skip(i + 1).take(10) {
                body.push(' ');
                body.push_str(text.words_text(f, l));
            }
        }
        // "means noncommercial research use cases related to research,
        // development, education …" (Meta's research licences): research
        // still, whatever it relates to
        let head = body
            .trim_start()
            .trim_start_matches(['"', '“', ','])
            .trim_start();
        let research_head = [
            "research",
            "noncommercial research",
            "non-commercial research",
        ]
        .iter()
        .any(|p| head.starts_with(p));
        if !research_head && widens(&body) {
            terms.push(term.as_str().trim().to_string());
        }
    }
    if terms.is_empty() {
        return;
    }
    let names_term = |h: &ClauseHit| {
        let s = text.words_text(h.words.0, h.words.1);
        terms.iter().any(|t| s.contains(t.as_str()))
    };
    let widened: Vec<(usize, usize)> = hits
        .iter()
        .filter(|h| h.kind == ObligationKind::ResearchOnly && names_term(h))
        .map(|h| h.words)
        .collect();
    hits.retain(|h| !(h.kind == ObligationKind::ResearchOnly && widened.contains(&h.words)));
    for words in widened {
        if !hits
            .iter()
            .any(|h| h.kind == ObligationKind::NonCommercial && h.words == words)
        {
            hits.push(ClauseHit {
                kind: ObligationKind::NonCommercial,
                value: String::new(),
                words,
            });
        }
    }
}

/// True when a research term's definition (`body`, after "means") names a
/// use beyond research: personal, artistic or hobby use; or education and
/// teaching in a list the definition leaves open ("use primarily for",
/// "including", "such as"). A closed list of research and education
/// ("use for academic research, educational purposes, or non-commercial
/// scientific investigation", AhuVista's "Research Use") is the research
/// and teaching pair a research licence names (Adobe's "noncommercial
/// research purposes (i.e., academic research and teaching) only"): still
/// research.
fn widens(body: &str) -> bool {
    static RULES: OnceLock<(Regex, Regex, Regex)> = OnceLock::new();
    let (beyond, teaching, open) = RULES.get_or_init(|| {
        (
            re(r"\b(?:personal|artistic|hobby|hobbyist)\b"),
            re(r"\b(?:education|educational|teaching|instruction)\b"),
            re(r"\b(?:primarily|mainly|principally|predominantly|including|includes|include|such\s+as|for\s+example)\b|\be\.\s?g\."),
        )
    });
    beyond.is_match(body) || (teaching.is_match(body) && open.is_match(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grant_for_noncommercial_research_purposes_is_research() {
        // magicleap-superglue-license.txt (tests/license-eval)
        for s in [
            "hereby grants to licensee a personal, non-exclusive, non-transferable license to use the software for noncommercial research purposes, without the right to sublicense, pursuant to the terms and conditions of this agreement.",
            "permitted uses: the software may be used for your own noncommercial internal research purposes.",
            "academic or non-profit organization noncommercial research use only",
            // chatglm3-model-license-2024.txt, glm-4-license.txt,
            // cogvlm-license.txt (tests/license-eval): the research grant in
            // both languages
            "本许可允许您免费使用本仓库中的所有开源模型进行学术研究",
            "this license permits you to use all open-source models in this repository for academic research free.",
            "this license allows you to use all open source models in this repository for free for academic research.",
            // paraphrases
            "we allow users to use the checkpoint free of charge for scientific research.",
            "本协议许可你免费使用该模型用于科学研究.",
            // titan-v45-ecg-model-weight-license-1.0.txt (tests/license-eval):
            // a non-commercial grant whose purposes named are all study
            "permission is granted to download, reproduce, evaluate, modify, and redistribute the titan v4.5 model weights for non-commercial academic and validation purposes, subject to the following conditions:",
            // paraphrases
            "you may use the checkpoint for non-commercial research, evaluation and benchmarking purposes.",
            "licensed for your own non-commercial scientific or validation use.",
        ] {
            assert!(research_scoped(s), "{s}");
        }
    }

    #[test]
    fn a_grant_for_evaluation_uses_is_research() {
        // amd-uif-non-commercial-models-license.txt (tests/license-eval), AMD's
        // License Agreement for Non-Commercial Models
        let s = "this means you may use the trained models for benchmarking, testing, and evaluating the trained models (including non-commercial research undertaken by or funded by a commercial entity) but you cannot use the trained models in any commercial offering";
        assert!(research_scoped(s));
    }

    #[test]
    fn research_beside_another_purpose_is_no_research_scope() {
        for s in [
            // insitro-fastvim-license.txt
            "solely for non-commercial, internal research, and educational purposes.",
            // coqui-public-model-license-voicecraft.txt
            "use by commercial or for-profit entities for testing, evaluation, or non-commercial research and development.",
            "you may use the model for testing, evaluation, and commercial deployment.",
            "you may use the model for non-commercial research purposes and for personal projects.",
            "permission is granted to use the weights for non-commercial academic and educational purposes.",
            "permission is granted to use the weights for non-commercial academic, validation, and personal purposes.",
            "the model is for non-commercial research and validation purposes, and for hobby projects.",
            "you may use the model for research and production.",
            "this license permits you to use the model for academic research and commercial products.",
            "本许可允许您免费使用本模型进行学术研究和商业开发.",
        ] {
            assert!(!research_scoped(s), "{s}");
        }
    }

    fn kinds(text: &str) -> Vec<ObligationKind> {
        crate::license::clauses::read_clauses(&NormText::new(text))
            .into_iter()
            .map(|h| h.kind)
            .collect()
    }

    #[test]
    fn a_research_term_defined_with_teaching_among_its_uses_is_non_commercial() {
        // sii-ribospan-non-commercial-model-license-1.0.txt
        // (tests/license-eval), RIBOSPAN Non-Commercial Model License 1.0,
        // 1.8 and 2 (a)
        let ribospan = "\"Non-Commercial Research Purpose\" means use primarily for:\n\n(a) academic or scientific research;\n\n(b) education or teaching;\n\n(c) model evaluation;\n\n2. LICENSE GRANT\n\n(a) access and use the RIBOSPAN Model Materials for Non-Commercial Research Purposes;\n";
        // a paraphrase: the wider use in the definition's own sentence
        let paraphrase = "\"Academic Research Use\" means scholarly study, classroom teaching and personal learning.\n\nYou may use the weights for noncommercial research purposes (Academic Research Use) only.\n";
        for text in [ribospan, paraphrase] {
            let k = kinds(text);
            assert!(k.contains(&ObligationKind::NonCommercial), "{text}: {k:?}");
            assert!(!k.contains(&ObligationKind::ResearchOnly), "{text}: {k:?}");
        }
        // a term that is research whatever it relates to (Meta Chameleon's
        // "Noncommercial Research Uses" means noncommercial research use
        // cases related to research, development, education …), and a
        // definition that names no wider use, stay research
        for text in [
            "\"Noncommercial Research Uses\" means noncommercial research use cases related to research, development, education, processing, or analysis.\n\nYou may use the Materials solely for Noncommercial Research Uses.\n",
            "\"Research Purpose\" means use for:\n\n(a) scientific research;\n\n(b) model evaluation.\n\nYou may use the model for noncommercial research purposes only.\n",
        ] {
            let k = kinds(text);
            assert!(k.contains(&ObligationKind::ResearchOnly), "{text}: {k:?}");
        }
    }

    #[test]
    fn a_research_term_defined_as_research_and_education_stays_research() {
        // ahuvista-healthcare-model-non-commercial-research-license.txt
        // (tests/license-eval), 1 and 2 a): a closed list of research and
        // education, the research-and-teaching pair of a research licence
        let ahuvista = "\"Research Use\" means use for academic research, educational purposes, or non-commercial scientific investigation.\n\nSubject to the terms and conditions of this license, the copyright holder grants you a worldwide, royalty-free, non-exclusive license to:\n\na) Use the Model for Research Use only\n";
        // paraphrases
        let closed = [
            "\"Research Purpose\" means scientific research and teaching at a university.\n\nYou may use the weights for Research Purposes only.\n",
            "\"Academic Research\" means use for scholarly research or classroom education.\n\nThe checkpoint may be used for non-commercial research purposes (Academic Research) only.\n",
            "\"Research Use\" refers to academic study, educational instruction or scientific investigation.\n\nYou may use the Model for Research Use only.\n",
        ];
        for text in std::iter::once(ahuvista).chain(closed) {
            let k = kinds(text);
            assert!(k.contains(&ObligationKind::ResearchOnly), "{text}: {k:?}");
        }
        // negatives: a definition left open ("primarily", "including",
        // "such as") or naming personal, artistic or hobby use still widens
        for text in [
            "\"Research Use\" means use primarily for academic research or education.\n\nYou may use the Model for Research Use only.\n",
            "\"Research Use\" means non-profit uses including scientific study and teaching.\n\nYou may use the Model for Research Use only.\n",
            "\"Research Use\" means uses such as academic research and classroom instruction.\n\nYou may use the Model for Research Use only.\n",
            "\"Research Use\" means academic research, teaching, or hobby projects.\n\nYou may use the Model for Research Use only.\n",
            "\"Research Use\" means academic research or personal artistic projects.\n\nYou may use the Model for Research Use only.\n",
        ] {
            let k = kinds(text);
            assert!(k.contains(&ObligationKind::NonCommercial), "{text}: {k:?}");
            assert!(!k.contains(&ObligationKind::ResearchOnly), "{text}: {k:?}");
        }
    }

    #[test]
    fn data_said_to_have_been_used_for_evaluation_only_scopes_nothing() {
        // farz-coffee-bean-classifier-model-licence-cc-by-nc-sa.txt
        // (tests/license-eval), then paraphrases: how data was used
        for text in [
            "Five datasets that state **no licence** (mfu17, the usk_coffee Kaggle mirror, daffa_defect, mindforge_doubleside,\nnotplying_defects) were **used for evaluation only**. They are not in these weights and are not redistributed.\n",
            "The held-out benchmark data was used solely for testing.\n",
            "Two public corpora (LibriSpeech and Common Voice) have been used for validation only and are not part of the training set.\n",
        ] {
            let k = kinds(text);
            assert!(!k.contains(&ObligationKind::ResearchOnly), "{text}: {k:?}");
        }
        // the model's own use stays a scope, and data that may only be used
        // for research going forward is one too
        for text in [
            "The datasets were collected in 2024. The model may be used for evaluation only.\n",
            "These weights are for research use only; the training data was used for evaluation.\n",
            "The model and its data may be used for research only.\n",
        ] {
            let k = kinds(text);
            assert!(k.contains(&ObligationKind::ResearchOnly), "{text}: {k:?}");
        }
    }
}
