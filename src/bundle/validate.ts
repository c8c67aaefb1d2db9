/**
 * Exact validators of the bundle's manifest and event lines: every required field present with
 * its type, no field that the format does not define. The collector relies on them, so they are
 * written by hand against the event union rather than inferred, and the table below is what the
 * schema test compares with docs/bundle.schema.json.
 */
import type { ConsentReceipt } from '../consent/consentMachine';
import type { CandorEvent, Category, EventType, LoggedEvent } from '../model/events';
import { CATEGORIES, EVENT_TYPES } from '../model/events';
import { isSafeRelativePath } from '../model/paths';
import { BundleError } from './errors';
import type { BundleManifest, ManifestReviewerAction, RedactionFinding } from './types';
import { REVIEWER_ACTION_KINDS } from './types';
import { isSha256 } from '../util/sha256';

/** A named predicate: the name appears in error messages and in the schema comparison. */
export interface FieldCheck {
  readonly name: string;
  test(value: unknown): boolean;
}

export interface EventSpec {
  readonly required: Readonly<Record<string, FieldCheck>>;
  readonly optional: Readonly<Record<string, FieldCheck>>;
}

function intAtLeast(min: number): FieldCheck {
  return { name: `integer >= ${min}`, test: (v) => Number.isSafeInteger(v) && (v as number) >= min };
}

function oneOf(...values: readonly string[]): FieldCheck {
  return { name: values.map((v) => `'${v}'`).join(' | '), test: (v) => typeof v === 'string' && values.includes(v) };
}

const int: FieldCheck = { name: 'integer', test: (v) => Number.isSafeInteger(v) };
const nat: FieldCheck = intAtLeast(0);
const str: FieldCheck = { name: 'string', test: (v) => typeof v === 'string' };
const nonEmpty: FieldCheck = { name: 'non-empty string', test: (v) => typeof v === 'string' && v.length > 0 };
const bool: FieldCheck = { name: 'boolean', test: (v) => typeof v === 'boolean' };
const hex64: FieldCheck = { name: '64 lowercase hex digits', test: isSha256 };

/**
 * Workspace-relative paths, by the one rule the recorder and the builder also apply
 * (src/model/paths.ts): a collector must never store a path that climbs out of a folder (also with
 * `\\`), hides control characters or reorders itself on screen.
 */
const path: FieldCheck = { name: 'workspace-relative path', test: (v) => isSafeRelativePath(v) };
const pathOrRoot: FieldCheck = { name: "workspace-relative path or ''", test: (v) => isSafeRelativePath(v, true) };

/** The largest time a JavaScript `Date` can hold (±8.64e15 ms): a `ts` past it cannot be shown. */
export const MAX_TS = 8_640_000_000_000_000;

/** Milliseconds since the epoch that a `Date` can represent: what every reader can print. */
const time: FieldCheck = { name: `integer 0..${MAX_TS}`, test: (v) => Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= MAX_TS };

const changes: FieldCheck = {
  name: 'array of [offset, length, text]',
  test: (v) => {
    if (!Array.isArray(v)) {
      return false;
    }
    for (const c of v as unknown[]) {
      if (!Array.isArray(c) || c.length !== 3 || !nat.test(c[0]) || !nat.test(c[1]) || typeof c[2] !== 'string') {
        return false;
      }
    }
    return true;
  },
};

const selections: FieldCheck = {
  name: 'array of [anchor, active]',
  test: (v) => Array.isArray(v) && (v as unknown[]).every((s) => Array.isArray(s) && s.length === 2 && nat.test(s[0]) && nat.test(s[1])),
};

const categories: FieldCheck = {
  name: `array of ${CATEGORIES.join(' | ')}`,
  test: (v) => Array.isArray(v) && (v as unknown[]).every((c) => typeof c === 'string' && (CATEGORIES as readonly string[]).includes(c)),
};

