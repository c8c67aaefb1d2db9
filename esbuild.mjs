// Bundles the extension host entry, the CLI and the webview scripts. `--watch` rebuilds on change.
import * as esbuild from 'esbuild';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

/** @type {import('esbuild').BuildOptions} */
const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
  legalComments: 'none',
};

/** @type {import('esbuild').BuildOptions[]} */
const targets = [
  {
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
  },
  {
    ...common,
    entryPoints: ['src/cli/candor.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    // The team collector (`candor-collector`); its database drivers stay in node_modules
    // (better-sqlite3 is native; pg-native is pg's optional native binding).
    ...common,
    entryPoints: ['src/collector/bin.ts'],
    outfile: 'dist/collector.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['better-sqlite3', 'pg-native'],
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    // The collector's inspection worker (src/collector/ingest.ts starts it next to collector.js).
    ...common,
    entryPoints: ['src/collector/inspectWorker.ts'],
    outfile: 'dist/collectorInspectWorker.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    // Builds bundles off the extension host thread (src/bundle/workerHost.ts starts it).
    ...common,
    entryPoints: ['src/bundle/worker.ts'],
    outfile: 'dist/bundleWorker.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    // Holds the previewed bundle, read back from its bytes, and answers the panel's questions.
    ...common,
    entryPoints: ['src/preview/viewWorker.ts'],
    outfile: 'dist/previewWorker.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
  },
  {
    ...common,
    entryPoints: ['src/ui/webview/preview/main.ts'],
    outfile: 'media/dist/preview.js',
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
  },
  {
    ...common,
    entryPoints: ['src/ui/webview/consent.ts'],
    outfile: 'media/dist/consent.js',
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
  },
];

if (watch) {
  const contexts = await Promise.all(targets.map((t) => esbuild.context(t)));
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(targets.map((t) => esbuild.build(t)));
}
