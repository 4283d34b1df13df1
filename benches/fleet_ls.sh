#!/usr/bin/env bash
# Benchmark: `mri ls` over a generated Hugging Face cache of REPOS repos
# (examples/gen_fleet_cache.rs: sparse shaped checkpoints of six families and
# seven sizes, 1 to 3 revisions each sharing their weight blobs, license texts
# in a quarter of the repos), warm page cache, on 2 cores (taskset), side by
# side with huggingface_hub's `hf cache ls` (which lists without reading any
# header) on the same cache. Wall time and peak RSS by benches/timeit.py.
#
#   bash benches/fleet_ls.sh [REPOS] [RUNS]      # default 1000 repos, 10 runs
#
# Installs huggingface_hub into a venv under target/; writes the cache under
# target/fleet-bench (a few hundred MB on disk, ~5 TB apparent: sparse files).
set -euo pipefail
repos=${1:-1000}
runs=${2:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
work=$target/fleet-bench
cargo build --release --quiet --manifest-path "$root/Cargo.toml" --bin mri --example gen_fleet_cache
if [ ! -d "$work/hub-$repos" ]; then
  "$target/release/examples/gen_fleet_cache" "$work/hub-$repos" "$repos"
fi
if [ ! -x "$work/venv/bin/hf" ]; then
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install --quiet huggingface_hub
fi
hub=$work/hub-$repos
mri=$target/release/mri
hf=$work/venv/bin/hf
export HF_HUB_DISABLE_TELEMETRY=1 HF_HUB_DISABLE_IMPLICIT_TOKEN=1 OLLAMA_MODELS=$work/no-ollama NO_COLOR=1
cores="taskset -c 0,1"
echo "huggingface_hub $("$work/venv/bin/python" -c 'import huggingface_hub; print(huggingface_hub.__version__)'); mri $("$mri" --version)"
echo "cache: $repos repos, $("$mri" ls --cache "$hub" -q --format jsonl | wc -l) revisions, $(find "$hub" -name '*.safetensors' | wc -l) safetensors links, $(ls "$hub"/*/blobs | grep -vc ':$') blobs; on disk $(du -sh "$hub" | cut -f1), apparent $(du -sh --apparent-size "$hub" | cut -f1)"
echo "mri ls says:  $("$mri" ls --cache "$hub" -q | tail -1)"
echo "hf cache ls:  $("$hf" cache ls --cache-dir "$hub" --format json 2>/dev/null | python3 -c 'import json,sys; r=json.load(sys.stdin); print(len(r), "repos")')"
echo "load: $(uptime)"
timeit() { python3 "$root/benches/timeit.py" "$@"; }
# CPU seconds (user + system) of one run: less sensitive than wall time to
# other work on a shared machine.
cpu() { local label=$1; shift; /usr/bin/time -f "$label: CPU %U s user + %S s system, wall %e s" "$@" > /dev/null; }
cpu "mri ls -j2" $cores "$mri" ls --cache "$hub" -q -j 2 --format jsonl
cpu "mri ls -j1" taskset -c 0 "$mri" ls --cache "$hub" -q -j 1 --format jsonl
cpu "hf cache ls --revisions" $cores "$hf" cache ls --cache-dir "$hub" --revisions --format json
timeit "mri ls -j2 (headers read, license decided)" "$runs" -- $cores "$mri" ls --cache "$hub" -q -j 2 --format jsonl
timeit "mri ls -j2 --format text" "$runs" -- $cores "$mri" ls --cache "$hub" -q -j 2
timeit "hf cache ls --revisions --format json" "$runs" -- $cores "$hf" cache ls --cache-dir "$hub" --revisions --format json
timeit "hf cache ls --format json" "$runs" -- $cores "$hf" cache ls --cache-dir "$hub" --format json
