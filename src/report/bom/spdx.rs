//! SPDX 3.0.1 JSON-LD: each model an `ai_AIPackage` that `contains` its
//! files (`software_File`, hashed where known), `trainedOn` its datasets
//! (`dataset_DatasetPackage`), with its base models `ancestorOf` it, and its
//! declared and concluded licenses as simple-licensing expressions (a
//! license SPDX does not list is a `LicenseRef-` whose text, when the
//! knowledge base bundles it, is a `simplelicensing_SimpleLicensingText`).
//! Facts without a property of their own (parameters, dtypes, memory, the
//! verdict, findings) are `Annotation`s on the package. No Rust crate writes
//! SPDX 3; the graph is built here as JSON.

use super::{
    model_refs, uuid_v5, Ancestor, BomModel, BomOptions, FileFact, LicenseFact, ModelFacts,
};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// The SPDX 3.0.1 JSON-LD context.
const CONTEXT: &str = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld";

/// `created` when no time is asked for (neither `--timestamp` nor
/// `SOURCE_DATE_EPOCH`): SPDX requires a creation time; the Unix epoch (as
/// reproducible builds write with `SOURCE_DATE_EPOCH=0`) keeps the document
/// the same for the same input.
pub const UNRECORDED_TIME: &str = "1970-01-01T00:00:00Z";

/// The blank node of the one CreationInfo.
const CREATION: &str = "_:creationinfo";

/// The graph being built: its elements and the ids already taken.
struct Graph {
    /// Prefix of every spdxId (`urn:uuid:...#`).
    ns: String,
    elements: Vec<Value>,
    ids: BTreeSet<String>,
}

impl Graph {
    /// An spdxId for `local`, made unique.
    fn id(&mut self, local: &str) -> String {
        let clean: String = local
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_') {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let mut id = format!("{}{clean}", self.ns);
        let mut n = 1;
        while !self.ids.insert(id.clone()) {
            n += 1;
            id = format!("{}{clean}-{n}", self.ns);
        }
        id
    }

    /// Adds an element of `kind` with `fields`; returns its spdxId.
    fn add(&mut self, kind: &str, local: &str, fields: Value) -> String {
        let id = self.id(local);
        let mut e = Map::new();
        e.insert("type".into(), json!(kind));
        e.insert("spdxId".into(), json!(id));
        e.insert("creationInfo".into(), json!(CREATION));
        if let Value::Object(f) = fields {
            e.extend(f);
        }
        self.elements.push(Value::Object(e));
        id
    }

    /// Adds a relationship `from` → `to`.
    fn relate(&mut self, from: &str, kind: &str, to: Vec<String>) {
        if to.is_empty() {
            return;
        }
        let local = format!("rel-{kind}");
        self.add(
            "Relationship",
            &local,
            json!({ "from": from, "relationshipType": kind, "to": to }),
        );
    }
}

/// An `idstring` for a `LicenseRef-`: letters, digits, `.` and `-`.
fn license_ref(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("LicenseRef-{}", s.trim_matches('-'))
}

/// Adds a license as a `simplelicensing_LicenseExpression` (with its text
/// element for a `LicenseRef-` the knowledge base has the text of); returns
/// its id. `known` keeps one element per expression (and per text).
fn license(g: &mut Graph, l: &LicenseFact, known: &mut BTreeMap<String, String>) -> String {
    let listed = l.spdx.clone().filter(|id| spdx::license_id(id).is_some());
    let expression = listed.unwrap_or_else(|| license_ref(l.kb_id.as_deref().unwrap_or(&l.name)));
    if let Some(id) = known.get(&expression) {
        return id.clone();
    }
    let texts = known;
    let text_key = format!("text:{expression}");
    let mut fields = Map::new();
    fields.insert("name".into(), json!(l.name));
    fields.insert(
        "simplelicensing_licenseExpression".into(),
        json!(expression),
    );
    if expression.starts_with("LicenseRef-") {
        let text_id = match (texts.get(&text_key), l.kb_text()) {
            (Some(id), _) => Some(id.clone()),
            (None, Some(text)) => {
                let id = g.add(
                    "simplelicensing_SimpleLicensingText",
                    &format!("text-{expression}"),
                    json!({ "name": l.name, "simplelicensing_licenseText": text }),
                );
                texts.insert(text_key, id.clone());
                Some(id)
            }
            (None, None) => None,
        };
        if let Some(id) = text_id {
            fields.insert(
                "simplelicensing_customIdToUri".into(),
                json!([{ "type": "DictionaryEntry", "key": expression, "value": id }]),
            );
        }
    }
    let id = g.add(
        "simplelicensing_LicenseExpression",
        &format!("license-{expression}"),
        Value::Object(fields),
    );
    texts.insert(expression, id.clone());
    id
}

