//! A verdict read from the clauses of a text that matches no known license.
//! The clauses are weighed, not just capped: a text that grants
//! non-commercial use and opens commercial use only after registration or
//! written authorisation *under this license* requires approval; one that
//! grants commercial use with conditions is permitted with conditions. A
//! derived verdict never grants more than the clauses found say
//! (`permitted` only for a free, unconditional grant beside no clause but a
//! notice or a copy of the license; `permitted-with-conditions` otherwise),
//! and a text whose grant cannot be found stays `unknown`.

use super::clauses::ClauseHit;
use super::clauses_zh;
use super::licensee;
use super::text::NormText;
use super::verdict::{ObligationKind, Verdict};
use crate::license::pattern::Regex;
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
    /// The sentence (first and last word) that kept a text at `unknown`: a
    /// limit on commercial use, or an approval, that no clause weighed.
    pub unweighed: Option<(usize, usize)>,
}

/// An explicit grant of commercial use in an English sentence.
fn grant_patterns() -> &'static (Regex, Regex) {
    static GRANT: OnceLock<(Regex, Regex)> = OnceLock::new();
    GRANT.get_or_init(|| {
        let build = super::pattern::re;
        (
            build(r"\b(?:commercial\s+(?:and|or|and/or)\s+non-?commercial|for\s+any\s+(?:lawful\s+)?purpose|including\s+(?:for\s+|in\s+)?commercial|commercial\s+(?:use|uses|purposes?)\s+(?:is|are)\s+(?:permitted|allowed|granted)|(?:may|can)\s+(?:use|deploy|exploit)\s+(?:[\w,()'-]+\s+){0,10}?(?:for\s+)?commercial(?:ly)?\b|\buse\s+(?:[\w,()'-]+\s+){0,8}?commercially\b|\bgrants?\s+(?:to\s+)?(?:you|licensee|the\s+licensee)\s*,?\s+(?:subject\s+to\s+the\s+terms\s+of\s+this\s+agreement\s*,\s*)?(?:a\s+|an\s+)?(?:[\w,()-]+\s+){0,12}?(?:copyright\s+)?licen[cs]e\s+(?:\([^)]{0,24}\)\s+)?(?:under\s+(?:[\w',-]+\s+){0,16}?)?to\s+(?:use|reproduce|copy|modify|distribute|exploit|access|download|install|run|deploy)|\byou\s+are\s+(?:hereby\s+)?granted\s+(?:a\s+|an\s+)?(?:[\w,-]+\s+){0,14}?licen[cs]e\b|\bgrants?\s+(?:to\s+)?you\s+(?:the\s+)?permission\s*,?\s+(?:(?:free\s+of\s+charge|royalty-free|worldwide)\s*,?\s+)*to\s+(?:use|reproduce|copy|modify|distribute)\b|\byou\s+are\s+free\s+to\s+(?:use|copy|share|modify|distribute)|\bpermission\s+is\s+(?:hereby\s+)?granted\b|\b(?:right|rights|authority)\s+to\s+(?:[\w,]+\s+){0,4}?(?:sell|commerciali[sz]e|offer\s+(?:it\s+)?for\s+sale)\b|\b(?:may|can)\s+be\s+used\s+(?:[\w,()'-]+\s+){0,6}?for\s+commercial\s+(?:purposes?|use|uses)\b|\b(?:may|can)\s+be\s+(?:freely\s+)?used\s+commercially\b|\b(?:may|can|(?:is|are)\s+(?:hereby\s+)?(?:permitted|allowed|authori[sz]ed|entitled|free)\s+to)\s+(?:freely\s+)?use(?:\s*,\s*(?:and\s+|or\s+|and/or\s+)?|\s+(?:and|or|and/or)\s+)(?:copy|reproduce|modify|adapt|distribute|redistribute|share|publish|sublicense|sell|deploy|run|host)\b|\b(?:may|can)\s+(?:be\s+)?(?:freely\s+)?used(?:\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+)(?:copied|reproduced|modified|adapted|distributed|redistributed|shared|published|sold|deployed)\b|\bfree\s+(?:[\w-]+\s+){0,2}?for\s+(?:[\w-]+\s+(?:and|or)\s+)?commercial\s+(?:use|uses|usage|purposes?|applications?|projects?|products?)\b|\bcommercial\s+(?:use|usage)\s*(?::|-|\|)\s*(?:allowed|permitted|yes|ok)\b|\bavailable\s+for\s+(?:[\w-]+\s+(?:and|or)\s+)?commercial\s+(?:use|uses|usage|purposes?)\b|\b(?:allows?|permits?|supports?)\s+(?:free\s+)?commercial\s+(?:use|usage)\b|\b(?:may|can|allows?\s+you\s+to|(?:are|is)\s+(?:permitted|allowed|free)\s+to)\s+(?:use|deploy|integrate|incorporate|embed|include|ship|offer|sell|distribute)\s+(?:[\w,()'-]+\s+){0,8}?(?:in|into|within|as\s+part\s+of)\s+(?:your\s+|their\s+|its\s+)?(?:own\s+)?(?:commercial\s+|paid\s+)?(?:products?|services?|offerings?|software|applications?)\b|\bcommercial\s+(?:use|uses|usage|products?|applications?|deployments?)\s+(?:is|are)\s+(?:welcome|encouraged|fine|ok|free)\b|\bin\s+commercial\s+(?:products?|applications?|services?|software)\s+(?:is|are)\s+(?:permitted|allowed|welcome|encouraged|fine)\b|\bincluding\s+(?:in\s+)?(?:paid|for-profit|revenue-generating)\s+(?:products?|services?|applications?|offerings?)\b|\b(?:may|can)\s+(?:integrate|incorporate|embed|include|ship|offer|sell|distribute)\s+(?:[\w,()'-]+\s+){0,10}?(?:for\s+|into\s+|in\s+)?commercial(?:ly)?\b|\b(?:grants?\s+(?:to\s+)?you|you\s+(?:may|can|are\s+free\s+to))\s+(?:the\s+|all\s+(?:the\s+)?)?(?:rights?\s+to\s+)?do\s+(?:everything|anything|whatever\s+you\s+(?:want|like|wish))\b)"),
            build(r"\b(?:not|no|non-?commercial|never|prohibit\w*|except|unless|only|solely|exclusively|subject\s+to\s+(?:a\s+)?(?:separate|written|prior))\b|\bby[- ]n[cd]\b|\bnoderiv"),
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
    // a default ("unless otherwise stated in a specific release") limits
    // nothing the sentence grants
    let plain = default_proviso().replace_all(&plain, "");
    (grant.is_match(s) || names_permissive_license(s))
        && !against.is_match(&plain)
        && !names_narrow_purpose(&plain)
}

/// "Unless otherwise stated (in a specific release)", "except as otherwise
/// noted": the default a grant states, no limit on it.
fn default_proviso() -> &'static Regex {
    static PROVISO: OnceLock<Regex> = OnceLock::new();
    PROVISO.get_or_init(|| {
        super::pattern::re(r"\b(?:unless|except\s+(?:as|where))\s+otherwise\s+(?:stated|specified|noted|indicated|marked|declared)\b")
    })
}

/// True when the sentence puts the model under a permissive license by
/// name (`clauses::purpose`).
fn names_permissive_license(s: &str) -> bool {
    super::clauses::purpose::names_permissive_license(s)
}

/// True when the sentence forbids something ("you may not redistribute
/// it", "must not", "is prohibited"), other than the agreement's own
/// housekeeping: a permissive license named beside it is not all the text
/// says, so its grant is not taken as that license's plain one.
fn forbids_something(s: &str) -> bool {
    static FORBIDS: OnceLock<Regex> = OnceLock::new();
    FORBIDS
        .get_or_init(|| {
            super::pattern::re(r"\b(?:may|must|shall|can|will)\s+not\b|\bcannot\b|\bprohibit\w*|\bforbid\w*|\bnot\s+(?:permitted|allowed|authori[sz]ed)\b|不得|禁止")
        })
        .is_match(&super::clauses::fitness::without_fitness_statements(s))
        && !super::clauses::boilerplate::housekeeping_consent(s)
        && !super::clauses::restated::restates_license_terms(s)
}

/// True when a grant names a purpose narrower than commercial use, and no
/// commercial use beside it ("a license to use the Model for educational
/// purposes", "for your personal use"): no grant of commercial use.
fn names_narrow_purpose(s: &str) -> bool {
    static NARROW: OnceLock<(Regex, Regex)> = OnceLock::new();
    let (narrow, commercial) = NARROW.get_or_init(|| {
        let build = super::pattern::re;
        (
            build(r"\bfor\s+(?:[\w-]+\s+){0,3}?(?:personal|private|internal|educational|education|academic|teaching|learning|study|studying|hobby|evaluation|evaluating|testing|demo|demonstration|scientific|non-?profit|charitable|research|experimental|experimentation|informational|illustrative)\b|\b(?:personal|private|hobby|educational|academic)\s+(?:use|uses|usage|purposes?|projects?)\b"),
            build(r"\bcommercial(?:ly)?\b|\bsell\b|\bany\s+(?:lawful\s+)?purpose\b"),
        )
    });
    narrow.is_match(s) && !commercial.is_match(s)
}

/// True when the sentence grants a license or permission of any scope (a
/// non-commercial grant included).
fn grants_any(s: &str) -> bool {
    if clauses_zh::is_chinese(s) {
        return clauses_zh::grants_commercial(s) || clauses_zh::grants_any(s);
    }
    // (a grant to the party by its defined name: "grants the Licensee a
    // worldwide, non-exclusive … license to use … for non-commercial purposes")
    static TO_LICENSEE: OnceLock<Regex> = OnceLock::new();
    let to_licensee = TO_LICENSEE.get_or_init(|| {
        super::pattern::re(r"\bgrants?\s+(?:to\s+)?(?:the\s+)?licensees?\s+(?:a\s+|an\s+)?(?:[\w,()-]+\s+){0,12}?licen[cs]e\s+to\s+(?:use|reproduce|copy|modify|distribute|access|download|run)\b")
    });
    grant_patterns().0.is_match(s) || to_licensee.is_match(s)
}

/// True when a registration clause opens commercial use under this license
/// (register, apply, obtain written authorisation, then use commercially),
/// rather than pointing to a separate license.
fn opens_commercial_use(s: &str) -> bool {
    static PATH: OnceLock<(Regex, Regex)> = OnceLock::new();
    let (commercial, approval) = PATH.get_or_init(|| {
        let build = super::pattern::re;
        (
            build(r"commercial|商业|商用"),
            // (or commercial use granted to parties the licensor lists or
            // approves: "for commercial purposes by these individuals and
            // organizations is permitted")
            build(r"\bregist(?:er|ration)|authori[sz]ation|\bapprov|登记|书面授权|申请|授权|\bby\s+\[?(?:these|the\s+following|the\s+listed|listed|approved|authori[sz]ed)\s+(?:[\w-]+\s+){0,3}?(?:individuals|persons|organi[sz]ations|parties|companies|entities|users|licensees|partners)\b(?:\]\(\S*\))?"),
        )
    });
    commercial.is_match(s) && approval.is_match(s) && !points_elsewhere(s)
}

/// True when the sentence speaks of commercial use (商业, 商用).
fn opens_commercial_use_words(s: &str) -> bool {
    static COMMERCIAL: OnceLock<Regex> = OnceLock::new();
    COMMERCIAL
        .get_or_init(|| super::pattern::re(r"\bcommercial(?:ly)?\b|商业|商用"))
        .is_match(s)
}

/// True when the sentence says that nothing is granted ("No license, whether
/// implied or otherwise, is granted", "no permission is granted to use …",
/// 不授予任何权利) — of the model, not of a trademark or a patent.
fn denies_grant(s: &str) -> bool {
    static DENIES: OnceLock<(Regex, Regex)> = OnceLock::new();
    let (denies, other) = DENIES.get_or_init(|| {
        let build = super::pattern::re;
        (
            build(r"\bno\s+(?:licen[cs]es?|permissions?|rights?)\b(?:\s+or\s+(?:licen[cs]es?|permissions?|rights?))?,?(?:\s+[\w,()'-]+){0,10}?\s+(?:is|are)\s+(?:hereby\s+)?granted\b|\b(?:does|do|shall|will)\s+not\s+(?:automatically\s+|itself\s+|by\s+itself\s+)?(?:grant|give|confer|convey)\s+(?:you\s+)?(?:any\s+)?(?:licen[cs]es?|permissions?|rights?)\b|不(?:授予|给予)(?:您|你)?任何(?:许可|权利|授权)"),
            build(r"\btrade\s*marks?\b|\btrade\s+names?\b|\blogos?\b|\bpatents?\b|\bthird[- ]part(?:y|ies)\b|\bnames?\b|\bmarks\b|商标|专利"),
        )
    });
    // a denial scoped to commercial use is a non-commercial grant's limit
    static COMMERCIAL: OnceLock<Regex> = OnceLock::new();
    let commercial = COMMERCIAL
        .get_or_init(|| super::pattern::re(r"\bcommercial(?:ly)?\b|商业|商用"))
        .is_match(s);
    denies.is_match(s) && !other.is_match(s) && !commercial
}

/// True when the sentence declares the model proprietary ("This model and
/// all derived artifacts are proprietary and confidential", a title
/// "Proprietary Model License Agreement", 本模型为专有): beside no grant, and
/// a use that needs a written agreement, nothing is granted to the reader.
fn declares_proprietary(s: &str) -> bool {
    static PROPRIETARY: OnceLock<Regex> = OnceLock::new();
    PROPRIETARY
        .get_or_init(|| {
            super::pattern::re(r"\b(?:is|are|remains?|shall\s+remain)\s+(?:\*+\s*)?(?:strictly\s+|wholly\s+)?(?:proprietary|confidential)\b|^(?:[\w.#*]+\s+)?proprietary\s+(?:[\w-]+\s+){0,3}?(?:licen[cs]e|agreement|terms)\b|(?:属于|为|是)(?:\w{0,6})?(?:专有|保密)")
        })
        .is_match(s)
}

/// True when the sentence grants an exclusive license ("the Submitter
/// hereby grants to The Company a worldwide, exclusive … license"): a grant
/// to one party, the licensor's own, nothing for the reader.
fn grants_exclusively(s: &str) -> bool {
    static EXCLUSIVE: OnceLock<Regex> = OnceLock::new();
    let plain = s
        .replace("non-exclusive", "")
        .replace("nonexclusive", "")
        .replace("非独占", "");
    EXCLUSIVE
        .get_or_init(|| {
            super::pattern::re(
                r"\bexclusive\s+(?:[\w,-]+\s+){0,8}?licen[cs]e\b|独占(?:\w{0,6})?许可",
            )
        })
        .is_match(&plain)
}

/// True when the sentence names an owner other than the licensor: a
/// dataset's, the data owners, a third party, an institution named after
/// "with" or "from" ("a separate licence agreement with Hochschule der
/// Medien Stuttgart", "the approval of the dataset owners").
fn names_another_owner(s: &str) -> bool {
    static OTHER: OnceLock<Regex> = OnceLock::new();
    OTHER
        .get_or_init(|| {
            super::pattern::re(r"\b(?:data\s*sets?|data\s+owners?|training\s+data|corpus|third[- ]part(?:y|ies)|upstream|rights\s+holders?|original\s+authors?)\b|\b(?:with|from)\s+(?:the\s+)?(?:[\w-]+\s+){0,3}?(?:university|universit\w+|hochschule|institute|institut|college|laborator\w+|foundation)\b|数据集|第三方|原作者")
        })
        .is_match(s)
}

/// True when some threshold's sentence defines commercial use by its figure
/// ("'Commercial Usage' an application or usage of any Artifact that
/// generates more than 50,000 USD within a year", "'Commercial Use' means
/// use by an entity with more than 100 employees"): a non-commercial scope
/// is then use below the threshold, commercial use by a small company
/// included.
fn commercial_use_by_threshold(text: &NormText, hits: &[ClauseHit]) -> bool {
    static DEFINES: OnceLock<Regex> = OnceLock::new();
    let defines = DEFINES.get_or_init(|| {
        super::pattern::re(r#"^(?:[\w().*-]{1,6}\s+)?"commercial\s+(?:use|usage|uses|purposes?)"|^(?:[\w().*-]{1,6}\s+)?commercial\s+(?:use|usage)\s+(?:shall\s+)?(?:means?|refers\s+to|is\s+defined\s+as)\b|“商业(?:用途|使用)”(?:是指|指)"#)
    });
    hits.iter().any(|h| {
        matches!(
            h.kind,
            ObligationKind::RevenueThreshold | ObligationKind::UserThreshold
        ) && defines.is_match(text.words_text(h.words.0, h.words.1))
    })
}

/// True when an attribution sentence asks only to keep the license's
/// notices ("Preserve the license and applicable attribution notices … as
/// required by that license") or to credit the author by name ("Attribute
/// Yifan Ouyang and link to this model repository", "Credit both the corpus
/// and this project:" before the credit line): what a permissive
/// license's notice asks, not a term of the text's own (as citing a paper in
/// every publication is). Credit shown in a product, an interface or a
/// place of its own is a display duty, not the notice.
fn keeps_notices(s: &str) -> bool {
    static NOTICES: OnceLock<(Regex, Regex, Regex)> = OnceLock::new();
    let (notices, credit, display) = NOTICES.get_or_init(|| {
        (
            super::pattern::re(
                r"\b(?:preserve|retain|keep|include|reproduce)\s+(?:[\w,'-]+\s+){0,12}?notices?\b|\bwith\s+(?:appropriate\s+)?attribution\s+to\b|\b(?:as\s+long\s+as|provided(?:\s+that)?)\s+you\s+(?:give|provide)\s+(?:appropriate\s+|proper\s+)?credit\b",
            ),
            // the whole sentence a credit to give: "Attribute … and link",
            // "Credit both the corpus and this project:"
            super::pattern::re(
                r"^(?:[\w().]{1,4}\s+)?(?:attribute|credit)\s+(?:[\w.-]+\s+){0,6}?(?:and\s+link\b|$|[\w.-]+\s*:$)",
            ),
            super::pattern::re(
                r"\b(?:prominent\w*|display\w*|interfaces?|ui|screens?|splash|websites?|apps?|applications?|products?|services?|about\s+page|visible)\b",
            ),
        )
    });
    notices.is_match(s)
        || (credit.is_match(s) && !display.is_match(s))
        || super::clauses::restated::restates_license_terms(s)
}

/// An item of a grant's list that names commercial work ("You may download,
/// run, modify … the Model for:" ⏎ "• Commercial work done by you (studio,
/// freelance, in-house for clients);"): a grant of commercial use.
fn commercial_item(text: &NormText, sentences: &[(usize, usize)]) -> Option<(usize, usize)> {
    static ITEM: OnceLock<(Regex, Regex, Regex)> = OnceLock::new();
    let (item, intro, narrow) = ITEM.get_or_init(|| {
        let build = super::pattern::re;
        (
            // (or an item of use that includes commercial applications:
            // "(b) 使用模型权重进行推理,包括商业应用")
            build(r"^(?:[\w().]{1,4}\s+)?commercial\s+(?:use|uses|work|projects?|purposes?|products?|applications?|deployments?)\b|^(?:\(\w{1,3}\)\s*)?使用(?:\w|\s|,|、|\(|\)){0,40}?(?:包括|包含|含)(?:用于)?(?:商业应用|商业用途|商业使用|商用)"),
            // (or 您被授予……的许可: the intro of a Chinese grant's list)
            build(r"\b(?:may|can|are\s+(?:permitted|allowed|free)\s+to)\s+(?:[\w,-]+\s+){0,10}?for\s*:$|(?:授予|允许)(?:\w|\s|,|、){0,60}?(?:许可|权利)\s*:$"),
            build(r"\b(?:not|never|only|solely|exclusively|strictly|non-?commercial)\b"),
        )
    });
    sentences.iter().copied().find(|&w| {
        let s = text.words_text(w.0, w.1);
        item.is_match(s)
            && !grant_patterns().1.is_match(s)
            && list_intro(text, sentences, w).is_some_and(|(f, l)| {
                let i = text.words_text(f, l);
                intro.is_match(i) && !narrow.is_match(i)
            })
    })
}

/// True when an approval sentence introduces a list ("You must obtain
/// written permission from Licensor before you:") whose items are all acts
/// of hosting, distribution or branding, not use: a condition on those
/// acts, beside a grant of commercial use.
fn approval_for_acts(text: &NormText, sentences: &[(usize, usize)], intro: (usize, usize)) -> bool {
    static ACTS: OnceLock<(Regex, Regex)> = OnceLock::new();
    let (acts, use_) = ACTS.get_or_init(|| {
        let build = super::pattern::re;
        (
            build(r"\b(?:host\w*|service|api|apis|redistribut\w*|distribut\w*|bundl\w*|embed\w*|ship|sublicens\w*|market|brand|resell\w*|repackag\w*|publish\w*|shar(?:e|ing))\b"),
            build(r"\b(?:use\s+(?:[\w-]+\s+){0,3}?commercially|commercial\s+use)\b"),
        )
    });
    if !text.words_text(intro.0, intro.1).ends_with(':') {
        return false;
    }
    let Some(at) = sentences.iter().position(|&w| w == intro) else {
        return false;
    };
    // the items: those that start as items, or follow an item's bare
    // number ("1." read as a sentence of its own)
    let mut items: Vec<&str> = Vec::new();
    let mut numbered = false;
    for &(f, l) in sentences[at + 1..].iter().take(24) {
        let s = text.words_text(f, l);
        if s.split_whitespace().count() <= 1 {
            numbered = true;
            continue;
        }
        if !(numbered || super::clauses::starts_item(s)) {
            break;
        }
        numbered = false;
        items.push(s);
    }
    !items.is_empty() && items.iter().all(|s| acts.is_match(s) && !use_.is_match(s))
}

/// True when a grant sentence grants use "for any (lawful) purpose", or in
/// the Creative Commons deed's words, "including commercially" ("You may
/// use, modify, redistribute and build on these weights, including
/// commercially, provided you give attribution").
fn for_any_purpose(s: &str) -> bool {
    static ANY: OnceLock<Regex> = OnceLock::new();
    ANY.get_or_init(|| {
        super::pattern::re(
            r"\bfor\s+any\s+(?:lawful\s+)?purpose\b|,\s*(?:including|even)\s+commercially\s*,",
        )
    })
    .is_match(s)
}

/// True when the sentence is a permissive license's title and nothing else
/// ("Creative Commons Attribution 4.0 International (CC BY 4.0).", "MIT
/// License", "Apache License, Version 2.0"), as a text's License section
/// names the license before its grant; no non-commercial, no-derivatives or
/// share-alike variant.
fn permissive_title(s: &str) -> bool {
    static TITLE: OnceLock<Regex> = OnceLock::new();
    TITLE
        .get_or_init(|| {
            super::pattern::re(
                r"^(?:the\s+)?(?:creative\s+commons\s+attribution\s+\d\.\d(?:\s+international)?(?:\s+public\s+licen[cs]e)?(?:\s*\(\s*cc[- ]by\s+\d\.\d\s*\))?|cc[- ]by\s+\d\.\d(?:\s+international)?|mit\s+licen[cs]e|apache\s+licen[cs]e,?\s+(?:version\s+)?2\.0|bsd[- ][23][- ]clause\s+licen[cs]e|cc0\s+1\.0(?:\s+universal)?)\s*[.:]?$",
            )
        })
        .is_match(s.trim())
}

/// True when the sentence is a web address alone (a license's link).
fn is_link(s: &str) -> bool {
    let s = s.trim().trim_matches(['<', '>', '(', ')', '.', '`']);
    (s.starts_with("http://") || s.starts_with("https://")) && !s.contains(char::is_whitespace)
}

/// True when a grant sentence grants freely and without limit ("free of
/// charge", "royalty-free", "without restriction", 免费, 不受限制).
fn grants_freely(s: &str) -> bool {
    static FREE: OnceLock<Regex> = OnceLock::new();
    FREE.get_or_init(|| {
        super::pattern::re(r"\bfree\s+of\s+charge\b|\broyalty-?free\b|\b(?:rights?\s+to\s+)?do\s+(?:everything|anything)\s+with\b|\bno-?charge\b|\bwithout\s+restriction\b|\bwithout\s+(?:any\s+)?(?:fee|charge|payment)\b|\bat\s+no\s+(?:cost|charge)\b|免费|不受限制")
    })
    .is_match(s)
}

/// The sentence that introduces the list a grant sentence is an item of
/// ("INF grants you the following rights, which are … royalty-free …:" before
/// "2.4. The authority to … sell the Model"): the nearest sentence before it,
/// at most eight back, that ends in a colon.
fn list_intro(
    text: &NormText,
    sentences: &[(usize, usize)],
    item: (usize, usize),
) -> Option<(usize, usize)> {
    let at = sentences.iter().position(|&s| s == item)?;
    sentences[at.saturating_sub(8)..at]
        .iter()
        .rev()
        .copied()
        .find(|&(f, l)| text.words_text(f, l).ends_with(':'))
}

/// True when the sentence speaks of a consent, authorisation or approval of
/// any kind, the licensor's or another's: beside a free grant, a condition
/// the reader does not weigh, so the grant is not taken as unconditional.
fn mentions_consent(s: &str) -> bool {
    static EXERCISE: OnceLock<Regex> = OnceLock::new();
    // "your exercise of permissions under this License": the grant's own
    // permissions, no consent asked
    let exercise = EXERCISE.get_or_init(|| {
        super::pattern::re(r"\bexercis\w*\s+(?:of\s+)?(?:your\s+|the\s+|any\s+)?permissions\b")
    });
    let asked = none_needed(&exercise.replace_all(s, ""));
    let s = asked.as_str();
    static CONSENT: OnceLock<Regex> = OnceLock::new();
    CONSENT
        .get_or_init(|| {
            super::pattern::re(r"\bauthori[sz]ations?\b|\bpermissions\b|\b(?:written|prior|express)\s+(?:permission|consent)\b|\bconsents?\b|\bapprov(?:al|als|e|ed)\b|\bregist(?:er|ered|ration)\b|\bapply\s+for\b|书面同意|授权同意|登记|申请|审批|批准|(?:取得|获得|获取|书面|事先|经)\w{0,10}?授权")
        })
        .is_match(s)
        && !super::clauses::is_definition(s)
        && !super::clauses::boilerplate::housekeeping_consent(s)
        && !accepts_terms(s)
        && !disclaims_third_party_consents(s)
        && !endorsement_only(s)
}

/// True when the consent a sentence speaks of is only to use the licensor's
/// or contributors' names to endorse or promote products (the BSD license's
/// "Neither the name of the copyright holder nor the names of its
/// contributors may be used to endorse or promote products derived from this
/// software without specific prior written permission"): no consent to use
/// the model.
fn endorsement_only(s: &str) -> bool {
    static ENDORSE: OnceLock<(Regex, Regex)> = OnceLock::new();
    let (endorse, beyond) = ENDORSE.get_or_init(|| {
        (
            super::pattern::re(
                r"\b(?:names?|trade\s*marks?|logos?)\b(?:\s+[\w,()'-]+){0,20}?\s+(?:used\s+)?to\s+(?:endorse|promote)\s+(?:or\s+(?:endorse|promote)\s+)?(?:any\s+)?products?\b",
            ),
            super::pattern::re(r"\bcommercial\w*|\bdeploy\w*|\bredistribut\w*|\bsell\b|\bservices?\b"),
        )
    });
    endorse.is_match(s) && !beyond.is_match(s)
}

/// True when the sentence speaks of third parties' permissions without
/// asking the user to obtain them ("The author's MIT grant is not a
/// determination that all underlying third-party permissions … have been
/// independently verified"): a disclaimer, no condition on the grant.
fn disclaims_third_party_consents(s: &str) -> bool {
    static DISCLAIMS: OnceLock<(Regex, Regex)> = OnceLock::new();
    let (third, duty) = DISCLAIMS.get_or_init(|| {
        let build = super::pattern::re;
        (
            build(r"\bthird[- ]part(?:y|ies)\b|\bupstream\b|第三方"),
            build(r"\b(?:must|shall|should|need|needs|required|requires?|obtain|secure|seek)\b|须|应当|需要|取得|获得"),
        )
    });
    third.is_match(s) && !duty.is_match(s)
}

/// True when the sentence's consent is the user's own acceptance ("you
/// consent to be bound by the terms", "you consent to the personal
/// jurisdiction of the courts"), no condition on the grant.
fn accepts_terms(s: &str) -> bool {
    static ACCEPTS: OnceLock<Regex> = OnceLock::new();
    ACCEPTS
        .get_or_init(|| {
            super::pattern::re(r"\b(?:you|licensee)\s+(?:hereby\s+)?(?:consent|agree)\s+to\s+(?:be\s+bound|the\s+(?:personal\s+|exclusive\s+)?jurisdiction)\b")
        })
        .is_match(s)
}

/// True when a registration clause sends commercial use to a separate
/// license, agreement or contract, outside this one, or to the consent of
/// others (the rights holders, third parties). A separate authorisation
/// from the licensor (另行书面授权) is approval under this license.
fn points_elsewhere(s: &str) -> bool {
    static SEPARATE: OnceLock<Regex> = OnceLock::new();
    SEPARATE
        .get_or_init(|| {
            super::pattern::re(r"\bseparate\b,?\s+(?:[\w-]+,?\s+){0,3}?(?:licen[cs]es?|licensing|agreements?|contracts?|terms|arrangements?)\b|\banother\s+licen|\bfrom\s+(?:all\s+|the\s+|any\s+)?(?:relevant\s+|applicable\s+|respective\s+|other\s+)?(?:rights?\s+holders|third\s+parties|owners)\b|另行(?:签订|订立|协商|约定)|(?:单独|另行)(?:的)?(?:许可|授权)?(?:协议|合同)")
        })
        .is_match(s)
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
        "商业与非商业",
        "商业及非商业",
        "非商业和商业",
        "非商业或商业",
        "非商业与商业",
        "非商业及商业",
    ]
    .iter()
    .fold(s.to_string(), |acc, both| acc.replace(both, "commercial"))
}

/// True when the sentence speaks of a limit on commercial use or of a
/// research or non-commercial purpose, in words the clause patterns may not
/// have read as a clause.
fn limits_commercial_use(sentence: &str) -> bool {
    static LIMIT: OnceLock<Regex> = OnceLock::new();
    let limit = LIMIT.get_or_init(|| {
        super::pattern::re(r"non-?commercial|non\s+commercial|research\s+(?:or\s+evaluation\s+)?(?:use|purposes?)\s+only|for\s+research|academic|evaluation\s+purposes|非商业|学术|科研|研究目的|commercial\s+licen[cs]e|商业授权|商用授权|commercial\s+use\s+(?:is\s+)?(?:not|prohibited|requires?)|(?:商业|商用)(?:\w|,){0,20}?(?:须|需|应当|必须|请)(?:\w|,){0,12}?(?:(?:另行|单独|商业|商用|书面)\w{0,4}?许可|授权|(?:签署|签订|订立|另行|单独)\w{0,4}?(?:协议|合同)|登记|申请|联系|付费)")
    });
    // "an academic paper" describes the work, it limits nothing
    static DESCRIBES: OnceLock<Regex> = OnceLock::new();
    let describes = DESCRIBES.get_or_init(|| {
        super::pattern::re(
            r"\bacademic\s+(?:papers?|publications?|articles?|conferences?|venues?|citations?)\b",
        )
    });
    let plain = grant_scope::without_denied_limits(&without_both(sentence));
    let plain = describes.replace_all(&plain, "");
    limit.is_match(&none_needed(&plain))
        && !grant_scope::refuses_licensed_material(sentence)
        && !super::clauses::escapes_copyleft(sentence)
}

/// `s` with an approval or license it says is not needed read out ("without
/// a separate commercial license", "No separate commercial-use
/// authorization is required", 商用无需另行申请授权).
fn none_needed(s: &str) -> String {
    static NONE_NEEDED: OnceLock<Regex> = OnceLock::new();
    let none_needed = NONE_NEEDED.get_or_init(|| {
        // (or a list of what is not asked: "No registration, no approval,
        // no payment, no royalties.")
        super::pattern::re(r"\bwithout\s+(?:a\s+|any\s+|the\s+need\s+for\s+a\s+)?(?:separate\s+|additional\s+|further\s+)?commercial\s+licen[cs]e\b|\b(?:does|do|will|shall)\s+not\s+require\s+(?:[\w-]+,?\s+){0,4}?(?:registrations?|approvals?|applications?|authori[sz]ations?)\b(?:\s*,?\s*(?:or|and|nor)\s+[\w-]+(?:\s+[\w-]+)?)?|\bno\s+(?:registrations?|applications?|approvals?|authori[sz]ations?)\b(?:\s*,\s*(?:no\s+)?[\w-]+)*(?:\s*,?\s*(?:or|nor|and)\s+(?:no\s+)?[\w-]+)?\s*(?:[.;,*]|$)|(?:无需|无须|不需要|不必|不用)(?:另行|单独|额外)?(?:\w|,|\s){0,8}(?:许可|授权|申请|登记|协议|合同)")
    });
    // "Anyone may download … without fee, registration or contacting
    // Licensor": where nothing is negated, "without" denies the need
    static WITHOUT: OnceLock<(Regex, Regex)> = OnceLock::new();
    let (without, negated) = WITHOUT.get_or_init(|| {
        let build = super::pattern::re;
        (
            build(r"\bwithout\s+(?:[\w-]+\s*,\s*){0,3}?(?:any\s+)?(?:prior\s+)?(?:registration|approval|application|authori[sz]ation)\b"),
            build(r"\b(?:not|never|no|cannot|nor|prohibited|forbidden|unless|except)\b|n't\b"),
        )
    });
    let s = super::clauses::without_denied_needs(s);
    let s = if negated.is_match(&s) {
        s
    } else {
        without.replace_all(&s, "").into_owned()
    };
    none_needed.replace_all(&s, "").into_owned()
}

/// True when the sentence speaks of registration, an application, approval
/// or authorisation; the second value says whether it also speaks of
/// commercial use.
fn speaks_of_approval(s: &str) -> Option<bool> {
    static APPROVAL: OnceLock<(Regex, Regex)> = OnceLock::new();
    let (approval, commercial) = APPROVAL.get_or_init(|| {
        let build = super::pattern::re;
        (
            build(r"\bregist(?:er|ered|ration)\b|\bapply\s+for\b|\bapplication\s+(?:form|for)|\bapprov(?:al|e|ed)\b|\bauthori[sz]ation\b|\bquestionnaire\b|\b(?:written|prior)\s+(?:permission|consent)\b|登记|申请|(?:取得|获得|获取|书面|事先|经)(?:\w{0,10}?)授权|授权书|审批|批准|问卷"),
            build(r"commercial|商业|商用"),
        )
    });
    static NOT_THE_MODEL: OnceLock<Regex> = OnceLock::new();
    // consent to use a trademark or name, or authorisations from third
    // parties for their own data or rights (personal sensitive information,
    // copyrighted material the model is used on), is not approval to use
    // the model;
    // nor is a successor nominated in writing (书面提名为此授权目的的继任者),
    // nor a license that is "OSI-approved", nor an approval that only
    // lifts a duty ("provided that you include … the use restrictions …
    // unless Ai2 provides written approval otherwise")
    let other = NOT_THE_MODEL.get_or_init(|| {
        super::pattern::re(r"\btrade\s*marks?\b|\bservice\s+marks?\b|\btrade\s+names?\b|\blogos?\b|\bthird[- ]part(?:y|ies)\b|\b(?:all|any)\s+(?:necessary|required|requisite|applicable|relevant)\s+(?:[\w-]+\s+){0,2}?(?:authori[sz]ations|permissions|consents)\b|\baffiliation\b|\bendorse\w*|\bpersonal\s+(?:[\w-]+\s+)?(?:data|information)\b|\bdata\s+subjects?\b|\bcopyright(?:-protected|ed)\b|\b(?:authori[sz]ation|licen[cs]e|permission|rights?)\s+(?:has|have|had)\s+(?:ended|expired|lapsed|terminated|been\s+(?:terminated|revoked|withdrawn))\b|商标|域名|第三方|自行取得|个人信息|(?:授权|许可)(?:已)?(?:终止|结束|失效|被撤销)|\b(?:nominated|designated|appointed)\s+in\s+writing\b|书面(?:提名|指定|委任)|\bosi[- ]approved\b|\bapproved\s+(?:open[- ]source\s+)?licen[cs]es?\b|\b(?:provided\s+that|must|shall|required?)\b(?:\s+[\w,()'-]+){1,30}?\s+unless\s+(?:[\w-]+\s+){0,3}?(?:provides?|gives?|grants?)\s+(?:its\s+|their\s+)?(?:prior\s+)?written\s+(?:approval|consent|permission)\s+otherwise\b")
    });
    let asked = none_needed(s);
    let s = asked.as_str();
    let commercial = commercial.is_match(s);
    (approval.is_match(s)
        && (commercial
            || !other.is_match(s) && !super::clauses::boilerplate::housekeeping_consent(s)))
    .then_some(commercial)
}

/// The sentences a threshold explains: the threshold's own sentence; any
/// sentence that speaks of a party or license the threshold's sentence
/// defines in parentheses (`(the "Commercial Entities")`); and, in the three
/// that follow it, those that speak of "such a license". What they ask (a
/// paid license, contacting the licensor, a ban beyond the agreement)
/// applies above the threshold only.
fn threshold_sentences(
    text: &NormText,
    sentences: &[(usize, usize)],
    hits: &[ClauseHit],
) -> Vec<usize> {
    static TERMS: OnceLock<(Regex, Regex)> = OnceLock::new();
    let (defined, such) = TERMS.get_or_init(|| {
        let build = super::pattern::re;
        (
            build(r#"\(\s*(?:the\s+|a\s+|an\s+)?"([a-z][a-z -]{2,40})""#),
            // "such a license", or those above the threshold named again
            // ("larger companies must purchase a license", "above that, …")
            build(r"\bsuch\s+(?:a\s+|an\s+)?(?:[\w-]+\s+)?licen[cs]es?\b|该(?:等)?(?:许可|授权)|\b(?:larger|bigger)\s+(?:companies|entities|organi[sz]ations|businesses|enterprises|users|deployments)\b|\b(?:above|beyond|over|past)\s+(?:that|this|it|these|those)(?:\s+(?:threshold|limit|size|level|figure|number|amount))?\b|\b(?:meet|meets|exceed|exceeds|reach|reaches|surpass|surpasses|cross|crosses)\s+(?:or\s+(?:exceed|exceeds|surpass|surpasses)\s+)?(?:this|that|the|such|these|those)\s+(?:threshold|limit|cap|level|figure|amount)s?\b|\b(?:such|those)\s+(?:companies|entities|organi[sz]ations|businesses|enterprises|licensees)\b|超过(?:该|此|上述)|(?:以上|超出)的(?:企业|公司|机构|用户)"),
        )
    });
    let mut explained = Vec::new();
    let mut stems: Vec<String> = Vec::new();
    for (i, &(f, l)) in sentences.iter().enumerate() {
        let thresholded = hits.iter().any(|h| {
            h.words == (f, l)
                && matches!(
                    h.kind,
                    ObligationKind::UserThreshold | ObligationKind::RevenueThreshold
                )
        });
        if !thresholded {
            continue;
        }
        explained.push(i);
        // the intro of the list the threshold is an item of ("if you meet
        // either of the following thresholds, you must obtain a separate
        // commercial license:" before "a. monthly active users exceed …")
        if let Some(intro) = list_intro(text, sentences, (f, l)) {
            if let Some(at) = sentences.iter().position(|&x| x == intro) {
                if i - at <= 3 {
                    explained.push(at);
                    // and the heading just above the intro, which names
                    // what it asks ("Commercial License Required")
                    if at > 0 && sentences[at - 1].1 + 1 - sentences[at - 1].0 <= 6 {
                        explained.push(at - 1);
                    }
                }
            }
        }
        let own = text.words_text(f, l);
        stems.extend(
            defined
                .captures_iter(own)
                .filter_map(|c| c.get(1))
                .map(|m| stem(m.as_str())),
        );
        for (j, &(f2, l2)) in sentences.iter().enumerate().skip(i + 1).take(3) {
            let s2 = text.words_text(f2, l2);
            if such.is_match(s2) || names_the_rest(s2) {
                explained.push(j);
            }
        }
    }
    if !stems.is_empty() {
        for (i, &(f, l)) in sentences.iter().enumerate() {
            let s = text.words_text(f, l);
            if stems.iter().any(|t| s.contains(t.as_str())) {
                explained.push(i);
            }
        }
    }
    explained.sort_unstable();
    explained.dedup();
    explained
}

/// True when the sentence names those a threshold before it leaves out
/// ("All other users must register", "Other organizations must obtain a
/// license", "everyone else", 其他用户须登记): what it asks applies above
/// the threshold only, a registration included.
fn names_the_rest(s: &str) -> bool {
    static REST: OnceLock<Regex> = OnceLock::new();
    REST.get_or_init(|| {
        super::pattern::re(r"\b(?:all\s+|any\s+)?other\s+(?:users|companies|entities|organi[sz]ations|businesses|enterprises|licensees|customers|commercial\s+users)\b|\b(?:everyone|anyone|everybody)\s+else\b|\ball\s+others\b|其他(?:用户|使用者|企业|公司|机构|组织|单位|商业用户)|其余(?:用户|使用者|企业|公司|机构)")
    })
    .is_match(s)
}

/// True when the sentence ends the license for want of what another section
/// requires ("Where a separate commercial license is required under Section
/// 1 but is not obtained …, this License … will terminate", 凡属于依据第 1
/// 条应当取得……而未取得的情形……将自动终止).
fn terminates_under_other_section(s: &str) -> bool {
    static TERMINATES: OnceLock<(Regex, Regex)> = OnceLock::new();
    let (terminates, other) = TERMINATES.get_or_init(|| {
        let build = super::pattern::re;
        (
            build(r"\bterminat\w*|终止"),
            build(r"\bunder\s+(?:section|clause|article|paragraph)\s+\d|依据第\s*\d+\s*条|根据第\s*\d+\s*条"),
        )
    });
    terminates.is_match(s) && other.is_match(s)
}

/// True when the sentence is an item of a list that a definition introduces
/// ("'Non-Commercial Purpose' means any of the following uses: (i) use by an
/// individual … for research …"): part of the definition, limiting nothing.
fn defines_by_list(text: &NormText, sentences: &[(usize, usize)], item: (usize, usize)) -> bool {
    super::clauses::starts_item(text.words_text(item.0, item.1))
        && list_intro(text, sentences, item)
            .is_some_and(|(f, l)| super::clauses::is_definition(text.words_text(f, l)))
}

/// The intro of a list of those free to use the model, when an item of it
/// is an organisation below a size threshold ("Free use is permitted for:"
/// … "- Organizations with annual revenue less than 20 million RUB"): use by
/// a company below the threshold, commercial use included, is granted.
fn free_below_threshold(
    text: &NormText,
    sentences: &[(usize, usize)],
    hits: &[ClauseHit],
) -> Option<(usize, usize)> {
    static FREE_FOR: OnceLock<Regex> = OnceLock::new();
    let free_for = FREE_FOR.get_or_init(|| {
        super::pattern::re(r"\b(?:use|usage)\s+is\s+(?:permitted|allowed|granted|free(?:\s+of\s+charge)?)\s+(?:free\s+of\s+charge\s+)?(?:for|to)\s*:$")
    });
    hits.iter()
        .filter(|h| {
            matches!(
                h.kind,
                ObligationKind::RevenueThreshold | ObligationKind::UserThreshold
            )
        })
        .find_map(|h| {
            let s = text.words_text(h.words.0, h.words.1);
            if free_below_in_sentence(s) || under_commercial_label(text, sentences, h.words, s) {
                return Some(h.words);
            }
            let intro = list_intro(text, sentences, h.words)?;
            let s = text.words_text(intro.0, intro.1);
            free_for.is_match(s).then_some(intro)
        })
}

/// True when a threshold's sentence is the item a "Commercial use." label
/// opens and asks something only of those above its figure (the figure
/// qualifies the subject the sentence opens with) ("- **Commercial use.**
/// Products or services with more than US$20 million in annual revenue need
/// written authorization from MiniMax"): the item that says what commercial
/// use takes, granted below the figure.
fn under_commercial_label(
    text: &NormText,
    sentences: &[(usize, usize)],
    words: (usize, usize),
    s: &str,
) -> bool {
    static RULES: OnceLock<(Regex, Regex, Regex)> = OnceLock::new();
    let (label, above, against) = RULES.get_or_init(|| {
        let build = super::pattern::re;
        (
            build(r"^(?:[\w().]{1,4}\s+)?commercial\s+(?:use|uses|usage)\s*[.:]$"),
            // the figure qualifies the subject that is asked: "Products or
            // services with more than …", "Businesses exceeding …"
            build(r"^(?:[\w$-]+\s+){1,5}?(?:with\s+|having\s+|that\s+(?:have|has)\s+)?(?:more\s+than|greater\s+than|over|above|exceed\w*|in\s+excess\s+of)\b"),
            build(r"\bnon-?commercial\b|\bresearch\b|\bacademic\b|\bevaluation\b|\bpersonal\b|\b(?:may|must|shall|can)\s+not\b|\bcannot\b|\bonly\b|\bsolely\b|\bprohibit\w*|\bnot\s+(?:permitted|allowed)\b"),
        )
    });
    let Some(i) = sentences.iter().position(|&w| w == words) else {
        return false;
    };
    i > 0
        && sentences
            .get(i - 1)
            .is_some_and(|&(f, l)| label.is_match(text.words_text(f, l)))
        && above.is_match(s)
        && !against.is_match(s)
}

/// True when a threshold's own sentence grants free use to companies below
/// it ("Free for individuals and companies with fewer than 20 employees",
/// "Businesses with annual revenue under USD 1 million may use the Model at
/// no cost"): commercial use below the threshold is granted.
fn free_below_in_sentence(s: &str) -> bool {
    static FREE: OnceLock<(Regex, Regex, Regex, Regex)> = OnceLock::new();
    let (free, company, below, against) = FREE.get_or_init(|| {
        let build = super::pattern::re;
        (
            build(r"\bfree\b|\bat\s+no\s+(?:cost|charge)\b|\bwithout\s+(?:charge|a\s+fee)\b|\b(?:may|can)\s+(?:freely\s+)?use\b|\b(?:may|can)\s+be\s+used\b"),
            build(r"\b(?:companies|company|organi[sz]ations?|business(?:es)?|entit(?:y|ies)|enterprises?|startups?|start-ups?|firms?|commercial)\b"),
            build(r"\b(?:fewer|less|lower|below|under|up\s+to|at\s+most|not\s+exceeding|does\s+not\s+exceed|do\s+not\s+exceed)\b"),
            build(r"\bnon-?commercial\b|\bresearch\b|\bacademic\b|\bevaluation\b|\bpersonal\b|\b(?:may|must|shall|can)\s+not\b|\bonly\b|\bsolely\b"),
        )
    });
    free.is_match(s) && company.is_match(s) && below.is_match(s) && !against.is_match(s)
}

/// True when the sentence is a heading ("1. Commercial License and
/// Thresholds"): a few words with no verb, naming a section, limiting
/// nothing.
fn is_heading(s: &str) -> bool {
    static VERB: OnceLock<Regex> = OnceLock::new();
    let verb = VERB.get_or_init(|| {
        super::pattern::re(r"\b(?:is|are|be|may|must|shall|should|can|will|not|no|only|solely|requires?|required|prohibit\w*|permit\w*|allow\w*|grant\w*|use)\b|(?u:[^\x00-\x7F])")
    });
    s.split_whitespace().count() <= 6 && !verb.is_match(s)
}

/// True when a threshold's sentence permits commercial use below its figure
/// ("Commercial Use: Permitted only if Your annual gross revenue is less than
/// $1,000,000 USD", "commercial use is allowed for companies under 100
/// employees").
fn commercial_below_threshold(
    text: &NormText,
    sentences: &[(usize, usize)],
    hits: &[ClauseHit],
) -> bool {
    static PERMITS: OnceLock<Regex> = OnceLock::new();
    let permits = PERMITS.get_or_init(|| {
        super::pattern::re(r"\bcommercial\s+(?:use|usage)\s*(?::|-|\|)?\s*(?:is\s+|are\s+)?(?:permitted|allowed|granted|free)\b")
    });
    hits.iter().any(|h| {
        matches!(
            h.kind,
            ObligationKind::RevenueThreshold | ObligationKind::UserThreshold
        ) && {
            // (its label may stand as a sentence of its own before it)
            let label = sentences
                .iter()
                .position(|&w| w == h.words)
                .and_then(|i| i.checked_sub(1))
                .and_then(|i| sentences.get(i))
                .map_or("", |&(f, l)| text.words_text(f, l));
            let own = text.words_text(h.words.0, h.words.1);
            permits.is_match(own) || permits.is_match(&format!("{label} {own}"))
        }
    })
}

/// True when the sentence is only a label for what follows ("**Non-Commercial
/// Use**:", "Commercial use:"): a few words before a colon, limiting nothing
/// by themselves (the item after it is read on its own).
fn is_label(s: &str) -> bool {
    static LIMIT: OnceLock<Regex> = OnceLock::new();
    let limit = LIMIT.get_or_init(|| {
        super::pattern::re(
            r"\b(?:not|no|only|solely|never|prohibit\w*|forbid\w*|restrict\w*)\b|仅|禁止|不得",
        )
    });
    s.trim_end().ends_with(':') && s.split_whitespace().count() <= 4 && !limit.is_match(s)
}

/// True when the sentence says which use counts as a kind of use the text
/// names ("Use by research divisions of commercial entities does not qualify
/// as Academic Use", 接受商业实体资助的大学实验室所进行的研究属于学术用途): it
/// refines a definition and grants or limits nothing itself.
fn classifies_use(s: &str) -> bool {
    static CLASSIFIES: OnceLock<Regex> = OnceLock::new();
    CLASSIFIES
        .get_or_init(|| {
            super::pattern::re(r"\b(?:qualif(?:y|ies)|counts?)\s+as\s+(?:an?\s+)?(?:academic|research|non-?commercial|commercial)\s+(?:use|usage|purposes?)\b|(?:构成|属于)(?:学术|研究|商业|非商业)(?:用途|使用|目的)")
        })
        .is_match(s)
}

/// True when sentence `i` is a request the reader may make and need not, or
/// the licensor's approval of it ("You may request from TII a reasonably adjusted version of the above
/// statement … TII will not unreasonably withhold or delay approval of such a
/// request"): an option beside a duty, no gate before any use.
fn approves_optional_request(text: &NormText, sentences: &[(usize, usize)], i: usize) -> bool {
    static RULES: OnceLock<(Regex, Regex, Regex)> = OnceLock::new();
    let (such, may, weighty) = RULES.get_or_init(|| {
        let build = super::pattern::re;
        (
            build(r"\b(?:such|this|that|the|any|your)\s+(?:a\s+)?(?:request|requests)\b|(?:这样的|此类|该等?|此|上述)(?:请求|申请)"),
            build(r"\b(?:you|licensee|users?)\s+may\s+(?:also\s+)?(?:request|ask|apply)\b|(?:您|你)(?:也)?(?:可以|可)(?:\w|\s|\(|\)|-){0,60}?(?:请求|要求|申请)"),
            build(r"\bcommercial\w*|\b(?:use|using|deploy\w*|distribut\w*|host\w*|licen[cs]e)\s+(?:the|this|our)\s+(?:model|work|weights|software)\b|商业|商用"),
        )
    });
    let words = |j: usize| sentences.get(j).map_or("", |&(f, l)| text.words_text(f, l));
    // the request (sentence `at`) and its approval (the next), either of
    // them sentence `i`
    let pair = |at: usize| {
        let (asked, approved) = (words(at), words(at + 1));
        may.is_match(asked)
            && such.is_match(approved)
            && !weighty.is_match(asked)
            && !weighty.is_match(approved)
    };
    pair(i) || i.checked_sub(1).is_some_and(pair)
}

/// True when the sentence asks for "a separate license" (如需申请单独许可，
/// 请联系我们) and for nothing else.
fn asks_separate_license(s: &str) -> bool {
    static SEPARATE: OnceLock<Regex> = OnceLock::new();
    SEPARATE
        .get_or_init(|| {
            super::pattern::re(r"\b(?:a|the|this|such|our)\s+separate\s+(?:written\s+|commercial\s+)?licen[cs]e\b|(?:单独|另行)(?:的)?(?:书面)?(?:许可|授权)")
        })
        .is_match(s)
}

/// True when the sentence asks for registration: below a threshold as much
/// as above it ("register with us and be deemed to hold the commercial
/// license"), so a threshold beside it does not explain it away.
fn registers(s: &str) -> bool {
    static REGISTER: OnceLock<Regex> = OnceLock::new();
    REGISTER
        .get_or_init(|| super::pattern::re(r"\bregist(?:er|ers|ered|ering|ration)\b|登记|注册"))
        .is_match(s)
}

/// A defined term with its last word cut to a stem, so "commercial
/// entities" also finds "a commercial entity".
fn stem(term: &str) -> String {
    let term = term.trim();
    let cut = term.len().saturating_sub(3).max(term.len().min(4));
    let mut end = cut;
    while !term.is_char_boundary(end) {
        end -= 1;
    }
    term[..end].to_string()
}

/// Weighs the clauses `hits` read from `text`: first the clauses that
/// restrict commercial use, then, only where none does, a grant.
pub fn derive(text: &NormText, hits: &[ClauseHit]) -> Derived {
    // a pass-down of the upstream model's terms is cited, not weighed
    let weighed: Vec<ClauseHit>;
    let hits = if hits.iter().all(ClauseHit::weighs) {
        hits
    } else {
        weighed = hits.iter().filter(|h| h.weighs()).cloned().collect();
        &weighed
    };
    let sentences = text.sentences();
    let by_threshold = threshold_sentences(text, &sentences, hits);
    restriction(text, &sentences, &by_threshold, hits)
        .unwrap_or_else(|| from_grant(text, &sentences, &by_threshold, hits))
}

/// The verdict the restricting clauses give (research, non-commercial,
/// approval, use by non-profit organisations only), or `None` when no
/// clause restricts commercial use. `by_threshold`: the sentences a
/// threshold explains, whose approvals and limits apply above it only.
/// In two steps: whether the text grants the reader nothing at all, then
/// the scope or the approval its clauses set.
fn restriction(
    text: &NormText,
    sentences: &[(usize, usize)],
    by_threshold: &[usize],
    hits: &[ClauseHit],
) -> Option<Derived> {
    let weighed = weighed_hits(text, sentences, by_threshold, hits);
    let w = Weighing::new(text, sentences, weighed);
    w.nothing_granted().or_else(|| w.scope_or_approval())
}

/// A restricting verdict and why (a derived reading of fixed confidence).
fn restricted(verdict: Verdict, basis: &str) -> Option<Derived> {
    Some(Derived {
        verdict,
        grant: None,
        confidence: 0.7,
        basis: basis.to_string(),
        unweighed: None,
    })
}

/// What [`restriction`] weighs: the text's sentences, the clauses that
/// count, and whether the text opens a path to commercial use under itself.
struct Weighing<'t, 'h> {
    text: &'t NormText,
    sentences: &'t [(usize, usize)],
    weighed: Vec<&'h ClauseHit>,
    /// A path to commercial use under this license opens a non-commercial
    /// grant only where no other clause sends commercial use to a separate
    /// license (the stricter of two readings wins).
    path: bool,
}

impl<'t, 'h> Weighing<'t, 'h> {
    fn new(
        text: &'t NormText,
        sentences: &'t [(usize, usize)],
        weighed: Vec<&'h ClauseHit>,
    ) -> Weighing<'t, 'h> {
        let mut w = Weighing {
            text,
            sentences,
            weighed,
            path: false,
        };
        w.path = (w
            .registrations()
            .any(|h| opens_commercial_use(w.sentence(h)))
            || w.any_sentence(grant_scope::excepts_commercial_running))
            && !w.registrations().any(|h| points_elsewhere(w.sentence(h)));
        w
    }

    fn sentence(&self, h: &ClauseHit) -> &'t str {
        self.text.words_text(h.words.0, h.words.1)
    }

    fn has(&self, k: ObligationKind) -> bool {
        self.weighed.iter().any(|h| h.kind == k)
    }

    fn registrations(&self) -> impl Iterator<Item = &&'h ClauseHit> + '_ {
        self.weighed
            .iter()
            .filter(|h| h.kind == ObligationKind::Registration)
    }

    /// Whether any sentence (its words) satisfies `f`.
    fn any_sentence(&self, f: impl Fn(&str) -> bool) -> bool {
        self.sentences
            .iter()
            .any(|&(a, b)| f(self.text.words_text(a, b)))
    }

    /// A research clause (by the grant's name, or by its words); a free
    /// grant of research use, without "only", beside a path to commercial
    /// use under this license is the free part of the grant.
    fn research(&self, by_name: bool) -> bool {
        self.weighed.iter().any(|h| {
            let s = self.sentence(h);
            h.kind == ObligationKind::ResearchOnly
                && super::clauses::research_by_name_only(s) == by_name
                && !(self.path && super::clauses::scope::grants_research(s))
        })
    }

    /// A grant of any scope (a non-commercial grant is no denial).
    fn grants(&self) -> bool {
        self.any_sentence(|s| grants_any(s) && !denies_grant(s) && !grants_exclusively(s))
    }

    /// `prohibited` where the text grants the reader nothing to use.
    fn nothing_granted(&self) -> Option<Derived> {
        let (text, sentences) = (self.text, self.sentences);
        // A grant confined to the licensor's own product, firmware or
        // service, or to the licensor itself, and no other grant: the reader
        // may use the model in nothing of their own.
        if confined_grant(text, sentences) {
            return restricted(
                Verdict::Prohibited,
                "use only inside the licensor's own product or service: nothing granted to use in one of your own",
            );
        }
        // A proprietary model whose weights the reader may not download,
        // clone or host: access to the licensor's service at most.
        if weights_withheld(text, sentences) {
            return restricted(
                Verdict::Prohibited,
                "a proprietary model whose weights may not be downloaded or copied: nothing granted to run it",
            );
        }
        // Nothing granted but by a separate agreement or written permission:
        // there is no license to use the model at all until one is made.
        let approval = self.has(ObligationKind::Registration) && !self.path;
        if approval
            && self.any_sentence(|s| denies_grant(s) || declares_proprietary(s))
            && !self.grants()
        {
            return restricted(
                Verdict::Prohibited,
                "nothing granted without a separate agreement or written permission",
            );
        }
        // Use only by non-commercial organisations, or none on behalf of a
        // commercial one: a company may not use it at all, research included.
        // (a paid or separate license for a company is no path under this one)
        let restricts =
            self.has(ObligationKind::NonCommercial) || self.research(false) || self.research(true);
        if (restricts || approval) && excludes_a_company(text, sentences, &self.weighed) {
            return restricted(
                Verdict::Prohibited,
                "use only by non-commercial organisations: a company may not use it, research included",
            );
        }
        None
    }

    /// The scope (research, non-commercial) or the approval the clauses set.
    fn scope_or_approval(&self) -> Option<Derived> {
        if self.research(false) {
            // research beside personal or hobby use named as permitted:
            // research is not the only use allowed, the scope is non-commercial
            let personal = self.any_sentence(|s| {
                (grant_scope::permits_personal_use(s)
                    || grant_scope::permits_other_non_commercial(s))
                    && !super::clauses::is_definition(s)
            });
            return if personal {
                restricted(
                    Verdict::NonCommercial,
                    "research and personal non-commercial use: a non-commercial grant",
                )
            } else {
                restricted(Verdict::ResearchOnly, "a research-only grant")
            };
        }
        if self.has(ObligationKind::NonCommercial) && !self.path {
            return restricted(Verdict::NonCommercial, "a non-commercial grant");
        }
        if let Some(d) = self.commercial_elsewhere() {
            return Some(d);
        }
        if self.has(ObligationKind::Registration) {
            let basis = if self.path {
                "commercial use only after registration or written authorisation"
            } else {
                "use only with the licensor's approval"
            };
            return restricted(Verdict::RequiresApproval, basis);
        }
        if self.research(true) {
            return restricted(Verdict::ResearchOnly, "a research license (by its name)");
        }
        None
    }

    /// A grant whose commercial use is sent to a separate license:
    /// non-commercial ("Commercial use is subject to a separate license":
    /// this license grants nothing commercial), or approval where the text
    /// grants commercial use itself and the separate license is a third
    /// party's (the owners of its training data).
    fn commercial_elsewhere(&self) -> Option<Derived> {
        if !self.has(ObligationKind::Registration) || self.path {
            return None;
        }
        let elsewhere = |third: bool| {
            self.registrations().any(|h| {
                let s = self.sentence(h);
                points_elsewhere(s)
                    && opens_commercial_use_words(s)
                    && (!third || names_another_owner(s))
            })
        };
        if elsewhere(true) && self.any_sentence(grants_commercial) {
            return restricted(
                Verdict::RequiresApproval,
                "a grant of commercial use that also needs a third party's license (the owners of its data)",
            );
        }
        if elsewhere(false) && self.grants() {
            return restricted(
                Verdict::NonCommercial,
                "a grant whose commercial use needs a separate license",
            );
        }
        None
    }
}

/// True when the text declares the model proprietary and keeps its weights
/// from the reader (`grant_scope::withholds_weights`), in a sentence or in an
/// item of a list a negation introduces ("You may NOT:").
fn weights_withheld(text: &NormText, sentences: &[(usize, usize)]) -> bool {
    let words = |&(f, l): &(usize, usize)| text.words_text(f, l);
    if !sentences.iter().any(|w| declares_proprietary(words(w))) {
        return false;
    }
    sentences.iter().enumerate().any(|(i, w)| {
        let item = sentences[..i]
            .iter()
            .rev()
            .take(8)
            .any(|p| super::clauses::negated_intro(words(p)));
        grant_scope::withholds_weights(words(w), item)
    })
}

/// True when the text's grants are all confined to the licensor's own
/// product or service (`grant_scope`), and there is at least one.
fn confined_grant(text: &NormText, sentences: &[(usize, usize)]) -> bool {
    let mut confined = false;
    for &(f, l) in sentences {
        let s = text.words_text(f, l);
        let grant = grants_any(s) || grant_scope::permits_use(s);
        if !grant || denies_grant(s) || grants_exclusively(s) || disclaims_warranty(s) {
            continue;
        }
        if !grant_scope::confined_to_licensors_product(s) {
            return false;
        }
        confined = true;
    }
    confined
}

/// True when the sentence disclaims a warranty or liability ("does not
/// warrant that the output will be suitable for any purpose"): no grant,
/// whatever purpose it names.
fn disclaims_warranty(s: &str) -> bool {
    static WARRANTY: OnceLock<Regex> = OnceLock::new();
    WARRANTY
        .get_or_init(|| {
            super::pattern::re(r"\bwarrant\w*|\bliab(?:le|ility)\b|\bas\s+is\b|不保证|不承担")
        })
        .is_match(s)
}

/// The clauses `restriction` weighs. What a threshold asks for above its
/// size is a condition, not the grant's scope; a termination for want of
/// what another section requires restates that section, which is weighed
/// on its own.
fn weighed_hits<'h>(
    text: &NormText,
    sentences: &[(usize, usize)],
    by_threshold: &[usize],
    hits: &'h [ClauseHit],
) -> Vec<&'h ClauseHit> {
    let in_threshold = |words: (usize, usize)| {
        by_threshold
            .iter()
            .any(|&i| sentences.get(i) == Some(&words))
    };
    let sentence = |h: &ClauseHit| text.words_text(h.words.0, h.words.1);
    // a contact for questions beside a grant of commercial use asks nothing
    let granted = std::cell::OnceCell::new();
    let granted = || {
        *granted.get_or_init(|| {
            sentences
                .iter()
                .any(|&(f, l)| grants_commercial(text.words_text(f, l)))
        })
    };
    let by_figure = commercial_use_by_threshold(text, hits);
    let item_granted = std::cell::OnceCell::new();
    let item_granted = || *item_granted.get_or_init(|| commercial_item(text, sentences).is_some());
    let index = |words: (usize, usize)| sentences.iter().position(|&w| w == words);
    // (granted to the reader: not an exclusive license to the licensor)
    let to_reader = std::cell::OnceCell::new();
    let to_reader = || {
        *to_reader.get_or_init(|| {
            sentences.iter().any(|&(f, l)| {
                let s = text.words_text(f, l);
                grants_commercial(s) && !grants_exclusively(s)
            })
        })
    };
    // (commercial use named in the grant itself, not read from its verbs)
    let named = std::cell::OnceCell::new();
    let names_commercial = || {
        *named.get_or_init(|| {
            sentences.iter().any(|&(f, l)| {
                let s = text.words_text(f, l);
                grants_commercial(s)
                    && !grants_exclusively(s)
                    && (s.contains("commercial") || s.contains("商业") || s.contains("商用"))
            })
        })
    };
    hits.iter()
        .filter(|h| {
            !(h.kind == ObligationKind::Registration
                && approval_for_acts(text, sentences, h.words)
                && (granted() || item_granted()))
        })
        // consent to redistribute the weights, or access to code the text
        // withholds, beside a grant of commercial use: no gate on that use
        .filter(|h| {
            !(h.kind == ObligationKind::Registration
                && (other_assets::gates_redistribution(sentence(h))
                    || other_assets::gates_hosting(sentence(h))
                    || index(h.words)
                        .is_some_and(|i| other_assets::about_withheld_code(text, sentences, i)))
                && (to_reader() || item_granted()))
        })
        // a separate license offered to those who would not meet the
        // text's sharing duties, beside a grant of commercial use
        .filter(|h| {
            !(h.kind == ObligationKind::Registration
                && super::clauses::escapes_copyleft(sentence(h))
                && (to_reader() || item_granted()))
        })
        // a research license by its name only, beside an explicit grant of
        // commercial use ("use the Model Weights for inference, including
        // in commercial applications"): the name is not the grant's scope
        .filter(|h| {
            !(h.kind == ObligationKind::ResearchOnly
                && super::clauses::research_by_name_only(sentence(h))
                && (names_commercial() || item_granted()))
        })
        .filter(|h| {
            !(h.kind == ObligationKind::Registration
                && super::clauses::inquiry_only(sentence(h))
                && granted())
        })
        // a separate license for use from the regions the text excludes
        // (beside that exclusion, in its sentence or the one before): the
        // exclusion's own terms, no approval asked inside the territory
        .filter(|h| {
            !(h.kind == ObligationKind::Registration
                && for_excluded_territory(sentence(h))
                && hits.iter().any(|t| {
                    t.kind == ObligationKind::TerritoryExclusion
                        && matches!(
                            (index(t.words), index(h.words)),
                            (Some(a), Some(b)) if a == b || a + 1 == b
                        )
                }))
        })
        .filter(|h| {
            !(by_figure
                && (h.kind == ObligationKind::NonCommercial
                    || h.kind == ObligationKind::ResearchOnly
                        && super::clauses::research_by_name_only(sentence(h))))
        })
        .filter(|h| {
            !(matches!(
                h.kind,
                ObligationKind::Registration | ObligationKind::NonCommercial
            ) && (in_threshold(h.words)
                && (!registers(sentence(h)) || names_the_rest(sentence(h)))
                || terminates_under_other_section(sentence(h))))
        })
        .collect()
}

