#!/usr/bin/env python3
"""Seed corpora for the libFuzzer targets, from the spec test suite.

    make_corpus.py [--testsuite DIR] OUT

Every top-level DIR/*.wast goes through wast2json (wabt). Then:
  OUT/modules/  every binary module, once (named by its SHA-1): the seeds
                of fuzz-validate, fuzz-compile and fuzz-run;
  OUT/wast/     the seeds of fuzz-wast: each script cut into pieces that
                start at a `module` command and hold at most PIECE
                commands, in fuzz_wast.c's input format (the JSON, then
                each module the piece names after the separator, renamed
                to k.wasm in order).
DIR defaults to ../shared/testsuite beside the source tree. Prints the
counts; fails if it found no scripts.
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


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_suite = os.path.join(here, '..', '..', '..', 'shared',
                                 'testsuite')
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--testsuite', default=default_suite)
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
    print(f'make_corpus: {len(scripts)} scripts ({failed} refused by '
          f'wast2json): {nmodules} modules, {nwast} wast pieces in '
          f'{args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
