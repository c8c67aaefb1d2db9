/**
 * SPDX license ids and expressions, as far as eligibility needs them.
 *
 * Decisions:
 * - Ids compare case-insensitively (as SPDX says), and `-only`, `-or-later` and a trailing `+`
 *   are ignored: a LICENSE file holds the licence text, which is the same for GPL-3.0-only and
 *   GPL-3.0-or-later, so we could not tell them apart anyway. `GPL-3.0` in an allow-list allows
 *   both.
 * - `A OR B` is allowed when either side is (the code may be used under either); `A AND B` only
 *   when both are; `A WITH exception` as `A` (an exception only grants more).
 * - Anything that does not parse (`SEE LICENSE IN …`, `UNLICENSED`, garbage) is not allowed.
 */

/** The comparison key of a license id: lower case, without `-only` / `-or-later` / `+`. */
export function licenseKey(id: string): string {
  return id
    .trim()
    .toLowerCase()
    .replace(/(?:-only|-or-later|\+)$/, '');
}

type Expr = { readonly id: string } | { readonly op: 'and' | 'or'; readonly left: Expr; readonly right: Expr };

/** Parses an SPDX license expression; undefined when it is not one. */
export function parseSpdxExpression(text: string): Expr | undefined {
  const tokens = text.match(/\(|\)|[^\s()]+/g) ?? [];
  let pos = 0;
  const peek = (): string | undefined => tokens[pos];
  const isOp = (t: string | undefined, op: string): boolean => t !== undefined && t.toUpperCase() === op;

  const atom = (): Expr | undefined => {
    const t = tokens[pos++];
    if (t === undefined) {
      return undefined;
    }
    if (t === '(') {
      const inner = or();
      if (inner === undefined || tokens[pos++] !== ')') {
        return undefined;
      }
      return inner;
    }
    if (t === ')' || isOp(t, 'AND') || isOp(t, 'OR') || isOp(t, 'WITH') || !/^[A-Za-z0-9][A-Za-z0-9.+:-]*$/.test(t)) {
      return undefined;
    }
    if (isOp(peek(), 'WITH')) {
      pos++;
      const exception = tokens[pos++];
      if (exception === undefined || exception === '(' || exception === ')') {
        return undefined;
      }
    }
    return { id: t };
  };
  const and = (): Expr | undefined => {
    let left = atom();
    while (left !== undefined && isOp(peek(), 'AND')) {
      pos++;
      const right = atom();
      left = right === undefined ? undefined : { op: 'and', left, right };
    }
    return left;
  };
  const or = (): Expr | undefined => {
    let left = and();
    while (left !== undefined && isOp(peek(), 'OR')) {
      pos++;
      const right = and();
      left = right === undefined ? undefined : { op: 'or', left, right };
    }
    return left;
  };
  const expr = or();
  return expr !== undefined && pos === tokens.length ? expr : undefined;
}

/** Whether code under the SPDX expression `license` may be recorded with this allow-list. */
export function licenseAllowed(license: string | undefined, allowed: readonly string[]): boolean {
  if (license === undefined) {
    return false;
  }
  const expr = parseSpdxExpression(license);
  if (expr === undefined) {
    return false;
  }
  const keys = new Set(allowed.map(licenseKey));
  const evaluate = (e: Expr): boolean => {
    if ('id' in e) {
      // Proprietary markers are never a licence to record.
      return e.id.toUpperCase() !== 'UNLICENSED' && e.id.toUpperCase() !== 'NONE' && keys.has(licenseKey(e.id));
    }
    return e.op === 'and' ? evaluate(e.left) && evaluate(e.right) : evaluate(e.left) || evaluate(e.right);
  };
  return evaluate(expr);
}
