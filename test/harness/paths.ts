import * as fs from 'node:fs';
import * as path from 'node:path';

/** The repository root (this file runs compiled from out/test/harness/). */
export const repoRoot: string = findRepoRoot(__dirname);

/** Where the harness writes things a human looks at after a run (gitignored). */
export const artifactsRoot: string = path.join(repoRoot, 'test-artifacts');

/** Fixture workspaces, in the source tree (tests always get a temporary copy). */
export const fixturesRoot: string = path.join(repoRoot, 'test', 'fixtures', 'workspaces');

/** Compiled integration tests (out/test/integration). */
export const integrationOutDir: string = path.join(repoRoot, 'out', 'test', 'integration');

function findRepoRoot(start: string): string {
  let dir = start;
  for (;;) {
    // The root is the first folder up with both the manifest and the bundler config.
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'esbuild.mjs'))) {
      return dir;
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error(`No package.json + esbuild.mjs above ${start}: is the harness running from out/test/harness?`);
    }
    dir = parent;
  }
}
