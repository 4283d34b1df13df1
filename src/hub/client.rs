//! The HTTP client: one connection pool for the process, a bound on the
//! requests in flight (shared by every target of a run), the token sent to the
//! endpoint only, bounded timeouts and retries, and errors that name the URL
//! and the status. Counts the bytes and requests of each target.

use super::config::HubConfig;
use super::error::HubError;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use reqwest::blocking::{Client, Response};
use reqwest::header::{AUTHORIZATION, CONTENT_RANGE, RANGE};
use reqwest::StatusCode;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::Duration;

/// Characters kept as they are in URL path segments.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Bytes and requests spent on one target.
#[derive(Debug, Default)]
pub struct Traffic {
    bytes: AtomicU64,
    requests: AtomicU64,
}

impl Traffic {
    /// Body bytes received.
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    /// Requests sent (retries included).
    pub fn requests(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    fn add_bytes(&self, n: u64) {
        self.bytes.fetch_add(n, Ordering::Relaxed);
    }
}

/// A counting semaphore: at most `max` requests in flight.
#[derive(Debug)]
struct Limiter {
    busy: Mutex<usize>,
    freed: Condvar,
    max: usize,
}

impl Limiter {
    fn acquire(&self) -> Permit<'_> {
        let mut busy = self.busy.lock().unwrap_or_else(|p| p.into_inner());
        while *busy >= self.max {
            busy = self.freed.wait(busy).unwrap_or_else(|p| p.into_inner());
        }
        *busy += 1;
        Permit { limiter: self }
    }
}

/// A slot among the requests in flight, given back when dropped.
#[derive(Debug)]
pub struct Permit<'a> {
    limiter: &'a Limiter,
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        let mut busy = self.limiter.busy.lock().unwrap_or_else(|p| p.into_inner());
        *busy = busy.saturating_sub(1);
        self.limiter.freed.notify_one();
    }
}

/// What a request is for: it decides the timeout (and the variable named
/// when it runs out).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Listing, headers, small files (`HF_HUB_ETAG_TIMEOUT`).
    Metadata,
    /// A file download (`HF_HUB_DOWNLOAD_TIMEOUT`).
    Download,
}

/// A successful answer whose body is still to be read; holds its slot.
pub struct Answer<'a> {
    /// The response.
    pub response: Response,
    /// The URL asked for (before redirects).
    pub url: String,
    _permit: Permit<'a>,
}

impl Answer<'_> {
    /// True for `206 Partial Content` (the range was honoured).
    pub fn partial(&self) -> bool {
        self.response.status() == StatusCode::PARTIAL_CONTENT
    }

    /// The whole file's size: from `Content-Range` (`bytes a-b/N`) for a
    /// partial answer, else the body's length.
    pub fn total_size(&self) -> Option<u64> {
        if self.partial() {
            let v = self.response.headers().get(CONTENT_RANGE)?.to_str().ok()?;
            v.rsplit_once('/')?.1.trim().parse().ok()
        } else {
            self.response.content_length()
        }
    }

    /// Copies at most `cap` body bytes into `sink`, counting them in
    /// `traffic` and telling `progress` each chunk's length.
    pub fn copy_to(
        &mut self,
        sink: &mut dyn Write,
        cap: u64,
        traffic: &Traffic,
        progress: &dyn Fn(u64),
    ) -> std::io::Result<u64> {
        let mut buf = vec![0u8; 64 * 1024];
        let mut done = 0u64;
        while done < cap {
            let want = (cap - done).min(buf.len() as u64) as usize;
            let n = match self.response.read(&mut buf[..want]) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            sink.write_all(&buf[..n])?;
            done += n as u64;
            traffic.add_bytes(n as u64);
            progress(n as u64);
        }
        Ok(done)
    }
}

/// A body read into memory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// The bytes (at most the cap asked for).
    pub bytes: Vec<u8>,
    /// The whole file's size, when the answer said.
    pub total: Option<u64>,
    /// True when the range was honoured (206).
    pub partial: bool,
}

/// Why one attempt failed.
enum Failure {
    /// Worth another try: a timeout, a broken connection, 429 or 5xx.
    Retry(Retryable),
    /// Final: the answer will not change.
    Final(HubError),
}

enum Retryable {
    Timeout,
    Transport(String),
    Status(String, String),
    /// The body stopped short of the `Content-Length` the answer announced
    /// (bytes received, bytes announced, whether it then went silent).
    Short(u64, u64, bool),
}