/// The software_File purpose of an mri file class.
fn purpose(class: &str) -> Option<&'static str> {
    match class {
        "weights" | "gguf" | "pickle" | "onnx" => Some("model"),
        "config" | "generation" | "tokenizer" => Some("configuration"),
        "code" => Some("source"),
        _ => None,
    }
}

/// Adds one model and everything it refers to; returns the package's id.
fn model(
    g: &mut Graph,
    f: &ModelFacts<'_>,
    local: &str,
    datasets: &mut BTreeMap<String, String>,
    texts: &mut BTreeMap<String, String>,
) -> String {
    let fields = package_fields(g, f);
    let pkg = g.add("ai_AIPackage", local, Value::Object(fields));
    let files = f
        .files
        .iter()
        .map(|file| file_element(g, local, file))
        .collect();
    g.relate(&pkg, "contains", files);
    let trained_on = f
        .datasets
        .iter()
        .map(|d| dataset_element(g, d, datasets))
        .collect();
    g.relate(&pkg, "trainedOn", trained_on);
    for a in &f.ancestors {
        let base = ancestor_element(g, local, a);
        g.relate(&base, "ancestorOf", vec![pkg.clone()]);
    }

    let declared: Vec<String> = f.declared.iter().map(|l| license(g, l, texts)).collect();
    g.relate(&pkg, "hasDeclaredLicense", declared);
    let concluded: Vec<String> = f.concluded.iter().map(|l| license(g, l, texts)).collect();
    g.relate(&pkg, "hasConcludedLicense", concluded);

    for (k, v) in &f.properties {
        g.add(
            "Annotation",
            &format!("{local}-note"),
            json!({
                "annotationType": "other",
                "subject": pkg,
                "statement": format!("{k}={v}"),
            }),
        );
    }
    pkg
}

/// The `ai_AIPackage`'s own fields: the ones the AI profile requires and
/// the optional ones mri knows (the supplier is added to the graph).
fn package_fields(g: &mut Graph, f: &ModelFacts<'_>) -> Map<String, Value> {
    let mut p = Map::new();
    p.insert("name".into(), json!(f.name));
    if let Some(s) = &f.supplier {
        let org = g.add("Organization", &format!("org-{s}"), json!({ "name": s }));
        p.insert("suppliedBy".into(), json!(org));
    }
    if let Some(v) = &f.version {
        p.insert("software_packageVersion".into(), json!(v));
    }
    if let Some(u) = &f.hub_url {
        p.insert("software_downloadLocation".into(), json!(u));
    }
    if let Some(purl) = &f.purl {
        p.insert("software_packageUrl".into(), json!(purl));
    }
    p.insert("software_primaryPurpose".into(), json!("model"));
    if let Some(t) = &f.task {
        p.insert("ai_domain".into(), json!([t]));
    }
    let types: Vec<&String> = f.family.iter().chain(f.architecture.iter()).collect();
    if !types.is_empty() {
        p.insert("ai_typeOfModel".into(), json!(types));
    }
    if !f.hyperparameters.is_empty() {
        let h: Vec<Value> = f
            .hyperparameters
            .iter()
            .map(|(k, v)| json!({ "type": "DictionaryEntry", "key": k, "value": v }))
            .collect();
        p.insert("ai_hyperparameter".into(), Value::Array(h));
    }
    if let Some(l) = &f.limitations {
        p.insert("ai_limitation".into(), json!(l));
    }
    if let Some(u) = &f.intended_uses {
        p.insert("ai_informationAboutApplication".into(), json!(u));
    }
    p
}

