//! A verdict read from the clauses of a text that matches no known license.
//! The clauses are weighed, not just capped: a text that grants
//! non-commercial use and opens commercial use only after registration or
//! written authorisation *under this license* requires approval; one that
//! grants commercial use with conditions is permitted with conditions. A
//! derived verdict never grants more than the clauses found say (at best
//! `permitted-with-conditions`, never `permitted`), and a text whose grant
//! cannot be found stays `unknown`.

use super::clauses::ClauseHit;
use super::clauses_zh;
use super::text::NormText;
use super::verdict::{ObligationKind, Verdict};
use regex::Regex;
use std::sync::OnceLock;

/// What the clauses of a text say, weighed.
#[derive(Debug, Clone, PartialEq)]
pub struct Derived {
    /// The verdict the clauses give (`unknown` when they decide nothing).
    pub verdict: Verdict,
    /// The sentence (first and last word) that grants commercial use, when
    /// one does and decided the verdict.
    pub grant: Option<(usize, usize)>,
    /// How sure the reading is, 0–1 (an explicit restriction reads surer
    /// than a grant whose scope is inferred).
    pub confidence: f32,
    /// The clauses that decided, for "How it was decided".
    pub basis: String,
}

/// An explicit grant of commercial use in an English sentence.
fn grant_patterns() -> &'static (Regex, Regex) {
    static GRANT: OnceLock<(Regex, Regex)> = OnceLock::new();
    GRANT.get_or_init(|| {
        let build = super::pattern::re;
        (
            build(r"\b(?:commercial\s+(?:and|or|and/or)\s+non-?commercial|for\s+any\s+(?:lawful\s+)?purpose|including\s+(?:for\s+)?commercial|commercial\s+(?:use|uses|purposes?)\s+(?:is|are)\s+(?:permitted|allowed|granted)|(?:may|can)\s+(?:use|deploy|exploit)\s+(?:[\w,()'-]+\s+){0,10}?(?:for\s+)?commercial(?:ly)?\b|\buse\s+(?:[\w,()'-]+\s+){0,8}?commercially\b|\bgrants?\s+(?:to\s+)?you\s+(?:a\s+|an\s+)?(?:[\w,-]+\s+){0,12}?(?:copyright\s+)?licen[cs]e\s+to\s+(?:use|reproduce|copy|modify|distribute|exploit))"),
            build(r"\b(?:not|no|non-?commercial|never|prohibit\w*|except|unless|only|solely|exclusively|subject\s+to\s+(?:a\s+)?(?:separate|written|prior))\b"),
        )
    })
}

/// True when `s` (a normalised sentence) grants commercial use outright.
fn grants_commercial(s: &str) -> bool {
    if clauses_zh::is_chinese(s) {
        return clauses_zh::grants_commercial(s);
    }
    let (grant, against) = grant_patterns();
    // the usual adjectives of a grant are not limits on it
    let plain = [
        "no-charge",
        "no charge",
        "non-exclusive",
        "non-transferable",
        "non-sublicensable",
    ]
    .iter()
    .fold(without_both(s), |acc, adjective| acc.replace(adjective, ""));
    grant.is_match(s) && !against.is_match(&plain)
}

/// True when a registration clause opens commercial use under this license
/// (register, apply, obtain written authorisation, then use commercially),
/// rather than pointing to a separate license.
fn opens_commercial_use(s: &str) -> bool {
    static PATH: OnceLock<(Regex, Regex, Regex)> = OnceLock::new();
    let (commercial, approval, separate) = PATH.get_or_init(|| {
        let build = super::pattern::re;
        (
            build(r"commercial|商业|商用"),
            build(r"\bregist(?:er|ration)|authori[sz]ation|\bapprov|登记|书面授权|申请|授权"),
            build(r"\bseparate\b|\banother\s+licen|另行|单独"),
        )
    });
    commercial.is_match(s) && approval.is_match(s) && !separate.is_match(s)
}

