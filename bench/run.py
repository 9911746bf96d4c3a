#!/usr/bin/env python3
"""Benchmark runner: builds the kernels (wasm32 with clang, native with gcc),
runs each one with wrun, node (Liftoff only, and default tiers) and natively,
checks that all agree on the result and prints a Markdown table of medians.

  python3 bench/run.py [--wrun build/cli/wrun] [--runs 5] [--kernels a,b]
                       [--scale 1.0] [--no-turbofan] [--no-build]
                       [--wrun-args ARGS] [--variant NAME=[WRUN] ARGS]...
                       [--csv PATH]

--wrun-args passes more options to every wrun run (e.g. "--fuel 1000000").
Each --variant adds a wrun column NAME: the same wrun (or the WRUN path
given first) with its own ARGS, e.g. --variant "fuel=--fuel 1000000000000"
or --variant main=../main/build/cli/wrun; a second table then compares
each variant's run time with the plain wrun column, kernel by kernel and as
a geometric mean. Use --node '' to leave node out.

Times are milliseconds. "run" is the time of the call to run(N) measured
inside each process (wrun --time, performance.now() in node, clock_gettime
natively); "wall" is the whole process, startup and compile included.
Also per kernel: wrun's compile throughput (the .wasm file's bytes over
wrun --time's compile_ms, MB/s of 10^6 bytes), the peak RSS of wrun,
Liftoff's node and the native binary (GNU time's %M), and wrun's code
bytes per wasm body byte (wrun objdump's totals; '-' without Capstone).

Every run goes into a CSV, bench/results/DATE-COMMIT.csv (COMMIT: the
measured wrun's, from wrun --version; --csv PATH elsewhere, --csv '' none).
"""
import argparse
import csv
import datetime
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# N per kernel: about 0.2-0.4 s natively (gcc -O2) on the reference machine.
KERNELS = {
    'fib': 40,
    'sieve': 20,
    'matmul': 400,
    'nbody': 2500000,
    'crc32': 1700,
    'sort': 24,
    'hash': 3000,
    'mandelbrot': 2200,
    'interp': 6500000,
    'tailcall': 6500000,
    'strtab': 30,
    'sha256': 600,
    'lz': 120,
    'fannkuch': 10,
    'memops': 200,
    'primes64': 80,
}

# Compiled and linked in two steps: given -O at link time, clang runs
# binaryen's wasm-opt on the output when it finds one (Debian installs it
# in /usr/bin), so the kernels would depend on whether binaryen is there.
WASM_CFLAGS = ['--target=wasm32', '-O2', '-ffreestanding',
               '-mbulk-memory', '-msign-ext', '-mnontrapping-fptoint']
WASM_LDFLAGS = ['--target=wasm32', '-nostdlib', '-Wl,--no-entry',
                '-Wl,--export=run', '-Wl,--initial-memory=16777216']
# Kernels that need a Wasm 3.0 feature get its flag (and only they, so the
# others stay Wasm 2.0 modules).
KERNEL_WASM_CFLAGS = {'tailcall': ['-mtail-call']}
NODE_FLAGS = ['--no-wasm-lazy-compilation']


class BenchError(Exception):
    pass


def build(out_dir, kernels):
    os.makedirs(out_dir, exist_ok=True)
    clang = os.environ.get('CLANG', 'clang')
    gcc = os.environ.get('CC', 'gcc')
    for k in kernels:
        src = os.path.join(HERE, 'kernels', k + '.c')
        obj = os.path.join(out_dir, k + '.o')
        subprocess.run([clang, *WASM_CFLAGS, *KERNEL_WASM_CFLAGS.get(k, []),
                        '-c', '-o', obj, src], check=True)
        subprocess.run([clang, *WASM_LDFLAGS, '-o',
                        os.path.join(out_dir, k + '.wasm'), obj], check=True)
        subprocess.run([gcc, '-O2', f'-DKERNEL_SRC="{src}"', '-o',
                        os.path.join(out_dir, k + '.native'),
                        os.path.join(HERE, 'native_main.c'), '-lm'],
                       check=True)


def timings(stderr):
    """Every 'NAME_ms VALUE' pair the tools print on stderr."""
    return {m.group(1): float(m.group(2))
            for m in re.finditer(r'(\w+)_ms ([0-9.]+)', stderr)}


# Peak RSS comes from GNU time (%M, kilobytes), not from this process's
# wait4: a child forked from python and exec'ing the tool reports python's
# own peak (about 16 MB) when that is larger, since Linux keeps the
# highest RSS across exec; time forks from its own small image.
GNU_TIME = '/usr/bin/time' if os.access('/usr/bin/time', os.X_OK) else None


