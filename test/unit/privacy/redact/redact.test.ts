import * as assert from 'node:assert/strict';
import type { CandorEvent, EditEvent, LoggedEvent, SnapshotEvent } from '../../../../src/model/events';
import { createRedactor, redactEvents, redactEventsAsync, redactText } from '../../../../src/privacy/redact/redact';
import { ALNUM, BASE32, synth } from '../../../../src/privacy/rules/synthetic';
import { sha256Hex } from '../../../../src/replay/hash';
import { replayEvents } from '../../../../src/replay/replay';
import { StreamBuilder } from './helpers';

// Tokens are assembled at run time (no realistic secret literal sits in the repository).
const GH = `ghp_${synth(ALNUM, 36, 7001)}`;
const GH2 = `ghp_${synth(ALNUM, 36, 7002)}`;
const AWS = `AKIA${synth(BASE32, 16, 7003)}`;
const P_GH = '«secret:github-pat#1»';
const P_GH2 = '«secret:github-pat#2»';
const P_AWS = '«secret:aws-access-key-id#1»';

const redactor = createRedactor();

const F = 'src/a.ts';
const BASE = 'let a = 1;\nconst gh = "";\nlet b = 2;\n';
const SLOT = BASE.indexOf('""') + 1;

function ev<T extends CandorEvent['t']>(events: readonly LoggedEvent[], seq: number, t: T): Extract<CandorEvent, { t: T }> {
  const e = events.find((x) => x.seq === seq)!.event;
  assert.equal(e.t, t);
  return e as Extract<CandorEvent, { t: T }>;
}

/** Replays the redacted stream: no issue, every checkpoint matched; returns the final texts. */
function replayClean(events: readonly LoggedEvent[]): Map<string, string> {
  const r = replayEvents(events);
  assert.deepEqual(r.issues, []);
  assert.equal(r.stats.checkpointsMatched, r.stats.checkpoints);
  return new Map(r.documents.map((d) => [d.f, d.text]));
}

function noSecret(events: readonly LoggedEvent[], ...secrets: string[]): void {
  const json = JSON.stringify(events);
  for (const s of secrets) {
    for (let k = 4; k + 4 <= s.length; k++) {
      assert.ok(!json.includes(s.slice(k, k + 4)), `part of a secret survived: ${s.slice(k, k + 4)}`);
    }
  }
}

