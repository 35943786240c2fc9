// The map layer switches. Each view starts with its own default layers (state.ts VIEW_LAYERS);
// the switches change them, and the planning view's own KDE and emerging boxes click these.
// Only the layers the role may use have a switch (access.ts): no point layers without `points`.
import type { App } from '../app';
import { h } from '../dom';
import { t, type Key } from '../i18n';
import type { Layer } from '../state';

export function layerControl(app: App): HTMLElement {
  return h('fieldset', { class: 'ctl' },
    h('legend', {}, t('layers')),
    app.access.layers.map((l) => h('label', { class: 'check' },
      h('input', { type: 'checkbox', name: 'layer', value: l, checked: app.state.layers.has(l), onchange: (e: Event) => app.setLayer(l, (e.target as HTMLInputElement).checked) }),
      ` ${t(`layer_${l}` as Key)}`)));
}

export function syncLayerBoxes(layers: Set<Layer>): void {
  document.querySelectorAll<HTMLInputElement>('input[name=layer]').forEach((i) => { i.checked = layers.has(i.value as Layer); });
}
