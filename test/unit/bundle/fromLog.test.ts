import * as assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildBundle } from '../../../src/bundle/build';
import { BundleError } from '../../../src/bundle/errors';
import { buildBundleFromLog, selectFromLog } from '../../../src/bundle/fromLog';
import { verifyBundle } from '../../../src/bundle/verify';
import { buildBundleInWorker } from '../../../src/bundle/workerHost';
import type { WorkerBuildParams } from '../../../src/bundle/workerProtocol';
import type { LoggedEvent } from '../../../src/model/events';
import { replayEvents } from '../../../src/replay/replay';
import { CREATED_AT, identityRedactor, inputOf, sampleEvents, paramsOf, sessionEvents, testReceipt, writeLog } from './helpers';

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
