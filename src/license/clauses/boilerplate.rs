//! Consents a license asks about the agreement itself, not about using the
//! model: assigning or transferring the agreement or its rights, amending
//! or waiving its terms, export or government authorisations, the
//! collection of personal data, settling claims the licensee indemnifies. Every contract has such clauses ("You may
//! not assign this Agreement without the prior written consent of
//! Licensor", 未经许可方书面同意，您不得转让本协议); they are no approval to
//! use the model and must not hold a grant at `requires-approval` or
//! `unknown`. A sentence that also speaks of commercial use is never
//! housekeeping: what it says of commercial use is read as usual.

use crate::license::pattern::re;
use crate::license::pattern::Regex;
use std::sync::OnceLock;

struct Rules {
    /// The agreement's own housekeeping, in English and in Chinese.
    housekeeping: Regex,
    /// Approval as a state of the model, not a consent the user must obtain:
    /// regulatory clearance ("not cleared or approved for diagnosis"), a ban
    /// on presenting it as approved or official, a process declared no
    /// restriction ("a publishing workflow, not an additional restriction").
    status: Regex,
    /// Commercial use named: never housekeeping.
    commercial: Regex,
    /// Commercial damages or losses a liability clause names.
    damages: Regex,
}

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| Rules {
        housekeeping: re(r"\b(?:assign|assigns|assigned|assigning|assignment|transfer|transfers|transferred|transferring|delegate|delegates|delegated)\b(?:\s+[\w,'-]+){0,6}?\s+(?:this|these|the|its|your|any\s+of\s+your|any\s+of\s+its)\s+(?:[\w-]+\s+)?(?:agreement|licen[cs]e|terms|rights|obligations|contract)\b|\b(?:amend|amends|amended|amendment|amendments|modification|modifications|variation|variations)\b(?:\s+[\w,'-]+){0,3}?\s+(?:to|of)\s+(?:this|these|the)\s+(?:agreement|terms|licen[cs]e|contract)\b|\b(?:no\s+)?waiver\b|\bwaive[sd]?\b|\bexport\b|\bre-?export\b|\bgovernment(?:al)?\s+(?:[\w-]+\s+){0,2}?(?:authori[sz]ations?|approvals?|licen[cs]es?|permits?|consents?)\b|\bcollection\s+(?:and\s+(?:use|processing)\s+)?of\s+(?:your\s+)?(?:personal|usage)\s+(?:data|information)\b|\bprivacy\s+(?:policy|notice)\b|转让(?:本|该)?(?:协议|许可|合同|权利|义务)|(?:本|该)(?:协议|许可|合同)(?:[\x20-\x2d\x2f-\x3a\x3c-\x3e\x40-\x7e]|(?u:[^\x00-\x7F])){0,12}?(?:转让|修改|修订|变更)|(?:修改|修订|变更)(?:本|该)(?:协议|许可|合同)|\bsettl(?:e|es|ed|ing|ement)\b(?:\s+[\w,'-]+){0,3}?\s+(?:claims?|actions?|suits?|proceedings?|matters?|disputes?)\b|\bindemnif\w*|\b(?:shall|will)\s+(?:not\s+)?(?:be\s+)?liable\b|\bliability\s+for\s+(?:any\s+)?damages\b|不(?:对|向)(?:您|你|用户|被许可人|被许可方|任何人|任何一方)(?:\w){0,6}?(?:承担|负)|出口管制|出口许可|弃权|和解"),
        status: re(r"\b(?:cleared|approved|certified|authori[sz]ed|validated)\s+(?:(?:or|and|nor)\s+(?:cleared|approved|certified|authori[sz]ed|validated)\s+)?(?:by\s+(?:[\w-]+\s+){1,4}?)?(?:for|as)\s+(?:[\w,-]+\s+){0,3}?(?:clinical|medical|diagnos\w*|treatment|triage|therapeutic|patients?|regulatory|safety-critical|sole\s+basis|high-impact|automat\w+\s+decisions?)\b|\b(?:fda|ce|regulatory)\s+(?:[\w-]+\s+){0,2}?(?:approval|clearance|authori[sz]ation|certification)\b|\b(?:present|represent|market|describe|label|hold|held|pass|advertise|promote)\w*\s+(?:out\s+|off\s+)?(?:[\w-]+\s+){0,3}?as\s+(?:an?\s+|the\s+|being\s+)?(?:[\w-]+\s+){0,2}?(?:approved|official|endorsed|certified|authori[sz]ed|sanctioned)\b|\bnot\s+an?\s+(?:additional\s+|extra\s+|further\s+|separate\s+)?(?:restriction|condition|requirement|limitation)\b|未经(?:\w{0,6})?(?:监管|药监)(?:\w{0,6})?(?:批准|认证)"),
        commercial: re(r"\bcommercial(?:ly)?\b|商业|商用|营利"),
        damages: re(r"\bcommercial\s+(?:damages|losses)\b|商业(?:损害|损失)"),
    })
}

/// True when the sentence asks a courtesy, not a duty: to cite a paper
/// ("If you use it in your research, please cite our paper", 如果您使用了本
/// 模型，请引用我们的论文), to star or tell the authors. No condition on a
/// license a text names beside it.
pub fn courtesy_request(s: &str) -> bool {
    static COURTESY: OnceLock<(Regex, Regex)> = OnceLock::new();
    let (courtesy, duty) = COURTESY.get_or_init(|| {
        (
            re(r"\bplease\s+(?:consider\s+)?(?:cite|citing|star|acknowledge|let\s+us\s+know|reference)\b|\bwe\s+(?:would\s+)?(?:appreciate|welcome|encourage)\b|\b(?:kindly|feel\s+free\s+to)\s+cite\b|\bcitation\s*(?:\(bibtex\))?\s*:|@(?:article|inproceedings|misc|book|techreport)\b|请(?:考虑)?引用|欢迎引用"),
            re(r"\b(?:must|shall|required|requires?|obligat\w*|condition|only|not|no)\b|须|必须|应当|不得"),
        )
    });
    courtesy.is_match(s) && !duty.is_match(s)
}

