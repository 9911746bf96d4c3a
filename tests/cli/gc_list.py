#!/usr/bin/env python3
"""Writes gc_list.wasm (argv[1]): a GC module in the binary format, since
Debian's wabt (1.0.32) cannot assemble GC text and binaryen 108 writes a
pre-standard encoding. Exports:
  run(k)   builds a k-node linked list of structs (head in a local) and sums
           its values: sum(0..k-1) mod 2^32
  stack(k) holds a 100-node list on the value stack (a struct.new operand)
           across the call that builds a k-node one, then sums both
Under WRUN_GC_STRESS=1 every allocation collects, so both check the stack
maps: a lost root frees a live node and the sum goes wrong."""
import sys
def uleb(n):
    o=bytearray()
    while True:
        b=n&0x7f; n>>=7
        if n: o.append(b|0x80)
        else: o.append(b); return bytes(o)
def sec(i,b): return bytes([i])+uleb(len(b))+b
def vec(items): return uleb(len(items))+b''.join(items)
types=[bytes([0x5F,2,0x7F,0,0x63,0,0]), bytes([0x60,1,0x7F,1,0x63,0]), bytes([0x60,1,0x63,0,1,0x7F]), bytes([0x60,1,0x7F,1,0x7F]), bytes([0x5F,2,0x63,0,0,0x63,0,0])]
funcs=[1,2,3,3]
def body(locals_,code):
    b=vec([uleb(n)+t for n,t in locals_])+code
    return uleb(len(b))+b
f0=body([(1,bytes([0x63,0])),(1,bytes([0x7F]))],bytes([0x03,0x40,0x20,2,0x20,1,0xFB,0,0,0x21,1,0x20,2,0x41,1,0x6A,0x22,2,0x20,0,0x49,0x0D,0,0x0B,0x20,1,0x0B]))
f1=body([(1,bytes([0x7F]))],bytes([0x02,0x40,0x03,0x40,0x20,0,0xD1,0x0D,1,0x20,1,0x20,0,0xFB,2,0,0,0x6A,0x21,1,0x20,0,0xFB,2,0,1,0x21,0,0x0C,0,0x0B,0x0B,0x20,1,0x0B]))
f2=body([],bytes([0x20,0,0x10,0,0x10,1,0x0B]))
f3=body([(1,bytes([0x63,4]))],bytes([0x41,0xE4,0x00,0x10,0,0x20,0,0x10,0,0xFB,0,4,0x21,1,0x20,1,0xFB,2,4,0,0x10,1,0x20,1,0xFB,2,4,1,0x10,1,0x6A,0x0B]))
def name(s): return uleb(len(s))+s.encode()
m=b'\0asm\1\0\0\0'+sec(1,vec(types))+sec(3,vec([uleb(f) for f in funcs]))+sec(7,vec([name('run')+bytes([0,2]),name('stack')+bytes([0,3])]))+sec(10,vec([f0,f1,f2,f3]))
open(sys.argv[1],'wb').write(m)
