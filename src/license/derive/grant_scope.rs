//! How far a grant reaches: a grant confined to the licensor's own product,
//! firmware or service ("a license to use the Model solely … as embedded
//! within an Official SomnoTrace Build", 仅限在许可方的官方产品中使用), or to
//! the licensor itself, gives the reader nothing to use in anything of their
//! own; a proprietary model whose weights may not be downloaded gives only
//! access to the licensor's service; and a text that lists personal or
//! hobby use among its permitted uses allows more than research.

use crate::license::pattern::Regex;
use std::sync::OnceLock;

/// True when the sentence confines the use it grants to the licensor's own
/// product, firmware, build or service, or to the licensor and its
/// affiliates: nothing a reader can use in a product of their own.
pub fn confined_to_licensors_product(s: &str) -> bool {
    static CONFINED: OnceLock<Regex> = OnceLock::new();
    CONFINED
        .get_or_init(|| {
            crate::license::pattern::re(r"\b(?:solely|only|exclusively)\s+(?:[\w,()'-]+\s+){0,8}?(?:(?:as\s+)?(?:embedded|integrated|bundled|incorporated|included|contained|installed|shipped|distributed|provided)\s+)?(?:in|within|inside|into|through|via|with|as\s+part\s+of)\s+(?:an?\s+|the\s+)?(?:official|unmodified|genuine|licensor's|company's|our)\s+(?:[\w-]+\s+){0,3}?(?:builds?|products?|firmware|applications?|apps?|services?|software|platforms?|devices?|hardware|releases?|distributions?)\b|\b(?:used|use|run|operated)\s+(?:solely|only|exclusively)\s+by\s+(?:the\s+)?licensor\b|(?:仅|只)(?:可|能|限|限于)?(?:在|于|通过)(?:许可方|本公司|我们|我方)(?:的)?(?:官方)?\w{0,6}?(?:产品|服务|固件|应用|软件|平台|设备)")
        })
        .is_match(s)
}

/// True when the sentence speaks of training data (datasets, corpora) and
/// not of the model, its weights or what is made from it ("Mapillary Vistas
/// and Cityscapes are licensed for research use and are part of the SUNNY
/// corpus only"): the data's own terms, not a limit of the model's grant.
pub fn speaks_of_training_data_only(s: &str) -> bool {
    static DATA: OnceLock<(Regex, Regex)> = OnceLock::new();
    let (data, model) = DATA.get_or_init(|| {
        let build = crate::license::pattern::re;
        (
            build(r"\b(?:datasets?|data\s+sets?|corpus|corpora|training\s+(?:data|sets?))\b|数据集|语料"),
            build(r"\b(?:models?|weights?|checkpoints?|networks?|trained|derived|derivatives?|outputs?|artifacts?|software|you|your|licensee)\b|模型|权重"),
        )
    });
    data.is_match(s) && !model.is_match(s)
}

/// True when the sentence lets the reader use the model, in any scope ("You
/// may use the model …", "is licensed to you for use …", 您可以使用).
pub fn permits_use(s: &str) -> bool {
    static USE: OnceLock<Regex> = OnceLock::new();
    USE.get_or_init(|| {
        crate::license::pattern::re(r"\b(?:you|licensee)\s+(?:may|can|are\s+(?:permitted|allowed|authori[sz]ed)\s+to)\s+(?:only\s+|solely\s+)?(?:use|run|deploy)\b|(?:您|你)(?:仅)?(?:可以|可|能够)(?:\w{0,8})?使用")
    })
    .is_match(s)
}

/// True when the sentence names personal, hobby or private use as a use the
/// text permits, outside research ("✅ Personal and Non-Commercial Use",
/// "Personal hobby projects", 个人非商业使用): beside a research-only clause,
/// research is not the only use allowed.
pub fn permits_personal_use(s: &str) -> bool {
    static PERSONAL: OnceLock<(Regex, Regex)> = OnceLock::new();
    let (personal, research) = PERSONAL.get_or_init(|| {
        let build = crate::license::pattern::re;
        (
            build(r"\b(?:personal|private|hobby|hobbyist)\s+(?:(?:and|or|,)\s+)?(?:[\w-]+\s+){0,2}?(?:use|uses|usage|projects?|purposes?)\b|个人(?:非商业|学习|爱好)?(?:使用|用途)"),
            build(r"\b(?:research|academic|studying|study)\b|研究|学术"),
        )
    });
    // the research words count inside the named use only ("personal
    // research use"), a list item beside it may be research
    personal
        .find_iter(s)
        .any(|m| !research.is_match(m.as_str()))
        && !denies(s)
}

