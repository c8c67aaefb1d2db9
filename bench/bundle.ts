/**
 * Bundle benchmarks (see bench/harness.ts): building a bundle from a day of events and reading it
 * back, each against the cheapest way to do the same work, measured in the same run.
 *
 *     node out/bench/bundle.js [--quick]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import * as zlib from 'node:zlib';
import type { BuildControl } from '../src/bundle/build';
import { buildBundle } from '../src/bundle/build';
import { COMPRESSION_LEVEL } from '../src/bundle/format';
import { createDefaultRedactor } from '../src/bundle/redactorAdapter';
import type { Redactor } from '../src/bundle/types';
import { verifyBundle } from '../src/bundle/verify';
import { buildBundleInWorker } from '../src/bundle/workerHost';
import type { ConsentReceipt } from '../src/consent/consentMachine';
import type { LoggedEvent } from '../src/model/events';
import { effectiveExcludes } from '../src/privacy/policy/exclusion';
import { encodeRecord } from '../src/store/framing';
import { chunkRanges } from '../src/preview/timeline';
import { ViewClient } from '../src/preview/viewClient';
import type { BenchRow, BenchSection } from './harness';
import { median, timeMsAsync } from './harness';
import { typingStream } from './replay';

/** docs/performance.md: a 100k-event day, redaction included, in at most 2 s. */
const BUILD_BUDGET_MS = 2000;
/** The format's own work (validate, manifest, serialize, hash) over the floor's stringify + gzip. */
const FORMAT_RATIO_BUDGET = 2;
/** docs/performance.md: the extension host is never blocked by Candor for more than 50 ms. */
const HOST_BLOCK_BUDGET_MS = 50;
/** Opening the preview on a 100k-event log: select, build with redaction, read back, first rows. */
const OPEN_PREVIEW_BUDGET_MS = 3000;
/** Reading validates every line and replays every document: a few times the bare parse. */
const READ_RATIO_BUDGET = 4;
/** Verify streams: its peak memory on a large bundle is that on a small one (docs/bundle-format.md 7.1). */
const VERIFY_MEMORY_RATIO_BUDGET = 1.5;

/** The consent receipt every bench bundle carries. */
export const RECEIPT: ConsentReceipt = {
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

interface Timing {
  /** Median wall-clock ms. */
  readonly floor: number;
  readonly candor: number;
  /** Median process CPU ms (all threads, so zlib's pool counts): steadier than wall time on a loaded machine. */
  readonly floorCpu: number;
  readonly candorCpu: number;
}

async function timeBoth(fn: () => Promise<unknown>): Promise<{ wall: number; cpu: number }> {
  const cpu0 = process.cpuUsage();
  const wall = await timeMsAsync(async () => void (await fn()));
  const cpu = process.cpuUsage(cpu0);
  return { wall, cpu: (cpu.user + cpu.system) / 1000 };
}

async function interleaveAsync(rounds: number, floor: () => Promise<unknown>, candor: () => Promise<unknown>): Promise<Timing> {
  const f: { wall: number; cpu: number }[] = [];
  const c: { wall: number; cpu: number }[] = [];
  for (let i = 0; i < rounds; i++) {
    f.push(await timeBoth(floor));
    c.push(await timeBoth(candor));
  }
  return {
    floor: median(f.map((x) => x.wall)),
    candor: median(c.map((x) => x.wall)),
    floorCpu: median(f.map((x) => x.cpu)),
    candorCpu: median(c.map((x) => x.cpu)),
  };
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
      rows.push({
        measure: `bundle build ${count / 1000}k events with on-device redaction (wall)`,
        floor: full.floor,
        candor: full.candor,
        unit: 'ms',
        ratio: full.candor / full.floor,
        budget: `≤ ${BUILD_BUDGET_MS} ms`,
        ok: full.candor <= BUILD_BUDGET_MS,
        gross: full.candor > 3 * BUILD_BUDGET_MS,
      });
      if (count === 100_000) {
        // On a shared machine wall time includes waiting for a core; CPU time is what the build costs.
        rows.push({
          measure: `bundle build ${count / 1000}k events with on-device redaction (CPU)`,
          floor: full.floorCpu,
          candor: full.candorCpu,
          unit: 'ms',
          ratio: full.candorCpu / full.floorCpu,
          budget: `≤ ${BUILD_BUDGET_MS} ms`,
          ok: full.candorCpu <= BUILD_BUDGET_MS,
          gross: full.candorCpu > 3 * BUILD_BUDGET_MS,
        });
      }
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
    rows.push(...(await verifyMemoryRows(day, quick)));
    rows.push(...(await openPreviewRows(day, quick)));
    if (!quick) {
      rows.push(await hostDelayRow(day));
    }
    return rows;
  },
};

