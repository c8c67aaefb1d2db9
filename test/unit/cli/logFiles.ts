import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import type { CandorEvent } from '../../../src/model/events';
import { sha256Hex } from '../../../src/replay/hash';

/** One framed line as the store writes it: `<seq>\t<crc32>\t<json>\n`, CRC over `<seq>\t<json>`. */
export function frame(seq: number, record: object): string {
  const json = JSON.stringify(record);
  const crc = zlib.crc32(Buffer.from(`${seq}\t${json}`, 'utf8')).toString(16).padStart(8, '0');
  return `${seq}\t${crc}\t${json}\n`;
}

export function segmentName(index: number): string {
  return `seg-${String(index).padStart(6, '0')}.log`;
}

/** Writes `segments` (each a list of already framed lines or records) into `dir`, numbering seqs from `firstSeq`. */
export async function writeSegments(dir: string, segments: readonly (readonly CandorEvent[])[], firstSeq = 1): Promise<void> {
  let seq = firstSeq;
  for (let k = 0; k < segments.length; k++) {
    const lines = segments[k].map((event) => frame(seq++, event));
    await writeFile(join(dir, segmentName(k + 1)), lines.join(''));
  }
}

export async function tempDir(): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'candor-cli-'));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

const T0 = Date.UTC(2025, 10, 30, 9, 0, 0);

/**
 * A small realistic session: two documents, a rename, checkpoints, and other event kinds.
 * Texts include CRLF and astral characters. Returns the events and the seqs worth naming.
 */
export function sampleSession(): { events: CandorEvent[]; textAt: Map<number, string> } {
  const events: CandorEvent[] = [];
  const textAt = new Map<number, string>();
  let ts = T0;
  const add = (e: CandorEvent): number => {
    events.push(e);
    return events.length;
  };
  add({ t: 'session', ts, op: 'start', sid: 's1', cats: ['edits'] });
  let a = 'line one\r\nline 😀 two\r\n';
  add({ t: 'snap', ts: (ts += 10), f: 'src/a.ts', v: 1, text: a });
  add({ t: 'edit', ts: (ts += 10), f: 'src/a.ts', v: 1, c: [[0, 0, 'covered by the snapshot']] });
  a = a.slice(0, 10) + '𝒳' + a.slice(10);
  textAt.set(add({ t: 'edit', ts: (ts += 10), f: 'src/a.ts', v: 2, c: [[10, 0, '𝒳']] }), a);
  add({ t: 'sel', ts: (ts += 10), f: 'src/a.ts', s: [[11, 11]], k: 1 });
  a = a.slice(0, 17) + a.slice(19); // delete the emoji: 2 code units, after '𝒳' (also 2)
  textAt.set(add({ t: 'edit', ts: (ts += 10), f: 'src/a.ts', v: 3, c: [[17, 2, '']], r: 'undo' }), a);
  add({ t: 'ckpt', ts: (ts += 10), f: 'src/a.ts', v: 3, h: sha256Hex(a), why: 'save' });
  let b = '';
  add({ t: 'snap', ts: (ts += 10), f: 'docs/b.md', v: 4, text: b });
  b = '# Title\n';
  textAt.set(add({ t: 'edit', ts: (ts += 10), f: 'docs/b.md', v: 5, c: [[0, 0, '# Title\n']] }), b);
  add({ t: 'file', ts: (ts += 10), op: 'rename', f: 'docs/b.md', to: 'docs/readme.md' });
  b = b + 'body';
  textAt.set(add({ t: 'edit', ts: (ts += 10), f: 'docs/readme.md', v: 6, c: [[8, 0, 'body']] }), b);
  add({ t: 'ckpt', ts: (ts += 10), f: 'docs/readme.md', v: 6, h: sha256Hex(b), why: 'every' });
  add({ t: 'term', ts: (ts += 10), cmd: 'npm test', exit: 0, dur: 1200 });
  add({ t: 'session', ts: (ts += 3_600_000), op: 'stop', sid: 's1' });
  return { events, textAt };
}
