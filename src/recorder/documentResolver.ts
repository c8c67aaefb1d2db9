import * as vscode from 'vscode';
import type { Logger } from '../model/logger';
import { isSafeRelativePath } from '../model/paths';
import type { PolicyGate } from '../privacy/policy/gate';
import type { ExclusionMatcher } from '../privacy/policy/exclusion';
import { locate, type FolderRef } from './paths';
import { escapeForLog, RealLocator, type Realpath } from './realLocation';

const NOTEBOOK_CELL_SCHEME = 'vscode-notebook-cell';
/** File events come in bursts (a checkout, an npm install): links are checked again once per burst. */
const REVALIDATE_DELAY_MS = 100;

/** The answer for a document: its recorded path, or null when it is not recorded. */
type Verdict = string | null;

/**
 * Turns a document URI into the path Candor records, or says it must not be recorded at all: not
 * the `file` scheme (or a notebook cell), outside every workspace folder (by its real path too:
 * symlinks are followed, src/recorder/realLocation.ts), a path that fails the safe-path rule,
 * excluded by a glob (by the path shown or the real one), or refused by the policy gate
 * (ineligible folder, .gitignored, binary, over the size cap).
 *
 * Following links takes file-system calls, and event handlers never wait for those: the first
 * sight of a document (`peek`) starts the decision in the background, and what happens to the
 * document meanwhile is queued (`whenDecided`) and replayed in order once it is known. Answers are
 * cached per URI, so the edit hot path is one Map lookup. When files are created, renamed or
 * deleted (`invalidate`), every cached answer is decided again in the background; until the new
 * one lands the old one holds.
 */
