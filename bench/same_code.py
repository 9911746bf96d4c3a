#!/usr/bin/env python3
"""Do two wrun builds generate the same code? For speed work on the
compiler, which must not change what it emits.

    bench/same_code.py WRUN_A WRUN_B MODULE.wasm...

Each build compiles each module with WRUN_DUMP_CODE (jit/compile.c), with
address-space randomisation off (setarch -R) so that runs are repeatable.
The code embeds absolute addresses (libcalls, some runtime data): a call
target differs between two builds whenever their layouts do, so every
8-byte value that points into the executable is replaced by its symbol and
offset, and one into the heap by its offset from the heap's start (the
page after the executable's end), before the dumps are compared. The
function map beside each dump (its first line is the mapping address) must
match too. Prints one line per module; exits 1 if any differs."""
import bisect
import os
import re
import subprocess
import sys
import tempfile

BASE = 0x555555554000  # where a PIE is loaded without randomisation


def symbols(wrun):
    syms = []
    out = subprocess.run(['nm', '-n', wrun], capture_output=True, text=True,
                         check=True).stdout
    for line in out.splitlines():
        p = line.split()
        if len(p) == 3 and p[1] in 'tTdDbBrR':
            syms.append((int(p[0], 16), p[2]))
    return syms


def normalise(code, syms):
    addrs = [a for a, _ in syms]
    end = next(a for a, n in syms if n == '_end')
    heap = (end + 0xfff) & ~0xfff
    out, last = [], 0
    # candidates: 0x0000_5555_55xx_xxxx or 0x0000_5555_56xx_xxxx
    for m in re.finditer(rb'(?=...[\x55\x56]\x55\x55\x00\x00)', code, re.S):
        i = m.start()
        if i < last:
            continue
        v = int.from_bytes(code[i:i + 8], 'little') - BASE
        k = bisect.bisect_right(addrs, v) - 1
        if k >= 0 and syms[k][1] == '_end':
            name = '<heap+%x>' % (v - heap)
        elif k >= 0:
            name = '<%s+%x>' % (syms[k][1], v - addrs[k])
        else:
            name = '<below+%x>' % v
        out += [code[last:i], name.encode()]
        last = i + 8
    out.append(code[last:])
    return b''.join(out)


def dump(wrun, module):
    with tempfile.TemporaryDirectory() as d:
        env = dict(os.environ, WRUN_DUMP_CODE=d)
        subprocess.run(['setarch', os.uname().machine, '-R', wrun, '--invoke',
                        '__none__', module], env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        bins = sorted(f for f in os.listdir(d) if f.endswith('.bin'))
        result = []
        for b in bins:  # one per compile (modules with tail calls: the last)
            code = open(os.path.join(d, b), 'rb').read()
            lines = open(os.path.join(d, b[:-4] + '.txt')).read()
            result.append((code, lines.split('\n', 1)[1]))
        return result


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    a, b, modules = sys.argv[1], sys.argv[2], sys.argv[3:]
    sa, sb = symbols(a), symbols(b)
    differ = 0
    for mod in modules:
        da, db = dump(a, mod), dump(b, mod)
        na = [(normalise(c, sa), t) for c, t in da]
        nb = [(normalise(c, sb), t) for c, t in db]
        same = bool(na) and na == nb
        size = sum(len(c) for c, _ in da)
        print('%s %s (%d bytes of code)' % ('same' if same else 'DIFFERENT',
                                            mod, size))
        differ += not same
    sys.exit(1 if differ else 0)


if __name__ == '__main__':
    main()
