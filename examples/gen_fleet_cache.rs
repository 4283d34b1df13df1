//! Writes a Hugging Face cache of many repos for the `mri ls` benchmark
//! (`benches/fleet_ls.sh`): sparse shaped checkpoints (headers real, data
//! holes) of mixed families and sizes, several revisions per repo sharing
//! their unchanged files' blobs, model cards with license front matter, and
//! license texts from `tests/license-corpus/` in a quarter of the repos.
//!
//! ```text
//! cargo run --release --example gen_fleet_cache -- HUB_DIR [REPOS]   # default 1000
//! ```
//!
//! Deterministic. Blob names are the sha256 of the blob's header and length
//! (the data being holes), not of its bytes: nothing here verifies them.

#[path = "../tests/support/fixture_gen.rs"]
mod fixture_gen;

use fixture_gen::{split_into_shards, write_sparse_safetensors, Rng};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::os::unix::fs::symlink;
use std::path::Path;

/// (family, architecture, model_type)
const FAMILIES: &[(&str, &str, &str)] = &[
    ("llama", "LlamaForCausalLM", "llama"),
    ("qwen", "Qwen2ForCausalLM", "qwen2"),
    ("mistral", "MistralForCausalLM", "mistral"),
    ("gemma", "Gemma2ForCausalLM", "gemma2"),
    ("phi", "Phi3ForCausalLM", "phi3"),
    ("smol", "LlamaForCausalLM", "llama"),
];

/// (hidden, layers, intermediate, vocab, shards): 0.1B to 70B shapes.
const SIZES: &[(u64, u64, u64, u64, usize)] = &[
    (576, 30, 1536, 49152, 1),
    (896, 24, 4864, 151936, 1),
    (2048, 16, 8192, 128256, 1),
    (3072, 28, 8192, 128256, 2),
    (4096, 32, 14336, 128256, 4),
    (5120, 40, 13824, 152064, 6),
    (8192, 80, 28672, 128256, 30),
];

/// (card license id, license text in tests/license-corpus/texts)
const LICENSES: &[(&str, Option<&str>)] = &[
    ("apache-2.0", None),
    ("mit", None),
    ("llama3.1", Some("llama3_1-license.txt")),
    ("gemma", Some("gemma-terms-of-use-2024-04-01.txt")),
    ("cc-by-nc-4.0", None),
    ("other", Some("qwen-tongyi-qianwen-license.txt")),
    ("apache-2.0", None),
    ("llama3.2", None),
];

fn tensors(h: u64, layers: u64, inter: u64, vocab: u64, phi: bool) -> Vec<(String, Vec<u64>)> {
    let mut t = vec![("model.embed_tokens.weight".to_string(), vec![vocab, h])];
    let kv = h / 4;
    for l in 0..layers {
        let p = format!("model.layers.{l}");
        t.push((format!("{p}.input_layernorm.weight"), vec![h]));
        if phi {
            t.push((
                format!("{p}.self_attn.qkv_proj.weight"),
                vec![h + 2 * kv, h],
            ));
            t.push((format!("{p}.mlp.gate_up_proj.weight"), vec![2 * inter, h]));
        } else {
            t.push((format!("{p}.self_attn.q_proj.weight"), vec![h, h]));
            t.push((format!("{p}.self_attn.k_proj.weight"), vec![kv, h]));
            t.push((format!("{p}.self_attn.v_proj.weight"), vec![kv, h]));
            t.push((format!("{p}.mlp.gate_proj.weight"), vec![inter, h]));
            t.push((format!("{p}.mlp.up_proj.weight"), vec![inter, h]));
        }
        t.push((format!("{p}.self_attn.o_proj.weight"), vec![h, h]));
        t.push((format!("{p}.post_attention_layernorm.weight"), vec![h]));
        t.push((format!("{p}.mlp.down_proj.weight"), vec![h, inter]));
    }
    t.push(("model.norm.weight".to_string(), vec![h]));
    t.push(("lm_head.weight".to_string(), vec![vocab, h]));
    t
}

/// Puts `bytes` (or, for a sparse file, `write`) into `blobs/` under a
/// content-derived name and links `snap/name` to it.
struct Repo<'a> {
    dir: &'a Path,
}

impl Repo<'_> {
    fn link(&self, snap: &Path, name: &str, blob: &str) -> io::Result<()> {
        symlink(format!("../../blobs/{blob}"), snap.join(name))
    }

    fn small(&self, snap: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
        let blob = format!("{:x}", Sha256::digest(bytes));
        let path = self.dir.join("blobs").join(&blob);
        if !path.exists() {
            fs::write(path, bytes)?;
        }
        self.link(snap, name, &blob)
    }

    fn sparse(
        &self,
        snap: &Path,
        name: &str,
        meta: &[(&str, &str, &[u64], u64)],
    ) -> io::Result<()> {
        let mut h = Sha256::new();
        h.update(fixture_gen::header_json(meta));
        h.update(meta.iter().map(|m| m.3).sum::<u64>().to_le_bytes());
        let blob = format!("{:x}", h.finalize());
        let path = self.dir.join("blobs").join(&blob);
        if !path.exists() {
            write_sparse_safetensors(&path, meta)?;
        }
        self.link(snap, name, &blob)
    }
}

