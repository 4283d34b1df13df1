//! Grants whose scope is research or evaluation, read from the purpose the
//! grant names rather than from "only": "a license to use the Software for
//! noncommercial research purposes", "you may use the Trained Models for
//! benchmarking, testing, and evaluating". A purpose coordinated with
//! another (", and educational purposes", "or personal projects") is not a
//! research scope.

use crate::license::pattern::re;
use crate::license::pattern::Regex;
use std::sync::OnceLock;

struct Rules {
    /// "for (your own) noncommercial (internal) research purposes".
    research: Regex,
    /// A list of evaluation uses a grant names.
    evaluation: Regex,
    /// What may follow a scope and widen it: another purpose.
    widened: Regex,
}

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| {
        const EVAL: &str = r"(?:benchmarking|testing|evaluating|evaluation|assessment|assessing|research)";
        Rules {
            research: re(r"\bfor\s+(?:your\s+|their\s+|its\s+)?(?:own\s+)?non-?commercial\s+(?:internal\s+|scientific\s+|academic\s+)?research\s+(?:purposes?|uses?|use)\b|\bnon-?commercial\s+research\s+(?:use|uses|purposes?)\s+only\b"),
            evaluation: re(&format!(
                r"\b(?:may|can)\s+(?:only\s+)?use\s+(?:[\w-]+\s+){{0,4}}?(?:solely\s+|only\s+)?for\s+(?:internal\s+)?{EVAL}(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+){EVAL}\b(?:(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+){EVAL}\b)*"
            )),
            widened: re(r"^\s*,?\s*(?:and|or|and/or|as\s+well\s+as|plus)\s+(?:for\s+)?(?:other\s+)?[\w-]+|^\s*,\s*[\w-]+\s*,"),
        }
    })
}

/// True when the sentence scopes a grant to research or evaluation by the
/// purpose it names, with no other purpose beside it.
pub fn research_scoped(s: &str) -> bool {
    let r = rules();
    [&r.research, &r.evaluation].iter().any(|p| {
        p.find_iter(s)
            .any(|m| !r.widened.is_match(s.get(m.end()..).unwrap_or("")))
    })
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
            "you may use the model for research and production.",
        ] {
            assert!(!research_scoped(s), "{s}");
        }
    }
}
