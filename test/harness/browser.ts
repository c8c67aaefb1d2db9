import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BrowserContext, Frame, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { waitFor } from './processes';

/** Flags from shared/vscode-testing.md: headless, no sandbox (root), nothing phoning home. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export interface BrowserOptions {
  readonly executablePath: string;
  readonly userDataDir: string;
  /** HOME for Chromium (it writes ~/.pki and crash data there). */
  readonly home: string;
  /** Default true; CANDOR_HEADFUL=1 turns it off for local debugging. */
  readonly headless?: boolean;
  readonly viewport?: { width: number; height: number };
}

/** Debian's Chromium driven by playwright-core (never a downloaded browser). */
export async function launchBrowser(options: BrowserOptions): Promise<BrowserContext> {
  fs.mkdirSync(options.userDataDir, { recursive: true });
  fs.mkdirSync(options.home, { recursive: true });
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined) {
      env[key] = value;
    }
  }
  env.HOME = options.home;
  return chromium.launchPersistentContext(options.userDataDir, {
    executablePath: options.executablePath,
    headless: options.headless ?? process.env.CANDOR_HEADFUL !== '1',
    args: [...CHROMIUM_ARGS],
    env,
    viewport: options.viewport ?? { width: 1400, height: 900 },
    // code-server gzips its 19 MB workbench.js on every request; on loopback that only costs CPU
    // the extension host needs during start-up.
    extraHTTPHeaders: { 'Accept-Encoding': 'identity' },
    timeout: 60_000,
  });
}

/** The context's first page (a persistent context opens one) or a new one. */
export async function firstPage(context: BrowserContext): Promise<Page> {
  return context.pages()[0] ?? (await context.newPage());
}

/**
 * The frame whose document matches `selector`. Webviews are nested iframes
 * (`iframe.webview` → `iframe#active-frame`) and several can exist, so rather than guess the
 * nesting, look through every frame until one has the element.
 */
export async function findFrameWith(page: Page, selector: string, timeoutMs: number): Promise<Frame> {
  return waitFor(
    `a frame containing ${selector}`,
    async () => {
      for (const frame of page.frames()) {
        if (frame.isDetached()) {
          continue;
        }
        const count = await frame.locator(selector).count().catch(() => 0);
        if (count > 0) {
          return frame;
        }
      }
      return undefined;
    },
    timeoutMs,
    200,
  );
}

/** A full-page screenshot into `dir/name.png`; never throws (used on failure paths). */
export async function screenshot(page: Page | undefined, dir: string, name: string): Promise<string | undefined> {
  if (page === undefined || page.isClosed()) {
    return undefined;
  }
  const file = path.join(dir, `${name}.png`);
  try {
    fs.mkdirSync(dir, { recursive: true });
    await page.screenshot({ path: file, timeout: 10_000 });
    return file;
  } catch {
    return undefined;
  }
}

/**
 * Debian's Chromium if it is installed (CANDOR_CHROMIUM, else /usr/bin/chromium), without
 * installing anything: for callers that skip rather than run scripts/tools.sh (the bench).
 */
export function findChromium(): string | undefined {
  for (const candidate of [process.env.CANDOR_CHROMIUM, '/usr/bin/chromium']) {
    if (candidate !== undefined && candidate !== '' && fs.existsSync(candidate)) {
      return candidate;
    }
  }
  return undefined;
}
