//! The reader on sentences it was not written from: for each class of
//! clause, the real sentence's shape beside paraphrases written for these
//! tests (other verbs, other word orders, the other language). A rule that
//! reads only the sentence it was made from fails here.

use super::derive;
use crate::license::clauses::read_clauses;
use crate::license::text::NormText;
use crate::license::verdict::{ObligationKind, Verdict};

fn verdict(text: &str) -> Verdict {
    let t = NormText::new(text);
    derive(&t, &read_clauses(&t)).verdict
}

fn values(text: &str, kind: ObligationKind) -> Vec<String> {
    let t = NormText::new(text);
    read_clauses(&t)
        .into_iter()
        .filter(|h| h.kind == kind)
        .map(|h| h.value)
        .collect()
}

#[test]
fn a_grant_of_use_reproduce_modify_distribute_is_a_commercial_grant() {
    for text in [
        "You are permitted to use, copy, modify, and distribute the model weights, subject to the conditions below. You must retain this notice in all copies.",
        "The Licensee may use, reproduce, modify and redistribute the Model and its derivatives, provided that this license is included with every copy.",
        "This model may be used, copied, modified and distributed by anyone.",
        "You can use and redistribute the checkpoint in your products.",
        "Free for commercial use; attribution appreciated.",
    ] {
        assert!(verdict(text).allows_commercial_use(), "{text}");
    }
    // the same verbs for a narrower purpose grant no commercial use
    for text in [
        "You may use, copy and modify the Model for educational purposes.",
        "We grant you a license to use the Model for educational purposes.",
        "You are permitted to use and share the weights for your personal projects.",
        "You may use, copy and modify the Model for teaching.",
    ] {
        assert!(!verdict(text).allows_commercial_use(), "{text}");
    }
}

#[test]
fn a_carve_out_of_commercial_use_is_a_non_commercial_limit() {
    for text in [
        "You may use the Model for any purpose except for commercial use.",
        "You may use, copy and modify the Model, excluding commercial purposes.",
        "商业用途除外，您可以免费使用本模型。",
        "除商业用途外，您可以自由使用、复制和修改本模型。",
    ] {
        assert_eq!(verdict(text), Verdict::NonCommercial, "{text}");
    }
}

#[test]
fn a_chinese_grant_is_read_in_its_own_clause() {
    // the shape of the unseen4 Chinese notices: a grant, then a duty or a
    // threshold in the same sentence
    for text in [
        "您可以免费将本模型用于商业用途，但须在产品中注明来源。",
        "本模型可免费商用，若您的产品月活跃用户超过1亿，需向我们申请商业授权。",
        "本模型允许商业使用，使用时请保留本许可声明。",
    ] {
        assert_eq!(verdict(text), Verdict::PermittedWithConditions, "{text}");
    }
    // a condition of approval in the grant's own clause still holds it
    for text in [
        "您可以在获得书面授权后将本模型用于商业用途。",
        "本模型仅供非商业用途使用，商业用途须另行取得授权。",
        "您不可以将本模型用于商业用途，除非获得我们的书面授权。",
    ] {
        assert!(!verdict(text).allows_commercial_use(), "{text}");
    }
}

#[test]
fn research_and_personal_use_in_other_words() {
    for text in [
        "You may use the Model for academic research only.",
        "The Model is for research only.",
        "The weights are provided for scientific research only; no other use is licensed.",
    ] {
        assert_eq!(verdict(text), Verdict::ResearchOnly, "{text}");
    }
    // personal use only: no company can take it
    for text in [
        "The Model is provided for your personal use only.",
        "You may use the weights solely for your own personal purposes.",
        "本模型仅限个人使用。",
    ] {
        assert_eq!(verdict(text), Verdict::Prohibited, "{text}");
    }
    // a licensee named as an academic institution only
    assert_eq!(
        verdict("The Model may be used, copied and modified by academic institutions only."),
        Verdict::Prohibited
    );
    // personal beside non-commercial stays non-commercial
    assert_eq!(
        verdict("The Model may be used for personal and non-commercial purposes only."),
        Verdict::NonCommercial
    );
}

#[test]
fn thresholds_in_any_currency_and_scale() {
    let grant = "You may use the Model for any purpose, including commercial purposes. ";
    for (clause, value) in [
        ("If your annual revenue exceeds RUB 500 million, you must obtain a commercial license.", "RUB 500000000"),
        // occular-ocr-weights-modified-openrail-m.txt (tests/license-eval)
        ("Organizations with annual revenue of 20 million RUB (~$200K USD) or more must buy a license.", "RUB 20000000"),
        ("Entities with annual turnover above ¥1.5bn must contact us for a license.", "CNY 1500000000"),
        ("Companies whose yearly sales exceed 300 million yen need a separate license.", "JPY 300000000"),
        ("If your annual revenue exceeds $500K, a paid license is required.", "USD 500000"),
        ("Businesses with revenue over ten million euros must buy a license.", "EUR 10000000"),
    ] {
        let text = format!("{grant}{clause}");
        assert_eq!(values(&text, ObligationKind::RevenueThreshold), [value], "{clause}");
        assert_eq!(verdict(&text), Verdict::PermittedWithConditions, "{clause}");
    }
    for (clause, value) in [
        (
            "If your services exceed ten million monthly active users, you must request a license.",
            "10000000",
        ),
        (
            "If your MAU exceeds 5M, you need a separate license.",
            "5000000",
        ),
        (
            "Products with more than 100K monthly users need a paid license.",
            "100000",
        ),
    ] {
        let text = format!("{grant}{clause}");
        assert_eq!(
            values(&text, ObligationKind::UserThreshold),
            [value],
            "{clause}"
        );
        assert_eq!(verdict(&text), Verdict::PermittedWithConditions, "{clause}");
    }
}

fn has(text: &str, kind: ObligationKind) -> bool {
    let t = NormText::new(text);
    read_clauses(&t).iter().any(|h| h.kind == kind)
}

#[test]
fn duties_in_other_words_are_clauses() {
    use ObligationKind as K;
    for (text, kind) in [
        // daoti-research-license-zh-en.txt (tests/license-eval), then paraphrases
        ("(ii) you clearly attribute the original author;", K::Attribution),
        ("provided that you properly credit Foo Labs as the author of the Model.", K::Attribution),
        ("(vi) any derivative model created through fine-tuning of the weights shall also be distributed under this License.", K::UseRestrictionsPassdown),
        ("Derivative works of the Model must be released under the same license.", K::UseRestrictionsPassdown),
        ("You may not provide the Model to any military or intelligence organization.", K::FieldOfUseBan),
        // purevox-builtin-model-license-zh.txt, then a paraphrase
        ("禁止：将模型或其权重提取出来，用于其它任何项目 / 软件 / 训练 / 再分发。", K::NoTrainingOtherModels),
        ("严禁将本模型的输出用于训练。", K::NoTrainingOtherModels),
        // hey-jarvis-wake-model-license-zh.txt, then a paraphrase
        ("如需商业授权，请联系作者。", K::Registration),
        ("若需商用许可，请发邮件给我们。", K::Registration),
        // a licensee exclusion is cited as the clause that decides
        ("No company, organization or other legal entity may use the software.", K::NonCommercial),
        ("The Model may be used only by non-profit organizations.", K::NonCommercial),
    ] {
        assert!(has(text, kind), "{kind:?}: {text}");
    }
}

#[test]
fn commercial_grants_in_the_words_of_products_and_services() {
    for text in [
        "These terms allow you to use the Model in your products and services, provided you follow the Acceptable Use Policy.",
        "Use of the Model in commercial products is welcome. Please credit Foo Labs.",
        "The Model may be deployed in production environments, including paid services.",
        "You may integrate the Model into commercial software and services.",
        "This license is the Apache License 2.0 with the following additional restriction: the Model may not be used for military purposes.",
        "允许任何个人和企业免费使用、修改和分发本模型，包括商业用途。",
    ] {
        assert!(verdict(text).allows_commercial_use(), "{text}");
    }
    // the same grants beside a restriction appended: never looser
    for text in [
        "You may integrate the Model into commercial software and services. The Model may be used for research purposes only.",
        "Use of the Model in commercial products is welcome. Commercial use requires our prior written authorization.",
        "允许任何个人和企业免费使用、修改和分发本模型，包括商业用途。商业使用前须事先获得书面授权。",
    ] {
        assert!(!verdict(text).allows_commercial_use(), "{text}");
    }
}

#[test]
fn grants_phrased_as_what_the_licensee_agrees_to() {
    for text in [
        "By downloading the Model you agree to use it only for non-commercial research.",
        "The Licensee agrees to use the Software solely for academic purposes.",
        "You agree that the Model will be used for research purposes only and not for any commercial purpose.",
    ] {
        assert_eq!(verdict(text), Verdict::ResearchOnly, "{text}");
    }
    // 对学术研究完全开放，若需商用…获取授权: commercial use after authorisation
    assert_eq!(
        verdict("本模型权重对学术研究完全开放，若需商用，请联系 a@b.com 获取授权。"),
        Verdict::RequiresApproval
    );
}

#[test]
fn a_company_size_threshold_and_those_above_it_named_again() {
    let text = "Individuals and startups with fewer than 50 employees may use the Model commercially free of charge; larger companies must purchase a license.";
    assert_eq!(
        values(text, ObligationKind::RevenueThreshold),
        ["50 employees"]
    );
    assert_eq!(verdict(text), Verdict::PermittedWithConditions);
    let text = "Free for commercial use by organizations with fewer than 100K monthly users; above that, a paid license is required.";
    assert_eq!(verdict(text), Verdict::PermittedWithConditions);
    // an approval asked of everyone, not of those above it, stays approval
    let text = "Individuals and startups with fewer than 50 employees may use the Model commercially. All users must first register with us and obtain written authorization.";
    assert!(!verdict(text).allows_commercial_use());
}

#[test]
fn a_grant_under_the_licensors_rights_to_access_and_install() {
    // naver-hyperclovax-seed-model-license.txt (tests/license-eval), then a
    // paraphrase with the verbs in another order
    for text in [
        "NAVER hereby grants to you a non-exclusive, worldwide, non-transferable, revocable and royalty-free limited license under NAVER's intellectual property or other rights owned by NAVER embodied in the Model to access, download, install, copy, use, reproduce, distribute, create derivative works of, and make modifications to the Model.",
        "Acme grants you a worldwide, royalty-free license under the copyrights and other rights Acme holds in the Model to download, install, run and modify the Model.",
    ] {
        assert!(verdict(text).allows_commercial_use(), "{text}");
    }
}

#[test]
fn commercial_use_sent_to_a_separate_license_is_not_granted() {
    // the class of the fresh set's "Commercial Use needs a separate license"
    for text in [
        "You may use, copy, modify and distribute the Model. Commercial use is subject to a separate license.",
        "Permission is granted to use the Model. Any commercial use requires a separate commercial license agreement.",
        "您可以使用、复制和修改本模型。商业使用须另行签订许可协议。",
    ] {
        assert_eq!(verdict(text), Verdict::NonCommercial, "{text}");
    }
    // a path to commercial use under this license stays approval
    let text = "You may use, copy, modify and distribute the Model. Commercial use requires our prior written authorization.";
    assert_eq!(verdict(text), Verdict::RequiresApproval);
}

#[test]
fn a_chinese_condition_on_commercial_use_no_clause_reads_keeps_a_grant_unknown_or_stricter() {
    // the fail-closed guard: 商业…须…(许可|协议|授权) in words no clause
    // pattern reads holds the grant
    let text = "您可以使用、复制和修改本模型。商业性质的部署，须事先与我们联系并签署协议。";
    assert!(!verdict(text).allows_commercial_use());
    // a duty that asks for no approval does not
    let text = "本模型可免费商用，但须注明来源。";
    assert!(verdict(text).allows_commercial_use());
}

#[test]
fn a_label_and_its_value_on_two_lines_read_as_one_clause() {
    // a summary's labels, a table's rows, a dash: the value decides
    for text in [
        "Model License Summary\n\nCommercial use:\nNot permitted\n\nResearch use:\nAllowed\n",
        "| Use | Allowed |\n|---|---|\n| Research | Yes |\n| Commercial use | No |\n",
        "Terms of use\nCommercial use — No\nResearch use — Yes\n",
        "Commercial purposes:\nProhibited\n",
        "使用条款\n\n商业使用：\n不允许\n\n学术研究：\n允许\n",
        "| 用途 | 是否允许 |\n|---|---|\n| 商用 | 禁止 |\n",
    ] {
        assert_eq!(verdict(text), Verdict::NonCommercial, "{text}");
    }
    for text in [
        "Model License Summary\n\nCommercial use:\nAllowed with attribution\n\nRedistribution:\nAllowed\n",
        "| Use | Allowed |\n|---|---|\n| Research | Yes |\n| Commercial use | Yes |\n",
        "使用条款\n\n商业使用：\n允许，须注明出处\n",
    ] {
        assert_eq!(verdict(text), Verdict::PermittedWithConditions, "{text}");
    }
    // cited at the label's line
    let t = NormText::new("Model License Summary\n\nCommercial use:\nNot permitted\n");
    let hit = read_clauses(&t)
        .into_iter()
        .find(|h| h.kind == ObligationKind::NonCommercial)
        .map(|h| t.lines_of(h.words.0, h.words.1));
    assert_eq!(hit, Some((3, 4)));
    // a list's intro is no label: its item is read as a ban, not joined
    assert!(has(
        "You may not:\n- use the Model for military purposes\n",
        ObligationKind::FieldOfUseBan
    ));
}

#[test]
fn a_free_tier_with_the_rest_sent_to_registration_is_granted_below_it() {
    for text in [
        "You may use the Model free of charge for any purpose if your organization has annual revenue below USD 1 million. All other users must register with us and obtain a commercial license.",
        "Free for individuals and companies with fewer than 20 employees. Other organizations must contact us at sales@acme.ai to obtain a license.",
        "The Model is free to use for individuals and for companies with fewer than 50 employees. Companies with 50 or more employees must purchase a commercial license.",
        "Businesses with annual revenue under EUR 2 million may use the Model at no cost. Everyone else must obtain a commercial license from us.",
        "个人及年营业收入低于人民币500万元的企业可免费商用；其他用户须向我们登记并取得书面授权。",
    ] {
        assert_eq!(verdict(text), Verdict::PermittedWithConditions, "{text}");
    }
    // a registration asked of everyone, the free tier included, still holds
    for text in [
        "Free for individuals and companies with fewer than 20 employees. All users must first register with us and obtain written authorization.",
        "个人及年营业收入低于人民币500万元的企业可免费商用；所有用户使用前须向我们登记并取得书面授权。",
        // a free tier for non-commercial use grants nothing commercial
        "Free for non-commercial use by organizations with fewer than 20 employees. All other users must obtain a commercial license.",
    ] {
        assert!(!verdict(text).allows_commercial_use(), "{text}");
    }
}

#[test]
fn an_evaluation_or_trial_license_is_research_only() {
    // a purchase after the trial is a separate license: nothing commercial
    // under this one, so not requires-approval
    for text in [
        "This is an evaluation license. You may use the Model for a period of thirty (30) days solely to evaluate it. After the evaluation period you must purchase a license or delete the Model.",
        "You may use the Model for evaluation purposes only.",
        "This license permits evaluation only. You may not use the Model in production.",
        "The weights are provided only for internal testing.",
        "本模型提供30天试用期，试用期内仅可用于评估。试用期结束后须购买授权。",
        "本模型仅供测试使用。",
    ] {
        assert_eq!(verdict(text), Verdict::ResearchOnly, "{text}");
    }
    // test data named in a notice is no limit on use
    assert_ne!(
        verdict("您可以免费将本模型用于商业用途。示例文件只覆盖 36 张测试样本。"),
        Verdict::ResearchOnly
    );
}