export class DocumentResolver {
  private readonly cache = new Map<string, { readonly uri: vscode.Uri; verdict: Verdict }>();
  private readonly waiting = new Map<string, ((f: string | undefined) => void)[]>();
  private readonly reported = new Set<string>();
  /** Excluded for their content (size cap, binary): a re-check of links must not undo that. */
  private readonly excludedByContent = new Set<string>();
  private folders: readonly FolderRef[];
  private locator: RealLocator;
  private generation = 0;
  private revalidateTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly matcher: ExclusionMatcher,
    folders: readonly FolderRef[] = currentFolders(),
    /** The policy's other checks (eligibility, .gitignore, binary, size); none when absent. */
    private readonly gate?: PolicyGate,
    private readonly logger?: Logger,
    private readonly realpath?: Realpath,
  ) {
    this.folders = folders;
    this.locator = new RealLocator(folders, matcher, realpath);
    for (const { pattern, reason } of matcher.refused) {
      logger?.warn(`Exclusion pattern ${escapeForLog(pattern)} refused: ${reason}. Files it names are not excluded by it.`);
    }
  }

  /**
   * The recorded path if known, null if the document is not recorded, undefined while it is
   * being decided (the decision starts here if it had not).
   */
  peek(uri: vscode.Uri): string | null | undefined {
    const key = uri.toString();
    const cached = this.cache.get(key);
    if (cached !== undefined) {
      return cached.verdict;
    }
    this.start(key, uri);
    return undefined;
  }

  /** The recorded path, or undefined when it is not recorded or not decided yet. */
  resolve(uri: vscode.Uri): string | undefined {
    return this.peek(uri) ?? undefined;
  }

  /**
   * Calls `then` with the recorded path (undefined: not recorded): at once when it is known, else
   * once it is decided, after everything queued before it for the same document.
   */
  whenDecided(uri: vscode.Uri, then: (f: string | undefined) => void): void {
    const verdict = this.peek(uri);
    if (verdict !== undefined) {
      then(verdict ?? undefined);
      return;
    }
    this.waiting.get(uri.toString())?.push(then);
  }

  /** A path for a URI that is not a document (terminal cwd, git repository root). */
  resolvePath(uri: vscode.Uri): string | undefined {
    if (uri.scheme !== 'file') {
      return undefined;
    }
    const loc = locate(this.folders, uri.fsPath);
    if (loc) {
      if (!this.safe(loc.f)) {
        return undefined;
      }
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
    const key = uri.toString();
    this.cache.set(key, { uri, verdict: null });
    this.excludedByContent.add(key);
  }

  forget(uri: vscode.Uri): void {
    const key = uri.toString();
    this.cache.delete(key);
    this.excludedByContent.delete(key);
  }

  /** Workspace folders or settings changed. */
  reset(folders: readonly FolderRef[] = currentFolders()): void {
    this.folders = folders;
    this.locator = new RealLocator(folders, this.matcher, this.realpath);
    this.generation++;
    this.cache.clear();
    this.excludedByContent.clear();
  }

  /**
   * Files were created, renamed or deleted: a link may point elsewhere now, or a file may now
   * exist. Every cached answer is decided again, once per burst, in the background.
   */
  invalidate(): void {
    if (this.revalidateTimer !== undefined) {
      return;
    }
    this.revalidateTimer = setTimeout(() => {
      this.revalidateTimer = undefined;
      this.locator.invalidate();
      const generation = ++this.generation;
      for (const [key, entry] of this.cache) {
        if (this.excludedByContent.has(key)) {
          continue;
        }
        void this.decide(entry.uri).then((verdict) => {
          // Not if reset or forgotten meanwhile.
          if (generation === this.generation && this.cache.get(key) === entry && !this.excludedByContent.has(key)) {
            entry.verdict = verdict;
          }
        });
      }
    }, REVALIDATE_DELAY_MS);
    this.revalidateTimer.unref?.();
  }

  /** Stops a pending re-check (the session ended). */
  dispose(): void {
    if (this.revalidateTimer !== undefined) {
      clearTimeout(this.revalidateTimer);
      this.revalidateTimer = undefined;
    }
  }

  private start(key: string, uri: vscode.Uri): void {
    if (this.waiting.has(key)) {
      return;
    }
    this.waiting.set(key, []);
    const generation = this.generation;
    void this.decide(uri).then((verdict) => {
      const queued = this.waiting.get(key) ?? [];
      this.waiting.delete(key);
      if (generation === this.generation && !this.cache.has(key)) {
        this.cache.set(key, { uri, verdict });
      }
      for (const then of queued) {
        then(verdict ?? undefined);
      }
    });
  }

  private async decide(uri: vscode.Uri): Promise<Verdict> {
    try {
      return (await this.compute(uri)) ?? null;
    } catch (err) {
      this.logger?.warn(`Could not decide whether to record a document: ${err instanceof Error ? err.message : String(err)}`);
      return null;
    }
  }

  private async compute(uri: vscode.Uri): Promise<string | undefined> {
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
    const placed = await this.locator.place(fileUri.fsPath);
    if (!placed.ok) {
      if (placed.why === 'unsafe-path' && placed.rel !== undefined) {
        this.safe(placed.rel);
      }
      return undefined;
    }
    const { at, real } = placed;
    if (!this.safe(at.f)) {
      return undefined;
    }
    // First touch only (the answer is cached): may read the file's size and first 8 KB. Not for a
    // notebook cell: the notebook file's size (outputs, images) says nothing about the cell's text,
    // which EditRecorder checks at first touch.
    const probe = suffix === '' ? fileUri.fsPath : undefined;
    if (this.gate) {
      if (this.gate.check(at.folder, at.rel, probe) !== 'ok') {
        return undefined;
      }
      // Through a link: the real file's own folder and .gitignore have a say too.
      if ((real.folder.name !== at.folder.name || real.rel !== at.rel) && this.gate.check(this.folderOf(real.folder), real.rel) !== 'ok') {
        return undefined;
      }
    }
    return at.f + suffix;
  }

  /** The workspace folder (as the gate knows it) of a folder found by its real path. */
  private folderOf(real: FolderRef): FolderRef {
    return this.folders.find((f) => f.name === real.name) ?? real;
  }

  /** The safe-path rule (src/model/paths.ts); a refused path is said once in the log, escaped. */
  private safe(f: string): boolean {
    if (isSafeRelativePath(f)) {
      return true;
    }
    if (!this.reported.has(f)) {
      this.reported.add(f);
      this.logger?.warn(`Not recording ${escapeForLog(f)}: its name is not a safe relative path.`);
    }
    return false;
  }
}

export function currentFolders(): FolderRef[] {
  return (vscode.workspace.workspaceFolders ?? [])
    .filter((f) => f.uri.scheme === 'file')
    .map((f) => ({ name: f.name, fsPath: f.uri.fsPath }));
}
