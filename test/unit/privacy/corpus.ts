/**
 * Real source nobody here wrote — the .ts/.js/.d.ts files under node_modules — as the corpus for
 * false-positive counts and throughput. Shared by the unit tests and `bench/privacy.ts`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** One source file of the corpus. */
export interface CorpusFile {
  readonly path: string;
  readonly text: string;
}

/** The repository root (this file is compiled to out/test/unit/privacy/). */
export function repoRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json')) || path.basename(dir) === 'out') {
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new Error('repository root not found');
    }
    dir = parent;
  }
  return dir;
}

const SOURCE = /\.(?:ts|mts|cts|js|mjs|cjs)$/;

/** Options of `loadCorpus`. */
export interface CorpusOptions {
  /** Stop once this many characters are loaded (default: everything). */
  readonly maxChars?: number;
  /**
   * With a budget, take every n-th file across all packages rather than the first files in
   * order, so a small sample is not just the first few packages (default false).
   */
  readonly spread?: boolean;
}

/**
 * Source files under node_modules in a stable (sorted) order, up to `maxChars` characters in
 * total. Sorted so that a sample is reproducible from run to run.
 */
export function loadCorpus(options: CorpusOptions = {}): CorpusFile[] {
  const maxChars = options.maxChars ?? Infinity;
  const root = path.join(repoRoot(), 'node_modules');
  const files: { path: string; size: number }[] = [];
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        walk(p);
      } else if (e.isFile() && SOURCE.test(e.name)) {
        files.push({ path: p, size: fs.statSync(p).size });
      }
    }
  };
  walk(root);
  let chosen = files;
  if (options.spread && Number.isFinite(maxChars)) {
    const total = files.reduce((n, f) => n + f.size, 0);
    const stride = Math.max(1, Math.floor(total / maxChars));
    chosen = files.filter((_, i) => i % stride === 0);
  }
  const out: CorpusFile[] = [];
  let loaded = 0;
  for (const f of chosen) {
    if (loaded >= maxChars) {
      break;
    }
    const text = fs.readFileSync(f.path, 'utf8');
    out.push({ path: path.relative(root, f.path), text });
    loaded += text.length;
  }
  return out;
}

/** Total characters of `files`. */
export function corpusChars(files: readonly CorpusFile[]): number {
  return files.reduce((n, f) => n + f.text.length, 0);
}

/** Total lines of `files` (newline count, plus one for a last line without newline). */
export function corpusLines(files: readonly CorpusFile[]): number {
  let lines = 0;
  for (const f of files) {
    let n = 0;
    for (let i = f.text.indexOf('\n'); i >= 0; i = f.text.indexOf('\n', i + 1)) {
      n++;
    }
    lines += n + (f.text.length > 0 && !f.text.endsWith('\n') ? 1 : 0);
  }
  return lines;
}

/** What `measureFalsePositives` found. */
export interface FalsePositiveReport {
  readonly files: number;
  readonly chars: number;
  readonly lines: number;
  readonly hits: number;
  readonly secretHits: number;
  readonly piiHits: number;
  /** Hits per 10k lines: all, secrets only, personal data only. */
  readonly perTenK: number;
  readonly secretPerTenK: number;
  readonly piiPerTenK: number;
  /** Rules by hit count, most first. */
  readonly byRule: readonly (readonly [string, number])[];
  /** A few hits per rule with context, for review. */
  readonly samples: readonly string[];
}

/**
 * Scans `files` with `detect` and counts every span as a false positive (the corpus holds no
 * secret of ours; identity rules are not part of `detect` here).
 */
export function measureFalsePositives(
  files: readonly CorpusFile[],
  detect: (text: string) => readonly { start: number; end: number; rule: string; kind: string }[],
): FalsePositiveReport {
  const byRule = new Map<string, number>();
  const samples: string[] = [];
  let hits = 0;
  let secretHits = 0;
  let piiHits = 0;
  for (const f of files) {
    for (const s of detect(f.text)) {
      hits++;
      if (s.kind === 'secret') {
        secretHits++;
      } else if (s.kind === 'pii') {
        piiHits++;
      }
      const n = (byRule.get(s.rule) ?? 0) + 1;
      byRule.set(s.rule, n);
      if (n <= 3) {
        const ctx = f.text.slice(Math.max(0, s.start - 30), Math.min(f.text.length, s.end + 15)).replace(/\s+/g, ' ');
        samples.push(`${s.rule}  ${f.path}  …${ctx}…`);
      }
    }
  }
  const lines = corpusLines(files);
  const per = (n: number): number => (n / Math.max(1, lines)) * 1e4;
  return {
    files: files.length,
    chars: corpusChars(files),
    lines,
    hits,
    secretHits,
    piiHits,
    perTenK: per(hits),
    secretPerTenK: per(secretHits),
    piiPerTenK: per(piiHits),
    byRule: [...byRule].sort((a, b) => b[1] - a[1]),
    samples,
  };
}