/// True when the sentence asks a license only for use from the regions the
/// text excludes ("Use from those regions requires a separate license from
/// MiniMax", "outside the Territory, contact us for a license").
fn for_excluded_territory(s: &str) -> bool {
    static EXCLUDED: OnceLock<Regex> = OnceLock::new();
    EXCLUDED
        .get_or_init(|| {
            super::pattern::re(
                r"^(?:[\w().]{1,4}\s+)?(?:any\s+)?(?:use|uses|usage|users?|licensees?|access)\s+(?:from|in|within|inside)\s+(?:those|these|such|the\s+excluded|excluded|any\s+excluded)\s+(?:regions?|territories|countries|jurisdictions|areas)\b|^(?:[\w().]{1,4}\s+)?(?:for\s+)?(?:any\s+)?(?:use|uses|usage)?\s*outside\s+(?:of\s+)?(?:the\s+)?(?:applicable\s+|licensed\s+)?territory\b",
            )
        })
        .is_match(s)
}

/// Whether a sentence keeps every company out: licensees limited to
/// non-commercial organisations, or no use within a company (read with the
/// commercial ban just before it, where there is one).
fn excludes_a_company(
    text: &NormText,
    sentences: &[(usize, usize)],
    weighed: &[&ClauseHit],
) -> bool {
    let bans_commercial = |words: (usize, usize)| {
        weighed
            .iter()
            .any(|h| h.words == words && h.kind == ObligationKind::NonCommercial)
    };
    sentences.iter().enumerate().any(|(i, &(f, l))| {
        let s = text.words_text(f, l);
        let after_ban = i
            .checked_sub(1)
            .and_then(|p| sentences.get(p))
            .is_some_and(|&prev| bans_commercial(prev));
        licensee::excludes_companies(s) || licensee::bans_use_within_companies(s, after_ban)
    })
}

