"""Runs a command repeatedly; prints the median wall time (perf_counter around
the child, so start-up is included) and the peak RSS of one more run, measured
by GNU time (/usr/bin/time -f %M) so that the harness's own memory is not counted.

    python3 benches/timeit.py LABEL RUNS -- COMMAND ARGS...
"""
import statistics
import subprocess
import sys
import time

label, runs = sys.argv[1], int(sys.argv[2])
cmd = sys.argv[sys.argv.index("--") + 1:]
subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)  # warm the page cache
walls = []
for _ in range(runs):
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
    walls.append(time.perf_counter() - t0)
rss = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, stdout=subprocess.DEVNULL,
                     stderr=subprocess.PIPE, text=True, check=True).stderr.strip().splitlines()[-1]
peak_kib = int(rss)
walls.sort()
print(f"{label}: median {statistics.median(walls)*1000:.1f} ms "
      f"(min {walls[0]*1000:.1f}, max {walls[-1]*1000:.1f}) over {runs} runs; "
      f"peak RSS {peak_kib/1024:.1f} MiB")
