import * as assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { CandorEvent, LoggedEvent } from '../../src/model/events';
import { readLog } from '../../src/store/reader';
import type { CandorApi, CandorTestHooks } from '../../src/recording/testHooks';

export const EXTENSION_ID = 'candor.candor';

/** Activates Candor and returns its test hooks (the harness sets CANDOR_TEST_HOOKS=1). */
export async function candor(): Promise<CandorTestHooks> {
  const ext = vscode.extensions.getExtension<CandorApi>(EXTENSION_ID);
  assert.ok(ext, 'Candor is installed');
  const api = ext.isActive ? ext.exports : await ext.activate();
  assert.ok(api.testing, 'test hooks are enabled in the integration harness');
  return api.testing;
}

/** Waits for a condition by polling (VS Code offers no event for most of what tests wait on). */
export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function readEvents(dir: string): Promise<LoggedEvent[]> {
  const out: LoggedEvent[] = [];
  for await (const { seq, record } of readLog<CandorEvent>(dir)) {
    out.push({ seq, event: record });
  }
  return out;
}

/** Every byte Candor wrote in the log folder, as text (for "this string must not be there"). */
export async function rawLogText(dir: string): Promise<string> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return '';
  }
  const parts = await Promise.all(names.map((n) => readFile(`${dir}/${n}`, 'utf8').catch(() => '')));
  return parts.join('\n');
}

export function workspaceUri(...segments: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'a workspace folder is open');
  return vscode.Uri.joinPath(folder.uri, ...segments);
}

export async function openEditor(uri: vscode.Uri): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(doc);
}

export async function writeFileText(uri: vscode.Uri, text: string): Promise<void> {
  await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
}
