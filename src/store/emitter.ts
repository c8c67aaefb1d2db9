/** A minimal listener list (the store does not depend on VS Code's EventEmitter). */

export interface Disposable {
  dispose(): void;
}

export type Listener<E> = (event: E) => void;

export class Emitter<E> {
  private listeners: Listener<E>[] = [];

  /** Registers `listener`; dispose the result to unregister. */
  on(listener: Listener<E>): Disposable {
    this.listeners = [...this.listeners, listener];
    return {
      dispose: (): void => {
        this.listeners = this.listeners.filter((l) => l !== listener);
      },
    };
  }

  get size(): number {
    return this.listeners.length;
  }

  /** Calls every listener; one that throws is reported to `onListenerError` and the rest still run. */
  fire(event: E, onListenerError: (err: unknown) => void): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        onListenerError(err);
      }
    }
  }

  clear(): void {
    this.listeners = [];
  }
}
