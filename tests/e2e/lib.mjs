// Shared helpers for the browser tests: launch Debian's Chromium, open the dashboard,
// wait for the map to have rendered, read pixels back.
import { chromium } from 'playwright-core';
import { PNG } from 'pngjs';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

export const BASE_URL = (process.env.BASE_URL ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export async function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--enable-unsafe-swiftshader'],
  });
}

/**
 * For the measuring scripts (measure-paint, measure-fps, breakdown): a fresh 1440×900 context (nothing
 * cached) on BASE_URL at `search`. With `user` (and E2E_PASSWORD) it signs in first, as a
 * returning user: the browser's "signed in before" hint is set, so the page asks for its data at
 * once (src/boot.ts).
 */
export async function measuredPage(browser, search, user, init = null) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  if (user) {
    const res = await context.request.post(`${BASE_URL}/api/session`, { data: { username: user, password: process.env.E2E_PASSWORD ?? '' } });
    if (res.status() !== 204) throw new Error(`sign-in as ${user}: ${res.status()}`);
    await context.addInitScript(() => localStorage.setItem('wv.signed-in', '1'));
  }
  // a script of the caller's that runs before the page's own (breakdown.mjs: the long-task observer)
  if (init) await context.addInitScript(init);
  const page = await context.newPage();
  await page.goto(`${BASE_URL}/${search}`);
  return { context, page };
}

/**
 * For the measuring scripts: what the page shows, so that a figure says what it measured (a
 * query without `indeling=` shows the newest boundary year, which may not be the national one).
 */
export async function describeView(page) {
  const v = await page.evaluate(() => {
    const w = window.wijkveilig;
    const ids = new Set(w.map.querySourceFeatures('buurt-tiles', { sourceLayer: 'areas' }).map((f) => f.id));
    return { year: w.tiles()?.boundary_year ?? null, zoom: w.map.getZoom(), buurten: ids.size };
  });
  return `boundary year ${v.year}, zoom ${v.zoom.toFixed(1)}, ${v.buurten} buurten in the loaded tiles`;
}

/**
 * Reports every Content-Security-Policy violation of the page as a console error (which the
 * tests collect), whatever the browser itself logs for it.
 */
export async function reportCspViolations(context) {
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
}

/** Opens the dashboard at `search` and resolves once the choropleth data has rendered (map idle). */
export async function openDashboard(browser, search = '', viewport = { width: 1440, height: 900 }) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, locale: 'nl-NL' });
  await reportCspViolations(context);
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  // No test may reach the internet: refuse every request that is not to the app's own origin.
  await page.route('**/*', (route) => {
    const u = route.request().url();
    if (u.startsWith(BASE_URL) || u.startsWith('data:') || u.startsWith('blob:')) return route.continue();
    errors.push(`external request blocked: ${u}`);
    return route.abort();
  });
  await page.goto(`${BASE_URL}/${search}`);
  await waitForMapIdle(page);
  return { page, context, errors };
}

/** Waits until the map has finished rendering the latest data render (data-map-idle = data-render-seq). */
export async function waitForMapIdle(page, after = 0) {
  await page.waitForFunction((min) => {
    const b = document.body.dataset;
    return b.loading === 'false' && Number(b.renderSeq) > min && b.mapIdle === b.renderSeq;
  }, after, { timeout: 30000 });
}

export async function renderSeq(page) {
  return Number(await page.evaluate(() => document.body.dataset.renderSeq ?? '0'));
}

/**
 * The map canvas as decoded RGBA pixels: the map draws a frame and it is read in the same task
 * (the map keeps no preserved drawing buffer, so between frames the canvas reads as blank; the
 * print snapshot does the same, `DashboardMap.snapshot`).
 */
export async function canvasPixels(page) {
  const dataUrl = await page.evaluate(() => { const m = window.wijkveilig.map; m.redraw(); return m.getCanvas().toDataURL('image/png'); });
  return PNG.sync.read(Buffer.from(dataUrl.split(',')[1], 'base64'));
}

