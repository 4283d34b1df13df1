//! Why a remote target could not be audited or downloaded.

use thiserror::Error;

/// A failure talking to the Hub or writing the cache. Every variant that
/// comes from a request names its URL.
#[derive(Debug, Error)]
pub enum HubError {
    /// `HF_HUB_OFFLINE` is set and the cache lacks what is needed.
    #[error("HF_HUB_OFFLINE is set and {what} is not in the Hugging Face cache ({cache}): unset HF_HUB_OFFLINE to fetch it from the Hub, or download it first (`mri download hf://{repo}`)")]
    Offline {
        /// The repo id.
        repo: String,
        /// What is missing (the repo, a revision, a file).
        what: String,
        /// The cache folder searched.
        cache: String,
    },
    /// `mri download` with `HF_HUB_OFFLINE` set.
    #[error(
        "HF_HUB_OFFLINE is set: `mri download hf://{repo}` needs the Hub; unset HF_HUB_OFFLINE"
    )]
    OfflineDownload {
        /// The repo id.
        repo: String,
    },
    /// 401 or 403: gated, private, or a token without access.
    #[error("{status} for {url}{message}: `{repo}` is gated or private. {advice}")]
    Unauthorized {
        /// The request.
        url: String,
        /// The HTTP status, e.g. `401 Unauthorized`.
        status: String,
        /// The repo id.
        repo: String,
        /// The Hub's own explanation (` (…)`), or empty.
        message: String,
        /// What to do.
        advice: String,
    },
    /// 404: no such repo, revision or file.
    #[error("{status} for {url}{message}: {what}")]
    NotFound {
        /// The request.
        url: String,
        /// The HTTP status.
        status: String,
        /// The Hub's own explanation (` (…)`), or empty.
        message: String,
        /// What does not exist, and what to check.
        what: String,
    },
    /// Any other unsuccessful status.
    #[error("{status} for {url}{message}{retried}")]
    Status {
        /// The request.
        url: String,
        /// The HTTP status.
        status: String,
        /// The Hub's own explanation (` (…)`), or empty.
        message: String,
        /// ` (tried N times)` when retried, or empty.
        retried: String,
    },
    /// No answer in time.
    #[error("no answer from {url} within {seconds} s (tried {attempts} times): check the network and HF_ENDPOINT, or raise {variable}")]
    Timeout {
        /// The request.
        url: String,
        /// The timeout that ran out.
        seconds: String,
        /// Attempts made.
        attempts: u32,
        /// The variable that sets this timeout.
        variable: &'static str,
    },
    /// The connection failed (refused, reset, DNS, TLS, proxy).
    #[error("cannot reach {url} (tried {attempts} times): {message}; check the network, HF_ENDPOINT and the proxy variables")]
    Transport {
        /// The request.
        url: String,
        /// Attempts made.
        attempts: u32,
        /// The underlying error, with its causes.
        message: String,
    },
    /// An answer that does not have the shape the Hub gives.
    #[error("unexpected answer from {url}: {message}")]
    BadResponse {
        /// The request.
        url: String,
        /// What is wrong with it.
        message: String,
    },
    /// A downloaded file whose hash is not the one the Hub lists.
    #[error("{path}: downloaded content has {kind} {actual}, but the Hub lists {expected}; the partial file was removed, run the command again")]
    Integrity {
        /// The file in the repository.
        path: String,
        /// `sha256` or `git sha1`.
        kind: &'static str,
        /// What the Hub lists.
        expected: String,
        /// What was received.
        actual: String,
    },
    /// Writing the cache failed.
    #[error("cannot write `{path}`: {source}")]
    Io {
        /// The path being written.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The HTTP client could not be set up.
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
    /// The cached copy is damaged or refused (a ref file that holds no
    /// commit id, a snapshot folder linked out of its repo folder).
    #[error("{0}")]
    Cache(crate::locate::LocateError),
}

impl HubError {
    /// An I/O error on `path`.
    pub fn io(path: impl AsRef<std::path::Path>, source: std::io::Error) -> Self {
        HubError::Io {
            path: path.as_ref().display().to_string(),
            source,
        }
    }
}
