import * as assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { mayRecord, type ConsentReceipt, type ConsentSnapshot } from '../../../src/consent/consentMachine';
import {
  ConsentRecordFile,
  ConsentRecordWatcher,
  NO_RECORD,
  parseConsentRecord,
  workspaceKey,
  type ConsentRecord,
  type WatchPlatform,
} from '../../../src/consent/consentRecord';
import type { Logger } from '../../../src/model/logger';
import { EventLog } from '../../../src/store/eventLog';
import { readLogAll } from '../../../src/store/reader';
import { removeDir, tempDir } from '../store/helpers';

const receipt: ConsentReceipt = {
  policyVersion: 'p1',
  categories: ['edits', 'files'],
  grantedAt: '2026-11-30T00:00:00.000Z',
  extensionVersion: '0.1.0',
  workspaceId: 'a'.repeat(64),
};
const recording: ConsentSnapshot = { state: 'recording', receipt };
const withdrawn: ConsentSnapshot = { state: 'withdrawn' };

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(`info ${m}`), warn: (m) => lines.push(`warn ${m}`), error: (m) => lines.push(`error ${String(m)}`) };
}

/** A watch platform the test drives by hand: no timers, no sleeps. */
function manualPlatform(): WatchPlatform & { fire(): void; tick(): void; watching: number } {
  const watchers = new Set<() => void>();
  const polls = new Set<() => void>();
  return {
    get watching() {
      return watchers.size;
    },
    watch: (_dir, onEvent) => {
      watchers.add(onEvent);
      return { close: () => watchers.delete(onEvent) };
    },
    every: (_ms, fn) => {
      polls.add(fn);
      return { cancel: () => polls.delete(fn) };
    },
    fire: () => watchers.forEach((f) => f()),
    tick: () => polls.forEach((f) => f()),
  };
}

