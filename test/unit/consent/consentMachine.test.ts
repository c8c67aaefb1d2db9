import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  INITIAL_CONSENT,
  InvalidConsentTransition,
  granted,
  mayRecord,
  parseConsentSnapshot,
  transition,
  type ConsentAction,
  type ConsentReceipt,
  type ConsentSnapshot,
} from '../../../src/consent/consentMachine';
import { CATEGORIES } from '../../../src/model/events';

const receipt: ConsentReceipt = {
  policyVersion: 'p1',
  categories: ['edits', 'files'],
  grantedAt: '2026-11-30T00:00:00.000Z',
  extensionVersion: '0.1.0',
  workspaceId: 'a'.repeat(64),
};

describe('consent state machine', () => {
  it('walks off → consented → recording ⇄ paused → withdrawn', () => {
    let s: ConsentSnapshot = INITIAL_CONSENT;
    assert.equal(mayRecord(s), false);
    s = transition(s, { type: 'grant', receipt });
    assert.equal(s.state, 'consented');
    assert.equal(mayRecord(s), false, 'consent alone does not record until started');
    s = transition(s, { type: 'start' });
    assert.equal(s.state, 'recording');
    assert.equal(mayRecord(s), true);
    assert.equal(granted(s, 'edits'), true);
    assert.equal(granted(s, 'terminalOutput'), false);
    s = transition(s, { type: 'pause', reason: 'disk-full' });
    assert.deepEqual([s.state, s.pauseReason], ['paused', 'disk-full']);
    assert.equal(mayRecord(s), false);
    s = transition(s, { type: 'resume' });
    assert.equal(s.state, 'recording');
    s = transition(s, { type: 'withdraw' });
    assert.equal(s.state, 'withdrawn');
    assert.equal(s.receipt, undefined, 'withdrawing forgets the receipt');
    assert.equal(mayRecord(s), false);
    s = transition(s, { type: 'grant', receipt });
    assert.equal(s.state, 'consented', 'consent can be given again');
  });

  it('rejects transitions that skip consent', () => {
    assert.throws(() => transition(INITIAL_CONSENT, { type: 'start' }), (e: unknown) => InvalidConsentTransition.is(e));
    assert.throws(() => transition(INITIAL_CONSENT, { type: 'resume' }), InvalidConsentTransition);
    assert.throws(() => transition({ state: 'withdrawn' }, { type: 'start' }), InvalidConsentTransition);
    assert.throws(() => transition(INITIAL_CONSENT, { type: 'grant', receipt: { ...receipt, categories: [] } }), InvalidConsentTransition);
  });

  it('never records without a grant, whatever the sequence of actions (property)', () => {
    const action = fc.oneof(
      fc.constant<ConsentAction>({ type: 'start' }),
      fc.constant<ConsentAction>({ type: 'resume' }),
      fc.constant<ConsentAction>({ type: 'pause', reason: 'user' }),
      fc.constant<ConsentAction>({ type: 'withdraw' }),
      fc.constant<ConsentAction>({ type: 'grant', receipt }),
    );
    fc.assert(
      fc.property(fc.array(action, { maxLength: 30 }), (actions) => {
        let s: ConsentSnapshot = INITIAL_CONSENT;
        let grantedSinceWithdraw = false;
        for (const a of actions) {
          try {
            s = transition(s, a);
          } catch (e) {
            assert.ok(InvalidConsentTransition.is(e));
            continue;
          }
          if (a.type === 'grant') grantedSinceWithdraw = true;
          if (a.type === 'withdraw') grantedSinceWithdraw = false;
          if (mayRecord(s)) assert.ok(grantedSinceWithdraw);
        }
      }),
      { numRuns: Number(process.env['CANDOR_FC_RUNS'] ?? 500) },
    );
  });

  it('reads stored state defensively: anything malformed is off', () => {
    const cats = CATEGORIES;
    assert.deepEqual(parseConsentSnapshot(undefined, cats), INITIAL_CONSENT);
    assert.deepEqual(parseConsentSnapshot({ state: 'recording' }, cats), INITIAL_CONSENT, 'no receipt');
    assert.deepEqual(parseConsentSnapshot({ state: 'recording', receipt: { ...receipt, categories: ['keylogger'] } }, cats), INITIAL_CONSENT);
    assert.deepEqual(parseConsentSnapshot({ state: 'consented', receipt }, cats), INITIAL_CONSENT, 'transient state is not restored');
    assert.deepEqual(parseConsentSnapshot({ state: 'recording', receipt }, cats), { state: 'recording', receipt });
    assert.equal(parseConsentSnapshot({ state: 'paused', receipt, pauseReason: 'disk-full' }, cats).pauseReason, 'disk-full');
    assert.deepEqual(parseConsentSnapshot({ state: 'withdrawn', receipt }, cats), { state: 'withdrawn' });
  });
});
