//! Duties the main clause patterns miss for their wording: notices to keep
//! that name an attribution notice among others ("retain as part of the
//! Distribution any existing copyright notice, attribution notice, and/or
//! any notice identifying the authors"), a notice that a distributed thing
//! was made with the model ("a prominent notice … stating that the dataset
//! is generated using the Licensed Materials"), and the licenses of the
//! models a user picks to load, which the user must comply with ("you must
//! comply with the licenses of the models you choose to load": the
//! upstream models' own terms, cited, not weighed). Also uses banned by
//! the conduct they serve rather than a field's name (discriminating
//! against people, hacking, phishing or malware, deciding whether someone
//! qualifies for benefits or housing), and a grant of non-commercial use
//! alone ("Artistic and non-commercial use of the model is permitted free
//! of charge"); a policy said to apply to anyone using the model (a use policy);
//! the most restrictive of several terms applying to the whole (cited, not
//! weighed); and derivatives' own terms required to keep the same limits
//! ("provided that such license terms limit … such modifications and
//! derivative works to noncommercial research purposes only"); and
//! non-commercial scopes in other spellings ("For research and non
//! commercial purposes", "restricted to non-commercial, academic, or
//! personal use"); use kept research-only ("The integration remains
//! research-only") and commercial use excluded ("restricts access to … to
//! academic research and excludes commercial use"); and weights named as
//! under a copyleft license ("AGPL-3.0 weights"), whose terms pass down.

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
    /// A use banned: "must not use", "agree not to use", "do not use".
    use_banned: Regex,
    /// The text's policy said to apply to anyone using the model.
    policy_applies: Regex,
    /// The most restrictive of several terms applies to the whole.
    most_restrictive: Regex,
    /// Derivatives' terms required to limit them alike.
    derivatives_limited: Regex,
    /// A non-commercial scope spelled "non commercial", or use restricted
    /// to non-commercial use.
    nc_spelled: Regex,
    /// The restriction denied ("not restricted to").
    not_restricted: Regex,
    /// Use said to be (or remain) research-only.
    research_only: Regex,
    /// Commercial use excluded.
    excludes_commercial: Regex,
    /// The model not authorised to give professional advice.
    advice_barred: Regex,
    /// Weights named as under a copyleft license.
    copyleft_weights: Regex,
    /// Non-commercial use said to be permitted (the grant's scope).
    nc_permitted: Regex,
    /// Conduct a ban names, each with its name.
    conduct: Vec<(Regex, &'static str)>,
}

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| Rules {
        keep_notice: re(r"\b(?:retain|preserve|keep|reproduce)\b,?\s+(?:(?:as\s+part\s+of|in|with|within)\s+(?:the|any|such|your|each|every)\s+(?:[\w-]+\s+){0,2}?[\w-]+,?\s+)?(?:[\w,'/-]+\s+){0,8}?attribution\s+notices?\b"),
        made_with: re(r"\b(?:provide|include|give|display)\s+(?:a\s+|an\s+)?(?:prominent|clear|conspicuous|visible)\s+notices?\b(?:\s+[\w,()'-]+){0,6}?\s+(?:stating|indicating|saying|that\s+states)\s+that\b(?:\s+[\w,()'-]+){1,8}?\s+(?:is|are|was|were|has\s+been|have\s+been)\s+(?:generated|created|derived|produced|made|built)\s+(?:wholly\s+or\s+partially\s+)?(?:using|with|from|by)\b"),
        use_banned: re(r"\b(?:do|does|must|shall|may|will|agree|agrees|should)\s+not\s+(?:to\s+)?(?:[\w,]+\s+){0,3}?(?:use|deploy|employ)\b|\b(?:must|shall|may|will|should)\s+not\s+be\s+used\b|\bnever\s+use\b|\b(?:is|are)\s+(?:strictly\s+)?prohibited\b"),
        policy_applies: re(r"\bthis\s+(?:acceptable[- ]use\s+|usage\s+|use\s+)?policy\s+applies\s+to\s+(?:anyone|everyone|all\s+(?:users|persons|people)|any\s+(?:person|user|one|entity))\b(?:\s+[\w,()'-]+){0,3}?\s+(?:using|who\s+uses?|that\s+uses?|accessing|deploying)\b"),
        most_restrictive: re(r"\b(?:the\s+)?most\s+restrictive\s+(?:use\s+)?(?:terms|licen[cs]es?|restrictions|conditions)\s+(?:shall\s+|will\s+)?(?:apply|applies|govern|governs|prevail|prevails|control)\b"),
        derivatives_limited: re(r"\b(?:licen[cs]e\s+)?terms\s+(?:must\s+|shall\s+)?(?:limit|limits|restrict|restricts|confine|confines)\s+(?:[\w,()'/-]+\s+){0,16}?(?:derivative\s+works|derivatives|modifications|adaptations|derived\s+models)\s+to\b"),
        nc_spelled: re(r"\b(?:for|only|solely|exclusively)\s+(?:(?:academic|scientific)\s+)?(?:research\s+(?:and|or|and/or)\s+)?non\s+commercial\s+(?:use|uses|usage|purposes?)\b|\bnon\s+commercial\s+(?:use|uses|usage|purposes?)\s+only\b|\brestricted\s+to\s+non-?\s?commercial\b"),
        not_restricted: re(r"\b(?:not|never|no\s+longer)\s+(?:be\s+)?restricted\b|\bcommercial\s+(?:and|or|and/or)\s+non\s+commercial\b"),
        research_only: re(r"\b(?:is|are|remains?|stays?|kept|be)\s+(?:strictly\s+)?research[- ]only\b"),
        excludes_commercial: re(r"\bexclud(?:es|ing|ed|e)\s+(?:any\s+|all\s+)?commercial\s+(?:use|uses|usage|purposes?|exploitation|applications?)\b"),
        advice_barred: re(r"\bnot\s+(?:be\s+)?(?:authori[sz]ed|permitted|allowed|licen[cs]ed)\s+to\s+(?:give|provide|offer|render|issue)\s+(?:[\w-]+\s+){0,2}?(?:legal|medical|financial|tax|investment)\s+(?:opinions?|advice|diagnos[ie]s)\b"),
        copyleft_weights: re(r"\b(?:a|l)?gpl(?:[- ]?v?\d(?:\.\d)?)?(?:-only|-or-later|\+)?\s+(?:licen[cs]ed\s+)?(?:weights|checkpoints?|model\s+weights)\b"),
        nc_permitted: re(r"\bnon-?commercial\s+(?:use|uses|usage|purposes?)\b(?:\s+[\w,()'*-]+){0,4}?\s+(?:is|are)\s+(?:hereby\s+)?(?:permitted|allowed|granted|free)\b"),
        conduct: vec![
            (re(r"\bto\s+discriminate\b|\bdiscriminat\w*\s+(?:[\w,]+\s+){0,6}?against\s+(?:individuals|people|persons|groups|anyone)\b"), "discrimination"),
            (re(r"\b(?:hacking|phishing|malware|cyber-?attacks?|malicious\s+(?:activities|code|software|purposes))\b"), "malicious activities"),
            (re(r"\b(?:determine|decide|assess)\w*\s+(?:whether\s+)?(?:[\w-]+\s+){0,3}?(?:qualif(?:y|ies)|(?:is|are)\s+eligible)\s+for\b"), "eligibility decisions"),
        ],
        models_loaded: re(r"\b(?:must|shall)\s+(?:also\s+)?comply\s+with\s+(?:the\s+)?(?:respective\s+|individual\s+|own\s+)?(?:licen[cs]es?|licen[cs]e\s+terms|terms)\s+of\s+(?:the|any|each|all)\s+(?:[\w-]+\s+){0,2}?models?\s+(?:you|they|that|which|used|loaded|bundled|downloaded|selected|chosen)\b"),
    })
}

