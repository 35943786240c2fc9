// Builds the dashboard into dist/: index.html, app.js, app.css, maplibre-gl.css and the
// MapLibre worker. Everything is served from the same origin; nothing is loaded from a CDN.
// The JS and CSS files also get precompressed .br and .gz siblings, which the server sends to
// browsers that accept them, so it need not compress 1.8 MB of scripts on every page load.
//
// First it generates the API's types (src/api.gen.ts) from openapi.json (gen-api.mjs), and it
// type-checks the sources (`tsc --noEmit`, beside the bundling, as esbuild does not check types):
// when the frontend's use of the API no longer matches the OpenAPI document, the build fails and
// leaves no dist/. `--no-check` skips the type check.
import * as esbuild from 'esbuild';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { generateApiTypes } from './gen-api.mjs';

const dist = new URL('./dist/', import.meta.url);
const ml = new URL('./node_modules/maplibre-gl/dist/', import.meta.url);
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

await generateApiTypes();
const checked = process.argv.includes('--no-check') ? Promise.resolve(0) : typeCheck();

await esbuild.build({
  entryPoints: { app: 'src/main.ts' },
  bundle: true,
  format: 'esm',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
  outdir: 'dist',
  metafile: false,
  logLevel: 'warning',
});
await esbuild.build({
  entryPoints: { app: 'src/styles.css' },
  bundle: true,
  minify: true,
  outdir: 'dist',
  logLevel: 'warning',
});
copyFileSync(new URL('maplibre-gl.css', ml), new URL('maplibre-gl.css', dist));
// Served as .js so that any static server sends a JavaScript MIME type (module workers need it).
copyFileSync(new URL('maplibre-gl-worker.mjs', ml), new URL('maplibre-gl-worker.js', dist));
copyFileSync(new URL('./node_modules/uplot/dist/uPlot.min.css', import.meta.url), new URL('uplot.css', dist));
const version = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')).version;
// The first requests (src/boot.ts) run from a classic script inlined in the page's head, before
// the stylesheets and the bundle are even requested.
const boot = await esbuild.build({
  entryPoints: ['src/boot-entry.ts'], bundle: true, format: 'iife', target: 'es2022', minify: true, write: false, legalComments: 'none',
});
const bootJs = boot.outputFiles[0].text.trim().replaceAll('</script', '<\\/script');
writeFileSync(new URL('index.html', dist), readFileSync(new URL('./index.html', import.meta.url), 'utf8')
  .replaceAll('%VERSION%', version).replace('%BOOT%', () => bootJs));

for (const name of readdirSync(dist)) {
  if (!/\.(js|css)$/.test(name)) continue;
  const body = readFileSync(new URL(name, dist));
  writeFileSync(new URL(`${name}.gz`, dist), gzipSync(body, { level: 9 }));
  writeFileSync(new URL(`${name}.br`, dist), brotliCompressSync(body, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
  }));
}

if (await checked !== 0) {
  rmSync(dist, { recursive: true, force: true });
  console.error('build: the type check failed (see above); no dist/ written');
  process.exit(1);
}

/**
 * Runs `tsc --noEmit` in a child process while the bundling goes on, and resolves with its exit
 * status. Incremental: a build without changes re-checks nothing (node_modules/.cache/).
 */
function typeCheck() {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const args = [tsc, '--noEmit', '--incremental', '--tsBuildInfoFile', 'node_modules/.cache/wijkveilig/tsc.tsbuildinfo'];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: new URL('.', import.meta.url), stdio: 'inherit' });
    child.on('error', (err) => { console.error(err); resolve(1); });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

if (process.argv.includes('--size')) {
  // The app's own code, without the MapLibre and uPlot libraries it bundles.
  const own = await esbuild.build({
    entryPoints: ['src/main.ts'], bundle: true, format: 'esm', minify: true, write: false,
    external: ['maplibre-gl', 'uplot'], legalComments: 'none', target: 'es2022',
  });
  const js = gzipSync(own.outputFiles[0].contents).length;
  const css = gzipSync(readFileSync(new URL('app.css', dist))).length;
  const all = gzipSync(readFileSync(new URL('app.js', dist))).length;
  console.log(`gzip: own JS ${js} B + own CSS ${css} B = ${js + css} B; bundle with libraries ${all} B`);
}
