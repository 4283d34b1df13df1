//! Generator of the tiny model fixtures under `fixtures/` and of the sparse
//! Llama-3.1-405B-shaped checkpoint. Deterministic: the same call writes the
//! same bytes, so `fixtures/` can be checked against a fresh run.
//!
//! Shared by the tests (`mod support`) and `examples/gen_fixtures.rs`.
#![allow(dead_code)]

#[path = "gguf_gen.rs"]
pub mod gguf_gen;

use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// SplitMix64: small, deterministic, good enough for random weights.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [-1, 1).
    pub fn unit(&mut self) -> f32 {
        ((self.next_u64() >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }
}

/// One tensor to write: name, dtype, shape, raw little-endian bytes.
pub struct TensorData {
    pub name: String,
    pub dtype: String,
    pub shape: Vec<u64>,
    pub bytes: Vec<u8>,
}

fn bf16_bits(x: f32) -> u16 {
    let bits = x.to_bits();
    // round to nearest even
    let rounding = 0x7FFF + ((bits >> 16) & 1);
    ((bits.wrapping_add(rounding)) >> 16) as u16
}

/// A BF16 tensor of uniform values in [-scale, scale).
pub fn random_bf16(rng: &mut Rng, name: &str, shape: &[u64], scale: f32) -> TensorData {
    let n: u64 = shape.iter().product();
    let mut bytes = Vec::with_capacity(n as usize * 2);
    for _ in 0..n {
        bytes.extend_from_slice(&bf16_bits(rng.unit() * scale).to_le_bytes());
    }
    TensorData {
        name: name.into(),
        dtype: "BF16".into(),
        shape: shape.to_vec(),
        bytes,
    }
}

/// A BF16 tensor of ones (norm weights).
pub fn ones_bf16(name: &str, shape: &[u64]) -> TensorData {
    filled_bf16(name, shape, 1.0)
}

/// A BF16 tensor of one value everywhere.
pub fn filled_bf16(name: &str, shape: &[u64], value: f32) -> TensorData {
    let n: u64 = shape.iter().product();
    let one = bf16_bits(value).to_le_bytes();
    TensorData {
        name: name.into(),
        dtype: "BF16".into(),
        shape: shape.to_vec(),
        bytes: one.iter().copied().cycle().take(n as usize * 2).collect(),
    }
}

/// The JSON header for tensors laid out back to back, padded to 8 bytes.
pub fn header_json(tensors: &[(&str, &str, &[u64], u64)]) -> Vec<u8> {
    let mut map = Map::new();
    map.insert("__metadata__".into(), json!({"format": "pt"}));
    let mut offset = 0u64;
    for (name, dtype, shape, len) in tensors {
        map.insert(
            (*name).to_string(),
            json!({"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len]}),
        );
        offset += len;
    }
    let mut header = serde_json::to_vec(&Value::Object(map)).expect("json");
    while !header.len().is_multiple_of(8) {
        header.push(b' ');
    }
    header
}

/// Writes a safetensors file with the given tensors.
pub fn write_safetensors(path: &Path, tensors: &[TensorData]) -> io::Result<()> {
    let meta: Vec<(&str, &str, &[u64], u64)> = tensors
        .iter()
        .map(|t| {
            (
                t.name.as_str(),
                t.dtype.as_str(),
                t.shape.as_slice(),
                t.bytes.len() as u64,
            )
        })
        .collect();
    let header = header_json(&meta);
    let mut f = io::BufWriter::new(fs::File::create(path)?);
    f.write_all(&(header.len() as u64).to_le_bytes())?;
    f.write_all(&header)?;
    for t in tensors {
        f.write_all(&t.bytes)?;
    }
    f.flush()
}

/// Writes a safetensors file whose data is a hole: header only, then
/// `set_len` to the full size (a sparse file on most file systems).
pub fn write_sparse_safetensors(
    path: &Path,
    tensors: &[(&str, &str, &[u64], u64)],
) -> io::Result<()> {
    let header = header_json(tensors);
    let data: u64 = tensors.iter().map(|t| t.3).sum();
    let mut f = fs::File::create(path)?;
    f.write_all(&(header.len() as u64).to_le_bytes())?;
    f.write_all(&header)?;
    f.set_len(8 + header.len() as u64 + data)
}

/// Splits `sizes` into exactly `n` consecutive non-empty groups of about equal bytes.
pub fn split_into_shards(sizes: &[u64], n: usize) -> Vec<std::ops::Range<usize>> {
    assert!(n >= 1 && n <= sizes.len());
    let total: u64 = sizes.iter().sum();
    let mut groups = Vec::with_capacity(n);
    let mut start = 0;
    let mut acc = 0u64;
    for shard in 0..n {
        let remaining_shards = n - shard;
        if remaining_shards == 1 {
            groups.push(start..sizes.len());
            break;
        }
        let target = total * (shard as u64 + 1) / n as u64;
        let mut end = start + 1;
        acc += sizes[start];
        // take more while under target and enough tensors remain for the rest
        while end < sizes.len() - (remaining_shards - 1) && acc + sizes[end] / 2 < target {
            acc += sizes[end];
            end += 1;
        }
        groups.push(start..end);
        start = end;
    }
    groups
}

fn write_json(path: &Path, value: &Value) -> io::Result<()> {
    let mut text = serde_json::to_string_pretty(value).expect("json");
    text.push('\n');
    fs::write(path, text)
}

// ---------------------------------------------------------------- tokenizer

/// GPT-2's byte-to-character table of byte-level BPE.
pub fn bytes_to_unicode() -> Vec<char> {
    let mut printable: Vec<u32> = (b'!' as u32..=b'~' as u32).collect();
    printable.extend(0xA1..=0xAC);
    printable.extend(0xAE..=0xFF);
    let mut table = vec!['\0'; 256];
    let mut extra = 0;
    for b in 0..256u32 {
        if printable.contains(&b) {
            table[b as usize] = char::from_u32(b).expect("char");
        } else {
            table[b as usize] = char::from_u32(256 + extra).expect("char");
            extra += 1;
        }
    }
    table
}

const CORPUS: &str =
    "The quick brown fox jumps over the lazy dog. The capital of France is Paris. \
A model repository holds the weights, the tokenizer and the configuration of a model. \
The license of the model says whether you may use it in a commercial product. \
Tensors have a name, a dtype and a shape; the header of the file lists them all. \
The tokenizer turns the text into tokens, and the model predicts the next token.";

/// A byte-level BPE tokenizer trained on a small corpus: `merges` merges on
/// top of the 256 byte symbols, then the special tokens.
pub struct Bpe {
    pub vocab: Vec<String>,
    pub merges: Vec<(String, String)>,
    pub specials: Vec<String>,
}

impl Bpe {
    pub fn train(merges: usize, specials: &[&str]) -> Bpe {
        let table = bytes_to_unicode();
        let mut vocab: Vec<String> = table.iter().map(|c| c.to_string()).collect();
        // words with their leading space, as GPT-2's pre-tokenizer splits
        let mut words: BTreeMap<Vec<String>, u64> = BTreeMap::new();
        for (i, w) in CORPUS.split(' ').enumerate() {
            let text = if i == 0 {
                w.to_string()
            } else {
                format!(" {w}")
            };
            let symbols = text
                .bytes()
                .map(|b| table[b as usize].to_string())
                .collect();
            *words.entry(symbols).or_default() += 1;
        }
        let mut merge_list = Vec::new();
        for _ in 0..merges {
            let mut pairs: BTreeMap<(String, String), u64> = BTreeMap::new();
            for (w, n) in &words {
                for p in w.windows(2) {
                    *pairs.entry((p[0].clone(), p[1].clone())).or_default() += n;
                }
            }
            let Some(best) = pairs
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
                .map(|(p, _)| p.clone())
            else {
                break;
            };
            let merged = format!("{}{}", best.0, best.1);
            let mut next = BTreeMap::new();
            for (w, n) in words {
                let mut out = Vec::with_capacity(w.len());
                let mut i = 0;
                while i < w.len() {
                    if i + 1 < w.len() && w[i] == best.0 && w[i + 1] == best.1 {
                        out.push(merged.clone());
                        i += 2;
                    } else {
                        out.push(w[i].clone());
                        i += 1;
                    }
                }
                *next.entry(out).or_default() += n;
            }
            words = next;
            vocab.push(merged);
            merge_list.push(best);
        }
        Bpe {
            vocab,
            merges: merge_list,
            specials: specials.iter().map(|s| s.to_string()).collect(),
        }
    }

    pub fn special_id(&self, token: &str) -> u64 {
        let pos = self
            .specials
            .iter()
            .position(|s| s == token)
            .expect("special token");
        (self.vocab.len() + pos) as u64
    }

    pub fn size(&self) -> u64 {
        (self.vocab.len() + self.specials.len()) as u64
    }

    /// tokenizer.json in the format of the `tokenizers` library; `bos` is
    /// prepended by the post-processor when given.
    pub fn tokenizer_json(&self, bos: Option<&str>) -> Value {
        let vocab: Map<String, Value> = self
            .vocab
            .iter()
            .enumerate()
            .map(|(i, t)| (t.clone(), json!(i)))
            .collect();
        let added: Vec<Value> = self
            .specials
            .iter()
            .map(|s| {
                json!({"id": self.special_id(s), "content": s, "single_word": false, "lstrip": false,
                       "rstrip": false, "normalized": false, "special": true})
            })
            .collect();
        let post = match bos {
            Some(b) => json!({
                "type": "TemplateProcessing",
                "single": [{"SpecialToken": {"id": b, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                "pair": [{"SpecialToken": {"id": b, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                         {"SpecialToken": {"id": b, "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
                "special_tokens": {b: {"id": b, "ids": [self.special_id(b)], "tokens": [b]}}
            }),
            None => {
                json!({"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": true})
            }
        };
        json!({
            "version": "1.0",
            "truncation": null,
            "padding": null,
            "added_tokens": added,
            "normalizer": null,
            "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
            "post_processor": post,
            "decoder": {"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true, "use_regex": true},
            "model": {
                "type": "BPE", "dropout": null, "unk_token": null, "continuing_subword_prefix": null,
                "end_of_word_suffix": null, "fuse_unk": false, "byte_fallback": false, "ignore_merges": false,
                "vocab": vocab,
                "merges": self.merges.iter().map(|(a, b)| format!("{a} {b}")).collect::<Vec<_>>()
            }
        })
    }
}

// ---------------------------------------------------------------- models

/// The shape of a tiny decoder fixture.
pub struct TinySpec {
    pub name: &'static str,
    pub model_type: &'static str,
    pub architecture: &'static str,
    pub hidden: u64,
    pub layers: u64,
    pub heads: u64,
    pub kv_heads: u64,
    pub head_dim: u64,
    pub intermediate: u64,
    pub vocab_rows: u64,
    pub qk_norm: bool,
    pub tie: bool,
    pub shards: usize,
    pub bos: Option<&'static str>,
    pub eos: &'static str,
    pub specials: &'static [&'static str],
    pub license: &'static str,
    pub seed: u64,
}

pub const TINY_LLAMA: TinySpec = TinySpec {
    name: "tiny-llama",
    model_type: "llama",
    architecture: "LlamaForCausalLM",
    hidden: 32,
    layers: 2,
    heads: 4,
    kv_heads: 2,
    head_dim: 8,
    intermediate: 64,
    vocab_rows: 384,
    qk_norm: false,
    tie: false,
    shards: 1,
    bos: Some("<|begin_of_text|>"),
    eos: "<|eot_id|>",
    specials: &["<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>"],
    license: "llama3.1",
    seed: 1,
};

pub const TINY_QWEN3: TinySpec = TinySpec {
    name: "tiny-qwen3",
    model_type: "qwen3",
    architecture: "Qwen3ForCausalLM",
    hidden: 32,
    layers: 2,
    heads: 4,
    kv_heads: 2,
    head_dim: 16,
    intermediate: 64,
    vocab_rows: 336,
    qk_norm: true,
    tie: true,
    shards: 1,
    bos: None,
    eos: "<|im_end|>",
    specials: &["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
    license: "apache-2.0",
    seed: 2,
};

pub const TINY_LLAMA_SHARDED: TinySpec = TinySpec {
    name: "tiny-llama-sharded",
    shards: 3,
    layers: 4,
    license: "mit",
    seed: 3,
    ..TINY_LLAMA
};

/// The weight of the tiny decoders' final norm.
pub const FINAL_NORM: f32 = 16.0;

/// The tensors of a tiny decoder, in the order a checkpoint stores them.
pub fn tiny_tensors(spec: &TinySpec) -> Vec<TensorData> {
    let mut rng = Rng::new(spec.seed);
    let h = spec.hidden;
    let q = spec.heads * spec.head_dim;
    let kv = spec.kv_heads * spec.head_dim;
    let mut t = vec![random_bf16(
        &mut rng,
        "model.embed_tokens.weight",
        &[spec.vocab_rows, h],
        0.05,
    )];
    for l in 0..spec.layers {
        let p = format!("model.layers.{l}");
        t.push(ones_bf16(&format!("{p}.input_layernorm.weight"), &[h]));
        t.push(random_bf16(
            &mut rng,
            &format!("{p}.self_attn.q_proj.weight"),
            &[q, h],
            0.1,
        ));
        t.push(random_bf16(
            &mut rng,
            &format!("{p}.self_attn.k_proj.weight"),
            &[kv, h],
            0.1,
        ));
        t.push(random_bf16(
            &mut rng,
            &format!("{p}.self_attn.v_proj.weight"),
            &[kv, h],
            0.1,
        ));
        t.push(random_bf16(
            &mut rng,
            &format!("{p}.self_attn.o_proj.weight"),
            &[h, q],
            0.1,
        ));
        if spec.qk_norm {
            t.push(ones_bf16(
                &format!("{p}.self_attn.q_norm.weight"),
                &[spec.head_dim],
            ));
            t.push(ones_bf16(
                &format!("{p}.self_attn.k_norm.weight"),
                &[spec.head_dim],
            ));
        }
        t.push(ones_bf16(
            &format!("{p}.post_attention_layernorm.weight"),
            &[h],
        ));
        t.push(random_bf16(
            &mut rng,
            &format!("{p}.mlp.gate_proj.weight"),
            &[spec.intermediate, h],
            0.1,
        ));
        t.push(random_bf16(
            &mut rng,
            &format!("{p}.mlp.up_proj.weight"),
            &[spec.intermediate, h],
            0.1,
        ));
        t.push(random_bf16(
            &mut rng,
            &format!("{p}.mlp.down_proj.weight"),
            &[h, spec.intermediate],
            0.1,
        ));
    }
    // The final norm spreads the hidden state so that the random head's
    // logits carry some information: a random tiny model's next-token
    // distribution is otherwise within 1% of uniform, which `mri smoke`
    // rightly calls degenerate.
    t.push(filled_bf16("model.norm.weight", &[h], FINAL_NORM));
    if !spec.tie {
        t.push(random_bf16(
            &mut rng,
            "lm_head.weight",
            &[spec.vocab_rows, h],
            0.05,
        ));
    }
    t
}

/// The parameter count of a tiny decoder, computed from its spec (for tests).
pub fn tiny_parameters(spec: &TinySpec) -> u64 {
    tiny_tensors(spec)
        .iter()
        .map(|t| t.shape.iter().product::<u64>())
        .sum()
}

/// Writes a tiny model directory at `dir`.
pub fn write_tiny_model(dir: &Path, spec: &TinySpec) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    let bpe = Bpe::train(64, spec.specials);
    let eos_id = bpe.special_id(spec.eos);
    let bos_id = spec.bos.map(|b| bpe.special_id(b));
    let mut config = json!({
        "architectures": [spec.architecture],
        "model_type": spec.model_type,
        "hidden_size": spec.hidden,
        "num_hidden_layers": spec.layers,
        "num_attention_heads": spec.heads,
        "num_key_value_heads": spec.kv_heads,
        "head_dim": spec.head_dim,
        "intermediate_size": spec.intermediate,
        "vocab_size": spec.vocab_rows,
        "max_position_embeddings": 2048,
        "rms_norm_eps": 1e-6,
        "rope_theta": 10000.0,
        "hidden_act": "silu",
        "tie_word_embeddings": spec.tie,
        "torch_dtype": "bfloat16",
        "eos_token_id": eos_id,
        "bos_token_id": bos_id,
        "attention_bias": false,
    });
    if spec.model_type == "qwen3" {
        config["sliding_window"] = Value::Null;
        config["use_sliding_window"] = json!(false);
        config["max_window_layers"] = json!(spec.layers);
    }
    write_json(&dir.join("config.json"), &config)?;
    write_json(
        &dir.join("generation_config.json"),
        &json!({"bos_token_id": bos_id, "eos_token_id": [eos_id], "do_sample": true, "temperature": 0.6, "top_p": 0.9}),
    )?;
    write_json(&dir.join("tokenizer.json"), &bpe.tokenizer_json(spec.bos))?;
    let decoder: Map<String, Value> = spec
        .specials
        .iter()
        .map(|s| {
            (bpe.special_id(s).to_string(), json!({"content": s, "lstrip": false, "normalized": false, "rstrip": false, "single_word": false, "special": true}))
        })
        .collect();
    write_json(
        &dir.join("tokenizer_config.json"),
        &json!({
            "added_tokens_decoder": decoder,
            "bos_token": spec.bos,
            "eos_token": spec.eos,
            "chat_template": "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}",
            "model_max_length": 2048,
            "tokenizer_class": "PreTrainedTokenizerFast"
        }),
    )?;
    fs::write(
        dir.join("README.md"),
        format!(
            "---\nlicense: {}\npipeline_tag: text-generation\nlibrary_name: transformers\ntags:\n- mri-fixture\nlanguage:\n- en\n---\n\n# {}\n\nA tiny {} model with random weights, generated by `cargo run --example gen_fixtures`.\nIt exists to test `mri`; it predicts nothing useful.\n",
            spec.license, spec.name, spec.model_type
        ),
    )?;

    let tensors = tiny_tensors(spec);
    if spec.shards <= 1 {
        write_safetensors(&dir.join("model.safetensors"), &tensors)?;
    } else {
        let sizes: Vec<u64> = tensors.iter().map(|t| t.bytes.len() as u64).collect();
        let groups = split_into_shards(&sizes, spec.shards);
        let mut weight_map = BTreeMap::new();
        let n = groups.len();
        let mut remaining = tensors.into_iter();
        for (i, g) in groups.iter().enumerate() {
            let name = format!("model-{:05}-of-{:05}.safetensors", i + 1, n);
            let shard: Vec<TensorData> = remaining.by_ref().take(g.len()).collect();
            for t in &shard {
                weight_map.insert(t.name.clone(), name.clone());
            }
            write_safetensors(&dir.join(&name), &shard)?;
        }
        write_json(
            &dir.join("model.safetensors.index.json"),
            &json!({"metadata": {"total_size": sizes.iter().sum::<u64>()}, "weight_map": weight_map}),
        )?;
    }
    Ok(())
}

/// Writes every bundled fixture under `root`.
pub fn write_fixtures(root: &Path) -> io::Result<()> {
    for spec in [&TINY_LLAMA, &TINY_QWEN3, &TINY_LLAMA_SHARDED] {
        write_tiny_model(&root.join(spec.name), spec)?;
    }
    gguf_gen::write_tiny_gguf(root)
}

// ---------------------------------------------------------------- 405B

/// Llama-3.1-405B's shape.
pub const L405_LAYERS: u64 = 126;
pub const L405_HIDDEN: u64 = 16384;
pub const L405_INTERMEDIATE: u64 = 53248;
pub const L405_VOCAB: u64 = 128256;
pub const L405_HEADS: u64 = 128;
pub const L405_KV_HEADS: u64 = 8;
pub const L405_SHARDS: usize = 191;
/// The parameter count the Hub reports for Llama-3.1-405B.
pub const L405_PARAMETERS: u64 = 405_853_388_800;

/// Names and shapes of Llama-3.1-405B's tensors (1,137 of them).
pub fn llama405b_tensors() -> Vec<(String, Vec<u64>)> {
    let (h, i, v) = (L405_HIDDEN, L405_INTERMEDIATE, L405_VOCAB);
    let kv = L405_KV_HEADS * 128;
    let mut t = vec![("model.embed_tokens.weight".to_string(), vec![v, h])];
    for l in 0..L405_LAYERS {
        let p = format!("model.layers.{l}");
        t.push((format!("{p}.input_layernorm.weight"), vec![h]));
        t.push((format!("{p}.self_attn.q_proj.weight"), vec![h, h]));
        t.push((format!("{p}.self_attn.k_proj.weight"), vec![kv, h]));
        t.push((format!("{p}.self_attn.v_proj.weight"), vec![kv, h]));
        t.push((format!("{p}.self_attn.o_proj.weight"), vec![h, h]));
        t.push((format!("{p}.post_attention_layernorm.weight"), vec![h]));
        t.push((format!("{p}.mlp.gate_proj.weight"), vec![i, h]));
        t.push((format!("{p}.mlp.up_proj.weight"), vec![i, h]));
        t.push((format!("{p}.mlp.down_proj.weight"), vec![h, i]));
    }
    t.push(("model.norm.weight".to_string(), vec![h]));
    t.push(("lm_head.weight".to_string(), vec![v, h]));
    t
}

/// Writes a sparse Llama-3.1-405B-shaped checkpoint (191 BF16 shards, ~811 GB
/// apparent size, a few hundred kB on disk) with its index and config.json.
pub fn write_llama405b_sparse(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    let tensors = llama405b_tensors();
    let sizes: Vec<u64> = tensors
        .iter()
        .map(|(_, s)| s.iter().product::<u64>() * 2)
        .collect();
    let groups = split_into_shards(&sizes, L405_SHARDS);
    let mut weight_map: BTreeMap<&str, String> = BTreeMap::new();
    for (n, g) in groups.iter().enumerate() {
        let name = format!("model-{:05}-of-{:05}.safetensors", n + 1, L405_SHARDS);
        let meta: Vec<(&str, &str, &[u64], u64)> = g
            .clone()
            .map(|k| {
                (
                    tensors[k].0.as_str(),
                    "BF16",
                    tensors[k].1.as_slice(),
                    sizes[k],
                )
            })
            .collect();
        for m in &meta {
            weight_map.insert(m.0, name.clone());
        }
        write_sparse_safetensors(&dir.join(&name), &meta)?;
    }
    write_json(
        &dir.join("model.safetensors.index.json"),
        &json!({"metadata": {"total_size": sizes.iter().sum::<u64>()}, "weight_map": weight_map}),
    )?;
    write_json(
        &dir.join("config.json"),
        &json!({
            "architectures": ["LlamaForCausalLM"], "model_type": "llama",
            "hidden_size": L405_HIDDEN, "intermediate_size": L405_INTERMEDIATE,
            "num_hidden_layers": L405_LAYERS, "num_attention_heads": L405_HEADS,
            "num_key_value_heads": L405_KV_HEADS, "vocab_size": L405_VOCAB,
            "max_position_embeddings": 131072, "rope_theta": 500000.0,
            "rope_scaling": {"factor": 8.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                             "original_max_position_embeddings": 8192, "rope_type": "llama3"},
            "tie_word_embeddings": false, "torch_dtype": "bfloat16",
            "bos_token_id": 128000, "eos_token_id": [128001, 128008, 128009]
        }),
    )
}

/// Every file under `dir` as relative path → bytes (for comparing trees).
pub fn read_tree(dir: &Path) -> io::Result<HashMap<String, Vec<u8>>> {
    let mut out = HashMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d)? {
            let e = e?;
            let p = e.path();
            if e.file_type()?.is_dir() {
                stack.push(p);
            } else {
                let rel = p
                    .strip_prefix(dir)
                    .expect("prefix")
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, fs::read(&p)?);
            }
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------- smoke architectures
//
// Tiny random-weight models of every architecture `mri smoke` runs, written at
// test time (not into fixtures/). Scales are chosen so that the next-token
// distribution is peaked: the top tokens are far apart, so their order does
// not depend on the CPU's floating-point details.

/// An F32 tensor of uniform values in [-scale, scale).
pub fn random_f32(rng: &mut Rng, name: &str, shape: &[u64], scale: f32) -> TensorData {
    let n: u64 = shape.iter().product();
    let mut bytes = Vec::with_capacity(n as usize * 4);
    for _ in 0..n {
        bytes.extend_from_slice(&(rng.unit() * scale).to_le_bytes());
    }
    TensorData {
        name: name.into(),
        dtype: "F32".into(),
        shape: shape.to_vec(),
        bytes,
    }
}

/// An F32 tensor of a constant.
pub fn const_f32(name: &str, shape: &[u64], value: f32) -> TensorData {
    let n: u64 = shape.iter().product();
    TensorData {
        name: name.into(),
        dtype: "F32".into(),
        shape: shape.to_vec(),
        bytes: value
            .to_le_bytes()
            .iter()
            .copied()
            .cycle()
            .take(n as usize * 4)
            .collect(),
    }
}

/// The architectures of the smoke fixtures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmokeArch {
    /// Llama 3 with `rope_scaling` of type llama3.
    Llama3,
    /// Mistral with its own `lm_head`.
    Mistral,
    /// Mistral with tied embeddings (no `lm_head` stored).
    MistralTied,
    /// Qwen2 with q/k/v biases, `sliding_window: null`, no `max_window_layers`.
    Qwen2,
    /// Gemma with both `hidden_act` and `hidden_activation`.
    Gemma,
    /// Gemma 2 with soft-capping and the extra norms, only `hidden_act`.
    Gemma2,
    /// Phi-3 with fused qkv and gate/up projections.
    Phi3,
    /// A sentence-transformers BERT with a WordPiece tokenizer padded to 128.
    Bert,
}

impl SmokeArch {
    pub const ALL: [SmokeArch; 8] = [
        SmokeArch::Llama3,
        SmokeArch::Mistral,
        SmokeArch::MistralTied,
        SmokeArch::Qwen2,
        SmokeArch::Gemma,
        SmokeArch::Gemma2,
        SmokeArch::Phi3,
        SmokeArch::Bert,
    ];

    pub fn name(self) -> &'static str {
        match self {
            SmokeArch::Llama3 => "tiny-llama3",
            SmokeArch::Mistral => "tiny-mistral",
            SmokeArch::MistralTied => "tiny-mistral-tied",
            SmokeArch::Qwen2 => "tiny-qwen2",
            SmokeArch::Gemma => "tiny-gemma",
            SmokeArch::Gemma2 => "tiny-gemma2",
            SmokeArch::Phi3 => "tiny-phi3",
            SmokeArch::Bert => "tiny-bert",
        }
    }

    fn seed(self) -> u64 {
        10 + SmokeArch::ALL.iter().position(|a| *a == self).unwrap_or(0) as u64
    }
}

const S_HIDDEN: u64 = 32;
const S_LAYERS: u64 = 2;
const S_HEADS: u64 = 4;
const S_KV: u64 = 2;
const S_INTER: u64 = 64;
const S_VOCAB: u64 = 336;

/// Writes the tiny model of `arch` into `dir`.
pub fn write_smoke_model(dir: &Path, arch: SmokeArch) -> io::Result<()> {
    if arch == SmokeArch::Bert {
        return write_tiny_bert(dir);
    }
    fs::create_dir_all(dir)?;
    let (model_type, class, bos, specials): (&str, &str, Option<&str>, &[&str]) = match arch {
        SmokeArch::Llama3 => (
            "llama",
            "LlamaForCausalLM",
            Some("<|begin_of_text|>"),
            &["<|begin_of_text|>", "<|end_of_text|>", "<|eot_id|>"],
        ),
        SmokeArch::Mistral | SmokeArch::MistralTied => (
            "mistral",
            "MistralForCausalLM",
            Some("<s>"),
            &["<unk>", "<s>", "</s>"],
        ),
        SmokeArch::Qwen2 => (
            "qwen2",
            "Qwen2ForCausalLM",
            None,
            &["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
        ),
        SmokeArch::Gemma | SmokeArch::Gemma2 => (
            if arch == SmokeArch::Gemma {
                "gemma"
            } else {
                "gemma2"
            },
            if arch == SmokeArch::Gemma {
                "GemmaForCausalLM"
            } else {
                "Gemma2ForCausalLM"
            },
            Some("<bos>"),
            &["<pad>", "<eos>", "<bos>"],
        ),
        SmokeArch::Phi3 => (
            "phi3",
            "Phi3ForCausalLM",
            Some("<s>"),
            &["<unk>", "<s>", "</s>", "<|endoftext|>"],
        ),
        SmokeArch::Bert => unreachable!(),
    };
    let bpe = Bpe::train(64, specials);
    assert!(bpe.size() <= S_VOCAB);
    let eos = match arch {
        SmokeArch::Llama3 => "<|eot_id|>",
        SmokeArch::Mistral | SmokeArch::MistralTied => "</s>",
        SmokeArch::Qwen2 => "<|im_end|>",
        SmokeArch::Gemma | SmokeArch::Gemma2 => "<eos>",
        _ => "<|endoftext|>",
    };
    let eos_id = bpe.special_id(eos);
    let gemma = matches!(arch, SmokeArch::Gemma | SmokeArch::Gemma2);
    let head_dim = if gemma { 16 } else { S_HIDDEN / S_HEADS };
    let tie = matches!(
        arch,
        SmokeArch::MistralTied | SmokeArch::Qwen2 | SmokeArch::Gemma | SmokeArch::Gemma2
    );
    let mut config = json!({
        "architectures": [class],
        "model_type": model_type,
        "hidden_size": S_HIDDEN,
        "num_hidden_layers": S_LAYERS,
        "num_attention_heads": S_HEADS,
        "num_key_value_heads": S_KV,
        "intermediate_size": S_INTER,
        "vocab_size": S_VOCAB,
        "max_position_embeddings": 2048,
        "rms_norm_eps": 1e-6,
        "rope_theta": 10000.0,
        "hidden_act": "silu",
        "tie_word_embeddings": tie,
        "torch_dtype": "bfloat16",
        "eos_token_id": eos_id,
        "bos_token_id": bos.map(|b| bpe.special_id(b)),
    });
    let c = config.as_object_mut().expect("object");
    match arch {
        SmokeArch::Llama3 => {
            c.insert("rope_theta".into(), json!(500000.0));
            c.insert(
                "rope_scaling".into(),
                json!({"factor": 8.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                       "original_max_position_embeddings": 64, "rope_type": "llama3"}),
            );
            c.insert(
                "eos_token_id".into(),
                json!([eos_id, bpe.special_id("<|end_of_text|>")]),
            );
        }
        SmokeArch::Mistral | SmokeArch::MistralTied => {
            c.insert("sliding_window".into(), Value::Null);
        }
        SmokeArch::Qwen2 => {
            // What Qwen2.5 configs say; candle rejects both as written.
            c.insert("sliding_window".into(), Value::Null);
            c.insert("use_sliding_window".into(), json!(false));
        }
        SmokeArch::Gemma => {
            c.insert("head_dim".into(), json!(head_dim));
            c.insert("hidden_act".into(), json!("gelu"));
            c.insert("hidden_activation".into(), json!("gelu_pytorch_tanh"));
        }
        SmokeArch::Gemma2 => {
            c.insert("head_dim".into(), json!(head_dim));
            c.insert("hidden_act".into(), json!("gelu_pytorch_tanh"));
            c.insert("final_logit_softcapping".into(), json!(30.0));
            c.insert("attn_logit_softcapping".into(), json!(50.0));
            c.insert("query_pre_attn_scalar".into(), json!(head_dim));
            c.insert("sliding_window".into(), json!(4096));
        }
        SmokeArch::Phi3 => {
            c.insert("rope_scaling".into(), Value::Null);
            c.insert("original_max_position_embeddings".into(), json!(2048));
        }
        SmokeArch::Bert => unreachable!(),
    }
    write_json(&dir.join("config.json"), &config)?;
    write_json(&dir.join("tokenizer.json"), &bpe.tokenizer_json(bos))?;
    write_json(
        &dir.join("tokenizer_config.json"),
        &json!({"bos_token": bos, "eos_token": eos, "model_max_length": 2048,
                "tokenizer_class": "PreTrainedTokenizerFast"}),
    )?;

    let mut rng = Rng::new(arch.seed());
    let h = S_HIDDEN;
    let q = S_HEADS * head_dim;
    let kv = S_KV * head_dim;
    // Gemma's norms scale by (1 + w): store small values around 0.
    let norm = |rng: &mut Rng, name: &str, n: u64| {
        if gemma {
            random_bf16(rng, name, &[n], 0.1)
        } else {
            ones_bf16(name, &[n])
        }
    };
    let mut t = vec![random_bf16(
        &mut rng,
        "model.embed_tokens.weight",
        &[S_VOCAB, h],
        1.0,
    )];
    for l in 0..S_LAYERS {
        let p = format!("model.layers.{l}");
        t.push(norm(&mut rng, &format!("{p}.input_layernorm.weight"), h));
        if arch == SmokeArch::Phi3 {
            t.push(random_bf16(
                &mut rng,
                &format!("{p}.self_attn.qkv_proj.weight"),
                &[q + 2 * kv, h],
                0.3,
            ));
        } else {
            for (name, rows) in [("q_proj", q), ("k_proj", kv), ("v_proj", kv)] {
                t.push(random_bf16(
                    &mut rng,
                    &format!("{p}.self_attn.{name}.weight"),
                    &[rows, h],
                    0.3,
                ));
                if arch == SmokeArch::Qwen2 {
                    t.push(random_bf16(
                        &mut rng,
                        &format!("{p}.self_attn.{name}.bias"),
                        &[rows],
                        0.1,
                    ));
                }
            }
        }
        t.push(random_bf16(
            &mut rng,
            &format!("{p}.self_attn.o_proj.weight"),
            &[h, q],
            0.3,
        ));
        t.push(norm(
            &mut rng,
            &format!("{p}.post_attention_layernorm.weight"),
            h,
        ));
        if arch == SmokeArch::Gemma2 {
            t.push(norm(
                &mut rng,
                &format!("{p}.pre_feedforward_layernorm.weight"),
                h,
            ));
            t.push(norm(
                &mut rng,
                &format!("{p}.post_feedforward_layernorm.weight"),
                h,
            ));
        }
        if arch == SmokeArch::Phi3 {
            t.push(random_bf16(
                &mut rng,
                &format!("{p}.mlp.gate_up_proj.weight"),
                &[2 * S_INTER, h],
                0.3,
            ));
        } else {
            t.push(random_bf16(
                &mut rng,
                &format!("{p}.mlp.gate_proj.weight"),
                &[S_INTER, h],
                0.3,
            ));
            t.push(random_bf16(
                &mut rng,
                &format!("{p}.mlp.up_proj.weight"),
                &[S_INTER, h],
                0.3,
            ));
        }
        t.push(random_bf16(
            &mut rng,
            &format!("{p}.mlp.down_proj.weight"),
            &[h, S_INTER],
            0.3,
        ));
    }
    t.push(norm(&mut rng, "model.norm.weight", h));
    if !tie {
        t.push(random_bf16(&mut rng, "lm_head.weight", &[S_VOCAB, h], 1.0));
    }
    write_safetensors(&dir.join("model.safetensors"), &t)
}

/// A WordPiece vocabulary from the corpus: specials, characters, words, `##` pieces.
fn wordpiece_vocab() -> Vec<String> {
    let mut v: Vec<String> = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for c in "abcdefghijklmnopqrstuvwxyz0123456789.,;:!?'-".chars() {
        v.push(c.to_string());
    }
    for c in "abcdefghijklmnopqrstuvwxyz".chars() {
        v.push(format!("##{c}"));
    }
    let mut words: Vec<String> = CORPUS
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.len() > 1)
        .map(|w| w.to_ascii_lowercase())
        .collect();
    words.sort();
    words.dedup();
    v.extend(words);
    v
}

/// A sentence-transformers-style BERT: F32 weights at the root (no `bert.`
/// prefix), a pooler candle does not use, a WordPiece tokenizer.json saved
/// with padding fixed at 128 and truncation on, and `1_Pooling/config.json`.
pub fn write_tiny_bert(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir.join("1_Pooling"))?;
    let vocab = wordpiece_vocab();
    let rows = vocab.len() as u64;
    let (h, inter, max_pos) = (S_HIDDEN, S_INTER, 64u64);
    write_json(
        &dir.join("config.json"),
        &json!({
            "architectures": ["BertModel"], "model_type": "bert",
            "hidden_size": h, "num_hidden_layers": S_LAYERS, "num_attention_heads": S_HEADS,
            "intermediate_size": inter, "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
            "attention_probs_dropout_prob": 0.1, "max_position_embeddings": max_pos,
            "type_vocab_size": 2, "initializer_range": 0.02, "layer_norm_eps": 1e-12,
            "pad_token_id": 0, "position_embedding_type": "absolute", "vocab_size": rows,
            "torch_dtype": "float32"
        }),
    )?;
    let vocab_map: Map<String, Value> = vocab
        .iter()
        .enumerate()
        .map(|(i, t)| (t.clone(), json!(i)))
        .collect();
    let added: Vec<Value> = (0..5)
        .map(|i| {
            json!({"id": i, "content": vocab[i], "single_word": false, "lstrip": false,
                        "rstrip": false, "normalized": false, "special": true})
        })
        .collect();
    write_json(
        &dir.join("tokenizer.json"),
        &json!({
            "version": "1.0",
            "truncation": {"direction": "Right", "max_length": 128, "strategy": "LongestFirst", "stride": 0},
            "padding": {"strategy": {"Fixed": 128}, "direction": "Right", "pad_to_multiple_of": null,
                        "pad_id": 0, "pad_type_id": 0, "pad_token": "[PAD]"},
            "added_tokens": added,
            "normalizer": {"type": "BertNormalizer", "clean_text": true, "handle_chinese_chars": true,
                           "strip_accents": null, "lowercase": true},
            "pre_tokenizer": {"type": "BertPreTokenizer"},
            "post_processor": {
                "type": "TemplateProcessing",
                "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                           {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
                "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                         {"SpecialToken": {"id": "[SEP]", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}},
                         {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
                "special_tokens": {
                    "[CLS]": {"id": "[CLS]", "ids": [2], "tokens": ["[CLS]"]},
                    "[SEP]": {"id": "[SEP]", "ids": [3], "tokens": ["[SEP]"]}
                }
            },
            "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": true},
            "model": {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
                      "max_input_chars_per_word": 100, "vocab": vocab_map}
        }),
    )?;
    write_json(
        &dir.join("tokenizer_config.json"),
        &json!({"cls_token": "[CLS]", "sep_token": "[SEP]", "pad_token": "[PAD]", "unk_token": "[UNK]",
                "mask_token": "[MASK]", "do_lower_case": true, "model_max_length": max_pos,
                "tokenizer_class": "BertTokenizer"}),
    )?;
    write_json(
        &dir.join("modules.json"),
        &json!([
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}
        ]),
    )?;
    write_json(
        &dir.join("1_Pooling/config.json"),
        &json!({"word_embedding_dimension": h, "pooling_mode_cls_token": false,
                "pooling_mode_mean_tokens": true, "pooling_mode_max_tokens": false,
                "pooling_mode_mean_sqrt_len_tokens": false}),
    )?;
    let mut rng = Rng::new(SmokeArch::Bert.seed());
    let ln = |t: &mut Vec<TensorData>, p: &str| {
        t.push(const_f32(&format!("{p}.weight"), &[h], 1.0));
        t.push(const_f32(&format!("{p}.bias"), &[h], 0.01));
    };
    let mut t = vec![
        random_f32(
            &mut rng,
            "embeddings.word_embeddings.weight",
            &[rows, h],
            1.0,
        ),
        random_f32(
            &mut rng,
            "embeddings.position_embeddings.weight",
            &[max_pos, h],
            0.1,
        ),
        random_f32(
            &mut rng,
            "embeddings.token_type_embeddings.weight",
            &[2, h],
            0.1,
        ),
    ];
    ln(&mut t, "embeddings.LayerNorm");
    for l in 0..S_LAYERS {
        let p = format!("encoder.layer.{l}");
        for name in ["query", "key", "value"] {
            t.push(random_f32(
                &mut rng,
                &format!("{p}.attention.self.{name}.weight"),
                &[h, h],
                0.3,
            ));
            t.push(random_f32(
                &mut rng,
                &format!("{p}.attention.self.{name}.bias"),
                &[h],
                0.1,
            ));
        }
        t.push(random_f32(
            &mut rng,
            &format!("{p}.attention.output.dense.weight"),
            &[h, h],
            0.3,
        ));
        t.push(random_f32(
            &mut rng,
            &format!("{p}.attention.output.dense.bias"),
            &[h],
            0.1,
        ));
        ln(&mut t, &format!("{p}.attention.output.LayerNorm"));
        t.push(random_f32(
            &mut rng,
            &format!("{p}.intermediate.dense.weight"),
            &[inter, h],
            0.3,
        ));
        t.push(random_f32(
            &mut rng,
            &format!("{p}.intermediate.dense.bias"),
            &[inter],
            0.1,
        ));
        t.push(random_f32(
            &mut rng,
            &format!("{p}.output.dense.weight"),
            &[h, inter],
            0.3,
        ));
        t.push(random_f32(
            &mut rng,
            &format!("{p}.output.dense.bias"),
            &[h],
            0.1,
        ));
        ln(&mut t, &format!("{p}.output.LayerNorm"));
    }
    t.push(random_f32(&mut rng, "pooler.dense.weight", &[h, h], 0.3));
    t.push(random_f32(&mut rng, "pooler.dense.bias", &[h], 0.1));
    write_safetensors(&dir.join("model.safetensors"), &t)
}
