import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findFrameWith } from '../harness/browser';
import type { PerfReport } from '../harness/candorLog';
import { findLogDirs, perfBetween, readPerf, replayWithCli } from '../harness/candorLog';
import type { E2eTest } from '../harness/e2e';
import { waitFor } from '../harness/processes';
import type { Keystrokes } from '../harness/workbench';
import { quickOpen, runCommand, save, statusBar, statusBarEntry, typeScript } from '../harness/workbench';

/** The file the test types into (workspace-relative, non-ASCII on purpose). */
const FILE = 'src/héllo.ts';
/** Typed into before recording starts, for the baseline. */
const BASELINE_FILE = 'src/main.ts';
const CATEGORIES = ['edits', 'files', 'navigation'] as const;

/**
 * Realistic typing at the end of the file: words, Enter (auto-indent), typos fixed with Backspace,
 * brackets and quotes that VS Code auto-closes (typing the closing one steps over it). The exact
 * resulting text does not matter: the test compares Candor's replay with the saved file.
 */
const SCRIPT: readonly Keystrokes[] = [
  { press: 'Control+End' },
  { press: 'Enter' },
  { type: '// Says hello loudly, for people who are far away.\n' },
  { type: 'export function shuot' },
  { press: 'Backspace', times: 3 },
  { type: 'out(g: Greeting, times = 1): string {\n' },
  { type: 'cosnt' },
  { press: 'Backspace', times: 3 },
  { type: 'nst base = greet(g).toUpperCase();\n' },
  { type: "const bang = '!'.repeat(Math.max(1, times));\n" },
  { type: 'return `${base}${bang}`;' },
  { press: 'ArrowDown' },
  { press: 'End' },
  { press: 'Enter', times: 2 },
  { type: 'export const greetings: Greeting[] = [\n' },
  { type: "{ name: 'Zoë', polite: true },\n" },
  { type: '{ name: "Ana", polite: fasle' },
  { press: 'Backspace', times: 4 },
  { type: 'alse },' },
  { press: 'ArrowDown' },
  { press: 'End' },
  { type: ';' },
  { press: 'Enter', times: 2 },
  { type: 'for (const g of greetings) {\n' },
  { type: 'console.log(shout(g, g.polite ? 1 : 3));' },
  { press: 'ArrowDown' },
  { press: 'End' },
  { press: 'Enter' },
  { type: '// done: ünïcödé, emoji 🚀, and a tab\tend\n' },
];

export const typingE2e: E2eTest = {
  name: 'typing',
  workspace: 'basic ws',
  // Suggestions stay on (the default): accepting one is an edit like any other.
  async run({ page, server, workspace, artifactsDir, perfOut, log }) {
    // Baseline: the same typing with Candor installed and active but not recording, so the
    // event-loop figure below can be compared with what the extension host does anyway.
    await quickOpen(page, BASELINE_FILE);
    const baselineStarted = Date.now();
    await typeScript(page, SCRIPT, 20);
    const baselineEnded = Date.now();
    await save(page);
    log(`baseline typing (not recording) took ${((baselineEnded - baselineStarted) / 1000).toFixed(1)} s`);

    await runCommand(page, 'Candor: Start Recording in This Workspace');
    log('consent panel requested');

    const consent = await findFrameWith(page, 'button#accept', 30_000);
    for (const category of CATEGORIES) {
      await consent.locator(`input[type="checkbox"][data-category="${category}"]`).check({ timeout: 10_000 });
    }
    await page.screenshot({ path: path.join(artifactsDir, 'consent.png') });
    await consent.locator('button#accept').click({ timeout: 10_000 });
    log(`consent accepted for ${CATEGORIES.join(', ')}`);

    const rec = statusBarEntry(page, 'Candor', 'REC');
    await rec.waitFor({ state: 'visible', timeout: 20_000 });
    await statusBar(page).screenshot({ path: path.join(artifactsDir, 'status-bar-rec.png') });
    log('status bar shows REC (test-artifacts/e2e/status-bar-rec.png)');

    await quickOpen(page, FILE);
    const typingStarted = Date.now();
    const keys = await typeScript(page, SCRIPT, 20);
    const typingEnded = Date.now();
    const typingMs = typingEnded - typingStarted;
    await save(page);
    log(`typed ${keys} keys in ${(typingMs / 1000).toFixed(1)} s and saved`);
    await page.screenshot({ path: path.join(artifactsDir, 'typed.png') });

    // The tab stops being dirty when the save starts; the bytes reach the disk through the remote
    // file system a little later, so the disk is re-read on every poll too.
    const diskFile = path.join(workspace.root, ...FILE.split('/'));
    let onDisk = fs.readFileSync(diskFile);
    const logDir = await waitFor('Candor log folder in the workspace storage', () => findLogDirs(server.userDataDir)[0], 10_000);
    // The recorder flushes on a timer: poll the replay until it catches up with the saved file.
    let replayed: Buffer = Buffer.alloc(0);
    try {
      await waitFor(
        `replay of ${FILE} to equal the saved file`,
        async () => {
          replayed = await replayWithCli(logDir, FILE);
          onDisk = fs.readFileSync(diskFile);
          return replayed.equals(onDisk) ? true : undefined;
        },
        30_000,
        500,
      );
    } catch (e) {
      fs.writeFileSync(path.join(artifactsDir, 'typing.replayed.txt'), replayed);
      fs.writeFileSync(path.join(artifactsDir, 'typing.on-disk.txt'), onDisk);
      assert.equal(replayed.toString('utf8'), onDisk.toString('utf8'), `replay differs from disk (${e instanceof Error ? e.message : String(e)})`);
    }
    log(`replay of ${FILE} equals the ${onDisk.length} bytes on disk`);

    // The probe writes once a second: wait for a window that ends after the typing did.
    const perf: PerfReport = await waitFor(
      'the perf report ($CANDOR_PERF_OUT) to cover the typing',
      () => {
        const p = readPerf(perfOut);
        return p && p.windows.some((w) => w.at > typingEnded) ? p : undefined;
      },
      10_000,
    );
    const recording = perfBetween(perf, typingStarted, typingEnded);
    const baseline = perfBetween(perf, baselineStarted, baselineEnded);
    const report = {
      activationMs: perf.activationMs,
      // What Candor itself blocked: its longest single handler while typing was recorded.
      candorMaxHandlerMs: recording.candorMaxMs,
      candorHandlerCalls: recording.candorCalls,
      // The whole extension host (every extension): recording vs. the same typing not recording.
      maxEventLoopDelayMs: recording.maxMs,
      baselineMaxEventLoopDelayMs: baseline.maxMs,
      keysTyped: keys,
      typingMs,
    };
    fs.writeFileSync(path.join(artifactsDir, 'perf.json'), `${JSON.stringify(report, null, 2)}\n`);
    log(
      `activation ${perf.activationMs.toFixed(1)} ms; longest Candor handler while typing ${recording.candorMaxMs.toFixed(2)} ms ` +
        `(${recording.candorCalls} calls); extension-host event-loop max ${recording.maxMs.toFixed(1)} ms recording vs ` +
        `${baseline.maxMs.toFixed(1)} ms not recording`,
    );
    assert.ok(recording.candorCalls > 0, 'the probe saw Candor handle the typing');
  },
};
