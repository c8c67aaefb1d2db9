/**
 * What the preview webview's views share: the saved UI state, and the way to ask the host.
 */
import type { PreviewFromWebview, PreviewToWebview } from '../../../preview/protocol';

export type Tab = 'summary' | 'timeline' | 'files';
export type Mode = 'text' | 'diff';

/** What survives a reload (getState/setState): UI state only, never recorded content. */
export interface SavedState {
  readonly sha256?: string;
  readonly tab?: Tab;
  readonly type?: string;
  readonly file?: string;
  readonly from?: string;
  readonly to?: string;
  readonly activeSeq?: number;
  readonly scrollTop?: number;
  readonly replayFile?: string;
  readonly replayIndex?: number;
  readonly mode?: Mode;
  readonly base?: number;
}

/** A request to the host, without its id (the app numbers them). */
export type Request = PreviewFromWebview extends infer M ? (M extends { id: number } ? Omit<M, 'id'> : never) : never;
export type Reply = Extract<PreviewToWebview, { id: number }>;

/** The app, as the views see it. */
export interface Host {
  /** Posts `message` with a fresh id; `onReply` gets the reply (each chunk, for a search). */
  request(message: Request, onReply: (reply: Reply) => void): number;
  saved(): SavedState;
  save(patch: Partial<SavedState>): void;
  /** Enables and disables the action buttons after a change. */
  changed(): void;
  /** Shows `text` in the status line (an error the host replied with). */
  status(text: string): void;
}
