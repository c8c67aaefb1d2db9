/**
 * Crafting bundles by hand, valid or not, for the reader's tests and the adversarial suite. The
 * content's id and the gzip framing are always recomputed (`encodeContent`), so a crafted bundle
 * fails at the check it was made for (schema, canonical form, figures, consent, replay), never at
 * the content hash.
 */
import * as zlib from 'node:zlib';
import { encodeContent, GZIP_HEADER, sha256 } from '../../../src/bundle/format';
import { crc32Update } from '../../../src/bundle/stream';
import { canonicalJson } from '../../../src/bundle/json';
import { eventFigures } from '../../../src/bundle/manifest';
import type { BundleManifest } from '../../../src/bundle/types';
import type { LoggedEvent } from '../../../src/model/events';
import { CREATED_AT, testReceipt } from './helpers';

/** An event line as the writer orders it (`seq`, `t`, `ts`, the rest sorted), for any object. */
export function lineOf(e: Readonly<Record<string, unknown>>): string {
  const out: Record<string, unknown> = {};
  for (const k of ['seq', 't', 'ts']) {
    if (Object.hasOwn(e, k)) {
      out[k] = e[k];
    }
  }
  for (const k of Object.keys(e).sort()) {
    if (k !== 'seq' && k !== 't' && k !== 'ts') {
      Object.defineProperty(out, k, { value: e[k], enumerable: true, configurable: true, writable: true });
    }
  }
  return JSON.stringify(out);
}

/** The raw line object of an event (`{ seq, ...event }`). */
export function rawOf(e: LoggedEvent): Record<string, unknown> {
  return { seq: e.seq, ...(e.event as unknown as Record<string, unknown>) };
}

/** A manifest consistent with `events` (figures from the writer's own function). */
export function manifestFor(events: readonly LoggedEvent[]): BundleManifest {
  return {
    format: 1,
    createdAt: CREATED_AT,
    extensionVersion: '0.1.0',
    policyVersion: 'team-3',
    consent: testReceipt(),
    ...eventFigures(events),
    exclusions: { patterns: [], events: 0, outsideConsent: 0 },
    redaction: { engine: 'none', findings: [], eventsChanged: 0 },
    reviewerActions: [],
  };
}

/** Content text: the manifest line, then the event lines, each ending in LF. */
export function contentText(manifest: unknown, lines: readonly string[]): string {
  return [canonicalJson(manifest), ...lines, ''].join('\n');
}

/** A well-framed bundle file around `content` (header id and gzip trailer recomputed). */
export async function fileOf(content: string | Buffer): Promise<Buffer> {
  return (await encodeContent(Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8'))).bytes;
}

/**
 * A bundle of `events` whose manifest figures match them (so only what is wrong with an event
 * itself is wrong), the lines written in the writer's key order.
 */
export async function craftBundle(events: readonly LoggedEvent[], editManifest?: (m: Record<string, unknown>) => unknown): Promise<Buffer> {
  const m = manifestFor(events) as unknown as Record<string, unknown>;
  return fileOf(contentText(editManifest === undefined ? m : editManifest(m), events.map((e) => lineOf(rawOf(e)))));
}

/** `fileOf` at deflate level 1, for large test bundles (the level changes nothing a reader sees). */
export function fileOfFast(content: Buffer): Buffer {
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32Update(content, 0), 0);
  trailer.writeUInt32LE(content.length % 2 ** 32, 4);
  const header = Buffer.from(`CANDOR-BUNDLE 1 ${content.length} ${sha256(content)}\n`, 'ascii');
  return Buffer.concat([header, Buffer.from(GZIP_HEADER), zlib.deflateRawSync(content, { level: 1 }), trailer]);
}

/** The paths the one rule refuses, one per class (src/model/paths.ts). */
export const BAD_PATHS: readonly (readonly [string, string])[] = [
  ['backslash traversal', '..\\..\\etc\\passwd'],
  ['mixed traversal', 'src/..\\..\\..\\etc\\passwd'],
  ['backslash', 'src\\a.ts'],
  ['NUL', 'src/a\u0000.ts'],
  ['LF', 'src/a\n.ts'],
  ['CR', 'src/a\r.ts'],
  ['ESC', 'src/\u001b[2Ja.ts'],
  ['DEL', 'src/a\u007f.ts'],
  ['C1', 'src/a\u009b.ts'],
  ['RLO', 'src/evil\u202etxt.ts'],
  ['LRI', 'src/\u2066a.ts'],
  ['RLM', 'src/\u200fa.ts'],
  ['ALM', 'src/\u061ca.ts'],
  ['lone surrogate', 'src/\ud800a.ts'],
  ['dot-dot', 'src/../../etc/passwd'],
  ['dot', 'src/./a.ts'],
  ['absolute', '/etc/passwd'],
  ['drive', 'C:/Windows/win.ini'],
  ['empty segment', 'src//a.ts'],
  ['trailing slash', 'src/'],
];
