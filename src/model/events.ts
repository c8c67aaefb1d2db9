/**
 * The event records Candor writes to its local log. Plain data, no VS Code types: the recorder
 * produces them, the store frames and persists them, replay and the CLI read them back.
 *
 * Keys are short on purpose: an edit event must stay well under 150 bytes on disk.
 * Every record has `t` (its kind) and `ts` (milliseconds since the epoch).
 * `f` is always a workspace-relative path with `/` separators (in a multi-root workspace it is
 * prefixed with the folder's name: `<folder>/<path>`); never an absolute path.
 */

/** One content change as `onDidChangeTextDocument` reports it: [offset, length, inserted text]. */
export type Change = [offset: number, length: number, text: string];

export interface SessionEvent {
  readonly t: 'session';
  readonly ts: number;
  /** What happened to recording. A session starts on start/resume and ends on pause/stop. */
  readonly op: 'start' | 'pause' | 'resume' | 'stop';
  /** Random id of the recording session (new on start and on resume). */
  readonly sid: string;
  /** Categories in force for this session (on start/resume). */
  readonly cats?: readonly string[];
  /**
   * On a `stop` written when a log is next opened: the session `sid` was never closed (the editor
   * or its extension host died: crash, kill, power loss). `ts` is then the time of the log's last
   * record, not of the end, which cannot be known — nor what was done until the next session.
   */
  readonly unclean?: true;
  /** Why, in words: an unclean end, a withdrawal or pause made in another window, a policy. */
  readonly note?: string;
}

/** Full text of a document the first time it is touched in a session (after the edit that touched it). */
export interface SnapshotEvent {
  readonly t: 'snap';
  readonly ts: number;
  readonly f: string;
  /** Document version this text is at. Edits with `v <= this` are already included. */
  readonly v: number;
  readonly text: string;
}

export interface EditEvent {
  readonly t: 'edit';
  readonly ts: number;
  readonly f: string;
  /** Document version after this edit. */
  readonly v: number;
  /** Changes, applied in order, each against the result of the previous (as VS Code applies them). */
  readonly c: readonly Change[];
  /** Why: undo or redo; absent for a normal edit. */
  readonly r?: 'undo' | 'redo';
}

/** SHA-256 (hex) of the document's full text (UTF-8) at version `v`. */
export interface CheckpointEvent {
  readonly t: 'ckpt';
  readonly ts: number;
  readonly f: string;
  readonly v: number;
  readonly h: string;
  readonly why: 'save' | 'every';
}

/** Coalesced selections of the active editor: [anchor offset, active offset] per cursor. */
export interface SelectionEvent {
  readonly t: 'sel';
  readonly ts: number;
  readonly f: string;
  readonly s: readonly (readonly [anchor: number, active: number])[];
  /** 1 keyboard, 2 mouse, 3 command (TextEditorSelectionChangeKind); absent if unknown. */
  readonly k?: number;
}

/** The active editor changed (`f` absent: no recordable editor), or the window gained/lost focus. */
export interface FocusEvent {
  readonly t: 'focus';
  readonly ts: number;
  readonly f?: string;
  readonly win?: boolean;
}

export interface FileEvent {
  readonly t: 'file';
  readonly ts: number;
  readonly op: 'open' | 'close' | 'save' | 'create' | 'delete' | 'rename';
  readonly f: string;
  /** New path, for a rename. */
  readonly to?: string;
}

export interface TerminalEvent {
  readonly t: 'term';
  readonly ts: number;
  /** The command line as shell integration reported it. */
  readonly cmd: string;
  readonly cwd?: string;
  readonly exit?: number;
  /** Milliseconds from start to end. */
  readonly dur: number;
  /** Output, only if the terminal-output category was granted; capped. */
  readonly out?: string;
  /** True when `out` was cut at the cap. */
  readonly cut?: boolean;
}

export interface TaskEvent {
  readonly t: 'task';
  readonly ts: number;
  readonly op: 'start' | 'end';
  readonly name: string;
  readonly src: string;
  readonly exit?: number;
}

export interface DebugEvent {
  readonly t: 'debug';
  readonly ts: number;
  readonly op: 'start' | 'end';
  readonly type: string;
  readonly name: string;
}

export interface GitEvent {
  readonly t: 'git';
  readonly ts: number;
  readonly op: 'commit' | 'checkout' | 'branch';
  /** Repository root, workspace-relative ('' for the workspace root). */
  readonly repo: string;
  readonly branch?: string;
  readonly commit?: string;
}

/** One of Candor's own commands ran (other extensions' commands cannot be observed). */
export interface CommandEvent {
  readonly t: 'cmd';
  readonly ts: number;
  readonly id: string;
}

/** Events were dropped because the bounded memory queue was full. */
export interface DropEvent {
  readonly t: 'drop';
  readonly ts: number;
  readonly n: number;
}

export type CandorEvent =
  | SessionEvent
  | SnapshotEvent
  | EditEvent
  | CheckpointEvent
  | SelectionEvent
  | FocusEvent
  | FileEvent
  | TerminalEvent
  | TaskEvent
  | DebugEvent
  | GitEvent
  | CommandEvent
  | DropEvent;

export type EventType = CandorEvent['t'];

export const EVENT_TYPES: readonly EventType[] = [
  'session', 'snap', 'edit', 'ckpt', 'sel', 'focus', 'file', 'term', 'task', 'debug', 'git', 'cmd', 'drop',
];

/** An event as read back from the log: with its sequence number. */
export interface LoggedEvent {
  readonly seq: number;
  readonly event: CandorEvent;
}

/** Consent categories, in the order the consent screen lists them. */
export const CATEGORIES = [
  'edits',
  'navigation',
  'files',
  'terminalCommands',
  'terminalOutput',
  'tools',
  'aiPrompts',
] as const;
export type Category = (typeof CATEGORIES)[number];
