/**
 * A mailbox in files between the suite in the first window and the peer in the second window of
 * the same workspace (two extension hosts share nothing else). Each message is one JSON file,
 * written whole (temp + rename): `cmd-<n>.json` from the suite, `reply-<n>.json` from the peer.
 */
import { readFile, rename, writeFile, mkdir } from 'node:fs/promises';
import * as path from 'node:path';

export type PeerCommand =
  | { readonly op: 'state' }
  | { readonly op: 'type'; readonly file: string; readonly text: string }
  | { readonly op: 'sync' }
  /** Runs "Candor: Preview What Would Be Shared" with `arg` (the real command). */
  | { readonly op: 'preview'; readonly arg?: unknown }
  /** Feeds the open preview a webview message (`answers` queued for the modals first). */
  | { readonly op: 'previewMessage'; readonly message: unknown; readonly answers?: readonly (string | null)[] }
  /** The rows under "Local log" in the Candor view. */
  | { readonly op: 'view' }
  | { readonly op: 'exit' };

export interface PeerPreview {
  readonly hash: string | undefined;
  readonly status: string;
}

export interface PeerState {
  readonly state: string;
  readonly logDir: string | undefined;
}

export interface PeerReply {
  readonly ok: boolean;
  readonly error?: string;
  readonly state?: PeerState;
  /** The open preview after `preview`/`previewMessage` (absent: none is open). */
  readonly preview?: PeerPreview;
  /** What the preview posted while handling `previewMessage`. */
  readonly posted?: readonly unknown[];
  /** How many modals the window had asked when it replied. */
  readonly modalsAsked?: number;
  readonly rows?: readonly { label: string; description: string }[];
  /** Date.now() in the peer after the command ran. */
  readonly at: number;
}

export async function writeMessage(dir: string, name: string, value: unknown): Promise<void> {
  await mkdir(dir, { recursive: true });
  const tmp = path.join(dir, `.${name}.tmp`);
  await writeFile(tmp, JSON.stringify(value), 'utf8');
  await rename(tmp, path.join(dir, name));
}

export async function readMessage<T>(dir: string, name: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path.join(dir, name), 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Polls for a message (there is no cross-process event to wait on); bounded by `timeoutMs`. */
export async function awaitMessage<T>(dir: string, name: string, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await readMessage<T>(dir, name);
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${name} in ${dir}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
