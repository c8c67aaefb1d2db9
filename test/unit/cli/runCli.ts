import { main } from '../../../src/cli/main';
import type { MainOptions } from '../../../src/cli/main';

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the `candor` CLI in-process with captured output, as a test would from a shell. */
export async function runCli(argv: readonly string[], options: MainOptions): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (s: string): boolean => ((stdout += s), true) },
    stderr: { write: (s: string): boolean => ((stderr += s), true) },
  };
  const code = await main(argv, io, options);
  return { code, stdout, stderr };
}
