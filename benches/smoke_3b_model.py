"""Writes the Llama-shaped models of issue 32 for benches/smoke_3b.sh, with
random BF16 weights (seeded) in safetensors shards with their index, and
SmolLM2's real tokenizer (vocabulary 49152), rebuilt as tokenizer.json from
the tokenizer embedded in SmolLM2's GGUF:

- 3b (the default): hidden 3072, 28 layers, 24 query / 8 key-value heads,
  FFN 8192, vocabulary 49152, tied embeddings; 3 shards, 5.94 GB.
- 8b: Llama-3-8B's shape (hidden 4096, 32 layers, 32 / 8 heads, FFN 14336,
  an untied LM head) but SmolLM2's vocabulary of 49152, not Llama 3's
  128256 (no tokenizer of that size is at hand); 8 shards, 14.8 GB.
- 16b: a model larger than the 24 GB machine's memory, for `mri smoke
  --stream` (hidden 6144, 40 layers, 48 / 8 heads, FFN 16384, vocabulary
  49152, an untied LM head); 10 shards, 32.4 GB.

    python -P benches/smoke_3b_model.py OUT_DIR SMOLLM2.gguf [3b|8b|16b]

Needs torch, safetensors, tokenizers and gguf (the bench's venv); the 16b
shape needs only numpy, tokenizers and gguf (its shards are written tensor
by tensor as they are drawn, never held whole: torch's CUDA wheel alone would
not fit on the disk beside 32 GB of weights). Writes nothing when
OUT_DIR/config.json exists already (delete the folder to redo).
"""
import json
import os
import sys

SIZE = sys.argv[3] if len(sys.argv) > 3 else "3b"
# hidden, layers, heads, kv heads, FFN, vocabulary, tied, layers per shard
SHAPES = {
    "3b": (3072, 28, 24, 8, 8192, 49152, True, [range(0, 9), range(9, 19), range(19, 28)]),
    "8b": (4096, 32, 32, 8, 14336, 49152, False, [range(i, i + 4) for i in range(0, 32, 4)]),
    "16b": (6144, 40, 48, 8, 16384, 49152, False, [range(i, i + 4) for i in range(0, 40, 4)]),
}
HIDDEN, LAYERS, HEADS, KV_HEADS, FFN, VOCAB, TIED, SHARDS = SHAPES[SIZE]
HEAD_DIM = HIDDEN // HEADS
STD = 0.02
# The final norm's scale: with random weights the logits would otherwise be
# nearly uniform; a wider spread gives a top-5 that is not decided by noise.
FINAL_NORM = 2.0


def tokenizer_from_gguf(gguf_path, out_dir):
    """SmolLM2's tokenizer as tokenizer.json: byte-level BPE, its vocabulary
    and merges from the GGUF, digits split one by one (llama.cpp's `smollm`
    pre-tokenizer, as in the original tokenizer.json), control tokens special."""
    from gguf import GGUFReader
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, processors

    reader = GGUFReader(gguf_path)

    def field(name):
        f = reader.fields[name]
        if len(f.types) > 1 and f.types[0].name == "ARRAY":
            return [bytes(f.parts[i]).decode("utf-8") if f.types[1].name == "STRING" else int(f.parts[i][0])
                    for i in f.data]
        value = f.parts[f.data[0]]
        return bytes(value).decode("utf-8") if f.types[0].name == "STRING" else int(value[0])

    tokens = field("tokenizer.ggml.tokens")
    merges = [tuple(m.split(" ", 1)) for m in field("tokenizer.ggml.merges")]
    types = field("tokenizer.ggml.token_type")
    assert len(tokens) == VOCAB, f"SmolLM2's vocabulary has {len(tokens)} tokens, not {VOCAB}"
    bpe = models.BPE(vocab={t: i for i, t in enumerate(tokens)}, merges=merges)
    tok = Tokenizer(bpe)
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
    ])
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    # token_type 3: control tokens (<|im_start|>, <|endoftext|>, ...)
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False)
                            for t, k in zip(tokens, types) if k == 3])
    tok.save(os.path.join(out_dir, "tokenizer.json"))
    bos, eos = field("tokenizer.ggml.bos_token_id"), field("tokenizer.ggml.eos_token_id")
    with open(os.path.join(out_dir, "tokenizer_config.json"), "w") as f:
        json.dump({
            "tokenizer_class": "PreTrainedTokenizerFast",
            "add_bos_token": False,
            "bos_token": tokens[bos],
            "eos_token": tokens[eos],
            "model_max_length": 8192,
        }, f, indent=2)
    return bos, eos


