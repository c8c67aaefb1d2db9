/**
 * A small JSON Schema (2020-12) validator for exactly the keywords docs/bundle.schema.json uses,
 * so the tests can check the published schema against real bundles without a dependency. An
 * unsupported keyword throws: the schema cannot grow a keyword these tests silently ignore.
 */

export type Schema = boolean | { readonly [keyword: string]: unknown };

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description']);
const SUPPORTED = new Set([
  '$ref', 'type', 'properties', 'required', 'additionalProperties', 'propertyNames', 'const', 'enum', 'minimum', 'maximum',
  'minLength', 'pattern', 'items', 'prefixItems', 'minItems', 'uniqueItems', 'oneOf', 'anyOf', 'allOf', 'not', 'if', 'then',
  'else', '$defs',
]);

function typeOf(v: unknown): string {
  if (v === null) {
    return 'null';
  }
  if (Array.isArray(v)) {
    return 'array';
  }
  if (typeof v === 'number') {
    return Number.isInteger(v) ? 'integer' : 'number';
  }
  return typeof v;
}

function equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Every keyword of `schema` (recursively) is supported or an annotation. */
export function checkKeywords(schema: unknown, at = '#'): void {
  if (typeof schema === 'boolean') {
    return;
  }
  if (typeof schema !== 'object' || schema === null) {
    throw new Error(`${at}: not a schema`);
  }
  for (const [k, v] of Object.entries(schema)) {
    if (ANNOTATIONS.has(k)) {
      continue;
    }
    if (!SUPPORTED.has(k)) {
      throw new Error(`${at}: unsupported keyword ${k}`);
    }
    if (k === 'properties' || k === '$defs') {
      for (const [name, sub] of Object.entries(v as object)) {
        checkKeywords(sub, `${at}/${k}/${name}`);
      }
    } else if (k === 'prefixItems' || k === 'oneOf' || k === 'anyOf' || k === 'allOf') {
      (v as unknown[]).forEach((sub, i) => checkKeywords(sub, `${at}/${k}/${i}`));
    } else if (['additionalProperties', 'propertyNames', 'items', 'not', 'if', 'then', 'else'].includes(k)) {
      checkKeywords(v, `${at}/${k}`);
    }
  }
}

/** Errors of `value` against `schema` (empty: valid). `root` resolves `#/$defs/...` references. */
export function validate(value: unknown, schema: Schema, root: Schema, at = '$'): string[] {
  if (schema === true) {
    return [];
  }
  if (schema === false) {
    return [`${at}: not allowed`];
  }
  const s = schema;
  const errors: string[] = [];
  const sub = (v: unknown, sch: unknown, where: string): string[] => validate(v, sch as Schema, root, where);
  if (typeof s['$ref'] === 'string') {
    const path = s['$ref'].replace(/^#\//, '').split('/');
    let target: unknown = root;
    for (const p of path) {
      target = (target as Record<string, unknown>)[p];
    }
    errors.push(...sub(value, target, at));
  }
  const t = typeOf(value);
  if (s['type'] !== undefined && s['type'] !== t && !(s['type'] === 'number' && t === 'integer')) {
    return [...errors, `${at}: expected ${JSON.stringify(s['type'])}, got ${t}`];
  }
  if ('const' in s && !equal(value, s['const'])) {
    errors.push(`${at}: expected ${JSON.stringify(s['const'])}`);
  }
  if (Array.isArray(s['enum']) && !s['enum'].some((e) => equal(e, value))) {
    errors.push(`${at}: not one of ${JSON.stringify(s['enum'])}`);
  }
  if (typeof value === 'number') {
    if (typeof s['minimum'] === 'number' && value < s['minimum']) {
      errors.push(`${at}: below ${s['minimum']}`);
    }
    if (typeof s['maximum'] === 'number' && value > s['maximum']) {
      errors.push(`${at}: above ${s['maximum']}`);
    }
  }
  if (typeof value === 'string') {
    if (typeof s['minLength'] === 'number' && [...value].length < s['minLength']) {
      errors.push(`${at}: shorter than ${s['minLength']}`);
    }
    if (typeof s['pattern'] === 'string' && !new RegExp(s['pattern'], 'u').test(value)) {
      errors.push(`${at}: does not match ${s['pattern']}`);
    }
  }
  if (Array.isArray(value)) {
    const prefix = (s['prefixItems'] as unknown[] | undefined) ?? [];
    value.forEach((v, i) => {
      if (i < prefix.length) {
        errors.push(...sub(v, prefix[i], `${at}[${i}]`));
      } else if (s['items'] !== undefined) {
        errors.push(...sub(v, s['items'], `${at}[${i}]`));
      }
    });
    if (typeof s['minItems'] === 'number' && value.length < s['minItems']) {
      errors.push(`${at}: fewer than ${s['minItems']} items`);
    }
    if (s['uniqueItems'] === true && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) {
      errors.push(`${at}: items not unique`);
    }
  }
  if (t === 'object') {
    const obj = value as Record<string, unknown>;
    const props = (s['properties'] as Record<string, unknown> | undefined) ?? {};
    for (const key of Object.keys(obj)) {
      if (Object.hasOwn(props, key)) {
        errors.push(...sub(obj[key], props[key], `${at}.${key}`));
      } else if (s['additionalProperties'] !== undefined) {
        errors.push(...sub(obj[key], s['additionalProperties'], `${at}.${key}`));
      }
      if (s['propertyNames'] !== undefined) {
        errors.push(...sub(key, s['propertyNames'], `${at}.${key} (name)`));
      }
    }
    for (const key of (s['required'] as string[] | undefined) ?? []) {
      if (!Object.hasOwn(obj, key)) {
        errors.push(`${at}: missing ${key}`);
      }
    }
  }
  if (Array.isArray(s['allOf'])) {
    s['allOf'].forEach((x) => errors.push(...sub(value, x, at)));
  }
  if (Array.isArray(s['anyOf']) && !s['anyOf'].some((x) => sub(value, x, at).length === 0)) {
    errors.push(`${at}: matches none of anyOf`);
  }
  if (Array.isArray(s['oneOf'])) {
    const n = s['oneOf'].filter((x) => sub(value, x, at).length === 0).length;
    if (n !== 1) {
      errors.push(`${at}: matches ${n} of oneOf, not exactly 1`);
    }
  }
  if (s['not'] !== undefined && sub(value, s['not'], at).length === 0) {
    errors.push(`${at}: matches a 'not'`);
  }
  if (s['if'] !== undefined) {
    const branch = sub(value, s['if'], at).length === 0 ? s['then'] : s['else'];
    if (branch !== undefined) {
      errors.push(...sub(value, branch, at));
    }
  }
  return errors;
}
