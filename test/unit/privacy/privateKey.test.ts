import * as assert from 'node:assert/strict';
import type { LoggedEvent } from '../../../src/model/events';
import { createDetector } from '../../../src/privacy/detect';
import { createRedactor } from '../../../src/privacy/redact/redact';
import { keyRules } from '../../../src/privacy/rules/keys';
import { BASE64, synth } from '../../../src/privacy/rules/synthetic';
import { sha256Hex } from '../../../src/replay/hash';
import { replayEvents } from '../../../src/replay/replay';

const rule = keyRules.find((r) => r.id === 'private-key')!;
const alone = createDetector([rule]);

/** A synthetic PEM body (assembled at run time): `full` 64-column lines and a short last line. */
function body(full: number, last: number, seed: number): string[] {
  const lines: string[] = [];
  for (let i = 0; i < full; i++) {
    lines.push(synth(BASE64, 64, seed + i));
  }
  if (last > 0) {
    lines.push(`${synth(BASE64, last - 2, seed + 99)}Q=`);
  }
  return lines;
}

const CODE = ['function connect(options) {', '  return open(options.host);', '}', 'break', 'EOF', 'const total = compute(items);', ''].join('\n');

/** The spans of the rule in `text`, as the text they cover. */
function found(text: string): string[] {
  return alone.detect(text).map((s) => text.slice(s.start, s.end));
}

describe('private-key: an unterminated key covers key material only', () => {
  for (const [name, lines] of [
    ['short last line', body(6, 20, 500)],
    ['full last line', body(6, 0, 600)],
  ] as const) {
    it(`redacts the body and leaves the code after it (${name})`, () => {
      const key = `-----BEGIN RSA PRIVATE KEY-----\n${lines.join('\n')}`;
      const text = `const pem = load();\n${key}\n${CODE}`;
      assert.deepEqual(found(text), [key]);
    });
  }

  it('stops at a blank line after the body', () => {
    const lines = body(3, 0, 700);
    const key = `-----BEGIN PRIVATE KEY-----\n${lines.join('\n')}`;
    const text = `${key}\n\nAbCdEf0123456789AbCdEf0123456789AbCdEf0123456789\n`;
    assert.deepEqual(found(text), [key]);
  });

  it('takes a terminated key whole, whatever its last line', () => {
    const lines = [...body(4, 0, 800), 'abcdefgh'];
    const key = `-----BEGIN EC PRIVATE KEY-----\n${lines.join('\n')}\n-----END EC PRIVATE KEY-----`;
    assert.deepEqual(found(`x = 1\n${key}\nbreak\n`), [key]);
  });

  it('keeps the JSON-escaped, indented and single-line forms', () => {
    const lines = body(3, 12, 900);
    const json = `-----BEGIN PRIVATE KEY-----\\n${lines.join('\\n')}\\n-----END PRIVATE KEY-----`;
    assert.deepEqual(found(`{"private_key": "${json}", "next": 1}`), [json]);
    const yaml = `-----BEGIN PRIVATE KEY-----\n    ${lines.join('\n    ')}\n    -----END PRIVATE KEY-----`;
    assert.deepEqual(found(`tls:\n  key: |\n    ${yaml}\n  other: 1\n`), [yaml]);
    const oneLine = `-----BEGIN RSA PRIVATE KEY----- ${lines.join(' ')} -----END RSA PRIVATE KEY-----`;
    assert.deepEqual(found(`KEY="${oneLine}"`), [oneLine]);
  });

  it('redacts a key typed key by key without its END line, in every version, and keeps the code after it', () => {
    const lines = body(3, 24, 1000);
    const key = `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines.join('\n')}`;
    const before = 'const a = 1;\n';
    const after = `\n${CODE}`;
    const events: LoggedEvent[] = [];
    const f = 'src/key.ts';
    let text = before + after;
    let v = 1;
    let ts = 1_700_000_000_000;
    events.push({ seq: 1, event: { t: 'snap', ts, f, v, text } });
    for (let i = 0; i < key.length; i++) {
      const at = before.length + i;
      text = text.slice(0, at) + key[i] + text.slice(at);
      ts += 40;
      v++;
      events.push({ seq: events.length + 1, event: { t: 'edit', ts, f, v, c: [[at, 0, key[i]]] } });
      if (i % 50 === 49) {
        events.push({ seq: events.length + 1, event: { t: 'ckpt', ts, f, v, h: sha256Hex(text), why: 'every' } });
      }
    }
    events.push({ seq: events.length + 1, event: { t: 'ckpt', ts, f, v, h: sha256Hex(text), why: 'save' } });
    const { events: out } = createRedactor().redactEvents(events);
    const replayed = replayEvents(out);
    assert.deepEqual(replayed.issues, []);
    assert.equal(replayed.stats.checkpointsMatched, replayed.stats.checkpoints);
    const json = JSON.stringify(out);
    for (const line of lines) {
      for (let k = 0; k + 8 <= line.length; k += 4) {
        assert.ok(!json.includes(line.slice(k, k + 8)), `key material survived: ${line.slice(k, k + 8)}`);
      }
    }
    const final = replayed.documents.find((d) => d.f === f)!.text;
    assert.ok(final.startsWith(before) && final.endsWith(after), JSON.stringify(final));
  });
});
