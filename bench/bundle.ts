/**
 * Bundle benchmarks (see bench/harness.ts): building a bundle from a day of events and reading it
 * back, each against the cheapest way to do the same work, measured in the same run.
 *
 *     node out/bench/bundle.js [--quick]
 */
import * as zlib from 'node:zlib';
import type { BuildControl } from '../src/bundle/build';
import { buildBundle } from '../src/bundle/build';
import { COMPRESSION_LEVEL } from '../src/bundle/format';
import { createDefaultRedactor } from '../src/bundle/redactorAdapter';
import type { Redactor } from '../src/bundle/types';
import { verifyBundle } from '../src/bundle/verify';
import type { ConsentReceipt } from '../src/consent/consentMachine';
import type { LoggedEvent } from '../src/model/events';
import type { BenchRow, BenchSection } from './harness';
import { median, timeMsAsync } from './harness';
import { typingStream } from './replay';

/** performance.md: a 100k-event day, redaction included, in at most 2 s. */
const BUILD_BUDGET_MS = 2000;
/** The format's own work (validate, manifest, serialize, hash) over the floor's stringify + gzip. */
const FORMAT_RATIO_BUDGET = 2;
/** Reading validates every line and replays every document: a few times the bare parse. */
const READ_RATIO_BUDGET = 4;

const RECEIPT: ConsentReceipt = {
  policyVersion: '2026-11-30',
  categories: ['edits', 'navigation', 'files', 'terminalCommands', 'tools'],
  grantedAt: '2025-11-30T08:00:00.000Z',
  extensionVersion: '0.1.0',
  workspaceId: 'a'.repeat(64),
};

/** No redaction: isolates the format's own cost. */
const identity: Redactor = {
  redact: (events) => Promise.resolve({ events: [...events], report: { engine: 'none', findings: [], eventsChanged: 0 } }),
};

function build(events: readonly LoggedEvent[], redactor: Redactor, control?: BuildControl): Promise<Uint8Array> {
  return buildBundle(
    { events, receipt: RECEIPT, extensionVersion: '0.1.0', createdAt: '2025-11-30T18:00:00.000Z', policyVersion: 'bench', redactor },
    control,
  ).then((b) => b.bytes);
}

/** Floor of a build: one JSON line per event and gzip at the same level, nothing else. */
function stringifyAndGzip(events: readonly LoggedEvent[]): Promise<Buffer> {
  const text = events.map((e) => JSON.stringify({ seq: e.seq, ...e.event })).join('\n');
  return new Promise((resolve, reject) => zlib.gzip(text, { level: COMPRESSION_LEVEL }, (err, out) => (err ? reject(err) : resolve(out))));
}

/** Floor of a read: gunzip and parse every line, no checks, no replay. */
function gunzipAndParse(gz: Buffer): Promise<number> {
  return new Promise((resolve, reject) =>
    zlib.gunzip(gz, (err, out) => {
      if (err) {
        reject(err);
        return;
      }
      let n = 0;
      for (const line of out.toString('utf8').split('\n')) {
        n += (JSON.parse(line) as { seq: number }).seq > 0 ? 1 : 0;
      }
      resolve(n);
    }),
  );
}

async function interleaveAsync(rounds: number, floor: () => Promise<unknown>, candor: () => Promise<unknown>): Promise<{ floor: number; candor: number }> {
  const f: number[] = [];
  const c: number[] = [];
  for (let i = 0; i < rounds; i++) {
    f.push(await timeMsAsync(async () => void (await floor())));
    c.push(await timeMsAsync(async () => void (await candor())));
  }
  return { floor: median(f), candor: median(c) };
}

export const bundleBench: BenchSection = {
  name: 'bundle',
  async run({ quick }): Promise<BenchRow[]> {
    const rows: BenchRow[] = [];
    const engine = createDefaultRedactor();
    const day = typingStream(100_000);

    // Sanity and warm-up: the stream builds and verifies clean, or the timings mean nothing.
    const check = await verifyBundle(await build(day.slice(0, 10_000), engine));
    if (!check.ok) {
      throw new Error(`bundle bench stream does not verify: ${check.error?.message ?? check.replay?.issues[0]?.message}`);
    }

    for (const count of [10_000, 100_000]) {
      const events = count === day.length ? day : day.slice(0, count);
      const rounds = quick ? (count > 10_000 ? 1 : 3) : count > 10_000 ? 3 : 7;
      const format = await interleaveAsync(rounds, () => stringifyAndGzip(events), () => build(events, identity));
      rows.push({
        measure: `bundle build ${count / 1000}k events, no redaction (floor: stringify + gzip)`,
        floor: format.floor,
        candor: format.candor,
        unit: 'ms',
        ratio: format.candor / format.floor,
        budget: `≤ ${FORMAT_RATIO_BUDGET}× floor`,
        ok: format.candor / format.floor <= FORMAT_RATIO_BUDGET,
        gross: format.candor / format.floor > 3 * FORMAT_RATIO_BUDGET,
      });
      const full = await interleaveAsync(quick ? 1 : rounds, () => stringifyAndGzip(events), () => build(events, engine));
      // The day's budget holds for a smaller day too (whole-snapshot scans do not shrink with it).
      const budget = BUILD_BUDGET_MS;
      rows.push({
        measure: `bundle build ${count / 1000}k events with on-device redaction`,
        floor: full.floor,
        candor: full.candor,
        unit: 'ms',
        ratio: full.candor / full.floor,
        budget: `≤ ${budget} ms`,
        ok: full.candor <= budget,
        gross: full.candor > 3 * budget,
      });
    }

    const bytes = await build(day, identity);
    const gz = await stringifyAndGzip(day);
    const read = await interleaveAsync(quick ? 1 : 3, () => gunzipAndParse(gz), () => verifyBundle(bytes));
    rows.push({
      measure: 'bundle read + verify (replay) 100k events (floor: gunzip + JSON.parse)',
      floor: read.floor,
      candor: read.candor,
      unit: 'ms',
      ratio: read.candor / read.floor,
      budget: `≤ ${READ_RATIO_BUDGET}× floor`,
      ok: read.candor / read.floor <= READ_RATIO_BUDGET,
      gross: read.candor / read.floor > 3 * READ_RATIO_BUDGET,
    });
    return rows;
  },
};

if (require.main === module) {
  void bundleBench.run({ quick: process.argv.includes('--quick') }).then((rows) => {
    for (const r of rows) {
      process.stdout.write(
        `${r.measure}: floor ${r.floor.toFixed(0)} ${r.unit}, candor ${r.candor.toFixed(0)} ${r.unit}, ${r.ratio.toFixed(2)}×, budget ${r.budget}: ${r.ok ? 'ok' : 'NO'}\n`,
      );
    }
  });
}
