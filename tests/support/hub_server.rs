//! A small HTTP server on 127.0.0.1 that serves model folders in the Hugging
//! Face Hub's URL shape, for the remote tests and the loopback benchmark:
//!
//! - `GET /api/models/{org}/{name}/revision/{rev}[?blobs=true]`: `sha` and
//!   `siblings` (with `size`, `blobId` and `lfs {sha256, size, pointerSize}`
//!   when `blobs=true`);
//! - `GET|HEAD /{org}/{name}/resolve/{rev}/{path}`: plain files with `ETag`
//!   and `X-Repo-Commit`; LFS files (weights) answered `302` to a CDN-like
//!   path on the same server with `X-Linked-Etag` and `X-Linked-Size`;
//! - `GET|HEAD /cdn/{org}/{name}/{commit}/{path}`: the content;
//! - `GET|HEAD /datasets/{org}/{name}/resolve/{rev}/{path}`: a dataset repo's
//!   plain files (served as the repo `datasets/{org}/{name}`);
//! - `Range: bytes=a-b`, `a-` and `-n` answered `206` with `Content-Range`;
//! - a gated repo (`401`, `X-Error-Code: GatedRepo` unless the right
//!   `Authorization: Bearer` comes), a missing one (`404 RepoNotFound`), one
//!   whose listing stalls, one whose listing fails with `503` a few times,
//!   and one whose first full download is cut short.
//!
//! It also answers as an HTTP proxy would (absolute-form request targets).
//! It counts the body bytes served, logs every request, and records the
//! most requests in flight at once. Dropping it stops it.
#![allow(dead_code)]

use sha1::{Digest as _, Sha1};
use sha2::Sha256;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Files with these extensions are served as LFS files (redirected, sha256).
const LFS_EXTENSIONS: &[&str] = &["safetensors", "bin", "gguf", "onnx", "pt", "pth", "model"];
/// Real sha256 for LFS files up to this size; above it (sparse checkpoints of
/// hundreds of GB) a stand-in derived from the path and size.
const HASH_LIMIT: u64 = 64 * 1024 * 1024;

/// How one served repository behaves.
#[derive(Debug, Clone)]
pub struct RepoSpec {
    /// `org/name`.
    pub id: String,
    /// The folder whose files it serves.
    pub dir: PathBuf,
    /// When set, file requests need `Authorization: Bearer <this>`.
    pub gated_token: Option<String>,
    /// The listing never answers (until the server stops).
    pub stall: bool,
    /// The first N listing requests get `503`.
    pub fail_listing: u32,
    /// The first full (non-Range) download of an LFS file stops after N bytes.
    pub cut_first_download_at: Option<u64>,
}

impl RepoSpec {
    /// A plain public repo serving `dir`.
    pub fn new(id: &str, dir: &Path) -> Self {
        RepoSpec {
            id: id.to_string(),
            dir: dir.to_path_buf(),
            gated_token: None,
            stall: false,
            fail_listing: 0,
            cut_first_download_at: None,
        }
    }
}

/// One logged request.
#[derive(Debug, Clone)]
pub struct Logged {
    /// `GET` or `HEAD`.
    pub method: String,
    /// The path and query as sent.
    pub target: String,
    /// The `Range` header.
    pub range: Option<String>,
    /// The `Authorization` header.
    pub authorization: Option<String>,
    /// The status answered.
    pub status: u16,
    /// Body bytes sent.
    pub body_bytes: u64,
}

#[derive(Debug, Clone)]
struct ServedFile {
    path: String,
    size: u64,
    blob_id: String,
    lfs_sha256: Option<String>,
}

struct ServedRepo {
    spec: RepoSpec,
    commit: String,
    files: Vec<ServedFile>,
    listing_failures: AtomicU32,
    cut_done: AtomicBool,
}

struct State {
    repos: Vec<ServedRepo>,
    base: String,
    bytes: AtomicU64,
    in_flight: AtomicUsize,
    peak: AtomicUsize,
    latency_ms: AtomicU64,
    stop: AtomicBool,
    log: Mutex<Vec<Logged>>,
    streams: Mutex<Vec<TcpStream>>,
}

/// The running server.
pub struct HubServer {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    state: Arc<State>,
    accept: Option<JoinHandle<()>>,
}

