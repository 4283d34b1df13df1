//! What an Ollama model's small layers say: the license text (handed to the
//! license engine as a license file), the prompt template (shown, and checked
//! by the chat-template security check), the parameters (JSON), the system
//! prompt, and the config blob; every layer with its blob.

use crate::finding::{Code, Finding};
use crate::license::LicenseFile;
use crate::locate::ollama::{OllamaRef, MEDIA_LICENSE, MEDIA_PARAMS, MEDIA_SYSTEM, MEDIA_TEMPLATE};
use crate::locate::Target;
use crate::scan::FileEntry;
use crate::util::json::read_text;
use serde::Serialize;

/// Largest text layer read (license, template, system, params, config).
const MAX_LAYER_TEXT: u64 = 2 * 1024 * 1024;

/// One layer of the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OllamaLayer {
    /// The media type (`application/vnd.ollama.image.model`, ...); the config blob's own type for it.
    pub media_type: String,
    /// The blob, relative to the store (`blobs/sha256-<hex>`).
    pub path: String,
    /// The size the manifest states.
    pub size: Option<u64>,
    /// Whether the blob is in the store.
    pub present: bool,
}

/// The Report's `ollama` section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OllamaSummary {
    /// Which model.
    #[serde(flatten)]
    pub model: OllamaRef,
    /// Every layer, the config blob first.
    pub layers: Vec<OllamaLayer>,
    /// The config blob (`model_format`, `model_family`, `file_type`, ...), as written.
    pub config: Option<serde_json::Value>,
    /// The prompt template (a Go template).
    pub template: Option<String>,
    /// The parameters (`stop`, `temperature`, ...), as written.
    pub params: Option<serde_json::Value>,
    /// The system prompt.
    pub system: Option<String>,
    /// The license layers' blobs.
    pub license_files: Vec<String>,
}

/// What the layers held, for the rest of the scan.
pub struct OllamaRead {
    /// The Report section.
    pub summary: OllamaSummary,
    /// License texts, as license files.
    pub license_files: Vec<LicenseFile>,
    /// The template, to be checked like a chat template: (blob, text).
    pub templates: Vec<(String, String)>,
}

/// Reads the layers of an Ollama target; `files` are those found, `missing` the blobs absent.
pub fn read(
    target: &Target,
    files: &[FileEntry],
    missing: &[String],
    findings: &mut Vec<Finding>,
) -> Option<OllamaRead> {
    let model = target.ollama.clone()?;
    let listed = target.listed.as_deref().unwrap_or(&[]);
    let mut summary = OllamaSummary {
        model,
        layers: Vec::new(),
        config: None,
        template: None,
        params: None,
        system: None,
        license_files: Vec::new(),
    };
    let mut license_files = Vec::new();
    let mut templates = Vec::new();
    for (file, message) in &target.notes {
        findings.push(Finding::warning(Code::OllamaManifestInvalid, message.clone()).in_file(file));
    }
    for l in listed {
        let Some(media) = l.media_type.as_deref() else {
            continue;
        };
        let present = !missing.contains(&l.rel);
        summary.layers.push(OllamaLayer {
            media_type: media.to_string(),
            path: l.rel.clone(),
            size: l.declared_size,
            present,
        });
        if !present {
            findings.push(
                Finding::error(
                    Code::OllamaBlobMissing,
                    format!(
                        "the manifest's {media} layer names blob {}, which is not in the store",
                        l.rel
                    ),
                )
                .in_file(&l.rel),
            );
            continue;
        }
        let Some(entry) = files.iter().find(|f| f.path == l.rel) else {
            continue;
        };
        if let Some(declared) = l.declared_size {
            if declared != entry.size {
                findings.push(
                    Finding::error(
                        Code::OllamaManifestInvalid,
                        format!(
                            "the manifest says this {media} blob is {declared} bytes, but it is {}",
                            entry.size
                        ),
                    )
                    .in_file(&l.rel),
                );
            }
        }
        let is_config = media.contains("container.image");
        let wants_text = is_config
            || matches!(
                media,
                MEDIA_LICENSE | MEDIA_TEMPLATE | MEDIA_PARAMS | MEDIA_SYSTEM
            );
        if !wants_text {
            continue;
        }
        let text = match read_text(&entry.real_path, &entry.path, MAX_LAYER_TEXT) {
            Ok(t) => t,
            Err(f) => {
                findings.push(f);
                continue;
            }
        };
        let mut json = |text: &str| match serde_json::from_str::<serde_json::Value>(text) {
            Ok(v) => Some(v),
            Err(e) => {
                findings.push(
                    Finding::warning(
                        Code::ConfigInvalid,
                        format!("the {media} layer is not JSON: {e}"),
                    )
                    .in_file(&l.rel),
                );
                None
            }
        };
        match media {
            MEDIA_LICENSE => {
                summary.license_files.push(l.rel.clone());
                license_files.push(LicenseFile {
                    path: l.rel.clone(),
                    text,
                });
            }
            MEDIA_TEMPLATE => {
                templates.push((l.rel.clone(), text.clone()));
                summary.template = Some(text);
            }
            MEDIA_SYSTEM => summary.system = Some(text),
            MEDIA_PARAMS => summary.params = json(&text),
            _ => summary.config = json(&text),
        }
    }
    Some(OllamaRead {
        summary,
        license_files,
        templates,
    })
}
