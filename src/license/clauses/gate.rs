//! A narrow act gated by the licensor's permission: "Without separate written
//! authorization from the Licensor, You may not physically hardwire Covered
//! Model … weights … into a chip's non-reprogrammable physical structure",
//! 未经许可方书面授权，不得将本模型权重固化于芯片. The permission opens one act
//! outside the model's use — not use, not commercial use, not distribution
//! or training — so beside a grant of commercial use it is a condition on
//! that act (a field of use the licensee leaves alone), not an approval
//! gate before commercial use.

use crate::license::pattern::re;
use crate::license::pattern::Regex;
use std::sync::OnceLock;

/// The value of the field-of-use clause a gated act is read as (the
/// contact to ask is added beside it where the text gives one).
pub const GATED: &str = "an act only with the licensor's permission";

struct Rules {
    /// The licensor's permission as the way past a ban.
    permission: Regex,
    /// The ban itself; what follows it is the act banned.
    ban: Regex,
    /// An act that is use of the model in general, or commercial use,
    /// distribution, hosting or training: a gate on it is an approval.
    general: Regex,
}

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| Rules {
        permission: re(r"\b(?:without|unless\s+(?:you\s+)?(?:have\s+)?(?:first\s+)?(?:obtain|obtained|receive|received))\s+(?:(?:the|a|an|any|separate|prior|express|explicit|written|further|specific)\s+){0,4}(?:permission|consent|authori[sz]ation|approval)\b|未经(?:\w{0,12}?)(?:书面|事先|明确)?(?:许可|授权|同意|批准)"),
        ban: re(r"\b(?:may|must|shall|can|will)\s+not\b|\bcannot\b|不得|禁止"),
        general: re(r"\b(?:use|uses|used|using|usage|run|running|deploy\w*|exploit\w*|commercial\w*|sell\w*|sale|offer\w*|provid\w*|access\w*|download\w*|cop(?:y|ies|ying)|reproduc\w*|modif\w*|distribut\w*|redistribut\w*|host\w*|available|licen[cs]\w*|sublicen[cs]\w*|integrat\w*|incorporat\w*|products?|services?|business\w*|revenue|profit\w*|train\w*|fine-?tun\w*|derivative\w*|purposes?)\b|使用|商业|商用|部署|分发|传播|复制|修改|销售|出售|提供|服务|产品|训练|微调|许可|转让|发布|下载|衍生|用途|目的"),
    })
}

/// True when the sentence bans one narrow act unless the licensor permits
/// it, and the act is no use of the model in general, no commercial use,
/// distribution, hosting or training.
pub fn gates_narrow_act(s: &str) -> bool {
    let r = rules();
    let (Some(permission), Some(ban)) = (r.permission.find(s), r.ban.find(s)) else {
        return false;
    };
    // the act: what follows the ban, the permission's own words left out
    // ("You may not X without prior written permission")
    let rest = s.get(ban.end()..).unwrap_or("");
    let act = if permission.start() > ban.end() {
        s.get(ban.end()..permission.start()).unwrap_or(rest)
    } else {
        rest
    };
    !act.trim().is_empty() && !r.general.is_match(act)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_narrow_act_behind_the_licensors_permission() {
        for s in [
            // rock-matrix-yanchor-model-license-1.0.txt (tests/license-eval), section 3
            "without separate written authorization from the licensor, you may not physically hardwire covered model or covered variant weights, in whole or in a functional weight block, into a chip's non-reprogrammable physical structure, or commission fabrication that does so.",
            // paraphrases
            "you must not etch the weights into silicon without prior written permission from the licensor.",
            "未经许可方书面授权,不得将本模型权重固化于芯片之中.",
        ] {
            assert!(gates_narrow_act(s), "{s}");
        }
    }

    #[test]
    fn a_gate_on_use_distribution_or_training_is_no_narrow_act() {
        for s in [
            "without prior written permission, you may not use the model.",
            "you may not use the model for commercial purposes without written approval.",
            "without our written consent you may not distribute the weights.",
            "you must not fine-tune the model without permission.",
            "未经许可方书面授权,不得将本模型用于商业用途.",
            "未经授权,不得使用本模型.",
            // a ban with no permission beside it is no gate
            "you may not physically hardwire the weights into a chip.",
        ] {
            assert!(!gates_narrow_act(s), "{s}");
        }
    }
}
