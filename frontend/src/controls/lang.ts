// The language switch (Dutch ⇄ English) in the header. The button is labelled in the language it
// switches to; the choice is part of the URL (`lang=`).
import type { App } from '../app';
import { h } from '../dom';
import { t } from '../i18n';

export function langSwitch(app: App): HTMLElement {
  return h('button', {
    type: 'button', class: 'btn btn-ghost lang', lang: app.state.lang === 'nl' ? 'en' : 'nl', 'aria-label': t('lang_switch_label'),
    onclick: () => app.toggleLang(),
  }, t('lang_switch'));
}
