import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import type { ThrottleClock } from '../../../src/ui/throttle';
import { Throttle } from '../../../src/ui/throttle';
import { fcRuns } from '../bundle/helpers';

/** A clock whose time moves only when the test says so, running due timers in order. */
class FakeClock implements ThrottleClock {
  time = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;

  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.time + ms, fn, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }
  get pending(): number {
    return this.timers.length;
  }
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (next === undefined || next.at > end) {
        break;
      }
      this.timers.shift();
      this.time = next.at;
      next.fn();
    }
    this.time = end;
  }
}

describe('throttle (the controller announcing a growing log)', () => {
  it('never runs synchronously, at most once per interval, and always after the last poke', () => {
    const clock = new FakeClock();
    const runs: number[] = [];
    const t = new Throttle(2000, () => runs.push(clock.now()), clock);
    t.poke();
    assert.deepEqual(runs, [], 'not on the hot path');
    clock.advance(0);
    assert.deepEqual(runs, [0], 'the first poke runs at the next turn');
    for (let k = 0; k < 100; k++) {
      clock.advance(10);
      t.poke();
    }
    assert.equal(clock.pending, 1, 'one timer, however many pokes');
    clock.advance(5000);
    assert.deepEqual(runs, [0, 2000], 'the pokes after the first made one more run, an interval later');
    clock.advance(10_000);
    assert.deepEqual(runs, [0, 2000], 'nothing without a poke');
    t.poke();
    t.dispose();
    clock.advance(10_000);
    assert.deepEqual(runs, [0, 2000], 'nothing after dispose');
    assert.equal(clock.pending, 0, 'dispose clears its timer');
  });

  it('for any poke pattern: runs are ≥ interval apart, and one follows the last poke within the interval (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 60 }), (gaps) => {
        const clock = new FakeClock();
        const runs: number[] = [];
        const t = new Throttle(2000, () => runs.push(clock.now()), clock);
        let lastPoke = 0;
        for (const g of gaps) {
          clock.advance(g);
          t.poke();
          lastPoke = clock.now();
        }
        clock.advance(5000);
        for (let k = 1; k < runs.length; k++) {
          assert.ok(runs[k] - runs[k - 1] >= 2000, `runs ${runs.join(', ')}`);
        }
        const last = runs[runs.length - 1];
        assert.ok(last !== undefined && last >= lastPoke && last <= lastPoke + 2000, `last poke ${lastPoke}, runs ${runs.join(', ')}`);
        t.dispose();
      }),
      { numRuns: fcRuns(300) },
    );
  });
});
