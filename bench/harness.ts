/**
 * Benchmarks report ratios to a floor measured in the same run (see CONTRIBUTING.md): each row
 * times the cheapest way to do the same work, then Candor's way, interleaved over several rounds,
 * and keeps medians.
 */
export interface BenchRow {
  /** What is measured, e.g. "edit handler p50". */
  readonly measure: string;
  /** The floor's figure, in `unit`. */
  readonly floor: number;
  /** Candor's figure, in `unit`. */
  readonly candor: number;
  readonly unit: string;
  /** candor / floor (or floor / candor for throughputs, so that bigger is always worse). */
  readonly ratio: number;
  /** Human-readable budget, e.g. "≤ 3× floor" or "≥ 250k ev/s". */
  readonly budget: string;
  /** Whether the budget is met in this run. */
  readonly ok: boolean;
  /** How far past the budget counts as a gross regression (CI smoke fails only then). */
  readonly gross?: boolean;
}

export interface BenchSection {
  readonly name: string;
  run(opts: { quick: boolean }): Promise<BenchRow[]>;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx];
}

/** Milliseconds taken by `fn`, measured with the high-resolution clock. */
export function timeMs(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

export async function timeMsAsync(fn: () => Promise<void>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/** Runs floor and candor alternately `rounds` times; returns the median of each. */
export function interleave(rounds: number, floor: () => number, candor: () => number): { floor: number; candor: number } {
  const f: number[] = [];
  const c: number[] = [];
  for (let i = 0; i < rounds; i++) {
    f.push(floor());
    c.push(candor());
  }
  return { floor: median(f), candor: median(c) };
}

/** The smallest of `values`: best-of-N, for end-to-end timings where noise only ever adds time. */
export function best(values: readonly number[]): number {
  return values.length === 0 ? NaN : Math.min(...values);
}

/** A row saying a section could not run here (a missing tool): reported, never a failure. */
export function skippedRow(measure: string, why: string): BenchRow {
  return { measure, floor: NaN, candor: NaN, unit: 'ms', ratio: NaN, budget: `skipped: ${why}`, ok: true };
}
