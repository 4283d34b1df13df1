//! CycloneDX 1.6 JSON: each model a `machine-learning-model` component with
//! its files nested as `file` components, its datasets as `data`
//! components, its model card and its lineage (`pedigree.ancestors`).
//! Serde structs of our own: the `cyclonedx-bom` crate writes 1.5 at most,
//! without 1.6's `acknowledgement` of declared and concluded licenses.

use super::{model_refs, uuid_v5, BomModel, BomOptions, FileFact, LicenseFact, ModelFacts};
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::BTreeSet;

/// A component.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Component {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "bom-ref")]
    bom_ref: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    supplier: Option<Entity>,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    hashes: Vec<Hash>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    licenses: Vec<LicenseChoice>,
    #[serde(skip_serializing_if = "Option::is_none")]
    purl: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    external_references: Vec<ExternalReference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pedigree: Option<Pedigree>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    properties: Vec<Property>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    components: Vec<Component>,
    #[serde(skip_serializing_if = "Option::is_none")]
    model_card: Option<Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    data: Vec<Value>,
}

impl Component {
    /// A component with only its type, bom-ref and name.
    fn new(kind: &'static str, bom_ref: String, name: String) -> Self {
        Component {
            kind,
            bom_ref,
            supplier: None,
            name,
            version: None,
            description: None,
            hashes: Vec::new(),
            licenses: Vec::new(),
            purl: None,
            external_references: Vec::new(),
            pedigree: None,
            properties: Vec::new(),
            components: Vec::new(),
            model_card: None,
            data: Vec::new(),
        }
    }
}

/// An organisation.
#[derive(Debug, Serialize)]
struct Entity {
    name: String,
}

/// A hash.
#[derive(Debug, Serialize)]
struct Hash {
    alg: &'static str,
    content: String,
}

/// `{"license": {...}}`.
#[derive(Debug, Serialize)]
struct LicenseChoice {
    license: License,
}

/// A license, SPDX id or name, declared or concluded.
#[derive(Debug, Serialize)]
struct License {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    acknowledgement: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

/// An external reference.
#[derive(Debug, Serialize)]
struct ExternalReference {
    #[serde(rename = "type")]
    kind: &'static str,
    url: String,
}

/// A component's lineage.
#[derive(Debug, Serialize)]
struct Pedigree {
    ancestors: Vec<Component>,
}

/// A name-value property.
#[derive(Debug, Serialize)]
struct Property {
    name: String,
    value: String,
}

fn prop(name: &str, value: impl Into<String>) -> Property {
    Property {
        name: name.into(),
        value: value.into(),
    }
}

/// The licenses: the declared ones, then the concluded ones.
fn licenses(f: &ModelFacts<'_>) -> Vec<LicenseChoice> {
    let one = |l: &LicenseFact, acknowledgement: &'static str| {
        // An SPDX id the schema's list lacks would make the BOM invalid.
        let id = l.spdx.clone().filter(|id| spdx::license_id(id).is_some());
        LicenseChoice {
            license: License {
                name: id.is_none().then(|| l.name.clone()),
                id,
                acknowledgement,
                url: l.url.clone(),
            },
        }
    };
    f.declared
        .iter()
        .map(|l| one(l, "declared"))
        .chain(f.concluded.iter().map(|l| one(l, "concluded")))
        .collect()
}

/// The data formats a pipeline tag implies for the model's input and output.
fn io_formats(task: &str) -> (Option<&'static str>, Option<&'static str>) {
    match task {
        "text-generation"
        | "text2text-generation"
        | "summarization"
        | "translation"
        | "question-answering"
        | "table-question-answering" => (Some("string"), Some("string")),
        "feature-extraction" | "sentence-similarity" => (Some("string"), Some("embedding")),
        "fill-mask"
        | "text-classification"
        | "token-classification"
        | "zero-shot-classification" => (Some("string"), None),
        "image-to-text" | "image-text-to-text" => (Some("image"), Some("string")),
        "image-classification" | "object-detection" | "image-segmentation" => (Some("image"), None),
        "automatic-speech-recognition" => (Some("audio"), Some("string")),
        "text-to-speech" => (Some("string"), Some("audio")),
        "text-to-image" => (Some("string"), Some("image")),
        _ => (None, None),
    }
}

/// `modelCard`: parameters (task, family, architecture, datasets, inputs
/// and outputs) and considerations from the card.
fn model_card(f: &ModelFacts<'_>) -> Option<Value> {
    let mut params = Map::new();
    if let Some(t) = &f.task {
        params.insert("task".into(), json!(t));
    }
    if let Some(a) = &f.family {
        params.insert("architectureFamily".into(), json!(a));
    }
    if let Some(a) = &f.architecture {
        params.insert("modelArchitecture".into(), json!(a));
    }
    if !f.datasets.is_empty() {
        let refs: Vec<Value> = f
            .datasets
            .iter()
            .map(|d| json!({ "ref": dataset_ref(d) }))
            .collect();
        params.insert("datasets".into(), Value::Array(refs));
    }
    let (input, output) = f.task.as_deref().map_or((None, None), io_formats);
    if let Some(i) = input {
        params.insert("inputs".into(), json!([{ "format": i }]));
    }
    if let Some(o) = output {
        params.insert("outputs".into(), json!([{ "format": o }]));
    }
    let mut considerations = Map::new();
    if let Some(u) = &f.intended_uses {
        considerations.insert("useCases".into(), json!([u]));
    }
    if let Some(l) = &f.limitations {
        considerations.insert("technicalLimitations".into(), json!([l]));
    }
    let mut card = Map::new();
    if !params.is_empty() {
        card.insert("modelParameters".into(), Value::Object(params));
    }
    if !considerations.is_empty() {
        card.insert("considerations".into(), Value::Object(considerations));
    }
    (!card.is_empty()).then_some(Value::Object(card))
}

