/**
 * Absolute paths outside the workspace. A path under a workspace root is useful context and is
 * rewritten to workspace-relative by the caller (`rewriteWorkspacePaths`); any other absolute
 * path (another project, a system or home location, a temp dir) reveals the machine's layout and
 * becomes a span (rule `abs-path`, kind `path`).
 *
 * Decisions:
 * - POSIX paths count only when their first segment is a well-known root (`/home`, `/Users`,
 *   `/tmp`, `/var`, `/opt`, …) or the first segment of a workspace root: `/api/v1/users` in a log
 *   line is a URL route, not a file. Windows drive paths (`C:\…`, `C:/…`, JSON-escaped `C:\\…`),
 *   UNC paths (`\\server\share\…`) and home-relative paths (`~/…`) always count.
 * - POSIX segments stop at whitespace; Windows segments may contain spaces when more path follows
 *   (`C:\Program Files\nodejs\node.exe`). A trailing `.` (end of a sentence) is not part of a path.
 * - These rules are not in the default set: they need the workspace roots (`pathRules(roots)` or
 *   `detect(text, { workspaceRoots })`).
 */
import { defineRule, escapeRegExp } from './rule';
import type { Rule, Span } from './types';

/** First segments of absolute POSIX paths that are file-system locations, not URL routes. */
export const WELL_KNOWN_ROOTS: readonly string[] = [
  'home', 'Users', 'root', 'tmp', 'var', 'etc', 'opt', 'usr', 'mnt', 'media', 'srv', 'private', 'Volumes', 'nix',
  'snap', 'proc', 'dev', 'run', 'sys', 'bin', 'sbin', 'lib', 'lib64', 'boot', 'Library', 'System', 'Applications',
  'workspace', 'workspaces', 'builds', 'data', 'app', 'code', 'github', '__w', 'azp', 'cygdrive', 'storage', 'sdcard',
];

/** A character of a path segment (no separators, whitespace, quotes, brackets or list punctuation). */
const SEG = String.raw`[^\s/\\:*?"'<>|\x60(){}\[\],;]`;
/** A Windows segment that is followed by more path may contain spaces. */
const WIN_INNER_SEG = String.raw`[^\\/:*?"'<>|\r\n\t\x60]`;
const WIN_SEP = String.raw`(?:\\{1,2}|/)`;
/** End of a path: no segment character follows, except a dot (which may end the sentence). */
const PATH_END = String.raw`(?![^\s/\\:*?"'<>|\x60(){}\[\],;.])`;

/** Options of `anonymizePaths`. */
export interface PathOptions {
  /** Absolute file-system paths of the workspace folders. */
  readonly workspaceRoots: readonly string[];
}

/** A path under a workspace root, as `workspaceRelative` returns it. */
export interface WorkspacePath {
  readonly root: string;
  /** Relative to `root`, `/`-separated; `.` for the root itself. */
  readonly relative: string;
}

/** Normalises a path for comparison: `/` separators, no duplicate or trailing separators, drive paths lower-cased. */
export function normalizePath(p: string): string {
  let s = p.replace(/\\+/g, '/').replace(/\/{2,}/g, '/');
  if (s.length > 1) {
    s = s.replace(/\/$/, '');
  }
  // Windows paths compare case-insensitively; POSIX paths do not.
  return /^[A-Za-z]:(?:\/|$)/.test(s) ? s.toLowerCase() : s;
}

/** `{ root, relative }` when `p` is a workspace root or lies under one (deepest root wins), else undefined. */
export function workspaceRelative(p: string, workspaceRoots: readonly string[]): WorkspacePath | undefined {
  const target = normalizePath(p);
  let best: WorkspacePath | undefined;
  let bestLength = -1;
  for (const root of workspaceRoots) {
    const r = normalizePath(root);
    if (r.length <= bestLength) {
      continue;
    }
    if (target === r) {
      best = { root, relative: '.' };
      bestLength = r.length;
    } else if (target.startsWith(r === '/' ? '/' : `${r}/`)) {
      best = { root, relative: target.slice(r === '/' ? 1 : r.length + 1) };
      bestLength = r.length;
    }
  }
  return best;
}

function firstSegments(workspaceRoots: readonly string[]): string[] {
  const out: string[] = [];
  for (const root of workspaceRoots) {
    const m = /^\/([^/\\]+)/.exec(root.replace(/\\/g, '/'));
    if (m && !WELL_KNOWN_ROOTS.includes(m[1])) {
      out.push(m[1]);
    }
  }
  return out;
}

