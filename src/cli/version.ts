import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Candor's version from the nearest package.json named `candor` above `start`. The CLI runs from
 * dist/cli.js (bundled) and from out/src/cli/ (tests), so the file is looked up rather than
 * imported; it is read only when `--version` is asked for.
 */
export function findVersion(start: string): string {
  let dir = start;
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'candor' && typeof pkg.version === 'string') {
        return pkg.version;
      }
    } catch {
      // no (readable) package.json here: keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) {
      return 'unknown';
    }
    dir = parent;
  }
}
