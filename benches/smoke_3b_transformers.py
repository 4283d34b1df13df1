"""The Python side of benches/smoke_3b.sh: what `mri smoke DIR --max-tokens N`
does, with transformers + torch on the CPU: import, load the tokenizer and
the model in DTYPE (bfloat16 or float32), one forward pass over the prompt
(the top-5 next tokens), then N greedy tokens with the KV cache. Prints one
JSON line shaped like `mri smoke --format json`'s `smoke` object.

    python -P benches/smoke_3b_transformers.py MODEL_DIR PROMPT N DTYPE
"""
import time

t_start = time.perf_counter()
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

import torch  # noqa: E402
from transformers import AutoModelForCausalLM, AutoTokenizer  # noqa: E402

t_import = time.perf_counter()
threads = int(os.environ.get("BENCH_THREADS", "0"))
if threads:
    torch.set_num_threads(threads)
model_dir, prompt, max_tokens, dtype = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
tokenizer = AutoTokenizer.from_pretrained(model_dir)
model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=getattr(torch, dtype)).eval()
t_load = time.perf_counter()
ids = tokenizer(prompt, return_tensors="pt")["input_ids"]
with torch.inference_mode():
    t0 = time.perf_counter()
    out = model(input_ids=ids, use_cache=True)
    last = out.logits[0, -1].float()
    t1 = time.perf_counter()
    p = torch.softmax(last, -1)
    top = torch.topk(p, 5)
    past = out.past_key_values
    generated, forwards = [], 0
    eos = tokenizer.eos_token_id
    g0 = time.perf_counter()
    while len(generated) < max_tokens:
        nxt = int(last.argmax())
        if nxt == eos:
            break
        generated.append(nxt)
        if len(generated) == max_tokens:
            break
        out = model(input_ids=torch.tensor([[nxt]]), past_key_values=past, use_cache=True)
        past, last = out.past_key_values, out.logits[0, -1].float()
        forwards += 1
    g1 = time.perf_counter()
print(json.dumps({
    "prompt_ids": ids[0].tolist(),
    "top_next": [{"token": tokenizer.decode([int(i)]), "id": int(i), "prob": float(q)}
                 for q, i in zip(top.values, top.indices)],
    "continuation": tokenizer.decode(generated),
    "import_ms": (t_import - t_start) * 1e3,
    "load_ms": (t_load - t_import) * 1e3,
    "forward_ms": (t1 - t0) * 1e3,
    "tokens_per_second": forwards / (g1 - g0) if forwards else None,
    "dtype": dtype,
    "threads": torch.get_num_threads(),
}))
