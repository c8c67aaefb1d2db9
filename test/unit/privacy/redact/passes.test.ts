import * as assert from 'node:assert/strict';
import { defaultDetector } from '../../../../src/privacy/detect';
import { RewritePass } from '../../../../src/privacy/redact/rewritePass';
import { moveDoc, RunContext } from '../../../../src/privacy/redact/runContext';
import { ScanPass } from '../../../../src/privacy/redact/scanPass';
import { createScanSet } from '../../../../src/privacy/redact/scanners';
import { SpreadPass } from '../../../../src/privacy/redact/spreadPass';
import { mergeRanges } from '../../../../src/privacy/redact/windows';
import { ALNUM, synth } from '../../../../src/privacy/rules/synthetic';
import type { LoggedEvent } from '../../../../src/model/events';
import { StreamBuilder } from './helpers';

/** The passes of a redaction run driven by hand, as engine.ts drives them. */
function runPasses(events: readonly LoggedEvent[]): { run: RunContext; spread: boolean; out: LoggedEvent[] } {
  const run = new RunContext(createScanSet(defaultDetector.rules, [], defaultDetector));
  const scan = new ScanPass(run);
  events.forEach((e) => scan.event(e));
  scan.startFinal();
  while (scan.finishNext()) {
    // every open lifetime's final state
  }
  const spread = SpreadPass.start(run);
  events.forEach((e) => spread?.event(e));
  const rewrite = new RewritePass(run);
  events.forEach((e) => rewrite.event(e));
  return { run, spread: spread !== undefined, out: rewrite.out };
}

describe('redact passes (scan, spread, rewrite) as separate units', () => {
  it('with nothing found: no spread replay, every event passes through as the same object', () => {
    const b = new StreamBuilder();
    b.snap('a.ts', 'const x = 1;\n');
    b.edit('a.ts', [[13, 0, 'const y = 2;\n']]);
    const { run, spread, out } = runPasses(b.events);
    assert.equal(spread, false);
    assert.equal(run.marked.size, 0);
    assert.deepEqual(out, b.events);
    out.forEach((e, k) => assert.equal(e, b.events[k]));
  });

  it('a secret the scan pass finds starts the spread replay, and the rewrite pass removes it from every document', () => {
    const token = `ghp_${synth(ALNUM, 36, 4242)}`;
    const b = new StreamBuilder();
    b.snap('a.ts', `const t = "${token}";\n`);
    b.snap('b.txt', 'nothing yet\n');
    // Typed key by key in b.txt.
    for (const c of `key ${token} `) {
      b.edit('b.txt', [[b.text('b.txt').length, 0, c]]);
    }
    const { run, spread, out } = runPasses(b.events);
    assert.equal(spread, true);
    assert.equal(run.marked.size, 2, 'both document lifetimes have marks');
    const text = JSON.stringify(out);
    assert.equal(text.includes(token), false);
  });

  it('moveDoc mirrors renames (ending the lifetime renamed over) and deletes', () => {
    const map = new Map([
      ['a', 1],
      ['b', 2],
    ]);
    const ended: number[] = [];
    const moved: string[] = [];
    moveDoc(map, 'rename', 'a', 'b', (d) => ended.push(d), (d, to) => moved.push(`${d}->${to}`));
    assert.deepEqual([...map], [['b', 1]]);
    assert.deepEqual(ended, [2]);
    assert.deepEqual(moved, ['1->b']);
    moveDoc(map, 'delete', 'b', undefined, (d) => ended.push(d), () => undefined);
    assert.equal(map.size, 0);
    assert.deepEqual(ended, [2, 1]);
  });

  it('mergeRanges merges overlapping and touching pairs, sorted', () => {
    assert.deepEqual(mergeRanges([10, 20, 0, 5, 5, 8, 19, 25]), [0, 8, 10, 25]);
    assert.deepEqual(mergeRanges([3, 4]), [3, 4]);
  });
});
