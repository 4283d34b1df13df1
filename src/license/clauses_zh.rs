//! Decisive clauses of Chinese license text: non-commercial and research-only
//! grants, registration or written authorisation before commercial use,
//! user and revenue thresholds (with 万 / 亿 and their currency), and the
//! usual duties (use restrictions, attribution, a copy of the agreement).
//! Sentences arrive normalised (full-width punctuation folded to ASCII, see
//! `text.rs`); quotes stay in the original language.

use super::verdict::ObligationKind;
use crate::license::pattern::Regex;
use std::sync::OnceLock;

struct Rules {
    non_commercial: Vec<Regex>,
    research_only: Vec<Regex>,
    approval: Regex,
    paid: Regex,
    no_need: Regex,
    unauthorised: Regex,
    others: Regex,
    commercial: Regex,
    users: Regex,
    visits: Regex,
    revenue: Regex,
    aup: Regex,
    attribution: Regex,
    /// A credit or change note asked in the imperative (请在发布说明中标注变更
    /// 内容与日期): a duty of the user even where a third party's model is
    /// the one changed.
    asked: Regex,
    quoted: Regex,
    name_prefix: Regex,
    license_copy: Regex,
    no_training: Regex,
    passdown: Regex,
    field_ban: Regex,
    /// A ban on derivative development or resale of the model itself
    /// (禁止二次开发, 禁止转售与售卖, 不得将本模型……出售).
    act_ban: Regex,
    /// The licensor as the one bound (许可方不得): nothing asked of the user.
    licensor_bound: Regex,
    definition: Regex,
    /// Use or data kept inside one country (仅在中华人民共和国境内存储、处理):
    /// the rest of the world left out.
    territory: Regex,
    /// A free grant whose users named are all academic (面向国内外大学、
    /// 中科院各研究所以及个人研究者免费开放): a research grant.
    academic_audience: Regex,
    /// A non-academic user named among them (企业, 开发者): the audience is
    /// not research alone.
    other_audience: Regex,
    /// An item of who may use it that names non-profit institutions first
    /// ("(a) 非营利研究机构、政府实验室和高校的雇员"): the licensee limited.
    non_profit_item: Regex,
    /// Sharing denied under this license (本许可不允许共享修改版权重): another
    /// license is needed for it.
    not_under_this: Regex,
    /// What only some data is used for ("仅用于评估的数据", data used only
    /// for evaluation): an attribute of that data, not a scope of the grant.
    data_attribute: Regex,
    /// Research as the one use left, at the end of its clause (仅可用于用户有权
    /// 进行的本地研究; 只供研究): a research scope, whatever qualifies it.
    research_object: Regex,
    /// A written permission the user must obtain (必须取得书面许可).
    written_required: Regex,
}

/// Words that hold 商业 without speaking of commercial use: a trade secret,
/// goodwill (侵犯他人商业秘密 is no ban on commercial use).
const NOT_COMMERCIAL_USE: [&str; 5] = ["商业秘密", "商业机密", "商业信誉", "商业道德", "商业贿赂"];