/// The Hub client (cheap to share between threads).
#[derive(Debug)]
pub struct HubClient {
    http: Client,
    config: HubConfig,
    limiter: Limiter,
}

impl HubClient {
    /// A client with these settings.
    pub fn new(config: HubConfig) -> Result<Self, HubError> {
        // rustls needs a process-wide crypto provider; ring is the one built
        // in (an error only means one is installed already).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let http = Client::builder()
            .user_agent(concat!("mri/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(config.metadata_timeout)
            .timeout(config.metadata_timeout)
            .pool_max_idle_per_host(config.connections)
            .build()
            .map_err(|e| HubError::Client(error_chain(&e)))?;
        Ok(HubClient {
            http,
            limiter: Limiter {
                busy: Mutex::new(0),
                freed: Condvar::new(),
                max: config.connections.max(1),
            },
            config,
        })
    }

    /// The process's client, made from the environment on first use, so that
    /// every target of a run shares its connections and its bound.
    pub fn shared() -> Result<&'static HubClient, HubError> {
        static SHARED: OnceLock<Result<HubClient, String>> = OnceLock::new();
        SHARED
            .get_or_init(|| HubClient::new(HubConfig::from_env()).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| HubError::Client(e.clone()))
    }

    /// The settings.
    pub fn config(&self) -> &HubConfig {
        &self.config
    }

    /// `{endpoint}/api/models/{repo}/revision/{rev}?blobs=true`: the file list
    /// with sizes and LFS hashes.
    pub fn listing_url(&self, repo: &str, revision: &str) -> String {
        format!(
            "{}/api/models/{repo}/revision/{}?blobs=true",
            self.config.endpoint,
            utf8_percent_encode(revision, SEGMENT)
        )
    }

    /// `{endpoint}/{repo}/resolve/{commit}/{path}`: a file's content.
    pub fn file_url(&self, repo: &str, commit: &str, path: &str) -> String {
        let path: Vec<String> = path
            .split('/')
            .map(|s| utf8_percent_encode(s, SEGMENT).to_string())
            .collect();
        format!(
            "{}/{repo}/resolve/{}/{}",
            self.config.endpoint,
            utf8_percent_encode(commit, SEGMENT),
            path.join("/")
        )
    }

    /// Sends `GET url` (with `Range: bytes=START-[END]` when given, `END`
    /// inclusive), retrying timeouts, broken connections, 429 and 5xx.
    /// `repo` is named in errors.
    pub fn get(
        &self,
        url: &str,
        range: Option<(u64, Option<u64>)>,
        purpose: Purpose,
        repo: &str,
        traffic: &Traffic,
    ) -> Result<Answer<'_>, HubError> {
        let attempts = self.config.attempts.max(1);
        let mut attempt = 1;
        loop {
            match self.try_get(url, range, purpose, repo, traffic) {
                Ok(a) => return Ok(a),
                Err(Failure::Final(e)) => return Err(e),
                Err(Failure::Retry(why)) if attempt >= attempts => {
                    return Err(self.give_up(url, why, attempts, purpose))
                }
                Err(Failure::Retry(_)) => {
                    std::thread::sleep(backoff(attempt));
                    attempt += 1;
                }
            }
        }
    }

    /// `GET url` read into memory (at most `cap` bytes), the whole exchange
    /// retried as [`HubClient::get`] retries.
    pub fn fetch(
        &self,
        url: &str,
        range: Option<(u64, Option<u64>)>,
        cap: u64,
        repo: &str,
        traffic: &Traffic,
    ) -> Result<Fetched, HubError> {
        let attempts = self.config.attempts.max(1);
        let mut attempt = 1;
        loop {
            let outcome = self
                .try_get(url, range, Purpose::Metadata, repo, traffic)
                .and_then(|mut answer| {
                    let mut bytes = Vec::new();
                    // Read before the body: reqwest's length is what is left to read.
                    let announced = answer.response.content_length();
                    let total = answer.total_size();
                    answer
                        .copy_to(&mut bytes, cap, traffic, &|_| {})
                        .map_err(|e| Failure::Retry(short_body(&e, bytes.len(), announced)))?;
                    Ok(Fetched {
                        total,
                        partial: answer.partial(),
                        bytes,
                    })
                });
            match outcome {
                Ok(f) => return Ok(f),
                Err(Failure::Final(e)) => return Err(e),
                Err(Failure::Retry(why)) if attempt >= attempts => {
                    return Err(self.give_up(url, why, attempts, Purpose::Metadata))
                }
                Err(Failure::Retry(_)) => {
                    std::thread::sleep(backoff(attempt));
                    attempt += 1;
                }
            }
        }
    }