#[test]
fn split_code_and_weights_licenses_are_decided_by_the_weights() {
    for text in [
        "The code in this repository is licensed under the Apache License 2.0. The model weights are licensed under CC BY-NC 4.0.",
        "Code: Apache-2.0. Weights: CC-BY-NC-4.0.",
        "代码采用Apache-2.0协议开源，模型权重需遵循CC BY-NC 4.0协议。",
        "模型权重仅限非商业用途使用；本仓库代码采用 MIT 许可证。",
    ] {
        assert_eq!(verdict(text), Verdict::NonCommercial, "{text}");
    }
    // weights under terms the reader cannot see: never a grant
    for text in [
        "The code in this repository is licensed under Apache-2.0. The model weights are subject to the Acme Model License Agreement.",
        "代码采用Apache-2.0协议开源，模型权重需遵循《Acme模型许可协议》。",
        "The source code is released under the MIT License. The model weights are released for non-commercial research purposes only.",
    ] {
        assert!(!verdict(text).allows_commercial_use(), "{text}");
    }
}

#[test]
fn licence_forms_common_in_model_licences_are_never_read_looser() {
    use Verdict as V;
    // (text, the verdicts a reviewer could accept: the right one, or
    // unknown, or stricter)
    let cases: &[(&str, &[Verdict])] = &[
        // dual licensing: a copyleft license or a commercial one
        ("This model is dual-licensed: you may use it under the terms of the GNU Affero General Public License v3.0, or under a commercial license from Acme. Contact sales@acme.ai for a commercial license.", &[V::PermittedWithConditions, V::Unknown, V::RequiresApproval]),
        // internal use only
        ("You may use the Model for your internal business purposes only. You may not distribute the Model or offer it as a service to third parties.", &[V::PermittedWithConditions, V::Unknown, V::RequiresApproval]),
        ("Licensee may use the Software solely for internal use.", &[V::PermittedWithConditions, V::Unknown, V::RequiresApproval]),
        ("本模型仅限内部使用，不得对外提供服务。", &[V::PermittedWithConditions, V::Unknown, V::RequiresApproval]),
        // a EULA's bans on selling the copy itself
        ("You may use the Model for any purpose. You may not sell, rent, lease, sublicense, or otherwise transfer the Model to any third party.", &[V::PermittedWithConditions, V::Unknown]),
        ("You may use the Model. You may not sell, rent, lease, sublicense, or otherwise transfer the Model to any third party.", &[V::PermittedWithConditions, V::Unknown]),
        // non-commercial research, a commercial license on request
        ("The Model is made available for non-commercial research purposes only. For a commercial license, please contact licensing@acme.ai.", &[V::ResearchOnly, V::NonCommercial]),
        ("本模型仅供非商业性质的学术研究使用。如需商业授权，请联系 a@b.com。", &[V::ResearchOnly, V::NonCommercial, V::RequiresApproval]),
        // a RAIL license: use-based restrictions beside a commercial grant
        ("Subject to the terms of this License, Licensor grants You a worldwide, royalty-free, non-exclusive license to use, reproduce, modify and distribute the Model, including for commercial purposes. You agree not to use the Model for any of the use-based restrictions listed in Attachment A. Attachment A: You shall not use the Model to generate disinformation; to harm minors; for military purposes.", &[V::PermittedWithConditions]),
        // free for small companies only
        ("The Model is free for individuals and companies with fewer than 10 employees.", &[V::PermittedWithConditions, V::Unknown]),
    ];
    for (text, accepted) in cases {
        let v = verdict(text);
        assert!(accepted.contains(&v), "{v:?}: {text}");
    }
}

#[test]
fn gerund_items_under_a_prohibiting_intro_are_clauses() {
    // grace-model-weights-research-only-license.txt (tests/license-eval),
    // then paraphrases
    for (text, kind) in [
        ("You are expressly prohibited from:\n- Using the model weights for any commercial purpose\n", ObligationKind::NonCommercial),
        ("You are expressly prohibited from:\n- Deploying the model or weights in production systems or services\n", ObligationKind::ResearchOnly),
        ("The Licensee shall not:\n- exploiting the Model commercially in any form\n", ObligationKind::NonCommercial),
        ("You may not run the model or its weights in production.", ObligationKind::ResearchOnly),
    ] {
        assert!(has(text, kind), "{kind:?}: {text}");
    }
}

#[test]
fn items_of_a_list_that_scopes_a_grant_read_with_its_intro() {
    // the shape of grace-model-weights-research-only-license.txt
    // (tests/license-eval), its items ended by semicolons
    let text = "You are permitted to use the model weights solely for:\n(a) academic research;\n(b) evaluation and benchmarking.\n";
    let t = NormText::new(text);
    let lines: Vec<u32> = read_clauses(&t)
        .into_iter()
        .filter(|h| h.kind == ObligationKind::ResearchOnly)
        .map(|h| t.lines_of(h.words.0, h.words.1).0)
        .collect();
    assert!(lines.contains(&1) && lines.contains(&2), "{lines:?}");
    assert_eq!(verdict(text), Verdict::ResearchOnly);
    assert_eq!(
        verdict("您可以使用本模型，仅可用于:\n(a) 学术研究;\n(b) 教学。\n"),
        Verdict::ResearchOnly
    );
}

#[test]
fn a_purpose_beside_a_permissive_license_describes_and_alone_scopes() {
    // the shapes of oscc-pni-mil-checkpoints-apache-notice.txt,
    // smolbge-projector-weights-apache-notice.txt and
    // soundex-model-weight-licensing-apache.txt (tests/license-eval), then
    // paraphrases: a permissive license named for the weights, with
    // disclaimers and statements of purpose beside it
    for text in [
        "Those rights are granted under the repository's Apache License 2.0. The weights are supplied \"AS IS\" for research and reproducibility. They are not medical devices and have not been cleared or approved for diagnosis.",
        "The file `projector.safetensors` is licensed under Apache License 2.0. Attribute the author and link to this repository.",
        "Official weights are licensed under Apache License 2.0. They must not be presented as approved official weights.",
        "The checkpoints are released under the MIT License. They were developed for academic research and teaching.",
        "These weights are distributed under CC BY 4.0. The model is intended for scientific study and has no regulatory approval.",
    ] {
        assert_eq!(verdict(text), Verdict::Permitted, "{text}");
    }
    // a real limit beside the same grant still restricts
    for text in [
        "The checkpoints are released under the MIT License. They may be used for research purposes only.",
        "The weights are licensed under Apache License 2.0. They may not be used commercially.",
        "The weights are distributed under CC BY 4.0. Use is limited to academic research.",
    ] {
        assert!(!verdict(text).allows_commercial_use(), "{text}");
    }
    // a share-alike license is a grant with a condition
    assert_eq!(
        verdict("The weights are distributed under CC BY-SA 4.0."),
        Verdict::PermittedWithConditions
    );
    // the purpose as the only grant: research-only
    for text in [
        "These model weights are provided for research and educational use. By using them you agree to cite this repository.",
        "The checkpoints are released for academic research and teaching.",
        "This model is supplied for scientific reproducibility. No warranty is given.",
    ] {
        assert_eq!(verdict(text), Verdict::ResearchOnly, "{text}");
    }
}

#[test]
fn a_contact_for_questions_or_a_need_denied_is_no_approval() {
    // the shapes of wapr-pose-weights-cc-by-nd-notice-zh-en.txt and
    // eth-pager-model-weights-license.txt (tests/license-eval), then
    // paraphrases: a grant of commercial use beside a contact for questions,
    // or a sentence saying that no authorisation is needed
    for text in [
        "You may use and distribute the Model for any purpose, including commercial purposes. For commercial licensing inquiries, contact us.",
        "You may use the Model commercially, with attribution. Contact us at a@b.com for more information about enterprise support.",
        "These weights may be used free of charge for commercial and non-commercial applications. No separate commercial-use authorization is required under this license.",
        "You may use the weights in commercial products. A separate license is not required.",
        "本模型权重免费允许商业与非商业使用，商用无需另行申请授权。",
    ] {
        assert!(verdict(text).allows_commercial_use(), "{text}");
    }
    // a contact that asks for a license still holds the grant back
    for text in [
        "You may use the Model for any purpose. Commercial use requires a license; contact us to obtain one.",
        "You may use the Model. For commercial use you must obtain our prior written approval.",
        "本模型可免费用于研究。商用须另行申请书面授权。",
    ] {
        assert!(!verdict(text).allows_commercial_use(), "{text}");
    }
}

#[test]
fn a_proprietary_model_used_only_under_a_written_agreement_grants_nothing() {
    // the shapes of mertformer-titan-proprietary-model-license.txt and
    // resi-subnet-46-proprietary-model-license.txt (tests/license-eval), then
    // paraphrases: the model declared proprietary, or licensed exclusively
    // to the licensor, and its use sent to a written agreement
    for text in [
        "This model and all derived artifacts are proprietary and confidential.\n\n- Usage: Only under explicit written agreement or employment contract.\n- Distribution: Prohibited without written consent.",
        "PROPRIETARY MODEL LICENSE AGREEMENT\n\nThe Submitter hereby grants to The Company a worldwide, exclusive license to use the Model for any purpose.\nRedistributing the model files without express written consent from the Company is prohibited.",
        "The weights remain strictly proprietary. Any use requires a separate written agreement with the owner.",
        "本模型属于公司专有。未经公司书面授权，不得使用本模型。",
    ] {
        assert_eq!(verdict(text), Verdict::Prohibited, "{text}");
    }
    // a grant to the reader beside the same approval is no such text: it
    // stays at approval (never stricter than its truth)
    for text in [
        "This proprietary license grants you a non-exclusive license to use the Model. Commercial use requires our prior written approval.",
        "We grant you a non-exclusive license to use and modify the Model for any purpose, subject to our prior written approval of each deployment.",
    ] {
        assert_eq!(verdict(text), Verdict::RequiresApproval, "{text}");
    }
}

#[test]
fn commercial_use_that_needs_a_data_owners_license_needs_approval() {
    // the shape of fxtd-rudra-trained-weights-licence.txt (tests/license-eval),
    // then paraphrases: the licensor grants commercial use, a dataset's owner
    // must license it too
    for text in [
        "We grant you a royalty-free licence to use, copy, modify and redistribute the weights for any purpose, including commercially. COMMERCIAL use requires a separate licence agreement with Hochschule der Medien Stuttgart.",
        "You may use the Model for any purpose, including commercial purposes. Because of its training data, commercial use also requires a separate license from the dataset owners.",
        "You may use the weights commercially. Commercial use is subject to a separate license from the original authors of the training corpus.",
    ] {
        assert_eq!(verdict(text), Verdict::RequiresApproval, "{text}");
    }
    // the licensor's own separate license beside a non-commercial grant
    // stays non-commercial
    for text in [
        "You may use the weights for non-commercial purposes. Commercial use requires a separate license from us.",
        "We grant you a license to use and modify the Model for non-commercial research. Commercial use is subject to a separate license agreement with the Licensor.",
    ] {
        assert!(!verdict(text).allows_commercial_use(), "{text}");
        assert_ne!(verdict(text), Verdict::RequiresApproval, "{text}");
    }
}

#[test]
fn a_free_tier_below_a_revenue_figure_is_a_condition() {
    // the class of birdl-airl-plus-plus-license.txt (tests/license-eval):
    // commercial use free below a revenue figure, a license above it; and
    // "commercial use" defined by the figure beside a grant that excludes it
    for text in [
        "Companies with annual revenue under USD 50,000 may use the Model commercially; above that, a commercial license is required.",
        "Businesses whose annual revenue is below USD 50,000 may use the Model commercially. Above that threshold, a commercial license is required.",
        "\"Commercial Usage\" an application or usage of any Artifact that generates more than 50,000 USD within a year. Each Contributor hereby grants to You a no-charge, royalty-free copyright license to reproduce and distribute the Artifacts given it is not under Commercial Use.",
        "\"Commercial Use\" means use by an organisation that earns more than EUR 1 million a year. You may use, copy and modify the Model for non-commercial purposes.",
    ] {
        assert_eq!(verdict(text), Verdict::PermittedWithConditions, "{text}");
    }
    assert_eq!(
        values(
            "\"Commercial Usage\" an application or usage of any Artifact that generates more than 50,000 USD within a year.",
            ObligationKind::RevenueThreshold
        ),
        vec!["USD 50000".to_string()]
    );
    // a non-commercial grant with no figure stays non-commercial
    assert_eq!(
        verdict("You may use, copy and modify the Model for non-commercial purposes."),
        Verdict::NonCommercial
    );
}

#[test]
fn a_list_of_what_you_may_do_that_is_all_research_is_research_only() {
    // the shape of overworld-biome-model-weights-license-addendum.txt
    // (tests/license-eval), then paraphrases
    for text in [
        "## Permitted Research & Safety Use\n\nYou may:\n\n- Conduct academic or independent research\n- Benchmark and evaluate model behavior\n- Perform red-teaming and safety analysis\n",
        "Licensee may:\n\n1. study the weights and reproduce the paper's results;\n2. evaluate and test the model on public benchmarks.\n",
        "You are permitted to:\n\n- run experiments for academic research\n- teach with the model in a classroom\n",
    ] {
        assert_eq!(verdict(text), Verdict::ResearchOnly, "{text}");
    }
    // a list with a use beyond research is not this scope
    for text in [
        "You may:\n\n- Conduct research\n- Use the Model in commercial products\n",
        "You may:\n\n- Evaluate the Model\n- Distribute the Model to your customers\n",
    ] {
        assert_ne!(verdict(text), Verdict::ResearchOnly, "{text}");
    }
}

#[test]
fn permission_asked_for_hosting_or_redistribution_only_is_a_condition() {
    // the shape of superbeasts-spca-community-nosaas-license.txt
    // (tests/license-eval), then paraphrases: commercial work granted in a
    // list, permission asked only to host, redistribute or rebrand
    for text in [
        "You may download, run, modify and finetune the Model for:\n\n • Personal projects;\n • Commercial work done by you (studio, freelance, in-house for clients);\n\nYou must obtain written permission from Licensor before you:\n\n(A) Offer the Model as a public hosted service, including online apps or APIs.\n(B) Redistribute, bundle, or ship the Model weights outside your organization.\n",
        "You may use the Model for any purpose, including commercial purposes.\n\nYou must obtain our prior written approval before you:\n\n1. redistribute the weights to third parties;\n2. offer the Model as a hosted API service.\n",
    ] {
        assert_eq!(verdict(text), Verdict::PermittedWithConditions, "{text}");
    }
    // permission asked before commercial use itself still holds it back
    for text in [
        "You may run and modify the Model for:\n\n • Personal projects;\n • Commercial work done by you;\n\nYou must obtain written permission from Licensor before you:\n\n(A) use the Model commercially.\n",
        "You may use the Model for any purpose, including commercial purposes.\n\nYou must obtain our prior written approval before you:\n\n1. use the Model in commercial production;\n2. redistribute the weights.\n",
    ] {
        assert!(!verdict(text).allows_commercial_use() || verdict(text) == Verdict::RequiresApproval, "{text}");
        assert_ne!(verdict(text), Verdict::PermittedWithConditions, "{text}");
    }
}

#[test]
fn credit_asked_in_other_words_is_read_and_named_weights_stay_permitted() {
    // smolbge-projector-weights-apache-notice.txt,
    // generative-health-weights-research-use-license.txt and
    // wapr-pose-weights-cc-by-nd-notice-zh-en.txt (tests/license-eval), then
    // paraphrases: an imperative credit, "with attribution to", "requires
    // attribution"
    for text in [
        "Attribute Yifan Ouyang and link to this model repository.",
        "Cite this repository in derived works or publications.",
        "Original weights may be shared with attribution to Yulin Wang.",
        "Redistribution of fine-tuned weights requires attribution and license notice.",
        "Credit the original authors when you publish results.",
    ] {
        assert_eq!(values(text, ObligationKind::Attribution).len(), 1, "{text}");
    }
    // a credit line by name beside a permissive license is that license's
    // notice; a duty to cite a paper in every publication is a condition
    assert_eq!(
        verdict("The file `projector.safetensors` is licensed under Apache License 2.0. Credit Jane Doe and link to this repository."),
        Verdict::Permitted
    );
    assert_eq!(
        verdict("The weights are licensed under the MIT license. You must cite our paper in any publication that uses them."),
        Verdict::PermittedWithConditions
    );
    // a non-commercial Creative Commons license spelled out
    assert_eq!(
        verdict(
            "All the network weights are released under the Creative Commons BY-NC-SA license."
        ),
        Verdict::NonCommercial
    );
}