impl HubServer {
    /// Starts serving `repos` on an ephemeral port of 127.0.0.1.
    pub fn start(repos: Vec<RepoSpec>) -> std::io::Result<HubServer> {
        Self::start_on("127.0.0.1:0", repos)
    }

    /// Starts serving `repos` on `addr` (the benchmark picks its port).
    pub fn start_on(addr: &str, repos: Vec<RepoSpec>) -> std::io::Result<HubServer> {
        let listener = TcpListener::bind(addr)?;
        let local = listener.local_addr()?;
        let base = format!("http://{local}");
        let mut served = Vec::new();
        for spec in repos {
            let files = list_files(&spec.dir)?;
            let commit = hex(&Sha1::digest(
                format!("{}:{}", spec.id, files.len()).as_bytes(),
            ));
            served.push(ServedRepo {
                listing_failures: AtomicU32::new(spec.fail_listing),
                cut_done: AtomicBool::new(false),
                spec,
                commit,
                files,
            });
        }
        let state = Arc::new(State {
            repos: served,
            base: base.clone(),
            bytes: AtomicU64::new(0),
            in_flight: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
            latency_ms: AtomicU64::new(0),
            stop: AtomicBool::new(false),
            log: Mutex::new(Vec::new()),
            streams: Mutex::new(Vec::new()),
        });
        let accept_state = Arc::clone(&state);
        let accept = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if accept_state.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                // Head and body go out at once, as a real server sends them
                // (no Nagle delay between the two writes).
                let _ = stream.set_nodelay(true);
                if let Ok(clone) = stream.try_clone() {
                    if let Ok(mut streams) = accept_state.streams.lock() {
                        streams.push(clone);
                    }
                }
                let conn_state = Arc::clone(&accept_state);
                std::thread::spawn(move || serve_connection(stream, &conn_state));
            }
        });
        Ok(HubServer {
            url: base,
            state,
            accept: Some(accept),
        })
    }

    /// The commit a served repo's `main` points to.
    pub fn commit(&self, id: &str) -> String {
        self.repo(id).commit.clone()
    }

    /// The LFS sha256 (or git blob id) under which the Hub lists `path`.
    pub fn etag(&self, id: &str, path: &str) -> String {
        let f = self
            .repo(id)
            .files
            .iter()
            .find(|f| f.path == path)
            .expect("served file");
        f.lfs_sha256.clone().unwrap_or_else(|| f.blob_id.clone())
    }

    fn repo(&self, id: &str) -> &ServedRepo {
        self.state
            .repos
            .iter()
            .find(|r| r.spec.id == id)
            .expect("served repo")
    }

    /// Body bytes served so far.
    pub fn bytes_served(&self) -> u64 {
        self.state.bytes.load(Ordering::SeqCst)
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Logged> {
        self.state.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Makes every request wait `d` before it is answered.
    pub fn set_latency(&self, d: Duration) {
        self.state
            .latency_ms
            .store(d.as_millis() as u64, Ordering::SeqCst);
    }

    /// The most requests that were in flight at once (from the request's
    /// arrival to the start of its answer, so that a client which moved on
    /// is never counted twice).
    pub fn peak_in_flight(&self) -> usize {
        self.state.peak.load(Ordering::SeqCst)
    }

    /// Stops accepting, closes every connection and waits for the acceptor.
    pub fn stop(&mut self) {
        if self.state.stop.swap(true, Ordering::SeqCst) {
            return;
        }
        if let Ok(streams) = self.state.streams.lock() {
            for s in streams.iter() {
                let _ = s.shutdown(Shutdown::Both);
            }
        }
        // Wake the acceptor.
        let _ = TcpStream::connect(self.url.trim_start_matches("http://"));
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
    }
}

impl Drop for HubServer {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Every file under `dir`, with the ids the Hub would give it.
fn list_files(dir: &Path) -> std::io::Result<Vec<ServedFile>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d)? {
            let e = e?;
            let p = e.path();
            let meta = std::fs::metadata(&p)?;
            if meta.is_dir() {
                stack.push(p);
                continue;
            }
            let rel = p
                .strip_prefix(dir)
                .map_err(|e| std::io::Error::other(e.to_string()))?
                .to_string_lossy()
                .replace('\\', "/");
            let size = meta.len();
            let ext = rel.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
            let lfs = LFS_EXTENSIONS.contains(&ext);
            let (blob_id, lfs_sha256) = if lfs {
                let sha = if size <= HASH_LIMIT {
                    hex(&Sha256::digest(std::fs::read(&p)?))
                } else {
                    hex(&Sha256::digest(format!("stand-in:{rel}:{size}").as_bytes()))
                };
                let pointer = format!(
                    "version https://git-lfs.github.com/spec/v1\noid sha256:{sha}\nsize {size}\n"
                );
                (git_blob(pointer.as_bytes()), Some(sha))
            } else {
                (git_blob(&std::fs::read(&p)?), None)
            };
            out.push(ServedFile {
                path: rel,
                size,
                blob_id,
                lfs_sha256,
            });
        }
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

fn git_blob(content: &[u8]) -> String {
    let mut h = Sha1::new();
    h.update(format!("blob {}\0", content.len()).as_bytes());
    h.update(content);
    hex(&h.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(v) = u8::from_str_radix(hex, 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A parsed request head.
struct Request {
    method: String,
    target: String,
    headers: HashMap<String, String>,
}

fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).ok()? == 0 {
            return None;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
        }
    }
    Some(Request {
        method,
        target,
        headers,
    })
}

/// What to send back.
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Body,
}

