import { CATEGORIES } from '../model/events';
import { INITIAL_CONSENT, parseConsentSnapshot, type ConsentSnapshot } from './consentMachine';

/** The part of VS Code's Memento that Candor uses (so this module stays free of `vscode`). */
export interface MementoLike {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Thenable<void>;
}

const KEY = 'candor.consent.v1';

/**
 * Typed access to the consent state in `workspaceState`: per user, per workspace, never in a file
 * that a repository could bring along. Only persisted states are written: `consented` is a step
 * inside one command and is stored as what it becomes.
 */
export class ConsentStore {
  constructor(private readonly memento: MementoLike) {}

  load(): ConsentSnapshot {
    return parseConsentSnapshot(this.memento.get<unknown>(KEY), CATEGORIES) ?? INITIAL_CONSENT;
  }

  async save(snapshot: ConsentSnapshot): Promise<void> {
    await this.memento.update(KEY, snapshot.state === 'off' ? undefined : snapshot);
  }
}

/** A random per-user salt for workspace ids, kept in global state. */
export function ensureSalt(memento: MementoLike, random: () => string): { salt: string; save?: Thenable<void> } {
  const existing = memento.get<unknown>('candor.salt');
  if (typeof existing === 'string' && existing.length >= 32) {
    return { salt: existing };
  }
  const salt = random();
  return { salt, save: memento.update('candor.salt', salt) };
}
