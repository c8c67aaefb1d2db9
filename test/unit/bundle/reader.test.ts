import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as fc from 'fast-check';
import { buildBundle } from '../../../src/bundle/build';
import { BundleError } from '../../../src/bundle/errors';
import type { BundleErrorCode } from '../../../src/bundle/errors';
import { readBundle, sha256 } from '../../../src/bundle/format';
import { canonicalJson, eventLine } from '../../../src/bundle/json';
import { DEFAULT_LIMITS } from '../../../src/bundle/types';
import { verifyBundle } from '../../../src/bundle/verify';
import type { LoggedEvent } from '../../../src/model/events';
import { sha256Hex } from '../../../src/replay/hash';
import { BAD_PATHS, contentText, craftBundle, fileOf, fileOfFast, lineOf, manifestFor, rawOf } from './craft';
import { fcRuns, inputOf, sampleEvents, sessionArb, sessionEvents } from './helpers';

async function rejects(p: Promise<unknown>, code: BundleErrorCode, message?: RegExp): Promise<BundleError> {
  try {
    await p;
  } catch (err) {
    assert.ok(BundleError.is(err), `expected a BundleError, got ${String(err)}`);
    assert.equal(err.code, code, `expected ${code}, got ${err.code}: ${err.message}`);
    if (message !== undefined) {
      assert.match(err.message, message);
    }
    return err;
  }
  assert.fail(`expected BundleError(${code})`);
}