enum Body {
    Empty,
    Bytes(Vec<u8>),
    /// `len` bytes of `path` from `offset`; stop after `cut` bytes (then close).
    File {
        path: PathBuf,
        offset: u64,
        len: u64,
        cut: Option<u64>,
    },
}

impl Reply {
    fn new(status: u16) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            body: Body::Empty,
        }
    }
    fn header(mut self, k: &str, v: impl Into<String>) -> Self {
        self.headers.push((k.to_string(), v.into()));
        self
    }
    fn json(self, value: &serde_json::Value) -> Self {
        let mut r = self.header("Content-Type", "application/json");
        r.body = Body::Bytes(value.to_string().into_bytes());
        r
    }
    fn error(status: u16, code: &str, message: &str) -> Self {
        Reply::new(status)
            .header("X-Error-Code", code)
            .header("X-Error-Message", message)
            .json(&serde_json::json!({ "error": message }))
    }
}

fn serve_connection(stream: TcpStream, state: &State) {
    let Ok(write_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    let mut out = write_half;
    while !state.stop.load(Ordering::SeqCst) {
        let Some(req) = read_request(&mut reader) else {
            return;
        };
        let now = state.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        state.peak.fetch_max(now, Ordering::SeqCst);
        let latency = state.latency_ms.load(Ordering::SeqCst);
        if latency > 0 {
            std::thread::sleep(Duration::from_millis(latency));
        }
        let reply = route(&req, state);
        state.in_flight.fetch_sub(1, Ordering::SeqCst);
        let head_only = req.method == "HEAD";
        let (sent, keep) = send(&mut out, reply, head_only, state);
        if let Ok(mut log) = state.log.lock() {
            log.push(Logged {
                method: req.method.clone(),
                target: req.target.clone(),
                range: req.headers.get("range").cloned(),
                authorization: req.headers.get("authorization").cloned(),
                status: sent.0,
                body_bytes: sent.1,
            });
        }
        if !keep {
            let _ = out.shutdown(Shutdown::Both);
            return;
        }
    }
}

/// Writes the reply; returns (status, body bytes) and whether to keep the
/// connection.
fn send(out: &mut TcpStream, reply: Reply, head_only: bool, state: &State) -> ((u16, u64), bool) {
    let len = match &reply.body {
        Body::Empty => 0,
        Body::Bytes(b) => b.len() as u64,
        Body::File { len, .. } => *len,
    };
    let reason = match reply.status {
        200 => "OK",
        206 => "Partial Content",
        302 => "Found",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        416 => "Range Not Satisfiable",
        503 => "Service Unavailable",
        _ => "Status",
    };
    let mut head = format!("HTTP/1.1 {} {reason}\r\n", reply.status);
    for (k, v) in &reply.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str(&format!("Content-Length: {len}\r\n\r\n"));
    let mut out = std::io::BufWriter::with_capacity(256 * 1024, out);
    if out.write_all(head.as_bytes()).is_err() {
        return ((reply.status, 0), false);
    }
    if head_only {
        return ((reply.status, 0), out.flush().is_ok());
    }
    let mut sent = 0u64;
    let ok = match reply.body {
        Body::Empty => true,
        Body::Bytes(b) => {
            let ok = out.write_all(&b).is_ok();
            if ok {
                sent = b.len() as u64;
            }
            ok
        }
        Body::File {
            path,
            offset,
            len,
            cut,
        } => {
            let limit = cut.map_or(len, |c| c.min(len));
            match copy_file(&mut out, &path, offset, limit) {
                Ok(n) => {
                    sent = n;
                    cut.is_none()
                }
                Err(_) => false,
            }
        }
    };
    let flushed = out.flush().is_ok();
    state.bytes.fetch_add(sent, Ordering::SeqCst);
    ((reply.status, sent), ok && flushed)
}

fn copy_file(out: &mut impl Write, path: &Path, offset: u64, len: u64) -> std::io::Result<u64> {
    let mut f = std::fs::File::open(path)?;
    f.seek(SeekFrom::Start(offset))?;
    let mut f = f.take(len);
    let mut buf = vec![0u8; 256 * 1024];
    let mut sent = 0u64;
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            return Ok(sent);
        }
        out.write_all(&buf[..n])?;
        sent += n as u64;
    }
}