/// `s` without the words that hold 商业 but speak of no commercial use.
fn without_trade_terms(s: &str) -> std::borrow::Cow<'_, str> {
    if NOT_COMMERCIAL_USE.iter().any(|w| s.contains(w)) {
        std::borrow::Cow::Owned(
            NOT_COMMERCIAL_USE
                .iter()
                .fold(s.to_string(), |acc, w| acc.replace(w, "")),
        )
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

pub(crate) use super::pattern::re_zh as re;

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| Rules {
        non_commercial: vec![
            // 您可以出于非商业用途使用 / 仅限非商业用途 / 非商业目的
            re(r"(?:仅|只|限于|仅限|出于|用于|为了|针对)[^.;!?]{0,12}非商业(?:性)?(?:用途|目的|使用|研究)?"),
            re(r"非商业(?:性)?(?:用途|目的)[^.;!?]{0,8}(?:使用|为限|之目的)"),
            // 不得用于商业用途 / 禁止商业使用 / 不可商用
            re(r"(?:不得|不能|不可|禁止|严禁|不允许|不将|不用于)[^.;!?]{0,40}(?:商业|商用|营利)"),
            // a label and its value: 商业使用：不允许, | 商用 | 禁止 |
            re(r"(?:商业使用|商业用途|商用|商业目的)[\s|:-]{1,6}(?:不允许|不可以|不可|禁止|不得|不能|否|不支持|不提供)"),
            // 仅限个人使用: personal use only
            re(r"仅(?:限|供)(?:于)?个人(?:使用|用途|学习)"),
            // 商业用途除外 / 除商业用途外: commercial use carved out of a grant
            re(r"(?:商业|商用|营利)(?:性)?(?:用途|使用|目的|用途的使用)?(?:均)?除外|除(?:了)?(?:用于)?(?:商业|商用|营利)(?:性)?(?:用途|使用|目的)?(?:以)?外"),
            // 为非商业目的复制 / 当前模型不提供商业许可
            re(r"为非商业(?:性)?(?:用途|目的)|不(?:提供|授予|给予)[^.;!?]{0,6}(?:商业|商用)(?:许可|授权)"),
            // 在不以营利为目的……的前提下使用本软件: use on condition that it
            // seeks no profit
            re(r"(?:在|以)[^.;!?]{0,4}不以(?:营利|盈利|商业)(?:性)?(?:为)?目的[^.;!?]{0,40}(?:前提|条件|情况)下"),
            // WebFace4M 非商业研究许可, 非商业许可协议: the license named by its
            // non-commercial scope
            re(r"非商业(?:性)?(?:学术)?(?:研究)?(?:许可|授权)"),
        ],
        data_attribute: re(r"(?:仅|只)(?:可|能|限|供)?(?:用于|用作|供|作为?)[^.;!?]{0,8}?的(?:训练|评估|测试|验证)?(?:数据集?|样本|语料|代码|文件|基准|材料)"),
        written_required: re(r"(?:必须|须|需|需要|应当?)[^.;!?]{0,8}?(?:取得|获得|获取)[^.;!?]{0,8}?书面(?:许可|授权|同意)"),
        research_object: re(r"(?:仅|只)(?:可|能|限)?(?:用于|用作|供|限于)[^.;!?]{0,20}?研究(?:使用|之用|用途)?(?:$|[,.;:!?)|\s])"),
        research_only: vec![
            re(r"(?:仅|只|限于|仅限)[^.;!?]{0,16}(?:学术研究|科学研究|科研|研究目的|研究用途|学术目的|学术用途|教学)"),
            re(r"(?:学术研究|科研|研究)(?:目的|用途)?(?:为限|之用)"),
            // 试用期内仅可用于评估, 仅供测试: an evaluation or trial license
            re(r"(?:仅|只)(?:可|能|限|供)?(?:用于|用作|供|作为?)[^.;!?]{0,4}(?:评估|评测|测试|试用)|仅限(?:于)?(?:评估|评测|测试|试用)|试用期(?:内|间)"),
            // 非商业研究许可: a license named for non-commercial research
            re(r"非商业(?:性)?(?:学术)?研究(?:许可|授权)"),
        ],
        approval: re(r"(?:未经[^.;!?]{0,8}?(?:授权|许可|同意)[^.;!?]{0,20}?(?:商业|商用)|书面授权|书面许可|书面同意|事先[^.;!?]{0,12}(?:登记|申请|授权|许可|同意)|进行登记|完成登记|商用登记|申请(?:商业|商用)?(?:授权|许可)|(?:获得|获取|取得)[^.;!?]{0,12}(?:授权|许可)|联系[^.;!?]{0,30}(?:登记|申请|授权)|(?:取得|获得|获取)[^.;!?]{0,40}(?:商业|商用)(?:授权|许可)|(?:商业|商用)[^.;!?]{0,40}前[,\s]*(?:请|须|需|必须|应当?)(?:先|事先)?|(?:填写|提交)[^.;!?]{0,40}(?:问卷|申请|表单|表格)|登记[^.;!?]{0,20}(?:视为|即可|方可)|申请[^.;!?]{0,20}(?:通过后|审核|批准)|(?:如需|若需|如果需要|如您需要)(?:获得|取得)?(?:商业|商用)(?:授权|许可)|(?:商业|商用)[^.;!?]{0,20}(?:须|需|需要|应当?|必须)[^.;!?]{0,6}(?:另行|单独)[^.;!?]{0,10}(?:许可|协议|授权|合同)|(?:如需|若需|如要|若要|如(?:您|果)?(?:需要|有意|希望|想要?|拟|计划)|若(?:您)?(?:需要|有意|希望|想要?|拟|计划))[^.;!?]{0,20}(?:商业(?:用途|使用|目的|化|授权|许可)|商用)[^.;!?]{0,16}?[,\s]*(?:请|须|需|应当?|务必)[^.;!?]{0,4}?(?:书面|事先|提前)?(?:与[^.;!?]{0,12})?联系)"),
        // 用于商业目的……则需要付费 / 企事业单位……需付费: a paid license first
        paid: re(r"(?:商业|商用|营利|企业|企事业单位|公司)[^.;!?]{0,40}(?:需要?|须|应当?|必须)(?:要)?(?:付费|支付费用|缴费|购买(?:商业|商用)?(?:授权|许可))"),
        no_need: re(r"(?:无需|无须|不需要|不必|毋需)[^.;!?]{0,6}(?:另行|单独|事先)?(?:取得|获得|获取|申请|登记|购买)(?:\s?(?:书面|商业|商用)?(?:授权|许可|同意))?"),
        unauthorised: re(r"(?:未经|未获得|未取得|未获)[^.;!?]{0,12}(?:书面授权|书面许可|书面同意)"),
        others: re(r"商标|商号|名称|标识|徽标|第三方|个人信息|肖像"),
        commercial: re(r"商业|商用|营利"),
        users: re(r"(?:月活跃用户|月活|日活跃用户|日活|活跃用户)[^.;!?]{0,24}?(\d[\d,.]*)\s*(亿|千万|百万|万)?|(\d[\d,.]*)\s*(亿|千万|百万|万)?\s*(?:名|个|位)?(?:月活跃用户|月活|日活跃用户)"),
        visits: re(r"(?:用户数量|访问量|访问次数)[^.;!?]{0,30}?(\d[\d,.]*)\s*(亿|千万|百万|万)?\s*人?次"),
        revenue: re(r"(?:营业收入|营收|年收入|收入|销售额|营业额)[^.;!?]{0,30}?(人民币|美元|rmb|usd|\$|¥|￥)?\s*(\d[\d,.]*)\s*(亿|千万|百万|万)?\s*(元|美元|人民币)?"),
        aup: re(r"(?:遵守|遵循)[^.;!?]{0,40}(?:使用限制|使用政策|使用规范|行为准则|可接受使用)|(?:不得|禁止|严禁|不要|请勿|切勿|不应|❌)[^.;!?]{0,40}(?:违法|非法|违反[^.;!?]{0,24}?(?:法律|法规))"),
        act_ban: re(r"(?:^|[\s(\[:,])(?:\(\w{1,2}\)\s*)?禁止(二次开发|转售|售卖|出售|再许可|创建衍生)|不得(?:对|将)(?:本|该)(?:模型|软件|作品)[^.;!?]{0,60}?(衍生作品|转售|出售|售卖|再许可)"),
        licensor_bound: re(r"(?:许可方|许可人|授权方|我们|本公司)(?:均)?不得"),
        field_ban: re(r"(?:不得|禁止|严禁|不作|不用于|不能用于|不要|请勿|切勿|不应|❌|未获(?:得)?许可)[^.;!?]{0,60}?(军事|武器|战争|监控|监视|医疗诊断|自动驾驶|竞争性?产品|竞品|竞争|托管使用|托管服务|诋毁|抹黑|未经\w{0,6}?安全审查|冒充他人|冒充(?:真实|真人|其他)|假冒他人|仿冒他人|深度伪造)"),
        // "“商业用途”是指…", "1.5 衍生品:指…", "1.2 “非商业用途”是指…": a term
        // defined, nothing granted or limited
        definition: re(r"^(?:\d+(?:\.\d+)*\.?\s+)?[^.;!?]{0,40}?(?:是指|系指|:\s*指|\x22\s*指)"),
        territory: re(r"(?:仅|只)(?:能|可|限)?(?:在|于)(?:中华人民共和国|中国)(?:大陆)?(?:境内|地区|范围内)"),
        academic_audience: re(r"面向[^.;!?]{0,40}(?:大学|高校|研究所|研究院|科研机构|研究机构|研究者|研究人员|科研人员)[^.;!?]{0,6}?免费(?:开放|提供|使用|授权)"),
        other_audience: re(r"企业|公司|开发者|商业|所有人|任何人|公众"),
        not_under_this: re(r"本许可(?:证|协议)?不(?:允许|许可)(?:共享|分发|再分发|发布)"),
        non_profit_item: re(r"^(?:\(\w{1,3}\)\s*)?(?:非营利|非盈利)(?:性)?[^.;!?]{0,20}?(?:机构|组织|单位|实验室)"),
        attribution: re(r"(?:署名|标注|注明|标明|(?:请|须|应当?|必须)[^.;!?]{0,30}声明[^.;!?]{0,4}\x22|显著[^.;!?]{0,6}(?:标示|展示|说明)|(?:附上|保留|提供|明确)[^.;!?]{0,30}(?:来源|出处))"),
        asked: re(r"请(?:在|于)[^.;!?]{0,30}?(?:署名|标注|注明|标明)"),
        name_prefix: re(r#"名称的?(?:开头|开始|前面)[^.;!?]{0,8}(?:添加|加上|包含|使用)[^.;!?]{0,4}"((?u:[^"]){2,30})""#),
        // a small Unicode class, cheap to build
        quoted: Regex::new(r#"[“"]([^”"]{2,40})[”"]"#)
            .unwrap_or_else(|e| panic!("quoted pattern: {e}")),
        license_copy: re(r"(?:本协议|本许可证?|许可证)(?:的)?副本|协议副本"),
        no_training: re(r"(?:不得|禁止|严禁)[^.;!?]{0,30}(?:改进|训练|开发|提升)[^.;!?]{0,20}(?:其他|其它|任何)[^.;!?]{0,10}(?:模型|大模型|人工智能)|(?:不得|禁止|严禁)[^.;!?]{0,30}(?:模型|权重|输出)[^.;!?]{0,30}(?:用于|用作)[^.;!?]{0,30}训练"),
        passdown: re(r"(?:衍生|再分发|分发|转授权)[^.;!?]{0,40}(?:应当|须|必须|需)[^.;!?]{0,30}(?:遵守|包含|受)[^.;!?]{0,20}(?:限制|约束|条款)|同时遵守[^.;!?]{0,20}(?:底座|基础|原始)?模型[^.;!?]{0,6}(?:许可证|许可协议|协议)|下游(?:用户|接收者|使用者)[^.;!?]{0,60}(?:遵守|受[^.;!?]{0,6}约束)|遵守对应[^.;!?]{0,10}(?:许可证|许可协议)|要求下游(?:用户|接收者|使用者)|(?:必须|须|应当?)[^.;!?]{0,6}(?:在|按照?|依据|根据)本(?:协议|许可证?)(?:的)?条款下[^.;!?]{0,20}?(?:传播|分发|发布|提供)|(?:须|应当?|必须|需要?)(?:先)?(?:阅读|遵守|遵循)[^.;!?]{0,10}?模型(?:的)?(?:完整)?(?:条款|许可协议|许可证|许可)"),
    })
}

/// True when the sentence names commercial and non-commercial use together
/// (用于商业或非商业用途): both granted, neither a limit.
fn grants_both(s: &str) -> bool {
    BOTH.iter().any(|both| s.contains(both))
}

/// The ways of naming commercial and non-commercial use together.
const BOTH: [&str; 6] = [
    "商业或非商业",
    "商业和非商业",
    "商业与非商业",
    "商业及非商业",
    "非商业或商业",
    "非商业和商业",
];

/// True when the Chinese sentence defines a term ("“商业用途”是指…").
pub fn is_definition(s: &str) -> bool {
    is_chinese(s) && rules().definition.is_match(s)
}

/// The term a Chinese sentence defines whose definition sets a research
/// scope ("“非商业用途” 是指仅将本软件用于内部学术研究、教学……"): the term
/// and the limit it carries wherever a grant is confined to it.
pub fn defined_scope(s: &str) -> Option<(String, ObligationKind)> {
    static TERM: OnceLock<Regex> = OnceLock::new();
    let term = TERM.get_or_init(|| {
        re(r"^(?:\d+(?:\.\d+)*\.?\s+)?\x22((?u:[^\x22]){1,20})\x22\s*(?:是指|系指|:\s*指|指)((?u:.)*)$")
    });
    let c = term.captures(s)?;
    let (name, body) = (c.get(1)?.as_str().trim(), c.get(2)?.as_str());
    rules()
        .research_only
        .iter()
        .any(|p| p.is_match(body))
        .then(|| (name.to_string(), ObligationKind::ResearchOnly))
}

/// True when the Chinese sentence confines what it says to `term` (仅可为
/// 内部非商业用途而使用: 仅 or 只 in the few characters before it).
pub fn scopes_term(s: &str, term: &str) -> bool {
    s.match_indices(term).any(|(at, _)| {
        let before: String = s[..at].chars().rev().take(8).collect();
        before.contains('仅') || before.contains('只') || s[at + term.len()..].starts_with("为限")
    })
}

/// True when the sentence holds Chinese (CJK ideographs).
pub fn is_chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c))
}