describe('bundle reader', () => {
  const sample = sampleEvents().events;
  /** Index in `sample` of the first edit of src/a.ts. */
  const editIndex = sample.findIndex((e) => e.event.t === 'edit');

  describe('paths (one rule with the recorder and the builder)', () => {
    for (const [name, bad] of BAD_PATHS) {
      it(`refuses a path with ${name} in an edit's f and a term's cwd`, async () => {
        const events = sample.map((e, k) => (k === editIndex ? { seq: e.seq, event: { ...e.event, f: bad } as LoggedEvent['event'] } : e));
        await rejects(readBundle(await craftBundle(events)), 'schema', /workspace-relative path/);
        const term = sample.map((e) => (e.event.t === 'term' ? { seq: e.seq, event: { ...e.event, cwd: bad } } : e));
        await rejects(readBundle(await craftBundle(term)), 'schema', /\$\.cwd/);
      });
    }

    it('accepts Unicode names, spaces and dots inside names', async () => {
      for (const good of ['src/ünï cödé.ts', '文件/数据.md', 'a/.hidden/..x', 'emoji/😀.txt', 'a/b..c']) {
        const events = sample.map((e, k) => (k === editIndex ? { seq: e.seq, event: { ...e.event, f: good } as LoggedEvent['event'] } : e));
        const read = await readBundle(await craftBundle(events));
        assert.ok(read.manifest.files.some((f) => f.f === good), good);
      }
    });
  });

  describe('ts within the Date range', () => {
    it('refuses an event ts beyond ±8.64e15 ms, and such a manifest range', async () => {
      for (const ts of [8.64e15 + 1, 2 ** 53 - 1]) {
        const events = sample.map((e, k) => (k === editIndex ? { seq: e.seq, event: { ...e.event, ts } } : e));
        await rejects(readBundle(await craftBundle(events, (m) => ({ ...m, range: manifestFor(sample).range }))), 'schema', /line 5: \$\.ts/);
        await rejects(
          readBundle(await craftBundle(sample, (m) => ({ ...m, range: { firstTs: 0, lastTs: ts } }))),
          'schema',
          /\$\.range\.lastTs/,
        );
      }
    });

    it('accepts the largest time a Date can hold', async () => {
      const last = sample.length - 1;
      const events = sample.map((e, k) => (k === last ? { seq: e.seq, event: { ...e.event, ts: 8.64e15 } } : e));
      const read = await readBundle(await craftBundle(events));
      assert.equal(new Date(read.manifest.range!.lastTs).toISOString(), '+275760-09-13T00:00:00.000Z');
    });
  });

  describe('only the canonical form the writer emits', () => {
    const lines = sample.map((e) => eventLine(e));
    const manifest = manifestFor(sample);

    it('accepts the writer’s own bytes', async () => {
      await readBundle(await fileOf(contentText(manifest, lines)));
    });

    const variants: [string, (l: string[]) => string | Buffer][] = [
      ['CRLF line ends', (l) => contentText(manifest, l).replace(/\n/g, '\r\n')],
      ['one CRLF on an event line', (l) => contentText(manifest, l.map((x, k) => (k === 3 ? `${x}\r` : x)))],
      ['a CR after the manifest', (l) => contentText(manifest, l).replace('\n', '\r\n')],
      ['a duplicate seq key', (l) => contentText(manifest, l.map((x, k) => (k === 3 ? x.replace('{"seq":4,', '{"seq":4,"seq":4,') : x)))],
      ['a duplicate key hiding another value', (l) => contentText(manifest, l.map((x, k) => (k === 3 ? x.replace('{"seq":4,', '{"seq":99,"seq":4,') : x)))],
      ['a duplicate manifest key', (l) => contentText(manifest, l).replace('{"consent"', '{"format":1,"consent"')],
      ['a space after a colon', (l) => contentText(manifest, l.map((x, k) => (k === 3 ? x.replace('"seq":4', '"seq": 4') : x)))],
      ['a trailing space', (l) => contentText(manifest, l.map((x, k) => (k === 3 ? `${x} ` : x)))],
      ['a leading tab', (l) => contentText(manifest, l.map((x, k) => (k === 3 ? `\t${x}` : x)))],
      ['keys in another order', (l) => contentText(manifest, l.map((x, k) => (k === 3 ? JSON.stringify(Object.fromEntries(Object.entries(JSON.parse(x) as object).reverse())) : x)))],
      ['a number written 4.0', (l) => contentText(manifest, l.map((x, k) => (k === 3 ? x.replace('"seq":4', '"seq":4.0') : x)))],
      ['a number written 4e0', (l) => contentText(manifest, l.map((x, k) => (k === 3 ? x.replace('"seq":4', '"seq":4e0') : x)))],
      ['-0 as ts', (l) => contentText(manifest, l.map((x, k) => (k === 3 ? x.replace(/"ts":\d+/, `"ts":-0`) : x)))],
      ['an escaped letter', (l) => contentText(manifest, l.map((x, k) => (k === 3 ? x.replace('"t":"edit"', '"t":"\\u0065dit"') : x)))],
      ['an escaped slash', (l) => contentText(manifest, l.map((x, k) => (k === 3 ? x.replace('src/a.ts', 'src\\/a.ts') : x)))],
      ['a manifest with spaces', (l) => [JSON.stringify(JSON.parse(canonicalJson(manifest)), null, 1).replace(/\n/g, ''), ...l, ''].join('\n')],
      ['a UTF-8 BOM', (l) => `\ufeff${contentText(manifest, l)}`],
    ];
    for (const [name, make] of variants) {
      it(`refuses ${name}`, async () => {
        const err = await rejects(readBundle(await fileOf(make(lines))), 'schema');
        assert.ok(err.line !== undefined, err.message);
      });
    }

    it('property: any whitespace or key-order change of a valid line is refused', async () => {
      await fc.assert(
        fc.asyncProperty(fc.nat(sample.length - 1), fc.constantFrom(' ', '\t', '\r', '\n '), fc.nat(), async (k, ws, at) => {
          const line = lines[k];
          // Insert whitespace after a structural character: JSON.parse still accepts the line.
          const spots = [...line.matchAll(/[{,:[]/g)].map((m) => m.index + 1);
          const pos = spots[at % spots.length];
          const variant = line.slice(0, pos) + ws.replace('\n', '') + line.slice(pos);
          fc.pre(variant !== line);
          JSON.parse(variant);
          await rejects(readBundle(await fileOf(contentText(manifest, lines.map((x, j) => (j === k ? variant : x))))), 'schema', /canonical/);
        }),
        { numRuns: fcRuns(50) },
      );
    });
  });

  describe('streaming', () => {
    it('reads the same from bytes and from a stream of any chunking, and verify agrees with readBundle', async () => {
      await fc.assert(
        fc.asyncProperty(sessionArb, fc.integer({ min: 1, max: 4096 }), async (steps, size) => {
          const b = await buildBundle(inputOf(sessionEvents(steps)));
          function* chunks(): Generator<Uint8Array> {
            for (let k = 0; k < b.bytes.length; k += size) {
              yield b.bytes.subarray(k, k + size);
            }
          }
          const whole = await readBundle(b.bytes);
          const streamed = await readBundle(chunks());
          assert.deepEqual(streamed, whole);
          const report = await verifyBundle(chunks());
          assert.equal(report.ok, true, JSON.stringify(report.error ?? report.replay?.issues));
          assert.equal(report.sha256, b.sha256);
        }),
        { numRuns: fcRuns(30) },
      );
    });

    it('names the file SHA-256 of a stream it refused', async () => {
      const b = await buildBundle(inputOf(sample));
      const bad = Buffer.from(b.bytes);
      bad[bad.length - 5] ^= 0xff;
      function* one(): Generator<Uint8Array> {
        yield bad;
      }
      const report = await verifyBundle(one());
      assert.equal(report.ok, false);
      assert.equal(report.sha256, sha256(bad));
      assert.equal(report.error?.code, 'corrupt');
    });

    it('refuses a line longer than maxLineBytes before holding it, and the writer never writes one', async () => {
      const big = { seq: 2, event: { t: 'snap', ts: 1, f: 'a.txt', v: 1, text: 'x'.repeat(5000) } } as LoggedEvent;
      const events: LoggedEvent[] = [{ seq: 1, event: { t: 'session', ts: 1, op: 'start', sid: 's', cats: ['edits'] } }, big];
      await rejects(readBundle(await craftBundle(events), { maxLineBytes: 4096 }), 'too-large', /line 3 is longer than 4096 bytes/);
      await readBundle(await craftBundle(events));
      await rejects(buildBundle(inputOf([{ ...big, seq: 1 }]), { maxLineBytes: 4096 }), 'too-large', /seq 1/);
    });

    it('refuses replay past maxDocumentChars or maxLiveChars', async () => {
      const text = 'y'.repeat(3000);
      const events: LoggedEvent[] = [
        { seq: 1, event: { t: 'snap', ts: 1, f: 'a.txt', v: 1, text } },
        { seq: 2, event: { t: 'snap', ts: 2, f: 'b.txt', v: 1, text } },
        { seq: 3, event: { t: 'edit', ts: 3, f: 'a.txt', v: 2, c: [[0, 0, text]] } },
        { seq: 4, event: { t: 'ckpt', ts: 4, f: 'a.txt', v: 2, h: sha256Hex(text + text), why: 'save' } },
      ];
      const file = await craftBundle(events);
      assert.equal((await verifyBundle(file)).ok, true);
      const doc = await verifyBundle(file, { maxDocumentChars: 5000 });
      assert.equal(doc.error?.code, 'too-large');
      assert.match(doc.error.message, /document grows to 6000 characters/);
      const live = await verifyBundle(file, { maxLiveChars: 7000 });
      assert.match(live.error?.message ?? '', /documents hold 9000 characters/);
      // A snapshot that replaces a document, and a delete, free what it held.
      const replaced: LoggedEvent[] = [
        ...events.slice(0, 2),
        { seq: 3, event: { t: 'snap', ts: 3, f: 'a.txt', v: 2, text } },
        { seq: 4, event: { t: 'file', ts: 4, op: 'delete', f: 'b.txt' } },
        { seq: 5, event: { t: 'snap', ts: 5, f: 'c.txt', v: 1, text } },
      ];
      assert.equal((await verifyBundle(await craftBundle(replaced), { maxLiveChars: 6000 })).ok, true);
    });

    it('stops replay after MAX_REPORTED_ISSUES issues, and says so', async () => {
      const events: LoggedEvent[] = [];
      for (let k = 1; k <= 1500; k++) {
        events.push({ seq: k, event: { t: 'ckpt', ts: k, f: 'gone.txt', v: 1, h: sha256Hex(''), why: 'every' } });
      }
      const report = await verifyBundle(await craftBundle(events));
      assert.equal(report.ok, false);
      assert.equal(report.replay?.issues.length, 1000);
      assert.equal(report.replay?.truncated, true);
    });
  });

  describe('bounded memory', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'candor-bounded-'));
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('verifies a large bundle (60 MB of content, 500k events) in a process with a 64 MB heap', async function () {
      this.timeout(300_000);
      // Content far larger than the heap: a reader that held it (or its events) would run out.
      const events: LoggedEvent[] = [];
      const text = 'let total = 0;\n';
      events.push({ seq: 1, event: { t: 'session', ts: 1_700_000_000_000, op: 'start', sid: 'big', cats: ['edits'] } });
      events.push({ seq: 2, event: { t: 'snap', ts: 1_700_000_000_001, f: 'src/big.ts', v: 1, text } });
      const N = 500_000;
      const pad = 'x'.repeat(80);
      const lines: string[] = new Array<string>(N);
      const at = text.length;
      for (let k = 0; k < N; k++) {
        // Insert at the end, then delete it again: the document stays small, the content grows.
        const seq = 3 + k;
        const change = k % 2 === 0 ? `[${at},0,"${pad}${k}"]` : `[${at},${pad.length + String(k - 1).length},""]`;
        lines[k] = `{"seq":${seq},"t":"edit","ts":${1_700_000_000_002 + k},"c":[${change}],"f":"src/big.ts","v":${k + 2}}`;
      }
      const v = N + 1;
      const lastSeq = events.length + N;
      lines.push(lineOf({ seq: lastSeq + 1, t: 'ckpt', ts: 1_700_000_000_002 + N, f: 'src/big.ts', v, h: sha256Hex(text), why: 'save' }));
      const figures = manifestFor(events) as unknown as Record<string, unknown>;
      const manifest = {
        ...figures,
        counts: { events: events.length + N + 1, byType: { session: 1, snap: 1, edit: N, ckpt: 1 } },
        files: [{ f: 'src/big.ts', events: N + 2 }],
        range: { firstTs: 1_700_000_000_000, lastTs: 1_700_000_000_002 + N },
        source: { sessions: ['big'], firstSeq: 1, lastSeq: lastSeq + 1 },
      };
      const content = Buffer.from(contentText(manifest, [...events.map((e) => lineOf(rawOf(e))), ...lines]), 'utf8');
      assert.ok(content.length > 55 * 1024 * 1024, `${content.length}`);
      const file = join(dir, 'big.candor');
      await writeFile(file, fileOfFast(content));
      const verifyModule = resolve(__dirname, '../../../src/bundle/verify.js');
      const script = `require(${JSON.stringify(verifyModule)}).verifyBundleFile(${JSON.stringify(file)}).then((r) => { process.stdout.write(JSON.stringify({ ok: r.ok, error: r.error, events: r.replay && r.replay.stats.events })); });`;
      const child = spawnSync(process.execPath, ['--max-old-space-size=64', '-e', script], { encoding: 'utf8' });
      assert.equal(child.status, 0, child.stderr.slice(0, 2000));
      const out = JSON.parse(child.stdout) as { ok: boolean; error?: unknown; events: number };
      assert.deepEqual(out, { ok: true, events: N + 3 });
      assert.equal(DEFAULT_LIMITS.maxContentBytes >= content.length, true);
    });
  });
});
