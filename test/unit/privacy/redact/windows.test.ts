import * as assert from 'node:assert/strict';
import { defaultDetector } from '../../../../src/privacy/detect';
import { RedactionRun } from '../../../../src/privacy/redact/engine';
import { dirtyRanges } from '../../../../src/privacy/redact/windows';
import type { ScanSet } from '../../../../src/privacy/redact/scanners';
import { createScanSet } from '../../../../src/privacy/redact/scanners';
import { ALNUM, synth } from '../../../../src/privacy/rules/synthetic';
import { replayEvents } from '../../../../src/replay/replay';
import { FILLER, StreamBuilder } from './helpers';

/** A scan set whose window scans and whole scans are counted (characters scanned). */
function counted(): { scan: ScanSet; windows: number[]; whole: number[] } {
  const base = createScanSet(defaultDetector.rules, [], defaultDetector);
  const windows: number[] = [];
  const whole: number[] = [];
  const scan: ScanSet = {
    ...base,
    tiers: base.tiers.map((t) => ({
      ...t,
      scan: (text: string) => {
        windows.push(text.length);
        return t.scan(text);
      },
    })),
    scanWhole: (text: string) => {
      whole.push(text.length);
      return base.scanWhole(text);
    },
  };
  return { scan, windows, whole };
}

function bigDocument(size: number): string {
  let text = '// load the private key from the vault, see docs\n';
  for (let k = 0; text.length < size; k++) {
    text += FILLER[k % FILLER.length] + '\n';
  }
  return text;
}

describe('windowed rescanning', () => {
  it('rescans windows around edits, not the document: 2000 keystrokes in a 70 KB file', () => {
    const text = bigDocument(70_000);
    const b = new StreamBuilder(100);
    b.snap('big.ts', text);
    let at = text.length - 10;
    const typed = 'let value = compute(items, 42);\n';
    for (let k = 0; k < 2000; k++) {
      b.edit('big.ts', [[at, 0, typed[k % typed.length]]]);
      at++;
    }
    const { scan, windows, whole } = counted();
    const run = new RedactionRun(b.events, { scan });
    const out = run.result().events;
    assert.equal(out.length, b.events.length);
    const windowChars = windows.reduce((a, n) => a + n, 0);
    // The `private key` keyword at the top is out of the PEM tier's reach: that tier never runs.
    assert.ok(windows.every((n) => n < 2_000), `largest window ${Math.max(...windows)}`);
    assert.ok(windowChars < 0.01 * 2000 * text.length, `${windowChars} characters scanned in windows`);
    // Whole scans of the document: the snapshot and the final state, once each (the other whole
    // scans are of strings: the path).
    assert.deepEqual(
      whole.filter((n) => n >= text.length),
      [text.length, text.length + 2000],
    );
  });

  it('finds a secret that existed only briefly deep inside a large document', () => {
    const text = bigDocument(40_000);
    const gh = `ghp_${synth(ALNUM, 36, 8101)}`;
    const b = new StreamBuilder(50);
    b.snap('big.ts', text);
    const at = text.indexOf('\n', 20_000) + 1;
    b.edit('big.ts', [[at, 0, 'const t = "";\n']]);
    for (let k = 0; k < gh.length; k++) {
      b.edit('big.ts', [[at + 11 + k, 0, gh[k]]]);
    }
    for (let k = gh.length - 1; k >= 0; k--) {
      b.edit('big.ts', [[at + 11 + k, 1, '']]);
    }
    b.ckpt('big.ts');
    const { scan } = counted();
    const { events, report } = new RedactionRun(b.events, { scan }).result();
    assert.equal(report.placeholders.length, 1);
    assert.ok(!JSON.stringify(events).includes(gh.slice(4, 12)));
    const r = replayEvents(events);
    assert.deepEqual(r.issues, []);
    assert.equal(r.documents[0].text, b.text('big.ts'));
  });

  it('carries changed ranges through the later changes of an event', () => {
    // Insert 3 at 10, then delete 5 at 2: the insert moves to 7..10; the deletion is a point at 2.
    assert.deepEqual(dirtyRanges([10, 0, 3, 2, 5, 0]), [2, 2, 5, 8]);
    // A later change inside an earlier insert merges them.
    assert.deepEqual(dirtyRanges([10, 0, 5, 12, 1, 4]), [10, 18]);
  });
});
