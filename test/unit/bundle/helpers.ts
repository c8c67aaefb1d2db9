import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as fc from 'fast-check';
import type { BundleInput } from '../../../src/bundle/build';
import type { Redactor, RedactOptions } from '../../../src/bundle/types';
import type { ConsentReceipt } from '../../../src/consent/consentMachine';
import type { CandorEvent, Category, Change, LoggedEvent } from '../../../src/model/events';
import { sha256Hex } from '../../../src/replay/hash';
import { encodeRecord } from '../../../src/store/framing';

/** fast-check runs: 100 by default (each run builds and compresses a bundle); CANDOR_FC_RUNS overrides. */
export function fcRuns(base = 100): number {
  const fromEnv = Number(process.env['CANDOR_FC_RUNS']);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : base;
}

export const CREATED_AT = '2025-11-30T18:00:00.000Z';
export const ACTION_AT = new Date('2025-11-30T18:05:00.000Z');

export function testReceipt(categories: readonly Category[] = ['edits', 'navigation', 'files', 'terminalCommands', 'terminalOutput', 'tools']): ConsentReceipt {
  return {
    policyVersion: '2026-11-30',
    categories,
    grantedAt: '2025-11-30T08:00:00.000Z',
    extensionVersion: '0.1.0',
    workspaceId: sha256Hex('workspace'),
  };
}

/** Leaves every event as it is: for properties of the format itself, not of redaction. */
export const identityRedactor: Redactor = {
  redact(events: readonly LoggedEvent[]): Promise<{ events: LoggedEvent[]; report: { engine: string; findings: []; eventsChanged: number } }> {
    return Promise.resolve({ events: [...events], report: { engine: 'none', findings: [], eventsChanged: 0 } });
  },
};

/** An identity redactor that remembers the options of each call. */
export function spyRedactor(): Redactor & { calls: RedactOptions[] } {
  const calls: RedactOptions[] = [];
  return {
    calls,
    redact(events, options) {
      calls.push(options);
      return identityRedactor.redact(events, options);
    },
  };
}

export function inputOf(events: readonly LoggedEvent[], extra: Partial<BundleInput> = {}): BundleInput {
  return {
    events,
    receipt: testReceipt(),
    extensionVersion: '0.1.0',
    createdAt: CREATED_AT,
    policyVersion: 'team-3',
    redactor: identityRedactor,
    ...extra,
  };
}

/** `inputOf(events)` without its events: what `buildBundleFromLog` takes besides the selection. */
export function paramsOf(events: readonly LoggedEvent[], extra: Partial<BundleInput> = {}): Omit<BundleInput, 'events'> {
  const { receipt, extensionVersion, createdAt, policyVersion, redactor } = inputOf(events, extra);
  return { receipt, extensionVersion, createdAt, policyVersion, redactor, ...extra };
}

const T0 = Date.UTC(2025, 10, 30, 9, 0, 0);

/**
 * A small session with every event type, two documents (one renamed), CRLF and astral characters,
 * checkpoints with real hashes. Returns the events and named seqs.
 */
export function sampleEvents(): { events: LoggedEvent[]; seqs: Record<string, number> } {
  const events: LoggedEvent[] = [];
  const seqs: Record<string, number> = {};
  let ts = T0;
  const add = (e: CandorEvent, name?: string): void => {
    events.push({ seq: events.length + 1, event: e });
    if (name !== undefined) {
      seqs[name] = events.length;
    }
  };
  add({ t: 'session', ts, op: 'start', sid: 's1', cats: ['edits', 'navigation', 'files', 'terminalCommands', 'tools'] });
  let a = 'line one\r\nline 😀 two\r\n';
  add({ t: 'snap', ts: (ts += 10), f: 'src/a.ts', v: 1, text: a }, 'snapA');
  add({ t: 'focus', ts: (ts += 10), f: 'src/a.ts', win: true });
  a = a.slice(0, 10) + '𝒳' + a.slice(10);
  add({ t: 'edit', ts: (ts += 10), f: 'src/a.ts', v: 2, c: [[10, 0, '𝒳']] }, 'edit1');
  add({ t: 'sel', ts: (ts += 10), f: 'src/a.ts', s: [[12, 12]], k: 1 });
  a = a.slice(0, 12) + 'abc' + a.slice(12);
  add({ t: 'edit', ts: (ts += 10), f: 'src/a.ts', v: 3, c: [[12, 0, 'abc']] }, 'edit2');
  add({ t: 'ckpt', ts: (ts += 10), f: 'src/a.ts', v: 3, h: sha256Hex(a), why: 'save' }, 'ckptA');
  a = a.slice(0, 0) + '// head\n' + a;
  add({ t: 'edit', ts: (ts += 10), f: 'src/a.ts', v: 4, c: [[0, 0, '// head\n']], r: 'undo' }, 'edit3');
  add({ t: 'ckpt', ts: (ts += 10), f: 'src/a.ts', v: 4, h: sha256Hex(a), why: 'every' }, 'ckptA2');
  add({ t: 'file', ts: (ts += 10), op: 'save', f: 'src/a.ts' });
  let b = '';
  add({ t: 'snap', ts: (ts += 10), f: 'docs/b b.md', v: 1, text: b }, 'snapB');
  b = '# Tïtle\n';
  add({ t: 'edit', ts: (ts += 10), f: 'docs/b b.md', v: 2, c: [[0, 0, b]] });
  add({ t: 'file', ts: (ts += 10), op: 'rename', f: 'docs/b b.md', to: 'docs/readme.md' }, 'rename');
  b += 'body';
  add({ t: 'edit', ts: (ts += 10), f: 'docs/readme.md', v: 3, c: [[8, 0, 'body']] }, 'editB');
  add({ t: 'ckpt', ts: (ts += 10), f: 'docs/readme.md', v: 3, h: sha256Hex(b), why: 'every' }, 'ckptB');
  add({ t: 'term', ts: (ts += 10), cmd: 'npm test', cwd: '', exit: 0, dur: 1200, out: 'ok\n', cut: false });
  add({ t: 'task', ts: (ts += 10), op: 'end', name: 'build', src: 'npm', exit: 0 });
  add({ t: 'debug', ts: (ts += 10), op: 'start', type: 'node', name: 'Launch' });
  add({ t: 'git', ts: (ts += 10), op: 'commit', repo: '', branch: 'main', commit: 'abc123' });
  add({ t: 'cmd', ts: (ts += 10), id: 'candor.showStatus' });
  add({ t: 'drop', ts: (ts += 10), n: 3 });
  add({ t: 'focus', ts: (ts += 10) });
  add({ t: 'session', ts: (ts += 3_600_000), op: 'stop', sid: 's1' });
  return { events, seqs };
}

