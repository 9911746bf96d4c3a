#!/usr/bin/env python3
"""Profiles one kernel under wrun and prints its generated code annotated
with where the samples fell (hot instructions first, then the listing).

  python3 bench/profile.py K [N] [--wrun build/cli/wrun] [--top 40]
                           [--wrun-args "--fuel 1000000000000"]

Needs perf (the software event cpu-clock is enough: no hardware counters
required) and objdump. Uses WRUN_DUMP_CODE to get the code and its load
address, `perf script` for the sampled pcs."""
import argparse
import collections
import os
import re
import shlex
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from run import KERNELS  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('kernel')
    ap.add_argument('n', nargs='?', type=int)
    ap.add_argument('--wrun', default=os.path.join(os.path.dirname(HERE),
                                                   'build', 'cli', 'wrun'))
    ap.add_argument('--out', default=os.path.join(HERE, 'out'))
    ap.add_argument('--top', type=int, default=40)
    ap.add_argument('--wrun-args', default='',
                    help='more options for wrun, e.g. "--fuel N"')
    args = ap.parse_args()
    n = args.n if args.n is not None else KERNELS[args.kernel]
    wasm = os.path.join(args.out, args.kernel + '.wasm')
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, 'perf.data')
        env = dict(os.environ, WRUN_DUMP_CODE=tmp)
        subprocess.run(['perf', 'record', '-q', '-e', 'cpu-clock', '-F', '4000',
                        '-o', data, args.wrun, *shlex.split(args.wrun_args),
                        '--invoke', 'run', wasm, str(n)],
                       env=env, check=True, stdout=subprocess.DEVNULL)
        bins = sorted(f for f in os.listdir(tmp) if f.endswith('.bin'))
        if not bins:
            sys.exit('no code dump: is this wrun built with WRUN_DUMP_CODE?')
        stem = os.path.join(tmp, bins[-1][:-4])
        with open(stem + '.txt') as f:
            code_map = f.read()
        base = int(re.search(r'mapped at (0x[0-9a-f]+)', code_map).group(1), 16)
        size = os.path.getsize(stem + '.bin')
        script = subprocess.run(['perf', 'script', '-i', data, '-F', 'ip'],
                                capture_output=True, text=True,
                                check=True).stdout
        hits, total, outside = collections.Counter(), 0, 0
        for line in script.split():
            ip = int(line, 16)
            total += 1
            if base <= ip < base + size:
                hits[ip - base] += 1
            else:
                outside += 1
        listing = subprocess.run(['objdump', '-D', '-b', 'binary',
                                  '-mi386:x86-64', stem + '.bin'],
                                 capture_output=True, text=True,
                                 check=True).stdout
    print(code_map)
    print(f'{total} samples, {total - outside} in JIT code '
          f'({100 * (total - outside) / max(total, 1):.1f}%)\n')
    print(f'hottest {args.top} instructions (samples land on the instruction '
          'after a slow one as often as on it):')
    lines = {}
    for line in listing.splitlines():
        m = re.match(r'\s*([0-9a-f]+):\t', line)
        if m:
            lines[int(m.group(1), 16)] = line
    for off, count in hits.most_common(args.top):
        print(f'{100 * count / total:5.1f}% {lines.get(off, hex(off))}')
    print('\nlisting:')
    for off in sorted(lines):
        count = hits.get(off, 0)
        mark = f'{100 * count / total:5.1f}%' if count else '      '
        print(f'{mark} {lines[off]}')


if __name__ == '__main__':
    main()
