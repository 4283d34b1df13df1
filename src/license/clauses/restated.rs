//! Sentences that restate a permissive license's own terms: the Creative
//! Commons deed's "free to share and adapt … for any purpose, even
//! commercially", "give appropriate credit, provide a link to the license,
//! and indicate if changes were made", MIT's "the above copyright notice and
//! this permission notice shall be included". A short text that names such a
//! license and only restates its terms adds none of its own; any word beyond
//! them (a citation to make, a place to show the credit, a purpose, a limit)
//! still does.

use super::ClauseHit;
use crate::license::pattern::re;
use crate::license::pattern::Regex;
use crate::license::text::NormText;
use crate::license::verdict::ObligationKind;
use std::sync::OnceLock;

struct Rules {
    /// The phrases of a permissive license's own grant and duties.
    own: Regex,
    /// What is left of the sentence that would add a term.
    beyond: Regex,
}

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| Rules {
        own: re(concat!(
            // the grant: "for any purpose, even commercially"
            r"\bfor\s+any\s+purpose\s*,?\s+(?:even|including)\s+commercially\b",
            r"|\bfor\s+commercial\s+(?:or|and|and/or)\s+non-?commercial\s+(?:purposes?|uses?)\b",
            // the deed's headings
            r"|\byou\s+are\s+free\s+to\s*:|\bunder\s+the\s+following\s+terms\s*:",
            r"|\bshare\s*:\s*copy\s+and\s+redistribute\s+the\s+(?:[\w-]+\s+){1,2}?in\s+any\s+medium\s+or\s+format\b",
            r"|\badapt\s*:\s*remix\s*,\s*transform\s*,\s*and\s+build\s+upon\s+the\s+[\w-]+",
            r"|^(?:-\s*)?attribution\s*:",
            // the attribution duty
            r"|\b(?:provided\s+(?:that\s+)?)?(?:you\s+)?(?:must\s+|shall\s+|should\s+)?(?:give|provide)\s+(?:appropriate|proper)\s+(?:credit|attribution)(?:\s+to\s+(?:the\s+)?[\w-]+(?:\s+[\w-]+){0,2}?(?:\s*,|\s+and\b|$))?",
            r"|\b(?:and\s+)?(?:provide|include)\s+a\s+link\s+to\s+the\s+licen[cs]e\b",
            r"|\b(?:and\s+)?indicate\s+(?:if|whether)\s+changes\s+were\s+made\b",
            r"|\b(?:and\s+)?indicate\s+(?:any\s+)?changes(?:\s+(?:when|where|if)\s+applicable)?\b",
            // the deed's "No additional restrictions"
            r"|\b(?:no\s+additional\s+restrictions\s*:\s*)?you\s+may\s+not\s+apply\s+legal\s+terms\s+or\s+technological\s+measures\s+that\s+legally\s+restrict\s+others\s+from\s+doing\s+anything\s+the\s+licen[cs]e\s+permits\b",
            // MIT's notice
            r"|\bthe\s+above\s+copyright\s+notice\s+and\s+this\s+permission\s+notice\s+shall\s+be\s+included\s+in\s+all\s+copies\s+or\s+substantial\s+portions\s+of\s+the\s+software\b",
            r"|\b(?:must|shall)\s+(?:include|retain)\s+the\s+(?:mit|copyright|licen[cs]e)\s+notice\b",
            // the same in Chinese
            r"|用于商业或非商业用途|必须给予合理署名|并?说明是否(?:进行了|作了|有)修改",
        )),
        beyond: re(r"\b(?:not|no|only|solely|except|unless|prohibit\w*|restrict\w*|requires?|required|must|shall|should|permission|consent|approval|register\w*|fees?|paid|royalt\w*|revenue|users|non-?commercial|research|academic|cite|citation|credit|attribut\w*|display\w*|prominent\w*|names?|logo|prefix|notice)\b|仅|不得|禁止|须|应当|署名|注明|标明|引用|研究|学术|授权|登记|申请"),
    })
}

/// True when the sentence restates a permissive license's own terms and
/// nothing else: each of its duties is the license's own, and what is left
/// adds no term.
pub fn restates_license_terms(s: &str) -> bool {
    let r = rules();
    r.own.is_match(s) && !r.beyond.is_match(&r.own.replace_all(s, " "))
}

