/**
 * DOM helpers for the preview webview. Recorded content only ever enters the page through
 * `textContent` (here: the `text` argument and `appendSegments`), never through innerHTML.
 */
import type { TextSegment } from '../../../preview/timeline';
import { describePlaceholder, segmentPlaceholders } from '../../../preview/timeline';

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { className?: string; id?: string; title?: string; role?: string } = {},
  text?: string,
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className !== undefined) {
    node.className = props.className;
  }
  if (props.id !== undefined) {
    node.id = props.id;
  }
  if (props.title !== undefined) {
    node.title = props.title;
  }
  if (props.role !== undefined) {
    node.setAttribute('role', props.role);
  }
  if (text !== undefined) {
    node.textContent = text; // always text, never HTML
  }
  return node;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (node === null) {
    throw new Error(`#${id} is missing from the page`);
  }
  return node as T;
}

/** Appends `segments` to `parent`: plain runs as text nodes, placeholders as labelled marks. */
export function appendSegments(parent: HTMLElement, segments: readonly TextSegment[]): void {
  for (const s of segments) {
    if (s.placeholder === undefined) {
      parent.append(document.createTextNode(s.text));
    } else {
      const mark = el('mark', { className: `placeholder kind-${s.placeholder.kind === 'manual' ? 'manual' : 'auto'}`, title: describePlaceholder(s.placeholder) }, s.text);
      mark.setAttribute('aria-label', describePlaceholder(s.placeholder));
      parent.append(mark);
    }
  }
}

/** Replaces the content of `parent` with `text`, placeholders highlighted. */
export function setRedactedText(parent: HTMLElement, text: string): void {
  parent.replaceChildren();
  appendSegments(parent, segmentPlaceholders(text));
}

export function formatTime(ts: number): string {
  const d = new Date(ts);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function formatDateTime(ts: number): string {
  return dateTimeFormat.format(ts);
}

/**
 * Built once: `toLocaleString(…, options)` builds a new Intl formatter on every call, about 1.5 ms
 * each in Chromium — for the ~45 rows of a timeline screen, most of a filter's time.
 */
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** `datetime-local` value for `ts` in local time, to the second. */
export function toLocalInput(ts: number): string {
  const d = new Date(ts);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Milliseconds for a `datetime-local` value (local time), or undefined when empty or invalid. */
export function fromLocalInput(value: string): number | undefined {
  if (value === '') {
    return undefined;
  }
  const t = new Date(value).getTime();
  return Number.isFinite(t) ? t : undefined;
}
