#!/usr/bin/env node
// `npm start [-- <folder>]`: Candor in a real VS Code (code-server), for trying it by hand.
//   1. installs the tools when missing (scripts/tools.sh: Node 24, code-server, Chromium)
//   2. builds and packages the extension (npm run package → candor.vsix)
//   3. installs the .vsix into a persistent profile under ~/.cache/candor-dev/
//   4. starts every service in SERVICES (today: code-server; the collector goes next to it)
//   5. prints the URL and stays in the foreground; Ctrl+C stops every service's process group.
// Environment: CANDOR_PORT (default 8080, or the next free port), CANDOR_DEV_DIR (profile folder).
/* global fetch, AbortSignal */
import { execFileSync, spawn } from 'node:child_process';
import console from 'node:console';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import process from 'node:process';
import { setTimeout } from 'node:timers';
import { fileURLToPath, URLSearchParams } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cacheHome = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
const devDir = path.resolve(process.env.CANDOR_DEV_DIR || path.join(cacheHome, 'candor-dev'));
const HOST = '127.0.0.1';

function log(message) {
  console.log(`[start] ${message}`);
}

/** Runs a command to completion with inherited output; throws on failure. */
function sh(command, args, options = {}) {
  execFileSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], cwd: repoRoot, ...options });
}

function tools() {
  const out = execFileSync('bash', [path.join(repoRoot, 'scripts', 'tools.sh'), '--print-env'], {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const env = Object.fromEntries([...out.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1], m[2]]));
  for (const key of ['CANDOR_NODE24', 'CANDOR_CODE_SERVER']) {
    if (!env[key] || !fs.existsSync(env[key])) {
      throw new Error(`scripts/tools.sh --print-env gave no usable ${key}`);
    }
  }
  return { node24: env.CANDOR_NODE24, codeServer: env.CANDOR_CODE_SERVER };
}

function isFree(port) {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

async function pickPort() {
  const preferred = Number.parseInt(process.env.CANDOR_PORT || '8080', 10);
  for (let port = preferred; port < preferred + 100; port++) {
    if (await isFree(port)) {
      return port;
    }
  }
  throw new Error(`no free port on ${HOST} from ${preferred}`);
}

/** A small workspace to try Candor in, created once. */
function demoWorkspace() {
  const dir = path.join(devDir, 'demo workspace');
  if (!fs.existsSync(dir)) {
    fs.mkdirSync(path.join(dir, 'src'), { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'README.md'),
      '# Candor demo workspace\n\nRun **Candor: Start Recording in This Workspace** (F1), choose what to record, then edit\n`src/hello.ts`. The status bar shows ● REC while Candor records.\n',
    );
    fs.writeFileSync(path.join(dir, 'src', 'hello.ts'), "export function hello(name: string): string {\n  return `Hello, ${name}!`;\n}\n");
  }
  return dir;
}

/** Kills a code-server group left behind by an earlier `npm start` that was killed hard. */
function killStale(pidFile) {
  let pid;
  try {
    pid = Number.parseInt(fs.readFileSync(pidFile, 'utf8'), 10);
  } catch {
    return;
  }
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (cmdline.includes('code-server') && cmdline.includes(devDir)) {
      log(`stopping the code-server left running by an earlier npm start (pid ${pid})`);
      process.kill(-pid, 'SIGKILL');
    }
  } catch {
    // not running any more
  }
  fs.rmSync(pidFile, { force: true });
}

/**
 * Services `npm start` runs, started in order and stopped in reverse. Each start() resolves when
 * the service is ready, with { banner, detail?, exited: Promise, stop(): Promise, kill(): void }.
 * Add the collector here.
 */