#[test]
fn a_grant_confined_to_the_licensors_own_product_grants_nothing() {
    // somnostage-model-license-terms.txt (tests/license-eval), then
    // paraphrases: other products, a hosted service, the licensor itself, Chinese
    for text in [
        "Subject to these terms, the Licensor grants you a non-exclusive, royalty-free (free of charge) license to use the Model solely in binary form, as embedded within an Official SomnoTrace Build. Use of the Model outside Official SomnoTrace Builds requires a separate written license from the Licensor.",
        "We grant you a limited license to use the weights only as part of the Company's mobile application. Commercial licenses for other products are available on request.",
        "You may use the model exclusively through our hosted service. Any other use requires our prior written approval.",
        "许可方授予您一项非独占的许可，本模型仅可在许可方的官方产品中使用。其他用途须另行取得许可方的书面授权。",
    ] {
        assert_eq!(verdict(text), Verdict::Prohibited, "{text}");
    }
    // a grant of the reader's own use beside the licensor's product is not
    // confined, and commercial use after written approval stays approval
    for text in [
        "You may use the Model in your own products for non-commercial purposes. Commercial use requires the prior written approval of the Licensor.",
        "You may use the Model solely for non-commercial purposes. Commercial use is available under a separate written authorization from the Licensor; contact us.",
    ] {
        assert!(verdict(text).rank() >= Verdict::NonCommercial.rank(), "{text}");
    }
}

#[test]
fn research_beside_personal_use_named_as_permitted_is_non_commercial() {
    // ecomarineai-whale-models-apache-with-usage-restrictions.txt
    // (tests/license-eval), then paraphrases
    for text in [
        "Commercial use is prohibited. ImageNet is released for non-commercial research and educational purposes only.\n\n## Permitted Uses\n\n- Academic research projects\n- Personal hobby projects\n",
        "The weights may be used for research purposes only and must not be used commercially. Permitted: personal and non-commercial use, such as private projects.",
    ] {
        assert_eq!(verdict(text), Verdict::NonCommercial, "{text}");
    }
    // research alone, or personal research, stays research-only
    for text in [
        "The weights may be used for research purposes only and must not be used commercially.",
        "The weights may be used for personal research purposes only.",
    ] {
        assert_eq!(verdict(text), Verdict::ResearchOnly, "{text}");
    }
}

#[test]
fn a_model_that_supports_commercial_use_grants_it() {
    // skywork-skyreels-v2-terms-and-conditions-zh-en.txt (tests/license-eval),
    // then paraphrases, in both languages
    for text in [
        "The Skywork model supports commercial use. If you plan to use the Skywork model for commercial purposes, you must abide by the terms and conditions of the community license.",
        "This checkpoint supports commercial usage under the conditions below.",
        "Skywork模型支持商业用途，如果您计划将Skywork模型或其衍生品用于商业目的，无需再次申请。",
        "本模型支持商用，使用时须注明来源。",
    ] {
        assert_eq!(verdict(text), Verdict::PermittedWithConditions, "{text}");
    }
    // support for commercial use denied, or after an application, is no grant
    for text in [
        "This checkpoint does not support commercial use.",
        "本模型支持商业用途，但须事先申请并获得书面授权。",
    ] {
        assert!(!verdict(text).allows_commercial_use(), "{text}");
    }
}

#[test]
fn terms_of_use_that_grant_use_on_duties_are_a_grant_with_conditions() {
    // styletts2-pretrained-models-terms-of-use.txt (tests/license-eval), then paraphrases
    for text in [
        "## Conditions and Terms of Use\n\nBefore using these pre-trained models, you agree to inform the listeners that the speech samples are synthesized by the pre-trained models, unless you have the permission to use the voice you synthesize.",
        "By downloading the checkpoints, you agree to label every generated image as AI-generated.",
        "使用本模型前，您同意在发布生成内容时注明其由模型生成。",
    ] {
        assert_eq!(verdict(text), Verdict::PermittedWithConditions, "{text}");
    }
    // agreeing to be bound by terms decides nothing; a limit beside the duty wins
    assert_eq!(
        verdict("By using the model, you agree to be bound by these terms."),
        Verdict::Unknown
    );
    let limited = "Before using these models, you agree to credit the authors. The models may be used for non-commercial purposes only.";
    assert!(!verdict(limited).allows_commercial_use());
    // a duty that is itself a gate or a scope grants nothing
    for text in [
        "Before using these models, you agree to contact us for permission.",
        "By downloading the weights you agree to pay the license fee.",
        "By using the model, you agree to use it only internally.",
        "By using the weights, you agree to request our written approval first.",
    ] {
        assert!(!verdict(text).allows_commercial_use(), "{text}");
    }
}

#[test]
fn a_non_commercial_limit_the_text_denies_limits_nothing() {
    // biosqa-model-weights-provenance-and-terms.txt (tests/license-eval), then paraphrases
    let grant = "You may redistribute and use them, including commercially, provided the dataset citations travel with them.";
    for denial in [
        " No model here is derived from credentialed, non-commercial or data-use-agreement material.",
        " All seven datasets are open-access: no data use agreement and no non-commercial restriction.",
        " The weights are not subject to any non-commercial terms.",
    ] {
        assert_eq!(
            verdict(&format!("{grant}{denial}")),
            Verdict::PermittedWithConditions,
            "{denial}"
        );
    }
    let limit = " The weights may be used for non-commercial purposes only.";
    assert!(!verdict(&format!("{grant}{limit}")).allows_commercial_use());
}

#[test]
fn a_request_not_to_use_the_model_unlawfully_is_read_in_both_languages() {
    // skywork-skyreels-v2-terms-and-conditions-zh-en.txt (tests/license-eval),
    // then paraphrases: 不要 / 请勿 as well as 不得, "should not be used" in English
    let kinds = |text: &str| -> Vec<ObligationKind> {
        let t = NormText::new(text);
        read_clauses(&t).into_iter().map(|h| h.kind).collect()
    };
    for text in [
        "我们在此声明，不要利用Skywork模型进行任何危害国家社会安全或违法的活动。",
        "请勿将本模型用于任何违法用途。",
        "We hereby declare that the Skywork model should not be used for any activities that pose a threat to national or societal security or engage in unlawful actions.",
        "The weights must never be used to carry out illegal acts.",
    ] {
        assert!(
            kinds(text).contains(&ObligationKind::AcceptableUsePolicy),
            "{text}"
        );
    }
    for text in [
        "我们也要求使用者不要将 Skywork 模型用于未经适当安全审查和备案的互联网服务。",
        "请勿将本模型用于未经安全审查的互联网服务。",
        "We request users not to deploy the Skywork model for internet services without appropriate security reviews and records.",
    ] {
        assert_eq!(
            values(text, ObligationKind::FieldOfUseBan),
            vec!["internet services without security review".to_string()],
            "{text}"
        );
    }
    // a use that is lawful, or a review asked of no one, bans nothing
    assert!(kinds("You may use the model for any lawful purpose.").is_empty());
}

#[test]
fn a_non_commercial_scope_beside_its_path_to_commercial_use_is_cited_as_both() {
    // qihoo360-zhinao-open-model-license.txt (tests/license-eval), then paraphrases
    for text in [
        "2.4 上述许可针对非商业用途使用本模型及衍生模型之目的，若需将本模型及衍生模型用于商业用途，请通过本许可证第五条所附邮箱联系许可方进行登记。",
        "本许可仅限于非商业用途，如需商用，须事先向许可方申请并获得书面授权。",
    ] {
        let t = NormText::new(text);
        let kinds: Vec<ObligationKind> = read_clauses(&t).into_iter().map(|h| h.kind).collect();
        assert!(kinds.contains(&ObligationKind::NonCommercial), "{text}: {kinds:?}");
        assert!(kinds.contains(&ObligationKind::Registration), "{text}: {kinds:?}");
        // the path under this license still decides: approval
        assert_eq!(verdict(text), Verdict::RequiresApproval, "{text}");
    }
}

#[test]
fn chinese_clauses_numbered_by_article_are_read_at_their_line() {
    // the shape of a Chinese license's 第X条 articles and a line in both
    // languages (written for this test)
    let text = "第一条 许可范围\n第二条 您可以出于非商业用途使用本模型。\n第三条 如需将本模型用于商业用途，须事先向许可方登记并取得书面授权。\n4. 禁止将本模型用于军事用途 / The Model shall not be used for military purposes.\n";
    let t = NormText::new(text);
    let hits = read_clauses(&t);
    let line_of = |kind: ObligationKind| -> Vec<u32> {
        hits.iter()
            .filter(|h| h.kind == kind)
            .map(|h| t.lines_of(h.words.0, h.words.1).0)
            .collect()
    };
    assert!(
        line_of(ObligationKind::NonCommercial).contains(&2),
        "{hits:?}"
    );
    assert!(
        line_of(ObligationKind::Registration).contains(&3),
        "{hits:?}"
    );
    assert!(
        line_of(ObligationKind::FieldOfUseBan).contains(&4),
        "{hits:?}"
    );
    assert_eq!(verdict(text), Verdict::RequiresApproval);
}

#[test]
fn use_by_natural_persons_only_grants_a_company_nothing() {
    // the shape of stock-forecasting-personal-non-commercial-model-license-zh-en
    // (tests/license-eval): individuals only, any organisational use banned
    for text in [
        "The adapters are licensed for personal non-commercial use. Individual own-funds trading is permitted; organizational use, management of third-party capital, and commercial use are not.",
        "You may use the weights for your own non-commercial projects. Corporate use, and commercial use, are prohibited.",
        "本模型仅供个人非商业使用。自然人可使用本人資金交易；組織使用、第三方資金管理及商業用途禁止。",
        "本模型仅授权给自然人，用于非商业用途。",
    ] {
        assert_eq!(verdict(text), Verdict::Prohibited, "{text}");
    }
    // a plain non-commercial grant open to organisations stays non-commercial
    for text in [
        "You may use the weights for non-commercial purposes. Commercial use is not permitted.",
        "Universities and non-profit organisations may use the model for non-commercial research and teaching. Organizational use for military purposes is prohibited.",
        "本模型仅限非商业用途使用，任何组织和个人不得将其用于商业用途。",
    ] {
        assert_ne!(verdict(text), Verdict::Prohibited, "{text}");
    }
}

#[test]
fn one_narrow_act_behind_permission_beside_a_commercial_grant_is_a_condition() {
    // the shape of rock-matrix-yanchor-model-license-1.0 (tests/license-eval)
    for text in [
        "You may use, copy, modify, and distribute the Model, including for commercial purposes. Without separate written authorization from the Licensor, You may not physically hardwire the weights into a chip's non-reprogrammable structure.",
        "The weights may be used commercially. You must not etch the weights into silicon without prior written permission from us.",
        "您可以免费将本模型用于商业用途。未经许可方书面授权，不得将本模型权重固化于芯片之中。",
    ] {
        assert_eq!(verdict(text), Verdict::PermittedWithConditions, "{text}");
    }
    // a gate on use, on commercial use or on distribution stays approval
    for text in [
        "You may use, copy, modify, and distribute the Model, including for commercial purposes. Without prior written permission from the Licensor, you may not use the Model in a product with more than 1,000 users.",
        "You may use the Model. Without written approval from the Licensor you may not use the Model for commercial purposes.",
        "您可以免费使用本模型。未经许可方书面授权，不得将本模型用于商业用途。",
    ] {
        assert!(!verdict(text).allows_commercial_use() || verdict(text) == Verdict::RequiresApproval, "{text}");
        assert_ne!(verdict(text), Verdict::PermittedWithConditions, "{text}");
    }
}

#[test]
fn consent_of_voice_owners_is_no_approval_by_the_licensor() {
    // the shape of korvatts-model-weights-apache-responsible-use (tests/license-eval)
    for text in [
        "The weights are released under the Apache License 2.0. Only clone or imitate voices you own or have explicit permission to use. Generated speech must not be used to impersonate anyone.",
        "The model is licensed under the MIT license. Users must obtain consent from voice owners before cloning their voices.",
    ] {
        assert_eq!(verdict(text), Verdict::PermittedWithConditions, "{text}");
    }
}

#[test]
fn weights_that_remain_under_a_permissive_license_are_granted_under_it() {
    // the shape of morphicode-gemma4-patched-gguf-weights-apache-notice
    // (tests/license-eval), and the end of an authorisation on termination
    // (minimax-h3-community-license-agreement)
    assert_eq!(
        verdict("The scripts are covered by LICENSE-CODE; the resulting model weight files remain model-weight artifacts under the Gemma 4 Apache 2.0 license basis above."),
        Verdict::Permitted
    );
    assert_eq!(
        verdict("The patched weights stay under the MIT license of the base model."),
        Verdict::Permitted
    );
    assert_eq!(
        verdict("You may use the Model for commercial purposes, subject to the Acceptable Use Policy. Upon termination, you must delete all copies and notify each downstream recipient that your authorization has ended."),
        Verdict::PermittedWithConditions
    );
}

#[test]
fn a_free_research_grant_beside_a_registered_commercial_path_is_cited_and_opened() {
    // the shape of chatglm3-model-license-2024, glm-4-license and
    // cogvlm-license (tests/license-eval): research free, commercial use
    // after registration
    for text in [
        "本许可允许您免费使用本模型进行学术研究。如需将本模型用于商业用途，须事先向许可方登记并取得书面授权。",
        "This license permits you to use the models for academic research free. If you wish to use the models for commercial purposes, you must register and obtain written authorization first.",
    ] {
        let t = NormText::new(text);
        let kinds: Vec<ObligationKind> = read_clauses(&t).into_iter().map(|h| h.kind).collect();
        assert!(kinds.contains(&ObligationKind::ResearchOnly), "{text}: {kinds:?}");
        assert_eq!(verdict(text), Verdict::RequiresApproval, "{text}");
    }
    // research only, with the same path beside it, stays research
    for text in [
        "本模型仅限学术研究使用。如需将本模型用于商业用途，须事先向许可方登记并取得书面授权。",
        "This license permits you to use the models for academic research free.",
    ] {
        assert_eq!(verdict(text), Verdict::ResearchOnly, "{text}");
    }
}

#[test]
fn research_named_among_other_non_commercial_uses_is_non_commercial() {
    // the shape of diarizen-model-license (tests/license-eval): the grant
    // names research among other non-commercial uses, a reason given later
    // says "for research purposes only"
    for text in [
        "You are free to: Use the Models for academic research and other non-commercial purposes. You may not use the Models for commercial purposes. The Models are released for research purposes only.",
        "本模型可用于学术研究及其他非商业用途。不得用于商业用途。本模型仅供研究使用。",
    ] {
        assert_eq!(verdict(text), Verdict::NonCommercial, "{text}");
    }
    // research alone stays research
    assert_eq!(
        verdict("You may use the Models for academic research. The Models are released for research purposes only."),
        Verdict::ResearchOnly
    );
}

#[test]
fn governing_law_and_the_grants_own_permissions_ask_nothing() {
    // the shapes of codefuse-community-license and hibug-6b-license
    // (tests/license-eval): a country named as the governing law keeps no
    // one out; "your exercise of permissions under this License" asks no
    // consent
    for text in [
        "The Licensor hereby grants to you a royalty-free license to use, copy, modify and distribute the Model. This Agreement will be governed by the laws of China, and the UN Convention on Contracts for the International Sale of Goods does not apply to this Agreement.",
        "The Licensor hereby grants to you a non-exclusive, royalty-free copyright license to use the Software. You assume any risks associated with Your exercise of permissions under this License.",
    ] {
        assert!(
            values(text, ObligationKind::TerritoryExclusion).is_empty(),
            "{text}"
        );
        assert_eq!(verdict(text), Verdict::Permitted, "{text}");
    }
    // a territory the license is not available in still excludes it
    let text = "The Licensor hereby grants to you a royalty-free license to use the Model. This license is not available to users located in the European Union.";
    assert!(!values(text, ObligationKind::TerritoryExclusion).is_empty());
    assert_eq!(verdict(text), Verdict::PermittedWithConditions);
}

