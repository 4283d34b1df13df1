#!/usr/bin/env bash
# Benchmark: `mri verify` against sequential `sha256sum` on the same files,
# cold cache (page cache dropped before each run; needs root) and warm cache.
#
#   bash benches/verify_vs_sha256sum.sh [GIB_PER_FILE] [FILES]
#
# Writes FILES random files of GIB_PER_FILE GiB as model shards into a
# temporary directory (removed at the end), with a sha256sum manifest.
set -euo pipefail
gib=${1:-1}
files=${2:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
mri="$root/target/release/mri"
model="$work/model"
mkdir -p "$model"
echo '{"model_type": "llama"}' > "$model/config.json"
for i in $(seq 1 "$files"); do
  head -c "$((gib * 1024 * 1024 * 1024))" /dev/urandom > "$model/pytorch_model-0000$i-of-0000$files.bin"
done
(cd "$model" && sha256sum ./*.bin > "$work/SHA256SUMS")

drop() { sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || { echo "(cannot drop caches: not root)"; return 1; }; }
t() { local s e; s=$(date +%s.%N); "$@" > /dev/null; e=$(date +%s.%N); echo "$e - $s" | bc; }

echo "files: $files × ${gib} GiB, $(nproc) cores"
for mode in cold warm; do
  for n in 1 "$files"; do
    set -- "$model"/*.bin
    sel=("${@:1:$n}")
    if [ "$mode" = cold ]; then drop || continue; fi
    s=$(t sha256sum "${sel[@]}")
    if [ "$mode" = cold ]; then drop; else cat "${sel[@]}" > /dev/null; fi
    # verify hashes every weight file; give it only the selected ones via a sub-model
    sub="$work/sub$n"; mkdir -p "$sub"; cp "$model/config.json" "$sub/"
    for f in "${sel[@]}"; do ln -f "$f" "$sub/"; done
    if [ "$mode" = cold ]; then drop; fi
    m=$(t "$mri" verify "$sub" --manifest "$work/SHA256SUMS" -q)
    printf "%-5s %d file(s): sha256sum %6.2f s   mri verify %6.2f s   speed-up %.2fx\n" "$mode" "$n" "$s" "$m" "$(echo "$s / $m" | bc -l)"
  done
done
