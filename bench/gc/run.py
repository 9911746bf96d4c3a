#!/usr/bin/env python3
"""The GC benchmark: binary trees (bench/gc/README.md). Builds
binary_trees.wasm (binary_trees.py) and the native binary (gcc -O2), runs
each tool --runs times and prints the median run time inside the process,
the ratios, the peak RSS of each process (wait4), and wrun's GC figures
(collections, total and max pause)."""
import argparse
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run_rss(cmd):
    """Like run, with the peak RSS of that process alone (os.wait4)."""
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    out = p.stdout.read()
    err = p.stderr.read()
    _, status, usage = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)}: exit {p.returncode}\n{err}")
    return out.strip(), err, usage.ru_maxrss / 1024.0


def ms(err, key="run_ms"):
    m = re.search(key + r" ([0-9.]+)", err)
    if not m:
        sys.exit(f"no {key} in:\n{err}")
    return float(m.group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--wrun", default="build/cli/wrun")
    ap.add_argument("--node", default="node",
                    help="a node with WasmGC on by default (22 or later); "
                         "'' to leave node out")
    ap.add_argument("--depth", type=int, default=16)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", default=os.path.join(HERE, "..", "out"))
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    wasm = os.path.join(a.out, "binary_trees.wasm")
    native = os.path.join(a.out, "binary_trees")
    subprocess.check_call([sys.executable, os.path.join(HERE,
                                                        "binary_trees.py"),
                           wasm])
    subprocess.check_call(["gcc", "-O2", os.path.join(HERE, "binary_trees.c"),
                           "-o", native])
    n = str(a.depth)
    tools = {
        "wrun": [a.wrun, "--time", "--invoke", "run", wasm, n],
        "native": [native, n],
    }
    if a.node:
        node_run = os.path.join(HERE, "..", "node_run.mjs")
        tools["liftoff"] = [a.node, "--liftoff-only",
                            "--no-wasm-lazy-compilation", node_run, wasm, n]
        tools["turbofan"] = [a.node, "--no-liftoff", node_run, wasm, n]
    times = {t: [] for t in tools}
    rss = {t: [] for t in tools}
    gc = []
    result = None
    for _ in range(a.runs):
        for t, cmd in tools.items():
            out, err, peak = run_rss(cmd)
            if result is None:
                result = out
            elif out != result:
                sys.exit(f"{t} printed {out}, expected {result}")
            times[t].append(ms(err))
            rss[t].append(peak)
            if t == "wrun":
                gc.append([int(x) for x in re.search(
                    r"collections (\d+) total_pause_ns (\d+) max_pause_ns "
                    r"(\d+)", err).groups()])
    med = {t: statistics.median(v) for t, v in times.items()}
    print(f"binary trees, depth {n}: result {result}, medians of {a.runs}")
    for t in tools:
        ratio = "".join(f"  {t}/{o} {med[t] / med[o]:.2f}"
                        for o in ("liftoff", "native") if o in med and o != t)
        print(f"  {t:9} run {med[t]:8.1f} ms  peak RSS "
              f"{statistics.median(rss[t]):6.1f} MB{ratio}")
    cols = statistics.median(g[0] for g in gc)
    total = statistics.median(g[1] for g in gc) / 1e6
    worst = max(g[2] for g in gc) / 1e6
    print(f"  wrun GC: {cols:.0f} collections, pause total {total:.1f} ms "
          f"(median), max {worst:.1f} ms (of all runs)")


if __name__ == "__main__":
    main()
