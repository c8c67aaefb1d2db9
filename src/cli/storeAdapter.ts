/**
 * The one place the CLI meets the log store. Until src/store's reader is wired in here, the CLI
 * uses its own minimal reader of the documented on-disk format.
 */
import type { LogSource } from './logSource';
import { MinimalLogSource } from './minimalLogReader';

export function createLogSource(): LogSource {
  return new MinimalLogSource();
}
