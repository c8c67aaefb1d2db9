import * as assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { buildBundle } from '../../../src/bundle/build';
import type { BuiltBundle } from '../../../src/bundle/build';
import { BundleError } from '../../../src/bundle/errors';
import type { BundleErrorCode } from '../../../src/bundle/errors';
import { encodeContent, GZIP_HEADER, readBundle, readHeader, sha256 } from '../../../src/bundle/format';
import { canonicalJson, eventLine } from '../../../src/bundle/json';
import type { BundleManifest } from '../../../src/bundle/types';
import type { LoggedEvent } from '../../../src/model/events';
import { CREATED_AT, inputOf, sampleEvents, testReceipt } from './helpers';

async function rejects(p: Promise<unknown>, code: BundleErrorCode, message?: RegExp): Promise<BundleError> {
  try {
    await p;
  } catch (err) {
    assert.ok(BundleError.is(err), `expected a BundleError, got ${String(err)}`);
    assert.equal(err.code, code, `expected ${code}, got ${err.code}: ${err.message}`);
    if (message !== undefined) {
      assert.match(err.message, message);
    }
    return err;
  }
  assert.fail(`expected BundleError(${code})`);
}

/** Splits a built file into its header line and the content, for crafting variants. */
function contentOf(bytes: Uint8Array): { header: string; content: Buffer } {
  const lf = Buffer.from(bytes).indexOf(0x0a);
  return { header: Buffer.from(bytes.subarray(0, lf)).toString('latin1'), content: zlib.gunzipSync(bytes.subarray(lf + 1)) };
}

