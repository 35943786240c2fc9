// The one way the dashboard loads data. A Slot holds the latest answer to one kind of request,
// keyed by the query it answers: asking again for the key it holds (or is loading) costs nothing,
// a newer key aborts the older request and an older answer arriving late is dropped, and a
// failure becomes a Dutch (or English) sentence from i18n, never a bare exception. `statusNote`
// is how every view shows a slot that is loading, failed, or came back empty, so no chart or
// table is ever left blank without a sentence saying why.
import { apiStatus } from './api';
import { h } from './dom';
import { t } from './i18n';

export type Status = 'idle' | 'loading' | 'ready' | 'error';

export interface SlotOptions {
  /** Marks `body[data-<name>-status]` with the slot's status (the browser tests wait on it). */
  name?: string;
  /** Called after every change of status (loading, then ready or error), e.g. to re-render. */
  onChange?: () => void;
}

/** A failure as a sentence for the user. */
export function errorText(err: unknown): string {
  const status = apiStatus(err);
  if (status !== null) {
    if (status === 401) return t('err_unauthorized');
    if (status === 403) return t('err_forbidden');
    return status === 404 ? t('err_not_available') : t('error', { m: (err as Error).message });
  }
  // fetch rejects with a TypeError when the server cannot be reached at all
  if (err instanceof TypeError) return t('err_network');
  return t('error', { m: err instanceof Error ? err.message : String(err) });
}

const isAbort = (err: unknown): boolean => (err as Error | null)?.name === 'AbortError';

export class Slot<T> {
  /** the key of the data held, or of the request under way */
  key: string | null = null;
  /** the last answer; kept while a newer key loads, null after a failure */
  data: T | null = null;
  status: Status = 'idle';
  /** the failure as a sentence (see errorText) */
  error = '';
  private ctl: AbortController | null = null;
  private pending: Promise<boolean> | null = null;

  constructor(private readonly opts: SlotOptions = {}) {}

  /**
   * Loads `key` with `fetcher`, unless the slot holds it or is loading it (a failed key is
   * tried again). Resolves when the load settles: true when its answer is the slot's (ready or
   * error), false when a newer load or a reset overtook it. `settled` runs, before `onChange`
   * and the body status, only for the answer that counts.
   */
  load(key: string, fetcher: (signal: AbortSignal) => Promise<T>, settled?: (data: T | null) => void): Promise<boolean> {
    if (this.key === key && this.status === 'ready') return Promise.resolve(true);
    if (this.key === key && this.status === 'loading' && this.pending) return this.pending;
    this.ctl?.abort();
    const ctl = new AbortController();
    this.ctl = ctl;
    this.key = key;
    this.status = 'loading';
    this.error = '';
    this.changed();
    const run = async (): Promise<boolean> => {
      let data: T | null = null;
      let error = '';
      try {
        data = await fetcher(ctl.signal);
      } catch (err) {
        if (ctl.signal.aborted || isAbort(err)) return false;
        if (apiStatus(err) === null) console.error(err);
        error = errorText(err);
      }
      if (this.ctl !== ctl) return false; // overtaken: a stale answer is dropped
      this.ctl = null;
      this.pending = null;
      this.data = data;
      this.status = error ? 'error' : 'ready';
      this.error = error;
      settled?.(data);
      this.changed();
      return true;
    };
    const p = run();
    this.pending = p;
    return p;
  }

  /** Forgets the data and drops a request under way. */
  reset(): void {
    this.ctl?.abort();
    this.ctl = null;
    this.pending = null;
    this.key = null;
    this.data = null;
    this.error = '';
    if (this.status === 'idle') return;
    this.status = 'idle';
    this.changed();
  }

  get loading(): boolean { return this.status === 'loading'; }

  private changed(): void {
    this.opts.onChange?.();
    if (this.opts.name) document.body.dataset[`${this.opts.name}Status`] = this.status;
  }
}

/**
 * What a view shows instead of (or above) a slot's content: "loading" while it loads, the
 * failure sentence after an error, and `empty` (a sentence saying why there is nothing to show)
 * when it is ready with nothing in it.
 */
export function statusNote(s: Slot<unknown>, empty: string | null = null): HTMLElement | null {
  if (s.status === 'loading') return h('p', { class: 'small muted', role: 'status' }, t('loading'));
  if (s.status === 'error') return h('p', { class: 'small error', role: 'alert' }, s.error);
  if (s.status === 'ready' && empty) return h('p', { class: 'small muted empty-note' }, empty);
  return null;
}
