/**
 * The adversarial suite: thousands of malformed bundles, generated from a seeded PRNG so a failure
 * replays exactly (CANDOR_ADVERSARIAL_SEED to explore other seeds, CANDOR_ADVERSARIAL_CASES for
 * more cases). Content-level cases get their id and gzip framing RECOMPUTED, so each reaches the
 * check it targets (schema, canonical form, figures, consent, replay) instead of failing at the
 * hash. Every case must be refused with a clear one-line error — never a throw, never a stack —
 * and `candor bundle inspect` on every case must exit 1 with one escaped line, never crash.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as zlib from 'node:zlib';
import { buildBundle } from '../../../src/bundle/build';
import type { BundleErrorCode } from '../../../src/bundle/errors';
import { eventLine } from '../../../src/bundle/json';
import { readBundle } from '../../../src/bundle/format';
import { verifyBundle } from '../../../src/bundle/verify';
import { bundleCommands } from '../../../src/cli/bundleCommands';
import { runCli } from '../cli/runCli';
import { BAD_PATHS, contentText, fileOf, fileOfFast, lineOf, manifestFor, rawOf } from './craft';
import { CREATED_AT, identityRedactor, inputOf, sampleEvents } from './helpers';
import type { Schema } from './miniSchema';
import { validate } from './miniSchema';
import { prng } from '../prng';

/**
 * The independent oracle for "malformed": docs/bundle.schema.json. A single-field mutation that the
 * published schema still accepts is not a malformed bundle (e.g. dropping an optional field), so
 * it is not generated as one.
 */
const SCHEMA = JSON.parse(readFileSync(resolve(__dirname, '../../../../docs/bundle.schema.json'), 'utf8')) as Schema & { $defs: Record<string, Schema> };

function schemaAccepts(value: unknown, def: 'manifest' | 'event'): boolean {
  return validate(value, SCHEMA.$defs[def], SCHEMA).length === 0;
}


interface Case {
  readonly kind: string;
  readonly name: string;
  readonly bytes: Buffer;
  /** Acceptable error codes; `replay` means the file reads but verify must find a replay issue. */
  readonly expect: readonly (BundleErrorCode | 'replay')[];
}

const SEED = Number(process.env['CANDOR_ADVERSARIAL_SEED'] ?? 20_251_130);
const TARGET = Number(process.env['CANDOR_ADVERSARIAL_CASES'] ?? 2_100);

/** Values of every wrong type, for any field. */
const WRONG_VALUES: readonly unknown[] = [null, true, false, 0, -1, 1.5, 2 ** 53, 1e300, '', 'x', '\u0000', [], [1], {}, { a: 1 }, '2025-11-30', -0.5];

/** A value nested `depth` deep: arrays, then objects. */
function deep(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** Every key path of a JSON object (objects and array items), e.g. ['consent', 'categories', 0]. */
function paths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [];
  if (Array.isArray(v)) {
    v.forEach((x, k) => {
      out.push([...prefix, k], ...paths(x, [...prefix, k]));
    });
  } else if (typeof v === 'object' && v !== null) {
    for (const [k, x] of Object.entries(v)) {
      out.push([...prefix, k], ...paths(x, [...prefix, k]));
    }
  }
  return out;
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** Sets (or with `undefined`, deletes) the value at `path` inside `root` (a clone). */
function setAt(root: unknown, path: readonly (string | number)[], value: unknown): unknown {
  const copy = clone(root);
  let node = copy as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) {
    node = node[k] as Record<string | number, unknown>;
  }
  const last = path[path.length - 1];
  if (value === undefined) {
    if (Array.isArray(node)) {
      node.splice(last as number, 1);
    } else {
      delete node[last];
    }
  } else {
    node[last] = value;
  }
  return copy;
}

/** Canonical JSON of a value that may hold a raw JSON fragment: `"@@RAW@@"` is replaced by `raw`. */
function withRaw(json: string, raw: string): string {
  return json.replace('"@@RAW@@"', raw);
}

