// The steering report page (#/rapport?period=2023|2023H1|2023H2): the KDE heatmap map, the six
// programme indicators against their targets, top hotspots with their class, camera coverage,
// enforcement outcomes and initiatives. Printed as a multi-page A4 (portrait) document. A page of
// its own (a hash route, not a tab) so that a link to it can be sent to the steering group.
import { api, type FigureSet, type Meta, type ReportData, type Scope, type TileSet } from '../api';
import { $, clear, h, type Child } from '../dom';
import { fmt, getLang, hasKey, setLang, t, type Key } from '../i18n';
import { countClass, countKind, countText } from '../figures';
import { indicatorCard } from './indicator-card';
import { HOT_COLOURS, KDE_GRADIENT } from '../kde';
import { Slot, statusNote } from '../load';
import { DashboardMap, OUTCOME_COLOURS } from '../map';
import { gemeenteName, scopeTitle } from '../scope';
import { stateToSearch, type Lang, type State } from '../state';

export function parseReportHash(hash: string): { period: string | null; lang: Lang | null } | null {
  const m = /^#\/rapport(?:\?(.*))?$/.exec(hash);
  if (!m) return null;
  const q = new URLSearchParams(m[1] ?? '');
  const p = q.get('period');
  const l = q.get('lang');
  return { period: p && /^\d{4}(H[12])?$/.test(p) ? p : null, lang: l === 'en' || l === 'nl' ? l : null };
}

export function periodRange(p: string): { from: string; to: string } {
  const y = p.slice(0, 4);
  if (p.endsWith('H1')) return { from: `${y}-01`, to: `${y}-06` };
  if (p.endsWith('H2')) return { from: `${y}-07`, to: `${y}-12` };
  return { from: `${y}-01`, to: `${y}-12` };
}

export function periodLabel(p: string): string {
  const y = p.slice(0, 4);
  return p.endsWith('H1') ? t('half1', { y }) : p.endsWith('H2') ? t('half2', { y }) : y;
}

/** The link from the dashboard to the report, for the latest whole period, keeping the dashboard's state to go back to. */
export function reportHref(meta: Meta, s: State): string {
  const p = periodOptions(meta)[0] ?? meta.periods.last.slice(0, 4);
  return `${location.pathname}${stateToSearch(s)}#/rapport?period=${p}${s.lang === 'en' ? '&lang=en' : ''}`;
}

/** Whole years and half-years that lie within the data; whole years only when the data has no months. */
export function periodOptions(meta: Pick<Meta, 'periods'>): string[] {
  const out: string[] = [];
  const first = meta.periods.first, last = meta.periods.last;
  for (let y = Number(last.slice(0, 4)); y >= Number(first.slice(0, 4)); y--) {
    for (const p of meta.periods.monthly ? [`${y}`, `${y}H2`, `${y}H1`] : [`${y}`]) {
      const r = periodRange(p);
      if (r.from >= first && r.to <= last) out.push(p);
    }
  }
  return out.length ? out : [last.slice(0, 4)];
}

const KINDS: Record<string, string> = { whatsapp: 'kind_whatsapp', foot_patrol: 'kind_foot_patrol' };
/** the report's data (/api/report), and the tiles and wijken of its map, for one period */
const reportData = new Slot<{ d: ReportData; tiles: TileSet | null; wijken: FigureSet | null }>();
/** An enforcement domain's name, or its code when the dictionary lacks it. */
const domainName = (d: string): string => { const k = `domain_${d}`; return hasKey(k) ? t(k) : d; };

