/**
 * Full verification of a bundle file: everything the reader checks, then a replay of every
 * document through every checkpoint. What the CLI's `bundle verify` and the collector run.
 *
 * It streams (src/bundle/stream.ts): events are replayed as their lines are checked and then
 * dropped, so memory is bounded by the reading limits (one line, the manifest, and the replayed
 * documents' text, `maxLiveChars`), never by the size of the content. docs/bundle-format.md gives
 * the figure.
 */
import { createReadStream } from 'node:fs';
import type { ReplayIssue } from '../replay/issues';
import type { DocumentBuffer } from '../replay/buffer';
import { chunkedBufferFactory } from '../replay/buffer';
import type { ReplayStats } from '../replay/replayer';
import { Replayer } from '../replay/replayer';
import type { LoggedEvent } from '../model/events';
import type { BundleErrorCode } from './errors';
import { BundleError } from './errors';
import type { ReadOptions } from './format';
import { sha256 } from './format';
import type { StreamedBundle } from './stream';
import { limitsOf, streamBundle } from './stream';
import type { BundleLimits, BundleManifest } from './types';

/** Replay issues kept for the report; past this many the replay stops (the bundle is bad anyway). */
export const MAX_REPORTED_ISSUES = 1000;

export interface BundleVerification {
  /** True when the file reads cleanly and replay found no issue (every checkpoint matched). */
  readonly ok: boolean;
  /** SHA-256 of the file (present whenever the bytes could be hashed, i.e. always). */
  readonly sha256: string;
  /** The first problem reading the file, if any (then nothing below is present). */
  readonly error?: { readonly code: BundleErrorCode; readonly message: string };
  readonly id?: string;
  readonly manifest?: BundleManifest;
  readonly replay?: {
    readonly documents: number;
    readonly stats: ReplayStats;
    /** The first `MAX_REPORTED_ISSUES` issues. */
    readonly issues: readonly ReplayIssue[];
    /** True when replay stopped early at `MAX_REPORTED_ISSUES` issues. */
    readonly truncated?: boolean;
  };
}

/**
 * A replayer whose documents together may hold at most `maxLiveChars` (and each at most
 * `maxDocumentChars`): past that, `BundleError('too-large')`. Buffers are metered as they are
 * created and edited; a document's buffer stops counting when a snapshot replaces it or the
 * document is deleted.
 */
class MeteredReplay {
  readonly replayer: Replayer;
  private live = 0;
  private readonly byFile = new Map<string, MeteredBuffer>();
  private lastTouched: MeteredBuffer | undefined;

  constructor(private readonly limits: BundleLimits) {
    this.replayer = new Replayer({
      createBuffer: (text, seq) => {
        this.grow(text.length, text.length);
        const b = new MeteredBuffer(chunkedBufferFactory(text, seq), this);
        this.lastTouched = b;
        return b;
      },
      onVersion: (f) => {
        // The buffer just created or edited is `f`'s: a snapshot's new buffer replaces the old.
        const b = this.lastTouched;
        const old = this.byFile.get(f);
        if (b !== undefined && old !== b) {
          if (old !== undefined) {
            this.live -= old.length;
          }
          this.byFile.set(f, b);
        }
      },
    });
  }

  apply(e: LoggedEvent): void {
    this.lastTouched = undefined;
    const ev = e.event;
    if (ev.t === 'snap') {
      // A (validated) snapshot replaces the document's buffer: the old one stops counting first.
      this.drop(ev.f);
    }
    this.replayer.apply(e);
    if (ev.t === 'file') {
      if (ev.op === 'delete') {
        this.drop(ev.f);
      } else if (ev.op === 'rename' && ev.to !== undefined && ev.to !== ev.f) {
        // As the replayer does: a rename of a document with text replaces the target's.
        const b = this.byFile.get(ev.f);
        if (b !== undefined) {
          this.byFile.delete(ev.f);
          this.drop(ev.to);
          this.byFile.set(ev.to, b);
        }
      }
    }
  }

  /** Called by a buffer before it grows to `length` (by `delta`). */
  grow(delta: number, length: number): void {
    if (length > this.limits.maxDocumentChars) {
      throw new BundleError('too-large', `replay: a document grows to ${length} characters; the limit is ${this.limits.maxDocumentChars}`);
    }
    this.live += delta;
    if (this.live > this.limits.maxLiveChars) {
      throw new BundleError('too-large', `replay: the documents hold ${this.live} characters at once; the limit is ${this.limits.maxLiveChars}`);
    }
  }

  private drop(f: string): void {
    const b = this.byFile.get(f);
    if (b !== undefined) {
      this.live -= b.length;
      this.byFile.delete(f);
    }
  }
}

class MeteredBuffer implements DocumentBuffer {
  constructor(
    private readonly inner: DocumentBuffer,
    private readonly meter: MeteredReplay,
  ) {}

  get length(): number {
    return this.inner.length;
  }

  apply(offset: number, length: number, text: string, seq: number, change: number): void {
    const delta = text.length - length;
    this.meter.grow(delta, this.inner.length + delta);
    this.inner.apply(offset, length, text, seq, change);
  }

  getText(): string {
    return this.inner.getText();
  }
}

/**
 * Verifies a bundle from its bytes or from a stream of them. Never throws for a bad bundle: the
 * report says what is wrong. Other errors (bugs, a failing disk) propagate.
 */
export async function verifyBundle(source: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>, options: ReadOptions = {}): Promise<BundleVerification> {
  const limits = limitsOf(options);
  const metered = new MeteredReplay(limits);
  let truncated = false;
  let read: StreamedBundle;
  try {
    read = await streamBundle(source, {
      ...options,
      onEvent: (e) => {
        if (!truncated) {
          metered.apply(e);
          truncated = metered.replayer.issues.length >= MAX_REPORTED_ISSUES;
        }
      },
    });
  } catch (err) {
    if (BundleError.is(err)) {
      // The file's hash, also when it could not be read to the end (a stream is hashed as read).
      const sha = source instanceof Uint8Array ? sha256(source) : (err.fileSha256 ?? '');
      return { ok: false, sha256: sha, error: { code: err.code, message: err.message } };
    }
    throw err;
  }
  const replayer = metered.replayer;
  replayer.finish();
  const issues = replayer.issues.slice(0, MAX_REPORTED_ISSUES);
  const stats = replayer.stats;
  return {
    ok: !truncated && issues.length === 0 && stats.checkpoints === stats.checkpointsMatched,
    sha256: read.sha256,
    id: read.id,
    manifest: read.manifest,
    replay: { documents: replayer.files().length, stats, issues, ...(truncated ? { truncated } : {}) },
  };
}

/** `verifyBundle` of a file, read as a stream (1 MiB at a time): the file is never held whole. */
export async function verifyBundleFile(path: string, options: ReadOptions = {}): Promise<BundleVerification> {
  return verifyBundle(createReadStream(path, { highWaterMark: 1024 * 1024 }), options);
}