/// The sentences of a text that a clause already explains: definitions, a
/// threshold's condition, the exceptions of a ban on training other models
/// or on a field of use ("… that competes with Licensor's commercial
/// products, without obtaining a separate commercial license").
struct Explained<'a> {
    text: &'a NormText,
    sentences: &'a [(usize, usize)],
    by_threshold: &'a [usize],
    hits: &'a [ClauseHit],
    /// Commercial use is defined by a threshold: a non-commercial scope is
    /// use below it.
    by_figure: bool,
    /// The text offers a separate license only to escape its sharing
    /// duties: asking for it is asking for that alternative.
    escape: bool,
    /// Commercial running of the model is carved out of the non-commercial
    /// term: that term is what the carve-out leaves (selling the weights,
    /// a service), not a limit on use.
    excepted: bool,
}

impl<'a> Explained<'a> {
    fn new(
        text: &'a NormText,
        sentences: &'a [(usize, usize)],
        by_threshold: &'a [usize],
        hits: &'a [ClauseHit],
    ) -> Self {
        let by_figure = commercial_use_by_threshold(text, hits);
        let escape = sentences
            .iter()
            .any(|&(f, l)| super::clauses::escapes_copyleft(text.words_text(f, l)));
        let excepted = sentences
            .iter()
            .any(|&(f, l)| grant_scope::excepts_commercial_running(text.words_text(f, l)));
        Explained {
            text,
            sentences,
            by_threshold,
            hits,
            by_figure,
            escape,
            excepted,
        }
    }

