import type { Change, CheckpointEvent, EditEvent, FileEvent, LoggedEvent, SnapshotEvent } from '../../../src/model/events';
import { sha256Hex } from '../../../src/replay/hash';

/** fast-check runs: at least 300 by default; CANDOR_FC_RUNS overrides (e.g. 5000 for a soak). */
export function fcRuns(): number {
  const fromEnv = Number(process.env['CANDOR_FC_RUNS']);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 300;
}

/** Builds a seq-numbered event list in the order the calls are made. */
export class LogBuilder {
  readonly events: LoggedEvent[] = [];
  private ts = 1_700_000_000_000;

  get lastSeq(): number {
    return this.events.length;
  }

  snap(f: string, v: number, text: string): number {
    const event: SnapshotEvent = { t: 'snap', ts: this.tick(), f, v, text };
    return this.push(event);
  }

  edit(f: string, v: number, c: Change[], r?: 'undo' | 'redo'): number {
    const event: EditEvent = r === undefined ? { t: 'edit', ts: this.tick(), f, v, c } : { t: 'edit', ts: this.tick(), f, v, c, r };
    return this.push(event);
  }

  /** A checkpoint with the real hash of `text`. */
  ckpt(f: string, v: number, text: string): number {
    return this.ckptHash(f, v, sha256Hex(text));
  }

  ckptHash(f: string, v: number, h: string): number {
    const event: CheckpointEvent = { t: 'ckpt', ts: this.tick(), f, v, h, why: 'every' };
    return this.push(event);
  }

  file(op: FileEvent['op'], f: string, to?: string): number {
    const event: FileEvent = to === undefined ? { t: 'file', ts: this.tick(), op, f } : { t: 'file', ts: this.tick(), op, f, to };
    return this.push(event);
  }

  push(event: LoggedEvent['event']): number {
    const seq = this.events.length + 1;
    this.events.push({ seq, event });
    return seq;
  }

  private tick(): number {
    this.ts += 100;
    return this.ts;
  }
}

/** The reference model: applies changes in order with plain string slicing. */
export function applyChanges(text: string, changes: readonly Change[]): string {
  let out = text;
  for (const [offset, length, insert] of changes) {
    out = out.slice(0, offset) + insert + out.slice(offset + length);
  }
  return out;
}