/// A dataset's bom-ref.
fn dataset_ref(id: &str) -> String {
    format!("dataset:{id}")
}

/// A file as a `file` component.
fn file_component(model_ref: &str, file: &FileFact) -> Component {
    let mut c = Component::new(
        "file",
        format!("{model_ref}/file:{}", file.path),
        file.path.clone(),
    );
    let mut properties = vec![
        prop("mri:file:class", file.class),
        prop("mri:file:size", file.size.to_string()),
    ];
    if let Some((hex, source)) = &file.sha256 {
        c.hashes.push(Hash {
            alg: "SHA-256",
            content: hex.clone(),
        });
        properties.push(prop("mri:file:sha256-source", source.as_str()));
    }
    if file.remote_only {
        properties.push(prop("mri:file:remote-only", "true"));
    }
    c.properties = properties;
    c
}

/// A model as a `machine-learning-model` component.
fn model_component(f: &ModelFacts<'_>, bom_ref: &str) -> Component {
    let mut c = Component::new(
        "machine-learning-model",
        bom_ref.to_string(),
        f.name.clone(),
    );
    c.supplier = f.supplier.clone().map(|name| Entity { name });
    c.version = f.version.clone();
    c.purl = f.purl.clone();
    // A model that is one weight file has that file's hash.
    let weights: Vec<&FileFact> = f.weight_files().collect();
    if let [only] = weights.as_slice() {
        if let Some((hex, _)) = &only.sha256 {
            c.hashes.push(Hash {
                alg: "SHA-256",
                content: hex.clone(),
            });
        }
    }
    c.licenses = licenses(f);
    if let Some(u) = &f.hub_url {
        c.external_references.push(ExternalReference {
            kind: "website",
            url: u.clone(),
        });
    }
    if let Some(u) = &f.card_url {
        c.external_references.push(ExternalReference {
            kind: "model-card",
            url: u.clone(),
        });
    }
    let license_urls: BTreeSet<&String> =
        f.declared.iter().filter_map(|l| l.url.as_ref()).collect();
    for u in license_urls {
        c.external_references.push(ExternalReference {
            kind: "license",
            url: u.clone(),
        });
    }
    if !f.ancestors.is_empty() {
        let ancestors = f
            .ancestors
            .iter()
            .map(|a| {
                let mut b = Component::new(
                    "machine-learning-model",
                    format!("{bom_ref}/base:{}", a.name),
                    a.name.clone(),
                );
                b.purl = a.purl.clone();
                if let Some(u) = &a.url {
                    b.external_references.push(ExternalReference {
                        kind: "website",
                        url: u.clone(),
                    });
                }
                b
            })
            .collect();
        c.pedigree = Some(Pedigree { ancestors });
    }
    c.properties = f
        .properties
        .iter()
        .map(|(k, v)| prop(k, v.clone()))
        .collect();
    c.components = f
        .files
        .iter()
        .map(|file| file_component(bom_ref, file))
        .collect();
    c.model_card = model_card(f);
    c
}

/// A dataset as a `data` component.
fn dataset_component(id: &str) -> Component {
    let mut c = Component::new("data", dataset_ref(id), id.to_string());
    c.data.push(json!({ "type": "dataset", "name": id }));
    c
}

/// The BOM as a JSON value: the models, then every dataset once.
pub fn bom(models: &[BomModel<'_>], options: &BomOptions) -> Value {
    let facts: Vec<ModelFacts<'_>> = models.iter().map(ModelFacts::of).collect();
    let refs = model_refs(&facts);
    let mut components: Vec<Value> = Vec::new();
    for (f, r) in facts.iter().zip(&refs) {
        components.push(serde_json::to_value(model_component(f, r)).unwrap_or(Value::Null));
    }
    let datasets: BTreeSet<&String> = facts.iter().flat_map(|f| f.datasets.iter()).collect();
    for d in datasets {
        components.push(serde_json::to_value(dataset_component(d)).unwrap_or(Value::Null));
    }
    let mut metadata = Map::new();
    if let Some(t) = &options.timestamp {
        metadata.insert("timestamp".into(), json!(t));
    }
    metadata.insert(
        "tools".into(),
        json!({ "components": [{
            "type": "application",
            "name": "mri",
            "version": env!("CARGO_PKG_VERSION"),
        }] }),
    );
    let body = json!({
        "metadata": Value::Object(metadata),
        "components": components,
    });
    // The serial number is the content's name-based UUID: the same models
    // (and timestamp) give the same BOM.
    let serial = format!("urn:uuid:{}", uuid_v5(body.to_string().as_bytes()));
    let mut doc = Map::new();
    doc.insert(
        "$schema".into(),
        json!("http://cyclonedx.org/schema/bom-1.6.schema.json"),
    );
    doc.insert("bomFormat".into(), json!("CycloneDX"));
    doc.insert("specVersion".into(), json!("1.6"));
    doc.insert("serialNumber".into(), json!(serial));
    doc.insert("version".into(), json!(1));
    if let Value::Object(b) = body {
        doc.extend(b);
    }
    Value::Object(doc)
}

/// The BOM as indented JSON with a final newline.
pub fn render(models: &[BomModel<'_>], options: &BomOptions) -> String {
    let mut s = serde_json::to_string_pretty(&bom(models, options)).unwrap_or_default();
    s.push('\n');
    s
}
