//! The shape of a Hugging Face Hub id, shared by model repos and datasets.

/// True when `id` has the shape of a Hub id: `name` or `org/name`, each part
/// non-empty, not starting with `.`, at most 96 letters, digits, `-`, `_`
/// or `.`.
pub fn looks_like_hub_id(id: &str) -> bool {
    let parts: Vec<&str> = id.split('/').collect();
    let ok = |p: &str| {
        !p.is_empty()
            && !p.starts_with('.')
            && p.len() <= 96
            && p.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    matches!(parts.len(), 1 | 2) && parts.iter().all(|p| ok(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hub_id_shapes() {
        assert!(looks_like_hub_id("Qwen/Qwen3-4B"));
        assert!(looks_like_hub_id("squad"));
        assert!(!looks_like_hub_id("./model"));
        assert!(!looks_like_hub_id("a/b/c"));
        assert!(!looks_like_hub_id("../x"));
        assert!(!looks_like_hub_id("org/"));
    }
}