#[test]
fn a_grant_read_past_a_definition_with_notices_kept_in_a_notice_file_is_permitted() {
    // the shape of codefuse-community-license (tests/license-eval): a
    // definition that speaks of "the rights granted" is not the grant;
    // attribution notices kept in a "Notice" file are a permissive notice duty
    let text = "i. \"You\" (or \"Your\") shall mean a natural person or legal entity exercising the rights granted by this Agreement.\n\n2. Grant of Rights.\nYou are granted a non-exclusive, worldwide and royalty-free license to use, reproduce, distribute and modify the Materials.\n\na. You shall provide a copy of this Agreement to such Third Party;\nc. You shall retain in all copies of the Materials that You distribute the following attribution notices within a \"Notice\" text file distributed as a part of such copies.\n";
    assert_eq!(verdict(text), Verdict::Permitted);
    // a credit line to display is a condition still
    let text = "You are granted a royalty-free license to use, reproduce and distribute the Materials. You shall display \"Built with Example\" in your product.";
    assert_eq!(verdict(text), Verdict::PermittedWithConditions);
}

#[test]
fn a_grant_for_research_and_benchmarking_or_bound_by_research_terms_is_research_only() {
    for text in [
        // biomaclab-fishnet-meta-model-license.txt (tests/license-eval)
        "The trained model weights are provided for academic and non-commercial research use unless otherwise agreed in writing.",
        // multispectral-caption-msi-responsible-ai-weights-license.txt
        "Grant. You may use, reproduce, and redistribute the Model and create derivatives for RESEARCH AND BENCHMARKING, subject to the Restrictions below. Dataset: CC BY-NC 4.0.",
        // guitar-fingering-model-artifact-polyform-nc-boundary.txt: a
        // non-commercial license whose production use is not authorised
        "Those rights are licensed under the PolyForm Noncommercial License 1.0.0. The artifact remains experimental; runtime connection, production use, live evaluation, and automatic learning during active use are not authorized.",
        // hist2sig-weights-cc-by-nc-h-optimus-upstream.txt: upstream terms
        // for research only that bind the weights
        "The weights are licensed under CC BY-NC 4.0. They were trained on features of an encoder released for non-commercial academic research only, whose terms extend to models trained on its outputs.",
        // paraphrases
        "You can use and modify the checkpoint for research and evaluation, subject to the terms below.",
        "The weights are made available for your academic or non-commercial research purposes.",
        "This model is licensed under CC BY-NC-SA 4.0. Production deployment of the model is not permitted.",
    ] {
        assert_eq!(verdict(text), Verdict::ResearchOnly, "{text}");
    }
    // production coordinated with commercial use is the non-commercial
    // limit; research named beside commercial use is no research scope
    for text in [
        "You may use the model for non-commercial purposes. Commercial or production use is not permitted.",
        "You may use, copy and redistribute the Model for research and benchmarking, and for commercial products.",
    ] {
        assert_ne!(verdict(text), Verdict::ResearchOnly, "{text}");
    }
}

#[test]
fn a_proprietary_model_whose_weights_may_not_be_downloaded_grants_nothing_to_run() {
    for text in [
        // minicrit-proprietary-model-license-agreement.txt (tests/license-eval)
        "# Proprietary Model License Agreement\n\nThe Model is proprietary and protected by copyright and trade secret law.\n\nYou MAY:\n- Access the Model via approved APIs or interfaces.\n- Use Model outputs for personal research.\n\nYou may NOT:\n- Download, copy, clone, or host the Model weights or checkpoints.\n- Deploy the Model in commercial or production environments without a valid Commercial License.\n",
        // paraphrases
        "The model remains proprietary. You may use it through our hosted API for non-commercial purposes. You may not download or copy the model weights.",
        "These weights are confidential and proprietary. Customers shall not clone, mirror or download the checkpoints; access is through the web service only.",
    ] {
        assert_eq!(verdict(text), Verdict::Prohibited, "{text}");
    }
    // a ban on downloading beside an open grant, or without the model being
    // declared proprietary, is no such withholding
    for text in [
        "You may use the model for non-commercial purposes. You may not download the weights through automated scrapers; use the official mirror.",
        "The model is licensed under CC BY-NC 4.0. Do not redistribute the weights.",
    ] {
        assert_ne!(verdict(text), Verdict::Prohibited, "{text}");
    }
}

#[test]
fn restricted_uses_needing_authorisation_and_a_bans_exceptions_are_no_approval() {
    for text in [
        // zkita-ai-model-license-agreement.txt (tests/license-eval): an item
        // of a use-restriction list, its marker read as a sentence of its own
        "A. We grant You a perpetual, worldwide, non-exclusive, royalty-free license to use, modify, reproduce, and distribute the Model.\n\nYou may NOT use the Model for:\n\nA.\nAny military purpose.\n\nB.\nGenerating personal identifiable information without authorization.\n",
        // paraphrases
        "You may use, modify and distribute the Model, including commercially.\n\nYou agree not to:\n\n(a) harass others;\n(b) generate likenesses of real persons without authorization.\n",
        // mythologic-mimir-model-license-1.0.txt: a ban on training
        // competing models and what it leaves permitted
        "You may use the Model, including for commercial use. Do not use the Model or its outputs as a material source for training, distilling or extracting a model whose principal purpose is to substitute for the Model. Ordinary benchmarking, academic research and fine-tuning are all permitted.",
        // a list of what is not asked, and a denial by "does not require"
        "Free to use, including commercially. No registration, no approval, no payment, no royalties. Anyone may download and evaluate the Model without fee, registration or contacting Licensor. Licensor does not require eligibility reports, registration or royalty statements. Do not train other models with its outputs.",
    ] {
        assert_eq!(verdict(text), Verdict::PermittedWithConditions, "{text}");
    }
    // a negated "without registration" still asks for it
    let text = "You may use the Model for any purpose. You may not use it commercially without registration.";
    assert!(!verdict(text).allows_commercial_use(), "{text}");
}

#[test]
fn a_cc_by_grant_asking_credit_and_refused_training_licences_is_permitted() {
    for text in [
        // iris-plant-model-files-cc-by-provenance.txt (tests/license-eval)
        "The model files are released separately, under the Creative Commons Attribution 4.0 International licence (CC BY 4.0). You may use them commercially, run them, fine-tune them and redistribute them, including inside closed-source products, as long as you give credit.\n\nThe weights were trained on photographs under CC0 and CC BY. Images under any non-commercial or no-derivatives licence were refused, twice.\n",
        // paraphrase
        "The weights are licensed under CC BY 4.0. You can use them in commercial products provided you give appropriate credit.\n\nData under NC licences was filtered out before training.\n",
    ] {
        assert_eq!(verdict(text), Verdict::Permitted, "{text}");
    }
}

#[test]
fn research_beside_artistic_projects_is_non_commercial_and_a_benchmarks_label_is_no_scope() {
    for text in [
        // hsyn9dhpe-model-weights-nc-license.txt (tests/license-eval)
        "MODEL WEIGHTS LICENSE (Non-Commercial Research Only)\n\n1) GRANT. You may use the Weights solely for non-commercial scientific research, non-commercial education, or non-commercial artistic projects.\n",
        // paraphrase
        "You may use the checkpoint only for academic research and non-commercial creative projects.",
    ] {
        assert_eq!(verdict(text), Verdict::NonCommercial, "{text}");
    }
    // kapteeni-trained-weights-cc-by-sa-provenance.txt: a benchmark labelled
    // "(evaluation only)" says how the benchmark was used
    let text = "Trained weights are released under CC BY-SA 4.0, with the attributions below.\n\nJevBench (evaluation only): aggregate scores are quoted from the MIT-licensed benchmark.\n";
    assert!(verdict(text).allows_commercial_use(), "{text}");
    // the model's own label stays a scope
    let text = "The model (research use only) is released under CC BY 4.0.";
    assert!(!verdict(text).allows_commercial_use(), "{text}");
}

#[test]
fn the_cc_deeds_no_additional_restrictions_term_is_the_licenses_own() {
    // opencomic-ai-model-weights-cc-by.txt (tests/license-eval)
    let text = "The model weights are licensed under the Creative Commons Attribution 4.0 International License (CC BY 4.0).\n\nYou are free to:\n- Share: copy and redistribute the material in any medium or format.\n- Use commercially.\n\nUnder the following terms:\n- Attribution: You must give appropriate credit, provide a link to the license, and indicate if changes were made.\n- No additional restrictions: You may not apply legal terms or technological measures that legally restrict others from doing anything the license permits.\n";
    assert_eq!(verdict(text), Verdict::Permitted, "{text}");
    // a restriction of the text's own beside it still counts
    let with_own = format!("{text}\nYou may not use the weights to train other models.\n");
    assert_ne!(verdict(&with_own), Verdict::Permitted, "{with_own}");
}

#[test]
fn an_attribution_label_and_a_no_item_are_read_as_their_clauses() {
    // bothros-aegean-weights-cc-by-nc-sa.txt (tests/license-eval)
    let text = "The weights are licensed under CC BY-NC-SA 4.0.\n\nAttribution — credit BOTHROS and the underlying corpora (see below).\n";
    assert_eq!(values(text, ObligationKind::Attribution).len(), 1, "{text}");
    // multispectral-caption-msi-responsible-ai-weights-license.txt
    let text = "Restrictions (Prohibited Uses).\n- No surveillance, tracking, targeting of persons/property, weaponization, or military/intelligence uses.\n";
    let fields = values(text, ObligationKind::FieldOfUseBan);
    assert!(
        fields.iter().any(|f| f.contains("surveillance")),
        "{fields:?}"
    );
    // a sentence that merely opens with "No" bans no field it names in passing
    let text = "No warranty is given that the model is fit for medical diagnosis.";
    assert!(
        values(text, ObligationKind::FieldOfUseBan).is_empty(),
        "{text}"
    );
}

#[test]
fn a_grant_that_excludes_production_or_binds_bundled_weights_to_research_terms_is_research_only() {
    for text in [
        // distil-labs-trained-model-rd-license-functiongemma.txt (tests/license-eval)
        "Distil Labs transfers to the Customer the perpetual, non-exclusive usage right to the Trained Model for non-commercial purposes of prototyping and research & development. The Parties agree, that commercial purposes include deployment in production externally or internally.",
        // fofr-face-to-sticker-weights-licenses-nc.txt: bundled third-party
        // weights under research-only terms
        "Some weights used in this model cannot be used commercially. InsightFace FaceSwap models are non-commercial research only.",
        // paraphrases
        "We grant you a licence to use the weights for non-commercial purposes such as research, evaluation and testing.",
        "You may use the model for non-commercial purposes. Commercial use includes any use in production, internal tools included.",
        "The bundled face-detection weights are licensed for non-commercial research purposes only.",
    ] {
        assert_eq!(verdict(text), Verdict::ResearchOnly, "{text}");
    }
    // a non-commercial purpose that is not research alone, and research
    // data named beside a non-commercial grant, keep the grant non-commercial
    for text in [
        "You may use the model for non-commercial purposes of research and teaching.",
        "You may use the model for non-commercial purposes. Its training data permit non-commercial research only.",
    ] {
        assert_eq!(verdict(text), Verdict::NonCommercial, "{text}");
    }
}

#[test]
fn commercial_use_for_parties_the_licensor_lists_is_an_approval_path() {
    for text in [
        // pikafish-nnue-weights-license.txt (tests/license-eval)
        "The weights file released with the engine and the weights files derived from them are: 1. Only for legal use. 2. No commercial use without permission. The use of nnue weights for commercial purposes by [these individuals and organizations](https://example.org/list.html) is permitted.",
        // paraphrases
        "Non-commercial use is free. Commercial use by approved partners is permitted; ask us to be added to the list.",
        "You may not use the model commercially without our permission. Commercial use by the following companies is allowed: Example Ltd.",
    ] {
        assert_eq!(verdict(text), Verdict::RequiresApproval, "{text}");
    }
    // permission alone, with no party it is given to, keeps the limit
    let text = "You may use the weights for non-commercial purposes. No commercial use without permission.";
    assert_eq!(verdict(text), Verdict::NonCommercial, "{text}");
    assert!(!values(text, ObligationKind::Registration).is_empty());
}

#[test]
fn research_terms_of_training_data_are_no_limit_of_the_weights_grant() {
    // carlatoreal-driving-weights-cc-by-sa-dataset-terms.txt (tests/license-eval)
    let text = "Trained model weights in this directory are licensed under the Creative Commons Attribution-ShareAlike 4.0 International (CC BY-SA 4.0). Share-alike propagates to derivative works. Mapillary Vistas and Cityscapes are licensed for research use and are part of the SUNNY corpus only.";
    assert!(verdict(text).allows_commercial_use(), "{text}");
    // research terms that reach the weights keep the grant from commercial use
    for text in [
        "Trained model weights in this directory are licensed under CC BY-SA 4.0. The weights trained on the SUNNY corpus are licensed for research use only.",
        "Trained model weights in this directory are licensed under CC BY-SA 4.0. The SUNNY corpus is licensed for research use only, and so are models trained on it.",
    ] {
        assert!(!verdict(text).allows_commercial_use(), "{text}");
    }
}

fn kinds(text: &str) -> Vec<ObligationKind> {
    let t = NormText::new(text);
    read_clauses(&t).into_iter().map(|h| h.kind).collect()
}

#[test]
fn decisive_clauses_in_other_words_are_read_for_citation() {
    use ObligationKind as K;
    for (text, kind) in [
        // edurabsa-slm-lora-adaptors-cc-by-nc-sa-notice.txt (tests/license-eval)
        ("Attribution is required.", K::Attribution),
        ("Any derivatives must be shared under CC BY-NC-SA 4.0.", K::UseRestrictionsPassdown),
        // carlatoreal-driving-weights-cc-by-sa-dataset-terms.txt
        ("Share-alike propagates to derivative works.", K::UseRestrictionsPassdown),
        // a share-alike deed's summary, a no-looser-terms duty, a pass-on duty
        ("If you build upon the weights, you must distribute your contributions under the same license as the original.", K::UseRestrictionsPassdown),
        ("You may only distribute them under terms no less restrictive than this License.", K::UseRestrictionsPassdown),
        ("You must bind each recipient to enforceable terms at least as protective as these restrictions.", K::UseRestrictionsPassdown),
        // fofr-face-to-sticker-weights-licenses-nc.txt
        ("Some weights used in this model cannot be used commercially.", K::NonCommercial),
        ("BRIA AI's remove background tool cannot be used commercially without prior agreement.", K::Registration),
        // minicrit, chai-1 community license
        ("You may not commercially use the Models or any derivative model.", K::NonCommercial),
        ("No rights are granted under this License to a Commercial Entity.", K::NonCommercial),
        // hma-net dental weights, uw-rosetta deepab, minicrit
        ("If you need to use it in a closed-source product, obtain a commercial licence from Ultralytics.", K::Registration),
        ("For any commercial purposes you will need to execute a separate licensing agreement with the university.", K::Registration),
        ("You may not deploy the Model in production environments without a valid Commercial License.", K::Registration),
        ("You may not fine-tune the Model without a separate written agreement.", K::Registration),
    ] {
        assert!(kinds(text).contains(&kind), "{kind:?} in {text}");
    }
    for (text, kind) in [
        // uw-rosetta deepab, the arc state model, a CC BY-NC notice, MIMIR
        ("You agree to acknowledge the contribution Developers make to your research, and cite appropriate references in your publications.", K::Attribution),
        ("You must also include a prominent and readable citation to the research paper.", K::Attribution),
        ("You may share and adapt them for NON-COMMERCIAL purposes, with attribution.", K::Attribution),
        ("If You Distribute the Model, You must retain this notice in the materials You distribute.", K::Attribution),
        // pass-on duties: hma-net, distil-labs, a CC BY-SA weights notice, a
        // derivative work that keeps the restrictions
        ("This derivative checkpoint is distributed under the same terms.", K::UseRestrictionsPassdown),
        ("The Customer must oblige their clients to compliance with the Base Model License.", K::UseRestrictionsPassdown),
        ("You may redistribute the Models, as long as the recipient receives the same restrictions.", K::UseRestrictionsPassdown),
        ("Please release your derived weights under CC BY-SA 4.0 or a compatible license.", K::UseRestrictionsPassdown),
        ("You may modify it, provided that the limitations and restrictions herein remain in substance and effect.", K::UseRestrictionsPassdown),
        // distil-labs: the license confined to named regions; minicrit
        ("The territorial scope of the license is limited to the use within the United States of America and the European Economic Area.", K::TerritoryExclusion),
        ("You may not use the Works or any of their Outputs outside the Applicable Territory.", K::TerritoryExclusion),
        // the arc state model, dreamlite, a commercial-rights contact
        ("You may not distribute the Model unless You first obtain a separate, express, written license from Licensor granting such rights.", K::Registration),
        ("Shipping this pipeline would require either (a) a commercial licence from the authors, or (b) another base model.", K::Registration),
        ("If you need commercial or clinical use rights, please contact the authors.", K::Registration),
        // field bans: carlatoreal's dataset terms, dotori's voice clause
        ("Do not use the data to identify any individual.", K::FieldOfUseBan),
        ("You must not use the Model to imitate the voice of a real, identifiable person without that person's consent.", K::FieldOfUseBan),
        // distil-labs: models that compete
        ("The Customer shall not use the Trained Model to create derivative models or services that compete with those of the Licensor.", K::NoTrainingOtherModels),
        // resi subnet 46: extraction to recreate the weights
        ("Model extraction, cloning, or distillation intended to recreate substantially similar weights is prohibited.", K::NoTrainingOtherModels),
        // pikafish: lawful use only
        ("Only for legal use, any consequences caused by any use beyond the legal scope shall be borne by the user.", K::AcceptableUsePolicy),
    ] {
        assert!(kinds(text).contains(&kind), "{kind:?} in {text}");
    }
    // a license that is not needed asks for nothing
    let text =
        "The tool may be used for commercial purposes without a separate commercial license.";
    assert!(!kinds(text).contains(&K::Registration), "{text}");
    assert!(verdict(text).allows_commercial_use(), "{text}");
}

