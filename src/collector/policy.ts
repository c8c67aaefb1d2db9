/**
 * The team policy the collector serves (`GET /v1/policy`): the same `TeamPolicy` the extension
 * already applies from a file (src/privacy/policy/model.ts: categories at most, extra exclusions,
 * licence allow-list, size cap, .gitignore), plus the team-wide kill switch. A policy version
 * names one content forever: re-publishing a version with other content is refused, so a bundle's
 * `policyVersion` always says exactly what applied.
 */
import type { CandorEvent, Category } from '../model/events';
import { eventCategory } from '../bundle/validate';
import type { TeamPolicy } from '../privacy/policy/model';
import { PolicyError, validatePolicy } from '../privacy/policy/model';
import { CollectorError } from './errors';

export interface ServedPolicy {
  readonly team: string;
  readonly version: string;
  readonly policy: TeamPolicy;
  /** True: every contributor of the team stops recording (it can only stop, never start). */
  readonly killSwitch: boolean;
  /** ISO time of the last change (policy or kill switch). */
  readonly updatedAt: string;
}

/** The policy a new team starts with: version "1", no restriction beyond each developer's own. */
export const DEFAULT_POLICY: TeamPolicy = { version: '1' };

/** Validates a policy given by an admin (CLI or `PUT /v1/policy`). Throws `bad-policy`. */
export function checkPolicy(raw: unknown): TeamPolicy {
  try {
    return validatePolicy(raw, 'team policy');
  } catch (err) {
    if (PolicyError.is(err)) {
      throw new CollectorError('bad-policy', err.message);
    }
    throw err;
  }
}

/** Canonical text of a policy (sorted keys), so the same policy always compares equal. */
export function policyText(policy: TeamPolicy): string {
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(policy).sort()) {
    sorted[key] = (policy as unknown as Record<string, unknown>)[key];
  }
  return JSON.stringify(sorted);
}

/** The categories an event needs (a terminal command with output needs both). */
export function categoriesOf(e: CandorEvent): readonly Category[] {
  const c = eventCategory(e);
  if (c === undefined) {
    return [];
  }
  return e.t === 'term' && e.out !== undefined ? [c, 'terminalOutput'] : [c];
}
