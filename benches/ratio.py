"""Times a fast command against a slow one in alternation, run by run, so that
a machine whose speed drifts (a shared VM) slows both alike; prints each
command's median wall time and the speed-up: the ratio of the medians and the
median, quartiles and worst of the per-round ratios (each slow run against the
median of the fast runs beside it).

    python3 benches/ratio.py ROUNDS FAST_RUNS 'FAST COMMAND' 'SLOW COMMAND'

Each round runs the fast command FAST_RUNS times, then the slow one once.
Wall time is perf_counter around the child, so start-up is included; output
goes to /dev/null.
"""
import shlex
import statistics
import subprocess
import sys
import time

rounds, fast_runs = int(sys.argv[1]), int(sys.argv[2])
fast, slow = shlex.split(sys.argv[3]), shlex.split(sys.argv[4])


def wall(cmd):
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    return time.perf_counter() - t0


wall(fast)  # warm the page cache
wall(slow)
fast_all, slow_all, ratios = [], [], []
for _ in range(rounds):
    f = [wall(fast) for _ in range(fast_runs)]
    s = wall(slow)
    fast_all += f
    slow_all.append(s)
    ratios.append(s / statistics.median(f))
q1, q2, q3 = statistics.quantiles(ratios, n=4)
fm, sm = statistics.median(fast_all), statistics.median(slow_all)
print(f"fast: median {fm*1000:.1f} ms over {len(fast_all)} runs: {' '.join(fast)}")
print(f"slow: median {sm*1000:.1f} ms over {len(slow_all)} runs: {' '.join(slow)}")
print(f"speed-up: {sm/fm:.1f}x (ratio of medians); per round: median {q2:.1f}x, "
      f"quartiles {q1:.1f}-{q3:.1f}x, worst {min(ratios):.1f}x over {rounds} rounds")
