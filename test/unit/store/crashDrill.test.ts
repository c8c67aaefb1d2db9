import * as assert from 'node:assert/strict';
import { runCrashDrill } from '../../crash/drill';
import { removeDir, tempDir } from './helpers';

describe('store crash drill (SIGKILL while appending)', () => {
  const trials = Number(process.env['CANDOR_CRASH_TRIALS'] ?? 100);

  it(`survives ${trials} kills: contiguous, durable records kept, ≤ 1 s lost, no corrupt record`, async function () {
    this.timeout(Math.max(120_000, trials * 2000));
    const dir = await tempDir('candor-crash-');
    const started = Date.now();
    const summary = await runCrashDrill({ trials, dir, concurrency: 2 });
    console.log(
      `      crash drill: ${summary.trials} trials in ${((Date.now() - started) / 1000).toFixed(1)} s, ` +
        `${summary.records} records recovered, torn tails ${summary.tornTails}, ` +
        `loss window median ${summary.medianLossMs} ms / max ${summary.maxLossMs} ms, up to ${summary.maxSegments} segments`,
    );
    assert.deepEqual(summary.problems, []);
    await removeDir(dir);
  });
});
