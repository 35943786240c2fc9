// Not a test: where the first map paint's time goes, for one page load after a warm-up. Prints
// the page's resource timings (request start, response start, end, size) and the app's marks,
// in the order they happened, from navigation start.
//
// Usage: BASE_URL=… [WV_USER=… E2E_PASSWORD=…] node tests/e2e/breakdown.mjs [search]
import { launch, measuredPage } from './lib.mjs';

const search = process.argv[2] ?? '?view=wijk';
const user = process.env.WV_USER ?? '';
const browser = await launch();
try {
  for (let i = 0; i < 2; i++) {
    // long main-thread tasks (over 50 ms), recorded from the start
    const { context, page } = await measuredPage(browser, search, user, () => {
      window.wvLong = [];
      new PerformanceObserver((l) => { for (const e of l.getEntries()) window.wvLong.push([e.startTime, e.duration]); }).observe({ type: 'longtask', buffered: true });
    });
    await page.waitForFunction(() => performance.getEntriesByName('wv-first-map-idle').length > 0, null, { timeout: 120000 });
    const rows = await page.evaluate(() => {
      const out = [];
      for (const e of performance.getEntries()) {
        if (e.entryType === 'resource') {
          const u = new URL(e.name);
          out.push([e.startTime, `res  ${(u.pathname + u.search).slice(0, 90)}  start ${e.requestStart.toFixed(0)} first-byte ${e.responseStart.toFixed(0)} end ${e.responseEnd.toFixed(0)} ${e.transferSize} B`]);
        } else if (e.entryType === 'mark') out.push([e.startTime, `mark ${e.name}`]);
        else if (e.entryType === 'navigation') out.push([0, `nav  response end ${e.responseEnd.toFixed(0)}, DOMContentLoaded ${e.domContentLoadedEventEnd.toFixed(0)}`]);
        else if (e.entryType === 'paint') out.push([e.startTime, `paint ${e.name}`]);
      }
      for (const [t, d] of window.wvLong) out.push([t, `long task ${d.toFixed(0)} ms (until ${(t + d).toFixed(0)})`]);
      return out.sort((a, b) => a[0] - b[0]).map(([t, s]) => `${t.toFixed(0).padStart(6)} ${s}`);
    });
    if (i === 1) console.log(rows.join('\n'));
    await context.close();
  }
} finally {
  await browser.close();
}
