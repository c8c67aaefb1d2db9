import * as vscode from 'vscode';
import type { PolicyGate } from '../privacy/policy/gate';
import type { ExclusionMatcher } from './exclusion';
import { locate, type FolderRef } from './paths';

const NOTEBOOK_CELL_SCHEME = 'vscode-notebook-cell';

/**
 * Turns a document URI into the path Candor records, or undefined when the document must not be
 * recorded at all: not the `file` scheme (or a notebook cell), outside every workspace folder,
 * excluded by a glob, or refused by the policy gate (ineligible folder, .gitignored, binary, over
 * the size cap). Results are cached per URI: this runs on every edit.
 */
export class DocumentResolver {
  private readonly cache = new Map<string, string | null>();
  private folders: readonly FolderRef[];

  constructor(
    private readonly matcher: ExclusionMatcher,
    folders: readonly FolderRef[] = currentFolders(),
    /** The policy's other checks (eligibility, .gitignore, binary, size); none when absent. */
    private readonly gate?: PolicyGate,
  ) {
    this.folders = folders;
  }

  resolve(uri: vscode.Uri): string | undefined {
    const key = uri.toString();
    const cached = this.cache.get(key);
    if (cached !== undefined) {
      return cached ?? undefined;
    }
    const f = this.compute(uri);
    this.cache.set(key, f ?? null);
    return f;
  }

  /** A path for a URI that is not a document (terminal cwd, git repository root). */
  resolvePath(uri: vscode.Uri): string | undefined {
    if (uri.scheme !== 'file') {
      return undefined;
    }
    const loc = locate(this.folders, uri.fsPath);
    if (loc) {
      return this.gate && !this.gate.isEligible(loc.folder) ? undefined : loc.f;
    }
    // A workspace folder itself.
    const folder = this.folders.find((fo) => fo.fsPath === uri.fsPath);
    if (!folder || (this.gate && !this.gate.isEligible(folder))) {
      return undefined;
    }
    return this.folders.length > 1 ? folder.name : '';
  }

  /**
   * Whether something happening at `uri` (a terminal's cwd) must not be recorded at all: it is in
   * a workspace folder the policy makes ineligible. Outside every folder is not withheld here
   * (it is recorded without a path, as before).
   */
  withholds(uri: vscode.Uri): boolean {
    if (!this.gate || uri.scheme !== 'file') {
      return false;
    }
    const folder = locate(this.folders, uri.fsPath)?.folder ?? this.folders.find((fo) => fo.fsPath === uri.fsPath);
    return folder !== undefined && !this.gate.isEligible(folder);
  }

  /** Excludes a document from now on (it went over the size cap). */
  exclude(uri: vscode.Uri): void {
    this.cache.set(uri.toString(), null);
  }

  forget(uri: vscode.Uri): void {
    this.cache.delete(uri.toString());
  }

  /** Workspace folders or settings changed. */
  reset(folders: readonly FolderRef[] = currentFolders()): void {
    this.folders = folders;
    this.cache.clear();
  }

  private compute(uri: vscode.Uri): string | undefined {
    let fileUri: vscode.Uri;
    let suffix = '';
    if (uri.scheme === 'file') {
      fileUri = uri;
    } else if (uri.scheme === NOTEBOOK_CELL_SCHEME) {
      fileUri = uri.with({ scheme: 'file', fragment: '' });
      suffix = `#${uri.fragment}`;
    } else {
      return undefined;
    }
    const loc = locate(this.folders, fileUri.fsPath);
    if (!loc || this.matcher.isExcluded(loc.rel)) {
      return undefined;
    }
    // First touch only (the answer is cached): may read the file's size and first 8 KB. Not for a
    // notebook cell: the notebook file's size (outputs, images) says nothing about the cell's text,
    // which EditRecorder checks at first touch.
    const probe = suffix === '' ? fileUri.fsPath : undefined;
    if (this.gate && this.gate.check(loc.folder, loc.rel, probe) !== 'ok') {
      return undefined;
    }
    return loc.f + suffix;
  }
}

export function currentFolders(): FolderRef[] {
  return (vscode.workspace.workspaceFolders ?? [])
    .filter((f) => f.uri.scheme === 'file')
    .map((f) => ({ name: f.name, fsPath: f.uri.fsPath }));
}