/**
 * Peak memory of `verifyBundleFile` in a fresh process: the high-water mark of the JS heap plus
 * buffers outside it (`heapUsed + external`, sampled every 2 ms) and of RSS. The process gets a
 * small heap (64 MB old space, 2 MB semi-spaces), so garbage is collected as it would be under
 * memory pressure and the peak shows what verify keeps, not how lazily V8 collects: a reader that
 * held the content would exceed it and fail.
 */
async function verifyPeak(file: string): Promise<{ heap: number; rss: number }> {
  const verifyModule = join(__dirname, '../src/bundle/verify.js');
  const script = `
    const { verifyBundleFile } = require(${JSON.stringify(verifyModule)});
    let heap = 0, rss = 0;
    const sample = () => { const m = process.memoryUsage(); heap = Math.max(heap, m.heapUsed + m.external); rss = Math.max(rss, m.rss); };
    const timer = setInterval(sample, 2);
    verifyBundleFile(${JSON.stringify(file)}).then((r) => {
      sample(); clearInterval(timer);
      if (!r.ok) { throw new Error('bench bundle does not verify: ' + JSON.stringify(r.error)); }
      process.stdout.write(JSON.stringify({ heap, rss }));
    });`;
  return new Promise((resolvePeak, reject) => {
    const child = spawn(process.execPath, ['--max-old-space-size=64', '--max-semi-space-size=2', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolvePeak(JSON.parse(out) as { heap: number; rss: number }) : reject(new Error(`verify child exited ${code}`))));
  });
}

/**
 * Peak memory of verify on the 100k-event day (floor) and on the day five times over (~0.5M
 * events, 5× the content): the same when verify streams. (A 2k-event bundle is reported too: it
 * ends before the collector's first full cycle, so it shows the process's floor, not verify's.)
 */