/// The words of each sentence read as `kind`.
fn cited(text: &str, kind: ObligationKind) -> Vec<String> {
    let t = NormText::new(text);
    read_clauses(&t)
        .into_iter()
        .filter(|h| h.kind == kind)
        .map(|h| t.words_text(h.words.0, h.words.1).to_string())
        .collect()
}

#[test]
fn the_items_a_limit_goes_on_with_are_cited_with_it() {
    use ObligationKind as K;
    // sr-diffusion-checkpoint-artifact-license-cc-by-nc.txt (tests/license-eval)
    let text = "Commercial use is not permitted without separate written permission. This includes, but is not limited to:\n\n- selling the checkpoints\n- integrating the checkpoints into commercial products\n";
    assert!(cited(text, K::NonCommercial)
        .iter()
        .any(|s| s.contains("integrating")));
    // drugclip-model-weights-and-outputs-cc-by-nc.txt: what commercial use
    // includes, in a text that limits it
    let text = "You may not use the material for commercial purposes.\n\nCommercial use includes, but is not limited to:\n\n- Using the model for drug discovery in a for-profit organization\n";
    assert!(cited(text, K::NonCommercial)
        .iter()
        .any(|s| s.contains("drug discovery")));
    // hsyn9dhpe-model-weights-nc-license.txt: an item of a prohibited-uses list
    let text = "The following uses are strictly prohibited:\n- Commercial purposes, including incorporation in commercial products\n";
    assert!(cited(text, K::NonCommercial)
        .iter()
        .any(|s| s.contains("incorporation")));
    // a definition of commercial use in a text that grants it limits nothing
    let text = "You may use the model for any purpose, including commercial use.\n\nCommercial use includes, but is not limited to:\n\n- selling access to the model\n";
    assert!(cited(text, K::NonCommercial).is_empty(), "{text}");
    assert!(verdict(text).allows_commercial_use(), "{text}");
}

#[test]
fn the_definition_of_the_commercial_term_is_cited_with_the_limit() {
    use ObligationKind as K;
    let limit = "You may only use the Models for non-Commercial Purposes.\n\n";
    // Yi Series Models License 1.0 (tests/license-corpus), section 1.7
    let yi = "“Commercial Purposes” refers to the use of the Yi Series Models, directly or indirectly, for the operation, promotion, revenue generation, or any other profit-making purposes for entities or individuals.";
    // iFLYTEK Spark-13B licence (tests/license-eval, unseen12), 一.9
    let spark =
        "9. “非商业用途”是指使用模型直接或间接为实体或个人进行学术、研究等非商业/非盈利目的用途。";
    for (definition, words) in [
        (yi, "profit-making"),
        (spark, "非盈利"),
        // paraphrases: another verb, the non-commercial term, the other language
        (
            "\"Commercial Use\" shall mean any use intended for monetary gain.",
            "monetary",
        ),
        (
            "\"NonCommercial\" means not primarily intended for commercial advantage.",
            "advantage",
        ),
        ("“商业用途”是指以营利为目的使用本模型。", "营利"),
    ] {
        let text = format!("{limit}{definition}");
        assert!(
            cited(&text, K::NonCommercial)
                .iter()
                .any(|s| s.contains(words)),
            "{text}"
        );
        assert_eq!(verdict(&text), Verdict::NonCommercial, "{text}");
    }
    // VenusFactory non-commercial license (tests/license-eval, unseen4),
    // 1.3: the definition's items are what the limit reaches
    let text = "The Software may be used solely for internal Non-Commercial Purposes.\n\n1.3 \"Commercial Use\" means any use of the Software that is not a Non-Commercial Purpose, including without limitation:\n\n(a) use by, on behalf of, or for the benefit of a for-profit entity;\n";
    assert!(cited(text, K::NonCommercial)
        .iter()
        .any(|s| s.contains("for-profit entity")));
    // the items of the non-commercial term are the uses it allows: no limit
    let text = "You may use the Model only for Non-Commercial Purposes.\n\n\"Non-Commercial Purpose\" means any of the following uses:\n\n(i) use by an individual for private study;\n";
    assert!(!cited(text, K::NonCommercial)
        .iter()
        .any(|s| s.contains("private study")));
    // a definition alone, in a text that limits nothing, cites nothing
    for text in [yi, spark] {
        assert!(cited(text, K::NonCommercial).is_empty(), "{text}");
    }
}

#[test]
fn a_paid_offering_banned_is_commercial_use_and_its_intro_is_cited() {
    use ObligationKind as K;
    // image-to-embroidery research-only non-commercial model license
    // (tests/license-eval, unseen10), "## Restrictions"
    let text = "You may download and run the released materials for non-commercial research or education.\n\nWithout prior written permission from the release claimant, you may not:\n\n- sell, sublicense, rent, or redistribute the model weights or a hosted copy;\n- use the release as part of a paid API, product, or production workflow;\n";
    let found = cited(text, K::NonCommercial);
    assert!(found.iter().any(|s| s.contains("paid api")), "{found:?}");
    assert!(
        found.iter().any(|s| s.contains("you may not:")),
        "{found:?}"
    );
    // paraphrases
    for text in [
        "You may not deploy the checkpoint in a paid service.",
        "Licensee shall not offer the model within any revenue-generating application.",
        "You must not use these weights to power a for-profit product.",
    ] {
        assert!(kinds(text).contains(&K::NonCommercial), "{text}");
    }
    // a list that bans nothing commercial leaves its intro uncited
    let text = "You may use the model for any purpose. You may not:\n\n- remove this notice;\n- use the model to harass people;\n";
    assert!(cited(text, K::NonCommercial).is_empty(), "{text}");
    // a paid product named without a ban limits nothing
    assert!(!kinds("You may use the model in a paid product.").contains(&K::NonCommercial));
}

#[test]
fn naming_the_author_and_a_ban_lifted_by_a_separate_license() {
    use ObligationKind as K;
    for (text, kind) in [
        // image-to-embroidery license (tests/license-eval, unseen10)
        ("Every public report, presentation, benchmark, or paper using outputs from this release must identify the release claimant, cite `CITATION.cff`, and link to this repository.", K::Attribution),
        // paraphrases
        ("Any product built on the model shall clearly name the original authors.", K::Attribution),
        ("Publications must also identify the model's developers.", K::Attribution),
        // animaxs-redistributed-weights-circlestone-nc-audit.txt (unseen10)
        ("The app must not be marketed or used for commercial/production purposes without separate licenses from CircleStone (and NVIDIA where applicable).", K::Registration),
        // paraphrases
        ("The weights may not be sold or hosted as a service without a separate written agreement with us.", K::Registration),
        ("You shall not deploy the model in production without express permission from the authors.", K::Registration),
    ] {
        assert!(kinds(text).contains(&kind), "{kind:?} in {text}");
    }
    // a need denied, and a name to leave alone, ask nothing
    let text = "You may use the model commercially without a separate license.";
    assert!(!kinds(text).contains(&K::Registration), "{text}");
    let text = "You must not identify the authors as endorsing your product.";
    assert!(!kinds(text).contains(&K::Attribution), "{text}");
}

#[test]
fn ethical_use_ensured_and_training_a_model_of_many_kinds() {
    use ObligationKind as K;
    for (text, kind) in [
        // lg-k-exaone-ai-model-license-agreement.txt (unseen10), 3.3
        ("3.3 Ethical Use: User shall ensure that the Model or Derivative Work is used ethically and responsibly in compliance with the following guidelines:", K::AcceptableUsePolicy),
        // paraphrases
        ("The Licensee must make sure the weights are used responsibly.", K::AcceptableUsePolicy),
        ("You shall ensure that any deployment of the Model is used lawfully.", K::AcceptableUsePolicy),
        // breezeblue-breeze-tts2 research non-commercial license 1.1 (unseen10), 5(b)
        ("You may not use the Model Materials, a Derivative Model, or any Output to create, train, fine-tune, distill, evaluate for training selection, or otherwise improve any non-BreezeBlue foundational or generative speech, audio, language, or multimodal model.", K::NoTrainingOtherModels),
        // paraphrase
        ("You shall not use Outputs to improve any third-party text, image, or video generation model.", K::NoTrainingOtherModels),
    ] {
        assert!(kinds(text).contains(&kind), "{kind:?} in {text}");
    }
    // a wish, not a duty, and a model improved by the licensor
    assert!(!kinds("We hope the model is used responsibly.").contains(&K::AcceptableUsePolicy));
    assert!(!kinds("We will improve the model over time.").contains(&K::NoTrainingOtherModels));
}

#[test]
fn a_non_commercial_purpose_stated_and_voice_bans() {
    use ObligationKind as K;
    for (text, kind) in [
        // owt-llm-weights-non-commercial-notice.txt (unseen12)
        ("The Base and Instruct model weights are provided for non-commercial education, research, and personal experimentation.", K::NonCommercial),
        // picorn-background-remover-weights-nc-written-permission.txt (unseen12)
        ("The weights are provided for personal use, research, evaluation, and non-commercial demonstrations.", K::NonCommercial),
        // paraphrase
        ("These checkpoints are released for non-commercial teaching.", K::NonCommercial),
        // pockettts-android-onnx-weights-cc-by-voice-consent.txt (unseen12)
        ("do not clone or impersonate a voice without explicit, lawful consent.", K::FieldOfUseBan),
        ("Do not use generated speech for fraud, deception, harassment, privacy invasion, misinformation, or other harmful or unauthorized activity.", K::AcceptableUsePolicy),
        // paraphrases
        ("You must never clone a real person's voice.", K::FieldOfUseBan),
        ("Never use the outputs for spam or disinformation.", K::AcceptableUsePolicy),
    ] {
        assert!(kinds(text).contains(&kind), "{kind:?} in {text}");
    }
    // both uses named, and a voice cloned with consent, limit nothing
    let text = "The weights are provided for commercial and non-commercial use.";
    assert!(!kinds(text).contains(&K::NonCommercial), "{text}");
    let text = "This model can clone a voice from a short sample.";
    assert!(!kinds(text).contains(&K::FieldOfUseBan), "{text}");
}

#[test]
fn whom_to_ask_before_commercial_use_and_hosted_services_banned() {
    use ObligationKind as K;
    for (text, kind) in [
        // bonemarrowmap progenitor-score weights notice (tests/license-eval, unseen5)
        ("If anyone wants commercial use, ask the BoneMarrowMap authors and the TCD technology-transfer office first.", K::Registration),
        // paraphrases
        ("If you intend to deploy the weights commercially, please contact the lab.", K::Registration),
        ("If a user would like to use the checkpoints for commercial products, email licensing@example.org.", K::Registration),
        // unseen5 notices' lists of what the license does not allow
        ("You may not: (A) Offer the Model as a **Public Hosted Service** (paid or free), including online apps, APIs, or cloud tools", K::FieldOfUseBan),
        ("You may not offer the Model to third parties as a hosted or managed model service whose main value is the Model itself;", K::FieldOfUseBan),
        // paraphrase
        ("You shall not offer the weights as a managed inference service.", K::FieldOfUseBan),
    ] {
        assert!(kinds(text).contains(&kind), "{kind:?} in {text}");
    }
    // a wish to use commercially met by a grant, and a hosted service offered by the licensor
    let text = "If you want to use the model commercially, you may do so freely.";
    assert!(!kinds(text).contains(&K::Registration), "{text}");
    let text = "We offer the Model as a hosted service.";
    assert!(!kinds(text).contains(&K::FieldOfUseBan), "{text}");
}

#[test]
fn a_lettered_item_of_a_ban_list_is_read_without_its_letter() {
    use ObligationKind as K;
    // InstaDeep Open Model Licence 1.0 (tests/license-eval, unseen11), 3(a)
    let text = "You may use the Licenced Models for Non-Commercial Purposes.\n\n3. Use Restrictions.\n\nYou may not:\n\n(a) Use the Licenced Models, Output or Derivative Work for any Commercial Purpose, unless agreed by Us under a separate licence;\n\n(b) Licence, sublicense, or resell access to, or copies of, the Licenced Models or Output;\n";
    let found = cited(text, K::NonCommercial);
    assert!(found.iter().any(|s| s.starts_with("(a) use")), "{found:?}");
    // paraphrase: another numbering, another verb
    let text = "You may use the weights for research.\n\nYou shall not:\n\n(iv) deploy the weights for any commercial purpose;\n";
    let found = cited(text, K::NonCommercial);
    assert!(
        found.iter().any(|s| s.starts_with("(iv) deploy")),
        "{found:?}"
    );
    // 3(c): the training ban, its verbs listed with commas
    let text = "You may not:\n\n(c) Use or provide access to any Output for the purpose of, training, improving, or otherwise influencing the functionality or performance of any third-party derivative model;\n";
    assert!(kinds(text).contains(&K::NoTrainingOtherModels), "{text}");
    // chai-discovery-chai-1-community-license-2024-09.txt (tests/license-eval):
    // the intro of a list of the models it may not train
    let text = "Model, Derivative Works, Outputs and Output Derivatives may not be used to train, optimize, improve or otherwise influence the functionality or performance of any:";
    assert!(kinds(text).contains(&K::NoTrainingOtherModels), "{text}");
    // paraphrase
    let text = "Outputs shall not be used for training, or improving, another language model.";
    assert!(kinds(text).contains(&K::NoTrainingOtherModels), "{text}");
    // an item opening with a label keeps its marker: the label bans nothing
    // (LTX-2 Community License, acceptable use item 18)
    let text = "You may use the model commercially. You agree not to use the Outputs in any of the following ways:\n\n18) For commercial use only: To train, improve, or fine-tune any other machine learning model;\n";
    assert!(cited(text, K::NonCommercial).is_empty(), "{text}");
}

