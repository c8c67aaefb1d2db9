/**
 * Bundle bytes on the filesystem (embedded mode), content-addressed: `<root>/<area>/<team
 * key>/<id[0..2]>/<id>`, where id is the SHA-256 of the bytes. A file appears whole or not at all:
 * written to a temporary name, fsynced, renamed over, and the directory fsynced, so a crash leaves
 * either nothing or the complete file (never a torn one under the final name). Quarantined bundles
 * live in their own area, apart from what leads are served.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BodySource } from './body';

export type BlobArea = 'bundles' | 'quarantine';

export class FsBlobs {
  constructor(readonly root: string) {}

  path(area: BlobArea, team: string, id: string): string {
    // Hashing the team name keeps any name (case, dots) from meaning something to the filesystem.
    const teamKey = createHash('sha256').update(team).digest('hex').slice(0, 32);
    return join(this.root, area, teamKey, id.slice(0, 2), id);
  }

  async write(area: BlobArea, team: string, id: string, bytes: Uint8Array): Promise<void> {
    await fsyncDir(await this.place(area, team, id, { kind: 'memory', bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length) }));
  }

  /**
   * Puts the bytes under their final name — written to a temporary name (or, for a body already
   * spilled to a file in this file system, that file itself), fsynced, renamed — and returns the
   * directory whose fsync makes the new name durable. The caller fsyncs it before it reports the
   * bundle stored; several uploads committed together share one fsync per directory.
   */
  async place(area: BlobArea, team: string, id: string, source: BodySource): Promise<string> {
    const target = this.path(area, team, id);
    const dir = dirname(target);
    await mkdirDurable(dir);
    let temp: string;
    if (source.kind === 'memory') {
      temp = `${target}.tmp-${randomBytes(6).toString('hex')}`;
      const handle = await fs.open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(source.bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
    } else {
      // The spilled body is moved, not copied: fsynced here, then renamed into place.
      temp = source.path;
      const handle = await fs.open(temp, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
    try {
      // Same id = same bytes, so replacing a file a concurrent upload just wrote is harmless.
      await fs.rename(temp, target);
    } catch (err) {
      if (source.kind === 'memory') {
        await fs.rm(temp, { force: true });
      }
      throw err;
    }
    return dir;
  }

  async read(area: BlobArea, team: string, id: string): Promise<Buffer | undefined> {
    try {
      return await fs.readFile(this.path(area, team, id));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return undefined;
      }
      throw err;
    }
  }

  async remove(area: BlobArea, team: string, id: string): Promise<void> {
    const target = this.path(area, team, id);
    try {
      await fs.unlink(target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return;
      }
      throw err;
    }
    await fsyncDir(dirname(target));
  }

  /** Removes one file found by `files()`. */
  async removePath(path: string): Promise<void> {
    await fs.rm(path, { force: true });
    await fsyncDir(dirname(path));
  }

  /** Every stored file: for the sweep that removes bytes no row refers to (after a crash). */
  async *files(): AsyncGenerator<{ area: BlobArea; path: string; id: string; mtimeMs: number }> {
    for (const area of ['bundles', 'quarantine'] as const) {
      const areaDir = join(this.root, area);
      for (const teamKey of await readdirOrEmpty(areaDir)) {
        for (const prefix of await readdirOrEmpty(join(areaDir, teamKey))) {
          for (const name of await readdirOrEmpty(join(areaDir, teamKey, prefix))) {
            const path = join(areaDir, teamKey, prefix, name);
            const stat = await fs.stat(path).catch(() => undefined);
            if (stat !== undefined) {
              yield { area, path, id: name.slice(0, 64), mtimeMs: stat.mtimeMs };
            }
          }
        }
      }
    }
  }
}

async function readdirOrEmpty(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      return [];
    }
    throw err;
  }
}

export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** mkdir -p, fsyncing the parent of every directory it created (so the new entries are durable). */
async function mkdirDurable(dir: string): Promise<void> {
  const first = await fs.mkdir(dir, { recursive: true });
  if (first === undefined) {
    return;
  }
  // `first` is the top-most directory created; fsync it and everything below, then its parent.
  let d = dir;
  const created: string[] = [];
  while (d.length >= first.length) {
    created.push(d);
    d = dirname(d);
  }
  for (const c of created) {
    await fsyncDir(dirname(c));
  }
}
