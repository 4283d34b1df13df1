//! The contact to apply to: where a clause asks for registration, an
//! application, a license to request or written authorisation, the email
//! address or web address the text gives for it — in the clause's sentence,
//! in the few sentences after it, or on a line that says whom to contact
//! ("please contact us at license@…", 联系邮箱：…).

use crate::license::pattern::re;
use crate::license::pattern::Regex;
use crate::license::text::NormText;
use std::sync::OnceLock;

struct Rules {
    email: Regex,
    url: Regex,
    /// A sentence that says whom to contact, or how to apply.
    contact: Regex,
}

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| Rules {
        email: re(r"[a-z0-9][a-z0-9._%+-]{0,63}@[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){1,6}"),
        url: re(r"https?://[a-z0-9._~:/?#@!$&*+,;=%-]{3,200}"),
        contact: re(r"\b(?:contact\w*|e-?mail\w*|apply|applications?|register\w*|request\w*|inquir\w*|enquir\w*|reach\s+out|write\s+to|form)\b|联系|邮箱|邮件|申请|登记|洽商|洽谈"),
    })
}

/// The email address or web address in sentence `s`, if any: an email
/// first (a web address may be the license's own), trailing punctuation cut.
fn address_in(s: &str, urls: bool) -> Option<&str> {
    let r = rules();
    if let Some(m) = r.email.find(s) {
        return Some(m.as_str().trim_end_matches(['.', '-']));
    }
    urls.then(|| r.url.find(s))
        .flatten()
        .map(|m| m.as_str().trim_end_matches(['.', ',', ';', ':', '?', '!']))
}

/// What the contact search needs of each sentence of a text, read once per
/// text however many clauses ask for a contact.
pub struct Contacts {
    sentences: Vec<(usize, usize)>,
    /// The sentence speaks of contacting or applying.
    speaks: Vec<bool>,
    /// The email address in the sentence, and else its web address.
    email: Vec<Option<(usize, usize)>>,
    url: Vec<Option<(usize, usize)>>,
}

impl Contacts {
    /// Reads every sentence of `text` once.
    pub fn new(text: &NormText) -> Contacts {
        let r = rules();
        let sentences = text.sentences();
        let (mut speaks, mut email, mut url) = (Vec::new(), Vec::new(), Vec::new());
        for &(sf, sl) in &sentences {
            let s = text.words_text(sf, sl);
            speaks.push(r.contact.is_match(s));
            let at = |a: &str| {
                let start = a.as_ptr() as usize - s.as_ptr() as usize;
                (start, start + a.len())
            };
            email.push(address_in(s, false).map(at));
            url.push(address_in(s, true).map(at));
        }
        Contacts {
            sentences,
            speaks,
            email,
            url,
        }
    }

    /// The address of sentence `i` (an email first; a web address only
    /// where `urls`).
    fn address<'t>(&self, text: &'t NormText, i: usize, urls: bool) -> Option<&'t str> {
        let (sf, sl) = *self.sentences.get(i)?;
        let (a, b) = self.email[i].or(if urls { self.url[i] } else { None })?;
        text.words_text(sf, sl).get(a..b)
    }

    /// The contact for the clause in words `(f, l)` of `text`, with its
    /// original capitalisation: in its sentence, else in the three
    /// sentences after it that speak of contacting or applying, else in the
    /// first sentence of the text that does (or the line after it). The
    /// addresses of a list that goes on from there ("Website: …", "Email:
    /// …") are joined.
    pub fn contact_for(&self, text: &NormText, (f, _): (usize, usize)) -> Option<String> {
        let sentences = &self.sentences;
        let has = |i: usize, urls: bool| self.address(text, i, urls).is_some();
        let speaks = |i: usize| self.speaks.get(i).copied().unwrap_or(false);
        let own = sentences.iter().position(|&(sf, sl)| sf <= f && f <= sl)?;
        let first = if has(own, true) {
            Some(own)
        } else {
            (own + 1..own + 4).find(|&i| has(i, speaks(i))).or_else(|| {
                (0..sentences.len())
                    .filter(|&i| speaks(i))
                    .find_map(|i| [i, i + 1].into_iter().find(|&j| has(j, true)))
            })
        }?;
        // the first address, and those of the short lines that list more
        let mut found: Vec<String> = Vec::new();
        for (i, &(sf, sl)) in sentences.iter().enumerate().skip(first).take(3) {
            let short = sl + 1 - sf <= 12;
            if i > first && !(short && has(i, true)) {
                break;
            }
            if let Some(a) = self.address(text, i, true) {
                let a = case(text, (sf, sl), a);
                if !found.contains(&a) {
                    found.push(a);
                }
            }
        }
        // a form or page to apply at, and the email the text gives for
        // questions on the license
        let email = |a: &String| a.contains('@') && !a.contains("://");
        if !found.iter().any(email) {
            let line = (0..sentences.len())
                .filter(|&i| speaks(i) && self.email[i].is_some())
                .find_map(|i| {
                    let a = self.address(text, i, false)?;
                    Some(case(text, sentences[i], a))
                });
            found.extend(line);
        }
        (!found.is_empty()).then(|| found.join(", "))
    }
}