/// `100` with 万 / 百万 / 千万 / 亿 applied.
fn amount(number: &str, scale: Option<&str>) -> Option<u64> {
    let cleaned: String = number.trim_end_matches(['.', ',']).replace(',', "");
    let base: f64 = cleaned.parse().ok()?;
    let mult = match scale {
        Some("万") => 1e4,
        Some("百万") => 1e6,
        Some("千万") => 1e7,
        Some("亿") => 1e8,
        _ => 1.0,
    };
    let v = base * mult;
    (0.0..1e18).contains(&v).then_some(v.round() as u64)
}

fn currency(sym: Option<&str>, unit: Option<&str>) -> &'static str {
    match (sym, unit) {
        (Some("美元" | "usd" | "$"), _) | (_, Some("美元")) => "USD",
        _ => "CNY",
    }
}

/// The decisive clauses of one normalised Chinese sentence, as (kind, value):
/// its thresholds, then what it says of commercial use, of research, of
/// approval asked elsewhere, and the duties it sets.
pub fn scan(s: &str) -> Vec<(ObligationKind, String)> {
    let r = rules();
    let mut found = Vec::new();
    let thresholded = thresholds(r, s, &mut found);
    let definition = r.definition.is_match(s);
    commercial_terms(r, s, (definition, thresholded), &mut found);
    research_terms(r, s, definition, &mut found);
    approval_elsewhere(r, s, definition, &mut found);
    duties(r, s, &mut found);
    found
}

/// What `s` says of commercial use: approval before it (registration,
/// written authorisation, a paid license), one narrow act behind
/// permission, or a non-commercial scope. `definition`: `s` defines a
/// term; `thresholded`: `s` holds a threshold.
fn commercial_terms(
    r: &Rules,
    s: &str,
    (definition, thresholded): (bool, bool),
    found: &mut Vec<(ObligationKind, String)>,
) {
    // (侵犯他人商业秘密: a trade secret, no commercial use)
    let nc = without_trade_terms(s);
    let nc = nc.as_ref();
    let commercial = r.commercial.is_match(nc);
    // 无需另行取得商业许可: no approval needed
    // consent to transfer or amend the agreement is no approval of use
    // (asked only where it can change the answer: it is one of the dearer reads)
    let housekeeping = || super::clauses::boilerplate::housekeeping_consent(s);
    // “雅意 YAYI 2 模型”是指被授权人申请出于商业用途使用的……模型: the
    // licence is defined as the one applied for, an application first
    let applied_for = definition && applied_for_commercial_use(s);
    let approval = applied_for
        || r.approval.is_match(s) && !definition && !r.no_need.is_match(s) && !housekeeping();
    // a threshold's sentence asks for a license above its size; a
    // registration in it (登记) is asked below it too
    let paid = r.paid.is_match(s) && !definition && !thresholded;
    // 在未获得作者另行书面授权的情况下: nothing beyond what follows without
    // the licensor's written authorisation (not a trademark's or a third
    // party's consent)
    let unauthorised =
        r.unauthorised.is_match(s) && !r.others.is_match(s) && !definition && !housekeeping();
    // 公开版必须移除或取得书面许可: a written permission the user must
    // obtain, whatever the act it is asked for
    let written_required =
        r.written_required.is_match(s) && !definition && !r.no_need.is_match(s) && !housekeeping();
    let gated = (approval && commercial && (!thresholded || s.contains("登记")))
        || paid
        || written_required;
    if unauthorised && !gated && super::clauses::gate::gates_narrow_act(s) {
        // 未经许可方书面授权，不得将本模型权重固化于芯片: one narrow act
        // behind permission, a field of use left alone
        found.push((
            ObligationKind::FieldOfUseBan,
            super::clauses::gate::GATED.to_string(),
        ));
    } else if gated || unauthorised {
        // 商业使用须事先登记并获得书面授权: approval before commercial use
        found.push((ObligationKind::Registration, String::new()));
        // 上述许可针对非商业用途……若需……用于商业用途，请……进行登记: the
        // grant's non-commercial scope, in the same sentence as the path
        // to commercial use, is cited as well
        if !definition
            && !thresholded
            && !grants_both(s)
            && r.non_commercial[..2].iter().any(|p| p.is_match(nc))
        {
            found.push((ObligationKind::NonCommercial, String::new()));
        }
    } else if !definition
        && !thresholded
        && !grants_both(s)
        && (r.non_commercial.iter().any(|p| p.is_match(nc)) || r.non_profit_item.is_match(s))
    {
        found.push((ObligationKind::NonCommercial, String::new()));
    }
}

/// A scope of research or academic use in `s` (not a definition's).
fn research_terms(r: &Rules, s: &str, definition: bool, found: &mut Vec<(ObligationKind, String)>) {
    // 仅用于评估的数据: data used only for evaluation, not the model's scope
    let scoped = r.data_attribute.replace_all(s, "");
    // 不仅可用于研究: not research alone
    let research_object = r.research_object.is_match(&scoped) && !s.contains("不仅");
    if !definition
        && (r.research_only.iter().any(|p| p.is_match(&scoped))
            || research_object
            || academic_grant(r, s))
    {
        found.push((ObligationKind::ResearchOnly, String::new()));
    }
}