/// True when the sentence only asks, as the named license itself does, to
/// pass on its copy and its notices with the model: "If you distribute NVIDIA
/// model weights or a converted/derivative MLX model bundle, preserve the
/// upstream model provenance, include the NVIDIA license agreement as
/// required by the model terms, and include this attribution notice with
/// model copies:" (a C-RADIOv4 provenance notice). The usual notice and
/// license-copy duties of any license; a purpose, a limit, a citation, a
/// display or a name to use is beyond them.
pub fn passes_on_notices(s: &str) -> bool {
    // what is passed on: the license, its copy, its notices, the provenance
    const OBJ: &str = r"(?:a\s+copy\s+of\s+)?(?:the\s+|this\s+|these\s+|all\s+|any\s+|its\s+)?(?:[\w/-]+\s+){0,3}?(?:licen[cs]e(?:\s+agreement)?|agreement|terms|(?:attribution\s+|copyright\s+|licen[cs]e\s+)?notices?|provenance|attribution)\b";
    static RULES: OnceLock<(Regex, Regex, Regex)> = OnceLock::new();
    let (weighty, own, duty) = RULES.get_or_init(|| {
        (
            re(r"\b(?:not|no|only|solely|except|unless|prohibit\w*|restrict\w*|forbid\w*|permission|consent|approval|authori[sz]\w*|register\w*|fees?|paid|pay|royalt\w*|revenue|users|commercial\w*|non-?commercial|research|academic|cite|citation|publications?|papers?|display\w*|prominent\w*|visible|interface|logo|prefix|names?|named|naming|train\w*|outputs?)\b"),
            re(&format!(
                r"\b(?:(?:must|shall|should)\s+(?:also\s+)?)?(?:preserve|retain|keep|include|reproduce|carry|ship)\s+{OBJ}(?:\s*,?\s*(?:and|or)\s+{OBJ})*(?:\s+with\s+(?:the\s+|all\s+|any\s+)?(?:model\s+)?(?:copies|distributions?|bundles?))?|\bas\s+required\s+by\s+(?:the|that|this|its)\s+(?:[\w-]+\s+){{0,2}}?(?:terms|licen[cs]e|agreement)\b"
            )),
            re(r"\b(?:must|shall|should|required?|requires|notices?|attribut\w*|credit|licen[cs]e|agreement|provenance)\b"),
        )
    });
    own.is_match(s) && !weighty.is_match(s) && !duty.is_match(&own.replace_all(s, " "))
}

