#!/usr/bin/env bash
# Benchmark: `mri inspect hf://...` on the sparse Llama-3.1-405B-shaped
# checkpoint (191 shards, ~811 GB apparent) served on loopback by the tests'
# Hub-shaped server (examples/hub_server.rs): wall time, bytes and requests,
# cold (empty cache) and warm (small files cached), side by side with
# huggingface_hub's get_safetensors_metadata pointed at the same server.
#
#   bash benches/remote_191.sh [RUNS]
#
# Installs huggingface_hub into a throwaway venv under $TMPDIR; writes nothing
# outside it and target/. Loopback has no latency: on the real Hub each of
# the ~200 round trips costs tens of milliseconds, shared over
# MRI_HUB_CONNECTIONS (8) connections.
set -euo pipefail
runs=${1:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'kill "${SRV_PID:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

cargo build --release --quiet --manifest-path "$root/Cargo.toml" --bin mri --example hub_server
cargo run --release --quiet --manifest-path "$root/Cargo.toml" --example gen_fixtures -- --sparse-405b "$work/llama405b"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet huggingface_hub
echo "huggingface_hub $("$work/venv/bin/python" -c 'import huggingface_hub; print(huggingface_hub.__version__)')"

repo=meta-llama/Llama-3.1-405B
coproc SRV { "$root/target/release/examples/hub_server" "$repo=$work/llama405b"; }
SRV_PID=$SRV_PID
read -r -u "${SRV[0]}" _ _ url
stats() { echo stats >&"${SRV[1]}"; read -r -u "${SRV[0]}" line; echo "$line"; }
count() { local b r; b=${1#bytes=}; b=${b%% *}; r=${1##*requests=}; echo "$b $r"; }

export HF_ENDPOINT="$url" HF_HUB_DISABLE_TELEMETRY=1 HF_HUB_DISABLE_PROGRESS_BARS=1
unset HF_TOKEN HF_HOME
mri="$root/target/release/mri"
py="$work/venv/bin/python"
echo "checkpoint: $(ls "$work/llama405b"/*.safetensors | wc -l) shards, apparent size $(du -sh --apparent-size "$work/llama405b" | cut -f1); served at $url"
echo "load: $(uptime)"

# One measured run of each, for bytes and requests.
read -r b0 r0 < <(count "$(stats)")
out=$(HF_HUB_CACHE="$work/cache-mri" "$mri" inspect "hf://$repo" --format json)
read -r b1 r1 < <(count "$(stats)")
echo "mri says:    $(echo "$out" | "$py" -c 'import json,sys; w=json.load(sys.stdin)["weights"]; print(w["parameters"], w["tensor_count"])'); cold: $((b1-b0)) bytes in $((r1-r0)) requests"
HF_HUB_CACHE="$work/cache-mri" "$mri" inspect "hf://$repo" --format json > /dev/null
read -r b2 r2 < <(count "$(stats)")
echo "             warm: $((b2-b1)) bytes in $((r2-r1)) requests"
said=$(HF_HUB_CACHE="$work/cache-py" "$py" "$root/benches/hub_metadata.py" "$repo")
read -r b3 r3 < <(count "$(stats)")
echo "python says: $said; cold: $((b3-b2)) bytes in $((r3-r2)) requests"

timeit() { python3 "$root/benches/timeit.py" "$@"; }
timeit "mri inspect hf:// (cold cache)" "$runs" -- sh -c "rm -rf '$work/c1'; HF_HUB_CACHE='$work/c1' '$mri' inspect 'hf://$repo' --format json"
timeit "mri inspect hf:// (warm cache)" "$runs" -- env HF_HUB_CACHE="$work/cache-mri" "$mri" inspect "hf://$repo" --format json
timeit "get_safetensors_metadata (cold)" "$runs" -- sh -c "rm -rf '$work/c2'; HF_HUB_CACHE='$work/c2' '$py' '$root/benches/hub_metadata.py' '$repo'"
timeit "get_safetensors_metadata (warm)" "$runs" -- env HF_HUB_CACHE="$work/cache-py" "$py" "$root/benches/hub_metadata.py" "$repo"
