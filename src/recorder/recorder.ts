import * as vscode from 'vscode';
import type { CandorEvent, Category } from '../model/events';
import { Disposable, toDisposable } from '../util/disposable';
import { CursorHint } from './cursorHint';
import type { DocumentResolver } from './documentResolver';
import { EditSource } from './editSource';
import { FileSource } from './fileSource';
import { FocusSource } from './focusSource';
import { GitSource } from './gitSource';
import type { RecorderContext } from './recorderContext';
import { SelectionSource } from './selectionSource';
import { TerminalSource } from './terminalSource';
import { ToolSource } from './toolSource';

export interface RecorderSettings {
  readonly checkpointEvery: number;
  readonly maxFileSizeBytes: number;
  readonly selectionIdleMs: number;
  readonly terminalOutputCapBytes: number;
}

/**
 * One recording session's sources: only those whose category was granted are created at all,
 * so an API that was not consented to is never even listened to. Disposed on pause and stop.
 */
export class Recorder extends Disposable {
  private readonly edits: EditSource | undefined;
  private readonly selections: SelectionSource | undefined;

  constructor(args: {
    categories: readonly Category[];
    documents: DocumentResolver;
    settings: RecorderSettings;
    emit: (event: CandorEvent) => void;
    now?: () => number;
    measure?: ((ms: number, handler?: string) => void) | undefined;
  }) {
    super();
    const granted = new Set(args.categories);
    const ctx: RecorderContext = {
      emit: args.emit,
      now: args.now ?? Date.now,
      documents: args.documents,
      granted: (c) => granted.has(c),
      measure: args.measure,
    };
    const s = args.settings;
    this.watchDocuments(args.documents);
    // Shared by the two per-key handlers: only useful when both are on.
    const cursor = granted.has('edits') && granted.has('navigation') ? new CursorHint() : undefined;
    if (granted.has('edits')) {
      this.edits = this._register(new EditSource(ctx, s.checkpointEvery, s.maxFileSizeBytes, cursor));
    }
    if (granted.has('navigation')) {
      this.selections = this._register(new SelectionSource(ctx, s.selectionIdleMs, cursor));
      this._register(new FocusSource(ctx));
    }
    if (granted.has('files')) {
      this._register(new FileSource(ctx));
    }
    if (granted.has('terminalCommands')) {
      this._register(new TerminalSource(ctx, s.terminalOutputCapBytes));
    }
    if (granted.has('tools')) {
      this._register(new ToolSource(ctx));
      this._register(new GitSource(ctx));
    }
  }

  /**
   * Symlinks are followed asynchronously (DocumentResolver): start on every document as it opens,
   * so the answer is usually there before the first keystroke, and decide again when files
   * appear, move or go away — a link may point elsewhere then.
   */
  private watchDocuments(documents: DocumentResolver): void {
    for (const doc of vscode.workspace.textDocuments) {
      documents.peek(doc.uri);
    }
    vscode.workspace.onDidOpenTextDocument((d) => documents.peek(d.uri), this, this._subscriptions);
    const changed = (): void => documents.invalidate();
    vscode.workspace.onDidCreateFiles(changed, this, this._subscriptions);
    vscode.workspace.onDidDeleteFiles(changed, this, this._subscriptions);
    vscode.workspace.onDidRenameFiles(changed, this, this._subscriptions);
    // Changes made outside VS Code (`ln -sf` in a terminal); content changes do not move links.
    const watcher = this._register(vscode.workspace.createFileSystemWatcher('**/*', false, true, false));
    watcher.onDidCreate(changed, this, this._subscriptions);
    watcher.onDidDelete(changed, this, this._subscriptions);
    this._register(toDisposable(() => documents.dispose()));
  }

  /** The log started a new segment. */
  onRotate(): void {
    this.edits?.onRotate();
  }

  /** Emits anything held back for coalescing. */
  flushPending(): void {
    this.selections?.flush();
  }
}