def shard_contents(n):
    """The tensors of shard `n`, in order: (name, shape, kind), kind one of
    "normal" (random, STD), "ones" or "final" (the final norm's scale)."""
    out = []
    if n == 0:
        out.append(("model.embed_tokens.weight", (VOCAB, HIDDEN), "normal"))
    for i in SHARDS[n]:
        p = f"model.layers.{i}."
        out += [
            (p + "input_layernorm.weight", (HIDDEN,), "ones"),
            (p + "post_attention_layernorm.weight", (HIDDEN,), "ones"),
            (p + "self_attn.q_proj.weight", (HEADS * HEAD_DIM, HIDDEN), "normal"),
            (p + "self_attn.k_proj.weight", (KV_HEADS * HEAD_DIM, HIDDEN), "normal"),
            (p + "self_attn.v_proj.weight", (KV_HEADS * HEAD_DIM, HIDDEN), "normal"),
            (p + "self_attn.o_proj.weight", (HIDDEN, HEADS * HEAD_DIM), "normal"),
            (p + "mlp.gate_proj.weight", (FFN, HIDDEN), "normal"),
            (p + "mlp.up_proj.weight", (FFN, HIDDEN), "normal"),
            (p + "mlp.down_proj.weight", (HIDDEN, FFN), "normal"),
        ]
    if n == len(SHARDS) - 1:
        out.append(("model.norm.weight", (HIDDEN,), "final"))
        if not TIED:
            out.append(("lm_head.weight", (VOCAB, HIDDEN), "normal"))
    return out


def write_shards_numpy(out_dir):
    """Every shard in the safetensors format (an 8-byte header length, the
    JSON header, the data), each tensor drawn with numpy in row blocks and
    written as BF16 (the f32 value's upper half) as it is drawn."""
    import numpy as np

    rng = np.random.default_rng(32)
    weight_map, total = {}, 0
    for n in range(len(SHARDS)):
        name = f"model-{n + 1:05d}-of-{len(SHARDS):05d}.safetensors"
        contents = shard_contents(n)
        header, offset = {"__metadata__": {"format": "pt"}}, 0
        for key, shape, _ in contents:
            size = 2 * int(np.prod(shape))
            header[key] = {"dtype": "BF16", "shape": list(shape), "data_offsets": [offset, offset + size]}
            offset += size
        head = json.dumps(header, separators=(",", ":")).encode()
        head += b" " * (-len(head) % 8)
        with open(os.path.join(out_dir, name), "wb") as f:
            f.write(len(head).to_bytes(8, "little") + head)
            for key, shape, kind in contents:
                if kind != "normal":
                    value = 1.0 if kind == "ones" else FINAL_NORM
                    f.write((np.full(shape, value, np.float32).view(np.uint32) >> 16).astype(np.uint16).tobytes())
                    continue
                rows = max(1, (1 << 24) // shape[1])
                for start in range(0, shape[0], rows):
                    block = rng.standard_normal((min(rows, shape[0] - start), shape[1]), dtype=np.float32)
                    block *= STD
                    f.write((block.view(np.uint32) >> 16).astype(np.uint16).tobytes())
        for key, _, _ in contents:
            weight_map[key] = name
        total += offset
        print(f"wrote {name}: {len(contents)} tensors", flush=True)
    return weight_map, total


def write_shards_torch(out_dir):
    """Every shard with torch: the tensors of `shard_contents` drawn in its
    order from one seeded generator, written by safetensors."""
    import torch
    from safetensors.torch import save_file

    gen = torch.Generator().manual_seed(32)
    weight_map, total = {}, 0
    for n in range(len(SHARDS)):
        name = f"model-{n + 1:05d}-of-{len(SHARDS):05d}.safetensors"
        tensors = {}
        for key, shape, kind in shard_contents(n):
            if kind == "normal":
                t = torch.randn(shape, generator=gen, dtype=torch.float32).mul_(STD)
                tensors[key] = t.to(torch.bfloat16)
            else:
                value = 1.0 if kind == "ones" else FINAL_NORM
                tensors[key] = torch.full(shape, value, dtype=torch.bfloat16)
        save_file(tensors, os.path.join(out_dir, name), metadata={"format": "pt"})
        for k, t in tensors.items():
            weight_map[k] = name
            total += t.numel() * t.element_size()
        print(f"wrote {name}: {len(tensors)} tensors", flush=True)
        del tensors
    return weight_map, total


def main():
    out_dir, gguf_path = sys.argv[1], sys.argv[2]
    if os.path.exists(os.path.join(out_dir, "config.json")):
        print(f"{out_dir} exists; kept")
        return
    os.makedirs(out_dir, exist_ok=True)
    bos, eos = tokenizer_from_gguf(gguf_path, out_dir)
    if SIZE == "16b":
        weight_map, total = write_shards_numpy(out_dir)
    else:
        weight_map, total = write_shards_torch(out_dir)
    with open(os.path.join(out_dir, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)
    config = {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": HIDDEN,
        "intermediate_size": FFN,
        "num_hidden_layers": LAYERS,
        "num_attention_heads": HEADS,
        "num_key_value_heads": KV_HEADS,
        "head_dim": HEAD_DIM,
        "vocab_size": VOCAB,
        "hidden_act": "silu",
        "max_position_embeddings": 8192,
        "rms_norm_eps": 1e-5,
        "rope_theta": 100000.0,
        "tie_word_embeddings": TIED,
        "attention_bias": False,
        "mlp_bias": False,
        "bos_token_id": bos,
        "eos_token_id": eos,
        "torch_dtype": "bfloat16",
    }
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(config, f, indent=2)
    print(f"{out_dir}: {total / 1e9:.2f} GB of BF16 weights")


if __name__ == "__main__":
    main()
