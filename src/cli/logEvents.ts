/**
 * What the CLI accepts as a record of a Candor log: an event that the bundle reader would accept,
 * checked by the same validators (src/bundle/validate.ts). The store checks only the frame (CRC,
 * canonical JSON, a `ts` in the Date range); without this, a record with wrong field types, an
 * unknown field such as `__proto__`, or a path that climbs out of the workspace would pass
 * `log verify` and then mislead `log stats` and `replay`.
 */
import { validateEvent } from '../bundle/validate';
import type { CandorEvent } from '../model/events';
import type { TimedRecord } from '../store/framing';

/** A `RecordCheck` for the store's readers: undefined for a valid event, else why not. */
export function checkLogEvent(seq: number, value: TimedRecord): string | undefined {
  try {
    validateEvent({ seq, event: value as unknown as CandorEvent });
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
