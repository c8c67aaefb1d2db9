import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as zlib from 'node:zlib';
import * as fc from 'fast-check';
import { buildBundle } from '../../../src/bundle/build';
import { EVENT_SPECS, MANIFEST_KEYS, validateEventLine, validateManifest } from '../../../src/bundle/validate';
import { EVENT_TYPES } from '../../../src/model/events';
import { checkKeywords, validate } from './miniSchema';
import type { Schema } from './miniSchema';
import { fcRuns, inputOf, sampleEvents, sessionArb, sessionEvents } from './helpers';

const ROOT = resolve(__dirname, '../../../..');

interface ObjectSchema {
  readonly properties: Record<string, ObjectSchema & { items?: ObjectSchema }>;
  readonly required: string[];
  readonly additionalProperties?: unknown;
}

function load(): Record<string, unknown> & { $defs: Record<string, ObjectSchema> } {
  return JSON.parse(readFileSync(resolve(ROOT, 'docs/bundle.schema.json'), 'utf8')) as Record<string, unknown> & { $defs: Record<string, ObjectSchema> };
}

function accepts(line: unknown, validator: (x: unknown) => unknown): boolean {
  try {
    validator(line);
    return true;
  } catch {
    return false;
  }
}

describe('docs/bundle.schema.json', () => {
  const schema = load();
  const defs = schema.$defs;

  it('is a JSON Schema 2020-12 using only keywords these tests understand', () => {
    assert.equal(schema['$schema'], 'https://json-schema.org/draft/2020-12/schema');
    checkKeywords(schema);
  });

  it('has every event type, with exactly the validator fields, required and optional', () => {
    const eventRefs = (defs['event'] as unknown as { oneOf: { $ref: string }[] }).oneOf.map((r) => r.$ref);
    assert.deepEqual(eventRefs, EVENT_TYPES.map((t) => `#/$defs/event-${t}`));
    for (const t of EVENT_TYPES) {
      const def = defs[`event-${t}`];
      const spec = EVENT_SPECS[t];
      assert.deepEqual(Object.keys(def.properties).sort(), ['seq', 't', 'ts', ...Object.keys(spec.required), ...Object.keys(spec.optional)].sort(), t);
      assert.deepEqual([...def.required].sort(), ['seq', 't', 'ts', ...Object.keys(spec.required)].sort(), t);
      assert.equal(def.additionalProperties, false, t);
      assert.deepEqual(def.properties['t'], { const: t });
    }
  });

  it('has every manifest field, with exactly the validator keys at every level', () => {
    const m = defs['manifest'];
    const objects: Record<keyof typeof MANIFEST_KEYS, ObjectSchema> = {
      manifest: m,
      consent: defs['consent'],
      source: m.properties['source'],
      range: m.properties['range'],
      counts: m.properties['counts'],
      file: m.properties['files'].items!,
      exclusions: m.properties['exclusions'],
      policyExclusions: m.properties['exclusions'].properties['policy'],
      policyFiles: m.properties['exclusions'].properties['policy'].properties['files'],
      redaction: m.properties['redaction'],
      finding: defs['finding'],
      reviewerAction: defs['reviewerAction'],
    };
    for (const [name, keys] of Object.entries(MANIFEST_KEYS)) {
      const obj = objects[name as keyof typeof MANIFEST_KEYS];
      assert.deepEqual(Object.keys(obj.properties).sort(), [...keys.required, ...keys.optional].sort(), name);
      assert.deepEqual([...obj.required].sort(), [...keys.required].sort(), name);
      assert.equal(obj.additionalProperties, false, name);
    }
  });

  it('accepts every line of a real bundle', async () => {
    const b = await buildBundle(inputOf(sampleEvents().events));
    const content = zlib.gunzipSync(b.bytes.subarray(b.bytes.indexOf(0x0a) + 1)).toString('utf8');
    const lines = content.split('\n').slice(0, -1);
    assert.deepEqual(validate(JSON.parse(lines[0]), defs['manifest'] as unknown as Schema, schema as Schema), []);
    for (const line of lines) {
      assert.deepEqual(validate(JSON.parse(line), schema as Schema, schema as Schema), [], line);
    }
    const withPolicy = await buildBundle(inputOf(sampleEvents().events, { policy: { version: 'team-3', exclude: ['**/*.md'] } }));
    assert.deepEqual(validate(withPolicy.manifest, defs['manifest'] as unknown as Schema, schema as Schema), []);
    const empty = await buildBundle(inputOf([]));
    assert.deepEqual(validate(empty.manifest, defs['manifest'] as unknown as Schema, schema as Schema), []);
  });

  it('agrees with the validators on generated and mutated event lines', () => {
    const eventSchema = defs['event'] as unknown as Schema;
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('delete' as const), key: fc.nat() }),
      fc.record({ kind: fc.constant('add' as const), key: fc.constantFrom('x', 'to', 'f', 'seq', 'out', '__proto__') }),
      fc.record({ kind: fc.constant('set' as const), key: fc.nat(), value: fc.constantFrom<unknown>(-1, 1.5, '', 'a', '/abs', 'C:/x', 'a/../b', '..\\..\\etc', 'a\\b', 'a/./b', 'a//b', 'a/', 'a\u0000b', 'a\nb', 'a\u001bb', 'a\u202eb', 'a\u2066b', 'a\ud800b', 'ü/😀', 8.64e15, 8.64e15 + 1, null, [], [[0, 0]], true, 2 ** 60) }),
    );
    fc.assert(
      fc.property(sessionArb, fc.nat(), fc.array(mutation, { maxLength: 2 }), (steps, pick, mutations) => {
        // The sample adds the types generated sessions lack (term, task, debug, git).
        const events = [...sessionEvents(steps), ...sampleEvents().events];
        const e = events[pick % events.length];
        const line: Record<string, unknown> = JSON.parse(JSON.stringify({ seq: e.seq, ...e.event })) as Record<string, unknown>;
        for (const m of mutations) {
          const keys = Object.keys(line);
          if (m.kind === 'delete') {
            delete line[keys[m.key % keys.length]];
          } else if (m.kind === 'add') {
            Object.defineProperty(line, m.key, { value: 'x', enumerable: true, configurable: true, writable: true });
          } else {
            line[keys[m.key % keys.length]] = m.value;
          }
        }
        const bySchema = validate(line, eventSchema, schema).length === 0;
        const byValidator = accepts(line, (x) => validateEventLine(x));
        assert.equal(bySchema, byValidator, `schema ${bySchema ? 'accepts' : 'rejects'} but the validator ${byValidator ? 'accepts' : 'rejects'}: ${JSON.stringify(line)}`);
      }),
      { numRuns: fcRuns(1000) },
    );
  });

  it('agrees with the validator on mutated manifests', async () => {
    // With a bundle-time policy, so that `exclusions.policy` is mutated too.
    const b = await buildBundle(inputOf(sampleEvents().events, { policy: { version: 'team-3', exclude: ['**/*.md'], categories: ['edits', 'files'] } }));
    assert.ok(b.manifest.exclusions.policy !== undefined);
    const base = JSON.parse(JSON.stringify(b.manifest)) as Record<string, unknown>;
    const manifestSchema = defs['manifest'] as unknown as Schema;
    const paths: string[][] = [];
    const walk = (v: unknown, p: string[]): void => {
      paths.push(p);
      if (typeof v === 'object' && v !== null) {
        for (const [k, x] of Object.entries(v)) {
          walk(x, [...p, k]);
        }
      }
    };
    walk(base, []);
    fc.assert(
      fc.property(fc.nat(), fc.constantFrom<unknown>(undefined, -1, 0, '', 'x', '2025-11-30T00:00:00Z', [], {}, null, 'edits', 1.5), (pick, value) => {
        const path = paths[pick % paths.length];
        if (path.length === 0) {
          return;
        }
        const copy = JSON.parse(JSON.stringify(base)) as Record<string, unknown>;
        let target = copy;
        for (const k of path.slice(0, -1)) {
          target = target[k] as Record<string, unknown>;
        }
        if (value === undefined) {
          delete target[path[path.length - 1]];
        } else {
          target[path[path.length - 1]] = value;
        }
        const bySchema = validate(copy, manifestSchema, schema).length === 0;
        assert.equal(bySchema, accepts(copy, validateManifest), `${path.join('.')} = ${JSON.stringify(value)}`);
      }),
      { numRuns: fcRuns(1000) },
    );
  });
});