describe('stream-aware redaction', () => {
  it('redacts a secret pasted whole, and reports it without its text', () => {
    const b = new StreamBuilder(100);
    b.snap(F, BASE);
    b.edit(F, [[SLOT, 0, GH]]);
    b.ckpt(F);
    const { events, report } = redactor.redactEvents(b.events);
    assert.deepEqual(ev(events, 2, 'edit').c, [[SLOT, 0, P_GH]]);
    assert.equal(replayClean(events).get(F), `let a = 1;\nconst gh = "${P_GH}";\nlet b = 2;\n`);
    assert.ok(!JSON.stringify(report).includes(GH.slice(4, 12)));
    assert.deepEqual(report.findings, [{ rule: 'github-pat', kind: 'secret', values: 1, occurrences: 1 }]);
    assert.deepEqual(report.placeholders, [
      { placeholder: P_GH, rule: 'github-pat', kind: 'secret', files: [F], fields: [], firstSeq: 2, occurrences: 1 },
    ]);
    assert.equal(report.eventsChanged, 2); // the edit and the re-hashed checkpoint
    assert.equal(report.documentsRedacted, 1);
    assert.equal(report.engine, 'candor-redact 1');
  });

  it('redacts a secret typed one key at a time: the first key becomes the placeholder, the others nothing', () => {
    const b = new StreamBuilder(10);
    b.snap(F, BASE);
    for (let k = 0; k < GH.length; k++) {
      b.edit(F, [[SLOT + k, 0, GH[k]]]);
    }
    b.ckpt(F);
    const { events } = redactor.redactEvents(b.events);
    const edits = events.filter((e) => e.event.t === 'edit').map((e) => e.event as EditEvent);
    assert.deepEqual(edits[0].c, [[SLOT, 0, P_GH]]);
    assert.ok(edits.slice(1).every((e) => e.c.length === 0));
    // Versions are kept: replay of the redacted stream reaches the same version.
    assert.deepEqual(
      edits.map((e) => e.v),
      b.events.filter((e) => e.event.t === 'edit').map((e) => (e.event as EditEvent).v),
    );
    assert.equal(replayClean(events).get(F), BASE.replace('""', `"${P_GH}"`));
    noSecret(events, GH);
  });

  it('redacts a secret pasted in two halves, second half first, with edits in between', () => {
    const b = new StreamBuilder(100);
    b.snap(F, BASE);
    const cut = 17;
    b.edit(F, [[SLOT, 0, GH.slice(cut)]]);
    b.edit(F, [[0, 0, '// one\n']]);
    b.edit(F, [[b.text(F).length, 0, '// two\n']]);
    b.edit(F, [[SLOT + 7, 0, GH.slice(0, cut)]]);
    b.ckpt(F);
    const { events } = redactor.redactEvents(b.events);
    // The half pasted first renders as nothing; the half that starts the secret as its placeholder.
    assert.deepEqual(ev(events, 2, 'edit').c, []);
    assert.deepEqual(ev(events, 5, 'edit').c, [[SLOT + 7, 0, P_GH]]);
    assert.equal(replayClean(events).get(F), `// one\n${BASE.replace('""', `"${P_GH}"`)}// two\n`);
    noSecret(events, GH);
  });

  it('redacts a secret cut out of a longer string by deleting characters', () => {
    const b = new StreamBuilder(50);
    b.snap(F, BASE);
    const junked = `${GH.slice(0, 10)}#${GH.slice(10, 30)} ${GH.slice(30)}`;
    b.edit(F, [[SLOT, 0, junked]]);
    b.edit(F, [[SLOT + 31, 1, '']]);
    b.edit(F, [[SLOT + 10, 1, '']]);
    b.ckpt(F);
    const { events } = redactor.redactEvents(b.events);
    assert.deepEqual(ev(events, 2, 'edit').c, [[SLOT, 0, `${P_GH}# `]]);
    assert.equal(replayClean(events).get(F), BASE.replace('""', `"${P_GH}"`));
    noSecret(events, GH);
  });

  it('redacts terminal commands and output with the same placeholders, numbered by first detection', () => {
    const b = new StreamBuilder(50);
    b.push({ t: 'term', ts: 1, cmd: `curl -H "Authorization: token ${GH2}" https://api.invalid`, dur: 5, out: `key ${AWS} ok\n` });
    b.snap(F, BASE);
    b.edit(F, [[SLOT, 0, GH]]);
    b.push({ t: 'term', ts: 2, cmd: `echo ${GH}`, dur: 1, out: `${GH}\n` });
    b.ckpt(F);
    const { events, report } = redactor.redactEvents(b.events);
    const t1 = ev(events, 1, 'term');
    assert.equal(t1.cmd, `curl -H "Authorization: token ${P_GH}" https://api.invalid`);
    assert.equal(t1.out, `key ${P_AWS} ok\n`);
    const t2 = ev(events, 4, 'term');
    assert.equal(t2.cmd, `echo ${P_GH2}`);
    assert.equal(t2.out, `${P_GH2}\n`);
    assert.deepEqual(ev(events, 3, 'edit').c, [[SLOT, 0, P_GH2]]);
    assert.deepEqual(
      report.placeholders.map((p) => [p.placeholder, p.firstSeq, p.files, p.fields]),
      [
        [P_GH, 1, [], ['term.cmd']],
        [P_AWS, 1, [], ['term.out']],
        [P_GH2, 3, [F], ['term.cmd', 'term.out']],
      ],
    );
    assert.deepEqual(report.findings, [
      { rule: 'aws-access-key-id', kind: 'secret', values: 1, occurrences: 1 },
      { rule: 'github-pat', kind: 'secret', values: 2, occurrences: 4 },
    ]);
    noSecret(events, GH, GH2, AWS);
  });

  it('redacts a secret that existed only for a while (typed, then deleted)', () => {
    const b = new StreamBuilder(7);
    b.snap(F, BASE);
    for (let k = 0; k < AWS.length; k++) {
      b.edit(F, [[SLOT + k, 0, AWS[k]]]);
    }
    b.edit(F, [[SLOT, AWS.length, '']]);
    b.ckpt(F);
    const { events, report } = redactor.redactEvents(b.events);
    assert.deepEqual(ev(events, 2, 'edit').c, [[SLOT, 0, P_AWS]]);
    // The deletion removes the placeholder, in redacted coordinates.
    const del = events.filter((e) => e.event.t === 'edit').at(-1)!.event as EditEvent;
    assert.deepEqual(del.c, [[SLOT, P_AWS.length, '']]);
    assert.equal(replayClean(events).get(F), BASE);
    assert.equal(report.placeholders[0].placeholder, P_AWS);
    noSecret(events, AWS);
  });

  it('translates multi-cursor events change by change', () => {
    const b = new StreamBuilder(50);
    b.snap(F, BASE);
    const end = BASE.length;
    // VS Code lists changes from the end; the second applies to the result of the first.
    b.edit(F, [
      [end, 0, '// tail\n'],
      [SLOT, 0, GH],
      [0, 0, '// head\n'],
    ]);
    b.edit(F, [
      [b.text(F).length, 0, '!'],
      [8 + SLOT + GH.length, 0, ' '],
      [8 + SLOT, 0, '_'],
    ]);
    b.ckpt(F);
    const { events } = redactor.redactEvents(b.events);
    assert.deepEqual(ev(events, 2, 'edit').c, [
      [end, 0, '// tail\n'],
      [SLOT, 0, P_GH],
      [0, 0, '// head\n'],
    ]);
    assert.deepEqual(ev(events, 3, 'edit').c, [
      [8 + BASE.length + P_GH.length + 8, 0, '!'],
      [8 + SLOT + P_GH.length, 0, ' '],
      [8 + SLOT, 0, '_'],
    ]);
    const text = replayClean(events).get(F)!;
    assert.equal(text, `// head\n${BASE.replace('""', `"_${P_GH} "`)}// tail\n!`);
  });

  it('keeps CRLF and astral characters around a secret intact, and translates selections', () => {
    const base = '😀 x\r\nconst gh = "";\r\n𝒳 y\r\n';
    const slot = base.indexOf('""') + 1;
    const b = new StreamBuilder(50);
    b.snap(F, base);
    b.edit(F, [[slot, 0, GH]]);
    b.edit(F, [[slot + GH.length + 1, 0, ' 😀']]);
    const after = slot + GH.length + 4;
    b.push({ t: 'sel', ts: 9, f: F, s: [[after, after], [0, slot + 4]] });
    b.ckpt(F);
    const { events } = redactor.redactEvents(b.events);
    const text = replayClean(events).get(F)!;
    assert.equal(text, `😀 x\r\nconst gh = "${P_GH}" 😀;\r\n𝒳 y\r\n`);
    const sel = ev(events, 4, 'sel');
    const redAfter = slot + P_GH.length + 4;
    assert.deepEqual(sel.s, [
      [redAfter, redAfter],
      [0, slot + P_GH.length],
    ]);
    assert.equal(text.slice(redAfter - 3, redAfter), ' 😀');
  });

  it('follows renames, and rewrites paths holding identity the same way everywhere', () => {
    const identity = { username: 'zelda9', homedir: '/home/zelda9', hostname: 'wks-4471' };
    const r = createRedactor({ identity });
    const from = 'notes/zelda9/a.ts';
    const to = 'notes/zelda9/b.ts';
    const b = new StreamBuilder(2);
    b.snap(from, BASE);
    b.edit(from, [[SLOT, 0, GH]]);
    b.rename(from, to);
    b.edit(to, [[0, 0, '// moved\n']]);
    b.ckpt(to);
    b.push({ t: 'focus', ts: 3, f: to });
    const { events, report } = r.redactEvents(b.events);
    const paths = new Set(events.flatMap((e) => [(e.event as { f?: string }).f, (e.event as { to?: string }).to]).filter((p) => p !== undefined));
    assert.deepEqual([...paths].sort(), ['notes/«identity:identity-username#1»/a.ts', 'notes/«identity:identity-username#1»/b.ts']);
    const texts = replayClean(events);
    assert.equal(texts.get('notes/«identity:identity-username#1»/b.ts'), `// moved\n${BASE.replace('""', `"${P_GH}"`)}`);
    const gh = report.placeholders.find((p) => p.placeholder === P_GH)!;
    assert.deepEqual(gh.files, ['notes/«identity:identity-username#1»/a.ts']);
    const id = report.placeholders.find((p) => p.rule === 'identity-username')!;
    assert.deepEqual(id.fields, ['path']);
    assert.ok(!JSON.stringify(events).includes('zelda9'));
  });

  it('passes a stream without secrets through untouched (the very same objects)', () => {
    const b = new StreamBuilder(3);
    b.snap(F, BASE);
    for (let k = 0; k < 10; k++) {
      b.edit(F, [[k, 0, 'q']]);
    }
    b.push({ t: 'term', ts: 5, cmd: 'npm test', dur: 100, out: 'all good\n' });
    b.push({ t: 'git', ts: 6, op: 'checkout', repo: '', branch: 'main' });
    const { events, report } = redactor.redactEvents(b.events);
    assert.equal(JSON.stringify(events), JSON.stringify(b.events));
    events.forEach((e, k) => assert.equal(e, b.events[k]));
    assert.equal(report.eventsChanged, 0);
    assert.deepEqual(report.findings, []);
  });

  it('leaves placeholders alone (a redacted stream is a fixed point)', () => {
    const b = new StreamBuilder(50);
    b.snap(F, `password = "«secret:generic-password#1»"\nTOKEN=«secret:github-pat#12»\n`);
    b.push({ t: 'term', ts: 1, cmd: 'export API_KEY=«secret:generic-password-bare#3»', dur: 1 });
    b.ckpt(F);
    const { events, report } = redactor.redactEvents(b.events);
    events.forEach((e, k) => assert.equal(e, b.events[k]));
    assert.equal(report.eventsChanged, 0);
  });

  it('redacts edits that replay could not apply as plain strings, and keeps a bad checkpoint bad', () => {
    const b = new StreamBuilder(100);
    // An edit before any snapshot of its document, never covered: replay skips it.
    b.push({ t: 'edit', ts: 1, f: 'src/early.ts', v: 2, c: [[0, 0, `k=${GH}`]] });
    b.snap(F, BASE);
    b.edit(F, [[SLOT, 0, AWS]]);
    b.push({ t: 'ckpt', ts: 3, f: F, v: 2, h: sha256Hex('not the text'), why: 'save' });
    // Out of range on the redacted document too (the placeholder is longer than the key).
    b.push({ t: 'edit', ts: 4, f: F, v: 3, c: [[BASE.length + AWS.length, 1, 'x']] });
    const { events } = redactor.redactEvents(b.events);
    assert.deepEqual(ev(events, 1, 'edit').c, [[0, 0, `k=${P_GH}`]]);
    assert.equal(ev(events, 4, 'ckpt').h, sha256Hex('not the text'));
    const oor = ev(events, 5, 'edit').c[0];
    assert.ok(oor[0] + oor[1] > BASE.length + P_AWS.length, 'still out of range');
    const kinds = replayEvents(events).issues.map((i) => i.kind);
    assert.deepEqual(kinds, replayEvents(b.events).issues.map((i) => i.kind));
  });

  it('redacts the reviewer’s texts everywhere, also typed key by key', () => {
    const r = createRedactor({ manual: ['Project Falcon', 'nope-not-here'] });
    const b = new StreamBuilder(5);
    b.snap(F, 'const codename = "";\n');
    const words = 'Project Falcon';
    for (let k = 0; k < words.length; k++) {
      b.edit(F, [[18 + k, 0, words[k]]]);
    }
    b.push({ t: 'task', ts: 1, op: 'start', name: 'build Project Falcon', src: 'npm' });
    b.ckpt(F);
    const { events, report } = r.redactEvents(b.events);
    assert.equal(replayClean(events).get(F), 'const codename = "«manual:reviewer#1»";\n');
    assert.equal(ev(events, b.events.length - 1, 'task').name, 'build «manual:reviewer#1»');
    // Occurrences count rewritten fragments: 14 keystrokes and the task name.
    assert.deepEqual(report.findings, [{ rule: 'manual-reviewer', kind: 'manual', values: 1, occurrences: 15 }]);
    assert.ok(!JSON.stringify(events).includes('Falcon'));
  });

  it('redacts a plain text', () => {
    const { text, report } = redactText(`a ${GH} b ${GH} c ${AWS}\n`);
    assert.equal(text, `a ${P_GH} b ${P_GH} c ${P_AWS}\n`);
    assert.deepEqual(report.findings, [
      { rule: 'aws-access-key-id', kind: 'secret', values: 1, occurrences: 1 },
      { rule: 'github-pat', kind: 'secret', values: 1, occurrences: 2 },
    ]);
    assert.equal(redactText(text).text, text);
  });

  it('gives the same result sliced and in one go; reports progress; can be aborted', async () => {
    const b = new StreamBuilder(4);
    b.snap(F, BASE);
    for (let k = 0; k < GH.length; k++) {
      b.edit(F, [[SLOT + k, 0, GH[k]]]);
    }
    b.push({ t: 'term', ts: 1, cmd: `echo ${AWS}`, dur: 1 });
    b.ckpt(F);
    const once = redactEvents(b.events);
    const progress: number[] = [];
    const sliced = await redactEventsAsync(b.events, { sliceMs: 1, onProgress: (f) => progress.push(f) });
    assert.deepEqual(sliced, once);
    assert.equal(progress.at(-1), 1);
    assert.ok(progress.every((p, k) => k === 0 || p >= progress[k - 1]));
    const abort = new AbortController();
    abort.abort(new Error('stop'));
    await assert.rejects(redactEventsAsync(b.events, { signal: abort.signal }), /stop/);
  });

  it('redacts a snapshot that already holds a secret and the edits around it', () => {
    const b = new StreamBuilder(2);
    b.snap(F, `x = 1;\nconst gh = "${GH}";\n`);
    b.edit(F, [[0, 0, 'y = 2;\n']]);
    b.edit(F, [[7 + 7 + 12 + 4, 3, '']]); // deletes three characters inside the token
    b.ckpt(F);
    const { events } = redactor.redactEvents(b.events);
    const snap: SnapshotEvent = ev(events, 1, 'snap');
    assert.equal(snap.text, `x = 1;\nconst gh = "${P_GH}";\n`);
    // The deletion inside the token removes nothing visible.
    assert.deepEqual(ev(events, 3, 'edit').c, []);
    replayClean(events);
    noSecret(events, GH);
  });
});
