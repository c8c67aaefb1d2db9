import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { findFrameWith } from '../harness/browser';
import type { E2eTest } from '../harness/e2e';
import { waitFor } from '../harness/processes';
import type { Keystrokes } from '../harness/workbench';
import { quickOpen, runCommand, save, statusBarEntry, typeScript } from '../harness/workbench';

/** The file the test types into (workspace-relative, non-ASCII on purpose). */
const FILE = 'src/héllo.ts';
const CATEGORIES = ['edits', 'files', 'navigation'] as const;

/** Typed as plain text: if any of them ever became markup in the preview, `window.__xss` would be set. */
const PAYLOADS = [
  '<img src=x onerror="window.__xss=1">',
  '</script><script>window.__xss=2</script>',
  '<a href="javascript:window.__xss=3">x</a>',
  '"><svg onload="window.__xss=4">',
] as const;

const SCRIPT: readonly Keystrokes[] = [{ press: 'Control+End' }, { press: 'Enter' }, ...PAYLOADS.map((p) => ({ type: `// ${p}\n` }))];

/** Elements that would mean the payload was parsed as HTML. */
const HOSTILE_SELECTORS = ['img[src="x"]', 'svg[onload]', 'a[href^="javascript:"]'] as const;

async function delay(ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
}

async function text(frame: Frame, selector: string): Promise<string> {
  return (await frame.locator(selector).textContent({ timeout: 10_000 })) ?? '';
}

/** The value of the Type filter option whose label starts with `type ` (e.g. "edit (12)"). */
async function typeOption(frame: Frame, type: string): Promise<string | undefined> {
  const options = frame.locator('#f-type option');
  const n = await options.count();
  for (let k = 0; k < n; k++) {
    const label = (await options.nth(k).textContent()) ?? '';
    if (label.startsWith(`${type} (`)) {
      return (await options.nth(k).getAttribute('value')) ?? undefined;
    }
  }
  return undefined;
}

/** Every frame of the page: `window.__xss` unset, and none of the hostile elements present. */
async function assertNoScriptRan(page: Page): Promise<number> {
  let checked = 0;
  for (const frame of page.frames()) {
    if (frame.isDetached()) {
      continue;
    }
    const xss = await frame.evaluate('typeof window.__xss === "undefined" ? "unset" : String(window.__xss)');
    assert.equal(xss, 'unset', `window.__xss was set to ${String(xss)} in frame ${frame.url()}`);
    for (const selector of HOSTILE_SELECTORS) {
      assert.equal(await frame.locator(selector).count(), 0, `${selector} exists in frame ${frame.url()}`);
    }
    assert.equal(await frame.locator('script', { hasText: '__xss' }).count(), 0, `a script element with a payload exists in frame ${frame.url()}`);
    checked++;
  }
  return checked;
}

