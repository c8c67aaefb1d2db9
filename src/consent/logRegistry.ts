import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';

/**
 * The list of a workspace's window logs, in the workspace's shared folder under global storage
 * (`<shared>/logs/<hash of the log folder>.json`). Each window of a workspace writes its own log in
 * its own storage folder; listing it here is how the other windows find it (to offer it in the
 * preview, and to delete it with the local data). No VS Code.
 */
export class LogRegistry {
  private readonly dir: string;

  constructor(sharedDir: string) {
    this.dir = path.join(sharedDir, 'logs');
  }

  /** Log folders the windows of this workspace registered (unreadable entries are skipped). */
  async list(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const found: string[] = [];
    for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
      try {
        const value = JSON.parse(await readFile(path.join(this.dir, name), 'utf8')) as { dir?: unknown };
        if (typeof value.dir === 'string' && path.isAbsolute(value.dir)) {
          found.push(value.dir);
        }
      } catch {
        // unreadable entry: skipped (it names no data we could show)
      }
    }
    return found;
  }

  /** Lists a window's log folder, so every window of the workspace can find it. */
  async register(logDir: string): Promise<void> {
    const name = `${createHash('sha256').update(logDir).digest('hex').slice(0, 16)}.json`;
    await mkdir(this.dir, { recursive: true });
    await writeFile(path.join(this.dir, name), `${JSON.stringify({ dir: logDir })}\n`, 'utf8');
  }
}
