#!/usr/bin/env bash
# Benchmark: `mri check --locked` (issue #29).
#
#   bash benches/lock_check.sh [RUNS]
#
# 1. The sparse Llama-3.1-405B-shaped checkpoint (191 shards) laid out as a
#    Hugging Face cache entry: snapshot links into blobs/, the weights named
#    by a 64-digit hash (of the file's name, not its content: a lock that
#    took the content would show another sha256), the small files by their
#    git blob sha1. `mri check --locked` is timed beside `mri check` without
#    the lock and `mri inspect`, and the bytes it reads from the weight blobs
#    with read(2) are counted (strace): none.
# 2. A plain folder of 270 MB (three 90 MB safetensors shards and a
#    config.json): `mri check --locked` beside `mri verify
#    --allow-unreferenced`, which hashes the same files.
#
# Writes nothing outside a temporary folder and target/. Needs python3 and
# GNU time (benches/timeit.py), and strace for the byte count.
set -euo pipefail
runs=${1:-20}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet --manifest-path "$root/Cargo.toml"
target_dir=$(cargo metadata --format-version 1 --no-deps --manifest-path "$root/Cargo.toml" \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
mri="$target_dir/release/mri"
# The generator's speed does not matter: it runs in the dev profile (whose
# dependencies the tests have built). LLAMA405B=DIR reuses a checkpoint it
# wrote before.
if [ -n "${LLAMA405B:-}" ]; then
  cp -r --sparse=always "$LLAMA405B" "$work/llama405b"
else
  cargo run --quiet --manifest-path "$root/Cargo.toml" --example gen_fixtures -- --sparse-405b "$work/llama405b"
fi
timeit() { python3 "$root/benches/timeit.py" "$@"; }

# A policy that passes these synthetic models (no card: verdict unknown), so
# that the exit code is the lock's alone.
cat > "$work/policy.toml" <<'EOF'
[licenses]
allow-verdicts = ["permitted", "permitted-with-conditions", "requires-approval", "unknown"]

[findings]
deny = []
EOF

commit=0123456789abcdef0123456789abcdef01234567
repo="$work/hub/models--bench--llama405b"
mkdir -p "$repo/blobs" "$repo/snapshots/$commit" "$repo/refs"
printf %s "$commit" > "$repo/refs/main"
for f in "$work/llama405b"/*; do
  name=$(basename "$f")
  case "$name" in
    *.safetensors) blob=$(printf %s "$name" | sha256sum | cut -c1-64) ;;
    *) blob=$( (printf 'blob %s\0' "$(stat -c %s "$f")"; cat "$f") | sha1sum | cut -c1-40) ;;
  esac
  cp --sparse=always "$f" "$repo/blobs/$blob"
  ln -s "../../blobs/$blob" "$repo/snapshots/$commit/$name"
done
export HF_HUB_CACHE="$work/hub"
"$mri" lock bench/llama405b -o "$work/405b.lock" --policy "$work/policy.toml" -q
echo "405B cache entry: $(ls "$repo/snapshots/$commit" | wc -l) files, lock $(wc -l < "$work/405b.lock") lines"
timeit "mri check --locked (405B, cache)" "$runs" -- "$mri" check bench/llama405b --policy "$work/policy.toml" --locked "$work/405b.lock" --format json
timeit "mri check          (405B, cache)" "$runs" -- "$mri" check bench/llama405b --policy "$work/policy.toml" --format json
timeit "mri inspect        (405B, cache)" "$runs" -- "$mri" inspect bench/llama405b --format json
if command -v strace > /dev/null; then
  strace -f -y -e trace=read,pread64,readv,preadv -o "$work/trace" \
    "$mri" check bench/llama405b --policy "$work/policy.toml" --locked "$work/405b.lock" --format json > /dev/null
  python3 - "$work/trace" <<'EOF'
import re, sys
total = 0
for line in open(sys.argv[1]):
    m = re.search(r'read\w*\(\d+<([^>]*)>.*= (\d+)$', line)
    if m and re.search(r'/blobs/[0-9a-f]{64}$', m.group(1)):
        total += int(m.group(2))
print(f"bytes read(2) from weight blobs by mri check --locked: {total}")
EOF
fi
unset HF_HUB_CACHE

# A plain folder of 270 MB: every file is hashed by both.
plain="$work/plain"
mkdir -p "$plain"
echo '{"model_type": "llama", "architectures": ["LlamaForCausalLM"]}' > "$plain/config.json"
python3 - "$plain" <<'EOF'
import json, os, struct, sys
n = 90 * 1000 * 1000
for i in range(1, 4):
    header = json.dumps({"w": {"dtype": "U8", "shape": [n], "data_offsets": [0, n]}}).encode()
    header += b" " * (-len(header) % 8)
    with open(os.path.join(sys.argv[1], f"model-0000{i}-of-00003.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(header)) + header)
        f.write(os.urandom(n))
EOF
"$mri" lock "$plain" -o "$work/plain.lock" --policy "$work/policy.toml" -q
echo "plain folder: $(du -sh --apparent-size "$plain" | cut -f1)"
timeit "mri check --locked (270 MB)" "$runs" -- "$mri" check "$plain" --policy "$work/policy.toml" --locked "$work/plain.lock" --format json
timeit "mri verify         (270 MB)" "$runs" -- "$mri" verify "$plain" --allow-unreferenced -q --format json
timeit "sha256sum          (270 MB)" "$runs" -- sha256sum "$plain"/config.json "$plain"/model-00001-of-00003.safetensors "$plain"/model-00002-of-00003.safetensors "$plain"/model-00003-of-00003.safetensors
# The two side by side, in alternation (a run of each per round), so that a
# shared machine whose speed drifts slows both alike.
python3 "$root/benches/ratio.py" "$runs" 1 \
  "$mri verify $plain --allow-unreferenced -q --format json" \
  "$mri check $plain --policy $work/policy.toml --locked $work/plain.lock --format json"
