import type { IntegrationRun } from '../harness/integration';

/**
 * The integration runs `npm run test:integration [-- <name>...]` performs, in order. Each gets a
 * fresh VS Code profile and a fresh copy of its workspace (test/fixtures/workspaces); `suites` is a
 * glob under out/test/integration. Every run pays a code-server + Chromium start (10–25 s on a
 * 2-core machine), so suites that can share a workspace share a run.
 */
export const runs: readonly IntegrationRun[] = [
  { name: 'basic', workspace: 'basic ws', suites: '{smoke,recording}/**/*.test.js' },
  { name: 'multi-root', workspace: 'multi-root/multi.code-workspace', suites: '{smoke,multiroot,diskfull}/**/*.test.js' },
  { name: 'hostile', workspace: 'hostile ws', suites: 'attack/**/*.test.js' },
  { name: 'privacy', workspace: 'basic ws', suites: 'privacy/**/*.test.js' },
  // Its own run: the preview suite grants consent, which the recording suite expects to do first.
  { name: 'preview', workspace: 'basic ws', suites: 'preview/**/*.test.js' },
  // Two browser tabs on one folder: two windows of one workspace (test/integration/peer.ts is the second).
  { name: 'multi-window', workspace: 'basic ws', suites: 'multiwindow/**/*.test.js', secondWindow: true, timeoutMs: 300_000 },
];
