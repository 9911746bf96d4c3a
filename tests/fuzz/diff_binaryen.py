#!/usr/bin/env python3
"""Differential fuzzing of wrun against binaryen's interpreter.

    diff_binaryen.py --fuzz-exec BUILD/tests/fuzz/fuzz-exec --save DIR
                     [--seeds FIRST:COUNT] [--time-limit SECONDS] ...
    diff_binaryen.py --fuzz-exec ... --save DIR --check MODULE.wasm [--simd]

For each seed: random bytes (Python's random, seeded) become a module
through `wasm-opt -ttf` (with or without SIMD; half of them with --denan,
which turns every f32/f64 NaN into 0 at run time; some re-optimised with an
-O level). binaryen's interpreter runs it (`wasm-opt --fuzz-exec-before`)
and wrun runs it (fuzz-exec, which follows the interpreter's protocol); the
two outputs must agree line by line: the exports called, every value logged
through the fuzzing-support imports, every result and every trap (see
fuzzexec_compare.py, and README.md for what is and is not compared).

A mismatch, a crash, a compile refusal or a run that outlives the timeout
saves the module and both outputs in DIR/seed-N/ and makes the exit status
1. The summary line gives the counts; a run that compared too few modules
fails as well.
"""
import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

from fuzzexec_compare import Comparison, Mismatch, count_events

# fuzz-exec runs wrun in deterministic mode (canonical NaNs), and values
# must match bit for bit, except that where binaryen has a NaN wrun's must
# be the canonical one (fuzzexec_compare.Comparison): README.md lists the
# operations where binaryen 108 itself does not return the canonical NaN.
# False compares any two NaNs as equal and runs wrun in its default mode.
DETERMINISTIC = True

# Wasm 2.0 as wrun implements it, minus reference types: binaryen 108's
# -ttf with reference types emits typed function references ((ref $t),
# ref.as_non_null), a later proposal that wrun rightly rejects. Plus 3.0's
# tail calls (-ttf makes a return_call now and then).
BASE_FEATURES = ['--mvp-features', '--enable-sign-ext',
                 '--enable-mutable-globals',
                 '--enable-nontrapping-float-to-int',
                 '--enable-bulk-memory', '--enable-multivalue',
                 '--enable-tail-call']
SIMD_SHARE = 0.5
DENAN_SHARE = 0.5
OPTIMISED_SHARE = 0.3
OPT_LEVELS = ['-O1', '-O2', '-O3', '-O4', '-Os', '-Oz']
MIN_INPUT, MAX_INPUT = 512, 24 * 1024  # -ttf input bytes: module size

BINARYEN_TIMEOUT_S = 60
WRUN_TIMEOUT_MS = 20000
EXIT_INTERRUPTED = 3  # fuzz-exec: the watchdog stopped the run


def features_for(simd):
    return BASE_FEATURES + ['--enable-simd' if simd else '--disable-simd']


class Case:
    """What a seed makes: the -ttf input and the wasm-opt passes."""

    def __init__(self, seed):
        rng = random.Random(seed)
        self.seed = seed
        self.input = rng.randbytes(rng.randint(MIN_INPUT, MAX_INPUT))
        self.simd = rng.random() < SIMD_SHARE
        self.denan = rng.random() < DENAN_SHARE
        self.opt = (rng.choice(OPT_LEVELS) if rng.random() < OPTIMISED_SHARE
                    else None)
        self.features = features_for(self.simd)
        self.passes = ((['--denan'] if self.denan else []) +
                       ([self.opt] if self.opt else []))

    def describe(self):
        return (f'seed {self.seed}: {len(self.input)} input bytes, '
                f'{"SIMD" if self.simd else "no SIMD"}, '
                f'passes: {" ".join(self.passes) or "none"}')


def run(cmd, timeout):
    return subprocess.run(cmd, capture_output=True, text=True,
                          timeout=timeout)


class Outcome:
    """One module through both: binaryen's output, wrun's, and the verdict
    (problem is None when they agree; skipped when binaryen failed)."""

    def __init__(self):
        self.binaryen = self.wrun = self.wrun_stderr = ''
        self.problem = None
        self.noncanonical = False  # see fuzzexec_compare.Mismatch
        self.skipped = None
        self.lines = 0
        self.limited = False