/// `address` (as found in the normalised sentence) in the capitalisation of
/// the original text.
fn case(text: &NormText, (f, l): (usize, usize), address: &str) -> String {
    let quote = text.quote(f, l, 10_000);
    let lower = quote.to_lowercase();
    match lower.find(address) {
        Some(i) if quote.is_char_boundary(i) && quote.is_char_boundary(i + address.len()) => {
            quote[i..i + address.len()].to_string()
        }
        _ => address.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contact(text: &str, sentence: usize) -> Option<String> {
        let t = NormText::new(text);
        let s = t.sentences()[sentence];
        Contacts::new(&t).contact_for(&t, s)
    }

    #[test]
    fn the_contact_in_the_clause_itself() {
        // minimax-m2.7-non-commercial-license.txt (tests/license-eval)
        assert_eq!(
            contact("Any Commercial Use is prohibited without obtaining a separate, prior written authorization from MiniMax.  To request such authorization, please contact api@minimax.io with the subject line \"M2.7 licensing\".", 0).as_deref(),
            Some("api@minimax.io")
        );
        // stability-ai-community-license.txt (tests/license-corpus)
        assert_eq!(
            contact(
                "You must register with Stability AI at (https://stability.ai/community-license).",
                0
            )
            .as_deref(),
            Some("https://stability.ai/community-license")
        );
    }

    #[test]
    fn the_contact_on_the_next_lines_or_a_contact_line() {
        // bilibili-index-1.9b-model-license.txt (tests/license-eval)
        assert_eq!(
            contact("如果您计划将本模型用于商业目的，应当事先向许可方登记并申请书面授权。\n联系邮箱：litianjiao01@bilibili.com\n", 0).as_deref(),
            Some("litianjiao01@bilibili.com")
        );
        // a contact line further down (Yi Series Models License, section 7)
        let text = "You should contact the Licensor in advance to obtain written authorization.\n\nThe Model is provided as is.\n\nWe disclaim all warranties.\n\nWe are not liable.\n\nFor any questions related to licensing and copyright, please contact the Licensor (yi@01.ai).";
        assert_eq!(contact(text, 0).as_deref(), Some("yi@01.ai"));
    }

    #[test]
    fn a_web_address_after_the_clause_counts_only_where_it_says_how_to_apply() {
        let text = "Commercial use requires our prior written approval. The full text is at https://example.org/license.txt.";
        assert_eq!(contact(text, 0), None);
        let text = "Commercial use requires our prior written approval. Apply at https://example.org/Apply.";
        assert_eq!(
            contact(text, 0).as_deref(),
            Some("https://example.org/Apply")
        );
    }

    #[test]
    fn a_form_to_apply_at_and_the_contact_line_email() {
        // lingowhale-8b-model-license.txt (tests/license-eval)
        let text = "若您期望将此源模型或其衍生品用作商业用途，请您填写[问卷](https://deeplang.feishu.cn/share/base/form/shrcnzt705EDAvVrmAJUCyg7TIb)，通过后即可免费商用。\n\n如有任何问题，请通过[license@deeplang.ai](mailto:license@deeplang.ai)与我们联系。";
        assert_eq!(
            contact(text, 0).as_deref(),
            Some("https://deeplang.feishu.cn/share/base/form/shrcnzt705EDAvVrmAJUCyg7TIb, license@deeplang.ai")
        );
        // fish-audio-research-license.txt: a list of addresses after the line
        let text = "To obtain a commercial license, please contact Fish Audio at:\n\n- **Website:** [https://fish.audio](https://fish.audio)\n- **Email:** business@fish.audio\n\n## IV. GENERAL TERMS";
        assert_eq!(
            contact(text, 0).as_deref(),
            Some("https://fish.audio, business@fish.audio")
        );
    }
}