/// One `software_File` of the model, with its hash when known.
fn file_element(g: &mut Graph, local: &str, file: &FileFact) -> String {
    let mut fields = Map::new();
    fields.insert("name".into(), json!(file.path));
    if let Some((hex, _)) = &file.sha256 {
        fields.insert(
            "verifiedUsing".into(),
            json!([{ "type": "Hash", "algorithm": "sha256", "hashValue": hex }]),
        );
    }
    if let Some(purpose) = purpose(file.class) {
        fields.insert("software_primaryPurpose".into(), json!(purpose));
    }
    g.add(
        "software_File",
        &format!("{local}-file-{}", file.path),
        Value::Object(fields),
    )
}

/// The `dataset_DatasetPackage` of dataset `d`, added once for every model
/// that names it (`datasets`: id → spdxId so far).
fn dataset_element(g: &mut Graph, d: &str, datasets: &mut BTreeMap<String, String>) -> String {
    if let Some(id) = datasets.get(d) {
        return id.clone();
    }
    let id = g.add(
        "dataset_DatasetPackage",
        &format!("dataset-{d}"),
        json!({
            "name": d,
            "software_primaryPurpose": "data",
            "dataset_datasetType": ["noAssertion"],
        }),
    );
    datasets.insert(d.to_string(), id.clone());
    id
}

/// A base model as an `ai_AIPackage` of its own.
fn ancestor_element(g: &mut Graph, local: &str, a: &Ancestor) -> String {
    let mut fields = Map::new();
    fields.insert("name".into(), json!(a.name));
    if let Some(purl) = &a.purl {
        fields.insert("software_packageUrl".into(), json!(purl));
    }
    if let Some(u) = &a.url {
        fields.insert("software_downloadLocation".into(), json!(u));
    }
    fields.insert("software_primaryPurpose".into(), json!("model"));
    g.add(
        "ai_AIPackage",
        &format!("{local}-base-{}", a.name),
        Value::Object(fields),
    )
}

/// The graph of every model, with every spdxId under `ns`.
fn graph(facts: &[ModelFacts<'_>], options: &BomOptions, ns: &str) -> Vec<Value> {
    let mut g = Graph {
        ns: ns.to_string(),
        elements: Vec::new(),
        ids: BTreeSet::new(),
    };
    let agent = g.add("SoftwareAgent", "mri", json!({ "name": "mri" }));
    let tool = g.add(
        "Tool",
        "mri-tool",
        json!({ "name": format!("mri {}", env!("CARGO_PKG_VERSION")) }),
    );
    let refs = model_refs(facts);
    let mut datasets = BTreeMap::new();
    let mut texts = BTreeMap::new();
    let roots: Vec<String> = facts
        .iter()
        .zip(&refs)
        .map(|(f, r)| model(&mut g, f, r, &mut datasets, &mut texts))
        .collect();
    let members: Vec<String> = g
        .ids
        .iter()
        .filter(|id| **id != agent && **id != tool)
        .cloned()
        .collect();
    let name = match facts {
        [one] => format!("AI bill of materials of {}", one.name),
        _ => format!("AI bill of materials of {} models", facts.len()),
    };
    let doc = g.add(
        "SpdxDocument",
        "document",
        json!({
            "name": name,
            "profileConformance": ["core", "software", "simpleLicensing", "ai", "dataset"],
            "rootElement": roots,
            "element": members,
        }),
    );
    let _ = doc;
    let creation = json!({
        "type": "CreationInfo",
        "@id": CREATION,
        "specVersion": "3.0.1",
        "created": options.timestamp.as_deref().unwrap_or(UNRECORDED_TIME),
        "createdBy": [agent],
        "createdUsing": [tool],
    });
    let mut all = vec![creation];
    all.extend(g.elements);
    all
}

/// The SPDX document as a JSON value. Its ids live under `urn:uuid:<uuid>#`,
/// the uuid named by the content, so the same models give the same document.
pub fn document(models: &[BomModel<'_>], options: &BomOptions) -> Value {
    let facts: Vec<ModelFacts<'_>> = models.iter().map(ModelFacts::of).collect();
    let draft = graph(&facts, options, "");
    let uuid = uuid_v5(Value::Array(draft).to_string().as_bytes());
    let elements = graph(&facts, options, &format!("urn:uuid:{uuid}#"));
    json!({ "@context": CONTEXT, "@graph": elements })
}

/// The document as indented JSON with a final newline.
pub fn render(models: &[BomModel<'_>], options: &BomOptions) -> String {
    let mut s = serde_json::to_string_pretty(&document(models, options)).unwrap_or_default();
    s.push('\n');
    s
}