/** Fields of each event type, besides `seq`, `t` and `ts` which every line has. */
export const EVENT_SPECS: Readonly<Record<EventType, EventSpec>> = {
  session: { required: { op: oneOf('start', 'pause', 'resume', 'stop'), sid: nonEmpty }, optional: { cats: categories, unclean: { name: 'true', test: (v) => v === true }, note: str } },
  snap: { required: { f: path, v: nat, text: str }, optional: {} },
  edit: { required: { f: path, v: nat, c: changes }, optional: { r: oneOf('undo', 'redo') } },
  ckpt: { required: { f: path, v: nat, h: hex64, why: oneOf('save', 'every') }, optional: {} },
  sel: { required: { f: path, s: selections }, optional: { k: { name: 'integer 1..3', test: (v) => v === 1 || v === 2 || v === 3 } } },
  focus: { required: {}, optional: { f: path, win: bool } },
  file: { required: { op: oneOf('open', 'close', 'save', 'create', 'delete', 'rename'), f: path }, optional: { to: path } },
  term: { required: { cmd: str, dur: nat }, optional: { cwd: pathOrRoot, exit: int, out: str, cut: bool } },
  task: { required: { op: oneOf('start', 'end'), name: str, src: str }, optional: { exit: int } },
  debug: { required: { op: oneOf('start', 'end'), type: str, name: str }, optional: {} },
  git: { required: { op: oneOf('commit', 'checkout', 'branch'), repo: pathOrRoot }, optional: { branch: str, commit: str } },
  cmd: { required: { id: nonEmpty }, optional: {} },
  drop: { required: { n: intAtLeast(1) }, optional: {} },
};

/** Fields every event line has. */
export const EVENT_COMMON: Readonly<Record<'seq' | 't' | 'ts', FieldCheck>> = {
  seq: intAtLeast(1),
  t: oneOf(...EVENT_TYPES),
  ts: time,
};

/**
 * A key or value from the bundle as it may appear in a message: JSON-escaped (so one line) and cut
 * short (a key may be megabytes long). Readers still escape messages before printing them.
 */
export function shown(v: string, max = 64): string {
  const cut = v.length > max ? `${v.slice(0, max)}…` : v;
  return JSON.stringify(cut).slice(1, -1);
}