/// Approval asked outside the grant, where `s` asks none yet: a use not
/// covered by this license, or commercial terms licensed separately
/// (商业条款另行授权).
fn approval_elsewhere(
    r: &Rules,
    s: &str,
    definition: bool,
    found: &mut Vec<(ObligationKind, String)>,
) {
    let separately = || !definition && super::clauses::terms_zh::commercial_licensed_separately(s);
    if (r.not_under_this.is_match(s) || separately())
        && !found
            .iter()
            .any(|(k, _)| *k == ObligationKind::Registration)
    {
        found.push((ObligationKind::Registration, String::new()));
    }
}

/// The duties and bans `s` sets: territory, use policy, fields of use,
/// attribution, license copy, name prefix, training other models, pass-down.
fn duties(r: &Rules, s: &str, found: &mut Vec<(ObligationKind, String)>) {
    if r.territory.is_match(s) {
        found.push((ObligationKind::TerritoryExclusion, "outside China".into()));
    }
    // 模型权重另受……协议约束: the model's own terms to accept
    if r.aup.is_match(s) || super::clauses::terms_zh::model_terms_to_accept(s) {
        found.push((ObligationKind::AcceptableUsePolicy, String::new()));
    }
    found.extend(field_of_use(r, s));
    // 建议署名 (a suggested credit line), or the terms of third parties'
    // data (第三方数据集仍可能存在……署名……限制), asks nothing of the user
    // a request in the imperative (请在发布说明中标注变更内容) asks it of the
    // user, whoever's the model changed
    let asks_nothing = s.starts_with("建议")
        || (s.contains("第三方")
            && !["须", "应当", "必须"].iter().any(|d| s.contains(d))
            && !r.asked.is_match(s));
    if r.attribution.is_match(s) && !asks_nothing {
        let quoted = r
            .quoted
            .captures(s)
            .and_then(|c| c.get(1))
            .map(|m| m.as_str().to_string())
            .unwrap_or_default();
        found.push((ObligationKind::Attribution, quoted));
    }
    if r.license_copy.is_match(s) {
        found.push((ObligationKind::LicenseCopy, String::new()));
    }
    if let Some(m) = r.name_prefix.captures(s).and_then(|c| c.get(1)) {
        found.push((ObligationKind::NamePrefix, m.as_str().to_string()));
    }
    if r.no_training.is_match(s) {
        found.push((ObligationKind::NoTrainingOtherModels, String::new()));
    }
    // 许可证：GPL-3.0, 不能以工具包的 Apache 许可替代: the model's own terms
    if r.passdown.is_match(s) || super::clauses::terms_zh::model_terms_pass_down(s) {
        found.push((ObligationKind::UseRestrictionsPassdown, String::new()));
    }
}

/// True when a definition makes the thing licensed the one the licensee
/// applied for to use commercially (“雅意 YAYI 2 模型”是指被授权人申请出于商业
/// 用途使用的……模型): the license presupposes an application.
fn applied_for_commercial_use(s: &str) -> bool {
    static APPLIED: OnceLock<Regex> = OnceLock::new();
    APPLIED
        .get_or_init(|| {
            re(r"(?:是指|系指|指)[^.;!?]{0,20}(?:被授权人|被许可人|您|用户)[^.;!?]{0,6}(?:申请|登记)[^.;!?]{0,10}(?:商业|商用)")
        })
        .is_match(s)
}

/// True when the sentence opens the model free to academic users only
/// (大学, 研究所, 研究者), no company or developer named beside them.
fn academic_grant(r: &Rules, s: &str) -> bool {
    r.academic_audience
        .find(s)
        .is_some_and(|m| !r.other_audience.is_match(m.as_str()))
}

/// The user, visit and revenue thresholds a sentence sets (月活跃用户超过1亿,
/// 年收入超过1亿人民币), pushed to `found`; whether it sets any.
fn thresholds(r: &Rules, s: &str, found: &mut Vec<(ObligationKind, String)>) -> bool {
    let users = r.users.captures(s).and_then(|c| {
        let (n, scale) = match c.get(1) {
            Some(n) => (n, c.get(2)),
            None => (c.get(3)?, c.get(4)),
        };
        amount(n.as_str(), scale.map(|m| m.as_str()))
    });
    let visits = r
        .visits
        .captures(s)
        .and_then(|c| amount(c.get(1)?.as_str(), c.get(2).map(|m| m.as_str())));
    if let Some(n) = users {
        found.push((ObligationKind::UserThreshold, n.to_string()));
    } else if let Some(n) = visits {
        found.push((
            ObligationKind::UserThreshold,
            format!("{n} visits per month"),
        ));
    }
    let revenue = r.revenue.captures(s).and_then(|c| {
        let n = amount(c.get(2)?.as_str(), c.get(3).map(|m| m.as_str()))?;
        let cur = currency(c.get(1).map(|m| m.as_str()), c.get(4).map(|m| m.as_str()));
        // a bare number with no scale, unit or currency is not an amount
        (c.get(1).is_some() || c.get(3).is_some() || c.get(4).is_some())
            .then(|| format!("{cur} {n}"))
    });
    let any = users.is_some() || visits.is_some() || revenue.is_some();
    if let Some(v) = revenue {
        found.push((ObligationKind::RevenueThreshold, v));
    }
    any
}

/// A field of use the sentence bans (军事, 武器, 监控 …), or the model's own
/// derivatives or resale it bans (a condition on use).
fn field_of_use(r: &Rules, s: &str) -> Option<(ObligationKind, String)> {
    if let Some(c) = r.field_ban.captures(s) {
        let field = match c.get(1).map_or("", |m| m.as_str()) {
            "军事" | "战争" => "military",
            "武器" => "weapons",
            "监控" | "监视" => "surveillance",
            "医疗诊断" => "medical diagnosis",
            "自动驾驶" => "autonomous driving",
            "托管使用" | "托管服务" => "hosting use",
            "诋毁" | "抹黑" => "disparaging the licensor",
            // 冒充他人的克隆音色, 假冒他人: passing off as a real person
            f if f.contains("冒") || f == "深度伪造" => "impersonation",
            f if f.starts_with("未经") => "internet services without security review",
            _ => "competing products",
        };
        Some((ObligationKind::FieldOfUseBan, field.to_string()))
    } else if let Some(c) = r
        .act_ban
        .captures(s)
        .filter(|_| !r.licensor_bound.is_match(s))
    {
        // the model's own derivatives or resale banned: a condition on use
        let act = match c.get(1).or_else(|| c.get(2)).map_or("", |m| m.as_str()) {
            "二次开发" | "创建衍生" | "衍生作品" => "derivative works",
            "再许可" => "sublicensing",
            _ => "resale",
        };
        Some((ObligationKind::FieldOfUseBan, act.to_string()))
    } else {
        None
    }
}