const SERVICES = [
  {
    name: 'code-server',
    async start({ tools: t, vsix, folder }) {
      const dirs = {
        userData: path.join(devDir, 'user-data'),
        extensions: path.join(devDir, 'extensions'),
      };
      for (const dir of Object.values(dirs)) {
        fs.mkdirSync(dir, { recursive: true });
      }
      writeDefaultSettings(dirs.userData);
      const entry = path.join(t.codeServer, 'out', 'node', 'entry.js');
      const common = ['--config', '/dev/null', '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];
      log('installing candor.vsix into the dev profile');
      sh(t.node24, [entry, ...common, '--install-extension', vsix, '--force'], { stdio: ['ignore', 'ignore', 'inherit'] });

      const pidFile = path.join(devDir, 'code-server.pid');
      killStale(pidFile);
      const port = await pickPort();
      const logFile = path.join(devDir, 'code-server.log');
      const out = fs.openSync(logFile, 'w');
      // HOME stays the developer's own (git identity, shell) in this interactive profile.
      const child = spawn(
        t.node24,
        [entry, ...common, '--auth', 'none', '--bind-addr', `${HOST}:${port}`, '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override'],
        { detached: true, stdio: ['ignore', out, out], env: withoutVscodeEnv() },
      );
      fs.closeSync(out);
      fs.writeFileSync(pidFile, String(child.pid));
      const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
      const stop = async () => {
        signalGroup(child.pid, 'SIGTERM');
        await Promise.race([exited, delay(5000)]);
        signalGroup(child.pid, 'SIGKILL');
        fs.rmSync(pidFile, { force: true });
      };
      const origin = `http://${HOST}:${port}`;
      const deadline = Date.now() + 60_000;
      for (;;) {
        const ok = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok, () => false);
        if (ok) {
          break;
        }
        if (child.exitCode !== null || Date.now() > deadline) {
          await stop();
          throw new Error(`code-server did not start; see ${logFile}:\n${fs.readFileSync(logFile, 'utf8').slice(-2000)}`);
        }
        await delay(200);
      }
      const url = `${origin}/?${new URLSearchParams({ folder }).toString().replace(/\+/g, '%20')}`;
      const kill = () => signalGroup(child.pid, 'SIGKILL');
      return { url, banner: `Candor is running in VS Code: ${url}`, detail: `code-server log: ${logFile}`, exited, stop, kill };
    },
  },
];

/** A quiet, offline-friendly profile on first start; later the developer's own edits win. */
function writeDefaultSettings(userDataDir) {
  const file = path.join(userDataDir, 'User', 'settings.json');
  if (fs.existsSync(file)) {
    return;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const settings = {
    'workbench.startupEditor': 'none',
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'chat.disableAIFeatures': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
  };
  fs.writeFileSync(file, `${JSON.stringify(settings, null, 2)}\n`);
}

function withoutVscodeEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(VSCODE_|ELECTRON_|CANDOR_TEST_HOOKS$|CANDOR_PERF_OUT$)/.test(k)));
}

function signalGroup(pid, signal) {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function main() {
  const arg = process.argv[2];
  // npm runs scripts from the package root; INIT_CWD is where the developer typed `npm start`.
  const folder = arg ? path.resolve(process.env.INIT_CWD || process.cwd(), arg) : demoWorkspace();
  if (!fs.existsSync(folder)) {
    throw new Error(`no such folder: ${folder}`);
  }
  fs.mkdirSync(devDir, { recursive: true });
  const t = tools();
  log('building and packaging the extension (npm run package)');
  try {
    execFileSync('npm', ['run', '--silent', 'package'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  } catch (e) {
    throw new Error(`npm run package failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
  const vsix = path.join(repoRoot, 'candor.vsix');

  const running = [];
  const stopAll = async () => {
    for (const service of running.reverse()) {
      await service.stop().catch(() => undefined);
    }
  };
  let stopping = false;
  const onSignal = (signal) => {
    if (stopping) {
      return;
    }
    stopping = true;
    log(`${signal}: stopping ${running.map((s) => s.name).join(', ') || 'nothing'}`);
    void stopAll().then(() => process.exit(0));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  process.on('exit', () => {
    for (const service of running) {
      service.kill(); // synchronous last resort (an exception, process.exit)
    }
  });

  try {
    for (const service of SERVICES) {
      const handle = await service.start({ tools: t, vsix, folder });
      running.push({ name: service.name, ...handle });
    }
  } catch (e) {
    await stopAll();
    throw e;
  }
  console.log('');
  for (const service of running) {
    console.log(service.banner);
    if (service.detail) {
      console.log(`  ${service.detail}`);
    }
  }
  console.log(`  profile: ${devDir}`);
  console.log('Press Ctrl+C to stop.');

  // Stay in the foreground until a signal, or until a service dies on its own.
  const died = await Promise.race(running.map((s) => s.exited.then((how) => ({ name: s.name, how }))));
  if (!stopping) {
    log(`${died.name} exited on its own (${died.how}); stopping the rest`);
    await stopAll();
    process.exit(1);
  }
}

main().catch((e) => {
  console.error(`[start] ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
