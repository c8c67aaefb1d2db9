import * as assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import * as fc from 'fast-check';
import { buildBundle, redactEverywhere } from '../../../src/bundle/build';
import type { BuiltBundle } from '../../../src/bundle/build';
import { readBundle } from '../../../src/bundle/format';
import { createDefaultRedactor } from '../../../src/bundle/redactorAdapter';
import { verifyBundle } from '../../../src/bundle/verify';
import type { CandorEvent, LoggedEvent } from '../../../src/model/events';
import { ALNUM, synth } from '../../../src/privacy/rules/synthetic';
import { replayEvents } from '../../../src/replay/replay';
import { sha256Hex } from '../../../src/replay/hash';
import { ACTION_AT, fcRuns, inputOf, sampleEvents, sessionArb, sessionEvents, testReceipt } from './helpers';

/** The uncompressed content of a bundle file, as a string. */
function content(b: BuiltBundle): string {
  return zlib.gunzipSync(b.bytes.subarray(b.bytes.indexOf(0x0a) + 1)).toString('utf8');
}

/** A document typed one key at a time, with checkpoints, so no single event holds `typed` whole. */
function typedSession(typed: string): LoggedEvent[] {
  const events: LoggedEvent[] = [];
  let ts = Date.UTC(2025, 10, 30, 9);
  const add = (e: CandorEvent): void => {
    events.push({ seq: events.length + 1, event: e });
  };
  let text = 'const token = "";\n';
  add({ t: 'session', ts, op: 'start', sid: 's', cats: ['edits'] });
  add({ t: 'snap', ts: (ts += 10), f: 'src/config.ts', v: 1, text });
  let v = 1;
  let at = text.indexOf('""') + 1;
  for (const ch of typed) {
    text = text.slice(0, at) + ch + text.slice(at);
    add({ t: 'edit', ts: (ts += 10), f: 'src/config.ts', v: ++v, c: [[at, 0, ch]] });
    at += ch.length;
    if (v % 7 === 0) {
      add({ t: 'ckpt', ts: (ts += 10), f: 'src/config.ts', v, h: sha256Hex(text), why: 'every' });
    }
  }
  add({ t: 'ckpt', ts: (ts += 10), f: 'src/config.ts', v, h: sha256Hex(text), why: 'save' });
  add({ t: 'term', ts: (ts += 10), cmd: `echo ${typed}`, dur: 5 });
  return events;
}

describe('bundles with the on-device redaction engine', () => {
  const redactor = createDefaultRedactor();
  const receipt = testReceipt(['edits', 'navigation', 'files', 'terminalCommands']);

  it('redacts a token typed key by key, and the bundle still verifies', async () => {
    const token = `ghp_${synth(ALNUM, 36, 4242)}`;
    const b = await buildBundle(inputOf(typedSession(token), { redactor, receipt }));
    const text = content(b);
    assert.ok(!text.includes(token), 'the token is gone from every line');
    assert.ok(!text.includes(token.slice(0, 20)));
    assert.equal(b.manifest.redaction.engine, 'candor-redact 1');
    assert.deepEqual(
      b.manifest.redaction.findings.map((f) => [f.rule, f.kind, f.values]),
      [['github-pat', 'secret', 1]],
    );
    const final = replayEvents(b.events).documents[0].text;
    assert.match(final, /const token = "«secret:github-pat#1»";/);
    const report = await verifyBundle(b.bytes);
    assert.ok(report.ok, JSON.stringify(report.replay?.issues));
  });

  it('redact-everywhere hides a text typed key by key, with the manual placeholder', async () => {
    const b0 = await buildBundle(inputOf(typedSession('tiramisu-42'), { redactor, receipt }));
    assert.ok(content(b0).includes('tiramisu-42'), 'not a secret to the detectors');
    const b = await redactEverywhere(b0.input, 'tiramisu-42', { at: ACTION_AT });
    assert.notEqual(b.sha256, b0.sha256);
    const text = content(b);
    assert.ok(!text.includes('tiramisu-42'));
    assert.ok(!text.includes('tiramisu'), 'no prefix of it is left in any edit either');
    assert.match(replayEvents(b.events).documents[0].text, /«manual:reviewer#1»/);
    assert.ok(b.events.some((e) => e.event.t === 'term' && e.event.cmd === 'echo «manual:reviewer#1»'));
    assert.deepEqual(b.manifest.reviewerActions, [{ action: 'redact-everywhere', detail: '«manual:reviewer#1»', at: ACTION_AT.toISOString(), removed: 0 }]);
    assert.ok(b.manifest.redaction.findings.some((f) => f.rule === 'manual-reviewer' && f.kind === 'manual'));
    const report = await verifyBundle(b.bytes);
    assert.ok(report.ok, JSON.stringify(report.replay?.issues));
    // Deterministic with the real engine too.
    const again = await buildBundle(b.input);
    assert.ok(Buffer.from(again.bytes).equals(b.bytes));
  });

  it('builds the sample session (every event type, a new empty file typed into) and verifies', async () => {
    const { events } = sampleEvents();
    const b = await buildBundle(inputOf(events, { redactor }));
    assert.deepEqual((await readBundle(b.bytes)).events, events);
    const report = await verifyBundle(b.bytes);
    assert.ok(report.ok, JSON.stringify(report.replay?.issues));
  });

  it('build → read → replay reproduces every version of a generated session (real engine)', async () => {
    await fc.assert(
      fc.asyncProperty(sessionArb, async (steps) => {
        const evs = sessionEvents(steps);
        const b = await buildBundle(inputOf(evs, { redactor, receipt }));
        const read = await readBundle(b.bytes);
        // Generated texts hold nothing to redact: the engine must leave them exactly as they were.
        assert.equal(b.manifest.redaction.eventsChanged, 0);
        assert.deepEqual(read.events, evs);
        const report = await verifyBundle(b.bytes);
        assert.ok(report.ok, JSON.stringify(report.replay?.issues));
      }),
      { numRuns: fcRuns(50) },
    );
  });
});
