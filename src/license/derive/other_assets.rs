//! Approvals that are not about using the model: access to source code the
//! text says it withholds ("Access to Architecture Source Code … requires a
//! separate written authorization", a section headed "Architecture Source
//! Code — Case-by-case Authorization"), and consent to redistribute the
//! weights as a product of their own ("you do NOT sublicense, resell, or
//! redistribute the Model Weights as a standalone product … without prior
//! written consent", 未经……事先书面同意，不得将模型权重……进行转授权、转售或再分发).
//! Beside a grant of commercial use of the model they are conditions on
//! other things, not a gate before commercial use.

use crate::license::pattern::Regex;
use crate::license::text::NormText;
use std::sync::OnceLock;

struct Rules {
    /// A sentence asking for access to source or training code.
    code_access: Regex,
    /// A section heading, numbered ("2.2 ARCHITECTURE SOURCE CODE — …").
    heading: Regex,
    /// Code named in a heading.
    code: Regex,
    /// The model or its weights named in a heading: the section is theirs.
    model: Regex,
    /// Acts of redistribution: sublicensing, resale, redistribution.
    redistribution: Regex,
    /// Use of the model itself named as the act: not redistribution alone.
    use_: Regex,
    /// Offering the model as a hosted service ("Hosting Use", "hosted
    /// services", "managed services", "as a service").
    hosting: Regex,
    /// Commercial use named: more than hosting.
    commercial: Regex,
    /// The purpose of the redistribution, not a use ("making the Model
    /// available to third parties for commercial purposes").
    commercial_purpose: Regex,
}

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| {
        let re = crate::license::pattern::re;
        Rules {
            code_access: re(r"\baccess\s+to\s+(?:the\s+)?(?:[\w-]+\s+){0,3}?(?:source\s+code|training\s+code)\b|(?:获取|访问|取得)[^.;!?]{0,12}(?:源码|源代码|训练代码)"),
            heading: re(r"^\d+(?:\.\d+)+\.?\s"),
            code: re(r"\bsource\s+code\b|\btraining\s+code\b|源码|源代码"),
            model: re(r"\bweights?\b|\bmodels?\b|\bcheckpoints?\b|权重|模型"),
            redistribution: re(r"\b(?:sublicens\w*|resell\w*|resale|redistribut\w*|distribut\w*|shared|sharing)\b|转授权|再许可|转售|再分发|共享"),
            use_: re(r"\b(?:use|uses|using|usage|deploy\w*|run|inference|commercial\w*)\b|使用|部署|商业|商用"),
            hosting: re(r"\bhost(?:ing|ed)\s+(?:use|users?|services?|applications?)\b|\bmanaged\s+services?\b|\bshared\s+instances?\b|\bas\s+a\s+(?:hosted\s+|managed\s+|cloud\s+)?service\b|\bmodel[- ]as[- ]a[- ]service\b|托管(?:使用|服务|用途)"),
            commercial: re(r"\bcommercial\w*|商业|商用"),
            commercial_purpose: re(r"\bfor\s+(?:any\s+)?commercial\s+(?:purposes?|gain|ends|advantage)\b|\bcommercially\b"),
        }
    })
}

/// True when sentence `i` of `sentences` asks for access to source code, or
/// stands in a section whose numbered heading names code and not the model
/// or its weights.
pub fn about_withheld_code(text: &NormText, sentences: &[(usize, usize)], i: usize) -> bool {
    let r = rules();
    let words = |j: usize| sentences.get(j).map_or("", |&(f, l)| text.words_text(f, l));
    if r.code_access.is_match(words(i)) {
        return true;
    }
    (0..=i)
        .rev()
        .take(40)
        .map(words)
        .find(|s| r.heading.is_match(s) && s.split_whitespace().count() <= 12)
        .is_some_and(|h| r.code.is_match(h) && !r.model.is_match(h))
}

