// Not a test: measures the map's frames per second while it moves, at 1440×900. For each run, a
// fresh browser context opens the page, waits for the map to be idle after its first data render,
// then plays 5 s of scripted movement twice:
//  - pan:  map.panBy in steps of 300 px (each eased over 500 ms), around and back;
//  - zoom: map.easeTo / zoomTo in and out by 1.5 zoom levels (each over 1 s), about the centre.
// During each 5 s the page counts requestAnimationFrame callbacks (the frames the browser
// managed) and MapLibre 'render' events (the frames the map drew); fps = count / seconds.
// The first run only warms the server; the median of the other runs is reported.
//
// Usage: BASE_URL=http://127.0.0.1:PORT node tests/e2e/measure-fps.mjs [runs] [search]
//   search: the page's query string (default `?view=wijk`), e.g. '?view=wijk&gemeente=alle&indeling=2014'
//   (see measure-paint.mjs; the output names the boundary year, zoom and buurten).
//   EMPTY=1 hides every layer of the map first: the frame rate of the bare canvas, this
//   machine's ceiling for any map.
//   WV_USER=NAME with E2E_PASSWORD signs in first (see measure-paint.mjs).
import { describeView, launch, measuredPage, BASE_URL } from './lib.mjs';

const runs = Number(process.argv[2] ?? 5);
const search = process.argv[3] ?? '?view=wijk';
const user = process.env.WV_USER ?? '';
const SECONDS = 5;

/** Runs in the page: plays `kind` for SECONDS and counts frames. */
function play({ kind, seconds }) {
  const map = window.wijkveilig.map;
  return new Promise((resolve) => {
    let raf = 0, renders = 0, running = true;
    const onRender = () => { renders++; };
    map.on('render', onRender);
    const tick = () => { if (!running) return; raf++; requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
    const start = performance.now();
    const z0 = map.getZoom(), c0 = map.getCenter();
    let step = 0;
    const next = () => {
      if (performance.now() - start >= seconds * 1000) return;
      if (kind === 'pan') {
        const dirs = [[300, 0], [0, 300], [-300, 0], [0, -300]];
        map.panBy(dirs[step % 4], { duration: 500, easing: (t) => t });
      } else if (step % 2 === 0) map.easeTo({ zoom: z0 + 1.5, center: c0, duration: 1000, easing: (t) => t });
      else map.zoomTo(z0, { duration: 1000, easing: (t) => t });
      step++;
      map.once('moveend', next);
    };
    next();
    setTimeout(() => {
      running = false;
      map.off('render', onRender);
      map.stop();
      const s = (performance.now() - start) / 1000;
      resolve({ raf: raf / s, renders: renders / s, steps: step });
    }, seconds * 1000);
  });
}

const browser = await launch();
const results = { pan: [], zoom: [] };
const empty = process.env.EMPTY === '1';
let view = '';
try {
  for (let i = 0; i < runs + 1; i++) {
    const { context, page } = await measuredPage(browser, search, user);
    await page.waitForFunction(() => { const b = document.body.dataset; return b.loading === 'false' && Number(b.renderSeq) > 0 && b.mapIdle === b.renderSeq; }, null, { timeout: 120000 });
    if (i === 0) view = await describeView(page);
    if (empty) await page.evaluate(() => { const m = window.wijkveilig.map; for (const l of m.getStyle().layers) m.setLayoutProperty(l.id, 'visibility', 'none'); });
    for (const kind of ['pan', 'zoom']) {
      const r = await page.evaluate(play, { kind, seconds: SECONDS });
      if (i > 0) results[kind].push(r);
      await page.evaluate(() => window.wijkveilig.idle());
    }
    await context.close();
  }
} finally {
  await browser.close();
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
console.log(`${BASE_URL}/${search}${user ? ` as ${user}` : ''}, 1440×900, ${SECONDS} s of movement, ${runs} runs${empty ? ', every layer hidden' : ''}: ${view}`);
for (const kind of ['pan', 'zoom']) {
  const r = results[kind];
  console.log(`${kind}: median ${median(r.map((x) => x.raf)).toFixed(1)} fps (requestAnimationFrame), ${median(r.map((x) => x.renders)).toFixed(1)} map renders/s; runs: ${r.map((x) => x.raf.toFixed(1)).join(', ')}`);
}
