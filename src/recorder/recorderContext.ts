import type { CandorEvent, Category } from '../model/events';
import type { DocumentResolver } from './documentResolver';

/** What every source gets: where to put events, the clock, the path policy and the grant. */
export interface RecorderContext {
  /** Hands an event to the log. Never throws; never does I/O itself. */
  emit(event: CandorEvent): void;
  now(): number;
  readonly documents: DocumentResolver;
  granted(category: Category): boolean;
  /**
   * Benchmark only (CANDOR_PERF_OUT): told how long a handler ran, in ms, and which (a name with a
   * slash is a part of a handler). Undefined otherwise.
   */
  readonly measure: ((ms: number, handler?: string) => void) | undefined;
}