// ── generated sessions for properties ───────────────────────────────────────────────────────

const piece = fc.constantFrom('a', 'b', 'x', ' ', '\n', '\r\n', 'é', '😀', '𝒳', '{', '"', '\\', '\u2028');
const text = fc.array(piece, { maxLength: 12 }).map((p) => p.join(''));

const stepArb = fc.oneof(
  { weight: 10, arbitrary: fc.record({ kind: fc.constant('edit' as const), doc: fc.nat(), a: fc.nat(), b: fc.nat(), text, undo: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('ckpt' as const), doc: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('snap' as const), doc: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('rename' as const), doc: fc.nat(), name: fc.constantFrom('x/one.ts', 'x/two ü.ts', 'src/a.ts') }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), doc: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('create' as const), name: fc.constantFrom('n/new.ts', 'n/other.md'), text }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('other' as const), which: fc.nat(5), doc: fc.nat(), text }) },
);

export type Step = typeof stepArb extends fc.Arbitrary<infer T> ? T : never;

export const sessionArb: fc.Arbitrary<Step[]> = fc.array(stepArb, { maxLength: 40 });

/** Turns generated steps into a valid session log (every checkpoint holds; no replay issue). */
export function sessionEvents(steps: readonly Step[]): LoggedEvent[] {
  const docs = new Map<string, { text: string; v: number }>([
    ['src/a.ts', { text: 'const a = 1;\n', v: 1 }],
    ['docs/b b.md', { text: '# B\r\n', v: 1 }],
  ]);
  const events: LoggedEvent[] = [];
  let ts = T0;
  const add = (e: CandorEvent): void => {
    events.push({ seq: events.length + 1, event: e });
  };
  const pick = (n: number): string | undefined => {
    const names = [...docs.keys()];
    return names.length === 0 ? undefined : names[n % names.length];
  };
  add({ t: 'session', ts, op: 'start', sid: 'gen', cats: ['edits'] });
  for (const [f, d] of docs) {
    add({ t: 'snap', ts: (ts += 7), f, v: d.v, text: d.text });
  }
  for (const s of steps) {
    ts += 13;
    if (s.kind === 'create') {
      if (!docs.has(s.name)) {
        docs.set(s.name, { text: s.text, v: 1 });
        add({ t: 'file', ts, op: 'create', f: s.name });
        add({ t: 'snap', ts, f: s.name, v: 1, text: s.text });
      }
      continue;
    }
    const f = pick(s.doc);
    if (f === undefined) {
      continue;
    }
    const d = docs.get(f)!;
    switch (s.kind) {
      case 'edit': {
        const x = s.a % (d.text.length + 1);
        const y = s.b % (d.text.length + 1);
        const [from, to] = x <= y ? [x, y] : [y, x];
        const change: Change = [from, to - from, s.text];
        d.text = d.text.slice(0, from) + s.text + d.text.slice(to);
        d.v++;
        add(s.undo ? { t: 'edit', ts, f, v: d.v, c: [change], r: 'undo' } : { t: 'edit', ts, f, v: d.v, c: [change] });
        break;
      }
      case 'ckpt':
        add({ t: 'ckpt', ts, f, v: d.v, h: sha256Hex(d.text), why: 'every' });
        break;
      case 'snap':
        add({ t: 'snap', ts, f, v: d.v, text: d.text });
        break;
      case 'rename':
        if (s.name !== f) {
          docs.delete(f);
          docs.set(s.name, d);
          add({ t: 'file', ts, op: 'rename', f, to: s.name });
        }
        break;
      case 'delete':
        docs.delete(f);
        add({ t: 'file', ts, op: 'delete', f });
        break;
      case 'other': {
        const others: CandorEvent[] = [
          { t: 'sel', ts, f, s: [[0, Math.min(1, d.text.length)]] },
          { t: 'focus', ts, f },
          { t: 'file', ts, op: 'save', f },
          { t: 'cmd', ts, id: 'candor.showLog' },
          { t: 'drop', ts, n: 1 },
          { t: 'session', ts, op: 'pause', sid: 'gen' },
        ];
        add(others[s.which % others.length]);
        break;
      }
    }
  }
  return events;
}

/** Writes `events` as a log of `perSegment`-record segments, in the store's on-disk format. */
export async function writeLog(dir: string, events: readonly LoggedEvent[], perSegment = 7): Promise<void> {
  for (let k = 0; k * perSegment < events.length; k++) {
    const lines = events.slice(k * perSegment, (k + 1) * perSegment).map((e) => encodeRecord(e.seq, e.event));
    await writeFile(join(dir, `seg-${String(k + 1).padStart(6, '0')}.log`), lines.join(''));
  }
}
