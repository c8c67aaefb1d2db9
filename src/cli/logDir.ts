import { readdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { InputError } from './command';

/** Names that only a Candor log directory holds (see src/store/framing.ts). */
const LOG_FILE_RE = /^(seg-\d{6,}\.log|candor\.lock|recovery\.jsonl)$/;

/**
 * Resolves `dir` and checks that it is a Candor log directory, before any reader sees it: a store
 * reader may well treat a missing directory as an empty log, which would make `verify` of a typo
 * report a clean log.
 */
export async function requireLogDir(cwd: string, dir: string): Promise<string> {
  const path = resolve(cwd, dir);
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch (err) {
    if (errno(err) === 'ENOENT') {
      throw new InputError(`no such directory: ${path}`);
    }
    throw err;
  }
  if (!isDir) {
    throw new InputError(`not a directory: ${path}`);
  }
  const names = await readdir(path);
  if (!names.some((n) => LOG_FILE_RE.test(n))) {
    throw new InputError(`not a Candor log directory (no seg-*.log segments): ${path}`);
  }
  return path;
}

function errno(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
