import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { format } from 'node:util';
import type { BrowserContext, Page } from 'playwright-core';
import { firstPage, launchBrowser, screenshot } from './browser';
import type { CodeServer } from './codeServer';
import { extensionTestPayload, startCodeServer, tail, workbenchUrl } from './codeServer';
import type { WorkspaceCopy } from './fixtures';
import { copyFixture, inPlace, resolveFixture } from './fixtures';
import { artifactsRoot, integrationOutDir, repoRoot } from './paths';
import { TimeoutError, withTimeout } from './processes';
import type { MochaSummary } from './summary';
import { BEGIN_MARKER, parseSummaryLine, readSummaryFile, SUMMARY_FILE, SUMMARY_PREFIX } from './summary';
import type { Tools } from './tools';

/** One entry of test/integration/runs.ts. */
export interface IntegrationRun {
  /** Unique, file-name safe; names the artifacts folder. */
  readonly name: string;
  /** A folder or `.code-workspace` file under test/fixtures/workspaces (or an absolute path). */
  readonly workspace: string;
  /** Glob relative to out/test/integration, e.g. `smoke/**\/*.test.js`. */
  readonly suites: string;
  /** Extra environment for code-server and so for the extension host. */
  readonly env?: Readonly<Record<string, string>>;
  /** Default 180 s. */
  readonly timeoutMs?: number;
  /**
   * Opens the same workspace in a second browser tab of the same Chromium context: a second
   * window of one workspace, with its own extension host. It runs `out/test/integration/peer.js`,
   * which obeys the suite in the first window through files in $CANDOR_PEER_DIR.
   */
  readonly secondWindow?: boolean;
}

export interface IntegrationOptions {
  readonly tools: Tools;
  /** Copy the workspace to a temporary folder first (default true). */
  readonly copyWorkspace?: boolean;
  readonly extensionDevelopmentPath?: string;
  readonly extensionTestsPath?: string;
  /** Default: test-artifacts/integration/<run name> (emptied first). */
  readonly artifactsDir?: string;
  /** Where mocha's output goes, line by line. Default: stdout. */
  readonly echo?: (line: string) => void;
}

export interface IntegrationResult {
  readonly name: string;
  readonly ok: boolean;
  /** What the workbench reported through codeAutomationExit (0 = run() resolved). */
  readonly exitCode: number | undefined;
  readonly summary: MochaSummary | undefined;
  readonly durationMs: number;
  readonly error: string | undefined;
  readonly artifactsDir: string;
  /** Seconds from the start of the run to each phase, for spotting where time goes. */
  readonly phases: Readonly<Record<string, number>>;
}

/** 180 s, or CANDOR_RUN_TIMEOUT_MS (e.g. for a slow or heavily loaded machine). */
export const DEFAULT_RUN_TIMEOUT_MS = Number(process.env.CANDOR_RUN_TIMEOUT_MS) > 0 ? Number(process.env.CANDOR_RUN_TIMEOUT_MS) : 180_000;

/** Workbench log lines that are expected on a machine without internet access. */
const NOISE = /ENOTFOUND|open-vsx\.org|ERR_NAME_NOT_RESOLVED|authentication provider 'github'|^\s+at .*workbench\.js|\[AccountPolicyGate\]/;

/**
 * One integration run: a fresh user-data dir, a fresh copy of the workspace, code-server with
 * CANDOR_TEST_HOOKS=1, and Chromium opening the workbench with an extension-test payload. The
 * suite's `run()` (test/integration/index.ts) runs mocha in the remote extension host; the
 * workbench reports its outcome through `codeAutomationExit` and streams the extension host's
 * output through `codeAutomationLog`.
 */