/// True when the sentence asks to keep attribution notices or to give a
/// notice that what is distributed was made with the model.
pub fn asks_notice(s: &str) -> bool {
    let r = rules();
    r.keep_notice.is_match(s) || r.made_with.is_match(s)
}

/// True when the sentence says the text's policy applies to anyone using
/// the model (the text is a use policy for it).
pub fn policy_applies_to_users(s: &str) -> bool {
    rules().policy_applies.is_match(s)
}

/// True when the sentence applies the most restrictive of several terms to
/// the whole (their terms pass down; cited, not weighed).
pub fn most_restrictive_applies(s: &str) -> bool {
    rules().most_restrictive.is_match(s)
}

/// True when derivatives' own terms must keep the same limits (a
/// pass-down).
pub fn derivatives_limited_alike(s: &str) -> bool {
    rules().derivatives_limited.is_match(s)
}

/// True when the sentence asks the user to comply with the licenses of the
/// models used or loaded (their own terms, passed down).
pub fn complies_with_models_used(s: &str) -> bool {
    rules().models_loaded.is_match(s)
}

/// The conduct a sentence bans using the model for, named; `None` where it
/// bans none.
pub fn banned_conduct(s: &str) -> Option<&'static str> {
    let r = rules();
    if r.advice_barred.is_match(s) {
        return Some("professional advice");
    }
    if !r.use_banned.is_match(s) {
        return None;
    }
    r.conduct
        .iter()
        .find(|(p, _)| p.is_match(s))
        .map(|&(_, name)| name)
}