async function generate(): Promise<Case[]> {
  const rnd = prng(SEED);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const int = (n: number): number => Math.floor(rnd() * n);
  const events = sampleEvents().events;
  const manifest = manifestFor(events);
  const lines = events.map((e) => eventLine(e));
  const good = contentText(manifest, lines);
  const cases: Case[] = [];
  const content = async (kind: string, name: string, text: string | Buffer, expect: Case['expect']): Promise<void> => {
    cases.push({ kind, name, bytes: await fileOf(text), expect });
  };
  const schemaish: Case['expect'] = ['schema', 'no-consent', 'counts'];

  // Manifest: every field, at every depth, missing, of every wrong type, extra, __proto__, deep.
  const mPaths = paths(manifest);
  for (const p of mPaths) {
    const missing = setAt(manifest, p, undefined);
    if (!schemaAccepts(missing, 'manifest') || p[0] === 'files' || p[0] === 'source' || p[0] === 'counts' || p[0] === 'range') {
      await content('manifest-missing', p.join('.'), contentText(missing, lines), schemaish);
    }
    for (let k = 0; k < 4; k++) {
      const v = pick(WRONG_VALUES);
      const mutated = setAt(manifest, p, v);
      if (JSON.stringify(mutated) === JSON.stringify(manifest) || (schemaAccepts(mutated, 'manifest') && !['files', 'source', 'counts', 'range'].includes(String(p[0])))) {
        continue;
      }
      await content('manifest-type', `${p.join('.')}=${JSON.stringify(v)}`, contentText(mutated, lines), schemaish);
    }
  }
  for (const p of [[], ...mPaths.filter((x) => typeof x[x.length - 1] === 'string')].map((x) => x.slice(0, -1))) {
    const target = p.length === 0 ? manifest : p.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], manifest);
    if (typeof target !== 'object' || target === null || Array.isArray(target)) {
      continue;
    }
    await content('manifest-extra', `${p.join('.')}.extra`, contentText(setAt(manifest, [...p, 'zzExtra'], 1), lines), schemaish);
    // __proto__ as a key of the JSON text (an object literal would set the prototype instead).
    const proto = JSON.stringify(setAt(manifest, [...p, 'aaProto'], '@@RAW@@')).replace('"aaProto":"@@RAW@@"', '"__proto__":{"polluted":1}');
    await content('manifest-proto', `${p.join('.')}.__proto__`, `${proto}\n${lines.join('\n')}\n`, schemaish);
  }
  for (const p of mPaths.slice(0, 40)) {
    const kind = pick(['array', 'object'] as const);
    const raw = withRaw(JSON.stringify(setAt(manifest, p, '@@RAW@@')), deep(100_000, kind));
    await content('manifest-deep', `${p.join('.')} nested 1e5 (${kind})`, `${raw}\n${lines.join('\n')}\n`, schemaish);
  }
  for (const bad of ['', 'null', '[]', '1', '"manifest"', '{', '{}', deep(100_000, 'array'), deep(100_000, 'object')]) {
    await content('manifest-not-object', bad.slice(0, 20), `${bad}\n${lines.join('\n')}\n`, schemaish);
  }

  // Events: every field of every event missing, of wrong types, extra, __proto__, deep; bad paths; ts range.
  for (let k = 0; k < events.length; k++) {
    const raw = rawOf(events[k]);
    const replaceLine = (line: string): string => contentText(manifest, lines.map((x, j) => (j === k ? line : x)));
    for (const key of Object.keys(raw)) {
      const rest = { ...raw };
      delete rest[key];
      if (!schemaAccepts(rest, 'event')) {
        await content('event-missing', `#${k}.${key}`, replaceLine(lineOf(rest)), schemaish);
      }
      for (let r = 0; r < 5; r++) {
        const v = pick(WRONG_VALUES);
        if (JSON.stringify(v) === JSON.stringify(raw[key]) || schemaAccepts({ ...raw, [key]: v }, 'event')) {
          continue;
        }
        await content('event-type', `#${k}.${key}=${JSON.stringify(v)}`, replaceLine(lineOf({ ...raw, [key]: v })), schemaish);
      }
      await content('event-deep', `#${k}.${key} nested`, replaceLine(withRaw(lineOf({ ...raw, [key]: '@@RAW@@' }), deep(100_000, pick(['array', 'object'] as const)))), schemaish);
    }
    await content('event-extra', `#${k}.zz`, replaceLine(lineOf({ ...raw, zz: 1 })), schemaish);
    await content('event-proto', `#${k}.__proto__`, replaceLine(lineOf({ ...raw, aaProto: '@@RAW@@' }).replace('"aaProto":"@@RAW@@"', '"__proto__":{"seq":1}')), schemaish);
    await content('event-constructor', `#${k}.constructor`, replaceLine(lineOf({ ...raw, constructor: 'x' })), schemaish);
    for (const ts of [8.64e15 + 1, 2 ** 53 - 1, -1, 1e300]) {
      await content('event-ts', `#${k}.ts=${ts}`, replaceLine(lineOf({ ...raw, ts })), schemaish);
    }
    for (const field of ['f', 'to', 'cwd', 'repo']) {
      if (!Object.hasOwn(raw, field)) {
        continue;
      }
      for (const [name, bad] of BAD_PATHS) {
        // The figures follow the bad path, so only the path itself is wrong.
        const mutated = events.map((e, j) => (j === k ? { seq: e.seq, event: { ...e.event, [field]: bad } } : e));
        await content('event-path', `#${k}.${field} ${name}`, contentText(manifestFor(mutated), mutated.map((e) => lineOf(rawOf(e)))), ['schema']);
      }
    }
    await content('event-unknown-type', `#${k}.t`, replaceLine(lineOf({ ...raw, t: pick(['keystroke', '', 'Edit', 'constructor', '__proto__']) })), schemaish);
    await content('event-not-object', `#${k}`, replaceLine(pick(['null', '[]', '1', '"x"', '{', 'true', ''])), schemaish);
  }

  // Seq disorder: swapped lines, a repeated seq, a seq of 0.
  for (let r = 0; r < 60; r++) {
    const a = 1 + int(lines.length - 1);
    const b = int(a);
    const swapped = [...lines];
    [swapped[a], swapped[b]] = [swapped[b], swapped[a]];
    await content('seq-disorder', `swap ${a} ${b}`, contentText(manifest, swapped), ['schema', 'counts']);
    const dup = lines.map((x, j) => (j === a ? x.replace(/^\{"seq":\d+/, `{"seq":${events[a - 1].seq}`) : x));
    await content('seq-repeat', `repeat at ${a}`, contentText(manifest, dup), ['schema']);
  }

  // Canonical form: CRLF, duplicate keys, whitespace, escapes, BOM, blank lines, a missing LF, bad UTF-8.
  for (let r = 0; r < 120; r++) {
    const k = int(lines.length);
    const line = lines[k];
    const variants: [string, string][] = [
      ['crlf-line', contentText(manifest, lines.map((x, j) => (j === k ? `${x}\r` : x)))],
      ['crlf-all', good.replace(/\n/g, '\r\n')],
      ['dup-key', contentText(manifest, lines.map((x, j) => (j === k ? x.replace(/^\{"seq":(\d+),/, '{"seq":$1,"seq":$1,') : x)))],
      ['dup-key-other-value', contentText(manifest, lines.map((x, j) => (j === k ? x.replace(/^\{"seq":(\d+),/, '{"seq":9999,"seq":$1,') : x)))],
      ['space', contentText(manifest, lines.map((x, j) => (j === k ? x.replace(':', ': ') : x)))],
      ['escape', contentText(manifest, lines.map((x, j) => (j === k ? x.replace('"t"', '"\\u0074"') : x)))],
      ['number-form', contentText(manifest, lines.map((x, j) => (j === k ? x.replace(/"ts":(\d+)/, '"ts":$1.0') : x)))],
      ['key-order', contentText(manifest, lines.map((x, j) => (j === k ? JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(x) as object).reverse())) : x)))],
      ['blank-line', contentText(manifest, [...lines.slice(0, k), '', ...lines.slice(k)])],
      ['bom', `\ufeff${good}`],
      ['no-final-lf', good.slice(0, -1)],
      ['trailing-junk', `${good}junk`],
    ];
    const [name, text] = pick(variants);
    if (text === good || line === undefined) {
      continue;
    }
    await content('canonical', `${name} at ${k}`, text, ['schema', 'counts']);
  }
  const goodBytes = Buffer.from(good, 'utf8');
  for (let r = 0; r < 20; r++) {
    const at = int(goodBytes.length - 1);
    const bad = Buffer.concat([goodBytes.subarray(0, at), Buffer.from([pick([0xff, 0xc0, 0xed, 0xf8])]), goodBytes.subarray(at)]);
    await content('utf8', `invalid byte at ${at}`, bad, ['schema', 'counts']);
  }

  // Wrong counts, files, ranges, sources, sessions; lines missing or added.
  const figureEdits: [string, (m: Record<string, unknown>) => unknown][] = [
    ['events+1', (m) => setAt(m, ['counts', 'events'], events.length + 1)],
    ['events-1', (m) => setAt(m, ['counts', 'events'], events.length - 1)],
    ['events=0', (m) => setAt(m, ['counts', 'events'], 0)],
    ['byType.edit+1', (m) => setAt(m, ['counts', 'byType', 'edit'], 6)],
    ['byType.git missing', (m) => setAt(m, ['counts', 'byType', 'git'], undefined)],
    ['files[0] missing', (m) => setAt(m, ['files', 0], undefined)],
    ['files[0].events+1', (m) => setAt(m, ['files', 0, 'events'], 99)],
    ['files extra', (m) => setAt(m, ['files', 9], { f: 'zz/extra.ts', events: 1 })],
    ['range.firstTs+1', (m) => setAt(m, ['range', 'firstTs'], (m['range'] as { firstTs: number }).firstTs + 1)],
    ['range.lastTs-1', (m) => setAt(m, ['range', 'lastTs'], (m['range'] as { lastTs: number }).lastTs - 1)],
    ['range missing', (m) => setAt(m, ['range'], undefined)],
    ['source.firstSeq', (m) => setAt(m, ['source', 'firstSeq'], 2)],
    ['source.lastSeq', (m) => setAt(m, ['source', 'lastSeq'], 99)],
    ['sessions extra', (m) => setAt(m, ['source', 'sessions', 1], 's2')],
    ['sessions missing', (m) => setAt(m, ['source', 'sessions'], [])],
    ['sessions other', (m) => setAt(m, ['source', 'sessions', 0], 'other')],
  ];
  for (const [name, edit] of figureEdits) {
    await content('counts', name, contentText(edit(clone(manifest) as unknown as Record<string, unknown>), lines), ['counts', 'schema']);
  }
  for (let r = 0; r < 30; r++) {
    const k = int(lines.length);
    await content('counts', `line ${k} dropped`, contentText(manifest, lines.filter((_, j) => j !== k)), ['counts', 'schema']);
    await content('counts', `line ${k} doubled`, contentText(manifest, [...lines.slice(0, k + 1), ...lines.slice(k)]), ['counts', 'schema']);
  }

  // Consent: a receipt that does not cover the events, or none.
  for (const cats of [['edits'], ['navigation'], ['files', 'tools'], ['terminalCommands', 'edits', 'navigation', 'files', 'tools']]) {
    await content('consent', `categories ${cats.join(',')}`, contentText(setAt(manifest, ['consent', 'categories'], cats), lines), ['no-consent']);
  }
  await content('consent', 'no receipt', contentText(setAt(manifest, ['consent'], undefined), lines), ['no-consent']);
  await content('consent', 'null receipt', contentText(setAt(manifest, ['consent'], null), lines), ['no-consent']);

  // Bad checkpoints: the file reads, replay must catch them.
  const ckpts = events.map((e, k) => [e, k] as const).filter(([e]) => e.event.t === 'ckpt');
  for (let r = 0; r < 40; r++) {
    const [e, k] = pick(ckpts);
    const h = Array.from({ length: 64 }, () => '0123456789abcdef'[int(16)]).join('');
    await content('checkpoint', `seq ${e.seq} h=${h.slice(0, 8)}`, contentText(manifest, lines.map((x, j) => (j === k ? lineOf({ ...rawOf(e), h }) : x))), ['replay']);
    const ed = events.map((x, j) => [x, j] as const).filter(([x]) => x.event.t === 'edit');
    const [edit, j] = pick(ed);
    const c = (edit.event as unknown as { c: [number, number, string][] }).c.map(([o, l, t]) => [o, l, `${t}!`]);
    await content('checkpoint', `edit seq ${edit.seq} changed`, contentText(manifest, lines.map((x, i) => (i === j ? lineOf({ ...rawOf(edit), c }) : x))), ['replay']);
  }

  // Framing: truncations, bit flips, junk after the member, bad gzip header, bad header lines, bombs.
  const built = (await buildBundle(inputOf(events))).bytes;
  const lf = built.indexOf(0x0a);
  for (let r = 0; r < 150; r++) {
    const cut = int(built.length);
    cases.push({ kind: 'truncated', name: `cut at ${cut}`, bytes: built.subarray(0, cut), expect: ['truncated', 'bad-magic', 'bad-header', 'corrupt'] });
  }
  for (let r = 0; r < 150; r++) {
    const flipped = Buffer.from(built);
    const at = lf + 1 + int(built.length - lf - 1);
    flipped[at] ^= 1 << int(8);
    cases.push({ kind: 'bitflip', name: `flip at ${at}`, bytes: flipped, expect: ['corrupt', 'truncated', 'hash-mismatch', 'too-large'] });
  }
  cases.push({ kind: 'junk-after', name: 'junk', bytes: Buffer.concat([built, Buffer.from('junk')]), expect: ['corrupt'] });
  cases.push({ kind: 'junk-after', name: 'second member', bytes: Buffer.concat([built, built.subarray(lf + 1)]), expect: ['corrupt'] });
  for (const k of [0, 1, 2, 3, 9]) {
    const b = Buffer.from(built);
    b[lf + 1 + k] ^= 0x40;
    cases.push({ kind: 'gzip-header', name: `byte ${k}`, bytes: b, expect: ['corrupt'] });
  }
  const id = built.subarray(0, lf).toString('latin1').split(' ')[3];
  for (const header of [`CANDOR-BUNDLE 1 -5 ${id}`, `CANDOR-BUNDLE 1 1e3 ${id}`, `CANDOR-BUNDLE 1 ${'9'.repeat(17)} ${id}`, `CANDOR-BUNDLE 1 12 ${id.toUpperCase()}`, `CANDOR-BUNDLE 1  12 ${id}`, 'CANDOR-BUNDLE 1 12', `CANDOR-BUNDLE 2 12 ${id}`, `candor-bundle 1 12 ${id}`, `CANDOR-BUNDLE 1 12 ${id}\r`, `CANDOR-BUNDLE 1 0 ${id}`, `CANDOR-BUNDLE 1\u001b[2J 12 ${id}`]) {
    cases.push({ kind: 'header', name: header.slice(0, 30), bytes: Buffer.concat([Buffer.from(`${header}\n`, 'latin1'), built.subarray(lf + 1)]), expect: ['bad-header', 'bad-magic', 'unknown-version', 'too-large', 'hash-mismatch', 'corrupt'] });
  }
  // Decompression bombs: a small file inflating far past what its header declares, or past the limit.
  const zeros = Buffer.alloc(64 * 1024 * 1024, 0x20);
  const bomb = zlib.deflateRawSync(zeros, { level: 9 });
  const gz = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff]);
  for (const declared of [100, 1024 * 1024, 300 * 1024 * 1024]) {
    cases.push({
      kind: 'bomb',
      name: `64 MiB of spaces, declared ${declared}`,
      bytes: Buffer.concat([Buffer.from(`CANDOR-BUNDLE 1 ${declared} ${id}\n`), gz, bomb, Buffer.alloc(8)]),
      expect: ['too-large'],
    });
  }
  // An honest bomb: declared size right, content a single 20 MiB manifest line of spaces.
  const honest = Buffer.concat([Buffer.alloc(20 * 1024 * 1024, 0x20), Buffer.from('\n')]);
  cases.push({ kind: 'bomb', name: 'one 20 MiB line', bytes: fileOfFast(honest), expect: ['too-large'] });
  const longLines = Buffer.from(`${JSON.stringify(manifest)}\n${'{"seq":1,'.repeat(2_000_000)}\n`);
  cases.push({ kind: 'bomb', name: 'an 18 MB event line', bytes: fileOfFast(longLines), expect: ['too-large', 'schema'] });

  // Up to the target: random double mutations (two fields of one or two lines), each a new bundle.
  const pool: readonly unknown[] = [...WRONG_VALUES, ...BAD_PATHS.map(([, p]) => p), 8.64e15 + 1, 'keystroke', undefined];
  let n = 0;
  while (cases.length < TARGET) {
    const mutatedLines = [...lines];
    const what: string[] = [];
    for (let m = 0; m < 2; m++) {
      const k = int(events.length);
      const raw = JSON.parse(mutatedLines[k]) as Record<string, unknown>;
      const keys = Object.keys(raw);
      const key = pick(keys);
      const v = pick(pool);
      if (v === undefined) {
        delete raw[key];
      } else {
        raw[key] = v;
      }
      mutatedLines[k] = lineOf(raw);
      what.push(`#${k}.${key}=${JSON.stringify(v) ?? 'deleted'}`);
    }
    if (mutatedLines.every((x, j) => x === lines[j] || schemaAccepts(JSON.parse(x), 'event'))) {
      continue;
    }
    await content('random-double', `${what.join(' ')} (${n++})`, contentText(manifest, mutatedLines), ['schema', 'counts', 'no-consent', 'replay']);
  }
  return cases;
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('adversarial suite: generated malformed bundles', () => {
  let cases: Case[];
  let dir: string;
  /** Cases that read cleanly (only replay refuses them), from the verify pass. */
  const readsCleanly = new Set<Case>();
  const commands = bundleCommands({ redactor: () => identityRedactor, now: () => new Date(CREATED_AT), extensionVersion: '0.1.0' });

  before(async function () {
    this.timeout(120_000);
    cases = await generate();
    dir = await mkdtemp(join(tmpdir(), 'candor-adversarial-'));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it(`generates at least 2,000 cases of every kind (seed ${SEED})`, () => {
    assert.ok(cases.length >= 2000, `${cases.length}`);
    const kinds = new Set(cases.map((c) => c.kind.replace(/\+again$/, '')));
    for (const k of ['manifest-missing', 'manifest-type', 'manifest-extra', 'manifest-proto', 'manifest-deep', 'event-missing', 'event-type', 'event-extra', 'event-proto', 'event-deep', 'event-ts', 'event-path', 'seq-disorder', 'canonical', 'utf8', 'counts', 'consent', 'checkpoint', 'truncated', 'bitflip', 'junk-after', 'header', 'bomb']) {
      assert.ok(kinds.has(k), k);
    }
  });

  it('refuses every case with a clear one-line error, never a throw', async function () {
    this.timeout(120_000);
    const failures: string[] = [];
    for (const c of cases) {
      const label = `${c.kind} ${c.name}`;
      let report;
      try {
        report = await verifyBundle(c.bytes);
      } catch (err) {
        failures.push(`${label}: threw ${String(err)}`);
        continue;
      }
      if (report.ok) {
        failures.push(`${label}: accepted`);
        continue;
      }
      if (report.error === undefined) {
        readsCleanly.add(c);
        // Read cleanly and refused by replay (a checkpoint or an edit that no longer fits).
        if ((report.replay?.issues.length ?? 0) === 0 && report.replay?.stats.checkpoints === report.replay?.stats.checkpointsMatched) {
          failures.push(`${label}: not ok, but no reason given`);
        }
        continue;
      }
      const { code, message } = report.error;
      if (!c.expect.includes(code)) {
        failures.push(`${label}: ${code} (expected ${c.expect.join('|')}): ${message}`);
      }
      if (message.includes('\n') || message.length > 1000 || message.length < 10 || message.includes('    at ')) {
        failures.push(`${label}: unclear message ${JSON.stringify(message.slice(0, 200))}`);
      }
    }
    assert.deepEqual(failures.slice(0, 20), [], `${failures.length} failures`);
  });

  it('readBundle (the preview’s reader) refuses them alike, with a BundleError', async function () {
    this.timeout(120_000);
    // The same streaming reader as verify: a sample of every kind is enough to show they agree.
    for (const c of cases.filter((_, k) => k % 5 === 0)) {
      try {
        await readBundle(c.bytes);
        assert.ok(readsCleanly.has(c), `${c.kind} ${c.name}: read by readBundle, refused by verify's reader`);
      } catch (err) {
        assert.ok((err as { isBundleError?: boolean }).isBundleError === true, `${c.kind} ${c.name}: ${String(err)}`);
        assert.ok(!readsCleanly.has(c), `${c.kind} ${c.name}`);
      }
    }
  });

  it('candor bundle inspect never crashes: exit 1, one escaped line, no stack', async function () {
    this.timeout(120_000);
    const file = join(dir, 'case.candor');
    const failures: string[] = [];
    for (const c of cases) {
      await writeFile(file, c.bytes);
      const r = await runCli(['bundle', 'inspect', file], { cwd: dir, commands });
      const label = `${c.kind} ${c.name}`;
      if (readsCleanly.has(c)) {
        // Inspect reads without replaying: a checkpoint mismatch is verify's to find.
        if (r.code !== 0 || RAW_CONTROL.test(r.stdout)) {
          failures.push(`${label}: exit ${r.code} ${r.stderr}`);
        }
        continue;
      }
      if (r.code !== 1 || r.stdout !== '' || r.stderr.split('\n').length !== 2 || RAW_CONTROL.test(r.stderr) || /\n\s+at /.test(r.stderr) || r.stderr.includes('error: ')) {
        failures.push(`${label}: exit ${r.code}, ${JSON.stringify(r.stderr.slice(0, 300))}`);
      }
    }
    assert.deepEqual(failures.slice(0, 20), [], `${failures.length} failures`);
  });
});
