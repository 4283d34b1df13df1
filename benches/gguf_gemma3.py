"""Writes a Gemma-3-shaped F16 GGUF (`general.architecture` gemma3) derived
from SmolLM2-135M-Instruct, so that the bench has a Gemma 3 file with a
real tokenizer and an answer that is not flat:

    python gguf_gemma3.py SmolLM2-135M-Instruct.Q4_1.gguf OUT.gguf [WINDOW]

The shape: SmolLM2 widened by benches/gguf_widen.py (hidden 768, 12 heads
and 4 KV heads of 64, MLP 1536, 30 layers, tied embedding: multiples of 256,
so llama.cpp's K-quants apply), with Gemma 3's layer around it: embedding
scaled by sqrt(hidden), Q and K norms, a norm after the attention and after
the MLP, GELU (tanh) gate, rotary over halves (the Llama file's Q/K rows
are un-permuted), and 25 sliding-window layers to 5 global ones (every 6th,
Gemma 3's pattern). The window is WINDOW positions (default 12, Gemma 3 1B
has 512): smaller than the bench's 5-token prompt plus 16 tokens, so that
both runtimes' masks are exercised on cached steps too. Local layers rotate
with base 10,000 (Gemma's, which llama.cpp applies to them), global ones
with SmolLM2's 100,000.

The weights are SmolLM2's, set so that the Gemma layer computes roughly
what the Llama layer did (an approximation, not the same function):

- Gemma's residual is sqrt(hidden) times Llama's (the embedding scale; the
  pre-norms do not see the factor);
- the post-norms' weights are sqrt(hidden) times the typical RMS of the
  attention's and the MLP's output in that layer, and the Q/K norms'
  weights sqrt(rms(q) * rms(k)): medians over a calibration sentence run
  through SmolLM2 here (numpy, f32);
- silu(x) ~ 1.702 * gelu(x / 1.702): the gate rows are divided by 1.702
  and the down projection multiplied by it.

Tokenizer and other metadata: SmolLM2's (keys renamed llama.* ->
gemma3.*). Needs numpy and the `gguf` package, as benches/smoke_gguf.sh
installs them.
"""

import sys

import numpy as np
from gguf import GGUFReader, GGUFWriter

import gguf_widen as wide

GELU_SILU = np.float32(1.702)
CALIBRATION = (
    "The quick brown fox jumps over the lazy dog . A model holds the weights , "
    "the tokenizer and the configuration . In the morning the city was quiet and "
    "the people went to work"
)