/// True when the sentence says not, no, never, prohibits or forbids
/// (不得, 禁止): a use it names is then not a use it permits.
fn denies(s: &str) -> bool {
    static AGAINST: OnceLock<Regex> = OnceLock::new();
    AGAINST
        .get_or_init(|| {
            crate::license::pattern::re(r"\b(?:not|no|never|prohibit\w*|forbid\w*)\b|不得|禁止")
        })
        .is_match(s)
}

/// True when the sentence names research as one of the non-commercial uses
/// it allows ("Use the Models for academic research and other
/// non-commercial purposes", "solely for non-commercial scientific research,
/// non-commercial education, or non-commercial artistic projects",
/// 用于学术研究及其他非商业用途): beside a
/// research-only clause, research is not the only use allowed.
pub fn permits_other_non_commercial(s: &str) -> bool {
    static OTHER: OnceLock<Regex> = OnceLock::new();
    let other = OTHER.get_or_init(|| {
        crate::license::pattern::re(r"\b(?:research|academic|study)\b(?:\s+[\w-]+){0,3}?\s+(?:and|or|and/or|as\s+well\s+as)\s+(?:any\s+|all\s+)?other\s+non-?commercial\s+(?:purposes?|uses?|usage|activities|projects?)\b|\bresearch\b(?:[\s,]+[\w/-]+){0,8}?[\s,]+(?:or|and|and/or)\s+(?:non-?commercial\s+)?(?:artistic|creative|art|hobby)\s+(?:projects?|purposes?|uses?|works?)\b|(?:研究|学术)\w{0,6}?(?:及|和|或|以及|与)其他非商业(?:用途|目的|使用)")
    });
    other.is_match(s) && !denies(s)
}

/// True when the sentence makes use of the model conditional on duties the
/// user agrees to ("Before using these pre-trained models, you agree to
/// inform the listeners that the speech samples are synthesized", "By
/// downloading the weights you agree to cite our paper", 使用本模型前，您同意
/// ……): terms of use that let anyone use the model on those duties, a grant
/// with conditions (beside nothing that limits commercial use). Agreeing to
/// be bound by terms, or to comply with a license, is no such duty: the
/// terms decide.
pub fn conditions_use(s: &str) -> bool {
    static CONDITIONS: OnceLock<(Regex, Regex, Regex)> = OnceLock::new();
    let (conditions, bound, gated) = CONDITIONS.get_or_init(|| {
        let build = crate::license::pattern::re;
        (
            build(r"\b(?:before|by)\s+(?:using|downloading|accessing|deploying|running)\s+(?:the|these|this|our|any\s+of\s+(?:the|these|our))\s+(?:[\w-]+\s+){0,3}?(?:models?|weights|checkpoints?)\s*,?\s*you\s+(?:hereby\s+)?agree\s+to\s+|(?:使用|下载)(?:本|该|这些)(?:预训练)?(?:模型|权重)(?:之)?前\s*,?\s*(?:您|你)(?:须|需)?同意"),
            build(r"^(?:be\s+bound|the\s+|these\s+|this\s+|its\s+|all\s+|comply|abide|accept)|^(?:本|以下|下列|上述)?(?:协议|条款|许可)"),
            // a duty that is itself a gate or a scope: asking, paying, a
            // license, use only in some way
            build(r"\b(?:permissions?|approv\w*|consent\w*|licen[cs]\w*|fees?|pay\w*|purchas\w*|contact\w*|only|solely|exclusively|internal\w*|research|non-?commercial|academic|regist\w*|authori[sz]\w*|not|never)\b|许可|授权|申请|登记|付费|联系|仅|只|研究|非商业|不得"),
        )
    });
    conditions.find(s).is_some_and(|m| {
        // the duty: what follows "agree to", up to the first comma or stop
        let rest = s.get(m.end()..).unwrap_or("");
        let duty = rest.split([',', '.', ';']).next().unwrap_or(rest);
        !bound.is_match(rest) && !gated.is_match(duty)
    })
}

