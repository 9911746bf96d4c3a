#!/usr/bin/env python3
"""Random loop nests without calls, the code that loop-resident locals
(jit/codegen_resident.c) keep in registers, run by wrun and by wabt's
reference interpreter.

    nest_residents.py --wrun WRUN [--seeds FIRST:COUNT] [--keep DIR]
                      [--wast2json PATH] [--interp PATH]

Each seed is a module of 20 functions: i32, i64 and f64 locals set from
random expressions (loads and stores too) inside up to six loops nested up
to four deep, with `if`s, `br_if`s to any enclosing block or loop head, and
the odd `return`; every loop counts its own iterations down at its head,
so every function ends. Each function returns a hash of all its locals and
of memory. spectest-interp (wast2json first) gives the expected results;
`wrun wast` must give the same. A difference keeps the script in DIR (by
default a temporary folder, printed) and makes the exit status 1.

WRUN may be a command with arguments (a qemu-aarch64 line for the AArch64
build), split on spaces.
"""
import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

I32 = [f'$x{i}' for i in range(8)]
I64 = ['$y0', '$y1', '$y2']
F64 = ['$z0', '$z1']
MAX_LOOPS = 6
FUNCS = 20


def i32_expr(r, depth=0):
    k = r.random()
    if depth > 2 or k < 0.3:
        if r.random() < 0.7:
            return f'(local.get {r.choice(I32)})'
        return f'(i32.const {r.randint(-50, 50)})'
    if k < 0.4:
        return f'(i32.load (i32.and {i32_expr(r, depth + 1)} (i32.const 1020)))'
    if k < 0.45:
        return f'(i32.wrap_i64 (local.get {r.choice(I64)}))'
    op = r.choice(['add', 'sub', 'mul', 'xor', 'and', 'or', 'shl', 'shr_u',
                   'rotl', 'lt_s', 'eq', 'gt_u'])
    return f'(i32.{op} {i32_expr(r, depth + 1)} {i32_expr(r, depth + 1)})'


def i64_expr(r):
    op = r.choice(['add', 'mul', 'xor', 'sub'])
    rhs = (f'(i64.extend_i32_s {i32_expr(r, 1)})' if r.random() < 0.6
           else f'(local.get {r.choice(I64)})')
    return f'(i64.{op} (local.get {r.choice(I64)}) {rhs})'


def f64_expr(r):
    op = r.choice(['add', 'mul', 'sub'])
    rhs = (f'(f64.convert_i32_s {i32_expr(r, 2)})' if r.random() < 0.5
           else f'(f64.const {r.randint(-3, 3)}.5)')
    return f'(f64.{op} (local.get {r.choice(F64)}) {rhs})'


def statements(r, depth, labels, loops, out):
    """Appends 1-5 statements to out; labels are the enclosing ones,
    loops[0] the loops made so far in the function."""
    for _ in range(r.randint(1, 5)):
        k = r.random()
        if k < 0.35:
            out.append(f'(local.set {r.choice(I32)} {i32_expr(r)})')
        elif k < 0.42:
            out.append(f'(local.set {r.choice(I64)} {i64_expr(r)})')
        elif k < 0.47:
            out.append(f'(local.set {r.choice(F64)} {f64_expr(r)})')
        elif k < 0.52:
            out.append(f'(drop (local.tee {r.choice(I32)} {i32_expr(r)}))')
        elif k < 0.57:
            out.append(f'(i32.store (i32.and {i32_expr(r)} (i32.const 1020)) '
                       f'{i32_expr(r)})')
        elif k < 0.70 and labels:
            out.append(f'(br_if {r.choice(labels)} {i32_expr(r)})')
        elif k < 0.78 and depth < 4:
            then, other = [], []
            statements(r, depth + 1, labels, loops, then)
            statements(r, depth + 1, labels, loops, other)
            out.append(f'(if {i32_expr(r)} (then {" ".join(then)}) '
                       f'(else {" ".join(other)}))')
        elif k < 0.80 and depth > 1:
            out.append(f'(if {i32_expr(r)} (then (return (i64.add '
                       f'(local.get $y0) (i64.extend_i32_u (local.get $x1))))))')
        elif k < 0.95 and loops[0] < MAX_LOOPS and depth < 4:
            c = loops[0]
            loops[0] += 1
            body = []
            statements(r, depth + 1, labels + [f'$o{c}', f'$l{c}'], loops, body)
            out.append(
                f'(local.set $c{c} (i32.const {r.randint(1, 4)}))'
                f'(block $o{c} (loop $l{c}'
                f' (local.set $c{c} (i32.sub (local.get $c{c}) (i32.const 1)))'
                f' (br_if $o{c} (i32.lt_s (local.get $c{c}) (i32.const 0)))'
                f' {" ".join(body)} (br $l{c})))')