fn write_repo(hub: &Path, i: usize, rng: &mut Rng, corpus: &Path) -> io::Result<()> {
    let (family, arch, model_type) = FAMILIES[i % FAMILIES.len()];
    // Mostly small models, some large: as a real cache holds them.
    let size = match rng.next_u64() % 20 {
        0..=7 => 0,
        8..=11 => 1,
        12..=14 => 2,
        15..=16 => 3,
        17 => 4,
        18 => 5,
        _ => 6,
    };
    let (h, layers, inter, vocab, shards) = SIZES[size];
    let (license, text) = LICENSES[i % LICENSES.len()];
    let org = format!("org{}", i % 97);
    let name = format!("{family}-{i:04}");
    let dir = hub.join(format!("models--{org}--{name}"));
    fs::create_dir_all(dir.join("blobs"))?;
    fs::create_dir_all(dir.join("refs"))?;
    let repo = Repo { dir: &dir };
    let list = tensors(h, layers, inter, vocab, family == "phi");
    let sizes: Vec<u64> = list
        .iter()
        .map(|(_, s)| s.iter().product::<u64>() * 2)
        .collect();
    let revisions = 1 + (i % 3);
    let mut last = String::new();
    for rev in 0..revisions {
        let commit = format!("{:040x}", Sha256::digest(format!("{i}/{rev}")))[..40].to_string();
        let snap = dir.join("snapshots").join(&commit);
        fs::create_dir_all(&snap)?;
        let config = json!({
            "architectures": [arch], "model_type": model_type, "hidden_size": h,
            "intermediate_size": inter, "num_hidden_layers": layers,
            "num_attention_heads": h / 128, "num_key_value_heads": h / 512,
            "vocab_size": vocab, "max_position_embeddings": 8192 * (rev as u64 + 1),
            "torch_dtype": "bfloat16", "tie_word_embeddings": false,
        });
        repo.small(&snap, "config.json", &serde_json::to_vec_pretty(&config)?)?;
        repo.small(
            &snap,
            "generation_config.json",
            br#"{"do_sample": true, "temperature": 0.6}"#,
        )?;
        let card = format!(
            "---\nlicense: {license}\n{}library_name: transformers\ntags: [text-generation]\n---\n\n# {name}\n\nRevision {rev}.\n",
            if license == "other" { "license_name: tongyi-qianwen\n" } else { "" }
        );
        repo.small(&snap, "README.md", card.as_bytes())?;
        if let Some(t) = text {
            repo.small(&snap, "LICENSE", &fs::read(corpus.join(t))?)?;
        }
        repo.small(
            &snap,
            "tokenizer_config.json",
            br#"{"bos_token": "<s>", "eos_token": "</s>", "model_max_length": 8192}"#,
        )?;
        // Weights: the same blobs in every revision.
        let groups = split_into_shards(&sizes, shards);
        let mut weight_map: BTreeMap<&str, String> = BTreeMap::new();
        for (n, g) in groups.iter().enumerate() {
            let file = if shards == 1 {
                "model.safetensors".to_string()
            } else {
                format!("model-{:05}-of-{:05}.safetensors", n + 1, shards)
            };
            let meta: Vec<(&str, &str, &[u64], u64)> = g
                .clone()
                .map(|k| (list[k].0.as_str(), "BF16", list[k].1.as_slice(), sizes[k]))
                .collect();
            for m in &meta {
                weight_map.insert(m.0, file.clone());
            }
            repo.sparse(&snap, &file, &meta)?;
        }
        if shards > 1 {
            let index = json!({"metadata": {"total_size": sizes.iter().sum::<u64>()}, "weight_map": weight_map});
            repo.small(
                &snap,
                "model.safetensors.index.json",
                &serde_json::to_vec(&index)?,
            )?;
        }
        if rev > 0 {
            fs::write(dir.join("refs").join(format!("pr-{rev}")), &last)?;
        }
        last = commit;
    }
    fs::write(dir.join("refs/main"), &last)
}

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (hub, repos) = match args.as_slice() {
        [dir] => (dir.clone(), 1000),
        [dir, n] => match n.parse::<usize>() {
            Ok(n) => (dir.clone(), n),
            Err(_) => usage(),
        },
        _ => usage(),
    };
    let hub = Path::new(&hub);
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/license-corpus/texts");
    let mut rng = Rng::new(31);
    for i in 0..repos {
        write_repo(hub, i, &mut rng, &corpus)?;
    }
    eprintln!("wrote {repos} repos to {}", hub.display());
    Ok(())
}

fn usage() -> ! {
    eprintln!("usage: gen_fleet_cache HUB_DIR [REPOS]");
    std::process::exit(2)
}
