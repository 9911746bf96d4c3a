"""Encoding helpers for writing small wasm binaries by hand, where Debian's
tools fall short: wabt 1.0.32 cannot assemble GC text nor relaxed SIMD by
its final names, and binaryen 108 writes a pre-standard GC encoding (the
GC tests and benchmark, the relaxed SIMD fuzz corpus module)."""


def uleb(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def vec(items):
    return uleb(len(items)) + b"".join(items)


def section(sid, payload):
    return bytes([sid]) + uleb(len(payload)) + payload


def name(s):
    return uleb(len(s)) + s.encode()


def body(locals_, code):
    """A code-section entry: locals as (count, type bytes) pairs."""
    b = vec([uleb(n) + t for n, t in locals_]) + code
    return uleb(len(b)) + b


def module(types, funcs, exports, bodies, elems=None):
    """types: encoded type entries; funcs: type index per function;
    exports: (name, func index); bodies: body() of each function; elems:
    encoded element segments, if any."""
    return (b"\0asm\1\0\0\0" + section(1, vec(types)) +
            section(3, vec([uleb(f) for f in funcs])) +
            section(7, vec([name(n) + bytes([0]) + uleb(f)
                            for n, f in exports])) +
            (section(9, vec(elems)) if elems else b"") +
            section(10, vec(bodies)))
