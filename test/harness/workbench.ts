import type { Locator, Page } from 'playwright-core';
import { waitFor } from './processes';

/**
 * Drives the VS Code workbench the way a person does: keyboard shortcuts, the command palette,
 * quick open. Selectors are VS Code's own DOM (stable across recent releases) and every wait is
 * bounded.
 */

/** Waits until the workbench is laid out and the status bar is showing. */
export async function waitForWorkbench(page: Page, timeoutMs = 90_000): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: timeoutMs });
  await statusBar(page).waitFor({ state: 'visible', timeout: timeoutMs });
  // The explorer lists the workspace once the remote file system answered.
  await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ state: 'visible', timeout: timeoutMs });
}

export function statusBar(page: Page): Locator {
  return page.locator('[id="workbench.parts.statusbar"]');
}

function quickInput(page: Page): Locator {
  return page.locator('.quick-input-widget');
}

/**
 * F1, type the command's full title, Enter — once the title is the focused entry. Commands appear
 * only after their extension is registered, so if the palette has no match yet, close it and
 * try again until `timeoutMs`.
 */
export async function runCommand(page: Page, title: string, timeoutMs = 60_000, opensPickWith?: string): Promise<void> {
  await waitFor(
    `command palette entry "${title}"`,
    async () => {
      await page.keyboard.press('F1');
      const input = quickInput(page).locator('input');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await page.keyboard.type(title, { delay: 10 });
      const row = quickInput(page).locator('.monaco-list-row.focused', { hasText: title });
      try {
        await row.waitFor({ state: 'visible', timeout: 5_000 });
      } catch {
        await page.keyboard.press('Escape');
        return undefined;
      }
      await page.keyboard.press('Enter');
      if (opensPickWith !== undefined) {
        // The command answers with a QuickPick of its own: the widget stays open with new items.
        await quickInput(page).locator('.monaco-list-row', { hasText: opensPickWith }).waitFor({ state: 'visible', timeout: 20_000 });
      } else {
        await quickInput(page).waitFor({ state: 'hidden', timeout: 10_000 });
      }
      return true;
    },
    timeoutMs,
    500,
  );
}

/** Ctrl+P, type a workspace-relative path, Enter on the match; resolves when its tab is active. */
export async function quickOpen(page: Page, relativePath: string, timeoutMs = 30_000): Promise<void> {
  const name = relativePath.split('/').pop() ?? relativePath;
  await waitFor(
    `quick open of ${relativePath}`,
    async () => {
      await page.keyboard.press('Control+P');
      await quickInput(page).locator('input').waitFor({ state: 'visible', timeout: 10_000 });
      await page.keyboard.type(relativePath, { delay: 10 });
      const row = quickInput(page).locator('.monaco-list-row.focused', { hasText: name });
      try {
        await row.waitFor({ state: 'visible', timeout: 8_000 });
      } catch {
        await page.keyboard.press('Escape');
        return undefined;
      }
      await page.keyboard.press('Enter');
      return true;
    },
    timeoutMs,
    500,
  );
  await activeTab(page, name).waitFor({ state: 'visible', timeout: timeoutMs });
  await page.locator('.editor-instance .monaco-editor.focused').waitFor({ state: 'visible', timeout: timeoutMs });
}

/** The active editor tab, if it shows `name`. */
export function activeTab(page: Page, name: string): Locator {
  return page.locator('.tabs-container .tab.active', { hasText: name });
}

/** Ctrl+S and wait until the active tab is no longer dirty. */
export async function save(page: Page, timeoutMs = 15_000): Promise<void> {
  await page.keyboard.press('Control+S');
  await page.locator('.tabs-container .tab.active.dirty').waitFor({ state: 'detached', timeout: timeoutMs });
}

/** A status-bar entry whose accessible label contains `label` and whose text contains `text`. */
export function statusBarEntry(page: Page, label: string, text: string): Locator {
  return statusBar(page).locator(`[aria-label*="${label}"]`, { hasText: text }).first();
}

/** One step of a typing script: text to type, or a key to press `times` times. */
export type Keystrokes = { readonly type: string } | { readonly press: string; readonly times?: number };

/**
 * Types a script with `page.keyboard`; returns the number of keys sent. `afterStep`, if given, is
 * called after each step with its index and its number of keys (e.g. to sample CPU time per step).
 */
export async function typeScript(page: Page, steps: readonly Keystrokes[], delayMs: number, afterStep?: (index: number, keys: number) => void): Promise<number> {
  let keys = 0;
  for (const [index, step] of steps.entries()) {
    let stepKeys = 0;
    if ('type' in step) {
      await page.keyboard.type(step.type, { delay: delayMs });
      stepKeys = [...step.type].length;
    } else {
      for (let i = 0; i < (step.times ?? 1); i++) {
        await page.keyboard.press(step.press, { delay: delayMs });
        stepKeys++;
      }
    }
    keys += stepKeys;
    afterStep?.(index, stepKeys);
  }
  return keys;
}
