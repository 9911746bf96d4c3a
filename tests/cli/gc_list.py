#!/usr/bin/env python3
"""Writes gc_list.wasm (argv[1]): a GC module in the binary format (see
scripts/wasm_encode.py for why not text). Exports:
  run(k)   builds a k-node linked list of structs (head in a local) and sums
           its values: sum(0..k-1) mod 2^32
  stack(k) holds a 100-node list on the value stack (a struct.new operand)
           across the call that builds a k-node one, then sums both
Under WRUN_GC_STRESS=1 every allocation collects, so both check the stack
maps: a lost root frees a live node and the sum goes wrong."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "scripts"))
from wasm_encode import body, module  # noqa: E402

REF_NULL = 0x63
STRUCT, FUNC = 0x5F, 0x60
I32 = 0x7F
types = [
    bytes([STRUCT, 2, I32, 0, REF_NULL, 0, 0]),       # 0 $n {i32, ref null $n}
    bytes([FUNC, 1, I32, 1, REF_NULL, 0]),            # 1 build
    bytes([FUNC, 1, REF_NULL, 0, 1, I32]),            # 2 sum
    bytes([FUNC, 1, I32, 1, I32]),                    # 3 run, stack
    bytes([STRUCT, 2, REF_NULL, 0, 0, REF_NULL, 0, 0]),  # 4 $p {$n, $n}
]
build = body([(1, bytes([REF_NULL, 0])), (1, bytes([I32]))], bytes([
    0x03, 0x40,                          # loop
    0x20, 2, 0x20, 1, 0xFB, 0, 0,        #   struct.new $n (i, h)
    0x21, 1,                             #   h =
    0x20, 2, 0x41, 1, 0x6A, 0x22, 2,     #   i = i + 1
    0x20, 0, 0x49, 0x0D, 0,              #   br_if i < k
    0x0B, 0x20, 1, 0x0B]))
total = body([(1, bytes([I32]))], bytes([
    0x02, 0x40, 0x03, 0x40,              # block loop
    0x20, 0, 0xD1, 0x0D, 1,              #   br_if null h
    0x20, 1, 0x20, 0, 0xFB, 2, 0, 0, 0x6A, 0x21, 1,  # s += h.0
    0x20, 0, 0xFB, 2, 0, 1, 0x21, 0,     #   h = h.1
    0x0C, 0, 0x0B, 0x0B, 0x20, 1, 0x0B]))
run = body([], bytes([0x20, 0, 0x10, 0, 0x10, 1, 0x0B]))
stack = body([(1, bytes([REF_NULL, 4]))], bytes([
    0x41, 0xE4, 0x00, 0x10, 0,           # build(100)
    0x20, 0, 0x10, 0,                    # build(k), the first on the stack
    0xFB, 0, 4, 0x21, 1,                 # p = struct.new $p
    0x20, 1, 0xFB, 2, 4, 0, 0x10, 1,     # sum(p.0)
    0x20, 1, 0xFB, 2, 4, 1, 0x10, 1,     # sum(p.1)
    0x6A, 0x0B]))
with open(sys.argv[1], "wb") as f:
    f.write(module(types, [1, 2, 3, 3], [("run", 2), ("stack", 3)],
                   [build, total, run, stack]))
