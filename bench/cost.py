#!/usr/bin/env python3
"""Compares wrun variants on the bench kernels with two measures steadier
than wall time on a shared machine:

- instructions executed, counted by valgrind (cachegrind, no cache
  simulation) at a reduced N (--icount-scale), for when perf has no
  hardware counters (virtual machines);
- CPU time (perf stat -e task-clock, a software event) of whole runs at
  full N, variants interleaved round by round, medians.

  python3 bench/cost.py --variant base=build/cli/wrun \\
      --variant "fuel=build/cli/wrun --fuel 1000000000000" [--rounds 7]

The first variant is the base of the ratios. Kernels come from bench/out
(bench/run.sh builds them; --out to change)."""
import argparse
import math
import os
import re
import shlex
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from run import KERNELS  # noqa: E402


def scaled_n(kernel, n, scale):
    if scale == 1.0:
        return n
    if kernel == 'fib':  # fib(n) takes about 1.618^n
        return n + round(math.log(scale, 1.618))
    return max(1, int(n * scale))


def run_cmd(cmd, wasm, n):
    return [*cmd, '--invoke', 'run', wasm, str(n)]


def instructions(cmd, wasm, n):
    p = subprocess.run(['valgrind', '--tool=cachegrind', '--cache-sim=no',
                        '--cachegrind-out-file=/dev/null',
                        *run_cmd(cmd, wasm, n)],
                       capture_output=True, text=True, check=True)
    m = re.search(r'I\s+refs:\s+([0-9,]+)', p.stderr)
    return int(m.group(1).replace(',', '')), p.stdout.strip()


def cpu_ms(cmd, wasm, n):
    p = subprocess.run(['perf', 'stat', '-x,', '-e', 'task-clock',
                        *run_cmd(cmd, wasm, n)],
                       capture_output=True, text=True, check=True)
    line = next(l for l in p.stderr.splitlines() if 'task-clock' in l)
    return float(line.split(',')[0]), p.stdout.strip()


def geomean(xs):
    return math.exp(sum(map(math.log, xs)) / len(xs)) if xs else float('nan')


def table(title, kernels, names, value, fmt):
    base = names[0]
    print(f'\n{title}\n')
    print('| kernel | ' + ' | '.join(names) + ' | ' +
          ' | '.join(f'{n}/{base}' for n in names[1:]) + ' |')
    print('|---|' + '---:|' * (2 * len(names) - 1))
    ratios = {n: [] for n in names[1:]}
    for k in kernels:
        vals = [value(k, n) for n in names]
        for n, v in zip(names[1:], vals[1:]):
            ratios[n].append(v / vals[0])
        print(f'| {k} | ' + ' | '.join(fmt(v) for v in vals) + ' | ' +
              ' | '.join(f'{v / vals[0]:.3f}' for v in vals[1:]) + ' |')
    print('| geomean | ' + ' | ' * (len(names) - 1) + ' | ' +
          ' | '.join(f'{geomean(ratios[n]):.3f}' for n in names[1:]) + ' |')


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument('--variant', action='append', required=True,
                    help='NAME=WRUN [ARGS]; the first is the base')
    ap.add_argument('--out', default=os.path.join(HERE, 'out'))
    ap.add_argument('--kernels', default=','.join(KERNELS))
    ap.add_argument('--rounds', type=int, default=7)
    ap.add_argument('--icount-scale', type=float, default=0.1)
    ap.add_argument('--no-icount', dest='icount', action='store_false')
    ap.add_argument('--no-cpu', dest='cpu', action='store_false')
    args = ap.parse_args()
    variants = {}
    for spec in args.variant:
        name, sep, rest = spec.partition('=')
        if not sep or not rest:
            ap.error(f'--variant {spec!r}: expected NAME=WRUN [ARGS]')
        variants[name] = shlex.split(rest)
    names = list(variants)
    kernels = [k for k in args.kernels.split(',') if k]
    wasm = {k: os.path.join(args.out, k + '.wasm') for k in kernels}

    if args.icount:
        counts = {}
        for k in kernels:
            n = scaled_n(k, KERNELS[k], args.icount_scale)
            results = set()
            for name in names:
                counts[k, name], r = instructions(variants[name], wasm[k], n)
                results.add(r)
            if len(results) != 1:
                sys.exit(f'{k}: the variants disagree: {results}')
        table(f'instructions (valgrind), N scaled by {args.icount_scale}',
              kernels, names, lambda k, n: counts[k, n], lambda v: f'{v:,}')
    if args.cpu:
        samples = {(k, n): [] for k in kernels for n in names}
        for _ in range(args.rounds):
            for k in kernels:
                for name in names:
                    ms, _ = cpu_ms(variants[name], wasm[k], KERNELS[k])
                    samples[k, name].append(ms)
        table(f'CPU time (perf task-clock, ms), median of {args.rounds} '
              'interleaved rounds', kernels, names,
              lambda k, n: statistics.median(samples[k, n]),
              lambda v: f'{v:.0f}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
