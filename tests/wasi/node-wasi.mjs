// Runs a WASI preview1 program under node:wasi with wrun's command line:
//   node node-wasi.mjs [--dir HOST[::GUEST]]... [--env NAME[=VALUE]]... MODULE.wasm [ARGS...]
// The comparison tests use it as a second opinion on the same .wasm files.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import process from 'node:process';
import { WASI } from 'node:wasi';

function parseCommandLine(argv) {
  const preopens = {};
  const env = {};
  let i = 0;
  for (; i < argv.length && argv[i].startsWith('--'); i += 2) {
    const value = argv[i + 1];
    if (value === undefined) throw new Error(`${argv[i]} needs a value`);
    if (argv[i] === '--dir') {
      const [host, guest] = value.split('::');
      preopens[guest ?? host] = host;
    } else if (argv[i] === '--env') {
      const eq = value.indexOf('=');
      if (eq < 0) {
        if (value in process.env) env[value] = process.env[value];
      } else {
        env[value.slice(0, eq)] = value.slice(eq + 1);
      }
    } else {
      throw new Error(`unknown option ${argv[i]}`);
    }
  }
  if (i >= argv.length) throw new Error('no module given');
  const module = argv[i];
  // argv[0] is the module's name, as wrun passes it.
  const args = [basename(module), ...argv.slice(i + 1)];
  return { module, args, env, preopens };
}

const { module, args, env, preopens } = parseCommandLine(process.argv.slice(2));
const wasi = new WASI({ version: 'preview1', args, env, preopens, returnOnExit: true });
const compiled = await WebAssembly.compile(await readFile(module));
const instance = await WebAssembly.instantiate(compiled, wasi.getImportObject());
process.exitCode = wasi.start(instance);
