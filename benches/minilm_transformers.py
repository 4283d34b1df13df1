"""The Python side of benches/smoke_minilm.sh: what `mri smoke` does on
all-MiniLM-L6-v2, with transformers + torch on the CPU: import, load the
tokenizer and the model, tokenize one sentence, one forward pass, mean-pool.
Prints one JSON line of timings (ms) and the embedding's norm.

    python -P benches/minilm_transformers.py MODEL_DIR SENTENCE
"""
import time

t_start = time.perf_counter()
import json  # noqa: E402
import os  # noqa: E402
import sys  # noqa: E402

import torch  # noqa: E402
from transformers import AutoModel, AutoTokenizer  # noqa: E402

t_import = time.perf_counter()
threads = int(os.environ.get("BENCH_THREADS", "0"))
if threads:
    torch.set_num_threads(threads)
model_dir, sentence = sys.argv[1], sys.argv[2]
tokenizer = AutoTokenizer.from_pretrained(model_dir)
model = AutoModel.from_pretrained(model_dir, dtype=torch.float32).eval()
t_load = time.perf_counter()
batch = tokenizer(sentence, return_tensors="pt", padding=False, truncation=False)
with torch.inference_mode():
    t0 = time.perf_counter()
    hidden = model(**batch).last_hidden_state
    t1 = time.perf_counter()
    model(**batch)
    t2 = time.perf_counter()
norm = float(hidden[0].mean(0).norm())
print(json.dumps({
    "import_ms": (t_import - t_start) * 1e3,
    "load_ms": (t_load - t_import) * 1e3,
    "forward_ms": (t1 - t0) * 1e3,
    "second_forward_ms": (t2 - t1) * 1e3,
    "first_logits_ms": (t1 - t_start) * 1e3,
    "tokens": int(batch["input_ids"].shape[1]),
    "norm": norm,
    "threads": torch.get_num_threads(),
}))
