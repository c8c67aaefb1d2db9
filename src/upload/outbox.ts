/**
 * src/upload/ takes a bundle the developer approved to the team's collector: today the outbox
 * (the durable queue of approved bundles); the collector client, receipts and revocation next.
 *
 * The outbox: bundles the developer approved, waiting to be uploaded (uploading is not set up
 * yet). One `<sha256>.candor` file per bundle — the exact bytes previewed — and a
 * `<sha256>.json` approval receipt beside it. No VS Code: unit-tested in plain mocha.
 */
import { readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { SeqRange } from '../bundle/seqRanges';
import { isSeqRange } from '../bundle/seqRanges';
import { isNotFound, writeFileAtomic } from '../util/files';
import { sha256Of } from '../util/digest';
import { isSha256 } from '../util/sha256';

/** The approval, recorded beside the bundle. Never contains recorded content. */
export interface ApprovalReceipt {
  /** SHA-256 of the bundle file: the hash the developer saw in the modal. */
  readonly sha256: string;
  readonly sizeBytes: number;
  /** ISO 8601 time of the approval. */
  readonly approvedAt: string;
  readonly events: number;
  /** The bundle id (SHA-256 of its content). */
  readonly id: string;
  /** Where the developer agreed to send it, as the modal said. */
  readonly destination: string;
  /** The local log's seqs the bundle was selected from (absent in receipts of an older Candor). */
  readonly covered?: readonly SeqRange[];
}

export interface OutboxEntry {
  readonly file: string;
  readonly receipt: ApprovalReceipt;
}

export class OutboxError extends Error {
  override readonly name = 'OutboxError';
  readonly isOutboxError = true;

  static is(err: unknown): err is OutboxError {
    return typeof err === 'object' && err !== null && (err as Partial<OutboxError>).isOutboxError === true;
  }
}


function parseReceipt(raw: unknown): ApprovalReceipt | undefined {
  if (typeof raw !== 'object' || raw === null) {
    return undefined;
  }
  const r = raw as Record<string, unknown>;
  const { sha256, sizeBytes, approvedAt, events, id, destination, covered } = r;
  if (
    typeof sha256 !== 'string' ||
    !isSha256(sha256) ||
    typeof sizeBytes !== 'number' ||
    typeof approvedAt !== 'string' ||
    typeof events !== 'number' ||
    typeof id !== 'string' ||
    typeof destination !== 'string' ||
    (covered !== undefined && !(Array.isArray(covered) && covered.every(isSeqRange)))
  ) {
    return undefined;
  }
  return { sha256, sizeBytes, approvedAt, events, id, destination, ...(covered === undefined ? {} : { covered }) };
}

export class Outbox {
  constructor(readonly dir: string) {}

  bundlePath(sha256: string): string {
    if (!isSha256(sha256)) {
      throw new OutboxError(`not a SHA-256: ${JSON.stringify(sha256)}`);
    }
    return path.join(this.dir, `${sha256}.candor`);
  }

  /**
   * Writes the approved bytes and their receipt. Refuses unless `bytes` hash to `receipt.sha256`
   * (the hash the developer approved), and checks the file written reads back to the same hash.
   */
  async add(bytes: Uint8Array, receipt: ApprovalReceipt): Promise<OutboxEntry> {
    if (sha256Of(bytes) !== receipt.sha256 || bytes.length !== receipt.sizeBytes) {
      throw new OutboxError('the bytes to write are not the bytes that were approved');
    }
    const file = this.bundlePath(receipt.sha256);
    await writeFileAtomic(file, bytes);
    const written = await readFile(file);
    if (sha256Of(written) !== receipt.sha256) {
      throw new OutboxError(`the outbox file ${file} does not read back with the approved hash`);
    }
    await writeFileAtomic(path.join(this.dir, `${receipt.sha256}.json`), `${JSON.stringify(receipt, null, 2)}\n`);
    return { file, receipt };
  }

  /** The bytes of an approved bundle, checked against its name; undefined when absent. */
  async read(sha256: string): Promise<Uint8Array | undefined> {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(this.bundlePath(sha256));
    } catch (err) {
      if (isNotFound(err)) {
        return undefined;
      }
      throw err;
    }
    return sha256Of(bytes) === sha256 ? bytes : undefined;
  }

  /** Approved bundles with a readable receipt, newest approval first. */
  async list(): Promise<OutboxEntry[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (err) {
      if (isNotFound(err)) {
        return [];
      }
      throw err;
    }
    const entries: OutboxEntry[] = [];
    for (const name of names) {
      const sha256 = name.endsWith('.json') ? name.slice(0, -'.json'.length) : '';
      if (!isSha256(sha256) || !names.includes(`${sha256}.candor`)) {
        continue;
      }
      try {
        const receipt = parseReceipt(JSON.parse(await readFile(path.join(this.dir, name), 'utf8')));
        if (receipt !== undefined && receipt.sha256 === sha256) {
          entries.push({ file: this.bundlePath(receipt.sha256), receipt });
        }
      } catch {
        // A damaged receipt is left out of the list; the bundle file itself stays untouched.
      }
    }
    return entries.sort((a, b) => (a.receipt.approvedAt < b.receipt.approvedAt ? 1 : a.receipt.approvedAt > b.receipt.approvedAt ? -1 : 0));
  }
}
