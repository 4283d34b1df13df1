//! Checking received content against what the Hub lists: the LFS sha256 for
//! LFS files, the git blob sha1 (`blobId`) for the others. Hashed as the
//! bytes arrive.

use super::error::HubError;
use super::listing::Sibling;
use sha1::Digest as _;

/// What the content must hash to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expected {
    /// An LFS file's sha256.
    Sha256(String),
    /// A git blob's sha1 over `blob <size>\0<content>`.
    GitBlob {
        /// The blob id.
        sha1: String,
        /// The content's size.
        size: u64,
    },
}

impl Expected {
    /// What the listing says `file` hashes to, when it says.
    pub fn of(file: &Sibling) -> Option<Expected> {
        if let Some(sha) = &file.lfs_sha256 {
            return Some(Expected::Sha256(sha.clone()));
        }
        Some(Expected::GitBlob {
            sha1: file.blob_id.clone()?,
            size: file.size?,
        })
    }
}

/// An incremental hash of the content, checked at the end.
pub struct Checker {
    expected: Option<Expected>,
    sha256: sha2::Sha256,
    sha1: sha1::Sha1,
}

impl Checker {
    /// A checker for `expected` (`None`: nothing to check).
    pub fn new(expected: Option<Expected>) -> Self {
        let mut sha1 = sha1::Sha1::new();
        if let Some(Expected::GitBlob { size, .. }) = &expected {
            sha1.update(format!("blob {size}\0").as_bytes());
        }
        Checker {
            expected,
            sha256: sha2::Sha256::new(),
            sha1,
        }
    }

    /// Hashes the next bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        match &self.expected {
            Some(Expected::Sha256(_)) => self.sha256.update(bytes),
            Some(Expected::GitBlob { .. }) => self.sha1.update(bytes),
            None => {}
        }
    }

    /// Compares with the listing; `path` is named in the error.
    pub fn finish(self, path: &str) -> Result<(), HubError> {
        let (kind, expected, actual) = match self.expected {
            None => return Ok(()),
            Some(Expected::Sha256(e)) => ("sha256", e, hex(&self.sha256.finalize())),
            Some(Expected::GitBlob { sha1, .. }) => ("git sha1", sha1, hex(&self.sha1.finalize())),
        };
        if actual.eq_ignore_ascii_case(&expected) {
            Ok(())
        } else {
            Err(HubError::Integrity {
                path: path.to_string(),
                kind,
                expected,
                actual,
            })
        }
    }
}

/// Lowercase hex.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&sha2::Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn git_blob_ids_and_sha256() {
        // `git hash-object` of "hello\n"
        let mut c = Checker::new(Some(Expected::GitBlob {
            sha1: "ce013625030ba8dba906f756967f9e9ca394464a".into(),
            size: 6,
        }));
        c.update(b"hel");
        c.update(b"lo\n");
        c.finish("x").expect("matches");
        let mut c = Checker::new(Some(Expected::Sha256(sha256_hex(b"abc"))));
        c.update(b"abd");
        let e = c.finish("model.safetensors").expect_err("differs");
        assert!(e.to_string().contains("model.safetensors"), "{e}");
        Checker::new(None).finish("x").expect("nothing to check");
    }
}
