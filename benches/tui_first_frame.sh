#!/usr/bin/env bash
# Benchmark: the TUI's time to first frame on the sparse Llama-3.1-405B-shaped
# checkpoint (191 shards, 1,137 tensors), and the cost of a key press plus a
# redraw while scrolling a 10,000-tensor table.
#
#   bash benches/tui_first_frame.sh [RUNS]
#
# Uses the hidden headless mode (`mri tui DIR --headless 120x40 [--keys ...]`),
# which makes the report, draws the browser into an off-screen buffer exactly
# as the terminal loop does, prints the frame, and reports its timings on
# stderr. Writes nothing outside a temporary directory and target/.
set -euo pipefail
runs=${1:-30}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet --manifest-path "$root/Cargo.toml"
cargo run --release --quiet --manifest-path "$root/Cargo.toml" --example gen_fixtures -- --sparse-405b "$work/llama405b"
mri="$root/target/release/mri"

# A checkpoint of 10,000 tiny tensors (2,500 layers of 4) in one file.
python3 - "$work/many" <<'PY'
import json, os, struct, sys
d = sys.argv[1]; os.makedirs(d)
header, off = {}, 0
for layer in range(2500):
    for part in ("attn.q", "attn.k", "mlp.up", "norm"):
        header[f"model.layers.{layer}.{part}.weight"] = {"dtype": "F32", "shape": [4], "data_offsets": [off, off + 16]}
        off += 16
h = json.dumps(header).encode()
h += b" " * (-len(h) % 8)
with open(os.path.join(d, "model.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(h)) + h + b"\0" * off)
json.dump({"model_type": "llama", "architectures": ["LlamaForCausalLM"], "hidden_size": 4,
           "num_hidden_layers": 2500, "num_attention_heads": 1, "vocab_size": 4},
          open(os.path.join(d, "config.json"), "w"))
PY

median_of() { # LABEL FIELD RUNS -- COMMAND...: median of "FIELD X ms" on stderr
    local label=$1 field=$2 n=$3; shift 4
    for _ in $(seq "$n"); do "$@" 2>&1 >/dev/null | grep -o "$field [0-9.]* ms" | grep -o "[0-9.]*"; done |
        python3 -c "import sys,statistics; v=sorted(float(x) for x in sys.stdin); print(f'$label: median {statistics.median(v):.2f} ms (min {v[0]:.2f}, max {v[-1]:.2f}) over {len(v)} runs')"
}

echo "checkpoint: $(ls "$work/llama405b"/*.safetensors | wc -l) shards; $("$mri" tui "$work/llama405b" --headless 120x40 2>/dev/null | grep -o 'tensors *[0-9,]* in [0-9]* files')"
"$mri" tui "$work/llama405b" --headless 120x40 2>/dev/null | head -14
median_of "first frame, in process (report + first draw)" "first frame" "$runs" -- "$mri" tui "$work/llama405b" --headless 120x40
python3 "$root/benches/timeit.py" "whole process (start, report, first frame, exit)" "$runs" -- "$mri" tui "$work/llama405b" --headless 120x40 2>/dev/null

keys="3 $(printf 'j %.0s' $(seq 2000))$(printf 'PgDn %.0s' $(seq 200))G g"
per_key() { "$mri" tui "$1" --headless 120x40 --keys "$2" 2>&1 >/dev/null | grep -o '([0-9.]* ms each)'; }
echo "10,000 tensors, 2,203 keys (j, PgDn, G, g), each followed by a redraw: $(per_key "$work/many" "$keys")"
echo "10,000 tensors folded by layer (L), then 2,000 j: $(per_key "$work/many" "3 L $(printf 'j %.0s' $(seq 2000))")"
echo "10,000 tensors, typing the filter 'mlp' (live) then Enter: $(per_key "$work/many" "3 / m l p Enter")"
