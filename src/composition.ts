import * as vscode from 'vscode';
import { Config } from './config';
import { registerCommands } from './commands';
import type { Logger } from './model/logger';
import { describeError } from './model/logger';
import { RecordingController } from './recordingController';
import { localData, openEventLog } from './storeAdapter';
import { createTestHooks, testHooksEnabled, type CandorApi } from './testHooks';
import { ConsentPanel } from './ui/consentPanel';
import { NativePrompter, ScriptedPrompter, type Prompter } from './ui/prompter';
import { StatusBar } from './ui/statusBar';

/**
 * The composition root: builds Candor's object graph once, passes dependencies through
 * constructors, and hands every Disposable to the extension context.
 */
export async function createCandor(context: vscode.ExtensionContext): Promise<{ api: CandorApi; shutdown: () => Promise<void> }> {
  const channel = vscode.window.createOutputChannel('Candor', { log: true });
  context.subscriptions.push(channel);
  const logger: Logger = {
    info: (m) => channel.info(m),
    warn: (m) => channel.warn(m),
    error: (m) => channel.error(typeof m === 'string' ? m : describeError(m)),
  };

  const native = new NativePrompter();
  const scripted = testHooksEnabled() ? new ScriptedPrompter(native) : undefined;
  const prompter: Prompter = scripted ?? native;
  const statusBar = new StatusBar();
  const declared = (context.extension.packageJSON as { version?: unknown }).version;
  const extensionVersion = typeof declared === 'string' ? declared : '0.0.0';

  const controller = new RecordingController({
    extensionUri: context.extensionUri,
    extensionVersion,
    storageDir: context.storageUri?.fsPath,
    workspaceState: context.workspaceState,
    globalState: context.globalState,
    config: new Config(),
    logger,
    prompter,
    statusBar,
    openLog: (dir) => openEventLog(dir, logger),
    localData,
  });
  context.subscriptions.push(
    statusBar,
    controller,
    ...registerCommands(controller, () => channel.show()),
    vscode.window.registerWebviewPanelSerializer(ConsentPanel.viewType, {
      deserializeWebviewPanel: (panel) => Promise.resolve(controller.reviveConsentPanel(panel)),
    }),
  );

  await controller.restore();
  return {
    api: scripted ? { testing: createTestHooks(controller, scripted) } : {},
    shutdown: () => controller.shutdown(),
  };
}
