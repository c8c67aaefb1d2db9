import * as vscode from 'vscode';
import { Disposable } from '../util/disposable';
import type { RecorderContext } from './recorderContext';

/**
 * The few parts of the built-in git extension's API (vscode.git, API version 1) that Candor
 * uses. Declared here rather than copying git.d.ts: we depend on little and check it at runtime.
 */
interface GitHead {
  readonly name?: string;
  readonly commit?: string;
}
interface GitRepository {
  readonly rootUri: vscode.Uri;
  readonly state: { readonly HEAD: GitHead | undefined; readonly onDidChange: vscode.Event<void> };
}
interface GitApi {
  readonly repositories: readonly GitRepository[];
  readonly onDidOpenRepository: vscode.Event<GitRepository>;
}
interface GitExtension {
  getAPI(version: 1): GitApi;
}

/**
 * Git actions (category `tools`): commits and branch switches, seen as changes of HEAD in the
 * built-in git extension's model. Commit messages and diffs are not recorded. When the git
 * extension is disabled there is nothing to observe, and nothing is recorded.
 */
export class GitSource extends Disposable {
  private readonly heads = new Map<GitRepository, GitHead>();

  constructor(private readonly ctx: RecorderContext) {
    super();
    void this.attach();
  }

  private async attach(): Promise<void> {
    const ext = vscode.extensions.getExtension<GitExtension>('vscode.git');
    if (!ext) {
      return;
    }
    let api: GitApi;
    try {
      const exports = ext.isActive ? ext.exports : await ext.activate();
      api = exports.getAPI(1);
    } catch {
      return;
    }
    if (this.isDisposed) {
      return;
    }
    api.repositories.forEach((r) => this.watch(r));
    api.onDidOpenRepository(this.watch, this, this._subscriptions);
  }

  private watch(repo: GitRepository): void {
    const root = this.ctx.documents.resolvePath(repo.rootUri);
    if (root === undefined) {
      return; // a repository outside the workspace
    }
    this.heads.set(repo, { ...repo.state.HEAD });
    repo.state.onDidChange(() => this.onChange(repo, root), this, this._subscriptions);
  }

  private onChange(repo: GitRepository, root: string): void {
    const before = this.heads.get(repo) ?? {};
    const head = repo.state.HEAD ?? {};
    this.heads.set(repo, { ...head });
    if (head.name === before.name && head.commit === before.commit) {
      return;
    }
    const op = head.name !== before.name ? 'checkout' : 'commit';
    this.ctx.emit({
      t: 'git',
      ts: this.ctx.now(),
      op,
      repo: root,
      ...(head.name !== undefined ? { branch: head.name } : {}),
      ...(head.commit !== undefined ? { commit: head.commit } : {}),
    });
  }
}