/// `s` with "commercial and non-commercial" (which grants both and limits
/// nothing) read as "commercial".
fn without_both(s: &str) -> String {
    [
        "commercial and non-commercial",
        "commercial or non-commercial",
        "commercial and/or non-commercial",
        "non-commercial and commercial",
        "non-commercial or commercial",
        "commercial and noncommercial",
        "noncommercial and commercial",
        "商业和非商业",
        "商业或非商业",
        "非商业和商业",
        "非商业或商业",
    ]
    .iter()
    .fold(s.to_string(), |acc, both| acc.replace(both, "commercial"))
}

/// True when the text anywhere speaks of a limit on commercial use or of a
/// research or non-commercial purpose, in words the clause patterns may not
/// have read as a clause.
fn limits_commercial_use(norm: &str) -> bool {
    static LIMIT: OnceLock<Regex> = OnceLock::new();
    let limit = LIMIT.get_or_init(|| {
        super::pattern::re(r"non-?commercial|non\s+commercial|research\s+(?:or\s+evaluation\s+)?(?:use|purposes?)\s+only|for\s+research|academic|evaluation\s+purposes|非商业|学术|科研|研究目的|commercial\s+licen[cs]e|商业授权|商用授权|commercial\s+use\s+(?:is\s+)?(?:not|prohibited|requires?)")
    });
    limit.is_match(&without_both(norm))
}

/// Whether the text speaks of registration, an application, approval or
/// authorisation anywhere: `Some(true)` when a sentence doing so also speaks
/// of commercial use.
fn unweighed_approval(text: &NormText) -> Option<bool> {
    static APPROVAL: OnceLock<(Regex, Regex)> = OnceLock::new();
    let (approval, commercial) = APPROVAL.get_or_init(|| {
        let build = super::pattern::re;
        (
            build(r"\bregist(?:er|ered|ration)\b|\bapply\s+for\b|\bapplication\s+(?:form|for)|\bapprov(?:al|e|ed)\b|\bauthori[sz]ation\b|\bquestionnaire\b|\b(?:written|prior)\s+(?:permission|consent)\b|登记|申请|授权|审批|批准|问卷"),
            build(r"commercial|商业|商用"),
        )
    });
    let mut found = None;
    for (f, l) in text.sentences() {
        let s = text.words_text(f, l);
        if approval.is_match(s) {
            if commercial.is_match(s) {
                return Some(true);
            }
            found = Some(false);
        }
    }
    found
}

