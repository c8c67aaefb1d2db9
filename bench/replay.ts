import type { CandorEvent, Change, LoggedEvent } from '../src/model/events';
import { ChunkedTextBuffer } from '../src/replay/buffer';
import { sha256Hex } from '../src/replay/hash';
import { Replayer } from '../src/replay/replayer';
import type { BenchRow, BenchSection } from './harness';
import { interleave, timeMs } from './harness';
import { prng } from '../test/unit/prng';

const REPLAY_BUDGET_EVENTS_PER_S = 250_000;
const PARSE_RATIO_BUDGET = 3;


/** Lines of ordinary code the generated typing is made of. */
export const SOURCE_LINES = [
  'export function handle(request: Request): Response {',
  '  const items = request.items.filter((x) => x.enabled);',
  '  for (const item of items) {',
  '    total += item.price * item.quantity; // running sum',
  '  }',
  "  return { status: 200, body: JSON.stringify({ total, note: 'ok' }) };",
  '}',
  '',
];

function sourceText(size: number, rnd: () => number): string {
  const parts: string[] = [];
  let n = 0;
  while (n < size) {
    const line = SOURCE_LINES[Math.floor(rnd() * SOURCE_LINES.length)] + '\n';
    parts.push(line);
    n += line.length;
  }
  return parts.join('').slice(0, size);
}

/**
 * A realistic typing stream: a few files of 5–50 KB, bursts of one-character inserts at a cursor,
 * backspaces, newlines with indentation, occasional cursor jumps, file switches and undos, and a
 * checkpoint (with the real hash) every 100 edits of a file. About 1% of the events are
 * checkpoints and snapshots; the rest are edits.
 */
export function typingStream(count: number, seed = 1): LoggedEvent[] {
  const rnd = prng(seed);
  const sizes = [5_000, 12_000, 30_000, 50_000];
  const files = sizes.map((size, k) => {
    const text = sourceText(size, rnd);
    // The model that supplies checkpoint hashes; a different chunk size than replay's default,
    // so the two do not share chunk boundaries.
    return { f: `src/module${k}.ts`, text, model: new ChunkedTextBuffer(text, { maxChunk: 512 }), v: 1, cursor: size >> 1, edits: 0 };
  });
  const out: LoggedEvent[] = [];
  let seq = 0;
  let ts = 1_700_000_000_000;
  const push = (event: CandorEvent): void => {
    out.push({ seq: ++seq, event });
  };
  for (const file of files) {
    push({ t: 'snap', ts, f: file.f, v: file.v, text: file.text });
  }
  let active = files[0];
  let lastInsert: Change | undefined;
  while (out.length < count) {
    ts += 40 + Math.floor(rnd() * 200);
    if (rnd() < 0.003) {
      active = files[Math.floor(rnd() * files.length)]!;
    }
    if (rnd() < 0.02) {
      active.cursor = Math.floor(rnd() * (active.model.length + 1));
    }
    const roll = rnd();
    let change: Change;
    let r: 'undo' | undefined;
    if (roll < 0.08 && active.cursor > 0) {
      change = [active.cursor - 1, 1, ''];
    } else if (roll < 0.09 && lastInsert !== undefined && lastInsert[0] + lastInsert[2].length <= active.model.length) {
      // Undo of the last insert: VS Code reports it as a change removing the inserted text.
      change = [lastInsert[0], lastInsert[2].length, ''];
      r = 'undo';
    } else if (roll < 0.12) {
      change = [active.cursor, 0, '\n    '];
    } else {
      change = [active.cursor, 0, String.fromCharCode(97 + Math.floor(rnd() * 26))];
    }
    active.model.apply(change[0], change[1], change[2]);
    active.cursor = change[0] + change[2].length;
    lastInsert = change[2].length > 0 ? change : undefined;
    active.v++;
    push(r === undefined ? { t: 'edit', ts, f: active.f, v: active.v, c: [change] } : { t: 'edit', ts, f: active.f, v: active.v, c: [change], r });
    active.edits++;
    if (active.edits % 100 === 0) {
      push({ t: 'ckpt', ts, f: active.f, v: active.v, h: sha256Hex(active.model.getText()), why: 'every' });
    }
  }
  return out.slice(0, count);
}

function replayAll(events: readonly LoggedEvent[]): Replayer {
  const replayer = new Replayer();
  for (const e of events) {
    replayer.apply(e);
  }
  replayer.finish();
  return replayer;
}

/** The least any consumer of the stream does: visit each event and read its changes. */
function touchAll(events: readonly LoggedEvent[]): number {
  let sum = 0;
  for (const e of events) {
    const ev = e.event;
    if (ev.t === 'edit') {
      for (const ch of ev.c) {
        sum += ch[0] + ch[1] + ch[2].length;
      }
    } else {
      sum += e.seq;
    }
  }
  return sum;
}

function parseAll(lines: readonly string[]): LoggedEvent[] {
  const out: LoggedEvent[] = new Array<LoggedEvent>(lines.length);
  for (let k = 0; k < lines.length; k++) {
    out[k] = { seq: k + 1, event: JSON.parse(lines[k]) as CandorEvent };
  }
  return out;
}

export const replayBench: BenchSection = {
  name: 'replay',
  run({ quick }): Promise<BenchRow[]> {
    const count = 100_000;
    const rounds = quick ? 3 : 9;
    const events = typingStream(count);
    const lines = events.map((e) => JSON.stringify(e.event));

    // Warm up and check that the stream replays clean: a throughput of a broken replay means nothing.
    const check = replayAll(events);
    if (check.issues.length > 0) {
      throw new Error(`replay bench stream has issues: ${check.issues[0].message}`);
    }
    let sink = 0;
    const replay = interleave(
      rounds,
      () => timeMs(() => (sink += touchAll(events))),
      () => timeMs(() => (sink += replayAll(events).stats.editsApplied)),
    );
    const parse = interleave(
      rounds,
      () => timeMs(() => (sink += parseAll(lines).length)),
      () => timeMs(() => (sink += replayAll(parseAll(lines)).stats.editsApplied)),
    );
    if (sink === 0) {
      throw new Error('unreachable: keeps the measured work observable');
    }
    const perS = (ms: number): number => Math.round((count / ms) * 1000);
    const replayRate = perS(replay.candor);
    const endToEnd = perS(parse.candor);
    return Promise.resolve([
      {
        measure: `replay ${count / 1000}k typing events (4 files, 5–50 KB)`,
        floor: perS(replay.floor),
        candor: replayRate,
        unit: 'ev/s',
        ratio: replay.candor / replay.floor,
        budget: `≥ ${REPLAY_BUDGET_EVENTS_PER_S / 1000}k ev/s`,
        ok: replayRate >= REPLAY_BUDGET_EVENTS_PER_S,
        gross: replayRate < REPLAY_BUDGET_EVENTS_PER_S / 2,
      },
      {
        // Reading a log is JSON.parse-bound; replay should add well under that cost again.
        measure: `JSON.parse + replay ${count / 1000}k events (floor: JSON.parse alone)`,
        floor: perS(parse.floor),
        candor: endToEnd,
        unit: 'ev/s',
        ratio: parse.candor / parse.floor,
        budget: `≤ ${PARSE_RATIO_BUDGET}× JSON.parse`,
        ok: parse.candor / parse.floor <= PARSE_RATIO_BUDGET,
        gross: parse.candor / parse.floor > 2 * PARSE_RATIO_BUDGET,
      },
    ]);
  },
};

