//! Numbers for people: sizes and counts.

/// Bytes in decimal units (`1.5 GB`), as model sizes are usually quoted.
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 6] = ["B", "kB", "MB", "GB", "TB", "PB"];
    if n < 1000 {
        return format!("{n} B");
    }
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// A parameter count in K/M/B/T (`8.03B`).
pub fn count(n: u64) -> String {
    let v = n as f64;
    if n < 1_000 {
        n.to_string()
    } else if n < 1_000_000 {
        format!("{:.1}K", v / 1e3)
    } else if n < 1_000_000_000 {
        format!("{:.2}M", v / 1e6)
    } else if n < 1_000_000_000_000 {
        format!("{:.2}B", v / 1e9)
    } else {
        format!("{:.2}T", v / 1e12)
    }
}

/// An integer with thousands separators (`405,853,388,800`).
pub fn grouped(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `text` cut to `max` characters, ending in `…` when cut.
pub fn cut_chars(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(bytes(999), "999 B");
        assert_eq!(bytes(1_500_000_000), "1.5 GB");
        assert_eq!(count(8_030_261_248), "8.03B");
        assert_eq!(count(124_400), "124.4K");
        assert_eq!(grouped(405_853_388_800), "405,853,388,800");
        assert_eq!(grouped(12), "12");
    }

    #[test]
    fn cuts_on_characters() {
        assert_eq!(cut_chars("héllo", 2), "hé…");
        assert_eq!(cut_chars("héllo", 5), "héllo");
        assert_eq!(cut_chars("", 0), "");
    }
}