/// True when the sentence grants commercial use outright (可以用于商业用途,
/// 允许商业使用), without a negation, a non-commercial limit or a condition
/// of approval in the same sentence.
pub fn grants_commercial(s: &str) -> bool {
    static GRANT: OnceLock<(Regex, Regex)> = OnceLock::new();
    let (grant, against) = GRANT.get_or_init(|| {
        (
            // 可以用于商业用途; 个人、开源和商业项目可以使用 (the users named first)
            re(r"(?:可以|可|允许|准许|授予|免费|支持)[^.;!?]{0,20}(?:商业用途|商用|商业使用|商业目的|商业产品|商业化)|(?:允许|可以|授予|免费)[^.;!?]{0,40}(?:包括|包含|含)(?:用于)?(?:商业用途|商业使用|商用|商业目的|商业应用)|商业(?:项目|用户|机构|公司|企业|产品|用途)[^.;!?]{0,6}?(?:均|也|亦)?(?:可以|可|允许)(?:免费)?(?:使用|复制|集成|部署)|(?:商业使用|商用|商业用途)[\s|:]{1,6}(?:允许|可以)"),
            re(r"非商业|不得|不能|不可|禁止|严禁|如需|若需|如果|须|需要|需|应当|登记|申请|授权"),
        )
    });
    // "无需另行取得商业许可" (no separate license needed) limits nothing
    let plain = rules().no_need.replace_all(s, "");
    // 商业与非商业使用 grants both: read as 商业使用
    let plain = BOTH
        .iter()
        .fold(plain.into_owned(), |acc, both| acc.replace(both, "商业"));
    // The grant is read in its own clause (本模型可免费商用，但须注明来源):
    // a duty or a threshold in another clause of the sentence is weighed as
    // its own clause, not as a limit on the grant. A non-commercial scope
    // or a carve-out of commercial use anywhere in the sentence withholds it.
    let carved_out = !grants_both(s)
        && (s.contains("非商业") || rules().non_commercial.iter().any(|p| p.is_match(s)));
    let in_a_clause = std::iter::once(plain.as_ref())
        .chain(plain.split([',', ':']))
        // a label and its value (商业使用: 允许, 须注明出处)
        .chain(plain.split(','))
        .any(|c| grant.is_match(c) && !against.is_match(c));
    // an approval asked in another clause holds the grant, unless a
    // threshold's figure says it is asked above a size only
    let r = rules();
    let thresholded = r.users.is_match(s) || r.visits.is_match(s) || r.revenue.is_match(s);
    let approval_beside = approval_words().is_match(&plain) && !thresholded;
    (in_a_clause && !carved_out && !approval_beside) || grants_use(s)
}

/// Words of registration, application or authorisation.
fn approval_words() -> &'static Regex {
    static APPROVAL: OnceLock<Regex> = OnceLock::new();
    APPROVAL.get_or_init(|| re(r"登记|申请|授权|书面(?:许可|同意)"))
}

/// True when the sentence grants a license of any scope (特此授予您……许可,
/// 您可以出于非商业用途使用): a grant, limited or not.
pub fn grants_any(s: &str) -> bool {
    static GRANT: OnceLock<Regex> = OnceLock::new();
    GRANT
        .get_or_init(|| {
            re(r"授予(?:您|你|被许可人|任何)[^.;!?]{0,60}(?:许可|使用权|权利)|(?:您|你)可以[^.;!?]{0,20}(?:使用|复制|修改|分发)|允许[^.;!?]{0,20}(?:使用|复制|修改|分发)")
        })
        .is_match(s)
}