/// True when the sentence permits non-commercial use (a grant scoped to
/// it); the caller leaves out sentences that name commercial use beside it.
pub fn non_commercial_permitted(s: &str) -> bool {
    let r = rules();
    r.nc_permitted.is_match(s) || (r.nc_spelled.is_match(s) && !r.not_restricted.is_match(s))
}

/// True when the sentence says use is (or remains) research-only, not
/// denying it.
pub fn stated_research_only(s: &str) -> bool {
    rules().research_only.is_match(s) && !s.contains("not research")
}

/// True when the sentence names weights as under a copyleft license (its
/// terms pass down with them).
pub fn copyleft_weights(s: &str) -> bool {
    rules().copyleft_weights.is_match(s)
}

/// True when the sentence excludes commercial use.
pub fn excludes_commercial_use(s: &str) -> bool {
    rules().excludes_commercial.is_match(s)
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

    #[test]
    fn conduct_banned() {
        for (s, want) in [
            // tauro-llm-acceptable-use-policy-personal-non-commercial.txt (unseen19)
            ("Malicious Activities: Users must not use Tauro LLM to engage in any form of hacking, phishing, malware distribution, or other malicious activities.", "malicious activities"),
            // civic-slm-acceptable-use-policy-local-government-documents.txt (unseen19)
            ("- **Benefits eligibility.** Do not use the model to determine whether someone qualifies for housing assistance, social services, or other government benefits.", "eligibility decisions"),
            // roblox-cube3d-research-only-rail-ms.txt (unseen19)
            ("1. Discrimination. You agree not to Use, or allow others to Use, Artifacts or Derivatives (a) to discriminate, mock, or promote hatred against individuals or groups", "discrimination"),
            // paraphrases
            ("The model must not be used to write malware or phishing emails.", "malicious activities"),
            ("You shall not use the weights to decide whether applicants are eligible for loans.", "eligibility decisions"),
            ("Do not deploy the model in ways that discriminate unfairly against groups of people.", "discrimination"),
            // civic-slm-acceptable-use-policy-local-government-documents.txt (unseen19)
            ("- **Legal advice.** This model is not a lawyer. It is not authorized to give individualized legal opinions on zoning, permitting, code compliance, or any other matter.", "professional advice"),
            ("The assistant is not permitted to provide medical diagnoses.", "professional advice"),
            ("Deployments are not allowed to offer personalised investment advice.", "professional advice"),
        ] {
            assert_eq!(banned_conduct(&norm(s)), Some(want), "{s}");
        }
        for s in [
            // said of the model, nothing banned
            "The model does not detect phishing reliably.",
            "This classifier was trained to flag malware samples.",
            "Use the model to determine whether a document qualifies for archiving.",
            "Nothing here is legal advice.",
        ] {
            assert_eq!(banned_conduct(&norm(s)), None, "{s}");
        }
    }

    #[test]
    fn non_commercial_use_permitted() {
        for s in [
            // dome-game-canvas-bar-phase-model-non-commercial-licence.txt (unseen19)
            "- **Artistic and non-commercial use** of the model is permitted free of charge: personal projects, education, research, experimentation, and non-commercial artistic / live-performance work.",
            // paraphrases
            "Non-commercial use of these weights is permitted.",
            "Noncommercial uses are allowed without a fee.",
            // onera-tec-prediction-ionosphere-dual-licence-notice.txt (unseen19)
            "For research and non commercial purposes, all the code and documentation of https://github.com/aboulch/tec_prediction is released under the GPLv3 license:",
            // nimvoice-speecht5-hifigan-model-licences.txt (unseen18)
            "Often restricted to non-commercial, academic, or personal use depending on the voice dataset.",
            // paraphrases
            "The weights may be used for non commercial purposes only.",
            "Use of the checkpoints is restricted to noncommercial research.",
        ] {
            assert!(non_commercial_permitted(&norm(s)), "{s}");
        }
        for s in [
            "Non-commercial use requires registration.",
            "Commercial use is permitted.",
            "Use is not restricted to non-commercial purposes.",
            "You may use it for commercial and non commercial purposes.",
        ] {
            assert!(!non_commercial_permitted(&norm(s)), "{s}");
        }
    }

    #[test]
    fn policies_and_terms_passed_down() {
        // civic-slm-acceptable-use-policy-local-government-documents.txt (unseen19)
        for s in [
            "This policy applies to anyone using `civic-slm` code, weights, datasets, or derivative works.",
            "This acceptable use policy applies to all users accessing the model.",
            "This usage policy applies to any person who uses the weights.",
        ] {
            assert!(policy_applies_to_users(&norm(s)), "{s}");
        }
        assert!(!policy_applies_to_users(&norm(
            "This privacy policy applies to our website."
        )));
        // supermix-expanse-composite-licence-bigscience-openrail-passdown.txt (unseen19)
        for s in [
            "Each applies to the part it covers; where they overlap, the most restrictive use terms apply to the model as a whole.",
            "Where licenses conflict, the most restrictive license governs.",
            "The most restrictive conditions shall prevail.",
        ] {
            assert!(most_restrictive_applies(&norm(s)), "{s}");
        }
        assert!(!most_restrictive_applies(&norm(
            "This is the most restrictive of our licenses."
        )));
        // e-rayzer-weights-adobe-research-license.txt (unseen19)
        for s in [
            "1.2. You may add your own copyright statement to your modifications and may provide additional or different license terms for use, reproduction, modification, public display, and redistribution of your modifications and derivative works, provided that such license terms limit the use, reproduction, modification, public display, and redistribution of such modifications and derivative works to noncommercial research purposes only.",
            "Your terms must restrict derivatives to non-commercial use.",
            "Such license terms shall confine the use of derived models to research.",
        ] {
            assert!(derivatives_limited_alike(&norm(s)), "{s}");
        }
        assert!(!derivatives_limited_alike(&norm(
            "These terms limit our liability to the amount paid."
        )));
    }

    #[test]
    fn research_only_kept_and_commercial_use_excluded() {
        for s in [
            // fundus-dx-ml-research-teaching-workbench-third-party-models.txt (unseen18)
            "The integration remains research-only under the V1 usage context.",
            // paraphrases
            "These checkpoints are strictly research-only.",
            "The fine-tuned weights stay research only.",
        ] {
            assert!(stated_research_only(&norm(s)), "{s}");
        }
        for s in [
            "The weights are not research-only.",
            "This Research-Only RAIL License is generally applicable to the Artifacts.",
        ] {
            assert!(!stated_research_only(&norm(s)), "{s}");
        }
        for s in [
            // fundus-dx-ml-research-teaching-workbench-third-party-models.txt (unseen18)
            "The README separately restricts access to **further MMFundus pretrained models** to academic research and excludes commercial use/second development.",
            // paraphrases
            "The grant excludes any commercial use of the weights.",
            "A licence excluding commercial purposes applies to the model.",
        ] {
            assert!(excludes_commercial_use(&norm(s)), "{s}");
        }
        assert!(!excludes_commercial_use(&norm(
            "Nothing here excludes the commercial licence we offer."
        )));
    }

    #[test]
    fn weights_under_a_copyleft_license() {
        for s in [
            // fundus-dx-ml-research-teaching-workbench-third-party-models.txt (unseen18)
            "- Public weights: https://huggingface.co/Eyened/vascx (AGPL-3.0 weights).",
            // paraphrases
            "The detector ships GPL-3.0 licensed weights.",
            "Download the AGPLv3 checkpoints from the release page.",
        ] {
            assert!(copyleft_weights(&norm(s)), "{s}");
        }
        for s in [
            "The code is AGPL-3.0; the weights are MIT.",
            "GPL-3.0 code loads the weights.",
        ] {
            assert!(!copyleft_weights(&norm(s)), "{s}");
        }
    }
}
