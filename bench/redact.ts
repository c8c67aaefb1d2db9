import type { CandorEvent, Change, LoggedEvent } from '../src/model/events';
import { createRedactor } from '../src/privacy/redact/redact';
import { ALNUM, BASE32, synth } from '../src/privacy/rules/synthetic';
import { ChunkedTextBuffer } from '../src/replay/buffer';
import { sha256Hex } from '../src/replay/hash';
import { replayEvents } from '../src/replay/replay';
import type { BenchRow, BenchSection } from './harness';
import { prng } from '../test/unit/prng';
import { SOURCE_LINES } from './replay';
import { interleave, timeMs } from './harness';

/** The whole 100k-event day, both passes, must fit in this (design: bundle build ≤ 2 s). */
const DAY_BUDGET_MS = 2000;
/** The extension host may never be blocked longer than this (docs/performance.md). */
const SLICE_BUDGET_MS = 50;

/** Lines a developer types that carry a secret (assembled at run time, never a literal). */
function secretLine(n: number): string {
  switch (n % 4) {
    case 0:
      return `const gh = "ghp_${synth(ALNUM, 36, 9000 + n)}";`;
    case 1:
      return `const awsId = "AKIA${synth(BASE32, 16, 9000 + n)}";`;
    case 2:
      return `stripe.key = "sk_live_${synth(ALNUM, 30, 9000 + n)}";`;
    default:
      return `const password = "${synth(ALNUM, 8, 9000 + n)}42${synth(ALNUM, 8, 9100 + n)}";`;
  }
}

/**
 * A typing day: four files of 5–50 KB, one-character inserts at a cursor, backspaces, newlines,
 * cursor jumps and file switches, a checkpoint (real hash) every 100 edits of a file — and, every
 * few thousand events, a line holding a secret typed in key by key.
 *
 * The typed characters are code (the source lines, key by key), not random letters: random
 * letters spell rule keywords (`tel`, `pwd`, `eyj`, `aws`, …) far more often than code does,
 * and each keyword near the cursor makes its tier rescan — a cost real typing does not have.
 */
export function secretTypingDay(count: number, seed = 7): LoggedEvent[] {
  const rnd = prng(seed);
  const sizes = [5_000, 12_000, 30_000, 50_000];
  const files = sizes.map((size, k) => {
    const parts: string[] = [];
    let n = 0;
    while (n < size) {
      const line = SOURCE_LINES[Math.floor(rnd() * SOURCE_LINES.length)] + '\n';
      parts.push(line);
      n += line.length;
    }
    const text = parts.join('').slice(0, size);
    return { f: `src/module${k}.ts`, text, model: new ChunkedTextBuffer(text, { maxChunk: 512 }), v: 1, cursor: size >> 1, edits: 0 };
  });
  const out: LoggedEvent[] = [];
  let ts = 1_700_000_000_000;
  const push = (event: CandorEvent): void => {
    out.push({ seq: out.length + 1, event });
  };
  for (const file of files) {
    push({ t: 'snap', ts, f: file.f, v: file.v, text: file.text });
  }
  let active = files[0];
  let pending = '';
  let typing = '';
  let secrets = 0;
  while (out.length < count) {
    ts += 40 + Math.floor(rnd() * 200);
    if (pending === '') {
      if (rnd() < 0.003) {
        active = files[Math.floor(rnd() * files.length)]!;
      }
      if (rnd() < 0.02) {
        active.cursor = Math.floor(rnd() * (active.model.length + 1));
      }
      if (out.length % 5000 === 4999) {
        pending = `\n${secretLine(secrets++)}\n`;
      }
    }
    let change: Change;
    if (pending !== '') {
      change = [active.cursor, 0, pending[0]];
      pending = pending.slice(1);
    } else {
      const roll = rnd();
      if (roll < 0.08 && active.cursor > 0) {
        change = [active.cursor - 1, 1, ''];
      } else if (roll < 0.11) {
        change = [active.cursor, 0, '\n    '];
      } else {
        if (typing === '') {
          typing = SOURCE_LINES[Math.floor(rnd() * SOURCE_LINES.length)] + '\n';
        }
        change = [active.cursor, 0, typing[0]];
        typing = typing.slice(1);
      }
    }
    active.model.apply(change[0], change[1], change[2]);
    active.cursor = change[0] + change[2].length;
    active.v++;
    push({ t: 'edit', ts, f: active.f, v: active.v, c: [change] });
    active.edits++;
    if (active.edits % 100 === 0) {
      push({ t: 'ckpt', ts, f: active.f, v: active.v, h: sha256Hex(active.model.getText()), why: 'every' });
    }
  }
  return out.slice(0, count);
}

