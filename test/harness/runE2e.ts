import * as fs from 'node:fs';
import { consentE2e } from '../e2e/consent.e2e';
import { previewE2e } from '../e2e/preview.e2e';
import { typingE2e } from '../e2e/typing.e2e';
import type { E2eResult, E2eTest } from './e2e';
import { runE2eTest } from './e2e';
import { stopAllGroups } from './processes';
import { packageExtension, ensureTools } from './tools';

/**
 * `npm run test:e2e [-- <test name>...]`: packages the extension (production build → candor.vsix,
 * at most 1 MB), then runs each end-to-end test against code-server in Chromium, with the .vsix
 * installed as a user would. Ends with `N passed, N failed`.
 */
const tests: readonly E2eTest[] = [consentE2e, typingE2e, previewE2e];
const MAX_VSIX_BYTES = 1024 * 1024;

async function main(): Promise<number> {
  const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const selected = only.length === 0 ? tests : tests.filter((t) => only.includes(t.name));
  if (selected.length === 0) {
    throw new Error(`no e2e test named ${only.join(', ')}; tests: ${tests.map((t) => t.name).join(', ')}`);
  }
  const tools = await ensureTools();
  const packStarted = Date.now();
  const vsix = await packageExtension();
  const size = fs.statSync(vsix).size;
  log(`packaged candor.vsix: ${(size / 1024).toFixed(0)} KB in ${((Date.now() - packStarted) / 1000).toFixed(1)} s`);
  if (size > MAX_VSIX_BYTES) {
    throw new Error(`candor.vsix is ${(size / 1024).toFixed(0)} KB, over the 1024 KB budget: check .vscodeignore and the bundle`);
  }

  const results: E2eResult[] = [];
  for (const test of selected) {
    const result = await runE2eTest(test, tools, vsix);
    results.push(result);
    log(`${test.name}: ${result.ok ? 'passed' : 'FAILED'} in ${(result.durationMs / 1000).toFixed(1)} s${result.error ? `\n${result.error}` : ''}`);
  }
  const failed = results.filter((r) => !r.ok).length;
  console.log(`${results.length - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

function log(message: string): void {
  console.log(`[e2e] ${message}`);
}

main().then(
  (code) => process.exit(code),
  async (e: unknown) => {
    console.error(`[e2e] ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    await stopAllGroups();
    console.log('0 passed, 1 failed');
    process.exit(1);
  },
);
