// Node driver: node [--liftoff-only] node_run.mjs K.wasm N
// Compiles (eagerly: run node with --no-wasm-lazy-compilation), instantiates
// and calls run(N); prints the result on stdout like `wrun` does and the
// phase times on stderr.
import { readFileSync } from 'node:fs';

const [file, nText] = process.argv.slice(2);
if (!file || nText === undefined) {
  console.error('usage: node node_run.mjs K.wasm N');
  process.exit(1);
}
const bytes = readFileSync(file);
const t0 = performance.now();
const module = await WebAssembly.compile(bytes);
const t1 = performance.now();
const instance = await WebAssembly.instantiate(module, {});
const t2 = performance.now();
const result = instance.exports.run(Number(nText));
const t3 = performance.now();
console.log(String(result));
console.error(`compile_ms ${(t1 - t0).toFixed(3)} ` +
              `instantiate_ms ${(t2 - t1).toFixed(3)} ` +
              `run_ms ${(t3 - t2).toFixed(3)}`);
