import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import type { LoggedEvent } from '../../../../src/model/events';
import { createRedactor } from '../../../../src/privacy/redact/redact';
import { maskPlaceholders } from '../../../../src/privacy/redact/placeholders';
import { base64Cores, encodings, spreadable } from '../../../../src/privacy/redact/spread';
import { ALNUM, HEX, synth } from '../../../../src/privacy/rules/synthetic';
import { replayEvents } from '../../../../src/replay/replay';
import { fcRuns, FILLER, ruleInSlot, StreamBuilder, stringsOf } from './helpers';

/**
 * Issue 8 item 2: a value recognised as a secret is redacted at every occurrence — other lines,
 * other documents, earlier in the stream, terminal commands and output, paths, its JSON-escaped,
 * URL-encoded and base64 forms, and typed key by key in another file.
 */

const redactor = createRedactor();

// Assembled at run time (no realistic secret literal sits in the repository). A '/' and a '+'
// make the JSON-escaped (`\/`) and URL-encoded (`%2F`, `%2B`) forms differ from the value.
const V = `${synth(ALNUM, 6, 8101)}/7${synth(ALNUM, 6, 8102)}+4${synth(ALNUM, 4, 8103)}`;
const REVEAL = `const cfg = { password: "${V}" };\n`;
const F = 'src/a.ts';
const G = 'src/b.ts';

/** Every string of the output with placeholders blanked, and its JSON. */
function outputTexts(events: readonly LoggedEvent[]): string[] {
  return [JSON.stringify(events), ...stringsOf(events)].map(maskPlaceholders);
}

/** The forms of `value` that survive anywhere in `events`. */
function surviving(events: readonly LoggedEvent[], value: string): string[] {
  const texts = outputTexts(events);
  return encodings(value).filter((form) => texts.some((t) => t.includes(form)));
}

function replayClean(events: readonly LoggedEvent[]): Map<string, string> {
  const r = replayEvents(events);
  assert.deepEqual(r.issues, []);
  assert.equal(r.stats.checkpointsMatched, r.stats.checkpoints);
  return new Map(r.documents.map((d) => [d.f, d.text]));
}

