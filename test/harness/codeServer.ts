import * as fs from 'node:fs';
import * as path from 'node:path';
import { freePort, LOOPBACK } from './ports';
import type { GroupProcess } from './processes';
import { run, spawnGroup, waitFor } from './processes';
import type { Tools } from './tools';

/**
 * Starts code-server (a full VS Code 1.139, from npm) the way shared/vscode-testing.md describes:
 * Node 24, no auth, loopback only, its own process group, HOME redirected per run,
 * and the smoke-test driver enabled so the browser URL can carry an extension-test payload.
 */
export interface CodeServerOptions {
  readonly tools: Tools;
  /** A folder owned by this run; `home/`, `user-data/` and `extensions/` are made inside unless given. */
  readonly runDir: string;
  readonly userDataDir?: string;
  readonly extensionsDir?: string;
  readonly home?: string;
  /** Default: a free port picked now. */
  readonly port?: number;
  /** Extra environment for the server, and so for its extension host. */
  readonly env?: Readonly<Record<string, string>>;
  /** Where the server's stdout/stderr go. Default: `<runDir>/code-server.log`. */
  readonly logFile?: string;
  /** User settings merged over {@link defaultSettings} into `<user-data>/User/settings.json`. */
  readonly settings?: Readonly<Record<string, unknown>>;
  readonly startTimeoutMs?: number;
}

export interface CodeServer {
  readonly port: number;
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  /** `127.0.0.1:PORT`, the authority of vscode-remote:// URIs. */
  readonly authority: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  readonly home: string;
  readonly logFile: string;
  readonly process: GroupProcess;
  /** Kills the server's whole process group (extension hosts included). Idempotent. */
  stop(): Promise<void>;
}

/** What the workbench opens: a folder or a `.code-workspace` file (absolute paths). */
export type WorkspaceTarget = { readonly folder: string } | { readonly workspace: string };

/** Settings that keep a fresh VS Code quiet and offline-friendly; tests can override any. */
export const defaultSettings: Readonly<Record<string, unknown>> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.openRepositoryInParentFolders': 'never',
  'security.workspace.trust.enabled': false,
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

/** Environment variables a parent VS Code, Electron or test run could leak into the server. */
const LEAKY_ENV = /^(VSCODE_|ELECTRON_|CANDOR_|NODE_OPTIONS$|NODE_CHANNEL_FD$)/;

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const home = options.home ?? path.join(options.runDir, 'home');
  const userDataDir = options.userDataDir ?? path.join(options.runDir, 'user-data');
  const extensionsDir = options.extensionsDir ?? path.join(options.runDir, 'extensions');
  const logFile = options.logFile ?? path.join(options.runDir, 'code-server.log');
  for (const dir of [home, userDataDir, extensionsDir, path.dirname(logFile)]) {
    fs.mkdirSync(dir, { recursive: true });
  }
  writeUserSettings(userDataDir, options.settings);

  const port = options.port ?? (await freePort());
  const authority = `${LOOPBACK}:${port}`;
  const args = [
    path.join(options.tools.codeServer, 'out', 'node', 'entry.js'),
    '--config', '/dev/null',
    '--auth', 'none',
    '--bind-addr', authority,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
    '--vscode-option', 'enable-smoke-test-driver',
    // Otherwise the server runs `$SHELL -i -l` to read a "user environment" for the extension
    // host, which waits out a 10 s timeout without a terminal; tests want exactly the env given.
    '--vscode-option', 'force-disable-user-env',
  ];
  const proc = spawnGroup('code-server', options.tools.node24, args, {
    env: serverEnv(home, options.env),
    logFile,
    cwd: home,
  });
  const server: CodeServer = {
    port,
    origin: `http://${authority}`,
    authority,
    userDataDir,
    extensionsDir,
    home,
    logFile,
    process: proc,
    stop: () => proc.stop(),
  };
  try {
    await waitFor(
      `code-server /healthz on ${authority}`,
      async () => {
        if (proc.hasExited()) {
          throw new Error(`code-server exited during start-up; log tail:\n${tail(logFile)}`);
        }
        const res = await fetch(`${server.origin}/healthz`, { signal: AbortSignal.timeout(2000) });
        return res.ok ? true : undefined;
      },
      options.startTimeoutMs ?? 60_000,
      150,
    );
    // code-server loads VS Code's server code on the first page request (1–3 s): do it now, while
    // the caller is still launching the browser, rather than when the test opens the page.
    await fetch(`${server.origin}/`, { signal: AbortSignal.timeout(options.startTimeoutMs ?? 60_000) }).then((res) => res.arrayBuffer());
  } catch (e) {
    await proc.stop();
    throw e;
  }
  return server;
}

