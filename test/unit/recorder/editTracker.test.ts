import * as assert from 'node:assert/strict';
import { stripAnsi } from '../../../src/recorder/ansi';
import { EditTracker } from '../../../src/recorder/editTracker';

describe('edit tracker', () => {
  it('snapshots on first touch and checkpoints every N edits', () => {
    const t = new EditTracker(3);
    const seen = Array.from({ length: 8 }, () => t.onEdit('a'));
    assert.deepEqual(
      seen.map((d) => (d.snapshot ? 'S' : d.checkpoint ? 'C' : '.')).join(''),
      'S..C..C.',
    );
  });
  it('re-snapshots after forget (close) and after reset (rotation)', () => {
    const t = new EditTracker(100);
    assert.equal(t.onEdit('a').snapshot, true);
    assert.equal(t.onEdit('a').snapshot, false);
    t.forget('a');
    assert.equal(t.onEdit('a').snapshot, true);
    t.onEdit('b');
    t.reset();
    assert.equal(t.isTracked('b'), false);
    assert.equal(t.onEdit('b').snapshot, true);
  });
  it('a save checkpoint restarts the count', () => {
    const t = new EditTracker(2);
    t.onEdit('a');
    t.onEdit('a');
    t.onCheckpoint('a');
    assert.equal(t.onEdit('a').checkpoint, false);
    assert.equal(t.onEdit('a').checkpoint, true);
  });
});

describe('ansi stripping', () => {
  it('removes colour, cursor and OSC sequences, keeps text', () => {
    assert.equal(stripAnsi('\x1b[31mred\x1b[0m plain \x1b]633;C\x07done\x1b[2K'), 'red plain done');
  });
});
