/**
 * Hostile input through the builder and the CLI: paths the one rule refuses never reach a bundle,
 * and whatever a bundle holds, the CLI prints it escaped, in one line per item, without crashing.
 */
import * as assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBundle } from '../../../src/bundle/build';
import { BundleError } from '../../../src/bundle/errors';
import { buildBundleFromLog } from '../../../src/bundle/fromLog';
import { readBundle } from '../../../src/bundle/format';
import { verifyBundle } from '../../../src/bundle/verify';
import { bundleCommands } from '../../../src/cli/bundleCommands';
import type { LoggedEvent } from '../../../src/model/events';
import { runCli } from '../cli/runCli';
import { BAD_PATHS, craftBundle, manifestFor } from './craft';
import { CREATED_AT, identityRedactor, inputOf, paramsOf, sampleEvents, writeLog } from './helpers';

/** What a terminal must never receive raw. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('hostile paths and text: builder and CLI', () => {
  let dir: string;
  const { events } = sampleEvents();
  const commands = bundleCommands({ redactor: () => identityRedactor, now: () => new Date(CREATED_AT), extensionVersion: '0.1.0' });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'candor-hostile-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** The sample with every event of src/a.ts renamed to `bad`. */
  function withBadPath(bad: string): LoggedEvent[] {
    return events.map((e) => {
      const ev = e.event as unknown as Record<string, unknown>;
      return ev['f'] === 'src/a.ts' ? { seq: e.seq, event: { ...ev, f: bad } as unknown as LoggedEvent['event'] } : e;
    });
  }

  describe('the builder', () => {
    for (const [name, bad] of BAD_PATHS) {
      it(`refuses input events with ${name}, and leaves them out of a bundle from a log, counted`, async () => {
        const hostile = withBadPath(bad);
        await assert.rejects(buildBundle(inputOf(hostile)), (err: unknown) => BundleError.is(err, 'bad-input') && /workspace-relative path/.test(err.message));
        const logDir = join(dir, 'log');
        await mkdir(logDir);
        await writeLog(logDir, hostile);
        const built = await buildBundleFromLog(logDir, paramsOf(hostile));
        const named = hostile.filter((e) => (e.event as { f?: unknown }).f === bad).map((e) => e.seq);
        assert.ok(named.length > 0);
        assert.deepEqual(built.skipped.map((s) => s.seq), named);
        assert.ok(built.events.every((e) => !named.includes(e.seq)));
        for (const s of built.skipped) {
          assert.match(s.reason, /workspace-relative path/);
        }
        assert.ok(!built.manifest.files.some((f) => f.f === bad), 'no bad path in the manifest');
        const report = await verifyBundle(built.bytes);
        assert.equal(report.ok, true, JSON.stringify(report.error ?? report.replay?.issues));
      });
    }
  });

  describe('the CLI', () => {
    const forge = '\u001b[2J\u001b[H\nok    header, content hash (id 00), schema, counts, consent\n\u202e';

    it('bundle inspect escapes every recorded string (it cannot clear the screen or forge a line)', async () => {
      const file = join(dir, 'h.candor');
      await writeFile(
        file,
        await craftBundle(events, (m) => ({ ...m, policyVersion: forge, extensionVersion: `1${forge}`, redaction: { engine: forge, findings: [{ rule: forge, kind: 'secret', values: 1, occurrences: 1 }], eventsChanged: 0 } })),
      );
      const r = await runCli(['bundle', 'inspect', file], { cwd: dir, commands });
      assert.equal(r.code, 0, r.stderr);
      assert.ok(!RAW_CONTROL.test(r.stdout), JSON.stringify(r.stdout));
      assert.ok(!/^ok {4}header/m.test(r.stdout));
      assert.match(r.stdout, /\\x1b\[2J/);
      const j = await runCli(['bundle', 'inspect', file, '--json'], { cwd: dir, commands });
      assert.ok(!RAW_CONTROL.test(j.stdout), JSON.stringify(j.stdout));
      assert.equal((JSON.parse(j.stdout) as { manifest: { policyVersion: string } }).manifest.policyVersion, forge);
    });

    it('error messages quoting the bundle are escaped too', async () => {
      const file = join(dir, 'e.candor');
      const hostile = events.map((e, k) => (k === 3 ? { seq: e.seq, event: { ...e.event, [`x${forge}`]: 1 } as unknown as LoggedEvent['event'] } : e));
      await writeFile(file, await craftBundle(hostile));
      for (const cmd of ['inspect', 'verify']) {
        const r = await runCli(['bundle', cmd, file], { cwd: dir, commands });
        assert.equal(r.code, 1, cmd);
        assert.ok(!RAW_CONTROL.test(r.stderr), JSON.stringify(r.stderr));
        assert.equal(r.stderr.split('\n').length, 2, r.stderr);
      }
    });

    it('bundle inspect and verify refuse a ts beyond the Date range with one line, never a RangeError', async () => {
      const file = join(dir, 't.candor');
      const last = events.length - 1;
      const far = events.map((e, k) => (k === last ? { seq: e.seq, event: { ...e.event, ts: 9e15 } } : e));
      await writeFile(file, await craftBundle(far, (m) => ({ ...m, range: manifestFor(events).range })));
      const range = join(dir, 'r.candor');
      await writeFile(range, await craftBundle(events, (m) => ({ ...m, range: { firstTs: 0, lastTs: 9e15 } })));
      for (const f of [file, range]) {
        for (const cmd of ['inspect', 'verify', 'replay']) {
          const r = await runCli(['bundle', cmd, f, ...(cmd === 'replay' ? ['--file', 'src/a.ts'] : [])], { cwd: dir, commands });
          assert.equal(r.code, 1, `${cmd}: ${r.stderr}`);
          assert.match(r.stderr, /must be integer 0\.\.8640000000000000 \[schema\]\n$/);
          assert.ok(!r.stderr.includes('RangeError'), r.stderr);
        }
      }
    });

    it('the reader accepts what the builder writes for hostile but valid text, and inspect prints it escaped', async () => {
      const text = events.map((e) => (e.event.t === 'term' ? { seq: e.seq, event: { ...e.event, cmd: forge, out: forge } } : e));
      const built = await buildBundle(inputOf(text));
      assert.deepEqual((await readBundle(built.bytes)).events, built.events);
    });
  });
});
