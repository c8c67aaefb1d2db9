/**
 * Generated malformed logs (a seeded PRNG: every case is reproducible from its number). Each case
 * damages one record of a valid log, or inserts something that is no record at all, in one of
 * the ways listed in KINDS. Checksums are recomputed unless the damage is to the frame itself, so
 * cases reach the canonical-form, range, schema and meaning checks. For each case:
 *
 * - `candor log verify` and `log stats` (in-process, as a shell would run them) never throw,
 *   print a clear result (exit 1 and the damage named; stats exit 0) and keep every other record;
 * - the extension's path (the writer's recovery, which repairs) never throws, keeps every record
 *   whose frame is sound, and leaves a log that reads back clean with exactly those records.
 */
import * as assert from 'node:assert/strict';
import { access, constants, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventLog } from '../../../src/store/eventLog';
import { crc32, hex8 } from '../../../src/store/framing';
import { readLogAll } from '../../../src/store/reader';
import { recoverLog } from '../../../src/store/recovery';
import { EVENT_SPECS } from '../../../src/bundle/validate';
import type { CandorEvent } from '../../../src/model/events';
import { noSyncFs } from '../store/helpers';
import { runCli } from './runCli';
import { sampleSession, segmentName } from './logFiles';
import { prng } from '../prng';


interface Rng {
  int(max: number): number;
  pick<T>(items: readonly T[]): T;
}

function rngOf(seed: number): Rng {
  const next = prng(seed);
  return {
    int: (max) => Math.floor(next() * max),
    pick: (items) => items[Math.floor(next() * items.length)],
  };
}

/** A line framed around `body` exactly as given, its checksum recomputed over it. */
function framed(seq: string, body: string | Buffer): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const head = Buffer.from(`${seq}\t`);
  const crc = hex8(crc32(Buffer.concat([head, b])));
  return Buffer.concat([head, Buffer.from(`${crc}\t`), b, Buffer.from('\n')]);
}

/** One item of a segment: a record line (with the seq it carries, if it is still that record) or inserted bytes. */
interface Piece {
  bytes: Buffer;
  /** The original record's seq, or undefined for inserted bytes. */
  readonly seq: number | undefined;
}

type Segment = { kind: 'file'; pieces: Piece[] } | { kind: 'dir' };

interface Case {
  readonly segments: Segment[];
  /** Seqs the CLI must still read (valid events). */
  readonly cliSeqs: readonly number[];
  /** Seqs the store (the extension's recovery) must keep: sound frames, valid or not as events. */
  readonly storeSeqs: readonly number[];
}

/** How the one damaged record is damaged: `frame` cases are lost to the store too, `event` cases only to the CLI. */
type Level = 'frame' | 'event' | 'insert';

interface Kind {
  readonly name: string;
  readonly level: Level;
  /** Damages record `e` (as JSON text / object) or returns bytes to insert. */
  readonly make: (rng: Rng, ev: CandorEvent, seq: number, line: Buffer) => Buffer;
}

const json = (v: unknown): string => JSON.stringify(v);
const withField = (ev: CandorEvent, key: string, value: unknown): string => json({ ...ev, [key]: value });
/** `ev` with `"key":<raw>` inserted first, as raw JSON text. */
const withRawField = (ev: CandorEvent, key: string, raw: string): string => `{${json(key)}:${raw},${json(ev).slice(1)}`;
const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

const HUGE_TS = ['8640000000000001', '9007199254740991', '9007199254740993', '1e+21', '1.7976931348623157e+308', '-8640000000000001', '-1e+300'];
const BAD_SEQS = ['0', '-1', '01', '+1', '1.0', '1e3', '12345678901234567', '9007199254740993', 'x', '', ' 1'];
/** Values no field of any event accepts (checked by the validators, so each is wrong wherever it goes). */
const WRONG_VALUES: readonly unknown[] = [null, {}, { a: 1 }, [[1]], [[1, 2, 3, 4]], 1.5, 2 ** 53, -0.5];

