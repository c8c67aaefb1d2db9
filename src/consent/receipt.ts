import { createHash } from 'node:crypto';
import { CATEGORIES, type Category } from '../model/events';
import type { ConsentReceipt } from './consentMachine';

/**
 * Version of the consent text shown on the consent screen. Bump it whenever the text or the
 * meaning of a category changes: receipts then say which text the developer agreed to.
 */
export const CONSENT_POLICY_VERSION = '2026-12-08';

/** Categories that exist but cannot be granted yet (shown as "not yet available"). */
export const UNAVAILABLE_CATEGORIES: readonly Category[] = ['aiPrompts'];

/** Categories once ticked by default. The consent screen now ticks none (a pre-ticked box is not consent); src/ui/categories.ts ignores this. */
export const DEFAULT_CATEGORIES: readonly Category[] = ['edits', 'navigation', 'files', 'terminalCommands', 'tools'];

/**
 * A workspace id that is stable for one user on one machine and reveals nothing: SHA-256 of a
 * random per-user salt and the workspace's identity (its folder URIs or workspace file URI).
 */
export function workspaceId(salt: string, workspaceIdentity: readonly string[]): string {
  const h = createHash('sha256');
  h.update(salt);
  for (const part of [...workspaceIdentity].sort()) {
    h.update('\0');
    h.update(part);
  }
  return h.digest('hex');
}

/** Keeps only real, grantable categories, in canonical order, without duplicates. */
export function normalizeCategories(requested: readonly string[]): Category[] {
  return CATEGORIES.filter((c) => requested.includes(c) && !UNAVAILABLE_CATEGORIES.includes(c));
}

export function createReceipt(args: {
  categories: readonly string[];
  now: Date;
  extensionVersion: string;
  workspaceId: string;
}): ConsentReceipt {
  let categories = normalizeCategories(args.categories);
  // Output without the commands it belongs to means nothing: it needs terminal commands.
  if (categories.includes('terminalOutput') && !categories.includes('terminalCommands')) {
    categories = categories.filter((c) => c !== 'terminalOutput');
  }
  return {
    policyVersion: CONSENT_POLICY_VERSION,
    categories,
    grantedAt: args.now.toISOString(),
    extensionVersion: args.extensionVersion,
    workspaceId: args.workspaceId,
  };
}
