#!/usr/bin/env python3
"""Seed corpora for the libFuzzer targets, from the spec test suite.

    make_corpus.py [--testsuite DIR] [--testsuite3 DIR3] OUT

Every top-level DIR/*.wast goes through wast2json (wabt). Then:
  OUT/modules/  every binary module, once (named by its SHA-1), of both
                suites (the 3.0 ones bring exceptions, tail calls,
                memory64, typed function references...): the seeds of
                fuzz-validate, fuzz-compile and fuzz-run;
  OUT/wast/     the seeds of fuzz-wast: each script cut into pieces that
                start at a `module` command and hold at most PIECE
                commands, in fuzz_wast.c's input format (the JSON, then
                each module the piece names after the separator, renamed
                to k.wasm in order).
  OUT/wast-script/  the seeds of fuzz-wast-script: each script of the
                Wasm 3.0 suite DIR3 (modules in binary form, no wast2json)
                cut the same way, as script text.
DIR defaults to ../shared/testsuite and DIR3 to ../shared/testsuite-3.0
beside the source tree. Prints the counts; fails if it found no scripts.
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys
import tempfile

SEPARATOR = b'\0\0wrun-module\0\0'  # as FUZZ_WAST_SEPARATOR in fuzz_wast.c
PIECE = 24
MAX_PIECE_BYTES = 256 * 1024  # libFuzzer's -max_len for fuzz-wast


def pieces(commands):
    """Slices of the command list, each from a module command on."""
    starts = [i for i, c in enumerate(commands) if c.get('type') == 'module']
    for i in starts:
        yield commands[i:i + PIECE]


def wast_input(piece, wasm_dir):
    """fuzz_wast.c's format for one piece, or None if it grows too big."""
    renamed, blobs = {}, []
    out = []
    for cmd in piece:
        cmd = dict(cmd)
        name = cmd.get('filename')
        if name and name.endswith('.wasm'):
            if name not in renamed:
                renamed[name] = f'{len(blobs)}.wasm'
                with open(os.path.join(wasm_dir, name), 'rb') as f:
                    blobs.append(f.read())
            cmd['filename'] = renamed[name]
        out.append(cmd)
    data = json.dumps({'source_filename': 'fuzz.wast',
                       'commands': out}).encode()
    for blob in blobs:
        data += SEPARATOR + blob
    return data if len(data) <= MAX_PIECE_BYTES else None


def top_level_forms(text):
    """The top-level s-expressions of a script, as text, skipping
    comments and minding strings; enough for the suite's scripts."""
    forms, depth, start, i, n = [], 0, None, 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == '\\' else 1
        elif text.startswith(';;', i):
            while i < n and text[i] != '\n':
                i += 1
        elif text.startswith('(;', i):
            nest, i = 1, i + 2
            while i < n and nest:
                if text.startswith('(;', i):
                    nest, i = nest + 1, i + 1
                elif text.startswith(';)', i):
                    nest, i = nest - 1, i + 1
                i += 1
            continue
        elif c == '(':
            if depth == 0:
                start = i
            depth += 1
        elif c == ')':
            depth -= 1
            if depth == 0:
                forms.append(text[start:i + 1])
        i += 1
    return forms


def script_pieces(forms):
    """Slices of a 3.0 script's forms, each from a module command on."""
    starts = [i for i, f in enumerate(forms) if f.startswith('(module')]
    for i in starts:
        yield '\n'.join(forms[i:i + PIECE]).encode() + b'\n'


def unescape(s):
    """The bytes of a script string literal (\\hh, \\n, \\t, ...)."""
    out, i = bytearray(), 0
    simple = {'n': 10, 't': 9, 'r': 13, '\\': 92, '"': 34, "'": 39}
    while i < len(s):
        if s[i] == '\\' and i + 1 < len(s):
            if s[i + 1] in simple:
                out.append(simple[s[i + 1]])
                i += 2
                continue
            out.append(int(s[i + 1:i + 3], 16))
            i += 3
            continue
        out += s[i].encode()
        i += 1
    return bytes(out)


