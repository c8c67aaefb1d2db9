import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import picomatch from 'picomatch';
import type { MochaSummary } from '../harness/summary';
import { BEGIN_MARKER, formatSummaryLine, SUMMARY_FILE } from '../harness/summary';

/**
 * Entry point the extension host calls with `--extensionTestsPath` (code-server through the
 * workbench payload, or desktop VS Code through @vscode/test-electron). Runs the compiled
 * suites under this folder that match CANDOR_SUITE_GLOB (default every `*.test.js`), prints
 * mocha's spec output, then a machine-readable summary (also written to
 * $CANDOR_ARTIFACTS/mocha-summary.json), and rejects if anything failed.
 */
export async function run(): Promise<void> {
  const glob = process.env.CANDOR_SUITE_GLOB ?? '**/*.test.js';
  const files = findFiles(__dirname, glob);
  if (files.length === 0) {
    throw new Error(`no compiled suites match CANDOR_SUITE_GLOB=${glob} under ${__dirname}`);
  }
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: 30_000, slow: 2_000 });
  for (const file of files) {
    mocha.addFile(file);
  }

  console.log(`${BEGIN_MARKER} ${files.length} file(s) matching ${glob}`);
  const summary = await new Promise<MochaSummary>((resolve, reject) => {
    try {
      const runner = mocha.run(() => {
        const stats = runner.stats;
        resolve({ passed: stats?.passes ?? 0, failed: stats?.failures ?? 0, pending: stats?.pending ?? 0 });
      });
    } catch (e) {
      reject(e instanceof Error ? e : new Error(String(e)));
    }
  });

  const artifacts = process.env.CANDOR_ARTIFACTS;
  if (artifacts !== undefined && artifacts !== '') {
    fs.mkdirSync(artifacts, { recursive: true });
    fs.writeFileSync(path.join(artifacts, SUMMARY_FILE), `${JSON.stringify(summary)}\n`);
  }
  console.log(formatSummaryLine(summary));
  if (summary.failed > 0) {
    throw new Error(`${summary.failed} integration test(s) failed`);
  }
}

/** Files under `root` whose `/`-separated relative path matches `glob`, sorted. */
function findFiles(root: string, glob: string): string[] {
  const isMatch = picomatch(glob);
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const abs = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        walk(abs);
      } else if (isMatch(path.relative(root, abs).split(path.sep).join('/'))) {
        found.push(abs);
      }
    }
  };
  walk(root);
  return found.sort();
}
