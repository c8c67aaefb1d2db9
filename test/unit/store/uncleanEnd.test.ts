import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { CandorEvent } from '../../../src/model/events';
import { nullLogger } from '../../../src/model/logger';
import { EventLog } from '../../../src/store/eventLog';
import { openSessionAtTail } from '../../../src/store/sessionTail';
import { openEventLog } from '../../../src/recording/storeAdapter';
import { removeDir, tempDir } from './helpers';

/**
 * A writer killed with SIGKILL in the middle of a session (a real child process, as the crash drill
 * does) leaves the session open at the log's tail and a stale lock; the next open finds both.
 */
describe('an unclean end of the previous session (issue 8 item 16)', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(async () => {
    dir = join(await tempDir('candor-unclean-'), 'log');
  });
  afterEach(() => removeDir(join(dir, '..')));

  it('after kill -9 of the writer, the next open reports the session left open and the time of its last record', async () => {
    const storeAdapter = join(__dirname, '..', '..', '..', 'src', 'recording', 'storeAdapter.js');
    const script = `
      const { openEventLog } = require(${JSON.stringify(storeAdapter)});
      const logger = { info() {}, warn() {}, error() {} };
      (async () => {
        const log = await openEventLog(${JSON.stringify(dir)}, logger);
        log.append({ t: 'session', ts: 1000, op: 'start', sid: 'crashed-session', cats: ['edits'] });
        log.append({ t: 'edit', ts: 2000, f: 'a.ts', v: 2, c: [[0, 0, 'x']] });
        await log.sync();
        process.stdout.write('ready\\n');
        setInterval(() => log.append({ t: 'cmd', ts: 1, id: 'never-synced' }), 1_000_000);
      })();`;
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const [chunk] = (await once(child.stdout, 'data')) as [Buffer];
    assert.equal(chunk.toString().trim(), 'ready');
    child.kill('SIGKILL');
    await once(child, 'exit');

    const warnings: string[] = [];
    const log = await openEventLog(dir, { ...nullLogger, warn: (m) => warnings.push(m) });
    try {
      assert.deepEqual(log.openTail, { sid: 'crashed-session', lastTs: 2000 });
      assert.ok(warnings.some((w) => w.includes('stale lock')), 'the dead writer’s lock was taken over');
    } finally {
      await log.close();
    }
  });

  it('a session closed by pause or stop is not reported; an empty log neither', async () => {
    assert.equal(await openSessionAtTail(dir), undefined);
    const log = await EventLog.open<CandorEvent>({ dir });
    log.append({ t: 'session', ts: 1, op: 'start', sid: 's1' });
    log.append({ t: 'cmd', ts: 2, id: 'x' });
    log.append({ t: 'session', ts: 3, op: 'pause', sid: 's1' });
    await log.close();
    assert.equal(await openSessionAtTail(dir), undefined);
    const again = await EventLog.open<CandorEvent>({ dir });
    again.append({ t: 'session', ts: 4, op: 'resume', sid: 's2' });
    again.append({ t: 'cmd', ts: 5, id: 'y' });
    await again.close();
    assert.deepEqual(await openSessionAtTail(dir), { sid: 's2', lastTs: 5 });
  });

  it('finds a session opened in an earlier segment than the log’s last one', async () => {
    const log = await EventLog.open<CandorEvent>({ dir, segmentMaxBytes: 200 });
    log.append({ t: 'session', ts: 1, op: 'start', sid: 'long' });
    for (let i = 0; i < 20; i++) {
      log.append({ t: 'cmd', ts: 10 + i, id: `command-${i}` });
    }
    await log.close();
    assert.ok(log.stats.segments > 2);
    assert.deepEqual(await openSessionAtTail(dir), { sid: 'long', lastTs: 29 });
  });
});
