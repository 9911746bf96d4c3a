#!/usr/bin/env python3
"""The relaxed SIMD module of the mutation corpus, written as bytes.

    relaxed_simd.py OUT.wasm

A .wat would need wat2wasm to know relaxed SIMD by the final names, which
wabt 1.0.32 (Debian 12) does not for the two dot products. Function k runs
relaxed op 0xFD 0x100 + k on its v128 parameters; the export "run" calls
each with three constant vectors (lanes with NaNs, zeros, -128, INT_MIN)
and xors the results, so mutants of the sub-opcodes and of the constants
both compile and run.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                "scripts"))
from wasm_encode import name, section, uleb, vec  # noqa: E402

# (sub-opcode, operand count) of the 20 relaxed SIMD instructions
OPS = [(0x100, 2), (0x101, 1), (0x102, 1), (0x103, 1), (0x104, 1),
       (0x105, 3), (0x106, 3), (0x107, 3), (0x108, 3), (0x109, 3),
       (0x10A, 3), (0x10B, 3), (0x10C, 3), (0x10D, 2), (0x10E, 2),
       (0x10F, 2), (0x110, 2), (0x111, 2), (0x112, 2), (0x113, 3)]

CONSTS = [
    bytes.fromhex('3412c0ff020080ff0000008000008080'),  # f32 NaNs, -0, -128s
    bytes.fromhex('0008803f0010c0bf000000cf0000004f'),  # near-1, 2^31 limits
    bytes.fromhex('80ff7f0110ef00fe7856341278563412'),  # bytes, indices >= 16
]
V128 = 0x7B


def main():
    # types 0..2: (v128 x a) -> v128 for a = 1..3; type 3: () -> v128
    types = [b'\x60' + vec([bytes([V128])] * a) + vec([bytes([V128])])
             for a in (1, 2, 3)]
    types.append(b'\x60' + vec([]) + vec([bytes([V128])]))
    funcs = [uleb(a - 1) for _, a in OPS] + [uleb(3)]
    bodies = []
    for code, arity in OPS:
        body = b'\x00'  # no locals
        for i in range(arity):
            body += b'\x20' + uleb(i)
        body += b'\xFD' + uleb(code) + b'\x0B'
        bodies.append(uleb(len(body)) + body)
    run = vec([uleb(3) + bytes([V128])])  # three v128 locals
    for i, c in enumerate(CONSTS):
        run += b'\xFD' + uleb(12) + c + b'\x21' + uleb(i)  # local.set i
    run += b'\xFD' + uleb(12) + bytes(16)  # the accumulator
    for k, (_, arity) in enumerate(OPS):
        for i in range(arity):
            run += b'\x20' + uleb(i)
        run += b'\x10' + uleb(k) + b'\xFD' + uleb(81)  # call k; v128.xor
    run += b'\x0B'
    bodies.append(uleb(len(run)) + run)
    module = (b'\0asm\1\0\0\0' + section(1, vec(types)) +
              section(3, vec(funcs)) +
              section(7, vec([name('run') + b'\x00' + uleb(len(OPS))])) +
              section(10, vec(bodies)))
    with open(sys.argv[1], 'wb') as f:
        f.write(module)


if __name__ == '__main__':
    main()