export function hexToRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** How many pixels are within `tol` of each colour. */
export function colourCounts(png, colours, tol = 6) {
  const targets = colours.map(hexToRgb);
  const counts = new Array(colours.length).fill(0);
  const d = png.data;
  for (let i = 0; i < d.length; i += 4) {
    for (let k = 0; k < targets.length; k++) {
      const [r, g, b] = targets[k];
      if (Math.abs(d[i] - r) <= tol && Math.abs(d[i + 1] - g) <= tol && Math.abs(d[i + 2] - b) <= tol) { counts[k]++; break; }
    }
  }
  return counts;
}

export async function getJson(path) {
  const res = await fetch(`${BASE_URL}${path}`);
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return res.json();
}

export const nlInt = (n) => new Intl.NumberFormat('nl-NL', { maximumFractionDigits: 0 }).format(n);
export const nlDec = (n) => new Intl.NumberFormat('nl-NL', { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(n);
export const nlPct = (n) => `${new Intl.NumberFormat('nl-NL', { maximumFractionDigits: 1, minimumFractionDigits: 1, signDisplay: 'exceptZero' }).format(n)}%`;

export function axeSource() {
  const require = createRequire(import.meta.url);
  return readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
}

/**
 * Puts axe-core into the page. Not as an inline <script> (addScriptTag): the page's
 * Content-Security-Policy refuses those, as it should. An evaluation from the test runs outside
 * the page's policy.
 */
export async function injectAxe(page) {
  if (await page.evaluate(() => typeof window.axe === 'object')) return;
  await page.evaluate(axeSource());
}

/** axe-core's serious and critical violations on the page, as short strings (none expected). */
export async function axeViolations(page) {
  await injectAxe(page);
  const res = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
}

// ---------- accounts (scripts/e2e.sh adds them before the server starts) ----------
/** The test accounts, one per role; all have the password E2E_PASSWORD. */
export const ACCOUNTS = {
  beheerder: 'bea',
  veiligheidsteam: 'vera',
  wijkregisseur: 'wim',
  stuurgroep: 'sterre',
};
/** wim's wijken */
export const WIM_WIJKEN = ['WK999902', 'WK999905'];
export const PASSWORD = process.env.E2E_PASSWORD ?? '';
/** The server with the synthetic files imported as real data (no demo visitor), if scripts/e2e.sh started one. */
export const BASE_URL_REAL = (process.env.BASE_URL_REAL ?? '').replace(/\/$/, '');
/** The server with the real Almelo files (yearly 47018NED, total only; no points); empty without ../shared/data. */
export const BASE_URL_ALMELO = (process.env.BASE_URL_ALMELO ?? '').replace(/\/$/, '');
/** The server with the 517 Twente buurten (14 gemeenten) and Almelo's yearly figures only; empty without ../shared/data. */
export const BASE_URL_TWENTE = (process.env.BASE_URL_TWENTE ?? '').replace(/\/$/, '');
/** The server with Almelo's monthly table made from the yearly one (tests/e2e/real-files.mjs); empty without ../shared/data. */
export const BASE_URL_MONTHLY = (process.env.BASE_URL_MONTHLY ?? '').replace(/\/$/, '');
/** The server with the national 2014 buurten and wijken (10,416 buurten after --repair) and Almelo's figures; empty without ../shared/data. */
export const BASE_URL_NATIONAL = (process.env.BASE_URL_NATIONAL ?? '').replace(/\/$/, '');
/** The folder of the real data files (scripts/e2e.sh passes it on). */
export const SHARED_DATA = process.env.WIJKVEILIG_SHARED_DATA ?? new URL('../../../shared/data', import.meta.url).pathname;
/** The server with the synthetic town's yearly offence rows only (2017, 2018). */
export const BASE_URL_YEARLY = (process.env.BASE_URL_YEARLY ?? '').replace(/\/$/, '');
/** The server whose basemap style URL (BASEMAP_DEAD_URL) points at a closed local port. */
export const BASE_URL_BASEMAP = (process.env.BASE_URL_BASEMAP ?? '').replace(/\/$/, '');
export const BASEMAP_DEAD_URL = process.env.BASEMAP_DEAD_URL ?? '';

/**
 * A browser context with the guards of openDashboard: page errors, console errors (Content
 * Security Policy violations among them) and requests to other origins are collected in `errors`;
 * every API request in `requests` (method and path), every API answer of 400 or more in `refused`.
 * A refused request also logs a console error ("Failed to load resource"); those are in `refused`
 * and not repeated in `errors`.
 */
export async function newPage(browser, base = BASE_URL, viewport = { width: 1440, height: 900 }, allow = []) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, locale: 'nl-NL' });
  await reportCspViolations(context);
  const page = await context.newPage();
  const errors = [];
  const requests = [];
  const refused = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    if (/^Failed to load resource: the server responded with a status of \d+/.test(m.text()) && m.location().url?.startsWith(`${base}/api/`)) return;
    errors.push(m.text());
  });
  page.on('request', (r) => { if (r.url().startsWith(`${base}/api/`)) requests.push(`${r.method()} ${new URL(r.url()).pathname}`); });
  page.on('response', (r) => { if (r.status() >= 400 && r.url().startsWith(`${base}/api/`)) refused.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`); });
  await page.route('**/*', (route) => {
    const u = route.request().url();
    // `allow`: addresses on this machine a test lets the page try (an unreachable basemap)
    if (u.startsWith(base) || u.startsWith('data:') || u.startsWith('blob:') || allow.some((a) => u.startsWith(a))) return route.continue();
    errors.push(`external request blocked: ${u}`);
    return route.abort();
  });
  return { page, context, errors, requests, refused };
}

/** Fills in the sign-in page and submits it; resolves once the page has loaded again (or an error shows). */
export async function submitSignIn(page, username, password = PASSWORD) {
  await page.fill('#signin-user', username);
  await page.fill('#signin-pass', password);
  await Promise.all([
    page.waitForEvent('load', { timeout: 30000 }),
    page.click('#signin-submit'),
  ]);
}

/**
 * Signs in as the account of `role` through the page: the demo's sign-in route (`#/inloggen`) on
 * `base` with `search`, then waits for the dashboard's first data render.
 */
export async function signInAs(browser, role, search = '', base = BASE_URL, allow = []) {
  const s = await newPage(browser, base, undefined, allow);
  await s.page.goto(`${base}/${search}#/inloggen`);
  await s.page.waitForSelector('#signin-form');
  await submitSignIn(s.page, ACCOUNTS[role]);
  await waitForMapIdle(s.page);
  return s;
}

/** Signs in with the API from node (no browser): the session cookie, for requests as that account. */
export async function apiSession(role, base = BASE_URL) {
  const res = await fetch(`${base}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: ACCOUNTS[role], password: PASSWORD }) });
  if (res.status !== 204) throw new Error(`sign-in as ${role}: ${res.status}`);
  const cookie = res.headers.get('set-cookie').split(';')[0];
  return {
    cookie,
    get: async (path) => {
      const r = await fetch(`${base}${path}`, { headers: { cookie } });
      if (!r.ok) throw new Error(`${path}: ${r.status}`);
      return r.json();
    },
    fetch: (path, init = {}) => fetch(`${base}${path}`, { ...init, headers: { ...(init.headers ?? {}), cookie } }),
  };
}

/** The query the page is showing, from its URL (the state lives there). */
export async function pageQuery(page) {
  const u = new URL(page.url());
  return { from: u.searchParams.get('from'), to: u.searchParams.get('to'), types: u.searchParams.get('types') };
}

/**
 * Samples the map on a grid: for each buurt under a sample point, the most frequent pixel colour
 * there, next to the colour the map's data says the buurt has.
 */
export async function sampleBuurtColours(page, step = 12) {
  const png = await canvasPixels(page);
  const samples = await page.evaluate((step) => {
    const map = window.wijkveilig.map;
    const c = map.getCanvas();
    const ratio = c.width / c.clientWidth;
    const out = [];
    for (let y = step; y < c.clientHeight - step; y += step) {
      for (let x = step; x < c.clientWidth - step; x += step) {
        const f = map.queryRenderedFeatures([x, y], { layers: ['buurt-fill'] })[0];
        // the class colour is the buurt's feature-state (set per render), not a GeoJSON property
        if (f) out.push({ x: Math.round(x * ratio), y: Math.round(y * ratio), code: f.properties.code, colour: f.state.colour, cls: f.state.cls });
      }
    }
    return out;
  }, step);
  const byCode = new Map();
  for (const s of samples) {
    const i = (s.y * png.width + s.x) * 4;
    const rgb = `${png.data[i]},${png.data[i + 1]},${png.data[i + 2]}`;
    const e = byCode.get(s.code) ?? { code: s.code, colour: s.colour, cls: s.cls, hist: new Map() };
    e.hist.set(rgb, (e.hist.get(rgb) ?? 0) + 1);
    byCode.set(s.code, e);
  }
  return [...byCode.values()].map((e) => {
    const [mode, n] = [...e.hist.entries()].sort((a, b) => b[1] - a[1])[0];
    return { code: e.code, colour: e.colour, cls: e.cls, pixel: mode.split(',').map(Number), samples: [...e.hist.values()].reduce((a, b) => a + b, 0), modeCount: n };
  });
}

/**
 * Every buurt of the buurt tiles loaded (issue #12: the map draws the areas from vector tiles), once
 * each: its code, tile id and feature-state (what the figures made of it: `colour`, `cls`,
 * `in_scope`, `estimated`; the analyses' `hot`, `em`; none for a buurt without figures).
 */
export async function buurtTileStates(page) {
  return page.evaluate(() => {
    const map = window.wijkveilig.map;
    const seen = new Map();
    for (const f of map.querySourceFeatures('buurt-tiles', { sourceLayer: 'areas' })) {
      if (seen.has(f.properties.code)) continue;
      seen.set(f.properties.code, { code: f.properties.code, id: f.id, state: map.getFeatureState({ source: 'buurt-tiles', sourceLayer: 'areas', id: f.id }) });
    }
    return [...seen.values()];
  });
}

export const close = (a, b, tol = 3) => a.every((v, i) => Math.abs(v - b[i]) <= tol);

/**
 * For the screenshot scripts: `dir/name.png` of the page once the map has drawn (a repaint and a
 * moment after it); logs the page's errors, if any, and the file.
 */
export async function saveShot(s, dir, name) {
  await s.page.evaluate(() => window.wijkveilig?.map.triggerRepaint());
  await s.page.waitForTimeout(400);
  await s.page.screenshot({ path: `${dir}/${name}.png` });
  if (s.errors.length) console.error(name, s.errors);
  console.log(`${dir}/${name}.png`);
}

// ---------- the data as it really comes (issue #11): shared by the real-data tests ----------
/** Waits until the analysis `what` (its Slot name: hotspots, kde, indicators, …) has its answer. */
export const ready = (page, what) => page.waitForFunction((w) => document.body.dataset[`${w}Status`] === 'ready', what, { timeout: 60000 });
/** The sentences on the map (views/map-notes.ts). */
export const notes = (page) => page.getByTestId('map-notes').locator('li').allInnerTexts();
/** Red error sentences in the panel beside the map and in the legend (none expected). */
export const redErrors = (page) => page.locator('#viewpanel .error, #legend .error').allInnerTexts();
/** The session check before signing in answers 401; anything else refused is a failure. */
export const refusedAfterSignIn = (refused) => refused.filter((r) => r !== '401 GET /api/session');

/** Most buurten on the map are drawn in the colour the data gives them (the map is not blank). */
export async function assertChoroplethDrawn(page, label, min = 30) {
  const samples = (await sampleBuurtColours(page)).filter((s) => s.colour && s.samples >= 3);
  if (samples.length < min) throw new Error(`${label}: ${samples.length} buurten sampled on the map, expected at least ${min}`);
  const ok = samples.filter((s) => close(s.pixel, hexToRgb(s.colour), 8));
  if (ok.length < samples.length * 0.9) throw new Error(`${label}: only ${ok.length} of ${samples.length} buurten drawn in their colour`);
  return samples;
}
