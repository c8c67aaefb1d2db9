import * as assert from 'node:assert/strict';
import type { ConsentFromWebview, ConsentToWebview } from '../../../src/ui/protocol/consent';
import { parseConsentMessage } from '../../../src/ui/protocol/consent';
import { WebviewChannel } from '../../../src/ui/webviewChannel';

function channel(): { channel: WebviewChannel<ConsentFromWebview, ConsentToWebview>; sent: ConsentToWebview[]; malformed: () => number } {
  const sent: ConsentToWebview[] = [];
  let malformed = 0;
  const c = new WebviewChannel<ConsentFromWebview, ConsentToWebview>({
    parse: parseConsentMessage,
    send: (m) => {
      sent.push(m);
      return Promise.resolve(true);
    },
    onMalformed: () => void malformed++,
  });
  return { channel: c, sent, malformed: () => malformed };
}

describe('WebviewChannel (the message side of WebviewHost)', () => {
  it('narrows messages with the protocol parser; a malformed one is reported and dropped', () => {
    const { channel: c, malformed } = channel();
    assert.deepEqual(c.accept({ type: 'accept', categories: ['edits'] }), { type: 'accept', categories: ['edits'] });
    for (const raw of [null, 'ready', { type: 'accept', categories: 'edits' }, { type: 'approve' }, { type: 'accept', categories: [42] }]) {
      assert.equal(c.accept(raw), undefined, JSON.stringify(raw));
    }
    assert.equal(malformed(), 5);
    assert.equal(c.isReady, false, 'no malformed message counts as the handshake');
  });

  it('tracks the ready handshake: waiters resolve when the webview says ready, later callers at once', async () => {
    const { channel: c } = channel();
    const order: string[] = [];
    const waiting = c.whenReady().then(() => order.push('waiter'));
    assert.equal(c.isReady, false);
    assert.deepEqual(c.accept({ type: 'cancel' }), { type: 'cancel' });
    assert.equal(c.isReady, false);
    assert.deepEqual(c.accept({ type: 'ready' }), { type: 'ready' });
    order.push('accepted');
    assert.equal(c.isReady, true);
    await waiting;
    await c.whenReady();
    assert.deepEqual(order, ['accepted', 'waiter']);
  });

  it('posts through the sender; collect sees exactly what was posted while it ran', async () => {
    const { channel: c, sent } = channel();
    await c.post({ type: 'accepted' });
    const posted = await c.collect(async () => {
      await c.post({ type: 'error', message: 'no' });
    });
    await c.post({ type: 'accepted' });
    assert.deepEqual(posted, [{ type: 'error', message: 'no' }]);
    assert.deepEqual(sent, [{ type: 'accepted' }, { type: 'error', message: 'no' }, { type: 'accepted' }]);
    await assert.rejects(
      c.collect(() => Promise.reject(new Error('handler failed'))),
      /handler failed/,
    );
    await c.post({ type: 'accepted' });
    assert.equal(sent.length, 4, 'a failed collect leaves no tap behind');
  });
});