    /// Whether sentence `i` (words `(f, l)`) is explained by a clause.
    fn covers(&self, i: usize, (f, l): (usize, usize)) -> bool {
        let (text, sentences, hits) = (self.text, self.sentences, self.hits);
        let words = text.words_text(f, l);
        self.by_threshold.contains(&i)
            || self.escape && asks_separate_license(words)
            || self.excepted && grant_scope::excepts_commercial_running(words)
            || (self.by_figure || self.excepted)
                && hits
                    .iter()
                    .any(|h| h.words == (f, l) && h.kind == ObligationKind::NonCommercial)
            || super::clauses::is_definition(words)
            || terminates_under_other_section(words)
            || defines_by_list(text, sentences, (f, l))
            || super::clauses::purpose::states_purpose(words)
            || grant_scope::speaks_of_training_data_only(words)
            || approval_for_acts(text, sentences, (f, l))
            || other_assets::gates_redistribution(words)
            || other_assets::gates_hosting(words)
            || approves_optional_request(text, sentences, i)
            || classifies_use(words)
            || other_assets::about_withheld_code(text, sentences, i)
            || hits.iter().any(|h| {
                h.words == (f, l)
                    && matches!(
                        h.kind,
                        ObligationKind::NoTrainingOtherModels | ObligationKind::FieldOfUseBan
                    )
            })
            || negated_list_item(text, sentences, i)
            || ban_exceptions(text, sentences, hits, i)
    }
}

