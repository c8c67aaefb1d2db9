import * as path from 'node:path';

/** A workspace folder as the recorder needs it: its name and absolute file-system path. */
export interface FolderRef {
  readonly name: string;
  readonly fsPath: string;
}

/** Where a file sits relative to the workspace: `rel` is relative to its folder, `f` is what we record. */
export interface RelativeLocation {
  /** Path relative to its workspace folder, `/`-separated. */
  readonly rel: string;
  /** What events carry: `rel`, or `<folder name>/<rel>` in a multi-root workspace. */
  readonly f: string;
  readonly folder: FolderRef;
}

/**
 * Maps an absolute path to its workspace-relative form, or undefined when it is outside every
 * workspace folder (such files are never recorded). `pathApi` is injectable so Windows paths can
 * be tested on any machine.
 */
export function locate(
  folders: readonly FolderRef[],
  fsPath: string,
  pathApi: typeof path.posix = path,
): RelativeLocation | undefined {
  let best: FolderRef | undefined;
  let bestRel: string | undefined;
  for (const folder of folders) {
    const rel = pathApi.relative(folder.fsPath, fsPath);
    if (rel === '' || rel.startsWith('..') || pathApi.isAbsolute(rel)) {
      continue;
    }
    // Nested folders: the innermost (longest) folder wins.
    if (!best || folder.fsPath.length > best.fsPath.length) {
      best = folder;
      bestRel = rel;
    }
  }
  if (!best || bestRel === undefined) {
    return undefined;
  }
  const rel = bestRel.split(pathApi.sep).join('/');
  return { rel, f: folders.length > 1 ? `${best.name}/${rel}` : rel, folder: best };
}
