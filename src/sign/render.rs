//! `mri verify --signature` as text.

use super::check::SignatureReport;
use crate::signature::{Signer, SignerHint};

/// The report for people; control characters in file names are shown
/// escaped (see [`crate::util::term::safe`]).
pub fn render_text(r: &SignatureReport) -> String {
    crate::util::term::safe(&render_raw(r))
}

fn short(hex: &str) -> &str {
    &hex[..hex.len().min(16)]
}

fn signer_line(r: &SignatureReport) -> String {
    match (&r.signature.signer, &r.signature.claimed) {
        (Some(Signer::Key { curve, fingerprint }), _) => {
            format!("valid, ECDSA {curve} key sha256:{}", short(fingerprint))
        }
        (
            Some(Signer::Certificate {
                identities,
                issuer,
                chain,
                log,
                ..
            }),
            _,
        ) => format!(
            "valid, certificate {}{}, chain {}{}",
            if identities.is_empty() {
                "(no identity)".to_string()
            } else {
                identities.join(", ")
            },
            issuer
                .as_deref()
                .map(|i| format!(" (issuer {i})"))
                .unwrap_or_default(),
            chain
                .iter()
                .map(|c| if c.is_empty() {
                    "(no subject)"
                } else {
                    c.as_str()
                })
                .collect::<Vec<_>>()
                .join(" <- "),
            log.as_deref()
                .map(|l| format!(", logged in {l}"))
                .unwrap_or_default()
        ),
        (None, Some(SignerHint::Key { fingerprint })) => format!(
            "NOT VALID (signed with key {})",
            fingerprint
                .as_deref()
                .map(|f| format!("sha256:{}", short(f)))
                .unwrap_or_else(|| "unnamed".into())
        ),
        (None, Some(SignerHint::Certificate { identities, .. })) => format!(
            "NOT VALID (certificate claims {})",
            if identities.is_empty() {
                "no identity".to_string()
            } else {
                identities.join(", ")
            }
        ),
        (None, None) => "NOT VALID (unreadable)".into(),
    }
}

fn render_raw(r: &SignatureReport) -> String {
    use crate::util::human::bytes;
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(out, "{}", r.target.root.display());
    let _ = writeln!(out, "  signature  {}: {}", r.signature.path, signer_line(r));
    if let Some(s) = &r.signature.statement {
        let _ = writeln!(
            out,
            "  statement  model-signing v1.0, {} files ({}, {}), subject `{}` sha256:{}",
            s.files,
            s.serialization.method,
            s.serialization.hash_type,
            s.model_name,
            short(&s.root_digest)
        );
    }
    for f in &r.files {
        let status = if f.error.is_some() {
            "UNREADABLE"
        } else if f.checks.iter().all(|c| c.ok) {
            "ok"
        } else {
            "CHANGED"
        };
        let _ = writeln!(
            out,
            "  {:>9}  {}  {:<10}  {}",
            bytes(f.size),
            f.sha256.as_deref().map(short).unwrap_or("—"),
            status,
            f.path
        );
    }
    for f in &r.findings {
        let _ = writeln!(out, "  {}", f.listing_line(26));
    }
    let s = &r.summary;
    let _ = writeln!(
        out,
        "{} listed, {} hashed ({}): {} verified, {} changed, {} missing, {} unlisted, {} escaping: {}",
        s.listed,
        s.files,
        bytes(s.bytes),
        s.verified,
        s.changed,
        s.missing,
        s.unlisted,
        s.escaping,
        if r.exit_code() == 0 {
            "OK"
        } else if r.signature.valid {
            "FAILED"
        } else {
            "FAILED (signature not valid: files not checked)"
        }
    );
    out
}