/// The verdict of a text no clause restricts: a grant of commercial use,
/// taken only where no sentence limits commercial use or speaks of an
/// approval that no clause explains; `unknown` otherwise, naming the
/// sentence that kept it there.
fn from_grant(
    text: &NormText,
    sentences: &[(usize, usize)],
    by_threshold: &[usize],
    hits: &[ClauseHit],
) -> Derived {
    let explains = Explained::new(text, sentences, by_threshold, hits);
    let explained = |i: usize, words: (usize, usize)| explains.covers(i, words);
    let unexplained = |i: usize, words: (usize, usize)| !explained(i, words);
    let unknown = |basis: &str, unweighed| Derived {
        verdict: Verdict::Unknown,
        grant: None,
        confidence: 0.0,
        basis: basis.to_string(),
        unweighed,
    };
    // A grant is taken only from a text that limits commercial use nowhere
    // else: a limit the clause patterns missed must not be outweighed by a
    // grant (the licensor's own commercial use, a grant read too widely).
    // (commercial use permitted below a threshold: a grant of non-commercial
    // use beside it is the other half of the grant, no limit on it)
    let below = commercial_below_threshold(text, sentences, hits);
    if let Some((_, &words)) = sentences.iter().enumerate().find(|&(i, &(f, l))| {
        let s = text.words_text(f, l);
        unexplained(i, (f, l))
            && !is_heading(s)
            && !is_label(s)
            && !(below && (grants_any(s) || grant_scope::permits_use(s)) && !denies_grant(s))
            && limits_commercial_use(s)
    }) {
        return unknown(
            "a limit on commercial use that no clause weighed",
            Some(words),
        );
    }
    // where commercial use is defined by a threshold, any grant is a grant
    // of use below it, by companies too
    let below_figure = || {
        explains
            .by_figure
            .then(|| {
                sentences.iter().copied().find(|&(f, l)| {
                    let s = text.words_text(f, l);
                    grants_any(s) && !denies_grant(s)
                })
            })
            .flatten()
    };
    // (a grant that is not a definition's words first: "'You' shall mean
    // … exercising the rights granted by this Agreement" grants nothing)
    let granting = |&(f, l): &(usize, usize)| {
        let s = text.words_text(f, l);
        grants_commercial(s) || grant_scope::excepts_commercial_running(s)
    };
    let Some(grant) = sentences
        .iter()
        .copied()
        .find(|w| granting(w) && !super::clauses::is_definition(text.words_text(w.0, w.1)))
        .or_else(|| sentences.iter().copied().find(granting))
        .or_else(|| free_below_threshold(text, sentences, hits))
        .or_else(|| commercial_item(text, sentences))
        .or_else(below_figure)
        .or_else(|| {
            sentences
                .iter()
                .copied()
                .find(|&(f, l)| grant_scope::conditions_use(text.words_text(f, l)))
        })
    else {
        return unknown("no grant of commercial use found", None);
    };
    // Approval spoken of anywhere that no clause pattern weighed: the grant
    // may be conditional on it, so the verdict stays at approval (where it
    // is about commercial use) or unknown.
    let approvals: Vec<((usize, usize), bool)> = sentences
        .iter()
        .enumerate()
        .filter(|&(i, &words)| unexplained(i, words))
        .filter_map(|(_, &(f, l))| Some(((f, l), speaks_of_approval(text.words_text(f, l))?)))
        .collect();
    let about_commercial = approvals.iter().find(|(_, c)| *c);
    if let Some(&(words, commercial)) = about_commercial.or(approvals.first()) {
        return Derived {
            verdict: if commercial {
                Verdict::RequiresApproval
            } else {
                Verdict::Unknown
            },
            grant: None,
            confidence: 0.4,
            basis: "a grant of commercial use beside a registration, application or authorisation mri cannot weigh".into(),
            unweighed: Some(words),
        };
    }
    grant_verdict(text, sentences, grant, hits)
}

