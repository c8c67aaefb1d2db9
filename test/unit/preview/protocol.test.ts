import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import type { PreviewSummary } from '../../../src/preview/protocol';
import { parsePreviewHostMessage, parsePreviewMessage, PREVIEW_LIMITS } from '../../../src/preview/protocol';

const SHA = 'a'.repeat(64);

const SUMMARY: PreviewSummary = {
  sha256: SHA,
  id: 'b'.repeat(64),
  sizeBytes: 1000,
  contentBytes: 5000,
  createdAt: '2025-11-30T18:00:00.000Z',
  extensionVersion: '0.1.0',
  policyVersion: 'p',
  events: 2,
  types: ['edit'],
  byType: [{ type: 'edit', count: 2 }],
  files: [{ path: 'a.ts', events: 2 }],
  range: { firstTs: 1, lastTs: 2 },
  consent: { categories: ['edits'], grantedAt: '2025-11-30T08:00:00.000Z', policyVersion: 'p', extensionVersion: '0.1.0' },
  redaction: { engine: 'candor-redact 1', eventsChanged: 0, findings: [{ rule: 'github-pat', kind: 'secret', values: 1, occurrences: 2 }] },
  exclusions: { patterns: 3, events: 0, outsideConsent: 0 },
  reviewerActions: [{ action: 'drop-event', detail: 'seqs 3', at: '2025-11-30T18:05:00.000Z', removed: 1 }],
};

describe('preview protocol: webview → host', () => {
  const valid: unknown[] = [
    { type: 'ready' },
    { type: 'body', id: 1, seq: 5 },
    { type: 'search', id: 2, query: 'token' },
    { type: 'versions', id: 3, file: 'src/a.ts' },
    { type: 'versionText', id: 4, file: 'src/a.ts', index: 0 },
    { type: 'diff', id: 5, file: 'src/a.ts', from: 0, to: 3 },
    { type: 'dropEvent', id: 6, seqs: [1, 2] },
    { type: 'dropFile', id: 7, file: 'src/a.ts' },
    { type: 'dropRange', id: 8, fromTs: 10, toTs: 10 },
    { type: 'redact', id: 9, text: 'hunter2' },
    { type: 'undo', id: 10 },
    { type: 'approve', id: 11, sha256: SHA },
    { type: 'save', id: 12, sha256: SHA },
    { type: 'discard', id: 13 },
  ];

  it('accepts every well-formed message as it is', () => {
    for (const m of valid) {
      assert.deepEqual(parsePreviewMessage(m), m, JSON.stringify(m));
    }
  });

  it('drops fields it does not know (nothing unvalidated reaches the host)', () => {
    assert.deepEqual(parsePreviewMessage({ type: 'approve', id: 1, sha256: SHA, sizeBytes: 1, destination: 'https://evil' }), { type: 'approve', id: 1, sha256: SHA });
  });

  it('rejects malformed messages', () => {
    const bad: unknown[] = [
      null,
      undefined,
      'ready',
      [],
      { type: 'ready ' },
      { type: 'body', seq: 1 },
      { type: 'body', id: -1, seq: 1 },
      { type: 'body', id: 1.5, seq: 1 },
      { type: 'body', id: 1, seq: 0 },
      { type: 'body', id: '1', seq: 1 },
      { type: 'search', id: 1, query: '' },
      { type: 'search', id: 1, query: 'x'.repeat(PREVIEW_LIMITS.maxQuery + 1) },
      { type: 'versions', id: 1, file: 7 },
      { type: 'versionText', id: 1, file: 'a', index: -1 },
      { type: 'diff', id: 1, file: 'a', from: 0 },
      { type: 'dropEvent', id: 1, seqs: [] },
      { type: 'dropEvent', id: 1, seqs: [1, 'x'] },
      { type: 'dropEvent', id: 1, seqs: new Array(PREVIEW_LIMITS.maxSeqs + 1).fill(1) },
      { type: 'dropRange', id: 1, fromTs: 5, toTs: 4 },
      { type: 'dropRange', id: 1, fromTs: -1, toTs: 4 },
      { type: 'dropRange', id: 1, fromTs: 0, toTs: Number.POSITIVE_INFINITY },
      { type: 'redact', id: 1, text: '   ' },
      { type: 'redact', id: 1, text: 'x'.repeat(PREVIEW_LIMITS.maxRedactText + 1) },
      { type: 'approve', id: 1 },
      { type: 'approve', id: 1, sha256: SHA.toUpperCase() },
      { type: 'approve', id: 1, sha256: 'a'.repeat(63) },
      { type: 'save', id: 1, sha256: 5 },
      { type: 'share', id: 1 },
    ];
    for (const m of bad) {
      assert.equal(parsePreviewMessage(m), undefined, JSON.stringify(m));
    }
  });

  it('never throws on arbitrary input (property)', () => {
    fc.assert(fc.property(fc.anything(), (x) => void parsePreviewMessage(x)));
    fc.assert(
      fc.property(fc.constantFrom(...valid.map((m) => (m as { type: string }).type)), fc.dictionary(fc.string(), fc.anything()), (type, rest) => {
        const m = parsePreviewMessage({ ...rest, type });
        if (m !== undefined) {
          assert.equal(m.type, type);
        }
      }),
    );
  });
});

