//! How to reach the Hub, read from the environment as the Hugging Face tools
//! read it: `HF_ENDPOINT`, `HF_TOKEN` (else the token file), `HF_HUB_OFFLINE`,
//! `HF_HUB_ETAG_TIMEOUT`, `HF_HUB_DOWNLOAD_TIMEOUT`; `MRI_HUB_CONNECTIONS`
//! bounds the requests in flight.

use std::path::PathBuf;
use std::time::Duration;

/// The public Hub.
pub const DEFAULT_ENDPOINT: &str = "https://huggingface.co";
/// Requests in flight at once, over all targets of one run.
pub const DEFAULT_CONNECTIONS: usize = 8;
/// Seconds to wait for metadata answers (listing, headers, small files).
pub const DEFAULT_METADATA_TIMEOUT: f64 = 10.0;
/// Seconds a download may stall before it is retried.
pub const DEFAULT_DOWNLOAD_TIMEOUT: f64 = 30.0;
/// Attempts per request (the first one and the retries).
pub const DEFAULT_ATTEMPTS: u32 = 3;

/// Settings of the Hub client.
#[derive(Clone, PartialEq, Eq)]
pub struct HubConfig {
    /// Base URL, without a trailing `/` (`HF_ENDPOINT`).
    pub endpoint: String,
    /// Access token sent as `Authorization: Bearer` to the endpoint.
    pub token: Option<String>,
    /// Where the token came from (`HF_TOKEN` or the token file), for messages.
    pub token_source: Option<String>,
    /// Use the cache only (`HF_HUB_OFFLINE`).
    pub offline: bool,
    /// Wait for a metadata answer, and between body reads (`HF_HUB_ETAG_TIMEOUT`).
    pub metadata_timeout: Duration,
    /// Wait between body reads of a download (`HF_HUB_DOWNLOAD_TIMEOUT`).
    pub download_timeout: Duration,
    /// Requests in flight at once (`MRI_HUB_CONNECTIONS`).
    pub connections: usize,
    /// Attempts per request, retries included.
    pub attempts: u32,
}

impl std::fmt::Debug for HubConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HubConfig")
            .field("endpoint", &self.endpoint)
            .field("token", &self.token.as_ref().map(|_| "<set>"))
            .field("token_source", &self.token_source)
            .field("offline", &self.offline)
            .field("metadata_timeout", &self.metadata_timeout)
            .field("download_timeout", &self.download_timeout)
            .field("connections", &self.connections)
            .field("attempts", &self.attempts)
            .finish()
    }
}

impl HubConfig {
    /// The settings from the process environment.
    pub fn from_env() -> Self {
        Self::from_vars(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Like [`HubConfig::from_env`] with the variables read through `var`.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Self {
        let endpoint = var("HF_ENDPOINT")
            .map(|e| e.trim().trim_end_matches('/').to_string())
            .unwrap_or_else(|| DEFAULT_ENDPOINT.to_string());
        let (token, token_source) = match var("HF_TOKEN").or_else(|| var("HUGGING_FACE_HUB_TOKEN"))
        {
            Some(t) => (Some(t.trim().to_string()), Some("HF_TOKEN".to_string())),
            None => {
                let path = token_path(&var);
                match read_token(&path) {
                    Some(t) => (Some(t), Some(path.display().to_string())),
                    None => (None, None),
                }
            }
        };
        let seconds = |name: &str, default: f64| {
            let s = var(name)
                .and_then(|v| v.trim().parse::<f64>().ok())
                .filter(|s| s.is_finite() && *s > 0.0)
                .unwrap_or(default);
            Duration::from_secs_f64(s.min(86_400.0))
        };
        HubConfig {
            endpoint,
            token,
            token_source,
            offline: var("HF_HUB_OFFLINE").is_some_and(|v| truthy(&v)),
            metadata_timeout: seconds("HF_HUB_ETAG_TIMEOUT", DEFAULT_METADATA_TIMEOUT),
            download_timeout: seconds("HF_HUB_DOWNLOAD_TIMEOUT", DEFAULT_DOWNLOAD_TIMEOUT),
            connections: var("MRI_HUB_CONNECTIONS")
                .and_then(|v| v.trim().parse::<usize>().ok())
                .filter(|n| *n > 0)
                .unwrap_or(DEFAULT_CONNECTIONS)
                .min(64),
            attempts: DEFAULT_ATTEMPTS,
        }
    }

    /// The repository's page on the Hub (where its terms are accepted).
    pub fn repo_page(&self, repo: &str) -> String {
        format!("{}/{repo}", self.endpoint)
    }
}

/// `1`, `true`, `yes`, `on` (any case), as `huggingface_hub` reads booleans.
fn truthy(v: &str) -> bool {
    matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "1" | "true" | "yes" | "on"
    )
}

/// `HF_TOKEN_PATH`, else `HF_HOME/token`, else `~/.cache/huggingface/token`.
fn token_path(var: &impl Fn(&str) -> Option<String>) -> PathBuf {
    if let Some(p) = var("HF_TOKEN_PATH") {
        return PathBuf::from(p);
    }
    let home = var("HF_HOME").map(PathBuf::from).unwrap_or_else(|| {
        var("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| var("HOME").map(|h| PathBuf::from(h).join(".cache")))
            .unwrap_or_else(|| PathBuf::from(".cache"))
            .join("huggingface")
    });
    // hf-hub's cache knows the token file's place relative to its hub folder.
    hf_hub::Cache::new(home.join("hub")).token_path()
}

/// The token in `path`, trimmed; `None` when absent or empty.
fn read_token(path: &std::path::Path) -> Option<String> {
    let text = crate::util::fs::read_regular_to_string(path).ok()?;
    let t = text.trim();
    (!t.is_empty()).then(|| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn defaults_and_overrides() {
        let c = HubConfig::from_vars(vars(&[("HOME", "/nonexistent-home")]));
        assert_eq!(c.endpoint, DEFAULT_ENDPOINT);
        assert!(!c.offline);
        assert_eq!(c.token, None);
        assert_eq!(c.connections, DEFAULT_CONNECTIONS);
        let c = HubConfig::from_vars(vars(&[
            ("HF_ENDPOINT", "http://127.0.0.1:9/"),
            ("HF_TOKEN", " hf_abc \n"),
            ("HF_HUB_OFFLINE", "True"),
            ("HF_HUB_ETAG_TIMEOUT", "0.5"),
            ("MRI_HUB_CONNECTIONS", "2"),
        ]));
        assert_eq!(c.endpoint, "http://127.0.0.1:9");
        assert_eq!(c.token.as_deref(), Some("hf_abc"));
        assert!(c.offline);
        assert_eq!(c.metadata_timeout, Duration::from_millis(500));
        assert_eq!(c.connections, 2);
        assert!(
            !format!("{c:?}").contains("hf_abc"),
            "the token is never printed"
        );
    }

    #[test]
    fn token_file_under_hf_home() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("token"), "hf_file\n").expect("write");
        let home = dir.path().to_string_lossy().into_owned();
        let c = HubConfig::from_vars(vars(&[("HF_HOME", &home)]));
        assert_eq!(c.token.as_deref(), Some("hf_file"));
        // HF_TOKEN wins over the file.
        let c = HubConfig::from_vars(vars(&[("HF_HOME", &home), ("HF_TOKEN", "hf_env")]));
        assert_eq!(c.token.as_deref(), Some("hf_env"));
        assert!(!truthy("0") && truthy("yes") && !truthy("off"));
    }
}
