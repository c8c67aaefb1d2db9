/** The shape of VS Code's Disposable, so vscode-free modules can own registrations too. */
export interface IDisposable {
  dispose(): void;
}

/**
 * Base class for anything that owns resources: every registration goes through `_register`, and
 * `dispose()` releases them in reverse order exactly once.
 */
export abstract class Disposable implements IDisposable {
  private readonly _disposables: IDisposable[] = [];
  private _isDisposed = false;

  protected get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** The array to pass as the `disposables` argument of `onDidX(listener, this, disposables)`. */
  protected get _subscriptions(): IDisposable[] {
    return this._disposables;
  }

  protected _register<T extends IDisposable>(d: T): T {
    if (this._isDisposed) {
      d.dispose();
    } else {
      this._disposables.push(d);
    }
    return d;
  }

  /**
   * Releases every registration, newest first, even when some throw: one failing listener must not
   * keep a file watcher or a timer alive. The errors are rethrown together afterwards (one as
   * itself, several as an AggregateError).
   */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    disposeAll(this._disposables);
  }
}

export function toDisposable(fn: () => void): IDisposable {
  let done = false;
  return {
    dispose: () => {
      if (!done) {
        done = true;
        fn();
      }
    },
  };
}

/**
 * Disposes and empties `items`, newest first, all of them even when some throw; then rethrows what
 * was thrown (one error as itself, several as an AggregateError).
 */
export function disposeAll(items: IDisposable[]): void {
  const errors: unknown[] = [];
  while (items.length > 0) {
    try {
      items.pop()?.dispose();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length === 1) {
    throw errors[0];
  }
  if (errors.length > 1) {
    throw new AggregateError(errors, `${errors.length} disposables failed to dispose`);
  }
}