fn route(req: &Request, state: &State) -> Reply {
    if req.method != "GET" && req.method != "HEAD" {
        return Reply::new(405);
    }
    // A request through a proxy names the whole URL (`GET http://host/path`).
    let target = match req.target.strip_prefix("http://") {
        Some(rest) => rest.find('/').map_or("/", |i| &rest[i..]),
        None => req.target.as_str(),
    };
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    if let Some(rest) = path.strip_prefix("/api/models/") {
        return listing(rest, query, state);
    }
    if let Some(rest) = path.strip_prefix("/cdn/") {
        return cdn(rest, req, state);
    }
    // A dataset repo is served under the id `datasets/ORG/NAME`.
    if let Some(rest) = path.strip_prefix("/datasets/") {
        return resolve_in(rest, "datasets/", req, state);
    }
    resolve(path, req, state)
}

fn find_repo<'a>(state: &'a State, id: &str) -> Option<&'a ServedRepo> {
    state.repos.iter().find(|r| r.spec.id == id)
}

fn listing(rest: &str, query: &str, state: &State) -> Reply {
    let Some((id, rev)) = rest.split_once("/revision/") else {
        return Reply::error(404, "RepoNotFound", "Repository not found");
    };
    let rev = percent_decode(rev);
    let Some(repo) = find_repo(state, id) else {
        return Reply::error(404, "RepoNotFound", "Repository not found");
    };
    if repo.spec.stall {
        let start = Instant::now();
        while !state.stop.load(Ordering::SeqCst) && start.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(20));
        }
        return Reply::error(503, "Stalled", "stalled");
    }
    if repo
        .listing_failures
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok()
    {
        return Reply::error(503, "Unavailable", "try again");
    }
    if rev != "main" && rev != repo.commit {
        return Reply::error(404, "RevisionNotFound", "Invalid rev id");
    }
    let blobs = query.split('&').any(|p| p == "blobs=true");
    let siblings: Vec<serde_json::Value> = repo
        .files
        .iter()
        .map(|f| {
            if !blobs {
                return serde_json::json!({ "rfilename": f.path });
            }
            let mut v = serde_json::json!({
                "rfilename": f.path,
                "blobId": f.blob_id,
                "size": f.size,
            });
            if let Some(sha) = &f.lfs_sha256 {
                v["lfs"] = serde_json::json!({ "sha256": sha, "size": f.size, "pointerSize": 134 });
            }
            v
        })
        .collect();
    Reply::new(200).json(&serde_json::json!({
        "_id": "0000",
        "id": repo.spec.id,
        "modelId": repo.spec.id,
        "sha": repo.commit,
        "private": false,
        "gated": if repo.spec.gated_token.is_some() { serde_json::json!("manual") } else { serde_json::json!(false) },
        "siblings": siblings,
    }))
}

/// `/{org}/{name}/resolve/{rev}/{path}`.
fn resolve(path: &str, req: &Request, state: &State) -> Reply {
    resolve_in(path, "", req, state)
}

