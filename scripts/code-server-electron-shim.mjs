#!/usr/bin/env node
// Stands in for the VS Code executable that @vscode/test-electron's runTests() spawns
// (`vscodeExecutablePath`). It reads the Electron-style arguments runTests passes —
// --extensionDevelopmentPath=…, --extensionTestsPath=…, and the folder or .code-workspace to
// open — and performs one integration run in code-server + Chromium (test/harness/integration.ts)
// with them, exiting with its outcome. The environment runTests passes (extensionTestsEnv)
// reaches the extension host unchanged. Needs `npm run compile` (it loads out/test/harness).
import console from 'node:console';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const { runIntegration } = require(path.join(repoRoot, 'out', 'test', 'harness', 'integration.js'));
const { ensureTools } = require(path.join(repoRoot, 'out', 'test', 'harness', 'tools.js'));

/** Flags that take their value as the next argument when not written as --flag=value. */
const VALUE_FLAGS = new Set(['--user-data-dir', '--extensions-dir', '--locale', '--log', '--profile', '--extensionDevelopmentPath', '--extensionTestsPath']);

function parse(argv) {
  const devPaths = [];
  let testsPath;
  const targets = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      targets.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    let value = eq < 0 ? undefined : arg.slice(eq + 1);
    if (value === undefined && VALUE_FLAGS.has(name)) {
      value = argv[++i];
    }
    if (name === '--extensionDevelopmentPath') {
      devPaths.push(value);
    } else if (name === '--extensionTestsPath') {
      testsPath = value;
    }
    // Everything else (--no-sandbox, --disable-updates, --user-data-dir, …) has no meaning
    // here: every run gets a fresh code-server profile anyway.
  }
  return { devPaths, testsPath, targets };
}

const { devPaths, testsPath, targets } = parse(process.argv.slice(2));
if (devPaths.length !== 1 || testsPath === undefined || targets.length !== 1) {
  console.error(
    'code-server-electron-shim: expected one --extensionDevelopmentPath=, one --extensionTestsPath= and one folder or ' +
      `.code-workspace argument; got ${JSON.stringify(process.argv.slice(2))}`,
  );
  process.exit(2);
}

const passthrough = {};
for (const [key, value] of Object.entries(process.env)) {
  if (key.startsWith('CANDOR_') && value !== undefined && !['CANDOR_HOST', 'CANDOR_ARTIFACTS'].includes(key)) {
    passthrough[key] = value;
  }
}
const name = process.env.CANDOR_RUN_NAME ?? 'electron-shim';
const result = await runIntegration(
  { name, workspace: path.resolve(targets[0]), suites: process.env.CANDOR_SUITE_GLOB ?? '**/*.test.js', env: passthrough },
  {
    tools: await ensureTools(),
    copyWorkspace: false, // the caller chose what to open, as with a real VS Code
    extensionDevelopmentPath: path.resolve(devPaths[0]),
    extensionTestsPath: path.resolve(testsPath),
    ...(process.env.CANDOR_ARTIFACTS ? { artifactsDir: process.env.CANDOR_ARTIFACTS } : {}),
  },
);
const s = result.summary;
console.log(`[shim] ${name}: ${result.ok ? 'ok' : 'FAILED'}${s ? ` (${s.passed} passed, ${s.failed} failed)` : ''}${result.error ? `: ${result.error}` : ''}`);
process.exit(result.ok ? 0 : 1);
