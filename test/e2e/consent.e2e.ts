import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { findFrameWith } from '../harness/browser';
import type { E2eTest } from '../harness/e2e';
import { waitFor } from '../harness/processes';
import { runCommand, statusBarEntry } from '../harness/workbench';

/**
 * The consent screen as a person meets it, in Chromium against code-server with the packaged
 * .vsix: nothing ticked (not even what the team suggests), Start disabled and explained, Start in
 * view without scrolling at small windows (sticky footer), one line saying what happens next, and
 * keyboard use. Screenshots go to test-artifacts/e2e/consent-*.png.
 */

/** The team policy the user setting points at: `tools` is both suggested and forbidden. */
const POLICY = {
  version: 'e2e-team-1',
  categories: ['edits', 'navigation', 'files', 'terminalCommands', 'terminalOutput'],
  suggestedCategories: ['edits', 'files', 'tools'],
};
/** Written in `run`, read by Candor when the consent screen opens (user settings name it). */
const POLICY_FILE = path.join(os.tmpdir(), `candor-e2e-consent-policy-${process.pid}.json`);
const NEXT_LINE = 'Recording starts in this workspace only; nothing leaves your machine until you approve a preview.';

interface Placement {
  readonly top: number;
  readonly bottom: number;
  readonly left: number;
  readonly right: number;
  readonly innerWidth: number;
  readonly innerHeight: number;
  readonly scrollHeight: number;
}

/**
 * Start's box in the webview's own viewport, and how tall the page is. (A string: this project's
 * Node-side tests compile without the DOM library.)
 */
async function placement(frame: Frame): Promise<Placement> {
  return frame.evaluate<Placement>(`(() => {
    const r = document.getElementById('accept').getBoundingClientRect();
    return {
      top: r.top,
      bottom: r.bottom,
      left: r.left,
      right: r.right,
      innerWidth: window.innerWidth,
      innerHeight: window.innerHeight,
      scrollHeight: document.documentElement.scrollHeight,
    };
  })()`);
}

async function activeId(frame: Frame): Promise<string> {
  return frame.evaluate<string>('document.activeElement ? document.activeElement.id : ""');
}

async function scrollTo(frame: Frame, where: 'top' | 'bottom'): Promise<void> {
  await frame.evaluate(where === 'top' ? 'window.scrollTo(0, 0)' : 'window.scrollTo(0, document.documentElement.scrollHeight)');
}

/** Start is wholly inside the webview's viewport and inside the browser window. */
async function assertStartInView(page: Page, frame: Frame, what: string): Promise<Placement> {
  const p = await placement(frame);
  assert.ok(p.top >= 0 && p.left >= 0 && p.bottom <= p.innerHeight && p.right <= p.innerWidth, `${what}: Start inside the webview's viewport ${JSON.stringify(p)}`);
  const box = await frame.locator('#accept').boundingBox();
  const size = page.viewportSize();
  assert.ok(box && size, `${what}: Start has a box in the window`);
  assert.ok(box.y >= 0 && box.x >= 0 && box.y + box.height <= size.height && box.x + box.width <= size.width, `${what}: Start inside the ${size.width}×${size.height} window ${JSON.stringify(box)}`);
  return p;
}

async function isChecked(frame: Frame, category: string): Promise<boolean> {
  return frame.locator(`input[data-category="${category}"]`).isChecked();
}

