//! The model card (README.md) and its YAML front matter.

use crate::finding::{Code, Finding};
use serde::Serialize;
use serde_norway::Value as Yaml;
use std::collections::BTreeMap;

/// What the card's front matter says (the fields `mri` uses).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Card {
    /// The card file, relative to the model root.
    pub path: String,
    /// Whether the card has a front matter block.
    pub has_front_matter: bool,
    /// `license` (one or several Hub ids, e.g. `apache-2.0`, `other`).
    pub license: Vec<String>,
    /// `license_name`, used with `license: other`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license_name: Option<String>,
    /// `license_link`, used with `license: other`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license_link: Option<String>,
    /// `base_model` (one or several repo ids).
    pub base_model: Vec<String>,
    /// `pipeline_tag`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pipeline_tag: Option<String>,
    /// `library_name`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub library_name: Option<String>,
    /// `tags`.
    pub tags: Vec<String>,
    /// `language`.
    pub language: Vec<String>,
    /// `datasets`: the training sets the card declares, as written (Hub ids,
    /// with or without an org, a config after `:`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub datasets: Vec<String>,
    /// The 1-based card line of each entry of `datasets`, in the same order
    /// (the key's line for a flow list `[a, b]`).
    #[serde(skip)]
    pub dataset_lines: Vec<u32>,
    /// The 1-based line in the card of each top-level key, for citations.
    pub lines: BTreeMap<String, u32>,
    /// For a card made from a binary file's metadata (a GGUF file's
    /// `general.license`, a safetensors header's `modelspec.license`), which
    /// has no lines: the metadata key each field was read from, for
    /// citations (`license` → `general.license`).
    #[serde(skip)]
    pub keys: BTreeMap<String, String>,
    /// The body's section about the license ("## License"), when it has one
    /// (read by the license decision; not part of the JSON report).
    #[serde(skip)]
    pub license_section: Option<CardSection>,
    /// The body's section on limitations, bias or risks (`## Limitations`,
    /// `## Bias, Risks, and Limitations`), when it has one (read by the AI
    /// bill of materials; not part of the JSON report).
    #[serde(skip)]
    pub limitations: Option<CardSection>,
    /// The body's section on intended uses (`## Intended uses`, `## Uses`),
    /// when it has one (read by the AI bill of materials; not part of the
    /// JSON report).
    #[serde(skip)]
    pub intended_uses: Option<CardSection>,
}

/// A section of the card's body, with the line it starts on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CardSection {
    /// 1-based line of the section's heading in the card.
    pub line: u32,
    /// The section's text, heading included, with `line - 1` empty lines
    /// before it, so that line numbers in it are the card's.
    pub text: String,
}

/// Longest license section kept, in lines.
const MAX_SECTION_LINES: usize = 200;

/// The body's first section whose heading is about the license (`## License`,
/// `# Licensing`, `### License and terms of use`).
fn license_section(text: &str) -> Option<CardSection> {
    section(text, |title| {
        title.contains("license")
            || title.contains("licence")
            || title.contains("licensing")
            || title.contains("terms of use")
    })
}

/// The body's first section on limitations, bias or risks.
fn limitations_section(text: &str) -> Option<CardSection> {
    section(text, |title| {
        title.contains("limitation") || title.starts_with("bias") || title.contains("risks")
    })
}

/// The body's first section on intended uses (`Intended use`, `Intended
/// uses & limitations`, `Uses`).
fn intended_uses_section(text: &str) -> Option<CardSection> {
    section(text, |title| {
        title.starts_with("intended use") || title == "uses" || title == "use cases"
    })
}