/// True when sentence `i` is an item of a list a negation introduces ("You
/// may NOT use the Model for:" ⏎ "F. Generating personal identifiable
/// information without authorization."): a use restriction, whatever
/// approval or purpose its words name.
fn negated_list_item(text: &NormText, sentences: &[(usize, usize)], i: usize) -> bool {
    let words = |j: usize| sentences.get(j).map_or("", |&(f, l)| text.words_text(f, l));
    // an item opens with its marker, or follows it ("f." read as a
    // sentence of its own)
    let marker = |j: usize| super::clauses::starts_item(words(j)) && !words(j).contains(' ');
    let item =
        |j: usize| super::clauses::starts_item(words(j)) || j.checked_sub(1).is_some_and(marker);
    if i >= sentences.len() || !item(i) {
        return false;
    }
    let mut j = i;
    for _ in 0..80 {
        let Some(before) = j.checked_sub(1) else {
            return false;
        };
        j = before;
        if super::clauses::negated_intro(words(j)) {
            return true;
        }
        if !item(j) {
            return false;
        }
    }
    false
}

/// True when sentence `i` lists what a ban just before it, in the same
/// paragraph, leaves permitted ("Do not use … for training … a model whose
/// principal purpose is to substitute for MIMIR. Ordinary benchmarking, …,
/// academic research, … are all permitted."): the ban's exceptions, no
/// limit of the grant.
fn ban_exceptions(
    text: &NormText,
    sentences: &[(usize, usize)],
    hits: &[ClauseHit],
    i: usize,
) -> bool {
    static PERMITTED: OnceLock<Regex> = OnceLock::new();
    let permitted = PERMITTED.get_or_init(|| {
        super::pattern::re(r"\b(?:is|are)\s+(?:all\s+|also\s+|still\s+)?(?:permitted|allowed)\b")
    });
    let (Some(&(f, l)), Some(prev)) = (
        sentences.get(i),
        i.checked_sub(1).and_then(|p| sentences.get(p)),
    ) else {
        return false;
    };
    let s = text.words_text(f, l);
    let bans = hits.iter().any(|h| {
        h.words == *prev
            && matches!(
                h.kind,
                ObligationKind::NoTrainingOtherModels | ObligationKind::FieldOfUseBan
            )
    });
    bans && !text.opens_paragraph(f)
        && permitted.is_match(s)
        && !s.contains("only")
        && !s.contains("commercial")
}