/** Re-encodes a (possibly tampered) content as a well-formed file, header hash included. */
async function reencode(content: string | Buffer): Promise<Buffer> {
  return (await encodeContent(Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8'))).bytes;
}

/** Replaces the manifest line of `bytes` by `edit(manifest)`, keeping everything else consistent. */
async function withManifest(bytes: Uint8Array, edit: (m: Record<string, unknown>) => unknown): Promise<Buffer> {
  const text = contentOf(bytes).content.toString('utf8');
  const lf = text.indexOf('\n');
  const manifest = JSON.parse(text.slice(0, lf)) as Record<string, unknown>;
  return reencode(`${canonicalJson(edit(manifest))}${text.slice(lf)}`);
}

describe('bundle format', () => {
  let sample: LoggedEvent[];
  let built: BuiltBundle;

  before(async () => {
    sample = sampleEvents().events;
    built = await buildBundle(inputOf(sample));
  });

  describe('layout', () => {
    it('starts with the header line, then one fixed-header gzip member', () => {
      const { header, content } = contentOf(built.bytes);
      assert.match(header, /^CANDOR-BUNDLE 1 \d+ [0-9a-f]{64}$/);
      const [, , size, id] = header.split(' ');
      assert.equal(Number(size), content.length);
      assert.equal(id, sha256(content));
      assert.equal(id, built.id);
      const lf = built.bytes.indexOf(0x0a);
      assert.deepEqual([...built.bytes.subarray(lf + 1, lf + 11)], GZIP_HEADER);
      assert.equal(built.sha256, sha256(built.bytes));
    });

    it('holds the canonical manifest line, then one line per event in seq order', () => {
      const lines = contentOf(built.bytes).content.toString('utf8').split('\n');
      assert.equal(lines.pop(), '', 'the content ends with LF');
      assert.equal(lines[0], canonicalJson(built.manifest));
      assert.deepEqual(lines.slice(1), sample.map(eventLine));
      assert.match(lines[1], /^\{"seq":1,"t":"session","ts":\d+,"cats":/);
    });

    it('is readable with stock gzip (tail -n +2 | gunzip)', () => {
      const lf = built.bytes.indexOf(0x0a);
      const content = zlib.gunzipSync(built.bytes.subarray(lf + 1));
      assert.equal(sha256(content), built.id);
    });
  });

  describe('round trip', () => {
    it('reads back the manifest and the events exactly', async () => {
      const read = await readBundle(built.bytes);
      assert.deepEqual(read.events, sample);
      assert.deepEqual(read.manifest, JSON.parse(JSON.stringify(built.manifest)));
      assert.equal(read.id, built.id);
      assert.equal(read.sha256, built.sha256);
    });

    it('fills the manifest: counts, files, range, source, consent', () => {
      const m = built.manifest;
      assert.equal(m.format, 1);
      assert.equal(m.createdAt, CREATED_AT);
      assert.deepEqual(m.consent, testReceipt());
      assert.equal(m.counts.events, sample.length);
      assert.deepEqual(m.counts.byType, { session: 2, snap: 2, edit: 5, ckpt: 3, sel: 1, focus: 2, file: 2, term: 1, task: 1, debug: 1, git: 1, cmd: 1, drop: 1 });
      assert.deepEqual(m.files, [
        { f: 'docs/b b.md', events: 3 },
        { f: 'docs/readme.md', events: 3 },
        { f: 'src/a.ts', events: 9 },
      ]);
      assert.deepEqual(m.source, { sessions: ['s1'], firstSeq: 1, lastSeq: sample.length });
      assert.deepEqual(m.range, { firstTs: sample[0].event.ts, lastTs: sample[sample.length - 1].event.ts });
    });

    it('reads an empty bundle (every event dropped)', async () => {
      const empty = await buildBundle(inputOf([]));
      const read = await readBundle(empty.bytes);
      assert.deepEqual(read.events, []);
      assert.equal(read.manifest.range, undefined);
      assert.deepEqual(read.manifest.source, { sessions: [] });
    });
  });

  describe('determinism', () => {
    it('builds the same bytes twice from the same inputs', async () => {
      const again = await buildBundle(inputOf(sampleEvents().events));
      assert.ok(Buffer.from(again.bytes).equals(built.bytes));
      assert.equal(again.sha256, built.sha256);
    });

    it('does not depend on the key order of the input events or receipt', async () => {
      const shuffled = sample.map((e) => ({ seq: e.seq, event: Object.fromEntries(Object.entries(e.event).reverse()) as unknown as LoggedEvent['event'] }));
      const r = testReceipt();
      const receipt = { workspaceId: r.workspaceId, grantedAt: r.grantedAt, categories: r.categories, extensionVersion: r.extensionVersion, policyVersion: r.policyVersion };
      const again = await buildBundle(inputOf(shuffled, { receipt, createdAt: new Date(CREATED_AT) }));
      assert.ok(Buffer.from(again.bytes).equals(built.bytes));
    });

    it('changes with createdAt', async () => {
      const later = await buildBundle(inputOf(sample, { createdAt: '2025-12-01T00:00:00.000Z' }));
      assert.notEqual(later.sha256, built.sha256);
    });
  });

  describe('rejecting damage', () => {
    it('rejects every single flipped byte, in the header and in the compressed body', async () => {
      const small = await buildBundle(inputOf(sample.slice(0, 8)));
      const accepted: { k: number; mask: number }[] = [];
      for (let k = 0; k < small.bytes.length; k++) {
        for (const mask of [0x01, 0x80, 0xff]) {
          const bad = Buffer.from(small.bytes);
          bad[k] ^= mask;
          try {
            await readBundle(bad);
            accepted.push({ k, mask });
          } catch (err) {
            assert.ok(BundleError.is(err), `byte ${k}: ${String(err)}`);
          }
        }
      }
      // Deflate ignores the padding bits after its last block, so a flip there inflates to the
      // same content: only the file hash (`expectedSha256`, checked on upload) can see it.
      const lastDeflateByte = small.bytes.length - 9;
      for (const { k, mask } of accepted) {
        assert.equal(k, lastDeflateByte, `accepted a flip outside the deflate padding: byte ${k} ^ 0x${mask.toString(16)}`);
        const bad = Buffer.from(small.bytes);
        bad[k] ^= mask;
        await rejects(readBundle(bad, { expectedSha256: small.sha256 }), 'hash-mismatch');
      }
      assert.ok(accepted.length <= 1, `${accepted.length} flips accepted`);
    });

    it('classifies header damage', async () => {
      const b = Buffer.from(built.bytes);
      await rejects(readBundle(Buffer.concat([Buffer.from('PK\x03\x04'), b])), 'bad-magic');
      await rejects(readBundle(Buffer.from('candor-bundle 1 5 x\n')), 'bad-magic');
      await rejects(readBundle(Buffer.from('CANDOR-BUN')), 'truncated');
      await rejects(readBundle(Buffer.from('CANDOR-BUNDLE 1 123')), 'truncated');
      await rejects(readBundle(Buffer.from(`CANDOR-BUNDLE 1 12 ${'a'.repeat(63)}\n`)), 'bad-header');
      await rejects(readBundle(Buffer.from(`CANDOR-BUNDLE 1 012 ${'a'.repeat(64)}\n`)), 'bad-header');
      await rejects(readBundle(Buffer.from(`CANDOR-BUNDLE 1 ${' '.repeat(200)}`)), 'bad-header');
    });

    it('rejects a truncated file wherever it is cut', async () => {
      const lf = built.bytes.indexOf(0x0a);
      for (const cut of [5, lf, lf + 1, lf + 5, lf + 11, lf + 40, built.bytes.length - 8, built.bytes.length - 3, built.bytes.length - 1]) {
        await rejects(readBundle(built.bytes.subarray(0, cut)), 'truncated');
      }
    });

    it('rejects bytes after the gzip member', async () => {
      await rejects(readBundle(Buffer.concat([built.bytes, Buffer.from([0, 0, 0, 0])])), 'corrupt', /after the end/);
      await rejects(readBundle(Buffer.concat([built.bytes, built.bytes.subarray(built.bytes.indexOf(0x0a) + 1)])), 'corrupt');
    });

    it('rejects a wrong hash: content tampered, header hash kept', async () => {
      const { header, content } = contentOf(built.bytes);
      const tampered = Buffer.from(content.toString('utf8').replace('npm test', 'rm -rf /'), 'utf8');
      const file = await reencode(tampered);
      const lf = file.indexOf(0x0a);
      const forged = Buffer.concat([Buffer.from(`${header}\n`), file.subarray(lf + 1)]);
      await rejects(readBundle(forged), 'hash-mismatch');
    });

    it('rejects a file whose SHA-256 is not the expected one', async () => {
      await rejects(readBundle(built.bytes, { expectedSha256: sha256('something else') }), 'hash-mismatch');
      await readBundle(built.bytes, { expectedSha256: built.sha256.toUpperCase() });
    });

    it('rejects an unknown format version with a clear message', async () => {
      const v2 = Buffer.from(Buffer.from(built.bytes).toString('latin1').replace(/^CANDOR-BUNDLE 1 /, 'CANDOR-BUNDLE 2 '), 'latin1');
      await rejects(readBundle(v2), 'unknown-version', /version 2 is not supported.*reads version 1/);
      await rejects(readBundle(Buffer.from('CANDOR-BUNDLE 17\nwhatever')), 'unknown-version');
    });
  });

  describe('size limits', () => {
    it('rejects a header claiming 1 GB without inflating anything', async () => {
      const { content } = contentOf(built.bytes);
      const lf = built.bytes.indexOf(0x0a);
      const claim = Buffer.from(`CANDOR-BUNDLE 1 ${2 ** 30} ${sha256(content)}\n`);
      const file = Buffer.concat([claim, built.bytes.subarray(lf + 1)]);
      const before = process.memoryUsage().arrayBuffers;
      await rejects(readBundle(file), 'too-large', /declares 1073741824 bytes/);
      assert.ok(process.memoryUsage().arrayBuffers - before < 64 * 1024 * 1024);
    });

    it('rejects a gzip bomb that inflates past its declared size', async () => {
      // 20 MB of zeros deflate to ~20 KB; the header claims 1 KB.
      const zeros = Buffer.alloc(20 * 1024 * 1024);
      const deflated = zlib.deflateRawSync(zeros, { level: 9 });
      assert.ok(deflated.length < 64 * 1024);
      const trailer = Buffer.alloc(8);
      trailer.writeUInt32LE(zlib.crc32(zeros), 0);
      trailer.writeUInt32LE(zeros.length, 4);
      const file = Buffer.concat([Buffer.from(`CANDOR-BUNDLE 1 1024 ${sha256(zeros)}\n`), Buffer.from(GZIP_HEADER), deflated, trailer]);
      await rejects(readBundle(file), 'too-large', /inflates beyond the 1024 bytes/);
    });

    it('rejects a bomb that declares its real size when that is past the limit', async () => {
      const zeros = Buffer.alloc(20 * 1024 * 1024);
      const file = (await encodeContent(zeros)).bytes;
      assert.ok(file.length < 64 * 1024);
      await rejects(readBundle(file, { maxContentBytes: 1024 * 1024 }), 'too-large');
    });

    it('rejects a file past maxFileBytes and a manifest past maxEvents', async () => {
      await rejects(readBundle(built.bytes, { maxFileBytes: 100 }), 'too-large');
      await rejects(readBundle(built.bytes, { maxEvents: 5 }), 'too-large', /declares 23 events/);
    });

    it('parses the header without reading past it', () => {
      const h = readHeader(built.bytes);
      assert.equal(h.id, built.id);
    });
  });

  describe('validation', () => {
    it('rejects a bundle without a consent receipt', async () => {
      const file = await withManifest(built.bytes, ({ consent: _c, ...rest }) => rest);
      await rejects(readBundle(file), 'no-consent', /no consent receipt/);
      await rejects(buildBundle(inputOf(sample, { receipt: undefined })), 'no-consent');
    });

    it('rejects a receipt that does not cover an event', async () => {
      const file = await withManifest(built.bytes, (m) => ({ ...m, consent: testReceipt(['edits']) }));
      await rejects(readBundle(file), 'no-consent', /'focus' event needs the 'navigation' category/);
      const noOutput = await withManifest(built.bytes, (m) => ({ ...m, consent: testReceipt(['edits', 'navigation', 'files', 'terminalCommands', 'tools']) }));
      await rejects(readBundle(noOutput), 'no-consent', /terminalOutput/);
    });

    it('rejects counts that do not match the events', async () => {
      const m = built.manifest;
      const cases: ((x: Record<string, unknown>) => unknown)[] = [
        (x) => ({ ...x, counts: { ...m.counts, byType: { ...m.counts.byType, edit: 4, ckpt: 4 } } }),
        (x) => ({ ...x, files: m.files.slice(1) }),
        (x) => ({ ...x, range: { firstTs: m.range!.firstTs - 1, lastTs: m.range!.lastTs } }),
        (x) => ({ ...x, source: { ...m.source, sessions: [] } }),
      ];
      for (const edit of cases) {
        await rejects(readBundle(await withManifest(built.bytes, edit)), 'counts');
      }
      await rejects(readBundle(await withManifest(built.bytes, (x) => ({ ...x, counts: { ...m.counts, events: 22 } }))), 'counts', /declares 22 events/);
    });

    it('rejects unknown or mistyped manifest fields', async () => {
      const cases: ((x: Record<string, unknown>) => unknown)[] = [
        (x) => ({ ...x, extra: 1 }),
        (x) => ({ ...x, format: 2 }),
        (x) => ({ ...x, createdAt: '2025-11-30' }),
        (x) => ({ ...x, consent: { ...testReceipt(), categories: [] } }),
        (x) => ({ ...x, consent: { ...testReceipt(), categories: ['edits', 'keystrokes'] } }),
        (x) => ({ ...x, reviewerActions: [{ action: 'drop-all', detail: '', at: CREATED_AT, removed: 0 }] }),
        (x) => ({ ...x, redaction: { engine: 'x', findings: [], eventsChanged: -1 } }),
      ];
      for (const edit of cases) {
        await rejects(readBundle(await withManifest(built.bytes, edit)), 'schema');
      }
    });

    it('rejects event lines that are not exactly an event', async () => {
      const { content } = contentOf(built.bytes);
      const text = content.toString('utf8');
      const lines = text.split('\n');
      const bad = async (k: number, line: string, pattern: RegExp): Promise<void> => {
        const copy = [...lines];
        copy[k] = line;
        const err = await rejects(readBundle(await reencode(copy.join('\n'))), 'schema', pattern);
        assert.equal(err.line, k + 1);
      };
      await bad(4, lines[4].replace('"c":', '"extra":1,"c":'), /field 'extra' is not part of a 'edit' event/);
      await bad(4, lines[4].replace(/"v":\d+/, '"v":-1'), /\$\.v: must be integer >= 0/);
      await bad(4, lines[4].replace('"f":"src/a.ts"', '"f":"/home/me/src/a.ts"'), /workspace-relative path/);
      await bad(4, lines[4].replace('"t":"edit"', '"t":"keystroke"'), /unknown event type/);
      await bad(4, '{"seq":4,"t":"edit"', /not valid JSON/);
      await bad(4, lines[4].replace('"seq":4', '"seq":2'), /seqs must increase/);
      await bad(13, lines[13].replace(',"to":"docs/readme.md"', ''), /'to' is required for a rename/);
      await bad(4, lines[4].replace('"c":', '"__proto__":{},"c":'), /'__proto__' is not part/);
      await rejects(readBundle(await reencode(`${text}\n`)), 'counts');
      await rejects(readBundle(await reencode(text.slice(0, -1))), 'schema', /end with a line feed/);
      await rejects(readBundle(await reencode(Buffer.concat([content, Buffer.from([0xff, 0x0a])]))), 'schema', /UTF-8/);
    });

    it('refuses to build from invalid input events', async () => {
      const bad = [...sample];
      bad[3] = { seq: 4, event: { ...sample[3].event, f: 'C:/abs' } as LoggedEvent['event'] };
      await rejects(buildBundle(inputOf(bad)), 'bad-input', /seq 4/);
    });
  });

  describe('BundleError', () => {
    it('is() recognises the brand and the code', () => {
      const err = new BundleError('schema', 'x');
      assert.ok(BundleError.is(err));
      assert.ok(BundleError.is(err, 'schema'));
      assert.ok(!BundleError.is(err, 'counts'));
      assert.ok(BundleError.is({ isBundleError: true, code: 'counts' }));
      assert.ok(!BundleError.is(new Error('schema')));
    });
  });

  it('keeps the manifest type in step with what the reader accepts', () => {
    const m: BundleManifest = built.manifest;
    assert.equal(typeof m.redaction.engine, 'string');
  });
});
