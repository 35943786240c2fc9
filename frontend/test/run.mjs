// Runs the unit tests of the pure modules (test/*.test.ts) with node's own test runner: esbuild
// bundles each test file with the modules it imports into a temporary folder (node 20 cannot
// run TypeScript itself), then `node --test` runs them and this script exits with its status.
// Usage: npm test [-- name-filter]
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const here = new URL('.', import.meta.url).pathname;
const filter = process.argv[2] ?? '';
const tests = readdirSync(here).filter((f) => f.endsWith('.test.ts') && f.includes(filter)).sort();
if (!tests.length) {
  console.error(`no test files match "${filter}" in ${here}`);
  process.exit(1);
}
const out = mkdtempSync(join(tmpdir(), 'wv-unit-'));
let status;
try {
  await esbuild.build({
    entryPoints: tests.map((f) => join(here, f)),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outdir: out,
    outExtension: { '.js': '.test.mjs' },
    sourcemap: 'inline',
    logLevel: 'warning',
  });
  const files = readdirSync(out).filter((f) => f.endsWith('.test.mjs')).sort().map((f) => join(out, f));
  const res = spawnSync(process.execPath, ['--enable-source-maps', '--test', ...files], { stdio: 'inherit' });
  status = res.status ?? 1;
} finally {
  rmSync(out, { recursive: true, force: true });
}
process.exit(status);
