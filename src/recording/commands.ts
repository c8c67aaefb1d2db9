import * as vscode from 'vscode';
import type { RecordingController } from './recordingController';
import type { OutboxEntry } from '../upload/outbox';
import { formatBytes, shortHash } from '../preview/timeline';

interface MenuItem extends vscode.QuickPickItem {
  readonly run: () => Promise<void> | Thenable<unknown>;
}

/** The preview side of Candor's commands (PreviewService, the outbox, the Candor view). */
export interface PreviewCommands {
  preview(arg?: unknown): Promise<void>;
  openApproved(sha256: unknown): Promise<void>;
  outbox(): Promise<OutboxEntry[]>;
  readonly outboxDir: string;
  refreshView(): void;
}

/**
 * Registers Candor's commands. Each one is recorded as a `cmd` event while recording: Candor's
 * own commands are the only ones VS Code lets an extension observe.
 */
export function registerCommands(controller: RecordingController, revealLog: () => void, previews: PreviewCommands): vscode.Disposable[] {
  const register = (id: string, run: (...args: unknown[]) => Promise<void> | void): vscode.Disposable =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      controller.recordCommand(id);
      await run(...args);
    });

  return [
    register('candor.startRecording', () => controller.startFlow()),
    register('candor.stopRecording', () => controller.stopFlow()),
    register('candor.pauseRecording', () => controller.pause('user')),
    register('candor.resumeRecording', () => controller.resume()),
    register('candor.deleteLocalData', () => controller.deleteFlow()),
    register('candor.showLog', revealLog),
    register('candor.revealLocalData', async () => {
      // Each window of a workspace writes its own log; consent and its history are shared.
      const { shared, logs } = await controller.localDataFolders();
      const targets = [
        ...logs.map((dir) => ({ label: dir === controller.logDir ? 'This window’s log' : 'Another window’s log of this workspace', description: dir, dir })),
        ...(shared ? [{ label: 'Consent record and history (shared by every window)', description: shared, dir: shared }] : []),
      ];
      const pick = targets.length <= 1 ? targets[0] : await vscode.window.showQuickPick(targets, { title: 'Candor: Reveal Local Data Folder' });
      if (pick) {
        await vscode.workspace.fs.createDirectory(vscode.Uri.file(pick.dir));
        await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(pick.dir));
      }
    }),
    register('candor.showStatus', () => showMenu(controller)),
    // The argument (e.g. `{ range: 'all' }`, from the Candor view or a test) only chooses what to
    // include and skips the QuickPick; approving still takes the host's modal.
    register('candor.previewBundle', (arg) => previews.preview(arg)),
    register('candor.openApprovedBundle', (sha256) => previews.openApproved(sha256)),
    register('candor.openOutbox', () => showOutbox(previews)),
    register('candor.refreshView', () => previews.refreshView()),
  ];
}

async function showOutbox(previews: PreviewCommands): Promise<void> {
  const entries = await previews.outbox();
  const dir = previews.outboxDir;
  const items: MenuItem[] = entries.map((e) => ({
    label: `$(package) ${new Date(e.receipt.approvedAt).toLocaleString()}`,
    description: `${e.receipt.events.toLocaleString()} events · ${formatBytes(e.receipt.sizeBytes)} · SHA-256 ${shortHash(e.receipt.sha256)}`,
    run: () => previews.openApproved(e.receipt.sha256),
  }));
  items.push({
    label: '$(folder-opened) Reveal Outbox Folder',
    run: async () => {
      await vscode.workspace.fs.createDirectory(vscode.Uri.file(dir));
      await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(dir));
    },
  });
  const pick = await vscode.window.showQuickPick(items, {
    title: 'Candor: Outbox',
    placeHolder: entries.length === 0 ? 'No approved bundles yet' : 'Approved bundles (uploading is not set up yet: they stay on this machine)',
  });
  await pick?.run();
}

async function showMenu(controller: RecordingController): Promise<void> {
  const { state } = controller.state;
  const items: MenuItem[] = [];
  if (state === 'recording') {
    items.push({ label: '$(debug-pause) Pause Recording', run: () => controller.pause('user') });
  } else if (state === 'paused') {
    items.push({ label: '$(debug-continue) Resume Recording', run: () => controller.resume() });
  } else {
    items.push({ label: '$(record) Start Recording in This Workspace…', run: () => Promise.resolve(controller.startFlow()) });
  }
  if (state === 'recording' || state === 'paused') {
    items.push({ label: '$(debug-stop) Stop Recording…', description: 'withdraw consent', run: () => controller.stopFlow() });
  }
  items.push(
    { label: '$(eye) Open Preview of What Would Be Shared…', run: () => vscode.commands.executeCommand('candor.previewBundle') },
    { label: '$(inbox) Open Outbox…', run: () => vscode.commands.executeCommand('candor.openOutbox') },
    { label: '$(folder-opened) Reveal Local Data Folder', run: () => vscode.commands.executeCommand('candor.revealLocalData') },
    { label: '$(output) Show Log', run: () => vscode.commands.executeCommand('candor.showLog') },
    { label: '$(trash) Delete Local Data…', run: () => controller.deleteFlow() },
  );
  const pick = await vscode.window.showQuickPick(items, { title: 'Candor', placeHolder: `Recording is ${state} in this workspace` });
  await pick?.run();
}
