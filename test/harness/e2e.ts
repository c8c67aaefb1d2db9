import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { firstPage, launchBrowser, screenshot } from './browser';
import type { CodeServer } from './codeServer';
import { installExtension, startCodeServer, workbenchUrl } from './codeServer';
import type { WorkspaceCopy } from './fixtures';
import { copyFixture } from './fixtures';
import { artifactsRoot } from './paths';
import { withTimeout } from './processes';
import type { Tools } from './tools';
import { waitForWorkbench } from './workbench';

/** What an end-to-end test gets: a workbench page on a code-server with the packaged extension. */
export interface E2eContext {
  readonly page: Page;
  readonly server: CodeServer;
  readonly workspace: WorkspaceCopy;
  /** test-artifacts/e2e (shared by all e2e tests; name files after the test). */
  readonly artifactsDir: string;
  /** The file the extension writes its perf report to ($CANDOR_PERF_OUT). */
  readonly perfOut: string;
  log(message: string): void;
}

export interface E2eTest {
  readonly name: string;
  /** A fixture under test/fixtures/workspaces; a fresh copy is opened. */
  readonly workspace: string;
  /** Default 300 s, from installing the extension to the end of `run`. */
  readonly timeoutMs?: number;
  /** User settings for this test, over the harness defaults. */
  readonly settings?: Readonly<Record<string, unknown>>;
  run(ctx: E2eContext): Promise<void>;
}

export interface E2eResult {
  readonly name: string;
  readonly ok: boolean;
  readonly error: string | undefined;
  readonly durationMs: number;
}

/**
 * Runs one e2e test: installs the .vsix into a fresh extensions folder, starts code-server
 * WITHOUT test hooks (but with CANDOR_PERF_OUT), opens a copy of the workspace in Chromium and
 * hands the page to the test. A failure leaves a screenshot and the server log in test-artifacts/e2e.
 */
export async function runE2eTest(test: E2eTest, tools: Tools, vsix: string): Promise<E2eResult> {
  const started = Date.now();
  const artifactsDir = path.join(artifactsRoot, 'e2e');
  fs.mkdirSync(artifactsDir, { recursive: true });
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), `candor-e2e-${test.name}-`));
  const log = (message: string): void => console.log(`[e2e:${test.name}] ${message}`);
  let server: CodeServer | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  let error: string | undefined;
  try {
    const body = async (): Promise<void> => {
      const dirs = { extensionsDir: path.join(runDir, 'extensions'), userDataDir: path.join(runDir, 'user-data'), home: path.join(runDir, 'home') };
      await installExtension(tools, vsix, dirs);
      log('extension installed from the .vsix');
      const workspace = copyFixture(test.workspace, path.join(runDir, 'ws'));
      const perfOut = path.join(runDir, 'perf.json');
      const browser = launchBrowser({ executablePath: tools.chromium, userDataDir: path.join(runDir, 'chromium'), home: dirs.home });
      browser.catch(() => undefined);
      try {
        server = await startCodeServer({
          tools,
          runDir,
          ...dirs,
          logFile: path.join(artifactsDir, `${test.name}.code-server.log`),
          env: { CANDOR_PERF_OUT: perfOut },
          settings: test.settings,
        });
      } finally {
        context = await browser.catch(() => undefined);
      }
      const ctx = context ?? (await browser); // rethrows a launch error
      page = await firstPage(ctx);
      await page.goto(workbenchUrl(server, workspace.target), { waitUntil: 'domcontentloaded', timeout: 60_000 });
      await waitForWorkbench(page);
      log(`workbench ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);
      await test.run({ page, server, workspace, artifactsDir, perfOut, log });
    };
    const timeoutMs = test.timeoutMs ?? 300_000;
    await withTimeout(body(), timeoutMs, `e2e test "${test.name}" did not finish within ${Math.round(timeoutMs / 1000)} s`);
  } catch (e) {
    error = e instanceof Error ? (e.stack ?? e.message) : String(e);
    const shot = await screenshot(page, artifactsDir, `${test.name}-failure`);
    if (shot !== undefined) {
      log(`failure screenshot: ${path.relative(process.cwd(), shot)}`);
    }
  } finally {
    await context?.close().catch(() => undefined);
    await server?.stop();
  }
  if (error === undefined && process.env.CANDOR_KEEP_RUNS !== '1') {
    fs.rmSync(runDir, { recursive: true, force: true });
  } else if (error !== undefined) {
    log(`kept ${runDir}`);
  }
  return { name: test.name, ok: error === undefined, error, durationMs: Date.now() - started };
}