export async function runIntegration(spec: IntegrationRun, options: IntegrationOptions): Promise<IntegrationResult> {
  const started = Date.now();
  const echo = options.echo ?? ((line: string) => process.stdout.write(`${line}\n`));
  const artifactsDir = options.artifactsDir ?? path.join(artifactsRoot, 'integration', spec.name);
  fs.rmSync(artifactsDir, { recursive: true, force: true });
  fs.mkdirSync(artifactsDir, { recursive: true });
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), `candor-it-${spec.name}-`));
  const timeoutMs = spec.timeoutMs ?? DEFAULT_RUN_TIMEOUT_MS;

  let server: CodeServer | undefined;
  let browser: Promise<BrowserContext> | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  let exitCode: number | undefined;
  let error: string | undefined;
  const logLines: string[] = [];
  const phases: Record<string, number> = {};
  const mark = (phase: string): void => {
    phases[phase] ??= Math.round((Date.now() - started) / 100) / 10;
  };
  try {
    const ws: WorkspaceCopy =
      options.copyWorkspace === false ? inPlace(resolveFixture(spec.workspace)) : copyFixture(spec.workspace, path.join(runDir, 'ws'));
    // Start the browser while code-server boots: they are independent and each takes seconds.
    browser = launchBrowser({
      executablePath: options.tools.chromium,
      userDataDir: path.join(runDir, 'chromium'),
      home: path.join(runDir, 'home'),
    });
    browser.catch(() => undefined); // awaited below; avoid an unhandled rejection if the server fails first
    server = await startCodeServer({
      tools: options.tools,
      runDir,
      logFile: path.join(artifactsDir, 'code-server.log'),
      env: {
        CANDOR_TEST_HOOKS: '1',
        CANDOR_SUITE_GLOB: spec.suites,
        CANDOR_ARTIFACTS: artifactsDir,
        CANDOR_WORKSPACE_ROOT: ws.root,
        ...(spec.secondWindow === true ? { CANDOR_PEER_DIR: path.join(runDir, 'peer') } : {}),
        ...spec.env,
        CANDOR_HOST: 'code-server',
      },
    });
    mark('server');
    context = await browser;
    mark('browser');
    page = await firstPage(context);

    let resolveExit: (code: number) => void = () => undefined;
    const exited = new Promise<number>((resolve) => (resolveExit = resolve));
    // The workbench sends its own log and the extension host's console here, each call as the
    // console's arguments. Everything goes to output.log; only the suite's part (from the
    // begin marker index.ts prints) is echoed, minus the offline machine's known noise.
    let inSuite = false;
    await page.exposeFunction('codeAutomationLog', (_level: unknown, message: unknown) => {
      const text = Array.isArray(message) ? format(...(message as unknown[])) : String(message);
      for (const line of text.replace(/\n$/, '').split('\n')) {
        logLines.push(line);
        if (!inSuite && line.includes(BEGIN_MARKER)) {
          inSuite = true;
          mark('suite');
        }
        if (inSuite && !line.includes(BEGIN_MARKER) && !NOISE.test(line)) {
          echo(line);
        }
        if (line.includes(SUMMARY_PREFIX)) {
          inSuite = false; // what follows is the workbench shutting down
        }
      }
    });
    await page.exposeFunction('codeAutomationExit', (code: unknown) => {
      resolveExit(typeof code === 'number' ? code : 1);
    });
    const crashed = new Promise<never>((_, reject) => {
      page?.once('crash', () => reject(new Error('the workbench page crashed')));
      void server?.process.exited.then((code) => reject(new Error(`code-server exited (${code}) during the run; log tail:\n${tail(server?.logFile ?? '')}`)));
    });
    crashed.catch(() => undefined); // also rejects when we stop the server ourselves

    const payload = extensionTestPayload(
      server,
      options.extensionDevelopmentPath ?? repoRoot,
      options.extensionTestsPath ?? path.join(integrationOutDir, 'index.js'),
    );
    await page.goto(workbenchUrl(server, ws.target, payload), { waitUntil: 'domcontentloaded', timeout: 60_000 });
    mark('page');
    if (spec.secondWindow === true) {
      // The second tab: same folder URL, same context. Its extension host's console goes to
      // output.log, marked; its exit is not the run's (the suite in the first tab decides).
      const second = await context.newPage();
      await second.exposeFunction('codeAutomationLog', (_level: unknown, message: unknown) => {
        const text = Array.isArray(message) ? format(...(message as unknown[])) : String(message);
        for (const line of text.replace(/\n$/, '').split('\n')) {
          logLines.push(`[window 2] ${line}`);
          if (line.includes('[peer]')) {
            echo(`[window 2] ${line}`);
          }
        }
      });
      await second.exposeFunction('codeAutomationExit', (code: unknown) => {
        logLines.push(`[window 2] peer exited (${String(code)})`);
      });
      const peerPayload = extensionTestPayload(server, options.extensionDevelopmentPath ?? repoRoot, path.join(integrationOutDir, 'peer.js'));
      await second.goto(workbenchUrl(server, ws.target, peerPayload), { waitUntil: 'domcontentloaded', timeout: 60_000 });
      mark('second window');
    }
    exitCode = await withTimeout(
      Promise.race([exited, crashed]),
      timeoutMs - (Date.now() - started),
      `integration run "${spec.name}" did not finish within ${Math.round(timeoutMs / 1000)} s: the suite hung, or the test payload was ignored`,
    );
    mark('done');
    if (exitCode !== 0) {
      error = `the suite's run() rejected (exit code ${exitCode})`;
      await screenshot(page, artifactsDir, 'failure');
    }
  } catch (e) {
    error = e instanceof Error ? (TimeoutError.is(e) ? e.message : (e.stack ?? e.message)) : String(e);
    await screenshot(page, artifactsDir, 'failure');
  } finally {
    context ??= await browser?.catch(() => undefined);
    await context?.close().catch(() => undefined);
    await server?.stop();
  }

  fs.writeFileSync(path.join(artifactsDir, 'output.log'), `${logLines.join('\n')}\n`);
  if (error !== undefined && !logLines.some((l) => l.includes(BEGIN_MARKER))) {
    const useful = logLines.filter((l) => !NOISE.test(l) && !/^\s+at |^Canceled/.test(l));
    echo(`[harness] the suite never started or crashed; last log lines (all in ${path.join(artifactsDir, 'output.log')}):`);
    echo(useful.slice(-15).join('\n'));
  }
  const summary = readSummaryFile(path.join(artifactsDir, SUMMARY_FILE)) ?? parseSummaryLine(logLines);
  if (error === undefined && summary === undefined) {
    error = 'the suite finished but reported no test summary';
  }
  const ok = error === undefined && exitCode === 0 && (summary?.failed ?? 1) === 0;
  if (ok && process.env.CANDOR_KEEP_RUNS !== '1') {
    fs.rmSync(runDir, { recursive: true, force: true });
  } else if (!ok) {
    echo(`[harness] run "${spec.name}" kept its files in ${runDir}; logs in ${artifactsDir}`);
  }
  return { name: spec.name, ok, exitCode, summary, durationMs: Date.now() - started, error, artifactsDir, phases };
}