describe('preview protocol: host → webview', () => {
  const valid: unknown[] = [
    { type: 'bundle', summary: SUMMARY, info: { selection: 'All', destination: 'the outbox', status: 'reviewing', canUndo: false } },
    { type: 'rows', sha256: SHA, offset: 0, total: 2, rows: [[1, 10, 0, 0, 'a'], [2, 11, 0, -1, '<b>']] },
    { type: 'status', busy: true, message: 'Rebuilding…' },
    { type: 'closed', message: 'gone' },
    { type: 'body', id: 1, seq: 3, text: '{}' },
    { type: 'searchResult', id: 2, seqs: [1, 2], done: true },
    { type: 'versions', id: 3, file: 'a', versions: [[1, 2, 3]] },
    { type: 'versionText', id: 4, file: 'a', index: 0, text: 'x' },
    { type: 'diff', id: 5, file: 'a', from: 0, to: 1, parts: [[0, 'a\n'], [1, 'b\n'], [-1, 'c\n']] },
    { type: 'done', id: 6, ok: true, message: 'ok' },
    { type: 'error', id: 7, message: 'no' },
  ];

  it('accepts what the host sends', () => {
    for (const m of valid) {
      assert.deepEqual(parsePreviewHostMessage(m), m, JSON.stringify(m).slice(0, 80));
    }
  });

  it('rejects malformed messages, including one bad row in a chunk', () => {
    const bad: unknown[] = [
      { type: 'rows', sha256: SHA, offset: 0, total: 2, rows: [[1, 10, 0, 0, 'a'], [2, 11, 0, -2, 'b']] },
      { type: 'rows', sha256: SHA, offset: 0, total: 1, rows: [[1, 10, 0, 0]] },
      { type: 'bundle', summary: { ...SUMMARY, sha256: 'x' }, info: { selection: '', destination: '', status: 'reviewing', canUndo: false } },
      { type: 'bundle', summary: SUMMARY, info: { selection: '', destination: '', status: 'shared', canUndo: false } },
      { type: 'diff', id: 1, file: 'a', from: 0, to: 1, parts: [[2, 'x']] },
      { type: 'body', id: 1, seq: 1 },
      { type: 'nope' },
    ];
    for (const m of bad) {
      assert.equal(parsePreviewHostMessage(m), undefined, JSON.stringify(m).slice(0, 80));
    }
  });

  it('never throws on arbitrary input (property)', () => {
    fc.assert(fc.property(fc.anything(), (x) => void parsePreviewHostMessage(x)));
  });
});