const KINDS: readonly Kind[] = [
  {
    name: 'a byte flipped (checksum not recomputed)',
    level: 'frame',
    make: (rng, _ev, _seq, line) => {
      const out = Buffer.from(line);
      const at = rng.int(line.length - 1); // never the LF
      out[at] = (out[at] + 1 + rng.int(254)) & 0xff;
      if (out[at] === 0x0a) {
        out[at] = 0x0b;
      }
      return out;
    },
  },
  {
    // A digit: the record before loses its end to the next one's seq. (Any other byte leaves both
    // records whole, found again by the next one's header: nothing is lost, nothing reported.)
    name: 'its LF replaced (two lines merged)',
    level: 'frame',
    make: (rng, _ev, _seq, line) => {
      const out = Buffer.from(line);
      out[out.length - 1] = 0x31 + rng.int(9);
      return out;
    },
  },
  {
    name: 'truncated with a new LF',
    level: 'frame',
    make: (rng, _ev, _seq, line) => Buffer.concat([line.subarray(0, 1 + rng.int(line.length - 2)), Buffer.from('\n')]),
  },
  { name: 'CRLF', level: 'frame', make: (_r, ev, seq) => framed(String(seq), json(ev) + '\r') },
  { name: 'a CR inside', level: 'frame', make: (_r, ev, seq) => framed(String(seq), json(ev).replace(',', ',\r')) },
  { name: 'whitespace', level: 'frame', make: (rng, ev, seq) => framed(String(seq), json(ev).replace(':', rng.pick([': ', ' :', ':\t']))) },
  {
    name: 'a duplicate key',
    level: 'frame',
    make: (rng, ev, seq) => {
      const key = rng.pick(Object.keys(ev));
      return framed(String(seq), withRawField(ev, key, json((ev as unknown as Record<string, unknown>)[key])));
    },
  },
  { name: 'a seq field in the event', level: 'event', make: (rng, ev, seq) => framed(String(seq), withRawField(ev, 'seq', String(seq + 1 + rng.int(5)))) },
  { name: 'a non-canonical number', level: 'frame', make: (rng, ev, seq) => framed(String(seq), json(ev).replace(/"ts":(\d+)/, (_m, d: string) => `"ts":${rng.pick([`${d}.0`, `${d}e0`, `0${d}`])}`)) },
  {
    name: 'a needless escape',
    level: 'frame',
    make: (rng, ev, seq) =>
      framed(String(seq), rng.int(2) === 0 ? json(ev).replace(/"t":"(.)/, (_m, c: string) => `"t":"\\u00${c.charCodeAt(0).toString(16)}`) : json({ ...ev, z: 'a/b' }).replace('a/b', 'a\\/b')),
  },
  {
    name: 'invalid UTF-8',
    level: 'frame',
    make: (rng, ev, seq) => {
      const text = Buffer.from(json({ ...ev, zz: 'XY' }));
      const at = text.indexOf('XY');
      const bad = Buffer.from(rng.pick([[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf0, 0x90, 0x80], [0x80]]));
      return framed(String(seq), Buffer.concat([text.subarray(0, at), bad, text.subarray(at + 2)]));
    },
  },
  { name: 'a ts beyond the Date range', level: 'frame', make: (rng, ev, seq) => framed(String(seq), json(ev).replace(/"ts":\d+/, `"ts":${rng.pick(HUGE_TS)}`)) },
  { name: 'a ts that is not a number', level: 'frame', make: (rng, ev, seq) => framed(String(seq), json({ ...ev, ts: rng.pick(['1', null, [], {}, true]) })) },
  { name: 'no ts', level: 'frame', make: (_r, ev, seq) => framed(String(seq), json({ ...ev, ts: undefined })) },
  { name: 'nesting past the limit', level: 'frame', make: (rng, ev, seq) => framed(String(seq), withRawField(ev, 'x', nested(rng.pick([64, 65, 1000, 100_000])))) },
  { name: 'not an object', level: 'frame', make: (rng, _ev, seq) => framed(String(seq), rng.pick(['[]', '1', '"x"', 'null', '[{"ts":1}]', '{', '{"ts":1}}', ''])) },
  { name: 'a bad seq', level: 'frame', make: (rng, ev) => framed(rng.pick(BAD_SEQS), json(ev)) },
  { name: 'a repeated seq', level: 'frame', make: (_r, ev, seq) => framed(String(seq - 1), json(ev)) },
  {
    name: 'a wrong field type',
    level: 'event',
    make: (rng, ev, seq) => {
      const keys = Object.keys(ev).filter((k) => k !== 'ts' && k !== 't');
      return framed(String(seq), withField(ev, keys.length > 0 ? rng.pick(keys) : 'id', rng.pick(WRONG_VALUES)));
    },
  },
  { name: 'a __proto__ key', level: 'event', make: (rng, ev, seq) => framed(String(seq), withRawField(ev, '__proto__', rng.pick(['{"polluted":true}', 'null', '[]', '1']))) },
  { name: 'a constructor key', level: 'event', make: (_r, ev, seq) => framed(String(seq), withField(ev, 'constructor', { prototype: { polluted: true } })) },
  { name: 'an unknown type', level: 'event', make: (rng, ev, seq) => framed(String(seq), withField(ev, 't', rng.pick(['nope', '', 'EDIT', '__proto__', 7]))) },
  { name: 'an unknown field', level: 'event', make: (rng, ev, seq) => framed(String(seq), withField(ev, rng.pick(['x', 'seq', 'hasOwnProperty', '\u001b[2J']), 1)) },
  {
    name: 'a missing field',
    level: 'event',
    make: (rng, ev, seq) => framed(String(seq), withField(ev, rng.pick(['t', ...Object.keys(EVENT_SPECS[ev.t].required)]), undefined)),
  },
  { name: 'a negative or fractional ts', level: 'event', make: (rng, ev, seq) => framed(String(seq), json({ ...ev, ts: rng.pick([-1, -8.64e15, 0.5, 1e15 + 0.25]) })) },
  {
    // Canonical and shallow enough for the frame: the validators must refuse it without recursing.
    name: 'nesting within the limit',
    level: 'event',
    make: (rng, ev, seq) => framed(String(seq), withField(ev, ev.t === 'edit' ? 'c' : ev.t === 'sel' ? 's' : 'x', JSON.parse(nested(1 + rng.int(62))))),
  },
  {
    name: 'a hostile path',
    level: 'event',
    make: (rng, ev, seq) =>
      framed(String(seq), json({ t: 'file', ts: ev.ts, op: 'open', f: rng.pick(['/etc/passwd', '../x', 'a/../../b', 'C:\\x', '..\\..\\etc', 'a\u0000b', 'a\nb', 'a\u202eb', 'a\u001b[2Jb']) })),
  },
  { name: 'a blank-line flood', level: 'insert', make: (rng) => Buffer.alloc(1 + rng.int(rng.pick([3, 300, 30_000])), 0x0a) },
  {
    name: 'binary garbage',
    level: 'insert',
    make: (rng) => {
      const out = Buffer.alloc(1 + rng.int(rng.pick([8, 200, 5000])));
      for (let i = 0; i < out.length; i++) {
        out[i] = rng.int(256);
      }
      out[out.length - 1] = 0x0a;
      return out;
    },
  },
  {
    name: 'a forged header in garbage',
    level: 'insert',
    make: (rng) => Buffer.from(`${1 + rng.int(50)}\t${hex8(rng.int(2 ** 32))}\t{"t":"cmd","ts":1,"id":"x"}\t00000000\t\n`),
  },
  { name: 'a directory as a segment', level: 'insert', make: () => Buffer.alloc(0) },
];

/** The base log: the sample session (14 events) split over two segments at a random record. */
function buildCase(index: number): { kind: Kind; c: Case } {
  const rng = rngOf(0xc0ffee + index * 7919);
  const kind = KINDS[index % KINDS.length];
  const events = sampleSession().events;
  const n = events.length;
  const lines = events.map((e, k) => framed(String(k + 1), json(e)));
  const split = 1 + rng.int(n - 1);
  const pieces: Piece[] = lines.map((bytes, k) => ({ bytes, seq: k + 1 }));
  const all = Array.from({ length: n }, (_, k) => k + 1);
  let segments: Segment[];
  let cliSeqs = all;
  let storeSeqs = all;
  if (kind.level === 'insert') {
    const at = rng.int(n + 1);
    if (kind.name === 'a directory as a segment') {
      segments = [{ kind: 'file', pieces: pieces.slice(0, at) }, { kind: 'dir' }, { kind: 'file', pieces: pieces.slice(at) }];
    } else {
      pieces.splice(at, 0, { bytes: kind.make(rng, events[0], 0, lines[0]), seq: undefined });
      segments = [{ kind: 'file', pieces: pieces.slice(0, split + (at <= split ? 1 : 0)) }, { kind: 'file', pieces: pieces.slice(split + (at <= split ? 1 : 0)) }];
    }
  } else {
    // A repeated seq needs a record before it; merging two lines needs one after it.
    const k = kind.name === 'a repeated seq' ? 1 + rng.int(n - 1) : kind.name === 'its LF replaced (two lines merged)' ? rng.int(n - 1) : rng.int(n);
    const seq = k + 1;
    pieces[k] = { bytes: kind.make(rng, events[k], seq, lines[k]), seq };
    cliSeqs = all.filter((s) => s !== seq);
    storeSeqs = kind.level === 'frame' ? cliSeqs : all;
    // Merged lines stay in one segment so that the merge is real.
    const cut = kind.name === 'its LF replaced (two lines merged)' && split === k + 1 ? split + 1 : split;
    segments = [{ kind: 'file', pieces: pieces.slice(0, cut) }, { kind: 'file', pieces: pieces.slice(cut) }];
  }
  return { kind, c: { segments, cliSeqs, storeSeqs } };
}

async function writeCase(dir: string, c: Case): Promise<void> {
  for (let s = 0; s < c.segments.length; s++) {
    const seg = c.segments[s];
    const path = join(dir, segmentName(s + 1));
    if (seg.kind === 'dir') {
      await mkdir(path);
      await writeFile(join(path, 'inside'), 'x');
    } else {
      await writeFile(path, Buffer.concat(seg.pieces.map((p) => p.bytes)));
    }
  }
}

/**
 * A RAM-backed temp folder where there is one (Linux: /dev/shm): thousands of tiny logs are
 * written, read and deleted, and on a busy disk the syscalls cost more than the checks.
 */
async function fastTempRoot(): Promise<string> {
  for (const base of ['/dev/shm', tmpdir()]) {
    try {
      await access(base, constants.W_OK);
      return await mkdtemp(join(base, 'candor-log-adv-'));
    } catch {
      // next
    }
  }
  return mkdtemp(join(tmpdir(), 'candor-log-adv-'));
}

const CASES = Math.max(2048, Number(process.env['CANDOR_LOG_CASES'] ?? 0) || 0);
/** Whether `text` holds a control character other than LF (C0, DEL, C1). */
function hasControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x0a) || (c >= 0x7f && c <= 0x9f)) {
      return true;
    }
  }
  return false;
}

describe('candor log verify/stats and recovery on generated malformed logs', function () {
  this.timeout(120_000);
  let root: string;
  before(async () => {
    root = await fastTempRoot();
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it(`${CASES} cases, ${KINDS.length} kinds: no throw, a clear result, only the damaged record lost`, async () => {
    const seen = new Map<string, number>();
    const expected = sampleSession().events.map((e) => json(e));
    for (let i = 0; i < CASES; i++) {
      const { kind, c } = buildCase(i);
      const label = `case ${i} (${kind.name})`;
      seen.set(kind.name, (seen.get(kind.name) ?? 0) + 1);
      const dir = join(root, String(i));
      await mkdir(dir);
      await writeCase(dir, c);
      try {
        const verify = await runCli(['log', 'verify', dir, '--json'], { cwd: root });
        assert.equal(verify.stderr, '', label);
        assert.equal(verify.code, 1, `${label}: ${verify.stdout}`);
        const v = JSON.parse(verify.stdout) as { ok: boolean; records: number; damaged: unknown[] };
        assert.equal(v.ok, false, label);
        assert.equal(v.records, c.cliSeqs.length, `${label}: ${verify.stdout}`);
        assert.ok(v.damaged.length >= 1, label);

        if (i % 2 === 0) {
          // The text output of every other case (the two outputs come from one report).
          const text = await runCli(['log', 'verify', dir], { cwd: root });
          assert.equal(text.code, 1, label);
          assert.match(text.stdout, /^FAILED: /m, label);
          assert.ok(!hasControl(text.stdout), `${label}: raw control character in ${JSON.stringify(text.stdout)}`);
        }

        const stats = await runCli(['log', 'stats', dir, '--json'], { cwd: root });
        assert.equal(stats.code, 0, `${label}: ${stats.stderr}`);
        const s = JSON.parse(stats.stdout) as { records: number; damaged: number; seq: { first: number; last: number } | null };
        assert.equal(s.records, c.cliSeqs.length, label);
        assert.ok(s.damaged >= 1, label);

        // The extension's path: the writer's recovery repairs; then the log reads back clean.
        const useWriter = i % 8 === 0;
        if (useWriter) {
          const log = await EventLog.open<CandorEvent>({ dir, fs: noSyncFs() });
          assert.equal(log.recovery.records, c.storeSeqs.length, label);
          await log.close();
        } else {
          const report = await recoverLog(dir, { repair: true, fs: noSyncFs() });
          assert.equal(report.records, c.storeSeqs.length, label);
          assert.ok(report.dropped.length >= 1 || kind.level === 'event', label);
        }
        const { entries, damaged } = await readLogAll<CandorEvent>(dir);
        assert.deepEqual(damaged, [], `${label}: damage left after repair`);
        assert.deepEqual(entries.map((e) => e.seq), c.storeSeqs, label);
        for (const e of entries) {
          if (kind.level !== 'event' || c.cliSeqs.includes(e.seq)) {
            assert.equal(json(e.record), expected[e.seq - 1], `${label}: seq ${e.seq} changed`);
          }
        }
        assert.equal(({} as { polluted?: unknown }).polluted, undefined, label);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
    assert.equal(seen.size, KINDS.length);
  });
});
