import * as fs from 'node:fs';

/**
 * The machine-readable result of one mocha run inside the extension host. test/integration/index.ts
 * writes it to `$CANDOR_ARTIFACTS/mocha-summary.json` and also prints it as one log line, so the
 * runner finds it even when the artifacts folder is not shared.
 */
export interface MochaSummary {
  readonly passed: number;
  readonly failed: number;
  readonly pending: number;
}

export const SUMMARY_FILE = 'mocha-summary.json';
export const SUMMARY_PREFIX = 'CANDOR_MOCHA_SUMMARY ';
/** Printed by index.ts just before mocha starts: the runner echoes the log from here on. */
export const BEGIN_MARKER = 'CANDOR_MOCHA_BEGIN';

export function formatSummaryLine(summary: MochaSummary): string {
  return `${SUMMARY_PREFIX}${JSON.stringify(summary)}`;
}

/** The last summary line in `lines`, if any. */
export function parseSummaryLine(lines: readonly string[]): MochaSummary | undefined {
  for (let i = lines.length - 1; i >= 0; i--) {
    const at = lines[i].indexOf(SUMMARY_PREFIX);
    if (at >= 0) {
      const parsed = asSummary(safeJson(lines[i].slice(at + SUMMARY_PREFIX.length).trim()));
      if (parsed !== undefined) {
        return parsed;
      }
    }
  }
  return undefined;
}

export function readSummaryFile(file: string): MochaSummary | undefined {
  try {
    return asSummary(safeJson(fs.readFileSync(file, 'utf8')));
  } catch {
    return undefined;
  }
}

/** `N passed, N failed` — the last line every runner prints. */
export function totalsLine(summaries: readonly (MochaSummary | undefined)[], extraFailed = 0): string {
  const passed = summaries.reduce((n, s) => n + (s?.passed ?? 0), 0);
  const failed = summaries.reduce((n, s) => n + (s?.failed ?? 0), 0) + extraFailed;
  return `${passed} passed, ${failed} failed`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function asSummary(value: unknown): MochaSummary | undefined {
  if (typeof value !== 'object' || value === null) {
    return undefined;
  }
  const v = value as Record<string, unknown>;
  if (typeof v.passed === 'number' && typeof v.failed === 'number') {
    return { passed: v.passed, failed: v.failed, pending: typeof v.pending === 'number' ? v.pending : 0 };
  }
  return undefined;
}