/// The verdict of a grant of commercial use no sentence limits: a free
/// grant (or a plain permissive license named for the model) beside nothing
/// but a notice, a copy of the license or that license's own credit is
/// `permitted`; any other condition, `permitted-with-conditions`.
fn grant_verdict(
    text: &NormText,
    sentences: &[(usize, usize)],
    grant: (usize, usize),
    hits: &[ClauseHit],
) -> Derived {
    // A free grant beside nothing but a notice or a copy of the license is
    // what a permissive license grants.
    // A permissive license named for the model is such a grant, and the
    // credit it asks is that license's own notice duty.
    let (f, l) = grant;
    // (the license named in the sentence just before the grant: "… are
    // released under CC BY 4.0. You may use them commercially …")
    // (a link alone between them, the license's address, is skipped)
    let before = sentences
        .iter()
        .position(|&w| w == grant)
        .and_then(|i| {
            sentences[..i]
                .iter()
                .rev()
                .take(2)
                .find(|&&(f0, l0)| !is_link(text.words_text(f0, l0)))
        })
        // (or the paragraph just before, where the grant is the license's
        // own "for any purpose": "… licensed under CC BY 4.0." ⏎ "You may
        // share and adapt the weights for any purpose, provided …")
        .filter(|_| !text.opens_paragraph(f) || for_any_purpose(text.words_text(f, l)));
    let named = (super::clauses::purpose::names_plain_permissive(text.words_text(f, l))
        || before.is_some_and(|&(f0, l0)| {
            let s0 = text.words_text(f0, l0);
            super::clauses::purpose::names_plain_permissive(s0) || permissive_title(s0)
        }))
        && !sentences
            .iter()
            .any(|&(f2, l2)| forbids_something(text.words_text(f2, l2)));
    if (named
        || grants_freely(text.words_text(f, l))
        || list_intro(text, sentences, grant)
            .is_some_and(|(f0, l0)| grants_freely(text.words_text(f0, l0))))
        && hits.iter().all(|h| {
            h.kind.verdict_cap() == Verdict::Permitted
                || named
                    && h.kind == ObligationKind::Attribution
                    && h.value.is_empty()
                    && keeps_notices(text.words_text(h.words.0, h.words.1))
                // notices kept in a "Notice" file, as a permissive license
                // asks them kept
                || h.kind == ObligationKind::Attribution
                    && h.value.eq_ignore_ascii_case("notice")
                    && keeps_notices(text.words_text(h.words.0, h.words.1))
        })
        && !sentences
            .iter()
            .any(|&(f2, l2)| (f2, l2) != grant && mentions_consent(text.words_text(f2, l2)))
    {
        return Derived {
            verdict: Verdict::Permitted,
            grant: Some(grant),
            confidence: 0.5,
            basis: "a free grant of use with no condition but a notice or a copy of the license"
                .into(),
            unweighed: None,
        };
    }
    Derived {
        verdict: Verdict::PermittedWithConditions,
        grant: Some(grant),
        confidence: 0.5,
        basis: "a grant of commercial use, with the conditions the text lists".into(),
        unweighed: None,
    }
}

mod grant_scope;
mod other_assets;

