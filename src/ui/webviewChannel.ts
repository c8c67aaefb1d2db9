/**
 * The message side of a webview host, without VS Code (unit-tested in plain mocha): what arrives is
 * narrowed by the protocol's parser (a malformed message is logged and dropped, never handled), the
 * `ready` handshake is tracked (the webview says `ready` once its script listens; anything posted
 * before is lost), and what is posted goes through taps first (the test hooks see every message).
 */

/** Every message a webview sends has a `type`; `ready` is the handshake. */
export interface WebviewMessage {
  readonly type: string;
}

export interface WebviewChannelOptions<In, Out> {
  /** The protocol's guard: the message, or undefined when it is not one the protocol allows. */
  readonly parse: (raw: unknown) => In | undefined;
  /** Delivers a message to the webview (dropped by the caller once the panel is gone). */
  readonly send: (message: Out) => PromiseLike<unknown>;
  /** Told about each malformed message dropped (the host logs it). */
  readonly onMalformed?: () => void;
}

export class WebviewChannel<In extends WebviewMessage, Out> {
  private ready = false;
  private readonly readyWaiters: (() => void)[] = [];
  /** Taps see every message posted (test hooks); empty in normal use. */
  private readonly taps = new Set<(m: Out) => void>();

  constructor(private readonly options: WebviewChannelOptions<In, Out>) {}

  /** Whether the webview said `ready` (posting before it would be lost). */
  get isReady(): boolean {
    return this.ready;
  }

  /** Resolves once the webview said `ready` (or at once if it already did). */
  whenReady(): Promise<void> {
    return this.ready ? Promise.resolve() : new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Narrows a raw message: undefined (and reported) when malformed. A `ready` marks the webview ready. */
  accept(raw: unknown): In | undefined {
    const message = this.options.parse(raw);
    if (message === undefined) {
      this.options.onMalformed?.();
      return undefined;
    }
    if (message.type === 'ready') {
      this.ready = true;
      this.readyWaiters.splice(0).forEach((resolve) => resolve());
    }
    return message;
  }

  async post(message: Out): Promise<void> {
    for (const tap of this.taps) {
      tap(message);
    }
    await this.options.send(message);
  }

  /** Runs `fn` collecting every message posted meanwhile (test hooks). */
  async collect(fn: () => Promise<void>): Promise<Out[]> {
    const posted: Out[] = [];
    const tap = (m: Out): void => void posted.push(m);
    this.taps.add(tap);
    try {
      await fn();
    } finally {
      this.taps.delete(tap);
    }
    return posted;
  }
}