def binary_module(form):
    """The bytes of a `(module [definition] [$id] binary "...")` form, or
    None for any other form."""
    head = form[:200].split()
    if not head or head[0] != '(module' or 'binary' not in head[:4]:
        return None
    strings, i, n = [], form.index('binary') + 6, len(form)
    while i < n:
        if form[i] == '"':
            j = i + 1
            while j < n and form[j] != '"':
                j += 2 if form[j] == '\\' else 1
            strings.append(unescape(form[i + 1:j]))
            i = j
        i += 1
    return b''.join(strings)


def write_module_seeds(suite3, modules_dir):
    """The 3.0 suite's binary modules into modules_dir; returns how many
    were new."""
    count = 0
    for script in sorted(f for f in os.listdir(suite3)
                         if f.endswith('.wast')):
        with open(os.path.join(suite3, script), encoding='utf-8') as f:
            forms = top_level_forms(f.read())
        for form in forms:
            blob = binary_module(form)
            if not blob:
                continue
            path = os.path.join(modules_dir, hashlib.sha1(blob).hexdigest())
            if not os.path.exists(path):
                with open(path, 'wb') as f:
                    f.write(blob)
                count += 1
    return count


def write_script_seeds(suite3, out_dir):
    """fuzz-wast-script's seeds from the 3.0 suite; returns their count."""
    os.makedirs(out_dir, exist_ok=True)
    count = 0
    for script in sorted(f for f in os.listdir(suite3)
                         if f.endswith('.wast')):
        with open(os.path.join(suite3, script), encoding='utf-8') as f:
            forms = top_level_forms(f.read())
        for k, data in enumerate(script_pieces(forms)):
            if len(data) > MAX_PIECE_BYTES:
                continue
            stem = script[:-len('.wast')]
            with open(os.path.join(out_dir, f'{stem}.{k}'), 'wb') as f:
                f.write(data)
            count += 1
    return count


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_suite = os.path.join(here, '..', '..', '..', 'shared',
                                 'testsuite')
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--testsuite', default=default_suite)
    p.add_argument('--testsuite3', default=default_suite + '-3.0')
    p.add_argument('out')
    args = p.parse_args()
    scripts = sorted(f for f in os.listdir(args.testsuite)
                     if f.endswith('.wast'))
    if not scripts:
        print(f'make_corpus: no .wast files in {args.testsuite}',
              file=sys.stderr)
        return 1
    modules_dir = os.path.join(args.out, 'modules')
    wast_dir = os.path.join(args.out, 'wast')
    os.makedirs(modules_dir, exist_ok=True)
    os.makedirs(wast_dir, exist_ok=True)
    nmodules = nwast = failed = 0
    for script in scripts:
        with tempfile.TemporaryDirectory() as tmp:
            out_json = os.path.join(tmp, 'script.json')
            r = subprocess.run(['wast2json', '--enable-all',
                                os.path.join(args.testsuite, script),
                                '-o', out_json], capture_output=True)
            if r.returncode != 0:
                failed += 1
                continue
            for name in os.listdir(tmp):
                if name.endswith('.wasm'):
                    with open(os.path.join(tmp, name), 'rb') as f:
                        blob = f.read()
                    digest = hashlib.sha1(blob).hexdigest()
                    path = os.path.join(modules_dir, digest)
                    if not os.path.exists(path):
                        with open(path, 'wb') as f:
                            f.write(blob)
                        nmodules += 1
            with open(out_json) as f:
                commands = json.load(f)['commands']
            for k, piece in enumerate(pieces(commands)):
                data = wast_input(piece, tmp)
                if data is None:
                    continue
                stem = script[:-len('.wast')]
                with open(os.path.join(wast_dir, f'{stem}.{k}'), 'wb') as f:
                    f.write(data)
                nwast += 1
    nscript = write_script_seeds(args.testsuite3,
                                 os.path.join(args.out, 'wast-script'))
    nmodules += write_module_seeds(args.testsuite3, modules_dir)
    print(f'make_corpus: {len(scripts)} scripts ({failed} refused by '
          f'wast2json): {nmodules} modules, {nwast} wast pieces, '
          f'{nscript} 3.0 script pieces in {args.out}')
    if nscript == 0:
        print(f'make_corpus: no 3.0 scripts in {args.testsuite3}',
              file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