def run_once(cmd):
    """(stdout, timings): the tool's own, 'wall', and 'rss_kb' (the peak
    resident set, when GNU time is there)."""
    with tempfile.NamedTemporaryFile('r') as rss:
        wrapped = ([GNU_TIME, '-f', '%M', '-o', rss.name, *cmd] if GNU_TIME
                   else cmd)
        start = time.perf_counter()
        p = subprocess.run(wrapped, capture_output=True, text=True)
        wall = (time.perf_counter() - start) * 1e3
        peak = re.findall(r'^(\d+)$', rss.read(), re.M) if GNU_TIME else []
    if p.returncode != 0:
        raise BenchError(f'{" ".join(cmd)} failed ({p.returncode}): '
                         f'{p.stderr.strip()}')
    t = timings(p.stderr)
    t['wall'] = wall
    if peak:
        t['rss_kb'] = float(peak[-1])
    return p.stdout.strip(), t


def same_result(a, b):
    if a == b:
        return True
    try:  # doubles: each tool prints its own (round-tripping) decimal
        return float(a) == float(b)
    except ValueError:
        return False


def measure(cmd, runs, record=None):
    """Median of every timing over runs; the result must never change.
    record(run_index, result, timings) sees each run (the CSV)."""
    result, samples = None, []
    for i in range(runs):
        r, t = run_once(cmd)
        if record:
            record(i, r, t)
        if result is not None and r != result:
            raise BenchError(f'{" ".join(cmd)}: result changed: {result} '
                             f'then {r}')
        result = r
        samples.append(t)
    keys = set.intersection(*(set(s) for s in samples))
    return result, {k: statistics.median(s[k] for s in samples) for k in keys}


def tools(args, out_dir, kernel, n):
    wasm = os.path.join(out_dir, kernel + '.wasm')
    node_run = os.path.join(HERE, 'node_run.mjs')
    yield 'wrun', [args.wrun, *shlex.split(args.wrun_args), '--time',
                   '--invoke', 'run', wasm, str(n)]
    for name, wrun, extra in args.variants:
        yield name, [wrun, *extra, '--time', '--invoke', 'run', wasm, str(n)]
    if args.node:
        yield 'liftoff', [args.node, '--liftoff-only', *NODE_FLAGS, node_run,
                          wasm, str(n)]
        if args.turbofan:
            # TurboFan only: with default tiers a single long call to
            # run() would stay in Liftoff code (tier-up needs a new call).
            yield 'turbofan', [args.node, '--no-liftoff', *NODE_FLAGS,
                               node_run, wasm, str(n)]
    yield 'native', [os.path.join(out_dir, kernel + '.native'), str(n)]


def code_size(wrun, wasm):
    """(code bytes, wasm body bytes) from wrun objdump's last line, for the
    default configuration; None when it cannot say (no Capstone)."""
    p = subprocess.run([wrun, 'objdump', wasm], capture_output=True,
                       text=True)
    m = re.search(r'^\d+ functions?: code (\d+) bytes, wasm (\d+) bytes',
                  p.stdout, re.M)
    return (int(m.group(1)), int(m.group(2))) if p.returncode == 0 and m \
        else None


def wrun_commit(wrun):
    """The measured wrun's commit (wrun --version), else the tree's."""
    p = subprocess.run([wrun, '--version'], capture_output=True, text=True)
    m = re.search(r'commit ([0-9a-f]+(?:-dirty)?)', p.stdout)
    if m:
        return m.group(1)
    p = subprocess.run(['git', '-C', ROOT, 'rev-parse', '--short=12', 'HEAD'],
                       capture_output=True, text=True)
    return p.stdout.strip() or 'unknown'


CSV_FIELDS = ['date', 'wrun_commit', 'kernel', 'n', 'tool', 'run', 'result',
              'run_ms', 'wall_ms', 'compile_ms', 'instantiate_ms',
              'peak_rss_kb', 'wasm_bytes', 'compile_mb_s', 'code_bytes',
              'wasm_body_bytes', 'code_per_wasm_byte', 'command']


def mb_per_s(nbytes, ms):
    """Compile throughput: 10^6 bytes per second."""
    return nbytes / 1e6 / (ms / 1e3) if ms else None


def fmt(v):
    return '-' if v is None else (f'{v:.0f}' if v >= 100 else f'{v:.1f}')


def ratio(a, b):
    return '-' if a is None or not b else f'{a / b:.2f}'


