/**
 * The preview being reviewed, kept in `<workspace storage>/preview/`: `current.candor` (the exact
 * bytes shown) and `current.json` (their hash and the spec to rebuild from). VS Code restores the
 * panel after a reload; the host re-opens the bundle from here. No VS Code: unit-testable.
 */
import { readFile, rm } from 'node:fs/promises';
import * as path from 'node:path';
import type { SeqRange } from '../bundle/seqRanges';
import { isSeqRange } from '../bundle/seqRanges';
import type { BuildSpec } from './buildSpec';
import { parseBuildSpec } from './buildSpec';
import { isNotFound, writeFileAtomic } from '../util/files';
import { sha256Of } from '../util/digest';

export interface StoredPreview {
  readonly sha256: string;
  readonly bytes: Uint8Array;
  readonly spec: BuildSpec;
  /** The log seqs the bundle's selection took (empty when saved by an older Candor). */
  readonly covered: readonly SeqRange[];
}

export class PreviewStore {
  constructor(readonly dir: string) {}

  private get bundleFile(): string {
    return path.join(this.dir, 'current.candor');
  }

  private get specFile(): string {
    return path.join(this.dir, 'current.json');
  }

  /** Bytes first, then the spec naming their hash: a crash in between leaves a mismatch, read as none. */
  async save(bytes: Uint8Array, sha256: string, spec: BuildSpec, covered: readonly SeqRange[] = []): Promise<void> {
    await writeFileAtomic(this.bundleFile, bytes);
    await writeFileAtomic(this.specFile, `${JSON.stringify({ sha256, spec, covered })}\n`);
  }

  /** The stored preview if its bytes still hash to what was recorded (and to `sha256` when given). */
  async load(sha256?: string): Promise<StoredPreview | undefined> {
    try {
      const meta = JSON.parse(await readFile(this.specFile, 'utf8')) as { sha256?: unknown; spec?: unknown; covered?: unknown };
      const spec = parseBuildSpec(meta.spec);
      if (typeof meta.sha256 !== 'string' || spec === undefined || (sha256 !== undefined && meta.sha256 !== sha256)) {
        return undefined;
      }
      const covered = Array.isArray(meta.covered) && meta.covered.every(isSeqRange) ? meta.covered : [];
      const bytes = await readFile(this.bundleFile);
      return sha256Of(bytes) === meta.sha256 ? { sha256: meta.sha256, bytes, spec, covered } : undefined;
    } catch (err) {
      if (isNotFound(err) || err instanceof SyntaxError) {
        return undefined;
      }
      throw err;
    }
  }

  async clear(): Promise<void> {
    await rm(this.specFile, { force: true });
    await rm(this.bundleFile, { force: true });
  }
}