/** The secret placeholders of the output. */
function placeholders(events: readonly LoggedEvent[]): string[] {
  return [...new Set(JSON.stringify(events).match(/«secret:[a-z0-9-]+#\d+»/g) ?? [])];
}

describe('spreading: a detected value is redacted at every occurrence', () => {
  it('precondition: the value is detected in `password: "V"` and not in `login(user, "V")`', () => {
    assert.ok(spreadable(V, 'secret'));
    const spans = redactor.redactText(`login(user, "${V}");\n`).report.findings;
    assert.deepEqual(spans, []);
  });

  it('`password: "V"` then `login(user, "V")` two lines later: both redacted, one placeholder', () => {
    const b = new StreamBuilder(100);
    b.snap(F, 'let a = 1;\n');
    b.edit(F, [[11, 0, REVEAL]]);
    b.edit(F, [[b.text(F).length, 0, 'let b = 2;\n']]);
    b.edit(F, [[b.text(F).length, 0, `login(user, "${V}");\n`]]);
    b.ckpt(F);
    const { events, report } = redactor.redactEvents(b.events);
    const text = replayClean(events).get(F)!;
    assert.equal(text, `let a = 1;\nconst cfg = { password: "«secret:generic-password#1»" };\nlet b = 2;\nlogin(user, "«secret:generic-password#1»");\n`);
    assert.deepEqual(surviving(events, V), []);
    assert.deepEqual(report.findings, [{ rule: 'generic-password', kind: 'secret', values: 1, occurrences: 2 }]);
  });

  it('the same in a plain text (`candor redact <file>`)', () => {
    const r = redactor.redactText(`${REVEAL}let b = 2;\nlogin(user, "${V}");\n`);
    assert.equal(r.text, `const cfg = { password: "«secret:generic-password#1»" };\nlet b = 2;\nlogin(user, "«secret:generic-password#1»");\n`);
    assert.deepEqual(r.report.findings, [{ rule: 'generic-password', kind: 'secret', values: 1, occurrences: 2 }]);
  });

  it('an occurrence earlier in the stream than the one a rule recognised', () => {
    const b = new StreamBuilder(3);
    b.snap(F, 'let a = 1;\n');
    b.edit(F, [[11, 0, `login(user, "${V}");\n`]]);
    b.edit(F, [[0, 0, '// x\n']]);
    b.edit(F, [[0, 5, '']]);
    b.edit(F, [[b.text(F).length, 0, REVEAL]]);
    b.ckpt(F);
    const { events } = redactor.redactEvents(b.events);
    assert.deepEqual(surviving(events, V), []);
    assert.ok(!JSON.stringify(events[1].event).includes(V));
    replayClean(events);
    assert.equal(placeholders(events).length, 1);
  });

  it('another document, a terminal command and its output (earlier), a path, and free-text fields', () => {
    const b = new StreamBuilder(100);
    b.push({ t: 'term', ts: b.now, cmd: `./deploy --auth ${V}`, dur: 3, exit: 0, out: `using ${V}\n` });
    b.snap(G, `call(${JSON.stringify(V)});\n`);
    b.snap(`notes/${V}.txt`, 'hello\n');
    b.push({ t: 'task', ts: b.now, name: `sync ${V}`, src: 'npm', op: 'start' });
    b.snap(F, 'let a = 1;\n');
    b.edit(F, [[11, 0, REVEAL]]);
    b.ckpt(F);
    b.ckpt(G);
    const { events, report } = redactor.redactEvents(b.events);
    assert.deepEqual(surviving(events, V), []);
    const files = replayClean(events);
    assert.equal(files.get(G), 'call("«secret:generic-password#1»");\n');
    assert.ok(files.has('notes/«secret:generic-password#1».txt'));
    assert.equal(placeholders(events).length, 1);
    const entry = report.placeholders.find((p) => p.placeholder === '«secret:generic-password#1»')!;
    assert.deepEqual(entry.fields, ['path', 'task.name', 'term.cmd', 'term.out']);
    assert.ok(entry.files.includes(G) && entry.files.includes(F));
    // Fragments rewritten: the command, the output, G's snapshot, the path, the task name, F's edit.
    assert.equal(entry.occurrences, 6);
  });

  it('JSON-escaped, URL-encoded and base64 forms (at every byte alignment)', () => {
    const json = JSON.stringify(V).slice(1, -1).replace(/\//g, '\\/');
    const url = encodeURIComponent(V);
    const b64 = [0, 1, 2].map((pad) => btoa(`${'xy'.slice(0, pad)}${V}!tail`));
    const b = new StreamBuilder(100);
    b.snap(G, `{"k": "${json}"}\nfetch("https://api.invalid/x?k=${url}&z=1");\n${b64.map((x) => `blob("${x}");\n`).join('')}`);
    b.snap(F, REVEAL);
    b.ckpt(G);
    const { events } = redactor.redactEvents(b.events);
    assert.deepEqual(surviving(events, V), []);
    const text = replayClean(events).get(G)!;
    assert.ok(text.startsWith('{"k": "«secret:generic-password#1»"}\nfetch("https://api.invalid/x?k=«secret:generic-password#1»&z=1");\n'), text);
    // Only characters that mix in the neighbouring bytes are left of each base64 form.
    for (let pad = 0; pad < 3; pad++) {
      assert.ok(!text.includes(base64Cores(V)[pad]), `base64 form at alignment ${pad} survived`);
    }
    assert.equal((text.match(/«secret:generic-password#1»/g) ?? []).length, 5);
  });

  it('typed key by key in a second file, bare, before the value is recognised in the first', () => {
    const b = new StreamBuilder(4);
    b.snap(G, 'login(user, "");\n');
    for (let k = 0; k < V.length; k++) {
      b.edit(G, [[13 + k, 0, V[k]]]);
    }
    b.snap(F, 'let a = 1;\n');
    b.edit(F, [[11, 0, REVEAL]]);
    b.ckpt(F);
    b.ckpt(G);
    const { events } = redactor.redactEvents(b.events);
    assert.deepEqual(surviving(events, V), []);
    // The first key became the placeholder, the others nothing.
    const typed = events.flatMap((e) => (e.event.t === 'edit' && e.event.f === G ? e.event.c.map((c) => c[2]) : []));
    assert.deepEqual(typed, ['«secret:generic-password#1»']);
    assert.equal(replayClean(events).get(G), 'login(user, "«secret:generic-password#1»");\n');
  });

  it('a Twilio auth token seen once in context and bare elsewhere (earlier, in another file)', () => {
    const token = synth(HEX, 32, 8104);
    assert.deepEqual(redactor.redactText(`client.auth("${token}");\n`).report.findings, []);
    const b = new StreamBuilder(100);
    b.snap(G, `client.auth("${token}");\n`);
    b.snap(F, `TWILIO_AUTH_TOKEN=${token}\n`);
    b.ckpt(G);
    const { events } = redactor.redactEvents(b.events);
    assert.deepEqual(surviving(events, token), []);
    assert.equal(replayClean(events).get(G), 'client.auth("«secret:twilio-auth-token#1»");\n');
  });

  it('a long value made whole by an edit in its middle (a 200-character bearer token)', () => {
    const token = synth(ALNUM, 200, 8105);
    const b = new StreamBuilder(100);
    const broken = `${token.slice(0, 100)}#${token.slice(100)}`;
    b.snap(G, `const t = "${broken}";\n`);
    b.edit(G, [[11 + 100, 1, '']]);
    b.edit(G, [[0, 0, '// a\n']]);
    b.snap(F, `curl -H "Authorization: Bearer ${token}" https://api.invalid/\n`);
    b.ckpt(G);
    const { events } = redactor.redactEvents(b.events);
    assert.deepEqual(surviving(events, token), []);
    assert.equal(replayClean(events).get(G), '// a\nconst t = "«secret:bearer-token#1»";\n');
  });

  it('tiny values do not spread: a 4-character URL password stays a word elsewhere', () => {
    const r = redactor.redactText('db = "postgres://app:zq9w@db.internal/x"\nconst zq9wx = 1;\n');
    assert.match(r.text, /^db = "postgres:\/\/app:«secret:[a-z-]+#1»@db\.internal\/x"\nconst zq9wx = 1;\n$/);
    assert.ok(!spreadable('zq9w', 'secret'));
    assert.ok(!spreadable('jdoe-laptop', 'identity'));
  });

  it('redacting twice is redacting once', () => {
    const b = new StreamBuilder(100);
    b.snap(G, `login(user, "${V}");\n`);
    b.snap(F, REVEAL);
    const once = redactor.redactEvents(b.events).events;
    const twice = redactor.redactEvents(once);
    assert.equal(twice.report.eventsChanged, 0);
  });
});

// ---------------------------------------------------------------- property

type PlantForm = 'paste' | 'type' | 'transient' | 'termCmd' | 'termOut' | 'path' | 'snap' | 'json' | 'url' | 'b64';
const PLANT_FORMS: readonly PlantForm[] = ['paste', 'type', 'transient', 'termCmd', 'termOut', 'path', 'snap', 'json', 'url', 'b64'];

interface Plant {
  readonly form: PlantForm;
  readonly file: number;
  readonly where: number;
  readonly pad: number;
}

/** A password a generic rule accepts in `password = "…"` (with `/`, `+`, `%` now and then). */
const passwordArb = fc
  .tuple(
    fc.string({ unit: fc.constantFrom(...(ALNUM + '!%*+/')), minLength: 10, maxLength: 24 }),
    fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 3, maxLength: 4 }),
    fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'),
    fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'),
  )
  .map(([a, d, l, u]) => `${l}${a.slice(0, 5)}${d}${u}${a.slice(5)}`)
  .filter((v) => ruleInSlot('password', v) !== undefined && spreadable(v, 'secret'));

const plantArb: fc.Arbitrary<Plant> = fc.record({
  form: fc.constantFrom(...PLANT_FORMS),
  file: fc.nat(1),
  where: fc.nat(),
  pad: fc.nat(2),
});

/** Builds the stream: filler files, the plants in order, the reveal (`password = "V"`) among them. */
function buildPlanted(value: string, plants: readonly Plant[], revealAt: number, fillers: readonly number[]): LoggedEvent[] {
  const b = new StreamBuilder(3);
  const names = ['src/one.ts', 'src/two.ts'];
  for (const [k, f] of names.entries()) {
    b.snap(f, fillers.map((i, j) => FILLER[(i + j * (k + 1)) % FILLER.length] + '\n').join(''));
  }
  const lineStart = (f: string, where: number): number => {
    const text = b.text(f);
    const starts = [0];
    for (let i = text.indexOf('\n'); i >= 0 && i + 1 < text.length; i = text.indexOf('\n', i + 1)) {
      starts.push(i + 1);
    }
    return starts[where % starts.length];
  };
  const insertLine = (f: string, where: number, line: string): void => {
    b.edit(f, [[lineStart(f, where), 0, line]]);
  };
  let extra = 0;
  const plantOne = (p: Plant): void => {
    const f = names[p.file];
    switch (p.form) {
      case 'paste':
        insertLine(f, p.where, `login(user, "${value}");\n`);
        break;
      case 'type':
      case 'transient': {
        const at = lineStart(f, p.where);
        b.edit(f, [[at, 0, 'login(user, "");\n']]);
        for (let k = 0; k < value.length; k++) {
          b.edit(f, [[at + 13 + k, 0, value[k]]]);
        }
        if (p.form === 'transient') {
          b.edit(f, [[at, 17 + value.length, '']]);
        }
        break;
      }
      case 'termCmd':
        b.push({ t: 'term', ts: b.now, cmd: `./deploy --auth '${value}'`, dur: 3, exit: 0 });
        break;
      case 'termOut':
        b.push({ t: 'term', ts: b.now, cmd: 'cat notes.txt', dur: 3, exit: 0, out: `the key is ${value}\n` });
        break;
      case 'path':
        b.snap(`tmp/x${extra++}-${value}.txt`, 'x\n');
        break;
      case 'snap':
        b.snap(`lib/extra${extra++}.ts`, `call(${JSON.stringify(value)});\n`);
        break;
      case 'json':
        insertLine(f, p.where, `const j = '{"k":"${JSON.stringify(value).slice(1, -1).replace(/\//g, '\\/')}"}';\n`);
        break;
      case 'url':
        insertLine(f, p.where, `fetch("https://api.invalid/?k=${encodeURIComponent(value)}");\n`);
        break;
      case 'b64':
        insertLine(f, p.where, `blob("${btoa('ab'.slice(0, p.pad) + value + '.')}");\n`);
        break;
    }
  };
  plants.forEach((p, k) => {
    if (k === revealAt) {
      insertLine(names[0], p.where, `password = "${value}"\n`);
    }
    plantOne(p);
  });
  if (revealAt >= plants.length) {
    insertLine(names[0], 0, `password = "${value}"\n`);
  }
  for (const f of b.files()) {
    b.ckpt(f);
  }
  return b.events;
}

describe('spreading properties', function () {
  this.timeout(180_000);

  it('a detected value planted again at random places and times never survives, and the output replays cleanly', () => {
    fc.assert(
      fc.property(
        passwordArb,
        fc.array(plantArb, { minLength: 1, maxLength: 6 }),
        fc.nat(6),
        fc.array(fc.nat(FILLER.length - 1), { minLength: 2, maxLength: 8 }),
        (value, plants, revealAt, fillers) => {
          const events = buildPlanted(value, plants, revealAt, fillers);
          const before = replayEvents(events);
          assert.deepEqual(before.issues, []);
          const out = redactor.redactEvents(events).events;
          assert.deepEqual(surviving(out, value), []);
          const after = replayEvents(out);
          assert.deepEqual(after.issues, []);
          assert.equal(after.stats.checkpointsMatched, after.stats.checkpoints);
          assert.equal(after.stats.checkpoints, before.stats.checkpoints);
          assert.equal(placeholders(out).length, 1, placeholders(out).join(' '));
        },
      ),
      { numRuns: Math.max(100, Math.floor(fcRuns() / 2)) },
    );
  });
});