/// `{org}/{name}/resolve/{rev}/{path}` of the repo `{prefix}{org}/{name}`.
fn resolve_in(path: &str, prefix: &str, req: &Request, state: &State) -> Reply {
    let parts: Vec<&str> = path.trim_start_matches('/').splitn(5, '/').collect();
    let [org, name, "resolve", rev, file] = parts.as_slice() else {
        return Reply::error(404, "RepoNotFound", "Repository not found");
    };
    let id = format!("{prefix}{org}/{name}");
    let Some(repo) = find_repo(state, &id) else {
        return Reply::error(404, "RepoNotFound", "Repository not found");
    };
    if let Some(token) = &repo.spec.gated_token {
        let sent = req.headers.get("authorization").map(String::as_str);
        if sent != Some(format!("Bearer {token}").as_str()) {
            return Reply::error(
                401,
                "GatedRepo",
                &format!("Access to model {id} is restricted. You must have access to it and be authenticated to access it. Please log in."),
            );
        }
    }
    let rev = percent_decode(rev);
    if rev != "main" && rev != repo.commit {
        return Reply::error(404, "RevisionNotFound", "Invalid rev id");
    }
    let file_path = percent_decode(file);
    let Some(f) = repo.files.iter().find(|f| f.path == file_path) else {
        return Reply::error(404, "EntryNotFound", "Entry not found");
    };
    match &f.lfs_sha256 {
        Some(sha) => Reply::new(302)
            .header(
                "Location",
                format!("{}/cdn/{id}/{}/{file}", state.base, repo.commit),
            )
            .header("X-Repo-Commit", repo.commit.clone())
            .header("X-Linked-Etag", format!("\"{sha}\""))
            .header("X-Linked-Size", f.size.to_string())
            .header("ETag", format!("\"{}\"", f.blob_id)),
        None => content(repo, f, req, false)
            .header("X-Repo-Commit", repo.commit.clone())
            .header("ETag", format!("\"{}\"", f.blob_id)),
    }
}

/// `/cdn/{org}/{name}/{commit}/{path}`.
fn cdn(rest: &str, req: &Request, state: &State) -> Reply {
    let parts: Vec<&str> = rest.splitn(4, '/').collect();
    let [org, name, commit, file] = parts.as_slice() else {
        return Reply::new(404);
    };
    let Some(repo) = find_repo(state, &format!("{org}/{name}")) else {
        return Reply::new(404);
    };
    let file_path = percent_decode(file);
    match repo.files.iter().find(|f| f.path == file_path) {
        Some(f) if *commit == repo.commit => {
            let sha = f.lfs_sha256.clone().unwrap_or_default();
            content(repo, f, req, true).header("ETag", format!("\"{sha}\""))
        }
        _ => Reply::new(404),
    }
}

/// The file's bytes, honouring `Range`.
fn content(repo: &ServedRepo, f: &ServedFile, req: &Request, cuttable: bool) -> Reply {
    let path = repo.spec.dir.join(&f.path);
    let size = f.size;
    let range = req.headers.get("range").and_then(|r| parse_range(r, size));
    match (req.headers.get("range"), range) {
        (Some(_), None) => Reply::new(416).header("Content-Range", format!("bytes */{size}")),
        (Some(_), Some((start, end))) => {
            let mut r = Reply::new(206)
                .header("Accept-Ranges", "bytes")
                .header("Content-Range", format!("bytes {start}-{end}/{size}"));
            r.body = Body::File {
                path,
                offset: start,
                len: end - start + 1,
                cut: None,
            };
            r
        }
        (None, _) => {
            let cut = if cuttable && req.method == "GET" {
                repo.spec
                    .cut_first_download_at
                    .filter(|_| !repo.cut_done.swap(true, Ordering::SeqCst))
            } else {
                None
            };
            let mut r = Reply::new(200).header("Accept-Ranges", "bytes");
            r.body = Body::File {
                path,
                offset: 0,
                len: size,
                cut,
            };
            r
        }
    }
}

/// `bytes=a-b`, `bytes=a-`, `bytes=-n` → inclusive `(start, end)` within `size`.
fn parse_range(value: &str, size: u64) -> Option<(u64, u64)> {
    let spec = value.trim().strip_prefix("bytes=")?;
    let (a, b) = spec.split_once('-')?;
    if size == 0 {
        return None;
    }
    let (start, end) = if a.is_empty() {
        let n: u64 = b.parse().ok()?;
        (size.saturating_sub(n), size - 1)
    } else {
        let start: u64 = a.parse().ok()?;
        let end = if b.is_empty() {
            size - 1
        } else {
            b.parse::<u64>().ok()?.min(size - 1)
        };
        (start, end)
    };
    (start <= end && start < size).then_some((start, end))
}

