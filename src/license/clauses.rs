//! Clause reading: the sentences that decide a verdict, recognised in any
//! text — so a license the knowledge base has never seen still yields its
//! restrictive clauses, and never a verdict more permissive than it says.

pub mod boilerplate;
mod contact;
mod duties;
mod figures;
pub mod fitness;
pub mod gate;
mod nc_grant;
pub mod purpose;
pub mod restated;
pub mod scope;
pub mod share_alike;
pub mod terms_zh;
mod trademark;

use super::pattern::re;
use super::text::NormText;
use super::verdict::ObligationKind;
use crate::license::pattern::Regex;
use std::sync::OnceLock;

/// A decisive clause found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClauseHit {
    /// What the clause asks or forbids.
    pub kind: ObligationKind,
    /// The number, amount, regions, prefix or text, when one applies.
    pub value: String,
    /// First and last word of the sentence.
    pub words: (usize, usize),
}

/// The value of a pass-down clause that keeps the weights under the terms
/// of the model they come from: cited, but those are the base's terms (the
/// lineage judges them where the card names the base), no term of this text.
pub const UPSTREAM: &str = "the upstream model's terms";

impl ClauseHit {
    /// True when the clause weighs in the text's verdict: every clause but
    /// a pass-down of the upstream model's own terms.
    pub fn weighs(&self) -> bool {
        !(self.kind == ObligationKind::UseRestrictionsPassdown && self.value == UPSTREAM)
    }
}

struct Rules {
    non_commercial: Vec<Regex>,
    cc_nc: Regex,
    excluded: Regex,
    non_commercial_scoped: Regex,
    research_only: Vec<Regex>,
    research_title: Regex,
    registration: Vec<Regex>,
    users: Regex,
    users_after: Regex,
    money: Regex,
    money_words: Regex,
    revenue: Regex,
    employees: Regex,
    territory_cue: Regex,
    /// The agreement's governing law or courts.
    governing_law: Regex,
    regions: Regex,
    passdown: Regex,
    no_training: Regex,
    negation: Regex,
    not_approval: Regex,
    definition: Regex,
    defined_term: Regex,
    inserted_non_commercial: Regex,
    both_commercial: Regex,
    inserted_research: Regex,
    attribution: Regex,
    quoted: Regex,
    name_prefix: Regex,
    name_prefix_quoted: Regex,
    aup: Regex,
    credit: Regex,
    license_copy: Regex,
    notice_file: Regex,
    research_coordinated: Regex,
    no_need: Regex,
    inquiry: Regex,
    duty: Regex,
    third_party_consents: Regex,
    field_ban: Regex,
    field_use: Regex,
    fields: Regex,
}

