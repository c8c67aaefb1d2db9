/**
 * Messages between the consent webview and the extension host. Every message the host receives
 * is validated here before use: the webview is treated as untrusted input.
 */
import { isRecord, isText } from '../../util/guards';

/** One row of the consent screen. */
export interface CategoryInfo {
  readonly id: string;
  readonly label: string;
  /** What exactly is recorded, in plain words. */
  readonly detail: string;
  /**
   * Ticked when the screen opens: never (a pre-ticked box is not freely given consent). Typed
   * `false` so that no code path can offer one, and the webview refuses a state that does.
   */
  readonly checked: false;
  /** Shown but cannot be ticked (not yet available, or forbidden by the team policy). */
  readonly disabled: boolean;
  /** The team policy suggests it: shown as such, still unticked. Never true on a disabled row. */
  readonly suggested: boolean;
  /** Why it is disabled or marked ("not yet available", "forbidden by team policy 3", "suggested by your team"). */
  readonly note?: string;
  /** The id of a category that must be ticked with this one (terminal output needs terminal commands). */
  readonly requires?: string;
}

/** Initial state, passed as a data-* attribute (never inside a script body). */
export interface ConsentViewState {
  readonly policyVersion: string;
  readonly workspaceName: string;
  readonly categories: readonly CategoryInfo[];
}

export type ConsentFromWebview =
  | { readonly type: 'ready' }
  | { readonly type: 'accept'; readonly categories: readonly string[] }
  | { readonly type: 'cancel' };

export type ConsentToWebview = { readonly type: 'accepted' } | { readonly type: 'error'; readonly message: string };

/** Bounds of the consent messages both ways: far above real use, so only garbage hits them. */
const CONSENT_LIMITS = { maxCategories: 32, maxId: 63, maxText: 2000 } as const;
const CATEGORY_ID = /^[A-Za-z][A-Za-z0-9]*$/;

function isCategoryId(x: unknown): x is string {
  return typeof x === 'string' && x.length <= CONSENT_LIMITS.maxId && CATEGORY_ID.test(x);
}

/** Narrows an unknown message from the webview, or returns undefined for anything malformed. */
export function parseConsentMessage(raw: unknown): ConsentFromWebview | undefined {
  if (typeof raw !== 'object' || raw === null) {
    return undefined;
  }
  const m = raw as Record<string, unknown>;
  switch (m['type']) {
    case 'ready':
      return { type: 'ready' };
    case 'cancel':
      return { type: 'cancel' };
    case 'accept': {
      const cats = m['categories'];
      if (!Array.isArray(cats) || cats.length > CONSENT_LIMITS.maxCategories || !cats.every((c) => typeof c === 'string' && c.length <= CONSENT_LIMITS.maxId)) {
        return undefined;
      }
      return { type: 'accept', categories: cats as string[] };
    }
    default:
      return undefined;
  }
}

function parseCategoryInfo(raw: unknown): CategoryInfo | undefined {
  if (!isRecord(raw)) {
    return undefined;
  }
  const { id, label, detail, checked, disabled, suggested, note, requires } = raw;
  if (
    !isCategoryId(id) ||
    !isText(label, CONSENT_LIMITS.maxText, 1) ||
    !isText(detail, CONSENT_LIMITS.maxText) ||
    checked !== false ||
    typeof disabled !== 'boolean' ||
    typeof suggested !== 'boolean' ||
    (note !== undefined && !isText(note, CONSENT_LIMITS.maxText)) ||
    (requires !== undefined && !isCategoryId(requires))
  ) {
    return undefined;
  }
  return {
    id,
    label,
    detail,
    checked,
    disabled,
    suggested,
    ...(note === undefined ? {} : { note }),
    ...(requires === undefined ? {} : { requires }),
  };
}

/**
 * Narrows the state the host put in the consent page (the webview's side: defence in depth, and
 * it narrows the types). A row that would open ticked is refused like any malformed one.
 */
export function parseConsentViewState(raw: unknown): ConsentViewState | undefined {
  if (!isRecord(raw)) {
    return undefined;
  }
  const { policyVersion, workspaceName, categories } = raw;
  if (!isText(policyVersion, CONSENT_LIMITS.maxText) || !isText(workspaceName, CONSENT_LIMITS.maxText) || !Array.isArray(categories) || categories.length > CONSENT_LIMITS.maxCategories) {
    return undefined;
  }
  const rows: CategoryInfo[] = [];
  for (const c of categories as unknown[]) {
    const row = parseCategoryInfo(c);
    if (row === undefined || rows.some((r) => r.id === row.id)) {
      return undefined;
    }
    rows.push(row);
  }
  return { policyVersion, workspaceName, categories: rows };
}

/** Narrows a message from the host in the consent webview, or returns undefined for anything malformed. */
export function parseConsentHostMessage(raw: unknown): ConsentToWebview | undefined {
  if (!isRecord(raw)) {
    return undefined;
  }
  if (raw['type'] === 'accepted') {
    return { type: 'accepted' };
  }
  const message = raw['message'];
  return raw['type'] === 'error' && isText(message, CONSENT_LIMITS.maxText) ? { type: 'error', message } : undefined;
}

/**
 * Why `chosen` cannot start recording on a screen offering `rows`, or undefined when it can. One
 * rule for both sides: the webview keeps Start disabled and shows this sentence; the host refuses
 * an accept message for the same reason (it never trusts the webview).
 */
export function consentChoiceProblem(chosen: readonly string[], rows: readonly CategoryInfo[]): string | undefined {
  const byId = new Map(rows.map((r) => [r.id, r]));
  const notOffered = [...new Set(chosen)].filter((c) => byId.get(c)?.disabled !== false);
  if (notOffered.length > 0) {
    const named = notOffered.map((c) => {
      const row = byId.get(c);
      return row === undefined ? c : row.note === undefined ? row.label : `${row.label} (${row.note})`;
    });
    return `Not offered on this screen: ${named.join(', ')}.`;
  }
  if (chosen.length === 0) {
    return 'Tick at least one category to start recording.';
  }
  for (const c of chosen) {
    const row = byId.get(c);
    if (row?.requires !== undefined && !chosen.includes(row.requires)) {
      const needed = byId.get(row.requires)?.label ?? row.requires;
      return `${row.label} is recorded only with ${needed}: tick both, or untick ${row.label}.`;
    }
  }
  return undefined;
}
