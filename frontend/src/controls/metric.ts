// The map value: count, rate per 1,000 inhabitants, or change against the previous period.
// Changing it recolours the choropleth (feature-state) and re-ranks the views; no data reloads.
import type { App } from '../app';
import { h } from '../dom';
import { t } from '../i18n';
import type { Metric } from '../state';

export function metricControl(app: App): HTMLElement {
  return h('fieldset', { class: 'ctl' },
    h('legend', {}, t('metric')),
    (['count', 'rate', 'change'] as Metric[]).map((m) => h('label', { class: 'radio' },
      h('input', { type: 'radio', name: 'metric', value: m, checked: app.state.metric === m, onchange: () => app.setMetric(m) }),
      ` ${app.metricLabel(m)}`)));
}