def function(r, n):
    body = []
    statements(r, 0, [], [0], body)
    decls = ' '.join([f'(local {v} i32)' for v in I32[1:]] +
                     [f'(local {v} i64)' for v in I64] +
                     [f'(local {v} f64)' for v in F64] +
                     [f'(local $c{i} i32)' for i in range(MAX_LOOPS)])
    h = '(i64.const 0)'
    for v in I32:
        h = f'(i64.add (i64.mul {h} (i64.const 31)) (i64.extend_i32_u (local.get {v})))'
    for v in I64:
        h = f'(i64.xor (i64.mul {h} (i64.const 7)) (local.get {v}))'
    for v in F64:
        h = f'(i64.add {h} (i64.trunc_sat_f64_s (local.get {v})))'
    h = f'(i64.add {h} (i64.extend_i32_u (i32.load (i32.const 64))))'
    return (f'(func (export "f{n}") (param $x0 i32) (result i64) {decls} '
            f'{" ".join(body)} {h})')


def expected_results(a, d, module, invokes):
    """The interpreter's result of each invoke, as i64 text."""
    path = os.path.join(d, 'probe.wast')
    with open(path, 'w') as f:  # one line of module, then one per assert
        f.write(module + '\n' + '\n'.join(
            f'(assert_return {i} (i64.const 0))' for i in invokes) + '\n')
    subprocess.run([a.wast2json, path, '-o', os.path.join(d, 'probe.json')],
                   check=True, capture_output=True)
    out = subprocess.run([a.interp, os.path.join(d, 'probe.json')],
                         capture_output=True, text=True).stdout
    got = {int(m.group(1)): int(m.group(2)) for m in re.finditer(
        r'probe\.wast:(\d+): mismatch in result 0 of assert_return: '
        r'expected i64:0, got i64:(\d+)', out)}
    total = re.search(r'(\d+)/(\d+) tests passed', out)
    if not total or int(total.group(2)) != len(invokes) + 1:
        sys.exit(f'spectest-interp did not run every assertion:\n{out}')
    results = []
    for k in range(len(invokes)):
        v = got.get(k + 2, 0)
        results.append(v - (1 << 64) if v >= 1 << 63 else v)
    return results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--wrun', required=True)
    ap.add_argument('--seeds', default='1:100')
    ap.add_argument('--keep')
    ap.add_argument('--wast2json', default='wast2json')
    ap.add_argument('--interp', default='spectest-interp')
    a = ap.parse_args()
    first, count = (int(x) for x in a.seeds.split(':'))
    wrun = a.wrun.split()
    failing = 0
    for seed in range(first, first + count):
        r = random.Random(seed)
        module = ('(module (memory 1) ' +
                  ' '.join(function(r, n) for n in range(FUNCS)) + ')')
        invokes = [f'(invoke "f{n}" (i32.const {r.randint(-9, 9)}))'
                   for n in range(FUNCS)]
        d = tempfile.mkdtemp(prefix=f'nest-{seed}-', dir=a.keep)
        results = expected_results(a, d, module, invokes)
        script = os.path.join(d, 'nest.wast')
        with open(script, 'w') as f:
            f.write(module + '\n' + '\n'.join(
                f'(assert_return {i} (i64.const {v}))'
                for i, v in zip(invokes, results)) + '\n')
        run = subprocess.run(wrun + ['wast', '--quiet', script],
                             capture_output=True, text=True)
        summary = f'{FUNCS + 1} passed, 0 failed, 0 skipped'
        if run.returncode != 0 or summary not in run.stdout:
            failing += 1
            print(f'seed {seed}: wrun differs (kept {script})\n'
                  f'{run.stdout[-1000:]}{run.stderr[-1000:]}')
        else:
            shutil.rmtree(d)
    print(f'{count} modules of {FUNCS} functions: {failing} differ')
    return 1 if failing else 0


if __name__ == '__main__':
    sys.exit(main())
