import * as fs from 'node:fs';
import * as path from 'node:path';
import { runs } from '../integration/runs';
import type { IntegrationResult } from './integration';
import { runIntegration } from './integration';
import { integrationOutDir } from './paths';
import { stopAllGroups } from './processes';
import { totalsLine } from './summary';
import { buildExtension, ensureTools } from './tools';

/**
 * `npm run test:integration [-- <run name>...]`: every run in test/integration/runs.ts (or the
 * named ones), one after another, each in a fresh code-server + Chromium. Ends with the line
 * `N passed, N failed` (mocha tests summed over runs; a run that crashed or timed out counts as
 * one failure) and exits non-zero if any run failed.
 */
async function main(): Promise<number> {
  const started = Date.now();
  const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const selected = only.length === 0 ? runs : runs.filter((r) => only.includes(r.name));
  if (selected.length === 0) {
    throw new Error(`no run named ${only.join(', ')}; runs: ${runs.map((r) => r.name).join(', ')}`);
  }
  if (!fs.existsSync(path.join(integrationOutDir, 'index.js'))) {
    throw new Error('out/test/integration/index.js is missing: run `npm run compile` first');
  }
  const tools = await ensureTools();
  log(`building the extension (esbuild)`);
  await buildExtension();

  const results: IntegrationResult[] = [];
  for (const spec of selected) {
    log(`run "${spec.name}": workspace ${spec.workspace}, suites ${spec.suites}`);
    const result = await runIntegration(spec, { tools });
    results.push(result);
    const counts = result.summary ? `${result.summary.passed} passed, ${result.summary.failed} failed, ${result.summary.pending} pending` : 'no results';
    const phases = Object.entries(result.phases).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ');
    log(`run "${spec.name}" ${result.ok ? 'ok' : 'FAILED'} in ${(result.durationMs / 1000).toFixed(1)} s (${counts}; at s: ${phases})${result.error ? `: ${result.error}` : ''}`);
  }
  log(`${results.length} run(s) in ${((Date.now() - started) / 1000).toFixed(1)} s; artifacts in test-artifacts/integration/`);
  const crashedRuns = results.filter((r) => !r.ok && (r.summary === undefined || r.summary.failed === 0)).length;
  console.log(totalsLine(results.map((r) => r.summary), crashedRuns));
  return results.every((r) => r.ok) ? 0 : 1;
}

function log(message: string): void {
  console.log(`[integration] ${message}`);
}

main().then(
  (code) => process.exit(code),
  async (e: unknown) => {
    console.error(`[integration] ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    await stopAllGroups();
    console.log(totalsLine([], 1));
    process.exit(1);
  },
);
