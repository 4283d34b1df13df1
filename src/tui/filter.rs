//! Search queries: a substring, or a glob when the text holds `*` or `?`.
//! Both ignore ASCII case.

/// A compiled search query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    text: String,
    lower: String,
    glob: bool,
}

impl Query {
    /// Compiles a query; `None` for empty text.
    pub fn new(text: &str) -> Option<Query> {
        if text.is_empty() {
            return None;
        }
        Some(Query {
            text: text.to_string(),
            lower: text.to_ascii_lowercase(),
            glob: text.contains(['*', '?']),
        })
    }

    /// The text as typed.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether the query is a glob (matched against the whole text).
    pub fn is_glob(&self) -> bool {
        self.glob
    }

    /// Whether `haystack` matches: contains the substring, or matches the whole glob.
    pub fn matches(&self, haystack: &str) -> bool {
        let hay = haystack.to_ascii_lowercase();
        if self.glob {
            glob_match(self.lower.as_bytes(), hay.as_bytes())
        } else {
            hay.contains(&self.lower)
        }
    }

    /// Byte ranges of the substring's occurrences in `haystack` (none for globs),
    /// for highlighting.
    pub fn spans(&self, haystack: &str) -> Vec<(usize, usize)> {
        if self.glob || !haystack.is_ascii() {
            return Vec::new();
        }
        let hay = haystack.to_ascii_lowercase();
        let mut out = Vec::new();
        let mut from = 0;
        while let Some(i) = hay[from..].find(&self.lower) {
            let start = from + i;
            let end = start + self.lower.len();
            out.push((start, end));
            from = end;
        }
        out
    }
}

/// `*` matches any run of bytes, `?` one byte; everything else itself.
/// Iterative with one backtrack point, so linear in practice.
fn glob_match(pat: &[u8], s: &[u8]) -> bool {
    let (mut p, mut i) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while i < s.len() {
        if p < pat.len() && (pat[p] == b'?' || pat[p] == s[i]) {
            p += 1;
            i += 1;
        } else if p < pat.len() && pat[p] == b'*' {
            star = Some((p, i));
            p += 1;
        } else if let Some((sp, si)) = star {
            p = sp + 1;
            i = si + 1;
            star = Some((sp, si + 1));
        } else {
            return false;
        }
    }
    while p < pat.len() && pat[p] == b'*' {
        p += 1;
    }
    p == pat.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substring_ignores_case() {
        let q = Query::new("Q_PROJ").unwrap();
        assert!(!q.is_glob());
        assert!(q.matches("model.layers.0.self_attn.q_proj.weight"));
        assert!(!q.matches("model.layers.0.self_attn.k_proj.weight"));
        assert_eq!(q.spans("a.q_proj.q_proj"), vec![(2, 8), (9, 15)]);
    }

    #[test]
    fn glob_matches_the_whole_name() {
        let q = Query::new("model.layers.?.*.weight").unwrap();
        assert!(q.is_glob());
        assert!(q.matches("model.layers.3.mlp.up_proj.weight"));
        assert!(!q.matches("model.layers.12.mlp.up_proj.weight"));
        assert!(!q.matches("xmodel.layers.3.mlp.up_proj.weight"));
        assert!(Query::new("*norm*").unwrap().matches("model.norm.weight"));
        assert!(Query::new("*").unwrap().matches(""));
        assert!(!Query::new("a*b").unwrap().matches("acbx"));
    }

    #[test]
    fn empty_text_is_no_query() {
        assert!(Query::new("").is_none());
    }
}
