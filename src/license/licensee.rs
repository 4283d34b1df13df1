//! Who may take the license: a text whose licensee can only be an academic,
//! non-profit or non-commercial organisation (or an individual), or whose
//! ban on commercial use reaches use by or within a company (its internal
//! evaluation included), grants a company nothing at all — not even
//! research. The derivation (`derive.rs`) reads such a text as
//! `prohibited` for a company.

use super::pattern::re;
use crate::license::pattern::Regex;
use std::sync::OnceLock;

struct Rules {
    /// Use limited to non-commercial or non-profit organisations.
    only: Regex,
    /// Use by, on behalf of or for a commercial organisation.
    company: Regex,
    /// A negation beside it.
    negation: Regex,
    /// The licensee, the party to the agreement, named as an academic or
    /// non-profit organisation.
    party: Regex,
    /// The permitted use defined by where it is done: "which are undertaken
    /// at an educational, non-profit, charitable or governmental
    /// institution", "must be carried out within", "conducted solely by".
    undertaken: Regex,
    /// A company named beside the academic party as another licensee.
    company_party: Regex,
    /// Use inside a company: "internal evaluation within companies".
    within_company: Regex,
    /// A sentence that spells out what the one before it covers.
    elaborates: Regex,
    /// Use for personal purposes only: no company can take it.
    personal: Regex,
    /// Commercial use named beside it (then it is read as non-commercial).
    commercial: Regex,
    /// A "not" that qualifies no ban: "even if not directly monetized",
    /// "whether or not for profit".
    regardless: Regex,
}

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| Rules {
        only: re(r"\b(?:by|to|for)\s+(?:accredited\s+)?(?:academic|educational|non-?profit|not-for-profit)\s+(?:(?:or|and|and/or)\s+(?:academic|educational|non-?profit|not-for-profit|research)\s+)?(?:institutions?|organi[sz]ations?|entit(?:y|ies))\s+only\b|\b(?:only|solely|exclusively)\b(?:\s+[\w,()'-]+){0,8}?\s+(?:by|for|to)\b[\s,]*(?:or\s+on\s+behalf\s+of[\s,]*)?non-?(?:commercial|profit)\s+(?:organi[sz]ations?|entit(?:y|ies)|institutions?)\b|\blimited\s+to\s+(?:grant\s+)?non-?profit\s+(?:entit|organi)|\bnon-?profit\s+(?:entit(?:y|ies)|organi[sz]ations?)\s+only\b|\bno\s+(?:commercial|for-profit)\s+(?:organi[sz]ations?|entit(?:y|ies)|compan(?:y|ies)|institutions?)\s+(?:may|shall|can|is|are)\b|\b(?:licensee|you)\s+(?:must|shall)\s+be\s+(?:a|an)\s+(?:academic|educational|non-?profit|not-for-profit)\b|\b(?:only|solely|exclusively)\s+(?:available\s+)?(?:to|for|by)\s+(?:accredited\s+)?(?:academic|educational|non-?profit|not-for-profit)\s+(?:(?:or|and|and/or)\s+(?:academic|educational|non-?profit|not-for-profit|research)\s+)?(?:institutions?|organi[sz]ations?|entit(?:y|ies))\b|非营利(?:组织|机构)(?:使用|专用)|面向(?:\w|,){0,30}?(?:大学|高校|院校|研究所|科研机构|研究机构|学术机构)(?:\w|,){0,30}?免费|商业机构不得|(?:营利性|商业)(?:机构|组织|公司|企业)不得|\bno\s+(?:compan(?:y|ies)|corporations?|business(?:es)?)\s*,\s*(?:[\w-]+[\s,]+){0,20}?(?:may|shall|can)\s+use\s+(?:the\s+|this\s+|these\s+|its\s+|our\s+)?(?:[\w-]+\s+){0,2}?(?:software|models?|weights|materials?|work)\b(?:\s*[-,;.]|\s+(?:including|without|in\s+any\s+way|at\s+all)\b|$)|\b(?:licen[cs]e|permission|right)\s+is\s+(?:hereby\s+)?granted\s+(?:only\s+)?to\s+(?:an?\s+|any\s+)?(?:individual\s+)?natural\s+persons?\b|\bnatural\s+persons?\s+only\b|(?:不包括|不含)\s*(?:\(\w{1,4}\)\s*)?(?:由|为|代表)?营利性?(?:实体|机构|组织|公司|企业)|\b(?:organi[sz]ational|corporate|institutional|enterprise)\s+(?:use|usage)(?:\s*,\s*(?:and\s+|or\s+)?[\w-]+(?:\s+[\w-]+){0,4})*\s*,?\s+(?:is|are)\s+(?:not(?:\s+(?:permitted|allowed|granted|authori[sz]ed|licen[cs]ed))?\s*(?:[.;]|$)|(?:strictly\s+)?(?:prohibited|forbidden|excluded)\b)|\bno\s+(?:organi[sz]ational|corporate|institutional)\s+(?:use|usage)\b|(?:组织|机构|法人|企业|公司|单位)(?:的)?(?:使用|用途)(?:、\w{1,12}?)*(?:均|一律|皆)?(?:禁止|不得使用|不予许可)\s*(?:[.;]|$)|(?:仅|只)(?:限|供|授权|许可)(?:于|给)?自然人|\b(?:licen[cs]es?|permission|rights?)\s+(?:is|are)\s+(?:hereby\s+)?granted\s+(?:only\s+|solely\s+|exclusively\s+)?to\s+(?:an?\s+|any\s+|all\s+)?(?:accredited\s+)?(?:academic|educational|non-?profit|not-for-profit)\s+(?:(?:or|and|and/or)\s+(?:academic|educational|non-?profit|not-for-profit|research)\s+)?(?:research\s+)?(?:institutions?|organi[sz]ations?|entit(?:y|ies))\b"),
        company: re(r"\b(?:by|on\s+behalf\s+of|for)\b[\s,]+(?:or\s+(?:on\s+behalf\s+of|for)\b[\s,]+)*(?:a\s+|an\s+|any\s+)?(?:(?:commercial|for-profit)\s+(?:organi[sz]ations?|entit(?:y|ies)|compan(?:y|ies))\b|(?:organi[sz]ations?|entit(?:y|ies))\s+(?:organi[sz]ed|operated|operating)\s+for\s+profit\b)"),
        negation: re(r"\b(?:not|never|prohibited|excludes?|excluding)\b"),
        // "between your academic institution or non-profit organization or
        // self (called "Licensee")"; a title "ACADEMIC OR NON-PROFIT
        // ORGANIZATION NONCOMMERCIAL RESEARCH USE ONLY"
        party: re(r"\bbetween\s+(?:you(?:r)?\s+|the\s+)?(?:[\w-]+\s+)?(?:academic|educational|non-?profit|not-for-profit)\s+(?:research\s+)?(?:institutions?|organi[sz]ations?|entit(?:y|ies))\b|\b(?:academic|educational|non-?profit)\s+(?:(?:or|and|and/or)\s+(?:academic|educational|non-?profit)\s+)?(?:institutions?|organi[sz]ations?)\s+(?:[\w-]+\s+){0,3}?use\s+only\b"),
        undertaken: re(r"(?:\b(?:(?:which|that)\s+(?:is|are|must\s+be|shall\s+be)|(?:must|shall)\s+be)\s+(?:solely\s+|only\s+|exclusively\s+)?(?:undertaken|conducted|carried\s+out|performed)\s+(?:solely\s+|only\s+|exclusively\s+)?|\b(?:undertaken|conducted|carried\s+out|performed)\s+(?:solely|only|exclusively)\s+)(?:at|by|within)\s+(?:an?\s+|the\s+|your\s+)?(?:accredited\s+)?(?:academic|educational|non-?profit|not-for-profit|charitable|governmental|government)(?:\s*,\s*(?:academic|educational|non-?profit|not-for-profit|charitable|governmental|government|research))*\s*,?\s*(?:(?:or|and|and/or)\s+(?:academic|educational|non-?profit|not-for-profit|charitable|governmental|government|research)\s+)?(?:research\s+)?(?:institutions?|organi[sz]ations?|entit(?:y|ies)|establishments?)\b"),
        company_party: re(r"\b(?:or|and|and/or)\s+(?:a\s+|an\s+|any\s+)?(?:compan(?:y|ies)|corporations?|for-profit|commercial\s+(?:entit|organi)|business(?:es)?\b)"),
        within_company: re(r"\b(?:internal\s+)?(?:evaluation|evaluating|testing|use|usage|experimentation|assessment|benchmarking|deployment)\s+(?:with)?in\s+(?:a\s+|any\s+)?(?:compan(?:y|ies)|corporations?|for-profit\s+(?:entit(?:y|ies)|organi[sz]ations?)|businesses)\b|\b(?:evaluation|testing|use|usage|experimentation|deployment)\s+(?:at|by)\s+(?:a\s+|any\s+)?(?:compan(?:y|ies)|corporations?|for-profit\s+(?:entit(?:y|ies)|organi[sz]ations?|compan(?:y|ies)))\b|(?:公司|企业)(?:内部)?(?:的)?(?:评估|测试|使用)"),
        personal: re(r"\b(?:solely|only|exclusively|strictly)\s+(?:for\s+)?(?:your\s+|their\s+|his\s+or\s+her\s+)?(?:own\s+)?(?:private\s+(?:and\s+|or\s+)?)?personal\s+(?:use|uses|usage|purposes?)\b|\bpersonal\s+(?:use|usage|purposes?)\s+only\b|仅(?:限|供)(?:于)?个人(?:使用|用途|学习)"),
        commercial: re(r"commercial|商业|商用|营利"),
        regardless: re(r"\b(?:even\s+(?:if|when|where|though)|whether\s+or)\s+not\b"),
        elaborates: re(r"^(?:[\w().]{1,4}\s+)?(?:this|that|such\s+(?:use|prohibition|restriction))\s+(?:includes|covers|extends\s+to|encompasses|applies\s+to)\b|^(?:[\w().]{1,4}\s+)?(?:including|e\.g\.|for\s+example|for\s+instance)\b|^(?:包括|例如)"),
    })
}

