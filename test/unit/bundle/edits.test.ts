import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { buildBundle, dropEvents, dropFile, dropRange, redactEverywhere } from '../../../src/bundle/build';
import type { BuiltBundle } from '../../../src/bundle/build';
import { describeSeqs, removeEvents } from '../../../src/bundle/edits';
import { BundleError } from '../../../src/bundle/errors';
import { readBundle } from '../../../src/bundle/format';
import { verifyBundle } from '../../../src/bundle/verify';
import type { LoggedEvent } from '../../../src/model/events';
import { replayEvents } from '../../../src/replay/replay';
import { ACTION_AT, fcRuns, inputOf, sampleEvents, sessionArb, sessionEvents, spyRedactor, testReceipt } from './helpers';

async function verified(b: BuiltBundle): Promise<void> {
  const report = await verifyBundle(b.bytes);
  assert.equal(report.error, undefined);
  assert.deepEqual(report.replay?.issues, []);
  assert.ok(report.ok);
}

function seqsOf(b: BuiltBundle): number[] {
  return b.events.map((e) => e.seq);
}

/** Every version (f, v, seq → text) replay establishes. */
function versions(events: readonly LoggedEvent[]): Map<string, string> {
  const out = new Map<string, string>();
  replayEvents(events, { onVersion: (f, v, seq, getText) => out.set(`${seq} ${f} v${v}`, getText()) });
  return out;
}

