"""Writes SmolLM2-135M-Instruct widened to sizes that are multiples of 256,
as an F16 GGUF, so that llama.cpp's K-quants and IQ4_XS (super-blocks of
256 values) really apply to every projection (at width 576 llama.cpp falls
back to Q5_0 / IQ4_NL).

    python gguf_widen.py SmolLM2-135M-Instruct.Q4_1.gguf OUT.gguf

The widened model computes the same function as the original (up to the
original's quantization, dequantized here to f32 and stored as F16):

- hidden 576 -> 768: every new column of the embedding and every new
  row/column of a projection is zero, so the new residual dimensions stay
  zero; the RMS norms' weights are scaled by sqrt(576 / 768), which undoes
  the mean over 768 values instead of 576;
- heads 9 -> 12 and KV heads 3 -> 4 (head_dim 64, groups of 3 unchanged):
  the new heads' Q/K/V rows and their columns of the output projection are
  zero, so they add nothing;
- the MLP (1536) is already a multiple of 256.

The tokenizer and every other metadata key are copied. Needs numpy and the
`gguf` package (PyPI), as benches/smoke_gguf.sh installs them.

Also a module: benches/gguf_gemma3.py and benches/gguf_moe.py build their
Gemma 3 and mixture-of-experts files on `widened` and `copy_metadata`.
"""

import sys

import numpy as np
from gguf import GGUFReader, GGUFValueType, GGUFWriter
from gguf.quants import dequantize

HIDDEN, HEADS, KV_HEADS, HEAD_DIM = 768, 12, 4, 64


def copy_metadata(reader, writer, sizes, rename=None):
    """Every key of `reader` but the architecture into `writer`, the values
    of `sizes` (key -> value, keys as in the source) replacing the source's;
    `rename` maps a source key to the key written (the same when absent)."""
    for key, field in reader.fields.items():
        if key.startswith("GGUF.") or key == "general.architecture":
            continue
        vtype = field.types[0]
        sub = field.types[-1] if vtype == GGUFValueType.ARRAY else None
        value = sizes.get(key, field.contents())
        writer.add_key_value(rename(key) if rename else key, value, vtype, sub)


# The `llama.*` sizes of the widened model, and F16 as its file type.
SIZES = {
    "llama.embedding_length": HIDDEN,
    "llama.attention.head_count": HEADS,
    "llama.attention.head_count_kv": KV_HEADS,
    "general.file_type": 1,  # MOSTLY_F16
}


def pad(a, rows, cols):
    """`a` ([rows', cols']) zero-padded to [rows, cols]."""
    out = np.zeros((rows, cols), dtype=np.float32)
    out[: a.shape[0], : a.shape[1]] = a
    return out


def widened(reader):
    """(name, f32 array) of every tensor of the widened model, in the
    source's order; the RMS norms 1-D, the rest [rows, cols]."""
    old_hidden = int(reader.fields["llama.embedding_length"].contents())
    norm_scale = np.float32(np.sqrt(old_hidden / HIDDEN))
    for t in reader.tensors:
        w = dequantize(t.data, t.tensor_type).astype(np.float32)
        name = t.name
        if w.ndim == 1:  # the RMS norms
            out = np.zeros(HIDDEN, dtype=np.float32)
            out[: w.shape[0]] = w * norm_scale
            yield name, out
            continue
        rows, cols = w.shape
        if name == "token_embd.weight" or name == "output.weight":
            out = pad(w, rows, HIDDEN)
        elif name.endswith("attn_q.weight"):
            out = pad(w, HEADS * HEAD_DIM, HIDDEN)
        elif name.endswith("attn_k.weight") or name.endswith("attn_v.weight"):
            out = pad(w, KV_HEADS * HEAD_DIM, HIDDEN)
        elif name.endswith("attn_output.weight"):
            out = pad(w, HIDDEN, HEADS * HEAD_DIM)
        elif name.endswith("ffn_gate.weight") or name.endswith("ffn_up.weight"):
            out = pad(w, rows, HIDDEN)
        elif name.endswith("ffn_down.weight"):
            out = pad(w, HIDDEN, cols)
        else:
            sys.exit(f"unexpected tensor {name} {w.shape}")
        yield name, out


def finish(writer):
    """Writes `writer`'s header, metadata and tensors and closes it."""
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def main(src, dst):
    """The widened SmolLM2 of `src` (a llama GGUF) as an F16 GGUF `dst`."""
    reader = GGUFReader(src)
    writer = GGUFWriter(dst, "llama")
    copy_metadata(reader, writer, SIZES)
    for name, w in widened(reader):
        writer.add_tensor(name, w if w.ndim == 1 else w.astype(np.float16))
    finish(writer)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
