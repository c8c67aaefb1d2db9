/**
 * Loading the policy in force when a recording session opens: the team's file (named by the
 * user-level setting `candor.teamPolicyFile`; later the collector will serve it), merged with the
 * developer's own settings, and the record-time gate prepared for the workspace folders.
 *
 * A team policy file that is configured but missing or invalid is an error, not "no policy": the
 * team lead meant some restriction, and recording without it would be wider than agreed. The
 * caller refuses to record until it is fixed.
 */
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describeIneligible } from './eligibility';
import type { FolderEligibility } from './eligibility';
import type { PolicyFolderRef } from './gate';
import { PolicyGate } from './gate';
import type { PolicyIo } from './io';
import { mergePolicy, parsePolicy, PolicyError } from './model';
import type { TeamPolicy } from './model';

/** A policy file bigger than this is not a policy. */
const MAX_POLICY_BYTES = 1024 * 1024;

/** Reads and validates a team policy file. `~` at the start means the home directory. Throws `PolicyError`. */
export async function loadTeamPolicy(file: string, readFile: (file: string) => Promise<string> = readSmallFile, home: string = os.homedir()): Promise<TeamPolicy> {
  const resolved = file === '~' || file.startsWith('~/') || file.startsWith('~\\') ? path.join(home, file.slice(1)) : file;
  const where = `team policy file ${resolved}`;
  if (!path.isAbsolute(resolved)) {
    throw new PolicyError(['the path must be absolute (or start with ~/)'], where);
  }
  let text: string;
  try {
    text = await readFile(resolved);
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    throw new PolicyError([code === 'ENOENT' ? 'the file does not exist' : `it cannot be read (${typeof code === 'string' ? code : String(err)})`], where);
  }
  return parsePolicy(text, where);
}

async function readSmallFile(file: string): Promise<string> {
  const st = await fs.stat(file);
  if (st.size > MAX_POLICY_BYTES) {
    throw Object.assign(new Error(`larger than ${MAX_POLICY_BYTES} bytes`), { code: 'too large' });
  }
  return fs.readFile(file, 'utf8');
}

export interface PolicyInput {
  /** The developer's own restrictions, from settings (src/recording/config.ts `Config.userPolicy`). */
  readonly user: TeamPolicy;
  /** `candor.teamPolicyFile` (user level only), if set. */
  readonly teamPolicyFile: string | undefined;
  readonly folders: readonly PolicyFolderRef[];
  readonly io?: PolicyIo;
  readonly readFile?: (file: string) => Promise<string>;
}

export type PreparedPolicy =
  | {
      readonly ok: true;
      /** The merged policy: what is enforced. */
      readonly policy: TeamPolicy;
      readonly team: TeamPolicy | undefined;
      readonly gate: PolicyGate;
      readonly eligibility: readonly FolderEligibility[];
      /** Set when some folder is not eligible: the message to show the developer. */
      readonly ineligibleMessage: string | undefined;
      /** False when no folder is eligible: nothing at all may be recorded. */
      readonly recordable: boolean;
    }
  | { readonly ok: false; readonly message: string };

/** Loads the team policy, merges it with the user's, and prepares the record-time gate. Never throws. */
export async function preparePolicy(input: PolicyInput): Promise<PreparedPolicy> {
  let team: TeamPolicy | undefined;
  const file = input.teamPolicyFile?.trim();
  if (file !== undefined && file !== '') {
    try {
      team = await loadTeamPolicy(file, input.readFile);
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      return { ok: false, message: `Candor will not record until the team policy can be read: ${detail}. Fix the file or the setting candor.teamPolicyFile.` };
    }
  }
  const policy = mergePolicy(input.user, team);
  let gate: PolicyGate;
  try {
    gate = await PolicyGate.prepare(policy, input.folders, input.io);
  } catch (err) {
    return { ok: false, message: `Candor will not record: the policy could not be checked (${err instanceof Error ? err.message : String(err)}).` };
  }
  const eligibility = gate.eligibility;
  return { ok: true, policy, team, gate, eligibility, ineligibleMessage: describeIneligible(eligibility), recordable: gate.anyEligible };
}
