#!/usr/bin/env bash
# The CUDA path of `mri smoke`, prepared to run once on a machine with an
# NVIDIA GPU (no network needed there): each bundled fixture (safetensors and
# GGUF) is run on the CPU
# and on `cuda:0`, and the two runs are compared (logits shape, finiteness,
# the top next token); then a timed greedy continuation on both devices.
#
#   bash benches/cuda_smoke.sh MRI_BINARY [OUT_DIR]
#
# MRI_BINARY is a build with the feature: `cargo build --release --features
# cuda` (here, with ../shared/scripts/cuda-toolchain.sh providing nvcc). It
# needs at run time the driver's libcuda.so.1 and the CUDA 13 runtime
# libraries (libcudart.so.13, libcublas(Lt).so.13, libcurand.so.10): the
# script looks for them under the machine's Python packages (a CUDA 13 build
# of PyTorch carries them in nvidia/cu13/lib) unless LD_LIBRARY_PATH already
# finds them. Columns: dtype, logits shape, finite, first token id, load ms,
# forward ms, tokens per second. Writes one JSON file per run and `summary.txt` into OUT_DIR
# (default: a temporary folder, printed); exits 1 when a CUDA run disagrees
# with the CPU run or fails, 2 when it cannot start.
set -uo pipefail
bin=${1:?usage: cuda_smoke.sh MRI_BINARY [OUT_DIR]}
root=$(cd "$(dirname "$0")/.." && pwd)
out=${2:-$(mktemp -d)}
mkdir -p "$out"
[ -x "$bin" ] || { echo "not an executable: $bin" >&2; exit 2; }

if ! ldconfig -p 2>/dev/null | grep -q libcublas.so.13; then
  for dir in $(python3 -c 'import site, sys; print(" ".join(site.getsitepackages() + [site.getusersitepackages()]))' 2>/dev/null); do
    for lib in "$dir"/nvidia/cu13/lib "$dir"/nvidia/*/lib; do
      [ -e "$lib/libcublas.so.13" ] && LD_LIBRARY_PATH="$lib:${LD_LIBRARY_PATH:-}"
    done
  done
  export LD_LIBRARY_PATH
fi

{
  echo "date: $(date -u +%FT%TZ)"
  echo "gpu: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>&1 | head -1)"
  echo "mri: $("$bin" --version)"
  echo "LD_LIBRARY_PATH: ${LD_LIBRARY_PATH:-}"
} | tee "$out/summary.txt"

status=0
field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["smoke"]; print(eval(sys.argv[2], {}, {"d": d}))' "$@"; }
for fixture in tiny-llama tiny-qwen3 tiny-llama-sharded tiny-gguf; do
  dir="$root/fixtures/$fixture"
  for device in cpu cuda; do
    start=$EPOCHREALTIME
    if "$bin" smoke "$dir" --device "$device" --format json --max-tokens 8 >"$out/$fixture-$device.json" 2>"$out/$fixture-$device.err"; then
      line=$(printf '%-20s %-5s ok    %6.2f s  %s' "$fixture" "$device" "$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')" \
        "$(field "$out/$fixture-$device.json" '(d["dtype"], d["logits_shape"], d["finite"], d["top_next"][0]["id"], round(d["load_ms"],1), round(d["forward_ms"],2), round(d.get("tokens_per_second") or 0,1))')")
    else
      line=$(printf '%-20s %-5s FAIL  %s' "$fixture" "$device" "$(tail -1 "$out/$fixture-$device.err")")
      status=1
    fi
    echo "$line" | tee -a "$out/summary.txt"
  done
  if [ -s "$out/$fixture-cpu.json" ] && [ -s "$out/$fixture-cuda.json" ]; then
    same=$(python3 - "$out/$fixture-cpu.json" "$out/$fixture-cuda.json" <<'PY'
import json, sys
cpu, gpu = (json.load(open(p))["smoke"] for p in sys.argv[1:3])
# Random-weight fixtures have near ties: the GPU's first token must be the
# CPU's, or one of the CPU's top five within 1 % of the CPU's first.
top = cpu["top_next"][0]
near = {t["id"] for t in cpu["top_next"] if t["prob"] >= top["prob"] * 0.99}
same = (cpu["logits_shape"] == gpu["logits_shape"] and gpu["finite"]
        and gpu["top_next"][0]["id"] in near)
print("agree" if same else "DISAGREE")
PY
)
    echo "$fixture: cpu and cuda $same" | tee -a "$out/summary.txt"
    [ "$same" = agree ] || status=1
  fi
done
echo "results in $out"
exit $status
