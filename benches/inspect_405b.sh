#!/usr/bin/env bash
# Benchmark: `mri inspect --format json` on the sparse Llama-3.1-405B-shaped
# checkpoint (191 shards, 1,137 tensors), side by side with the Python
# `safetensors` library opening every shard and summing shapes.
#
#   bash benches/inspect_405b.sh [RUNS]
#
# Installs safetensors and numpy into a throwaway venv under $TMPDIR; writes
# nothing outside it and target/.
set -euo pipefail
runs=${1:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet --manifest-path "$root/Cargo.toml"
cargo run --release --quiet --manifest-path "$root/Cargo.toml" --example gen_fixtures -- --sparse-405b "$work/llama405b"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet safetensors numpy

mri="$root/target/release/mri"
py="$work/venv/bin/python"
echo "checkpoint: $(ls "$work/llama405b"/*.safetensors | wc -l) shards, apparent size $(du -sh --apparent-size "$work/llama405b" | cut -f1), on disk $(du -sh "$work/llama405b" | cut -f1)"
echo "mri says:    $("$mri" inspect "$work/llama405b" --format json | "$py" -c 'import json,sys; w=json.load(sys.stdin)["weights"]; print(w["parameters"], w["tensor_count"])')"
echo "python says: $("$py" "$root/benches/safetensors_sum.py" "$work/llama405b")"

timeit() { python3 "$root/benches/timeit.py" "$@"; }
timeit "mri inspect --format json" "$runs" -- "$mri" inspect "$work/llama405b" --format json
timeit "python safetensors sum   " "$runs" -- "$py" "$root/benches/safetensors_sum.py" "$work/llama405b"
