import type { Category } from '../model/events';

/**
 * The consent state machine. Pure: no I/O, no VS Code. The controller persists what it returns.
 *
 *   off ──grant──► consented ──start──► recording ⇄ paused
 *    ▲                 │                   │          │
 *    └── (delete) ── withdrawn ◄──withdraw─┴──────────┘
 *
 * `withdrawn` behaves like `off` for recording (nothing is written) but remembers that consent
 * was once given and taken back, which the history and the status UI show.
 */
export type ConsentState = 'off' | 'consented' | 'recording' | 'paused' | 'withdrawn';

export type PauseReason = 'user' | 'disk-full' | 'error';

/** What the developer agreed to, carried in every bundle. */
export interface ConsentReceipt {
  /** Version of the consent text the developer read. */
  readonly policyVersion: string;
  readonly categories: readonly Category[];
  /** ISO 8601 time the developer accepted. */
  readonly grantedAt: string;
  readonly extensionVersion: string;
  /** Salted SHA-256 of the workspace identity: never a path. */
  readonly workspaceId: string;
}

export interface ConsentSnapshot {
  readonly state: ConsentState;
  readonly receipt?: ConsentReceipt;
  readonly pauseReason?: PauseReason;
}

export type ConsentAction =
  | { readonly type: 'grant'; readonly receipt: ConsentReceipt }
  | { readonly type: 'start' }
  | { readonly type: 'pause'; readonly reason: PauseReason }
  | { readonly type: 'resume' }
  | { readonly type: 'withdraw' };

export class InvalidConsentTransition extends Error {
  readonly kind = 'InvalidConsentTransition';
  constructor(
    readonly from: ConsentState,
    readonly action: ConsentAction['type'],
  ) {
    super(`Cannot ${action} while consent is ${from}`);
  }
  static is(err: unknown): err is InvalidConsentTransition {
    return err instanceof Error && (err as Partial<InvalidConsentTransition>).kind === 'InvalidConsentTransition';
  }
}

export const INITIAL_CONSENT: ConsentSnapshot = { state: 'off' };

export function transition(current: ConsentSnapshot, action: ConsentAction): ConsentSnapshot {
  const { state } = current;
  switch (action.type) {
    case 'grant':
      if (state === 'off' || state === 'withdrawn') {
        if (action.receipt.categories.length === 0) {
          throw new InvalidConsentTransition(state, action.type);
        }
        return { state: 'consented', receipt: action.receipt };
      }
      break;
    case 'start':
      if (state === 'consented') {
        return { state: 'recording', receipt: current.receipt };
      }
      break;
    case 'pause':
      if (state === 'recording') {
        return { state: 'paused', receipt: current.receipt, pauseReason: action.reason };
      }
      break;
    case 'resume':
      if (state === 'paused') {
        return { state: 'recording', receipt: current.receipt };
      }
      break;
    case 'withdraw':
      if (state === 'consented' || state === 'recording' || state === 'paused') {
        return { state: 'withdrawn' };
      }
      break;
  }
  throw new InvalidConsentTransition(state, action.type);
}

/** Whether events may be written in this state. The single gate every recorder path checks. */
export function mayRecord(snapshot: ConsentSnapshot): boolean {
  return snapshot.state === 'recording' && snapshot.receipt !== undefined;
}

/** Whether the developer granted a category under the current consent. */
export function granted(snapshot: ConsentSnapshot, category: Category): boolean {
  return snapshot.receipt?.categories.includes(category) ?? false;
}

/**
 * Validates a snapshot read back from storage. Anything malformed is treated as "off": a damaged
 * or hand-edited state must never turn recording on.
 */
export function parseConsentSnapshot(raw: unknown, knownCategories: readonly string[]): ConsentSnapshot {
  if (typeof raw !== 'object' || raw === null) {
    return INITIAL_CONSENT;
  }
  const r = raw as Record<string, unknown>;
  const state = r['state'];
  if (state === 'withdrawn') {
    return { state: 'withdrawn' };
  }
  if (state !== 'recording' && state !== 'paused') {
    return INITIAL_CONSENT;
  }
  const receipt = parseReceipt(r['receipt'], knownCategories);
  if (!receipt) {
    return INITIAL_CONSENT;
  }
  const reason = r['pauseReason'];
  return state === 'paused'
    ? { state, receipt, pauseReason: reason === 'disk-full' || reason === 'error' ? reason : 'user' }
    : { state, receipt };
}

function parseReceipt(raw: unknown, knownCategories: readonly string[]): ConsentReceipt | undefined {
  if (typeof raw !== 'object' || raw === null) {
    return undefined;
  }
  const r = raw as Record<string, unknown>;
  const cats = r['categories'];
  if (
    typeof r['policyVersion'] !== 'string' ||
    typeof r['grantedAt'] !== 'string' ||
    typeof r['extensionVersion'] !== 'string' ||
    typeof r['workspaceId'] !== 'string' ||
    !Array.isArray(cats) ||
    cats.length === 0 ||
    !cats.every((c): c is Category => typeof c === 'string' && knownCategories.includes(c))
  ) {
    return undefined;
  }
  return {
    policyVersion: r['policyVersion'],
    categories: cats,
    grantedAt: r['grantedAt'],
    extensionVersion: r['extensionVersion'],
    workspaceId: r['workspaceId'],
  };
}
