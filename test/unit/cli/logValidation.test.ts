/**
 * `candor log verify` and `log stats` on logs whose frames are intact (checksums recomputed) but
 * whose records are not Candor events, or are not in the writer's form, or are not files at all.
 */
import * as assert from 'node:assert/strict';
import { appendFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32, hex8 } from '../../../src/store/framing';
import { runCli } from './runCli';
import type { RunResult } from './runCli';
import { frame, sampleSession, segmentName, tempDir, writeSegments } from './logFiles';

/** A line framed around `json` exactly as given. */
function rawLine(seq: number, json: string, eol = '\n'): string {
  // The checksum covers whatever precedes the LF (a CR too): these lines pass the CRC on purpose.
  const body = json + eol.slice(0, -1);
  return `${seq}\t${hex8(crc32(`${seq}\t${body}`))}\t${body}\n`;
}

interface VerifyJson {
  ok: boolean;
  records: number;
  damaged: { segment: string; reason: string; seq?: number; detail?: string }[];
  gaps: { from: number; to: number }[];
}

interface StatsJson {
  records: number;
  damaged: number;
  time: { first: string; last: string } | null;
  byType: Record<string, number>;
}

describe('candor log verify/stats: records that are not valid events', () => {
  let root: string;
  let cleanup: () => Promise<void>;
  let dir: string;
  const session = sampleSession();
  const n = session.events.length;

  const run = (argv: string[]): Promise<RunResult> => runCli(argv, { cwd: root });

  async function verify(): Promise<{ r: RunResult; report: VerifyJson }> {
    const r = await run(['log', 'verify', dir, '--json']);
    return { r, report: JSON.parse(r.stdout) as VerifyJson };
  }

  async function stats(): Promise<StatsJson> {
    const r = await run(['log', 'stats', dir, '--json']);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as StatsJson;
  }

  beforeEach(async () => {
    ({ path: root, cleanup } = await tempDir());
    dir = join(root, 'log');
    await mkdir(dir);
    await writeSegments(dir, [session.events]);
  });

  afterEach(async () => {
    await cleanup();
  });

  /** Appends `json` as seq n+1 and a valid record after it (seq n+2). */
  async function appendBad(json: string): Promise<void> {
    await appendFile(join(dir, segmentName(1)), rawLine(n + 1, json) + frame(n + 2, { t: 'cmd', ts: 5, id: 'after' }));
  }

  const wrongTypes: [string, string, RegExp][] = [
    ['edit changes as a string', '{"t":"edit","ts":1,"f":"a.ts","v":1,"c":"x"}', /\$\.c: must be array of \[offset, length, text\]/],
    ['snap version as a string', '{"t":"snap","ts":1,"f":"a.ts","v":"1","text":""}', /\$\.v: must be integer >= 0/],
    ['session without sid', '{"t":"session","ts":1,"op":"start"}', /needs 'sid'/],
    ['an unknown type', '{"t":"nope","ts":1}', /unknown event type/],
    ['no type', '{"ts":1}', /unknown event type/],
    ['an absolute path', '{"t":"file","ts":1,"op":"open","f":"/etc/passwd"}', /\$\.f: must be workspace-relative path/],
    ['a negative ts', '{"t":"cmd","ts":-1,"id":"x"}', /\$\.ts: must be integer/],
    ['a fractional ts', '{"t":"cmd","ts":1.5,"id":"x"}', /\$\.ts: must be integer/],
    ['an extra field', '{"t":"cmd","ts":1,"id":"x","extra":1}', /field 'extra' is not part of a 'cmd' event/],
    ['a __proto__ key', '{"t":"cmd","ts":1,"id":"x","__proto__":{"polluted":true}}', /field '__proto__' is not part/],
  ];
  for (const [name, json, message] of wrongTypes) {
    it(`rejects ${name} as a bad record, keeps the rest, and stats leaves it out`, async () => {
      await appendBad(json);
      const { r, report } = await verify();
      assert.equal(r.code, 1, r.stdout);
      assert.equal(report.ok, false);
      assert.equal(report.records, n + 1);
      assert.equal(report.damaged.length, 1);
      assert.equal(report.damaged[0].reason, 'bad-record');
      assert.equal(report.damaged[0].seq, n + 1);
      assert.match(report.damaged[0].detail ?? '', message);
      assert.deepEqual(report.gaps, [{ from: n + 1, to: n + 1 }]);
      const text = await run(['log', 'verify', dir]);
      assert.match(text.stdout, new RegExp(`bad-record \\(claims seq ${n + 1}\\): `));
      const s = await stats();
      assert.equal(s.records, n + 1);
      assert.equal(s.damaged, 1);
      assert.equal(({} as { polluted?: unknown }).polluted, undefined);
    });
  }

  it('rejects a ts beyond the Date range; stats does not crash on it', async () => {
    for (const ts of ['8640000000000001', '9007199254740991', '-8640000000000001', '1e+308']) {
      await writeSegments(dir, [session.events]);
      await appendBad(`{"t":"cmd","ts":${ts},"id":"x"}`);
      const { r, report } = await verify();
      assert.equal(r.code, 1, ts);
      assert.deepEqual(report.damaged.map((d) => [d.reason, d.seq]), [['bad-json', n + 1]], ts);
      const s = await stats();
      assert.equal(s.records, n + 1);
      assert.equal(s.time?.first, '1970-01-01T00:00:00.005Z'); // the valid record after it
      assert.equal(s.time?.last, '2025-11-30T10:00:00.120Z');
    }
  });

  it('prints the latest time the Date range allows', async () => {
    await appendBad('{"t":"cmd","ts":8640000000000000,"id":"x"}');
    const s = await stats();
    assert.equal(s.time?.last, '+275760-09-13T00:00:00.000Z');
    assert.equal((await verify()).r.code, 0);
  });

  it('rejects 10^5 nesting without blowing the stack', async () => {
    await appendBad(`{"t":"cmd","ts":1,"id":"x","c":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    const { r, report } = await verify();
    assert.equal(r.code, 1);
    assert.deepEqual(report.damaged.map((d) => [d.reason, d.seq]), [['bad-json', n + 1]]);
    assert.equal((await stats()).records, n + 1);
  });

  it('rejects a log rewritten with CRLF line ends, every record of it', async () => {
    const lines = session.events.map((e, k) => rawLine(k + 1, JSON.stringify(e), '\r\n'));
    await writeFile(join(dir, segmentName(1)), lines.join(''));
    const { r, report } = await verify();
    assert.equal(r.code, 1);
    assert.equal(report.records, 0);
    assert.deepEqual(new Set(report.damaged.map((d) => d.reason)), new Set(['non-canonical']));
    assert.equal(report.damaged.length, n);
  });

  it('rejects a duplicate key that another parser would read differently', async () => {
    await appendBad('{"t":"cmd","ts":1,"id":"x","id":"y"}');
    const { report } = await verify();
    assert.deepEqual(report.damaged.map((d) => [d.reason, d.seq]), [['non-canonical', n + 1]]);
  });

  it('reports 200,000 appended blank lines as one damaged span', async () => {
    await appendFile(join(dir, segmentName(1)), '\n'.repeat(200_000));
    const { r, report } = await verify();
    assert.equal(r.code, 1);
    assert.equal(report.records, n);
    assert.deepEqual(report.damaged.map((d) => d.reason), ['bad-frame']);
    assert.equal((await stats()).damaged, 1);
  });

  it('reports a segment that is a directory, and still checks the others', async () => {
    await mkdir(join(dir, segmentName(2)));
    await writeFile(join(dir, segmentName(3)), frame(n + 1, { t: 'cmd', ts: 5, id: 'after' }));
    const { r, report } = await verify();
    assert.equal(r.code, 1);
    assert.equal(report.records, n + 1);
    assert.deepEqual(report.damaged.map((d) => [d.segment, d.reason]), [[segmentName(2), 'not-a-file']]);
    const text = await run(['log', 'verify', dir]);
    assert.match(text.stdout, /seg-000002\.log: not a file/);
    assert.equal((await stats()).records, n + 1);
  });

  it('escapes control characters of recorded text in what it prints', async () => {
    await appendBad('{"t":"cmd","ts":1,"id":"x","\\u001b[2J\\rOK: forged":1}');
    const r = await run(['log', 'verify', dir]);
    assert.equal(r.code, 1);
    assert.ok(![...r.stdout].some((ch) => ch < ' ' && ch !== '\n'), JSON.stringify(r.stdout));
    assert.match(r.stdout, /bad-record \(claims seq \d+\): .*2J.*OK: forged/);
    assert.doesNotMatch(r.stdout, /^OK: /m);
  });
});