/** `code-server --install-extension <vsix>` into `extensionsDir` (replacing an installed copy). */
export async function installExtension(tools: Tools, vsix: string, dirs: { extensionsDir: string; userDataDir: string; home: string }): Promise<void> {
  for (const dir of Object.values(dirs)) {
    fs.mkdirSync(dir, { recursive: true });
  }
  await run(
    tools.node24,
    [
      path.join(tools.codeServer, 'out', 'node', 'entry.js'),
      '--config', '/dev/null',
      '--user-data-dir', dirs.userDataDir,
      '--extensions-dir', dirs.extensionsDir,
      '--install-extension', vsix,
      '--force',
    ],
    { env: serverEnv(dirs.home), cwd: dirs.home, quiet: true },
  );
}

/** The workbench URL for `target`, optionally with an extension-development/test payload. */
export function workbenchUrl(server: Pick<CodeServer, 'origin'>, target: WorkspaceTarget, payload?: readonly (readonly [string, string])[]): string {
  const params = new URLSearchParams();
  if ('folder' in target) {
    params.set('folder', target.folder);
  } else {
    params.set('workspace', target.workspace);
  }
  if (payload !== undefined && payload.length > 0) {
    params.set('payload', JSON.stringify(payload));
  }
  // URLSearchParams writes spaces as '+', which VS Code's query parsing does not undo.
  return `${server.origin}/?${params.toString().replace(/\+/g, '%20')}`;
}

/** `vscode-remote://127.0.0.1:PORT/abs/path`, each path segment percent-encoded. */
export function remoteUri(server: Pick<CodeServer, 'authority'>, absPath: string): string {
  const encoded = path.resolve(absPath).split('/').map(encodeURIComponent).join('/');
  return `vscode-remote://${server.authority}${encoded}`;
}

/** The payload that makes the workbench load `extensionDevelopmentPath` and run `extensionTestsPath`. */
export function extensionTestPayload(server: Pick<CodeServer, 'authority'>, extensionDevelopmentPath: string, extensionTestsPath?: string): [string, string][] {
  const payload: [string, string][] = [['extensionDevelopmentPath', remoteUri(server, extensionDevelopmentPath)]];
  if (extensionTestsPath !== undefined) {
    payload.push(['extensionTestsPath', remoteUri(server, extensionTestsPath)]);
  }
  return payload;
}

export function tail(file: string, bytes = 3000): string {
  try {
    const text = fs.readFileSync(file, 'utf8');
    return text.slice(-bytes);
  } catch {
    return '(no log)';
  }
}

function serverEnv(home: string, extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!LEAKY_ENV.test(key) && !key.startsWith('npm_')) {
      env[key] = value;
    }
  }
  Object.assign(env, extra, { HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_DATA_HOME: path.join(home, '.local', 'share'), XDG_CACHE_HOME: path.join(home, '.cache') });
  return env;
}

function writeUserSettings(userDataDir: string, settings: Readonly<Record<string, unknown>> = {}): void {
  const file = path.join(userDataDir, 'User', 'settings.json');
  let existing: Record<string, unknown> = {};
  if (fs.existsSync(file)) {
    try {
      existing = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch {
      return; // hand-edited JSONC in a persistent profile: leave it as the user wrote it
    }
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify({ ...defaultSettings, ...existing, ...settings }, null, 2)}\n`);
}
