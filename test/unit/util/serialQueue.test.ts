import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import { SerialQueue } from '../../../src/util/serialQueue';

describe('SerialQueue', () => {
  it('runs tasks one at a time, in order, whatever each one awaits', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(3), fc.boolean()), { minLength: 1, maxLength: 30 }), async (tasks) => {
        const q = new SerialQueue();
        const log: string[] = [];
        let running = 0;
        const results = tasks.map(([ticks, fail], i) =>
          q
            .run(async () => {
              running++;
              assert.equal(running, 1, 'two tasks overlapped');
              log.push(`start ${i}`);
              for (let t = 0; t < ticks; t++) {
                await Promise.resolve();
              }
              log.push(`end ${i}`);
              running--;
              if (fail) {
                throw new Error(`task ${i}`);
              }
              return i;
            })
            .then(
              (v) => ({ ok: true, v }),
              (e: unknown) => ({ ok: false, v: (e as Error).message }),
            ),
        );
        const settled = await Promise.all(results);
        await q.idle();
        assert.deepEqual(log, tasks.flatMap((_, i) => [`start ${i}`, `end ${i}`]));
        settled.forEach((r, i) => assert.deepEqual(r, tasks[i][1] ? { ok: false, v: `task ${i}` } : { ok: true, v: i }));
      }),
    );
  });

  it('a task that throws synchronously rejects only itself', async () => {
    const q = new SerialQueue();
    const a = q.run(() => {
      throw new Error('sync');
    });
    const b = q.run(() => 'after');
    await assert.rejects(a, /sync/);
    assert.equal(await b, 'after');
  });
});
