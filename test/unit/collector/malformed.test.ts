/**
 * Malformed uploads: hand-made attacks and ≥ 1,000 generated ones (fast-check). Each must be a 4xx
 * with a reason (a bundle carrying a secret is the one accepted case: 202, quarantined), nothing
 * may be stored for it, and the server must keep serving.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import * as fc from 'fast-check';
import type { BuiltBundle } from '../../../src/bundle/build';
import { encodeContent, GZIP_HEADER, readBundle, sha256 } from '../../../src/bundle/format';
import { REASONS } from '../../../src/collector/errors';
import type { RunningCollector } from './helpers';
import { http, receiptWith, secretBundle, startCollector, uniqueBundle, upload } from './helpers';

const LIMITS = { maxFileBytes: 4 * 1024 * 1024, maxContentBytes: 16 * 1024 * 1024, maxEvents: 100_000 };

function contentOf(b: BuiltBundle): { manifest: Record<string, unknown>; lines: string[] } {
  const content = zlib.gunzipSync(b.bytes.subarray(b.bytes.indexOf(0x0a) + 1)).toString('utf8');
  const [first, ...rest] = content.slice(0, -1).split('\n');
  return { manifest: JSON.parse(first) as Record<string, unknown>, lines: rest };
}

async function reencode(manifest: unknown, lines: readonly string[]): Promise<Buffer> {
  return (await encodeContent(Buffer.from([JSON.stringify(manifest), ...lines, ''].join('\n'), 'utf8'))).bytes;
}

/** Header + fixed gzip member around raw deflate data, with the trailer and declared size given. */
function frame(declared: number, id: string, deflated: Buffer, crc: number, isize: number): Buffer {
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(isize >>> 0, 4);
  return Buffer.concat([Buffer.from(`CANDOR-BUNDLE 1 ${declared} ${id}\n`, 'ascii'), Buffer.from(GZIP_HEADER), deflated, trailer]);
}

function filesUnder(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((d) => d.isFile())
        .map((d) => d.name)
    : [];
}