describe('bundle edit operations', () => {
  const { events, seqs } = sampleEvents();
  let base: BuiltBundle;

  before(async () => {
    base = await buildBundle(inputOf(events));
    await verified(base);
  });

  it('drop-event of a checkpoint removes just it', async () => {
    const b = await dropEvents(base.input, [seqs['ckptA']], { at: ACTION_AT });
    assert.notEqual(b.sha256, base.sha256);
    assert.notEqual(b.id, base.id);
    assert.deepEqual(seqsOf(b), seqsOf(base).filter((s) => s !== seqs['ckptA']));
    assert.deepEqual(b.manifest.reviewerActions, [{ action: 'drop-event', detail: `seqs ${seqs['ckptA']}`, at: ACTION_AT.toISOString(), removed: 1 }]);
    await verified(b);
  });

  it("drop-event of an edit also drops the document's later edits and checkpoints until a snapshot", async () => {
    const b = await dropEvents(base.input, [seqs['edit2']], { at: ACTION_AT });
    const gone = [seqs['edit2'], seqs['ckptA'], seqs['edit3'], seqs['ckptA2']];
    assert.deepEqual(seqsOf(b), seqsOf(base).filter((s) => !gone.includes(s)));
    assert.equal(b.manifest.reviewerActions[0].removed, 4);
    // The other document and the rest of the session are untouched.
    assert.ok(b.events.some((e) => e.seq === seqs['ckptB']));
    await verified(b);
  });

  it('drop-event of a snapshot drops the history that needed it', async () => {
    const b = await dropEvents(base.input, [seqs['snapB']], { at: ACTION_AT });
    assert.ok(!b.events.some((e) => e.event.t === 'edit' && (e.event.f === 'docs/b b.md' || e.event.f === 'docs/readme.md')));
    assert.ok(!b.events.some((e) => e.seq === seqs['ckptB']));
    await verified(b);
  });

  it('drop-event of a rename drops what happened under the new name', async () => {
    const b = await dropEvents(base.input, [seqs['rename']], { at: ACTION_AT });
    assert.ok(!b.events.some((e) => e.seq === seqs['editB'] || e.seq === seqs['ckptB']));
    await verified(b);
  });

  it('drop-file removes every event naming the file, and withholds the path', async () => {
    const b = await dropFile(base.input, 'src/a.ts', { at: ACTION_AT });
    assert.ok(!b.events.some((e) => (e.event as { f?: string }).f === 'src/a.ts'));
    assert.deepEqual(b.manifest.files.map((f) => f.f), ['docs/b b.md', 'docs/readme.md']);
    const action = b.manifest.reviewerActions[0];
    assert.equal(action.action, 'drop-file');
    assert.equal(action.removed, 9);
    assert.ok(!action.detail.includes('a.ts'));
    await verified(b);
  });

  it('drop-range removes events inside [from, to] and keeps replay whole', async () => {
    const from = events[seqs['edit1'] - 1].event.ts;
    const to = events[seqs['edit1']].event.ts;
    const b = await dropRange(base.input, from, to, { at: ACTION_AT });
    assert.ok(!b.events.some((e) => e.event.ts >= from && e.event.ts <= to));
    assert.match(b.manifest.reviewerActions[0].detail, /^2025-11-30T09:00:00\.030Z to 2025-11-30T09:00:00\.040Z$/);
    await verified(b);
  });

  it('redact-everywhere passes the text to the redactor as a manual rule and never records it', async () => {
    const spy = spyRedactor();
    const start = await buildBundle({ ...base.input, redactor: spy });
    const b = await redactEverywhere(start.input, 'line one', { at: ACTION_AT });
    const c = await redactEverywhere(b.input, 'Tïtle', { at: ACTION_AT });
    assert.deepEqual(spy.calls.map((o) => o.manual), [[], ['line one'], ['line one', 'Tïtle']]);
    assert.notEqual(b.sha256, start.sha256);
    assert.deepEqual(
      c.manifest.reviewerActions.map((a) => [a.action, a.detail, a.removed]),
      [
        ['redact-everywhere', '«manual:reviewer#1»', 0],
        ['redact-everywhere', '«manual:reviewer#2»', 0],
      ],
    );
    const manifestLine = JSON.stringify((await readBundle(c.bytes)).manifest);
    assert.ok(!manifestLine.includes('line one') && !manifestLine.includes('Tïtle'));
    await verified(c);
  });

  it('chains actions in order, each rebuilt from the raw input', async () => {
    const a = await dropEvents(base.input, [seqs['ckptB']], { at: ACTION_AT });
    const b = await dropFile(a.input, 'src/a.ts', { at: new Date(ACTION_AT.getTime() + 1000) });
    assert.deepEqual(b.manifest.reviewerActions.map((x) => x.action), ['drop-event', 'drop-file']);
    assert.equal(b.input.reviewerActions?.length, 2);
    assert.equal(base.input.reviewerActions, undefined, 'the earlier input is not modified');
    // Same actions from scratch give the same bytes.
    const again = await buildBundle(b.input);
    assert.ok(Buffer.from(again.bytes).equals(b.bytes));
    await verified(b);
  });

  it('rejects actions that cannot apply', async () => {
    await assert.rejects(dropEvents(base.input, [999], { at: ACTION_AT }), (e: unknown) => BundleError.is(e, 'bad-input'));
    await assert.rejects(dropEvents(base.input, [], { at: ACTION_AT }), (e: unknown) => BundleError.is(e, 'bad-input'));
    await assert.rejects(dropRange(base.input, 10, 5, { at: ACTION_AT }), (e: unknown) => BundleError.is(e, 'bad-input'));
    await assert.rejects(redactEverywhere(base.input, '', { at: ACTION_AT }), (e: unknown) => BundleError.is(e, 'bad-input'));
    await assert.rejects(dropFile(base.input, '/etc/passwd', { at: ACTION_AT }), (e: unknown) => BundleError.is(e, 'bad-input'));
    const dropped = await dropEvents(base.input, [seqs['edit2']], { at: ACTION_AT });
    await assert.rejects(dropEvents(dropped.input, [seqs['ckptA']], { at: ACTION_AT }), /no event with seq/);
  });

  describe('exclusions and consent scope', () => {
    it('leaves out excluded files and counts them', async () => {
      const b = await buildBundle(inputOf(events, { exclusions: ['*.md', '*.md'] }));
      assert.ok(!b.manifest.files.some((f) => f.f.endsWith('.md')));
      assert.deepEqual(b.manifest.exclusions, { patterns: ['*.md'], events: 5, outsideConsent: 0 });
      await verified(b);
    });

    it('leaves out what the receipt does not cover', async () => {
      const b = await buildBundle(inputOf(events, { receipt: testReceipt(['edits', 'terminalCommands']) }));
      const types = new Set(b.events.map((e) => e.event.t));
      assert.deepEqual([...types].sort(), ['ckpt', 'cmd', 'drop', 'edit', 'session', 'snap', 'term']);
      const term = b.events.find((e) => e.event.t === 'term')!.event;
      assert.ok(!('out' in term) && !('cut' in term), 'terminal output needs its own category');
      // 8 events of other categories, the 2 that needed the rename, and one terminal output.
      assert.equal(b.manifest.exclusions.outsideConsent, 11);
      await verified(b);
    });
  });

  describe('properties', () => {
    it('build → read → replay reproduces every document version of a generated session', async () => {
      await fc.assert(
        fc.asyncProperty(sessionArb, async (steps) => {
          const evs = sessionEvents(steps);
          const original = replayEvents(evs);
          assert.deepEqual(original.issues, [], 'the generator makes valid sessions');
          const b = await buildBundle(inputOf(evs, { receipt: testReceipt(['edits', 'navigation', 'files']) }));
          const read = await readBundle(b.bytes);
          assert.deepEqual(read.events, evs);
          assert.deepEqual(versions(read.events), versions(evs));
          const report = await verifyBundle(b.bytes);
          assert.ok(report.ok, JSON.stringify(report.replay?.issues));
        }),
        { numRuns: fcRuns() },
      );
    });

    it('dropping any events keeps the bundle verifiable and drops at least those', async () => {
      await fc.assert(
        fc.asyncProperty(sessionArb, fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), async (steps, picks) => {
          const evs = sessionEvents(steps);
          const chosen = [...new Set(picks.map((p) => evs[p % evs.length].seq))];
          const b = await dropEvents((await buildBundle(inputOf(evs, { receipt: testReceipt(['edits', 'navigation', 'files']) }))).input, chosen, { at: ACTION_AT });
          const kept = new Set(seqsOf(b));
          assert.ok(chosen.every((s) => !kept.has(s)));
          assert.equal(b.manifest.reviewerActions[0].removed, evs.length - b.events.length);
          const report = await verifyBundle(b.bytes);
          assert.ok(report.ok, JSON.stringify(report.replay?.issues));
          // What is left replays to the same text as the original at each surviving checkpoint.
          assert.equal(report.replay!.stats.checkpointsMatched, b.events.filter((e) => e.event.t === 'ckpt').length);
        }),
        { numRuns: fcRuns() },
      );
    });

    it('removeEvents never drops a snapshot it was not asked to', () => {
      fc.assert(
        fc.property(sessionArb, fc.array(fc.nat(), { maxLength: 6 }), (steps, picks) => {
          const evs = sessionEvents(steps);
          const chosen = new Set(picks.map((p) => evs[p % evs.length].seq));
          const { kept } = removeEvents(evs, (e) => chosen.has(e.seq));
          const keptSeqs = new Set(kept.map((e) => e.seq));
          for (const e of evs) {
            if (!chosen.has(e.seq) && (e.event.t === 'snap' || e.event.t === 'file' || e.event.t === 'session')) {
              assert.ok(keptSeqs.has(e.seq), `seq ${e.seq} (${e.event.t}) was dropped`);
            }
          }
        }),
        { numRuns: fcRuns(300) },
      );
    });
  });

  it('describes seqs compactly', () => {
    assert.equal(describeSeqs([7, 3, 8, 9, 12, 3]), '3, 7-9, 12');
    assert.match(describeSeqs(Array.from({ length: 50 }, (_, k) => k * 2)), /and 30 more runs$/);
  });
});
