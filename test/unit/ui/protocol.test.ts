import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseConsentMessage } from '../../../src/ui/protocol';

describe('consent protocol', () => {
  it('accepts well-formed messages', () => {
    assert.deepEqual(parseConsentMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseConsentMessage({ type: 'accept', categories: ['edits'] }), { type: 'accept', categories: ['edits'] });
  });
  it('rejects anything else', () => {
    for (const bad of [null, 1, 'accept', {}, { type: 'accept' }, { type: 'accept', categories: 'edits' }, { type: 'accept', categories: [1] }, { type: 'grant' }]) {
      assert.equal(parseConsentMessage(bad), undefined, JSON.stringify(bad));
    }
  });
  it('never throws on arbitrary input (property)', () => {
    fc.assert(fc.property(fc.anything(), (x) => {
      parseConsentMessage(x);
    }));
  });
});