describe('collector: malformed uploads', function () {
  this.timeout(180_000);
  let c: RunningCollector;
  let token: string;
  let valid: BuiltBundle;
  let accepted = 0;

  before(async () => {
    c = await startCollector('sqlite', { server: { limits: LIMITS } });
    token = await c.token('web', 'contributor', 'alice');
    valid = await uniqueBundle(1);
  });
  after(async () => {
    await c?.close();
  });

  async function assertNothingStored(): Promise<void> {
    const rows = await c.store.db.selectFrom('bundles').select(['id', 'status']).execute();
    assert.equal(rows.length, accepted, `rows: ${rows.map((r) => r.id.slice(0, 8)).join(', ')}`);
    assert.equal(filesUnder(join(c.dataDir!, 'bundles')).length, accepted, 'no file besides the accepted bundles');
  }

  async function expectRejected(bytes: Buffer, reason?: string, id = sha256(bytes)): Promise<string> {
    const r = await upload(c, token, bytes, id);
    assert.ok(r.status >= 400 && r.status < 500, `expected a 4xx, got ${r.status}: ${r.body.toString().slice(0, 200)}`);
    const body = r.json<{ reason: string; message: string }>();
    assert.ok(body.reason in REASONS, `unknown reason ${body.reason}`);
    assert.equal(typeof body.message, 'string');
    if (reason !== undefined) {
      assert.equal(body.reason, reason, body.message);
    }
    return body.reason;
  }

  const handMade: [string, () => Promise<Buffer>, string][] = [
    ['empty body', () => Promise.resolve(Buffer.alloc(0)), 'truncated'],
    ['not a bundle', () => Promise.resolve(Buffer.from('hello world\n')), 'bad-magic'],
    ['a later format version', () => Promise.resolve(Buffer.from(`CANDOR-BUNDLE 2 10 ${'0'.repeat(64)}\n`)), 'unknown-version'],
    ['a header without its end', () => Promise.resolve(Buffer.from(`CANDOR-BUNDLE 1 ${'9'.repeat(200)}`)), 'bad-header'],
    [
      'gzip bomb: 64 MiB of zeros declared as 1,000 bytes',
      () => {
        const zeros = Buffer.alloc(64 * 1024 * 1024);
        return Promise.resolve(frame(1000, sha256(zeros.subarray(0, 1000)), zlib.deflateRawSync(zeros, { level: 9 }), zlib.crc32(zeros), zeros.length));
      },
      'too-large',
    ],
    ['declared content over the limit (refused before inflating)', () => Promise.resolve(frame(LIMITS.maxContentBytes + 1, '0'.repeat(64), zlib.deflateRawSync(Buffer.from('x')), 0, 1)), 'too-large'],
    [
      'lying size: declares more than the content',
      () => {
        const content = zlib.gunzipSync(valid.bytes.subarray(valid.bytes.indexOf(0x0a) + 1));
        return Promise.resolve(frame(content.length + 10, sha256(content), zlib.deflateRawSync(content), zlib.crc32(content), content.length));
      },
      'corrupt',
    ],
    [
      'lying size: the gzip trailer size is wrong',
      () => {
        const content = zlib.gunzipSync(valid.bytes.subarray(valid.bytes.indexOf(0x0a) + 1));
        return Promise.resolve(frame(content.length, sha256(content), zlib.deflateRawSync(content), zlib.crc32(content), content.length + 1));
      },
      'corrupt',
    ],
    ['truncated', () => Promise.resolve(valid.bytes.subarray(0, valid.bytes.length - 5)), 'truncated'],
    ['bytes after the gzip member', () => Promise.resolve(Buffer.concat([valid.bytes, Buffer.from([0])])), 'corrupt'],
    [
      'wrong content hash in the header',
      () => {
        const lf = valid.bytes.indexOf(0x0a);
        const header = valid.bytes.subarray(0, lf).toString('ascii').replace(/[0-9a-f]{64}$/, 'f'.repeat(64));
        return Promise.resolve(Buffer.concat([Buffer.from(`${header}\n`), valid.bytes.subarray(lf + 1)]));
      },
      'hash-mismatch',
    ],
    [
      'deep nesting (100,000 levels) in an event line',
      async () => {
        const { manifest, lines } = contentOf(valid);
        const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
        return reencode(manifest, [lines[0].replace(/"sid":"[^"]*"/, `"sid":${deep}`), ...lines.slice(1)]);
      },
      'schema',
    ],
    [
      '__proto__ key in the manifest',
      async () => {
        const { manifest, lines } = contentOf(valid);
        const text = JSON.stringify(manifest).replace(/^\{/, '{"__proto__":{"polluted":true},');
        return (await encodeContent(Buffer.from([text, ...lines, ''].join('\n')))).bytes;
      },
      'schema',
    ],
    [
      '__proto__ key in an event',
      async () => {
        const { manifest, lines } = contentOf(valid);
        return reencode(manifest, [lines[0].replace(/^\{/, '{"__proto__":{"t":"x"},'), ...lines.slice(1)]);
      },
      'schema',
    ],
    [
      'invalid UTF-8 in the content',
      async () => {
        const { manifest, lines } = contentOf(valid);
        const content = Buffer.concat([Buffer.from(`${JSON.stringify(manifest)}\n${lines[0].slice(0, -2)}`), Buffer.from([0xc3, 0x28]), Buffer.from(`"}\n${lines.slice(1).join('\n')}\n`)]);
        return (await encodeContent(content)).bytes;
      },
      'schema',
    ],
    [
      'missing consent receipt',
      async () => {
        const { manifest, lines } = contentOf(valid);
        delete manifest['consent'];
        return reencode(manifest, lines);
      },
      'no-consent',
    ],
    [
      "events outside the receipt's categories",
      async () => {
        const { manifest, lines } = contentOf(valid);
        manifest['consent'] = { ...(manifest['consent'] as object), categories: receiptWith(['edits']).categories };
        return reencode(manifest, lines);
      },
      'no-consent',
    ],
    [
      'counts that do not match the events',
      async () => {
        const { manifest, lines } = contentOf(valid);
        return reencode(manifest, lines.slice(0, -1));
      },
      'counts',
    ],
    [
      'a checkpoint the replay does not reach',
      async () => {
        const { manifest, lines } = contentOf(valid);
        return reencode(manifest, lines.map((l) => (l.includes('"t":"ckpt"') ? l.replace(/"h":"[0-9a-f]{64}"/, `"h":"${'0'.repeat(64)}"`) : l)));
      },
      'replay-mismatch',
    ],
    ['over the body limit', () => Promise.resolve(Buffer.alloc(LIMITS.maxFileBytes + 1, 0x41)), 'body-too-large'],
  ];

  for (const [name, make, reason] of handMade) {
    it(`hand-made: ${name} → 4xx ${reason}, nothing stored`, async () => {
      await expectRejected(await make(), reason);
      await assertNothingStored();
    });
  }

  it('hand-made: a wrong hash in the URL → 400 hash-mismatch', async () => {
    await expectRejected(valid.bytes, 'hash-mismatch', 'a'.repeat(64));
    await expectRejected(valid.bytes, 'bad-id', 'not-a-hash');
    await assertNothingStored();
  });

  it('hand-made: a secret inside → accepted but quarantined (202), never served to the lead', async () => {
    const b = await secretBundle(7);
    const r = await upload(c, token, b.bytes);
    assert.equal(r.status, 202);
    assert.equal(r.json()['status'], 'quarantined');
    accepted++;
    await assertNothingStored();
  });

  it(`generated: ${4 * 260} mutated uploads (fast-check), each refused exactly when the shared reader refuses it`, async () => {
    const { manifest, lines } = contentOf(valid);
    let count = 0;
    const check = async (bytes: Buffer): Promise<void> => {
      count++;
      let readerOk = true;
      try {
        await readBundle(bytes, LIMITS);
      } catch {
        readerOk = false;
      }
      if (readerOk) {
        // A mutation the format cannot see (e.g. deflate padding bits): a valid bundle, stored once.
        const r = await upload(c, token, bytes);
        assert.ok(r.status === 201 || r.status === 200 || r.status === 409 || r.status === 400, `valid mutant got ${r.status}`);
        if (r.status === 201) {
          accepted++;
        }
      } else {
        await expectRejected(bytes);
      }
    };
    // 1. Random bytes, sometimes behind a valid-looking header.
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), fc.boolean(), async (raw, withHeader) => {
        const body = withHeader ? Buffer.concat([Buffer.from(`CANDOR-BUNDLE 1 ${raw.length} ${sha256(raw)}\n`), Buffer.from(raw)]) : Buffer.from(raw);
        await check(body);
      }),
      { numRuns: 260 },
    );
    // 2. Bit flips and truncations of a valid bundle.
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.integer({ min: 0, max: 7 }), fc.boolean(), async (at, bit, truncate) => {
        const bytes = Buffer.from(valid.bytes);
        const k = at % bytes.length;
        if (truncate) {
          await check(bytes.subarray(0, k));
        } else {
          bytes[k] ^= 1 << bit;
          await check(bytes);
        }
      }),
      { numRuns: 260 },
    );
    // 3. Schema mutations of an event line, re-framed with correct hashes and sizes (so they reach the validators).
    const junk = fc.oneof(fc.constant(null), fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant([]), fc.constant({}), fc.constant('/etc/passwd'), fc.constant('../x'));
    await fc.assert(
      fc.asyncProperty(fc.nat(lines.length - 1), fc.constantFrom('add', 'drop', 'retype', 'break'), fc.string({ minLength: 1, maxLength: 8 }), junk, async (li, op, key, value) => {
        const event = JSON.parse(lines[li]) as Record<string, unknown>;
        const keys = Object.keys(event);
        const target = keys[key.length % keys.length];
        let line: string;
        if (op === 'add') {
          event[`x_${key}`] = value;
          line = JSON.stringify(event);
        } else if (op === 'drop') {
          delete event[target];
          line = JSON.stringify(event);
        } else if (op === 'retype') {
          event[target] = typeof event[target] === 'string' ? 12345 : [value];
          line = JSON.stringify(event);
        } else {
          line = lines[li].slice(0, key.length % lines[li].length);
        }
        const next = [...lines];
        next[li] = line;
        await check(await reencode(manifest, next));
      }),
      { numRuns: 260 },
    );
    // 4. Manifest mutations: a field removed, retyped or added.
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.constantFrom('drop', 'retype', 'add'), junk, async (k, op, value) => {
        const m = JSON.parse(JSON.stringify(manifest)) as Record<string, unknown>;
        const keys = Object.keys(m);
        const target = keys[k % keys.length];
        if (op === 'drop') {
          delete m[target];
        } else if (op === 'retype') {
          m[target] = value === m[target] ? 'other' : value;
        } else {
          m[`extra${k % 10}`] = value;
        }
        await check(await reencode(m, lines));
      }),
      { numRuns: 260 },
    );
    assert.ok(count >= 1000, `${count} generated uploads`);
    await assertNothingStored();
  });

  it('keeps serving after all of it', async () => {
    assert.equal((await http('GET', `${c.url}/v1/health`)).status, 200);
    const b = await uniqueBundle(99);
    assert.equal((await upload(c, token, b.bytes)).status, 201);
    accepted++;
    await assertNothingStored();
  });
});