/// `s` with a non-commercial limit it denies read out ("no non-commercial
/// restriction", "no model here is derived from credentialed, non-commercial
/// or data-use-agreement material", "not subject to any non-commercial
/// terms", 不受非商业限制): a statement that the limit does not apply.
pub fn without_denied_limits(s: &str) -> String {
    static DENIED: OnceLock<Regex> = OnceLock::new();
    DENIED
        .get_or_init(|| {
            crate::license::pattern::re(r"\bno\s+(?:[\w,-]+\s+){0,8}?non-?commercial(?:\s+(?:or|and)\s+[\w-]+)?\s+(?:restrictions?|limitations?|material|materials|data|datasets?|terms|licen[cs]es?|clauses?|conditions?)\b|\bnot\s+(?:subject\s+to|derived\s+from|bound\s+by|covered\s+by|under)\s+(?:any\s+|a\s+)?(?:[\w,-]+\s+){0,3}?non-?commercial\s+(?:restrictions?|limitations?|material|data|datasets?|terms|licen[cs]es?|clauses?|conditions?)\b|(?:不受|没有|无)(?:任何)?非商业(?:用途)?(?:限制|条款|约束)")
        })
        .replace_all(s, "")
        .into_owned()
}

/// True when the sentence keeps the weights themselves from the reader: no
/// download, clone or hosted copy of the model's weights ("You may NOT:" ⏎
/// "- Download, copy, clone, or host the Model weights"; "you may not
/// download or copy the checkpoints"). `item`: the sentence is an item of a
/// list a negation introduces, so its words carry that negation.
pub fn withholds_weights(s: &str, item: bool) -> bool {
    static WITHHELD: OnceLock<(Regex, Regex)> = OnceLock::new();
    let (banned, listed) = WITHHELD.get_or_init(|| {
        let build = crate::license::pattern::re;
        const COPY: &str = r"(?:download|clone|obtain\s+a\s+copy\s+of)\b(?:[\s,]+[\w/-]+){0,8}?\s+(?:the\s+)?(?:model\s+)?(?:weights|checkpoints|parameters)\b";
        (
            build(&format!(r"\b(?:may|shall|must|will|can)\s+not\s+(?:[\w,]+\s+){{0,3}}?{COPY}")),
            build(&format!(r"^(?:[\w().]{{1,4}}\s+)?{COPY}")),
        )
    });
    banned.is_match(s) || item && listed.is_match(s)
}

/// True when the sentence says that material under some licence was kept
/// out ("Images under any non-commercial or no-derivatives licence were
/// refused", "data under NC licences was filtered out"): a note on what the
/// model was built from, no limit on its use.
pub fn refuses_licensed_material(s: &str) -> bool {
    static REFUSED: OnceLock<Regex> = OnceLock::new();
    REFUSED
        .get_or_init(|| {
            crate::license::pattern::re(r"\blicen[cs]es?\b(?:\s+[\w,()'-]+){0,4}?\s+(?:was|were|is|are|has\s+been|have\s+been)\s+(?:\w+\s+){0,2}?(?:refused|rejected|excluded|removed|filtered\s+out|discarded|dropped|left\s+out|skipped)\b")
        })
        .is_match(s)
}