    fn try_get(
        &self,
        url: &str,
        range: Option<(u64, Option<u64>)>,
        purpose: Purpose,
        repo: &str,
        traffic: &Traffic,
    ) -> Result<Answer<'_>, Failure> {
        let permit = self.limiter.acquire();
        let mut request = self.http.get(url).timeout(self.timeout(purpose));
        if let Some((start, end)) = range {
            let value = match end {
                Some(end) => format!("bytes={start}-{end}"),
                None => format!("bytes={start}-"),
            };
            request = request.header(RANGE, value);
        }
        if let Some(token) = &self.config.token {
            // Only to the endpoint; reqwest drops it on a redirect to
            // another host (the Hub's LFS CDN needs none).
            if url.starts_with(&self.config.endpoint) {
                request = request.header(AUTHORIZATION, format!("Bearer {token}"));
            }
        }
        traffic.requests.fetch_add(1, Ordering::Relaxed);
        let response = request.send().map_err(|e| {
            if e.is_timeout() {
                Failure::Retry(Retryable::Timeout)
            } else {
                Failure::Retry(Retryable::Transport(error_chain(&e)))
            }
        })?;
        // A redirect (the Hub sends LFS files to its CDN) was one more request.
        if reqwest::Url::parse(url).is_ok_and(|asked| &asked != response.url()) {
            traffic.requests.fetch_add(1, Ordering::Relaxed);
        }
        let status = response.status();
        if status.is_success() {
            return Ok(Answer {
                response,
                url: url.to_string(),
                _permit: permit,
            });
        }
        let message = hub_message(&response);
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            return Err(Failure::Retry(Retryable::Status(
                status_text(status),
                message,
            )));
        }
        Err(Failure::Final(self.status_error(url, &response, repo)))
    }

    fn timeout(&self, purpose: Purpose) -> Duration {
        match purpose {
            Purpose::Metadata => self.config.metadata_timeout,
            Purpose::Download => self.config.download_timeout,
        }
    }

    fn give_up(&self, url: &str, why: Retryable, attempts: u32, purpose: Purpose) -> HubError {
        match why {
            Retryable::Timeout => HubError::Timeout {
                url: url.to_string(),
                seconds: format!("{}", self.timeout(purpose).as_secs_f64()),
                attempts,
                variable: match purpose {
                    Purpose::Metadata => "HF_HUB_ETAG_TIMEOUT",
                    Purpose::Download => "HF_HUB_DOWNLOAD_TIMEOUT",
                },
            },
            Retryable::Transport(message) => HubError::Transport {
                url: url.to_string(),
                attempts,
                message,
            },
            Retryable::Short(got, announced, silent) => HubError::BadResponse {
                url: url.to_string(),
                message: format!(
                    "the server answered, but the body {} after {got} of the {announced} bytes its Content-Length announced (tried {attempts} times): the body is shorter than announced",
                    if silent {
                        format!(
                            "went silent for {} s",
                            self.timeout(purpose).as_secs_f64()
                        )
                    } else {
                        "ended".to_string()
                    }
                ),
            },
            Retryable::Status(status, message) => HubError::Status {
                url: url.to_string(),
                status,
                message,
                retried: format!(" (tried {attempts} times)"),
            },
        }
    }

    /// The error for an unsuccessful answer that retrying will not change.
    fn status_error(&self, url: &str, response: &Response, repo: &str) -> HubError {
        let status = response.status();
        let message = hub_message(response);
        let code = response
            .headers()
            .get("x-error-code")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let page = self.config.repo_page(repo);
        let private_hint = if self.config.token.is_none() {
            " (a private repo needs HF_TOKEN)"
        } else {
            ""
        };
        match status {
            StatusCode::NOT_FOUND => HubError::NotFound {
                url: url.to_string(),
                status: status_text(status),
                message,
                what: match code.as_str() {
                    "RevisionNotFound" => {
                        format!("`{repo}` has no such revision: check the name after @ or --revision")
                    }
                    "EntryNotFound" => format!("the file is not in `{repo}` at this revision"),
                    _ if url.contains("/api/models/") => format!(
                        "no model `{repo}` at this revision on {}: check the name and the revision{private_hint}",
                        self.config.endpoint
                    ),
                    _ => format!("the file is not in `{repo}` at this revision"),
                },
            },
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN if code == "RepoNotFound" => {
                HubError::NotFound {
                    url: url.to_string(),
                    status: status_text(status),
                    message,
                    what: format!(
                        "no model `{repo}` on {} that this token can see: check the name{private_hint}",
                        self.config.endpoint
                    ),
                }
            }
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => HubError::Unauthorized {
                url: url.to_string(),
                status: status_text(status),
                repo: repo.to_string(),
                message,
                advice: match &self.config.token_source {
                    None => format!(
                        "Accept its terms on {page} (signed in), then set HF_TOKEN to an access token of that account (or log in with `hf auth login`)"
                    ),
                    Some(source) => format!(
                        "The token from {source} was sent but gives no access: accept the terms on {page} with the account it belongs to, or set HF_TOKEN to a token that can read it"
                    ),
                },
            },
            _ => HubError::Status {
                url: url.to_string(),
                status: status_text(status),
                message,
                retried: String::new(),
            },
        }
    }
}

