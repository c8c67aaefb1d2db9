import * as path from 'node:path';
import * as vscode from 'vscode';
import { Config } from './recording/config';
import { registerCommands } from './recording/commands';
import type { Logger } from './model/logger';
import { describeError } from './model/logger';
import type { SeqRange } from './bundle/seqRanges';
import type { PerfProbe } from './recording/perfProbe';
import { RecordingController } from './recording/recordingController';
import { localData, openEventLog } from './recording/storeAdapter';
import { createTestHooks, testHooksEnabled, type CandorApi } from './recording/testHooks';
import { CandorView } from './ui/candorView';
import { ConsentPanel } from './ui/consentPanel';
import { ApprovalLedger } from './preview/approvals';
import { LogIndex } from './preview/logSessions';
import { OtherLogs } from './preview/otherLogs';
import { Outbox } from './upload/outbox';
import { PREVIEW_VIEW_TYPE } from './ui/preview/previewPanel';
import { PreviewService } from './ui/preview/previewService';
import { PreviewStore } from './preview/previewStore';
import { NativePrompter, ScriptedPrompter, type Prompter } from './ui/prompter';
import { StatusBar } from './ui/statusBar';

/**
 * The composition root: builds Candor's object graph once, passes dependencies through
 * constructors, and hands every Disposable to the extension context.
 */
export async function createCandor(
  context: vscode.ExtensionContext,
  probe?: PerfProbe,
): Promise<{ api: CandorApi; shutdown: () => Promise<void> }> {
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
  const declared = (context.extension.packageJSON as { version?: unknown }).version;
  const extensionVersion = typeof declared === 'string' ? declared : '0.0.0';

  const config = new Config();
  const storageDir = context.storageUri?.fsPath;
  // Without a folder there is no workspace storage and no log: nothing is ever written there then,
  // but the objects still need a place (global storage), so they are built the same way.
  const base = storageDir ?? path.join(context.globalStorageUri.fsPath, 'no-workspace');
  // Which log events were approved, beside the log. Deleting the log restarts its seqs, so the
  // record of approvals goes first (and the unapproved preview copy with it); the outbox stays.
  const approvals = new ApprovalLedger(path.join(base, 'approvals.json'));
  const previewStore = new PreviewStore(path.join(base, 'preview'));
  const controller = new RecordingController({
    extensionUri: context.extensionUri,
    extensionVersion,
    storageDir,
    globalStorageDir: context.globalStorageUri.fsPath,
    workspaceState: context.workspaceState,
    globalState: context.globalState,
    config,
    logger,
    prompter,
    openLog: (dir, options) => openEventLog(dir, logger, options),
    localData: {
      ...localData,
      // This window's log, or another window's of the same workspace (each keeps its approvals
      // and preview beside its log): the record of approvals goes first, as seqs restart.
      deleteLog: async (dir) => {
        const own = storageDir !== undefined && dir === path.join(storageDir, 'log');
        await (own ? approvals : new ApprovalLedger(path.join(path.dirname(dir), 'approvals.json'))).clear();
        await (own ? previewStore : new PreviewStore(path.join(path.dirname(dir), 'preview'))).clear();
        await localData.deleteLog(dir);
      },
    },
    measure: probe ? (ms: number, handler?: string) => probe.measure(ms, handler) : undefined,
  });
  const statusBar = new StatusBar(controller);
  const outboxDir = path.join(base, 'outbox');
  const outbox = new Outbox(outboxDir);
  const index = new LogIndex(() => controller.logDir);
  // Every other window of this workspace writes its own log: the preview and the view offer them too.
  const others = new OtherLogs(() => controller.otherLogDirs(), (m) => logger.warn(m));
  const approved = (): Promise<SeqRange[]> => approvals.approved((m) => logger.warn(m));
  const candorView = new CandorView(
    {
      get state() {
        return controller.state;
      },
      onDidChange: controller.onDidChange,
      sessions: async () => [...(await index.read()).sessions].reverse(),
      approved,
      otherLogs: () => others.list(),
      outbox: () => outbox.list(),
    },
    logger,
  );
  const previews = new PreviewService({
    extensionUri: context.extensionUri,
    extensionVersion,
    source: controller,
    logger,
    prompter,
    outbox,
    store: previewStore,
    approvals,
    index,
    others,
    exclusions: () => config.excludes,
    onDidChangeOutbox: () => candorView.refresh(),
  });

  context.subscriptions.push(
    controller,
    statusBar,
    previews,
    candorView,
    controller.onDidChange((change) => {
      if (change === 'deleted') {
        void previews.onLocalDataDeleted().catch((err: unknown) => logger.error(`Preview: ${describeError(err)}`));
      }
    }),
    ...registerCommands(controller, () => channel.show(), {
      preview: (arg) => previews.preview(arg),
      openApproved: (sha256) => previews.openApproved(sha256),
      outbox: () => outbox.list(),
      outboxDir,
      refreshView: () => candorView.refresh(),
    }),
    vscode.window.registerWebviewPanelSerializer(ConsentPanel.viewType, {
      deserializeWebviewPanel: (panel) => Promise.resolve(controller.reviveConsentPanel(panel)),
    }),
    vscode.window.registerWebviewPanelSerializer(PREVIEW_VIEW_TYPE, {
      deserializeWebviewPanel: (panel, state: unknown) => previews.revive(panel, state),
    }),
  );

  await controller.restore();
  return {
    api: scripted ? { testing: createTestHooks(controller, scripted, previews, outboxDir, candorView) } : {},
    shutdown: () => controller.shutdown(),
  };
}
