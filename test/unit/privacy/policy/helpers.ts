import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** fast-check runs: 1000 by default; CANDOR_FC_RUNS overrides. */
export function fcRuns(): number {
  const fromEnv = Number(process.env['CANDOR_FC_RUNS']);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 1000;
}

export async function tempDir(prefix = 'candor-policy-'): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}