/// `401 Unauthorized`.
fn status_text(status: StatusCode) -> String {
    format!(
        "{} {}",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    )
    .trim()
    .to_string()
}

/// ` (Hub: <X-Error-Message>)`, or empty.
fn hub_message(response: &Response) -> String {
    response
        .headers()
        .get("x-error-message")
        .and_then(|v| v.to_str().ok())
        .map(|m| format!(" (Hub: {})", m.trim()))
        .unwrap_or_default()
}

/// 250 ms, 500 ms, 1 s, ... capped at 4 s.
fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(250u64.saturating_mul(1 << attempt.saturating_sub(1).min(4)))
}

/// A body read that failed: a timeout, or a broken connection.
fn classify_io(e: &std::io::Error) -> Retryable {
    let timed_out = e.kind() == std::io::ErrorKind::TimedOut
        || e.get_ref()
            .and_then(|inner| inner.downcast_ref::<reqwest::Error>())
            .is_some_and(|r| r.is_timeout());
    if timed_out {
        Retryable::Timeout
    } else {
        Retryable::Transport(e.to_string())
    }
}

/// A body read that failed: when fewer bytes came than the answer's
/// `Content-Length` announced, that is what happened (the server did
/// answer); else a timeout or a broken connection.
fn short_body(e: &std::io::Error, got: usize, announced: Option<u64>) -> Retryable {
    let why = classify_io(e);
    match announced {
        Some(n) if (got as u64) < n => {
            Retryable::Short(got as u64, n, matches!(why, Retryable::Timeout))
        }
        _ => why,
    }
}

/// Whether an I/O error from a body read is a timeout.
pub fn is_timeout(e: &std::io::Error) -> bool {
    matches!(classify_io(e), Retryable::Timeout)
}

/// An error with its causes, `a: b: c`.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_encoded_per_segment() {
        let client = HubClient::new(HubConfig::from_vars(|k| {
            (k == "HF_ENDPOINT").then(|| "http://127.0.0.1:9".to_string())
        }))
        .expect("client");
        assert_eq!(
            client.listing_url("org/name", "refs/pr/1"),
            "http://127.0.0.1:9/api/models/org/name/revision/refs%2Fpr%2F1?blobs=true"
        );
        assert_eq!(
            client.file_url("org/name", "abc", "sub dir/a+b.json"),
            "http://127.0.0.1:9/org/name/resolve/abc/sub%20dir/a%2Bb.json"
        );
    }

    #[test]
    fn backoff_is_bounded() {
        assert_eq!(backoff(1), Duration::from_millis(250));
        assert_eq!(backoff(2), Duration::from_millis(500));
        assert_eq!(backoff(40), Duration::from_secs(4));
    }

    #[test]
    fn the_limiter_bounds_permits() {
        let limiter = Limiter {
            busy: Mutex::new(0),
            freed: Condvar::new(),
            max: 2,
        };
        let peak = AtomicU64::new(0);
        let now = AtomicU64::new(0);
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    let _p = limiter.acquire();
                    let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(n, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(5));
                    now.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        assert!(peak.load(Ordering::SeqCst) <= 2);
        assert_eq!(*limiter.busy.lock().expect("lock"), 0);
    }
}
