#!/usr/bin/env python3
"""Writes gc_funccast.wasm (argv[1]): br_on_cast and br_on_cast_fail to a
non-final function type, which compiled code asks the runtime about (a
funcref has a type id, no rtt). Types: 0 = (sub (func)), 1 = (sub 0
(func)), 2 = (func (param funcref) (result i32)). Exports, each giving 1
when the cast succeeds:
  on0, on1, onnull, onother   br_on_cast (ref 0) of f0, f1, null, f2
  fail0, fail1                br_on_cast_fail (ref 0) of f0, f2
Expected: on0 1, on1 1 (a subtype), onnull 0, onother 0, fail0 1, fail1 0."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "scripts"))
from wasm_encode import body, module, uleb, vec  # noqa: E402

types = [
    bytes([0x50, 0x00, 0x60, 0x00, 0x00]),        # 0 (sub (func))
    bytes([0x50, 0x01, 0x00, 0x60, 0x00, 0x00]),  # 1 (sub 0 (func))
    bytes([0x60, 0x01, 0x70, 0x01, 0x7F]),        # 2 funcref -> i32
    bytes([0x60, 0x00, 0x01, 0x7F]),              # 3 () -> i32
]
empty = body([], bytes([0x0B]))
# 1 if the cast of param 0 to (ref 0) branches (br_on_cast)
on = body([], bytes([
    0x02, 0x64, 0x00,                    # block (result (ref 0))
    0x20, 0x00,                          #   local.get 0
    0xFB, 0x18, 0x01, 0x00, 0x70, 0x00,  #   br_on_cast 0 funcref (ref 0)
    0x1A, 0x41, 0x00, 0x0F,              #   drop; return 0
    0x0B, 0x1A, 0x41, 0x01, 0x0B]))      # drop; 1
# 1 if the cast succeeds, through br_on_cast_fail (branches on failure)
fail = body([], bytes([
    0x02, 0x70,                          # block (result funcref)
    0x20, 0x00,                          #   local.get 0
    0xFB, 0x19, 0x01, 0x00, 0x70, 0x00,  #   br_on_cast_fail 0 funcref (ref 0)
    0x1A, 0x41, 0x01, 0x0F,              #   drop; return 1
    0x0B, 0x1A, 0x41, 0x00, 0x0B]))      # drop; 0


def calls(func, arg):
    """() -> i32: func(arg), arg a ref.func index or None (null)."""
    ref = bytes([0xD2]) + uleb(arg) if arg is not None else bytes([0xD0, 0x70])
    return body([], ref + bytes([0x10]) + uleb(func) + bytes([0x0B]))


# functions: 0 f0 (type 0), 1 f1 (type 1), 2 on, 3 fail, then the exports
exports = [("on0", 2, 0), ("on1", 2, 1), ("onnull", 2, None),
           ("onother", 2, 2), ("fail0", 3, 0), ("fail1", 3, 2)]
funcs = [0, 1, 2, 2] + [3] * len(exports)
bodies = [empty, empty, on, fail] + [calls(f, a) for _, f, a in exports]
# a declarative element segment (flags 3) makes ref.func of 0..2 valid
declare = bytes([0x03, 0x00]) + vec([uleb(0), uleb(1), uleb(2)])
with open(sys.argv[1], "wb") as f:
    f.write(module(types, funcs,
                   [(n, 4 + i) for i, (n, _, _) in enumerate(exports)],
                   bodies, [declare]))