/// True when the sentence grants a license to use the model with no purpose
/// named ("特此授予您……的使用许可", "您可以自由使用……"): a grant that
/// includes commercial use unless the text limits it elsewhere (which the
/// reader checks before taking it).
fn grants_use(s: &str) -> bool {
    static GRANT: OnceLock<(Regex, Regex)> = OnceLock::new();
    let (grant, against) = GRANT.get_or_init(|| {
        (
            re(r"授予(?:您|你|被许可人)[^.;!?]{0,60}(?:许可|使用权)|特此(?:免费)?授予任何[^.;!?]{0,60}(?:权利|许可)|(?:您|你)可以(?:自由地?|免费地?)?(?:使用|复制|修改|分发)"),
            re(r"非商业|不得|禁止|严禁|仅|只能|只可|限于|登记|申请|书面|研究|学术"),
        )
    });
    // "包括但不限于" (including but not limited to) widens a grant
    grant.is_match(s) && !against.is_match(&s.replace("不限于", ""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::license::text::NormText;

    /// The clause kinds of `text` as the normaliser hands it on.
    fn kinds(text: &str) -> Vec<(ObligationKind, String)> {
        scan(&NormText::new(text).norm)
    }

    fn has(text: &str, kind: ObligationKind) -> bool {
        kinds(text).iter().any(|(k, _)| *k == kind)
    }

    // Sentences quoted from real licenses (sources in tests/license-eval).
    #[test]
    fn non_commercial_grants() {
        // bilibili Index-1.9B model license
        assert!(has(
            "您可以出于非商业用途使用此许可。",
            ObligationKind::NonCommercial
        ));
        // ChatGLM-6B model license (2023-05)
        assert!(has(
            "您不得出于任何商业、军事或非法目的使用、复制、修改、合并、发布、分发、复制或创建本软件的全部或部分衍生作品。",
            ObligationKind::NonCommercial
        ));
    }

    #[test]
    fn use_on_condition_of_seeking_no_profit() {
        // TrendCast Pro non-commercial license (unseen10), a "you may" item
        let s = "2. 非商业用途:在不以营利为目的、不直接或间接产生商业收益的前提下使用本软件;";
        assert!(has(s, ObligationKind::NonCommercial), "{:?}", kinds(s));
        // paraphrases
        for s in [
            "您可以在不以盈利为目的的情况下免费使用本模型。",
            "用户可在不以商业为目的之条件下复制和修改本模型。",
        ] {
            assert!(has(s, ObligationKind::NonCommercial), "{s}: {:?}", kinds(s));
        }
        // a licensor's purpose stated of itself scopes nothing
        let s = "本项目不以营利为目的，欢迎任何人免费商用。";
        assert!(!has(s, ObligationKind::NonCommercial), "{:?}", kinds(s));
    }

    #[test]
    fn hosting_use_unlicensed_and_weights_passed_on_under_these_terms() {
        // Falcon 180B TII license, Chinese translation (unseen11), 9.3
        let s = "9.3. 受第9.4節的限制，您未獲許可在此許可證下使用作品或衍生作品進行**托管使用**。";
        assert!(
            kinds(s).contains(&(ObligationKind::FieldOfUseBan, "hosting use".into())),
            "{:?}",
            kinds(s)
        );
        // paraphrase
        let s = "您不得将本模型用于提供托管服务。";
        assert!(has(s, ObligationKind::FieldOfUseBan), "{:?}", kinds(s));
        // MultiMolecule license FAQ (unseen11), answers 2 and 3
        for s in [
            "若你传播本协议所涵盖的模型权重，则你必须在本协议条款下传播这些权重，并同时提供相应源代码（Corresponding Source）。",
            "若你传播本协议所涵盖的模型权重，则你还必须在本协议条款下向接收者提供用于训练、更新或修改该等权重的任何训练数据集。",
            // paraphrase
            "分发衍生模型时，您须按照本许可证的条款下发布该模型。",
            // tingjian-asr-tts-model-dependency-licence-boundary-zh.txt
            // (unseen18): a model under its own terms, not the toolkit's
            "应阅读其中的完整模型条款，不能直接以工具包的 Apache 许可替代。",
            // paraphrases
            "使用前须遵守原始模型的许可协议。",
            "部署时应当遵循所选模型的完整条款。",
        ] {
            assert!(
                has(s, ObligationKind::UseRestrictionsPassdown),
                "{s}: {:?}",
                kinds(s)
            );
        }
        // hosting named without a ban, and terms read but not passed on
        assert!(!has(
            "本模型可用于托管服务。",
            ObligationKind::FieldOfUseBan
        ));
        assert!(!has(
            "您可以在本协议条款下使用本模型。",
            ObligationKind::UseRestrictionsPassdown
        ));
        // terms read by the licensor, or a model named without its terms
        for s in [
            "我们已阅读上游模型的完整条款。",
            "须阅读本文档后再下载模型。",
        ] {
            assert!(
                !has(s, ObligationKind::UseRestrictionsPassdown),
                "{s}: {:?}",
                kinds(s)
            );
        }
    }

    #[test]
    fn approval_before_commercial_use() {
        // Orion-14B community license (Chinese version)
        let s = "如果您计划将【Orion-14B系列】模型或其衍生品用于商业目的，应当按照本协议提供的联络方式，事先向许可方登记并获得许可方的书面授权。";
        assert!(has(s, ObligationKind::Registration), "{:?}", kinds(s));
        assert!(!has(s, ObligationKind::NonCommercial));
        // 360 Zhinao open model license
        let s = "若需将本模型及衍生模型用于商业用途,请通过邮箱（g-zhinao-opensource@360.cn）联系许可方进行申请。";
        assert!(has(s, ObligationKind::Registration), "{:?}", kinds(s));
    }

    #[test]
    fn a_contact_in_writing_before_commercial_use() {
        // iFLYTEK Spark-13B model license (unseen12), 二.2: written contact
        // before commercial use is the path to a permission
        let s = "2. 如您需要商业用途使用，请书面联系许可方。";
        assert!(has(s, ObligationKind::Registration), "{:?}", kinds(s));
        // paraphrases: another wish, another directive, traditional script
        for s in [
            "如需将本模型用于商业用途，请与我们书面联系。",
            "若您希望商用本模型，请事先联系作者。",
            "如您有意將本模型用於商業用途，請書面聯繫授權方。",
        ] {
            assert!(has(s, ObligationKind::Registration), "{s}: {:?}", kinds(s));
        }
        // a contact for questions or business cooperation asks nothing
        for s in ["如有任何问题，请联系我们。", "如需商业合作，请联系我们。"]
        {
            assert!(!has(s, ObligationKind::Registration), "{s}: {:?}", kinds(s));
        }
    }

    #[test]
    fn a_licence_defined_as_the_one_applied_for() {
        // YAYI 2 commercial license (held-out): the model is defined as the
        // one the licensee applied to use commercially
        let s =
            "“雅意 YAYI 2 模型”是指被授权人申请出于商业用途使用的中科闻歌以雅意 YAYI 命名的模型。";
        assert!(has(s, ObligationKind::Registration), "{:?}", kinds(s));
        // paraphrases: another licensee's name, registration for it
        for s in [
            "“本模型”是指被许可人申请用于商业用途的模型权重。",
            "1.3 “授权模型”系指您登记并获准商用的模型。",
        ] {
            assert!(has(s, ObligationKind::Registration), "{s}: {:?}", kinds(s));
        }
        // a definition of the licensee or of a derivative asks nothing
        for s in [
            "“被授权人”是指行使本协议授予的权限使用雅意 YAYI 2 模型及创建模型衍生品的个人或法人实体。",
            "“商业用途”是指使用模型直接或间接为实体或个人进行运营、推广或盈利目的用途。",
        ] {
            assert!(!has(s, ObligationKind::Registration), "{s}: {:?}", kinds(s));
        }
    }

    #[test]
    fn research_only_grants() {
        // ChatGLM-6B model license (2023-05)
        let s = "许可方特此授予您非排他性、全球性、不可转让、不可再许可、可撤销、免版税的版权许可，仅用于您的非商业研究目的。";
        assert!(has(s, ObligationKind::ResearchOnly), "{:?}", kinds(s));
    }

    #[test]
    fn research_as_the_one_use_left() {
        for s in [
            // stemscore-model-licence-register-private-runtime-zh.txt (unseen18)
            "仅可用于用户有权进行的本地研究;私有仓库状态不会扩大许可,公开发行必须移除该权重",
            // paraphrases
            "该权重只能用于内部研究。",
            "本模型仅供研究。",
            "仅限用于个人研究使用,不得分发。",
        ] {
            assert!(has(s, ObligationKind::ResearchOnly), "{s}: {:?}", kinds(s));
        }
        for s in [
            "本模型不仅可用于研究,也可用于商业产品。",
            "仅用于研究人员之间的交流。",
            "本项目用于研究和商业用途。",
            "该数据集仅用于研究的评估数据。",
        ] {
            assert!(!has(s, ObligationKind::ResearchOnly), "{s}: {:?}", kinds(s));
        }
    }

    #[test]
    fn a_license_named_by_its_non_commercial_scope() {
        // family-memory-album-model-weight-licence-register-zh.txt (unseen18)
        let webface = "| AdaFace IR-18 (WebFace4M) | 人脸识别（本地现役，512 维） | 仓库 MIT | **WebFace4M 非商业研究许可**——仓库 MIT 只覆盖代码，不覆盖权重 | 本地自用可；出厂分发禁止";
        let zoo = "| ArcFace-w600k_r50 (insightface) | 人脸识别备选 | 仓库 MIT（代码自实现无 pip 依赖） | insightface 官方 zoo 权重**非商业研究许可** | 同上 |";
        for s in [webface, zoo, "该权重遵循发布方的非商业学术研究授权。"] {
            assert!(has(s, ObligationKind::NonCommercial), "{s}: {:?}", kinds(s));
            assert!(has(s, ObligationKind::ResearchOnly), "{s}: {:?}", kinds(s));
        }
        // paraphrases without research: non-commercial only
        for s in ["模型权重采用非商业许可。", "VenusFactory 非商业许可协议"] {
            assert!(has(s, ObligationKind::NonCommercial), "{s}: {:?}", kinds(s));
            assert!(!has(s, ObligationKind::ResearchOnly), "{s}: {:?}", kinds(s));
        }
        for s in [
            "本模型采用商业许可,可用于商业产品。",
            "代码采用 MIT 许可。",
            "非商业用户与企业均可免费使用。",
        ] {
            assert!(
                !has(s, ObligationKind::NonCommercial),
                "{s}: {:?}",
                kinds(s)
            );
            assert!(!has(s, ObligationKind::ResearchOnly), "{s}: {:?}", kinds(s));
        }
    }

    #[test]
    fn a_written_permission_the_user_must_obtain() {
        for s in [
            // stemscore-model-licence-register-private-runtime-zh.txt (unseen18)
            "| BS-RoFormer Resurrection | [pcunwa/BS-Roformer-Resurrection](https://huggingface.co/pcunwa/BS-Roformer-Resurrection)，未声明权重许可 | 仅进入 `localOnly=true` 私有运行时；公开版必须移除或取得书面许可 |",
            // paraphrases
            "再分发本模型须事先取得作者的书面授权。",
            "对外发布前需获得权利人书面同意。",
        ] {
            assert!(has(s, ObligationKind::Registration), "{s}: {:?}", kinds(s));
        }
        for s in [
            "再分发本模型无需取得书面许可。",
            "本协议的转让须取得对方书面同意。",
            "许可方已取得书面授权。",
        ] {
            assert!(!has(s, ObligationKind::Registration), "{s}: {:?}", kinds(s));
        }
    }

    #[test]
    fn thresholds_with_their_figures() {
        // CogVideoX license (Chinese version)
        let found = kinds("您的商业活动的服务用户数量（访问量）不得超过100万人次访问 / 每月。");
        assert!(
            found.contains(&(
                ObligationKind::UserThreshold,
                "1000000 visits per month".into()
            )),
            "{found:?}"
        );
        let found = kinds("若您或您的关联方的月活跃用户超过1亿，您须向我们申请许可。");
        assert!(
            found.contains(&(ObligationKind::UserThreshold, "100000000".into())),
            "{found:?}"
        );
        assert!(!found
            .iter()
            .any(|(k, _)| *k == ObligationKind::Registration));
        let found = kinds("年营业收入超过人民币10亿元的，应当另行取得许可。");
        assert!(
            found.contains(&(ObligationKind::RevenueThreshold, "CNY 1000000000".into())),
            "{found:?}"
        );
    }

    #[test]
    fn duties() {
        // bilibili Index-1.9B model license
        assert!(has(
            "您必须向 bilibili Index-1.9B 模型或其模型衍生品的任何第三方使用者提供 bilibili Index-1.9B 模型的来源以及本协议的副本。",
            ObligationKind::LicenseCopy
        ));
        assert!(has(
            "您同意在使用bilibili Index许可的模型或其模型的衍生物品时，严格遵守本协议附件A所列举的各项使用限制。",
            ObligationKind::AcceptableUsePolicy
        ));
        let found = kinds("标注内容包括但不限于“bilibili Index Inside”");
        assert!(found
            .iter()
            .any(|(k, v)| *k == ObligationKind::Attribution && v == "bilibili index inside"));
    }

    #[test]
    fn bans_on_derivatives_or_resale_of_the_model() {
        // moziai-35b-custom-restricted-license-1.0-zh.txt (tests/license-eval)
        for s in [
            "(a) 禁止二次开发:不得对本模型或其任何部分进行修改、翻译、改编、合并、微调、蒸馏、重新训练或创建衍生作品.",
            "(b) 禁止转售与售卖:不得将本模型单独或作为产品组成部分进行出售、转售、租聚或任何形式的直接收费.",
            // paraphrases
            "您不得将本模型单独出售.",
            "不得对本模型进行修改或创建衍生作品.",
        ] {
            assert!(has(s, ObligationKind::FieldOfUseBan), "{:?}", kinds(s));
        }
        // the licensor bound, or derivatives allowed, asks nothing
        for s in [
            "许可方不得对您的衍生作品主张任何权利.",
            "您可以对本模型进行二次开发并出售衍生作品.",
        ] {
            assert!(!has(s, ObligationKind::FieldOfUseBan), "{:?}", kinds(s));
        }
    }

    #[test]
    fn use_bans_and_base_terms() {
        // Firefly LM model license
        assert!(has(
            "❌ **军事或战争用途**：任何用于武器或战争相关的应用",
            ObligationKind::FieldOfUseBan
        ));
        assert!(has(
            "使用 Firefly 聚合 LoRA 权重时，请同时遵守对应底座模型许可证。",
            ObligationKind::UseRestrictionsPassdown
        ));
    }

    #[test]
    fn impersonation_bans_are_fields_of_use() {
        for s in [
            // tingjian-asr-tts-model-dependency-licence-boundary-zh.txt
            // (tests/license-eval, unseen18)
            "不要引入来源不明的模型、冒充他人的克隆音色，或把评测录音误用为可公开分发的素材。",
            // paraphrases
            "禁止使用本模型合成的语音冒充他人进行诈骗。",
            "请勿将克隆音色用于假冒他人身份。",
            "不得利用本模型制作深度伪造内容。",
        ] {
            assert!(
                kinds(s).contains(&(ObligationKind::FieldOfUseBan, "impersonation".into())),
                "{s}: {:?}",
                kinds(s)
            );
        }
        for s in [
            // said of a risk, nothing banned
            "语音克隆技术可能被用于冒充他人。",
            "本项目研究深度伪造检测方法。",
        ] {
            assert!(
                !has(s, ObligationKind::FieldOfUseBan),
                "{s}: {:?}",
                kinds(s)
            );
        }
    }

    #[test]
    fn a_change_note_asked_of_whoever_changes_a_third_party_model() {
        for s in [
            // shinobu-translator-manga-ocr-inpaint-model-notices-zh.txt
            // (tests/license-eval, unseen18)
            "如你修改了第三方模型或转换脚本，请在提交记录或发布说明中标注变更内容与日期。",
            // paraphrases
            "若改动了第三方权重，请在发布页注明修改之处。",
            "使用第三方模型时，请于产品说明中署名原作者。",
        ] {
            assert!(has(s, ObligationKind::Attribution), "{s}: {:?}", kinds(s));
        }
        for s in [
            // the terms of third parties' data, nothing asked of the user
            "第三方数据集仍可能存在署名等限制。",
            "第三方模型的许可证中标注了其作者。",
        ] {
            assert!(!has(s, ObligationKind::Attribution), "{s}: {:?}", kinds(s));
        }
    }

    #[test]
    fn more_phrasings_from_real_texts() {
        // 360 智脑开源模型许可证 (tests/license-eval)
        assert!(has(
            "上述许可针对非商业用途使用本模型及衍生模型之目的。",
            ObligationKind::NonCommercial
        ));
        // HCAM-100M weights license: commercial and non-commercial use granted
        assert!(!has(
            "你可以复制、修改、微调、合并、再发布以及用于商业或非商业用途，但在公开分享时必须给予合理署名。",
            ObligationKind::NonCommercial
        ));
        // YAYI 2 commercial license, IndexTTS2 (tests/license-eval)
        assert!(has(
            "被授权人承诺根据本协议基于雅意 YAYI 2 模型开发的服务与产品及模型衍生品不作军事用途。",
            ObligationKind::FieldOfUseBan
        ));
        assert!(has(
            "您应确保下游用户在使用您发布的本模型或您基于本模型开发的衍生品时，同样遵守本协议的相关规定。",
            ObligationKind::UseRestrictionsPassdown
        ));
        // a term defined decides nothing (Yuan 2.0 model license)
        assert!(is_definition(
            &NormText::new(
                "“商业用途”是指使用源2.0模型，直接或间接为法律实体或个人进行运营、推广或产生收入。"
            )
            .norm
        ));
        // a numbered definition (sjtu-venusfactory-non-commercial-license-zh.txt)
        let numbered = "**1.2 \"非商业用途\"** 是指仅将本软件用于内部学术研究、教学、个人学习或其他符合第 1.1 条规定的活动。";
        assert!(is_definition(&NormText::new(numbered).norm));
        assert!(!has(numbered, ObligationKind::ResearchOnly));
    }

    #[test]
    fn grants_of_commercial_use() {
        assert!(grants_commercial(
            &NormText::new("您可以将本模型用于商业用途。").norm
        ));
        assert!(!grants_commercial(
            &NormText::new("如需将本模型用于商业用途，须事先获得书面授权。").norm
        ));
        assert!(!grants_commercial(
            &NormText::new("本模型不可用于商业用途。").norm
        ));
        // a suggested credit line, and third parties' terms, ask nothing
        // (hcam-100m-model-weights-license.txt)
        assert!(!has("建议署名：", ObligationKind::Attribution));
        assert!(!has(
            "训练使用的第三方数据集仍可能存在独立许可、署名、ShareAlike 或使用限制；",
            ObligationKind::Attribution
        ));
        // a table row: commercial use | allowed (whatsbird-model-and-training-data-license-zh.txt)
        assert!(grants_commercial(
            &NormText::new(
                "| | CC BY 4.0 | |---|---| | 随意修改、再分发 | 允许 | | 商业使用 | 允许 |"
            )
            .norm
        ));
        assert!(grants_commercial(
            &NormText::new("CC BY 4.0 允许商用，与 NC 语料会直接冲突，所以这条筛选不要放宽。").norm
        ));
        assert!(!grants_commercial(
            &NormText::new("| 商业使用 | 不允许 |").norm
        ));
        // the users named before the grant (little-tree-classifier-model-terms-zh.txt)
        assert!(grants_commercial(
            &NormText::new("在遵守本条款及第三方权利的前提下，个人、开源和商业项目可以使用、复制、集成、转换、量化、微调、再分发模型并提供推理服务，但仅限发布者有权许可的内容。").norm
        ));
        assert!(!grants_commercial(
            &NormText::new("商业项目可以使用本模型，但须事先获得书面授权。").norm
        ));
        // a grant of use with no purpose named (IndexTTS2, the Chinese MIT text)
        assert!(grants_commercial(
            &NormText::new("我方特此授予您一项全球范围、非独占、不可转让、免费的使用许可。").norm
        ));
        assert!(grants_commercial(
            &NormText::new("特此免费授予任何获得本软件副本的人不受限制地处理本软件的权利。").norm
        ));
        assert!(!grants_commercial(
            &NormText::new("许可方授予您仅用于学术研究的使用许可。").norm
        ));
    }

    /// Sentences of the fresh license-eval set (tests/license-eval/texts).
    #[test]
    fn clauses_of_the_fresh_set_are_read() {
        use ObligationKind as K;
        for (text, kind) in [
            // brush-alarm-model-license-zh.txt
            ("在该范围内，任何人可以为非商业目的复制、分享和修改模型，但必须：", K::NonCommercial),
            ("不将模型用于收费产品、广告变现、商业集成、付费 API 或其他主要谋取商业利益的用途。", K::NonCommercial),
            ("当前模型不提供商业许可。", K::NonCommercial),
            // find-myself-model-license-zh.txt
            ("获得 InsightFace / `buffalo_l` 对应模型权重的明确商业授权；", K::Registration),
            ("商业化、收费服务、企业内部生产部署或面向第三方交付前，请先完成以下至少一项：", K::Registration),
            // little-tree-classifier-model-terms-zh.txt
            ("再分发原模型或衍生模型时，必须保留本条款和原始署名，并要求下游使用者继续保留来源。", K::UseRestrictionsPassdown),
            // openbmb-general-model-license-commercial-authorization.txt
            ("使用者使用通用模型和通用模型结果时须附上此通用模型的来源及本许可协议链接。", K::Attribution),
            // hcam-100m-model-weights-license.txt
            ("必须给予合理署名，并说明是否进行了修改。", K::Attribution),
        ] {
            assert!(has(text, kind), "{kind:?} not read in {text:?}: {:?}", kinds(text));
        }
        // the Chinese MIT text: "包括但不限于" widens the grant
        assert!(grants_commercial(
            &NormText::new("特此免费授予任何获得本软件及相关文档文件副本的人不受限制地处理本软件的权利，包括但不限于使用、复制、修改、合并、发布、分发、再许可和/或销售软件副本的权利").norm
        ));
    }

    #[test]
    fn a_declaration_to_make_and_use_without_written_authorisation() {
        // hit-scir-ltp-license.txt (tests/license-eval): a declaration to make
        // when publishing
        assert!(has("如果您在 LTP 基础上发表论文或取得科研成果，请您在发表论文和申报成果时声明“使用了哈工大社会计算与信息检索研究中心研制的语言技术平台（LTP）”。", ObligationKind::Attribution));
        // purevox-builtin-model-license-zh.txt: what follows holds without
        // the author's written authorisation
        assert!(has(
            "在未获得作者另行书面授权的情况下：",
            ObligationKind::Registration
        ));
        // a trademark's consent is not the licensor's approval of use
        assert!(!has(
            "未经许可方书面同意，您不得使用许可方的商标。",
            ObligationKind::Registration
        ));
    }

    /// Round 10: the Chinese clauses of the known and unseen sets that were
    /// read but not cited, each class with a paraphrase.
    #[test]
    fn territory_academic_audience_and_non_profit_licensees() {
        use ObligationKind as K;
        for (text, kind) in [
            // yayi2-community-license.txt (tests/license-eval)
            ("仅在中华人民共和国境内存储、处理从许可方知晓、获悉的数据及知识数据成果。", K::TerritoryExclusion),
            // paraphrase
            ("本模型只能在中国大陆境内部署和使用。", K::TerritoryExclusion),
            // hit-scir-ltp-license.txt: free to universities and researchers
            ("语言技术平台面向国内外大学、中科院各研究所以及个人研究者免费开放源代码，但如上述机构和个人将该平台用于商业目的则需要付费。", K::ResearchOnly),
            // paraphrase
            ("本模型面向高校和科研机构免费开放。", K::ResearchOnly),
            // sjtu-venusfactory-non-commercial-license-zh.txt: who may use it
            ("(a) 非营利研究机构、政府实验室和高校的雇员、学生、教师以及其他人员，且其从事的研究不属于商业服务；以及", K::NonCommercial),
            // paraphrase
            ("(1) 非营利性组织的研究人员。", K::NonCommercial),
        ] {
            assert!(has(text, kind), "{kind:?} not read in {text:?}: {:?}", kinds(text));
        }
        // developers or companies named beside the researchers: no research scope
        assert!(!has(
            "本模型面向开发者、企业和研究者免费开放。",
            K::ResearchOnly
        ));
        // a country's law governs: nothing left out
        assert!(!has(
            "本协议适用中华人民共和国法律。",
            K::TerritoryExclusion
        ));
        // a trade secret is no commercial use (chatglm3-model-license-2024.txt)
        assert!(!has(
            "您不得利用本软件从事任何危害国家安全和国家统一，危害社会公共利益及公序良俗，侵犯他人商业秘密、知识产权、名誉权、肖像权、财产权等权益的行为。",
            K::NonCommercial
        ));
        assert!(has(
            "您不得将本模型用于商业用途，也不得侵犯他人商业秘密。",
            K::NonCommercial
        ));
    }

    #[test]
    fn a_defined_research_scope_and_the_sentences_confined_to_it() {
        // sjtu-venusfactory-non-commercial-license-zh.txt
        let def = "**1.2 \"非商业用途\"** 是指仅将本软件用于内部学术研究、教学、个人学习或其他符合第 1.1 条规定的活动。";
        let norm = NormText::new(def).norm;
        assert_eq!(
            defined_scope(&norm),
            Some(("非商业用途".to_string(), ObligationKind::ResearchOnly))
        );
        // a definition of commercial use sets no research scope
        assert_eq!(
            defined_scope(&NormText::new("“商业用途”是指任何不属于非商业用途的使用情形。").norm),
            None
        );
        assert!(scopes_term(
            &NormText::new(
                "许可方授予非商业用户的权利，仅可为内部非商业用途而使用、运行、复制和修改本软件。"
            )
            .norm,
            "非商业用途"
        ));
        assert!(!scopes_term(
            &NormText::new("本协议不限制非商业用途之外的任何事项。").norm,
            "非商业用途"
        ));
    }

    /// Round 14: commercial use "without authorisation" banned (未经授权……
    /// 用于商业目的): authorisation before commercial use, written or not.
    #[test]
    fn commercial_use_without_authorisation_asks_authorisation() {
        for text in [
            // bilibili-index-tts-disclaimer-zh.txt (tests/license-eval),
            // Index-TTS 免责声明 2.2 f (an item of 用户不得使用本项目：)
            "f) 未经授权将合成声音用于商业目的；",
            // paraphrases
            "未经许可，不得将本模型用于商业用途。",
            "未经我方同意，禁止商用。",
        ] {
            assert!(
                has(text, ObligationKind::Registration),
                "{text}: {:?}",
                kinds(text)
            );
            assert!(
                !has(text, ObligationKind::NonCommercial),
                "{text}: {:?}",
                kinds(text)
            );
        }
        // without authorisation but not about commercial use: no approval
        let voice = "a) 合成政治人物、公众人物或任何未经授权的个人声音；";
        assert!(
            !has(voice, ObligationKind::Registration),
            "{:?}",
            kinds(voice)
        );
    }
}