/// True when the sentence limits use to non-commercial or non-profit
/// organisations, forbids use by, on behalf of or for a commercial one, or
/// names the licensee as an academic or non-profit organisation only, or
/// the permitted use as one undertaken at such an institution.
pub fn excludes_companies(s: &str) -> bool {
    let r = rules();
    r.only.is_match(s)
        || (r.personal.is_match(s) && !r.commercial.is_match(s))
        || (r.company.is_match(s) && r.negation.is_match(s))
        || ((r.party.is_match(s) || r.undertaken.is_match(s)) && !r.company_party.is_match(s))
        || granted_to_non_commercial_organisations(s)
}

/// True when the sentence grants use with non-commercial or non-profit
/// organisations as its subject ("Noncommercial Organizations may use and
/// modify the Pre-trained Palette Model for Own Use under the Community
/// Tier"), naming no company or commercial use beside them: the free grant
/// is theirs, and a company is left to another license.
fn granted_to_non_commercial_organisations(s: &str) -> bool {
    static GRANT: OnceLock<Regex> = OnceLock::new();
    let grant = GRANT.get_or_init(|| {
        re(r"^(?:[\w().]{1,4}\s+)?(?:only\s+)?(?:non-?commercial|non-?profit|not-for-profit)\s+(?:organi[sz]ations?|institutions?|entit(?:y|ies))\s+(?:may|can|are\s+(?:permitted|allowed|entitled)\s+to)\s+(?:freely\s+)?(?:use|access|download|run)\b")
    });
    if !grant.is_match(s) || rules().company_party.is_match(s) {
        return false;
    }
    let rest = s.replace("non-commercial", "").replace("noncommercial", "");
    !rest.contains("commercial")
}