/// The body's first section whose lowercased heading `wanted` accepts, up to
/// the next heading of the same or a higher level; headings inside code
/// fences do not count.
fn section(text: &str, wanted: impl Fn(&str) -> bool) -> Option<CardSection> {
    let mut lines = text.lines().enumerate().peekable();
    if lines.peek().map(|(_, l)| l.trim_end()) == Some("---") {
        lines.next();
        for (_, l) in lines.by_ref() {
            if matches!(l.trim_end(), "---" | "...") {
                break;
            }
        }
    }
    let heading = |line: &str| -> Option<(usize, String)> {
        let t = line.trim_start();
        let level = t.chars().take_while(|&c| c == '#').count();
        if level == 0 || level > 6 || !t[level..].starts_with([' ', '\t']) {
            return None;
        }
        Some((
            level,
            t[level..].trim().trim_end_matches('#').to_lowercase(),
        ))
    };
    let mut fenced = false;
    let mut found: Option<(usize, usize, Vec<&str>)> = None;
    for (i, line) in lines {
        if line.trim_start().starts_with("```") || line.trim_start().starts_with("~~~") {
            fenced = !fenced;
        }
        let h = if fenced { None } else { heading(line) };
        match (&mut found, h) {
            (None, Some((level, title))) if wanted(&title) => {
                found = Some((i, level, vec![line]));
            }
            (Some((_, level, _)), Some((l, _))) if l <= *level => break,
            (Some((_, _, body)), _) => {
                if body.len() >= MAX_SECTION_LINES {
                    break;
                }
                body.push(line);
            }
            _ => {}
        }
    }
    let (start, _, body) = found?;
    let mut text = "\n".repeat(start);
    text.push_str(&body.join("\n"));
    Some(CardSection {
        line: start as u32 + 1,
        text,
    })
}

/// Parses the card: its front matter (see [`parse_front_matter`]) and the
/// body's license section.
pub fn parse_card(path: &str, text: &str) -> (Card, Vec<Finding>) {
    let (mut card, findings) = parse_front_matter(path, text);
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    card.license_section = license_section(text);
    card.limitations = limitations_section(text);
    card.intended_uses = intended_uses_section(text);
    (card, findings)
}