class Runner:
    def __init__(self, wasm_opt, fuzz_exec):
        self.wasm_opt = wasm_opt
        self.fuzz_exec = fuzz_exec
        self.comparison = Comparison(exact_nans=DETERMINISTIC)

    def interp_cmd(self, wasm, features):
        return [self.wasm_opt, wasm, *features, '--fuzz-exec-before', '-q']

    def wrun_cmd(self, wasm):
        return [self.fuzz_exec, '--timeout-ms', str(WRUN_TIMEOUT_MS),
                *(['--deterministic'] if DETERMINISTIC else []), wasm]

    def both(self, wasm, features):
        o = Outcome()
        try:
            b = run(self.interp_cmd(wasm, features), BINARYEN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            o.skipped = 'binaryen timed out'
            return o
        if b.returncode != 0:
            o.skipped = 'binaryen failed: ' + b.stderr[-500:]
            return o
        o.binaryen = b.stdout
        try:
            w = run(self.wrun_cmd(wasm), WRUN_TIMEOUT_MS / 1000 + 30)
        except subprocess.TimeoutExpired:
            o.problem = 'wrun hung (the watchdog did not stop it)'
            return o
        o.wrun, o.wrun_stderr = w.stdout, w.stderr
        if w.returncode == 0:
            try:
                o.lines, o.limited = self.comparison.compare(o.binaryen,
                                                             o.wrun)
            except Mismatch as m:
                o.problem = str(m)
                o.noncanonical = m.noncanonical
        elif w.returncode == EXIT_INTERRUPTED:
            o.problem = (f'wrun interrupted after {WRUN_TIMEOUT_MS} ms, '
                         'binaryen finished')
        elif w.returncode < 0:
            o.problem = f'wrun crashed: signal {-w.returncode}'
        else:
            o.problem = f'wrun exit status {w.returncode}'
        return o

    def denan(self, wasm, features, out):
        run([self.wasm_opt, wasm, *features, '--denan', '-o', out],
            BINARYEN_TIMEOUT_S).check_returncode()


class Harness:
    def __init__(self, args):
        self.args = args
        self.runner = Runner(args.wasm_opt, args.fuzz_exec)
        self.counts = dict(seeds=0, compared=0, simd=0, denan=0, optimised=0,
                           host_limited=0, lines=0, exports=0, traps=0,
                           skipped=0, mismatch=0)
        self.counts['nan-divergence'] = self.counts['simd-nan-suspect'] = 0
        self.work = tempfile.mkdtemp(prefix='wrun-diff-')

    def one(self, seed):
        case = Case(seed)
        self.counts['seeds'] += 1
        stem = os.path.join(self.work, f'seed-{seed}')
        with open(stem + '.bin', 'wb') as f:
            f.write(case.input)
        try:
            g = run([self.args.wasm_opt, stem + '.bin', '-ttf',
                     *case.features, *case.passes, '-o', stem + '.wasm'],
                    BINARYEN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            g = None
        if g is None or g.returncode != 0:
            return self.skip(case, 'wasm-opt -ttf failed')
        o = self.runner.both(stem + '.wasm', case.features)
        if o.skipped:
            self.skip(case, o.skipped)
        elif o.problem:
            self.triage(case, stem, o)
        else:
            self.count_compared(case, o)
        for path in (stem + '.bin', stem + '.wasm', stem + '.denan.wasm'):
            if os.path.exists(path):
                os.remove(path)

    def triage(self, case, stem, o):
        """Sorts a disagreement. The spec lets NaN results choose their
        bits; binaryen returns the canonical NaN from most arithmetic but
        keeps host bits from some (sqrt, rounding, promote/demote), where
        wrun in deterministic mode is canonical; reinterpretations, stores,
        lane operations and branches on those bits turn that into integer
        and control differences. So:
          - a module that can make f32/f64 NaNs is re-run with --denan:
            if that agrees, it was a "NaN divergence";
          - in a SIMD module NaN lanes remain (binaryen 108's --denan
            leaves v128 alone): a disagreement there is a "SIMD NaN
            suspect", kept for inspection but not a failure;
        anything else, and any crash, refusal or hang, is a mismatch. A NaN
        of wrun's that is not canonical can be NaN freedom too (copysign
        takes the sign of binaryen's uncanonicalised ceil(-nan)): it goes
        through the same triage, and o.noncanonical says so in the
        report."""
        verdict = 'mismatch'
        if not o.problem.startswith('wrun '):
            if not case.denan:
                self.runner.denan(stem + '.wasm', case.features,
                                  stem + '.denan.wasm')
                d = self.runner.both(stem + '.denan.wasm', case.features)
                if not d.problem and not d.skipped:
                    verdict = 'nan-divergence'
            if verdict == 'mismatch' and case.simd:
                verdict = 'simd-nan-suspect'
        self.counts[verdict] += 1
        sub = '' if verdict == 'mismatch' else verdict + '/'
        out = self.save(case, stem, o, os.path.join(
            self.args.save, f'{sub}seed-{case.seed}'))
        mark = ' [a non-canonical NaN of wrun\'s]' if o.noncanonical else ''
        print(f'{verdict.upper()} {case.describe()}: {o.problem}{mark} '
              f'(saved in {out})', file=sys.stderr)

    def count_compared(self, case, o):
        c = self.counts
        c['compared'] += 1
        c['simd'] += case.simd
        c['denan'] += case.denan
        c['optimised'] += case.opt is not None
        c['host_limited'] += o.limited
        c['lines'] += o.lines
        exports, traps = count_events(o.binaryen, o.lines)
        c['exports'] += exports
        c['traps'] += traps

    def skip(self, case, why):
        self.counts['skipped'] += 1
        if self.args.verbose:
            print(f'skipped {case.describe()}: {why.strip()}',
                  file=sys.stderr)

    def save(self, case, stem, o, out):
        os.makedirs(out, exist_ok=True)
        module = os.path.join(out, 'module.wasm')
        shutil.copy(stem + '.wasm', module)
        shutil.copy(stem + '.bin', os.path.join(out, 'ttf-input.bin'))
        for name, text in (('binaryen.txt', o.binaryen), ('wrun.txt', o.wrun),
                           ('wrun.stderr', o.wrun_stderr)):
            with open(os.path.join(out, name), 'w') as f:
                f.write(text)
        r = self.runner
        with open(os.path.join(out, 'MISMATCH'), 'w') as f:
            f.write(f'{case.describe()}\n{o.problem}\n\nreproduce:\n')
            for cmd in (r.interp_cmd(module, case.features),
                        r.wrun_cmd(module)):
                f.write('  ' + ' '.join(cmd) + '\n')
        return out

    def summary(self, elapsed):
        c = self.counts
        n = max(c['compared'], 1)
        per_s = 1 / max(elapsed, 1e-9)
        return (f'{c["seeds"]} seeds: {c["compared"]} modules compared '
                f'({100 * c["simd"] / n:.0f}% SIMD, '
                f'{100 * c["denan"] / n:.0f}% denan, '
                f'{100 * c["optimised"] / n:.0f}% optimised, '
                f'{c["host_limited"]} cut at binaryen\'s stack limit), '
                f'{c["exports"]} export calls, {c["traps"]} traps, '
                f'{c["lines"]} lines agreed; {c["skipped"]} skipped; '
                f'{c["nan-divergence"]} NaN divergences, '
                f'{c["simd-nan-suspect"]} SIMD NaN suspects; '
                f'{c["mismatch"]} mismatches; {elapsed:.1f} s, '
                f'{c["seeds"] * per_s:.1f} modules/s, '
                f'{c["exports"] * per_s:.0f} exports/s')


def check_one(args):
    """Compares one given module: the first line of stdout says "agree" or
    "mismatch" (all wasm-reduce looks at), the details go to stderr."""
    o = Runner(args.wasm_opt, args.fuzz_exec).both(args.check,
                                                   features_for(args.simd))
    if o.skipped:
        print('binaryen failed')
        print(o.skipped, file=sys.stderr)
        return 2
    if o.problem:
        print('mismatch')
        print(o.problem, file=sys.stderr)
        return 1
    print('agree')
    return 0


def parse_seeds(text):
    first, _, count = text.partition(':')
    return int(first), int(count or 1)


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--fuzz-exec', required=True,
                   help='the fuzz-exec program (BUILD/tests/fuzz/fuzz-exec)')
    p.add_argument('--save', required=True,
                   help='directory for mismatching cases')
    p.add_argument('--wasm-opt', default='wasm-opt')
    p.add_argument('--seeds', default='1:100', type=parse_seeds,
                   help='FIRST:COUNT (default 1:100)')
    p.add_argument('--time-limit', type=float, default=0,
                   help='stop after SECONDS even if seeds remain')
    p.add_argument('--min-compared', type=float, default=0.9,
                   help='fail if fewer than this share of seeds compared')
    p.add_argument('--verbose', action='store_true',
                   help='name skipped seeds, print a summary every 100')
    p.add_argument('--check', metavar='MODULE.wasm',
                   help='compare one module (with --simd if it uses SIMD) '
                        'and print "agree" or "mismatch" (for wasm-reduce)')
    p.add_argument('--simd', action='store_true')
    args = p.parse_args()
    args.fuzz_exec = os.path.abspath(args.fuzz_exec)
    if shutil.which(args.wasm_opt) is None:
        print(f'diff_binaryen: {args.wasm_opt} not found (binaryen)',
              file=sys.stderr)
        return 2
    if args.check:
        return check_one(args)
    h = Harness(args)
    start = time.monotonic()
    first, count = args.seeds
    try:
        for seed in range(first, first + count):
            if args.time_limit and time.monotonic() - start > args.time_limit:
                break
            h.one(seed)
            if args.verbose and h.counts['seeds'] % 100 == 0:
                print(h.summary(time.monotonic() - start), file=sys.stderr)
    finally:
        shutil.rmtree(h.work, ignore_errors=True)
    print(h.summary(time.monotonic() - start))
    c = h.counts
    if c['mismatch']:
        return 1
    if c['compared'] == 0 or c['compared'] < args.min_compared * c['seeds']:
        print('diff_binaryen: too few modules compared', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
