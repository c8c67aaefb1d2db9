/**
 * The few asynchronous file operations the store uses, behind an interface so that tests can
 * inject failures (ENOSPC, EIO, a write that never completes) and a web backend can follow.
 * Members are function-valued properties (not methods) so a backend can be wrapped by spreading.
 */
import { promises as fsp } from 'node:fs';

/** An open file. Writes go to the end of the file when it was opened with `'a'`. */
export interface StoreFileHandle {
  /** Writes `length` bytes of `data` from `offset`; resolves with the bytes written (may be short). */
  readonly write: (data: Uint8Array, offset: number, length: number) => Promise<number>;
  /** Flushes the file's data (and the metadata needed to read it back) to the device. */
  readonly datasync: () => Promise<void>;
  readonly close: () => Promise<void>;
}

/** Writes all of `data`, looping over short writes; a write of 0 bytes is an EIO error. */
export async function writeFully(fh: StoreFileHandle, data: Uint8Array): Promise<void> {
  let off = 0;
  while (off < data.length) {
    const n = await fh.write(data, off, data.length - off);
    if (n <= 0) {
      throw Object.assign(new Error('short write'), { code: 'EIO' });
    }
    off += n;
  }
}

export interface StoreFs {
  /** Creates the directory and its parents; no error if it exists. */
  readonly mkdirp: (dir: string) => Promise<void>;
  /** Names of the entries of a directory; rejects with ENOENT if it does not exist. */
  readonly readdir: (dir: string) => Promise<string[]>;
  readonly readFile: (path: string) => Promise<Uint8Array>;
  /** Size in bytes; rejects with ENOENT if the file does not exist. */
  readonly size: (path: string) => Promise<number>;
  /** `'a'` append (create if missing), `'w'` truncate/create, `'wx'` create, failing with EEXIST. */
  readonly open: (path: string, flags: 'a' | 'w' | 'wx') => Promise<StoreFileHandle>;
  readonly appendFile: (path: string, data: string) => Promise<void>;
  /** Atomically replaces `to` with `from`. */
  readonly rename: (from: string, to: string) => Promise<void>;
  readonly unlink: (path: string) => Promise<void>;
  /** Removes an empty directory. */
  readonly rmdir: (dir: string) => Promise<void>;
  /** Makes a directory's entries (a rename, a new file) durable. Best effort: never rejects. */
  readonly syncDir: (dir: string) => Promise<void>;
}

/** The Node `fs/promises` backend. */
export function createNodeFs(): StoreFs {
  return {
    mkdirp: async (dir) => {
      await fsp.mkdir(dir, { recursive: true });
    },
    readdir: (dir) => fsp.readdir(dir),
    readFile: (path) => fsp.readFile(path),
    size: async (path) => (await fsp.stat(path)).size,
    open: async (path, flags) => {
      const fh = await fsp.open(path, flags);
      return {
        write: async (data, offset, length) => (await fh.write(data, offset, length)).bytesWritten,
        datasync: () => fh.datasync(),
        close: () => fh.close(),
      };
    },
    appendFile: (path, data) => fsp.appendFile(path, data, 'utf8'),
    rename: (from, to) => fsp.rename(from, to),
    unlink: (path) => fsp.unlink(path),
    rmdir: (dir) => fsp.rmdir(dir),
    syncDir: async (dir) => {
      // Not supported on Windows (EISDIR/EPERM): there a rename is durable once the file is synced.
      try {
        const fh = await fsp.open(dir, 'r');
        try {
          await fh.sync();
        } finally {
          await fh.close();
        }
      } catch {
        // best effort
      }
    },
  };
}