#[test]
fn disparaging_the_licensor_banned_is_a_condition() {
    use ObligationKind as K;
    for text in [
        // funasr-model-license-1.1.txt (tests/license-eval, tune), 4.2, both languages
        "Individual or organizational users shall not engage in unjustified denigration, malicious smearing, or baseless insults against [FunASR Software].",
        "个人或组织用户不得对[FunASR 软件]进行无端诋毁、恶意抹黑或凭空谩骂。",
        // paraphrases
        "You must not disparage the Licensor.",
        "Users will not publish smears about the model.",
        "您不得抹黑本模型的开发者。",
    ] {
        assert!(kinds(text).contains(&K::FieldOfUseBan), "{text}");
    }
    // a use policy's item about others, and praise, are no such condition
    for text in [
        "You shall not disparage competitors in advertising.",
        "We welcome honest criticism of the model.",
    ] {
        assert!(!kinds(text).contains(&K::FieldOfUseBan), "{text}");
    }
    // a condition, not a limit on commercial use
    let text = "You may use the model for any purpose, including commercial use. You shall not engage in malicious smearing against the Licensor.";
    assert_eq!(verdict(text), Verdict::PermittedWithConditions, "{text}");
}

#[test]
fn a_numbered_section_after_a_ban_list_is_read_as_it_stands() {
    use ObligationKind as K;
    // hsyn9dhpe-model-weights-nc-license.txt (tests/license-eval, unseen8)
    let text = "3) NO COMMERCIAL TRAINING/SERVING — You may not use these Weights to:\n   - Pre-train, fine-tune, or serve systems intended for commercial use\n\n4) NO REDISTRIBUTION OF THIRD-PARTY DATA — You must NOT redistribute AMASS.\n\n5) ATTRIBUTION — If you use these Weights in your research, you must:\n   a) Cite the AMASS dataset (ICCV 2019)\n";
    let found = cited(text, K::Attribution);
    assert!(
        found.iter().any(|s| s.starts_with("5) attribution")),
        "{found:?}"
    );
    // paraphrase: another heading, another duty
    let text = "You may not:\n\n(a) sell the Model;\n\n(b) Credit: you must credit the authors in any publication.\n";
    assert!(kinds(text).contains(&K::Attribution), "{text}");
    // an item the ban reaches is read with it, not as a grant
    let text = "You may not:\n\n(a) use the Model for commercial purposes;\n";
    assert!(kinds(text).contains(&K::NonCommercial), "{text}");
}

#[test]
fn content_bans_and_voice_consent_are_a_use_policy() {
    use ObligationKind as K;
    for text in [
        // dreamlite-stream-adapter-weights-use-policy.txt (tests/license-eval, unseen6)
        "These models **MUST NOT** be used to\n> generate, edit, or distribute any content that is sexually\n> explicit, pornographic, violent, discriminatory, or otherwise illegal.",
        // styletts2-pretrained-models-terms-of-use.txt (unseen6)
        "Before using these pre-trained models, you agree to inform the listeners that the speech samples are synthesized by the pre-trained models, unless you have the permission to use the voice you synthesize.",
        "That is, you agree to only use voices whose speakers grant the permission to have their voice cloned, either directly or by license before making synthesized voices public.",
        // paraphrases
        "The adapter shall not be used to create hateful or abusive images.",
        "You agree to tell your audience that any clip is AI-generated.",
        "Use only voices for which you hold the speaker's written consent.",
    ] {
        assert!(kinds(text).contains(&K::AcceptableUsePolicy), "{text}");
    }
    // what the model can generate, said of it, asks nothing
    let text = "The model can be used to generate violent scenes for film previsualisation.";
    assert!(!kinds(text).contains(&K::AcceptableUsePolicy), "{text}");
}

#[test]
fn the_upstream_model_s_terms_kept_are_cited_not_weighed() {
    use ObligationKind as K;
    for (text, words) in [
        // vuln-coprocessor-qwen-lora-adapters-apache-notice.txt (unseen10)
        ("1. Adapter and merged-model use must remain compatible with the license terms of the upstream base model.", "compatible"),
        // zenzei-deepseek-v3-derived-weights-license-pointer.txt (unseen10)
        ("The model weights are subject to the DeepSeek Model License.", "subject to"),
        // modpack-translator-gemma4-lora-mit-weights-notice.txt (unseen10)
        ("The MIT License in this repository does not relicense the upstream base model.", "relicense"),
        // techjam-dinov3-finetune-weights-licence-provenance.txt (unseen10)
        ("They must never be relicensed under MIT or any other licence.", "never"),
        // cogvlm-license.txt (tests/license-eval, held-out), section 7
        ("For CogVLM-17B version, Llama2 license conditions (https://ai.meta.com/llama/license/) and EVA license conditions (MIT, https://github.com/baaivision/EVA/blob/master/LICENSE) Also applies to model weights.", "also applies"),
        // paraphrases
        ("These checkpoints remain governed by the original model's license.", "governed"),
        ("The base model's license terms apply to the weights as well as the code, and also apply to the model weights.", "apply to the model weights"),
        ("The adapter weights stay bound by the Llama model license.", "bound"),
        ("Derived weights may not be relicensed.", "relicensed"),
    ] {
        assert!(
            cited(text, K::UseRestrictionsPassdown).iter().any(|s| s.contains(words)),
            "{text}"
        );
    }
    // the base's terms are the base's: a permissive grant stays permitted
    let text = "The adapters are released under the Apache License, Version 2.0, for any purpose. Adapter use must remain compatible with the license terms of the upstream base model.";
    let grant = "The adapters are released under the Apache License, Version 2.0, for any purpose.";
    assert_eq!(verdict(text), verdict(grant), "{text}");
    // the text's own terms that travel are weighed
    let text = "Derivative models must be distributed under the same license.";
    let t = NormText::new(text);
    assert!(read_clauses(&t)
        .iter()
        .any(|h| h.kind == K::UseRestrictionsPassdown && h.weighs()));
    // the model subject to this license itself is no upstream
    assert!(cited(
        "The Model is subject to the terms of this Agreement.",
        K::UseRestrictionsPassdown
    )
    .is_empty());
}

#[test]
fn a_licence_restated_or_a_risk_acknowledged_is_no_duty() {
    // weights under the code's permissive terms pass nothing on; a risk the
    // user acknowledges is no credit duty
    for text in [
        "The model weights are released under the same terms as the code, the MIT License.",
        "You acknowledge the use of the Model is at your own risk.",
    ] {
        let found = kinds(text);
        assert!(
            !found.contains(&ObligationKind::UseRestrictionsPassdown),
            "{text}"
        );
        assert!(!found.contains(&ObligationKind::Attribution), "{text}");
    }
    let text = "The model weights are released under the same terms as the code, the MIT License.";
    assert_eq!(verdict(text), Verdict::Permitted, "{text}");
}

/// daoti-research-license-zh-en.txt (tests/license-eval): a "Research
/// License" whose grant includes commercial inference, whose written consent
/// is asked only to redistribute the weights as a product of their own, and
/// whose "Commercial License Application" opens access to source code it
/// withholds, is a grant of commercial use with conditions.
#[test]
fn consent_to_redistribute_or_to_see_withheld_code_is_no_gate_on_use() {
    let grant = "ACME Research License\n\n1.1 \"Academic Use\" means use by a university for non-commercial research.\n\nUse by research divisions of commercial entities does not qualify as Academic Use.\n\n2.1 PUBLIC USE LICENSE\n\nYou are granted a worldwide, royalty-free, non-exclusive license to:\n(a) use the Model Weights for inference, including in commercial applications;\nprovided that:\n(i) you clearly attribute ACME as the original author;\n(ii) you do NOT sublicense, resell, or redistribute the Model Weights as a standalone product without prior written consent from ACME.\n\n2.2 ARCHITECTURE SOURCE CODE — CASE-BY-CASE AUTHORIZATION\n\nArchitecture Source Code is NOT included in the public repository.\n\nAccess to Architecture Source Code requires a separate written authorization from ACME.\n\nTo request access:\n\n(b) Commercial entities: Submit a Commercial License Application.\n";
    assert_eq!(verdict(grant), Verdict::PermittedWithConditions);
    // the same in Chinese
    let zh = "ACME 研究许可证\n\n2.1 公共使用许可\n\n您被授予全球范围内、免版税、非独占的许可:\n(a) 使用模型权重进行推理,包括商业应用;\n但须满足以下条件:\n(i) 明确标注原作者为 ACME;\n(ii) 未经 ACME 事先书面同意,不得将模型权重作为独立产品进行转授权、转售或再分发.\n";
    assert_eq!(verdict(zh), Verdict::PermittedWithConditions);
    // consent asked to use the weights commercially is still a gate
    let gated = "ACME Research License\n\nYou are granted a worldwide, royalty-free, non-exclusive license to:\n(a) use the Model Weights for inference, including in commercial applications;\nprovided that:\n(i) you do not use the Model Weights in a commercial product without prior written consent from ACME.\n";
    assert_ne!(verdict(gated), Verdict::PermittedWithConditions);
    assert!(!verdict(gated).allows_commercial_use());
    // with no grant of commercial use, the research license's name decides
    let named = "ACME Research License\n\nYou may use, copy and modify the weights. You may not redistribute the weights without prior written consent from ACME.\n";
    assert!(
        !verdict(named).allows_commercial_use(),
        "{:?}",
        verdict(named)
    );
}

/// A license named in the item after an intro ("… checkpoints released by
/// this project are distributed under:" ⏎ "- Creative Commons
/// Attribution-NonCommercial 4.0", oral-lesion-model-weights-cc-by-nc.txt in
/// tests/license-eval) is cited at the intro too.
#[test]
fn the_intro_of_a_license_named_in_its_item_is_cited() {
    for text in [
        "# Model Weights License\n\nUnless otherwise stated, trained model checkpoints released by this project are distributed under:\n\n- **Creative Commons Attribution-NonCommercial 4.0 International (CC BY-NC 4.0)**\n",
        "The weights are released under:\n\n* CC BY-NC-SA 4.0\n",
    ] {
        let lines = cited(text, ObligationKind::NonCommercial);
        assert!(
            lines.iter().any(|l| l.contains("under:")),
            "{text}: {lines:?}"
        );
    }
    // an intro with nothing limited in its item gains nothing
    let lines = cited(
        "The weights are released under:\n\n- Apache License 2.0\n",
        ObligationKind::NonCommercial,
    );
    assert!(lines.is_empty(), "{lines:?}");
}

/// wapr-pose-weights-cc-by-nd-notice-zh-en.txt (tests/license-eval): weights
/// free for commercial use whose adaptations may be made and used but not
/// shared under the license: sharing them needs another license (cited), a
/// condition on sharing, not a gate on use.
#[test]
fn adaptations_not_shared_under_this_license_need_another_license_to_share() {
    for text in [
        "These public weights may be used free of charge for commercial and non-commercial applications. Adapted weights may be produced and used, but may not be shared under this license.",
        "本权重可免费用于商业和非商业用途。可以产生和使用修改后的权重，但本许可不允许共享修改版权重。",
        // paraphrase
        "You may use the checkpoint commercially. Fine-tuned versions may be created and used internally, but they may not be distributed under this licence.",
    ] {
        assert_eq!(verdict(text), Verdict::PermittedWithConditions, "{text}");
        assert!(
            !cited(text, ObligationKind::Registration).is_empty(),
            "{text}"
        );
    }
}

#[test]
fn a_grant_confined_to_a_purpose_defined_as_research_is_research_only() {
    // lightricks-ltx-video-0.9-rail-m-research-only.txt (tests/license-eval),
    // lines 22, 27 and 35: the definition, the grant confined to it, and the
    // duty to keep to it
    let ltx = "12. “Permitted Purpose” means for academic or research purposes only, and explicitly excludes commercialization such as downstream selling of the Model or Derivatives of the Model.\n2. Grant of Copyright License. Each Contributor hereby grants to You a perpetual, worldwide, non-exclusive, no-charge, royalty-free, irrevocable copyright license to reproduce, prepare, publicly display, publicly perform, sublicense, and distribute the Model and Derivatives of the Model, only for the Permitted Purpose.\n5. You and any Third Party recipients of the Model or Derivatives of the Model must adhere to the Permitted Purpose.\n";
    assert_eq!(verdict(ltx), Verdict::ResearchOnly);
    let cited = read_clauses(&NormText::new(ltx))
        .into_iter()
        .filter(|h| h.kind == ObligationKind::ResearchOnly)
        .count();
    assert_eq!(cited, 3, "the definition, the grant and the duty");
    // paraphrases: a research purpose that leaves commerce out without
    // "only", other terms, other ways of confining the grant to them
    for (definition, grant) in [
        (
            "\"Permitted Purpose\" means academic or research purposes, and explicitly excludes commercialization of the Model.",
            "You may copy and distribute the Model only for the Permitted Purpose.",
        ),
        (
            "\"Authorized Use\" shall mean academic research and teaching, and does not include any commercial use.",
            "The rights granted above may be exercised solely for the Authorized Use.",
        ),
        (
            "“Licensed Purpose” refers to non-profit scientific research, excluding commercial applications.",
            "Your use of the Model is limited to the Licensed Purpose.",
        ),
        (
            "\"Approved Use\" means research use only.",
            "Licensee shall comply with the Approved Use at all times when running the Model.",
        ),
    ] {
        let text = format!("{definition}\n{grant}\n");
        assert_eq!(verdict(&text), Verdict::ResearchOnly, "{text}");
    }
    // a purpose that leaves commerce out but is not research: non-commercial
    let hobby = "\"Permitted Purpose\" means personal, hobby and artistic projects, excluding any commercial use.\nYou may use the Model only for the Permitted Purpose.\n";
    assert_eq!(verdict(hobby), Verdict::NonCommercial);
    // a definition no grant is confined to limits nothing by itself
    let free = "\"Research Purpose\" means academic research, and excludes commercialization.\nYou may use, copy, modify and distribute the Model for any purpose, including commercial purposes.\n";
    assert!(
        verdict(free).rank() > Verdict::NonCommercial.rank(),
        "{:?}",
        verdict(free)
    );
}

#[test]
fn a_separate_license_for_those_who_meet_or_exceed_the_threshold_is_a_condition() {
    // krea-2-community-license-agreement.txt (tests/license-eval), 2.1 and
    // 2.3, then paraphrases of the sentence after the figure
    let grant = "Krea grants you a limited, non-exclusive, worldwide, royalty-free license to use, reproduce, distribute, copy, create Derivatives of, and generate Outputs from the Krea Model. Commercial Use of the Krea Model is permitted under this Agreement only if you satisfy the requirements of Section 2.3.\n";
    let threshold = "Commercial Use under this Agreement of the Krea Model is permitted only if you have total company-wide annual revenue of less than one million United States dollars ($1,000,000 USD), calculated on a trailing twelve-month basis.";
    for after in [
        "If you meet or exceed this threshold, you must obtain a separate enterprise license from Krea prior to any Commercial Use.",
        "Licensees that exceed the threshold must obtain a separate commercial license before any Commercial Use.",
        "Once your revenue reaches that limit, you must first obtain a separate enterprise license from us.",
    ] {
        let text = format!("{grant}{threshold} {after}\n");
        assert_eq!(
            verdict(&text),
            Verdict::PermittedWithConditions,
            "{after}"
        );
    }
    // with no threshold, the same separate license is a limit on every
    // commercial use
    let without = format!(
        "{grant}You must obtain a separate enterprise license from Krea prior to any Commercial Use.\n"
    );
    assert!(verdict(&without).rank() < Verdict::PermittedWithConditions.rank());
}

#[test]
fn a_separate_license_to_escape_copyleft_duties_is_no_gate_on_commercial_use() {
    // multimolecule-license-faq-zh-agpl-model-weights.txt (tests/license-eval),
    // lines 71, 72 and 297, then the same in English words
    for text in [
        "是的。只要你遵守本协议条款，即可将 MultiMolecule 用于商业目的。\n若你希望在不承担传播受覆盖材料时所适用义务的情况下进行商业使用，你必须获得我们单独授予的许可。\n如需申请单独许可，请通过 license@danling.org 联系我们。\n",
        "You may use the Model for commercial purposes, provided that you comply with the terms of the AGPL.\nIf you wish to use it commercially without complying with the copyleft obligations, you must obtain a separate license from us.\nTo request a separate license, contact license@example.org.\n",
    ] {
        assert_eq!(verdict(text), Verdict::PermittedWithConditions, "{text}");
    }
    // a separate license for any commercial use is still a gate
    let gate = "You may use the Model for any purpose.\nCommercial use requires a separate license from us.\n";
    assert!(verdict(gate).rank() < Verdict::PermittedWithConditions.rank());
}