/// True when the sentence carves commercial running of the model out of
/// the text's non-commercial term ("As an exception to the NonCommercial
/// term above, the licensor additionally grants you the right to run these
/// weights …, including in a commercial setting"): a path to commercial use
/// under the license itself, the non-commercial term left on the rest
/// (selling the weights, offering them as a service).
pub(super) fn excepts_commercial_running(s: &str) -> bool {
    static EXCEPTS: OnceLock<Regex> = OnceLock::new();
    EXCEPTS
        .get_or_init(|| {
            crate::license::pattern::re(r"\b(?:exception|carve-?\s?out)\s+(?:to|from)\s+the\s+non-?\s?commercial\s+(?:term|terms|restriction|limitation|clause|condition)\b,?(?:\s+[\w,()'-]+){0,8}?\s+grants?\s+(?:you\s+)?(?:the\s+)?(?:right|permission|licen[cs]e)\s+to\s+(?:run|use|deploy|operate)\s+(?:these|the|this)\s+(?:weights|models?|checkpoints?),?(?:\s+[\w,()'\x22-]+){0,16}?\s+(?:in\s+a\s+commercial\s+(?:setting|context|environment)|for\s+commercial\s+purposes|commercially)\b")
        })
        .is_match(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grant_inside_the_licensors_product_is_confined() {
        // somnostage-model-license-terms.txt (tests/license-eval), and paraphrases
        for s in [
            "the licensor grants you a non-exclusive, royalty-free license to use the model solely in binary form, as embedded within an official somnotrace build, for its intended purpose.",
            "you may run the weights only as part of the company's mobile application.",
            "the model may be used exclusively through our hosted service.",
            "the model may be used solely by the licensor and its affiliates.",
            "本模型仅可在许可方的官方产品中使用。",
        ] {
            assert!(confined_to_licensors_product(s), "{s}");
        }
        for s in [
            "you may use the model in your own products and services.",
            "you may use the model solely for non-commercial purposes.",
            "you may use the model only in compliance with this license.",
            "您可以在您的产品中使用本模型。",
        ] {
            assert!(!confined_to_licensors_product(s), "{s}");
        }
    }

    #[test]
    fn a_denied_non_commercial_limit_is_read_out() {
        for s in [
            "all seven are open-access: no data use agreement, no credentialing, and no non-commercial restriction.",
            "no model here is derived from credentialed, non-commercial or data-use-agreement material.",
            "the weights are not subject to any non-commercial terms.",
            "本模型不受非商业限制。",
        ] {
            assert!(!without_denied_limits(s).contains("non"), "{s}");
            assert!(!without_denied_limits(s).contains("非商业"), "{s}");
        }
        for s in [
            "you may use the model for non-commercial purposes only.",
            "no use other than non-commercial research is permitted.",
        ] {
            assert_eq!(without_denied_limits(s), s, "{s}");
        }
    }

    #[test]
    fn use_on_duties_agreed_is_told_from_agreeing_to_terms() {
        // styletts2-pretrained-models-terms-of-use.txt (tests/license-eval), then paraphrases
        for s in [
            "before using these pre-trained models, you agree to inform the listeners that the speech samples are synthesized by the pre-trained models.",
            "by downloading the weights you agree to cite our paper in any publication.",
            "使用本模型前,您同意在发布内容时注明其由模型生成.",
        ] {
            assert!(conditions_use(s), "{s}");
        }
        for s in [
            "by using the model, you agree to be bound by the terms of this license.",
            "before using these models, you agree to the terms below.",
            "by using the weights you agree to comply with the license.",
        ] {
            assert!(!conditions_use(s), "{s}");
        }
    }

    #[test]
    fn personal_use_named_as_permitted_is_told_from_research() {
        for s in [
            "✅ **personal and non-commercial use**",
            "- personal hobby projects",
            "you may use the model for private use.",
        ] {
            assert!(permits_personal_use(s), "{s}");
        }
        for s in [
            "you may not use the model for personal use.",
            "for personal research use only.",
            "personal data must be protected.",
        ] {
            assert!(!permits_personal_use(s), "{s}");
        }
    }

    #[test]
    fn an_exception_to_the_non_commercial_term_for_running_the_model() {
        let excepts =
            |s: &str| excepts_commercial_running(&crate::license::text::NormText::new(s).norm);
        for s in [
            // ai2pixelart-weights-cc-by-nc-with-commercial-output-and-production-permission.txt
            // (tests/license-eval, unseen17)
            "As an exception to the NonCommercial term above, the licensor additionally grants you the right to run these weights to produce pixel art and other images (\"Output\"), including in a commercial setting and including Output that you sell or license.",
            // paraphrases
            "As an exception to the non-commercial restriction, we grant you the right to use the model in production for commercial purposes.",
            "By way of a carve-out from the noncommercial clause, the author grants the right to deploy this checkpoint commercially inside your own products.",
        ] {
            assert!(excepts(s), "{s}");
        }
        for s in [
            // outputs only: the model itself stays non-commercial
            "As an exception to the NonCommercial term, the licensor grants you the right to use the model's outputs commercially.",
            // no exception to the non-commercial term
            "The licensor grants you the right to run these weights for non-commercial purposes.",
            // an exception for research, not commercial use
            "As an exception to the NonCommercial term, you may run the weights for academic research at a company.",
        ] {
            assert!(!excepts(s), "{s}");
        }
        // the whole text: a grant with conditions, never `permitted`
        let text = "The weights are licensed under CC BY-NC 4.0.\n\nNonCommercial — you may not use the weights for commercial purposes.\n\nAs an exception to the NonCommercial term above, the licensor additionally grants you the right to run these weights to produce images, including in a commercial setting. You may not sell or sublicense the weights.";
        let t = crate::license::text::NormText::new(text);
        let v =
            crate::license::derive::derive(&t, &crate::license::clauses::read_clauses(&t)).verdict;
        assert_eq!(
            v,
            crate::license::verdict::Verdict::PermittedWithConditions,
            "{text}"
        );
    }
}
