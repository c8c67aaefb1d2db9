import * as vscode from 'vscode';
import { createCandor } from './composition';
import { startPerfProbe } from './recording/perfProbe';
import type { CandorApi } from './recording/testHooks';

/**
 * Work VS Code must await on shutdown (flush + fsync of the log). Subscriptions are disposed
 * synchronously and cannot be awaited; `deactivate` can. The only module-level state.
 */
const onDeactivate: (() => Promise<void>)[] = [];

export async function activate(context: vscode.ExtensionContext): Promise<CandorApi> {
  const started = performance.now();
  try {
    // Measurement only when CANDOR_PERF_OUT is set (the end-to-end benchmark); otherwise undefined.
    const probe = startPerfProbe();
    const { api, shutdown } = await createCandor(context, probe);
    onDeactivate.push(shutdown);
    if (probe) {
      probe.activated(performance.now() - started);
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