// ---------------------------------------------------------------------------
// A hostile server: canned answers per request path, some of them lying
// about their length (for the tests of `hf://` under hostile input).

/// How the hostile server answers one request.
#[derive(Debug, Clone)]
pub enum Hostile {
    /// A well-formed answer (`Content-Length` is the body's).
    Normal {
        /// Status code.
        status: u16,
        /// The body.
        body: Vec<u8>,
    },
    /// `Content-Length: announced`, then `body` (shorter or longer); then
    /// the connection is held open without a byte more until the server
    /// stops (`close: false`) or closed at once (`close: true`).
    WrongLength {
        /// What `Content-Length` says.
        announced: u64,
        /// What is sent.
        body: Vec<u8>,
        /// Close right after the body.
        close: bool,
    },
    /// `200` without `Content-Length`, `Connection: close`, then bytes
    /// without end (until the client hangs up or the server stops).
    Endless,
    /// `404`.
    Missing,
}

/// A server on 127.0.0.1 that answers each request path (query dropped)
/// with what `answer` says, and counts the bytes it streamed.
pub struct HostileServer {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    stop: Arc<AtomicBool>,
    streamed: Arc<AtomicU64>,
    accept: Option<JoinHandle<()>>,
}

impl HostileServer {
    /// Starts answering with `answer(path)`.
    pub fn start(
        answer: impl Fn(&str) -> Hostile + Send + Sync + 'static,
    ) -> std::io::Result<HostileServer> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let url = format!("http://{}", listener.local_addr()?);
        let stop = Arc::new(AtomicBool::new(false));
        let streamed = Arc::new(AtomicU64::new(0));
        let answer = Arc::new(answer);
        let (s, n) = (stop.clone(), streamed.clone());
        let accept = std::thread::spawn(move || {
            while !s.load(Ordering::SeqCst) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let _ = stream.set_nonblocking(false);
                        let (s, n, answer) = (s.clone(), n.clone(), answer.clone());
                        std::thread::spawn(move || hostile_connection(stream, &*answer, &s, &n));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Ok(HostileServer {
            url,
            stop,
            streamed,
            accept: Some(accept),
        })
    }

    /// Body bytes streamed so far.
    pub fn streamed(&self) -> u64 {
        self.streamed.load(Ordering::SeqCst)
    }
}

impl Drop for HostileServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
    }
}

fn hostile_connection(
    stream: TcpStream,
    answer: &dyn Fn(&str) -> Hostile,
    stop: &AtomicBool,
    streamed: &AtomicU64,
) {
    let Ok(mut out) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(stream);
    while let Some(req) = read_request(&mut reader) {
        let target = match req.target.strip_prefix("http://") {
            Some(rest) => rest.find('/').map_or("/", |i| &rest[i..]).to_string(),
            None => req.target.clone(),
        };
        let path = target.split_once('?').map_or(target.as_str(), |(p, _)| p);
        let head = |status: u16, extra: &str| {
            format!("HTTP/1.1 {status} Status\r\nContent-Type: application/json\r\n{extra}\r\n")
        };
        match answer(&percent_decode(path)) {
            Hostile::Normal { status, body } => {
                let h = head(status, &format!("Content-Length: {}\r\n", body.len()));
                if out.write_all(h.as_bytes()).is_err() || out.write_all(&body).is_err() {
                    return;
                }
            }
            Hostile::Missing => {
                let h = head(404, "Content-Length: 0\r\nX-Error-Code: EntryNotFound\r\n");
                if out.write_all(h.as_bytes()).is_err() {
                    return;
                }
            }
            Hostile::WrongLength {
                announced,
                body,
                close,
            } => {
                let h = head(200, &format!("Content-Length: {announced}\r\n"));
                let _ = out.write_all(h.as_bytes());
                let _ = out.write_all(&body);
                let _ = out.flush();
                if close {
                    let _ = out.shutdown(Shutdown::Both);
                    return;
                }
                while !stop.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(20));
                }
                return;
            }
            Hostile::Endless => {
                let _ = out.write_all(head(200, "Connection: close\r\n").as_bytes());
                let chunk = vec![b' '; 64 * 1024];
                while !stop.load(Ordering::SeqCst) {
                    if out.write_all(&chunk).is_err() {
                        break;
                    }
                    streamed.fetch_add(chunk.len() as u64, Ordering::SeqCst);
                }
                let _ = out.shutdown(Shutdown::Both);
                return;
            }
        }
    }
}
