#!/usr/bin/env bash
# Benchmark: `mri inspect --format json` on the sparse Llama-3.1-405B-shaped
# checkpoint (191 shards, 1,137 tensors), side by side with the Python
# `safetensors` library opening every shard and summing shapes.
#
#   bash benches/inspect_405b.sh [RUNS]
#
# Then the same checkpoint as a Hugging Face cache entry (snapshot links
# into blobs/), inspected by repo id. The speed-up is measured for the
# default build and, on a *-linux-gnu host, for the static build of
# scripts/build-static.sh.
#
# Installs safetensors and numpy into a throwaway venv under $TMPDIR; writes
# nothing outside it and target/.
set -euo pipefail
runs=${1:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet --manifest-path "$root/Cargo.toml"
# The static build (scripts/build-static.sh), where this host can make one:
# timed beside the default build's binary.
static_mri=$(bash "$root/scripts/build-static.sh" 2>"$work/static.log" || true)
[ -n "$static_mri" ] || echo "static build skipped: $(tail -n 1 "$work/static.log")"
cargo run --release --quiet --manifest-path "$root/Cargo.toml" --example gen_fixtures -- --sparse-405b "$work/llama405b"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet safetensors numpy

mri="$root/target/release/mri"
py="$work/venv/bin/python"
echo "checkpoint: $(ls "$work/llama405b"/*.safetensors | wc -l) shards, apparent size $(du -sh --apparent-size "$work/llama405b" | cut -f1), on disk $(du -sh "$work/llama405b" | cut -f1)"
echo "mri says:    $("$mri" inspect "$work/llama405b" --format json | "$py" -c 'import json,sys; w=json.load(sys.stdin)["weights"]; print(w["parameters"], w["tensor_count"])')"
echo "python says: $("$py" "$root/benches/safetensors_sum.py" "$work/llama405b")"

# The same checkpoint laid out as the Hugging Face cache keeps it: the
# snapshot's files are relative links into blobs/ (named here by a hash of the
# file name, not of the content: mri does not hash them when it inspects).
repo="$work/hub/models--bench--llama405b"
# A full 40-hex commit id: mri refuses a snapshot folder or ref that is not one.
commit=0123456789abcdef0123456789abcdef01234567
mkdir -p "$repo/blobs" "$repo/snapshots/$commit" "$repo/refs"
printf %s "$commit" > "$repo/refs/main"
for f in "$work/llama405b"/*; do
  name=$(basename "$f")
  blob=$(printf %s "$name" | sha256sum | cut -c1-64)
  cp --sparse=always "$f" "$repo/blobs/$blob"
  ln -s "../../blobs/$blob" "$repo/snapshots/$commit/$name"
done

timeit() { python3 "$root/benches/timeit.py" "$@"; }
timeit "mri inspect --format json" "$runs" -- "$mri" inspect "$work/llama405b" --format json
timeit "python safetensors sum   " "$runs" -- "$py" "$root/benches/safetensors_sum.py" "$work/llama405b"
# The speed-up, with the two tools run in alternation (3 runs of mri, then 1
# of Python, per round), so that a machine whose speed drifts slows both alike.
python3 "$root/benches/ratio.py" "$runs" 3 \
  "$mri inspect $work/llama405b --format json" \
  "$py $root/benches/safetensors_sum.py $work/llama405b"
if [ -n "$static_mri" ]; then
  python3 "$root/benches/ratio.py" "$runs" 3 \
    "$static_mri inspect $work/llama405b --format json" \
    "$py $root/benches/safetensors_sum.py $work/llama405b"
fi
HF_HUB_CACHE="$work/hub" timeit "mri inspect bench/llama405b (cache)" "$runs" -- "$mri" inspect bench/llama405b --format json
