//! `mri sign TARGET --key signer.key [-o model.sig]`: every file of the
//! folder (git's files and the signature itself left out) hashed through
//! `verify::hashing`, the statement written as `model-signing` v1 writes
//! it, signed over DSSE's PAE, and the bundle written.

use super::walk::{self, Ignored};
use super::SignError;
use crate::signature::bundle::{
    b64encode, CertificateChain, Envelope, EnvelopeSignature, PublicKeyIdentifier, RawBytes,
    VerificationMaterial,
};
use crate::signature::{self, x509::Cert, Bundle, Resource, Serialization, Statement};
use std::path::{Path, PathBuf};

/// Options of `mri sign`.
#[derive(Debug, Clone, Default)]
pub struct SignOptions {
    /// The private key (PEM: PKCS#8 or SEC1; P-256 or P-384).
    pub key: PathBuf,
    /// The signing certificate for that key (the certificate method).
    pub certificate: Option<PathBuf>,
    /// Further certificates to carry after it (intermediates).
    pub certificate_chain: Option<PathBuf>,
    /// Where to write the bundle (default: `TARGET/model.sig`).
    pub output: Option<PathBuf>,
    /// Files hashed at once (0: one per core).
    pub jobs: usize,
    /// Draw a progress bar on stderr.
    pub progress: bool,
}

/// What was signed.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Signed {
    /// The bundle written.
    pub path: PathBuf,
    /// Files listed.
    pub files: usize,
    /// Bytes hashed.
    pub bytes: u64,
    /// The statement's subject digest.
    pub root_digest: String,
    /// The key's fingerprint (sha256 of its public PEM).
    pub key_fingerprint: String,
    /// The signing certificate's identities, with the certificate method.
    pub identities: Vec<String>,
}

/// The material that goes in the bundle, and the key.
struct Material {
    key: signature::SigningKey,
    certificates: Vec<Cert>,
}

fn material(options: &SignOptions) -> Result<Material, SignError> {
    let text = super::read_option_text(&options.key, "the private key")?;
    let key = signature::SigningKey::from_pem(&text).map_err(|cause| SignError::Key {
        what: "the private key",
        path: options.key.display().to_string(),
        cause,
    })?;
    let mut certificates = Vec::new();
    let chain_error = |what: &'static str, path: &Path, cause: String| SignError::Certificate {
        what,
        path: path.display().to_string(),
        cause,
    };
    match (&options.certificate, &options.certificate_chain) {
        (None, Some(_)) => {
            return Err(SignError::Usage(
                "--certificate-chain goes with --certificate (the signing certificate)".into(),
            ))
        }
        (None, None) => {}
        (Some(path), chain) => {
            let text = super::read_option_text(path, "the certificate")?;
            let mut leaf =
                Cert::from_pem_chain(&text).map_err(|e| chain_error("the certificate", path, e))?;
            let signing = leaf.remove(0);
            let cert_key = signing
                .public_key()
                .map_err(|e| chain_error("the certificate", path, e.to_string()))?;
            if cert_key != key.public_key() {
                return Err(chain_error(
                    "the certificate",
                    path,
                    "its public key is not the private key's".into(),
                ));
            }
            certificates.push(signing);
            if let Some(chain) = chain {
                let text = super::read_option_text(chain, "the certificate chain")?;
                certificates.extend(
                    Cert::from_pem_chain(&text)
                        .map_err(|e| chain_error("the certificate chain", chain, e))?,
                );
            }
        }
    }
    Ok(Material { key, certificates })
}