#[test]
fn hosting_behind_an_application_and_an_optional_request_are_no_gate_on_commercial_use() {
    // falcon-180b-tii-license-zh-en-translation.txt (tests/license-eval):
    // the grant, 9.3-9.4 (Hosting Use behind an application) and 6.2 (an
    // adjusted statement the reader may request), then paraphrases
    let grant = "Each Contributor hereby grants to You a perpetual, worldwide, non-exclusive, royalty-free copyright license to reproduce, prepare Derivative Works of, publicly display, sublicense, and distribute the Work and such Derivative Works, including for commercial purposes.\n";
    for (hosting, request) in [
        (
            "Where You wish to make Hosting Use of Falcon 180B, You must apply to TII for permission to make Hosting Use of that Work in writing.\nWhere TII grants permission for You to make Hosting Use of the relevant Work, your use shall be subject to the separate license granted by TII relating to that use.",
            "You may request from TII a reasonably adjusted version of the above statement. TII will not unreasonably withhold or delay approval of such a request.",
        ),
        (
            "Offering the Model as a managed service to third parties requires our prior written approval.",
            "You may ask us for a shorter attribution line. We will not unreasonably refuse approval of this request.",
        ),
        (
            "Use of the Model for hosted services may require a separate license.",
            "您可以向许可方申请调整上述声明。许可方不会无理拒绝或延迟批准这样的请求。",
        ),
    ] {
        let text = format!("{grant}{hosting}\n{request}\n");
        assert_eq!(verdict(&text), Verdict::PermittedWithConditions, "{text}");
    }
    // approval asked for commercial use itself is still a gate
    let gate =
        format!("{grant}Any commercial use of the Work requires TII's prior written approval.\n");
    assert!(verdict(&gate).rank() <= Verdict::RequiresApproval.rank());
}

#[test]
fn a_permissive_license_named_for_adapters_or_by_default_is_that_license() {
    // vuln-coprocessor-qwen-lora-adapters-apache-notice.txt and
    // modpack-translator-gemma4-lora-mit-weights-notice.txt
    // (tests/license-eval), then paraphrases
    for text in [
        "Unless otherwise stated in a specific release, LoRA adapters and other model artifacts published from this repository are intended to be released under the Apache License, Version 2.0.\n",
        "The source code, configuration files, scripts, documentation, and the included LoRA adapter are licensed under the MIT License. See `LICENSE`.\n",
        "Except where otherwise noted, the adapters in this repository are distributed under the MIT License.\n",
    ] {
        assert_eq!(verdict(text), Verdict::Permitted, "{text}");
    }
    // code alone named, or a default with a real limit beside it
    assert_ne!(
        verdict("The source code and scripts are licensed under the MIT License.\n"),
        Verdict::Permitted
    );
    let limited = "Unless otherwise stated, the adapters are released under the Apache License 2.0. They may not be used for commercial purposes.\n";
    assert!(verdict(limited).rank() < Verdict::PermittedWithConditions.rank());
}

#[test]
fn a_grant_to_do_everything_with_the_weights_is_a_free_grant() {
    // open-weights-permissive-license-1.0.0.txt (tests/license-eval), the
    // License and Notices sections, then paraphrases
    let owl = "## License\nThe licensor grants you the rights to do everything with the licensed elements that would otherwise infringe that contributor's intellectual property rights, including without limitation copyright, patent rights, and trade secret rights. However, this license grants you no trademark or publicity rights.\n\n## Notices\nIf you provide any of the licensed elements to others in a manner that requires the license granted above, you must inform the recipient that the elements are available under this license, either by providing a copy of this license, or a reference to it.\n";
    assert_eq!(verdict(owl), Verdict::Permitted);
    for text in [
        "You may do anything with these weights that copyright would otherwise forbid.\n",
        "The author grants you the right to do everything with the model, including selling it.\n",
    ] {
        assert_eq!(verdict(text), Verdict::Permitted, "{text}");
    }
    // everything, but not commercially
    let nc = "You may do anything with these weights except use them for commercial purposes.\n";
    assert!(verdict(nc).rank() < Verdict::PermittedWithConditions.rank());
}

#[test]
fn labelled_non_commercial_and_commercial_below_a_figure_items_are_one_grant() {
    // sculptmate-community-license-agreement-1m-revenue.txt
    // (tests/license-eval), sections 2-4, then a paraphrase
    let grant = "**2. Grant of License**\n\nLicensor grants you a non-exclusive, worldwide, non-transferable, non-sublicensable, revocable, royalty-free license to use, reproduce, modify, and distribute the Software, subject to the terms and conditions outlined herein.\n\n**3. Permitted Use**\n\n";
    for items in [
        "- **Non-Commercial Use**: You may use the Software for research, educational, or personal projects without any revenue generation.\n\n- **Commercial Use**: Permitted only if Your annual gross revenue is less than $1,000,000 USD.\n",
        "- Personal use: You may use the model for research and hobby projects.\n- Commercial use: allowed for companies with annual revenue under USD 2 million.\n",
    ] {
        let text = format!("{grant}{items}");
        assert_eq!(verdict(&text), Verdict::PermittedWithConditions, "{text}");
    }
    // the non-commercial item alone is a limit
    let alone = format!("{grant}- **Non-Commercial Use**: You may use the Software for research, educational, or personal projects without any revenue generation.\n");
    assert!(verdict(&alone).rank() < Verdict::PermittedWithConditions.rank());
}

#[test]
fn use_only_under_a_separate_plan_with_the_provider_needs_approval() {
    // roboflow-platform-model-license-1.0-rf-detr-plus.txt
    // (tests/license-eval), section 1, then a paraphrase
    for text in [
        "1. Platform Plan Required\n\nYou may only use, reproduce, modify, or distribute the Software if you (and any entity that you represent) have accepted and are complying with the terms (including pricing, usage limits, and other usage metrics) of a separate platform plan, subscription, order form, or other agreement with the Software's provider.\n",
        "Licensee may use the weights solely if it has signed a separate enterprise agreement with the Licensor.\n",
    ] {
        assert_eq!(verdict(text), Verdict::RequiresApproval, "{text}");
    }
    // a separate agreement for something other than use is no such gate
    let other =
        "You may use, copy and modify the Model for any purpose, including commercial purposes.\n";
    assert!(verdict(other).rank() > Verdict::RequiresApproval.rank());
}

#[test]
fn a_license_said_not_to_be_osi_approved_asks_no_approval() {
    // techjam-dinov3-finetune-weights-licence-provenance.txt
    // (tests/license-eval), then a paraphrase
    for text in [
        "**The weights are licensed under the DINOv3 License** (Meta's Llama-style community licence), *not* MIT and *not* an OSI-approved open-source licence.\n\nUnder that licence, royalty-free and commercial use are permitted, and so are fine-tuning and redistribution of derivatives.\n",
        "These terms are not an approved open source license. Commercial use is permitted, with attribution.\n",
    ] {
        assert_eq!(verdict(text), Verdict::PermittedWithConditions, "{text}");
    }
    // approval asked of the reader still holds a grant back
    let asked = "Commercial use is permitted once your use case is approved by the Licensor.\n";
    assert!(verdict(asked).rank() <= Verdict::Unknown.rank());
}

#[test]
fn a_deed_grant_after_the_paragraph_naming_cc_by_is_that_licenses_grant() {
    // monocular-video-speed-estimation-weights-cc-by-validation-only.txt
    // (tests/license-eval): the license named, then its grant restated in a
    // paragraph of its own, then a description of what the weights are
    let text = "Unless a release explicitly states otherwise, the trained weight files published with this repository's GitHub Releases are licensed under the Creative Commons Attribution 4.0 International License (CC BY 4.0).\n\nYou may share and adapt the weights for any purpose, provided that appropriate credit is given, a link to the license is supplied, and changes are indicated.\nNo additional restrictions may be applied.\n\nThe weights are provided without warranties. They are a validation-only research artifact and are not suitable for law enforcement, certified speed measurement, or safety-critical vehicle control.\n";
    assert_eq!(verdict(text), Verdict::Permitted, "{text}");
    // paraphrase: MIT named, the grant restated below it
    let mit = "The checkpoints are released under the MIT License.\n\nYou may use, copy and modify them for any purpose, provided the copyright notice is kept.\n";
    assert_eq!(verdict(mit), Verdict::Permitted, "{mit}");
    // a restriction of the text's own still counts, and "only" before
    // research still scopes it
    let own = format!("{text}\nYou may not use the weights to train other models.\n");
    assert_ne!(verdict(&own), Verdict::Permitted, "{own}");
    let scoped =
        "The weights are licensed under CC BY 4.0.\n\nYou may use them only for research.\n";
    assert_eq!(verdict(scoped), Verdict::ResearchOnly, "{scoped}");
}

#[test]
fn a_grant_for_educational_research_and_non_profit_purposes_is_non_commercial() {
    // the shape of zju3dv-easymocap-license-educational-research-non-profit.txt
    // and uc-berkeley-gqcnn-pretrained-models-regents-licence.txt
    // (tests/license-eval), in other words
    for text in [
        "Permission to use, copy and modify these weights for teaching, research and not-for-profit purposes only.\nFor commercial uses, please send email to the lab.\n",
        "Permission to use and distribute the model for academic, scientific, and non-profit purposes, without fee, is hereby granted, provided that this notice appears in all copies.\nContact the Licensing Office, 1 Main Street, Springfield, 555-0100, office@example.edu for commercial licensing opportunities.\n",
    ] {
        assert_eq!(verdict(text), Verdict::NonCommercial, "{text}");
    }
    // commercial use named among the purposes is no non-commercial limit
    let all = "Permission to use and distribute the model for research, commercial and non-profit purposes is hereby granted.\n";
    assert_ne!(verdict(all), Verdict::NonCommercial, "{all}");
}

#[test]
fn a_model_licence_for_non_commercial_research_education_and_art_is_non_commercial() {
    // the shape of sfu-niloc-inertial-localization-model-license.txt
    // (tests/license-eval), an SMPL-style model licence, in other words
    let text = "License Grant\nThe University grants you a non-exclusive, free of charge right:\n* To install the Weights on computers you control;\n* To use the Weights for the sole purpose of non-commercial research or non-commercial teaching.\n\nAny other use, in particular any use for commercial purposes, is forbidden.\n";
    assert_eq!(verdict(text), Verdict::NonCommercial, "{text}");
}

#[test]
fn a_use_policy_asking_for_rights_holders_consent_keeps_a_commercial_grant() {
    // the shape of dots-mocr-license-agreement-mit-supplement.txt
    // (tests/license-eval), in other words: the permissions asked are the
    // rights holders' and the data subjects', not the licensor's
    let text = "You may use, modify and distribute the Model, including for commercial purposes.\n\nYou agree not to use the Model in connection with:\n(a) Privacy: extracting personal data of individuals from scanned forms without legal authorization or consent.\n(b) Copyright: any processing of copyrighted publications must first obtain the necessary permissions.\n";
    assert_eq!(verdict(text), Verdict::PermittedWithConditions, "{text}");
    // the licensor's own consent still holds the grant back
    let own = format!(
        "{text}\nAny commercial deployment requires the Licensor's prior written consent.\n"
    );
    assert!(
        verdict(&own).rank() <= Verdict::RequiresApproval.rank(),
        "{own}"
    );
}

#[test]
fn a_chinese_ban_on_commercial_use_without_authorisation_asks_approval() {
    // the shape of bilibili-index-tts-disclaimer-zh.txt (tests/license-eval),
    // in other words: research and creative use allowed, commercial use
    // banned unless authorised
    let text = "本模型供用户进行技术研究和学习使用。\n\n用户不得：\n   a) 传播虚假信息；\n   b) 未经许可将生成的内容用于商业用途。\n";
    assert_eq!(verdict(text), Verdict::RequiresApproval, "{text}");
    // a plain ban on commercial use stays non-commercial
    let banned = text.replace("未经许可将", "将");
    assert_eq!(verdict(&banned), Verdict::NonCommercial, "{banned}");
}

#[test]
fn weights_to_be_treated_as_a_research_artifact_not_commercially_licensed_are_research_only() {
    // sign-language-demo-weights-research-demo-artifact-notice.txt
    // (tests/license-eval), the real sentence, then paraphrases
    for text in [
        "Until this review is complete, treat the bundled weights as a research/demo artifact, not as a commercially licensed model. This notice is not legal advice.",
        "Please regard the checkpoint as a research prototype and not as a commercial product.",
        "The included model is an experimental demo model, not a commercially licensed release.",
        "Consider these weights as an academic artifact, not as commercially licensed weights.",
    ] {
        assert_eq!(verdict(text), Verdict::ResearchOnly, "{text}");
    }
    // a research label without the contrast, or a commercial release named
    // as such, sets no research scope
    for text in [
        "This checkpoint began as a research prototype and is now licensed for commercial use under the Apache License 2.0.",
        "The weights are a research artifact of our 2024 paper; you may use them for any purpose, including commercially.",
    ] {
        assert_ne!(verdict(text), Verdict::ResearchOnly, "{text}");
    }
    for text in [
        "This is a research artifact, not a commercial product, and is offered under the terms below.",
        "We treat this release as a demo model, not as commercially supported software.",
    ] {
        assert_ne!(verdict(text), Verdict::Permitted, "{text}");
    }
}

#[test]
fn a_release_whose_purposes_listed_are_all_research_is_research_only() {
    // thyroid-nodule-ai-dinov3-finetuned-weights-research-education.txt
    // (tests/license-eval), the real list, then paraphrases
    for text in [
        "### License\n\nUsers of these fine-tuned weights must comply with the original license terms provided by Meta AI.\n\nThese weights are released for:\n\n- ✔️ Research use  \n- ✔️ Educational use  \n\nThey are **NOT** intended for:\n\n- ❌ Clinical diagnosis  \n- ❌ Commercial deployment  \n",
        "The checkpoints are provided for the following purposes:\n\n- academic research\n- teaching and coursework\n- benchmarking against other models\n",
        "This model was developed for:\n\n1. Scientific study of speech disorders\n2. Evaluation of recognition accuracy\n",
    ] {
        assert_eq!(verdict(text), Verdict::ResearchOnly, "{text}");
    }
    // an item beyond research, a permissive license named for the weights,
    // or a list of what the model is not for sets no research scope
    for text in [
        "These weights are released for:\n\n- Research use\n- Commercial products\n",
        "The weights are released under the Apache License 2.0.\n\nThey were developed for:\n\n- academic research\n- teaching\n",
        "The model is not intended for:\n\n- research on patients\n- clinical trials\n",
    ] {
        assert_ne!(verdict(text), Verdict::ResearchOnly, "{text}");
    }
}

#[test]
fn a_license_section_titled_cc_by_whose_grant_asks_only_credit_is_permitted() {
    // readaloudkit-scoring-heads-cc-by-speechocean762.txt (tests/license-eval):
    // the License section's title, its link, the deed's grant, then the
    // credit to give
    let readaloud = "Licence\n-------\n\nCreative Commons Attribution 4.0 International (CC BY 4.0).\n\n    https://creativecommons.org/licenses/by/4.0/\n\nYou may use, modify, redistribute and build on these weights, including\ncommercially, provided you give attribution.\n\nAttribution\n-----------\n\nCredit both the corpus and this project:\n\n    Scoring heads from ReadAloudKit, CC BY 4.0, trained on speechocean762\n";
    // paraphrases: another permissive title, the grant right after it
    let paraphrases = [
        "## License\n\nMIT License\n\nYou may use, copy and sell these checkpoints, even commercially, free of charge.\n\nCredit the original authors and this repository:\n\n    Foo-1 weights by the Foo team\n",
        "License\n\nCC BY 4.0\n\nhttps://creativecommons.org/licenses/by/4.0/\n\nThe weights may be shared and adapted, including commercially, provided you give appropriate credit.\n",
    ];
    for text in std::iter::once(readaloud).chain(paraphrases) {
        assert_eq!(verdict(text), Verdict::Permitted, "{text}");
    }
    // credit shown in a product, a non-commercial title, or a term of the
    // text's own keeps it from the plain license
    let display = readaloud.replace(
        "Credit both the corpus and this project:",
        "Credit this project in your app:",
    );
    assert_eq!(verdict(&display), Verdict::PermittedWithConditions);
    let nc = readaloud.replace(
        "Creative Commons Attribution 4.0 International (CC BY 4.0).",
        "Creative Commons Attribution-NonCommercial 4.0 International (CC BY-NC 4.0).",
    );
    assert!(!verdict(&nc).allows_commercial_use(), "{nc}");
    let term = format!("{readaloud}\nYou may not use the weights to train other models.\n");
    assert_ne!(verdict(&term), Verdict::Permitted);
}

