//! Figures as licenses write them: a number with its scale ("20 million",
//! "100K", "1.5bn", "ten million") and its currency (USD, EUR, CNY, GBP,
//! RUB, JPY, KRW, INR, CHF, CAD, AUD, SGD, HKD, by code, symbol or name).
//! The threshold patterns in `clauses.rs` find where a figure stands; this
//! reads what it is.

use crate::license::pattern::re;
use crate::license::pattern::Regex;
use std::borrow::Cow;
use std::sync::OnceLock;

/// The scale words a threshold pattern captures after a number.
pub const SCALE: &str = r"(million|billion|thousand|mn\b|bn\b|m\b|b\b|k\b)";

/// A currency as a symbol or code written before the amount.
pub const CURRENCY_BEFORE: &str = r"(us\$|usd|hk\$|hkd|s\$|sgd|c\$|cad|a\$|aud|\$|€|eur|euros?|rmb|cny|¥|£|gbp|₽|rub|jpy|₩|krw|₹|inr|chf)";

/// A currency as a code or name written after the amount.
pub const CURRENCY_AFTER: &str = r"(us\s+dollars|u\.s\.\s+dollars|canadian\s+dollars|australian\s+dollars|singapore\s+dollars|hong\s+kong\s+dollars|dollars|usd|euros?|eur|rmb|cny|yuan|renminbi|pounds(?:\s+sterling)?|gbp|rub|roubles?|rubles?|jpy|yen|krw|won|inr|rupees|chf|swiss\s+francs|cad|aud|sgd|hkd)";

/// Parses `700`, `1,000,000`, `1.5` with an optional scale word.
pub fn amount(number: &str, scale: Option<&str>) -> Option<u64> {
    let cleaned: String = number.trim_end_matches(['.', ',']).replace(',', "");
    let base: f64 = cleaned.parse().ok()?;
    let mult = match scale.map(str::trim) {
        Some("million" | "m" | "mn") => 1e6,
        Some("billion" | "b" | "bn") => 1e9,
        Some("thousand" | "k") => 1e3,
        _ => 1.0,
    };
    let v = base * mult;
    (0.0..1e18).contains(&v).then_some(v.round() as u64)
}

/// The ISO code of a currency as written (`$` is USD).
pub fn currency(written: &str) -> &'static str {
    let w = written.trim();
    match w {
        "€" | "eur" | "euro" | "euros" => "EUR",
        "rmb" | "cny" | "¥" | "yuan" | "renminbi" => "CNY",
        "£" | "gbp" | "pounds" | "pounds sterling" => "GBP",
        "₽" | "rub" | "rouble" | "roubles" | "ruble" | "rubles" => "RUB",
        "jpy" | "yen" => "JPY",
        "₩" | "krw" | "won" => "KRW",
        "₹" | "inr" | "rupees" => "INR",
        "chf" | "swiss francs" => "CHF",
        "c$" | "cad" | "canadian dollars" => "CAD",
        "a$" | "aud" | "australian dollars" => "AUD",
        "s$" | "sgd" | "singapore dollars" => "SGD",
        "hk$" | "hkd" | "hong kong dollars" => "HKD",
        _ => "USD",
    }
}

/// `s` with spelled-out figures before a scale written in digits ("ten
/// million" → "10 million", "one hundred million" → "100 million"), so the
/// threshold patterns read them; `s` itself when it has none.
pub fn with_digits(s: &str) -> Cow<'_, str> {
    static SPELLED: OnceLock<Regex> = OnceLock::new();
    let spelled = SPELLED.get_or_init(|| {
        re(r"\b(?:(one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty|a|one)\s+hundred|(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|twenty-five|thirty|forty|fifty|sixty|seventy|eighty|ninety))\s+(million|billion|thousand)\b")
    });
    if !s.contains("million") && !s.contains("billion") && !s.contains("thousand") {
        return Cow::Borrowed(s);
    }
    spelled.replace_all_with(s, |c| {
        let scale = c.get(3).map_or("", |m| m.as_str());
        let n = match (c.get(1), c.get(2)) {
            (Some(h), _) => 100 * units(h.as_str()).max(1),
            (None, Some(w)) => units(w.as_str()),
            _ => 0,
        };
        format!("{n} {scale}")
    })
}

fn units(w: &str) -> u64 {
    match w {
        "a" | "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        "eleven" => 11,
        "twelve" => 12,
        "fifteen" => 15,
        "twenty" => 20,
        "twenty-five" => 25,
        "thirty" => 30,
        "forty" => 40,
        "fifty" => 50,
        "sixty" => 60,
        "seventy" => 70,
        "eighty" => 80,
        "ninety" => 90,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_and_spelled_figures_are_read() {
        assert_eq!(amount("100", Some("k")), Some(100_000));
        assert_eq!(amount("1.5", Some("bn")), Some(1_500_000_000));
        assert_eq!(amount("20", Some("mn")), Some(20_000_000));
        assert_eq!(
            with_digits("more than ten million monthly active users"),
            "more than 10 million monthly active users"
        );
        assert_eq!(
            with_digits("one hundred million users"),
            "100 million users"
        );
        assert_eq!(
            with_digits("a hundred thousand dollars"),
            "100 thousand dollars"
        );
        assert_eq!(with_digits("no figure here"), "no figure here");
    }

    #[test]
    fn currencies_by_code_symbol_and_name() {
        for (w, code) in [
            ("rub", "RUB"),
            ("₽", "RUB"),
            ("roubles", "RUB"),
            ("yen", "JPY"),
            ("₩", "KRW"),
            ("rupees", "INR"),
            ("swiss francs", "CHF"),
            ("c$", "CAD"),
            ("hk$", "HKD"),
            ("€", "EUR"),
            ("yuan", "CNY"),
            ("$", "USD"),
        ] {
            assert_eq!(currency(w), code, "{w}");
        }
    }
}
