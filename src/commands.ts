import * as vscode from 'vscode';
import type { RecordingController } from './recordingController';

interface MenuItem extends vscode.QuickPickItem {
  readonly run: () => Promise<void> | Thenable<unknown>;
}

/**
 * Registers Candor's commands. Each one is recorded as a `cmd` event while recording: Candor's
 * own commands are the only ones VS Code lets an extension observe.
 */
export function registerCommands(controller: RecordingController, revealLog: () => void): vscode.Disposable[] {
  const register = (id: string, run: () => Promise<void> | void): vscode.Disposable =>
    vscode.commands.registerCommand(id, async () => {
      controller.recordCommand(id);
      await run();
    });

  return [
    register('candor.startRecording', () => controller.startFlow()),
    register('candor.stopRecording', () => controller.stopFlow()),
    register('candor.pauseRecording', () => controller.pause('user')),
    register('candor.resumeRecording', () => controller.resume()),
    register('candor.deleteLocalData', () => controller.deleteFlow()),
    register('candor.showLog', revealLog),
    register('candor.revealLocalData', async () => {
      const dir = controller.logDir;
      if (dir) {
        await vscode.workspace.fs.createDirectory(vscode.Uri.file(dir));
        await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(dir));
      }
    }),
    register('candor.showStatus', () => showMenu(controller)),
  ];
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
    { label: '$(folder-opened) Reveal Local Data Folder', run: () => vscode.commands.executeCommand('candor.revealLocalData') },
    { label: '$(output) Show Log', run: () => vscode.commands.executeCommand('candor.showLog') },
    { label: '$(trash) Delete Local Data…', run: () => controller.deleteFlow() },
  );
  const pick = await vscode.window.showQuickPick(items, { title: 'Candor', placeHolder: `Recording is ${state} in this workspace` });
  await pick?.run();
}