export const redactBench: BenchSection = {
  name: 'redact',
  async run({ quick }): Promise<BenchRow[]> {
    const count = 100_000;
    const rounds = quick ? 1 : 3;
    const events = secretTypingDay(count);
    let setupMs = 0;
    const redactor = (() => {
      let r: ReturnType<typeof createRedactor> | undefined;
      setupMs = timeMs(() => (r = createRedactor()));
      return r!;
    })();

    // The sliced run first: it measures the longest slice, warms up the code for the timed
    // rounds, and gives the result to check — a fast redaction that leaves secrets or breaks
    // replay means nothing. The longest slice is the gap between two progress calls (each slice
    // ends with one), which also includes the yield itself: an upper bound.
    // Wall time between two progress calls also counts time the OS spent running other processes
    // (on a loaded 2-core machine, tens of ms); CPU time of this process over the same gap does not,
    // and over-counts only by GC helper threads. The budget is judged on CPU, wall is shown beside.
    let longest = 0;
    let longestCpu = 0;
    let last = performance.now();
    let lastCpu = process.cpuUsage();
    const result = await redactor.redactEventsAsync(events, {
      onProgress: () => {
        const now = performance.now();
        const cpu = process.cpuUsage(lastCpu);
        longest = Math.max(longest, now - last);
        longestCpu = Math.max(longestCpu, (cpu.user + cpu.system) / 1000);
        last = now;
        lastCpu = process.cpuUsage();
      },
    });
    const replayed = replayEvents(result.events);
    if (replayed.issues.length > 0 || replayed.stats.checkpointsMatched !== replayed.stats.checkpoints) {
      throw new Error(`redact bench: the redacted stream does not replay clean: ${replayed.issues[0]?.message ?? 'checkpoints'}`);
    }
    const values = result.report.findings.reduce((n, f) => n + f.values, 0);
    if (values < Math.floor(count / 5000) - 1 || JSON.stringify(result.events).includes('ghp_')) {
      throw new Error(`redact bench: only ${values} secrets found, or one left`);
    }

    let sink = 0;
    const day = interleave(
      rounds,
      () => timeMs(() => (sink += replayEvents(events).stats.editsApplied)),
      () => timeMs(() => (sink += redactor.redactEvents(events).report.eventsChanged)),
    );
    if (sink === 0) {
      throw new Error('unreachable: keeps the measured work observable');
    }
    const perS = (ms: number): number => Math.round((count / ms) * 1000);
    return [
      {
        measure: `redact a ${count / 1000}k-event typing day, ${values} secrets typed in (floor: plain replay)`,
        floor: day.floor,
        candor: day.candor,
        unit: 'ms',
        ratio: day.candor / day.floor,
        budget: `≤ ${DAY_BUDGET_MS} ms`,
        ok: day.candor <= DAY_BUDGET_MS,
        gross: day.candor > 3 * DAY_BUDGET_MS,
      },
      {
        measure: 'redaction throughput (floor: plain replay)',
        floor: perS(day.floor),
        candor: perS(day.candor),
        unit: 'ev/s',
        ratio: day.candor / day.floor,
        budget: `≥ ${perS(DAY_BUDGET_MS) / 1000}k ev/s`,
        ok: perS(day.candor) >= perS(DAY_BUDGET_MS),
      },
      {
        measure: 'longest synchronous slice of redactEventsAsync, CPU (floor: slice target)',
        floor: 8,
        candor: longestCpu,
        unit: 'ms',
        ratio: longestCpu / 8,
        budget: `≤ ${SLICE_BUDGET_MS} ms`,
        ok: longestCpu <= SLICE_BUDGET_MS,
        gross: longestCpu > 4 * SLICE_BUDGET_MS,
      },
      {
        measure: 'longest synchronous slice of redactEventsAsync, wall (includes time descheduled)',
        floor: 8,
        candor: longest,
        unit: 'ms',
        ratio: longest / 8,
        budget: 'info',
        ok: true,
      },
      {
        measure: 'redactor setup (rule tiers; once per rule set)',
        floor: 0,
        candor: setupMs,
        unit: 'ms',
        ratio: NaN,
        budget: `≤ ${SLICE_BUDGET_MS} ms per slice (createRedactorAsync)`,
        ok: true,
      },
    ];
  },
};
