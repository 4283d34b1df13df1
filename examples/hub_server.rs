//! Serves model folders in the Hugging Face Hub's URL shape on loopback, for
//! the remote benchmark (`benches/remote_191.sh`); the same server the tests
//! use (`tests/support/hub_server.rs`).
//!
//! ```text
//! cargo run --release --example hub_server -- [--addr 127.0.0.1:0] ORG/NAME=DIR...
//! ```
//!
//! Prints `listening on URL`, then answers each `stats` line on stdin with
//! `bytes=N requests=M` (body bytes served and requests so far); stops when
//! stdin closes.

#[path = "../tests/support/hub_server.rs"]
mod hub_server;

use std::io::BufRead;

fn main() -> std::io::Result<()> {
    let mut addr = "127.0.0.1:0".to_string();
    let mut repos = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--addr" {
            addr = args.next().unwrap_or(addr);
        } else if let Some((id, dir)) = a.split_once('=') {
            repos.push(hub_server::RepoSpec::new(id, std::path::Path::new(dir)));
        } else {
            eprintln!("usage: hub_server [--addr HOST:PORT] ORG/NAME=DIR...");
            std::process::exit(2);
        }
    }
    let server = hub_server::HubServer::start_on(&addr, repos)?;
    println!("listening on {}", server.url);
    for line in std::io::stdin().lock().lines() {
        if line?.trim() == "stats" {
            println!(
                "bytes={} requests={}",
                server.bytes_served(),
                server.requests().len()
            );
        }
    }
    Ok(())
}
