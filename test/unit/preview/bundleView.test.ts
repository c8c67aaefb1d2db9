import * as assert from 'node:assert/strict';
import { buildBundle } from '../../../src/bundle/build';
import { BundleError } from '../../../src/bundle/errors';
import type { LoggedEvent } from '../../../src/model/events';
import { replayEvents } from '../../../src/replay/replay';
import { BundleView } from '../../../src/preview/bundleView';
import { answerViewRequest } from '../../../src/preview/viewWorker';
import { parsePreviewHostMessage } from '../../../src/preview/protocol';
import { inputOf, sampleEvents } from '../bundle/helpers';

async function bundleOf(events: readonly LoggedEvent[]): Promise<{ bytes: Uint8Array; sha256: string }> {
  const built = await buildBundle(inputOf(events));
  return { bytes: new Uint8Array(built.bytes), sha256: built.sha256 };
}

describe('preview bundle view (read back from the bytes)', () => {
  let view: BundleView;
  let sha256: string;
  let bytes: Uint8Array;
  const { events, seqs } = sampleEvents();

  before(async () => {
    ({ bytes, sha256 } = await bundleOf(events));
    view = await BundleView.load(bytes, sha256);
  });

  it('summarises what the manifest says, with the file hash and size', () => {
    const s = view.summary;
    assert.equal(s.sha256, sha256);
    assert.equal(s.sizeBytes, bytes.length);
    assert.equal(s.events, events.length);
    assert.equal(s.byType.reduce((n, t) => n + t.count, 0), events.length);
    assert.deepEqual(new Set(s.files.map((f) => f.path)), new Set(view.manifest.files.map((f) => f.f)));
    assert.deepEqual(s.consent.categories, view.manifest.consent.categories);
    // The summary is exactly what the webview accepts.
    assert.ok(parsePreviewHostMessage({ type: 'bundle', summary: s, info: { selection: 'x', destination: 'y', status: 'reviewing', canUndo: false } }));
  });

  it('refuses bytes that do not hash to the expected SHA-256', async () => {
    await assert.rejects(BundleView.load(bytes, 'f'.repeat(64)), (e: unknown) => BundleError.is(e, 'hash-mismatch'));
    const damaged = bytes.slice();
    damaged[damaged.length - 20] ^= 0xff;
    await assert.rejects(BundleView.load(damaged), (e: unknown) => BundleError.is(e));
  });

  it('gives one row per event, in seq order, in any chunking', () => {
    assert.equal(view.total, events.length);
    const all = [...view.rows(0, 3), ...view.rows(3, 1000)];
    assert.deepEqual(all.map((r) => r[0]), events.map((e) => e.seq));
    assert.deepEqual(view.rows(-5, 2), view.rows(0, 2));
    assert.deepEqual(view.rows(1e9, 10), []);
    for (const r of all) {
      const file = r[3];
      assert.ok(file === -1 || view.summary.files[file] !== undefined);
      assert.ok(view.summary.types[r[2]] !== undefined);
    }
  });

  it('returns an event body as pretty JSON of what the bundle holds', () => {
    const body = view.body(seqs['edit2']);
    assert.ok(body);
    assert.deepEqual(JSON.parse(body) as unknown, { seq: seqs['edit2'], ...events.find((e) => e.seq === seqs['edit2'])!.event });
    assert.equal(view.body(99_999), undefined);
  });

  it('searches every string of every event, case-insensitively', () => {
    assert.deepEqual(view.search('NPM TEST'), [events.find((e) => e.event.t === 'term')!.seq]);
    assert.ok(view.search('src/a.ts').length >= 5);
    assert.deepEqual(view.search('no such text anywhere'), []);
  });

  it('lists the versions of a document and replays each one from the bundle', () => {
    const versions = view.versions('src/a.ts');
    assert.deepEqual(versions.map((v) => v[0]), [1, 2, 3, 4]);
    for (let k = 0; k < versions.length; k++) {
      const expected = replayEvents(events, { file: 'src/a.ts', untilSeq: versions[k][1] }).documents[0].text;
      assert.equal(view.versionText('src/a.ts', k), expected, `version #${k + 1}`);
    }
    // Backwards after forwards restarts the replay and still gives the right text.
    assert.equal(view.versionText('src/a.ts', 0), 'line one\r\nline 😀 two\r\n');
    assert.throws(() => view.versionText('src/a.ts', 99), /no version #100/);
    assert.deepEqual(view.versions('docs/readme.md').map((v) => v[0]), [3]);
  });

  it('diffs two versions line by line', () => {
    const parts = view.diff('src/a.ts', 0, 3);
    assert.equal(parts.filter((p) => p[0] !== 1).map((p) => p[1]).join(''), view.versionText('src/a.ts', 0));
    assert.equal(parts.filter((p) => p[0] !== -1).map((p) => p[1]).join(''), view.versionText('src/a.ts', 3));
    assert.deepEqual(parts[0], [1, '// head\n']);
  });

  it('answers worker requests, and errors as messages (never throws)', async () => {
    const holder: { view: BundleView | undefined } = { view: undefined };
    assert.deepEqual(await answerViewRequest(holder, { id: 1, op: 'rows', args: { offset: 0, count: 1 } }), { id: 1, ok: false, message: 'no bundle is loaded' });
    const copy = bytes.slice();
    const loaded = await answerViewRequest(holder, { id: 2, op: 'load', args: { bytes: copy.buffer, expectedSha256: sha256 } });
    assert.equal(loaded.ok, true);
    const rows = await answerViewRequest(holder, { id: 3, op: 'rows', args: { offset: 0, count: 2 } });
    assert.deepEqual(rows, { id: 3, ok: true, result: view.rows(0, 2) });
    const missing = await answerViewRequest(holder, { id: 4, op: 'versionText', args: { file: 'nope.ts', index: 0 } });
    assert.equal(missing.ok, false);
    const bad = await answerViewRequest(holder, { id: 5, op: 'load', args: { bytes: new Uint8Array([1, 2, 3]).buffer, expectedSha256: sha256 } });
    assert.equal(bad.ok, false);
    assert.ok(!bad.ok && bad.code === 'hash-mismatch');
  });
});
