import * as assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildBundle } from '../../../src/bundle/build';
import { BundleError } from '../../../src/bundle/errors';
import { buildBundleFromLog, selectFromLog } from '../../../src/bundle/fromLog';
import { verifyBundle } from '../../../src/bundle/verify';
import { buildBundleInWorker } from '../../../src/bundle/workerHost';
import type { WorkerBuildParams } from '../../../src/bundle/workerProtocol';
import type { LoggedEvent } from '../../../src/model/events';
import * as fc from 'fast-check';
import type { SeqRange } from '../../../src/bundle/seqRanges';
import { normalizeRanges, rangesContain, subtractRanges } from '../../../src/bundle/seqRanges';
import { replayEvents } from '../../../src/replay/replay';
import { CREATED_AT, fcRuns, identityRedactor, inputOf, sampleEvents, paramsOf, sessionArb, sessionEvents, testReceipt, writeLog } from './helpers';

const WORKER_SCRIPT = resolve(__dirname, '../../../src/bundle/worker.js');
const FAKE_REDACTOR = resolve(__dirname, 'fakeRedactor.js');

describe('bundles from a log', () => {
  let dir: string;
  const { events, seqs } = sampleEvents();

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'candor-bundle-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('builds the same bundle from the log as from the events', async () => {
    await writeLog(dir, events);
    const params = paramsOf(events);
    const fromLog = await buildBundleFromLog(dir, params);
    const direct = await buildBundle(inputOf(events));
    assert.ok(Buffer.from(fromLog.bytes).equals(direct.bytes));
    assert.deepEqual(fromLog.skipped, []);
    assert.equal(fromLog.synthesized, 0);
  });

  it('starts a document cut mid-history with a snapshot of its replayed state', async () => {
    // A long session: cut it in the middle, after many edits of every document.
    const steps = Array.from({ length: 60 }, (_, k) =>
      k % 5 === 4 ? { kind: 'ckpt' as const, doc: k } : { kind: 'edit' as const, doc: k, a: k * 7, b: k * 3, text: `t${k}`, undo: false },
    );
    const long = sessionEvents(steps);
    await writeLog(dir, long, 11);
    const from = long[30].event.ts;
    const selected = await selectFromLog(dir, { from });
    assert.equal(selected.synthesized, 2);
    const snaps = selected.events.filter((e) => e.event.ts < from);
    assert.deepEqual(snaps.map((e) => e.event.t), ['snap', 'snap']);
    // Each synthesized snapshot holds the replayed text at its seq.
    for (const s of snaps) {
      const upto = replayEvents(long, { untilSeq: s.seq });
      const ev = s.event as { f: string; text: string; v: number };
      const doc = upto.documents.find((d) => d.f === ev.f)!;
      assert.equal(ev.text, doc.text);
      assert.equal(ev.v, doc.v);
      assert.equal(doc.lastSeq, s.seq);
    }
    const params = paramsOf(long);
    const b = await buildBundleFromLog(dir, { ...params, from, receipt: testReceipt(['edits']) });
    const report = await verifyBundle(b.bytes);
    assert.ok(report.ok, JSON.stringify(report.replay?.issues));
    // And the final texts are those of the whole log.
    assert.deepEqual(replayEvents(b.events).documents.map((d) => d.text), replayEvents(long).documents.map((d) => d.text));
  });

  it('selects one recording session, and a time range', async () => {
    const second: LoggedEvent[] = [
      { seq: events.length + 1, event: { t: 'session', ts: 2_000_000_000_000, op: 'start', sid: 's2' } },
      { seq: events.length + 2, event: { t: 'edit', ts: 2_000_000_000_100, f: 'src/a.ts', v: 5, c: [[0, 0, 'x']] } },
      { seq: events.length + 3, event: { t: 'session', ts: 2_000_000_000_200, op: 'stop', sid: 's2' } },
    ];
    await writeLog(dir, [...events, ...second]);
    const s1 = await selectFromLog(dir, { sessionId: 's1' });
    assert.deepEqual(s1.events.map((e) => e.seq), events.map((e) => e.seq));
    const s2 = await selectFromLog(dir, { sessionId: 's2' });
    // src/a.ts's state comes from session s1: its snapshot carries the seq that produced it.
    assert.deepEqual(s2.events.map((e) => e.event.t), ['snap', 'session', 'edit', 'session']);
    const ranged = await selectFromLog(dir, { from: events[seqs['edit3'] - 1].event.ts, to: events[seqs['editB'] - 1].event.ts });
    assert.equal(ranged.events[0].event.t, 'snap');
    assert.equal(ranged.events[ranged.events.length - 1].seq, seqs['editB']);
  });

  it('from the start of the log, replays nothing and synthesizes nothing; it says which seqs it took', async () => {
    await writeLog(dir, events);
    const all = await selectFromLog(dir, {});
    assert.equal(all.synthesized, 0);
    assert.deepEqual(all.covered, [[1, events.length]]);
  });

  it('leaves out excluded (approved) seqs; a document edited in between gets a snapshot, and the bundle replays', async () => {
    await writeLog(dir, events);
    // The first approval covered the start, up to edit1; a second one covered edit3.
    const exclude: SeqRange[] = [
      [1, seqs['edit1']],
      [seqs['edit3'], seqs['edit3']],
    ];
    const selected = await selectFromLog(dir, { exclude });
    const taken = selected.events.filter((e) => e.event.t !== 'snap' || !rangesContain(exclude, e.seq));
    assert.ok(taken.every((e) => !rangesContain(exclude, e.seq)), 'no excluded event');
    assert.deepEqual(selected.covered, subtractRanges([[1, events.length]], exclude));
    // src/a.ts: a snapshot at edit1 (before edit2) and one at edit3 (before its checkpoint).
    const snaps = selected.events.filter((e) => e.event.t === 'snap' && e.event.f === 'src/a.ts');
    assert.deepEqual(snaps.map((e) => e.seq), [seqs['edit1'], seqs['edit3']]);
    assert.equal(selected.synthesized, 2);
    const b = await buildBundleFromLog(dir, { ...paramsOf(events), exclude });
    const report = await verifyBundle(b.bytes);
    assert.ok(report.ok, JSON.stringify(report.replay?.issues));
    assert.deepEqual(b.covered, selected.covered);
  });

  it('any selection with any exclusions builds a bundle that replays, from the log state at each cut', async () => {
    const exclusions = fc.array(fc.tuple(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 10 })), { maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(sessionArb, exclusions, fc.option(fc.nat(50)), async (steps, raw, cut) => {
        const log = sessionEvents(steps);
        const exclude = normalizeRanges(raw.map(([a, n]): SeqRange => [a, a + n]));
        const from = cut === null ? undefined : log[Math.min(cut, log.length - 1)].event.ts;
        await rm(dir, { recursive: true, force: true });
        await mkdir(dir);
        await writeLog(dir, log, 5);
        const b = await buildBundleFromLog(dir, { ...paramsOf(log), receipt: testReceipt(['edits', 'navigation', 'files']), exclude, from });
        const report = await verifyBundle(b.bytes);
        assert.ok(report.ok, `${report.error?.message ?? ''} ${JSON.stringify(report.replay?.issues)}`);
        const bySeq = new Map(log.map((e) => [e.seq, e]));
        for (const e of b.events) {
          const original = bySeq.get(e.seq)!;
          if (e.event.t === 'snap' && (rangesContain(exclude, e.seq) || JSON.stringify(original.event) !== JSON.stringify(e.event))) {
            // Synthesized: the text some document had in the log at that seq.
            const { text, v } = e.event;
            assert.ok(replayEvents(log, { untilSeq: e.seq }).documents.some((d) => d.text === text && d.v === v), `snapshot at seq ${e.seq}`);
          } else {
            assert.ok(!rangesContain(exclude, e.seq), `seq ${e.seq} was excluded`);
          }
        }
        if (from === undefined) {
          assert.deepEqual(b.covered, subtractRanges([[1, log.length]], exclude));
        }
      }),
      { numRuns: fcRuns(60) },
    );
  });

  it('skips records that are not valid events, and says so', async () => {
    const bad: LoggedEvent[] = [...events.slice(0, 5), { seq: 6, event: { t: 'keystroke', ts: 1, key: 'a' } as unknown as LoggedEvent['event'] }];
    await writeLog(dir, bad);
    const params = paramsOf(events);
    const b = await buildBundleFromLog(dir, params);
    assert.equal(b.skipped.length, 1);
    assert.equal(b.skipped[0].seq, 6);
    assert.equal(b.manifest.counts.events, 5);
  });

  describe('in a worker', () => {
    function params(source: WorkerBuildParams['source']): WorkerBuildParams {
      const { receipt, extensionVersion, policyVersion } = inputOf(events);
      return { source, params: { receipt, extensionVersion, policyVersion, createdAt: CREATED_AT }, redactorModule: FAKE_REDACTOR };
    }

    it('builds the same bytes as in-process, from a log and from events, with progress', async () => {
      await writeLog(dir, events);
      const direct = await buildBundle(inputOf(events, { redactor: identityRedactor }));
      const phases: string[] = [];
      const r = await buildBundleInWorker(params({ kind: 'log', dir }), { workerScript: WORKER_SCRIPT, onProgress: (p) => phases.push(p.phase) });
      assert.ok(Buffer.from(r.bytes).equals(direct.bytes));
      assert.equal(r.sha256, direct.sha256);
      assert.deepEqual(r.manifest, JSON.parse(JSON.stringify(direct.manifest)));
      assert.ok(phases.includes('redact') && phases.includes('compress'), phases.join());
      const fromEvents = await buildBundleInWorker(params({ kind: 'events', events }), { workerScript: WORKER_SCRIPT });
      assert.ok(Buffer.from(fromEvents.bytes).equals(direct.bytes));
    });

    it('reports build errors with their code', async () => {
      const p = params({ kind: 'events', events });
      await assert.rejects(
        buildBundleInWorker({ ...p, params: { ...p.params, receipt: undefined } }, { workerScript: WORKER_SCRIPT }),
        (e: unknown) => BundleError.is(e, 'no-consent'),
      );
      await assert.rejects(
        buildBundleInWorker({ ...p, redactorModule: resolve(__dirname, 'helpers.js') }, { workerScript: WORKER_SCRIPT }),
        (e: unknown) => BundleError.is(e, 'bad-input') && /createRedactor/.test(e.message),
      );
    });

    it('cancels', async () => {
      const many = sessionEvents(Array.from({ length: 3000 }, (_, k) => ({ kind: 'edit' as const, doc: k, a: k, b: k, text: 'x', undo: false })));
      await writeLog(dir, many, 500);
      const controller = new AbortController();
      const pending = buildBundleInWorker(params({ kind: 'log', dir }), {
        workerScript: WORKER_SCRIPT,
        signal: controller.signal,
        onProgress: () => controller.abort(),
      });
      await assert.rejects(pending, (e: unknown) => BundleError.is(e, 'cancelled'));
      const aborted = new AbortController();
      aborted.abort();
      await assert.rejects(buildBundleInWorker(params({ kind: 'log', dir }), { workerScript: WORKER_SCRIPT, signal: aborted.signal }), (e: unknown) =>
        BundleError.is(e, 'cancelled'),
      );
    });
  });
});
