"""llama.cpp doing what `mri smoke FILE.gguf --max-tokens N` does: load the
GGUF, tokenize the prompt, one forward pass (the top-5 next tokens), then N
greedy tokens. Prints one JSON line with the stages' times.

    python gguf_llamacpp.py MODEL.gguf PROMPT MAX_TOKENS THREADS

llama.cpp comes from the PyPI wheel llama-cpp-cffi (its CPU build, loaded
directly so that the package's own imports are not needed); see
benches/smoke_gguf.sh for the venv and the one shim it needs on Debian 12.
"""

import json
import sys
import time

start = time.perf_counter()
model_path, prompt, max_tokens, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])

import llamacpp_lib  # noqa: E402  (numpy and the library: part of the import time)
import numpy as np  # noqa: E402

module = llamacpp_lib.load()
lib, ffi = module.lib, module.ffi


@ffi.def_extern()
def llama_cpp_cffi_ggml_log_callback(level, text, user_data):
    """llama.cpp's log, dropped (mri prints none either)."""


lib.llama_log_set(lib.llama_cpp_cffi_ggml_log_callback, ffi.NULL)
imported = time.perf_counter()

lib.llama_backend_init()
mparams = lib.llama_model_default_params()
mparams.n_gpu_layers = 0
model = lib.llama_model_load_from_file(model_path.encode(), mparams)
assert model != ffi.NULL, "the model did not load"
cparams = lib.llama_context_default_params()
cparams.n_ctx = 128
cparams.n_batch = 128
cparams.n_threads = threads
cparams.n_threads_batch = threads
ctx = lib.llama_init_from_model(model, cparams)
assert ctx != ffi.NULL, "no context"
vocab = lib.llama_model_get_vocab(model)
n_vocab = lib.llama_vocab_n_tokens(vocab)
loaded = time.perf_counter()

text = prompt.encode()
tokens = ffi.new("int32_t[]", 256)
n = lib.llama_tokenize(vocab, text, len(text), tokens, 256, True, True)
assert n > 0, "the prompt gave no tokens"
ids = [tokens[i] for i in range(n)]


def logits():
    ptr = lib.llama_get_logits_ith(ctx, -1)
    return np.frombuffer(ffi.buffer(ptr, n_vocab * 4), dtype=np.float32).copy()


def piece(token):
    buf = ffi.new("char[]", 256)
    k = lib.llama_token_to_piece(vocab, token, buf, 256, 0, True)
    return ffi.buffer(buf, max(k, 0))[:].decode("utf-8", "replace")


forward_start = time.perf_counter()
assert lib.llama_decode(ctx, lib.llama_batch_get_one(tokens, n)) == 0
last = logits()
forward_end = time.perf_counter()
p = np.exp(last - last.max())
p /= p.sum()
top = np.argsort(-p)[:5]

generated = []
one = ffi.new("int32_t[]", 1)
gen_start = time.perf_counter()
forwards = 0
eos = lib.llama_vocab_eos(vocab)
while len(generated) < max_tokens:
    nxt = int(last.argmax())
    if nxt == eos:
        break
    generated.append(nxt)
    if len(generated) == max_tokens:
        break
    one[0] = nxt
    assert lib.llama_decode(ctx, lib.llama_batch_get_one(one, 1)) == 0
    last = logits()
    forwards += 1
gen_secs = time.perf_counter() - gen_start

print(json.dumps({
    "prompt_ids": ids,
    "top_next": [{"token": piece(int(t)), "id": int(t), "prob": float(p[t])} for t in top],
    "continuation": "".join(piece(t) for t in generated),
    "import_ms": (imported - start) * 1e3,
    "load_ms": (loaded - imported) * 1e3,
    "forward_ms": (forward_end - forward_start) * 1e3,
    "tokens_per_second": forwards / gen_secs if forwards else None,
    "first_logits_ms": (forward_end - start) * 1e3,
}))