/// True when a ban on commercial use (sentence `s`, or `s` spelling out the
/// ban before it when `after_ban`) reaches use inside a company: "This
/// includes … internal evaluation within companies".
pub fn bans_use_within_companies(s: &str, after_ban: bool) -> bool {
    let r = rules();
    // "including but not limited to" negates nothing, nor does "even if
    // not directly monetized" (what the use counts as, whatever it earns)
    let plain = s
        .replace("not limited to", "")
        .replace("not be limited to", "");
    let plain = rules().regardless.replace_all(&plain, "");
    r.within_company.is_match(s) && (r.negation.is_match(&plain) || (after_ban && elaborates(s)))
}

/// True when the sentence spells out what the one before it covers ("This
/// includes …", "Including …", "For example …").
pub fn elaborates(s: &str) -> bool {
    rules().elaborates.is_match(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_academic_or_non_profit_licensee_excludes_a_company() {
        // magicleap-superglue-license.txt (tests/license-eval), the SuperGlue
        // license of Magic Leap
        for s in [
            r#"this is a license agreement ("agreement") between your academic institution or non-profit organization or self (called "licensee" or "you" in this agreement) and magic leap, inc."#,
            "superglue: learning feature matching with graph neural networks software license agreement academic or non-profit organization noncommercial research use only",
            // AlphaFold 3 model parameters terms of use
            "the alphafold 3 model parameters and output are only available for non-commercial use by, or on behalf of, non-commercial organizations (i.e., universities, non-profit organizations and research institutes).",
            "no commercial organisation may use the model.",
            "the licensee must be an academic institution.",
            // iiitd-metabokiller-academic-institution-only-license.txt
            // (tests/license-eval), Metabokiller's modified MIT licence
            "permission is hereby granted to any academic institution free of charge provisionally, for commercial utilization please contact the author/authorities (gaurav.ahuja@iiitd.ac.in), to any academic institution obtaining a copy of this software",
            // paraphrases
            "a license is granted only to accredited academic or research institutions to use the weights.",
            "permission is granted to non-profit organizations, free of charge, to use the model.",
            "rights are hereby granted exclusively to educational institutions.",
            // tencent-colorflow-academic-software-licence-model-weights.txt
            // (tests/license-eval), Tencent ARC's academic software licence:
            // the permitted use is defined by where it is undertaken
            "academic non-commercial use is defined as use for academic research or other not-for-profit scholarly purposes, which are undertaken at an educational, non-profit, charitable or governmental institution, and which does not involve the production of products for sale.",
            // paraphrases
            "research use means research conducted solely by an academic or non-profit organization.",
            "the work must be carried out within a governmental or educational institution.",
            // kartta-palette-pretrained-model-licence-polyform-nc-tiers.txt
            // (unseen19): the free tier's grant has non-commercial
            // organisations as its subject
            "noncommercial organizations may use and modify the pre-trained palette model for own use under the community tier.",
            // paraphrases
            "non-profit organizations may use the weights free of charge.",
            "3.1 non-commercial institutions are permitted to download and use the model for their own research.",
        ] {
            assert!(excludes_companies(s), "{s}");
        }
        // companies, or commercial use, named beside them: no limit on the
        // licensee
        for s in [
            "non-profit organizations and companies may use the model free of charge.",
            "noncommercial organizations may use the model for commercial purposes too.",
            "the model may be used by non-profit organizations and anyone else.",
        ] {
            assert!(!excludes_companies(s), "{s}");
        }
    }

    #[test]
    fn a_grant_to_natural_persons_or_a_ban_on_any_organisation_excludes_a_company() {
        // otzaria-embedding-model-personal-use-license.txt (tests/license-eval),
        // the Otzaria Personal Use License 1.0, sections 1 and 4
        for s in [
            "1. personal use permission permission is granted to an individual natural person to download, run, study, and modify the original software covered by this license solely for that person's own private, personal, and non-commercial use.",
            "4. no organizational use no company, organization, association, institution, nonprofit, charity, educational institution, government body, community, or other legal entity may use the covered software - including for internal purposes - without prior express written permission from the copyright holder.",
            // sjtu-venusfactory-non-commercial-license.txt and its Chinese
            // translation: the non-commercial users' definition
            "(b) individuals, excluding (i) any use by, for, or on behalf of an entity organized for profit, and (ii) any use directed toward commercial benefit.",
            "(b) 个人用户,但不包括 (i) 由营利性实体使用、为其使用或代表其使用的情形,以及 (ii) 旨在或指向商业利益或金钱报酬的使用.",
            // stock-forecasting-personal-non-commercial-model-license-zh-en.txt
            // (tests/license-eval), both versions (the Chinese folded from
            // traditional characters)
            "individual own-funds trading is permitted; organizational use, management of third-party capital, and commercial use are not.",
            "自然人可使用本人资金交易;组织使用、第三方资金管理及商业用途禁止.",
            // paraphrases
            "corporate use is prohibited.",
            "no organisational use of the weights is allowed.",
            "本模型仅授权给自然人个人使用.",
            "企业使用一律禁止.",
        ] {
            assert!(excludes_companies(s), "{s}");
        }
        // a ban on one field of use by any organisation, and a grant to any
        // person, exclude nothing
        for s in [
            "no company, organization or individual may use the model for military purposes.",
            "permission is hereby granted, free of charge, to any person obtaining a copy of this software.",
            // a grant to any person that names academic institutions among
            // those who may take it excludes nothing
            "permission is hereby granted to any person or academic institution obtaining a copy.",
            "you may use the model for personal projects.",
            // a field of use banned to organisations, or organisational
            // use allowed, excludes nothing
            "organizational use for military purposes is prohibited.",
            "organizational use is not restricted.",
            "commercial and organizational use are permitted.",
            "组织使用本模型从事违法活动的,应承担责任.",
        ] {
            assert!(!excludes_companies(s), "{s}");
        }
    }

    #[test]
    fn a_licensee_that_may_be_a_company_is_not_excluded() {
        for s in [
            "this license agreement is a legal agreement between you (either an individual or an entity) and advanced micro devices, inc.",
            "this agreement is between your academic institution or company and the licensor.",
            "you may use the model for academic research.",
            // where the work is done, not who may take the licence
            "non-commercial research undertaken by or funded by a commercial entity is allowed.",
            "the evaluation was performed at an academic institution and a company.",
            // sii-ribospan-non-commercial-model-license-1.0.txt
            // (tests/license-eval): who performs research, in a sentence
            // that says which research counts as non-commercial
            "research performed by an academic, educational, governmental, or non-profit organization is not automatically a non-commercial research purpose where the research is performed primarily for the commercial benefit of a for-profit entity.",
        ] {
            assert!(!excludes_companies(s), "{s}");
        }
    }

    #[test]
    fn a_ban_that_reaches_evaluation_inside_a_company() {
        // clip-caer-weights-license-agreement.txt (tests/license-eval)
        let s = "this includes, but is not limited to, integration into commercial products, paid services, or internal evaluation within companies.";
        assert!(bans_use_within_companies(s, true));
        // the same words after no ban spell out nothing
        assert!(!bans_use_within_companies(
            "we welcome internal evaluation within companies.",
            true
        ));
        assert!(bans_use_within_companies(
            "you may not use the weights for commercial purposes or for testing by a for-profit entity.",
            false
        ));
        // research funded by a company, allowed (AMD's non-commercial models license)
        assert!(!bans_use_within_companies(
            "this means you may use the trained models for benchmarking, testing, and evaluating the trained models (including non-commercial research undertaken by or funded by a commercial entity)",
            false
        ));
        // what counts as commercial use "even if not directly monetized"
        // (highnoon-llm-weights-dual-licence-commercial-terms.txt, an item
        // of "Commercial use includes, but is not limited to:"), then
        // paraphrases: a kind of commercial use, no ban on a company's research
        for s in [
            "any use in a for-profit organization's operations, even if not directly monetized.",
            "use within a company, whether or not for profit, counts as commercial use.",
            "deployment in any business, even where not revenue-generating.",
        ] {
            assert!(!bans_use_within_companies(s, false), "{s}");
        }
    }
}
