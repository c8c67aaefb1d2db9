/**
 * The record-time policy check: given a file of a workspace folder, may it be recorded? One
 * `PolicyGate` is prepared (async: licence detection, repository roots) when a recording session
 * opens; after that every check is synchronous, and the recorder caches its answer per document,
 * so the edit hot path never reaches this code after a file's first touch.
 *
 * Exclusion globs are not checked here: the recorder's ExclusionMatcher already does that with
 * the merged policy's list (src/recorder/documentResolver.ts).
 */
import * as path from 'node:path';
import { hasBinaryExtension, looksBinary } from './binary';
import type { FolderEligibility } from './eligibility';
import { decideEligibility } from './eligibility';
import { GitignoreMatcher } from './gitignore';
import type { PolicyIo } from './io';
import { nodePolicyIo } from './io';
import { detectFolderLicense } from './license';
import type { TeamPolicy } from './model';

/** A workspace folder: its name (as multi-root paths spell it) and absolute path. */
export interface PolicyFolderRef {
  readonly name: string;
  readonly fsPath: string;
}

/** Why a file is not recorded; `ok` when it is. */
export type Verdict = 'ok' | 'ineligible' | 'gitignored' | 'binary' | 'too-large';

/** .gitignore files are small; a bigger one is cut rather than read whole on the extension host. */
const MAX_GITIGNORE_BYTES = 1024 * 1024;
/** How far up from a workspace folder a repository root is looked for. */
const MAX_REPO_DEPTH = 64;

interface FolderState {
  readonly ref: PolicyFolderRef;
  readonly eligibility: FolderEligibility;
  /** The folder's path relative to its repository root, `/`-separated ('' when it is the root). */
  readonly repoPrefix: string;
  readonly gitignore: GitignoreMatcher | undefined;
}

export class PolicyGate {
  private readonly folders: Map<string, FolderState>;
  /** The size cap in bytes, if the policy has one. */
  readonly maxFileSizeBytes: number | undefined;

  private constructor(
    readonly policy: TeamPolicy,
    folders: readonly FolderState[],
    private readonly io: PolicyIo,
  ) {
    this.folders = new Map(folders.map((f) => [f.ref.fsPath, f]));
    this.maxFileSizeBytes = policy.maxFileSizeKB === undefined ? undefined : policy.maxFileSizeKB * 1024;
  }

  /**
   * Prepares the checks for these folders: detects each folder's licence (only when the policy has
   * an allow-list) and finds the repository whose .gitignore files apply (only when gitignored
   * files are excluded).
   */
  static async prepare(policy: TeamPolicy, folders: readonly PolicyFolderRef[], io: PolicyIo = nodePolicyIo()): Promise<PolicyGate> {
    const states = await Promise.all(
      folders.map(async (ref): Promise<FolderState> => {
        const detection = policy.allowedLicenses === undefined ? undefined : await detectFolderLicense(ref.fsPath, io.license);
        const eligibility = decideEligibility(ref.name, detection, policy.allowedLicenses);
        if (policy.excludeGitignored !== true) {
          return { ref, eligibility, repoPrefix: '', gitignore: undefined };
        }
        const { root, prefix, infoExclude } = findRepository(ref.fsPath, io);
        const read = (dir: string): string | undefined => io.readText(path.join(root, ...dir.split('/'), '.gitignore'), MAX_GITIGNORE_BYTES);
        return { ref, eligibility, repoPrefix: prefix, gitignore: new GitignoreMatcher(read, infoExclude) };
      }),
    );
    return new PolicyGate(policy, states, io);
  }

  /** Per folder, in the order given: whether it may be recorded, and why. */
  get eligibility(): FolderEligibility[] {
    return [...this.folders.values()].map((f) => f.eligibility);
  }

  /** Whether anything at all can be recorded (at least one folder is eligible). */
  get anyEligible(): boolean {
    return [...this.folders.values()].some((f) => f.eligibility.eligible);
  }

  /** Whether the folder may be recorded at all. A folder the gate was not prepared for may not. */
  isEligible(folder: PolicyFolderRef): boolean {
    return this.folders.get(folder.fsPath)?.eligibility.eligible === true;
  }

  /**
   * Decides a file: `rel` is relative to `folder` (`/`-separated); `fsPath`, when given, is read
   * (size and first 8 KB) to catch oversized and binary files before any event names them.
   */
  check(folder: PolicyFolderRef, rel: string, fsPath?: string): Verdict {
    const state = this.folders.get(folder.fsPath);
    if (state === undefined || !state.eligibility.eligible) {
      return 'ineligible';
    }
    if (hasBinaryExtension(rel)) {
      return 'binary';
    }
    const cap = this.maxFileSizeBytes ?? Number.MAX_SAFE_INTEGER;
    const probe = fsPath === undefined ? undefined : this.io.probe(fsPath, cap);
    if (state.gitignore !== undefined && state.gitignore.isIgnored(joinRel(state.repoPrefix, rel), probe?.directory === true)) {
      return 'gitignored';
    }
    if (probe !== undefined && !probe.directory) {
      if (probe.size > cap) {
        return 'too-large';
      }
      if (probe.head !== undefined && looksBinary(probe.head)) {
        return 'binary';
      }
    }
    return 'ok';
  }

  /** Decides a document's text at first touch (it may differ from the file on disk). */
  checkContent(text: string): Verdict {
    if (this.maxFileSizeBytes !== undefined && text.length > this.maxFileSizeBytes) {
      return 'too-large';
    }
    return looksBinary(text) ? 'binary' : 'ok';
  }

  /** A .gitignore changed: the next check reads them again. */
  invalidateGitignores(): void {
    for (const f of this.folders.values()) {
      f.gitignore?.clear();
    }
  }
}

function joinRel(prefix: string, rel: string): string {
  return prefix === '' ? rel : `${prefix}/${rel}`;
}

/**
 * The git repository a folder belongs to: the nearest ancestor (or itself) holding `.git`. A
 * folder in no repository is its own root: its .gitignore files still say what its owner does
 * not want tracked, and so not recorded either.
 */
export function findRepository(folder: string, io: Pick<PolicyIo, 'kind' | 'readText'>): { root: string; prefix: string; infoExclude?: string } {
  let dir = path.resolve(folder);
  for (let depth = 0; depth < MAX_REPO_DEPTH; depth++) {
    const git = io.kind(path.join(dir, '.git'));
    if (git !== undefined) {
      const prefix = path.relative(dir, folder).split(path.sep).filter((s) => s !== '').join('/');
      // A `.git` file (worktree, submodule) points elsewhere; its info/exclude is not followed.
      const infoExclude = git === 'directory' ? io.readText(path.join(dir, '.git', 'info', 'exclude'), MAX_GITIGNORE_BYTES) : undefined;
      return infoExclude === undefined ? { root: dir, prefix } : { root: dir, prefix, infoExclude };
    }
    const parent = path.dirname(dir);
    if (parent === dir) {
      break;
    }
    dir = parent;
  }
  return { root: path.resolve(folder), prefix: '' };
}