def unpermute(w, heads):
    """Rows of a Llama GGUF's Q or K (interleaved pairs per head, as
    llama.cpp's converter permutes them) back to halves order."""
    rows, cols = w.shape
    return w.reshape(heads, rows // heads // 2, 2, cols).swapaxes(1, 2).reshape(rows, cols)


def calibration_ids(reader):
    """CALIBRATION's words as SmolLM2 token ids (a word with a leading space
    where the vocabulary has one; words without a single token left out)."""
    field = reader.fields["tokenizer.ggml.tokens"]
    index = {bytes(field.parts[i]).decode("utf-8", "replace"): n for n, i in enumerate(field.data)}
    ids = []
    for n, word in enumerate(CALIBRATION.split()):
        for piece in ([word] if n == 0 else ["\u0120" + word, word]):
            if piece in index:
                ids.append(index[piece])
                break
    return ids


def rms(x):
    """Root mean square over the last axis."""
    return np.sqrt(np.mean(x * x, axis=-1, keepdims=True))


def rope_halves(x, base):
    """Rotary embedding over halves, x [T, heads, d], positions 0..T-1."""
    t, _, d = x.shape
    inv = base ** (-np.arange(0, d, 2, dtype=np.float64) / d)
    ang = np.arange(t)[:, None] * inv[None, :]
    cos, sin = np.cos(ang)[:, None, :], np.sin(ang)[:, None, :]
    a, b = x[..., : d // 2], x[..., d // 2 :]
    return np.concatenate([a * cos - b * sin, a * sin + b * cos], axis=-1).astype(np.float32)


def calibrate(w, blocks, ids, eps, base):
    """Per layer: (median rms(q)*rms(k) over tokens and real heads, median
    RMS of the attention output, median RMS of the MLP output), from
    SmolLM2 (widened, Q/K un-permuted) over `ids`."""
    group = wide.HEADS // wide.KV_HEADS
    x = w["token_embd.weight"][ids]
    t = len(ids)
    causal = np.triu(np.full((t, t), -np.inf, dtype=np.float32), 1)
    out = []
    for b in range(blocks):
        p = lambda n: w[f"blk.{b}.{n}.weight"]  # noqa: E731
        h = x / np.sqrt(np.mean(x * x, -1, keepdims=True) + eps) * p("attn_norm")
        q = (h @ p("attn_q").T).reshape(t, wide.HEADS, wide.HEAD_DIM)
        k = (h @ p("attn_k").T).reshape(t, wide.KV_HEADS, wide.HEAD_DIM)
        v = (h @ p("attn_v").T).reshape(t, wide.KV_HEADS, wide.HEAD_DIM)
        rq, rk = rms(q)[..., 0], rms(k)[..., 0]
        pairs = rq * np.repeat(rk, group, axis=1)
        qk = float(np.median(pairs[pairs > 0]))
        q, k = rope_halves(q, base), rope_halves(k, base)
        k, v = np.repeat(k, group, axis=1), np.repeat(v, group, axis=1)
        scores = np.einsum("thd,shd->hts", q, k) / np.sqrt(wide.HEAD_DIM) + causal
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        o = np.einsum("hts,shd->thd", scores, v).reshape(t, -1) @ p("attn_output").T
        x = x + o
        h = x / np.sqrt(np.mean(x * x, -1, keepdims=True) + eps) * p("ffn_norm")
        g = h @ p("ffn_gate").T
        m = ((g / (1 + np.exp(-g))) * (h @ p("ffn_up").T)) @ p("ffn_down").T
        x = x + m
        out.append((qk, float(np.median(rms(o))), float(np.median(rms(m)))))
    return out


def main(src, dst, window):
    """The Gemma 3 of `src` (SmolLM2's Llama GGUF) as an F16 GGUF `dst`."""
    reader = GGUFReader(src)
    field = lambda k: reader.fields[k].contents()  # noqa: E731
    blocks = int(field("llama.block_count"))
    eps = float(field("llama.attention.layer_norm_rms_epsilon"))
    base = float(field("llama.rope.freq_base"))
    w = {}
    for name, t in wide.widened(reader):
        if name.endswith("attn_q.weight"):
            t = unpermute(t, wide.HEADS)
        elif name.endswith("attn_k.weight"):
            t = unpermute(t, wide.KV_HEADS)
        w[name] = t
    scales = calibrate(w, blocks, calibration_ids(reader), eps, base)
    c = np.float32(np.sqrt(wide.HIDDEN))

    writer = GGUFWriter(dst, "gemma3")
    sizes = dict(wide.SIZES)
    sizes["general.name"] = "SmolLM2 135M as Gemma 3 (mri bench)"
    wide.copy_metadata(reader, writer, sizes, lambda k: "gemma3." + k[6:] if k.startswith("llama.") else k)
    writer.add_uint32("gemma3.attention.key_length", wide.HEAD_DIM)
    writer.add_uint32("gemma3.attention.value_length", wide.HEAD_DIM)
    writer.add_uint32("gemma3.attention.sliding_window", window)
    writer.add_float32("gemma3.rope.local_freq_base", 10000.0)

    def put(name, a):
        """A norm as F32, a projection as F16."""
        writer.add_tensor(name, a if a.ndim == 1 else a.astype(np.float16))

    def const(n, value):
        """An F32 norm weight of `n` equal values."""
        return np.full(n, value, dtype=np.float32)

    for name in [n for n in w if not n.startswith("blk.")]:
        put(name, w[name])
    for b, (qk, ro, rm) in enumerate(scales):
        p = f"blk.{b}."
        for part in ("attn_norm", "attn_q", "attn_k", "attn_v"):
            put(p + part + ".weight", w[p + part + ".weight"])
        put(p + "attn_q_norm.weight", const(wide.HEAD_DIM, np.sqrt(qk)))
        put(p + "attn_k_norm.weight", const(wide.HEAD_DIM, np.sqrt(qk)))
        put(p + "attn_output.weight", w[p + "attn_output.weight"])
        put(p + "post_attention_norm.weight", const(wide.HIDDEN, c * np.float32(ro)))
        put(p + "ffn_norm.weight", w[p + "ffn_norm.weight"])
        put(p + "ffn_gate.weight", w[p + "ffn_gate.weight"] / GELU_SILU)
        put(p + "ffn_up.weight", w[p + "ffn_up.weight"])
        put(p + "ffn_down.weight", w[p + "ffn_down.weight"] * GELU_SILU)
        put(p + "post_ffw_norm.weight", const(wide.HIDDEN, c * np.float32(rm)))
    wide.finish(writer)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 12)
