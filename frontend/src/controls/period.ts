// The period control: two sliders (from, to) that keep from ≤ to, and a play button that steps
// the window. On monthly data they move by month; on yearly-only data (CBS 47018NED) by whole
// year, since a part of a year has no figures, and with a single year they say so and stay put.
// Slider moves load the figures once the slider rests (`App.scheduleRefresh`); playback waits for
// each step's figures before the next.
import type { App } from '../app';
import { $, clear, h } from '../dom';
import { fmt, t } from '../i18n';
import { addMonths, monthFromIndex, monthIndex, type State } from '../state';

let playTimer: number | null = null;
/** the data has only yearly figures: the sliders hold years */
let yearly = false;

/** A slider's value for a period end: its month index, or its year on yearly data. */
const sliderValue = (m: string): number => (yearly ? Number(m.slice(0, 4)) : monthIndex(m));
/** A period end as the outputs show it: the month, or the year on yearly data. */
const label = (m: string): string => (yearly ? fmt.year(m.slice(0, 4)) : fmt.month(m));
/** How far one step moves: a month, or a year. */
const stepMonths = (): number => (yearly ? 12 : 1);

export function periodControl(app: App): HTMLElement {
  const s = app.state;
  const p = app.meta.periods;
  yearly = !p.monthly;
  const first = sliderValue(p.first);
  const last = sliderValue(p.last);
  const fromOut = h('output', { id: 'from-out', for: 'from' }, label(s.from));
  const toOut = h('output', { id: 'to-out', for: 'to' }, label(s.to));
  const slider = (id: 'from' | 'to') => h('input', {
    type: 'range', id, min: first, max: last, step: 1, value: sliderValue(s[id]), 'aria-valuetext': label(s[id]), disabled: first === last,
    oninput: (e: Event) => {
      const n = Number((e.target as HTMLInputElement).value);
      // a year's slider: from its January, to its December
      const v = yearly ? `${n}-${id === 'from' ? '01' : '12'}` : monthFromIndex(n);
      if (id === 'from' && v > s.to) s.to = yearly ? `${n}-12` : v;
      if (id === 'to' && v < s.from) s.from = yearly ? `${n}-01` : v;
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
    yearly ? h('p', { class: 'small muted', 'data-testid': 'period-yearly' }, first === last ? t('period_one_year', { y: fmt.year(first) }) : t('period_yearly')) : null,
    h('button', { type: 'button', id: 'play', class: 'btn btn-small', 'aria-pressed': String(playing), title: t('play_label'), disabled: first === last, onclick: () => togglePlay(app) },
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
    if (out) out.value = label(s[id]);
    if (input) {
      input.value = String(sliderValue(s[id]));
      input.setAttribute('aria-valuetext', label(s[id]));
    }
  }
}

function togglePlay(app: App): void {
  const { meta, state: s } = app;
  const step = stepMonths();
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
      app.setPeriod(addMonths(s.from, step), addMonths(s.to, step));
    }, 1200);
  }
  const b = $('#play');
  const playing = playTimer !== null;
  b.setAttribute('aria-pressed', String(playing));
  clear(b, h('span', { 'aria-hidden': 'true' }, playing ? '❚❚ ' : '▶ '), playing ? t('pause') : t('play'));
}
