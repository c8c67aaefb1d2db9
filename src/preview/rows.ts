/**
 * Timeline rows from a bundle's events: `[seq, ts, type, file, label]` with short, human labels.
 * Pure (no VS Code): runs in the preview's view worker and in plain mocha.
 */
import type { CandorEvent, LoggedEvent } from '../model/events';
import { EVENT_TYPES } from '../model/events';
import type { PreviewRow } from './protocol';

/** Longest label: a row is one line; the full event is one click away. */
export const MAX_LABEL = 80;

/** Row type codes: the index of each type in this list. */
export const ROW_TYPES: readonly string[] = EVENT_TYPES;

/** One line of `text`: control characters shown as symbols, cut at `max` with an ellipsis. */
export function oneLine(text: string, max = MAX_LABEL): string {
  // Cut first: a 1 MB pasted text must not be scanned whole for a label.
  const cut = text.length > max * 2 ? text.slice(0, max * 2) : text;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is replaced
  const flat = cut.replace(/\r\n|\n|\r/g, '⏎').replace(/\t/g, '→').replace(/[\u0000-\u001f\u007f]/g, '·');
  return flat.length > max || cut.length < text.length ? `${[...flat].slice(0, max - 1).join('')}…` : flat;
}

/** The file an event names, for the file filter (the destination of a rename is in its label). */
export function eventFile(ev: CandorEvent): string | undefined {
  switch (ev.t) {
    case 'snap':
    case 'edit':
    case 'ckpt':
    case 'sel':
    case 'file':
      return ev.f;
    case 'focus':
      return ev.f;
    default:
      return undefined;
  }
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** A short description of an event. Recorded (redacted) text appears cut to one line. */
export function rowLabel(ev: CandorEvent): string {
  switch (ev.t) {
    case 'session':
      return `${ev.op} recording${ev.cats ? ` (${ev.cats.join(', ')})` : ''}`;
    case 'snap':
      return `snapshot v${ev.v}, ${plural(ev.text.length, 'char')}`;
    case 'edit': {
      const inserted = ev.c.map((c) => c[2]).join('');
      const removed = ev.c.reduce((n, c) => n + c[1], 0);
      const why = ev.r ? `${ev.r} ` : '';
      const parts = [`${why}v${ev.v}`];
      if (removed > 0) {
        parts.push(`−${removed}`);
      }
      if (inserted.length > 0) {
        parts.push(`+${inserted.length} ${JSON.stringify(oneLine(inserted, 48))}`);
      }
      if (ev.c.length > 1) {
        parts.push(`(${ev.c.length} changes)`);
      }
      return oneLine(parts.join(' '));
    }
    case 'ckpt':
      return `checkpoint v${ev.v} (${ev.why}) ${ev.h.slice(0, 8)}`;
    case 'sel':
      return ev.s.length === 1 ? `cursor ${ev.s[0][0]}–${ev.s[0][1]}` : `${ev.s.length} cursors`;
    case 'focus':
      return ev.win === undefined ? (ev.f === undefined ? 'no recordable editor' : 'editor focused') : ev.win ? 'window focused' : 'window lost focus';
    case 'file':
      return oneLine(ev.op === 'rename' && ev.to !== undefined ? `rename → ${ev.to}` : ev.op);
    case 'term': {
      const exit = ev.exit === undefined ? '' : `exit ${ev.exit}, `;
      return oneLine(`$ ${oneLine(ev.cmd, 56)} (${exit}${ev.dur} ms${ev.out !== undefined ? ', with output' : ''})`);
    }
    case 'task':
      return oneLine(`task ${ev.op}: ${ev.name} (${ev.src})${ev.exit !== undefined ? ` exit ${ev.exit}` : ''}`);
    case 'debug':
      return oneLine(`debug ${ev.op}: ${ev.name} (${ev.type})`);
    case 'git':
      return oneLine(`git ${ev.op}${ev.branch !== undefined ? ` ${ev.branch}` : ''}${ev.commit !== undefined ? ` ${ev.commit.slice(0, 8)}` : ''}`);
    case 'cmd':
      return oneLine(ev.id);
    case 'drop':
      return `${plural(ev.n, 'event')} dropped (queue full)`;
  }
}

/** Maps file paths to row file codes; `files` is the summary's file list (manifest order). */
export class FileCodes {
  private readonly codes = new Map<string, number>();
  readonly paths: string[] = [];

  constructor(initial: readonly string[] = []) {
    for (const p of initial) {
      this.code(p);
    }
  }

  code(path: string | undefined): number {
    if (path === undefined) {
      return -1;
    }
    let c = this.codes.get(path);
    if (c === undefined) {
      c = this.paths.length;
      this.paths.push(path);
      this.codes.set(path, c);
    }
    return c;
  }
}

const TYPE_CODES: ReadonlyMap<string, number> = new Map(ROW_TYPES.map((t, k) => [t, k]));

export function toRow(e: LoggedEvent, files: FileCodes): PreviewRow {
  return [e.seq, e.event.ts, TYPE_CODES.get(e.event.t) ?? -1, files.code(eventFile(e.event)), rowLabel(e.event)];
}