function schemaError(message: string, line: number | undefined, at: string): BundleError {
  return new BundleError('schema', line === undefined ? `${at}: ${message}` : `line ${line}: ${at}: ${message}`, { line, path: at });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A type's fields as the hot loop wants them: one Map lookup per key, required ones counted. */
interface CompiledSpec {
  readonly checks: ReadonlyMap<string, FieldCheck>;
  readonly required: ReadonlySet<string>;
}

const COMPILED: ReadonlyMap<string, CompiledSpec> = new Map(
  EVENT_TYPES.map((t) => {
    const spec = EVENT_SPECS[t];
    const checks = new Map<string, FieldCheck>([['ts', EVENT_COMMON.ts], ...Object.entries(spec.required), ...Object.entries(spec.optional)]);
    return [t, { checks, required: new Set(['ts', ...Object.keys(spec.required)]) }];
  }),
);

/**
 * Checks the fields of one event object (`seq` allowed only in a line). A Map, not the spec
 * objects, is looked up, so a `__proto__` or `constructor` key is just an unknown field.
 */
function checkEventFields(ev: Record<string, unknown>, line: number | undefined, withSeq: boolean): void {
  const t = ev['t'];
  const spec = typeof t === 'string' ? COMPILED.get(t) : undefined;
  if (spec === undefined) {
    // Never JSON.stringify an untrusted value whole: it may be nested 10^5 deep.
    throw schemaError(`unknown event type ${typeof t === 'string' ? `"${shown(t)}"` : t === null ? 'null' : `(a ${Array.isArray(t) ? 'array' : typeof t})`}`, line, '$.t');
  }
  let required = 0;
  let seq = false;
  for (const key in ev) {
    if (key === 't') {
      continue;
    }
    const value = ev[key];
    if (key === 'seq' && withSeq) {
      if (!EVENT_COMMON.seq.test(value)) {
        throw schemaError(`must be ${EVENT_COMMON.seq.name}`, line, '$.seq');
      }
      seq = true;
      continue;
    }
    const check = spec.checks.get(key);
    if (check === undefined) {
      throw schemaError(`field '${shown(key)}' is not part of a '${t as string}' event`, line, `$.${shown(key)}`);
    }
    if (!check.test(value)) {
      throw schemaError(`must be ${check.name}`, line, `$.${key}`);
    }
    if (spec.required.has(key)) {
      required++;
    }
  }
  if (withSeq && !seq) {
    throw schemaError(`a '${t as string}' event line needs 'seq'`, line, '$.seq');
  }
  if (required !== spec.required.size) {
    const missing = [...spec.required].find((k) => !Object.hasOwn(ev, k));
    throw schemaError(`a '${t as string}' event needs '${missing}'`, line, `$.${missing}`);
  }
  if (t === 'file' && (ev['op'] === 'rename') !== Object.hasOwn(ev, 'to')) {
    throw schemaError("'to' is required for a rename and only for a rename", line, '$.to');
  }
}

/**
 * Checks one parsed event line and splits it into `{ seq, event }`. `line` (1-based line of the
 * content) only labels errors. Throws `BundleError('schema')`.
 */
export function validateEventLine(raw: unknown, line?: number): LoggedEvent {
  if (!isObject(raw)) {
    throw schemaError('an event line must be a JSON object', line, '$');
  }
  checkEventFields(raw, line, true);
  // A copy without `seq` (a loop: object rest is a slow path in V8, and this runs per event).
  const event: Record<string, unknown> = {};
  for (const key in raw) {
    if (key !== 'seq') {
      event[key] = raw[key];
    }
  }
  return { seq: raw['seq'] as number, event: event as unknown as CandorEvent };
}

/** Checks an event that is about to be written (e.g. the redactor's output); same rules. */
export function validateEvent(e: LoggedEvent): void {
  if (!EVENT_COMMON.seq.test(e.seq)) {
    throw schemaError(`must be ${EVENT_COMMON.seq.name}`, undefined, '$.seq');
  }
  if (!isObject(e.event)) {
    throw schemaError('an event must be an object', undefined, '$');
  }
  checkEventFields(e.event, undefined, false);
}

// ── manifest ────────────────────────────────────────────────────────────────────────────────

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** `Date.prototype.toISOString()` output for a real date: the one time format of the manifest. */
export function isIsoTime(v: unknown): v is string {
  return typeof v === 'string' && ISO_UTC.test(v) && !Number.isNaN(Date.parse(v)) && new Date(v).toISOString() === v;
}

/** Checks `raw` has exactly `required` keys plus some of `optional`. */
function exactKeys(raw: Record<string, unknown>, at: string, required: readonly string[], optional: readonly string[] = []): void {
  for (const key of Object.keys(raw)) {
    if (!required.includes(key) && !optional.includes(key)) {
      throw schemaError(`unknown field '${shown(key)}'`, 1, `${at}.${shown(key)}`);
    }
  }
  for (const key of required) {
    if (!Object.hasOwn(raw, key)) {
      throw schemaError(`missing field '${key}'`, 1, `${at}.${key}`);
    }
  }
}

function expect(ok: boolean, what: string, at: string): void {
  if (!ok) {
    throw schemaError(`must be ${what}`, 1, at);
  }
}

function expectObject(v: unknown, at: string): Record<string, unknown> {
  expect(isObject(v), 'an object', at);
  return v as Record<string, unknown>;
}

function expectArray(v: unknown, at: string): unknown[] {
  expect(Array.isArray(v), 'an array', at);
  return v as unknown[];
}

/** Manifest keys, required and optional, per object: the schema test compares these with the JSON Schema. */
export const MANIFEST_KEYS = {
  manifest: {
    required: ['format', 'createdAt', 'extensionVersion', 'policyVersion', 'consent', 'source', 'counts', 'files', 'exclusions', 'redaction', 'reviewerActions'],
    optional: ['range'],
  },
  consent: { required: ['policyVersion', 'categories', 'grantedAt', 'extensionVersion', 'workspaceId'], optional: [] },
  source: { required: ['sessions'], optional: ['firstSeq', 'lastSeq'] },
  range: { required: ['firstTs', 'lastTs'], optional: [] },
  counts: { required: ['events', 'byType'], optional: [] },
  file: { required: ['f', 'events'], optional: [] },
  exclusions: { required: ['patterns', 'events', 'outsideConsent'], optional: ['policy'] },
  policyExclusions: { required: ['version', 'events', 'outsideCategories', 'files'], optional: [] },
  policyFiles: { required: ['excluded', 'ineligible', 'gitignored', 'binary', 'too-large'], optional: [] },
  redaction: { required: ['engine', 'findings', 'eventsChanged'], optional: [] },
  finding: { required: ['rule', 'kind', 'values', 'occurrences'], optional: [] },
  reviewerAction: { required: ['action', 'detail', 'at', 'removed'], optional: [] },
} as const satisfies Record<string, { required: readonly string[]; optional: readonly string[] }>;

/**
 * Checks a consent receipt exactly. Throws `BundleError('no-consent')` when it is absent or not
 * an object: a bundle without a receipt is invalid for a reason of its own (invariant 7).
 */
export function validateReceipt(raw: unknown, at = '$.consent'): ConsentReceipt {
  if (raw === undefined || raw === null) {
    throw new BundleError('no-consent', 'the bundle has no consent receipt: every bundle must carry the developer\'s consent', { line: 1, path: at });
  }
  const r = expectObject(raw, at);
  const keys = MANIFEST_KEYS.consent;
  exactKeys(r, at, keys.required, keys.optional);
  expect(nonEmpty.test(r['policyVersion']), 'a non-empty string', `${at}.policyVersion`);
  expect(nonEmpty.test(r['extensionVersion']), 'a non-empty string', `${at}.extensionVersion`);
  expect(isIsoTime(r['grantedAt']), 'an ISO 8601 UTC time', `${at}.grantedAt`);
  expect(hex64.test(r['workspaceId']), hex64.name, `${at}.workspaceId`);
  const cats = expectArray(r['categories'], `${at}.categories`);
  expect(cats.length > 0 && categories.test(cats) && new Set(cats).size === cats.length, 'a non-empty list of distinct categories', `${at}.categories`);
  return raw as ConsentReceipt;
}

function validateFinding(raw: unknown, at: string): RedactionFinding {
  const r = expectObject(raw, at);
  exactKeys(r, at, MANIFEST_KEYS.finding.required);
  expect(nonEmpty.test(r['rule']), 'a non-empty string', `${at}.rule`);
  expect(oneOf('secret', 'pii', 'identity', 'path', 'manual').test(r['kind']), "'secret' | 'pii' | 'identity' | 'path' | 'manual'", `${at}.kind`);
  expect(nat.test(r['values']), nat.name, `${at}.values`);
  expect(nat.test(r['occurrences']), nat.name, `${at}.occurrences`);
  return raw as RedactionFinding;
}

function validateReviewerAction(raw: unknown, at: string): ManifestReviewerAction {
  const r = expectObject(raw, at);
  exactKeys(r, at, MANIFEST_KEYS.reviewerAction.required);
  expect(oneOf(...REVIEWER_ACTION_KINDS).test(r['action']), oneOf(...REVIEWER_ACTION_KINDS).name, `${at}.action`);
  expect(str.test(r['detail']), 'a string', `${at}.detail`);
  expect(isIsoTime(r['at']), 'an ISO 8601 UTC time', `${at}.at`);
  expect(nat.test(r['removed']), nat.name, `${at}.removed`);
  return raw as ManifestReviewerAction;
}

/** Checks the parsed manifest line exactly. Throws `BundleError('schema' | 'no-consent')`. */
export function validateManifest(raw: unknown): BundleManifest {
  const m = expectObject(raw, '$');
  // The receipt first: its absence has its own error code, whatever else is wrong.
  validateReceipt(m['consent']);
  exactKeys(m, '$', MANIFEST_KEYS.manifest.required, MANIFEST_KEYS.manifest.optional);
  expect(m['format'] === 1, 'the number 1', '$.format');
  expect(isIsoTime(m['createdAt']), 'an ISO 8601 UTC time', '$.createdAt');
  expect(nonEmpty.test(m['extensionVersion']), 'a non-empty string', '$.extensionVersion');
  expect(nonEmpty.test(m['policyVersion']), 'a non-empty string', '$.policyVersion');

  const source = expectObject(m['source'], '$.source');
  exactKeys(source, '$.source', MANIFEST_KEYS.source.required, MANIFEST_KEYS.source.optional);
  const sessions = expectArray(source['sessions'], '$.source.sessions');
  expect(sessions.every((s) => nonEmpty.test(s)), 'a list of non-empty strings', '$.source.sessions');
  expect(Object.hasOwn(source, 'firstSeq') === Object.hasOwn(source, 'lastSeq'), 'firstSeq and lastSeq together', '$.source');
  if (Object.hasOwn(source, 'firstSeq')) {
    expect(intAtLeast(1).test(source['firstSeq']), 'an integer >= 1', '$.source.firstSeq');
    expect(intAtLeast(1).test(source['lastSeq']), 'an integer >= 1', '$.source.lastSeq');
  }

  if (Object.hasOwn(m, 'range')) {
    const range = expectObject(m['range'], '$.range');
    exactKeys(range, '$.range', MANIFEST_KEYS.range.required);
    expect(time.test(range['firstTs']), time.name, '$.range.firstTs');
    expect(time.test(range['lastTs']), time.name, '$.range.lastTs');
  }

  const counts = expectObject(m['counts'], '$.counts');
  exactKeys(counts, '$.counts', MANIFEST_KEYS.counts.required);
  expect(nat.test(counts['events']), nat.name, '$.counts.events');
  const byType = expectObject(counts['byType'], '$.counts.byType');
  for (const [t, n] of Object.entries(byType)) {
    expect((EVENT_TYPES as readonly string[]).includes(t), 'keyed by event type', `$.counts.byType.${shown(t)}`);
    expect(intAtLeast(1).test(n), 'an integer >= 1', `$.counts.byType.${t}`);
  }

  expectArray(m['files'], '$.files').forEach((raw, k) => {
    const at = `$.files[${k}]`;
    const file = expectObject(raw, at);
    exactKeys(file, at, MANIFEST_KEYS.file.required);
    expect(path.test(file['f']), path.name, `${at}.f`);
    expect(intAtLeast(1).test(file['events']), 'an integer >= 1', `${at}.events`);
  });

  const exclusions = expectObject(m['exclusions'], '$.exclusions');
  exactKeys(exclusions, '$.exclusions', MANIFEST_KEYS.exclusions.required, MANIFEST_KEYS.exclusions.optional);
  expect(expectArray(exclusions['patterns'], '$.exclusions.patterns').every((p) => nonEmpty.test(p)), 'a list of non-empty strings', '$.exclusions.patterns');
  expect(nat.test(exclusions['events']), nat.name, '$.exclusions.events');
  expect(nat.test(exclusions['outsideConsent']), nat.name, '$.exclusions.outsideConsent');
  if (Object.hasOwn(exclusions, 'policy')) {
    const policy = expectObject(exclusions['policy'], '$.exclusions.policy');
    exactKeys(policy, '$.exclusions.policy', MANIFEST_KEYS.policyExclusions.required);
    expect(nonEmpty.test(policy['version']), 'a non-empty string', '$.exclusions.policy.version');
    expect(nat.test(policy['events']), nat.name, '$.exclusions.policy.events');
    expect(nat.test(policy['outsideCategories']), nat.name, '$.exclusions.policy.outsideCategories');
    const files = expectObject(policy['files'], '$.exclusions.policy.files');
    exactKeys(files, '$.exclusions.policy.files', MANIFEST_KEYS.policyFiles.required);
    for (const key of MANIFEST_KEYS.policyFiles.required) {
      expect(nat.test(files[key]), nat.name, `$.exclusions.policy.files.${key}`);
    }
  }

  const redaction = expectObject(m['redaction'], '$.redaction');
  exactKeys(redaction, '$.redaction', MANIFEST_KEYS.redaction.required);
  expect(nonEmpty.test(redaction['engine']), 'a non-empty string', '$.redaction.engine');
  expect(nat.test(redaction['eventsChanged']), nat.name, '$.redaction.eventsChanged');
  expectArray(redaction['findings'], '$.redaction.findings').forEach((f, k) => validateFinding(f, `$.redaction.findings[${k}]`));

  expectArray(m['reviewerActions'], '$.reviewerActions').forEach((a, k) => validateReviewerAction(a, `$.reviewerActions[${k}]`));

  // Ranges exist exactly when there are events (the schema's if/then says the same).
  const hasEvents = (counts['events'] as number) > 0;
  const presence = hasEvents ? 'present when there are events' : 'absent when there are no events';
  expect(Object.hasOwn(m, 'range') === hasEvents, presence, '$.range');
  expect(Object.hasOwn(source, 'firstSeq') === hasEvents, presence, '$.source.firstSeq');
  return raw as BundleManifest;
}

/**
 * The consent category an event belongs to, or undefined for events every session may write
 * (session boundaries, Candor's own commands, drop counts). Mirrors src/recorder/recorder.ts,
 * which creates a source only for a granted category.
 */
export function eventCategory(e: CandorEvent): Category | undefined {
  switch (e.t) {
    case 'snap':
    case 'edit':
    case 'ckpt':
      return 'edits';
    case 'sel':
    case 'focus':
      return 'navigation';
    case 'file':
      return 'files';
    case 'term':
      return 'terminalCommands';
    case 'task':
    case 'debug':
    case 'git':
      return 'tools';
    case 'session':
    case 'cmd':
    case 'drop':
      return undefined;
  }
}