export const consentE2e: E2eTest = {
  name: 'consent',
  workspace: 'basic ws',
  settings: { 'candor.teamPolicyFile': POLICY_FILE },
  async run({ page, artifactsDir, log }) {
    fs.writeFileSync(POLICY_FILE, JSON.stringify(POLICY));
    try {
      await page.setViewportSize({ width: 800, height: 600 });
      await runCommand(page, 'Candor: Start Recording in This Workspace');
      const frame = await findFrameWith(page, 'input[data-category]', 30_000);
      const boxes = frame.locator('input[type="checkbox"][data-category]');
      await waitFor('every category row', async () => ((await boxes.count()) === 7 ? true : undefined), 10_000, 100);
      const accept = frame.locator('button#accept');

      // Nothing ticked, suggested or not; Start disabled, and the reason is its description.
      assert.equal(await frame.locator('input[type="checkbox"]:checked').count(), 0, 'no box is ticked when the screen opens');
      assert.equal(await accept.isDisabled(), true, 'Start is disabled with nothing ticked');
      const describedBy = (await accept.getAttribute('aria-describedby')) ?? '';
      assert.ok(describedBy.split(' ').includes('accept-hint'), `Start is described by its hint (aria-describedby="${describedBy}")`);
      const hint = frame.locator('#accept-hint');
      assert.equal(await hint.textContent(), 'Tick at least one category to start recording.');
      assert.equal(await hint.isVisible(), true, 'the hint is visible, not only announced');
      assert.equal((await frame.locator('#next').textContent())?.trim(), NEXT_LINE, 'the screen says what happens next');
      assert.equal(await frame.locator('#next').isVisible(), true);

      // The team's suggestions: marked, unticked; suggested and forbidden is forbidden.
      const suggestedBoxes = frame.locator('li.category.suggested input');
      const suggested: (string | null)[] = [];
      for (let k = 0; k < (await suggestedBoxes.count()); k++) {
        suggested.push(await suggestedBoxes.nth(k).getAttribute('data-category'));
      }
      assert.deepEqual(suggested, ['edits', 'files']);
      assert.equal(await frame.locator('li.category.suggested .badge').first().textContent(), 'suggested by your team');
      assert.equal(await frame.locator('input[data-category="tools"]').isDisabled(), true, 'tools: forbidden though suggested');
      assert.match((await frame.locator('li.category:has(input[data-category="tools"]) .badge').textContent()) ?? '', /forbidden by team policy e2e-team-1/);

      // Start in view without scrolling at 800×600, on a page that does scroll (the sticky footer at work).
      const small = await assertStartInView(page, frame, '800×600, at the top');
      assert.ok(small.scrollHeight > small.innerHeight, `the page is taller than the panel (${small.scrollHeight} > ${small.innerHeight}): without the sticky footer Start would be below the fold`);
      log(`800×600: webview ${small.innerWidth}×${small.innerHeight}, page ${small.scrollHeight} px tall, Start at y ${Math.round(small.top)}–${Math.round(small.bottom)}`);
      await page.screenshot({ path: path.join(artifactsDir, 'consent-800x600.png') });

      // Keyboard: Space on a focused box ticks it; Start is enabled and the hint changes.
      await frame.locator('input[data-category="edits"]').focus();
      await page.keyboard.press('Space');
      assert.equal(await isChecked(frame, 'edits'), true, 'Space ticks the focused box');
      await waitFor('Start to be enabled', async () => ((await accept.isEnabled()) ? true : undefined), 5_000, 50);
      assert.equal(await hint.textContent(), '1 of 5 categories ticked.');
      // Tab reaches Start once it is enabled (order: the rows, then the footer's buttons).
      const tabs = await waitFor(
        'Tab to reach Start',
        async () => {
          await page.keyboard.press('Tab');
          return (await activeId(frame)) === 'accept' ? true : undefined;
        },
        10_000,
        0,
      );
      assert.equal(tabs, true);
      await page.screenshot({ path: path.join(artifactsDir, 'consent-800x600-ticked.png') });

      // A prerequisite: terminal output alone keeps Start disabled, and the hint says why.
      await frame.locator('input[data-category="edits"]').focus();
      await page.keyboard.press('Space');
      await frame.locator('label[for="cat-terminalOutput"]').click();
      assert.equal(await accept.isDisabled(), true, 'terminal output without terminal commands cannot start');
      assert.match((await hint.textContent()) ?? '', /Terminal output is recorded only with Terminal commands/);
      await frame.locator('label[for="cat-terminalOutput"]').click();
      assert.equal(await accept.isDisabled(), true, 'nothing ticked again');

      // Scrolled to the very bottom, and at 1280×720: Start still in view.
      await scrollTo(frame, 'bottom');
      await assertStartInView(page, frame, '800×600, scrolled to the bottom');
      await scrollTo(frame, 'top');
      await page.setViewportSize({ width: 1280, height: 720 });
      await waitFor('the webview to be laid out at 1280×720', async () => ((await placement(frame)).innerWidth > small.innerWidth ? true : undefined), 10_000, 100);
      const wide = await assertStartInView(page, frame, '1280×720');
      log(`1280×720: webview ${wide.innerWidth}×${wide.innerHeight}, page ${wide.scrollHeight} px tall, Start at y ${Math.round(wide.top)}–${Math.round(wide.bottom)}`);
      await page.screenshot({ path: path.join(artifactsDir, 'consent-1280x720.png') });

      // Grant with a mouse click on a label, then Start: recording begins.
      await frame.locator('label[for="cat-files"]').click();
      assert.equal(await isChecked(frame, 'files'), true);
      await accept.click({ timeout: 10_000 });
      await statusBarEntry(page, 'Candor', 'REC').waitFor({ state: 'visible', timeout: 20_000 });
      log('ticked Files, pressed Start: ● REC');
    } finally {
      fs.rmSync(POLICY_FILE, { force: true });
    }
  },
};
