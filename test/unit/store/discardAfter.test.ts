import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { EventLog } from '../../../src/store/eventLog';
import { readLogAll } from '../../../src/store/reader';
import { removeDir, tempDir, type TestRecord } from './helpers';

/** EventLog.discardAfter: what consent withdrawn elsewhere takes back before the next write. */
describe('event log: discardAfter (records queued after a withdrawal are never written)', () => {
  it('property: written records stay, queued ones up to the first after the cutoff stay, the rest go; seqs stay contiguous', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ dt: fc.integer({ min: 0, max: 5 }), flush: fc.boolean() }), { minLength: 0, maxLength: 60 }),
        fc.integer({ min: 0, max: 200 }),
        fc.integer({ min: 60, max: 4000 }),
        async (steps, cutoffAt, segmentMaxBytes) => {
          const dir = await tempDir();
          try {
            const log = await EventLog.open<TestRecord>({ dir, flushIntervalMs: 3_600_000, segmentMaxBytes });
            let ts = 0;
            const written: number[] = [];
            let queued: { n: number; ts: number }[] = [];
            for (const [n, step] of steps.entries()) {
              ts += step.dt;
              assert.ok(log.append({ t: 'x', ts, n }));
              queued.push({ n, ts });
              if (step.flush) {
                await log.flush();
                written.push(...queued.map((q) => q.n));
                queued = [];
              }
            }
            const cut = queued.findIndex((q) => q.ts > cutoffAt);
            const kept = cut < 0 ? queued : queued.slice(0, cut);
            const taken = log.discardAfter(cutoffAt);
            assert.equal(taken, queued.length - kept.length);
            assert.equal(log.stats.discarded, taken);
            log.append({ t: 'end', ts: ts + 1, n: -1 });
            await log.close();
            const { entries } = await readLogAll<TestRecord>(dir);
            assert.deepEqual(entries.map((e) => e.record.n), [...written, ...kept.map((k) => k.n), -1]);
            assert.deepEqual(entries.map((e) => e.seq), entries.map((_, i) => i + 1));
          } finally {
            await removeDir(dir);
          }
        },
      ),
      { numRuns: Number(process.env.CANDOR_FC_RUNS ?? 60) },
    );
  });
});
