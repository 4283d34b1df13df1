//! The repository's file list from the Hub API:
//! `GET /api/models/{repo}/revision/{rev}?blobs=true` answers the commit
//! (`sha`) and `siblings[]` with `rfilename`, `size`, `blobId` and, for LFS
//! files, `lfs {sha256, size}`.

use super::client::{HubClient, Traffic};
use super::error::HubError;
use serde::Deserialize;

/// Largest listing read (a repo with many thousand files stays far below).
const MAX_LISTING_BYTES: u64 = 64 * 1024 * 1024;

/// One file as the Hub lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sibling {
    /// Path in the repository, `/` separators.
    pub path: String,
    /// Size in bytes, when listed.
    pub size: Option<u64>,
    /// The git blob id (sha1), when listed.
    pub blob_id: Option<String>,
    /// The LFS object's sha256, for LFS files.
    pub lfs_sha256: Option<String>,
}

impl Sibling {
    /// The name of the file's blob in the cache: the LFS sha256, else the git
    /// blob id (as `huggingface_hub` names them); only hex names are used.
    pub fn etag(&self) -> Option<&str> {
        self.lfs_sha256
            .as_deref()
            .or(self.blob_id.as_deref())
            .filter(|e| is_hex(e, &[40, 64]))
    }

    /// True when the path is safe to create under a snapshot folder: relative,
    /// no `.`/`..` or empty components, no backslashes or control characters.
    pub fn safe_path(&self) -> bool {
        safe_relative_path(&self.path)
    }
}

/// What the Hub says a revision holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoListing {
    /// The commit the revision points to (40 hex digits).
    pub commit: String,
    /// Every file, in the Hub's order.
    pub files: Vec<Sibling>,
}

#[derive(Deserialize)]
struct RawListing {
    sha: Option<String>,
    #[serde(default)]
    siblings: Vec<RawSibling>,
}

#[derive(Deserialize)]
struct RawSibling {
    rfilename: String,
    size: Option<u64>,
    #[serde(rename = "blobId")]
    blob_id: Option<String>,
    lfs: Option<RawLfs>,
}

#[derive(Deserialize)]
struct RawLfs {
    sha256: Option<String>,
    size: Option<u64>,
}

/// Lists `repo` at `revision`.
pub fn list(
    client: &HubClient,
    repo: &str,
    revision: &str,
    traffic: &Traffic,
) -> Result<RepoListing, HubError> {
    let url = client.listing_url(repo, revision);
    let body = client.fetch(&url, None, MAX_LISTING_BYTES, repo, traffic)?;
    parse_listing(&body.bytes, &url).map_err(|e| match e {
        // JSON cut off exactly where the Content-Length said the body ends:
        // the server announced fewer bytes than it sent.
        HubError::BadResponse { url, message }
            if message.contains("EOF while parsing")
                && body.total == Some(body.bytes.len() as u64) =>
        {
            HubError::BadResponse {
                url,
                message: format!(
                    "the listing's JSON stops at the {} bytes its Content-Length announced: the body is longer than announced, or was cut ({message})",
                    body.bytes.len()
                ),
            }
        }
        other => other,
    })
}

/// Parses the API's answer (`url` is named in errors).
pub fn parse_listing(bytes: &[u8], url: &str) -> Result<RepoListing, HubError> {
    let bad = |message: String| HubError::BadResponse {
        url: url.to_string(),
        message,
    };
    let raw: RawListing = serde_json::from_slice(bytes)
        .map_err(|e| bad(format!("the listing is not the Hub's JSON: {e}")))?;
    let commit = raw
        .sha
        .ok_or_else(|| bad("the listing has no `sha` (commit)".to_string()))?;
    if !is_hex(&commit, &[40]) {
        return Err(bad(format!(
            "the commit `{commit}` is not 40 hexadecimal digits"
        )));
    }
    let files = raw
        .siblings
        .into_iter()
        .map(|s| {
            let lfs_size = s.lfs.as_ref().and_then(|l| l.size);
            Sibling {
                path: s.rfilename,
                size: lfs_size.or(s.size),
                blob_id: s.blob_id.map(|b| b.to_ascii_lowercase()),
                lfs_sha256: s.lfs.and_then(|l| l.sha256).map(|h| h.to_ascii_lowercase()),
            }
        })
        .collect();
    Ok(RepoListing {
        commit: commit.to_ascii_lowercase(),
        files,
    })
}

/// True when `s` is lowercase-or-uppercase hex of one of the `lengths`.
pub fn is_hex(s: &str, lengths: &[usize]) -> bool {
    lengths.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A relative path with only normal components.
pub fn safe_relative_path(path: &str) -> bool {
    !path.is_empty()
        && path.len() <= 4096
        && !path.contains('\\')
        && !path.chars().any(char::is_control)
        && path
            .split('/')
            .all(|c| !c.is_empty() && c != "." && c != ".." && c.len() <= 255)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listing_with_blobs() {
        let text = r#"{"id":"org/m","sha":"0123456789abcdef0123456789abcdef01234567",
          "siblings":[
            {"rfilename":"config.json","size":12,"blobId":"ABCDEF0123456789abcdef0123456789abcdef01"},
            {"rfilename":"model.safetensors","size":134,"blobId":"1111111111111111111111111111111111111111",
             "lfs":{"sha256":"aa00000000000000000000000000000000000000000000000000000000000000","size":5000000,"pointerSize":134}},
            {"rfilename":"../escape","size":1}
          ]}"#;
        let l = parse_listing(text.as_bytes(), "u").expect("parses");
        assert_eq!(l.commit, "0123456789abcdef0123456789abcdef01234567");
        assert_eq!(l.files.len(), 3);
        assert_eq!(
            l.files[0].etag(),
            Some("abcdef0123456789abcdef0123456789abcdef01")
        );
        assert_eq!(
            l.files[1].size,
            Some(5_000_000),
            "the LFS size, not the pointer's"
        );
        assert_eq!(l.files[1].etag().map(str::len), Some(64));
        assert!(l.files[0].safe_path() && !l.files[2].safe_path());
        assert_eq!(l.files[2].etag(), None);
    }

    #[test]
    fn bad_listings_name_the_url() {
        let e = parse_listing(b"[1,2]", "http://x/api").expect_err("not an object");
        assert!(e.to_string().contains("http://x/api"), "{e}");
        let e = parse_listing(br#"{"sha":"zz","siblings":[]}"#, "u").expect_err("bad sha");
        assert!(e.to_string().contains("40 hexadecimal"), "{e}");
    }

    #[test]
    fn unsafe_paths() {
        for p in ["", "/abs", "a//b", "a/./b", "a/../b", "..", "a\\b", "a\nb"] {
            assert!(!safe_relative_path(p), "{p:?}");
        }
        for p in ["a", "a/b.json", "1_Pooling/config.json", ".gitattributes"] {
            assert!(safe_relative_path(p), "{p:?}");
        }
    }
}