/** The source of a regex matching absolute paths in all supported spellings. */
function absolutePathSource(extraRoots: readonly string[]): string {
  const roots = [...WELL_KNOWN_ROOTS, ...extraRoots].map(escapeRegExp).join('|');
  const posix = `(?<![\\w.~:/\\\\@$%-])/(?:${roots})(?:/${SEG}{1,255}){0,64}/?${PATH_END}`;
  const windows = `(?<![\\w.])[A-Za-z]:${WIN_SEP}(?:${WIN_INNER_SEG}{1,255}${WIN_SEP}){0,64}${SEG}{0,255}`;
  const unc = `(?<![\\w\\\\])\\\\\\\\[\\w.-]{1,63}(?:\\\\${SEG}{1,255}){1,64}`;
  const tilde = `(?<![\\w~$.\\\\/-])~(?:[\\\\/]${SEG}{1,255}){1,64}[\\\\/]?`;
  // The trailing lookbehind gives back a sentence-ending dot.
  return `(?:${posix}|${windows}|${unc}|${tilde})(?<!\\.)`;
}

/**
 * The `abs-path` rule for these workspace roots: absolute paths NOT under any root. Pure: same
 * roots, same rule.
 */
export function pathRules(workspaceRoots: readonly string[]): Rule[] {
  const roots = [...workspaceRoots];
  return [
    defineRule({
      id: 'abs-path',
      description: 'Absolute file-system path outside the workspace',
      kind: 'path',
      keywords: ['/', '\\'],
      pattern: new RegExp(absolutePathSource(firstSegments(roots))),
      validate: (m) => workspaceRelative(m[0], roots) === undefined,
      truePositives: [
        'open ⟦/home/someone/other-project/notes.md⟧ failed',
        'at Object.<anonymous> (⟦C:\\Program Files\\nodejs\\node_modules\\npm\\index.js⟧:1:2)',
        '"file": "⟦C:\\\\Users\\\\pat\\\\AppData\\\\x.log⟧"',
        'cp ⟦~/Downloads/report.pdf⟧ .',
        'share ⟦\\\\fileserver\\team\\specs⟧',
        'tmp dir is ⟦/tmp/candor-1234⟧.',
      ],
      falsePositives: ['GET /api/v1/users 200', 'https://host/home/x', './src/home/index.ts', 'a/usr/b', 'ratio 1/2'],
    }),
  ];
}

/** Spans (rule `abs-path`) for absolute paths in `text` outside `workspaceRoots`. */
export function anonymizePaths(text: string, options: PathOptions): Span[] {
  const rule = pathRules(options.workspaceRoots)[0];
  const re = new RegExp(rule.pattern.source, 'g');
  const out: Span[] = [];
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (rule.validate!(m)) {
      out.push({ start: m.index, end: m.index + m[0].length, rule: rule.id, kind: 'path' });
    }
  }
  return out;
}

/**
 * Rewrites absolute paths under a workspace root to workspace-relative form. `format` decides the
 * spelling; by default the relative path, prefixed with the root's folder name when there are
 * several roots (as VS Code's `asRelativePath` does). Run this before `detect`, so that the
 * username inside a workspace path under `/home/x` does not leave an identity span behind.
 */
export function rewriteWorkspacePaths(
  text: string,
  workspaceRoots: readonly string[],
  format?: (path: WorkspacePath) => string,
): string {
  if (workspaceRoots.length === 0) {
    return text;
  }
  const fmt =
    format ??
    ((p: WorkspacePath): string => {
      if (workspaceRoots.length === 1) {
        return p.relative;
      }
      const name = normalizePath(p.root).split('/').pop() ?? '';
      return p.relative === '.' ? name : `${name}/${p.relative}`;
    });
  // Longest roots first, so a nested root wins over its parent; each root is matched as a literal
  // in its slash, backslash and JSON-escaped spellings (case-insensitive for drive paths).
  const sorted = [...workspaceRoots].sort((a, b) => b.length - a.length);
  const alternatives = sorted.map((root) =>
    normalizePath(root)
      .split('/')
      .map((seg) => escapeRegExp(seg))
      .join(WIN_SEP),
  );
  const re = new RegExp(`(?<![\\w.-])(?:${alternatives.join('|')})(?:${WIN_SEP}${SEG}{1,255}){0,64}${PATH_END}(?<!\\.)`, 'gi');
  return text.replace(re, (match) => {
    const rel = workspaceRelative(match, workspaceRoots);
    return rel ? fmt(rel) : match;
  });
}