describe('the shared consent record (one truth per workspace)', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await tempDir('candor-consent-');
    file = join(dir, 'workspaces', 'k', 'consent.json');
  });
  afterEach(() => removeDir(dir));

  it('is "no record" (off) until written, and a second window reads what the first wrote', async () => {
    const w1 = new ConsentRecordFile(file, { logger: recordingLogger() });
    const w2 = new ConsentRecordFile(file, { logger: recordingLogger() });
    assert.deepEqual(await w1.probe(), NO_RECORD);
    const written = await w1.update(() => ({ consent: recording, note: 'granted' }));
    assert.equal(written.rev, 1);
    const seen = await w2.probe();
    assert.equal(seen.rev, 1);
    assert.ok(mayRecord(seen.consent));
    assert.deepEqual(seen.consent, recording);
  });

  it('writes atomically (no temp file or lock left) and loses no revision when two windows write at once', async () => {
    const w1 = new ConsentRecordFile(file, { logger: recordingLogger() });
    const w2 = new ConsentRecordFile(file, { logger: recordingLogger() });
    const bump = (cur: ConsentRecord): { consent: ConsentSnapshot; note: string } => ({ consent: cur.consent, note: String(Number(cur.note ?? '0') + 1) });
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? w1 : w2).update(bump)));
    const final = await new ConsentRecordFile(file, { logger: recordingLogger() }).probe();
    assert.equal(final.rev, 20, 'every write got its own revision');
    assert.equal(final.note, '20', 'every write saw the one before it');
    assert.deepEqual(await readdir(join(dir, 'workspaces', 'k')), ['consent.json']);
  });

  it('never takes over a lock whose owner is still writing it (an empty, fresh lock file)', async () => {
    const { mkdir, unlink } = await import('node:fs/promises');
    await mkdir(join(dir, 'workspaces', 'k'), { recursive: true });
    await writeFile(`${file}.lock`, '');
    const logger = recordingLogger();
    const w = new ConsentRecordFile(file, { logger });
    const pending = w.update(() => ({ consent: recording }));
    // The owner finishes and releases; only then may the waiter write.
    setTimeout(() => void unlink(`${file}.lock`), 100);
    const rec = await pending;
    assert.equal(rec.rev, 1);
    assert.ok(!logger.lines.some((l) => l.includes('stale')), logger.lines.join('\n'));
  });

  it('takes over a lock left by a dead window', async () => {
    await writeFile(`${file}.lock`, '999999 abc').catch(async () => {
      const { mkdir } = await import('node:fs/promises');
      await mkdir(join(dir, 'workspaces', 'k'), { recursive: true });
      await writeFile(`${file}.lock`, '999999 abc');
    });
    const logger = recordingLogger();
    const w = new ConsentRecordFile(file, { logger, isAlive: () => false });
    const rec = await w.update(() => ({ consent: recording }));
    assert.equal(rec.rev, 1);
    assert.ok(logger.lines.some((l) => l.startsWith('warn') && l.includes('stale')));
  });

  it('reads a damaged record as no consent, says so in the log, and a watcher reports it', async () => {
    const w1 = new ConsentRecordFile(file, { logger: recordingLogger() });
    await w1.update(() => ({ consent: recording }));
    const logger = recordingLogger();
    const w2 = new ConsentRecordFile(file, { logger });
    await w2.probe();
    const platform = manualPlatform();
    const seen: ConsentRecord[] = [];
    const watcher = new ConsentRecordWatcher(w2, (r) => seen.push(r), logger, platform);
    await writeFile(file, '{"format":1,"rev":2,"consent":{"state":"recording"'); // torn by hand
    platform.fire();
    const reported = await watcher.check();
    assert.equal(reported, undefined, 'the watch event already reported it');
    assert.equal(seen.length, 1);
    assert.equal(seen[0].damaged, true);
    assert.equal(mayRecord(seen[0].consent), false, 'damaged never means consent');
    assert.ok(logger.lines.some((l) => l.startsWith('error') && l.includes('damaged')));
    // The next write continues the revisions instead of reusing one.
    const next = await w2.update(() => ({ consent: withdrawn }));
    assert.equal(next.rev, 2);
    watcher.dispose();
    assert.equal(platform.watching, 0, 'dispose closes the watch');
  });

  it('a watcher reports a withdrawal made in another window through the poll when the watch event is missed', async () => {
    const w1 = new ConsentRecordFile(file, { logger: recordingLogger() });
    const w2 = new ConsentRecordFile(file, { logger: recordingLogger() });
    await w1.update(() => ({ consent: recording }));
    await w2.probe();
    const platform = manualPlatform();
    const seen: ConsentRecord[] = [];
    const watcher = new ConsentRecordWatcher(w2, (r) => seen.push(r), recordingLogger(), platform);
    const own = await w2.update((cur) => ({ consent: cur.consent, note: 'own change' }));
    watcher.saw(own);
    assert.equal(await watcher.check(), undefined, 'a change this window made is not reported back to it');
    await w1.update(() => ({ consent: withdrawn, note: 'stopped by the developer' }));
    platform.tick(); // no watch event: the poll finds it
    const found = await watcher.check().then((r) => r ?? seen[seen.length - 1]);
    assert.equal(found.consent.state, 'withdrawn');
    assert.equal(found.note, 'stopped by the developer');
    assert.equal(seen.length, 1, 'reported once');
    watcher.dispose();
  });

  it('a log flush that can see a withdrawal writes nothing stamped after it (clock injected)', async () => {
    let clock = 1_000_000;
    const now = (): number => clock;
    const w1 = new ConsentRecordFile(file, { logger: recordingLogger(), now });
    const w2 = new ConsentRecordFile(file, { logger: recordingLogger(), now });
    await w1.update(() => ({ consent: recording }));
    await w2.probe();
    const logDir = join(dir, 'log');
    // As RecordingSession does: the first check that sees the withdrawal halts; the closing record passes.
    let halted = false;
    const log = await EventLog.open<{ t: string; ts: number; n: number }>({
      dir: logDir,
      now,
      flushIntervalMs: 3_600_000, // only explicit flushes
      beforeWrite: async () => {
        const rec = await w2.probe();
        if (!halted && !mayRecord(rec.consent)) {
          halted = true;
          log.discardAfter(rec.changedAt);
        }
      },
    });
    for (let n = 1; n <= 5; n++) {
      log.append({ t: 'x', ts: clock++, n });
    }
    await log.flush();
    for (let n = 6; n <= 8; n++) {
      log.append({ t: 'x', ts: clock++, n });
    }
    const withdrawnAt = clock;
    await w1.update(() => ({ consent: withdrawn }));
    clock++;
    for (let n = 9; n <= 28; n++) {
      log.append({ t: 'x', ts: clock++, n }); // 20 keys typed after the withdrawal
    }
    await log.flush();
    log.append({ t: 'stop', ts: clock++, n: 0 }); // the closing record, after the check
    await log.close();
    const records = (await readLogAll<{ t: string; ts: number; n: number }>(logDir)).entries;
    assert.deepEqual(records.map((r) => r.record.n), [1, 2, 3, 4, 5, 6, 7, 8, 0]);
    assert.ok(records.slice(0, 8).every((r) => r.record.ts <= withdrawnAt));
    assert.deepEqual(records.map((r) => r.seq), [1, 2, 3, 4, 5, 6, 7, 8, 9], 'seqs stay contiguous');
  });

  it('a workspace key is stable, order-free and path-free', () => {
    const a = workspaceKey(['file:///home/u/a', 'file:///home/u/b']);
    assert.equal(a, workspaceKey(['file:///home/u/b', 'file:///home/u/a']));
    assert.match(a, /^[0-9a-f]{32}$/);
    assert.notEqual(a, workspaceKey(['file:///home/u/a']));
  });

  it('property: nothing but a well-formed record with a full receipt ever parses to recording', () => {
    fc.assert(
      fc.property(fc.anything(), fc.constantFrom('recording', 'paused', 'withdrawn', 'off', 'consented'), (noise, state) => {
        for (const raw of [noise, { format: 1, rev: 1, changedAt: 1, epoch: 0, consent: { state, receipt: noise } }, { format: 1, rev: noise, changedAt: 1, epoch: 0, consent: recording }]) {
          let text: string;
          try {
            text = JSON.stringify(raw) ?? 'undefined';
          } catch {
            continue;
          }
          const parsed = parseConsentRecord(text);
          if (parsed !== undefined && mayRecord(parsed.consent)) {
            assert.equal(raw === noise, false, 'random values never parse as consent');
            assert.ok(typeof parsed.rev === 'number' && parsed.rev >= 1);
            assert.ok(parsed.consent.receipt !== undefined && parsed.consent.receipt.categories.length > 0);
          }
        }
      }),
      { numRuns: Number(process.env.CANDOR_FC_RUNS ?? 300) },
    );
  });

  it('stores the record as one JSON object with a format number (documented shape)', async () => {
    const w = new ConsentRecordFile(file, { logger: recordingLogger(), now: () => 42 });
    await w.update(() => ({ consent: recording, note: 'granted' }));
    const stored = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(stored).sort(), ['changedAt', 'consent', 'epoch', 'format', 'note', 'rev']);
    assert.equal(stored['changedAt'], 42);
  });
});