def parse_variant(ap, spec, default_wrun):
    """NAME=[WRUN] ARGS -> (name, wrun, args)."""
    name, sep, rest = spec.partition('=')
    if not sep or not name or name in ('wrun', 'liftoff', 'turbofan',
                                        'native'):
        ap.error(f'--variant {spec!r}: expected NAME=[WRUN] ARGS with a new '
                 'NAME')
    words = shlex.split(rest)
    wrun = default_wrun
    if words and not words[0].startswith('-'):
        wrun = words.pop(0)
    if not os.access(wrun, os.X_OK):
        ap.error(f'--variant {name}: {wrun} is not executable')
    return name, wrun, words


def print_compile_memory(rows, sizes, wrun):
    """Compile throughput, code size and peak RSS (medians) per kernel."""
    def rss(res, tool):
        v = res[tool][1].get('rss_kb') if tool in res else None
        return '-' if v is None else f'{v / 1024:.1f}'
    print('\n| kernel | wasm bytes | wrun compile ms | wrun compile MB/s '
          '| code bytes / wasm byte | wrun peak RSS MB | liftoff peak RSS MB '
          '| native peak RSS MB |')
    print('|---|---:|---:|---:|---:|---:|---:|---:|')
    for k, _, res, wasm_bytes in rows:
        c = res['wrun'][1].get('compile')
        speed = mb_per_s(wasm_bytes, c) if c else None
        size = sizes.get((wrun, k))
        print(f'| {k} | {wasm_bytes} | {"-" if c is None else f"{c:.2f}"} '
              f'| {"-" if speed is None else f"{speed:.1f}"} '
              f'| {f"{size[0] / size[1]:.2f}" if size and size[1] else "-"} '
              f'| {rss(res, "wrun")} | {rss(res, "liftoff")} '
              f'| {rss(res, "native")} |')


