/**
 * Messages between the consent webview and the extension host. Every message the host receives
 * is validated here before use: the webview is treated as untrusted input.
 */

/** One row of the consent screen. */
export interface CategoryInfo {
  readonly id: string;
  readonly label: string;
  /** What exactly is recorded, in plain words. */
  readonly detail: string;
  /** Ticked when the screen opens. */
  readonly checked: boolean;
  /** Shown but cannot be ticked (not yet available). */
  readonly disabled: boolean;
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
      if (!Array.isArray(cats) || cats.length > 32 || !cats.every((c) => typeof c === 'string' && c.length < 64)) {
        return undefined;
      }
      return { type: 'accept', categories: cats as string[] };
    }
    default:
      return undefined;
  }
}
