import { promises as fs } from 'node:fs';
import type * as path from 'node:path';
import { isSafeRelativePath } from '../model/paths';
import type { ExclusionMatcher } from '../privacy/policy/exclusion';
import { locate, type FolderRef, type RelativeLocation } from './paths';

export type Realpath = (p: string) => Promise<string>;

/** Why a file is not recorded, before any policy check. */
export type Refusal = 'outside' | 'unsafe-path' | 'excluded' | 'unresolved' | 'real-outside' | 'real-excluded';

export type Placement =
  | {
      readonly ok: true;
      /** Where the editor says the file is: what events name. */
      readonly at: RelativeLocation;
      /** Where it really is once every symlink is followed (the same file when none). */
      readonly real: RelativeLocation;
    }
  | { readonly ok: false; readonly why: Refusal; /** The refused relative path (for `unsafe-path`). */ readonly rel?: string };

/**
 * Where a file really is. A symlink inside the workspace may point at `/etc/hostname`, at
 * `~/.ssh/id_rsa`, or at a folder outside (and a link in the middle of a path, `ws/link/a.txt`,
 * does the same): the file is recorded only when its real path, every link followed, is inside a
 * workspace folder's real path, and neither the path the editor shows nor the real one is
 * excluded (`notes.txt -> .env` stays out). The folders are compared by their real paths too: a
 * workspace opened as `/tmp/w` may live at `/private/tmp/w`. A path that cannot be resolved is not
 * recorded. vscode-free and asynchronous (fs.promises.realpath): the caller caches the answer per
 * document and never waits for it in an event handler.
 */
export class RealLocator {
  private realFolders: Promise<FolderRef[]> | undefined;

  constructor(
    private readonly folders: readonly FolderRef[],
    private readonly matcher: ExclusionMatcher,
    private readonly realpath: Realpath = (p) => fs.realpath(p),
    private readonly pathApi: typeof path.posix | undefined = undefined,
  ) {}

  /** Files appeared, moved or went away: links may point elsewhere now. */
  invalidate(): void {
    this.realFolders = undefined;
  }

  async place(fsPath: string): Promise<Placement> {
    const at = this.loc(this.folders, fsPath);
    if (at !== undefined) {
      const refused = this.refuse(at.rel, 'excluded');
      if (refused !== undefined) {
        return refused;
      }
    }
    let real: string;
    try {
      real = await this.realpath(fsPath);
    } catch {
      return { ok: false, why: at === undefined ? 'outside' : 'unresolved' };
    }
    const folders = await this.foldersReal();
    const realAt = this.loc(folders, real);
    if (realAt === undefined) {
      return { ok: false, why: at === undefined ? 'outside' : 'real-outside' };
    }
    const refused = this.refuse(realAt.rel, 'real-excluded');
    if (refused !== undefined) {
      return refused;
    }
    // Opened by its real path (the editor followed the folder's link): name it by the real one.
    return { ok: true, at: at ?? realAt, real: realAt };
  }

  private refuse(rel: string, why: 'excluded' | 'real-excluded'): Placement | undefined {
    if (!isSafeRelativePath(rel)) {
      return { ok: false, why: 'unsafe-path', rel };
    }
    return this.matcher.isExcluded(rel) ? { ok: false, why } : undefined;
  }

  private loc(folders: readonly FolderRef[], p: string): RelativeLocation | undefined {
    return this.pathApi === undefined ? locate(folders, p) : locate(folders, p, this.pathApi);
  }

  private foldersReal(): Promise<FolderRef[]> {
    this.realFolders ??= Promise.all(
      this.folders.map(async (f) => {
        try {
          return { name: f.name, fsPath: await this.realpath(f.fsPath) };
        } catch {
          return f; // a folder that cannot be resolved holds nothing real: compare lexically
        }
      }),
    );
    return this.realFolders;
  }
}

/** A path for Candor's log: control characters, bidi controls and lone surrogates escaped, quoted. */
export function escapeForLog(text: string): string {
  const escaped = text.replace(
    // eslint-disable-next-line no-control-regex -- control characters are exactly what it escapes
    /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"\\]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    (c) => (c === '"' || c === '\\' ? `\\${c}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
  );
  return `"${escaped}"`;
}