def print_variants(rows, variants):
    """Each variant's run time against the plain wrun column."""
    names = [v[0] for v in variants]
    print('\n| kernel | wrun run | ' +
          ' | '.join(f'{n} run | {n}/wrun' for n in names) + ' |')
    print('|---|---:|' + '---:|---:|' * len(names))
    ratios = {n: [] for n in names}
    for k, _, res, _ in rows:
        base = res['wrun'][1].get('run')
        cells = []
        for n in names:
            v = res[n][1].get('run') if n in res else None
            cells += [fmt(v), ratio(v, base)]
            if v and base:
                ratios[n].append(v / base)
        print(f'| {k} | {fmt(base)} | ' + ' | '.join(cells) + ' |')
    for n in names:
        if ratios[n]:
            print(f'\ngeometric mean: {n}/wrun '
                  f'{statistics.geometric_mean(ratios[n]):.3f}')


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument('--wrun', default=os.path.join(ROOT, 'build', 'cli', 'wrun'))
    ap.add_argument('--node', default=shutil.which('node'))
    ap.add_argument('--out', default=os.path.join(HERE, 'out'))
    ap.add_argument('--runs', type=int, default=5)
    ap.add_argument('--kernels', default=','.join(KERNELS))
    ap.add_argument('--scale', type=float, default=1.0,
                    help='multiply every N (fib: added log1.6(scale))')
    ap.add_argument('--no-turbofan', dest='turbofan', action='store_false')
    ap.add_argument('--no-build', dest='build', action='store_false')
    ap.add_argument('--wrun-args', default='',
                    help='more options for every wrun run')
    ap.add_argument('--variant', action='append', default=[],
                    help='NAME=[WRUN] ARGS: another wrun column')
    ap.add_argument('--csv', default=None,
                    help='where every run goes (default bench/results/'
                    'DATE-COMMIT.csv; empty: no CSV)')
    args = ap.parse_args()
    args.variants = [parse_variant(ap, v, args.wrun) for v in args.variant]
    kernels = [k for k in args.kernels.split(',') if k]
    for k in kernels:
        if k not in KERNELS:
            ap.error(f'unknown kernel {k}')
    if not os.access(args.wrun, os.X_OK):
        ap.error(f'{args.wrun} is not executable (build wrun, or --wrun PATH)')
    if args.build:
        build(args.out, kernels)

    now = datetime.datetime.now(datetime.timezone.utc)
    commit = wrun_commit(args.wrun)
    if args.csv is None:
        args.csv = os.path.join(HERE, 'results', now.strftime(
            '%Y-%m-%dT%H%M%SZ') + f'-{commit}.csv')
    csv_file = None
    if args.csv:
        os.makedirs(os.path.dirname(os.path.abspath(args.csv)), exist_ok=True)
        csv_file = open(args.csv, 'w', newline='')
        writer = csv.DictWriter(csv_file, fieldnames=CSV_FIELDS)
        writer.writeheader()
    # the wrun binary of each wrun column, for its code size
    wrun_of = {'wrun': args.wrun, **{v[0]: v[1] for v in args.variants}}
    sizes = {}  # (wrun, kernel) -> code_size

    rows, failures = [], 0
    for k in kernels:
        n = KERNELS[k]
        if args.scale != 1.0:
            n = (n + round(__import__('math').log(args.scale, 1.618))
                 if k == 'fib' else max(1, int(n * args.scale)))
        res = {}
        wasm = os.path.join(args.out, k + '.wasm')
        wasm_bytes = os.path.getsize(wasm)
        for w in set(wrun_of.values()):
            sizes[w, k] = code_size(w, wasm)
        try:
            for tool, cmd in tools(args, args.out, k, n):
                size = sizes.get((wrun_of.get(tool), k))

                def record(i, r, t, tool=tool, cmd=cmd, size=size):
                    if not csv_file:
                        return
                    compile_ms = t.get('compile')
                    is_wasm = tool != 'native'
                    writer.writerow({
                        'date': now.isoformat(timespec='seconds'),
                        'wrun_commit': commit, 'kernel': k, 'n': n,
                        'tool': tool, 'run': i, 'result': r,
                        'run_ms': t.get('run'), 'wall_ms': f"{t['wall']:.3f}",
                        'compile_ms': compile_ms,
                        'instantiate_ms': t.get('instantiate'),
                        'peak_rss_kb': (int(t['rss_kb']) if 'rss_kb' in t
                                        else None),
                        'wasm_bytes': wasm_bytes if is_wasm else None,
                        'compile_mb_s': (f'{mb_per_s(wasm_bytes, compile_ms):.3f}'
                                         if is_wasm and compile_ms else None),
                        'code_bytes': size[0] if size else None,
                        'wasm_body_bytes': size[1] if size else None,
                        'code_per_wasm_byte': (f'{size[0] / size[1]:.3f}'
                                               if size and size[1] else None),
                        'command': shlex.join(cmd)})
                    csv_file.flush()

                res[tool] = measure(cmd, args.runs, record)
                print(f'{k:<11} {tool:<9} {res[tool][0]:>22}  '
                      f'run {fmt(res[tool][1].get("run"))} ms  '
                      f'wall {fmt(res[tool][1]["wall"])} ms',
                      file=sys.stderr)
        except BenchError as e:
            print(f'{k}: ERROR: {e}', file=sys.stderr)
            failures += 1
            continue
        expected = res['native'][0]
        for tool, (r, _) in res.items():
            if not same_result(r, expected):
                print(f'{k}: ERROR: {tool} printed {r}, native {expected}',
                      file=sys.stderr)
                failures += 1
        rows.append((k, n, res, wasm_bytes))

    def get(res, tool, key):
        return res[tool][1].get(key) if tool in res else None

    print('| kernel | N | wrun run | wrun wall | wrun compile | liftoff run '
          '| liftoff compile | turbofan run | native run '
          '| wrun/liftoff | wrun/native |')
    print('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
    for k, n, res, _ in rows:
        w = get(res, 'wrun', 'run')
        print(f'| {k} | {n} | {fmt(w)} | {fmt(get(res, "wrun", "wall"))} '
              f'| {get(res, "wrun", "compile") or 0:.2f} '
              f'| {fmt(get(res, "liftoff", "run"))} '
              f'| {get(res, "liftoff", "compile") or 0:.2f} '
              f'| {fmt(get(res, "turbofan", "run"))} '
              f'| {fmt(get(res, "native", "run"))} '
              f'| {ratio(w, get(res, "liftoff", "run"))} '
              f'| {ratio(w, get(res, "native", "run"))} |')
    if rows:
        geo = {}
        for other in ('liftoff', 'native'):
            rs = [get(r, 'wrun', 'run') / get(r, other, 'run')
                  for _, _, r, _ in rows
                  if get(r, other, 'run') and get(r, 'wrun', 'run')]
            if rs:
                geo[other] = statistics.geometric_mean(rs)
        print(f'\ngeometric mean: wrun/liftoff '
              f'{geo.get("liftoff", float("nan")):.2f}, wrun/native '
              f'{geo.get("native", float("nan")):.2f}')
        print_compile_memory(rows, sizes, args.wrun)
        if args.variants:
            print_variants(rows, args.variants)
    if csv_file:
        csv_file.close()
        shown = os.path.relpath(args.csv)
        print(f'every run: {args.csv if shown.startswith("..") else shown}',
              file=sys.stderr)
    if failures:
        print(f'{failures} error(s)', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
