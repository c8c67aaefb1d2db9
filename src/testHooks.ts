import type { ConsentSnapshot } from './consent/consentMachine';
import type { RecordingController } from './recordingController';
import type { ScriptedPrompter } from './ui/prompter';

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
  /** Flushes and fsyncs the log. */
  sync(): Promise<void>;
}

export interface CandorApi {
  readonly testing?: CandorTestHooks;
}

export function testHooksEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env['CANDOR_TEST_HOOKS'] === '1';
}

export function createTestHooks(controller: RecordingController, prompter: ScriptedPrompter): CandorTestHooks {
  return {
    grantConsent: (categories) => controller.accept(categories),
    answerModals: (...answers) => prompter.enqueue(...answers),
    get modalsAsked() {
      return prompter.asked;
    },
    state: () => controller.state,
    logDir: () => controller.logDir,
    sync: () => controller.sync(),
  };
}
