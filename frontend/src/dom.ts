// A tiny DOM builder: h('div', {class: 'x'}, 'text', child).
type Attrs = Record<string, string | number | boolean | null | undefined | ((ev: Event) => void)>;
export type Child = Node | string | number | null | undefined | false | Child[];

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v == null || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else if (k === 'class') el.className = String(v);
    else if (k in el && !k.startsWith('aria-') && !k.startsWith('data-') && k !== 'for' && k !== 'list' && k !== 'role') {
      (el as unknown as Record<string, unknown>)[k] = v;
    } else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: Child[]): void {
  for (const c of children) {
    if (c == null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

export function clear(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

export function $(sel: string, root: ParentNode = document): HTMLElement {
  const el = root.querySelector<HTMLElement>(sel);
  if (!el) throw new Error(`missing element ${sel}`);
  return el;
}

let uid = 0;
export const nextId = (p: string): string => `${p}-${++uid}`;

/** Replaces a container's children and puts the focus back on the element with the same id. */
export function swap(el: Element, ...children: Child[]): void {
  const active = document.activeElement as HTMLElement | null;
  const id = active && el.contains(active) ? active.id : '';
  clear(el, ...children);
  if (id) document.getElementById(id)?.focus({ preventScroll: true });
}
