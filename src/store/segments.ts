/** Names and listing of a log directory's files (see framing.ts for the format). */
import { join } from 'node:path';
import { errorCode } from './errors';
import type { StoreFs } from './fsBackend';

export const RECOVERY_JOURNAL = 'recovery.jsonl';
export const LOCK_FILE = 'candor.lock';
export const TEMP_SUFFIX = '.tmp';

const SEGMENT_RE = /^seg-(\d{6,})\.log$/;

export interface SegmentFile {
  /** 1, 2, … */
  readonly index: number;
  /** `seg-000001.log` */
  readonly name: string;
  readonly path: string;
}

export function segmentName(index: number): string {
  return `seg-${String(index).padStart(6, '0')}.log`;
}

/** The segment index of a file name, or undefined if it is not a segment. */
export function parseSegmentName(name: string): number | undefined {
  const m = SEGMENT_RE.exec(name);
  if (m === null) {
    return undefined;
  }
  const index = Number(m[1]);
  return Number.isSafeInteger(index) && index > 0 && segmentName(index) === name ? index : undefined;
}

export function segmentFile(dir: string, index: number): SegmentFile {
  const name = segmentName(index);
  return { index, name, path: join(dir, name) };
}

/** Segments of `dir` in index order; none if the directory does not exist. */
export async function listSegments(fs: StoreFs, dir: string): Promise<SegmentFile[]> {
  const names = await readdirOrEmpty(fs, dir);
  const segments: SegmentFile[] = [];
  for (const name of names) {
    const index = parseSegmentName(name);
    if (index !== undefined) {
      segments.push({ index, name, path: join(dir, name) });
    }
  }
  return segments.sort((a, b) => a.index - b.index);
}

export async function readdirOrEmpty(fs: StoreFs, dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (err) {
    if (errorCode(err) === 'ENOENT') {
      return [];
    }
    throw err;
  }
}

/** Whether `name` is a temporary file left by an interrupted segment rewrite. */
export function isTempSegment(name: string): boolean {
  return name.endsWith(TEMP_SUFFIX) && parseSegmentName(name.slice(0, -TEMP_SUFFIX.length)) !== undefined;
}
