import * as assert from 'node:assert/strict';
import type { CandorEvent } from '../../../src/model/events';
import { EditRecorder } from '../../../src/recorder/editRecorder';

describe('edit recorder: binary content at first touch', () => {
  it('records nothing of a document whose text looks binary, and says so', () => {
    const events: CandorEvent[] = [];
    const rec = new EditRecorder((e) => events.push(e), () => 0, 100, 1e9);
    const doc = { version: 2, getText: (): string => 'PK\u0003\u0004\u0000\u0000binary' };
    assert.equal(rec.onChange('a.zip2', doc, [{ rangeOffset: 0, rangeLength: 0, text: 'x' }], undefined), 'binary');
    assert.equal(events.length, 0, 'no snapshot, no edit');
    const text = { version: 2, getText: (): string => 'plain text\n' };
    assert.equal(rec.onChange('b.txt', text, [{ rangeOffset: 0, rangeLength: 0, text: 'p' }], undefined), 'recorded');
    assert.deepEqual(events.map((e) => e.t), ['snap', 'edit']);
  });
});
