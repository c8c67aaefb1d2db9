import type { BundleManifest } from '../bundle/types';
import type { ConsentSnapshot } from '../consent/consentMachine';
import type { RecordingController } from './recordingController';
import type { CandorView } from '../ui/candorView';
import type { PreviewService } from '../ui/preview/previewService';
import type { ScriptedPrompter } from '../ui/prompter';
import type { CategoryInfo, ConsentToWebview } from '../ui/protocol/consent';
import type { PreviewStatus, PreviewToWebview } from '../preview/protocol';

/** The open preview panel's host side, as tests see it. */
export interface PreviewTestHandle {
  /** SHA-256 of the bundle bytes the panel shows (undefined when it shows none). */
  readonly hash: string | undefined;
  readonly manifest: BundleManifest | undefined;
  readonly status: PreviewStatus;
  /** The webview's HTML as set by the host (no recorded content may ever appear in it). */
  readonly html: string;
  /**
   * Feeds a webview→host message through the same validation and handling as a real one;
   * resolves with every message the host posted meanwhile.
   */
  handleMessage(message: unknown): Promise<PreviewToWebview[]>;
  /** Resolves once the real webview said `ready`. */
  whenReady(): Promise<void>;
}

/**
 * TEST HOOKS — a consent bypass, named loudly. Present in the extension's exports only when the
 * extension host runs with CANDOR_TEST_HOOKS=1 (the integration harness sets it; nothing else
 * does). `grantConsent` goes through the same path as the consent screen's Accept button; it only
 * skips clicking it. Modal answers can be queued; every other modal is real.
 */
export interface CandorTestHooks {
  grantConsent(categories: readonly string[]): Promise<void>;
  answerModals(...answers: (string | undefined)[]): void;
  readonly modalsAsked: readonly string[];
  state(): ConsentSnapshot;
  logDir(): string | undefined;
  /** The workspace's shared folder and every log folder of its windows (this window's first). */
  localDataFolders(): Promise<{ shared: string | undefined; logs: string[] }>;
  /** Flushes and fsyncs the log. */
  sync(): Promise<void>;
  /** The open preview panel's host-side session, if a preview is open. */
  preview(): PreviewTestHandle | undefined;
  /** `<workspace storage>/outbox`. */
  outboxDir(): string;
  /** The consent screen's rows as the host computes them from the policy in force now. */
  consentChoices(): Promise<readonly CategoryInfo[]>;
  /**
   * The open consent panel (after "Start Recording"): the rows it offered, and a way to feed it a
   * webview message through the same validation as a real one (resolves with what it posted).
   */
  consentPanel(): { readonly offered: readonly CategoryInfo[] | undefined; handleMessage(message: unknown): Promise<ConsentToWebview[]> } | undefined;
  /** The Candor view: how often it was told to refresh, and its session rows (label, description). */
  view(): { readonly refreshes: number; sessions(): Promise<{ label: string; description: string }[]> };
}

export interface CandorApi {
  readonly testing?: CandorTestHooks;
}

export function testHooksEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['CANDOR_TEST_HOOKS'] === '1';
}

export function createTestHooks(
  controller: RecordingController,
  prompter: ScriptedPrompter,
  previews: PreviewService,
  outboxDir: string,
  candorView: CandorView,
): CandorTestHooks {
  return {
    consentChoices: () => controller.consentChoices(),
    consentPanel: () => {
      const panel = controller.openConsentPanel;
      return panel === undefined ? undefined : { offered: panel.offered, handleMessage: (m) => panel.handleForTest(m) };
    },
    view: () => ({
      refreshes: candorView.refreshCount,
      sessions: () => candorView.sessionRows(),
    }),
    grantConsent: (categories) => controller.accept(categories),
    answerModals: (...answers) => prompter.enqueue(...answers),
    get modalsAsked() {
      return prompter.asked;
    },
    state: () => controller.state,
    logDir: () => controller.logDir,
    localDataFolders: () => controller.localDataFolders(),
    sync: () => controller.sync(),
    outboxDir: () => outboxDir,
    preview: () => {
      const session = previews.current;
      if (session === undefined) {
        return undefined;
      }
      return {
        get hash() {
          return session.sha256;
        },
        get manifest() {
          return session.manifest;
        },
        get status() {
          return session.previewStatus;
        },
        get html() {
          return session.html;
        },
        handleMessage: (message) => session.handleForTest(message),
        whenReady: () => session.whenReady(),
      };
    },
  };
}