/// Drops an attribution read in a table's header row ("| License Type |
/// Commercial Use | … | Attribution Required |") whose column's cells ask
/// only to include the license's notice ("✅ Yes (include notice)", the
/// Mithivoices voice-pack record) or nothing: the permissive license's own
/// notice duty, restated. A cell that asks more (a credit line, a citation)
/// keeps the attribution.
pub fn notice_only_columns(text: &NormText, hits: &mut Vec<ClauseHit>) {
    static RULES: OnceLock<(Regex, Regex)> = OnceLock::new();
    let (separator, notice) = RULES.get_or_init(|| {
        (
            re(r"^\s*\|?\s*:?-{3,}:?\s*\|"),
            re(r"^(?:yes\s*)?\(?\s*(?:include|retain|keep|preserve|reproduce)\s+(?:the\s+|a\s+|its\s+)?(?:copyright\s+|license\s+|licence\s+|mit\s+)?notices?\s*\)?$|^(?:no|not\s+required|n/a|-)$"),
        )
    });
    let lines = text.original_lines();
    let cells = |line: &str| -> Vec<String> {
        line.trim()
            .trim_matches('|')
            .split('|')
            .map(|c| {
                c.chars()
                    .filter(|ch| ch.is_ascii())
                    .collect::<String>()
                    .replace("**", "")
                    .trim()
                    .to_lowercase()
            })
            .collect()
    };
    hits.retain(|h| {
        if h.kind != ObligationKind::Attribution {
            return true;
        }
        let (first, last) = text.lines_of(h.words.0, h.words.1);
        let at = first as usize;
        let (Some(header), Some(sep)) = (lines.get(at.wrapping_sub(1)), lines.get(at)) else {
            return true;
        };
        if first != last || !header.trim_start().starts_with('|') || !separator.is_match(sep) {
            return true;
        }
        let Some(col) = cells(header)
            .iter()
            .position(|c| c.contains("attribution") || c.contains("credit"))
        else {
            return true;
        };
        let rows: Vec<Vec<String>> = lines
            .iter()
            .skip(at + 1)
            .take_while(|l| l.trim_start().starts_with('|'))
            .map(|l| cells(l))
            .collect();
        let notice_only = !rows.is_empty()
            && rows
                .iter()
                .all(|r| r.get(col).is_some_and(|c| notice.is_match(c)));
        !notice_only
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::license::text::NormText;

    fn norm(s: &str) -> String {
        NormText::new(s).norm
    }

    #[test]
    fn the_deed_and_notice_of_a_permissive_license_restate_it() {
        for s in [
            // kairos-prophet-weights-cc-by.txt (tests/license-eval)
            "You are free to share and adapt the weights for any purpose, including commercially, provided you give appropriate credit to Kairos Materials, provide a link to the license, and indicate if changes were made.",
            // moose-ai-models-cc-by-summary.txt: the CC BY 4.0 deed
            "- Adapt: remix, transform, and build upon the model for any purpose, even commercially.",
            "- Attribution: You must give appropriate credit, provide a link to the license, and indicate if changes were made.",
            // hcam-100m-model-weights-license.txt, both languages
            "If you publicly share or redistribute the model or a derivative, you must provide appropriate attribution and indicate changes when applicable.",
            "你可以复制、修改、微调、合并、再发布以及用于商业或非商业用途，但在公开分享或再发布模型或其衍生版本时，必须给予合理署名，并说明是否进行了修改。",
            // the MIT License
            "The above copyright notice and this permission notice shall be included in all copies or substantial portions of the Software.",
        ] {
            assert!(restates_license_terms(&norm(s)), "{s}");
        }
    }

    #[test]
    fn a_term_of_its_own_beside_them_is_no_restatement() {
        for s in [
            "You must give appropriate credit and cite our paper in any publication.",
            "You must give appropriate credit, displayed prominently in your product's interface.",
            "You are free to share and adapt the weights for any purpose, including commercially, provided you register with us.",
            "You may use the model for research only and must give appropriate credit.",
            "您可以用于商业或非商业用途，但须事先取得书面授权。",
        ] {
            assert!(!restates_license_terms(&norm(s)), "{s}");
        }
    }

    #[test]
    fn passing_on_the_license_and_its_notices_is_its_own_duty() {
        for s in [
            // c-radio-v4-mlx-nvidia-open-model-license-provenance-notice.txt
            // (tests/license-eval)
            "If you distribute NVIDIA model weights or a converted/derivative MLX model bundle, preserve the upstream model provenance, include the NVIDIA license agreement as required by the model terms, and include this attribution notice with model copies:",
            // paraphrases
            "When redistributing the checkpoints, include a copy of the license agreement and keep the attribution notice.",
            "If you share converted weights, retain the original copyright notices and include the upstream license with all copies.",
            "Distributions of the model must include the license agreement and this notice, as required by the model license.",
        ] {
            assert!(passes_on_notices(&norm(s)), "{s}");
        }
        for s in [
            "If you distribute the weights, include this attribution notice and use them for non-commercial purposes only.",
            "Include the attribution notice prominently in your product's user interface.",
            "If you publish results, include this attribution notice and cite our paper.",
            "Include the license agreement with copies and register with us before commercial use.",
            "You must name your derivative models with the prefix Foo and include the notice.",
            "You must obtain our written approval before distribution.",
        ] {
            assert!(!passes_on_notices(&norm(s)), "{s}");
        }
    }

    fn attributions(text: &str) -> usize {
        crate::license::clauses::read_clauses(&NormText::new(text))
            .iter()
            .filter(|h| h.kind == ObligationKind::Attribution)
            .count()
    }

    #[test]
    fn an_attribution_column_that_asks_only_the_notice_restates_the_license() {
        // mithivoices-indic-piper-voice-assets-mit-licenses.txt
        // (tests/license-eval), then paraphrases of the same table
        for table in [
            "| License Type | Commercial Use | Cloud Deployment | Redistribution        | Attribution Required    |\n| ------------ | -------------- | ---------------- | --------------------- | ----------------------- |\n| **MIT**      | ✅ Yes         | ✅ Yes           | ✅ Yes (with license) | ✅ Yes (include notice) |\n",
            "| Model | License | Attribution required |\n|---|---|---|\n| voice-a | MIT | Yes (retain copyright notice) |\n| voice-b | BSD-3-Clause | include the license notice |\n",
            "| Licence | Credit needed |\n| :-- | :-- |\n| Apache-2.0 | keep notice |\n| CC0 | No |\n",
        ] {
            assert_eq!(attributions(table), 0, "{table}");
        }
        // a cell asking more than the notice, a bare "Yes", or a header
        // that is no table's keeps the attribution
        for table in [
            "| Model | License | Attribution required |\n|---|---|---|\n| voice-a | CC BY 4.0 | Yes (cite our paper) |\n",
            "| Model | License | Attribution required |\n|---|---|---|\n| voice-a | Custom | Yes |\n",
            "| Model | License | Attribution required |\n\nAll voices need attribution to the authors in your app.\n",
        ] {
            assert!(attributions(table) > 0, "{table}");
        }
    }
}