/// Parses the card's front matter. A card without one yields an empty card;
/// a malformed one yields `card/invalid` with the line.
fn parse_front_matter(path: &str, text: &str) -> (Card, Vec<Finding>) {
    let mut card = Card {
        path: path.to_string(),
        ..Default::default()
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines();
    if lines.next().map(str::trim_end) != Some("---") {
        return (card, Vec::new());
    }
    let mut body = String::new();
    let mut closed = false;
    for line in lines {
        if matches!(line.trim_end(), "---" | "...") {
            closed = true;
            break;
        }
        body.push_str(line);
        body.push('\n');
    }
    card.has_front_matter = true;
    if !closed {
        let f = Finding::warning(
            Code::CardInvalid,
            "front matter starts with `---` but is never closed by another `---` line",
        )
        .in_file(path)
        .at_line(1);
        return (card, vec![f]);
    }
    if let Some(line) = too_deep(&body, MAX_NESTING) {
        // The YAML parser's time grows with the square of the nesting depth
        // (a 200k-deep `[[[…` takes minutes): such a front matter is not
        // parsed, as one that does not parse.
        let f = Finding::warning(
            Code::CardInvalid,
            format!("front matter nests deeper than {MAX_NESTING} levels; it was not parsed"),
        )
        .in_file(path)
        .at_line(line.saturating_add(1));
        return (card, vec![f]);
    }
    let yaml: Yaml = match serde_norway::from_str(&body) {
        Ok(v) => v,
        Err(e) => {
            // The front matter starts on line 2 of the file.
            let line = e.location().map(|l| l.line() as u32 + 1);
            let f = Finding::warning(
                Code::CardInvalid,
                format!("front matter is not valid YAML: {e}"),
            )
            .in_file(path)
            .at_optional_line(line);
            return (card, vec![f]);
        }
    };
    let map = match yaml {
        Yaml::Mapping(m) => m,
        Yaml::Null => return (card, Vec::new()),
        _ => {
            let f = Finding::warning(
                Code::CardInvalid,
                "front matter is not a mapping of keys to values",
            )
            .in_file(path)
            .at_line(2);
            return (card, vec![f]);
        }
    };
    let mut findings = Vec::new();
    for (i, line) in body.lines().enumerate() {
        if let Some((key, _)) = line.split_once(':') {
            if !key.starts_with([' ', '\t', '-', '#']) && !key.is_empty() {
                card.lines
                    .entry(key.trim().to_string())
                    .or_insert(i as u32 + 2);
            }
        }
    }
    let get = |k: &str| map.get(Yaml::String(k.to_string()));
    card.license = strings(get("license"));
    card.license_name = string(get("license_name"));
    card.license_link = string(get("license_link"));
    card.base_model = strings(get("base_model"));
    card.pipeline_tag = string(get("pipeline_tag"));
    card.library_name = string(get("library_name"));
    card.tags = strings(get("tags"));
    card.language = strings(get("language"));
    card.datasets = strings(get("datasets"));
    card.dataset_lines = item_lines(&body, card.lines.get("datasets").copied(), &card.datasets);
    for key in ["license", "base_model", "tags", "language", "datasets"] {
        if let Some(v) = get(key) {
            if !matches!(v, Yaml::String(_) | Yaml::Sequence(_) | Yaml::Null) {
                findings.push(
                    Finding::warning(
                        Code::CardInvalid,
                        format!("`{key}` is neither a string nor a list of strings"),
                    )
                    .in_file(path)
                    .at_optional_line(card.lines.get(key).copied()),
                );
            }
        }
    }
    (card, findings)
}

/// Deepest nesting of the front matter handed to the YAML parser (real
/// cards, `model-index` included, stay under a dozen).
pub const MAX_NESTING: usize = 64;

/// Whether a block scalar (`key: |`, `- >-`, `|2`) starts at the end of
/// this line's content.
fn opens_block_scalar(content: &str) -> bool {
    let t = content.trim_end();
    let Some(i) = t.rfind(['|', '>']) else {
        return false;
    };
    let (before, after) = (&t[..i], &t[i + 1..]);
    after.chars().all(|c| matches!(c, '-' | '+' | '0'..='9'))
        && (before.is_empty() || before.ends_with([' ', '\t']))
        && (before.trim().is_empty() || before.trim_end().ends_with([':', '-', '?']))
}

/// A linear over-estimate of the front matter's nesting depth: open flow
/// brackets (outside quotes, comments and block scalars) plus the block
/// levels that indentation and compact `- ` / `? ` indicators open. Returns
/// the 1-based line of the body where it first exceeds `limit`.
fn too_deep(body: &str, limit: usize) -> Option<u32> {
    let mut indents: Vec<usize> = Vec::new();
    let mut flow = 0usize;
    let mut quote: Option<char> = None;
    let mut block_scalar: Option<usize> = None;
    for (n, line) in body.lines().enumerate() {
        let lineno = u32::try_from(n + 1).unwrap_or(u32::MAX);
        let indent = line.len() - line.trim_start_matches(' ').len();
        let content = &line[indent..];
        if let Some(at) = block_scalar {
            if content.trim().is_empty() || indent > at {
                continue;
            }
            block_scalar = None;
        }
        if quote.is_none() && flow == 0 && !content.trim().is_empty() {
            while indents.last().is_some_and(|&i| i >= indent) {
                indents.pop();
            }
            indents.push(indent);
        }
        let mut compact = 0usize;
        let mut leading = true;
        let mut keyed = false;
        let mut prev: Option<char> = None;
        let mut prev_solid: Option<char> = None;
        let mut chars = content.chars().peekable();
        while let Some(ch) = chars.next() {
            let next_blank = chars.peek().is_none_or(|c| *c == ' ' || *c == '\t');
            match quote {
                Some('"') if ch == '\\' => {
                    chars.next();
                }
                Some('\'') if ch == '\'' && chars.peek() == Some(&'\'') => {
                    chars.next();
                }
                Some(q) if ch == q => quote = None,
                Some(_) => {}
                None => match ch {
                    '#' if prev.is_none_or(|p| p == ' ' || p == '\t') => break,
                    '\'' | '"'
                        if prev.is_none_or(|p| matches!(p, ' ' | '\t' | '[' | '{' | ','))
                            && prev_solid
                                .is_none_or(|p| matches!(p, ':' | '-' | '?' | '[' | '{' | ',')) =>
                    {
                        quote = Some(ch);
                    }
                    '[' | '{' => flow += 1,
                    ']' | '}' => flow = flow.saturating_sub(1),
                    // compact nesting: `- - - x` and `? ? x` at the
                    // start of a line, and one mapping level per line
                    '-' | '?' if flow == 0 && next_blank && leading => compact += 1,
                    ':' if flow == 0 && next_blank && !keyed => {
                        compact += 1;
                        keyed = true;
                    }
                    _ => {}
                },
            }
            if indents.len() + compact + flow > limit {
                return Some(lineno);
            }
            prev = Some(ch);
            if ch != ' ' && ch != '\t' {
                prev_solid = Some(ch);
                leading &= matches!(ch, '-' | '?');
            }
        }
        if quote.is_none() && flow == 0 && opens_block_scalar(content) {
            block_scalar = Some(indent);
        }
    }
    None
}

/// The card line of each item of a list whose key is on `key_line`: the
/// first line at or after the key (and before the next top-level key) whose
/// text names the item, else the key's own line.
fn item_lines(body: &str, key_line: Option<u32>, items: &[String]) -> Vec<u32> {
    let Some(key_line) = key_line else {
        return vec![1; items.len()];
    };
    // `body` starts on card line 2.
    let first = key_line.saturating_sub(2) as usize;
    let block: Vec<(u32, &str)> = body
        .lines()
        .enumerate()
        .skip(first)
        .take_while(|(i, l)| *i == first || l.is_empty() || l.starts_with([' ', '\t', '-', '#']))
        .map(|(i, l)| (i as u32 + 2, l))
        .collect();
    let mut from = 0;
    items
        .iter()
        .map(|item| {
            let named = |l: &str| {
                let t = l.trim_start().trim_start_matches('-').trim();
                let t = t.trim_matches(|c| c == '"' || c == '\'');
                t == item
            };
            match block.iter().skip(from).position(|(_, l)| named(l)) {
                Some(k) => {
                    from += k + 1;
                    block[from - 1].0
                }
                None => key_line,
            }
        })
        .collect()
}

fn string(v: Option<&Yaml>) -> Option<String> {
    match v? {
        Yaml::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Yaml::Number(n) => Some(n.to_string()),
        Yaml::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn strings(v: Option<&Yaml>) -> Vec<String> {
    match v {
        Some(Yaml::Sequence(items)) => items.iter().filter_map(|i| string(Some(i))).collect(),
        other => string(other).into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datasets_limitations_and_intended_uses_are_read() {
        let text = "---\ndatasets:\n- acme/a\n- acme/b\n---\n# M\n\n## Intended uses & limitations\n\nChat.\n\n```\n## Limitations in a fence\n```\n## Bias, Risks, and Limitations\n\nIt errs.\n\n## Training\n\nLong.\n";
        let (card, f) = parse_card("README.md", text);
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(card.datasets, ["acme/a", "acme/b"]);
        let uses = card.intended_uses.expect("intended uses");
        assert_eq!(uses.line, 8);
        assert!(uses.text.contains("Chat.") && uses.text.contains("in a fence"));
        // The first heading naming limitations wins, fenced ones aside.
        let lim = card.limitations.expect("limitations");
        assert_eq!(lim.line, 8);
        let (card, _) = parse_card(
            "README.md",
            "# M\n\n## Limitations\n\nIt errs.\n\n## Training\n",
        );
        let lim = card.limitations.expect("limitations");
        assert_eq!(lim.text.trim(), "## Limitations\n\nIt errs.");
        assert!(card.intended_uses.is_none() && card.datasets.is_empty());
    }

    #[test]
    fn front_matter_fields_are_read() {
        let text = "---\nlicense: other\nlicense_name: tongyi-qianwen\nlicense_link: LICENSE\nbase_model:\n  - Qwen/Qwen3-4B-Base\ntags: [a, b]\nlanguage: en\n---\n# Model\n";
        let (card, f) = parse_card("README.md", text);
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(card.license, ["other"]);
        assert_eq!(card.license_name.as_deref(), Some("tongyi-qianwen"));
        assert_eq!(card.base_model, ["Qwen/Qwen3-4B-Base"]);
        assert_eq!(card.tags, ["a", "b"]);
        assert_eq!(card.language, ["en"]);
        assert_eq!(card.lines.get("license"), Some(&2));
        assert_eq!(card.lines.get("base_model"), Some(&5));
    }

    #[test]
    fn datasets_are_read_with_the_line_of_each() {
        let text = "---\nlicense: mit\ndatasets:\n  - ms_marco\n  - 'allenai/c4:en'\n# a comment\n  - squad\ntags: [a]\n---\n";
        let (card, f) = parse_card("README.md", text);
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(card.datasets, ["ms_marco", "allenai/c4:en", "squad"]);
        assert_eq!(card.dataset_lines, [4, 5, 7]);
        let (card, _) = parse_card("README.md", "---\ndatasets: [a, b/c]\n---\n");
        assert_eq!(card.datasets, ["a", "b/c"]);
        assert_eq!(card.dataset_lines, [2, 2]);
        let (card, _) = parse_card("README.md", "---\ndatasets: squad\n---\n");
        assert_eq!(card.dataset_lines, [2]);
    }

    #[test]
    fn malformed_front_matter_is_a_finding_with_a_line() {
        let text = "---\nlicense: mit\ntags: [a, b\nfoo: bar\n---\n";
        let (_, f) = parse_card("README.md", text);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].code, Code::CardInvalid);
        assert!(f[0].line.is_some());
    }

    #[test]
    fn unclosed_front_matter_is_a_finding() {
        let (_, f) = parse_card("README.md", "---\nlicense: mit\n");
        assert_eq!(f[0].code, Code::CardInvalid);
    }

    #[test]
    fn the_body_license_section_is_kept_with_its_line() {
        let text = "---\nlicense: apache-2.0\n---\n# Model\n\n```\n# License in code\n```\n## License\n\nThe weights are CC BY-NC 4.0.\n### Details\nmore\n## Usage\nrun it\n";
        let (card, _) = parse_card("README.md", text);
        let s = card.license_section.expect("a section");
        assert_eq!(s.line, 9);
        assert_eq!(s.text.lines().nth(8), Some("## License"));
        assert!(s.text.contains("CC BY-NC 4.0") && s.text.contains("more"));
        assert!(!s.text.contains("run it") && !s.text.contains("in code"));
        let (card, _) = parse_card("README.md", "# Model\n\nNo license words here.\n");
        assert!(card.license_section.is_none());
        let (card, _) = parse_card("README.md", "# Model\n## Licence\nMIT\n");
        assert_eq!(card.license_section.map(|s| s.line), Some(2));
    }

    #[test]
    fn deep_nesting_is_refused_before_the_yaml_parser() {
        for (open, head) in [("[", "x: "), ("{", "x: "), ("- ", "x:\n"), ("? ", "x:\n")] {
            let deep = format!("---\nlicense: mit\n{head}{}\n---\n", open.repeat(200_000));
            let (card, f) = parse_card("README.md", &deep);
            assert_eq!(f.len(), 1, "{open}: {f:?}");
            assert_eq!(f[0].code, Code::CardInvalid);
            assert!(f[0].message.contains("nests deeper"), "{}", f[0].message);
            let line = 3 + head.matches('\n').count() as u32;
            assert_eq!(f[0].line, Some(line));
            assert!(card.license.is_empty(), "not parsed, so no license read");
        }
        // indentation nesting counts too
        let mut deep = String::from("---\n");
        for i in 0..100 {
            deep.push_str(&format!("{}k{i}:\n", " ".repeat(i)));
        }
        deep.push_str("---\n");
        let (_, f) = parse_card("README.md", &deep);
        assert!(f[0].message.contains("nests deeper"), "{f:?}");
    }

    #[test]
    fn ordinary_nesting_brackets_in_text_and_block_scalars_pass() {
        let text = "---\nlicense: apache-2.0\nsummary: a - b - c - d - e - f - g - h - i - j - k - l - m - n - o - p - q - r - s - t - u - v - w - x - y - z - a - b - c - d - e - f - g - h - i - j - k - l - m - n - o - p - q - r - s - t - u - v - w - x - y - z - a - b - c - d - e\nwidget:\n- text: 'it''s [[[[[[[[ fine'\n  note: \"[[[[[[[[\\\"[[[[\"\n  title: a[b]c # [[[[[[[[[[[[[[[[[[[[[[[[\nmodel-index:\n- name: m\n  results:\n  - task:\n      type: text-generation\n    metrics:\n    - {type: acc, value: [[1, [2, {a: [3]}]]]}\ndescription: |\n  [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n  {{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{\n---\n";
        let (card, f) = parse_card("README.md", text);
        assert!(f.is_empty(), "{f:?}");
        assert_eq!(card.license, ["apache-2.0"]);
        // one level under the limit parses; one over does not
        let ok = format!(
            "---\nx: {}{}\n---\n",
            "[".repeat(MAX_NESTING - 2),
            "]".repeat(MAX_NESTING - 2)
        );
        assert!(parse_card("README.md", &ok).1.is_empty());
        let over = format!(
            "---\nx: {}{}\n---\n",
            "[".repeat(MAX_NESTING),
            "]".repeat(MAX_NESTING)
        );
        assert_eq!(parse_card("README.md", &over).1.len(), 1);
    }

    #[test]
    fn card_without_front_matter_is_empty() {
        let (card, f) = parse_card("README.md", "# Hello\n");
        assert!(f.is_empty());
        assert!(!card.has_front_matter);
    }
}
