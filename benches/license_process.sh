#!/usr/bin/env bash
# The whole `mri license` process on one model whose LICENSE is a 15 kB text
# (a real license mri was not built from, from tests/license-eval), median of
# 30 runs, beside the same process on a model whose card alone decides. Run:
#
#     bash benches/license_process.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin="$PWD/target/release/mri"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# the license-eval text closest to 15 kB
text="$(python3 - <<'PY'
import os
d = "tests/license-eval/texts"
print(min((abs(os.path.getsize(os.path.join(d, f)) - 15000), os.path.join(d, f)) for f in os.listdir(d))[1])
PY
)"
mkdir -p "$tmp/unknown" "$tmp/card"
printf -- '---\nlicense: other\n---\n# m\n' > "$tmp/unknown/README.md"
printf '{"model_type": "llama"}' > "$tmp/unknown/config.json"
cp "$text" "$tmp/unknown/LICENSE"
printf -- '---\nlicense: apache-2.0\n---\n# m\n' > "$tmp/card/README.md"
printf '{"model_type": "llama"}' > "$tmp/card/config.json"
python3 - "$bin" "$tmp" "$text" <<'PY'
import os, statistics, subprocess, sys, time
bin, tmp, text = sys.argv[1:4]
def median_ms(args, n=30):
    times = []
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        times.append((time.perf_counter() - t) * 1e3)
    return statistics.median(times), min(times)
print("| `mri license` on | median | fastest |")
print("|---|---:|---:|")
for label, d in [(f"a model whose LICENSE is {os.path.basename(text)} ({os.path.getsize(text) // 1000} kB, read by its clauses)", "unknown"), ("a model whose card alone decides (`license: apache-2.0`)", "card")]:
    med, fast = median_ms([bin, "license", os.path.join(tmp, d)])
    print(f"| {label} | **{med:.1f} ms** | {fast:.1f} ms |")
PY
