/**
 * A real full disk: a 256 KiB tmpfs (needs root and permission to mount; skipped otherwise).
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { isDiskFull, LogWriteError } from '../../../src/store/errors';
import { EventLog } from '../../../src/store/eventLog';
import { readLogAll } from '../../../src/store/reader';
import type { TestRecord } from './helpers';
import { rec, removeDir, tempDir } from './helpers';

describe('store/EventLog on a really full disk (tmpfs)', function () {
  let dir = '';
  let mounted = false;

  before(async function () {
    if (process.platform !== 'linux' || process.getuid?.() !== 0) {
      console.log('      (skipped: mounting a tmpfs needs root on Linux)');
      this.skip();
    }
    dir = await tempDir('candor-full-');
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir], { stdio: 'pipe' });
      mounted = true;
    } catch (err) {
      console.log(`      (skipped: cannot mount a tmpfs here: ${String(err).split('\n')[0]})`);
      this.skip();
    }
  });

  after(async () => {
    if (mounted) {
      execFileSync('umount', [dir], { stdio: 'pipe' });
    }
    if (dir !== '') {
      await removeDir(dir);
    }
  });

  it('reports disk-full through onError, never throws, and loses nothing once space is freed', async () => {
    const log = await EventLog.open<TestRecord>({ dir, flushIntervalMs: 60_000, queueMaxBytes: 1 << 20 });
    const errors: LogWriteError[] = [];
    log.onError((e) => errors.push(e));
    const payload = 'f'.repeat(1000);
    let accepted = 0;
    for (let i = 0; i < 400; i++) {
      if (log.append(rec(i, i, payload))) {
        accepted++;
      }
    }
    assert.equal(accepted, 400);
    await assert.rejects(log.flush(), (e: unknown) => LogWriteError.is(e) && e.code === 'ENOSPC');
    assert.ok(errors.length >= 1);
    assert.ok(errors.every((e) => isDiskFull(e) && e.isDiskFull));
    assert.ok(log.stats.bytesWritten > 0 && log.stats.bytesWritten < 400 * 1000, 'the disk took part of it');
    assert.equal(log.stats.failing, true);

    execFileSync('mount', ['-o', 'remount,size=2m', dir], { stdio: 'pipe' });
    await log.flush();
    await log.close();
    const { entries, damaged } = await readLogAll<TestRecord>(dir);
    assert.deepEqual(damaged, []);
    assert.deepEqual(entries.map((e) => e.record.n), Array.from({ length: 400 }, (_, i) => i));
  });
});
