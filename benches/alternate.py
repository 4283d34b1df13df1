"""Times two or more builds (or any commands) in alternation, run by run, so
that a machine whose speed drifts (a shared VM) slows each alike; prints each
command's median, first quartile and fastest wall time.

    python3 benches/alternate.py ROUNDS 'COMMAND A' 'COMMAND B' [...]

Each round runs every command once, in the order given. Wall time is
perf_counter around the child, so start-up is included; output goes to
/dev/null.
"""
import shlex
import statistics
import subprocess
import sys
import time

rounds = int(sys.argv[1])
commands = sys.argv[2:]
argvs = [shlex.split(c) for c in commands]
times = [[] for _ in argvs]
for argv in argvs:  # warm the page cache
    subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
for _ in range(rounds):
    for argv, ts in zip(argvs, times):
        t0 = time.perf_counter()
        subprocess.run(argv, stdout=subprocess.DEVNULL, check=True)
        ts.append(time.perf_counter() - t0)
for command, ts in zip(commands, times):
    ts.sort()
    print(
        f"median {statistics.median(ts)*1000:.2f} ms  first quartile "
        f"{ts[len(ts)//4]*1000:.2f} ms  fastest {ts[0]*1000:.2f} ms  {command}"
    )
