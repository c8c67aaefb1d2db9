import * as fs from 'node:fs';
import * as path from 'node:path';
import { repoRoot } from './paths';
import { run } from './processes';

/** The external tools the real-VS-Code tests need, installed by scripts/tools.sh. */
export interface Tools {
  /** Node 24 binary that runs code-server. */
  readonly node24: string;
  /** The code-server package folder (out/node/entry.js inside). */
  readonly codeServer: string;
  /** Debian's Chromium. */
  readonly chromium: string;
}

/**
 * Installs what is missing (cached outside the clone, so usually instant) and returns the paths.
 * tools.sh logs to stderr, which is passed through; stdout carries only the exports.
 */
export async function ensureTools(): Promise<Tools> {
  const out = await run('bash', [path.join(repoRoot, 'scripts', 'tools.sh'), '--print-env'], { cwd: repoRoot, capture: true });
  const vars = new Map<string, string>();
  for (const line of out.split('\n')) {
    const m = /^export (\w+)='([^']*)'$/.exec(line.trim());
    if (m) {
      vars.set(m[1], m[2]);
    }
  }
  const get = (name: string): string => {
    const value = vars.get(name);
    if (value === undefined || !fs.existsSync(value)) {
      throw new Error(`scripts/tools.sh --print-env gave no usable ${name} (got ${value ?? 'nothing'})`);
    }
    return value;
  };
  return { node24: get('CANDOR_NODE24'), codeServer: get('CANDOR_CODE_SERVER'), chromium: get('CANDOR_CHROMIUM') };
}

/** Bundles the extension (dist/extension.js, dist/cli.js, media/dist) with esbuild, development mode. */
export async function buildExtension(): Promise<void> {
  await run(process.execPath, [path.join(repoRoot, 'esbuild.mjs')], { cwd: repoRoot, quiet: true });
  if (!fs.existsSync(path.join(repoRoot, 'dist', 'extension.js'))) {
    throw new Error('esbuild ran but dist/extension.js is missing');
  }
}

/** `npm run package`: a production build packed into candor.vsix. Returns its path. */
export async function packageExtension(): Promise<string> {
  const vsix = path.join(repoRoot, 'candor.vsix');
  fs.rmSync(vsix, { force: true });
  await run(npmCommand(), ['run', '--silent', 'package'], { cwd: repoRoot, quiet: true });
  if (!fs.existsSync(vsix)) {
    throw new Error('npm run package succeeded but candor.vsix is missing');
  }
  return vsix;
}

function npmCommand(): string {
  return process.platform === 'win32' ? 'npm.cmd' : 'npm';
}
