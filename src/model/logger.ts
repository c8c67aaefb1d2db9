/**
 * Logging through an injected interface: the extension passes its LogOutputChannel, the CLI a
 * console logger, tests the null logger.
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string | Error): void;
}

export const nullLogger: Logger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** Formats an Error with its stack, anything else as a string. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    return err.stack ?? `${err.name}: ${err.message}`;
  }
  return String(err);
}
