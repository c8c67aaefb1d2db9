import * as fs from 'node:fs';
import * as path from 'node:path';
import type { WorkspaceTarget } from './codeServer';
import { fixturesRoot } from './paths';

export interface WorkspaceCopy {
  readonly target: WorkspaceTarget;
  /** The copied folder, or for a `.code-workspace` file the copied folder that holds it. */
  readonly root: string;
  /** The workspace folders VS Code will open (one for a folder; each listed one for a workspace file). */
  readonly folders: readonly string[];
}

/** An absolute fixture path: `name` is relative to test/fixtures/workspaces unless absolute. */
export function resolveFixture(name: string): string {
  const abs = path.isAbsolute(name) ? name : path.join(fixturesRoot, name);
  if (!fs.existsSync(abs)) {
    throw new Error(`fixture workspace not found: ${abs}`);
  }
  return abs;
}

/**
 * Copies a fixture folder (or the folder holding a `.code-workspace` file, so its relative folder
 * paths still resolve) into `destDir`, keeping its base name — spaces and non-ASCII included.
 */
export function copyFixture(name: string, destDir: string): WorkspaceCopy {
  const source = resolveFixture(name);
  fs.mkdirSync(destDir, { recursive: true });
  if (source.endsWith('.code-workspace')) {
    const root = path.join(destDir, path.basename(path.dirname(source)));
    fs.cpSync(path.dirname(source), root, { recursive: true });
    const file = path.join(root, path.basename(source));
    return { target: { workspace: file }, root, folders: workspaceFolders(file) };
  }
  const root = path.join(destDir, path.basename(source));
  fs.cpSync(source, root, { recursive: true });
  return { target: { folder: root }, root, folders: [root] };
}

/** Describes an existing folder or `.code-workspace` file without copying it. */
export function inPlace(abs: string): WorkspaceCopy {
  if (abs.endsWith('.code-workspace')) {
    return { target: { workspace: abs }, root: path.dirname(abs), folders: workspaceFolders(abs) };
  }
  return { target: { folder: abs }, root: abs, folders: [abs] };
}

function workspaceFolders(file: string): string[] {
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { folders?: { path?: string }[] };
  return (parsed.folders ?? []).flatMap((f) => (typeof f.path === 'string' ? [path.resolve(path.dirname(file), f.path)] : []));
}
