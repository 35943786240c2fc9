// The period control: two month sliders (from, to) that keep from ≤ to, and a play button that
// steps the window month by month. Slider moves load the figures once the slider rests
// (`App.scheduleRefresh`); playback waits for each step's figures before the next.
import type { App } from '../app';
import { $, clear, h } from '../dom';
import { fmt, t } from '../i18n';
import { addMonths, monthFromIndex, monthIndex, type State } from '../state';

let playTimer: number | null = null;

export function periodControl(app: App): HTMLElement {
  const s = app.state;
  const first = monthIndex(app.meta.periods.first);
  const last = monthIndex(app.meta.periods.last);
  const fromOut = h('output', { id: 'from-out', for: 'from' }, fmt.month(s.from));
  const toOut = h('output', { id: 'to-out', for: 'to' }, fmt.month(s.to));
  const slider = (id: 'from' | 'to') => h('input', {
    type: 'range', id, min: first, max: last, step: 1, value: monthIndex(s[id]), 'aria-valuetext': fmt.month(s[id]),
    oninput: (e: Event) => {
      const v = monthFromIndex(Number((e.target as HTMLInputElement).value));
      if (id === 'from' && v > s.to) s.to = v;
      if (id === 'to' && v < s.from) s.from = v;
      s[id] = v;
      syncPeriod(s);
      app.scheduleRefresh();
    },
  });
  const playing = playTimer !== null;
  return h('fieldset', { class: 'ctl' },
    h('legend', {}, t('period')),
    h('div', { class: 'range-row' }, h('label', { for: 'from' }, t('period_from')), fromOut),
    slider('from'),
    h('div', { class: 'range-row' }, h('label', { for: 'to' }, t('period_to')), toOut),
    slider('to'),
    h('button', { type: 'button', id: 'play', class: 'btn btn-small', 'aria-pressed': String(playing), title: t('play_label'), onclick: () => togglePlay(app) },
      h('span', { 'aria-hidden': 'true' }, playing ? '❚❚ ' : '▶ '), playing ? t('pause') : t('play')));
}

/** Stops the playback (the session has ended). */
export function stopPlay(): void {
  if (playTimer !== null) clearInterval(playTimer);
  playTimer = null;
}

/** Puts the state's period into the sliders and their outputs. */
export function syncPeriod(s: State): void {
  for (const id of ['from', 'to'] as const) {
    const out = document.getElementById(`${id}-out`) as HTMLOutputElement | null;
    const input = document.getElementById(id) as HTMLInputElement | null;
    if (out) out.value = fmt.month(s[id]);
    if (input) {
      input.value = String(monthIndex(s[id]));
      input.setAttribute('aria-valuetext', fmt.month(s[id]));
    }
  }
}

function togglePlay(app: App): void {
  const { meta, state: s } = app;
  if (playTimer !== null) {
    clearInterval(playTimer);
    playTimer = null;
  } else {
    if (s.to >= meta.periods.last) {
      // restart from the beginning with the same window length
      const len = monthIndex(s.to) - monthIndex(s.from);
      app.setPeriod(meta.periods.first, addMonths(meta.periods.first, len));
    }
    playTimer = window.setInterval(() => {
      if (app.figures.loading) return; // wait for the previous step to load
      if (s.to >= meta.periods.last) { togglePlay(app); return; }
      app.setPeriod(addMonths(s.from, 1), addMonths(s.to, 1));
    }, 1200);
  }
  const b = $('#play');
  const playing = playTimer !== null;
  b.setAttribute('aria-pressed', String(playing));
  clear(b, h('span', { 'aria-hidden': 'true' }, playing ? '❚❚ ' : '▶ '), playing ? t('pause') : t('play'));
}
