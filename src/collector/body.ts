/**
 * An upload's body, received with bounded memory: it is hashed as it arrives and kept in memory
 * only up to `spillBytes`; past that it goes to a temporary file (in the data folder, so that in
 * embedded mode the checked file is renamed into place rather than written twice). The size cap
 * is enforced while reading, whatever `Content-Length` said. Nothing of a body survives its
 * request unless the store took it: `dispose()` removes the temporary file.
 */
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { CollectorError } from './errors';

/** Bodies up to this size stay in memory (a 10 KB bundle never touches a temporary file). */
export const DEFAULT_SPILL_BYTES = 1024 * 1024;

export type BodySource = { readonly kind: 'memory'; readonly bytes: Buffer } | { readonly kind: 'file'; readonly path: string };

export interface ReceivedBody {
  readonly sha256: string;
  readonly size: number;
  readonly source: BodySource;
  /** Removes the temporary file, if any and if the store has not moved it (idempotent). */
  dispose(): Promise<void>;
}

/**
 * Bytes of bodies held in memory by all requests of a server together: past `limit`, a body goes
 * to a file even under `spillBytes`, so many slow concurrent uploads cannot fill the memory.
 */
export class MemoryBudget {
  used = 0;
  constructor(readonly limit: number) {}
}

export interface ReceiveOptions {
  readonly maxBytes: number;
  readonly spillBytes: number;
  readonly budget: MemoryBudget;
  /** Where temporary files go (created on first use). */
  readonly spillDir: string;
}

/** Reads `stream` to its end under `options.maxBytes`; throws `body-too-large` past it. */
export async function receiveBody(stream: AsyncIterable<Uint8Array>, options: ReceiveOptions): Promise<ReceivedBody> {
  const hash = createHash('sha256');
  let size = 0;
  let chunks: Buffer[] = [];
  let file: { path: string; handle: FileHandle } | undefined;
  let held = 0;
  const release = (): void => {
    options.budget.used -= held;
    held = 0;
  };
  const removeFile = async (): Promise<void> => {
    if (file !== undefined) {
      const f = file;
      file = undefined;
      await f.handle.close().catch(() => undefined);
      await fs.rm(f.path, { force: true });
    }
  };
  try {
    for await (const raw of stream) {
      const chunk = Buffer.isBuffer(raw) ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.length);
      size += chunk.length;
      if (size > options.maxBytes) {
        throw new CollectorError('body-too-large', `the body exceeds ${options.maxBytes} bytes`);
      }
      hash.update(chunk);
      if (file === undefined && size <= options.spillBytes && options.budget.used + chunk.length <= options.budget.limit) {
        chunks.push(chunk);
        held += chunk.length;
        options.budget.used += chunk.length;
        continue;
      }
      if (file === undefined) {
        await fs.mkdir(options.spillDir, { recursive: true });
        const path = join(options.spillDir, `upload-${randomBytes(8).toString('hex')}.tmp`);
        file = { path, handle: await fs.open(path, 'wx', 0o600) };
        for (const c of chunks) {
          await file.handle.write(c);
        }
        chunks = [];
        release();
      }
      await file.handle.write(chunk);
    }
  } catch (err) {
    release();
    await removeFile();
    throw err;
  }
  const sha256 = hash.digest('hex');
  if (file === undefined) {
    return {
      sha256,
      size,
      source: { kind: 'memory', bytes: Buffer.concat(chunks, size) },
      dispose: () => {
        release();
        return Promise.resolve();
      },
    };
  }
  const { path, handle } = file;
  await handle.close();
  return {
    sha256,
    size,
    source: { kind: 'file', path },
    dispose: () => fs.rm(path, { force: true }),
  };
}
