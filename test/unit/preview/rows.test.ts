import * as assert from 'node:assert/strict';
import type { CandorEvent } from '../../../src/model/events';
import { EVENT_TYPES } from '../../../src/model/events';
import { eventFile, FileCodes, MAX_LABEL, oneLine, ROW_TYPES, rowLabel, toRow } from '../../../src/preview/rows';
import { sampleEvents } from '../bundle/helpers';

describe('preview rows', () => {
  it('labels every event type on one short line', () => {
    const { events } = sampleEvents();
    const seen = new Set(events.map((e) => e.event.t));
    assert.deepEqual([...seen].sort(), [...EVENT_TYPES].sort(), 'the sample covers every type');
    for (const { event } of events) {
      const label = rowLabel(event);
      assert.ok(label.length > 0 && [...label].length <= MAX_LABEL, `${event.t}: ${label}`);
      assert.ok(!/[\n\r\t]/.test(label), `${event.t} label is one line`);
    }
  });

  it('says what an edit did, with its text flattened and cut', () => {
    const edit: CandorEvent = { t: 'edit', ts: 1, f: 'a.ts', v: 7, c: [[0, 3, 'x\ny'], [10, 0, 'z']], r: 'undo' };
    assert.equal(rowLabel(edit), 'undo v7 −3 +4 "x⏎yz" (2 changes)');
    const long: CandorEvent = { t: 'edit', ts: 1, f: 'a.ts', v: 2, c: [[0, 0, 'q'.repeat(10_000)]] };
    assert.ok([...rowLabel(long)].length <= MAX_LABEL);
  });

  it('keeps recorded markup as plain characters (the webview renders labels as text)', () => {
    const payload = '<img src=x onerror=alert(1)>';
    const label = rowLabel({ t: 'term', ts: 1, cmd: payload, dur: 5 });
    assert.ok(label.includes(payload), label);
  });

  it('flattens control characters and cuts long text with an ellipsis', () => {
    assert.equal(oneLine('a\r\nb\tc\u0001'), 'a⏎b→c·');
    assert.equal(oneLine('x'.repeat(10), 5), 'xxxx…');
    assert.equal(oneLine('😀'.repeat(10), 5), '😀😀😀😀…', 'cuts between code points');
  });

  it('maps files to stable codes and events to rows', () => {
    const files = new FileCodes(['a.ts']);
    assert.equal(files.code('a.ts'), 0);
    assert.equal(files.code('b.ts'), 1);
    assert.equal(files.code(undefined), -1);
    assert.deepEqual(files.paths, ['a.ts', 'b.ts']);
    const row = toRow({ seq: 9, event: { t: 'file', ts: 5, op: 'rename', f: 'b.ts', to: 'c.ts' } }, files);
    assert.deepEqual(row, [9, 5, ROW_TYPES.indexOf('file'), 1, 'rename → c.ts']);
    assert.equal(eventFile({ t: 'cmd', ts: 1, id: 'x' }), undefined);
  });
});
