//! Statements of the model's fitness, not bans: "Demo only; not validated
//! for clinical use", "has not been certified for use in vehicles" (the
//! model was not checked for that field), "Trained on small images; may not
//! generalize to high-resolution inputs" (what it may fail at). The text
//! forbids nothing by them: such a negation alone makes no field-of-use ban
//! and no limit beside a free grant (a "must not", "you may not" or
//! "prohibited" beside it still does).

use crate::license::pattern::re;
use crate::license::pattern::Regex;
use std::borrow::Cow;
use std::sync::OnceLock;

/// "not validated for", "has not been clinically tested in", "not yet
/// certified for": the negation of a check, with the field after it.
fn unchecked() -> &'static Regex {
    static UNCHECKED: OnceLock<Regex> = OnceLock::new();
    UNCHECKED.get_or_init(|| {
        re(r"\bnot\s+(?:yet\s+|been\s+|clinically\s+|independently\s+|formally\s+){0,3}(?:validated|certified|cleared|tested|verified|evaluated|benchmarked)\s+(?:for|in|on)\b")
    })
}

/// "may not generalize", "it may not perform well", "outputs may not be
/// accurate": what the model may fail at, said of the model (no subject,
/// or the model, its outputs, "it", "they"), never of the reader.
fn may_fail() -> &'static Regex {
    static MAY_FAIL: OnceLock<Regex> = OnceLock::new();
    MAY_FAIL.get_or_init(|| {
        re(r"(?:^|[;,.:|(]\s*|\b(?:it|model|models|weights|checkpoints?|outputs?|predictions?|results?|they|which|and)\s+)may\s+not\s+(?:generali[sz]e|perform\s+(?:well|reliably)|work\s+(?:well|reliably)|reflect|capture|be\s+(?:accurate|reliable|suitable|appropriate|representative|robust|complete|optimal))\b")
    })
}

/// The sentence without its statements of fitness (a field not checked,
/// what the model may fail at), for the readers that look for the words of
/// a ban.
pub fn without_fitness_statements(s: &str) -> Cow<'_, str> {
    match unchecked().replace_all(s, " ") {
        Cow::Borrowed(b) => may_fail().replace_all(b, " "),
        Cow::Owned(o) => Cow::Owned(may_fail().replace_all(&o, " ").into_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::license::clauses::read_clauses;
    use crate::license::text::NormText;
    use crate::license::verdict::ObligationKind;

    fn bans(s: &str) -> bool {
        let t = NormText::new(s);
        read_clauses(&t)
            .iter()
            .any(|h| h.kind == ObligationKind::FieldOfUseBan)
    }

    #[test]
    fn an_unchecked_field_is_no_ban() {
        for s in [
            // aws-sagemaker-mlflow-dvc-sample-trained-model-licence-mit-0.txt
            // (tests/license-eval, unseen17): the model card template's row
            "| Limitations | Trained on small images; may not generalize to high-resolution inputs | Demo only; not validated for clinical use |",
            // paraphrases
            "The classifier has not been clinically validated for medical diagnosis.",
            "These weights are not yet certified for use in autonomous vehicles.",
            "The model was not tested for clinical settings.",
        ] {
            assert!(!bans(s), "{s}");
        }
    }

    #[test]
    fn what_the_model_may_fail_at_forbids_nothing() {
        let strips = |s: &str| {
            let n = NormText::new(s).norm;
            let rest = without_fitness_statements(&n).into_owned();
            !rest.contains("may not")
        };
        for s in [
            // aws-sagemaker-mlflow-dvc-sample-trained-model-licence-mit-0.txt
            // (tests/license-eval, unseen17)
            "| Limitations | Trained on small images; may not generalize to high-resolution inputs | Demo only; not validated for clinical use |",
            // paraphrases
            "The model may not perform well on accented speech.",
            "Outputs may not be accurate for rare species.",
            "It was trained on news text, so it may not generalise to tweets.",
        ] {
            assert!(strips(s), "{s}");
        }
        // said of the reader, or an act: a ban, kept
        for s in [
            "You may not transfer the weights to a third party.",
            "Licensee may not reflect the Model in a competing product.",
            "(c) may not sublicense the Model.",
            "You may not be accurate in your claims about the Model.",
        ] {
            assert!(!strips(s), "{s}");
        }
        // beside a free grant, a statement of what the model may fail at
        // keeps the grant free
        let grant = "The weights are licensed under the MIT License. Permission is hereby granted, free of charge, to any person obtaining a copy of the weights, to deal in them without restriction.";
        let with_note = format!(
            "{grant} Trained on small images; the model may not generalize to larger ones."
        );
        let with_ban = format!("{grant} You may not use the weights for military purposes.");
        let verdict = |s: &str| {
            let t = NormText::new(s);
            crate::license::derive::derive(&t, &read_clauses(&t)).verdict
        };
        use crate::license::verdict::Verdict;
        assert_eq!(verdict(&with_note), Verdict::Permitted, "{with_note}");
        assert_ne!(verdict(&with_ban), Verdict::Permitted, "{with_ban}");
    }

    #[test]
    fn a_ban_beside_it_still_bans() {
        for s in [
            "The model is not validated for clinical use and must not be used for medical diagnosis.",
            "You may not use the model for clinical purposes.",
            "Use for military purposes is prohibited.",
            "Not for clinical use.",
        ] {
            assert!(bans(s), "{s}");
        }
    }
}
