import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchRow, BenchSection } from './harness';
import { bundleBench } from './bundle';
import { collectorBench } from './collector';
import { previewBench } from './preview';
import { privacyBench } from './privacy';
import { recorderBench } from './recorder';
import { redactBench } from './redact';
import { replayBench } from './replay';
import { storeBench } from './store';

/**
 * `npm run bench [-- --quick] [-- --only recorder,store]`: every figure as a ratio to a floor
 * measured in the same run (see CONTRIBUTING.md). Prints a table and writes bench/results.json.
 * Exits non-zero only on a gross regression (far past a budget), so CI can run it as a smoke test.
 */
const sections: readonly BenchSection[] = [recorderBench, storeBench, replayBench, privacyBench, redactBench, bundleBench, previewBench, collectorBench];

const root = join(__dirname, '..', '..');

function e2eRows(): BenchRow[] {
  // Written by the end-to-end typing test in a real VS Code (npm run test:e2e).
  const file = join(root, 'test-artifacts', 'e2e', 'perf.json');
  if (!existsSync(file)) {
    return [];
  }
  const perf = JSON.parse(readFileSync(file, 'utf8')) as {
    activationMs?: number;
    candorMaxHandlerMs?: number;
    candorHandlerMsPerKey?: number;
    maxEventLoopDelayMs?: number;
    baselineMaxEventLoopDelayMs?: number;
    baselineExtHostCpuMsPerKey?: number;
    extHostCpuMsPerKey?: number;
    baselineIdleExtHostCpuMsPerMin?: number;
    idleExtHostCpuMsPerMin?: number;
  };
  const rows: BenchRow[] = [];
  if (typeof perf.activationMs === 'number') {
    rows.push({ measure: 'activation (real VS Code, e2e)', floor: 0, candor: perf.activationMs, unit: 'ms', ratio: NaN, budget: '≤ 50 ms', ok: perf.activationMs <= 50 });
  }
  if (typeof perf.candorMaxHandlerMs === 'number') {
    rows.push({ measure: 'longest Candor block while typing (e2e)', floor: 0, candor: perf.candorMaxHandlerMs, unit: 'ms', ratio: NaN, budget: '≤ 50 ms', ok: perf.candorMaxHandlerMs <= 50 });
  }
  if (typeof perf.candorHandlerMsPerKey === 'number') {
    // Measured inside the extension host around every Candor handler: what recording adds per key.
    rows.push({ measure: 'Candor handler time per key typed, summed in the extension host (e2e)', floor: 0, candor: perf.candorHandlerMsPerKey, unit: 'ms/key', ratio: NaN, budget: '≤ 0.15 ms per key', ok: perf.candorHandlerMsPerKey <= 0.15 });
  }
  if (typeof perf.maxEventLoopDelayMs === 'number' && typeof perf.baselineMaxEventLoopDelayMs === 'number') {
    // Floor: the same typing without recording. Other extensions dominate both on a busy machine.
    const ratio = perf.maxEventLoopDelayMs / Math.max(perf.baselineMaxEventLoopDelayMs, 1);
    rows.push({ measure: 'ext-host event-loop max while typing (e2e)', floor: perf.baselineMaxEventLoopDelayMs, candor: perf.maxEventLoopDelayMs, unit: 'ms', ratio, budget: 'info', ok: true });
  }
  // Extension-host CPU time (/proc schedstat) for the same typing script and the same idle wait,
  // not recording (floor) and recording. The budget is on the difference, not the ratio: the
  // extension host's own work (other extensions, VS Code) is in both.
  // On this machine the run-to-run noise of these differences (±0.5–1.5 ms per key, ±100–400 ms
  // per idle minute: language features and VS Code itself share the process) is far above the
  // budgets, so they are shown as information; the handler row above is the precise per-key figure.
  const cpu = (measure: string, floor: number | undefined, candor: number | undefined, unit: string, budget: string): void => {
    if (typeof floor === 'number' && typeof candor === 'number' && Number.isFinite(floor) && Number.isFinite(candor)) {
      rows.push({ measure, floor, candor, unit, ratio: candor / floor, budget, ok: true });
    }
  };
  cpu('ext-host CPU per key, recording vs not (e2e)', perf.baselineExtHostCpuMsPerKey, perf.extHostCpuMsPerKey, 'ms/key', 'info (goal ≤ 0.15 ms extra; noise here ±1 ms)');
  cpu('ext-host CPU per idle minute, recording vs paused (e2e)', perf.baselineIdleExtHostCpuMsPerMin, perf.idleExtHostCpuMsPerMin, 'ms/min', 'info (goal ≤ 20 ms extra; noise here ±300 ms)');
  return rows;
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return '—';
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

async function main(): Promise<number> {
  const quick = process.argv.includes('--quick');
  const onlyArg = process.argv.find((a) => a.startsWith('--only='));
  const only = onlyArg ? onlyArg.slice('--only='.length).split(',') : undefined;
  const rows: (BenchRow & { section: string })[] = [];
  for (const section of sections) {
    if (only && !only.includes(section.name)) continue;
    process.stderr.write(`[bench] ${section.name}${quick ? ' (quick)' : ''}…\n`);
    for (const row of await section.run({ quick })) {
      rows.push({ ...row, section: section.name });
    }
  }
  if (!only || only.includes('e2e')) {
    rows.push(...e2eRows().map((r) => ({ ...r, section: 'e2e' })));
  }
  const header = ['section', 'measure', 'floor', 'candor', 'unit', 'ratio', 'budget', 'ok'];
  const table = rows.map((r) => [r.section, r.measure, fmt(r.floor), fmt(r.candor), r.unit, Number.isFinite(r.ratio) ? `${fmt(r.ratio)}×` : '—', r.budget, r.ok ? 'yes' : 'NO']);
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  for (const line of table) console.log(`| ${line.join(' | ')} |`);
  writeFileSync(join(root, 'bench', 'results.json'), JSON.stringify({ at: new Date().toISOString(), quick, node: process.version, rows }, null, 2));
  const gross = rows.filter((r) => r.gross);
  for (const r of gross) console.error(`[bench] gross regression: ${r.section} ${r.measure} = ${fmt(r.candor)} ${r.unit} (budget ${r.budget})`);
  return gross.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