export async function verifyMemoryRows(day: readonly LoggedEvent[], quick: boolean): Promise<BenchRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'candor-bench-verify-'));
  try {
    const tiny = join(dir, 'tiny.candor');
    const small = join(dir, 'small.candor');
    const large = join(dir, 'large.candor');
    await writeFile(tiny, await build(day.slice(0, 2_000), identity));
    await writeFile(small, await build(day, identity));
    // The large one: the day five times over (seqs and times shifted), ~0.5M events, unless --quick.
    const copies = quick ? 1 : 5;
    const span = day[day.length - 1].event.ts - day[0].event.ts + 1;
    const big: LoggedEvent[] = [];
    for (let c = 0; c < copies; c++) {
      for (const e of day) {
        big.push({ seq: e.seq + c * day.length, event: { ...e.event, ts: e.event.ts + c * span } });
      }
    }
    await writeFile(large, await build(big, identity));
    const t = await verifyPeak(tiny);
    const s = await verifyPeak(small);
    const l = await verifyPeak(large);
    const mb = (n: number): number => Math.round((n / (1024 * 1024)) * 10) / 10;
    const name = `${big.length / 1000}k`;
    const dayName = `${day.length / 1000}k`;
    return [
      {
        measure: `bundle verify peak memory, heap + buffers (floor: ${dayName}-event bundle; candor: ${name}-event bundle, ${copies}× the content)`,
        floor: mb(s.heap),
        candor: mb(l.heap),
        unit: 'MB',
        ratio: l.heap / s.heap,
        budget: `≤ ${VERIFY_MEMORY_RATIO_BUDGET}× floor (streams; bound 250 MiB)`,
        ok: l.heap / s.heap <= VERIFY_MEMORY_RATIO_BUDGET,
        gross: l.heap / s.heap > 3 * VERIFY_MEMORY_RATIO_BUDGET,
      },
      { measure: `bundle verify peak RSS (floor: ${dayName} events; candor: ${name} events)`, floor: mb(s.rss), candor: mb(l.rss), unit: 'MB', ratio: l.rss / s.rss, budget: 'info', ok: true, gross: false },
      { measure: 'bundle verify peak memory, heap + buffers (floor: a 2k-event bundle; candor: the 100k-event day)', floor: mb(t.heap), candor: mb(s.heap), unit: 'MB', ratio: s.heap / t.heap, budget: 'info', ok: true, gross: false },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Writes `events` as a log in `dir` (segments of 20k records, as the store would). */
async function writeLog(dir: string, events: readonly LoggedEvent[]): Promise<void> {
  const perSegment = 20_000;
  for (let k = 0; k * perSegment < events.length; k++) {
    const lines = events.slice(k * perSegment, (k + 1) * perSegment).map((e) => encodeRecord(e.seq, e.event));
    await writeFile(join(dir, `seg-${String(k + 1).padStart(6, '0')}.log`), lines.join(''));
  }
}

/** Floor of opening the preview: read every segment and JSON.parse every record, nothing else. */
async function readAndParseLog(dir: string): Promise<number> {
  let n = 0;
  for (const name of (await readdir(dir)).filter((x) => x.endsWith('.log')).sort()) {
    const text = await readFile(join(dir, name), 'utf8');
    for (const line of text.split('\n')) {
      const tab = line.indexOf('\t', line.indexOf('\t') + 1);
      if (tab > 0) {
        n += (JSON.parse(line.slice(tab + 1)) as { ts: number }).ts > 0 ? 1 : 0;
      }
    }
  }
  return n;
}

/**
 * What "Preview What Would Be Shared" does from the command to the first screen, with the same
 * workers the extension uses: select from the log and build with redaction and the policy of
 * default settings (bundle worker, the view worker starting meanwhile, as the extension does),
 * read the bytes back (view worker), and fetch the summary and the first chunk of rows.
 */
async function openPreview(dir: string, selection: { readonly from?: number; readonly to?: number } = {}): Promise<number> {
  const view = new ViewClient(join(__dirname, '..', 'src', 'preview', 'viewWorker.js'));
  try {
    const built = await buildBundleInWorker(
      {
        source: { kind: 'log', dir, selection },
        params: {
          receipt: RECEIPT,
          extensionVersion: '0.1.0',
          createdAt: '2025-11-30T18:00:00.000Z',
          policyVersion: 'bench',
          policy: { version: 'user-settings', exclude: effectiveExcludes([]), maxFileSizeKB: 512, excludeGitignored: true },
          folders: [{ name: 'ws', fsPath: dir }],
        },
      },
      { workerScript: join(__dirname, '..', 'src', 'bundle', 'worker.js') },
    );
    const copy = new Uint8Array(built.bytes);
    const { summary } = await view.request('load', { bytes: copy.buffer, expectedSha256: built.sha256 }, [copy.buffer]);
    const [first] = chunkRanges(summary.events);
    const rows = first === undefined ? [] : await view.request('rows', { offset: first[0], count: first[1] });
    return rows.length;
  } finally {
    view.dispose();
  }
}

/** Opening the preview on a 100k-event log, end to end (wall and CPU), whole log and its second half. Exported for ad-hoc runs. */
export async function openPreviewRows(day: readonly LoggedEvent[], quick: boolean): Promise<BenchRow[]> {
  const dir = await mkdtemp(join(tmpdir(), 'candor-open-bench-'));
  try {
    await writeLog(dir, day);
    const rounds = quick ? 1 : 3;
    const all = await interleaveAsync(rounds, () => readAndParseLog(dir), () => openPreview(dir));
    const mid = day[day.length >> 1].event.ts;
    const half = await interleaveAsync(rounds, () => readAndParseLog(dir), () => openPreview(dir, { from: mid }));
    const row = (measure: string, floor: number, candor: number): BenchRow => ({
      measure,
      floor,
      candor,
      unit: 'ms',
      ratio: candor / floor,
      budget: `≤ ${OPEN_PREVIEW_BUDGET_MS} ms`,
      ok: candor <= OPEN_PREVIEW_BUDGET_MS,
      gross: candor > 3 * OPEN_PREVIEW_BUDGET_MS,
    });
    return [
      row('open preview, 100k-event log, end to end (wall; floor: read + JSON.parse of the log)', all.floor, all.candor),
      // Both workers and zlib's pool run at once: CPU time exceeds wall time on two cores.
      { ...row('open preview, 100k-event log, end to end (CPU, all threads)', all.floorCpu, all.candorCpu), budget: 'info', ok: true, gross: false },
      row('open preview, second half of a 100k-event log (wall; documents start from snapshots of the first half)', half.floor, half.candor),
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The point of the worker: while it builds a day's bundle from a log on disk, the calling thread
 * (the extension host) keeps serving its event loop. Floor: the same measurement while idle.
 */
async function hostDelayRow(day: readonly LoggedEvent[]): Promise<BenchRow> {
  const dir = await mkdtemp(join(tmpdir(), 'candor-bundle-bench-'));
  try {
    await writeLog(dir, day);
    // Floor: the same thread while another worker spins for as long: on a shared machine the OS
    // deschedules this thread now and then, which is not Candor blocking it.
    const t0 = Date.now();
    const busy = monitorEventLoopDelay({ resolution: 5 });
    busy.enable();
    await buildBundleInWorker(
      {
        source: { kind: 'log', dir },
        params: { receipt: RECEIPT, extensionVersion: '0.1.0', createdAt: '2025-11-30T18:00:00.000Z', policyVersion: 'bench' },
      },
      { workerScript: join(__dirname, '..', 'src', 'bundle', 'worker.js') },
    );
    busy.disable();
    const idle = monitorEventLoopDelay({ resolution: 5 });
    idle.enable();
    const spin = new Worker(`const end = Date.now() + ${Date.now() - t0}; while (Date.now() < end) {}`, { eval: true });
    await new Promise((resolve) => spin.on('exit', resolve));
    idle.disable();
    const floor = idle.max / 1e6;
    const candor = busy.max / 1e6;
    return {
      measure: 'longest host event-loop delay while a worker builds 100k events from a log (floor: a spinning worker)',
      floor,
      candor,
      unit: 'ms',
      ratio: candor / floor,
      budget: `≤ ${HOST_BLOCK_BUDGET_MS} ms`,
      ok: candor <= HOST_BLOCK_BUDGET_MS,
      gross: candor > 4 * HOST_BLOCK_BUDGET_MS,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  void bundleBench.run({ quick: process.argv.includes('--quick') }).then((rows) => {
    for (const r of rows) {
      process.stdout.write(
        `${r.measure}: floor ${r.floor.toFixed(0)} ${r.unit}, candor ${r.candor.toFixed(0)} ${r.unit}, ${r.ratio.toFixed(2)}×, budget ${r.budget}: ${r.ok ? 'ok' : 'NO'}\n`,
      );
    }
  });
}