export const previewE2e: E2eTest = {
  name: 'preview',
  workspace: 'basic ws',
  // The payloads must arrive on disk exactly as typed: no auto-closed quotes or brackets.
  settings: {
    'editor.autoClosingBrackets': 'never',
    'editor.autoClosingQuotes': 'never',
    'editor.autoClosingOvertype': 'never',
    'editor.autoSurround': 'never',
    'editor.quickSuggestions': { other: 'off', comments: 'off', strings: 'off' },
    'editor.suggestOnTriggerCharacters': false,
    'editor.acceptSuggestionOnEnter': 'off',
  },
  async run({ page, workspace, artifactsDir, log }) {
    await runCommand(page, 'Candor: Start Recording in This Workspace');
    const consent = await findFrameWith(page, 'button#accept', 30_000);
    for (const category of CATEGORIES) {
      await consent.locator(`input[type="checkbox"][data-category="${category}"]`).check({ timeout: 10_000 });
    }
    await consent.locator('button#accept').click({ timeout: 10_000 });
    await statusBarEntry(page, 'Candor', 'REC').waitFor({ state: 'visible', timeout: 20_000 });
    log(`recording (${CATEGORIES.join(', ')})`);

    await quickOpen(page, FILE);
    await typeScript(page, SCRIPT, 10);
    await save(page);
    const onDiskPath = path.join(workspace.root, ...FILE.split('/'));
    try {
      await waitFor('the saved file to hold the payloads', () => (PAYLOADS.every((p) => fs.readFileSync(onDiskPath, 'utf8').includes(p)) ? true : undefined), 10_000, 250);
    } catch {
      const onDisk = fs.readFileSync(onDiskPath, 'utf8');
      for (const p of PAYLOADS) {
        assert.ok(onDisk.includes(p), `the saved file holds the payload as typed: ${p}\n${onDisk}`);
      }
    }
    log('typed and saved the XSS payloads');
    // Let the recorder flush before the bundle is built.
    await delay(2_000);

    await runCommand(page, 'Candor: Preview What Would Be Shared', 60_000, 'Everything not yet approved');
    const everything = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Everything not yet approved' });
    await everything.waitFor({ state: 'visible', timeout: 20_000 });
    await everything.click();
    const frame = await findFrameWith(page, '#timeline', 120_000);
    await frame.locator('body[data-rows-loaded]').waitFor({ state: 'attached', timeout: 120_000 });
    const sha = await text(frame, '#sha256');
    assert.match(sha, /^[0-9a-f]{64}$/, 'the header shows the bundle SHA-256');
    log(`preview open, bundle ${sha}`);
    await page.keyboard.press('Control+B'); // hide the side bar: more room for the panel
    await delay(800);
    await page.screenshot({ path: path.join(artifactsDir, 'preview-summary.png') });
    log('summary screenshot: test-artifacts/e2e/preview-summary.png');

    // Timeline: a type filter changes the count.
    await frame.locator('#tab-timeline').click();
    const count = frame.locator('#timeline-count');
    await waitFor('the timeline count', async () => ((await count.textContent()) ?? '').match(/^\d[\d,]* events$/) !== null || undefined, 10_000, 200);
    const allText = (await count.textContent()) ?? '';
    const editValue = await typeOption(frame, 'edit');
    assert.ok(editValue !== undefined, 'the Type filter offers edit');
    await frame.locator('#f-type').selectOption(editValue);
    await waitFor('the count to change with the filter', async () => ((await count.textContent()) ?? '').startsWith('Showing') || undefined, 10_000, 200);
    const editText = (await count.textContent()) ?? '';
    assert.notEqual(editText, allText);
    log(`type filter: "${allText}" → "${editText}"`);

    // Open an event: its body arrives from the host and is shown as text. (Typing records one
    // edit per key, so no single event holds a whole payload: the Files diff below shows them.)
    await frame.locator('#timeline-canvas .row').last().click({ timeout: 10_000 });
    const body = await waitFor('the event body', async () => (await frame.locator('#detail-body').textContent()) || undefined, 10_000, 200);
    log(`event ${await text(frame, '#detail-title')}: ${body.slice(0, 160)}`);

    // Drop an event that the replay does not depend on (a selection if there is one), check the hash.
    await frame.locator('#f-clear').click();
    const selValue = await typeOption(frame, 'sel');
    await frame.locator('#f-type').selectOption(selValue ?? editValue);
    await delay(300);
    await frame.locator('#timeline-canvas .row').last().click({ timeout: 10_000 });
    const dropEvent = frame.locator('#drop-event');
    await waitFor('Drop This Event to be enabled', async () => (await dropEvent.isEnabled()) || undefined, 10_000, 200);
    const dropped = await waitFor('the event to open', async () => ((await text(frame, '#detail-title')).startsWith('#') ? text(frame, '#detail-title') : undefined), 10_000, 200);
    const eventsBefore = await text(frame, '#event-count');
    await dropEvent.click();
    const newSha = await waitFor(
      'the SHA-256 to change after the drop',
      async () => {
        const now = await text(frame, '#sha256');
        return /^[0-9a-f]{64}$/.test(now) && now !== sha ? now : undefined;
      },
      60_000,
      250,
    );
    assert.notEqual(await text(frame, '#event-count'), eventsBefore, 'the event count changed after the drop');
    log(`dropped ${dropped}: SHA-256 ${sha.slice(0, 12)}… → ${newSha.slice(0, 12)}…`);
    await frame.locator('body[data-rows-loaded]').waitFor({ state: 'attached', timeout: 60_000 });

    // Files: the diff of the typed file shows the payload as text.
    await frame.locator('#tab-files').click();
    await frame.locator('#r-file').selectOption(FILE);
    await frame.locator('#r-mode-diff').check();
    await frame.locator('#r-base').fill('1');
    await frame.locator('#r-base').dispatchEvent('change');
    const shown = await waitFor(
      'the diff to show the payload',
      async () => {
        const t = (await frame.locator('#r-text').textContent()) ?? '';
        return t.includes('onerror=') ? t : undefined;
      },
      30_000,
      250,
    );
    for (const p of PAYLOADS) {
      assert.ok(shown.includes(p), `the payload is shown as text: ${p}`);
    }
    await delay(500);
    await page.screenshot({ path: path.join(artifactsDir, 'preview-diff.png') });
    log('diff screenshot: test-artifacts/e2e/preview-diff.png');

    const frames = await assertNoScriptRan(page);
    log(`no payload ran: window.__xss unset and no hostile elements in ${frames} frames`);
  },
};
