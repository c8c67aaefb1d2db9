/**
 * Eligibility: whether a workspace folder may be recorded at all under the policy's licence
 * allow-list. Without an allow-list every folder is eligible (no licence detection is needed).
 */
import type { LicenseDetection } from './license';
import { licenseAllowed } from './spdx';

export interface FolderEligibility {
  /** The workspace folder's name (as in multi-root paths). */
  readonly folder: string;
  readonly eligible: boolean;
  /** The detected SPDX expression, if any. */
  readonly license: string | undefined;
  /** One sentence: why (not) eligible. */
  readonly reason: string;
}

/** Decides one folder. `detection` may be undefined when there is no allow-list (nothing was read). */
export function decideEligibility(folder: string, detection: LicenseDetection | undefined, allowed: readonly string[] | undefined): FolderEligibility {
  if (allowed === undefined) {
    return { folder, eligible: true, license: detection?.license, reason: 'the policy has no licence allow-list' };
  }
  const license = detection?.license;
  if (license === undefined) {
    const files = detection?.unrecognized ?? [];
    const what = files.length > 0 ? `its licence file (${files.join(', ')}) is not one Candor recognises` : 'it has no licence file and no package.json licence';
    return { folder, eligible: false, license, reason: `${what}, and the policy records only in repositories under ${listOf(allowed)}` };
  }
  const from = detection?.sources.length ? ` (from ${detection.sources.join(', ')})` : '';
  if (licenseAllowed(license, allowed)) {
    return { folder, eligible: true, license, reason: `its licence ${license}${from} is allowed` };
  }
  return { folder, eligible: false, license, reason: `its licence is ${license}${from}; the policy allows only ${listOf(allowed)}` };
}

/**
 * The message shown when recording starts with ineligible folders: names each folder, its detected
 * licence and the allowed ones, and says whether anything is recorded at all.
 */
export function describeIneligible(folders: readonly FolderEligibility[]): string | undefined {
  const out = folders.filter((f) => !f.eligible);
  if (out.length === 0) {
    return undefined;
  }
  const parts = out.map((f) => `'${f.folder}': ${f.reason}.`);
  const head =
    out.length === folders.length
      ? 'Candor will not record in this workspace: the team policy allows recording only in repositories under certain licences.'
      : `Candor will not record in ${out.length === 1 ? 'one folder' : `${out.length} folders`} of this workspace (team policy on licences).`;
  return `${head} ${parts.join(' ')}`;
}

function listOf(allowed: readonly string[]): string {
  return allowed.length === 0 ? 'no licence at all (the allow-list is empty)' : allowed.join(', ');
}
