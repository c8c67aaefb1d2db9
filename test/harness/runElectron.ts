import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import { runs } from '../integration/runs';
import { copyFixture } from './fixtures';
import { artifactsRoot, integrationOutDir, repoRoot } from './paths';
import type { MochaSummary } from './summary';
import { readSummaryFile, SUMMARY_FILE, totalsLine } from './summary';
import { buildExtension, ensureTools } from './tools';

/**
 * `npm run test:electron [-- --via-code-server] [<run name>...]`: the runs of
 * test/integration/runs.ts through @vscode/test-electron's `runTests`.
 *
 * - Default: test-electron downloads desktop VS Code (needs its update server; fails on machines
 *   that reach only the npm and Debian registries, and needs a display — xvfb-run — on Linux).
 * - `--via-code-server`: `vscodeExecutablePath` is scripts/code-server-electron-shim.mjs, which
 *   takes the Electron-style arguments and performs the run in code-server + Chromium instead.
 *
 * Either way the extension host runs out/test/integration/index.js with the same environment the
 * code-server runner gives it. Ends with `N passed, N failed`.
 */
const SHIM = path.join(repoRoot, 'scripts', 'code-server-electron-shim.mjs');

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const viaCodeServer = args.includes('--via-code-server');
  const only = args.filter((a) => !a.startsWith('-'));
  const selected = only.length === 0 ? runs : runs.filter((r) => only.includes(r.name));
  if (selected.length === 0) {
    throw new Error(`no run named ${only.join(', ')}; runs: ${runs.map((r) => r.name).join(', ')}`);
  }
  if (viaCodeServer) {
    await ensureTools();
    fs.chmodSync(SHIM, 0o755); // a fresh checkout may have lost the executable bit
  }
  await buildExtension();

  const summaries: (MochaSummary | undefined)[] = [];
  let failedRuns = 0;
  let crashedRuns = 0;
  for (const spec of selected) {
    const artifactsDir = path.join(artifactsRoot, 'electron', spec.name);
    fs.rmSync(artifactsDir, { recursive: true, force: true });
    fs.mkdirSync(artifactsDir, { recursive: true });
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), `candor-electron-${spec.name}-`));
    const ws = copyFixture(spec.workspace, path.join(runDir, 'ws'));
    const target = 'folder' in ws.target ? ws.target.folder : ws.target.workspace;
    log(`run "${spec.name}" (${viaCodeServer ? 'code-server shim' : 'desktop VS Code'}): ${spec.workspace}, suites ${spec.suites}`);
    let code: number;
    try {
      code = await runTests({
        ...(viaCodeServer ? { vscodeExecutablePath: SHIM } : { version: process.env.CANDOR_VSCODE_VERSION ?? 'stable' }),
        extensionDevelopmentPath: repoRoot,
        extensionTestsPath: path.join(integrationOutDir, 'index.js'),
        launchArgs: [target, '--disable-workspace-trust', `--user-data-dir=${path.join(runDir, 'user-data')}`, `--extensions-dir=${path.join(runDir, 'extensions')}`],
        extensionTestsEnv: {
          CANDOR_TEST_HOOKS: '1',
          CANDOR_SUITE_GLOB: spec.suites,
          CANDOR_ARTIFACTS: artifactsDir,
          CANDOR_WORKSPACE_ROOT: ws.root,
          CANDOR_RUN_NAME: spec.name,
          ...spec.env,
        },
      });
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (!viaCodeServer && /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|getaddrinfo|download/i.test(message)) {
        fs.rmSync(runDir, { recursive: true, force: true });
        throw new Error(
          `could not download desktop VS Code (${message}). This machine reaches only the npm and Debian ` +
            'registries: run `npm run test:electron -- --via-code-server`, or `npm run test:integration`.',
        );
      }
      log(`run "${spec.name}" failed: ${message}`);
      code = 1;
    }
    const summary = readSummaryFile(path.join(artifactsDir, SUMMARY_FILE));
    summaries.push(summary);
    if (code !== 0 || summary === undefined || summary.failed > 0) {
      failedRuns++;
      if (summary === undefined || summary.failed === 0) {
        crashedRuns++;
      }
    } else {
      fs.rmSync(runDir, { recursive: true, force: true });
    }
  }
  console.log(totalsLine(summaries, crashedRuns));
  return failedRuns === 0 ? 0 : 1;
}

function log(message: string): void {
  console.log(`[electron] ${message}`);
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`[electron] ${e instanceof Error ? e.message : String(e)}`);
    console.log(totalsLine([], 1));
    process.exit(1);
  },
);