/** The report of `scope` (the gemeente and boundary year of the dashboard's URL, issue #11). */
export async function renderReportPage(meta: Meta, scope: Scope, lang: Lang, onLang: (l: Lang) => void): Promise<void> {
  const route = parseReportHash(location.hash);
  const options = periodOptions(meta);
  const period = route?.period && options.includes(route.period) ? route.period : (options[0] as string);
  setLang(route?.lang ?? lang);
  history.replaceState(null, '', `${location.pathname}${location.search}#/rapport?period=${period}${getLang() === 'en' ? '&lang=en' : ''}`);
  document.body.dataset.reportReady = 'false';
  const g = gemeenteName(meta);
  document.title = `${t('rap_title', { g })} · ${periodLabel(period)}`;
  const back = `${location.pathname}${location.search}`;
  const app = $('#app');
  const doc = h('article', { class: 'rapport', 'aria-labelledby': 'rap-title' }, h('p', { class: 'loading', role: 'status' }, t('loading')));
  clear(app, h('div', { class: 'rapport-page' },
    h('div', { class: 'rapport-bar no-print', role: 'toolbar', 'aria-label': t('rap_tools') },
      h('a', { href: back, class: 'btn btn-small' }, `← ${t('rap_back')}`),
      h('label', { for: 'rap-period', class: 'ctl-label inline-label' }, t('rap_period')),
      h('select', { id: 'rap-period', onchange: (e: Event) => { location.hash = `#/rapport?period=${(e.target as HTMLSelectElement).value}${getLang() === 'en' ? '&lang=en' : ''}`; } },
        options.map((p) => h('option', { value: p, selected: p === period }, periodLabel(p)))),
      h('button', { type: 'button', class: 'btn btn-primary btn-small', id: 'rap-print', onclick: () => window.print() }, t('print')),
      h('button', { type: 'button', class: 'btn btn-ghost btn-small', lang: getLang() === 'nl' ? 'en' : 'nl', 'aria-label': t('lang_switch_label'), onclick: () => onLang(getLang() === 'nl' ? 'en' : 'nl') }, t('lang_switch'))),
    h('main', { id: 'main', tabindex: -1 }, doc)));

  const current = await reportData.load(period, async (signal) => {
    const [d, tiles] = await Promise.all([api.report(period, scope, signal), api.tiles(scope, signal).catch(() => null)]);
    const wijken = await api.figures({ from: d.from, to: d.to, types: '0.0.0', ...scope }, 'wijk', signal).catch(() => null);
    return { d, tiles, wijken };
  });
  if (!current || reportData.key !== period) return; // another period was asked for meanwhile
  if (!reportData.data) {
    clear(doc, statusNote(reportData));
    return;
  }
  const { d, tiles, wijken } = reportData.data;
  const mapBox = h('div', { class: 'r-map-live', 'aria-hidden': 'true' });
  const img = h('img', { class: 'r-map', id: 'rap-map-img', alt: t('rap_map_alt', { g, p: periodLabel(period) }) });
  // enforcement_outcomes has the counted domains only (indicator 3's rule); the share is the API's
  // the total of the counted domains: the API's (null when it is hidden for this viewer, "< 5"),
  // or the sum of the outcomes when the API does not send one and none is hidden
  const anySmall = d.enforcement_outcomes.some((o) => o.count == null);
  const outcomesTotal: number | null = d.enforcement_total !== undefined ? d.enforcement_total
    : anySmall ? null : d.enforcement_outcomes.reduce((a, o) => a + (o.count ?? 0), 0);
  const countCellR = (v: number | null | undefined, suppressed: boolean | null | undefined): HTMLElement =>
    h('td', { class: `num ${countClass(countKind(v, suppressed))}`.trim(), title: v == null && suppressed ? t('small_title') : null }, countText(v, suppressed));
  const es = d.enforcement_share ?? null;
  const domains = (counted: boolean): string[] => [...new Set(d.enforcement_by_domain.filter((x) => x.counted === counted).map((x) => x.domain))];
  const notCounted = d.enforcement_by_domain.filter((x) => !x.counted).reduce((a, x) => a + x.count, 0);
  const cov = d.coverage ?? null;
  const kde = d.kde ?? null;
  // no points (the API then sends no surface and no coverage): the density map, the incident
  // count and the coverage say why, not "0 – 0 per km²" or "not available"
  const noFile = meta.counts.incidents === 0;
  const kdeEmpty = noFile ? t('kde_no_file') : kde && !kde.points ? t('empty_kde') : null;
  const tile = (label: string, value: string, note: string | null, testid?: string): HTMLElement =>
    h('div', { class: 'tile', 'data-testid': testid }, h('div', { class: 'tile-label' }, label), h('div', { class: 'tile-value' }, value), note ? h('div', { class: 'tile-note' }, note) : null);
  const sec = (id: string, title: string, ...body: Child[]): HTMLElement =>
    h('section', { class: 'r-sec', id: `r-${id}`, 'aria-labelledby': `r-${id}-h` }, h('h2', { id: `r-${id}-h` }, title), ...body);

  clear(doc,
    h('div', { class: 'r-page r-first' },
      h('header', { class: 'r-head' },
        h('div', { class: 'report-brand' }, `wijkveilig · ${scopeTitle(meta)}`),
        h('h1', { id: 'rap-title' }, t('rap_title', { g })),
        h('p', { class: 'r-period' }, `${periodLabel(period)} · ${fmt.period(d.from, d.to)}`),
        meta.demo ? h('p', { class: 'report-demo' }, t('demo_banner')) : null,
        d.notes.length ? h('ul', { class: 'r-notes small', 'data-testid': 'r-notes' }, d.notes.map((n) => h('li', { lang: 'nl' }, n))) : null),
      sec('map', t('rap_map'),
        // an empty density map says why above the picture (only the wijk outlines are drawn), and has no scale
        kdeEmpty ? h('p', { class: 'r-map-empty', 'data-testid': 'r-kde-empty' }, kdeEmpty) : null,
        h('div', { class: 'r-map-wrap' }, mapBox, img),
        kdeEmpty ? null : h('div', { class: 'r-legend small' },
          h('span', {}, t('kde_legend')), h('span', { class: 'ramp r-ramp', style: `background:${KDE_GRADIENT}`, 'aria-hidden': 'true' }),
          h('span', {}, kde ? `0 – ${fmt.num(kde.max, 1)} ${t('per_km2')} · ${t('kde_legend_note', { bw: fmt.int(kde.bandwidth_m) })}` : t('err_not_available')))),
      sec('summary', t('rap_summary'),
        h('div', { class: 'tiles r-tiles r-summary', 'data-testid': 'r-summary' },
          tile(t('rap_sum_incidents'), kde && meta.counts.incidents > 0 ? fmt.int(kde.points) : '–', kdeEmpty ?? t('rap_sum_incidents_note')),
          tile(t('rap_sum_hot'), fmt.int(d.hotspot_summary.hot), t('rap_sum_hot_cold', { n: fmt.int(d.hotspot_summary.cold) })),
          tile(t('cov_incidents'), fmt.share(cov?.incidents.share), cov ? t('n_of_m', { n: fmt.int(cov.incidents.covered), m: fmt.int(cov.incidents.total) }) : noFile ? t('cov_no_file') : null),
          tile(t('head_enf'), fmt.share(es ? es.value / 100 : null), es?.numerator != null && es.denominator != null ? t('head_enf_of', { n: fmt.int(es.numerator), m: fmt.int(es.denominator) }) : null, 'r-enf-share'),
          tile(t('rap_sum_initiatives'), fmt.int(d.initiatives.filter((i) => i.active_at_end).length), t('rap_sum_initiatives_note')),
          tile(t('rap_sum_status'), `${d.indicators.filter((i) => i.status === 'on_track').length} / ${d.indicators.length}`, t('rap_sum_status_note'))))),
    h('div', { class: 'r-page' },
      sec('indicators', t('rap_indicators'),
        h('p', { class: 'small muted' }, t('rap_ind_note')),
        d.indicators.length ? h('div', { class: 'ind-grid' }, [...d.indicators].sort((a, b) => a.number - b.number).map((i) => indicatorCard(i, { editable: false, area: null })))
          : h('p', { class: 'muted' }, t('err_not_available')))),
    h('div', { class: 'r-page' },
      sec('hotspots', t('rap_hotspots'),
        h('p', { class: 'small muted' }, t('rap_hs_note')),
        d.top_hotspots.length ? h('table', { class: 'data compact', 'data-testid': 'r-hotspots' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col', class: 'num' }, '#'), h('th', { scope: 'col' }, t('col_buurt')), h('th', { scope: 'col', class: 'num' }, t('col_count')), h('th', { scope: 'col', class: 'num' }, 'z'), h('th', { scope: 'col' }, t('rap_class')))),
          h('tbody', {}, d.top_hotspots.map((r, i) => h('tr', { 'data-code': r.code },
            h('td', { class: 'num' }, i + 1), h('th', { scope: 'row' }, r.name), r.value == null ? countCellR(null, true) : h('td', { class: 'num' }, fmt.num(r.value, 1)), h('td', { class: 'num' }, fmt.num(r.z, 2)),
            h('td', {}, h('span', { class: 'swatch', style: `background:${HOT_COLOURS[r.class] ?? '#fff'}`, 'aria-hidden': 'true' }), ` ${t(`hs_${r.class}` as Key)}`))))) : h('p', { class: 'muted' }, t('hs_none_hot'))),
      sec('coverage', t('rap_coverage'),
        cov ? h('div', { class: 'tiles r-tiles' },
          h('div', { class: 'tile' }, h('div', { class: 'tile-label' }, t('cov_incidents')), h('div', { class: 'tile-value' }, fmt.share(cov.incidents.share)), h('div', { class: 'tile-note' }, t('n_of_m', { n: fmt.int(cov.incidents.covered), m: fmt.int(cov.incidents.total) }))),
          h('div', { class: 'tile' }, h('div', { class: 'tile-label' }, t('cov_cells')), h('div', { class: 'tile-value' }, fmt.share(cov.hotspot_cells.share)), h('div', { class: 'tile-note' }, t('n_of_m', { n: fmt.int(cov.hotspot_cells.covered), m: fmt.int(cov.hotspot_cells.total) }))),
          h('div', { class: 'tile' }, h('div', { class: 'tile-label' }, t('cov_active_short')), h('div', { class: 'tile-value' }, fmt.int(cov.cameras_active)))) : h('p', { class: 'muted', 'data-testid': 'r-cov-empty' }, noFile ? t('cov_no_file') : t('err_not_available')),
        cov && cov.uncovered_hotspots.length ? h('p', { class: 'small' }, `${t('cov_uncovered', { n: cov.uncovered_hotspots.length })}: ${cov.uncovered_hotspots.map((u) => u.name).join(', ')}`) : null)),
    h('div', { class: 'r-page' },
      sec('enforcement', t('rap_enforcement'),
        d.enforcement_outcomes.length ? h('table', { class: 'data compact', 'data-testid': 'r-enforcement' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('rap_outcome')), h('th', { scope: 'col', class: 'num' }, t('rap_number')), h('th', { scope: 'col', class: 'num' }, t('rap_share')))),
          h('tbody', {}, d.enforcement_outcomes.map((o) => h('tr', {},
            h('th', { scope: 'row' }, h('span', { class: 'swatch', style: `background:${OUTCOME_COLOURS[o.outcome] ?? '#999'};border-radius:50%`, 'aria-hidden': 'true' }), ` ${t(`outcome_${o.outcome}` as Key) ?? o.outcome}`),
            countCellR(o.count, o.suppressed), h('td', { class: 'num' }, fmt.share(outcomesTotal && o.count != null ? o.count / outcomesTotal : null))))),
          h('tfoot', {}, h('tr', {}, h('th', { scope: 'row' }, t('total')), countCellR(outcomesTotal, outcomesTotal == null), h('td', {})))) : h('p', { class: 'muted' }, t('none')),
        domains(true).length ? h('p', { class: 'small muted', 'data-testid': 'r-enf-domains' }, t('rap_enf_counted', { d: domains(true).map(domainName).join(', ') }),
          notCounted ? ` ${t('rap_enf_not_counted', { n: fmt.int(notCounted), d: domains(false).map(domainName).join(', ') })}` : '') : null),
      sec('initiatives', t('rap_initiatives'),
        d.initiatives.length ? h('table', { class: 'data compact', 'data-testid': 'r-initiatives' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, t('rap_name')), h('th', { scope: 'col' }, t('rap_kind')), h('th', { scope: 'col', class: 'num' }, t('rap_members')), h('th', { scope: 'col' }, t('rap_since')))),
          h('tbody', {}, d.initiatives.map((i) => h('tr', { class: i.active_at_end ? '' : 'ended' }, h('th', { scope: 'row' }, i.name, i.active_at_end ? null : h('span', { class: 'muted' }, ` (${t('rap_ended')})`)), h('td', {}, KINDS[i.kind] ? t(KINDS[i.kind] as Key) : i.kind), h('td', { class: 'num' }, fmt.int(i.members)), h('td', {}, i.start_date ? fmt.date(i.start_date) : '–'))))) : h('p', { class: 'muted' }, t('none'))),
      h('footer', { class: 'report-foot' }, t('source_note', { y: meta.boundary_year ?? '–' }), ` · ${t('printed_on', { d: fmt.date(new Date()) })}`)));

  // The map: wijk outlines and the KDE image, rendered once and kept as a picture for print.
  const b = meta.bbox;
  const dm = new DashboardMap(mapBox, [[b[0], b[1]], [b[2], b[3]]], meta.basemap_style_url, { onSelect: () => undefined, onMove: () => undefined });
  dm.setLayers(new Set(['kde', 'wijken']));
  if (tiles) dm.setTiles(tiles);
  dm.setGemeente(meta.all_gemeenten ? null : meta.gemeente.code || null);
  if (wijken) dm.setWijken(wijken.areas);
  dm.setKde(kde);
  dm.start();
  await dm.ready;
  await dm.idle();
  await dm.idle();
  img.src = dm.snapshot();
  await img.decode().catch(() => undefined);
  dm.map.remove();
  mapBox.remove();
  document.body.dataset.reportReady = 'true';
}