/// The clause patterns, built once. One table of data (a pattern per clause
/// form, grouped by kind), kept whole past the usual function length so that
/// every form of a kind reads in one place.
fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| Rules {
        non_commercial: vec![
            re(r"\b(?:solely|only|exclusively|strictly)\s+(?:for\s+)?(?:your\s+)?(?:own\s+)?(?:internal\s+)?(?:personal\s+)?(?:and\s+)?non-?commercial\b"),
            re(r"\bnon-?commercial\s+(?:(?:or|and|and/or)\s+research\s+)?(?:use|uses|usage|purposes?|research(?:\s+(?:purposes?|usage))?|scientific\s+research)\s+only\b"),
            re(r"\b(?:may|shall|must|will|can|do)\s+not\s+(?:\w+\s+){0,8}?(?:use|used|using|exploit|exploited|exploiting|deploy|deployed|deploying)\s+(?:[\w,()'-]+\s+){0,14}?(?:for\s+)?(?:any\s+)?commercial(?:ly)?\b"),
            re(r"\b(?:not|never)\s+(?:be\s+)?(?:used\s+)?for\s+(?:any\s+)?commercial\s+(?:use|uses|purposes?|advantage)"),
            // "The model is not offered for commercial use", "may be used,
            // shared and adapted, but not commercially", "Any use … directed
            // toward commercial advantage or monetary compensation is not
            // permitted" (the Creative Commons NC term as a ban)
            re(r"\bnot\s+(?:offered|licen[cs]ed|provided|released|made\s+available)\s+for\s+(?:any\s+)?commercial\s+(?:use|uses|usage|purposes?)\b|\bbut\s+not\s+commercially\s*(?:[,.;]|$)|\bcommercial\s+advantage\s+or\s+monetary\s+compensation\s+(?:is|are)\s+(?:not\s+(?:permitted|allowed)|prohibited|forbidden)\b"),
            re(r"\bno\s+commercial\s+(?:use|uses|exploitation|purposes?)\b"),
            // commercial use sent to another model ("A commercial or field
            // deployment needs a model retrained on data licensed for that
            // use"): this one is not for it
            re(r"\bcommercial\s+(?:or\s+[\w-]+\s+)?(?:use|uses|deployments?|products?)\s+(?:needs|need|requires|require|must\s+use)\s+(?:a\s+|an\s+)?(?:different|separate|another|new|retrained)\s+(?:model|checkpoint|weights)\b|\bcommercial\s+(?:or\s+[\w-]+\s+)?(?:use|uses|deployments?|products?)\s+(?:needs|need|requires|require)\s+(?:a\s+)?(?:model|checkpoint|weights)\s+(?:re)?trained\s+on\s+(?:other\s+)?data\b"),
            // non-profit users named as the permitted ones (PolyForm
            // Noncommercial: "Use by any charitable organization, educational
            // institution, … is use for a permitted purpose")
            re(r"\buse\s+by\s+any\s+(?:charitable|non-?profit|not-for-profit|educational)\s+(?:[\w,/-]+\s+){0,40}?is\s+(?:a\s+)?use\s+for\s+a\s+permitted\s+purpose\b"),
            // the permitted purposes named by their scope (PolyForm
            // Noncommercial: "Any noncommercial purpose is a permitted purpose")
            re(r"(?:^\s*|\bany\s+)non-?commercial\s+(?:use\s+|uses\s+)?(?:purposes?|uses?)\s+(?:is|are)\s+(?:a\s+|the\s+only\s+)?permitted\s+(?:purposes?|uses?)\b"),
            // "treat the bundled weights as a research/demo artifact, not as
            // a commercially licensed model": no commercial license
            re(r"\bnot\s+(?:as\s+)?(?:an?\s+)?commercially\s+licen[cs]ed\s+(?:[\w-]+\s+)?(?:models?|weights|checkpoints?|products?|assets?|releases?)\b"),
            // "cannot be used commercially", "You may not commercially use the Models"
            re(r"\bcannot\s+(?:be\s+)?(?:used|exploited|deployed)\s+(?:[\w,()'-]+\s+){0,6}?(?:for\s+(?:any\s+)?)?commercial(?:ly)?\b|\b(?:may|shall|must|can|do)\s+not\s+commercially\s+(?:use|exploit|deploy|distribute)\b"),
            // an item of a prohibited-uses list read after its intro ("you may
            // not" + "- Commercial purposes, including …")
            re(r"\b(?:may|shall|must)\s+not\s+(?:[-*]\s+)?(?:any\s+)?commercial\s+(?:use|uses|usage|purposes?|exploitation)\b"),
            // "you may not: - use the release as part of a paid API, product,
            // or production workflow": a paid offering is commercial use
            re(r"\b(?:may|shall|must|will|can|do)\s+not\s+(?:\w+\s+){0,8}?(?:use|used|using|deploy|deployed|deploying|offer|offered|offering)\s+(?:[\w,()'-]+\s+){0,14}?(?:as\s+(?:a\s+)?part\s+of|in|into|within|for|to\s+(?:build|power|run))\s+(?:a\s+|an\s+|any\s+)?(?:paid|for-profit|revenue-generating|monetized|monetised|fee-based)\s+(?:apis?|products?|services?|offerings?|applications?|apps?|subscriptions?)\b"),
            // "You may not: - sell the weights or bundle them into a paid
            // product or service": a paid or commercial product built on it
            re(r"\b(?:may|shall|must|will|can|do)\s+not\s+(?:[-*]\s+)?(?:[\w,'-]+\s+){0,8}?(?:bundle|bundled|bundling|incorporate|incorporated|incorporating|integrate|integrated|integrating|embed|embedded|embedding)\s+(?:[\w,()'-]+\s+){0,8}?(?:in|into|within|with)\s+(?:a\s+|an\s+|any\s+)?(?:paid|for-profit|revenue-generating|monetized|monetised|fee-based|commercial)\s+(?:apis?|products?|services?|offerings?|applications?|apps?)\b"),
            // "No rights are granted under this License to a Commercial Entity"
            re(r"\bno\s+rights?\s+(?:is\s+|are\s+)?granted\s+(?:[\w-]+\s+){0,4}?to\s+(?:a\s+|any\s+)?(?:commercial|for-profit)\s+(?:entit(?:y|ies)|organi[sz]ations?|compan(?:y|ies)|users?)\b"),
            re(r"\b(?:does|do|shall|will|may)\s+not\s+(?:permit|allow|grant|authori[sz]e|cover|include|extend\s+to)\s+(?:\w+\s+){0,3}?commercial"),
            re(r"\bcommercial\s+(?:use|uses|usage|exploitation|purposes?)\s+(?:\w+\s+){0,4}?(?:is|are)\s+(?:strictly\s+|expressly\s+)?(?:not\s+(?:permitted|allowed|granted|authori[sz]ed|licensed)|prohibited|forbidden)"),
            re(r"\bprohibits?\s+(?:any\s+|all\s+)?commercial\b"),
            // a label and its value: "Commercial use: Not permitted",
            // "| Commercial use | No |", "Commercial use — No"
            re(r"\bcommercial\s+(?:use|uses|usage|purposes?|exploitation)\s*(?::|-|\|)\s*(?:no|not\s+(?:permitted|allowed|granted|licensed|authori[sz]ed)|prohibited|forbidden|disallowed|excluded)\b"),
            // a non-commercial license named: "governed by the Research and
            // Non-Commercial Model License in LICENSE"
            re(r"\bnon-?commercial\s+(?:(?:use|purposes?|model|research|weights?)\s+)?(?:license|licence|agreement)\b"),
            re(r"\bonly\s+(?:may\s+)?(?:be\s+)?(?:used\s+)?(?:\w+\s+){0,4}?(?:for\s+)?(?:use\s+)?non-?commercial(?:ly)?\b"),
            re(r"\b(?:use|using)\s+(?:[\w-]+\s+){0,4}?(?:in|for)\s+non-?commercial\s+(?:applications?|projects?|products?|settings?|purposes?)\b"),
            // "for any commercial, military, or illegal purposes" after a negation
            re(r"\b(?:not|never|prohibited|forbidden)\s+(?:[\w,'-]+\s+){0,24}?for\s+(?:any\s+)?commercial\s*,\s*(?:[\w-]+\s*,\s*)*(?:or|and)\s+[\w-]+\s+(?:use|uses|purposes?)"),
            // "not ... (i) for any commercial or production purposes"
            // ("refrain from using it for any commercial or production purposes")
            re(r"\b(?:not|never|refrain\s+from)\b(?:\s+[\w,.()'-]+){0,40}?\s+for\s+(?:any\s+)?commercial\s+(?:or|and|and/or)\s+(?:production|profit|business)\s+(?:use|uses|purposes?)\b"),
            // a grant whose scope is named: "for any Research or Non-Commercial Purpose"
            // ("for any Non-Commercial and Non-Administrative purpose")
            re(r"\bfor\s+(?:any\s+)?(?:research\s+(?:or|and|and/or|&)\s+)?non-?commercial\s+(?:(?:or|and|and/or)\s+(?:research|non-?[a-z]+)\s+)?purposes?\b"),
            // a grant whose listed purposes end in a non-profit one ("for
            // educational, research and non-profit purposes only", the UC
            // Regents' "for educational, research, and not-for-profit
            // purposes"), and a work "prohibited for commercial use"
            re(r"\bfor\s+(?:(?:educational|education|research|academic|teaching|scholarly|scholarship|scientific|personal|private|study|instructional|evaluation|testing|internal)\s*,\s*){1,4}(?:(?:educational|education|research|academic|teaching|scholarly|scholarship|scientific|personal|private|study|instructional|evaluation|testing|internal)\s*,?\s+)?(?:and|or|and/or)\s+(?:non-?profit|not-for-profit|non-?commercial)\s+(?:purposes?|uses?)\b|\bprohibited\s+for\s+(?:any\s+)?commercial\s+(?:use|uses|usage|purposes?)\b"),
            // "Any other use, in particular any use for commercial
            // purposes, is prohibited" (the SMPL-style model licences), and
            // a grant "for the sole purpose of performing non-commercial
            // scientific research"
            re(r"\buse\s+for\s+(?:any\s+)?commercial\s+(?:use|uses|purposes?)\s*,?\s+(?:is|are)\s+(?:strictly\s+|expressly\s+)?(?:prohibited|forbidden|not\s+(?:permitted|allowed|granted|licensed))\b|\b(?:sole|only|exclusive)\s+purposes?\s+of\s+(?:[\w-]+\s+){0,2}?non-?commercial\b"),
            re(r"\bprohibited\s+from\s+(?:using|exploiting|deploying)\s+(?:[\w,()'-]+\s+){0,10}?for\s+(?:any\s+)?commercial"),
            re(r"\b(?:not|never)\b(?:\s+[\w,()'-]+){0,24}?\s+in\s+connection\s+with\s+(?:any\s+)?commercial\s+(?:uses?|purposes?|activities|activity)\b"),
            // a grant for personal use only ("for your personal use only")
            re(r"\b(?:solely|only|exclusively|strictly)\s+(?:for\s+)?(?:your\s+|their\s+|his\s+or\s+her\s+)?(?:own\s+)?(?:private\s+(?:and\s+|or\s+)?)?personal\s+(?:use|uses|usage|purposes?)\b|\bpersonal\s+(?:use|usage|purposes?)\s+only\b"),
            // commercial use carved out of a grant: "except for commercial
            // use", "excluding commercial purposes", "other than commercial use"
            re(r"\b(?:except|excluding|excepting|other\s+than|but\s+not|save)\s+(?:for\s+)?(?:any\s+)?commercial\s+(?:use|uses|usage|purposes?|exploitation|applications?)\b"),
            // "for purposes other than commercial or production use"
            re(r"\bfor\s+(?:any\s+)?(?:purposes?|uses?)\s+other\s+than\s+(?:for\s+)?commercial\b"),
            // a notice's list: "Prohibited Use: Commercial use, redistribution, …"
            re(r"\b(?:prohibited|forbidden|not\s+permitted|restricted)\s+uses?\s*:\s*(?:[\w-]+\s*,\s*){0,4}?commercial\s+(?:use|uses|usage|purposes?|exploitation)\b"),
            // "no portion of the Software ... may be used for commercial purposes"
            re(r"\b(?:no|neither|nor)\s+(?:[\w,()'-]+\s+){0,16}?(?:may|shall|can)\s+be\s+(?:used|exploited|deployed)\s+(?:[\w,()'-]+\s+){0,6}?for\s+(?:any\s+)?commercial\b"),
            // the licensee itself limited to non-commercial organisations
            re(r"\b(?:is|are|be)\s+(?:a\s+|an\s+)?(?:non-?commercial|non-?profit|not-for-profit)\s+(?:organi[sz]ations?|entit(?:y|ies)|institutions?)\b|\b(?:limited\s+to\s+(?:grant\s+)?|only\s+(?:to|by|for)\s+)(?:a\s+|an\s+)?(?:non-?commercial|non-?profit|not-for-profit)\s+(?:organi[sz]ations?|entit(?:y|ies)|institutions?)\b|\bby\s+(?:a\s+)?non-?profit\s+(?:entit(?:y|ies)|organi[sz]ations?)\s+only\b"),
        ],
        // a Creative Commons non-commercial license named in the text
        cc_nc: re(r"\bcc[\s-]+by[\s-]+nc\b|\bcommons\s+by[\s-]+nc\b|\battribution[\s-]+non-?commercial\b"),
        excluded: re(r"\bexclud(?:e|ed|es|ing)\b|排除|剔除"),
        non_commercial_scoped: re(r"\bfor\s+(?:[\w,'-]+\s+){0,7}?non-?commercial\s+(?:research|purposes?|uses?|applications?|projects?|development|education|teaching|study|demonstrations?|experimentation|evaluation)\b"),
        research_only: vec![
            // any use beyond research ending the license ("Any use of the
            // Software for any purpose other than non-commercial research
            // shall automatically terminate this License")
            re(r"\bany\s+use\s+(?:[\w-]+\s+){0,4}?for\s+(?:any\s+)?purposes?\s+other\s+than\s+(?:non-?commercial\s+|academic\s+|scientific\s+)*research\b(?:\s+[\w,()'-]+){0,6}?\s+(?:shall|will|does|may)\s+(?:automatically\s+|immediately\s+)?terminate\b"),
            // "only for academic, research and education purposes" (not the
            // tail of a compound: "a validation-only research artifact")
            re(r"(?:^|[^-\w])(?:solely|only|exclusively|strictly)\s+(?:for\s+)?(?:[\w-]+,?\s+){0,3}?research\b"),
            // the weights to be treated "as a research/demo artifact, not as
            // a commercially licensed model": a research label set against
            // commercial use
            re(r"\b(?:as|is|are)\s+(?:an?\s+)?(?:research|demo|demonstration|experimental|academic)(?:(?:\s*/\s*|\s+(?:and|or)\s+|\s+)(?:research|demo|demonstration|evaluation|experimental))?\s+(?:artifacts?|artefacts?|prototypes?|previews?|models?|assets?|releases?)\s*,?\s+(?:and\s+)?not\s+(?:as\s+)?(?:an?\s+)?commercial(?:ly)?\b"),
            // "included only for local demo and evaluation use"
            re(r"\b(?:solely|only|exclusively|strictly)\s+for\s+(?:[\w-]+\s+){0,2}?(?:demo|demonstration|evaluation|testing)(?:\s+(?:and|or|and/or)\s+(?:demo|demonstration|evaluation|testing|research))?\s+(?:use|uses|purposes?)\b"),
            re(r"\bresearch\s+(?:(?:and|or)\s+(?:evaluation|development|educational|education|teaching|academic)\s+)?(?:use|uses|usage|purposes?)\s+only\b"),
            // "solely for academic purposes", "academic use only"
            re(r"\b(?:solely|only|exclusively|strictly)\s+for\s+(?:[\w-]+\s+){0,2}?academic\s+(?:purposes?|use|uses|usage|research|study)\b|\bacademic\s+(?:use|uses|usage|purposes?)\s+only\b"),
            // "for academic research only", "research and education only"
            // (not "non-commercial research only", a non-commercial scope)
            re(r"\b(?:for|is)\s+(?:(?:academic|scientific|internal|pure|basic|scholarly)\s+)?research\s+(?:(?:and|or)\s+(?:evaluation|educational|education|teaching|academic|study)\s+)?only\b|\bfor\s+research-only\b"),
            // "The integration remains research-only": the state it is left in
            re(r"\b(?:remains?|stays?|is\s+kept|are\s+kept)\s+(?:strictly\s+)?research[\s-]only\b"),
            re(r"\bnot\s+(?:be\s+)?(?:used\s+)?(?:\w+\s+){0,6}?in\s+production\b"),
            // production use listed among what is not authorised ("runtime
            // connection, production use, … are not authorized"), not
            // coordinated with commercial use ("commercial or production use")
            re(r"(?:^|[,;:]\s*|\b(?:no|any)\s+)production\s+(?:use|uses|usage|deployment)\b(?:[\s,;]+[\w/()'`=-]+){0,24}?\s+(?:is|are)\s+(?:not|never)\s+(?:authori[sz]ed|permitted|allowed|licensed|granted)\b"),
            // "for non-commercial academic research only": the research is
            // the scope, non-commercial its adjective
            re(r"\bfor\s+non-?commercial\s+(?:academic|scientific)\s+research\s+(?:(?:use|purposes?)\s+)?only\b"),
            // a non-commercial grant whose purposes are named, all of them
            // research ("for non-commercial purposes of prototyping and
            // research & development")
            re(r"\bfor\s+non-?commercial\s+purposes?\s+(?:of|such\s+as|namely|like)\s+(?:prototyping|research|development|evaluation|testing|experimentation|benchmarking|r\s*&\s*d)(?:\s*(?:,|&|and|or|and/or)\s*(?:prototyping|research|development|evaluation|testing|experimentation|benchmarking|r\s*&\s*d))*\s*(?:[.;)]|$)"),
            // production use, even internal, defined as commercial ("commercial
            // purposes include deployment in production")
            re(r"\bcommercial\s+(?:use|uses|purposes?)\s+(?:shall\s+|also\s+)?(?:include|includes|including)\s+(?:[\w,()'-]+\s+){0,3}?(?:deployment|deploying|use|using|operation)\s+(?:[\w-]+\s+){0,2}?in\s+production\b"),
            // bundled models held to research-only terms ("InsightFace
            // FaceSwap models are non-commercial research only")
            re(r"\b(?:models?|weights?|checkpoints?|networks?)\s+(?:is|are)\s+(?:for\s+|licensed\s+for\s+)?non-?commercial\s+research\s+(?:(?:use|purposes?)\s+)?only\b"),
            // an evaluation or trial license: "solely to evaluate it",
            // "for evaluation only", "evaluation purposes only", "during
            // the trial period"
            re(r"\b(?:solely|only|exclusively|strictly)\s+(?:for\s+|to\s+)(?:the\s+purposes?\s+of\s+)?(?:internal(?:ly)?\s+)?(?:evaluat(?:e|ing|ion)|test(?:ing)?|trial(?:ing)?|assess(?:ing|ment)?|benchmark(?:ing)?)\b|\b(?:evaluation|trial|testing)\s+(?:use|uses|usage|purposes?)?\s*only\b|\bfor\s+(?:a|the)\s+(?:trial|evaluation)\s+period\b|\b(?:evaluation|trial)\s+(?:licen[cs]e|agreement)\b(?:\s+[\w,()'-]+){0,12}?\s+(?:days?|weeks?|months?)\b"),
            // use beyond a research purpose needs more ("For use beyond
            // challenge reproduction, obtain applicable permissions"): that
            // purpose is the scope
            re(r"\b(?:for\s+)?(?:any\s+)?(?:use|uses|usage)\s+(?:beyond|outside(?:\s+of)?|other\s+than(?:\s+for)?)\s+(?:the\s+|this\s+)?(?:[\w-]+\s+){0,2}?(?:research|evaluation|benchmarking|reproduction|reproducing|testing)\b(?:\s+[\w,()'-]+){0,4}?\s*,?\s+(?:obtain|request|seek|contact|you\s+(?:must|need|should)|(?:is|are)\s+(?:not|prohibited)|requires?)\b"),
        ],
        // a license named for research ("Research License Agreement"): the
        // weakest sign of a research-only grant
        research_title: re(r"\bresearch(?:-only|\s+only)?\s+(?:license|licence)\b"),
        registration: vec![
            re(r"\b(?:must|shall|need\s+to|needs\s+to|required\s+to|should)\s+(?:first\s+)?(?:register|apply\s+for|obtain|request|seek|acquire|purchase)\s+(?:[\w,'-]+\s+){0,8}?(?:licen[cs]e|authori[sz]ation|permission|approval|consent|subscription)"),
            re(r"\b(?:prior|express|advance|explicit)\s+(?:written\s+)?(?:authori[sz]ation|permission|consent|approval)\b"),
            re(r"\bregist(?:er|ration)\s+(?:\w+\s+){0,6}?(?:before|prior\s+to|for)\s+(?:\w+\s+){0,3}?commercial"),
            re(r"\bcommercial\s+(?:use\s+)?(?:licen[cs]e|licensing|registration)\s+(?:[\w,]+\s+){0,6}?(?:required|apply|contact|form|email|obtain)"),
            re(r"\bpaid\s+subscription\b"),
            // use only under a separate plan or agreement with the provider
            // ("You may only use … the Software if you … have accepted and are
            // complying with the terms … of a separate platform plan,
            // subscription, order form, or other agreement")
            re(r"\b(?:only|solely)\s+(?:[\w,()'-]+\s+){0,8}?if\s+(?:[\w,()'-]+\s+){0,12}?(?:accepted|entered\s+into|signed|hold|holds|have\s+purchased|subscribed\s+to)\b(?:\s+[\w,()'-]+){0,16}?\s+(?:a\s+|an\s+)?separate\s+(?:[\w-]+\s+){0,2}?(?:plan|subscription|agreement|order\s+form|contract)\b"),
            re(r"\brequires?\s+(?:a\s+|an\s+)?separate\s+(?:[\w-]+\s+){0,2}?licen[cs]e\b"),
            re(r"\bcontact\s+(?:[\w-]+\s+){0,4}?(?:to\s+obtain|for)\s+(?:[\w-]+\s+){0,2}?commercial\s+licen[cs]es?\b"),
            re(r"\bcommercial(?:ly)?\b(?:\s+[\w,()'-]+){0,10}?\s+(?:must|shall|need\s+to|needs\s+to|required\s+to)\s+(?:first\s+)?register\b"),
            re(r"\bregistration\s+(?:[\w-]+\s+){0,6}?(?:will\s+be\s+|shall\s+be\s+|is\s+)?deemed\b"),
            re(r"\b(?:before|prior\s+to)\s+(?:any\s+|using\s+\w+\s+(?:for\s+)?)?commercial(?:ly)?\b(?:\s+[\w!-~]+){0,8}?\s+(?:must|shall|need\s+to|needs\s+to|required\s+to)\s+(?:first\s+)?(?:register|obtain|apply|request|contact|sign|seek)\b"),
            re(r"\b(?:must|shall|need\s+to|needs\s+to|required\s+to)\s+(?:first\s+)?(?:register|apply|obtain|request|seek|sign)\b(?:\s+[\w!-~]+){0,10}?\s+(?:prior\s+|express\s+)?(?:written\s+)(?:authori[sz]ation|permission|approval|consent)\b"),
            re(r"\bwithout\s+(?:the\s+)?(?:[\w']+\s+)?(?:prior\s+|express\s+|specific\s+)*written\s+(?:permission|consent|authori[sz]ation|approval)\b"),
            re(r"\b(?:requires?|required|subject\s+to)\s+(?:a\s+|an\s+)?(?:separate\s+|signed\s+|written\s+|commercial\s+)+(?:licen[cs]e\s+)?agreement\b"),
            re(r"\bcontact\s+(?:us|the\s+licensor|[\w-]+)\s+(?:for|to\s+obtain|to\s+request)\s+(?:a\s+)?(?:commercial\s+|separate\s+)?licen[cs]e\b"),
            // "requires separate written authorization", "subject to prior approval"
            re(r"\b(?:requires?|required|subject\s+to|needs?)\s+(?:a\s+|an\s+|the\s+)?(?:(?:separate|prior|specific|explicit|express|written|formal)\s+)+(?:authori[sz]ation|permission|approval|consent|agreement|licen[cs]e)\b"),
            // "permitted only through a separate commercial license agreement"
            re(r"\bonly\s+(?:through|under|with|by|via|pursuant\s+to)\s+(?:a\s+|an\s+)?(?:(?:separate|commercial|written|signed|explicit|express)\s+)+(?:[\w-]+\s+){0,2}?(?:licen[cs]e|agreement)\b"),
            // "unless you have entered into a separate agreement for such rights"
            re(r"\bunless\s+(?:you\s+)?(?:have\s+)?(?:entered\s+into|obtained|signed|executed|received|concluded)\s+(?:a\s+|an\s+)?(?:(?:separate|written|signed|commercial)\s+)+(?:[\w-]+\s+){0,2}?(?:agreement|licen[cs]e|permission|authori[sz]ation)\b"),
            // "contact the Licensor for negotiating a separate agreement"
            re(r"\bcontact\b(?:\s+[\w,'()@.-]+){0,6}?\s+(?:for|to\s+obtain|to\s+request|to\s+negotiate|for\s+negotiating|regarding|about)\s+(?:a\s+|an\s+)?(?:separate|commercial|other)\s+(?:[\w-]+\s+){0,3}?(?:licen[cs]es?|licensing|agreements?|terms)\b"),
            // an office with its address and phone, then its purpose: "Contact
            // The Office of Technology Licensing, UC Berkeley, 2150 Shattuck
            // Avenue, … otl@berkeley.edu, … for commercial licensing
            // opportunities"
            re(r"\b(?:contact|write\s+to)\b(?:\s+[\w,'()@./:-]+){7,40}?\s+for\s+commercial\s+(?:licen[cs]ing|licen[cs]es?|use|uses)\b"),
            // "For commercial uses of this software, please send email to …",
            // "for commercial utilization please contact the author"
            re(r"\bfor\s+commercial\s+(?:use|uses|usage|utili[sz]ation|exploitation|purposes?|applications?|licen[cs]ing|licen[cs]es?)\b(?:\s+[\w,()'/-]+){0,6}?\s*,?\s+(?:please\s+)?(?:contact|send\s+(?:an\s+)?e-?mails?\s+to|e-?mail|write\s+to|reach\s+out\s+to|visit)\b"),
            // "Any Commercial Use requires a separate, written commercial
            // license agreement with Reactive AI"
            re(r"\brequires?\s+(?:a\s+|an\s+)?(?:(?:separate|written|signed)\s*,?\s+)+(?:commercial\s+)?licen[cs]e\b"),
            // a model supplied only by contract ("It is provided under a
            // commercial agreement", "obtained under a commercial agreement")
            re(r"\b(?:provided|obtained|supplied)\s+(?:only\s+|solely\s+|exclusively\s+)?(?:under|through|via|by)\s+(?:a\s+|an\s+)?(?:(?:separate|signed|written|paid)\s+)*commercial\s+(?:licen[cs]e\s+)?(?:agreements?|contracts?)\b"),
            // "if ... use for commercial purpose ... is required, please contact";
            // commercial named with a kindred use ("For commercial or clinical
            // licensing inquiries, please contact the author")
            re(r"\bcommercial\s+(?:(?:or|and|and/or)\s+(?:production|clinical|enterprise|industrial)\s+)?(?:use|uses|usage|purposes?|licensing|licen[cs]e)\b,?(?:\s+[\w,()'/-]+){0,24}?\s+(?:please\s+)?contact\b"),
            // a use beyond this license's terms, to ask about ("For any other
            // use of the software not covered by the terms of this license,
            // please contact partnerships@nianticlabs.com")
            re(r"\b(?:for\s+)?any\s+(?:other\s+)?uses?\s+(?:of\s+(?:the|this)\s+[\w-]+\s+)?(?:not|that\s+is\s+not|which\s+is\s+not)\s+(?:covered|permitted|granted|allowed)\s+(?:by|under)\s+(?:the\s+terms\s+of\s+)?this\s+licen[cs]e\b,?\s+(?:please\s+)?contact\b"),
            // "A separate explicit model-distribution license or written authorization is required"
            re(r"\b(?:separate|written|prior|explicit|signed)\s+(?:[\w-]+\s+){0,3}?(?:licen[cs]e|authori[sz]ation|permission|agreement|approval|consent)\s+(?:(?:or|and|and/or)\s+(?:[\w-]+\s+){0,2}?(?:licen[cs]e|authori[sz]ation|permission|agreement|approval|consent)\s+)?(?:is|are|will\s+be|shall\s+be)\s+(?:first\s+)?(?:required|needed|necessary)\b"),
            // "No commercial use without permission": permission, written or not
            re(r"\bcommercial(?:ly)?\s+(?:(?:use|uses|usage|exploitation|purposes?)\s+)?(?:(?:is|are)\s+(?:not\s+)?(?:permitted|allowed)\s+)?without\s+(?:(?:the\s+|our\s+|prior\s+|express\s+|explicit\s+)*(?:permission|consent|authori[sz]ation|approval)|(?:prior|written|separate)\s+agreement)\b"),
            // commercial use granted to those the licensor lists or approves
            // ("The use of the weights for commercial purposes by these
            // individuals and organizations is permitted")
            re(r"\bcommercial\s+(?:use|uses|usage|purposes?)\s+by\s+\[?(?:these|the\s+following|the\s+listed|listed|approved|authori[sz]ed)\s+(?:[\w-]+\s+){0,3}?(?:individuals|persons|organi[sz]ations|parties|companies|entities|users|licensees|partners)\b(?:\]\(\S*\))?(?:\s+[\w,()'-]+){0,6}?\s+(?:is|are)\s+(?:permitted|allowed|authori[sz]ed|granted)\b"),
            // use tied to a product the reader must license: "the Materials
            // are licensed to you only for use with and only for the term
            // of your validly licensed Required Base Product" (MathWorks)
            re(r"\b(?:licensed|provided|available|made\s+available)\s+(?:to\s+you\s+)?(?:only|solely|exclusively)\s+for\s+use\s+(?:with|in\s+conjunction\s+with)\b(?:\s+[\w,-]+){0,14}?\s+(?:validly|properly|duly|separately)\s+licensed\b"),
            // "obtain a commercial licence from Ultralytics"
            re(r"\bobtain\s+(?:a\s+|an\s+)?(?:separate\s+|paid\s+)?commercial\s+licen[cs]e\b"),
            // "without a valid Commercial License", "without a separate written
            // agreement" (not "without a separate commercial license", a need denied)
            re(r"\bwithout\s+(?:a\s+|an\s+)?(?:valid\s+(?:commercial\s+)?licen[cs]e|(?:(?:separate|signed)\s+)*written\s+(?:licen[cs]e\s+)?agreement)\b"),
            // "would require either (a) a commercial licence from the authors"
            re(r"\brequires?\s+(?:either\s+)?(?:\(?a\)\s+)?(?:a\s+|an\s+)commercial\s+licen[cs]e\b"),
            // "must not be marketed or used for commercial/production
            // purposes without separate licenses from CircleStone": a ban
            // lifted by a license asked for
            re(r"\b(?:must|shall|may|can)\s+not\b(?:\s+[\w,/()'-]+){0,16}?\s+without\s+(?:a\s+|an\s+|[\w-]+\S?s\s+)?(?:(?:separate|written|express|explicit|prior)\s+)+(?:[\w-]+\s+){0,2}?(?:licen[cs]es?|agreements?|permissions?|authori[sz]ations?|consent)\b"),
            // "unless You first obtain a separate, express, written license"
            re(r"\bunless\s+(?:you\s+)?(?:first\s+)?obtain\s+(?:a\s+|an\s+)?(?:(?:separate|express|written|signed|commercial),?\s+)+(?:licen[cs]e|agreement|permission|authori[sz]ation)\b"),
            // "If you need commercial or clinical use rights, please contact"
            re(r"\bcommercial\s+(?:or|and|and/or)\s+[\w-]+\s+(?:use|usage)\s+(?:rights|licen[cs]es?)\b,?(?:\s+[\w,()'/-]+){0,8}?\s+(?:please\s+)?contact\b"),
            // "If anyone wants commercial use, ask the BoneMarrowMap authors
            // and the TCD technology-transfer office first": a wish to use
            // commercially answered by whom to ask
            re(r"\bif\s+(?:you|anyone|someone|a\s+user|users)\s+(?:want|wants|wish|wishes|intend|intends|plan|plans|need|needs|would\s+like)\s+(?:to\s+)?(?:[\w,()'-]+\s+){0,6}?commercial(?:ly)?\b,?(?:\s+[\w,()'/-]+){0,6}?\s+(?:please\s+)?(?:ask|contact|email|write\s+to|reach\s+out\s+to|request|obtain|seek)\b"),
            // "you will need to execute a separate licensing agreement"
            re(r"\b(?:needs?|required)\s+to\s+(?:execute|sign|enter\s+into|conclude)\s+(?:a\s+|an\s+)?(?:(?:separate|commercial|written|signed)\s+)+(?:licen[cs]ing\s+|licen[cs]e\s+)?agreement\b"),
            // "If you plan to use … for Commercial Purposes, you should contact
            // the Licensor in advance"
            re(r"\bcontact\s+(?:the\s+|us\s+|[\w-]+\s+){0,2}?(?:in\s+advance|beforehand)\b"),
            // "may not use the code or data for any commercial purpose without
            // obtaining a separate, written license from Insitro Inc."
            re(r"\bcommercial\s+(?:use|uses|usage|purposes?)\s+(?:[\w,()-]+\s+){0,6}?without\s+(?:first\s+)?(?:obtaining|securing|acquiring|executing|signing)\s+(?:a\s+|an\s+)?(?:(?:separate|written|signed|commercial|express|prior),?\s+)+(?:licen[cs]e|agreement|permission|authori[sz]ation|consent)\b"),
            // "Adapted weights may be produced and used, but may not be shared
            // under this license": sharing them needs another license
            re(r"\b(?:may|can|shall|must)\s+not\s+be\s+(?:shared|distributed|redistributed|published)\s+under\s+this\s+licen[cs]e\b"),
            // "Commercial use is also allowed after filling out a registration questionnaire"
            re(r"\bcommercial\s+(?:use|usage)\b(?:\s+[\w,'-]+){0,6}?\s+after\s+(?:[\w-]+\s+){0,4}?(?:registration|registering|approval|application|questionnaire)\b"),
        ],
        users: re(&format!(r"(\d[\d,.]*)\s*{}?\s*(?:(?:monthly|daily)\s+active\s+(?:users|accounts)|(?:monthly|daily)\s+users|mau\b|dau\b|(?:visits|visitors|users|active\s+users)\s+(?:per|a|each)\s+month)", figures::SCALE)),
        users_after: re(&format!(r"\b(?:(?:monthly|daily)\s+(?:active\s+)?users|mau|dau)\s+(?:\(\w+\)\s+)?(?:exceeds?|exceeding|(?:is\s+|are\s+)?(?:of\s+)?(?:more|greater)\s+than|above|over|in\s+excess\s+of)\s+(\d[\d,.]*)\s*{}?", figures::SCALE)),
        money: re(&format!(r"{}\s?(\d[\d,.]*)\s*{}?", figures::CURRENCY_BEFORE, figures::SCALE)),
        money_words: re(&format!(r"(\d[\d,.]*)\s*(million|billion|thousand|mn\b|bn\b|k\b)?\s*{}", figures::CURRENCY_AFTER)),
        // (or money earned: "usage that generates more than 50,000 USD
        // within a year", "earns over USD 1 million")
        revenue: re(r"\b(?:revenue|revenues|turnover|sales|income)\b|\b(?:generates?|generating|generated|earns?|earning|earned)\s+(?:more|less|over|under|above|below|in\s+excess)\b"),
        // a company-size threshold: "fewer than 50 employees", "8 or more employees"
        employees: re(r"(\d[\d,]*)\s*(?:\+\s*|or\s+(?:more|fewer|less)\s+)?(?:full-time\s+)?(?:employees|staff\s+members|staff|workers|personnel|team\s+members)\b"),
        governing_law: re(r"\bgoverned\s+by\s+(?:and\s+construed\s+in\s+accordance\s+with\s+)?the\s+laws?\b|\bgoverning\s+law\b|\bconflicts?[- ]of[- ]laws?\b|\bconvention\s+on\s+contracts\s+for\s+the\s+international\s+sale\b|\bexclusive\s+jurisdiction\b|适用(?:\w{0,6}?)法律|管辖"),
        territory_cue: re(r"\b(?:not\s+(?:\w+\s+){0,4}?(?:licensed|granted|available|permitted|apply|applicable|allowed|extend)|exclud\w*|outside\s+of|except\s+in|not\s+in|prohibited\s+in|territory|located\s+in|export\s+(?:restrictions|controls?|laws)|\b(?:not|never)\b,?(?:\s+[\w,()'-]+){0,24}?\s+(?:within|inside)\s)"),
        regions: re(r"\b(european\s+union|the\s+eu|eu|united\s+kingdom|the\s+uk|uk|south\s+korea|mainland\s+china|china|russia|iran|north\s+korea|cuba|syria|belarus|(?:comprehensively\s+)?sanctioned\s+(?:jurisdictions?|countries)|outside\s+(?:of\s+)?the\s+(?:applicable\s+|licensed\s+|permitted\s+)?territory)\b"),
        passdown: re(r"\buse-?based\s+restrictions\b|\bdownstream\s+(?:recipients?|users?|licensees?)\b(?:\s+[\w,()'-]+){0,12}?\s+(?:compl\w+|bound|terms|abide)|\b(?:impose|require)\s+(?:[\w,'-]+\s+){0,6}?terms\s+(?:on|upon)\s+(?:such\s+|any\s+)?(?:downstream|recipients?|third)|\b(?:inherit|retain|carry)\s+(?:these|the\s+same|such|all)\s+(?:terms|restrictions|limitations)\b|\buse\s+limitations?\b(?:\s+[\w,.()'-]+){0,10}?\s+appl(?:y|ies)\s+to\s+(?:your\s+|any\s+|all\s+)?derivative|\b(?:include|impose|pass\s+on|flow\s+down|enforce)\s+(?:[\w,'-]+\s+){0,10}?(?:use\s+restrictions|restrictions\s+on\s+use)|\b(?:must|shall)\s+(?:have|contain|include|carry|be\s+(?:under|subject\s+to))\s+(?:the\s+)?same\s+(?:terms|restrictions|limitations|licen[cs]e)\b|\bderivatives?\b(?:\s+[\w,()'-]+){0,16}?\s+(?:shall|will|must)\s+(?:also\s+)?(?:be\s+|remain\s+)(?:subject\s+to|limited\s+to|bound\s+by)\s+(?:the\s+)?(?:same\s+|these\s+)?(?:restrictions|terms|this\s+agreement|research)|\brestrictions\b(?:\s+[\w,()'-]+){0,10}?\s+(?:also\s+)?apply\s+to\s+(?:any\s+|all\s+)?derivatives?\b|\brequire\s+(?:all\s+of\s+)?(?:your\s+)?users\b(?:\s+[\w,()'-]+){0,12}?\s+to\s+comply\b|\bdoes\s+not\s+contradict\s+the\s+restrictions\b|\bderivative\s+(?:models?|works?|weights)\b(?:\s+[\w,.()'-]+){0,12}?\s+(?:shall|will|must)\s+(?:also\s+)?(?:be\s+)?(?:distributed|released|licensed|made\s+available)\s+under\s+(?:this|the\s+same)\s+(?:licen[cs]e|agreement|terms)\b|\b(?:enable|assist|facilitate|permit|allow|cause)\b(?:\s+[\w,]+){0,6}?\s+third[- ]part(?:y|ies)\s+to\s+(?:violate|breach|contravene)\b|\bshare-?alike\s+(?:propagates|applies|extends|carries)\s+to\s+(?:all\s+|any\s+)?(?:derivative|adapted|modified)\b|\bderivatives?\s+(?:works?\s+|models?\s+)?(?:must|shall)\s+(?:also\s+)?be\s+(?:shared|distributed|released|licensed)\s+under\s+(?:the\s+same\s+|this\s+)?(?:cc\s+by|licen[cs]e|terms)|\b(?:distribute|share|release|license)\s+(?:[\w,'-]+\s+){0,4}?under\s+(?:the\s+same\s+licen[cs]e|this\s+licen[cs]e,?\s+not\s+under\s+looser|terms\s+(?:no\s+less\s+restrictive|at\s+least\s+as\s+(?:protective|restrictive)))|\bbind\s+(?:each\s+|every\s+|all\s+|any\s+)?(?:recipients?|users?|licensees?)\b(?:\s+[\w,()'-]+){0,4}?\s+to\s+(?:enforceable\s+)?terms\b|\brecipients?\s+(?:receives?|gets?|is\s+bound\s+by)\s+the\s+same\s+(?:restrictions|terms|limitations)\b|\brelease\s+(?:your\s+)?(?:derived|modified|adapted)\s+(?:weights|models?|works?)\s+under\s+(?:cc\s+by-sa|the\s+same)|\b(?:limitations|restrictions)\s+(?:and\s+restrictions\s+)?herein\b(?:\s+[\w,()'-]+){0,12}?\s+remain\b|\boblige\s+(?:their|its|your)\s+(?:clients|customers|users|recipients)\s+to\s+compl|\bderivative\s+(?:[\w-]+\s+){0,2}?(?:is|are)\s+(?:distributed|released|licensed)\s+under\s+the\s+same\s+terms\b|\b(?:cannot|may\s+not|must\s+not|shall\s+not)\s+(?:(?:sublicense|distribute|redistribute|share)\s+(?:or|and|and/or)\s+)?(?:sublicense|distribute|redistribute|share)\s+(?:[\w-]+\s+){0,4}?under\s+(?:any\s+)?(?:other|different)\s+(?:terms|licen[cs]es?)\b|\bredistribut\w*\b(?:\s+[\w,'-]+){0,8}?\s+(?:must|shall)\s+(?:keep|retain|preserve|include)\s+(?:[\w-]+\s+){0,6}?(?:restrictions?|limitations?)\b|\bdistribut\w*\s+(?:of\s+)?(?:your\s+|any\s+)?(?:adaptations|adapted\s+(?:material|works?|models?)|derivatives?|modifications)\s+under\s+the\s+same\s+licen[cs]e\b|\b(?:distribute|share|release)\s+(?:\S+\s+){0,6}?under\s+(?:this|the)\s+same\s+(?:\S+\s+){0,3}?(?:licen[cs]e|terms)\b|\b(?:adaptations?|remix(?:es)?|derivatives?|derivative\s+works?|modifications|adapted\s+(?:material|works?))(?:\s+(?:or|and)\s+[\w-]+)?\s+(?:must|shall)\s+(?:also\s+)?(?:use|be\s+(?:distributed|shared|released|licensed)\s+under)\s+(?:the|this)\s+(?:same\s+)?licen[cs]e\b|\blicen[cs]e\s+(?:your|the|any)\s+(?:adaptations?|derivatives?|modifications|remix(?:es)?)\s+under\s+(?:cc\s+by-sa|the\s+same)|\blicen[cs]ed\s+as\s+a\s+whole\b(?:\s+[\w,'-]+){0,12}?\s+under\s+the\s+terms\s+of\s+this\s+licen[cs]e\b|\blicen[cs]e\s+the\s+entire\s+work,?\s+as\s+a\s+whole,?\s+under\s+this\s+licen[cs]e\b|\bpass\s+(?:[\w-]+\s+){0,3}?(?:restrictions|terms|limitations)\s+(?:on\s+|through\s+|along\s+|down\s+)?to\s+(?:anyone|any|all|every|each|recipients?|downstream|users?|third)\b"),
        no_training: re(r"\b(?:improve|train|training|develop|create|enhance|distill)\w*,?\s+(?:[\w,:()'-]+\s+){0,12}?(?:other|another|competing|third[- ]party|any)\s+(?:[\w,-]+\s+){0,10}?(?:models?|llms?|ai)\b|\b(?:train|training|distill\w*)\s+(?:[\w,'-]+\s+){0,4}?(?:machine\s+learning|ml|ai|language|foundation\w*)\s+models?\b|\b(?:train\w*|distill\w*|imitat\w*|extract\w*)\b(?:[\s,]+[\w'-]+){0,8}?\s+(?:a|any)\s+model\s+(?:whose|that|which)\s+(?:[\w'-]+\s+){0,4}?(?:substitut\w*|compet\w*|replac\w*|replicat\w*)|\bcreate\s+derivative\s+models?\b(?:\s+[\w,()'-]+){0,6}?\s+(?:that|which)\s+compete\b|\bbe\s+used\s+to\s+train\b,?(?:\s+[\w,()'-]+){0,12}?\s+(?:functionality|performance)\s+of\s+any\b|\b(?:extraction|cloning|distillation)\b(?:\s+[\w,()'-]+){0,8}?\s+(?:to\s+)?(?:recreate|replicate|reproduce)\s+(?:[\w-]+\s+){0,3}?(?:weights|models?)\b"),
        negation: re(r"\b(?:not|never|prohibited|no\s+right)\b"),
        // Consent to assign or transfer the agreement, or to use a name to
        // endorse products, is not approval to use the model.
        not_approval: re(r"\b(?:assign|assigns|assignment|transfer|transfers|delegate|delegates|disclose|discloses|disclosure)\b(?:\s+[\w',-]+){0,12}?\s+without\b|\bendorse\s+or\s+promote\b|\bendorsement\b|\baffiliation\b"),
        definition: re(r#"^(?:[\w().]{1,6}\s+)?"[\w\s'-]{1,60}"(?:\s+\(?(?:or|and)\s+"[\w\s'-]{1,60}"\)?)?\s+(?:shall\s+mean|means|refers\s+to)\b"#),
        defined_term: re(r#"^(?:[\w().]{1,6}\s+)?"([\w\s'-]{1,60})"\s+(?:shall\s+mean|means|refers\s+to)\b((?u:.)*)$"#),
        inserted_non_commercial: re(r"\bnon-?commercial\b|\bnon\s+commercial\b"),
        both_commercial: re(r"\bcommercial\s+(?:and|or|and/or)\s+non-?commercial\b|\bnon-?commercial\s+(?:and|or|and/or)\s+commercial\b"),
        inserted_research: re(r"\b(?:research|academic|evaluation)\s+(?:use|uses|purposes?)\b|\bfor\s+(?:research|academic|evaluation)\b"),
        attribution: re(r"\b(?:display|displays|displayed|attribut\w*|credit)\b"),
        // a quoted name: no space just inside its quotes, so the gap between
        // two quoted strings ("A" and then "B") is never taken for one
        quoted: re(r#""((?u:[^"\s])(?u:[^"]){0,58}(?u:[^"\s]))""#),
        name_prefix: re(r#"\bnames?\s+(?:\w+\s+){0,9}?(?:begins?|starts?|prefixed)\s+with\s+"?([\w.\- ]{2,30}?)"?(?:[\s,.;]|$)"#),
        name_prefix_quoted: re(r#"\binclude\s+"((?u:[^"]){2,30})"\s+at\s+the\s+beginning\s+of"#),
        aup: re(r"\bacceptable\s+use\s+policy\b|\b(?:must|shall|may|will)\s+not\s+be\s+used\s+to\s+(?:generate|create|produce|edit|distribute)\b,?(?:\s+[\w,/-]+){0,14}?\s+(?:sexually|pornographic|violent|discriminatory|hateful|abusive)\b|\bagree\s+to\s+(?:inform|notify|tell)\s+(?:[\w,'-]+\s+){0,4}?that\b(?:\s+[\w,'-]+){0,8}?\s+(?:synthesi[sz]ed|ai-generated)\b|\b(?:only\s+use|use\s+only)\s+voices?\b(?:\s+[\w,'-]+){0,12}?\s+(?:permission|consent)\b|\b(?:not|never)\s+(?:\w+\s+){0,2}?use\s+(?:[\w,-]+\s+){0,6}?for\s+(?:[\w,-]+\s+){0,8}?(?:fraud|harassment|deception|misinformation|disinformation|spam)\b|\b(?:shall|must)\s+(?:ensure|make\s+sure)\s+(?:that\s+)?(?:[\w,()'-]+\s+){0,12}?(?:is|are)\s+used\s+(?:ethically|responsibly|lawfully)\b|\b(?:in\s+accordance\s+with|comply\s+with|subject\s+to)\s+(?:[\w'-]+\s+){0,3}?(?:trustworthy\s+ai|ai\s+ethics|ethical\s+(?:use\s+)?(?:guidelines|policy|terms))\b|\buse\s+policy\b|\b(?:specified|designated)\s+restricted\s+uses\b|\bcompliance\s+with\s+the\s+restrictions\s+in\b|\b(?:not|never)\s+(?:be\s+)?used\s+(?:[\w,-]+\s+){0,20}?(?:unlawful|illegal)\s+(?:purposes?|activities|actions?|acts|uses?|conduct)\b|\b(?:only|solely)\s+for\s+(?:legal|lawful)\s+(?:use|uses|purposes?)\b|\b(?:may|must|shall|will|can)\s+not\s+(?:be\s+)?(?:use|used)\s+(?:[\w'-]+\s+){0,5}?to\s+(?:generate|create|produce|make|spread|distribute)\s+(?:any\s+)?(?:[\w-]+,?\s+(?:or\s+|and\s+)?){0,4}?(?:harmful|offensive|abusive|hateful|malicious|deceptive|illegal|unlawful|fake|libelous|defamatory|misleading)\s+(?:content|outputs?|material|media|audio|images?|videos?|text)\b|\b(?:not|never)\s+(?:present|pass\s+off|represent)\s+(?:[\w-]+\s+){0,3}?(?:outputs?|content|results|images|audio|recordings|text)\s+as\s+(?:real|genuine|authentic|human-made|human-generated)\b|\b(?:only\s+use|use\s+only)\s+(?:audio|recordings|voice\s+samples|speech)\b(?:\s+[\w,'-]+){0,8}?\s+(?:permission|consent)\b"),
        credit: re(r"\bsubject\s+to\s+(?:[\w-]+\s+){0,5}?(?:its|their|the)\s+attribution\s+(?:requirements?|terms|duties|obligations)\b|\b(?:must|shall)\s+(?:carry|keep|retain|preserve|include)\s+(?:these|this|the)\s+(?:attribution\s+)?notices?\b|^(?:[\w().]{1,4}\s+)?(?:attribute|credit|cite)\s+(?:the\s+|this\s+|our\s+|its\s+)?[\w-]+|^(?:[\w().]{1,4}\s+)?(?:(?:base\s+)?model\s+|suggested\s+|required\s+)?(?:attribution|credit)\s*(?::|—|–|\s-\s)\s*\S|\bwith\s+(?:appropriate\s+|proper\s+)?(?:attribution|credit)\s+to\b|\brequir(?:es?|ing)\s+(?:[\w-]+\s+){0,3}?attribution\b|\b(?:give|provide)\s+(?:appropriate\s+|proper\s+)?credit\b|\byou\s+(?:clearly\s+|properly\s+|expressly\s+)?(?:attribute|credit)\b|\b(?:must|shall|should|will)\s+(?:clearly\s+|also\s+)?(?:attribute|acknowledge|cite|credit)\b|\binclude\s+(?:a\s+)?citations?\b|\bcredit\s+(?:this|the)\s+(?:project|authors?|model|work)\b|\b(?:give|provide)\s+(?:appropriate|proper|reasonable)\s+attribution\b|\b(?:preserve|retain|keep|maintain)\s+(?:[\w,'-]+\s+){0,6}?attributions?\b|\b(?:must|shall|should)\s+(?:clearly\s+)?indicate\s+(?:the\s+)?(?:[\w-]+\s+){0,4}?(?:source|origin|authors?)\b|\b(?:must|shall)\s+(?:clearly\s+)?(?:and\s+prominently\s+)?(?:indicate|state|disclose|display)\b,?(?:\s+[\w,()'-]+){0,16}?\s+that\s+(?:[\w.-]+\s+){1,3}(?:is|was|are|were)\s+used\b|\battribution\s+(?:is\s+)?(?:required|mandatory)\b|\backnowledge\s+(?:the\s+)?(?:contributions?|authors?)\b|\bcite\s+(?:the\s+)?(?:appropriate\s+|relevant\s+)?(?:references?|papers?|publications?)\b|\b(?:must|shall)\s+(?:also\s+)?include\s+(?:a\s+)?(?:prominent\s+)?(?:and\s+readable\s+)?(?:[\w-]+\s+){0,2}?citation\b|\bwith\s+(?:full\s+|appropriate\s+|proper\s+)?attribution\b|\b(?:must|shall)\s+retain\s+this\s+notice\b|\battribution\s+(?:must|shall)\s+(?:also\s+)?(?:include|name|mention|credit|identify)\b|\b(?:must|shall)\s+be\s+(?:clearly\s+)?(?:acknowledged|credited|attributed)\b|\b(?:must|shall)\s+include\s+(?:the\s+following\s+|an?\s+|this\s+)?(?:(?:clear|full|proper|appropriate|visible|prominent)\s+)?attribution\b|^(?:[\w().]{1,4}\s+)?(?:include|give|provide)\s+(?:the\s+|all\s+|any\s+)?(?:[\w-]+\s+){0,4}?acknowledge?ments?\b|\b(?:must|shall)\s+(?:clearly\s+|also\s+)?(?:identify|name)\s+(?:the\s+)?(?:[\w'-]+\s+){0,3}?(?:claimant|authors?|creators?|licensor|developers?|copyright\s+holders?)\b|\bagree\s+to\s+(?:[\w-]+\s+)?(?:cite|reference|acknowledge|credit|attribute)\s+(?:the|this|our|these|both)\s+(?:[\w-]+\s+){0,3}?(?:papers?|publications?|articles?|works?|authors?|repository|model|weights|dataset)\b|\bif\s+you\s+(?:use|publish|share|adapt|distribute)\b(?:\s+[\w,'-]+){0,10}?,\s+(?:cite|attribute|credit|acknowledge)\s+(?:both\s+)?(?:this|the|our|these|it|them|us)\b|\b(?:give|provide|include)\s+(?:clear|full|due|visible|prominent)\s+(?:attribution|credit)\b|\binclude\s+(?:this|the)\s+(?:following\s+)?attribution\s+(?:notice|statement|line)\b|\b(?:credit|attribute|cite)\s+(?:\w+\s+)?as\s+(?:below|follows|shown\s+below)\b|\bgive\s+(?:the\s+)?(?:authors?|licensors?|creators?|owners?)(?:\s+(?:or|and)\s+(?:the\s+)?[\w-]+)?\s+(?:the\s+|due\s+)?credits?\b|\b(?:provide|give)\s+attribution\s+to\b|\battribution\s+(?:to\s+(?:[\w'-]+\s+){1,5}?)?(?:must|shall)\s+be\s+(?:given|provided|included)\b|\battribution\s+to\s+(?:[\w.'-]+\s+){1,6}?(?:is\s+)?(?:required|mandatory)\b|\battribution\s+should\s+(?:also\s+)?(?:include|name|mention|credit|identify)\b|\b(?:retain|preserve|keep)\s+(?:[\w,'-]+\s+){0,6}?acknowledge?ments?\b"),
        license_copy: re(r"\b(?:provide|give|include|distribute|accompan\w*|furnish)\w*\s+(?:[\w,'-]+\s+){0,6}?(?:a\s+)?copy\s+of\s+(?:this|the)\s+(?:agreement|license|licence)"),
        notice_file: re(r#"\b"?notice"?\s+(?:text\s+)?file\b"#),
        // a requirement denied: "no separate commercial-use authorization is
        // required", "without the need for a license", "is not required"
        no_need: re(r"\b(?:require|requires|need|needs)\s+no\s+(?:[\w-]+\s+){0,4}?(?:licen[cs]es?|authori[sz]ations?|permissions?|approvals?|consents?|registrations?|agreements?)\b[\w\s,/-]*|\bno\s+(?:[\w-]+\s+){0,6}?(?:licen[cs]es?|authori[sz]ations?|permissions?|approvals?|consents?|registrations?|agreements?)\s+(?:is|are|will\s+be|shall\s+be)\s+(?:required|needed|necessary)\b|\b(?:licen[cs]es?|authori[sz]ations?|permissions?|approvals?|consents?|registrations?|agreements?)\s+(?:is|are)\s+not\s+(?:required|needed|necessary)\b|\bwithout\s+(?:the\s+)?need\s+(?:for|to)\s+(?:[\w-]+\s+){0,4}?(?:licen[cs]es?|authori[sz]ations?|permissions?|approvals?|consents?|registration|agreements?)\b"),
        // a contact for questions: "For commercial licensing inquiries,
        // contact us", "contact us for more information"
        inquiry: re(r"\b(?:inquir(?:y|ies)|enquir(?:y|ies)|questions?|queries|information|details|discussions?|feedback)\b"),
        duty: re(r"\b(?:must|shall|required|requires?|need|needs|obtain|obtained|only|before|prior|unless|without|until|may\s+not|not\s+permitted|prohibited)\b"),
        // research coordinated with non-commercial use: the grant's scope is
        // non-commercial (research is one such use), not research alone
        // ("solely for non-commercial, internal research, and educational purposes")
        research_coordinated: re(r"\bresearch(?:\s+(?:purposes?|uses?))?\s+(?:or|and|and/or|&)\s+(?:an?\s+)?non-?commercial\b|\bnon-?commercial\s+(?:or|and|and/or|&)\s+research\b|\bnon-?commercial\s*,\s*(?:[\w-]+\s+){0,2}?research\b"),
        // authorisations from third parties (for their data, weights or
        // rights) are not the licensor's approval
        third_party_consents: re(r"\b(?:all|any)\s+(?:necessary|required|requisite|applicable|relevant|such)\s+(?:[\w-]+\s+){0,2}?(?:authori[sz]ations|permissions|consents|licen[cs]es|rights|approvals)\b|\bthird[- ]part(?:y|ies)\b|\bpatent\s+holders?\b|\brespective\s+(?:owners?|holders?|rights?\s+holders?)\b|\b(?:you|users?)\s+(?:own|owns)\s+or\s+(?:have|has|hold|holds|obtain|obtained)\s+(?:[\w-]+\s+){0,2}?(?:permission|consent|rights?|authori[sz]ation)\b|\b(?:voice|content|image|likeness|data)\s+(?:owners?|holders?|subjects?)\b|(?:声音|肖像|数据)(?:的)?(?:所有者|权利人)|\bcopyright(?:-protected|ed)\s+(?:[\w-]+\s+){0,2}?(?:materials?|works?|content|publications?|books?|data)\b|\bpersonal\s+(?:[\w-]+\s+)?(?:data|information)\b"),
        // (or a restriction's item opening with "No": "No surveillance,
        // tracking, or military uses.")
        field_ban: re(r"\b(?:not|cannot|never|prohibit\w*|forbid\w*|refrain\w*|ban\w*)\b|^(?:[-*]\s*)?no\s"),
        field_use: re(r"\b(?:use|uses|used|using|clone|cloning|impersonate|offer|offers|offering|deploy\w*|purposes?|applications?|activities|generat\w+|develop\w*|creat\w+|organi[sz]ations?|agenc(?:y|ies)|decision[- ]making)\b"),
        fields: re(r"\b(military|warfare|weapons?|nuclear|espionage|surveillance|medical\s+(?:diagnosis|diagnostics|advice|devices?|treatment|decisions?)|clinical\s+(?:use|uses|decisions?|diagnosis|care|practice|settings?|purposes)|patient\s+care|autonomous\s+(?:driving|vehicles?)|critical[- ]infrastructure|biometric|law\s+enforcement|impersonat\w+|deepfakes?|compet(?:es|ing|itive)\s+(?:[\w']+\s+){0,3}?(?:products?|services?|models?|offerings?)|(?:products?|services?|offerings?)\s+(?:\w+\s+){0,3}?(?:that|which)\s+compete|national\s+(?:or\s+(?:societal|social|public)\s+)?security|(?:illegal|unlawful)\s+(?:purposes?|activities|uses?|actions?|acts|conduct)|(?:illegal|unlawful),\s+(?:[\w-]+,?\s+){1,6}?(?:or|and)\s+[\w-]+\s+(?:purposes?|activities|uses?|conduct)|internet\s+services?\s+without\s+(?:[\w-]+\s+){0,2}?security\s+(?:reviews?|assessments?)|drug\s+(?:development|discovery)|discovery\s+of\s+(?:any\s+|new\s+)?drugs?|hosted\s+service|hosting\s+use|managed\s+services?|(?:hosted|managed)\s+(?:or\s+(?:hosted|managed)\s+)?[\w-]+\s+services?|shared\s+instances?|stand-alone\s+hosted|as\s+a\s+service\s+to\s+third\s+parties|(?:fully\s+)?automated\s+decision[- ]making|high-stakes\s+automated\s+decisions|administration\s+of\s+justice|immigration|asylum|practice\s+of\s+any\s+profession|human-generated|machine[- ]generated|identif(?:y|ying)\s+(?:any\s+)?(?:individuals?|persons?|people)|imitat\w*\s+(?:the\s+)?voices?|clon(?:e|ing)\s+(?:(?:or|and)\s+impersonat\w+\s+)?(?:a\s+|any\s+|the\s+)?(?:real\s+)?(?:voices?|persons?|people|individuals?|speakers?)|safety-critical)"),
    })
}

use figures::{amount, currency};

/// Reads every sentence of `text` and returns the decisive clauses found.
pub fn read_clauses(text: &NormText) -> Vec<ClauseHit> {
    read_clauses_in(text, &text.sentences())
}

/// Reads only the given sentences (word ranges), e.g. the residual of a known text.
pub fn read_clauses_in(text: &NormText, sentences: &[(usize, usize)]) -> Vec<ClauseHit> {
    let mut hits = Vec::new();
    scoped_by_definition(text, sentences, &mut hits);
    // sentences left in a list that a negation introduces ("You may not:")
    let mut negated_items = 0usize;
    // the intro of the list being read, and the kinds it says alone
    let mut intro = ("", Vec::new());
    let mut intro_words: Option<(usize, usize)> = None;
    // the text's lines, split only when a list needs them (this runs for
    // every sentence an obligation is cited at)
    let lines = std::cell::OnceCell::new();
    // a bullet ("- For military use;"): its marker is not a word of the text
    let bullet = |f: usize| {
        let (line, _) = text.lines_of(f, f);
        lines
            .get_or_init(|| text.original_lines())
            .get(line.saturating_sub(1) as usize)
            .is_some_and(|l| l.trim_start().starts_with(['-', '*', '•', '·', '▪']))
    };
    // the intro of a list that scopes a grant ("solely for:"), its words,
    // and the items left in it
    let mut scope: Option<((usize, usize), &str)> = None;
    let mut scoped_items = 0usize;
    for &(f, l) in sentences {
        let s = text.words_text(f, l);
        if negated_items > 0 && text.opens_paragraph(f) && !starts_item(s) && !bullet(f) {
            negated_items = 0;
        }
        if scoped_items > 0 && text.opens_paragraph(f) && !starts_item(s) && !bullet(f) {
            scoped_items = 0;
        }
        if let (Some((intro, words)), true) = (scope, scoped_items > 0 && negated_items == 0) {
            scoped_items -= 1;
            scoped_item(text, (f, l), (intro, words), &mut hits);
            if scoped_intro(s).is_none() {
                continue;
            }
        }
        if let Some(words) = scoped_intro(s) {
            scope = Some(((f, l), words));
            scoped_items = 40;
        }
        if negated_items > 0 {
            negated_items -= 1;
            let before = hits.len();
            // read without its marker ("(a) Use the Licenced Models … for
            // any Commercial Purpose": you may not use …)
            sentence_hits(
                text,
                (f, l),
                &format!("you may not {}", without_marker(s)),
                &mut hits,
            );
            // an item that bans commercial use: its intro ("Without prior
            // written permission …, you may not:") is that limit's too
            let nc = |h: &ClauseHit| h.kind == ObligationKind::NonCommercial;
            if let Some(w) = intro_words.filter(|&w| {
                hits[before..].iter().any(nc) && !hits.iter().any(|h| h.words == w && nc(h))
            }) {
                hits.push(ClauseHit {
                    kind: ObligationKind::NonCommercial,
                    value: String::new(),
                    words: w,
                });
            }
            if hits.len() == before {
                // the item completes its intro's sentence ("… to train …
                // of any: (i) other large language model"): what the two
                // say together that the intro alone does not
                completed_item(text, (f, l), (intro.0, &intro.1), &mut hits);
            }
            if hits.len() == before && starts_item(s) && !bullet(f) {
                // a numbered section after the list ("5) ATTRIBUTION — If
                // you use these Weights …, you must:") that the ban does
                // not reach: read as it stands
                sentence_hits(text, (f, l), s, &mut hits);
            }
            if hits.len() > before {
                continue;
            }
        } else {
            sentence_hits(text, (f, l), s, &mut hits);
        }
        if negated_intro(s) {
            // a use policy's list runs to twenty items and more; a paragraph
            // that is not an item ends it
            negated_items = 40;
            intro_words = Some((f, l));
            let alone = scan_sentence(s, &|n: &str| n.to_string());
            intro = (s, alone.into_iter().map(|(k, _)| k).collect());
            // the list is a policy of restricted uses
            if s.contains(" use") && !hits.iter().any(|h: &ClauseHit| h.words == (f, l)) {
                hits.push(ClauseHit {
                    kind: ObligationKind::AcceptableUsePolicy,
                    value: String::new(),
                    words: (f, l),
                });
            }
        }
    }
    purpose::research_list(text, sentences, &mut hits);
    purpose::purpose_list(text, sentences, &mut hits);
    purpose::purpose_as_scope(text, sentences, &mut hits);
    purpose::research_release(text, sentences, &mut hits);
    continued_limits(text, sentences, &mut hits);
    scope::widened_by_definition(text, sentences, &mut hits);
    restated::notice_only_columns(text, &mut hits);
    with_contacts(text, &mut hits);
    hits
}

/// A sentence that goes on with the limit the sentence before it sets ("This
/// includes, but is not limited to: - selling the checkpoints - integrating
/// them into commercial products"), or that lists what commercial use
/// includes in a text that limits commercial use: the same limit, cited at
/// its line too. Cites only: a text with no such limit gains none.
fn continued_limits(text: &NormText, sentences: &[(usize, usize)], hits: &mut Vec<ClauseHit>) {
    static GOES_ON: OnceLock<(Regex, Regex, Regex)> = OnceLock::new();
    static UNDER: OnceLock<Regex> = OnceLock::new();
    let (goes_on, defines, defines_free) = GOES_ON.get_or_init(|| {
        (
            re(r"^(?:this|these|that|such\s+use)\s+(?:includes?|covers?|encompass(?:es)?)\b|^(?:including|for\s+example|e\.g\.),?\s"),
            // what commercial use includes, or the definition of the
            // commercial term the limit uses ("'Commercial Purposes' refers
            // to …", "“商业用途”是指…"): its items are limits too
            re(concat!(
                r"\bcommercial\s+(?:use|uses|usage|purposes?)\s+(?:includes?|covers?|means?)\b[\w\s,]*:",
                r#"|^(?:[\w().]{1,6}\s+)?"commercial(?:\s+(?:use|uses|usage|purposes?|activit(?:y|ies)))?"\s+(?:shall\s+mean|means|refers\s+to|is\s+defined\s+as)\b"#,
                r#"|^(?:[\w().]{1,6}\s*)?"(?:商业(?:用途|目的|使用|活动|性使用)|商用)"\s*(?:是指|系指|:?\s*指)"#,
            )),
            // the definition of the non-commercial term ("NonCommercial
            // means …", "“非商业用途”是指…"): cited, but its items are the
            // uses it allows, not limits
            re(concat!(
                r#"^(?:[\w().]{1,6}\s+)?"?non-?\s?commercial(?:\s+(?:use|uses|usage|purposes?|activit(?:y|ies)))?"?\s+(?:shall\s+mean|means|refers\s+to|is\s+defined\s+as)\b"#,
                r#"|^(?:[\w().]{1,6}\s*)?"非(?:商业(?:用途|目的|使用|活动|性使用)|商用)"\s*(?:是指|系指|:?\s*指)"#,
            )),
        )
    });
    // "… checkpoints released by this project are distributed under:" ⏎
    // "- Creative Commons Attribution-NonCommercial 4.0": the license the
    // item names is what the intro says the model is under
    let under = UNDER.get_or_init(|| {
        re(r"\b(?:distributed|released|licensed|available|provided|published|governed)\s+under\s*:$")
    });
    let limits = |k: ObligationKind| {
        matches!(
            k,
            ObligationKind::NonCommercial | ObligationKind::ResearchOnly
        )
    };
    let non_commercial = hits.iter().any(|h| h.kind == ObligationKind::NonCommercial);
    let mut found = Vec::new();
    // the limit of an intro that goes on ("… includes, but is not limited
    // to:"), for the items after it
    let mut intro: Option<ObligationKind> = None;
    for (i, &(f, l)) in sentences.iter().enumerate() {
        let s = text.words_text(f, l);
        let has = |k: ObligationKind| hits.iter().any(|h| h.words == (f, l) && h.kind == k);
        let before = i
            .checked_sub(1)
            .and_then(|j| sentences.get(j))
            .and_then(|&w| hits.iter().find(|h| h.words == w && limits(h.kind)))
            .map(|h| h.kind);
        let items = intro.take();
        let free = non_commercial && defines_free.is_match(s);
        let kind = match before {
            Some(k) if goes_on.is_match(s) => Some(k),
            _ if non_commercial && defines.is_match(s) => Some(ObligationKind::NonCommercial),
            _ if free => Some(ObligationKind::NonCommercial),
            _ => None,
        };
        if s.ends_with(':') && !free {
            intro = kind;
        }
        // the intro of a license named by the next sentence, an item
        let item_limit = || {
            sentences
                .get(i + 1)
                .and_then(|&w| hits.iter().find(|h| h.words == w && limits(h.kind)))
                .map(|h| h.kind)
        };
        let named_under = under.is_match(s).then(item_limit).flatten();
        if let Some(kind) = kind.or(items).or(named_under).filter(|&k| !has(k)) {
            found.push(ClauseHit {
                kind,
                value: String::new(),
                words: (f, l),
            });
        }
    }
    hits.extend(found);
}

/// The contact to apply to, as the value of each approval clause that has
/// none: an email or web address in its sentence, the lines after it, or a
/// line of the text that says whom to contact.
fn with_contacts(text: &NormText, hits: &mut [ClauseHit]) {
    // the text's sentences read for addresses once, and only when a clause
    // asks for a contact
    let contacts = std::cell::OnceCell::new();
    for h in hits.iter_mut().filter(|h| {
        h.kind == ObligationKind::Registration && h.value.is_empty()
            || h.kind == ObligationKind::FieldOfUseBan && h.value == gate::GATED
    }) {
        let contacts = contacts.get_or_init(|| contact::Contacts::new(text));
        if let Some(c) = contacts.contact_for(text, h.words) {
            // a gated act keeps its name, the contact beside it
            h.value = if h.value.is_empty() {
                c
            } else {
                format!("{}: {c}", h.value)
            };
        }
    }
}

/// A grant scoped by a defined term whose definition limits it ("only in
/// connection with the Permitted Purpose", where "'Permitted Purpose' means
/// for academic or research purposes only"): the limit, cited at the
/// scoping sentence and at the definition. A definition alone limits
/// nothing (it names a use); it is the scope that makes it the grant's.
fn scoped_by_definition(text: &NormText, sentences: &[(usize, usize)], hits: &mut Vec<ClauseHit>) {
    let r = rules();
    let mut terms: Vec<(String, ObligationKind, (usize, usize))> = Vec::new();
    for &(f, l) in sentences {
        let s = text.words_text(f, l);
        // a Chinese term ("“非商业用途” 是指仅……用于内部学术研究")
        if let Some((term, kind)) = super::clauses_zh::defined_scope(s) {
            terms.push((term, kind, (f, l)));
            continue;
        }
        let Some(c) = r.defined_term.captures(s) else {
            continue;
        };
        let (Some(term), Some(body)) = (c.get(1), c.get(2)) else {
            continue;
        };
        let body = body.as_str();
        let excluding = excluding_commerce(body);
        let kind = if r.research_coordinated.is_match(body) {
            Some(ObligationKind::NonCommercial)
        } else if r.research_only.iter().any(|p| p.is_match(body))
            || excluding == Some(ObligationKind::ResearchOnly)
        {
            Some(ObligationKind::ResearchOnly)
        } else if r.cc_nc.is_match(body) || r.non_commercial.iter().any(|p| p.is_match(body)) {
            Some(ObligationKind::NonCommercial)
        } else {
            excluding
        };
        if let Some(kind) = kind {
            terms.push((term.as_str().trim().to_string(), kind, (f, l)));
        }
    }
    let mut cited_definitions = Vec::new();
    for &(f, l) in sentences {
        let s = text.words_text(f, l);
        if r.definition.is_match(s) || super::clauses_zh::is_definition(s) {
            continue;
        }
        for (term, kind, def) in &terms {
            let confined = if super::clauses_zh::is_chinese(term) {
                super::clauses_zh::scopes_term(s, term)
            } else {
                scopes(s, term)
            };
            if !confined {
                continue;
            }
            hits.push(ClauseHit {
                kind: *kind,
                value: String::new(),
                words: (f, l),
            });
            if !cited_definitions.contains(def) {
                cited_definitions.push(*def);
                hits.push(ClauseHit {
                    kind: *kind,
                    value: String::new(),
                    words: *def,
                });
            }
        }
    }
}

/// What a defined purpose that leaves commerce out says ("means academic
/// or research purposes, and explicitly excludes commercialization"):
/// research only where it names research or academic purposes and nothing
/// else, else non-commercial. `None` when it leaves nothing out.
fn excluding_commerce(body: &str) -> Option<ObligationKind> {
    static RULES: OnceLock<(Regex, Regex)> = OnceLock::new();
    let (excludes, research) = RULES.get_or_init(|| {
        (
            re(r"\b(?:exclud(?:e|es|ing)|does\s+not\s+include|do\s+not\s+include|not\s+including|other\s+than|but\s+not)\s+(?:[\w-]+\s+){0,2}?(?:commerciali[sz]ation|commercial\s+(?:use|uses|usage|purposes?|exploitation|activities|applications?)|any\s+commercial)\b"),
            re(r"^(?:\s*(?:for\s+)?(?:the\s+)?(?:purposes?\s+of\s+)?(?:(?:academic|scientific|non-?profit|scholarly|educational|internal)\s+|research\s+|or\s+|and\s+|,\s*)*(?:research|academic)(?:\s+(?:and|or)\s+(?:educational|teaching|study))?(?:\s+(?:purposes?|use|uses|usage|work|activities))?)\s*(?:,|;|\band\b)"),
        )
    });
    let at = excludes.find(body)?.start();
    if research.is_match(&body[..at]) {
        Some(ObligationKind::ResearchOnly)
    } else {
        Some(ObligationKind::NonCommercial)
    }
}

/// True when sentence `s` limits what it says to `term`: "only (in
/// connection with | for | within) the TERM", "solely for the TERM",
/// "TERM only", or binds its reader to keep to it ("must adhere to the
/// Permitted Purpose", "shall comply with the Authorized Use", "is limited
/// to the Licensed Purpose").
fn scopes(s: &str, term: &str) -> bool {
    static KEEP: OnceLock<Regex> = OnceLock::new();
    let keep = KEEP.get_or_init(|| {
        re(r"\b(?:(?:must|shall|will|agree\s+to|required\s+to)\s+(?:at\s+all\s+times\s+)?(?:adhere|conform|comply|keep|abide)\s+(?:to|with|by)|(?:is|are|be|remains?)\s+(?:strictly\s+)?(?:limited|restricted|confined)\s+to)\s+(?:the\s+)?$")
    });
    s.match_indices(term).any(|(at, _)| {
        let before = &s[..at];
        let after = &s[at + term.len()..];
        let window: String = before
            .split_whitespace()
            .rev()
            .take(6)
            .collect::<Vec<_>>()
            .join(" ");
        ["only", "solely", "exclusively"]
            .iter()
            .any(|w| window.split(' ').any(|x| x == *w))
            || after.trim_start().starts_with("only")
            || keep.is_match(before)
    })
}

/// True when the sentence introduces a list of what may not be done
/// ("You may not:", "you agree not to:", "Prohibited uses:").
pub fn negated_intro(s: &str) -> bool {
    static INTRO: OnceLock<Regex> = OnceLock::new();
    // the first item's marker may end the intro's sentence ("… cause any
    // third party to a.", the item's words on the next line)
    let s = match s.rsplit_once(' ') {
        Some((head, marker))
            if marker.len() <= 4
                && marker.ends_with(['.', ')'])
                && marker
                    .trim_matches(['(', ')', '.'])
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric()) =>
        {
            head
        }
        _ => s,
    };
    // "You will not, and will not permit any third party to" + items
    (s.ends_with(':') || s.ends_with(" to"))
        && s.split(' ').count() <= 30
        && INTRO
            .get_or_init(|| re(r"\b(?:may|shall|must|will|can|do|agree)\s+not\b|\bprohibit\w*|\bnot\s+(?:permitted|allowed)\b|不得|禁止"))
            .is_match(s)
}

/// The words of a grant that a list's items scope ("You are permitted to
/// use the model weights solely for:", 仅可用于:), without the colon.
fn scoped_intro(s: &str) -> Option<&str> {
    static INTRO: OnceLock<Regex> = OnceLock::new();
    let head = s.strip_suffix(':')?;
    INTRO
        .get_or_init(|| re(r"\b(?:solely|only|exclusively|strictly)\s+(?:for|to|in)$|(?:仅|只)(?:限|可|能)?(?:用于|于|供)$"))
        .is_match(head)
        .then_some(head)
}

/// Pushes the clauses that list item `(f, l)` says as the completion of the
/// grant `intro` scopes ("… solely for:" ⏎ "- Non-commercial academic
/// research"), cited at the item, and once at the intro.
fn scoped_item(
    text: &NormText,
    (f, l): (usize, usize),
    (intro, words): ((usize, usize), &str),
    hits: &mut Vec<ClauseHit>,
) {
    let before = hits.len();
    let item = text.words_text(f, l);
    // the item's marker ("(a)") is no word of the grant
    let item = match item.split_once(' ') {
        Some((_, rest)) if starts_item(item) => rest,
        _ => item,
    };
    sentence_hits(text, (f, l), &format!("{words} {item}"), hits);
    let kinds: Vec<ObligationKind> = hits[before..].iter().map(|h| h.kind).collect();
    for kind in kinds {
        if !hits.iter().any(|h| h.words == intro && h.kind == kind) {
            hits.push(ClauseHit {
                kind,
                value: String::new(),
                words: intro,
            });
        }
    }
}

/// True when the sentence opens with a list marker: `(a)`, `a)`, `1.`, `i.`.
pub fn starts_item(s: &str) -> bool {
    static ITEM: OnceLock<Regex> = OnceLock::new();
    ITEM.get_or_init(|| re(r"^(?:\(?[a-z0-9]{1,4}[.)]|[a-z]\.|[a-z0-9]{1,3}(?:\.\d{1,3}){1,3}\.?)(?:\s|$)|^(?u:[•·▪])"))
        .is_match(s)
}

/// The sentence without the list marker it opens with (`(a) `, `1. `,
/// `i) `), where a verb follows it ("(a) Use the Licenced Models …"): an
/// item that opens with a label ("18) For commercial use only: To train …")
/// keeps its marker, so the label is not read as the ban.
fn without_marker(s: &str) -> &str {
    static VERB: OnceLock<Regex> = OnceLock::new();
    let verb = VERB.get_or_init(|| {
        re(r"^(?:use|using|licen[cs]e|sublicense|sell|resell|rent|lease|distribute|redistribute|offer|provide|create|train|deploy|host|exploit|modify|copy|reproduce|access|run|publish|share|incorporate|integrate|embed)\b")
    });
    match s.split_once(char::is_whitespace) {
        Some((_, rest)) if starts_item(s) && verb.is_match(rest.trim_start()) => rest.trim_start(),
        _ => s,
    }
}

/// Pushes the clauses that list item `(f, l)` and its intro say together
/// and the intro alone (whose kinds are `alone`) does not, cited at the item.
fn completed_item(
    text: &NormText,
    (f, l): (usize, usize),
    (intro, alone): (&str, &[ObligationKind]),
    hits: &mut Vec<ClauseHit>,
) {
    let case = |needle: &str| text_quote_case(text, f, l, needle);
    let together = format!("{intro} {}", text.words_text(f, l));
    for (kind, value) in scan_sentence(&together, &case) {
        if !alone.contains(&kind) {
            hits.push(ClauseHit {
                kind,
                value,
                words: (f, l),
            });
        }
    }
}

/// The clauses that changes to a known text bring: for each sentence holding
/// a changed word (`changed`, sorted word indices), the clauses the sentence
/// has that it does not have without its changed words, and a grant narrowed
/// by inserted words ("to deal in the Software for non-commercial purposes").
/// A clause the known text already had in that sentence is not a change.
pub fn read_changes(text: &NormText, changed: &[usize]) -> Vec<ClauseHit> {
    let r = rules();
    let mut hits = Vec::new();
    let mut i = 0;
    while let Some(&w) = changed.get(i) {
        let (f, l) = text.sentence_words(text.word_offset(w));
        let in_sentence: Vec<usize> = changed[i..]
            .iter()
            .copied()
            .take_while(|&c| c <= l)
            .collect();
        i += in_sentence.len().max(1);
        let full = text.words_text(f, l);
        let stripped: String = (f..=l)
            .filter(|x| in_sentence.binary_search(x).is_err())
            .map(|x| text.words_text(x, x))
            .collect::<Vec<_>>()
            .join(" ");
        let inserted: String = in_sentence
            .iter()
            .map(|&x| text.words_text(x, x))
            .collect::<Vec<_>>()
            .join(" ");
        let before = scan_sentence(&stripped, &|n: &str| n.to_string());
        let case = |needle: &str| text_quote_case(text, f, l, needle);
        let mut push = |kind: ObligationKind, value: String| {
            if !hits
                .iter()
                .any(|h: &ClauseHit| h.kind == kind && h.words == (f, l))
            {
                hits.push(ClauseHit {
                    kind,
                    value,
                    words: (f, l),
                });
            }
        };
        for (kind, value) in scan_sentence(full, &case) {
            if !before
                .iter()
                .any(|(k, v)| *k == kind && v.eq_ignore_ascii_case(&value))
            {
                push(kind, value);
            }
        }
        // Words inserted into a sentence the known text has (mostly
        // unchanged) that narrow its grant; a wholly new sentence is read by
        // the clause patterns alone.
        let narrows = in_sentence.len() * 2 <= l + 1 - f && !r.definition.is_match(full);
        if narrows
            && r.inserted_non_commercial.is_match(&inserted)
            && !r.both_commercial.is_match(full)
        {
            push(ObligationKind::NonCommercial, String::new());
        }
        if narrows && r.inserted_research.is_match(&inserted) {
            push(ObligationKind::ResearchOnly, String::new());
        }
    }
    hits
}

/// Pushes the clauses of sentence `s`, read as the words `f..=l` of `text`
/// (or as a list item with its negation before it).
fn sentence_hits(text: &NormText, (f, l): (usize, usize), s: &str, hits: &mut Vec<ClauseHit>) {
    let case = |needle: &str| text_quote_case(text, f, l, needle);
    for (kind, value) in scan_sentence(s, &case) {
        hits.push(ClauseHit {
            kind,
            value,
            words: (f, l),
        });
    }
}

/// The decisive clauses of one normalised sentence, as (kind, value);
/// `case` gives a quoted value its original capitalisation.
fn scan_sentence(s: &str, case: &dyn Fn(&str) -> String) -> Vec<(ObligationKind, String)> {
    let r = rules();
    let mut found = Vec::new();
    let mut push = |kind: ObligationKind, value: String| found.push((kind, value));

    let (users, revenue) = thresholds(r, s);
    if let Some(n) = users {
        push(ObligationKind::UserThreshold, n.to_string());
    }
    let thresholded = users.is_some() || revenue.is_some();
    if let Some(v) = revenue {
        push(ObligationKind::RevenueThreshold, v);
    }
    // A definition ("'Non-Commercial Purposes' shall mean …") names a use; it
    // grants or forbids nothing by itself.
    let definition = r.definition.is_match(s);
    for kind in scope_kinds(r, s, definition, thresholded) {
        push(kind, String::new());
    }
    if let Some(kind) = approval(r, s, thresholded, definition) {
        push(
            kind,
            if kind == ObligationKind::FieldOfUseBan {
                gate::GATED.into()
            } else {
                String::new()
            },
        );
    }
    if let Some(regions) = territories(r, s) {
        push(ObligationKind::TerritoryExclusion, regions);
    }
    if r.passdown.is_match(s)
        || share_alike::under_share_alike(s)
        || duties::derivatives_limited_alike(s)
        || duties::copyleft_weights(s)
    {
        push(ObligationKind::UseRestrictionsPassdown, String::new());
    } else if upstream_terms(s)
        || duties::complies_with_models_used(s)
        || duties::most_restrictive_applies(s)
    {
        push(ObligationKind::UseRestrictionsPassdown, UPSTREAM.into());
    }
    if !definition && r.negation.is_match(s) && r.no_training.is_match(s) {
        push(ObligationKind::NoTrainingOtherModels, String::new());
    }
    if let Some(c) = r
        .name_prefix_quoted
        .captures(s)
        .or_else(|| r.name_prefix.captures(s))
    {
        if let Some(m) = c.get(1) {
            push(ObligationKind::NamePrefix, case(m.as_str()));
        }
    }
    if let Some(value) = attribution(r, s, case) {
        push(ObligationKind::Attribution, value);
    }
    if r.aup.is_match(s) || duties::policy_applies_to_users(s) {
        push(ObligationKind::AcceptableUsePolicy, String::new());
    }
    if let Some(fields) = banned_fields(r, s) {
        push(ObligationKind::FieldOfUseBan, fields);
    } else if disparages_licensor(s) {
        push(
            ObligationKind::FieldOfUseBan,
            "disparaging the licensor".into(),
        );
    } else if let Some(conduct) = duties::banned_conduct(s) {
        push(ObligationKind::FieldOfUseBan, conduct.into());
    }
    if r.license_copy.is_match(s) {
        push(ObligationKind::LicenseCopy, String::new());
    }
    if r.notice_file.is_match(s) {
        push(ObligationKind::NoticeFile, String::new());
    }
    if super::clauses_zh::is_chinese(s) {
        for (kind, value) in super::clauses_zh::scan(s) {
            let value = if value.is_empty() {
                value
            } else {
                case(&value)
            };
            if !found.iter().any(|(k, _)| *k == kind) {
                found.push((kind, value));
            }
        }
    }
    // "for learning and research only; its predictions are no investment
    // advice": a disclaimer of advice, not the grant's scope
    if disclaims_advice(s) {
        found.retain(|(k, _)| *k != ObligationKind::ResearchOnly);
    }
    found
}

/// The scope a sentence gives the grant: non-commercial (a non-commercial
/// use named, a licensee limited to non-profits) and research-only, where
/// the sentence is no definition, classification or threshold.
fn scope_kinds(r: &Rules, s: &str, definition: bool, thresholded: bool) -> Vec<ObligationKind> {
    let mut kinds = Vec::new();
    // a sentence that says which use counts as a defined kind of use ("The
    // status of a Licensee as a for-profit entity does not, by itself, make
    // limited internal research … a Commercial Purpose, provided that the use
    // is not deployed in production") refines a definition: it scopes nothing
    let classifies = classifies_use(s);
    // In a threshold's sentence a non-commercial use is what is exempt from
    // the threshold's license, not the grant's scope.
    // "for testing, evaluation, or non-commercial research": a scope, unless
    // the sentence names commercial use beside it ("for commercial or
    // non-commercial purposes")
    let scoped = r.non_commercial_scoped.is_match(s) && !r.both_commercial.is_match(s);
    // a license named as excluded ("CC BY-NC 已被排除", "CC BY-NC data is
    // excluded from training") limits nothing
    let non_commercial = (r.cc_nc.is_match(s) && !r.excluded.is_match(s))
        || r.non_commercial.iter().any(|p| p.is_match(s))
        || nc_grant::grants_non_commercial_only(s)
        || nc_grant::dual_licensed_by_use(s)
        || (duties::non_commercial_permitted(s) && !r.both_commercial.is_match(s))
        || duties::excludes_commercial_use(s);
    // a licensee limited to non-profit organisations or persons, or use by
    // a company excluded: the clause that decides `prohibited`, cited
    // (read only where it can decide: excludes_companies is one of the dearer reads)
    let no_company = || {
        super::licensee::excludes_companies(s)
            && !(super::clauses_zh::is_chinese(s) && super::clauses_zh::is_definition(s))
    };
    if !definition && !classifies && !thresholded && (scoped || non_commercial || no_company()) {
        kinds.push(ObligationKind::NonCommercial);
    }
    let coordinated = r.research_coordinated.is_match(s);
    // "JevBench (evaluation only): scores are quoted from …": how a named
    // benchmark or dataset was used, not the grant's scope
    let s_scope = scope::without_labelled_use(s);
    let s_scope = s_scope.as_ref();
    if !definition
        && !classifies
        && !coordinated
        && (r.research_title.is_match(s_scope)
            || r.research_only.iter().any(|p| p.is_match(s_scope))
            || scope::research_scoped(s_scope)
            || duties::stated_research_only(s_scope))
    {
        kinds.push(ObligationKind::ResearchOnly);
    }
    kinds
}

/// True when the sentence disclaims that the model or its output is advice
/// ("本软件仅供学习与研究之用，其输出的任何预测结果、信号、报告均不构成任何投资建议",
/// "is for research only and is not financial advice"): a research purpose
/// named there describes the disclaimer, it does not scope the grant.
fn disclaims_advice(s: &str) -> bool {
    static ADVICE: OnceLock<Regex> = OnceLock::new();
    ADVICE
        .get_or_init(|| {
            re(r"\b(?:not|no|never|nor)\b(?:\s+[\w,()'-]+){0,8}?\s+(?:investment|financial|legal|medical|tax|trading|professional)\s+advice\b|(?:不构成|并非|不是|不作为|不能作为|不应作为)(?:任何)?(?:投资|财务|法律|医疗|交易|专业)(?:建议|意见)")
        })
        .is_match(s)
}

/// True when the sentence offers a separate license to those who would not
/// meet the text's own sharing duties: "若你希望在不承担传播受覆盖材料时所适用
/// 义务的情况下进行商业使用，你必须获得我们单独授予的许可" (MultiMolecule's
/// license FAQ), "to use it in a closed-source product without the AGPL's
/// obligations, contact us for a commercial license". Beside a grant of
/// commercial use it is an alternative to the grant, not a gate before
/// commercial use under it.
pub fn escapes_copyleft(s: &str) -> bool {
    static ESCAPE: OnceLock<Regex> = OnceLock::new();
    ESCAPE
        .get_or_init(|| {
            re(r"\bwithout\s+(?:(?:having\s+to|needing\s+to|the\s+need\s+to)\s+)?(?:complying\s+with|being\s+bound\s+by|the|its|these|such|those|releasing|disclosing|publishing|sharing|open-?sourcing|making\s+available)\s+(?:[\w-]+\s+){0,4}?(?:obligations?|duties|requirements|copyleft|source(?:\s+code)?|modifications|terms\s+of\s+the\s+(?:a?gpl|copyleft))\b|\b(?:closed[- ]source|proprietary)\s+(?:[\w-]+\s+){0,3}?without\s+(?:[\w-]+\s+){0,3}?(?:a?gpl|copyleft|source)|(?:不承担|不履行|免除|无需承担|无需履行)(?:\w|,){0,30}?义务|不(?:按|依)(?:\w|,){0,10}?(?:许可证|协议)(?:\w|,){0,6}?(?:公开|开源|提供源代码)")
        })
        .is_match(s)
}

/// True when the sentence says whether a use counts as a kind of use the
/// text defines ("does not, by itself, make limited internal research … a
/// Commercial Purpose", "does not qualify as Academic Use", "shall
/// constitute a non-commercial purpose").
fn classifies_use(s: &str) -> bool {
    static CLASSIFIES: OnceLock<Regex> = OnceLock::new();
    CLASSIFIES
        .get_or_init(|| {
            re(r"(?:\b(?:make|makes|render|renders|constitute|constitutes)\b(?:\s+[\w,()'-]+){0,16}?\s+(?:an?|the)|\b(?:qualif(?:y|ies)\s+as|counts?\s+as|(?:is|are)\s+(?:deemed|considered|treated\s+as))(?:\s+(?:an?|the))?)\s+(?:academic|research|non-?commercial|commercial)\s+(?:use|usage|purposes?)\s*(?:[,.;:]|$)")
        })
        .is_match(s)
}

/// The approval a sentence asks before use (registration, written
/// authorisation: `Registration`), or one narrow act it puts behind the
/// licensor's permission (a field of use left alone: `FieldOfUseBan`).
fn approval(r: &Rules, s: &str, thresholded: bool, definition: bool) -> Option<ObligationKind> {
    // Asking permission above a size threshold is a condition, not approval.
    // redistribution to third parties is not a third party's consent
    let to_third_parties = s
        .replace("third-party redistribution", "redistribution")
        .replace("third party redistribution", "redistribution");
    let not_approval = !s.contains("commercial")
        && (r.not_approval.is_match(s)
            || r.third_party_consents.is_match(&to_third_parties)
            || boilerplate::housekeeping_consent(s)
            || trademark::consent_for_marks_only(s));
    let registers = s.contains("register") || s.contains("registration");
    // "No separate commercial-use authorization is required": the
    // requirement denied is read out of the sentence; a contact for
    // questions or information asks for nothing
    let asked = r.no_need.replace_all(s, "");
    if (!thresholded || registers)
        && !not_approval
        && !definition
        && r.registration.iter().any(|p| p.is_match(&asked))
    {
        // one narrow act behind the licensor's permission is a field of
        // use left alone, not approval before use
        if gate::gates_narrow_act(s) && !s.contains("commercial") {
            return Some(ObligationKind::FieldOfUseBan);
        }
        return Some(ObligationKind::Registration);
    }
    None
}

/// The regions a sentence keeps out of the license, named and joined; or,
/// where the license is confined to named regions ("The territorial scope of
/// the license is limited to the use within the United States of America and
/// the European Economic Area"), all outside them.
fn territories(r: &Rules, s: &str) -> Option<String> {
    static CONFINED: OnceLock<Regex> = OnceLock::new();
    let confined = CONFINED.get_or_init(|| {
        re(r"\bterritor(?:y|ial\s+scope)\b(?:\s+[\w,()'-]+){0,6}?\s+(?:is\s+|shall\s+be\s+)?(?:limited|restricted|confined)\s+to\s+(?:the\s+)?(?:use\s+)?(?:with)?in\s+((?:the\s+)?[\w\s,-]{2,120}?)\s*(?:\(|[.;]|$)")
    });
    if let Some(place) = confined.captures(s).and_then(|c| c.get(1)) {
        return Some(format!("outside {}", place.as_str().trim()));
    }
    // the law that governs the agreement, or the courts, name a country
    // without keeping anyone out of it
    if r.territory_cue.is_match(s) && !r.governing_law.is_match(s) {
        let mut regions: Vec<String> = r
            .regions
            .find_iter(s)
            .map(|m| region_name(m.as_str()).to_string())
            .collect();
        regions.sort();
        regions.dedup();
        if !regions.is_empty() {
            return Some(regions.join(", "));
        }
    }
    None
}

/// True when the sentence keeps the weights under the terms of the model
/// they come from ("The model weights are subject to the DeepSeek Model
/// License", "use must remain compatible with the license terms of the
/// upstream base model", "does not relicense the upstream base model",
/// "They must never be relicensed"): those terms travel with them.
fn upstream_terms(s: &str) -> bool {
    static UPSTREAM: OnceLock<Regex> = OnceLock::new();
    UPSTREAM
        .get_or_init(|| {
            re(concat!(
                r"\b(?:weights?|models?|checkpoints?|adapters?|use)\b(?:\s+[\w,()'-]+){0,8}?\s+(?:is|are|remains?|must\s+remain|stays?)\s+(?:also\s+)?(?:subject\s+to|governed\s+by|bound\s+by|compatible\s+with)\s+(?:the\s+)?(?:licen[cs]e\s+terms\s+of\s+the\s+|terms\s+of\s+the\s+)?(?:upstream|base|original|parent|[\w.-]+\s+model\s+licen[cs]e)\b",
                r"|\bdoes\s+not\s+(?:relicense|re-license|change\s+the\s+licen[cs]e\s+of)\s+the\s+(?:upstream|base|original|parent)\b",
                r"|\b(?:must|shall|may)\s+(?:never|not)\s+be\s+re-?licen[cs]ed\b",
            // "Downstream use must also comply with the licenses of any base
            // models and datasets used", "must comply with the original
            // license terms provided by Meta AI": the upstream's own terms
            r"|\b(?:must|shall)\s+(?:also\s+)?comply\s+with\s+(?:all\s+|any\s+|the\s+)?(?:original|upstream|base|parent|underlying)\s+(?:model\s+|dataset\s+)?licen[cs]es?(?:\s+terms)?\b",
            r"|\b(?:must|shall)\s+(?:also\s+)?comply\s+with\s+the\s+(?:licen[cs]es?|licen[cs]e\s+terms|terms)\s+of\s+(?:any\s+|all\s+|the\s+)?(?:base|upstream|original|parent|underlying)\s+models?\b",
                r"|\blicen[cs]e\s+(?:conditions|terms)\b(?:\s+[\w,.:/()'-]+){0,20}?\s+(?:also\s+)?appl(?:y|ies)\s+to\s+(?:the\s+)?(?:model\s+)?weights\b",
            ))
        })
        .is_match(s)
}

/// True when the sentence bans disparaging the licensor or its software as
/// a condition of the license ("shall not engage in unjustified
/// denigration, malicious smearing, or baseless insults against [FunASR
/// Software]"): a condition on the licensee's conduct.
fn disparages_licensor(s: &str) -> bool {
    static DISPARAGE: OnceLock<Regex> = OnceLock::new();
    DISPARAGE
        .get_or_init(|| {
            re(r"\b(?:shall|must|may|will)\s+not\s+(?:engage\s+in\s+)?(?:[\w,-]+\s+){0,3}?(?:denigrat\w*|disparag\w*|smear\w*)\b,?(?:\s+[\w,()-]+){0,8}?\s+(?:(?:against|of|about)\s+)?(?:the\s+)?(?:licensor|authors?|developers?|us|its|\[?[\w-]+\s+(?:software|model|models)\]?|software|model|models)\b")
        })
        .is_match(s)
}

/// True when the sentence only gives a contact for questions ("For
/// commercial licensing inquiries, contact us", "contact us for more
/// information about commercial use"): no duty to obtain anything.
pub fn inquiry_only(s: &str) -> bool {
    let r = rules();
    s.contains("contact") && r.inquiry.is_match(s) && !r.duty.is_match(s)
}

/// `s` with a requirement it denies read out ("No separate commercial-use
/// authorization is required", "without the need for a license").
pub fn without_denied_needs(s: &str) -> String {
    rules().no_need.replace_all(s, "").into_owned()
}

/// The user count and the revenue (currency and amount) a sentence sets as
/// thresholds, when it sets them.
fn thresholds(r: &Rules, s: &str) -> (Option<u64>, Option<String>) {
    let s = &*figures::with_digits(s);
    let users = r
        .users
        .captures(s)
        .and_then(|c| amount(c.get(1)?.as_str(), c.get(2).map(|m| m.as_str())))
        .or_else(|| {
            // "monthly active users (MAU) exceed 100 million"
            r.users_after
                .captures(s)
                .and_then(|c| amount(c.get(1)?.as_str(), c.get(2).map(|m| m.as_str())))
        });
    if !r.revenue.is_match(s) {
        // a company's size in staff, when no amount is named
        let staff = r
            .employees
            .captures(s)
            .and_then(|c| amount(c.get(1)?.as_str(), None))
            .map(|n| format!("{n} employees"));
        return (users, staff);
    }
    // the amount written first, its currency before it ("USD 20 million")
    // or after it ("20 million RUB (~$200K USD)"): a conversion in
    // brackets after it is no threshold of its own
    let before = r.money.captures(s).and_then(|c| {
        let n = amount(c.get(2)?.as_str(), c.get(3).map(|m| m.as_str()))?;
        Some((
            c.get(0)?.start(),
            format!("{} {n}", currency(c.get(1)?.as_str())),
        ))
    });
    let after = r.money_words.captures(s).and_then(|c| {
        let n = amount(c.get(1)?.as_str(), c.get(2).map(|m| m.as_str()))?;
        Some((
            c.get(0)?.start(),
            format!("{} {n}", currency(c.get(3)?.as_str())),
        ))
    });
    let revenue = match (before, after) {
        (Some(b), Some(a)) => Some(if a.0 < b.0 { a.1 } else { b.1 }),
        (b, a) => b.or(a).map(|(_, v)| v),
    };
    (users, revenue)
}

/// The attribution a sentence asks for: the quoted name to show, or `""`
/// for a duty to credit with no name given; `None` when it asks none.
fn attribution(r: &Rules, s: &str, case: &dyn Fn(&str) -> String) -> Option<String> {
    if r.attribution.is_match(s) {
        if let Some(q) = r.quoted.captures(s).and_then(|c| c.get(1)) {
            return Some(case(q.as_str()));
        }
        return (r.credit.is_match(s) || duties::asks_notice(s)).then(String::new);
    }
    let named = ["built with", "built using", "powered by"]
        .iter()
        .any(|p| s.contains(p));
    (named || r.credit.is_match(s) || duties::asks_notice(s)).then(String::new)
}

/// The fields a sentence bans the model from ("not ... for military or
/// weapons purposes"), named and deduplicated; `None` when it bans none.
fn banned_fields(r: &Rules, s: &str) -> Option<String> {
    // "not validated for clinical use" says what was not checked, and bans
    // nothing by itself
    if !r
        .field_ban
        .is_match(&fitness::without_fitness_statements(s))
        || !r.field_use.is_match(s)
    {
        return None;
    }
    let mut names: Vec<&'static str> = r
        .fields
        .find_iter(s)
        .map(|m| field_name(m.as_str()))
        .collect();
    names.dedup();
    let mut seen = Vec::new();
    for n in names {
        if !seen.contains(&n) {
            seen.push(n);
        }
    }
    (!seen.is_empty()).then(|| seen.join(", "))
}

fn field_name(m: &str) -> &'static str {
    let first = m.split_whitespace().next().unwrap_or(m);
    match first {
        "military" | "warfare" => "military",
        "weapon" | "weapons" | "nuclear" => "weapons",
        "espionage" | "surveillance" | "biometric" => "surveillance",
        "medical" | "clinical" | "patient" => "medical diagnosis",
        "autonomous" => "autonomous driving",
        "critical-infrastructure" | "critical" => "critical infrastructure",
        "law" => "law enforcement",
        "illegal" | "unlawful" => "illegal purposes",
        "national" => "national security",
        "drug" | "discovery" => "drug development",
        "fully" | "automated" | "high-stakes" => "automated decision-making",
        "administration" | "immigration" | "asylum" => "justice and immigration",
        "practice" => "unlicensed professional practice",
        "hosted" | "hosting" | "managed" | "shared" | "stand-alone" | "as" => {
            "offering it as a hosted service"
        }
        "internet" => "internet services without security review",
        "human-generated" | "machine-generated" | "machine" => "passing off output as human",
        f if f.starts_with("impersonat") || f.starts_with("deepfake") || f.starts_with("clon") => {
            "impersonation"
        }
        _ => "competing products",
    }
}

/// True when the sentence defines a term ("'Commercial Use' means …"): it
/// names a use, and grants or limits nothing by itself.
pub fn is_definition(s: &str) -> bool {
    rules().definition.is_match(s) || super::clauses_zh::is_definition(s)
}

/// True when the sentence's research-only reading rests on a name alone
/// ("Research License Agreement", a title): a weaker sign than a clause
/// limiting use to research, outweighed by a non-commercial grant.
pub fn research_by_name_only(s: &str) -> bool {
    let r = rules();
    r.research_title.is_match(s)
        && !r.research_only.iter().any(|p| p.is_match(s))
        && !scope::research_scoped(s)
}

fn region_name(m: &str) -> &'static str {
    match m.trim_start_matches("the ").trim() {
        "european union" | "eu" => "European Union",
        "united kingdom" | "uk" => "United Kingdom",
        "south korea" => "South Korea",
        "mainland china" | "china" => "China",
        "russia" => "Russia",
        "iran" => "Iran",
        "north korea" => "North Korea",
        "cuba" => "Cuba",
        "syria" => "Syria",
        "belarus" => "Belarus",
        m if m.starts_with("outside") => "outside the Territory the license defines",
        _ => "sanctioned jurisdictions",
    }
}

/// `needle` (lowercase) with its original capitalisation from the sentence quote.
fn text_quote_case(text: &NormText, f: usize, l: usize, needle: &str) -> String {
    let quote = text.quote(f, l, 10_000);
    let lower = quote.to_lowercase();
    match lower.find(needle) {
        Some(i) if quote.is_char_boundary(i) && quote.is_char_boundary(i + needle.len()) => {
            quote[i..i + needle.len()].to_string()
        }
        _ => needle.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::pattern::{widen_words, NON_ASCII};
    use super::*;

    fn kinds(text: &str) -> Vec<(ObligationKind, String)> {
        read_clauses(&NormText::new(text))
            .into_iter()
            .map(|h| (h.kind, h.value))
            .collect()
    }

    fn has(text: &str, kind: ObligationKind) -> bool {
        kinds(text).iter().any(|(k, _)| *k == kind)
    }

    #[test]
    fn restrictive_grants_are_recognised() {
        assert!(has(
            "You may use the Model solely for non-commercial purposes.",
            ObligationKind::NonCommercial
        ));
        assert!(has(
            "The Materials shall not be used for any commercial purpose.",
            ObligationKind::NonCommercial
        ));
        assert!(has(
            "This license permits use for research purposes only.",
            ObligationKind::ResearchOnly
        ));
        assert!(has(
            "You must obtain a commercial license from us before any commercial use.",
            ObligationKind::Registration
        ));
        assert!(has(
            "Commercial use requires our prior written authorization.",
            ObligationKind::Registration
        ));
    }

    #[test]
    fn approval_and_exclusions_in_other_words() {
        for text in [
            "Before any commercial use you must register at https://acme.example/register and obtain written authorization from Acme.",
            "The model weights themselves are proprietary; use requires a signed agreement with Acme.",
            "No part of these weights may be used, copied or distributed without written permission.",
            "All rights reserved; contact us for a license.",
        ] {
            assert!(has(text, ObligationKind::Registration), "{text}");
        }
        for text in [
            "Unlike the MIT License, this license does not permit any commercial use of the weights.",
            "Commercial use of the Model is strictly prohibited.",
            "This agreement prohibits commercial use.",
        ] {
            assert!(has(text, ObligationKind::NonCommercial), "{text}");
        }
    }

    #[test]
    fn definitions_name_uses_without_restricting_them() {
        let text = "\"Non-Commercial or Research Purposes\" shall mean purposes that do not involve any use of the Work for commercial use.";
        assert!(!has(text, ObligationKind::NonCommercial));
        assert!(!has(text, ObligationKind::ResearchOnly));
        assert!(has(
            "You may use the Work for non-commercial or research purposes only.",
            ObligationKind::NonCommercial
        ));
    }

    #[test]
    fn consent_to_assign_or_endorse_is_not_approval_to_use() {
        for text in [
            "You may not assign this Agreement without xAI's prior written consent.",
            "Neither the name of the copyright holder nor the names of its contributors may be used to endorse or promote products derived from this software without specific prior written permission.",
        ] {
            assert!(!has(text, ObligationKind::Registration), "{text}");
        }
        assert!(has(
            "You may not assign this Agreement, or use the Model commercially, without our prior written consent.",
            ObligationKind::Registration
        ));
    }

    #[test]
    fn changes_to_a_known_text_bring_only_their_own_clauses() {
        let template = NormText::new("Permission is hereby granted to deal in the Software without restriction. Redistributions may not use the name of the holder without specific prior written permission to endorse products.");
        let reference = template.shingles();
        let read = |text: &str| {
            let t = NormText::new(text);
            let changed = crate::license::detect::changed_words(&t, &reference);
            read_changes(&t, &changed)
                .into_iter()
                .map(|h| h.kind)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            read("Permission is hereby granted to deal in the Software for non-commercial purposes without restriction. Redistributions may not use the name of the holder without specific prior written permission to endorse products."),
            [ObligationKind::NonCommercial]
        );
        // a name filled in next to a consent clause the text already had
        assert!(read("Permission is hereby granted to deal in the Software without restriction. Redistributions may not use the name of Acme Corp without specific prior written permission to endorse products.").is_empty());
        assert!(read("Permission is hereby granted to deal in the Software for commercial and non-commercial purposes without restriction. Redistributions may not use the name of the holder without specific prior written permission to endorse products.").is_empty());
    }

    #[test]
    fn permissive_mentions_are_not_restrictions() {
        let text = "Permission is hereby granted, free of charge, to use the Software for commercial and non-commercial purposes.";
        let found = kinds(text);
        assert!(
            !found.iter().any(|(k, _)| matches!(
                k,
                ObligationKind::NonCommercial
                    | ObligationKind::ResearchOnly
                    | ObligationKind::Registration
            )),
            "{found:?}"
        );
    }

    #[test]
    fn the_gap_between_two_quoted_names_is_not_a_name() {
        // #27: a value was extracted as `[ • Prominently display ]`
        let found =
            kinds("On a 12\" banner and • Prominently display \"Powered by Acme\" on every page.");
        for (k, v) in &found {
            if *k == ObligationKind::Attribution {
                assert!(!v.starts_with(' ') && !v.ends_with(' '), "{v:?}");
                assert!(v.contains("Acme"), "{v:?}");
            }
        }
        assert!(
            found.iter().any(|(k, _)| *k == ObligationKind::Attribution),
            "{found:?}"
        );
    }

    #[test]
    fn thresholds_carry_their_numbers_and_are_not_approval() {
        let found = kinds("If your products have more than 100 million monthly active users, or more than 20 million US dollars in monthly revenue, you must request a license from us.");
        assert!(
            found.contains(&(ObligationKind::UserThreshold, "100000000".into())),
            "{found:?}"
        );
        assert!(
            found.contains(&(ObligationKind::RevenueThreshold, "USD 20000000".into())),
            "{found:?}"
        );
        assert!(
            !found
                .iter()
                .any(|(k, _)| *k == ObligationKind::Registration),
            "{found:?}"
        );
        let found = kinds("exceeds 700,000,000 monthly active users");
        assert!(
            found.contains(&(ObligationKind::UserThreshold, "700000000".into())),
            "{found:?}"
        );
        let found = kinds("annual revenue of less than $1,000,000 (USD)");
        assert!(
            found.contains(&(ObligationKind::RevenueThreshold, "USD 1000000".into())),
            "{found:?}"
        );
    }

    #[test]
    fn word_classes_are_widened_to_non_ascii_letters_only_where_written() {
        assert_eq!(widen_words(r"a\s+b"), r"a\s+b");
        assert_eq!(
            widen_words(r"(?:\w+\s+){0,3}"),
            format!(r"(?:(?:\w|{NON_ASCII})+\s+){{0,3}}")
        );
        assert_eq!(
            widen_words(r"[\w,'-]+"),
            format!(r"(?:[\w,'-]|{NON_ASCII})+")
        );
        assert_eq!(
            widen_words(r"[\w.\- ]{2}"),
            format!(r"(?:[\w.\- ]|{NON_ASCII}){{2}}")
        );
        assert_eq!(widen_words(r"[\d,.]*"), r"[\d,.]*");
        assert_eq!(widen_words(r#"(?u:[^"])"#), r#"(?u:[^"])"#);
        assert_eq!(widen_words(r"[]a]"), r"[]a]");
        // No pattern negates a class holding \w (widening it would be wrong).
        let source = include_str!("clauses.rs");
        let negated_w = ["[^", "\\w"].concat();
        assert!(!source.contains(&negated_w));
    }

    #[test]
    fn a_non_ascii_word_inside_a_clause_does_not_hide_it() {
        let found = kinds("You may not use the Modèle or its Dérivés for any commercial purpose.");
        assert!(
            found
                .iter()
                .any(|(k, _)| *k == ObligationKind::NonCommercial),
            "{found:?}"
        );
    }

    #[test]
    fn non_ascii_currency_and_neighbours_still_match_with_ascii_classes() {
        let found = kinds("If the annual revenue of the Licensee exceeds €5 million, you must request a commercial license.");
        assert!(
            found.contains(&(ObligationKind::RevenueThreshold, "EUR 5000000".into())),
            "{found:?}"
        );
        let found = kinds("Products with more than ¥100 million in revenue, or naïve résumé services with more than 2 million monthly active users, need a license.");
        assert!(
            found.contains(&(ObligationKind::RevenueThreshold, "CNY 100000000".into())),
            "{found:?}"
        );
        assert!(
            found.contains(&(ObligationKind::UserThreshold, "2000000".into())),
            "{found:?}"
        );
        let found =
            kinds("Derivative models must have names that begin with \"Llama-Über\" or \"Llama\".");
        assert!(
            found.iter().any(|(k, _)| *k == ObligationKind::NamePrefix),
            "{found:?}"
        );
    }

    #[test]
    fn territory_display_prefix_and_passdown() {
        let found = kinds(
            "This Agreement does not apply in the European Union, United Kingdom and South Korea.",
        );
        assert!(
            found.contains(&(
                ObligationKind::TerritoryExclusion,
                "European Union, South Korea, United Kingdom".into()
            )),
            "{found:?}"
        );
        let found = kinds("You shall prominently display “Powered by Foo” on the user interface.");
        assert!(
            found.contains(&(ObligationKind::Attribution, "Powered by Foo".into())),
            "{found:?}"
        );
        let found = kinds("Derived models must have a name that begins with \"Foo\".");
        assert!(
            found.contains(&(ObligationKind::NamePrefix, "Foo".into())),
            "{found:?}"
        );
        assert!(has(
            "You must include the use-based restrictions in any agreement with downstream users.",
            ObligationKind::UseRestrictionsPassdown
        ));
        assert!(has(
            "You will not use the outputs to improve any other large language model.",
            ObligationKind::NoTrainingOtherModels
        ));
    }

    #[test]
    fn items_of_a_negated_list_are_read_as_negated() {
        // DiariZen model license (tests/license-eval)
        let text = "You may not:\n- Use the Models or any derivatives thereof for commercial purposes,\n- Remove or alter this license notice in any copies of the Models.\n\nYou may share the Models.";
        assert!(has(text, ObligationKind::NonCommercial));
        // the list ends at the next paragraph
        assert!(!has(
            "You may not:\n- Remove this notice.\n\nUse the Models for commercial purposes is welcome.",
            ObligationKind::NonCommercial
        ));
    }

    #[test]
    fn field_bans_duties_and_thresholds_in_more_words() {
        // bilibili IndexTTS2 license (tests/license-eval)
        let found = kinds("You must ensure that the Model and any Derivative Work are not deployed, directly or indirectly, in high-risk scenarios such as medical diagnosis, autonomous driving, military applications.");
        assert!(
            found.contains(&(
                ObligationKind::FieldOfUseBan,
                "medical diagnosis, autonomous driving, military".into()
            )),
            "{found:?}"
        );
        assert!(has(
            "You must ensure that any downstream recipient of the Model that you distribute complies with this Agreement, and you must impose appropriate contractual terms on such downstream recipients.",
            ObligationKind::UseRestrictionsPassdown
        ));
        // Parkiet RAIL-M TTS, DINOv3 License (tests/license-eval)
        assert!(has(
            "You must give appropriate credit, provide a link to this repository, and indicate if changes were made.",
            ObligationKind::Attribution
        ));
        assert!(has(
            "If you submit for publication the results of research you perform, you must acknowledge the use of DINO Materials in your publication.",
            ObligationKind::Attribution
        ));
        // CogVideoX license (tests/license-eval)
        let found = kinds("The number of service users (visits) for your commercial activities must not exceed 1 million visits per month.");
        assert!(
            found.contains(&(ObligationKind::UserThreshold, "1000000".into())),
            "{found:?}"
        );
        // GLM-130B license (tests/license-eval)
        assert!(has(
            "You will not use, copy, modify, merge, publish, distribute, reproduce, or create derivative works of the Software, in whole or in part, for any commercial, military, or illegal purposes.",
            ObligationKind::NonCommercial
        ));
        // Meta Chameleon research license (tests/license-eval)
        assert!(has(
            "You will not, and will not permit others to, use the Chameleon Materials or any outputs or results of the Chameleon Materials in connection with any commercial uses.",
            ObligationKind::NonCommercial
        ));
    }

    /// Sentences of the fresh license-eval set (tests/license-eval/texts),
    /// each read as the clause its label names.
    #[test]
    fn clauses_of_the_fresh_set_are_read() {
        use ObligationKind as K;
        for (text, kind) in [
            // abot-recon-model-weight-license.txt
            ("Commercial use requires separate written authorization from all relevant rights holders.", K::Registration),
            ("Redistribution must preserve this license, the attribution to Pi3 and ABot-Recon, and the non-commercial restriction.", K::Attribution),
            // coqui-public-model-license-voicecraft.txt
            ("Use by commercial or for-profit entities for testing, evaluation, or non-commercial research and development.", K::NonCommercial),
            // dmind-1-model-license.txt: an item under "You agree not to use the Model:"
            ("You agree not to use the Model or Derivatives of the Model:\n\nA.1 In violation of any law or regulation;\nA.2 For any military, warfare, or weapons-related purpose;", K::FieldOfUseBan),
            // evolutionaryscale-esm3-community-license.txt
            ("You represent that such entity is a non-commercial organization (such as a university, non-profit organization, research institute or educational or governmental body).", K::NonCommercial),
            ("You may not use the AI Model in or in connection with: (i) the development (at any stage) or discovery of any drug, medication or pharmaceutical of any kind.", K::FieldOfUseBan),
            ("You may not use or provide access to any Outputs or Output Derivatives to train, optimize, improve or otherwise influence the functionality or performance of any: (i) other large language model; (ii) technology for protein structure prediction; or (iii) other Third Party Model that is similar to the AI Model.", K::NoTrainingOtherModels),
            // krutrim-community-license-chitrarth.txt
            ("Commercial Use is permitted only through a separate commercial license agreement with Krutrim, which may impose fees.", K::Registration),
            ("You shall not use the Software to develop, market, sell, or otherwise support products or services that compete with Krutrim's core offerings.", K::FieldOfUseBan),
            // ntu-s-lab-license-codeformer.txt
            ("In the event that redistribution and/or use for commercial purpose in source or binary forms, with or without modification is required, please contact the contributor(s) of the work.", K::Registration),
            // openai-jukebox-noncommercial-use-license.txt
            ("No portion of the Software, nor any content created with the Software, may be used for commercial purposes.", K::NonCommercial),
            // openpangu-model-license-1.0.txt
            ("You represent and warrant that You will not, access, download, install, run, deploy, integrate, modify, or otherwise use the Model, directly or indirectly, within the European Union.", K::TerritoryExclusion),
            // owkin-phikon-non-commercial-license.txt
            ("If You are a for-profit entity, You are invited to directly contact the Licensor for negotiating a separate agreement.", K::Registration),
            // klar-spam-engine-open-core-model-licence-agpl-demo-commercial-production.txt
            // (tests/license-eval) and paraphrases
            ("Not in this repo; obtained under a commercial agreement.", K::Registration),
            ("It is provided under a commercial agreement:", K::Registration),
            ("The full checkpoint is supplied only through a signed commercial contract.", K::Registration),
            ("Contact hello@klar.im for commercial model access and terms.", K::Registration),
            ("The Derived License You apply must have the same terms and conditions than the License, this version or later.", K::UseRestrictionsPassdown),
            // snap-articulated-animation-license.txt
            ("No license, whether implied or otherwise, is granted in or to such code, unless you have entered into a separate agreement for such rights.", K::Registration),
            // eth-pager-model-weights-license.txt
            ("For commercial licensing inquiries, please contact the PaGeR Authors.", K::Registration),
            // fragmentomics-cfdna-trained-models-research-use-only-license.txt
            // (unseen19), and paraphrases
            ("For commercial or clinical licensing inquiries, please contact the author.", K::Registration),
            ("For commercial and enterprise licensing, please contact sales.", K::Registration),
            ("For commercial or industrial use, please contact the lab.", K::Registration),
            // funasr-model-license-1.0.txt, hcam-100m-model-weights-license.txt
            ("You should indicate the code and model source and author information when using, copying, modifying and sharing.", K::Attribution),
            ("If you redistribute the weights, you must provide appropriate attribution and indicate changes when applicable.", K::Attribution),
            // pockettts-android-onnx-weights-cc-by-voice-consent.txt,
            // trailer-trail-probability-weights-cc-by-sa-osm.txt, and paraphrases
            ("Converted ONNX files remain subject to that model license and its attribution requirements.", K::Attribution),
            ("Anyone redistributing the weights, or a work produced with them, must carry these notices.", K::Attribution),
            ("Fine-tuned copies stay subject to the upstream license and the attribution terms.", K::Attribution),
            ("Every copy of the checkpoint shall retain this notice.", K::Attribution),
            // swiftasr-funasr-paraformer-model-sources-and-licences.txt
            // (unseen18), and paraphrases
            ("It permits use, copying, modification, and sharing, while requiring source and author attribution and retention of the relevant model names.", K::Attribution),
            ("The agreement allows redistribution, requiring attribution to the original authors.", K::Attribution),
            ("Sharing is permitted, the license requiring clear attribution.", K::Attribution),
        ] {
            assert!(has(text, kind), "{kind:?} not read in {text:?}: {:?}", kinds(text));
        }
        // statim-weights-polyform-noncommercial-paid-commercial-licence.txt
        // (unseen19), PolyForm Noncommercial 1.0.0, and paraphrases
        for text in [
            "Any noncommercial purpose is a permitted purpose.",
            "Non-commercial uses are the only permitted uses.",
            "Noncommercial use is a permitted use of the weights.",
        ] {
            assert!(
                has(text, ObligationKind::NonCommercial),
                "{text}: {:?}",
                kinds(text)
            );
        }
        for text in [
            "Any purpose is a permitted purpose.",
            "Commercial and noncommercial purposes are permitted purposes.",
        ] {
            assert!(
                !has(text, ObligationKind::NonCommercial),
                "{text}: {:?}",
                kinds(text)
            );
        }
        // a kindred use named beside commercial use, with no contact, asks
        // for nothing
        for text in [
            "The model is not validated for commercial or clinical use.",
            "Commercial or clinical use is at your own risk; see the model card.",
        ] {
            assert!(
                !has(text, ObligationKind::Registration),
                "{text}: {:?}",
                kinds(text)
            );
        }
        // uses beyond the license: research only where any other use ends
        // it (unseen16), approval where another use is to be asked for
        for (text, kind) in [
            ("Any use of the Software for any purpose other than non-commercial research shall automatically terminate this License.", ObligationKind::ResearchOnly),
            ("Any use of the model for purposes other than academic research will immediately terminate your rights.", ObligationKind::ResearchOnly),
            ("For any other use of the software not covered by the terms of this license, please contact partnerships@nianticlabs.com", ObligationKind::Registration),
            ("For any use not permitted under this license, contact the authors.", ObligationKind::Registration),
        ] {
            assert!(has(text, kind), "{kind:?} not read in {text:?}: {:?}", kinds(text));
        }
        assert!(!has(
            "Any use of the Software for any purpose other than those permitted shall terminate this License.",
            ObligationKind::ResearchOnly
        ));
        assert!(!has(
            "For any other use covered by this license, contact us with questions.",
            ObligationKind::Registration
        ));
        // statim-weights-polyform-noncommercial-paid-commercial-licence.txt
        // (unseen19), PolyForm Noncommercial 1.0.0, and a paraphrase
        for text in [
            "Use by any charitable organization, educational institution, public research organization, public safety or health organization, environmental protection organization, or government institution is use for a permitted purpose regardless of the source of funding or obligations resulting from the funding.",
            "Use by any non-profit organization or university is use for a permitted purpose.",
        ] {
            assert!(has(text, ObligationKind::NonCommercial), "{text}: {:?}", kinds(text));
        }
        assert!(!has(
            "Use by any organization, commercial or not, is use for a permitted purpose.",
            ObligationKind::NonCommercial
        ));
        // farz-coffee-bean-classifier-model-licence-cc-by-nc-sa.txt
        // (unseen16), and paraphrases
        for text in [
            "A commercial or field deployment needs a model retrained on data licensed for that use (for example, labelled bean photos collected with a cooperative, with consent).",
            "Commercial use requires a different model.",
            "Commercial products need a checkpoint trained on data you hold the rights to.",
        ] {
            assert!(has(text, ObligationKind::NonCommercial), "{text}: {:?}", kinds(text));
        }
        assert!(!has(
            "Commercial use requires a model card and attribution.",
            ObligationKind::NonCommercial
        ));
        // "for commercial or non-commercial purposes" limits nothing
        assert!(!has(
            "You may use the weights for commercial or non-commercial purposes.",
            ObligationKind::NonCommercial
        ));
    }

    #[test]
    fn a_grant_scoped_by_a_restrictive_definition_is_that_restriction() {
        // valeo-videoactionmodel-research-only-rail-m.txt
        let text = "\"Permitted Purpose\" means for academic or research purposes only.\n\nGrant. Subject to the terms of this License, each Contributor hereby grants to You, only in connection with the Permitted Purpose, a worldwide, royalty-free copyright license to reproduce the Model.";
        let lines: Vec<usize> = read_clauses(&NormText::new(text))
            .into_iter()
            .filter(|h| h.kind == ObligationKind::ResearchOnly)
            .map(|h| h.words.0)
            .collect();
        assert_eq!(lines.len(), 2, "the grant and the definition: {lines:?}");
        // a definition that no grant is scoped by limits nothing
        let text = "\"Research Purpose\" means for research purposes only. You may use the Model for any purpose.";
        assert!(!has(text, ObligationKind::ResearchOnly));
    }

    #[test]
    fn a_sentence_that_classifies_a_use_scopes_nothing() {
        // breezeblue-breeze-tts2-research-non-commercial-license-1.1.txt
        // (tests/license-eval), 1.7 and 2: what counts as a Commercial
        // Purpose, then the grant for a research or non-commercial purpose
        let status = "The status of a Licensee as a for-profit entity does not, by itself, make limited internal research, benchmarking, evaluation, security testing, or red-teaming a Commercial Purpose, provided that the use is not deployed in production, made available to customers or other external end users, used to generate revenue, or used to train or improve a non-BreezeBlue generative model.";
        assert!(
            !has(status, ObligationKind::ResearchOnly),
            "{:?}",
            kinds(status)
        );
        for s in [
            "Internal testing by a company shall not, on its own, render such testing a commercial use, as long as it is not used in production.",
            "Evaluation by a university lab funded by industry qualifies as academic use.",
        ] {
            assert!(!has(s, ObligationKind::ResearchOnly), "{s}: {:?}", kinds(s));
            assert!(!has(s, ObligationKind::NonCommercial), "{s}: {:?}", kinds(s));
        }
        let grant = "in each case solely for a Research Purpose or Non-Commercial Purpose.";
        assert!(
            has(grant, ObligationKind::NonCommercial),
            "{:?}",
            kinds(grant)
        );
        assert!(
            !has(grant, ObligationKind::ResearchOnly),
            "{:?}",
            kinds(grant)
        );
        // a grant that names the purposes it is for still scopes
        for s in [
            "You may make modifications to the Materials for any Research or Non-Commercial Purpose.",
            "Licensees may make derivative works based on it only for non-commercial purposes.",
        ] {
            assert!(has(s, ObligationKind::NonCommercial), "{s}: {:?}", kinds(s));
        }
    }

    #[test]
    fn a_research_purpose_in_a_disclaimer_of_advice_scopes_nothing() {
        // trendcast-pro-non-commercial-license-zh.txt (tests/license-eval),
        // line 47, then paraphrases in both languages
        for s in [
            "1. **不构成投资建议**：本软件仅供学习与研究之用，其输出的任何预测结果、信号、报告均**不构成任何投资建议**，不应作为任何投资决策的依据。",
            "本模型仅供学术研究参考，其结果并非医疗建议。",
            "The forecasts are provided for research and learning only and do not constitute investment advice.",
            "This model is for research purposes only and is not medical advice.",
        ] {
            assert!(!has(s, ObligationKind::ResearchOnly), "{s}: {:?}", kinds(s));
        }
        // a research-only grant that names no advice still scopes
        for s in [
            "本软件仅供学习与研究之用。",
            "The forecasts may be used for research purposes only.",
        ] {
            assert!(has(s, ObligationKind::ResearchOnly), "{s}: {:?}", kinds(s));
        }
    }

    #[test]
    fn data_used_only_for_evaluation_is_no_scope_of_the_grant() {
        // multimolecule-license-faq-zh-agpl-model-weights.txt
        // (tests/license-eval), line 143, then paraphrases
        for s in [
            "仅用于评估的数据不在本条要求之列，前提是该数据未同时用于训练。",
            "你须提供训练数据集，并排除仅用于测试的样本。",
        ] {
            assert!(!has(s, ObligationKind::ResearchOnly), "{s}: {:?}", kinds(s));
        }
        assert!(has("本模型仅用于评估。", ObligationKind::ResearchOnly));
    }

    #[test]
    fn clauses_of_the_tenth_set_are_read_for_citation() {
        // lg-k-exaone-ai-model-license-agreement.txt (tests/license-eval), 2.1
        assert!(has(
            "In the event the Model or Derivative Work is distributed, the name of the Model and Derivative Work shall begin with “K-EXAONE”.",
            ObligationKind::NamePrefix
        ));
        // breezeblue-breeze-tts2-research-non-commercial-license-1.1.txt, 3
        for s in [
            "No Commercial Purpose is permitted under this Agreement.",
            "No commercial purposes are allowed.",
        ] {
            assert!(has(s, ObligationKind::NonCommercial), "{s}");
        }
        // edgelvef-echo-checkpoints-cc-by-nc-sa.txt and
        // techjam-dinov3-finetune-weights-licence-provenance.txt, then
        // paraphrases
        for s in [
            "Attribution must include this EdgeLVEF repository and the EchoXFlow dataset:",
            "2. **Acknowledgement.** DINOv3 use must be acknowledged in any write-up.",
            "Attribution shall name the original authors.",
            "The use of this model must be clearly credited in publications.",
        ] {
            assert!(has(s, ObligationKind::Attribution), "{s}: {:?}", kinds(s));
        }
        // spam-phishing-detector-model-bundle-cc-by-sa.txt: the share-alike
        // duty restated, then a paraphrase
        for s in [
            "You may share and adapt the model subject to attribution, indication of changes, a link to the license, and distribution of adaptations under the same license.",
            "Distribution of your modifications under the same license is required.",
        ] {
            assert!(has(s, ObligationKind::UseRestrictionsPassdown), "{s}: {:?}", kinds(s));
        }
        // yent-identity-license-1.0-weights-non-commercial.txt (unseen17):
        // the attribution asked with a word of manner, then paraphrases
        for s in [
            "Any use of the covered artifacts must include clear attribution:",
            "Every redistribution shall include full attribution to the authors.",
            "Derived checkpoints must include proper attribution.",
        ] {
            assert!(has(s, ObligationKind::Attribution), "{s}: {:?}", kinds(s));
        }
        // the word alone, without a duty to include it, is no clause
        for s in [
            "Clear attribution of errors to their causes is hard for neural models.",
            "The model must include clear safety warnings.",
        ] {
            assert!(!has(s, ObligationKind::Attribution), "{s}: {:?}", kinds(s));
        }
        // nvidia-gr00t-wholebodycontrol-dual-license-open-model.txt and
        // handprism-core-weights-terms-research-evaluation.txt (unseen11)
        for s in [
            "b. You must include the following attribution notice, which can appear in the same location as other third-party notices or license information:",
            "Include the component and dataset acknowledgements when reporting results.",
        ] {
            assert!(has(s, ObligationKind::Attribution), "{s}: {:?}", kinds(s));
        }
        assert!(has(
            "2.3 AI Ethics. Your use of the Model must be in accordance with NVIDIA's Trustworthy AI terms.",
            ObligationKind::AcceptableUsePolicy
        ));
        // mirai-orena-qwen3.5-adapter-challenge-reproduction-terms.txt
        // (unseen10), then paraphrases: use beyond a research purpose needs
        // more, so that purpose is the scope
        for s in [
            "For use beyond challenge reproduction, obtain applicable permissions from the relevant rights holders and check the current terms of the training resources.",
            "Any use outside of academic research requires a license from the authors.",
            "For uses other than evaluation, you must contact us.",
        ] {
            assert!(has(s, ObligationKind::ResearchOnly), "{s}: {:?}", kinds(s));
        }
        assert!(!has(
            "For use beyond research, no further permission is needed.",
            ObligationKind::ResearchOnly
        ));
    }

    #[test]
    fn amounts_parse() {
        assert_eq!(amount("1.5", Some("million")), Some(1_500_000));
        assert_eq!(amount("700,000,000", None), Some(700_000_000));
        assert_eq!(amount("x", None), None);
    }

    #[test]
    fn a_notice_listing_permitted_and_prohibited_uses() {
        // diffusionlab-model-license-research-edu.txt (tests/license-eval)
        let t = NormText::new("- **Permitted Use:** Research and educational purposes only.\n- **Prohibited Use:** Commercial use, redistribution, or any use that may infringe on third-party rights.\n");
        let kinds: Vec<ObligationKind> = read_clauses(&t).iter().map(|h| h.kind).collect();
        assert!(kinds.contains(&ObligationKind::ResearchOnly), "{kinds:?}");
        assert!(kinds.contains(&ObligationKind::NonCommercial), "{kinds:?}");
    }

    #[test]
    fn a_grant_for_purposes_other_than_commercial_use_is_non_commercial() {
        // stability-stable-beluga-nc-community-license.txt (tests/license-eval)
        let t = NormText::new("Stability AI grants you a non-exclusive, worldwide, non-transferable, non-sublicensable, revocable, royalty free and limited license to reproduce, distribute, and create derivative works of the Software Products for purposes other than commercial or production use.");
        let kinds: Vec<ObligationKind> = read_clauses(&t).iter().map(|h| h.kind).collect();
        assert!(kinds.contains(&ObligationKind::NonCommercial), "{kinds:?}");
    }

    #[test]
    fn a_user_count_written_after_its_unit() {
        // opendatalab-mineru-open-source-license.txt (tests/license-eval)
        let t = NormText::new("a. monthly active users (MAU) exceed 100 million; or");
        let hits = read_clauses(&t);
        assert!(
            hits.iter()
                .any(|h| h.kind == ObligationKind::UserThreshold && h.value == "100000000"),
            "{hits:?}"
        );
    }

    #[test]
    fn a_negated_intro_whose_sentence_takes_the_first_marker() {
        // FLUX.1 [dev] Non-Commercial License v2.1, section 4
        // (tests/license-corpus/texts/flux-non-commercial-license-v2.1.txt)
        let t = NormText::new("4. Restrictions.  You will not, and will not permit, assist or cause any third party to\n- a. use, modify, copy, reproduce, create Derivatives of, or Distribute the FLUX Model, in whole or in part, (i) for any commercial or production purposes, (ii) military purposes, (iii) purposes of surveillance, (iv) biometric processing;\n");
        let hits = read_clauses(&t);
        let kinds: Vec<ObligationKind> = hits.iter().map(|h| h.kind).collect();
        assert!(kinds.contains(&ObligationKind::NonCommercial), "{hits:?}");
        assert!(kinds.contains(&ObligationKind::FieldOfUseBan), "{hits:?}");
    }

    #[test]
    fn helping_third_parties_break_the_restrictions_is_barred() {
        // Yi Series Models Community License v1.0 (tests/license-corpus)
        let t = NormText::new("You shall not enable, assist, or in any way facilitate Third Parties to violate the license restrictions of this Agreement.");
        let kinds: Vec<ObligationKind> = read_clauses(&t).iter().map(|h| h.kind).collect();
        assert!(
            kinds.contains(&ObligationKind::UseRestrictionsPassdown),
            "{kinds:?}"
        );
    }

    #[test]
    fn scopes_of_the_fourth_set_are_read() {
        // tencent-depthcrafter-license-terms.txt (tests/license-eval)
        let depthcrafter = "- You agree to use the DepthCrafter only for academic, research and education purposes, and refrain from using it for any commercial or production purposes under any circumstances.";
        assert!(has(depthcrafter, ObligationKind::ResearchOnly));
        assert!(has(depthcrafter, ObligationKind::NonCommercial));
        // aleph-alpha-open-aleph-license-excerpt.txt, the Open Aleph License 1.0
        assert!(has(
            "the Licensor grants you a non-exclusive, worldwide, non-transferable, non-sublicensable, and royalty-free limited right to use, copy, modify, distribute, make otherwise publicly available, and reproduce the Works and Derivative Works under Licensor's copyright, for any Non-Commercial and Non-Administrative purpose.",
            ObligationKind::NonCommercial
        ));
        // fr-son-facenet-demo-model-notice.txt
        assert!(has(
            "The bundled `src/assets/models/facenet.tflite` is included only for local demo and evaluation use.",
            ObligationKind::ResearchOnly
        ));
        // research listed beside non-commercial use is that use's scope
        // (insitro-fastvim-license.txt)
        assert!(!has(
            "insitro grants users a non-exclusive, non-transferable, royalty-free license to use the Software solely for non-commercial, internal research, and educational purposes.",
            ObligationKind::ResearchOnly
        ));
        // a non-commercial license named as excluded limits nothing
        // (whatsbird-model-and-training-data-license-zh.txt)
        assert!(!has(
            "另一条约束：CC BY-NC 已被排除",
            ObligationKind::NonCommercial
        ));
        assert!(has(
            "The weights are licensed under CC BY-NC 4.0.",
            ObligationKind::NonCommercial
        ));
        // ... and a grant for any purpose, not only demos, is no scope
        assert!(!has(
            "You may use the Model for any purpose, including demo and evaluation use.",
            ObligationKind::ResearchOnly
        ));
    }

    #[test]
    fn a_duty_to_state_that_the_model_is_used() {
        // opendatalab-mineru-open-source-license.txt (tests/license-eval)
        let t = NormText::new("If you provide online services to third parties based on MinerU, you must clearly and prominently indicate, in the relevant product or service interface or in publicly available documentation, that MinerU is used.");
        let kinds: Vec<ObligationKind> = read_clauses(&t).iter().map(|h| h.kind).collect();
        assert!(kinds.contains(&ObligationKind::Attribution), "{kinds:?}");
    }

    /// Round 10: a free research grant beside the path to commercial use, a
    /// Chinese grant confined to a term defined as research, contact before
    /// commercial use.
    #[test]
    fn a_model_left_research_only_is_research_only() {
        use ObligationKind as K;
        // fundus-dx-ml-research-teaching-workbench-third-party-models.txt
        // (tests/license-eval, unseen18), and paraphrases
        for s in [
            "The integration remains research-only under the V1 usage context.",
            "These checkpoints stay research only until the review is done.",
            "The fine-tuned weights are kept strictly research-only.",
        ] {
            assert!(has(s, K::ResearchOnly), "{s}: {:?}", kinds(s));
        }
        // research named as what else is allowed, or as no limit
        for s in [
            "The model remains free for commercial and research use.",
            "The code remains open; research-only datasets were not used.",
        ] {
            assert!(!has(s, K::ResearchOnly), "{s}: {:?}", kinds(s));
        }
    }

    #[test]
    fn research_grants_defined_scopes_and_contact_in_advance() {
        use ObligationKind as K;
        // chatglm3-model-license-2024.txt: the grant and the registration in
        // one sentence
        let s = "本许可允许您免费使用本仓库中的所有开源模型进行学术研究，对于希望将模型用于商业目的的用户，需在[这里](https://open.bigmodel.cn/mla/form)完成登记。";
        assert!(has(s, K::ResearchOnly), "{:?}", kinds(s));
        assert!(has(s, K::Registration), "{:?}", kinds(s));
        // an English list goes on after the comma: no research scope
        assert!(!has(
            "This license permits you to use the models for academic research, teaching, and commercial products.",
            K::ResearchOnly
        ));
        // sjtu-venusfactory-non-commercial-license-zh.txt: the grant confined
        // to a term its definition limits to research
        let text = "**1.2 \"非商业用途\"** 是指仅将本软件用于内部学术研究、教学、个人学习或其他活动。\n\n许可方授予非商业用户全球范围、免版税的权利，**仅可**为内部非商业用途而使用、运行、展示、复制和修改本软件。\n";
        let n = NormText::new(text);
        let research: Vec<u32> = read_clauses(&n)
            .iter()
            .filter(|h| h.kind == K::ResearchOnly)
            .map(|h| n.lines_of(h.words.0, h.words.1).0)
            .collect();
        assert!(research.contains(&3), "{research:?}");
        // yi-license-v1.0.txt (tests/license-corpus)
        assert!(has(
            "If you plan to use the Yi Series Models and Derivatives for Commercial Purposes, you should contact the Licensor in advance as specified in Section 7.",
            K::Registration
        ));
        // paraphrase
        assert!(has(
            "Commercial deployment is possible; please contact us beforehand to agree terms.",
            K::Registration
        ));
    }

    /// Round 10: a separate license asked before commercial use, terms to
    /// keep when redistributing, and a list of unlawful purposes (sentences
    /// of tests/license-eval, each with a paraphrase).
    #[test]
    fn separate_licenses_kept_terms_and_unlawful_purposes() {
        use ObligationKind as K;
        for (text, kind) in [
            // insitro-fastvim-license.txt
            ("Users may not use the code or data for any commercial purpose without obtaining a separate, written license from Insitro Inc.", K::Registration),
            ("Commercial use of the checkpoints is not allowed without first securing a commercial license from the authors.", K::Registration),
            // amd-uif-non-commercial-models-license.txt
            ("You cannot sublicense or distribute the Trained Models under any other terms or conditions.", K::UseRestrictionsPassdown),
            ("You may not redistribute the weights under different terms.", K::UseRestrictionsPassdown),
            // echo-quality-weights-nc-license.txt
            ("If you redistribute the Weights, you must keep this file and the non-commercial restriction intact.", K::UseRestrictionsPassdown),
            ("Anyone redistributing the model shall retain these restrictions.", K::UseRestrictionsPassdown),
            // clip-caer-weights-license-agreement.txt (an item after "You may not:")
            ("You may not: (a) Using the Weights for any unlawful, harmful, defamatory, obscene, or rights-infringing purposes.", K::FieldOfUseBan),
            ("You must not use the model for unlawful, deceptive or abusive purposes.", K::FieldOfUseBan),
        ] {
            assert!(has(text, kind), "{kind:?} not read in {text:?}: {:?}", kinds(text));
        }
        // a ban's exception that names a separate license is no approval of
        // commercial use (ltx-2-community-license.txt)
        assert!(!has(
            "You may not use LTX-2.x to develop a model designed to replace or substitute Licensor's offerings in the market, without obtaining a separate commercial license from Licensor.",
            K::Registration
        ));
    }

    /// Round 10: a research scope after other adjectives of the use, and a
    /// field of decision making banned.
    #[test]
    fn research_use_after_its_adjectives_and_decision_making_banned() {
        use ObligationKind as K;
        for (text, kind) in [
            // uw-rosetta-dl-deepab-non-commercial-license.txt (tests/license-eval)
            ("The Software is made available through the University of Washington (\"UW\") for your internal, non-profit, non-commercial research use.", K::ResearchOnly),
            ("The weights are provided for their own, internal non-commercial research purposes.", K::ResearchOnly),
            // multispectral-caption-msi-responsible-ai-weights-license.txt
            ("No operational or safety-critical decision making (e.g., compliance, emergency response, credit/insurance/risk scoring).", K::FieldOfUseBan),
            ("You may not use the outputs for fully automated decision-making about individuals.", K::FieldOfUseBan),
        ] {
            assert!(has(text, kind), "{kind:?} not read in {text:?}: {:?}", kinds(text));
        }
    }

    /// Round 14: a grant for listed purposes that end in a non-profit one,
    /// a work barred from commercial use, and whom to write to for
    /// commercial use.
    #[test]
    fn non_profit_purposes_and_whom_to_write_to_for_commercial_use() {
        use ObligationKind as K;
        for (text, kind) in [
            // zju3dv-easymocap-license-educational-research-non-profit.txt
            // (tests/license-eval), EasyMocap's licence header
            ("Permission to use, copy, modify and distribute this software and its documentation for educational, research and non-profit purposes only.", K::NonCommercial),
            ("Any modification based on this work must be open-source and prohibited for commercial use.", K::NonCommercial),
            ("For commercial uses of this software, please send email to xwzhou@zju.edu.cn", K::Registration),
            // uc-berkeley-gqcnn-pretrained-models-regents-licence.txt, the
            // UC Regents' licence
            ("Permission to use, copy, modify, and distribute this software and its documentation for educational, research, and not-for-profit purposes, without fee and without a signed licensing agreement, is hereby granted, provided that the above copyright notice appear in all copies.", K::NonCommercial),
            ("Contact The Office of Technology Licensing, UC Berkeley, 2150 Shattuck Avenue, Suite 510, Berkeley, CA 94720-1620, (510) 643- 7201, otl@berkeley.edu, http://ipira.berkeley.edu/industry-info for commercial licensing opportunities.", K::Registration),
            // iiitd-metabokiller-academic-institution-only-license.txt
            ("Permission is hereby granted to any academic institution free of charge provisionally, for commercial utilization please contact the author/authorities (gaurav.ahuja@iiitd.ac.in), to any academic institution obtaining a copy of this software", K::Registration),
            // paraphrases
            ("The weights may be used for teaching, scholarship, or not-for-profit purposes.", K::NonCommercial),
            ("You may use the model for academic, personal and non-commercial uses.", K::NonCommercial),
            ("Derived checkpoints are prohibited for any commercial purposes.", K::NonCommercial),
            ("For commercial applications of the model, email the lab.", K::Registration),
            ("Write to the Technology Transfer Office, Example University, 1 Main Street, Springfield, tto@example.edu for commercial licenses.", K::Registration),
        ] {
            assert!(has(text, kind), "{kind:?} not read in {text:?}: {:?}", kinds(text));
        }
        // purposes that name commercial use beside the non-profit one, or a
        // contact for anything but commercial use, limit nothing
        for (text, kind) in [
            (
                "You may use the model for research, commercial and non-profit purposes.",
                K::NonCommercial,
            ),
            (
                "Contact the maintainers at the lab, 1 Main Street, Springfield, for bug reports.",
                K::Registration,
            ),
        ] {
            assert!(!has(text, kind), "{kind:?} read in {text:?}");
        }
    }

    /// Round 14: the SMPL-style model licence's scope and ban ("for the
    /// sole purpose of performing non-commercial …", "any use for
    /// commercial purposes, is prohibited"), and a licensor's possessive
    /// before its written permission.
    #[test]
    fn a_sole_non_commercial_purpose_and_commercial_use_prohibited() {
        use ObligationKind as K;
        for (text, kind) in [
            // sfu-niloc-inertial-localization-model-license.txt
            // (tests/license-eval), SFU's NILoc model licence
            ("To use the Models for the sole purpose of performing non-commercial scientific research, non-commercial education, or non-commercial artistic projects.", K::NonCommercial),
            ("Any other use, in particular any use for commercial purposes, is prohibited.", K::NonCommercial),
            // paraphrases
            ("You may run the weights for the only purpose of non-commercial teaching.", K::NonCommercial),
            ("Use for commercial purposes is strictly forbidden.", K::NonCommercial),
            ("The Models may not be reproduced without SFU's prior written permission.", K::Registration),
            ("The checkpoint must not be modified without the Institute's express written consent.", K::Registration),
        ] {
            assert!(has(text, kind), "{kind:?} not read in {text:?}: {:?}", kinds(text));
        }
        // a commercial use that is allowed, and a sole purpose that names no
        // limit, are no ban
        for text in [
            "Use for commercial purposes is permitted.",
            "The sole purpose of this license is to grant broad rights.",
        ] {
            assert!(!has(text, K::NonCommercial), "{text}: {:?}", kinds(text));
        }
    }

    /// Round 14: permissions for copyrighted material the model is used on,
    /// or for personal information, are the rights holders' or the data
    /// subjects', no approval of the licensor's.
    #[test]
    fn rights_holders_permissions_are_no_approval() {
        for text in [
            // dots-mocr-license-agreement-mit-supplement.txt (tests/license-eval), 3.3 (c)
            "Any use involving publications or other copyright-protected materials must first obtain relevant permissions.",
            // paraphrases
            "Scanning copyrighted books with the tool requires the prior written permission of their publishers.",
            "You may not extract personal medical information without written consent.",
        ] {
            assert!(!has(text, ObligationKind::Registration), "{text}: {:?}", kinds(text));
        }
        // the licensor's permission for commercial use stays an approval
        let ours =
            "Commercial processing of copyrighted works requires our prior written permission.";
        assert!(has(ours, ObligationKind::Registration), "{:?}", kinds(ours));
    }

    /// Round 14: use tied to a product the reader must license separately.
    #[test]
    fn use_only_with_a_validly_licensed_product_is_a_license_to_obtain() {
        for text in [
            // mathworks-auxiliary-software-license-pretrained-salsanext.txt
            // (tests/license-eval), MathWorks' auxiliary software licence, 2
            "In all cases, the Materials are licensed to you only for use with and only for the term of your validly licensed Required Base Product.",
            // paraphrases
            "The weights are provided solely for use with a properly licensed copy of the Vendor Suite.",
            "These checkpoints are made available only for use in conjunction with your separately licensed platform subscription.",
        ] {
            assert!(has(text, ObligationKind::Registration), "{text}: {:?}", kinds(text));
        }
        // use with a product, no license of it asked
        let free = "The weights are provided only for use with the open-source toolkit.";
        assert!(
            !has(free, ObligationKind::Registration),
            "{:?}",
            kinds(free)
        );
    }

    /// Round 14: where to go for a commercial license, and a separate,
    /// written commercial license required.
    #[test]
    fn where_to_go_for_a_commercial_license() {
        for text in [
            // insightface-model-packages-licensing-non-commercial-academic.txt
            // (tests/license-eval)
            "For commercial licensing, visit <https://www.insightface.ai>.",
            // reactive-ai-raml-1.0-model-architecture-license.txt
            "Any Commercial Use requires a separate, written commercial license agreement with Reactive AI.",
            // paraphrases
            "For commercial licenses please visit our website.",
            "Production use requires a signed, written license from the lab.",
        ] {
            assert!(has(text, ObligationKind::Registration), "{text}: {:?}", kinds(text));
        }
        // a paid license is read where the text says whom to pay, not here
        // (a proprietary notice's "Commercial use: Requires paid license")
        let paid = "Commercial use requires a paid license.";
        assert!(
            !has(paid, ObligationKind::Registration),
            "{:?}",
            kinds(paid)
        );
    }

    /// Round 14: derivatives shared "under this same license" or "under the
    /// same non-commercial, share-alike terms".
    #[test]
    fn derivatives_shared_under_the_same_license_or_terms() {
        for text in [
            // reactive-ai-raml-1.0-model-architecture-license.txt (tests/license-eval)
            "you must distribute your contributions (the \"Derivative Model\") under this same license (RAML v1.0) or a compatible later version.",
            // skin-tone-fairness-weights-ham10000-cc-by-nc-sa.txt
            "and share any derivative weights under the same non-commercial, share-alike terms.",
            // baidu-helixfold3-terms-of-use-non-commercial-organizations.txt
            "you must distribute your derivative works under the same \"Attribution-NonCommercial-ShareAlike\" license.",
            // paraphrases
            "Please release fine-tuned checkpoints under the same open terms.",
            "You may share the adapted model only under this same licence.",
        ] {
            assert!(has(text, ObligationKind::UseRestrictionsPassdown), "{text}: {:?}", kinds(text));
        }
        // the same license named for something else is no pass-down
        let other = "The code is released under the MIT license; the same license covers the docs.";
        assert!(
            !has(other, ObligationKind::UseRestrictionsPassdown),
            "{:?}",
            kinds(other)
        );
    }
}