#[cfg(test)]
mod paraphrases;

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
    fn the_agreements_housekeeping_beside_a_grant_decides_nothing() {
        // assignment, amendment and waiver clauses of every contract, in
        // both languages (paraphrases written for this test)
        let grant = "You may use the Model for commercial purposes.";
        for other in [
            " You may not assign this Agreement without the prior written consent of the Licensor.",
            " Any amendment to this Agreement requires the written approval of both parties.",
            " No waiver shall be effective unless in writing and signed by the Licensor.",
            " You shall obtain any export licenses or government authorizations you need.",
        ] {
            assert_eq!(
                verdict(&format!("{grant}{other}")),
                Verdict::PermittedWithConditions,
                "{other}"
            );
        }
        let zh = "您可以将本模型用于商业用途。未经许可方书面同意，您不得转让本协议。";
        assert_eq!(verdict(zh), Verdict::PermittedWithConditions);
        // consent to use the model stays approval
        let gated = format!("{grant} You may not use the Model without our prior written consent.");
        assert!(verdict(&gated).rank() <= Verdict::RequiresApproval.rank());
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
        // a free grant with nothing beside it is a permissive license's
        assert_eq!(verdict(text), Verdict::Permitted);
        // with the use-based restrictions of the Open RAIL-M beside it
        let restricted = format!("{text} You agree not to use the Model for military purposes.");
        assert_eq!(verdict(&restricted), Verdict::PermittedWithConditions);
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
    fn what_a_threshold_asks_applies_above_it_only() {
        // the shape of the LTX-2 community license (tests/license-eval):
        // a paid license for entities above a revenue, defined in
        // parentheses, and what the text says of those entities later
        let text = "Licensor grants you a worldwide, royalty-free license to use the Model for any purpose, provided however, that Entities with annual revenues of at least $10,000,000 (the \"Commercial Entities\") are required to obtain a paid license. Commercial Entities interested in such a commercial license are required to contact Licensor. If the transferee is a Commercial Entity, it must obtain a paid license from Licensor prior to any use.";
        assert_eq!(verdict(text), Verdict::PermittedWithConditions);
        // a heading above the thresholds' list names what they ask
        // (occular-ocr-weights-modified-openrail-m.txt, tests/license-eval)
        let text = "## Free Use\n\nFree use is permitted for:\n- Individuals (personal, non-commercial use)\n- Organizations with annual revenue less than 20 million RUB (~$200K USD) AND fewer than 8 employees\n\n## Commercial License Required\n\nA commercial license is required for:\n- Organizations with annual revenue of 20 million RUB (~$200K USD) or more\n- Organizations with 8 or more employees";
        assert_eq!(verdict(text), Verdict::PermittedWithConditions);
        // a registration asked below the threshold is still approval (Kolors)
        let text = "若您或其关联方提供的所有产品或服务的月活跃用户数在前一个自然月未超过3亿月活跃用户数，则您向许可方进行登记，将被视为获得相应的商业许可。";
        assert_eq!(verdict(text), Verdict::RequiresApproval);
    }

    #[test]
    fn research_beside_non_commercial_use_is_non_commercial() {
        // Fish Audio Research License (tests/license-eval)
        let text = "FISH AUDIO RESEARCH LICENSE AGREEMENT\n\nFish Audio grants You a non-exclusive license to use, reproduce, distribute, and create Derivative Works of the Fish Audio Materials for any Research or Non-Commercial Purpose. Any use of the Fish Audio Materials for a Commercial Purpose requires a separate written license agreement from Fish Audio.";
        assert_eq!(verdict(text), Verdict::NonCommercial);
        // a title alone reads research-only when nothing else limits use
        assert_eq!(
            verdict("ACME RESEARCH LICENSE\n\nYou may use the Model."),
            Verdict::ResearchOnly
        );
    }

    #[test]
    fn use_only_by_non_commercial_organisations_excludes_a_company() {
        // AlphaFold 3 model parameters terms of use (tests/license-eval)
        let text = "The AlphaFold 3 model parameters and output are only available for non-commercial use by, or on behalf of, non-commercial organizations (i.e., universities, non-profit organizations and research institutes).";
        assert_eq!(verdict(text), Verdict::Prohibited);
    }

    #[test]
    fn consents_that_are_not_the_licensors_approval_do_not_hold_a_grant() {
        // bilibili IndexTTS2 (en and zh), Yuan 2.0, DMind-1 (tests/license-eval)
        let grant = "Subject to the terms and conditions of this Agreement, we grant you a worldwide, non-exclusive, non-transferable, royalty-free limited license to Use the Model.";
        for other in [
            " If your Use of the Model incorporates any third-party data or weights, you must obtain all necessary authorizations on your own.",
            " You may not suggest affiliation or endorsement without written permission.",
            " 您需要保证在处理模型中可能包含的个人信息时，获得个人信息主体的授权同意。",
            " 未经许可方书面同意，您不得使用许可方的商标。",
            // dots-mocr-license-agreement-mit-supplement.txt
            // (tests/license-eval), 3.3 (b) and (c) of rednote's dots.mocr
            // agreement, then paraphrases
            " Licensee agrees not to use the Model in connection with: (b) Extracting personal sensitive information (e.g., ID numbers, medical records) from images without legal authorization or consent.",
            " Any use involving publications or other copyright-protected materials must first obtain relevant permissions.",
            " Processing copyrighted books with the Model requires prior written permission of their publishers.",
            " You may not collect personal health data without the prior written consent of the patients.",
        ] {
            assert_eq!(
                verdict(&format!("{grant}{other}")),
                Verdict::PermittedWithConditions,
                "{other}"
            );
        }
    }

    #[test]
    fn a_sentence_that_keeps_a_text_unknown_is_named() {
        let t = NormText::new(
            "You may use the Model for any purpose. The authors intend it for academic study.",
        );
        let d = derive(&t, &read_clauses(&t));
        assert_eq!(d.verdict, Verdict::Unknown);
        let (f, l) = d.unweighed.expect("the sentence that kept it unknown");
        assert!(t.words_text(f, l).contains("academic"));
    }

    #[test]
    fn nothing_decisive_is_unknown() {
        assert_eq!(
            verdict("This model is provided by Someorg."),
            Verdict::Unknown
        );
    }

    #[test]
    fn a_grant_to_the_licensee_by_name_is_a_grant() {
        // convai-nadi-code-llm-general-license-agreement.txt (tests/license-eval):
        // a non-commercial grant to "the Licensee", a proprietary heading and
        // written consent for other materials later: non-commercial, not
        // "nothing granted"
        let grant = "2.1 Scope of License: Subject to the terms and conditions of this Agreement, CONVAI INNOVATIONS PRIVATE LIMITED grants the Licensee a worldwide, non-exclusive, non-transferable, royalty-free license to use, reproduce, modify, and distribute the Licensed Model for non-commercial purposes.";
        let rest = "\n\n7. PROPRIETARY LICENSE FOR CUSTOM THREADS\n\n7.3 The Licensee shall not distribute, publish, or make available the custom threads outside of the Nadi application without prior written consent from CONVAI INNOVATIONS PRIVATE LIMITED.";
        assert_eq!(verdict(&format!("{grant}{rest}")), Verdict::NonCommercial);
        // paraphrase
        let para = "The Company grants to Licensee a personal, revocable license to use the Model for non-commercial purposes only.";
        assert_eq!(verdict(&format!("{para}{rest}")), Verdict::NonCommercial);
        // with no grant at all, the same text grants nothing
        assert_eq!(verdict(rest), Verdict::Prohibited);
    }

    #[test]
    fn nothing_granted_without_a_separate_agreement_is_prohibited() {
        // snap-articulated-animation-license.txt, dc-stsf-model-license-notice.txt
        for text in [
            "This sample code is made available by Snap Inc. for informational purposes only. No license, whether implied or otherwise, is granted in or to such code (including any rights to copy, modify, publish, distribute and/or commercialize such code), unless you have entered into a separate agreement for such rights.",
            "Except for limited rights necessarily provided by the repository hosting platform or applicable law, no permission is granted to use, modify, redistribute, sublicense, publish, sell, or incorporate these materials into another project without prior written permission from the copyright holder.",
        ] {
            assert_eq!(verdict(text), Verdict::Prohibited, "{text}");
        }
        // a denial of commercial use only is a non-commercial limit
        let text = "You may use the Model for research. No license is granted for commercial use without prior written permission.";
        assert!(verdict(text).rank() > Verdict::Prohibited.rank());
    }

    #[test]
    fn a_free_grant_with_a_condition_beside_it_is_not_permitted() {
        // hc-intent-model-mit-zh.txt (the Chinese MIT text)
        let mit = "特此免费授予任何获得本软件副本的人不受限制地处理本软件的权利，包括但不限于使用、复制、修改、合并、发布、分发、再许可和/或销售软件副本的权利。上述版权声明和本许可声明应包含在软件的所有副本或实质性部分中。";
        assert_eq!(verdict(mit), Verdict::Permitted);
        let attribution = format!("{mit}使用时须注明来源。");
        assert_eq!(verdict(&attribution), Verdict::PermittedWithConditions);
    }

    #[test]
    fn a_grant_of_listed_rights_to_sell_is_a_grant_of_commercial_use() {
        // inf-opencoder-model-license.txt (tests/license-eval), the INF
        // OpenCoder model license: the rights listed after a royalty-free intro
        let text = "INF grants you the following rights, which are perpetual, global, non-exclusive, free of charge, and royalty-free, and are subject to revocation:\n2.1. The right to publicly perform and display the Model.\n2.2. The right to reproduce and utilize the Model.\n2.4. The authority to manufacture, have manufactured, and sell the Model or its derivatives.\n3.1. If you choose to distribute the Model, it is mandatory to:\nProvide each recipient with a copy of this Agreement.";
        assert_eq!(verdict(text), Verdict::Permitted);
        // without the free intro, a grant with conditions at best
        let text = "2.4. The authority to manufacture, have manufactured, and sell the Model or its derivatives.";
        assert_eq!(verdict(text), Verdict::PermittedWithConditions);
    }

    #[test]
    fn a_separate_authorisation_from_the_licensor_is_a_path_a_separate_license_is_not() {
        // minimax-m2.7-non-commercial-license.txt (tests/license-eval)
        let nc = "Permission is hereby granted, free of charge, to any person obtaining a copy of this software to deal in the Software for non-commercial purposes.";
        let authorisation = format!("{nc} Any Commercial Use of the Software or any derivative work thereof is prohibited without obtaining a separate, prior written authorization from MiniMax.");
        assert_eq!(verdict(&authorisation), Verdict::RequiresApproval);
        // a separate license, or the consent of other rights holders
        // (abot-recon-model-weight-license.txt), is no path under this one
        for other in [
            " Any commercial use requires a separate commercial license agreement.",
            " Commercial use requires separate written authorization from all relevant rights holders.",
        ] {
            assert_eq!(verdict(&format!("{nc}{other}")), Verdict::NonCommercial, "{other}");
        }
    }

    #[test]
    fn a_text_that_grants_no_permission_without_a_separate_license_is_prohibited() {
        // baisound-model-weights-licensing-status.txt (tests/license-eval)
        let text = "Access to this repository does not automatically grant permission to redistribute, sublicense, publish, sell, or deploy the BAISOUND fine-tuned model weights. A separate explicit model-distribution license or written authorization is required for third-party redistribution or use beyond an already authorized BAISOUND context.";
        assert_eq!(verdict(text), Verdict::Prohibited);
        // a non-commercial grant beside a denial about a name is no denial
        // (ewcl-model-weights-research-nc-license.txt)
        let text = "Permission is granted, free of charge, to any person or organization to use, copy, and modify the Model Weights solely for non-commercial purposes. Commercial use is not permitted without prior written permission from the copyright holders. This license does not grant any rights to use the \"EWCL\" name or associated marks.";
        assert_eq!(verdict(text), Verdict::NonCommercial);
    }

    #[test]
    fn free_for_universities_and_paid_for_companies_is_prohibited() {
        // hit-scir-ltp-license.txt (tests/license-eval), the HIT-SCIR LTP terms
        let text = "1. 语言技术平台面向国内外大学、中科院各研究所以及个人研究者免费开放源代码，但如上述机构和个人将该平台用于商业目的（如企业合作项目等）则需要付费。\n2. 除上述机构以外的企事业单位，如申请使用该平台，需付费。";
        assert_eq!(verdict(text), Verdict::Prohibited);
    }

    #[test]
    fn an_academic_licensee_or_a_ban_on_evaluation_in_companies_is_prohibited() {
        // magicleap-superglue-license.txt (tests/license-eval)
        let text = "This is a license agreement (\"Agreement\") between your academic institution or non-profit organization or self (called \"Licensee\" or \"You\" in this Agreement) and Magic Leap, Inc. Licensor hereby grants to Licensee a personal, non-exclusive, non-transferable license to use the Software for noncommercial research purposes.";
        assert_eq!(verdict(text), Verdict::Prohibited);
        // clip-caer-weights-license-agreement.txt (tests/license-eval)
        let text = "The Licensor grants the User a license to use the Weights solely for non-commercial research purposes.\n\nThe User is strictly prohibited from:\n\na. Commercial use: Using the Weights for commercial, revenue-generating, or profit-seeking purposes. This includes, but is not limited to, integration into commercial products, paid services, or internal evaluation within companies.";
        assert_eq!(verdict(text), Verdict::Prohibited);
        // the licensee an individual or an entity: research stays research
        // (amd-uif-non-commercial-models-license.txt)
        let text = "This Agreement is a legal agreement between you (either an individual or an entity) and AMD. AMD grants you a license to use the Trained Models solely for non-commercial and research purposes. This means you may use the Trained Models for benchmarking, testing, and evaluating the Trained Models (including non-commercial research undertaken by or funded by a commercial entity) but you cannot use the Trained Models in any commercial offering.";
        assert_eq!(verdict(text), Verdict::ResearchOnly);
    }

    #[test]
    fn a_disclaimer_about_third_parties_permissions_is_no_condition() {
        // bite2text-mit-model-contributions-declaration.txt (tests/license-eval)
        let mit = "Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated documentation files (the \"Software\"), to deal in the Software without restriction, including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software.";
        let disclaimer = " The author's MIT grant is not a determination that all underlying third-party permissions or challenge-rule requirements have been independently verified.";
        assert_eq!(verdict(&format!("{mit}{disclaimer}")), Verdict::Permitted);
        // a duty to obtain them is a condition
        let duty = " You must obtain any third-party permissions the upstream assets require.";
        assert_eq!(
            verdict(&format!("{mit}{duty}")),
            Verdict::PermittedWithConditions
        );
    }

    #[test]
    fn a_personal_use_license_grants_a_company_nothing() {
        // otzaria-embedding-model-personal-use-license.txt (tests/license-eval)
        let text = "1. Personal Use Permission\nPermission is granted to an individual natural person to download, run,\nstudy, and modify the original software covered by this license solely\nfor that person's own private, personal, and non-commercial use.\n\n4. No Organizational Use\nNo company, organization, association, institution, nonprofit, charity,\neducational institution, government body, community, or other legal\nentity may use the covered software — including for internal purposes —\nwithout prior express written permission from the copyright holder.";
        assert_eq!(verdict(text), Verdict::Prohibited);
    }

    #[test]
    fn a_pointer_to_a_non_commercial_license_with_a_contact_is_non_commercial() {
        // kova-tts-weights-license-pointer.txt (tests/license-eval): the
        // contact for a separate commercial license is a path outside it
        let text = "The Kova-provided base-model materials are governed by the Research and\nNon-Commercial Model License in LICENSE.\n\nThis file explains where the terms are located; it does not replace them or grant\nadditional rights. Commercial use requires a separate written commercial license.\nQuestions: legal@evalabs.ai";
        assert_eq!(verdict(text), Verdict::NonCommercial);
    }

    #[test]
    fn non_commercial_users_defined_without_for_profit_use_exclude_a_company() {
        // sjtu-venusfactory-non-commercial-license-zh.txt (tests/license-eval)
        let text = "1.1 \"非商业用户\" 是指：\n\n(b) 个人用户，但**不包括** (i) 由营利性实体使用、为其使用或代表其使用的情形，以及 (ii) 旨在或指向商业利益或金钱报酬的使用。\n\n**1.2 \"非商业用途\"** 是指仅将本软件用于内部学术研究、教学、个人学习或其他符合第 1.1 条规定的活动。\n\n在遵守本协议条款和条件的前提下，许可方和开发者授予非商业用户全球范围、免版税、非排他、不可转让、不可再许可的权利，**仅可**为内部非商业用途而使用、运行、展示、复制和修改本软件。";
        assert_eq!(verdict(text), Verdict::Prohibited);
    }

    #[test]
    fn thresholds_listed_under_their_intro_are_conditions() {
        // opendatalab-mineru-open-source-license.txt (tests/license-eval), the
        // MinerU Open Source License, in English and in Chinese
        let text = "**1. Commercial License and Thresholds**\n\nMinerU may be used for commercial purposes without a separate commercial license. However, if you and your Affiliates, on a consolidated basis, meet either of the following thresholds, you must obtain a separate commercial license from [MinerU Team] before continuing such use:\n\na. monthly active users (MAU) exceed 100 million; or\nb. total monthly revenue exceeds USD 20 million.\n\n**3. Termination**\n\nWhere a separate commercial license is required under Section 1 but is not obtained before continuing such use, this License and all rights granted under this License will terminate automatically.";
        assert_eq!(verdict(text), Verdict::PermittedWithConditions);
        let zh = "MinerU 可在无需另行取得商业许可的情况下用于商业用途。但是，如果您及您的关联方按合并口径计算，满足以下任一条件，则应当在继续该等使用前，从 [MinerU Team] 处取得单独的商业许可：\n\na. 月活跃用户数（MAU）超过 1 亿；或\nb. 月总收入超过 2000 万美元。\n\n凡属于依据第 1 条应当取得单独商业许可而未在继续使用前取得的情形，本许可及本许可项下授予您的全部权利将自动终止。";
        assert_eq!(verdict(zh), Verdict::PermittedWithConditions);
        // the same requirement with no threshold before it is approval
        let text = "MinerU may be used for commercial purposes. You must obtain a separate commercial license from the MinerU Team before any commercial use.";
        assert!(verdict(text).rank() <= Verdict::RequiresApproval.rank());
    }

    #[test]
    fn a_definitions_list_and_a_field_ban_do_not_hold_a_grant() {
        // ltx-2-community-license.txt (tests/license-eval), the LTX-2
        // Community License: a definition listing research uses, and a ban
        // on competing products without a commercial license
        let grant = "2.1 Subject to your compliance with the terms and conditions of this Agreement, you are granted a worldwide, royalty-free license to use LTX-2.x for any purpose.";
        let definition = " \"Non-Commercial Purpose\" means any of the following uses, but only so far as such Commercial Entity does not receive any payment:\n(i) use by an individual acting in a personal capacity for research, experimentation, learning, private study, hobby or recreational projects.";
        assert!(verdict(&format!("{grant}{definition}")).allows_commercial_use());
        let ban = "\n\nYou agree not to use LTX-2.x:\n\n20) To use LTX-2.x in any product, service, or application that directly competes with Licensor's commercial products or services, without obtaining a separate commercial license from Licensor.";
        assert_eq!(
            verdict(&format!("{grant}{ban}")),
            Verdict::PermittedWithConditions
        );
        // the research uses as the grant's own limit, outside a definition
        let limit = " The Model may be used for research only.";
        assert!(
            verdict(&format!("{grant}{limit}")).rank() < Verdict::PermittedWithConditions.rank()
        );
    }

    /// Round 14: a grant of "permission … to use" under a list of rights,
    /// and an approval that only lifts a pass-down duty.
    #[test]
    fn a_permission_grant_with_an_approval_that_lifts_a_duty_is_a_conditioned_grant() {
        // ai2-olmoearth-artifact-license.txt (tests/license-eval), Ai2's
        // OlmoEarth Artifact License: the grant, 1 (a), 2 (a) and 3 (c)
        let text = "Subject to your compliance with this Agreement, Ai2 grants you permission, free of charge, to use the machine learning artifacts, materials, and documentation provided by Ai2 under this Agreement as follows (collectively, \"Artifacts\"):\n\n1. Use Rights\n\n(a) Use, reproduce, modify, display and distribute the Artifacts, in whole or in part;\n\n2. Use Restrictions\n\nYou will not use any portion of the Artifacts for the following purposes:\n\n(a) Any military and defense-related applications and use cases.\n\n3. Distribution\n\n(c) If you distribute any Derivatives, you may add your own intellectual property notices and apply other licenses and terms of use, provided that you include and require the use restrictions in Section 2 in all downstream distribution unless Ai2 provides written approval otherwise.\n";
        assert_eq!(verdict(text), Verdict::PermittedWithConditions);
        // a paraphrase
        let paraphrase = "The Institute grants you permission, royalty-free, to use, copy and share the weights.\n\nYou must pass the restrictions below on to every recipient unless the Institute gives written consent otherwise.\n\nYou may not use the weights for surveillance.\n";
        assert_eq!(verdict(paraphrase), Verdict::PermittedWithConditions);
        // approval before use itself still holds the grant back
        let gated = "The Institute grants you permission, royalty-free, to use, copy and share the weights.\n\nYou may not deploy the weights unless the Institute provides prior written approval.\n";
        assert_ne!(verdict(gated), Verdict::PermittedWithConditions);
        assert!(!verdict(gated).allows_commercial_use());
    }

    /// Round 14: a grant to "Licensee", and its use tied to a product the
    /// reader must license.
    #[test]
    fn a_grant_to_the_licensee_for_use_with_a_licensed_product_asks_approval() {
        // mathworks-auxiliary-software-license-pretrained-salsanext.txt
        // (tests/license-eval), 2 LICENSE GRANT
        let text = "2. LICENSE GRANT. MathWorks hereby grants to Licensee, subject to the terms of this Agreement, a nonexclusive, nontransferable license (the \u{201c}License\u{201d}) to use the Materials internally. In all cases, the Materials are licensed to you only for use with and only for the term of your validly licensed Required Base Product.\n";
        assert_eq!(verdict(text), Verdict::RequiresApproval);
        // a paraphrase: the grant alone is a grant of use
        let grant = "The Vendor grants to Licensee a non-exclusive, royalty-free license to use, copy and modify the Weights.\n";
        assert!(
            verdict(grant).allows_commercial_use(),
            "{:?}",
            verdict(grant)
        );
        let tied = format!("{grant}The Weights are provided solely for use with a properly licensed copy of the Vendor Suite.\n");
        assert_eq!(verdict(&tied), Verdict::RequiresApproval);
    }
}
