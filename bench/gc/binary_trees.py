#!/usr/bin/env python3
"""Writes binary_trees.wasm (argv[1]): the benchmarks game's binary-trees
in WasmGC, exporting run(n) -> i32 (the sum of every check, the same as
binary_trees.c). Trees are structs of two (ref null $node) fields, built
bottom-up by recursion and checked by recursion; the long-lived tree stays
in a local while the short-lived ones are made and dropped."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "scripts"))
from wasm_encode import body, module  # noqa: E402

REF_NULL, STRUCT, FUNC, I32 = 0x63, 0x5F, 0x60, 0x7F
GET, LGET, LSET, LTEE = 0xFB, 0x20, 0x21, 0x22
types = [
    bytes([STRUCT, 2, REF_NULL, 0, 0, REF_NULL, 0, 0]),  # 0 $node
    bytes([FUNC, 1, I32, 1, REF_NULL, 0]),               # 1 bottom_up
    bytes([FUNC, 1, REF_NULL, 0, 1, I32]),               # 2 check
    bytes([FUNC, 1, I32, 1, I32]),                       # 3 run
]
bottom_up = body([], bytes([
    LGET, 0, 0x45, 0x04, REF_NULL, 0,            # if (d == 0) (result $node)
    0xD0, 0, 0xD0, 0, GET, 0, 0,                 #   struct.new (null, null)
    0x05,                                        # else
    LGET, 0, 0x41, 1, 0x6B, 0x10, 0,             #   bottom_up(d - 1)
    LGET, 0, 0x41, 1, 0x6B, 0x10, 0,             #   bottom_up(d - 1)
    GET, 0, 0,                                   #   struct.new
    0x0B, 0x0B]))
check = body([], bytes([
    LGET, 0, GET, 2, 0, 0, 0xD1, 0x04, I32,      # if left is null (result i32)
    0x41, 1,                                     #   1
    0x05,                                        # else
    0x41, 1, LGET, 0, GET, 2, 0, 0, 0x10, 1, 0x6A,   # 1 + check(left)
    LGET, 0, GET, 2, 0, 1, 0x10, 1, 0x6A,        #   + check(right)
    0x0B, 0x0B]))
# run(n): locals 1 max_depth, 2 depth, 3 iterations, 4 i, 5 sum, 6 total,
# 7 long-lived tree
run = body([(6, bytes([I32])), (1, bytes([REF_NULL, 0]))], bytes([
    LGET, 0, 0x41, 6, LGET, 0, 0x41, 6, 0x4A, 0x1B, LSET, 1,  # max(n, 6)
    LGET, 1, 0x41, 1, 0x6A, 0x10, 0, 0x10, 1, LSET, 6,        # stretch tree
    LGET, 1, 0x10, 0, LSET, 7,                                # long-lived
    0x41, 4, LSET, 2,
    0x02, 0x40, 0x03, 0x40,                                   # block loop
    LGET, 2, LGET, 1, 0x4A, 0x0D, 1,                          # depth > max?
    0x41, 1, LGET, 1, LGET, 2, 0x6B, 0x41, 4, 0x6A, 0x74, LSET, 3,
    0x41, 0, LSET, 4, 0x41, 0, LSET, 5,
    0x03, 0x40,                                               # loop
    LGET, 5, LGET, 2, 0x10, 0, 0x10, 1, 0x6A, LSET, 5,        # sum += check
    LGET, 4, 0x41, 1, 0x6A, LTEE, 4, LGET, 3, 0x48, 0x0D, 0,  # i < iters
    0x0B,
    LGET, 6, LGET, 5, 0x6A, LSET, 6,
    LGET, 2, 0x41, 2, 0x6A, LSET, 2, 0x0C, 0,
    0x0B, 0x0B,
    LGET, 6, LGET, 7, 0x10, 1, 0x6A, 0x0B]))
with open(sys.argv[1], "wb") as f:
    f.write(module(types, [1, 2, 3], [("run", 2)], [bottom_up, check, run]))
