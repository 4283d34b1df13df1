//! Git LFS pointer files: the small text a clone without LFS leaves in place
//! of the real content.

use serde::Serialize;

/// The spec line every pointer starts with.
pub const LFS_SPEC: &str = "version https://git-lfs.github.com/spec/v1";

/// Pointers are ~130 bytes; anything above this is not one.
pub const MAX_POINTER_BYTES: u64 = 1024;

/// What a pointer says of the real file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LfsPointer {
    /// The sha256 of the real content (`oid sha256:...`).
    pub oid: String,
    /// The size in bytes of the real content.
    pub size: u64,
}

/// Parses `bytes` as an LFS pointer; `None` when it is not one.
pub fn parse_pointer(bytes: &[u8]) -> Option<LfsPointer> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut lines = text.lines();
    if lines.next()?.trim_end() != LFS_SPEC {
        return None;
    }
    let mut oid = None;
    let mut size = None;
    for line in lines {
        if let Some(rest) = line.strip_prefix("oid sha256:") {
            let hex = rest.trim();
            if hex.len() == 64 && hex.chars().all(|c| c.is_ascii_hexdigit()) {
                oid = Some(hex.to_ascii_lowercase());
            }
        } else if let Some(rest) = line.strip_prefix("size ") {
            size = rest.trim().parse::<u64>().ok();
        }
    }
    Some(LfsPointer {
        oid: oid?,
        size: size?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_is_parsed() {
        let text = format!("{LFS_SPEC}\noid sha256:{}\nsize 12345\n", "ab".repeat(32));
        let p = parse_pointer(text.as_bytes()).unwrap();
        assert_eq!(p.size, 12345);
        assert_eq!(p.oid.len(), 64);
    }

    #[test]
    fn other_text_is_not_a_pointer() {
        assert!(parse_pointer(b"{\"a\": 1}").is_none());
        let bad_oid = format!("{LFS_SPEC}\noid sha256:xyz\nsize 1\n");
        assert!(parse_pointer(bad_oid.as_bytes()).is_none());
        assert!(parse_pointer(&[0xff, 0xfe]).is_none());
    }
}
