import * as assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { sha256Hex } from '../../../src/replay/hash';
import type { BuildSpec } from '../../../src/preview/buildSpec';
import { parseBuildSpec, parsePreviewRange, selectionOf, workerParams } from '../../../src/preview/buildSpec';
import { writeFileAtomic } from '../../../src/util/files';
import type { ApprovalReceipt } from '../../../src/upload/outbox';
import { Outbox, OutboxError } from '../../../src/upload/outbox';
import { sha256Of } from '../../../src/util/digest';
import { PreviewStore } from '../../../src/preview/previewStore';
import { testReceipt } from '../bundle/helpers';

describe('preview files: outbox, stored preview, build spec', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'candor-preview-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const bytes = new TextEncoder().encode('CANDOR-BUNDLE pretend bytes');
  const receipt = (over: Partial<ApprovalReceipt> = {}): ApprovalReceipt => ({
    sha256: sha256Of(bytes),
    sizeBytes: bytes.length,
    approvedAt: '2025-11-30T18:00:00.000Z',
    events: 3,
    id: 'c'.repeat(64),
    destination: 'the outbox folder',
    ...over,
  });

  it('writes atomically, leaving no temporary file behind', async () => {
    const file = path.join(dir, 'sub', 'x.bin');
    await writeFileAtomic(file, bytes);
    await writeFileAtomic(file, 'second');
    assert.equal(await readFile(file, 'utf8'), 'second');
    assert.deepEqual(await readdir(path.dirname(file)), ['x.bin']);
  });

  it('adds exactly the approved bytes with a receipt, and lists them', async () => {
    const outbox = new Outbox(path.join(dir, 'outbox'));
    const entry = await outbox.add(bytes, receipt());
    assert.equal(entry.file, path.join(dir, 'outbox', `${sha256Of(bytes)}.candor`));
    assert.equal(sha256Of(await readFile(entry.file)), sha256Of(bytes));
    assert.deepEqual(JSON.parse(await readFile(entry.file.replace(/\.candor$/, '.json'), 'utf8')), receipt());
    assert.deepEqual(await outbox.list(), [entry]);
    assert.ok(Buffer.from((await outbox.read(sha256Of(bytes)))!).equals(Buffer.from(bytes)));
    assert.equal(await outbox.read('0'.repeat(64)), undefined);
  });

  it('refuses bytes that are not the approved ones', async () => {
    const outbox = new Outbox(path.join(dir, 'outbox'));
    await assert.rejects(outbox.add(bytes, receipt({ sha256: 'd'.repeat(64) })), (e: unknown) => OutboxError.is(e));
    await assert.rejects(outbox.add(bytes, receipt({ sizeBytes: 1 })), (e: unknown) => OutboxError.is(e));
    assert.deepEqual(await outbox.list(), []);
  });

  it('does not list a damaged receipt or read a tampered bundle', async () => {
    const outbox = new Outbox(path.join(dir, 'outbox'));
    const entry = await outbox.add(bytes, receipt());
    await writeFile(entry.file.replace(/\.candor$/, '.json'), '{ not json');
    assert.deepEqual(await outbox.list(), []);
    await writeFile(entry.file, 'tampered');
    assert.equal(await outbox.read(sha256Of(bytes)), undefined);
  });

  const spec: BuildSpec = {
    label: 'Everything not yet shared',
    selection: { to: 1000 },
    receipt: testReceipt(),
    createdAt: '2025-11-30T18:00:00.000Z',
    extensionVersion: '0.1.0',
    policyVersion: 'p',
    exclusions: ['.env*'],
    reviewerActions: [{ action: 'redact-everywhere', text: 'hunter2', at: '2025-11-30T18:01:00.000Z' }],
  };

  it('keeps the previewed bytes and their spec for a reload, checked by hash', async () => {
    const store = new PreviewStore(path.join(dir, 'preview'));
    assert.equal(await store.load(), undefined);
    await store.save(bytes, sha256Of(bytes), spec);
    const loaded = await store.load();
    assert.ok(loaded);
    assert.equal(loaded.sha256, sha256Of(bytes));
    assert.ok(Buffer.from(loaded.bytes).equals(Buffer.from(bytes)));
    assert.deepEqual(loaded.spec, spec);
    assert.ok(await store.load(sha256Of(bytes)));
    assert.equal(await store.load('e'.repeat(64)), undefined, 'another hash was asked for');
    await writeFile(path.join(dir, 'preview', 'current.candor'), 'changed');
    assert.equal(await store.load(), undefined, 'the bytes no longer match the hash');
    await store.clear();
    assert.deepEqual(await readdir(path.join(dir, 'preview')), []);
  });

  it('validates the command argument and freezes the selection', () => {
    assert.deepEqual(parsePreviewRange({ range: 'all' }), { range: 'all' });
    assert.deepEqual(parsePreviewRange({ range: 'time', from: 1, to: 2 }), { range: 'time', from: 1, to: 2 });
    assert.deepEqual(parsePreviewRange({ range: 'session', sessionId: 's1' }), { range: 'session', sessionId: 's1' });
    for (const bad of [undefined, null, 'all', {}, { range: 'time', from: 2, to: 1 }, { range: 'session', sessionId: '' }, { range: 'everything' }]) {
      assert.equal(parsePreviewRange(bad), undefined, JSON.stringify(bad));
    }
    assert.deepEqual(selectionOf({ range: 'all' }, 500), { to: 500 });
    assert.deepEqual(selectionOf({ range: 'time', from: 1, to: 9999 }, 500), { from: 1, to: 500 });
    assert.deepEqual(selectionOf({ range: 'session', sessionId: 's' }, 500), { sessionId: 's', to: 500 });
    const params = workerParams('/log', spec, { workspaceRoots: ['/ws'] });
    assert.deepEqual(params.source, { kind: 'log', dir: '/log', selection: { to: 1000 } });
    assert.deepEqual(params.params.reviewerActions, spec.reviewerActions);
    assert.equal(params.redactorModule, undefined, 'the extension never swaps the redactor');
  });

  it('reads back a stored spec and refuses a malformed one', () => {
    assert.deepEqual(parseBuildSpec(JSON.parse(JSON.stringify(spec))), spec);
    assert.equal(parseBuildSpec({ ...spec, selection: {} }), undefined);
    assert.equal(parseBuildSpec({ ...spec, reviewerActions: [1] }), undefined);
    assert.equal(parseBuildSpec(null), undefined);
    assert.equal(sha256Hex('x').length, 64);
  });
});