/// Signs the model folder `input`.
pub fn sign(
    input: &str,
    inspect: &crate::InspectOptions,
    options: &SignOptions,
) -> Result<Signed, SignError> {
    let material = material(options)?;
    let target = super::locate_folder(input, inspect)?;
    let root = target.root.clone();
    let output = options
        .output
        .clone()
        .unwrap_or_else(|| root.join(signature::DEFAULT_FILE_NAME));
    if let Ok(meta) = std::fs::symlink_metadata(&output) {
        if !meta.is_file() {
            return Err(SignError::Write {
                path: output.display().to_string(),
                cause: std::io::Error::other("exists and is not a regular file"),
            });
        }
    }
    let sig_rel = super::inside(&root, &output);
    let ignored = Ignored::new(sig_rel.as_deref());
    let listing = walk::list(&root, &target.containment, &ignored);
    let mut problems: Vec<String> = listing
        .refused
        .iter()
        .map(|(p, r)| format!("{p}: {}", r.why))
        .chain(
            listing
                .findings
                .iter()
                .map(|f| format!("{}: {}", f.file.as_deref().unwrap_or("."), f.message)),
        )
        .collect();
    if listing.files.is_empty() {
        problems.push("the folder has no file to sign".into());
    }
    let unsignable = |problems: Vec<String>| SignError::Unsignable {
        root: root.display().to_string(),
        why: problems.join("\n"),
    };
    if !problems.is_empty() {
        return Err(unsignable(problems));
    }
    let mut names: Vec<&String> = listing.files.keys().collect();
    names.sort_by(|a, b| signature::statement::path_order(a, b));
    let jobs: Vec<crate::verify::hashing::Job> = names
        .iter()
        .filter_map(|n| listing.files.get(*n))
        .map(|f| crate::verify::hashing::Job {
            path: &f.real,
            size: f.size,
            git_sha1: false,
        })
        .collect();
    let hashed =
        crate::verify::hashing::hash_jobs(&jobs, super::jobs(options.jobs), options.progress);
    let mut resources = Vec::with_capacity(names.len());
    let mut bytes = 0;
    for (name, result) in names.iter().zip(hashed) {
        match result {
            Ok(h) => {
                bytes += h.bytes;
                resources.push(Resource {
                    name: name.to_string(),
                    algorithm: "sha256".into(),
                    digest: h.sha256,
                });
            }
            Err(e) => problems.push(format!("{name}: cannot be read: {e}")),
        }
    }
    if !problems.is_empty() {
        return Err(unsignable(problems));
    }
    let statement = Statement {
        model_name: model_name(&root),
        root_digest: signature::statement::root_digest(&resources).unwrap_or_default(),
        serialization: Serialization {
            method: "files".into(),
            hash_type: "sha256".into(),
            allow_symlinks: listing.followed_links,
            ignore_paths: ignored.paths().to_vec(),
            shard_size: None,
        },
        resources,
    };
    let bundle = bundle(&statement, &material);
    let mut text = bundle.to_json();
    text.push('\n');
    std::fs::write(&output, text).map_err(|cause| SignError::Write {
        path: output.display().to_string(),
        cause,
    })?;
    Ok(Signed {
        path: output,
        files: statement.resources.len(),
        bytes,
        root_digest: statement.root_digest,
        key_fingerprint: material.key.public_key().fingerprint(),
        identities: material
            .certificates
            .first()
            .map(Cert::identities)
            .unwrap_or_default(),
    })
}

/// The folder's name, as the statement's subject (informative only).
fn model_name(root: &Path) -> String {
    root.canonicalize()
        .ok()
        .as_deref()
        .unwrap_or(root)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "model".into())
}

/// The bundle over `statement`: DSSE envelope signed with the key, and the
/// key's hint or the certificates.
fn bundle(statement: &Statement, material: &Material) -> Bundle {
    let payload = statement.to_payload();
    let message = signature::dsse::pae(signature::PAYLOAD_TYPE, &payload);
    let sig = material.key.sign(&message);
    let verification_material = if material.certificates.is_empty() {
        VerificationMaterial {
            public_key: Some(PublicKeyIdentifier {
                hint: Some(material.key.public_key().fingerprint()),
            }),
            ..VerificationMaterial::default()
        }
    } else {
        VerificationMaterial {
            x509_certificate_chain: Some(CertificateChain {
                certificates: material
                    .certificates
                    .iter()
                    .map(|c| RawBytes {
                        raw_bytes: b64encode(c.der()),
                    })
                    .collect(),
            }),
            ..VerificationMaterial::default()
        }
    };
    Bundle {
        media_type: signature::BUNDLE_MEDIA_TYPE.into(),
        verification_material,
        dsse_envelope: Some(Envelope {
            payload: b64encode(&payload),
            payload_type: signature::PAYLOAD_TYPE.into(),
            signatures: vec![EnvelopeSignature {
                sig: b64encode(&sig),
                keyid: String::new(),
            }],
        }),
    }
}

/// Signs an arbitrary statement with a key, as `mri sign` would: for tests
/// and tools that need a bundle over a statement of their own.
pub fn bundle_for(statement: &Statement, key: &signature::SigningKey) -> Bundle {
    bundle(
        statement,
        &Material {
            key: key.clone(),
            certificates: Vec::new(),
        },
    )
}