/// True when the sentence puts only redistribution of the weights
/// (sublicensing, resale, redistribution) behind the licensor's consent,
/// not their use.
pub fn gates_redistribution(s: &str) -> bool {
    let r = rules();
    // what a grant before "but" allows is not the act gated ("Adapted
    // weights may be produced and used, but may not be shared", 可以产生和使用
    // 修改后的权重，但本许可不允许共享)
    let gated = [", but ", ",but ", "但"]
        .iter()
        .filter_map(|m| s.rfind(m).map(|at| &s[at + m.len()..]))
        .min_by_key(|rest| rest.len())
        .unwrap_or(s);
    // what the redistribution is for is not a use of the model ("Distribution,
    // sublicensing, or making the Model … available to third parties for
    // commercial purposes requires separate agreement")
    let gated = r.commercial_purpose.replace_all(gated, "");
    r.redistribution.is_match(&gated) && !r.use_.is_match(&gated)
}

/// True when the sentence puts only offering the model as a hosted service
/// behind the licensor's permission or a separate license ("Use of
/// Falcon180B for hosted services may require a separate license", "Where
/// You wish to make Hosting Use …, You must apply to TII for permission"):
/// beside a grant of commercial use, a field of use left alone, not a gate
/// before commercial use.
pub fn gates_hosting(s: &str) -> bool {
    let r = rules();
    r.hosting.is_match(s) && !r.commercial.is_match(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consent_to_redistribute_is_not_consent_to_use() {
        // daoti-research-license-zh-en.txt (tests/license-eval), 2.1 (v)
        for s in [
            "(v) you do not sublicense, resell, or redistribute the model weights (yijing_v53_daoti.pt) as a standalone product or as part of any model distribution platform, repository, or marketplace without prior written consent from the author;",
            "(v) 未经 独立研究者,知白 事先书面同意,不得将模型权重(yijing_v53_daoti.pt) 作为独立产品或任何模型分发平台、仓库、市场的一部分进行转授权、转售或再分发;",
            // paraphrase
            "you may not resell the checkpoint on a model marketplace without our written consent.",
            // wapr-pose-weights-cc-by-nd-notice-zh-en.txt: use granted, sharing not
            "adapted weights may be produced and used, but may not be shared under this license.",
            "可以产生和使用修改后的权重,但本许可不允许共享修改版权重.",
            // lg-k-exaone-ai-model-license-agreement.txt, 2.2: what the
            // redistribution is for, then paraphrases
            "2.2 distribution, sublicensing, or making the model and derivative work available to third parties for commercial purposes requires separate agreement with licensor.",
            "redistributing the weights commercially requires our prior written consent.",
            "sublicensing the checkpoint to others for commercial gain needs a separate agreement with the licensor.",
        ] {
            assert!(gates_redistribution(s), "{s}");
        }
        for s in [
            "you may not use or redistribute the model without prior written consent.",
            "未经书面同意,不得将本模型用于商业用途或再分发.",
            "you may modify the weights, but you may not use or redistribute them commercially without consent.",
            "using or distributing the model for commercial purposes requires a separate agreement.",
        ] {
            assert!(!gates_redistribution(s), "{s}");
        }
    }

    #[test]
    fn access_to_withheld_code_is_not_use_of_the_model() {
        let text = NormText::new(
            "2.2 ARCHITECTURE SOURCE CODE — CASE-BY-CASE AUTHORIZATION\n\nArchitecture Source Code is NOT included in the public repository.\n\nTo request access:\n\n(b) Commercial entities: Submit a Commercial License Application.\n\n2.3 MODEL WEIGHTS\n\nCommercial use of the weights requires a license.\n",
        );
        let sentences = text.sentences();
        let at = |needle: &str| {
            sentences
                .iter()
                .position(|&(f, l)| text.words_text(f, l).contains(needle))
                .unwrap_or(usize::MAX)
        };
        assert!(about_withheld_code(
            &text,
            &sentences,
            at("submit a commercial")
        ));
        assert!(!about_withheld_code(
            &text,
            &sentences,
            at("requires a license")
        ));
        // the sentence alone (daoti, 2.2)
        let one = NormText::new("Access to Architecture Source Code (model class definitions, training scripts) requires a separate written authorization from the author.");
        assert!(about_withheld_code(&one, &one.sentences(), 0));
    }
}
