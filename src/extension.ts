import * as vscode from 'vscode';
import { createCandor } from './composition';
import { startPerfProbe } from './perfProbe';
import type { CandorApi } from './testHooks';

/**
 * Work VS Code must await on shutdown (flush + fsync of the log). Subscriptions are disposed
 * synchronously and cannot be awaited; `deactivate` can. The only module-level state.
 */
const onDeactivate: (() => Promise<void>)[] = [];

export async function activate(context: vscode.ExtensionContext): Promise<CandorApi> {
  const started = performance.now();
  try {
    const { api, shutdown } = await createCandor(context);
    onDeactivate.push(shutdown);
    const probe = startPerfProbe(performance.now() - started);
    if (probe) {
      context.subscriptions.push(probe);
    }
    return api;
  } catch (err) {
    void vscode.window.showErrorMessage(`Candor failed to start: ${err instanceof Error ? err.message : String(err)}`);
    throw err;
  }
}

export async function deactivate(): Promise<void> {
  await Promise.all(onDeactivate.splice(0).map((fn) => fn()));
}