#[test]
fn a_license_for_excluded_regions_is_the_exclusion_and_a_commercial_item_with_a_threshold_grants_below_it(
) {
    // wasserman-80s-horror-lora-minimax-h3-derivative-terms.txt
    // (tests/license-eval): the derivative's summary of the MiniMax H3 terms
    let wasserman = "By downloading or using the weights you agree to that license, including:\n\n- **Territory.** The license applies within its \"Applicable Territory\" and excludes the European Union, the United Kingdom, the Republic of Korea, and the United States of America. Use from those regions requires a separate license from MiniMax (api@minimax.io). Check that your use complies before downloading.\n- **Commercial use.** Products or services with more than US$20 million in annual revenue need written authorization from MiniMax, and commercial products must display \"MiniMax H3\".\n";
    // paraphrases
    let paraphrases = [
        "You agree to these terms:\n\n- Territory. The license excludes the European Union. Users in excluded regions must obtain a separate license from us.\n- Commercial use. Companies with over 100 million monthly active users need our written permission.\n",
        "Summary of terms:\n\n1. Territory: the license does not apply in the United Kingdom; use from those countries requires a separate license.\n2. Commercial usage: businesses exceeding USD 5 million in annual revenue must request a license from the licensor.\n",
    ];
    for text in std::iter::once(wasserman).chain(paraphrases) {
        assert_eq!(verdict(text), Verdict::PermittedWithConditions, "{text}");
    }
    // a license asked for all use, commercial use limited by more than a
    // figure, or a separate license not tied to the excluded regions stays
    // stricter than a condition
    for text in [
        wasserman.replace(
            "Use from those regions requires a separate license from MiniMax (api@minimax.io).",
            "Any use requires a separate license from MiniMax (api@minimax.io).",
        ),
        wasserman.replace(
            "Products or services with more than US$20 million",
            "Non-commercial projects only; products or services with more than US$20 million",
        ),
        "- Commercial use. You must obtain written authorization from us before any commercial use, and companies with more than 10 employees must pay a fee.\n".to_string(),
    ] {
        assert!(
            verdict(&text).rank() < Verdict::PermittedWithConditions.rank(),
            "{text}"
        );
    }
}

#[test]
fn consent_to_use_names_to_endorse_products_is_no_condition_on_a_free_grant() {
    // nii-yamagishilab-mos-finetune-ssl-pretrained-mit-bsd.txt
    // (tests/license-eval): the BSD clause beside a free grant, then
    // paraphrases of the same clause
    let grant = "Permission is hereby granted, free of charge, to any person obtaining a copy of these weights, to deal in them without restriction, including the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies.\n\n";
    for clause in [
        " * Neither the name of the copyright holder nor the names of its contributors may be used to endorse or promote products derived from this software without specific prior written permission.",
        "The names of NII and its researchers may not be used to endorse or promote products derived from the model without specific prior written permission.",
        "Neither the name of the University nor the trademarks of its contributors shall be used to endorse or promote products made with these weights without specific prior written permission.",
    ] {
        assert_eq!(verdict(&format!("{grant}{clause}\n")), Verdict::Permitted, "{clause}");
    }
    // consent asked for the model's use, or for commercial use, still counts
    for clause in [
        "The weights may not be used in commercial services without our prior written permission.",
        "The names of the authors may not be used to promote commercial products, and commercial use requires our written consent.",
    ] {
        assert_ne!(verdict(&format!("{grant}{clause}\n")), Verdict::Permitted, "{clause}");
    }
}

#[test]
fn duties_to_cite_the_work_are_attribution() {
    use ObligationKind as K;
    for text in [
        // sfu-niloc-inertial-localization-model-license.txt (tests/license-eval)
        "You agree to cite the following paper when reporting results with this dataset.",
        // mpi-smplx-model-software-license-non-commercial-research.txt
        "You agree to appropriately reference the following paper in any publication making use of the Model & Software.",
        // natscore-tts-naturalness-scorer-weights-cc-by-nc.txt
        "If you use these weights, cite both this repository and the SpeechJudge dataset:",
        // skin-tone-fairness-weights-ham10000-cc-by-nc-sa.txt
        "If you use the weights, attribute both this repository and the HAM10000 dataset.",
        // ahuvista-healthcare-model-non-commercial-research-license.txt
        "b) Provide clear attribution in any publications or presentations",
        // paraphrases
        "Users agree to acknowledge the original authors in any derived work.",
        "If you publish results obtained with the model, cite our paper.",
        "Licensees shall give full credit to the creators in the documentation.",
    ] {
        assert!(kinds(text).contains(&K::Attribution), "{text}");
    }
    // a citation asked for ("please cite", tests/license_engine.rs keeps an
    // MIT text with it permitted), a citation given, a reference
    // implementation, a reference read: no duty
    for text in [
        // limodenet-weights-cc-by-nc.txt
        "If you use these weights or this code, please cite:",
        "If you use it in your research, please cite our paper.",
        "If you use the model, reference implementations are in the examples folder.",
        "The paper cited below describes the training data.",
        "You agree to the terms of this license when you download the weights.",
        "For reference, the model was trained on public data.",
    ] {
        assert!(!kinds(text).contains(&K::Attribution), "{text}");
    }
}

#[test]
fn share_alike_duties_and_upstream_compliance_are_pass_downs() {
    use ObligationKind as K;
    for text in [
        // farz-coffee-bean-classifier-model-licence-cc-by-nc-sa.txt (tests/license-eval)
        "- **ShareAlike**: adaptations must use the same licence.",
        // cropcheckup-plant-disease-model-cc-by-nc-sa.txt
        "**ShareAlike**: Remixes or adaptations must be distributed under the same license.",
        // dexteraai-gesture-weights-cc-by-sa-and-mit-bundles.txt
        "If you distribute them, license your adaptation under CC BY-SA 4.0 or a compatible license.",
        // yent-identity-license-1.0-weights-non-commercial.txt
        "If you share derivatives, those derivatives must be distributed under this same license or a compatible non-commercial license.",
        // paraphrases
        "Modifications shall be released under the same license.",
        "Derivative works must also be shared under this license.",
        // dlqr-health-trained-weights-cc-by-nc-notice.txt: the upstream's terms
        "Downstream use must also comply with the licenses of any base models and datasets used.",
        // thyroid-nodule-ai-dinov3-finetuned-weights-research-education.txt
        "Users of these fine-tuned weights must comply with the original license terms provided by Meta AI:",
        "Anyone using the adapter shall comply with the upstream model license.",
    ] {
        assert!(kinds(text).contains(&K::UseRestrictionsPassdown), "{text}");
    }
    for text in [
        "Adaptations may use any license you choose.",
        "You must comply with applicable laws when using the weights.",
        "Modifications are released under the MIT license by the authors.",
        "The licensor must comply with the original schedule.",
    ] {
        assert!(!kinds(text).contains(&K::UseRestrictionsPassdown), "{text}");
    }
}

#[test]
fn commercial_use_denied_in_other_words_is_non_commercial() {
    use ObligationKind as K;
    for text in [
        // esp32-clap-recognition-int8-model-cc-by-nc.txt (tests/license-eval)
        "The model is not offered for commercial use.",
        // barcounter-pdf-piano-scores-network-cc-by-nc-sa.txt
        "So it may be used, shared and adapted, but not commercially, and what is made from it has to be shared on the same terms.",
        // ti-security-engine-asset-license-onnx-weights-nc.txt
        "Any use that is primarily intended for or directed toward commercial advantage or monetary compensation is not permitted.",
        // paraphrases
        "These weights are not licensed for commercial purposes.",
        "You may copy and modify the checkpoint, but not commercially.",
        "Use directed toward commercial advantage or monetary compensation is prohibited.",
    ] {
        assert!(kinds(text).contains(&K::NonCommercial), "{text}");
    }
    for text in [
        "Commercial use is not restricted: the model is offered for commercial use under Apache-2.0.",
        "NonCommercial means not primarily intended for or directed towards commercial advantage or monetary compensation.",
        "The dataset is small but not commercially relevant to the licensor's products.",
    ] {
        assert!(!kinds(text).contains(&K::NonCommercial), "{text}");
    }
}

#[test]
fn a_chinese_ban_on_breaking_laws_or_regulations_is_a_use_policy() {
    use ObligationKind as K;
    for text in [
        // bilibili-index-tts-disclaimer-zh.txt (tests/license-eval): the
        // list item read after its intro
        "2.2 用户不得使用本项目: g) 违反特定行业(如金融、医疗等)的法规要求;",
        // paraphrases
        "您不得将本模型用于违反任何国家或地区法律法规的用途。",
        "禁止利用本模型从事违反当地法律的活动。",
    ] {
        assert!(kinds(text).contains(&K::AcceptableUsePolicy), "{text}");
    }
    for text in [
        "本协议的解释适用中华人民共和国法律。",
        "许可方违反本协议的,应当承担责任。",
    ] {
        assert!(!kinds(text).contains(&K::AcceptableUsePolicy), "{text}");
    }
}

#[test]
fn paid_products_harmful_content_and_credit_lines_in_other_words() {
    use ObligationKind as K;
    for (text, kind) in [
        // framegen-weights-non-commercial-research-personal.txt (tests/license-eval):
        // the list item read after its intro
        ("You may not: - sell the weights or bundle them into a paid product or service.", K::NonCommercial),
        ("You shall not incorporate the checkpoint into a commercial product.", K::NonCommercial),
        ("Licensees must not embed the model in any revenue-generating application.", K::NonCommercial),
        // stable-audio-mlx-weights-stability-community-summary.txt
        ("- You may not use the model to generate harmful content", K::AcceptableUsePolicy),
        ("The voices must not be used to create deceptive audio.", K::AcceptableUsePolicy),
        ("You will not use this model or its outputs to spread hateful material.", K::AcceptableUsePolicy),
        // c-radio-v4-mlx-nvidia-open-model-license-provenance-notice.txt
        ("If you distribute the weights, include the NVIDIA license agreement, and include this attribution notice with model copies:", K::Attribution),
        // dexteraai-gesture-weights-cc-by-sa-and-mit-bundles.txt
        ("If you distribute them or a work adapted from them, credit as below and license your adaptation under CC BY-SA 4.0.", K::Attribution),
        ("When you share the model, cite it as follows:", K::Attribution),
    ] {
        assert!(kinds(text).contains(&kind), "{text}");
    }
    for (text, kind) in [
        (
            "You may bundle the weights into a paid product or service.",
            K::NonCommercial,
        ),
        (
            "You may not bundle the weights with malware.",
            K::NonCommercial,
        ),
        (
            "The filter is used to detect harmful content.",
            K::AcceptableUsePolicy,
        ),
        (
            "The model may not generate harmful content in every case.",
            K::AcceptableUsePolicy,
        ),
        (
            "The attribution notice below was written by the authors.",
            K::Attribution,
        ),
    ] {
        assert!(!kinds(text).contains(&kind), "{text}");
    }
}

#[test]
fn copyleft_pass_downs_and_attribution_duties_in_other_words() {
    use ObligationKind as K;
    for (text, kind) in [
        // tencent-colorflow-academic-software-licence-model-weights.txt (tests/license-eval)
        ("You must cause any work that you distribute or publish, that in whole or in part contains or is derived from the Program, to be licensed as a whole at no charge to all third parties under the terms of this License.", K::UseRestrictionsPassdown),
        // tencent-scbert-gpl-3.0-covering-model-weights.txt
        ("c) You must license the entire work, as a whole, under this License to anyone who comes into possession of a copy.", K::UseRestrictionsPassdown),
        // helix-v2-auralis-weights-bigscience-openrail-m-pointer.txt
        ("You must pass these use restrictions through to anyone you share the model or a derivative with.", K::UseRestrictionsPassdown),
        ("Licensees shall pass the same limitations on to all recipients.", K::UseRestrictionsPassdown),
        // onera-deepnetsforeo-code-and-weights-license.txt
        ("Licensees may copy, distribute, display and perform the work and make derivative works and remixes based on it only if they give the author or licensor the credits in the manner specified.", K::Attribution),
        // profluent-e1-clickthrough-license-agreement.txt
        ("(e) You must comply with the Attribution Guidelines and provide attribution to Profluent-E1 in accordance therewith.", K::Attribution),
        // baidu-helixfold3-terms-of-use-non-commercial-organizations.txt
        ("When the code is redistributed, proper attribution to the original authors must be given in the manner specified.", K::Attribution),
        // turkish-asr-trained-models-data-derived-terms.txt
        ("| Multilingual Spoken Words Corpus (CC BY 4.0) | Attribution to MLCommons MSWC required |", K::Attribution),
        // music-tagging-classifier-heads-cc-by-nc-maest.txt
        ("Attribution should identify the work as Multi-label Music Tagging final linear classifier heads.", K::Attribution),
        // kpc-cf-korean-sentiment-weights-licence-information.txt
        ("Any modifications or derived works should retain the respective licenses and acknowledgments as specified above.", K::Attribution),
        ("Redistributors shall keep all acknowledgements of the original developers.", K::Attribution),
    ] {
        assert!(kinds(text).contains(&kind), "{text}");
    }
    for (text, kind) in [
        (
            "The model as a whole is licensed under the MIT license.",
            K::UseRestrictionsPassdown,
        ),
        (
            "Please pass your feedback to the maintainers.",
            K::UseRestrictionsPassdown,
        ),
        (
            "Credits for the icons go to the designers listed in the README.",
            K::Attribution,
        ),
        ("Attribution to the authors is optional.", K::Attribution),
        // an MIT-style notice to keep, no attribution duty of the text's own
        // (licenses/…/mistral-modified-mit.txt, tests/license_engine.rs)
        ("The above attribution notice and this permission notice shall be included in all copies.", K::Attribution),
        (
            "We thank the reviewers; the acknowledgments section lists our funders.",
            K::Attribution,
        ),
    ] {
        assert!(!kinds(text).contains(&kind), "{text}");
    }
}

#[test]
fn deceptive_content_and_unconsented_audio_are_use_policy_terms() {
    use ObligationKind as K;
    for text in [
        // samsung-rome-model-software-non-commercial-scientific-research.txt (tests/license-eval)
        "The Model & Software may not be used to create fake, libelous, misleading, or defamatory content of any kind.",
        // multispectral-caption-msi-responsible-ai-weights-license.txt
        "Do not present synthetic outputs as real satellite data without clear disclosure.",
        // saudi-tts-v4-weights-cc-by-nc-sa-voice-consent.txt
        "You must use only audio that you have permission to use as reference audio.",
        // paraphrases
        "The weights must not be used to produce false, misleading or defamatory videos.",
        "Never pass off generated images as genuine photographs.",
        "Use only recordings for which the speaker has given consent.",
    ] {
        assert!(kinds(text).contains(&K::AcceptableUsePolicy), "{text}");
    }
    for text in [
        "The model may produce misleading content; check its outputs.",
        "We present the outputs as real examples of the model's behaviour.",
        "Use only audio sampled at 16 kHz.",
    ] {
        assert!(!kinds(text).contains(&K::AcceptableUsePolicy), "{text}");
    }
}
