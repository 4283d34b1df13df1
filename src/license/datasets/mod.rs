//! Training data: the terms of the datasets a model declares. A dataset id
//! as cards write it (`squad`, `rajpurkar/squad`, `allenai/c4:en`, a Hub
//! URL) is parsed into an id and a config; its terms come, in order, from
//! its own card and license file in the Hugging Face cache ([`cache`]),
//! else from the bundled knowledge base ([`kb`]), else they are unknown.
//! Every license is judged by the license engine ([`crate::license::decide`]),
//! so a dataset's verdict means what a model's does.

pub mod cache;
pub mod kb;
mod terms;

pub use cache::CachedDataset;
pub use terms::{terms, Terms, TermsSource};

/// A dataset id split into the Hub id and the config a card may add after `:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatasetId {
    /// The Hub id (`rajpurkar/squad`, `squad`), or the text as written when
    /// it is not one.
    pub id: String,
    /// The config (`en` in `allenai/c4:en`).
    pub config: Option<String>,
    /// Whether `id` has the shape of a Hub dataset id (`name` or `org/name`).
    pub is_hub_id: bool,
}

/// Prefixes a card may put before a dataset id.
const PREFIXES: &[&str] = &[
    "https://huggingface.co/datasets/",
    "http://huggingface.co/datasets/",
    "huggingface.co/datasets/",
    "hf://datasets/",
    "datasets/",
];

/// Parses a dataset id as a card or a GGUF file writes it.
pub fn parse_id(raw: &str) -> DatasetId {
    let mut text = raw.trim();
    for p in PREFIXES {
        if let Some(rest) = text.strip_prefix(p) {
            text = rest;
            break;
        }
    }
    let text = text.trim_end_matches('/');
    // Another site's URL is no Hub id, and its `:` is no config.
    if text.contains("://") {
        return DatasetId {
            id: text.to_string(),
            config: None,
            is_hub_id: false,
        };
    }
    let (id, config) = match text.split_once(':') {
        Some((id, config)) if !config.trim().is_empty() && !id.is_empty() => {
            (id.trim(), Some(config.trim().to_string()))
        }
        _ => (text, None),
    };
    // A Hub URL's `/tree/main/...` or `/blob/...` tail is not part of the id.
    let id = match id.split('/').collect::<Vec<_>>().as_slice() {
        [org, name, "tree" | "blob" | "resolve", ..] => format!("{org}/{name}"),
        _ => id.to_string(),
    };
    let is_hub_id = crate::util::hub_id::looks_like_hub_id(&id);
    DatasetId {
        id,
        config,
        is_hub_id,
    }
}

/// True when two ids name one dataset: the same id in any case, or two ids
/// of one knowledge-base entry (`ms_marco` and `microsoft/ms_marco`).
pub fn same_dataset(a: &str, b: &str) -> bool {
    if a.eq_ignore_ascii_case(b) {
        return true;
    }
    let kb = kb::datasets();
    match (kb.get(a), kb.get(b)) {
        (Some(x), Some(y)) => std::ptr::eq(x, y),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_parsed_in_the_forms_cards_write() {
        let p = parse_id("allenai/c4:en");
        assert_eq!(
            (p.id.as_str(), p.config.as_deref()),
            ("allenai/c4", Some("en"))
        );
        assert!(p.is_hub_id);
        let p = parse_id(" squad ");
        assert_eq!((p.id.as_str(), p.config), ("squad", None));
        let p = parse_id("https://huggingface.co/datasets/HuggingFaceFW/fineweb-edu/tree/main");
        assert_eq!(p.id, "HuggingFaceFW/fineweb-edu");
        let p = parse_id("OpenAssistant Conversations");
        assert!(!p.is_hub_id);
        assert!(!parse_id("a/b/c").is_hub_id);
        let p = parse_id("https://example.com/data:v2");
        assert_eq!(
            (p.id.as_str(), p.config, p.is_hub_id),
            ("https://example.com/data:v2", None, false)
        );
    }
}
