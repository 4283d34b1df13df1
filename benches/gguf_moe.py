"""Writes a mixture-of-experts Llama F16 GGUF (Mixtral's layout: stacked
`ffn_{gate,up,down}_exps`, a router `ffn_gate_inp`) derived from
SmolLM2-135M-Instruct, so that the bench has a mixture of experts with a
real tokenizer and an answer that is not flat:

    python gguf_moe.py SmolLM2-135M-Instruct.Q4_1.gguf OUT.gguf [EXPERTS [USED [NOISE]]]

SmolLM2 widened by benches/gguf_widen.py (hidden 768, 12 heads / 4 KV heads
of 64, 30 layers, tied embedding: multiples of 256, so llama.cpp's K-quants
apply); each layer's MLP becomes EXPERTS experts (default 4) of width 1536,
USED (default 2) per token. Expert e of a layer is SmolLM2's MLP with every
weight multiplied by (1 + NOISE n) (NOISE 0.1 unless given; 0 makes the
experts equal, so that routing cannot matter), n standard normal, seeded
per layer and expert: the mixture computes roughly SmolLM2's function (the weights of the
chosen experts add up to 1), while which experts a token goes to changes
the answer a little, so that a routing mistake shows. The router's rows are
normal with standard deviation 1/sqrt(768) (logits of order 1), seeded,
kept F32 (llama.cpp does not quantize `ffn_gate_inp`).

Tokenizer and other metadata: SmolLM2's, plus `llama.expert_count` and
`llama.expert_used_count`. Needs numpy and the `gguf` package, as
benches/smoke_gguf.sh installs them.
"""

import sys

import numpy as np
from gguf import GGUFReader, GGUFWriter

import gguf_widen as wide

def main(src, dst, experts, used, noise):
    """The mixture of `src` (SmolLM2's Llama GGUF) as an F16 GGUF `dst`."""
    reader = GGUFReader(src)
    writer = GGUFWriter(dst, "llama")
    sizes = dict(wide.SIZES)
    sizes["general.name"] = "SmolLM2 135M as a mixture of experts (mri bench)"
    wide.copy_metadata(reader, writer, sizes)
    writer.add_uint32("llama.expert_count", experts)
    writer.add_uint32("llama.expert_used_count", used)

    mlp = {}
    for name, w in wide.widened(reader):
        block, _, kind = name.rpartition(".ffn_")
        if kind in ("gate.weight", "up.weight", "down.weight"):
            mlp[kind] = w
            if len(mlp) < 3:
                continue
            layer = int(block.split(".")[1])
            rng = np.random.default_rng(1000 + layer)
            router = rng.standard_normal((experts, wide.HIDDEN)) / np.sqrt(wide.HIDDEN)
            writer.add_tensor(f"{block}.ffn_gate_inp.weight", router.astype(np.float32))
            for part in ("gate", "up", "down"):
                base = mlp[f"{part}.weight"]
                stacked = np.stack(
                    [base * (1 + noise * rng.standard_normal(base.shape, dtype=np.float32)) for _ in range(experts)]
                )
                writer.add_tensor(f"{block}.ffn_{part}_exps.weight", stacked.astype(np.float16))
            mlp = {}
        else:
            writer.add_tensor(name, w if w.ndim == 1 else w.astype(np.float16))
    wide.finish(writer)


if __name__ == "__main__":
    args = sys.argv[1:]
    experts = int(args[2]) if len(args) > 2 else 4
    used = int(args[3]) if len(args) > 3 else 2
    main(args[0], args[1], experts, used, float(args[4]) if len(args) > 4 else 0.1)
