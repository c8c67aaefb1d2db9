import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Category } from '../model/events';
import type { ConsentState } from './consentMachine';

/** One line of the local, append-only history of consent changes. */
export interface ConsentHistoryEntry {
  readonly at: string;
  readonly from: ConsentState;
  readonly to: ConsentState;
  readonly categories?: readonly Category[];
  readonly policyVersion?: string;
  readonly reason?: string;
}

/**
 * Appends consent changes to a JSONL file in the workspace's extension storage. Append-only: the
 * file is never rewritten, so the developer can see every grant, pause and withdrawal.
 */
export class ConsentHistory {
  constructor(private readonly file: string) {}

  async append(entry: ConsentHistoryEntry): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    await appendFile(this.file, JSON.stringify(entry) + '\n', 'utf8');
  }

  /** Reads the history, skipping lines that do not parse (a torn last line after a crash). */
  async read(): Promise<ConsentHistoryEntry[]> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        return [];
      }
      throw err;
    }
    const entries: ConsentHistoryEntry[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') {
        continue;
      }
      try {
        entries.push(JSON.parse(line) as ConsentHistoryEntry);
      } catch {
        // A torn line: skipped, the rest is still readable.
      }
    }
    return entries;
  }
}