/// True when the sentence's consent or approval is about the agreement
/// itself (assignment, amendment, waiver), export or government
/// authorisations or personal data, and names no commercial use.
pub fn housekeeping_consent(s: &str) -> bool {
    let r = rules();
    // the damages a liability clause disclaims are no commercial use
    (r.housekeeping.is_match(s) || r.status.is_match(s))
        && !r.commercial.is_match(&r.damages.replace_all(s, ""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::license::text::NormText;

    fn reads(s: &str) -> bool {
        housekeeping_consent(&NormText::new(s).norm)
    }

    #[test]
    fn the_agreements_own_consents_are_housekeeping() {
        for s in [
            // the Llama 2 Community License's assignment clause's shape
            "You may not assign this Agreement without the prior written consent of Licensor.",
            // paraphrases written for this test
            "Licensee shall not transfer any of its rights or obligations hereunder without Licensor's written approval.",
            "Any amendment to this Agreement requires the written approval of both parties.",
            "No waiver of any provision shall be effective unless in writing and signed by the Licensor.",
            "You shall obtain any export licenses or government authorizations required before shipping the Model.",
            "You consent to the collection of usage data as described in our privacy policy.",
            "未经许可方书面同意，您不得转让本协议。",
            "对本协议的任何修改须经双方书面同意。",
            "您应遵守出口管制法律，并取得所需的出口许可。",
            // krea-2-community-license-agreement.txt (tests/license-eval), 8,
            // then paraphrases
            "You shall not settle any claim without Krea's prior written consent.",
            "Licensee may not enter into any settlement of such claims without the prior written approval of the Licensor.",
            "未经许可方事先书面同意，您不得就任何索赔达成和解。",
            // falcon-180b-tii-license-zh-en-translation.txt (tests/license-eval),
            // 11.1 of the Chinese translation (folded from traditional
            // characters), then the English shape
            "11.1. 在任何情况下，无论基于何种法律理论，除非法律要求（例如故意和严重的疏忽行为）或书面同意，任何贡献者均不对您承担因此许可证或因使用或无法使用作品（包括但不限于丧失商誉、工作停顿，或任何和所有其他商业损害或损失）而产生的任何直接、间接、特殊、偶然或后果性损害的责任。",
            "Unless agreed to in writing, no Contributor shall be liable to You for damages, including any commercial damages or losses.",
        ] {
            assert!(reads(s), "{s}");
        }
    }

    #[test]
    fn approval_as_a_state_of_the_model_is_no_consent_to_obtain() {
        for s in [
            // oscc-pni-mil-checkpoints-apache-notice.txt (tests/license-eval)
            "They are not medical devices and have not been cleared or approved for diagnosis, triage, prognosis, or treatment decisions.",
            // soundex-model-weight-licensing-apache.txt (tests/license-eval)
            "They must not be presented as approved Apache-2.0 SoundEx weights.",
            "Maintainer approval of training provenance and release evidence is a publishing workflow, not an additional restriction on downstream Apache-2.0 users.",
            // paraphrases written for this test
            "The model has not been approved by the FDA for clinical use.",
            "The model has no regulatory approval of any kind.",
            "Do not represent these checkpoints as the official or endorsed release.",
            "Internal review is a quality step, not a condition of this license.",
            // spam-phishing-detector-model-bundle-cc-by-sa.txt (tests/license-eval)
            "It is not approved as the sole basis for automatic email blocking, account action, or another high-impact decision.",
            "The classifier is not certified for automated decisions about people.",
        ] {
            assert!(reads(s), "{s}");
        }
        for s in [
            "You may use the Model only after our approval.",
            "Any deployment requires prior written approval from the Licensor.",
        ] {
            assert!(!reads(s), "{s}");
        }
    }

    #[test]
    fn a_citation_request_is_a_courtesy_a_citation_duty_is_not() {
        let courtesy = |s: &str| courtesy_request(&NormText::new(s).norm);
        for s in [
            "If you use it in your research, please cite our paper.",
            "If you find this model useful, please consider citing our work.",
            "We would appreciate a citation if you use these weights.",
            "如果您在研究中使用了本模型，请引用我们的论文。",
        ] {
            assert!(courtesy(s), "{s}");
        }
        for s in [
            "You must cite our paper in any publication that uses the Model.",
            "Please note that the Model may not be used commercially.",
        ] {
            assert!(!courtesy(s), "{s}");
        }
    }

    #[test]
    fn approval_to_use_the_model_is_not_housekeeping() {
        for s in [
            "Commercial use of the Model requires our prior written approval.",
            "You may not use the Model without our prior written consent.",
            "You may not transfer the Model or use it commercially without written authorization.",
            "如需将本模型用于商业用途，须事先获得许可方书面授权。",
            "未经许可方书面授权，不得使用本模型。",
            // a grant's adjective is no assignment clause
            "We grant you a non-transferable license to use the Model after you register with us.",
        ] {
            assert!(!reads(s), "{s}");
        }
    }
}