/// Weighs the clauses `hits` read from `text`.
pub fn derive(text: &NormText, hits: &[ClauseHit]) -> Derived {
    let has = |k: ObligationKind| hits.iter().any(|h| h.kind == k);
    let sentence = |h: &ClauseHit| text.words_text(h.words.0, h.words.1);
    let path = hits
        .iter()
        .filter(|h| h.kind == ObligationKind::Registration)
        .any(|h| opens_commercial_use(sentence(h)));
    let restricted = |verdict, basis: &str| Derived {
        verdict,
        grant: None,
        confidence: 0.7,
        basis: basis.to_string(),
    };
    if has(ObligationKind::ResearchOnly) {
        return restricted(Verdict::ResearchOnly, "a research-only grant");
    }
    if has(ObligationKind::NonCommercial) && !path {
        return restricted(Verdict::NonCommercial, "a non-commercial grant");
    }
    if has(ObligationKind::Registration) {
        let basis = if path {
            "commercial use only after registration or written authorisation"
        } else {
            "use only with the licensor's approval"
        };
        return restricted(Verdict::RequiresApproval, basis);
    }
    // A grant is taken only from a text that nowhere limits commercial use:
    // a limit the clause patterns missed must not be outweighed by a grant
    // (the licensor's own commercial use, a grant read too widely).
    if limits_commercial_use(&text.norm) {
        return Derived {
            verdict: Verdict::Unknown,
            grant: None,
            confidence: 0.0,
            basis: String::new(),
        };
    }
    let grant = text
        .sentences()
        .into_iter()
        .find(|&(f, l)| grants_commercial(text.words_text(f, l)));
    // Approval spoken of anywhere that no clause pattern weighed: the grant
    // may be conditional on it, so the verdict stays at approval (where it
    // is about commercial use) or unknown.
    if let (Some(_), Some(about_commercial)) = (grant, unweighed_approval(text)) {
        return Derived {
            verdict: if about_commercial {
                Verdict::RequiresApproval
            } else {
                Verdict::Unknown
            },
            grant: None,
            confidence: 0.4,
            basis: "a grant of commercial use beside a registration, application or authorisation mri cannot weigh".into(),
        };
    }
    match grant {
        Some(words) => Derived {
            verdict: Verdict::PermittedWithConditions,
            grant: Some(words),
            confidence: 0.5,
            basis: "a grant of commercial use, with the conditions the text lists".into(),
        },
        None => Derived {
            verdict: Verdict::Unknown,
            grant: None,
            confidence: 0.0,
            basis: String::new(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::license::clauses::read_clauses;

    fn verdict(text: &str) -> Verdict {
        let t = NormText::new(text);
        derive(&t, &read_clauses(&t)).verdict
    }

    #[test]
    fn a_commercial_path_under_the_license_is_approval() {
        // the shape of the bilibili Index-1.9B and Orion-14B licenses
        let text = "您可以出于非商业用途使用此许可。如果您计划将本模型用于商业目的，应当事先向许可方登记并获得许可方的书面授权。";
        assert_eq!(verdict(text), Verdict::RequiresApproval);
        let text = "You may use the Model for non-commercial purposes only. If you wish to use the Model for commercial purposes, you must first register and obtain written authorization from the Licensor.";
        assert_eq!(verdict(text), Verdict::RequiresApproval);
    }

    #[test]
    fn a_separate_license_keeps_the_restriction() {
        let text = "You may use the Model for non-commercial purposes only. For commercial use, contact us for a separate commercial license.";
        assert_eq!(verdict(text), Verdict::NonCommercial);
    }

    #[test]
    fn a_grant_of_commercial_use_is_permitted_with_conditions_at_best() {
        let text = "You may use the Model for commercial and non-commercial purposes, provided that you comply with the Acceptable Use Policy.";
        assert_eq!(verdict(text), Verdict::PermittedWithConditions);
        assert_eq!(
            verdict("您可以将本模型用于商业用途。"),
            Verdict::PermittedWithConditions
        );
    }

    #[test]
    fn an_unlimited_grant_of_rights_is_a_grant_of_commercial_use() {
        // the Open RAIL-M grant (as in the CoRal model license,
        // tests/license-eval/texts/alexandra-coral-model-license.txt)
        let text = "Subject to the terms and conditions of this License, each Contributor hereby grants to You a perpetual, worldwide, non-exclusive, no-charge, royalty-free, irrevocable copyright license to reproduce, prepare, publicly display, publicly perform, sublicense, and distribute the Complementary Material, the Model, and Derivatives of the Model. The terms above apply unless otherwise authorized by law.";
        assert_eq!(verdict(text), Verdict::PermittedWithConditions);
        // the same grant beside a registration no clause pattern weighed
        let gated =
            format!("{text} Before you register the Model with us, nothing here is an approval.");
        assert!(verdict(&gated).rank() <= Verdict::Unknown.rank());
    }

    #[test]
    fn a_restriction_appended_to_a_grant_wins() {
        let grant = "You may use the Model for commercial and non-commercial purposes.";
        for added in [
            " The Model may be used for research purposes only.",
            " You may not use the Model for any commercial purpose.",
            " Commercial use requires our prior written authorization.",
        ] {
            let v = verdict(&format!("{grant}{added}"));
            assert!(
                v.rank() < Verdict::PermittedWithConditions.rank(),
                "{added}: {v}"
            );
        }
    }

    #[test]
    fn nothing_decisive_is_unknown() {
        assert_eq!(
            verdict("This model is provided by Someorg."),
            Verdict::Unknown
        );
    }
}
