import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * The direction of the data flow, enforced (design.md section 2): a folder of `src/` may import
 * only folders of a lower layer, never one of its own layer or above, so there is no cycle between
 * folders and the core never reaches back into VS Code adapters. ESLint forbids `vscode` itself in
 * the core folders; this test checks what ESLint cannot: the folder graph.
 */
const LAYERS: readonly (readonly string[])[] = [
  ['model', 'util'],
  ['consent', 'store', 'replay'],
  ['privacy'],
  ['bundle'],
  ['preview'],
  ['upload'],
  ['collector', 'cli'],
  ['recorder'],
  // ui draws (panels, views, status bar); recording holds the flows that drive them (start, stop,
  // delete, the consent panel's answer), so it sits above ui and ui never imports it.
  ['ui'],
  ['recording'],
  ['.'], // src/extension.ts and src/composition.ts
];

/** Folders that never import `vscode` (also an ESLint rule; here so a renamed import is caught). */
const CORE = ['model', 'util', 'consent', 'store', 'replay', 'privacy', 'bundle', 'preview', 'upload', 'collector', 'cli'];

/** The webview apps run in a browser: they may import only these host-independent modules. */
const WEBVIEW_MAY_IMPORT = ['src/ui/webview/', 'src/ui/protocol/', 'src/preview/', 'src/model/', 'src/util/'];

const root = path.resolve(__dirname, '..', '..', '..', '..');
const srcDir = path.join(root, 'src');

interface ImportEdge {
  readonly from: string; // repo-relative file
  readonly to: string; // repo-relative target (without extension) or a bare module name
  readonly line: number;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      out.push(...sourceFiles(full));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      out.push(full);
    }
  }
  return out;
}

/** Static imports and re-exports (also multi-line ones), side-effect imports, require() and import(). */
const IMPORT = /^[ \t]*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]|^[ \t]*import\s*['"]([^'"]+)['"]|\brequire\(\s*['"]([^'"]+)['"]\s*\)|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm;

function importsOf(file: string): ImportEdge[] {
  const rel = path.relative(root, file).split(path.sep).join('/');
  const text = fs.readFileSync(file, 'utf8');
  const edges: ImportEdge[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3] ?? m[4] ?? '';
    const to = spec.startsWith('.') ? path.relative(root, path.resolve(path.dirname(file), spec)).split(path.sep).join('/') : spec;
    const line = text.slice(0, m.index).split('\n').length;
    edges.push({ from: rel, to, line });
  }
  return edges;
}

/** `src/<folder>/…` → folder; a file directly in `src/` → '.'; anything else → undefined. */
function folderOf(repoPath: string): string | undefined {
  if (!repoPath.startsWith('src/')) {
    return undefined;
  }
  const parts = repoPath.slice(4).split('/');
  return parts.length === 1 ? '.' : parts[0];
}

function layerOf(folder: string): number {
  const i = LAYERS.findIndex((layer) => layer.includes(folder));
  return i;
}

const edges = sourceFiles(srcDir).flatMap(importsOf);

describe('architecture: the folder graph follows the data flow', () => {
  it('finds the imports it checks (the parser is not blind)', () => {
    assert.ok(edges.length > 200, `only ${edges.length} imports found`);
    assert.ok(edges.some((e) => e.to === 'vscode'), 'no vscode import found at all');
  });

  it('knows every folder of src/', () => {
    const unknown = [...new Set(edges.map((e) => folderOf(e.from)).filter((f): f is string => f !== undefined && layerOf(f) < 0))];
    assert.deepEqual(unknown, [], `folders with no layer in LAYERS: ${unknown.join(', ')}`);
  });

  it('keeps vscode out of the core folders', () => {
    const bad = edges.filter((e) => e.to === 'vscode' && CORE.includes(folderOf(e.from) ?? ''));
    assert.deepEqual(bad.map((e) => `${e.from}:${e.line}`), []);
  });

  it('imports only downwards: no folder imports its own layer or one above it', () => {
    const bad = edges
      .filter((e) => {
        const from = folderOf(e.from);
        const to = folderOf(e.to);
        if (from === undefined || to === undefined || from === to || e.from.startsWith('src/ui/webview/')) {
          return false;
        }
        return layerOf(to) >= layerOf(from);
      })
      .map((e) => `${e.from}:${e.line} → ${e.to}`);
    assert.deepEqual(bad, []);
  });

  it('lets the webview apps import only host-independent modules', () => {
    const bad = edges
      .filter((e) => e.from.startsWith('src/ui/webview/') && e.to.startsWith('src/'))
      .filter((e) => !WEBVIEW_MAY_IMPORT.some((prefix) => `${e.to}/`.startsWith(prefix) || e.to.startsWith(prefix)))
      .map((e) => `${e.from}:${e.line} → ${e.to}`);
    assert.deepEqual(bad, []);
  });
});
